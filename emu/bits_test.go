package emu

import (
	"testing"

	"gemu/internal/abi/linux"
)

// Expected values are worked by hand from the SDM (BT/BTS/BTR/BTC, BSF,
// BSR, TZCNT, LZCNT, POPCNT). Bit offsets into memory: with a register
// offset the operand-sized unit at ea + size·(offset SAR log2(8·size)) is
// accessed, at bit offset mod 8·size.

func TestBitTestForms(t *testing.T) {
	tests := []struct {
		name  string
		code  []byte
		setup func(c *CPU)
		check func(t *testing.T, c *CPU)
	}{
		{
			// bt eax, ebx with EBX = 33: bit 1 of EAX (offset mod 32).
			"bt eax,ebx 33", []byte{0x0f, 0xa3, 0xd8},
			func(c *CPU) { c.R[0], c.R[3] = 0x2, 33; c.setFlags(flagZF | flagOF) },
			func(t *testing.T, c *CPU) {
				// CF = the bit; ZF, OF (undefined, kept) unchanged.
				if c.R[0] != 2 || c.getFlags()&arithFlags != flagCF|flagZF|flagOF {
					t.Errorf("rax %#x flags %#x", c.R[0], c.getFlags())
				}
			},
		},
		{
			// bts dword [rbx], ecx with ECX = -1: the dword before rbx,
			// bit 31.
			"bts [rbx],ecx -1", []byte{0x0f, 0xab, 0x0b},
			func(c *CPU) { c.R[3], c.R[1] = dataBase+64, 0xffffffff },
			func(t *testing.T, c *CPU) {
				v, _ := c.load(dataBase+60, 4)
				after, _ := c.load(dataBase+64, 4)
				if v != 0x8000_0000 || after != 0 || c.getFlags()&flagCF != 0 {
					t.Errorf("dword at -4 %#x, at 0 %#x, flags %#x", v, after, c.getFlags())
				}
			},
		},
		{
			// btc qword [rbx], rcx with RCX = 130: qword at +16, bit 2.
			"btc [rbx],rcx 130", []byte{0x48, 0x0f, 0xbb, 0x0b},
			func(c *CPU) { c.R[3], c.R[1] = dataBase, 130; c.store(dataBase+16, 8, 0xff) },
			func(t *testing.T, c *CPU) {
				v, _ := c.load(dataBase+16, 8)
				if v != 0xfb || c.getFlags()&flagCF == 0 {
					t.Errorf("qword %#x flags %#x", v, c.getFlags())
				}
			},
		},
		{
			// btr word [rbx], cx with CX = -17: the word at -4, bit 15.
			"btr [rbx],cx -17", []byte{0x66, 0x0f, 0xb3, 0x0b},
			func(c *CPU) { c.R[3], c.R[1] = dataBase+8, 0xffef; c.store(dataBase+4, 2, 0xffff) },
			func(t *testing.T, c *CPU) {
				v, _ := c.load(dataBase+4, 2)
				if v != 0x7fff || c.getFlags()&flagCF == 0 {
					t.Errorf("word %#x flags %#x", v, c.getFlags())
				}
			},
		},
		{
			// bt dword [rbx], 35 (0F BA /4 ib): the immediate is taken mod
			// 32, bit 3 of the dword itself.
			"bt [rbx],35", []byte{0x0f, 0xba, 0x23, 0x23},
			func(c *CPU) { c.R[3] = dataBase; c.store(dataBase, 8, 0x8_0000_0008) },
			func(t *testing.T, c *CPU) {
				if c.getFlags()&flagCF == 0 {
					t.Errorf("flags %#x, want CF", c.getFlags())
				}
			},
		},
		{
			// bts rax, 63 (48 0F BA /5 ib).
			"bts rax,63", []byte{0x48, 0x0f, 0xba, 0xe8, 0x3f},
			func(c *CPU) { c.R[0] = 1 },
			func(t *testing.T, c *CPU) {
				if c.R[0] != 1<<63|1 || c.getFlags()&flagCF != 0 {
					t.Errorf("rax %#x flags %#x", c.R[0], c.getFlags())
				}
			},
		},
		{
			// btr eax, 0 clears the upper half of RAX (a 32-bit write).
			"btr eax,0", []byte{0x0f, 0xba, 0xf0, 0x00},
			func(c *CPU) { c.R[0] = 0xffff_ffff_0000_0001 },
			func(t *testing.T, c *CPU) {
				if c.R[0] != 0 || c.getFlags()&flagCF == 0 {
					t.Errorf("rax %#x flags %#x", c.R[0], c.getFlags())
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

// A bit offset that leaves the mapping faults at the unit it addresses.
func TestBitTestOffsetFaults(t *testing.T) {
	// bt qword [rbx], rcx with RCX = -64: the qword below dataBase.
	code := []byte{0x48, 0x0f, 0xa3, 0x0b, 0xf4}
	c, exit := runCodeExit(t, code, func(c *CPU) { c.R[3], c.R[1] = dataBase, ^uint64(63) })
	if exit.Signal != linux.SIGSEGV || exit.Addr != dataBase-8 || c.RIP != codeBase {
		t.Fatalf("exit %+v at %#x, want SIGSEGV at address %#x", exit, c.RIP, dataBase-8)
	}
}

func TestBitScans(t *testing.T) {
	const keep = 0xdead_beef_1234_5678
	tests := []struct {
		name       string
		code       []byte
		bmi1, lzc  bool
		src        uint64 // RBX
		rax, flags uint64 // RAX and the arithmetic flags after
	}{
		// bsf/bsr eax, ebx. A zero source leaves all of RAX (reference
		// host) and sets ZF; the other flags: CF OF SF AF clear, PF from
		// the index (reference host).
		{"bsf 0", []byte{0x0f, 0xbc, 0xc3}, false, false, 0, keep, flagZF | flagPF},
		{"bsf 0x80", []byte{0x0f, 0xbc, 0xc3}, false, false, 0x80, 7, 0},
		{"bsr 0x80000001", []byte{0x0f, 0xbd, 0xc3}, false, false, 0xffff_ffff_8000_0001, 31, 0},
		{"bsf ax,bx", []byte{0x66, 0x0f, 0xbc, 0xc3}, false, false, 0x0300, keep&^0xffff | 8, 0},
		{"bsr rax,rbx", []byte{0x48, 0x0f, 0xbd, 0xc3}, false, false, 1 << 63, 63, flagPF},
		// TZCNT/LZCNT without BMI1/LZCNT run as BSF/BSR.
		{"tzcnt as bsf 0", []byte{0xf3, 0x0f, 0xbc, 0xc3}, false, false, 0, keep, flagZF | flagPF},
		{"tzcnt as bsf 4", []byte{0xf3, 0x0f, 0xbc, 0xc3}, false, false, 4, 2, 0},
		{"lzcnt as bsr 1", []byte{0xf3, 0x0f, 0xbd, 0xc3}, false, false, 1, 0, flagPF},
		// With the features: counts, CF for a zero source, ZF for a zero
		// count.
		{"tzcnt 0", []byte{0xf3, 0x0f, 0xbc, 0xc3}, true, false, 0, 32, flagCF},
		{"tzcnt 1", []byte{0xf3, 0x0f, 0xbc, 0xc3}, true, false, 1, 0, flagZF},
		{"tzcnt 0x100", []byte{0xf3, 0x0f, 0xbc, 0xc3}, true, false, 0x100, 8, 0},
		{"tzcnt ax,bx 0", []byte{0x66, 0xf3, 0x0f, 0xbc, 0xc3}, true, false, 0xffff_0000, keep&^0xffff | 16, flagCF},
		{"lzcnt 1", []byte{0xf3, 0x0f, 0xbd, 0xc3}, false, true, 1, 31, 0},
		{"lzcnt rax,rbx 0", []byte{0xf3, 0x48, 0x0f, 0xbd, 0xc3}, false, true, 0, 64, flagCF},
		{"lzcnt 0x80000000", []byte{0xf3, 0x0f, 0xbd, 0xc3}, false, true, 0x8000_0000, 0, flagZF},
		// popcnt eax, ebx: ZF for a zero source, all others clear.
		{"popcnt", []byte{0xf3, 0x0f, 0xb8, 0xc3}, false, false, 0xffff_ffff_0000_f0f0, 8, 0},
		{"popcnt 0", []byte{0xf3, 0x0f, 0xb8, 0xc3}, false, false, 0, 0, flagZF},
		{"popcnt rax,rbx", []byte{0xf3, 0x48, 0x0f, 0xb8, 0xc3}, false, false, ^uint64(0), 64, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := runCode(t, append(append([]byte{}, tc.code...), 0xf4), func(c *CPU) {
				c.feat.bmi1, c.feat.lzcnt = tc.bmi1, tc.lzc
				c.R[0], c.R[3] = keep, tc.src
				// All six flags set before: whatever is left shows.
				c.setFlags(arithFlags &^ flagOF)
			})
			f := c.getFlags() & arithFlags
			if c.R[0] != tc.rax || f&^flagOF != tc.flags {
				t.Errorf("rax %#x flags %#x, want %#x flags %#x", c.R[0], f, tc.rax, tc.flags)
			}
		})
	}
}

func TestPopcntNeedsFeature(t *testing.T) {
	code := []byte{0xf3, 0x0f, 0xb8, 0xc3, 0xf4}
	c, exit := runCodeExit(t, code, func(c *CPU) { c.feat.popcnt = false })
	if exit.Signal != linux.SIGILL || c.RIP != codeBase {
		t.Fatalf("exit %+v at %#x, want SIGILL", exit, c.RIP)
	}
}
