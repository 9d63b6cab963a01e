package emu

import "golang.org/x/arch/x86/x86asm"

// vec is an XMM value: the low and high quadwords.
type vec = [2]uint64

// Packed-integer operations of execPint, indexed by inst.sub.
const (
	piAddB uint8 = iota
	piAddW
	piAddD
	piAddQ
	piSubB
	piSubW
	piSubD
	piSubQ
	piAddSB
	piAddSW
	piAddUSB
	piAddUSW
	piSubSB
	piSubSW
	piSubUSB
	piSubUSW
	piMulLW
	piMulHW
	piMulHUW
	piMulUDQ
	piMAddWD
	piAvgB
	piAvgW
	piMinUB
	piMaxUB
	piMinSW
	piMaxSW
	piSadBW
	piCmpEqB
	piCmpEqW
	piCmpEqD
	piCmpGtB
	piCmpGtW
	piCmpGtD
	piAnd
	piAndN
	piOr
	piXor
	piPackSSWB
	piPackSSDW
	piPackUSWB
	piUnpckLBW
	piUnpckLWD
	piUnpckLDQ
	piUnpckLQDQ
	piUnpckHBW
	piUnpckHWD
	piUnpckHDQ
	piUnpckHQDQ
	piCount
)

// pintFns computes dst OP src for each packed-integer operation.
var pintFns = [piCount]func(a, b vec) vec{
	piAddB: func(a, b vec) vec { return vec{swarAdd(a[0], b[0], h8), swarAdd(a[1], b[1], h8)} },
	piAddW: func(a, b vec) vec { return vec{swarAdd(a[0], b[0], h16), swarAdd(a[1], b[1], h16)} },
	piAddD: func(a, b vec) vec { return vec{swarAdd(a[0], b[0], h32), swarAdd(a[1], b[1], h32)} },
	piAddQ: func(a, b vec) vec { return vec{a[0] + b[0], a[1] + b[1]} },
	piSubB: func(a, b vec) vec { return vec{swarSub(a[0], b[0], h8), swarSub(a[1], b[1], h8)} },
	piSubW: func(a, b vec) vec { return vec{swarSub(a[0], b[0], h16), swarSub(a[1], b[1], h16)} },
	piSubD: func(a, b vec) vec { return vec{swarSub(a[0], b[0], h32), swarSub(a[1], b[1], h32)} },
	piSubQ: func(a, b vec) vec { return vec{a[0] - b[0], a[1] - b[1]} },
	piAddSB: func(a, b vec) vec {
		return lanes(a, b, 8, func(x, y uint64) uint64 { return satS(sx(x, 8)+sx(y, 8), 8) })
	},
	piAddSW: func(a, b vec) vec {
		return lanes(a, b, 16, func(x, y uint64) uint64 { return satS(sx(x, 16)+sx(y, 16), 16) })
	},
	piAddUSB: func(a, b vec) vec { return lanes(a, b, 8, func(x, y uint64) uint64 { return satU(int64(x+y), 8) }) },
	piAddUSW: func(a, b vec) vec { return lanes(a, b, 16, func(x, y uint64) uint64 { return satU(int64(x+y), 16) }) },
	piSubSB: func(a, b vec) vec {
		return lanes(a, b, 8, func(x, y uint64) uint64 { return satS(sx(x, 8)-sx(y, 8), 8) })
	},
	piSubSW: func(a, b vec) vec {
		return lanes(a, b, 16, func(x, y uint64) uint64 { return satS(sx(x, 16)-sx(y, 16), 16) })
	},
	piSubUSB: func(a, b vec) vec {
		return lanes(a, b, 8, func(x, y uint64) uint64 { return satU(int64(x)-int64(y), 8) })
	},
	piSubUSW: func(a, b vec) vec {
		return lanes(a, b, 16, func(x, y uint64) uint64 { return satU(int64(x)-int64(y), 16) })
	},
	piMulLW: func(a, b vec) vec { return lanes(a, b, 16, func(x, y uint64) uint64 { return x * y }) },
	piMulHW: func(a, b vec) vec {
		return lanes(a, b, 16, func(x, y uint64) uint64 { return uint64(sx(x, 16)*sx(y, 16)) >> 16 })
	},
	piMulHUW: func(a, b vec) vec { return lanes(a, b, 16, func(x, y uint64) uint64 { return x * y >> 16 }) },
	piMulUDQ: func(a, b vec) vec { return vec{a[0] & m32 * (b[0] & m32), a[1] & m32 * (b[1] & m32)} },
	piMAddWD: pmaddwd,
	piAvgB:   func(a, b vec) vec { return lanes(a, b, 8, func(x, y uint64) uint64 { return (x + y + 1) >> 1 }) },
	piAvgW:   func(a, b vec) vec { return lanes(a, b, 16, func(x, y uint64) uint64 { return (x + y + 1) >> 1 }) },
	piMinUB:  func(a, b vec) vec { return lanes(a, b, 8, func(x, y uint64) uint64 { return min(x, y) }) },
	piMaxUB:  func(a, b vec) vec { return lanes(a, b, 8, func(x, y uint64) uint64 { return max(x, y) }) },
	piMinSW: func(a, b vec) vec {
		return lanes(a, b, 16, func(x, y uint64) uint64 { return uint64(min(sx(x, 16), sx(y, 16))) })
	},
	piMaxSW: func(a, b vec) vec {
		return lanes(a, b, 16, func(x, y uint64) uint64 { return uint64(max(sx(x, 16), sx(y, 16))) })
	},
	piSadBW:  func(a, b vec) vec { return vec{sad8(a[0], b[0]), sad8(a[1], b[1])} },
	piCmpEqB: func(a, b vec) vec { return vec{swarEq8(a[0], b[0], 0), swarEq8(a[1], b[1], 0)} },
	piCmpEqW: func(a, b vec) vec { return vec{swarEq16(a[0], b[0], 0), swarEq16(a[1], b[1], 0)} },
	piCmpEqD: func(a, b vec) vec { return vec{swarEq32(a[0], b[0], 0), swarEq32(a[1], b[1], 0)} },
	piCmpGtB: func(a, b vec) vec {
		return lanes(a, b, 8, func(x, y uint64) uint64 { return allIf(sx(x, 8) > sx(y, 8)) })
	},
	piCmpGtW: func(a, b vec) vec {
		return lanes(a, b, 16, func(x, y uint64) uint64 { return allIf(sx(x, 16) > sx(y, 16)) })
	},
	piCmpGtD: func(a, b vec) vec {
		return lanes(a, b, 32, func(x, y uint64) uint64 { return allIf(sx(x, 32) > sx(y, 32)) })
	},
	piAnd:       func(a, b vec) vec { return vec{a[0] & b[0], a[1] & b[1]} },
	piAndN:      func(a, b vec) vec { return vec{^a[0] & b[0], ^a[1] & b[1]} },
	piOr:        func(a, b vec) vec { return vec{a[0] | b[0], a[1] | b[1]} },
	piXor:       func(a, b vec) vec { return vec{a[0] ^ b[0], a[1] ^ b[1]} },
	piPackSSWB:  func(a, b vec) vec { return pack(a, b, 16, func(v uint64) uint64 { return satS(sx(v, 16), 8) }) },
	piPackSSDW:  func(a, b vec) vec { return pack(a, b, 32, func(v uint64) uint64 { return satS(sx(v, 32), 16) }) },
	piPackUSWB:  func(a, b vec) vec { return pack(a, b, 16, func(v uint64) uint64 { return satU(sx(v, 16), 8) }) },
	piUnpckLBW:  func(a, b vec) vec { return vec{interleave(a[0], b[0], 8), interleave(a[0]>>32, b[0]>>32, 8)} },
	piUnpckLWD:  func(a, b vec) vec { return vec{interleave(a[0], b[0], 16), interleave(a[0]>>32, b[0]>>32, 16)} },
	piUnpckLDQ:  func(a, b vec) vec { return vec{pack32(a[0], b[0]), pack32(a[0]>>32, b[0]>>32)} },
	piUnpckLQDQ: func(a, b vec) vec { return vec{a[0], b[0]} },
	piUnpckHBW:  func(a, b vec) vec { return vec{interleave(a[1], b[1], 8), interleave(a[1]>>32, b[1]>>32, 8)} },
	piUnpckHWD:  func(a, b vec) vec { return vec{interleave(a[1], b[1], 16), interleave(a[1]>>32, b[1]>>32, 16)} },
	piUnpckHDQ:  func(a, b vec) vec { return vec{pack32(a[1], b[1]), pack32(a[1]>>32, b[1]>>32)} },
	piUnpckHQDQ: func(a, b vec) vec { return vec{a[1], b[1]} },
}

const m32 = 0xffffffff

// Packed shifts of execPshift (inst.sub): kind in the low bits, lane size
// in bits 4-7 (log2 of the lane bits).
const (
	shLeft       uint8 = iota
	shRight            // logical
	shArith            // arithmetic
	shLeftBytes        // PSLLDQ: the whole register, count in bytes
	shRightBytes       // PSRLDQ
)

func shiftSub(kind, laneBits uint8) uint8 {
	l := uint8(0)
	for 1<<l != laneBits {
		l++
	}
	return kind | l<<4
}

var sseIntOps = []opEntry{
	{x86asm.PADDB, opInfo{fn: execPint, sub: piAddB}}, {x86asm.PADDW, opInfo{fn: execPint, sub: piAddW}},
	{x86asm.PADDD, opInfo{fn: execPint, sub: piAddD}}, {x86asm.PADDQ, opInfo{fn: execPint, sub: piAddQ}},
	{x86asm.PSUBB, opInfo{fn: execPint, sub: piSubB}}, {x86asm.PSUBW, opInfo{fn: execPint, sub: piSubW}},
	{x86asm.PSUBD, opInfo{fn: execPint, sub: piSubD}}, {x86asm.PSUBQ, opInfo{fn: execPint, sub: piSubQ}},
	{x86asm.PADDSB, opInfo{fn: execPint, sub: piAddSB}}, {x86asm.PADDSW, opInfo{fn: execPint, sub: piAddSW}},
	{x86asm.PADDUSB, opInfo{fn: execPint, sub: piAddUSB}}, {x86asm.PADDUSW, opInfo{fn: execPint, sub: piAddUSW}},
	{x86asm.PSUBSB, opInfo{fn: execPint, sub: piSubSB}}, {x86asm.PSUBSW, opInfo{fn: execPint, sub: piSubSW}},
	{x86asm.PSUBUSB, opInfo{fn: execPint, sub: piSubUSB}}, {x86asm.PSUBUSW, opInfo{fn: execPint, sub: piSubUSW}},
	{x86asm.PMULLW, opInfo{fn: execPint, sub: piMulLW}}, {x86asm.PMULHW, opInfo{fn: execPint, sub: piMulHW}},
	{x86asm.PMULHUW, opInfo{fn: execPint, sub: piMulHUW}}, {x86asm.PMULUDQ, opInfo{fn: execPint, sub: piMulUDQ}},
	{x86asm.PMADDWD, opInfo{fn: execPint, sub: piMAddWD}},
	{x86asm.PAVGB, opInfo{fn: execPint, sub: piAvgB}}, {x86asm.PAVGW, opInfo{fn: execPint, sub: piAvgW}},
	{x86asm.PMINUB, opInfo{fn: execPint, sub: piMinUB}}, {x86asm.PMAXUB, opInfo{fn: execPint, sub: piMaxUB}},
	{x86asm.PMINSW, opInfo{fn: execPint, sub: piMinSW}}, {x86asm.PMAXSW, opInfo{fn: execPint, sub: piMaxSW}},
	{x86asm.PSADBW, opInfo{fn: execPint, sub: piSadBW}},
	{x86asm.PCMPEQB, opInfo{fn: execPint, sub: piCmpEqB}}, {x86asm.PCMPEQW, opInfo{fn: execPint, sub: piCmpEqW}},
	{x86asm.PCMPEQD, opInfo{fn: execPint, sub: piCmpEqD}},
	{x86asm.PCMPGTB, opInfo{fn: execPint, sub: piCmpGtB}}, {x86asm.PCMPGTW, opInfo{fn: execPint, sub: piCmpGtW}},
	{x86asm.PCMPGTD, opInfo{fn: execPint, sub: piCmpGtD}},
	{x86asm.PAND, opInfo{fn: execPint, sub: piAnd}}, {x86asm.PANDN, opInfo{fn: execPint, sub: piAndN}},
	{x86asm.POR, opInfo{fn: execPint, sub: piOr}}, {x86asm.PXOR, opInfo{fn: execPint, sub: piXor}},
	{x86asm.PACKSSWB, opInfo{fn: execPint, sub: piPackSSWB}}, {x86asm.PACKSSDW, opInfo{fn: execPint, sub: piPackSSDW}},
	{x86asm.PACKUSWB, opInfo{fn: execPint, sub: piPackUSWB}},
	{x86asm.PUNPCKLBW, opInfo{fn: execPint, sub: piUnpckLBW}},
	{x86asm.PUNPCKLWD, opInfo{fn: execPint, sub: piUnpckLWD}},
	{x86asm.PUNPCKLDQ, opInfo{fn: execPint, sub: piUnpckLDQ}},
	{x86asm.PUNPCKLQDQ, opInfo{fn: execPint, sub: piUnpckLQDQ}},
	{x86asm.PUNPCKHBW, opInfo{fn: execPint, sub: piUnpckHBW}},
	{x86asm.PUNPCKHWD, opInfo{fn: execPint, sub: piUnpckHWD}},
	{x86asm.PUNPCKHDQ, opInfo{fn: execPint, sub: piUnpckHDQ}},
	{x86asm.PUNPCKHQDQ, opInfo{fn: execPint, sub: piUnpckHQDQ}},

	{x86asm.PSLLW, opInfo{fn: execPshift, sub: shiftSub(shLeft, 16)}},
	{x86asm.PSLLD, opInfo{fn: execPshift, sub: shiftSub(shLeft, 32)}},
	{x86asm.PSLLQ, opInfo{fn: execPshift, sub: shiftSub(shLeft, 64)}},
	{x86asm.PSRLW, opInfo{fn: execPshift, sub: shiftSub(shRight, 16)}},
	{x86asm.PSRLD, opInfo{fn: execPshift, sub: shiftSub(shRight, 32)}},
	{x86asm.PSRLQ, opInfo{fn: execPshift, sub: shiftSub(shRight, 64)}},
	{x86asm.PSRAW, opInfo{fn: execPshift, sub: shiftSub(shArith, 16)}},
	{x86asm.PSRAD, opInfo{fn: execPshift, sub: shiftSub(shArith, 32)}},
	{x86asm.PSLLDQ, opInfo{fn: execPshift, sub: shiftSub(shLeftBytes, 64)}},
	{x86asm.PSRLDQ, opInfo{fn: execPshift, sub: shiftSub(shRightBytes, 64)}},

	{x86asm.PSHUFD, opInfo{fn: execPshufd}},
	{x86asm.PSHUFLW, opInfo{fn: execPshufw, sub: 0}},
	{x86asm.PSHUFHW, opInfo{fn: execPshufw, sub: 1}},
	{x86asm.PEXTRW, opInfo{fn: execPextrw, prep: prepPextrw}},
	{x86asm.PINSRW, opInfo{fn: execPinsrw}},
}

// execPint runs a packed-integer operation dst = dst OP src.
func execPint(c *CPU, in *inst) bool {
	lo, hi, ok := c.xmmSrc(in, in.args[1])
	if !ok {
		return false
	}
	d := &c.X[in.args[0].reg]
	*d = pintFns[in.sub](*d, vec{lo, hi})
	return true
}

// High-bit masks of the lanes of a quadword.
const (
	h8  = 0x8080808080808080
	h16 = 0x8000800080008000
	h32 = 0x8000000080000000
)

// swarAdd adds the lanes of a and b (lane top bits in h) without carries
// crossing lanes.
func swarAdd(a, b, h uint64) uint64 { return (a&^h + b&^h) ^ (a^b)&h }

// swarSub subtracts the lanes of b from those of a.
func swarSub(a, b, h uint64) uint64 { return ((a | h) - b&^h) ^ (a^^b)&h }

// swarEq sets every bit of the n-bit lanes (top bits h) where a and b are
// equal.
func swarEq(a, b, h uint64, n uint) uint64 {
	x := a ^ b
	t := (x&^h + ^h) | x // lane top bit set iff the lane is non-zero
	return (^t & h >> (n - 1)) * (1<<n - 1)
}

func swarEq8(a, b, _ uint64) uint64  { return swarEq(a, b, h8, 8) }
func swarEq16(a, b, _ uint64) uint64 { return swarEq(a, b, h16, 16) }
func swarEq32(a, b, _ uint64) uint64 { return swarEq(a, b, h32, 32) }

// lanes applies f to each pair of n-bit lanes (values zero-extended) and
// keeps the low n bits of each result.
func lanes(a, b vec, n uint, f func(x, y uint64) uint64) vec {
	m := uint64(1)<<n - 1
	var r vec
	for q := 0; q < 2; q++ {
		for s := uint(0); s < 64; s += n {
			r[q] |= f(a[q]>>s&m, b[q]>>s&m) & m << s
		}
	}
	return r
}

// sx sign-extends the low n bits of v.
func sx(v uint64, n uint) int64 { return int64(v<<(64-n)) >> (64 - n) }

// satS saturates v to a signed n-bit lane.
func satS(v int64, n uint) uint64 {
	lim := int64(1) << (n - 1)
	return uint64(min(max(v, -lim), lim-1)) & (1<<n - 1)
}

// satU saturates v to an unsigned n-bit lane.
func satU(v int64, n uint) uint64 { return uint64(min(max(v, 0), 1<<n-1)) }

func allIf(b bool) uint64 {
	if b {
		return ^uint64(0)
	}
	return 0
}

// sad8 is the sum of the absolute differences of the bytes of a and b.
func sad8(a, b uint64) uint64 {
	var s uint64
	for i := uint(0); i < 64; i += 8 {
		x, y := a>>i&0xff, b>>i&0xff
		if x > y {
			s += x - y
		} else {
			s += y - x
		}
	}
	return s
}

// pmaddwd multiplies signed words and adds adjacent products into dwords.
func pmaddwd(a, b vec) vec {
	var r vec
	for q := 0; q < 2; q++ {
		for s := uint(0); s < 64; s += 32 {
			p := sx(a[q]>>s, 16)*sx(b[q]>>s, 16) + sx(a[q]>>(s+16), 16)*sx(b[q]>>(s+16), 16)
			r[q] |= uint64(p) & 0xffffffff << s
		}
	}
	return r
}

// pack narrows the n-bit lanes of a, then of b, with f into lanes of n/2
// bits.
func pack(a, b vec, n uint, f func(v uint64) uint64) vec {
	src := [4]uint64{a[0], a[1], b[0], b[1]}
	var r vec
	m := uint64(1)<<n - 1
	per := 64 / n // lanes per source quadword
	k := uint(0)  // destination lane
	for _, q := range src {
		for s := uint(0); s < 64; s += n {
			r[k/(2*per)] |= f(q>>s&m) << (k % (2 * per) * n / 2)
			k++
		}
	}
	return r
}

// interleave interleaves the low n-bit lanes of the low 32 bits of a and b
// (a first) into a quadword.
func interleave(a, b uint64, n uint) uint64 {
	m := uint64(1)<<n - 1
	var r uint64
	for i, s := uint(0), uint(0); s < 64; i, s = i+1, s+2*n {
		r |= (a>>(i*n)&m)<<s | (b>>(i*n)&m)<<(s+n)
	}
	return r
}

// execPshift: PSLL/PSRL/PSRA W/D/Q by an XMM or memory count (its low
// quadword) or an immediate, and PSLLDQ/PSRLDQ by an immediate byte count.
// Logical shifts by the lane width or more give zero; arithmetic ones fill
// with the sign.
func execPshift(c *CPU, in *inst) bool {
	var count uint64
	if in.args[1].kind == argImm {
		count = in.imm & 0xff
	} else {
		lo, _, ok := c.xmmSrc(in, in.args[1])
		if !ok {
			return false
		}
		count = lo
	}
	d := &c.X[in.args[0].reg]
	kind, n := in.sub&15, uint64(1)<<(in.sub>>4)
	if kind >= shLeftBytes {
		*d = byteShift(*d, count, kind == shRightBytes)
		return true
	}
	if kind == shArith && count >= n {
		count = n - 1
	}
	if count >= n {
		*d = vec{}
		return true
	}
	sh := uint(count)
	m := uint64(1)<<n - 1 // all ones when n is 64
	for q := range d {
		var r uint64
		for s := uint(0); s < 64; s += uint(n) {
			v := d[q] >> s & m
			switch kind {
			case shLeft:
				v <<= sh
			case shRight:
				v >>= sh
			default:
				v = uint64(sx(v, uint(n)) >> sh)
			}
			r |= v & m << s
		}
		d[q] = r
	}
	return true
}

// byteShift shifts the 128-bit value x by count bytes (≥ 16 gives zero).
func byteShift(x vec, count uint64, right bool) vec {
	if count >= 16 {
		return vec{}
	}
	s := uint(count) * 8
	if right {
		switch {
		case s == 0:
			return x
		case s < 64:
			return vec{x[0]>>s | x[1]<<(64-s), x[1] >> s}
		default:
			return vec{x[1] >> (s - 64), 0}
		}
	}
	switch {
	case s == 0:
		return x
	case s < 64:
		return vec{x[0] << s, x[1]<<s | x[0]>>(64-s)}
	default:
		return vec{0, x[0] << (s - 64)}
	}
}

// execPshufd selects each dword of the result from the source by two bits
// of the immediate.
func execPshufd(c *CPU, in *inst) bool {
	lo, hi, ok := c.xmmSrc(in, in.args[1])
	if !ok {
		return false
	}
	o := in.imm
	c.X[in.args[0].reg] = vec{
		pack32(lane32(lo, hi, int(o&3)), lane32(lo, hi, int(o>>2&3))),
		pack32(lane32(lo, hi, int(o>>4&3)), lane32(lo, hi, int(o>>6&3))),
	}
	return true
}

// execPshufw: PSHUFLW (sub 0) shuffles the words of the low quadword,
// PSHUFHW (sub 1) those of the high one; the other quadword is copied.
func execPshufw(c *CPU, in *inst) bool {
	lo, hi, ok := c.xmmSrc(in, in.args[1])
	if !ok {
		return false
	}
	r := vec{lo, hi}
	q := r[in.sub]
	var w uint64
	for i := uint(0); i < 4; i++ {
		sel := uint(in.imm>>(2*i)) & 3
		w |= (q >> (16 * sel) & 0xffff) << (16 * i)
	}
	r[in.sub] = w
	c.X[in.args[0].reg] = r
	return true
}

// prepPextrw accepts only the SSE2 encoding 66 0F C5 (register
// destination); the SSE4.1 form 66 0F 3A 15 is not implemented.
func prepPextrw(xi *x86asm.Inst, in *inst) bool {
	return xi.Opcode>>16 != 0x0f3a
}

// execPextrw zero-extends the selected word into a general register.
func execPextrw(c *CPU, in *inst) bool {
	x := c.X[in.args[1].reg]
	sel := uint(in.imm & 7)
	c.R[in.args[0].reg] = x[sel/4] >> (16 * (sel % 4)) & 0xffff
	return true
}

// execPinsrw replaces the selected word with the low word of a general
// register or a word of memory.
func execPinsrw(c *CPU, in *inst) bool {
	var v uint64
	if s := in.args[1]; s.kind == argMem {
		var ok bool
		if v, ok = c.load(c.ea(in), 2); !ok {
			return false
		}
	} else {
		v = c.getReg(s)
	}
	sel := uint(in.imm & 7)
	x := &c.X[in.args[0].reg]
	s := 16 * (sel % 4)
	x[sel/4] = x[sel/4]&^(0xffff<<s) | (v&0xffff)<<s
	return true
}
