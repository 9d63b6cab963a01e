package emu

import "golang.org/x/arch/x86/x86asm"

// SSE/SSE2 data movement, masks and MXCSR access.
var sseMovOps = []opEntry{
	{x86asm.MOVAPS, opInfo{fn: execMovAligned}},
	{x86asm.MOVAPD, opInfo{fn: execMovAligned}},
	{x86asm.MOVDQA, opInfo{fn: execMovAligned}},
	{x86asm.MOVNTPS, opInfo{fn: execMovAligned}},
	{x86asm.MOVNTPD, opInfo{fn: execMovAligned}},
	{x86asm.MOVNTDQ, opInfo{fn: execMovAligned}},
	{x86asm.MOVUPS, opInfo{fn: execMovUnaligned}},
	{x86asm.MOVUPD, opInfo{fn: execMovUnaligned}},
	{x86asm.MOVDQU, opInfo{fn: execMovUnaligned}},
	{x86asm.MOVSS, opInfo{fn: execMovScalar, sub: 4}},
	{x86asm.MOVSD_XMM, opInfo{fn: execMovScalar, sub: 8}},
	{x86asm.MOVD, opInfo{fn: execMovdq}},
	{x86asm.MOVQ, opInfo{fn: execMovdq}},
	{x86asm.MOVLPS, opInfo{fn: execMovHalf, sub: 0}},
	{x86asm.MOVLPD, opInfo{fn: execMovHalf, sub: 0}},
	{x86asm.MOVHPS, opInfo{fn: execMovHalf, sub: 1}},
	{x86asm.MOVHPD, opInfo{fn: execMovHalf, sub: 1}},
	{x86asm.MOVHLPS, opInfo{fn: execMovhlps}},
	{x86asm.MOVLHPS, opInfo{fn: execMovlhps}},
	{x86asm.MOVMSKPS, opInfo{fn: execMovmsk, sub: 4}},
	{x86asm.MOVMSKPD, opInfo{fn: execMovmsk, sub: 8}},
	{x86asm.PMOVMSKB, opInfo{fn: execPmovmskb}},
	{x86asm.MASKMOVDQU, opInfo{fn: execMaskmovdqu}},
	{x86asm.LDMXCSR, opInfo{fn: execLdmxcsr}},
	{x86asm.STMXCSR, opInfo{fn: execStmxcsr}},
	// MMX-only instructions: #UD on a CPU without MMX.
	{x86asm.MOVQ2DQ, opInfo{fn: execNoMMX}},
	{x86asm.MOVDQ2Q, opInfo{fn: execNoMMX}},
	{x86asm.MOVNTQ, opInfo{fn: execNoMMX}},
	{x86asm.MASKMOVQ, opInfo{fn: execNoMMX}},
	{x86asm.PSHUFW, opInfo{fn: execNoMMX}},
}

// execMovAligned: MOVAPS, MOVAPD, MOVDQA and the non-temporal stores
// MOVNTPS, MOVNTPD, MOVNTDQ; a memory operand must be 16-byte aligned.
func execMovAligned(c *CPU, in *inst) bool {
	d, s := in.args[0], in.args[1]
	if d.kind == argMem {
		addr := c.ea(in)
		if addr&15 != 0 {
			return c.raise(trapGP)
		}
		x := &c.X[s.reg]
		return c.store128(addr, x[0], x[1])
	}
	lo, hi, ok := c.xmmSrc(in, s)
	if !ok {
		return false
	}
	c.X[d.reg] = [2]uint64{lo, hi}
	return true
}

// execMovUnaligned: MOVUPS, MOVUPD, MOVDQU.
func execMovUnaligned(c *CPU, in *inst) bool {
	d, s := in.args[0], in.args[1]
	switch {
	case d.kind == argMem:
		x := &c.X[s.reg]
		return c.store128(c.ea(in), x[0], x[1])
	case s.kind == argMem:
		lo, hi, ok := c.load128(c.ea(in))
		if !ok {
			return false
		}
		c.X[d.reg] = [2]uint64{lo, hi}
	default:
		c.X[d.reg] = c.X[s.reg]
	}
	return true
}

// execMovScalar: MOVSS (sub 4) and MOVSD (sub 8). Between registers only
// the low element moves; a load zeroes the rest of the register.
func execMovScalar(c *CPU, in *inst) bool {
	d, s := in.args[0], in.args[1]
	size := in.sub
	switch {
	case d.kind == argMem:
		return c.store(c.ea(in), size, c.X[s.reg][0])
	case s.kind == argMem:
		v, ok := c.load(c.ea(in), size)
		if !ok {
			return false
		}
		c.X[d.reg] = [2]uint64{v, 0}
	default:
		x := &c.X[d.reg]
		m := sizeMask[size]
		x[0] = x[0]&^m | c.X[s.reg][0]&m
	}
	return true
}

// execMovdq: MOVD and every MOVQ encoding. A store to an XMM register
// zeroes the bits above the moved 32 or 64; a store to a general register
// or memory takes the low bits of the XMM register.
func execMovdq(c *CPU, in *inst) bool {
	d, s := in.args[0], in.args[1]
	size := uint8(4)
	if in.xop == x86asm.MOVQ {
		size = 8
	}
	if d.kind == argXMM {
		var v uint64
		switch s.kind {
		case argXMM:
			v = c.X[s.reg][0]
		case argMem:
			var ok bool
			if v, ok = c.load(c.ea(in), size); !ok {
				return false
			}
		default:
			v = c.getReg(s)
		}
		c.X[d.reg] = [2]uint64{v & sizeMask[size], 0}
		return true
	}
	v := c.X[s.reg][0] & sizeMask[size]
	if d.kind == argMem {
		return c.store(c.ea(in), size, v)
	}
	c.setReg(arg{kind: argReg, size: size, reg: d.reg}, v)
	return true
}

// execMovHalf: MOVLPS/MOVLPD (sub 0) and MOVHPS/MOVHPD (sub 1) move a
// quadword between memory and one half of an XMM register. Their register
// forms are other instructions (MOVHLPS, MOVLHPS) or undefined.
func execMovHalf(c *CPU, in *inst) bool {
	d, s := in.args[0], in.args[1]
	switch {
	case d.kind == argMem && s.kind == argXMM:
		return c.store(c.ea(in), 8, c.X[s.reg][in.sub])
	case d.kind == argXMM && s.kind == argMem:
		v, ok := c.load(c.ea(in), 8)
		if !ok {
			return false
		}
		c.X[d.reg][in.sub] = v
		return true
	}
	return c.raise(trapUD)
}

func execMovhlps(c *CPU, in *inst) bool {
	c.X[in.args[0].reg][0] = c.X[in.args[1].reg][1]
	return true
}

func execMovlhps(c *CPU, in *inst) bool {
	c.X[in.args[0].reg][1] = c.X[in.args[1].reg][0]
	return true
}

// execMovmsk: MOVMSKPS (sub 4) and MOVMSKPD (sub 8) gather the sign bits of
// the elements into a general register, zero-extended.
func execMovmsk(c *CPU, in *inst) bool {
	x := c.X[in.args[1].reg]
	var m uint64
	if in.sub == 4 {
		m = x[0]>>31&1 | x[0]>>62&2 | x[1]>>29&4 | x[1]>>60&8
	} else {
		m = x[0]>>63 | x[1]>>62&2
	}
	c.R[in.args[0].reg] = m
	return true
}

// byteSigns gathers the top bit of each byte of v into an 8-bit mask.
func byteSigns(v uint64) uint64 {
	return (v & 0x8080808080808080) * 0x0002040810204081 >> 56
}

// execPmovmskb gathers the sign bits of the 16 bytes.
func execPmovmskb(c *CPU, in *inst) bool {
	x := c.X[in.args[1].reg]
	c.R[in.args[0].reg] = byteSigns(x[0]) | byteSigns(x[1])<<8
	return true
}

// execMaskmovdqu stores the bytes of the first operand selected by the sign
// bits of the second at [RDI]. The bytes are stored one at a time: when
// the 16 bytes straddle two pages and only the second one is not writable,
// the bytes selected in the first page are stored before the fault.
func execMaskmovdqu(c *CPU, in *inst) bool {
	src, mask := c.X[in.args[0].reg], c.X[in.args[1].reg]
	addr := c.R[7] // DS:RDI (DS has base 0)
	if in.addr32 {
		addr &= 0xffffffff
	}
	for i := uint(0); i < 16; i++ {
		if mask[i/8]>>(8*(i%8)+7)&1 == 0 {
			continue
		}
		if !c.store(addr+uint64(i), 1, src[i/8]>>(8*(i%8))) {
			return false
		}
	}
	return true
}

func execLdmxcsr(c *CPU, in *inst) bool {
	v, ok := c.load(c.ea(in), 4)
	if !ok {
		return false
	}
	if v&^mxcsrWritable != 0 {
		return c.raise(trapGP)
	}
	c.mxcsr = uint32(v)
	return true
}

func execStmxcsr(c *CPU, in *inst) bool {
	return c.store(c.ea(in), 4, uint64(c.mxcsr))
}
