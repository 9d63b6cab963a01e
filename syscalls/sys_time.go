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
	if clk := c.p.clock(); clk.Virtual() {
		if ns, ok := virtualTime(clk, id); ok {
			return 0, c.writeTimespec(c.args.Pointer(1), linux.Timespec{Sec: ns / 1e9, Nsec: ns % 1e9})
		}
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
		if clk := c.p.clock(); clk.Virtual() {
			ns := clk.Realtime()
			tv = unix.Timeval{Sec: ns / 1e9, Usec: ns % 1e9 / 1e3}
		} else if err := unix.Gettimeofday(&tv); err != nil {
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
	if clk := c.p.clock(); clk.Virtual() {
		ts = unix.NsecToTimespec(clk.Realtime())
	} else if err := unix.ClockGettime(unix.CLOCK_REALTIME, &ts); err != nil {
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
	rem, err := c.blockSleep(unix.CLOCK_MONOTONIC, 0, ts)
	if err == unix.EINTR {
		if addr := c.args.Pointer(1); addr != 0 {
			if e := c.writeTimespec(addr, rem); e != 0 {
				return 0, e
			}
		}
	}
	return 0, hostErrno(err)
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
	rem, err := c.blockSleep(id, hflags, ts)
	if err == unix.EINTR && hflags == 0 {
		if addr := c.args.Pointer(3); addr != 0 {
			if e := c.writeTimespec(addr, rem); e != 0 {
				return 0, e
			}
		}
	}
	return 0, hostErrno(err)
}

// Interval timers (getitimer, setitimer, alarm) are kept by gemu: a host
// itimer would signal gemu, not the guest. ITIMER_REAL counts wall-clock
// time; ITIMER_VIRTUAL and ITIMER_PROF count it too (gemu does not
// account the guest's CPU time separately). See itimer in state.go for
// what expiry does.

func timevalDuration(tv linux.Timeval) time.Duration {
	return time.Duration(tv.Sec)*time.Second + time.Duration(tv.Usec)*time.Microsecond
}

func durationTimeval(d time.Duration) linux.Timeval {
	if d <= 0 {
		return linux.Timeval{}
	}
	// Round up to the microsecond, as the kernel's ns_to_timeval of a
	// pending timer never shows 0 for a timer that has not fired.
	us := (d + time.Microsecond - 1) / time.Microsecond
	return linux.Timeval{Sec: int64(us / 1e6), Usec: int64(us % 1e6)}
}

// itimerValue returns timer which's current value.
//
// Preconditions: the Process lock is held.
func (p *Process) itimerValue(which int, now time.Time) linux.Itimerval {
	left, interval := p.sys.itimers[which].value(now)
	return linux.Itimerval{Interval: durationTimeval(interval), Value: durationTimeval(left)}
}

func sysGetitimer(c *call) (uint64, linux.Errno) {
	which := c.args.Int(0)
	if which < linux.ITIMER_REAL || which > linux.ITIMER_PROF {
		return 0, linux.EINVAL
	}
	c.p.mu.Lock()
	v := c.p.itimerValue(int(which), time.Now())
	c.p.mu.Unlock()
	var b [linux.SizeofItimerval]byte
	v.Encode(b[:])
	return 0, c.copyOut(c.args.Pointer(1), b[:])
}

func sysSetitimer(c *call) (uint64, linux.Errno) {
	which, newAddr, oldAddr := c.args.Int(0), c.args.Pointer(1), c.args.Pointer(2)
	var nv linux.Itimerval
	var b [linux.SizeofItimerval]byte
	if newAddr != 0 {
		if e := c.readMem(newAddr, b[:]); e != 0 {
			return 0, e
		}
		nv.Decode(b[:])
	}
	for _, tv := range [...]linux.Timeval{nv.Value, nv.Interval} {
		if tv.Sec < 0 || tv.Usec < 0 || tv.Usec >= 1e6 {
			return 0, linux.EINVAL
		}
	}
	if which < linux.ITIMER_REAL || which > linux.ITIMER_PROF {
		return 0, linux.EINVAL
	}
	now := time.Now()
	p := c.p
	p.mu.Lock()
	old := p.itimerValue(int(which), now)
	p.sys.itimers[which].set(now, timevalDuration(nv.Value), timevalDuration(nv.Interval))
	p.armItimerLocked(int(which), now)
	p.mu.Unlock()
	if oldAddr != 0 {
		old.Encode(b[:])
		return 0, c.copyOut(oldAddr, b[:])
	}
	return 0, 0
}

func sysAlarm(c *call) (uint64, linux.Errno) {
	secs := c.args.Uint(0)
	now := time.Now()
	p := c.p
	p.mu.Lock()
	left, _ := p.sys.itimers[linux.ITIMER_REAL].value(now)
	p.sys.itimers[linux.ITIMER_REAL].set(now, time.Duration(secs)*time.Second, 0)
	p.armItimerLocked(linux.ITIMER_REAL, now)
	p.mu.Unlock()
	// The seconds left, rounded to nearest, and at least 1 while pending.
	ret := uint64((left + time.Second/2) / time.Second)
	if left > 0 && ret == 0 {
		ret = 1
	}
	return ret, 0
}
