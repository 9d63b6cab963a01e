package emu

import (
	"math/bits"

	"golang.org/x/arch/x86/x86asm"
)

// Shift and rotate sub-operations, in the order of the /digit of opcodes
// C0, C1, D0-D3 (x86asm decodes /6, the SAL alias, as nothing).
const (
	shRol uint8 = iota
	shRor
	shRcl
	shRcr
	shShl
	shShr
	shSal
	shSar
)

// Double-precision shift sub-operations.
const (
	shdLeft uint8 = iota
	shdRight
)

var shiftOps = []opEntry{
	{x86asm.ROL, opInfo{fn: execShift, sub: shRol}},
	{x86asm.ROR, opInfo{fn: execShift, sub: shRor}},
	{x86asm.RCL, opInfo{fn: execShift, sub: shRcl}},
	{x86asm.RCR, opInfo{fn: execShift, sub: shRcr}},
	{x86asm.SHL, opInfo{fn: execShift, sub: shShl}},
	{x86asm.SHR, opInfo{fn: execShift, sub: shShr}},
	{x86asm.SAR, opInfo{fn: execShift, sub: shSar}},
	{x86asm.SHLD, opInfo{fn: execShiftDouble, sub: shdLeft}},
	{x86asm.SHRD, opInfo{fn: execShiftDouble, sub: shdRight}},
}

// szpFlags returns SF, ZF and PF for the size-byte result res.
func szpFlags(res uint64, size uint8) uint64 {
	var f uint64
	if res&signBit[size] != 0 {
		f |= flagSF
	}
	if res == 0 {
		f |= flagZF
	}
	if bits.OnesCount8(uint8(res))&1 == 0 {
		f |= flagPF
	}
	return f
}

// flagIf returns f when on holds, else 0.
func flagIf(on bool, f uint64) uint64 {
	if on {
		return f
	}
	return 0
}

// shiftCount returns the count operand of a shift (an immediate or CL)
// masked as the hardware does: to 6 bits for a 64-bit operand, else 5.
func (c *CPU) shiftCount(in *inst, a arg, size uint8) uint {
	n := c.R[1]
	if a.kind == argImm {
		n = in.imm
	}
	if size == 8 {
		return uint(n & 63)
	}
	return uint(n & 31)
}

// putFlags replaces the arithmetic flags named in mask by those in f. When
// mask covers all of them, the lazy state is dropped without being
// materialised.
func (c *CPU) putFlags(mask, f uint64) {
	if mask == arithFlags {
		c.lf.kind = fkNone
		c.rflags = c.rflags&^arithFlags | f
		return
	}
	c.setArith(mask, f)
}

// shift computes the shift or rotate sub of the size-byte value a by n, a
// count already masked to 5 or 6 bits and not zero; cf is the carry flag
// before the operation. It returns the result, the flags and the mask of
// the flags the instruction changes.
//
// The flags the SDM leaves undefined are computed as the reference host
// (an AMD Zen CPU) does, which the differential guest
// testguests/c/insn_int.c confirmed on every case:
//   - OF for counts above 1 uses the count-1 rule on the last one-bit step:
//     SHL: MSB(result) XOR CF; SHR: the MSB of the operand before the last
//     step; SAR: 0; ROL/RCL: MSB(result) XOR CF; ROR/RCR: the XOR of the
//     two top bits of the result.
//   - AF is set by SHL, SHR and SAR (see shiftAF).
//   - SHL and SHR counts at or beyond the width of an 8- or 16-bit operand
//     leave in CF the last bit shifted out of the zero-extended operand
//     (so 0 beyond the width).
//   - RCL/RCR whose count is a multiple of 9 (8-bit) or 17 (16-bit) change
//     nothing but OF, which gets the rule above.
func shift(sub, size uint8, a uint64, n uint, cf bool) (res, f, mask uint64) {
	w := uint(size) * 8
	m := sizeMask[size]
	sb := signBit[size]
	var cin uint64
	if cf {
		cin = 1
	}
	switch sub {
	case shShl, shSal:
		res = (a << n) & m
		var c uint64
		if n <= w {
			c = (a >> (w - n)) & 1
		}
		f = flagIf(c != 0, flagCF) | szpFlags(res, size) | shiftAF
		f |= flagIf((res&sb != 0) != (c != 0), flagOF)
		return res, f, arithFlags
	case shShr:
		res = a >> n
		var c uint64
		if n <= w {
			c = (a >> (n - 1)) & 1
		}
		f = flagIf(c != 0, flagCF) | szpFlags(res, size) | shiftAF
		// OF is the sign of the operand before the last one-bit step.
		var prev uint64
		if n-1 < w {
			prev = a >> (n - 1)
		}
		f |= flagIf(prev&sb != 0, flagOF)
		return res, f, arithFlags
	case shSar:
		s := int64(sext(a, size))
		res = uint64(s>>n) & m
		c := uint64(s>>(n-1)) & 1
		f = flagIf(c != 0, flagCF) | szpFlags(res, size) | shiftAF
		return res, f, arithFlags
	case shRol:
		r := n % w
		res = (a<<r | a>>(w-r)) & m
		c := res & 1
		f = flagIf(c != 0, flagCF) | flagIf((res&sb != 0) != (c != 0), flagOF)
		return res, f, flagCF | flagOF
	case shRor:
		r := n % w
		res = (a>>r | a<<(w-r)) & m
		msb := res&sb != 0
		f = flagIf(msb, flagCF) | flagIf(msb != (res&(sb>>1) != 0), flagOF)
		return res, f, flagCF | flagOF
	case shRcl:
		r := n % (w + 1)
		res, c := a, cin
		if r != 0 {
			res = (a<<r | cin<<(r-1) | a>>(w+1-r)) & m
			c = (a >> (w - r)) & 1
		}
		f = flagIf(c != 0, flagCF) | flagIf((res&sb != 0) != (c != 0), flagOF)
		return res, f, flagCF | flagOF
	case shRcr:
		r := n % (w + 1)
		res, c := a, cin
		if r != 0 {
			res = (a>>r | cin<<(w-r) | a<<(w+1-r)) & m
			c = (a >> (r - 1)) & 1
		}
		f = flagIf(c != 0, flagCF) | flagIf((res&sb != 0) != (res&(sb>>1) != 0), flagOF)
		return res, f, flagCF | flagOF
	}
	return a, 0, 0
}

// shiftAF is the value of the undefined AF flag after a shift by a
// non-zero count: the reference host sets it, for SHL, SHR, SAR, SHLD
// and SHRD alike.
const shiftAF = flagAF

// shiftNothing completes a shift whose masked count is 0: no flag
// changes, but the destination is still written with its value a. A 32-bit
// register thus has its upper half cleared, and a memory operand must be
// writable (the reference host faults on a read-only page).
func (c *CPU) shiftNothing(d arg, addr, a uint64) bool {
	return c.writeArg(d, addr, a)
}

func execShift(c *CPU, in *inst) bool {
	d := in.args[0]
	addr := c.memAddr(in, d)
	a, ok := c.readArg(in, d, addr)
	if !ok {
		return false
	}
	n := c.shiftCount(in, in.args[1], d.size)
	if n == 0 {
		return c.shiftNothing(d, addr, a)
	}
	res, f, mask := shift(in.sub, d.size, a, n, c.cf())
	if !c.writeArg(d, addr, res) {
		return false
	}
	c.putFlags(mask, f)
	return true
}

// shiftDouble computes SHLD (sub shdLeft) or SHRD of the size-byte
// destination a with the bits of b shifted in, by the masked count n (not
// zero), and returns the result and the six arithmetic flags.
//
// The SDM defines OF for a count of 1 only (set on a sign change) and
// leaves the result and flags undefined for a count larger than the
// operand (16-bit operands, counts 17..31). Both are computed as the
// reference host (AMD Zen) does, which the differential guest confirmed on
// every case:
//   - OF: SHLD gives MSB(result) XOR CF, SHRD the XOR of the two top bits
//     of the result (both equal the sign-change rule for a count of 1);
//   - 16-bit counts 17..31: the result is the source rotated by n-16 (left
//     for SHLD, right for SHRD), CF is 0, and OF is 0 for SHLD and the XOR
//     of the two top result bits for SHRD;
//   - a 16-bit SHLD by exactly 16 sets OF to CF;
//   - AF is set, as after the other shifts.
func shiftDouble(sub, size uint8, a, b uint64, n uint) (res, f uint64) {
	w := uint(size) * 8
	m := sizeMask[size]
	sb := signBit[size]
	var c uint64
	var of bool
	switch {
	case n > w: // 16-bit operand, count 17..31
		k := n - w
		if sub == shdLeft {
			res = (b<<k | b>>(w-k)) & m
		} else {
			res = (b>>k | b<<(w-k)) & m
			of = (res&sb != 0) != (res&(sb>>1) != 0)
		}
	case sub == shdLeft:
		res = (a<<n | b>>(w-n)) & m
		c = (a >> (w - n)) & 1
		of = (res&sb != 0) != (c != 0)
		if n == w {
			of = c != 0 // 16-bit operand shifted by 16
		}
	default:
		res = (a>>n | b<<(w-n)) & m
		c = (a >> (n - 1)) & 1
		of = (res&sb != 0) != (res&(sb>>1) != 0)
	}
	f = flagIf(c != 0, flagCF) | szpFlags(res, size) | shiftAF | flagIf(of, flagOF)
	return res, f
}

func execShiftDouble(c *CPU, in *inst) bool {
	d := in.args[0]
	addr, a, b, ok := c.rmwRegSrc(in)
	if !ok {
		return false
	}
	n := c.shiftCount(in, in.args[2], d.size)
	if n == 0 {
		return c.shiftNothing(d, addr, a)
	}
	res, f := shiftDouble(in.sub, d.size, a, b, n)
	if !c.writeArg(d, addr, res) {
		return false
	}
	c.putFlags(arithFlags, f)
	return true
}
