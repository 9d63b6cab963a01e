package linux

// Descriptors with their own system calls: epoll, eventfd, timerfd,
// inotify, memfd; and the flags of flock, close_range, fallocate, splice,
// sync_file_range, utimensat and openat2.

// epoll.
const (
	EPOLL_CTL_ADD = 1
	EPOLL_CTL_DEL = 2
	EPOLL_CTL_MOD = 3

	EPOLLIN        = 0x1
	EPOLLPRI       = 0x2
	EPOLLOUT       = 0x4
	EPOLLERR       = 0x8
	EPOLLHUP       = 0x10
	EPOLLNVAL      = 0x20
	EPOLLRDNORM    = 0x40
	EPOLLRDBAND    = 0x80
	EPOLLWRNORM    = 0x100
	EPOLLWRBAND    = 0x200
	EPOLLMSG       = 0x400
	EPOLLRDHUP     = 0x2000
	EPOLLEXCLUSIVE = 1 << 28
	EPOLLWAKEUP    = 1 << 29
	EPOLLONESHOT   = 1 << 30
	EPOLLET        = 1 << 31

	EPOLL_CLOEXEC = O_CLOEXEC
	// EP_MAX_EVENTS bounds epoll_wait's maxevents (INT_MAX / sizeof event).
	EP_MAX_EVENTS = 0x7fffffff / SizeofEpollEvent
)

// eventfd, timerfd, inotify and memfd_create flags.
const (
	EFD_SEMAPHORE = 1
	EFD_CLOEXEC   = O_CLOEXEC
	EFD_NONBLOCK  = O_NONBLOCK

	TFD_TIMER_ABSTIME       = 1
	TFD_TIMER_CANCEL_ON_SET = 2
	TFD_CLOEXEC             = O_CLOEXEC
	TFD_NONBLOCK            = O_NONBLOCK

	IN_CLOEXEC  = O_CLOEXEC
	IN_NONBLOCK = O_NONBLOCK

	MFD_CLOEXEC       = 0x1
	MFD_ALLOW_SEALING = 0x2
	MFD_HUGETLB       = 0x4
	MFD_NOEXEC_SEAL   = 0x8
	MFD_EXEC          = 0x10
	MFD_HUGE_SHIFT    = 26
	MFD_HUGE_MASK     = 0x3f
	// MFD_NAME_MAX is the longest memfd name (NAME_MAX - strlen("memfd:")).
	MFD_NAME_MAX = 249
)

// inotify event masks (the same on every architecture).
const (
	IN_ACCESS        = 0x1
	IN_MODIFY        = 0x2
	IN_ATTRIB        = 0x4
	IN_CLOSE_WRITE   = 0x8
	IN_CLOSE_NOWRITE = 0x10
	IN_OPEN          = 0x20
	IN_MOVED_FROM    = 0x40
	IN_MOVED_TO      = 0x80
	IN_CREATE        = 0x100
	IN_DELETE        = 0x200
	IN_DELETE_SELF   = 0x400
	IN_MOVE_SELF     = 0x800
	IN_UNMOUNT       = 0x2000
	IN_Q_OVERFLOW    = 0x4000
	IN_IGNORED       = 0x8000
	IN_ONLYDIR       = 0x1000000
	IN_DONT_FOLLOW   = 0x2000000
	IN_EXCL_UNLINK   = 0x4000000
	IN_MASK_CREATE   = 0x10000000
	IN_MASK_ADD      = 0x20000000
	IN_ISDIR         = 0x40000000
	IN_ONESHOT       = 0x80000000

	// SizeofInotifyEvent is the fixed part of struct inotify_event.
	SizeofInotifyEvent = 16
)

// flock(2), close_range(2), fallocate(2), splice(2), sync_file_range(2).
const (
	LOCK_SH = 1
	LOCK_EX = 2
	LOCK_NB = 4
	LOCK_UN = 8

	CLOSE_RANGE_UNSHARE = 2
	CLOSE_RANGE_CLOEXEC = 4

	FALLOC_FL_KEEP_SIZE      = 0x01
	FALLOC_FL_PUNCH_HOLE     = 0x02
	FALLOC_FL_NO_HIDE_STALE  = 0x04
	FALLOC_FL_COLLAPSE_RANGE = 0x08
	FALLOC_FL_ZERO_RANGE     = 0x10
	FALLOC_FL_INSERT_RANGE   = 0x20
	FALLOC_FL_UNSHARE_RANGE  = 0x40

	SPLICE_F_MOVE     = 1
	SPLICE_F_NONBLOCK = 2
	SPLICE_F_MORE     = 4
	SPLICE_F_GIFT     = 8

	SYNC_FILE_RANGE_WAIT_BEFORE = 1
	SYNC_FILE_RANGE_WRITE       = 2
	SYNC_FILE_RANGE_WAIT_AFTER  = 4

	// MAX_SPLICE_COUNT caps one splice/tee/sendfile/copy_file_range.
	MAX_SPLICE_COUNT = MAX_RW_COUNT
)

// utimensat(2) special nanosecond values.
const (
	UTIME_NOW  = 1<<30 - 1
	UTIME_OMIT = 1<<30 - 2
)

// openat2(2) resolve flags and the size of the first struct open_how.
const (
	RESOLVE_NO_XDEV       = 0x01
	RESOLVE_NO_MAGICLINKS = 0x02
	RESOLVE_NO_SYMLINKS   = 0x04
	RESOLVE_BENEATH       = 0x08
	RESOLVE_IN_ROOT       = 0x10
	RESOLVE_CACHED        = 0x20

	SizeofOpenHow = 24
)

// Sizes of the structures in this file.
const (
	SizeofEpollEvent = 12 // packed on x86-64
	SizeofItimerspec = 32
	SizeofItimerval  = 32
	SizeofStatfs     = 120
	SizeofUtimbuf    = 16
	SizeofDirentOld  = 18 // fixed part of struct linux_dirent (getdents)
)

// EpollEvent is struct epoll_event, packed on x86-64: a u32 mask then the
// u64 user data at offset 4.
type EpollEvent struct {
	Events uint32
	Data   uint64
}

func (e *EpollEvent) Encode(b []byte) {
	le.PutUint32(b[0:], e.Events)
	le.PutUint64(b[4:], e.Data)
}

func (e *EpollEvent) Decode(b []byte) {
	e.Events = le.Uint32(b[0:])
	e.Data = le.Uint64(b[4:])
}

// Itimerspec is struct itimerspec (timerfd).
type Itimerspec struct {
	Interval, Value Timespec
}

func (t *Itimerspec) Encode(b []byte) {
	t.Interval.Encode(b[0:])
	t.Value.Encode(b[16:])
}

func (t *Itimerspec) Decode(b []byte) {
	t.Interval.Decode(b[0:])
	t.Value.Decode(b[16:])
}

// Itimerval is struct itimerval (getitimer/setitimer).
type Itimerval struct {
	Interval, Value Timeval
}

func (t *Itimerval) Encode(b []byte) {
	t.Interval.Encode(b[0:])
	t.Value.Encode(b[16:])
}

func (t *Itimerval) Decode(b []byte) {
	t.Interval.Decode(b[0:])
	t.Value.Decode(b[16:])
}

// Statfs is x86-64's struct statfs (every field a long).
type Statfs struct {
	Type    int64
	Bsize   int64
	Blocks  uint64
	Bfree   uint64
	Bavail  uint64
	Files   uint64
	Ffree   uint64
	Fsid    [2]int32
	Namelen int64
	Frsize  int64
	Flags   int64
}

func (s *Statfs) Encode(b []byte) {
	le.PutUint64(b[0:], uint64(s.Type))
	le.PutUint64(b[8:], uint64(s.Bsize))
	le.PutUint64(b[16:], s.Blocks)
	le.PutUint64(b[24:], s.Bfree)
	le.PutUint64(b[32:], s.Bavail)
	le.PutUint64(b[40:], s.Files)
	le.PutUint64(b[48:], s.Ffree)
	le.PutUint32(b[56:], uint32(s.Fsid[0]))
	le.PutUint32(b[60:], uint32(s.Fsid[1]))
	le.PutUint64(b[64:], uint64(s.Namelen))
	le.PutUint64(b[72:], uint64(s.Frsize))
	le.PutUint64(b[80:], uint64(s.Flags))
	clear(b[88:120]) // f_spare[4]
}

func (s *Statfs) Decode(b []byte) {
	s.Type = int64(le.Uint64(b[0:]))
	s.Bsize = int64(le.Uint64(b[8:]))
	s.Blocks = le.Uint64(b[16:])
	s.Bfree = le.Uint64(b[24:])
	s.Bavail = le.Uint64(b[32:])
	s.Files = le.Uint64(b[40:])
	s.Ffree = le.Uint64(b[48:])
	s.Fsid[0] = int32(le.Uint32(b[56:]))
	s.Fsid[1] = int32(le.Uint32(b[60:]))
	s.Namelen = int64(le.Uint64(b[64:]))
	s.Frsize = int64(le.Uint64(b[72:]))
	s.Flags = int64(le.Uint64(b[80:]))
}

// OpenHow is struct open_how (the fields of its first version).
type OpenHow struct {
	Flags, Mode, Resolve uint64
}

func (o *OpenHow) Encode(b []byte) {
	le.PutUint64(b[0:], o.Flags)
	le.PutUint64(b[8:], o.Mode)
	le.PutUint64(b[16:], o.Resolve)
}

func (o *OpenHow) Decode(b []byte) {
	o.Flags = le.Uint64(b[0:])
	o.Mode = le.Uint64(b[8:])
	o.Resolve = le.Uint64(b[16:])
}
