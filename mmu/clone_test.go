package mmu

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCloneCopyOnWrite: after Clone each space sees only its own stores to
// private memory (through WriteAt and through TLBs that had the page
// cached), while MAP_SHARED anonymous memory and shared file pages stay
// shared both ways.
func TestCloneCopyOnWrite(t *testing.T) {
	s := NewSpace()
	defer s.Close()
	const priv, shared = 0x10000, 0x40000
	mapAt(t, s, priv, 2*PageSize, rw)
	if _, err := s.Map(Mapping{Addr: shared, Length: 2 * PageSize, Perm: rw, Fixed: true, Shared: true}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(PageSize); err != nil {
		t.Fatal(err)
	}
	const fileAddr = 0x80000
	if _, err := s.Map(Mapping{Addr: fileAddr, Length: PageSize, Perm: rw, Fixed: true, Shared: true, File: f, Writable: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WriteAt([]byte("parent"), priv); err != nil {
		t.Fatal(err)
	}
	tl := s.NewTLB(0)
	if v, err := tl.Read8(priv); err != nil || v != 'p' {
		t.Fatalf("Read8 = %c, %v", v, err)
	}

	c := s.Clone()
	defer c.Close()
	ctl := c.NewTLB(1)
	if got := string(peek(t, c, priv, 6)); got != "parent" {
		t.Fatalf("child sees %q", got)
	}
	// Private: stores on either side stay on that side.
	if err := ctl.Write8(priv, 'c'); err != nil {
		t.Fatal(err)
	}
	if err := tl.Write8(priv+1, 'A'); err != nil {
		t.Fatal(err)
	}
	if v, _ := tl.Read8(priv); v != 'p' {
		t.Fatalf("parent reads %c after the child's store", v)
	}
	if got := string(peek(t, c, priv, 6)); got != "carent" {
		t.Fatalf("child sees %q", got)
	}
	if got := string(peek(t, s, priv, 6)); got != "pArent" {
		t.Fatalf("parent sees %q", got)
	}
	// A page first touched after the clone is private too.
	if _, err := c.WriteAt([]byte{9}, priv+PageSize); err != nil {
		t.Fatal(err)
	}
	if got := peek(t, s, priv+PageSize, 1)[0]; got != 0 {
		t.Fatalf("parent sees the child's new page: %d", got)
	}
	// Shared anonymous and shared file pages: both ways, even pages never
	// touched before the clone.
	for _, a := range []uint64{shared, shared + PageSize, fileAddr} {
		if err := ctl.Write8(a, 0x11); err != nil {
			t.Fatal(err)
		}
		if v, _ := tl.Read8(a); v != 0x11 {
			t.Fatalf("%#x: parent reads %#x, want the child's store", a, v)
		}
		if err := tl.Write8(a+1, 0x22); err != nil {
			t.Fatal(err)
		}
		if v, _ := ctl.Read8(a + 1); v != 0x22 {
			t.Fatalf("%#x: child reads %#x, want the parent's store", a+1, v)
		}
	}
	if got, want := len(c.Mappings()), len(s.Mappings()); got != want {
		t.Fatalf("child has %d mappings, parent %d", got, want)
	}
	// The file stays mapped by the child after the parent unmaps it.
	if err := s.Unmap(fileAddr, PageSize); err != nil {
		t.Fatal(err)
	}
	if v, err := ctl.Read8(fileAddr); err != nil || v != 0x11 {
		t.Fatalf("child after the parent's unmap: %#x, %v", v, err)
	}
}

// TestCloneBrk: the copy keeps the break and the heap.
func TestCloneBrk(t *testing.T) {
	s := NewSpace()
	defer s.Close()
	s.SetBrk(0x600000)
	if got := s.Brk(0x603000); got != 0x603000 {
		t.Fatalf("Brk = %#x", got)
	}
	c := s.Clone()
	defer c.Close()
	if got := c.Brk(0); got != 0x603000 {
		t.Fatalf("child Brk(0) = %#x", got)
	}
	if got := c.Brk(0x601000); got != 0x601000 {
		t.Fatalf("child shrink = %#x", got)
	}
	if _, err := s.WriteAt([]byte{1}, 0x602000); err != nil {
		t.Fatalf("parent heap after the child shrank its own: %v", err)
	}
}

// BenchmarkFork512MiB: Clone of a space with a 512 MiB heap, every page
// touched (the cost of fork's address-space copy; no page data is copied).
func BenchmarkFork512MiB(b *testing.B) {
	const size = 512 << 20
	s, _ := benchSpace(b, size/PageSize)
	b.ResetTimer()
	for b.Loop() {
		c := s.Clone()
		c.Close()
	}
}
