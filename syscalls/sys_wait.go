package syscalls

import (
	"gemu/internal/abi/linux"
)

// wait4 and waitid over the guest's children (proctable.go). gemu does no
// job control, so children are never stopped or continued: WUNTRACED,
// WSTOPPED and WCONTINUED are accepted and never report anything.

// Wait options (include/uapi/linux/wait.h).
const (
	wNOHANG    = 0x00000001
	wUNTRACED  = 0x00000002 // WSTOPPED for waitid
	wEXITED    = 0x00000004
	wCONTINUED = 0x00000008
	wNOWAIT    = 0x01000000
	wNOTHREAD  = 0x20000000
	wALL       = 0x40000000
	wCLONE     = 0x80000000
)

// waitid id types.
const (
	pALL   = 0
	pPID   = 1
	pPGID  = 2
	pPIDFD = 3
)

// waitSel says which children a wait is for.
type waitSel struct {
	pid  int // > 0: that child
	pgid int // > 0: children in that process group
	// opts holds __WALL and __WCLONE: without __WALL, a wait sees only
	// the children whose exit signal is SIGCHLD, or with __WCLONE only
	// the others (Linux's eligible_child).
	opts uint32
}

func (w waitSel) match(q *Process) bool {
	if w.opts&wALL == 0 && (w.opts&wCLONE != 0) != (q.ps.exitSignal != linux.SIGCHLD) {
		return false
	}
	switch {
	case w.pid > 0:
		return q.pid == w.pid
	case w.pgid > 0:
		return q.ps.pgid == w.pgid
	}
	return true
}

// wait4(pid, wstatus, options, rusage).
func sysWait4(c *call) (uint64, linux.Errno) {
	pid, statusAddr, opts, ruAddr := c.args.PidT(0), c.args.Pointer(1), c.args.Uint(2), c.args.Pointer(3)
	if opts&^(wNOHANG|wUNTRACED|wCONTINUED|wNOTHREAD|wALL|wCLONE) != 0 {
		return 0, linux.EINVAL
	}
	sel := waitSel{opts: opts}
	switch {
	case pid == -1:
	case pid == 0:
		sel.pgid = c.p.pgid()
	case pid < 0:
		sel.pgid = int(-pid)
	default:
		sel.pid = int(pid)
	}
	q, e := c.wait(sel, opts&wNOHANG != 0, false)
	if e != 0 || q == nil {
		return 0, e
	}
	if statusAddr != 0 {
		if e := c.writeU32(statusAddr, q.status); e != 0 {
			return 0, e
		}
	}
	if ruAddr != 0 {
		if e := c.copyOut(ruAddr, make([]byte, linux.SizeofRusage)); e != 0 {
			return 0, e
		}
	}
	return uint64(q.pid), 0
}

// waitid(idtype, id, infop, options, rusage).
func sysWaitid(c *call) (uint64, linux.Errno) {
	idtype, id, infoAddr, opts, ruAddr := c.args.Int(0), c.args.PidT(1), c.args.Pointer(2), c.args.Uint(3), c.args.Pointer(4)
	if opts&^(wNOHANG|wUNTRACED|wEXITED|wCONTINUED|wNOWAIT|wNOTHREAD|wALL|wCLONE) != 0 ||
		opts&(wEXITED|wUNTRACED|wCONTINUED) == 0 {
		return 0, linux.EINVAL
	}
	sel := waitSel{opts: opts}
	switch idtype {
	case pALL:
	case pPID:
		if id <= 0 {
			return 0, linux.EINVAL
		}
		sel.pid = int(id)
	case pPGID:
		if id < 0 {
			return 0, linux.EINVAL
		}
		sel.pgid = int(id)
		if id == 0 {
			sel.pgid = c.p.pgid()
		}
	case pPIDFD:
		return 0, linux.EINVAL // gemu makes no pidfds
	default:
		return 0, linux.EINVAL
	}
	var q waited
	var e linux.Errno
	if opts&wEXITED != 0 {
		var r *waited
		r, e = c.wait(sel, opts&wNOHANG != 0, opts&wNOWAIT != 0)
		if r != nil {
			q = *r
		}
	} else {
		_, e = c.wait(sel, true, true) // only ECHILD can come of it
	}
	if e != 0 {
		return 0, e
	}
	if infoAddr != 0 {
		var b [linux.SizeofSiginfo]byte
		if q.pid != 0 {
			si := q.info
			si.Signo = int32(linux.SIGCHLD)
			si.Encode(b[:])
		}
		if e := c.copyOut(infoAddr, b[:]); e != 0 {
			return 0, e
		}
	}
	if ruAddr != 0 {
		if e := c.copyOut(ruAddr, make([]byte, linux.SizeofRusage)); e != 0 {
			return 0, e
		}
	}
	return 0, 0
}

// waited is what a wait learned of an exited child.
type waited struct {
	pid    int
	status uint32
	info   linux.Siginfo
}

// wait finds an exited child matching sel and reaps it (unless keep),
// waiting for one unless noHang. It returns nil with no error when noHang
// finds none; ECHILD when no child matches; ERESTARTSYS when a signal
// interrupts the wait.
func (c *call) wait(sel waitSel, noHang, keep bool) (*waited, linux.Errno) {
	p := c.p
	k := p.k
	th := c.t.th
	for {
		k.mu.Lock()
		found := false
		var zombie *Process
		for _, q := range p.ps.children {
			if !sel.match(q) {
				continue
			}
			found = true
			if q.ps.exited && (zombie == nil || q.pid < zombie.pid) {
				zombie = q
			}
		}
		if zombie != nil {
			w := &waited{pid: zombie.pid, status: zombie.waitStatus(), info: zombie.childInfo()}
			if !keep {
				zombie.reapLocked()
			}
			k.mu.Unlock()
			return w, 0
		}
		if !found {
			k.mu.Unlock()
			return nil, linux.ECHILD
		}
		if noHang || th == nil {
			k.mu.Unlock()
			return nil, 0
		}
		if p.ps.waiters == nil {
			p.ps.waiters = make(map[Thread]bool)
		}
		p.ps.waiters[th] = true
		k.mu.Unlock()
		// No child can end before Park: ending takes the guest CPU, which
		// this thread holds until Park gives it away.
		why := th.Park(0)
		k.mu.Lock()
		delete(p.ps.waiters, th)
		k.mu.Unlock()
		switch why {
		case WakeInterrupted:
			// A child that ended meanwhile wins over the signal, as in
			// Linux's do_wait; else the signal is handled and the call
			// restarted.
			if w, e := c.wait(sel, true, keep); w != nil || e != 0 {
				return w, e
			}
			return nil, linux.ERESTARTSYS
		case WakeExiting:
			return nil, linux.EINTR
		}
	}
}

// pgid returns the process group id.
func (p *Process) pgid() int {
	p.k.mu.Lock()
	defer p.k.mu.Unlock()
	return p.ps.pgid
}
