package hypertrace

import (
	"encoding/binary"
	"fmt"

	"gemu/mmu"
)

var _ mmu.Tag = (*Channel)(nil)

// TrapStore implements mmu.Tag for the control mappings: it runs before a
// guest store into them lands, advances the storing client's two-phase
// state and emits the event on phase 2. It always lets the store land.
func (ch *Channel) TrapStore(s *mmu.Space, st *mmu.Store) error {
	off, ok := s.FileOffset(st.Addr)
	if !ok {
		return nil
	}
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if ch.closed {
		return nil
	}
	half := ch.layout.ControlSize / 2
	if st.Size != 8 || off%8 != 0 || off+8 > ch.layout.ControlSize {
		ch.guestError("%d-byte store at control offset %#x is not an aligned 8-byte slot store; ignored", st.Size, off)
		return nil
	}
	phase2 := off >= half
	slot := (off % half) / 8
	if slot >= uint64(len(ch.clients)) {
		ch.guestError("store to control slot %d, beyond max-clients=%d; ignored", slot, len(ch.clients))
		return nil
	}
	c := &ch.clients[slot]
	if !phase2 {
		c.armed, c.arg1 = true, st.Lo
		return nil
	}
	if !c.armed {
		ch.guestError("client %d stored into half 2 without arming it in half 1; ignored", slot)
		return nil
	}
	c.armed = false
	ch.emit(st.CPU, int(slot), c.arg1)
	return nil
}

// emit records one guest_hypertrace event. Preconditions: ch.mu is held.
func (ch *Channel) emit(cpu, slot int, arg1 uint64) {
	ch.events++
	tr := ch.cfg.Tracer
	if tr == nil {
		return
	}
	a := ch.args
	a[0], a[1] = uint64(cpu), arg1
	base := uint64(slot) * ch.layout.ClientDataSize
	for i := 2; i < len(a); i++ {
		a[i] = binary.LittleEndian.Uint64(ch.data[base+uint64(i-2)*8:])
	}
	pid, tid := ch.cfg.PID, ch.cfg.PID
	if ch.cfg.TID != nil {
		tid = ch.cfg.TID(cpu)
	}
	if ch.cfg.Task != nil {
		if p, t, ok := ch.cfg.Task(cpu); ok {
			pid, tid = p, t
		}
	}
	if err := tr.Emit(ch.eventID, pid, tid, a); err != nil && ch.cfg.Log != nil {
		fmt.Fprintf(ch.cfg.Log, "gemu: hypertrace: %v\n", err)
	}
}

func (ch *Channel) guestError(format string, args ...any) {
	if ch.cfg.GuestErrors && ch.cfg.Log != nil {
		fmt.Fprintf(ch.cfg.Log, "gemu: hypertrace: "+format+"\n", args...)
	}
}

// FilterMmap is consulted for every guest mapping of a host file
// (identified by its device and inode). A mapping of the control file must
// be MAP_SHARED, start at offset 0 and span exactly the control size
// (mmu.ErrInvalid, EINVAL, otherwise); it gets the channel's tag. Other
// files pass unchanged.
func (ch *Channel) FilterMmap(dev, ino uint64, m *mmu.Mapping) error {
	if (fileID{dev, ino}) != ch.ids[controlFileIndex] {
		return nil
	}
	if !m.Shared || m.Offset != 0 || m.Length != ch.layout.ControlSize {
		ch.mu.Lock()
		ch.guestError("control file mapped with offset %#x, length %#x, shared=%v: want offset 0, length %#x, MAP_SHARED",
			m.Offset, m.Length, m.Shared, ch.layout.ControlSize)
		ch.mu.Unlock()
		return mmu.ErrInvalid
	}
	m.Tag = ch
	return nil
}
