package mmu

import (
	"errors"
	"os"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// backing is the Space's own reference to a mapped file: a close-on-exec
// duplicate of the caller's descriptor, shared by every VMA split from one
// Map call. It is closed when no guest page refers to it any more.
type backing struct {
	fd       int
	dev, ino uint64
	regular  bool          // a regular file: pages wholly beyond its end fault with FaultBus
	pages    atomic.Uint64 // guest pages of VMAs that use this backing (of every Space: Clone shares it)
}

// openBacking dups f's descriptor and records what Map needs to know about it.
func openBacking(f *os.File) (*backing, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, ErrInvalid // EBADF-like: the file is closed
	}
	fd := -1
	var dupErr error
	if err := rc.Control(func(h uintptr) {
		fd, dupErr = unix.FcntlInt(h, unix.F_DUPFD_CLOEXEC, 0)
	}); err != nil || dupErr != nil {
		return nil, ErrInvalid
	}
	b := &backing{fd: fd}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, ErrInvalid
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		b.regular = true
	case unix.S_IFCHR, unix.S_IFBLK:
	default: // pipes, sockets, directories have no mmap in Linux
		unix.Close(fd)
		return nil, ErrNoDevice
	}
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil || fl&unix.O_ACCMODE == unix.O_WRONLY {
		// Linux needs read access for any file mapping.
		unix.Close(fd)
		return nil, ErrAccess
	}
	b.dev, b.ino = uint64(st.Dev), uint64(st.Ino)
	return b, nil
}

func (b *backing) acquire(pages uint64) { b.pages.Add(pages) }

// release drops pages references and closes the descriptor at zero.
func (b *backing) release(pages uint64) error {
	if b.pages.Add(-pages) == 0 && b.fd >= 0 {
		err := unix.Close(b.fd)
		b.fd = -1
		return err
	}
	return nil
}

// beyondEOF reports whether the page at file offset off lies wholly beyond
// the end of a regular file (Linux raises SIGBUS there).
func (b *backing) beyondEOF(off uint64) bool {
	if !b.regular {
		return false
	}
	var st unix.Stat_t
	if err := unix.Fstat(b.fd, &st); err != nil {
		return true
	}
	return off >= uint64(st.Size)
}

// readPage fills dst from the file at off; bytes past the end read as zero.
func (b *backing) readPage(dst *[PageSize]byte, off uint64) error {
	n := 0
	for n < PageSize {
		m, err := unix.Pread(b.fd, dst[n:], int64(off)+int64(n))
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return err
		}
		if m == 0 {
			break
		}
		n += m
	}
	clear(dst[n:])
	return nil
}

// hostRegion is a host mmap(MAP_SHARED) of a file whose bytes are the guest
// pages of a shared file mapping. It is unmapped when no guest page of any
// VMA refers to it.
type hostRegion struct {
	mem   []byte
	pages atomic.Uint64 // guest pages referring to mem, in every Space (Clone shares it)
}

// mapHost maps [off, off+length) of b shared into the host. The host mapping
// starts at off rounded down to the host page size; the returned delta is the
// offset of file offset off inside mem.
func mapHost(b *backing, off, length uint64, writable bool, hostPage uint64) (*hostRegion, uint64, error) {
	base := off &^ (hostPage - 1)
	delta := off - base
	size := (delta + length + hostPage - 1) &^ (hostPage - 1)
	prot := unix.PROT_READ
	if writable {
		prot |= unix.PROT_WRITE
	}
	if size > uint64(maxInt) || base > uint64(maxInt64) {
		return nil, 0, ErrNoMemory
	}
	mem, err := unix.Mmap(b.fd, int64(base), int(size), prot, unix.MAP_SHARED)
	switch {
	case err == nil:
	case errors.Is(err, unix.EACCES), errors.Is(err, unix.EPERM):
		return nil, 0, ErrAccess
	case errors.Is(err, unix.ENODEV):
		return nil, 0, ErrNoDevice
	case errors.Is(err, unix.EINVAL), errors.Is(err, unix.EOVERFLOW):
		return nil, 0, ErrInvalid
	default:
		return nil, 0, ErrNoMemory
	}
	return &hostRegion{mem: mem}, delta, nil
}

func (h *hostRegion) acquire(pages uint64) { h.pages.Add(pages) }

// release drops pages references and unmaps the host memory at zero.
// Preconditions: no page table entry or TLB entry points into the released pages.
func (h *hostRegion) release(pages uint64) error {
	if h.pages.Add(-pages) == 0 && h.mem != nil {
		err := unix.Munmap(h.mem)
		h.mem = nil
		return err
	}
	return nil
}

// page returns the guest page at byte offset off of the host memory.
func (h *hostRegion) page(off uint64) *[PageSize]byte {
	return (*[PageSize]byte)(h.mem[off : off+PageSize])
}

const (
	maxInt   = int(^uint(0) >> 1)
	maxInt64 = 1<<63 - 1
)
