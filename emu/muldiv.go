package emu

import (
	"math/bits"

	"golang.org/x/arch/x86/x86asm"
)

var muldivOps = []opEntry{
	{x86asm.MUL, opInfo{fn: execMul}},
	{x86asm.IMUL, opInfo{fn: execImul}},
	{x86asm.DIV, opInfo{fn: execDiv}},
	{x86asm.IDIV, opInfo{fn: execIdiv}},
}

// accLo and accHi are the accumulator halves of the one-operand multiply
// and divide forms: (E/R)AX and (E/R)DX.
func accLo(size uint8) arg { return arg{kind: argReg, size: size, reg: 0} }
func accHi(size uint8) arg { return arg{kind: argReg, size: size, reg: 2} }

// mulFlags sets the flags of a multiply: CF = OF = the product does not
// fit the destination. SF, ZF, AF and PF are undefined; the reference host
// (AMD Zen) leaves them unchanged, and so does gemu.
func (c *CPU) mulFlags(over bool) {
	c.setArith(flagCF|flagOF, flagIf(over, flagCF|flagOF))
}

// mulWide multiplies the size-byte values a and b, unsigned or signed, and
// returns the double-width product as high and low size-byte halves and
// whether the high half is significant (the CF/OF condition).
func mulWide(signed bool, size uint8, a, b uint64) (hi, lo uint64, over bool) {
	m := sizeMask[size]
	if size == 8 {
		hi, lo = bits.Mul64(a, b)
		if !signed {
			return hi, lo, hi != 0
		}
		// Signed product from the unsigned one: subtract b·2^64 when a is
		// negative and a·2^64 when b is.
		if int64(a) < 0 {
			hi -= b
		}
		if int64(b) < 0 {
			hi -= a
		}
		return hi, lo, hi != uint64(int64(lo)>>63)
	}
	w := 8 * uint(size)
	if !signed {
		p := a * b // at most 64 bits for 32-bit operands
		return (p >> w) & m, p & m, p>>w != 0
	}
	p := int64(sext(a, size)) * int64(sext(b, size))
	lo = uint64(p) & m
	return uint64(p>>w) & m, lo, int64(sext(lo, size)) != p
}

func execMul(c *CPU, in *inst) bool {
	return c.mulAcc(in, false)
}

// mulAcc runs the one-operand MUL/IMUL: the accumulator times the operand
// into AX, DX:AX, EDX:EAX or RDX:RAX.
func (c *CPU) mulAcc(in *inst, signed bool) bool {
	s := in.args[0]
	b, ok := c.readArg(in, s, c.memAddr(in, s))
	if !ok {
		return false
	}
	size := s.size
	a := c.R[0] & sizeMask[size]
	hi, lo, over := mulWide(signed, size, a, b)
	if size == 1 {
		c.setReg(accLo(2), hi<<8|lo)
	} else {
		c.setReg(accLo(size), lo)
		c.setReg(accHi(size), hi)
	}
	c.mulFlags(over)
	return true
}

func execImul(c *CPU, in *inst) bool {
	if in.args[1].kind == argNone {
		return c.mulAcc(in, true)
	}
	d, s := in.args[0], in.args[1]
	var a, b uint64
	var ok bool
	if in.args[2].kind == argImm {
		// imul r, r/m, imm: the immediate is sign-extended to the
		// operand size (translate masked it to that size).
		if a, ok = c.readArg(in, s, c.memAddr(in, s)); !ok {
			return false
		}
		b = in.imm & sizeMask[d.size]
	} else {
		a = c.getReg(d)
		if b, ok = c.readArg(in, s, c.memAddr(in, s)); !ok {
			return false
		}
	}
	_, lo, over := mulWide(true, d.size, a, b)
	c.setReg(d, lo)
	c.mulFlags(over)
	return true
}

// divFlags sets the flags after DIV/IDIV. The SDM leaves all six
// undefined; the reference host (AMD Zen) keeps CF and OF, sets AF and
// clears SF, ZF and PF, whatever the operands, and so does gemu.
func (c *CPU) divFlags() {
	c.setArith(flagSF|flagZF|flagAF|flagPF, flagAF)
}

// dividend returns the double-width dividend of a size-byte division as
// high and low halves: AX for bytes, else DX:AX, EDX:EAX or RDX:RAX.
func (c *CPU) dividend(size uint8) (hi, lo uint64) {
	if size == 1 {
		return (c.R[0] >> 8) & 0xff, c.R[0] & 0xff
	}
	return c.R[2] & sizeMask[size], c.R[0] & sizeMask[size]
}

// divResult stores quotient and remainder of a size-byte division.
func (c *CPU) divResult(size uint8, q, r uint64) {
	if size == 1 {
		c.setReg(accLo(2), r<<8|q&0xff)
		return
	}
	c.setReg(accLo(size), q)
	c.setReg(accHi(size), r)
}

// udiv divides the double-width value hi:lo (halves of size bytes) by d.
// ok is false (#DE) for a zero divisor or a quotient wider than size.
func udiv(size uint8, hi, lo, d uint64) (q, r uint64, ok bool) {
	if d == 0 || hi >= d {
		// hi >= d is exactly the case where the quotient needs more than
		// size bytes; it also keeps bits.Div64 from panicking.
		return 0, 0, false
	}
	if size == 8 {
		q, r = bits.Div64(hi, lo, d)
		return q, r, true
	}
	n := hi<<(8*uint(size)) | lo
	return n / d, n % d, true
}

// idiv divides the signed double-width value hi:lo by the signed size-byte
// value d, truncating toward zero; the remainder has the dividend's sign.
func idiv(size uint8, hi, lo, d uint64) (q, r uint64, ok bool) {
	if d == 0 {
		return 0, 0, false
	}
	w := 8 * uint(size)
	m := sizeMask[size]
	// The dividend's magnitude as a 2·size-byte unsigned value, in two
	// 64-bit words (nh:nl) whatever the size.
	neg := hi&signBit[size] != 0
	var nh, nl uint64
	if size == 8 {
		nh, nl = hi, lo
		if neg {
			var borrow uint64
			nl, borrow = bits.Sub64(0, nl, 0)
			nh, _ = bits.Sub64(0, nh, borrow)
		}
	} else {
		v := int64(hi<<w|lo) << (64 - 2*w) >> (64 - 2*w) // sign-extend 2w bits
		if neg {
			v = -v
		}
		nl = uint64(v) // |dividend| < 2^63 for sizes 1..4
	}
	dneg := d&signBit[size] != 0
	dm := d
	if dneg {
		dm = (-d) & m
		if size < 8 && dm == 0 {
			dm = signBit[size]
		}
	}
	// Unsigned division of the magnitudes; the quotient magnitude must be
	// at most 2^(w-1)-1, or 2^(w-1) when the quotient is negative.
	var qm, rm uint64
	if size == 8 {
		if nh >= dm {
			return 0, 0, false
		}
		qm, rm = bits.Div64(nh, nl, dm)
	} else {
		qm, rm = nl/dm, nl%dm
	}
	limit := signBit[size] - 1
	if neg != dneg {
		limit = signBit[size]
	}
	if qm > limit {
		return 0, 0, false
	}
	q, r = qm, rm
	if neg != dneg {
		q = -q
	}
	if neg {
		r = -r
	}
	return q & m, r & m, true
}

func execDiv(c *CPU, in *inst) bool {
	return c.divide(in, false)
}

func execIdiv(c *CPU, in *inst) bool {
	return c.divide(in, true)
}

func (c *CPU) divide(in *inst, signed bool) bool {
	s := in.args[0]
	d, ok := c.readArg(in, s, c.memAddr(in, s))
	if !ok {
		return false
	}
	size := s.size
	hi, lo := c.dividend(size)
	var q, r uint64
	if signed {
		q, r, ok = idiv(size, hi, lo, d)
	} else {
		q, r, ok = udiv(size, hi, lo, d)
	}
	if !ok {
		return c.raise(trapDivide)
	}
	c.divResult(size, q, r)
	c.divFlags()
	return true
}
