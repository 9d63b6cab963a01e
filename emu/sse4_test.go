package emu

import (
	"testing"

	"gemu/internal/softfp"
)

// Expected values of the SSE3, SSSE3, SSE4.1 and SSE4.2 tests are worked by
// hand from the SDM's instruction pages (vol. 2; the string compares from
// §4.1). Encodings are GNU as's for the instruction in each comment; xmm0
// is the destination, xmm1 the source, RDI points at dataBase.

type xmmCase struct {
	name  string
	code  []byte
	setup func(c *CPU)
	check func(t *testing.T, c *CPU)
}

func runXMMCases(t *testing.T, cases []xmmCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := stepCode(t, append(append([]byte{}, tc.code...), 0xf4), func(c *CPU) {
				c.R[7] = dataBase
				if tc.setup != nil {
					tc.setup(c)
				}
			})
			tc.check(t, c)
		})
	}
}

func wantX(r int, want vec) func(t *testing.T, c *CPU) {
	return func(t *testing.T, c *CPU) {
		t.Helper()
		if c.X[r] != want {
			t.Errorf("xmm%d = %#x, want %#x", r, c.X[r], want)
		}
	}
}

func wantAll(fs ...func(t *testing.T, c *CPU)) func(t *testing.T, c *CPU) {
	return func(t *testing.T, c *CPU) {
		t.Helper()
		for _, f := range fs {
			f(t, c)
		}
	}
}

func wantR(r int, want uint64) func(t *testing.T, c *CPU) {
	return func(t *testing.T, c *CPU) {
		t.Helper()
		if c.R[r] != want {
			t.Errorf("%s = %#x, want %#x", regNames[r], c.R[r], want)
		}
	}
}

func wantFlags(want uint64) func(t *testing.T, c *CPU) {
	return func(t *testing.T, c *CPU) {
		t.Helper()
		if got := c.getFlags() & arithFlags; got != want {
			t.Errorf("flags %#x, want %#x", got, want)
		}
	}
}

func wantMXCSR(want uint32) func(t *testing.T, c *CPU) {
	return func(t *testing.T, c *CPU) {
		t.Helper()
		if c.mxcsr != want {
			t.Errorf("mxcsr %#x, want %#x", c.mxcsr, want)
		}
	}
}

// bytesVec packs 16 bytes.
func bytesVec(b ...byte) vec {
	var v vec
	for i, x := range b {
		v[i/8] |= uint64(x) << (8 * (i % 8))
	}
	return v
}

func setX(r int, v vec) func(c *CPU) { return func(c *CPU) { c.X[r] = v } }

func setup(fs ...func(c *CPU)) func(c *CPU) {
	return func(c *CPU) {
		for _, f := range fs {
			f(c)
		}
	}
}

func f64x2(a, b float64) vec { return vec{f64(a), f64(b)} }

func TestSSE3SSSE3(t *testing.T) {
	seq := func(base byte) vec {
		var b [16]byte
		for i := range b {
			b[i] = base + byte(i)
		}
		return bytesVec(b[:]...)
	}
	runXMMCases(t, []xmmCase{
		// haddps %xmm1,%xmm0: (1+2, 3+4, 10+20, 30+40).
		{"haddps", []byte{0xf2, 0x0f, 0x7c, 0xc1},
			setup(setX(0, f32x4(1, 2, 3, 4)), setX(1, f32x4(10, 20, 30, 40))),
			wantAll(wantX(0, f32x4(3, 7, 30, 70)), wantMXCSR(defaultMXCSR))},
		// hsubpd %xmm1,%xmm0: (5-3, 10-1).
		{"hsubpd", []byte{0x66, 0x0f, 0x7d, 0xc1},
			setup(setX(0, f64x2(5, 3)), setX(1, f64x2(10, 1))), wantX(0, f64x2(2, 9))},
		// addsubpd %xmm1,%xmm0: (1-0.5, 2+0.5).
		{"addsubpd", []byte{0x66, 0x0f, 0xd0, 0xc1},
			setup(setX(0, f64x2(1, 2)), setX(1, f64x2(0.5, 0.5))), wantX(0, f64x2(0.5, 2.5))},
		// haddpd of 1 and 2^-60 is inexact: PE.
		{"haddpd inexact", []byte{0x66, 0x0f, 0x7c, 0xc1},
			setup(setX(0, f64x2(1, 0x1p-60)), setX(1, f64x2(0, 0))),
			wantAll(wantX(0, f64x2(1, 0)), wantMXCSR(defaultMXCSR|uint32(softfp.PE)))},
		// movshdup %xmm1,%xmm0.
		{"movshdup", []byte{0xf3, 0x0f, 0x16, 0xc1},
			setX(1, f32x4(1, 2, 3, 4)), wantX(0, f32x4(2, 2, 4, 4))},
		// movddup (%rdi),%xmm0 reads 8 bytes.
		{"movddup", []byte{0xf2, 0x0f, 0x12, 0x07},
			func(c *CPU) { c.store(dataBase, 8, 0x1122334455667788) },
			wantX(0, vec{0x1122334455667788, 0x1122334455667788})},
		// lddqu 0x1(%rdi),%xmm0: unaligned.
		{"lddqu", []byte{0xf2, 0x0f, 0xf0, 0x47, 0x01},
			func(c *CPU) {
				c.store128(dataBase, 0x0706050403020100, 0x0f0e0d0c0b0a0908)
				c.store(dataBase+16, 1, 0x10)
			},
			wantX(0, vec{0x0807060504030201, 0x100f0e0d0c0b0a09})},
		// pshufb %xmm1,%xmm0: selectors 0x80 (zero), 0x0f, 0x01, 0x11 (low
		// four bits: 1), then zeros (byte 0).
		{"pshufb", []byte{0x66, 0x0f, 0x38, 0x00, 0xc1},
			setup(setX(0, seq(0xa0)), setX(1, bytesVec(0x80, 0x0f, 0x01, 0x11))),
			wantX(0, vec{0xa0a0a0a0a1a1af00, 0xa0a0a0a0a0a0a0a0})},
		// palignr $4,%xmm1,%xmm0: bytes 4-19 of xmm0:xmm1.
		{"palignr", []byte{0x66, 0x0f, 0x3a, 0x0f, 0xc1, 0x04},
			setup(setX(0, seq(0x10)), setX(1, seq(0))),
			wantX(0, vec{0x0b0a090807060504, 0x131211100f0e0d0c})},
		// phaddw %xmm1,%xmm0: word pairs, wrapping: 0x7fff+1 = 0x8000.
		{"phaddw", []byte{0x66, 0x0f, 0x38, 0x01, 0xc1},
			setup(setX(0, vec{0x0004_0003_0001_7fff, 0}), setX(1, vec{0, 0xffff_ffff_0002_0001})),
			wantX(0, vec{0x0007_8000, 0xfffe_0003_0000_0000})},
		// pmaddubsw %xmm1,%xmm0: 255·(-128) + 255·(-128) saturates to -32768;
		// 2·3 + 4·(-1) = 2.
		{"pmaddubsw", []byte{0x66, 0x0f, 0x38, 0x04, 0xc1},
			setup(setX(0, bytesVec(0xff, 0xff, 2, 4)), setX(1, bytesVec(0x80, 0x80, 3, 0xff))),
			wantX(0, vec{0x0002_8000, 0})},
		// pmulhrsw %xmm1,%xmm0: 0x4000·0x4000 = 2^28; >>14 = 0x4000; (+1)>>1 = 0x2000.
		{"pmulhrsw", []byte{0x66, 0x0f, 0x38, 0x0b, 0xc1},
			setup(setX(0, vec{0x4000, 0}), setX(1, vec{0x4000, 0})), wantX(0, vec{0x2000, 0})},
		// pabsb %xmm1,%xmm0: |-128| = 0x80, |-1| = 1.
		{"pabsb", []byte{0x66, 0x0f, 0x38, 0x1c, 0xc1},
			setX(1, bytesVec(0x80, 0xff, 5)), wantX(0, vec{0x050180, 0})},
		// psignw %xmm1,%xmm0: negate, zero, keep.
		{"psignw", []byte{0x66, 0x0f, 0x38, 0x09, 0xc1},
			setup(setX(0, vec{0x0005_0005_0005, 0}), setX(1, vec{0x0001_0000_8000, 0})),
			wantX(0, vec{0x0005_0000_fffb, 0})},
	})
}

func TestSSE41(t *testing.T) {
	runXMMCases(t, []xmmCase{
		// ptest %xmm1,%xmm0: 0xff & 0x0f != 0; ^0xff & 0x0f == 0: CF.
		{"ptest", []byte{0x66, 0x0f, 0x38, 0x17, 0xc1},
			setup(setX(0, vec{0xff, 0}), setX(1, vec{0x0f, 0}), func(c *CPU) { c.setFlags(arithFlags) }),
			wantFlags(flagCF)},
		// dpps $0xf1: 1·5 + 2·6 + 3·7 + 4·8 = 70 in element 0.
		{"dpps", []byte{0x66, 0x0f, 0x3a, 0x40, 0xc1, 0xf1},
			setup(setX(0, f32x4(1, 2, 3, 4)), setX(1, f32x4(5, 6, 7, 8))), wantX(0, f32x4(70, 0, 0, 0))},
		// dppd $0x31: 1.5·2 + 2·3 = 9 in element 0.
		{"dppd", []byte{0x66, 0x0f, 0x3a, 0x41, 0xc1, 0x31},
			setup(setX(0, f64x2(1.5, 2)), setX(1, f64x2(2, 3))), wantX(0, f64x2(9, 0))},
		// roundsd $0: 2.5 to even is 2, inexact.
		{"roundsd nearest", []byte{0x66, 0x0f, 0x3a, 0x0b, 0xc1, 0x00},
			setup(setX(0, f64x2(7, 7)), setX(1, f64x2(2.5, 9))),
			wantAll(wantX(0, f64x2(2, 7)), wantMXCSR(defaultMXCSR|uint32(softfp.PE)))},
		// roundsd $0x9 (floor, no PE): -2.5 → -3.
		{"roundsd floor", []byte{0x66, 0x0f, 0x3a, 0x0b, 0xc1, 0x09},
			setX(1, f64x2(-2.5, 0)), wantAll(wantX(0, f64x2(-3, 0)), wantMXCSR(defaultMXCSR))},
		// roundsd $0xa (ceil): -0.5 → -0.
		{"roundsd ceil", []byte{0x66, 0x0f, 0x3a, 0x0b, 0xc1, 0x0a},
			setX(1, f64x2(-0.5, 0)), wantX(0, vec{1 << 63, 0})},
		// roundsd $4 with MXCSR.RC = up: 2.1 → 3.
		{"roundsd mxcsr", []byte{0x66, 0x0f, 0x3a, 0x0b, 0xc1, 0x04},
			setup(setX(1, f64x2(2.1, 0)), func(c *CPU) { c.mxcsr = 0x5f80 }), wantX(0, f64x2(3, 0))},
		// roundps $3 (truncate): 2.7, -2.7, 1e10 (integral), SNaN → QNaN with IE.
		{"roundps", []byte{0x66, 0x0f, 0x3a, 0x08, 0xc1, 0x03},
			setX(1, vec{f32(2.7) | f32(-2.7)<<32, f32(1e10) | 0x7f800001<<32}),
			wantAll(wantX(0, vec{f32(2) | f32(-2)<<32, f32(1e10) | 0x7fc00001<<32}),
				wantMXCSR(defaultMXCSR|uint32(softfp.PE|softfp.IE)))},
		// pmovsxbd %xmm1,%xmm0.
		{"pmovsxbd", []byte{0x66, 0x0f, 0x38, 0x21, 0xc1},
			setX(1, bytesVec(0x80, 0x7f, 0xff, 0x01, 0x55)),
			wantX(0, vec{0x0000007f_ffffff80, 0x00000001_ffffffff})},
		// pmovzxwq (%rdi),%xmm0 reads 4 bytes.
		{"pmovzxwq", []byte{0x66, 0x0f, 0x38, 0x34, 0x07},
			func(c *CPU) { c.store(dataBase, 8, 0x5555_5555_ffff_8001) }, wantX(0, vec{0x8001, 0xffff})},
		// packusdw %xmm1,%xmm0: (-1, 70000, 5, 65535) then xmm1's.
		{"packusdw", []byte{0x66, 0x0f, 0x38, 0x2b, 0xc1},
			setup(setX(0, vec{0x00011170_ffffffff, 0x0000ffff_00000005}), setX(1, vec{0x80000000_7fffffff, 0})),
			wantX(0, vec{0xffff_0005_ffff_0000, 0x0000_0000_0000_ffff})},
		// phminposuw %xmm1,%xmm0: the first 3 is word 1.
		{"phminposuw", []byte{0x66, 0x0f, 0x38, 0x41, 0xc1},
			setup(setX(0, vec{^uint64(0), ^uint64(0)}), setX(1, vec{0x0003_0009_0003_0005, 0x0004_0004_0004_0004})),
			wantX(0, vec{0x1_0003, 0})},
		// mpsadbw $0: |dst[i+j] - src[j]| for dst bytes i and src 0,1,2,3: 4i.
		{"mpsadbw", []byte{0x66, 0x0f, 0x3a, 0x42, 0xc1, 0x00},
			setup(setX(0, bytesVec(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)), setX(1, bytesVec(0, 1, 2, 3))),
			wantX(0, vec{0x000c_0008_0004_0000, 0x001c_0018_0014_0010})},
		// pextrb $0x11,%xmm0,%eax: byte 17 mod 16 = 1, zero-extended.
		{"pextrb", []byte{0x66, 0x0f, 0x3a, 0x14, 0xc0, 0x11},
			setup(setX(0, bytesVec(0x11, 0xab)), func(c *CPU) { c.R[rax] = ^uint64(0) }), wantR(rax, 0xab)},
		// pextrw $5,%xmm0,(%rdi): a word to memory.
		{"pextrw m16", []byte{0x66, 0x0f, 0x3a, 0x15, 0x07, 0x05},
			setup(setX(0, vec{0, 0x0000_0000_1234_0000}), func(c *CPU) { c.store(dataBase, 8, ^uint64(0)) }),
			func(t *testing.T, c *CPU) {
				if v, _ := c.load(dataBase, 8); v != 0xffff_ffff_ffff_1234 {
					t.Errorf("memory %#x", v)
				}
			}},
		// pinsrq $1,%rax,%xmm0.
		{"pinsrq", []byte{0x66, 0x48, 0x0f, 0x3a, 0x22, 0xc0, 0x01},
			setup(setX(0, vec{1, 2}), func(c *CPU) { c.R[rax] = 0xdead }), wantX(0, vec{1, 0xdead})},
		// insertps $0x4e: element 1 of xmm1 into element 0, then zero 1-3.
		{"insertps", []byte{0x66, 0x0f, 0x3a, 0x21, 0xc1, 0x4e},
			setup(setX(0, f32x4(1, 2, 3, 4)), setX(1, f32x4(5, 6, 7, 8))), wantX(0, f32x4(6, 0, 0, 0))},
		// extractps $2,%xmm0,(%rdi).
		{"extractps", []byte{0x66, 0x0f, 0x3a, 0x17, 0x07, 0x02},
			setX(0, f32x4(1, 2, 3, 4)),
			func(t *testing.T, c *CPU) {
				if v, _ := c.load(dataBase, 4); v != f32(3) {
					t.Errorf("memory %#x", v)
				}
			}},
		// blendvps %xmm0,%xmm1,%xmm2: elements 0 and 3 of xmm1 (xmm0's signs).
		{"blendvps", []byte{0x66, 0x0f, 0x38, 0x14, 0xd1},
			setup(setX(0, vec{0x80000000, 0xffffffff_00000000}), setX(1, f32x4(5, 6, 7, 8)), setX(2, f32x4(1, 2, 3, 4))),
			wantX(2, f32x4(5, 2, 3, 8))},
		// pblendw $0x0f: the low four words from xmm1.
		{"pblendw", []byte{0x66, 0x0f, 0x3a, 0x0e, 0xc1, 0x0f},
			setup(setX(0, vec{1, 2}), setX(1, vec{3, 4})), wantX(0, vec{3, 2})},
		// pmuldq: -2·3 (dword 0) and 5·7 (dword 2) as quadwords.
		{"pmuldq", []byte{0x66, 0x0f, 0x38, 0x28, 0xc1},
			setup(setX(0, vec{0x9_fffffffe, 5}), setX(1, vec{3, 7})), wantX(0, vec{^uint64(5), 35})},
		// pmulld: 0x10000·0x10000 keeps the low 32 bits (0); 3·-1 = -3.
		{"pmulld", []byte{0x66, 0x0f, 0x38, 0x40, 0xc1},
			setup(setX(0, vec{0x00000003_00010000, 0}), setX(1, vec{0xffffffff_00010000, 0})),
			wantX(0, vec{0xfffffffd_00000000, 0})},
	})
}

func TestSSE42(t *testing.T) {
	str := func(s string) vec { return bytesVec([]byte(s)...) }
	runXMMCases(t, []xmmCase{
		// pcmpistri $0x0c (equal ordered): "lo" in "hello" at 3. CF (a
		// match), ZF and SF (both strings shorter than 16), OF = bit 0 = 0.
		{"pcmpistri ordered", []byte{0x66, 0x0f, 0x3a, 0x63, 0xc1, 0x0c},
			setup(setX(0, str("lo")), setX(1, str("hello"))),
			wantAll(wantR(rcx, 3), wantFlags(flagCF|flagZF|flagSF))},
		// Not found: ECX = 16, CF clear.
		{"pcmpistri absent", []byte{0x66, 0x0f, 0x3a, 0x63, 0xc1, 0x0c},
			setup(setX(0, str("xy")), setX(1, str("hello"))),
			wantAll(wantR(rcx, 16), wantFlags(flagZF|flagSF))},
		// pcmpestri $0 (equal any) with EAX = 3 ("abc"), EDX = 5: matches
		// at 2 ('b') and 4 ('a'); the lowest index is 2.
		{"pcmpestri any", []byte{0x66, 0x0f, 0x3a, 0x61, 0xc1, 0x00},
			setup(setX(0, str("abcdefgh")), setX(1, str("xxbxaxxb")), func(c *CPU) { c.R[rax], c.R[rdx] = 3, 5 }),
			wantAll(wantR(rcx, 2), wantFlags(flagCF|flagZF|flagSF))},
		// Lengths are absolute values, saturated at 16: EAX = -3, EDX = 100;
		// imm 0x40: most significant index; the 'b' at 7 now counts.
		{"pcmpestri msb", []byte{0x66, 0x0f, 0x3a, 0x61, 0xc1, 0x40},
			setup(setX(0, str("abcdefgh")), setX(1, str("xxbxaxxbxxxxxxxx")), func(c *CPU) { c.R[rax], c.R[rdx] = 0xfffffffd, 100 }),
			wantAll(wantR(rcx, 7), wantFlags(flagCF|flagSF))},
		// pcmpistrm $0x44 (ranges, byte mask): "az" against "aB3z".
		{"pcmpistrm ranges", []byte{0x66, 0x0f, 0x3a, 0x62, 0xc1, 0x44},
			setup(setX(0, str("az")), setX(1, str("aB3z"))),
			wantAll(wantX(0, vec{0xff0000ff, 0}), wantFlags(flagCF|flagZF|flagSF|flagOF))},
		// pcmpistri $0x18 (equal each, negated): first difference of
		// "abcd" and "abXd" is at 2.
		{"pcmpistri each negated", []byte{0x66, 0x0f, 0x3a, 0x63, 0xc1, 0x18},
			setup(setX(0, str("abcd")), setX(1, str("abXd"))),
			wantAll(wantR(rcx, 2), wantFlags(flagCF|flagZF|flagSF))},
		// crc32q (%rdi),%rax then crc32b 8(%rdi),%eax over "123456789"
		// from ~0: the CRC-32C check value 0xe3069283, inverted.
		{"crc32", []byte{0xf2, 0x48, 0x0f, 0x38, 0xf1, 0x07, 0xf2, 0x0f, 0x38, 0xf0, 0x47, 0x08},
			func(c *CPU) {
				c.mem.WriteAt([]byte("123456789"), dataBase)
				c.R[rax] = 0xffffffff
			},
			wantR(rax, 0xe3069283^0xffffffff)},
		// pcmpgtq: signed.
		{"pcmpgtq", []byte{0x66, 0x0f, 0x38, 0x37, 0xc1},
			setup(setX(0, vec{1, 1 << 63}), setX(1, vec{^uint64(0), 0})), wantX(0, vec{^uint64(0), 0})},
	})
}
