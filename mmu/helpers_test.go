package mmu

import (
	"errors"
	"testing"
)

const rw = PermRead | PermWrite

// mapAt maps length bytes of anonymous memory at addr (MAP_FIXED) or fails the test.
func mapAt(t *testing.T, s *Space, addr, length uint64, p Perm) {
	t.Helper()
	got, err := s.Map(Mapping{Addr: addr, Length: length, Perm: p, Fixed: true})
	if err != nil || got != addr {
		t.Fatalf("Map(%#x, %#x) = %#x, %v", addr, length, got, err)
	}
}

// wantFault checks that err is a *Fault with the given fields.
func wantFault(t *testing.T, err error, addr uint64, acc Access, kind FaultKind) {
	t.Helper()
	var f *Fault
	if !errors.As(err, &f) {
		t.Fatalf("error = %v, want a *Fault", err)
	}
	if f.Addr != addr || f.Access != acc || f.Kind != kind {
		t.Fatalf("fault = %+v (%v), want addr %#x access %v kind %v", *f, f, addr, acc, kind)
	}
}

// peek reads guest bytes ignoring nothing: it uses ReadAt and fails on a fault.
func peek(t *testing.T, s *Space, addr uint64, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := s.ReadAt(b, addr); err != nil {
		t.Fatalf("ReadAt(%#x): %v", addr, err)
	}
	return b
}

// recordingTag records every store it sees and answers with its verdict.
type recordingTag struct {
	stores  []Store
	verdict error
	// seen holds the guest bytes at the store address when the handler ran,
	// to prove it runs before the store lands.
	seen []byte
}

func (r *recordingTag) TrapStore(s *Space, st *Store) error {
	r.stores = append(r.stores, *st)
	b := make([]byte, st.Size)
	if _, err := s.ReadAt(b, st.Addr); err == nil {
		r.seen = b
	}
	return r.verdict
}

// funcTag adapts a function to Tag.
type funcTag func(s *Space, st *Store) error

func (f funcTag) TrapStore(s *Space, st *Store) error { return f(s, st) }

// observer records CodeChanged calls; onChange, if set, runs inside them.
type observer struct {
	calls    [][2]uint64
	onChange func(start, end uint64)
}

func (o *observer) CodeChanged(start, end uint64) {
	o.calls = append(o.calls, [2]uint64{start, end})
	if o.onChange != nil {
		o.onChange(start, end)
	}
}
