package mmu

import (
	"slices"
	"testing"
)

// TestPageTable: insert, lookup, walk in order across node boundaries, and
// clear frees emptied nodes.
func TestPageTable(t *testing.T) {
	var pt pageTable
	vpns := []uint64{0, 1, ptFan - 1, ptFan, 1 << ptShift2, 1<<ptShift1 + 5, 1<<vpnBits - 1}
	for _, v := range vpns {
		pt.insert(v, new([PageSize]byte), 0)
	}
	for _, v := range vpns {
		if pt.lookup(v) == nil {
			t.Fatalf("lookup(%#x) = nil", v)
		}
	}
	for _, v := range []uint64{2, ptFan + 1, 1 << vpnBits, ^uint64(0)} {
		if pt.lookup(v) != nil {
			t.Fatalf("lookup(%#x) found a page", v)
		}
	}
	var seen []uint64
	pt.walk(1, 1<<ptShift1+6, func(v uint64, _ *pte) { seen = append(seen, v) })
	if want := vpns[1:6]; !slices.Equal(seen, want) {
		t.Fatalf("walk = %#x, want %#x", seen, want)
	}
	seen = nil
	pt.clear(0, 1<<vpnBits, func(v uint64, _ *pte) { seen = append(seen, v) })
	if !slices.Equal(seen, vpns) {
		t.Fatalf("clear visited %#x", seen)
	}
	for i, d := range pt.root {
		if d != nil {
			t.Fatalf("root[%d] kept after clearing everything", i)
		}
	}
}
