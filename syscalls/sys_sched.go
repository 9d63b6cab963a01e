package syscalls

import (
	"encoding/binary"
	"unsafe"

	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
)

// Priorities and scheduling. Policies and priorities go to the host (the
// policy and sched_param values are the same on every Linux): for the
// guest itself (pid 0, its pid or one of its thread ids) the host call
// names the calling host thread, other pids are host processes. gemu's
// scheduler does not honour guest priorities; affinity is validated and
// recorded nowhere, as one guest CPU runs at a time.

// hostPid maps a guest pid argument of the calls above: the guest's own
// ids become 0 (the caller); others pass unchanged.
func (c *call) hostPid(pid int32) int {
	if pid == 0 || int(pid) == c.p.pid || int(pid) == c.t.tid {
		return 0
	}
	return int(pid)
}

func sysGetpriority(c *call) (uint64, linux.Errno) {
	which, who := c.args.Int(0), c.args.Int(1)
	if which < linux.PRIO_PROCESS || which > linux.PRIO_USER {
		return 0, linux.EINVAL
	}
	if which == linux.PRIO_PROCESS {
		who = int32(c.hostPid(who))
	}
	// The raw call returns 20 - nice (1..40); libc converts.
	r, _, errno := unix.Syscall(unix.SYS_GETPRIORITY, uintptr(which), uintptr(who), 0)
	if errno != 0 {
		return 0, hostErrno(errno)
	}
	return uint64(r), 0
}

func sysSetpriority(c *call) (uint64, linux.Errno) {
	which, who, prio := c.args.Int(0), c.args.Int(1), c.args.Int(2)
	if which < linux.PRIO_PROCESS || which > linux.PRIO_USER {
		return 0, linux.EINVAL
	}
	if which == linux.PRIO_PROCESS {
		who = int32(c.hostPid(who))
	}
	return 0, hostErrno(unix.Setpriority(int(which), int(who), int(prio)))
}

func sysSchedGetscheduler(c *call) (uint64, linux.Errno) {
	pid := c.args.PidT(0)
	if pid < 0 {
		return 0, linux.EINVAL
	}
	r, _, errno := unix.Syscall(unix.SYS_SCHED_GETSCHEDULER, uintptr(c.hostPid(pid)), 0, 0)
	if errno != 0 {
		return 0, hostErrno(errno)
	}
	return uint64(r), 0
}

func sysSchedSetscheduler(c *call) (uint64, linux.Errno) {
	return c.schedSet(c.args.PidT(0), int(c.args.Int(1)), c.args.Pointer(2))
}

func sysSchedSetparam(c *call) (uint64, linux.Errno) {
	return c.schedSet(c.args.PidT(0), -1, c.args.Pointer(1))
}

// schedSet is sched_setscheduler (policy -1: sched_setparam).
func (c *call) schedSet(pid int32, policy int, paramAddr uint64) (uint64, linux.Errno) {
	if paramAddr == 0 || pid < 0 {
		return 0, linux.EINVAL
	}
	prio, e := c.readU32(paramAddr)
	if e != 0 {
		return 0, e
	}
	param := int32(prio)
	var errno unix.Errno
	if policy < 0 {
		_, _, errno = unix.Syscall(unix.SYS_SCHED_SETPARAM, uintptr(c.hostPid(pid)), uintptr(unsafe.Pointer(&param)), 0)
	} else {
		_, _, errno = unix.Syscall(unix.SYS_SCHED_SETSCHEDULER, uintptr(c.hostPid(pid)), uintptr(policy), uintptr(unsafe.Pointer(&param)))
	}
	return 0, hostErrno(errnoErr(errno))
}

func sysSchedGetparam(c *call) (uint64, linux.Errno) {
	pid, paramAddr := c.args.PidT(0), c.args.Pointer(1)
	if paramAddr == 0 || pid < 0 {
		return 0, linux.EINVAL
	}
	var param int32
	_, _, errno := unix.Syscall(unix.SYS_SCHED_GETPARAM, uintptr(c.hostPid(pid)), uintptr(unsafe.Pointer(&param)), 0)
	if errno != 0 {
		return 0, hostErrno(errno)
	}
	return 0, c.writeU32(paramAddr, uint32(param))
}

func sysSchedGetPriorityMax(c *call) (uint64, linux.Errno) {
	return c.schedPriority(unix.SYS_SCHED_GET_PRIORITY_MAX)
}

func sysSchedGetPriorityMin(c *call) (uint64, linux.Errno) {
	return c.schedPriority(unix.SYS_SCHED_GET_PRIORITY_MIN)
}

func (c *call) schedPriority(trap uintptr) (uint64, linux.Errno) {
	r, _, errno := unix.Syscall(trap, uintptr(c.args.Int(0)), 0, 0)
	if errno != 0 {
		return 0, hostErrno(errno)
	}
	return uint64(r), 0
}

func sysSchedRrGetInterval(c *call) (uint64, linux.Errno) {
	pid := c.args.PidT(0)
	if pid < 0 {
		return 0, linux.EINVAL
	}
	var ts unix.Timespec
	_, _, errno := unix.Syscall(unix.SYS_SCHED_RR_GET_INTERVAL, uintptr(c.hostPid(pid)), uintptr(unsafe.Pointer(&ts)), 0)
	if errno != 0 {
		return 0, hostErrno(errno)
	}
	return 0, c.writeTimespec(c.args.Pointer(1), linux.Timespec{Sec: int64(ts.Sec), Nsec: int64(ts.Nsec)})
}

func sysSchedSetaffinity(c *call) (uint64, linux.Errno) {
	pid, size, addr := c.args.PidT(0), c.args.Uint(1), c.args.Pointer(2)
	if pid != 0 && int(pid) != c.t.tid && int(pid) != c.p.pid {
		return 0, linux.ESRCH
	}
	mask, e := c.copyIn(addr, int(min(size, maxAffinityBytes)))
	if e != 0 {
		return 0, e
	}
	// The new mask must name a CPU the host lets gemu run on.
	var online unix.CPUSet
	if err := unix.SchedGetaffinity(0, &online); err != nil {
		return 0, hostErrno(err)
	}
	for i, b := range mask {
		for bit := range 8 {
			if b&(1<<bit) != 0 && online.IsSet(i*8+bit) {
				return 0, 0
			}
		}
	}
	return 0, linux.EINVAL
}

// struct sched_attr's fields as (offset, width); the layout is the same on
// every architecture, in the machine's byte order.
var schedAttrFields = []field{{0, 4}, {4, 4}, {8, 8}, {16, 4}, {20, 4}, {24, 8}, {32, 8}, {40, 8}, {48, 4}, {52, 4}}

// Sizes of struct sched_attr: the first version, and the one gemu knows.
const (
	schedAttrSizeVer0 = 48
	schedAttrSize     = 56
)

// convertSchedAttr rewrites the known fields of a sched_attr between byte
// orders.
func convertSchedAttr(b []byte, toHost bool) {
	for _, f := range schedAttrFields {
		if f.off+f.width > len(b) {
			break
		}
		var from, to binary.ByteOrder = le, ne
		if !toHost {
			from, to = ne, le
		}
		if f.width == 4 {
			to.PutUint32(b[f.off:], from.Uint32(b[f.off:]))
		} else {
			to.PutUint64(b[f.off:], from.Uint64(b[f.off:]))
		}
	}
}

func sysSchedGetattr(c *call) (uint64, linux.Errno) {
	pid, addr, size, flags := c.args.PidT(0), c.args.Pointer(1), c.args.Uint(2), c.args.Uint(3)
	if addr == 0 || pid < 0 || size > mmuPageSize || size < schedAttrSizeVer0 || flags != 0 {
		return 0, linux.EINVAL
	}
	b := make([]byte, min(size, schedAttrSize))
	_, _, errno := unix.Syscall6(unix.SYS_SCHED_GETATTR, uintptr(c.hostPid(pid)), uintptr(bptr(b)), uintptr(len(b)), 0, 0, 0)
	if errno != 0 {
		return 0, hostErrno(errno)
	}
	n := int(ne.Uint32(b)) // the size the kernel filled
	convertSchedAttr(b, false)
	return 0, c.copyOut(addr, b[:min(n, len(b))])
}

func sysSchedSetattr(c *call) (uint64, linux.Errno) {
	pid, addr, flags := c.args.PidT(0), c.args.Pointer(1), c.args.Uint(2)
	if addr == 0 || pid < 0 || flags != 0 {
		return 0, linux.EINVAL
	}
	size, e := c.readU32(addr)
	if e != 0 {
		return 0, e
	}
	if size == 0 {
		size = schedAttrSizeVer0
	}
	if size < schedAttrSizeVer0 || size > mmuPageSize {
		c.writeU32(addr, schedAttrSize) // the kernel reports the size it knows
		return 0, linux.E2BIG
	}
	b, e := c.copyIn(addr, int(size))
	if e != 0 {
		return 0, e
	}
	for _, x := range b[min(int(size), schedAttrSize):] {
		if x != 0 {
			c.writeU32(addr, schedAttrSize)
			return 0, linux.E2BIG
		}
	}
	b = b[:min(int(size), schedAttrSize)]
	convertSchedAttr(b, true)
	ne.PutUint32(b, uint32(len(b)))
	_, _, errno := unix.Syscall(unix.SYS_SCHED_SETATTR, uintptr(c.hostPid(pid)), uintptr(bptr(b)), 0)
	return 0, hostErrno(errnoErr(errno))
}
