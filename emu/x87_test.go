// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package emu

import (
	"bytes"
	"encoding/binary"
	"testing"

	"gemu/internal/abi/linux"
	"gemu/internal/f80"

	"golang.org/x/arch/x86/x86asm"
)

// Expected values are worked out by hand from the Intel SDM (vol. 1 ch. 8,
// vol. 2 instruction pages); testguests/c/insn_x87.c compares every form
// with the host CPU.

// x87Ins is one encoded instruction and the op x86asm must decode it to,
// which guards the hand-written encodings.
type x87Ins struct {
	op x86asm.Op
	b  []byte
}

func xi(op x86asm.Op, b ...byte) x87Ins { return x87Ins{op, b} }

// xm encodes op /reg with an absolute 32-bit address (ModRM 00 reg 100,
// SIB 25: no base, no index).
func xm(op x86asm.Op, opc byte, reg byte, addr uint32) x87Ins {
	b := []byte{opc, 0x04 | reg<<3, 0x25, 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(b[3:], addr)
	return x87Ins{op, b}
}

// x87Prog concatenates the instructions and a final hlt.
func x87Prog(t *testing.T, is ...x87Ins) []byte {
	t.Helper()
	var code []byte
	for _, i := range is {
		d, err := x86asm.Decode(i.b, 64)
		if err != nil || d.Op != i.op || d.Len != len(i.b) {
			t.Fatalf("% x decodes to %v (len %d, err %v), want %v", i.b, d.Op, d.Len, err, i.op)
		}
		code = append(code, i.b...)
	}
	return append(code, 0xf4)
}

func x87Poke(t *testing.T, c *CPU, addr uint64, b []byte) {
	t.Helper()
	if _, err := c.mem.WriteAt(b, addr); err != nil {
		t.Fatal(err)
	}
}

func x87Peek(t *testing.T, c *CPU, addr uint64, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := c.mem.ReadAt(b, addr); err != nil {
		t.Fatal(err)
	}
	return b
}

func u64le(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
func u16le(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }

// Common instructions.
var (
	fld1    = xi(x86asm.FLD1, 0xd9, 0xe8)
	fldz    = xi(x86asm.FLDZ, 0xd9, 0xee)
	fldpi   = xi(x86asm.FLDPI, 0xd9, 0xeb)
	fnstswA = xi(x86asm.FNSTSW, 0xdf, 0xe0)
	d       = uint32(dataBase)
)

var (
	one     = f80.F80{Mant: 1 << 63, SE: 0x3fff}
	two     = f80.F80{Mant: 1 << 63, SE: 0x4000}
	piRN    = f80.F80{Mant: 0xc90fdaa22168c235, SE: 0x4000}
	posZero = f80.F80{}
	indef   = f80.F80{Mant: 0xc000000000000000, SE: 0xffff}
)

func TestX87InitialState(t *testing.T) {
	c := runCode(t, []byte{0xf4}, nil)
	f := &c.fpu
	if f.cw != 0x037f || f.status() != 0 || f.tagWord() != 0xffff || c.mxcsr != 0x1f80 {
		t.Fatalf("cw %#x sw %#x tw %#x mxcsr %#x", f.cw, f.status(), f.tagWord(), c.mxcsr)
	}
	// The FXSAVE image of a new process: FCW, MXCSR and its mask, zeros.
	b := bytes.Repeat([]byte{0xaa}, 512)
	c.FXSave(b)
	want := make([]byte, 416)
	want[0], want[1] = 0x7f, 0x03
	want[24], want[25] = 0x80, 0x1f
	want[28], want[29] = 0xff, 0xff
	if !bytes.Equal(b[:416], want) || !bytes.Equal(b[416:], bytes.Repeat([]byte{0xaa}, 96)) {
		t.Fatalf("fxsave image\n% x", b)
	}
}

func TestX87StackAndTags(t *testing.T) {
	// fld1; fldz; fldpi: TOP = 5, ST0 = π, ST1 = +0, ST2 = 1. Tags by
	// physical register: R7 = 1 valid (00), R6 = zero (01), R5 = π valid
	// (00), R0-R4 empty (11): 0b00_01_00_11_11_11_11_11 = 0x13ff.
	c := runCode(t, x87Prog(t, fld1, fldz, fldpi), nil)
	f := &c.fpu
	if f.top != 5 || f.tagWord() != 0x13ff {
		t.Fatalf("top %d tw %#x", f.top, f.tagWord())
	}
	for i, w := range []f80.F80{piRN, posZero, one} {
		if g := f.get(uint8(i)); g != w {
			t.Errorf("st%d = %v, want %v", i, g, w)
		}
	}

	// fxch st2 swaps π and 1; fincstp rotates without freeing; ffree st1
	// (now R7... after fincstp ST1 is R7) empties it; fdecstp rotates back.
	c = runCode(t, x87Prog(t, fld1, fldz, fldpi,
		xi(x86asm.FXCH, 0xd9, 0xca),
		xi(x86asm.FINCSTP, 0xd9, 0xf7),
		xi(x86asm.FFREE, 0xdd, 0xc1),
		xi(x86asm.FDECSTP, 0xd9, 0xf6)), nil)
	f = &c.fpu
	if f.top != 5 || f.get(0) != one || f.get(2) != piRN || f.full != 1<<5|1<<6 {
		t.Fatalf("top %d st0 %v st2 %v full %#x", f.top, f.get(0), f.get(2), f.full)
	}

	// faddp st1, st0: 1 + π into ST1, pop.
	c = runCode(t, x87Prog(t, fld1, fldpi, xi(x86asm.FADDP, 0xde, 0xc1)), nil)
	f = &c.fpu
	// 1 + π: (1 + 0xC90FDAA22168C235·2^-62)/4 = 0x8487ED5110B4611A.8 × 2^-63,
	// exactly half way: RN keeps the even significand, PE, C1 = 0.
	if want := (f80.F80{Mant: 0x8487ed5110b4611a, SE: 0x4001}); f.top != 7 || f.get(0) != want || f.full != 0x80 {
		t.Fatalf("top %d st0 %v full %#x, want %v", f.top, f.get(0), f.full, want)
	}
	if f.sw != swPE {
		t.Errorf("sw %#x: want PE only", f.sw)
	}
}

func TestX87StackFaults(t *testing.T) {
	loads := make([]x87Ins, 9)
	for i := range loads {
		loads[i] = fld1
	}
	// Masked overflow: the ninth load pushes the indefinite, IE|SF|C1.
	c := runCode(t, x87Prog(t, loads...), nil)
	f := &c.fpu
	if f.get(0) != indef || f.top != 7 || f.sw != swIE|swSF|swC1 {
		t.Fatalf("st0 %v top %d sw %#x", f.get(0), f.top, f.sw)
	}
	// Masked underflow: fadd st0, st1 with only ST0 loaded: ST0 becomes
	// the indefinite, IE|SF with C1 = 0.
	c = runCode(t, x87Prog(t, fld1, xi(x86asm.FADD, 0xd8, 0xc1)), nil)
	f = &c.fpu
	if f.get(0) != indef || f.sw != swIE|swSF {
		t.Fatalf("underflow: st0 %v sw %#x", f.get(0), f.sw)
	}
	// Unmasked (FLDCW 0x037e): the stack is left alone, ES and B are set,
	// and the next waiting instruction (fld1 here) raises SIGFPE with
	// FPE_FLTINV without executing.
	code := x87Prog(t, append([]x87Ins{xm(x86asm.FLDCW, 0xd9, 5, d)}, append(loads, fld1)...)...)
	c, exit := runCodeExit(t, code, func(c *CPU) { x87Poke(t, c, dataBase, u16le(0x037e)) })
	f = &c.fpu
	ninth := uint64(codeBase + 7 + 2*9)
	if exit.Signal != linux.SIGFPE || c.RIP != ninth || c.trap.code != linux.FPE_FLTINV {
		t.Fatalf("exit %+v rip %#x code %d, want SIGFPE at %#x", exit, c.RIP, c.trap.code, ninth)
	}
	if f.top != 0 || f.full != 0xff || f.get(0) != one || f.status() != swB|swES|swIE|swSF|swC1 {
		t.Fatalf("top %d full %#x st0 %v sw %#x", f.top, f.full, f.get(0), f.status())
	}
}

func TestX87DeferredException(t *testing.T) {
	// Unmask ZE; 1/0 leaves ST0 alone and sets ZE, ES, B; FNSTSW does not
	// wait; FNCLEX clears the exception so the next FLD1 runs; the second
	// 1/0 is reported at FWAIT with FPE_FLTDIV.
	fdiv := xi(x86asm.FDIV, 0xd8, 0xf1) // fdiv st0, st1
	code := x87Prog(t,
		xm(x86asm.FLDCW, 0xd9, 5, d),
		fldz, fld1, fdiv, fnstswA,
		xi(x86asm.FNCLEX, 0xdb, 0xe2),
		fld1, xi(x86asm.FDIV, 0xd8, 0xf2), // fdiv st0, st2: 1/0 again
		xi(x86asm.FWAIT, 0x9b),
	)
	c, exit := runCodeExit(t, code, func(c *CPU) { x87Poke(t, c, dataBase, u16le(0x037b)) })
	wait := uint64(codeBase + len(code) - 2)
	if exit.Signal != linux.SIGFPE || c.RIP != wait || c.trap.code != linux.FPE_FLTDIV {
		t.Fatalf("exit %+v rip %#x code %d, want SIGFPE at %#x", exit, c.RIP, c.trap.code, wait)
	}
	// AX holds the status word after the first division: B, ES, ZE,
	// TOP = 6.
	if ax := c.R[0] & 0xffff; ax != swB|6<<11|swES|swZE {
		t.Errorf("fnstsw ax = %#x", ax)
	}
	if f := &c.fpu; f.get(0) != one || f.top != 5 {
		t.Errorf("st0 %v top %d: the unmasked division must not write", f.get(0), f.top)
	}
	// FLDCW that unmasks a flag already set makes it pending.
	code = x87Prog(t, fldz, fld1, fdiv, xm(x86asm.FLDCW, 0xd9, 5, d), fld1)
	c, exit = runCodeExit(t, code, func(c *CPU) { x87Poke(t, c, dataBase, u16le(0x037b)) })
	if exit.Signal != linux.SIGFPE || c.RIP != uint64(codeBase+len(code)-3) {
		t.Fatalf("after fldcw: exit %+v rip %#x", exit, c.RIP)
	}
}

func TestX87Compares(t *testing.T) {
	fcom := xi(x86asm.FCOM, 0xd8, 0xd1)   // fcom st1
	fucom := xi(x86asm.FUCOM, 0xdd, 0xe1) // fucom st1
	fcomi := xi(x86asm.FCOMI, 0xdb, 0xf1) // fcomi st0, st1
	qnan := f80.F80{Mant: 0xc000000000000000, SE: 0x7fff}
	fldMem := xm(x86asm.FLD, 0xdb, 5, d)     // fld tword [d]
	fldMem2 := xm(x86asm.FLD, 0xdb, 5, d+16) // fld tword [d+16]
	for _, tc := range []struct {
		name   string
		op     x87Ins
		st0    f80.F80 // loaded second
		st1    f80.F80
		sw     uint16 // status word without TOP
		rflags uint64 // arithmetic flags, for FCOMI
	}{
		{"1<2", fcom, one, two, swC0, 0},
		{"2>1", fcom, two, one, 0, 0},
		{"1=1", fcom, one, one, swC3, 0},
		{"+0=-0", fcom, posZero, posZero.Neg(), swC3, 0},
		{"nan", fcom, qnan, one, swC3 | swC2 | swC0 | swIE, 0},
		{"fucom nan", fucom, qnan, one, swC3 | swC2 | swC0, 0},
		{"fcomi 1<2", fcomi, one, two, 0, flagCF},
		{"fcomi 1=1", fcomi, one, one, 0, flagZF},
		{"fcomi 2>1", fcomi, two, one, 0, 0},
		{"fcomi nan", fcomi, qnan, one, swIE, flagZF | flagPF | flagCF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Start from SF, OF, AF set: FCOMI clears them.
			code := x87Prog(t, xi(x86asm.PUSH, 0x6a, 0x7f), xi(x86asm.POPFQ, 0x9d), fldMem2, fldMem, tc.op)
			c := runCode(t, code, func(c *CPU) {
				b1, b0 := tc.st1.Bytes(), tc.st0.Bytes()
				x87Poke(t, c, dataBase+16, b1[:])
				x87Poke(t, c, dataBase, b0[:])
			})
			if sw := c.fpu.sw; sw != tc.sw {
				t.Errorf("sw %#x, want %#x", sw, tc.sw)
			}
			if tc.op.op == x86asm.FCOMI {
				if fl := c.getFlags() & arithFlags; fl != tc.rflags {
					t.Errorf("rflags %#x, want %#x", fl, tc.rflags)
				}
			}
		})
	}
}

func TestX87Fxam(t *testing.T) {
	fxam := xi(x86asm.FXAM, 0xd9, 0xe5)
	fldMem := xm(x86asm.FLD, 0xdb, 5, d)
	for _, tc := range []struct {
		v  f80.F80
		cc uint16 // C3 C2 C1 C0
	}{
		{posZero, swC3},
		{posZero.Neg(), swC3 | swC1},
		{one, swC2},
		{one.Neg(), swC2 | swC1},
		{f80.Inf(false), swC2 | swC0},
		{f80.Inf(true), swC2 | swC1 | swC0},
		{f80.F80{Mant: 0xc000000000000000, SE: 0x7fff}, swC0},
		{f80.F80{Mant: 1, SE: 0}, swC3 | swC2},                                // denormal
		{f80.F80{Mant: 1 << 63, SE: 0}, swC3 | swC2},                          // pseudo-denormal
		{f80.F80{Mant: 0x4000000000000000, SE: 0x4000}, 0},                    // unnormal
		{f80.F80{Mant: 0x4000000000000000, SE: 0x7fff}, 0},                    // pseudo-NaN
		{f80.F80{Mant: 0x4000000000000000, SE: 0xffff}, swC1},                 // negative pseudo-NaN
		{f80.F80{Mant: 0x8000000000000001, SE: 0x7fff | 0x8000}, swC1 | swC0}, // -SNaN
	} {
		c := runCode(t, x87Prog(t, fldMem, fxam), func(c *CPU) {
			b := tc.v.Bytes()
			x87Poke(t, c, dataBase, b[:])
		})
		if cc := c.fpu.sw & swCC; cc != tc.cc {
			t.Errorf("fxam %v: cc %#x, want %#x", tc.v, cc, tc.cc)
		}
	}
	// An empty ST0 gives C3 C0 = 1 0 1 with the sign of the stale content:
	// fld1; fchs; ffree st0 leaves -1 behind.
	c := runCode(t, x87Prog(t, fld1, xi(x86asm.FCHS, 0xd9, 0xe0), xi(x86asm.FFREE, 0xdd, 0xc0), fxam), nil)
	if cc := c.fpu.sw & swCC; cc != swC3|swC1|swC0 {
		t.Errorf("fxam empty: cc %#x", cc)
	}
}

func TestX87PrecisionAndRounding(t *testing.T) {
	// 1/3 under each precision control, and FIST of 2.5 under each
	// rounding control.
	third := []f80.F80{
		{Mant: 0xaaaaab0000000000, SE: 0x3ffd}, // PC 24 bits: the dropped bits are 1010… > ½, round up
		{Mant: 0xaaaaaaaaaaaaa800, SE: 0x3ffd}, // PC 53 bits: dropped bits 0101… < ½
		{Mant: 0xaaaaaaaaaaaaaaab, SE: 0x3ffd}, // PC 64 bits: round up
	}
	for i, cw := range []uint16{0x007f, 0x027f, 0x037f} {
		code := x87Prog(t, xm(x86asm.FLDCW, 0xd9, 5, d), fld1, xm(x86asm.FIDIV, 0xde, 6, d+8))
		c := runCode(t, code, func(c *CPU) {
			x87Poke(t, c, dataBase, u16le(cw))
			x87Poke(t, c, dataBase+8, u16le(3))
		})
		if g := c.fpu.get(0); g != third[i] {
			t.Errorf("cw %#x: 1/3 = %v, want %v", cw, g, third[i])
		}
	}
	// 2.5 → RN 2 (tie to even), RD 2, RU 3, RZ 2; -2.5 → -2, -3, -2, -2.
	for _, tc := range []struct {
		rc        uint16
		pos, neg  int16
		posC1, n1 bool
	}{
		{0, 2, -2, false, false}, {1, 2, -3, false, true}, {2, 3, -2, true, false}, {3, 2, -2, false, false},
	} {
		code := x87Prog(t, xm(x86asm.FLDCW, 0xd9, 5, d), xm(x86asm.FLD, 0xdd, 0, d+8), xm(x86asm.FIST, 0xdf, 2, d+16),
			xi(x86asm.FCHS, 0xd9, 0xe0), xm(x86asm.FISTP, 0xdf, 3, d+24))
		c := runCode(t, code, func(c *CPU) {
			x87Poke(t, c, dataBase, u16le(0x037f|tc.rc<<10))
			x87Poke(t, c, dataBase+8, u64le(0x4004000000000000)) // 2.5
		})
		pos := int16(binary.LittleEndian.Uint16(x87Peek(t, c, dataBase+16, 2)))
		neg := int16(binary.LittleEndian.Uint16(x87Peek(t, c, dataBase+24, 2)))
		if pos != tc.pos || neg != tc.neg || c.fpu.sw&swC1 != 0 == !tc.n1 || c.fpu.top != 0 {
			t.Errorf("rc %d: %d %d sw %#x top %d", tc.rc, pos, neg, c.fpu.sw, c.fpu.top)
		}
	}
}

func TestX87Constants(t *testing.T) {
	// FLDPI is π rounded by RC: …C234C4C6… rounds up to …C235 only for RN and RU.
	for rc, m := range []uint64{0xc90fdaa22168c235, 0xc90fdaa22168c234, 0xc90fdaa22168c235, 0xc90fdaa22168c234} {
		code := x87Prog(t, xm(x86asm.FLDCW, 0xd9, 5, d), fldpi)
		c := runCode(t, code, func(c *CPU) { x87Poke(t, c, dataBase, u16le(0x037f|uint16(rc)<<10)) })
		if g := c.fpu.get(0); g != (f80.F80{Mant: m, SE: 0x4000}) || c.fpu.sw != 0 {
			t.Errorf("rc %d: fldpi %v sw %#x", rc, g, c.fpu.sw)
		}
	}
}

func TestX87Environment(t *testing.T) {
	// fld1; fldz; FNSTENV [d]: the 28-byte image, then every exception
	// masked. FIP is the fldz (the last non-control instruction) and FOP
	// its opcode: (D9 & 7) << 8 | EE = 0x1ee.
	code := x87Prog(t, xm(x86asm.FLDCW, 0xd9, 5, d+64), fld1, fldz, xm(x86asm.FNSTENV, 0xd9, 6, d))
	c := runCode(t, code, func(c *CPU) { x87Poke(t, c, dataBase+64, u16le(0x0360)) })
	env := x87Peek(t, c, dataBase, 28)
	le := binary.LittleEndian
	fldzPC := uint32(codeBase + 7 + 2)
	want := []uint32{0xffff0360, 0xffff3000, 0xffff1fff, fldzPC, 0x01ee0033, 0, 0xffff0000}
	for i, w := range want {
		if g := le.Uint32(env[4*i:]); g != w {
			t.Errorf("env word %d = %#x, want %#x", i, g, w)
		}
	}
	if c.fpu.cw != 0x037f {
		t.Errorf("cw after fnstenv %#x", c.fpu.cw)
	}
	// FLDENV reads the tags back: only "empty" matters; the rest is
	// recomputed from the registers.
	code = x87Prog(t, fld1, fldz, xm(x86asm.FNSTENV, 0xd9, 6, d), xm(x86asm.FLDENV, 0xd9, 4, d+32))
	c = runCode(t, code, func(c *CPU) {
		var e [28]byte
		e[0], e[1] = 0x7f, 0x03
		e[5] = 0x30                 // TOP = 6
		le.PutUint16(e[8:], 0x0fff) // R6, R7 "valid"
		x87Poke(t, c, dataBase+32, e[:])
	})
	if c.fpu.full != 0xc0 || c.fpu.tagWord() != 0x1fff {
		t.Errorf("fldenv: full %#x tw %#x", c.fpu.full, c.fpu.tagWord())
	}
}

func TestX87FxsaveLayout(t *testing.T) {
	// fldpi; fldz; fld qword [d+608] (1.0); 1/0 with ZE unmasked (pending);
	// FXSAVE64 with XMM1 and XMM15 set.
	fxsave64 := x87Ins{x86asm.FXSAVE64, []byte{0x48, 0x0f, 0xae, 0x04, 0x25, 0, 0, 0x60, 0}}
	fxrstor := x87Ins{x86asm.FXRSTOR, []byte{0x0f, 0xae, 0x0c, 0x25, 0, 0, 0x60, 0}}
	code := x87Prog(t, xm(x86asm.FLDCW, 0xd9, 5, d+600), fldpi, fldz, xm(x86asm.FLD, 0xdd, 0, d+608),
		xi(x86asm.FDIV, 0xd8, 0xf1), fxsave64)
	c := runCode(t, code, func(c *CPU) {
		x87Poke(t, c, dataBase+600, u16le(0x037b))
		x87Poke(t, c, dataBase+608, u64le(0x3ff0000000000000))
		c.X[1] = [2]uint64{0x0102030405060708, 0x1112131415161718}
		c.X[15] = [2]uint64{0xa1, 0xb2}
	})
	b := x87Peek(t, c, dataBase, 512)
	le := binary.LittleEndian
	fdivPC := uint64(codeBase + 7 + 2 + 2 + 7)
	checks := []struct {
		name      string
		off, size int
		want      uint64
	}{
		{"fcw", 0, 2, 0x037b},
		{"fsw", 2, 2, swB | 5<<11 | swES | swZE},
		{"ftw", 4, 1, 0xe0},
		{"fop", 6, 2, 0x0f1},
		{"fip", 8, 8, fdivPC},
		{"fdp", 16, 8, uint64(dataBase + 608)},
		{"mxcsr", 24, 4, 0x1f80},
		{"mxcsr_mask", 28, 4, 0xffff},
		{"st0", 32, 8, 1 << 63},
		{"st0 exp", 40, 2, 0x3fff},
		{"st0 pad", 42, 6, 0},
		{"st1", 48, 8, 0},
		{"st1 exp", 56, 2, 0},
		{"st2", 64, 8, 0xc90fdaa22168c235},
		{"xmm1 lo", 176, 8, 0x0102030405060708},
		{"xmm1 hi", 184, 8, 0x1112131415161718},
		{"xmm15", 400, 8, 0xa1},
	}
	for _, ck := range checks {
		var g uint64
		for i := ck.size - 1; i >= 0; i-- {
			g = g<<8 | uint64(b[ck.off+i])
		}
		if g != ck.want {
			t.Errorf("%s = %#x, want %#x", ck.name, g, ck.want)
		}
	}

	// FXRSTOR of a modified image: new MXCSR and XMM0, ST0 = 2.
	code = x87Prog(t, fxrstor)
	c = runCode(t, code, func(c *CPU) {
		img := make([]byte, 512)
		img[0], img[1] = 0x7f, 0x03
		img[3] = 7 << 3 // TOP = 7
		img[4] = 0x80   // R7 valid
		le.PutUint32(img[24:], 0x7f80)
		le.PutUint64(img[32:], 1<<63)
		le.PutUint16(img[40:], 0x4000)
		le.PutUint64(img[160:], 42)
		x87Poke(t, c, dataBase, img)
	})
	if c.mxcsr != 0x7f80 || c.X[0][0] != 42 || c.fpu.get(0) != two || c.fpu.full != 0x80 {
		t.Errorf("fxrstor: mxcsr %#x xmm0 %#x st0 %v full %#x", c.mxcsr, c.X[0][0], c.fpu.get(0), c.fpu.full)
	}
	// A reserved MXCSR bit, or a misaligned area, raises #GP.
	_, exit := runCodeExit(t, code, func(c *CPU) { x87Poke(t, c, dataBase+24, u64le(0x10000)) })
	if exit.Reason != "general protection fault" || exit.PC != codeBase {
		t.Errorf("reserved mxcsr: %+v", exit)
	}
	misaligned := x87Ins{x86asm.FXSAVE, []byte{0x0f, 0xae, 0x04, 0x25, 8, 0, 0x60, 0}}
	_, exit = runCodeExit(t, x87Prog(t, misaligned), nil)
	if exit.Reason != "general protection fault" || exit.PC != codeBase {
		t.Errorf("misaligned fxsave: %+v", exit)
	}
}

func TestX87FXSaveAPI(t *testing.T) {
	c := runCode(t, x87Prog(t, fld1, fldpi), nil)
	img := make([]byte, 512)
	c.FXSave(img)
	c.fpu.init()
	c.mxcsr = 0
	if err := c.FXRstor(img); err != nil {
		t.Fatal(err)
	}
	if c.fpu.get(0) != piRN || c.fpu.get(1) != one || c.fpu.top != 6 || c.mxcsr != 0x1f80 {
		t.Errorf("round trip: st0 %v st1 %v top %d mxcsr %#x", c.fpu.get(0), c.fpu.get(1), c.fpu.top, c.mxcsr)
	}
	binary.LittleEndian.PutUint32(img[24:], 0xffffffff)
	if err := c.FXRstor(img); err == nil || c.mxcsr != 0x1f80 {
		t.Errorf("reserved MXCSR bits accepted: %v mxcsr %#x", err, c.mxcsr)
	}
}

func TestX87StoreFaultCommitsNothing(t *testing.T) {
	// FSTP m80 across into an unmapped page: nothing is written, nothing
	// popped. The data area is 64 KiB; its last 4 bytes are mapped.
	end := uint32(dataBase + 0x10000 - 4)
	code := x87Prog(t, fld1, xm(x86asm.FSTP, 0xdb, 7, end))
	c, exit := runCodeExit(t, code, nil)
	if exit.Signal != linux.SIGSEGV || c.fpu.top != 7 || c.fpu.full != 0x80 {
		t.Fatalf("exit %+v top %d full %#x", exit, c.fpu.top, c.fpu.full)
	}
	if b := x87Peek(t, c, uint64(end), 4); !bytes.Equal(b, make([]byte, 4)) {
		t.Errorf("partial store: % x", b)
	}
}

func TestX87Transcendental(t *testing.T) {
	fldMem := xm(x86asm.FLD, 0xdb, 5, d)
	for _, tc := range []struct {
		name string
		op   x87Ins
		in   f80.F80
		rc   uint16
		want f80.F80 // ST0 afterwards
		sw   uint16  // without TOP
	}{
		// sin(π rounded to 64 bits): the host reduces with the 66-bit
		// π P = 0x3243F6A8885A308D3 × 2^-64, and 4·0xC90FDAA22168C235 =
		// 0x3243F6A8885A308D4, so r = 2^-64 and sin = -sin(2^-64) ≈ -2^-64.
		{"fsin(pi) RN", xi(x86asm.FSIN, 0xd9, 0xfe), piRN, 0, f80.F80{Mant: 1 << 63, SE: 0xbfbf}, swPE | swC1},
		// RZ keeps the magnitude below 2^-64.
		{"fsin(pi) RZ", xi(x86asm.FSIN, 0xd9, 0xfe), piRN, 3, f80.F80{Mant: ^uint64(0), SE: 0xbfbe}, swPE},
		{"fcos(0)", xi(x86asm.FCOS, 0xd9, 0xff), posZero, 0, one, 0},
		{"fsin(-0)", xi(x86asm.FSIN, 0xd9, 0xfe), posZero.Neg(), 0, posZero.Neg(), 0},
		{"fsin(inf)", xi(x86asm.FSIN, 0xd9, 0xfe), f80.Inf(false), 0, indef, swIE},
		// Out of range: C2, operand unchanged.
		{"fsin(2^63)", xi(x86asm.FSIN, 0xd9, 0xfe), f80.F80{Mant: 1 << 63, SE: 0x403e}, 0, f80.F80{Mant: 1 << 63, SE: 0x403e}, swC2},
		// 2^-1 - 1 = -0.5 (the host raises PE anyway).
		{"f2xm1(-1)", xi(x86asm.F2XM1, 0xd9, 0xf0), one.Neg(), 0, f80.F80{Mant: 1 << 63, SE: 0xbffe}, swPE},
		{"f2xm1(-inf)", xi(x86asm.F2XM1, 0xd9, 0xf0), f80.Inf(true), 0, one.Neg(), 0},
		// Outside [-1, 1] the host returns the operand with PE.
		{"f2xm1(2)", xi(x86asm.F2XM1, 0xd9, 0xf0), two, 0, two, swPE},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code := x87Prog(t, xm(x86asm.FLDCW, 0xd9, 5, d+16), fldMem, tc.op)
			c := runCode(t, code, func(c *CPU) {
				b := tc.in.Bytes()
				x87Poke(t, c, dataBase, b[:])
				x87Poke(t, c, dataBase+16, u16le(0x037f|tc.rc<<10))
			})
			if g := c.fpu.get(0); g != tc.want || c.fpu.sw != tc.sw {
				t.Errorf("st0 %v sw %#x, want %v %#x", g, c.fpu.sw, tc.want, tc.sw)
			}
		})
	}
	// Two-operand ones: fld y; fld x; op.
	fldY := xm(x86asm.FLD, 0xdb, 5, d+32)
	for _, tc := range []struct {
		name string
		op   x87Ins
		x, y f80.F80
		want f80.F80
		sw   uint16
	}{
		// atan2(1, 1) = π/4: π's significand with the exponent of 0.5.
		{"fpatan(1,1)", xi(x86asm.FPATAN, 0xd9, 0xf3), one, one, f80.F80{Mant: 0xc90fdaa22168c235, SE: 0x3ffe}, swPE | swC1},
		{"fpatan(+0,-1)", xi(x86asm.FPATAN, 0xd9, 0xf3), one.Neg(), posZero, piRN, swPE | swC1},
		// 3·log2(2) = 3, exact, PE anyway.
		{"fyl2x(2,3)", xi(x86asm.FYL2X, 0xd9, 0xf1), two, f80.F80{Mant: 0xc000000000000000, SE: 0x4000}, f80.F80{Mant: 0xc000000000000000, SE: 0x4000}, swPE},
		// log2(1) = +0, no flags.
		{"fyl2x(1,3)", xi(x86asm.FYL2X, 0xd9, 0xf1), one, two, posZero, 0},
		// log2(0) with y finite: -∞ × sign(y), ZE.
		{"fyl2x(0,2)", xi(x86asm.FYL2X, 0xd9, 0xf1), posZero, two, f80.Inf(true), swZE},
		{"fyl2x(-1,2)", xi(x86asm.FYL2X, 0xd9, 0xf1), one.Neg(), two, indef, swIE},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code := x87Prog(t, fldY, fldMem, tc.op)
			c := runCode(t, code, func(c *CPU) {
				b := tc.x.Bytes()
				x87Poke(t, c, dataBase, b[:])
				b = tc.y.Bytes()
				x87Poke(t, c, dataBase+32, b[:])
			})
			if g := c.fpu.get(0); g != tc.want || c.fpu.sw != tc.sw || c.fpu.top != 7 {
				t.Errorf("st0 %v sw %#x top %d, want %v %#x", g, c.fpu.sw, c.fpu.top, tc.want, tc.sw)
			}
		})
	}
}
