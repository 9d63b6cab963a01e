package trace

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fixedClock ticks 1.5 µs per call from a fixed wall-clock time.
func fixedClock() Clock {
	var n int64
	return func() (int64, int64) {
		n++
		return 1700000000_123456000 + n*1500, 5_000_000 + n*1500
	}
}

func hypertraceType(k int) *EventType {
	et := &EventType{Name: "guest_hypertrace", Args: []Arg{{Name: "cpu"}}}
	for i := 1; i <= k; i++ {
		et.Args = append(et.Args, Arg{Name: fmt.Sprintf("arg%d", i), Format: Hex})
	}
	return et
}

// events emits a fixed sequence and returns the arguments emitted.
func emitSample(t *testing.T, tr *Tracer) [][]uint64 {
	t.Helper()
	id := tr.Register(hypertraceType(2))
	other := tr.Register(&EventType{Name: "other_event", Args: []Arg{{Name: "x"}}})
	sample := [][]uint64{{0, 0, 0}, {1, 0x2a, 0xffffffffffffffff}, {3, 0x8000000000000000, 1}}
	for _, a := range sample {
		if err := tr.Emit(id, 4242, 4243, a); err != nil {
			t.Fatal(err)
		}
		if err := tr.Emit(other, 4242, 4243, []uint64{7}); err != nil {
			t.Fatal(err)
		}
	}
	return sample
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file:\ngot:\n%q\nwant:\n%q", name, got, want)
	}
}

func TestLogSink(t *testing.T) {
	var buf bytes.Buffer
	tr, err := New(Config{Options: []Option{{Pattern: "guest_*"}}, Log: &buf, PID: 4242, Clock: fixedClock()})
	if err != nil {
		t.Fatal(err)
	}
	emitSample(t, tr)
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	// Worked out by hand from QEMU's log format: PID@SEC.USEC:name args,
	// hex arguments as 0x%x (0x0 for zero); the clock gives
	// 1700000000.123456000 + 1500 ns per reading; New takes one reading
	// and only recorded events take one each (other_event is filtered
	// out), so the events are at readings 2, 3, 4: +3000, +4500, +6000 ns.
	want := "4242@1700000000.123459:guest_hypertrace cpu=0 arg1=0x0 arg2=0x0\n" +
		"4242@1700000000.123460:guest_hypertrace cpu=1 arg1=0x2a arg2=0xffffffffffffffff\n" +
		"4242@1700000000.123462:guest_hypertrace cpu=3 arg1=0x8000000000000000 arg2=0x1\n"
	if buf.String() != want {
		t.Errorf("log =\n%s\nwant\n%s", buf.String(), want)
	}
	golden(t, "log.golden", buf.Bytes())
}

// simpleRecord is what the independent reader below decodes.
type simpleRecord struct {
	name string
	ts   uint64
	pid  uint32
	args []uint64
}

// readSimple parses a simpletrace v4 file the way QEMU's simpletrace.py
// does, written from the format's description, not from the sink's code.
func readSimple(r io.Reader) ([]simpleRecord, error) {
	var hdr [3]uint64
	if err := binary.Read(r, binary.LittleEndian, &hdr); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if hdr[0] != 0xffffffffffffffff || hdr[1] != 0xf2b177cb0aa429b4 || hdr[2] != 4 {
		return nil, fmt.Errorf("bad header %x", hdr)
	}
	names := map[uint64]string{}
	var recs []simpleRecord
	for {
		var kind uint64
		if err := binary.Read(r, binary.LittleEndian, &kind); err != nil {
			if errors.Is(err, io.EOF) {
				return recs, nil
			}
			return nil, err
		}
		switch kind {
		case 0:
			var id uint64
			var n uint32
			if err := binary.Read(r, binary.LittleEndian, &id); err != nil {
				return nil, err
			}
			if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
				return nil, err
			}
			name := make([]byte, n)
			if _, err := io.ReadFull(r, name); err != nil {
				return nil, err
			}
			names[id] = string(name)
		case 1:
			var h struct {
				ID, TS   uint64
				Len, PID uint32
			}
			if err := binary.Read(r, binary.LittleEndian, &h); err != nil {
				return nil, err
			}
			if h.Len < 24 || (h.Len-24)%8 != 0 {
				return nil, fmt.Errorf("bad record length %d", h.Len)
			}
			args := make([]uint64, (h.Len-24)/8)
			if err := binary.Read(r, binary.LittleEndian, args); err != nil {
				return nil, err
			}
			name, ok := names[h.ID]
			if !ok {
				return nil, fmt.Errorf("event id %d used before its mapping record", h.ID)
			}
			recs = append(recs, simpleRecord{name: name, ts: h.TS, pid: h.PID, args: args})
		default:
			return nil, fmt.Errorf("bad record type %d", kind)
		}
	}
}

func TestSimpleSink(t *testing.T) {
	file := filepath.Join(t.TempDir(), "trace.bin")
	tr, err := New(Config{Options: []Option{{Pattern: "guest_hypertrace", File: file, Format: FormatSimple}}, PID: 4242, Clock: fixedClock()})
	if err != nil {
		t.Fatal(err)
	}
	sample := emitSample(t, tr)
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := readSimple(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(sample) {
		t.Fatalf("%d records, want %d", len(recs), len(sample))
	}
	for i, r := range recs {
		if r.name != "guest_hypertrace" || r.pid != 4242 || fmt.Sprint(r.args) != fmt.Sprint(sample[i]) {
			t.Errorf("record %d = %+v, want args %v", i, r, sample[i])
		}
		if want := uint64(5_000_000 + (2+int64(i))*1500); r.ts != want { // readings 2, 3, 4
			t.Errorf("record %d timestamp %d, want %d", i, r.ts, want)
		}
	}
	golden(t, "simple.golden", data)
}

func TestJSONSink(t *testing.T) {
	file := filepath.Join(t.TempDir(), "trace.json")
	tr, err := New(Config{Options: []Option{{Pattern: "*", File: file, Format: FormatJSON}}, PID: 4242, Clock: fixedClock()})
	if err != nil {
		t.Fatal(err)
	}
	emitSample(t, tr)
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		TraceEvents []struct {
			Name string
			Ph   string
			TS   float64
			PID  int
			TID  int
			Args map[string]any
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("not valid JSON: %v\n%s", err, data)
	}
	if len(doc.TraceEvents) != 6 {
		t.Fatalf("%d events, want 6 (pattern * enables both types)", len(doc.TraceEvents))
	}
	e := doc.TraceEvents[2]
	if e.Name != "guest_hypertrace" || e.Ph != "i" || e.PID != 4242 || e.TID != 4243 ||
		e.Args["cpu"] != float64(1) || e.Args["arg1"] != "0x2a" || e.Args["arg2"] != "0xffffffffffffffff" {
		t.Errorf("event 2 = %+v", e)
	}
	if e.TS != 4.5 { // reading 4 minus the start reading 1, × 1.5 µs
		t.Errorf("ts = %v µs, want 4.5", e.TS)
	}
	golden(t, "json.golden", data)
}

func TestDeclaration(t *testing.T) {
	got := hypertraceType(2).Declaration()
	want := `guest_hypertrace(uint64_t cpu, uint64_t arg1, uint64_t arg2) "cpu=%" PRIu64 " arg1=0x%" PRIx64 " arg2=0x%" PRIx64`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestParseOption(t *testing.T) {
	good := map[string]Option{
		"guest_hypertrace":                         {Pattern: "guest_hypertrace"},
		"enable=guest_*,file=/tmp/x,format=simple": {Pattern: "guest_*", File: "/tmp/x", Format: FormatSimple},
		"*,format=json":                            {Pattern: "*", Format: FormatJSON},
	}
	for in, want := range good {
		got, err := ParseOption(in)
		if err != nil || got != want {
			t.Errorf("ParseOption(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	bad := map[string]string{
		"":                   "empty value",
		"file=x":             "no event pattern",
		"x,format=xml":       `unknown format "xml"`,
		"x,colour=red":       `unknown key "colour"`,
		"x,file=":            "empty file name",
		"[x":                 "bad pattern",
		"guest_hypertrace,x": `"x": expected key=value`,
	}
	for in, want := range bad {
		_, err := ParseOption(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseOption(%q) error = %v, want one containing %q", in, err, want)
		}
	}
}

func TestPatternSelectsEvents(t *testing.T) {
	var buf bytes.Buffer
	tr, err := New(Config{Options: []Option{{Pattern: "other_*"}}, Log: &buf, Clock: fixedClock()})
	if err != nil {
		t.Fatal(err)
	}
	emitSample(t, tr)
	tr.Close()
	if n := strings.Count(buf.String(), "\n"); n != 3 || strings.Contains(buf.String(), "guest_hypertrace") {
		t.Errorf("pattern other_* recorded:\n%s", buf.String())
	}
}

func TestSameFileTwoFormatsRefused(t *testing.T) {
	f := filepath.Join(t.TempDir(), "t")
	_, err := New(Config{Options: []Option{{Pattern: "a", File: f}, {Pattern: "b", File: f, Format: FormatJSON}}})
	if err == nil || !strings.Contains(err.Error(), "two formats") {
		t.Errorf("err = %v", err)
	}
}

func TestCloseIsIdempotentAndDropsLateEvents(t *testing.T) {
	var buf bytes.Buffer
	tr, _ := New(Config{Options: []Option{{Pattern: "*"}}, Log: &buf, Clock: fixedClock()})
	id := tr.Register(hypertraceType(1))
	tr.Close()
	if err := tr.Emit(id, 1, 1, []uint64{0, 1}); err != nil || buf.Len() != 0 {
		t.Errorf("late emit: %v, %q", err, buf.String())
	}
	if err := tr.Close(); err != nil {
		t.Error(err)
	}
}

func BenchmarkEmitLog(b *testing.B) {
	tr, _ := New(Config{Options: []Option{{Pattern: "*"}}, Log: io.Discard})
	id := tr.Register(hypertraceType(8))
	args := make([]uint64, 9)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		args[1] = uint64(i)
		tr.Emit(id, 1, 1, args)
	}
}

func BenchmarkEmitSimple(b *testing.B) {
	tr, _ := New(Config{Options: []Option{{Pattern: "*", File: filepath.Join(b.TempDir(), "t"), Format: FormatSimple}}})
	defer tr.Close()
	id := tr.Register(hypertraceType(8))
	args := make([]uint64, 9)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		args[1] = uint64(i)
		tr.Emit(id, 1, 1, args)
	}
}

func TestLogLineBuffered(t *testing.T) {
	for _, lb := range []bool{false, true} {
		var buf bytes.Buffer
		tr, _ := New(Config{Options: []Option{{Pattern: "*"}}, Log: &buf, Clock: fixedClock(), LogLineBuffered: lb})
		id := tr.Register(hypertraceType(1))
		tr.Emit(id, 1, 1, []uint64{0, 1})
		if got := strings.Count(buf.String(), "\n"); got != map[bool]int{false: 0, true: 1}[lb] {
			t.Errorf("LogLineBuffered=%v: %d lines visible before Close", lb, got)
		}
		tr.Close()
	}
}
