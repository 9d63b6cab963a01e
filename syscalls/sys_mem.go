package syscalls

import (
	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
	"gemu/mmu"
)

// mincore and the mlock family. gemu's guest memory is ordinary host
// memory that it never pages out, so locking changes nothing; the calls
// check what an unprivileged kernel checks (alignment, mapped ranges,
// RLIMIT_MEMLOCK, CAP_IPC_LOCK as root) and succeed.

// capIPCLock stands in for CAP_IPC_LOCK: the host's root.
func capIPCLock() bool { return unix.Geteuid() == 0 }

func sysMincore(c *call) (uint64, linux.Errno) {
	addr, length, vec := c.args.Pointer(0), c.args.SizeT(1), c.args.Pointer(2)
	if addr&mmu.PageMask != 0 {
		return 0, linux.EINVAL
	}
	if !rangeOK(addr, length) {
		return 0, linux.ENOMEM
	}
	pages := (length + mmu.PageMask) >> mmu.PageShift
	if !rangeOK(vec, pages) {
		return 0, linux.EFAULT
	}
	if pages == 0 {
		return 0, 0
	}
	if !c.mapped(addr, addr+pages<<mmu.PageShift) {
		return 0, linux.ENOMEM
	}
	// Every mapped guest page counts as resident.
	out := make([]byte, pages)
	for i := range out {
		out[i] = 1
	}
	return 0, c.copyOut(vec, out)
}

// mlockRange is do_mlock's checks.
func (c *call) mlockRange(addr, length uint64) (uint64, linux.Errno) {
	limit := c.limit(linux.RLIMIT_MEMLOCK)
	if limit == 0 && !capIPCLock() {
		return 0, linux.EPERM
	}
	start := addr &^ mmu.PageMask
	end, ok := pageAlign(addr + length)
	if !ok || addr+length < addr {
		return 0, linux.EINVAL
	}
	if end-start > limit && !capIPCLock() {
		return 0, linux.ENOMEM
	}
	if end > start && !c.mapped(start, end) {
		return 0, linux.ENOMEM
	}
	return 0, 0
}

func sysMlock(c *call) (uint64, linux.Errno) {
	return c.mlockRange(c.args.Pointer(0), c.args.SizeT(1))
}

func sysMlock2(c *call) (uint64, linux.Errno) {
	if c.args.Uint(2)&^linux.MLOCK_ONFAULT != 0 {
		return 0, linux.EINVAL
	}
	return c.mlockRange(c.args.Pointer(0), c.args.SizeT(1))
}

func sysMunlock(c *call) (uint64, linux.Errno) {
	addr, length := c.args.Pointer(0), c.args.SizeT(1)
	start := addr &^ mmu.PageMask
	end, ok := pageAlign(addr + length)
	if !ok || addr+length < addr {
		return 0, linux.EINVAL
	}
	if end > start && !c.mapped(start, end) {
		return 0, linux.ENOMEM
	}
	return 0, 0
}

func sysMlockall(c *call) (uint64, linux.Errno) {
	flags := c.args.Int(0)
	if flags == 0 || flags&^(linux.MCL_CURRENT|linux.MCL_FUTURE|linux.MCL_ONFAULT) != 0 || flags == linux.MCL_ONFAULT {
		return 0, linux.EINVAL
	}
	limit := c.limit(linux.RLIMIT_MEMLOCK)
	if limit == 0 && !capIPCLock() {
		return 0, linux.EPERM
	}
	if flags&linux.MCL_CURRENT != 0 && !capIPCLock() {
		var total uint64
		for _, r := range c.p.mem.Mappings() {
			total += r.End - r.Start
		}
		if total > limit {
			return 0, linux.ENOMEM
		}
	}
	return 0, 0
}

func sysMunlockall(c *call) (uint64, linux.Errno) { return 0, 0 }
