package mmu

// Benchmarks of the soft MMU's data paths, as the interpreter uses them:
//
//	go test ./mmu/ -run '^$' -bench . -count 5
//
// Hit: the same-page fast path (one TLB compare and a little-endian load or
// store). Cross: an access that straddles two pages, both in the TLB, which
// takes the slow path. Miss: every access walks the VMAs and page table.
// CopyPage: 4 KiB from one page to another, by 512 Read64/Write64 pairs
// through the TLB (what REP MOVSQ costs element by element), by
// TLB.ReadSpan/WriteSpan and one copy (the bulk path for REP MOVS), and by
// Space.ReadAt/WriteAt (the path the system calls use).

import (
	"bytes"
	"testing"
)

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

// BenchmarkRead64Cross: loads whose 8 bytes straddle two pages (4 in each),
// both pages in the TLB.
func BenchmarkRead64Cross(b *testing.B) {
	s, tl := benchSpace(b, 2)
	addr := uint64(benchBase + PageSize - 4)
	if _, err := s.WriteAt([]byte{1, 2, 3, 4, 5, 6, 7, 8}, addr); err != nil {
		b.Fatal(err)
	}
	const want = 0x0807060504030201
	b.ReportAllocs()
	for b.Loop() {
		v, err := tl.Read64(addr)
		if err != nil {
			b.Fatal(err)
		}
		if v != want {
			b.Fatalf("Read64(%#x) = %#x, want %#x", addr, v, uint64(want))
		}
	}
}

// BenchmarkWrite64Cross: stores whose 8 bytes straddle two pages.
func BenchmarkWrite64Cross(b *testing.B) {
	s, tl := benchSpace(b, 2)
	addr := uint64(benchBase + PageSize - 4)
	b.ReportAllocs()
	var last uint64
	for i := uint64(0); b.Loop(); i++ {
		if err := tl.Write64(addr, i); err != nil {
			b.Fatal(err)
		}
		last = i
	}
	got := make([]byte, 8)
	if _, err := s.ReadAt(got, addr); err != nil {
		b.Fatal(err)
	}
	if got[0] != byte(last) {
		b.Fatalf("byte at %#x is %#x, want %#x", addr, got[0], byte(last))
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

// BenchmarkCopyPage copies one page into the next, 4 KiB per op.
func BenchmarkCopyPage(b *testing.B) {
	const src, dst = benchBase, benchBase + PageSize
	fill := func(b *testing.B, s *Space) []byte {
		b.Helper()
		want := make([]byte, PageSize)
		for i := range want {
			want[i] = byte(i*7 + 3)
		}
		if _, err := s.WriteAt(want, src); err != nil {
			b.Fatal(err)
		}
		return want
	}
	check := func(b *testing.B, s *Space, want []byte) {
		b.Helper()
		got := make([]byte, PageSize)
		if _, err := s.ReadAt(got, dst); err != nil {
			b.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			b.Fatal("destination page differs from the source")
		}
	}
	b.Run("TLB-qwords", func(b *testing.B) {
		s, tl := benchSpace(b, 2)
		want := fill(b, s)
		b.SetBytes(PageSize)
		b.ReportAllocs()
		for b.Loop() {
			for off := uint64(0); off < PageSize; off += 8 {
				v, err := tl.Read64(src + off)
				if err != nil {
					b.Fatal(err)
				}
				if err := tl.Write64(dst+off, v); err != nil {
					b.Fatal(err)
				}
			}
		}
		check(b, s, want)
	})
	b.Run("TLB-span", func(b *testing.B) {
		s, tl := benchSpace(b, 2)
		want := fill(b, s)
		b.SetBytes(PageSize)
		b.ReportAllocs()
		for b.Loop() {
			from, ok := tl.ReadSpan(src, PageSize)
			if !ok {
				b.Fatal("ReadSpan failed")
			}
			to, ok := tl.WriteSpan(dst, PageSize)
			if !ok {
				b.Fatal("WriteSpan failed")
			}
			copy(to, from)
		}
		check(b, s, want)
	})
	b.Run("Space-bulk", func(b *testing.B) {
		s, _ := benchSpace(b, 2)
		want := fill(b, s)
		buf := make([]byte, PageSize)
		b.SetBytes(PageSize)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.ReadAt(buf, src); err != nil {
				b.Fatal(err)
			}
			if _, err := s.WriteAt(buf, dst); err != nil {
				b.Fatal(err)
			}
		}
		check(b, s, want)
	})
}
