package syscalls

import (
	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
)

// Data transfer on descriptors: read, write and their vector and
// positional forms, lseek, getdents64, sync and truncate by fd.
//
// Large transfers go through a bounded host buffer: a regular file is read
// or written chunk by chunk until done or short; any other file gets one
// host read (a second could block) but as many writes as needed, exactly
// like a blocking write on Linux.

// ioVec walks a list of guest buffers.
type ioVec struct {
	segs  []linux.Iovec
	i     int    // current segment
	off   uint64 // offset in it
	total uint64 // bytes in all segments (capped at MAX_RW_COUNT)
}

func singleVec(addr, n uint64) *ioVec {
	n = min(n, linux.MAX_RW_COUNT)
	return &ioVec{segs: []linux.Iovec{{Base: addr, Len: n}}, total: n}
}

// probe performs a zero-length transfer: it reports the descriptor's own
// errors (EBADF for the wrong access mode, EISDIR, ESPIPE for a positional
// call on a pipe), which Linux gives before looking at the buffer.
//
// A zero-length transfer never waits, so it calls the host directly.
func probe(f *hostFile, write bool, off int64, positional bool) linux.Errno {
	_, err := retryEINTR(func() (int, error) {
		switch {
		case write && positional:
			return unix.Pwrite(f.fd, nil, off)
		case write:
			return unix.Write(f.fd, nil)
		case positional:
			return unix.Pread(f.fd, nil, off)
		}
		return unix.Read(f.fd, nil)
	})
	return hostErrno(err)
}

// earlyErrno is the error of a transfer whose buffers fail access_ok (or
// whose iovec array is bad): only the checks vfs_read/vfs_write make before
// access_ok can win over e.
func earlyErrno(f *hostFile, write bool, off int64, positional bool, e linux.Errno) linux.Errno {
	switch pe := probe(f, write, off, positional); pe {
	case linux.EBADF, linux.EINVAL, linux.ESPIPE:
		return pe
	}
	return e
}

// preflight settles transfers that fail before any byte moves: nothing to
// transfer, or a first buffer outside user space or unmapped. done says
// the call is over with errno e.
func (c *call) preflight(f *hostFile, v *ioVec, write bool, off int64, positional bool) (e linux.Errno, done bool) {
	if v.total == 0 {
		return probe(f, write, off, positional), true
	}
	for _, s := range v.segs {
		if s.Len == 0 {
			continue
		}
		if !rangeOK(s.Base, s.Len) {
			return earlyErrno(f, write, off, positional, linux.EFAULT), true
		}
		// A write reads the guest's buffer; a read writes it.
		var b [1]byte
		if (write && c.readPartial(s.Base, b[:]) == 1) || (!write && c.writableLen(s.Base, 1) == 1) {
			return 0, false
		}
		// An unmapped buffer faults in the copy, after the file's own checks.
		if pe := probe(f, write, off, positional); pe != 0 {
			return pe, true
		}
		return linux.EFAULT, true
	}
	return 0, false
}

// scatter copies b into the guest buffers and returns the bytes that landed
// before a fault.
func (c *call) scatter(v *ioVec, b []byte) int {
	done := 0
	for len(b) > 0 && v.i < len(v.segs) {
		s := v.segs[v.i]
		n := int(min(uint64(len(b)), s.Len-v.off))
		got := c.writePartial(s.Base+v.off, b[:n])
		done += got
		v.off += uint64(got)
		if got < n {
			return done
		}
		b = b[n:]
		if v.off == s.Len {
			v.i, v.off = v.i+1, 0
		}
	}
	return done
}

// gather fills b from the guest buffers; it returns the bytes read and
// whether a fault stopped it early.
func (c *call) gather(v *ioVec, b []byte) (int, bool) {
	done := 0
	for len(b) > 0 && v.i < len(v.segs) {
		s := v.segs[v.i]
		n := int(min(uint64(len(b)), s.Len-v.off))
		got := c.readPartial(s.Base+v.off, b[:n])
		done += got
		v.off += uint64(got)
		if got < n {
			return done, true
		}
		b = b[n:]
		if v.off == s.Len {
			v.i, v.off = v.i+1, 0
		}
	}
	return done, false
}

// hostRead reads from f into b (at off when positional); it may wait.
func (c *call) hostRead(f *hostFile, b []byte, off int64, positional bool) (int, error) {
	// A positional transfer never waits for readiness: files that allow it
	// do not block, and pipes refuse it (ESPIPE) at once.
	events := int16(unix.POLLIN)
	if positional {
		events = 0
	}
	return c.block(f, events, func() (int, error) {
		if positional {
			return unix.Pread(f.fd, b, off)
		}
		return unix.Read(f.fd, b)
	})
}

// hostWrite writes b to f (at off when positional); it may wait.
func (c *call) hostWrite(f *hostFile, b []byte, off int64, positional bool) (int, error) {
	events := int16(unix.POLLOUT)
	if positional {
		events = 0
	}
	return c.block(f, events, func() (int, error) {
		if positional {
			return unix.Pwrite(f.fd, b, off)
		}
		return unix.Write(f.fd, b)
	})
}

// doRead reads from f into v (at off when positional).
func (c *call) doRead(f *hostFile, v *ioVec, off int64, positional bool) (uint64, linux.Errno) {
	if e, done := c.preflight(f, v, false, off, positional); done {
		return 0, e
	}
	buf := make([]byte, min(v.total, chunkSize))
	regular := f.regular()
	// What a pipe, socket or terminal hands over cannot be given back, so
	// such a read asks for no more than the guest's buffers can take (the
	// kernel leaves the rest in the pipe).
	limit := v.total
	if !regular {
		limit = c.writableVec(v, chunkSize)
	}
	var done uint64
	for {
		want := min(limit-done, chunkSize)
		n, err := c.hostRead(f, buf[:want], off+int64(done), positional)
		if err != nil {
			if done > 0 {
				return done, 0
			}
			return 0, hostErrno(err)
		}
		f.conv.toGuest(buf[:n])
		got := c.scatter(v, buf[:n])
		done += uint64(got)
		if got < n {
			// Give back what did not land, as the kernel never consumes it.
			if regular && !positional {
				unix.Seek(f.fd, int64(got-n), unix.SEEK_CUR)
			}
			if done == 0 {
				return 0, linux.EFAULT
			}
			return done, 0
		}
		if uint64(n) < want || !regular || done == v.total {
			return done, 0
		}
	}
}

// doWrite writes v to f (at off when positional).
func (c *call) doWrite(f *hostFile, v *ioVec, off int64, positional bool) (uint64, linux.Errno) {
	if e, done := c.preflight(f, v, true, off, positional); done {
		return 0, e
	}
	buf := make([]byte, min(v.total, chunkSize))
	var done uint64
	for {
		want := min(v.total-done, chunkSize)
		got, faulted := c.gather(v, buf[:want])
		if got == 0 && faulted {
			if done > 0 {
				return done, 0
			}
			return 0, linux.EFAULT
		}
		f.conv.toHost(buf[:got])
		n, err := c.hostWrite(f, buf[:got], off+int64(done), positional)
		if err != nil {
			if done > 0 {
				return done, 0
			}
			if err == unix.EPIPE {
				c.raise(linux.SIGPIPE)
			}
			return 0, hostErrno(err)
		}
		done += uint64(n)
		if n < got || faulted || done >= v.total {
			return done, 0
		}
	}
}

func sysRead(c *call) (uint64, linux.Errno) {
	f, e := c.file(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	return c.doRead(f, singleVec(c.args.Pointer(1), c.args.SizeT(2)), 0, false)
}

func sysWrite(c *call) (uint64, linux.Errno) {
	f, e := c.file(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	return c.doWrite(f, singleVec(c.args.Pointer(1), c.args.SizeT(2)), 0, false)
}

func sysPread64(c *call) (uint64, linux.Errno) {
	off := c.args.OffT(3)
	if off < 0 {
		return 0, linux.EINVAL
	}
	f, e := c.file(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	return c.doRead(f, singleVec(c.args.Pointer(1), c.args.SizeT(2)), off, true)
}

func sysPwrite64(c *call) (uint64, linux.Errno) {
	off := c.args.OffT(3)
	if off < 0 {
		return 0, linux.EINVAL
	}
	f, e := c.file(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	return c.doWrite(f, singleVec(c.args.Pointer(1), c.args.SizeT(2)), off, true)
}

// readIovecs reads a guest iovec array as import_iovec does.
func (c *call) readIovecs(addr uint64, cnt uint64) (*ioVec, linux.Errno) {
	if cnt > linux.UIO_MAXIOV {
		return nil, linux.EINVAL
	}
	raw, e := c.copyIn(addr, int(cnt)*linux.SizeofIovec)
	if e != 0 {
		return nil, e
	}
	v := &ioVec{segs: make([]linux.Iovec, cnt)}
	for i := range v.segs {
		s := &v.segs[i]
		s.Decode(raw[i*linux.SizeofIovec:])
		if int64(s.Len) < 0 {
			return nil, linux.EINVAL
		}
		if !rangeOK(s.Base, s.Len) {
			return nil, linux.EFAULT
		}
		if s.Len > linux.MAX_RW_COUNT-v.total {
			s.Len = linux.MAX_RW_COUNT - v.total
		}
		v.total += s.Len
	}
	return v, 0
}

// vecCall is the common body of readv, writev, preadv and pwritev.
func (c *call) vecCall(write, positional bool) (uint64, linux.Errno) {
	var off int64
	if positional {
		// preadv/pwritev pass the offset split in two longs (low, high);
		// on x86-64 the low one holds all 64 bits.
		off = c.args.OffT(3)
		if off < 0 {
			return 0, linux.EINVAL
		}
	}
	f, e := c.file(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	v, e := c.readIovecs(c.args.Pointer(1), c.args.Ulong(2))
	if e != 0 {
		return 0, earlyErrno(f, write, off, positional, e)
	}
	if write {
		return c.doWrite(f, v, off, positional)
	}
	return c.doRead(f, v, off, positional)
}

func sysReadv(c *call) (uint64, linux.Errno)   { return c.vecCall(false, false) }
func sysWritev(c *call) (uint64, linux.Errno)  { return c.vecCall(true, false) }
func sysPreadv(c *call) (uint64, linux.Errno)  { return c.vecCall(false, true) }
func sysPwritev(c *call) (uint64, linux.Errno) { return c.vecCall(true, true) }

func sysLseek(c *call) (uint64, linux.Errno) {
	f, e := c.file(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	whence := c.args.Uint(2)
	if whence > linux.SEEK_HOLE {
		return 0, linux.EINVAL
	}
	if f.synth != nil {
		return f.synth.seek(c.args.OffT(1), whence)
	}
	hw := [...]int{unix.SEEK_SET, unix.SEEK_CUR, unix.SEEK_END, unix.SEEK_DATA, unix.SEEK_HOLE}[whence]
	off, err := unix.Seek(f.fd, c.args.OffT(1), hw)
	if err != nil {
		return 0, hostErrno(err)
	}
	return uint64(off), 0
}

// sysGetdents64 passes linux_dirent64 records through (their layout is the
// same on every architecture). If the guest buffer faults part way, the
// records that landed are returned and the directory is repositioned after
// the last of them, as the kernel does.
func sysGetdents64(c *call) (uint64, linux.Errno) {
	f, e := c.file(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	buf, count := c.args.Pointer(1), uint64(c.args.Uint(2))
	if !rangeOK(buf, count) {
		return 0, linux.EFAULT
	}
	if f.synth != nil {
		return c.synthGetdents(f, buf, count, false)
	}
	start, err := unix.Seek(f.fd, 0, unix.SEEK_CUR)
	if err != nil {
		start = -1
	}
	hb := make([]byte, min(count, chunkSize))
	n, err := retryEINTR(func() (int, error) { return unix.Getdents(f.fd, hb) })
	if err != nil {
		return 0, hostErrno(err)
	}
	return c.copyDirents(f, buf, hb[:n], start)
}

func sysFsync(c *call) (uint64, linux.Errno) {
	f, e := c.file(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	return 0, hostErrno(unix.Fsync(f.fd))
}

func sysFdatasync(c *call) (uint64, linux.Errno) {
	f, e := c.file(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	return 0, hostErrno(unix.Fdatasync(f.fd))
}

func sysFtruncate(c *call) (uint64, linux.Errno) {
	f, e := c.file(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	return 0, hostErrno(unix.Ftruncate(f.fd, c.args.OffT(1)))
}
