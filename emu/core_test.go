package emu

import (
	"strings"
	"testing"

	"gemu/internal/abi/linux"
	"gemu/mmu"
)

func TestOpTablesConsistent(t *testing.T) {
	for _, p := range checkOpTables() {
		t.Error(p)
	}
}

func TestFastOpNames(t *testing.T) {
	for o := fastOp(0); o < opCount; o++ {
		if strings.HasPrefix(o.String(), "fastOp(") {
			t.Errorf("fast op %d has no name", o)
		}
	}
}

func TestRunnerBasics(t *testing.T) {
	// mov rax, 5; add rax, rbx; hlt
	code := []byte{0x48, 0xc7, 0xc0, 0x05, 0x00, 0x00, 0x00, 0x48, 0x01, 0xd8, 0xf4}
	c := runCode(t, code, func(c *CPU) { c.R[3] = 7 })
	if c.R[0] != 12 {
		t.Fatalf("rax = %d, want 12", c.R[0])
	}
}

// asm is a tiny helper to concatenate encoded instructions.
func asm(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

var hlt = []byte{0xf4}

func TestSelfModifyingCodeInSameBlock(t *testing.T) {
	// lea rax, [rip+7]      ; the imm32 of the mov ebx below
	// mov dword [rax], 42
	// mov ebx, 7            ; rewritten to mov ebx, 42 before it runs
	// hlt
	code := asm(
		[]byte{0x48, 0x8d, 0x05, 0x07, 0, 0, 0},
		[]byte{0xc7, 0x00, 0x2a, 0, 0, 0},
		[]byte{0xbb, 0x07, 0, 0, 0},
		hlt,
	)
	c, exit := runCodePerm(t, code, mmu.PermRead|mmu.PermWrite|mmu.PermExec, nil)
	if exit.Reason != "general protection fault" || c.RIP != codeBase+18 {
		t.Fatalf("stopped at %#x: %+v", c.RIP, exit)
	}
	if c.R[3] != 42 {
		t.Fatalf("rbx = %d, want 42: the store into the running block was not seen", c.R[3])
	}
}

func TestCodeCacheInvalidation(t *testing.T) {
	// mov ebx, 1; hlt — run it, then replace the code behind the
	// translator's back in three ways and check the new code runs.
	first := asm([]byte{0xbb, 0x01, 0, 0, 0}, hlt)
	c := runCode(t, first, nil)
	if c.R[3] != 1 {
		t.Fatalf("rbx = %d, want 1", c.R[3])
	}
	rerun := func(want uint64) {
		t.Helper()
		c.RIP = codeBase
		exit := c.Run()
		if exit.Reason != "general protection fault" {
			t.Fatalf("stopped: %+v", exit)
		}
		if c.R[3] != want {
			t.Fatalf("rbx = %d, want %d (stale translation?)", c.R[3], want)
		}
	}
	// 1. Poke (like a debugger or the kernel writing the page).
	if err := c.mem.Poke([]byte{0xbb, 0x02, 0, 0, 0}, codeBase); err != nil {
		t.Fatal(err)
	}
	rerun(2)
	// 2. munmap + mmap of new code at the same address.
	if err := c.mem.Unmap(codeBase, mmu.PageSize); err != nil {
		t.Fatal(err)
	}
	if _, err := c.mem.Map(mmu.Mapping{Addr: codeBase, Length: mmu.PageSize, Perm: mmu.PermRead | mmu.PermExec, Fixed: true}); err != nil {
		t.Fatal(err)
	}
	if err := c.mem.Poke(asm([]byte{0xbb, 0x03, 0, 0, 0}, hlt), codeBase); err != nil {
		t.Fatal(err)
	}
	rerun(3)
	// 3. mprotect to non-executable: the next run must fault on fetch.
	if err := c.mem.Protect(codeBase, mmu.PageSize, mmu.PermRead); err != nil {
		t.Fatal(err)
	}
	c.RIP = codeBase
	exit := c.Run()
	if exit.Signal != linux.SIGSEGV || exit.Addr != codeBase {
		t.Fatalf("run of non-executable code: %+v, want SIGSEGV at %#x", exit, codeBase)
	}
}

func TestFetchFaultAtPageEnd(t *testing.T) {
	// An instruction that starts on the last bytes of an executable page
	// and continues into an unmapped page faults at the page boundary.
	code := make([]byte, mmu.PageSize)
	for i := range code {
		code[i] = 0x90 // nop
	}
	// mov rax, imm64 split across the boundary: 48 b8 + 8 bytes
	copy(code[mmu.PageSize-4:], []byte{0x48, 0xb8, 1, 2})
	c, exit := runCodeExit(t, code, nil)
	if exit.Signal != linux.SIGSEGV || exit.Addr != codeBase+mmu.PageSize {
		t.Fatalf("got %+v at %#x, want SIGSEGV with si_addr %#x", exit, c.RIP, codeBase+mmu.PageSize)
	}
	if c.RIP != codeBase+mmu.PageSize-4 {
		t.Fatalf("rip = %#x, want the split instruction at %#x", c.RIP, codeBase+mmu.PageSize-4)
	}
}

func TestUnimplementedInstructionReported(t *testing.T) {
	// VEX vpxor ymm0, ymm0, ymm0 (c5 fd ef c0): AVX is not implemented.
	var log strings.Builder
	code := asm([]byte{0xc5, 0xfd, 0xef, 0xc0}, hlt)
	mem := mmu.NewSpace()
	defer mem.Close()
	if _, err := mem.Map(mmu.Mapping{Addr: codeBase, Length: mmu.PageSize, Perm: mmu.PermRead | mmu.PermExec, Fixed: true}); err != nil {
		t.Fatal(err)
	}
	if err := mem.Poke(code, codeBase); err != nil {
		t.Fatal(err)
	}
	c := New(Config{Mem: mem, OS: haltOS{t}, Log: &log, Unimp: true})
	c.RIP = codeBase
	exit := c.Run()
	if exit.Signal != linux.SIGILL || exit.PC != codeBase {
		t.Fatalf("exit = %+v, want SIGILL at %#x", exit, codeBase)
	}
	want := "gemu: unimplemented instruction c5 fd ef c0 (vpxor %ymm0,%ymm0,%ymm0) at 0x400000\n"
	if log.String() != want {
		t.Fatalf("log = %q, want %q", log.String(), want)
	}
}

func TestEndbrAndHintNops(t *testing.T) {
	code := asm(
		[]byte{0xf3, 0x0f, 0x1e, 0xfa},                // endbr64
		[]byte{0xf3, 0x48, 0x0f, 0x1e, 0xc8},          // rdsspq rax: NOP without CET
		[]byte{0xf3, 0x48, 0x0f, 0xae, 0xe8},          // incsspq rax
		[]byte{0x0f, 0xae, 0xe9},                      // lfence, non-canonical rm
		[]byte{0x66, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0}, // nopw 0(rax,rax,1)
		[]byte{0x0f, 0x18, 0x20},                      // hint nop 0f 18 /4
		hlt,
	)
	c := runCode(t, code, func(c *CPU) { c.R[0] = 0x1234 })
	if c.R[0] != 0x1234 {
		t.Fatalf("rax = %#x, want it unchanged", c.R[0])
	}
}

func TestCmov32ZeroExtendsWhenFalse(t *testing.T) {
	// xor ecx, ecx (ZF=1); cmovne eax, edx; hlt
	code := asm([]byte{0x31, 0xc9}, []byte{0x0f, 0x45, 0xc2}, hlt)
	c := runCode(t, code, func(c *CPU) { c.R[0] = 0xffffffff_00000005; c.R[2] = 9 })
	if c.R[0] != 5 {
		t.Fatalf("rax = %#x, want 5 (upper half cleared, value kept)", c.R[0])
	}
}

func TestFaultingStoreCommitsNothing(t *testing.T) {
	// add qword [rbx], 1 with rbx unmapped: flags and memory unchanged,
	// RIP at the instruction.
	code := asm([]byte{0x48, 0x83, 0x03, 0x01}, hlt)
	c, exit := runCodeExit(t, code, func(c *CPU) { c.R[3] = 0x10 })
	if exit.Signal != linux.SIGSEGV || exit.Addr != 0x10 || c.RIP != codeBase {
		t.Fatalf("exit %+v rip %#x", exit, c.RIP)
	}
}

func TestSalAlias(t *testing.T) {
	// d1 f0 is SAL eax, 1 (/6): the same as SHL eax, 1 (d1 e0).
	c := runCode(t, asm([]byte{0xd1, 0xf0}, hlt), func(c *CPU) { c.R[0] = 0x40000001 })
	if c.R[0] != 0x80000002 {
		t.Fatalf("eax = %#x, want 0x80000002", c.R[0])
	}
}
