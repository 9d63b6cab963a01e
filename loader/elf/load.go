package elf

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	goelf "debug/elf"

	"gemu/mmu"
)

// StaticPIEBrk is where x86-64 Linux puts the initial break of a static PIE
// (ET_DYN without PT_INTERP): ELF_ET_DYN_BASE = 0x555555554aaa, page aligned.
// The kernel moves the break there, away from the image it loads near the
// top of the mmap area; measured on the host with setarch -R (RATIONALE.md).
const StaticPIEBrk uint64 = 0x555555555000

// copyChunk bounds the buffer used to copy file bytes into guest memory.
// A larger one only adds fresh pages to fault in: with 1 MiB, starting a
// Go guest took ~70 more page faults (bench/RESULTS.md, start-up).
const copyChunk = 64 << 10

// Load maps the ELF executable at path into mem (which must be empty) and
// sets mem's initial break. Mappings are named after the program's absolute
// path with symlinks resolved, as /proc/self/maps shows it. Errors are
// *Error values reading "PATH: MESSAGE".
// Preconditions: mem has no mappings.
func Load(mem *mmu.Space, path string) (*Image, error) {
	// Stat before opening: opening a FIFO for reading would block.
	fi, err := os.Stat(path)
	if err != nil {
		return nil, osError(path, err)
	}
	if err := checkRegular(path, fi); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, osError(path, err)
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, osError(path, err)
	}
	if err := checkRegular(path, fi); err != nil {
		return nil, err
	}
	return load(mem, f, fi.Size(), path, mapName(path))
}

// LoadReader is Load for an executable held in r (size bytes): the mappings
// are named path, which also prefixes errors.
// Preconditions: mem has no mappings.
func LoadReader(mem *mmu.Space, r io.ReaderAt, size int64, path string) (*Image, error) {
	return load(mem, r, size, path, path)
}

func load(mem *mmu.Space, r io.ReaderAt, size int64, path, name string) (*Image, error) {
	p, img, err := prepare(r, size)
	if err != nil {
		return nil, withPath(err, path)
	}
	img.Path = path
	for _, reg := range p.plan(img.Base) {
		if err := reg.apply(mem, r, name); err != nil {
			return nil, withPath(err, path)
		}
	}
	mem.SetBrk(img.Brk)
	return img, nil
}

// prepare validates the executable and decides where it goes, without
// touching any address space.
func prepare(r io.ReaderAt, size int64) (*program, *Image, error) {
	p, err := parse(r, size)
	if err != nil {
		return nil, nil, err
	}
	bias, err := p.bias()
	if err != nil {
		return nil, nil, err
	}
	img, err := p.image(bias)
	if err != nil {
		return nil, nil, err
	}
	return p, img, nil
}

// bias returns the load bias: 0 for ET_EXEC; for a static PIE, what Linux's
// load_elf_binary computes with randomisation off: the whole image placed
// top-down at the top of the empty mmap area (mmu.MmapTop), then rounded
// down to the largest power-of-two PT_LOAD p_align above a page.
func (p *program) bias() (uint64, error) {
	if p.typ == goelf.ET_EXEC {
		return 0, nil
	}
	lo, hi := ^uint64(0), uint64(0)
	align := uint64(0)
	for _, i := range p.loads {
		ph := &p.phdrs[i]
		lo = min(lo, pageDown(ph.vaddr))
		hi = max(hi, ph.vaddr+ph.memsz)
		if a := ph.align; a&(a-1) == 0 { // Linux skips non-power-of-two alignments
			align = max(align, a)
		}
	}
	total := pageUp(hi - lo)
	if total > mmu.MmapTop-mmu.MinAddr {
		return 0, fail(ErrAddressRange, "image of %#x bytes does not fit in the user address space", total)
	}
	top := mmu.MmapTop - total // where a top-down mmap of the whole image lands
	first := p.phdrs[p.loads[0]].vaddr
	if align > mmu.PageSize {
		top &^= align - 1
		if top < mmu.MinAddr {
			return 0, fail(ErrAddressRange, "image of %#x bytes aligned to %#x does not fit in the user address space", total, align)
		}
		return pageDown(top - first), nil
	}
	return top - pageDown(first), nil
}

// image computes the Image of p loaded at bias and checks that every segment
// and the entry point lie in the user address space.
func (p *program) image(bias uint64) (*Image, error) {
	img := &Image{
		Entry:     p.entry + bias,
		Base:      bias,
		Phent:     phdrSize,
		Phnum:     uint64(p.phnum),
		ExecStack: p.execStack,
	}
	end := uint64(0)
	phdr, found := uint64(0), false
	for _, i := range p.loads {
		ph := &p.phdrs[i]
		start := ph.vaddr + bias
		if ph.memsz > 0 && (pageDown(start) < mmu.MinAddr || start > mmu.UserTop-ph.memsz) {
			return nil, fail(ErrAddressRange, "segment %d (%#x bytes at %#x) lies outside the user address space", i, ph.memsz, start)
		}
		end = max(end, start+ph.memsz)
		// Linux (since 5.18) takes AT_PHDR from the PT_LOAD whose file
		// bytes hold the program header table; the last match wins.
		if ph.off <= p.phoff && p.phoff-ph.off < ph.filesz {
			phdr, found = p.phoff-ph.off+ph.vaddr, true
		}
	}
	if !found {
		// No segment maps the table: Linux passes load_bias + 0; prefer
		// PT_PHDR's claim when there is one.
		for i := range p.phdrs {
			if p.phdrs[i].typ == goelf.PT_PHDR {
				phdr = p.phdrs[i].vaddr
				break
			}
		}
	}
	img.Phdr = phdr + bias
	if img.Entry >= mmu.UserTop {
		return nil, fail(ErrAddressRange, "entry point %#x lies outside the user address space", img.Entry)
	}
	img.Brk = pageUp(end)
	if p.typ == goelf.ET_DYN {
		img.Brk = StaticPIEBrk
	}
	return img, nil
}

// region is one mmu mapping of the load plan.
type region struct {
	addr, length uint64 // page aligned
	perm         mmu.Perm
	named        bool   // file-backed part of a segment: named after the program
	fileOff      uint64 // file offset of the bytes copied to addr
	copyLen      uint64 // bytes copied; the rest of the region stays zero
}

// plan lists the mappings that reproduce Linux's elf_load for every PT_LOAD
// in table order; a later mapping replaces the pages it covers, as MAP_FIXED
// does, which is how segments sharing a page end up as on Linux.
func (p *program) plan(bias uint64) []region {
	var out []region
	for _, i := range p.loads {
		ph := &p.phdrs[i]
		if ph.memsz == 0 {
			continue
		}
		a := ph.vaddr + bias
		perm := permOf(ph.flags)
		zeroStart := pageDown(a)
		if ph.filesz > 0 {
			// elf_map: the file pages holding [a, a+filesz), with whatever
			// the file holds after p_filesz up to the page end (zero past EOF).
			start, fend := pageDown(a), a+ph.filesz
			r := region{addr: start, length: pageUp(fend) - start, perm: perm, named: true, fileOff: ph.off - (a - start)}
			r.copyLen = min(r.length, uint64(p.size)-r.fileOff)
			// padzero clears the rest of the last file page when there is
			// bss, and silently fails on a read-only segment.
			if ph.memsz > ph.filesz && perm&mmu.PermWrite != 0 {
				r.copyLen = min(r.copyLen, fend-start)
			}
			out = append(out, r)
			zeroStart = fend
		}
		if ph.memsz > ph.filesz {
			// vm_brk_flags: anonymous read-write pages (plus exec if the
			// segment asks for it) whatever the segment's other flags.
			zs, ze := pageUp(zeroStart), pageUp(a+ph.memsz)
			if ze > zs {
				out = append(out, region{addr: zs, length: ze - zs, perm: mmu.PermRead | mmu.PermWrite | perm&mmu.PermExec})
			}
		}
	}
	return out
}

// apply maps reg into mem and copies its file bytes.
func (reg *region) apply(mem *mmu.Space, r io.ReaderAt, name string) error {
	m := mmu.Mapping{Addr: reg.addr, Length: reg.length, Perm: reg.perm, Fixed: true}
	if reg.named {
		m.Name = name
	}
	if _, err := mem.Map(m); err != nil {
		return &Error{Err: err, Detail: "mapping " + hexRange(reg.addr, reg.addr+reg.length) + ": " + oneLine(err.Error())}
	}
	buf := make([]byte, min(reg.copyLen, copyChunk))
	for done := uint64(0); done < reg.copyLen; {
		chunk := buf[:min(uint64(len(buf)), reg.copyLen-done)]
		if err := readFull(r, chunk, int64(reg.fileOff+done)); err != nil {
			return err
		}
		if err := mem.Poke(chunk, reg.addr+done); err != nil {
			return &Error{Err: err, Detail: "writing " + hexRange(reg.addr, reg.addr+reg.length) + ": " + oneLine(err.Error())}
		}
		done += uint64(len(chunk))
	}
	return nil
}

func permOf(f goelf.ProgFlag) mmu.Perm {
	var p mmu.Perm
	if f&goelf.PF_R != 0 {
		p |= mmu.PermRead
	}
	if f&goelf.PF_W != 0 {
		p |= mmu.PermWrite
	}
	if f&goelf.PF_X != 0 {
		p |= mmu.PermExec
	}
	return p
}

func pageDown(a uint64) uint64 { return a &^ mmu.PageMask }

// pageUp rounds up; callers keep a below 2^64 - PageSize (addresses are
// checked against mmu.UserTop first).
func pageUp(a uint64) uint64 { return (a + mmu.PageMask) &^ mmu.PageMask }

// osError turns an os error into a one-line *Error that still matches
// fs.ErrNotExist, fs.ErrPermission and the errno with errors.Is.
func osError(path string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &Error{Path: path, Err: err}
}

func checkRegular(path string, fi os.FileInfo) error {
	switch {
	case fi.Mode().IsRegular():
		return nil
	case fi.IsDir():
		return &Error{Path: path, Err: ErrNotRegular, Detail: "is a directory, not a program"}
	default:
		return &Error{Path: path, Err: ErrNotRegular, Detail: "not a regular file (" + fileKind(fi.Mode()) + ")"}
	}
}

func fileKind(m os.FileMode) string {
	switch {
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a block device"
	default:
		return "mode " + m.String()
	}
}

func hexRange(start, end uint64) string {
	return fmt.Sprintf("%#x..%#x", start, end)
}

// mapName is the name /proc/self/maps shows: the absolute path with
// symlinks resolved, like the kernel's d_path of the executable.
func mapName(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real
	}
	return abs
}
