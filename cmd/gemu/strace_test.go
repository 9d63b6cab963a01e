package main

import (
	goelf "debug/elf"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

var updateStrace = flag.Bool("update-strace", false, "rewrite testdata/strace-*.golden from gemu's -strace output")

// straceNormalize makes -strace output comparable between runs and with
// real strace: the pid prefix (and the tid set_tid_address returns)
// becomes PID, stack addresses (which depend on the environment's size)
// become STACK, and the alignment before " = " is one space.
func straceNormalize(out string, pid int) string {
	p := strconv.Itoa(pid)
	stack := regexp.MustCompile(`0x7ff[0-9a-f]{9}`)
	align := regexp.MustCompile(`\) +=( |$)`)
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		l = strings.TrimLeft(strings.TrimPrefix(l, p), " ")
		if strings.HasPrefix(l, "execve(") || strings.HasPrefix(l, "+++ ") {
			continue // strace's own lines: gemu starts the program itself
		}
		l = strings.ReplaceAll(l, "= "+p, "= PID")
		l = stack.ReplaceAllString(l, "STACK")
		l = align.ReplaceAllString(l, ") =$1")
		lines = append(lines, "PID "+l)
	}
	return strings.Join(lines, "\n") + "\n"
}

// TestStraceHelloGolden pins -strace's output for the hello guest.
func TestStraceHelloGolden(t *testing.T) {
	status, stdout, stderr := runGemu(t, "-strace", guest(t, "hello"))
	if status != 0 || stdout != "Hello from a gemu test guest!\n" {
		t.Fatalf("status %d, stdout %q, stderr %q", status, stdout, stderr)
	}
	// Every line is "PID name(args)", padded to column 39, then " = ".
	line := regexp.MustCompile(`^(\d+) +[a-z_0-9]+\(.*\)( *) = .+$`)
	for _, l := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("not strace's shape: %q", l)
			continue
		}
		if m[1] != strconv.Itoa(os.Getpid()) {
			t.Errorf("pid %s, want %d", m[1], os.Getpid())
		}
		if head := len(l) - len(l[strings.Index(l, ") ")+1:]); head < 39 && head+len(m[2]) != 39 {
			t.Errorf("result not aligned at column 40: %q", l)
		}
	}
	got := straceNormalize(stderr, os.Getpid())
	golden := filepath.Join("testdata", "strace-hello.golden")
	if *updateStrace {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (regenerate with go test ./cmd/gemu/ -run Strace -update-strace)", err)
	}
	if got != string(want) {
		t.Errorf("-strace output:\n%s\nwant (%s):\n%s", got, golden, want)
	}
}

// TestStraceMatchesStrace runs the hello guest under the real strace and
// under gemu -strace: after normalization the lines must be the same.
func TestStraceMatchesStrace(t *testing.T) {
	if !hostRunsGuests() {
		t.Skip("needs a native run of the guest: host is not linux/amd64")
	}
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("strace is not installed (apt-get install strace)")
	}
	prog, err := filepath.Abs(guest(t, "hello"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "strace.out")
	cmd := exec.Command(strace, "-f", "-o", out, prog)
	cmd.Stdout = nil
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("strace cannot trace here (ptrace not permitted?): %v\n%s", err, msg)
	}
	native, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	pid := regexp.MustCompile(`^\d+`).FindString(string(native))
	n, _ := strconv.Atoi(pid)
	want := straceNormalize(string(native), n)
	// Run gemu with stdout a file, as strace's child had it (not a tty).
	status, _, stderr := runGemu(t, "-strace", prog)
	if status != 0 {
		t.Fatalf("status %d", status)
	}
	if got := straceNormalize(stderr, os.Getpid()); got != want {
		t.Errorf("gemu -strace:\n%s\nstrace:\n%s", got, want)
	}
}

// TestStraceLogFile sends -strace to the -D file and decodes a failing call.
func TestStraceLogFile(t *testing.T) {
	busybox := needBusybox(t)
	logFile := filepath.Join(t.TempDir(), "log")
	status, stdout, stderr := runGemu(t, "-strace", "-D", logFile, busybox, "cat", "/nonexistent/file")
	if status != 1 || stdout != "" || !strings.Contains(stderr, "No such file or directory") {
		t.Errorf("status %d, stdout %q, stderr %q", status, stdout, stderr)
	}
	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	want := `openat(AT_FDCWD, "/nonexistent/file", O_RDONLY) = -1 ENOENT (No such file or directory)`
	if !strings.Contains(straceNormalize(string(log), os.Getpid()), want) {
		t.Errorf("-D file lacks %q:\n%s", want, log)
	}
	if strings.Contains(stderr, "openat(") {
		t.Error("-strace wrote to stderr despite -D")
	}
}

func hostRunsGuests() bool { return runtime.GOOS == "linux" && runtime.GOARCH == "amd64" }

// needBusybox returns Debian's static x86-64 busybox or skips.
func needBusybox(t *testing.T) string {
	t.Helper()
	const busybox = "/usr/bin/busybox"
	f, err := goelf.Open(busybox)
	if err != nil {
		t.Skipf("no usable %s (install Debian's busybox-static): %v", busybox, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == goelf.PT_INTERP {
			t.Skipf("%s is dynamically linked; the test wants Debian's busybox-static", busybox)
		}
	}
	if f.Machine != goelf.EM_X86_64 {
		t.Skipf("%s is not an x86-64 program", busybox)
	}
	return busybox
}
