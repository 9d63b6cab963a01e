// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

// Package softfp is an exact software implementation of IEEE 754 binary32
// and binary64 arithmetic with the semantics of x86 SSE and SSE2: the four
// MXCSR rounding modes, DAZ and FTZ, the six sticky exception flags set
// exactly as the hardware sets them, and the x86 rules for NaN operands.
//
// Values are passed as their bit patterns (uint32 for binary32, uint64 for
// binary64), so nothing depends on the host's floating-point unit or on how
// Go compiles float expressions. Every operation takes an [Env] (rounding
// mode, DAZ, FTZ and whether underflow is unmasked) and returns the result
// with the [Exceptions] it raised; the caller ORs them into MXCSR and decides
// whether an unmasked exception traps. Nothing allocates.
//
// The arithmetic works on an unpacked form — sign, exponent, and a 64-bit
// significand normalised to bit 63 whose bit 0 is a sticky bit — computed
// exactly with integer operations (math/bits.Mul64 and Div64) and rounded
// once by roundPack. Host floating point appears only where it is exact by
// construction: square root takes math.Sqrt's correctly rounded root and the
// sign of its error from math.FMA, and binary64 add, subtract, multiply and
// divide of ordinary operands take a fast path (fast.go) that gets the
// rounding direction from an error-free transformation. RATIONALE.md
// records the decisions and the host measurements behind them.
//
// x86 behaviour the package reproduces, measured on the host where noted:
//   - Tininess is detected after rounding (on the result rounded to the
//     destination precision with an unbounded exponent, in the current
//     rounding mode). Masked underflow (UE) is signalled only for tiny
//     inexact results; unmasked, for every tiny result.
//   - FTZ (underflow masked) turns every tiny result, exact or not, into a
//     zero of the same sign and signals UE and PE.
//   - DAZ turns denormal operands into zeros of the same sign before the
//     operation and then DE is not signalled.
//   - A NaN operand makes the result the first NaN operand, quieted (x86
//     "first source wins"); an SNaN operand signals IE; invalid operations
//     return the default NaN with the sign bit set (0xFFC00000,
//     0xFFF8000000000000). NaN operands, invalid operations and division by
//     zero take precedence over the denormal-operand exception (DE).
//   - Conversions to integers return the integer indefinite value
//     (0x80000000, 0x8000000000000000) with IE for NaN and out-of-range
//     operands; they never signal DE.
//   - MIN and MAX return the second operand when either operand is a NaN
//     (signalling IE even for QNaNs) or when both are zeros.
//
// RCP and RSQRT are approximations whose exact results the SDM leaves to the
// implementation; [Rcp32] and [Rsqrt32] reproduce the AMD Zen results bit for
// bit from delta tables recorded with testdata/rcpgen.c.
package softfp
