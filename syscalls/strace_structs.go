package syscalls

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"gemu/internal/abi/linux"
)

// Structure decoders of -strace.

// iovecs prints an iovec array; limit is how many bytes the call moved
// (all of them for a write).
func (f *straceFmt) iovecs(addr, count, limit uint64) string {
	if count > linux.UIO_MAXIOV {
		return f.ptr(addr)
	}
	raw := f.read(addr, int(count)*linux.SizeofIovec)
	if uint64(len(raw)) < count*linux.SizeofIovec {
		return f.ptr(addr)
	}
	var parts []string
	for i := range count {
		var v linux.Iovec
		v.Decode(raw[i*linux.SizeofIovec:])
		n := min(v.Len, limit)
		limit -= n
		parts = append(parts, fmt.Sprintf("{iov_base=%s, iov_len=%d}", f.buffer(v.Base, n, false), v.Len))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func (f *straceFmt) sigaction(addr uint64) string {
	if addr == 0 {
		return "NULL"
	}
	b := f.read(addr, linux.SizeofSigAction)
	if len(b) < linux.SizeofSigAction {
		return f.ptr(addr)
	}
	var sa linux.SigAction
	sa.Decode(b)
	var h string
	switch sa.Handler {
	case linux.SIG_DFL:
		h = "SIG_DFL"
	case linux.SIG_IGN:
		h = "SIG_IGN"
	default:
		h = f.ptr(sa.Handler)
	}
	s := fmt.Sprintf("{sa_handler=%s, sa_mask=%s, sa_flags=%s", h, sigset(sa.Mask), flags(sa.Flags, saNames))
	if sa.Flags&linux.SA_RESTORER != 0 {
		s += ", sa_restorer=" + f.ptr(sa.Restorer)
	}
	return s + "}"
}

func (f *straceFmt) timespec(addr uint64) string {
	if addr == 0 {
		return "NULL"
	}
	b := f.read(addr, linux.SizeofTimespec)
	if len(b) < linux.SizeofTimespec {
		return f.ptr(addr)
	}
	return fmt.Sprintf("{tv_sec=%d, tv_nsec=%d}", int64(le.Uint64(b)), int64(le.Uint64(b[8:])))
}

func fileType(m uint32) string {
	switch m & linux.S_IFMT {
	case linux.S_IFREG:
		return "S_IFREG"
	case linux.S_IFDIR:
		return "S_IFDIR"
	case linux.S_IFLNK:
		return "S_IFLNK"
	case linux.S_IFCHR:
		return "S_IFCHR"
	case linux.S_IFBLK:
		return "S_IFBLK"
	case linux.S_IFIFO:
		return "S_IFIFO"
	case linux.S_IFSOCK:
		return "S_IFSOCK"
	}
	return "0"
}

// stat prints the abbreviated struct stat strace shows by default.
func (f *straceFmt) stat(addr uint64) string {
	b := f.read(addr, linux.SizeofStat)
	if len(b) < linux.SizeofStat {
		return f.ptr(addr)
	}
	var st linux.Stat
	st.Decode(b)
	m := fileType(st.Mode) + "|" + mode(uint64(st.Mode&0o7777))
	if t := st.Mode & linux.S_IFMT; t == linux.S_IFCHR || t == linux.S_IFBLK {
		major := (st.Rdev>>8)&0xfff | (st.Rdev>>32)&^0xfff
		minor := st.Rdev&0xff | (st.Rdev>>12)&^0xff
		return fmt.Sprintf("{st_mode=%s, st_rdev=makedev(%#x, %#x), ...}", m, major, minor)
	}
	return fmt.Sprintf("{st_mode=%s, st_size=%d, ...}", m, st.Size)
}

// dirents prints getdents64's buffer as strace does: the address and the
// number of records.
func (f *straceFmt) dirents(addr, ret uint64) string {
	b := f.read(addr, int(ret))
	n := 0
	for off := 0; off+linux.SizeofDirent64Header <= len(b); n++ {
		reclen := int(le.Uint16(b[off+16:]))
		if reclen == 0 {
			break
		}
		off += reclen
	}
	return fmt.Sprintf("%s /* %d entries */", f.ptr(addr), n)
}

// pollfds prints a pollfd array: the events asked (entry), or the entries
// with revents (exit).
func (f *straceFmt) pollfds(addr, nfds uint64, revents bool) string {
	if nfds > 1024 {
		return f.ptr(addr)
	}
	raw := f.read(addr, int(nfds)*linux.SizeofPollFD)
	if uint64(len(raw)) < nfds*linux.SizeofPollFD {
		return f.ptr(addr)
	}
	var parts []string
	for i := range nfds {
		var p linux.PollFD
		p.Decode(raw[i*linux.SizeofPollFD:])
		switch {
		case !revents:
			parts = append(parts, fmt.Sprintf("{fd=%d, events=%s}", p.FD, flags(uint64(uint16(p.Events)), pollNames)))
		case p.Revents != 0:
			parts = append(parts, fmt.Sprintf("{fd=%d, revents=%s}", p.FD, flags(uint64(uint16(p.Revents)), pollNames)))
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// fdset prints an fd_set of n descriptors: [3 4].
func (f *straceFmt) fdset(addr uint64, n int) string {
	if addr == 0 {
		return "NULL"
	}
	if n < 0 || n > 1<<20 {
		return f.ptr(addr)
	}
	raw := f.read(addr, (n+63)/64*8)
	if len(raw) < (n+63)/64*8 {
		return f.ptr(addr)
	}
	var fds []string
	for fd := range n {
		if raw[fd/8]&(1<<(fd%8)) != 0 {
			fds = append(fds, strconv.Itoa(fd))
		}
	}
	return "[" + strings.Join(fds, " ") + "]"
}

// sockaddr prints a socket address of n bytes.
func (f *straceFmt) sockaddr(addr uint64, n int) string {
	if addr == 0 {
		return "NULL"
	}
	if n < 2 || n > linux.SizeofSockaddrStorage {
		return f.ptr(addr)
	}
	b := f.read(addr, n)
	if len(b) < n {
		return f.ptr(addr)
	}
	fam := le.Uint16(b)
	s := "{sa_family=" + value(int64(fam), familyNames)
	switch {
	case fam == linux.AF_INET && n >= linux.SizeofSockaddrIn:
		ip := netip.AddrFrom4([4]byte(b[4:8]))
		s += fmt.Sprintf(", sin_port=htons(%d), sin_addr=inet_addr(%q)", uint16(b[2])<<8|uint16(b[3]), ip.String())
	case fam == linux.AF_INET6 && n >= linux.SizeofSockaddrIn6:
		ip := netip.AddrFrom16([16]byte(b[8:24]))
		s += fmt.Sprintf(", sin6_port=htons(%d), sin6_flowinfo=htonl(%d), inet_pton(AF_INET6, %q, &sin6_addr), sin6_scope_id=%d",
			uint16(b[2])<<8|uint16(b[3]), uint32(b[4])<<24|uint32(b[5])<<16|uint32(b[6])<<8|uint32(b[7]),
			ip.String(), le.Uint32(b[24:]))
	case fam == linux.AF_UNIX:
		path := b[2:]
		switch {
		case len(path) > 0 && path[0] == 0:
			s += ", sun_path=@" + quote(trimNUL(path[1:]), false)
		case len(path) > 0:
			s += ", sun_path=" + quote(trimNUL(path), false)
		}
	default:
		s += ", sa_data=" + quote(b[2:], false)
	}
	return s + "}"
}

func trimNUL(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}

// fcntlArg prints fcntl's third argument according to the command.
func (f *straceFmt) fcntlArg(cmd int32, v uint64) string {
	switch cmd {
	case linux.F_GETFD, linux.F_GETFL, linux.F_GETOWN, linux.F_GETPIPE_SZ, linux.F_GET_SEALS:
		return argOmitted
	case linux.F_SETFD:
		return flags(v, []flagName{{linux.FD_CLOEXEC, "FD_CLOEXEC"}})
	case linux.F_SETFL:
		return openFlags(v)
	case linux.F_GETLK, linux.F_SETLK, linux.F_SETLKW, linux.F_OFD_GETLK, linux.F_OFD_SETLK, linux.F_OFD_SETLKW:
		b := f.read(v, linux.SizeofFlock)
		if len(b) < linux.SizeofFlock {
			return f.ptr(v)
		}
		var fl linux.Flock
		fl.Decode(b)
		return fmt.Sprintf("{l_type=%s, l_whence=%s, l_start=%d, l_len=%d}",
			value(int64(fl.Type), lockTypeNames), value(int64(fl.Whence), whenceNames), fl.Start, fl.Len)
	}
	return strconv.FormatInt(int64(int32(v)), 10)
}

// ioctlArg prints ioctl's third argument: the window size and int
// arguments are decoded, anything else is an address.
func (f *straceFmt) ioctlArg(req uint32, v, ret uint64) string {
	switch req {
	case linux.TIOCGWINSZ, linux.TIOCSWINSZ:
		if isErrorReturn(ret) {
			return f.ptr(v)
		}
		b := f.read(v, linux.SizeofWinsize)
		if len(b) < linux.SizeofWinsize {
			return f.ptr(v)
		}
		return fmt.Sprintf("{ws_row=%d, ws_col=%d, ws_xpixel=%d, ws_ypixel=%d}",
			le.Uint16(b), le.Uint16(b[2:]), le.Uint16(b[4:]), le.Uint16(b[6:]))
	case linux.FIONBIO, linux.TIOCSPGRP:
		if x, ok := f.u32(v); ok {
			return fmt.Sprintf("[%d]", int32(x))
		}
	case linux.FIOCLEX, linux.FIONCLEX:
		return argOmitted
	}
	return f.ptr(v)
}

func openFlags(v uint64) string {
	acc := value(int64(v&linux.O_ACCMODE), accModeNames)
	rest := v &^ linux.O_ACCMODE
	if rest == 0 {
		return acc
	}
	return acc + "|" + flags(rest, openFlagNames)
}

func mapFlags(v uint64) string {
	typ := value(int64(v&linux.MAP_TYPE), mapTypeNames)
	if v&linux.MAP_TYPE == 0 {
		typ = "0"
	}
	rest := v &^ linux.MAP_TYPE
	if rest == 0 {
		return typ
	}
	return typ + "|" + flags(rest, mapFlagNames)
}

func futexOp(op int32) string {
	s := value(int64(op&linux.FUTEX_CMD_MASK), futexNames)
	if op&linux.FUTEX_PRIVATE_FLAG != 0 {
		s += "_PRIVATE"
	}
	if op&linux.FUTEX_CLOCK_REALTIME != 0 {
		s += "|FUTEX_CLOCK_REALTIME"
	}
	return s
}

func epollEvent(b []byte) string {
	var ev linux.EpollEvent
	ev.Decode(b)
	return fmt.Sprintf("{events=%s, data={u32=%d, u64=%d}}", flags(uint64(ev.Events), epollNames), uint32(ev.Data), ev.Data)
}

// epollEvents prints the n events epoll_wait returned.
func (f *straceFmt) epollEvents(addr, n uint64) string {
	if n > 1024 {
		return f.ptr(addr)
	}
	raw := f.read(addr, int(n)*linux.SizeofEpollEvent)
	if uint64(len(raw)) < n*linux.SizeofEpollEvent {
		return f.ptr(addr)
	}
	parts := make([]string, n)
	for i := range parts {
		parts[i] = epollEvent(raw[i*linux.SizeofEpollEvent:])
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
