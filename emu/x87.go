// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package emu

import (
	"gemu/internal/abi/linux"
	"gemu/internal/f80"
	"golang.org/x/arch/x86/x86asm"
)

// The x87 FPU (SDM vol. 1 ch. 8). The 80-bit arithmetic is package f80's;
// this file holds the register stack, the status and control words, the
// deferred reporting of unmasked exceptions, and the dispatch table. The
// instructions are in x87_mem.go (loads and stores), x87_arith.go
// (arithmetic, compares, stack manipulation), x87_env.go (control and
// state save/restore) and x87_trans.go (transcendental instructions).

// Status word bits.
const (
	swIE  = 1 << 0 // invalid operation
	swDE  = 1 << 1 // denormal operand
	swZE  = 1 << 2 // zero divide
	swOE  = 1 << 3 // overflow
	swUE  = 1 << 4 // underflow
	swPE  = 1 << 5 // precision
	swSF  = 1 << 6 // stack fault
	swES  = 1 << 7 // exception summary: an unmasked exception is pending
	swC0  = 1 << 8
	swC1  = 1 << 9
	swC2  = 1 << 10
	swTop = 7 << 11
	swC3  = 1 << 14
	swB   = 1 << 15 // busy: mirrors ES

	swExc = swIE | swDE | swZE | swOE | swUE | swPE
	swCC  = swC0 | swC1 | swC2 | swC3
)

// Control word: the reserved bit 6 reads as one; bits 13-15 read as zero.
const (
	cwInit     = 0x037f
	cwAlwaysOn = 0x0040
	cwWritable = 0x1f7f
)

// x87 is the x87 FPU state.
type x87 struct {
	st   [8]f80.F80 // physical registers R0-R7; ST(i) is st[(top+i)&7]
	cw   uint16
	sw   uint16 // status word without TOP (bits 11-13 are kept in top)
	top  uint8
	full uint8 // bit i set: physical register i is not empty (abridged tag word)

	// The last non-control instruction and the last memory operand, as
	// FNSTENV, FNSAVE and FXSAVE report them.
	fop      uint16 // low 11 bits of the opcode: (first byte & 7) << 8 | ModRM
	fip, fdp uint64
	fcs, fds uint16
}

// init puts the FPU in the state Linux gives a new process: the FNINIT
// state with every register zero.
func (f *x87) init() {
	*f = x87{cw: cwInit}
}

// finit is FNINIT: like init, but the registers keep their (now empty)
// contents.
func (f *x87) finit() {
	f.cw, f.sw, f.top, f.full = cwInit, 0, 0, 0
	f.fop, f.fip, f.fdp, f.fcs, f.fds = 0, 0, 0, 0, 0
}

// status returns the status word with TOP.
func (f *x87) status() uint16 { return f.sw | uint16(f.top)<<11 }

// setStatus loads the status word, TOP included.
func (f *x87) setStatus(v uint16) {
	f.sw = v &^ swTop
	f.top = uint8(v>>11) & 7
	f.sync()
}

// setControl loads the control word.
func (f *x87) setControl(v uint16) {
	f.cw = v&cwWritable | cwAlwaysOn
	f.sync()
}

// sync recomputes ES and B: they are set exactly when an exception flag is
// set whose mask bit is clear. The host confirms that FLDCW, FNSTENV (which
// masks everything) and the state loads recompute them this way.
func (f *x87) sync() {
	if f.sw&^f.cw&swExc != 0 {
		f.sw |= swES | swB
	} else {
		f.sw &^= swES | swB
	}
}

// Register stack access by ST(i) index.

func (f *x87) phys(i uint8) uint8     { return (f.top + i) & 7 }
func (f *x87) empty(i uint8) bool     { return f.full&(1<<f.phys(i)) == 0 }
func (f *x87) get(i uint8) f80.F80    { return f.st[f.phys(i)] }
func (f *x87) set(i uint8, v f80.F80) { p := f.phys(i); f.st[p] = v; f.full |= 1 << p }

func (f *x87) pop() {
	f.full &^= 1 << f.top
	f.top = (f.top + 1) & 7
}

func (f *x87) push(v f80.F80) {
	f.top = (f.top - 1) & 7
	f.st[f.top] = v
	f.full |= 1 << f.top
}

// stackFault records a stack overflow (C1 = 1) or underflow (C1 = 0): IE
// and SF. It reports whether IE is masked, in which case the instruction
// goes on with the masked response (usually the indefinite NaN); otherwise
// it must leave the stack and its destination unchanged.
func (f *x87) stackFault(overflow bool) bool {
	f.sw |= swIE | swSF
	if overflow {
		f.sw |= swC1
	} else {
		f.sw &^= swC1
	}
	f.sync()
	return f.cw&swIE != 0
}

// env returns the f80 environment of one instruction.
func (f *x87) env() f80.Env { return f80.NewEnv(f.cw) }

// env64 is env with 64-bit precision: for the instructions precision
// control does not apply to.
func (f *x87) env64() f80.Env {
	e := f80.NewEnv(f.cw)
	e.PC = f80.Prec64
	return e
}

// merge records the outcome of an f80 operation: its exception flags and
// C1 (rounded up).
func (f *x87) merge(e *f80.Env) {
	f.sw |= uint16(e.Flags)
	if e.RoundedUp {
		f.sw |= swC1
	} else {
		f.sw &^= swC1
	}
	f.sync()
}

// setCC replaces the condition codes C0-C3 with cc.
func (f *x87) setCC(cc uint16) { f.sw = f.sw&^swCC | cc&swCC }

// tag returns the two-bit tag of a non-empty register value: 0 valid, 1
// zero, 2 special (NaN, infinity, denormal, unsupported).
func tag(v f80.F80) uint16 {
	exp := v.SE & 0x7fff
	switch {
	case exp == 0 && v.Mant == 0:
		return 1
	case exp == 0 || exp == 0x7fff || v.Mant>>63 == 0:
		return 2
	}
	return 0
}

// tagWord computes the full tag word from the contents of the registers.
func (f *x87) tagWord() uint16 {
	var w uint16
	for i := uint(0); i < 8; i++ {
		t := uint16(3)
		if f.full&(1<<i) != 0 {
			t = tag(f.st[i])
		}
		w |= t << (2 * i)
	}
	return w
}

// setTagWord loads a full tag word: only "empty" (11) matters, the other
// tags are recomputed from the contents when the tag word is read.
func (f *x87) setTagWord(w uint16) {
	f.full = 0
	for i := uint(0); i < 8; i++ {
		if w>>(2*i)&3 != 3 {
			f.full |= 1 << i
		}
	}
}

// fpeCode is the si_code Linux reports for an x87 exception, from the
// pending unmasked flags (the kernel's fpu__exception_code).
func fpeCode(unmasked uint16) int {
	switch {
	case unmasked&swIE != 0:
		return linux.FPE_FLTINV
	case unmasked&swZE != 0:
		return linux.FPE_FLTDIV
	case unmasked&swOE != 0:
		return linux.FPE_FLTOVF
	case unmasked&(swDE|swUE) != 0:
		return linux.FPE_FLTUND
	case unmasked&swPE != 0:
		return linux.FPE_FLTRES
	}
	return 0
}

// pendingTrap raises the #MF a waiting instruction takes when ES is set.
func (c *CPU) pendingTrap() bool {
	f := &c.fpu
	c.trap = trap{kind: trapSIMD, code: fpeCode(f.sw &^ f.cw & swExc), x87: true}
	return false
}

// Handler wrappers. An x87 instruction is "waiting" unless it is one of
// FNINIT, FNCLEX, FNSTCW, FNSTSW, FNSTENV, FNSAVE, FXSAVE, FXRSTOR: a
// waiting instruction first reports a pending unmasked exception (#MF,
// SIGFPE) and does not execute. A non-control instruction also records
// itself as the last instruction (FIP, FOP) and, when it has a memory
// operand, records that operand's address (FDP, FDS).

// x87Op runs fn as a waiting non-control instruction.
func (c *CPU) x87Op(in *inst, fn handler) bool {
	if c.fpu.sw&swES != 0 {
		return c.pendingTrap()
	}
	if !fn(c, in) {
		return false
	}
	c.notePointers(in)
	return true
}

// x87Ctl runs fn as a waiting control instruction (FLDCW, FLDENV, FRSTOR,
// FWAIT).
func (c *CPU) x87Ctl(in *inst, fn handler) bool {
	if c.fpu.sw&swES != 0 {
		return c.pendingTrap()
	}
	return fn(c, in)
}

// User-mode selectors that FNSTENV and FXSAVE report.
const (
	selUserCode = 0x33
	selUserData = 0x2b // SS
)

// notePointers records in as the last non-control instruction.
func (c *CPU) notePointers(in *inst) {
	f := &c.fpu
	f.fip = in.pc
	f.fcs = selUserCode
	f.fop = uint16(in.imm2) & 0x7ff
	if in.args[0].kind == argMem || in.args[1].kind == argMem {
		f.fdp = c.ea(in)
		f.fds = 0 // DS
		if in.seg == segNone && (in.base == 4 || in.base == 5) {
			f.fds = selUserData // RSP- and RBP-based operands use SS
		}
	}
}

// Extra memory-operand information kept in inst.imm2 next to the FOP.
const (
	x87Data16 = 1 << 16 // 66 prefix: FNSTENV/FLDENV/FNSAVE/FRSTOR use the 16-bit layout
)

// prepX87 records the FOP and gives a size to the memory operands x86asm
// reports without one (m80, m80bcd, the environment and state areas).
func prepX87(xi *x86asm.Inst, in *inst) bool {
	op, modrm := xi.Opcode>>24, xi.Opcode>>16&0xff
	switch {
	case op >= 0xd8 && op <= 0xdf:
		in.imm2 = uint64(op&7)<<8 | uint64(modrm)
	default: // FWAIT, FXSAVE, FXRSTOR
		in.imm2 = 0
	}
	if xi.DataSize == 16 {
		in.imm2 |= x87Data16
	}
	for i := range in.args {
		a := &in.args[i]
		if a.kind != argMem || a.size != 0 {
			continue
		}
		switch xi.Op {
		case x86asm.FLD, x86asm.FSTP, x86asm.FBLD, x86asm.FBSTP:
			a.size = 10
		}
	}
	return true
}

// x87Ops is the x87 family. Waiting instructions run through x87Op or
// x87Ctl (see the wrappers below); FNINIT & co run directly.
var x87Ops = []opEntry{
	// Loads and stores (x87_mem.go).
	{x86asm.FLD, opInfo{fn: waitFld, prep: prepX87}},
	{x86asm.FST, opInfo{fn: waitFst, prep: prepX87}},
	{x86asm.FSTP, opInfo{fn: waitFst, sub: 1, prep: prepX87}},
	{x86asm.FILD, opInfo{fn: waitFild, prep: prepX87}},
	{x86asm.FIST, opInfo{fn: waitFist, prep: prepX87}},
	{x86asm.FISTP, opInfo{fn: waitFist, sub: 1, prep: prepX87}},
	{x86asm.FISTTP, opInfo{fn: waitFist, sub: 2, prep: prepX87}},
	{x86asm.FBLD, opInfo{fn: waitFbld, prep: prepX87}},
	{x86asm.FBSTP, opInfo{fn: waitFbstp, prep: prepX87}},
	{x86asm.FLD1, opInfo{fn: waitFldConst, sub: uint8(f80.ConstOne), prep: prepX87}},
	{x86asm.FLDL2T, opInfo{fn: waitFldConst, sub: uint8(f80.ConstL2T), prep: prepX87}},
	{x86asm.FLDL2E, opInfo{fn: waitFldConst, sub: uint8(f80.ConstL2E), prep: prepX87}},
	{x86asm.FLDPI, opInfo{fn: waitFldConst, sub: uint8(f80.ConstPi), prep: prepX87}},
	{x86asm.FLDLG2, opInfo{fn: waitFldConst, sub: uint8(f80.ConstLG2), prep: prepX87}},
	{x86asm.FLDLN2, opInfo{fn: waitFldConst, sub: uint8(f80.ConstLN2), prep: prepX87}},
	{x86asm.FLDZ, opInfo{fn: waitFldConst, sub: uint8(f80.ConstZero), prep: prepX87}},

	// Arithmetic (x87_arith.go).
	{x86asm.FADD, opInfo{fn: waitFarith, sub: uint8(f80.OpAdd), prep: prepX87}},
	{x86asm.FSUB, opInfo{fn: waitFarith, sub: uint8(f80.OpSub), prep: prepX87}},
	{x86asm.FSUBR, opInfo{fn: waitFarith, sub: uint8(f80.OpSubR), prep: prepX87}},
	{x86asm.FMUL, opInfo{fn: waitFarith, sub: uint8(f80.OpMul), prep: prepX87}},
	{x86asm.FDIV, opInfo{fn: waitFarith, sub: uint8(f80.OpDiv), prep: prepX87}},
	{x86asm.FDIVR, opInfo{fn: waitFarith, sub: uint8(f80.OpDivR), prep: prepX87}},
	{x86asm.FADDP, opInfo{fn: waitFarith, sub: uint8(f80.OpAdd) | arithPop, prep: prepX87}},
	{x86asm.FSUBP, opInfo{fn: waitFarith, sub: uint8(f80.OpSub) | arithPop, prep: prepX87}},
	{x86asm.FSUBRP, opInfo{fn: waitFarith, sub: uint8(f80.OpSubR) | arithPop, prep: prepX87}},
	{x86asm.FMULP, opInfo{fn: waitFarith, sub: uint8(f80.OpMul) | arithPop, prep: prepX87}},
	{x86asm.FDIVP, opInfo{fn: waitFarith, sub: uint8(f80.OpDiv) | arithPop, prep: prepX87}},
	{x86asm.FDIVRP, opInfo{fn: waitFarith, sub: uint8(f80.OpDivR) | arithPop, prep: prepX87}},
	{x86asm.FIADD, opInfo{fn: waitFarith, sub: uint8(f80.OpAdd) | arithInt, prep: prepX87}},
	{x86asm.FISUB, opInfo{fn: waitFarith, sub: uint8(f80.OpSub) | arithInt, prep: prepX87}},
	{x86asm.FISUBR, opInfo{fn: waitFarith, sub: uint8(f80.OpSubR) | arithInt, prep: prepX87}},
	{x86asm.FIMUL, opInfo{fn: waitFarith, sub: uint8(f80.OpMul) | arithInt, prep: prepX87}},
	{x86asm.FIDIV, opInfo{fn: waitFarith, sub: uint8(f80.OpDiv) | arithInt, prep: prepX87}},
	{x86asm.FIDIVR, opInfo{fn: waitFarith, sub: uint8(f80.OpDivR) | arithInt, prep: prepX87}},
	{x86asm.FCHS, opInfo{fn: waitFunary, sub: unChs, prep: prepX87}},
	{x86asm.FABS, opInfo{fn: waitFunary, sub: unAbs, prep: prepX87}},
	{x86asm.FSQRT, opInfo{fn: waitFunary, sub: unSqrt, prep: prepX87}},
	{x86asm.FRNDINT, opInfo{fn: waitFunary, sub: unRndint, prep: prepX87}},
	{x86asm.FSCALE, opInfo{fn: waitFscale, prep: prepX87}},
	{x86asm.FXTRACT, opInfo{fn: waitFxtract, prep: prepX87}},
	{x86asm.FPREM, opInfo{fn: waitFprem, prep: prepX87}},
	{x86asm.FPREM1, opInfo{fn: waitFprem, sub: 1, prep: prepX87}},

	// Compares.
	{x86asm.FCOM, opInfo{fn: waitFcom, prep: prepX87}},
	{x86asm.FCOMP, opInfo{fn: waitFcom, sub: cmpPop1, prep: prepX87}},
	{x86asm.FCOMPP, opInfo{fn: waitFcom, sub: cmpPop2, prep: prepX87}},
	{x86asm.FUCOM, opInfo{fn: waitFcom, sub: cmpQuiet, prep: prepX87}},
	{x86asm.FUCOMP, opInfo{fn: waitFcom, sub: cmpQuiet | cmpPop1, prep: prepX87}},
	{x86asm.FUCOMPP, opInfo{fn: waitFcom, sub: cmpQuiet | cmpPop2, prep: prepX87}},
	{x86asm.FICOM, opInfo{fn: waitFcom, sub: cmpInt, prep: prepX87}},
	{x86asm.FICOMP, opInfo{fn: waitFcom, sub: cmpInt | cmpPop1, prep: prepX87}},
	{x86asm.FCOMI, opInfo{fn: waitFcom, sub: cmpEflags, prep: prepX87}},
	{x86asm.FCOMIP, opInfo{fn: waitFcom, sub: cmpEflags | cmpPop1, prep: prepX87}},
	{x86asm.FUCOMI, opInfo{fn: waitFcom, sub: cmpEflags | cmpQuiet, prep: prepX87}},
	{x86asm.FUCOMIP, opInfo{fn: waitFcom, sub: cmpEflags | cmpQuiet | cmpPop1, prep: prepX87}},
	{x86asm.FTST, opInfo{fn: waitFtst, prep: prepX87}},
	{x86asm.FXAM, opInfo{fn: waitFxam, prep: prepX87}},

	// Stack manipulation.
	{x86asm.FXCH, opInfo{fn: waitFxch, prep: prepX87}},
	{x86asm.FFREE, opInfo{fn: waitFfree, prep: prepX87}},
	{x86asm.FFREEP, opInfo{fn: waitFfree, sub: 1, prep: prepX87}},
	{x86asm.FINCSTP, opInfo{fn: waitFincstp, sub: 1, prep: prepX87}},
	{x86asm.FDECSTP, opInfo{fn: waitFincstp, sub: 7, prep: prepX87}},
	{x86asm.FNOP, opInfo{fn: waitFnop, prep: prepX87}},
	{x86asm.FCMOVB, opInfo{fn: waitFcmov, sub: ccB, prep: prepX87}},
	{x86asm.FCMOVE, opInfo{fn: waitFcmov, sub: ccE, prep: prepX87}},
	{x86asm.FCMOVBE, opInfo{fn: waitFcmov, sub: ccBE, prep: prepX87}},
	{x86asm.FCMOVU, opInfo{fn: waitFcmov, sub: ccP, prep: prepX87}},
	{x86asm.FCMOVNB, opInfo{fn: waitFcmov, sub: ccAE, prep: prepX87}},
	{x86asm.FCMOVNE, opInfo{fn: waitFcmov, sub: ccNE, prep: prepX87}},
	{x86asm.FCMOVNBE, opInfo{fn: waitFcmov, sub: ccA, prep: prepX87}},
	{x86asm.FCMOVNU, opInfo{fn: waitFcmov, sub: ccNP, prep: prepX87}},

	// Transcendental instructions (x87_trans.go).
	{x86asm.FSIN, opInfo{fn: waitFtrig, sub: trigSin, prep: prepX87}},
	{x86asm.FCOS, opInfo{fn: waitFtrig, sub: trigCos, prep: prepX87}},
	{x86asm.FSINCOS, opInfo{fn: waitFtrig, sub: trigSinCos, prep: prepX87}},
	{x86asm.FPTAN, opInfo{fn: waitFtrig, sub: trigTan, prep: prepX87}},
	{x86asm.FPATAN, opInfo{fn: waitFpatan, prep: prepX87}},
	{x86asm.F2XM1, opInfo{fn: waitF2xm1, prep: prepX87}},
	{x86asm.FYL2X, opInfo{fn: waitFyl2x, prep: prepX87}},
	{x86asm.FYL2XP1, opInfo{fn: waitFyl2x, sub: 1, prep: prepX87}},

	// Control and state (x87_env.go).
	{x86asm.FWAIT, opInfo{fn: ctlFnop, prep: prepX87}},
	{x86asm.FLDCW, opInfo{fn: ctlFldcw, prep: prepX87}},
	{x86asm.FLDENV, opInfo{fn: ctlFldenv, prep: prepX87}},
	{x86asm.FRSTOR, opInfo{fn: ctlFrstor, prep: prepX87}},
	{x86asm.FNINIT, opInfo{fn: execFninit, prep: prepX87}},
	{x86asm.FNCLEX, opInfo{fn: execFnclex, prep: prepX87}},
	{x86asm.FNSTCW, opInfo{fn: execFnstcw, prep: prepX87}},
	{x86asm.FNSTSW, opInfo{fn: execFnstsw, prep: prepX87}},
	{x86asm.FNSTENV, opInfo{fn: execFnstenv, prep: prepX87}},
	{x86asm.FNSAVE, opInfo{fn: execFnsave, prep: prepX87}},
	{x86asm.FXSAVE, opInfo{fn: execFxsave, prep: prepX87}},
	{x86asm.FXSAVE64, opInfo{fn: execFxsave, prep: prepX87}},
	{x86asm.FXRSTOR, opInfo{fn: execFxrstor, prep: prepX87}},
	{x86asm.FXRSTOR64, opInfo{fn: execFxrstor, prep: prepX87}},
}

// Waiting x87 handlers: the handler of each x87Ops entry, wrapped by
// x87Op or x87Ctl (top-level functions, so that the table is static).
func waitFld(c *CPU, in *inst) bool      { return c.x87Op(in, execFld) }
func waitFst(c *CPU, in *inst) bool      { return c.x87Op(in, execFst) }
func waitFild(c *CPU, in *inst) bool     { return c.x87Op(in, execFild) }
func waitFist(c *CPU, in *inst) bool     { return c.x87Op(in, execFist) }
func waitFbld(c *CPU, in *inst) bool     { return c.x87Op(in, execFbld) }
func waitFbstp(c *CPU, in *inst) bool    { return c.x87Op(in, execFbstp) }
func waitFldConst(c *CPU, in *inst) bool { return c.x87Op(in, execFldConst) }
func waitFarith(c *CPU, in *inst) bool   { return c.x87Op(in, execFarith) }
func waitFunary(c *CPU, in *inst) bool   { return c.x87Op(in, execFunary) }
func waitFscale(c *CPU, in *inst) bool   { return c.x87Op(in, execFscale) }
func waitFxtract(c *CPU, in *inst) bool  { return c.x87Op(in, execFxtract) }
func waitFprem(c *CPU, in *inst) bool    { return c.x87Op(in, execFprem) }
func waitFcom(c *CPU, in *inst) bool     { return c.x87Op(in, execFcom) }
func waitFtst(c *CPU, in *inst) bool     { return c.x87Op(in, execFtst) }
func waitFxam(c *CPU, in *inst) bool     { return c.x87Op(in, execFxam) }
func waitFxch(c *CPU, in *inst) bool     { return c.x87Op(in, execFxch) }
func waitFfree(c *CPU, in *inst) bool    { return c.x87Op(in, execFfree) }
func waitFincstp(c *CPU, in *inst) bool  { return c.x87Op(in, execFincstp) }
func waitFnop(c *CPU, in *inst) bool     { return c.x87Op(in, execFnop) }
func waitFcmov(c *CPU, in *inst) bool    { return c.x87Op(in, execFcmov) }
func waitFtrig(c *CPU, in *inst) bool    { return c.x87Op(in, execFtrig) }
func waitFpatan(c *CPU, in *inst) bool   { return c.x87Op(in, execFpatan) }
func waitF2xm1(c *CPU, in *inst) bool    { return c.x87Op(in, execF2xm1) }
func waitFyl2x(c *CPU, in *inst) bool    { return c.x87Op(in, execFyl2x) }
func ctlFnop(c *CPU, in *inst) bool      { return c.x87Ctl(in, execFnop) }
func ctlFldcw(c *CPU, in *inst) bool     { return c.x87Ctl(in, execFldcw) }
func ctlFldenv(c *CPU, in *inst) bool    { return c.x87Ctl(in, execFldenv) }
func ctlFrstor(c *CPU, in *inst) bool    { return c.x87Ctl(in, execFrstor) }
