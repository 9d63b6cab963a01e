package syscalls

import (
	"bytes"
	"os"
	"testing"

	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
)

func TestExit(t *testing.T) {
	cases := []struct {
		nr     linux.Sysno
		arg    uint64
		kind   OutcomeKind
		status int
	}{
		{linux.SYS_EXIT, 3, ExitThread, 3},
		{linux.SYS_EXIT_GROUP, 256 + 7, ExitGroup, 7}, // only the low 8 bits survive
		{linux.SYS_EXIT_GROUP, neg(-1), ExitGroup, 255},
	}
	for _, c := range cases {
		e := newEnv(t)
		e.call(c.nr, c.arg)
		if e.out != (Outcome{Kind: c.kind, Status: c.status}) {
			t.Errorf("%v(%d): %+v", c.nr, c.arg, e.out)
		}
	}
}

func TestIdentity(t *testing.T) {
	e := newEnv(t)
	pid := uint64(os.Getpid())
	checks := []struct {
		nr   linux.Sysno
		want uint64
	}{
		{linux.SYS_GETPID, pid},
		{linux.SYS_GETTID, pid},
		{linux.SYS_GETPPID, uint64(os.Getppid())},
		{linux.SYS_GETUID, uint64(os.Getuid())},
		{linux.SYS_GETEUID, uint64(os.Geteuid())},
		{linux.SYS_GETGID, uint64(os.Getgid())},
		{linux.SYS_GETEGID, uint64(os.Getegid())},
		{linux.SYS_GETPGRP, uint64(unix.Getpgrp())},
	}
	for _, c := range checks {
		if got := e.ok(c.nr); got != c.want {
			t.Errorf("%v = %d, want %d", c.nr, got, c.want)
		}
	}
	if got := e.ok(linux.SYS_SET_TID_ADDRESS, scratch); got != pid {
		t.Errorf("set_tid_address = %d", got)
	}
	e.ok(linux.SYS_SET_ROBUST_LIST, scratch+64, 24)
	head, length := e.alloc(8), e.alloc(8)
	e.ok(linux.SYS_GET_ROBUST_LIST, 0, head, length)
	if e.u64(head) != scratch+64 || e.u64(length) != 24 {
		t.Errorf("get_robust_list %#x %d", e.u64(head), e.u64(length))
	}
	if got := e.errno(linux.SYS_RSEQ, scratch, 32, 0, 0); got != linux.ENOSYS {
		t.Errorf("rseq: %v", got)
	}
}

func TestArchPrctl(t *testing.T) {
	e := newEnv(t)
	e.ok(linux.SYS_ARCH_PRCTL, linux.ARCH_SET_FS, 0x7fff12340000)
	e.ok(linux.SYS_ARCH_PRCTL, linux.ARCH_SET_GS, 0x1000)
	if e.regs.fs != 0x7fff12340000 || e.regs.gs != 0x1000 {
		t.Errorf("fs %#x gs %#x", e.regs.fs, e.regs.gs)
	}
	out := e.alloc(8)
	e.ok(linux.SYS_ARCH_PRCTL, linux.ARCH_GET_FS, out)
	if e.u64(out) != 0x7fff12340000 {
		t.Errorf("ARCH_GET_FS %#x", e.u64(out))
	}
	e.ok(linux.SYS_ARCH_PRCTL, linux.ARCH_GET_GS, out)
	if e.u64(out) != 0x1000 {
		t.Errorf("ARCH_GET_GS %#x", e.u64(out))
	}
	if got := e.errno(linux.SYS_ARCH_PRCTL, linux.ARCH_SET_FS, 0x7ffffffff000); got != linux.EPERM {
		t.Errorf("FS at TASK_SIZE: %v", got)
	}
}

func TestRlimits(t *testing.T) {
	e := newEnv(t)
	var host unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_STACK, &host)
	buf := e.alloc(16)
	e.ok(linux.SYS_GETRLIMIT, linux.RLIMIT_STACK, buf)
	if e.u64(buf) != host.Cur || e.u64(buf+8) != host.Max {
		t.Errorf("RLIMIT_STACK %d %d, host %d %d", e.u64(buf), e.u64(buf+8), host.Cur, host.Max)
	}
	// prlimit64 returns the old value and installs the new one.
	nl, old := e.alloc(16), e.alloc(16)
	e.poke(nl, le.AppendUint64(le.AppendUint64(nil, 1<<20), host.Max))
	e.ok(linux.SYS_PRLIMIT64, 0, linux.RLIMIT_STACK, nl, old)
	if e.u64(old) != host.Cur {
		t.Errorf("old cur %d", e.u64(old))
	}
	e.ok(linux.SYS_PRLIMIT64, uint64(os.Getpid()), linux.RLIMIT_STACK, 0, old)
	if e.u64(old) != 1<<20 {
		t.Errorf("new cur %d", e.u64(old))
	}
	// The guest's limits are its own: the host's are untouched.
	var after unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_STACK, &after)
	if after != host {
		t.Errorf("host RLIMIT_STACK changed to %+v", after)
	}
	if got := e.errno(linux.SYS_PRLIMIT64, 1, linux.RLIMIT_STACK, 0, old); got != linux.ESRCH {
		t.Errorf("prlimit64 of another process: %v", got)
	}
	if got := e.errno(linux.SYS_SETRLIMIT, linux.RLIMIT_NOFILE, badAddr); got != linux.EFAULT {
		t.Errorf("setrlimit bad pointer: %v", got)
	}
}

func TestUsageAndInfo(t *testing.T) {
	e := newEnv(t)
	ru := e.alloc(linux.SizeofRusage)
	e.ok(linux.SYS_GETRUSAGE, linux.RUSAGE_SELF, ru)
	var g linux.Rusage
	g.Decode(e.peek(ru, linux.SizeofRusage))
	if g.Longs[0] <= 0 { // ru_maxrss of a running process
		t.Errorf("rusage %+v", g)
	}
	tms := e.alloc(linux.SizeofTms)
	if ticks := e.ok(linux.SYS_TIMES, tms); ticks == 0 {
		t.Error("times returned 0 ticks")
	}
	e.ok(linux.SYS_TIMES, 0)
	if got := e.errno(linux.SYS_TIMES, roPage); got != linux.EFAULT {
		t.Errorf("times into a read-only page: %v", got)
	}

	uts := e.alloc(linux.SizeofUtsname)
	e.ok(linux.SYS_UNAME, uts)
	var u linux.Utsname
	u.Decode(e.peek(uts, linux.SizeofUtsname))
	var hu unix.Utsname
	unix.Uname(&hu)
	if u.Machine != "x86_64" || u.Sysname != "Linux" || u.Release != unix.ByteSliceToString(hu.Release[:]) ||
		u.Nodename != unix.ByteSliceToString(hu.Nodename[:]) {
		t.Errorf("uname %+v", u)
	}

	si := e.alloc(linux.SizeofSysinfo)
	e.ok(linux.SYS_SYSINFO, si)
	var s linux.Sysinfo
	s.Decode(e.peek(si, linux.SizeofSysinfo))
	var hs unix.Sysinfo_t
	unix.Sysinfo(&hs)
	if s.Totalram != uint64(hs.Totalram) || s.MemUnit != hs.Unit || s.Uptime <= 0 {
		t.Errorf("sysinfo %+v, host totalram %d unit %d", s, hs.Totalram, hs.Unit)
	}

	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		t.Fatal(err)
	}
	mask := e.alloc(128)
	n := e.ok(linux.SYS_SCHED_GETAFFINITY, 0, 128, mask)
	b := e.peek(mask, int(n))
	count := 0
	for i := range int(n) * 8 {
		on := b[i/8]&(1<<(i%8)) != 0
		if on != set.IsSet(i) {
			t.Errorf("cpu %d: guest %v host %v", i, on, set.IsSet(i))
		}
		if on {
			count++
		}
	}
	if count != set.Count() {
		t.Errorf("%d cpus, host %d", count, set.Count())
	}
	if got := e.errno(linux.SYS_SCHED_GETAFFINITY, 1, 128, mask); got != linux.ESRCH {
		t.Errorf("affinity of another pid: %v", got)
	}
	e.ok(linux.SYS_SCHED_YIELD)

	rnd := e.ok(linux.SYS_MMAP, 0, 3<<20, linux.PROT_READ|linux.PROT_WRITE, linux.MAP_PRIVATE|linux.MAP_ANONYMOUS, neg(-1), 0)
	if n := e.ok(linux.SYS_GETRANDOM, rnd, 64, linux.GRND_NONBLOCK); n != 64 || bytes.Equal(e.peek(rnd, 64), make([]byte, 64)) {
		t.Errorf("getrandom %d", n)
	}
	if n := e.ok(linux.SYS_GETRANDOM, rnd, 3<<20, 0); n != 3<<20 {
		t.Errorf("large getrandom %d", n)
	}
}

func TestClocks(t *testing.T) {
	e := newEnv(t)
	ts := e.alloc(16)
	var before, after unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &before)
	e.ok(linux.SYS_CLOCK_GETTIME, linux.CLOCK_MONOTONIC, ts)
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &after)
	var g linux.Timespec
	g.Decode(e.peek(ts, 16))
	if g.Sec*1e9+g.Nsec < before.Nano() || g.Sec*1e9+g.Nsec > after.Nano() {
		t.Errorf("CLOCK_MONOTONIC %+v not within [%d, %d]", g, before.Nano(), after.Nano())
	}
	e.ok(linux.SYS_CLOCK_GETRES, linux.CLOCK_REALTIME, ts)
	var hres unix.Timespec
	unix.ClockGetres(unix.CLOCK_REALTIME, &hres)
	if g.Decode(e.peek(ts, 16)); g.Sec != hres.Sec || g.Nsec != hres.Nsec {
		t.Errorf("clock_getres %+v, host %+v", g, hres)
	}
	tv, tz := e.alloc(16), e.alloc(8)
	e.ok(linux.SYS_GETTIMEOFDAY, tv, tz)
	var hv unix.Timeval
	unix.Gettimeofday(&hv)
	if sec := int64(e.u64(tv)); sec > hv.Sec || sec < hv.Sec-5 {
		t.Errorf("gettimeofday %d, host %d", sec, hv.Sec)
	}
	tl := e.alloc(8)
	now := int64(e.ok(linux.SYS_TIME, tl))
	if int64(e.u64(tl)) != now || now < hv.Sec {
		t.Errorf("time %d / %d", now, e.u64(tl))
	}
	req := e.alloc(16)
	e.poke(req, le.AppendUint64(le.AppendUint64(nil, 0), 1000))
	e.ok(linux.SYS_NANOSLEEP, req, 0)
	e.ok(linux.SYS_CLOCK_NANOSLEEP, linux.CLOCK_MONOTONIC, 0, req, 0)
	// An absolute time in the past returns at once.
	e.ok(linux.SYS_CLOCK_NANOSLEEP, linux.CLOCK_REALTIME, linux.TIMER_ABSTIME, req, 0)
}

func TestFutexTimeout(t *testing.T) {
	e := newEnv(t)
	word := e.alloc(4)
	e.poke(word, []byte{9, 0, 0, 0})
	// FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC time: 1 s after boot is past.
	abs := e.alloc(16)
	e.poke(abs, le.AppendUint64(le.AppendUint64(nil, 1), 0))
	if got := e.errno(linux.SYS_FUTEX, word, linux.FUTEX_WAIT_BITSET|linux.FUTEX_PRIVATE_FLAG, 9, abs, 0, linux.FUTEX_BITSET_MATCH_ANY); got != linux.ETIMEDOUT {
		t.Errorf("WAIT_BITSET with a past deadline: %v", got)
	}
	if got := e.errno(linux.SYS_FUTEX, word, linux.FUTEX_WAIT_BITSET|linux.FUTEX_CLOCK_REALTIME, 9, abs, 0, 1); got != linux.ETIMEDOUT {
		t.Errorf("WAIT_BITSET realtime: %v", got)
	}
	if got := e.errno(linux.SYS_FUTEX, word, linux.FUTEX_WAIT|linux.FUTEX_PRIVATE_FLAG, 9, 0, 0, 0); got != linux.ENOSYS {
		t.Errorf("untimed wait that would block forever: %v", got)
	}
	if got := e.ok(linux.SYS_FUTEX, word, linux.FUTEX_WAKE_BITSET|linux.FUTEX_PRIVATE_FLAG, 1, 0, 0, 3); got != 0 {
		t.Errorf("wake woke %d", got)
	}
}
