package syscalls

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"gemu/internal/abi/linux"
)

// TestNativeResults replays testdata/native.c under gemu: the same calls in
// the same order, each compared with what the host kernel returned.
func TestNativeResults(t *testing.T) {
	want := nativeResults(t)
	e := newEnv(t)
	tmp := filepath.Join(t.TempDir(), "native.tmp")
	const fdcwd = uint64(1<<64 - 100)

	buf := e.alloc(8192)
	wr := e.open(tmp, linux.O_WRONLY|linux.O_CREAT|linux.O_TRUNC)
	e.ok(linux.SYS_WRITE, wr, e.str("hello"), 5)
	rd := e.open(tmp, linux.O_RDONLY)
	dir := e.open("/", linux.O_RDONLY|linux.O_DIRECTORY)
	pfds := e.alloc(8)
	e.ok(linux.SYS_PIPE, pfds)
	p0, p1 := uint64(e.u32(pfds)), uint64(e.u32(pfds+4))
	ign := e.alloc(linux.SizeofSigAction)
	act := linux.SigAction{Handler: linux.SIG_IGN}
	var actBytes [linux.SizeofSigAction]byte
	act.Encode(actBytes[:])
	e.poke(ign, actBytes[:])
	e.ok(linux.SYS_RT_SIGACTION, uint64(linux.SIGPIPE), ign, 0, 8)

	iov := e.alloc(1025 * linux.SizeofIovec)
	e.poke(iov, le.AppendUint64(le.AppendUint64(nil, buf), 1))
	longpath := e.str(strings.Repeat("a", 4999))
	var m, two uint64
	words := func(v ...uint64) uint64 {
		a := e.alloc(8 * len(v))
		var b []byte
		for _, x := range v {
			b = le.AppendUint64(b, x)
		}
		e.poke(a, b)
		return a
	}
	fw := words(5)
	tiny := words(0, 1000)
	badts := words(0, 1000000000)
	negts := words(^uint64(0), 0)
	getpid := uint64(e.p.Pid())

	type tc struct {
		key  string
		nr   linux.Sysno
		args func() []uint64
	}
	a := func(v ...uint64) func() []uint64 { return func() []uint64 { return v } }
	cases := []tc{
		{"read_wronly_null", linux.SYS_READ, a(wr, 0, 10)},
		{"read_dir_unmapped", linux.SYS_READ, a(dir, badAddr, 10)},
		{"read_kernel_ptr", linux.SYS_READ, a(rd, kernelAddr, 10)},
		{"read_unmapped", linux.SYS_READ, a(rd, badAddr, 10)},
		{"read_zero", linux.SYS_READ, a(rd, badAddr, 0)},
		{"write_rdonly", linux.SYS_WRITE, a(rd, buf, 1)},
		{"write_unmapped", linux.SYS_WRITE, a(wr, badAddr, 1)},
		{"pread_neg", linux.SYS_PREAD64, a(p0, buf, 10, ^uint64(0))},
		{"pread_pipe", linux.SYS_PREAD64, a(p0, buf, 10, 0)},
		{"readv_1025", linux.SYS_READV, a(rd, iov, 1025)},
		{"readv_badvec", linux.SYS_READV, a(rd, badAddr, 1)},
		{"readv_wronly_badvec", linux.SYS_READV, a(wr, badAddr, 1)},
		{"close_neg", linux.SYS_CLOSE, a(^uint64(0))},
		{"lseek_whence5", linux.SYS_LSEEK, a(rd, 0, 5)},
		{"lseek_pipe", linux.SYS_LSEEK, a(p0, 0, 0)},
		{"open_long", linux.SYS_OPEN, a(longpath, 0)},
		{"open_empty", linux.SYS_OPEN, a(e.str(""), 0)},
		{"open_bad", linux.SYS_OPEN, a(badAddr, 0)},
		{"open_missing", linux.SYS_OPEN, a(e.str("/nonexistent/x"), 0)},
		{"openat_badfd_rel", linux.SYS_OPENAT, a(9999, e.str("x"), 0)},
		{"openat_badfd_abs", linux.SYS_OPENAT, a(9999, e.str("/"), 0)},
		{"fcntl_getfl_rdonly", linux.SYS_FCNTL, a(rd, linux.F_GETFL)},
		{"fcntl_getfl_wronly", linux.SYS_FCNTL, a(wr, linux.F_GETFL)},
		{"fcntl_getfl_dir", linux.SYS_FCNTL, a(dir, linux.F_GETFL)},
		{"fcntl_getfl_pipe_r", linux.SYS_FCNTL, a(p0, linux.F_GETFL)},
		{"fcntl_getfl_pipe_w", linux.SYS_FCNTL, a(p1, linux.F_GETFL)},
		{"fcntl_bad_cmd", linux.SYS_FCNTL, a(rd, 9999)},
		{"fcntl_dupfd_huge", linux.SYS_FCNTL, a(rd, linux.F_DUPFD, 1<<40)},
		{"dup3_same", linux.SYS_DUP3, a(1, 1, 0)},
		{"dup3_flags", linux.SYS_DUP3, a(1, 2, 1)},
		{"dup2_huge", linux.SYS_DUP2, a(1, 100000000)},
		{"dup2_same_bad", linux.SYS_DUP2, a(9999, 9999)},
		{"pipe2_flags", linux.SYS_PIPE2, a(pfds, 1)},
		{"pipe2_bad", linux.SYS_PIPE2, a(badAddr, 0)},
		{"ioctl_tcgets_file", linux.SYS_IOCTL, a(rd, linux.TCGETS, buf)},
		{"ioctl_unknown", linux.SYS_IOCTL, a(rd, 0x1234, buf)},
		{"ioctl_badfd", linux.SYS_IOCTL, a(9999, linux.TCGETS, buf)},
		{"ioctl_tcsets_file_bad", linux.SYS_IOCTL, a(rd, linux.TCSETS, badAddr)},
		{"ioctl_fionbio_bad", linux.SYS_IOCTL, a(rd, linux.FIONBIO, badAddr)},
		{"access_mode8", linux.SYS_ACCESS, a(e.str("/"), 8)},
		{"faccessat2_flag1", linux.SYS_FACCESSAT2, a(fdcwd, e.str("/"), 0, 1)},
		{"unlinkat_flag1", linux.SYS_UNLINKAT, a(fdcwd, e.str("x"), 1)},
		{"renameat2_flags3", linux.SYS_RENAMEAT2, a(fdcwd, e.str("a"), fdcwd, e.str("b"), 3)},
		{"readlink_size0", linux.SYS_READLINK, a(e.str("/proc/self/exe"), buf, 0)},
		{"newfstatat_flag8", linux.SYS_NEWFSTATAT, a(fdcwd, e.str("/"), buf, 8)},
		{"newfstatat_badbuf", linux.SYS_NEWFSTATAT, a(fdcwd, e.str("/"), badAddr, 0)},
		{"newfstatat_missing_badbuf", linux.SYS_NEWFSTATAT, a(fdcwd, e.str("/nonexistent"), badAddr, 0)},
		{"statx_sync3", linux.SYS_STATX, a(fdcwd, e.str("/"), 0x6000, 0x7ff, buf)},
		{"statx_reserved", linux.SYS_STATX, a(fdcwd, e.str("/"), 0, 0x80000000, buf)},
		{"getcwd_small", linux.SYS_GETCWD, a(buf, 1)},
		{"", 0, func() []uint64 {
			m = e.ok(linux.SYS_MMAP, 0, 4096, linux.PROT_READ, linux.MAP_PRIVATE|linux.MAP_ANONYMOUS, ^uint64(0), 0)
			return nil
		}},
		{"mmap_wronly", linux.SYS_MMAP, a(0, 4096, linux.PROT_READ, linux.MAP_SHARED, wr, 0)},
		{"mmap_shared_write_rdonly", linux.SYS_MMAP, a(0, 4096, linux.PROT_READ|linux.PROT_WRITE, linux.MAP_SHARED, rd, 0)},
		{"mmap_pipe", linux.SYS_MMAP, a(0, 4096, linux.PROT_READ, linux.MAP_PRIVATE, p0, 0)},
		{"mmap_dir", linux.SYS_MMAP, a(0, 4096, linux.PROT_READ, linux.MAP_PRIVATE, dir, 0)},
		{"mmap_len0", linux.SYS_MMAP, a(0, 0, linux.PROT_READ, linux.MAP_PRIVATE|linux.MAP_ANONYMOUS, ^uint64(0), 0)},
		{"mmap_off1", linux.SYS_MMAP, a(0, 4096, linux.PROT_READ, linux.MAP_PRIVATE, rd, 1)},
		{"mmap_badfd", linux.SYS_MMAP, a(0, 4096, linux.PROT_READ, linux.MAP_PRIVATE, 9999, 0)},
		{"mmap_notype", linux.SYS_MMAP, a(0, 4096, linux.PROT_READ, linux.MAP_ANONYMOUS, ^uint64(0), 0)},
		{"mmap_noreplace", linux.SYS_MMAP, func() []uint64 {
			return []uint64{m, 4096, linux.PROT_READ, linux.MAP_PRIVATE | linux.MAP_ANONYMOUS | linux.MAP_FIXED_NOREPLACE, ^uint64(0), 0}
		}},
		{"mmap_fixed_unaligned", linux.SYS_MMAP, func() []uint64 {
			return []uint64{m + 1, 4096, linux.PROT_READ, linux.MAP_PRIVATE | linux.MAP_ANONYMOUS | linux.MAP_FIXED, ^uint64(0), 0}
		}},
		{"mmap_growsdown_file", linux.SYS_MMAP, a(0, 4096, linux.PROT_READ, linux.MAP_PRIVATE|linux.MAP_GROWSDOWN, rd, 0)},
		{"munmap_unaligned", linux.SYS_MUNMAP, func() []uint64 { return []uint64{m + 1, 4096} }},
		{"munmap_len0", linux.SYS_MUNMAP, func() []uint64 { return []uint64{m, 0} }},
		{"mprotect_unaligned", linux.SYS_MPROTECT, func() []uint64 { return []uint64{m + 1, 4096, linux.PROT_READ} }},
		{"mprotect_badprot", linux.SYS_MPROTECT, func() []uint64 { return []uint64{m, 4096, 0x10} }},
		{"mprotect_len0_unmapped", linux.SYS_MPROTECT, a(badAddr, 0, linux.PROT_READ)},
		{"mprotect_unmapped", linux.SYS_MPROTECT, a(badAddr, 4096, linux.PROT_READ)},
		{"madvise_bad_advice", linux.SYS_MADVISE, func() []uint64 { return []uint64{m, 4096, 999} }},
		{"madvise_unmapped", linux.SYS_MADVISE, a(badAddr, 4096, linux.MADV_NORMAL)},
		{"mremap_badflag", linux.SYS_MREMAP, func() []uint64 { return []uint64{m, 4096, 8192, 8} }},
		{"mremap_fixed_nomove", linux.SYS_MREMAP, func() []uint64 { return []uint64{m, 4096, 8192, linux.MREMAP_FIXED, 0x200000000} }},
		{"mremap_newlen0", linux.SYS_MREMAP, func() []uint64 { return []uint64{m, 4096, 0, 0} }},
		{"arch_prctl_set_gs_high", linux.SYS_ARCH_PRCTL, a(linux.ARCH_SET_GS, 1<<47)},
		{"arch_prctl_bad", linux.SYS_ARCH_PRCTL, a(0x9999, 0)},
		{"arch_prctl_get_fs_bad", linux.SYS_ARCH_PRCTL, a(linux.ARCH_GET_FS, badAddr)},
		{"set_robust_list_23", linux.SYS_SET_ROBUST_LIST, a(buf, 23)},
		{"rt_sigaction_kill_query", linux.SYS_RT_SIGACTION, a(uint64(linux.SIGKILL), 0, buf, 8)},
		{"rt_sigaction_kill_set", linux.SYS_RT_SIGACTION, a(uint64(linux.SIGKILL), buf, 0, 8)},
		{"rt_sigaction_kill_badact", linux.SYS_RT_SIGACTION, a(uint64(linux.SIGKILL), badAddr, 0, 8)},
		{"rt_sigaction_sig0", linux.SYS_RT_SIGACTION, a(0, 0, buf, 8)},
		{"rt_sigaction_sig65", linux.SYS_RT_SIGACTION, a(65, 0, buf, 8)},
		{"rt_sigaction_size4", linux.SYS_RT_SIGACTION, a(uint64(linux.SIGUSR1), 0, buf, 4)},
		{"rt_sigaction_badold", linux.SYS_RT_SIGACTION, a(uint64(linux.SIGUSR1), 0, badAddr, 8)},
		{"rt_sigprocmask_how3", linux.SYS_RT_SIGPROCMASK, a(3, buf, 0, 8)},
		{"rt_sigprocmask_how3_noset", linux.SYS_RT_SIGPROCMASK, a(3, 0, buf, 8)},
		{"rt_sigprocmask_size4", linux.SYS_RT_SIGPROCMASK, a(0, 0, buf, 4)},
		{"sigaltstack_small", linux.SYS_SIGALTSTACK, a(words(buf, 0, 100), 0)},
		{"sigaltstack_badflags", linux.SYS_SIGALTSTACK, a(words(buf, 5, 8192), 0)},
		{"sigaltstack_query", linux.SYS_SIGALTSTACK, a(0, buf)},
		{"", 0, func() []uint64 {
			// native: sigaltstack_initial sp=(nil) flags=2 size=0
			var st linux.Stack
			st.Decode(e.peek(buf, linux.SizeofStack))
			if st != (linux.Stack{Flags: linux.SS_DISABLE}) {
				t.Errorf("initial sigaltstack %+v, native sp=0 flags=2 size=0", st)
			}
			return nil
		}},
		{"kill_sig65", linux.SYS_KILL, a(getpid, 65)},
		{"kill_self_sig0", linux.SYS_KILL, a(getpid, 0)},
		{"tgkill_tgid0", linux.SYS_TGKILL, a(0, 1, 0)},
		{"tgkill_badtid", linux.SYS_TGKILL, a(getpid, 99999999, 0)},
		{"tgkill_self_sig65", linux.SYS_TGKILL, a(getpid, getpid, 65)},
		{"tkill_neg", linux.SYS_TKILL, a(^uint64(0), 0)},
		{"futex_wait_mismatch", linux.SYS_FUTEX, a(fw, linux.FUTEX_WAIT, 6, 0, 0, 0)},
		{"futex_wake_misaligned", linux.SYS_FUTEX, a(fw+1, linux.FUTEX_WAKE, 1, 0, 0, 0)},
		{"futex_wake", linux.SYS_FUTEX, a(fw, linux.FUTEX_WAKE, 1, 0, 0, 0)},
		{"futex_wait_bad", linux.SYS_FUTEX, a(badAddr, linux.FUTEX_WAIT, 0, 0, 0, 0)},
		{"futex_badop", linux.SYS_FUTEX, a(fw, 99, 0, 0, 0, 0)},
		{"futex_wake_clockrt", linux.SYS_FUTEX, a(fw, linux.FUTEX_WAKE|linux.FUTEX_CLOCK_REALTIME, 1, 0, 0, 0)},
		{"futex_wait_bitset0", linux.SYS_FUTEX, a(fw, linux.FUTEX_WAIT_BITSET, 5, 0, 0, 0)},
		{"futex_wait_timeout", linux.SYS_FUTEX, a(fw, linux.FUTEX_WAIT, 5, tiny, 0, 0)},
		{"futex_wait_badts", linux.SYS_FUTEX, a(fw, linux.FUTEX_WAIT, 5, badts, 0, 0)},
		{"getrlimit_16", linux.SYS_GETRLIMIT, a(16, buf)},
		{"prlimit_cur_gt_max", linux.SYS_PRLIMIT64, a(0, linux.RLIMIT_NOFILE, words(2, 1), 0)},
		{"getrusage_5", linux.SYS_GETRUSAGE, a(5, buf)},
		{"sched_getaffinity_4", linux.SYS_SCHED_GETAFFINITY, a(0, 4, buf)},
		{"sched_getaffinity_12", linux.SYS_SCHED_GETAFFINITY, a(0, 12, buf)},
		{"sched_getaffinity_128", linux.SYS_SCHED_GETAFFINITY, a(0, 128, buf)},
		{"sched_getaffinity_8192", linux.SYS_SCHED_GETAFFINITY, a(0, 8192, buf)},
		{"getrandom_flag8", linux.SYS_GETRANDOM, a(buf, 10, 8)},
		{"getrandom_insecure_random", linux.SYS_GETRANDOM, a(buf, 10, 6)},
		{"getrandom_bad", linux.SYS_GETRANDOM, a(badAddr, 10, 0)},
		{"clock_gettime_100", linux.SYS_CLOCK_GETTIME, a(100, buf)},
		{"clock_gettime_bad", linux.SYS_CLOCK_GETTIME, a(linux.CLOCK_MONOTONIC, badAddr)},
		{"clock_getres_null", linux.SYS_CLOCK_GETRES, a(linux.CLOCK_MONOTONIC, 0)},
		{"clock_nanosleep_coarse", linux.SYS_CLOCK_NANOSLEEP, a(linux.CLOCK_MONOTONIC_COARSE, 0, tiny, 0)},
		{"clock_nanosleep_thread", linux.SYS_CLOCK_NANOSLEEP, a(linux.CLOCK_THREAD_CPUTIME_ID, 0, tiny, 0)},
		{"clock_nanosleep_10", linux.SYS_CLOCK_NANOSLEEP, a(10, 0, tiny, 0)},
		{"clock_nanosleep_badts", linux.SYS_CLOCK_NANOSLEEP, a(linux.CLOCK_MONOTONIC, 0, badts, 0)},
		{"nanosleep_badnsec", linux.SYS_NANOSLEEP, a(badts, 0)},
		{"nanosleep_negsec", linux.SYS_NANOSLEEP, a(negts, 0)},
		{"nanosleep_bad", linux.SYS_NANOSLEEP, a(badAddr, 0)},
		{"poll_too_many", linux.SYS_POLL, a(buf, 1<<30, 0)},
		{"", 0, func() []uint64 { e.ok(linux.SYS_CLOSE, p0); return nil }},
		{"write_broken_pipe", linux.SYS_WRITE, a(p1, e.str("x"), 1)},
		{"uname_bad", linux.SYS_UNAME, a(badAddr)},
		{"", 0, func() []uint64 {
			two = e.ok(linux.SYS_MMAP, 0, 8192, linux.PROT_READ|linux.PROT_WRITE, linux.MAP_PRIVATE|linux.MAP_ANONYMOUS, ^uint64(0), 0)
			e.ok(linux.SYS_MPROTECT, two+4096, 4096, linux.PROT_READ)
			return nil
		}},
		{"lseek_rd_start", linux.SYS_LSEEK, a(rd, 0, linux.SEEK_SET)},
		{"read_partial", linux.SYS_READ, func() []uint64 { return []uint64{rd, two + 4096 - 3, 5} }},
		{"read_partial_pos", linux.SYS_LSEEK, a(rd, 0, linux.SEEK_CUR)},
		{"", 0, func() []uint64 {
			e.ok(linux.SYS_MUNMAP, two+4096, 4096)
			e.poke(two+4096-3, []byte("xyz"))
			return nil
		}},
		{"write_partial", linux.SYS_WRITE, func() []uint64 { return []uint64{wr, two + 4096 - 3, 5} }},
		{"getrandom_partial", linux.SYS_GETRANDOM, func() []uint64 { return []uint64{two + 4096 - 3, 5, 0} }},
		{"sa_set_all", linux.SYS_RT_SIGACTION, a(uint64(linux.SIGUSR2), words(1, ^uint64(0), 0x1234, ^uint64(0)), 0, 8)},
		{"sa_get", linux.SYS_RT_SIGACTION, a(uint64(linux.SIGUSR2), 0, buf, 8)},
		{"", 0, func() []uint64 {
			got := fmt.Sprintf("%#x %#x %#x %#x", e.u64(buf), e.u64(buf+8), e.u64(buf+16), e.u64(buf+24))
			if got != want["sa_roundtrip"] {
				t.Errorf("sa_roundtrip %s, native %s", got, want["sa_roundtrip"])
			}
			return nil
		}},
		{"sigprocmask_all", linux.SYS_RT_SIGPROCMASK, a(linux.SIG_SETMASK, words(^uint64(0)), 0, 8)},
		{"sigprocmask_get", linux.SYS_RT_SIGPROCMASK, a(linux.SIG_SETMASK, 0, buf, 8)},
		{"", 0, func() []uint64 {
			if got := fmt.Sprintf("%#x", e.u64(buf)); got != want["sigprocmask_blocked"] {
				t.Errorf("sigprocmask_blocked %s, native %s", got, want["sigprocmask_blocked"])
			}
			return nil
		}},
		{"mmap_shared_validate_anon", linux.SYS_MMAP, a(0, 4096, linux.PROT_READ, linux.MAP_SHARED_VALIDATE|linux.MAP_ANONYMOUS, ^uint64(0), 0)},
		{"mmap_hugetlb_anon", linux.SYS_MMAP, a(0, 4096, linux.PROT_READ, anonPrivate|linux.MAP_HUGETLB, ^uint64(0), 0)},
		{"read_dir_kernel_ptr", linux.SYS_READ, a(dir, kernelAddr, 10)},
		{"pread_pipe_kernel_ptr", linux.SYS_PREAD64, a(p1, kernelAddr, 10, 0)},
		{"mmap_shared_growsdown", linux.SYS_MMAP, a(0, 4096, linux.PROT_READ, linux.MAP_SHARED|linux.MAP_ANONYMOUS|linux.MAP_GROWSDOWN, ^uint64(0), 0)},
	}
	for _, c := range cases {
		args := c.args()
		if c.key == "" {
			continue
		}
		w, ok := want[c.key]
		if !ok {
			t.Errorf("%s: no native result", c.key)
			continue
		}
		if got := resultString(e.call(c.nr, args...)); got != w {
			t.Errorf("%s: %v%v = %s, native %s", c.key, c.nr, args, got, w)
		}
		if e.out.Kind != Continue {
			t.Errorf("%s: outcome %+v", c.key, e.out)
		}
	}
}
