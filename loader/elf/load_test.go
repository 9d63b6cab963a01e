package elf

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	goelf "debug/elf"

	"gemu/mmu"
)

// wantRegion is one expected line of mem.Mappings().
type wantRegion struct {
	start, end uint64
	perm       mmu.Perm
	name       string
}

func checkMappings(t *testing.T, mem *mmu.Space, want []wantRegion) {
	t.Helper()
	got := mem.Mappings()
	if len(got) != len(want) {
		t.Fatalf("mappings:\n got %+v\nwant %+v", got, want)
	}
	for i, w := range want {
		g := got[i]
		if g.Start != w.start || g.End != w.end || g.Perm != w.perm || g.Name != w.name {
			t.Errorf("mapping %d = %#x..%#x %v %q, want %#x..%#x %v %q",
				i, g.Start, g.End, g.Perm, g.Name, w.start, w.end, w.perm, w.name)
		}
	}
}

// checkBytes reads [addr, addr+len(want)) through the mmu.
func checkBytes(t *testing.T, mem *mmu.Space, addr uint64, want []byte, what string) {
	t.Helper()
	got := make([]byte, len(want))
	if _, err := mem.ReadAt(got, addr); err != nil {
		t.Fatalf("%s: ReadAt(%#x): %v", what, addr, err)
	}
	if !bytes.Equal(got, want) {
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s: byte at %#x = %#x, want %#x", what, addr+uint64(i), got[i], want[i])
			}
		}
	}
}

func zeros(n int) []byte { return make([]byte, n) }

func TestLoadTiny(t *testing.T) {
	mem := newSpace(t)
	file := tinyELF()
	img, err := LoadReader(mem, bytes.NewReader(file), int64(len(file)), "tiny")
	if err != nil {
		t.Fatal(err)
	}
	want := Image{Path: "tiny", Entry: 0x400100, Phdr: 0x400040, Phent: 56, Phnum: 3, Brk: 0x404000}
	if *img != want {
		t.Errorf("image = %+v, want %+v", *img, want)
	}
	rw := mmu.PermRead | mmu.PermWrite
	checkMappings(t, mem, []wantRegion{
		{0x400000, 0x401000, mmu.PermRead | mmu.PermExec, "tiny"},
		{0x401000, 0x402000, rw, "tiny"},
		{0x402000, 0x404000, rw, ""}, // bss beyond the file pages: anonymous, as on Linux
	})
	// Text page: the whole 0x240-byte file (junk included), then zeros.
	checkBytes(t, mem, 0x400000, append(append([]byte{}, file...), zeros(0x1000-len(file))...), "text page")
	// Data page: file offset 0 again up to p_vaddr+p_filesz, then zeros
	// (padzero wiped the junk at 0x401210..0x401240), then the bss pages.
	checkBytes(t, mem, 0x401000, append(append([]byte{}, file[:0x210]...), zeros(0x1000-0x210)...), "data page")
	checkBytes(t, mem, 0x401200, tinyData, "data")
	checkBytes(t, mem, 0x402000, zeros(0x2000), "bss")
	if brk := mem.Brk(0); brk != 0x404000 {
		t.Errorf("break = %#x, want 0x404000", brk)
	}
	// And the stack goes above everything.
	sp, _, err := SetupStack(mem, img, Startup{Args: []string{"tiny"}})
	if err != nil {
		t.Fatal(err)
	}
	if sp%16 != 0 || sp >= mmu.UserTop || sp < mmu.UserTop-StackSize {
		t.Errorf("sp = %#x", sp)
	}
	if regs := mem.Mappings(); regs[len(regs)-1].Name != "[stack]" {
		t.Errorf("last mapping %+v, want [stack]", regs[len(regs)-1])
	}
}

// TestLoadLinuxQuirks: a read-only segment with bss keeps the file's bytes
// after p_filesz and gets writable (and here executable) bss pages; a
// writable segment without bss keeps them too. Same layout as
// TestPlanLinuxQuirks, with 0xab junk at file offsets 0x200..0x300.
func TestLoadLinuxQuirks(t *testing.T) {
	mem := newSpace(t)
	s := spec{
		entry: 0x400000,
		segs: []seg{
			{typ: goelf.PT_LOAD, flags: goelf.PF_R | goelf.PF_X, off: 0, vaddr: 0x400000, filesz: 0x100, memsz: 0x1800, align: 0x1000},
			{typ: goelf.PT_LOAD, flags: goelf.PF_R | goelf.PF_W, off: 0x100, vaddr: 0x402100, filesz: 0x10, memsz: 0x10, align: 0x1000},
		},
		extra: bytes.Repeat([]byte{0xab}, 0x100), extraOff: 0x200,
	}
	file := s.bytes()
	if _, err := LoadReader(mem, bytes.NewReader(file), int64(len(file)), "q"); err != nil {
		t.Fatal(err)
	}
	checkMappings(t, mem, []wantRegion{
		{0x400000, 0x401000, mmu.PermRead | mmu.PermExec, "q"},
		{0x401000, 0x402000, mmu.PermRead | mmu.PermWrite | mmu.PermExec, ""},
		{0x402000, 0x403000, mmu.PermRead | mmu.PermWrite, "q"},
	})
	checkBytes(t, mem, 0x400200, bytes.Repeat([]byte{0xab}, 0x100), "read-only segment after p_filesz")
	checkBytes(t, mem, 0x402200, bytes.Repeat([]byte{0xab}, 0x100), "writable segment without bss after p_filesz")
	checkBytes(t, mem, 0x401000, zeros(0x1000), "bss page")
}

// TestLoadSharedPage: a data segment starting in the text segment's last
// page replaces that page (MAP_FIXED), so the page takes the data
// segment's permissions and the file bytes at the data segment's offset.
func TestLoadSharedPage(t *testing.T) {
	mem := newSpace(t)
	s := spec{
		entry: 0x400100,
		segs: []seg{
			{typ: goelf.PT_LOAD, flags: goelf.PF_R | goelf.PF_X, off: 0, vaddr: 0x400000, filesz: 0x180, memsz: 0x180, align: 0x1000},
			{typ: goelf.PT_LOAD, flags: goelf.PF_R | goelf.PF_W, off: 0x180, vaddr: 0x400180, filesz: 0x20, memsz: 0x1000, align: 0x1000,
				data: bytes.Repeat([]byte{0x5a}, 0x20)},
		},
		extra: bytes.Repeat([]byte{0xee}, 0x40), extraOff: 0x1a0,
	}
	file := s.bytes()
	if _, err := LoadReader(mem, bytes.NewReader(file), int64(len(file)), "shared"); err != nil {
		t.Fatal(err)
	}
	rw := mmu.PermRead | mmu.PermWrite
	checkMappings(t, mem, []wantRegion{
		{0x400000, 0x401000, rw, "shared"},
		{0x401000, 0x402000, rw, ""},
	})
	checkBytes(t, mem, 0x400000, file[:0x1a0], "text and data bytes")
	checkBytes(t, mem, 0x4001a0, zeros(0x1000-0x1a0), "padzero after the data")
}

// TestLoadStaticPIE places musl's static-PIE layout where the host kernel
// put it (see TestStaticPIEBias) and moves the break to StaticPIEBrk.
func TestLoadStaticPIE(t *testing.T) {
	mem := newSpace(t)
	load := func(off, vaddr, filesz, memsz uint64, flags goelf.ProgFlag) seg {
		return seg{typ: goelf.PT_LOAD, flags: flags, off: off, vaddr: vaddr, filesz: filesz, memsz: memsz, align: 0x1000}
	}
	s := spec{typ: uint16(goelf.ET_DYN), entry: 0x10ac, segs: []seg{
		load(0, 0, 0x3c0, 0x3c0, goelf.PF_R),
		load(0x1000, 0x1000, 0x2177, 0x2177, goelf.PF_R|goelf.PF_X),
		load(0x4000, 0x4000, 0xd4, 0xd4, goelf.PF_R),
		load(0x4e40, 0x5e40, 0x2d0, 0x9a0, goelf.PF_R|goelf.PF_W),
	}}
	file := s.bytes()
	img, err := LoadReader(mem, bytes.NewReader(file), int64(len(file)), "pie")
	if err != nil {
		t.Fatal(err)
	}
	const base = 0x7ffff7ff8000 // native: 7ffff7ff8000-7ffff7ff9000 r--p ...
	if img.Base != base || img.Entry != base+0x10ac {
		t.Errorf("Base %#x Entry %#x, want %#x %#x", img.Base, img.Entry, uint64(base), uint64(base+0x10ac))
	}
	checkMappings(t, mem, []wantRegion{
		{base, base + 0x1000, mmu.PermRead, "pie"},
		{base + 0x1000, base + 0x4000, mmu.PermRead | mmu.PermExec, "pie"},
		{base + 0x4000, base + 0x5000, mmu.PermRead, "pie"},
		{base + 0x5000, base + 0x7000, mmu.PermRead | mmu.PermWrite, "pie"},
	})
	checkBytes(t, mem, base, file[:0x3c0], "ELF header and first segment")
	checkBytes(t, mem, base+0x6110, zeros(0x7000-0x6110), "bss in the last file page")
	if brk := mem.Brk(0); brk != StaticPIEBrk {
		t.Errorf("break = %#x, want %#x", brk, StaticPIEBrk)
	}
}

// TestLoadNames: mappings carry the program's absolute path with symlinks
// resolved, like /proc/self/maps; Image.Path stays as given.
func TestLoadNames(t *testing.T) {
	mem := newSpace(t)
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	if err := os.WriteFile(real, tinyELF(), 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink("real", link); err != nil {
		t.Fatal(err)
	}
	img, err := Load(mem, link)
	if err != nil {
		t.Fatal(err)
	}
	if img.Path != link {
		t.Errorf("Path = %q, want %q", img.Path, link)
	}
	want, err := filepath.EvalSymlinks(real)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range mem.Mappings() {
		if r.Start < 0x402000 && r.Name != want {
			t.Errorf("mapping %#x..%#x named %q, want %q", r.Start, r.End, r.Name, want)
		}
	}
}
