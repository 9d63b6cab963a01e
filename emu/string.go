package emu

import (
	"encoding/binary"

	"gemu/mmu"
	"golang.org/x/arch/x86/x86asm"
)

// String instructions. inst.sub is the element size in bytes; prepString
// records the source segment and drops the explicit operands x86asm gives.
var stringOps = []opEntry{
	{x86asm.MOVSB, opInfo{fn: execMovs, sub: 1, prep: prepString}},
	{x86asm.MOVSW, opInfo{fn: execMovs, sub: 2, prep: prepString}},
	{x86asm.MOVSD, opInfo{fn: execMovs, sub: 4, prep: prepString}},
	{x86asm.MOVSQ, opInfo{fn: execMovs, sub: 8, prep: prepString}},
	{x86asm.STOSB, opInfo{fn: execStos, sub: 1, prep: prepString}},
	{x86asm.STOSW, opInfo{fn: execStos, sub: 2, prep: prepString}},
	{x86asm.STOSD, opInfo{fn: execStos, sub: 4, prep: prepString}},
	{x86asm.STOSQ, opInfo{fn: execStos, sub: 8, prep: prepString}},
	{x86asm.LODSB, opInfo{fn: execLods, sub: 1, prep: prepString}},
	{x86asm.LODSW, opInfo{fn: execLods, sub: 2, prep: prepString}},
	{x86asm.LODSD, opInfo{fn: execLods, sub: 4, prep: prepString}},
	{x86asm.LODSQ, opInfo{fn: execLods, sub: 8, prep: prepString}},
	{x86asm.CMPSB, opInfo{fn: execCmps, sub: 1, prep: prepString}},
	{x86asm.CMPSW, opInfo{fn: execCmps, sub: 2, prep: prepString}},
	{x86asm.CMPSD, opInfo{fn: execCmps, sub: 4, prep: prepString}},
	{x86asm.CMPSQ, opInfo{fn: execCmps, sub: 8, prep: prepString}},
	{x86asm.SCASB, opInfo{fn: execScas, sub: 1, prep: prepString}},
	{x86asm.SCASW, opInfo{fn: execScas, sub: 2, prep: prepString}},
	{x86asm.SCASD, opInfo{fn: execScas, sub: 4, prep: prepString}},
	{x86asm.SCASQ, opInfo{fn: execScas, sub: 8, prep: prepString}},
}

// Registers of the string instructions.
const (
	regCX = 1
	regSI = 6
	regDI = 7
)

// prepString normalises a string instruction: the segment override (FS or
// GS) applies to the source operand [RSI] only, never to ES:[RDI]; the
// memory operands x86asm reports are implicit and dropped.
func prepString(xi *x86asm.Inst, in *inst) bool {
	in.seg = segNone
	for _, a := range xi.Args {
		m, ok := a.(x86asm.Mem)
		if !ok || (m.Base != x86asm.RSI && m.Base != x86asm.ESI) {
			continue
		}
		switch m.Segment {
		case x86asm.FS:
			in.seg = segFS
		case x86asm.GS:
			in.seg = segGS
		}
	}
	in.args = [4]arg{}
	in.base, in.index, in.disp = noReg, noReg, 0
	return true
}

// strAddr returns the address in register r (RSI or RDI), 32 bits of it
// with a 0x67 prefix.
func (c *CPU) strAddr(in *inst, r int) uint64 {
	if in.addr32 {
		return c.R[r] & 0xffffffff
	}
	return c.R[r]
}

// strSrc is the source address: [RSI] plus the FS/GS base if overridden.
func (c *CPU) strSrc(in *inst) uint64 {
	a := c.strAddr(in, regSI)
	switch in.seg {
	case segFS:
		a += c.fsBase
	case segGS:
		a += c.gsBase
	}
	return a
}

// strStep is the signed step of one element: +size, or -size with DF set.
func (c *CPU) strStep(in *inst) uint64 {
	if c.rflags&flagDF != 0 {
		return -uint64(in.sub)
	}
	return uint64(in.sub)
}

// strSet writes v to the address register r, which with a 0x67 prefix is
// the 32-bit register (zero-extended, like any 32-bit register write).
func (c *CPU) strSet(in *inst, r int, v uint64) {
	if in.addr32 {
		v &= 0xffffffff
	}
	c.R[r] = v
}

// strCount is the repeat count: RCX, or ECX with a 0x67 prefix.
func (c *CPU) strCount(in *inst) uint64 {
	if in.addr32 {
		return c.R[regCX] & 0xffffffff
	}
	return c.R[regCX]
}

// A REP instruction runs to completion within one handler call. The loops
// below commit RSI, RDI and RCX after every element (or chunk of elements),
// so a fault leaves the registers as after the last completed element, with
// RIP at the instruction, as on hardware.

func execMovs(c *CPU, in *inst) bool {
	if in.rep == repNone {
		return c.movsOne(in)
	}
	for c.strCount(in) != 0 {
		if c.rflags&flagDF == 0 {
			n, ok := c.movsChunk(in)
			if !ok {
				return false
			}
			if n > 0 {
				continue
			}
		}
		if !c.movsOne(in) {
			return false
		}
		c.strSet(in, regCX, c.R[regCX]-1)
	}
	return true
}

// movsOne moves one element from [RSI] to [RDI] and advances both.
func (c *CPU) movsOne(in *inst) bool {
	size := in.sub
	v, ok := c.load(c.strSrc(in), size)
	if !ok {
		return false
	}
	if !c.store(c.strAddr(in, regDI), size, v) {
		return false
	}
	step := c.strStep(in)
	c.strSet(in, regSI, c.R[regSI]+step)
	c.strSet(in, regDI, c.R[regDI]+step)
	return true
}

// pageRoom is the number of bytes from addr to the end of its page.
func pageRoom(addr uint64) uint64 { return mmu.PageSize - addr&mmu.PageMask }

// chunkElems is how many whole size-byte elements fit from dst (and src,
// if hasSrc) to the end of their pages, at most count. Zero means the next
// element crosses a page boundary.
func chunkElems(src, dst, count uint64, size uint8, hasSrc bool) uint64 {
	room := pageRoom(dst)
	if hasSrc {
		room = min(room, pageRoom(src))
	}
	return min(room/uint64(size), count)
}

// movsChunk copies, for a forward REP MOVS with 64-bit addressing, the
// elements that fit in the current source and destination pages, eight
// bytes at a time, and commits RSI, RDI and RCX. It returns the number of
// elements moved: 0 when the fast path does not apply (the caller then
// moves one element). Eight-byte steps are exactly the element-by-element
// copy unless the destination starts 1 to 7 bytes after the source (then
// a short element reads bytes the same instruction just wrote, as in
// rep movsb with RDI = RSI+1, which replicates a byte); that case is left
// to the element loop. A fault on a chunk's first access leaves the
// registers after the previous chunk, which is where the element loop
// would have faulted too, as no access crosses a page.
func (c *CPU) movsChunk(in *inst) (uint64, bool) {
	if in.addr32 {
		return 0, true
	}
	size := uint64(in.sub)
	src, dst := c.strSrc(in), c.R[regDI]
	if gap := dst - src; size < 8 && gap > 0 && gap < 8 {
		return 0, true
	}
	n := chunkElems(src, dst, c.R[regCX], in.sub, true)
	if n == 0 {
		return 0, true
	}
	total := n * size
	if dst <= src || dst-src >= total {
		// No overlap that a forward copy would see: copy the page spans
		// directly when both pages allow it (see mmu.TLB.WriteSpan).
		if d, ok := c.tlb.WriteSpan(dst, int(total)); ok {
			if s, ok := c.tlb.ReadSpan(src, int(total)); ok {
				copy(d, s)
				return n, c.commitChunk(in, n, true, true)
			}
		}
	}
	done := uint64(0)
	for ; done+8 <= total; done += 8 {
		v, ok := c.load(src+done, 8)
		if !ok {
			return 0, c.commitChunk(in, done/size, true, false)
		}
		if !c.store(dst+done, 8, v) {
			return 0, c.commitChunk(in, done/size, true, false)
		}
	}
	for ; done < total; done += size {
		v, ok := c.load(src+done, in.sub)
		if !ok {
			return 0, c.commitChunk(in, done/size, true, false)
		}
		if !c.store(dst+done, in.sub, v) {
			return 0, c.commitChunk(in, done/size, true, false)
		}
	}
	c.commitChunk(in, n, true, true)
	return n, true
}

// commitChunk advances RDI, RSI too if src, and RCX by n forward elements
// and returns ok.
func (c *CPU) commitChunk(in *inst, n uint64, src, ok bool) bool {
	adv := n * uint64(in.sub)
	if src {
		c.R[regSI] += adv
	}
	c.R[regDI] += adv
	c.R[regCX] -= n
	return ok
}

func execStos(c *CPU, in *inst) bool {
	if in.rep == repNone {
		return c.stosOne(in)
	}
	for c.strCount(in) != 0 {
		if c.rflags&flagDF == 0 {
			n, ok := c.stosChunk(in)
			if !ok {
				return false
			}
			if n > 0 {
				continue
			}
		}
		if !c.stosOne(in) {
			return false
		}
		c.strSet(in, regCX, c.R[regCX]-1)
	}
	return true
}

// stosOne stores the accumulator at [RDI] and advances RDI.
func (c *CPU) stosOne(in *inst) bool {
	if !c.store(c.strAddr(in, regDI), in.sub, c.R[0]) {
		return false
	}
	c.strSet(in, regDI, c.R[regDI]+c.strStep(in))
	return true
}

// splat repeats the low size bytes of v over 64 bits.
func splat(v uint64, size uint8) uint64 {
	switch size {
	case 1:
		return (v & 0xff) * 0x0101010101010101
	case 2:
		return (v & 0xffff) * 0x0001000100010001
	case 4:
		return (v & 0xffffffff) * 0x0000000100000001
	}
	return v
}

// fillPattern fills d with the little-endian 64-bit pattern v repeated
// from d's start (a splat of whole elements).
func fillPattern(d []byte, v uint64) {
	i := 0
	for ; i+8 <= len(d); i += 8 {
		binary.LittleEndian.PutUint64(d[i:], v)
	}
	for ; i < len(d); i++ {
		d[i] = byte(v >> (8 * (i & 7)))
	}
}

// stosChunk is movsChunk for a forward REP STOS.
func (c *CPU) stosChunk(in *inst) (uint64, bool) {
	if in.addr32 {
		return 0, true
	}
	size := uint64(in.sub)
	dst := c.R[regDI]
	n := chunkElems(0, dst, c.R[regCX], in.sub, false)
	if n == 0 {
		return 0, true
	}
	total := n * size
	v := splat(c.R[0], in.sub)
	if d, ok := c.tlb.WriteSpan(dst, int(total)); ok {
		fillPattern(d, v)
		return n, c.commitChunk(in, n, false, true)
	}
	done := uint64(0)
	for ; done+8 <= total; done += 8 {
		if !c.store(dst+done, 8, v) {
			return 0, c.commitChunk(in, done/size, false, false)
		}
	}
	for ; done < total; done += size {
		if !c.store(dst+done, in.sub, v) {
			return 0, c.commitChunk(in, done/size, false, false)
		}
	}
	c.commitChunk(in, n, false, true)
	return n, true
}

func execLods(c *CPU, in *inst) bool {
	if in.rep == repNone {
		return c.lodsOne(in)
	}
	for c.strCount(in) != 0 {
		if !c.lodsOne(in) {
			return false
		}
		c.strSet(in, regCX, c.R[regCX]-1)
	}
	return true
}

// lodsOne loads [RSI] into the accumulator and advances RSI.
func (c *CPU) lodsOne(in *inst) bool {
	v, ok := c.load(c.strSrc(in), in.sub)
	if !ok {
		return false
	}
	c.setReg(accLo(in.sub), v)
	c.strSet(in, regSI, c.R[regSI]+c.strStep(in))
	return true
}

// CMPS and SCAS compare; with REPE (F3) they repeat while equal, with REPNE
// (F2) while different, and stop when RCX reaches zero.

func execCmps(c *CPU, in *inst) bool {
	if in.rep == repNone {
		return c.cmpsOne(in)
	}
	for c.strCount(in) != 0 {
		if !c.cmpsOne(in) {
			return false
		}
		c.strSet(in, regCX, c.R[regCX]-1)
		if (c.lf.res == 0) != (in.rep == repE) {
			break
		}
	}
	return true
}

// cmpsOne compares [RSI] with [RDI] (flags of [RSI] - [RDI]) and advances
// both.
func (c *CPU) cmpsOne(in *inst) bool {
	size := in.sub
	a, ok := c.load(c.strSrc(in), size)
	if !ok {
		return false
	}
	b, ok := c.load(c.strAddr(in, regDI), size)
	if !ok {
		return false
	}
	step := c.strStep(in)
	c.strSet(in, regSI, c.R[regSI]+step)
	c.strSet(in, regDI, c.R[regDI]+step)
	c.lf = lazyFlags{kind: fkSub, size: size, a: a, b: b, res: (a - b) & sizeMask[size]}
	return true
}

func execScas(c *CPU, in *inst) bool {
	if in.rep == repNone {
		return c.scasOne(in)
	}
	for c.strCount(in) != 0 {
		if !c.scasOne(in) {
			return false
		}
		c.strSet(in, regCX, c.R[regCX]-1)
		if (c.lf.res == 0) != (in.rep == repE) {
			break
		}
	}
	return true
}

// scasOne compares the accumulator with [RDI] (flags of acc - [RDI]) and
// advances RDI.
func (c *CPU) scasOne(in *inst) bool {
	size := in.sub
	b, ok := c.load(c.strAddr(in, regDI), size)
	if !ok {
		return false
	}
	a := c.R[0] & sizeMask[size]
	c.strSet(in, regDI, c.R[regDI]+c.strStep(in))
	c.lf = lazyFlags{kind: fkSub, size: size, a: a, b: b, res: (a - b) & sizeMask[size]}
	return true
}
