package elf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"

	goelf "debug/elf"

	"gemu/mmu"
)

// The ELF64 file header and program headers are small and fixed, so they are
// decoded here field by field rather than through debug/elf, whose
// NewFile trusts hostile counts and sizes (see RATIONALE.md).
const (
	ehdrSize = 64 // sizeof(Elf64_Ehdr)
	phdrSize = 56 // sizeof(Elf64_Phdr): AT_PHENT
	// maxPhnum is Linux's limit: the program header table is at most 64 KiB.
	maxPhnum = 65536 / phdrSize
	// pathMax bounds the PT_INTERP string read for the error message.
	pathMax = 4096
)

var le = binary.LittleEndian

// progHeader is one decoded Elf64_Phdr.
type progHeader struct {
	typ                              goelf.ProgType
	flags                            goelf.ProgFlag
	off, vaddr, filesz, memsz, align uint64
}

// program is a validated ELF64 x86-64 executable, addresses not yet biased.
type program struct {
	typ       goelf.Type
	entry     uint64
	phoff     uint64
	phnum     int
	phdrs     []progHeader
	loads     []int // indexes of the PT_LOAD entries of phdrs, in table order
	execStack bool  // PT_GNU_STACK with PF_X
	size      int64 // file size
}

// parse reads and validates the headers of the executable in r (size bytes).
// Every returned error is an *Error without a path. It allocates at most
// 64 KiB whatever the headers claim.
func parse(r io.ReaderAt, size int64) (*program, error) {
	if size <= 0 {
		return nil, fail(ErrNotELF, "not an ELF file (empty file)")
	}
	var eh [ehdrSize]byte
	n := int64(ehdrSize)
	if size < n {
		n = size
	}
	if err := readFull(r, eh[:n], 0); err != nil {
		return nil, err
	}
	if n < 4 || !bytes.Equal(eh[:4], []byte(goelf.ELFMAG)) {
		if n >= 2 && eh[0] == '#' && eh[1] == '!' {
			return nil, fail(ErrNotELF, "not an ELF file (a #! script)")
		}
		return nil, fail(ErrNotELF, "not an ELF file")
	}
	if n <= int64(goelf.EI_DATA) {
		return nil, fail(ErrCorrupt, "truncated ELF file: %d-byte file, the ELF header has %d", size, ehdrSize)
	}
	// e_machine sits at offset 18 in both classes; name it when we can.
	machine := func(bo binary.ByteOrder) string {
		if n < 20 {
			return ""
		}
		return " for " + machineName(goelf.Machine(bo.Uint16(eh[18:])))
	}
	var order binary.ByteOrder = binary.LittleEndian
	switch goelf.Data(eh[goelf.EI_DATA]) {
	case goelf.ELFDATA2LSB:
	case goelf.ELFDATA2MSB:
		order = binary.BigEndian
	default:
		return nil, fail(ErrCorrupt, "corrupt ELF file: invalid data encoding %d in e_ident", eh[goelf.EI_DATA])
	}
	switch goelf.Class(eh[goelf.EI_CLASS]) {
	case goelf.ELFCLASS64:
	case goelf.ELFCLASS32:
		return nil, fail(Err32Bit, "32-bit ELF file%s; gemu runs only 64-bit x86-64 programs", machine(order))
	default:
		return nil, fail(ErrCorrupt, "corrupt ELF file: invalid class %d in e_ident", eh[goelf.EI_CLASS])
	}
	if order == binary.BigEndian {
		return nil, fail(ErrBigEndian, "big-endian ELF file%s; gemu runs only little-endian x86-64 programs", machine(order))
	}
	if n < ehdrSize {
		return nil, fail(ErrCorrupt, "truncated ELF file: %d-byte file, the ELF header has %d", size, ehdrSize)
	}
	if m := goelf.Machine(le.Uint16(eh[18:])); m != goelf.EM_X86_64 {
		return nil, fail(ErrMachine, "ELF for %s, not x86-64", machineName(m))
	}
	p := &program{
		typ:   goelf.Type(le.Uint16(eh[16:])),
		entry: le.Uint64(eh[24:]),
		phoff: le.Uint64(eh[32:]),
		phnum: int(le.Uint16(eh[56:])),
		size:  size,
	}
	switch p.typ {
	case goelf.ET_EXEC, goelf.ET_DYN:
	case goelf.ET_REL:
		return nil, fail(ErrNotExecutable, "relocatable object file (ET_REL), not an executable")
	case goelf.ET_CORE:
		return nil, fail(ErrNotExecutable, "core dump (ET_CORE), not an executable")
	default:
		return nil, fail(ErrNotExecutable, "ELF file of type %#x, not an executable", uint16(p.typ))
	}
	if phentsize := le.Uint16(eh[54:]); phentsize != phdrSize {
		return nil, fail(ErrCorrupt, "corrupt ELF file: program header size %d, want %d", phentsize, phdrSize)
	}
	if p.phnum == 0 {
		return nil, fail(ErrNoLoad, "no program headers, so no loadable segments (PT_LOAD)")
	}
	if p.phnum > maxPhnum {
		return nil, fail(ErrCorrupt, "corrupt ELF file: %d program headers (Linux accepts at most %d)", p.phnum, maxPhnum)
	}
	tableSize := uint64(p.phnum) * phdrSize
	if p.phoff > uint64(size) || uint64(size)-p.phoff < tableSize {
		return nil, fail(ErrCorrupt, "truncated ELF file: program headers at %#x..%#x lie beyond its end (%#x bytes)",
			p.phoff, p.phoff+tableSize, size)
	}
	table := make([]byte, tableSize)
	if err := readFull(r, table, int64(p.phoff)); err != nil {
		return nil, err
	}
	p.phdrs = make([]progHeader, p.phnum)
	for i := range p.phdrs {
		b := table[i*phdrSize:]
		p.phdrs[i] = progHeader{
			typ:    goelf.ProgType(le.Uint32(b[0:])),
			flags:  goelf.ProgFlag(le.Uint32(b[4:])),
			off:    le.Uint64(b[8:]),
			vaddr:  le.Uint64(b[16:]),
			filesz: le.Uint64(b[32:]),
			memsz:  le.Uint64(b[40:]),
			align:  le.Uint64(b[48:]),
		}
	}
	// Linux looks for PT_INTERP before anything else in the table.
	for i := range p.phdrs {
		if p.phdrs[i].typ == goelf.PT_INTERP {
			return nil, p.dynamic(r, &p.phdrs[i])
		}
	}
	for i := range p.phdrs {
		ph := &p.phdrs[i]
		switch ph.typ {
		case goelf.PT_GNU_STACK:
			p.execStack = ph.flags&goelf.PF_X != 0
		case goelf.PT_LOAD:
			if err := p.checkLoad(i); err != nil {
				return nil, err
			}
			p.loads = append(p.loads, i)
		}
	}
	if len(p.loads) == 0 {
		return nil, fail(ErrNoLoad, "no loadable segments (PT_LOAD)")
	}
	empty := true
	for _, i := range p.loads {
		empty = empty && p.phdrs[i].memsz == 0
	}
	if empty {
		return nil, fail(ErrNoLoad, "no loadable segments with contents (every PT_LOAD has p_memsz 0)")
	}
	if err := p.checkOverlap(); err != nil {
		return nil, err
	}
	return p, nil
}

// dynamic reports a program that needs an interpreter, naming it.
func (p *program) dynamic(r io.ReaderAt, ph *progHeader) error {
	name := ""
	if ph.filesz > 0 && ph.off < uint64(p.size) {
		n := min(ph.filesz, pathMax, uint64(p.size)-ph.off)
		buf := make([]byte, n)
		if readFull(r, buf, int64(ph.off)) == nil {
			if i := bytes.IndexByte(buf, 0); i >= 0 {
				buf = buf[:i]
			}
			name = string(buf)
		}
	}
	if name == "" {
		return fail(ErrDynamic, "dynamically linked (PT_INTERP); gemu does not support dynamic programs yet")
	}
	return fail(ErrDynamic, "dynamically linked (interpreter %s); gemu does not support dynamic programs yet", printable(name))
}

// checkLoad validates PT_LOAD entry i on its own.
func (p *program) checkLoad(i int) error {
	ph := &p.phdrs[i]
	if ph.filesz > ph.memsz {
		return fail(ErrCorrupt, "corrupt ELF file: segment %d has p_filesz %#x larger than p_memsz %#x", i, ph.filesz, ph.memsz)
	}
	if ph.off > uint64(p.size) || uint64(p.size)-ph.off < ph.filesz {
		return fail(ErrCorrupt, "truncated ELF file: segment %d (file bytes %#x..%#x) extends beyond its end (%#x bytes)",
			i, ph.off, ph.off+ph.filesz, p.size)
	}
	if ph.memsz > mmu.UserTop || ph.vaddr > mmu.UserTop-ph.memsz {
		return fail(ErrAddressRange, "segment %d (%#x bytes at %#x) lies outside the user address space", i, ph.memsz, ph.vaddr)
	}
	if (ph.vaddr-ph.off)&mmu.PageMask != 0 {
		return fail(ErrAlignment, "segment %d: p_vaddr %#x and p_offset %#x differ within a page, so it cannot be mapped",
			i, ph.vaddr, ph.off)
	}
	if ph.align > 1 && ph.vaddr%ph.align != ph.off%ph.align {
		return fail(ErrAlignment, "segment %d: p_vaddr %#x and p_offset %#x are not congruent modulo p_align %#x",
			i, ph.vaddr, ph.off, ph.align)
	}
	return nil
}

// checkOverlap rejects PT_LOAD segments covering the same bytes. Sharing a
// page without sharing bytes is normal and allowed.
func (p *program) checkOverlap() error {
	idx := make([]int, 0, len(p.loads))
	for _, i := range p.loads {
		if p.phdrs[i].memsz > 0 {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return p.phdrs[idx[a]].vaddr < p.phdrs[idx[b]].vaddr })
	for k := 1; k < len(idx); k++ {
		a, b := &p.phdrs[idx[k-1]], &p.phdrs[idx[k]]
		if a.vaddr+a.memsz > b.vaddr {
			i, j := min(idx[k-1], idx[k]), max(idx[k-1], idx[k])
			return fail(ErrOverlap, "segments %d and %d overlap (%#x..%#x and %#x..%#x)",
				i, j, a.vaddr, a.vaddr+a.memsz, b.vaddr, b.vaddr+b.memsz)
		}
	}
	return nil
}

// readFull reads exactly len(b) bytes at off; the caller has checked that
// they lie inside the file, so a short read is an I/O error.
func readFull(r io.ReaderAt, b []byte, off int64) error {
	n, err := r.ReadAt(b, off)
	if n == len(b) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return &Error{Err: err, Detail: fmt.Sprintf("read error: %s", oneLine(err.Error()))}
}
