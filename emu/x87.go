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

// x87Op wraps a waiting non-control instruction.
func x87Op(fn handler) handler {
	return func(c *CPU, in *inst) bool {
		if c.fpu.sw&swES != 0 {
			return c.pendingTrap()
		}
		if !fn(c, in) {
			return false
		}
		c.notePointers(in)
		return true
	}
}

// x87Ctl wraps a waiting control instruction (FLDCW, FLDENV, FRSTOR,
// FWAIT).
func x87Ctl(fn handler) handler {
	return func(c *CPU, in *inst) bool {
		if c.fpu.sw&swES != 0 {
			return c.pendingTrap()
		}
		return fn(c, in)
	}
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

var x87Ops = buildX87Ops()

func buildX87Ops() map[x86asm.Op]opInfo {
	m := map[x86asm.Op]opInfo{}
	op := func(o x86asm.Op, fn handler, sub uint8) {
		m[o] = opInfo{fn: x87Op(fn), sub: sub, prep: prepX87}
	}
	ctl := func(o x86asm.Op, fn handler) {
		m[o] = opInfo{fn: x87Ctl(fn), prep: prepX87}
	}
	nowait := func(o x86asm.Op, fn handler) {
		m[o] = opInfo{fn: fn, prep: prepX87}
	}

	// Loads and stores (x87_mem.go).
	op(x86asm.FLD, execFld, 0)
	op(x86asm.FST, execFst, 0)
	op(x86asm.FSTP, execFst, 1)
	op(x86asm.FILD, execFild, 0)
	op(x86asm.FIST, execFist, 0)
	op(x86asm.FISTP, execFist, 1)
	op(x86asm.FISTTP, execFist, 2)
	op(x86asm.FBLD, execFbld, 0)
	op(x86asm.FBSTP, execFbstp, 0)
	op(x86asm.FLD1, execFldConst, uint8(f80.ConstOne))
	op(x86asm.FLDL2T, execFldConst, uint8(f80.ConstL2T))
	op(x86asm.FLDL2E, execFldConst, uint8(f80.ConstL2E))
	op(x86asm.FLDPI, execFldConst, uint8(f80.ConstPi))
	op(x86asm.FLDLG2, execFldConst, uint8(f80.ConstLG2))
	op(x86asm.FLDLN2, execFldConst, uint8(f80.ConstLN2))
	op(x86asm.FLDZ, execFldConst, uint8(f80.ConstZero))

	// Arithmetic (x87_arith.go).
	for o, b := range map[x86asm.Op]f80.Binary{
		x86asm.FADD: f80.OpAdd, x86asm.FSUB: f80.OpSub, x86asm.FSUBR: f80.OpSubR,
		x86asm.FMUL: f80.OpMul, x86asm.FDIV: f80.OpDiv, x86asm.FDIVR: f80.OpDivR,
	} {
		op(o, execFarith, uint8(b))
	}
	for o, b := range map[x86asm.Op]f80.Binary{
		x86asm.FADDP: f80.OpAdd, x86asm.FSUBP: f80.OpSub, x86asm.FSUBRP: f80.OpSubR,
		x86asm.FMULP: f80.OpMul, x86asm.FDIVP: f80.OpDiv, x86asm.FDIVRP: f80.OpDivR,
	} {
		op(o, execFarith, uint8(b)|arithPop)
	}
	for o, b := range map[x86asm.Op]f80.Binary{
		x86asm.FIADD: f80.OpAdd, x86asm.FISUB: f80.OpSub, x86asm.FISUBR: f80.OpSubR,
		x86asm.FIMUL: f80.OpMul, x86asm.FIDIV: f80.OpDiv, x86asm.FIDIVR: f80.OpDivR,
	} {
		op(o, execFarith, uint8(b)|arithInt)
	}
	op(x86asm.FCHS, execFunary, unChs)
	op(x86asm.FABS, execFunary, unAbs)
	op(x86asm.FSQRT, execFunary, unSqrt)
	op(x86asm.FRNDINT, execFunary, unRndint)
	op(x86asm.FSCALE, execFscale, 0)
	op(x86asm.FXTRACT, execFxtract, 0)
	op(x86asm.FPREM, execFprem, 0)
	op(x86asm.FPREM1, execFprem, 1)

	// Compares.
	op(x86asm.FCOM, execFcom, 0)
	op(x86asm.FCOMP, execFcom, cmpPop1)
	op(x86asm.FCOMPP, execFcom, cmpPop2)
	op(x86asm.FUCOM, execFcom, cmpQuiet)
	op(x86asm.FUCOMP, execFcom, cmpQuiet|cmpPop1)
	op(x86asm.FUCOMPP, execFcom, cmpQuiet|cmpPop2)
	op(x86asm.FICOM, execFcom, cmpInt)
	op(x86asm.FICOMP, execFcom, cmpInt|cmpPop1)
	op(x86asm.FCOMI, execFcom, cmpEflags)
	op(x86asm.FCOMIP, execFcom, cmpEflags|cmpPop1)
	op(x86asm.FUCOMI, execFcom, cmpEflags|cmpQuiet)
	op(x86asm.FUCOMIP, execFcom, cmpEflags|cmpQuiet|cmpPop1)
	op(x86asm.FTST, execFtst, 0)
	op(x86asm.FXAM, execFxam, 0)

	// Stack manipulation.
	op(x86asm.FXCH, execFxch, 0)
	op(x86asm.FFREE, execFfree, 0)
	op(x86asm.FFREEP, execFfree, 1)
	op(x86asm.FINCSTP, execFincstp, 1)
	op(x86asm.FDECSTP, execFincstp, 7)
	op(x86asm.FNOP, execFnop, 0)
	for o, cc := range map[x86asm.Op]uint8{
		x86asm.FCMOVB: ccB, x86asm.FCMOVE: ccE, x86asm.FCMOVBE: ccBE, x86asm.FCMOVU: ccP,
		x86asm.FCMOVNB: ccAE, x86asm.FCMOVNE: ccNE, x86asm.FCMOVNBE: ccA, x86asm.FCMOVNU: ccNP,
	} {
		op(o, execFcmov, cc)
	}

	// Transcendental instructions (x87_trans.go).
	op(x86asm.FSIN, execFtrig, trigSin)
	op(x86asm.FCOS, execFtrig, trigCos)
	op(x86asm.FSINCOS, execFtrig, trigSinCos)
	op(x86asm.FPTAN, execFtrig, trigTan)
	op(x86asm.FPATAN, execFpatan, 0)
	op(x86asm.F2XM1, execF2xm1, 0)
	op(x86asm.FYL2X, execFyl2x, 0)
	op(x86asm.FYL2XP1, execFyl2x, 1)

	// Control and state (x87_env.go).
	ctl(x86asm.FWAIT, execFnop)
	ctl(x86asm.FLDCW, execFldcw)
	ctl(x86asm.FLDENV, execFldenv)
	ctl(x86asm.FRSTOR, execFrstor)
	nowait(x86asm.FNINIT, execFninit)
	nowait(x86asm.FNCLEX, execFnclex)
	nowait(x86asm.FNSTCW, execFnstcw)
	nowait(x86asm.FNSTSW, execFnstsw)
	nowait(x86asm.FNSTENV, execFnstenv)
	nowait(x86asm.FNSAVE, execFnsave)
	nowait(x86asm.FXSAVE, execFxsave)
	nowait(x86asm.FXSAVE64, execFxsave)
	nowait(x86asm.FXRSTOR, execFxrstor)
	nowait(x86asm.FXRSTOR64, execFxrstor)
	return m
}
