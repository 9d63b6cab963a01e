package syscalls

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
	"gemu/mmu"
)

// hostFDs counts the test process's open descriptors.
func hostFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd:", err)
	}
	return len(ents)
}

func TestCloseReleasesHostFDs(t *testing.T) {
	before := hostFDs(t)
	mem := mmu.NewSpace()
	defer mem.Close()
	mem.Map(mmu.Mapping{Addr: scratch, Length: scratchSize, Perm: mmu.PermRead | mmu.PermWrite, Fixed: true})
	p, err := NewProcess(Config{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}, mem)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, p: p, mem: mem, regs: &fakeRegs{}, next: scratch}
	e.open(t.TempDir(), linux.O_RDONLY)
	e.ok(linux.SYS_PIPE2, e.alloc(8), 0)
	e.ok(linux.SYS_DUP2, 0, 100)
	if during := hostFDs(t); during != before+7 {
		t.Errorf("%d host fds while running, want %d", during, before+7)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if after := hostFDs(t); after != before {
		t.Errorf("%d host fds after Close, want %d", after, before)
	}
}

func TestHostFDsAboveBase(t *testing.T) {
	e := newEnv(t)
	fd := e.open("/", linux.O_RDONLY)
	if h := e.p.fds.get(int32(fd)).fd; h < hostFDBase {
		t.Errorf("guest fd %d is host fd %d, below %d", fd, h, hostFDBase)
	}
}

func TestDupFamily(t *testing.T) {
	e := newEnv(t)
	path := filepath.Join(t.TempDir(), "f")
	fd := e.open(path, linux.O_RDWR|linux.O_CREAT)
	d := e.ok(linux.SYS_DUP, fd)
	if d != fd+1 {
		t.Errorf("dup gave %d", d)
	}
	// A dup shares the file offset.
	e.ok(linux.SYS_WRITE, fd, e.str("abcdef"), 6)
	if off := e.ok(linux.SYS_LSEEK, d, 0, linux.SEEK_CUR); off != 6 {
		t.Errorf("dup's offset %d", off)
	}
	// dup2 onto an open fd replaces it; the old file is closed.
	other := e.open("/", linux.O_RDONLY)
	if got := e.ok(linux.SYS_DUP2, fd, other); got != other {
		t.Errorf("dup2 returned %d", got)
	}
	if off := e.ok(linux.SYS_LSEEK, other, 0, linux.SEEK_CUR); off != 6 {
		t.Errorf("dup2 target offset %d", off)
	}
	if got := e.ok(linux.SYS_DUP2, fd, fd); got != fd {
		t.Errorf("dup2(fd, fd) = %d", got)
	}
	e.ok(linux.SYS_DUP3, fd, 20, linux.O_CLOEXEC)
	if fl := e.ok(linux.SYS_FCNTL, 20, linux.F_GETFD); fl != linux.FD_CLOEXEC {
		t.Errorf("dup3 O_CLOEXEC: F_GETFD %d", fl)
	}
	if fl := e.ok(linux.SYS_FCNTL, e.ok(linux.SYS_DUP, 20), linux.F_GETFD); fl != 0 {
		t.Errorf("dup keeps FD_CLOEXEC: %d", fl)
	}
	if got := e.ok(linux.SYS_FCNTL, fd, linux.F_DUPFD, 10); got != 10 {
		t.Errorf("F_DUPFD 10 gave %d", got)
	}
	if got := e.ok(linux.SYS_FCNTL, fd, linux.F_DUPFD_CLOEXEC, 10); got != 11 {
		t.Errorf("F_DUPFD_CLOEXEC 10 gave %d", got)
	}
	if fl := e.ok(linux.SYS_FCNTL, 11, linux.F_GETFD); fl != linux.FD_CLOEXEC {
		t.Errorf("F_DUPFD_CLOEXEC: F_GETFD %d", fl)
	}
	e.ok(linux.SYS_FCNTL, 11, linux.F_SETFD, 0)
	e.ok(linux.SYS_IOCTL, 10, linux.FIOCLEX)
	if a, b := e.ok(linux.SYS_FCNTL, 11, linux.F_GETFD), e.ok(linux.SYS_FCNTL, 10, linux.F_GETFD); a != 0 || b != 1 {
		t.Errorf("F_SETFD/FIOCLEX: %d %d", a, b)
	}
	e.ok(linux.SYS_IOCTL, 10, linux.FIONCLEX)
	if b := e.ok(linux.SYS_FCNTL, 10, linux.F_GETFD); b != 0 {
		t.Errorf("FIONCLEX: %d", b)
	}
	if q := e.ok(linux.SYS_FCNTL, fd, linux.F_DUPFD_QUERY, 10); q != 1 {
		t.Errorf("F_DUPFD_QUERY of a dup: %d", q)
	}
}

func TestRlimitNofile(t *testing.T) {
	e := newEnv(t)
	lim := e.alloc(16)
	e.poke(lim, le.AppendUint64(le.AppendUint64(nil, 5), 5))
	e.ok(linux.SYS_SETRLIMIT, linux.RLIMIT_NOFILE, lim)
	a, b := e.open("/", linux.O_RDONLY), e.open("/", linux.O_RDONLY)
	if a != 3 || b != 4 {
		t.Fatalf("fds %d %d", a, b)
	}
	checks := []struct {
		what string
		got  linux.Errno
		want linux.Errno
	}{
		{"open", e.errno(linux.SYS_OPEN, e.str("/"), 0), linux.EMFILE},
		{"dup", e.errno(linux.SYS_DUP, 0), linux.EMFILE},
		{"pipe", e.errno(linux.SYS_PIPE, e.alloc(8)), linux.EMFILE},
		{"F_DUPFD at the limit", e.errno(linux.SYS_FCNTL, 0, linux.F_DUPFD, 5), linux.EINVAL},
		{"dup2 at the limit", e.errno(linux.SYS_DUP2, 0, 5), linux.EBADF},
		{"poll over the limit", e.errno(linux.SYS_POLL, e.alloc(48), 6, 0), linux.EINVAL},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %v, want %v", c.what, c.got.Name(), c.want.Name())
		}
	}
	e.ok(linux.SYS_CLOSE, 3)
	if got := e.ok(linux.SYS_DUP2, 4, 3); got != 3 {
		t.Errorf("dup2 below the limit %d", got)
	}
}

func TestPipes(t *testing.T) {
	e := newEnv(t)
	fds := e.alloc(8)
	e.ok(linux.SYS_PIPE2, fds, linux.O_NONBLOCK|linux.O_CLOEXEC)
	r, w := uint64(e.u32(fds)), uint64(e.u32(fds+4))
	if r != 3 || w != 4 {
		t.Fatalf("pipe fds %d %d", r, w)
	}
	if fl := e.ok(linux.SYS_FCNTL, r, linux.F_GETFL); fl != linux.O_NONBLOCK {
		t.Errorf("read end F_GETFL %#x", fl)
	}
	if fl := e.ok(linux.SYS_FCNTL, w, linux.F_GETFD); fl != linux.FD_CLOEXEC {
		t.Errorf("F_GETFD %d", fl)
	}
	buf := e.alloc(64)
	if got := e.errno(linux.SYS_READ, r, buf, 64); got != linux.EAGAIN {
		t.Errorf("empty non-blocking read: %v", got)
	}
	e.ok(linux.SYS_WRITE, w, e.str("ping"), 4)
	cnt := e.alloc(4)
	e.ok(linux.SYS_IOCTL, r, linux.FIONREAD, cnt)
	if n := e.u32(cnt); n != 4 {
		t.Errorf("FIONREAD %d", n)
	}
	if n := e.ok(linux.SYS_READ, r, buf, 64); n != 4 || string(e.peek(buf, 4)) != "ping" {
		t.Errorf("read %d %q", n, e.peek(buf, 4))
	}
	// FIONBIO 0 makes the read end blocking again; F_SETFL sets it back.
	zero := e.alloc(4)
	e.ok(linux.SYS_IOCTL, r, linux.FIONBIO, zero)
	if fl := e.ok(linux.SYS_FCNTL, r, linux.F_GETFL); fl != 0 {
		t.Errorf("after FIONBIO 0: %#x", fl)
	}
	e.ok(linux.SYS_FCNTL, r, linux.F_SETFL, linux.O_NONBLOCK|linux.O_CREAT)
	if fl := e.ok(linux.SYS_FCNTL, r, linux.F_GETFL); fl != linux.O_NONBLOCK {
		t.Errorf("F_SETFL ignores O_CREAT: %#x", fl)
	}
	if sz := e.ok(linux.SYS_FCNTL, w, linux.F_GETPIPE_SZ); sz == 0 {
		t.Errorf("F_GETPIPE_SZ %d", sz)
	}
	// A failed pipe2 leaves no descriptors behind.
	if got := e.errno(linux.SYS_PIPE2, roPage, 0); got != linux.EFAULT {
		t.Errorf("pipe2 into a read-only page: %v", got)
	}
	if fd := e.open("/", linux.O_RDONLY); fd != 5 {
		t.Errorf("next fd %d, want 5", fd)
	}
}

// TestBrokenPipe checks EPIPE with SIGPIPE: the default action kills.
func TestBrokenPipe(t *testing.T) {
	e := newEnv(t)
	fds := e.alloc(8)
	e.ok(linux.SYS_PIPE, fds)
	e.ok(linux.SYS_CLOSE, uint64(e.u32(fds)))
	if got := e.errno(linux.SYS_WRITE, uint64(e.u32(fds+4)), e.str("x"), 1); got != linux.EPIPE {
		t.Errorf("write: %v", got)
	}
	if e.out != (Outcome{Kind: Killed, Signal: linux.SIGPIPE}) {
		t.Errorf("outcome %+v, want killed by SIGPIPE", e.out)
	}
}

func TestRecordLocks(t *testing.T) {
	e := newEnv(t)
	path := filepath.Join(t.TempDir(), "lock")
	a := e.open(path, linux.O_RDWR|linux.O_CREAT)
	b := e.open(path, linux.O_RDWR)
	fl := e.alloc(linux.SizeofFlock)
	put := func(typ int16, start, length int64) {
		f := linux.Flock{Type: typ, Whence: linux.SEEK_SET, Start: start, Len: length}
		var raw [linux.SizeofFlock]byte
		f.Encode(raw[:])
		e.poke(fl, raw[:])
	}
	get := func() linux.Flock {
		var f linux.Flock
		f.Decode(e.peek(fl, linux.SizeofFlock))
		return f
	}
	put(linux.F_WRLCK, 0, 10)
	e.ok(linux.SYS_FCNTL, a, linux.F_OFD_SETLK, fl)
	put(linux.F_RDLCK, 5, 1)
	e.ok(linux.SYS_FCNTL, b, linux.F_OFD_GETLK, fl)
	if f := get(); f.Type != linux.F_WRLCK || f.Start != 0 || f.Len != 10 || f.Pid != -1 {
		t.Errorf("OFD_GETLK sees %+v", f)
	}
	put(linux.F_RDLCK, 5, 1)
	if got := e.errno(linux.SYS_FCNTL, b, linux.F_OFD_SETLK, fl); got != linux.EAGAIN {
		t.Errorf("conflicting OFD lock: %v", got)
	}
	put(linux.F_UNLCK, 0, 10)
	e.ok(linux.SYS_FCNTL, a, linux.F_OFD_SETLK, fl)
	// POSIX locks of one process never conflict with each other.
	put(linux.F_WRLCK, 0, 0)
	e.ok(linux.SYS_FCNTL, b, linux.F_SETLK, fl)
	e.ok(linux.SYS_FCNTL, a, linux.F_GETLK, fl)
	if f := get(); f.Type != linux.F_UNLCK {
		t.Errorf("F_GETLK by the owner sees %+v", f)
	}
	put(7, 0, 0)
	if got := e.errno(linux.SYS_FCNTL, a, linux.F_SETLK, fl); got != linux.EINVAL {
		t.Errorf("bad lock type: %v", got)
	}
}

func TestTerminalIoctls(t *testing.T) {
	e := newEnv(t)
	r := e.call(linux.SYS_OPENAT, fdcwd, e.str("/dev/ptmx"), linux.O_RDWR|linux.O_NOCTTY)
	if r < 0 {
		t.Skip("no /dev/ptmx:", linux.Errno(-r))
	}
	fd := uint64(r)
	host := e.p.fds.get(int32(fd)).fd
	ht, err := unix.IoctlGetTermios(host, unix.TCGETS)
	if err != nil {
		t.Skip("ptmx has no termios:", err)
	}
	tb := e.alloc(linux.SizeofTermios)
	e.ok(linux.SYS_IOCTL, fd, linux.TCGETS, tb)
	var g linux.Termios
	g.Decode(e.peek(tb, linux.SizeofTermios))
	if g.Iflag != ht.Iflag || g.Oflag != ht.Oflag || g.Cflag != ht.Cflag || g.Lflag != ht.Lflag || g.Line != ht.Line || g.Cc != ht.Cc {
		t.Errorf("TCGETS %+v, host %+v", g, ht)
	}
	g.Lflag &^= unix.ECHO
	g.Cc[unix.VMIN] = 3
	var raw [linux.SizeofTermios]byte
	g.Encode(raw[:])
	e.poke(tb, raw[:])
	e.ok(linux.SYS_IOCTL, fd, linux.TCSETSW, tb)
	ht, _ = unix.IoctlGetTermios(host, unix.TCGETS)
	if ht.Lflag&unix.ECHO != 0 || ht.Cc[unix.VMIN] != 3 {
		t.Errorf("TCSETSW not applied: %+v", ht)
	}
	ws := e.alloc(linux.SizeofWinsize)
	var wraw [linux.SizeofWinsize]byte
	w := linux.Winsize{Row: 24, Col: 80, Xpixel: 640, Ypixel: 480}
	w.Encode(wraw[:])
	e.poke(ws, wraw[:])
	e.ok(linux.SYS_IOCTL, fd, linux.TIOCSWINSZ, ws)
	e.poke(ws, make([]byte, linux.SizeofWinsize))
	e.ok(linux.SYS_IOCTL, fd, linux.TIOCGWINSZ, ws)
	var got linux.Winsize
	got.Decode(e.peek(ws, linux.SizeofWinsize))
	if got != w {
		t.Errorf("TIOCGWINSZ %+v", got)
	}
	if hw, _ := unix.IoctlGetWinsize(host, unix.TIOCGWINSZ); hw.Row != 24 || hw.Col != 80 {
		t.Errorf("host winsize %+v", hw)
	}
	if got := e.errno(linux.SYS_IOCTL, fd, linux.TCGETS, roPage); got != linux.EFAULT {
		t.Errorf("TCGETS into a read-only page: %v", got)
	}
	if got := e.errno(linux.SYS_IOCTL, fd, linux.TCSETS, badAddr); got != linux.EFAULT {
		t.Errorf("TCSETS from a bad pointer on a tty: %v", got)
	}
}
