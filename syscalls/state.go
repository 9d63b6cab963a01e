package syscalls

import (
	"path/filepath"
	"time"

	"gemu/internal/abi/linux"
)

// sysState is the per-process state of the interval timers, personality,
// prctl settings and thread name. The Process lock guards it.
type sysState struct {
	itimers     [3]itimer // ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF
	personality uint32
	comm        string // PR_SET_NAME; "" until set: the program's base name
	pdeathsig   int32
	noNewPrivs  bool
	subreaper   bool
	thpDisable  bool
	timerslack  uint64 // ns; 0: the default (50 µs)
}

// defaultTimerslack is Linux's default timer slack (50 µs).
const defaultTimerslack = 50000

// commName returns the process's name as /proc shows it (at most 15 bytes).
//
// Preconditions: the Process lock is held.
func (p *Process) commName() string {
	name := p.sys.comm
	if name == "" {
		name = p.cfg.Comm
	}
	if name == "" {
		name = filepath.Base(p.cfg.Exe)
	}
	if len(name) > linux.TASK_COMM_LEN-1 {
		name = name[:linux.TASK_COMM_LEN-1]
	}
	return name
}

// itimer is one interval timer. The timer is armed while deadline is set;
// an expiry moves the deadline on by the interval or disarms it.
//
// ITIMER_REAL sends SIGALRM (si_code SI_KERNEL, as the kernel's
// it_real_fn does) from a host timer when it expires. ITIMER_VIRTUAL and
// ITIMER_PROF keep their values but never fire (gemu does not account the
// guest's CPU time), and with a virtual clock (-icount) no host timer
// runs: expiry would make the run depend on host timing.
type itimer struct {
	deadline time.Time
	interval time.Duration
	host     *time.Timer // pending expiry (ITIMER_REAL only)
}

// due advances the timer to now and reports how many expiries happened
// since the last call (the signals to deliver; Linux coalesces them to one).
func (t *itimer) due(now time.Time) int {
	if t.deadline.IsZero() || now.Before(t.deadline) {
		return 0
	}
	if t.interval <= 0 {
		t.deadline = time.Time{}
		return 1
	}
	n := 1 + int(now.Sub(t.deadline)/t.interval)
	t.deadline = t.deadline.Add(time.Duration(n) * t.interval)
	return n
}

// value returns the time left and the interval, as getitimer reports them.
func (t *itimer) value(now time.Time) (left, interval time.Duration) {
	t.due(now)
	if t.deadline.IsZero() {
		return 0, t.interval
	}
	return t.deadline.Sub(now), t.interval
}

// set arms (value > 0) or disarms the timer.
func (t *itimer) set(now time.Time, value, interval time.Duration) {
	t.interval = interval
	if t.host != nil {
		t.host.Stop()
		t.host = nil
	}
	if value <= 0 {
		t.deadline = time.Time{}
		return
	}
	t.deadline = now.Add(value)
}

// armItimerLocked starts the host timer of an armed ITIMER_REAL.
//
// Preconditions: the Process lock is held.
func (p *Process) armItimerLocked(which int, now time.Time) {
	t := &p.sys.itimers[which]
	if which != linux.ITIMER_REAL || t.deadline.IsZero() || p.closed || p.clock().Virtual() {
		return
	}
	t.host = time.AfterFunc(t.deadline.Sub(now), func() { p.itimerFired(which) })
}

// itimerFired runs when a host timer expires: it sends the signal and
// re-arms an interval timer.
func (p *Process) itimerFired(which int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	now := time.Now()
	t := &p.sys.itimers[which]
	t.host = nil
	if t.due(now) > 0 {
		p.sendLocked(nil, linux.Siginfo{Signo: int32(linux.SIGALRM), Code: linux.SI_KERNEL})
	}
	p.armItimerLocked(which, now)
}

// stopItimersLocked stops the host timers (the process is ending).
//
// Preconditions: the Process lock is held.
func (p *Process) stopItimersLocked() {
	for i := range p.sys.itimers {
		if h := p.sys.itimers[i].host; h != nil {
			h.Stop()
			p.sys.itimers[i].host = nil
		}
	}
}
