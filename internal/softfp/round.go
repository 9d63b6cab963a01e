// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package softfp

// shiftRightJam shifts x right by n bits and ORs any bit shifted out into
// bit 0, so that the result still tells an exact value from one just above.
func shiftRightJam(x uint64, n uint) uint64 {
	switch {
	case n == 0:
		return x
	case n < 64:
		r := x >> n
		if x<<(64-n) != 0 {
			r |= 1
		}
		return r
	case x != 0:
		return 1
	}
	return 0
}

// roundBits drops the low shift bits (1 ≤ shift < 64) of the magnitude sig
// of a value with the given sign, rounding by rc, and reports whether any
// dropped bit was set.
func roundBits(sig uint64, shift uint, neg bool, rc RoundingMode) (uint64, bool) {
	m := sig >> shift
	rem := sig & (1<<shift - 1)
	if rem == 0 {
		return m, false
	}
	switch rc {
	case RoundNearest:
		half := uint64(1) << (shift - 1)
		if rem > half || rem == half && m&1 != 0 {
			m++
		}
	case RoundDown:
		if neg {
			m++
		}
	case RoundUp:
		if !neg {
			m++
		}
	}
	return m, true
}

// roundPack rounds the value (-1)^neg × sig × 2^(exp-63) to format f.
// Preconditions: sig has bit 63 set; bits lost by earlier steps are ORed
// into a bit well below the rounding position (bit 0 in practice), so that
// sig is strictly between the same two rounding boundaries as the exact
// value.
func (f *format) roundPack(neg bool, exp int32, sig uint64, env Env) (uint64, Exceptions) {
	s := f.zero(neg)
	shift := 63 - f.fracBits // bits below the p = fracBits+1 kept ones
	e := exp + f.bias        // biased exponent if the result is normal
	if e >= 1 {
		m, inexact := roundBits(sig, shift, neg, env.RC)
		if m>>(f.fracBits+1) != 0 { // rounded up to the next binade
			m >>= 1
			e++
		}
		if uint64(e) >= f.expMax {
			if env.UnmaskedOE {
				r, _ := f.overflow(neg, env.RC)
				if inexact {
					return r, OE | PE
				}
				return r, OE
			}
			return f.overflow(neg, env.RC)
		}
		// m carries the implicit bit, which adds one to the exponent field.
		r := s | uint64(e-1)<<f.fracBits + m
		if inexact {
			return r, PE
		}
		return r, 0
	}
	// Below the normal range before rounding. x86 detects tininess after
	// rounding: the value is tiny unless rounding it to p bits with an
	// unbounded exponent reaches the smallest normal number.
	m, unboundedInexact := roundBits(sig, shift, neg, env.RC)
	tiny := e < 0 || m>>(f.fracBits+1) == 0
	if tiny && env.FTZ && !env.UnmaskedUE {
		return s, UE | PE
	}
	sig = shiftRightJam(sig, uint(1-int64(e)))
	m, inexact := roundBits(sig, shift, neg, env.RC)
	var fl Exceptions
	switch {
	case tiny && env.UnmaskedUE:
		fl = UE
		if unboundedInexact {
			fl |= PE
		}
	case inexact && tiny:
		fl = UE | PE
	case inexact:
		fl = PE
	}
	// A subnormal m below 2^fracBits leaves the exponent field zero; one that
	// rounded up to 2^fracBits becomes the smallest normal number.
	return s | m, fl
}

// overflow returns the rounded result of a finite value too large for f.
func (f *format) overflow(neg bool, rc RoundingMode) (uint64, Exceptions) {
	max := f.inf - 1
	r := f.inf
	switch rc {
	case RoundZero:
		r = max
	case RoundUp:
		if neg {
			r = max
		}
	case RoundDown:
		if !neg {
			r = max
		}
	}
	return f.zero(neg) | r, OE | PE
}
