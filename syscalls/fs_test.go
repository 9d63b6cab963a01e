package syscalls

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
)

const atFDCWD = uint64(1<<64 - 100)

func (e *env) openHow(flags, mode, resolve uint64, size int) uint64 {
	b := make([]byte, size)
	h := linux.OpenHow{Flags: flags, Mode: mode, Resolve: resolve}
	h.Encode(b)
	a := e.alloc(size)
	e.poke(a, b)
	return a
}

func TestOpenat2(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644)
	os.Symlink("/etc/passwd", filepath.Join(dir, "out"))
	d := e.open(dir, linux.O_RDONLY|linux.O_DIRECTORY)
	path := e.str("f")
	ok := e.ok(linux.SYS_OPENAT2, d, path, e.openHow(linux.O_RDONLY|linux.O_CLOEXEC, 0, 0, 24), 24)
	if fl := e.ok(linux.SYS_FCNTL, ok, linux.F_GETFD); fl != linux.FD_CLOEXEC {
		t.Errorf("O_CLOEXEC: %d", fl)
	}
	// A larger struct with zero padding is accepted.
	e.ok(linux.SYS_OPENAT2, d, path, e.openHow(0, 0, 0, 64), 64)
	big := e.openHow(0, 0, 0, 64)
	e.poke(big+40, []byte{1})
	cases := []struct {
		name string
		args []uint64
		want linux.Errno
	}{
		{"size 23", []uint64{d, path, e.openHow(0, 0, 0, 24), 23}, linux.EINVAL},
		{"size beyond a page", []uint64{d, path, e.openHow(0, 0, 0, 24), 4097}, linux.E2BIG},
		{"unknown trailing field", []uint64{d, path, big, 64}, linux.E2BIG},
		{"unknown flag", []uint64{d, path, e.openHow(1<<40, 0, 0, 24), 24}, linux.EINVAL},
		{"mode without O_CREAT", []uint64{d, path, e.openHow(0, 0o644, 0, 24), 24}, linux.EINVAL},
		{"bad mode bits", []uint64{d, path, e.openHow(linux.O_CREAT, 0o10000, 0, 24), 24}, linux.EINVAL},
		{"BENEATH and IN_ROOT", []uint64{d, path, e.openHow(0, 0, linux.RESOLVE_BENEATH|linux.RESOLVE_IN_ROOT, 24), 24}, linux.EINVAL},
		{"unknown resolve", []uint64{d, path, e.openHow(0, 0, 0x40, 24), 24}, linux.EINVAL},
		{"BENEATH escapes", []uint64{d, e.str("../x"), e.openHow(0, 0, linux.RESOLVE_BENEATH, 24), 24}, linux.EXDEV},
		{"NO_SYMLINKS", []uint64{d, e.str("out"), e.openHow(0, 0, linux.RESOLVE_NO_SYMLINKS, 24), 24}, linux.ELOOP},
		{"CACHED with O_CREAT", []uint64{d, path, e.openHow(linux.O_CREAT, 0, linux.RESOLVE_CACHED, 24), 24}, linux.EAGAIN},
		{"bad struct", []uint64{d, path, badAddr, 24}, linux.EFAULT},
		{"flags checked before the path", []uint64{d, badAddr, e.openHow(1<<40, 0, 0, 24), 24}, linux.EINVAL},
	}
	for _, c := range cases {
		if got := e.errno(linux.SYS_OPENAT2, c.args...); got != c.want {
			t.Errorf("openat2 %s: %v, want %v", c.name, got.Name(), c.want.Name())
		}
	}
}

// TestStatfs compares statfs and fstatfs with the host's answer.
func TestStatfs(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	var want unix.Statfs_t
	if err := unix.Statfs(dir, &want); err != nil {
		t.Fatal(err)
	}
	buf := e.alloc(linux.SizeofStatfs)
	e.ok(linux.SYS_STATFS, e.str(dir), buf)
	var got linux.Statfs
	got.Decode(e.peek(buf, linux.SizeofStatfs))
	if got.Type != int64(want.Type) || got.Bsize != int64(want.Bsize) || got.Blocks != uint64(want.Blocks) ||
		got.Namelen != int64(want.Namelen) || got.Flags != int64(want.Flags) {
		t.Errorf("statfs %+v, host %+v", got, want)
	}
	fd := e.open(dir, linux.O_RDONLY)
	e.ok(linux.SYS_FSTATFS, fd, buf)
	got.Decode(e.peek(buf, linux.SizeofStatfs))
	if got.Type != int64(want.Type) || got.Fsid != [2]int32{want.Fsid.Val[0], want.Fsid.Val[1]} {
		t.Errorf("fstatfs %+v", got)
	}
	if got := e.errno(linux.SYS_STATFS, e.str(dir+"/missing"), buf); got != linux.ENOENT {
		t.Errorf("missing: %v", got.Name())
	}
}

func TestUtimes(t *testing.T) {
	e := newEnv(t)
	path := filepath.Join(t.TempDir(), "f")
	os.WriteFile(path, nil, 0o644)
	ts := func(v ...int64) uint64 {
		var b []byte
		for _, x := range v {
			b = le.AppendUint64(b, uint64(x))
		}
		a := e.alloc(len(b))
		e.poke(a, b)
		return a
	}
	stat := func() (atime, mtime unix.Timespec) {
		var st unix.Stat_t
		unix.Stat(path, &st)
		return st.Atim, st.Mtim
	}
	e.ok(linux.SYS_UTIMENSAT, atFDCWD, e.str(path), ts(100, 5, 200, 6), 0)
	if a, m := stat(); a.Sec != 100 || a.Nsec != 5 || m.Sec != 200 || m.Nsec != 6 {
		t.Errorf("utimensat: %v %v", a, m)
	}
	// UTIME_OMIT keeps a time; a NULL path with a descriptor sets its file.
	fd := e.open(path, linux.O_RDONLY)
	e.ok(linux.SYS_UTIMENSAT, fd, 0, ts(300, 0, 0, linux.UTIME_OMIT), 0)
	if a, m := stat(); a.Sec != 300 || m.Sec != 200 {
		t.Errorf("UTIME_OMIT via fd: %v %v", a, m)
	}
	e.ok(linux.SYS_UTIMES, e.str(path), ts(400, 7, 500, 8))
	if a, m := stat(); a.Sec != 400 || a.Nsec != 7000 || m.Sec != 500 || m.Nsec != 8000 {
		t.Errorf("utimes: %v %v", a, m)
	}
	e.ok(linux.SYS_UTIME, e.str(path), ts(600, 700))
	if a, m := stat(); a.Sec != 600 || m.Sec != 700 {
		t.Errorf("utime: %v %v", a, m)
	}
	for _, c := range []struct {
		name string
		nr   linux.Sysno
		args []uint64
		want linux.Errno
	}{
		{"nsec out of range", linux.SYS_UTIMENSAT, []uint64{atFDCWD, e.str(path), ts(0, 1e9, 0, 0), 0}, linux.EINVAL},
		{"bad flags", linux.SYS_UTIMENSAT, []uint64{atFDCWD, e.str(path), 0, 1}, linux.EINVAL},
		{"NULL path, AT_FDCWD", linux.SYS_UTIMENSAT, []uint64{atFDCWD, 0, 0, 0}, linux.EFAULT},
		{"NULL path, NOFOLLOW", linux.SYS_UTIMENSAT, []uint64{fd, 0, 0, linux.AT_SYMLINK_NOFOLLOW}, linux.EINVAL},
		{"usec out of range", linux.SYS_UTIMES, []uint64{e.str(path), ts(0, 1e6, 0, 0)}, linux.EINVAL},
	} {
		if got := e.errno(c.nr, c.args...); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got.Name(), c.want.Name())
		}
	}
}

func TestMknodFallocateSync(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	e.ok(linux.SYS_MKNOD, e.str(dir+"/fifo"), linux.S_IFIFO|0o600, 0)
	if fi, err := os.Lstat(dir + "/fifo"); err != nil || fi.Mode()&os.ModeNamedPipe == 0 || fi.Mode().Perm() != 0o600 {
		t.Errorf("mknod fifo: %v %v", fi.Mode(), err)
	}
	d := e.open(dir, linux.O_RDONLY)
	e.ok(linux.SYS_MKNODAT, d, e.str("reg"), linux.S_IFREG|0o640, 0)
	if fi, err := os.Lstat(dir + "/reg"); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("mknodat regular: %v", err)
	}
	fd := e.open(dir+"/reg", linux.O_RDWR)
	e.ok(linux.SYS_FALLOCATE, fd, 0, 0, 8192)
	if fi, _ := os.Stat(dir + "/reg"); fi.Size() != 8192 {
		t.Errorf("fallocate size %d", fi.Size())
	}
	e.ok(linux.SYS_FALLOCATE, fd, linux.FALLOC_FL_KEEP_SIZE, 8192, 4096)
	if fi, _ := os.Stat(dir + "/reg"); fi.Size() != 8192 {
		t.Errorf("FALLOC_FL_KEEP_SIZE changed the size: %d", fi.Size())
	}
	e.ok(linux.SYS_SYNC_FILE_RANGE, fd, 0, 0, linux.SYNC_FILE_RANGE_WRITE)
	e.ok(linux.SYS_SYNCFS, fd)
	e.ok(linux.SYS_SYNC)
	e.ok(linux.SYS_FADVISE64, fd, 0, 0, 4) // POSIX_FADV_DONTNEED
	if got := e.errno(linux.SYS_FADVISE64, fd, 0, 0, 99); got != linux.EINVAL {
		t.Errorf("bad advice: %v", got.Name())
	}
	r, _ := e.pipe()
	if got := e.errno(linux.SYS_FADVISE64, r, 0, 0, 0); got != linux.ESPIPE {
		t.Errorf("fadvise on a pipe: %v", got.Name())
	}
	e.ok(linux.SYS_READAHEAD, fd, 0, 4096)
	e.ok(linux.SYS_FCHMODAT2, d, e.str("reg"), 0o600, 0)
	if fi, _ := os.Stat(dir + "/reg"); fi.Mode().Perm() != 0o600 {
		t.Errorf("fchmodat2: %v", fi.Mode())
	}
	if got := e.errno(linux.SYS_FCHMODAT2, d, e.str("reg"), 0o600, 1); got != linux.EINVAL {
		t.Errorf("fchmodat2 bad flags: %v", got.Name())
	}
}

// TestCopies moves data between descriptors without guest buffers.
func TestCopies(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	os.WriteFile(dir+"/src", []byte("0123456789"), 0o644)
	src := e.open(dir+"/src", linux.O_RDONLY)
	dst := e.open(dir+"/dst", linux.O_RDWR|linux.O_CREAT)
	off := e.alloc(8)
	e.poke(off, le.AppendUint64(nil, 2))
	if n := e.ok(linux.SYS_COPY_FILE_RANGE, src, off, dst, 0, 5, 0); n != 5 || e.u64(off) != 7 {
		t.Errorf("copy_file_range %d, offset %d", n, e.u64(off))
	}
	if got := e.errno(linux.SYS_COPY_FILE_RANGE, src, 0, dst, 0, 5, 1); got != linux.EINVAL {
		t.Errorf("copy_file_range flags: %v", got.Name())
	}
	r, w := e.pipe()
	e.poke(off, le.AppendUint64(nil, 0))
	if n := e.ok(linux.SYS_SENDFILE, w, src, off, 4); n != 4 || e.u64(off) != 4 {
		t.Errorf("sendfile %d, offset %d", n, e.u64(off))
	}
	if got := e.errno(linux.SYS_SENDFILE, w, src, badAddr, 4); got != linux.EFAULT {
		t.Errorf("sendfile bad offset: %v", got.Name())
	}
	r2, w2 := e.pipe()
	if n := e.ok(linux.SYS_TEE, r, w2, 100, 0); n != 4 {
		t.Errorf("tee %d", n)
	}
	if n := e.ok(linux.SYS_SPLICE, r, 0, dst, 0, 100, 0); n != 4 {
		t.Errorf("splice %d", n)
	}
	buf := e.alloc(16)
	if n := e.ok(linux.SYS_READ, r2, buf, 16); string(e.peek(buf, int(n))) != "0123" {
		t.Errorf("tee'd data %q", e.peek(buf, int(n)))
	}
	if b, _ := os.ReadFile(dir + "/dst"); string(b) != "234560123" {
		t.Errorf("dst %q", b)
	}
	if n := e.ok(linux.SYS_SPLICE, r, 0, dst, 0, 0, 0); n != 0 {
		t.Errorf("zero-length splice %d", n)
	}
	if got := e.errno(linux.SYS_SPLICE, r, 0, dst, 0, 1, 0x100); got != linux.EINVAL {
		t.Errorf("splice flags: %v", got.Name())
	}
}

// TestGetdentsOld reads a directory with the old getdents and checks the
// linux_dirent layout: d_type in the record's last byte.
func TestGetdentsOld(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	os.WriteFile(dir+"/file", nil, 0o644)
	os.Mkdir(dir+"/sub", 0o755)
	fd := e.open(dir, linux.O_RDONLY|linux.O_DIRECTORY)
	buf := e.alloc(4096)
	n := e.ok(linux.SYS_GETDENTS, fd, buf, 4096)
	b := e.peek(buf, int(n))
	types := map[string]byte{}
	for off := 0; off < len(b); {
		reclen := int(le.Uint16(b[off+16:]))
		name := linux.CString(b[off+18 : off+reclen])
		types[name] = b[off+reclen-1]
		off += reclen
	}
	names := make([]string, 0, len(types))
	for k := range types {
		names = append(names, k)
	}
	sort.Strings(names)
	if len(names) != 4 || types["file"] != dtReg || types["sub"] != dtDir || types["."] != dtDir {
		t.Errorf("entries %v %v", names, types)
	}
	if n := e.ok(linux.SYS_GETDENTS, fd, buf, 4096); n != 0 {
		t.Errorf("second read %d", n)
	}
}
