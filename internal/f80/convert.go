// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package f80

import "math/bits"

// ieeeFormat is a binary interchange format a memory operand can have.
type ieeeFormat uint8

const (
	binary32 ieeeFormat = iota
	binary64
)

func (f ieeeFormat) fracBits() uint {
	if f == binary32 {
		return 23
	}
	return 52
}

func (f ieeeFormat) expBits() uint {
	if f == binary32 {
		return 8
	}
	return 11
}

func (f ieeeFormat) bias() int32 { return 1<<(f.expBits()-1) - 1 }

// widen converts an IEEE value to extended exactly, keeping a signalling NaN
// signalling; denormal reports that the source was a denormal.
func widen(b uint64, f ieeeFormat) (r F80, denormal bool) {
	fb, eb := f.fracBits(), f.expBits()
	s := sign(b>>(fb+eb)&1 != 0)
	exp := int32(b >> fb & (1<<eb - 1))
	frac := b & (1<<fb - 1)
	switch {
	case exp == 1<<eb-1: // ∞ or NaN; the quiet bit lands on bit 62
		return F80{Mant: intBit | frac<<(63-fb), SE: s | expMax}, false
	case exp == 0 && frac == 0:
		return F80{SE: s}, false
	case exp == 0:
		lz := int32(bits.LeadingZeros64(frac))
		e := 1 - f.bias() - int32(fb) + 63 - lz
		return F80{Mant: frac << lz, SE: s | uint16(e+expBias)}, true
	}
	return F80{Mant: intBit | frac<<(63-fb), SE: s | uint16(exp-f.bias()+expBias)}, false
}

// load is FLD of a memory float: exact, except that a signalling NaN raises IE
// and is quieted and a denormal raises DE.
func load(b uint64, f ieeeFormat, e *Env) F80 {
	e.block = fromMemory
	e.RoundedUp = false
	r, den := widen(b, f)
	if den {
		e.raise(DE)
	}
	if unpack(r).k == kSNaN {
		e.raise(IE)
		r = quiet(r)
	}
	return r
}

// FromFloat32Bits converts a single-precision value, given by its bits, as FLD
// m32fp does.
func FromFloat32Bits(b uint32, e *Env) F80 { return load(uint64(b), binary32, e) }

// FromFloat64Bits converts a double-precision value, given by its bits, as FLD
// m64fp does.
func FromFloat64Bits(b uint64, e *Env) F80 { return load(b, binary64, e) }

// store converts a to an IEEE format as FST does: rounded by the rounding
// control (not the precision control), with the format's overflow and
// underflow responses. A NaN keeps the top of its fraction (an SNaN is quieted
// and raises IE); an unsupported operand stores the format's indefinite NaN.
// A denormal source does not raise DE (SDM vol. 2, FST: no #D).
func store(a F80, f ieeeFormat, e *Env) uint64 {
	e.block = toMemory
	e.RoundedUp = false
	fb := f.fracBits()
	expField := uint64(1)<<f.expBits() - 1
	x := unpack(a)
	s := uint64(0)
	if x.neg {
		s = 1 << (fb + f.expBits())
	}
	switch x.k {
	case kUnsupported:
		e.raise(IE)
		return 1<<(fb+f.expBits()) | expField<<fb | 1<<(fb-1)
	case kSNaN:
		e.raise(IE)
		fallthrough
	case kQNaN:
		return s | expField<<fb | (a.Mant|qBit)<<1>>(64-fb)
	case kZero:
		return s
	case kInf:
		return s | expField<<fb
	}
	exp, sig := e.roundTo(x.neg, x.exp, x.sig, 0, dest{p: fb + 1, emin: 1 - f.bias(), emax: f.bias(), memory: true})
	if exp > f.bias() {
		return s | expField<<fb
	}
	field := uint64(exp + f.bias())
	if sig&intBit == 0 {
		field = 0
	}
	return s | field<<fb | sig<<1>>(64-fb)
}

// ToFloat32Bits converts a to single precision as FST m32fp does and returns
// the bits to store. Preconditions: the caller stores nothing when
// e.Suppressed() (unmasked IE, OE or UE).
func ToFloat32Bits(a F80, e *Env) uint32 { return uint32(store(a, binary32, e)) }

// ToFloat64Bits converts a to double precision as FST m64fp does and returns
// the bits to store. Preconditions: as ToFloat32Bits.
func ToFloat64Bits(a F80, e *Env) uint64 { return store(a, binary64, e) }

// FromInt64 converts an integer exactly (FILD; also for m16int and m32int
// operands of FIADD and the like).
func FromInt64(v int64) F80 {
	if v == 0 {
		return F80{}
	}
	neg := v < 0
	m := uint64(v)
	if neg {
		m = -m
	}
	lz := bits.LeadingZeros64(m)
	return pack(neg, int32(63-lz), m<<lz)
}

// intPart splits a finite x with x.exp < 63 into its integer part (hi) and its
// fraction (lo, with the ½ bit on top and lower bits jammed into bit 0).
func intPart(x num) (hi, lo uint64) {
	switch {
	case x.exp >= 0:
		return shiftRight128(x.sig, 0, uint(63-x.exp))
	case x.exp == -1:
		return 0, x.sig
	}
	return 0, 1
}

// toInt converts to a w-bit two's-complement integer, rounding in direction
// rc. NaNs, infinities, unsupported formats and out-of-range values raise IE
// and give the integer indefinite (only the sign bit set). A denormal source
// does not raise DE (SDM vol. 2, FIST: no #D).
func (e *Env) toInt(a F80, w uint, rc RoundingMode) int64 {
	e.block = toMemory
	e.RoundedUp = false
	indefinite := int64(-1) << (w - 1)
	x := unpack(a)
	switch {
	case x.k == kZero:
		return 0
	case x.k != kFinite, x.exp >= 63:
		if x.k == kFinite && w == 64 && x.neg && x.exp == 63 && x.sig == intBit {
			return indefinite // exactly -2^63
		}
		e.raise(IE)
		return indefinite
	}
	hi, lo := intPart(x)
	r, inexact, up, _ := roundSig(hi, lo, 0, x.neg, rc)
	limit := uint64(1) << (w - 1)
	if !x.neg {
		limit--
	}
	if r > limit {
		e.raise(IE)
		return indefinite
	}
	e.RoundedUp = up
	if inexact {
		e.raise(PE)
	}
	if x.neg {
		return -int64(r)
	}
	return int64(r)
}

// ToInt64 converts a to an integer rounded by the rounding control (FISTP
// m64int). Preconditions: the caller stores nothing when e.Suppressed().
func ToInt64(a F80, e *Env) int64 { return e.toInt(a, 64, e.RC) }

// ToInt32 is ToInt64 for FIST m32int.
func ToInt32(a F80, e *Env) int32 { return int32(e.toInt(a, 32, e.RC)) }

// ToInt16 is ToInt64 for FIST m16int.
func ToInt16(a F80, e *Env) int16 { return int16(e.toInt(a, 16, e.RC)) }

// TruncInt64 converts a to an integer rounded toward zero whatever the
// rounding control (FISTTP m64int).
func TruncInt64(a F80, e *Env) int64 { return e.toInt(a, 64, RoundZero) }

// TruncInt32 is TruncInt64 for FISTTP m32int.
func TruncInt32(a F80, e *Env) int32 { return int32(e.toInt(a, 32, RoundZero)) }

// TruncInt16 is TruncInt64 for FISTTP m16int.
func TruncInt16(a F80, e *Env) int16 { return int16(e.toInt(a, 16, RoundZero)) }

// FromBCD converts an 80-bit packed BCD integer (FBLD): 18 digits, two per
// byte with the low digit in the low nibble, least significant byte first,
// the sign in bit 7 of byte 9. It is exact and raises nothing; -0 gives -0.
// The SDM leaves nibbles above 9 undefined; here a nibble counts with its
// binary value.
func FromBCD(b [10]byte) F80 {
	var v uint64
	for i := 8; i >= 0; i-- {
		v = v*100 + uint64(b[i]>>4)*10 + uint64(b[i]&15)
	}
	r := FromInt64(int64(v)) // v < 1.7·10^18 < 2^63
	if b[9]&0x80 != 0 {
		r = r.Neg()
	}
	return r
}

// bcdIndefinite returns the packed BCD integer indefinite FBSTP stores for
// an invalid operation: bytes 7-9 = C0 FF FF.
func bcdIndefinite() [10]byte { return [10]byte{7: 0xC0, 8: 0xFF, 9: 0xFF} }

// ToBCD converts a to an 18-digit packed BCD integer as FBSTP does: rounded by
// the rounding control; NaNs, infinities, unsupported formats and values whose
// rounded magnitude exceeds 10^18-1 raise IE and give the BCD indefinite.
// Preconditions: the caller stores nothing when e.Suppressed().
func ToBCD(a F80, e *Env) [10]byte {
	e.block = toMemory
	e.RoundedUp = false
	x := unpack(a)
	var out [10]byte
	if x.neg {
		out[9] = 0x80
	}
	switch {
	case x.k == kZero:
		return out
	case x.k != kFinite, x.exp >= 63:
		e.raise(IE)
		return bcdIndefinite()
	}
	hi, lo := intPart(x)
	r, inexact, up, _ := roundSig(hi, lo, 0, x.neg, e.RC)
	if r > 999_999_999_999_999_999 {
		e.raise(IE)
		return bcdIndefinite()
	}
	e.RoundedUp = up
	if inexact {
		e.raise(PE)
	}
	for i := 0; i < 9; i++ {
		out[i] = byte(r%10) | byte(r/10%10)<<4
		r /= 100
	}
	return out
}
