package mmu

import "testing"

// TestBrk follows brk(2) on Linux: the break moves to the exact byte asked
// for (native: brk(b+100) returns b+100); 0 or an address below the initial
// break returns the current break; growth into a mapping (or its guard page)
// is refused; shrinking unmaps whole pages.
func TestBrk(t *testing.T) {
	const start = 0x600000
	s := NewSpace()
	defer s.Close()
	if got := s.Brk(start + PageSize); got != 0 {
		t.Fatalf("Brk before SetBrk = %#x, want 0 (no heap)", got)
	}
	s.SetBrk(start)
	tl := s.NewTLB(0)
	steps := []struct {
		name    string
		arg     uint64
		want    uint64
		regions []Region
	}{
		{"query", 0, start, nil},
		{"grow", start + 100, start + 100, []Region{{Start: start, End: start + PageSize, Perm: rw, Name: "[heap]"}}},
		{"below start", start - 1, start + 100, []Region{{Start: start, End: start + PageSize, Perm: rw, Name: "[heap]"}}},
		{"grow more", start + 3*PageSize + 1, start + 3*PageSize + 1, []Region{{Start: start, End: start + 4*PageSize, Perm: rw, Name: "[heap]"}}},
		{"shrink", start + PageSize, start + PageSize, []Region{{Start: start, End: start + PageSize, Perm: rw, Name: "[heap]"}}},
		{"shrink to start", start, start, nil},
		{"above UserTop", UserTop + PageSize, start, nil},
	}
	for _, st := range steps {
		if got := s.Brk(st.arg); got != st.want {
			t.Fatalf("%s: Brk(%#x) = %#x, want %#x", st.name, st.arg, got, st.want)
		}
		if got := s.Mappings(); len(got) != len(st.regions) || (len(got) > 0 && got[0] != st.regions[0]) {
			t.Fatalf("%s: Mappings = %+v, want %+v", st.name, got, st.regions)
		}
	}
	// Freed heap pages read back as zero when regrown.
	s.Brk(start + PageSize)
	if err := tl.Write64(start, 42); err != nil {
		t.Fatal(err)
	}
	s.Brk(start)
	_, err := tl.Read64(start)
	wantFault(t, err, start, AccessRead, FaultUnmapped)
	s.Brk(start + 8)
	if v, err := tl.Read64(start); v != 0 || err != nil {
		t.Fatalf("regrown heap = %#x, %v", v, err)
	}
	// A mapping above the heap stops it one guard page short.
	mapAt(t, s, start+4*PageSize, PageSize, PermRead)
	if got := s.Brk(start + 3*PageSize + 1); got != start+8 {
		t.Errorf("growth into the guard page = %#x, want refused", got)
	}
	if got := s.Brk(start + 3*PageSize); got != start+3*PageSize {
		t.Errorf("growth up to the guard page = %#x", got)
	}
}
