package emu

import (
	"sync"
	"time"

	"gemu/syscalls"
)

// sched hands the single guest CPU token between the threads of every
// machine (process) of a run.
// Exactly one thread (the holder) executes guest code or system calls at a
// time; the others wait in a FIFO run queue, are parked (futex waits,
// sleeps), or are blocked in a host call. Every transition that the
// running thread causes (yield at the end of a quantum, park, unpark) is
// made by the holder in program order, so scheduling is reproducible as
// long as no host call's timing is involved.
type sched struct {
	mu     sync.Mutex
	holder *CPU
	runq   []*CPU
	inHost int            // threads inside Blocking
	sleeps map[*CPU]int64 // parked threads with a virtual deadline
	clock  *clock
}

// threadState says where a thread is, for the scheduler.
type threadState uint8

const (
	stateRunnable threadState = iota // holding the token or queued for it
	stateParked
	stateBlocked // in a host call
	stateExited
)

// acquire waits until c holds the token. It returns false when the process
// ends first.
func (s *sched) acquire(c *CPU) bool {
	s.mu.Lock()
	c.state = stateRunnable
	if s.holder == nil && len(s.runq) == 0 {
		s.holder = c
		s.mu.Unlock()
		c.beginSlice()
		return true
	}
	s.runq = append(s.runq, c)
	s.mu.Unlock()
	return s.wait(c)
}

// wait blocks until c is handed the token (or c's process ends).
func (s *sched) wait(c *CPU) bool {
	select {
	case <-c.wake:
		c.beginSlice()
		return true
	case <-c.m.done:
		return false
	}
}

// leave takes c out of the scheduler for good (its goroutine ends): out of
// the run queue and the sleepers, and the token passed on if c holds it
// (or was handed it while its process ended).
func (s *sched) leave(c *CPU) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.state == stateExited && s.holder != c {
		return
	}
	for i, x := range s.runq {
		if x == c {
			s.runq = append(s.runq[:i], s.runq[i+1:]...)
			break
		}
	}
	delete(s.sleeps, c)
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	c.state = stateExited
	if s.holder == c {
		c.endSlice()
		select {
		case <-c.wake: // a handoff that raced with the end
		default:
		}
		s.handoffLocked()
	}
}

// handoffLocked gives the token away from its holder to the first queued
// thread, or to nobody. Preconditions: s.mu is held, the caller is the
// holder and has accounted its instructions.
func (s *sched) handoffLocked() {
	if len(s.runq) == 0 && s.clock.virtual && s.inHost == 0 {
		s.wakeFirstSleeperLocked()
	}
	if len(s.runq) == 0 {
		s.holder = nil
		return
	}
	next := s.runq[0]
	copy(s.runq, s.runq[1:])
	s.runq = s.runq[:len(s.runq)-1]
	s.holder = next
	next.wake <- struct{}{}
}

// runnableLocked queues c for the token (or gives it the idle token).
func (s *sched) runnableLocked(c *CPU) {
	c.state = stateRunnable
	if s.holder == nil {
		s.holder = c
		c.wake <- struct{}{}
		return
	}
	s.runq = append(s.runq, c)
}

// yield ends c's time slice: if another thread is runnable (or a virtual
// sleeper's time has come) c goes to the back of the queue. It returns
// false when the process ends while c waits.
func (s *sched) yield(c *CPU) bool {
	s.mu.Lock()
	c.endSlice()
	if s.clock.virtual {
		s.expireSleepersLocked()
	}
	if len(s.runq) == 0 {
		s.mu.Unlock()
		c.beginSlice()
		return true
	}
	s.runq = append(s.runq, c)
	s.handoffLocked()
	s.mu.Unlock()
	return s.wait(c)
}

// release gives up the token for good (the thread exits).
func (s *sched) release(c *CPU) {
	s.mu.Lock()
	c.endSlice()
	c.state = stateExited
	if s.holder == c {
		s.handoffLocked()
	}
	s.mu.Unlock()
}

// park implements syscalls.Thread.Park.
func (s *sched) park(c *CPU, deadline int64) syscalls.WakeReason {
	s.mu.Lock()
	c.endSlice()
	if c.attention.Load() {
		s.mu.Unlock()
		c.beginSlice()
		return syscalls.WakeInterrupted
	}
	c.state = stateParked
	c.wakeReason = syscalls.WakeUnparked
	if deadline != 0 {
		if s.clock.virtual {
			if s.sleeps == nil {
				s.sleeps = make(map[*CPU]int64)
			}
			s.sleeps[c] = deadline
		} else {
			d := time.Duration(deadline - s.clock.Monotonic())
			c.timer = time.AfterFunc(d, func() { s.unparkFor(c, syscalls.WakeTimeout) })
		}
	}
	s.handoffLocked()
	s.mu.Unlock()
	if !s.wait(c) {
		return syscalls.WakeExiting
	}
	return c.wakeReason
}

// parkUninterruptible is park without a deadline that Interrupt does not
// end (a pending signal waits): only Unpark, or the end of c's process.
func (s *sched) parkUninterruptible(c *CPU) syscalls.WakeReason {
	s.mu.Lock()
	c.endSlice()
	c.state = stateParked
	c.noIntr = true
	c.wakeReason = syscalls.WakeUnparked
	s.handoffLocked()
	s.mu.Unlock()
	ok := s.wait(c)
	s.mu.Lock()
	c.noIntr = false
	s.mu.Unlock()
	if !ok {
		return syscalls.WakeExiting
	}
	return c.wakeReason
}

// unparkFor makes a parked c runnable with the given reason; it does
// nothing if c is not parked.
func (s *sched) unparkFor(c *CPU, why syscalls.WakeReason) {
	s.mu.Lock()
	s.unparkLocked(c, why)
	s.mu.Unlock()
}

func (s *sched) unparkLocked(c *CPU, why syscalls.WakeReason) {
	if c.state != stateParked {
		return
	}
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	delete(s.sleeps, c)
	c.wakeReason = why
	s.runnableLocked(c)
}

// expireSleepersLocked wakes, in deadline order, the virtual sleepers whose
// deadline has passed.
func (s *sched) expireSleepersLocked() {
	now := s.clock.Monotonic()
	for {
		c, dl := s.firstSleeperLocked()
		if c == nil || dl > now {
			return
		}
		s.unparkLocked(c, syscalls.WakeTimeout)
	}
}

// wakeFirstSleeperLocked advances virtual time to the earliest deadline
// when nothing else can run, and wakes that sleeper.
func (s *sched) wakeFirstSleeperLocked() {
	c, dl := s.firstSleeperLocked()
	if c == nil {
		return
	}
	s.clock.advanceTo(dl)
	s.unparkLocked(c, syscalls.WakeTimeout)
}

// firstSleeperLocked returns the sleeper with the earliest deadline (ties:
// the lowest vCPU index, so the choice is reproducible).
func (s *sched) firstSleeperLocked() (*CPU, int64) {
	var best *CPU
	var bestDL int64
	for c, dl := range s.sleeps {
		if best == nil || dl < bestDL || dl == bestDL && c.index < best.index {
			best, bestDL = c, dl
		}
	}
	return best, bestDL
}

// blocking implements syscalls.Thread.Blocking.
func (s *sched) blocking(c *CPU, fn func(intr <-chan struct{})) {
	s.mu.Lock()
	c.endSlice()
	c.state = stateBlocked
	s.inHost++
	intr := make(chan struct{})
	c.intr = intr
	if c.attention.Load() {
		close(intr)
		c.intr = nil
	}
	if s.holder == c {
		s.handoffLocked()
	}
	s.mu.Unlock()
	fn(intr)
	s.mu.Lock()
	s.inHost--
	if c.intr != nil {
		c.intr = nil
	}
	if s.holder == nil && len(s.runq) == 0 {
		s.holder = c
		c.state = stateRunnable
		s.mu.Unlock()
		c.beginSlice()
		return
	}
	s.runq = append(s.runq, c)
	c.state = stateRunnable
	s.mu.Unlock()
	s.wait(c)
}

// interrupt implements syscalls.Thread.Interrupt.
func (s *sched) interrupt(c *CPU) {
	c.attention.Store(true)
	s.mu.Lock()
	if c.intr != nil {
		close(c.intr)
		c.intr = nil
	}
	if !c.noIntr {
		s.unparkLocked(c, syscalls.WakeInterrupted)
	}
	s.mu.Unlock()
}
