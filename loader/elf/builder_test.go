package elf

import (
	"bytes"
	"encoding/binary"
	"testing"

	goelf "debug/elf"

	"gemu/mmu"
)

// seg is one program header of a hand-built ELF image; data is written at
// off in the file.
type seg struct {
	typ                              goelf.ProgType
	flags                            goelf.ProgFlag
	off, vaddr, filesz, memsz, align uint64
	data                             []byte
}

// spec describes an ELF64 file to build byte by byte.
type spec struct {
	class, data byte   // EI_CLASS, EI_DATA (defaults ELFCLASS64, ELFDATA2LSB)
	machine     uint16 // default EM_X86_64
	typ         uint16 // default ET_EXEC
	entry       uint64
	phoff       uint64 // default 64
	phentsize   uint16 // default 56
	phnum       int    // default len(segs); -1 means 0
	segs        []seg
	size        int    // file size; default: the end of the furthest bytes or p_filesz
	extra       []byte // bytes written at extraOff
	extraOff    int
}

func (s spec) bytes() []byte {
	if s.class == 0 {
		s.class = byte(goelf.ELFCLASS64)
	}
	if s.data == 0 {
		s.data = byte(goelf.ELFDATA2LSB)
	}
	if s.machine == 0 {
		s.machine = uint16(goelf.EM_X86_64)
	}
	if s.typ == 0 {
		s.typ = uint16(goelf.ET_EXEC)
	}
	if s.phoff == 0 {
		s.phoff = ehdrSize
	}
	if s.phentsize == 0 {
		s.phentsize = phdrSize
	}
	phnum := len(s.segs)
	if s.phnum > 0 {
		phnum = s.phnum
	} else if s.phnum < 0 {
		phnum = 0
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if s.data == byte(goelf.ELFDATA2MSB) {
		bo = binary.BigEndian
	}
	end := int(s.phoff) + len(s.segs)*phdrSize
	for _, g := range s.segs {
		end = max(end, int(g.off)+len(g.data), int(g.off+g.filesz))
	}
	end = max(end, s.extraOff+len(s.extra))
	if s.size == 0 {
		s.size = end
	}
	b := make([]byte, max(end, s.size))
	copy(b, goelf.ELFMAG)
	b[goelf.EI_CLASS] = s.class
	b[goelf.EI_DATA] = s.data
	b[goelf.EI_VERSION] = byte(goelf.EV_CURRENT)
	bo.PutUint16(b[16:], s.typ)
	bo.PutUint16(b[18:], s.machine)
	bo.PutUint32(b[20:], 1)
	bo.PutUint64(b[24:], s.entry)
	bo.PutUint64(b[32:], s.phoff)
	bo.PutUint16(b[52:], ehdrSize)
	bo.PutUint16(b[54:], s.phentsize)
	bo.PutUint16(b[56:], uint16(phnum))
	for i, g := range s.segs {
		p := b[int(s.phoff)+i*phdrSize:]
		bo.PutUint32(p[0:], uint32(g.typ))
		bo.PutUint32(p[4:], uint32(g.flags))
		bo.PutUint64(p[8:], g.off)
		bo.PutUint64(p[16:], g.vaddr)
		bo.PutUint64(p[24:], g.vaddr)
		bo.PutUint64(p[32:], g.filesz)
		bo.PutUint64(p[40:], g.memsz)
		bo.PutUint64(p[48:], g.align)
	}
	for _, g := range s.segs {
		copy(b[g.off:], g.data)
	}
	copy(b[s.extraOff:], s.extra)
	return b[:s.size]
}

// The tiny executable most tests start from (ET_EXEC):
//
//	file 0x000..0x0b0 headers (3 program headers)
//	     0x100..0x104 code: ud2; ud2 (entry 0x400100)
//	     0x200..0x210 data: 16 bytes 0x11 ("AAAA..." pattern below)
//	     0x210..0x240 0xee junk after the data's p_filesz
//	PT_LOAD R+X  off 0      vaddr 0x400000 filesz 0x104 memsz 0x104
//	PT_LOAD R+W  off 0x200  vaddr 0x401200 filesz 0x10  memsz 0x2000 (bss)
//	PT_GNU_STACK R+W
var (
	tinyCode = []byte{0x0f, 0x0b, 0x0f, 0x0b}
	tinyData = bytes.Repeat([]byte{0x11}, 16)
	tinyJunk = bytes.Repeat([]byte{0xee}, 0x30)
)

func tinySpec() spec {
	return spec{
		entry: 0x400100,
		segs: []seg{
			{typ: goelf.PT_LOAD, flags: goelf.PF_R | goelf.PF_X, off: 0, vaddr: 0x400000, filesz: 0x104, memsz: 0x104, align: 0x1000},
			{typ: goelf.PT_LOAD, flags: goelf.PF_R | goelf.PF_W, off: 0x200, vaddr: 0x401200, filesz: 0x10, memsz: 0x2000, align: 0x1000, data: tinyData},
			{typ: goelf.PT_GNU_STACK, flags: goelf.PF_R | goelf.PF_W, align: 0x10},
		},
		extra:    tinyCode,
		extraOff: 0x100,
	}
}

// tinyELF returns the tiny executable with its junk bytes after the data.
func tinyELF() []byte {
	b := tinySpec().bytes()
	b = append(b, tinyJunk...) // 0x210..0x240
	return b
}

// mmuReady reports whether package mmu is implemented (its placeholder
// methods panic).
func mmuReady() (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	mmu.NewSpace().Mappings()
	return true
}

// newSpace returns an empty mmu.Space, or skips the test while package mmu
// is still the panicking placeholder.
func newSpace(t testing.TB) *mmu.Space {
	t.Helper()
	if !mmuReady() {
		t.Skip("package mmu is not implemented yet (its methods panic)")
	}
	s := mmu.NewSpace()
	t.Cleanup(func() { s.Close() })
	return s
}
