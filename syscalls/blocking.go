package syscalls

import (
	"time"

	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
)

// Blocking host calls.
//
// Every host system call that can wait for something outside gemu goes
// through the helpers in this file and nowhere else: reads and writes of
// pipes, FIFOs, sockets and terminals, send/recv, accept, connect, poll,
// select and epoll_wait, sleeps, flock and F_SETLKW record locks, the
// terminal drains of TCSETSW/TCSETSF, and sendfile/splice/copy_file_range
// between such files. (Regular files go through the same helpers: they do
// not wait, and one path is simpler than two.)
//
// The contract the scheduler and signal delivery (issue #6) build on:
//
//   - A helper is entered without the Process lock held and without any
//     borrowed guest memory: its caller copied guest input into host
//     buffers first and copies results back after it returns. So the
//     helper may give up the guest CPU for the whole wait (other guest
//     threads keep running) and must take it back before returning.
//   - op performs exactly one host system call and returns its result. A
//     helper may call op more than once: after the EINTR of a Go runtime
//     signal (never the guest's), or after waiting for readiness on the
//     descriptor (events says which: unix.POLLIN for reads and accept,
//     unix.POLLOUT for writes and connect, 0 when readiness does not apply,
//     e.g. flock). op must therefore be safe to repeat until it succeeds.
//   - A guest signal that arrives during the wait interrupts it: the helper
//     then returns unix.EINTR (hostErrno makes it the guest's EINTR), and
//     the caller returns it as the kernel would (or the dispatcher restarts
//     the call under SA_RESTART). Work already done is reported, not lost:
//     a helper returns a partial count in preference to EINTR.
//   - Time-limited waits (blockPoll, blockEpoll, blockSleep) report the time
//     left so the caller can write it back to the guest.
//
// The guest CPU is given up only when the call would actually wait: a
// zero-timeout poll first checks readiness, so reads of regular files and
// of pipes holding data never leave the CPU. A wait is interrupted through
// an eventfd that the Thread's interrupt channel writes.

// errRestartSys is what an interrupted read, write, accept... returns: the
// kernel's ERESTARTSYS, which signal delivery turns into a restart (a
// handler with SA_RESTART) or EINTR.
const errRestartSys = unix.Errno(linux.ERESTARTSYS)

// retryEINTR repeats a host call interrupted by one of the Go runtime's own
// signals; the guest never sees those. Only the helpers below and calls
// that cannot wait use it.
func retryEINTR[T any](f func() (T, error)) (T, error) {
	for {
		v, err := f()
		if err != unix.EINTR {
			return v, err
		}
	}
}

// hostWait polls fds (plus, when the caller is a Thread, an eventfd that
// its interruption writes) for at most timeout (negative: forever) with the
// guest CPU given to other threads. It returns the number of ready fds
// among fds, the time left, and whether a guest signal interrupted it.
// fds' Revents are filled in.
func (c *call) hostWait(fds []unix.PollFd, timeout time.Duration) (int, time.Duration, bool, error) {
	// Ready already? Then no thread switch, no eventfd.
	if n, err := retryEINTR(func() (int, error) { return unix.Poll(fds, 0) }); err != nil || n > 0 || timeout == 0 {
		return n, timeout, false, err
	}
	th := c.t.th
	if th == nil {
		n, left, err := pollFor(fds, timeout)
		return n, left, false, err
	}
	var n int
	var left time.Duration
	var interrupted bool
	var err error
	th.Blocking(func(intr <-chan struct{}) {
		efd, e := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
		if e != nil {
			n, left, err = pollFor(fds, timeout)
			return
		}
		defer unix.Close(efd)
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			select {
			case <-intr:
				var one [8]byte
				one[0] = 1
				unix.Write(efd, one[:])
			case <-stop:
			}
		}()
		all := append(append(make([]unix.PollFd, 0, len(fds)+1), fds...), unix.PollFd{Fd: int32(efd), Events: unix.POLLIN})
		n, left, err = pollFor(all, timeout)
		copy(fds, all)
		if all[len(all)-1].Revents != 0 {
			interrupted = true
			n--
		}
	})
	return n, left, interrupted, err
}

// pollFor is ppoll for at most timeout (negative: forever), resuming after
// the Go runtime's signals; it returns the count and the time left.
func pollFor(fds []unix.PollFd, timeout time.Duration) (int, time.Duration, error) {
	start := time.Now()
	left := timeout
	for {
		var ts *unix.Timespec
		if left >= 0 {
			t := unix.NsecToTimespec(int64(left))
			ts = &t
		}
		n, err := unix.Ppoll(fds, ts, nil)
		if timeout >= 0 {
			left = max(timeout-time.Since(start), 0)
		}
		if err != unix.EINTR {
			return n, left, err
		}
	}
}

// block performs a host call on f that may wait for f to become ready (f
// is nil for a call that waits on a path, such as opening a FIFO). When f
// is not ready for events, the thread waits for it with the guest CPU
// given up; a guest signal ends the wait with errRestartSys.
func (c *call) block(f *hostFile, events int16, op func() (int, error)) (int, error) {
	if f == nil || events == 0 {
		if c.t.th == nil {
			return retryEINTR(op)
		}
		var n int
		var err error
		c.t.th.Blocking(func(<-chan struct{}) { n, err = retryEINTR(op) })
		return n, err
	}
	for {
		fds := []unix.PollFd{{Fd: int32(f.fd), Events: events}}
		ready, err := retryEINTR(func() (int, error) { return unix.Poll(fds, 0) })
		if err == nil && ready == 0 && !f.nonblocking() {
			_, _, interrupted, werr := c.hostWait(fds, -1)
			if interrupted {
				return 0, errRestartSys
			}
			err = werr
		}
		if err != nil {
			return 0, err
		}
		n, err := op()
		if err == unix.EINTR {
			continue
		}
		if err == unix.EAGAIN && !f.nonblocking() {
			continue // someone else took the data: wait again
		}
		return n, err
	}
}

// nonblocking reports whether the host file is in O_NONBLOCK mode (the
// guest's fcntl/ioctl FIONBIO set it): its waits are the guest's EAGAIN.
func (f *hostFile) nonblocking() bool {
	fl, err := unix.FcntlInt(uintptr(f.fd), unix.F_GETFL, 0)
	return err == nil && fl&unix.O_NONBLOCK != 0
}

// blockPoll waits for events on host descriptors, at most timeout
// (negative: forever). It returns the host poll's count and the time left;
// a guest signal ends it with EINTR.
func (c *call) blockPoll(fds []unix.PollFd, timeout time.Duration) (int, time.Duration, error) {
	if len(fds) == 0 && timeout < 0 && c.t.th != nil {
		// Nothing to wait for, forever: only a signal ends it.
		c.waitForSignal(0)
		return 0, 0, unix.EINTR
	}
	if len(fds) == 0 && timeout > 0 {
		// A pure sleep: honour a virtual clock.
		rem, err := c.sleepFor(timeout)
		return 0, rem, err
	}
	n, left, interrupted, err := c.hostWait(fds, timeout)
	if interrupted && n == 0 {
		return 0, left, unix.EINTR
	}
	return n, left, err
}

// blockEpoll waits on a host epoll descriptor, at most timeout (negative:
// forever), and returns the number of events and the time left.
//
// Preconditions: len(evs) > 0.
func (c *call) blockEpoll(epfd int, evs []unix.EpollEvent, timeout time.Duration) (int, time.Duration, error) {
	start := time.Now()
	for {
		n, err := retryEINTR(func() (int, error) { return unix.EpollWait(epfd, evs, 0) })
		if err != nil || n > 0 || timeout == 0 {
			return n, timeout, err
		}
		left := timeout
		if timeout > 0 {
			left = max(timeout-time.Since(start), 0)
			if left == 0 {
				return 0, 0, nil
			}
		}
		fds := []unix.PollFd{{Fd: int32(epfd), Events: unix.POLLIN}}
		ready, left, interrupted, err := c.hostWait(fds, left)
		if interrupted {
			return 0, left, unix.EINTR
		}
		if err != nil {
			return 0, left, err
		}
		if ready == 0 {
			return 0, 0, nil // timed out
		}
	}
}

// sleepFor sleeps for d on the guest's clock, giving up the CPU. It
// returns the time left and EINTR when a guest signal interrupts it.
func (c *call) sleepFor(d time.Duration) (time.Duration, error) {
	clk := c.p.clock()
	deadline := clk.Monotonic() + int64(d)
	if c.t.th == nil {
		sleepUntil(clk, deadline)
		return 0, nil
	}
	for {
		switch c.t.th.Park(deadline) {
		case WakeTimeout:
			return 0, nil
		case WakeInterrupted, WakeExiting:
			return time.Duration(max(deadline-clk.Monotonic(), 0)), unix.EINTR
		}
		if clk.Monotonic() >= deadline {
			return 0, nil
		}
	}
}

// blockSleep sleeps on a clock (flags may hold TIMER_ABSTIME) and returns
// the time left when a relative sleep is interrupted (with EINTR).
func (c *call) blockSleep(clock int32, flags int, ts linux.Timespec) (linux.Timespec, error) {
	d := time.Duration(ts.Sec*1e9 + ts.Nsec)
	if flags&unix.TIMER_ABSTIME != 0 {
		clk := c.p.clock()
		now := clk.Monotonic()
		if clock == unix.CLOCK_REALTIME || clock == unix.CLOCK_TAI {
			now = clk.Realtime()
		} else if !clk.Virtual() {
			var t unix.Timespec
			if unix.ClockGettime(clock, &t) == nil {
				now = t.Nano()
			}
		}
		d = time.Duration(int64(d) - now)
		if d <= 0 {
			return linux.Timespec{}, nil
		}
	}
	rem, err := c.sleepFor(d)
	return linux.Timespec{Sec: int64(rem / time.Second), Nsec: int64(rem % time.Second)}, err
}

// hostSleep sleeps on a host clock until done, resuming after EINTR.
func hostSleep(id int32, flags int, ts linux.Timespec) error {
	req := unix.Timespec{Sec: ts.Sec, Nsec: ts.Nsec}
	for {
		var rem unix.Timespec
		err := unix.ClockNanosleep(id, flags, &req, &rem)
		if err != unix.EINTR {
			return err
		}
		if flags&unix.TIMER_ABSTIME == 0 {
			req = rem
		}
	}
}
