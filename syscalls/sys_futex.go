package syscalls

import (
	"time"

	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
)

// futex for single-threaded guests: FUTEX_WAIT[_BITSET] checks the value
// (EAGAIN when it differs) and, with a timeout, sleeps it out (ETIMEDOUT),
// since no other thread can wake the caller; FUTEX_WAKE[_BITSET] wakes
// nobody. A wait with equal value and no timeout would block forever and
// returns ENOSYS until threads exist, as do the other operations.

func sysFutex(c *call) (uint64, linux.Errno) {
	uaddr, op, val, utime, val3 := c.args.Pointer(0), c.args.Int(1), c.args.Uint(2), c.args.Pointer(3), c.args.Uint(5)
	cmd := op & linux.FUTEX_CMD_MASK
	isWait := cmd == linux.FUTEX_WAIT || cmd == linux.FUTEX_WAIT_BITSET
	var timeout linux.Timespec
	if utime != 0 && isWait {
		var e linux.Errno
		if timeout, e = c.readTimespec(utime); e != 0 {
			return 0, e
		}
		if !timeout.Valid() {
			return 0, linux.EINVAL
		}
	}
	if op&linux.FUTEX_CLOCK_REALTIME != 0 && cmd != linux.FUTEX_WAIT_BITSET {
		return 0, linux.ENOSYS
	}
	bitset := uint32(linux.FUTEX_BITSET_MATCH_ANY)
	if cmd == linux.FUTEX_WAIT_BITSET || cmd == linux.FUTEX_WAKE_BITSET {
		bitset = val3
	}
	switch cmd {
	case linux.FUTEX_WAIT, linux.FUTEX_WAIT_BITSET:
		if bitset == 0 || uaddr%4 != 0 {
			return 0, linux.EINVAL
		}
		v, e := c.readU32(uaddr)
		if e != 0 {
			return 0, e
		}
		if v != val {
			return 0, linux.EAGAIN
		}
		if utime == 0 {
			return 0, linux.ENOSYS
		}
		d := tsDuration(timeout)
		if cmd == linux.FUTEX_WAIT_BITSET {
			// An absolute time on CLOCK_MONOTONIC, or CLOCK_REALTIME.
			clk := int32(unix.CLOCK_MONOTONIC)
			if op&linux.FUTEX_CLOCK_REALTIME != 0 {
				clk = unix.CLOCK_REALTIME
			}
			var now unix.Timespec
			if err := unix.ClockGettime(clk, &now); err != nil {
				return 0, hostErrno(err)
			}
			d -= time.Duration(now.Nano())
		}
		sleepFor(d)
		return 0, linux.ETIMEDOUT
	case linux.FUTEX_WAKE, linux.FUTEX_WAKE_BITSET:
		if bitset == 0 || uaddr%4 != 0 {
			return 0, linux.EINVAL
		}
		if !rangeOK(uaddr, 4) {
			return 0, linux.EFAULT
		}
		if op&linux.FUTEX_PRIVATE_FLAG == 0 {
			// A shared key pins the page: it must be mapped.
			if _, e := c.readU32(uaddr); e != 0 {
				return 0, e
			}
		}
		return 0, 0
	}
	return 0, linux.ENOSYS
}
