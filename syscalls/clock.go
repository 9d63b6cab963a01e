package syscalls

import (
	"io"
	"time"

	"golang.org/x/sys/unix"
)

// hostClocks is the Clock of a process without -icount: the host's
// CLOCK_REALTIME and CLOCK_MONOTONIC.
type hostClocks struct{}

func (hostClocks) Realtime() int64 { return time.Now().UnixNano() }

func (hostClocks) Monotonic() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return time.Now().UnixNano()
	}
	return ts.Nano()
}

func (hostClocks) Virtual() bool { return false }

// clock returns the guest's clock.
func (p *Process) clock() Clock {
	if p.cfg.Clock != nil {
		return p.cfg.Clock
	}
	return hostClocks{}
}

// sleepUntil sleeps on the host until clk reaches deadline (a caller
// without a Thread, which cannot park).
func sleepUntil(clk Clock, deadline int64) {
	if d := deadline - clk.Monotonic(); d > 0 {
		hostSleep(unix.CLOCK_MONOTONIC, 0, durationTS(time.Duration(d)))
	}
}

// random fills b for getrandom: from Config.Random (a seeded generator
// under -seed) or the host.
func (p *Process) random(b []byte, hflags int) (int, error) {
	if p.cfg.Random != nil {
		p.mu.Lock()
		defer p.mu.Unlock()
		return io.ReadFull(p.cfg.Random, b)
	}
	return retryEINTR(func() (int, error) { return unix.Getrandom(b, hflags) })
}

// virtualTime answers clock_gettime for a virtual clock: the realtime
// clocks from Realtime, every other clock (monotonic, boottime, the CPU
// time clocks) from Monotonic, so that nothing the guest reads depends on
// the host.
func virtualTime(clk Clock, id int32) (int64, bool) {
	switch id {
	case unix.CLOCK_REALTIME, unix.CLOCK_REALTIME_COARSE, unix.CLOCK_TAI, unix.CLOCK_REALTIME_ALARM:
		return clk.Realtime(), true
	case unix.CLOCK_MONOTONIC, unix.CLOCK_MONOTONIC_RAW, unix.CLOCK_MONOTONIC_COARSE,
		unix.CLOCK_BOOTTIME, unix.CLOCK_BOOTTIME_ALARM:
		return clk.Monotonic(), true
	case unix.CLOCK_PROCESS_CPUTIME_ID, unix.CLOCK_THREAD_CPUTIME_ID:
		return clk.Monotonic() - virtualMonoStart, true
	}
	if id < 0 { // CPU clocks of a pid or thread
		return clk.Monotonic() - virtualMonoStart, true
	}
	return 0, false
}

// virtualMonoStart is where a virtual monotonic clock starts (emu's).
const virtualMonoStart = int64(time.Second)
