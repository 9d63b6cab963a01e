// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package f80

import "math/bits"

// Rem is FPREM: the partial remainder of a (ST(0)) by b (ST(1)) with the
// quotient truncated toward zero. When the exponents of a and b differ by 64 or
// more, one step only reduces the difference and incomplete (C2) is set; the
// program repeats FPREM until C2 is clear. q holds the low three bits of the
// quotient of a complete reduction (C0=q bit 2, C3=q bit 1, C1=q bit 0) and is
// 0 when incomplete. The result is exact, so PE is never raised; e.RoundedUp
// is cleared (C1 comes from q).
func Rem(a, b F80, e *Env) (r F80, q uint8, incomplete bool) {
	return remainder(a, b, false, e)
}

// Rem1 is FPREM1: as Rem, but a complete reduction rounds the quotient to the
// nearest integer (ties to even), giving the IEEE 754 remainder, which may be
// negative relative to a. An incomplete step truncates, as Rem does.
func Rem1(a, b F80, e *Env) (r F80, q uint8, incomplete bool) {
	return remainder(a, b, true, e)
}

func remainder(a, b F80, nearest bool, e *Env) (F80, uint8, bool) {
	e.block = toRegister
	x, y := unpack(a), unpack(b)
	if r, done := e.operands(a, b, x, y); done {
		return r, 0, false
	}
	if x.k == kInf || y.k == kZero {
		return e.invalid(), 0, false
	}
	if e.denormal(x, y) {
		return a, 0, false
	}
	if x.k == kZero {
		return a, 0, false
	}
	if y.k == kInf {
		return e.round(x.neg, x.exp, x.sig, 0, 64), 0, false
	}

	d := x.exp - y.exp
	switch {
	case d < -1 || d == -1 && !nearest:
		return e.round(x.neg, x.exp, x.sig, 0, 64), 0, false
	case d == -1:
		// |a| < |b|: the nearest quotient is 1 when |a| > |b|/2, that is when
		// a's significand exceeds b's (b/2 has a's exponent); a tie rounds to
		// the even quotient 0.
		if x.sig <= y.sig {
			return e.round(x.neg, x.exp, x.sig, 0, 64), 0, false
		}
		// |a - b| = (2·b.sig - a.sig) units of a, less than y.sig.
		rem := y.sig - (x.sig - y.sig)
		return e.normal(!x.neg, x.exp-63, rem), 1, false
	case d >= 64:
		// One step reduces the exponent difference by n, between 32 and 63.
		// The SDM leaves n to the implementation; this is the host's choice.
		n := d&31 | 32
		_, rem := divShifted(x.sig, y.sig, uint(n))
		if rem == 0 {
			return zero(x.neg), 0, true
		}
		return e.normal(x.neg, y.exp-63+d-n, rem), 0, true
	}
	quo, rem := divShifted(x.sig, y.sig, uint(d))
	neg := x.neg
	if nearest && (rem > y.sig-rem || rem == y.sig-rem && quo&1 != 0) {
		rem = y.sig - rem
		quo++
		neg = !neg
	}
	if rem == 0 {
		return zero(x.neg), uint8(quo & 7), false
	}
	return e.normal(neg, y.exp-63, rem), uint8(quo & 7), false
}

// divShifted returns the low 64 bits of ⌊xs·2^k / ys⌋ and the remainder, for
// normalised significands xs, ys and 0 ≤ k < 64.
func divShifted(xs, ys uint64, k uint) (quo, rem uint64) {
	var top uint64
	if xs >= ys { // xs < 2·ys as both are normalised
		xs -= ys
		top = 1
	}
	if k == 0 {
		return top, xs
	}
	// xs < ys now, so the high word of xs<<k is below ys and Div64 is safe.
	quo, rem = bits.Div64(xs>>(64-k), xs<<k, ys)
	return top<<k + quo, rem
}

// normal delivers the exact non-zero value m × 2^unit through the rounding
// path, which only matters when it is tiny (underflow rules).
func (e *Env) normal(neg bool, unit int32, m uint64) F80 {
	lz := bits.LeadingZeros64(m)
	return e.round(neg, unit+63-int32(lz), m<<lz, 0, 64)
}

// RoundInt rounds a to an integer in the rounding control's direction
// (FRNDINT). Precision control does not apply. PE is raised when a was not an
// integer.
func RoundInt(a F80, e *Env) F80 {
	e.block = toRegister
	x := unpack(a)
	switch {
	case x.k == kUnsupported:
		return e.invalid()
	case x.isNaN():
		return e.propagate(a, a, x, x)
	}
	if e.denormal(x, x) {
		return a
	}
	if x.k != kFinite {
		return a
	}
	if x.exp >= 63 {
		return e.round(x.neg, x.exp, x.sig, 0, 64)
	}
	hi, lo := intPart(x)
	r, inexact, up, _ := roundSig(hi, lo, 0, x.neg, e.RC)
	if inexact {
		e.raise(PE)
	}
	res := zero(x.neg)
	if r != 0 {
		res = e.normal(x.neg, 0, r)
	}
	e.RoundedUp = up
	return res
}

// Scale returns a × 2^n where n is b truncated toward zero (FSCALE).
// Precision control does not apply. Scaling by ±∞ gives ±∞ or 0, except that
// 0 × 2^+∞ and ∞ × 2^-∞ are invalid.
func Scale(a, b F80, e *Env) F80 {
	e.block = toRegister
	x, y := unpack(a), unpack(b)
	if r, done := e.operands(a, b, x, y); done {
		return r
	}
	if y.k == kInf && (x.k == kZero && !y.neg || x.k == kInf && y.neg) {
		return e.invalid()
	}
	if e.denormal(x, y) {
		return a
	}
	switch {
	case x.k == kZero:
		return a
	case x.k == kInf:
		return a
	case y.k == kInf && y.neg:
		return zero(x.neg)
	case y.k == kInf:
		return inf(x.neg)
	}
	var n int32
	if y.k == kFinite && y.exp >= 0 {
		if y.exp > 20 { // far beyond the range: the result over- or underflows
			n = 1 << 21
		} else {
			n = int32(y.sig >> (63 - y.exp))
		}
		if y.neg {
			n = -n
		}
	}
	return e.round(x.neg, x.exp+n, x.sig, 0, 64)
}

// Xtract splits a into its significand (with a's sign and exponent 0) and its
// unbiased exponent as a value (FXTRACT: ST(1) gets exp, ST(0) sig). A zero
// gives exp = -∞ and raises ZE; ∞ gives exp = +∞; a denormal is normalised.
func Xtract(a F80, e *Env) (sig, exp F80) {
	e.block = toRegister
	x := unpack(a)
	e.RoundedUp = false
	switch {
	case x.k == kUnsupported:
		n := e.invalid()
		return n, n
	case x.isNaN():
		n := e.propagate(a, a, x, x)
		return n, n
	case x.k == kZero:
		e.raise(ZE)
		return a, inf(true)
	case x.k == kInf:
		return a, inf(false)
	}
	if e.denormal(x, x) {
		return a, a
	}
	return pack(x.neg, 0, x.sig), FromInt64(int64(x.exp))
}
