package syscalls

import (
	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
)

// The signal system calls: dispositions, masks, the alternate stack,
// sending, waiting. Queues, delivery and frames are in signal.go.

func sysRtSigaction(c *call) (uint64, linux.Errno) {
	sig, actAddr, oldAddr, size := linux.Signal(c.args.Int(0)), c.args.Pointer(1), c.args.Pointer(2), c.args.SizeT(3)
	if size != linux.SizeofSigset {
		return 0, linux.EINVAL
	}
	var buf [linux.SizeofSigAction]byte
	var act linux.SigAction
	if actAddr != 0 {
		if e := c.readMem(actAddr, buf[:]); e != 0 {
			return 0, e
		}
		act.Decode(buf[:])
	}
	if !sig.Valid() || (actAddr != 0 && (sig == linux.SIGKILL || sig == linux.SIGSTOP)) {
		return 0, linux.EINVAL
	}
	p := c.p
	p.mu.Lock()
	old := p.sig.actions[sig-1]
	if actAddr != 0 {
		act.Flags &= linux.SA_UAPI
		act.Mask &^= unblockable
		p.sig.actions[sig-1] = act
		if ignoredBy(&act, sig) {
			// POSIX: setting a pending signal to be ignored discards it.
			p.sig.shared.drop(sig)
			for _, t := range p.threads {
				t.pending.drop(sig)
			}
		}
	}
	p.mu.Unlock()
	if oldAddr != 0 {
		old.Encode(buf[:])
		return 0, c.copyOut(oldAddr, buf[:])
	}
	return 0, 0
}

func sysRtSigprocmask(c *call) (uint64, linux.Errno) {
	how, setAddr, oldAddr, size := c.args.Int(0), c.args.Pointer(1), c.args.Pointer(2), c.args.SizeT(3)
	if size != linux.SizeofSigset {
		return 0, linux.EINVAL
	}
	p := c.p
	p.mu.Lock()
	old := c.t.sigmask
	p.mu.Unlock()
	if setAddr != 0 {
		set, e := c.readU64(setAddr)
		if e != 0 {
			return 0, e
		}
		set &^= unblockable
		p.mu.Lock()
		switch how {
		case linux.SIG_BLOCK:
			c.t.sigmask |= set
		case linux.SIG_UNBLOCK:
			c.t.sigmask &^= set
		case linux.SIG_SETMASK:
			c.t.sigmask = set
		default:
			p.mu.Unlock()
			return 0, linux.EINVAL
		}
		p.mu.Unlock()
		c.checkPending()
	}
	if oldAddr != 0 {
		return 0, c.writeU64(oldAddr, old)
	}
	return 0, 0
}

func sysRtSigpending(c *call) (uint64, linux.Errno) {
	addr, size := c.args.Pointer(0), c.args.SizeT(1)
	if size > linux.SizeofSigset {
		return 0, linux.EINVAL
	}
	c.p.mu.Lock()
	set := (c.p.sig.shared.mask | c.t.pending.mask) & c.t.sigmask
	c.p.mu.Unlock()
	var b [8]byte
	le.PutUint64(b[:], set)
	return 0, c.copyOut(addr, b[:size])
}

func sysSigaltstack(c *call) (uint64, linux.Errno) {
	ssAddr, oldAddr := c.args.Pointer(0), c.args.Pointer(1)
	var buf [linux.SizeofStack]byte
	var ss linux.Stack
	if ssAddr != 0 {
		if e := c.readMem(ssAddr, buf[:]); e != 0 {
			return 0, e
		}
		ss.Decode(buf[:])
	}
	sp := c.r.Reg(RSP)
	p := c.p
	p.mu.Lock()
	cur := c.t.altstack
	// on_sig_stack: never while SS_AUTODISARM is set.
	onStack := cur.Flags&linux.SS_AUTODISARM == 0 && sp > cur.Sp && sp-cur.Sp <= cur.Size
	old := linux.Stack{Sp: cur.Sp, Size: cur.Size, Flags: cur.Flags & linux.SS_AUTODISARM}
	switch {
	case cur.Size == 0:
		old.Flags |= linux.SS_DISABLE
	case onStack:
		old.Flags |= linux.SS_ONSTACK
	}
	var e linux.Errno
	if ssAddr != 0 {
		mode := ss.Flags &^ linux.SS_AUTODISARM
		switch {
		case onStack:
			e = linux.EPERM
		case mode != linux.SS_DISABLE && mode != linux.SS_ONSTACK && mode != 0:
			e = linux.EINVAL
		case mode == linux.SS_DISABLE:
			c.t.altstack = linux.Stack{Flags: ss.Flags}
		case ss.Size < linux.MINSIGSTKSZ:
			e = linux.ENOMEM
		default:
			c.t.altstack = ss
		}
	}
	p.mu.Unlock()
	if e != 0 {
		return 0, e
	}
	if oldAddr != 0 {
		old.Encode(buf[:])
		return 0, c.copyOut(oldAddr, buf[:])
	}
	return 0, 0
}

// isRestart reports the kernel-internal restart codes.
func isRestart(e linux.Errno) bool {
	switch e {
	case linux.ERESTARTSYS, linux.ERESTARTNOINTR, linux.ERESTARTNOHAND, linux.ERESTART_RESTARTBLOCK:
		return true
	}
	return false
}

func sysRtSigreturn(c *call) (uint64, linux.Errno) {
	rax, ok := c.sigreturn()
	if !ok {
		// A bad frame: the kernel forces SIGSEGV.
		c.out = Outcome{Kind: Killed, Signal: linux.SIGSEGV, Core: true}
		return 0, 0
	}
	return rax, 0
}

// userSiginfo is the siginfo of a signal sent by the calling process.
func (c *call) userSiginfo(sig linux.Signal, code int32) linux.Siginfo {
	return linux.Siginfo{Signo: int32(sig), Code: code, PID: int32(c.p.pid), UID: uint32(unix.Getuid())}
}

// kill(pid, sig) reaches guest processes (sys_session.go): one process,
// the caller's process group (0), every other guest process (-1) or a
// group (-pgid). A positive pid gemu never gave out goes to the host.
func sysKill(c *call) (uint64, linux.Errno) {
	pid, sig := c.args.PidT(0), linux.Signal(c.args.Int(1))
	if sig != 0 && !sig.Valid() {
		return 0, linux.EINVAL
	}
	if pid == -1<<31 {
		return 0, linux.ESRCH
	}
	targets, host := c.p.k.killTargets(c.p, int(pid))
	if host {
		return 0, hostErrno(unix.Kill(int(pid), hostSignal(sig)))
	}
	if len(targets) == 0 {
		return 0, linux.ESRCH
	}
	if sig == 0 {
		return 0, 0
	}
	si := c.userSiginfo(sig, linux.SI_USER)
	self := false
	for _, q := range targets {
		q.mu.Lock()
		q.sendLocked(nil, si)
		q.mu.Unlock()
		self = self || q == c.p
	}
	if self {
		c.afterSend()
	}
	return 0, 0
}

// afterSend applies a signal the caller may have sent itself: delivered
// on return from the system call, or at once without a Thread.
func (c *call) afterSend() {
	if c.t.th == nil {
		c.deliverDefaultNow()
	}
}

func sysTgkill(c *call) (uint64, linux.Errno) {
	tgid, tid, sig := c.args.PidT(0), c.args.PidT(1), linux.Signal(c.args.Int(2))
	if tgid <= 0 || tid <= 0 {
		return 0, linux.EINVAL
	}
	if int(tgid) != c.p.pid {
		q := c.p.k.lookup(int(tgid))
		if q == nil {
			if c.p.k.ours(int(tgid)) {
				return 0, linux.ESRCH
			}
			return 0, hostErrno(unix.Tgkill(int(tgid), int(tid), hostSignal(sig)))
		}
		return c.signalThreadOf(q, tid, sig, c.userSiginfo(sig, linux.SI_TKILL))
	}
	return c.signalThread(tid, sig, c.userSiginfo(sig, linux.SI_TKILL))
}

func sysTkill(c *call) (uint64, linux.Errno) {
	tid, sig := c.args.PidT(0), linux.Signal(c.args.Int(1))
	if tid <= 0 {
		return 0, linux.EINVAL
	}
	if q := c.p.k.threadOwner(int(tid)); q != nil && q != c.p {
		return c.signalThreadOf(q, tid, sig, c.userSiginfo(sig, linux.SI_TKILL))
	}
	return c.signalThread(tid, sig, c.userSiginfo(sig, linux.SI_TKILL))
}

// signalThread sends si to one of the calling process's threads.
func (c *call) signalThread(tid int32, sig linux.Signal, si linux.Siginfo) (uint64, linux.Errno) {
	return c.signalThreadOf(c.p, tid, sig, si)
}

// signalThreadOf sends si to thread tid of process p.
func (c *call) signalThreadOf(p *Process, tid int32, sig linux.Signal, si linux.Siginfo) (uint64, linux.Errno) {
	if sig != 0 && !sig.Valid() {
		return 0, linux.EINVAL
	}
	p.mu.Lock()
	var target *thread
	for _, t := range p.threads {
		if t.tid == int(tid) {
			target = t
		}
	}
	if target == nil {
		p.mu.Unlock()
		return 0, linux.ESRCH
	}
	if sig != 0 {
		p.sendLocked(target, si)
	}
	p.mu.Unlock()
	if sig != 0 && p == c.p {
		c.afterSend()
	}
	return 0, 0
}

// readSiginfo reads the siginfo of rt_[tg]sigqueueinfo. Like Linux, a
// process may not forge kernel-generated codes for another process.
func (c *call) readSiginfo(addr uint64, sig linux.Signal, self bool) (linux.Siginfo, linux.Errno) {
	var b [linux.SizeofSiginfo]byte
	if e := c.readMem(addr, b[:]); e != 0 {
		return linux.Siginfo{}, e
	}
	var si linux.Siginfo
	si.Decode(b[:])
	if (si.Code >= 0 || si.Code == linux.SI_TKILL) && !self {
		return si, linux.EPERM
	}
	si.Signo = int32(sig)
	return si, 0
}

func sysRtSigqueueinfo(c *call) (uint64, linux.Errno) {
	pid, sig, addr := c.args.PidT(0), linux.Signal(c.args.Int(1)), c.args.Pointer(2)
	if !sig.Valid() {
		return 0, linux.EINVAL
	}
	si, e := c.readSiginfo(addr, sig, int(pid) == c.p.pid)
	if e != 0 {
		return 0, e
	}
	if int(pid) != c.p.pid {
		return 0, linux.ESRCH
	}
	c.p.mu.Lock()
	c.p.sendLocked(nil, si)
	c.p.mu.Unlock()
	c.afterSend()
	return 0, 0
}

func sysRtTgsigqueueinfo(c *call) (uint64, linux.Errno) {
	tgid, tid, sig, addr := c.args.PidT(0), c.args.PidT(1), linux.Signal(c.args.Int(2)), c.args.Pointer(3)
	if tgid <= 0 || tid <= 0 || !sig.Valid() {
		return 0, linux.EINVAL
	}
	si, e := c.readSiginfo(addr, sig, int(tgid) == c.p.pid)
	if e != 0 {
		return 0, e
	}
	if int(tgid) != c.p.pid {
		return 0, linux.ESRCH
	}
	return c.signalThread(tid, sig, si)
}

// waitForSignal parks the thread until a signal interrupts it (or the
// process ends). Without a Thread nothing can arrive: it returns false.
func (c *call) waitForSignal(deadline int64) WakeReason {
	if c.t.th == nil {
		return WakeExiting
	}
	for {
		why := c.t.th.Park(deadline)
		if why != WakeUnparked {
			return why
		}
	}
}

func sysPause(c *call) (uint64, linux.Errno) {
	if c.waitForSignal(0) == WakeExiting && c.t.th == nil {
		return 0, linux.ENOSYS
	}
	return 0, linux.ERESTARTNOHAND
}

func sysRtSigsuspend(c *call) (uint64, linux.Errno) {
	addr, size := c.args.Pointer(0), c.args.SizeT(1)
	if size != linux.SizeofSigset {
		return 0, linux.EINVAL
	}
	set, e := c.readU64(addr)
	if e != 0 {
		return 0, e
	}
	if c.t.th == nil {
		return 0, linux.ENOSYS
	}
	p := c.p
	p.mu.Lock()
	c.t.savedMask, c.t.restoreMask = c.t.sigmask, true
	c.t.sigmask = set &^ unblockable
	ready := p.deliverableLocked(c.t) != 0
	p.mu.Unlock()
	for !ready {
		if c.waitForSignal(0) == WakeExiting {
			break
		}
		p.mu.Lock()
		ready = p.deliverableLocked(c.t) != 0
		p.mu.Unlock()
	}
	if ready {
		c.t.th.Interrupt()
	}
	return 0, linux.ERESTARTNOHAND
}

func sysRtSigtimedwait(c *call) (uint64, linux.Errno) {
	setAddr, infoAddr, tsAddr, size := c.args.Pointer(0), c.args.Pointer(1), c.args.Pointer(2), c.args.SizeT(3)
	if size != linux.SizeofSigset {
		return 0, linux.EINVAL
	}
	set, e := c.readU64(setAddr)
	if e != 0 {
		return 0, e
	}
	set &^= unblockable
	var deadline int64
	var poll bool
	if tsAddr != 0 {
		ts, e := c.readTimespec(tsAddr)
		if e != 0 {
			return 0, e
		}
		if !ts.Valid() {
			return 0, linux.EINVAL
		}
		d := ts.Sec*1e9 + ts.Nsec
		if d == 0 {
			poll = true
		} else {
			deadline = c.p.clock().Monotonic() + d
		}
	}
	p := c.p
	for {
		p.mu.Lock()
		// A signal in set is taken whether or not it is blocked.
		ready := (c.t.pending.mask | p.sig.shared.mask) & set
		if ready != 0 {
			var sig linux.Signal
			for s := linux.Signal(1); s <= linux.SIGRTMAX; s++ {
				if ready&linux.SigMask(s) != 0 {
					sig = s
					break
				}
			}
			si := p.dequeueLocked(c.t, sig)
			p.mu.Unlock()
			if infoAddr != 0 {
				var b [linux.SizeofSiginfo]byte
				si.Encode(b[:])
				if e := c.copyOut(infoAddr, b[:]); e != 0 {
					return 0, e
				}
			}
			return uint64(sig), 0
		}
		other := p.deliverableLocked(c.t) != 0
		p.mu.Unlock()
		if other {
			return 0, linux.EINTR
		}
		if poll || c.t.th == nil {
			return 0, linux.EAGAIN
		}
		// The signals in set wake the wait even though they are blocked.
		p.mu.Lock()
		c.t.waitSet = set
		p.mu.Unlock()
		why := c.t.th.Park(deadline)
		p.mu.Lock()
		c.t.waitSet = 0
		p.mu.Unlock()
		switch why {
		case WakeTimeout:
			return 0, linux.EAGAIN
		case WakeExiting:
			return 0, linux.EINTR
		}
	}
}
