package syscalls

import (
	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
)

// Signal dispositions, masks, the alternate stack, and signals a process
// sends itself. gemu does not build signal frames yet: a signal whose
// disposition is a guest handler stays pending; one whose default action
// terminates ends the process (Outcome Killed).

// signalState is the process-wide signal state; the Process lock guards it.
type signalState struct {
	actions [linux.SIGRTMAX]linux.SigAction // index sig-1
	pending uint64                          // raised but not delivered
}

// unblockable are the signals no mask can hold.
const unblockable = 1<<(linux.SIGKILL-1) | 1<<(linux.SIGSTOP-1)

// ignoredBy says whether act discards sig on arrival.
func ignoredBy(act *linux.SigAction, sig linux.Signal) bool {
	switch act.Handler {
	case linux.SIG_IGN:
		return true
	case linux.SIG_DFL:
		a := sig.DefaultAction()
		return a == linux.ActIgnore || a == linux.ActCont
	}
	return false
}

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
			p.sig.pending &^= linux.SigMask(sig)
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
		c.deliverPending()
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
	set := c.p.sig.pending & c.t.sigmask
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

// raise sends sig to the calling process (kill, tgkill, tkill to itself,
// SIGPIPE after EPIPE).
func (c *call) raise(sig linux.Signal) {
	p := c.p
	p.mu.Lock()
	act := p.sig.actions[sig-1]
	blocked := c.t.sigmask&linux.SigMask(sig) != 0
	switch {
	case sig == linux.SIGKILL:
	case blocked:
		p.sig.pending |= linux.SigMask(sig)
		p.mu.Unlock()
		return
	case ignoredBy(&act, sig):
		p.mu.Unlock()
		return
	case act.Handler != linux.SIG_DFL:
		// A guest handler: kept pending until signal frames exist.
		p.sig.pending |= linux.SigMask(sig)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	c.defaultAction(sig)
}

// defaultAction applies SIG_DFL for a delivered signal.
func (c *call) defaultAction(sig linux.Signal) {
	switch sig.DefaultAction() {
	case linux.ActTerm:
		c.out = Outcome{Kind: Killed, Signal: sig}
	case linux.ActCore:
		c.out = Outcome{Kind: Killed, Signal: sig, Core: true}
	}
	// Stop signals do not stop the guest: job control is not emulated.
}

// deliverPending delivers the pending signals the thread's mask now lets
// through and whose disposition gemu can carry out.
func (c *call) deliverPending() {
	p := c.p
	p.mu.Lock()
	ready := p.sig.pending &^ c.t.sigmask
	var fatal linux.Signal
	for sig := linux.Signal(1); sig <= linux.SIGRTMAX && ready != 0; sig++ {
		bit := linux.SigMask(sig)
		if ready&bit == 0 {
			continue
		}
		ready &^= bit
		act := &p.sig.actions[sig-1]
		switch {
		case ignoredBy(act, sig):
			p.sig.pending &^= bit
		case act.Handler == linux.SIG_DFL:
			p.sig.pending &^= bit
			if a := sig.DefaultAction(); fatal == 0 && (a == linux.ActTerm || a == linux.ActCore) {
				fatal = sig
			}
		}
	}
	p.mu.Unlock()
	if fatal != 0 {
		c.defaultAction(fatal)
	}
}

// isSelf reports whether pid names the guest process for kill(2).
func (c *call) isSelf(pid int32) bool {
	if int(pid) == c.p.pid || pid == 0 {
		return true
	}
	return pid < -1 && int(-pid) == unix.Getpgrp()
}

func sysKill(c *call) (uint64, linux.Errno) {
	pid, sig := c.args.PidT(0), linux.Signal(c.args.Int(1))
	if sig != 0 && !sig.Valid() {
		return 0, linux.EINVAL
	}
	if !c.isSelf(pid) {
		// Another host process (gemu runs no guest children yet).
		return 0, hostErrno(unix.Kill(int(pid), hostSignal(sig)))
	}
	if sig != 0 {
		c.raise(sig)
	}
	return 0, 0
}

func sysTgkill(c *call) (uint64, linux.Errno) {
	tgid, tid, sig := c.args.PidT(0), c.args.PidT(1), linux.Signal(c.args.Int(2))
	if tgid <= 0 || tid <= 0 {
		return 0, linux.EINVAL
	}
	if int(tgid) != c.p.pid {
		return 0, hostErrno(unix.Tgkill(int(tgid), int(tid), hostSignal(sig)))
	}
	return c.signalThread(tid, sig)
}

func sysTkill(c *call) (uint64, linux.Errno) {
	tid, sig := c.args.PidT(0), linux.Signal(c.args.Int(1))
	if tid <= 0 {
		return 0, linux.EINVAL
	}
	return c.signalThread(tid, sig)
}

// signalThread sends sig to one of the guest's threads.
func (c *call) signalThread(tid int32, sig linux.Signal) (uint64, linux.Errno) {
	c.p.mu.Lock()
	found := false
	for _, t := range c.p.threads {
		found = found || t.tid == int(tid)
	}
	c.p.mu.Unlock()
	if !found {
		return 0, linux.ESRCH
	}
	if sig != 0 && !sig.Valid() {
		return 0, linux.EINVAL
	}
	if sig != 0 {
		// Only the calling thread exists until clone is implemented.
		c.raise(sig)
	}
	return 0, 0
}
