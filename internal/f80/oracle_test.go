// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package f80

import (
	"math/big"
	"math/bits"
	"math/rand/v2"
	"testing"
)

// An independent model of x87 rounding built on math/big: operations are
// computed exactly with big.Int (or, for division and square root, as the
// truncated result with a sticky half-unit appended, which rounds like the
// true value at every precision used here), then rounded with big.Float,
// whose rounding modes are the IEEE ones, first with an unbounded exponent
// (precision control included) and then, for a tiny result, at the fixed
// position of the smallest denormal.

// exact is (-1)^neg × n × 2^exp.
type exact struct {
	neg bool
	n   *big.Int
	exp int
}

func finiteValue(a F80) exact {
	x := unpack(a)
	if x.k == kZero {
		return exact{neg: x.neg, n: new(big.Int)}
	}
	return exact{neg: x.neg, n: new(big.Int).SetUint64(x.sig), exp: int(x.exp) - 63}
}

func (v exact) float() *big.Float {
	f := new(big.Float).SetPrec(uint(max(v.n.BitLen(), 1))).SetInt(v.n)
	f.SetMantExp(f, v.exp)
	if v.neg {
		f.Neg(f)
	}
	return f
}

func exactAdd(a, b exact) exact {
	e := min(a.exp, b.exp)
	x := new(big.Int).Lsh(a.n, uint(a.exp-e))
	y := new(big.Int).Lsh(b.n, uint(b.exp-e))
	if a.neg {
		x.Neg(x)
	}
	if b.neg {
		y.Neg(y)
	}
	x.Add(x, y)
	r := exact{neg: x.Sign() < 0, n: x.Abs(x), exp: e}
	return r
}

func exactMul(a, b exact) exact {
	return exact{neg: a.neg != b.neg, n: new(big.Int).Mul(a.n, b.n), exp: a.exp + b.exp}
}

// sticky appends a half unit when inexact: n → 2n+1, exp → exp-1.
func sticky(neg bool, q *big.Int, exp int, inexact bool) exact {
	if !inexact {
		return exact{neg: neg, n: q, exp: exp}
	}
	q.Lsh(q, 1).SetBit(q, 0, 1)
	return exact{neg: neg, n: q, exp: exp - 1}
}

func exactDiv(a, b exact) exact {
	const k = 200 // quotient bits well beyond 64
	num := new(big.Int).Lsh(a.n, k)
	q, r := new(big.Int).QuoRem(num, b.n, new(big.Int))
	return sticky(a.neg != b.neg, q, a.exp-b.exp-k, r.Sign() != 0)
}

func exactSqrt(a exact) exact {
	n, e := new(big.Int).Set(a.n), a.exp
	if e&1 != 0 {
		n.Lsh(n, 1)
		e--
	}
	const k = 200 // even
	n.Lsh(n, k)
	e -= k
	s := new(big.Int).Sqrt(n)
	r := new(big.Int).Mul(s, s)
	return sticky(false, s, e/2, r.Cmp(n) != 0)
}

var bigModes = [4]big.RoundingMode{
	RoundNearest: big.ToNearestEven,
	RoundDown:    big.ToNegativeInf,
	RoundUp:      big.ToPositiveInf,
	RoundZero:    big.ToZero,
}

// want is the oracle's result: the value bits, the flags among PE, UE, OE,
// and C1.
type want struct {
	r     F80
	flags Exceptions
	up    bool
}

// fromBig encodes a big.Float holding a value representable in extended
// with an exponent up to emax + 24576 (bias-adjusted values are passed in
// after adjustment).
func fromBig(f *big.Float) F80 {
	if f.Sign() == 0 {
		return zero(f.Signbit())
	}
	m := new(big.Float)
	exp := f.MantExp(m) // f = m × 2^exp, 0.5 ≤ |m| < 1
	m.Abs(m)
	m.SetMantExp(m, 64)
	sig, _ := m.Uint64()
	e := exp - 1
	if e < minExp {
		return F80{Mant: sig >> uint(minExp-e), SE: sign(f.Signbit())}
	}
	return pack(f.Signbit(), int32(e), sig)
}

// oracleRound rounds v to p bits in the extended format under env's rounding
// control and masks.
func oracleRound(v exact, p uint, env Env) want {
	mode := bigModes[env.RC]
	if v.n.Sign() == 0 {
		panic("oracleRound: zero")
	}
	x := v.float()
	r1 := new(big.Float).SetPrec(p).SetMode(mode).Set(x)
	e1 := r1.MantExp(nil) - 1 // unbiased exponent after unbounded rounding
	up := new(big.Float).Abs(r1).Cmp(new(big.Float).Abs(x)) > 0
	inexact := r1.Cmp(x) != 0
	var w want
	switch {
	case e1 > maxExp:
		w.flags = OE
		if env.Traps&OE != 0 {
			if inexact {
				w.flags |= PE
			}
			w.r, w.up = fromBig(new(big.Float).SetMantExp(r1, -biasAdjust)), up
			return w
		}
		w.flags |= PE
		toInf := env.RC == RoundNearest || env.RC == RoundUp && !v.neg || env.RC == RoundDown && v.neg
		if toInf {
			w.r, w.up = inf(v.neg), true
		} else {
			w.r = pack(v.neg, maxExp, ^uint64(0)<<(64-p))
		}
		return w
	case e1 >= minExp:
		if inexact {
			w.flags = PE
		}
		w.r, w.up = fromBig(r1), up
		return w
	}
	// tiny
	if env.Traps&UE != 0 {
		w.flags = UE
		if inexact {
			w.flags |= PE
		}
		w.r, w.up = fromBig(new(big.Float).SetMantExp(r1, biasAdjust)), up
		return w
	}
	// Round at the fixed position of the ulp of the denormals: u = 2^(minExp-p+1).
	ulpExp := minExp - int(p) + 1
	ex := x.MantExp(nil) // |x| in [2^(ex-1), 2^ex)
	prec := ex - ulpExp
	var r2 *big.Float
	if prec >= 1 {
		r2 = new(big.Float).SetPrec(uint(prec)).SetMode(mode).Set(x)
	} else {
		// |x| < u: the result is 0 or ±u.
		u := new(big.Float).SetMantExp(big.NewFloat(1), ulpExp)
		half := new(big.Float).SetMantExp(big.NewFloat(1), ulpExp-1)
		ax := new(big.Float).Abs(x)
		toU := false
		switch env.RC {
		case RoundNearest:
			toU = ax.Cmp(half) > 0
		case RoundUp:
			toU = !v.neg
		case RoundDown:
			toU = v.neg
		}
		r2 = new(big.Float)
		if toU {
			r2.Set(u)
		}
		if v.neg {
			r2.Neg(r2)
		}
	}
	if r2.Cmp(x) != 0 {
		w.flags = UE | PE
	}
	w.up = new(big.Float).Abs(r2).Cmp(new(big.Float).Abs(x)) > 0
	w.r = fromBig(r2)
	if r2.Sign() == 0 {
		w.r = zero(v.neg)
	}
	return w
}

// randFinite returns a random finite non-zero canonical value whose exponent
// is drawn from a mix of ranges, stressing the ends of the exponent range.
func randFinite(rng *rand.Rand) F80 {
	sig := rng.Uint64() | intBit
	switch rng.IntN(4) {
	case 0:
		sig &= ^uint64(0) << rng.IntN(64)
		sig |= intBit
	case 1:
		sig |= uint64(1)<<rng.IntN(64) - 1
	}
	var exp int
	switch rng.IntN(6) {
	case 0:
		exp = rng.IntN(0x7FFE) + 1
	case 1:
		exp = rng.IntN(80) - 70 // around and below the smallest normal
	case 2:
		exp = 0x7FFE - rng.IntN(40)
	case 3:
		exp = 0x3FFF/2 + rng.IntN(80) - 40 // products near the bottom
	case 4:
		exp = 0x3FFF + 0x3FFF/2 + rng.IntN(80) - 40 // products near the top
	default:
		exp = 0x3FFF + rng.IntN(140) - 70
	}
	s := uint16(0)
	if rng.IntN(2) == 0 {
		s = signBit
	}
	if exp < 1 {
		sh := 1 - exp
		if sh > 63 {
			sh = 63
		}
		return F80{Mant: sig >> uint(sh), SE: s}
	}
	return F80{Mant: sig, SE: s | uint16(exp)}
}

// near returns b moved to biased exponent exp (a denormal below 1), keeping
// its sign and the top of its significand.
func near(rng *rand.Rand, b F80, exp int) F80 {
	sig := b.Mant<<bits.LeadingZeros64(b.Mant|1) | intBit
	b.SE &= signBit
	switch {
	case exp > 0x7FFE:
		b.SE |= 0x7FFE
	case exp >= 1:
		b.SE |= uint16(exp)
	default:
		sig >>= uint(min(63, 1-exp))
	}
	b.Mant = sig
	return b
}

func randEnv(rng *rand.Rand) Env {
	e := Env{RC: RoundingMode(rng.IntN(4)), PC: Precision(rng.IntN(3))}
	if rng.IntN(4) == 0 {
		e.Traps = OE | UE | PE
	}
	return e
}

func checkOracle(t *testing.T, name string, a, b F80, env Env, got F80, genv Env, w want) {
	t.Helper()
	flags := genv.Flags &^ DE
	if got != w.r || flags != w.flags || genv.RoundedUp != w.up {
		t.Errorf("%s(%v, %v) rc=%d pc=%d traps=%#x: got %v flags=%#x c1=%v, want %v flags=%#x c1=%v",
			name, a, b, env.RC, env.PC, env.Traps, got, flags, genv.RoundedUp, w.r, w.flags, w.up)
	}
}

func TestOracleArith(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 40000
	if testing.Short() {
		n = 4000
	}
	fails := 0
	for i := 0; i < n && fails < 20; i++ {
		a, b := randFinite(rng), randFinite(rng)
		if rng.IntN(3) == 0 { // nearby exponents: cancellation, carries
			b = near(rng, b, int(a.SE&expMax)+rng.IntN(130)-65)
		}
		env := randEnv(rng)
		x, y := finiteValue(a), finiteValue(b)
		p := env.PC.bits()
		before := t.Failed()

		// add and sub
		for _, sub := range []bool{false, true} {
			yy := y
			yy.neg = y.neg != sub
			ex := exactAdd(x, yy)
			g := env
			var got F80
			name := "Add"
			if sub {
				got, name = Sub(a, b, &g), "Sub"
			} else {
				got = Add(a, b, &g)
			}
			if ex.n.Sign() == 0 {
				wz := zero(env.RC == RoundDown)
				if got != wz || g.Flags&^DE != 0 {
					t.Errorf("%s(%v, %v) rc=%d: got %v flags %#x, want exact %v", name, a, b, env.RC, got, g.Flags, wz)
				}
				continue
			}
			checkOracle(t, name, a, b, env, got, g, oracleRound(ex, p, env))
		}

		g := env
		checkOracle(t, "Mul", a, b, env, Mul(a, b, &g), g, oracleRound(exactMul(x, y), p, env))
		g = env
		checkOracle(t, "Div", a, b, env, Div(a, b, &g), g, oracleRound(exactDiv(x, y), p, env))
		aa := a.Abs()
		g = env
		checkOracle(t, "Sqrt", aa, F80{}, env, Sqrt(aa, &g), g, oracleRound(exactSqrt(finiteValue(aa)), p, env))

		if t.Failed() && !before {
			fails++
		}
	}
}

// TestOracleSqrtSquares checks exact square roots (where a sloppy sticky bit
// would show up as PE or a wrong directed rounding).
func TestOracleSqrtSquares(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 5000; i++ {
		s := rng.Uint64() >> uint(33+rng.IntN(30)) // s < 2^31, so s² fits an int64
		if s == 0 {
			continue
		}
		lo := s * s
		a := FromInt64(int64(lo))
		a.SE += uint16(rng.IntN(200)) * 2 // scale by an even power of two
		env := Env{RC: RoundingMode(rng.IntN(4))}
		got := Sqrt(a, &env)
		w := FromInt64(int64(s))
		w.SE += (a.SE - FromInt64(int64(lo)).SE) / 2
		if got != w || env.Flags != 0 || env.RoundedUp {
			t.Fatalf("Sqrt(%v) rc=%d = %v flags %#x c1=%v, want %v exact", a, env.RC, got, env.Flags, env.RoundedUp, w)
		}
	}
}

func TestOracleRem(t *testing.T) {
	// FPREM/FPREM1 complete reductions are exact: check them against big.Int
	// arithmetic, and check that repeating incomplete steps converges to the
	// same remainder.
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 20000; i++ {
		a, b := randFinite(rng), randFinite(rng)
		if rng.IntN(2) == 0 {
			b = near(rng, b, int(a.SE&expMax)-rng.IntN(300))
		}
		for _, nearest := range []bool{false, true} {
			env := Env{RC: RoundingMode(rng.IntN(4))}
			r, q, inc := a, uint8(0), true
			steps := 0
			for inc && steps < 2000 {
				if nearest {
					r, q, inc = Rem1(r, b, &env)
				} else {
					r, q, inc = Rem(r, b, &env)
				}
				steps++
			}
			if env.Flags&^(DE|UE) != 0 {
				t.Fatalf("Rem(%v, %v) nearest=%v: flags %#x", a, b, nearest, env.Flags)
			}
			// Reference: q = trunc or round-half-even of a/b, r = a - q·b exactly.
			x, y := finiteValue(a), finiteValue(b)
			e := min(x.exp, y.exp)
			xn := new(big.Int).Lsh(x.n, uint(x.exp-e))
			yn := new(big.Int).Lsh(y.n, uint(y.exp-e))
			qq, rr := new(big.Int).QuoRem(xn, yn, new(big.Int))
			if nearest {
				twice := new(big.Int).Lsh(rr, 1)
				if c := twice.Cmp(yn); c > 0 || c == 0 && qq.Bit(0) == 1 {
					qq.Add(qq, big.NewInt(1))
					rr.Sub(rr, yn)
				}
			}
			rneg := x.neg
			if rr.Sign() < 0 {
				rneg = !rneg
				rr.Neg(rr)
			}
			var w F80
			if rr.Sign() == 0 {
				w = zero(x.neg)
			} else {
				w = fromBig(exact{neg: rneg, n: rr, exp: e}.float())
			}
			if r != w || q != uint8(qq.Uint64()&7) {
				t.Fatalf("Rem(%v, %v) nearest=%v after %d steps = %v q=%d, want %v q=%d", a, b, nearest, steps, r, q, w, qq.Uint64()&7)
			}
		}
	}
}

// FuzzOracle compares the basic operations with the math/big model on finite
// non-zero canonical operands under any control word (IE, DE and ZE kept
// masked: they cannot arise from such operands, except DE, which would stop
// the operation).
func FuzzOracle(f *testing.F) {
	f.Add(uint64(intBit), uint16(0x3FFF), uint64(intBit|1), uint16(0x3FFE), uint16(0x037F))
	f.Add(uint64(1), uint16(0), ^uint64(0), uint16(0x3FFE), uint16(0x0C7F))
	f.Add(^uint64(0), uint16(0x7FFE), uint64(intBit), uint16(0x4000), uint16(0x0047))
	f.Fuzz(func(t *testing.T, am uint64, ase uint16, bm uint64, bse uint16, cw uint16) {
		a, b := F80{Mant: am, SE: ase}, F80{Mant: bm, SE: bse}
		for _, v := range []F80{a, b} {
			if k := unpack(v).k; k != kFinite || v.SE&expMax == 0 && v.Mant&intBit != 0 {
				return // not finite, or a pseudo-denormal (not canonical)
			}
		}
		env := NewEnv(cw)
		env.Traps &= OE | UE | PE
		x, y := finiteValue(a), finiteValue(b)
		p := env.PC.bits()
		g := env
		if ex := exactAdd(x, y); ex.n.Sign() != 0 {
			checkOracle(t, "Add", a, b, env, Add(a, b, &g), g, oracleRound(ex, p, env))
		}
		g = env
		checkOracle(t, "Mul", a, b, env, Mul(a, b, &g), g, oracleRound(exactMul(x, y), p, env))
		g = env
		checkOracle(t, "Div", a, b, env, Div(a, b, &g), g, oracleRound(exactDiv(x, y), p, env))
		aa := a.Abs()
		g = env
		checkOracle(t, "Sqrt", aa, F80{}, env, Sqrt(aa, &g), g, oracleRound(exactSqrt(finiteValue(aa)), p, env))
	})
}
