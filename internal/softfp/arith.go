// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package softfp

import (
	"math"
	"math/bits"
)

// Add32 returns a+b.
func Add32(a, b uint32, env Env) (uint32, Exceptions) {
	r, fl := f32.add(uint64(a), uint64(b), false, env)
	return uint32(r), fl
}

// Sub32 returns a-b.
func Sub32(a, b uint32, env Env) (uint32, Exceptions) {
	r, fl := f32.add(uint64(a), uint64(b), true, env)
	return uint32(r), fl
}

// Mul32 returns a×b.
func Mul32(a, b uint32, env Env) (uint32, Exceptions) {
	r, fl := f32.mul(uint64(a), uint64(b), env)
	return uint32(r), fl
}

// Div32 returns a/b.
func Div32(a, b uint32, env Env) (uint32, Exceptions) {
	r, fl := f32.div(uint64(a), uint64(b), env)
	return uint32(r), fl
}

// Sqrt32 returns the square root of a.
func Sqrt32(a uint32, env Env) (uint32, Exceptions) {
	r, fl := f32.sqrt(uint64(a), env)
	return uint32(r), fl
}

// Add64 returns a+b.
func Add64(a, b uint64, env Env) (uint64, Exceptions) {
	if r, fl, ok := fastAdd64(a, b, env.RC); ok {
		return r, fl
	}
	return f64.add(a, b, false, env)
}

// Sub64 returns a-b.
func Sub64(a, b uint64, env Env) (uint64, Exceptions) {
	if r, fl, ok := fastAdd64(a, b^1<<63, env.RC); ok {
		return r, fl
	}
	return f64.add(a, b, true, env)
}

// Mul64 returns a×b.
func Mul64(a, b uint64, env Env) (uint64, Exceptions) {
	if r, fl, ok := fastMul64(a, b, env.RC); ok {
		return r, fl
	}
	return f64.mul(a, b, env)
}

// Div64 returns a/b.
func Div64(a, b uint64, env Env) (uint64, Exceptions) {
	if r, fl, ok := fastDiv64(a, b, env.RC); ok {
		return r, fl
	}
	return f64.div(a, b, env)
}

// Sqrt64 returns the square root of a.
func Sqrt64(a uint64, env Env) (uint64, Exceptions) { return f64.sqrt(a, env) }

// denormalFlag is DE when an operand the operation sees is a denormal.
func denormalFlag(da, db bool) Exceptions {
	if da || db {
		return DE
	}
	return 0
}

// add returns a+b, or a-b when sub is set.
func (f *format) add(a, b uint64, sub bool, env Env) (uint64, Exceptions) {
	if f.isNaN(a) || f.isNaN(b) {
		return f.propagateNaN(a, b)
	}
	if sub {
		b ^= f.signBit
	}
	a, da := f.daz(a, env)
	b, db := f.daz(b, env)
	fl := denormalFlag(da, db)
	if ai, bi := f.isInf(a), f.isInf(b); ai || bi {
		if ai && bi && a != b {
			return f.defaultNaN, IE
		}
		if ai {
			return a, fl
		}
		return b, fl
	}
	az, bz := f.isZero(a), f.isZero(b)
	switch {
	case az && bz:
		if a == b {
			return a, fl
		}
		// The exact zero sum of opposite operands is +0, or -0 rounding down.
		return f.zero(env.RC == RoundDown), fl
	case az:
		r, rf := f.repack(b, env)
		return r, fl | rf
	case bz:
		r, rf := f.repack(a, env)
		return r, fl | rf
	}
	na, ea, sa := f.unpack(a)
	nb, eb, sb := f.unpack(b)
	if ea < eb || ea == eb && sa < sb { // make |a| ≥ |b|
		na, ea, sa, nb, eb, sb = nb, eb, sb, na, ea, sa
	}
	// Two spare top bits keep the sum from overflowing; the operands have
	// at least 11 zero low bits, so nothing is lost before the alignment.
	x := sa >> 2
	y := shiftRightJam(sb>>2, uint(ea-eb))
	var z uint64
	if na == nb {
		z = x + y
	} else {
		z = x - y
		if z == 0 {
			return f.zero(env.RC == RoundDown), fl
		}
	}
	n := bits.LeadingZeros64(z)
	r, rf := f.roundPack(na, ea+2-int32(n), z<<uint(n), env)
	return r, fl | rf
}

// repack returns a finite non-zero x as the result of an exact operation:
// unchanged, except that a denormal result is flushed under FTZ.
func (f *format) repack(x uint64, env Env) (uint64, Exceptions) {
	if !f.isDenormal(x) {
		return x, 0
	}
	n, e, s := f.unpack(x)
	return f.roundPack(n, e, s, env)
}

// mul returns a×b.
func (f *format) mul(a, b uint64, env Env) (uint64, Exceptions) {
	if f.isNaN(a) || f.isNaN(b) {
		return f.propagateNaN(a, b)
	}
	a, da := f.daz(a, env)
	b, db := f.daz(b, env)
	fl := denormalFlag(da, db)
	neg := f.neg(a) != f.neg(b)
	ai, bi := f.isInf(a), f.isInf(b)
	az, bz := f.isZero(a), f.isZero(b)
	switch {
	case ai && bz || bi && az:
		return f.defaultNaN, IE
	case ai || bi:
		return f.zero(neg) | f.inf, fl
	case az || bz:
		return f.zero(neg), fl
	}
	_, ea, sa := f.unpack(a)
	_, eb, sb := f.unpack(b)
	hi, lo := bits.Mul64(sa, sb) // in [2^126, 2^128)
	exp := ea + eb + 1
	if hi>>63 == 0 {
		hi = hi<<1 | lo>>63
		lo <<= 1
		exp--
	}
	if lo != 0 {
		hi |= 1
	}
	r, rf := f.roundPack(neg, exp, hi, env)
	return r, fl | rf
}

// div returns a/b.
func (f *format) div(a, b uint64, env Env) (uint64, Exceptions) {
	if f.isNaN(a) || f.isNaN(b) {
		return f.propagateNaN(a, b)
	}
	a, da := f.daz(a, env)
	b, db := f.daz(b, env)
	fl := denormalFlag(da, db)
	neg := f.neg(a) != f.neg(b)
	ai, bi := f.isInf(a), f.isInf(b)
	az, bz := f.isZero(a), f.isZero(b)
	switch {
	case ai && bi || az && bz:
		return f.defaultNaN, IE
	case ai:
		return f.zero(neg) | f.inf, fl
	case bi || az:
		return f.zero(neg), fl
	case bz:
		return f.zero(neg) | f.inf, ZE
	}
	_, ea, sa := f.unpack(a)
	_, eb, sb := f.unpack(b)
	// q = ⌊sa × 2^63 / sb⌋ is in (2^62, 2^64).
	q, rem := bits.Div64(sa>>1, sa<<63, sb)
	exp := ea - eb
	if q>>63 == 0 {
		q <<= 1
		exp--
	}
	if rem != 0 {
		q |= 1
	}
	r, rf := f.roundPack(neg, exp, q, env)
	return r, fl | rf
}

// sqrt returns the square root of a.
func (f *format) sqrt(a uint64, env Env) (uint64, Exceptions) {
	if f.isNaN(a) {
		return f.propagateNaN(a, a)
	}
	a, da := f.daz(a, env)
	fl := denormalFlag(da, false)
	switch {
	case f.isZero(a):
		return a, fl
	case f.neg(a):
		return f.defaultNaN, IE
	case f.isInf(a):
		return a, fl
	}
	_, e, s := f.unpack(a)
	// a = t × 2^(e-odd) with t = s × 2^(odd-63) in [1, 4); t has at most 53
	// significant bits, so it is an exact float64.
	odd := e & 1
	t := math.Float64frombits(uint64(1023+odd)<<52 | s>>11&(1<<52-1))
	y := math.Sqrt(t) // correctly rounded, in [1, 2)
	// The exact error t - y² is representable; its sign places the true root
	// above or below y.
	rem := math.FMA(-y, y, t)
	yb := math.Float64bits(y)
	sig := (yb&(1<<52-1) | 1<<52) << 11
	exp := (e-odd)/2 + int32(yb>>52) - 1023
	switch {
	case rem > 0:
		sig |= 1
	case rem < 0:
		sig-- // y > 1 here, so bit 63 stays set
	}
	r, rf := f.roundPack(false, exp, sig, env)
	return r, fl | rf
}
