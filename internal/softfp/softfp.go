// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package softfp

import "math/bits"

// Exceptions is a set of SIMD floating-point exception flags, with the
// MXCSR bit positions (the mask bits are the same set shifted left by 7).
type Exceptions uint8

const (
	IE Exceptions = 1 << iota // invalid operation
	DE                        // denormal operand
	ZE                        // divide by zero
	OE                        // overflow
	UE                        // underflow
	PE                        // precision (inexact result)

	AllExceptions = IE | DE | ZE | OE | UE | PE
	// PreComputation are the exceptions detected from the operands before
	// the result is computed; an unmasked one stops the instruction before
	// the post-computation exceptions (OE, UE, PE) are looked for.
	PreComputation = IE | DE | ZE
)

// RoundingMode is the rounding control, with the MXCSR encoding (bits
// 13-14).
type RoundingMode uint8

const (
	RoundNearest RoundingMode = iota // to nearest, ties to even
	RoundDown                        // toward -∞
	RoundUp                          // toward +∞
	RoundZero                        // toward 0 (truncate)
)

// Env is the floating-point environment of one operation.
// The zero Env is round to nearest without DAZ or FTZ, underflow masked.
type Env struct {
	RC  RoundingMode
	DAZ bool // denormal operands are read as zeros
	FTZ bool // tiny results are flushed to zero (ignored when UnmaskedUE)
	// UnmaskedUE: underflow is unmasked, so it is signalled for every tiny
	// result, exact or not, and FTZ does not apply. UnmaskedOE: overflow is
	// unmasked. With either, the caller does not deliver the result of an
	// operation that raises the exception, and PE then tells whether the
	// result rounded with an unbounded exponent is inexact (as the hardware
	// reports it to the #XM handler).
	UnmaskedUE bool
	UnmaskedOE bool
}

// MXCSR bits.
const (
	mxcsrDAZ     = 1 << 6
	mxcsrOEMask  = 1 << 10
	mxcsrUEMask  = 1 << 11
	mxcsrRCShift = 13
	mxcsrFTZ     = 1 << 15
)

// EnvFromMXCSR returns the environment an SSE instruction runs in.
func EnvFromMXCSR(mxcsr uint32) Env {
	return Env{
		RC:         RoundingMode(mxcsr >> mxcsrRCShift & 3),
		DAZ:        mxcsr&mxcsrDAZ != 0,
		FTZ:        mxcsr&mxcsrFTZ != 0,
		UnmaskedUE: mxcsr&mxcsrUEMask == 0,
		UnmaskedOE: mxcsr&mxcsrOEMask == 0,
	}
}

// Relation is the result of a comparison.
type Relation uint8

const (
	Less Relation = iota
	Equal
	Greater
	Unordered
)

// Default NaNs ("real indefinite") and integer indefinite values.
const (
	DefaultNaN32    = 0xffc00000
	DefaultNaN64    = 0xfff8000000000000
	IntIndefinite32 = 0x80000000
	IntIndefinite64 = 0x8000000000000000
)

// format describes binary32 or binary64. Values of either are held in a
// uint64.
type format struct {
	fracBits   uint   // explicit fraction bits: 23 or 52
	bias       int32  // 127 or 1023
	expMax     uint64 // biased exponent of infinities and NaNs
	signBit    uint64
	fracMask   uint64
	quietBit   uint64 // the fraction's top bit: set in a QNaN
	inf        uint64 // +infinity
	defaultNaN uint64
}

var (
	f32 = &format{fracBits: 23, bias: 127, expMax: 0xff, signBit: 1 << 31, fracMask: 1<<23 - 1,
		quietBit: 1 << 22, inf: 0x7f800000, defaultNaN: DefaultNaN32}
	f64 = &format{fracBits: 52, bias: 1023, expMax: 0x7ff, signBit: 1 << 63, fracMask: 1<<52 - 1,
		quietBit: 1 << 51, inf: 0x7ff0000000000000, defaultNaN: DefaultNaN64}
)

func (f *format) biasedExp(x uint64) uint64 { return x >> f.fracBits & f.expMax }
func (f *format) abs(x uint64) uint64       { return x &^ f.signBit }
func (f *format) neg(x uint64) bool         { return x&f.signBit != 0 }
func (f *format) isNaN(x uint64) bool       { return f.abs(x) > f.inf }
func (f *format) isSNaN(x uint64) bool      { return f.isNaN(x) && x&f.quietBit == 0 }
func (f *format) isInf(x uint64) bool       { return f.abs(x) == f.inf }
func (f *format) isZero(x uint64) bool      { return f.abs(x) == 0 }

// isDenormal reports a non-zero value with a zero exponent field.
func (f *format) isDenormal(x uint64) bool {
	return f.biasedExp(x) == 0 && x&f.fracMask != 0
}

// daz returns the operand as the operation sees it: a denormal becomes a
// zero of the same sign under DAZ; otherwise the second result reports the
// denormal (for DE).
func (f *format) daz(x uint64, env Env) (uint64, bool) {
	if !f.isDenormal(x) {
		return x, false
	}
	if env.DAZ {
		return x & f.signBit, false
	}
	return x, true
}

// propagateNaN returns the result of an operation with a NaN operand: the
// first NaN operand, quieted; IE when either is an SNaN.
func (f *format) propagateNaN(a, b uint64) (uint64, Exceptions) {
	var fl Exceptions
	if f.isSNaN(a) || f.isSNaN(b) {
		fl = IE
	}
	if f.isNaN(a) {
		return a | f.quietBit, fl
	}
	return b | f.quietBit, fl
}

// unpack splits a finite non-zero value into sign, exponent and a
// significand normalised to bit 63: |x| = sig × 2^(exp-63).
func (f *format) unpack(x uint64) (neg bool, exp int32, sig uint64) {
	neg = f.neg(x)
	e := f.biasedExp(x)
	frac := x & f.fracMask
	if e == 0 {
		n := bits.LeadingZeros64(frac)
		return neg, int32(64-n) - f.bias - int32(f.fracBits), frac << uint(n)
	}
	return neg, int32(e) - f.bias, (frac | 1<<f.fracBits) << (63 - f.fracBits)
}

// zero returns a zero with the given sign.
func (f *format) zero(neg bool) uint64 {
	if neg {
		return f.signBit
	}
	return 0
}
