package syscalls

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gemu/internal/abi/linux"
	"gemu/mmu"
)

// readGuestFile opens path in the guest and reads it whole.
func (e *env) readGuestFile(path string) (string, linux.Errno) {
	e.t.Helper()
	r := e.call(linux.SYS_OPENAT, atFDCWD, e.str(path), linux.O_RDONLY, 0)
	if r < 0 {
		return "", linux.Errno(-r)
	}
	fd := uint64(r)
	defer e.call(linux.SYS_CLOSE, fd)
	var out []byte
	buf := e.alloc(4096)
	for {
		n := e.ok(linux.SYS_READ, fd, buf, 4096)
		if n == 0 {
			return string(out), 0
		}
		out = append(out, e.peek(buf, int(n))...)
	}
}

func TestProcSelfFiles(t *testing.T) {
	e := newEnvCfg(t, Config{Exe: "/usr/bin/true", Comm: "true", Args: []string{"true", "a b"}, Env: []string{"X=1"}, StackStart: 0x7ffffffde000})
	pid := strconv.Itoa(e.p.Pid())
	for _, dir := range []string{"/proc/self/", "/proc/" + pid + "/", "/proc/thread-self/"} {
		if got, _ := e.readGuestFile(dir + "cmdline"); got != "true\x00a b\x00" {
			t.Errorf("%scmdline %q", dir, got)
		}
	}
	if got, _ := e.readGuestFile("/proc/self/environ"); got != "X=1\x00" {
		t.Errorf("environ %q", got)
	}
	if got, _ := e.readGuestFile("/proc/self/comm"); got != "true\n" {
		t.Errorf("comm %q", got)
	}
	maps, _ := e.readGuestFile("/proc/self/maps")
	want := string(formatMaps(e.mem.Mappings()))
	if maps != want || !strings.Contains(maps, "00100000-00200000 rw-p 00000000 00:00 0 \n") {
		t.Errorf("maps:\n%s\nwant:\n%s", maps, want)
	}
	stat, _ := e.readGuestFile("/proc/self/stat")
	f := strings.Fields(stat)
	if len(f) < 52 || f[0] != pid || f[1] != "(true)" || f[2] != "R" || f[19] != "1" {
		t.Fatalf("stat %q", stat)
	}
	vsize := uint64(0)
	for _, r := range e.mem.Mappings() {
		vsize += r.End - r.Start
	}
	if f[22] != strconv.FormatUint(vsize, 10) || f[23] != strconv.Itoa(e.mem.PageCount()) || f[27] != strconv.Itoa(0x7ffffffde000) {
		t.Errorf("stat vsize %s (want %d), rss %s (want %d), startstack %s", f[22], vsize, f[23], e.mem.PageCount(), f[27])
	}
	status, _ := e.readGuestFile("/proc/self/status")
	for _, want := range []string{"Name:\ttrue\n", "Pid:\t" + pid + "\n", "Tgid:\t" + pid + "\n", "Threads:\t1\n",
		"VmRSS:\t" + strconv.Itoa(e.mem.PageCount()*mmu.PageSize/1024) + " kB\n", "FDSize:\t64\n"} {
		if !strings.Contains(collapse(status), collapse(want)) {
			t.Errorf("status lacks %q:\n%s", want, status)
		}
	}
	statm, _ := e.readGuestFile("/proc/self/statm")
	if g := strings.Fields(statm); len(g) != 7 || g[0] != strconv.FormatUint(vsize/mmu.PageSize, 10) {
		t.Errorf("statm %q", statm)
	}
	// PR_SET_NAME renames the process.
	e.ok(linux.SYS_PRCTL, linux.PR_SET_NAME, e.str("a-very-long-name-indeed"))
	if got, _ := e.readGuestFile("/proc/self/comm"); got != "a-very-long-nam\n" {
		t.Errorf("comm after PR_SET_NAME: %q", got)
	}
}

// collapse removes the padding inside "key:\t   value" lines.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestProcSelfFD(t *testing.T) {
	e := newEnv(t)
	path := filepath.Join(t.TempDir(), "target")
	os.WriteFile(path, nil, 0o644)
	fd := e.open(path, linux.O_RDONLY)
	link := e.alloc(256)
	n := e.ok(linux.SYS_READLINK, e.str("/proc/self/fd/"+itoa(fd)), link, 256)
	if got := string(e.peek(link, int(n))); got != path {
		t.Errorf("fd link %q, want %q", got, path)
	}
	if got := e.errno(linux.SYS_READLINK, e.str("/proc/self/fd/77"), link, 256); got != linux.ENOENT {
		t.Errorf("closed fd's link: %v", got.Name())
	}
	info, _ := e.readGuestFile("/proc/self/fdinfo/" + itoa(fd))
	if !strings.Contains(info, "flags:") {
		t.Errorf("fdinfo %q", info)
	}
	// The fd directory lists the guest's descriptors, not gemu's.
	dir := e.open("/proc/self/fd", linux.O_RDONLY|linux.O_DIRECTORY)
	buf := e.alloc(4096)
	var names []string
	for {
		n := e.ok(linux.SYS_GETDENTS64, dir, buf, 64) // small: several calls
		if n == 0 {
			break
		}
		b := e.peek(buf, int(n))
		for off := 0; off < len(b); {
			reclen := int(le.Uint16(b[off+16:]))
			names = append(names, linux.CString(b[off+19:off+reclen]))
			off += reclen
		}
	}
	want := []string{".", "..", "0", "1", "2", itoa(fd), itoa(dir)}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("fd directory: %v, want %v", names, want)
	}
	// Rewinding lists again.
	e.ok(linux.SYS_LSEEK, dir, 0, linux.SEEK_SET)
	if n := e.ok(linux.SYS_GETDENTS64, dir, buf, 4096); n == 0 {
		t.Error("nothing after rewinding")
	}
	if got := e.errno(linux.SYS_GETDENTS64, e.open("/proc/self/fd", linux.O_RDONLY), buf, 10); got != linux.EINVAL {
		t.Errorf("buffer too small for one entry: %v", got.Name())
	}
}

// TestProcSelfGuarded: gemu's own memory is not the guest's to read, and a
// roundabout path to /proc/self still reaches the guest's entries.
func TestProcSelfGuarded(t *testing.T) {
	e := newEnvCfg(t, Config{Args: []string{"guest"}})
	for _, p := range []string{"/proc/self/mem", "/proc/self/task/" + strconv.Itoa(os.Getpid()) + "/mem", "/proc/self/pagemap"} {
		if _, got := e.readGuestFile(p); got != linux.EACCES {
			t.Errorf("%s: %v, want EACCES", p, got.Name())
		}
	}
	link := filepath.Join(t.TempDir(), "self")
	os.Symlink("/proc/self", link)
	if got, _ := e.readGuestFile(link + "/cmdline"); got != "guest\x00" {
		t.Errorf("cmdline through a symlink: %q", got)
	}
	if got, _ := e.readGuestFile("/proc/self/../self/cmdline"); got != "guest\x00" {
		t.Errorf("cmdline through ..: %q", got)
	}
}

func TestPrefixPath(t *testing.T) {
	prefix := t.TempDir()
	os.MkdirAll(prefix+"/etc", 0o755)
	os.WriteFile(prefix+"/etc/only-here", []byte("prefixed"), 0o644)
	for _, c := range []struct{ prefix, path, want string }{
		{prefix, "/etc/only-here", prefix + "/etc/only-here"},
		{prefix, "/etc/passwd", "/etc/passwd"},
		{prefix, "etc/only-here", "etc/only-here"},
		{prefix, "", ""},
		{"", "/etc/only-here", "/etc/only-here"},
		{"/", "/etc/only-here", "/etc/only-here"},
	} {
		if got := PrefixPath(c.prefix, c.path); got != c.want {
			t.Errorf("PrefixPath(%q, %q) = %q, want %q", c.prefix, c.path, got, c.want)
		}
	}
	e := newEnvCfg(t, Config{Prefix: prefix})
	if got, _ := e.readGuestFile("/etc/only-here"); got != "prefixed" {
		t.Errorf("open under the prefix: %q", got)
	}
	st := e.alloc(linux.SizeofStat)
	e.ok(linux.SYS_STAT, e.str("/etc/only-here"), st)
	e.ok(linux.SYS_ACCESS, e.str("/etc/only-here"), linux.R_OK)
	// Calls that create or remove names act on the host path.
	if got := e.errno(linux.SYS_UNLINK, e.str("/etc/only-here")); got != linux.ENOENT {
		t.Errorf("unlink must not reach the prefix: %v", got.Name())
	}
}
