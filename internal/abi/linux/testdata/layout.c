// layout.c: offsets and sizes of the x86-64 kernel structures gemu encodes.
//   gcc -o /tmp/layout layout.c && gcc -o /tmp/layout2 layout2.c &&
//   { /tmp/layout; /tmp/layout2; } > layout.txt
// Each line: "struct field offset size" (field "-" gives sizeof the struct).
#include <stddef.h>
#include <stdio.h>
#include <asm/stat.h>
#include <asm/termbits.h>
#include <asm/signal.h>
#include <asm/ioctls.h>
#include <linux/stat.h>
#include <linux/time_types.h>
#include <linux/resource.h>
#include <linux/utsname.h>
#include <linux/sysinfo.h>
#include <linux/uio.h>
#include <linux/poll.h>
#include <linux/fcntl.h>
#include <asm/ioctls.h>

struct winsize_ { unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel; };

#define F(s, f) printf("%s %s %zu %zu\n", #s, #f, offsetof(struct s, f), sizeof(((struct s *)0)->f))
#define Z(s) printf("%s - 0 %zu\n", #s, sizeof(struct s))

int main(void) {
	Z(stat); F(stat, st_dev); F(stat, st_ino); F(stat, st_nlink); F(stat, st_mode); F(stat, st_uid);
	F(stat, st_gid); F(stat, st_rdev); F(stat, st_size); F(stat, st_blksize); F(stat, st_blocks);
	F(stat, st_atime); F(stat, st_atime_nsec); F(stat, st_mtime); F(stat, st_mtime_nsec);
	F(stat, st_ctime); F(stat, st_ctime_nsec);
	Z(statx); F(statx, stx_mask); F(statx, stx_blksize); F(statx, stx_attributes); F(statx, stx_nlink);
	F(statx, stx_uid); F(statx, stx_gid); F(statx, stx_mode); F(statx, stx_ino); F(statx, stx_size);
	F(statx, stx_blocks); F(statx, stx_attributes_mask); F(statx, stx_atime); F(statx, stx_btime);
	F(statx, stx_ctime); F(statx, stx_mtime); F(statx, stx_rdev_major); F(statx, stx_rdev_minor);
	F(statx, stx_dev_major); F(statx, stx_dev_minor); F(statx, stx_mnt_id);
	F(statx, stx_dio_mem_align); F(statx, stx_dio_offset_align);
	Z(statx_timestamp); F(statx_timestamp, tv_sec); F(statx_timestamp, tv_nsec);
	Z(__kernel_timespec); F(__kernel_timespec, tv_sec); F(__kernel_timespec, tv_nsec);
	Z(rlimit); F(rlimit, rlim_cur); F(rlimit, rlim_max);
	Z(new_utsname); F(new_utsname, sysname); F(new_utsname, nodename); F(new_utsname, release);
	F(new_utsname, version); F(new_utsname, machine); F(new_utsname, domainname);
	Z(termios); F(termios, c_iflag); F(termios, c_oflag); F(termios, c_cflag); F(termios, c_lflag);
	F(termios, c_line); F(termios, c_cc);
	Z(winsize_); F(winsize_, ws_row); F(winsize_, ws_col); F(winsize_, ws_xpixel); F(winsize_, ws_ypixel);
	Z(sigaction); F(sigaction, sa_handler); F(sigaction, sa_flags); F(sigaction, sa_restorer); F(sigaction, sa_mask);
	Z(sigaltstack); F(sigaltstack, ss_sp); F(sigaltstack, ss_flags); F(sigaltstack, ss_size);
	Z(iovec); F(iovec, iov_base); F(iovec, iov_len);
	Z(pollfd); F(pollfd, fd); F(pollfd, events); F(pollfd, revents);
	Z(sysinfo); F(sysinfo, uptime); F(sysinfo, loads); F(sysinfo, totalram); F(sysinfo, freeram);
	F(sysinfo, sharedram); F(sysinfo, bufferram); F(sysinfo, totalswap); F(sysinfo, freeswap);
	F(sysinfo, procs); F(sysinfo, totalhigh); F(sysinfo, freehigh); F(sysinfo, mem_unit);
	Z(rusage); F(rusage, ru_utime); F(rusage, ru_stime); F(rusage, ru_maxrss); F(rusage, ru_nivcsw);
	Z(flock); F(flock, l_type); F(flock, l_whence); F(flock, l_start); F(flock, l_len); F(flock, l_pid);
	return 0;
}
