package emu

import (
	"math/bits"

	"golang.org/x/arch/x86/x86asm"
)

// Bit-test sub-operations: what BT, BTS, BTR, BTC do to the tested bit.
const (
	btTest uint8 = iota
	btSet
	btReset
	btComplement
)

// Bit-scan sub-operations.
const (
	scanForward uint8 = iota // BSF, TZCNT
	scanReverse              // BSR, LZCNT
)

var bitOps = []opEntry{
	{x86asm.BT, opInfo{fn: execBt, sub: btTest}},
	{x86asm.BTS, opInfo{fn: execBt, sub: btSet}},
	{x86asm.BTR, opInfo{fn: execBt, sub: btReset}},
	{x86asm.BTC, opInfo{fn: execBt, sub: btComplement}},
	{x86asm.BSF, opInfo{fn: execBitScan, sub: scanForward}},
	{x86asm.BSR, opInfo{fn: execBitScan, sub: scanReverse}},
	{x86asm.TZCNT, opInfo{fn: execTzcnt}},
	{x86asm.LZCNT, opInfo{fn: execLzcnt}},
	{x86asm.POPCNT, opInfo{fn: execPopcnt}},
}

// execBt runs BT, BTS, BTR and BTC. The bit offset is an immediate (taken
// modulo the operand width) or a register. With a register offset and a
// memory operand the offset is a signed index into the bit string that
// starts at the operand: the instruction accesses the operand-sized unit
// at ea + size·(offset >> log2(8·size)) (arithmetic shift), bit
// offset mod 8·size. CF receives the bit; ZF is unchanged and OF, SF, AF
// and PF, undefined, are left unchanged too, as the reference host does.
func execBt(c *CPU, in *inst) bool {
	d, s := in.args[0], in.args[1]
	w := uint64(d.size) * 8
	var off uint64
	if s.kind == argImm {
		off = in.imm
	} else {
		off = c.getReg(s)
	}
	var addr uint64
	if d.kind == argMem {
		if s.kind == argImm {
			addr = c.ea(in)
		} else {
			unit := int64(sext(off, d.size)) >> bits.TrailingZeros64(w)
			addr = c.eaOffset(in, uint64(unit)*uint64(d.size))
		}
	}
	v, ok := c.readArg(in, d, addr)
	if !ok {
		return false
	}
	mask := uint64(1) << (off & (w - 1))
	bit := v&mask != 0
	if in.sub != btTest {
		switch in.sub {
		case btSet:
			v |= mask
		case btReset:
			v &^= mask
		case btComplement:
			v ^= mask
		}
		if !c.writeArg(d, addr, v) {
			return false
		}
	}
	c.setCF(bit)
	return true
}

// bitScan runs BSF (sub scanForward) or BSR. A zero source sets ZF and
// leaves the destination unchanged, all 64 bits of it even for a 32-bit
// destination (AMD documents this and the reference host does it). CF,
// OF, SF, AF and PF are undefined; the reference host (AMD Zen) clears CF,
// OF, SF and AF and sets PF from the parity of the index found (of 0 for a
// zero source), and so does gemu.
func (c *CPU) bitScan(in *inst, sub uint8) bool {
	d, s := in.args[0], in.args[1]
	v, ok := c.readArg(in, s, c.memAddr(in, s))
	if !ok {
		return false
	}
	if v == 0 {
		c.putFlags(arithFlags, flagZF|flagPF)
		return true
	}
	var idx uint64
	if sub == scanForward {
		idx = uint64(bits.TrailingZeros64(v))
	} else {
		idx = uint64(63 - bits.LeadingZeros64(v))
	}
	c.setReg(d, idx)
	c.putFlags(arithFlags, szpFlags(idx, 1)&flagPF)
	return true
}

func execBitScan(c *CPU, in *inst) bool { return c.bitScan(in, in.sub) }

// execTzcnt runs TZCNT, or BSF on a CPU without BMI1: its encoding is F3
// BSF, and older CPUs ignore the prefix.
func execTzcnt(c *CPU, in *inst) bool {
	if !c.feat.bmi1 {
		return c.bitScan(in, scanForward)
	}
	return c.countZeros(in, scanForward)
}

// execLzcnt runs LZCNT, or BSR on a CPU without LZCNT (F3 BSR).
func execLzcnt(c *CPU, in *inst) bool {
	if !c.feat.lzcnt {
		return c.bitScan(in, scanReverse)
	}
	return c.countZeros(in, scanReverse)
}

// countZeros runs TZCNT (sub scanForward) or LZCNT: the destination gets
// the number of trailing or leading zero bits of the source (the operand
// width for zero), CF is set for a zero source and ZF for a zero result.
// OF, SF, AF and PF are undefined: the reference host (AMD Zen) keeps OF
// and clears SF, AF and PF, and so does gemu.
func (c *CPU) countZeros(in *inst, sub uint8) bool {
	d, s := in.args[0], in.args[1]
	v, ok := c.readArg(in, s, c.memAddr(in, s))
	if !ok {
		return false
	}
	w := int(s.size) * 8
	var n int
	if sub == scanForward {
		n = bits.TrailingZeros64(v)
		if n > w {
			n = w
		}
	} else {
		n = bits.LeadingZeros64(v) - (64 - w)
	}
	c.setReg(d, uint64(n))
	c.setArith(flagCF|flagZF|flagSF|flagAF|flagPF, flagIf(v == 0, flagCF)|flagIf(n == 0, flagZF))
	return true
}

// execPopcnt: the destination gets the number of set bits of the source;
// ZF is set for a zero source and the other arithmetic flags are cleared.
func execPopcnt(c *CPU, in *inst) bool {
	if !c.feat.popcnt {
		return c.raise(trapUD)
	}
	d, s := in.args[0], in.args[1]
	v, ok := c.readArg(in, s, c.memAddr(in, s))
	if !ok {
		return false
	}
	c.setReg(d, uint64(bits.OnesCount64(v)))
	c.putFlags(arithFlags, flagIf(v == 0, flagZF))
	return true
}
