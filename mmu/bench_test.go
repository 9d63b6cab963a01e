package mmu

import "testing"

const benchBase = 0x10000000

func benchSpace(b *testing.B, pages uint64) (*Space, *TLB) {
	s := NewSpace()
	b.Cleanup(func() { s.Close() })
	if _, err := s.Map(Mapping{Addr: benchBase, Length: pages * PageSize, Perm: rw, Fixed: true}); err != nil {
		b.Fatal(err)
	}
	for p := range pages { // materialise every page
		if _, err := s.WriteAt([]byte{1}, benchBase+p*PageSize); err != nil {
			b.Fatal(err)
		}
	}
	return s, s.NewTLB(0)
}

// BenchmarkRead64Hit: aligned loads from one page held by the TLB.
func BenchmarkRead64Hit(b *testing.B) {
	_, tl := benchSpace(b, 1)
	if _, err := tl.Read64(benchBase); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var sum uint64
	for i := 0; b.Loop(); i++ {
		v, err := tl.Read64(benchBase + uint64(i*8)&(PageSize-8))
		if err != nil {
			b.Fatal(err)
		}
		sum += v
	}
	_ = sum
}

// BenchmarkWrite64Hit: aligned stores into one page held by the TLB.
func BenchmarkWrite64Hit(b *testing.B) {
	_, tl := benchSpace(b, 1)
	if err := tl.Write64(benchBase, 0); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := tl.Write64(benchBase+uint64(i*8)&(PageSize-8), uint64(i)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRead64Miss: every load misses the TLB (a stride over twice as
// many pages as it has entries) and walks the VMA list and the page table.
func BenchmarkRead64Miss(b *testing.B) {
	const pages = 2 * tlbSize
	_, tl := benchSpace(b, pages)
	b.ReportAllocs()
	var sum uint64
	for i := 0; b.Loop(); i++ {
		v, err := tl.Read64(benchBase + uint64(i%pages)*PageSize + 8)
		if err != nil {
			b.Fatal(err)
		}
		sum += v
	}
	_ = sum
}
