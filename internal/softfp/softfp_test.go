// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package softfp

import (
	"math"
	"testing"
)

// Expected values below are worked out by hand from IEEE 754 and the Intel
// SDM rules (vol. 1 ch. 4 and 11); the comments show the arithmetic.

const (
	one32   = 0x3f800000
	two32   = 0x40000000
	half32  = 0x3f000000
	inf32   = 0x7f800000
	qnan32  = 0x7fc00000
	snan32  = 0x7f800001
	max32   = 0x7f7fffff
	minN32  = 0x00800000 // 2^-126
	minD32  = 0x00000001 // 2^-149
	one64   = 0x3ff0000000000000
	two64   = 0x4000000000000000
	inf64   = 0x7ff0000000000000
	max64   = 0x7fefffffffffffff
	minN64  = 0x0010000000000000
	neg32   = 0x80000000
	neg64   = 0x8000000000000000
	ulp1_32 = 0x33800000 // 2^-24: half an ulp of 1.0
)

var (
	rn   = Env{}
	rd   = Env{RC: RoundDown}
	ru   = Env{RC: RoundUp}
	rz   = Env{RC: RoundZero}
	daz  = Env{DAZ: true}
	ftz  = Env{FTZ: true}
	ueOn = Env{UnmaskedUE: true, FTZ: true}
)

type case32 struct {
	name string
	fn   func(a, b uint32, env Env) (uint32, Exceptions)
	a, b uint32
	env  Env
	want uint32
	fl   Exceptions
}

func TestBinary32(t *testing.T) {
	sqrt := func(a, _ uint32, env Env) (uint32, Exceptions) { return Sqrt32(a, env) }
	cases := []case32{
		{"1+1", Add32, one32, one32, rn, two32, 0},
		// 1 + 2^-24 is the tie between 1 and 1+2^-23: even is 1.
		{"tie to even", Add32, one32, ulp1_32, rn, one32, PE},
		{"tie up", Add32, one32, ulp1_32, ru, 0x3f800001, PE},
		{"tie down", Add32, one32, ulp1_32, rd, one32, PE},
		// 1 - 2^-24 is exact (0x3f7fffff).
		{"exact below one", Sub32, one32, ulp1_32, rn, 0x3f7fffff, 0},
		{"x-x is +0", Sub32, one32, one32, rn, 0, 0},
		{"x-x is -0 rounding down", Sub32, one32, one32, rd, neg32, 0},
		{"-0 + -0", Add32, neg32, neg32, rn, neg32, 0},
		{"inf-inf", Sub32, inf32, inf32, rn, DefaultNaN32, IE},
		{"inf+1", Add32, inf32, one32, rn, inf32, 0},
		{"qnan first wins", Add32, 0x7fc00001, 0x7fc00002, rn, 0x7fc00001, 0},
		{"snan quieted", Add32, one32, snan32, rn, 0x7fc00001, IE},
		{"snan second, qnan first", Add32, 0xffc00003, snan32, rn, 0xffc00003, IE},
		// Max + Max = 2^129 - 2^105 overflows.
		{"overflow rn", Add32, max32, max32, rn, inf32, OE | PE},
		{"overflow rz", Add32, max32, max32, rz, max32, OE | PE},
		{"overflow rd", Add32, max32, max32, rd, max32, OE | PE},
		{"neg overflow rd", Add32, max32 | neg32, max32 | neg32, rd, inf32 | neg32, OE | PE},
		{"neg overflow ru", Add32, max32 | neg32, max32 | neg32, ru, max32 | neg32, OE | PE},
		// Denormal operands: DE; under DAZ they are zeros and DE is clear.
		{"denormal sum", Add32, minD32, minD32, rn, 2, DE},
		{"denormal + 1", Add32, one32, minD32, rn, one32, DE | PE},
		{"daz", Add32, one32, minD32, daz, one32, 0},
		// FTZ flushes even the exact tiny result 2^-148.
		{"ftz exact tiny", Add32, minD32, minD32, ftz, 0, DE | UE | PE},
		{"ftz off when UE unmasked", Add32, minD32, minD32, ueOn, 2, DE | UE},
		// 2^-126 × 0.5 = 2^-127 is an exact denormal: no UE when masked.
		{"exact tiny", Mul32, minN32, half32, rn, 0x00400000, 0},
		{"exact tiny, UE unmasked", Mul32, minN32, half32, Env{UnmaskedUE: true}, 0x00400000, UE},
		// (2^-126 + 2^-149) × 0.5 is exact with an unbounded exponent but
		// not as a denormal: masked, UE and PE; unmasked, UE alone.
		{"inexact denormal", Mul32, 0x00800001, half32, rn, 0x00400000, UE | PE},
		{"inexact denormal, UE unmasked", Mul32, 0x00800001, half32, Env{UnmaskedUE: true}, 0x00400000, UE},
		// Unmasked overflow: PE only when the unbounded result is inexact.
		{"exact overflow, OE unmasked", Add32, max32, max32, Env{UnmaskedOE: true}, inf32, OE},
		{"inexact overflow, OE unmasked", Mul32, max32, 0x3fffffff, Env{UnmaskedOE: true}, inf32, OE | PE},
		// (2^-126 + 2^-149)(1 - 2^-23) = 2^-126 (1 - 2^-46): rounds to 2^-126
		// with an unbounded exponent, so it is not tiny after rounding.
		{"not tiny after rounding", Mul32, 0x00800001, 0x3f7ffffe, rn, minN32, PE},
		{"tiny after rounding down", Mul32, 0x00800001, 0x3f7ffffe, rd, 0x007fffff, UE | PE},
		{"ftz keeps non-tiny", Mul32, 0x00800001, 0x3f7ffffe, ftz, minN32, PE},
		// 2^-149 × 0.5 = 2^-150: a tie between 0 and 2^-149, even is 0.
		{"underflow to zero", Mul32, minD32, half32, rn, 0, DE | UE | PE},
		{"underflow up", Mul32, minD32, half32, ru, minD32, DE | UE | PE},
		{"0*inf", Mul32, 0, inf32, rn, DefaultNaN32, IE},
		{"-0*3", Mul32, neg32, 0x40400000, rn, neg32, 0},
		{"1/0", Div32, one32, 0, rn, inf32, ZE},
		{"-1/0", Div32, one32 | neg32, 0, rn, inf32 | neg32, ZE},
		{"denormal/0 is only ZE", Div32, minD32, 0, rn, inf32, ZE},
		{"0/0", Div32, 0, 0, rn, DefaultNaN32, IE},
		{"inf/inf", Div32, inf32, inf32, rn, DefaultNaN32, IE},
		// 1/3 = 0x3eaaaaaa.aaa…: RN and RD truncate, RU goes up.
		{"1/3 rn", Div32, one32, 0x40400000, rn, 0x3eaaaaab, PE},
		{"1/3 rz", Div32, one32, 0x40400000, rz, 0x3eaaaaaa, PE},
		{"-1/3 rd", Div32, one32 | neg32, 0x40400000, rd, 0xbeaaaaab, PE},
		{"sqrt 4", sqrt, 0x40800000, 0, rn, two32, 0},
		// sqrt 2 = 1.0110101000001001111001100110011…: 0x3fb504f3 truncated.
		{"sqrt 2 rn", sqrt, two32, 0, rn, 0x3fb504f3, PE},
		{"sqrt 2 ru", sqrt, two32, 0, ru, 0x3fb504f4, PE},
		{"sqrt -0", sqrt, neg32, 0, rn, neg32, 0},
		{"sqrt -1", sqrt, one32 | neg32, 0, rn, DefaultNaN32, IE},
		{"sqrt -denormal is only IE", sqrt, minD32 | neg32, 0, rn, DefaultNaN32, IE},
		{"sqrt snan", sqrt, snan32, 0, rn, 0x7fc00001, IE},
		{"min(+0,-0) is the second", Min32, 0, neg32, rn, neg32, 0},
		{"min(-0,+0) is the second", Min32, neg32, 0, rn, 0, 0},
		{"min(qnan,1) is 1", Min32, qnan32, one32, rn, one32, IE},
		{"min(1,snan) is the snan", Min32, one32, snan32, rn, snan32, IE},
		{"max(1,2)", Max32, one32, two32, rn, two32, 0},
		{"max(denormal,0) under daz", Max32, minD32, neg32, daz, neg32, 0},
	}
	for _, c := range cases {
		got, fl := c.fn(c.a, c.b, c.env)
		if got != c.want || fl != c.fl {
			t.Errorf("%s: got %#08x flags %#x, want %#08x flags %#x", c.name, got, fl, c.want, c.fl)
		}
	}
}

func TestBinary64(t *testing.T) {
	cases := []struct {
		name string
		fn   func(a, b uint64, env Env) (uint64, Exceptions)
		a, b uint64
		env  Env
		want uint64
		fl   Exceptions
	}{
		{"1+1", Add64, one64, one64, rn, two64, 0},
		// 1 + 2^-53: tie, even is 1.
		{"tie", Add64, one64, 0x3ca0000000000000, rn, one64, PE},
		{"tie up", Add64, one64, 0x3ca0000000000000, ru, 0x3ff0000000000001, PE},
		{"max*2", Mul64, max64, two64, rn, inf64, OE | PE},
		{"max*2 rz", Mul64, max64, two64, rz, max64, OE | PE},
		// 2^-1022 / 2^52 = 2^-1074 exactly: the smallest denormal.
		{"exact smallest denormal", Div64, minN64, 0x4330000000000000, rn, 1, 0},
		// 2^-1022 / 2^53 = 2^-1075: tie between 0 and 2^-1074.
		{"underflow tie", Div64, minN64, 0x4340000000000000, rn, 0, UE | PE},
		{"underflow tie ru", Div64, minN64, 0x4340000000000000, ru, 1, UE | PE},
		{"ftz", Div64, minN64, two64, ftz, 0, UE | PE},
		// 1/10 = 0x3fb999999999999a (…9999.99… rounds up).
		{"1/10", Div64, one64, 0x4024000000000000, rn, 0x3fb999999999999a, PE},
		{"1/10 rz", Div64, one64, 0x4024000000000000, rz, 0x3fb9999999999999, PE},
		{"snan", Mul64, 0x7ff0000000000001, one64, rn, 0x7ff8000000000001, IE},
		{"0/0", Div64, 0, neg64, rn, DefaultNaN64, IE},
		{"min", Min64, one64, two64, rn, one64, 0},
	}
	for _, c := range cases {
		got, fl := c.fn(c.a, c.b, c.env)
		if got != c.want || fl != c.fl {
			t.Errorf("%s: got %#016x flags %#x, want %#016x flags %#x", c.name, got, fl, c.want, c.fl)
		}
	}
}

func TestCompare(t *testing.T) {
	cases := []struct {
		a, b      uint32
		signaling bool
		env       Env
		want      Relation
		fl        Exceptions
	}{
		{one32, two32, false, rn, Less, 0},
		{two32, one32, false, rn, Greater, 0},
		{0, neg32, false, rn, Equal, 0},
		{one32 | neg32, 0, false, rn, Less, 0},
		{one32 | neg32, two32 | neg32, false, rn, Greater, 0},
		{qnan32, one32, false, rn, Unordered, 0},
		{qnan32, one32, true, rn, Unordered, IE},
		{snan32, one32, false, rn, Unordered, IE},
		{minD32, one32, false, rn, Less, DE},
		{minD32, 0, false, daz, Equal, 0},
		{minD32, qnan32, false, rn, Unordered, 0},
	}
	for _, c := range cases {
		r, fl := Compare32(c.a, c.b, c.signaling, c.env)
		if r != c.want || fl != c.fl {
			t.Errorf("compare(%#x, %#x, %v): got %d flags %#x, want %d flags %#x", c.a, c.b, c.signaling, r, fl, c.want, c.fl)
		}
	}
	if r, fl := Compare64(inf64|neg64, max64|neg64, true, rn); r != Less || fl != 0 {
		t.Errorf("compare64(-inf, -max) = %d %#x", r, fl)
	}
}

func TestConvert(t *testing.T) {
	type cvt struct {
		name string
		got  uint64
		fl   Exceptions
		want uint64
		wfl  Exceptions
	}
	c := func(name string, got uint64, fl Exceptions, want uint64, wfl Exceptions) cvt {
		return cvt{name, got, fl, want, wfl}
	}
	u := func(r uint32, fl Exceptions) (uint64, Exceptions) { return uint64(r), fl }
	var cases []cvt
	add := func(name string, want uint64, wfl Exceptions) func(uint64, Exceptions) {
		return func(got uint64, fl Exceptions) { cases = append(cases, c(name, got, fl, want, wfl)) }
	}
	// 2.5 rounds to the even 2; -2.5 down to -3; truncation gives -2.
	add("2.5 rn", 2, PE)(u(F32ToI32(0x40200000, false, rn)))
	add("-2.5 rd", uint64(0xfffffffd), PE)(u(F32ToI32(0xc0200000, false, rd)))
	add("-2.5 trunc", uint64(0xfffffffe), PE)(u(F32ToI32(0xc0200000, true, rd)))
	add("2^31 out of range", IntIndefinite32, IE)(u(F32ToI32(0x4f000000, false, rn)))
	add("-2^31 in range", 0x80000000, 0)(u(F32ToI32(0xcf000000, false, rn)))
	add("nan", IntIndefinite32, IE)(u(F32ToI32(qnan32, false, rn)))
	add("denormal is inexact", 0, PE)(u(F32ToI32(minD32, false, rn)))
	add("denormal under daz", 0, 0)(u(F32ToI32(minD32, false, daz)))
	add("denormal rounds up", 1, PE)(u(F32ToI32(minD32, false, ru)))
	add("-2^63 in range", 0x8000000000000000, 0)(F64ToI64(0xc3e0000000000000, false, rn))
	add("2^63 out of range", IntIndefinite64, IE)(F64ToI64(0x43e0000000000000, false, rn))
	// 2^31 - 0.5 rounds to 2^31 in RN: out of range; truncated it is 2^31-1.
	add("2^31-0.5 rn", IntIndefinite32, IE)(u(F64ToI32(0x41dfffffffe00000, false, rn)))
	add("2^31-0.5 trunc", 0x7fffffff, PE)(u(F64ToI32(0x41dfffffffe00000, true, rn)))
	add("inf", IntIndefinite64, IE)(F32ToI64(inf32, true, rn))
	// 2^24+1 is a tie between 2^24 and 2^24+2: even is 2^24.
	add("int tie", 0x4b800000, PE)(u(I32ToF32(1<<24+1, rn)))
	add("int tie up", 0x4b800001, PE)(u(I32ToF32(1<<24+1, ru)))
	add("-1", 0xbf800000, 0)(u(I64ToF32(-1, rn)))
	add("min int64", 0xc3e0000000000000, 0)(I64ToF64(-1<<63, rn))
	add("2^53+1", 0x4340000000000000, PE)(I64ToF64(1<<53+1, rn))
	add("int32 exact", 0xc1e0000000000000, 0)(I32ToF64(-1<<31), 0)
	add("widen 1", one64, 0)(F32ToF64(one32, rn))
	add("widen denormal", 0x36a0000000000000, DE)(F32ToF64(minD32, rn))
	add("widen denormal daz", 0, 0)(F32ToF64(minD32, daz))
	add("widen snan", 0x7ff8000020000000, IE)(F32ToF64(snan32, rn))
	add("narrow 1/3", 0x3eaaaaab, PE)(u(F64ToF32(0x3fd5555555555555, rn)))
	add("narrow overflow", inf32, OE|PE)(u(F64ToF32(0x47f0000000000000, rn)))
	add("narrow overflow rz", max32, OE|PE)(u(F64ToF32(0x47f0000000000000, rz)))
	add("narrow to denormal", 0x00400000, 0)(u(F64ToF32(0x3800000000000000, rn)))
	add("narrow tiny ftz", 0, UE|PE)(u(F64ToF32(0x3800000000000000, ftz)))
	add("narrow qnan payload", 0xffc00001, 0)(u(F64ToF32(0xfff8000020000000, rn)))
	for _, c := range cases {
		if c.got != c.want || c.fl != c.wfl {
			t.Errorf("%s: got %#x flags %#x, want %#x flags %#x", c.name, c.got, c.fl, c.want, c.wfl)
		}
	}
}

func TestApproximations(t *testing.T) {
	// Special operands follow the SDM's RCPSS/RSQRTSS pages; the finite
	// results are this host's (AMD) and must stay within 1.5 × 2^-12.
	specials := []struct {
		name      string
		got, want uint32
	}{
		{"rcp +0", Rcp32(0), inf32},
		{"rcp -denormal", Rcp32(neg32 | 5), inf32 | neg32},
		{"rcp inf", Rcp32(inf32), 0},
		{"rcp -inf", Rcp32(inf32 | neg32), neg32},
		{"rcp snan", Rcp32(snan32), 0x7fc00001},
		{"rcp huge flushes", Rcp32(0x7f000000), 0},
		{"rsqrt -0", Rsqrt32(neg32), inf32 | neg32},
		{"rsqrt -1", Rsqrt32(one32 | neg32), DefaultNaN32},
		{"rsqrt inf", Rsqrt32(inf32), 0},
		{"rcp 1 (host)", Rcp32(one32), 0x3f7ff000},
		{"rsqrt 1 (host)", Rsqrt32(one32), 0x3f7ff800},
	}
	for _, s := range specials {
		if s.got != s.want {
			t.Errorf("%s: got %#08x, want %#08x", s.name, s.got, s.want)
		}
	}
	// Every table entry, at both ends of its input interval, within the
	// documented relative error against the exact value (worked in float64,
	// which is far more precise than the bound).
	const bound = 1.5 / 4096
	for i := uint32(0); i < 4096; i++ {
		for _, lo := range []uint32{0, 0x7ff} {
			for _, x := range []uint32{one32 | i<<11 | lo, two32 | i<<11 | lo} {
				xf := float64(f32frombits(x))
				if r := float64(f32frombits(Rcp32(x))); abs(r*xf-1) > bound {
					t.Errorf("rcp(%#x) = %g: relative error %g", x, r, r*xf-1)
				}
				if r := float64(f32frombits(Rsqrt32(x))); abs(r*r*xf-1) > 2*bound+bound*bound {
					t.Errorf("rsqrt(%#x) = %g: relative error too large", x, r)
				}
			}
		}
	}
}

func TestEnvFromMXCSR(t *testing.T) {
	if e := EnvFromMXCSR(0x1f80); e != (Env{}) {
		t.Errorf("default MXCSR: %+v", e)
	}
	if e := EnvFromMXCSR(0x1f80 &^ 0x400); e != (Env{UnmaskedOE: true}) {
		t.Errorf("OM clear: %+v", e)
	}
	if e := EnvFromMXCSR(0x1f80 | 3<<13 | 0x8040); e != (Env{RC: RoundZero, DAZ: true, FTZ: true}) {
		t.Errorf("RZ DAZ FTZ: %+v", e)
	}
	if e := EnvFromMXCSR(0x1780); !e.UnmaskedUE {
		t.Errorf("UM clear: %+v", e)
	}
}

func f32frombits(x uint32) float32 { return math.Float32frombits(x) }

func abs(x float64) float64 { return math.Abs(x) }

var sinkU64 uint64

func BenchmarkAdd64(b *testing.B) {
	for i := 0; i < b.N; i++ {
		r, _ := Add64(0x3ff0000000000001+uint64(i&0xffff), 0x3fd5555555555555, rn)
		sinkU64 = r
	}
}

func BenchmarkMul64(b *testing.B) {
	for i := 0; i < b.N; i++ {
		r, _ := Mul64(0x3ff0000000000001+uint64(i&0xffff), 0x3fd5555555555555, rn)
		sinkU64 = r
	}
}

func BenchmarkDiv64(b *testing.B) {
	for i := 0; i < b.N; i++ {
		r, _ := Div64(0x3ff0000000000001+uint64(i&0xffff), 0x4008000000000000, rn)
		sinkU64 = r
	}
}

func BenchmarkSqrt64(b *testing.B) {
	for i := 0; i < b.N; i++ {
		r, _ := Sqrt64(0x4000000000000001+uint64(i&0xffff), rn)
		sinkU64 = r
	}
}

func BenchmarkAdd32(b *testing.B) {
	for i := 0; i < b.N; i++ {
		r, _ := Add32(0x3f800001+uint32(i&0xffff), 0x3eaaaaab, rn)
		sinkU64 = uint64(r)
	}
}
