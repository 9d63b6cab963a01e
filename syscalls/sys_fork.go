package syscalls

import (
	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
)

// Processes: fork, vfork and clone without CLONE_THREAD make a new guest
// process inside gemu (proctable.go) with a copy-on-write copy of the
// address space (mmu.Space.Clone), a copy of the descriptor table and the
// signal dispositions.
//
// CLONE_VM without CLONE_THREAD (vfork, and glibc's, musl's and Go's
// process spawning with CLONE_VFORK) shares the parent's address space, as
// in Linux, until the child execs or exits; with CLONE_VFORK the parent is
// suspended until then.

// forkFlags are the flags a process clone may carry.
const forkFlags = linux.CSIGNAL | linux.CLONE_VM | linux.CLONE_FS | linux.CLONE_SIGHAND |
	linux.CLONE_VFORK | linux.CLONE_PARENT | linux.CLONE_SYSVSEM | linux.CLONE_SETTLS |
	linux.CLONE_PARENT_SETTID | linux.CLONE_CHILD_SETTID | linux.CLONE_CHILD_CLEARTID |
	linux.CLONE_DETACHED | linux.CLONE_IO | linux.CLONE_CLEAR_SIGHAND |
	linux.CLONE_PTRACE | linux.CLONE_UNTRACED

func sysFork(c *call) (uint64, linux.Errno) {
	return c.fork(cloneArgs{exitSignal: uint64(linux.SIGCHLD)})
}

func sysVfork(c *call) (uint64, linux.Errno) {
	return c.fork(cloneArgs{flags: linux.CLONE_VM | linux.CLONE_VFORK, exitSignal: uint64(linux.SIGCHLD)})
}

// fork makes the new process and starts it; with CLONE_VFORK the caller
// then waits until the child execs or exits.
func (c *call) fork(a cloneArgs) (uint64, linux.Errno) {
	f := a.flags
	if f&^forkFlags != 0 {
		return 0, linux.EINVAL
	}
	if f&linux.CLONE_SIGHAND != 0 && f&linux.CLONE_CLEAR_SIGHAND != 0 {
		return 0, linux.EINVAL
	}
	pt, ok := c.r.(ProcessThread)
	if !ok {
		return 0, linux.ENOSYS
	}
	p := c.p
	child := p.forkProcess(c.t, f&linux.CLONE_CLEAR_SIGHAND != 0, f&linux.CLONE_VM != 0)
	th := pt.ForkProcess(child.mem, child)
	a.startRegs(th)
	ct := &thread{
		tid: child.pid, cpu: th.CPU(), th: th,
		sigmask: c.t.sigmask, altstack: c.t.altstack,
	}
	if f&linux.CLONE_CHILD_CLEARTID != 0 {
		ct.clearChildTID = a.childTID
	}
	child.threads[ct.cpu] = ct
	p.k.setTask(ct.cpu, child.pid, child.pid)

	k := p.k
	k.mu.Lock()
	parent := p
	if f&linux.CLONE_PARENT != 0 && p.ps.parent != nil {
		parent = p.ps.parent
	}
	child.ps = procState{
		parent: parent, pgid: p.ps.pgid, sid: p.ps.sid,
		exitSignal: linux.Signal(a.exitSignal),
	}
	parent.ps.children = append(parent.ps.children, child)
	k.procs[child.pid] = child
	vfork := f&linux.CLONE_VFORK != 0
	if vfork {
		child.ps.vforkParent = pt
	}
	k.mu.Unlock()

	a.writeTIDs(c, child.mem, child.pid)
	th.(ProcessThread).StartProcess(child.Exited)
	if vfork {
		c.waitVfork(pt, child)
	}
	return uint64(child.pid), 0
}

// waitVfork suspends the caller until the vfork child execs or exits.
// Signals wait until then, as in Linux (whose wait is killable only; gemu's
// ends only with the child's exec or exit, or the caller's process).
func (c *call) waitVfork(th ProcessThread, child *Process) {
	k := c.p.k
	for {
		k.mu.Lock()
		done := child.ps.vforkDone
		k.mu.Unlock()
		if done || th.ParkUninterruptible() == WakeExiting {
			return
		}
	}
}

// forkProcess makes the child's Process: a copy-on-write copy of the
// address space (or the same space with shareVM), the descriptor table (each descriptor shared, as after
// Linux's fork: one open file description), dispositions (reset to the
// default with clearHandlers), limits and names. Pending signals, timers,
// futex waiters and threads other than the caller are not inherited.
func (p *Process) forkProcess(t *thread, clearHandlers, shareVM bool) *Process {
	p.mu.Lock()
	defer p.mu.Unlock()
	mem := p.mem
	if !shareVM {
		mem = p.mem.Clone()
	}
	child := &Process{
		mem:      mem,
		cfg:      p.cfg,
		pid:      p.k.allocID(),
		threads:  make(map[int]*thread),
		reported: make(map[int32]bool),
		rlimits:  p.rlimits,
		sys:      p.sys,
		k:        p.k,
	}
	child.sys.itimers = [3]itimer{}
	child.sys.pdeathsig, child.sys.subreaper = 0, false // not inherited
	if p.cwd < 0 {
		p.cwd = openCwd()
	}
	child.cwd = -1
	if p.cwd >= 0 {
		if fd, err := unix.FcntlInt(uintptr(p.cwd), unix.F_DUPFD_CLOEXEC, 0); err == nil {
			child.cwd = fd
		}
	}
	child.sig.actions = p.sig.actions
	if clearHandlers {
		child.resetHandlersLocked()
	}
	child.fds.max = p.fds.max
	child.fds.slots = make([]fdSlot, len(p.fds.slots))
	for i, s := range p.fds.slots {
		if s.file != nil {
			s.file.incRef()
			child.fds.slots[i] = s
		}
	}
	return child
}

// resetHandlersLocked sets every handled signal back to SIG_DFL (execve,
// CLONE_CLEAR_SIGHAND) as Linux's flush_signal_handlers does: ignored
// signals stay ignored, and flags, masks and restorers are cleared.
//
// Preconditions: p.mu is held (or p is not yet shared).
func (p *Process) resetHandlersLocked() {
	for i := range p.sig.actions {
		a := &p.sig.actions[i]
		h := a.Handler
		if h != linux.SIG_IGN {
			h = linux.SIG_DFL
		}
		*a = linux.SigAction{Handler: h}
	}
}
