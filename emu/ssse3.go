package emu

import "golang.org/x/arch/x86/x86asm"

// SSSE3: packed absolute values, horizontal adds and subtracts, byte
// shuffles and alignment, sign application and the rounding multiplies.
// Their MMX-register forms raise #UD (see prepSSE).
var ssse3Ops = []opEntry{
	{x86asm.PABSB, opInfo{fn: execPint2, sub: s3AbsB}},
	{x86asm.PABSW, opInfo{fn: execPint2, sub: s3AbsW}},
	{x86asm.PABSD, opInfo{fn: execPint2, sub: s3AbsD}},
	{x86asm.PHADDW, opInfo{fn: execPint2, sub: s3HAddW}},
	{x86asm.PHADDD, opInfo{fn: execPint2, sub: s3HAddD}},
	{x86asm.PHADDSW, opInfo{fn: execPint2, sub: s3HAddSW}},
	{x86asm.PHSUBW, opInfo{fn: execPint2, sub: s3HSubW}},
	{x86asm.PHSUBD, opInfo{fn: execPint2, sub: s3HSubD}},
	{x86asm.PHSUBSW, opInfo{fn: execPint2, sub: s3HSubSW}},
	{x86asm.PMADDUBSW, opInfo{fn: execPint2, sub: s3MAddUBSW}},
	{x86asm.PMULHRSW, opInfo{fn: execPint2, sub: s3MulHRSW}},
	{x86asm.PSHUFB, opInfo{fn: execPint2, sub: s3ShufB}},
	{x86asm.PSIGNB, opInfo{fn: execPint2, sub: s3SignB}},
	{x86asm.PSIGNW, opInfo{fn: execPint2, sub: s3SignW}},
	{x86asm.PSIGND, opInfo{fn: execPint2, sub: s3SignD}},
	{x86asm.PALIGNR, opInfo{fn: execPalignr}},
}

// Operations of execPint2, the packed-integer operations of SSSE3 and
// SSE4 (the SSE2 ones are execPint's).
const (
	s3AbsB uint8 = iota
	s3AbsW
	s3AbsD
	s3HAddW
	s3HAddD
	s3HAddSW
	s3HSubW
	s3HSubD
	s3HSubSW
	s3MAddUBSW
	s3MulHRSW
	s3ShufB
	s3SignB
	s3SignW
	s3SignD
	// SSE4.1 (sse41.go).
	s4PackUSDW
	s4CmpEqQ
	s4MaxSB
	s4MaxSD
	s4MaxUW
	s4MaxUD
	s4MinSB
	s4MinSD
	s4MinUW
	s4MinUD
	s4MulDQ
	s4MulLD
	s4MinPosUW
	// SSE4.2 (sse42.go).
	s4CmpGtQ
	pint2Count
)

// pint2Fns computes dst OP src for each operation of execPint2.
var pint2Fns = [pint2Count]func(a, b vec) vec{
	s3AbsB:  func(a, b vec) vec { return lanes(a, b, 8, func(_, y uint64) uint64 { return absLane(y, 8) }) },
	s3AbsW:  func(a, b vec) vec { return lanes(a, b, 16, func(_, y uint64) uint64 { return absLane(y, 16) }) },
	s3AbsD:  func(a, b vec) vec { return lanes(a, b, 32, func(_, y uint64) uint64 { return absLane(y, 32) }) },
	s3HAddW: func(a, b vec) vec { return horiz(a, b, 16, func(x, y uint64) uint64 { return x + y }) },
	s3HAddD: func(a, b vec) vec { return horiz(a, b, 32, func(x, y uint64) uint64 { return x + y }) },
	s3HAddSW: func(a, b vec) vec {
		return horiz(a, b, 16, func(x, y uint64) uint64 { return satS(sx(x, 16)+sx(y, 16), 16) })
	},
	s3HSubW: func(a, b vec) vec { return horiz(a, b, 16, func(x, y uint64) uint64 { return x - y }) },
	s3HSubD: func(a, b vec) vec { return horiz(a, b, 32, func(x, y uint64) uint64 { return x - y }) },
	s3HSubSW: func(a, b vec) vec {
		return horiz(a, b, 16, func(x, y uint64) uint64 { return satS(sx(x, 16)-sx(y, 16), 16) })
	},
	s3MAddUBSW: pmaddubsw,
	s3MulHRSW: func(a, b vec) vec {
		return lanes(a, b, 16, func(x, y uint64) uint64 { return uint64((sx(x, 16)*sx(y, 16)>>14 + 1) >> 1) })
	},
	s3ShufB: pshufb,
	s3SignB: func(a, b vec) vec { return lanes(a, b, 8, func(x, y uint64) uint64 { return signLane(x, y, 8) }) },
	s3SignW: func(a, b vec) vec { return lanes(a, b, 16, func(x, y uint64) uint64 { return signLane(x, y, 16) }) },
	s3SignD: func(a, b vec) vec { return lanes(a, b, 32, func(x, y uint64) uint64 { return signLane(x, y, 32) }) },

	s4PackUSDW: func(a, b vec) vec { return pack(a, b, 32, func(v uint64) uint64 { return satU(sx(v, 32), 16) }) },
	s4CmpEqQ:   func(a, b vec) vec { return vec{allIf(a[0] == b[0]), allIf(a[1] == b[1])} },
	s4MaxSB: func(a, b vec) vec {
		return lanes(a, b, 8, func(x, y uint64) uint64 { return uint64(max(sx(x, 8), sx(y, 8))) })
	},
	s4MaxSD: func(a, b vec) vec {
		return lanes(a, b, 32, func(x, y uint64) uint64 { return uint64(max(sx(x, 32), sx(y, 32))) })
	},
	s4MaxUW: func(a, b vec) vec { return lanes(a, b, 16, func(x, y uint64) uint64 { return max(x, y) }) },
	s4MaxUD: func(a, b vec) vec { return lanes(a, b, 32, func(x, y uint64) uint64 { return max(x, y) }) },
	s4MinSB: func(a, b vec) vec {
		return lanes(a, b, 8, func(x, y uint64) uint64 { return uint64(min(sx(x, 8), sx(y, 8))) })
	},
	s4MinSD: func(a, b vec) vec {
		return lanes(a, b, 32, func(x, y uint64) uint64 { return uint64(min(sx(x, 32), sx(y, 32))) })
	},
	s4MinUW: func(a, b vec) vec { return lanes(a, b, 16, func(x, y uint64) uint64 { return min(x, y) }) },
	s4MinUD: func(a, b vec) vec { return lanes(a, b, 32, func(x, y uint64) uint64 { return min(x, y) }) },
	s4MulDQ: func(a, b vec) vec {
		return vec{uint64(sx(a[0], 32) * sx(b[0], 32)), uint64(sx(a[1], 32) * sx(b[1], 32))}
	},
	s4MulLD:    func(a, b vec) vec { return lanes(a, b, 32, func(x, y uint64) uint64 { return x * y }) },
	s4MinPosUW: phminposuw,

	s4CmpGtQ: func(a, b vec) vec { return vec{allIf(int64(a[0]) > int64(b[0])), allIf(int64(a[1]) > int64(b[1]))} },
}

// execPint2 runs a packed-integer operation dst = dst OP src of SSSE3 and
// SSE4 (a 16-byte memory source must be aligned).
func execPint2(c *CPU, in *inst) bool {
	lo, hi, ok := c.xmmSrc(in, in.args[1])
	if !ok {
		return false
	}
	d := &c.X[in.args[0].reg]
	*d = pint2Fns[in.sub](*d, vec{lo, hi})
	return true
}

// absLane is the absolute value of an n-bit lane (the most negative value
// stays as it is, read unsigned).
func absLane(v uint64, n uint) uint64 {
	if s := sx(v, n); s < 0 {
		return uint64(-s)
	}
	return v
}

// signLane negates, zeroes or keeps the n-bit lane x as y is negative,
// zero or positive (PSIGN).
func signLane(x, y uint64, n uint) uint64 {
	switch s := sx(y, n); {
	case s < 0:
		return -x
	case s == 0:
		return 0
	}
	return x
}

// horiz combines adjacent pairs of n-bit lanes with f: the low half of
// the result from a's pairs, the high half from b's.
func horiz(a, b vec, n uint, f func(x, y uint64) uint64) vec {
	m := uint64(1)<<n - 1
	per := 128 / n // lanes per register
	var r vec
	k := uint(0) // result lane
	for _, v := range [2]vec{a, b} {
		for i := uint(0); i < per; i += 2 {
			x := v[i*n/64] >> (i * n % 64) & m
			y := v[(i+1)*n/64] >> ((i + 1) * n % 64) & m
			r[k*n/64] |= f(x, y) & m << (k * n % 64)
			k++
		}
	}
	return r
}

// pmaddubsw multiplies the unsigned bytes of a by the signed bytes of b
// and adds adjacent products into signed-saturated words.
func pmaddubsw(a, b vec) vec {
	var r vec
	for q := range 2 {
		for s := uint(0); s < 64; s += 16 {
			p := int64(a[q]>>s&0xff)*sx(b[q]>>s, 8) + int64(a[q]>>(s+8)&0xff)*sx(b[q]>>(s+8), 8)
			r[q] |= satS(p, 16) << s
		}
	}
	return r
}

// pshufb selects each byte of the result from a by the low four bits of
// the byte of b, or zeroes it when that byte's top bit is set.
func pshufb(a, b vec) vec {
	var r vec
	for i := uint(0); i < 16; i++ {
		sel := b[i/8] >> (8 * (i % 8)) & 0xff
		if sel&0x80 != 0 {
			continue
		}
		sel &= 15
		r[i/8] |= (a[sel/8] >> (8 * (sel % 8)) & 0xff) << (8 * (i % 8))
	}
	return r
}

// execPalignr concatenates the destination (high) and the source (low),
// shifts the 32 bytes right by imm8 bytes and keeps the low 16.
func execPalignr(c *CPU, in *inst) bool {
	lo, hi, ok := c.xmmSrc(in, in.args[1])
	if !ok {
		return false
	}
	d := &c.X[in.args[0].reg]
	w := [4]uint64{lo, hi, d[0], d[1]}
	n := in.imm & 0xff
	var r vec
	for i := uint64(0); i < 16; i++ {
		if j := i + n; j < 32 {
			r[i/8] |= (w[j/8] >> (8 * (j % 8)) & 0xff) << (8 * (i % 8))
		}
	}
	*d = r
	return true
}
