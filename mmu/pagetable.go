package mmu

// The page table holds only materialised pages: a radix tree over the 36-bit
// virtual page number of a 48-bit address, four levels of nine bits as on
// x86-64. A missing entry means "not materialised yet"; whether the address
// is mapped at all is decided by the VMA list, never by this table.

const (
	ptBits  = 9
	ptFan   = 1 << ptBits
	ptMask  = ptFan - 1
	vpnBits = 4 * ptBits // pages of a 48-bit address space

	ptShift1 = 3 * ptBits // root index: vpn bits 27..35
	ptShift2 = 2 * ptBits // second level: bits 18..26
	ptShift3 = ptBits     // third level: bits 9..17; the leaf uses bits 0..8
)

// Page entry flags. The flags byte is per page so that properties which are
// not per mapping (translated code, copy-on-write sharing) need no VMA split.
const (
	// pteCode: the page was translated as code; a store clears the flag and
	// notifies the CodeObserver. Such a page never enters a TLB's write side.
	pteCode uint8 = 1 << iota
	// pteCOW: data is shared with another page table (a future Space.Clone);
	// the first store copies it. Such a page never enters a TLB's write side.
	pteCOW
)

// pte is one materialised page.
type pte struct {
	data  *[PageSize]byte
	flags uint8
}

type pageTable struct {
	root [ptFan]*ptDir1
}

type ptDir1 struct {
	sub [ptFan]*ptDir2
	n   int // non-nil children
}

type ptDir2 struct {
	sub [ptFan]*ptLeaf
	n   int
}

type ptLeaf struct {
	e [ptFan]pte
	n int // materialised entries
}

// lookup returns the entry of page vpn, or nil when it is not materialised.
func (pt *pageTable) lookup(vpn uint64) *pte {
	if vpn>>vpnBits != 0 {
		return nil
	}
	d1 := pt.root[vpn>>ptShift1&ptMask]
	if d1 == nil {
		return nil
	}
	d2 := d1.sub[vpn>>ptShift2&ptMask]
	if d2 == nil {
		return nil
	}
	l := d2.sub[vpn>>ptShift3&ptMask]
	if l == nil {
		return nil
	}
	e := &l.e[vpn&ptMask]
	if e.data == nil {
		return nil
	}
	return e
}

// insert materialises page vpn with data and returns its entry.
// Preconditions: vpn < 1<<vpnBits, data != nil, the page is not materialised.
func (pt *pageTable) insert(vpn uint64, data *[PageSize]byte, flags uint8) *pte {
	i1 := vpn >> ptShift1 & ptMask
	d1 := pt.root[i1]
	if d1 == nil {
		d1 = new(ptDir1)
		pt.root[i1] = d1
	}
	i2 := vpn >> ptShift2 & ptMask
	d2 := d1.sub[i2]
	if d2 == nil {
		d2 = new(ptDir2)
		d1.sub[i2] = d2
		d1.n++
	}
	i3 := vpn >> ptShift3 & ptMask
	l := d2.sub[i3]
	if l == nil {
		l = new(ptLeaf)
		d2.sub[i3] = l
		d2.n++
	}
	e := &l.e[vpn&ptMask]
	e.data, e.flags = data, flags
	l.n++
	return e
}

// walk calls fn for every materialised page in [lo, hi) in ascending order,
// skipping empty subtrees. fn may change the entry's data or flags but must
// not insert or remove pages.
func (pt *pageTable) walk(lo, hi uint64, fn func(vpn uint64, e *pte)) {
	pt.visit(lo, hi, false, fn)
}

// clear removes every materialised page in [lo, hi), calling fn (if not nil)
// on each entry before it goes, and frees emptied tree nodes.
func (pt *pageTable) clear(lo, hi uint64, fn func(vpn uint64, e *pte)) {
	pt.visit(lo, hi, true, fn)
}

func (pt *pageTable) visit(lo, hi uint64, remove bool, fn func(vpn uint64, e *pte)) {
	if hi > 1<<vpnBits {
		hi = 1 << vpnBits
	}
	for vpn := lo; vpn < hi; {
		i1 := vpn >> ptShift1 & ptMask
		d1 := pt.root[i1]
		if d1 == nil {
			vpn = (vpn>>ptShift1 + 1) << ptShift1
			continue
		}
		i2 := vpn >> ptShift2 & ptMask
		d2 := d1.sub[i2]
		if d2 == nil {
			vpn = (vpn>>ptShift2 + 1) << ptShift2
			continue
		}
		i3 := vpn >> ptShift3 & ptMask
		l := d2.sub[i3]
		if l == nil {
			vpn = (vpn>>ptShift3 + 1) << ptShift3
			continue
		}
		end := min((vpn>>ptShift3+1)<<ptShift3, hi)
		for ; vpn < end && l.n > 0; vpn++ {
			e := &l.e[vpn&ptMask]
			if e.data == nil {
				continue
			}
			if fn != nil {
				fn(vpn, e)
			}
			if remove {
				*e = pte{}
				l.n--
			}
		}
		vpn = end
		if remove && l.n == 0 {
			d2.sub[i3] = nil
			d2.n--
			if d2.n == 0 {
				d1.sub[i2] = nil
				d1.n--
				if d1.n == 0 {
					pt.root[i1] = nil
				}
			}
		}
	}
}
