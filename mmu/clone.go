package mmu

// Clone returns the address space of a forked process: the same mappings,
// with every private page shared copy-on-write between s and the copy (the
// first store on either side copies the page, so each sees only its own
// stores) and every shared page — MAP_SHARED anonymous memory and the host
// mmap'd pages of shared file mappings — shared for good. The cost is a
// walk of the materialised pages: no page data is copied.
//
// Shared anonymous pages are materialised in s before the copy, so that
// both spaces hold the same page from the start (a page touched later in
// only one of them would otherwise be private to it). Tags are kept: a
// tagged mapping traps stores in both spaces. Code marks and TLBs are not
// copied; s's TLBs are flushed, since its private pages became
// copy-on-write. The copy has no code observer and no TLBs.
//
// Preconditions: nothing else uses s during the call.
func (s *Space) Clone() *Space {
	n := &Space{hostPage: s.hostPage, brkStart: s.brkStart, brk: s.brk}
	n.vmas = make([]vma, len(s.vmas))
	for i := range s.vmas {
		v := &s.vmas[i]
		if v.shared && v.file == nil {
			for a := v.start; a < v.end; a += PageSize {
				s.materialise(v, a, AccessRead) // anonymous: cannot fault
			}
		}
		n.vmas[i] = *v
		n.vmas[i].acquire()
		shared := v.shared
		s.pt.walk(v.start>>PageShift, v.end>>PageShift, func(vpn uint64, e *pte) {
			if !shared {
				e.flags |= pteCOW
			}
			n.pt.insert(vpn, e.data, e.flags&pteCOW)
		})
	}
	s.flushTLBs()
	return n
}

// breakCOW gives e a private copy of its data. Every TLB
// of the space may still hold the shared data for reads, so they are
// flushed.
func (s *Space) breakCOW(e *pte) {
	d := new([PageSize]byte)
	*d = *e.data
	e.data = d
	e.flags &^= pteCOW
	s.flushTLBs()
}
