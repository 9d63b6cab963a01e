package mmu

import (
	"reflect"
	"testing"
)

// regions is Mappings() reduced to what these tests compare.
func regions(s *Space) []Region { return s.Mappings() }

func anon(start, end uint64, p Perm) Region {
	return Region{Start: start, End: end, Perm: p}
}

func wantRegions(t *testing.T, s *Space, want ...Region) {
	t.Helper()
	got := regions(s)
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Mappings:\n got %+v\nwant %+v", got, want)
	}
}

// TestMapArguments: argument errors as a native mmap gives them on Linux
// 6.18 x86-64 (errno in the comments).
func TestMapArguments(t *testing.T) {
	s := NewSpace()
	defer s.Close()
	mapAt(t, s, 0x10000000, PageSize, rw)
	tests := []struct {
		name string
		m    Mapping
		want error
	}{
		{"length 0", Mapping{Length: 0, Perm: rw}, ErrInvalid},                                                  // EINVAL
		{"length wraps", Mapping{Length: ^uint64(0) - 99, Perm: rw}, ErrNoMemory},                               // ENOMEM
		{"length too big", Mapping{Length: ^uint64(0) &^ PageMask, Perm: rw}, ErrNoMemory},                      // ENOMEM
		{"unaligned offset", Mapping{Length: PageSize, Offset: 1, Perm: rw}, ErrInvalid},                        // EINVAL
		{"fixed unaligned", Mapping{Addr: 0x20000001, Length: 1, Fixed: true}, ErrInvalid},                      // EINVAL
		{"noreplace unaligned", Mapping{Addr: 0x20000001, Length: 1, NoReplace: true}, ErrInvalid},              // EINVAL
		{"fixed past top", Mapping{Addr: UserTop - PageSize, Length: 2 * PageSize, Fixed: true}, ErrNoMemory},   // ENOMEM
		{"fixed below min", Mapping{Addr: 0x1000, Length: PageSize, Fixed: true}, ErrPerm},                      // EPERM (unprivileged)
		{"noreplace over mapping", Mapping{Addr: 0x0ffff000, Length: 2 * PageSize, NoReplace: true}, ErrExists}, // EEXIST
		{"noreplace wins over fixed", Mapping{Addr: 0x10000000, Length: PageSize, Fixed: true, NoReplace: true}, ErrExists},
	}
	for _, tc := range tests {
		if _, err := s.Map(tc.m); err != tc.want {
			t.Errorf("%s: Map = %v, want %v", tc.name, err, tc.want)
		}
	}
	wantRegions(t, s, anon(0x10000000, 0x10001000, rw))
}

// TestPlacement: top-down from MmapTop, hints, Fixed replacement.
func TestPlacement(t *testing.T) {
	s := NewSpace()
	defer s.Close()
	m := func(hint, length uint64) uint64 {
		t.Helper()
		a, err := s.Map(Mapping{Addr: hint, Length: length, Perm: PermRead})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	// Native: two successive anonymous mmaps land just below each other.
	a1 := m(0, PageSize)
	a2 := m(0, 3*PageSize)
	if a1 != MmapTop-PageSize || a2 != a1-3*PageSize {
		t.Fatalf("top-down: %#x %#x", a1, a2)
	}
	// Hints: used when free (rounded down to a page), raised to MinAddr,
	// ignored when busy or beyond UserTop (native: 0x200001 -> 0x200000,
	// 0x1000 -> 0x10000, busy -> top-down).
	if a := m(0x400000000, PageSize); a != 0x400000000 {
		t.Errorf("free hint: %#x", a)
	}
	if a := m(0x200001, PageSize); a != 0x200000 {
		t.Errorf("unaligned hint: %#x", a)
	}
	if a := m(0x1000, PageSize); a != MinAddr {
		t.Errorf("low hint: %#x", a)
	}
	if a := m(0x400000000, PageSize); a != a2-PageSize {
		t.Errorf("busy hint: %#x, want %#x", a, a2-PageSize)
	}
	if a := m(UserTop, PageSize); a != a2-2*PageSize {
		t.Errorf("hint past UserTop: %#x", a)
	}
	// A gap opened higher up is found again: the highest gap that fits.
	if err := s.Unmap(a1, PageSize); err != nil {
		t.Fatal(err)
	}
	if a := m(0, 2*PageSize); a != a2-4*PageSize {
		t.Errorf("gap too small must be skipped: %#x", a)
	}
	if a := m(0, PageSize); a != a1 {
		t.Errorf("freed top page: %#x, want %#x", a, a1)
	}
	// A mapping straddling MmapTop is skipped over.
	mapAt(t, s, MmapTop-PageSize, 2*PageSize, PermRead)
	if a := m(0, PageSize); a != a2-5*PageSize {
		t.Errorf("below straddling mapping: %#x", a)
	}
}

// TestPlacementExhausted: when nothing fits below MmapTop Linux falls back
// to bottom-up above a third of the space; when nothing fits at all, ENOMEM.
func TestPlacementExhausted(t *testing.T) {
	s := NewSpace()
	defer s.Close()
	mapAt(t, s, MinAddr, MmapTop-MinAddr, PermNone)
	a, err := s.Map(Mapping{Length: PageSize, Perm: PermRead})
	if err != nil || a != MmapTop {
		t.Fatalf("fallback: %#x, %v", a, err)
	}
	if _, err := s.Map(Mapping{Length: UserTop - MmapTop, Perm: PermRead}); err != ErrNoMemory {
		t.Fatalf("no room: %v", err)
	}
}

// TestFixedReplaces: MAP_FIXED over existing mappings replaces exactly the
// covered pages (fresh zero memory) and splits the rest.
func TestFixedReplaces(t *testing.T) {
	s := NewSpace()
	defer s.Close()
	const a = 0x10000000
	mapAt(t, s, a, 4*PageSize, PermRead|PermWrite|PermExec)
	if err := s.Poke([]byte{1}, a+PageSize); err != nil {
		t.Fatal(err)
	}
	mapAt(t, s, a+PageSize, 2*PageSize, PermRead)
	wantRegions(t, s,
		anon(a, a+PageSize, PermRead|PermWrite|PermExec),
		anon(a+PageSize, a+3*PageSize, PermRead),
		anon(a+3*PageSize, a+4*PageSize, PermRead|PermWrite|PermExec))
	if b := peek(t, s, a+PageSize, 1); b[0] != 0 {
		t.Errorf("replaced page kept old contents")
	}
}

// TestUnmap: splitting, holes, argument errors (native: EINVAL for length
// 0, unaligned addr, a range reaching past UserTop).
func TestUnmap(t *testing.T) {
	s := NewSpace()
	defer s.Close()
	const a = 0x10000000
	mapAt(t, s, a, 8*PageSize, rw)
	if err := s.Unmap(a+2*PageSize, PageSize+1); err != nil {
		t.Fatal(err)
	}
	wantRegions(t, s, anon(a, a+2*PageSize, rw), anon(a+4*PageSize, a+8*PageSize, rw))
	if err := s.Unmap(a+PageSize, 4*PageSize); err != nil { // across the hole
		t.Fatal(err)
	}
	wantRegions(t, s, anon(a, a+PageSize, rw), anon(a+5*PageSize, a+8*PageSize, rw))
	for _, tc := range []struct{ addr, length uint64 }{
		{a, 0}, {a + 1, PageSize}, {UserTop, PageSize}, {UserTop - PageSize, 2 * PageSize}, {a, ^uint64(0)},
	} {
		if err := s.Unmap(tc.addr, tc.length); err != ErrInvalid {
			t.Errorf("Unmap(%#x, %#x) = %v, want ErrInvalid", tc.addr, tc.length, err)
		}
	}
	if err := s.Unmap(0x50000000, PageSize); err != nil {
		t.Errorf("Unmap of nothing: %v", err)
	}
}

// TestProtect: splitting and re-merging, the mapped prefix of a range with
// a hole keeps its new permissions (native: ENOMEM, prefix read-only, the
// part after the hole unchanged), argument errors.
func TestProtect(t *testing.T) {
	s := NewSpace()
	defer s.Close()
	const a = 0x10000000
	mapAt(t, s, a, 4*PageSize, rw)
	if err := s.Protect(a+PageSize, 2*PageSize, PermRead); err != nil {
		t.Fatal(err)
	}
	wantRegions(t, s, anon(a, a+PageSize, rw), anon(a+PageSize, a+3*PageSize, PermRead), anon(a+3*PageSize, a+4*PageSize, rw))
	if err := s.Protect(a+PageSize, 2*PageSize, rw); err != nil {
		t.Fatal(err)
	}
	wantRegions(t, s, anon(a, a+4*PageSize, rw))
	if len(s.vmas) != 1 {
		t.Errorf("VMAs not merged back: %d", len(s.vmas))
	}
	if err := s.Unmap(a+2*PageSize, PageSize); err != nil {
		t.Fatal(err)
	}
	if err := s.Protect(a, 4*PageSize, PermRead); err != ErrNoMemory {
		t.Fatalf("Protect over a hole = %v, want ErrNoMemory", err)
	}
	wantRegions(t, s, anon(a, a+2*PageSize, PermRead), anon(a+3*PageSize, a+4*PageSize, rw))
	tests := []struct {
		addr, length uint64
		perm         Perm
		want         error
	}{
		{a, 0, PermRead, nil},                   // length 0: success
		{a + 1, PageSize, PermRead, ErrInvalid}, // unaligned
		{a, PageSize, 0x10, ErrInvalid},         // unknown bits (native: EINVAL)
		{0x50000000, PageSize, PermRead, ErrNoMemory},
		{UserTop, PageSize, PermRead, ErrNoMemory}, // native: ENOMEM
		{a, ^uint64(0), PermRead, ErrNoMemory},
	}
	for _, tc := range tests {
		if err := s.Protect(tc.addr, tc.length, tc.perm); err != tc.want {
			t.Errorf("Protect(%#x, %#x, %v) = %v, want %v", tc.addr, tc.length, tc.perm, err, tc.want)
		}
	}
}

// TestRemap: shrink, grow in place, move, fixed; errors as a native mremap
// on Linux 6.18 gives them.
func TestRemap(t *testing.T) {
	const a = 0x10000000
	setup := func(t *testing.T) (*Space, *TLB) {
		s := NewSpace()
		mapAt(t, s, a, 4*PageSize, rw)
		tl := s.NewTLB(0)
		for i := range uint64(4) {
			if err := tl.Write64(a+i*PageSize, 0x100+i); err != nil {
				t.Fatal(err)
			}
		}
		return s, tl
	}
	t.Run("shrink", func(t *testing.T) {
		s, tl := setup(t)
		defer s.Close()
		if got, err := s.Remap(a, 4*PageSize, PageSize+1, 0, 0); got != a || err != nil {
			t.Fatalf("Remap = %#x, %v", got, err)
		}
		wantRegions(t, s, anon(a, a+2*PageSize, rw))
		_, err := tl.Read64(a + 2*PageSize)
		wantFault(t, err, a+2*PageSize, AccessRead, FaultUnmapped)
	})
	t.Run("shrink across a hole", func(t *testing.T) { // native: succeeds
		s, _ := setup(t)
		defer s.Close()
		if err := s.Unmap(a+2*PageSize, PageSize); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Remap(a, 4*PageSize, PageSize, 0, 0); got != a || err != nil {
			t.Fatalf("Remap = %#x, %v", got, err)
		}
		wantRegions(t, s, anon(a, a+PageSize, rw))
	})
	t.Run("grow in place", func(t *testing.T) {
		s, tl := setup(t)
		defer s.Close()
		if got, err := s.Remap(a, 4*PageSize, 6*PageSize, 0, 0); got != a || err != nil {
			t.Fatalf("Remap = %#x, %v", got, err)
		}
		wantRegions(t, s, anon(a, a+6*PageSize, rw))
		if v, err := tl.Read64(a + 5*PageSize); v != 0 || err != nil {
			t.Fatalf("new page = %#x, %v", v, err)
		}
	})
	t.Run("grow blocked without MayMove", func(t *testing.T) {
		s, _ := setup(t)
		defer s.Close()
		mapAt(t, s, a+4*PageSize, PageSize, PermRead)
		if _, err := s.Remap(a, 4*PageSize, 5*PageSize, 0, 0); err != ErrNoMemory {
			t.Fatalf("Remap = %v, want ErrNoMemory", err)
		}
	})
	t.Run("grow moves", func(t *testing.T) {
		s, tl := setup(t)
		defer s.Close()
		mapAt(t, s, a+4*PageSize, PageSize, PermRead)
		got, err := s.Remap(a, 4*PageSize, 6*PageSize, RemapMayMove, 0)
		if err != nil || got != MmapTop-6*PageSize {
			t.Fatalf("Remap = %#x, %v", got, err)
		}
		for i := range uint64(4) {
			if v, err := tl.Read64(got + i*PageSize); v != 0x100+i || err != nil {
				t.Fatalf("moved page %d = %#x, %v", i, v, err)
			}
		}
		if v, err := tl.Read64(got + 5*PageSize); v != 0 || err != nil {
			t.Fatalf("grown page = %#x, %v", v, err)
		}
		wantRegions(t, s, anon(a+4*PageSize, a+5*PageSize, PermRead), anon(got, got+6*PageSize, rw))
		if n := s.PageCount(); n != 5 {
			t.Errorf("materialised pages = %d, want 5 (4 moved, 1 read)", n)
		}
	})
	t.Run("grow moves from the middle", func(t *testing.T) {
		s, tl := setup(t)
		defer s.Close()
		got, err := s.Remap(a+PageSize, 2*PageSize, 3*PageSize, RemapMayMove, 0)
		if err != nil || got != MmapTop-3*PageSize {
			t.Fatalf("Remap = %#x, %v", got, err)
		}
		wantRegions(t, s, anon(a, a+PageSize, rw), anon(a+3*PageSize, a+4*PageSize, rw), anon(got, got+3*PageSize, rw))
		if v, _ := tl.Read64(got + PageSize); v != 0x102 {
			t.Fatalf("moved page = %#x", v)
		}
	})
	t.Run("fixed", func(t *testing.T) {
		s, tl := setup(t)
		defer s.Close()
		const d = 0x300000000
		mapAt(t, s, d+2*PageSize, 4*PageSize, PermRead) // partly replaced
		got, err := s.Remap(a, 2*PageSize, 3*PageSize, RemapMayMove|RemapFixed, d)
		if err != nil || got != d {
			t.Fatalf("Remap = %#x, %v", got, err)
		}
		// Native: the fixed grow keeps contents and adds a zero page.
		for i, want := range []uint64{0x100, 0x101, 0} {
			if v, _ := tl.Read64(d + uint64(i)*PageSize); v != want {
				t.Fatalf("page %d = %#x, want %#x", i, v, want)
			}
		}
		wantRegions(t, s, anon(a+2*PageSize, a+4*PageSize, rw), anon(d, d+3*PageSize, rw), anon(d+3*PageSize, d+6*PageSize, PermRead))
	})
	t.Run("fixed shrink", func(t *testing.T) {
		s, tl := setup(t)
		defer s.Close()
		got, err := s.Remap(a, 4*PageSize, PageSize, RemapMayMove|RemapFixed, 0x300000000)
		if err != nil || got != 0x300000000 {
			t.Fatalf("Remap = %#x, %v", got, err)
		}
		wantRegions(t, s, anon(0x300000000, 0x300001000, rw))
		if v, _ := tl.Read64(got); v != 0x100 {
			t.Fatalf("moved = %#x", v)
		}
	})
	t.Run("errors", func(t *testing.T) {
		s, tl := setup(t)
		defer s.Close()
		const tgt = 0x500000000
		mapAt(t, s, tgt, PageSize, rw)
		if err := tl.Write64(tgt, 7); err != nil {
			t.Fatal(err)
		}
		if err := s.Protect(a+PageSize, PageSize, PermRead); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name                string
			old, oldLen, newLen uint64
			flags               RemapFlags
			newAddr             uint64
			want                error
		}{
			{"new length 0", a, PageSize, 0, RemapMayMove, 0, ErrInvalid},
			{"old length 0", a, 0, PageSize, RemapMayMove, 0, ErrInvalid}, // native (private): EINVAL
			{"unaligned", a + 1, PageSize, 2 * PageSize, RemapMayMove, 0, ErrInvalid},
			{"fixed without maymove", a, PageSize, PageSize, RemapFixed, tgt, ErrInvalid},
			{"fixed overlap", a, 2 * PageSize, 2 * PageSize, RemapMayMove | RemapFixed, a + PageSize, ErrInvalid},
			{"fixed unaligned", a, PageSize, PageSize, RemapMayMove | RemapFixed, tgt + 1, ErrInvalid},
			{"dontunmap unsupported", a, PageSize, PageSize, RemapMayMove | RemapDontUnmap, 0, ErrInvalid},
			{"unknown flag", a, PageSize, PageSize, 0x80, 0, ErrInvalid},
			{"grow unmapped", 0x50000000, PageSize, 2 * PageSize, RemapMayMove, 0, ErrFault},
			{"shrink unmapped start", 0x50000000, 2 * PageSize, PageSize, 0, 0, ErrFault},
			{"same size unmapped", 0x50000000, PageSize, PageSize, 0, 0, ErrFault},
			{"grow across mappings", a, 2 * PageSize, 3 * PageSize, RemapMayMove, 0, ErrFault},
			{"fixed unmapped old", 0x50000000, PageSize, PageSize, RemapMayMove | RemapFixed, tgt, ErrFault},
		}
		for _, tc := range tests {
			if got, err := s.Remap(tc.old, tc.oldLen, tc.newLen, tc.flags, tc.newAddr); err != tc.want {
				t.Errorf("%s: Remap = %#x, %v; want %v", tc.name, got, err, tc.want)
			}
		}
		// Native: a fixed mremap with an unmapped old range leaves the target alone.
		if v, err := tl.Read64(tgt); v != 7 || err != nil {
			t.Errorf("target after failed fixed mremap: %#x, %v", v, err)
		}
		if got, err := s.Remap(a, PageSize, PageSize, 0, 0); got != a || err != nil {
			t.Errorf("same size = %#x, %v", got, err)
		}
	})
}

// TestAdvise: DONTNEED zeroes private anonymous pages, acts on every
// mapped part and then reports the hole (native: ENOMEM, the page after
// the hole zeroed too).
func TestAdvise(t *testing.T) {
	s := NewSpace()
	defer s.Close()
	const a = 0x10000000
	mapAt(t, s, a, 4*PageSize, rw)
	if _, err := s.Map(Mapping{Addr: a + 4*PageSize, Length: PageSize, Perm: rw, Fixed: true, Shared: true}); err != nil {
		t.Fatal(err)
	}
	for i := range uint64(5) {
		if err := s.Poke([]byte{byte(i + 1)}, a+i*PageSize); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Unmap(a+2*PageSize, PageSize); err != nil {
		t.Fatal(err)
	}
	if err := s.Advise(a+PageSize, 4*PageSize, AdviceDontNeed); err != ErrNoMemory {
		t.Fatalf("Advise over a hole = %v, want ErrNoMemory", err)
	}
	for _, tc := range []struct {
		addr uint64
		want byte
	}{{a, 1}, {a + PageSize, 0}, {a + 3*PageSize, 0}, {a + 4*PageSize, 5}} {
		if b := peek(t, s, tc.addr, 1); b[0] != tc.want {
			t.Errorf("byte at %#x = %d, want %d", tc.addr, b[0], tc.want)
		}
	}
	for _, tc := range []struct {
		addr, length uint64
		want         error
	}{{a + 1, PageSize, ErrInvalid}, {a, 0, nil}, {a, ^uint64(0), ErrInvalid}, {UserTop, PageSize, ErrNoMemory}} {
		if err := s.Advise(tc.addr, tc.length, AdviceDontNeed); err != tc.want {
			t.Errorf("Advise(%#x, %#x) = %v, want %v", tc.addr, tc.length, err, tc.want)
		}
	}
}

// TestSetTagRange: pages partly covered are tagged whole; a hole is
// ErrNoMemory and changes nothing; Mappings ignores tags.
func TestSetTagRange(t *testing.T) {
	s := NewSpace()
	defer s.Close()
	const a = 0x10000000
	mapAt(t, s, a, 4*PageSize, rw)
	tag := &recordingTag{}
	if err := s.SetTag(a+PageSize+8, 8, tag); err != nil {
		t.Fatal(err)
	}
	wantRegions(t, s, anon(a, a+4*PageSize, rw))
	tl := s.NewTLB(0)
	for _, st := range []uint64{a + PageSize - 8, a + PageSize, a + 2*PageSize - 8, a + 2*PageSize} {
		if err := tl.Write64(st, 1); err != nil {
			t.Fatal(err)
		}
	}
	if len(tag.stores) != 2 {
		t.Errorf("tagged stores = %d, want 2 (the page holding the range)", len(tag.stores))
	}
	if err := s.SetTag(a+3*PageSize, 2*PageSize, tag); err != ErrNoMemory {
		t.Errorf("SetTag over the end = %v", err)
	}
	if s.find(a+3*PageSize).tag != nil {
		t.Error("failed SetTag tagged a page")
	}
}

// TestMappingsMerge: adjacent compatible anonymous VMAs show as one line,
// as Linux merges them; different names or permissions do not merge.
func TestMappingsMerge(t *testing.T) {
	s := NewSpace()
	defer s.Close()
	a1, _ := s.Map(Mapping{Length: PageSize, Perm: rw})
	a2, _ := s.Map(Mapping{Length: 2 * PageSize, Perm: rw})
	a3, _ := s.Map(Mapping{Length: PageSize, Perm: rw, Name: "[stack]"})
	a4, _ := s.Map(Mapping{Length: PageSize, Perm: PermRead})
	wantRegions(t, s,
		anon(a4, a4+PageSize, PermRead),
		Region{Start: a3, End: a3 + PageSize, Perm: rw, Name: "[stack]"},
		anon(a2, a1+PageSize, rw))
	a5, _ := s.Map(Mapping{Length: PageSize, Perm: rw, Shared: true})
	if got := regions(s)[0]; got != (Region{Start: a5, End: a5 + PageSize, Perm: rw, Shared: true}) {
		t.Errorf("shared anonymous region = %+v", got)
	}
}
