package syscalls

import (
	"gemu/internal/abi/linux"
	"gemu/mmu"
)

// ProcessThread is a Thread whose run loop can start guest processes
// (fork). Every process of a run shares one guest CPU.
type ProcessThread interface {
	Thread
	// ForkProcess returns the first thread of a new process on mem (which
	// the new process owns, unless it is this thread's own address space:
	// CLONE_VM) whose system calls go to p; its registers and FPU state
	// copy this thread's. It runs after StartProcess.
	ForkProcess(mem *mmu.Space, p *Process) Thread
	// StartProcess makes the thread ForkProcess returned runnable;
	// exited is called once with the process's outcome (ExitGroup with
	// Status, or Killed with Signal and Core) on the thread that ends it,
	// which holds the guest CPU.
	StartProcess(exited func(out Outcome))
	// ParkUninterruptible is Park without a deadline that signals do not
	// end (they stay pending): only Unpark, or WakeExiting when the
	// process ends. vfork's wait uses it.
	ParkUninterruptible() WakeReason
}

// Thread is what the syscall layer needs from a run loop that supports
// several threads, blocking and signal delivery (emu's CPU implements it).
// A plain Regs (unit tests) gets degraded behaviour: blocking calls block,
// clone is ENOSYS, waits cannot be interrupted.
type Thread interface {
	Regs

	// CloneThread returns a new thread on a new vCPU whose registers copy
	// this one's. It does not run until StartThread.
	CloneThread() Thread
	// StartThread makes a cloned thread runnable.
	StartThread()
	// Yield lets the other runnable threads run first (sched_yield).
	Yield()

	// Park gives up the guest CPU until Unpark is called on this thread,
	// the clock passes deadline (nanoseconds of Clock.Monotonic; 0 means
	// no deadline) or Interrupt is called; it returns which, once the
	// thread holds the CPU again. An Interrupt that came before Park makes
	// Park return WakeInterrupted at once.
	Park(deadline int64) WakeReason
	// Unpark makes a parked thread runnable. Preconditions: the caller
	// holds the guest CPU (it runs a system call).
	Unpark()
	// Interrupt asks the thread to look at its pending signals: it ends a
	// Park or a Blocking wait (see Blocking) and makes the run loop call
	// Process.DeliverSignals before the next guest instruction. Any
	// goroutine may call it.
	Interrupt()
	// Blocking runs fn, a host call that may block, with the guest CPU
	// handed to other threads. intr is closed when Interrupt is called;
	// fn should then give up (e.g. a poll on it returns) so that the
	// system call can return EINTR.
	Blocking(fn func(intr <-chan struct{}))

	// FXSave writes the x87/SSE state in the 512-byte FXSAVE64 format;
	// FXRstor loads it (an error for reserved MXCSR bits).
	FXSave(b []byte)
	FXRstor(b []byte) error
	// ResetFPU gives the FPU the state a signal handler starts with.
	ResetFPU()
}

// WakeReason says why Park returned.
type WakeReason uint8

const (
	WakeUnparked    WakeReason = iota // Unpark was called
	WakeTimeout                       // the deadline passed
	WakeInterrupted                   // Interrupt was called (a signal is pending)
	WakeExiting                       // the process is ending: return at once
)

// Clock is the guest's time. Without -icount it is the host's; with it,
// time is virtual and advances with the guest's instruction count.
type Clock interface {
	Realtime() int64  // nanoseconds since the Unix epoch (CLOCK_REALTIME)
	Monotonic() int64 // nanoseconds since an arbitrary start (CLOCK_MONOTONIC)
	// Virtual reports whether time is virtual (timeouts must then be
	// waited for with Park, never with a host sleep).
	Virtual() bool
}

// FaultInfo describes a synchronous fault of the running thread.
type FaultInfo struct {
	Signal linux.Signal
	Code   int    // si_code
	Addr   uint64 // si_addr
	Trapno int    // the CPU exception vector, for sigcontext
	Err    uint64 // the exception's error code, for sigcontext
}
