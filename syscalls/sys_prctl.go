package syscalls

import (
	"bytes"

	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
)

// prctl: the options ordinary programs use. Names, the parent-death
// signal, timer slack, the subreaper and no_new_privs flags are the
// guest's own (kept by gemu); dumpable, keepcaps and the capability
// bounding set are the host process's. Options that would change gemu
// itself in ways the guest cannot mean (seccomp filters) and unknown ones
// are EINVAL, as on a kernel without them.

func sysPrctl(c *call) (uint64, linux.Errno) {
	opt := c.args.Int(0)
	arg2 := c.args.Ulong(1)
	p := c.p
	switch opt {
	case linux.PR_SET_NAME:
		var buf [linux.TASK_COMM_LEN - 1]byte
		n := c.readPartial(arg2, buf[:])
		if i := bytes.IndexByte(buf[:n], 0); i >= 0 {
			n = i
		} else if n < len(buf) {
			return 0, linux.EFAULT
		}
		p.mu.Lock()
		p.sys.comm = string(buf[:n])
		p.mu.Unlock()
		return 0, 0
	case linux.PR_GET_NAME:
		var buf [linux.TASK_COMM_LEN]byte
		p.mu.Lock()
		copy(buf[:], p.commName())
		p.mu.Unlock()
		return 0, c.copyOut(arg2, buf[:])
	case linux.PR_SET_PDEATHSIG:
		if arg2 > uint64(linux.SIGRTMAX) {
			return 0, linux.EINVAL
		}
		p.mu.Lock()
		p.sys.pdeathsig = int32(arg2)
		p.mu.Unlock()
		return 0, 0
	case linux.PR_GET_PDEATHSIG:
		p.mu.Lock()
		v := p.sys.pdeathsig
		p.mu.Unlock()
		return 0, c.writeU32(arg2, uint32(v))
	case linux.PR_GET_DUMPABLE, linux.PR_GET_KEEPCAPS:
		v, err := unix.PrctlRetInt(int(opt), 0, 0, 0, 0)
		if err != nil {
			return 0, hostErrno(err)
		}
		return uint64(v), 0
	case linux.PR_SET_DUMPABLE:
		if arg2 > 1 {
			return 0, linux.EINVAL
		}
		return 0, hostErrno(unix.Prctl(unix.PR_SET_DUMPABLE, uintptr(arg2), 0, 0, 0))
	case linux.PR_SET_KEEPCAPS:
		return 0, hostErrno(unix.Prctl(unix.PR_SET_KEEPCAPS, uintptr(arg2), 0, 0, 0))
	case linux.PR_CAPBSET_READ:
		v, err := unix.PrctlRetInt(unix.PR_CAPBSET_READ, uintptr(arg2), 0, 0, 0)
		if err != nil {
			return 0, hostErrno(err)
		}
		return uint64(v), 0
	case linux.PR_GET_SECCOMP:
		return 0, 0
	case linux.PR_GET_TIMERSLACK:
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.sys.timerslack == 0 {
			return defaultTimerslack, 0
		}
		return p.sys.timerslack, 0
	case linux.PR_SET_TIMERSLACK:
		p.mu.Lock()
		p.sys.timerslack = arg2
		p.mu.Unlock()
		return 0, 0
	case linux.PR_SET_CHILD_SUBREAPER:
		p.mu.Lock()
		p.sys.subreaper = arg2 != 0
		p.mu.Unlock()
		return 0, 0
	case linux.PR_GET_CHILD_SUBREAPER:
		p.mu.Lock()
		v := p.sys.subreaper
		p.mu.Unlock()
		return 0, c.writeU32(arg2, b2u(v))
	case linux.PR_SET_NO_NEW_PRIVS:
		if arg2 != 1 || c.args[2]|c.args[3]|c.args[4] != 0 {
			return 0, linux.EINVAL
		}
		p.mu.Lock()
		p.sys.noNewPrivs = true
		p.mu.Unlock()
		return 0, 0
	case linux.PR_GET_NO_NEW_PRIVS:
		if arg2|c.args[2]|c.args[3]|c.args[4] != 0 {
			return 0, linux.EINVAL
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		return uint64(b2u(p.sys.noNewPrivs)), 0
	case linux.PR_SET_THP_DISABLE:
		if c.args[2]|c.args[3]|c.args[4] != 0 {
			return 0, linux.EINVAL
		}
		p.mu.Lock()
		p.sys.thpDisable = arg2 != 0
		p.mu.Unlock()
		return 0, 0
	case linux.PR_GET_THP_DISABLE:
		if arg2|c.args[2]|c.args[3]|c.args[4] != 0 {
			return 0, linux.EINVAL
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		return uint64(b2u(p.sys.thpDisable)), 0
	}
	return 0, linux.EINVAL
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}
