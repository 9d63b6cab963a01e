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
		// The mask applies while waiting (tempSigmask).
		if sigsetsize != linux.SizeofSigset {
			return 0, linux.EINVAL
		}
		if _, e := c.readU64(sigmask); e != 0 {
			return 0, e
		}
	}
	defer c.tempSigmask(sigmask)()
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
	_, left, err := c.blockPoll(hfds, timeout)
	if err != nil {
		return 0, 0, hostErrno(err)
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

// select and pselect6 on top of the host's ppoll: the fd_set bitmaps are
// arrays of little-endian u64 words, converted to pollfds and back with
// the kernel's POLLIN_SET, POLLOUT_SET and POLLEX_SET.
const (
	pollInSet  = linux.POLLRDNORM | linux.POLLRDBAND | linux.POLLIN | linux.POLLHUP | linux.POLLERR
	pollOutSet = linux.POLLWRBAND | linux.POLLWRNORM | linux.POLLOUT | linux.POLLERR
	pollExSet  = linux.POLLPRI
)

func sysSelect(c *call) (uint64, linux.Errno) {
	tvAddr := c.args.Pointer(4)
	timeout := time.Duration(-1)
	if tvAddr != 0 {
		var b [linux.SizeofTimeval]byte
		if e := c.readMem(tvAddr, b[:]); e != 0 {
			return 0, e
		}
		var tv linux.Timeval
		tv.Decode(b[:])
		if tv.Sec < 0 || tv.Usec < 0 {
			return 0, linux.EINVAL
		}
		// Microseconds beyond a second carry over (poll_select_set_timeout).
		timeout = tsDuration(linux.Timespec{Sec: tv.Sec + tv.Usec/1e6, Nsec: tv.Usec % 1e6 * 1000})
	}
	n, left, e := c.selectFDs(timeout)
	if tvAddr != 0 && timeout > 0 && e == 0 {
		// Linux writes the time left back; a fault here is ignored.
		d := max(left, 0)
		var b [linux.SizeofTimeval]byte
		tv := linux.Timeval{Sec: int64(d / time.Second), Usec: int64(d%time.Second) / 1000}
		tv.Encode(b[:])
		c.copyOut(tvAddr, b[:])
	}
	return n, e
}

func sysPselect6(c *call) (uint64, linux.Errno) {
	tsAddr, sigAddr := c.args.Pointer(4), c.args.Pointer(5)
	timeout := time.Duration(-1)
	if tsAddr != 0 {
		ts, e := c.readTimespec(tsAddr)
		if e != 0 {
			return 0, e
		}
		if !ts.Valid() {
			return 0, linux.EINVAL
		}
		timeout = tsDuration(ts)
	}
	if sigAddr != 0 {
		// struct { const sigset_t *ss; size_t ss_len; }
		var b [16]byte
		if e := c.readMem(sigAddr, b[:]); e != 0 {
			return 0, e
		}
		if e := c.checkSigmask(le.Uint64(b[0:]), le.Uint64(b[8:])); e != 0 {
			return 0, e
		}
		if le.Uint64(b[8:]) != 0 {
			defer c.tempSigmask(le.Uint64(b[0:]))()
		}
	}
	n, left, e := c.selectFDs(timeout)
	if tsAddr != 0 && timeout > 0 && e == 0 {
		c.writeTimespec(tsAddr, durationTS(left))
	}
	return n, e
}

// selectFDs is core_sys_select for the sets in arguments 0-3.
func (c *call) selectFDs(timeout time.Duration) (uint64, time.Duration, linux.Errno) {
	nfds := c.args.Int(0)
	if nfds < 0 {
		return 0, 0, linux.EINVAL
	}
	c.p.mu.Lock()
	n := min(int(nfds), c.p.fds.maxFDs())
	c.p.mu.Unlock()
	words := (n + 63) / 64
	var sets [3][]uint64 // in, out, ex; nil when the pointer is NULL
	for i := range sets {
		addr := c.args.Pointer(1 + i)
		if addr == 0 {
			continue
		}
		raw, e := c.copyIn(addr, words*8)
		if e != 0 {
			return 0, 0, e
		}
		sets[i] = make([]uint64, words)
		for w := range sets[i] {
			sets[i][w] = le.Uint64(raw[8*w:])
		}
		if n%64 != 0 {
			sets[i][words-1] &= 1<<(n%64) - 1
		}
	}
	isSet := func(i, fd int) bool { return sets[i] != nil && sets[i][fd/64]&(1<<(fd%64)) != 0 }
	var pfds []unix.PollFd
	var gfds []int
	held := make([]*hostFile, 0, 8)
	defer func() {
		for _, f := range held {
			f.decRef()
		}
	}()
	c.p.mu.Lock()
	for fd := 0; fd < n; fd++ {
		var ev int16
		if isSet(0, fd) {
			ev |= unix.POLLIN
		}
		if isSet(1, fd) {
			ev |= unix.POLLOUT
		}
		if isSet(2, fd) {
			ev |= unix.POLLPRI
		}
		if ev == 0 {
			continue
		}
		f := c.p.fds.get(int32(fd))
		if f == nil {
			c.p.mu.Unlock()
			return 0, 0, linux.EBADF
		}
		f.incRef()
		held = append(held, f)
		pfds = append(pfds, unix.PollFd{Fd: int32(f.fd), Events: ev})
		gfds = append(gfds, fd)
	}
	c.p.mu.Unlock()
	_, left, err := c.blockPoll(pfds, timeout)
	if err != nil {
		return 0, 0, hostErrno(err)
	}
	var res [3][]uint64
	for i := range res {
		if sets[i] != nil {
			res[i] = make([]uint64, words)
		}
	}
	count := uint64(0)
	for k, pf := range pfds {
		fd := gfds[k]
		// POLL* bits are the same on every Linux host.
		for i, mask := range [...]int16{pollInSet, pollOutSet, pollExSet} {
			if isSet(i, fd) && pf.Revents&mask != 0 {
				res[i][fd/64] |= 1 << (fd % 64)
				count++
			}
		}
	}
	for i := range res {
		if res[i] == nil {
			continue
		}
		raw := make([]byte, words*8)
		for w, v := range res[i] {
			le.PutUint64(raw[8*w:], v)
		}
		if e := c.copyOut(c.args.Pointer(1+i), raw); e != 0 {
			return 0, 0, e
		}
	}
	return count, left, 0
}
