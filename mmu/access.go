package mmu

import "bytes"

// allows reports whether permissions p allow an access of kind acc. As on
// x86 hardware, write and execute permission imply read: Linux cannot map a
// page write-only, nor (without protection keys, which gemu does not offer)
// execute-only.
func allows(p Perm, acc Access) bool {
	switch acc {
	case AccessRead:
		return p&(PermRead|PermWrite|PermExec) != 0
	case AccessWrite:
		return p&PermWrite != 0
	case AccessExec:
		return p&PermExec != 0
	}
	return false
}

// materialise returns the entry of the page holding addr, which v maps,
// creating it on first touch: zero-filled for anonymous memory, read from the
// file for a private file mapping, a slice of the host mapping for a shared
// one. A file page wholly beyond the end of its file faults with FaultBus.
func (s *Space) materialise(v *vma, addr uint64, acc Access) (*pte, *Fault) {
	vpn := addr >> PageShift
	if e := s.pt.lookup(vpn); e != nil {
		return e, nil
	}
	base := addr &^ PageMask
	var data *[PageSize]byte
	switch {
	case v.file == nil:
		data = new([PageSize]byte)
	case v.host != nil:
		if v.file.beyondEOF(v.fileOff(base)) {
			return nil, fault(addr, acc, FaultBus)
		}
		data = v.host.page(v.hostOff + (base - v.start))
	default:
		off := v.fileOff(base)
		if v.file.beyondEOF(off) {
			return nil, fault(addr, acc, FaultBus)
		}
		data = new([PageSize]byte)
		if err := v.file.readPage(data, off); err != nil {
			return nil, fault(addr, acc, FaultBus) // EIO on a file page is SIGBUS in Linux
		}
	}
	return s.pt.insert(vpn, data, 0), nil
}

// pageFor returns the mapping and the materialised page holding addr if the
// mapping allows acc. For a write, a copy-on-write page is copied first.
func (s *Space) pageFor(addr uint64, acc Access) (*vma, *pte, *Fault) {
	v := s.find(addr)
	if v == nil {
		return nil, nil, fault(addr, acc, FaultUnmapped)
	}
	if !allows(v.perm, acc) {
		return nil, nil, fault(addr, acc, FaultProtection)
	}
	e, f := s.materialise(v, addr, acc)
	if f != nil {
		return nil, nil, f
	}
	if acc == AccessWrite && e.flags&pteCOW != 0 {
		s.breakCOW(e)
	}
	return v, e, nil
}

// stored finishes a store that landed in page e: a code mark is cleared and
// the observer told, after the bytes landed.
func (s *Space) stored(vpn uint64, e *pte) {
	if e.flags&pteCode == 0 {
		return
	}
	e.flags &^= pteCode
	if s.obs != nil {
		s.obs.CodeChanged(vpn<<PageShift, vpn<<PageShift+PageSize)
	}
}

// ReadAt copies guest memory into p as the kernel's copy_from_user does:
// it needs read permission and returns the bytes copied and a *Fault at
// the first inaccessible byte.
func (s *Space) ReadAt(p []byte, addr uint64) (int, error) {
	return s.copyOut(p, addr, AccessRead)
}

// Fetch reads instruction bytes: it needs exec permission, copies up to
// len(p) bytes, stops at the first non-executable or unmapped byte and
// returns the count and that byte's *Fault (nil if all len(p) were read).
func (s *Space) Fetch(p []byte, addr uint64) (int, error) {
	return s.copyOut(p, addr, AccessExec)
}

func (s *Space) copyOut(p []byte, addr uint64, acc Access) (int, error) {
	n := 0
	for n < len(p) {
		a := addr + uint64(n)
		_, e, f := s.pageFor(a, acc)
		if f != nil {
			return n, f
		}
		n += copy(p[n:], e.data[a&PageMask:])
	}
	return n, nil
}

// WriteAt copies p into guest memory as copy_to_user: it needs write
// permission, stops at the first inaccessible byte (the bytes before it have
// landed) and returns the count and that byte's *Fault. It does not run tag
// handlers; it does clear code marks and notify the CodeObserver, after the
// bytes of each page land.
func (s *Space) WriteAt(p []byte, addr uint64) (int, error) {
	n := 0
	for n < len(p) {
		a := addr + uint64(n)
		_, e, f := s.pageFor(a, AccessWrite)
		if f != nil {
			return n, f
		}
		n += copy(e.data[a&PageMask:], p[n:])
		s.stored(a>>PageShift, e)
	}
	return n, nil
}

// Poke writes p ignoring page permissions (the loader filling a read-only
// segment). Every page must be mapped, else nothing is written and the
// *Fault names the first unmapped byte. A shared mapping of a file not open
// for writing cannot be written even so (FaultProtection).
func (s *Space) Poke(p []byte, addr uint64) error {
	// First pass: every page exists and can be materialised.
	for n := 0; n < len(p); {
		a := addr + uint64(n)
		v := s.find(a)
		if v == nil {
			return fault(a, AccessWrite, FaultUnmapped)
		}
		if v.noWrite {
			return fault(a, AccessWrite, FaultProtection)
		}
		if _, f := s.materialise(v, a, AccessWrite); f != nil {
			return f
		}
		n += PageSize - int(a&PageMask)
	}
	for n := 0; n < len(p); {
		a := addr + uint64(n)
		e := s.pt.lookup(a >> PageShift)
		if e.flags&pteCOW != 0 {
			s.breakCOW(e)
		}
		n += copy(e.data[a&PageMask:], p[n:])
		s.stored(a>>PageShift, e)
	}
	return nil
}

// ReadCString reads a NUL-terminated string at addr and returns it without
// the NUL. The NUL must lie within the first max bytes (as with
// strncpy_from_user and PATH_MAX), else the error is ErrTooLong; an
// unreadable byte before the NUL gives its *Fault.
func (s *Space) ReadCString(addr uint64, max int) (string, error) {
	var buf []byte
	for n := 0; n < max; {
		a := addr + uint64(n)
		_, e, f := s.pageFor(a, AccessRead)
		if f != nil {
			return "", f
		}
		off := int(a & PageMask)
		end := PageSize
		if rem := max - n; rem < PageSize-off {
			end = off + rem
		}
		chunk := e.data[off:end]
		if i := bytes.IndexByte(chunk, 0); i >= 0 {
			return string(append(buf, chunk[:i]...)), nil
		}
		buf = append(buf, chunk...)
		n += len(chunk)
	}
	return "", ErrTooLong
}
