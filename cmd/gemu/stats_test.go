package main

import (
	"regexp"
	"strconv"
	"testing"
)

// TestStats checks the -stats report of the fork guest: every field is
// there, and the system calls of the 100 children it forks are counted
// with the parent's (each child ends with _exit, i.e. exit_group, and the
// parent calls fork at least 100 times).
func TestStats(t *testing.T) {
	status, stdout, stderr := runGemu(t, "-stats", guest(t, "fork"))
	if status != 0 {
		t.Fatalf("status %d\n%s", status, stderr)
	}
	if stdout == "" {
		t.Error("the guest printed nothing")
	}
	count := func(name string) uint64 {
		t.Helper()
		m := regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(name) + `\s+([0-9.]+)`).FindStringSubmatch(stderr)
		if m == nil {
			t.Fatalf("no %q line in the report:\n%s", name, stderr)
		}
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		return uint64(v)
	}
	if n := count("instructions"); n < 1000 {
		t.Errorf("instructions %d", n)
	}
	if n := count("blocks translated"); n == 0 {
		t.Error("no block translated")
	}
	for _, name := range []string{"cache hits", "blocks chained", "hypertrace events", "wall time", "cpu time"} {
		count(name)
	}
	if n := count("MIPS"); n == 0 {
		t.Error("MIPS 0")
	}
	if n := count("fork"); n < 100 {
		t.Errorf("fork counted %d times, want >= 100", n)
	}
	if n := count("exit_group"); n < 101 {
		t.Errorf("exit_group counted %d times, want >= 101 (the children's)", n)
	}
}

// TestStatsOff checks that without -stats nothing is reported.
func TestStatsOff(t *testing.T) {
	status, _, stderr := runGemu(t, guest(t, "hello"))
	if status != 0 || stderr != "" {
		t.Fatalf("status %d, stderr %q", status, stderr)
	}
}
