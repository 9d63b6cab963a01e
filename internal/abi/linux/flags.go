package linux

// Flag and command values of the x86-64 guest ABI. Where a host architecture
// uses different values (arm64's O_DIRECTORY, O_NOFOLLOW, O_DIRECT and
// O_LARGEFILE, for one), the syscall layer translates explicitly.

// open(2) flags (arch/x86 uses the asm-generic values).
const (
	O_RDONLY    = 0x0
	O_WRONLY    = 0x1
	O_RDWR      = 0x2
	O_ACCMODE   = 0x3
	O_CREAT     = 0x40
	O_EXCL      = 0x80
	O_NOCTTY    = 0x100
	O_TRUNC     = 0x200
	O_APPEND    = 0x400
	O_NONBLOCK  = 0x800
	O_DSYNC     = 0x1000
	O_ASYNC     = 0x2000 // FASYNC
	O_DIRECT    = 0x4000
	O_LARGEFILE = 0x8000
	O_DIRECTORY = 0x10000
	O_NOFOLLOW  = 0x20000
	O_NOATIME   = 0x40000
	O_CLOEXEC   = 0x80000
	O__SYNC     = 0x100000 // __O_SYNC
	O_SYNC      = O__SYNC | O_DSYNC
	O_PATH      = 0x200000
	O__TMPFILE  = 0x400000 // __O_TMPFILE
	O_TMPFILE   = O__TMPFILE | O_DIRECTORY
)

// Special directory file descriptor and *at(2) flags.
const (
	AT_FDCWD            = -100
	AT_SYMLINK_NOFOLLOW = 0x100
	AT_EACCESS          = 0x200
	AT_REMOVEDIR        = 0x200
	AT_SYMLINK_FOLLOW   = 0x400
	AT_NO_AUTOMOUNT     = 0x800
	AT_EMPTY_PATH       = 0x1000
	AT_STATX_SYNC_TYPE  = 0x6000
	AT_STATX_FORCE_SYNC = 0x2000
	AT_STATX_DONT_SYNC  = 0x4000
)

// access(2) modes.
const (
	F_OK = 0
	X_OK = 1
	W_OK = 2
	R_OK = 4
)

// renameat2(2) flags.
const (
	RENAME_NOREPLACE = 1
	RENAME_EXCHANGE  = 2
	RENAME_WHITEOUT  = 4
)

// fcntl(2) commands.
const (
	F_DUPFD         = 0
	F_GETFD         = 1
	F_SETFD         = 2
	F_GETFL         = 3
	F_SETFL         = 4
	F_GETLK         = 5
	F_SETLK         = 6
	F_SETLKW        = 7
	F_SETOWN        = 8
	F_GETOWN        = 9
	F_SETSIG        = 10
	F_GETSIG        = 11
	F_SETOWN_EX     = 15
	F_GETOWN_EX     = 16
	F_OFD_GETLK     = 36
	F_OFD_SETLK     = 37
	F_OFD_SETLKW    = 38
	F_SETLEASE      = 1024
	F_GETLEASE      = 1025
	F_NOTIFY        = 1026
	F_DUPFD_QUERY   = 1027
	F_DUPFD_CLOEXEC = 1030
	F_SETPIPE_SZ    = 1031
	F_GETPIPE_SZ    = 1032
	F_ADD_SEALS     = 1033
	F_GET_SEALS     = 1034

	FD_CLOEXEC = 1

	F_RDLCK = 0
	F_WRLCK = 1
	F_UNLCK = 2
)

// lseek(2) whence values.
const (
	SEEK_SET  = 0
	SEEK_CUR  = 1
	SEEK_END  = 2
	SEEK_DATA = 3
	SEEK_HOLE = 4
)

// mmap(2) protections and flags.
const (
	PROT_NONE      = 0x0
	PROT_READ      = 0x1
	PROT_WRITE     = 0x2
	PROT_EXEC      = 0x4
	PROT_SEM       = 0x8
	PROT_GROWSDOWN = 0x01000000
	PROT_GROWSUP   = 0x02000000

	MAP_SHARED          = 0x01
	MAP_PRIVATE         = 0x02
	MAP_SHARED_VALIDATE = 0x03
	MAP_DROPPABLE       = 0x08
	MAP_TYPE            = 0x0f
	MAP_FIXED           = 0x10
	MAP_ANONYMOUS       = 0x20
	MAP_32BIT           = 0x40
	MAP_GROWSDOWN       = 0x100
	MAP_DENYWRITE       = 0x800
	MAP_EXECUTABLE      = 0x1000
	MAP_LOCKED          = 0x2000
	MAP_NORESERVE       = 0x4000
	MAP_POPULATE        = 0x8000
	MAP_NONBLOCK        = 0x10000
	MAP_STACK           = 0x20000
	MAP_HUGETLB         = 0x40000
	MAP_SYNC            = 0x80000
	MAP_FIXED_NOREPLACE = 0x100000
	MAP_UNINITIALIZED   = 0x4000000

	MREMAP_MAYMOVE   = 1
	MREMAP_FIXED     = 2
	MREMAP_DONTUNMAP = 4
)

// madvise(2) advice values.
const (
	MADV_NORMAL          = 0
	MADV_RANDOM          = 1
	MADV_SEQUENTIAL      = 2
	MADV_WILLNEED        = 3
	MADV_DONTNEED        = 4
	MADV_FREE            = 8
	MADV_REMOVE          = 9
	MADV_DONTFORK        = 10
	MADV_DOFORK          = 11
	MADV_MERGEABLE       = 12
	MADV_UNMERGEABLE     = 13
	MADV_HUGEPAGE        = 14
	MADV_NOHUGEPAGE      = 15
	MADV_DONTDUMP        = 16
	MADV_DODUMP          = 17
	MADV_WIPEONFORK      = 18
	MADV_KEEPONFORK      = 19
	MADV_COLD            = 20
	MADV_PAGEOUT         = 21
	MADV_POPULATE_READ   = 22
	MADV_POPULATE_WRITE  = 23
	MADV_DONTNEED_LOCKED = 24
	MADV_COLLAPSE        = 25
	MADV_HWPOISON        = 100
	MADV_SOFT_OFFLINE    = 101
	MADV_GUARD_INSTALL   = 102
	MADV_GUARD_REMOVE    = 103
)

// Clock ids.
const (
	CLOCK_REALTIME           = 0
	CLOCK_MONOTONIC          = 1
	CLOCK_PROCESS_CPUTIME_ID = 2
	CLOCK_THREAD_CPUTIME_ID  = 3
	CLOCK_MONOTONIC_RAW      = 4
	CLOCK_REALTIME_COARSE    = 5
	CLOCK_MONOTONIC_COARSE   = 6
	CLOCK_BOOTTIME           = 7
	CLOCK_REALTIME_ALARM     = 8
	CLOCK_BOOTTIME_ALARM     = 9
	CLOCK_TAI                = 11

	TIMER_ABSTIME = 1
)

// Resource limits.
const (
	RLIMIT_CPU        = 0
	RLIMIT_FSIZE      = 1
	RLIMIT_DATA       = 2
	RLIMIT_STACK      = 3
	RLIMIT_CORE       = 4
	RLIMIT_RSS        = 5
	RLIMIT_NPROC      = 6
	RLIMIT_NOFILE     = 7
	RLIMIT_MEMLOCK    = 8
	RLIMIT_AS         = 9
	RLIMIT_LOCKS      = 10
	RLIMIT_SIGPENDING = 11
	RLIMIT_MSGQUEUE   = 12
	RLIMIT_NICE       = 13
	RLIMIT_RTPRIO     = 14
	RLIMIT_RTTIME     = 15
	RLIM_NLIMITS      = 16

	RLIM_INFINITY = ^uint64(0)

	RUSAGE_SELF     = 0
	RUSAGE_CHILDREN = -1
	RUSAGE_THREAD   = 1
)

// futex(2) operations.
const (
	FUTEX_WAIT             = 0
	FUTEX_WAKE             = 1
	FUTEX_FD               = 2
	FUTEX_REQUEUE          = 3
	FUTEX_CMP_REQUEUE      = 4
	FUTEX_WAKE_OP          = 5
	FUTEX_LOCK_PI          = 6
	FUTEX_UNLOCK_PI        = 7
	FUTEX_TRYLOCK_PI       = 8
	FUTEX_WAIT_BITSET      = 9
	FUTEX_WAKE_BITSET      = 10
	FUTEX_PRIVATE_FLAG     = 128
	FUTEX_CLOCK_REALTIME   = 256
	FUTEX_CMD_MASK         = ^(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME)
	FUTEX_BITSET_MATCH_ANY = 0xffffffff
)

// arch_prctl(2) codes.
const (
	ARCH_SET_GS = 0x1001
	ARCH_SET_FS = 0x1002
	ARCH_GET_FS = 0x1003
	ARCH_GET_GS = 0x1004
)

// Signal dispositions, rt_sigaction flags, sigprocmask and sigaltstack.
const (
	SIG_DFL = 0
	SIG_IGN = 1

	SA_NOCLDSTOP      = 0x00000001
	SA_NOCLDWAIT      = 0x00000002
	SA_SIGINFO        = 0x00000004
	SA_UNSUPPORTED    = 0x00000400
	SA_EXPOSE_TAGBITS = 0x00000800
	SA_RESTORER       = 0x04000000
	SA_ONSTACK        = 0x08000000
	SA_RESTART        = 0x10000000
	SA_NODEFER        = 0x40000000
	SA_RESETHAND      = 0x80000000
	// SA_UAPI is the set of flags the kernel keeps; others read back as 0.
	SA_UAPI = SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_EXPOSE_TAGBITS |
		SA_RESTORER | SA_ONSTACK | SA_RESTART | SA_NODEFER | SA_RESETHAND

	SIG_BLOCK   = 0
	SIG_UNBLOCK = 1
	SIG_SETMASK = 2

	SS_ONSTACK    = 1
	SS_DISABLE    = 2
	SS_AUTODISARM = 1 << 31
	MINSIGSTKSZ   = 2048

	// SizeofSigset is the only sigsetsize the kernel accepts.
	SizeofSigset = 8
)

// getrandom(2) flags.
const (
	GRND_NONBLOCK = 1
	GRND_RANDOM   = 2
	GRND_INSECURE = 4
)

// poll(2) events.
const (
	POLLIN     = 0x1
	POLLPRI    = 0x2
	POLLOUT    = 0x4
	POLLERR    = 0x8
	POLLHUP    = 0x10
	POLLNVAL   = 0x20
	POLLRDNORM = 0x40
	POLLRDBAND = 0x80
	POLLWRNORM = 0x100
	POLLWRBAND = 0x200
	POLLMSG    = 0x400
	POLLREMOVE = 0x1000
	POLLRDHUP  = 0x2000
)

// ioctl(2) requests gemu understands.
const (
	TCGETS     = 0x5401
	TCSETS     = 0x5402
	TCSETSW    = 0x5403
	TCSETSF    = 0x5404
	TIOCGPGRP  = 0x540f
	TIOCSPGRP  = 0x5410
	TIOCOUTQ   = 0x5411
	TIOCGWINSZ = 0x5413
	TIOCSWINSZ = 0x5414
	FIONREAD   = 0x541b
	FIONBIO    = 0x5421
	FIONCLEX   = 0x5450
	FIOCLEX    = 0x5451
)

// statx(2) mask bits.
const (
	STATX_TYPE        = 0x1
	STATX_MODE        = 0x2
	STATX_NLINK       = 0x4
	STATX_UID         = 0x8
	STATX_GID         = 0x10
	STATX_ATIME       = 0x20
	STATX_MTIME       = 0x40
	STATX_CTIME       = 0x80
	STATX_INO         = 0x100
	STATX_SIZE        = 0x200
	STATX_BLOCKS      = 0x400
	STATX_BASIC_STATS = 0x7ff
	STATX_BTIME       = 0x800
	STATX__RESERVED   = 0x80000000
)

// File type bits of st_mode.
const (
	S_IFMT   = 0o170000
	S_IFSOCK = 0o140000
	S_IFLNK  = 0o120000
	S_IFREG  = 0o100000
	S_IFBLK  = 0o060000
	S_IFDIR  = 0o040000
	S_IFCHR  = 0o020000
	S_IFIFO  = 0o010000
)

// Limits.
const (
	PATH_MAX   = 4096 // bytes of a path including its NUL
	UIO_MAXIOV = 1024
	// MAX_RW_COUNT caps one read or write (INT_MAX & PAGE_MASK).
	MAX_RW_COUNT = 0x7ffff000
)

// msync flags.
const (
	MS_ASYNC      = 1
	MS_INVALIDATE = 2
	MS_SYNC       = 4
)
