package mmu

import (
	"os"

	"golang.org/x/sys/unix"
)

// The mapping operations follow Linux 6.x (mm/mmap.c, mm/mprotect.c,
// mm/mremap.c, mm/madvise.c); where a behaviour is not obvious, the comment
// states it and a test pins it against a native run.

const permAll = PermRead | PermWrite | PermExec

// pageAlignUp rounds n up to a whole page; ok is false on overflow.
func pageAlignUp(n uint64) (uint64, bool) {
	r := (n + PageMask) &^ PageMask
	return r, r >= n
}

// Map creates a mapping with Linux mmap semantics and returns its address.
//
// Length 0 is ErrInvalid; lengths round up to whole pages (a length that
// does not fit below UserTop is ErrNoMemory); Offset must be page aligned.
// With Fixed or NoReplace, Addr must be page aligned (ErrInvalid), the range
// must lie below UserTop (ErrNoMemory) and not below MinAddr (ErrPerm, the
// unprivileged answer); Fixed replaces whatever was mapped there, NoReplace
// (which wins over Fixed, as in Linux) gives ErrExists if any page is mapped.
// Otherwise a non-zero hint is rounded down to a page, raised to MinAddr if
// below it, and used if the whole range is free below UserTop; else the
// highest free range below MmapTop is chosen (top-down, like Linux), with
// ErrNoMemory when nothing fits. Perm bits other than read, write and exec
// are ignored, as Linux ignores unknown PROT bits in mmap.
//
// A shared mapping of a file not opened for writing (Writable false) with
// PermWrite is ErrAccess; a file opened write-only is ErrAccess; a pipe,
// socket or directory is ErrNoDevice.
func (s *Space) Map(m Mapping) (uint64, error) {
	if m.Length == 0 {
		return 0, ErrInvalid
	}
	length, ok := pageAlignUp(m.Length)
	if !ok || length > UserTop {
		return 0, ErrNoMemory
	}
	if m.Offset&PageMask != 0 {
		return 0, ErrInvalid
	}
	if m.File != nil && m.Offset > maxInt64-length {
		return 0, ErrInvalid // EOVERFLOW in Linux
	}
	fixed := m.Fixed || m.NoReplace
	if fixed {
		switch {
		case m.Addr&PageMask != 0:
			return 0, ErrInvalid
		case m.Addr > UserTop-length:
			return 0, ErrNoMemory
		case m.Addr < MinAddr:
			return 0, ErrPerm
		case m.NoReplace && !s.isFree(m.Addr, m.Addr+length):
			return 0, ErrExists
		}
	}
	v := vma{perm: m.Perm & permAll, shared: m.Shared, name: m.Name, tag: m.Tag}
	if m.File != nil {
		b, err := openBacking(m.File)
		if err != nil {
			return 0, err
		}
		v.file, v.off = b, m.Offset
		if m.Shared {
			v.noWrite = !m.Writable
			if v.perm&PermWrite != 0 && v.noWrite {
				v.release() // no pages yet: closes the descriptor
				return 0, ErrAccess
			}
			h, delta, err := mapHost(b, m.Offset, length, m.Writable, s.hostPage)
			if err != nil {
				v.release()
				return 0, err
			}
			v.host, v.hostOff = h, delta
		}
	}
	addr := m.Addr
	if !fixed {
		if addr, ok = s.place(m.Addr, length); !ok {
			v.release() // no pages yet: unmaps and closes
			return 0, ErrNoMemory
		}
	} else if !m.NoReplace {
		s.removeRange(addr, addr+length)
	}
	v.start, v.end = addr, addr+length
	v.acquire()
	s.add(v)
	s.coalesce()
	s.flushTLBs()
	return addr, nil
}

// place chooses where a non-fixed mapping of length bytes goes: the hint if
// usable, else the top-down allocator's choice.
func (s *Space) place(hint, length uint64) (uint64, bool) {
	if hint != 0 {
		hint = max(hint&^PageMask, MinAddr)
		if hint <= UserTop-length && s.isFree(hint, hint+length) {
			return hint, true
		}
	}
	return s.findFree(length)
}

// Unmap removes [addr, addr+length); unmapped holes inside are fine. An
// unaligned addr, a zero length or a range reaching past UserTop is
// ErrInvalid.
func (s *Space) Unmap(addr, length uint64) error {
	if addr&PageMask != 0 || length == 0 {
		return ErrInvalid
	}
	length, ok := pageAlignUp(length)
	if !ok || addr > UserTop || length > UserTop-addr {
		return ErrInvalid
	}
	s.removeRange(addr, addr+length)
	return nil
}

// Protect changes permissions of [addr, addr+length). An unaligned addr or
// a perm with unknown bits is ErrInvalid; length 0 succeeds and does
// nothing. Like Linux, it works through the range in address order and
// stops at the first unmapped page (ErrNoMemory) or the first shared
// mapping of a read-only file asked for PermWrite (ErrAccess): the pages
// before that point keep their new permissions.
func (s *Space) Protect(addr, length uint64, perm Perm) error {
	if addr&PageMask != 0 || perm&^permAll != 0 {
		return ErrInvalid
	}
	if length == 0 {
		return nil
	}
	length, ok := pageAlignUp(length)
	end := addr + length
	if !ok || end <= addr {
		return ErrNoMemory
	}
	var err error
	cur := addr
	for cur < end {
		v := s.find(cur)
		if v == nil {
			err = ErrNoMemory
			break
		}
		if perm&PermWrite != 0 && v.noWrite {
			err = ErrAccess
			break
		}
		segEnd := min(end, v.end)
		s.splitAt(cur)
		s.splitAt(segEnd)
		s.find(cur).perm = perm
		cur = segEnd
	}
	if cur > addr {
		var marks codeRanges
		s.pt.walk(addr>>PageShift, cur>>PageShift, marks.collect)
		s.coalesce()
		s.flushTLBs()
		s.notify(marks)
	}
	return err
}

// Remap implements mremap.
//
// Unknown flags, RemapFixed without RemapMayMove, an unaligned oldAddr, a
// zero newLen and (not yet supported) RemapDontUnmap or a zero oldLen (which
// Linux allows for shared mappings) are ErrInvalid. The page at oldAddr must
// be mapped, else ErrFault. Shrinking unmaps the tail and keeps oldAddr.
// Growing needs [oldAddr, oldAddr+oldLen) inside one mapping (ErrFault);
// it grows in place when the old range ends the mapping and the pages after
// it are free, else moves with RemapMayMove (pages and contents move with
// it), else fails with ErrNoMemory. With RemapFixed, newAddr must be aligned
// and the new range below UserTop and disjoint from the old one (ErrInvalid);
// whatever is mapped there is replaced. Unlike some Linux versions, gemu
// checks the old range before unmapping anything at newAddr.
func (s *Space) Remap(oldAddr, oldLen, newLen uint64, flags RemapFlags, newAddr uint64) (uint64, error) {
	switch {
	case flags&^(RemapMayMove|RemapFixed|RemapDontUnmap) != 0,
		flags&RemapFixed != 0 && flags&RemapMayMove == 0,
		flags&RemapDontUnmap != 0,
		oldAddr&PageMask != 0:
		return 0, ErrInvalid
	}
	oldLen, ok1 := pageAlignUp(oldLen)
	newLen, ok2 := pageAlignUp(newLen)
	if !ok1 || !ok2 || newLen == 0 || oldLen == 0 {
		return 0, ErrInvalid
	}
	i := s.index(oldAddr)
	if i == len(s.vmas) || s.vmas[i].start > oldAddr {
		return 0, ErrFault
	}
	_, hi := s.run(i)
	runEnd := s.vmas[hi-1].end
	if flags&RemapFixed != 0 {
		if newAddr&PageMask != 0 || newLen > UserTop || newAddr > UserTop-newLen ||
			oldAddr+oldLen < oldAddr || (newAddr < oldAddr+oldLen && oldAddr < newAddr+newLen) {
			return 0, ErrInvalid
		}
		keep := min(oldLen, newLen)
		if keep > runEnd-oldAddr {
			return 0, ErrFault
		}
		// Prepare the grown part first: it is the only step that can fail.
		var ext *vma
		if newLen > keep {
			e, err := s.extensionAt(oldAddr+keep-1, newLen-keep)
			if err != nil {
				return 0, err
			}
			ext = &e
		}
		s.removeRange(newAddr, newAddr+newLen)
		if oldLen > newLen {
			s.removeRange(oldAddr+newLen, oldAddr+oldLen)
		}
		s.move(oldAddr, keep, newAddr, ext)
		return newAddr, nil
	}
	if oldLen >= newLen {
		if oldLen > newLen {
			if err := s.Unmap(oldAddr+newLen, oldLen-newLen); err != nil {
				return 0, err
			}
		}
		return oldAddr, nil
	}
	if oldLen > runEnd-oldAddr {
		return 0, ErrFault
	}
	grow := newLen - oldLen
	if end := oldAddr + oldLen; end == runEnd && grow <= UserTop-end && s.isFree(end, end+grow) {
		e, err := s.extensionAt(end-1, grow)
		if err != nil {
			return 0, err
		}
		e.acquire()
		s.add(e)
		s.coalesce()
		s.flushTLBs()
		return oldAddr, nil
	}
	if flags&RemapMayMove == 0 {
		return 0, ErrNoMemory
	}
	dst, ok := s.findFree(newLen)
	if !ok {
		return 0, ErrNoMemory
	}
	e, err := s.extensionAt(oldAddr+oldLen-1, grow)
	if err != nil {
		return 0, err
	}
	s.move(oldAddr, oldLen, dst, &e)
	return dst, nil
}

// extensionAt returns a VMA of length bytes continuing the VMA that holds
// last (its last byte) right after last: same attributes, the file offsets
// that follow, and fresh host memory for a shared file mapping. The VMA
// holds no references yet.
func (s *Space) extensionAt(last, length uint64) (vma, error) {
	v := *s.find(last)
	start := last + 1
	e := v
	e.start, e.end = start, start+length
	e.off = v.off + (start - v.start)
	e.host, e.hostOff = nil, 0
	if v.host != nil {
		h, delta, err := mapHost(v.file, e.off, length, !v.noWrite, s.hostPage)
		if err != nil {
			return vma{}, err
		}
		e.host, e.hostOff = h, delta
	}
	return e, nil
}

// move relocates the mappings and materialised pages of [src, src+n) to dst
// and adds ext (shifted to follow them) when the mapping grows. Code marks
// of the moved pages are cleared and reported at their old addresses.
// Preconditions: [src, src+n) is fully mapped; [dst, dst+n+ext's length) is free.
func (s *Space) move(src, n, dst uint64, ext *vma) {
	pieces := s.cut(src, src+n)
	var marks codeRanges
	type movedPage struct {
		vpn uint64
		e   pte
	}
	var pages []movedPage
	s.pt.clear(src>>PageShift, (src+n)>>PageShift, func(vpn uint64, e *pte) {
		marks.collect(vpn, e)
		pages = append(pages, movedPage{vpn, *e})
	})
	shift := dst - src // modular: works downwards too
	for _, p := range pages {
		s.pt.insert((p.vpn<<PageShift+shift)>>PageShift, p.e.data, p.e.flags)
	}
	for _, v := range pieces {
		v.start += shift
		v.end += shift
		s.add(v) // references move with the VMA
	}
	if ext != nil {
		e := *ext
		e.end = dst + n + (e.end - e.start)
		e.start = dst + n
		e.acquire()
		s.add(e)
	}
	s.coalesce()
	s.flushTLBs()
	s.notify(marks)
}

// Advise implements the madvise advices that change memory contents; other
// advice values are accepted and ignored. An unaligned addr or a range
// that wraps is ErrInvalid; length 0 succeeds. AdviceDontNeed drops the
// private pages of the range (anonymous ones read back as zero, file ones
// are read again from the file); shared pages keep their contents. Like
// Linux, it acts on every mapped part and then reports ErrNoMemory if the
// range had holes.
func (s *Space) Advise(addr, length uint64, a Advice) error {
	if addr&PageMask != 0 {
		return ErrInvalid
	}
	alen, ok := pageAlignUp(length)
	end := addr + alen
	if !ok || end < addr {
		return ErrInvalid
	}
	if end == addr || a != AdviceDontNeed {
		return nil
	}
	var marks codeRanges
	hole, _ := s.eachMapped(addr, end, func(v *vma, lo, hi uint64) error {
		if !v.shared {
			s.pt.clear(lo>>PageShift, hi>>PageShift, marks.collect)
		}
		return nil
	})
	s.flushTLBs()
	s.notify(marks)
	if hole {
		return ErrNoMemory
	}
	return nil
}

// SetTag tags every page of [addr, addr+length) (nil removes the tag). Every
// page must be mapped, else ErrNoMemory and nothing changes; a range that
// wraps is ErrInvalid; length 0 does nothing.
func (s *Space) SetTag(addr, length uint64, t Tag) error {
	if length == 0 {
		return nil
	}
	end := addr + length
	hi, ok := pageAlignUp(end)
	if end < addr || !ok {
		return ErrInvalid
	}
	lo := addr &^ PageMask
	for cur := lo; cur < hi; {
		v := s.find(cur)
		if v == nil {
			return ErrNoMemory
		}
		cur = v.end
	}
	s.splitAt(lo)
	s.splitAt(hi)
	for i := s.index(lo); i < len(s.vmas) && s.vmas[i].start < hi; i++ {
		s.vmas[i].tag = t
	}
	s.coalesce()
	s.flushTLBs()
	return nil
}

// Sync implements msync: shared file pages in [addr, addr+length) are
// written back to their file (synchronously when wait is set). addr must be
// page aligned (ErrInvalid); like Linux, the mapped parts are synced and a
// hole in the range then gives ErrNoMemory.
func (s *Space) Sync(addr, length uint64, wait bool) error {
	if addr&PageMask != 0 {
		return ErrInvalid
	}
	alen, ok := pageAlignUp(length)
	end := addr + alen
	if !ok || end < addr {
		return ErrNoMemory
	}
	flags := unix.MS_ASYNC
	if wait {
		flags = unix.MS_SYNC
	}
	hole, err := s.eachMapped(addr, end, func(v *vma, lo, hi uint64) error {
		if v.host == nil {
			return nil
		}
		// msync wants a host-page-aligned start.
		first := (v.hostOff + lo - v.start) &^ uint64(os.Getpagesize()-1)
		return unix.Msync(v.host.mem[first:v.hostOff+hi-v.start], flags)
	})
	if err != nil {
		return err
	}
	if hole {
		return ErrNoMemory
	}
	return nil
}

// eachMapped calls fn for every part [lo, hi) of [addr, end) covered by a
// VMA, in address order, stopping at fn's first error; hole reports that
// part of the range is not mapped.
func (s *Space) eachMapped(addr, end uint64, fn func(v *vma, lo, hi uint64) error) (hole bool, err error) {
	for cur := addr; cur < end; {
		i := s.index(cur)
		if i == len(s.vmas) || s.vmas[i].start >= end {
			return true, nil
		}
		v := &s.vmas[i]
		if v.start > cur {
			hole = true
			cur = v.start
		}
		hi := min(end, v.end)
		if err := fn(v, cur, hi); err != nil {
			return hole, err
		}
		cur = hi
	}
	return hole, nil
}
