package emu

import (
	"math"
	"testing"

	"gemu/internal/abi/linux"
	"gemu/mmu"

	"golang.org/x/arch/x86/x86asm"
)

// Expected values in the SSE tests are worked out by hand from the Intel
// SDM's instruction pages (vol. 2) and the SIMD floating-point exception
// rules (vol. 1 ch. 11); testguests/c/insn_sse.c compares every form with
// the host CPU.

// sseIns is one encoded instruction and the op x86asm must decode it to,
// which guards the hand-written encodings.
type sseIns struct {
	op x86asm.Op
	b  []byte
}

func ins(op x86asm.Op, b ...byte) sseIns { return sseIns{op, b} }

// sseProg concatenates the instructions and a final hlt.
func sseProg(t *testing.T, is ...sseIns) []byte {
	t.Helper()
	var code []byte
	for _, i := range is {
		xi, err := x86asm.Decode(i.b, 64)
		if err != nil || xi.Op != i.op || xi.Len != len(i.b) {
			t.Fatalf("% x decodes to %v (len %d, err %v), want %v", i.b, xi.Op, xi.Len, err, i.op)
		}
		code = append(code, i.b...)
	}
	return append(code, 0xf4)
}

func f32(x float32) uint64 { return uint64(math.Float32bits(x)) }
func f64(x float64) uint64 { return math.Float64bits(x) }

// f32x4 packs four binary32 lanes.
func f32x4(a, b, c, d float32) vec { return vec{f32(a) | f32(b)<<32, f32(c) | f32(d)<<32} }

func ssePoke(t *testing.T, c *CPU, addr uint64, b []byte) {
	t.Helper()
	if _, err := c.mem.WriteAt(b, addr); err != nil {
		t.Fatal(err)
	}
}

func ssePeek(t *testing.T, c *CPU, addr uint64, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := c.mem.ReadAt(b, addr); err != nil {
		t.Fatal(err)
	}
	return b
}

func le(vs ...uint64) []byte {
	var b []byte
	for _, v := range vs {
		for i := 0; i < 8; i++ {
			b = append(b, byte(v>>(8*i)))
		}
	}
	return b
}

// runTrap runs code expecting the first instruction to trap; it returns the
// CPU and the exit.
func runTrap(t *testing.T, code []byte, setup func(c *CPU)) (*CPU, Exit) {
	t.Helper()
	c, exit := runCodeExit(t, code, setup)
	if c.RIP != codeBase {
		t.Fatalf("stopped at %#x (%+v), want a trap at the first instruction", c.RIP, exit)
	}
	return c, exit
}

func TestSSEMovesAlignment(t *testing.T) {
	movapsLoad := ins(x86asm.MOVAPS, 0x0f, 0x28, 0x00) // movaps xmm0, [rax]
	movupsLoad := ins(x86asm.MOVUPS, 0x0f, 0x10, 0x00) // movups xmm0, [rax]
	movapsStore := ins(x86asm.MOVAPS, 0x0f, 0x29, 0x08)
	data := le(0x1122334455667788, 0x99aabbccddeeff00, 0x0102030405060708)
	setup := func(addr uint64) func(c *CPU) {
		return func(c *CPU) {
			ssePoke(t, c, dataBase, data)
			c.R[0] = addr
			c.X[1] = vec{1, 2}
		}
	}
	c := runCode(t, sseProg(t, movapsLoad), setup(dataBase))
	if c.X[0] != (vec{0x1122334455667788, 0x99aabbccddeeff00}) {
		t.Errorf("movaps aligned load: %x", c.X[0])
	}
	c = runCode(t, sseProg(t, movupsLoad), setup(dataBase+8))
	if c.X[0] != (vec{0x99aabbccddeeff00, 0x0102030405060708}) {
		t.Errorf("movups misaligned load: %x", c.X[0])
	}
	for _, code := range [][]byte{sseProg(t, movapsLoad), sseProg(t, movapsStore),
		sseProg(t, ins(x86asm.ADDPS, 0x0f, 0x58, 0x00)), sseProg(t, ins(x86asm.MOVNTDQ, 0x66, 0x0f, 0xe7, 0x08))} {
		c, exit := runTrap(t, code, setup(dataBase+4))
		if exit.Reason != "general protection fault" || c.X[0] != (vec{}) {
			t.Errorf("% x misaligned: %+v, xmm0 %x", code, exit, c.X[0])
		}
		if got := ssePeek(t, c, dataBase, 24); string(got) != string(data) {
			t.Errorf("% x misaligned changed memory", code)
		}
	}
}

func TestSSEScalarMoves(t *testing.T) {
	setup := func(c *CPU) {
		c.X[0] = vec{0xaaaaaaaaaaaaaaaa, 0xbbbbbbbbbbbbbbbb}
		c.X[1] = vec{0x1111111122222222, 0x3333333344444444}
		c.R[0] = dataBase
		ssePoke(t, c, dataBase, le(0x5555555566666666))
	}
	cases := []struct {
		name string
		ins  sseIns
		want vec
	}{
		// Register forms merge into the low element; loads zero the rest.
		{"movss reg", ins(x86asm.MOVSS, 0xf3, 0x0f, 0x10, 0xc1), vec{0xaaaaaaaa22222222, 0xbbbbbbbbbbbbbbbb}},
		{"movss load", ins(x86asm.MOVSS, 0xf3, 0x0f, 0x10, 0x00), vec{0x66666666, 0}},
		{"movsd reg", ins(x86asm.MOVSD_XMM, 0xf2, 0x0f, 0x10, 0xc1), vec{0x1111111122222222, 0xbbbbbbbbbbbbbbbb}},
		{"movsd load", ins(x86asm.MOVSD_XMM, 0xf2, 0x0f, 0x10, 0x00), vec{0x5555555566666666, 0}},
		{"movq xmm,xmm (f3 0f 7e)", ins(x86asm.MOVQ, 0xf3, 0x0f, 0x7e, 0xc1), vec{0x1111111122222222, 0}},
		{"movq xmm,xmm (66 0f d6)", ins(x86asm.MOVQ, 0x66, 0x0f, 0xd6, 0xc8), vec{0x1111111122222222, 0}},
		{"movq xmm,m64", ins(x86asm.MOVQ, 0xf3, 0x0f, 0x7e, 0x00), vec{0x5555555566666666, 0}},
		{"movd xmm,m32", ins(x86asm.MOVD, 0x66, 0x0f, 0x6e, 0x00), vec{0x66666666, 0}},
		{"movlps load", ins(x86asm.MOVLPS, 0x0f, 0x12, 0x00), vec{0x5555555566666666, 0xbbbbbbbbbbbbbbbb}},
		{"movhpd load", ins(x86asm.MOVHPD, 0x66, 0x0f, 0x16, 0x00), vec{0xaaaaaaaaaaaaaaaa, 0x5555555566666666}},
		{"movhlps", ins(x86asm.MOVHLPS, 0x0f, 0x12, 0xc1), vec{0x3333333344444444, 0xbbbbbbbbbbbbbbbb}},
		{"movlhps", ins(x86asm.MOVLHPS, 0x0f, 0x16, 0xc1), vec{0xaaaaaaaaaaaaaaaa, 0x1111111122222222}},
	}
	for _, tc := range cases {
		c := runCode(t, sseProg(t, tc.ins), setup)
		if c.X[0] != tc.want {
			t.Errorf("%s: xmm0 = %x, want %x", tc.name, c.X[0], tc.want)
		}
	}
}

func TestSSEGeneralRegisterMoves(t *testing.T) {
	setup := func(c *CPU) {
		c.X[0] = vec{0x8000000180000002, 0x0000000380000004}
		c.R[0] = 0xdeadbeefcafef00d
		c.R[3] = dataBase
	}
	code := sseProg(t,
		ins(x86asm.MOVD, 0x66, 0x0f, 0x7e, 0xc1),             // movd ecx, xmm0
		ins(x86asm.MOVQ, 0x66, 0x48, 0x0f, 0x7e, 0xc2),       // movq rdx, xmm0
		ins(x86asm.MOVD, 0x66, 0x0f, 0x6e, 0xc8),             // movd xmm1, eax
		ins(x86asm.MOVQ, 0x66, 0x48, 0x0f, 0x6e, 0xd0),       // movq xmm2, rax
		ins(x86asm.MOVMSKPS, 0x0f, 0x50, 0xf0),               // movmskps esi, xmm0
		ins(x86asm.MOVMSKPD, 0x66, 0x0f, 0x50, 0xf8),         // movmskpd edi, xmm0
		ins(x86asm.PMOVMSKB, 0x66, 0x44, 0x0f, 0xd7, 0xc0),   // pmovmskb r8d, xmm0
		ins(x86asm.PEXTRW, 0x66, 0x44, 0x0f, 0xc5, 0xc8, 13), // pextrw r9d, xmm0, 13 (= 5)
		ins(x86asm.MOVQ, 0x66, 0x0f, 0xd6, 0x03),             // movq [rbx], xmm0
		ins(x86asm.MOVD, 0x66, 0x0f, 0x7e, 0x43, 0x08),       // movd [rbx+8], xmm0
		ins(x86asm.PINSRW, 0x66, 0x0f, 0xc4, 0xc0, 2),        // pinsrw xmm0, eax, 2
	)
	c := runCode(t, code, setup)
	want := map[int]uint64{1: 0x80000002, 2: 0x8000000180000002, 6: 0b0111, 7: 0b01, 8: 0x0888, 9: 0x8000}
	for r, w := range want {
		if c.R[r] != w {
			t.Errorf("%s = %#x, want %#x", regNames[r], c.R[r], w)
		}
	}
	if c.X[1] != (vec{0xcafef00d, 0}) || c.X[2] != (vec{0xdeadbeefcafef00d, 0}) {
		t.Errorf("movd/movq into xmm: %x %x", c.X[1], c.X[2])
	}
	if c.X[0] != (vec{0x8000f00d80000002, 0x0000000380000004}) {
		t.Errorf("pinsrw: %x", c.X[0])
	}
	if got := ssePeek(t, c, dataBase, 12); string(got) != string(le(0x8000000180000002, 0x80000002)[:12]) {
		t.Errorf("stores: % x", got)
	}
}

func TestMaskmovdqu(t *testing.T) {
	// maskmovdqu xmm0, xmm1: bytes of xmm0 whose xmm1 byte has the top bit
	// set go to [rdi].
	code := sseProg(t, ins(x86asm.MASKMOVDQU, 0x66, 0x0f, 0xf7, 0xc1))
	c := runCode(t, code, func(c *CPU) {
		c.X[0] = vec{0x0706050403020100, 0x0f0e0d0c0b0a0908}
		c.X[1] = vec{0x00800000000000ff, 0x8000000000000080}
		c.R[7] = dataBase + 1
		ssePoke(t, c, dataBase, []byte("abcdefghijklmnopqr"))
	})
	want := "a\x00cdefg\x06i\x08klmnop\x0fr"
	if got := string(ssePeek(t, c, dataBase, 18)); got != want {
		t.Errorf("memory = %q, want %q", got, want)
	}
}

func TestMXCSRAccess(t *testing.T) {
	code := sseProg(t,
		ins(x86asm.LDMXCSR, 0x0f, 0xae, 0x10), // ldmxcsr [rax]
		ins(x86asm.STMXCSR, 0x0f, 0xae, 0x5b, 0x08),
	)
	c := runCode(t, code, func(c *CPU) {
		c.R[0], c.R[3] = dataBase, dataBase
		ssePoke(t, c, dataBase, le(0xffff))
	})
	if c.mxcsr != 0xffff || string(ssePeek(t, c, dataBase+8, 4)) != "\xff\xff\x00\x00" {
		t.Errorf("mxcsr %#x", c.mxcsr)
	}
	// A reserved bit raises #GP and leaves MXCSR alone.
	c, exit := runTrap(t, code, func(c *CPU) {
		c.R[0] = dataBase
		ssePoke(t, c, dataBase, le(0x11f80))
	})
	if exit.Reason != "general protection fault" || c.mxcsr != defaultMXCSR {
		t.Errorf("reserved bit: %+v, mxcsr %#x", exit, c.mxcsr)
	}
}

func TestPackedIntegerOps(t *testing.T) {
	cases := []struct {
		name string
		ins  sseIns
		a, b vec
		want vec
	}{
		// Bytes wrap: 0xff+0x01 = 0x00, 0x7f+0x01 = 0x80, 0x01+0xff = 0x00.
		{"paddb", ins(x86asm.PADDB, 0x66, 0x0f, 0xfc, 0xc1), vec{0x7fff, 0x0201}, vec{0x0101, 0x01ff}, vec{0x8000, 0x0300}},
		// Signed saturation: 0x7f+1 → 0x7f, 0x80+0xff (-128-1) → 0x80.
		{"paddsb", ins(x86asm.PADDSB, 0x66, 0x0f, 0xec, 0xc1), vec{0x807f, 0}, vec{0xff01, 0}, vec{0x807f, 0}},
		// Unsigned saturation of 0x10 - 0x20 is 0.
		{"psubusw", ins(x86asm.PSUBUSW, 0x66, 0x0f, 0xd9, 0xc1), vec{0x0010_0030, 0}, vec{0x0020_0010, 0}, vec{0x0000_0020, 0}},
		{"psubq", ins(x86asm.PSUBQ, 0x66, 0x0f, 0xfb, 0xc1), vec{0, 5}, vec{1, 7}, vec{^uint64(0), ^uint64(1)}},
		// Words 0x0100 (256) → 0xff, 0xff80 (-128) → 0, 0x0042 → 0x42.
		{"packuswb", ins(x86asm.PACKUSWB, 0x66, 0x0f, 0x67, 0xc1), vec{0x0042_ff80_0100, 0}, vec{0x7fff, 0}, vec{0x42_00_ff, 0xff}},
		{"packssdw", ins(x86asm.PACKSSDW, 0x66, 0x0f, 0x6b, 0xc1), vec{0xffff0000_00012345, 0}, vec{0, 0x80000000}, vec{0x8000_7fff, 0x0000_8000_0000_0000}},
		// pmulhw: 0x4000 × 0x4000 = 0x1000_0000 → high 0x1000; -1 × 1 → 0xffff.
		{"pmulhw", ins(x86asm.PMULHW, 0x66, 0x0f, 0xe5, 0xc1), vec{0xffff_4000, 0}, vec{0x0001_4000, 0}, vec{0xffff_1000, 0}},
		{"pmuludq", ins(x86asm.PMULUDQ, 0x66, 0x0f, 0xf4, 0xc1), vec{0xffffffff, 3}, vec{0xffffffff, 5}, vec{0xfffffffe00000001, 15}},
		// pmaddwd: 2×3 + (-1)×4 = 2; 0x8000² × 2 = 0x80000000.
		{"pmaddwd", ins(x86asm.PMADDWD, 0x66, 0x0f, 0xf5, 0xc1), vec{0x8000_8000_ffff_0002, 0}, vec{0x8000_8000_0004_0003, 0}, vec{0x80000000_00000002, 0}},
		{"pavgb", ins(x86asm.PAVGB, 0x66, 0x0f, 0xe0, 0xc1), vec{0xff01, 0}, vec{0xff02, 0}, vec{0xff02, 0}},
		{"pminsw", ins(x86asm.PMINSW, 0x66, 0x0f, 0xea, 0xc1), vec{0x8000_0005, 0}, vec{0x7fff_0003, 0}, vec{0x8000_0003, 0}},
		{"pmaxub", ins(x86asm.PMAXUB, 0x66, 0x0f, 0xde, 0xc1), vec{0x80_01, 0}, vec{0x7f_02, 0}, vec{0x80_02, 0}},
		// |1-3| + |0xff-0| = 2 + 255 = 257 in each quadword's low word.
		{"psadbw", ins(x86asm.PSADBW, 0x66, 0x0f, 0xf6, 0xc1), vec{0xff_01, 0xffff}, vec{0x00_03, 0}, vec{257, 510}},
		{"pcmpeqb", ins(x86asm.PCMPEQB, 0x66, 0x0f, 0x74, 0xc1), vec{0x1122334455667788, 0}, vec{0x1100334400667700, 0}, vec{0xff00ffff00ffff00, ^uint64(0)}},
		{"pcmpeqd", ins(x86asm.PCMPEQD, 0x66, 0x0f, 0x76, 0xc1), vec{0x00000001_80000000, 1}, vec{0x00000001_00000000, 2}, vec{0xffffffff_00000000, 0xffffffff_00000000}},
		{"pcmpgtw", ins(x86asm.PCMPGTW, 0x66, 0x0f, 0x65, 0xc1), vec{0x0001_8000_7fff, 0}, vec{0xffff_7fff_8000, 0}, vec{0xffff_0000_ffff, 0}},
		{"pandn", ins(x86asm.PANDN, 0x66, 0x0f, 0xdf, 0xc1), vec{0xff00, 0}, vec{0x0ff0, 1}, vec{0x00f0, 1}},
		{"punpcklbw", ins(x86asm.PUNPCKLBW, 0x66, 0x0f, 0x60, 0xc1), vec{0x0706050403020100, 0}, vec{0x1716151413121110, 0}, vec{0x1303120211011000, 0x1707160615051404}},
		{"punpckhwd", ins(x86asm.PUNPCKHWD, 0x66, 0x0f, 0x69, 0xc1), vec{0, 0x0003_0002_0001_0000}, vec{0, 0x0013_0012_0011_0010}, vec{0x0011_0001_0010_0000, 0x0013_0003_0012_0002}},
		{"unpcklps", ins(x86asm.UNPCKLPS, 0x0f, 0x14, 0xc1), vec{0x11111111_00000000, 0}, vec{0x33333333_22222222, 0}, vec{0x22222222_00000000, 0x33333333_11111111}},
		{"unpckhpd", ins(x86asm.UNPCKHPD, 0x66, 0x0f, 0x15, 0xc1), vec{1, 2}, vec{3, 4}, vec{2, 4}},
		{"pshufd 0x1b", ins(x86asm.PSHUFD, 0x66, 0x0f, 0x70, 0xc1, 0x1b), vec{}, vec{0x1_00000000, 0x3_00000002}, vec{0x2_00000003, 0x0_00000001}},
		{"pshufhw 0x1b", ins(x86asm.PSHUFHW, 0xf3, 0x0f, 0x70, 0xc1, 0x1b), vec{}, vec{7, 0x0003_0002_0001_0000}, vec{7, 0x0000_0001_0002_0003}},
		// shufps 0x4e = 01 00 11 10: the result is a2, a3, b0, b1.
		{"shufps 0x4e", ins(x86asm.SHUFPS, 0x0f, 0xc6, 0xc1, 0x4e), vec{0x1_00000000, 0x3_00000002}, vec{0x5_00000004, 0x7_00000006}, vec{0x3_00000002, 0x5_00000004}},
		{"shufpd 2", ins(x86asm.SHUFPD, 0x66, 0x0f, 0xc6, 0xc1, 2), vec{1, 2}, vec{3, 4}, vec{1, 4}},
	}
	for _, tc := range cases {
		c := runCode(t, sseProg(t, tc.ins), func(c *CPU) { c.X[0], c.X[1] = tc.a, tc.b })
		if c.X[0] != tc.want {
			t.Errorf("%s: got %016x:%016x, want %016x:%016x", tc.name, c.X[0][1], c.X[0][0], tc.want[1], tc.want[0])
		}
	}
}

func TestPackedShifts(t *testing.T) {
	a := vec{0x8000_4000_0001_ffff, 0x80000000_00000001}
	cases := []struct {
		name  string
		ins   sseIns
		count uint64
		want  vec
	}{
		{"psllw 1", ins(x86asm.PSLLW, 0x66, 0x0f, 0xf1, 0xc1), 1, vec{0x0000_8000_0002_fffe, 0x0000_0000_0000_0002}},
		{"psllw 16", ins(x86asm.PSLLW, 0x66, 0x0f, 0xf1, 0xc1), 16, vec{}},
		{"psrlq 63", ins(x86asm.PSRLQ, 0x66, 0x0f, 0xd3, 0xc1), 63, vec{1, 1}},
		{"psrlq 2^32", ins(x86asm.PSRLQ, 0x66, 0x0f, 0xd3, 0xc1), 1 << 32, vec{}},
		// Arithmetic shifts by the width or more fill with the sign.
		{"psraw 99", ins(x86asm.PSRAW, 0x66, 0x0f, 0xe1, 0xc1), 99, vec{0xffff_0000_0000_ffff, 0xffff_0000_0000_0000}},
		{"psrad 31", ins(x86asm.PSRAD, 0x66, 0x0f, 0xe2, 0xc1), 31, vec{0xffffffff_00000000, 0xffffffff_00000000}},
		{"psrld imm 4", ins(x86asm.PSRLD, 0x66, 0x0f, 0x72, 0xd0, 4), 0, vec{0x08000400_00001fff, 0x08000000_00000000}},
		{"psllq imm 64", ins(x86asm.PSLLQ, 0x66, 0x0f, 0x73, 0xf0, 64), 0, vec{}},
		{"pslldq 3", ins(x86asm.PSLLDQ, 0x66, 0x0f, 0x73, 0xf8, 3), 0, vec{0x000001ff_ff000000, 0x00000000_01800040}},
		{"psrldq 9", ins(x86asm.PSRLDQ, 0x66, 0x0f, 0x73, 0xd8, 9), 0, vec{0x80000000_000000, 0}},
		{"psrldq 16", ins(x86asm.PSRLDQ, 0x66, 0x0f, 0x73, 0xd8, 16), 0, vec{}},
	}
	for _, tc := range cases {
		c := runCode(t, sseProg(t, tc.ins), func(c *CPU) { c.X[0], c.X[1] = a, vec{tc.count, 0} })
		if c.X[0] != tc.want {
			t.Errorf("%s: got %016x:%016x, want %016x:%016x", tc.name, c.X[0][1], c.X[0][0], tc.want[1], tc.want[0])
		}
	}
}

func TestSSEFloatArithmetic(t *testing.T) {
	cases := []struct {
		name  string
		ins   sseIns
		mxcsr uint32
		a, b  vec
		want  vec
		flags uint32
	}{
		// 1.5+2.25 = 3.75 exactly; 1 + 2^-24 ties to 1 (PE); -0 + -0 = -0.
		{"addps", ins(x86asm.ADDPS, 0x0f, 0x58, 0xc1), defaultMXCSR,
			f32x4(1.5, 1, float32(math.Copysign(0, -1)), 7), f32x4(2.25, 0x1p-24, float32(math.Copysign(0, -1)), -7),
			f32x4(3.75, 1, float32(math.Copysign(0, -1)), 0), 0x20},
		// Scalar: only lane 0 changes; 1/0 = +inf with ZE.
		{"divss", ins(x86asm.DIVSS, 0xf3, 0x0f, 0x5e, 0xc1), defaultMXCSR,
			f32x4(1, 2, 3, 4), f32x4(0, 1, 1, 1), vec{0x40000000_7f800000, f32x4(0, 0, 3, 4)[1]}, 0x04},
		// 0/0 is the default NaN 0xffc00000 with IE.
		{"divss 0/0", ins(x86asm.DIVSS, 0xf3, 0x0f, 0x5e, 0xc1), defaultMXCSR,
			vec{}, vec{}, vec{0xffc00000}, 0x01},
		// 1/3 rounded up (RU = RC 2) is 0x3eaaaaab, down 0x3eaaaaaa.
		{"divss RU", ins(x86asm.DIVSS, 0xf3, 0x0f, 0x5e, 0xc1), defaultMXCSR | 2<<13,
			f32x4(1, 0, 0, 0), f32x4(3, 0, 0, 0), vec{0x3eaaaaab}, 0x20},
		{"divss RD", ins(x86asm.DIVSS, 0xf3, 0x0f, 0x5e, 0xc1), defaultMXCSR | 1<<13,
			f32x4(1, 0, 0, 0), f32x4(3, 0, 0, 0), vec{0x3eaaaaaa}, 0x20},
		// sqrt(2) is 0x3ff6a09e667f3bcc plus 0.56 ulp: RN rounds up, RZ down.
		{"sqrtsd", ins(x86asm.SQRTSD, 0xf2, 0x0f, 0x51, 0xc1), defaultMXCSR,
			vec{9, 9}, vec{f64(2), 5}, vec{0x3ff6a09e667f3bcd, 9}, 0x20},
		{"sqrtsd RZ", ins(x86asm.SQRTSD, 0xf2, 0x0f, 0x51, 0xc1), defaultMXCSR | 3<<13,
			vec{9, 9}, vec{f64(2), 5}, vec{0x3ff6a09e667f3bcc, 9}, 0x20},
		// FTZ: 2^-126 × 0.5 is tiny: flushed to +0 with UE and PE.
		{"mulss FTZ", ins(x86asm.MULSS, 0xf3, 0x0f, 0x59, 0xc1), defaultMXCSR | 0x8000,
			vec{0x00800000}, f32x4(0.5, 0, 0, 0), vec{0}, 0x30},
		// DAZ: the denormal operand is zero; no DE.
		{"addss DAZ", ins(x86asm.ADDSS, 0xf3, 0x0f, 0x58, 0xc1), defaultMXCSR | 0x40,
			f32x4(1, 0, 0, 0), vec{1}, f32x4(1, 0, 0, 0), 0},
		{"addss denormal", ins(x86asm.ADDSS, 0xf3, 0x0f, 0x58, 0xc1), defaultMXCSR,
			f32x4(1, 0, 0, 0), vec{1}, f32x4(1, 0, 0, 0), 0x22},
		// The first operand's NaN wins; an SNaN is quieted with IE.
		{"addpd NaNs", ins(x86asm.ADDPD, 0x66, 0x0f, 0x58, 0xc1), defaultMXCSR,
			vec{0x7ff8000000000001, 0x3ff0000000000000}, vec{0x7ff8000000000002, 0x7ff0000000000003},
			vec{0x7ff8000000000001, 0x7ff8000000000003}, 0x01},
		// MINSS returns the second operand for a NaN or for equal zeros.
		{"minss NaN", ins(x86asm.MINSS, 0xf3, 0x0f, 0x5d, 0xc1), defaultMXCSR,
			vec{0x7fc00000}, f32x4(2, 0, 0, 0), f32x4(2, 0, 0, 0), 0x01},
		{"maxps zeros", ins(x86asm.MAXPS, 0x0f, 0x5f, 0xc1), defaultMXCSR,
			vec{0x80000000_00000000}, vec{0x00000000_80000000}, vec{0x00000000_80000000}, 0},
		{"rcpss 1", ins(x86asm.RCPSS, 0xf3, 0x0f, 0x53, 0xc1), defaultMXCSR,
			vec{5, 6}, f32x4(1, 0, 0, 0), vec{5&^0xffffffff | 0x3f7ff000, 6}, 0},
		{"rsqrtps", ins(x86asm.RSQRTPS, 0x0f, 0x52, 0xc1), defaultMXCSR,
			vec{}, f32x4(-1, 0, float32(math.Inf(1)), float32(math.Copysign(0, -1))),
			vec{0x7f800000_ffc00000, 0xff800000_00000000}, 0},
	}
	for _, tc := range cases {
		c := runCode(t, sseProg(t, tc.ins), func(c *CPU) { c.X[0], c.X[1], c.mxcsr = tc.a, tc.b, tc.mxcsr })
		if c.X[0] != tc.want || c.mxcsr != tc.mxcsr|tc.flags {
			t.Errorf("%s: got %016x:%016x mxcsr %#x, want %016x:%016x mxcsr %#x",
				tc.name, c.X[0][1], c.X[0][0], c.mxcsr, tc.want[1], tc.want[0], tc.mxcsr|tc.flags)
		}
	}
}

func TestSSECompares(t *testing.T) {
	nan := math.Float32frombits(0x7fc00000)
	a := f32x4(1, 2, nan, 0)
	b := f32x4(2, 2, 1, float32(math.Copysign(0, -1)))
	// Relations per lane: less, equal, unordered, equal.
	wants := [8]vec{
		{0xffffffff_00000000, 0xffffffff_00000000}, // EQ
		{0x00000000_ffffffff, 0},                   // LT
		{0xffffffff_ffffffff, 0xffffffff_00000000}, // LE
		{0, 0x00000000_ffffffff},                   // UNORD
		{0x00000000_ffffffff, 0x00000000_ffffffff}, // NEQ
		{0xffffffff_00000000, 0xffffffff_ffffffff}, // NLT
		{0, 0x00000000_ffffffff},                   // NLE
		{0xffffffff_ffffffff, 0xffffffff_00000000}, // ORD
	}
	for p := byte(0); p < 8; p++ {
		c := runCode(t, sseProg(t, ins(x86asm.CMPPS, 0x0f, 0xc2, 0xc1, p)), func(c *CPU) { c.X[0], c.X[1] = a, b })
		// LT, LE, NLT and NLE signal IE on the QNaN.
		wantMX := uint32(defaultMXCSR)
		if p&3 == 1 || p&3 == 2 {
			wantMX |= 1
		}
		if c.X[0] != wants[p] || c.mxcsr != wantMX {
			t.Errorf("cmpps %d: %016x:%016x mxcsr %#x, want %016x:%016x mxcsr %#x", p, c.X[0][1], c.X[0][0], c.mxcsr, wants[p][1], wants[p][0], wantMX)
		}
	}
	// cmpsd keeps the high quadword.
	c := runCode(t, sseProg(t, ins(x86asm.CMPSD_XMM, 0xf2, 0x0f, 0xc2, 0xc1, 1)), func(c *CPU) {
		c.X[0], c.X[1] = vec{f64(-1), 7}, vec{f64(1), 8}
	})
	if c.X[0] != (vec{^uint64(0), 7}) {
		t.Errorf("cmpltsd: %x", c.X[0])
	}
}

func TestComisFlags(t *testing.T) {
	nan := f32(math.Float32frombits(0x7fc00000))
	cases := []struct {
		name  string
		ins   sseIns
		a, b  uint64
		flags uint64
		ie    bool
	}{
		{"comiss less", ins(x86asm.COMISS, 0x0f, 0x2f, 0xc1), f32(1), f32(2), flagCF, false},
		{"comiss greater", ins(x86asm.COMISS, 0x0f, 0x2f, 0xc1), f32(3), f32(2), 0, false},
		{"comiss +0 -0", ins(x86asm.COMISS, 0x0f, 0x2f, 0xc1), f32(0), 0x80000000, flagZF, false},
		{"comiss qnan", ins(x86asm.COMISS, 0x0f, 0x2f, 0xc1), nan, f32(2), flagZF | flagPF | flagCF, true},
		{"ucomiss qnan", ins(x86asm.UCOMISS, 0x0f, 0x2e, 0xc1), nan, f32(2), flagZF | flagPF | flagCF, false},
		{"ucomisd snan", ins(x86asm.UCOMISD, 0x66, 0x0f, 0x2e, 0xc1), f64(1), 0x7ff0000000000001, flagZF | flagPF | flagCF, true},
		{"comisd equal", ins(x86asm.COMISD, 0x66, 0x0f, 0x2f, 0xc1), f64(-2), f64(-2), flagZF, false},
	}
	for _, tc := range cases {
		// stc; sets every arithmetic flag first through popfq of 0x8d5.
		code := asmBytes([]byte{0x68, 0xd5, 0x08, 0, 0, 0x9d}, sseProg(t, tc.ins))
		c := runCode(t, code, func(c *CPU) { c.X[0], c.X[1] = vec{tc.a}, vec{tc.b} })
		if got := c.getFlags() & arithFlags; got != tc.flags {
			t.Errorf("%s: flags %#x, want %#x", tc.name, got, tc.flags)
		}
		if ie := c.mxcsr&1 != 0; ie != tc.ie {
			t.Errorf("%s: IE %v, want %v", tc.name, ie, tc.ie)
		}
	}
}

// asmBytes concatenates encoded instructions.
func asmBytes(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func TestSSEConversions(t *testing.T) {
	cases := []struct {
		name  string
		ins   sseIns
		a, b  vec
		rax   uint64
		want  vec
		wrax  uint64
		flags uint32
	}{
		// 2^31 does not fit: integer indefinite with IE.
		{"cvttsd2si 2^31", ins(x86asm.CVTTSD2SI, 0xf2, 0x0f, 0x2c, 0xc1), vec{}, vec{f64(0x1p31)}, 7, vec{}, 0x80000000, 0x01},
		{"cvttsd2si -2.7", ins(x86asm.CVTTSD2SI, 0xf2, 0x48, 0x0f, 0x2c, 0xc1), vec{}, vec{f64(-2.7)}, 7, vec{}, ^uint64(1), 0x20},
		// RN: 2.5 → 2 (even), with PE.
		{"cvtss2si 2.5", ins(x86asm.CVTSS2SI, 0xf3, 0x0f, 0x2d, 0xc1), vec{}, vec{f32(2.5)}, ^uint64(0), vec{}, 2, 0x20},
		// 2^53+1 is not a double: rounds to 2^53 (even) with PE.
		{"cvtsi2sd rax", ins(x86asm.CVTSI2SD, 0xf2, 0x48, 0x0f, 0x2a, 0xc0), vec{1, 2}, vec{}, 1<<53 + 1, vec{f64(0x1p53), 2}, 1<<53 + 1, 0x20},
		{"cvtsi2ss eax", ins(x86asm.CVTSI2SS, 0xf3, 0x0f, 0x2a, 0xc0), vec{0x11111111_22222222, 3}, vec{}, 0xffffffff_fffffffd, vec{0x11111111_00000000 | f32(-3), 3}, 0xffffffff_fffffffd, 0},
		{"cvtpd2ps", ins(x86asm.CVTPD2PS, 0x66, 0x0f, 0x5a, 0xc1), vec{9, 9}, vec{f64(1.5), f64(-0.25)}, 0, vec{f32(1.5) | f32(-0.25)<<32, 0}, 0, 0},
		{"cvtdq2pd", ins(x86asm.CVTDQ2PD, 0xf3, 0x0f, 0xe6, 0xc1), vec{9, 9}, vec{0xffffffff_00000005, 7}, 0, vec{f64(5), f64(-1)}, 0, 0},
		{"cvtps2pd", ins(x86asm.CVTPS2PD, 0x0f, 0x5a, 0xc1), vec{}, vec{f32(0.5) | f32(-8)<<32, 3}, 0, vec{f64(0.5), f64(-8)}, 0, 0},
		// cvtps2dq rounds by RC (RN: 1.5 → 2, -0.5 → -0 = 0), cvttps2dq truncates.
		{"cvtps2dq", ins(x86asm.CVTPS2DQ, 0x66, 0x0f, 0x5b, 0xc1), vec{}, f32x4(1.5, -0.5, 1e10, -3), 0, vec{0x00000000_00000002, 0xfffffffd_80000000}, 0, 0x21},
		{"cvttps2dq", ins(x86asm.CVTTPS2DQ, 0xf3, 0x0f, 0x5b, 0xc1), vec{}, f32x4(1.5, -0.5, 7, -3), 0, vec{0x00000000_00000001, 0xfffffffd_00000007}, 0, 0x20},
		{"cvtpd2dq", ins(x86asm.CVTPD2DQ, 0xf2, 0x0f, 0xe6, 0xc1), vec{5, 5}, vec{f64(-1), f64(3)}, 0, vec{0x00000003_ffffffff, 0}, 0, 0},
		{"cvtss2sd", ins(x86asm.CVTSS2SD, 0xf3, 0x0f, 0x5a, 0xc1), vec{1, 2}, vec{f32(0.1)}, 0, vec{f64(float64(float32(0.1))), 2}, 0, 0},
		{"cvtsd2ss overflow", ins(x86asm.CVTSD2SS, 0xf2, 0x0f, 0x5a, 0xc1), vec{0xaaaaaaaa_bbbbbbbb, 2}, vec{f64(1e300)}, 0, vec{0xaaaaaaaa_7f800000, 2}, 0, 0x28},
	}
	for _, tc := range cases {
		c := runCode(t, sseProg(t, tc.ins), func(c *CPU) { c.X[0], c.X[1], c.R[0] = tc.a, tc.b, tc.rax })
		if c.X[0] != tc.want || c.R[0] != tc.wrax || c.mxcsr != defaultMXCSR|tc.flags {
			t.Errorf("%s: xmm0 %016x:%016x rax %#x mxcsr %#x, want %016x:%016x rax %#x mxcsr %#x", tc.name,
				c.X[0][1], c.X[0][0], c.R[0], c.mxcsr, tc.want[1], tc.want[0], tc.wrax, defaultMXCSR|tc.flags)
		}
	}
}

func TestUnmaskedSIMDExceptions(t *testing.T) {
	cases := []struct {
		name     string
		ins      sseIns
		mxcsr    uint32
		a, b     vec
		code     int
		wantMX   uint32
		eflagsCF bool
	}{
		// 1/0 with ZE unmasked: #XM, FPE_FLTDIV, ZE recorded, no result.
		{"divss ZE", ins(x86asm.DIVSS, 0xf3, 0x0f, 0x5e, 0xc1), defaultMXCSR &^ 0x200,
			f32x4(1, 0, 0, 0), vec{}, linux.FPE_FLTDIV, defaultMXCSR&^0x200 | 0x04, false},
		// 1/3 with PE unmasked: FPE_FLTRES.
		{"divps PE", ins(x86asm.DIVPS, 0x0f, 0x5e, 0xc1), defaultMXCSR &^ 0x1000,
			f32x4(1, 1, 1, 1), f32x4(3, 1, 1, 1), linux.FPE_FLTRES, defaultMXCSR&^0x1000 | 0x20, false},
		// A masked IE in lane 0 and an unmasked DE in lane 1: both
		// pre-computation flags are recorded, the PE of lane 2 is not.
		{"addps DE unmasked", ins(x86asm.ADDPS, 0x0f, 0x58, 0xc1), defaultMXCSR &^ 0x100,
			vec{0x00000001_7f800001, f32(1)}, vec{f32(1) | f32(1)<<32, f32(0x1p-30)}, linux.FPE_FLTUND, defaultMXCSR&^0x100 | 0x03, false},
		// Unmasked UE: the exact tiny product 2^-127 still signals.
		{"mulss UE", ins(x86asm.MULSS, 0xf3, 0x0f, 0x59, 0xc1), defaultMXCSR &^ 0x800,
			vec{0x00800000}, f32x4(0.5, 0, 0, 0), linux.FPE_FLTUND, defaultMXCSR&^0x800 | 0x10, false},
		// Unmasked overflow of the exact 2^128 - 2^104 times 2: OE without PE
		// (PE reports the rounding of the unbounded-exponent result).
		{"mulss OE", ins(x86asm.MULSS, 0xf3, 0x0f, 0x59, 0xc1), defaultMXCSR &^ 0x400,
			vec{0x7f7fffff}, f32x4(2, 0, 0, 0), linux.FPE_FLTOVF, defaultMXCSR&^0x400 | 0x08, false},
		// COMISS with IE unmasked on a QNaN leaves EFLAGS alone.
		{"comiss IE", ins(x86asm.COMISS, 0x0f, 0x2f, 0xc1), defaultMXCSR &^ 0x80,
			vec{0x7fc00000}, vec{}, linux.FPE_FLTINV, defaultMXCSR&^0x80 | 0x01, true},
		// A conversion out of range with IE unmasked.
		{"cvttss2si IE", ins(x86asm.CVTTSS2SI, 0xf3, 0x0f, 0x2c, 0xc1), defaultMXCSR &^ 0x80,
			vec{}, vec{f32(1e20)}, linux.FPE_FLTINV, defaultMXCSR&^0x80 | 0x01, false},
	}
	for _, tc := range cases {
		code := asmBytes([]byte{0xf9}, sseProg(t, tc.ins)) // stc first
		c, exit := runCodeExit(t, code, func(c *CPU) {
			c.X[0], c.X[1], c.mxcsr, c.R[1] = tc.a, tc.b, tc.mxcsr, 0x1234
		})
		if c.RIP != codeBase+1 || exit.Signal != linux.SIGFPE || c.trap.kind != trapSIMD || c.trap.code != tc.code {
			t.Errorf("%s: stopped at %#x with %+v, trap %+v; want SIGFPE code %d at %#x", tc.name, c.RIP, exit, c.trap, tc.code, codeBase+1)
		}
		if c.X[0] != tc.a || c.R[1] != 0x1234 || c.mxcsr != tc.wantMX {
			t.Errorf("%s: xmm0 %x rcx %#x mxcsr %#x, want %x unchanged and mxcsr %#x", tc.name, c.X[0], c.R[1], c.mxcsr, tc.a, tc.wantMX)
		}
		if tc.eflagsCF && !c.cf() {
			t.Errorf("%s: EFLAGS changed", tc.name)
		}
	}
}

func TestMMXFormsAreUndefined(t *testing.T) {
	for _, ins := range []sseIns{
		ins(x86asm.PADDB, 0x0f, 0xfc, 0xc1),           // paddb mm0, mm1
		ins(x86asm.MOVQ, 0x0f, 0x6f, 0xc1),            // movq mm0, mm1
		ins(x86asm.CVTPI2PS, 0x0f, 0x2a, 0xc1),        // cvtpi2ps xmm0, mm1
		ins(x86asm.CVTPI2PD, 0x66, 0x0f, 0x2a, 0x00),  // cvtpi2pd xmm0, [rax]
		ins(x86asm.PSHUFW, 0x0f, 0x70, 0xc1, 0),       // pshufw mm0, mm1, 0
		ins(x86asm.PMOVMSKB, 0x0f, 0xd7, 0xc1),        // pmovmskb eax, mm1
		ins(x86asm.MOVQ2DQ, 0xf3, 0x0f, 0xd6, 0xc1),   // movq2dq xmm0, mm1
		ins(x86asm.PEXTRW, 0x0f, 0xc5, 0xc1, 1),       // pextrw eax, mm1, 1
		ins(x86asm.PMULUDQ, 0x0f, 0xf4, 0xc1),         // pmuludq mm0, mm1
		ins(x86asm.MASKMOVQ, 0x0f, 0xf7, 0xc1),        // maskmovq mm0, mm1
		ins(x86asm.CVTTPD2PI, 0x66, 0x0f, 0x2c, 0xc1), // cvttpd2pi mm0, xmm1
		ins(x86asm.MOVD, 0x0f, 0x6e, 0xc0),            // movd mm0, eax
		ins(x86asm.PSRLQ, 0x0f, 0x73, 0xd0, 3),        // psrlq mm0, 3
		ins(x86asm.PUNPCKLBW, 0x0f, 0x60, 0xc1),       // punpcklbw mm0, mm1
		ins(x86asm.MOVNTQ, 0x0f, 0xe7, 0x00),          // movntq [rax], mm0
	} {
		_, exit := runTrap(t, sseProg(t, ins), func(c *CPU) { c.R[0] = dataBase })
		if exit.Signal != linux.SIGILL {
			t.Errorf("% x: %+v, want SIGILL", ins.b, exit)
		}
		unimpl := ins.b[2] == 0x3a
		if got := len(exit.Reason) > 13 && exit.Reason[:13] == "unimplemente"+"d"; got != unimpl {
			t.Errorf("% x: reason %q (unimplemented %v)", ins.b, exit.Reason, unimpl)
		}
	}
}

func TestByteSigns(t *testing.T) {
	for _, tc := range []struct{ v, want uint64 }{
		{0, 0}, {^uint64(0), 0xff}, {0x8000000000000080, 0x81}, {0x7f7f7f7f7f7f7f7f, 0}, {0x0080008000800080, 0x55},
	} {
		if got := byteSigns(tc.v); got != tc.want {
			t.Errorf("byteSigns(%#x) = %#x, want %#x", tc.v, got, tc.want)
		}
	}
}

func TestSSETablesDisjoint(t *testing.T) {
	n := 0
	merged := map[x86asm.Op]bool{}
	for _, tab := range sseTables {
		n += len(tab)
		for _, e := range tab {
			merged[e.op] = true
		}
	}
	if n != len(merged) {
		t.Errorf("the SSE tables hold %d entries but merge into %d: an op is in two of them", n, len(merged))
	}
}

func TestSSETableComplete(t *testing.T) {
	// Every SSE/SSE2 mnemonic the brief lists has a handler.
	for _, op := range []x86asm.Op{
		x86asm.MOVAPS, x86asm.MOVAPD, x86asm.MOVDQA, x86asm.MOVUPS, x86asm.MOVUPD, x86asm.MOVDQU,
		x86asm.MOVSS, x86asm.MOVSD_XMM, x86asm.MOVD, x86asm.MOVQ, x86asm.MOVLPS, x86asm.MOVHPS,
		x86asm.MOVLPD, x86asm.MOVHPD, x86asm.MOVHLPS, x86asm.MOVLHPS, x86asm.MOVMSKPS, x86asm.MOVMSKPD,
		x86asm.PMOVMSKB, x86asm.MOVNTPS, x86asm.MOVNTPD, x86asm.MOVNTDQ, x86asm.MASKMOVDQU,
		x86asm.LDMXCSR, x86asm.STMXCSR, x86asm.PADDB, x86asm.PADDW, x86asm.PADDD, x86asm.PADDQ,
		x86asm.PSUBB, x86asm.PSUBW, x86asm.PSUBD, x86asm.PSUBQ, x86asm.PADDSB, x86asm.PADDSW,
		x86asm.PADDUSB, x86asm.PADDUSW, x86asm.PSUBSB, x86asm.PSUBSW, x86asm.PSUBUSB, x86asm.PSUBUSW,
		x86asm.PMULLW, x86asm.PMULHW, x86asm.PMULHUW, x86asm.PMULUDQ, x86asm.PMADDWD, x86asm.PAVGB,
		x86asm.PAVGW, x86asm.PMINUB, x86asm.PMAXUB, x86asm.PMINSW, x86asm.PMAXSW, x86asm.PSADBW,
		x86asm.PCMPEQB, x86asm.PCMPEQW, x86asm.PCMPEQD, x86asm.PCMPGTB, x86asm.PCMPGTW, x86asm.PCMPGTD,
		x86asm.PAND, x86asm.PANDN, x86asm.POR, x86asm.PXOR, x86asm.PSLLW, x86asm.PSLLD, x86asm.PSLLQ,
		x86asm.PSRLW, x86asm.PSRLD, x86asm.PSRLQ, x86asm.PSRAW, x86asm.PSRAD, x86asm.PSLLDQ, x86asm.PSRLDQ,
		x86asm.PACKSSWB, x86asm.PACKSSDW, x86asm.PACKUSWB, x86asm.PUNPCKLBW, x86asm.PUNPCKLWD,
		x86asm.PUNPCKLDQ, x86asm.PUNPCKLQDQ, x86asm.PUNPCKHBW, x86asm.PUNPCKHWD, x86asm.PUNPCKHDQ,
		x86asm.PUNPCKHQDQ, x86asm.PSHUFD, x86asm.PSHUFLW, x86asm.PSHUFHW, x86asm.PEXTRW, x86asm.PINSRW,
		x86asm.ADDPS, x86asm.ADDSS, x86asm.ADDPD, x86asm.ADDSD, x86asm.SUBPS, x86asm.SUBSS, x86asm.SUBPD,
		x86asm.SUBSD, x86asm.MULPS, x86asm.MULSS, x86asm.MULPD, x86asm.MULSD, x86asm.DIVPS, x86asm.DIVSS,
		x86asm.DIVPD, x86asm.DIVSD, x86asm.SQRTPS, x86asm.SQRTSS, x86asm.SQRTPD, x86asm.SQRTSD,
		x86asm.MINPS, x86asm.MINSS, x86asm.MINPD, x86asm.MINSD, x86asm.MAXPS, x86asm.MAXSS, x86asm.MAXPD,
		x86asm.MAXSD, x86asm.RCPPS, x86asm.RCPSS, x86asm.RSQRTPS, x86asm.RSQRTSS, x86asm.ANDPS,
		x86asm.ANDPD, x86asm.ANDNPS, x86asm.ANDNPD, x86asm.ORPS, x86asm.ORPD, x86asm.XORPS, x86asm.XORPD,
		x86asm.CMPPS, x86asm.CMPPD, x86asm.CMPSS, x86asm.CMPSD_XMM, x86asm.COMISS, x86asm.COMISD,
		x86asm.UCOMISS, x86asm.UCOMISD, x86asm.SHUFPS, x86asm.SHUFPD, x86asm.UNPCKLPS, x86asm.UNPCKHPS,
		x86asm.UNPCKLPD, x86asm.UNPCKHPD, x86asm.CVTSI2SS, x86asm.CVTSI2SD, x86asm.CVTSS2SI,
		x86asm.CVTSD2SI, x86asm.CVTTSS2SI, x86asm.CVTTSD2SI, x86asm.CVTSS2SD, x86asm.CVTSD2SS,
		x86asm.CVTPS2PD, x86asm.CVTPD2PS, x86asm.CVTDQ2PS, x86asm.CVTDQ2PD, x86asm.CVTPS2DQ,
		x86asm.CVTTPS2DQ, x86asm.CVTPD2DQ, x86asm.CVTTPD2DQ,
	} {
		if info, ok := lookupOp(op); !ok || !info.sse {
			t.Errorf("%v: no SSE handler", op)
		}
	}
}

// BenchmarkSSELoop runs a loop of scalar double arithmetic and the byte
// compare/mask pair string functions use; ns/op is per loop iteration
// (6 instructions).
func BenchmarkSSELoop(b *testing.B) {
	code := []byte{
		0xf2, 0x0f, 0x58, 0xc1, // addsd xmm0, xmm1
		0xf2, 0x0f, 0x59, 0xc2, // mulsd xmm0, xmm2
		0x66, 0x0f, 0x74, 0xdc, // pcmpeqb xmm3, xmm4
		0x66, 0x0f, 0xd7, 0xc3, // pmovmskb eax, xmm3
		0xff, 0xc9, // dec ecx
		0x75, 0xec, // jnz loop
		0xf4,
	}
	mem := mmu.NewSpace()
	b.Cleanup(func() { mem.Close() })
	if _, err := mem.Map(mmu.Mapping{Addr: codeBase, Length: mmu.PageSize, Perm: mmu.PermRead | mmu.PermExec, Fixed: true}); err != nil {
		b.Fatal(err)
	}
	if err := mem.Poke(code, codeBase); err != nil {
		b.Fatal(err)
	}
	c := New(Config{Mem: mem})
	c.RIP = codeBase
	c.R[1] = uint64(b.N)
	c.X[0], c.X[1], c.X[2] = vec{f64(1)}, vec{f64(1e-9)}, vec{f64(0.999999)}
	b.ResetTimer()
	exit := c.Run()
	if exit.Reason != "general protection fault" || c.R[1] != 0 {
		b.Fatalf("run ended with %+v, rcx %d", exit, c.R[1])
	}
}
