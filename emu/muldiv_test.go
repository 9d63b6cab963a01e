package emu

import (
	"testing"

	"gemu/internal/abi/linux"
)

// Expected values are worked by hand from the SDM (MUL, IMUL, DIV, IDIV):
// products as exact integers split into halves; quotients truncated
// toward zero with the remainder taking the dividend's sign; #DE for a
// zero divisor or a quotient outside the destination's range.

func TestMulWide(t *testing.T) {
	const min64 = 1 << 63
	tests := []struct {
		name   string
		signed bool
		size   uint8
		a, b   uint64
		hi, lo uint64
		over   bool
	}{
		{"mul8 ff*ff", false, 1, 0xff, 0xff, 0xfe, 0x01, true},
		{"mul8 10*0f", false, 1, 0x10, 0x0f, 0x00, 0xf0, false},
		{"imul8 -128*-128", true, 1, 0x80, 0x80, 0x40, 0x00, true},
		{"imul8 -1*1", true, 1, 0xff, 0x01, 0xff, 0xff, false},
		{"imul16 -1*-32768", true, 2, 0xffff, 0x8000, 0x0000, 0x8000, true},
		{"mul32 ffffffff*ffffffff", false, 4, 0xffffffff, 0xffffffff, 0xfffffffe, 0x00000001, true},
		{"imul32 7fffffff*2", true, 4, 0x7fffffff, 2, 0, 0xfffffffe, true},
		{"imul32 -2*3", true, 4, 0xfffffffe, 3, 0xffffffff, 0xfffffffa, false},
		{"mul64 max*max", false, 8, ^uint64(0), ^uint64(0), ^uint64(1), 1, true},
		{"imul64 -1*-1", true, 8, ^uint64(0), ^uint64(0), 0, 1, false},
		{"imul64 2^62*2", true, 8, 1 << 62, 2, 0, min64, true},
		{"imul64 min*-1", true, 8, min64, ^uint64(0), 0, min64, true},
		{"imul64 min*1", true, 8, min64, 1, ^uint64(0), min64, false},
		{"imul64 -3*5", true, 8, ^uint64(2), 5, ^uint64(0), ^uint64(14), false},
	}
	for _, tc := range tests {
		hi, lo, over := mulWide(tc.signed, tc.size, tc.a, tc.b)
		if hi != tc.hi || lo != tc.lo || over != tc.over {
			t.Errorf("%s: got %#x:%#x over=%v, want %#x:%#x over=%v", tc.name, hi, lo, over, tc.hi, tc.lo, tc.over)
		}
	}
}

func TestDivide(t *testing.T) {
	const min64 = 1 << 63
	tests := []struct {
		name      string
		signed    bool
		size      uint8
		hi, lo, d uint64
		q, r      uint64
		ok        bool
	}{
		{"div8 256/2", false, 1, 0x01, 0x00, 2, 0x80, 0, true},
		{"div8 256/1 overflows", false, 1, 0x01, 0x00, 1, 0, 0, false},
		{"div8 by 0", false, 1, 0, 5, 0, 0, 0, false},
		{"div32 max", false, 4, 0xfffffffe, 0xffffffff, 0xffffffff, 0xffffffff, 0xfffffffe, true},
		{"div32 overflow", false, 4, 0xffffffff, 0, 0xffffffff, 0, 0, false},
		{"div64 2^64/2", false, 8, 1, 0, 2, min64, 0, true},
		{"div64 by 0", false, 8, 0, 1, 0, 0, 0, false},
		{"div64 hi==d", false, 8, 7, 0, 7, 0, 0, false},
		{"div64 17/5", false, 8, 0, 17, 5, 3, 2, true},
		{"idiv8 -128/-1", true, 1, 0xff, 0x80, 0xff, 0, 0, false},
		{"idiv8 -127/-1", true, 1, 0xff, 0x81, 0xff, 0x7f, 0, true},
		{"idiv8 -7/2", true, 1, 0xff, 0xf9, 2, 0xfd, 0xff, true},
		{"idiv8 7/-2", true, 1, 0x00, 0x07, 0xfe, 0xfd, 0x01, true},
		{"idiv8 -256/2", true, 1, 0xff, 0x00, 2, 0x80, 0, true},
		{"idiv8 -256/-1", true, 1, 0xff, 0x00, 0xff, 0, 0, false},
		{"idiv8 256/2 overflows", true, 1, 0x01, 0x00, 2, 0, 0, false},
		{"idiv16 -65536/2", true, 2, 0xffff, 0x0000, 2, 0x8000, 0, true},
		{"idiv32 2^31/-1", true, 4, 0, 0x80000000, 0xffffffff, 0x80000000, 0, true},
		{"idiv32 2^31/1 overflows", true, 4, 0, 0x80000000, 1, 0, 0, false},
		{"idiv32 by 0", true, 4, 0, 1, 0, 0, 0, false},
		{"idiv64 min/-1", true, 8, ^uint64(0), min64, ^uint64(0), 0, 0, false},
		{"idiv64 min/1", true, 8, ^uint64(0), min64, 1, min64, 0, true},
		{"idiv64 -1/2", true, 8, ^uint64(0), ^uint64(0), 2, 0, ^uint64(0), true},
		{"idiv64 -2^127/-1", true, 8, min64, 0, ^uint64(0), 0, 0, false},
		{"idiv64 -2^127/min", true, 8, min64, 0, min64, 0, 0, false},
		{"idiv64 -2^64/(2^63-1)", true, 8, ^uint64(0), 0, min64 - 1, ^uint64(1), ^uint64(1), true},
		{"idiv64 2^64/-2", true, 8, 1, 0, ^uint64(1), min64, 0, true},
		{"idiv64 2^64/2 overflows", true, 8, 1, 0, 2, 0, 0, false},
	}
	for _, tc := range tests {
		var q, r uint64
		var ok bool
		if tc.signed {
			q, r, ok = idiv(tc.size, tc.hi, tc.lo, tc.d)
		} else {
			q, r, ok = udiv(tc.size, tc.hi, tc.lo, tc.d)
		}
		if ok != tc.ok || ok && (q != tc.q || r != tc.r) {
			t.Errorf("%s: got q=%#x r=%#x ok=%v, want q=%#x r=%#x ok=%v", tc.name, q, r, ok, tc.q, tc.r, tc.ok)
		}
	}
}

func TestMulDivForms(t *testing.T) {
	tests := []struct {
		name  string
		code  []byte
		setup func(c *CPU)
		want  [4]uint64 // RAX, RCX, RDX, RBX after
		flags uint64    // arithmetic flags after
	}{
		// mul bl: AX = AL * BL; CF = OF = (AH != 0); SF ZF AF PF kept.
		{"mul bl", []byte{0xf6, 0xe3},
			func(c *CPU) { c.R[0], c.R[3] = 0xffff_ff10, 0x20; c.setFlags(flagZF) },
			[4]uint64{0xffff_0200, 0, 0, 0x20}, flagZF | flagCF | flagOF},
		// mul ebx: EDX:EAX, both zero-extended to 64 bits.
		{"mul ebx", []byte{0xf7, 0xe3},
			func(c *CPU) { c.R[0], c.R[3], c.R[2] = 0xdead_0000_0002, 0x8000_0000, ^uint64(0) },
			[4]uint64{0, 0, 1, 0x8000_0000}, flagCF | flagOF},
		// imul rbx (one operand) with a product that fits: CF = OF = 0.
		{"imul rbx", []byte{0x48, 0xf7, 0xeb},
			func(c *CPU) { c.R[0], c.R[3] = ^uint64(2), 5; c.setFlags(flagCF | flagOF | flagSF) },
			[4]uint64{^uint64(14), 0, ^uint64(0), 5}, flagSF},
		// imul ax, bx (0F AF) keeps the upper bits of RAX.
		{"imul ax,bx", []byte{0x66, 0x0f, 0xaf, 0xc3},
			func(c *CPU) { c.R[0], c.R[3] = 0x1234_0100, 0x0100 },
			[4]uint64{0x1234_0000, 0, 0, 0x0100}, flagCF | flagOF},
		// imul eax, ebx, -1 (6B /r ib): the immediate is sign-extended.
		{"imul eax,ebx,-1", []byte{0x6b, 0xc3, 0xff},
			func(c *CPU) { c.R[0], c.R[3] = 0xffff_ffff_ffff_ffff, 0x8000_0000 },
			[4]uint64{0x8000_0000, 0, 0, 0x8000_0000}, flagCF | flagOF},
		// imul rax, [rbx], 16 (48 6B /r ib).
		{"imul rax,[rbx],16", []byte{0x48, 0x6b, 0x03, 0x10},
			func(c *CPU) { c.R[3] = dataBase; c.store(dataBase, 8, 3) },
			[4]uint64{48, 0, 0, dataBase}, 0},
		// div cx: DX:AX / CX; the other bits of RAX and RDX stay.
		{"div cx", []byte{0x66, 0xf7, 0xf1},
			func(c *CPU) {
				c.R[0], c.R[2], c.R[1] = 0xaaaa_0005, 0xbbbb_0001, 7
				c.setFlags(flagCF | flagZF | flagSF | flagPF)
			},
			[4]uint64{0xaaaa_2493, 7, 0xbbbb_0000, 0}, flagCF | flagAF},
		// idiv byte [rbx]: AX / m8 -> AL quotient, AH remainder.
		{"idiv byte [rbx]", []byte{0xf6, 0x3b},
			func(c *CPU) { c.R[0], c.R[3] = 0xfff9, dataBase; c.store(dataBase, 1, 2); c.setFlags(flagOF) },
			[4]uint64{0xfffd, 0, 0, dataBase}, flagOF | flagAF},
		// div rbx with RDX:RAX = 2^64 + 5.
		{"div rbx", []byte{0x48, 0xf7, 0xf3},
			func(c *CPU) { c.R[0], c.R[2], c.R[3] = 5, 1, 2 },
			[4]uint64{1<<63 + 2, 0, 1, 2}, flagAF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := runCode(t, append(append([]byte{}, tc.code...), 0xf4), tc.setup)
			got := [4]uint64{c.R[0], c.R[1], c.R[2], c.R[3]}
			if got != tc.want || c.getFlags()&arithFlags != tc.flags {
				t.Errorf("rax,rcx,rdx,rbx = %#x flags %#x, want %#x flags %#x", got, c.getFlags()&arithFlags, tc.want, tc.flags)
			}
		})
	}
}

// #DE: the faulting division commits nothing and RIP stays on it.
func TestDivideError(t *testing.T) {
	tests := []struct {
		name     string
		code     []byte
		rax, rdx uint64
		src      uint64 // RBX
	}{
		{"div rbx by 0", []byte{0x48, 0xf7, 0xf3}, 1, 0, 0},
		{"div ebx overflow", []byte{0xf7, 0xf3}, 0, 5, 5},
		{"idiv rbx min/-1", []byte{0x48, 0xf7, 0xfb}, 1 << 63, ^uint64(0), ^uint64(0)},
		{"idiv ebx min/-1", []byte{0xf7, 0xfb}, 0x8000_0000, 0xffff_ffff, 0xffff_ffff},
		{"idiv bx min/-1", []byte{0x66, 0xf7, 0xfb}, 0x8000, 0xffff, 0xffff},
		{"idiv bl -128/-1", []byte{0xf6, 0xfb}, 0xff80, 0, 0xff},
		{"div bl 0x100/1", []byte{0xf6, 0xf3}, 0x100, 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code := append(append([]byte{}, tc.code...), 0xf4)
			c, exit := runCodeExit(t, code, func(c *CPU) {
				c.R[0], c.R[2], c.R[3] = tc.rax, tc.rdx, tc.src
				c.setFlags(flagZF | flagCF)
			})
			if exit.Signal != linux.SIGFPE || c.RIP != codeBase || exit.Addr != codeBase {
				t.Fatalf("exit %+v at %#x, want SIGFPE at %#x", exit, c.RIP, codeBase)
			}
			if c.R[0] != tc.rax || c.R[2] != tc.rdx || c.getFlags()&arithFlags != flagZF|flagCF {
				t.Errorf("state changed: rax %#x rdx %#x flags %#x", c.R[0], c.R[2], c.getFlags())
			}
		})
	}
}
