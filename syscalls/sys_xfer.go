package syscalls

import (
	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
)

// In-kernel copies between descriptors: sendfile, copy_file_range, splice
// and tee. The data never passes through guest memory; only the optional
// loff_t offsets do, read before the call and written back after it.

// readOff reads an optional loff_t argument; nil for a NULL pointer.
func (c *call) readOff(addr uint64) (*int64, linux.Errno) {
	if addr == 0 {
		return nil, 0
	}
	v, e := c.readU64(addr)
	if e != 0 {
		return nil, e
	}
	off := int64(v)
	return &off, 0
}

// writeOff writes an offset back when its pointer was given.
func (c *call) writeOff(addr uint64, off *int64) linux.Errno {
	if addr == 0 || off == nil {
		return 0
	}
	return c.writeU64(addr, uint64(*off))
}

// xferResult is the common ending: the count moved, or the error, and
// EFAULT when the offset cannot be written back (the data has moved).
func (c *call) xferResult(n int, err error, addrs [2]uint64, offs [2]*int64) (uint64, linux.Errno) {
	if err != nil {
		return 0, hostErrno(err)
	}
	for i := range addrs {
		if e := c.writeOff(addrs[i], offs[i]); e != 0 {
			return 0, e
		}
	}
	return uint64(n), 0
}

func sysSendfile(c *call) (uint64, linux.Errno) {
	outFD, inFD, offAddr, count := c.args.FD(0), c.args.FD(1), c.args.Pointer(2), c.args.SizeT(3)
	off, e := c.readOff(offAddr)
	if e != 0 {
		return 0, e
	}
	in, e := c.file(inFD)
	if e != 0 {
		return 0, e
	}
	out, e := c.file(outFD)
	if e != 0 {
		return 0, e
	}
	n, err := c.block(out, unix.POLLOUT, func() (int, error) {
		return unix.Sendfile(out.fd, in.fd, off, int(min(count, linux.MAX_SPLICE_COUNT)))
	})
	if err == unix.EPIPE {
		c.raise(linux.SIGPIPE)
	}
	return c.xferResult(n, err, [2]uint64{offAddr}, [2]*int64{off})
}

func sysCopyFileRange(c *call) (uint64, linux.Errno) {
	inFD, inOffAddr, outFD, outOffAddr := c.args.FD(0), c.args.Pointer(1), c.args.FD(2), c.args.Pointer(3)
	length, flags := c.args.SizeT(4), c.args.Uint(5)
	in, e := c.file(inFD)
	if e != 0 {
		return 0, e
	}
	out, e := c.file(outFD)
	if e != 0 {
		return 0, e
	}
	inOff, e := c.readOff(inOffAddr)
	if e != 0 {
		return 0, e
	}
	outOff, e := c.readOff(outOffAddr)
	if e != 0 {
		return 0, e
	}
	if flags != 0 {
		return 0, linux.EINVAL
	}
	n, err := retryEINTR(func() (int, error) {
		return unix.CopyFileRange(in.fd, inOff, out.fd, outOff, int(min(length, linux.MAX_SPLICE_COUNT)), 0)
	})
	return c.xferResult(n, err, [2]uint64{inOffAddr, outOffAddr}, [2]*int64{inOff, outOff})
}

func sysSplice(c *call) (uint64, linux.Errno) {
	inFD, inOffAddr, outFD, outOffAddr := c.args.FD(0), c.args.Pointer(1), c.args.FD(2), c.args.Pointer(3)
	length, flags := c.args.SizeT(4), c.args.Uint(5)
	if length == 0 {
		return 0, 0
	}
	if flags&^(linux.SPLICE_F_MOVE|linux.SPLICE_F_NONBLOCK|linux.SPLICE_F_MORE|linux.SPLICE_F_GIFT) != 0 {
		return 0, linux.EINVAL
	}
	in, e := c.file(inFD)
	if e != 0 {
		return 0, e
	}
	out, e := c.file(outFD)
	if e != 0 {
		return 0, e
	}
	inOff, e := c.readOff(inOffAddr)
	if e != 0 {
		return 0, e
	}
	outOff, e := c.readOff(outOffAddr)
	if e != 0 {
		return 0, e
	}
	// SPLICE_F_* are the same on every architecture.
	n, err := c.block(in, unix.POLLIN, func() (int, error) {
		n, err := unix.Splice(in.fd, inOff, out.fd, outOff, int(min(length, linux.MAX_SPLICE_COUNT)), int(flags))
		return int(n), err
	})
	if err == unix.EPIPE {
		c.raise(linux.SIGPIPE)
	}
	return c.xferResult(n, err, [2]uint64{inOffAddr, outOffAddr}, [2]*int64{inOff, outOff})
}

func sysTee(c *call) (uint64, linux.Errno) {
	inFD, outFD, length, flags := c.args.FD(0), c.args.FD(1), c.args.SizeT(2), c.args.Uint(3)
	if flags&^(linux.SPLICE_F_MOVE|linux.SPLICE_F_NONBLOCK|linux.SPLICE_F_MORE|linux.SPLICE_F_GIFT) != 0 {
		return 0, linux.EINVAL
	}
	if length == 0 {
		return 0, 0
	}
	in, e := c.file(inFD)
	if e != 0 {
		return 0, e
	}
	out, e := c.file(outFD)
	if e != 0 {
		return 0, e
	}
	n, err := c.block(in, unix.POLLIN, func() (int, error) {
		n, err := unix.Tee(in.fd, out.fd, int(min(length, linux.MAX_SPLICE_COUNT)), int(flags))
		return int(n), err
	})
	return c.xferResult(n, err, [2]uint64{}, [2]*int64{})
}
