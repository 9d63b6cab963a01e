package syscalls

import (
	"gemu/internal/abi/linux"
)

// Process groups and sessions of guest processes, and the targets of kill.
// The first process starts in gemu's own process group and session; its
// children inherit them; setpgid and setsid change them inside gemu only
// (the host's groups, and so terminal job control, are gemu's).

func sysGetpgrp(c *call) (uint64, linux.Errno) { return uint64(c.p.pgid()), 0 }

func sysGetpgid(c *call) (uint64, linux.Errno) {
	q, e := c.target(int(c.args.PidT(0)))
	if e != 0 {
		return 0, e
	}
	return uint64(q.pgid()), 0
}

func sysGetsid(c *call) (uint64, linux.Errno) {
	q, e := c.target(int(c.args.PidT(0)))
	if e != 0 {
		return 0, e
	}
	k := c.p.k
	k.mu.Lock()
	defer k.mu.Unlock()
	return uint64(q.ps.sid), 0
}

// target is the process pid names for getpgid/getsid/setpgid: the caller
// for 0.
func (c *call) target(pid int) (*Process, linux.Errno) {
	if pid < 0 {
		return nil, linux.EINVAL
	}
	if pid == 0 || pid == c.p.pid {
		return c.p, 0
	}
	q := c.p.k.lookup(pid)
	if q == nil {
		return nil, linux.ESRCH
	}
	return q, 0
}

// setpgid(pid, pgid) as Linux checks it: the caller or one of its children
// (ESRCH otherwise) that has not exec'd (gemu does not track that), in the
// caller's session (EPERM), not a session leader (EPERM), into its own new
// group or an existing group of the session (EPERM).
func sysSetpgid(c *call) (uint64, linux.Errno) {
	pid, pgid := int(c.args.PidT(0)), int(c.args.PidT(1))
	if pgid < 0 {
		return 0, linux.EINVAL
	}
	p := c.p
	k := p.k
	if pid == 0 {
		pid = p.pid
	}
	if pgid == 0 {
		pgid = pid
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	q := k.procs[pid]
	if q == nil || q.ps.exited || q != p && q.ps.parent != p {
		return 0, linux.ESRCH
	}
	if q.ps.sid != p.ps.sid || q.ps.sid == q.pid {
		return 0, linux.EPERM
	}
	if pgid != q.pid {
		found := false
		for _, r := range k.procs {
			if !r.ps.exited && r.ps.pgid == pgid && r.ps.sid == p.ps.sid {
				found = true
				break
			}
		}
		if !found {
			return 0, linux.EPERM
		}
	}
	q.ps.pgid = pgid
	return 0, 0
}

// setsid: a new session and group led by the caller, unless it already
// leads a group (EPERM).
func sysSetsid(c *call) (uint64, linux.Errno) {
	p := c.p
	k := p.k
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, r := range k.procs {
		if !r.ps.exited && r.ps.pgid == p.pid {
			return 0, linux.EPERM
		}
	}
	p.ps.pgid, p.ps.sid = p.pid, p.pid
	return uint64(p.pid), 0
}

// killTargets returns the guest processes kill(pid) reaches from p, in pid
// order; host says pid is no guest's and not one gemu gave out, so the
// signal goes to the host process.
func (k *kernel) killTargets(p *Process, pid int) (targets []*Process, host bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	switch {
	case pid > 0:
		q := k.procs[pid]
		if q == nil {
			return nil, !k.oursLocked(pid)
		}
		return []*Process{q}, false
	case pid == 0:
		g := p.ps.pgid
		return k.liveLocked(func(q *Process) bool { return q.ps.pgid == g }), false
	case pid == -1:
		return k.liveLocked(func(q *Process) bool { return q != p }), false
	}
	g := -pid
	return k.liveLocked(func(q *Process) bool { return q.ps.pgid == g }), false
}

// ours reports whether gemu gave out id (as a pid or tid).
func (k *kernel) ours(id int) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.oursLocked(id)
}

func (k *kernel) oursLocked(id int) bool {
	return id >= k.init.pid && int64(id) <= k.nextID.Load()
}

// threadOwner returns the live process with a thread tid, or nil.
func (k *kernel) threadOwner(tid int) *Process {
	k.mu.Lock()
	procs := k.liveLocked(func(*Process) bool { return true })
	k.mu.Unlock()
	for _, q := range procs {
		q.mu.Lock()
		for _, t := range q.threads {
			if t.tid == tid {
				q.mu.Unlock()
				return q
			}
		}
		q.mu.Unlock()
	}
	return nil
}
