package linux

// Sockets: address families, socket types, levels, options, message flags,
// and the layouts of the structures that carry them (x86-64 values; the
// families, types and levels are the same numbers on every Linux
// architecture gemu's hosts use, but the structures hold host-endian
// fields, so the syscall layer converts them explicitly).

// Address families.
const (
	AF_UNSPEC  = 0
	AF_UNIX    = 1
	AF_INET    = 2
	AF_INET6   = 10
	AF_NETLINK = 16
	AF_PACKET  = 17
)

// Socket types and the flags socket(2), socketpair(2) and accept4(2) take
// in the type argument.
const (
	SOCK_STREAM    = 1
	SOCK_DGRAM     = 2
	SOCK_RAW       = 3
	SOCK_RDM       = 4
	SOCK_SEQPACKET = 5
	SOCK_DCCP      = 6
	SOCK_PACKET    = 10
	SOCK_TYPE_MASK = 0xf
	SOCK_NONBLOCK  = O_NONBLOCK
	SOCK_CLOEXEC   = O_CLOEXEC
)

// Protocol levels.
const (
	SOL_IP     = 0
	SOL_SOCKET = 1
	SOL_TCP    = 6
	SOL_UDP    = 17
	SOL_IPV6   = 41

	IPPROTO_IP     = 0
	IPPROTO_ICMP   = 1
	IPPROTO_TCP    = 6
	IPPROTO_UDP    = 17
	IPPROTO_IPV6   = 41
	IPPROTO_ICMPV6 = 58
	IPPROTO_RAW    = 255
)

// SOL_SOCKET options (asm-generic/socket.h, which x86-64 uses).
const (
	SO_DEBUG                 = 1
	SO_REUSEADDR             = 2
	SO_TYPE                  = 3
	SO_ERROR                 = 4
	SO_DONTROUTE             = 5
	SO_BROADCAST             = 6
	SO_SNDBUF                = 7
	SO_RCVBUF                = 8
	SO_KEEPALIVE             = 9
	SO_OOBINLINE             = 10
	SO_NO_CHECK              = 11
	SO_PRIORITY              = 12
	SO_LINGER                = 13
	SO_BSDCOMPAT             = 14
	SO_REUSEPORT             = 15
	SO_PASSCRED              = 16
	SO_PEERCRED              = 17
	SO_RCVLOWAT              = 18
	SO_SNDLOWAT              = 19
	SO_RCVTIMEO_OLD          = 20
	SO_SNDTIMEO_OLD          = 21
	SO_BINDTODEVICE          = 25
	SO_ATTACH_FILTER         = 26
	SO_DETACH_FILTER         = 27
	SO_PEERNAME              = 28
	SO_TIMESTAMP_OLD         = 29
	SO_ACCEPTCONN            = 30
	SO_PEERSEC               = 31
	SO_SNDBUFFORCE           = 32
	SO_RCVBUFFORCE           = 33
	SO_PASSSEC               = 34
	SO_MARK                  = 36
	SO_PROTOCOL              = 38
	SO_DOMAIN                = 39
	SO_ATTACH_BPF            = 50
	SO_ATTACH_REUSEPORT_CBPF = 51
	SO_ATTACH_REUSEPORT_EBPF = 52
	SO_PEERGROUPS            = 59
	SO_RCVTIMEO_NEW          = 66
	SO_SNDTIMEO_NEW          = 67
	SO_PEERPIDFD             = 77
)

// IPPROTO_TCP options.
const (
	TCP_NODELAY          = 1
	TCP_MAXSEG           = 2
	TCP_CORK             = 3
	TCP_KEEPIDLE         = 4
	TCP_KEEPINTVL        = 5
	TCP_KEEPCNT          = 6
	TCP_INFO             = 11
	TCP_CONGESTION       = 13
	TCP_ZEROCOPY_RECEIVE = 35
)

// send/recv flags.
const (
	MSG_OOB          = 0x1
	MSG_PEEK         = 0x2
	MSG_DONTROUTE    = 0x4
	MSG_CTRUNC       = 0x8
	MSG_PROXY        = 0x10
	MSG_TRUNC        = 0x20
	MSG_DONTWAIT     = 0x40
	MSG_EOR          = 0x80
	MSG_WAITALL      = 0x100
	MSG_FIN          = 0x200
	MSG_SYN          = 0x400
	MSG_CONFIRM      = 0x800
	MSG_RST          = 0x1000
	MSG_ERRQUEUE     = 0x2000
	MSG_NOSIGNAL     = 0x4000
	MSG_MORE         = 0x8000
	MSG_WAITFORONE   = 0x10000
	MSG_BATCH        = 0x40000
	MSG_ZEROCOPY     = 0x4000000
	MSG_FASTOPEN     = 0x20000000
	MSG_CMSG_CLOEXEC = 0x40000000
)

// Control message types at SOL_SOCKET, and shutdown(2) modes.
const (
	SCM_RIGHTS      = 1
	SCM_CREDENTIALS = 2
	SCM_SECURITY    = 3
	SCM_PIDFD       = 4

	SHUT_RD   = 0
	SHUT_WR   = 1
	SHUT_RDWR = 2

	// SCM_MAX_FD is the most descriptors one SCM_RIGHTS message carries.
	SCM_MAX_FD = 253
	// MaxMmsg caps the vector of sendmmsg/recvmmsg (UIO_MAXIOV).
	MaxMmsg = UIO_MAXIOV
)

// Sizes of the socket structures.
const (
	SizeofSockaddrIn      = 16
	SizeofSockaddrIn6     = 28
	SizeofSockaddrUn      = 110
	SizeofSockaddrStorage = 128
	SizeofMsghdr          = 56
	SizeofCmsghdr         = 16 // the header; data follows, 8-byte aligned
	SizeofMmsghdr         = 64
	SizeofLinger          = 8
	SizeofUcred           = 12
	SizeofSockFilter      = 8
	SizeofSockFprog       = 16
	// UnixPathMax is sizeof(sun_path).
	UnixPathMax = 108
)

// CmsgAlign rounds a control message length up as CMSG_ALIGN does on a
// 64-bit kernel.
func CmsgAlign(n uint64) uint64 { return (n + 7) &^ 7 }

// Msghdr is struct msghdr (user_msghdr).
type Msghdr struct {
	Name       uint64
	Namelen    uint32
	Iov        uint64
	Iovlen     uint64
	Control    uint64
	Controllen uint64
	Flags      int32
}

func (m *Msghdr) Encode(b []byte) {
	le.PutUint64(b[0:], m.Name)
	le.PutUint32(b[8:], m.Namelen)
	le.PutUint32(b[12:], 0)
	le.PutUint64(b[16:], m.Iov)
	le.PutUint64(b[24:], m.Iovlen)
	le.PutUint64(b[32:], m.Control)
	le.PutUint64(b[40:], m.Controllen)
	le.PutUint32(b[48:], uint32(m.Flags))
	le.PutUint32(b[52:], 0)
}

func (m *Msghdr) Decode(b []byte) {
	m.Name = le.Uint64(b[0:])
	m.Namelen = le.Uint32(b[8:])
	m.Iov = le.Uint64(b[16:])
	m.Iovlen = le.Uint64(b[24:])
	m.Control = le.Uint64(b[32:])
	m.Controllen = le.Uint64(b[40:])
	m.Flags = int32(le.Uint32(b[48:]))
}

// Cmsghdr is the header of one control message.
type Cmsghdr struct {
	Len   uint64
	Level int32
	Type  int32
}

func (h *Cmsghdr) Encode(b []byte) {
	le.PutUint64(b[0:], h.Len)
	le.PutUint32(b[8:], uint32(h.Level))
	le.PutUint32(b[12:], uint32(h.Type))
}

func (h *Cmsghdr) Decode(b []byte) {
	h.Len = le.Uint64(b[0:])
	h.Level = int32(le.Uint32(b[8:]))
	h.Type = int32(le.Uint32(b[12:]))
}

// Linger is struct linger.
type Linger struct {
	Onoff, Linger int32
}

func (l *Linger) Encode(b []byte) {
	le.PutUint32(b[0:], uint32(l.Onoff))
	le.PutUint32(b[4:], uint32(l.Linger))
}

func (l *Linger) Decode(b []byte) {
	l.Onoff = int32(le.Uint32(b[0:]))
	l.Linger = int32(le.Uint32(b[4:]))
}

// Ucred is struct ucred (SO_PEERCRED, SCM_CREDENTIALS).
type Ucred struct {
	Pid, UID, GID uint32
}

func (u *Ucred) Encode(b []byte) {
	le.PutUint32(b[0:], u.Pid)
	le.PutUint32(b[4:], u.UID)
	le.PutUint32(b[8:], u.GID)
}

func (u *Ucred) Decode(b []byte) {
	u.Pid = le.Uint32(b[0:])
	u.UID = le.Uint32(b[4:])
	u.GID = le.Uint32(b[8:])
}
