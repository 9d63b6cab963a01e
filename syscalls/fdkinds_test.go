package syscalls

import (
	"os"
	"path/filepath"
	"testing"

	"gemu/internal/abi/linux"
)

func (e *env) pipe() (r, w uint64) {
	e.t.Helper()
	fds := e.alloc(8)
	e.ok(linux.SYS_PIPE2, fds, 0)
	return uint64(e.u32(fds)), uint64(e.u32(fds + 4))
}

func TestEpoll(t *testing.T) {
	e := newEnv(t)
	if got := e.errno(linux.SYS_EPOLL_CREATE1, 1); got != linux.EINVAL {
		t.Errorf("epoll_create1(1): %v", got.Name())
	}
	if got := e.errno(linux.SYS_EPOLL_CREATE, 0); got != linux.EINVAL {
		t.Errorf("epoll_create(0): %v", got.Name())
	}
	ep := e.ok(linux.SYS_EPOLL_CREATE1, linux.EPOLL_CLOEXEC)
	if fl := e.ok(linux.SYS_FCNTL, ep, linux.F_GETFD); fl != linux.FD_CLOEXEC {
		t.Errorf("EPOLL_CLOEXEC: F_GETFD %d", fl)
	}
	r, w := e.pipe()
	ev := e.alloc(linux.SizeofEpollEvent)
	in := linux.EpollEvent{Events: linux.EPOLLIN, Data: 0x1122334455667788}
	b := make([]byte, linux.SizeofEpollEvent)
	in.Encode(b)
	e.poke(ev, b)
	e.ok(linux.SYS_EPOLL_CTL, ep, linux.EPOLL_CTL_ADD, r, ev)
	if got := e.errno(linux.SYS_EPOLL_CTL, ep, linux.EPOLL_CTL_ADD, r, ev); got != linux.EEXIST {
		t.Errorf("second ADD: %v", got.Name())
	}
	if got := e.errno(linux.SYS_EPOLL_CTL, ep, linux.EPOLL_CTL_ADD, ep, ev); got != linux.EINVAL {
		t.Errorf("epoll on itself: %v", got.Name())
	}
	if got := e.errno(linux.SYS_EPOLL_CTL, r, linux.EPOLL_CTL_ADD, w, ev); got != linux.EINVAL {
		t.Errorf("not an epoll fd: %v", got.Name())
	}
	out := e.alloc(4 * linux.SizeofEpollEvent)
	if n := e.ok(linux.SYS_EPOLL_WAIT, ep, out, 4, 0); n != 0 {
		t.Errorf("nothing ready: %d", n)
	}
	e.ok(linux.SYS_WRITE, w, e.str("x"), 1)
	if n := e.ok(linux.SYS_EPOLL_PWAIT, ep, out, 4, 1000, 0, 8); n != 1 {
		t.Fatalf("epoll_pwait %d", n)
	}
	var got linux.EpollEvent
	got.Decode(e.peek(out, linux.SizeofEpollEvent))
	if got.Events != linux.EPOLLIN || got.Data != in.Data {
		t.Errorf("event %+v, want %+v", got, in)
	}
	// epoll_pwait2 with a zero timespec, after DEL: nothing.
	e.ok(linux.SYS_EPOLL_CTL, ep, linux.EPOLL_CTL_DEL, r, 0)
	zero := e.alloc(16)
	if n := e.ok(linux.SYS_EPOLL_PWAIT2, ep, out, 4, zero, 0, 8); n != 0 {
		t.Errorf("after DEL: %d", n)
	}
	for _, c := range []struct {
		name string
		args []uint64
		want linux.Errno
	}{
		{"maxevents 0", []uint64{ep, out, 0, 0}, linux.EINVAL},
		{"bad fd", []uint64{99, out, 1, 0}, linux.EBADF},
		{"not epoll", []uint64{r, out, 1, 0}, linux.EINVAL},
		{"kernel address", []uint64{ep, kernelAddr, 1, 0}, linux.EFAULT},
	} {
		if got := e.errno(linux.SYS_EPOLL_WAIT, c.args...); got != c.want {
			t.Errorf("epoll_wait %s: %v, want %v", c.name, got.Name(), c.want.Name())
		}
	}
	if got := e.errno(linux.SYS_EPOLL_PWAIT, ep, out, 1, 0, zero, 4); got != linux.EINVAL {
		t.Errorf("epoll_pwait sigsetsize 4: %v", got.Name())
	}
}

func TestEventfd(t *testing.T) {
	e := newEnv(t)
	if got := e.errno(linux.SYS_EVENTFD2, 0, 0x10); got != linux.EINVAL {
		t.Errorf("bad flags: %v", got.Name())
	}
	fd := e.ok(linux.SYS_EVENTFD2, 3, linux.EFD_NONBLOCK|linux.EFD_SEMAPHORE)
	v := e.alloc(8)
	le.PutUint64(e.peek(v, 8), 0)
	e.poke(v, []byte{5, 0, 0, 0, 0, 0, 0, 0})
	e.ok(linux.SYS_WRITE, fd, v, 8) // counter 3 + 5
	for i := 0; i < 8; i++ {
		if n := e.ok(linux.SYS_READ, fd, v, 8); n != 8 || e.u64(v) != 1 {
			t.Fatalf("semaphore read %d: %d bytes, value %d", i, n, e.u64(v))
		}
	}
	if got := e.errno(linux.SYS_READ, fd, v, 8); got != linux.EAGAIN {
		t.Errorf("empty eventfd: %v", got.Name())
	}
	if got := e.errno(linux.SYS_READ, fd, v, 4); got != linux.EINVAL {
		t.Errorf("short read: %v", got.Name())
	}
	plain := e.ok(linux.SYS_EVENTFD, 7)
	e.ok(linux.SYS_READ, plain, v, 8)
	if e.u64(v) != 7 {
		t.Errorf("eventfd(7) reads %d", e.u64(v))
	}
}

func TestTimerfd(t *testing.T) {
	e := newEnv(t)
	fd := e.ok(linux.SYS_TIMERFD_CREATE, linux.CLOCK_MONOTONIC, linux.TFD_CLOEXEC)
	spec := e.alloc(linux.SizeofItimerspec)
	its := linux.Itimerspec{Value: linux.Timespec{Nsec: 2e6}, Interval: linux.Timespec{Sec: 10}}
	b := make([]byte, linux.SizeofItimerspec)
	its.Encode(b)
	e.poke(spec, b)
	old := e.alloc(linux.SizeofItimerspec)
	e.ok(linux.SYS_TIMERFD_SETTIME, fd, 0, spec, old)
	var o linux.Itimerspec
	o.Decode(e.peek(old, linux.SizeofItimerspec))
	if o != (linux.Itimerspec{}) {
		t.Errorf("old value of a new timer: %+v", o)
	}
	v := e.alloc(8)
	if n := e.ok(linux.SYS_READ, fd, v, 8); n != 8 || e.u64(v) != 1 {
		t.Errorf("expirations: %d bytes, %d", n, e.u64(v))
	}
	cur := e.alloc(linux.SizeofItimerspec)
	e.ok(linux.SYS_TIMERFD_GETTIME, fd, cur)
	o.Decode(e.peek(cur, linux.SizeofItimerspec))
	if o.Interval.Sec != 10 || o.Value.Sec > 10 || (o.Value.Sec == 0 && o.Value.Nsec == 0) {
		t.Errorf("gettime %+v", o)
	}
	its.Value.Nsec = 1e9 // invalid
	its.Encode(b)
	e.poke(spec, b)
	if got := e.errno(linux.SYS_TIMERFD_SETTIME, fd, 0, spec, 0); got != linux.EINVAL {
		t.Errorf("tv_nsec 1e9: %v", got.Name())
	}
	if got := e.errno(linux.SYS_TIMERFD_CREATE, linux.CLOCK_MONOTONIC, 1); got != linux.EINVAL {
		t.Errorf("bad create flags: %v", got.Name())
	}
}

func TestInotify(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	fd := e.ok(linux.SYS_INOTIFY_INIT1, linux.IN_NONBLOCK)
	wd := e.ok(linux.SYS_INOTIFY_ADD_WATCH, fd, e.str(dir), linux.IN_CREATE)
	buf := e.alloc(256)
	if got := e.errno(linux.SYS_READ, fd, buf, 256); got != linux.EAGAIN {
		t.Errorf("no event yet: %v", got.Name())
	}
	os.WriteFile(filepath.Join(dir, "new"), nil, 0o600)
	n := e.ok(linux.SYS_READ, fd, buf, 256)
	ev := e.peek(buf, int(n))
	if int(le.Uint32(ev[0:])) != int(wd) || le.Uint32(ev[4:]) != linux.IN_CREATE || linux.CString(ev[16:]) != "new" {
		t.Errorf("event % x", ev)
	}
	e.ok(linux.SYS_INOTIFY_RM_WATCH, fd, wd)
	for _, c := range []struct {
		name string
		args []uint64
		want linux.Errno
	}{
		{"no event bits", []uint64{fd, e.str(dir), 0}, linux.EINVAL},
		{"MASK_ADD with MASK_CREATE", []uint64{fd, e.str(dir), linux.IN_CREATE | linux.IN_MASK_ADD | linux.IN_MASK_CREATE}, linux.EINVAL},
		{"bad fd before bad path", []uint64{99, badAddr, linux.IN_CREATE}, linux.EBADF},
		{"not inotify before bad path", []uint64{0, badAddr, linux.IN_CREATE}, linux.EINVAL},
		{"missing path", []uint64{fd, e.str(dir + "/nope"), linux.IN_CREATE}, linux.ENOENT},
	} {
		if got := e.errno(linux.SYS_INOTIFY_ADD_WATCH, c.args...); got != c.want {
			t.Errorf("inotify_add_watch %s: %v, want %v", c.name, got.Name(), c.want.Name())
		}
	}
}

func TestCloseRange(t *testing.T) {
	e := newEnv(t)
	var fds []uint64
	for range 4 {
		fds = append(fds, e.open("/", linux.O_RDONLY))
	}
	if got := e.errno(linux.SYS_CLOSE_RANGE, 5, 4, 0); got != linux.EINVAL {
		t.Errorf("first > last: %v", got.Name())
	}
	if got := e.errno(linux.SYS_CLOSE_RANGE, 0, 1, 1); got != linux.EINVAL {
		t.Errorf("bad flags: %v", got.Name())
	}
	e.ok(linux.SYS_CLOSE_RANGE, fds[0], fds[1], linux.CLOSE_RANGE_CLOEXEC)
	if fl := e.ok(linux.SYS_FCNTL, fds[1], linux.F_GETFD); fl != linux.FD_CLOEXEC {
		t.Errorf("CLOSE_RANGE_CLOEXEC: %d", fl)
	}
	e.ok(linux.SYS_CLOSE_RANGE, fds[1], ^uint64(0)>>32, 0)
	if got := e.errno(linux.SYS_FCNTL, fds[3], linux.F_GETFD); got != linux.EBADF {
		t.Errorf("closed fd: %v", got.Name())
	}
	if fl := e.ok(linux.SYS_FCNTL, fds[0], linux.F_GETFD); fl != linux.FD_CLOEXEC {
		t.Errorf("fd below the range: %d", fl)
	}
}

func TestMemfdAndFlock(t *testing.T) {
	e := newEnv(t)
	long := e.str(string(make([]byte, 0)) + "x" + string(bytesOf('n', 249)))
	if got := e.errno(linux.SYS_MEMFD_CREATE, long, 0); got != linux.EINVAL {
		t.Errorf("250-byte name: %v", got.Name())
	}
	if got := e.errno(linux.SYS_MEMFD_CREATE, e.str("m"), 0x100); got != linux.EINVAL {
		t.Errorf("bad flags: %v", got.Name())
	}
	fd := e.ok(linux.SYS_MEMFD_CREATE, e.str("gemu"), linux.MFD_CLOEXEC|linux.MFD_ALLOW_SEALING)
	e.ok(linux.SYS_WRITE, fd, e.str("memfd!"), 6)
	buf := e.alloc(8)
	if n := e.ok(linux.SYS_PREAD64, fd, buf, 8, 0); string(e.peek(buf, int(n))) != "memfd!" {
		t.Errorf("memfd reads %q", e.peek(buf, int(n)))
	}
	target := e.alloc(64)
	n := e.ok(linux.SYS_READLINKAT, uint64(neg(linux.AT_FDCWD)), e.str("/proc/self/fd/"+itoa(fd)), target, 64)
	if got := string(e.peek(target, int(n))); got != "/memfd:gemu (deleted)" {
		t.Errorf("the memfd's link: %q", got)
	}
	// flock: a second open file description conflicts.
	path := filepath.Join(t.TempDir(), "lock")
	a := e.open(path, linux.O_RDWR|linux.O_CREAT)
	b := e.open(path, linux.O_RDWR)
	e.ok(linux.SYS_FLOCK, a, linux.LOCK_EX)
	if got := e.errno(linux.SYS_FLOCK, b, linux.LOCK_EX|linux.LOCK_NB); got != linux.EAGAIN {
		t.Errorf("conflicting flock: %v", got.Name())
	}
	e.ok(linux.SYS_FLOCK, a, linux.LOCK_UN)
	e.ok(linux.SYS_FLOCK, b, linux.LOCK_SH|linux.LOCK_NB)
	if got := e.errno(linux.SYS_FLOCK, b, 0); got != linux.EINVAL {
		t.Errorf("flock(0): %v", got.Name())
	}
}

func bytesOf(c byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = c
	}
	return b
}

func itoa(v uint64) string { return string(appendUint(nil, v)) }

func appendUint(b []byte, v uint64) []byte {
	if v >= 10 {
		b = appendUint(b, v/10)
	}
	return append(b, byte('0'+v%10))
}

// TestSelect checks select and pselect6 on a pipe: readiness, the time
// left written back, EBADF for a closed descriptor in a set.
func TestSelect(t *testing.T) {
	e := newEnv(t)
	r, w := e.pipe()
	set := func(fds ...uint64) uint64 {
		a := e.alloc(128)
		b := make([]byte, 128)
		for _, fd := range fds {
			b[fd/8] |= 1 << (fd % 8)
		}
		e.poke(a, b)
		return a
	}
	rs, ws := set(r), set(w)
	tv := e.alloc(16)
	e.poke(tv, le.AppendUint64(le.AppendUint64(nil, 5), 0))
	if n := e.ok(linux.SYS_SELECT, w+1, rs, ws, 0, tv); n != 1 {
		t.Errorf("select: %d ready, want 1 (the write end)", n)
	}
	if e.peek(rs, 1)[0] != 0 || e.peek(ws, 8)[w/8]&(1<<(w%8)) == 0 {
		t.Errorf("sets after select: % x / % x", e.peek(rs, 8), e.peek(ws, 8))
	}
	if sec := e.u64(tv); sec > 5 || sec < 4 {
		t.Errorf("time left %d s", sec)
	}
	e.ok(linux.SYS_WRITE, w, e.str("x"), 1)
	rs = set(r)
	zero := e.alloc(16)
	if n := e.ok(linux.SYS_PSELECT6, r+1, rs, 0, 0, zero, 0); n != 1 {
		t.Errorf("pselect6: %d", n)
	}
	// A timeout with nothing ready: 0 and the sets cleared.
	e.ok(linux.SYS_READ, r, e.alloc(1), 1)
	rs = set(r)
	ms := e.alloc(16)
	e.poke(ms, le.AppendUint64(le.AppendUint64(nil, 0), 1000))
	if n := e.ok(linux.SYS_SELECT, r+1, rs, 0, 0, ms); n != 0 {
		t.Errorf("select timeout: %d", n)
	}
	if e.peek(rs, 8)[r/8] != 0 {
		t.Error("set not cleared after a timeout")
	}
	if got := e.errno(linux.SYS_SELECT, 100, set(40), 0, 0, zero); got != linux.EBADF {
		t.Errorf("closed fd in a set: %v", got.Name())
	}
	// nfds is clamped to the size of the descriptor table (64 here), as
	// in the kernel: a set bit beyond it is not looked at.
	if n := e.ok(linux.SYS_SELECT, 100, set(77), 0, 0, zero); n != 0 {
		t.Errorf("fd beyond the table: %d", n)
	}
	if got := e.errno(linux.SYS_SELECT, neg(-1), 0, 0, 0, zero); got != linux.EINVAL {
		t.Errorf("nfds -1: %v", got.Name())
	}
	neg := e.alloc(16)
	e.poke(neg, le.AppendUint64(le.AppendUint64(nil, ^uint64(0)), 0))
	if got := e.errno(linux.SYS_SELECT, 1, 0, 0, 0, neg); got != linux.EINVAL {
		t.Errorf("negative timeout: %v", got.Name())
	}
}
