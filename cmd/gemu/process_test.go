package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hostFDs counts this process's open descriptors, from /proc (in-process
// runs: the test process is gemu).
func hostFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	return len(ents) - 1 // ReadDir's own descriptor
}

// TestExecChainKeepsNoHostFDs runs the guest that execs itself 50 times
// (and forks a few children that exec) in-process and checks that gemu
// holds as many host descriptors afterwards as before.
func TestExecChainKeepsNoHostFDs(t *testing.T) {
	// A first run makes the Go runtime open whatever it keeps open.
	runGemu(t, guest(t, "hello"))
	before := hostFDs(t)
	status, stdout, stderr := runGemu(t, guest(t, "execchain"))
	after := hostFDs(t)
	t.Logf("host descriptors of gemu: %d before, %d after the chain of 50 execs", before, after)
	if status != 42 || !strings.Contains(stdout, "chain of 50 execs: 0 failed checks") {
		t.Fatalf("status %d\nstdout:\n%s\nstderr:\n%s", status, stdout, stderr)
	}
	if after != before {
		t.Errorf("gemu holds %d host descriptors after the run, %d before", after, before)
	}
}

// TestForkIcountPids: under -icount the first process is pid 1000 and the
// processes it starts get the next ids, so output that shows pids is the
// same in every run.
func TestForkIcountPids(t *testing.T) {
	const busybox = "/usr/bin/busybox"
	if _, err := os.Stat(busybox); err != nil {
		t.Skipf("no %s: %v", busybox, err)
	}
	script := `echo $$; sh -c 'echo $$ $PPID'; (echo sub $$); echo $(sh -c 'echo $PPID')`
	var first string
	for i := range 2 {
		status, stdout, stderr := runGemu(t, "-icount", busybox, "sh", "-c", script)
		if status != 0 {
			t.Fatalf("status %d, stderr %s", status, stderr)
		}
		if i == 0 {
			first = stdout
		} else if stdout != first {
			t.Errorf("second run printed %q, first %q", stdout, first)
		}
	}
	// sh is 1000, its first child 1001; the command substitution's sh
	// is the outer shell's child (as natively).
	want := "1000\n1001 1000\nsub 1000\n1000\n"
	if first != want {
		t.Errorf("pids: got %q, want %q", first, want)
	}
}

// TestForkDeterministic: two -icount runs of the fork guest print the
// same bytes.
func TestForkDeterministic(t *testing.T) {
	var first string
	for i := range 2 {
		status, stdout, stderr := runGemu(t, "-icount", guest(t, "fork"))
		if status != 0 {
			t.Fatalf("status %d, stderr %s", status, stderr)
		}
		if i == 0 {
			first = stdout
		} else if stdout != first {
			t.Errorf("runs differ:\n%s\n---\n%s", first, stdout)
		}
	}
}

// TestShellProcesses runs busybox shell command lines that fork, exec,
// pipe, wait and signal in-process (so that -race sees the process code)
// and compares them with native runs.
func TestShellProcesses(t *testing.T) {
	const busybox = "/usr/bin/busybox"
	if _, err := os.Stat(busybox); err != nil {
		t.Skipf("no %s: %v", busybox, err)
	}
	for _, cmd := range []string{
		"seq 1 2000 | sort -rn | head -3",
		"x=$(echo a | tr a b); echo $x; (exit 4); echo $?",
		"sleep 5 & p=$!; kill -TERM $p; wait $p; echo $?",
		"echo 1 2 3 | xargs -n1 echo item | wc -l; sh -c 'exit 9'; echo $?",
		"for i in 1 2 3; do (echo $i) & done; wait; echo done",
	} {
		t.Run(cmd, func(t *testing.T) {
			native := exec.Command(busybox, "sh", "-c", cmd)
			want, err := native.Output()
			if err != nil {
				t.Fatalf("native run: %v", err)
			}
			status, got, stderr := runGemu(t, busybox, "sh", "-c", cmd)
			if status != 0 || got != string(want) {
				if strings.HasPrefix(cmd, "for") {
					// The three subshells may print in any order.
					if sortLines(got) == sortLines(string(want)) && status == 0 {
						return
					}
				}
				t.Errorf("status %d, stdout %q, want %q; stderr %q", status, got, want, stderr)
			}
		})
	}
}

func sortLines(s string) string {
	l := strings.Split(s, "\n")
	sort.Strings(l)
	return strings.Join(l, "\n")
}

// TestHypertraceFork: a parent, its child and its grandchild all emit
// events through the channel the parent opened (the child inherits the
// mappings). Every event is recorded once, with the pid of the process
// that emitted it; the log sink and the JSON file hold each event once
// (the sinks' buffers belong to the one gemu process, never copied by a
// fork); the channel files are removed once, at the end of the run.
func TestHypertraceFork(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "ht")
	logf, js := filepath.Join(dir, "log"), filepath.Join(dir, "t.json")
	status, stdout, stderr := runGemu(t, "-icount", "-D", logf, "-hypertrace", base+",max-clients=2",
		"-trace", "guest_hypertrace,file="+logf+".events", "-trace", "guest_hypertrace,file="+js+",format=json",
		guest(t, "hypertrace-fork"), base)
	if status != 0 {
		t.Fatalf("status %d\n%s%s", status, stdout, stderr)
	}
	if want := "parent 1000\nchild 1001\ngrandchild 1002\n"; stdout != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
	assertRemoved(t, base)
	data, err := os.ReadFile(logf + ".events")
	if err != nil {
		t.Fatal(err)
	}
	pidOf := map[uint64]string{0x100: "1000", 0x200: "1001", 0x300: "1000", 0x400: "1002"}
	seen := map[string]int{}
	for _, l := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		pid, _, _ := strings.Cut(l, "@")
		_, arg, ok := strings.Cut(l, " arg1=0x")
		if !ok {
			t.Fatalf("malformed event line %q", l)
		}
		v, err := strconv.ParseUint(arg, 16, 64)
		if err != nil {
			t.Fatalf("event line %q: %v", l, err)
		}
		if want := pidOf[v&^0xff]; pid != want {
			t.Errorf("event arg1=%#x has pid %s, want %s", v, pid, want)
		}
		seen[arg]++
	}
	if len(seen) != 20 {
		t.Errorf("%d distinct events, want 20:\n%s", len(seen), data)
	}
	for a, n := range seen {
		if n != 1 {
			t.Errorf("event arg1=0x%s recorded %d times", a, n)
		}
	}
	raw, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		TraceEvents []struct {
			Name string
			Pid  int
		}
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("json sink: %v\n%s", err, raw)
	}
	pids := map[int]int{}
	for _, e := range doc.TraceEvents {
		if e.Name == "guest_hypertrace" {
			pids[e.Pid]++
		}
	}
	if pids[1000] != 10 || pids[1001] != 5 || pids[1002] != 5 || len(pids) != 3 {
		t.Errorf("json events per pid %v, want 1000:10 1001:5 1002:5", pids)
	}
}

// BenchmarkFork512MiB: fork + child exit + wait of a guest whose 512 MiB
// heap is fully touched (copy-on-write: no page is copied). The guest
// times its own forks (the heap setup is not counted) and the benchmark
// reports them as ms/fork.
func BenchmarkFork512MiB(b *testing.B) {
	dir := b.TempDir()
	out := filepath.Join(dir, "stdout")
	f, err := os.Create(out)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer null.Close()
	p := filepath.Join("..", "..", "testguests", "bin", "forkbench")
	if status := doMain([]string{"gemu", p, strconv.Itoa(b.N)}, null, f, null); status != 0 {
		b.Fatalf("forkbench exited %d", status)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		b.Fatal(err)
	}
	// "N forks of a 512 MiB heap: X us each"
	_, rest, _ := strings.Cut(string(data), ": ")
	us, err := strconv.ParseFloat(strings.Fields(rest + " x")[0], 64)
	if err != nil {
		b.Fatalf("forkbench printed %q", data)
	}
	b.ReportMetric(us/1000, "ms/fork")
}

// TestExecFromThread: a thread of a three-thread process execs (the other
// two are parked in pause and blocked in a host read); the new image runs
// alone. In-process so that -race sees the run loop's exec path.
func TestExecFromThread(t *testing.T) {
	status, stdout, stderr := runGemu(t, guest(t, "execchain"), "thread-exec")
	want := "after exec from a thread: same pid 1, gettid is pid 1, threads 1\n"
	if status != 0 || stdout != want {
		t.Errorf("status %d, stdout %q, want %q; stderr %q", status, stdout, want, stderr)
	}
}

// TestScriptInterpreterUnderPrefix: a "#!" script's interpreter is looked
// up with the -L rule, and execve of a path under the prefix runs the
// prefix's program.
func TestScriptInterpreterUnderPrefix(t *testing.T) {
	busybox := needBusybox(t)
	prefix := t.TempDir()
	interp, err := os.ReadFile(guest(t, "execchain"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(prefix, "gemu-test-bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(prefix, "gemu-test-bin", "interp"), interp, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "s.sh")
	if err := os.WriteFile(script, []byte("#!/gemu-test-bin/interp show-args\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	status, stdout, stderr := runGemu(t, "-L", prefix, busybox, "sh", "-c", script+" one; echo $?; /gemu-test-bin/interp show-args two; echo $?")
	want := "interpreter got 3 args: [show-args] [s.sh] [one]\n3\ninterpreter got 2 args: [show-args] [two]\n3\n"
	if status != 0 || stdout != want {
		t.Errorf("status %d, stdout %q, want %q; stderr %q", status, stdout, want, stderr)
	}
	// Without the prefix the interpreter does not exist: ENOENT, which
	// the shell reports as 127 ("not found").
	status, stdout, _ = runGemu(t, busybox, "sh", "-c", script+" 2>/dev/null; echo $?")
	if status != 0 || stdout != "127\n" {
		t.Errorf("without -L: status %d, stdout %q", status, stdout)
	}
}

// goExecSource is a Go program that starts processes with os/exec (Go's
// runtime forks with clone(CLONE_VM|CLONE_VFORK) and reports exec errors
// through a close-on-exec pipe).
const goExecSource = `package main

import (
	"fmt"
	"os/exec"
	"strings"
)

func main() {
	out, err := exec.Command("/usr/bin/busybox", "echo", "hi from child").Output()
	fmt.Printf("%q %v\n", out, err)
	cmd := exec.Command("/usr/bin/busybox", "sh", "-c", "read x; echo got $x; exit 3")
	cmd.Stdin = strings.NewReader("line\n")
	out, err = cmd.Output()
	fmt.Printf("%q %v\n", out, err)
	_, err = exec.Command("/nonexistent").Output()
	fmt.Println(err)
}
`

// TestGoOsExec builds a Go program that uses os/exec and runs it under
// gemu; the expected output is a native run's.
func TestGoOsExec(t *testing.T) {
	needBusybox(t)
	if testing.Short() {
		t.Skip("builds a Go program")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(goExecSource), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module goexec\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	prog := filepath.Join(dir, "goexec")
	build := exec.Command("go", "build", "-o", prog, ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64", "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		t.Skipf("cannot build the Go guest: %v\n%s", err, out)
	}
	status, stdout, stderr := runGemu(t, prog)
	want := "\"hi from child\\n\" <nil>\n\"got line\\n\" exit status 3\nfork/exec /nonexistent: no such file or directory\n"
	if status != 0 || stdout != want {
		t.Errorf("status %d, stdout %q, want %q; stderr %q", status, stdout, want, stderr)
	}
}

// TestOrphanReparented: a process whose parent ended has the first guest
// process as its parent (under -icount: pid 1000), in getppid and /proc.
func TestOrphanReparented(t *testing.T) {
	busybox := needBusybox(t)
	script := `(sh -c 'sleep 0.2; grep PPid /proc/self/status' &); sleep 1; echo end`
	status, stdout, stderr := runGemu(t, "-icount", busybox, "sh", "-c", script)
	if want := "PPid:\t1000\nend\n"; status != 0 || stdout != want {
		t.Errorf("status %d, stdout %q, want %q; stderr %q", status, stdout, want, stderr)
	}
}

// TestSIGINTReachesTheGroup: SIGINT sent to gemu goes, as a terminal's
// Ctrl-C does, to every guest process of the first one's process group:
// the shell's sleep dies of it and the shell runs its trap.
func TestSIGINTReachesTheGroup(t *testing.T) {
	busybox := needBusybox(t)
	cmd := gemuCommand(busybox, "sh", "-c", `trap "echo trapped" INT; echo ready; sleep 30; echo "after $?"`)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(out)
	if line, err := r.ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("first line %q, %v", line, err)
	}
	// The shell prints ready before it forks sleep, so the signal is
	// repeated until the shell has reacted (each one runs the trap).
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-time.After(200 * time.Millisecond):
				cmd.Process.Signal(syscall.SIGINT)
			case <-stop:
				return
			}
		}
	}()
	rest, _ := io.ReadAll(r)
	cmd.Wait()
	if got := string(rest); !strings.Contains(got, "trapped\nafter 130\n") {
		t.Errorf("after SIGINT the shell printed %q, want trapped and after 130", got)
	}
}

// TestExecChainHostFDsFromProc counts gemu's host descriptors in
// /proc/<gemu pid>/fd while a shell under it waits on stdin, before and
// after a child process ran the chain of 50 execs.
func TestExecChainHostFDsFromProc(t *testing.T) {
	busybox := needBusybox(t)
	chain, err := filepath.Abs(guest(t, "execchain"))
	if err != nil {
		t.Fatal(err)
	}
	// The subshell makes the shell fork once before the first count (a
	// process keeps a handle on its working directory from its first
	// fork on).
	cmd := gemuCommand(busybox, "sh", "-c", "(:); echo ready; read a; "+chain+" >/dev/null; echo status $?; read b")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer in.Close()
	r := bufio.NewReader(out)
	var listing []string
	count := func() int {
		dir := fmt.Sprintf("/proc/%d/fd", cmd.Process.Pid)
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var l []string
		n := 0
		for _, e := range ents {
			target, _ := os.Readlink(filepath.Join(dir, e.Name()))
			l = append(l, e.Name()+"->"+target)
			// A thread waiting in a host call holds an eventfd for its
			// interruption while it waits: whether the shell is already
			// in its read(0) when we look is a race, so those are not
			// counted.
			if target != "anon_inode:[eventfd]" {
				n++
			}
		}
		listing = append(listing, strings.Join(l, " "))
		return n
	}
	if line, err := r.ReadString('\n'); line != "ready\n" {
		t.Fatalf("first line %q, %v", line, err)
	}
	before := count()
	io.WriteString(in, "go\n")
	if line, err := r.ReadString('\n'); line != "status 42\n" {
		t.Fatalf("chain: %q, %v", line, err)
	}
	after := count()
	t.Logf("host descriptors in /proc/%d/fd: %d before, %d after the chain of 50 execs", cmd.Process.Pid, before, after)
	if after != before {
		t.Errorf("gemu holds %d host descriptors after the chain, %d before:\n%s", after, before, strings.Join(listing, "\n"))
	}
	io.WriteString(in, "end\n")
}
