package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// prefixTree makes a -L directory holding /gemu-prefix-test/file and an
// /etc/hostname of its own.
func prefixTree(t *testing.T) string {
	t.Helper()
	prefix := t.TempDir()
	for name, data := range map[string]string{
		"gemu-prefix-test/file": "from the prefix\n",
		"etc/hostname":          "prefix-host\n",
	} {
		p := filepath.Join(prefix, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return prefix
}

// TestLDPrefix checks qemu's rule: an absolute path that exists under the
// prefix is used from there, any other path is the host's.
func TestLDPrefix(t *testing.T) {
	busybox := needBusybox(t)
	prefix := prefixTree(t)
	hostPasswd, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Skip("no /etc/passwd on the host")
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"under the prefix", []string{"cat", "/gemu-prefix-test/file"}, "from the prefix\n"},
		{"shadowed by the prefix", []string{"cat", "/etc/hostname"}, "prefix-host\n"},
		{"falls back to the host", []string{"cat", "/etc/passwd"}, string(hostPasswd)},
		{"stat under the prefix", []string{"stat", "-c", "%s", "/gemu-prefix-test/file"}, "16\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, stdout, stderr := runGemu(t, append([]string{"-L", prefix, busybox}, tc.args...)...)
			if status != 0 || stdout != tc.want {
				t.Errorf("status %d, stdout %q, want %q; stderr %q", status, stdout, tc.want, stderr)
			}
		})
	}
	// Without -L the file is not found; with GEMU_LD_PREFIX it is.
	status, _, _ := runGemu(t, busybox, "cat", "/gemu-prefix-test/file")
	if status != 1 {
		t.Errorf("without a prefix: status %d", status)
	}
	t.Setenv(ldPrefixEnv, prefix)
	status, stdout, _ := runGemu(t, busybox, "cat", "/gemu-prefix-test/file")
	if status != 0 || stdout != "from the prefix\n" {
		t.Errorf("%s: status %d, stdout %q", ldPrefixEnv, status, stdout)
	}
	// -L wins over the variable; "/" means no prefix.
	status, _, _ = runGemu(t, "-L", "/", busybox, "cat", "/gemu-prefix-test/file")
	if status != 1 {
		t.Errorf("-L /: status %d", status)
	}
}

// TestProcSelfMaps is the guest's own /proc/self/maps: its program, heap
// and stack, in the kernel's format, and nothing of gemu's.
func TestProcSelfMaps(t *testing.T) {
	busybox := needBusybox(t)
	status, stdout, stderr := runGemu(t, busybox, "cat", "/proc/self/maps")
	if status != 0 {
		t.Fatalf("status %d: %s", status, stderr)
	}
	line := regexp.MustCompile(`^([0-9a-f]{8,}-[0-9a-f]{8,}) ([r-][w-][x-][ps]) [0-9a-f]{8} [0-9a-f]{2}:[0-9a-f]{2} \d+ (\s+(\S.*))?$`)
	seen := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("not a maps line: %q", l)
			continue
		}
		if m[4] != "" && len(l)-len(m[4]) != 73 {
			t.Errorf("name not in column 74: %q", l)
		}
		seen[m[4]+" "+m[2]] = true
	}
	for _, want := range []string{busybox + " r-xp", busybox + " rw-p", "[stack] rw-p"} {
		if !seen[want] {
			t.Errorf("no %q mapping in:\n%s", want, stdout)
		}
	}
	self, _ := os.Executable()
	if strings.Contains(stdout, self) || strings.Contains(stdout, "[vdso]") {
		t.Errorf("gemu's own mappings leak into the guest's:\n%s", stdout)
	}
}
