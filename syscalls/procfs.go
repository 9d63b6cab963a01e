package syscalls

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
	"gemu/mmu"
)

// The few /proc entries whose host answer would describe gemu rather than
// the guest: exe, cmdline, environ, auxv, maps and fd/N of /proc/self,
// /proc/thread-self and /proc/<own pid>. Everything else under /proc is the
// host's.

// procSelf returns the rest of path after the guest's own /proc directory.
func (p *Process) procSelf(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, "/proc/")
	if !ok {
		return "", false
	}
	dir, rest, ok := strings.Cut(rest, "/")
	if !ok {
		return "", false
	}
	switch dir {
	case "self", "thread-self", strconv.Itoa(p.pid):
		return rest, true
	}
	return "", false
}

// procFD parses "fd/N" and returns guest fd N.
func procFD(rest string) (int32, bool) {
	s, ok := strings.CutPrefix(rest, "fd/")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil || n < 0 {
		return 0, false
	}
	return int32(n), true
}

// hostPath rewrites the guest's own /proc paths into host paths: exe (when
// the call follows symlinks) becomes Config.Exe and fd/N the host's link for
// the host descriptor behind guest fd N. Other paths are returned as given.
func (c *call) hostPath(path string, follow bool) (string, linux.Errno) {
	rest, ok := c.p.procSelf(path)
	if !ok {
		return path, 0
	}
	if rest == "exe" && follow {
		return c.p.cfg.Exe, 0
	}
	if fd, ok := procFD(rest); ok {
		f, e := c.file(fd)
		if e != 0 {
			return "", linux.ENOENT
		}
		return "/proc/self/fd/" + strconv.Itoa(f.fd), 0
	}
	return path, 0
}

// readlinkSelf answers readlink for the guest's own /proc links; ok is
// false when path is not one of them.
func (c *call) readlinkSelf(path string) (target string, e linux.Errno, ok bool) {
	rest, ok := c.p.procSelf(path)
	if !ok {
		return "", 0, false
	}
	if rest == "exe" {
		return c.p.cfg.Exe, 0, true
	}
	if _, ok := procFD(rest); ok {
		hp, e := c.hostPath(path, false)
		if e != 0 {
			return "", e, true
		}
		buf := make([]byte, linux.PATH_MAX)
		n, err := unix.Readlink(hp, buf)
		if err != nil {
			return "", hostErrno(err), true
		}
		return string(buf[:n]), 0, true
	}
	return "", 0, false
}

// procContents returns the synthesized contents of a /proc/self file the
// guest opens, or ok=false.
func (c *call) procContents(path string) (data []byte, ok bool) {
	rest, ok := c.p.procSelf(path)
	if !ok {
		return nil, false
	}
	cfg := &c.p.cfg
	switch rest {
	case "cmdline":
		return nulJoin(cfg.Args), true
	case "environ":
		return nulJoin(cfg.Env), true
	case "auxv":
		return bytes.Clone(cfg.Auxv), true
	case "maps":
		return formatMaps(c.p.mem.Mappings()), true
	}
	return nil, false
}

func nulJoin(ss []string) []byte {
	var b []byte
	for _, s := range ss {
		b = append(b, s...)
		b = append(b, 0)
	}
	return b
}

// formatMaps renders regions like Linux's /proc/PID/maps: the name starts
// in column 73 (show_map_vma pads to 25 + 6*sizeof(void*) - 1), and a line
// without a name ends with a space.
func formatMaps(regions []mmu.Region) []byte {
	var b bytes.Buffer
	for _, r := range regions {
		perm := []byte("---p")
		if r.Perm&mmu.PermRead != 0 {
			perm[0] = 'r'
		}
		if r.Perm&mmu.PermWrite != 0 {
			perm[1] = 'w'
		}
		if r.Perm&mmu.PermExec != 0 {
			perm[2] = 'x'
		}
		if r.Shared {
			perm[3] = 's'
		}
		line := fmt.Sprintf("%08x-%08x %s %08x %02x:%02x %d ", r.Start, r.End, perm,
			r.Offset, unix.Major(r.Dev), unix.Minor(r.Dev), r.Inode)
		b.WriteString(line)
		if r.Name != "" {
			b.WriteString(strings.Repeat(" ", max(73-len(line), 1)))
			b.WriteString(r.Name)
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// procFile returns a host descriptor for a synthesized /proc file: a memfd
// holding data, reopened with the guest's open flags so that F_GETFL and
// the access mode look like the real file's.
func procFile(name string, data []byte, guestFlags int) (int, linux.Errno) {
	mfd, e := memfdWith(name, data)
	if e != 0 {
		return -1, e
	}
	defer unix.Close(mfd)
	const keep = linux.O_ACCMODE | linux.O_NONBLOCK | linux.O_APPEND
	fd, err := unix.Open("/proc/self/fd/"+strconv.Itoa(mfd), hostOpenFlags(guestFlags&keep)|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, hostErrno(err)
	}
	return fd, 0
}

// memfdWith returns a host memfd holding data, positioned at 0.
func memfdWith(name string, data []byte) (int, linux.Errno) {
	fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC)
	if err != nil {
		return -1, hostErrno(err)
	}
	for off := 0; off < len(data); {
		n, err := unix.Pwrite(fd, data[off:], int64(off))
		if err != nil {
			unix.Close(fd)
			return -1, hostErrno(err)
		}
		off += n
	}
	return fd, 0
}
