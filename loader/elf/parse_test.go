package elf

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	goelf "debug/elf"

	"gemu/mmu"
)

// errorCases are malformed or unsupported programs, with the sentinel and
// the exact one-line message each must produce. They also seed FuzzLoad.
func errorCases() []struct {
	name string
	file []byte
	want error
	msg  string
} {
	with := func(f func(*spec)) []byte {
		s := tinySpec()
		f(&s)
		return s.bytes()
	}
	tiny := tinySpec().bytes()
	interp := func(name string) []byte {
		return with(func(s *spec) {
			s.segs = append(s.segs, seg{typ: goelf.PT_INTERP, flags: goelf.PF_R, off: 0x300, vaddr: 0x400300,
				filesz: uint64(len(name)) + 1, memsz: uint64(len(name)) + 1, align: 1, data: []byte(name)})
		})
	}
	return []struct {
		name string
		file []byte
		want error
		msg  string
	}{
		{"empty", nil, ErrNotELF, "not an ELF file (empty file)"},
		{"text", []byte("hello, world\n"), ErrNotELF, "not an ELF file"},
		{"script", []byte("#!/bin/sh\necho hi\n"), ErrNotELF, "not an ELF file (a #! script)"},
		{"short magic", []byte("\x7fEL"), ErrNotELF, "not an ELF file"},
		{"ident only", []byte("\x7fELF\x02"), ErrCorrupt, "truncated ELF file: 5-byte file, the ELF header has 64"},
		{"32-bit", with(func(s *spec) { s.class = byte(goelf.ELFCLASS32); s.machine = uint16(goelf.EM_386) }),
			Err32Bit, "32-bit ELF file for Intel 80386; gemu runs only 64-bit x86-64 programs"},
		{"big-endian", with(func(s *spec) { s.data = byte(goelf.ELFDATA2MSB); s.machine = uint16(goelf.EM_PPC64) }),
			ErrBigEndian, "big-endian ELF file for PowerPC64; gemu runs only little-endian x86-64 programs"},
		{"bad class", with(func(s *spec) { s.class = 3 }), ErrCorrupt, "corrupt ELF file: invalid class 3 in e_ident"},
		{"bad data", with(func(s *spec) { s.data = 7 }), ErrCorrupt, "corrupt ELF file: invalid data encoding 7 in e_ident"},
		{"aarch64", with(func(s *spec) { s.machine = uint16(goelf.EM_AARCH64) }), ErrMachine, "ELF for AArch64, not x86-64"},
		{"riscv", with(func(s *spec) { s.machine = uint16(goelf.EM_RISCV) }), ErrMachine, "ELF for RISC-V, not x86-64"},
		{"unknown machine", with(func(s *spec) { s.machine = 0x1234 }), ErrMachine, "ELF for machine 4660, not x86-64"},
		{"ET_REL", with(func(s *spec) { s.typ = uint16(goelf.ET_REL) }), ErrNotExecutable,
			"relocatable object file (ET_REL), not an executable"},
		{"ET_CORE", with(func(s *spec) { s.typ = uint16(goelf.ET_CORE) }), ErrNotExecutable,
			"core dump (ET_CORE), not an executable"},
		{"ET_NONE", with(func(s *spec) { s.typ = 0xfe00 }), ErrNotExecutable, "ELF file of type 0xfe00, not an executable"},
		{"truncated header", tiny[:40], ErrCorrupt, "truncated ELF file: 40-byte file, the ELF header has 64"},
		{"phentsize", with(func(s *spec) { s.phentsize = 32 }), ErrCorrupt, "corrupt ELF file: program header size 32, want 56"},
		{"too many phdrs", with(func(s *spec) { s.phnum = 2000 }), ErrCorrupt,
			"corrupt ELF file: 2000 program headers (Linux accepts at most 1170)"},
		{"phdrs beyond end", with(func(s *spec) { s.size = 0xc0 }), ErrCorrupt,
			"truncated ELF file: program headers at 0x40..0xe8 lie beyond its end (0xc0 bytes)"},
		{"segment beyond end", with(func(s *spec) { s.segs[1].filesz, s.size = 0x1000, 0x210 }), ErrCorrupt,
			"truncated ELF file: segment 1 (file bytes 0x200..0x1200) extends beyond its end (0x210 bytes)"},
		{"filesz > memsz", with(func(s *spec) { s.segs[1].memsz = 8 }), ErrCorrupt,
			"corrupt ELF file: segment 1 has p_filesz 0x10 larger than p_memsz 0x8"},
		{"dynamic", interp("/lib64/ld-linux-x86-64.so.2"), ErrDynamic,
			"dynamically linked (interpreter /lib64/ld-linux-x86-64.so.2); gemu does not support dynamic programs yet"},
		{"dynamic hostile name", interp("/x\ny"), ErrDynamic,
			`dynamically linked (interpreter "/x\ny"); gemu does not support dynamic programs yet`},
		{"dynamic PIE", with(func(s *spec) {
			s.typ = uint16(goelf.ET_DYN)
			s.segs = append(s.segs, seg{typ: goelf.PT_INTERP, off: 0x300, filesz: 0x40000})
			s.size = 0x210
		}), ErrDynamic, "dynamically linked (PT_INTERP); gemu does not support dynamic programs yet"},
		{"no PT_LOAD", with(func(s *spec) { s.segs = s.segs[2:] }), ErrNoLoad, "no loadable segments (PT_LOAD)"},
		{"no phdrs", with(func(s *spec) { s.phnum = -1 }), ErrNoLoad, "no program headers, so no loadable segments (PT_LOAD)"},
		{"empty PT_LOADs", with(func(s *spec) {
			s.segs = []seg{{typ: goelf.PT_LOAD, flags: goelf.PF_R, vaddr: 0x400000, align: 0x1000}}
		}), ErrNoLoad, "no loadable segments with contents (every PT_LOAD has p_memsz 0)"},
		{"overlap", with(func(s *spec) { s.segs[1].vaddr, s.segs[1].off = 0x400100, 0x100 }), ErrOverlap,
			"segments 0 and 1 overlap (0x400000..0x400104 and 0x400100..0x402100)"},
		{"above user space", with(func(s *spec) { s.segs[1].vaddr = 0x7ffffffff200 }), ErrAddressRange,
			"segment 1 (0x2000 bytes at 0x7ffffffff200) lies outside the user address space"},
		{"below mmap_min_addr", with(func(s *spec) { s.segs[0].vaddr = 0x1000 }), ErrAddressRange,
			"segment 0 (0x104 bytes at 0x1000) lies outside the user address space"},
		{"wrapping segment", with(func(s *spec) { s.segs[1].vaddr, s.segs[1].memsz = 0xfffffffffffff200, 0x2000 }), ErrAddressRange,
			"segment 1 (0x2000 bytes at 0xfffffffffffff200) lies outside the user address space"},
		{"PIE too big", with(func(s *spec) {
			s.typ = uint16(goelf.ET_DYN)
			s.segs[0].vaddr = 0
			s.segs[1].vaddr, s.segs[1].memsz = 0x1200, 0x7ffff7ff0000
		}), ErrAddressRange, "image of 0x7ffff7ff2000 bytes does not fit in the user address space"},
		{"misaligned in page", with(func(s *spec) { s.segs[1].vaddr = 0x401210 }), ErrAlignment,
			"segment 1: p_vaddr 0x401210 and p_offset 0x200 differ within a page, so it cannot be mapped"},
		{"misaligned p_align", with(func(s *spec) { s.segs[1].vaddr, s.segs[1].align = 0x402200, 0x200000 }), ErrAlignment,
			"segment 1: p_vaddr 0x402200 and p_offset 0x200 are not congruent modulo p_align 0x200000"},
		{"entry outside", with(func(s *spec) { s.entry = 0x800000000000 }), ErrAddressRange,
			"entry point 0x800000000000 lies outside the user address space"},
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range errorCases() {
		t.Run(tc.name, func(t *testing.T) {
			// No case reaches the address space, so the mmu is not needed.
			img, err := LoadReader(mmu.NewSpace(), bytes.NewReader(tc.file), int64(len(tc.file)), "prog")
			if err == nil {
				t.Fatalf("LoadReader = %+v, want error %v", img, tc.want)
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("errors.Is(%v, %v) = false", err, tc.want)
			}
			if got, want := err.Error(), "prog: "+tc.msg; got != want {
				t.Errorf("message:\n got %q\nwant %q", got, want)
			}
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Errorf("message is not one line: %q", err.Error())
			}
		})
	}
}

// TestSentinelsDistinct checks each error case matches only its own sentinel.
func TestSentinelsDistinct(t *testing.T) {
	all := []error{ErrNotELF, Err32Bit, ErrBigEndian, ErrMachine, ErrNotExecutable, ErrCorrupt, ErrAlignment,
		ErrDynamic, ErrNoLoad, ErrOverlap, ErrAddressRange, ErrNotRegular, ErrArgListTooLong}
	for _, tc := range errorCases() {
		_, _, err := prepare(bytes.NewReader(tc.file), int64(len(tc.file)))
		for _, s := range all {
			if errors.Is(err, s) != (s == tc.want) {
				t.Errorf("%s: errors.Is(err, %q) = %v", tc.name, s, errors.Is(err, s))
			}
		}
	}
}

// TestPlanTiny checks the mappings planned for the tiny executable against
// Linux's elf_load worked by hand (see tinySpec).
func TestPlanTiny(t *testing.T) {
	b := tinyELF() // 0x240 bytes
	p, img, err := prepare(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	wantImg := Image{Entry: 0x400100, Base: 0, Phdr: 0x400040, Phent: 56, Phnum: 3, Brk: 0x404000}
	if *img != wantImg {
		t.Errorf("image = %+v, want %+v", *img, wantImg)
	}
	want := []region{
		// text: one page of file bytes from offset 0; the 0x240-byte file
		// ends inside it, the rest stays zero.
		{addr: 0x400000, length: 0x1000, perm: mmu.PermRead | mmu.PermExec, named: true, fileOff: 0, copyLen: 0x240},
		// data: the page at 0x401000 maps file offset 0; padzero clears it
		// after p_vaddr+p_filesz = 0x401210, so the junk is not copied.
		{addr: 0x401000, length: 0x1000, perm: mmu.PermRead | mmu.PermWrite, named: true, fileOff: 0, copyLen: 0x210},
		// bss pages up to pageUp(0x401200+0x2000).
		{addr: 0x402000, length: 0x2000, perm: mmu.PermRead | mmu.PermWrite},
	}
	got := p.plan(img.Base)
	if len(got) != len(want) {
		t.Fatalf("plan = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("region %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestPlanLinuxQuirks pins three elf_load behaviours: a read-only segment
// with bss keeps the file's bytes after p_filesz (padzero fails silently),
// its bss pages are writable anyway (vm_brk_flags), and a writable segment
// without bss keeps them too (no padzero at all).
func TestPlanLinuxQuirks(t *testing.T) {
	s := spec{
		entry: 0x400000,
		segs: []seg{
			{typ: goelf.PT_LOAD, flags: goelf.PF_R | goelf.PF_X, off: 0, vaddr: 0x400000, filesz: 0x100, memsz: 0x1800, align: 0x1000},
			{typ: goelf.PT_LOAD, flags: goelf.PF_R | goelf.PF_W, off: 0x100, vaddr: 0x402100, filesz: 0x10, memsz: 0x10, align: 0x1000},
		},
		size: 0x300,
	}
	b := s.bytes()
	p, img, err := prepare(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	want := []region{
		{addr: 0x400000, length: 0x1000, perm: mmu.PermRead | mmu.PermExec, named: true, copyLen: 0x300},
		{addr: 0x401000, length: 0x1000, perm: mmu.PermRead | mmu.PermWrite | mmu.PermExec},
		{addr: 0x402000, length: 0x1000, perm: mmu.PermRead | mmu.PermWrite, named: true, copyLen: 0x300},
	}
	got := p.plan(img.Base)
	if len(got) != len(want) {
		t.Fatalf("plan = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("region %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if img.Brk != 0x403000 {
		t.Errorf("Brk = %#x, want 0x403000", img.Brk)
	}
}

// TestStaticPIEBias checks the load bias against the host kernel: the
// program headers are those of static PIEs built on this machine, and the
// bases are where "setarch x86_64 -R" runs put them (/proc/self/maps):
//
//	musl (rcrt1.o, -static-pie)                         0x7ffff7ff8000
//	glibc (gcc -static-pie -O2)                         0x7ffff7f47000
//	glibc (gcc -static-pie -Wl,-z,max-page-size=0x200000) 0x7ffff7600000
func TestStaticPIEBias(t *testing.T) {
	load := func(off, vaddr, filesz, memsz, align uint64, flags goelf.ProgFlag) seg {
		return seg{typ: goelf.PT_LOAD, flags: flags, off: off, vaddr: vaddr, filesz: filesz, memsz: memsz, align: align}
	}
	const r, rx, rw = goelf.PF_R, goelf.PF_R | goelf.PF_X, goelf.PF_R | goelf.PF_W
	tests := []struct {
		name    string
		segs    []seg
		entry   uint64
		base    uint64
		phdr    uint64
		wantBrk uint64
	}{
		{"musl", []seg{
			load(0, 0, 0x3c0, 0x3c0, 0x1000, r),
			load(0x1000, 0x1000, 0x2177, 0x2177, 0x1000, rx),
			load(0x4000, 0x4000, 0xd4, 0xd4, 0x1000, r),
			load(0x4e40, 0x5e40, 0x2d0, 0x9a0, 0x1000, rw),
		}, 0x10ac, 0x7ffff7ff8000, 0x7ffff7ff8040, StaticPIEBrk},
		{"glibc", []seg{
			load(0, 0, 0x8020, 0x8020, 0x1000, r),
			load(0x9000, 0x9000, 0x78d41, 0x78d41, 0x1000, rx),
			load(0x82000, 0x82000, 0x2927b, 0x2927b, 0x1000, r),
			load(0xab518, 0xac518, 0x5d58, 0xb528, 0x1000, rw),
		}, 0x9650, 0x7ffff7f47000, 0x7ffff7f47040, StaticPIEBrk},
		{"glibc 2MiB", []seg{
			load(0, 0, 0x8020, 0x8020, 0x200000, r),
			load(0x200000, 0x200000, 0x78d41, 0x78d41, 0x200000, rx),
			load(0x400000, 0x400000, 0x2927b, 0x2927b, 0x200000, r),
			load(0x5fc518, 0x7fc518, 0x5d58, 0xb528, 0x200000, rw),
		}, 0x200650, 0x7ffff7600000, 0x7ffff7600040, StaticPIEBrk},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := spec{typ: uint16(goelf.ET_DYN), entry: tc.entry, segs: tc.segs}
			b := s.bytes()
			_, img, err := prepare(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			if img.Base != tc.base || img.Entry != tc.entry+tc.base || img.Phdr != tc.phdr || img.Brk != tc.wantBrk {
				t.Errorf("image = %+v, want Base %#x Entry %#x Phdr %#x Brk %#x",
					img, tc.base, tc.entry+tc.base, tc.phdr, tc.wantBrk)
			}
		})
	}
}

// TestPhdrAddress: AT_PHDR comes from the PT_LOAD holding e_phoff, as in
// Linux since 5.18, even when PT_PHDR claims otherwise; PT_PHDR is only the
// fallback when no segment maps the table.
func TestPhdrAddress(t *testing.T) {
	s := tinySpec()
	s.segs = append(s.segs, seg{typ: goelf.PT_PHDR, flags: goelf.PF_R, off: 0x40, vaddr: 0x500040, filesz: 4 * 56, memsz: 4 * 56, align: 8})
	b := s.bytes()
	_, img, err := prepare(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if img.Phdr != 0x400040 {
		t.Errorf("Phdr = %#x, want 0x400040 (text segment holds the table)", img.Phdr)
	}
	s.segs[0].off, s.segs[0].vaddr = 0x1000, 0x401000 // text no longer holds the headers
	s.segs[1].vaddr = 0x402200
	s.extraOff = 0x1000
	b = s.bytes()
	if _, img, err = prepare(bytes.NewReader(b), int64(len(b))); err != nil {
		t.Fatal(err)
	}
	if img.Phdr != 0x500040 {
		t.Errorf("Phdr = %#x, want PT_PHDR's 0x500040", img.Phdr)
	}
}

func TestExecStack(t *testing.T) {
	for _, flags := range []goelf.ProgFlag{goelf.PF_R | goelf.PF_W, goelf.PF_R | goelf.PF_W | goelf.PF_X} {
		s := tinySpec()
		s.segs[2].flags = flags
		b := s.bytes()
		_, img, err := prepare(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		if want := flags&goelf.PF_X != 0; img.ExecStack != want {
			t.Errorf("PT_GNU_STACK %v: ExecStack = %v, want %v", flags, img.ExecStack, want)
		}
	}
	s := tinySpec()
	s.segs = s.segs[:2] // no PT_GNU_STACK: non-executable on x86-64
	b := s.bytes()
	if _, img, err := prepare(bytes.NewReader(b), int64(len(b))); err != nil || img.ExecStack {
		t.Errorf("without PT_GNU_STACK: ExecStack = %v, err %v; want false", img != nil && img.ExecStack, err)
	}
}
