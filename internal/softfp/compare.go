// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package softfp

// Compare32 compares a with b. A signalling comparison (COMISS, the LT, LE,
// NLT and NLE predicates of CMPPS) signals IE for any NaN operand, a quiet
// one (UCOMISS, the other predicates) only for an SNaN.
func Compare32(a, b uint32, signaling bool, env Env) (Relation, Exceptions) {
	return f32.compare(uint64(a), uint64(b), signaling, env)
}

// Compare64 compares a with b like Compare32.
func Compare64(a, b uint64, signaling bool, env Env) (Relation, Exceptions) {
	return f64.compare(a, b, signaling, env)
}

// Min32 returns the smaller of a and b with the x86 MINSS rules: b when
// either is a NaN (with IE) or when they are equal (so min(0, -0) is -0 and
// min(-0, 0) is 0). Under DAZ a denormal operand is returned as a zero.
func Min32(a, b uint32, env Env) (uint32, Exceptions) {
	r, fl := f32.minMax(uint64(a), uint64(b), false, env)
	return uint32(r), fl
}

// Max32 returns the larger of a and b with the x86 MAXSS rules (see Min32).
func Max32(a, b uint32, env Env) (uint32, Exceptions) {
	r, fl := f32.minMax(uint64(a), uint64(b), true, env)
	return uint32(r), fl
}

// Min64 is Min32 for binary64 (MINSD).
func Min64(a, b uint64, env Env) (uint64, Exceptions) { return f64.minMax(a, b, false, env) }

// Max64 is Max32 for binary64 (MAXSD).
func Max64(a, b uint64, env Env) (uint64, Exceptions) { return f64.minMax(a, b, true, env) }

func (f *format) compare(a, b uint64, signaling bool, env Env) (Relation, Exceptions) {
	if f.isNaN(a) || f.isNaN(b) {
		if signaling || f.isSNaN(a) || f.isSNaN(b) {
			return Unordered, IE
		}
		return Unordered, 0
	}
	a, da := f.daz(a, env)
	b, db := f.daz(b, env)
	return f.order(a, b), denormalFlag(da, db)
}

// order compares two non-NaN values.
func (f *format) order(a, b uint64) Relation {
	if a == b || f.isZero(a) && f.isZero(b) {
		return Equal
	}
	na, nb := f.neg(a), f.neg(b)
	less := na && !nb || na == nb && (f.abs(a) < f.abs(b)) != na
	if less {
		return Less
	}
	return Greater
}

func (f *format) minMax(a, b uint64, max bool, env Env) (uint64, Exceptions) {
	// DAZ applies even to the operand returned for a NaN.
	a, da := f.daz(a, env)
	b, db := f.daz(b, env)
	if f.isNaN(a) || f.isNaN(b) {
		return b, IE
	}
	fl := denormalFlag(da, db)
	want := Less
	if max {
		want = Greater
	}
	if f.order(a, b) == want {
		return a, fl
	}
	return b, fl
}
