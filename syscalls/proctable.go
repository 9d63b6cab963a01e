package syscalls

import (
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
)

// The process table: every guest process of a run (the first one and those
// it forks) lives inside the one gemu process and shares a kernel.
//
// Pids: the first process has gemu's host pid (or Config.PID, 1000 under
// -icount); every later pid or tid is the next number of one counter that
// starts just above it (first+1, first+2, …), shared by processes and
// threads so that no two guest tasks ever have the same id. Guest ids are
// gemu's own namespace: they may equal ids of unrelated host processes,
// which the guest cannot see (kill and wait reach guest processes only,
// except kill of a pid gemu does not know, which goes to the host as before).

// kernel is the state every guest process of a run shares.
type kernel struct {
	nextID atomic.Int64 // the last pid or tid handed out

	// mu guards the table, the family links, process groups and sessions,
	// and exit states. Lock order: kernel.mu before any Process.mu.
	mu    sync.Mutex
	procs map[int]*Process // live and zombie processes by pid
	init  *Process         // the first process: orphans' new parent

	// cwdOwner is the process whose working directory is gemu's host
	// working directory now (see enterCwd).
	cwdOwner atomic.Pointer[Process]

	// tasks maps a vCPU index (unique in the run) to the task{pid, tid}
	// running on it, for trace events (Process.Task).
	tasks sync.Map
}

// task is a guest thread's identity.
type task struct{ pid, tid int }

// setTask records that vCPU cpu runs thread tid of process pid.
func (k *kernel) setTask(cpu, pid, tid int) { k.tasks.Store(cpu, task{pid, tid}) }

// Task returns the guest process and thread running on vCPU cpu, in any
// guest process of the run (trace events carry them). It may be called
// from any goroutine.
func (p *Process) Task(cpu int) (pid, tid int, ok bool) {
	v, ok := p.k.tasks.Load(cpu)
	if !ok {
		return 0, 0, false
	}
	t := v.(task)
	return t.pid, t.tid, true
}

// procState is a process's place in the table; the kernel lock guards it.
type procState struct {
	parent   *Process // nil for the first process
	children []*Process
	pgid     int
	sid      int
	// exitSignal is sent to the parent when the process ends (SIGCHLD for
	// fork; clone's low byte; 0: none).
	exitSignal linux.Signal
	exited     bool    // a zombie (or reaped)
	status     Outcome // how it ended, when exited
	reaped     bool
	// waiters are the threads of this process parked in wait4/waitid.
	waiters map[Thread]bool
	// vforkParent is the parent thread suspended by vfork until this
	// process execs or exits.
	vforkParent Thread
	vforkDone   bool
}

// newKernel makes the table with p as its first process.
func newKernel(p *Process) *kernel {
	k := &kernel{procs: map[int]*Process{p.pid: p}, init: p}
	k.nextID.Store(int64(p.pid))
	k.cwdOwner.Store(p)
	p.ps.pgid = unix.Getpgrp()
	if sid, err := unix.Getsid(0); err == nil {
		p.ps.sid = sid
	}
	return k
}

// Working directories. All guest processes share gemu's one host working
// directory, so each process keeps its own as a host descriptor (cwd, an
// O_PATH handle, from its first fork on) and a system call of a process
// other than the last one to make one first changes the host's directory
// to it (one fchdir per switch between processes; system calls run one at
// a time, holding the guest CPU).

// enterCwd makes p's working directory the host's.
func (k *kernel) enterCwd(p *Process) {
	if k.cwdOwner.Load() == p {
		return
	}
	if p.cwd >= 0 {
		unix.Fchdir(p.cwd)
	}
	k.cwdOwner.Store(p)
}

// openCwd returns a new O_PATH descriptor of the host's working directory.
func openCwd() int {
	fd, err := unix.Open(".", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1
	}
	return fd
}

// cwdChanged records a chdir of p (the host's directory changed).
func (p *Process) cwdChanged() {
	if p.cwd >= 0 {
		unix.Close(p.cwd)
		p.cwd = openCwd()
	}
}

// allocID returns a new pid or tid.
func (k *kernel) allocID() int { return int(k.nextID.Add(1)) }

// lookup returns the process with pid (zombies included), or nil.
func (k *kernel) lookup(pid int) *Process {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.procs[pid]
}

// live returns the processes not yet exited that match sel, in pid order.
//
// Preconditions: k.mu is held.
func (k *kernel) liveLocked(match func(q *Process) bool) []*Process {
	var out []*Process
	for _, q := range k.procs {
		if !q.ps.exited && match(q) {
			out = append(out, q)
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].pid < out[j-1].pid; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// Exited records that p ended with out (ExitGroup with a status, or Killed):
// its descriptors are closed, its children go to the first process, its
// parent gets the exit signal and its waiting threads are woken, and a
// vfork parent resumes. When the first process ends, every other guest
// process is killed (the run ends with it).
//
// The run loop calls it on the thread that ends the process, which holds
// the guest CPU.
func (p *Process) Exited(out Outcome) {
	p.mu.Lock()
	if out.Core && p.rlimits[linux.RLIMIT_CORE].Cur == 0 {
		// The kernel reports a core dump (WCOREDUMP, CLD_DUMPED) only
		// when one was written; with RLIMIT_CORE 0 none is. gemu writes
		// none either way, but reports what the limit says.
		out.Core = false
	}
	p.mu.Unlock()
	p.Close()
	if p.cwd >= 0 {
		unix.Close(p.cwd)
		p.cwd = -1
	}
	k := p.k
	k.mu.Lock()
	if p.ps.exited {
		k.mu.Unlock()
		return
	}
	p.ps.exited, p.ps.status = true, out
	p.wakeVforkLocked()
	var kill []*Process
	if p == k.init {
		kill = k.liveLocked(func(*Process) bool { return true })
	} else {
		reaper := p.reaperLocked()
		for _, ch := range p.ps.children {
			ch.ps.parent = reaper
			reaper.ps.children = append(reaper.ps.children, ch)
			ch.mu.Lock()
			if sig := linux.Signal(ch.sys.pdeathsig); sig.Valid() && !ch.ps.exited {
				ch.sendLocked(nil, linux.Siginfo{Signo: int32(sig), Code: linux.SI_USER, PID: int32(p.pid)})
			}
			ch.mu.Unlock()
		}
	}
	p.ps.children = nil
	parent := p.ps.parent
	var wake []Thread
	if parent != nil {
		parent.mu.Lock()
		act := parent.sig.actions[linux.SIGCHLD-1]
		parent.mu.Unlock()
		autoReap := p.ps.exitSignal == linux.SIGCHLD &&
			(act.Handler == linux.SIG_IGN || act.Flags&linux.SA_NOCLDWAIT != 0)
		if autoReap {
			p.reapLocked()
		}
		for th := range parent.ps.waiters {
			wake = append(wake, th)
		}
		if sig := p.ps.exitSignal; sig != 0 && !autoReap {
			si := p.childInfo()
			si.Signo = int32(sig)
			parent.mu.Lock()
			parent.sendLocked(nil, si)
			parent.mu.Unlock()
		}
	}
	k.mu.Unlock()
	for _, th := range wake {
		th.Unpark()
	}
	for _, q := range kill {
		q.mu.Lock()
		q.sendLocked(nil, linux.Siginfo{Signo: int32(linux.SIGKILL), Code: linux.SI_KERNEL})
		q.mu.Unlock()
	}
}

// reaperLocked is the new parent of p's children when p ends: the nearest
// live ancestor that made itself a child subreaper (PR_SET_CHILD_SUBREAPER),
// else the first process.
//
// Preconditions: k.mu is held.
func (p *Process) reaperLocked() *Process {
	for a := p.ps.parent; a != nil; a = a.ps.parent {
		a.mu.Lock()
		sub := a.sys.subreaper
		a.mu.Unlock()
		if sub && !a.ps.exited {
			return a
		}
	}
	return p.k.init
}

// wakeVforkLocked resumes the parent suspended by vfork.
//
// Preconditions: k.mu is held.
func (p *Process) wakeVforkLocked() {
	if th := p.ps.vforkParent; th != nil && !p.ps.vforkDone {
		p.ps.vforkDone = true
		th.Unpark()
	}
}

// reapLocked removes an exited process from the table and from its
// parent's children.
//
// Preconditions: k.mu is held; p has exited.
func (p *Process) reapLocked() {
	p.ps.reaped = true
	delete(p.k.procs, p.pid)
	if parent := p.ps.parent; parent != nil {
		for i, ch := range parent.ps.children {
			if ch == p {
				parent.ps.children = append(parent.ps.children[:i], parent.ps.children[i+1:]...)
				break
			}
		}
	}
}

// childInfo is the SIGCHLD siginfo of an exited process (Signo unset).
//
// Preconditions: k.mu is held; p has exited.
func (p *Process) childInfo() linux.Siginfo {
	si := linux.Siginfo{PID: int32(p.pid), UID: uint32(unix.Getuid())}
	out := p.ps.status
	switch {
	case out.Kind == Killed && out.Core:
		si.Code, si.Status = linux.CLD_DUMPED, int32(out.Signal)
	case out.Kind == Killed:
		si.Code, si.Status = linux.CLD_KILLED, int32(out.Signal)
	default:
		si.Code, si.Status = linux.CLD_EXITED, int32(out.Status&0xff)
	}
	return si
}

// waitStatus is the wait4 status word of an exited process.
//
// Preconditions: k.mu is held; p has exited.
func (p *Process) waitStatus() uint32 {
	out := p.ps.status
	if out.Kind == Killed {
		st := uint32(out.Signal) & 0x7f
		if out.Core {
			st |= 0x80
		}
		return st
	}
	return uint32(out.Status&0xff) << 8
}

// family returns the parent pid, process group and session of p.
func (p *Process) family() (ppid, pgid, sid int) {
	ppid = p.ppid()
	p.k.mu.Lock()
	defer p.k.mu.Unlock()
	return ppid, p.ps.pgid, p.ps.sid
}

// ppid returns the guest's parent process id: the parent guest process,
// or gemu's own parent for the first process.
func (p *Process) ppid() int {
	p.k.mu.Lock()
	defer p.k.mu.Unlock()
	if parent := p.ps.parent; parent != nil {
		return parent.pid
	}
	return unix.Getppid()
}
