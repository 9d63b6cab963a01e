// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package f80

import "math/bits"

// roundSig rounds the 128-bit significand hi:lo so that the low `drop` bits of
// hi (0 ≤ drop < 64) and all of lo become zero, in direction rc for a value of
// sign neg. It returns the rounded hi, whether bits were lost, whether the
// magnitude was incremented, and whether the increment carried out of bit 63
// (hi is then returned as 1<<63, meaning 2^64).
func roundSig(hi, lo uint64, drop uint, neg bool, rc RoundingMode) (r uint64, inexact, up, carry bool) {
	var mask, half, rest uint64
	sticky := lo != 0
	if drop == 0 {
		// the rounding bits are all of lo
		mask, half, rest, sticky = 0, intBit, lo, false
		inexact = lo != 0
	} else {
		mask = uint64(1)<<drop - 1
		half = uint64(1) << (drop - 1)
		rest = hi & mask
		inexact = rest != 0 || sticky
	}
	r = hi &^ mask
	if !inexact {
		return r, false, false, false
	}
	switch rc {
	case RoundNearest:
		up = rest > half || rest == half && (sticky || r&(mask+1) != 0)
	case RoundUp:
		up = !neg
	case RoundDown:
		up = neg
	}
	if up {
		var c uint64
		r, c = bits.Add64(r, mask+1, 0)
		if c != 0 {
			return intBit, true, true, true
		}
	}
	return r, true, up, false
}

// dest describes where a rounded result goes.
type dest struct {
	p          uint  // significand bits, integer bit included
	emin, emax int32 // unbiased exponent range of normal numbers
	// memory marks a store (FST m32/m64): with OE or UE unmasked the x87
	// stores nothing, so there is no bias adjustment.
	memory bool
}

func extended(p uint) dest { return dest{p: p, emin: minExp, emax: maxExp} }

// round delivers the value (-1)^neg × hi:lo × 2^(exp-127) — hi normalised (bit
// 63 set), lo the bits below it — to an extended register, rounded to p
// significant bits (24, 53 or 64) in the extended exponent range.
func (e *Env) round(neg bool, exp int32, hi, lo uint64, p uint) F80 {
	if exp > minExp && exp < maxExp { // neither tiny nor, even after a carry, too large
		r, inexact, up, carry := roundSig(hi, lo, 64-p, neg, e.RC)
		if carry {
			exp++
		}
		e.RoundedUp = up
		if inexact {
			e.Flags |= PE
		}
		return pack(neg, exp, r)
	}
	exp, sig := e.roundTo(neg, exp, hi, lo, extended(p))
	switch {
	case exp > maxExp:
		return inf(neg)
	case sig&intBit == 0: // denormal or zero
		return F80{Mant: sig, SE: sign(neg)}
	}
	return pack(neg, exp, sig)
}

// roundTo rounds (-1)^neg × hi:lo × 2^(exp-127) (hi normalised) to the
// destination format with the x87's overflow and underflow responses, setting
// PE, OE, UE and RoundedUp. It returns the result's exponent and its
// significand with the integer bit at bit 63: a denormal or zero has bit 63
// clear and exponent d.emin; an infinity has exponent d.emax+1. For a register
// destination with OE or UE unmasked the exponent is bias-adjusted by ∓24576
// and may lie outside d's range.
//
// Tininess is detected after rounding: the SDM (vol. 1 §4.9.1.5) says the
// processor detects underflow "whenever the result of rounding with unbounded
// exponent (taking into account precision control for x87) is non-zero and
// tiny"; glibc's sysdeps/x86/tininess.h agrees (TININESS_AFTER_ROUNDING). A
// masked underflow is flagged only when the tiny result is also inexact; an
// unmasked one whenever the result is tiny (§4.9.1.5, §8.5.5). A denormal
// result is rounded at the same bit of the significand field as a normal one,
// so precision control still applies to it.
func (e *Env) roundTo(neg bool, exp int32, hi, lo uint64, d dest) (int32, uint64) {
	drop := 64 - d.p
	r, inexact, up, carry := roundSig(hi, lo, drop, neg, e.RC)
	if carry {
		exp++
	}
	if exp > d.emax {
		return e.overflow(neg, exp, r, inexact, up, d)
	}
	if exp >= d.emin {
		e.RoundedUp = up
		if inexact {
			e.raise(PE)
		}
		return exp, r
	}

	// Tiny: r is the result rounded with an unbounded exponent.
	if e.trapped(UE) {
		e.raise(UE)
		switch {
		case d.memory: // nothing is stored (SDM vol. 1 §8.5.5)
			e.RoundedUp = false
			return d.emin, 0
		case exp+biasAdjust >= d.emin:
			e.RoundedUp = up
			if inexact {
				e.raise(PE)
			}
			return exp + biasAdjust, r
		}
		// Beyond what the adjustment can represent (only FSCALE gets here):
		// the host delivers a signed zero with PE.
		e.raise(PE)
		e.RoundedUp = false
		return d.emin, 0
	}
	// Masked: denormalise the exact value, then round at the same position of
	// the significand field; underflow is flagged only when inexact.
	if carry { // undo the unbounded rounding's normalisation
		exp--
	}
	hi, lo = shiftRight128(hi, lo, uint(d.emin-exp))
	r, inexact, up, _ = roundSig(hi, lo, drop, neg, e.RC)
	e.RoundedUp = up
	if inexact {
		e.raise(UE | PE)
	}
	return d.emin, r
}

// overflow delivers a result whose rounded exponent exp exceeds d.emax (SDM
// vol. 1 §4.9.1.4 table 4-10, §8.5.4).
func (e *Env) overflow(neg bool, exp int32, sig uint64, inexact, up bool, d dest) (int32, uint64) {
	e.raise(OE)
	if e.trapped(OE) {
		switch {
		case d.memory: // nothing is stored
			e.RoundedUp = false
			return d.emax, 0
		case exp-biasAdjust <= d.emax:
			e.RoundedUp = up
			if inexact {
				e.raise(PE)
			}
			return exp - biasAdjust, sig
		}
		// Beyond what the adjustment can represent (only FSCALE gets here):
		// the host delivers ∞ whatever the rounding control.
		e.raise(PE)
		e.RoundedUp = true
		return d.emax + 1, intBit
	}
	e.raise(PE)
	toInf := false
	switch e.RC {
	case RoundNearest:
		toInf = true
	case RoundUp:
		toInf = !neg
	case RoundDown:
		toInf = neg
	}
	e.RoundedUp = toInf
	if toInf {
		return d.emax + 1, intBit
	}
	return d.emax, ^uint64(0) << (64 - d.p)
}

// shiftRight128 shifts hi:lo right by n, OR-ing every bit shifted out into the
// lowest bit (jamming), so rounding sees that something non-zero was lost.
func shiftRight128(hi, lo uint64, n uint) (uint64, uint64) {
	switch {
	case n == 0:
		return hi, lo
	case n < 64:
		sticky := lo << (64 - n)
		lo = hi<<(64-n) | lo>>n
		hi >>= n
		if sticky != 0 {
			lo |= 1
		}
	case n < 128:
		sticky := lo
		if n > 64 {
			sticky |= hi << (128 - n)
		}
		lo = hi >> (n - 64)
		hi = 0
		if sticky != 0 {
			lo |= 1
		}
	default:
		if hi|lo != 0 {
			lo = 1
		}
		hi = 0
	}
	return hi, lo
}

// quiet returns the NaN a with its quiet bit set.
func quiet(a F80) F80 {
	a.Mant |= qBit
	return a
}

// propagate returns the NaN result of an operation with NaN operands (at least
// one of x, y is a NaN), raising IE for a signalling one. The x87 rules (SDM
// vol. 1 §4.8.3.5 table 4-7): a QNaN wins over an SNaN; of two NaNs of the same
// kind the one with the larger significand wins; the result is quiet.
func (e *Env) propagate(a, b F80, x, y num) F80 {
	e.RoundedUp = false
	if x.k == kSNaN || y.k == kSNaN {
		e.raise(IE)
	}
	switch {
	case !y.isNaN():
		return quiet(a)
	case !x.isNaN():
		return quiet(b)
	case x.k == kQNaN && y.k == kSNaN:
		return a
	case x.k == kSNaN && y.k == kQNaN:
		return b
	case a.Mant > b.Mant:
		return quiet(a)
	case b.Mant > a.Mant:
		return quiet(b)
	}
	// Equal significands: the positive one wins.
	if a.SE < b.SE {
		return quiet(a)
	}
	return quiet(b)
}
