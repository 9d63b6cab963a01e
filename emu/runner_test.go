package emu

import (
	"testing"

	"gemu/mmu"
	"gemu/syscalls"
)

// Test code runs at codeBase with a stack below stackTop.
const (
	codeBase  = 0x400000
	stackTop  = 0x7ff000
	stackSize = 0x10000
	dataBase  = 0x600000 // a 64 KiB read-write data area for tests
)

// haltOS fails the test on any system call.
type haltOS struct{ t *testing.T }

func (h haltOS) Syscall(r syscalls.Regs) syscalls.Outcome {
	h.t.Errorf("unexpected syscall %d at %#x", r.Reg(syscalls.RAX), r.PC())
	return syscalls.Outcome{Kind: syscalls.ExitGroup, Status: 255}
}

// runCode maps code (which should end with hlt, f4) at codeBase, a stack
// and a data area at dataBase, calls setup, and runs until the hlt (which
// raises #GP at CPL 3 and stops the run). It returns the CPU with RIP at
// the hlt. Any other way of stopping fails the test.
func runCode(t *testing.T, code []byte, setup func(c *CPU)) *CPU {
	t.Helper()
	c, exit := runCodeExit(t, code, setup)
	if exit.Err != nil || exit.Reason != "general protection fault" || c.RIP != codeBase+uint64(len(code))-1 {
		t.Fatalf("run stopped at %#x: %+v (want the final hlt at %#x)", c.RIP, exit, codeBase+len(code)-1)
	}
	return c
}

// runCodeExit is runCode without the check of how the run ended.
func runCodeExit(t *testing.T, code []byte, setup func(c *CPU)) (*CPU, Exit) {
	return runCodePerm(t, code, mmu.PermRead|mmu.PermExec, setup)
}

// runCodePerm is runCodeExit with the code mapped with codePerm.
func runCodePerm(t *testing.T, code []byte, codePerm mmu.Perm, setup func(c *CPU)) (*CPU, Exit) {
	t.Helper()
	mem := mmu.NewSpace()
	t.Cleanup(func() { mem.Close() })
	mustMap := func(addr, length uint64, perm mmu.Perm) {
		if _, err := mem.Map(mmu.Mapping{Addr: addr, Length: length, Perm: perm, Fixed: true}); err != nil {
			t.Fatalf("map %#x: %v", addr, err)
		}
	}
	mustMap(codeBase, uint64(len(code)+mmu.PageMask)&^mmu.PageMask, codePerm)
	if err := mem.Poke(code, codeBase); err != nil {
		t.Fatal(err)
	}
	mustMap(stackTop-stackSize, stackSize, mmu.PermRead|mmu.PermWrite)
	mustMap(dataBase, 0x10000, mmu.PermRead|mmu.PermWrite)
	c := New(Config{Mem: mem, OS: haltOS{t}})
	c.R[4] = stackTop
	c.RIP = codeBase
	if setup != nil {
		setup(c)
	}
	exit := c.Run()
	return c, exit
}
