package emu

import (
	"bytes"
	"fmt"
	"testing"

	"gemu/mmu"
	"golang.org/x/arch/x86/x86asm"
)

// FuzzExec executes random instruction bytes:
//
//	go test ./emu/ -run '^$' -fuzz FuzzExec -fuzztime 10m
//
// The bytes are mapped read+execute at codeBase (the rest of the page is
// HLT), with a small stack and data area; the registers point into them or hold small values, so that
// memory operands often hit mapped memory. The code runs twice on fresh
// machines: once through the block cache and the block loop (execBlock's
// fast paths included), bounded to fuzzBlocks blocks, and once one
// instruction at a time through the handlers alone, for as many
// instructions as the first run retired. The run must end in a result or
// a guest trap, never a Go panic or a hang (both runs are bounded), and:
//   - both runs end in the same state (registers, flags, XMM, MXCSR, x87,
//     memory), and so does a third, block-loop run: execution is
//     deterministic, and the fast paths agree with the handlers;
//   - an instruction that faults commits nothing (every register, flag
//     and byte of memory is as before it), except where the architecture
//     says otherwise: the completed iterations of a REP string
//     instruction, MASKMOVDQU's bytes before the fault, ENTER's push of
//     RBP before a fault in its nesting-level reads (the host's behaviour,
//     measured), and the MXCSR flags of an unmasked SIMD exception;
//   - the state stays well-formed (x87 TOP, MXCSR reserved bits, the lazy
//     flags).
//
// A system call returns -ENOSYS.
func FuzzExec(f *testing.F) {
	for _, fi := range enumerateForms() {
		f.Add(fi.enc)
	}
	for _, seed := range [][]byte{
		{0xf3, 0xa4},       // rep movsb
		{0xf3, 0x48, 0xab}, // rep stosq
		{0x0f, 0x05, 0x90}, // syscall
		{0xd9, 0xee, 0xd9, 0xe8, 0xde, 0xf9, 0x9b}, // fldz, fld1, fdivp, fwait
		{0x66, 0x0f, 0x3a, 0x63, 0x06, 0x0c},       // pcmpistri xmm0, [rsi], 0x0c
		{0xeb, 0xfe},                               // jmp . (bounded)
		{0xe2, 0xfe},                               // loop .
	} {
		f.Add(seed)
	}
	f.Fuzz(fuzzOne)
}

func fuzzOne(t *testing.T, code []byte) {
	{
		if len(code) == 0 || len(code) > 4096 {
			return
		}
		a := fuzzMachine(t, code)
		stopA := fuzzBlocks(a, fuzzMaxBlocks)
		b := fuzzMachine(t, code)
		stopB, tsc := fuzzSteps(t, b, a.icount, stopA != trapNone)
		if !tsc && (stopA != stopB || a.icount != b.icount) {
			t.Fatalf("block loop stopped with %v after %d instructions at %#x, stepping with %v after %d at %#x",
				stopA, a.icount, a.RIP, stopB, b.icount, b.RIP)
		}
		if !tsc { // a time stamp makes everything computed from it differ
			if d := fuzzDiff(a, b); d != "" {
				t.Fatalf("block loop and stepping end in different states: %s", d)
			}
			c := fuzzMachine(t, code)
			fuzzBlocks(c, fuzzMaxBlocks)
			if d := fuzzDiff(a, c); d != "" {
				t.Fatalf("two runs end in different states: %s", d)
			}
		}
		for _, x := range []*CPU{a, b} {
			if err := wellFormed(x); err != "" {
				t.Fatal(err)
			}
		}
	}
}

const (
	fuzzMaxBlocks = 40
	fuzzData      = 0x600000 // 4 KiB read-write
	fuzzStack     = 0x7ff000 // 4 KiB read-write, RSP at the middle
	fuzzMemSize   = 0x1000
)

func fuzzMachine(t *testing.T, code []byte) *CPU {
	mem := mmu.NewSpace()
	t.Cleanup(func() { mem.Close() })
	for _, m := range []mmu.Mapping{
		{Addr: codeBase, Length: uint64(len(code)+mmu.PageMask) &^ mmu.PageMask, Perm: mmu.PermRead | mmu.PermExec, Fixed: true},
		{Addr: fuzzData, Length: fuzzMemSize, Perm: mmu.PermRead | mmu.PermWrite, Fixed: true},
		{Addr: fuzzStack, Length: fuzzMemSize, Perm: mmu.PermRead | mmu.PermWrite, Fixed: true},
	} {
		if _, err := mem.Map(m); err != nil {
			t.Fatal(err)
		}
	}
	// The rest of the code page is HLT (#GP): a run that falls off the
	// code ends there.
	page := bytes.Repeat([]byte{0xf4}, (len(code)+mmu.PageMask)&^mmu.PageMask)
	copy(page, code)
	if err := mem.Poke(page, codeBase); err != nil {
		t.Fatal(err)
	}
	pattern := make([]byte, fuzzMemSize)
	for i := range pattern {
		pattern[i] = byte(i*7 + i>>8)
	}
	mem.Poke(pattern, fuzzData)
	mem.Poke(pattern, fuzzStack)
	c := New(Config{Mem: mem})
	for i := range c.R {
		c.R[i] = uint64(i * 3)
	}
	c.R[3], c.R[5], c.R[6], c.R[7] = fuzzData+0x400, fuzzStack+0x400, fuzzData+0x800, fuzzData+0xc00
	c.R[4] = fuzzStack + fuzzMemSize/2
	c.fsBase, c.gsBase = fuzzData, fuzzData+0x100
	for i := range c.X {
		c.X[i] = vec{uint64(i) * 0x0101010101010101, 0x3ff0000000000000}
	}
	c.RIP = codeBase
	return c
}

// fuzzBlocks runs at most n blocks and returns the trap that stopped the
// run (trapNone when the budget ran out).
func fuzzBlocks(c *CPU, n int) trapKind {
	for i := 0; i < n; i++ {
		b, ok := c.lookup(c.RIP)
		if ok && c.execBlock(b) {
			continue
		}
		if c.trap.kind == trapSyscall {
			c.R[0] = uint64(1<<64 - 38) // -ENOSYS
			continue
		}
		return c.trap.kind
	}
	return trapNone
}

// fuzzState is everything an instruction may change, for comparisons.
type fuzzState struct {
	R              [16]uint64
	RIP, flags     uint64
	X              [16][2]uint64
	mxcsr          uint32
	fpu            x87
	fsBase, gsBase uint64
	data, stack    []byte
}

func snapshot(c *CPU) fuzzState {
	s := fuzzState{R: c.R, RIP: c.RIP, flags: c.getFlags(), X: c.X, mxcsr: c.mxcsr, fpu: c.fpu,
		fsBase: c.fsBase, gsBase: c.gsBase, data: make([]byte, fuzzMemSize), stack: make([]byte, fuzzMemSize)}
	c.mem.ReadAt(s.data, fuzzData)
	c.mem.ReadAt(s.stack, fuzzStack)
	return s
}

// diff describes how s and o differ; ignoreMXCSRFlags leaves out the
// MXCSR flags an unmasked SIMD exception sets.
func (s *fuzzState) diff(o *fuzzState, ignoreMXCSRFlags bool) string {
	switch {
	case s.R != o.R:
		for i := range s.R {
			if s.R[i] != o.R[i] {
				return fmt.Sprintf("%s %#x vs %#x", regNames[i], s.R[i], o.R[i])
			}
		}
	case s.RIP != o.RIP:
		return fmt.Sprintf("rip %#x vs %#x", s.RIP, o.RIP)
	}
	switch {
	case s.flags != o.flags:
		return fmt.Sprintf("rflags %#x vs %#x", s.flags, o.flags)
	case s.X != o.X:
		return "xmm registers"
	case s.mxcsr != o.mxcsr && !(ignoreMXCSRFlags && s.mxcsr&^mxcsrFlags == o.mxcsr&^mxcsrFlags):
		return fmt.Sprintf("mxcsr %#x vs %#x", s.mxcsr, o.mxcsr)
	case s.fpu != o.fpu:
		return fmt.Sprintf("x87 state %+v vs %+v", s.fpu, o.fpu)
	case s.fsBase != o.fsBase || s.gsBase != o.gsBase:
		return "segment bases"
	case !bytes.Equal(s.data, o.data):
		return "data memory"
	case !bytes.Equal(s.stack, o.stack):
		return "stack memory"
	}
	return ""
}

func fuzzDiff(a, b *CPU) string {
	sa, sb := snapshot(a), snapshot(b)
	return sa.diff(&sb, false)
}

// fuzzSteps executes n instructions one at a time through their
// handlers, and then the trapping one when trapped is set, checking after
// each fault that nothing was committed. It returns the trap that stopped
// it (trapNone after n) and whether a time stamp was read (RAX, RDX, RCX
// then differ between runs).
func fuzzSteps(t *testing.T, c *CPU, n uint64, trapped bool) (trapKind, bool) {
	tsc := false
	for c.icount < n || trapped && c.icount == n {
		var buf [16]byte
		got, ferr := c.mem.Fetch(buf[:], c.RIP)
		if got == 0 {
			c.memFault(ferr)
			return c.trap.kind, tsc
		}
		xi, err := decode(buf[:got])
		if got < len(buf) && (err != nil || xi.Op == 0) {
			c.memFault(ferr)
			return c.trap.kind, tsc
		}
		if err != nil {
			xi = x86asm.Inst{Len: 1}
		}
		if xi.Len == 0 {
			xi.Len = 1
		}
		in := translate(&xi, c.RIP)
		if in.xop == x86asm.RDTSC || in.xop == x86asm.RDTSCP {
			tsc = true
		}
		before := snapshot(c)
		c.RIP = in.next()
		if in.fn(c, &in) {
			c.icount++
			continue
		}
		if c.trap.kind.completes() {
			c.icount++
			if c.trap.kind == trapSyscall {
				c.R[0] = uint64(1<<64 - 38)
				continue
			}
			return c.trap.kind, tsc
		}
		c.RIP = in.pc
		partial := isStringOp(in.xop) && in.rep != repNone || in.xop == x86asm.MASKMOVDQU
		if !partial {
			after := snapshot(c)
			if in.xop == x86asm.ENTER {
				// The host commits ENTER's push of RBP before a fault in
				// its nesting-level reads (measured), and so does gemu.
				after.stack = before.stack
			}
			if d := before.diff(&after, c.trap.kind == trapSIMD); d != "" {
				t.Fatalf("%s at %#x (% x) faulted (trap %+v) but changed %s", opName(in.xop), in.pc, buf[:in.len], c.trap, d)
			}
		}
		return c.trap.kind, tsc
	}
	return trapNone, tsc
}

// wellFormed checks invariants of the emulator state.
func wellFormed(c *CPU) string {
	switch {
	case c.fpu.top > 7:
		return fmt.Sprintf("x87 TOP %d", c.fpu.top)
	case c.mxcsr&^mxcsrWritable != 0:
		return fmt.Sprintf("MXCSR %#x has reserved bits", c.mxcsr)
	case c.lf.kind > fkDec:
		return fmt.Sprintf("lazy flags kind %d", c.lf.kind)
	case c.lf.kind != fkNone && c.lf.size != 1 && c.lf.size != 2 && c.lf.size != 4 && c.lf.size != 8:
		return fmt.Sprintf("lazy flags size %d", c.lf.size)
	case c.lf.kind != fkNone && (c.lf.res&^sizeMask[c.lf.size] != 0 || c.lf.kind != fkLogic && c.lf.a&^sizeMask[c.lf.size] != 0):
		// (a logic operation records only its result: a and b are stale)
		return fmt.Sprintf("lazy flags operands wider than %d bytes: %+v", c.lf.size, c.lf)
	case c.fpu.cw&cwAlwaysOn == 0 || c.fpu.cw&^(cwWritable|cwAlwaysOn) != 0:
		return fmt.Sprintf("x87 control word %#x", c.fpu.cw)
	case c.getFlags()&2 == 0:
		return "RFLAGS bit 1 clear"
	}
	return ""
}
