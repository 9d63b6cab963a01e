package emu

import (
	"math/bits"

	"golang.org/x/arch/x86/x86asm"
)

// The VEX-encoded general-purpose instructions of BMI1 (ANDN, BEXTR,
// BLSI, BLSMSK, BLSR; TZCNT is in bits.go) and BMI2 (BZHI, MULX, PDEP,
// PEXT, RORX, SARX, SHLX, SHRX). decodeVEX decodes them; the operand
// order is x86asm's (Intel's): destination, then sources.
//
// Flags the SDM leaves undefined are set as the reference host (AMD EPYC,
// Zen) sets them, measured over edge operands with all flags clear and all
// set before: ANDN, BLSI, BLSMSK, BLSR and BZHI set PF from the result and
// clear AF; BEXTR sets PF from the result, sets AF and clears SF.
var bmiOps = []opEntry{
	{x86asm.ANDN, opInfo{fn: execAndn, need: featBMI1}},
	{x86asm.BEXTR, opInfo{fn: execBextr, need: featBMI1}},
	{x86asm.BLSI, opInfo{fn: execBls, need: featBMI1, sub: blsI}},
	{x86asm.BLSMSK, opInfo{fn: execBls, need: featBMI1, sub: blsMsk}},
	{x86asm.BLSR, opInfo{fn: execBls, need: featBMI1, sub: blsR}},
	{x86asm.BZHI, opInfo{fn: execBzhi, need: featBMI2}},
	{x86asm.MULX, opInfo{fn: execMulx, need: featBMI2}},
	{x86asm.PDEP, opInfo{fn: execPdep, need: featBMI2}},
	{x86asm.PEXT, opInfo{fn: execPext, need: featBMI2}},
	{x86asm.RORX, opInfo{fn: execRorx, need: featBMI2}},
	{x86asm.SARX, opInfo{fn: execShiftX, need: featBMI2, sub: shSar}},
	{x86asm.SHLX, opInfo{fn: execShiftX, need: featBMI2, sub: shShl}},
	{x86asm.SHRX, opInfo{fn: execShiftX, need: featBMI2, sub: shShr}},
}

// bmiSources reads the two source operands args[1] and args[2] (one of
// them may be memory).
func (c *CPU) bmiSources(in *inst) (a, b uint64, ok bool) {
	if a, ok = c.readArg(in, in.args[1], c.memAddr(in, in.args[1])); !ok {
		return 0, 0, false
	}
	if b, ok = c.readArg(in, in.args[2], c.memAddr(in, in.args[2])); !ok {
		return 0, 0, false
	}
	return a, b, true
}

// execAndn: dst = ^src1 & src2; SF, ZF, PF from the result, CF = OF = AF = 0.
func execAndn(c *CPU, in *inst) bool {
	a, b, ok := c.bmiSources(in)
	if !ok {
		return false
	}
	d := in.args[0]
	r := ^a & b & sizeMask[d.size]
	c.setReg(d, r)
	c.putFlags(arithFlags, szpFlags(r, d.size))
	return true
}

// execBextr extracts the bit field of src1 that starts at bit src2[7:0]
// and is src2[15:8] bits long (bits past the operand are zero). ZF and PF
// come from the result, CF = OF = SF = 0 and AF = 1 (host).
func execBextr(c *CPU, in *inst) bool {
	v, ctl, ok := c.bmiSources(in)
	if !ok {
		return false
	}
	d := in.args[0]
	w := uint64(d.size) * 8
	start, n := ctl&0xff, ctl>>8&0xff
	var r uint64
	if start < w {
		r = v >> start
		if n < 64 {
			r &= 1<<n - 1
		}
	}
	c.setReg(d, r)
	c.putFlags(arithFlags, szpFlags(r, d.size)&(flagZF|flagPF)|flagAF)
	return true
}

// BLSI, BLSMSK, BLSR.
const (
	blsI uint8 = iota
	blsMsk
	blsR
)

// execBls: BLSI isolates the lowest set bit (src & -src), BLSMSK masks up
// to it (src ^ (src-1)), BLSR resets it (src & (src-1)). SF, ZF and PF
// come from the result (BLSMSK's is never zero), CF is set for a zero
// source (BLSI: for a non-zero one), OF = AF = 0.
func execBls(c *CPU, in *inst) bool {
	s := in.args[1]
	v, ok := c.readArg(in, s, c.memAddr(in, s))
	if !ok {
		return false
	}
	d := in.args[0]
	m := sizeMask[d.size]
	var r uint64
	cf := v == 0
	switch in.sub {
	case blsI:
		r, cf = v&-v&m, v != 0
	case blsMsk:
		r = (v ^ (v - 1)) & m
	default:
		r = v & (v - 1) & m
	}
	c.setReg(d, r)
	c.putFlags(arithFlags, szpFlags(r, d.size)|flagIf(cf, flagCF))
	return true
}

// execBzhi zeroes the bits of src1 from bit index src2[7:0] up. CF is set
// when the index is beyond the operand (the source is then copied); SF,
// ZF and PF come from the result, OF = AF = 0.
func execBzhi(c *CPU, in *inst) bool {
	v, ctl, ok := c.bmiSources(in)
	if !ok {
		return false
	}
	d := in.args[0]
	n := ctl & 0xff
	r := v & sizeMask[d.size]
	big := n >= uint64(d.size)*8
	if !big {
		r &= 1<<n - 1
	}
	c.setReg(d, r)
	c.putFlags(arithFlags, szpFlags(r, d.size)|flagIf(big, flagCF))
	return true
}

// execMulx: unsigned EDX/RDX × src; the high half goes to the first
// operand and the low half to the second (written first, so the high half
// wins when they are the same register). No flags change.
func execMulx(c *CPU, in *inst) bool {
	s := in.args[2]
	v, ok := c.readArg(in, s, c.memAddr(in, s))
	if !ok {
		return false
	}
	size := in.args[0].size
	var hi, lo uint64
	if size == 8 {
		hi, lo = bits.Mul64(c.R[2], v)
	} else {
		p := (c.R[2] & 0xffffffff) * (v & 0xffffffff)
		hi, lo = p>>32, p&0xffffffff
	}
	c.setReg(in.args[1], lo)
	c.setReg(in.args[0], hi)
	return true
}

// execPdep deposits the low bits of src1 at the set bit positions of the
// mask src2.
func execPdep(c *CPU, in *inst) bool {
	v, mask, ok := c.bmiSources(in)
	if !ok {
		return false
	}
	var r uint64
	for m, k := mask&sizeMask[in.args[0].size], uint(0); m != 0; m &= m - 1 {
		if v>>k&1 != 0 {
			r |= m & -m
		}
		k++
	}
	c.setReg(in.args[0], r)
	return true
}

// execPext gathers the bits of src1 at the set bit positions of the mask
// src2 into the low bits of the result.
func execPext(c *CPU, in *inst) bool {
	v, mask, ok := c.bmiSources(in)
	if !ok {
		return false
	}
	var r uint64
	for m, k := mask&sizeMask[in.args[0].size], uint(0); m != 0; m &= m - 1 {
		if v&m&-m != 0 {
			r |= 1 << k
		}
		k++
	}
	c.setReg(in.args[0], r)
	return true
}

// execRorx rotates right by an immediate count (mod the width) without
// touching the flags.
func execRorx(c *CPU, in *inst) bool {
	s := in.args[1]
	v, ok := c.readArg(in, s, c.memAddr(in, s))
	if !ok {
		return false
	}
	d := in.args[0]
	var r uint64
	if d.size == 8 {
		r = bits.RotateLeft64(v, -int(in.imm&63))
	} else {
		r = uint64(bits.RotateLeft32(uint32(v), -int(in.imm&31)))
	}
	c.setReg(d, r)
	return true
}

// execShiftX: SHLX, SHRX, SARX shift src1 by src2 mod the width without
// touching the flags.
func execShiftX(c *CPU, in *inst) bool {
	v, cnt, ok := c.bmiSources(in)
	if !ok {
		return false
	}
	d := in.args[0]
	w := uint(d.size) * 8
	n := uint(cnt) & (w - 1)
	var r uint64
	switch in.sub {
	case shShl:
		r = v << n
	case shShr:
		r = v >> n
	default:
		r = uint64(int64(sext(v, d.size)) >> n)
	}
	c.setReg(d, r&sizeMask[d.size])
	return true
}
