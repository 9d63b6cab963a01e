package emu

import (
	"gemu/mmu"
	"gemu/syscalls"
)

// Guest processes: fork makes a new Machine on a copy-on-write copy of the
// address space that shares the run's scheduler and clock; execve replaces
// the machine's address space and code cache under the calling thread. A
// process made with CLONE_VM (vfork, posix_spawn) shares its parent's
// address space and code cache until it execs or ends.

var _ syscalls.ProcessThread = (*CPU)(nil)

// ForkProcess implements syscalls.ProcessThread: the first thread of a new
// process on mem, whose system calls go to p, with c's registers and FPU
// state. The new machine owns mem and closes it, unless mem is c's own
// address space (CLONE_VM): then the two processes share it and its code
// cache.
func (c *CPU) ForkProcess(mem *mmu.Space, p *syscalls.Process) syscalls.Thread {
	parent := c.m
	cfg := parent.cfg
	cfg.Mem = mem
	cfg.OS = p
	if parent.childOS != nil {
		cfg.OS = parent.childOS(p)
	}
	m := &Machine{
		cfg:     cfg,
		mem:     mem,
		quantum: parent.quantum,
		sched:   parent.sched,
		clock:   parent.clock,
		nextIdx: parent.nextIdx,
		childOS: parent.childOS,
		ownsMem: true,
		exitc:   make(chan Exit, 1),
		done:    make(chan struct{}),
	}
	if mem == parent.mem {
		m.ownsMem, m.sharedMem = false, true
		m.cache = parent.cache
	} else {
		m.cache = newCodeCache(mem)
	}
	n := m.NewCPU()
	n.R, n.RIP, n.rflags, n.lf = c.R, c.RIP, c.rflags, c.lf
	n.fsBase, n.gsBase = c.fsBase, c.gsBase
	n.X, n.mxcsr, n.fpu = c.X, c.mxcsr, c.fpu
	n.feat = c.feat
	return n
}

// ParkUninterruptible implements syscalls.ProcessThread.
func (c *CPU) ParkUninterruptible() syscalls.WakeReason { return c.m.sched.parkUninterruptible(c) }

// StartProcess implements syscalls.ProcessThread: the forked process's
// first thread is queued for the CPU behind the threads already waiting,
// and exited is told the process's outcome when it ends.
func (c *CPU) StartProcess(exited func(out syscalls.Outcome)) {
	c.m.onExit = exited
	c.StartThread()
}

// exec runs the image that execve loaded: the process's other threads end
// (the caller waits for them with the CPU given away), then the machine
// takes the new address space and a fresh code cache, closes the old
// space, and the thread starts at the image's entry point with every
// register zero but RSP, as at process start.
func (c *CPU) exec(img *syscalls.ExecImage) {
	m := c.m
	m.mu.Lock()
	var others []*CPU
	for _, o := range m.cpus {
		if o != c {
			others = append(others, o)
		}
	}
	if len(others) > 0 {
		m.execWaiter = c
	}
	m.mu.Unlock()
	for _, o := range others {
		o.killed.Store(true)
		m.sched.interrupt(o)
	}
	for len(others) > 0 {
		// The last of them to go unparks this thread (threadExited).
		if m.sched.parkUninterruptible(c) == syscalls.WakeExiting {
			return
		}
		m.mu.Lock()
		n := len(m.cpus)
		m.mu.Unlock()
		if n == 1 {
			break
		}
	}
	m.mu.Lock()
	m.execWaiter = nil
	m.mu.Unlock()
	img.Commit()
	old := m.mem
	m.mem, m.cfg.Mem = img.Mem, img.Mem
	c.mem, c.cfg.Mem = img.Mem, img.Mem
	c.tlb.Release()
	c.tlb = img.Mem.NewTLB(c.index)
	m.cache = newCodeCache(img.Mem)
	m.cache.attach(c)
	c.cache = m.cache
	c.jc = [jumpCacheSize]*block{}
	c.reset()
	c.R[syscalls.RSP] = img.SP
	c.RIP = img.Entry
	c.pending = false
	if !m.sharedMem {
		old.Close() // closing twice is harmless (the CLI also closes the first space)
	}
	m.ownsMem, m.sharedMem = true, false
}
