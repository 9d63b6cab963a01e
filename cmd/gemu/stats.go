package main

import (
	"fmt"
	"io"
	"sort"
	"sync/atomic"
	"time"

	"gemu/emu"
	"gemu/internal/abi/linux"
	"gemu/syscalls"
	"golang.org/x/sys/unix"
)

// maxCountedSyscall bounds the syscall numbers -stats counts one by one;
// larger (invalid) numbers are counted together.
const maxCountedSyscall = 1024

// syscallCounts are the system calls of a run by number, shared by the
// statsOS of every guest process.
type syscallCounts [maxCountedSyscall + 1]atomic.Uint64

// statsOS counts the system calls of the OS it wraps, for -stats. It is
// only put in place when -stats is given, so that without it the run loop
// calls the OS directly.
type statsOS struct {
	emu.SignalOS
	counts *syscallCounts
}

// Syscall counts the call and performs it.
func (s *statsOS) Syscall(r syscalls.Regs) syscalls.Outcome {
	nr := r.Reg(syscalls.RAX)
	s.counts[min(nr, maxCountedSyscall)].Add(1)
	return s.SignalOS.Syscall(r)
}

// runStats is what -stats reports besides the machine's counters.
type runStats struct {
	start   time.Time
	cpu0    time.Duration
	counts  syscallCounts
	machine *emu.Machine
	events  func() uint64 // hypertrace events emitted, nil without a channel
}

// wrap returns os counting its system calls into the run's counts.
func (rs *runStats) wrap(os emu.SignalOS) emu.SignalOS {
	return &statsOS{SignalOS: os, counts: &rs.counts}
}

// startStats starts measuring a run.
func startStats() *runStats {
	return &runStats{start: time.Now(), cpu0: cpuTime()}
}

// cpuTime is the CPU time (user and system) gemu has used so far.
func cpuTime() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// print writes the report to w.
func (rs *runStats) print(w io.Writer) {
	wall := time.Since(rs.start)
	cpu := cpuTime() - rs.cpu0
	st := rs.machine.Stats()
	fmt.Fprintf(w, "gemu: stats:\n")
	fmt.Fprintf(w, "  instructions       %d\n", st.Instructions)
	fmt.Fprintf(w, "  blocks translated  %d\n", st.BlocksTranslated)
	fmt.Fprintf(w, "  cache hits         %d\n", st.CacheHits)
	fmt.Fprintf(w, "  blocks chained     %d\n", st.Chained)
	type named struct {
		name string
		n    uint64
	}
	var calls []named
	var total uint64
	for nr := range rs.counts {
		n := rs.counts[nr].Load()
		if n == 0 {
			continue
		}
		name := linux.Sysno(nr).Name()
		if nr == maxCountedSyscall || name == "" {
			name = fmt.Sprintf("syscall_%d", nr)
			if nr == maxCountedSyscall {
				name = "(invalid)"
			}
		}
		calls = append(calls, named{name, n})
		total += n
	}
	sort.Slice(calls, func(i, j int) bool {
		if calls[i].n != calls[j].n {
			return calls[i].n > calls[j].n
		}
		return calls[i].name < calls[j].name
	})
	fmt.Fprintf(w, "  syscalls           %d\n", total)
	for _, c := range calls {
		fmt.Fprintf(w, "    %-16s %d\n", c.name, c.n)
	}
	var events uint64
	if rs.events != nil {
		events = rs.events()
	}
	fmt.Fprintf(w, "  hypertrace events  %d\n", events)
	fmt.Fprintf(w, "  wall time          %.6f s\n", wall.Seconds())
	fmt.Fprintf(w, "  cpu time           %.6f s\n", cpu.Seconds())
	mips := 0.0
	if wall > 0 {
		mips = float64(st.Instructions) / wall.Seconds() / 1e6
	}
	fmt.Fprintf(w, "  MIPS               %.1f\n", mips)
}
