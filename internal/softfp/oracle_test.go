// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package softfp

import (
	"math"
	"math/big"
	"math/rand"
	"testing"
)

// The oracle computes add, sub, mul, div and sqrt of finite operands with
// math/big.Float — exactly, or to 400 bits where the result is not exact —
// and rounds the value to the destination format with IEEE subnormals,
// x86 tininess after rounding and overflow, independently of roundPack.

type fmtSpec struct {
	prec       uint // significand bits including the implicit one
	emin, emax int  // exponents of the smallest and largest normal binade
	f          *format
}

var (
	spec32 = fmtSpec{24, -126, 127, f32}
	spec64 = fmtSpec{53, -1022, 1023, f64}
)

var bigModes = [4]big.RoundingMode{
	RoundNearest: big.ToNearestEven,
	RoundDown:    big.ToNegativeInf,
	RoundUp:      big.ToPositiveInf,
	RoundZero:    big.ToZero,
}

func (s fmtSpec) toBig(x uint64) *big.Float {
	var v float64
	if s.f == f32 {
		v = float64(math.Float32frombits(uint32(x)))
	} else {
		v = math.Float64frombits(x)
	}
	return new(big.Float).SetPrec(64).SetFloat64(v)
}

func (s fmtSpec) fromBig(r *big.Float) uint64 {
	if s.f == f32 {
		v, _ := r.Float32()
		return uint64(math.Float32bits(v))
	}
	v, _ := r.Float64()
	return math.Float64bits(v)
}

// round rounds the non-zero value x to the format; inexact says x itself is
// already known to differ from the true result (by less than an ulp of x,
// which cannot cross a rounding boundary of the format).
func (s fmtSpec) round(x *big.Float, inexact bool, rc RoundingMode) (uint64, Exceptions) {
	mode := bigModes[rc]
	neg := x.Signbit()
	var fl Exceptions
	// Round to p bits with an unbounded exponent: decides overflow and
	// tininess (after rounding).
	r1 := new(big.Float).SetMode(mode).SetPrec(s.prec).Set(x)
	if r1.Acc() != big.Exact {
		inexact = true
	}
	e1 := r1.MantExp(nil) - 1 // r1 in [2^e1, 2^(e1+1))
	if e1 > s.emax {
		fl = OE | PE
		inf := s.f.inf
		max := inf - 1
		r := inf
		switch rc {
		case RoundZero:
			r = max
		case RoundDown:
			if !neg {
				r = max
			}
		case RoundUp:
			if neg {
				r = max
			}
		}
		return s.f.zero(neg) | r, fl
	}
	if e1 >= s.emin {
		if inexact {
			fl = PE
		}
		return s.fromBig(r1), fl
	}
	// Tiny: round to the subnormal grid, multiples of 2^(emin-prec+1).
	q := s.emin - int(s.prec) + 1
	y := new(big.Float).SetPrec(x.Prec()+2000).SetMantExp(x, -q) // x / 2^q, exact
	yi, _ := y.Int(nil)                                          // truncated toward zero
	frac := new(big.Float).Sub(y, new(big.Float).SetInt(yi))     // (-1, 1), sign of x
	frac.Abs(frac)
	lost := frac.Sign() != 0 || inexact
	if lost {
		up := false
		switch rc {
		case RoundNearest:
			c := frac.Cmp(big.NewFloat(0.5))
			up = c > 0 || c == 0 && !inexact && yi.Bit(0) == 1 || c == 0 && inexact
		case RoundDown:
			up = neg
		case RoundUp:
			up = !neg
		}
		if up {
			if neg {
				yi.Sub(yi, big.NewInt(1))
			} else {
				yi.Add(yi, big.NewInt(1))
			}
		}
		fl = UE | PE
	}
	r := new(big.Float).SetMantExp(new(big.Float).SetInt(yi), q)
	if r.Sign() == 0 {
		return s.f.zero(neg), fl
	}
	return s.fromBig(r), fl
}

// exact computes op on finite non-zero operands with big.Float, returning
// the value and whether it is inexact (only for div and sqrt).
func (s fmtSpec) exact(op string, a, b uint64) (*big.Float, bool) {
	x, y := s.toBig(a), s.toBig(b)
	z := new(big.Float).SetPrec(2400)
	switch op {
	case "add":
		return z.Add(x, y), false
	case "sub":
		return z.Sub(x, y), false
	case "mul":
		return z.Mul(x, y), false
	case "div":
		z.SetPrec(400).Quo(x, y)
		check := new(big.Float).SetPrec(1000).Mul(z, y)
		return z, check.Cmp(x) != 0
	default: // sqrt
		z.SetPrec(400).Sqrt(x)
		check := new(big.Float).SetPrec(1000).Mul(z, z)
		return z, check.Cmp(x) != 0
	}
}

// exported runs op through the package's API (which takes the binary64
// fast paths where they apply).
func (s fmtSpec) exported(op string, a, b uint64, env Env) (uint64, Exceptions) {
	if s.f == f64 {
		switch op {
		case "add":
			return Add64(a, b, env)
		case "sub":
			return Sub64(a, b, env)
		case "mul":
			return Mul64(a, b, env)
		case "div":
			return Div64(a, b, env)
		}
		return Sqrt64(a, env)
	}
	var r uint32
	var fl Exceptions
	switch op {
	case "add":
		r, fl = Add32(uint32(a), uint32(b), env)
	case "sub":
		r, fl = Sub32(uint32(a), uint32(b), env)
	case "mul":
		r, fl = Mul32(uint32(a), uint32(b), env)
	case "div":
		r, fl = Div32(uint32(a), uint32(b), env)
	default:
		r, fl = Sqrt32(uint32(a), env)
	}
	return uint64(r), fl
}

// TestFastPathsMatchExact compares the binary64 fast paths with the exact
// integer path on operands where the fast paths apply.
func TestFastPathsMatchExact(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	fast := map[string]func(a, b uint64, rc RoundingMode) (uint64, Exceptions, bool){
		"add": fastAdd64,
		"mul": fastMul64,
		"div": fastDiv64,
	}
	n := 200000
	if testing.Short() {
		n = 20000
	}
	for op, fn := range fast {
		taken := 0
		for i := 0; i < n; i++ {
			a := randFinite(r, spec64)
			b := partner(r, spec64, op, a)
			if r.Intn(4) == 0 { // nearby exponents: cancellation and carries
				b = b&^(0x7ff<<52) | a&(0x7ff<<52)
			}
			rc := RoundingMode(r.Intn(4))
			got, gfl, ok := fn(a, b, rc)
			if !ok {
				continue
			}
			taken++
			var want uint64
			var wfl Exceptions
			switch op {
			case "add":
				want, wfl = f64.add(a, b, false, Env{RC: rc})
			case "mul":
				want, wfl = f64.mul(a, b, Env{RC: rc})
			default:
				want, wfl = f64.div(a, b, Env{RC: rc})
			}
			if got != want || gfl != wfl {
				t.Fatalf("fast %s(%#x, %#x) rc=%d = %#x %#x, exact path %#x %#x", op, a, b, rc, got, gfl, want, wfl)
			}
		}
		if taken < n/10 {
			t.Errorf("fast %s applied to only %d of %d cases", op, taken, n)
		}
	}
}

// randFinite returns a random finite non-zero value of the format, with
// exponents crowded at the extremes and fractions with long bit runs.
func randFinite(r *rand.Rand, s fmtSpec) uint64 {
	f := s.f
	for {
		frac := r.Uint64()
		switch r.Intn(4) {
		case 0:
			frac &= ^uint64(0) << uint(r.Intn(64))
		case 1:
			frac |= 1<<uint(r.Intn(64)) - 1
		}
		emax := int(f.expMax)
		var e int
		switch r.Intn(5) {
		case 0:
			e = r.Intn(4)
		case 1:
			e = emax - 1 - r.Intn(3)
		case 2:
			e = int(f.bias) - 3 + r.Intn(7)
		default:
			e = r.Intn(emax)
		}
		x := uint64(e)<<f.fracBits | frac&f.fracMask
		if r.Intn(2) == 0 {
			x |= f.signBit
		}
		if !f.isZero(x) {
			return x
		}
	}
}

// partner returns a second operand that puts the result of op near the
// underflow or overflow threshold or makes an addition cancel.
func partner(r *rand.Rand, s fmtSpec, op string, a uint64) uint64 {
	f := s.f
	b := randFinite(r, s)
	if r.Intn(2) == 0 {
		return b
	}
	ea := int(f.biasedExp(a))
	var eb int
	switch op {
	case "add", "sub":
		if r.Intn(2) == 0 {
			c := a + uint64(r.Intn(5)) - 2
			if f.isNaN(c) || f.isInf(c) || f.isZero(c) || f.biasedExp(c) != f.biasedExp(a) {
				return b
			}
			return c
		}
		eb = ea - r.Intn(int(s.prec)+4)
	case "mul":
		eb = s.emin - int(s.prec) + r.Intn(int(s.prec)+4) - ea + 2*int(f.bias)
		if r.Intn(3) == 0 {
			eb = s.emax + 2*int(f.bias) - ea - r.Intn(2)
		}
	case "div":
		eb = ea - (s.emin - int(s.prec) + r.Intn(int(s.prec)+4))
		if r.Intn(3) == 0 {
			eb = ea - s.emax + r.Intn(2)
		}
	default:
		return b
	}
	if eb < 0 || eb >= int(f.expMax) {
		return b
	}
	if c := b&^(f.expMax<<f.fracBits) | uint64(eb)<<f.fracBits; !f.isZero(c) {
		return c
	}
	return b
}

func TestRoundingAgainstBigFloat(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	n := 40000
	if testing.Short() {
		n = 4000
	}
	for _, s := range []fmtSpec{spec32, spec64} {
		for _, op := range []string{"add", "sub", "mul", "div", "sqrt"} {
			bad := 0
			var seen [8]int // cases that raised each flag (index = bit), [7] exact ones
			for i := 0; i < n; i++ {
				a := randFinite(r, s)
				b := partner(r, s, op, a)
				if op == "sqrt" {
					a &^= s.f.signBit
				}
				rc := RoundingMode(r.Intn(4))
				env := Env{RC: rc}
				var got uint64
				var fl Exceptions
				got, fl = s.exported(op, a, b, env)
				fl &^= DE // the oracle does not model operand exceptions
				x, inexact := s.exact(op, a, b)
				var want uint64
				var wfl Exceptions
				if x.Sign() == 0 {
					want = s.f.zero(rc == RoundDown) // exact cancellation
				} else {
					want, wfl = s.round(x, inexact, rc)
				}
				for bit := 0; bit < 6; bit++ {
					if wfl&(1<<bit) != 0 {
						seen[bit]++
					}
				}
				if wfl == 0 {
					seen[7]++
				}
				if got != want || fl != wfl {
					bad++
					if bad <= 10 {
						t.Errorf("prec %d %s(%#x, %#x) rc=%d: got %#x flags %#x, want %#x flags %#x",
							s.prec, op, a, b, rc, got, fl, want, wfl)
					}
				}
			}
			// The operands must reach every post-computation case.
			t.Logf("prec %d %s: OE %d UE %d PE %d exact %d", s.prec, op, seen[3], seen[4], seen[5], seen[7])
			if seen[5] == 0 || seen[7] == 0 || op != "sqrt" && op != "add" && op != "sub" && (seen[3] == 0 || seen[4] == 0) {
				t.Errorf("prec %d %s: the random operands miss a flag: %v", s.prec, op, seen)
			}
		}
	}
}
