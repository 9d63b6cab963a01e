package syscalls

import (
	"time"

	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
)

// poll and ppoll on host descriptors. The POLL* bits are the asm-generic
// values on x86-64 and on the hosts gemu supports, so events pass through.

func sysPoll(c *call) (uint64, linux.Errno) {
	timeout := time.Duration(-1)
	if ms := c.args.Int(2); ms >= 0 {
		timeout = time.Duration(ms) * time.Millisecond
	}
	n, _, e := c.poll(c.args.Pointer(0), uint64(c.args.Uint(1)), timeout)
	return n, e
}

func sysPpoll(c *call) (uint64, linux.Errno) {
	fds, nfds, tsp, sigmask, sigsetsize := c.args.Pointer(0), c.args.Uint(1), c.args.Pointer(2), c.args.Pointer(3), c.args.SizeT(4)
	timeout := time.Duration(-1)
	if tsp != 0 {
		ts, e := c.readTimespec(tsp)
		if e != 0 {
			return 0, e
		}
		if !ts.Valid() {
			return 0, linux.EINVAL
		}
		timeout = tsDuration(ts)
	}
	if sigmask != 0 {
		// The mask would apply while waiting; gemu delivers no asynchronous
		// signals yet, so it is only validated.
		if sigsetsize != linux.SizeofSigset {
			return 0, linux.EINVAL
		}
		if _, e := c.readU64(sigmask); e != 0 {
			return 0, e
		}
	}
	n, left, e := c.poll(fds, uint64(nfds), timeout)
	if tsp != 0 && timeout > 0 && e == 0 {
		// Linux writes the time left back; a fault here is ignored.
		c.writeTimespec(tsp, durationTS(left))
	}
	return n, e
}

// tsDuration converts a valid timespec, saturating instead of overflowing.
func tsDuration(ts linux.Timespec) time.Duration {
	const maxSec = int64(1<<63-1) / int64(time.Second)
	if ts.Sec >= maxSec {
		return 1<<63 - 1
	}
	return time.Duration(ts.Sec)*time.Second + time.Duration(ts.Nsec)
}

func durationTS(d time.Duration) linux.Timespec {
	if d < 0 {
		d = 0
	}
	return linux.Timespec{Sec: int64(d / time.Second), Nsec: int64(d % time.Second)}
}

// poll waits on the guest pollfd array at addr; timeout < 0 waits forever.
// It returns the ready count and the time left.
func (c *call) poll(addr, nfds uint64, timeout time.Duration) (uint64, time.Duration, linux.Errno) {
	if nfds > c.limit(linux.RLIMIT_NOFILE) {
		return 0, 0, linux.EINVAL
	}
	raw, e := c.copyIn(addr, int(nfds)*linux.SizeofPollFD)
	if e != 0 {
		return 0, 0, e
	}
	pfds := make([]linux.PollFD, nfds)
	hfds := make([]unix.PollFd, nfds)
	held := make([]*hostFile, 0, nfds)
	defer func() {
		for _, f := range held {
			f.decRef()
		}
	}()
	invalid := 0
	c.p.mu.Lock()
	for i := range pfds {
		pfds[i].Decode(raw[i*linux.SizeofPollFD:])
		hfds[i] = unix.PollFd{Fd: -1}
		if pfds[i].FD < 0 {
			continue
		}
		f := c.p.fds.get(pfds[i].FD)
		if f == nil {
			invalid++
			continue
		}
		f.incRef()
		held = append(held, f)
		hfds[i] = unix.PollFd{Fd: int32(f.fd), Events: pfds[i].Events}
	}
	c.p.mu.Unlock()
	if invalid > 0 {
		timeout = 0 // POLLNVAL entries make the call return at once
	}
	start := time.Now()
	left := timeout
	for {
		var ts *unix.Timespec
		if left >= 0 {
			t := unix.NsecToTimespec(int64(left))
			ts = &t
		}
		_, err := unix.Ppoll(hfds, ts, nil)
		if err == nil {
			break
		}
		if err != unix.EINTR {
			return 0, 0, hostErrno(err)
		}
		if timeout >= 0 {
			if left = timeout - time.Since(start); left < 0 {
				left = 0
			}
		}
	}
	if timeout >= 0 {
		left = max(timeout-time.Since(start), 0)
	}
	ready := uint64(0)
	for i := range pfds {
		pfds[i].Revents = 0
		switch {
		case pfds[i].FD < 0:
		case hfds[i].Fd < 0:
			pfds[i].Revents = linux.POLLNVAL
		default:
			pfds[i].Revents = hfds[i].Revents
		}
		if pfds[i].Revents != 0 {
			ready++
		}
		pfds[i].Encode(raw[i*linux.SizeofPollFD:])
	}
	return ready, left, c.copyOut(addr, raw)
}
