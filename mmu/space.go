package mmu

import "os"

// Space is one guest address space: a sorted list of VMAs (the source of
// truth) and a page table of the pages materialised so far.
type Space struct {
	vmas     []vma
	pt       pageTable
	tlbs     []*TLB
	obs      CodeObserver
	brkStart uint64 // initial break (SetBrk)
	brk      uint64 // current break, the exact byte value last granted
	hostPage uint64 // host page size: alignment of host mmaps
	err      error  // first error releasing a host resource, reported by Close
}

// NewSpace returns an empty address space.
func NewSpace() *Space {
	return &Space{hostPage: uint64(os.Getpagesize())}
}

// Close releases host resources (host mmaps, dup'd files) and leaves the
// Space empty. It returns the first error met releasing any of them, now or
// during an earlier unmap.
func (s *Space) Close() error {
	s.pt = pageTable{}
	s.flushTLBs()
	for i := range s.vmas {
		s.keepErr(s.vmas[i].release())
	}
	s.vmas = nil
	err := s.err
	s.err = nil
	return err
}

// keepErr remembers the first host release error for Close.
func (s *Space) keepErr(err error) {
	if err != nil && s.err == nil {
		s.err = err
	}
}

// SetCodeObserver installs the observer of code changes (nil removes it).
func (s *Space) SetCodeObserver(o CodeObserver) { s.obs = o }

// MarkCode marks the page holding addr as translated code: any later store
// to it (through a TLB, WriteAt or Poke), its unmapping, a permission change,
// a move by Remap or an Advise dropping it calls the CodeObserver. Marked
// pages never enter a TLB's write side. An unmapped addr is ignored.
func (s *Space) MarkCode(addr uint64) {
	v := s.find(addr)
	if v == nil {
		return
	}
	e, f := s.materialise(v, addr, AccessRead)
	if f != nil {
		return
	}
	e.flags |= pteCode
	base := addr &^ PageMask
	for _, t := range s.tlbs {
		t.evictWrite(base)
	}
}

// NewTLB returns a TLB for vCPU cpu, registered so that mapping changes flush it.
func (s *Space) NewTLB(cpu int) *TLB {
	t := &TLB{space: s, cpu: cpu}
	t.Flush()
	s.tlbs = append(s.tlbs, t)
	return t
}

// flushTLBs empties every registered TLB.
func (s *Space) flushTLBs() {
	for _, t := range s.tlbs {
		t.Flush()
	}
}

// codeRanges collects the marked pages met while changing the space, as
// merged [start, end) ranges, so the observer runs once the change is done.
type codeRanges []uint64 // pairs of start, end

// collect clears e's code mark and records its page; it has the signature
// of a page-table visitor.
func (c *codeRanges) collect(vpn uint64, e *pte) {
	if e.flags&pteCode == 0 {
		return
	}
	e.flags &^= pteCode
	start := vpn << PageShift
	if n := len(*c); n > 0 && (*c)[n-1] == start {
		(*c)[n-1] = start + PageSize
		return
	}
	*c = append(*c, start, start+PageSize)
}

// notify reports collected ranges to the observer.
func (s *Space) notify(c codeRanges) {
	if s.obs == nil {
		return
	}
	for i := 0; i+1 < len(c); i += 2 {
		s.obs.CodeChanged(c[i], c[i+1])
	}
}

// Mappings lists the address space like /proc/self/maps, sorted by address:
// one Region per Linux VMA (adjacent compatible VMAs merged, as Linux merges
// them). Dev is the file's raw st_dev and Inode its st_ino (0 for anonymous
// memory); Offset is 0 for anonymous memory.
func (s *Space) Mappings() []Region {
	var out []Region
	for i := 0; i < len(s.vmas); {
		lo, hi := s.run(i)
		if lo < i { // a run is entered at its first VMA
			lo = i
		}
		first, last := &s.vmas[lo], &s.vmas[hi-1]
		r := Region{Start: first.start, End: last.end, Perm: first.perm, Shared: first.shared, Name: first.name}
		if first.file != nil {
			r.Offset, r.Dev, r.Inode = first.off, first.file.dev, first.file.ino
		}
		out = append(out, r)
		i = hi
	}
	return out
}

// PageCount returns how many guest pages are materialised (touched) now.
func (s *Space) PageCount() int {
	n := 0
	s.pt.walk(0, 1<<vpnBits, func(uint64, *pte) { n++ })
	return n
}

// FileOffset returns the file offset that backs guest address addr, for a
// file-backed mapping. Tag handlers use it to find which part of a shared
// file a store hits, wherever the mapping lies or moved.
func (s *Space) FileOffset(addr uint64) (off uint64, ok bool) {
	v := s.find(addr)
	if v == nil || v.file == nil {
		return 0, false
	}
	return v.fileOff(addr), true
}
