package linux

import "encoding/binary"

// Structure layouts of the x86-64 guest ABI. Each type has a Sizeof constant,
// Encode (Go value → guest bytes) and Decode (guest bytes → Go value), both
// little-endian with the kernel's offsets and padding spelt out.
//
// Preconditions (every Encode/Decode): len(b) >= the type's Sizeof constant.

var le = binary.LittleEndian

// Sizes of the guest structures.
const (
	SizeofStat      = 144
	SizeofStatx     = 256
	SizeofTimespec  = 16
	SizeofTimeval   = 16
	SizeofRlimit    = 16
	SizeofUtsname   = 6 * UtsnameLen
	SizeofTermios   = 36
	SizeofWinsize   = 8
	SizeofSigAction = 32
	SizeofIovec     = 16
	SizeofStack     = 24
	SizeofPollFD    = 8
	SizeofSysinfo   = 112
	SizeofRusage    = 144
	SizeofTms       = 32
	SizeofFlock     = 32
	// SizeofDirent64Header is the fixed part of linux_dirent64 before d_name.
	SizeofDirent64Header = 19

	UtsnameLen = 65
	NCCS       = 19 // c_cc entries of the kernel's struct termios
)

// Timespec is struct timespec (and struct __kernel_timespec).
type Timespec struct {
	Sec  int64
	Nsec int64
}

func (t *Timespec) Encode(b []byte) {
	le.PutUint64(b[0:], uint64(t.Sec))
	le.PutUint64(b[8:], uint64(t.Nsec))
}

func (t *Timespec) Decode(b []byte) {
	t.Sec = int64(le.Uint64(b[0:]))
	t.Nsec = int64(le.Uint64(b[8:]))
}

// Valid reports whether the kernel accepts t as a time value (timespec64_valid):
// a non-negative second count and nanoseconds in [0, 1e9).
func (t *Timespec) Valid() bool {
	return t.Sec >= 0 && t.Nsec >= 0 && t.Nsec < 1e9
}

// Timeval is struct timeval.
type Timeval struct {
	Sec  int64
	Usec int64
}

func (t *Timeval) Encode(b []byte) {
	le.PutUint64(b[0:], uint64(t.Sec))
	le.PutUint64(b[8:], uint64(t.Usec))
}

func (t *Timeval) Decode(b []byte) {
	t.Sec = int64(le.Uint64(b[0:]))
	t.Usec = int64(le.Uint64(b[8:]))
}

// Stat is x86-64's struct stat (arch/x86/include/uapi/asm/stat.h). Note the
// order nlink, mode — arm64 and the generic layout have mode, nlink.
type Stat struct {
	Dev     uint64
	Ino     uint64
	Nlink   uint64
	Mode    uint32
	UID     uint32
	GID     uint32
	Rdev    uint64
	Size    int64
	Blksize int64
	Blocks  int64
	Atime   Timespec
	Mtime   Timespec
	Ctime   Timespec
}

func (s *Stat) Encode(b []byte) {
	le.PutUint64(b[0:], s.Dev)
	le.PutUint64(b[8:], s.Ino)
	le.PutUint64(b[16:], s.Nlink)
	le.PutUint32(b[24:], s.Mode)
	le.PutUint32(b[28:], s.UID)
	le.PutUint32(b[32:], s.GID)
	le.PutUint32(b[36:], 0) // __pad0
	le.PutUint64(b[40:], s.Rdev)
	le.PutUint64(b[48:], uint64(s.Size))
	le.PutUint64(b[56:], uint64(s.Blksize))
	le.PutUint64(b[64:], uint64(s.Blocks))
	s.Atime.Encode(b[72:])
	s.Mtime.Encode(b[88:])
	s.Ctime.Encode(b[104:])
	clear(b[120:144]) // __unused[3]
}

func (s *Stat) Decode(b []byte) {
	s.Dev = le.Uint64(b[0:])
	s.Ino = le.Uint64(b[8:])
	s.Nlink = le.Uint64(b[16:])
	s.Mode = le.Uint32(b[24:])
	s.UID = le.Uint32(b[28:])
	s.GID = le.Uint32(b[32:])
	s.Rdev = le.Uint64(b[40:])
	s.Size = int64(le.Uint64(b[48:]))
	s.Blksize = int64(le.Uint64(b[56:]))
	s.Blocks = int64(le.Uint64(b[64:]))
	s.Atime.Decode(b[72:])
	s.Mtime.Decode(b[88:])
	s.Ctime.Decode(b[104:])
}

// StatxTimestamp is struct statx_timestamp.
type StatxTimestamp struct {
	Sec  int64
	Nsec uint32
}

// Statx is struct statx (include/uapi/linux/stat.h), the same on every
// architecture.
type Statx struct {
	Mask                   uint32
	Blksize                uint32
	Attributes             uint64
	Nlink                  uint32
	UID                    uint32
	GID                    uint32
	Mode                   uint16
	Ino                    uint64
	Size                   uint64
	Blocks                 uint64
	AttributesMask         uint64
	Atime, Btime           StatxTimestamp
	Ctime, Mtime           StatxTimestamp
	RdevMajor, RdevMinor   uint32
	DevMajor, DevMinor     uint32
	MntID                  uint64
	DioMemAlign            uint32
	DioOffsetAlign         uint32
	Subvol                 uint64
	AtomicWriteUnitMin     uint32
	AtomicWriteUnitMax     uint32
	AtomicWriteSegmentsMax uint32
	DioReadOffsetAlign     uint32
	AtomicWriteUnitMaxOpt  uint32
}

func encodeStatxTimestamp(b []byte, t StatxTimestamp) {
	le.PutUint64(b[0:], uint64(t.Sec))
	le.PutUint32(b[8:], t.Nsec)
	le.PutUint32(b[12:], 0) // __reserved
}

func decodeStatxTimestamp(b []byte) StatxTimestamp {
	return StatxTimestamp{Sec: int64(le.Uint64(b[0:])), Nsec: le.Uint32(b[8:])}
}

func (s *Statx) Encode(b []byte) {
	le.PutUint32(b[0:], s.Mask)
	le.PutUint32(b[4:], s.Blksize)
	le.PutUint64(b[8:], s.Attributes)
	le.PutUint32(b[16:], s.Nlink)
	le.PutUint32(b[20:], s.UID)
	le.PutUint32(b[24:], s.GID)
	le.PutUint16(b[28:], s.Mode)
	le.PutUint16(b[30:], 0) // __spare0
	le.PutUint64(b[32:], s.Ino)
	le.PutUint64(b[40:], s.Size)
	le.PutUint64(b[48:], s.Blocks)
	le.PutUint64(b[56:], s.AttributesMask)
	encodeStatxTimestamp(b[64:], s.Atime)
	encodeStatxTimestamp(b[80:], s.Btime)
	encodeStatxTimestamp(b[96:], s.Ctime)
	encodeStatxTimestamp(b[112:], s.Mtime)
	le.PutUint32(b[128:], s.RdevMajor)
	le.PutUint32(b[132:], s.RdevMinor)
	le.PutUint32(b[136:], s.DevMajor)
	le.PutUint32(b[140:], s.DevMinor)
	le.PutUint64(b[144:], s.MntID)
	le.PutUint32(b[152:], s.DioMemAlign)
	le.PutUint32(b[156:], s.DioOffsetAlign)
	le.PutUint64(b[160:], s.Subvol)
	le.PutUint32(b[168:], s.AtomicWriteUnitMin)
	le.PutUint32(b[172:], s.AtomicWriteUnitMax)
	le.PutUint32(b[176:], s.AtomicWriteSegmentsMax)
	le.PutUint32(b[180:], s.DioReadOffsetAlign)
	le.PutUint32(b[184:], s.AtomicWriteUnitMaxOpt)
	clear(b[188:256]) // __spare2, __spare3
}

func (s *Statx) Decode(b []byte) {
	s.Mask = le.Uint32(b[0:])
	s.Blksize = le.Uint32(b[4:])
	s.Attributes = le.Uint64(b[8:])
	s.Nlink = le.Uint32(b[16:])
	s.UID = le.Uint32(b[20:])
	s.GID = le.Uint32(b[24:])
	s.Mode = le.Uint16(b[28:])
	s.Ino = le.Uint64(b[32:])
	s.Size = le.Uint64(b[40:])
	s.Blocks = le.Uint64(b[48:])
	s.AttributesMask = le.Uint64(b[56:])
	s.Atime = decodeStatxTimestamp(b[64:])
	s.Btime = decodeStatxTimestamp(b[80:])
	s.Ctime = decodeStatxTimestamp(b[96:])
	s.Mtime = decodeStatxTimestamp(b[112:])
	s.RdevMajor = le.Uint32(b[128:])
	s.RdevMinor = le.Uint32(b[132:])
	s.DevMajor = le.Uint32(b[136:])
	s.DevMinor = le.Uint32(b[140:])
	s.MntID = le.Uint64(b[144:])
	s.DioMemAlign = le.Uint32(b[152:])
	s.DioOffsetAlign = le.Uint32(b[156:])
	s.Subvol = le.Uint64(b[160:])
	s.AtomicWriteUnitMin = le.Uint32(b[168:])
	s.AtomicWriteUnitMax = le.Uint32(b[172:])
	s.AtomicWriteSegmentsMax = le.Uint32(b[176:])
	s.DioReadOffsetAlign = le.Uint32(b[180:])
	s.AtomicWriteUnitMaxOpt = le.Uint32(b[184:])
}

// Rlimit is struct rlimit (and struct rlimit64: both are two u64 on x86-64).
type Rlimit struct {
	Cur, Max uint64
}

func (r *Rlimit) Encode(b []byte) {
	le.PutUint64(b[0:], r.Cur)
	le.PutUint64(b[8:], r.Max)
}

func (r *Rlimit) Decode(b []byte) {
	r.Cur = le.Uint64(b[0:])
	r.Max = le.Uint64(b[8:])
}

// Utsname is struct new_utsname: six NUL-padded 65-byte fields.
type Utsname struct {
	Sysname, Nodename, Release, Version, Machine, Domainname string
}

func (u *Utsname) Encode(b []byte) {
	for i, s := range [...]string{u.Sysname, u.Nodename, u.Release, u.Version, u.Machine, u.Domainname} {
		f := b[i*UtsnameLen : (i+1)*UtsnameLen]
		clear(f)
		copy(f[:UtsnameLen-1], s) // always NUL-terminated
	}
}

func (u *Utsname) Decode(b []byte) {
	fields := [...]*string{&u.Sysname, &u.Nodename, &u.Release, &u.Version, &u.Machine, &u.Domainname}
	for i, p := range fields {
		*p = CString(b[i*UtsnameLen : (i+1)*UtsnameLen])
	}
}

// CString returns b up to its first NUL (all of b if there is none).
func CString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// Termios is the kernel's struct termios (what TCGETS/TCSETS carry), not
// glibc's larger struct with speed fields.
type Termios struct {
	Iflag, Oflag, Cflag, Lflag uint32
	Line                       uint8
	Cc                         [NCCS]uint8
}

func (t *Termios) Encode(b []byte) {
	le.PutUint32(b[0:], t.Iflag)
	le.PutUint32(b[4:], t.Oflag)
	le.PutUint32(b[8:], t.Cflag)
	le.PutUint32(b[12:], t.Lflag)
	b[16] = t.Line
	copy(b[17:36], t.Cc[:])
}

func (t *Termios) Decode(b []byte) {
	t.Iflag = le.Uint32(b[0:])
	t.Oflag = le.Uint32(b[4:])
	t.Cflag = le.Uint32(b[8:])
	t.Lflag = le.Uint32(b[12:])
	t.Line = b[16]
	copy(t.Cc[:], b[17:36])
}

// Winsize is struct winsize.
type Winsize struct {
	Row, Col, Xpixel, Ypixel uint16
}

func (w *Winsize) Encode(b []byte) {
	le.PutUint16(b[0:], w.Row)
	le.PutUint16(b[2:], w.Col)
	le.PutUint16(b[4:], w.Xpixel)
	le.PutUint16(b[6:], w.Ypixel)
}

func (w *Winsize) Decode(b []byte) {
	w.Row = le.Uint16(b[0:])
	w.Col = le.Uint16(b[2:])
	w.Xpixel = le.Uint16(b[4:])
	w.Ypixel = le.Uint16(b[6:])
}

// SigAction is the kernel's struct sigaction for rt_sigaction on x86-64:
// handler, flags, restorer, then an 8-byte mask.
type SigAction struct {
	Handler  uint64
	Flags    uint64
	Restorer uint64
	Mask     uint64
}

func (s *SigAction) Encode(b []byte) {
	le.PutUint64(b[0:], s.Handler)
	le.PutUint64(b[8:], s.Flags)
	le.PutUint64(b[16:], s.Restorer)
	le.PutUint64(b[24:], s.Mask)
}

func (s *SigAction) Decode(b []byte) {
	s.Handler = le.Uint64(b[0:])
	s.Flags = le.Uint64(b[8:])
	s.Restorer = le.Uint64(b[16:])
	s.Mask = le.Uint64(b[24:])
}

// SigMask returns the sigset bit of signal sig (1..64).
func SigMask(sig Signal) uint64 { return 1 << (uint(sig) - 1) }

// Iovec is struct iovec.
type Iovec struct {
	Base, Len uint64
}

func (v *Iovec) Encode(b []byte) {
	le.PutUint64(b[0:], v.Base)
	le.PutUint64(b[8:], v.Len)
}

func (v *Iovec) Decode(b []byte) {
	v.Base = le.Uint64(b[0:])
	v.Len = le.Uint64(b[8:])
}

// Stack is stack_t (sigaltstack): sp, flags (an int, then 4 bytes of
// padding), size. Flags is unsigned here so SS_AUTODISARM (bit 31) fits.
type Stack struct {
	Sp    uint64
	Flags uint32
	Size  uint64
}

func (s *Stack) Encode(b []byte) {
	le.PutUint64(b[0:], s.Sp)
	le.PutUint32(b[8:], s.Flags)
	le.PutUint32(b[12:], 0)
	le.PutUint64(b[16:], s.Size)
}

func (s *Stack) Decode(b []byte) {
	s.Sp = le.Uint64(b[0:])
	s.Flags = le.Uint32(b[8:])
	s.Size = le.Uint64(b[16:])
}

// PollFD is struct pollfd.
type PollFD struct {
	FD      int32
	Events  int16
	Revents int16
}

func (p *PollFD) Encode(b []byte) {
	le.PutUint32(b[0:], uint32(p.FD))
	le.PutUint16(b[4:], uint16(p.Events))
	le.PutUint16(b[6:], uint16(p.Revents))
}

func (p *PollFD) Decode(b []byte) {
	p.FD = int32(le.Uint32(b[0:]))
	p.Events = int16(le.Uint16(b[4:]))
	p.Revents = int16(le.Uint16(b[6:]))
}

// Sysinfo is struct sysinfo on a 64-bit kernel.
type Sysinfo struct {
	Uptime    int64
	Loads     [3]uint64
	Totalram  uint64
	Freeram   uint64
	Sharedram uint64
	Bufferram uint64
	Totalswap uint64
	Freeswap  uint64
	Procs     uint16
	Totalhigh uint64
	Freehigh  uint64
	MemUnit   uint32
}

func (s *Sysinfo) Encode(b []byte) {
	clear(b[:SizeofSysinfo])
	le.PutUint64(b[0:], uint64(s.Uptime))
	for i, l := range s.Loads {
		le.PutUint64(b[8+8*i:], l)
	}
	le.PutUint64(b[32:], s.Totalram)
	le.PutUint64(b[40:], s.Freeram)
	le.PutUint64(b[48:], s.Sharedram)
	le.PutUint64(b[56:], s.Bufferram)
	le.PutUint64(b[64:], s.Totalswap)
	le.PutUint64(b[72:], s.Freeswap)
	le.PutUint16(b[80:], s.Procs)
	le.PutUint64(b[88:], s.Totalhigh)
	le.PutUint64(b[96:], s.Freehigh)
	le.PutUint32(b[104:], s.MemUnit)
}

func (s *Sysinfo) Decode(b []byte) {
	s.Uptime = int64(le.Uint64(b[0:]))
	for i := range s.Loads {
		s.Loads[i] = le.Uint64(b[8+8*i:])
	}
	s.Totalram = le.Uint64(b[32:])
	s.Freeram = le.Uint64(b[40:])
	s.Sharedram = le.Uint64(b[48:])
	s.Bufferram = le.Uint64(b[56:])
	s.Totalswap = le.Uint64(b[64:])
	s.Freeswap = le.Uint64(b[72:])
	s.Procs = le.Uint16(b[80:])
	s.Totalhigh = le.Uint64(b[88:])
	s.Freehigh = le.Uint64(b[96:])
	s.MemUnit = le.Uint32(b[104:])
}

// Rusage is struct rusage: two timevals and fourteen longs.
type Rusage struct {
	Utime, Stime Timeval
	// Maxrss, Ixrss, Idrss, Isrss, Minflt, Majflt, Nswap, Inblock, Oublock,
	// Msgsnd, Msgrcv, Nsignals, Nvcsw, Nivcsw in kernel order.
	Longs [14]int64
}

func (r *Rusage) Encode(b []byte) {
	r.Utime.Encode(b[0:])
	r.Stime.Encode(b[16:])
	for i, v := range r.Longs {
		le.PutUint64(b[32+8*i:], uint64(v))
	}
}

func (r *Rusage) Decode(b []byte) {
	r.Utime.Decode(b[0:])
	r.Stime.Decode(b[16:])
	for i := range r.Longs {
		r.Longs[i] = int64(le.Uint64(b[32+8*i:]))
	}
}

// Tms is struct tms: four clock_t.
type Tms struct {
	Utime, Stime, Cutime, Cstime int64
}

func (t *Tms) Encode(b []byte) {
	le.PutUint64(b[0:], uint64(t.Utime))
	le.PutUint64(b[8:], uint64(t.Stime))
	le.PutUint64(b[16:], uint64(t.Cutime))
	le.PutUint64(b[24:], uint64(t.Cstime))
}

func (t *Tms) Decode(b []byte) {
	t.Utime = int64(le.Uint64(b[0:]))
	t.Stime = int64(le.Uint64(b[8:]))
	t.Cutime = int64(le.Uint64(b[16:]))
	t.Cstime = int64(le.Uint64(b[24:]))
}

// Flock is struct flock: type, whence (shorts), start, len (64-bit), pid.
type Flock struct {
	Type   int16
	Whence int16
	Start  int64
	Len    int64
	Pid    int32
}

func (f *Flock) Encode(b []byte) {
	clear(b[:SizeofFlock])
	le.PutUint16(b[0:], uint16(f.Type))
	le.PutUint16(b[2:], uint16(f.Whence))
	le.PutUint64(b[8:], uint64(f.Start))
	le.PutUint64(b[16:], uint64(f.Len))
	le.PutUint32(b[24:], uint32(f.Pid))
}

func (f *Flock) Decode(b []byte) {
	f.Type = int16(le.Uint16(b[0:]))
	f.Whence = int16(le.Uint16(b[2:]))
	f.Start = int64(le.Uint64(b[8:]))
	f.Len = int64(le.Uint64(b[16:]))
	f.Pid = int32(le.Uint32(b[24:]))
}

// Dirent64 is the fixed header of struct linux_dirent64; d_name follows it.
type Dirent64 struct {
	Ino    uint64
	Off    int64
	Reclen uint16
	Type   uint8
}

func (d *Dirent64) Decode(b []byte) {
	d.Ino = le.Uint64(b[0:])
	d.Off = int64(le.Uint64(b[8:]))
	d.Reclen = le.Uint16(b[16:])
	d.Type = b[18]
}
