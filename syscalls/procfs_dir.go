package syscalls

import (
	"strconv"
	"sync"

	"gemu/internal/abi/linux"
)

// synthDir is a directory whose entries gemu makes up: /proc/self/fd and
// /proc/self/fdinfo list the guest's descriptors, not gemu's. The listing
// is taken when the guest reads from position 0 (like procfs, which lists
// the table as it is at each read); the position is the entry index.
type synthDir struct {
	kind string // "fd" or "fdinfo"

	mu   sync.Mutex
	ents []synthEnt
	pos  int64
}

type synthEnt struct {
	name string
	ino  uint64
	typ  uint8
}

// Directory entry types.
const (
	dtDir = 4
	dtReg = 8
	dtLnk = 10
)

// list takes the listing of the guest's descriptors.
func (c *call) synthList(d *synthDir) []synthEnt {
	ents := []synthEnt{{".", 1, dtDir}, {"..", 2, dtDir}}
	typ := uint8(dtLnk)
	if d.kind == "fdinfo" {
		typ = dtReg
	}
	c.p.mu.Lock()
	for fd, s := range c.p.fds.slots {
		if s.file != nil {
			ents = append(ents, synthEnt{strconv.Itoa(fd), 0x1000 + uint64(fd), typ})
		}
	}
	c.p.mu.Unlock()
	return ents
}

// synthGetdents serves getdents64 (old=false) or getdents (old=true) on a
// synthesized directory.
func (c *call) synthGetdents(f *hostFile, buf, count uint64, old bool) (uint64, linux.Errno) {
	d := f.synth
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.pos == 0 || d.ents == nil {
		d.ents = c.synthList(d)
	}
	var out []byte
	pos := d.pos
	for ; pos < int64(len(d.ents)); pos++ {
		ent := d.ents[pos]
		reclen := (linux.SizeofDirent64Header + len(ent.name) + 1 + 7) &^ 7
		if uint64(len(out)+reclen) > count {
			break
		}
		rec := make([]byte, reclen)
		le.PutUint64(rec[0:], ent.ino)
		le.PutUint64(rec[8:], uint64(pos+1))
		le.PutUint16(rec[16:], uint16(reclen))
		if old {
			toOldDirent(rec, ent.name, ent.typ)
		} else {
			rec[18] = ent.typ
			copy(rec[linux.SizeofDirent64Header:], ent.name)
		}
		out = append(out, rec...)
	}
	if len(out) == 0 && pos < int64(len(d.ents)) {
		return 0, linux.EINVAL // the buffer cannot hold one entry
	}
	got := c.writePartial(buf, out)
	if got < len(out) {
		// Keep the whole records that landed.
		end, n := 0, int64(0)
		for end < len(out) {
			reclen := int(le.Uint16(out[end+16:]))
			if end+reclen > got {
				break
			}
			end += reclen
			n++
		}
		d.pos += n
		if end == 0 {
			return 0, linux.EFAULT
		}
		return uint64(end), 0
	}
	d.pos = pos
	return uint64(len(out)), 0
}

// synthSeek is lseek on a synthesized directory.
func (d *synthDir) seek(off int64, whence uint32) (uint64, linux.Errno) {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch whence {
	case linux.SEEK_SET:
	case linux.SEEK_CUR:
		off += d.pos
	default:
		return 0, linux.EINVAL
	}
	if off < 0 {
		return 0, linux.EINVAL
	}
	d.pos = off
	return uint64(off), 0
}
