package syscalls

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gemu/internal/abi/linux"
	"gemu/mmu"
)

const anonPrivate = linux.MAP_PRIVATE | linux.MAP_ANONYMOUS

func TestMmapAnonymous(t *testing.T) {
	e := newEnv(t)
	a := e.ok(linux.SYS_MMAP, 0, 3*4096, linux.PROT_READ|linux.PROT_WRITE, anonPrivate, neg(-1), 0)
	if a&mmu.PageMask != 0 || a >= mmu.MmapTop {
		t.Fatalf("mmap at %#x", a)
	}
	e.poke(a+4096, []byte("data"))
	// MAP_FIXED over the middle page replaces it with zeroes.
	if got := e.ok(linux.SYS_MMAP, a+4096, 4096, linux.PROT_READ|linux.PROT_WRITE, anonPrivate|linux.MAP_FIXED, neg(-1), 0); got != a+4096 {
		t.Fatalf("MAP_FIXED at %#x", got)
	}
	if b := e.peek(a+4096, 4); !bytes.Equal(b, make([]byte, 4)) {
		t.Errorf("fixed mapping kept %q", b)
	}
	// The hint is taken when free.
	hint := uint64(0x300000000)
	if got := e.ok(linux.SYS_MMAP, hint, 4096, linux.PROT_READ, anonPrivate|linux.MAP_STACK|linux.MAP_NORESERVE, neg(-1), 0); got != hint {
		t.Errorf("hint ignored: %#x", got)
	}
	if got := e.ok(linux.SYS_MMAP, 0, 4096, linux.PROT_READ|linux.PROT_WRITE, anonPrivate|linux.MAP_32BIT, neg(-1), 0); got < map32Start || got >= map32End {
		t.Errorf("MAP_32BIT at %#x", got)
	}
	if got := e.errno(linux.SYS_MMAP, 0x1000, 4096, linux.PROT_READ, anonPrivate|linux.MAP_FIXED, neg(-1), 0); got != linux.EPERM {
		t.Errorf("MAP_FIXED below mmap_min_addr: %v", got)
	}
	sh := e.ok(linux.SYS_MMAP, 0, 8192, linux.PROT_READ|linux.PROT_WRITE, linux.MAP_SHARED|linux.MAP_ANONYMOUS, neg(-1), 0)
	e.poke(sh+4100, []byte("shared anon"))
	if got := e.peek(sh+4100, 11); string(got) != "shared anon" {
		t.Errorf("shared anonymous mapping reads %q", got)
	}
	e.ok(linux.SYS_MPROTECT, a, 4096, linux.PROT_READ)
	if _, err := e.mem.WriteAt([]byte{1}, a); err == nil {
		t.Error("write to a PROT_READ page succeeded")
	}
	e.ok(linux.SYS_MUNMAP, a, 3*4096)
	if _, err := e.mem.ReadAt(make([]byte, 1), a+4096); err == nil {
		t.Error("read after munmap succeeded")
	}
	if got := e.errno(linux.SYS_MPROTECT, a, 4096, linux.PROT_READ); got != linux.ENOMEM {
		t.Errorf("mprotect of unmapped memory: %v", got)
	}
}

func TestMmapFile(t *testing.T) {
	e := newEnv(t)
	path := filepath.Join(t.TempDir(), "data")
	content := bytes.Repeat([]byte("0123456789abcdef"), 512) // two pages
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	ro := e.open(path, linux.O_RDONLY)
	a := e.ok(linux.SYS_MMAP, 0, 4096, linux.PROT_READ, linux.MAP_PRIVATE, ro, 4096)
	if got := e.peek(a, 16); !bytes.Equal(got, content[4096:4112]) {
		t.Errorf("private file mapping reads %q", got)
	}
	// A private writable mapping never writes back.
	b := e.ok(linux.SYS_MMAP, 0, 8192, linux.PROT_READ|linux.PROT_WRITE, linux.MAP_PRIVATE, ro, 0)
	e.poke(b, []byte("XX"))
	if host, _ := os.ReadFile(path); !bytes.Equal(host, content) {
		t.Error("private mapping wrote to the file")
	}
	// A shared mapping of an O_RDWR file writes through.
	rw := e.open(path, linux.O_RDWR)
	s := e.ok(linux.SYS_MMAP, 0, 4096, linux.PROT_READ|linux.PROT_WRITE, linux.MAP_SHARED, rw, 0)
	e.poke(s+10, []byte("shared"))
	if host, _ := os.ReadFile(path); string(host[10:16]) != "shared" {
		t.Errorf("shared mapping: file holds %q", host[10:16])
	}
	// The mapping is named after the file in /proc/self/maps.
	fd := e.open("/proc/self/maps", linux.O_RDONLY)
	buf := e.alloc(8192)
	n := e.ok(linux.SYS_READ, fd, buf, 8192)
	if maps := string(e.peek(buf, int(n))); !strings.Contains(maps, " rw-s 00000000 ") || !strings.Contains(maps, path) {
		t.Errorf("maps:\n%s", maps)
	}
	// /dev/zero maps as anonymous memory.
	z := e.open("/dev/zero", linux.O_RDWR)
	zm := e.ok(linux.SYS_MMAP, 0, 4096, linux.PROT_READ|linux.PROT_WRITE, linux.MAP_PRIVATE, z, 0)
	e.poke(zm, []byte{7})
	if got := e.peek(zm, 2); got[0] != 7 || got[1] != 0 {
		t.Errorf("/dev/zero mapping %v", got)
	}
	if got := e.errno(linux.SYS_MMAP, 0, 4096, linux.PROT_READ, linux.MAP_SHARED_VALIDATE|linux.MAP_SYNC, ro, 0); got != linux.EOPNOTSUPP {
		t.Errorf("MAP_SYNC: %v", got)
	}
	null := e.open("/dev/null", linux.O_RDWR)
	if got := e.errno(linux.SYS_MMAP, 0, 4096, linux.PROT_READ, linux.MAP_PRIVATE, null, 0); got != linux.ENODEV {
		t.Errorf("mmap of /dev/null: %v", got)
	}
}

func TestMremapMadviseBrk(t *testing.T) {
	e := newEnv(t)
	a := e.ok(linux.SYS_MMAP, 0, 4096, linux.PROT_READ|linux.PROT_WRITE, anonPrivate, neg(-1), 0)
	e.poke(a, []byte("keep"))
	b := e.ok(linux.SYS_MREMAP, a, 4096, 16384, linux.MREMAP_MAYMOVE)
	if got := e.peek(b, 4); string(got) != "keep" {
		t.Errorf("mremap lost the contents: %q", got)
	}
	e.poke(b+8192, []byte("more"))
	e.ok(linux.SYS_MADVISE, b, 16384, linux.MADV_DONTNEED)
	if got := e.peek(b, 4); !bytes.Equal(got, make([]byte, 4)) {
		t.Errorf("MADV_DONTNEED kept %q", got)
	}
	e.ok(linux.SYS_MADVISE, b, 16384, linux.MADV_WILLNEED)
	if got := e.errno(linux.SYS_MADVISE, b, 32768, linux.MADV_WILLNEED); got != linux.ENOMEM {
		t.Errorf("madvise past the mapping: %v", got)
	}
	e.ok(linux.SYS_MADVISE, b, 0, linux.MADV_NORMAL)

	e.mem.SetBrk(0x10000000)
	if cur := e.ok(linux.SYS_BRK, 0); cur != 0x10000000 {
		t.Fatalf("brk(0) = %#x", cur)
	}
	if nb := e.ok(linux.SYS_BRK, 0x10002345); nb != 0x10002345 {
		t.Fatalf("brk grow = %#x", nb)
	}
	e.poke(0x10002000, []byte("heap"))
	if nb := e.ok(linux.SYS_BRK, 0x1000); nb != 0x10002345 {
		t.Errorf("brk below the start = %#x", nb)
	}
}
