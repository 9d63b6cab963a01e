package emu

import (
	"errors"

	"gemu/mmu"
)

// trapKind says why a handler stopped the block.
type trapKind uint8

const (
	trapNone       trapKind = iota
	trapSyscall             // SYSCALL executed; RIP is past it
	trapFault               // memory fault; trap.fault says where
	trapDivide              // #DE: divide by zero or quotient overflow
	trapUD                  // #UD: undefined or unimplemented instruction
	trapGP                  // #GP: privileged instruction, misaligned SSE operand
	trapBreakpoint          // INT3; RIP is past it
	trapSIMD                // unmasked SSE/x87 exception; trap.code is the si_code
)

// trap describes the exception a handler raised.
type trap struct {
	kind   trapKind
	code   int  // si_code for trapSIMD
	unimpl bool // trapUD: an instruction gemu does not implement
	x87    bool // trapSIMD raised by the x87 unit (#MF) rather than SSE (#XM)
	fault  mmu.Fault
}

// completes reports whether the trapping instruction has completed (RIP
// then points past it) rather than faulted (RIP points at it).
func (k trapKind) completes() bool {
	return k == trapSyscall || k == trapBreakpoint
}

// raise records a trap and returns false, for handlers to return.
func (c *CPU) raise(k trapKind) bool {
	c.trap = trap{kind: k}
	return false
}

// memFault records the fault an MMU access returned.
func (c *CPU) memFault(err error) bool {
	var f *mmu.Fault
	if errors.As(err, &f) {
		c.trap = trap{kind: trapFault, fault: *f}
	} else {
		c.trap = trap{kind: trapFault, fault: mmu.Fault{Kind: mmu.FaultUnmapped}}
	}
	return false
}

// ea computes the effective address of the instruction's memory operand.
func (c *CPU) ea(in *inst) uint64 { return c.eaOffset(in, 0) }

// eaOffset is the effective address displaced by delta bytes; with a 0x67
// prefix the sum wraps at 32 bits, as every address computation does, and
// an FS/GS segment base is added after that.
func (c *CPU) eaOffset(in *inst, delta uint64) uint64 {
	a := in.disp + delta
	if in.base != noReg {
		a += c.R[in.base&15]
	}
	if in.index != noReg {
		a += c.R[in.index&15] << in.scale
	}
	if in.eaSeg {
		return c.eaSegment(in, a)
	}
	return a
}

// eaSegment applies the 0x67 wrap and the FS/GS base to address a.
func (c *CPU) eaSegment(in *inst, a uint64) uint64 {
	if in.addr32 {
		a &= 0xffffffff
	}
	switch in.seg {
	case segFS:
		a += c.fsBase
	case segGS:
		a += c.gsBase
	}
	return a
}

// rmwRegSrc loads the operands of a read-modify-write instruction whose
// destination (args[0]) is a register or memory and whose source (args[1])
// is a register: it returns the destination's address (for writeArg), its
// value and the source register's value.
func (c *CPU) rmwRegSrc(in *inst) (addr, dst, src uint64, ok bool) {
	d := in.args[0]
	addr = c.memAddr(in, d)
	if dst, ok = c.readArg(in, d, addr); !ok {
		return 0, 0, 0, false
	}
	return addr, dst, c.getReg(in.args[1]), true
}

// load reads size bytes (1, 2, 4 or 8) at addr.
func (c *CPU) load(addr uint64, size uint8) (uint64, bool) {
	var v uint64
	var err error
	switch size {
	case 1:
		v, err = c.tlb.Read8(addr)
	case 2:
		v, err = c.tlb.Read16(addr)
	case 4:
		v, err = c.tlb.Read32(addr)
	default:
		v, err = c.tlb.Read64(addr)
	}
	if err != nil {
		return 0, c.memFault(err)
	}
	return v, true
}

// store writes the low size bytes (1, 2, 4 or 8) of v at addr.
func (c *CPU) store(addr uint64, size uint8, v uint64) bool {
	var err error
	switch size {
	case 1:
		err = c.tlb.Write8(addr, v)
	case 2:
		err = c.tlb.Write16(addr, v)
	case 4:
		err = c.tlb.Write32(addr, v)
	default:
		err = c.tlb.Write64(addr, v)
	}
	if err != nil {
		return c.memFault(err)
	}
	return true
}

func (c *CPU) load128(addr uint64) (lo, hi uint64, ok bool) {
	lo, hi, err := c.tlb.Read128(addr)
	if err != nil {
		return 0, 0, c.memFault(err)
	}
	return lo, hi, true
}

func (c *CPU) store128(addr, lo, hi uint64) bool {
	if err := c.tlb.Write128(addr, lo, hi); err != nil {
		return c.memFault(err)
	}
	return true
}

// readArg reads operand a (register, immediate or memory at addr).
func (c *CPU) readArg(in *inst, a arg, addr uint64) (uint64, bool) {
	switch a.kind {
	case argReg, argRegHi:
		return c.getReg(a), true
	case argImm:
		return in.imm, true
	case argMem:
		return c.load(addr, a.size)
	case argSeg:
		return c.segSelector(a.reg), true
	}
	return 0, c.raise(trapUD)
}

// writeArg writes operand a (register or memory at addr).
func (c *CPU) writeArg(a arg, addr uint64, v uint64) bool {
	switch a.kind {
	case argReg, argRegHi:
		c.setReg(a, v)
		return true
	case argMem:
		return c.store(addr, a.size, v)
	}
	return c.raise(trapUD)
}

// segSelector is what a 64-bit Linux user process sees in its segment
// registers: the user code and data selectors, and zero in the others.
func (c *CPU) segSelector(r uint8) uint64 {
	switch r {
	case 1: // CS
		return 0x33
	case 2: // SS
		return 0x2b
	}
	return 0
}

// push and pop move 8 bytes through the stack.
func (c *CPU) push(v uint64) bool {
	sp := c.R[4] - 8
	if !c.store(sp, 8, v) {
		return false
	}
	c.R[4] = sp
	return true
}

func (c *CPU) pop() (uint64, bool) {
	v, ok := c.load(c.R[4], 8)
	if ok {
		c.R[4] += 8
	}
	return v, ok
}
