package mmu

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// tempFile creates a file holding data, opened with flag.
func tempFile(t *testing.T, data []byte, flag int) *os.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "f.bin")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// pattern is n bytes where byte i is i/PageSize+'A' (so each page is recognisable).
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('A' + i/PageSize)
	}
	return b
}

// TestSharedFileMapping: guest stores reach the file (an outside reader sees
// them) and outside writes reach the guest.
func TestSharedFileMapping(t *testing.T) {
	f := tempFile(t, pattern(3*PageSize), os.O_RDWR)
	s := NewSpace()
	defer s.Close()
	a, err := s.Map(Mapping{Length: 2 * PageSize, Perm: rw, Shared: true, File: f, Offset: PageSize, Writable: true, Name: f.Name()})
	if err != nil {
		t.Fatal(err)
	}
	f.Close() // the Space holds its own reference
	tl := s.NewTLB(0)
	if v, err := tl.Read8(a); v != 'B' || err != nil {
		t.Fatalf("first mapped byte = %q, %v; want 'B' (offset one page)", rune(v), err)
	}
	if err := tl.Write64(a+PageSize-4, 0x4847464544434241); err != nil { // crosses the two pages
		t.Fatal(err)
	}
	got, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got[2*PageSize-4:2*PageSize+4], []byte("ABCDEFGH")) {
		t.Fatalf("file bytes = %q, want the guest store", got[2*PageSize-4:2*PageSize+4])
	}
	g, err := os.OpenFile(f.Name(), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if _, err := g.WriteAt([]byte("xyz"), PageSize+100); err != nil {
		t.Fatal(err)
	}
	if b := peek(t, s, a+100, 3); string(b) != "xyz" {
		t.Fatalf("guest sees %q after an outside write", b)
	}
	var st unix.Stat_t
	if err := unix.Stat(f.Name(), &st); err != nil {
		t.Fatal(err)
	}
	want := Region{Start: a, End: a + 2*PageSize, Perm: rw, Shared: true, Offset: PageSize, Dev: uint64(st.Dev), Inode: uint64(st.Ino), Name: f.Name()}
	if r := s.Mappings(); len(r) != 1 || r[0] != want {
		t.Fatalf("Mappings = %+v, want %+v", r, want)
	}
}

// TestPrivateFileMapping: contents come from the file at the offset; stores
// stay private; DONTNEED reads the file again.
func TestPrivateFileMapping(t *testing.T) {
	data := pattern(3 * PageSize)
	f := tempFile(t, data, os.O_RDONLY)
	s := NewSpace()
	defer s.Close()
	a, err := s.Map(Mapping{Length: 2 * PageSize, Perm: rw, File: f, Offset: PageSize})
	if err != nil {
		t.Fatal(err)
	}
	tl := s.NewTLB(0)
	if err := tl.Write32(a+10, 0x7a7a7a7a); err != nil {
		t.Fatal(err)
	}
	if b := peek(t, s, a+8, 8); string(b) != "BBzzzzBB" {
		t.Fatalf("guest bytes %q", b)
	}
	if b := peek(t, s, a+PageSize, 2); string(b) != "CC" {
		t.Fatalf("second page %q", b)
	}
	got, _ := os.ReadFile(f.Name())
	if !bytes.Equal(got, data) {
		t.Fatal("a private mapping wrote to its file")
	}
	if err := s.Advise(a, PageSize, AdviceDontNeed); err != nil {
		t.Fatal(err)
	}
	if b := peek(t, s, a+8, 8); string(b) != "BBBBBBBB" {
		t.Fatalf("after DONTNEED %q, want the file's bytes", b)
	}
}

// TestFileBeyondEOF: the partial last page reads zeros past EOF; a page
// wholly beyond EOF faults with FaultBus (native: SIGBUS on read and write,
// private and shared alike).
func TestFileBeyondEOF(t *testing.T) {
	for _, shared := range []bool{false, true} {
		f := tempFile(t, bytes.Repeat([]byte{'A'}, PageSize+PageSize/2), os.O_RDWR)
		s := NewSpace()
		a, err := s.Map(Mapping{Length: 3 * PageSize, Perm: rw, Shared: shared, File: f, Writable: true})
		if err != nil {
			t.Fatal(err)
		}
		tl := s.NewTLB(0)
		if v, _ := tl.Read8(a + PageSize + PageSize/2 - 1); v != 'A' {
			t.Errorf("shared=%v: last file byte = %#x", shared, v)
		}
		if v, err := tl.Read8(a + PageSize + PageSize/2); v != 0 || err != nil {
			t.Errorf("shared=%v: byte past EOF = %#x, %v; want 0", shared, v, err)
		}
		_, err = tl.Read8(a + 2*PageSize + 5)
		wantFault(t, err, a+2*PageSize+5, AccessRead, FaultBus)
		wantFault(t, tl.Write64(a+2*PageSize-4, 0), a+2*PageSize, AccessWrite, FaultBus)
		var b [8]byte
		_, err = s.ReadAt(b[:], a+2*PageSize)
		wantFault(t, err, a+2*PageSize, AccessRead, FaultBus)
		// The file grows: the page becomes readable (nothing was cached).
		if err := f.Truncate(3 * PageSize); err != nil {
			t.Fatal(err)
		}
		if v, err := tl.Read8(a + 2*PageSize); v != 0 || err != nil {
			t.Errorf("shared=%v: after growing the file: %#x, %v", shared, v, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFileMapErrors: native mmap/mprotect answers for unsuitable files.
func TestFileMapErrors(t *testing.T) {
	ro := tempFile(t, pattern(PageSize), os.O_RDONLY)
	s := NewSpace()
	defer s.Close()
	// Shared, PROT_WRITE, read-only descriptor: EACCES.
	if _, err := s.Map(Mapping{Length: PageSize, Perm: rw, Shared: true, File: ro}); err != ErrAccess {
		t.Errorf("shared writable map of a read-only file = %v, want ErrAccess", err)
	}
	a, err := s.Map(Mapping{Length: PageSize, Perm: PermRead, Shared: true, File: ro})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Protect(a, PageSize, rw); err != ErrAccess {
		t.Errorf("Protect +W of a shared read-only file = %v, want ErrAccess", err)
	}
	wantFault(t, s.Poke([]byte{1}, a), a, AccessWrite, FaultProtection)
	// A private mapping of the same file may be written.
	p, err := s.Map(Mapping{Length: PageSize, Perm: rw, File: ro})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WriteAt([]byte{1}, p); err != nil {
		t.Fatal(err)
	}
	// A write-only descriptor: EACCES even for a private mapping.
	wo, err := os.OpenFile(ro.Name(), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer wo.Close()
	if _, err := s.Map(Mapping{Length: PageSize, Perm: PermRead, File: wo}); err != ErrAccess {
		t.Errorf("map of a write-only file = %v, want ErrAccess", err)
	}
	// A pipe: ENODEV.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if _, err := s.Map(Mapping{Length: PageSize, Perm: PermRead, File: r}); err != ErrNoDevice {
		t.Errorf("map of a pipe = %v, want ErrNoDevice", err)
	}
}

// TestDevZero: a private mapping of /dev/zero is zero memory, with no
// end-of-file fault (native: reads 0).
func TestDevZero(t *testing.T) {
	z, err := os.Open("/dev/zero")
	if err != nil {
		t.Skip("no /dev/zero on this host")
	}
	defer z.Close()
	s := NewSpace()
	defer s.Close()
	a, err := s.Map(Mapping{Length: 2 * PageSize, Perm: rw, File: z})
	if err != nil {
		t.Fatal(err)
	}
	if b := peek(t, s, a+PageSize, 4); !bytes.Equal(b, make([]byte, 4)) {
		t.Errorf("/dev/zero page = %x", b)
	}
}

// TestHostResourcesReleased: the host mapping and the dup'd descriptor go
// away with the last guest page using them, not before.
func TestHostResourcesReleased(t *testing.T) {
	f := tempFile(t, pattern(4*PageSize), os.O_RDWR)
	s := NewSpace()
	defer s.Close()
	a, err := s.Map(Mapping{Length: 4 * PageSize, Perm: rw, Shared: true, File: f, Writable: true})
	if err != nil {
		t.Fatal(err)
	}
	v := s.find(a)
	host, file := v.host, v.file
	if err := s.Protect(a+PageSize, PageSize, PermRead); err != nil { // split: still one host region
		t.Fatal(err)
	}
	if err := s.Unmap(a, 3*PageSize); err != nil {
		t.Fatal(err)
	}
	if host.mem == nil || file.fd < 0 {
		t.Fatal("host resources released while a page still uses them")
	}
	if b := peek(t, s, a+3*PageSize, 1); b[0] != 'D' {
		t.Fatalf("remaining page = %q", b)
	}
	if err := s.Unmap(a+3*PageSize, PageSize); err != nil {
		t.Fatal(err)
	}
	if host.mem != nil || file.fd >= 0 {
		t.Fatal("host resources kept after the last page went")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestSharedFileRemapGrow: growing a shared file mapping in place maps the
// following file pages; moving keeps the stores reaching the file.
func TestSharedFileRemapGrow(t *testing.T) {
	f := tempFile(t, pattern(4*PageSize), os.O_RDWR)
	s := NewSpace()
	defer s.Close()
	a, err := s.Map(Mapping{Addr: 0x10000000, Length: PageSize, Perm: rw, Shared: true, File: f, Writable: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Remap(a, PageSize, 2*PageSize, 0, 0); got != a || err != nil {
		t.Fatalf("grow in place = %#x, %v", got, err)
	}
	if b := peek(t, s, a+PageSize, 1); b[0] != 'B' {
		t.Fatalf("grown page = %q, want 'B'", b)
	}
	if r := s.Mappings(); len(r) != 1 || r[0].End != a+2*PageSize {
		t.Fatalf("Mappings = %+v, want one region", r)
	}
	mapAt(t, s, a+2*PageSize, PageSize, PermRead)
	moved, err := s.Remap(a, 2*PageSize, 3*PageSize, RemapMayMove, 0)
	if err != nil {
		t.Fatal(err)
	}
	tl := s.NewTLB(0)
	if err := tl.Write8(moved+2*PageSize, 'z'); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(f.Name())
	if got[2*PageSize] != 'z' {
		t.Fatalf("store after move did not reach the file: %q", got[2*PageSize])
	}
	if b := peek(t, s, moved, 1); b[0] != 'A' {
		t.Fatalf("moved first page = %q", b)
	}
}

// TestLargeHostPages: with 64 KiB host pages (arm64 hosts) a shared mapping
// is a host mmap from the offset rounded down to 64 KiB, sliced. The test
// pretends the host page is 64 KiB (valid here too: 64 KiB offsets are 4 KiB
// aligned).
func TestLargeHostPages(t *testing.T) {
	f := tempFile(t, pattern(20*PageSize), os.O_RDWR)
	s := NewSpace()
	defer s.Close()
	s.hostPage = 64 << 10
	a, err := s.Map(Mapping{Length: 2 * PageSize, Perm: rw, Shared: true, File: f, Offset: 17 * PageSize, Writable: true})
	if err != nil {
		t.Fatal(err)
	}
	if v := s.find(a); v.hostOff != PageSize || len(v.host.mem) != 64<<10 {
		t.Fatalf("host region: offset %#x, size %#x; want 0x1000 into 64 KiB", v.hostOff, len(v.host.mem))
	}
	if b := peek(t, s, a, 1); b[0] != 'A'+17 {
		t.Fatalf("first byte %q, want page 17's", b)
	}
	if _, err := s.WriteAt([]byte("ok"), a+PageSize); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(f.Name())
	if string(got[18*PageSize:18*PageSize+2]) != "ok" {
		t.Fatalf("file at page 18 = %q", got[18*PageSize:18*PageSize+2])
	}
}
