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
// the translated code, the OS and the scheduler.
type Machine struct {
	cfg     Config
	mem     *mmu.Space
	cache   *codeCache
	sched   sched
	clock   clock
	quantum uint64

	mu      sync.Mutex
	cpus    []*CPU // live threads
	nextIdx int

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
	}
	if m.quantum == 0 {
		m.quantum = DefaultQuantum
	}
	m.clock.init(m, cfg.ICount, cfg.ICountShift)
	m.cache = newCodeCache(cfg.Mem)
	m.sched.done = m.done
	m.sched.clock = &m.clock
	return m
}

// SetOS sets the OS after the machine is made (the OS may need the
// machine's clock first).
func (m *Machine) SetOS(os OS) { m.cfg.OS = os }

// Clock returns the guest clock (virtual with Config.ICount).
func (m *Machine) Clock() syscalls.Clock { return &m.clock }

// NewCPU returns a new thread's CPU in the state Linux leaves at exec:
// every register zero (the caller sets RSP and RIP).
func (m *Machine) NewCPU() *CPU {
	m.mu.Lock()
	idx := m.nextIdx
	m.nextIdx++
	m.mu.Unlock()
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
		m.exitOnce = sync.Once{}
		m.exitc = make(chan Exit, 1)
		m.done = make(chan struct{})
		m.sched = sched{done: m.done, clock: &m.clock}
		m.mu.Lock()
		m.cpus = []*CPU{main}
		m.mu.Unlock()
		m.finished.Store(false)
	}
	go main.loop()
	return <-m.exitc
}

// finish ends the process once, with the first outcome reported.
func (m *Machine) finish(e Exit) {
	m.exitOnce.Do(func() {
		m.finished.Store(true)
		m.exitc <- e
		close(m.done)
	})
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
	m.mu.Unlock()
	c.tlb.Release()
	if last {
		m.finish(Exit{Status: status})
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
	defer func() {
		if r := recover(); r != nil {
			m.finish(Exit{PC: c.RIP, Err: fmt.Errorf("internal error at pc %#x: %v\n%s\n%s", c.RIP, r, c.dump(), debug.Stack())})
		}
	}()
	if acquire && !m.sched.acquire(c) || !acquire && !m.sched.wait(c) {
		return
	}
	for !m.finished.Load() {
		if c.attention.Swap(false) {
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
		m.finish(Exit{Status: out.Status})
	case syscalls.Killed:
		e := c.lastFatal
		if e.Signal != out.Signal {
			e = Exit{Signal: out.Signal, PC: c.RIP, Reason: "killed by " + out.Signal.String()}
		}
		m.finish(e)
	default:
		m.finish(Exit{PC: c.RIP, Err: fmt.Errorf("unknown syscall outcome %d", out.Kind)})
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
		c.m.finish(e)
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
	s := &c.m.sched
	s.mu.Lock()
	s.runnableLocked(c)
	s.mu.Unlock()
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
	c.m.clock.retire(c.icount - c.sliceStart)
	c.sliceStart = c.icount
}

// clock is the guest's time: the host's, or (ICount) virtual time that
// advances 2^shift ns per retired guest instruction from a fixed epoch.
type clock struct {
	m        *Machine
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

func (k *clock) init(m *Machine, virtual bool, shift uint) {
	k.m, k.virtual, k.shift, k.hostBase = m, virtual, shift, time.Now()
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
