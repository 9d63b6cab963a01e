package emu

import (
	"encoding/hex"
	"testing"

	"gemu/internal/abi/linux"
	"gemu/mmu"
)

// mustHex decodes machine code written as hex (assembled with GNU as from
// the listing in each test's comment).
func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// chainTargetCode jumps ten times to a block B on the next page and back;
// after the fifth return it rewrites B's immediate (add ebx, 1 becomes
// add ebx, 100). The jump's block stays valid while B is retranslated, so
// its chain link to the old B must not be taken.
//
//	0:    mov ecx, 10
//	5:    jmp B                        ; loop1
//	a:    dec ecx                      ; back
//	c:    cmp ecx, 5
//	f:    jne skip
//	11:   mov byte [rip+B+2], 100
//	18:   test ecx, ecx                ; skip
//	1a:   jnz loop1
//	1c:   hlt
//	1000: add ebx, 1                   ; B
//	1003: jmp back
func chainTargetCode(t *testing.T) []byte {
	code := make([]byte, mmu.PageSize+8)
	copy(code, mustHex(t, "b90a000000e9f60f0000ffc983f9057507c605ea0f00006485c975e9f4"))
	copy(code[mmu.PageSize:], mustHex(t, "83c301e902f0ffff"))
	return code
}

func TestChainedTargetInvalidated(t *testing.T) {
	code := chainTargetCode(t)
	c, exit := runCodePerm(t, code, mmu.PermRead|mmu.PermWrite|mmu.PermExec, nil)
	if exit.Reason != "general protection fault" || c.RIP != codeBase+0x1c {
		t.Fatalf("stopped at %#x: %+v", c.RIP, exit)
	}
	// Five runs of add ebx, 1 then five of add ebx, 100.
	if c.R[3] != 505 {
		t.Fatalf("rbx = %d, want 505 (a stale chain link ran the old block?)", c.R[3])
	}
	if st := c.m.Stats(); st.Chained == 0 {
		t.Fatalf("no block transition went through a chain link: %+v", st)
	}
}

func TestChainedTargetReprotected(t *testing.T) {
	// The same loop, run once to build the chain links, then again after
	// B's page lost PROT_EXEC: the jump must fault at B, not run the old
	// translation through the link.
	code := chainTargetCode(t)
	c, exit := runCodePerm(t, code, mmu.PermRead|mmu.PermWrite|mmu.PermExec, nil)
	if exit.Reason != "general protection fault" || c.R[3] != 505 {
		t.Fatalf("first run: rbx %d, %+v", c.R[3], exit)
	}
	if err := c.mem.Protect(codeBase+mmu.PageSize, mmu.PageSize, mmu.PermRead|mmu.PermWrite); err != nil {
		t.Fatal(err)
	}
	c.RIP = codeBase
	exit = c.Run()
	if exit.Signal != linux.SIGSEGV || exit.Addr != codeBase+mmu.PageSize || c.R[3] != 505 {
		t.Fatalf("run with B not executable: rbx %d, %+v; want SIGSEGV at %#x", c.R[3], exit, codeBase+mmu.PageSize)
	}
}

func TestIndirectBranchCacheStale(t *testing.T) {
	// call rax alternates between two functions, so the call's and the
	// returns' one-entry link caches keep going stale.
	//
	//	0:  mov ecx, 6
	//	5:  lea rax, [rip+F1]     ; loop1
	//	c:  test cl, 1
	//	f:  je use1
	//	11: lea rax, [rip+F2]
	//	18: call rax              ; use1
	//	1a: dec ecx
	//	1c: jne loop1
	//	1e: hlt
	//	1f: add ebx, 1; ret       ; F1
	//	23: add ebx, 10; ret      ; F2
	code := mustHex(t, "b906000000488d0513000000f6c1017407488d050b000000ffd0ffc975e7f483c301c383c30ac3")
	c, exit := runCodeExit(t, code, nil)
	if exit.Reason != "general protection fault" || c.RIP != codeBase+0x1e {
		t.Fatalf("stopped at %#x: %+v", c.RIP, exit)
	}
	// ecx 6, 4, 2 call F1; 5, 3, 1 call F2.
	if c.R[3] != 33 {
		t.Fatalf("rbx = %d, want 33", c.R[3])
	}
	// Now make F1 add 7: the call's link to F1 must be dropped.
	if err := c.mem.Poke([]byte{0x07}, codeBase+0x21); err != nil {
		t.Fatal(err)
	}
	c.RIP, c.R[3] = codeBase, 0
	if exit := c.Run(); exit.Reason != "general protection fault" || c.R[3] != 51 {
		t.Fatalf("after rewriting F1: rbx = %d (want 51), %+v", c.R[3], exit)
	}
}

func TestSelfLoopEndsSlice(t *testing.T) {
	// A block that jumps to itself (jmp $, eb fe) chains to itself
	// forever; execBlock still returns when the slice's instruction count
	// is reached, and after one block when the attention flag is up.
	mem := mmu.NewSpace()
	defer mem.Close()
	if _, err := mem.Map(mmu.Mapping{Addr: codeBase, Length: mmu.PageSize, Perm: mmu.PermRead | mmu.PermExec, Fixed: true}); err != nil {
		t.Fatal(err)
	}
	if err := mem.Poke([]byte{0xeb, 0xfe}, codeBase); err != nil {
		t.Fatal(err)
	}
	c := New(Config{Mem: mem, OS: haltOS{t}, Quantum: 1000})
	c.RIP = codeBase
	c.sliceEnd = 5000
	b, ok := c.lookup(codeBase)
	if !ok {
		t.Fatal("lookup failed")
	}
	if !c.execBlock(b) {
		t.Fatalf("trapped: %+v", c.trap)
	}
	if c.icount != 5000 || c.RIP != codeBase {
		t.Fatalf("icount %d rip %#x, want 5000 at %#x", c.icount, c.RIP, codeBase)
	}
	c.attention.Store(true)
	c.sliceEnd = 1 << 40
	if !c.execBlock(b) || c.icount != 5001 {
		t.Fatalf("with attention raised the block ran on: icount %d", c.icount)
	}
}

func TestRepStringIntoCode(t *testing.T) {
	// REP MOVSB and REP STOSB rewrite a translated function on another
	// page: the bulk (page span) paths must leave code pages to the
	// checked stores, which drop the stale translation.
	//
	//	0:    call B
	//	5:    mov r12, rbx
	//	8:    lea rdi, [rip+B]
	//	f:    mov rsi, 0x600000      ; holds mov ebx, 2 (bb 02 00 00 00)
	//	16:   mov ecx, 5
	//	1b:   rep movsb
	//	1d:   call B
	//	22:   mov r13, rbx
	//	25:   lea rdi, [rip+B+1]
	//	2c:   mov eax, 3
	//	31:   mov ecx, 1
	//	36:   rep stosb
	//	38:   call B
	//	3d:   hlt
	//	1000: mov ebx, 1             ; B
	//	1005: ret
	code := make([]byte, mmu.PageSize+6)
	copy(code, mustHex(t, "e8fb0f00004989dc488d3df10f000048c7c600006000b905000000f3a4e8de0f00004989dd488d3dd50f0000b803000000b901000000f3aae8c30f0000f4"))
	copy(code[mmu.PageSize:], mustHex(t, "bb01000000c3"))
	c, exit := runCodePerm(t, code, mmu.PermRead|mmu.PermWrite|mmu.PermExec, func(c *CPU) {
		if err := c.mem.Poke([]byte{0xbb, 0x02, 0, 0, 0}, dataBase); err != nil {
			t.Fatal(err)
		}
	})
	if exit.Reason != "general protection fault" || c.RIP != codeBase+0x3d {
		t.Fatalf("stopped at %#x: %+v", c.RIP, exit)
	}
	if c.R[12] != 1 || c.R[13] != 2 || c.R[3] != 3 {
		t.Fatalf("B returned %d, %d, %d; want 1, 2, 3", c.R[12], c.R[13], c.R[3])
	}
}
