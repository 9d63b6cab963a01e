// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package softfp

import "math"

// Fast paths for binary64 add, subtract, multiply and divide of normal
// operands with a result well inside the normal range, the common case.
// They compute the round-to-nearest result with the host's float64
// arithmetic (IEEE 754 on every Go platform) and its exact error with an
// error-free transformation — TwoSum for sums, one math.FMA for products
// and quotients — which gives PE and tells in which direction a directed
// rounding mode must step. The range limits keep every intermediate exact
// (no overflow, no error below the subnormal quantum) and the stepped
// result normal, so OE, UE, DE and FTZ cannot arise. Anything else returns
// ok = false and takes the exact integer path.
//
// No expression here may be contracted into a fused multiply-add: the only
// products are inside math.FMA calls.

// Exponent-field bounds of the fast paths.
const (
	fastMinExp = 0x40  // operands and results at least 2^-959
	fastMaxExp = 0x7fd // results below 2^1022, so one step up stays finite
)

func fastExp(x uint64) uint64 { return x >> 52 & 0x7ff }

// fastOperands reports two normal operands in the fast range.
func fastOperands(a, b uint64) bool {
	ea, eb := fastExp(a), fastExp(b)
	return ea-fastMinExp <= fastMaxExp-fastMinExp && eb-fastMinExp <= fastMaxExp-fastMinExp
}

// fastRound finishes a fast operation: r is the round-to-nearest result and
// dir the sign of (exact - r).
func fastRound(r float64, dir float64, rc RoundingMode) (uint64, Exceptions, bool) {
	rb := math.Float64bits(r)
	if e := fastExp(rb); e-fastMinExp > fastMaxExp-fastMinExp {
		return 0, 0, false
	}
	if dir == 0 {
		return rb, 0, true
	}
	neg := rb>>63 != 0
	switch rc {
	case RoundUp:
		if dir > 0 {
			rb = stepMagnitude(rb, !neg)
		}
	case RoundDown:
		if dir < 0 {
			rb = stepMagnitude(rb, neg)
		}
	case RoundZero:
		if (dir < 0) != neg { // the exact value is nearer zero than r
			rb = stepMagnitude(rb, false)
		}
	}
	return rb, PE, true
}

// stepMagnitude moves a finite non-zero encoding one ulp away from zero
// (up) or toward it.
func stepMagnitude(x uint64, up bool) uint64 {
	if up {
		return x + 1
	}
	return x - 1
}

func fastAdd64(a, b uint64, rc RoundingMode) (uint64, Exceptions, bool) {
	if !fastOperands(a, b) {
		return 0, 0, false
	}
	x, y := math.Float64frombits(a), math.Float64frombits(b)
	s := x + y
	// TwoSum: s + e == x + y exactly.
	bv := s - x
	e := (x - (s - bv)) + (y - bv)
	return fastRound(s, e, rc)
}

func fastMul64(a, b uint64, rc RoundingMode) (uint64, Exceptions, bool) {
	if !fastOperands(a, b) {
		return 0, 0, false
	}
	x, y := math.Float64frombits(a), math.Float64frombits(b)
	p := x * y
	if fastExp(math.Float64bits(p))-fastMinExp > fastMaxExp-fastMinExp {
		return 0, 0, false // the error below could underflow
	}
	return fastRound(p, math.FMA(x, y, -p), rc)
}

func fastDiv64(a, b uint64, rc RoundingMode) (uint64, Exceptions, bool) {
	if !fastOperands(a, b) {
		return 0, 0, false
	}
	x, y := math.Float64frombits(a), math.Float64frombits(b)
	q := x / y
	if fastExp(math.Float64bits(q))-fastMinExp > fastMaxExp-fastMinExp {
		return 0, 0, false
	}
	// The remainder x - q·y is exact; x/y - q has its sign times y's.
	r := math.FMA(-q, y, x)
	if y < 0 {
		r = -r
	}
	return fastRound(q, r, rc)
}
