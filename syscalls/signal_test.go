package syscalls

import (
	"testing"

	"gemu/internal/abi/linux"
)

// setAction installs a disposition for sig.
func (e *env) setAction(sig linux.Signal, handler, flags, mask uint64) {
	e.t.Helper()
	a := linux.SigAction{Handler: handler, Flags: flags, Mask: mask}
	var b [linux.SizeofSigAction]byte
	a.Encode(b[:])
	addr := e.alloc(len(b))
	e.poke(addr, b[:])
	e.ok(linux.SYS_RT_SIGACTION, uint64(sig), addr, 0, 8)
}

func (e *env) sigmask(how int, set uint64) uint64 {
	e.t.Helper()
	old := e.alloc(8)
	var setAddr uint64
	if how >= 0 {
		setAddr = e.alloc(8)
		e.poke(setAddr, le.AppendUint64(nil, set))
	} else {
		how = 0
	}
	e.ok(linux.SYS_RT_SIGPROCMASK, uint64(how), setAddr, old, 8)
	return e.u64(old)
}

func TestSigactionRoundTrip(t *testing.T) {
	e := newEnv(t)
	e.setAction(linux.SIGUSR1, 0x401000, linux.SA_SIGINFO|linux.SA_RESTORER|linux.SA_RESTART, linux.SigMask(linux.SIGUSR2))
	old := e.alloc(linux.SizeofSigAction)
	e.setAction(linux.SIGUSR1, linux.SIG_DFL, 0, 0)
	e.ok(linux.SYS_RT_SIGACTION, uint64(linux.SIGUSR1), 0, old, 8)
	var a linux.SigAction
	a.Decode(e.peek(old, linux.SizeofSigAction))
	if a != (linux.SigAction{}) {
		t.Errorf("SIG_DFL read back as %+v", a)
	}
	// The old action comes back while a new one is set.
	e.setAction(linux.SIGUSR1, 0x401000, linux.SA_SIGINFO, 0)
	na := e.alloc(linux.SizeofSigAction)
	e.ok(linux.SYS_RT_SIGACTION, uint64(linux.SIGUSR1), na, old, 8)
	a.Decode(e.peek(old, linux.SizeofSigAction))
	if a.Handler != 0x401000 || a.Flags != linux.SA_SIGINFO {
		t.Errorf("old action %+v", a)
	}
}

func TestKillSelf(t *testing.T) {
	pid := func(e *env) uint64 { return uint64(e.p.Pid()) }
	t.Run("default terminates", func(t *testing.T) {
		e := newEnv(t)
		e.ok(linux.SYS_KILL, pid(e), uint64(linux.SIGTERM))
		if e.out != (Outcome{Kind: Killed, Signal: linux.SIGTERM}) {
			t.Errorf("outcome %+v", e.out)
		}
	})
	t.Run("default dumps core", func(t *testing.T) {
		e := newEnv(t)
		e.ok(linux.SYS_TGKILL, pid(e), pid(e), uint64(linux.SIGABRT))
		if e.out != (Outcome{Kind: Killed, Signal: linux.SIGABRT, Core: true}) {
			t.Errorf("outcome %+v", e.out)
		}
	})
	t.Run("default ignores", func(t *testing.T) {
		e := newEnv(t)
		e.ok(linux.SYS_TKILL, pid(e), uint64(linux.SIGCHLD))
		e.ok(linux.SYS_KILL, 0, uint64(linux.SIGWINCH))
		if e.out.Kind != Continue {
			t.Errorf("outcome %+v", e.out)
		}
	})
	t.Run("SIG_IGN", func(t *testing.T) {
		e := newEnv(t)
		e.setAction(linux.SIGTERM, linux.SIG_IGN, 0, 0)
		e.ok(linux.SYS_KILL, pid(e), uint64(linux.SIGTERM))
		if e.out.Kind != Continue {
			t.Errorf("outcome %+v", e.out)
		}
	})
	t.Run("SIGKILL cannot be blocked", func(t *testing.T) {
		e := newEnv(t)
		e.sigmask(linux.SIG_BLOCK, ^uint64(0))
		e.ok(linux.SYS_KILL, pid(e), uint64(linux.SIGKILL))
		if e.out != (Outcome{Kind: Killed, Signal: linux.SIGKILL}) {
			t.Errorf("outcome %+v", e.out)
		}
	})
	t.Run("blocked then unblocked", func(t *testing.T) {
		e := newEnv(t)
		e.sigmask(linux.SIG_BLOCK, linux.SigMask(linux.SIGUSR1))
		e.ok(linux.SYS_KILL, pid(e), uint64(linux.SIGUSR1))
		if e.out.Kind != Continue {
			t.Fatalf("blocked signal delivered: %+v", e.out)
		}
		pend := e.alloc(8)
		e.ok(linux.SYS_RT_SIGPENDING, pend, 8)
		if e.u64(pend) != linux.SigMask(linux.SIGUSR1) {
			t.Errorf("pending %#x", e.u64(pend))
		}
		if old := e.sigmask(linux.SIG_UNBLOCK, linux.SigMask(linux.SIGUSR1)); old != linux.SigMask(linux.SIGUSR1) {
			t.Errorf("old mask %#x", old)
		}
		if e.out != (Outcome{Kind: Killed, Signal: linux.SIGUSR1}) {
			t.Errorf("outcome after unblocking %+v", e.out)
		}
	})
	t.Run("ignoring discards a pending signal", func(t *testing.T) {
		e := newEnv(t)
		e.sigmask(linux.SIG_BLOCK, linux.SigMask(linux.SIGUSR2))
		e.ok(linux.SYS_KILL, pid(e), uint64(linux.SIGUSR2))
		e.setAction(linux.SIGUSR2, linux.SIG_IGN, 0, 0)
		e.sigmask(linux.SIG_SETMASK, 0)
		if e.out.Kind != Continue {
			t.Errorf("outcome %+v", e.out)
		}
	})
	t.Run("another process", func(t *testing.T) {
		e := newEnv(t)
		if got := e.errno(linux.SYS_KILL, 0x7ffffff0, 0); got != linux.ESRCH {
			t.Errorf("kill of a missing pid: %v", got)
		}
	})
}

func TestSigaltstack(t *testing.T) {
	e := newEnv(t)
	ss, old := e.alloc(linux.SizeofStack), e.alloc(linux.SizeofStack)
	put := func(sp uint64, flags uint32, size uint64) {
		s := linux.Stack{Sp: sp, Flags: flags, Size: size}
		var b [linux.SizeofStack]byte
		s.Encode(b[:])
		e.poke(ss, b[:])
	}
	get := func() linux.Stack {
		var s linux.Stack
		s.Decode(e.peek(old, linux.SizeofStack))
		return s
	}
	put(0x500000, 0, 0x4000)
	e.ok(linux.SYS_SIGALTSTACK, ss, 0)
	e.regs.r[RSP] = 0x7ffe0000
	e.ok(linux.SYS_SIGALTSTACK, 0, old)
	if s := get(); s != (linux.Stack{Sp: 0x500000, Size: 0x4000}) {
		t.Errorf("stack %+v", s)
	}
	// Running on the alternate stack: reported, and changes are refused.
	e.regs.r[RSP] = 0x502000
	if got := e.errno(linux.SYS_SIGALTSTACK, ss, old); got != linux.EPERM {
		t.Errorf("change while on the stack: %v", got)
	}
	e.ok(linux.SYS_SIGALTSTACK, 0, old)
	if s := get(); s.Flags != linux.SS_ONSTACK {
		t.Errorf("flags %#x, want SS_ONSTACK", s.Flags)
	}
	e.regs.r[RSP] = 0x7ffe0000
	put(0, linux.SS_DISABLE, 0)
	e.ok(linux.SYS_SIGALTSTACK, ss, 0)
	e.ok(linux.SYS_SIGALTSTACK, 0, old)
	if s := get(); s != (linux.Stack{Flags: linux.SS_DISABLE}) {
		t.Errorf("disabled stack %+v", s)
	}
	if got := e.errno(linux.SYS_SIGALTSTACK, badAddr, 0); got != linux.EFAULT {
		t.Errorf("bad pointer: %v", got)
	}
}
