package syscalls

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"gemu/internal/abi/linux"
	"gemu/mmu"
)

// spec is how -strace prints one system call: a format per argument and
// one for the result.
type spec struct {
	args [6]argFmt
	n    uint8
	ret  retFmt
}

// a builds a spec from argument formats.
func a(args ...argFmt) spec {
	var s spec
	s.n = uint8(copy(s.args[:], args))
	return s
}

// returns sets the result's format.
func (s spec) returns(r retFmt) spec {
	s.ret = r
	return s
}

// retFmt is how a successful result is printed.
type retFmt uint8

const (
	rDec    retFmt = iota // decimal
	rHex                  // 0x... (addresses: mmap, brk)
	rOct                  // umask
	rFcntl                // fcntl's F_GETFD/F_GETFL annotate their flags
	rPoll                 // poll's " ([{fd=N, revents=...}])"
	rSelect               // select's " (Timeout)" / " (in [N])"
	rEpoll                // epoll_wait's count
)

// argFmt is how one argument is printed.
type argFmt uint8

const (
	fInt          argFmt = iota // int
	fUint                       // unsigned int
	fLong                       // long
	fUlong                      // unsigned long, size_t
	fHex                        // 0x...
	fPtr                        // NULL or 0x...
	fFD                         // a descriptor
	fDirFD                      // a descriptor or AT_FDCWD
	fPath                       // a NUL-terminated path, in full
	fStr                        // a NUL-terminated string, truncated like strace -s 32
	fBufIn                      // a buffer the call reads; its length is the next argument
	fBufOut                     // a buffer the call fills; its length is the result
	fBufHex                     // like fBufOut, every byte as \xHH (getrandom)
	fIovIn                      // an iovec array the call reads; the count is the next argument
	fIovOut                     // an iovec array the call fills; the result says how much
	fOpenFlags                  // O_*
	fOpenMode                   // the mode of open: printed only with O_CREAT or O_TMPFILE
	fMode                       // a mode in octal
	fAccess                     // F_OK or R_OK|W_OK|X_OK
	fAtFlags                    // AT_*
	fProt                       // PROT_*
	fMapFlags                   // MAP_*
	fMremapFlags                // MREMAP_*
	fMadvice                    // MADV_*
	fSignal                     // SIGxxx
	fSigHow                     // SIG_BLOCK...
	fSigsetIn                   // [INT TERM]
	fSigsetOut                  // the same, written by the call
	fSigactIn                   // struct sigaction read
	fSigactOut                  // struct sigaction written
	fWhence                     // SEEK_*
	fFcntlCmd                   // F_* (and decodes the third argument)
	fFcntlArg                   // fcntl's third argument, decoded by command
	fIoctlReq                   // TCGETS...
	fIoctlArg                   // ioctl's third argument
	fArchPrctl                  // ARCH_*
	fClock                      // CLOCK_*
	fTimespecIn                 // {tv_sec=..., tv_nsec=...} read
	fTimespecOut                // written
	fTimevalIn                  // {tv_sec=..., tv_usec=...} read
	fStatOut                    // {st_mode=..., st_size=..., ...}
	fRlimRes                    // RLIMIT_*
	fRlimIn                     // {rlim_cur=..., rlim_max=...} read
	fRlimOut                    // written
	fPipeOut                    // [r, w]
	fUtsOut                     // {sysname="Linux", nodename="...", ...}
	fGrndFlags                  // GRND_*
	fDirents                    // 0x... /* N entries */
	fPollIn                     // [{fd=N, events=POLLIN}]
	fFDSetIn                    // [3 4]
	fFlagsCloexec               // O_NONBLOCK|O_CLOEXEC and friends (pipe2, dup3, eventfd2...)
	fEpollFlags                 // EPOLL_CLOEXEC
	fSockFamily                 // AF_*
	fSockType                   // SOCK_*
	fSockProto                  // IPPROTO_* for AF_INET/AF_INET6
	fSockaddrIn                 // a socket address the call reads; its length is the next argument
	fSockaddrOut                // one it writes; the length pointer is the next argument
	fSocklenOut                 // [len] or [in => out]
	fSockLevel                  // SOL_*
	fSockOpt                    // SO_* / TCP_*
	fSockOptVal                 // [1] for an int, else a pointer
	fMsgFlags                   // MSG_*
	fShutHow                    // SHUT_*
	fEpollOp                    // EPOLL_CTL_*
	fEpollEvent                 // {events=..., data={u32=..., u64=...}}
	fFutexOp                    // FUTEX_*
	fPrctlOp                    // PR_*
	fRenameFlags                // RENAME_*
	fUnlinkFlags                // 0 or AT_REMOVEDIR
	fHexInt                     // an int in hex (rseq's length, flags)
	fCwdOut                     // getcwd's buffer: a path of the result's length
	fEpollEvents                // epoll_wait's events: [{events=..., data=...}]
	fMremapNew                  // mremap's new address: only with MREMAP_FIXED
)

// atExit reports whether the argument is decoded after the call.
func (f argFmt) atExit() bool {
	switch f {
	case fBufOut, fBufHex, fIovOut, fSigsetOut, fSigactOut, fTimespecOut, fStatOut, fRlimOut,
		fPipeOut, fUtsOut, fDirents, fSockaddrOut, fSocklenOut, fIoctlArg, fCwdOut, fEpollEvents:
		return true
	}
	return false
}

// argOmitted marks an argument strace leaves out (open's mode without
// O_CREAT).
const argOmitted = "\x00"

// straceFmt formats one call's arguments from guest memory.
type straceFmt struct {
	p    *Process
	args Args
}

// formatArgs formats the arguments of the phase (entry or exit).
func (f *straceFmt) formatArgs(sp spec, exit bool, ret uint64) []string {
	out := make([]string, sp.n)
	for i := range out {
		if sp.args[i].atExit() == exit {
			out[i] = f.arg(sp, i, ret)
		}
	}
	return out
}

// read returns up to n bytes of guest memory at addr (fewer at a fault).
func (f *straceFmt) read(addr uint64, n int) []byte {
	if addr == 0 || addr >= mmu.UserTop || n <= 0 {
		return nil
	}
	n = int(min(uint64(n), mmu.UserTop-addr))
	b := make([]byte, n)
	got, _ := f.p.mem.ReadAt(b, addr)
	return b[:got]
}

func (f *straceFmt) u32(addr uint64) (uint32, bool) {
	b := f.read(addr, 4)
	if len(b) < 4 {
		return 0, false
	}
	return le.Uint32(b), true
}

func (f *straceFmt) u64(addr uint64) (uint64, bool) {
	b := f.read(addr, 8)
	if len(b) < 8 {
		return 0, false
	}
	return le.Uint64(b), true
}

func (f *straceFmt) ptr(v uint64) string {
	if v == 0 {
		return "NULL"
	}
	return "0x" + strconv.FormatUint(v, 16)
}

// maxStr is strace's default -s.
const maxStr = 32

// quote renders bytes as strace's string_quote does (octal escapes,
// shortest form unless a digit follows); hex forces \xHH for every byte.
func quote(b []byte, hex bool) string {
	var s strings.Builder
	s.WriteByte('"')
	for i, c := range b {
		if hex {
			fmt.Fprintf(&s, "\\x%02x", c)
			continue
		}
		switch c {
		case '"', '\\':
			s.WriteByte('\\')
			s.WriteByte(c)
		case '\f':
			s.WriteString(`\f`)
		case '\n':
			s.WriteString(`\n`)
		case '\r':
			s.WriteString(`\r`)
		case '\t':
			s.WriteString(`\t`)
		case '\v':
			s.WriteString(`\v`)
		default:
			if c >= ' ' && c <= 0x7e {
				s.WriteByte(c)
				continue
			}
			s.WriteByte('\\')
			if i+1 < len(b) && b[i+1] >= '0' && b[i+1] <= '7' {
				fmt.Fprintf(&s, "%03o", c)
			} else {
				fmt.Fprintf(&s, "%o", c)
			}
		}
	}
	s.WriteByte('"')
	return s.String()
}

// cstring prints a NUL-terminated guest string, truncated at limit bytes
// (limit < 0: a path, printed whole).
func (f *straceFmt) cstring(addr uint64, limit int) string {
	if addr == 0 {
		return "NULL"
	}
	max := limit
	if limit < 0 {
		max = linux.PATH_MAX
	}
	b := f.read(addr, max+1)
	i := bytes.IndexByte(b, 0)
	if i < 0 {
		if len(b) <= max {
			return f.ptr(addr) // unreadable before the NUL
		}
		return quote(b[:max], false) + "..."
	}
	return quote(b[:i], false)
}

// buffer prints n bytes at addr, truncated at maxStr.
func (f *straceFmt) buffer(addr, n uint64, hex bool) string {
	if addr == 0 && n == 0 {
		return "NULL"
	}
	show := min(n, maxStr)
	b := f.read(addr, int(show))
	if uint64(len(b)) < show {
		return f.ptr(addr)
	}
	s := quote(b, hex)
	if n > maxStr {
		s += "..."
	}
	return s
}

// flags prints v as NAME|NAME|0x..., in the table's order ("0" for none).
func flags(v uint64, names []flagName) string {
	var parts []string
	for _, n := range names {
		if n.v != 0 && v&n.v == n.v {
			parts = append(parts, n.name)
			v &^= n.v
		}
	}
	if v != 0 || len(parts) == 0 {
		parts = append(parts, "0x"+strconv.FormatUint(v, 16))
	}
	if len(parts) == 1 && parts[0] == "0x0" {
		return "0"
	}
	return strings.Join(parts, "|")
}

// value prints v by name, or in decimal when the table has no name for it.
func value(v int64, names []flagName) string {
	for _, n := range names {
		if n.v == uint64(v) {
			return n.name
		}
	}
	return strconv.FormatInt(v, 10)
}

// valueHex is value with a hex fallback (ioctl requests).
func valueHex(v uint64, names []flagName) string {
	for _, n := range names {
		if n.v == v {
			return n.name
		}
	}
	return "0x" + strconv.FormatUint(v, 16)
}

// mode prints a mode in octal with a leading 0 ("%#03o").
func mode(v uint64) string {
	if v == 0 {
		return "000"
	}
	return "0" + strconv.FormatUint(v, 8)
}

// sigset prints a signal set as strace does: [INT TERM], or ~[...] when
// more than half the signals are in it.
func sigset(set uint64) string {
	var s strings.Builder
	n := 0
	for i := range 64 {
		if set&(1<<i) != 0 {
			n++
		}
	}
	if n > 32 {
		set = ^set
		s.WriteByte('~')
	}
	s.WriteByte('[')
	first := true
	for sig := linux.Signal(1); sig <= linux.SIGRTMAX; sig++ {
		if set&linux.SigMask(sig) == 0 {
			continue
		}
		if !first {
			s.WriteByte(' ')
		}
		first = false
		s.WriteString(strings.TrimPrefix(sig.String(), "SIG"))
	}
	s.WriteByte(']')
	return s.String()
}

// rlim prints one rlimit value as strace does.
func rlim(v uint64) string {
	switch {
	case v == linux.RLIM_INFINITY:
		return "RLIM64_INFINITY"
	case v > 1024 && v%1024 == 0:
		return strconv.FormatUint(v/1024, 10) + "*1024"
	}
	return strconv.FormatUint(v, 10)
}

// arg formats argument i.
func (f *straceFmt) arg(sp spec, i int, ret uint64) string {
	v := f.args[i]
	next := func() uint64 {
		if i+1 < len(f.args) {
			return f.args[i+1]
		}
		return 0
	}
	switch sp.args[i] {
	case fInt, fFD:
		return strconv.FormatInt(int64(int32(v)), 10)
	case fUint:
		return strconv.FormatUint(uint64(uint32(v)), 10)
	case fLong:
		return strconv.FormatInt(int64(v), 10)
	case fUlong:
		return strconv.FormatUint(v, 10)
	case fHex:
		if v == 0 {
			return "0" // C's %#x
		}
		return "0x" + strconv.FormatUint(v, 16)
	case fCwdOut:
		b := f.read(v, int(min(ret, linux.PATH_MAX)))
		return quote(trimNUL(b), false)
	case fEpollEvents:
		return f.epollEvents(v, ret)
	case fMremapNew:
		if f.args[3]&(linux.MREMAP_MAYMOVE|linux.MREMAP_FIXED) != linux.MREMAP_MAYMOVE|linux.MREMAP_FIXED {
			return argOmitted
		}
		return f.ptr(v)
	case fHexInt:
		return "0x" + strconv.FormatUint(uint64(uint32(v)), 16)
	case fPtr:
		return f.ptr(v)
	case fDirFD:
		if int32(v) == linux.AT_FDCWD {
			return "AT_FDCWD"
		}
		return strconv.FormatInt(int64(int32(v)), 10)
	case fPath:
		return f.cstring(v, -1)
	case fStr:
		return f.cstring(v, maxStr)
	case fBufIn:
		return f.buffer(v, next(), false)
	case fBufOut:
		// MSG_TRUNC may report more than the buffer (the next argument) holds.
		return f.buffer(v, min(ret, next()), false)
	case fBufHex:
		return f.buffer(v, ret, true)
	case fIovIn:
		return f.iovecs(v, next(), ^uint64(0))
	case fIovOut:
		return f.iovecs(v, next(), ret)
	case fOpenFlags:
		return openFlags(v)
	case fOpenMode:
		if f.args[i-1]&(linux.O_CREAT|linux.O__TMPFILE) == 0 {
			return argOmitted
		}
		return mode(v & 0o7777)
	case fMode:
		return mode(uint64(uint32(v)))
	case fAccess:
		if v == 0 {
			return "F_OK"
		}
		return flags(v, accessNames)
	case fAtFlags:
		return flags(uint64(uint32(v)), atFlagNames)
	case fUnlinkFlags:
		return flags(uint64(uint32(v)), []flagName{{linux.AT_REMOVEDIR, "AT_REMOVEDIR"}})
	case fRenameFlags:
		return flags(uint64(uint32(v)), renameNames)
	case fProt:
		if v == 0 {
			return "PROT_NONE"
		}
		return flags(v, protNames)
	case fMapFlags:
		return mapFlags(v)
	case fMremapFlags:
		return flags(v, mremapNames)
	case fMadvice:
		return value(int64(int32(v)), madviceNames)
	case fSignal:
		if s := linux.Signal(int32(v)); s.Valid() {
			return s.String()
		}
		return strconv.FormatInt(int64(int32(v)), 10)
	case fSigHow:
		return value(int64(int32(v)), sigHowNames)
	case fSigsetIn, fSigsetOut:
		if v == 0 {
			return "NULL"
		}
		set, ok := f.u64(v)
		if !ok {
			return f.ptr(v)
		}
		return sigset(set)
	case fSigactIn, fSigactOut:
		return f.sigaction(v)
	case fWhence:
		return value(int64(uint32(v)), whenceNames)
	case fFcntlCmd:
		return value(int64(int32(v)), fcntlNames)
	case fFcntlArg:
		return f.fcntlArg(int32(f.args[1]), v)
	case fIoctlReq:
		return valueHex(uint64(uint32(v)), ioctlNames)
	case fIoctlArg:
		return f.ioctlArg(uint32(f.args[1]), v, ret)
	case fArchPrctl:
		return value(int64(int32(v)), archPrctlNames)
	case fClock:
		return value(int64(int32(v)), clockNames)
	case fTimespecIn, fTimespecOut:
		return f.timespec(v)
	case fTimevalIn:
		b := f.read(v, linux.SizeofTimeval)
		if v == 0 {
			return "NULL"
		}
		if len(b) < linux.SizeofTimeval {
			return f.ptr(v)
		}
		return fmt.Sprintf("{tv_sec=%d, tv_usec=%d}", int64(le.Uint64(b)), int64(le.Uint64(b[8:])))
	case fStatOut:
		return f.stat(v)
	case fRlimRes:
		return value(int64(uint32(v)), rlimitNames)
	case fRlimIn, fRlimOut:
		b := f.read(v, linux.SizeofRlimit)
		if v == 0 {
			return "NULL"
		}
		if len(b) < linux.SizeofRlimit {
			return f.ptr(v)
		}
		return fmt.Sprintf("{rlim_cur=%s, rlim_max=%s}", rlim(le.Uint64(b)), rlim(le.Uint64(b[8:])))
	case fPipeOut:
		b := f.read(v, 8)
		if len(b) < 8 {
			return f.ptr(v)
		}
		return fmt.Sprintf("[%d, %d]", int32(le.Uint32(b)), int32(le.Uint32(b[4:])))
	case fUtsOut:
		b := f.read(v, linux.SizeofUtsname)
		if len(b) < linux.SizeofUtsname {
			return f.ptr(v)
		}
		var u linux.Utsname
		u.Decode(b)
		return fmt.Sprintf("{sysname=%s, nodename=%s, ...}", quote([]byte(u.Sysname), false), quote([]byte(u.Nodename), false))
	case fGrndFlags:
		return flags(uint64(uint32(v)), grndNames)
	case fDirents:
		return f.dirents(v, ret)
	case fPollIn:
		return f.pollfds(v, next(), false)
	case fFDSetIn:
		return f.fdset(v, int(int32(f.args[0])))
	case fFlagsCloexec:
		return flags(uint64(uint32(v)), openFlagNames)
	case fEpollFlags:
		return flags(uint64(uint32(v)), []flagName{{linux.EPOLL_CLOEXEC, "EPOLL_CLOEXEC"}})
	case fSockFamily:
		return value(int64(int32(v)), familyNames)
	case fSockType:
		t := uint64(uint32(v))
		s := value(int64(t&linux.SOCK_TYPE_MASK), sockTypeNames)
		if rest := t &^ linux.SOCK_TYPE_MASK; rest != 0 {
			s += "|" + flags(rest, sockFlagNames)
		}
		return s
	case fSockProto:
		switch int32(f.args[0]) {
		case linux.AF_INET, linux.AF_INET6:
			return value(int64(int32(v)), protoNames)
		}
		return strconv.FormatInt(int64(int32(v)), 10)
	case fSockaddrIn:
		return f.sockaddr(v, int(int32(next())))
	case fSockaddrOut:
		l, ok := f.u32(next())
		if !ok {
			return f.ptr(v)
		}
		return f.sockaddr(v, int(l))
	case fSocklenOut:
		l, ok := f.u32(v)
		if !ok {
			return f.ptr(v)
		}
		return fmt.Sprintf("[%d]", l)
	case fSockLevel:
		return value(int64(int32(v)), levelNames)
	case fSockOpt:
		switch int32(f.args[1]) {
		case linux.SOL_SOCKET:
			return value(int64(int32(v)), sockOptNames)
		case linux.SOL_TCP:
			return value(int64(int32(v)), tcpOptNames)
		}
		return strconv.FormatInt(int64(int32(v)), 10)
	case fSockOptVal:
		if int32(next()) == 4 {
			if x, ok := f.u32(v); ok {
				return fmt.Sprintf("[%d]", int32(x))
			}
		}
		return f.ptr(v)
	case fMsgFlags:
		return flags(uint64(uint32(v)), msgNames)
	case fShutHow:
		return value(int64(int32(v)), shutNames)
	case fEpollOp:
		return value(int64(int32(v)), epollOpNames)
	case fEpollEvent:
		if v == 0 {
			return "NULL"
		}
		b := f.read(v, linux.SizeofEpollEvent)
		if len(b) < linux.SizeofEpollEvent {
			return f.ptr(v)
		}
		return epollEvent(b)
	case fFutexOp:
		return futexOp(int32(v))
	case fPrctlOp:
		return value(int64(int32(v)), prctlNames)
	}
	return "0x" + strconv.FormatUint(v, 16)
}

// formatRet prints a successful result.
func (f *straceFmt) formatRet(sp spec, ret uint64) string {
	switch sp.ret {
	case rHex:
		return "0x" + strconv.FormatUint(ret, 16)
	case rOct:
		return mode(ret)
	case rFcntl:
		switch int32(f.args[1]) {
		case linux.F_GETFD:
			if ret == 0 {
				return "0"
			}
			return fmt.Sprintf("%#x (flags %s)", ret, flags(ret, []flagName{{linux.FD_CLOEXEC, "FD_CLOEXEC"}}))
		case linux.F_GETFL:
			s := openFlags(ret)
			if ret == 0 {
				return "0 (flags " + s + ")"
			}
			return fmt.Sprintf("%#x (flags %s)", ret, s)
		}
	case rPoll:
		if ret == 0 {
			return "0 (Timeout)"
		}
		return fmt.Sprintf("%d (%s)", int64(ret), f.pollfds(f.args[0], f.args[1], true))
	case rSelect:
		if ret == 0 {
			return "0 (Timeout)"
		}
	}
	return strconv.FormatInt(int64(ret), 10)
}
