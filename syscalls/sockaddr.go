package syscalls

import (
	"bytes"
	"encoding/binary"

	"gemu/internal/abi/linux"
)

// Socket addresses and control messages between guest and host. Both sides
// use the same Linux layouts, but the family and a few other fields are in
// the machine's byte order: the guest's is little-endian, the host's is
// binary.NativeEndian. Ports and IP addresses are big-endian on both sides
// and pass untouched, as do the bytes of unknown families (after the
// family), so the host kernel judges them exactly as Linux would.

var ne = binary.NativeEndian

// swapFields copies the u16/u32 fields at the given offsets from one byte
// order to the other; width 2 or 4.
type field struct{ off, width int }

// sockaddrFields lists the native-order fields after sa_family.
func sockaddrFields(family uint16) []field {
	switch family {
	case linux.AF_INET6:
		return []field{{24, 4}} // sin6_scope_id
	case linux.AF_NETLINK:
		return []field{{4, 4}, {8, 4}} // nl_pid, nl_groups
	case linux.AF_PACKET:
		return []field{{4, 4}, {8, 2}} // sll_ifindex, sll_hatype
	}
	return nil
}

// convertSockaddr rewrites a socket address in place between byte orders.
func convertSockaddr(b []byte, toHost bool) {
	if len(b) < 2 {
		return
	}
	var family uint16
	if toHost {
		family = le.Uint16(b)
		ne.PutUint16(b, family)
	} else {
		family = ne.Uint16(b)
		le.PutUint16(b, family)
	}
	for _, f := range sockaddrFields(family) {
		if f.off+f.width > len(b) {
			continue
		}
		switch {
		case f.width == 2 && toHost:
			ne.PutUint16(b[f.off:], le.Uint16(b[f.off:]))
		case f.width == 2:
			le.PutUint16(b[f.off:], ne.Uint16(b[f.off:]))
		case toHost:
			ne.PutUint32(b[f.off:], le.Uint32(b[f.off:]))
		default:
			le.PutUint32(b[f.off:], ne.Uint32(b[f.off:]))
		}
	}
}

// readSockaddr is move_addr_to_kernel: the guest address of addrlen bytes
// for the host (nil for a zero length).
func (c *call) readSockaddr(addr uint64, addrlen int32) ([]byte, linux.Errno) {
	if addrlen < 0 || addrlen > linux.SizeofSockaddrStorage {
		return nil, linux.EINVAL
	}
	if addrlen == 0 {
		return nil, 0
	}
	b, e := c.copyIn(addr, int(addrlen))
	if e != 0 {
		return nil, e
	}
	convertSockaddr(b, true)
	return b, 0
}

// writeSockaddr is move_addr_to_user: it copies the host address (klen
// bytes of h) to the guest buffer, truncated to the length the guest's
// *lenAddr allows, and stores the full length in *lenAddr.
func (c *call) writeSockaddr(h []byte, addr, lenAddr uint64) linux.Errno {
	ulen, e := c.readU32(lenAddr)
	if e != 0 {
		return e
	}
	n := int32(ulen)
	if n > int32(len(h)) {
		n = int32(len(h))
	}
	if n < 0 {
		return linux.EINVAL
	}
	if n > 0 {
		g := bytes.Clone(h)
		convertSockaddr(g, false)
		if e := c.copyOut(addr, g[:n]); e != 0 {
			return e
		}
	}
	return c.writeU32(lenAddr, uint32(len(h)))
}

// cmsg is one parsed control message.
type cmsg struct {
	level, typ int32
	data       []byte
}

// parseCmsgs splits a control buffer (guest or host byte order) into
// messages, as CMSG_FIRSTHDR/CMSG_NXTHDR walk it; a malformed header is
// EINVAL, like the kernel's CMSG_OK check in __scm_send.
func parseCmsgs(b []byte, order binary.ByteOrder) ([]cmsg, linux.Errno) {
	var out []cmsg
	for off := 0; off+linux.SizeofCmsghdr <= len(b); {
		n := order.Uint64(b[off:])
		if n < linux.SizeofCmsghdr || n > uint64(len(b)-off) {
			return nil, linux.EINVAL
		}
		out = append(out, cmsg{
			level: int32(order.Uint32(b[off+8:])),
			typ:   int32(order.Uint32(b[off+12:])),
			data:  b[off+linux.SizeofCmsghdr : off+int(n)],
		})
		off += int(linux.CmsgAlign(n))
	}
	return out, 0
}

// appendCmsg appends one control message in the given byte order, padded
// to CMSG_SPACE.
func appendCmsg(b []byte, order binary.ByteOrder, level, typ int32, data []byte) []byte {
	var h [linux.SizeofCmsghdr]byte
	order.PutUint64(h[0:], uint64(linux.SizeofCmsghdr+len(data)))
	order.PutUint32(h[8:], uint32(level))
	order.PutUint32(h[12:], uint32(typ))
	b = append(b, h[:]...)
	b = append(b, data...)
	for len(b)%8 != 0 {
		b = append(b, 0)
	}
	return b
}

// convertWords32 rewrites every u32 of b between byte orders.
func convertWords32(b []byte, from, to binary.ByteOrder) {
	for i := 0; i+4 <= len(b); i += 4 {
		to.PutUint32(b[i:], from.Uint32(b[i:]))
	}
}
