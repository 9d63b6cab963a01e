package emu

import (
	"testing"

	"gemu/mmu"
)

// Expected values below were worked out by hand from the pseudo-code of
// the Intel SDM (SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR, SHLD, SHRD); where the
// SDM leaves a flag undefined, the value is the reference host's (AMD
// Zen), measured with testguests/c/insn_int.c in "raw" mode.

func TestShiftTable(t *testing.T) {
	const (
		cf, pf, af, zf, sf, of = flagCF, flagPF, flagAF, flagZF, flagSF, flagOF
		rot                    = flagCF | flagOF
	)
	tests := []struct {
		name      string
		sub, size uint8
		a         uint64
		n         uint
		cin       bool
		res, f    uint64
		mask      uint64
	}{
		// SHL: CF is the last bit out, OF = MSB(result) XOR CF.
		{"shl8 0x81,1", shShl, 1, 0x81, 1, false, 0x02, cf | of | af, arithFlags},
		{"shl8 1,8", shShl, 1, 0x01, 8, false, 0, cf | of | zf | pf | af, arithFlags},
		{"shl8 0xff,9", shShl, 1, 0xff, 9, true, 0, zf | pf | af, arithFlags},
		{"shl64 1,63", shShl, 8, 1, 63, false, 1 << 63, sf | pf | af | of, arithFlags},
		{"sal16 0x4000,1", shSal, 2, 0x4000, 1, false, 0x8000, sf | of | pf | af, arithFlags},
		// SHR: OF = MSB of the operand (count 1).
		{"shr16 0x8001,1", shShr, 2, 0x8001, 1, false, 0x4000, cf | of | pf | af, arithFlags},
		{"shr32 0x80000000,31", shShr, 4, 0x80000000, 31, false, 1, af, arithFlags},
		{"shr8 0x80,8", shShr, 1, 0x80, 8, false, 0, cf | zf | pf | af, arithFlags},
		// SAR: the sign fills; OF = 0.
		{"sar32 0x80000000,31", shSar, 4, 0x80000000, 31, false, 0xffffffff, sf | pf | af, arithFlags},
		{"sar8 0x80,20", shSar, 1, 0x80, 20, false, 0xff, cf | sf | pf | af, arithFlags},
		{"sar64 -2,1", shSar, 8, ^uint64(1), 1, true, ^uint64(0), sf | pf | af, arithFlags},
		// Rotates change CF and OF only.
		{"rol64 0x8000000000000001,1", shRol, 8, 0x8000000000000001, 1, false, 3, cf | of, rot},
		{"ror8 1,1", shRor, 1, 0x01, 1, false, 0x80, cf | of, rot},
		{"rol8 0x81,8", shRol, 1, 0x81, 8, false, 0x81, cf, rot},
		{"ror16 0x1234,4", shRor, 2, 0x1234, 4, false, 0x4123, of, rot},
		{"rcl8 0x80,1", shRcl, 1, 0x80, 1, false, 0x00, cf | of, rot},
		{"rcl8 0x80,9 (mod 9 = 0)", shRcl, 1, 0x80, 9, true, 0x80, cf, rot},
		{"rcr16 1,1 cf=1", shRcr, 2, 0x0001, 1, true, 0x8000, cf | of, rot},
		{"rcr8 1,2", shRcr, 1, 0x01, 2, false, 0x80, of, rot},
		{"rcl32 0x40000000,2 cf=1", shRcl, 4, 0x40000000, 2, true, 0x2, cf | of, rot},
		{"rcl64 1<<63,1", shRcl, 8, 1 << 63, 1, false, 0, cf | of, rot},
		{"rcr64 1,63", shRcr, 8, 1, 63, false, 4, 0, rot},
	}
	for _, tc := range tests {
		res, f, mask := shift(tc.sub, tc.size, tc.a, tc.n, tc.cin)
		if res != tc.res || f&mask != tc.f || mask != tc.mask {
			t.Errorf("%s: got %#x flags %#x mask %#x, want %#x flags %#x mask %#x",
				tc.name, res, f&mask, mask, tc.res, tc.f, tc.mask)
		}
	}
}

func TestShiftDoubleTable(t *testing.T) {
	const cf, pf, af, zf, sf, of = flagCF, flagPF, flagAF, flagZF, flagSF, flagOF
	tests := []struct {
		name      string
		sub, size uint8
		a, b      uint64
		n         uint
		res, f    uint64
	}{
		{"shld32 4", shdLeft, 4, 0x12345678, 0x9abcdef0, 4, 0x23456789, cf | of | af},
		{"shld16 1 sign change", shdLeft, 2, 0x4000, 0x8000, 1, 0x8001, sf | of | af},
		{"shrd64 1,0 by 1", shdRight, 8, 1, 0, 1, 0, cf | zf | pf | af},
		{"shrd32 by 8", shdRight, 4, 0x000000ff, 0x12, 8, 0x12000000, cf | pf | af},
		// 16-bit counts above 16: the source rotated (reference host).
		{"shrd16 by 20", shdRight, 2, 0x1234, 0xabcd, 20, 0xdabc, sf | af},
		{"shld16 by 17", shdLeft, 2, 0x0000, 0x8000, 17, 0x0001, af},
		{"shld16 by 16", shdLeft, 2, 0x1234, 0xabcd, 16, 0xabcd, sf | af},
	}
	for _, tc := range tests {
		res, f := shiftDouble(tc.sub, tc.size, tc.a, tc.b, tc.n)
		if res != tc.res || f != tc.f {
			t.Errorf("%s: got %#x flags %#x, want %#x flags %#x", tc.name, res, f, tc.res, tc.f)
		}
	}
}

func TestShiftForms(t *testing.T) {
	tests := []struct {
		name  string
		code  []byte
		setup func(c *CPU)
		check func(t *testing.T, c *CPU)
	}{
		{
			// shl eax, cl with CL = 0: no flag changes, but EAX is
			// written (the upper half of RAX is cleared).
			"shl eax,cl count 0",
			[]byte{0xd3, 0xe0},
			func(c *CPU) { c.R[0] = 0xffffffff00000001; c.setFlags(flagCF | flagZF | flagOF) },
			func(t *testing.T, c *CPU) {
				if c.R[0] != 1 || c.getFlags()&arithFlags != flagCF|flagZF|flagOF {
					t.Errorf("rax %#x flags %#x", c.R[0], c.getFlags())
				}
			},
		},
		{
			// A count of 0 must not disturb lazily computed flags:
			// cmp eax, ebx (1 - 2) then shl eax, cl (CL = 32 masks to 0).
			"lazy flags survive count 0",
			[]byte{0x39, 0xd8, 0xd3, 0xe0},
			func(c *CPU) { c.R[0], c.R[3], c.R[1] = 1, 2, 32 },
			func(t *testing.T, c *CPU) {
				want := uint64(flagCF | flagSF | flagPF | flagAF) // 1-2 = 0xffffffff
				if c.getFlags()&arithFlags != want {
					t.Errorf("flags %#x, want %#x", c.getFlags()&arithFlags, want)
				}
			},
		},
		{
			// shl byte [rbx], cl: memory form, upper bytes untouched.
			"shl byte [rbx],cl",
			[]byte{0xd2, 0x23},
			func(c *CPU) { c.R[3], c.R[1] = dataBase, 3; c.store(dataBase, 8, 0x1122334455667781) },
			func(t *testing.T, c *CPU) {
				v, _ := c.load(dataBase, 8)
				if v != 0x1122334455667708 || c.getFlags()&flagCF != 0 {
					t.Errorf("memory %#x flags %#x", v, c.getFlags())
				}
			},
		},
		{
			// sar rax, 63 (C1 /7 ib).
			"sar rax,63",
			[]byte{0x48, 0xc1, 0xf8, 0x3f},
			func(c *CPU) { c.R[0] = 1 << 63 },
			func(t *testing.T, c *CPU) {
				if c.R[0] != ^uint64(0) || c.getFlags()&flagCF != 0 {
					t.Errorf("rax %#x flags %#x", c.R[0], c.getFlags())
				}
			},
		},
		{
			// rcl ah, 1 (D0 /2) rotates CF into bit 0 of AH.
			"rcl ah,1",
			[]byte{0xd0, 0xd4},
			func(c *CPU) { c.R[0] = 0x8000; c.setFlags(flagCF) },
			func(t *testing.T, c *CPU) {
				if c.R[0] != 0x0100 || c.getFlags()&(flagCF|flagOF) != flagCF|flagOF {
					t.Errorf("rax %#x flags %#x", c.R[0], c.getFlags())
				}
			},
		},
		{
			// shld word [rbx], dx, 4 (0F A4 /r ib with 66).
			"shld word [rbx],dx,4",
			[]byte{0x66, 0x0f, 0xa4, 0x13, 0x04},
			func(c *CPU) { c.R[3], c.R[2] = dataBase, 0xabcd; c.store(dataBase, 4, 0xffff1234) },
			func(t *testing.T, c *CPU) {
				v, _ := c.load(dataBase, 4)
				if v != 0xffff234a || c.getFlags()&flagCF != flagCF {
					t.Errorf("memory %#x flags %#x", v, c.getFlags())
				}
			},
		},
		{
			// shrd rax, rdx, cl with CL = 64: masked to 0, nothing changes.
			"shrd rax,rdx,cl count 64",
			[]byte{0x48, 0x0f, 0xad, 0xd0},
			func(c *CPU) { c.R[0], c.R[2], c.R[1] = 5, 7, 64 },
			func(t *testing.T, c *CPU) {
				if c.R[0] != 5 {
					t.Errorf("rax %#x", c.R[0])
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := runCode(t, append(append([]byte{}, tc.code...), 0xf4), tc.setup)
			tc.check(t, c)
		})
	}
}

// A shift whose store faults (read-only code page) commits nothing: the
// memory, the flags and RIP stay as before the instruction.
func TestShiftFaultCommitsNothing(t *testing.T) {
	// shl byte [rbx], 1 ; hlt
	code := []byte{0xd0, 0x23, 0xf4}
	c, exit := runCodeExit(t, code, func(c *CPU) {
		c.R[3] = codeBase + 2 // the hlt byte, mapped read+exec
		c.setFlags(flagZF)
	})
	if exit.Signal == 0 || c.RIP != codeBase || exit.Addr != codeBase+2 {
		t.Fatalf("exit %+v at %#x, want a write fault at %#x on the shl", exit, c.RIP, codeBase+2)
	}
	var b [1]byte
	if _, err := c.mem.ReadAt(b[:], codeBase+2); err != nil || b[0] != 0xf4 {
		t.Errorf("memory changed: %#x %v", b[0], err)
	}
	if c.getFlags()&arithFlags != flagZF {
		t.Errorf("flags %#x, want ZF only", c.getFlags())
	}
}

// A shift by 0 (after masking) of a read-only memory operand faults like
// any read-modify-write, as measured natively on the reference host.
func TestShiftByZeroNeedsWritableMemory(t *testing.T) {
	for _, code := range [][]byte{
		{0xd3, 0x23, 0xf4},             // shl dword [rbx], cl
		{0x0f, 0xa5, 0x03, 0xf4},       // shld dword [rbx], eax, cl
		{0x48, 0xc1, 0x13, 0x40, 0xf4}, // rcl qword [rbx], 64
	} {
		c, exit := runCodeExit(t, code, func(c *CPU) {
			c.R[3], c.R[1] = codeBase, 32
			c.setFlags(flagCF)
		})
		if exit.Signal == 0 || exit.Addr != codeBase || c.RIP != codeBase {
			t.Errorf("% x: exit %+v at %#x, want a write fault at %#x", code, exit, c.RIP, codeBase)
		}
		if c.getFlags()&arithFlags != flagCF {
			t.Errorf("% x: flags %#x", code, c.getFlags())
		}
	}
}

// A loop of shifts and rotates: ns per guest instruction.
func BenchmarkShiftLoop(b *testing.B) {
	// loop: shl rax, cl ; ror rbx, 7 ; sar edx, 3 ; shld rsi, rdi, 5 ;
	//       rcl r8, 1 ; dec r9 ; jnz loop ; hlt
	code := []byte{
		0x48, 0xd3, 0xe0, // shl rax, cl
		0x48, 0xc1, 0xcb, 0x07, // ror rbx, 7
		0xc1, 0xfa, 0x03, // sar edx, 3
		0x48, 0x0f, 0xa4, 0xfe, 0x05, // shld rsi, rdi, 5
		0x49, 0xd1, 0xd0, // rcl r8, 1
		0x49, 0xff, 0xc9, // dec r9
		0x75, 0xe9, // jnz loop (-23)
		0xf4,
	}
	const perIter = 7
	c := benchCPU(b, code, 0)
	c.R[1], c.R[9] = 3, uint64(b.N)
	b.ResetTimer()
	exit := c.Run()
	b.StopTimer()
	if exit.Reason != "general protection fault" {
		b.Fatalf("exit %+v", exit)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*perIter), "ns/inst")
}

// benchCPU maps code at codeBase, a stack, and dataLen bytes of read-write
// data at dataBase, for benchmarks.
func benchCPU(b *testing.B, code []byte, dataLen uint64) *CPU {
	b.Helper()
	mem := mmu.NewSpace()
	b.Cleanup(func() { mem.Close() })
	mustMap := func(addr, length uint64, perm mmu.Perm) {
		if _, err := mem.Map(mmu.Mapping{Addr: addr, Length: length, Perm: perm, Fixed: true}); err != nil {
			b.Fatalf("map %#x: %v", addr, err)
		}
	}
	mustMap(codeBase, uint64(len(code)+mmu.PageMask)&^mmu.PageMask, mmu.PermRead|mmu.PermExec)
	if err := mem.Poke(code, codeBase); err != nil {
		b.Fatal(err)
	}
	mustMap(stackTop-stackSize, stackSize, mmu.PermRead|mmu.PermWrite)
	if dataLen > 0 {
		mustMap(dataBase, dataLen, mmu.PermRead|mmu.PermWrite)
	}
	c := New(Config{Mem: mem, OS: nil})
	c.R[4] = stackTop
	c.RIP = codeBase
	return c
}
