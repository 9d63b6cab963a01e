package syscalls

import (
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
)

// Sockets, passed through to host sockets. Addresses, socket options and
// control messages are converted at the boundary (sockaddr.go); the
// descriptors inside SCM_RIGHTS messages are translated guest → host on
// send and host → new guest descriptors on receive.
//
// Data moves through host buffers: a send copies the guest's bytes first
// (up to maxSockBuf per call, which only a stream socket can exceed, and
// then sends part as a blocking Linux send may), a receive reads into a
// buffer of the guest's size (capped the same way) and copies out.

// maxSockBuf caps the host buffer of one send or receive.
const maxSockBuf = 64 << 20

// bptr returns the address of b's first byte, or nil for an empty slice.
func bptr(b []byte) unsafe.Pointer {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Pointer(&b[0])
}

func errnoErr(e unix.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

// socket returns the host file of guest fd if it is a socket
// (sockfd_lookup_light: EBADF, then ENOTSOCK).
func (c *call) socket(fd int32) (*hostFile, linux.Errno) {
	f, e := c.file(fd)
	if e != 0 {
		return nil, e
	}
	if f.fileType() != unix.S_IFSOCK {
		return nil, linux.ENOTSOCK
	}
	return f, 0
}

// hostSockFlags translates SOCK_NONBLOCK (and drops SOCK_CLOEXEC: host
// descriptors are always close-on-exec).
func hostSockFlags(g int32) int {
	h := unix.SOCK_CLOEXEC
	if g&linux.SOCK_NONBLOCK != 0 {
		h |= unix.SOCK_NONBLOCK
	}
	return h
}

func sysSocket(c *call) (uint64, linux.Errno) {
	domain, typ, proto := c.args.Int(0), c.args.Int(1), c.args.Int(2)
	if typ&^(linux.SOCK_TYPE_MASK|linux.SOCK_NONBLOCK|linux.SOCK_CLOEXEC) != 0 {
		return 0, linux.EINVAL
	}
	// Families, socket types and protocols are the same numbers on every
	// host gemu supports.
	fd, err := unix.Socket(int(domain), int(typ&linux.SOCK_TYPE_MASK)|hostSockFlags(typ), int(proto))
	if err != nil {
		return 0, hostErrno(err)
	}
	return c.install(0, adoptFD(fd), typ&linux.SOCK_CLOEXEC != 0)
}

func sysSocketpair(c *call) (uint64, linux.Errno) {
	domain, typ, proto, sv := c.args.Int(0), c.args.Int(1), c.args.Int(2), c.args.Pointer(3)
	if typ&^(linux.SOCK_TYPE_MASK|linux.SOCK_NONBLOCK|linux.SOCK_CLOEXEC) != 0 {
		return 0, linux.EINVAL
	}
	p := c.p
	p.mu.Lock()
	limit := p.rlimits[linux.RLIMIT_NOFILE].Cur
	a := p.fds.lowestFree(0)
	ok := uint64(a) < limit && uint64(p.fds.lowestFree(a+1)) < limit
	p.mu.Unlock()
	if !ok {
		return 0, linux.EMFILE
	}
	hfds, err := unix.Socketpair(int(domain), int(typ&linux.SOCK_TYPE_MASK)|hostSockFlags(typ), int(proto))
	if err != nil {
		return 0, hostErrno(err)
	}
	return c.installPair(adoptFD(hfds[0]), adoptFD(hfds[1]), typ&linux.SOCK_CLOEXEC != 0, sv)
}

// installPair installs two new files as the lowest free guest fds and
// writes their numbers to the int[2] at addr (pipe, socketpair); on any
// failure both are released.
func (c *call) installPair(a, b *hostFile, cloexec bool, addr uint64) (uint64, linux.Errno) {
	p := c.p
	p.mu.Lock()
	limit := p.rlimits[linux.RLIMIT_NOFILE].Cur
	fa, e1 := p.fds.alloc(0, limit, a, cloexec)
	fb, e2 := int32(-1), linux.Errno(0)
	if e1 == 0 {
		if fb, e2 = p.fds.alloc(0, limit, b, cloexec); e2 != 0 {
			p.fds.remove(fa)
		}
	}
	p.mu.Unlock()
	if e1 != 0 || e2 != 0 {
		a.decRef()
		b.decRef()
		return 0, linux.EMFILE
	}
	var buf [8]byte
	le.PutUint32(buf[0:], uint32(fa))
	le.PutUint32(buf[4:], uint32(fb))
	if e := c.copyOut(addr, buf[:]); e != 0 {
		p.mu.Lock()
		p.fds.remove(fa)
		p.fds.remove(fb)
		p.mu.Unlock()
		a.decRef()
		b.decRef()
		return 0, e
	}
	return 0, 0
}

func sysBind(c *call) (uint64, linux.Errno) {
	f, e := c.socket(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	sa, e := c.readSockaddr(c.args.Pointer(1), c.args.Int(2))
	if e != 0 {
		return 0, e
	}
	_, _, errno := unix.Syscall(unix.SYS_BIND, uintptr(f.fd), uintptr(bptr(sa)), uintptr(len(sa)))
	return 0, hostErrno(errnoErr(errno))
}

func sysConnect(c *call) (uint64, linux.Errno) {
	f, e := c.file(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	sa, e := c.readSockaddr(c.args.Pointer(1), c.args.Int(2))
	if e != 0 {
		return 0, e
	}
	// Readiness does not apply before the connection exists (events 0).
	_, err := c.block(f, 0, func() (int, error) {
		_, _, errno := unix.Syscall(unix.SYS_CONNECT, uintptr(f.fd), uintptr(bptr(sa)), uintptr(len(sa)))
		return 0, errnoErr(errno)
	})
	return 0, hostErrno(err)
}

func sysListen(c *call) (uint64, linux.Errno) {
	f, e := c.socket(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	return 0, hostErrno(unix.Listen(f.fd, int(c.args.Int(1))))
}

func sysAccept(c *call) (uint64, linux.Errno) { return c.accept4(0) }

func sysAccept4(c *call) (uint64, linux.Errno) { return c.accept4(c.args.Int(3)) }

func (c *call) accept4(flags int32) (uint64, linux.Errno) {
	addr, lenAddr := c.args.Pointer(1), c.args.Pointer(2)
	if flags&^(linux.SOCK_CLOEXEC|linux.SOCK_NONBLOCK) != 0 {
		return 0, linux.EINVAL
	}
	f, e := c.socket(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	if !c.haveFreeFD(0) {
		return 0, linux.EMFILE
	}
	var sa [linux.SizeofSockaddrStorage]byte
	salen := uint32(len(sa))
	hfd, err := c.block(f, unix.POLLIN, func() (int, error) {
		salen = uint32(len(sa))
		r, _, errno := unix.Syscall6(unix.SYS_ACCEPT4, uintptr(f.fd), uintptr(unsafe.Pointer(&sa[0])),
			uintptr(unsafe.Pointer(&salen)), uintptr(hostSockFlags(flags)), 0, 0)
		return int(r), errnoErr(errno)
	})
	if err != nil {
		return 0, hostErrno(err)
	}
	nf := adoptFD(hfd)
	if addr != 0 {
		if e := c.writeSockaddr(sa[:min(int(salen), len(sa))], addr, lenAddr); e != 0 {
			nf.decRef() // the connection is dropped, as Linux drops it
			return 0, e
		}
	}
	return c.install(0, nf, flags&linux.SOCK_CLOEXEC != 0)
}

// sockName is getsockname and getpeername.
func (c *call) sockName(trap uintptr) (uint64, linux.Errno) {
	f, e := c.socket(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	var sa [linux.SizeofSockaddrStorage]byte
	salen := uint32(len(sa))
	_, _, errno := unix.Syscall(trap, uintptr(f.fd), uintptr(unsafe.Pointer(&sa[0])), uintptr(unsafe.Pointer(&salen)))
	if errno != 0 {
		return 0, hostErrno(errno)
	}
	return 0, c.writeSockaddr(sa[:min(int(salen), len(sa))], c.args.Pointer(1), c.args.Pointer(2))
}

func sysGetsockname(c *call) (uint64, linux.Errno) { return c.sockName(unix.SYS_GETSOCKNAME) }
func sysGetpeername(c *call) (uint64, linux.Errno) { return c.sockName(unix.SYS_GETPEERNAME) }

func sysShutdown(c *call) (uint64, linux.Errno) {
	f, e := c.socket(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	// SHUT_* are the same everywhere.
	return 0, hostErrno(unix.Shutdown(f.fd, int(c.args.Int(1))))
}

// hostMsgFlags passes MSG_* through (the same values on every Linux) and
// adds MSG_CMSG_CLOEXEC: received descriptors are close-on-exec on the host.
func hostMsgFlags(g int32) int { return int(uint32(g)) | unix.MSG_CMSG_CLOEXEC }

// msg is one message on its way to or from the host.
type msg struct {
	name    []byte // host-order socket address (send), or room for one (receive)
	data    []byte
	control []byte // host-order control messages
	flags   int32  // received msg_flags (guest values)
	held    []*hostFile
}

func (m *msg) release() {
	for _, f := range m.held {
		f.decRef()
	}
	m.held = nil
}

// hostSendmsg sends m on f with one host sendmsg.
func (c *call) hostSendmsg(f *hostFile, m *msg, flags int32) (int, error) {
	iov := unix.Iovec{Base: (*byte)(bptr(m.data))}
	iov.SetLen(len(m.data))
	h := unix.Msghdr{Name: (*byte)(bptr(m.name)), Namelen: uint32(len(m.name)), Iov: &iov, Control: (*byte)(bptr(m.control))}
	h.SetIovlen(1)
	h.SetControllen(len(m.control))
	op := func() (int, error) {
		r, _, errno := unix.Syscall(unix.SYS_SENDMSG, uintptr(f.fd), uintptr(unsafe.Pointer(&h)), uintptr(hostMsgFlags(flags)))
		return int(r), errnoErr(errno)
	}
	if flags&linux.MSG_DONTWAIT != 0 {
		return retryEINTR(op) // never waits
	}
	return c.block(f, unix.POLLOUT, op)
}

// hostRecvmsg receives into m's buffers; it trims name and control to
// what the host filled and sets m.flags.
func (c *call) hostRecvmsg(f *hostFile, m *msg, flags int32) (int, error) {
	iov := unix.Iovec{Base: (*byte)(bptr(m.data))}
	iov.SetLen(len(m.data))
	var h unix.Msghdr
	op := func() (int, error) {
		h = unix.Msghdr{Name: (*byte)(bptr(m.name)), Namelen: uint32(len(m.name)), Iov: &iov, Control: (*byte)(bptr(m.control))}
		h.SetIovlen(1)
		h.SetControllen(len(m.control))
		r, _, errno := unix.Syscall(unix.SYS_RECVMSG, uintptr(f.fd), uintptr(unsafe.Pointer(&h)), uintptr(hostMsgFlags(flags)))
		return int(r), errnoErr(errno)
	}
	var n int
	var err error
	if flags&linux.MSG_DONTWAIT != 0 {
		n, err = retryEINTR(op) // never waits
	} else {
		n, err = c.block(f, unix.POLLIN, op)
	}
	if err != nil {
		return 0, err
	}
	m.name = m.name[:min(int(h.Namelen), len(m.name))]
	m.control = m.control[:min(int(h.Controllen), len(m.control))]
	// The host saw MSG_CMSG_CLOEXEC whether or not the guest asked; Linux
	// reports it back exactly when asked.
	m.flags = h.Flags&^linux.MSG_CMSG_CLOEXEC | flags&linux.MSG_CMSG_CLOEXEC
	return n, nil
}

// sendData copies the guest's bytes for a send: EFAULT if none can be
// read; a fault part way sends the readable part on a stream socket.
func (c *call) sendData(f *hostFile, v *ioVec) ([]byte, linux.Errno) {
	buf := make([]byte, min(v.total, maxSockBuf))
	got, faulted := c.gather(v, buf)
	if faulted {
		t, err := unix.GetsockoptInt(f.fd, unix.SOL_SOCKET, unix.SO_TYPE)
		if got == 0 || err != nil || t != unix.SOCK_STREAM {
			return nil, linux.EFAULT
		}
	}
	return buf[:got], 0
}

// sendResult ends a send: SIGPIPE on EPIPE unless MSG_NOSIGNAL.
func (c *call) sendResult(n int, err error, flags int32) (uint64, linux.Errno) {
	if err != nil {
		if err == unix.EPIPE && flags&linux.MSG_NOSIGNAL == 0 {
			c.raise(linux.SIGPIPE)
		}
		return 0, hostErrno(err)
	}
	return uint64(n), 0
}

func sysSendto(c *call) (uint64, linux.Errno) {
	buf, length, flags, addr, addrlen := c.args.Pointer(1), c.args.SizeT(2), c.args.Int(3), c.args.Pointer(4), c.args.Int(5)
	length = min(length, linux.MAX_RW_COUNT)
	if !rangeOK(buf, length) {
		return 0, linux.EFAULT
	}
	f, e := c.socket(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	var m msg
	if addr != 0 {
		if m.name, e = c.readSockaddr(addr, addrlen); e != 0 {
			return 0, e
		}
	}
	if m.data, e = c.sendData(f, singleVec(buf, length)); e != 0 {
		return 0, e
	}
	n, err := c.hostSendmsg(f, &m, flags)
	return c.sendResult(n, err, flags)
}

func sysRecvfrom(c *call) (uint64, linux.Errno) {
	buf, length, flags, addr, lenAddr := c.args.Pointer(1), c.args.SizeT(2), c.args.Int(3), c.args.Pointer(4), c.args.Pointer(5)
	length = min(length, linux.MAX_RW_COUNT)
	if !rangeOK(buf, length) {
		return 0, linux.EFAULT
	}
	f, e := c.socket(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	// Receive no more than the guest's buffer can take: the rest stays
	// queued, as when the kernel's copy faults.
	room := c.writableVec(singleVec(buf, length), maxSockBuf)
	if room == 0 && length > 0 {
		return 0, linux.EFAULT
	}
	m := msg{data: make([]byte, room)}
	if addr != 0 {
		m.name = make([]byte, linux.SizeofSockaddrStorage)
	}
	n, err := c.hostRecvmsg(f, &m, flags)
	if err != nil {
		return 0, hostErrno(err)
	}
	copied := min(n, len(m.data)) // MSG_TRUNC reports more than it copies
	if got := c.scatter(singleVec(buf, length), m.data[:copied]); got < copied {
		if got == 0 {
			return 0, linux.EFAULT
		}
		n = got
	}
	if addr != 0 {
		if e := c.writeSockaddr(m.name, addr, lenAddr); e != 0 {
			return 0, e
		}
	}
	return uint64(n), 0
}

// guestMsghdr reads a struct msghdr as copy_msghdr_from_user does.
func (c *call) guestMsghdr(addr uint64) (linux.Msghdr, *ioVec, linux.Errno) {
	var h linux.Msghdr
	var b [linux.SizeofMsghdr]byte
	if e := c.readMem(addr, b[:]); e != 0 {
		return h, nil, e
	}
	h.Decode(b[:])
	if h.Name == 0 {
		h.Namelen = 0
	}
	if int32(h.Namelen) < 0 {
		return h, nil, linux.EINVAL
	}
	h.Namelen = min(h.Namelen, linux.SizeofSockaddrStorage)
	if h.Iovlen > linux.UIO_MAXIOV {
		return h, nil, linux.EMSGSIZE
	}
	v, e := c.readIovecs(h.Iov, h.Iovlen)
	if e != 0 {
		return h, nil, e
	}
	return h, v, 0
}

// sendmsg sends the message described by the guest msghdr at addr.
func (c *call) sendmsg(f *hostFile, addr uint64, flags int32) (uint64, linux.Errno) {
	h, v, e := c.guestMsghdr(addr)
	if e != 0 {
		return 0, e
	}
	var m msg
	defer m.release()
	if h.Namelen > 0 {
		if m.name, e = c.readSockaddr(h.Name, int32(h.Namelen)); e != 0 {
			return 0, e
		}
	}
	if h.Controllen > 1<<31-1 {
		return 0, linux.ENOBUFS
	}
	if h.Controllen > 0 {
		if e := c.hostControl(&m, h.Control, h.Controllen); e != 0 {
			return 0, e
		}
	}
	if v.total > 0 {
		if m.data, e = c.sendData(f, v); e != 0 {
			return 0, e
		}
	}
	n, err := c.hostSendmsg(f, &m, flags)
	return c.sendResult(n, err, flags)
}

// hostControl converts the guest's control messages for the host; the
// descriptors of SCM_RIGHTS become host descriptors, held in m until the
// send is over.
func (c *call) hostControl(m *msg, addr, length uint64) linux.Errno {
	raw, e := c.copyIn(addr, int(length))
	if e != 0 {
		return e
	}
	msgs, e := parseCmsgs(raw, le)
	if e != 0 {
		return e
	}
	var out []byte
	for _, cm := range msgs {
		data := append([]byte(nil), cm.data...)
		if cm.level == linux.SOL_SOCKET {
			switch cm.typ {
			case linux.SCM_RIGHTS:
				n := len(data) / 4
				if n > linux.SCM_MAX_FD {
					return linux.EINVAL
				}
				c.p.mu.Lock()
				for i := range n {
					f := c.p.fds.get(int32(le.Uint32(data[4*i:])))
					if f == nil {
						c.p.mu.Unlock()
						return linux.EBADF
					}
					f.incRef()
					m.held = append(m.held, f)
					ne.PutUint32(data[4*i:], uint32(f.fd))
				}
				c.p.mu.Unlock()
			case linux.SCM_CREDENTIALS:
				convertWords32(data, le, ne)
			}
		}
		out = appendCmsg(out, ne, cm.level, cm.typ, data)
	}
	m.control = out
	return 0
}

// recvmsg receives into the message described by the guest msghdr at addr
// and updates its msg_namelen, msg_controllen and msg_flags.
func (c *call) recvmsg(f *hostFile, addr uint64, flags int32) (uint64, linux.Errno) {
	h, v, e := c.guestMsghdr(addr)
	if e != 0 {
		return 0, e
	}
	room := c.writableVec(v, maxSockBuf)
	if room == 0 && v.total > 0 {
		return 0, linux.EFAULT
	}
	m := msg{data: make([]byte, room)}
	if h.Name != 0 {
		m.name = make([]byte, linux.SizeofSockaddrStorage)
	}
	if h.Controllen > 0 {
		// The layouts agree on 64-bit hosts, so a host buffer of the
		// guest's size truncates where the guest's would.
		m.control = make([]byte, min(h.Controllen, 1<<20))
	}
	n, err := c.hostRecvmsg(f, &m, flags)
	if err != nil {
		return 0, hostErrno(err)
	}
	copied := min(n, len(m.data))
	got := c.scatter(v, m.data[:copied])
	if got < copied {
		if got == 0 {
			c.closeReceived(m.control)
			return 0, linux.EFAULT
		}
		n = got
	}
	if h.Name != 0 {
		if e := c.writeSockaddr(m.name, h.Name, addr+8); e != 0 {
			c.closeReceived(m.control)
			return 0, e
		}
	}
	ctl, trunc := c.guestControl(m.control, flags&linux.MSG_CMSG_CLOEXEC != 0)
	if trunc {
		m.flags |= linux.MSG_CTRUNC
	}
	// The last message may have been cut to the buffer (no padding).
	ctl = ctl[:min(uint64(len(ctl)), h.Controllen)]
	if len(ctl) > 0 {
		c.copyOut(h.Control, ctl) // the kernel ignores a fault here too
	}
	var b [8]byte
	le.PutUint64(b[:], uint64(len(ctl)))
	if e := c.copyOut(addr+40, b[:]); e != 0 { // msg_controllen
		return 0, e
	}
	le.PutUint32(b[:], uint32(m.flags))
	if e := c.copyOut(addr+48, b[:4]); e != 0 { // msg_flags
		return 0, e
	}
	return uint64(n), 0
}

// guestControl converts received control messages for the guest: host
// descriptors in SCM_RIGHTS become new guest descriptors (trunc when the
// guest's table could not take them all, as scm_detach_fds sets
// MSG_CTRUNC).
func (c *call) guestControl(ctl []byte, cloexec bool) (out []byte, trunc bool) {
	msgs, e := parseCmsgs(ctl, ne)
	if e != 0 {
		return nil, true
	}
	for _, cm := range msgs {
		data := append([]byte(nil), cm.data...)
		if cm.level == linux.SOL_SOCKET {
			switch cm.typ {
			case linux.SCM_RIGHTS:
				n := len(data) / 4
				got := 0
				for i := range n {
					hf := adoptFD(int(ne.Uint32(data[4*i:])))
					if trunc {
						hf.decRef()
						continue
					}
					gfd, e := c.install(0, hf, cloexec)
					if e != 0 {
						trunc = true
						continue
					}
					le.PutUint32(data[4*got:], uint32(gfd))
					got++
				}
				if got == 0 {
					continue
				}
				data = data[:4*got]
			case linux.SCM_CREDENTIALS:
				convertWords32(data, ne, le)
			}
		}
		out = appendCmsg(out, le, cm.level, cm.typ, data)
	}
	return out, trunc
}

// closeReceived closes the descriptors of received SCM_RIGHTS messages
// that will not reach the guest.
func (c *call) closeReceived(ctl []byte) {
	msgs, _ := parseCmsgs(ctl, ne)
	for _, cm := range msgs {
		if cm.level == linux.SOL_SOCKET && cm.typ == linux.SCM_RIGHTS {
			for i := 0; i+4 <= len(cm.data); i += 4 {
				unix.Close(int(ne.Uint32(cm.data[i:])))
			}
		}
	}
}

func sysSendmsg(c *call) (uint64, linux.Errno) {
	f, e := c.socket(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	return c.sendmsg(f, c.args.Pointer(1), c.args.Int(2))
}

func sysRecvmsg(c *call) (uint64, linux.Errno) {
	f, e := c.socket(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	return c.recvmsg(f, c.args.Pointer(1), c.args.Int(2))
}

func sysSendmmsg(c *call) (uint64, linux.Errno) {
	vec, vlen, flags := c.args.Pointer(1), min(c.args.Uint(2), linux.MaxMmsg), c.args.Int(3)
	f, e := c.socket(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	done := uint64(0)
	for ; done < uint64(vlen); done++ {
		entry := vec + done*linux.SizeofMmsghdr
		n, e := c.sendmsg(f, entry, flags)
		if e == 0 {
			e = c.writeU32(entry+56, uint32(n))
		}
		if e != 0 {
			if done == 0 {
				return 0, e
			}
			break
		}
	}
	return done, 0
}

func sysRecvmmsg(c *call) (uint64, linux.Errno) {
	vec, vlen, flags, tsAddr := c.args.Pointer(1), min(c.args.Uint(2), linux.MaxMmsg), c.args.Int(3), c.args.Pointer(4)
	var deadline time.Time
	if tsAddr != 0 {
		ts, e := c.readTimespec(tsAddr)
		if e != 0 {
			return 0, e
		}
		if !ts.Valid() {
			return 0, linux.EINVAL
		}
		deadline = time.Now().Add(tsDuration(ts))
	}
	f, e := c.socket(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	done := uint64(0)
	for ; done < uint64(vlen); done++ {
		fl := flags &^ linux.MSG_WAITFORONE
		if done > 0 && flags&linux.MSG_WAITFORONE != 0 {
			fl |= linux.MSG_DONTWAIT
		}
		entry := vec + done*linux.SizeofMmsghdr
		n, e := c.recvmsg(f, entry, fl)
		if e == 0 {
			e = c.writeU32(entry+56, uint32(n))
		}
		if e != 0 {
			if done == 0 {
				return 0, e
			}
			break
		}
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			done++
			break
		}
	}
	if tsAddr != 0 {
		c.writeTimespec(tsAddr, durationTS(time.Until(deadline)))
	}
	return done, 0
}
