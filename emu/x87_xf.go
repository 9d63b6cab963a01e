// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package emu

import (
	"math"
	"math/bits"

	"gemu/internal/f80"
)

// xf is the working format of the transcendental instructions: a binary
// floating-point number with a 128-bit significand and an unbounded
// exponent, value = (-1)^neg × hi:lo × 2^(exp-127) with hi's top bit set,
// or zero when hi == 0. Operations truncate, OR-ing every bit they drop
// into the lowest bit ("jamming"), so that a result just below or above a
// representable value still rounds in the right direction. Each operation
// is accurate to about 2^-126 relative; the series below sum to well past
// the 64 bits an x87 result keeps.
type xf struct {
	hi, lo uint64
	exp    int32
	neg    bool
}

var (
	xfOne = xf{hi: 1 << 63}
	xfPi  = xf{hi: 0xC90FDAA22168C234, lo: 0xC4C6628B80DC1CD1, exp: 1}
	xfLn2 = xf{hi: 0xB17217F7D1CF79AB, lo: 0xC9E3B39803F2F6AF, exp: -1}
	// xfLog2e is 1/ln 2.
	xfLog2e = xf{hi: 0xB8AA3B295C17F0BB, lo: 0xBE87FED0691D3E89, exp: 0}
)

// xfAtan[k] is atan(k/16), rounded to 128 bits.
var xfAtan = [17]xf{
	{},
	{hi: 0xFFAADDB967EF4E36, lo: 0xCB2792DC0E2E0D51, exp: -5},
	{hi: 0xFEADD4D5617B6E32, lo: 0xC897989F3E888EF8, exp: -4},
	{hi: 0xBDCBDA5E72D81134, lo: 0x7B0B4F881C9C7488, exp: -3},
	{hi: 0xFADBAFC96406EB15, lo: 0x6DC79EF5F7A217E6, exp: -3},
	{hi: 0x9B13B9B83F5E5E69, lo: 0xC5ABB498D27AF328, exp: -2},
	{hi: 0xB7B0CA0F26F78473, lo: 0x8AA32122DCFE4483, exp: -2},
	{hi: 0xD327761E611FE5B6, lo: 0x427C95E9001E7136, exp: -2},
	{hi: 0xED63382B0DDA7B45, lo: 0x6FE445ECBC3A8D03, exp: -2},
	{hi: 0x832BF4A6D9867E2A, lo: 0x4B6A09CB61A515C1, exp: -1},
	{hi: 0x8F005D5EF7F59F9B, lo: 0x5C835E1665C43748, exp: -1},
	{hi: 0x9A2F80E671BDDA20, lo: 0x4226F8E2204FF3BD, exp: -1},
	{hi: 0xA4BC7D1934F70924, lo: 0x19A87F2A457DAC9F, exp: -1},
	{hi: 0xAEAC4C38B4D8C080, lo: 0x14725E2F3E52070A, exp: -1},
	{hi: 0xB8053E2BC2319E73, lo: 0xCB2DA55210A4443D, exp: -1},
	{hi: 0xC0CE85B8AC526640, lo: 0x89DD62C46E92FA25, exp: -1},
	{hi: 0xC90FDAA22168C234, lo: 0xC4C6628B80DC1CD1, exp: -1},
}

func (a xf) isZero() bool { return a.hi == 0 }

func (a xf) negate() xf { a.neg = !a.neg; return a }

// scale returns a × 2^n.
func (a xf) scale(n int32) xf {
	if !a.isZero() {
		a.exp += n
	}
	return a
}

// xfFromF80 converts a value exactly (denormals and pseudo-denormals
// included).
// Preconditions: a is finite, supported and non-zero.
func xfFromF80(a f80.F80) xf {
	neg := a.Signbit()
	e := int32(a.SE & 0x7fff)
	if e == 0 {
		lz := bits.LeadingZeros64(a.Mant)
		return xf{hi: a.Mant << lz, exp: -16382 - int32(lz), neg: neg}
	}
	return xf{hi: a.Mant, exp: e - 16383, neg: neg}
}

// xfFromInt converts a small integer exactly.
func xfFromInt(v int64) xf {
	if v == 0 {
		return xf{}
	}
	neg := v < 0
	m := uint64(v)
	if neg {
		m = -m
	}
	lz := bits.LeadingZeros64(m)
	return xf{hi: m << lz, exp: 63 - int32(lz), neg: neg}
}

// xfFromFloat64 converts a finite non-zero float64 exactly.
func xfFromFloat64(v float64) xf {
	fr, e := math.Frexp(math.Abs(v)) // v = fr × 2^e, fr in [0.5, 1)
	m := uint64(fr * (1 << 53))
	return xf{hi: m << 11, exp: int32(e) - 1, neg: v < 0}
}

// norm192 returns the value h:l:g × 2^(exp-191), normalised and truncated
// to 128 bits with the dropped bits jammed.
func norm192(neg bool, exp int32, h, l, g uint64) xf {
	var n int
	switch {
	case h != 0:
		n = bits.LeadingZeros64(h)
	case l != 0:
		n = 64 + bits.LeadingZeros64(l)
	case g != 0:
		n = 128 + bits.LeadingZeros64(g)
	default:
		return xf{}
	}
	h, l, g = shl192(h, l, g, uint(n))
	if g != 0 {
		l |= 1
	}
	return xf{hi: h, lo: l, exp: exp - int32(n), neg: neg}
}

func shl192(h, l, g uint64, n uint) (uint64, uint64, uint64) {
	for n >= 64 {
		h, l, g = l, g, 0
		n -= 64
	}
	if n > 0 {
		h = h<<n | l>>(64-n)
		l = l<<n | g>>(64-n)
		g <<= n
	}
	return h, l, g
}

// shr192 shifts h:l:g right by n, jamming the bits shifted out into the
// lowest bit.
func shr192(h, l, g uint64, n uint) (uint64, uint64, uint64) {
	if n >= 192 {
		if h|l|g != 0 {
			return 0, 0, 1
		}
		return 0, 0, 0
	}
	var sticky uint64
	for n >= 64 {
		sticky |= g
		h, l, g = 0, h, l
		n -= 64
	}
	if n > 0 {
		sticky |= g << (64 - n)
		g = g>>n | l<<(64-n)
		l = l>>n | h<<(64-n)
		h >>= n
	}
	if sticky != 0 {
		g |= 1
	}
	return h, l, g
}

// xadd returns a + b.
func xadd(a, b xf) xf {
	switch {
	case b.isZero():
		if a.isZero() {
			return xf{neg: a.neg && b.neg}
		}
		return a
	case a.isZero():
		return b
	}
	if a.exp < b.exp || a.exp == b.exp && (a.hi < b.hi || a.hi == b.hi && a.lo < b.lo) {
		a, b = b, a
	}
	d := a.exp - b.exp
	if d > 200 {
		d = 200
	}
	bh, bl, bg := shr192(b.hi, b.lo, 0, uint(d))
	if a.neg == b.neg {
		g, c := bits.Add64(0, bg, 0)
		l, c := bits.Add64(a.lo, bl, c)
		h, c := bits.Add64(a.hi, bh, c)
		exp := a.exp
		if c != 0 {
			h, l, g = shr192(h, l, g, 1)
			h |= 1 << 63
			exp++
		}
		return norm192(a.neg, exp, h, l, g)
	}
	g, bw := bits.Sub64(0, bg, 0)
	l, bw := bits.Sub64(a.lo, bl, bw)
	h, _ := bits.Sub64(a.hi, bh, bw)
	return norm192(a.neg, a.exp, h, l, g)
}

// xsub returns a - b.
func xsub(a, b xf) xf { return xadd(a, b.negate()) }

// xmul returns a × b.
func xmul(a, b xf) xf {
	neg := a.neg != b.neg
	if a.isZero() || b.isZero() {
		return xf{neg: neg}
	}
	hh1, hh0 := bits.Mul64(a.hi, b.hi)
	hl1, hl0 := bits.Mul64(a.hi, b.lo)
	lh1, lh0 := bits.Mul64(a.lo, b.hi)
	ll1, ll0 := bits.Mul64(a.lo, b.lo)
	w1, c1 := bits.Add64(ll1, hl0, 0)
	w1, c2 := bits.Add64(w1, lh0, 0)
	w2, c3 := bits.Add64(hh0, hl1, c1)
	w2, c4 := bits.Add64(w2, lh1, c2)
	w3 := hh1 + c3 + c4
	exp := a.exp + b.exp + 1
	if w3>>63 == 0 {
		w3 = w3<<1 | w2>>63
		w2 = w2<<1 | w1>>63
		w1 <<= 1
		exp--
	}
	if w1|ll0 != 0 {
		w2 |= 1
	}
	return xf{hi: w3, lo: w2, exp: exp, neg: neg}
}

// xdivSmall returns a / n for a small positive integer n.
func xdivSmall(a xf, n uint64) xf {
	if a.isZero() {
		return a
	}
	q2, r := a.hi/n, a.hi%n
	q1, r := bits.Div64(r, a.lo, n)
	q0, r := bits.Div64(r, 0, n)
	if r != 0 {
		q0 |= 1
	}
	return norm192(a.neg, a.exp, q2, q1, q0)
}

// xdiv returns a / b for b ≠ 0: a reciprocal from float64 refined by two
// Newton steps (53, 106, then the format's ~126 bits).
func xdiv(a, b xf) xf {
	if a.isZero() {
		return xf{neg: a.neg != b.neg}
	}
	bm := xf{hi: b.hi, lo: b.lo} // |b| scaled into [1, 2)
	y := xfFromFloat64(1 / (float64(b.hi) * 0x1p-63))
	for i := 0; i < 2; i++ {
		y = xadd(y, xmul(y, xsub(xfOne, xmul(bm, y))))
	}
	q := xmul(a, y)
	q.exp -= b.exp
	q.neg = a.neg != b.neg
	return q
}

// small reports whether term no longer changes sum.
func small(term, sum xf) bool {
	return term.isZero() || !sum.isZero() && term.exp < sum.exp-132
}

// xsinCos returns sin r and cos r for |r| < 1, by their Taylor series.
func xsinCos(r xf) (s, c xf) {
	r2 := xmul(r, r)
	s, term := r, r
	for k := uint64(1); k < 40; k++ {
		term = xdivSmall(xmul(term, r2), 2*k*(2*k+1)).negate()
		s = xadd(s, term)
		if small(term, s) {
			break
		}
	}
	c, term = xfOne, xfOne
	for k := uint64(1); k < 40; k++ {
		term = xdivSmall(xmul(term, r2), (2*k-1)*2*k).negate()
		c = xadd(c, term)
		if small(term, c) {
			break
		}
	}
	return s, c
}

// xexpm1 returns e^u - 1 for |u| < 1.
func xexpm1(u xf) xf {
	sum, term := u, u
	for k := uint64(2); k < 60; k++ {
		term = xdivSmall(xmul(term, u), k)
		sum = xadd(sum, term)
		if small(term, sum) {
			break
		}
	}
	return sum
}

// xtan returns sin/cos, or for a tiny argument (where the quotient of two
// jammed values could round the wrong way) the start of tan's series,
// r + r³/3 + 2r⁵/15.
func xtan(r, s, c xf) xf {
	if r.exp < -24 {
		r2 := xmul(r, r)
		r3 := xmul(r2, r)
		return xadd(r, xadd(xdivSmall(r3, 3), xdivSmall(xmul(r3, r2), 15).scale(1)))
	}
	return xdiv(s, c)
}

// xatanhSeries returns s + s³/3 + s⁵/5 + … (atanh s) for |s| < 0.5; with
// alternate set, s - s³/3 + s⁵/5 - … (atan s).
func xatanhSeries(s xf, alternate bool) xf {
	s2 := xmul(s, s)
	if alternate {
		s2 = s2.negate()
	}
	sum, p := s, s
	for k := uint64(1); k < 120; k++ {
		p = xmul(p, s2)
		term := xdivSmall(p, 2*k+1)
		sum = xadd(sum, term)
		if small(term, sum) {
			break
		}
	}
	return sum
}

// xatan01 returns atan t for 0 ≤ t ≤ 1: with c = k/16 the nearest
// sixteenth, atan t = atan c + atan((t-c)/(1+tc)), whose argument is at
// most 1/32.
func xatan01(t xf) xf {
	if t.isZero() || t.exp < -5 {
		return xatanhSeries(t, true)
	}
	k := int64(math.Floor(float64(t.hi)*math.Ldexp(1, int(t.exp)+4-63) + 0.5))
	if k <= 0 || k > 16 {
		return xatanhSeries(t, true)
	}
	c := xfFromInt(k).scale(-4)
	u := xdiv(xsub(t, c), xadd(xfOne, xmul(t, c)))
	return xadd(xfAtan[k], xatanhSeries(u, true))
}

// xatan2 returns the angle of (x, y) in (-π, π] for finite non-zero x, y.
func xatan2(y, x xf) xf {
	ay, ax := y, x
	ay.neg, ax.neg = false, false
	var r xf
	if ay.exp < ax.exp || ay.exp == ax.exp && (ay.hi < ax.hi || ay.hi == ax.hi && ay.lo <= ax.lo) {
		r = xatan01(xdiv(ay, ax))
	} else {
		r = xsub(xfPi.scale(-1), xatan01(xdiv(ax, ay)))
	}
	if x.neg {
		r = xsub(xfPi, r)
	}
	r.neg = y.neg
	return r
}

// xlog2 returns log2 of a finite positive value: with a = m × 2^e and m in
// [√½, √2), log2 a = e + 2·atanh((m-1)/(m+1))/ln 2.
func xlog2(a xf) xf {
	e := a.exp
	m := a
	m.exp = 0
	if m.hi > 0xB504F333F9DE6484 { // m > √2
		m.exp = -1
		e++
	}
	s := xdiv(xsub(m, xfOne), xadd(m, xfOne))
	l := xmul(xatanhSeries(s, false).scale(1), xfLog2e)
	return xadd(xfFromInt(int64(e)), l)
}

// xlog2p1 returns log2(1 + x) for -1 < x, accurate for small x:
// ln(1+x) = 2·atanh(x/(2+x)) when |x| < ½, log2 of the exact (or, for
// huge x, jammed) sum otherwise.
func xlog2p1(x xf) xf {
	if x.exp >= -1 {
		return xlog2(xadd(xfOne, x))
	}
	s := xdiv(x, xadd(xfOne.scale(1), x))
	return xmul(xatanhSeries(s, false).scale(1), xfLog2e)
}

// roundXF delivers v to an x87 register: rounded to 64 bits by e.RC (the
// precision control does not apply to these instructions), with the x87's
// overflow and underflow responses (SDM vol. 1 §4.9.1.4-5, §8.5.4-5:
// tininess after rounding, bias-adjusted results when OE or UE is
// unmasked). It sets e.Flags and e.RoundedUp; PE is set when inexact.
//
// The host raises PE for every computed transcendental result, exact or
// not, and so also UE for every tiny one: with always set, the result is
// treated as inexact whatever its bits.
func roundXF(v xf, always bool, e *f80.Env) f80.F80 {
	const (
		minExp  = -16382
		maxExp  = 16383
		adjust  = 24576
		signBit = 0x8000
	)
	var sgn uint16
	if v.neg {
		sgn = signBit
	}
	if v.isZero() {
		e.RoundedUp = false
		return f80.F80{SE: sgn}
	}
	r, inexact, up, carry := roundSig128(v.hi, v.lo, v.neg, e.RC)
	inexact = inexact || always
	exp := v.exp
	if carry {
		exp++
	}
	switch {
	case exp > maxExp:
		e.Flags |= f80.OE
		if e.Traps&f80.OE != 0 {
			e.RoundedUp = up
			if inexact {
				e.Flags |= f80.PE
			}
			return f80.F80{Mant: r, SE: sgn | uint16(exp-adjust+16383)}
		}
		e.Flags |= f80.PE
		toInf := e.RC == f80.RoundNearest || e.RC == f80.RoundUp && !v.neg || e.RC == f80.RoundDown && v.neg
		e.RoundedUp = toInf
		if toInf {
			return f80.F80{Mant: 1 << 63, SE: sgn | 0x7fff}
		}
		return f80.F80{Mant: ^uint64(0), SE: sgn | 0x7ffe}
	case exp >= minExp:
		e.RoundedUp = up
		if inexact {
			e.Flags |= f80.PE
		}
		return f80.F80{Mant: r, SE: sgn | uint16(exp+16383)}
	}
	if e.Traps&f80.UE != 0 {
		e.Flags |= f80.UE
		if exp+adjust < minExp {
			// Beyond what the bias adjustment can represent: a signed
			// zero, as f80 delivers for FSCALE.
			e.Flags |= f80.PE
			e.RoundedUp = false
			return f80.F80{SE: sgn}
		}
		e.RoundedUp = up
		if inexact {
			e.Flags |= f80.PE
		}
		return f80.F80{Mant: r, SE: sgn | uint16(exp+adjust+16383)}
	}
	// Masked underflow: denormalise the exact value, then round.
	h, l, g := shr192(v.hi, v.lo, 0, uint(min(minExp-v.exp, 200)))
	if g != 0 {
		l |= 1
	}
	r, inexact, up, _ = roundSig128(h, l, v.neg, e.RC)
	inexact = inexact || always
	e.RoundedUp = up
	if inexact {
		e.Flags |= f80.UE | f80.PE
	}
	if r>>63 != 0 { // rounded up to the smallest normal
		return f80.F80{Mant: r, SE: sgn | 1}
	}
	return f80.F80{Mant: r, SE: sgn}
}

// roundSig128 rounds hi:lo to its top 64 bits in direction rc for a value
// of sign neg. carry reports a carry out of bit 63 (r is then 1<<63 and
// the exponent must grow by one).
func roundSig128(hi, lo uint64, neg bool, rc f80.RoundingMode) (r uint64, inexact, up, carry bool) {
	if lo == 0 {
		return hi, false, false, false
	}
	switch rc {
	case f80.RoundNearest:
		up = lo > 1<<63 || lo == 1<<63 && hi&1 != 0
	case f80.RoundUp:
		up = !neg
	case f80.RoundDown:
		up = neg
	}
	if up {
		hi++
		if hi == 0 {
			return 1 << 63, true, true, true
		}
	}
	return hi, true, up, false
}
