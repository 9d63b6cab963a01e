package syscalls

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
)

// File system calls beyond the basics of sys_file.go: openat2, statfs,
// timestamps, mknod, fallocate and the sync family, fadvise, the old
// getdents, fchmodat2, memfd_create and flock.

// validOpenFlags are the open flags openat2 accepts (VALID_OPEN_FLAGS).
const validOpenFlags = linux.O_ACCMODE | linux.O_CREAT | linux.O_EXCL | linux.O_NOCTTY | linux.O_TRUNC |
	linux.O_APPEND | linux.O_NONBLOCK | linux.O_DSYNC | linux.O_ASYNC | linux.O_DIRECT | linux.O_LARGEFILE |
	linux.O_DIRECTORY | linux.O_NOFOLLOW | linux.O_NOATIME | linux.O_CLOEXEC | linux.O__SYNC | linux.O_PATH |
	linux.O__TMPFILE

func sysOpenat2(c *call) (uint64, linux.Errno) {
	dirfd, pathAddr, howAddr, size := c.args.FD(0), c.args.Pointer(1), c.args.Pointer(2), c.args.SizeT(3)
	if size < linux.SizeofOpenHow {
		return 0, linux.EINVAL
	}
	if size > mmuPageSize {
		return 0, linux.E2BIG
	}
	raw, e := c.copyIn(howAddr, int(size))
	if e != 0 {
		return 0, e
	}
	for _, b := range raw[linux.SizeofOpenHow:] {
		if b != 0 {
			return 0, linux.E2BIG // a newer struct with fields gemu does not know
		}
	}
	var how linux.OpenHow
	how.Decode(raw)
	const validResolve = linux.RESOLVE_NO_XDEV | linux.RESOLVE_NO_MAGICLINKS | linux.RESOLVE_NO_SYMLINKS |
		linux.RESOLVE_BENEATH | linux.RESOLVE_IN_ROOT | linux.RESOLVE_CACHED
	flags := how.Flags
	switch {
	case flags&^validOpenFlags != 0, how.Resolve&^validResolve != 0,
		how.Resolve&(linux.RESOLVE_BENEATH|linux.RESOLVE_IN_ROOT) == linux.RESOLVE_BENEATH|linux.RESOLVE_IN_ROOT:
		return 0, linux.EINVAL
	case flags&(linux.O_CREAT|linux.O__TMPFILE) != 0:
		if how.Mode&^0o7777 != 0 {
			return 0, linux.EINVAL
		}
	case how.Mode != 0:
		return 0, linux.EINVAL
	}
	if flags&linux.O__TMPFILE != 0 {
		if flags&linux.O_TMPFILE != linux.O_TMPFILE || flags&linux.O_ACCMODE == linux.O_RDONLY {
			return 0, linux.EINVAL
		}
	}
	if flags&linux.O_PATH != 0 && flags&^(linux.O_DIRECTORY|linux.O_NOFOLLOW|linux.O_PATH|linux.O_CLOEXEC) != 0 {
		return 0, linux.EINVAL
	}
	if how.Resolve&linux.RESOLVE_CACHED != 0 && flags&(linux.O_TRUNC|linux.O_CREAT|linux.O__TMPFILE) != 0 {
		return 0, linux.EAGAIN
	}
	return c.open(dirfd, pathAddr, int(flags), uint32(how.Mode), how.Resolve, true)
}

// mmuPageSize is the guest page size (PAGE_SIZE).
const mmuPageSize = 4096

// openHost opens a host path for openat or openat2 (resolve != 0 or
// useOpenat2 selects the host's openat2, which knows the resolve flags).
func openHost(dir int, path string, hflags int, mode uint32, resolve uint64, useOpenat2 bool) (int, error) {
	if !useOpenat2 {
		return unix.Openat(dir, path, hflags, mode)
	}
	return unix.Openat2(dir, path, &unix.OpenHow{Flags: uint64(hflags), Mode: uint64(mode), Resolve: resolve})
}

func sysStatfs(c *call) (uint64, linux.Errno) {
	_, hp, e := c.resolveLookup(linux.AT_FDCWD, c.args.Pointer(0), false, true)
	if e != 0 {
		return 0, e
	}
	var st unix.Statfs_t
	if err := unix.Statfs(hp, &st); err != nil {
		return 0, hostErrno(err)
	}
	return 0, c.writeStatfs(c.args.Pointer(1), &st)
}

func sysFstatfs(c *call) (uint64, linux.Errno) {
	f, e := c.file(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	var st unix.Statfs_t
	if err := unix.Fstatfs(f.fd, &st); err != nil {
		return 0, hostErrno(err)
	}
	return 0, c.writeStatfs(c.args.Pointer(1), &st)
}

func (c *call) writeStatfs(addr uint64, st *unix.Statfs_t) linux.Errno {
	g := linux.Statfs{
		Type: int64(st.Type), Bsize: int64(st.Bsize), Blocks: uint64(st.Blocks), Bfree: uint64(st.Bfree),
		Bavail: uint64(st.Bavail), Files: uint64(st.Files), Ffree: uint64(st.Ffree),
		Fsid:    [2]int32{int32(st.Fsid.Val[0]), int32(st.Fsid.Val[1])},
		Namelen: int64(st.Namelen), Frsize: int64(st.Frsize), Flags: int64(st.Flags),
	}
	var b [linux.SizeofStatfs]byte
	g.Encode(b[:])
	return c.copyOut(addr, b[:])
}

// utimesNanoAt calls the host's utimensat with a path that may be NULL
// (times on the descriptor itself) and times that may be nil (now).
func utimesNanoAt(dir int, path *string, ts *[2]unix.Timespec, flags int) error {
	var pp, tp unsafe.Pointer
	if path != nil {
		b, err := unix.BytePtrFromString(*path)
		if err != nil {
			return err
		}
		pp = unsafe.Pointer(b)
	}
	if ts != nil {
		tp = unsafe.Pointer(&ts[0])
	}
	_, _, errno := unix.Syscall6(unix.SYS_UTIMENSAT, uintptr(dir), uintptr(pp), uintptr(tp), uintptr(flags), 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

// validUtimeNsec is the kernel's nsec_valid.
func validUtimeNsec(ns int64) bool {
	return ns == linux.UTIME_NOW || ns == linux.UTIME_OMIT || (ns >= 0 && ns < 1e9)
}

func sysUtimensat(c *call) (uint64, linux.Errno) {
	dirfd, pathAddr, timesAddr, flags := c.args.FD(0), c.args.Pointer(1), c.args.Pointer(2), c.args.Int(3)
	var ts *[2]unix.Timespec
	if timesAddr != 0 {
		var b [2 * linux.SizeofTimespec]byte
		if e := c.readMem(timesAddr, b[:]); e != 0 {
			return 0, e
		}
		var g [2]linux.Timespec
		g[0].Decode(b[0:])
		g[1].Decode(b[16:])
		if !validUtimeNsec(g[0].Nsec) || !validUtimeNsec(g[1].Nsec) {
			return 0, linux.EINVAL
		}
		ts = &[2]unix.Timespec{{Sec: g[0].Sec, Nsec: g[0].Nsec}, {Sec: g[1].Sec, Nsec: g[1].Nsec}}
	}
	if flags&^(linux.AT_SYMLINK_NOFOLLOW|linux.AT_EMPTY_PATH) != 0 {
		return 0, linux.EINVAL
	}
	return c.utimes(dirfd, pathAddr, ts, flags, true)
}

// utimes sets timestamps; nullPathOK allows a NULL path (utimensat's
// "the descriptor itself").
func (c *call) utimes(dirfd int32, pathAddr uint64, ts *[2]unix.Timespec, flags int32, nullPathOK bool) (uint64, linux.Errno) {
	hflags := hostAtFlags(int(flags))
	if pathAddr == 0 && nullPathOK {
		if flags&linux.AT_SYMLINK_NOFOLLOW != 0 {
			return 0, linux.EINVAL
		}
		dir := unix.AT_FDCWD
		if dirfd != linux.AT_FDCWD {
			f, e := c.file(dirfd)
			if e != 0 {
				return 0, e
			}
			dir = f.fd
		}
		return 0, hostErrno(utimesNanoAt(dir, nil, ts, 0))
	}
	dir, hp, e := c.resolve(dirfd, pathAddr, flags&linux.AT_EMPTY_PATH != 0, flags&linux.AT_SYMLINK_NOFOLLOW == 0)
	if e != 0 {
		return 0, e
	}
	return 0, hostErrno(utimesNanoAt(dir, &hp, ts, hflags))
}

// readTimevals reads the struct timeval[2] of utimes and futimesat.
func (c *call) readTimevals(addr uint64) (*[2]unix.Timespec, linux.Errno) {
	if addr == 0 {
		return nil, 0
	}
	var b [2 * linux.SizeofTimeval]byte
	if e := c.readMem(addr, b[:]); e != 0 {
		return nil, e
	}
	var ts [2]unix.Timespec
	for i := range ts {
		var tv linux.Timeval
		tv.Decode(b[16*i:])
		if tv.Usec < 0 || tv.Usec >= 1e6 {
			return nil, linux.EINVAL
		}
		ts[i] = unix.Timespec{Sec: tv.Sec, Nsec: tv.Usec * 1000}
	}
	return &ts, 0
}

func sysUtimes(c *call) (uint64, linux.Errno) {
	ts, e := c.readTimevals(c.args.Pointer(1))
	if e != 0 {
		return 0, e
	}
	return c.utimes(linux.AT_FDCWD, c.args.Pointer(0), ts, 0, false)
}

func sysFutimesat(c *call) (uint64, linux.Errno) {
	ts, e := c.readTimevals(c.args.Pointer(2))
	if e != 0 {
		return 0, e
	}
	return c.utimes(c.args.FD(0), c.args.Pointer(1), ts, 0, true)
}

func sysUtime(c *call) (uint64, linux.Errno) {
	var ts *[2]unix.Timespec
	if addr := c.args.Pointer(1); addr != 0 {
		var b [linux.SizeofUtimbuf]byte
		if e := c.readMem(addr, b[:]); e != 0 {
			return 0, e
		}
		ts = &[2]unix.Timespec{{Sec: int64(le.Uint64(b[0:]))}, {Sec: int64(le.Uint64(b[8:]))}}
	}
	return c.utimes(linux.AT_FDCWD, c.args.Pointer(0), ts, 0, false)
}

func sysMknod(c *call) (uint64, linux.Errno) {
	return c.mknodat(linux.AT_FDCWD, c.args.Pointer(0), c.args.ModeT(1), c.args.Uint(2))
}

func sysMknodat(c *call) (uint64, linux.Errno) {
	return c.mknodat(c.args.FD(0), c.args.Pointer(1), c.args.ModeT(2), c.args.Uint(3))
}

func (c *call) mknodat(dirfd int32, pathAddr uint64, mode, dev uint32) (uint64, linux.Errno) {
	dir, hp, e := c.resolve(dirfd, pathAddr, false, false)
	if e != 0 {
		return 0, e
	}
	// S_IFMT bits and the device encoding are the same on every Linux.
	return 0, hostErrno(unix.Mknodat(dir, hp, mode&(linux.S_IFMT|0o7777), int(dev)))
}

func sysFallocate(c *call) (uint64, linux.Errno) {
	f, e := c.file(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	// FALLOC_FL_* are the same on every architecture.
	return 0, hostErrno(unix.Fallocate(f.fd, c.args.Uint(1), c.args.OffT(2), c.args.OffT(3)))
}

func sysSyncFileRange(c *call) (uint64, linux.Errno) {
	f, e := c.file(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	return 0, hostErrno(unix.SyncFileRange(f.fd, c.args.OffT(1), c.args.OffT(2), int(c.args.Uint(3))))
}

func sysSync(c *call) (uint64, linux.Errno) {
	unix.Sync()
	return 0, 0
}

func sysSyncfs(c *call) (uint64, linux.Errno) {
	f, e := c.file(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	return 0, hostErrno(unix.Syncfs(f.fd))
}

func sysFadvise64(c *call) (uint64, linux.Errno) {
	f, e := c.file(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	// POSIX_FADV_NORMAL..NOREUSE are 0..5 on x86-64; s390x numbers two
	// of them differently, so they are mapped. An unknown advice becomes
	// one no host accepts, so the host reports the kernel's errno order.
	advice := -1
	switch c.args.Int(3) {
	case 0:
		advice = unix.FADV_NORMAL
	case 1:
		advice = unix.FADV_RANDOM
	case 2:
		advice = unix.FADV_SEQUENTIAL
	case 3:
		advice = unix.FADV_WILLNEED
	case 4:
		advice = unix.FADV_DONTNEED
	case 5:
		advice = unix.FADV_NOREUSE
	}
	return 0, hostErrno(unix.Fadvise(f.fd, c.args.OffT(1), c.args.OffT(2), advice))
}

func sysReadahead(c *call) (uint64, linux.Errno) {
	f, e := c.file(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	_, _, errno := unix.Syscall(unix.SYS_READAHEAD, uintptr(f.fd), uintptr(c.args.OffT(1)), uintptr(c.args.SizeT(2)))
	if errno != 0 {
		return 0, hostErrno(errno)
	}
	return 0, 0
}

// sysGetdents is the old getdents: the host's linux_dirent64 records are
// rewritten as struct linux_dirent, which has the same size for every name
// (d_type moves from before the name to the record's last byte).
func sysGetdents(c *call) (uint64, linux.Errno) {
	f, e := c.file(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	buf, count := c.args.Pointer(1), uint64(c.args.Uint(2))
	if !rangeOK(buf, count) {
		return 0, linux.EFAULT
	}
	if f.synth != nil {
		return c.synthGetdents(f, buf, count, false)
	}
	start, err := unix.Seek(f.fd, 0, unix.SEEK_CUR)
	if err != nil {
		start = -1
	}
	hb := make([]byte, min(count, chunkSize))
	n, err := retryEINTR(func() (int, error) { return unix.Getdents(f.fd, hb) })
	if err != nil {
		return 0, hostErrno(err)
	}
	for off := 0; off+linux.SizeofDirent64Header <= n; {
		var d linux.Dirent64
		d.Decode(hb[off:])
		rec := hb[off : off+int(d.Reclen)]
		name := linux.CString(rec[linux.SizeofDirent64Header:])
		toOldDirent(rec, name, d.Type)
		off += int(d.Reclen)
	}
	return c.copyDirents(f, buf, hb[:n], start)
}

// toOldDirent rewrites one linux_dirent64 record in place as linux_dirent.
func toOldDirent(rec []byte, name string, typ uint8) {
	clear(rec[linux.SizeofDirentOld:])
	copy(rec[linux.SizeofDirentOld:], name)
	rec[len(rec)-1] = typ
}

// copyDirents copies directory records to the guest; if the buffer faults
// part way, the records that landed are returned and the directory is
// repositioned after the last of them, as the kernel does.
func (c *call) copyDirents(f *hostFile, buf uint64, recs []byte, start int64) (uint64, linux.Errno) {
	got := c.writePartial(buf, recs)
	if got == len(recs) {
		return uint64(len(recs)), 0
	}
	end, pos := 0, start
	for end+linux.SizeofDirent64Header <= len(recs) {
		reclen := int(le.Uint16(recs[end+16:]))
		if reclen == 0 || end+reclen > got {
			break
		}
		pos = int64(le.Uint64(recs[end+8:]))
		end += reclen
	}
	if pos >= 0 {
		unix.Seek(f.fd, pos, unix.SEEK_SET)
	}
	if end == 0 {
		return 0, linux.EFAULT
	}
	return uint64(end), 0
}

func sysFchmodat2(c *call) (uint64, linux.Errno) {
	dirfd, pathAddr, mode, flags := c.args.FD(0), c.args.Pointer(1), c.args.ModeT(2), c.args.Int(3)
	if flags&^(linux.AT_SYMLINK_NOFOLLOW|linux.AT_EMPTY_PATH) != 0 {
		return 0, linux.EINVAL
	}
	dir, hp, e := c.resolve(dirfd, pathAddr, flags&linux.AT_EMPTY_PATH != 0, flags&linux.AT_SYMLINK_NOFOLLOW == 0)
	if e != 0 {
		return 0, e
	}
	p, err := unix.BytePtrFromString(hp)
	if err != nil {
		return 0, hostErrno(err)
	}
	_, _, errno := unix.Syscall6(unix.SYS_FCHMODAT2, uintptr(dir), uintptr(unsafe.Pointer(p)),
		uintptr(mode&0o7777), uintptr(hostAtFlags(int(flags))), 0, 0)
	if errno != 0 {
		return 0, hostErrno(errno)
	}
	return 0, 0
}

func sysMemfdCreate(c *call) (uint64, linux.Errno) {
	nameAddr, flags := c.args.Pointer(0), c.args.Uint(1)
	const known = linux.MFD_CLOEXEC | linux.MFD_ALLOW_SEALING | linux.MFD_HUGETLB | linux.MFD_NOEXEC_SEAL | linux.MFD_EXEC
	if flags&linux.MFD_HUGETLB == 0 {
		if flags&^known != 0 {
			return 0, linux.EINVAL
		}
	} else if flags&^(known|linux.MFD_HUGE_MASK<<linux.MFD_HUGE_SHIFT) != 0 {
		return 0, linux.EINVAL
	}
	if flags&(linux.MFD_NOEXEC_SEAL|linux.MFD_EXEC) == linux.MFD_NOEXEC_SEAL|linux.MFD_EXEC {
		return 0, linux.EINVAL
	}
	var buf [linux.MFD_NAME_MAX + 1]byte
	n := c.readPartial(nameAddr, buf[:])
	end := -1
	for i, b := range buf[:n] {
		if b == 0 {
			end = i
			break
		}
	}
	switch {
	case end < 0 && n < len(buf):
		return 0, linux.EFAULT
	case end < 0:
		return 0, linux.EINVAL // longer than MFD_NAME_MAX
	}
	if !c.haveFreeFD(0) {
		return 0, linux.EMFILE
	}
	fd, err := unix.MemfdCreate(string(buf[:end]), int(flags&^linux.MFD_CLOEXEC)|unix.MFD_CLOEXEC)
	if err != nil {
		return 0, hostErrno(err)
	}
	return c.install(0, adoptFD(fd), flags&linux.MFD_CLOEXEC != 0)
}

func sysFlock(c *call) (uint64, linux.Errno) {
	f, e := c.file(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	op := c.args.Uint(1)
	switch op &^ linux.LOCK_NB {
	case linux.LOCK_SH, linux.LOCK_EX, linux.LOCK_UN:
	default:
		return 0, linux.EINVAL
	}
	// LOCK_* are the same values on every Linux.
	_, err := c.block(f, 0, func() (int, error) { return 0, unix.Flock(f.fd, int(op)) })
	return 0, hostErrno(err)
}
