package emu

import "testing"

// Expected values of the BMI1, BMI2, ADX, TZCNT and LZCNT tests are
// worked by hand from the SDM's instruction pages; the flags the SDM
// leaves undefined are the reference host's (see bmi.go). The encodings
// are GNU as's for the instruction in each comment.

type gprCase struct {
	name  string
	code  []byte
	setup func(c *CPU)
	regs  map[int]uint64 // expected registers
	flags uint64         // expected arithmetic flags (ORed with flagsIn's untouched bits)
}

func runGPRCases(t *testing.T, cases []gprCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := stepCode(t, append(append([]byte{}, tc.code...), 0xf4), tc.setup)
			for r, want := range tc.regs {
				if c.R[r] != want {
					t.Errorf("%s = %#x, want %#x", regNames[r], c.R[r], want)
				}
			}
			if got := c.getFlags() & arithFlags; got != tc.flags {
				t.Errorf("flags %#x, want %#x", got, tc.flags)
			}
		})
	}
}

func regs(kv ...uint64) map[int]uint64 {
	m := map[int]uint64{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[int(kv[i])] = kv[i+1]
	}
	return m
}

const (
	rax = iota
	rcx
	rdx
	rbx
)

func TestBMI(t *testing.T) {
	allSet := func(c *CPU) { c.setFlags(arithFlags) }
	runGPRCases(t, []gprCase{
		// andn %rdx,%rcx,%rax: ^0xff00 & 0xfff0 = 0xf0 (4 bits set: PF).
		{"andn", []byte{0xc4, 0xe2, 0xf0, 0xf2, 0xc2},
			func(c *CPU) { c.R[rcx], c.R[rdx] = 0xff00, 0xfff0; allSet(c) },
			regs(rax, 0xf0), flagPF},
		// bextr %edx,%ecx,%eax: start 4, length 8 of 0x12345678 = 0x67
		// (5 bits: no PF); AF is set and SF clear as on the host.
		{"bextr", []byte{0xc4, 0xe2, 0x68, 0xf7, 0xc1},
			func(c *CPU) { c.R[rax], c.R[rcx], c.R[rdx] = ^uint64(0), 0x12345678, 0x0804 },
			regs(rax, 0x67), flagAF},
		// Start beyond the operand: zero, ZF and PF.
		{"bextr start 40", []byte{0xc4, 0xe2, 0x68, 0xf7, 0xc1},
			func(c *CPU) { c.R[rcx], c.R[rdx] = 0xffffffff, 0x0828 },
			regs(rax, 0), flagAF | flagZF | flagPF},
		// blsr %rcx,%rax: 0x58 & 0x57 = 0x50.
		{"blsr", []byte{0xc4, 0xe2, 0xf8, 0xf3, 0xc9},
			func(c *CPU) { c.R[rcx] = 0x58 }, regs(rax, 0x50), flagPF},
		{"blsr zero", []byte{0xc4, 0xe2, 0xf8, 0xf3, 0xc9},
			func(c *CPU) { c.R[rcx] = 0 }, regs(rax, 0), flagCF | flagZF | flagPF},
		// blsi %ecx,%eax: 0x58 & -0x58 = 8; CF for a non-zero source.
		{"blsi", []byte{0xc4, 0xe2, 0x78, 0xf3, 0xd9},
			func(c *CPU) { c.R[rcx], c.R[rax] = 0x58, ^uint64(0) }, regs(rax, 8), flagCF},
		// blsmsk %rcx,%rax: 0x58 ^ 0x57 = 0x0f.
		{"blsmsk", []byte{0xc4, 0xe2, 0xf8, 0xf3, 0xd1},
			func(c *CPU) { c.R[rcx] = 0x58 }, regs(rax, 0x0f), flagPF},
		{"blsmsk zero", []byte{0xc4, 0xe2, 0xf8, 0xf3, 0xd1},
			func(c *CPU) { c.R[rcx] = 0 }, regs(rax, ^uint64(0)), flagCF | flagSF | flagPF},
		// bzhi %rdx,%rcx,%rax: keep bits 0-2 of -1.
		{"bzhi", []byte{0xc4, 0xe2, 0xe8, 0xf5, 0xc1},
			func(c *CPU) { c.R[rcx], c.R[rdx] = ^uint64(0), 0x1003 }, regs(rax, 7), 0},
		// Index 64 (low byte) is past the operand: copy, CF.
		{"bzhi 64", []byte{0xc4, 0xe2, 0xe8, 0xf5, 0xc1},
			func(c *CPU) { c.R[rcx], c.R[rdx] = ^uint64(0), 0xff40 },
			regs(rax, ^uint64(0)), flagCF | flagSF | flagPF},
		// mulx %rbx,%rcx,%rax: RDX·RBX = (2^64-1)·3 = 2·2^64 + (2^64-3).
		{"mulx", []byte{0xc4, 0xe2, 0xf3, 0xf6, 0xc3},
			func(c *CPU) { c.R[rdx], c.R[rbx] = ^uint64(0), 3; allSet(c) },
			regs(rax, 2, rcx, ^uint64(0)-2), arithFlags},
		// pdep %rbx,%rcx,%rax: bits 1,0,1 of RCX to the positions 4,5,6 of the mask 0xf0.
		{"pdep", []byte{0xc4, 0xe2, 0xf3, 0xf5, 0xc3},
			func(c *CPU) { c.R[rcx], c.R[rbx] = 0b101, 0xf0 }, regs(rax, 0x50), 0},
		// pext %rbx,%rcx,%rax: bits 4-7 of 0x50.
		{"pext", []byte{0xc4, 0xe2, 0xf2, 0xf5, 0xc3},
			func(c *CPU) { c.R[rcx], c.R[rbx] = 0x50, 0xf0 }, regs(rax, 5), 0},
		// rorx $4,%ecx,%eax.
		{"rorx", []byte{0xc4, 0xe3, 0x7b, 0xf0, 0xc1, 0x04},
			func(c *CPU) { c.R[rcx], c.R[rax] = 0x12345678, ^uint64(0) }, regs(rax, 0x81234567), 0},
		// sarx %rdx,%rcx,%rax: count 65 mod 64 = 1.
		{"sarx", []byte{0xc4, 0xe2, 0xea, 0xf7, 0xc1},
			func(c *CPU) { c.R[rcx], c.R[rdx] = 1<<63, 65 }, regs(rax, 0xc000000000000000), 0},
		// shlx %edx,%ecx,%eax: count 33 mod 32 = 1; the upper half is zeroed.
		{"shlx", []byte{0xc4, 0xe2, 0x69, 0xf7, 0xc1},
			func(c *CPU) { c.R[rcx], c.R[rdx], c.R[rax] = 0x80000001, 33, ^uint64(0) }, regs(rax, 2), 0},
		// shrx %rdx,%rcx,%rax.
		{"shrx", []byte{0xc4, 0xe2, 0xeb, 0xf7, 0xc1},
			func(c *CPU) { c.R[rcx], c.R[rdx] = 0xf0, 4 }, regs(rax, 0xf), 0},
		// adcx %rcx,%rax with CF: -1 + 0 + 1 = 0 carry 1; OF untouched.
		{"adcx", []byte{0x66, 0x48, 0x0f, 0x38, 0xf6, 0xc1},
			func(c *CPU) { c.R[rax], c.R[rcx] = ^uint64(0), 0; c.setFlags(flagCF | flagOF) },
			regs(rax, 0), flagCF | flagOF},
		// adox %ecx,%eax with OF: 0xfffffffe + 1 + 1 = 0 carry 1 into OF; CF untouched (clear).
		{"adox", []byte{0xf3, 0x0f, 0x38, 0xf6, 0xc1},
			func(c *CPU) { c.R[rax], c.R[rcx] = 0xfffffffe, 1; c.setFlags(flagOF | flagZF) },
			regs(rax, 0), flagOF | flagZF},
		// tzcnt %rcx,%rax of zero: 64, CF; OF kept (host).
		{"tzcnt zero", []byte{0xf3, 0x48, 0x0f, 0xbc, 0xc1},
			func(c *CPU) { c.R[rcx] = 0; allSet(c) }, regs(rax, 64), flagCF | flagOF},
		// lzcnt %ecx,%eax of 1: 31.
		{"lzcnt", []byte{0xf3, 0x0f, 0xbd, 0xc1},
			func(c *CPU) { c.R[rcx] = 1 }, regs(rax, 31), 0},
	})
}

// TestBMIUndefinedWithoutFeature checks that a CPU without BMI1/BMI2/ADX
// raises #UD for them.
func TestBMIUndefinedWithoutFeature(t *testing.T) {
	for _, code := range [][]byte{
		{0xc4, 0xe2, 0xf0, 0xf2, 0xc2, 0xf4},             // andn
		{0xc4, 0xe2, 0xf3, 0xf6, 0xc3, 0xf4},             // mulx
		{0x66, 0x48, 0x0f, 0x38, 0xf6, 0xc1, 0xf4},       // adcx
		{0x66, 0x0f, 0x3a, 0x63, 0xc1, 0x0c, 0xf4},       // pcmpistri
		{0x66, 0x0f, 0x38, 0x00, 0xc1, 0xf4},             // pshufb
		{0xc4, 0xe2, 0x74, 0xf3, 0xca, 0xf4},             // blsr with VEX.L = 1: always #UD
		{0x66, 0xc4, 0xe2, 0xf0, 0xf2, 0xc2, 0xf4},       // 66 before VEX: always #UD
		{0xc5, 0xfc, 0x77, 0xf4},                         // vzeroall: AVX is not implemented
		{0x0f, 0x38, 0x00, 0xc1, 0xf4},                   // pshufb mm0, mm1: no MMX
		{0x66, 0x0f, 0x3a, 0x0f, 0xc1, 0x04, 0x90, 0xf4}, // palignr (checked with SSSE3 off)
	} {
		c := stepMachine(t, code, func(c *CPU) { c.feat = features{} })
		b, ok := c.lookup(c.RIP)
		if !ok || c.execBlock(b) || c.trap.kind != trapUD || c.RIP != codeBase {
			t.Errorf("% x: rip %#x trap %+v, want #UD at the first instruction", code, c.RIP, c.trap)
		}
	}
}
