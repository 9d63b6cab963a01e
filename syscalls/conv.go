package syscalls

import (
	"encoding/binary"

	"gemu/internal/abi/linux"
)

// Some descriptors carry binary records in host byte order: the u64
// counters of eventfd and timerfd, inotify's events. The guest reads and
// writes them little-endian, so on a big-endian host they are converted as
// they pass (on little-endian hosts the conversion is the identity and is
// skipped).

// recordConv names a descriptor's record format.
type recordConv uint8

const (
	convNone    recordConv = iota
	convU64                // eventfd, timerfd: one native u64 per 8 bytes
	convInotify            // struct inotify_event: four native u32 then the name
)

// hostBigEndian reports the host's byte order.
var hostBigEndian = binary.NativeEndian.Uint16([]byte{1, 0}) != 1

// toGuest converts records the host produced, in place.
func (k recordConv) toGuest(b []byte) { k.swap(b, false) }

// toHost converts records the guest wrote, in place.
func (k recordConv) toHost(b []byte) { k.swap(b, true) }

func (k recordConv) swap(b []byte, guestToHost bool) {
	if !hostBigEndian || k == convNone {
		return
	}
	ne := binary.NativeEndian
	switch k {
	case convU64:
		for i := 0; i+8 <= len(b); i += 8 {
			if guestToHost {
				ne.PutUint64(b[i:], le.Uint64(b[i:]))
			} else {
				le.PutUint64(b[i:], ne.Uint64(b[i:]))
			}
		}
	case convInotify:
		for i := 0; i+linux.SizeofInotifyEvent <= len(b); {
			var nameLen uint32
			for j := 0; j < 16; j += 4 {
				v := ne.Uint32(b[i+j:])
				le.PutUint32(b[i+j:], v)
				if j == 12 {
					nameLen = v
				}
			}
			i += linux.SizeofInotifyEvent + int(nameLen)
		}
	}
}
