package syscalls

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
	"gemu/mmu"
)

// Process is one guest process: its address space, fd table and the state
// system calls share. Its methods may be called from several goroutines (one
// per guest thread); the mutex guards the tables, never a blocking host call.
type Process struct {
	mem *mmu.Space
	cfg Config
	pid int // the guest sees gemu's host pid as its own

	mu       sync.Mutex
	closed   bool
	fds      fdTable
	threads  map[int]*thread // by vCPU index
	futex    futexTable
	sig      signalState
	rlimits  [linux.RLIM_NLIMITS]linux.Rlimit
	reported map[int32]bool // unimplemented numbers already reported
	sys      sysState       // timers, personality, names (state.go)

	k   *kernel   // the run's process table, shared by every guest process
	ps  procState // family, groups and exit state; k.mu guards it
	cwd int       // host O_PATH descriptor of the working directory; -1 until the first fork (proctable.go)
}

// thread is the per-thread state system calls see.
type thread struct {
	tid           int
	cpu           int    // vCPU index
	th            Thread // nil when the caller's Regs is not a Thread
	sigmask       uint64 // blocked signals
	pending       sigQueue
	altstack      linux.Stack
	clearChildTID uint64
	robustHead    uint64
	robustLen     uint64
	// savedMask is restored after the handler that interrupts
	// rt_sigsuspend (or pselect/ppoll) returns.
	savedMask   uint64
	restoreMask bool
	// restart records that the last system call returned a restart code:
	// signal delivery restarts it (RIP back over SYSCALL, RAX = origRAX)
	// or turns it into EINTR.
	restart bool
	origRAX uint64
	// waitSet are the signals rt_sigtimedwait waits for: they wake the
	// thread although it blocks them.
	waitSet uint64
}

// NewProcess makes the process; it dups cfg's standard files into fds 0-2.
func NewProcess(cfg Config, mem *mmu.Space) (*Process, error) {
	p := &Process{
		mem:      mem,
		cfg:      cfg,
		pid:      unix.Getpid(),
		threads:  make(map[int]*thread),
		reported: make(map[int32]bool),
		cwd:      -1,
	}
	if p.cfg.Log == nil {
		p.cfg.Log = os.Stderr
	}
	if cfg.PID != 0 {
		p.pid = cfg.PID
	}
	p.k = newKernel(p)
	p.initRlimits()
	for fd, f := range [...]*os.File{cfg.Stdin, cfg.Stdout, cfg.Stderr} {
		if f == nil {
			continue
		}
		hf, err := dupFile(f)
		if err != nil {
			p.fds.closeAll()
			return nil, fmt.Errorf("gemu: guest fd %d: %w", fd, err)
		}
		p.fds.set(int32(fd), hf, false)
	}
	return p, nil
}

// dupFile dups an *os.File's descriptor without touching its blocking mode.
func dupFile(f *os.File) (*hostFile, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var hf *hostFile
	var e linux.Errno
	if err := rc.Control(func(fd uintptr) { hf, e = dupHost(int(fd)) }); err != nil {
		return nil, err
	}
	if e != 0 {
		return nil, errors.New(e.Error())
	}
	return hf, nil
}

// Close releases the process's host resources (its fds).
func (p *Process) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	p.stopItimersLocked()
	return p.fds.closeAll()
}

// Pid returns the guest's process id.
func (p *Process) Pid() int { return p.pid }

// thread returns the state of the thread running on r's vCPU. The first
// thread to appear is the main thread, whose tid is the pid; the others
// are registered by clone.
func (p *Process) thread(r Regs) *thread {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.threadLocked(r)
}

func (p *Process) threadLocked(r Regs) *thread {
	cpu := r.CPU()
	t := p.threads[cpu]
	if t == nil {
		tid := p.pid
		if len(p.threads) > 0 {
			tid = p.allocTIDLocked()
		}
		t = &thread{tid: tid, cpu: cpu, altstack: linux.Stack{Flags: linux.SS_DISABLE}}
		p.threads[cpu] = t
		p.k.setTask(cpu, p.pid, tid)
	}
	if t.th == nil {
		t.th, _ = r.(Thread)
	}
	return t
}

// allocTIDLocked returns a thread id for a new thread: the next id of the
// run (proctable.go).
func (p *Process) allocTIDLocked() int { return p.k.allocID() }

// Syscall performs the system call whose number is in RAX and arguments in
// RDI, RSI, RDX, R10, R8, R9, writes the result (or -errno) into RAX and
// says whether the thread continues.
//
// Preconditions: r.PC() is the address just past the 2-byte SYSCALL
// instruction, as the interpreter leaves it (used only in -d unimp reports).
func (p *Process) Syscall(r Regs) Outcome {
	// Linux takes the number from EAX sign-extended (entry_64.S: movslq):
	// the upper half of RAX is ignored.
	p.k.enterCwd(p)
	rax := r.Reg(RAX)
	nr := int32(rax)
	c := call{
		p:    p,
		r:    r,
		t:    p.thread(r),
		args: Args{r.Reg(RDI), r.Reg(RSI), r.Reg(RDX), r.Reg(R10), r.Reg(R8), r.Reg(R9)},
	}
	var ret uint64
	var e linux.Errno
	if nr >= 0 && int(nr) < len(table) && table[nr].fn != nil {
		ret, e = table[nr].fn(&c)
	} else {
		p.reportUnimplemented(nr, r)
		e = linux.ENOSYS
	}
	c.release()
	if e != 0 {
		ret = e.Neg()
	}
	r.SetReg(RAX, ret)
	if isRestart(e) {
		// Signal delivery decides between restarting and EINTR; make sure
		// it runs before the next guest instruction.
		p.mu.Lock()
		c.t.restart, c.t.origRAX = true, rax
		p.mu.Unlock()
		if c.t.th != nil {
			c.t.th.Interrupt()
		} else {
			r.SetReg(RAX, linux.EINTR.Neg())
		}
	}
	return c.out
}

// reportUnimplemented writes the -d unimp line once per number.
func (p *Process) reportUnimplemented(nr int32, r Regs) {
	if !p.cfg.Unimp {
		return
	}
	p.mu.Lock()
	seen := p.reported[nr]
	p.reported[nr] = true
	p.mu.Unlock()
	if seen {
		return
	}
	name := linux.Sysno(nr).String()
	fmt.Fprintf(p.cfg.Log, "gemu: unimplemented syscall %s (%d) at pc %#x\n", name, nr, r.PC()-2)
}

// call is one system call in progress.
type call struct {
	p    *Process
	t    *thread
	r    Regs
	args Args
	out  Outcome
	held [6]*hostFile // files looked up by this call, released at its end
	nh   int
}

// file returns the host file of guest fd, held until the call ends.
func (c *call) file(fd int32) (*hostFile, linux.Errno) {
	c.p.mu.Lock()
	f := c.p.fds.get(fd)
	if f != nil {
		f.incRef()
	}
	c.p.mu.Unlock()
	if f == nil {
		return nil, linux.EBADF
	}
	if c.nh == len(c.held) {
		// Never happens with the handlers in this package; stay safe.
		f.decRef()
		return nil, linux.EBADF
	}
	c.held[c.nh] = f
	c.nh++
	return f, 0
}

func (c *call) release() {
	for i := range c.nh {
		c.held[i].decRef()
		c.held[i] = nil
	}
	c.nh = 0
}

// limit returns the soft value of an rlimit.
func (c *call) limit(res int) uint64 {
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	return c.p.rlimits[res].Cur
}

// install gives f the lowest free guest fd >= min; on failure it closes f.
func (c *call) install(min int, f *hostFile, cloexec bool) (uint64, linux.Errno) {
	p := c.p
	p.mu.Lock()
	fd, e := p.fds.alloc(min, p.rlimits[linux.RLIMIT_NOFILE].Cur, f, cloexec)
	p.mu.Unlock()
	if e != 0 {
		f.decRef()
		return 0, e
	}
	return uint64(fd), 0
}

// haveFreeFD reports whether a new fd >= min would fit under RLIMIT_NOFILE.
func (c *call) haveFreeFD(min int) bool {
	p := c.p
	p.mu.Lock()
	defer p.mu.Unlock()
	return uint64(p.fds.lowestFree(min)) < p.rlimits[linux.RLIMIT_NOFILE].Cur
}
