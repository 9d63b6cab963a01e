// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package f80

// Const is a value one of the x87 constant-load instructions pushes.
type Const uint8

const (
	ConstOne  Const = iota // FLD1: +1.0
	ConstL2T               // FLDL2T: log2(10)
	ConstL2E               // FLDL2E: log2(e)
	ConstPi                // FLDPI: π
	ConstLG2               // FLDLG2: log10(2)
	ConstLN2               // FLDLN2: ln(2)
	ConstZero              // FLDZ: +0.0
	numConst
)

// constants holds, for each irrational constant, its biased exponent, its
// significand truncated to 64 bits, and whether round-to-nearest rounds it
// up. The x87 rounds these constants by the rounding control (never by the
// precision control) without raising PE (SDM vol. 1 §8.3.8; the host agrees).
var constants = [numConst]struct {
	se      uint16
	trunc   uint64
	nearUp  bool
	inexact bool
}{
	ConstOne:  {se: expBias, trunc: intBit},
	ConstL2T:  {se: 0x4000, trunc: 0xD49A784BCD1B8AFE, nearUp: false, inexact: true},
	ConstL2E:  {se: 0x3FFF, trunc: 0xB8AA3B295C17F0BB, nearUp: true, inexact: true},
	ConstPi:   {se: 0x4000, trunc: 0xC90FDAA22168C234, nearUp: true, inexact: true},
	ConstLG2:  {se: 0x3FFD, trunc: 0x9A209A84FBCFF798, nearUp: true, inexact: true},
	ConstLN2:  {se: 0x3FFE, trunc: 0xB17217F7D1CF79AB, nearUp: true, inexact: true},
	ConstZero: {},
}

// Constant returns the value FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2 or
// FLDZ loads under rounding control rc. No exception is raised and C1 is 0.
func Constant(c Const, rc RoundingMode) F80 {
	k := constants[c]
	m := k.trunc
	if k.inexact && (rc == RoundUp || rc == RoundNearest && k.nearUp) {
		m++ // no carry: none of the significands is all ones
	}
	return F80{Mant: m, SE: k.se}
}
