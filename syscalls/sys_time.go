package syscalls

import (
	"time"

	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
)

// Clocks and sleeps, answered from the host's clocks. Clock ids are the
// same numbers on every Linux architecture. Sleeps that the Go runtime's own
// signals interrupt are resumed: the guest sees no EINTR it did not cause.

// hostClock checks a guest clock id. fd-based dynamic clocks ((~fd << 3) | 3)
// would need the guest fd translated and are refused.
func hostClock(id int32) (int32, linux.Errno) {
	if id < 0 && id&7 == 3 {
		return 0, linux.EINVAL
	}
	return id, 0
}

func sysClockGettime(c *call) (uint64, linux.Errno) {
	id, e := hostClock(c.args.Int(0))
	if e != 0 {
		return 0, e
	}
	var ts unix.Timespec
	if err := unix.ClockGettime(id, &ts); err != nil {
		return 0, hostErrno(err)
	}
	return 0, c.writeTimespec(c.args.Pointer(1), linux.Timespec{Sec: int64(ts.Sec), Nsec: int64(ts.Nsec)})
}

func sysClockGetres(c *call) (uint64, linux.Errno) {
	id, e := hostClock(c.args.Int(0))
	if e != 0 {
		return 0, e
	}
	var ts unix.Timespec
	if err := unix.ClockGetres(id, &ts); err != nil {
		return 0, hostErrno(err)
	}
	if addr := c.args.Pointer(1); addr != 0 {
		return 0, c.writeTimespec(addr, linux.Timespec{Sec: int64(ts.Sec), Nsec: int64(ts.Nsec)})
	}
	return 0, 0
}

func sysGettimeofday(c *call) (uint64, linux.Errno) {
	tvAddr, tzAddr := c.args.Pointer(0), c.args.Pointer(1)
	if tvAddr != 0 {
		var tv unix.Timeval
		if err := unix.Gettimeofday(&tv); err != nil {
			return 0, hostErrno(err)
		}
		var b [linux.SizeofTimeval]byte
		g := linux.Timeval{Sec: int64(tv.Sec), Usec: int64(tv.Usec)}
		g.Encode(b[:])
		if e := c.copyOut(tvAddr, b[:]); e != 0 {
			return 0, e
		}
	}
	if tzAddr != 0 {
		// struct timezone {tz_minuteswest, tz_dsttime}: the kernel's sys_tz,
		// which gemu reports as UTC.
		var b [8]byte
		return 0, c.copyOut(tzAddr, b[:])
	}
	return 0, 0
}

func sysTime(c *call) (uint64, linux.Errno) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_REALTIME, &ts); err != nil {
		return 0, hostErrno(err)
	}
	if addr := c.args.Pointer(0); addr != 0 {
		if e := c.writeU64(addr, uint64(ts.Sec)); e != 0 {
			return 0, e
		}
	}
	return uint64(ts.Sec), 0
}

func sysNanosleep(c *call) (uint64, linux.Errno) {
	ts, e := c.readTimespec(c.args.Pointer(0))
	if e != 0 {
		return 0, e
	}
	if !ts.Valid() {
		return 0, linux.EINVAL
	}
	hostSleep(unix.CLOCK_MONOTONIC, 0, ts)
	return 0, 0
}

func sysClockNanosleep(c *call) (uint64, linux.Errno) {
	id, flags, reqAddr := c.args.Int(0), c.args.Int(1), c.args.Pointer(2)
	switch id {
	case linux.CLOCK_REALTIME, linux.CLOCK_MONOTONIC, linux.CLOCK_BOOTTIME, linux.CLOCK_TAI,
		linux.CLOCK_PROCESS_CPUTIME_ID, linux.CLOCK_REALTIME_ALARM, linux.CLOCK_BOOTTIME_ALARM:
	case linux.CLOCK_THREAD_CPUTIME_ID, linux.CLOCK_MONOTONIC_RAW, linux.CLOCK_REALTIME_COARSE, linux.CLOCK_MONOTONIC_COARSE:
		return 0, linux.EOPNOTSUPP // these clocks have no nsleep
	default:
		if id >= 0 || id&7 == 3 {
			return 0, linux.EINVAL
		}
		// Negative ids are CPU clocks of a pid or thread: the host's.
	}
	ts, e := c.readTimespec(reqAddr)
	if e != 0 {
		return 0, e
	}
	if !ts.Valid() {
		return 0, linux.EINVAL
	}
	hflags := 0
	if flags&linux.TIMER_ABSTIME != 0 {
		hflags = unix.TIMER_ABSTIME
	}
	return 0, hostErrno(hostSleep(id, hflags, ts))
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

// sleepFor sleeps for d (used by futex timeouts).
func sleepFor(d time.Duration) {
	if d > 0 {
		hostSleep(unix.CLOCK_MONOTONIC, 0, durationTS(d))
	}
}
