package mmu

import (
	"reflect"
	"slices"
	"sort"
)

// vma is one mapping: the source of truth for what is mapped where, with
// which permissions and backing. The Space keeps them sorted and disjoint.
// Internally VMAs may be finer than Linux's (a SetTag splits them); runs of
// Linux-compatible VMAs are what Mappings and Remap treat as one mapping.
type vma struct {
	start, end uint64
	perm       Perm
	shared     bool
	noWrite    bool // shared mapping of a file not opened for writing: PermWrite is ErrAccess
	name       string
	tag        Tag
	file       *backing    // nil: anonymous
	off        uint64      // file offset of start
	host       *hostRegion // shared file mapping: the host memory holding its pages
	hostOff    uint64      // offset of start inside host.mem
}

func (v *vma) pages() uint64 { return (v.end - v.start) >> PageShift }

// fileOff is the file offset of the page at addr.
// Preconditions: v.start <= addr < v.end.
func (v *vma) fileOff(addr uint64) uint64 { return v.off + (addr - v.start) }

// acquire takes the references of v's pages on its backing and host memory.
func (v *vma) acquire() {
	if v.file != nil {
		v.file.acquire(v.pages())
	}
	if v.host != nil {
		v.host.acquire(v.pages())
	}
}

// release drops the references of v's pages; the caller has already removed
// every page table and TLB entry pointing into them.
func (v *vma) release() error {
	var err error
	if v.host != nil {
		err = v.host.release(v.pages())
	}
	if v.file != nil {
		if e := v.file.release(v.pages()); err == nil {
			err = e
		}
	}
	return err
}

// sameTag compares two tags without panicking on incomparable dynamic types.
func sameTag(a, b Tag) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	ta := reflect.TypeOf(a)
	if ta != reflect.TypeOf(b) || !ta.Comparable() {
		return false
	}
	return a == b
}

// identical reports whether b continues a so exactly that the two can be one
// internal VMA.
func identical(a, b *vma) bool {
	if a.end != b.start || a.perm != b.perm || a.shared != b.shared ||
		a.noWrite != b.noWrite || a.name != b.name || a.file != b.file || a.host != b.host {
		return false
	}
	if a.file != nil && a.off+(a.end-a.start) != b.off {
		return false
	}
	if a.host != nil && a.hostOff+(a.end-a.start) != b.hostOff {
		return false
	}
	return sameTag(a.tag, b.tag)
}

// linuxCompatible reports whether Linux would hold a and b as one VMA: same
// permissions, sharing and name, and either both anonymous or the same file
// at contiguous offsets. Tags and host memory are gemu's own business.
func linuxCompatible(a, b *vma) bool {
	if a.end != b.start || a.perm != b.perm || a.shared != b.shared || a.name != b.name {
		return false
	}
	if a.file == nil || b.file == nil {
		return a.file == nil && b.file == nil
	}
	return a.file.dev == b.file.dev && a.file.ino == b.file.ino && a.off+(a.end-a.start) == b.off
}

// index returns the index of the first VMA whose end is above addr
// (len(s.vmas) if none).
func (s *Space) index(addr uint64) int {
	return sort.Search(len(s.vmas), func(i int) bool { return s.vmas[i].end > addr })
}

// find returns the VMA containing addr, or nil.
func (s *Space) find(addr uint64) *vma {
	i := s.index(addr)
	if i < len(s.vmas) && s.vmas[i].start <= addr {
		return &s.vmas[i]
	}
	return nil
}

// run returns the index range [lo, hi) of the Linux-compatible run of VMAs
// containing index i.
func (s *Space) run(i int) (lo, hi int) {
	lo, hi = i, i+1
	for lo > 0 && linuxCompatible(&s.vmas[lo-1], &s.vmas[lo]) {
		lo--
	}
	for hi < len(s.vmas) && linuxCompatible(&s.vmas[hi-1], &s.vmas[hi]) {
		hi++
	}
	return lo, hi
}

// isFree reports whether no VMA intersects [lo, hi).
func (s *Space) isFree(lo, hi uint64) bool {
	i := s.index(lo)
	return i == len(s.vmas) || s.vmas[i].start >= hi
}

// splitAt makes addr a VMA boundary if a VMA strictly contains it.
func (s *Space) splitAt(addr uint64) {
	i := s.index(addr)
	if i == len(s.vmas) || s.vmas[i].start >= addr {
		return
	}
	lo := s.vmas[i]
	hi := lo
	lo.end, hi.start = addr, addr
	d := addr - s.vmas[i].start
	hi.off += d
	hi.hostOff += d
	s.vmas = append(s.vmas, vma{})
	copy(s.vmas[i+2:], s.vmas[i+1:])
	s.vmas[i], s.vmas[i+1] = lo, hi
}

// add puts v, whose range must be free, into the list. The caller has
// taken v's references (or moves them from a VMA it removed).
func (s *Space) add(v vma) {
	i := s.index(v.start)
	s.vmas = append(s.vmas, vma{})
	copy(s.vmas[i+1:], s.vmas[i:])
	s.vmas[i] = v
}

// coalesce merges neighbouring identical VMAs.
func (s *Space) coalesce() {
	if len(s.vmas) < 2 {
		return
	}
	out := s.vmas[:1]
	for i := 1; i < len(s.vmas); i++ {
		last := &out[len(out)-1]
		if identical(last, &s.vmas[i]) {
			last.end = s.vmas[i].end
			continue
		}
		out = append(out, s.vmas[i])
	}
	clear(s.vmas[len(out):])
	s.vmas = out
}

// cut detaches the VMAs covering [lo, hi) (splitting at the edges) and
// returns copies of them, without releasing their references.
func (s *Space) cut(lo, hi uint64) []vma {
	s.splitAt(lo)
	s.splitAt(hi)
	i := s.index(lo)
	j := i
	for j < len(s.vmas) && s.vmas[j].start < hi {
		j++
	}
	if i == j {
		return nil
	}
	out := append([]vma(nil), s.vmas[i:j]...)
	s.vmas = slices.Delete(s.vmas, i, j)
	return out
}

// removeRange unmaps [lo, hi): the VMAs go, their materialised pages go,
// every TLB is flushed, code marks in the range are reported, and host
// resources no longer used are released. Holes are fine.
func (s *Space) removeRange(lo, hi uint64) {
	gone := s.cut(lo, hi)
	if len(gone) == 0 {
		return
	}
	var marks codeRanges
	s.pt.clear(lo>>PageShift, hi>>PageShift, marks.collect)
	s.flushTLBs()
	for i := range gone {
		s.keepErr(gone[i].release())
	}
	s.notify(marks)
}

// findFree chooses an address for length bytes like Linux's top-down
// allocator: the highest free gap below MmapTop (and not below MinAddr);
// failing that, bottom-up from a third of the address space (Linux's
// fallback). ok is false when nothing fits.
func (s *Space) findFree(length uint64) (addr uint64, ok bool) {
	if length == 0 || length > MmapTop-MinAddr {
		return 0, false
	}
	// Top-down: the gaps between VMAs, highest first, clipped to
	// [MinAddr, MmapTop). j is the VMA just below the gap ending at hi.
	hi := MmapTop
	j := sort.Search(len(s.vmas), func(k int) bool { return s.vmas[k].start >= MmapTop }) - 1
	for {
		lo := MinAddr
		if j >= 0 {
			lo = max(lo, s.vmas[j].end)
		}
		if hi > lo && hi-lo >= length {
			return hi - length, true
		}
		if j < 0 || s.vmas[j].start <= MinAddr {
			break
		}
		hi = s.vmas[j].start
		j--
	}
	// Bottom-up fallback over [UserTop/3, UserTop).
	base := (UserTop / 3) &^ PageMask
	for j := s.index(base); ; j++ {
		next := UserTop
		if j < len(s.vmas) {
			next = s.vmas[j].start
		}
		if next > base && next-base >= length {
			return base, true
		}
		if j >= len(s.vmas) {
			return 0, false
		}
		base = max(base, s.vmas[j].end)
	}
}
