// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package f80

import (
	"math"
	"math/bits"
	"strconv"
)

// The basic operations round to the precision control (FADD, FSUB, FMUL, FDIV,
// FSQRT and their variants are the only instructions it affects, SDM vol. 1
// §8.1.5.2). Exceptions are checked in the SDM's priority order (vol. 1
// §4.9.2): invalid operand (unsupported format, SNaN), QNaN operand, other
// invalid operations and divide by zero, denormal operand, then overflow,
// underflow and precision from the rounding.

// operands settles the cases decided by the operands' formats alone: an
// unsupported operand gives the indefinite NaN, a NaN operand the propagated
// NaN. done reports that r is the result.
func (e *Env) operands(a, b F80, x, y num) (r F80, done bool) {
	if x.k == kUnsupported || y.k == kUnsupported {
		return e.invalid(), true
	}
	if x.isNaN() || y.isNaN() {
		return e.propagate(a, b, x, y), true
	}
	return F80{}, false
}

// denormal raises DE when x or y is a denormal operand and reports whether the
// operation stops there: an unmasked DE is reported before the instruction
// computes anything (SDM vol. 1 §8.5.2).
func (e *Env) denormal(x, y num) bool {
	e.RoundedUp = false
	if !x.denor && !y.denor {
		return false
	}
	e.raise(DE)
	return e.trapped(DE)
}

// Binary is a two-operand arithmetic instruction. The reversed forms (FSUBR,
// FDIVR) swap the operands.
type Binary uint8

const (
	OpAdd  Binary = iota // a + b
	OpSub                // a - b
	OpSubR               // b - a
	OpMul                // a × b
	OpDiv                // a / b
	OpDivR               // b / a
	numBinary
)

var binaryNames = [numBinary]string{"add", "sub", "subr", "mul", "div", "divr"}

func (op Binary) String() string {
	if op < numBinary {
		return binaryNames[op]
	}
	return "Binary(" + strconv.Itoa(int(op)) + ")"
}

// Add returns a+b (FADD).
func Add(a, b F80, e *Env) F80 { return OpAdd.Apply(a, b, e) }

// Sub returns a-b (FSUB).
func Sub(a, b F80, e *Env) F80 { return OpSub.Apply(a, b, e) }

// Mul returns a×b (FMUL).
func Mul(a, b F80, e *Env) F80 { return OpMul.Apply(a, b, e) }

// Div returns a/b (FDIV).
func Div(a, b F80, e *Env) F80 { return OpDiv.Apply(a, b, e) }

// Apply performs op on two extended operands: a is ST(0) or the destination,
// b the other register.
func (op Binary) Apply(a, b F80, e *Env) F80 {
	e.block = toRegister
	return op.apply(a, b, unpack(a), unpack(b), e)
}

// Float32 performs op on a and a single-precision memory operand given by its
// bits (FADD m32fp, FSUBR m32fp, …). The operand is widened exactly: a
// signalling NaN stays signalling for the NaN rules, and a denormal raises DE
// like a denormal register operand would.
func (op Binary) Float32(a F80, m uint32, e *Env) F80 {
	e.block = toRegister
	b, den := widen(uint64(m), binary32)
	y := unpack(b)
	y.denor = den
	return op.apply(a, b, unpack(a), y, e)
}

// Float64 is Float32 for a double-precision memory operand (FADD m64fp, …).
func (op Binary) Float64(a F80, m uint64, e *Env) F80 {
	e.block = toRegister
	b, den := widen(m, binary64)
	y := unpack(b)
	y.denor = den
	return op.apply(a, b, unpack(a), y, e)
}

func (op Binary) apply(a, b F80, x, y num, e *Env) F80 {
	if op == OpSubR || op == OpDivR {
		a, b, x, y = b, a, y, x
	}
	if r, done := e.operands(a, b, x, y); done {
		return r
	}
	switch op {
	case OpAdd:
		return e.add(x, y)
	case OpSub, OpSubR:
		y.neg = !y.neg
		return e.add(x, y)
	case OpMul:
		return e.mul(x, y)
	}
	return e.div(x, y)
}

func (e *Env) add(x, y num) F80 {
	if x.k == kInf && y.k == kInf && x.neg != y.neg {
		return e.invalid()
	}
	if e.denormal(x, y) {
		return F80{}
	}
	switch {
	case x.k == kInf:
		return inf(x.neg)
	case y.k == kInf:
		return inf(y.neg)
	case x.k == kZero && y.k == kZero:
		if x.neg == y.neg {
			return zero(x.neg)
		}
		return zero(e.RC == RoundDown)
	case x.k == kZero:
		return e.round(y.neg, y.exp, y.sig, 0, e.PC.bits())
	case y.k == kZero:
		return e.round(x.neg, x.exp, x.sig, 0, e.PC.bits())
	}

	// Order by magnitude: x ≥ y.
	if x.exp < y.exp || x.exp == y.exp && x.sig < y.sig {
		x, y = y, x
	}
	d := uint(x.exp - y.exp)
	if d > 130 {
		d = 130 // y only contributes a sticky bit either way
	}
	yhi, ylo := shiftRight128(y.sig, 0, d)
	exp := x.exp
	if x.neg == y.neg {
		lo, c := bits.Add64(0, ylo, 0)
		hi, c := bits.Add64(x.sig, yhi, c)
		if c != 0 {
			hi, lo = shiftRight128(hi, lo, 1)
			hi |= intBit
			exp++
		}
		return e.round(x.neg, exp, hi, lo, e.PC.bits())
	}
	lo, bw := bits.Sub64(0, ylo, 0)
	hi, _ := bits.Sub64(x.sig, yhi, bw)
	if hi|lo == 0 {
		return zero(e.RC == RoundDown)
	}
	// Cancellation: normalise. When d ≥ 2 at most one bit is lost, and the
	// sticky bit stays far below the rounding point.
	var n int
	if hi != 0 {
		n = bits.LeadingZeros64(hi)
	} else {
		n = 64 + bits.LeadingZeros64(lo)
	}
	hi, lo = shiftLeft128(hi, lo, uint(n))
	return e.round(x.neg, exp-int32(n), hi, lo, e.PC.bits())
}

func shiftLeft128(hi, lo uint64, n uint) (uint64, uint64) {
	switch {
	case n == 0:
		return hi, lo
	case n < 64:
		return hi<<n | lo>>(64-n), lo << n
	}
	return lo << (n - 64), 0
}

func (e *Env) mul(x, y num) F80 {
	neg := x.neg != y.neg
	if x.k == kInf && y.k == kZero || x.k == kZero && y.k == kInf {
		return e.invalid()
	}
	if e.denormal(x, y) {
		return F80{}
	}
	switch {
	case x.k == kInf || y.k == kInf:
		return inf(neg)
	case x.k == kZero || y.k == kZero:
		return zero(neg)
	}
	hi, lo := bits.Mul64(x.sig, y.sig)
	exp := x.exp + y.exp + 1
	if hi&intBit == 0 {
		hi, lo = shiftLeft128(hi, lo, 1)
		exp--
	}
	return e.round(neg, exp, hi, lo, e.PC.bits())
}

func (e *Env) div(x, y num) F80 {
	neg := x.neg != y.neg
	switch {
	case x.k == kInf && y.k == kInf, x.k == kZero && y.k == kZero:
		return e.invalid()
	case y.k == kZero && x.k == kFinite:
		e.raise(ZE)
		e.RoundedUp = false
		return inf(neg)
	}
	if e.denormal(x, y) {
		return F80{}
	}
	switch {
	case x.k == kInf:
		return inf(neg)
	case x.k == kZero || y.k == kInf:
		return zero(neg)
	}
	// Quotient of the significands as a 128-bit fixed-point number with its top
	// bit set, plus a sticky bit for the final remainder.
	nhi, nlo, exp := x.sig, uint64(0), x.exp-y.exp-1
	if x.sig >= y.sig {
		nhi, nlo, exp = x.sig>>1, x.sig<<63, x.exp-y.exp
	}
	q1, rem := bits.Div64(nhi, nlo, y.sig)
	q2, rem := bits.Div64(rem, 0, y.sig)
	if rem != 0 {
		q2 |= 1
	}
	return e.round(neg, exp, q1, q2, e.PC.bits())
}

// Sqrt returns the square root of a (FSQRT). √-0 is -0.
func Sqrt(a F80, e *Env) F80 {
	e.block = toRegister
	x := unpack(a)
	switch {
	case x.k == kUnsupported:
		return e.invalid()
	case x.isNaN():
		return e.propagate(a, a, x, x)
	case x.k == kZero:
		e.RoundedUp = false
		return a
	case x.neg:
		return e.invalid()
	}
	if e.denormal(x, x) {
		return a
	}
	if x.k == kInf {
		return a
	}
	// value = sig × 2^(exp-63). Take M = sig << s with s ∈ {63, 64} so that
	// exp-63-s is even; then √value = √M × 2^((exp-63-s)/2) and √M ∈ [2^63, 2^64).
	s := uint(63)
	if (x.exp-63-63)&1 != 0 {
		s = 64
	}
	mhi, mlo := shiftLeft128(0, x.sig, s)
	q, rhi, rlo := isqrt128(mhi, mlo)
	// The exact root is q+f with 0 ≤ f < 1; f is never exactly ½ since
	// (q+½)² is not an integer, and f > ½ exactly when M-q² > q.
	var lo uint64
	if rhi|rlo != 0 {
		lo = 1
		if rhi != 0 || rlo > q {
			lo |= intBit
		}
	}
	exp := (x.exp - 63 - int32(s)) / 2
	return e.round(false, exp+63, q, lo, e.PC.bits())
}

// isqrt128 returns q = ⌊√M⌋ and M-q² for M = hi:lo ≥ 2^126.
func isqrt128(hi, lo uint64) (q, rhi, rlo uint64) {
	// A float64 estimate is within a few thousand of the root; one Newton step
	// in integer arithmetic brings it within one or two, then step exactly.
	est := math.Sqrt(float64(hi)*0x1p64 + float64(lo))
	if est >= 0x1p64 {
		q = math.MaxUint64
	} else {
		q = uint64(est)
	}
	// d = M - q² as a signed 128-bit number (|d| < 2^80).
	shi, slo := bits.Mul64(q, q)
	dlo, bw := bits.Sub64(lo, slo, 0)
	dhi, _ := bits.Sub64(hi, shi, bw)
	negative := int64(dhi) < 0
	if negative {
		dlo, bw = bits.Sub64(0, dlo, 0)
		dhi, _ = bits.Sub64(0, dhi, bw)
	}
	step, _ := bits.Div64(dhi, dlo, q) // |d|/q < 2^18: dhi < q holds
	step /= 2
	if negative {
		q -= step
	} else if q+step < q {
		q = math.MaxUint64
	} else {
		q += step
	}
	// Now q is within a couple of units of the root: settle it exactly.
	for {
		shi, slo = bits.Mul64(q, q)
		if shi < hi || shi == hi && slo <= lo {
			break
		}
		q--
	}
	for q != math.MaxUint64 {
		// (q+1)² = q² + 2q + 1
		nlo, c := bits.Add64(slo, q, 0)
		nhi, _ := bits.Add64(shi, 0, c)
		nlo, c = bits.Add64(nlo, q+1, 0)
		nhi, c2 := bits.Add64(nhi, 0, c)
		if c2 != 0 || nhi > hi || nhi == hi && nlo > lo {
			break
		}
		q++
		shi, slo = nhi, nlo
	}
	rlo, bw = bits.Sub64(lo, slo, 0)
	rhi, _ = bits.Sub64(hi, shi, bw)
	return q, rhi, rlo
}
