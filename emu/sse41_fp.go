package emu

import (
	"math"

	"gemu/internal/softfp"

	"golang.org/x/arch/x86/x86asm"
)

// SSE4.1 floating point: rounding to an integral value and dot products.
var sse41FPOps = []opEntry{
	{x86asm.ROUNDPS, opInfo{fn: execRound, sub: ps}},
	{x86asm.ROUNDSS, opInfo{fn: execRound, sub: ss}},
	{x86asm.ROUNDPD, opInfo{fn: execRound, sub: pd}},
	{x86asm.ROUNDSD, opInfo{fn: execRound, sub: sd}},
	{x86asm.DPPS, opInfo{fn: execDpps}},
	{x86asm.DPPD, opInfo{fn: execDppd}},
}

// ROUND* immediate bits.
const (
	roundUseMXCSR = 1 << 2 // round as MXCSR.RC says, not as imm8[1:0]
	roundNoPE     = 1 << 3 // do not signal precision
)

// floatFormat describes binary32 or binary64 for roundIntegral.
type floatFormat struct {
	mantBits uint   // stored mantissa bits (23, 52)
	expMask  uint64 // biased exponent field, unshifted
	bias     int
	signBit  uint64
}

var (
	binary32 = floatFormat{mantBits: 23, expMask: 0xff, bias: 127, signBit: 1 << 31}
	binary64 = floatFormat{mantBits: 52, expMask: 0x7ff, bias: 1023, signBit: 1 << 63}
)

// roundIntegral rounds the floating-point value x (bits of format f) to an
// integral value in rounding mode rc. A signalling NaN becomes quiet and
// raises IE, an inexact result raises PE; with daz a denormal reads as
// zero. Zeros, infinities and integral values come back unchanged, signs
// included (a result that rounds to zero keeps the sign of x).
func roundIntegral(f floatFormat, x uint64, rc softfp.RoundingMode, daz bool) (uint64, softfp.Exceptions) {
	sign := x & f.signBit
	exp := int(x >> f.mantBits & f.expMask)
	mant := x & (1<<f.mantBits - 1)
	switch {
	case uint64(exp) == f.expMask: // infinity or NaN
		if mant != 0 && mant>>(f.mantBits-1) == 0 {
			return x | 1<<(f.mantBits-1), softfp.IE
		}
		return x, 0
	case exp == 0 && (mant == 0 || daz):
		return sign, 0
	}
	if exp >= f.bias+int(f.mantBits) { // already integral
		return x, 0
	}
	// |x| = m·2^-shift with m the significand as an integer.
	m := mant
	shift := f.bias + int(f.mantBits) - exp
	if exp == 0 {
		shift-- // denormal: exponent 1 - bias, no implicit bit
	} else {
		m |= 1 << f.mantBits
	}
	var q, rem, half uint64
	if shift > 62 {
		q, rem, half = 0, m, 1<<62 // rem < half: below one half
	} else {
		q, rem, half = m>>uint(shift), m&(1<<uint(shift)-1), 1<<uint(shift-1)
	}
	if rem == 0 {
		return x, 0
	}
	neg := sign != 0
	switch rc {
	case softfp.RoundNearest:
		if rem > half || rem == half && q&1 != 0 {
			q++
		}
	case softfp.RoundDown:
		if neg {
			q++
		}
	case softfp.RoundUp:
		if !neg {
			q++
		}
	}
	var r uint64
	if f.mantBits == 52 {
		r = math.Float64bits(float64(q))
	} else {
		r = uint64(math.Float32bits(float32(q)))
	}
	return r | sign, softfp.PE
}

// execRound: ROUNDPS, ROUNDSS, ROUNDPD, ROUNDSD round each element (the
// scalar forms only the low one; the others keep the destination's) to an
// integral value, in the rounding mode of imm8[1:0] or of MXCSR
// (imm8[2]). imm8[3] suppresses the precision exception. The scalar forms
// read 4 or 8 bytes of memory, which need not be aligned.
func execRound(c *CPU, in *inst) bool {
	lo, hi, ok := c.xmmSrc(in, in.args[1])
	if !ok {
		return false
	}
	env := c.fpEnv()
	rc := softfp.RoundingMode(in.imm & 3)
	if in.imm&roundUseMXCSR != 0 {
		rc = env.RC
	}
	d := &c.X[in.args[0].reg]
	r := *d
	src := vec{lo, hi}
	var fl softfp.Exceptions
	scalar := in.sub&fpScalar != 0
	if in.sub&fpDouble != 0 {
		for i := range 2 {
			if i == 1 && scalar {
				break
			}
			v, f := roundIntegral(binary64, src[i], rc, env.DAZ)
			r[i] = v
			fl |= f
		}
	} else {
		n := 4
		if scalar {
			n = 1
		}
		for i := 0; i < n; i++ {
			v, f := roundIntegral(binary32, lane32(lo, hi, i), rc, env.DAZ)
			setLane32(&r, i, uint32(v))
			fl |= f
		}
	}
	if in.imm&roundNoPE != 0 {
		fl &^= softfp.PE
	}
	if !c.fpDone(fl) {
		return false
	}
	*d = r
	return true
}

// execDpps: the products of the elements selected by imm8[7:4] (+0.0 for
// the others) are summed as (p0 + p1) + (p2 + p3), each step rounded as
// MXCSR says, and the sum goes to the elements selected by imm8[3:0] (+0.0
// to the others).
func execDpps(c *CPU, in *inst) bool {
	lo, hi, ok := c.xmmSrc(in, in.args[1])
	if !ok {
		return false
	}
	d := &c.X[in.args[0].reg]
	env := c.fpEnv()
	var fl softfp.Exceptions
	var p [4]uint32
	for i := 0; i < 4; i++ {
		if in.imm>>(4+i)&1 != 0 {
			v, f := softfp.Mul32(uint32(lane32(d[0], d[1], i)), uint32(lane32(lo, hi, i)), env)
			p[i] = v
			fl |= f
		}
	}
	s1, f1 := softfp.Add32(p[0], p[1], env)
	s2, f2 := softfp.Add32(p[2], p[3], env)
	s, f3 := softfp.Add32(s1, s2, env)
	fl |= f1 | f2 | f3
	if !c.fpDone(fl) {
		return false
	}
	var r vec
	for i := 0; i < 4; i++ {
		if in.imm>>i&1 != 0 {
			setLane32(&r, i, s)
		}
	}
	*d = r
	return true
}

// execDppd is DPPS for the two binary64 elements (imm8[5:4] select the
// products, imm8[1:0] the destination elements).
func execDppd(c *CPU, in *inst) bool {
	lo, hi, ok := c.xmmSrc(in, in.args[1])
	if !ok {
		return false
	}
	d := &c.X[in.args[0].reg]
	src := vec{lo, hi}
	env := c.fpEnv()
	var fl softfp.Exceptions
	var p [2]uint64
	for i := range 2 {
		if in.imm>>(4+i)&1 != 0 {
			v, f := softfp.Mul64(d[i], src[i], env)
			p[i] = v
			fl |= f
		}
	}
	s, f := softfp.Add64(p[0], p[1], env)
	fl |= f
	if !c.fpDone(fl) {
		return false
	}
	var r vec
	for i := range 2 {
		if in.imm>>i&1 != 0 {
			r[i] = s
		}
	}
	*d = r
	return true
}
