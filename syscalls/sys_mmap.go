package syscalls

import (
	"errors"
	"os"
	"strconv"

	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
	"gemu/mmu"
)

// Memory mapping calls. Guest PROT_*/MAP_* values are translated into an
// mmu.Mapping; the checks follow mm/mmap.c's do_mmap in order.

// pageAlign rounds n up to a page; ok is false on overflow.
func pageAlign(n uint64) (uint64, bool) {
	a := (n + mmu.PageMask) &^ uint64(mmu.PageMask)
	return a, a >= n
}

// map32Start and map32End bound MAP_32BIT placements on x86-64.
const (
	map32Start = 0x40000000
	map32End   = 0x80000000
)

func sysMmap(c *call) (uint64, linux.Errno) {
	addr, length, prot, flags := c.args.Pointer(0), c.args.Ulong(1), c.args.Ulong(2), c.args.Ulong(3)
	fd, off := c.args.FD(4), c.args.Ulong(5)
	if off&mmu.PageMask != 0 {
		return 0, linux.EINVAL
	}
	anon := flags&linux.MAP_ANONYMOUS != 0
	var f *hostFile
	if !anon {
		var e linux.Errno
		if f, e = c.file(fd); e != 0 {
			return 0, e
		}
		if flags&linux.MAP_HUGETLB != 0 {
			return 0, linux.EINVAL // not a hugetlbfs file
		}
	} else if flags&linux.MAP_HUGETLB != 0 {
		return 0, linux.ENOMEM // no huge pages reserved for the guest
	}
	if length == 0 {
		return 0, linux.EINVAL
	}
	alen, ok := pageAlign(length)
	if !ok || alen == 0 {
		return 0, linux.ENOMEM
	}
	if anon {
		off = 0
	} else if off+alen < off {
		return 0, linux.EOVERFLOW
	}
	m := mmu.Mapping{
		Addr:      addr,
		Length:    alen,
		Perm:      mmu.Perm(prot & (linux.PROT_READ | linux.PROT_WRITE | linux.PROT_EXEC)),
		NoReplace: flags&linux.MAP_FIXED_NOREPLACE != 0,
	}
	m.Fixed = flags&linux.MAP_FIXED != 0 && !m.NoReplace
	if m.Fixed || m.NoReplace {
		if addr&mmu.PageMask != 0 {
			return 0, linux.EINVAL
		}
		if alen > mmu.UserTop || addr > mmu.UserTop-alen {
			return 0, linux.ENOMEM
		}
		if addr < mmu.MinAddr {
			return 0, linux.EPERM // below vm.mmap_min_addr
		}
	}
	growsdown := flags&linux.MAP_GROWSDOWN != 0
	mapType := flags & linux.MAP_TYPE
	if f != nil {
		devZero, e := c.mmapFileChecks(f, prot, flags, growsdown)
		if e != 0 {
			return 0, e
		}
		if devZero {
			f = nil // mapping /dev/zero is anonymous memory
		}
	} else {
		switch mapType {
		case linux.MAP_SHARED: // MAP_SHARED_VALIDATE is for files only
			if growsdown {
				return 0, linux.EINVAL
			}
		case linux.MAP_PRIVATE, linux.MAP_DROPPABLE:
		default:
			return 0, linux.EINVAL
		}
	}
	m.Shared = mapType == linux.MAP_SHARED || mapType == linux.MAP_SHARED_VALIDATE
	if f != nil {
		fl, err := unix.FcntlInt(uintptr(f.fd), unix.F_GETFL, 0)
		if err != nil {
			return 0, hostErrno(err)
		}
		m.Writable = fl&unix.O_ACCMODE == unix.O_RDWR
		m.Offset = off
		m.Name = hostFDPath(f.fd)
		dup, err := unix.FcntlInt(uintptr(f.fd), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			return 0, hostErrno(err)
		}
		// The Space dups the descriptor it keeps; this one is closed here.
		m.File = os.NewFile(uintptr(dup), m.Name)
		defer m.File.Close()
	}
	if flags&linux.MAP_32BIT != 0 && !m.Fixed && !m.NoReplace {
		a, e := c.find32(alen)
		if e != 0 {
			return 0, e
		}
		m.Addr, m.NoReplace = a, true
	}
	if f != nil && len(c.p.cfg.MmapFilters) > 0 {
		var st unix.Stat_t
		if err := unix.Fstat(f.fd, &st); err != nil {
			return 0, hostErrno(err)
		}
		for _, flt := range c.p.cfg.MmapFilters {
			if err := flt.FilterMmap(uint64(st.Dev), uint64(st.Ino), &m); err != nil {
				return 0, mmuErrno(err)
			}
		}
	}
	a, err := c.p.mem.Map(m)
	if err != nil {
		return 0, mmuErrno(err)
	}
	return a, 0
}

// mmapFileChecks applies do_mmap's checks on a file mapping; devZero says
// the file is /dev/zero.
func (c *call) mmapFileChecks(f *hostFile, prot, flags uint64, growsdown bool) (devZero bool, e linux.Errno) {
	fl, err := unix.FcntlInt(uintptr(f.fd), unix.F_GETFL, 0)
	if err != nil {
		return false, hostErrno(err)
	}
	if fl&unix.O_PATH != 0 {
		return false, linux.EBADF
	}
	acc := fl & unix.O_ACCMODE
	canRead, canWrite := acc == unix.O_RDONLY || acc == unix.O_RDWR, acc == unix.O_WRONLY || acc == unix.O_RDWR
	switch flags & linux.MAP_TYPE {
	case linux.MAP_SHARED_VALIDATE:
		const known = linux.MAP_TYPE | linux.MAP_FIXED | linux.MAP_ANONYMOUS | linux.MAP_32BIT |
			linux.MAP_GROWSDOWN | linux.MAP_DENYWRITE | linux.MAP_EXECUTABLE | linux.MAP_LOCKED |
			linux.MAP_NORESERVE | linux.MAP_POPULATE | linux.MAP_NONBLOCK | linux.MAP_STACK |
			linux.MAP_HUGETLB | linux.MAP_FIXED_NOREPLACE
		// MAP_SYNC needs a DAX file, which gemu never maps.
		if flags&^known != 0 {
			return false, linux.EOPNOTSUPP
		}
		fallthrough
	case linux.MAP_SHARED:
		if prot&linux.PROT_WRITE != 0 && !canWrite {
			return false, linux.EACCES
		}
		fallthrough
	case linux.MAP_PRIVATE:
		if !canRead {
			return false, linux.EACCES
		}
		if prot&linux.PROT_EXEC != 0 {
			var sfs unix.Statfs_t
			if unix.Fstatfs(f.fd, &sfs) == nil && sfs.Flags&unix.ST_NOEXEC != 0 {
				return false, linux.EPERM
			}
		}
		var st unix.Stat_t
		if err := unix.Fstat(f.fd, &st); err != nil {
			return false, hostErrno(err)
		}
		switch {
		case st.Mode&unix.S_IFMT == unix.S_IFREG:
		case st.Mode&unix.S_IFMT == unix.S_IFCHR && unix.Major(uint64(st.Rdev)) == 1 && unix.Minor(uint64(st.Rdev)) == 5:
			devZero = true
		default:
			return false, linux.ENODEV
		}
		if growsdown {
			return false, linux.EINVAL
		}
		return devZero, 0
	}
	return false, linux.EINVAL
}

// hostFDPath names the file behind a host descriptor (for /proc/self/maps).
func hostFDPath(fd int) string {
	buf := make([]byte, linux.PATH_MAX)
	n, err := unix.Readlink("/proc/self/fd/"+strconv.Itoa(fd), buf)
	if err != nil {
		return ""
	}
	return string(buf[:n])
}

// find32 finds the lowest free range of n bytes in [map32Start, map32End).
func (c *call) find32(n uint64) (uint64, linux.Errno) {
	cand := uint64(map32Start)
	for _, r := range c.p.mem.Mappings() {
		if r.End <= cand {
			continue
		}
		if r.Start >= cand+n {
			break
		}
		cand, _ = pageAlign(r.End)
	}
	if cand+n > map32End {
		return 0, linux.ENOMEM
	}
	return cand, 0
}

func sysMunmap(c *call) (uint64, linux.Errno) {
	addr, length := c.args.Pointer(0), c.args.SizeT(1)
	if addr&mmu.PageMask != 0 || addr > mmu.UserTop || length > mmu.UserTop-addr {
		return 0, linux.EINVAL
	}
	alen, _ := pageAlign(length)
	if alen == 0 {
		return 0, linux.EINVAL
	}
	return 0, mmuErrno(c.p.mem.Unmap(addr, alen))
}

func sysMprotect(c *call) (uint64, linux.Errno) {
	addr, length, prot := c.args.Pointer(0), c.args.SizeT(1), c.args.Ulong(2)
	grows := prot & (linux.PROT_GROWSDOWN | linux.PROT_GROWSUP)
	prot &^= grows
	if grows == linux.PROT_GROWSDOWN|linux.PROT_GROWSUP {
		return 0, linux.EINVAL
	}
	if addr&mmu.PageMask != 0 {
		return 0, linux.EINVAL
	}
	if length == 0 {
		return 0, 0
	}
	alen, ok := pageAlign(length)
	if !ok || addr+alen <= addr {
		return 0, linux.ENOMEM
	}
	if prot&^(linux.PROT_READ|linux.PROT_WRITE|linux.PROT_EXEC|linux.PROT_SEM) != 0 {
		return 0, linux.EINVAL
	}
	// PROT_GROWSDOWN would extend the change to the start of a grows-down
	// mapping; gemu treats MAP_GROWSDOWN as a plain mapping, so the change
	// applies to the given range only.
	if addr+alen > mmu.UserTop {
		return 0, linux.ENOMEM
	}
	perm := mmu.Perm(prot & (linux.PROT_READ | linux.PROT_WRITE | linux.PROT_EXEC))
	return 0, mmuErrno(c.p.mem.Protect(addr, alen, perm))
}

func sysMremap(c *call) (uint64, linux.Errno) {
	oldAddr, oldLen, newLen, flags, newAddr := c.args.Pointer(0), c.args.Ulong(1), c.args.Ulong(2), c.args.Ulong(3), c.args.Pointer(4)
	if flags&^(linux.MREMAP_MAYMOVE|linux.MREMAP_FIXED|linux.MREMAP_DONTUNMAP) != 0 {
		return 0, linux.EINVAL
	}
	if flags&linux.MREMAP_FIXED != 0 && flags&linux.MREMAP_MAYMOVE == 0 {
		return 0, linux.EINVAL
	}
	if flags&linux.MREMAP_DONTUNMAP != 0 && (flags&linux.MREMAP_MAYMOVE == 0 || oldLen != newLen) {
		return 0, linux.EINVAL
	}
	if oldAddr&mmu.PageMask != 0 {
		return 0, linux.EINVAL
	}
	oldLen, _ = pageAlign(oldLen)
	newLen, _ = pageAlign(newLen)
	if newLen == 0 {
		return 0, linux.EINVAL
	}
	var rf mmu.RemapFlags
	if flags&linux.MREMAP_MAYMOVE != 0 {
		rf |= mmu.RemapMayMove
	}
	if flags&linux.MREMAP_FIXED != 0 {
		rf |= mmu.RemapFixed
		if newAddr&mmu.PageMask != 0 {
			return 0, linux.EINVAL
		}
	}
	if flags&linux.MREMAP_DONTUNMAP != 0 {
		rf |= mmu.RemapDontUnmap
	}
	a, err := c.p.mem.Remap(oldAddr, oldLen, newLen, rf, newAddr)
	if err != nil {
		return 0, mmuErrno(err)
	}
	return a, 0
}

func sysMadvise(c *call) (uint64, linux.Errno) {
	addr, length, advice := c.args.Pointer(0), c.args.SizeT(1), c.args.Int(2)
	switch advice {
	case linux.MADV_NORMAL, linux.MADV_RANDOM, linux.MADV_SEQUENTIAL, linux.MADV_WILLNEED,
		linux.MADV_DONTNEED, linux.MADV_FREE, linux.MADV_REMOVE, linux.MADV_DONTFORK,
		linux.MADV_DOFORK, linux.MADV_MERGEABLE, linux.MADV_UNMERGEABLE, linux.MADV_HUGEPAGE,
		linux.MADV_NOHUGEPAGE, linux.MADV_DONTDUMP, linux.MADV_DODUMP, linux.MADV_WIPEONFORK,
		linux.MADV_KEEPONFORK, linux.MADV_COLD, linux.MADV_PAGEOUT, linux.MADV_POPULATE_READ,
		linux.MADV_POPULATE_WRITE, linux.MADV_DONTNEED_LOCKED, linux.MADV_COLLAPSE:
	case linux.MADV_HWPOISON, linux.MADV_SOFT_OFFLINE:
		return 0, linux.EPERM // gemu never poisons guest memory
	default:
		return 0, linux.EINVAL
	}
	if addr&mmu.PageMask != 0 {
		return 0, linux.EINVAL
	}
	alen, ok := pageAlign(length)
	if !ok || (length != 0 && alen == 0) || addr+alen < addr {
		return 0, linux.EINVAL
	}
	if alen == 0 {
		return 0, 0
	}
	switch advice {
	case linux.MADV_DONTNEED, linux.MADV_FREE, linux.MADV_DONTNEED_LOCKED:
		return 0, mmuErrno(c.p.mem.Advise(addr, alen, mmu.AdviceDontNeed))
	}
	// The other advices change no contents; Linux still reports ENOMEM
	// when part of the range is not mapped.
	if !c.mapped(addr, addr+alen) {
		return 0, linux.ENOMEM
	}
	return 0, 0
}

// mapped reports whether every page of [start, end) is mapped.
func (c *call) mapped(start, end uint64) bool {
	for _, r := range c.p.mem.Mappings() {
		if r.End <= start {
			continue
		}
		if r.Start > start {
			return false
		}
		start = r.End
		if start >= end {
			return true
		}
	}
	return start >= end
}

func sysBrk(c *call) (uint64, linux.Errno) {
	return c.p.mem.Brk(c.args.Pointer(0)), 0
}

// sysMsync: unknown flags or MS_ASYNC with MS_SYNC are EINVAL, as is an
// unaligned address; an unmapped page in the range is ENOMEM.
func sysMsync(c *call) (uint64, linux.Errno) {
	addr, length, flags := c.args.Pointer(0), c.args.SizeT(1), c.args.Int(2)
	if flags&^(linux.MS_ASYNC|linux.MS_INVALIDATE|linux.MS_SYNC) != 0 ||
		flags&linux.MS_ASYNC != 0 && flags&linux.MS_SYNC != 0 {
		return 0, linux.EINVAL
	}
	if err := c.p.mem.Sync(addr, length, flags&linux.MS_SYNC != 0); err != nil {
		if errors.Is(err, mmu.ErrInvalid) || errors.Is(err, mmu.ErrNoMemory) {
			return 0, mmuErrno(err)
		}
		return 0, hostErrno(err)
	}
	return 0, 0
}
