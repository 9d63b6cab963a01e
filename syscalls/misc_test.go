package syscalls

import (
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
	"gemu/mmu"
)

func TestItimers(t *testing.T) {
	e := newEnv(t)
	val := func(interval, value int64) uint64 {
		v := linux.Itimerval{Interval: linux.Timeval{Sec: interval}, Value: linux.Timeval{Sec: value}}
		b := make([]byte, linux.SizeofItimerval)
		v.Encode(b)
		a := e.alloc(len(b))
		e.poke(a, b)
		return a
	}
	old := e.alloc(linux.SizeofItimerval)
	e.ok(linux.SYS_SETITIMER, linux.ITIMER_REAL, val(2, 100), old)
	var o linux.Itimerval
	o.Decode(e.peek(old, linux.SizeofItimerval))
	if o != (linux.Itimerval{}) {
		t.Errorf("old value of a disarmed timer: %+v", o)
	}
	e.ok(linux.SYS_GETITIMER, linux.ITIMER_REAL, old)
	o.Decode(e.peek(old, linux.SizeofItimerval))
	if o.Interval.Sec != 2 || o.Value.Sec != 99 || o.Value.Usec == 0 {
		t.Errorf("getitimer %+v, want 99.x s left of 100", o)
	}
	// alarm replaces ITIMER_REAL and returns the seconds left, rounded.
	if left := e.ok(linux.SYS_ALARM, 5); left != 100 {
		t.Errorf("alarm returned %d, want 100", left)
	}
	if left := e.ok(linux.SYS_ALARM, 0); left != 5 {
		t.Errorf("alarm(0) returned %d, want 5", left)
	}
	e.ok(linux.SYS_GETITIMER, linux.ITIMER_REAL, old)
	o.Decode(e.peek(old, linux.SizeofItimerval))
	if o != (linux.Itimerval{}) {
		t.Errorf("after alarm(0): %+v", o)
	}
	bad := e.alloc(linux.SizeofItimerval)
	e.poke(bad+24, []byte{0x40, 0x42, 0x0f, 0}) // it_value.tv_usec = 1e6
	if got := e.errno(linux.SYS_SETITIMER, linux.ITIMER_REAL, bad, 0); got != linux.EINVAL {
		t.Errorf("usec 1e6: %v", got.Name())
	}
	if got := e.errno(linux.SYS_GETITIMER, 3, old); got != linux.EINVAL {
		t.Errorf("which 3: %v", got.Name())
	}
}

func TestPrctlPersonality(t *testing.T) {
	e := newEnvCfg(t, Config{Exe: "/usr/bin/true"})
	name := e.alloc(16)
	e.ok(linux.SYS_PRCTL, linux.PR_GET_NAME, name)
	if got := linux.CString(e.peek(name, 16)); got != "true" {
		t.Errorf("PR_GET_NAME %q", got)
	}
	e.ok(linux.SYS_PRCTL, linux.PR_SET_PDEATHSIG, uint64(linux.SIGTERM))
	e.ok(linux.SYS_PRCTL, linux.PR_GET_PDEATHSIG, name)
	if e.u32(name) != uint32(linux.SIGTERM) {
		t.Errorf("PR_GET_PDEATHSIG %d", e.u32(name))
	}
	if got := e.errno(linux.SYS_PRCTL, linux.PR_SET_PDEATHSIG, 65); got != linux.EINVAL {
		t.Errorf("pdeathsig 65: %v", got.Name())
	}
	if v := e.ok(linux.SYS_PRCTL, linux.PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0); v != 0 {
		t.Errorf("no_new_privs %d", v)
	}
	e.ok(linux.SYS_PRCTL, linux.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
	if v := e.ok(linux.SYS_PRCTL, linux.PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0); v != 1 {
		t.Errorf("no_new_privs after set: %d", v)
	}
	if v := e.ok(linux.SYS_PRCTL, linux.PR_GET_TIMERSLACK); v != 50000 {
		t.Errorf("timer slack %d", v)
	}
	if got := e.errno(linux.SYS_PRCTL, 0x7fffffff); got != linux.EINVAL {
		t.Errorf("unknown option: %v", got.Name())
	}
	if v := e.ok(linux.SYS_PERSONALITY, 0xffffffff); v != 0 {
		t.Errorf("personality query %#x", v)
	}
	if v := e.ok(linux.SYS_PERSONALITY, linux.ADDR_NO_RANDOMIZE); v != 0 {
		t.Errorf("personality set returned %#x", v)
	}
	if v := e.ok(linux.SYS_PERSONALITY, 0xffffffff); v != linux.ADDR_NO_RANDOMIZE {
		t.Errorf("personality now %#x", v)
	}
}

// TestIdentity compares the id calls with the host's answers.
func TestIdentityCalls(t *testing.T) {
	e := newEnv(t)
	ids := e.alloc(12)
	e.ok(linux.SYS_GETRESUID, ids, ids+4, ids+8)
	r, ef, s := unix.Getresuid()
	if e.u32(ids) != uint32(r) || e.u32(ids+4) != uint32(ef) || e.u32(ids+8) != uint32(s) {
		t.Errorf("getresuid %d %d %d", e.u32(ids), e.u32(ids+4), e.u32(ids+8))
	}
	gids, _ := unix.Getgroups()
	if n := e.ok(linux.SYS_GETGROUPS, 0, 0); n != uint64(len(gids)) {
		t.Errorf("getgroups(0) %d, host %d", n, len(gids))
	}
	if len(gids) > 0 {
		if got := e.errno(linux.SYS_GETGROUPS, uint64(len(gids)-1), e.alloc(4*len(gids))); got != linux.EINVAL {
			t.Errorf("getgroups too small: %v", got.Name())
		}
	}
	// Setting the ids to what they are changes nothing.
	e.ok(linux.SYS_SETRESUID, ^uint64(0), ^uint64(0), ^uint64(0))
	if got := e.errno(linux.SYS_SETGROUPS, 70000, 0); got != linux.EINVAL && got != linux.EPERM {
		t.Errorf("setgroups(70000): %v", got.Name())
	}
	if os.Geteuid() == 0 {
		if got := e.errno(linux.SYS_SETGROUPS, 1, badAddr); got != linux.EFAULT {
			t.Errorf("setgroups bad list as root: %v", got.Name())
		}
	}
}

func TestSchedAndPriority(t *testing.T) {
	e := newEnv(t)
	if pol := e.ok(linux.SYS_SCHED_GETSCHEDULER, 0); pol != linux.SCHED_OTHER {
		t.Errorf("policy %d", pol)
	}
	param := e.alloc(4)
	e.ok(linux.SYS_SCHED_GETPARAM, uint64(e.p.Pid()), param)
	if e.u32(param) != 0 {
		t.Errorf("priority %d", e.u32(param))
	}
	if got := e.errno(linux.SYS_SCHED_GETPARAM, 0, 0); got != linux.EINVAL {
		t.Errorf("NULL param: %v", got.Name())
	}
	if max := e.ok(linux.SYS_SCHED_GET_PRIORITY_MAX, linux.SCHED_FIFO); max != 99 {
		t.Errorf("SCHED_FIFO max %d", max)
	}
	if got := e.errno(linux.SYS_SCHED_GET_PRIORITY_MAX, 77); got != linux.EINVAL {
		t.Errorf("bad policy: %v", got.Name())
	}
	host, _ := unix.Getpriority(unix.PRIO_PROCESS, 0)
	if p := e.ok(linux.SYS_GETPRIORITY, linux.PRIO_PROCESS, 0); p != uint64(host) {
		t.Errorf("getpriority %d, host %d", p, host)
	}
	mask := e.alloc(8)
	e.poke(mask, []byte{1})
	e.ok(linux.SYS_SCHED_SETAFFINITY, 0, 8, mask)
	e.poke(mask, []byte{0})
	if got := e.errno(linux.SYS_SCHED_SETAFFINITY, 0, 8, mask); got != linux.EINVAL {
		t.Errorf("empty affinity: %v", got.Name())
	}
	ts := e.alloc(16)
	e.ok(linux.SYS_SCHED_RR_GET_INTERVAL, 0, ts)
	attr := e.alloc(64)
	e.ok(linux.SYS_SCHED_GETATTR, 0, attr, 64, 0)
	if size, pol := e.u32(attr), e.u32(attr+4); size != 56 || pol != linux.SCHED_OTHER {
		t.Errorf("sched_getattr: size %d policy %d", size, pol)
	}
	e.ok(linux.SYS_SCHED_SETATTR, 0, attr, 0)
	if got := e.errno(linux.SYS_SCHED_GETATTR, 0, attr, 47, 0); got != linux.EINVAL {
		t.Errorf("sched_getattr size 47: %v", got.Name())
	}
	e.poke(attr, []byte{60, 0, 0, 0})
	e.poke(attr+56, []byte{1})
	if got := e.errno(linux.SYS_SCHED_SETATTR, 0, attr, 0); got != linux.E2BIG || e.u32(attr) != 56 {
		t.Errorf("sched_setattr with an unknown field: %v, size now %d", got.Name(), e.u32(attr))
	}
}

func TestMincoreMlock(t *testing.T) {
	e := newEnv(t)
	vec := e.alloc(4)
	e.ok(linux.SYS_MINCORE, scratch, 3*mmu.PageSize+1, vec)
	if got := e.peek(vec, 4); got[0]&1 != 1 || got[3]&1 != 1 {
		t.Errorf("mincore vector % x", got)
	}
	for _, c := range []struct {
		name string
		nr   linux.Sysno
		args []uint64
		want linux.Errno
	}{
		{"mincore unaligned", linux.SYS_MINCORE, []uint64{scratch + 1, 10, vec}, linux.EINVAL},
		{"mincore unmapped", linux.SYS_MINCORE, []uint64{badAddr, 10, vec}, linux.ENOMEM},
		{"mlock unmapped", linux.SYS_MLOCK, []uint64{badAddr, 10}, linux.ENOMEM},
		{"mlock2 bad flags", linux.SYS_MLOCK2, []uint64{scratch, 10, 2}, linux.EINVAL},
		{"munlock unmapped", linux.SYS_MUNLOCK, []uint64{badAddr, 10}, linux.ENOMEM},
		{"mlockall 0", linux.SYS_MLOCKALL, []uint64{0}, linux.EINVAL},
		{"mlockall ONFAULT alone", linux.SYS_MLOCKALL, []uint64{linux.MCL_ONFAULT}, linux.EINVAL},
	} {
		if got := e.errno(c.nr, c.args...); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got.Name(), c.want.Name())
		}
	}
	e.ok(linux.SYS_MLOCK, scratch+10, 100)
	e.ok(linux.SYS_MUNLOCK, scratch, mmu.PageSize)
	e.ok(linux.SYS_MLOCKALL, linux.MCL_CURRENT|linux.MCL_FUTURE)
	e.ok(linux.SYS_MUNLOCKALL)
}

// TestItimerDelivers: ITIMER_REAL's expiry sends SIGALRM (blocked here, so
// it stays pending where rt_sigpending sees it).
func TestItimerDelivers(t *testing.T) {
	e := newEnv(t)
	set := e.alloc(8)
	e.poke(set, le.AppendUint64(nil, linux.SigMask(linux.SIGALRM)))
	e.ok(linux.SYS_RT_SIGPROCMASK, linux.SIG_BLOCK, set, 0, 8)
	v := linux.Itimerval{Value: linux.Timeval{Usec: 1000}}
	b := make([]byte, linux.SizeofItimerval)
	v.Encode(b)
	val := e.alloc(len(b))
	e.poke(val, b)
	e.ok(linux.SYS_SETITIMER, linux.ITIMER_REAL, val, 0)
	pending := e.alloc(8)
	for i := 0; ; i++ {
		e.ok(linux.SYS_RT_SIGPENDING, pending, 8)
		if e.u64(pending)&linux.SigMask(linux.SIGALRM) != 0 {
			break
		}
		if i == 1000 {
			t.Fatal("no SIGALRM pending 10 s after a 1 ms timer")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cur := e.alloc(linux.SizeofItimerval)
	e.ok(linux.SYS_GETITIMER, linux.ITIMER_REAL, cur)
	var o linux.Itimerval
	o.Decode(e.peek(cur, linux.SizeofItimerval))
	if o != (linux.Itimerval{}) {
		t.Errorf("a one-shot timer after expiry: %+v", o)
	}
}
