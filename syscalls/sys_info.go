package syscalls

import (
	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
)

// System information: uname, sysinfo, getrandom.

func sysUname(c *call) (uint64, linux.Errno) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return 0, hostErrno(err)
	}
	g := linux.Utsname{
		Sysname:    linux.CString(u.Sysname[:]),
		Nodename:   linux.CString(u.Nodename[:]),
		Release:    linux.CString(u.Release[:]),
		Version:    linux.CString(u.Version[:]),
		Machine:    "x86_64", // the guest's machine, whatever the host's
		Domainname: linux.CString(u.Domainname[:]),
	}
	var b [linux.SizeofUtsname]byte
	g.Encode(b[:])
	return 0, c.copyOut(c.args.Pointer(0), b[:])
}

func sysSysinfo(c *call) (uint64, linux.Errno) {
	var si unix.Sysinfo_t
	if err := unix.Sysinfo(&si); err != nil {
		return 0, hostErrno(err)
	}
	g := linux.Sysinfo{
		Uptime:    int64(si.Uptime),
		Loads:     [3]uint64{uint64(si.Loads[0]), uint64(si.Loads[1]), uint64(si.Loads[2])},
		Totalram:  uint64(si.Totalram),
		Freeram:   uint64(si.Freeram),
		Sharedram: uint64(si.Sharedram),
		Bufferram: uint64(si.Bufferram),
		Totalswap: uint64(si.Totalswap),
		Freeswap:  uint64(si.Freeswap),
		Procs:     si.Procs,
		Totalhigh: uint64(si.Totalhigh),
		Freehigh:  uint64(si.Freehigh),
		MemUnit:   si.Unit,
	}
	var b [linux.SizeofSysinfo]byte
	g.Encode(b[:])
	return 0, c.copyOut(c.args.Pointer(0), b[:])
}

func sysGetrandom(c *call) (uint64, linux.Errno) {
	addr, count, flags := c.args.Pointer(0), c.args.SizeT(1), c.args.Uint(2)
	if flags&^(linux.GRND_NONBLOCK|linux.GRND_RANDOM|linux.GRND_INSECURE) != 0 {
		return 0, linux.EINVAL
	}
	if flags&(linux.GRND_INSECURE|linux.GRND_RANDOM) == linux.GRND_INSECURE|linux.GRND_RANDOM {
		return 0, linux.EINVAL
	}
	count = min(count, 1<<31-1) // INT_MAX
	if !rangeOK(addr, count) {
		return 0, linux.EFAULT
	}
	hflags := 0
	if flags&linux.GRND_NONBLOCK != 0 {
		hflags |= unix.GRND_NONBLOCK
	}
	if flags&linux.GRND_RANDOM != 0 {
		hflags |= unix.GRND_RANDOM
	}
	if flags&linux.GRND_INSECURE != 0 {
		hflags |= unix.GRND_INSECURE
	}
	buf := make([]byte, min(count, chunkSize))
	var done uint64
	for done < count {
		want := min(count-done, chunkSize)
		n, err := c.p.random(buf[:want], hflags)
		if err != nil {
			if done > 0 {
				break
			}
			return 0, hostErrno(err)
		}
		got := c.writePartial(addr+done, buf[:n])
		done += uint64(got)
		if got < n {
			if done == 0 {
				return 0, linux.EFAULT
			}
			break
		}
		if uint64(n) < want {
			break
		}
	}
	return done, 0
}
