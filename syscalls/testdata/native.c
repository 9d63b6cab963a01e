// native.c: the errno Linux x86-64 returns for the failure paths the
// syscalls tests check. Build and run on an x86-64 Linux host:
//   gcc -O2 -o /tmp/native native.c && (cd /tmp && /tmp/native) > native.txt
// Each line is "key result": a non-negative return value, or -ENAME.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static void out(const char *key, long r) {
	if (r == -1)
		printf("%s -%s\n", key, strerrorname_np(errno));
	else
		printf("%s %ld\n", key, r);
}

#define S(key, ...) out(key, syscall(__VA_ARGS__))

int main(void) {
	char buf[8192];
	char *bad = (char *)0x10000;           /* unmapped, in user space */
	char *kernel = (char *)0xffffffffff600000UL;
	int wr = open("native.tmp", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	write(wr, "hello", 5);
	int rd = open("native.tmp", O_RDONLY);
	int dir = open("/", O_RDONLY | O_DIRECTORY);
	int p[2];
	pipe(p);
	signal(SIGPIPE, SIG_IGN);

	S("read_wronly_null", SYS_read, wr, 0, 10);
	S("read_dir_unmapped", SYS_read, dir, bad, 10);
	S("read_kernel_ptr", SYS_read, rd, kernel, 10);
	S("read_unmapped", SYS_read, rd, bad, 10);
	S("read_zero", SYS_read, rd, bad, 0);
	S("write_rdonly", SYS_write, rd, buf, 1);
	S("write_unmapped", SYS_write, wr, bad, 1);
	S("pread_neg", SYS_pread64, p[0], buf, 10, -1L);
	S("pread_pipe", SYS_pread64, p[0], buf, 10, 0);
	struct iovec iov[1025] = {{buf, 1}};
	S("readv_1025", SYS_readv, rd, iov, 1025);
	S("readv_badvec", SYS_readv, rd, bad, 1);
	S("readv_wronly_badvec", SYS_readv, wr, bad, 1);
	S("close_neg", SYS_close, -1);
	S("lseek_whence5", SYS_lseek, rd, 0, 5);
	S("lseek_pipe", SYS_lseek, p[0], 0, SEEK_SET);

	char longpath[5000];
	memset(longpath, 'a', sizeof longpath - 1);
	longpath[sizeof longpath - 1] = 0;
	S("open_long", SYS_open, longpath, O_RDONLY);
	S("open_empty", SYS_open, "", O_RDONLY);
	S("open_bad", SYS_open, bad, O_RDONLY);
	S("open_missing", SYS_open, "/nonexistent/x", O_RDONLY);
	S("openat_badfd_rel", SYS_openat, 9999, "x", O_RDONLY);
	S("openat_badfd_abs", SYS_openat, 9999, "/", O_RDONLY);
	S("fcntl_getfl_rdonly", SYS_fcntl, rd, F_GETFL);
	S("fcntl_getfl_wronly", SYS_fcntl, wr, F_GETFL);
	S("fcntl_getfl_dir", SYS_fcntl, dir, F_GETFL);
	S("fcntl_getfl_pipe_r", SYS_fcntl, p[0], F_GETFL);
	S("fcntl_getfl_pipe_w", SYS_fcntl, p[1], F_GETFL);
	S("fcntl_bad_cmd", SYS_fcntl, rd, 9999);
	S("fcntl_dupfd_huge", SYS_fcntl, rd, F_DUPFD, 1L << 40);
	S("dup3_same", SYS_dup3, 1, 1, 0);
	S("dup3_flags", SYS_dup3, 1, 2, 1);
	S("dup2_huge", SYS_dup2, 1, 100000000);
	S("dup2_same_bad", SYS_dup2, 9999, 9999);
	S("pipe2_flags", SYS_pipe2, p, 1);
	S("pipe2_bad", SYS_pipe2, bad, 0);
	S("ioctl_tcgets_file", SYS_ioctl, rd, TCGETS, buf);
	S("ioctl_unknown", SYS_ioctl, rd, 0x1234, buf);
	S("ioctl_badfd", SYS_ioctl, 9999, TCGETS, buf);
	S("ioctl_tcsets_file_bad", SYS_ioctl, rd, TCSETS, bad);
	S("ioctl_fionbio_bad", SYS_ioctl, rd, FIONBIO, bad);
	S("access_mode8", SYS_access, "/", 8);
	S("faccessat2_flag1", SYS_faccessat2, AT_FDCWD, "/", 0, 1);
	S("unlinkat_flag1", SYS_unlinkat, AT_FDCWD, "x", 1);
	S("renameat2_flags3", SYS_renameat2, AT_FDCWD, "a", AT_FDCWD, "b", 3);
	S("readlink_size0", SYS_readlink, "/proc/self/exe", buf, 0);
	S("newfstatat_flag8", SYS_newfstatat, AT_FDCWD, "/", buf, 8);
	S("newfstatat_badbuf", SYS_newfstatat, AT_FDCWD, "/", bad, 0);
	S("newfstatat_missing_badbuf", SYS_newfstatat, AT_FDCWD, "/nonexistent", bad, 0);
	S("statx_sync3", SYS_statx, AT_FDCWD, "/", 0x6000, 0x7ff, buf);
	S("statx_reserved", SYS_statx, AT_FDCWD, "/", 0, 0x80000000u, buf);
	S("getcwd_small", SYS_getcwd, buf, 1);

	void *m = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	S("mmap_wronly", SYS_mmap, 0, 4096, PROT_READ, MAP_SHARED, wr, 0);
	S("mmap_shared_write_rdonly", SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, rd, 0);
	S("mmap_pipe", SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE, p[0], 0);
	S("mmap_dir", SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE, dir, 0);
	S("mmap_len0", SYS_mmap, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	S("mmap_off1", SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE, rd, 1);
	S("mmap_badfd", SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE, 9999, 0);
	S("mmap_notype", SYS_mmap, 0, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0);
	S("mmap_noreplace", SYS_mmap, m, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	S("mmap_fixed_unaligned", SYS_mmap, (char *)m + 1, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	S("mmap_growsdown_file", SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE | MAP_GROWSDOWN, rd, 0);
	S("munmap_unaligned", SYS_munmap, (char *)m + 1, 4096);
	S("munmap_len0", SYS_munmap, m, 0);
	S("mprotect_unaligned", SYS_mprotect, (char *)m + 1, 4096, PROT_READ);
	S("mprotect_badprot", SYS_mprotect, m, 4096, 0x10);
	S("mprotect_len0_unmapped", SYS_mprotect, bad, 0, PROT_READ);
	S("mprotect_unmapped", SYS_mprotect, bad, 4096, PROT_READ);
	S("madvise_bad_advice", SYS_madvise, m, 4096, 999);
	S("madvise_unmapped", SYS_madvise, bad, 4096, MADV_NORMAL);
	S("mremap_badflag", SYS_mremap, m, 4096, 8192, 8);
	S("mremap_fixed_nomove", SYS_mremap, m, 4096, 8192, MREMAP_FIXED, 0x200000000UL);
	S("mremap_newlen0", SYS_mremap, m, 4096, 0, 0);

	S("arch_prctl_set_gs_high", SYS_arch_prctl, 0x1001, 1UL << 47);
	S("arch_prctl_bad", SYS_arch_prctl, 0x9999, 0);
	S("arch_prctl_get_fs_bad", SYS_arch_prctl, 0x1003, bad);
	S("set_robust_list_23", SYS_set_robust_list, buf, 23);
	S("rt_sigaction_kill_query", SYS_rt_sigaction, SIGKILL, 0, buf, 8);
	S("rt_sigaction_kill_set", SYS_rt_sigaction, SIGKILL, buf, 0, 8);
	S("rt_sigaction_kill_badact", SYS_rt_sigaction, SIGKILL, bad, 0, 8);
	S("rt_sigaction_sig0", SYS_rt_sigaction, 0, 0, buf, 8);
	S("rt_sigaction_sig65", SYS_rt_sigaction, 65, 0, buf, 8);
	S("rt_sigaction_size4", SYS_rt_sigaction, SIGUSR1, 0, buf, 4);
	S("rt_sigaction_badold", SYS_rt_sigaction, SIGUSR1, 0, bad, 8);
	S("rt_sigprocmask_how3", SYS_rt_sigprocmask, 3, buf, 0, 8);
	S("rt_sigprocmask_how3_noset", SYS_rt_sigprocmask, 3, 0, buf, 8);
	S("rt_sigprocmask_size4", SYS_rt_sigprocmask, 0, 0, buf, 4);
	S("sigaltstack_small", SYS_sigaltstack, (stack_t[]){{buf, 0, 100}}, 0);
	S("sigaltstack_badflags", SYS_sigaltstack, (stack_t[]){{buf, 5, 8192}}, 0);
	stack_t old;
	S("sigaltstack_query", SYS_sigaltstack, 0, &old);
	printf("sigaltstack_initial sp=%p flags=%d size=%zu\n", old.ss_sp, old.ss_flags, old.ss_size);
	S("kill_sig65", SYS_kill, getpid(), 65);
	S("kill_self_sig0", SYS_kill, getpid(), 0);
	S("tgkill_tgid0", SYS_tgkill, 0, 1, 0);
	S("tgkill_badtid", SYS_tgkill, getpid(), 99999999, 0);
	S("tgkill_self_sig65", SYS_tgkill, getpid(), getpid(), 65);
	S("tkill_neg", SYS_tkill, -1, 0);

	unsigned int fw = 5;
	S("futex_wait_mismatch", SYS_futex, &fw, FUTEX_WAIT, 6, 0, 0, 0);
	S("futex_wake_misaligned", SYS_futex, (char *)&fw + 1, FUTEX_WAKE, 1, 0, 0, 0);
	S("futex_wake", SYS_futex, &fw, FUTEX_WAKE, 1, 0, 0, 0);
	S("futex_wait_bad", SYS_futex, bad, FUTEX_WAIT, 0, 0, 0, 0);
	S("futex_badop", SYS_futex, &fw, 99, 0, 0, 0, 0);
	S("futex_wake_clockrt", SYS_futex, &fw, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, 0, 0, 0);
	S("futex_wait_bitset0", SYS_futex, &fw, FUTEX_WAIT_BITSET, 5, 0, 0, 0);
	struct timespec tiny = {0, 1000};
	S("futex_wait_timeout", SYS_futex, &fw, FUTEX_WAIT, 5, &tiny, 0, 0);
	struct timespec badts = {0, 1000000000};
	S("futex_wait_badts", SYS_futex, &fw, FUTEX_WAIT, 5, &badts, 0, 0);

	S("getrlimit_16", SYS_getrlimit, 16, buf);
	S("prlimit_cur_gt_max", SYS_prlimit64, 0, RLIMIT_NOFILE, (unsigned long[]){2, 1}, 0);
	S("getrusage_5", SYS_getrusage, 5, buf);
	S("sched_getaffinity_4", SYS_sched_getaffinity, 0, 4, buf);
	S("sched_getaffinity_12", SYS_sched_getaffinity, 0, 12, buf);
	S("sched_getaffinity_128", SYS_sched_getaffinity, 0, 128, buf);
	S("sched_getaffinity_8192", SYS_sched_getaffinity, 0, 8192, buf);
	S("getrandom_flag8", SYS_getrandom, buf, 10, 8);
	S("getrandom_insecure_random", SYS_getrandom, buf, 10, 6);
	S("getrandom_bad", SYS_getrandom, bad, 10, 0);

	S("clock_gettime_100", SYS_clock_gettime, 100, buf);
	S("clock_gettime_bad", SYS_clock_gettime, CLOCK_MONOTONIC, bad);
	S("clock_getres_null", SYS_clock_getres, CLOCK_MONOTONIC, 0);
	S("clock_nanosleep_coarse", SYS_clock_nanosleep, CLOCK_MONOTONIC_COARSE, 0, &tiny, 0);
	S("clock_nanosleep_thread", SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &tiny, 0);
	S("clock_nanosleep_10", SYS_clock_nanosleep, 10, 0, &tiny, 0);
	S("clock_nanosleep_badts", SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &badts, 0);
	S("nanosleep_badnsec", SYS_nanosleep, &badts, 0);
	S("nanosleep_negsec", SYS_nanosleep, (struct timespec[]){{-1, 0}}, 0);
	S("nanosleep_bad", SYS_nanosleep, bad, 0);
	S("poll_too_many", SYS_poll, buf, 1u << 30, 0);

	close(p[0]);
	S("write_broken_pipe", SYS_write, p[1], "x", 1);
	S("uname_bad", SYS_uname, bad);

	/* Partial transfers: a buffer whose tail is read-only or unmapped. */
	char *two = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(two + 4096, 4096, PROT_READ);
	S("lseek_rd_start", SYS_lseek, rd, 0, SEEK_SET);
	S("read_partial", SYS_read, rd, two + 4096 - 3, 5);
	S("read_partial_pos", SYS_lseek, rd, 0, SEEK_CUR);
	munmap(two + 4096, 4096);
	memcpy(two + 4096 - 3, "xyz", 3);
	S("write_partial", SYS_write, wr, two + 4096 - 3, 5);
	S("getrandom_partial", SYS_getrandom, two + 4096 - 3, 5, 0);

	/* rt_sigaction keeps only the flags it knows and never masks KILL/STOP. */
	unsigned long sa[4] = {1, ~0UL, 0x1234, ~0UL}, osa[4];
	S("sa_set_all", SYS_rt_sigaction, SIGUSR2, sa, 0, 8);
	S("sa_get", SYS_rt_sigaction, SIGUSR2, 0, osa, 8);
	printf("sa_roundtrip %#lx %#lx %#lx %#lx\n", osa[0], osa[1], osa[2], osa[3]);
	unsigned long all = ~0UL, omask;
	S("sigprocmask_all", SYS_rt_sigprocmask, SIG_SETMASK, &all, 0, 8);
	S("sigprocmask_get", SYS_rt_sigprocmask, SIG_SETMASK, 0, &omask, 8);
	printf("sigprocmask_blocked %#lx\n", omask);

	S("mmap_shared_validate_anon", SYS_mmap, 0, 4096, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0);
	S("mmap_hugetlb_anon", SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	S("mmap_shared_growsdown", SYS_mmap, 0, 4096, PROT_READ, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0);

	S("read_dir_kernel_ptr", SYS_read, dir, kernel, 10);
	S("pread_pipe_kernel_ptr", SYS_pread64, p[1], kernel, 10, 0);

	unlink("native.tmp");
	return 0;
}
