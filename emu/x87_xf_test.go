// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package emu

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"gemu/internal/f80"
)

// The xf kernels are checked against math/big (constants) and against
// identities; the differential guest compares the instructions with the
// host CPU.

const bigPrec = 300

func bigOf(a xf) *big.Float {
	v := new(big.Float).SetPrec(bigPrec).SetUint64(a.hi)
	v.SetMantExp(v, 64)
	v.Add(v, new(big.Float).SetPrec(bigPrec).SetUint64(a.lo))
	v.SetMantExp(v, int(a.exp)-127)
	if a.neg {
		v.Neg(v)
	}
	return v
}

// bigAtanh returns atanh(x) = x + x³/3 + … for |x| < 1/2.
func bigAtanh(x *big.Float) *big.Float {
	sum := new(big.Float).SetPrec(bigPrec).Set(x)
	p := new(big.Float).SetPrec(bigPrec).Set(x)
	x2 := new(big.Float).SetPrec(bigPrec).Mul(x, x)
	for k := int64(3); k < 2000; k += 2 {
		p.Mul(p, x2)
		t := new(big.Float).SetPrec(bigPrec).Quo(p, new(big.Float).SetInt64(k))
		sum.Add(sum, t)
		if t.MantExp(nil)-sum.MantExp(nil) < -bigPrec {
			break
		}
	}
	return sum
}

// bigAtan returns atan(x) for 0 < x ≤ 1: halve the angle six times with
// atan x = 2·atan(x / (1 + √(1+x²))), then the alternating series.
func bigAtan(x *big.Float) *big.Float {
	one := new(big.Float).SetPrec(bigPrec).SetInt64(1)
	y := new(big.Float).SetPrec(bigPrec).Set(x)
	for i := 0; i < 6; i++ {
		s := new(big.Float).SetPrec(bigPrec).Mul(y, y)
		s.Add(s, one)
		s.Sqrt(s)
		s.Add(s, one)
		y.Quo(y, s)
	}
	sum := new(big.Float).SetPrec(bigPrec).Set(y)
	p := new(big.Float).SetPrec(bigPrec).Set(y)
	y2 := new(big.Float).SetPrec(bigPrec).Mul(y, y)
	y2.Neg(y2)
	for k := int64(3); k < 2000; k += 2 {
		p.Mul(p, y2)
		t := new(big.Float).SetPrec(bigPrec).Quo(p, new(big.Float).SetInt64(k))
		sum.Add(sum, t)
		if t.Sign() == 0 || t.MantExp(nil)-sum.MantExp(nil) < -bigPrec {
			break
		}
	}
	return sum.SetMantExp(sum, 6)
}

// closeTo checks that a is within 2^(-bits) relative of want.
func closeTo(t *testing.T, name string, a xf, want *big.Float, bits int) {
	t.Helper()
	d := new(big.Float).SetPrec(bigPrec).Sub(bigOf(a), want)
	if d.Sign() == 0 {
		return
	}
	if d.MantExp(nil)-want.MantExp(nil) > -bits {
		t.Errorf("%s = %s, want %s", name, bigOf(a).Text('g', 45), want.Text('g', 45))
	}
}

func TestXFConstants(t *testing.T) {
	// The top 64 bits agree with f80's constants truncated.
	for _, c := range []struct {
		v xf
		k f80.Const
	}{{xfPi, f80.ConstPi}, {xfLn2, f80.ConstLN2}, {xfLog2e, f80.ConstL2E}} {
		if w := f80.Constant(c.k, f80.RoundZero); c.v.hi != w.Mant || c.v.exp != int32(w.SE)-16383 {
			t.Errorf("constant %d: %#x·2^%d, f80 has %v", c.k, c.v.hi, c.v.exp, w)
		}
	}
	// All 128 bits: Machin's π = 16·atan(1/5) - 4·atan(1/239), and
	// ln 2 = 2·atanh(1/3).
	fifth := new(big.Float).SetPrec(bigPrec).Quo(big.NewFloat(1), big.NewFloat(5))
	pi := bigAtan(fifth)
	pi.Mul(pi, big.NewFloat(16))
	a239 := bigAtan(new(big.Float).SetPrec(bigPrec).Quo(big.NewFloat(1), big.NewFloat(239)))
	pi.Sub(pi, a239.Mul(a239, big.NewFloat(4)))
	closeTo(t, "pi", xfPi, pi, 127)
	ln2 := bigAtanh(new(big.Float).SetPrec(bigPrec).Quo(big.NewFloat(1), big.NewFloat(3)))
	ln2.Mul(ln2, big.NewFloat(2))
	closeTo(t, "ln2", xfLn2, ln2, 127)
	closeTo(t, "log2e", xfLog2e, new(big.Float).SetPrec(bigPrec).Quo(big.NewFloat(1), ln2), 127)
	for k := 1; k <= 16; k++ {
		x := new(big.Float).SetPrec(bigPrec).Quo(big.NewFloat(float64(k)), big.NewFloat(16))
		closeTo(t, "atan table", xfAtan[k], bigAtan(x), 127)
	}
}

func randXF(r *rand.Rand, lo, hi int32) xf {
	return xf{hi: r.Uint64() | 1<<63, lo: r.Uint64(), exp: lo + r.Int32N(hi-lo+1), neg: r.IntN(2) == 0}
}

func TestXFArithmetic(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		a, b := randXF(r, -70, 70), randXF(r, -70, 70)
		if i%4 == 0 {
			b.exp = a.exp // cancellation
		}
		ba, bb := bigOf(a), bigOf(b)
		closeTo(t, "add", xadd(a, b), new(big.Float).SetPrec(bigPrec).Add(ba, bb), 120)
		closeTo(t, "mul", xmul(a, b), new(big.Float).SetPrec(bigPrec).Mul(ba, bb), 125)
		closeTo(t, "div", xdiv(a, b), new(big.Float).SetPrec(bigPrec).Quo(ba, bb), 123)
		n := uint64(r.IntN(1000) + 1)
		closeTo(t, "divSmall", xdivSmall(a, n), new(big.Float).SetPrec(bigPrec).Quo(ba, new(big.Float).SetUint64(n)), 125)
	}
	// A jammed sum keeps the direction: 1 - 2^-200 is below 1.
	v := xsub(xfOne, xfOne.scale(-200))
	if v.exp != -1 || v.hi != ^uint64(0) || v.lo != ^uint64(0) {
		t.Errorf("1 - 2^-200 = %#x:%#x·2^%d", v.hi, v.lo, v.exp)
	}
}

func TestXFIdentities(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 500; i++ {
		x := randXF(r, -40, -1) // |x| < 1
		s, c := xsinCos(x)
		closeTo(t, "sin²+cos²", xadd(xmul(s, s), xmul(c, c)), big.NewFloat(1), 120)
		// atan(tan x) = x for |x| < π/4.
		if x.exp < -1 {
			tn := xtan(x, s, c)
			at := xatan01(xf{hi: tn.hi, lo: tn.lo, exp: tn.exp})
			closeTo(t, "atan(tan x)", at.withSign(x.neg), bigOf(x), 118)
		}
		// 2^(log2 y) = y: expm1(log2(y)·ln 2) + 1.
		y := randXF(r, -300, 300)
		y.neg = false
		l := xlog2(y)
		back := xadd(xexpm1(xmul(xsub(l, xfFromInt(int64(y.exp))), xfLn2)), xfOne).scale(y.exp)
		closeTo(t, "2^log2 y", back, bigOf(y), 115)
		// log2(1+z) = 2·atanh(z/(2+z))·log2(e).
		z := randXF(r, -60, -3)
		bz := bigOf(z)
		q := new(big.Float).SetPrec(bigPrec).Add(bz, big.NewFloat(2))
		want := bigAtanh(q.Quo(bz, q))
		want.Mul(want, big.NewFloat(2))
		want.Mul(want, bigOf(xfLog2e))
		closeTo(t, "log2p1", xlog2p1(z), want, 118)
	}
	// log2 of a power of two is exact.
	for _, e := range []int32{-16400, -1, 0, 1, 63, 16383} {
		if l := xlog2(xfOne.scale(e)); l != xfFromInt(int64(e)) {
			t.Errorf("log2 2^%d = %+v", e, l)
		}
	}
}

func TestReduceTrig(t *testing.T) {
	// x = 4·P/2·k + r for the host's P: reduce 0xC90FDAA22168C235 × 2^-62
	// (π rounded up) gives n = 2 and r = 2^-64 (see TestX87Transcendental).
	r, q := reduceTrig(f80.F80{Mant: 0xc90fdaa22168c235, SE: 0x4000})
	if q != 2 || r != xfOne.scale(-64) {
		t.Errorf("reduce(pi) = %+v quadrant %d", r, q)
	}
	// Negative arguments mirror: -π gives quadrant 2 and r = -2^-64.
	r, q = reduceTrig(f80.F80{Mant: 0xc90fdaa22168c235, SE: 0xc000})
	if q != 2 || r != xfOne.scale(-64).negate() {
		t.Errorf("reduce(-pi) = %+v quadrant %d", r, q)
	}
	// Arguments up to P/4 are not reduced; 1 is nearer to P/2 than to 0.
	half := f80.F80{Mant: 1 << 63, SE: 0x3ffe}
	if r, q = reduceTrig(half); q != 0 || r != xfOne.scale(-1) {
		t.Errorf("reduce(0.5) = %+v quadrant %d", r, q)
	}
	if _, q = reduceTrig(one); q != 1 {
		t.Errorf("reduce(1): quadrant %d", q)
	}
}

func BenchmarkX87Transcendental(b *testing.B) {
	x := f80.F80{Mant: 0xb17217f7d1cf79ac, SE: 0x3ffe} // ln 2
	y := f80.F80{Mant: 0xc000000000000000, SE: 0x4000}
	b.Run("sincos", func(b *testing.B) {
		for range b.N {
			r, q := reduceTrig(y)
			s, c := xsinCos(r)
			trigOf(s, c, q)
		}
	})
	b.Run("atan2", func(b *testing.B) {
		for range b.N {
			xatan2(xfFromF80(x), xfFromF80(y))
		}
	})
	b.Run("log2", func(b *testing.B) {
		for range b.N {
			xlog2(xfFromF80(y))
		}
	})
	b.Run("expm1", func(b *testing.B) {
		for range b.N {
			xexpm1(xmul(xfFromF80(x), xfLn2))
		}
	})
}
