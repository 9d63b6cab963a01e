package mmu

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

var sizes = []int{1, 2, 4, 8, 16}

// load and storeN dispatch on the access size.
func load(tl *TLB, addr uint64, size int) (lo, hi uint64, err error) {
	switch size {
	case 1:
		lo, err = tl.Read8(addr)
	case 2:
		lo, err = tl.Read16(addr)
	case 4:
		lo, err = tl.Read32(addr)
	case 8:
		lo, err = tl.Read64(addr)
	case 16:
		lo, hi, err = tl.Read128(addr)
	}
	return lo, hi, err
}

func storeN(tl *TLB, addr uint64, size int, lo, hi uint64) error {
	switch size {
	case 1:
		return tl.Write8(addr, lo)
	case 2:
		return tl.Write16(addr, lo)
	case 4:
		return tl.Write32(addr, lo)
	case 8:
		return tl.Write64(addr, lo)
	}
	return tl.Write128(addr, lo, hi)
}

func mask(size int) uint64 {
	if size >= 8 {
		return ^uint64(0)
	}
	return 1<<(8*size) - 1
}

func TestFaultError(t *testing.T) {
	tests := []struct {
		f    Fault
		want string
	}{
		{Fault{0x1000, AccessWrite, FaultUnmapped}, "mmu: write fault at 0x1000 (unmapped)"},
		{Fault{0x7ffffffff000, AccessRead, FaultProtection}, "mmu: read fault at 0x7ffffffff000 (protection)"},
		{Fault{0x401000, AccessExec, FaultBus}, "mmu: exec fault at 0x401000 (beyond end of file)"},
	}
	for _, tc := range tests {
		if got := tc.f.Error(); got != tc.want {
			t.Errorf("%+v.Error() = %q, want %q", tc.f, got, tc.want)
		}
	}
}

// TestLoadStoreRoundTrip stores every size at in-page, page-end and
// page-crossing offsets and checks the little-endian bytes and the load.
func TestLoadStoreRoundTrip(t *testing.T) {
	s := NewSpace()
	defer s.Close()
	const base = 0x10000000
	mapAt(t, s, base, 3*PageSize, rw)
	tl := s.NewTLB(0)
	const lo, hi = 0x0807060504030201, 0x100f0e0d0c0b0a09
	for _, size := range sizes {
		for _, off := range []uint64{0, 1, 7, PageSize - uint64(size), PageSize - 1, PageSize - 3, 2*PageSize - 5} {
			addr := base + off
			if err := storeN(tl, addr, size, lo, hi); err != nil {
				t.Fatalf("store%d at %#x: %v", size*8, addr, err)
			}
			want := make([]byte, 16)
			binary.LittleEndian.PutUint64(want, lo)
			binary.LittleEndian.PutUint64(want[8:], hi)
			if got := peek(t, s, addr, size); !bytes.Equal(got, want[:size]) {
				t.Fatalf("store%d at %#x: bytes %x, want %x", size*8, addr, got, want[:size])
			}
			gotLo, gotHi, err := load(tl, addr, size)
			wantHi := uint64(0)
			if size == 16 {
				wantHi = hi
			}
			if err != nil || gotLo != lo&mask(size) || gotHi != wantHi {
				t.Fatalf("load%d at %#x = %#x,%#x,%v", size*8, addr, gotLo, gotHi, err)
			}
			if _, err := s.WriteAt(make([]byte, 16), addr); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestFaultKinds checks each fault kind for each access path.
func TestFaultKinds(t *testing.T) {
	s := NewSpace()
	defer s.Close()
	const (
		none = 0x20000000
		ro   = 0x20002000
		rx   = 0x20004000
		hole = 0x20006000
	)
	mapAt(t, s, none, PageSize, PermNone)
	mapAt(t, s, ro, PageSize, PermRead)
	mapAt(t, s, rx, PageSize, PermRead|PermExec)
	tl := s.NewTLB(0)
	var b [4]byte
	tests := []struct {
		name string
		do   func() error
		addr uint64
		acc  Access
		kind FaultKind
	}{
		{"read unmapped", func() error { _, err := tl.Read32(hole + 8); return err }, hole + 8, AccessRead, FaultUnmapped},
		{"write unmapped", func() error { return tl.Write16(hole, 1) }, hole, AccessWrite, FaultUnmapped},
		{"fetch unmapped", func() error { _, err := s.Fetch(b[:], hole+1); return err }, hole + 1, AccessExec, FaultUnmapped},
		{"read PROT_NONE", func() error { _, err := tl.Read8(none + 5); return err }, none + 5, AccessRead, FaultProtection},
		{"write read-only", func() error { return tl.Write64(ro+16, 1) }, ro + 16, AccessWrite, FaultProtection},
		{"fetch non-exec", func() error { _, err := s.Fetch(b[:], ro); return err }, ro, AccessExec, FaultProtection},
		{"WriteAt read-only", func() error { _, err := s.WriteAt(b[:], ro+3); return err }, ro + 3, AccessWrite, FaultProtection},
		{"ReadAt PROT_NONE", func() error { _, err := s.ReadAt(b[:], none); return err }, none, AccessRead, FaultProtection},
		{"write exec-only", func() error { return tl.Write8(rx, 1) }, rx, AccessWrite, FaultProtection},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantFault(t, tc.do(), tc.addr, tc.acc, tc.kind) })
	}
}

// TestImpliedRead: on x86 Linux a PROT_WRITE-only or PROT_EXEC-only page is
// readable (native run on this host: both reads succeed).
func TestImpliedRead(t *testing.T) {
	s := NewSpace()
	defer s.Close()
	mapAt(t, s, 0x30000000, PageSize, PermWrite)
	mapAt(t, s, 0x30001000, PageSize, PermExec)
	tl := s.NewTLB(0)
	for _, a := range []uint64{0x30000000, 0x30001000} {
		if _, err := tl.Read64(a); err != nil {
			t.Errorf("Read64(%#x): %v", a, err)
		}
	}
	if err := tl.Write8(0x30001000, 1); err == nil {
		t.Error("store to an exec-only page succeeded")
	}
}

// TestCrossPageFaults: an access crossing into a page it may not touch
// faults at the first byte of that page and a store changes nothing.
func TestCrossPageFaults(t *testing.T) {
	const p1 = 0x40000000
	const p2 = p1 + PageSize
	refuse := &recordingTag{verdict: &Fault{Addr: p2, Access: AccessWrite, Kind: FaultProtection}}
	second := []struct {
		name  string
		setup func(s *Space)
		read  bool // a load faults too
		kind  FaultKind
	}{
		{"unmapped", func(s *Space) {}, true, FaultUnmapped},
		{"read-only", func(s *Space) { mapAt(t, s, p2, PageSize, PermRead) }, false, FaultProtection},
		{"PROT_NONE", func(s *Space) { mapAt(t, s, p2, PageSize, PermNone) }, true, FaultProtection},
		{"tag refuses", func(s *Space) {
			mapAt(t, s, p2, PageSize, rw)
			if err := s.SetTag(p2, PageSize, refuse); err != nil {
				t.Fatal(err)
			}
		}, false, FaultProtection},
	}
	for _, sc := range second {
		for _, size := range sizes[1:] {
			for back := 1; back < size; back++ {
				s := NewSpace()
				mapAt(t, s, p1, PageSize, rw)
				sc.setup(s)
				tl := s.NewTLB(0)
				addr := p2 - uint64(back)
				// Warm the TLB with the first page on both sides.
				if err := tl.Write8(p1, 0xaa); err != nil {
					t.Fatal(err)
				}
				before := peek(t, s, p1, PageSize)
				err := storeN(tl, addr, size, ^uint64(0), ^uint64(0))
				wantFault(t, err, p2, AccessWrite, sc.kind)
				if got := peek(t, s, p1, PageSize); !bytes.Equal(got, before) {
					t.Fatalf("%s: store%d at %#x changed the first page", sc.name, size*8, addr)
				}
				if sc.read {
					_, _, err := load(tl, addr, size)
					wantFault(t, err, p2, AccessRead, sc.kind)
				}
				s.Close()
			}
		}
	}
}

// TestTags: the handler runs before the store lands, sees the store, and a
// fault aborts it; loads and WriteAt never call it.
func TestTags(t *testing.T) {
	s := NewSpace()
	defer s.Close()
	const page = 0x50000000
	tag := &recordingTag{}
	if _, err := s.Map(Mapping{Addr: page, Length: 2 * PageSize, Perm: rw, Fixed: true, Tag: tag}); err != nil {
		t.Fatal(err)
	}
	tl := s.NewTLB(3)
	if _, err := s.WriteAt([]byte{1, 2, 3, 4}, page+8); err != nil {
		t.Fatal(err)
	}
	if len(tag.stores) != 0 {
		t.Fatalf("WriteAt called the tag: %+v", tag.stores)
	}
	for i := range 3 { // every store traps: a tagged page never enters the write side
		if err := tl.Write32(page+8, 0xdeadbeef+uint64(i)); err != nil {
			t.Fatal(err)
		}
	}
	if len(tag.stores) != 3 {
		t.Fatalf("tag saw %d stores, want 3", len(tag.stores))
	}
	want := Store{Addr: page + 8, Size: 4, Lo: 0xdeadbeef, CPU: 3}
	if tag.stores[0] != want {
		t.Errorf("store = %+v, want %+v", tag.stores[0], want)
	}
	if !bytes.Equal(tag.seen, []byte{0xf0, 0xbe, 0xad, 0xde}) { // the second store's value, before the third landed
		t.Errorf("handler saw %x: it did not run before the store landed", tag.seen)
	}
	if v, _ := tl.Read32(page + 8); v != 0xdeadbef1 {
		t.Errorf("value = %#x, want 0xdeadbef1", v)
	}
	// Lo is masked to the store size; a 128-bit store carries Hi.
	tag.stores = nil
	if err := tl.Write8(page+1, 0x1ff); err != nil {
		t.Fatal(err)
	}
	if err := tl.Write128(page+PageSize-8, 1, 2); err != nil {
		t.Fatal(err)
	}
	if got := tag.stores; len(got) != 2 || got[0].Lo != 0xff || got[0].Size != 1 ||
		got[1] != (Store{Addr: page + PageSize - 8, Size: 16, Lo: 1, Hi: 2, CPU: 3}) {
		t.Errorf("stores = %+v (one call for a store across two pages with the same tag)", got)
	}
	// A refusing handler aborts the store and its error is returned.
	refusal := &Fault{Addr: page, Access: AccessWrite, Kind: FaultProtection}
	tag.verdict = refusal
	if err := tl.Write64(page, ^uint64(0)); err != refusal {
		t.Fatalf("Write64 = %v, want the handler's fault", err)
	}
	if got := peek(t, s, page, 8); !bytes.Equal(got, []byte{0, 0xff, 0, 0, 0, 0, 0, 0}) {
		t.Errorf("refused store landed: %x", got)
	}
	// Loads never call the handler.
	tag.stores = nil
	if _, err := tl.Read64(page); err != nil || len(tag.stores) != 0 {
		t.Errorf("Read64: %v, %d handler calls", err, len(tag.stores))
	}
	// Removing the tag lets stores through without a call.
	if err := s.SetTag(page, 2*PageSize, nil); err != nil {
		t.Fatal(err)
	}
	if err := tl.Write64(page, 7); err != nil || len(tag.stores) != 0 {
		t.Errorf("untagged store: %v, %d handler calls", err, len(tag.stores))
	}
}

// TestTagSwap: a handler may move tags (hypertrace's two-phase swap); the
// store still lands, and the next store follows the new tags.
func TestTagSwap(t *testing.T) {
	s := NewSpace()
	defer s.Close()
	const half1, half2 = 0x60000000, 0x60001000
	mapAt(t, s, half1, 2*PageSize, rw)
	var events []string
	var phase1, phase2 Tag
	phase1 = funcTag(func(s *Space, st *Store) error {
		events = append(events, "arm")
		if err := s.SetTag(half1, PageSize, nil); err != nil {
			return err
		}
		return s.SetTag(half2, PageSize, phase2)
	})
	phase2 = funcTag(func(s *Space, st *Store) error {
		events = append(events, "emit")
		if err := s.SetTag(half2, PageSize, nil); err != nil {
			return err
		}
		return s.SetTag(half1, PageSize, phase1)
	})
	if err := s.SetTag(half1, PageSize, phase1); err != nil {
		t.Fatal(err)
	}
	tl := s.NewTLB(0)
	for _, st := range []uint64{half2, half1, half1, half2, half2, half1} {
		if err := tl.Write64(st, st); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := events, []string{"arm", "emit", "arm"}; !equalStrings(got, want) {
		t.Errorf("events = %v, want %v", got, want)
	}
	if v, _ := tl.Read64(half2); v != half2 {
		t.Errorf("half2 = %#x", v)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestCodeMarks: every way of changing a marked page clears the mark and
// notifies once; a TLB store notifies after the bytes landed.
func TestCodeMarks(t *testing.T) {
	const code = 0x70000000
	tests := []struct {
		name   string
		change func(t *testing.T, s *Space, tl *TLB)
		want   [][2]uint64
	}{
		{"TLB store", func(t *testing.T, s *Space, tl *TLB) {
			if err := tl.Write32(code+PageSize+4, 0x90909090); err != nil {
				t.Fatal(err)
			}
		}, [][2]uint64{{code + PageSize, code + 2*PageSize}}},
		{"crossing TLB store", func(t *testing.T, s *Space, tl *TLB) {
			if err := tl.Write64(code+PageSize-4, 0x90909090); err != nil {
				t.Fatal(err)
			}
		}, [][2]uint64{{code, code + PageSize}, {code + PageSize, code + 2*PageSize}}},
		{"WriteAt", func(t *testing.T, s *Space, tl *TLB) {
			if _, err := s.WriteAt([]byte{0xcc}, code+10); err != nil {
				t.Fatal(err)
			}
		}, [][2]uint64{{code, code + PageSize}}},
		{"Poke", func(t *testing.T, s *Space, tl *TLB) {
			if err := s.Poke([]byte{0xcc}, code+PageSize); err != nil {
				t.Fatal(err)
			}
		}, [][2]uint64{{code + PageSize, code + 2*PageSize}}},
		{"Unmap", func(t *testing.T, s *Space, tl *TLB) {
			if err := s.Unmap(code, 4*PageSize); err != nil {
				t.Fatal(err)
			}
		}, [][2]uint64{{code, code + 2*PageSize}}},
		{"Protect", func(t *testing.T, s *Space, tl *TLB) {
			if err := s.Protect(code+PageSize, PageSize, PermRead); err != nil {
				t.Fatal(err)
			}
		}, [][2]uint64{{code + PageSize, code + 2*PageSize}}},
		{"Advise", func(t *testing.T, s *Space, tl *TLB) {
			if err := s.Advise(code, PageSize, AdviceDontNeed); err != nil {
				t.Fatal(err)
			}
		}, [][2]uint64{{code, code + PageSize}}},
		{"Remap", func(t *testing.T, s *Space, tl *TLB) {
			if _, err := s.Remap(code, 4*PageSize, 4*PageSize, RemapMayMove|RemapFixed, 0x71000000); err != nil {
				t.Fatal(err)
			}
		}, [][2]uint64{{code, code + 2*PageSize}}},
		{"store elsewhere", func(t *testing.T, s *Space, tl *TLB) {
			if err := tl.Write64(code+2*PageSize, 1); err != nil {
				t.Fatal(err)
			}
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSpace()
			defer s.Close()
			mapAt(t, s, code, 4*PageSize, rw|PermExec)
			obs := &observer{}
			s.SetCodeObserver(obs)
			tl := s.NewTLB(0)
			// Warm the write side, then mark: the mark must evict it.
			for _, a := range []uint64{code, code + PageSize, code + 2*PageSize} {
				if err := tl.Write8(a+100, 1); err != nil {
					t.Fatal(err)
				}
			}
			s.MarkCode(code)
			s.MarkCode(code + PageSize + 77)
			tc.change(t, s, tl)
			if !equalCalls(obs.calls, tc.want) {
				t.Fatalf("observer calls %x, want %x", obs.calls, tc.want)
			}
			// Notified pages lost their mark; the others kept it.
			for _, p := range []uint64{code, code + PageSize} {
				notified := false
				for _, r := range tc.want {
					notified = notified || r[0] <= p && p < r[1]
				}
				e := s.pt.lookup(p >> PageShift)
				marked := e != nil && e.flags&pteCode != 0
				if marked == notified {
					t.Errorf("page %#x: marked %v after the change, notified %v", p, marked, notified)
				}
			}
		})
	}
}

func equalCalls(a, b [][2]uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestCodeObserverSeesNewBytes: CodeChanged runs after the store landed and
// before the store returns; re-marking inside it keeps the page out of the
// write side.
func TestCodeObserverSeesNewBytes(t *testing.T) {
	s := NewSpace()
	defer s.Close()
	const code = 0x70000000
	mapAt(t, s, code, PageSize, rw|PermExec)
	tl := s.NewTLB(0)
	var seen []byte
	obs := &observer{onChange: func(start, end uint64) {
		seen = make([]byte, 4)
		if _, err := s.Fetch(seen, code); err != nil {
			t.Fatal(err)
		}
		s.MarkCode(code) // re-translate
	}}
	s.SetCodeObserver(obs)
	s.MarkCode(code)
	if err := tl.Write32(code, 0xc3c3c3c3); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(seen, []byte{0xc3, 0xc3, 0xc3, 0xc3}) {
		t.Fatalf("observer saw %x, want the new bytes", seen)
	}
	if err := tl.Write32(code, 0x90909090); err != nil {
		t.Fatal(err)
	}
	if len(obs.calls) != 2 {
		t.Fatalf("re-marked page: %d calls, want 2", len(obs.calls))
	}
}

// TestTLBCoherency: after Unmap, Protect, Map(Fixed), Advise and Remap no
// TLB (of several) uses a stale entry.
func TestTLBCoherency(t *testing.T) {
	const a = 0x80000000
	tests := []struct {
		name  string
		after func(t *testing.T, s *Space)
		check func(t *testing.T, tl *TLB)
	}{
		{"Unmap", func(t *testing.T, s *Space) {
			if err := s.Unmap(a, PageSize); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, tl *TLB) {
			_, err := tl.Read64(a)
			wantFault(t, err, a, AccessRead, FaultUnmapped)
			wantFault(t, tl.Write64(a, 1), a, AccessWrite, FaultUnmapped)
		}},
		{"Protect read-only", func(t *testing.T, s *Space) {
			if err := s.Protect(a, PageSize, PermRead); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, tl *TLB) {
			wantFault(t, tl.Write64(a, 1), a, AccessWrite, FaultProtection)
			if v, err := tl.Read64(a); err != nil || v != 0x1122 {
				t.Fatalf("Read64 = %#x, %v", v, err)
			}
		}},
		{"Protect none", func(t *testing.T, s *Space) {
			if err := s.Protect(a, PageSize, PermNone); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, tl *TLB) {
			_, err := tl.Read8(a)
			wantFault(t, err, a, AccessRead, FaultProtection)
		}},
		{"Map Fixed", func(t *testing.T, s *Space) {
			mapAt(t, s, a, PageSize, rw)
		}, func(t *testing.T, tl *TLB) {
			if v, err := tl.Read64(a); err != nil || v != 0 {
				t.Fatalf("Read64 after replacement = %#x, %v; want fresh zero page", v, err)
			}
		}},
		{"Advise", func(t *testing.T, s *Space) {
			if err := s.Advise(a, PageSize, AdviceDontNeed); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, tl *TLB) {
			if err := tl.Write64(a+8, 5); err != nil {
				t.Fatal(err)
			}
			if v, err := tl.Read64(a); err != nil || v != 0 {
				t.Fatalf("Read64 after DONTNEED = %#x, %v", v, err)
			}
		}},
		{"Remap away", func(t *testing.T, s *Space) {
			if _, err := s.Remap(a, PageSize, PageSize, RemapMayMove|RemapFixed, a+0x100000); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, tl *TLB) {
			_, err := tl.Read64(a)
			wantFault(t, err, a, AccessRead, FaultUnmapped)
			if v, err := tl.Read64(a + 0x100000); err != nil || v != 0x1122 {
				t.Fatalf("moved page = %#x, %v", v, err)
			}
		}},
		{"SetTag", func(t *testing.T, s *Space) {
			if err := s.SetTag(a, 1, &recordingTag{verdict: errors.New("no")}); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, tl *TLB) {
			if err := tl.Write64(a, 1); err == nil || err.Error() != "no" {
				t.Fatalf("store to newly tagged page = %v", err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSpace()
			defer s.Close()
			mapAt(t, s, a, PageSize, rw)
			t0, t1 := s.NewTLB(0), s.NewTLB(1)
			for _, tl := range []*TLB{t0, t1} {
				if err := tl.Write64(a, 0x1122); err != nil {
					t.Fatal(err)
				}
				if _, err := tl.Read64(a); err != nil {
					t.Fatal(err)
				}
			}
			tc.after(t, s)
			tc.check(t, t0)
			tc.check(t, t1)
		})
	}
}

// TestTLBRelease: a released TLB is no longer flushed by the Space and its
// accesses fault instead of using stale entries.
func TestTLBRelease(t *testing.T) {
	s := NewSpace()
	defer s.Close()
	mapAt(t, s, 0x80000000, PageSize, rw)
	tl := s.NewTLB(0)
	keep := s.NewTLB(1)
	if _, err := tl.Read64(0x80000000); err != nil {
		t.Fatal(err)
	}
	tl.Release()
	if len(s.tlbs) != 1 || s.tlbs[0] != keep {
		t.Fatalf("registered TLBs after Release: %d", len(s.tlbs))
	}
	_, err := tl.Read64(0x80000000)
	wantFault(t, err, 0x80000000, AccessRead, FaultUnmapped)
}

// TestHighAddresses: any uint64 address faults cleanly, including the top
// of the user range, the non-canonical hole and wrap-around at 2^64.
func TestHighAddresses(t *testing.T) {
	s := NewSpace()
	defer s.Close()
	last := UserTop - PageSize
	mapAt(t, s, last, PageSize, rw)
	tl := s.NewTLB(0)
	if err := tl.Write64(UserTop-8, 0x55); err != nil {
		t.Fatalf("store in the last user page: %v", err)
	}
	tests := []struct {
		addr, fault uint64
		size        int
	}{
		{UserTop - 4, UserTop, 8},
		{UserTop - 1, UserTop, 16},
		{UserTop, UserTop, 1},
		{1 << 47, 1 << 47, 8},
		{1<<47 - 2, 1<<47 - 2, 4}, // UserTop is a page below 2^47: unmapped
		{0xffff800000000000, 0xffff800000000000, 8},
		{^uint64(0) - 7, ^uint64(0) - 7, 8},
		{^uint64(0) - 3, ^uint64(0) - 3, 8}, // wraps to page 0
		{^uint64(0), ^uint64(0), 16},
	}
	for _, tc := range tests {
		_, _, err := load(tl, tc.addr, tc.size)
		wantFault(t, err, tc.fault, AccessRead, FaultUnmapped)
		wantFault(t, storeN(tl, tc.addr, tc.size, 1, 1), tc.fault, AccessWrite, FaultUnmapped)
		var b [16]byte
		n, err := s.ReadAt(b[:], tc.addr)
		if n != int(tc.fault-tc.addr) || err == nil {
			t.Errorf("ReadAt(%#x) = %d, %v", tc.addr, n, err)
		}
		if _, err := s.Fetch(b[:], tc.addr); err == nil {
			t.Errorf("Fetch(%#x) succeeded", tc.addr)
		}
	}
	if v, _ := tl.Read64(UserTop - 8); v != 0x55 {
		t.Errorf("last user page changed: %#x", v)
	}
	for _, a := range []uint64{UserTop, 1 << 47, ^uint64(0) &^ PageMask} {
		if _, err := s.Map(Mapping{Addr: a, Length: PageSize, Perm: rw, Fixed: true}); err != ErrNoMemory {
			t.Errorf("Map Fixed at %#x: %v, want ErrNoMemory", a, err)
		}
	}
}

// TestReadAtWriteAtPartial: copies stop at the first inaccessible byte and
// report how much was copied, like copy_{from,to}_user.
func TestReadAtWriteAtPartial(t *testing.T) {
	s := NewSpace()
	defer s.Close()
	const a = 0x90000000
	mapAt(t, s, a, PageSize, rw)
	mapAt(t, s, a+PageSize, PageSize, PermRead)
	buf := bytes.Repeat([]byte{0xab}, 2*PageSize)
	n, err := s.WriteAt(buf, a+PageSize-10)
	if n != 10 {
		t.Errorf("WriteAt copied %d, want 10", n)
	}
	wantFault(t, err, a+PageSize, AccessWrite, FaultProtection)
	n, err = s.ReadAt(buf, a+PageSize-10)
	if n != PageSize+10 {
		t.Errorf("ReadAt copied %d, want %d", n, PageSize+10)
	}
	wantFault(t, err, a+2*PageSize, AccessRead, FaultUnmapped)
	// Poke ignores permissions but needs every page mapped; a hole writes nothing.
	if err := s.Poke([]byte{1, 2}, a+2*PageSize-1); err == nil {
		t.Fatal("Poke across the end of the mapping succeeded")
	}
	if got := peek(t, s, a+2*PageSize-1, 1); got[0] != 0 {
		t.Errorf("failed Poke wrote %x", got)
	}
	if err := s.Poke([]byte{7, 8}, a+PageSize); err != nil {
		t.Fatal(err)
	}
	if got := peek(t, s, a+PageSize, 2); !bytes.Equal(got, []byte{7, 8}) {
		t.Errorf("Poke into read-only page: %x", got)
	}
}

// TestReadCString covers the NUL within max, across pages, missing, and faults.
func TestReadCString(t *testing.T) {
	s := NewSpace()
	defer s.Close()
	const a = 0xa0000000
	mapAt(t, s, a, 2*PageSize, rw)
	if err := s.Poke([]byte("hello\x00"), a); err != nil {
		t.Fatal(err)
	}
	if err := s.Poke([]byte("cross\x00"), a+PageSize-3); err != nil {
		t.Fatal(err)
	}
	if err := s.Poke(bytes.Repeat([]byte{'x'}, 8), a+2*PageSize-8); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		addr    uint64
		max     int
		want    string
		wantErr error
	}{
		{a, 4096, "hello", nil},
		{a, 6, "hello", nil},    // NUL is the 6th byte: within max
		{a, 5, "", ErrTooLong},  // no NUL within the first 5 bytes
		{a, 0, "", ErrTooLong},  //
		{a + 3, 100, "lo", nil}, //
		{a + PageSize - 3, 10, "cross", nil},
		{a + 5, 1, "", nil},
	}
	for _, tc := range tests {
		got, err := s.ReadCString(tc.addr, tc.max)
		if got != tc.want || err != tc.wantErr {
			t.Errorf("ReadCString(%#x, %d) = %q, %v; want %q, %v", tc.addr, tc.max, got, err, tc.want, tc.wantErr)
		}
	}
	_, err := s.ReadCString(a+2*PageSize-8, 100)
	wantFault(t, err, a+2*PageSize, AccessRead, FaultUnmapped)
	if _, err := s.ReadCString(a+2*PageSize-8, 8); err != ErrTooLong {
		t.Errorf("max reached before the unmapped page: %v, want ErrTooLong", err)
	}
}

// TestFetch copies up to the first non-executable byte.
func TestFetch(t *testing.T) {
	s := NewSpace()
	defer s.Close()
	const a = 0xb0000000
	mapAt(t, s, a, PageSize, PermRead|PermExec)
	mapAt(t, s, a+PageSize, PageSize, PermRead)
	if err := s.Poke([]byte{0x90, 0xc3}, a+PageSize-2); err != nil {
		t.Fatal(err)
	}
	var b [15]byte
	n, err := s.Fetch(b[:], a+PageSize-2)
	if n != 2 || !bytes.Equal(b[:2], []byte{0x90, 0xc3}) {
		t.Errorf("Fetch = %d %x", n, b[:n])
	}
	wantFault(t, err, a+PageSize, AccessExec, FaultProtection)
	if n, err := s.Fetch(b[:], a); n != 15 || err != nil {
		t.Errorf("Fetch inside = %d, %v", n, err)
	}
}

// TestCopyOnWriteFlag: a page flagged copy-on-write is copied by the first
// store and never enters the write side while flagged.
func TestCopyOnWriteFlag(t *testing.T) {
	s := NewSpace()
	defer s.Close()
	const a = 0xc0000000
	mapAt(t, s, a, PageSize, rw)
	tl := s.NewTLB(0)
	if err := tl.Write64(a, 1); err != nil {
		t.Fatal(err)
	}
	e := s.pt.lookup(a >> PageShift)
	shared := e.data
	e.flags |= pteCOW
	s.flushTLBs()
	if err := tl.Write64(a, 2); err != nil {
		t.Fatal(err)
	}
	if shared[0] != 1 || e.data == shared || e.flags&pteCOW != 0 {
		t.Fatalf("COW page not copied: old %d, same=%v, flags %#x", shared[0], e.data == shared, e.flags)
	}
	if v, _ := tl.Read64(a); v != 2 {
		t.Fatalf("value after COW break = %d", v)
	}
}
