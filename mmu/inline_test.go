package mmu

import (
	"os/exec"
	"strings"
	"testing"
)

// TestFastPathsInline pins that the TLB fast paths stay within the Go
// inliner's budget: the interpreter's loads and stores depend on it.
func TestFastPathsInline(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the compiler; skipped in -short mode")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not in PATH")
	}
	out, err := exec.Command(gobin, "build", "-gcflags=-m", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, m := range []string{"Read8", "Read16", "Read32", "Read64", "Write8", "Write16", "Write32", "Write64"} {
		if !strings.Contains(string(out)+"\n", "can inline (*TLB)."+m+"\n") {
			t.Errorf("(*TLB).%s is not inlinable", m)
		}
	}
}
