// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package softfp

import "math/bits"

// F32ToF64 widens a (CVTSS2SD): exact, but DAZ, DE and NaN quieting apply.
func F32ToF64(a uint32, env Env) (uint64, Exceptions) {
	x := uint64(a)
	if f32.isNaN(x) {
		var fl Exceptions
		if f32.isSNaN(x) {
			fl = IE
		}
		return (x&f32.signBit)<<32 | f64.inf | f64.quietBit | (x&f32.fracMask)<<29, fl
	}
	x, d := f32.daz(x, env)
	fl := denormalFlag(d, false)
	switch {
	case f32.isZero(x):
		return f64.zero(f32.neg(x)), fl
	case f32.isInf(x):
		return f64.zero(f32.neg(x)) | f64.inf, fl
	}
	n, e, s := f32.unpack(x)
	r, rf := f64.roundPack(n, e, s, env) // exact: every binary32 is a normal binary64
	return r, fl | rf
}

// F64ToF32 narrows a (CVTSD2SS), rounding by env.
func F64ToF32(a uint64, env Env) (uint32, Exceptions) {
	if f64.isNaN(a) {
		var fl Exceptions
		if f64.isSNaN(a) {
			fl = IE
		}
		return uint32(a>>32&uint64(f32.signBit) | f32.inf | f32.quietBit | a>>29&f32.fracMask), fl
	}
	x, d := f64.daz(a, env)
	fl := denormalFlag(d, false)
	switch {
	case f64.isZero(x):
		return uint32(f32.zero(f64.neg(x))), fl
	case f64.isInf(x):
		return uint32(f32.zero(f64.neg(x)) | f32.inf), fl
	}
	n, e, s := f64.unpack(x)
	r, rf := f32.roundPack(n, e, s, env)
	return uint32(r), fl | rf
}

// I32ToF32 converts a signed integer (CVTSI2SS, CVTDQ2PS).
func I32ToF32(v int32, env Env) (uint32, Exceptions) {
	r, fl := f32.fromInt(int64(v), env)
	return uint32(r), fl
}

// I64ToF32 converts a signed integer (CVTSI2SS with REX.W).
func I64ToF32(v int64, env Env) (uint32, Exceptions) {
	r, fl := f32.fromInt(v, env)
	return uint32(r), fl
}

// I32ToF64 converts a signed integer exactly (CVTSI2SD, CVTDQ2PD).
func I32ToF64(v int32) uint64 {
	r, _ := f64.fromInt(int64(v), Env{})
	return r
}

// I64ToF64 converts a signed integer (CVTSI2SD with REX.W).
func I64ToF64(v int64, env Env) (uint64, Exceptions) { return f64.fromInt(v, env) }

func (f *format) fromInt(v int64, env Env) (uint64, Exceptions) {
	if v == 0 {
		return 0, 0
	}
	neg := v < 0
	m := uint64(v)
	if neg {
		m = -m
	}
	n := bits.LeadingZeros64(m)
	return f.roundPack(neg, int32(63-n), m<<uint(n), env)
}

// F32ToI32 converts to a signed integer, rounding by env.RC or, when
// truncate is set, toward zero (CVTSS2SI, CVTTSS2SI, CVT(T)PS2DQ).
func F32ToI32(a uint32, truncate bool, env Env) (uint32, Exceptions) {
	r, fl := f32.toInt(uint64(a), 32, truncate, env)
	return uint32(r), fl
}

// F32ToI64 is F32ToI32 with a 64-bit result.
func F32ToI64(a uint32, truncate bool, env Env) (uint64, Exceptions) {
	return f32.toInt(uint64(a), 64, truncate, env)
}

// F64ToI32 converts to a signed integer (CVTSD2SI, CVTTSD2SI, CVT(T)PD2DQ).
func F64ToI32(a uint64, truncate bool, env Env) (uint32, Exceptions) {
	r, fl := f64.toInt(a, 32, truncate, env)
	return uint32(r), fl
}

// F64ToI64 is F64ToI32 with a 64-bit result.
func F64ToI64(a uint64, truncate bool, env Env) (uint64, Exceptions) {
	return f64.toInt(a, 64, truncate, env)
}

// toInt converts x to a signed integer of width bits (32 or 64). NaNs,
// infinities and values out of range give the integer indefinite value
// with IE; DE is never signalled.
func (f *format) toInt(x uint64, width uint, truncate bool, env Env) (uint64, Exceptions) {
	indefinite := uint64(1) << (width - 1)
	if f.isNaN(x) || f.isInf(x) {
		return indefinite, IE
	}
	x, _ = f.daz(x, env)
	if f.isZero(x) {
		return 0, 0
	}
	neg, e, s := f.unpack(x)
	if e > 63 {
		return indefinite, IE
	}
	// |x| = s × 2^(e-63): split into the integer part and the fraction bits,
	// left-aligned in frac.
	var ip, frac uint64
	switch sh := uint(63 - e); {
	case sh == 0:
		ip = s
	case sh < 64:
		ip, frac = s>>sh, s<<(64-sh)
	case sh == 64:
		frac = s
	default:
		frac = 1 // below one half
	}
	rc := env.RC
	if truncate {
		rc = RoundZero
	}
	if frac != 0 {
		switch rc {
		case RoundNearest:
			if frac > 1<<63 || frac == 1<<63 && ip&1 != 0 {
				ip++
			}
		case RoundDown:
			if neg {
				ip++
			}
		case RoundUp:
			if !neg {
				ip++
			}
		}
	}
	if ip > indefinite || ip == indefinite && !neg {
		return indefinite, IE
	}
	if neg {
		ip = -ip
	}
	ip &= indefinite<<1 - 1 // the width's bits (all of them for 64)
	if frac != 0 {
		return ip, PE
	}
	return ip, 0
}
