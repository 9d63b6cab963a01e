package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary act as gemu itself when GEMU_TEST_AS_GEMU
// is set, so that signal and kill tests run a real separate gemu process.
func TestMain(m *testing.M) {
	if os.Getenv("GEMU_TEST_AS_GEMU") == "1" {
		os.Exit(doMain(append([]string{"gemu"}, os.Args[1:]...), os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// gemuCommand runs gemu as a child process (the test binary itself).
func gemuCommand(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "GEMU_TEST_AS_GEMU=1")
	return cmd
}

var eventLine = regexp.MustCompile(`^\d+@\d+\.\d{6}:guest_hypertrace cpu=(\d+)((?: arg\d+=0x[0-9a-f]+)+)$`)

// events extracts the guest_hypertrace lines of a log, as their argument
// part ("arg1=0x1 arg2=0x2").
func events(t *testing.T, log string) []string {
	t.Helper()
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if !strings.Contains(l, "guest_hypertrace") {
			continue
		}
		m := eventLine.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("malformed event line %q", l)
		}
		out = append(out, strings.TrimSpace(m[2]))
	}
	return out
}

func channelBase(t *testing.T) string { return filepath.Join(t.TempDir(), "ht") }

func assertRemoved(t *testing.T, base string) {
	t.Helper()
	for _, s := range []string{"-config", "-data", "-control"} {
		if _, err := os.Lstat(base + s); !os.IsNotExist(err) {
			t.Errorf("%s%s left behind (%v)", base, s, err)
		}
	}
}

func TestHypertraceDemo(t *testing.T) {
	base := channelBase(t)
	status, stdout, stderr := runGemu(t, "-hypertrace", "base="+base+",max-clients=4,args=3", guest(t, "hypertrace-demo"), base)
	if status != 0 {
		t.Fatalf("status %d\nstdout:\n%s\nstderr:\n%s", status, stdout, stderr)
	}
	want := []string{
		"arg1=0x1000 arg2=0x102 arg3=0x103",
		"arg1=0x1001 arg2=0x202 arg3=0x203",
		"arg1=0x1002 arg2=0x302 arg3=0x303",
		"arg1=0x1003 arg2=0x402 arg3=0x403",
	}
	if got := events(t, stderr); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("events %q\nwant %q", got, want)
	}
	if !strings.Contains(stdout, "4 clients, 3 argument(s) per event") {
		t.Errorf("stdout:\n%s", stdout)
	}
	assertRemoved(t, base)
}

// rules runs hypertrace-rules TEST under a fresh channel and returns the
// status, stdout and the events logged.
func rules(t *testing.T, opts string, test ...string) (int, string, []string, string) {
	t.Helper()
	base := channelBase(t)
	logFile := filepath.Join(t.TempDir(), "log")
	args := append([]string{"-hypertrace", "base=" + base + opts, "-d", "guest_errors", "-D", logFile,
		guest(t, "hypertrace-rules"), base}, test...)
	status, stdout, stderr := runGemu(t, args...)
	logData, _ := os.ReadFile(logFile)
	assertRemoved(t, base)
	return status, stdout + stderr, events(t, string(logData)), string(logData)
}

func TestHypertraceInterleavedClients(t *testing.T) {
	status, out, ev, _ := rules(t, ",max-clients=2,args=2", "interleaved")
	want := []string{"arg1=0xa1 arg2=0xd0000", "arg1=0xb1 arg2=0xd0100"}
	if status != 0 || fmt.Sprint(ev) != fmt.Sprint(want) {
		t.Errorf("status %d, events %q, want %q\n%s", status, ev, want, out)
	}
}

func TestHypertraceAllClients(t *testing.T) {
	status, out, ev, _ := rules(t, ",max-clients=4,args=1", "all")
	want := []string{"arg1=0xc0", "arg1=0xc1", "arg1=0xc2", "arg1=0xc3"}
	if status != 0 || fmt.Sprint(ev) != fmt.Sprint(want) {
		t.Errorf("status %d, events %q, want %q\n%s", status, ev, want, out)
	}
}

func TestHypertraceSequence(t *testing.T) {
	status, out, ev, _ := rules(t, ",max-clients=4,args=2", "sequence", "10000")
	if status != 0 || len(ev) != 10000 {
		t.Fatalf("status %d, %d events\n%s", status, len(ev), out)
	}
	for i, e := range ev {
		c := i % 4
		if want := fmt.Sprintf("arg1=%#x arg2=%#x", i, 0xd0000+0x100*c); i == 0 && e != "arg1=0x0 arg2=0xd0000" || i > 0 && e != want {
			t.Fatalf("event %d = %q, want %q", i, e, want)
		}
	}
}

func TestHypertraceOutOfProtocol(t *testing.T) {
	status, out, ev, log := rules(t, ",max-clients=2,args=2", "protocol")
	if status != 0 || fmt.Sprint(ev) != fmt.Sprint([]string{"arg1=0x600d arg2=0xd0000"}) {
		t.Errorf("status %d, events %q\n%s", status, ev, out)
	}
	for _, want := range []string{"without arming", "4-byte store", "control offset 0x4", "control offset 0xffc", "slot 2, beyond max-clients=2"} {
		if !strings.Contains(log, want) {
			t.Errorf("-d guest_errors log lacks %q:\n%s", want, log)
		}
	}
}

func TestHypertraceMappingRules(t *testing.T) {
	status, out, ev, _ := rules(t, ",max-clients=1,args=1", "badmap")
	if status != 0 || fmt.Sprint(ev) != "[arg1=0x5ec0]" {
		t.Errorf("status %d, events %q\n%s", status, ev, out)
	}
	status, out, ev, _ = rules(t, ",max-clients=1,args=1", "remap")
	if status != 0 || fmt.Sprint(ev) != "[arg1=0x4e3]" {
		t.Errorf("remap: status %d, events %q\n%s", status, ev, out)
	}
	status, out, ev, _ = rules(t, ",max-clients=1,args=1", "read")
	if status != 0 || len(ev) != 0 {
		t.Errorf("read: status %d, events %q\n%s", status, ev, out)
	}
	status, out, ev, _ = rules(t, ",max-clients=1,args=1", "mprotect")
	if status != 139 || len(ev) != 0 || !strings.Contains(out, "signal 11") {
		t.Errorf("mprotect: status %d, events %q\n%s", status, ev, out)
	}
}

func TestHypertraceSinks(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "ht")
	simple, js := filepath.Join(dir, "t.simple"), filepath.Join(dir, "t.json")
	status, stdout, stderr := runGemu(t, "-hypertrace", base+",max-clients=2,args=2",
		"-trace", "guest_*,file="+simple+",format=simple", "-trace", "enable=*,file="+js+",format=json",
		guest(t, "hypertrace-demo"), base)
	if status != 0 {
		t.Fatalf("status %d\n%s%s", status, stdout, stderr)
	}
	if strings.Contains(stderr, "guest_hypertrace") {
		t.Errorf("events went to stderr although -trace chose files:\n%s", stderr)
	}
	data, err := os.ReadFile(simple)
	if err != nil {
		t.Fatal(err)
	}
	// Independent reader of simpletrace v4: header, then mapping (0) and
	// event (1) records.
	r := bytes.NewReader(data)
	var hdr [3]uint64
	binary.Read(r, binary.LittleEndian, &hdr)
	if hdr != [3]uint64{0xffffffffffffffff, 0xf2b177cb0aa429b4, 4} {
		t.Fatalf("header %x", hdr)
	}
	names := map[uint64]string{}
	var got []string
	for {
		var kind, id uint64
		if binary.Read(r, binary.LittleEndian, &kind) != nil {
			break
		}
		binary.Read(r, binary.LittleEndian, &id)
		if kind == 0 {
			var n uint32
			binary.Read(r, binary.LittleEndian, &n)
			name := make([]byte, n)
			io.ReadFull(r, name)
			names[id] = string(name)
			continue
		}
		var ts uint64
		var length, pid uint32
		binary.Read(r, binary.LittleEndian, &ts)
		binary.Read(r, binary.LittleEndian, &length)
		binary.Read(r, binary.LittleEndian, &pid)
		args := make([]uint64, (length-24)/8)
		binary.Read(r, binary.LittleEndian, args)
		got = append(got, fmt.Sprintf("%s %x", names[id], args))
	}
	want := []string{"guest_hypertrace [0 1000 102]", "guest_hypertrace [0 1001 202]"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("simple records %q, want %q", got, want)
	}
	raw, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		TraceEvents []struct {
			Name string
			Args map[string]any
		}
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("json sink: %v\n%s", err, raw)
	}
	if len(doc.TraceEvents) != 2 || doc.TraceEvents[1].Args["arg1"] != "0x1001" || doc.TraceEvents[1].Args["arg2"] != "0x202" {
		t.Errorf("json events %+v", doc.TraceEvents)
	}
}

func TestHypertraceBadOptions(t *testing.T) {
	for _, tc := range []struct{ opt, want string }{
		{"", "gemu: -hypertrace: empty value"},
		{"/x,max-clients=0", `gemu: -hypertrace: max-clients="0"`},
		{"/x,args=65", `gemu: -hypertrace: args="65"`},
		{"/x,bogus=1", `gemu: -hypertrace: unknown key "bogus"`},
		{"max-clients=2", "gemu: -hypertrace: no path given"},
	} {
		status, _, stderr := runGemu(t, "-hypertrace", tc.opt, guestPath("hello"))
		if status != 1 {
			t.Errorf("%q: status %d", tc.opt, status)
		}
		oneLineError(t, stderr, tc.want)
	}
	t.Setenv("GEMU_HYPERTRACE", "/x,args=0")
	status, _, stderr := runGemu(t, guestPath("hello"))
	if status != 1 {
		t.Errorf("env: status %d", status)
	}
	oneLineError(t, stderr, `gemu: GEMU_HYPERTRACE: -hypertrace: args="0"`)
}

func TestHypertraceFromEnvironment(t *testing.T) {
	base := channelBase(t)
	t.Setenv("GEMU_HYPERTRACE", base+",max-clients=1")
	status, _, stderr := runGemu(t, guest(t, "hypertrace-demo"), base)
	if status != 0 || fmt.Sprint(events(t, stderr)) != "[arg1=0x1000]" {
		t.Errorf("status %d, stderr:\n%s", status, stderr)
	}
}

// startWaiting starts gemu running hypertrace-rules wait, and returns once
// the guest has fired its event and blocks on stdin.
func startWaiting(t *testing.T, base string) (*exec.Cmd, io.WriteCloser, *bytes.Buffer) {
	t.Helper()
	cmd := gemuCommand("-hypertrace", base, guest(t, "hypertrace-rules"), base, "wait")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	deadline := time.AfterFunc(2*time.Minute, func() { cmd.Process.Kill() })
	defer deadline.Stop()
	for sc.Scan() {
		if sc.Text() == "waiting" {
			go io.Copy(io.Discard, stdout)
			return cmd, stdin, &stderr
		}
	}
	t.Fatalf("guest never waited; stderr:\n%s", stderr.String())
	return nil, nil, nil
}

func TestHypertraceFilesAndSignals(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("signal delivery test needs Linux")
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			base := channelBase(t)
			cmd, _, stderr := startWaiting(t, base)
			for _, s := range []string{"-config", "-data", "-control"} {
				fi, err := os.Lstat(base + s)
				if err != nil || fi.Mode().Perm() != 0o600 || !fi.Mode().IsRegular() {
					t.Errorf("%s%s while running: %v %v", base, s, fi.Mode(), err)
				}
			}
			cmd.Process.Signal(sig)
			cmd.Wait()
			// gemu forwards the signal to the guest, which has no handler:
			// the default action ends it, and gemu exits 128+signal.
			if got := cmd.ProcessState.ExitCode(); got != 128+int(sig) {
				t.Errorf("gemu ended with %v, want exit status %d", cmd.ProcessState, 128+int(sig))
			}
			if ev := events(t, stderr.String()); fmt.Sprint(ev) != "[arg1=0x3a17]" {
				t.Errorf("events %q (the trace was not flushed?)", ev)
			}
			assertRemoved(t, base)
		})
	}
}

func TestHypertraceLiveAndStaleChannels(t *testing.T) {
	base := channelBase(t)
	cmd, stdin, _ := startWaiting(t, base)
	// A live gemu's channel is refused.
	status, _, stderr := runGemu(t, "-hypertrace", base, guestPath("hello"))
	if status != 1 {
		t.Errorf("second gemu on a live channel: status %d", status)
	}
	oneLineError(t, stderr, "gemu: -hypertrace: "+base+"-config is in use by a running gemu")
	// kill -KILL leaves the files; the next start replaces them.
	cmd.Process.Kill()
	cmd.Wait()
	stdin.Close()
	if _, err := os.Lstat(base + "-config"); err != nil {
		t.Fatalf("SIGKILL removed the files? %v", err)
	}
	status, stdout, stderr := runGemu(t, "-hypertrace", base, guest(t, "hypertrace-demo"), base)
	if status != 0 || fmt.Sprint(events(t, stderr)) != "[arg1=0x1000]" {
		t.Errorf("restart over a stale channel: status %d\n%s%s", status, stdout, stderr)
	}
	assertRemoved(t, base)
}

func TestHypertraceRefusesForeignFiles(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "ht")
	os.WriteFile(base+"-config", []byte("precious"), 0o600)
	status, _, stderr := runGemu(t, "-hypertrace", base, guestPath("hello"))
	if status != 1 {
		t.Errorf("status %d", status)
	}
	oneLineError(t, stderr, "gemu: -hypertrace: "+base+"-config exists but")
	if b, _ := os.ReadFile(base + "-config"); string(b) != "precious" {
		t.Error("foreign file modified")
	}
	base2 := filepath.Join(dir, "ln")
	os.Symlink(filepath.Join(dir, "elsewhere"), base2+"-control")
	status, _, stderr = runGemu(t, "-hypertrace", base2, guestPath("hello"))
	if status != 1 {
		t.Errorf("symlink: status %d", status)
	}
	oneLineError(t, stderr, "gemu: -hypertrace: "+base2+"-control is a symbolic link")
}

func TestTraceEventsDeclaration(t *testing.T) {
	status, stdout, _ := runGemu(t, "-hypertrace", "/x,args=2", "-trace-events")
	want := `guest_hypertrace(uint64_t cpu, uint64_t arg1, uint64_t arg2) "cpu=%" PRIu64 " arg1=0x%" PRIx64 " arg2=0x%" PRIx64` + "\n"
	if status != 0 || stdout != want {
		t.Errorf("status %d, output %q", status, stdout)
	}
}

// TestHypertraceGoGuest runs the pure-Go guest library from several
// goroutines (threads of the Go runtime), one client each.
func TestHypertraceGoGuest(t *testing.T) {
	base := channelBase(t)
	logFile := filepath.Join(t.TempDir(), "trace.log")
	status, stdout, stderr := runGemu(t, "-hypertrace", base+",max-clients=3,args=3",
		"-trace", "guest_hypertrace,file="+logFile, guest(t, "gohypertrace"), base, "1000")
	if status != 0 || !strings.Contains(stdout, "3 clients x 1000 events, 3 args") {
		t.Fatalf("status %d\n%s%s", status, stdout, stderr)
	}
	data, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	next := map[uint64]uint64{}
	n := 0
	for _, e := range events(t, string(data)) {
		var a1, a2, a3 uint64
		if _, err := fmt.Sscanf(e, "arg1=0x%x arg2=0x%x arg3=0x%x", &a1, &a2, &a3); err != nil {
			t.Fatalf("event %q: %v", e, err)
		}
		c, i := a1>>32, a1&0xffffffff
		if c > 2 || i != next[c] || a2 != i*3 || a3 != ^a1 {
			t.Fatalf("event %d %q: client %d expected index %d", n, e, c, next[c])
		}
		next[c]++
		n++
	}
	if n != 3000 {
		t.Fatalf("%d events, want 3000", n)
	}
	assertRemoved(t, base)
}
