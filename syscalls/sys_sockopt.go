package syscalls

import (
	"encoding/binary"
	"unsafe"

	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
)

// setsockopt and getsockopt. Levels and option names are the same numbers
// on every host gemu supports; values are converted by shape: a 4-byte
// value is an int, the options below have known structures, and anything
// else (strings, IP addresses, tcp_info...) passes as bytes. Options whose
// value holds a guest pointer are translated (socket filters) or refused
// (TCP_ZEROCOPY_RECEIVE, which would map pages into gemu itself).

// maxOptLen bounds the host buffer of one socket option.
const maxOptLen = 64 << 10

// optShape is the layout of an option value.
type optShape uint8

const (
	shapeBytes   optShape = iota // opaque (or a single int when 4 bytes)
	shapeInts                    // an array of 32-bit ints (linger, ucred)
	shapeLongs                   // an array of 64-bit longs (timeouts)
	shapeErrno                   // SO_ERROR: an int holding a host errno
	shapeFilter                  // struct sock_fprog
	shapeRefused                 // never passed to the host
)

func sockoptShape(level, name int32) optShape {
	switch level {
	case linux.SOL_SOCKET:
		switch name {
		case linux.SO_LINGER, linux.SO_PEERCRED:
			return shapeInts
		case linux.SO_RCVTIMEO_OLD, linux.SO_SNDTIMEO_OLD, linux.SO_RCVTIMEO_NEW, linux.SO_SNDTIMEO_NEW:
			return shapeLongs
		case linux.SO_ERROR:
			return shapeErrno
		case linux.SO_ATTACH_FILTER, linux.SO_ATTACH_REUSEPORT_CBPF:
			return shapeFilter
		case linux.SO_ATTACH_BPF, linux.SO_ATTACH_REUSEPORT_EBPF, linux.SO_PEERPIDFD:
			// Values that are descriptors of kinds gemu cannot create.
			return shapeRefused
		}
	case linux.SOL_TCP:
		if name == linux.TCP_ZEROCOPY_RECEIVE {
			return shapeRefused
		}
	}
	return shapeBytes
}

// convertOpt rewrites an option value between byte orders.
func convertOpt(b []byte, shape optShape, toHost bool) {
	var from, to binary.ByteOrder = le, ne
	if !toHost {
		from, to = ne, le
	}
	switch {
	case shape == shapeLongs:
		for i := 0; i+8 <= len(b); i += 8 {
			to.PutUint64(b[i:], from.Uint64(b[i:]))
		}
	case shape == shapeInts || len(b) == 4:
		convertWords32(b, from, to)
	}
}

func sysSetsockopt(c *call) (uint64, linux.Errno) {
	level, name, val, optlen := c.args.Int(1), c.args.Int(2), c.args.Pointer(3), c.args.Int(4)
	f, e := c.socket(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	if optlen < 0 {
		return 0, linux.EINVAL
	}
	shape := sockoptShape(level, name)
	switch shape {
	case shapeRefused:
		return 0, linux.EINVAL
	case shapeFilter:
		return c.setFilter(f, level, name, val, optlen)
	}
	// The protocol reads what it needs of the value: copy what is
	// readable, and let the host judge a value shorter than it needs.
	b := make([]byte, min(int(optlen), maxOptLen))
	n := c.readPartial(val, b)
	if n < len(b) && n < 4 {
		return 0, linux.EFAULT // every option value is at least an int
	}
	b = b[:n]
	convertOpt(b, shape, true)
	_, _, errno := unix.Syscall6(unix.SYS_SETSOCKOPT, uintptr(f.fd), uintptr(level), uintptr(name),
		uintptr(bptr(b)), uintptr(len(b)), 0)
	return 0, hostErrno(errnoErr(errno))
}

// setFilter attaches a classic BPF program: the struct sock_fprog holds a
// guest pointer to the instructions, which are copied into host memory.
func (c *call) setFilter(f *hostFile, level, name int32, val uint64, optlen int32) (uint64, linux.Errno) {
	if optlen < linux.SizeofSockFprog {
		return 0, linux.EINVAL
	}
	var b [linux.SizeofSockFprog]byte
	if e := c.readMem(val, b[:]); e != 0 {
		return 0, e
	}
	count := le.Uint16(b[0:])
	raw, e := c.copyIn(le.Uint64(b[8:]), int(count)*linux.SizeofSockFilter)
	if e != 0 {
		return 0, e
	}
	insns := make([]unix.SockFilter, count)
	for i := range insns {
		r := raw[i*linux.SizeofSockFilter:]
		insns[i] = unix.SockFilter{Code: le.Uint16(r[0:]), Jt: r[2], Jf: r[3], K: le.Uint32(r[4:])}
	}
	prog := unix.SockFprog{Len: count}
	if count > 0 {
		prog.Filter = &insns[0]
	}
	return 0, hostErrno(unix.SetsockoptSockFprog(f.fd, int(level), int(name), &prog))
}

func sysGetsockopt(c *call) (uint64, linux.Errno) {
	level, name, val, lenAddr := c.args.Int(1), c.args.Int(2), c.args.Pointer(3), c.args.Pointer(4)
	f, e := c.socket(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	ulen, e := c.readU32(lenAddr)
	if e != 0 {
		return 0, e
	}
	if int32(ulen) < 0 {
		return 0, linux.EINVAL
	}
	shape := sockoptShape(level, name)
	if shape == shapeRefused {
		return 0, linux.ENOPROTOOPT
	}
	b := make([]byte, min(int(ulen), maxOptLen))
	blen := uint32(len(b))
	_, _, errno := unix.Syscall6(unix.SYS_GETSOCKOPT, uintptr(f.fd), uintptr(level), uintptr(name),
		uintptr(bptr(b)), uintptr(unsafe.Pointer(&blen)), 0)
	if errno != 0 {
		return 0, hostErrno(errno)
	}
	out := b[:min(int(blen), len(b))]
	if shape == shapeErrno && len(out) == 4 {
		var g linux.Errno
		if v := ne.Uint32(out); v != 0 {
			g = hostErrno(unix.Errno(v))
		}
		le.PutUint32(out, uint32(g))
	} else {
		convertOpt(out, shape, false)
	}
	if e := c.copyOut(val, out); e != 0 {
		return 0, e
	}
	return 0, c.writeU32(lenAddr, blen)
}
