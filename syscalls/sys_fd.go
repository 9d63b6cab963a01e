package syscalls

import (
	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
)

// The descriptor table: close, dup*, pipe*, fcntl and ioctl.

func sysClose(c *call) (uint64, linux.Errno) {
	p := c.p
	p.mu.Lock()
	f := p.fds.remove(c.args.FD(0))
	p.mu.Unlock()
	if f == nil {
		return 0, linux.EBADF
	}
	// The descriptor is gone whatever close reports (Linux semantics);
	// EINTR from the host is not the guest's.
	if err := f.decRef(); err != nil && err != unix.EINTR {
		return 0, hostErrno(err)
	}
	return 0, 0
}

// dupTo duplicates f into the lowest free guest fd >= min.
func (c *call) dupTo(f *hostFile, min int, cloexec bool) (uint64, linux.Errno) {
	if !c.haveFreeFD(min) {
		return 0, linux.EMFILE
	}
	nf, e := dupHost(f.fd)
	if e != 0 {
		return 0, e
	}
	return c.install(min, nf, cloexec)
}

func sysDup(c *call) (uint64, linux.Errno) {
	f, e := c.file(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	return c.dupTo(f, 0, false)
}

func sysDup2(c *call) (uint64, linux.Errno) {
	oldfd, newfd := c.args.FD(0), c.args.FD(1)
	if oldfd == newfd {
		if _, e := c.file(oldfd); e != 0 {
			return 0, e
		}
		return uint64(newfd), 0
	}
	return c.dup3(oldfd, newfd, 0)
}

func sysDup3(c *call) (uint64, linux.Errno) {
	return c.dup3(c.args.FD(0), c.args.FD(1), c.args.Int(2))
}

func (c *call) dup3(oldfd, newfd, flags int32) (uint64, linux.Errno) {
	if flags&^linux.O_CLOEXEC != 0 || oldfd == newfd {
		return 0, linux.EINVAL
	}
	if uint64(uint32(newfd)) >= c.limit(linux.RLIMIT_NOFILE) {
		return 0, linux.EBADF
	}
	f, e := c.file(oldfd)
	if e != 0 {
		return 0, e
	}
	nf, e := dupHost(f.fd)
	if e != 0 {
		return 0, e
	}
	c.p.mu.Lock()
	old := c.p.fds.set(newfd, nf, flags&linux.O_CLOEXEC != 0)
	c.p.mu.Unlock()
	if old != nil {
		old.decRef() // dup2 closes the old file silently
	}
	return uint64(newfd), 0
}

func sysPipe(c *call) (uint64, linux.Errno) { return c.pipe2(c.args.Pointer(0), 0) }

func sysPipe2(c *call) (uint64, linux.Errno) { return c.pipe2(c.args.Pointer(0), c.args.Int(1)) }

func (c *call) pipe2(addr uint64, flags int32) (uint64, linux.Errno) {
	const notificationPipe = linux.O_EXCL // O_NOTIFICATION_PIPE
	if flags&^(linux.O_CLOEXEC|linux.O_NONBLOCK|linux.O_DIRECT|notificationPipe) != 0 {
		return 0, linux.EINVAL
	}
	p := c.p
	p.mu.Lock()
	limit := p.rlimits[linux.RLIMIT_NOFILE].Cur
	r := p.fds.lowestFree(0)
	ok := uint64(r) < limit && uint64(p.fds.lowestFree(r+1)) < limit
	p.mu.Unlock()
	if !ok {
		return 0, linux.EMFILE
	}
	var hfds [2]int
	if err := unix.Pipe2(hfds[:], hostOpenFlags(int(flags&^linux.O_CLOEXEC))|unix.O_CLOEXEC); err != nil {
		return 0, hostErrno(err)
	}
	rf, wf := adoptFD(hfds[0]), adoptFD(hfds[1])
	cloexec := flags&linux.O_CLOEXEC != 0
	p.mu.Lock()
	rfd, e1 := p.fds.alloc(0, limit, rf, cloexec)
	wfd, e2 := int32(-1), linux.Errno(0)
	if e1 == 0 {
		if wfd, e2 = p.fds.alloc(0, limit, wf, cloexec); e2 != 0 {
			p.fds.remove(rfd)
		}
	}
	p.mu.Unlock()
	if e1 != 0 || e2 != 0 {
		rf.decRef()
		wf.decRef()
		return 0, linux.EMFILE
	}
	var b [8]byte
	le.PutUint32(b[0:], uint32(rfd))
	le.PutUint32(b[4:], uint32(wfd))
	if e := c.copyOut(addr, b[:]); e != 0 {
		p.mu.Lock()
		p.fds.remove(rfd)
		p.fds.remove(wfd)
		p.mu.Unlock()
		rf.decRef()
		wf.decRef()
		return 0, e
	}
	return 0, 0
}

func sysFcntl(c *call) (uint64, linux.Errno) {
	fd, cmd, arg := c.args.FD(0), c.args.Int(1), c.args.Ulong(2)
	f, e := c.file(fd)
	if e != 0 {
		return 0, e
	}
	p := c.p
	switch cmd {
	case linux.F_DUPFD, linux.F_DUPFD_CLOEXEC:
		// The kernel takes the minimum as an int, then as unsigned.
		from := uint64(uint32(arg))
		if from >= c.limit(linux.RLIMIT_NOFILE) {
			return 0, linux.EINVAL
		}
		return c.dupTo(f, int(from), cmd == linux.F_DUPFD_CLOEXEC)
	case linux.F_GETFD:
		p.mu.Lock()
		defer p.mu.Unlock()
		if s := p.fds.slot(fd); s != nil && s.cloexec {
			return linux.FD_CLOEXEC, 0
		}
		return 0, 0
	case linux.F_SETFD:
		p.mu.Lock()
		defer p.mu.Unlock()
		if s := p.fds.slot(fd); s != nil {
			s.cloexec = arg&linux.FD_CLOEXEC != 0
		}
		return 0, 0
	case linux.F_GETFL:
		fl, err := unix.FcntlInt(uintptr(f.fd), unix.F_GETFL, 0)
		if err != nil {
			return 0, hostErrno(err)
		}
		return uint64(guestOpenFlags(fl)), 0
	case linux.F_SETFL:
		const settable = linux.O_APPEND | linux.O_NONBLOCK | linux.O_ASYNC | linux.O_DIRECT | linux.O_NOATIME
		_, err := unix.FcntlInt(uintptr(f.fd), unix.F_SETFL, hostOpenFlags(int(arg)&settable))
		return 0, hostErrno(err)
	case linux.F_GETLK, linux.F_SETLK, linux.F_SETLKW, linux.F_OFD_GETLK, linux.F_OFD_SETLK, linux.F_OFD_SETLKW:
		return c.fcntlLock(f, cmd, arg)
	case linux.F_GETOWN:
		v, err := unix.FcntlInt(uintptr(f.fd), unix.F_GETOWN, 0)
		return uint64(int64(v)), hostErrno(err)
	case linux.F_SETOWN:
		_, err := unix.FcntlInt(uintptr(f.fd), unix.F_SETOWN, int(int32(arg)))
		return 0, hostErrno(err)
	case linux.F_GETPIPE_SZ, linux.F_SETPIPE_SZ, linux.F_ADD_SEALS, linux.F_GET_SEALS:
		v, err := unix.FcntlInt(uintptr(f.fd), hostFcntlCmd(cmd), int(int32(arg)))
		if err != nil {
			return 0, hostErrno(err)
		}
		return uint64(v), 0
	case linux.F_DUPFD_QUERY:
		g, e := c.file(int32(arg))
		if e != 0 {
			return 0, e
		}
		v, err := unix.FcntlInt(uintptr(f.fd), unix.F_DUPFD_QUERY, g.fd)
		if err != nil {
			return 0, hostErrno(err)
		}
		return uint64(v), 0
	}
	// F_SETSIG, F_NOTIFY, leases and owner-ex would route host signals to
	// gemu itself: refused until guest signal delivery exists.
	return 0, linux.EINVAL
}

// hostFcntlCmd translates the fcntl commands gemu passes to the host.
func hostFcntlCmd(cmd int32) int {
	switch cmd {
	case linux.F_GETLK:
		return unix.F_GETLK
	case linux.F_SETLK:
		return unix.F_SETLK
	case linux.F_SETLKW:
		return unix.F_SETLKW
	case linux.F_OFD_GETLK:
		return unix.F_OFD_GETLK
	case linux.F_OFD_SETLK:
		return unix.F_OFD_SETLK
	case linux.F_OFD_SETLKW:
		return unix.F_OFD_SETLKW
	case linux.F_GETPIPE_SZ:
		return unix.F_GETPIPE_SZ
	case linux.F_SETPIPE_SZ:
		return unix.F_SETPIPE_SZ
	case linux.F_ADD_SEALS:
		return unix.F_ADD_SEALS
	case linux.F_GET_SEALS:
		return unix.F_GET_SEALS
	}
	return -1
}

// fcntlLock handles the POSIX and open-file-description record locks.
func (c *call) fcntlLock(f *hostFile, cmd int32, addr uint64) (uint64, linux.Errno) {
	var b [linux.SizeofFlock]byte
	if e := c.readMem(addr, b[:]); e != 0 {
		return 0, e
	}
	var fl linux.Flock
	fl.Decode(b[:])
	hl := unix.Flock_t{Whence: fl.Whence, Start: fl.Start, Len: fl.Len, Pid: fl.Pid}
	switch fl.Type {
	case linux.F_RDLCK:
		hl.Type = unix.F_RDLCK
	case linux.F_WRLCK:
		hl.Type = unix.F_WRLCK
	case linux.F_UNLCK:
		hl.Type = unix.F_UNLCK
	default:
		return 0, linux.EINVAL
	}
	hcmd := hostFcntlCmd(cmd)
	_, err := c.block(f, 0, func() (int, error) { return 0, unix.FcntlFlock(uintptr(f.fd), hcmd, &hl) })
	if err != nil {
		return 0, hostErrno(err)
	}
	if cmd != linux.F_GETLK && cmd != linux.F_OFD_GETLK {
		return 0, 0
	}
	switch hl.Type {
	case unix.F_RDLCK:
		fl.Type = linux.F_RDLCK
	case unix.F_WRLCK:
		fl.Type = linux.F_WRLCK
	default:
		fl.Type = linux.F_UNLCK
	}
	fl.Whence, fl.Start, fl.Len, fl.Pid = hl.Whence, hl.Start, hl.Len, hl.Pid
	fl.Encode(b[:])
	return 0, c.copyOut(addr, b[:])
}

func sysIoctl(c *call) (uint64, linux.Errno) {
	fd, req, arg := c.args.FD(0), c.args.Uint(1), c.args.Pointer(2)
	f, e := c.file(fd)
	if e != 0 {
		return 0, e
	}
	p := c.p
	switch req {
	case linux.FIOCLEX, linux.FIONCLEX:
		p.mu.Lock()
		if s := p.fds.slot(fd); s != nil {
			s.cloexec = req == linux.FIOCLEX
		}
		p.mu.Unlock()
		return 0, 0
	case linux.FIONBIO:
		v, e := c.readU32(arg)
		if e != 0 {
			return 0, e
		}
		// FIONBIO sets or clears O_NONBLOCK, like F_SETFL.
		fl, err := unix.FcntlInt(uintptr(f.fd), unix.F_GETFL, 0)
		if err != nil {
			return 0, hostErrno(err)
		}
		if v != 0 {
			fl |= unix.O_NONBLOCK
		} else {
			fl &^= unix.O_NONBLOCK
		}
		_, err = unix.FcntlInt(uintptr(f.fd), unix.F_SETFL, fl)
		return 0, hostErrno(err)
	case linux.FIONREAD:
		v, err := unix.IoctlGetInt(f.fd, unix.TIOCINQ) // FIONREAD
		if err != nil {
			return 0, hostErrno(err)
		}
		return 0, c.writeU32(arg, uint32(v))
	case linux.TIOCGPGRP, linux.TIOCOUTQ:
		hreq := uint(unix.TIOCGPGRP)
		if req == linux.TIOCOUTQ {
			hreq = unix.TIOCOUTQ
		}
		v, err := unix.IoctlGetInt(f.fd, hreq)
		if err != nil {
			return 0, hostErrno(err)
		}
		return 0, c.writeU32(arg, uint32(v))
	case linux.TIOCSPGRP:
		v, e := c.readU32(arg)
		if e != 0 {
			return 0, c.ttyFirst(f, e)
		}
		return 0, hostErrno(unix.IoctlSetPointerInt(f.fd, unix.TIOCSPGRP, int(int32(v))))
	case linux.TCGETS:
		t, err := unix.IoctlGetTermios(f.fd, unix.TCGETS)
		if err != nil {
			return 0, hostErrno(err)
		}
		gt := linux.Termios{Iflag: t.Iflag, Oflag: t.Oflag, Cflag: t.Cflag, Lflag: t.Lflag, Line: t.Line}
		copy(gt.Cc[:], t.Cc[:])
		var b [linux.SizeofTermios]byte
		gt.Encode(b[:])
		return 0, c.copyOut(arg, b[:])
	case linux.TCSETS, linux.TCSETSW, linux.TCSETSF:
		var b [linux.SizeofTermios]byte
		if e := c.readMem(arg, b[:]); e != 0 {
			return 0, c.ttyFirst(f, e)
		}
		var gt linux.Termios
		gt.Decode(b[:])
		// Keep the host's fields beyond the kernel struct (speeds).
		t, err := unix.IoctlGetTermios(f.fd, unix.TCGETS)
		if err != nil {
			return 0, hostErrno(err)
		}
		t.Iflag, t.Oflag, t.Cflag, t.Lflag, t.Line = gt.Iflag, gt.Oflag, gt.Cflag, gt.Lflag, gt.Line
		copy(t.Cc[:], gt.Cc[:])
		hreq := uint(unix.TCSETS)
		switch req {
		case linux.TCSETSW:
			hreq = unix.TCSETSW
		case linux.TCSETSF:
			hreq = unix.TCSETSF
		}
		_, err = c.block(f, 0, func() (int, error) { return 0, unix.IoctlSetTermios(f.fd, hreq, t) })
		return 0, hostErrno(err)
	case linux.TIOCGWINSZ:
		w, err := unix.IoctlGetWinsize(f.fd, unix.TIOCGWINSZ)
		if err != nil {
			return 0, hostErrno(err)
		}
		gw := linux.Winsize{Row: w.Row, Col: w.Col, Xpixel: w.Xpixel, Ypixel: w.Ypixel}
		var b [linux.SizeofWinsize]byte
		gw.Encode(b[:])
		return 0, c.copyOut(arg, b[:])
	case linux.TIOCSWINSZ:
		var b [linux.SizeofWinsize]byte
		if e := c.readMem(arg, b[:]); e != 0 {
			return 0, c.ttyFirst(f, e)
		}
		var gw linux.Winsize
		gw.Decode(b[:])
		w := unix.Winsize{Row: gw.Row, Col: gw.Col, Xpixel: gw.Xpixel, Ypixel: gw.Ypixel}
		return 0, hostErrno(unix.IoctlSetWinsize(f.fd, unix.TIOCSWINSZ, &w))
	}
	return 0, linux.ENOTTY
}

// ttyFirst returns ENOTTY for a descriptor that is not a terminal (the tty
// layer answers before it reads the argument), else the fault e.
func (c *call) ttyFirst(f *hostFile, e linux.Errno) linux.Errno {
	if _, err := unix.IoctlGetTermios(f.fd, unix.TCGETS); err != nil {
		return hostErrno(err)
	}
	return e
}
