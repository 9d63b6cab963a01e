package syscalls

import (
	"syscall"

	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
)

// Credentials, groups and personality. The uid/gid calls pass through to
// the host (the guest is gemu's process as far as the host knows); the set
// calls go through package syscall, which applies them to every host
// thread as Linux applies them to every thread of the guest process.

func sysSetuid(c *call) (uint64, linux.Errno) {
	return 0, hostErrno(syscall.Setuid(int(c.args.Int(0))))
}

func sysSetgid(c *call) (uint64, linux.Errno) {
	return 0, hostErrno(syscall.Setgid(int(c.args.Int(0))))
}

func sysSetreuid(c *call) (uint64, linux.Errno) {
	return 0, hostErrno(syscall.Setreuid(int(c.args.Int(0)), int(c.args.Int(1))))
}

func sysSetregid(c *call) (uint64, linux.Errno) {
	return 0, hostErrno(syscall.Setregid(int(c.args.Int(0)), int(c.args.Int(1))))
}

func sysSetresuid(c *call) (uint64, linux.Errno) {
	return 0, hostErrno(syscall.Setresuid(int(c.args.Int(0)), int(c.args.Int(1)), int(c.args.Int(2))))
}

func sysSetresgid(c *call) (uint64, linux.Errno) {
	return 0, hostErrno(syscall.Setresgid(int(c.args.Int(0)), int(c.args.Int(1)), int(c.args.Int(2))))
}

// setfsuid and setfsgid return the previous id and never fail.
func sysSetfsuid(c *call) (uint64, linux.Errno) {
	old, _ := unix.SetfsuidRetUid(int(c.args.Int(0)))
	return uint64(uint32(old)), 0
}

func sysSetfsgid(c *call) (uint64, linux.Errno) {
	old, _ := unix.SetfsgidRetGid(int(c.args.Int(0)))
	return uint64(uint32(old)), 0
}

func sysGetresuid(c *call) (uint64, linux.Errno) {
	r, e, s := unix.Getresuid()
	return 0, c.writeIDs(r, e, s)
}

func sysGetresgid(c *call) (uint64, linux.Errno) {
	r, e, s := unix.Getresgid()
	return 0, c.writeIDs(r, e, s)
}

// writeIDs stores three ids at arguments 0-2, in order, as put_user does.
func (c *call) writeIDs(ids ...int) linux.Errno {
	for i, id := range ids {
		if e := c.writeU32(c.args.Pointer(i), uint32(id)); e != 0 {
			return e
		}
	}
	return 0
}

// ngroupsMax is NGROUPS_MAX.
const ngroupsMax = 65536

func sysGetgroups(c *call) (uint64, linux.Errno) {
	size, addr := c.args.Int(0), c.args.Pointer(1)
	if size < 0 {
		return 0, linux.EINVAL
	}
	gids, err := unix.Getgroups()
	if err != nil {
		return 0, hostErrno(err)
	}
	if size == 0 {
		return uint64(len(gids)), 0
	}
	if len(gids) > int(size) {
		return 0, linux.EINVAL
	}
	b := make([]byte, 4*len(gids))
	for i, g := range gids {
		le.PutUint32(b[4*i:], uint32(g))
	}
	return uint64(len(gids)), c.copyOut(addr, b)
}

func sysSetgroups(c *call) (uint64, linux.Errno) {
	size, addr := c.args.Int(0), c.args.Pointer(1)
	if uint32(size) > ngroupsMax {
		// The permission check comes first: ask the host, which fails
		// either way without changing anything.
		_, _, errno := unix.RawSyscall(unix.SYS_SETGROUPS, uintptr(uint32(size)), 0, 0)
		return 0, hostErrno(errno)
	}
	raw, e := c.copyIn(addr, 4*int(size))
	if e != 0 {
		// As above: EPERM for an unprivileged caller, else EFAULT.
		_, _, errno := unix.RawSyscall(unix.SYS_SETGROUPS, uintptr(size), 0, 0)
		if errno != unix.EFAULT {
			return 0, hostErrno(errno)
		}
		return 0, e
	}
	gids := make([]int, size)
	for i := range gids {
		gids[i] = int(le.Uint32(raw[4*i:]))
	}
	return 0, hostErrno(syscall.Setgroups(gids))
}

func sysPersonality(c *call) (uint64, linux.Errno) {
	persona := c.args.Uint(0)
	p := c.p
	p.mu.Lock()
	defer p.mu.Unlock()
	old := p.sys.personality
	if persona != linux.PersonalityQuery {
		p.sys.personality = persona
	}
	return uint64(old), 0
}
