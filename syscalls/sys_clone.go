package syscalls

import (
	"gemu/internal/abi/linux"
	"gemu/mmu"
)

// Threads: clone and clone3 for CLONE_THREAD, thread exit with
// CLONE_CHILD_CLEARTID and robust futex lists. Clones without
// CLONE_THREAD are processes (sys_fork.go).

// threadFlags are the flags a thread clone (pthread_create) uses; gemu
// accepts any subset that Linux accepts with CLONE_THREAD.
const threadFlags = linux.CLONE_VM | linux.CLONE_FS | linux.CLONE_FILES | linux.CLONE_SIGHAND |
	linux.CLONE_THREAD | linux.CLONE_SYSVSEM | linux.CLONE_SETTLS | linux.CLONE_PARENT_SETTID |
	linux.CLONE_CHILD_SETTID | linux.CLONE_CHILD_CLEARTID | linux.CLONE_DETACHED | linux.CLONE_IO

// cloneArgs are clone's arguments, as clone3's struct clone_args has them.
type cloneArgs struct {
	flags      uint64
	childTID   uint64
	parentTID  uint64
	exitSignal uint64
	stack      uint64 // the new RSP (0: the parent's)
	tls        uint64
}

// x86-64: clone(flags, newsp, parent_tid, child_tid, tls).
func sysClone(c *call) (uint64, linux.Errno) {
	flags := c.args.Ulong(0)
	a := cloneArgs{
		flags:      flags &^ linux.CSIGNAL,
		exitSignal: flags & linux.CSIGNAL,
		stack:      c.args.Pointer(1),
		parentTID:  c.args.Pointer(2),
		childTID:   c.args.Pointer(3),
		tls:        c.args.Ulong(4),
	}
	return c.clone(a)
}

// clone3(struct clone_args *args, size_t size).
func sysClone3(c *call) (uint64, linux.Errno) {
	addr, size := c.args.Pointer(0), c.args.SizeT(1)
	if size < linux.SizeofCloneArgsVer0 || size > 4096 {
		return 0, linux.EINVAL
	}
	b, e := c.copyIn(addr, int(size))
	if e != 0 {
		return 0, e
	}
	// Fields gemu does not know (set_tid, cgroup…) must be zero.
	for _, x := range b[linux.SizeofCloneArgsVer0:] {
		if x != 0 {
			return 0, linux.E2BIG
		}
	}
	u := func(i int) uint64 { return le.Uint64(b[8*i:]) }
	a := cloneArgs{
		flags:      u(0),
		childTID:   u(2),
		parentTID:  u(3),
		exitSignal: u(4),
		tls:        u(7),
	}
	// The pidfd field is only read with CLONE_PIDFD (glibc fills it
	// anyway), which clone rejects.
	if a.exitSignal&^linux.CSIGNAL != 0 {
		return 0, linux.EINVAL
	}
	stack, stackSize := u(5), u(6)
	if (stack == 0) != (stackSize == 0) {
		return 0, linux.EINVAL
	}
	if stack != 0 {
		a.stack = stack + stackSize
	}
	return c.clone(a)
}

// clone checks the flags as Linux's copy_process does and creates a
// thread.
func (c *call) clone(a cloneArgs) (uint64, linux.Errno) {
	f := a.flags
	switch {
	case f&(linux.CLONE_NEWNS|linux.CLONE_FS) == linux.CLONE_NEWNS|linux.CLONE_FS:
		return 0, linux.EINVAL
	case f&linux.CLONE_THREAD != 0 && f&linux.CLONE_SIGHAND == 0:
		return 0, linux.EINVAL
	case f&linux.CLONE_SIGHAND != 0 && f&linux.CLONE_VM == 0:
		return 0, linux.EINVAL
	case f&(linux.CLONE_NEWNS|linux.CLONE_NEWUTS|linux.CLONE_NEWIPC|linux.CLONE_NEWUSER|
		linux.CLONE_NEWPID|linux.CLONE_NEWNET|linux.CLONE_NEWCGROUP) != 0:
		return 0, linux.EPERM
	case f&linux.CLONE_PIDFD != 0:
		return 0, linux.EINVAL
	}
	if f&linux.CLONE_THREAD == 0 {
		return c.fork(a) // a new process (sys_fork.go)
	}
	if f&^threadFlags != 0 {
		return 0, linux.ENOSYS // thread flags gemu does not implement (CLONE_VFORK, CLONE_PTRACE...)
	}
	parent, ok := c.r.(Thread)
	if !ok {
		return 0, linux.ENOSYS
	}
	child := parent.CloneThread()
	a.startRegs(child)
	p := c.p
	p.mu.Lock()
	tid := p.allocTIDLocked()
	t := &thread{
		tid: tid, cpu: child.CPU(), th: child,
		sigmask:  c.t.sigmask,
		altstack: linux.Stack{Flags: linux.SS_DISABLE}, // CLONE_VM without CLONE_VFORK clears it
	}
	if f&linux.CLONE_CHILD_CLEARTID != 0 {
		t.clearChildTID = a.childTID
	}
	p.threads[t.cpu] = t
	p.k.setTask(t.cpu, p.pid, tid)
	p.mu.Unlock()
	a.writeTIDs(c, p.mem, tid)
	child.StartThread()
	return uint64(tid), 0
}

// startRegs gives a clone's first thread the registers Linux starts it
// with: RAX 0 (clone returns 0 in the child), the new stack and the TLS
// base if asked for; the rest copy the caller's.
func (a cloneArgs) startRegs(th Thread) {
	th.SetReg(RAX, 0)
	if a.stack != 0 {
		th.SetReg(RSP, a.stack)
	}
	if a.flags&linux.CLONE_SETTLS != 0 {
		th.SetFSBase(a.tls)
	}
}

// writeTIDs stores the new thread's id where CLONE_PARENT_SETTID (in the
// caller's memory) and CLONE_CHILD_SETTID (in the child's, childMem) ask.
// Errors are ignored, as Linux ignores them.
func (a cloneArgs) writeTIDs(c *call, childMem *mmu.Space, tid int) {
	if a.flags&linux.CLONE_PARENT_SETTID != 0 {
		c.writeU32(a.parentTID, uint32(tid))
	}
	if a.flags&linux.CLONE_CHILD_SETTID != 0 {
		var b [4]byte
		le.PutUint32(b[:], uint32(tid))
		childMem.WriteAt(b[:], a.childTID)
	}
}

func sysExit(c *call) (uint64, linux.Errno) {
	c.exitThread()
	c.out = Outcome{Kind: ExitThread, Status: int(c.args.Int(0)) & 0xff}
	return 0, 0
}

// exitThread does what Linux's exit does for the thread's user-visible
// state: robust futexes of the thread are marked owner-died (and a waiter
// woken), *clear_child_tid is zeroed and its futex woken (pthread_join),
// and the thread leaves the process.
func (c *call) exitThread() {
	c.walkRobustList()
	p := c.p
	if ctid := c.t.clearChildTID; ctid != 0 {
		if c.writeU32(ctid, 0) == 0 {
			p.mu.Lock()
			p.futex.wake(ctid, 1, linux.FUTEX_BITSET_MATCH_ANY)
			p.mu.Unlock()
		}
	}
	p.mu.Lock()
	delete(p.threads, c.t.cpu)
	// Signals queued for the thread die with it; process-directed ones
	// go to another thread.
	if p.sig.shared.mask != 0 {
		for bit := p.sig.shared.mask; bit != 0; bit &= bit - 1 {
			if t := p.wakeableLocked(bit & -bit); t != nil {
				p.pokeLocked(t)
			}
		}
	}
	p.mu.Unlock()
}

// robustListLimit bounds the walk, as Linux's ROBUST_LIST_LIMIT does.
const robustListLimit = 2048

// walkRobustList handles the thread's robust futex list on exit
// (kernel/futex/core.c exit_robust_list): every lock word still owned by
// the thread gets FUTEX_OWNER_DIED, and one waiter is woken if any waits.
func (c *call) walkRobustList() {
	head := c.t.robustHead
	if head == 0 {
		return
	}
	next, e1 := c.readU64(head)
	off, e2 := c.readU64(head + 8)
	pending, e3 := c.readU64(head + 16)
	if e1 != 0 || e2 != 0 || e3 != 0 {
		return
	}
	entry := next
	for i := 0; entry != head && i < robustListLimit; i++ {
		nextEntry, e := c.readU64(entry &^ 1)
		if e != 0 {
			return
		}
		if entry != pending {
			c.futexOwnerDied((entry&^1)+off, entry&1 != 0)
		}
		entry = nextEntry
	}
	if pending != 0 {
		c.futexOwnerDied((pending&^1)+off, pending&1 != 0)
	}
}

// futexOwnerDied marks the lock word at addr if the exiting thread owns it.
func (c *call) futexOwnerDied(addr uint64, pi bool) {
	if addr%4 != 0 {
		return
	}
	v, e := c.readU32(addr)
	if e != 0 || int(v&linux.FUTEX_TID_MASK) != c.t.tid {
		return
	}
	nv := v&linux.FUTEX_WAITERS | linux.FUTEX_OWNER_DIED
	if c.writeU32(addr, nv) != 0 {
		return
	}
	if v&linux.FUTEX_WAITERS != 0 && !pi {
		c.p.mu.Lock()
		c.p.futex.wake(addr, 1, linux.FUTEX_BITSET_MATCH_ANY)
		c.p.mu.Unlock()
	}
}
