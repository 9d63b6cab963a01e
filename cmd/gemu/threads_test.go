package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startGuest runs gemu (the test binary) on args and returns once the guest
// printed "waiting".
func startGuest(t *testing.T, args ...string) (cmdWait func() (int, string), signal func(syscall.Signal)) {
	t.Helper()
	cmd := gemuCommand(args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close() })
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
	rd := bufio.NewReader(stdout)
	kill := time.AfterFunc(2*time.Minute, func() { cmd.Process.Kill() })
	line, err := rd.ReadString('\n')
	kill.Stop()
	if line != "waiting\n" {
		t.Fatalf("guest said %q (%v); stderr:\n%s", line, err, stderr.String())
	}
	return func() (int, string) {
			rest, _ := io.ReadAll(rd)
			cmd.Wait()
			return cmd.ProcessState.ExitCode(), string(rest) + stderr.String()
		}, func(s syscall.Signal) {
			cmd.Process.Signal(s)
		}
}

func TestSIGINTReachesGuestHandler(t *testing.T) {
	wait, signal := startGuest(t, guest(t, "signals"), "sigint")
	signal(syscall.SIGINT)
	status, out := wait()
	if status != 0 || !strings.Contains(out, "ppoll=-1 EINTR caught=2") {
		t.Errorf("status %d, output:\n%s", status, out)
	}
}

func TestSIGINTDefaultActionEndsGuest(t *testing.T) {
	wait, signal := startGuest(t, guest(t, "signals"), "sigint-default")
	signal(syscall.SIGINT)
	status, out := wait()
	if status != 130 || !strings.Contains(out, "gemu: guest killed by signal 2 (Interrupt)") {
		t.Errorf("status %d, want 130; output:\n%s", status, out)
	}
}

var hyperThreadsLine = regexp.MustCompile(`^1000@\d+\.\d{6}:guest_hypertrace cpu=(\d+) arg1=0x([0-9a-f]+) arg2=0x([0-9a-f]+)$`)

// TestHypertraceThreads: 4 threads, each its own client, 100 000 events
// each; every event is present, in per-client order, with the data word
// that belongs to its arg1. Under -seed/-icount, runs are byte-identical.
func TestHypertraceThreads(t *testing.T) {
	const threads, perThread = 4, 100000
	dir := t.TempDir()
	var first []byte
	var firstOut string
	for run := 0; run < 2; run++ {
		base := filepath.Join(dir, "ht")
		logFile := filepath.Join(dir, fmt.Sprintf("trace%d.log", run))
		status, stdout, stderr := runGemu(t, "-seed", "1", "-icount",
			"-hypertrace", base+",max-clients=4,args=2", "-trace", "guest_hypertrace,file="+logFile,
			guest(t, "hypertrace-threads"), base, strconv.Itoa(threads), strconv.Itoa(perThread))
		if status != 0 {
			t.Fatalf("status %d\n%s%s", status, stdout, stderr)
		}
		data, err := os.ReadFile(logFile)
		if err != nil {
			t.Fatal(err)
		}
		if run == 0 {
			first, firstOut = data, stdout
			checkThreadEvents(t, data, threads, perThread)
			continue
		}
		if !bytes.Equal(data, first) || stdout != firstOut {
			t.Errorf("run %d differs from run 0 under -seed 1 -icount (trace %d vs %d bytes)", run, len(data), len(first))
		}
	}
}

func checkThreadEvents(t *testing.T, data []byte, threads, perThread int) {
	t.Helper()
	next := make([]uint64, threads)
	n := 0
	for _, l := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		m := hyperThreadsLine.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("malformed line %q", l)
		}
		a1, _ := strconv.ParseUint(m[2], 16, 64)
		a2, _ := strconv.ParseUint(m[3], 16, 64)
		c := a1 >> 32
		if c >= uint64(threads) || a1&0xffffffff != next[c] {
			t.Fatalf("event %d: arg1 %#x out of order (client %d expected index %d)", n, a1, c, next[c])
		}
		if a2 != a1^0x5a5a5a5a00000000 {
			t.Fatalf("event %d: arg1 %#x with data word %#x: mixed up", n, a1, a2)
		}
		next[c]++
		n++
	}
	if n != threads*perThread {
		t.Fatalf("%d events, want %d", n, threads*perThread)
	}
}
