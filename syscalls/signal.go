package syscalls

import (
	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
)

// Signal queues, sending, delivery and the x86-64 signal frame.
//
// A signal is queued on the process (kill) or on one thread (tgkill, a
// fault). Sending wakes a thread that does not block it (Thread.Interrupt);
// that thread's run loop then calls DeliverSignals before its next guest
// instruction, which dequeues signals in Linux's order (synchronous ones
// first, then the lowest number), applies the default action or builds a
// frame on the guest stack and points the thread at the handler.
// rt_sigreturn reads the frame back.

// signalState is the process-wide signal state; the Process lock guards it.
type signalState struct {
	actions [linux.SIGRTMAX]linux.SigAction // index sig-1
	shared  sigQueue                        // process-directed pending signals
}

// sigQueue is a set of pending signals with their siginfo. A standard
// signal is queued at most once; real-time signals queue every instance.
type sigQueue struct {
	mask  uint64
	infos []linux.Siginfo
}

func (q *sigQueue) add(si linux.Siginfo) {
	sig := linux.Signal(si.Signo)
	if sig < linux.SIGRTMIN && q.mask&linux.SigMask(sig) != 0 {
		return
	}
	q.mask |= linux.SigMask(sig)
	q.infos = append(q.infos, si)
}

// take removes the first instance of sig.
func (q *sigQueue) take(sig linux.Signal) (linux.Siginfo, bool) {
	for i, si := range q.infos {
		if linux.Signal(si.Signo) != sig {
			continue
		}
		q.infos = append(q.infos[:i], q.infos[i+1:]...)
		more := false
		for _, o := range q.infos {
			more = more || linux.Signal(o.Signo) == sig
		}
		if !more {
			q.mask &^= linux.SigMask(sig)
		}
		return si, true
	}
	return linux.Siginfo{}, false
}

// drop removes every instance of sig.
func (q *sigQueue) drop(sig linux.Signal) {
	out := q.infos[:0]
	for _, si := range q.infos {
		if linux.Signal(si.Signo) != sig {
			out = append(out, si)
		}
	}
	q.infos = out
	q.mask &^= linux.SigMask(sig)
}

// unblockable are the signals no mask can hold.
const unblockable = 1<<(linux.SIGKILL-1) | 1<<(linux.SIGSTOP-1)

// synchronous are delivered before other pending signals (Linux's
// SYNCHRONOUS_MASK).
const synchronous = 1<<(linux.SIGSEGV-1) | 1<<(linux.SIGBUS-1) | 1<<(linux.SIGILL-1) |
	1<<(linux.SIGTRAP-1) | 1<<(linux.SIGFPE-1) | 1<<(linux.SIGSYS-1)

// ignoredBy says whether act discards sig on arrival.
func ignoredBy(act *linux.SigAction, sig linux.Signal) bool {
	switch act.Handler {
	case linux.SIG_IGN:
		return true
	case linux.SIG_DFL:
		a := sig.DefaultAction()
		return a == linux.ActIgnore || a == linux.ActCont || a == linux.ActStop
	}
	return false
}

// sendLocked queues si on the process (t == nil) or on thread t, and wakes
// a thread that can take it. Preconditions: p.mu is held.
func (p *Process) sendLocked(t *thread, si linux.Siginfo) {
	sig := linux.Signal(si.Signo)
	bit := linux.SigMask(sig)
	act := &p.sig.actions[sig-1]
	if sig == linux.SIGKILL {
		// Nothing holds or handles SIGKILL: every thread will see it.
		act.Handler = linux.SIG_DFL
	}
	// A signal that is ignored is discarded at once, unless the target
	// blocks it (the disposition may change before it is unblocked).
	blockedByTarget := t != nil && t.sigmask&bit != 0
	if ignoredBy(act, sig) && !blockedByTarget && sig != linux.SIGKILL {
		return
	}
	if t != nil {
		t.pending.add(si)
	} else {
		p.sig.shared.add(si)
	}
	target := t
	if target == nil || target.sigmask&bit != 0 && target.waitSet&bit == 0 {
		target = p.wakeableLocked(bit)
	}
	if target != nil {
		p.pokeLocked(target)
	}
}

// wakeableLocked chooses the thread to take a process-directed signal: the
// main thread if it does not block it, else the lowest-numbered thread
// that does not.
func (p *Process) wakeableLocked(bit uint64) *thread {
	var best *thread
	for _, t := range p.threads {
		if t.sigmask&bit != 0 && t.waitSet&bit == 0 {
			continue
		}
		if t.tid == p.pid {
			return t
		}
		if best == nil || t.tid < best.tid {
			best = t
		}
	}
	return best
}

// pokeLocked makes t look at its pending signals.
func (p *Process) pokeLocked(t *thread) {
	if t.th != nil {
		t.th.Interrupt()
	}
}

// deliverableLocked returns the next signal t can take, or 0.
func (p *Process) deliverableLocked(t *thread) linux.Signal {
	ready := (t.pending.mask | p.sig.shared.mask) &^ t.sigmask
	if ready == 0 {
		return 0
	}
	if s := ready & synchronous; s != 0 {
		ready = s
	}
	for sig := linux.Signal(1); sig <= linux.SIGRTMAX; sig++ {
		if ready&linux.SigMask(sig) != 0 {
			return sig
		}
	}
	return 0
}

// dequeueLocked takes sig from t's queue, else from the process's.
func (p *Process) dequeueLocked(t *thread, sig linux.Signal) linux.Siginfo {
	if si, ok := t.pending.take(sig); ok {
		return si
	}
	si, _ := p.sig.shared.take(sig)
	return si
}

// checkPending pokes the calling thread when a signal became deliverable
// (after a mask change or sigreturn).
func (c *call) checkPending() {
	p := c.p
	p.mu.Lock()
	if p.deliverableLocked(c.t) != 0 {
		if c.t.th == nil {
			p.mu.Unlock()
			c.deliverDefaultNow()
			return
		}
		p.pokeLocked(c.t)
	}
	p.mu.Unlock()
}

// raise sends sig to the calling thread's process as the kernel does for
// SIGPIPE (and as kill of itself does).
func (c *call) raise(sig linux.Signal) {
	p := c.p
	p.mu.Lock()
	p.sendLocked(nil, linux.Siginfo{Signo: int32(sig), Code: linux.SI_USER, PID: int32(p.pid), UID: uint32(unix.Getuid())})
	p.mu.Unlock()
	if c.t.th == nil {
		c.deliverDefaultNow()
	}
}

// deliverDefaultNow is the delivery path for callers without a Thread
// (unit tests): the default actions of pending signals apply at once;
// handled signals stay pending.
func (c *call) deliverDefaultNow() {
	p := c.p
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		sig := p.deliverableLocked(c.t)
		if sig == 0 {
			return
		}
		act := p.sig.actions[sig-1]
		if act.Handler != linux.SIG_DFL && act.Handler != linux.SIG_IGN {
			return
		}
		p.dequeueLocked(c.t, sig)
		if out, fatal := defaultOutcome(sig, &act); fatal {
			c.out = out
			return
		}
	}
}

// defaultOutcome is what SIG_DFL (or SIG_IGN) does with sig: fatal is
// false when the signal is simply discarded.
func defaultOutcome(sig linux.Signal, act *linux.SigAction) (Outcome, bool) {
	if act.Handler == linux.SIG_IGN && sig != linux.SIGKILL {
		return Outcome{}, false
	}
	switch sig.DefaultAction() {
	case linux.ActTerm:
		return Outcome{Kind: Killed, Signal: sig}, true
	case linux.ActCore:
		return Outcome{Kind: Killed, Signal: sig, Core: true}, true
	}
	// Stop and continue: gemu does not emulate job control.
	return Outcome{}, false
}

// DeliverSignals delivers the pending signals t does not block: default
// actions, or a frame per handled signal (nested like Linux's, the last
// delivered runs first). It also settles a system call that returned a
// restart code: restarted, or EINTR when a handler without SA_RESTART
// interrupts it.
func (p *Process) DeliverSignals(t Thread) Outcome {
	p.mu.Lock()
	th := p.threadLocked(t)
	handled := false
	for {
		sig := p.deliverableLocked(th)
		if sig == 0 {
			break
		}
		si := p.dequeueLocked(th, sig)
		act := p.sig.actions[sig-1]
		if act.Handler == linux.SIG_DFL || act.Handler == linux.SIG_IGN {
			if out, fatal := defaultOutcome(sig, &act); fatal {
				p.mu.Unlock()
				return out
			}
			continue
		}
		p.settleRestartLocked(th, t, &act, true)
		if !p.handleLocked(th, t, si, &act) {
			// The frame could not be written: the kernel forces SIGSEGV.
			p.mu.Unlock()
			return Outcome{Kind: Killed, Signal: linux.SIGSEGV, Core: true}
		}
		handled = true
	}
	if !handled {
		p.settleRestartLocked(th, t, nil, false)
		if th.restoreMask {
			th.sigmask, th.restoreMask = th.savedMask, false
		}
	}
	p.mu.Unlock()
	return Outcome{}
}

// settleRestartLocked finishes a system call that returned a restart
// code: with a handler (act), ERESTARTSYS restarts only under SA_RESTART
// and ERESTARTNOINTR always, the others give EINTR; without one, every
// restart code restarts the call.
func (p *Process) settleRestartLocked(th *thread, r Regs, act *linux.SigAction, handler bool) {
	if !th.restart {
		return
	}
	th.restart = false
	e := linux.Errno(-int64(r.Reg(RAX)))
	restart := !handler
	if handler {
		switch e {
		case linux.ERESTARTNOINTR:
			restart = true
		case linux.ERESTARTSYS:
			restart = act.Flags&linux.SA_RESTART != 0
		}
	}
	if restart {
		r.SetReg(RAX, th.origRAX)
		r.SetPC(r.PC() - 2) // back over SYSCALL (0f 05)
	} else {
		r.SetReg(RAX, linux.EINTR.Neg())
	}
}

// Fault delivers a synchronous fault. As Linux's force_sig does, a blocked
// or ignored fault signal is unblocked and reset to its default action
// first, so it kills unless a handler catches it.
func (p *Process) Fault(t Thread, f FaultInfo) Outcome {
	p.mu.Lock()
	defer p.mu.Unlock()
	th := p.threadLocked(t)
	sig := f.Signal
	bit := linux.SigMask(sig)
	act := &p.sig.actions[sig-1]
	if th.sigmask&bit != 0 || act.Handler == linux.SIG_IGN {
		th.sigmask &^= bit
		act.Handler = linux.SIG_DFL
	}
	if act.Handler == linux.SIG_DFL {
		out, _ := defaultOutcome(sig, act)
		return out
	}
	si := linux.Siginfo{Signo: int32(sig), Code: int32(f.Code), Addr: f.Addr, Trapno: int32(f.Trapno)}
	a := *act
	if !p.handleFrameLocked(th, t, si, &a, f.Err) {
		return Outcome{Kind: Killed, Signal: linux.SIGSEGV, Core: true}
	}
	return Outcome{}
}

// handleLocked runs a handler for si: the frame, then the mask and
// SA_RESETHAND bookkeeping.
func (p *Process) handleLocked(th *thread, t Thread, si linux.Siginfo, act *linux.SigAction) bool {
	return p.handleFrameLocked(th, t, si, act, 0)
}

func (p *Process) handleFrameLocked(th *thread, t Thread, si linux.Siginfo, act *linux.SigAction, errCode uint64) bool {
	sig := linux.Signal(si.Signo)
	oldMask := th.sigmask
	if th.restoreMask {
		oldMask, th.restoreMask = th.savedMask, false
	}
	if !p.writeFrame(th, t, si, act, oldMask, errCode) {
		return false
	}
	th.sigmask |= act.Mask
	if act.Flags&linux.SA_NODEFER == 0 {
		th.sigmask |= linux.SigMask(sig)
	}
	th.sigmask &^= unblockable
	if act.Flags&linux.SA_RESETHAND != 0 {
		p.sig.actions[sig-1].Handler = linux.SIG_DFL
		p.sig.actions[sig-1].Flags &^= linux.SA_SIGINFO
	}
	return true
}

// User-mode segment selectors of a 64-bit Linux process.
const (
	userCS = 0x33
	userSS = 0x2b
)

// onAltStack reports whether sp is on t's alternate signal stack.
func (t *thread) onAltStack(sp uint64) bool {
	a := t.altstack
	return a.Flags&linux.SS_AUTODISARM == 0 && a.Size != 0 && sp > a.Sp && sp-a.Sp <= a.Size
}

// altStackFlags is what sigaltstack would report for sp (ss_flags).
func (t *thread) altStackFlags(sp uint64) uint32 {
	switch {
	case t.altstack.Size == 0 || t.altstack.Flags&linux.SS_DISABLE != 0:
		return linux.SS_DISABLE
	case t.onAltStack(sp):
		return linux.SS_ONSTACK
	}
	return t.altstack.Flags & linux.SS_AUTODISARM
}

// writeFrame builds the rt_sigframe on the guest stack as Linux's
// x64_setup_rt_frame does and points the thread at the handler.
func (p *Process) writeFrame(th *thread, t Thread, si linux.Siginfo, act *linux.SigAction, oldMask, errCode uint64) bool {
	if act.Flags&linux.SA_RESTORER == 0 {
		return false // x86-64 has no kernel-provided restorer
	}
	rsp := t.Reg(RSP)
	sp := rsp - 128 // the red zone
	if act.Flags&linux.SA_ONSTACK != 0 && th.altStackFlags(rsp) == 0 {
		sp = th.altstack.Sp + th.altstack.Size
	}
	fpstate := (sp - linux.SizeofFXSave) &^ 63
	frame := ((fpstate - linux.SizeofRtSigframe) &^ 15) - 8

	var fx [linux.SizeofFXSave]byte
	t.FXSave(fx[:])
	var b [linux.SizeofRtSigframe]byte
	le.PutUint64(b[0:], act.Restorer)
	uc := b[linux.UcontextOff:]
	le.PutUint64(uc[0:], linux.UC_SIGCONTEXT_SS|linux.UC_STRICT_RESTORE_SS)
	stk := linux.Stack{Sp: th.altstack.Sp, Size: th.altstack.Size, Flags: th.altStackFlags(rsp)}
	stk.Encode(uc[16:])
	sc := linux.Sigcontext{
		R8: t.Reg(R8), R9: t.Reg(R9), R10: t.Reg(R10), R11: t.Reg(R11),
		R12: t.Reg(R12), R13: t.Reg(R13), R14: t.Reg(R14), R15: t.Reg(R15),
		RDI: t.Reg(RDI), RSI: t.Reg(RSI), RBP: t.Reg(RBP), RBX: t.Reg(RBX),
		RDX: t.Reg(RDX), RAX: t.Reg(RAX), RCX: t.Reg(RCX), RSP: rsp, RIP: t.PC(),
		EFLAGS: t.Flags(), CS: userCS, SS: userSS,
		Err: errCode, Trapno: uint64(si.Trapno), Oldmask: oldMask, FPState: fpstate,
	}
	if si.IsFault() && linux.Signal(si.Signo) == linux.SIGSEGV {
		sc.CR2 = si.Addr
	}
	sc.Encode(uc[linux.McontextOff:])
	le.PutUint64(uc[linux.SigmaskOff:], oldMask)
	si.Encode(b[linux.SiginfoOff:])

	if _, err := p.mem.WriteAt(fx[:], fpstate); err != nil {
		return false
	}
	if _, err := p.mem.WriteAt(b[:], frame); err != nil {
		return false
	}
	if th.altstack.Flags&linux.SS_AUTODISARM != 0 && sp != rsp-128 {
		th.altstack = linux.Stack{Flags: linux.SS_DISABLE}
	}
	t.SetReg(RSP, frame)
	t.SetPC(act.Handler)
	t.SetReg(RDI, uint64(si.Signo))
	t.SetReg(RSI, frame+linux.SiginfoOff)
	t.SetReg(RDX, frame+linux.UcontextOff)
	t.SetReg(RAX, 0)
	const dfTfRf = 1<<10 | 1<<8 | 1<<16
	t.SetFlags(t.Flags() &^ dfTfRf)
	t.ResetFPU()
	return true
}

// sigreturn restores the context saved by writeFrame; the frame starts 8
// bytes below RSP (the handler's RET popped the restorer address). It
// returns the restored RAX, or false when the frame is unreadable or
// invalid (SIGSEGV).
func (c *call) sigreturn() (uint64, bool) {
	t, ok := c.r.(Thread)
	frame := c.r.Reg(RSP) - 8
	var b [linux.SizeofRtSigframe]byte
	if _, err := c.p.mem.ReadAt(b[:], frame); err != nil {
		return 0, false
	}
	uc := b[linux.UcontextOff:]
	var sc linux.Sigcontext
	sc.Decode(uc[linux.McontextOff:])
	if sc.FPState != 0 {
		var fx [linux.SizeofFXSave]byte
		if _, err := c.p.mem.ReadAt(fx[:], sc.FPState); err != nil {
			return 0, false
		}
		if ok && t.FXRstor(fx[:]) != nil {
			return 0, false
		}
	} else if ok {
		t.ResetFPU()
	}
	r := c.r
	for _, x := range []struct {
		n int
		v uint64
	}{{R8, sc.R8}, {R9, sc.R9}, {R10, sc.R10}, {R11, sc.R11}, {R12, sc.R12}, {R13, sc.R13},
		{R14, sc.R14}, {R15, sc.R15}, {RDI, sc.RDI}, {RSI, sc.RSI}, {RBP, sc.RBP}, {RBX, sc.RBX},
		{RDX, sc.RDX}, {RCX, sc.RCX}, {RSP, sc.RSP}} {
		r.SetReg(x.n, x.v)
	}
	r.SetPC(sc.RIP)
	r.SetFlags(sc.EFLAGS)
	var stk linux.Stack
	stk.Decode(uc[16:])
	mask := le.Uint64(uc[linux.SigmaskOff:]) &^ unblockable
	p := c.p
	p.mu.Lock()
	c.t.sigmask = mask
	// restore_altstack: as sigaltstack(uc_stack), errors ignored, and only
	// when not running on the current alternate stack.
	if !c.t.onAltStack(sc.RSP) {
		mode := stk.Flags &^ linux.SS_AUTODISARM
		switch {
		case mode == linux.SS_DISABLE:
			c.t.altstack = linux.Stack{Flags: stk.Flags}
		case (mode == 0 || mode == linux.SS_ONSTACK) && stk.Size >= linux.MINSIGSTKSZ:
			c.t.altstack = linux.Stack{Sp: stk.Sp, Size: stk.Size, Flags: stk.Flags & linux.SS_AUTODISARM}
		}
	}
	p.mu.Unlock()
	c.checkPending()
	return sc.RAX, true
}

// HostSignal delivers a signal gemu itself received (SIGINT from the
// terminal, SIGTERM from kill) to the guest process, as if another
// process had sent it with kill(2).
//
// The terminal's signals (SIGINT, SIGQUIT, SIGWINCH) go, as a terminal
// sends them to its foreground process group, to every guest process in
// p's process group; the others to p only.
func (p *Process) HostSignal(sig linux.Signal) {
	if !sig.Valid() {
		return
	}
	targets := []*Process{p}
	if sig == linux.SIGINT || sig == linux.SIGQUIT || sig == linux.SIGWINCH {
		k := p.k
		k.mu.Lock()
		g := p.ps.pgid
		targets = k.liveLocked(func(q *Process) bool { return q == p || q.ps.pgid == g })
		k.mu.Unlock()
	}
	for _, q := range targets {
		q.mu.Lock()
		q.sendLocked(nil, linux.Siginfo{Signo: int32(sig), Code: linux.SI_USER})
		q.mu.Unlock()
	}
}

// tempSigmask installs the temporary signal mask at addr (already
// validated) of ppoll, pselect6 or epoll_pwait for the duration of the
// call; addr 0 means none. The returned function, run when the call ends,
// puts the old mask back, unless a signal the temporary mask let through
// is pending: then delivery runs its handler with the old mask saved in
// the frame (restored by rt_sigreturn), as Linux does.
func (c *call) tempSigmask(addr uint64) func() {
	if addr == 0 {
		return func() {}
	}
	mask, e := c.readU64(addr)
	if e != 0 {
		return func() {}
	}
	p := c.p
	p.mu.Lock()
	c.t.savedMask, c.t.restoreMask = c.t.sigmask, true
	c.t.sigmask = mask &^ unblockable
	if p.deliverableLocked(c.t) != 0 {
		p.pokeLocked(c.t)
	}
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if c.t.restoreMask && (c.t.th == nil || p.deliverableLocked(c.t) == 0) {
			c.t.sigmask, c.t.restoreMask = c.t.savedMask, false
		}
	}
}
