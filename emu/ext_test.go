package emu

import (
	"fmt"
	"strings"
	"testing"

	"gemu/mmu"
	"golang.org/x/arch/x86/x86asm"
)

// stepCode maps code (ending with hlt) at codeBase, a stack and the data
// area like runCode, and runs it with the block loop alone (lookup and
// execBlock, no scheduler and no OS) until the hlt raises #GP. Any other
// stop fails the test. The ISA-extension tests use it so that they test
// instruction semantics only.
func stepCode(t *testing.T, code []byte, setup func(c *CPU)) *CPU {
	t.Helper()
	c := stepMachine(t, code, setup)
	stepUntil(t, c, codeBase+uint64(len(code))-1)
	return c
}

// stepUntil runs c until the hlt at end.
func stepUntil(t *testing.T, c *CPU, end uint64) {
	t.Helper()
	for n := 0; n < 1_000_000; n++ {
		b, ok := c.lookup(c.RIP)
		if ok && c.execBlock(b) {
			continue
		}
		if c.trap.kind != trapGP || c.RIP != end {
			t.Fatalf("stopped at %#x with trap %+v, want the hlt at %#x", c.RIP, c.trap, end)
		}
		return
	}
	t.Fatal("no hlt after a million blocks")
}

// stepMachine maps code, the stack and the data area and returns a CPU
// ready to run it.
func stepMachine(t testing.TB, code []byte, setup func(c *CPU)) *CPU {
	mem := mmu.NewSpace()
	t.Cleanup(func() { mem.Close() })
	mustMap := func(addr, length uint64, perm mmu.Perm) {
		if _, err := mem.Map(mmu.Mapping{Addr: addr, Length: length, Perm: perm, Fixed: true}); err != nil {
			t.Fatalf("map %#x: %v", addr, err)
		}
	}
	mustMap(codeBase, uint64(len(code)+mmu.PageMask)&^mmu.PageMask, mmu.PermRead|mmu.PermExec)
	if err := mem.Poke(code, codeBase); err != nil {
		t.Fatal(err)
	}
	mustMap(stackTop-stackSize, stackSize, mmu.PermRead|mmu.PermWrite)
	mustMap(dataBase, 0x10000, mmu.PermRead|mmu.PermWrite)
	c := New(Config{Mem: mem})
	c.R[4] = stackTop
	c.RIP = codeBase
	if setup != nil {
		setup(c)
	}
	return c
}

// TestDecodeExt checks the encodings decode_ext.go handles against their
// SDM encodings.
func TestDecodeExt(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		op   x86asm.Op
		len  int
		args string // fmt of the Args that matter
	}{
		// andn eax, ecx, [rip+0x10]: C4 (RXB=111, map 2) (W0 vvvv=~1 L0 pp0) F2 modrm 05 disp32.
		{"andn rip", []byte{0xc4, 0xe2, 0x70, 0xf2, 0x05, 0x10, 0, 0, 0}, x86asm.ANDN, 9, "[EAX ECX RIP+0x10]"},
		// fs: andn rax, r9, [rbx+r12*4+8]: R=1 X=0 B=1 → C4 (1 0 1 00010) = 0xa2; W1 vvvv=~9=0110 → 0xb0.
		{"andn sib", []byte{0x64, 0xc4, 0xa2, 0xb0, 0xf2, 0x44, 0xa3, 0x08}, x86asm.ANDN, 8, "[RAX R9 FS:RBX+4*R12+0x8]"},
		{"bextr", []byte{0xc4, 0xe2, 0xf8, 0xf7, 0xc1}, x86asm.BEXTR, 5, "[RAX RCX RAX]"},
		{"blsi", []byte{0xc4, 0xe2, 0x78, 0xf3, 0xd9}, x86asm.BLSI, 5, "[EAX ECX]"},
		{"rorx", []byte{0xc4, 0xe3, 0xfb, 0xf0, 0xc1, 0x03}, x86asm.RORX, 6, "[RAX RCX 0x3]"},
		{"mulx", []byte{0xc4, 0xe2, 0xf3, 0xf6, 0xc2}, x86asm.MULX, 5, "[RAX RCX RDX]"},
		{"shlx 2-byte vex is not bmi", []byte{0xc5, 0xf8, 0x77}, 0, 1, ""},
		{"bmi with L=1", []byte{0xc4, 0xe2, 0x74, 0xf3, 0xca}, 0, 1, ""},
		{"66 before vex", []byte{0x66, 0xc4, 0xe2, 0x70, 0xf2, 0xc1}, 0, 1, ""},
		{"adcx", []byte{0x66, 0x0f, 0x38, 0xf6, 0xc1}, opADCX, 5, "[EAX ECX]"},
		{"adox r64 mem", []byte{0xf3, 0x4c, 0x0f, 0x38, 0xf6, 0x43, 0x08}, opADOX, 7, "[R8 RBX+0x8]"},
		{"fcom alias", []byte{0xdc, 0xd1}, x86asm.FCOM, 2, "[F1]"},
		{"fcomp alias de", []byte{0xde, 0xd3}, x86asm.FCOMP, 2, "[F3]"},
		{"fstp alias", []byte{0xdf, 0xd9}, x86asm.FSTP, 2, "[F1]"},
		{"fxch alias", []byte{0xdd, 0xcb}, x86asm.FXCH, 2, "[F3]"},
		{"feni", []byte{0xdb, 0xe0}, x86asm.NOP, 2, ""},
		{"pextrw sse4.1", []byte{0x66, 0x0f, 0x3a, 0x15, 0x07, 0x01}, opPEXTRW41, 6, "[RDI X0 0x1]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			xi, _ := decode(tc.b)
			if xi.Op != tc.op || (tc.op != 0 && xi.Len != tc.len) {
				t.Fatalf("op %v len %d, want %v len %d", opName(xi.Op), xi.Len, opName(tc.op), tc.len)
			}
			if tc.args == "" {
				return
			}
			var got []x86asm.Arg
			for _, a := range xi.Args {
				if a != nil {
					got = append(got, a)
				}
			}
			if s := fmtArgs(got); s != tc.args {
				t.Errorf("args %s, want %s", s, tc.args)
			}
		})
	}
}

func fmtArgs(a []x86asm.Arg) string {
	s := "["
	for i, x := range a {
		if i > 0 {
			s += " "
		}
		if m, ok := x.(x86asm.Mem); ok {
			if m.Segment != 0 {
				s += m.Segment.String() + ":"
			}
			if m.Base != 0 {
				s += m.Base.String()
			}
			if m.Index != 0 {
				s += "+" + string(rune('0'+m.Scale)) + "*" + m.Index.String()
			}
			if m.Disp != 0 {
				s += "+" + x86asm.Imm(m.Disp).String()
			}
			continue
		}
		s += x.String()
	}
	return s + "]"
}

// TestVEXRIPRelative runs ANDN with a RIP-relative operand: the address is
// relative to the end of the instruction.
func TestVEXRIPRelative(t *testing.T) {
	// andn eax, ecx, [rip+1]; hlt; then the operand, 1 byte past the end
	// of the andn.
	code := []byte{0xc4, 0xe2, 0x70, 0xf2, 0x05, 0x01, 0, 0, 0, 0xf4, 0xf0, 0xff, 0x00, 0xff}
	c := stepMachine(t, code, func(c *CPU) { c.R[1] = 0x0f0f0f0f })
	stepUntil(t, c, codeBase+9)
	if want := uint64(0xf000f0f0); c.R[0] != want { // ^0x0f0f0f0f & 0xff00fff0
		t.Errorf("rax %#x, want %#x", c.R[0], want)
	}
}

// TestCPUIDAdvertises checks CPUID against issue #4's list: SSE through
// SSE4.2, POPCNT, LZCNT, BMI1, BMI2, ADX, CMPXCHG16B, FXSR, x87, CMOV,
// RDTSCP, MOVBE; no AVX, no XSAVE, nothing else gemu does not run.
func TestCPUIDAdvertises(t *testing.T) {
	c := CPU{feat: defaultFeatures()}
	max, ebx, ecx, edx := c.cpuid(0, 0)
	if max != 0xd || le32("Gemu") != ebx || ebx != ecx || ecx != edx {
		t.Errorf("leaf 0: %#x %#x %#x %#x", max, ebx, ecx, edx)
	}
	_, _, ecx, edx = c.cpuid(1, 0)
	// ECX: SSE3 0, SSSE3 9, CX16 13, SSE4.1 19, SSE4.2 20, MOVBE 22, POPCNT 23.
	if want := uint32(1<<0 | 1<<9 | 1<<13 | 1<<19 | 1<<20 | 1<<22 | 1<<23); ecx != want {
		t.Errorf("leaf 1 ECX %#x, want %#x (no FMA, AES, XSAVE, OSXSAVE, AVX, F16C, RDRAND)", ecx, want)
	}
	// EDX: FPU 0, TSC 4, CX8 8, CMOV 15, CLFSH 19, FXSR 24, SSE 25, SSE2 26 (no MMX 23).
	if want := uint32(1<<0 | 1<<4 | 1<<8 | 1<<15 | 1<<19 | 1<<24 | 1<<25 | 1<<26); edx != want {
		t.Errorf("leaf 1 EDX %#x, want %#x", edx, want)
	}
	// Leaf 7: BMI1 3, BMI2 8, ADX 19; no AVX2, ERMS, AVX-512, SHA...
	if eax, ebx, ecx, edx := c.cpuid(7, 0); eax != 0 || ebx != 1<<3|1<<8|1<<19 || ecx != 0 || edx != 0 {
		t.Errorf("leaf 7: %#x %#x %#x %#x", eax, ebx, ecx, edx)
	}
	if eax, ebx, ecx, edx := c.cpuid(0xd, 0); eax|ebx|ecx|edx != 0 {
		t.Errorf("leaf 0xd (XSAVE) not empty: %#x %#x %#x %#x", eax, ebx, ecx, edx)
	}
	if max, _, _, _ := c.cpuid(0x80000000, 0); max != 0x80000008 {
		t.Errorf("highest extended leaf %#x", max)
	}
	// 0x80000001: ECX LAHF 0, LZCNT/ABM 5; EDX SYSCALL 11, NX 20, RDTSCP 27, LM 29.
	if _, _, ecx, edx := c.cpuid(0x80000001, 0); ecx != 1|1<<5 || edx != 1<<11|1<<20|1<<27|1<<29 {
		t.Errorf("leaf 0x80000001: ECX %#x EDX %#x", ecx, edx)
	}
	var brand []byte
	for l := uint32(0x80000002); l <= 0x80000004; l++ {
		a, b, c2, d := c.cpuid(l, 0)
		for _, r := range []uint32{a, b, c2, d} {
			brand = append(brand, byte(r), byte(r>>8), byte(r>>16), byte(r>>24))
		}
	}
	if !strings.HasPrefix(string(brand), "gemu") {
		t.Errorf("brand %q", brand)
	}
}

// TestSyntheticOps checks that the synthetic ops are named, fit the
// dispatch table and collide with no x86asm op.
func TestSyntheticOps(t *testing.T) {
	for op, name := range syntheticNames {
		if int(op) >= opTableSize || x86asm.Op(op).String() != fmt.Sprintf("Op(%d)", op) || name == "" {
			t.Errorf("synthetic op %d (%s) out of range or taken by x86asm (%v)", op, name, x86asm.Op(op))
		}
		if _, ok := lookupOp(op); !ok {
			t.Errorf("synthetic op %s has no handler", name)
		}
	}
}
