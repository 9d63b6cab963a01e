package emu

import (
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"gemu/internal/abi/linux"
	"gemu/mmu"
	"gemu/syscalls"
	"golang.org/x/sys/unix"
)

// SignalOS is an OS that also delivers signals and knows about threads
// (*syscalls.Process implements it). With a plain OS, faults end the run
// and clone is unavailable.
type SignalOS interface {
	OS
	// DeliverSignals delivers the thread's pending, unblocked signals
	// (building signal frames); it says whether the thread goes on.
	DeliverSignals(t syscalls.Thread) syscalls.Outcome
	// Fault delivers a synchronous fault of the thread.
	Fault(t syscalls.Thread, f syscalls.FaultInfo) syscalls.Outcome
}

// DefaultQuantum is how many guest instructions a thread runs before the
// scheduler may switch to another runnable thread.
const DefaultQuantum = 200_000

// Machine is one guest process: its threads (CPUs) share the address space,
// the translated code and the OS. Every process of a run (the first one and
// those it forks) shares one scheduler and one clock, so exactly one guest
// thread of the whole run executes at a time and a run under -icount stays
// reproducible.
type Machine struct {
	cfg     Config
	mem     *mmu.Space
	cache   *codeCache
	sched   *sched
	clock   *clock
	quantum uint64
	// childOS makes the OS of a forked process from its syscalls.Process
	// (wrapping it for -strace, say); nil: the Process itself.
	childOS func(p *syscalls.Process) OS
	// onExit learns the process's outcome when it ends (syscalls uses it
	// for wait4 and SIGCHLD); it runs on the thread that ends the process.
	onExit func(out syscalls.Outcome)
	// ownsMem: the machine closes mem when its threads are gone (a forked
	// process, or any process after execve).
	ownsMem bool
	// sharedMem: mem and the code cache are the parent's (CLONE_VM)
	// until an execve.
	sharedMem bool
	exitCore  bool // the fatal signal that ended the process dumps core
	threads   sync.WaitGroup

	mu         sync.Mutex
	cpus       []*CPU // live threads
	nextIdx    *atomic.Int64
	execWaiter *CPU // the thread whose execve waits for the others to end

	exitOnce sync.Once
	exitc    chan Exit
	done     chan struct{}
	finished atomic.Bool
}

// NewMachine makes a machine for the address space in cfg.Mem.
func NewMachine(cfg Config) *Machine {
	m := &Machine{
		cfg:     cfg,
		mem:     cfg.Mem,
		quantum: cfg.Quantum,
		exitc:   make(chan Exit, 1),
		done:    make(chan struct{}),
		sched:   new(sched),
		clock:   new(clock),
		nextIdx: new(atomic.Int64),
	}
	if m.quantum == 0 {
		m.quantum = DefaultQuantum
	}
	m.clock.init(cfg.ICount, cfg.ICountShift)
	m.cache = newCodeCache(cfg.Mem)
	m.sched.clock = m.clock
	return m
}

// SetChildOS sets how the OS of a forked process is made from its
// syscalls.Process (nil: the Process itself).
func (m *Machine) SetChildOS(f func(p *syscalls.Process) OS) { m.childOS = f }

// OnExit sets the function told the process's outcome when it ends.
func (m *Machine) OnExit(f func(out syscalls.Outcome)) { m.onExit = f }

// SetOS sets the OS after the machine is made (the OS may need the
// machine's clock first).
func (m *Machine) SetOS(os OS) { m.cfg.OS = os }

// Clock returns the guest clock (virtual with Config.ICount).
func (m *Machine) Clock() syscalls.Clock { return m.clock }

// NewCPU returns a new thread's CPU in the state Linux leaves at exec:
// every register zero (the caller sets RSP and RIP).
func (m *Machine) NewCPU() *CPU {
	// vCPU indices are unique in the run (every process), so an index
	// names one thread everywhere (trace events, hypertrace).
	idx := int(m.nextIdx.Add(1) - 1)
	c := &CPU{m: m, cfg: m.cfg, mem: m.mem, cache: m.cache, index: idx, wake: make(chan struct{}, 1)}
	c.tlb = m.mem.NewTLB(idx)
	c.feat = defaultFeatures()
	c.reset()
	m.cache.attach(c)
	m.mu.Lock()
	m.cpus = append(m.cpus, c)
	m.mu.Unlock()
	return c
}

// Run runs the process whose first thread is main until it ends: all
// threads exited, exit_group, a fatal signal, or an emulator error.
//
// A machine whose run ended may run again (tests re-run code after changing
// memory): its threads other than main are gone, and main starts afresh at
// its current registers.
func (m *Machine) Run(main *CPU) Exit {
	if m.finished.Load() {
		// The last run's goroutines are ending (they saw done); let
		// them go before the machine is reset.
		m.threads.Wait()
		m.exitOnce = sync.Once{}
		m.exitc = make(chan Exit, 1)
		m.done = make(chan struct{})
		m.sched = &sched{clock: m.clock}
		m.mu.Lock()
		m.cpus = []*CPU{main}
		m.mu.Unlock()
		m.finished.Store(false)
	}
	m.threads.Add(1)
	go main.loop()
	return <-m.exitc
}

// finish ends the process once, with the first outcome reported: onExit
// learns it, threads waiting for the CPU or blocked in the host are told to
// stop, and once they are all gone an owned address space is closed.
func (m *Machine) finish(e Exit) {
	first := false
	m.exitOnce.Do(func() {
		first = true
		m.finished.Store(true)
		if m.onExit != nil {
			m.onExit(m.outcome(e))
		}
		close(m.done)
		m.mu.Lock()
		cpus := append([]*CPU(nil), m.cpus...)
		m.mu.Unlock()
		m.sched.mu.Lock()
		for _, c := range cpus {
			if c.intr != nil {
				close(c.intr)
				c.intr = nil
			}
		}
		m.sched.mu.Unlock()
		if m.ownsMem {
			go func() {
				m.threads.Wait()
				m.mem.Close()
			}()
		}
	})
	if first {
		// Last: Run returns on this, and a test may then re-run the
		// machine.
		m.exitc <- e
	}
}

// finish ends c's process; c's instructions so far are accounted first
// (Run's caller may read the counters as soon as it returns). A process
// sharing its parent's address space gives its TLB back to it.
func (c *CPU) finish(e Exit) {
	c.endSlice()
	if c.m.sharedMem {
		c.tlb.Release()
	}
	c.m.finish(e)
}

// outcome turns a run's end into what the OS reports to the parent.
func (m *Machine) outcome(e Exit) syscalls.Outcome {
	switch {
	case e.Err != nil:
		// An emulator error in a forked process: reported, and the
		// parent sees gemu's own error status.
		if m.cfg.Log != nil {
			fmt.Fprintf(m.cfg.Log, "gemu: %v\n", e.Err)
		}
		return syscalls.Outcome{Kind: syscalls.ExitGroup, Status: 1}
	case e.Signal != 0:
		return syscalls.Outcome{Kind: syscalls.Killed, Signal: e.Signal, Core: m.exitCore}
	}
	return syscalls.Outcome{Kind: syscalls.ExitGroup, Status: e.Status}
}

// threadExited removes c; the last thread's exit ends the process.
func (m *Machine) threadExited(c *CPU, status int) {
	m.mu.Lock()
	for i, x := range m.cpus {
		if x == c {
			m.cpus = append(m.cpus[:i], m.cpus[i+1:]...)
			break
		}
	}
	last := len(m.cpus) == 0
	waiter := m.execWaiter
	if len(m.cpus) != 1 {
		waiter = nil
	}
	m.mu.Unlock()
	if waiter != nil {
		m.sched.unparkFor(waiter, syscalls.WakeUnparked)
	}
	c.tlb.Release()
	if last {
		c.finish(Exit{Status: status})
	}
	m.sched.release(c)
}

// loop is a thread's goroutine: it runs guest code while holding the
// token, handles system calls, signals and faults, and yields at the end
// of each quantum.
func (c *CPU) loop() { c.run(true) }

// run is loop; acquire says whether the thread must queue for the token
// (a started thread was queued by StartThread and only waits).
func (c *CPU) run(acquire bool) {
	m := c.m
	defer m.threads.Done()
	defer m.sched.leave(c)
	defer func() {
		if r := recover(); r != nil {
			c.finish(Exit{PC: c.RIP, Err: fmt.Errorf("internal error at pc %#x: %v\n%s\n%s", c.RIP, r, c.dump(), debug.Stack())})
		}
	}()
	if acquire && !m.sched.acquire(c) || !acquire && !m.sched.wait(c) {
		return
	}
	for !m.finished.Load() {
		if c.attention.Swap(false) {
			if c.killed.Load() {
				// Another thread's execve ends this one.
				m.threadExited(c, 0)
				return
			}
			if !c.handle(c.deliverSignals()) {
				return
			}
			continue
		}
		trapped := false
		for c.icount < c.sliceEnd {
			b, ok := c.lookup(c.RIP)
			if !ok || !c.execBlock(b) {
				trapped = true
				break
			}
			if c.attention.Load() {
				break
			}
		}
		if trapped {
			var out syscalls.Outcome
			if c.trap.kind == trapSyscall {
				out = c.cfg.OS.Syscall(c)
			} else {
				out = c.fault()
			}
			if !c.handle(out) {
				return
			}
		}
		// The slice ends on instructions retired, system calls included,
		// so a thread in a tight system-call loop still gives way.
		if c.icount >= c.sliceEnd && !m.sched.yield(c) {
			return
		}
	}
}

// handle acts on an outcome; it returns false when the thread is over.
func (c *CPU) handle(out syscalls.Outcome) bool {
	m := c.m
	switch out.Kind {
	case syscalls.Continue:
		return !m.finished.Load()
	case syscalls.ExitThread:
		m.threadExited(c, out.Status)
	case syscalls.ExitGroup:
		c.finish(Exit{Status: out.Status})
	case syscalls.Killed:
		e := c.lastFatal
		if e.Signal != out.Signal {
			e = Exit{Signal: out.Signal, PC: c.RIP, Reason: "killed by " + out.Signal.String()}
		}
		m.exitCore = out.Core
		c.finish(e)
	case syscalls.Exec:
		c.exec(out.Exec)
		return !m.finished.Load()
	default:
		c.finish(Exit{PC: c.RIP, Err: fmt.Errorf("unknown syscall outcome %d", out.Kind)})
	}
	return false
}

// deliverSignals asks the OS to deliver pending signals.
func (c *CPU) deliverSignals() syscalls.Outcome {
	if sos, ok := c.cfg.OS.(SignalOS); ok {
		return sos.DeliverSignals(c)
	}
	return syscalls.Outcome{}
}

// fault turns the pending trap into the signal the kernel would send and
// lets the OS deliver it; without a SignalOS the guest is killed.
func (c *CPU) fault() syscalls.Outcome {
	e := c.fatal()
	if e.Err != nil {
		c.finish(e)
		return syscalls.Outcome{Kind: syscalls.ExitGroup}
	}
	c.lastFatal = e
	sos, ok := c.cfg.OS.(SignalOS)
	if !ok {
		return syscalls.Outcome{Kind: syscalls.Killed, Signal: e.Signal}
	}
	return sos.Fault(c, c.faultInfo(e))
}

// faultInfo builds the siginfo data of a fatal trap.
func (c *CPU) faultInfo(e Exit) syscalls.FaultInfo {
	fi := syscalls.FaultInfo{Signal: e.Signal, Addr: e.Addr}
	t := c.trap
	switch t.kind {
	case trapFault:
		fi.Trapno = 14 // #PF
		fi.Code = linux.SEGV_MAPERR
		if t.fault.Kind == mmu.FaultProtection {
			fi.Code = linux.SEGV_ACCERR
		}
		if t.fault.Kind == mmu.FaultBus {
			fi.Code = linux.BUS_ADRERR
		}
		fi.Err = 4 // user mode
		if t.fault.Access == mmu.AccessWrite {
			fi.Err |= 2
		}
		if t.fault.Kind == mmu.FaultProtection {
			fi.Err |= 1
		}
		if t.fault.Access == mmu.AccessExec {
			fi.Err |= 16
		}
	case trapUD:
		fi.Trapno, fi.Code = 6, linux.ILL_ILLOPN
	case trapDivide:
		fi.Trapno, fi.Code = 0, linux.FPE_INTDIV
	case trapGP:
		fi.Trapno, fi.Code, fi.Addr = 13, linux.SI_KERNEL, 0
	case trapBreakpoint:
		fi.Trapno, fi.Code, fi.Addr = 3, linux.SI_KERNEL, 0
	case trapSIMD:
		fi.Trapno, fi.Code = 19, t.code
		if t.x87 {
			fi.Trapno = 16 // x87 #MF
		}
	}
	return fi
}

// The syscalls.Thread interface.

var _ syscalls.Thread = (*CPU)(nil)

// CloneThread returns a new thread whose registers and FPU state copy c's.
func (c *CPU) CloneThread() syscalls.Thread {
	n := c.m.NewCPU()
	n.R, n.RIP, n.rflags, n.lf = c.R, c.RIP, c.rflags, c.lf
	n.fsBase, n.gsBase = c.fsBase, c.gsBase
	n.X, n.mxcsr, n.fpu = c.X, c.mxcsr, c.fpu
	n.feat = c.feat
	return n
}

// StartThread queues a cloned thread for the CPU, behind the threads
// already waiting (in program order, so scheduling stays reproducible),
// and starts its goroutine.
func (c *CPU) StartThread() {
	s := c.m.sched
	s.mu.Lock()
	s.runnableLocked(c)
	s.mu.Unlock()
	c.m.threads.Add(1)
	go c.run(false)
}

// Yield ends the thread's time slice now (sched_yield).
func (c *CPU) Yield() {
	c.sliceEnd = c.icount
	c.m.sched.yield(c)
}

func (c *CPU) Park(deadline int64) syscalls.WakeReason { return c.m.sched.park(c, deadline) }
func (c *CPU) Unpark()                                 { c.m.sched.unparkFor(c, syscalls.WakeUnparked) }
func (c *CPU) Interrupt()                              { c.m.sched.interrupt(c) }
func (c *CPU) Blocking(fn func(intr <-chan struct{}))  { c.m.sched.blocking(c, fn) }

// ResetFPU gives the x87 and SSE units the state a signal handler starts
// with (as after FNINIT, MXCSR 0x1f80).
func (c *CPU) ResetFPU() {
	c.fpu.init()
	c.mxcsr = defaultMXCSR
}

// beginSlice and endSlice account the instructions a thread runs while it
// holds the token, for the virtual clock.
func (c *CPU) beginSlice() {
	c.sliceStart = c.icount
	c.sliceEnd = c.icount + c.m.quantum
	c.m.clock.running.Store(c)
}
func (c *CPU) endSlice() {
	if c.icount == c.sliceStart {
		return
	}
	c.m.clock.retire(c.icount - c.sliceStart)
	c.sliceStart = c.icount
}

// clock is the guest's time: the host's, or (ICount) virtual time that
// advances 2^shift ns per retired guest instruction from a fixed epoch.
type clock struct {
	virtual  bool
	shift    uint
	retired  atomic.Uint64 // instructions of finished slices
	skew     atomic.Int64  // ns added when every thread sleeps (time jumps to the next deadline)
	running  atomic.Pointer[CPU]
	hostBase time.Time
}

// Virtual time starts on 2026-01-01T00:00:00Z; its monotonic clock at 1 s.
const (
	virtualEpoch     = 1767225600 * int64(time.Second)
	virtualMonoStart = int64(time.Second)
)

func (k *clock) init(virtual bool, shift uint) {
	k.virtual, k.shift, k.hostBase = virtual, shift, time.Now()
}

func (k *clock) retire(n uint64) { k.retired.Add(n) }

// insns is the number of guest instructions retired by all threads.
func (k *clock) insns() uint64 {
	n := k.retired.Load()
	if c := k.running.Load(); c != nil {
		n += c.icount - c.sliceStart
	}
	return n
}

func (k *clock) elapsed() int64 { return int64(k.insns()<<k.shift) + k.skew.Load() }

// advanceTo moves virtual monotonic time forward to t (never back).
func (k *clock) advanceTo(t int64) {
	if d := t - k.Monotonic(); d > 0 {
		k.skew.Add(d)
	}
}

func (k *clock) Virtual() bool { return k.virtual }

func (k *clock) Realtime() int64 {
	if k.virtual {
		return virtualEpoch + k.elapsed()
	}
	return time.Now().UnixNano()
}

func (k *clock) Monotonic() int64 {
	if k.virtual {
		return virtualMonoStart + k.elapsed()
	}
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return int64(time.Since(k.hostBase))
	}
	return ts.Nano()
}
