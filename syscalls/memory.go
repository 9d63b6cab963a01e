package syscalls

import (
	"bytes"
	"encoding/binary"

	"gemu/internal/abi/linux"
	"gemu/mmu"
)

var le = binary.LittleEndian

// Guest memory access. Every helper turns a fault into EFAULT; none writes
// outside guest memory or panics on a bad pointer.

// chunkSize bounds the host buffer of one step of a large read or write.
const chunkSize = 1 << 20

// copyIn reads n bytes of guest memory at addr.
func (c *call) copyIn(addr uint64, n int) ([]byte, linux.Errno) {
	b := make([]byte, n)
	if e := c.readMem(addr, b); e != 0 {
		return nil, e
	}
	return b, 0
}

// readMem fills b from guest memory at addr.
func (c *call) readMem(addr uint64, b []byte) linux.Errno {
	if len(b) == 0 {
		return 0
	}
	if !rangeOK(addr, uint64(len(b))) {
		return linux.EFAULT
	}
	if _, err := c.p.mem.ReadAt(b, addr); err != nil {
		return linux.EFAULT
	}
	return 0
}

// copyOut writes b to guest memory at addr.
func (c *call) copyOut(addr uint64, b []byte) linux.Errno {
	if len(b) == 0 {
		return 0
	}
	if !rangeOK(addr, uint64(len(b))) {
		return linux.EFAULT
	}
	if _, err := c.p.mem.WriteAt(b, addr); err != nil {
		return linux.EFAULT
	}
	return 0
}

// writePartial writes b at addr and returns how many bytes landed before
// the first fault (copy_to_user's contract).
func (c *call) writePartial(addr uint64, b []byte) int {
	if len(b) == 0 || addr >= mmu.UserTop {
		return 0
	}
	if rem := mmu.UserTop - addr; uint64(len(b)) > rem {
		b = b[:rem]
	}
	n, err := c.p.mem.WriteAt(b, addr)
	if err == nil {
		return len(b)
	}
	return n
}

// readPartial fills b from addr and returns how many bytes were readable
// before the first fault (copy_from_user's contract).
func (c *call) readPartial(addr uint64, b []byte) int {
	if len(b) == 0 || addr >= mmu.UserTop {
		return 0
	}
	if rem := mmu.UserTop - addr; uint64(len(b)) > rem {
		b = b[:rem]
	}
	n, err := c.p.mem.ReadAt(b, addr)
	if err == nil {
		return len(b)
	}
	return n
}

// rangeOK is the kernel's access_ok: [addr, addr+n) lies in user space.
func rangeOK(addr, n uint64) bool {
	return addr < mmu.UserTop && n <= mmu.UserTop-addr
}

func (c *call) readU32(addr uint64) (uint32, linux.Errno) {
	var b [4]byte
	if e := c.readMem(addr, b[:]); e != 0 {
		return 0, e
	}
	return le.Uint32(b[:]), 0
}

func (c *call) writeU32(addr uint64, v uint32) linux.Errno {
	var b [4]byte
	le.PutUint32(b[:], v)
	return c.copyOut(addr, b[:])
}

func (c *call) readU64(addr uint64) (uint64, linux.Errno) {
	var b [8]byte
	if e := c.readMem(addr, b[:]); e != 0 {
		return 0, e
	}
	return le.Uint64(b[:]), 0
}

func (c *call) writeU64(addr uint64, v uint64) linux.Errno {
	var b [8]byte
	le.PutUint64(b[:], v)
	return c.copyOut(addr, b[:])
}

// path reads a NUL-terminated path as the kernel's getname does: EFAULT if
// a byte before the NUL is unreadable, ENAMETOOLONG if there is no NUL within
// PATH_MAX bytes, ENOENT for the empty string.
func (c *call) path(addr uint64) (string, linux.Errno) {
	s, e := c.pathOrEmpty(addr)
	if e == 0 && s == "" {
		return "", linux.ENOENT
	}
	return s, e
}

// pathOrEmpty is path allowing "" (for AT_EMPTY_PATH).
func (c *call) pathOrEmpty(addr uint64) (string, linux.Errno) {
	var buf [linux.PATH_MAX]byte
	n := c.readPartial(addr, buf[:])
	if i := bytes.IndexByte(buf[:n], 0); i >= 0 {
		return string(buf[:i]), 0
	}
	if n < len(buf) {
		return "", linux.EFAULT
	}
	return "", linux.ENAMETOOLONG
}

// readTimespec reads a struct timespec.
func (c *call) readTimespec(addr uint64) (linux.Timespec, linux.Errno) {
	var b [linux.SizeofTimespec]byte
	var ts linux.Timespec
	if e := c.readMem(addr, b[:]); e != 0 {
		return ts, e
	}
	ts.Decode(b[:])
	return ts, 0
}

// writeTimespec writes a struct timespec.
func (c *call) writeTimespec(addr uint64, ts linux.Timespec) linux.Errno {
	var b [linux.SizeofTimespec]byte
	ts.Encode(b[:])
	return c.copyOut(addr, b[:])
}

// writableLen returns how many of the n bytes at addr the guest may write
// (its writable mappings, page permissions as of now).
func (c *call) writableLen(addr, n uint64) uint64 {
	if n == 0 || !rangeOK(addr, 1) {
		return 0
	}
	end := addr + min(n, mmu.UserTop-addr)
	at := addr
	for _, r := range c.p.mem.Mappings() {
		if r.End <= at {
			continue
		}
		if r.Start > at || r.Perm&mmu.PermWrite == 0 {
			break
		}
		at = r.End
		if at >= end {
			return n
		}
	}
	return at - addr
}

// writableVec returns how many bytes of v, from its current position and
// at most max, the guest may write before the first unwritable byte.
func (c *call) writableVec(v *ioVec, max uint64) uint64 {
	var total uint64
	off := v.off
	for _, s := range v.segs[v.i:] {
		if total >= max {
			break
		}
		want := min(s.Len-off, max-total)
		got := c.writableLen(s.Base+off, want)
		total += got
		if got < want {
			break
		}
		off = 0
	}
	return total
}
