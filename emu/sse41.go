package emu

import "golang.org/x/arch/x86/x86asm"

// SSE4.1: the packed-integer additions (min/max, multiplies, packs,
// extensions, blends, PTEST, MPSADBW, PHMINPOSUW), element inserts and
// extracts, the streaming load, and the floating-point blends. ROUND* and
// DPPS/DPPD are in sse41_fp.go.
var sse41Ops = []opEntry{
	{x86asm.PACKUSDW, opInfo{fn: execPint2, sub: s4PackUSDW}},
	{x86asm.PCMPEQQ, opInfo{fn: execPint2, sub: s4CmpEqQ}},
	{x86asm.PMAXSB, opInfo{fn: execPint2, sub: s4MaxSB}},
	{x86asm.PMAXSD, opInfo{fn: execPint2, sub: s4MaxSD}},
	{x86asm.PMAXUW, opInfo{fn: execPint2, sub: s4MaxUW}},
	{x86asm.PMAXUD, opInfo{fn: execPint2, sub: s4MaxUD}},
	{x86asm.PMINSB, opInfo{fn: execPint2, sub: s4MinSB}},
	{x86asm.PMINSD, opInfo{fn: execPint2, sub: s4MinSD}},
	{x86asm.PMINUW, opInfo{fn: execPint2, sub: s4MinUW}},
	{x86asm.PMINUD, opInfo{fn: execPint2, sub: s4MinUD}},
	{x86asm.PMULDQ, opInfo{fn: execPint2, sub: s4MulDQ}},
	{x86asm.PMULLD, opInfo{fn: execPint2, sub: s4MulLD}},
	{x86asm.PHMINPOSUW, opInfo{fn: execPint2, sub: s4MinPosUW}},

	{x86asm.PMOVSXBW, opInfo{fn: execPmovx, sub: pmovx(8, 16, true)}},
	{x86asm.PMOVSXBD, opInfo{fn: execPmovx, sub: pmovx(8, 32, true)}},
	{x86asm.PMOVSXBQ, opInfo{fn: execPmovx, sub: pmovx(8, 64, true)}},
	{x86asm.PMOVSXWD, opInfo{fn: execPmovx, sub: pmovx(16, 32, true)}},
	{x86asm.PMOVSXWQ, opInfo{fn: execPmovx, sub: pmovx(16, 64, true)}},
	{x86asm.PMOVSXDQ, opInfo{fn: execPmovx, sub: pmovx(32, 64, true)}},
	{x86asm.PMOVZXBW, opInfo{fn: execPmovx, sub: pmovx(8, 16, false)}},
	{x86asm.PMOVZXBD, opInfo{fn: execPmovx, sub: pmovx(8, 32, false)}},
	{x86asm.PMOVZXBQ, opInfo{fn: execPmovx, sub: pmovx(8, 64, false)}},
	{x86asm.PMOVZXWD, opInfo{fn: execPmovx, sub: pmovx(16, 32, false)}},
	{x86asm.PMOVZXWQ, opInfo{fn: execPmovx, sub: pmovx(16, 64, false)}},
	{x86asm.PMOVZXDQ, opInfo{fn: execPmovx, sub: pmovx(32, 64, false)}},

	{x86asm.MPSADBW, opInfo{fn: execMpsadbw}},
	{x86asm.PTEST, opInfo{fn: execPtest}},
	{x86asm.PBLENDW, opInfo{fn: execBlend, sub: blendImm | 1}},
	{x86asm.BLENDPS, opInfo{fn: execBlend, sub: blendImm | 2}},
	{x86asm.BLENDPD, opInfo{fn: execBlend, sub: blendImm | 3}},
	{x86asm.PBLENDVB, opInfo{fn: execBlend, sub: 0}},
	{x86asm.BLENDVPS, opInfo{fn: execBlend, sub: 2}},
	{x86asm.BLENDVPD, opInfo{fn: execBlend, sub: 3}},

	{x86asm.PEXTRB, opInfo{fn: execPextr, sub: 1}},
	{opPEXTRW41, opInfo{fn: execPextr, sub: 2}},
	{x86asm.PEXTRD, opInfo{fn: execPextr, sub: 4}},
	{x86asm.PEXTRQ, opInfo{fn: execPextr, sub: 8}},
	{x86asm.EXTRACTPS, opInfo{fn: execPextr, sub: 4}},
	{x86asm.PINSRB, opInfo{fn: execPinsr, sub: 1}},
	{x86asm.PINSRD, opInfo{fn: execPinsr, sub: 4}},
	{x86asm.PINSRQ, opInfo{fn: execPinsr, sub: 8}},
	{x86asm.INSERTPS, opInfo{fn: execInsertps}},
	{x86asm.MOVNTDQA, opInfo{fn: execMovAligned}},
}

// pmovx encodes a PMOVSX/PMOVZX shape: the log2 of the source and
// destination element widths in bytes (bits 0-1, 2-3) and sign extension
// (bit 4).
func pmovx(from, to uint, signed bool) uint8 {
	l := func(bits uint) uint8 {
		n := uint8(0)
		for 8<<n != bits {
			n++
		}
		return n
	}
	s := l(from) | l(to)<<2
	if signed {
		s |= 16
	}
	return s
}

// execPmovx widens the low elements of the source (an XMM register or
// memory of 16·from/to bytes, which need not be aligned) into the
// destination's elements, with sign or zero extension.
func execPmovx(c *CPU, in *inst) bool {
	lo, _, ok := c.xmmSrc(in, in.args[1])
	if !ok {
		return false
	}
	from, to := uint(8)<<(in.sub&3), uint(8)<<(in.sub>>2&3)
	signed := in.sub&16 != 0
	var r vec
	m := uint64(1)<<from - 1
	tm := sizeMask[to/8]
	for i := uint(0); i < 128/to; i++ {
		v := lo >> (i * from) & m
		if signed {
			v = uint64(sx(v, from))
		}
		r[i*to/64] |= v & tm << (i * to % 64)
	}
	c.X[in.args[0].reg] = r
	return true
}

// byteAt returns byte i (0-15) of x.
func byteAt(x vec, i uint) uint64 { return x[i/8] >> (8 * (i % 8)) & 0xff }

// execMpsadbw: eight sums of absolute differences between a 4-byte block
// of the source (at byte 4·imm8[1:0]) and the 4-byte windows of the
// destination starting at bytes 4·imm8[2] + 0..7.
func execMpsadbw(c *CPU, in *inst) bool {
	lo, hi, ok := c.xmmSrc(in, in.args[1])
	if !ok {
		return false
	}
	src := vec{lo, hi}
	d := &c.X[in.args[0].reg]
	dst := *d
	blk1, blk2 := uint(in.imm>>2&1)*4, uint(in.imm&3)*4
	var r vec
	for i := uint(0); i < 8; i++ {
		var s uint64
		for j := uint(0); j < 4; j++ {
			a, b := byteAt(dst, blk1+i+j), byteAt(src, blk2+j)
			if a > b {
				s += a - b
			} else {
				s += b - a
			}
		}
		r[i/4] |= s << (16 * (i % 4))
	}
	*d = r
	return true
}

// phminposuw finds the smallest unsigned word of b (the first one on
// ties): its value in word 0, its index in bits 16-18, zero elsewhere.
func phminposuw(_, b vec) vec {
	best, idx := uint64(0x10000), uint64(0)
	for i := uint(0); i < 8; i++ {
		if w := b[i/4] >> (16 * (i % 4)) & 0xffff; w < best {
			best, idx = w, uint64(i)
		}
	}
	return vec{best | idx<<16, 0}
}

// execPtest sets ZF when dst AND src is zero and CF when (NOT dst) AND src
// is zero; AF, OF, PF and SF are cleared.
func execPtest(c *CPU, in *inst) bool {
	lo, hi, ok := c.xmmSrc(in, in.args[1])
	if !ok {
		return false
	}
	d := c.X[in.args[0].reg]
	zf := d[0]&lo == 0 && d[1]&hi == 0
	cf := ^d[0]&lo == 0 && ^d[1]&hi == 0
	c.putFlags(arithFlags, flagIf(zf, flagZF)|flagIf(cf, flagCF))
	return true
}

// execBlend sub: the log2 of the element width in bytes (bits 0-1) and
// blendImm when imm8 selects the elements (PBLENDW, BLENDPS, BLENDPD);
// otherwise the sign bits of XMM0's elements do (PBLENDVB, BLENDVPS,
// BLENDVPD). A selected element comes from the source.
const blendImm = 4

func execBlend(c *CPU, in *inst) bool {
	lo, hi, ok := c.xmmSrc(in, in.args[1])
	if !ok {
		return false
	}
	src := vec{lo, hi}
	d := &c.X[in.args[0].reg]
	n := uint(8) << (in.sub & 3) // element bits
	m := uint64(1)<<n - 1
	if n == 64 {
		m = ^uint64(0)
	}
	sel := c.X[0]
	r := *d
	for i := uint(0); i < 128/n; i++ {
		q, s := i*n/64, i*n%64
		var take bool
		if in.sub&blendImm != 0 {
			take = in.imm>>i&1 != 0
		} else {
			take = sel[q]>>(s+n-1)&1 != 0
		}
		if take {
			r[q] = r[q]&^(m<<s) | src[q]&(m<<s)
		}
	}
	*d = r
	return true
}

// execPextr: PEXTRB, PEXTRW (SSE4.1 form), PEXTRD, PEXTRQ and EXTRACTPS
// store element imm8 (modulo the element count) of the XMM source into a
// general register, zero-extended, or into memory (sub is the element
// size in bytes).
func execPextr(c *CPU, in *inst) bool {
	size := in.sub
	x := c.X[in.args[1].reg]
	n := uint(size) * 8
	i := uint(in.imm) % (128 / n)
	v := x[i*n/64] >> (i * n % 64) & sizeMask[size]
	d := in.args[0]
	if d.kind == argMem {
		return c.store(c.ea(in), size, v)
	}
	c.setReg(arg{kind: argReg, size: max(d.size, 4), reg: d.reg}, v)
	return true
}

// execPinsr: PINSRB, PINSRD, PINSRQ replace element imm8 (modulo the
// element count) of the destination with the low bits of a general
// register or with memory.
func execPinsr(c *CPU, in *inst) bool {
	size := in.sub
	s := in.args[1]
	v, ok := c.readArg(in, s, c.memAddr(in, s))
	if !ok {
		return false
	}
	n := uint(size) * 8
	i := uint(in.imm) % (128 / n)
	d := &c.X[in.args[0].reg]
	m := sizeMask[size] << (i * n % 64)
	d[i*n/64] = d[i*n/64]&^m | v<<(i*n%64)&m
	return true
}

// execInsertps writes a single-precision element (element imm8[7:6] of an
// XMM source, or 32 bits of memory) into element imm8[5:4] of the
// destination, then zeroes the elements set in imm8[3:0].
func execInsertps(c *CPU, in *inst) bool {
	s := in.args[1]
	var v uint64
	if s.kind == argMem {
		var ok bool
		if v, ok = c.load(c.ea(in), 4); !ok {
			return false
		}
	} else {
		x := c.X[s.reg]
		v = lane32(x[0], x[1], int(in.imm>>6&3))
	}
	d := &c.X[in.args[0].reg]
	setLane32(d, int(in.imm>>4&3), uint32(v))
	for i := 0; i < 4; i++ {
		if in.imm>>i&1 != 0 {
			setLane32(d, i, 0)
		}
	}
	return true
}
