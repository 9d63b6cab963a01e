package emu

import (
	"hash/crc32"
	"math/bits"

	"golang.org/x/arch/x86/x86asm"
)

// SSE4.2: the packed string compares (PCMPESTRI, PCMPESTRM, PCMPISTRI,
// PCMPISTRM), PCMPGTQ and CRC32 (POPCNT has its own CPUID bit and is in
// bits.go).
var sse42Ops = []opEntry{
	{x86asm.PCMPESTRI, opInfo{fn: execPcmpstr, sub: strExplicit | strIndex, prep: prepPcmpstr}},
	{x86asm.PCMPESTRM, opInfo{fn: execPcmpstr, sub: strExplicit, prep: prepPcmpstr}},
	{x86asm.PCMPISTRI, opInfo{fn: execPcmpstr, sub: strIndex, prep: prepPcmpstr}},
	{x86asm.PCMPISTRM, opInfo{fn: execPcmpstr, sub: 0, prep: prepPcmpstr}},
	{x86asm.PCMPGTQ, opInfo{fn: execPint2, sub: s4CmpGtQ}},
	{x86asm.CRC32, opInfo{fn: execCrc32}},
}

// execPcmpstr sub bits.
const (
	strExplicit = 1 // lengths in EAX and EDX (RAX and RDX with REX.W)
	strIndex    = 2 // result index in ECX (else mask in XMM0)
)

// prepPcmpstr records REX.W (64-bit explicit lengths) in imm2.
func prepPcmpstr(xi *x86asm.Inst, in *inst) bool {
	if xi.DataSize == 64 {
		in.imm2 = 1
	}
	return true
}

// execPcmpstr implements the four packed string compares (SDM vol. 2
// §4.1). imm8[1:0] is the element format (unsigned/signed bytes/words),
// imm8[3:2] the aggregation (equal any, ranges, equal each, equal
// ordered), imm8[5:4] the polarity and imm8[6] the index or mask form.
// The first operand (XMM register) holds the needle or the set, the second
// (XMM or memory, which need not be aligned) the text. CF is set when the
// result is non-zero, ZF when the second operand is shorter than a full
// register, SF when the first one is, OF is bit 0 of the result, AF and
// PF are cleared.
func execPcmpstr(c *CPU, in *inst) bool {
	var b vec
	if s := in.args[1]; s.kind == argMem {
		lo, hi, ok := c.load128(c.ea(in))
		if !ok {
			return false
		}
		b = vec{lo, hi}
	} else {
		b = c.X[s.reg]
	}
	a := c.X[in.args[0].reg]
	imm := in.imm
	words, signed := imm&1 != 0, imm&2 != 0
	upper := 16
	if words {
		upper = 8
	}
	elem := func(v vec, i int) int64 {
		if words {
			w := v[i/4] >> (16 * uint(i%4)) & 0xffff
			if signed {
				return sx(w, 16)
			}
			return int64(w)
		}
		x := v[i/8] >> (8 * uint(i%8)) & 0xff
		if signed {
			return sx(x, 8)
		}
		return int64(x)
	}
	var la, lb int
	if in.sub&strExplicit != 0 {
		la, lb = explicitLen(c.R[0], in.imm2 != 0, upper), explicitLen(c.R[2], in.imm2 != 0, upper)
	} else {
		la, lb = upper, upper
		for i := 0; i < upper; i++ {
			if elem(a, i) == 0 {
				la = i
				break
			}
		}
		for i := 0; i < upper; i++ {
			if elem(b, i) == 0 {
				lb = i
				break
			}
		}
	}

	var res uint32
	switch imm >> 2 & 3 {
	case 0: // equal any: text element j is in the set
		for j := 0; j < lb; j++ {
			for i := 0; i < la; i++ {
				if elem(a, i) == elem(b, j) {
					res |= 1 << j
					break
				}
			}
		}
	case 1: // ranges: text element j is in one of the ranges [a2k, a2k+1]
		for j := 0; j < lb; j++ {
			for i := 0; i+1 < la; i += 2 {
				if e := elem(b, j); e >= elem(a, i) && e <= elem(a, i+1) {
					res |= 1 << j
					break
				}
			}
		}
	case 2: // equal each: element j of both is the same (two invalid ones are equal)
		for j := 0; j < upper; j++ {
			switch {
			case j >= la && j >= lb:
				res |= 1 << j
			case j >= la || j >= lb:
			case elem(a, j) == elem(b, j):
				res |= 1 << j
			}
		}
	default: // equal ordered: the needle occurs in the text at j (it may run past the text's end only if it ends first)
		for j := 0; j < upper; j++ {
			match := true
			for i := 0; i < upper-j && match; i++ {
				switch k := j + i; {
				case i >= la:
				case k >= lb:
					match = false
				default:
					match = elem(a, i) == elem(b, k)
				}
			}
			if match {
				res |= 1 << j
			}
		}
	}
	full := uint32(1)<<upper - 1
	switch imm >> 4 & 3 {
	case 1:
		res = ^res & full
	case 3:
		res ^= uint32(1)<<lb - 1
	}

	if in.sub&strIndex != 0 {
		idx := upper
		if res != 0 {
			if imm&0x40 != 0 {
				idx = 31 - bits.LeadingZeros32(res)
			} else {
				idx = bits.TrailingZeros32(res)
			}
		}
		c.R[1] = uint64(idx)
	} else {
		var m vec
		if imm&0x40 == 0 {
			m[0] = uint64(res)
		} else {
			n := uint(128 / upper)
			for j := 0; j < upper; j++ {
				if res>>j&1 != 0 {
					p := uint(j) * n
					m[p/64] |= (uint64(1)<<n - 1) << (p % 64)
				}
			}
		}
		c.X[0] = m
	}
	c.putFlags(arithFlags, flagIf(res != 0, flagCF)|flagIf(lb < upper, flagZF)|flagIf(la < upper, flagSF)|
		flagIf(res&1 != 0, flagOF))
	return true
}

// explicitLen is the length an explicit-length string compare takes from
// a register: the absolute value of its low 32 bits (all 64 with REX.W),
// at most upper.
func explicitLen(r uint64, w bool, upper int) int {
	v := int64(r)
	if !w {
		v = int64(int32(r))
	}
	if v < 0 {
		v = -v
	}
	if v < 0 || v > int64(upper) { // -2^63 stays negative
		return upper
	}
	return int(v)
}

// castagnoli returns the CRC-32C table. hash/crc32 builds it on the first
// call and caches it, so a guest that never runs CRC32 never pays for it
// (a package-level table would be built at every start).
func castagnoli() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) }

// execCrc32 accumulates the CRC-32C (polynomial 0x11EDC6F41, bit-reflected,
// without the pre- and post-inversion) of the 1, 2, 4 or 8 source bytes
// into the low 32 bits of the destination, which is zero-extended.
func execCrc32(c *CPU, in *inst) bool {
	s := in.args[1]
	v, ok := c.readArg(in, s, c.memAddr(in, s))
	if !ok {
		return false
	}
	var buf [8]byte
	for i := range buf {
		buf[i] = byte(v >> (8 * i))
	}
	crc := uint32(c.R[in.args[0].reg])
	crc = ^crc32.Update(^crc, castagnoli(), buf[:s.size])
	c.R[in.args[0].reg] = uint64(crc)
	return true
}
