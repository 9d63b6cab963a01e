package syscalls

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
	"gemu/mmu"
)

const fdcwd = uint64(1<<64 + linux.AT_FDCWD)

func TestOpenLowestFreeFD(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	a := e.open(path, linux.O_RDWR|linux.O_CREAT)
	b := e.open(path, linux.O_RDONLY)
	if a != 3 || b != 4 {
		t.Fatalf("fds %d %d, want 3 4", a, b)
	}
	e.ok(linux.SYS_CLOSE, a)
	if c := e.open(path, linux.O_RDONLY); c != 3 {
		t.Errorf("reopened fd %d, want 3", c)
	}
	if got := e.errno(linux.SYS_CLOSE, a+10); got != linux.EBADF {
		t.Errorf("close of a free fd: %v", got)
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	e := newEnv(t)
	path := filepath.Join(t.TempDir(), "f")
	fd := e.open(path, linux.O_RDWR|linux.O_CREAT|linux.O_TRUNC)
	if n := e.ok(linux.SYS_WRITE, fd, e.str("hello, world"), 12); n != 12 {
		t.Fatalf("write %d", n)
	}
	host, err := os.ReadFile(path)
	if err != nil || string(host) != "hello, world" {
		t.Fatalf("host sees %q %v", host, err)
	}
	if off := e.ok(linux.SYS_LSEEK, fd, 7, linux.SEEK_SET); off != 7 {
		t.Fatalf("lseek %d", off)
	}
	buf := e.alloc(64)
	if n := e.ok(linux.SYS_READ, fd, buf, 64); n != 5 || string(e.peek(buf, 5)) != "world" {
		t.Errorf("read %d %q", n, e.peek(buf, int(n)))
	}
	if n := e.ok(linux.SYS_READ, fd, buf, 64); n != 0 {
		t.Errorf("read at EOF %d", n)
	}
	if n := e.ok(linux.SYS_PREAD64, fd, buf, 5, 0); n != 5 || string(e.peek(buf, 5)) != "hello" {
		t.Errorf("pread %d %q", n, e.peek(buf, 5))
	}
	e.ok(linux.SYS_PWRITE64, fd, e.str("HELLO"), 5, 0)
	if off := e.ok(linux.SYS_LSEEK, fd, 0, linux.SEEK_CUR); off != 12 {
		t.Errorf("pwrite moved the offset to %d", off)
	}
	if off := e.ok(linux.SYS_LSEEK, fd, neg(-2), linux.SEEK_END); off != 10 {
		t.Errorf("SEEK_END-2 = %d", off)
	}
	host, _ = os.ReadFile(path)
	if string(host) != "HELLO, world" {
		t.Errorf("host sees %q", host)
	}
}

// decodeStat reads a guest struct stat.
func decodeStat(e *env, addr uint64) linux.Stat {
	var st linux.Stat
	st.Decode(e.peek(addr, linux.SizeofStat))
	return st
}

func sameStat(t *testing.T, what string, got linux.Stat, h *unix.Stat_t) {
	t.Helper()
	want := guestStat(h)
	// atime may move between the two calls on some file systems.
	got.Atime, want.Atime = linux.Timespec{}, linux.Timespec{}
	if got != want {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
	if got.Ino == 0 || got.Mode == 0 || got.Nlink == 0 {
		t.Errorf("%s: empty fields %+v", what, got)
	}
}

func TestStatFamilyMatchesHost(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, make([]byte, 5000), 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink("file", link); err != nil {
		t.Fatal(err)
	}
	var hf, hl unix.Stat_t
	if err := unix.Stat(file, &hf); err != nil {
		t.Fatal(err)
	}
	if err := unix.Lstat(link, &hl); err != nil {
		t.Fatal(err)
	}
	buf := e.alloc(linux.SizeofStat)

	e.ok(linux.SYS_STAT, e.str(link), buf)
	sameStat(t, "stat", decodeStat(e, buf), &hf)
	e.ok(linux.SYS_LSTAT, e.str(link), buf)
	sameStat(t, "lstat", decodeStat(e, buf), &hl)
	fd := e.open(file, linux.O_RDONLY)
	e.ok(linux.SYS_FSTAT, fd, buf)
	sameStat(t, "fstat", decodeStat(e, buf), &hf)
	e.ok(linux.SYS_NEWFSTATAT, fd, e.str(""), buf, linux.AT_EMPTY_PATH)
	sameStat(t, "newfstatat AT_EMPTY_PATH", decodeStat(e, buf), &hf)
	e.ok(linux.SYS_NEWFSTATAT, fd, 0, buf, linux.AT_EMPTY_PATH)
	sameStat(t, "newfstatat NULL path", decodeStat(e, buf), &hf)
	dfd := e.open(dir, linux.O_RDONLY|linux.O_DIRECTORY)
	e.ok(linux.SYS_NEWFSTATAT, dfd, e.str("link"), buf, linux.AT_SYMLINK_NOFOLLOW)
	sameStat(t, "newfstatat dirfd nofollow", decodeStat(e, buf), &hl)
	if got := e.errno(linux.SYS_NEWFSTATAT, fd, e.str(""), buf, 0); got != linux.ENOENT {
		t.Errorf("empty path without AT_EMPTY_PATH: %v", got)
	}
	if got := e.errno(linux.SYS_NEWFSTATAT, 9999, e.str("x"), buf, 0); got != linux.EBADF {
		t.Errorf("relative path on a bad dirfd: %v", got)
	}
	if got := e.errno(linux.SYS_FSTAT, fd, roPage); got != linux.EFAULT {
		t.Errorf("fstat into a read-only page: %v", got)
	}
}

func TestStatxMatchesHost(t *testing.T) {
	e := newEnv(t)
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("abc"), 0o600); err != nil {
		t.Fatal(err)
	}
	var h unix.Statx_t
	if err := unix.Statx(unix.AT_FDCWD, file, 0, unix.STATX_BASIC_STATS|unix.STATX_BTIME, &h); err != nil {
		t.Fatal(err)
	}
	buf := e.alloc(linux.SizeofStatx)
	e.ok(linux.SYS_STATX, fdcwd, e.str(file), 0, linux.STATX_BASIC_STATS|linux.STATX_BTIME, buf)
	var g linux.Statx
	g.Decode(e.peek(buf, linux.SizeofStatx))
	if g.Mask != h.Mask || g.Ino != h.Ino || g.Size != 3 || g.Mode != h.Mode || g.Nlink != h.Nlink ||
		g.UID != h.Uid || g.DevMajor != h.Dev_major || g.DevMinor != h.Dev_minor ||
		g.Mtime.Sec != h.Mtime.Sec || g.Mtime.Nsec != h.Mtime.Nsec || g.Btime.Sec != h.Btime.Sec {
		t.Errorf("statx:\n got %+v\nhost %+v", g, h)
	}
	if got := e.errno(linux.SYS_STATX, fdcwd, e.str(file), 0x8000, linux.STATX_BASIC_STATS, buf); got != linux.EINVAL {
		t.Errorf("unknown flag: %v", got)
	}
	if got := e.errno(linux.SYS_STATX, fdcwd, e.str(file), 0, linux.STATX_BASIC_STATS, roPage); got != linux.EFAULT {
		t.Errorf("read-only buffer: %v", got)
	}
}

func TestOpenFlags(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	os.Symlink("file", link)
	cases := []struct {
		path  string
		flags int
		want  linux.Errno
	}{
		{file, linux.O_RDONLY | linux.O_DIRECTORY, linux.ENOTDIR},
		{link, linux.O_RDONLY | linux.O_NOFOLLOW, linux.ELOOP},
		{file, linux.O_WRONLY | linux.O_CREAT | linux.O_EXCL, linux.EEXIST},
		{dir, linux.O_WRONLY, linux.EISDIR},
		{dir, linux.O_RDONLY | linux.O_DIRECTORY, 0},
		{dir, linux.O_RDWR | linux.O_TMPFILE, 0},
		{link, linux.O_PATH | linux.O_NOFOLLOW, 0},
	}
	for _, c := range cases {
		got := e.errno(linux.SYS_OPENAT, fdcwd, e.str(c.path), uint64(c.flags), 0o600)
		if got != c.want {
			t.Errorf("open(%s, %#x) = %v, want %v", filepath.Base(c.path), c.flags, got.Name(), c.want.Name())
		}
	}
	// O_APPEND and O_CLOEXEC as the guest sees them afterwards.
	fd := e.open(file, linux.O_WRONLY|linux.O_APPEND|linux.O_CLOEXEC)
	if fl := e.ok(linux.SYS_FCNTL, fd, linux.F_GETFL); fl != linux.O_WRONLY|linux.O_APPEND|linux.O_LARGEFILE {
		t.Errorf("F_GETFL %#x", fl)
	}
	if fd := e.ok(linux.SYS_FCNTL, fd, linux.F_GETFD); fd != linux.FD_CLOEXEC {
		t.Errorf("F_GETFD %d", fd)
	}
	// creat truncates and creates with the mode (minus umask).
	nf := filepath.Join(dir, "new")
	e.ok(linux.SYS_CREAT, e.str(nf), 0o640)
	if st, err := os.Stat(nf); err != nil || st.Mode().Perm()&^0o640 != 0 {
		t.Errorf("creat: %v %v", st, err)
	}
}

func TestReadlinkAndProcSelf(t *testing.T) {
	e := newEnvCfg(t, Config{Exe: "/opt/guest/prog", Args: []string{"prog", "a b"}, Env: []string{"X=1"}, Auxv: []byte{6, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0}})
	buf := e.alloc(256)
	for _, p := range []string{"/proc/self/exe", "/proc/" + strconv.Itoa(os.Getpid()) + "/exe", "/proc/thread-self/exe"} {
		n := e.ok(linux.SYS_READLINK, e.str(p), buf, 256)
		if got := string(e.peek(buf, int(n))); got != "/opt/guest/prog" {
			t.Errorf("readlink %s = %q", p, got)
		}
	}
	if n := e.ok(linux.SYS_READLINKAT, fdcwd, e.str("/proc/self/exe"), buf, 4); n != 4 || string(e.peek(buf, 4)) != "/opt" {
		t.Errorf("truncated readlink %d %q", n, e.peek(buf, 4))
	}
	dir := t.TempDir()
	link := filepath.Join(dir, "l")
	os.Symlink("some/target", link)
	if n := e.ok(linux.SYS_READLINK, e.str(link), buf, 256); string(e.peek(buf, int(n))) != "some/target" {
		t.Errorf("readlink %q", e.peek(buf, int(n)))
	}
	if got := e.errno(linux.SYS_READLINK, e.str(link), roPage, 256); got != linux.EFAULT {
		t.Errorf("readlink into a read-only page: %v", got)
	}
	file := filepath.Join(dir, "f")
	os.WriteFile(file, nil, 0o600)
	fd := e.open(file, linux.O_RDONLY)
	n := e.ok(linux.SYS_READLINK, e.str("/proc/self/fd/"+strconv.Itoa(int(fd))), buf, 256)
	if got := string(e.peek(buf, int(n))); got != file {
		t.Errorf("/proc/self/fd/%d -> %q, want %q", fd, got, file)
	}
	if got := e.errno(linux.SYS_READLINK, e.str("/proc/self/fd/77"), buf, 256); got != linux.ENOENT {
		t.Errorf("link of a closed fd: %v", got)
	}

	read := func(path string) string {
		fd := e.open(path, linux.O_RDONLY)
		defer e.ok(linux.SYS_CLOSE, fd)
		b := e.alloc(4096)
		n := e.ok(linux.SYS_READ, fd, b, 4096)
		return string(e.peek(b, int(n)))
	}
	if got := read("/proc/self/cmdline"); got != "prog\x00a b\x00" {
		t.Errorf("cmdline %q", got)
	}
	// Opened read-only, as the real file would be (native F_GETFL 0x8000).
	cfd := e.open("/proc/self/cmdline", linux.O_RDONLY)
	if fl := e.ok(linux.SYS_FCNTL, cfd, linux.F_GETFL); fl != linux.O_LARGEFILE {
		t.Errorf("F_GETFL of /proc/self/cmdline %#x", fl)
	}
	if got := read("/proc/self/environ"); got != "X=1\x00" {
		t.Errorf("environ %q", got)
	}
	if got := read("/proc/self/auxv"); got != string(e.p.cfg.Auxv) {
		t.Errorf("auxv %q", got)
	}
	if got, want := read("/proc/self/maps"), "00100000-00200000 rw-p 00000000 00:00 0 \n00200000-00201000 r--p 00000000 00:00 0 \n"; got != want {
		t.Errorf("maps:\n%q\nwant\n%q", got, want)
	}
	// stat follows /proc/self/exe to the guest program.
	e2 := newEnvCfg(t, Config{Exe: file})
	st := e2.alloc(linux.SizeofStat)
	e2.ok(linux.SYS_STAT, e2.str("/proc/self/exe"), st)
	var h unix.Stat_t
	unix.Stat(file, &h)
	if decodeStat(e2, st).Ino != uint64(h.Ino) {
		t.Errorf("stat /proc/self/exe is not the guest program")
	}
}

func TestFormatMaps(t *testing.T) {
	// Lines as the host's /proc/self/maps prints them (cat /proc/self/maps).
	const r, rw, rwx = mmu.PermRead, mmu.PermRead | mmu.PermWrite, mmu.PermRead | mmu.PermWrite | mmu.PermExec
	regions := []mmu.Region{
		{Start: 0x563d0b783000, End: 0x563d0b785000, Perm: r, Offset: 0, Dev: unix.Mkdev(0xfe, 0), Inode: 247026, Name: "/usr/bin/cat"},
		{Start: 0x563d2e345000, End: 0x563d2e366000, Perm: rw, Name: "[heap]"},
		{Start: 0x7f444b237000, End: 0x7f444b2fb000, Perm: rw},
		{Start: 0x7f0000000000, End: 0x7f0000001000, Perm: rwx, Shared: true, Offset: 0x2000, Dev: unix.Mkdev(0, 0x1a), Inode: 5, Name: "/dev/shm/x"},
	}
	want := "563d0b783000-563d0b785000 r--p 00000000 fe:00 247026                     /usr/bin/cat\n" +
		"563d2e345000-563d2e366000 rw-p 00000000 00:00 0                          [heap]\n" +
		"7f444b237000-7f444b2fb000 rw-p 00000000 00:00 0 \n" +
		"7f0000000000-7f0000001000 rwxs 00002000 00:1a 5                          /dev/shm/x\n"
	if got := string(formatMaps(regions)); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestDirectoryOps(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	p := func(s string) uint64 { return e.str(filepath.Join(dir, s)) }
	e.ok(linux.SYS_MKDIR, p("d"), 0o755)
	if got := e.errno(linux.SYS_MKDIR, p("d"), 0o755); got != linux.EEXIST {
		t.Errorf("mkdir twice: %v", got)
	}
	dfd := e.open(dir, linux.O_RDONLY|linux.O_DIRECTORY)
	e.ok(linux.SYS_MKDIRAT, dfd, e.str("d2"), 0o700)
	if st, err := os.Stat(filepath.Join(dir, "d2")); err != nil || !st.IsDir() {
		t.Fatalf("mkdirat: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "a"), []byte("A"), 0o600)
	os.WriteFile(filepath.Join(dir, "b"), []byte("B"), 0o600)
	if got := e.errno(linux.SYS_RENAMEAT2, dfd, e.str("a"), dfd, e.str("b"), linux.RENAME_NOREPLACE); got != linux.EEXIST {
		t.Errorf("RENAME_NOREPLACE onto a file: %v", got)
	}
	e.ok(linux.SYS_RENAMEAT2, dfd, e.str("a"), dfd, e.str("b"), linux.RENAME_EXCHANGE)
	if b, _ := os.ReadFile(filepath.Join(dir, "b")); string(b) != "A" {
		t.Errorf("RENAME_EXCHANGE: b holds %q", b)
	}
	e.ok(linux.SYS_RENAME, p("a"), p("c"))
	e.ok(linux.SYS_RENAMEAT, dfd, e.str("c"), fdcwd, p("e"))
	e.ok(linux.SYS_LINK, p("e"), p("hard"))
	e.ok(linux.SYS_SYMLINK, e.str("e"), p("soft"))
	e.ok(linux.SYS_SYMLINKAT, e.str("b"), dfd, e.str("soft2"))
	e.ok(linux.SYS_LINKAT, dfd, e.str("soft"), dfd, e.str("hard2"), linux.AT_SYMLINK_FOLLOW)
	if b, _ := os.ReadFile(filepath.Join(dir, "hard2")); string(b) != "B" {
		t.Errorf("linkat follow: %q", b)
	}
	if got := e.errno(linux.SYS_RMDIR, p("e")); got != linux.ENOTDIR {
		t.Errorf("rmdir of a file: %v", got)
	}
	if got := e.errno(linux.SYS_UNLINK, p("d")); got != linux.EISDIR {
		t.Errorf("unlink of a directory: %v", got)
	}
	e.ok(linux.SYS_RMDIR, p("d"))
	e.ok(linux.SYS_UNLINKAT, dfd, e.str("d2"), linux.AT_REMOVEDIR)
	e.ok(linux.SYS_UNLINK, p("hard"))
	e.ok(linux.SYS_UNLINKAT, dfd, e.str("hard2"), 0)

	e.ok(linux.SYS_CHMOD, p("e"), 0o604)
	if st, _ := os.Stat(filepath.Join(dir, "e")); st.Mode().Perm() != 0o604 {
		t.Errorf("chmod: %v", st.Mode())
	}
	fd := e.open(filepath.Join(dir, "e"), linux.O_RDWR)
	e.ok(linux.SYS_FCHMOD, fd, 0o600)
	e.ok(linux.SYS_FCHMODAT, dfd, e.str("e"), 0o644)
	if st, _ := os.Stat(filepath.Join(dir, "e")); st.Mode().Perm() != 0o644 {
		t.Errorf("fchmodat: %v", st.Mode())
	}
	e.ok(linux.SYS_FCHOWN, fd, neg(-1), neg(-1))
	e.ok(linux.SYS_FCHOWNAT, dfd, e.str("e"), uint64(os.Getuid()), neg(-1), 0)
	e.ok(linux.SYS_TRUNCATE, p("e"), 10)
	if st, _ := os.Stat(filepath.Join(dir, "e")); st.Size() != 10 {
		t.Errorf("truncate: %d", st.Size())
	}
	e.ok(linux.SYS_FTRUNCATE, fd, 3)
	if st, _ := os.Stat(filepath.Join(dir, "e")); st.Size() != 3 {
		t.Errorf("ftruncate: %d", st.Size())
	}
	e.ok(linux.SYS_FSYNC, fd)
	e.ok(linux.SYS_FDATASYNC, fd)

	e.ok(linux.SYS_ACCESS, p("e"), linux.R_OK|linux.W_OK)
	if got := e.errno(linux.SYS_ACCESS, p("missing"), linux.F_OK); got != linux.ENOENT {
		t.Errorf("access missing: %v", got)
	}
	e.ok(linux.SYS_FACCESSAT, dfd, e.str("e"), linux.R_OK)
	e.ok(linux.SYS_FACCESSAT2, dfd, e.str("soft"), linux.F_OK, linux.AT_SYMLINK_NOFOLLOW|linux.AT_EACCESS)
}

func TestGetdents64(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	var names []string
	for i := range 40 {
		n := "file-with-a-long-name-" + strconv.Itoa(i)
		names = append(names, n)
		os.WriteFile(filepath.Join(dir, n), nil, 0o600)
	}
	names = append(names, ".", "..")
	slices.Sort(names)
	list := func(buf uint64, size uint64) []string {
		fd := e.open(dir, linux.O_RDONLY|linux.O_DIRECTORY)
		defer e.ok(linux.SYS_CLOSE, fd)
		var got []string
		for {
			n := e.ok(linux.SYS_GETDENTS64, fd, buf, size)
			if n == 0 {
				break
			}
			b := e.peek(buf, int(n))
			for off := 0; off < len(b); {
				var d linux.Dirent64
				d.Decode(b[off:])
				got = append(got, linux.CString(b[off+linux.SizeofDirent64Header:off+int(d.Reclen)]))
				off += int(d.Reclen)
			}
		}
		slices.Sort(got)
		return got
	}
	if got := list(e.alloc(4096), 4096); !slices.Equal(got, names) {
		t.Errorf("getdents64: %v", got)
	}
	// A buffer whose end is read-only: only whole records that land count,
	// and the next call resumes after them, so no name is lost.
	if got := list(roPage-100, 4096); !slices.Equal(got, names) {
		t.Errorf("getdents64 with a faulting tail: %v", got)
	}
	if got := e.errno(linux.SYS_GETDENTS64, e.open(dir, linux.O_RDONLY), roPage, 4096); got != linux.EFAULT {
		t.Errorf("read-only buffer: %v", got)
	}
	if got := e.errno(linux.SYS_GETDENTS64, e.open(dir, linux.O_RDONLY), e.alloc(8), 8); got != linux.EINVAL {
		t.Errorf("tiny buffer: %v", got)
	}
	f := filepath.Join(dir, names[5])
	if got := e.errno(linux.SYS_GETDENTS64, e.open(f, linux.O_RDONLY), e.alloc(512), 512); got != linux.ENOTDIR {
		t.Errorf("getdents64 on a file: %v", got)
	}
}

func TestCwdAndUmask(t *testing.T) {
	orig, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(orig) // restores the test process's cwd afterwards
	e := newEnv(t)
	dir, _ := filepath.EvalSymlinks(t.TempDir())
	buf := e.alloc(4096)
	n := e.ok(linux.SYS_GETCWD, buf, 4096)
	if got := string(e.peek(buf, int(n))); got != orig+"\x00" {
		t.Errorf("getcwd %q (len %d), want %q", got, n, orig)
	}
	e.ok(linux.SYS_CHDIR, e.str(dir))
	n = e.ok(linux.SYS_GETCWD, buf, 4096)
	if got := string(e.peek(buf, int(n))); got != dir+"\x00" {
		t.Errorf("after chdir: %q", got)
	}
	os.WriteFile(filepath.Join(dir, "rel"), []byte("r"), 0o600)
	e.open("rel", linux.O_RDONLY) // relative to the new cwd
	dfd := e.open("/", linux.O_RDONLY|linux.O_DIRECTORY)
	e.ok(linux.SYS_FCHDIR, dfd)
	if wd, _ := os.Getwd(); wd != "/" {
		t.Errorf("fchdir: host cwd %q", wd)
	}
	if got := e.errno(linux.SYS_GETCWD, roPage, 4096); got != linux.EFAULT {
		t.Errorf("getcwd into a read-only page: %v", got)
	}

	old := unix.Umask(0o022)
	defer unix.Umask(old)
	if prev := e.ok(linux.SYS_UMASK, 0o077); prev != 0o022 {
		t.Errorf("umask returned %o", prev)
	}
	if prev := e.ok(linux.SYS_UMASK, 0o7777); prev != 0o077 {
		t.Errorf("umask returned %o", prev)
	}
	if cur := unix.Umask(0o022); cur != 0o777 {
		t.Errorf("umask kept %o, want 0777", cur)
	}
}
