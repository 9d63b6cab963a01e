package syscalls

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"

	"gemu/internal/abi/linux"
	"gemu/mmu"
)

// TestEFAULT passes bad pointers to system calls that read or write guest
// memory: NULL, an unmapped address, a kernel address, read-only memory
// for the calls that write, and a range that starts mapped and runs into
// unmapped memory. Each must return EFAULT (as Linux does for these
// whole-structure copies), write nothing outside guest memory, and leave
// gemu running.
func TestEFAULT(t *testing.T) {
	e := newEnv(t)
	// One read-write page with nothing after it, for writes that cross
	// into unmapped memory (roPage, after scratch, ends in a hole too).
	const edge = 0x300000
	if _, err := e.mem.Map(mmu.Mapping{Addr: edge, Length: mmu.PageSize, Perm: mmu.PermRead | mmu.PermWrite, Fixed: true}); err != nil {
		t.Fatal(err)
	}
	const fdcwd = uint64(1<<64 - 100)
	dir := t.TempDir()
	file := e.open(filepath.Join(dir, "f"), linux.O_RDWR|linux.O_CREAT)
	e.ok(linux.SYS_WRITE, file, e.str("0123456789abcdef"), 16)
	path := e.str(filepath.Join(dir, "f"))
	pfds := e.alloc(8)
	e.ok(linux.SYS_PIPE2, pfds, 0)
	pr, pw := uint64(e.u32(pfds)), uint64(e.u32(pfds+4))
	e.ok(linux.SYS_WRITE, pw, e.str("data"), 4)
	sock := e.ok(linux.SYS_SOCKET, linux.AF_UNIX, linux.SOCK_DGRAM, 0)
	inet := e.ok(linux.SYS_SOCKET, linux.AF_INET, linux.SOCK_STREAM, 0)
	ep := e.ok(linux.SYS_EPOLL_CREATE1, 0)
	tfd := e.ok(linux.SYS_TIMERFD_CREATE, linux.CLOCK_MONOTONIC, 0)
	ino := e.ok(linux.SYS_INOTIFY_INIT1, 0)
	// Non-zero bytes up to the hole, so strings run into it.
	e.poke(edge, bytes.Repeat([]byte{'a'}, mmu.PageSize))
	good := e.alloc(4096) // a valid buffer for the other arguments
	intVal := e.alloc(8)
	e.poke(intVal, []byte{4, 0, 0, 0, 0, 0, 0, 0})

	type efaultCase struct {
		name string
		nr   linux.Sysno
		args func(p uint64) []uint64
		size uint64 // bytes the call copies at p
		// write: the call writes at p, so read-only memory faults too.
		write bool
		// nullOK: NULL means "not given" for this argument.
		nullOK bool
	}
	a := func(v ...uint64) []uint64 { return v }
	cases := []efaultCase{
		{"fstat", linux.SYS_FSTAT, func(p uint64) []uint64 { return a(file, p) }, linux.SizeofStat, true, false},
		{"stat-buf", linux.SYS_STAT, func(p uint64) []uint64 { return a(path, p) }, linux.SizeofStat, true, false},
		{"stat-path", linux.SYS_STAT, func(p uint64) []uint64 { return a(p, good) }, 4, false, false},
		{"newfstatat", linux.SYS_NEWFSTATAT, func(p uint64) []uint64 { return a(fdcwd, path, p, 0) }, linux.SizeofStat, true, false},
		{"statx", linux.SYS_STATX, func(p uint64) []uint64 { return a(fdcwd, path, 0, linux.STATX_BASIC_STATS, p) }, linux.SizeofStatx, true, false},
		{"statfs", linux.SYS_STATFS, func(p uint64) []uint64 { return a(path, p) }, linux.SizeofStatfs, true, false},
		{"fstatfs", linux.SYS_FSTATFS, func(p uint64) []uint64 { return a(file, p) }, linux.SizeofStatfs, true, false},
		{"uname", linux.SYS_UNAME, func(p uint64) []uint64 { return a(p) }, linux.SizeofUtsname, true, false},
		{"sysinfo", linux.SYS_SYSINFO, func(p uint64) []uint64 { return a(p) }, linux.SizeofSysinfo, true, false},
		{"getrusage", linux.SYS_GETRUSAGE, func(p uint64) []uint64 { return a(0, p) }, linux.SizeofRusage, true, false},
		{"clock_gettime", linux.SYS_CLOCK_GETTIME, func(p uint64) []uint64 { return a(linux.CLOCK_MONOTONIC, p) }, 16, true, false},
		{"gettimeofday", linux.SYS_GETTIMEOFDAY, func(p uint64) []uint64 { return a(p, 0) }, 16, true, true},
		{"nanosleep", linux.SYS_NANOSLEEP, func(p uint64) []uint64 { return a(p, 0) }, 16, false, false},
		{"clock_nanosleep", linux.SYS_CLOCK_NANOSLEEP, func(p uint64) []uint64 { return a(linux.CLOCK_MONOTONIC, 0, p, 0) }, 16, false, false},
		{"getrlimit", linux.SYS_GETRLIMIT, func(p uint64) []uint64 { return a(linux.RLIMIT_NOFILE, p) }, 16, true, false},
		{"prlimit64-new", linux.SYS_PRLIMIT64, func(p uint64) []uint64 { return a(0, linux.RLIMIT_NOFILE, p, 0) }, 16, false, true},
		{"pipe2", linux.SYS_PIPE2, func(p uint64) []uint64 { return a(p, 0) }, 8, true, false},
		{"socketpair", linux.SYS_SOCKETPAIR, func(p uint64) []uint64 { return a(linux.AF_UNIX, linux.SOCK_STREAM, 0, p) }, 8, true, false},
		{"openat-path", linux.SYS_OPENAT, func(p uint64) []uint64 { return a(fdcwd, p, 0, 0) }, 4, false, false},
		{"access", linux.SYS_ACCESS, func(p uint64) []uint64 { return a(p, 0) }, 4, false, false},
		{"mkdir", linux.SYS_MKDIR, func(p uint64) []uint64 { return a(p, 0o755) }, 4, false, false},
		{"readlink-buf", linux.SYS_READLINK, func(p uint64) []uint64 { return a(e.str("/proc/self/exe"), p, 8) }, 8, true, false},
		{"getcwd", linux.SYS_GETCWD, func(p uint64) []uint64 { return a(p, 4096) }, 2, true, false},
		{"rt_sigaction", linux.SYS_RT_SIGACTION, func(p uint64) []uint64 { return a(uint64(linux.SIGUSR1), p, 0, 8) }, linux.SizeofSigAction, false, true},
		{"rt_sigaction-old", linux.SYS_RT_SIGACTION, func(p uint64) []uint64 { return a(uint64(linux.SIGUSR1), 0, p, 8) }, linux.SizeofSigAction, true, true},
		{"rt_sigprocmask", linux.SYS_RT_SIGPROCMASK, func(p uint64) []uint64 { return a(linux.SIG_BLOCK, p, 0, 8) }, 8, false, true},
		{"sigaltstack", linux.SYS_SIGALTSTACK, func(p uint64) []uint64 { return a(p, 0) }, linux.SizeofStack, false, true},
		{"poll", linux.SYS_POLL, func(p uint64) []uint64 { return a(p, 1, 0) }, 8, false, false},
		{"select", linux.SYS_SELECT, func(p uint64) []uint64 { return a(1, p, 0, 0, 0) }, 8, false, true},
		{"epoll_ctl", linux.SYS_EPOLL_CTL, func(p uint64) []uint64 { return a(ep, linux.EPOLL_CTL_ADD, pr, p) }, 12, false, false},
		{"timerfd_settime", linux.SYS_TIMERFD_SETTIME, func(p uint64) []uint64 { return a(tfd, 0, p, 0) }, 32, false, false},
		{"timerfd_gettime", linux.SYS_TIMERFD_GETTIME, func(p uint64) []uint64 { return a(tfd, p) }, 32, true, false},
		{"sched_getaffinity", linux.SYS_SCHED_GETAFFINITY, func(p uint64) []uint64 { return a(0, 8, p) }, 8, true, false},
		{"bind", linux.SYS_BIND, func(p uint64) []uint64 { return a(inet, p, 16) }, 16, false, false},
		{"connect", linux.SYS_CONNECT, func(p uint64) []uint64 { return a(inet, p, 16) }, 16, false, false},
		{"getsockname-len", linux.SYS_GETSOCKNAME, func(p uint64) []uint64 { return a(inet, good, p) }, 4, false, false},
		{"setsockopt", linux.SYS_SETSOCKOPT, func(p uint64) []uint64 { return a(inet, linux.SOL_SOCKET, linux.SO_REUSEADDR, p, 4) }, 4, false, false},
		{"getsockopt-len", linux.SYS_GETSOCKOPT, func(p uint64) []uint64 { return a(inet, linux.SOL_SOCKET, linux.SO_TYPE, good, p) }, 4, false, false},
		{"getsockopt-val", linux.SYS_GETSOCKOPT, func(p uint64) []uint64 { return a(inet, linux.SOL_SOCKET, linux.SO_TYPE, p, intVal) }, 4, true, false},
		{"sendmsg", linux.SYS_SENDMSG, func(p uint64) []uint64 { return a(sock, p, 0) }, linux.SizeofMsghdr, false, false},
		{"recvmsg", linux.SYS_RECVMSG, func(p uint64) []uint64 { return a(sock, p, linux.MSG_DONTWAIT) }, linux.SizeofMsghdr, false, false},
		{"arch_prctl", linux.SYS_ARCH_PRCTL, func(p uint64) []uint64 { return a(linux.ARCH_GET_FS, p) }, 8, true, false},
		{"utimensat", linux.SYS_UTIMENSAT, func(p uint64) []uint64 { return a(fdcwd, path, p, 0) }, 32, false, true},
		{"read", linux.SYS_READ, func(p uint64) []uint64 { return a(pr, p, 1) }, 1, true, false},
		{"write", linux.SYS_WRITE, func(p uint64) []uint64 { return a(pw, p, 1) }, 1, false, false},
		{"readv", linux.SYS_READV, func(p uint64) []uint64 { return a(pr, p, 1) }, linux.SizeofIovec, false, false},
		{"memfd_create", linux.SYS_MEMFD_CREATE, func(p uint64) []uint64 { return a(p, 0) }, 4, false, false},
		{"inotify_add_watch", linux.SYS_INOTIFY_ADD_WATCH, func(p uint64) []uint64 { return a(ino, p, linux.IN_MODIFY) }, 4, false, false},
		{"ioctl-FIONREAD", linux.SYS_IOCTL, func(p uint64) []uint64 { return a(pr, linux.FIONREAD, p) }, 4, true, false},
		{"fcntl-F_GETLK", linux.SYS_FCNTL, func(p uint64) []uint64 { return a(file, linux.F_GETLK, p) }, linux.SizeofFlock, false, false},
		{"getitimer", linux.SYS_GETITIMER, func(p uint64) []uint64 { return a(linux.ITIMER_REAL, p) }, 32, true, false},
		{"setitimer", linux.SYS_SETITIMER, func(p uint64) []uint64 { return a(linux.ITIMER_REAL, p, 0) }, 32, false, true},
		{"getresuid", linux.SYS_GETRESUID, func(p uint64) []uint64 { return a(p, good, good) }, 4, true, false},
		{"mincore", linux.SYS_MINCORE, func(p uint64) []uint64 { return a(scratch, 4*mmu.PageSize, p) }, 4, true, false},
		{"prctl-PR_GET_NAME", linux.SYS_PRCTL, func(p uint64) []uint64 { return a(linux.PR_GET_NAME, p) }, 16, true, false},
		{"pselect6-timeout", linux.SYS_PSELECT6, func(p uint64) []uint64 { return a(0, 0, 0, 0, p, 0) }, 16, false, true},
		{"getrandom", linux.SYS_GETRANDOM, func(p uint64) []uint64 { return a(p, 1, 0) }, 1, true, false},
	}
	kinds := []struct {
		name  string
		ptr   func(size uint64) uint64
		write bool // only for calls that write
	}{
		{"NULL", func(uint64) uint64 { return 0 }, false},
		{"unmapped", func(uint64) uint64 { return badAddr }, false},
		{"kernel", func(uint64) uint64 { return kernelAddr }, false},
		{"read-only", func(uint64) uint64 { return roPage }, true},
		{"crossing", func(size uint64) uint64 {
			// Mapped for all but the last byte of the object.
			return edge + mmu.PageSize - size + 1
		}, false},
	}
	n := 0
	names := map[linux.Sysno]bool{}
	for _, c := range cases {
		for _, k := range kinds {
			if k.write && !c.write {
				continue
			}
			if k.name == "crossing" && c.size < 2 {
				continue // a one-byte object cannot straddle a page
			}
			if k.name == "NULL" && c.nullOK {
				continue
			}
			p := k.ptr(c.size)
			t.Run(fmt.Sprintf("%s/%s", c.name, k.name), func(t *testing.T) {
				e.poke(edge, bytes.Repeat([]byte{'a'}, mmu.PageSize))
				if got := e.errno(c.nr, c.args(p)...); got != linux.EFAULT {
					t.Errorf("%v = %v, want EFAULT", c.nr, got.Name())
				}
				if e.out.Kind != Continue {
					t.Errorf("outcome %+v", e.out)
				}
			})
			n++
			names[c.nr] = true
		}
	}
	if len(names) < 30 {
		t.Errorf("only %d system calls tested", len(names))
	}
	t.Logf("%d bad-pointer cases over %d system calls", n, len(names))
	// gemu is still up: ordinary calls work.
	if pid := e.ok(linux.SYS_GETPID); pid != uint64(e.p.Pid()) {
		t.Errorf("getpid after the bad pointers: %d", pid)
	}
	buf := e.alloc(4)
	if n := e.ok(linux.SYS_READ, pr, buf, 4); n != 4 || string(e.peek(buf, 4)) != "data" {
		t.Errorf("read after the bad pointers: %d %q", n, e.peek(buf, 4))
	}
}
