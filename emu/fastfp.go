package emu

import "math"

// Host-arithmetic fast path for the binary64 SSE add, subtract, multiply
// and divide (ADDSD/SUBSD/MULSD/DIVSD and their packed forms).
//
// It applies only while MXCSR holds its default controls (every exception
// masked, round to nearest, neither DAZ nor FTZ) and PE is already set,
// which is the steady state of floating-point code: the first inexact
// operation sets the sticky PE. Then, for operands that are zeros or
// normal numbers and a result that is zero or normal above the lowest
// binade, the host's float64 operation (IEEE 754 round to nearest on every
// Go platform) gives exactly the result SSE gives, and the only flag the
// instruction could raise is PE, already set. Everything else (NaN,
// infinity, subnormal or tiny results, overflow, division by zero, other
// rounding modes, a clear PE) returns ok = false and runs the exact
// generic handler, before anything is committed.

// MXCSR's default controls (flags aside), and its PE flag.
const (
	mxcsrDefaultControl = 0x1f80
	mxcsrPE             = 0x20
)

// fpFast reports whether MXCSR allows the fast path.
func (c *CPU) fpFast() bool {
	return c.mxcsr&^mxcsrFlags == mxcsrDefaultControl && c.mxcsr&mxcsrPE != 0
}

// fastOperand64 reports a binary64 zero or normal number.
func fastOperand64(x uint64) bool {
	e := x >> 52 & 0x7ff
	return e != 0x7ff && (e != 0 || x<<1 == 0)
}

// fastFP64 computes op (fAdd, fSub, fMul or fDiv) of binary64 values a and
// b with the host's arithmetic, when that is exactly SSE's result with no
// flag but PE (see above).
func fastFP64(op uint8, a, b uint64) (uint64, bool) {
	if !fastOperand64(a) || !fastOperand64(b) {
		return 0, false
	}
	x, y := math.Float64frombits(a), math.Float64frombits(b)
	var r float64
	switch op {
	case fAdd:
		r = float64(x + y)
	case fSub:
		r = float64(x - y)
	case fMul:
		r = float64(x * y)
	case fDiv:
		if b<<1 == 0 {
			return 0, false // division by zero: ZE or IE
		}
		r = float64(x / y)
	default:
		return 0, false
	}
	rb := math.Float64bits(r)
	if rb<<1 == 0 {
		// A zero: exact for a sum (x+y rounds to zero only when it is
		// zero), and for a product or quotient only with a zero operand;
		// otherwise it underflowed.
		if (op == fMul || op == fDiv) && a<<1 != 0 && (op == fDiv || b<<1 != 0) {
			return 0, false
		}
		return rb, true
	}
	// Normal, above the lowest binade (so no tininess however it is
	// detected) and finite.
	if e := rb >> 52 & 0x7ff; e < 2 || e == 0x7ff {
		return 0, false
	}
	return rb, true
}

// fastFP runs an opFPsd or opFPpd instruction on the fast path. It returns
// false, having changed nothing, when the generic handler must run it.
func (c *CPU) fastFP(in *inst) bool {
	if !c.fpFast() {
		return false
	}
	op := in.sub & fpOpMask
	d := &c.X[in.args[0].reg&15]
	s := in.args[1]
	if in.op == opFPpd {
		x := &c.X[s.reg&15]
		r0, ok0 := fastFP64(op, d[0], x[0])
		r1, ok1 := fastFP64(op, d[1], x[1])
		if !ok0 || !ok1 {
			return false
		}
		d[0], d[1] = r0, r1
		return true
	}
	var b uint64
	if s.kind == argXMM {
		b = c.X[s.reg&15][0]
	} else {
		v, err := c.tlb.Read64(c.ea(in))
		if err != nil {
			return false // the generic handler raises the fault
		}
		b = v
	}
	r, ok := fastFP64(op, d[0], b)
	if !ok {
		return false
	}
	d[0] = r
	return true
}
