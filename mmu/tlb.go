package mmu

import (
	"encoding/binary"
	"slices"
)

const (
	tlbBits = 8
	tlbSize = 1 << tlbBits
	tlbMask = tlbSize - 1
)

// tlbEntry caches one page: base is its page-aligned address and page its
// bytes. The hit test is `addr ^ base <= PageSize - size`, which checks in
// one comparison that addr lies in the page and that the access does not
// cross its end. An empty slot i holds the address of a page whose slot is
// not i, so no address that indexes slot i can ever match it.
type tlbEntry struct {
	base uint64
	page *[PageSize]byte
}

// TLB is one vCPU's software TLB in front of the page table: direct-mapped,
// with a read side and a write side. A page enters the write side only when
// its mapping is writable and untagged and the page is neither code-marked
// nor copy-on-write, so a write-side hit can store with no further check.
// Every change to mappings, permissions, tags or code marks flushes (or, for
// MarkCode, evicts from) every TLB the Space has registered.
type TLB struct {
	rd, wr [tlbSize]tlbEntry
	space  *Space
	cpu    int
	store1 Store // scratch for tag handlers (see store)
}

// Release unregisters the TLB from its Space; it must not be used afterwards
// (its accesses then fault as unmapped).
func (t *TLB) Release() {
	if s := t.space; s != nil {
		for i, u := range s.tlbs {
			if u == t {
				s.tlbs = slices.Delete(s.tlbs, i, i+1)
				break
			}
		}
	}
	t.space = nil
	t.Flush()
}

// Flush empties the TLB.
func (t *TLB) Flush() {
	for i := range t.rd {
		other := uint64((i+1)&tlbMask) << PageShift
		t.rd[i] = tlbEntry{base: other}
		t.wr[i] = tlbEntry{base: other}
	}
}

// evictWrite drops the page at base from the write side.
func (t *TLB) evictWrite(base uint64) {
	i := base >> PageShift & tlbMask
	if t.wr[i].base == base {
		t.wr[i] = tlbEntry{base: uint64((i+1)&tlbMask) << PageShift}
	}
}

// The fast paths below are small enough for the compiler to inline; every
// miss, page-crossing access, fault, tag or code mark goes to the slow path
// through callRead/callWrite (see there for why).

// Read8 loads one byte.
func (t *TLB) Read8(addr uint64) (v uint64, err error) {
	e := &t.rd[addr>>PageShift&tlbMask]
	if off := addr ^ e.base; off < PageSize {
		v = uint64(e.page[off])
	} else {
		v, err = callRead(t.readSlow, addr, 1)
	}
	return
}

// Read16 loads a little-endian 16-bit value.
func (t *TLB) Read16(addr uint64) (v uint64, err error) {
	e := &t.rd[addr>>PageShift&tlbMask]
	if off := addr ^ e.base; off <= PageSize-2 {
		v = uint64(binary.LittleEndian.Uint16(e.page[off:]))
	} else {
		v, err = callRead(t.readSlow, addr, 2)
	}
	return
}

// Read32 loads a little-endian 32-bit value.
func (t *TLB) Read32(addr uint64) (v uint64, err error) {
	e := &t.rd[addr>>PageShift&tlbMask]
	if off := addr ^ e.base; off <= PageSize-4 {
		v = uint64(binary.LittleEndian.Uint32(e.page[off:]))
	} else {
		v, err = callRead(t.readSlow, addr, 4)
	}
	return
}

// Read64 loads a little-endian 64-bit value.
func (t *TLB) Read64(addr uint64) (v uint64, err error) {
	e := &t.rd[addr>>PageShift&tlbMask]
	if off := addr ^ e.base; off <= PageSize-8 {
		v = binary.LittleEndian.Uint64(e.page[off:])
	} else {
		v, err = callRead(t.readSlow, addr, 8)
	}
	return
}

// Read128 loads a little-endian 128-bit value as two halves.
func (t *TLB) Read128(addr uint64) (lo, hi uint64, err error) {
	e := &t.rd[addr>>PageShift&tlbMask]
	if off := addr ^ e.base; off <= PageSize-16 {
		return binary.LittleEndian.Uint64(e.page[off:]), binary.LittleEndian.Uint64(e.page[off+8:]), nil
	}
	var b [16]byte
	if err := t.load(addr, b[:]); err != nil {
		return 0, 0, err
	}
	return binary.LittleEndian.Uint64(b[:]), binary.LittleEndian.Uint64(b[8:]), nil
}

// Write8 stores the low byte of v.
func (t *TLB) Write8(addr, v uint64) (err error) {
	e := &t.wr[addr>>PageShift&tlbMask]
	if off := addr ^ e.base; off < PageSize {
		e.page[off] = byte(v)
	} else {
		err = callWrite(t.writeSlow, addr, v, 1)
	}
	return
}

// Write16 stores the low 16 bits of v, little-endian.
func (t *TLB) Write16(addr, v uint64) (err error) {
	e := &t.wr[addr>>PageShift&tlbMask]
	if off := addr ^ e.base; off <= PageSize-2 {
		binary.LittleEndian.PutUint16(e.page[off:], uint16(v))
	} else {
		err = callWrite(t.writeSlow, addr, v, 2)
	}
	return
}

// Write32 stores the low 32 bits of v, little-endian.
func (t *TLB) Write32(addr, v uint64) (err error) {
	e := &t.wr[addr>>PageShift&tlbMask]
	if off := addr ^ e.base; off <= PageSize-4 {
		binary.LittleEndian.PutUint32(e.page[off:], uint32(v))
	} else {
		err = callWrite(t.writeSlow, addr, v, 4)
	}
	return
}

// Write64 stores v, little-endian.
func (t *TLB) Write64(addr, v uint64) (err error) {
	e := &t.wr[addr>>PageShift&tlbMask]
	if off := addr ^ e.base; off <= PageSize-8 {
		binary.LittleEndian.PutUint64(e.page[off:], v)
	} else {
		err = callWrite(t.writeSlow, addr, v, 8)
	}
	return
}

// Write128 stores the 128-bit value hi:lo, little-endian.
func (t *TLB) Write128(addr, lo, hi uint64) error {
	e := &t.wr[addr>>PageShift&tlbMask]
	if off := addr ^ e.base; off <= PageSize-16 {
		binary.LittleEndian.PutUint64(e.page[off:], lo)
		binary.LittleEndian.PutUint64(e.page[off+8:], hi)
		return nil
	}
	return t.store(addr, 16, lo, hi)
}

type (
	readSlowFn  func(addr uint64, size int) (uint64, error)
	writeSlowFn func(addr, v uint64, size int) error
)

// callRead and callWrite call the slow path through a function parameter.
// The Go inliner charges 57 for a call to a function it cannot inline but
// only 17 for a call to a parameter, and the fast paths fit its budget of 80
// only the second way. Once these are inlined the compiler builds the method
// value t.readSlow on the stack: no allocation, one indirect call on a miss.
func callRead(f readSlowFn, addr uint64, size int) (v uint64, err error) {
	v, err = f(addr, size)
	return
}

func callWrite(f writeSlowFn, addr, v uint64, size int) (err error) {
	err = f(addr, v, size)
	return
}

// readSlow loads size (1..8) bytes through the page table.
func (t *TLB) readSlow(addr uint64, size int) (uint64, error) {
	var b [8]byte
	if err := t.load(addr, b[:size]); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b[:]), nil
}

// load fills p from guest memory at addr (at most two pages), entering each
// page in the read side; a fault on the second page leaves p unspecified.
func (t *TLB) load(addr uint64, p []byte) error {
	s := t.space
	if s == nil {
		return fault(addr, AccessRead, FaultUnmapped)
	}
	n1 := min(len(p), PageSize-int(addr&PageMask))
	_, e1, f := s.pageFor(addr, AccessRead)
	if f != nil {
		return f
	}
	t.fillRead(addr, e1)
	copy(p, e1.data[addr&PageMask:])
	if n1 == len(p) {
		return nil
	}
	a2 := addr + uint64(n1)
	_, e2, f := s.pageFor(a2, AccessRead)
	if f != nil {
		return f
	}
	t.fillRead(a2, e2)
	copy(p[n1:], e2.data[:])
	return nil
}

func (t *TLB) fillRead(addr uint64, e *pte) {
	base := addr &^ PageMask
	t.rd[base>>PageShift&tlbMask] = tlbEntry{base: base, page: e.data}
}

// fillWrite enters the page in the write side if a store there needs no check.
func (t *TLB) fillWrite(addr uint64, v *vma, e *pte) {
	if v.tag != nil || e.flags&(pteCode|pteCOW) != 0 || v.perm&PermWrite == 0 {
		return
	}
	base := addr &^ PageMask
	t.wr[base>>PageShift&tlbMask] = tlbEntry{base: base, page: e.data}
}

// writeSlow stores the low size (1..8) bytes of v through the page table.
func (t *TLB) writeSlow(addr, v uint64, size int) error {
	return t.store(addr, size, v, 0)
}

// store stores size bytes of hi:lo at addr through the page table.
// Both pages of a crossing store are checked, and tag handlers run, before
// any byte lands, so a faulting store changes nothing. Code marks are
// cleared and the observer told after the bytes land, before return.
func (t *TLB) store(addr uint64, size int, lo, hi uint64) error {
	s := t.space
	if s == nil {
		return fault(addr, AccessWrite, FaultUnmapped)
	}
	n1 := min(size, PageSize-int(addr&PageMask))
	a2 := addr + uint64(n1)
	v1, e1, v2, e2, f := s.storePages(addr, a2, n1 < size)
	if f != nil {
		return f
	}
	if tag1, tag2 := v1.tag, tagOf(v2); tag1 != nil || tag2 != nil {
		// The TLB's own scratch Store: a handler gets a pointer that is
		// valid during the call, and trapped stores do not allocate.
		st := &t.store1
		*st = Store{Addr: addr, Size: size, Lo: lo, Hi: hi, CPU: t.cpu}
		if size < 16 {
			st.Lo &= 1<<(8*size) - 1
			st.Hi = 0
		}
		if tag1 != nil {
			if err := tag1.TrapStore(s, st); err != nil {
				return err
			}
		}
		if tag2 != nil && !sameTag(tag1, tag2) {
			if err := tag2.TrapStore(s, st); err != nil {
				return err
			}
		}
		// A handler may have changed the space (the tag swap, or more):
		// resolve again, without running handlers a second time.
		if v1, e1, v2, e2, f = s.storePages(addr, a2, n1 < size); f != nil {
			return f
		}
	}
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:], lo)
	binary.LittleEndian.PutUint64(b[8:], hi)
	copy(e1.data[addr&PageMask:], b[:n1])
	if e2 != nil {
		copy(e2.data[:], b[n1:size])
	}
	code1 := e1.flags&pteCode != 0
	code2 := e2 != nil && e2.flags&pteCode != 0
	e1.flags &^= pteCode
	t.fillRead(addr, e1)
	t.fillWrite(addr, v1, e1)
	if e2 != nil {
		e2.flags &^= pteCode
		t.fillRead(a2, e2)
		t.fillWrite(a2, v2, e2)
	}
	// The TLB is filled before the observer runs: anything it changes
	// (MarkCode again, Unmap) flushes or evicts the fresh entries.
	if s.obs != nil {
		if code1 {
			base := addr &^ PageMask
			s.obs.CodeChanged(base, base+PageSize)
		}
		if code2 {
			s.obs.CodeChanged(a2, a2+PageSize)
		}
	}
	return nil
}

// storePages resolves the pages of a store at a1 (and at a2 when it
// crosses into a second page) for writing.
func (s *Space) storePages(a1, a2 uint64, cross bool) (v1 *vma, e1 *pte, v2 *vma, e2 *pte, f *Fault) {
	if v1, e1, f = s.pageFor(a1, AccessWrite); f != nil || !cross {
		return
	}
	v2, e2, f = s.pageFor(a2, AccessWrite)
	return
}

func tagOf(v *vma) Tag {
	if v == nil {
		return nil
	}
	return v.tag
}

// ReadSpan returns the n bytes at addr for reading, straight from the
// page, entering the page in the read side on a miss. The span must not
// cross a page (addr&PageMask + n <= PageSize). ok is false when the page
// cannot be read (the caller's element-by-element path then raises the
// fault); nothing is changed then. The slice is only valid until the next
// change to the address space.
func (t *TLB) ReadSpan(addr uint64, n int) (b []byte, ok bool) {
	e := &t.rd[addr>>PageShift&tlbMask]
	off := addr ^ e.base
	if off > PageSize-uint64(n) {
		s := t.space
		if s == nil || addr&PageMask+uint64(n) > PageSize {
			return nil, false
		}
		_, pe, f := s.pageFor(addr, AccessRead)
		if f != nil {
			return nil, false
		}
		t.fillRead(addr, pe)
		off = addr & PageMask
	}
	return e.page[off : off+uint64(n)], true
}

// WriteSpan returns the n bytes at addr for writing, straight from the
// page, as ReadSpan does. It succeeds only where a store needs no check
// (the page is or can enter the write side: writable, untagged, not code,
// copy-on-write already broken), so writing the bytes is exactly what
// stores would do; ok is false otherwise, with nothing guest-visible
// changed.
func (t *TLB) WriteSpan(addr uint64, n int) (b []byte, ok bool) {
	e := &t.wr[addr>>PageShift&tlbMask]
	off := addr ^ e.base
	if off > PageSize-uint64(n) {
		s := t.space
		if s == nil || addr&PageMask+uint64(n) > PageSize {
			return nil, false
		}
		v, pe, f := s.pageFor(addr, AccessWrite)
		if f != nil {
			return nil, false
		}
		t.fillWrite(addr, v, pe)
		if off = addr ^ e.base; off > PageSize-uint64(n) {
			return nil, false // tagged or code: stores take the slow path
		}
	}
	return e.page[off : off+uint64(n)], true
}
