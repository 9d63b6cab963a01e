package mmu

// SetBrk sets the initial program break (page-aligned end of the loaded image).
func (s *Space) SetBrk(start uint64) { s.brkStart, s.brk = start, start }

// Brk implements brk(2): it moves the break to addr if possible and returns
// the resulting break, the exact byte value asked for on success. An addr
// of 0, below the initial break or above UserTop returns the break
// unchanged. Growing maps anonymous read-write "[heap]" pages between the
// page-rounded old and new breaks, provided they and the guard page after
// the new break are free (Linux keeps that page between the heap and the
// next mapping), else the break stays. Shrinking unmaps the pages freed.
// Before SetBrk (or with an initial break below MinAddr) there is no heap
// and the break never moves.
func (s *Space) Brk(addr uint64) uint64 {
	if addr == 0 || addr < s.brkStart || addr > UserTop || s.brkStart < MinAddr {
		return s.brk
	}
	oldTop, _ := pageAlignUp(s.brk)
	newTop, _ := pageAlignUp(addr)
	switch {
	case newTop > oldTop:
		if newTop > UserTop-PageSize || !s.isFree(oldTop, newTop+PageSize) {
			return s.brk
		}
		v := vma{start: oldTop, end: newTop, perm: PermRead | PermWrite, name: "[heap]"}
		s.add(v)
		s.coalesce()
		s.flushTLBs()
	case newTop < oldTop:
		s.removeRange(newTop, oldTop)
	}
	s.brk = addr
	return addr
}
