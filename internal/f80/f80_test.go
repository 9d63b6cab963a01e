// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package f80

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// Hand-derived cases. Values are written as raw encodings; the comments give
// the reasoning from the SDM (vol. 1 §4.8.3.5 table 4-7 for NaNs, §4.9.1 for
// exception responses).

var (
	one       = F80{Mant: intBit, SE: 0x3FFF}
	two       = F80{Mant: intBit, SE: 0x4000}
	minusOne  = F80{Mant: intBit, SE: 0xBFFF}
	posZero   = F80{}
	negZero   = F80{SE: 0x8000}
	posInf    = F80{Mant: intBit, SE: 0x7FFF}
	negInf    = F80{Mant: intBit, SE: 0xFFFF}
	maxFin    = F80{Mant: ^uint64(0), SE: 0x7FFE}
	minNorm   = F80{Mant: intBit, SE: 0x0001}
	minDen    = F80{Mant: 1}
	qnan1     = F80{Mant: 0xC000000000000001, SE: 0x7FFF}
	qnan2     = F80{Mant: 0xC000000000000002, SE: 0xFFFF}
	snanBig   = F80{Mant: 0xBFFFFFFFFFFFFFFF, SE: 0x7FFF} // quieted: 0xFFFF…
	snan1     = F80{Mant: 0x8000000000000001, SE: 0x7FFF}
	snan1Neg  = F80{Mant: 0x8000000000000001, SE: 0xFFFF}
	unnormal  = F80{Mant: 0x4000000000000000, SE: 0x3FFF}
	pseudoNaN = F80{Mant: 0x4000000000000001, SE: 0x7FFF}
	pseudoInf = F80{Mant: 0, SE: 0x7FFF}
	indef     = F80{Mant: 0xC000000000000000, SE: 0xFFFF}
)

type binCase struct {
	name  string
	op    Binary
	a, b  F80
	env   Env
	want  F80
	flags Exceptions
	up    bool
}

var binCases = []binCase{
	// NaN propagation.
	{"qnan+1", OpAdd, qnan1, one, Env{}, qnan1, 0, false},
	{"1+qnan", OpAdd, one, qnan2, Env{}, qnan2, 0, false},
	{"snan+1 quiets", OpAdd, snan1, one, Env{}, F80{Mant: 0xC000000000000001, SE: 0x7FFF}, IE, false},
	{"qnan beats snan with larger significand", OpMul, snanBig, qnan1, Env{}, qnan1, IE, false},
	{"qnan beats snan, reversed", OpMul, qnan1, snanBig, Env{}, qnan1, IE, false},
	{"two qnans: larger significand", OpAdd, qnan1, qnan2, Env{}, qnan2, 0, false},
	{"two snans: larger significand, quieted", OpDiv, snan1, snanBig, Env{}, F80{Mant: ^uint64(0), SE: 0x7FFF}, IE, false},
	{"equal significands: positive wins", OpSub, snan1Neg, snan1, Env{}, F80{Mant: 0xC000000000000001, SE: 0x7FFF}, IE, false},
	{"nan beats invalid", OpMul, qnan1, posZero, Env{}, qnan1, 0, false},
	// Invalid operations give the indefinite.
	{"inf-inf", OpSub, posInf, posInf, Env{}, indef, IE, false},
	{"-inf+inf", OpAdd, negInf, posInf, Env{}, indef, IE, false},
	{"0*inf", OpMul, negZero, posInf, Env{}, indef, IE, false},
	{"0/0", OpDiv, posZero, negZero, Env{}, indef, IE, false},
	{"inf/inf", OpDiv, negInf, posInf, Env{}, indef, IE, false},
	{"unnormal operand", OpAdd, unnormal, one, Env{}, indef, IE, false},
	{"pseudo-NaN operand beats a NaN", OpAdd, qnan1, pseudoNaN, Env{}, indef, IE, false},
	{"pseudo-infinity operand", OpMul, pseudoInf, one, Env{}, indef, IE, false},
	// Divide by zero.
	{"1/0", OpDiv, one, posZero, Env{}, posInf, ZE, false},
	{"-1/0", OpDiv, minusOne, posZero, Env{}, negInf, ZE, false},
	{"1/-0", OpDiv, one, negZero, Env{}, negInf, ZE, false},
	{"denormal/0 is ZE only", OpDiv, minDen, posZero, Env{}, posInf, ZE, false},
	{"0/1", OpDiv, posZero, one, Env{}, posZero, 0, false},
	{"inf/0 is not ZE", OpDiv, posInf, posZero, Env{}, posInf, 0, false},
	{"0 divr 1 (1/0)", OpDivR, posZero, one, Env{}, posInf, ZE, false},
	// Zero signs: an exact zero sum is +0, or -0 rounding down.
	{"1+-1", OpAdd, one, minusOne, Env{}, posZero, 0, false},
	{"1-1 RD", OpSub, one, one, Env{RC: RoundDown}, negZero, 0, false},
	{"-0+-0", OpAdd, negZero, negZero, Env{}, negZero, 0, false},
	{"0-0", OpSub, posZero, posZero, Env{}, posZero, 0, false},
	{"0-0 RD", OpSub, posZero, posZero, Env{RC: RoundDown}, negZero, 0, false},
	{"-0*1", OpMul, negZero, one, Env{}, negZero, 0, false},
	{"0 subr 1", OpSubR, posZero, one, Env{}, one, 0, false},
	// Denormal operand: flagged, the operation proceeds.
	{"denormal+1", OpAdd, minDen, one, Env{}, one, DE | PE, false},
	{"denormal+1 RU", OpAdd, minDen, one, Env{RC: RoundUp}, F80{Mant: intBit | 1, SE: 0x3FFF}, DE | PE, true},
	{"denormal*inf", OpMul, minDen, posInf, Env{}, posInf, DE, false},
	{"denormal+qnan: no DE", OpAdd, minDen, qnan1, Env{}, qnan1, 0, false},
	// Overflow, masked: RC decides between ∞ and the largest finite value.
	{"max*2 RN", OpMul, maxFin, two, Env{}, posInf, OE | PE, true},
	{"max*2 RZ", OpMul, maxFin, two, Env{RC: RoundZero}, maxFin, OE | PE, false},
	{"max*2 RD", OpMul, maxFin, two, Env{RC: RoundDown}, maxFin, OE | PE, false},
	{"max*-2 RD", OpMul, maxFin, F80{Mant: intBit, SE: 0xC000}, Env{RC: RoundDown}, negInf, OE | PE, true},
	{"max*-2 RU", OpMul, maxFin, F80{Mant: intBit, SE: 0xC000}, Env{RC: RoundUp}, maxFin.Neg(), OE | PE, false},
	{"max*2 RZ PC24: largest 24-bit value", OpMul, maxFin, two, Env{RC: RoundZero, PC: Prec24}, F80{Mant: 0xFFFFFF0000000000, SE: 0x7FFE}, OE | PE, false},
	{"max+1 rounded at PC53 RN carries out", OpAdd, maxFin, one, Env{PC: Prec53}, posInf, OE | PE, true},
	// Overflow, unmasked: the exponent is bias-adjusted by 24576:
	// (2-2^-63)·2^16384 becomes (2-2^-63)·2^-8192, biased 0x1FFF.
	{"max*2 OE unmasked", OpMul, maxFin, two, Env{Traps: OE}, F80{Mant: ^uint64(0), SE: 0x1FFF}, OE, false},
	// Underflow, masked: flagged only when tiny and inexact.
	{"minNorm/2 exact denormal", OpDiv, minNorm, two, Env{}, F80{Mant: 1 << 62}, 0, false},
	{"minDen/2 RN ties to even 0", OpDiv, minDen, two, Env{}, posZero, DE | UE | PE, false},
	{"minDen/2 RU", OpDiv, minDen, two, Env{RC: RoundUp}, minDen, DE | UE | PE, true},
	{"-minDen/2 RD", OpDiv, minDen.Neg(), two, Env{RC: RoundDown}, minDen.Neg(), DE | UE | PE, true},
	// Underflow, unmasked: 2^-16446 is delivered as 2^(24576-16446) =
	// 2^8130, biased 0x5FC1; exact, so no PE.
	{"minDen/2 UE unmasked: biased", OpDiv, minDen, two, Env{Traps: UE}, F80{Mant: intBit, SE: 0x5FC1}, DE | UE, false},
	// Tininess after rounding: 2^-16382·(1-2^-30) is tiny, but rounded to 24
	// bits with an unbounded exponent it is 2^-16382, so there is no
	// underflow, only PE; the delivered value is the smallest normal.
	{"tininess after rounding PC24", OpMul, minNorm, F80{Mant: 0xFFFFFFFC00000000, SE: 0x3FFE}, Env{PC: Prec24}, minNorm, PE, true},
	// The same product at 64 bits is tiny and exact once denormalised.
	{"tiny exact PC64", OpMul, minNorm, F80{Mant: 0xFFFFFFFC00000000, SE: 0x3FFE}, Env{}, F80{Mant: 0x7FFFFFFE00000000}, 0, false},
	// 2^-16382·(0.75+2^-60) rounds to 1.5·2^-16383 at 53 bits: tiny. The
	// denormal 0x6000000000000008 loses its low bits at 53 bits: inexact.
	{"tiny inexact PC53", OpMul, minNorm, F80{Mant: 0xC000000000000010, SE: 0x3FFE}, Env{PC: Prec53}, F80{Mant: 0x6000000000000000}, UE | PE, false},
	// Precision control.
	{"1+2^-30 PC24", OpAdd, one, F80{Mant: intBit, SE: 0x3FFF - 30}, Env{PC: Prec24}, one, PE, false},
	{"1+2^-30 PC53", OpAdd, one, F80{Mant: intBit, SE: 0x3FFF - 30}, Env{PC: Prec53}, F80{Mant: intBit | 1<<33, SE: 0x3FFF}, 0, false},
	{"1/3 PC24 RU", OpDiv, one, F80{Mant: 0xC000000000000000, SE: 0x4000}, Env{PC: Prec24, RC: RoundUp}, F80{Mant: 0xAAAAAB0000000000, SE: 0x3FFD}, PE, true},
	{"1/3 RN rounds down", OpDiv, one, F80{Mant: 0xC000000000000000, SE: 0x4000}, Env{}, F80{Mant: 0xAAAAAAAAAAAAAAAB, SE: 0x3FFD}, PE, true},
}

func TestBinaryTable(t *testing.T) {
	for _, c := range binCases {
		env := c.env
		got := c.op.Apply(c.a, c.b, &env)
		if got != c.want || env.Flags != c.flags || env.RoundedUp != c.up {
			t.Errorf("%s: %v %v %v = %v flags %#x c1 %v, want %v flags %#x c1 %v",
				c.name, c.a, c.op, c.b, got, env.Flags, env.RoundedUp, c.want, c.flags, c.up)
		}
	}
}

func TestUnaryTable(t *testing.T) {
	type fn func(F80, *Env) F80
	cases := []struct {
		name  string
		f     fn
		a     F80
		env   Env
		want  F80
		flags Exceptions
		up    bool
	}{
		{"sqrt 4", Sqrt, F80{Mant: intBit, SE: 0x4001}, Env{}, two, 0, false},
		{"sqrt -0", Sqrt, negZero, Env{}, negZero, 0, false},
		{"sqrt -1", Sqrt, minusOne, Env{}, indef, IE, false},
		{"sqrt -inf", Sqrt, negInf, Env{}, indef, IE, false},
		{"sqrt +inf", Sqrt, posInf, Env{}, posInf, 0, false},
		{"sqrt snan", Sqrt, snan1, Env{}, quiet(snan1), IE, false},
		{"sqrt 2 RN", Sqrt, two, Env{}, F80{Mant: 0xB504F333F9DE6484, SE: 0x3FFF}, PE, false},
		{"sqrt 2 RU", Sqrt, two, Env{RC: RoundUp}, F80{Mant: 0xB504F333F9DE6485, SE: 0x3FFF}, PE, true},
		{"sqrt 2 PC24", Sqrt, two, Env{PC: Prec24}, F80{Mant: 0xB504F30000000000, SE: 0x3FFF}, PE, false},
		{"sqrt minDen", Sqrt, minDen, Env{}, F80{Mant: 0xB504F333F9DE6484, SE: 0x3FFF - 8223}, DE | PE, false},
		{"rndint 2.5 RN", RoundInt, F80{Mant: 0xA000000000000000, SE: 0x4000}, Env{}, two, PE, false},
		{"rndint 2.5 RU", RoundInt, F80{Mant: 0xA000000000000000, SE: 0x4000}, Env{RC: RoundUp}, F80{Mant: 0xC000000000000000, SE: 0x4000}, PE, true},
		{"rndint -0.25 RN", RoundInt, F80{Mant: intBit, SE: 0xBFFD}, Env{}, negZero, PE, false},
		{"rndint -0.25 RD", RoundInt, F80{Mant: intBit, SE: 0xBFFD}, Env{RC: RoundDown}, minusOne, PE, true},
		{"rndint 2^63", RoundInt, F80{Mant: intBit, SE: 0x403E}, Env{}, F80{Mant: intBit, SE: 0x403E}, 0, false},
		{"rndint minDen RU", RoundInt, minDen, Env{RC: RoundUp}, one, DE | PE, true},
		{"rndint -inf", RoundInt, negInf, Env{}, negInf, 0, false},
	}
	for _, c := range cases {
		env := c.env
		got := c.f(c.a, &env)
		if got != c.want || env.Flags != c.flags || env.RoundedUp != c.up {
			t.Errorf("%s: got %v flags %#x c1 %v, want %v flags %#x c1 %v", c.name, got, env.Flags, env.RoundedUp, c.want, c.flags, c.up)
		}
	}
}

func TestRemTable(t *testing.T) {
	f := func(v float64) F80 { var e Env; return FromFloat64Bits(math.Float64bits(v), &e) }
	cases := []struct {
		name    string
		nearest bool
		a, b    F80
		want    F80
		q       uint8
		inc     bool
		flags   Exceptions
	}{
		{"7 rem 2", false, f(7), f(2), f(1), 3, false, 0},
		{"7 rem1 2: quotient 3.5 ties to 4", true, f(7), f(2), f(-1), 4, false, 0},
		{"5 rem1 2: quotient 2.5 ties to 2", true, f(5), f(2), f(1), 2, false, 0},
		{"-7 rem 2", false, f(-7), f(2), f(-1), 3, false, 0},
		{"6 rem 3: zero keeps the dividend's sign", false, f(-6), f(3), negZero, 2, false, 0},
		{"1.5 rem1 2: |a| < |b| but > |b|/2", true, f(1.5), f(2), f(-0.5), 1, false, 0},
		{"1 rem1 2: tie, even quotient 0", true, f(1), f(2), f(1), 0, false, 0},
		{"1 rem 2", false, f(1), f(2), f(1), 0, false, 0},
		// D = 70-1 = 69, so one step reduces by n = 69&31|32 = 37 bits: it
		// leaves 2^70 mod (3·2^32) = 2^32, as 2^38 ≡ 1 (mod 3).
		{"2^70 rem 3: one step", false, f(0x1p70), f(3), f(0x1p32), 0, true, 0},
		{"x rem 0", false, f(1), posZero, indef, 0, false, IE},
		{"inf rem 1", false, posInf, f(1), indef, 0, false, IE},
		{"1 rem inf", false, f(1), posInf, f(1), 0, false, 0},
		{"0 rem 1", false, negZero, f(1), negZero, 0, false, 0},
	}
	for _, c := range cases {
		var env Env
		var r F80
		var q uint8
		var inc bool
		if c.nearest {
			r, q, inc = Rem1(c.a, c.b, &env)
		} else {
			r, q, inc = Rem(c.a, c.b, &env)
		}
		if r != c.want || q != c.q || inc != c.inc || env.Flags != c.flags {
			t.Errorf("%s: got %v q=%d inc=%v flags=%#x, want %v q=%d inc=%v flags=%#x", c.name, r, q, inc, env.Flags, c.want, c.q, c.inc, c.flags)
		}
	}
}

func TestScaleXtract(t *testing.T) {
	var e Env
	if got := Scale(one, F80{Mant: 0xE000000000000000, SE: 0x4001}, &e); got != (F80{Mant: intBit, SE: 0x3FFF + 7}) || e.Flags != 0 {
		t.Errorf("1 scale 7 = %v %#x", got, e.Flags)
	}
	e = Env{}
	if got := Scale(F80{Mant: 0xC000000000000000, SE: 0x4000}, F80{Mant: 0xF000000000000000, SE: 0xC000}, &e); got != (F80{Mant: 0xC000000000000000, SE: 0x4000 - 3}) {
		t.Errorf("3 scale -3.75 (truncated to -3) = %v", got)
	}
	e = Env{}
	if got := Scale(posZero, posInf, &e); got != indef || e.Flags != IE {
		t.Errorf("0 scale +inf = %v %#x, want invalid", got, e.Flags)
	}
	e = Env{}
	if got := Scale(posInf, negInf, &e); got != indef || e.Flags != IE {
		t.Errorf("inf scale -inf = %v %#x, want invalid", got, e.Flags)
	}
	e = Env{}
	if got := Scale(minusOne, negInf, &e); got != negZero || e.Flags != 0 {
		t.Errorf("-1 scale -inf = %v %#x, want -0", got, e.Flags)
	}
	e = Env{}
	sig, exp := Xtract(F80{Mant: 0xC000000000000000, SE: 0xC005}, &e)
	if sig != (F80{Mant: 0xC000000000000000, SE: 0xBFFF}) || exp != FromInt64(6) || e.Flags != 0 {
		t.Errorf("xtract -96 = %v, %v", sig, exp)
	}
	e = Env{}
	sig, exp = Xtract(negZero, &e)
	if sig != negZero || exp != negInf || e.Flags != ZE {
		t.Errorf("xtract -0 = %v, %v, %#x", sig, exp, e.Flags)
	}
	e = Env{}
	sig, exp = Xtract(minDen, &e)
	if sig != one || exp != FromInt64(-16445) || e.Flags != DE {
		t.Errorf("xtract minDen = %v, %v, %#x", sig, exp, e.Flags)
	}
}

func TestCompareTable(t *testing.T) {
	cases := []struct {
		a, b       F80
		want       Ordering
		flags      Exceptions // Compare
		quietFlags Exceptions // CompareQuiet
	}{
		{one, two, Less, 0, 0},
		{two, one, Greater, 0, 0},
		{posZero, negZero, Equal, 0, 0},
		{negInf, maxFin.Neg(), Less, 0, 0},
		{posInf, posInf, Equal, 0, 0},
		{minusOne, F80{Mant: intBit, SE: 0xC000}, Greater, 0, 0},
		{minDen, posZero, Greater, DE, DE},
		{minDen.Neg(), minDen, Less, DE, DE},
		{F80{Mant: intBit, SE: 0}, minNorm, Equal, DE, DE}, // pseudo-denormal equals 2^-16382
		{qnan1, one, Unordered, IE, 0},
		{one, snan1, Unordered, IE, IE},
		{unnormal, one, Unordered, IE, IE},
	}
	for _, c := range cases {
		var e, q Env
		if got := Compare(c.a, c.b, &e); got != c.want || e.Flags != c.flags {
			t.Errorf("Compare(%v, %v) = %d %#x, want %d %#x", c.a, c.b, got, e.Flags, c.want, c.flags)
		}
		if got := CompareQuiet(c.a, c.b, &q); got != c.want || q.Flags != c.quietFlags {
			t.Errorf("CompareQuiet(%v, %v) = %d %#x, want %d %#x", c.a, c.b, got, q.Flags, c.want, c.quietFlags)
		}
	}
	if Less.Codes() != swC0 || Equal.Codes() != swC3 || Greater.Codes() != 0 || Unordered.Codes() != swC0|swC2|swC3 {
		t.Error("Ordering.Codes")
	}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		a     F80
		class Class
		codes uint16 // C3 C2 C0 from the SDM's FXAM table
	}{
		{unnormal, ClassUnsupported, 0},
		{pseudoNaN, ClassUnsupported, 0},
		{pseudoInf, ClassUnsupported, 0},
		{qnan1, ClassNaN, swC0},
		{snan1, ClassNaN, swC0},
		{one, ClassNormal, swC2},
		{posInf, ClassInfinity, swC2 | swC0},
		{negZero, ClassZero, swC3},
		{minDen, ClassDenormal, swC3 | swC2},
		{F80{Mant: intBit}, ClassDenormal, swC3 | swC2}, // pseudo-denormal
	}
	for _, c := range cases {
		if got := Classify(c.a); got != c.class || got.Codes() != c.codes {
			t.Errorf("Classify(%v) = %d (%#x), want %d (%#x)", c.a, got, got.Codes(), c.class, c.codes)
		}
	}
	if ClassEmpty.Codes() != swC3|swC0 {
		t.Error("empty codes")
	}
}

func TestNewEnv(t *testing.T) {
	e := NewEnv(0x037F) // FNINIT
	if e != (Env{}) {
		t.Errorf("NewEnv(0x37f) = %+v, want the zero Env", e)
	}
	e = NewEnv(0x0C00 | 0x0200 | 0x3E) // RZ, PC53, IE unmasked
	if e.RC != RoundZero || e.PC != Prec53 || e.Traps != IE {
		t.Errorf("NewEnv = %+v", e)
	}
	if NewEnv(0x0000).PC != Prec24 || NewEnv(0x0100).PC != Prec64 || NewEnv(0x0400).RC != RoundDown || NewEnv(0x0800).RC != RoundUp {
		t.Error("NewEnv field decoding")
	}
	e = NewEnv(0x037E) // IE unmasked
	Add(snan1, one, &e)
	if !e.Suppressed() || e.Unmasked() != IE {
		t.Errorf("unmasked IE: suppressed=%v unmasked=%#x", e.Suppressed(), e.Unmasked())
	}
	e = NewEnv(0x035F) // PE unmasked never suppresses
	Div(one, F80{Mant: 0xC000000000000000, SE: 0x4000}, &e)
	if e.Suppressed() || e.Unmasked() != PE {
		t.Errorf("unmasked PE: suppressed=%v unmasked=%#x", e.Suppressed(), e.Unmasked())
	}
}

func TestBytes(t *testing.T) {
	a := F80{Mant: 0x0123456789ABCDEF, SE: 0xFEDC}
	b := a.Bytes()
	want := [10]byte{0xEF, 0xCD, 0xAB, 0x89, 0x67, 0x45, 0x23, 0x01, 0xDC, 0xFE}
	if b != want || FromBytes(b) != a {
		t.Errorf("Bytes = %x", b)
	}
}

// TestFloat64RoundTrip: every float64 is exact in extended; converting back
// gives the same bits, and the extended value is the float64's value.
func TestFloat64RoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	vals := []float64{0, math.Copysign(0, -1), 1, -1.5, math.MaxFloat64, math.SmallestNonzeroFloat64, 0x1p-1022, math.Inf(1), math.Inf(-1), math.Pi}
	for i := 0; i < 20000; i++ {
		b := rng.Uint64()
		if i%4 == 0 {
			b &= 0x800FFFFFFFFFFFFF // subnormal
		}
		vals = append(vals, math.Float64frombits(b))
	}
	for _, v := range vals {
		b := math.Float64bits(v)
		if math.IsNaN(v) {
			continue
		}
		var e Env
		x := FromFloat64Bits(b, &e)
		wantDE := Exceptions(0)
		if v != 0 && math.Abs(v) < 0x1p-1022 {
			wantDE = DE
		}
		if e.Flags != wantDE {
			t.Fatalf("FromFloat64Bits(%x) flags %#x", b, e.Flags)
		}
		if !math.IsInf(v, 0) && v != 0 {
			if got, _ := fromBigCheck(x).Float64(); got != v {
				t.Fatalf("FromFloat64Bits(%x) = %v, value %v", b, x, got)
			}
		}
		e = Env{}
		if back := ToFloat64Bits(x, &e); back != b || e.Flags != 0 {
			t.Fatalf("ToFloat64Bits(FromFloat64Bits(%x)) = %x flags %#x", b, back, e.Flags)
		}
	}
	for i := 0; i < 20000; i++ {
		b := rng.Uint32()
		if math.IsNaN(float64(math.Float32frombits(b))) {
			continue
		}
		var e Env
		x := FromFloat32Bits(b, &e)
		if got := ToFloat32Bits(x, &e); got != b || e.Flags&^DE != 0 {
			t.Fatalf("float32 %x round trip = %x flags %#x", b, got, e.Flags)
		}
		var e2 Env
		if y := FromFloat64Bits(math.Float64bits(float64(math.Float32frombits(b))), &e2); y != x {
			t.Fatalf("float32 %x widened %v, via float64 %v", b, x, y)
		}
	}
}

// fromBigCheck returns a finite x's value as a big.Float.
func fromBigCheck(x F80) *big.Float { return finiteValue(x).float() }

// TestToFloat64Rounding compares FST m64fp rounding of random extended values
// with big.Float's conversion in all four modes (overflow excluded: big.Float
// always rounds it to ±Inf).
func TestToFloat64Rounding(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for i := 0; i < 20000; i++ {
		a := randFinite(rng)
		a = near(rng, a, 0x3FFF-1100+rng.IntN(2200))
		rc := RoundingMode(rng.IntN(4))
		// big.Float.Float64 always rounds to nearest, so round first to the
		// bits a float64 keeps at this magnitude (fewer for a denormal).
		v := fromBigCheck(a)
		prec := min(53, v.MantExp(nil)+1074)
		if prec < 1 {
			continue
		}
		f, _ := new(big.Float).SetPrec(uint(prec)).SetMode(bigModes[rc]).Set(v).Float64()
		if math.IsInf(f, 0) {
			continue
		}
		var e Env
		e.RC = rc
		got := ToFloat64Bits(a, &e)
		if got != math.Float64bits(f) {
			t.Fatalf("ToFloat64Bits(%v) rc=%d = %x, want %x", a, rc, got, math.Float64bits(f))
		}
		exactBack := new(big.Float).SetFloat64(f).Cmp(fromBigCheck(a)) == 0
		if (e.Flags&PE == 0) != exactBack {
			t.Fatalf("ToFloat64Bits(%v) rc=%d: flags %#x, exact=%v", a, rc, e.Flags, exactBack)
		}
	}
}

func TestIntConversions(t *testing.T) {
	f := func(v float64) F80 { var e Env; return FromFloat64Bits(math.Float64bits(v), &e) }
	cases := []struct {
		a     F80
		rc    RoundingMode
		w     uint
		want  int64
		trunc int64
		flags Exceptions
	}{
		{f(2.5), RoundNearest, 16, 2, 2, PE},
		{f(-2.5), RoundDown, 32, -3, -2, PE},
		{f(-2.5), RoundUp, 64, -2, -2, PE},
		{f(32767.5), RoundNearest, 16, -32768, 32767, IE}, // rounds to 32768: out of range
		{f(-32768.4), RoundNearest, 16, -32768, -32768, PE},
		{f(-0x1p63), RoundNearest, 64, math.MinInt64, math.MinInt64, 0},
		{f(0x1p63), RoundNearest, 64, math.MinInt64, math.MinInt64, IE},
		{f(math.Inf(1)), RoundNearest, 32, math.MinInt32, math.MinInt32, IE},
		{qnan1, RoundNearest, 32, math.MinInt32, math.MinInt32, IE},
		{negZero, RoundNearest, 32, 0, 0, 0},
		{minDen, RoundUp, 32, 1, 0, PE}, // no DE on stores
	}
	for _, c := range cases {
		e := Env{RC: c.rc}
		var got, tr int64
		et := Env{RC: c.rc}
		switch c.w {
		case 16:
			got, tr = int64(ToInt16(c.a, &e)), int64(TruncInt16(c.a, &et))
		case 32:
			got, tr = int64(ToInt32(c.a, &e)), int64(TruncInt32(c.a, &et))
		default:
			got, tr = ToInt64(c.a, &e), TruncInt64(c.a, &et)
		}
		if got != c.want || e.Flags != c.flags {
			t.Errorf("ToInt%d(%v) rc=%d = %d %#x, want %d %#x", c.w, c.a, c.rc, got, e.Flags, c.want, c.flags)
		}
		if tr != c.trunc {
			t.Errorf("TruncInt%d(%v) = %d, want %d", c.w, c.a, tr, c.trunc)
		}
	}
	for _, v := range []int64{0, 1, -1, math.MaxInt64, math.MinInt64, 123456789, -1 << 40} {
		var e Env
		if got := ToInt64(FromInt64(v), &e); got != v || e.Flags != 0 {
			t.Errorf("ToInt64(FromInt64(%d)) = %d %#x", v, got, e.Flags)
		}
	}
}

func TestBCD(t *testing.T) {
	var e Env
	b := ToBCD(FromInt64(-123456789012345678), &e)
	want := [10]byte{0x78, 0x56, 0x34, 0x12, 0x90, 0x78, 0x56, 0x34, 0x12, 0x80}
	if b != want || e.Flags != 0 {
		t.Errorf("ToBCD = %x %#x", b, e.Flags)
	}
	if got := FromBCD(want); got != FromInt64(-123456789012345678) {
		t.Errorf("FromBCD = %v", got)
	}
	if got := FromBCD([10]byte{9: 0x80}); got != negZero {
		t.Errorf("FromBCD(-0) = %v", got)
	}
	e = Env{}
	if b := ToBCD(FromInt64(1_000_000_000_000_000_000), &e); b != bcdIndefinite() || e.Flags != IE {
		t.Errorf("ToBCD(10^18) = %x %#x", b, e.Flags)
	}
	e = Env{RC: RoundUp}
	if b := ToBCD(F80{Mant: 0xC000000000000000, SE: 0xBFFF}, &e); b != [10]byte{0x01, 9: 0x80} || e.Flags != PE || e.RoundedUp {
		t.Errorf("ToBCD(-1.5) RU = %x %#x %v", b, e.Flags, e.RoundedUp)
	}
}

// TestConstants checks the constant table against the constants computed
// with math/big and rounded in each direction.
func TestConstants(t *testing.T) {
	const prec = 300
	nf := func(v int64) *big.Float { return new(big.Float).SetPrec(prec).SetInt64(v) }
	// atanInv(k) = atan(1/k) = Σ (-1)^i / ((2i+1) k^(2i+1)).
	atanInv := func(k int64) *big.Float {
		sum, term := nf(0), new(big.Float).SetPrec(prec).Quo(nf(1), nf(k))
		k2 := nf(k * k)
		for i := int64(0); i < 400; i++ {
			q := new(big.Float).SetPrec(prec).Quo(term, nf(2*i+1))
			if i%2 == 0 {
				sum.Add(sum, q)
			} else {
				sum.Sub(sum, q)
			}
			term.Quo(term, k2)
		}
		return sum
	}
	// atanhInv(k) = atanh(1/k) = Σ 1 / ((2i+1) k^(2i+1)).
	atanhInv := func(k int64) *big.Float {
		sum, term := nf(0), new(big.Float).SetPrec(prec).Quo(nf(1), nf(k))
		k2 := nf(k * k)
		for i := int64(0); i < 400; i++ {
			sum.Add(sum, new(big.Float).SetPrec(prec).Quo(term, nf(2*i+1)))
			term.Quo(term, k2)
		}
		return sum
	}
	pi := new(big.Float).SetPrec(prec).Sub(new(big.Float).Mul(nf(16), atanInv(5)), new(big.Float).Mul(nf(4), atanInv(239)))
	ln2 := new(big.Float).SetPrec(prec).Mul(nf(2), atanhInv(3))                                                      // ln 2 = 2 atanh(1/3)
	ln10 := new(big.Float).SetPrec(prec).Add(new(big.Float).Mul(nf(3), ln2), new(big.Float).Mul(nf(2), atanhInv(9))) // ln 10 = 3 ln 2 + ln 5/4
	vals := map[Const]*big.Float{
		ConstPi:   pi,
		ConstLN2:  ln2,
		ConstL2E:  new(big.Float).SetPrec(prec).Quo(nf(1), ln2),
		ConstL2T:  new(big.Float).SetPrec(prec).Quo(ln10, ln2),
		ConstLG2:  new(big.Float).SetPrec(prec).Quo(ln2, ln10),
		ConstOne:  nf(1),
		ConstZero: nf(0),
	}
	for c := Const(0); c < numConst; c++ {
		for rc := RoundNearest; rc <= RoundZero; rc++ {
			r := new(big.Float).SetPrec(64).SetMode(bigModes[rc]).Set(vals[c])
			want := fromBig(r)
			if got := Constant(c, rc); got != want {
				t.Errorf("Constant(%d, rc=%d) = %v, want %v", c, rc, got, want)
			}
		}
	}
}

func TestBinaryNames(t *testing.T) {
	for op := Binary(0); op < numBinary; op++ {
		if op.String() == "" || op.String()[0] == 'B' {
			t.Errorf("Binary(%d) has no name", op)
		}
	}
}

func TestNoAllocs(t *testing.T) {
	a, b := F80{Mant: 0xB504F333F9DE6484, SE: 0x3FFF}, F80{Mant: 0xC90FDAA22168C235, SE: 0x4000}
	env := NewEnv(0x037F)
	var sink F80
	var sinkI int64
	var sinkB [10]byte
	ops := map[string]func(){
		"Add":     func() { sink = Add(a, b, &env) },
		"Mul":     func() { sink = Mul(a, b, &env) },
		"Div":     func() { sink = Div(a, b, &env) },
		"Sqrt":    func() { sink = Sqrt(a, &env) },
		"Rem":     func() { sink, _, _ = Rem(b, a, &env) },
		"Scale":   func() { sink = Scale(a, b, &env) },
		"Float64": func() { sink = OpSub.Float64(a, math.Float64bits(0.1), &env) },
		"Store":   func() { sinkI = int64(ToFloat64Bits(a, &env)) },
		"ToInt":   func() { sinkI = ToInt64(b, &env) },
		"ToBCD":   func() { sinkB = ToBCD(b, &env) },
		"Compare": func() { sinkI = int64(Compare(a, b, &env)) },
	}
	for name, f := range ops {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s allocates %v times per call", name, n)
		}
	}
	_, _, _ = sink, sinkI, sinkB
}

func benchOperands() (F80, F80) {
	return F80{Mant: 0xB504F333F9DE6484, SE: 0x3FFF}, F80{Mant: 0xC90FDAA22168C235, SE: 0x4000}
}

func BenchmarkAdd(b *testing.B) {
	x, y := benchOperands()
	env := Env{}
	for b.Loop() {
		x = Add(x, y, &env)
		x.SE = 0x3FFF
	}
}

func BenchmarkMul(b *testing.B) {
	x, y := benchOperands()
	env := Env{}
	for b.Loop() {
		x = Mul(x, y, &env)
		x.SE = 0x3FFF
	}
}

func BenchmarkDiv(b *testing.B) {
	x, y := benchOperands()
	env := Env{}
	for b.Loop() {
		x = Div(x, y, &env)
		x.SE = 0x3FFF
	}
}

func BenchmarkSqrt(b *testing.B) {
	x, _ := benchOperands()
	env := Env{}
	for b.Loop() {
		x = Sqrt(x, &env)
		x.SE = 0x4000
	}
}

// allOps runs every operation on a and b under control word cw; it is the
// body of the no-panic sweep and fuzz target.
func allOps(a, b F80, cw uint16) {
	env := func() *Env { e := NewEnv(cw); return &e }
	for op := Binary(0); op < numBinary; op++ {
		op.Apply(a, b, env())
		op.Float32(a, uint32(b.Mant), env())
		op.Float64(a, b.Mant, env())
	}
	Sqrt(a, env())
	Rem(a, b, env())
	Rem1(a, b, env())
	RoundInt(a, env())
	Scale(a, b, env())
	Xtract(a, env())
	Compare(a, b, env())
	CompareQuiet(a, b, env())
	CompareFloat32(a, uint32(b.Mant), env())
	CompareFloat64(a, b.Mant, env())
	Classify(a)
	FromFloat32Bits(uint32(a.Mant), env())
	FromFloat64Bits(a.Mant, env())
	ToFloat32Bits(a, env())
	ToFloat64Bits(a, env())
	ToInt16(a, env())
	ToInt32(a, env())
	ToInt64(a, env())
	TruncInt16(a, env())
	TruncInt32(a, env())
	TruncInt64(a, env())
	ToBCD(a, env())
	FromBCD(a.Bytes())
}

func TestNoPanicSweep(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	edges := []uint64{0, 1, intBit, intBit | 1, ^uint64(0), qBit, intBit | qBit, ^uint64(0) >> 1}
	exps := []uint16{0, 1, 0x3FFF, 0x403E, 0x7FFE, 0x7FFF}
	for i := 0; i < 20000; i++ {
		var a, b F80
		if i%2 == 0 {
			a = F80{Mant: edges[rng.IntN(len(edges))], SE: exps[rng.IntN(len(exps))] | uint16(rng.IntN(2))<<15}
			b = F80{Mant: edges[rng.IntN(len(edges))], SE: exps[rng.IntN(len(exps))] | uint16(rng.IntN(2))<<15}
		} else {
			a, b = F80{Mant: rng.Uint64(), SE: uint16(rng.Uint32())}, F80{Mant: rng.Uint64(), SE: uint16(rng.Uint32())}
		}
		allOps(a, b, uint16(rng.Uint32()))
	}
}

func FuzzNoPanic(f *testing.F) {
	f.Add(uint64(intBit), uint16(0x3FFF), uint64(0), uint16(0), uint16(0x037F))
	f.Fuzz(func(t *testing.T, am uint64, ase uint16, bm uint64, bse uint16, cw uint16) {
		allOps(F80{Mant: am, SE: ase}, F80{Mant: bm, SE: bse}, cw)
	})
}
