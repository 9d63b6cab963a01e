package syscalls

import (
	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
)

// Path-based file system calls: open, stat, readlink, access, directories,
// links, renames, permissions. Paths go to the host as given (relative ones
// resolve against the host cwd, which is the guest's), except the guest's
// own /proc entries (procfs.go).

// dirFD returns the host directory descriptor for a *at call: AT_FDCWD for
// absolute paths (the kernel ignores dirfd then) and for guest AT_FDCWD,
// else the host fd behind guest dirfd (EBADF if it is not open).
func (c *call) dirFD(dirfd int32, path string) (int, linux.Errno) {
	if (path != "" && path[0] == '/') || dirfd == linux.AT_FDCWD {
		return unix.AT_FDCWD, 0
	}
	f, e := c.file(dirfd)
	if e != 0 {
		return -1, e
	}
	return f.fd, 0
}

// resolve reads a path argument and returns the host dirfd and path.
// emptyOK allows "" (AT_EMPTY_PATH); follow says whether the final
// component is followed (for /proc/self/exe).
func (c *call) resolve(dirfd int32, pathAddr uint64, emptyOK, follow bool) (int, string, linux.Errno) {
	return c.resolvePath(dirfd, pathAddr, emptyOK, follow, false)
}

// resolveLookup is resolve for the calls that use the -L prefix.
func (c *call) resolveLookup(dirfd int32, pathAddr uint64, emptyOK, follow bool) (int, string, linux.Errno) {
	return c.resolvePath(dirfd, pathAddr, emptyOK, follow, true)
}

// guestToHost turns a guest path into the host's: the guest's own /proc
// entries are rewritten (procfs.go); with lookup, the -L prefix applies to
// every other absolute path.
func (c *call) guestToHost(path string, follow, lookup bool) (string, linux.Errno) {
	if _, self := c.p.procSelf(path); self || !lookup {
		return c.hostPath(path, follow)
	}
	return c.prefixed(path), 0
}

func (c *call) resolvePath(dirfd int32, pathAddr uint64, emptyOK, follow, lookup bool) (int, string, linux.Errno) {
	var path string
	var e linux.Errno
	if emptyOK {
		if pathAddr != 0 { // a NULL path with AT_EMPTY_PATH is "" (Linux 6.11)
			path, e = c.pathOrEmpty(pathAddr)
		}
	} else {
		path, e = c.path(pathAddr)
	}
	if e != 0 {
		return -1, "", e
	}
	hp, e := c.guestToHost(path, follow, lookup)
	if e != 0 {
		return -1, "", e
	}
	dir, e := c.dirFD(dirfd, hp)
	if e != 0 {
		return -1, "", e
	}
	return dir, hp, 0
}

func sysOpen(c *call) (uint64, linux.Errno) {
	return c.openat(linux.AT_FDCWD, c.args.Pointer(0), c.args.Int(1), c.args.ModeT(2))
}

func sysOpenat(c *call) (uint64, linux.Errno) {
	return c.openat(c.args.FD(0), c.args.Pointer(1), c.args.Int(2), c.args.ModeT(3))
}

func sysCreat(c *call) (uint64, linux.Errno) {
	return c.openat(linux.AT_FDCWD, c.args.Pointer(0), linux.O_CREAT|linux.O_WRONLY|linux.O_TRUNC, c.args.ModeT(1))
}

func (c *call) openat(dirfd int32, pathAddr uint64, flags int32, mode uint32) (uint64, linux.Errno) {
	return c.open(dirfd, pathAddr, int(uint32(flags)), mode, 0, false)
}

// open is openat and openat2 (with resolve flags for the host's openat2).
func (c *call) open(dirfd int32, pathAddr uint64, g int, mode uint32, resolve uint64, openat2 bool) (uint64, linux.Errno) {
	path, e := c.path(pathAddr)
	if e != 0 {
		return 0, e
	}
	if g&(linux.O_CREAT|linux.O__TMPFILE) != 0 {
		mode &= 0o7777
	} else {
		mode = 0
	}
	// Linux reserves the descriptor before the lookup: EMFILE wins over ENOENT.
	if !c.haveFreeFD(0) {
		return 0, linux.EMFILE
	}
	var f *hostFile
	if data, ok := c.procContents(path); ok {
		hfd, e := procFile(path, data, g)
		if e != 0 {
			return 0, e
		}
		f = adoptFD(hfd)
	} else {
		hp, e := c.guestToHost(path, g&linux.O_NOFOLLOW == 0, true)
		if e != 0 {
			return 0, e
		}
		dir, e := c.dirFD(dirfd, hp)
		if e != 0 {
			return 0, e
		}
		// Opening a FIFO waits for its other end.
		fd, err := c.block(nil, 0, func() (int, error) {
			return openHost(dir, hp, hostOpenFlags(g)|unix.O_CLOEXEC, mode, resolve, openat2)
		})
		if err != nil {
			return 0, hostErrno(err)
		}
		if f, e = c.vetProcOpen(adoptFD(fd), g); e != 0 {
			return 0, e
		}
	}
	return c.install(0, f, g&linux.O_CLOEXEC != 0)
}

// guestStat converts a host struct stat into the guest's.
func guestStat(st *unix.Stat_t) linux.Stat {
	return linux.Stat{
		Dev:     uint64(st.Dev),
		Ino:     uint64(st.Ino),
		Nlink:   uint64(st.Nlink),
		Mode:    uint32(st.Mode),
		UID:     uint32(st.Uid),
		GID:     uint32(st.Gid),
		Rdev:    uint64(st.Rdev),
		Size:    int64(st.Size),
		Blksize: int64(st.Blksize),
		Blocks:  int64(st.Blocks),
		Atime:   linux.Timespec{Sec: int64(st.Atim.Sec), Nsec: int64(st.Atim.Nsec)},
		Mtime:   linux.Timespec{Sec: int64(st.Mtim.Sec), Nsec: int64(st.Mtim.Nsec)},
		Ctime:   linux.Timespec{Sec: int64(st.Ctim.Sec), Nsec: int64(st.Ctim.Nsec)},
	}
}

func (c *call) writeStat(addr uint64, st *unix.Stat_t) linux.Errno {
	var b [linux.SizeofStat]byte
	gs := guestStat(st)
	gs.Encode(b[:])
	return c.copyOut(addr, b[:])
}

func sysStat(c *call) (uint64, linux.Errno) {
	return c.fstatat(linux.AT_FDCWD, c.args.Pointer(0), c.args.Pointer(1), 0)
}

func sysLstat(c *call) (uint64, linux.Errno) {
	return c.fstatat(linux.AT_FDCWD, c.args.Pointer(0), c.args.Pointer(1), linux.AT_SYMLINK_NOFOLLOW)
}

func sysNewfstatat(c *call) (uint64, linux.Errno) {
	return c.fstatat(c.args.FD(0), c.args.Pointer(1), c.args.Pointer(2), c.args.Int(3))
}

func sysFstat(c *call) (uint64, linux.Errno) {
	f, e := c.file(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	var st unix.Stat_t
	if err := unix.Fstat(f.fd, &st); err != nil {
		return 0, hostErrno(err)
	}
	return 0, c.writeStat(c.args.Pointer(1), &st)
}

func (c *call) fstatat(dirfd int32, pathAddr, buf uint64, flags int32) (uint64, linux.Errno) {
	emptyOK := flags&linux.AT_EMPTY_PATH != 0
	dir, hp, e := c.resolveLookup(dirfd, pathAddr, emptyOK, flags&linux.AT_SYMLINK_NOFOLLOW == 0)
	if e != 0 {
		return 0, e
	}
	if flags&^(linux.AT_SYMLINK_NOFOLLOW|linux.AT_NO_AUTOMOUNT|linux.AT_EMPTY_PATH) != 0 {
		return 0, linux.EINVAL
	}
	var st unix.Stat_t
	if err := unix.Fstatat(dir, hp, &st, hostAtFlags(int(flags))); err != nil {
		return 0, hostErrno(err)
	}
	return 0, c.writeStat(buf, &st)
}

func sysStatx(c *call) (uint64, linux.Errno) {
	dirfd, flags, mask, buf := c.args.FD(0), c.args.Int(2), c.args.Uint(3), c.args.Pointer(4)
	dir, hp, e := c.resolveLookup(dirfd, c.args.Pointer(1), flags&linux.AT_EMPTY_PATH != 0,
		flags&linux.AT_SYMLINK_NOFOLLOW == 0)
	if e != 0 {
		return 0, e
	}
	if mask&linux.STATX__RESERVED != 0 || flags&linux.AT_STATX_SYNC_TYPE == linux.AT_STATX_SYNC_TYPE {
		return 0, linux.EINVAL
	}
	if flags&^(linux.AT_SYMLINK_NOFOLLOW|linux.AT_NO_AUTOMOUNT|linux.AT_EMPTY_PATH|linux.AT_STATX_SYNC_TYPE) != 0 {
		return 0, linux.EINVAL
	}
	var st unix.Statx_t
	if err := unix.Statx(dir, hp, hostAtFlags(int(flags)), int(mask), &st); err != nil {
		return 0, hostErrno(err)
	}
	ts := func(t unix.StatxTimestamp) linux.StatxTimestamp {
		return linux.StatxTimestamp{Sec: t.Sec, Nsec: t.Nsec}
	}
	gs := linux.Statx{
		Mask: st.Mask, Blksize: st.Blksize, Attributes: st.Attributes, Nlink: st.Nlink,
		UID: st.Uid, GID: st.Gid, Mode: st.Mode, Ino: st.Ino, Size: st.Size, Blocks: st.Blocks,
		AttributesMask: st.Attributes_mask,
		Atime:          ts(st.Atime), Btime: ts(st.Btime), Ctime: ts(st.Ctime), Mtime: ts(st.Mtime),
		RdevMajor: st.Rdev_major, RdevMinor: st.Rdev_minor, DevMajor: st.Dev_major, DevMinor: st.Dev_minor,
		MntID: st.Mnt_id, DioMemAlign: st.Dio_mem_align, DioOffsetAlign: st.Dio_offset_align,
		Subvol: st.Subvol, AtomicWriteUnitMin: st.Atomic_write_unit_min,
		AtomicWriteUnitMax: st.Atomic_write_unit_max, AtomicWriteSegmentsMax: st.Atomic_write_segments_max,
		DioReadOffsetAlign: st.Dio_read_offset_align, AtomicWriteUnitMaxOpt: st.Atomic_write_unit_max_opt,
	}
	var b [linux.SizeofStatx]byte
	gs.Encode(b[:])
	return 0, c.copyOut(buf, b[:])
}

func sysReadlink(c *call) (uint64, linux.Errno) {
	return c.readlinkat(linux.AT_FDCWD, c.args.Pointer(0), c.args.Pointer(1), c.args.Int(2))
}

func sysReadlinkat(c *call) (uint64, linux.Errno) {
	return c.readlinkat(c.args.FD(0), c.args.Pointer(1), c.args.Pointer(2), c.args.Int(3))
}

func (c *call) readlinkat(dirfd int32, pathAddr, buf uint64, size int32) (uint64, linux.Errno) {
	if size <= 0 {
		return 0, linux.EINVAL
	}
	path, e := c.pathOrEmpty(pathAddr)
	if e != 0 {
		return 0, e
	}
	target, e, ok := c.readlinkSelf(path)
	if !ok {
		hp := c.prefixed(path)
		dir, e := c.dirFD(dirfd, hp)
		if e != 0 {
			return 0, e
		}
		hb := make([]byte, min(int(size), linux.PATH_MAX))
		n, err := unix.Readlinkat(dir, hp, hb)
		if err != nil {
			return 0, hostErrno(err)
		}
		return uint64(n), c.copyOut(buf, hb[:n])
	}
	if e != 0 {
		return 0, e
	}
	if len(target) > int(size) {
		target = target[:size]
	}
	return uint64(len(target)), c.copyOut(buf, []byte(target))
}

func sysAccess(c *call) (uint64, linux.Errno) {
	return c.faccessat(linux.AT_FDCWD, c.args.Pointer(0), c.args.Int(1), 0)
}

func sysFaccessat(c *call) (uint64, linux.Errno) {
	return c.faccessat(c.args.FD(0), c.args.Pointer(1), c.args.Int(2), 0)
}

func sysFaccessat2(c *call) (uint64, linux.Errno) {
	return c.faccessat(c.args.FD(0), c.args.Pointer(1), c.args.Int(2), c.args.Int(3))
}

func (c *call) faccessat(dirfd int32, pathAddr uint64, mode, flags int32) (uint64, linux.Errno) {
	if mode&^(linux.R_OK|linux.W_OK|linux.X_OK) != 0 {
		return 0, linux.EINVAL
	}
	if flags&^(linux.AT_EACCESS|linux.AT_SYMLINK_NOFOLLOW|linux.AT_EMPTY_PATH) != 0 {
		return 0, linux.EINVAL
	}
	dir, hp, e := c.resolveLookup(dirfd, pathAddr, flags&linux.AT_EMPTY_PATH != 0, flags&linux.AT_SYMLINK_NOFOLLOW == 0)
	if e != 0 {
		return 0, e
	}
	hflags := hostAtFlags(int(flags &^ linux.AT_EACCESS))
	if flags&linux.AT_EACCESS != 0 {
		hflags |= unix.AT_EACCESS
	}
	var err error
	if hflags == 0 {
		err = unix.Faccessat(dir, hp, uint32(mode), 0)
	} else {
		err = unix.Faccessat2(dir, hp, uint32(mode), hflags)
	}
	return 0, hostErrno(err)
}

func sysGetcwd(c *call) (uint64, linux.Errno) {
	buf, size := c.args.Pointer(0), c.args.SizeT(1)
	hb := make([]byte, min(size, linux.PATH_MAX))
	n, err := unix.Getcwd(hb)
	if err != nil {
		return 0, hostErrno(err)
	}
	return uint64(n), c.copyOut(buf, hb[:n])
}

func sysChdir(c *call) (uint64, linux.Errno) {
	_, hp, e := c.resolve(linux.AT_FDCWD, c.args.Pointer(0), false, true)
	if e != 0 {
		return 0, e
	}
	if err := unix.Chdir(hp); err != nil {
		return 0, hostErrno(err)
	}
	c.p.cwdChanged()
	return 0, 0
}

func sysFchdir(c *call) (uint64, linux.Errno) {
	f, e := c.file(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	if err := unix.Fchdir(f.fd); err != nil {
		return 0, hostErrno(err)
	}
	c.p.cwdChanged()
	return 0, 0
}

func sysUnlink(c *call) (uint64, linux.Errno) {
	return c.unlinkat(linux.AT_FDCWD, c.args.Pointer(0), 0)
}

func sysRmdir(c *call) (uint64, linux.Errno) {
	return c.unlinkat(linux.AT_FDCWD, c.args.Pointer(0), linux.AT_REMOVEDIR)
}

func sysUnlinkat(c *call) (uint64, linux.Errno) {
	return c.unlinkat(c.args.FD(0), c.args.Pointer(1), c.args.Int(2))
}

func (c *call) unlinkat(dirfd int32, pathAddr uint64, flags int32) (uint64, linux.Errno) {
	if flags&^linux.AT_REMOVEDIR != 0 {
		return 0, linux.EINVAL
	}
	dir, hp, e := c.resolve(dirfd, pathAddr, false, false)
	if e != 0 {
		return 0, e
	}
	hflags := 0
	if flags&linux.AT_REMOVEDIR != 0 {
		hflags = unix.AT_REMOVEDIR
	}
	return 0, hostErrno(unix.Unlinkat(dir, hp, hflags))
}

func sysMkdir(c *call) (uint64, linux.Errno) {
	return c.mkdirat(linux.AT_FDCWD, c.args.Pointer(0), c.args.ModeT(1))
}

func sysMkdirat(c *call) (uint64, linux.Errno) {
	return c.mkdirat(c.args.FD(0), c.args.Pointer(1), c.args.ModeT(2))
}

func (c *call) mkdirat(dirfd int32, pathAddr uint64, mode uint32) (uint64, linux.Errno) {
	dir, hp, e := c.resolve(dirfd, pathAddr, false, false)
	if e != 0 {
		return 0, e
	}
	return 0, hostErrno(unix.Mkdirat(dir, hp, mode&0o7777))
}

func sysRename(c *call) (uint64, linux.Errno) {
	return c.renameat2(linux.AT_FDCWD, c.args.Pointer(0), linux.AT_FDCWD, c.args.Pointer(1), 0)
}

func sysRenameat(c *call) (uint64, linux.Errno) {
	return c.renameat2(c.args.FD(0), c.args.Pointer(1), c.args.FD(2), c.args.Pointer(3), 0)
}

func sysRenameat2(c *call) (uint64, linux.Errno) {
	return c.renameat2(c.args.FD(0), c.args.Pointer(1), c.args.FD(2), c.args.Pointer(3), c.args.Uint(4))
}

func (c *call) renameat2(olddir int32, oldAddr uint64, newdir int32, newAddr uint64, flags uint32) (uint64, linux.Errno) {
	if flags&^(linux.RENAME_NOREPLACE|linux.RENAME_EXCHANGE|linux.RENAME_WHITEOUT) != 0 {
		return 0, linux.EINVAL
	}
	if flags&(linux.RENAME_NOREPLACE|linux.RENAME_WHITEOUT) != 0 && flags&linux.RENAME_EXCHANGE != 0 {
		return 0, linux.EINVAL
	}
	od, op, e := c.resolve(olddir, oldAddr, false, false)
	if e != 0 {
		return 0, e
	}
	nd, np, e := c.resolve(newdir, newAddr, false, false)
	if e != 0 {
		return 0, e
	}
	var hflags uint
	if flags&linux.RENAME_NOREPLACE != 0 {
		hflags |= unix.RENAME_NOREPLACE
	}
	if flags&linux.RENAME_EXCHANGE != 0 {
		hflags |= unix.RENAME_EXCHANGE
	}
	if flags&linux.RENAME_WHITEOUT != 0 {
		hflags |= unix.RENAME_WHITEOUT
	}
	if hflags == 0 {
		return 0, hostErrno(unix.Renameat(od, op, nd, np))
	}
	return 0, hostErrno(unix.Renameat2(od, op, nd, np, hflags))
}

func sysLink(c *call) (uint64, linux.Errno) {
	return c.linkat(linux.AT_FDCWD, c.args.Pointer(0), linux.AT_FDCWD, c.args.Pointer(1), 0)
}

func sysLinkat(c *call) (uint64, linux.Errno) {
	return c.linkat(c.args.FD(0), c.args.Pointer(1), c.args.FD(2), c.args.Pointer(3), c.args.Int(4))
}

func (c *call) linkat(olddir int32, oldAddr uint64, newdir int32, newAddr uint64, flags int32) (uint64, linux.Errno) {
	if flags&^(linux.AT_SYMLINK_FOLLOW|linux.AT_EMPTY_PATH) != 0 {
		return 0, linux.EINVAL
	}
	od, op, e := c.resolve(olddir, oldAddr, flags&linux.AT_EMPTY_PATH != 0, flags&linux.AT_SYMLINK_FOLLOW != 0)
	if e != 0 {
		return 0, e
	}
	nd, np, e := c.resolve(newdir, newAddr, false, false)
	if e != 0 {
		return 0, e
	}
	return 0, hostErrno(unix.Linkat(od, op, nd, np, hostAtFlags(int(flags))))
}

func sysSymlink(c *call) (uint64, linux.Errno) {
	return c.symlinkat(c.args.Pointer(0), linux.AT_FDCWD, c.args.Pointer(1))
}

func sysSymlinkat(c *call) (uint64, linux.Errno) {
	return c.symlinkat(c.args.Pointer(0), c.args.FD(1), c.args.Pointer(2))
}

func (c *call) symlinkat(targetAddr uint64, newdir int32, newAddr uint64) (uint64, linux.Errno) {
	target, e := c.path(targetAddr)
	if e != 0 {
		return 0, e
	}
	nd, np, e := c.resolve(newdir, newAddr, false, false)
	if e != 0 {
		return 0, e
	}
	return 0, hostErrno(unix.Symlinkat(target, nd, np))
}

func sysChmod(c *call) (uint64, linux.Errno) {
	return c.fchmodat(linux.AT_FDCWD, c.args.Pointer(0), c.args.ModeT(1))
}

func sysFchmodat(c *call) (uint64, linux.Errno) {
	return c.fchmodat(c.args.FD(0), c.args.Pointer(1), c.args.ModeT(2))
}

func (c *call) fchmodat(dirfd int32, pathAddr uint64, mode uint32) (uint64, linux.Errno) {
	dir, hp, e := c.resolve(dirfd, pathAddr, false, true)
	if e != 0 {
		return 0, e
	}
	return 0, hostErrno(unix.Fchmodat(dir, hp, mode&0o7777, 0))
}

func sysFchmod(c *call) (uint64, linux.Errno) {
	f, e := c.file(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	return 0, hostErrno(unix.Fchmod(f.fd, c.args.ModeT(1)&0o7777))
}

func sysChown(c *call) (uint64, linux.Errno) {
	return c.fchownat(linux.AT_FDCWD, c.args.Pointer(0), c.args.Uint(1), c.args.Uint(2), 0)
}

func sysLchown(c *call) (uint64, linux.Errno) {
	return c.fchownat(linux.AT_FDCWD, c.args.Pointer(0), c.args.Uint(1), c.args.Uint(2), linux.AT_SYMLINK_NOFOLLOW)
}

func sysFchownat(c *call) (uint64, linux.Errno) {
	return c.fchownat(c.args.FD(0), c.args.Pointer(1), c.args.Uint(2), c.args.Uint(3), c.args.Int(4))
}

func (c *call) fchownat(dirfd int32, pathAddr uint64, uid, gid uint32, flags int32) (uint64, linux.Errno) {
	if flags&^(linux.AT_SYMLINK_NOFOLLOW|linux.AT_EMPTY_PATH) != 0 {
		return 0, linux.EINVAL
	}
	dir, hp, e := c.resolve(dirfd, pathAddr, flags&linux.AT_EMPTY_PATH != 0, flags&linux.AT_SYMLINK_NOFOLLOW == 0)
	if e != 0 {
		return 0, e
	}
	return 0, hostErrno(unix.Fchownat(dir, hp, int(int32(uid)), int(int32(gid)), hostAtFlags(int(flags))))
}

func sysFchown(c *call) (uint64, linux.Errno) {
	f, e := c.file(c.args.FD(0))
	if e != 0 {
		return 0, e
	}
	return 0, hostErrno(unix.Fchown(f.fd, int(c.args.Int(1)), int(c.args.Int(2))))
}

func sysUmask(c *call) (uint64, linux.Errno) {
	return uint64(unix.Umask(int(c.args.Int(0) & 0o777))), 0
}

func sysTruncate(c *call) (uint64, linux.Errno) {
	_, hp, e := c.resolve(linux.AT_FDCWD, c.args.Pointer(0), false, true)
	if e != 0 {
		return 0, e
	}
	return 0, hostErrno(unix.Truncate(hp, c.args.OffT(1)))
}
