package syscalls

import (
	"time"

	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
)

// Descriptors with calls of their own: epoll, eventfd, timerfd, inotify,
// and close_range. Each is a host descriptor; gemu translates the guest
// descriptors inside epoll_ctl and the structures at the boundary.

// hostFlagsOf translates the O_CLOEXEC/O_NONBLOCK-valued flags of the
// *_create calls (EPOLL_CLOEXEC, EFD_*, TFD_*, IN_*); the host descriptor
// is always close-on-exec.
func hostFlagsOf(g uint32) int {
	h := unix.O_CLOEXEC
	if g&linux.O_NONBLOCK != 0 {
		h |= unix.O_NONBLOCK
	}
	return h
}

// newFD installs a freshly created host descriptor as a guest fd.
func (c *call) newFD(hfd int, err error, cloexec bool, conv recordConv) (uint64, linux.Errno) {
	if err != nil {
		return 0, hostErrno(err)
	}
	f := adoptFD(hfd)
	f.conv = conv
	return c.install(0, f, cloexec)
}

func sysEpollCreate(c *call) (uint64, linux.Errno) {
	if c.args.Int(0) <= 0 {
		return 0, linux.EINVAL
	}
	return c.epollCreate(0)
}

func sysEpollCreate1(c *call) (uint64, linux.Errno) {
	flags := c.args.Uint(0)
	if flags&^linux.EPOLL_CLOEXEC != 0 {
		return 0, linux.EINVAL
	}
	return c.epollCreate(flags)
}

func (c *call) epollCreate(flags uint32) (uint64, linux.Errno) {
	if !c.haveFreeFD(0) {
		return 0, linux.EMFILE
	}
	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	return c.newFD(fd, err, flags&linux.EPOLL_CLOEXEC != 0, convNone)
}

// hostEpollEvent puts the guest's event mask and 64-bit data into the
// host's struct (whose layout differs between x86-64 and arm64): the data
// travels in Fd and Pad and comes back unchanged.
func hostEpollEvent(g linux.EpollEvent) unix.EpollEvent {
	// EPOLL* bits are the same on every Linux architecture.
	return unix.EpollEvent{Events: g.Events, Fd: int32(uint32(g.Data)), Pad: int32(uint32(g.Data >> 32))}
}

func guestEpollEvent(h unix.EpollEvent) linux.EpollEvent {
	return linux.EpollEvent{Events: h.Events, Data: uint64(uint32(h.Fd)) | uint64(uint32(h.Pad))<<32}
}

func sysEpollCtl(c *call) (uint64, linux.Errno) {
	epfd, op, fd, evAddr := c.args.FD(0), c.args.Int(1), c.args.FD(2), c.args.Pointer(3)
	var ev linux.EpollEvent
	if op != linux.EPOLL_CTL_DEL {
		var b [linux.SizeofEpollEvent]byte
		if e := c.readMem(evAddr, b[:]); e != 0 {
			return 0, e
		}
		ev.Decode(b[:])
	}
	ef, e := c.file(epfd)
	if e != 0 {
		return 0, e
	}
	tf, e := c.file(fd)
	if e != 0 {
		return 0, e
	}
	hev := hostEpollEvent(ev)
	// EPOLL_CTL_* are the same on every architecture.
	return 0, hostErrno(unix.EpollCtl(ef.fd, int(op), tf.fd, &hev))
}

// maxEpollBatch bounds the host buffer of one epoll_wait.
const maxEpollBatch = 1024

func sysEpollWait(c *call) (uint64, linux.Errno) {
	return c.epollWait(c.msTimeout(c.args.Int(3)), 0, 0)
}

func sysEpollPwait(c *call) (uint64, linux.Errno) {
	return c.epollWait(c.msTimeout(c.args.Int(3)), c.args.Pointer(4), c.args.SizeT(5))
}

func sysEpollPwait2(c *call) (uint64, linux.Errno) {
	timeout := time.Duration(-1)
	if tsp := c.args.Pointer(3); tsp != 0 {
		ts, e := c.readTimespec(tsp)
		if e != 0 {
			return 0, e
		}
		if !ts.Valid() {
			return 0, linux.EINVAL
		}
		timeout = tsDuration(ts)
	}
	return c.epollWait(timeout, c.args.Pointer(4), c.args.SizeT(5))
}

// msTimeout converts a millisecond timeout (negative: forever).
func (c *call) msTimeout(ms int32) time.Duration {
	if ms < 0 {
		return -1
	}
	return time.Duration(ms) * time.Millisecond
}

func (c *call) epollWait(timeout time.Duration, sigmask, sigsetsize uint64) (uint64, linux.Errno) {
	epfd, evAddr, maxEvents := c.args.FD(0), c.args.Pointer(1), c.args.Int(2)
	if e := c.checkSigmask(sigmask, sigsetsize); e != 0 {
		return 0, e
	}
	defer c.tempSigmask(sigmask)()
	if maxEvents <= 0 || maxEvents > linux.EP_MAX_EVENTS {
		return 0, linux.EINVAL
	}
	if !rangeOK(evAddr, uint64(maxEvents)*linux.SizeofEpollEvent) {
		return 0, linux.EFAULT
	}
	f, e := c.file(epfd)
	if e != 0 {
		return 0, e
	}
	hev := make([]unix.EpollEvent, min(int(maxEvents), maxEpollBatch))
	n, _, err := c.blockEpoll(f.fd, hev, timeout)
	if err != nil {
		return 0, hostErrno(err)
	}
	out := make([]byte, n*linux.SizeofEpollEvent)
	for i := range n {
		ev := guestEpollEvent(hev[i])
		ev.Encode(out[i*linux.SizeofEpollEvent:])
	}
	got := c.writePartial(evAddr, out) / linux.SizeofEpollEvent
	if got == 0 && n > 0 {
		return 0, linux.EFAULT
	}
	return uint64(got), 0
}

// checkSigmask validates the temporary signal mask of ppoll, pselect6 and
// epoll_pwait. The mask applies while the call waits; installing it is the
// signal code's (gemu delivers no asynchronous signals yet, so a wait is
// never interrupted and the mask makes no difference).
func (c *call) checkSigmask(addr, size uint64) linux.Errno {
	if addr == 0 {
		return 0
	}
	if size != linux.SizeofSigset {
		return linux.EINVAL
	}
	_, e := c.readU64(addr)
	return e
}

func sysEventfd(c *call) (uint64, linux.Errno) { return c.eventfd(c.args.Uint(0), 0) }

func sysEventfd2(c *call) (uint64, linux.Errno) { return c.eventfd(c.args.Uint(0), c.args.Uint(1)) }

func (c *call) eventfd(count, flags uint32) (uint64, linux.Errno) {
	if flags&^(linux.EFD_SEMAPHORE|linux.EFD_CLOEXEC|linux.EFD_NONBLOCK) != 0 {
		return 0, linux.EINVAL
	}
	if !c.haveFreeFD(0) {
		return 0, linux.EMFILE
	}
	h := hostFlagsOf(flags)
	if flags&linux.EFD_SEMAPHORE != 0 {
		h |= unix.EFD_SEMAPHORE
	}
	fd, err := unix.Eventfd(uint(count), h)
	return c.newFD(fd, err, flags&linux.EFD_CLOEXEC != 0, convU64)
}

func sysTimerfdCreate(c *call) (uint64, linux.Errno) {
	clock, flags := c.args.Int(0), c.args.Uint(1)
	if flags&^(linux.TFD_CLOEXEC|linux.TFD_NONBLOCK) != 0 {
		return 0, linux.EINVAL
	}
	if !c.haveFreeFD(0) {
		return 0, linux.EMFILE
	}
	fd, err := unix.TimerfdCreate(int(clock), hostFlagsOf(flags))
	return c.newFD(fd, err, flags&linux.TFD_CLOEXEC != 0, convU64)
}

func hostItimerspec(g linux.Itimerspec) unix.ItimerSpec {
	return unix.ItimerSpec{
		Interval: unix.Timespec{Sec: g.Interval.Sec, Nsec: g.Interval.Nsec},
		Value:    unix.Timespec{Sec: g.Value.Sec, Nsec: g.Value.Nsec},
	}
}

func (c *call) writeItimerspec(addr uint64, h unix.ItimerSpec) linux.Errno {
	g := linux.Itimerspec{
		Interval: linux.Timespec{Sec: int64(h.Interval.Sec), Nsec: int64(h.Interval.Nsec)},
		Value:    linux.Timespec{Sec: int64(h.Value.Sec), Nsec: int64(h.Value.Nsec)},
	}
	var b [linux.SizeofItimerspec]byte
	g.Encode(b[:])
	return c.copyOut(addr, b[:])
}

func sysTimerfdSettime(c *call) (uint64, linux.Errno) {
	fd, flags, newAddr, oldAddr := c.args.FD(0), c.args.Int(1), c.args.Pointer(2), c.args.Pointer(3)
	var b [linux.SizeofItimerspec]byte
	if e := c.readMem(newAddr, b[:]); e != 0 {
		return 0, e
	}
	var g linux.Itimerspec
	g.Decode(b[:])
	if flags&^(linux.TFD_TIMER_ABSTIME|linux.TFD_TIMER_CANCEL_ON_SET) != 0 || !g.Interval.Valid() || !g.Value.Valid() {
		return 0, linux.EINVAL
	}
	f, e := c.file(fd)
	if e != 0 {
		return 0, e
	}
	nv := hostItimerspec(g)
	var ov unix.ItimerSpec
	// TFD_TIMER_* are the same on every architecture.
	if err := unix.TimerfdSettime(f.fd, int(flags), &nv, &ov); err != nil {
		return 0, hostErrno(err)
	}
	if oldAddr != 0 {
		return 0, c.writeItimerspec(oldAddr, ov)
	}
	return 0, 0
}

func sysTimerfdGettime(c *call) (uint64, linux.Errno) {
	f, e := c.file(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	var cur unix.ItimerSpec
	if err := unix.TimerfdGettime(f.fd, &cur); err != nil {
		return 0, hostErrno(err)
	}
	return 0, c.writeItimerspec(c.args.Pointer(1), cur)
}

func sysInotifyInit(c *call) (uint64, linux.Errno) { return c.inotifyInit(0) }

func sysInotifyInit1(c *call) (uint64, linux.Errno) { return c.inotifyInit(c.args.Uint(0)) }

func (c *call) inotifyInit(flags uint32) (uint64, linux.Errno) {
	if flags&^(linux.IN_CLOEXEC|linux.IN_NONBLOCK) != 0 {
		return 0, linux.EINVAL
	}
	if !c.haveFreeFD(0) {
		return 0, linux.EMFILE
	}
	fd, err := unix.InotifyInit1(hostFlagsOf(flags))
	return c.newFD(fd, err, flags&linux.IN_CLOEXEC != 0, convInotify)
}

func sysInotifyAddWatch(c *call) (uint64, linux.Errno) {
	fd, pathAddr, mask := c.args.FD(0), c.args.Pointer(1), c.args.Uint(2)
	const allBits = 0xfff | linux.IN_UNMOUNT | linux.IN_Q_OVERFLOW | linux.IN_IGNORED | linux.IN_ONLYDIR |
		linux.IN_DONT_FOLLOW | linux.IN_EXCL_UNLINK | linux.IN_MASK_ADD | linux.IN_MASK_CREATE |
		linux.IN_ISDIR | linux.IN_ONESHOT
	if mask&(linux.IN_MASK_ADD|linux.IN_MASK_CREATE) == linux.IN_MASK_ADD|linux.IN_MASK_CREATE || mask&allBits == 0 {
		return 0, linux.EINVAL
	}
	f, e := c.file(fd)
	if e != 0 {
		return 0, e
	}
	path, pe := c.path(pathAddr)
	if pe == 0 {
		path, pe = c.hostPath(path, mask&linux.IN_DONT_FOLLOW == 0)
	}
	if pe != 0 {
		// The kernel checks the mask and the descriptor before the path:
		// ask the host with the same mask and an empty path, which it
		// looks up last (ENOENT), and report its earlier errors if any.
		if _, err := unix.InotifyAddWatch(f.fd, "", mask); err != unix.ENOENT {
			return 0, hostErrno(err)
		}
		return 0, pe
	}
	// IN_* masks are the same on every architecture.
	wd, err := unix.InotifyAddWatch(f.fd, path, mask)
	if err != nil {
		return 0, hostErrno(err)
	}
	return uint64(wd), 0
}

func sysInotifyRmWatch(c *call) (uint64, linux.Errno) {
	f, e := c.file(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	_, err := unix.InotifyRmWatch(f.fd, uint32(c.args.Int(1)))
	return 0, hostErrno(err)
}

func sysCloseRange(c *call) (uint64, linux.Errno) {
	first, last, flags := c.args.Uint(0), c.args.Uint(1), c.args.Uint(2)
	if flags&^(linux.CLOSE_RANGE_UNSHARE|linux.CLOSE_RANGE_CLOEXEC) != 0 || first > last {
		return 0, linux.EINVAL
	}
	p := c.p
	var closing []*hostFile
	p.mu.Lock()
	for fd := uint64(first); fd <= uint64(last) && fd < uint64(len(p.fds.slots)); fd++ {
		s := p.fds.slot(int32(fd))
		if s == nil {
			continue
		}
		if flags&linux.CLOSE_RANGE_CLOEXEC != 0 {
			s.cloexec = true
		} else {
			closing = append(closing, p.fds.remove(int32(fd)))
		}
	}
	p.mu.Unlock()
	// CLOSE_RANGE_UNSHARE: each guest process has its own table already.
	for _, f := range closing {
		f.decRef()
	}
	return 0, 0
}
