// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package f80

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// F80 is an x87 double extended-precision value exactly as the hardware stores
// it: SE holds the sign (bit 15) and the biased exponent (bits 0-14), Mant the
// 64-bit significand whose bit 63 is the explicit integer bit. Every bit
// pattern is a valid F80, including the encodings the x87 rejects as
// unsupported (unnormals, pseudo-infinities, pseudo-NaNs).
type F80 struct {
	Mant uint64
	SE   uint16
}

const (
	expBias = 16383
	expMax  = 0x7FFF // biased exponent of infinities and NaNs
	intBit  = uint64(1) << 63
	qBit    = uint64(1) << 62 // quiet bit of a NaN
	signBit = uint16(0x8000)

	minExp = 1 - expBias // unbiased exponent of the smallest normal, -16382
	maxExp = expBias     // unbiased exponent of the largest finite value

	// biasAdjust is the x87's exponent adjustment for a result delivered to a
	// register when overflow or underflow is unmasked (SDM vol. 1 §8.5.4-8.5.5).
	biasAdjust = 24576
)

// Indefinite returns the x87 default NaN ("real indefinite"): negative, quiet,
// fraction 0x4000…. It is the masked response to most invalid operations and
// to stack faults.
func Indefinite() F80 { return F80{Mant: intBit | qBit, SE: signBit | expMax} }

// One returns +1.0.
func One() F80 { return F80{Mant: intBit, SE: expBias} }

// Inf returns +∞, or -∞ when neg.
func Inf(neg bool) F80 { return inf(neg) }

// FromBytes decodes the 10-byte little-endian memory format (significand in
// bytes 0-7, sign and exponent in bytes 8-9).
func FromBytes(b [10]byte) F80 {
	return F80{Mant: binary.LittleEndian.Uint64(b[0:8]), SE: binary.LittleEndian.Uint16(b[8:10])}
}

// Bytes encodes a in the 10-byte little-endian memory format.
func (a F80) Bytes() [10]byte {
	var b [10]byte
	binary.LittleEndian.PutUint64(b[0:8], a.Mant)
	binary.LittleEndian.PutUint16(b[8:10], a.SE)
	return b
}

// Signbit reports whether a's sign bit is set.
func (a F80) Signbit() bool { return a.SE&signBit != 0 }

// Neg returns a with its sign flipped (FCHS): no flags, NaNs included.
func (a F80) Neg() F80 { a.SE ^= signBit; return a }

// Abs returns a with its sign cleared (FABS).
func (a F80) Abs() F80 { a.SE &^= signBit; return a }

// IsNaN reports whether a is a quiet or signalling NaN (not a pseudo-NaN).
func (a F80) IsNaN() bool { return a.SE&expMax == expMax && a.Mant&intBit != 0 && a.Mant<<1 != 0 }

// String formats the raw encoding as "SSSS:MMMMMMMMMMMMMMMM" in hex.
func (a F80) String() string { return fmt.Sprintf("%04x:%016x", a.SE, a.Mant) }

// Class is an FXAM class.
type Class uint8

const (
	ClassUnsupported Class = iota // unnormal, pseudo-NaN, pseudo-infinity
	ClassNaN
	ClassNormal
	ClassInfinity
	ClassZero
	ClassEmpty // never returned by Classify: the caller knows the tag word
	ClassDenormal
)

// Classify returns a's FXAM class; the sign is a.Signbit() (FXAM's C1).
// A pseudo-denormal classifies as denormal.
func Classify(a F80) Class {
	exp := a.SE & expMax
	switch {
	case exp == 0:
		if a.Mant == 0 {
			return ClassZero
		}
		return ClassDenormal
	case a.Mant&intBit == 0:
		return ClassUnsupported
	case exp != expMax:
		return ClassNormal
	case a.Mant<<1 == 0:
		return ClassInfinity
	}
	return ClassNaN
}

// Codes returns the FSW condition-code bits FXAM sets for the class: C0 (bit
// 8), C2 (bit 10) and C3 (bit 14). C1, the sign, is the caller's.
func (c Class) Codes() uint16 {
	var w uint16
	if c&1 != 0 {
		w |= 1 << 8
	}
	if c&2 != 0 {
		w |= 1 << 10
	}
	if c&4 != 0 {
		w |= 1 << 14
	}
	return w
}

// kind is the arithmetic view of an operand.
type kind uint8

const (
	kZero kind = iota
	kFinite
	kInf
	kQNaN
	kSNaN
	kUnsupported
)

// num is an unpacked operand or result: value = sig × 2^(exp-63) with sig's bit
// 63 set for a non-zero finite value (denormals are normalised, so exp may be
// below minExp).
type num struct {
	k     kind
	neg   bool
	denor bool // the encoding was a denormal or pseudo-denormal
	exp   int32
	sig   uint64
}

func unpack(a F80) num {
	exp := int32(a.SE & expMax)
	if uint32(exp-1) < expMax-1 && a.Mant&intBit != 0 { // normal: the common case
		return num{k: kFinite, neg: a.SE&signBit != 0, exp: exp - expBias, sig: a.Mant}
	}
	return unpackOther(a)
}

func unpackOther(a F80) num {
	n := num{neg: a.SE&signBit != 0}
	exp := int32(a.SE & expMax)
	switch {
	case exp == 0:
		if a.Mant == 0 {
			n.k = kZero
			return n
		}
		lz := bits.LeadingZeros64(a.Mant)
		n.k, n.denor, n.exp, n.sig = kFinite, true, minExp-int32(lz), a.Mant<<lz
	case a.Mant&intBit == 0:
		n.k = kUnsupported
	default: // exp == expMax
		switch {
		case a.Mant<<1 == 0:
			n.k = kInf
		case a.Mant&qBit != 0:
			n.k = kQNaN
		default:
			n.k = kSNaN
		}
	}
	return n
}

func (n num) isNaN() bool { return n.k == kQNaN || n.k == kSNaN }

// pack encodes a normalised in-range finite value (minExp ≤ exp ≤ maxExp).
func pack(neg bool, exp int32, sig uint64) F80 {
	return F80{Mant: sig, SE: sign(neg) | uint16(exp+expBias)}
}

func sign(neg bool) uint16 {
	if neg {
		return signBit
	}
	return 0
}

func zero(neg bool) F80 { return F80{SE: sign(neg)} }

func inf(neg bool) F80 { return F80{Mant: intBit, SE: sign(neg) | expMax} }
