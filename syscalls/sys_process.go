package syscalls

import (
	"math/bits"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
	"gemu/mmu"
)

// Process and thread identity, exit, thread-local storage, resource limits
// and usage, scheduling.

func sysExitGroup(c *call) (uint64, linux.Errno) {
	c.out = Outcome{Kind: ExitGroup, Status: int(c.args.Int(0)) & 0xff}
	return 0, 0
}

func sysArchPrctl(c *call) (uint64, linux.Errno) {
	code, addr := c.args.Int(0), c.args.Ulong(1)
	switch code {
	case linux.ARCH_SET_FS, linux.ARCH_SET_GS:
		if addr >= mmu.UserTop {
			return 0, linux.EPERM
		}
		if code == linux.ARCH_SET_FS {
			c.r.SetFSBase(addr)
		} else {
			c.r.SetGSBase(addr)
		}
		return 0, 0
	case linux.ARCH_GET_FS:
		return 0, c.writeU64(addr, c.r.FSBase())
	case linux.ARCH_GET_GS:
		return 0, c.writeU64(addr, c.r.GSBase())
	}
	return 0, linux.EINVAL
}

func sysSetTidAddress(c *call) (uint64, linux.Errno) {
	c.p.mu.Lock()
	c.t.clearChildTID = c.args.Pointer(0)
	c.p.mu.Unlock()
	return uint64(c.t.tid), 0
}

// sizeofRobustListHead is sizeof(struct robust_list_head) on x86-64.
const sizeofRobustListHead = 24

func sysSetRobustList(c *call) (uint64, linux.Errno) {
	if c.args.SizeT(1) != sizeofRobustListHead {
		return 0, linux.EINVAL
	}
	c.p.mu.Lock()
	c.t.robustHead, c.t.robustLen = c.args.Pointer(0), c.args.SizeT(1)
	c.p.mu.Unlock()
	return 0, 0
}

func sysGetRobustList(c *call) (uint64, linux.Errno) {
	pid, headAddr, lenAddr := c.args.PidT(0), c.args.Pointer(1), c.args.Pointer(2)
	if pid != 0 && int(pid) != c.t.tid {
		return 0, linux.ESRCH
	}
	c.p.mu.Lock()
	head := c.t.robustHead
	c.p.mu.Unlock()
	if e := c.writeU64(lenAddr, sizeofRobustListHead); e != 0 {
		return 0, e
	}
	return 0, c.writeU64(headAddr, head)
}

// sysRseq declines restartable sequences; glibc and others then run without.
func sysRseq(c *call) (uint64, linux.Errno) { return 0, linux.ENOSYS }

func sysGetpid(c *call) (uint64, linux.Errno)  { return uint64(c.p.pid), 0 }
func sysGettid(c *call) (uint64, linux.Errno)  { return uint64(c.t.tid), 0 }
func sysGetppid(c *call) (uint64, linux.Errno) { return uint64(c.p.ppid()), 0 }
func sysGetuid(c *call) (uint64, linux.Errno)  { return uint64(unix.Getuid()), 0 }
func sysGeteuid(c *call) (uint64, linux.Errno) { return uint64(unix.Geteuid()), 0 }
func sysGetgid(c *call) (uint64, linux.Errno)  { return uint64(unix.Getgid()), 0 }
func sysGetegid(c *call) (uint64, linux.Errno) { return uint64(unix.Getegid()), 0 }

// hostResources maps guest RLIMIT_* (the index) to the host's numbers,
// which differ on mips and sparc.
var hostResources = [linux.RLIM_NLIMITS]int{
	unix.RLIMIT_CPU, unix.RLIMIT_FSIZE, unix.RLIMIT_DATA, unix.RLIMIT_STACK,
	unix.RLIMIT_CORE, unix.RLIMIT_RSS, unix.RLIMIT_NPROC, unix.RLIMIT_NOFILE,
	unix.RLIMIT_MEMLOCK, unix.RLIMIT_AS, unix.RLIMIT_LOCKS, unix.RLIMIT_SIGPENDING,
	unix.RLIMIT_MSGQUEUE, unix.RLIMIT_NICE, unix.RLIMIT_RTPRIO, unix.RLIMIT_RTTIME,
}

// initRlimits starts the guest with the host's limits. They are the
// guest's own from then on: setrlimit changes gemu's table, never gemu's
// host limits (an RLIMIT_AS or RLIMIT_STACK meant for the guest would
// constrain the emulator). gemu enforces RLIMIT_NOFILE on guest fds.
func (p *Process) initRlimits() {
	for r := range p.rlimits {
		var rl unix.Rlimit
		if err := unix.Getrlimit(hostResources[r], &rl); err != nil {
			p.rlimits[r] = linux.Rlimit{Cur: linux.RLIM_INFINITY, Max: linux.RLIM_INFINITY}
			continue
		}
		p.rlimits[r] = linux.Rlimit{Cur: uint64(rl.Cur), Max: uint64(rl.Max)}
	}
}

// nrOpen is fs.nr_open, the ceiling of RLIMIT_NOFILE.
func nrOpen() uint64 {
	fd, err := unix.Open("/proc/sys/fs/nr_open", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 1 << 20
	}
	defer unix.Close(fd)
	var b [32]byte
	n, _ := unix.Read(fd, b[:])
	v := uint64(0)
	for _, ch := range b[:max(n, 0)] {
		if ch < '0' || ch > '9' {
			break
		}
		v = v*10 + uint64(ch-'0')
	}
	if v == 0 {
		return 1 << 20
	}
	return v
}

// prlimit is do_prlimit for the calling process.
func (c *call) prlimit(res uint32, newAddr, oldAddr uint64) (uint64, linux.Errno) {
	var nl linux.Rlimit
	var buf [linux.SizeofRlimit]byte
	if newAddr != 0 {
		if e := c.readMem(newAddr, buf[:]); e != 0 {
			return 0, e
		}
		nl.Decode(buf[:])
	}
	if res >= linux.RLIM_NLIMITS {
		return 0, linux.EINVAL
	}
	if newAddr != 0 {
		if nl.Cur > nl.Max {
			return 0, linux.EINVAL
		}
		if res == linux.RLIMIT_NOFILE && nl.Max > nrOpen() {
			return 0, linux.EPERM
		}
	}
	p := c.p
	p.mu.Lock()
	old := p.rlimits[res]
	if newAddr != 0 {
		// Raising a hard limit needs CAP_SYS_RESOURCE; root stands in for it.
		if nl.Max > old.Max && unix.Geteuid() != 0 {
			p.mu.Unlock()
			return 0, linux.EPERM
		}
		p.rlimits[res] = nl
	}
	p.mu.Unlock()
	if oldAddr != 0 {
		old.Encode(buf[:])
		return 0, c.copyOut(oldAddr, buf[:])
	}
	return 0, 0
}

func sysPrlimit64(c *call) (uint64, linux.Errno) {
	pid := c.args.PidT(0)
	if pid != 0 && int(pid) != c.p.pid && int(pid) != c.t.tid {
		return 0, linux.ESRCH // only the guest itself is visible
	}
	return c.prlimit(c.args.Uint(1), c.args.Pointer(2), c.args.Pointer(3))
}

// getrlimit and setrlimit always copy their struct: NULL is EFAULT.
func sysGetrlimit(c *call) (uint64, linux.Errno) {
	if c.args.Pointer(1) == 0 {
		if c.args.Uint(0) >= linux.RLIM_NLIMITS {
			return 0, linux.EINVAL
		}
		return 0, linux.EFAULT
	}
	return c.prlimit(c.args.Uint(0), 0, c.args.Pointer(1))
}

func sysSetrlimit(c *call) (uint64, linux.Errno) {
	if c.args.Pointer(1) == 0 {
		return 0, linux.EFAULT
	}
	return c.prlimit(c.args.Uint(0), c.args.Pointer(1), 0)
}

func sysGetrusage(c *call) (uint64, linux.Errno) {
	who, addr := c.args.Int(0), c.args.Pointer(1)
	var hwho int
	switch who {
	case linux.RUSAGE_SELF:
		hwho = unix.RUSAGE_SELF
	case linux.RUSAGE_CHILDREN:
		hwho = unix.RUSAGE_CHILDREN
	case linux.RUSAGE_THREAD:
		hwho = unix.RUSAGE_THREAD
	default:
		return 0, linux.EINVAL
	}
	var ru unix.Rusage
	if err := unix.Getrusage(hwho, &ru); err != nil {
		return 0, hostErrno(err)
	}
	g := linux.Rusage{
		Utime: linux.Timeval{Sec: int64(ru.Utime.Sec), Usec: int64(ru.Utime.Usec)},
		Stime: linux.Timeval{Sec: int64(ru.Stime.Sec), Usec: int64(ru.Stime.Usec)},
		Longs: [14]int64{
			int64(ru.Maxrss), int64(ru.Ixrss), int64(ru.Idrss), int64(ru.Isrss),
			int64(ru.Minflt), int64(ru.Majflt), int64(ru.Nswap), int64(ru.Inblock),
			int64(ru.Oublock), int64(ru.Msgsnd), int64(ru.Msgrcv), int64(ru.Nsignals),
			int64(ru.Nvcsw), int64(ru.Nivcsw),
		},
	}
	var b [linux.SizeofRusage]byte
	g.Encode(b[:])
	return 0, c.copyOut(addr, b[:])
}

func sysTimes(c *call) (uint64, linux.Errno) {
	var t unix.Tms
	ticks, err := unix.Times(&t)
	if err != nil {
		return 0, hostErrno(err)
	}
	if addr := c.args.Pointer(0); addr != 0 {
		g := linux.Tms{Utime: int64(t.Utime), Stime: int64(t.Stime), Cutime: int64(t.Cutime), Cstime: int64(t.Cstime)}
		var b [linux.SizeofTms]byte
		g.Encode(b[:])
		if e := c.copyOut(addr, b[:]); e != 0 {
			return 0, e
		}
	}
	return uint64(ticks), 0
}

func sysSchedYield(c *call) (uint64, linux.Errno) {
	if c.t.th != nil {
		c.t.th.Yield()
	} else {
		runtime.Gosched()
	}
	return 0, 0
}

// maxAffinityBytes bounds the host buffer of sched_getaffinity (65536 CPUs).
const maxAffinityBytes = 8192

func sysSchedGetaffinity(c *call) (uint64, linux.Errno) {
	pid, size, addr := c.args.PidT(0), c.args.Uint(1), c.args.Pointer(2)
	if pid != 0 && int(pid) != c.t.tid && int(pid) != c.p.pid {
		return 0, linux.ESRCH
	}
	// Linux checks len*8 >= nr_cpu_ids and len % sizeof(long) == 0; the
	// host does both when given the guest's length (clamped).
	if size%8 != 0 {
		return 0, linux.EINVAL
	}
	hlen := min(size, maxAffinityBytes)
	words := make([]uint, (hlen*8+bits.UintSize-1)/bits.UintSize)
	var wp unsafe.Pointer
	if len(words) > 0 {
		wp = unsafe.Pointer(&words[0])
	}
	r, _, errno := unix.RawSyscall(unix.SYS_SCHED_GETAFFINITY, 0, uintptr(hlen), uintptr(wp))
	if errno != 0 {
		return 0, hostErrno(errno)
	}
	n := int(r)
	out := make([]byte, n)
	for i := range n * 8 {
		if words[i/bits.UintSize]&(1<<(i%bits.UintSize)) != 0 {
			out[i/8] |= 1 << (i % 8)
		}
	}
	return uint64(n), c.copyOut(addr, out)
}
