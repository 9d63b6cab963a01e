package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkHypertrace runs testguests/bin/hypertrace-bench under gemu, in
// process, emitting b.N guest_hypertrace events in one run with K = 1 or 8
// arguments, to a log or simple trace file. It reports ns/event: the run's
// time less gemu's fixed cost of starting and ending the same guest with
// N = 0 (the fastest of three such runs, measured before the timer
// starts). Interpretation of the guest loop is included; bench/hypertrace.sh
// compares the figure with the native replica of the original design.
//
//	go test ./cmd/gemu/ -run '^$' -bench Hypertrace
func BenchmarkHypertrace(b *testing.B) {
	for _, format := range []string{"log", "simple"} {
		for _, k := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/K=%d", format, k), func(b *testing.B) {
				benchHypertrace(b, format, k)
			})
		}
	}
}

func benchHypertrace(b *testing.B, format string, k int) {
	bin := filepath.Join("..", "..", "testguests", "bin", "hypertrace-bench")
	if _, err := os.Stat(bin); err != nil {
		b.Fatalf("committed guest missing (make -C testguests): %v", err)
	}
	dir := b.TempDir()
	base := filepath.Join(dir, "ht")
	traceFile := filepath.Join(dir, "trace")
	run := func(n int) time.Duration {
		start := time.Now()
		status := doMainQuiet(b, dir,
			"-hypertrace", fmt.Sprintf("base=%s,args=%d", base, k),
			"-trace", fmt.Sprintf("guest_hypertrace,file=%s,format=%s", traceFile, format),
			bin, base, strconv.Itoa(n))
		elapsed := time.Since(start)
		if status != 0 {
			b.Fatalf("gemu exited with status %d for N=%d", status, n)
		}
		return elapsed
	}
	startup := run(0)
	for range 2 {
		startup = min(startup, run(0))
	}
	b.ResetTimer()
	elapsed := run(b.N)
	b.StopTimer()
	checkTraceSize(b, traceFile, format, k, b.N)
	perEvent := float64(elapsed-startup) / float64(b.N)
	b.ReportMetric(max(perEvent, 0), "ns/event")
	b.ReportMetric(float64(startup.Microseconds()), "startup-µs")
}

// doMainQuiet runs gemu in process with /dev/null as stdin and stdout and
// a file in dir as stderr, whose content is the failure message.
func doMainQuiet(b *testing.B, dir string, args ...string) int {
	b.Helper()
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer null.Close()
	errPath := filepath.Join(dir, "stderr")
	stderr, err := os.Create(errPath)
	if err != nil {
		b.Fatal(err)
	}
	defer stderr.Close()
	status := doMain(append([]string{"gemu"}, args...), null, null, stderr)
	if status != 0 {
		msg, _ := os.ReadFile(errPath)
		b.Logf("gemu stderr:\n%s", msg)
	}
	return status
}

// checkTraceSize checks that all n events reached the trace file: a
// simple trace has a fixed size; a log has n lines.
func checkTraceSize(b *testing.B, path, format string, k, n int) {
	b.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	if format == "simple" {
		const header, mapping = 24, 8 + 8 + 4 + len("guest_hypertrace")
		record := 8 + 8 + 8 + 4 + 4 + 8*(1+k) // kind, id, time, length, pid, cpu + K args
		if want := header + mapping + n*record; len(data) != want {
			b.Fatalf("simple trace is %d bytes, want %d for %d events", len(data), want, n)
		}
		return
	}
	if lines := bytes.Count(data, []byte{'\n'}); lines != n {
		b.Fatalf("log has %d lines, want %d", lines, n)
	}
}

// TestBenchGuestAndReplicaAgree runs hypertrace-bench under gemu and
// hypertrace-replica natively for the same events and checks that both
// traces hold the same events, in both formats: the benchmark compares
// like with like. Event i is arg1 = i, arg2..argK = i+2..i+K.
func TestBenchGuestAndReplicaAgree(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("the replica is a native x86-64 Linux program")
	}
	replica := guest(t, "hypertrace-replica")
	const n = 5
	for _, k := range []int{1, 3, 8} { // 3 takes the bench guest's generic loop
		for _, format := range []string{"log", "simple"} {
			dir := t.TempDir()
			base, gemuTrace, nativeTrace := filepath.Join(dir, "ht"), filepath.Join(dir, "gemu"), filepath.Join(dir, "native")
			status, stdout, stderr := runGemu(t, "-hypertrace", fmt.Sprintf("base=%s,args=%d", base, k),
				"-trace", fmt.Sprintf("guest_hypertrace,file=%s,format=%s", gemuTrace, format),
				guest(t, "hypertrace-bench"), base, strconv.Itoa(n))
			if status != 0 {
				t.Fatalf("K=%d %s: gemu status %d\n%s%s", k, format, status, stdout, stderr)
			}
			if out, err := exec.Command(replica, strconv.Itoa(n), strconv.Itoa(k), format, nativeTrace).CombinedOutput(); err != nil {
				t.Fatalf("K=%d %s: replica: %v\n%s", k, format, err, out)
			}
			want := make([]string, n)
			for i := range want {
				args := []string{"cpu=0", fmt.Sprintf("arg1=%#x", i)}
				if i == 0 {
					args[1] = "arg1=0x0"
				}
				for j := 2; j <= k; j++ {
					args = append(args, fmt.Sprintf("arg%d=%#x", j, i+j))
				}
				want[i] = strings.Join(args, " ")
			}
			for who, path := range map[string]string{"gemu": gemuTrace, "replica": nativeTrace} {
				got := traceEvents(t, path, format)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("K=%d %s: %s events\n%q\nwant\n%q", k, format, who, got, want)
				}
			}
		}
	}
}

// traceEvents reads a log or simpletrace file written for one event type
// (guest_hypertrace, cpu + K args) into "cpu=0 arg1=0x… …" strings.
func traceEvents(t *testing.T, path, format string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	if format == "log" {
		for _, l := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
			_, rest, ok := strings.Cut(l, ":guest_hypertrace ")
			if !ok || !eventLine.MatchString(l) {
				t.Fatalf("%s: malformed line %q", path, l)
			}
			out = append(out, rest)
		}
		return out
	}
	le := binary.LittleEndian
	if len(data) < 24 || le.Uint64(data) != 0xffffffffffffffff || le.Uint64(data[8:]) != 0xf2b177cb0aa429b4 || le.Uint64(data[16:]) != 4 {
		t.Fatalf("%s: bad simpletrace header", path)
	}
	for p := data[24:]; len(p) > 0; {
		if len(p) < 16 {
			t.Fatalf("%s: truncated record", path)
		}
		kind := le.Uint64(p)
		if kind == 0 { // mapping: id, name length, name
			n := int(le.Uint32(p[16:]))
			if name := string(p[20 : 20+n]); name != "guest_hypertrace" {
				t.Fatalf("%s: mapping for %q", path, name)
			}
			p = p[20+n:]
			continue
		}
		length := int(le.Uint32(p[24:])) // 24 + 8 per argument
		args := p[32 : 32+length-24]
		s := fmt.Sprintf("cpu=%d", le.Uint64(args))
		for j := 8; j < len(args); j += 8 {
			v := fmt.Sprintf("%#x", le.Uint64(args[j:]))
			if le.Uint64(args[j:]) == 0 {
				v = "0x0"
			}
			s += fmt.Sprintf(" arg%d=%s", j/8, v)
		}
		out = append(out, s)
		p = p[32+length-24:]
	}
	return out
}
