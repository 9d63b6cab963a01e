package syscalls

import (
	"bufio"
	"net"
	"strconv"
	"testing"

	"gemu/internal/abi/linux"
)

// sockaddrIn builds a guest struct sockaddr_in for 127.0.0.1:port.
func (e *env) sockaddrIn(port uint16) uint64 {
	b := make([]byte, linux.SizeofSockaddrIn)
	le.PutUint16(b, linux.AF_INET)
	b[2], b[3] = byte(port>>8), byte(port)
	copy(b[4:], []byte{127, 0, 0, 1})
	a := e.alloc(len(b))
	e.poke(a, b)
	return a
}

// TestTCPLoopback serves a native Go client from a guest socket: bind,
// listen, getsockname, accept4 with the peer's address, recvfrom, sendto,
// shutdown.
func TestTCPLoopback(t *testing.T) {
	e := newEnv(t)
	s := e.ok(linux.SYS_SOCKET, linux.AF_INET, linux.SOCK_STREAM|linux.SOCK_CLOEXEC, 0)
	one := e.alloc(4)
	e.poke(one, []byte{1, 0, 0, 0})
	e.ok(linux.SYS_SETSOCKOPT, s, linux.SOL_SOCKET, linux.SO_REUSEADDR, one, 4)
	e.ok(linux.SYS_BIND, s, e.sockaddrIn(0), linux.SizeofSockaddrIn)
	e.ok(linux.SYS_LISTEN, s, 1)
	name, nameLen := e.alloc(128), e.alloc(4)
	e.poke(nameLen, []byte{128, 0, 0, 0})
	e.ok(linux.SYS_GETSOCKNAME, s, name, nameLen)
	if got := e.u32(nameLen); got != linux.SizeofSockaddrIn {
		t.Errorf("getsockname length %d", got)
	}
	raw := e.peek(name, 16)
	if le.Uint16(raw) != linux.AF_INET || string(raw[4:8]) != "\x7f\x00\x00\x01" {
		t.Errorf("getsockname: % x", raw)
	}
	port := int(raw[2])<<8 | int(raw[3])
	// SO_TYPE and SO_ACCEPTCONN are ints.
	val, valLen := e.alloc(4), e.alloc(4)
	e.poke(valLen, []byte{4, 0, 0, 0})
	e.ok(linux.SYS_GETSOCKOPT, s, linux.SOL_SOCKET, linux.SO_TYPE, val, valLen)
	if e.u32(val) != linux.SOCK_STREAM || e.u32(valLen) != 4 {
		t.Errorf("SO_TYPE %d len %d", e.u32(val), e.u32(valLen))
	}

	done := make(chan string)
	go func() {
		conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			done <- err.Error()
			return
		}
		defer conn.Close()
		conn.Write([]byte("hello guest\n"))
		line, _ := bufio.NewReader(conn).ReadString('\n')
		done <- line
	}()
	peer, peerLen := e.alloc(128), e.alloc(4)
	e.poke(peerLen, []byte{8, 0, 0, 0}) // shorter than the address: truncated
	c := e.ok(linux.SYS_ACCEPT4, s, peer, peerLen, linux.SOCK_CLOEXEC)
	if got := e.u32(peerLen); got != linux.SizeofSockaddrIn {
		t.Errorf("accept4 address length %d, want the full %d", got, linux.SizeofSockaddrIn)
	}
	if p := e.peek(peer, 8); le.Uint16(p) != linux.AF_INET || string(p[4:8]) != "\x7f\x00\x00\x01" {
		t.Errorf("peer % x", p)
	}
	buf := e.alloc(64)
	n := e.ok(linux.SYS_RECVFROM, c, buf, 64, 0, 0, 0)
	if got := string(e.peek(buf, int(n))); got != "hello guest\n" {
		t.Errorf("recvfrom %q", got)
	}
	reply := e.str("hello host\n")
	if n := e.ok(linux.SYS_SENDTO, c, reply, 11, linux.MSG_NOSIGNAL, 0, 0); n != 11 {
		t.Errorf("sendto %d", n)
	}
	if got := <-done; got != "hello host\n" {
		t.Errorf("client got %q", got)
	}
	// The client has closed: end of stream, and SO_ERROR is 0.
	if n := e.ok(linux.SYS_RECVFROM, c, buf, 64, 0, 0, 0); n != 0 {
		t.Errorf("recvfrom after close: %d", n)
	}
	e.ok(linux.SYS_GETSOCKOPT, c, linux.SOL_SOCKET, linux.SO_ERROR, val, valLen)
	if e.u32(val) != 0 {
		t.Errorf("SO_ERROR %d", e.u32(val))
	}
	e.ok(linux.SYS_SHUTDOWN, c, linux.SHUT_RDWR)
	e.ok(linux.SYS_CLOSE, c)
}

// TestSocketErrors checks the kernel's order of checks: flags, EBADF,
// ENOTSOCK, then the address.
func TestSocketErrors(t *testing.T) {
	e := newEnv(t)
	fds := e.alloc(8)
	e.ok(linux.SYS_PIPE, fds)
	pipe := uint64(e.u32(fds))
	s := e.ok(linux.SYS_SOCKET, linux.AF_INET, linux.SOCK_STREAM, 0)
	addr := e.sockaddrIn(0)
	cases := []struct {
		name string
		nr   linux.Sysno
		args []uint64
		want linux.Errno
	}{
		{"socket bad flags", linux.SYS_SOCKET, []uint64{linux.AF_INET, linux.SOCK_STREAM | 0x100, 0}, linux.EINVAL},
		{"socket bad family", linux.SYS_SOCKET, []uint64{9999, linux.SOCK_STREAM, 0}, linux.EAFNOSUPPORT},
		{"accept4 bad flags", linux.SYS_ACCEPT4, []uint64{s, 0, 0, 1}, linux.EINVAL},
		{"accept on a pipe", linux.SYS_ACCEPT, []uint64{pipe, 0, 0}, linux.ENOTSOCK},
		{"accept on a closed fd", linux.SYS_ACCEPT, []uint64{99, 0, 0}, linux.EBADF},
		{"bind on a pipe, bad address", linux.SYS_BIND, []uint64{pipe, badAddr, 16}, linux.ENOTSOCK},
		{"bind address too long", linux.SYS_BIND, []uint64{s, addr, 129}, linux.EINVAL},
		{"bind negative length", linux.SYS_BIND, []uint64{s, addr, neg(-1)}, linux.EINVAL},
		{"connect on a pipe, bad address", linux.SYS_CONNECT, []uint64{pipe, badAddr, 16}, linux.EFAULT},
		{"listen on a pipe", linux.SYS_LISTEN, []uint64{pipe, 1}, linux.ENOTSOCK},
		{"getsockopt negative length", linux.SYS_GETSOCKOPT, []uint64{s, linux.SOL_SOCKET, linux.SO_TYPE, e.alloc(4), e.str("\xff\xff\xff\xff")}, linux.EINVAL},
		{"setsockopt negative length", linux.SYS_SETSOCKOPT, []uint64{s, linux.SOL_SOCKET, linux.SO_REUSEADDR, e.alloc(4), neg(-1)}, linux.EINVAL},
		{"sendmsg iovlen > UIO_MAXIOV", linux.SYS_SENDMSG, []uint64{s, e.msghdr(0, 0, 1025), 0}, linux.EMSGSIZE},
		{"shutdown bad how", linux.SYS_SHUTDOWN, []uint64{s, 7}, linux.EINVAL},
	}
	for _, c := range cases {
		if got := e.errno(c.nr, c.args...); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got.Name(), c.want.Name())
		}
	}
}

// msghdr places a struct msghdr with the given iovec array and count.
func (e *env) msghdr(iov, control, iovlen uint64) uint64 {
	return e.msghdrFull(0, 0, iov, iovlen, control, 0)
}

func (e *env) msghdrFull(name uint64, namelen uint32, iov, iovlen, control, controllen uint64) uint64 {
	h := linux.Msghdr{Name: name, Namelen: namelen, Iov: iov, Iovlen: iovlen, Control: control, Controllen: controllen}
	b := make([]byte, linux.SizeofMsghdr)
	h.Encode(b)
	a := e.alloc(len(b))
	e.poke(a, b)
	return a
}

func (e *env) iovec(base, n uint64) uint64 {
	v := linux.Iovec{Base: base, Len: n}
	b := make([]byte, linux.SizeofIovec)
	v.Encode(b)
	a := e.alloc(len(b))
	e.poke(a, b)
	return a
}

// TestSCMRights passes a pipe's read end over a socketpair: the receiver
// gets a new guest descriptor for the same pipe; with a control buffer too
// small for it, MSG_CTRUNC and no descriptor.
func TestSCMRights(t *testing.T) {
	e := newEnv(t)
	sv := e.alloc(8)
	e.ok(linux.SYS_SOCKETPAIR, linux.AF_UNIX, linux.SOCK_STREAM, 0, sv)
	a, b := uint64(e.u32(sv)), uint64(e.u32(sv+4))
	pfds := e.alloc(8)
	e.ok(linux.SYS_PIPE, pfds)
	pr, pw := uint64(e.u32(pfds)), uint64(e.u32(pfds+4))
	e.ok(linux.SYS_WRITE, pw, e.str("through"), 7)

	send := func(fd uint64) {
		t.Helper()
		ctl := make([]byte, 24)
		cm := linux.Cmsghdr{Len: 20, Level: linux.SOL_SOCKET, Type: linux.SCM_RIGHTS}
		cm.Encode(ctl)
		le.PutUint32(ctl[16:], uint32(fd))
		ca := e.alloc(24)
		e.poke(ca, ctl)
		if n := e.ok(linux.SYS_SENDMSG, a, e.msghdrFull(0, 0, e.iovec(e.str("x"), 1), 1, ca, 24), 0); n != 1 {
			t.Fatalf("sendmsg %d", n)
		}
	}
	send(pr)
	data, ctl := e.alloc(8), e.alloc(64)
	msg := e.msghdrFull(0, 0, e.iovec(data, 8), 1, ctl, 64)
	if n := e.ok(linux.SYS_RECVMSG, b, msg, linux.MSG_CMSG_CLOEXEC); n != 1 {
		t.Fatalf("recvmsg %d", n)
	}
	var h linux.Msghdr
	h.Decode(e.peek(msg, linux.SizeofMsghdr))
	var cm linux.Cmsghdr
	cm.Decode(e.peek(ctl, linux.SizeofCmsghdr))
	// msg_flags reports MSG_CMSG_CLOEXEC back, as Linux does.
	if h.Controllen != 24 || cm.Len != 20 || cm.Level != linux.SOL_SOCKET || cm.Type != linux.SCM_RIGHTS || h.Flags != linux.MSG_CMSG_CLOEXEC {
		t.Fatalf("msghdr %+v cmsg %+v", h, cm)
	}
	got := uint64(e.u32(ctl + 16))
	if got == pr || got > 100 {
		t.Errorf("received fd %d (sent %d)", got, pr)
	}
	if fl := e.ok(linux.SYS_FCNTL, got, linux.F_GETFD); fl != linux.FD_CLOEXEC {
		t.Errorf("MSG_CMSG_CLOEXEC: F_GETFD %d", fl)
	}
	buf := e.alloc(16)
	if n := e.ok(linux.SYS_READ, got, buf, 16); string(e.peek(buf, int(n))) != "through" {
		t.Errorf("read from the received fd: %q", e.peek(buf, int(n)))
	}
	// A control buffer smaller than one header: MSG_CTRUNC, controllen 0,
	// and the descriptor is not installed.
	send(pw)
	before := e.ok(linux.SYS_DUP, 0)
	e.ok(linux.SYS_CLOSE, before)
	msg = e.msghdrFull(0, 0, e.iovec(data, 8), 1, ctl, 15)
	e.ok(linux.SYS_RECVMSG, b, msg, 0)
	h.Decode(e.peek(msg, linux.SizeofMsghdr))
	if h.Flags&linux.MSG_CTRUNC == 0 || h.Controllen != 0 {
		t.Errorf("small control buffer: %+v", h)
	}
	if next := e.ok(linux.SYS_DUP, 0); next != before {
		t.Errorf("a descriptor was installed anyway (next free %d, was %d)", next, before)
	}
	// A bad descriptor in SCM_RIGHTS is EBADF.
	cmb := make([]byte, 24)
	bad := linux.Cmsghdr{Len: 20, Level: linux.SOL_SOCKET, Type: linux.SCM_RIGHTS}
	bad.Encode(cmb)
	le.PutUint32(cmb[16:], 77)
	ca := e.alloc(24)
	e.poke(ca, cmb)
	if got := e.errno(linux.SYS_SENDMSG, a, e.msghdrFull(0, 0, e.iovec(e.str("x"), 1), 1, ca, 24), 0); got != linux.EBADF {
		t.Errorf("SCM_RIGHTS with a closed fd: %v", got.Name())
	}
	// A cmsg_len beyond the buffer is EINVAL.
	bad.Len = 64
	bad.Encode(cmb)
	e.poke(ca, cmb)
	if got := e.errno(linux.SYS_SENDMSG, a, e.msghdrFull(0, 0, e.iovec(e.str("x"), 1), 1, ca, 24), 0); got != linux.EINVAL {
		t.Errorf("bad cmsg_len: %v", got.Name())
	}
}

// TestDatagramAddresses sends between two Unix datagram sockets bound to
// paths and checks the sender's address recvfrom reports.
func TestDatagramAddresses(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	sun := func(path string) (uint64, uint64) {
		b := make([]byte, 2+len(path)+1)
		le.PutUint16(b, linux.AF_UNIX)
		copy(b[2:], path)
		a := e.alloc(len(b))
		e.poke(a, b)
		return a, uint64(len(b))
	}
	s1 := e.ok(linux.SYS_SOCKET, linux.AF_UNIX, linux.SOCK_DGRAM, 0)
	s2 := e.ok(linux.SYS_SOCKET, linux.AF_UNIX, linux.SOCK_DGRAM, 0)
	a1, l1 := sun(dir + "/one")
	a2, l2 := sun(dir + "/two")
	e.ok(linux.SYS_BIND, s1, a1, l1)
	e.ok(linux.SYS_BIND, s2, a2, l2)
	if n := e.ok(linux.SYS_SENDTO, s1, e.str("dgram"), 5, 0, a2, l2); n != 5 {
		t.Fatalf("sendto %d", n)
	}
	buf, from, fromLen := e.alloc(16), e.alloc(128), e.alloc(4)
	e.poke(fromLen, []byte{128, 0, 0, 0})
	n := e.ok(linux.SYS_RECVFROM, s2, buf, 16, 0, from, fromLen)
	if string(e.peek(buf, int(n))) != "dgram" {
		t.Errorf("recvfrom %q", e.peek(buf, int(n)))
	}
	if got := e.u32(fromLen); uint64(got) != l1 {
		t.Errorf("from length %d, want %d", got, l1)
	}
	if p := e.peek(from, int(l1)); le.Uint16(p) != linux.AF_UNIX || string(p[2:l1-1]) != dir+"/one" {
		t.Errorf("from %q", p)
	}
	// Nothing queued: MSG_DONTWAIT is EAGAIN at once.
	if got := e.errno(linux.SYS_RECVFROM, s2, buf, 16, linux.MSG_DONTWAIT, 0, 0); got != linux.EAGAIN {
		t.Errorf("empty socket with MSG_DONTWAIT: %v", got.Name())
	}
}
