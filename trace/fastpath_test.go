package trace

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestAppendHex checks the log's hex against C's %#x (which Go's %#x
// matches for non-zero values) and "0x0" for zero.
func TestAppendHex(t *testing.T) {
	for _, v := range []uint64{0, 1, 9, 0xa, 0xf, 0x10, 0xff, 0x100, 0x2a, 0x1234_5678, 0x8000_0000_0000_0000, 0xffff_ffff_ffff_ffff} {
		want := fmt.Sprintf("%#x", v)
		if v == 0 {
			want = "0x0"
		}
		if got := string(appendHex([]byte("x="), v)); got != "x="+want {
			t.Errorf("appendHex(%#x) = %q, want %q", v, got, "x="+want)
		}
	}
}

// TestLogPrefixFollowsSecondAndPID checks that the log sink's cached
// "PID@SEC." prefix changes with the second and with the pid.
func TestLogPrefixFollowsSecondAndPID(t *testing.T) {
	times := []int64{
		1700000000_000000000, // read once by New
		1700000000_999999000, // last µs of a second
		1700000001_000000000, // next second
		1700000001_000001000,
		1700000001_000002000, // same second, other pid
		1700000002_000000500,
	}
	pids := []int{10, 10, 10, 11, 11}
	n := 0
	var buf bytes.Buffer
	tr, err := New(Config{Options: []Option{{Pattern: "*"}}, Log: &buf, Clock: func() (int64, int64) {
		v := times[n]
		n++
		return v, v
	}})
	if err != nil {
		t.Fatal(err)
	}
	id := tr.Register(&EventType{Name: "ev", Args: []Arg{{Name: "a", Format: Hex}, {Name: "b"}}})
	for i, pid := range pids {
		if err := tr.Emit(id, pid, pid, []uint64{uint64(i), uint64(i * 7)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"10@1700000000.999999:ev a=0x0 b=0",
		"10@1700000001.000000:ev a=0x1 b=7",
		"10@1700000001.000001:ev a=0x2 b=14",
		"11@1700000001.000002:ev a=0x3 b=21",
		"11@1700000002.000000:ev a=0x4 b=28",
	}, "\n") + "\n"
	if buf.String() != want {
		t.Errorf("log:\n%s\nwant:\n%s", buf.String(), want)
	}
}
