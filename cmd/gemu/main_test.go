package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// runGemu runs doMain in-process with temporary files as the standard
// streams and returns the exit status, stdout and stderr.
func runGemu(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	dir := t.TempDir()
	stdout, err := os.Create(filepath.Join(dir, "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	defer stdout.Close()
	stderr, err := os.Create(filepath.Join(dir, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	stdin, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	status := doMain(append([]string{"gemu"}, args...), stdin, stdout, stderr)
	out, _ := os.ReadFile(stdout.Name())
	errOut, _ := os.ReadFile(stderr.Name())
	return status, string(out), string(errOut)
}

// guest returns the path of a committed test guest.
func guest(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join("..", "..", "testguests", "bin", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("committed guest missing: %v", err)
	}
	return p
}

// oneLineError checks that stderr is exactly one line starting with want.
func oneLineError(t *testing.T, stderr, want string) {
	t.Helper()
	if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
		t.Errorf("stderr is not one line: %q", stderr)
	}
	if !strings.HasPrefix(stderr, want) {
		t.Errorf("stderr = %q, want it to start with %q", stderr, want)
	}
	for _, bad := range []string{"goroutine", "panic", ".go:"} {
		if strings.Contains(stderr, bad) {
			t.Errorf("stderr contains %q (a Go stack trace?): %q", bad, stderr)
		}
	}
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// elf32Header is the 52-byte header of an i386 ELF executable (ELFCLASS32,
// little-endian, ET_EXEC, EM_386), laid out per the System V ABI.
func elf32Header() []byte {
	h := make([]byte, 52)
	copy(h, "\x7fELF")
	h[4], h[5], h[6] = 1, 1, 1    // ELFCLASS32, ELFDATA2LSB, EV_CURRENT
	h[16], h[18], h[20] = 2, 3, 1 // ET_EXEC, EM_386, e_version
	h[40] = 52                    // e_ehsize
	return h
}

func TestBadInput(t *testing.T) {
	hello, err := os.ReadFile(guest(t, "hello"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		path string
		want string
	}{
		{"text file", writeFile(t, "notes.txt", []byte("just some text\n")), "gemu: "},
		{"32-bit ELF", writeFile(t, "i386", elf32Header()), "gemu: "},
		{"truncated ELF", writeFile(t, "truncated", hello[:200]), "gemu: "},
		{"missing path", filepath.Join(t.TempDir(), "does-not-exist"), "gemu: "},
		{"directory", t.TempDir(), "gemu: "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, stdout, stderr := runGemu(t, tc.path)
			if status != 1 {
				t.Errorf("status = %d, want 1", status)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			oneLineError(t, stderr, tc.want+tc.path+": ")
		})
	}
}

func TestBadOptions(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{}, "gemu: no program given"},
		{[]string{"-no-such-flag", "x"}, "gemu: flag provided but not defined: -no-such-flag"},
		{[]string{"-d", "bogus", "x"}, `gemu: -d: unknown log item "bogus"`},
		{[]string{"-E", "NOEQUALS", "x"}, `gemu: -E "NOEQUALS": expected var=value`},
		{[]string{"-D", "/nonexistent-dir/log", guestPath("hello")}, "gemu: -D: "},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			status, _, stderr := runGemu(t, tc.args...)
			if status != 1 {
				t.Errorf("status = %d, want 1", status)
			}
			oneLineError(t, stderr, tc.want)
		})
	}
}

func guestPath(name string) string { return filepath.Join("..", "..", "testguests", "bin", name) }

func TestGuestKilledBySignal(t *testing.T) {
	cases := []struct {
		guest  string
		status int
		want   string
	}{
		{"jump_unmapped", 139, "gemu: guest killed by signal 11 (Segmentation fault) at 0x"},
		{"segv", 139, "gemu: guest killed by signal 11 (Segmentation fault) at 0x"},
		{"ud2", 132, "gemu: guest killed by signal 4 (Illegal instruction) at 0x"},
		{"divzero", 136, "gemu: guest killed by signal 8 (Floating point exception) at 0x"},
	}
	for _, tc := range cases {
		t.Run(tc.guest, func(t *testing.T) {
			status, _, stderr := runGemu(t, guest(t, tc.guest))
			if status != tc.status {
				t.Errorf("status = %d, want %d", status, tc.status)
			}
			oneLineError(t, stderr, tc.want)
		})
	}
}

func TestOptionsBeforeProgramOnly(t *testing.T) {
	// Everything after the program belongs to the guest, even -h.
	status, stdout, stderr := runGemu(t, "-E", "GEMU_TEST=1", guest(t, "args"), "-h", "--version", "x")
	if status != 0 {
		t.Fatalf("status %d, stderr %q", status, stderr)
	}
	for _, want := range []string{"-h", "--version", "x"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("guest output lacks argument %q:\n%s", want, stdout)
		}
	}
}

func TestVersionAndHelp(t *testing.T) {
	status, stdout, _ := runGemu(t, "-version")
	if status != 0 || !strings.HasPrefix(stdout, "gemu version ") || !strings.Contains(stdout, runtime.Version()) {
		t.Errorf("-version: status %d, output %q", status, stdout)
	}
	status, stdout, _ = runGemu(t, "-h")
	if status != 0 || !strings.Contains(stdout, "gemu [options] program [args...]") {
		t.Errorf("-h: status %d, output %q", status, stdout)
	}
}

func TestGuestEnv(t *testing.T) {
	env, err := guestEnv([]string{"A=1", "B=2", "C=3"}, []string{"B=x", "D=4"}, []string{"A"})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(env, " ")
	if got != "C=3 B=x D=4" {
		t.Errorf("env = %q", got)
	}
	if _, err := guestEnv(nil, nil, []string{"A=B"}); err == nil {
		t.Error("-U A=B accepted")
	}
}
