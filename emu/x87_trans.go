// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package emu

import "gemu/internal/f80"

// The transcendental instructions: FSIN, FCOS, FSINCOS, FPTAN, FPATAN,
// F2XM1, FYL2X, FYL2XP1. Results are computed in the 128-bit xf format
// (x87_xf.go) and rounded once to 64 bits in the rounding control's
// direction (precision control does not apply). They follow the host CPU
// as measured:
//   - FSIN, FCOS, FSINCOS and FPTAN reduce their argument modulo π/2
//     exactly, but with π replaced by its 66-bit approximation P (as the
//     SDM describes for Intel parts, §8.3.10); the reduced argument's sine
//     or cosine is then correctly rounded (the host's is within 0.53 ulp).
//   - A finite result that is not one of the special cases of the SDM's
//     tables always raises PE, even when it happens to be exact
//     (FYL2X with x = 2^k, F2XM1(-1)).
//   - F2XM1 outside [-1, 1] returns its operand (with PE); F2XM1(1)
//     delivers the largest value below 1 rounded in the current direction.
//   - FYL2XP1 with x ≤ -1 returns x (with PE).

// execFtrig sub values.
const (
	trigSin = iota
	trigCos
	trigSinCos
	trigTan
)

// The host's π/2 is P/2 = (trigQhi:trigQlo) × 2^-65, where trigQhi:trigQlo
// = ⌊π × 2^64⌋ has 66 bits (the differential guest pins the width: 64 or
// 65 bits, or 69 and more, disagree with the host).
const (
	trigQhi = 0x3
	trigQlo = 0x243F6A8885A308D3
)

// reduceTrig reduces x exactly: x = n·P/2 + r with n the nearest integer.
// It returns r and n mod 4.
// Preconditions: x is finite, supported, non-zero and |x| < 2^63.
func reduceTrig(a f80.F80) (r xf, q uint64) {
	x := xfFromF80(a)
	neg := x.neg
	x.neg = false
	if x.exp+2 >= 0 {
		// rem = (significand << (exp+2)) mod Q, one bit at a time.
		rh, rl := uint64(0), x.hi
		var n uint64
		for k := int32(0); k < x.exp+2; k++ {
			rh, rl = rh<<1|rl>>63, rl<<1
			n <<= 1
			if rh > trigQhi || rh == trigQhi && rl >= trigQlo {
				var b uint64
				if rl < trigQlo {
					b = 1
				}
				rl -= trigQlo
				rh -= trigQhi + b
				n |= 1
			}
		}
		// Round the quotient to nearest: 2·rem > Q. Q is odd: no ties.
		rneg := false
		if dh := rh<<1 | rl>>63; dh > trigQhi || dh == trigQhi && rl<<1 > trigQlo {
			var b uint64
			if trigQlo < rl {
				b = 1
			}
			rl = trigQlo - rl
			rh = trigQhi - rh - b
			n++
			rneg = true
		}
		x = norm192(rneg, 62, rh, rl, 0)
		q = n & 3
	}
	if neg {
		x = x.negate()
		q = -q & 3
	}
	return x, q
}

// trigOf turns the sine and cosine of a reduced argument into those of
// the argument in quadrant q.
func trigOf(s, c xf, q uint64) (xf, xf) {
	switch q {
	case 1:
		s, c = c, s.negate()
	case 2:
		s, c = s.negate(), c.negate()
	case 3:
		s, c = c.negate(), s
	}
	return s, c
}

// inexact delivers a computed result, which always raises PE (and UE
// when tiny).
func inexact(v xf, e *f80.Env) f80.F80 { return roundXF(v, true, e) }

// nanResult is the result of an operation on NaN or unsupported operands:
// the x87's NaN propagation, as f80 implements it for addition.
func nanResult(a, b f80.F80, e *f80.Env) f80.F80 { return f80.Add(a, b, e) }

func isNaNOrUnsupported(k f80.Class) bool {
	return k == f80.ClassNaN || k == f80.ClassUnsupported
}

// suppressed reports whether an unmasked IE, DE or ZE keeps the
// instruction from writing its register results and popping.
func suppressed(e *f80.Env) bool { return e.Flags&e.Traps&(f80.IE|f80.DE|f80.ZE) != 0 }

// denormalStop raises DE for a denormal operand and reports whether an
// unmasked DE stops the instruction.
func denormalStop(e *f80.Env, ks ...f80.Class) bool {
	for _, k := range ks {
		if k == f80.ClassDenormal {
			e.Flags |= f80.DE
			return e.Traps&f80.DE != 0
		}
	}
	return false
}

// execFtrig: FSIN, FCOS, FSINCOS (ST(0) = cos, ST(1) = sin) and FPTAN
// (ST(0) = 1, ST(1) = tan).
func execFtrig(c *CPU, in *inst) bool {
	f := &c.fpu
	push := in.sub == trigSinCos || in.sub == trigTan
	if f.empty(0) {
		if f.stackFault(false) {
			f.set(0, f80.Indefinite())
			if push {
				f.pushChecked(f80.Indefinite())
			}
		}
		return true
	}
	if push && !f.empty(7) {
		if f.stackFault(true) {
			f.set(0, f80.Indefinite())
			f.push(f80.Indefinite())
		}
		return true
	}
	x := f.get(0)
	e := f.env64()
	var r0, r1 f80.F80 // ST(0)'s new value and, for the pushing forms, the pushed one
	k := f80.Classify(x)
	switch {
	case isNaNOrUnsupported(k):
		r0 = nanResult(x, x, &e)
		r1 = r0
	case k == f80.ClassInfinity:
		e.Flags |= f80.IE
		r0, r1 = f80.Indefinite(), f80.Indefinite()
	case k == f80.ClassZero:
		switch in.sub {
		case trigSin:
			r0 = x
		case trigCos:
			r0 = f80.One()
		default:
			r0, r1 = x, f80.One()
		}
	case x.SE&0x7fff >= 16383+63:
		// Out of range: C2 set, the operand is left alone.
		f.sw |= swC2
		f.sw &^= swC1
		return true
	default:
		if denormalStop(&e, k) {
			f.merge(&e)
			return true
		}
		r, q := reduceTrig(x)
		s, co := xsinCos(r)
		if in.sub == trigTan {
			if q&1 == 0 {
				r0 = inexact(xtan(r, s, co), &e)
			} else {
				r0 = inexact(xdiv(co, s).negate(), &e) // -cot r
			}
			r1 = f80.One()
			break
		}
		s, co = trigOf(s, co, q)
		switch in.sub {
		case trigSin:
			r0 = inexact(s, &e)
		case trigCos:
			r0 = inexact(co, &e)
		default:
			// C1 is the sine's (ST(1)); the cosine's flags join in.
			ec := e
			r1 = inexact(co, &ec)
			r0 = inexact(s, &e)
			e.Flags |= ec.Flags
		}
	}
	f.merge(&e)
	if suppressed(&e) {
		return true
	}
	f.sw &^= swC2
	f.set(0, r0)
	if push {
		f.push(r1)
	}
	return true
}

// execFpatan: ST(1) = the angle of (ST(0), ST(1)), then pop.
func execFpatan(c *CPU, in *inst) bool {
	f := &c.fpu
	if f.empty(0) || f.empty(1) {
		if f.stackFault(false) {
			f.set(1, f80.Indefinite())
			f.pop()
		}
		return true
	}
	x, y := f.get(0), f.get(1)
	kx, ky := f80.Classify(x), f80.Classify(y)
	e := f.env64()
	var r f80.F80
	switch {
	case isNaNOrUnsupported(kx) || isNaNOrUnsupported(ky):
		r = nanResult(y, x, &e)
	case denormalStop(&e, kx, ky):
		f.merge(&e)
		return true
	case ky == f80.ClassZero:
		if x.Signbit() {
			r = inexact(xfPi.withSign(y.Signbit()), &e)
		} else {
			r = y
			e.RoundedUp = false
		}
	case ky == f80.ClassInfinity:
		a := xfPi.scale(-1) // π/2
		if kx == f80.ClassInfinity {
			a = xfPi.scale(-2) // π/4
			if x.Signbit() {
				a = xmul(xfPi, xfFromInt(3)).scale(-2)
			}
		}
		r = inexact(a.withSign(y.Signbit()), &e)
	case kx == f80.ClassZero:
		r = inexact(xfPi.scale(-1).withSign(y.Signbit()), &e)
	case kx == f80.ClassInfinity:
		if x.Signbit() {
			r = inexact(xfPi.withSign(y.Signbit()), &e)
		} else {
			r = f80.F80{SE: y.SE & 0x8000}
			e.RoundedUp = false
		}
	default:
		r = inexact(xatan2(xfFromF80(y), xfFromF80(x)), &e)
	}
	f.merge(&e)
	if suppressed(&e) {
		return true
	}
	f.set(1, r)
	f.pop()
	return true
}

// withSign returns a with its sign set to neg.
func (a xf) withSign(neg bool) xf { a.neg = neg; return a }

// execF2xm1: ST(0) = 2^ST(0) - 1.
func execF2xm1(c *CPU, in *inst) bool {
	f := &c.fpu
	if f.empty(0) {
		if f.stackFault(false) {
			f.set(0, f80.Indefinite())
		}
		return true
	}
	x := f.get(0)
	k := f80.Classify(x)
	e := f.env64()
	var r f80.F80
	switch {
	case isNaNOrUnsupported(k):
		r = nanResult(x, x, &e)
	case k == f80.ClassZero:
		r = x
		e.RoundedUp = false
	case k == f80.ClassInfinity:
		r = x
		if x.Signbit() {
			r = f80.One().Neg()
		}
		e.RoundedUp = false
	case denormalStop(&e, k):
		f.merge(&e)
		return true
	case x.SE&0x7fff >= 16383 && x != f80.One():
		// |x| > 1 or x = -1.
		if x == f80.One().Neg() {
			r = inexact(xfOne.scale(-1).negate(), &e)
			break
		}
		r = x
		e.RoundedUp = false
		e.Flags |= f80.PE
	case x == f80.One():
		// The host delivers 1 rounded from just below.
		r = inexact(xf{hi: ^uint64(0), lo: ^uint64(0), exp: -1}, &e)
	default:
		r = inexact(xexpm1(xmul(xfFromF80(x), xfLn2)), &e)
	}
	f.merge(&e)
	if !suppressed(&e) {
		f.set(0, r)
	}
	return true
}

// execFyl2x: FYL2X (sub 0): ST(1) = ST(1) × log2 ST(0); FYL2XP1 (sub 1):
// ST(1) = ST(1) × log2(ST(0) + 1); then pop.
func execFyl2x(c *CPU, in *inst) bool {
	f := &c.fpu
	if f.empty(0) || f.empty(1) {
		if f.stackFault(false) {
			f.set(1, f80.Indefinite())
			f.pop()
		}
		return true
	}
	x, y := f.get(0), f.get(1)
	kx, ky := f80.Classify(x), f80.Classify(y)
	e := f.env64()
	r, ok := yLog2(in.sub == 1, x, y, kx, ky, &e)
	if !ok {
		f.merge(&e)
		return true
	}
	f.merge(&e)
	if suppressed(&e) {
		return true
	}
	f.set(1, r)
	f.pop()
	return true
}

// yLog2 computes FYL2X or (p1) FYL2XP1. ok is false when an unmasked DE
// stops the instruction. An invalid operation or a zero divide takes
// precedence over a denormal operand (host-measured).
func yLog2(p1 bool, x, y f80.F80, kx, ky f80.Class, e *f80.Env) (r f80.F80, ok bool) {
	if isNaNOrUnsupported(kx) || isNaNOrUnsupported(ky) {
		return nanResult(y, x, e), true
	}
	e.RoundedUp = false
	xneg := x.Signbit()
	yneg := y.Signbit()
	invalid := func() (f80.F80, bool) {
		e.Flags |= f80.IE
		return f80.Indefinite(), true
	}
	// The logarithm's class when it is not a finite non-zero value.
	var lzero, linf, lneg bool
	switch {
	case p1 && kx == f80.ClassInfinity && xneg:
		return invalid()
	case p1 && xneg && x.SE&0x7fff >= 16383 && kx != f80.ClassZero:
		// x ≤ -1, outside the domain: the host treats the logarithm as
		// a negative number and returns x for a finite non-zero y.
		switch ky {
		case f80.ClassZero:
			return f80.F80{SE: signSE(!yneg)}, true
		case f80.ClassInfinity:
			return f80.Inf(!yneg), true
		}
		if denormalStop(e, ky) {
			return f80.F80{}, false
		}
		e.Flags |= f80.PE
		return x, true
	case p1 && kx == f80.ClassZero:
		lzero, lneg = true, xneg
	case p1 && kx == f80.ClassInfinity:
		linf = true
	case !p1 && xneg && kx != f80.ClassZero:
		return invalid()
	case !p1 && kx == f80.ClassZero:
		linf, lneg = true, true
	case !p1 && kx == f80.ClassInfinity:
		linf = true
	case !p1 && x == f80.One():
		lzero = true
	}
	sign := yneg != lneg
	switch {
	case linf && ky == f80.ClassZero, lzero && ky == f80.ClassInfinity:
		return invalid()
	case linf && !p1 && kx == f80.ClassZero && ky != f80.ClassInfinity:
		e.Flags |= f80.ZE
		return f80.Inf(sign), true
	}
	if denormalStop(e, kx, ky) {
		return f80.F80{}, false
	}
	switch {
	case linf:
		return f80.Inf(sign), true
	case lzero:
		return f80.F80{SE: signSE(sign)}, true
	}
	var l xf
	if p1 {
		l = xlog2p1(xfFromF80(x))
	} else {
		l = xlog2(xfFromF80(x))
	}
	switch ky {
	case f80.ClassInfinity:
		return f80.Inf(yneg != l.neg), true
	case f80.ClassZero:
		return f80.F80{SE: signSE(yneg != l.neg)}, true
	}
	return inexact(xmul(xfFromF80(y), l), e), true
}

func signSE(neg bool) uint16 {
	if neg {
		return 0x8000
	}
	return 0
}
