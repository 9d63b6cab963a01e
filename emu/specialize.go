package emu

import "golang.org/x/arch/x86/x86asm"

// specialize picks a fast-path operation for the commonest instruction
// forms, with operand kinds and sizes resolved here so that the execution
// switch (exec.go) does no operand decoding. Each fast op must behave
// exactly like the generic handler it replaces; the form tester and the
// sweep run every form both ways.
func specialize(in *inst) {
	if in.fl&instUnimpl != 0 || in.rep != repNone {
		return
	}
	if in.xop == x86asm.MOVSB && !in.addr32 && in.seg == segNone {
		in.op = opMovsb // its operands were dropped by prepString
		return
	}
	a0, a1, a2 := in.args[0], in.args[1], in.args[2]
	if a2.kind != argNone && in.xop != x86asm.IMUL {
		return
	}
	reg64 := func(a arg) bool { return a.kind == argReg && a.size == 8 }
	reg32 := func(a arg) bool { return a.kind == argReg && a.size == 4 }
	reg3264 := func(a arg) bool { return a.kind == argReg && (a.size == 4 || a.size == 8) }
	gpr := func(a arg) bool { // a register other than AH-BH, any size
		return a.kind == argReg && (a.size == 1 || a.size == 2 || a.size == 4 || a.size == 8)
	}
	mem := func(a arg) bool {
		return a.kind == argMem && (a.size == 1 || a.size == 2 || a.size == 4 || a.size == 8)
	}
	imm := a1.kind == argImm
	switch in.xop {
	case x86asm.NOP:
		in.op = opNop
	case x86asm.MOV:
		switch {
		case reg64(a0) && reg64(a1):
			in.op = opMovRR64
		case reg32(a0) && reg32(a1):
			in.op = opMovRR32
		case reg64(a0) && imm:
			in.op = opMovRI64
		case reg32(a0) && imm:
			in.op = opMovRI32
		case reg64(a0) && a1.kind == argMem && a1.size == 8:
			in.op = opMovLoad64
		case reg32(a0) && a1.kind == argMem && a1.size == 4:
			in.op = opMovLoad32
		case a0.kind == argMem && a0.size == 8 && reg64(a1):
			in.op = opMovStore64
		case a0.kind == argMem && a0.size == 4 && reg32(a1):
			in.op = opMovStore32
		case a0.kind == argMem && a0.size == 2 && gpr(a1) && a1.size == 2:
			in.op = opMovStore16
		case a0.kind == argMem && a0.size == 1 && gpr(a1) && a1.size == 1:
			in.op = opMovStore8
		case mem(a0) && imm:
			in.op = opMovStoreI
		}
	case x86asm.MOVZX:
		switch {
		case reg3264(a0) && a1.kind == argMem && a1.size == 1:
			in.op = opMovzxLoad8
		case reg3264(a0) && a1.kind == argMem && a1.size == 2:
			in.op = opMovzxLoad16
		case reg3264(a0) && gpr(a1) && a1.size <= 2:
			in.op = opMovzxRR
		}
	case x86asm.MOVSX, x86asm.MOVSXD:
		switch {
		case reg3264(a0) && a1.kind == argMem && a1.size == 1:
			in.op = opMovsxLoad8
		case reg3264(a0) && a1.kind == argMem && a1.size == 2:
			in.op = opMovsxLoad16
		case reg64(a0) && a1.kind == argMem && a1.size == 4:
			in.op = opMovsxLoad32
		case reg3264(a0) && gpr(a1) && a1.size < a0.size:
			in.op = opMovsxRR
		}
	case x86asm.LEA:
		switch {
		case reg64(a0) && !in.addr32:
			in.op = opLea64
		case reg32(a0):
			in.op = opLea32
		}
	case x86asm.ADD, x86asm.SUB, x86asm.AND, x86asm.OR, x86asm.XOR, x86asm.CMP, x86asm.TEST:
		specializeALU(in, a0, a1)
	case x86asm.MOVAPS, x86asm.MOVAPD, x86asm.MOVDQA, x86asm.MOVUPS, x86asm.MOVUPD, x86asm.MOVDQU:
		aligned := in.xop == x86asm.MOVAPS || in.xop == x86asm.MOVAPD || in.xop == x86asm.MOVDQA
		switch {
		case a0.kind == argXMM && a1.kind == argXMM:
			in.op = opMovXX
		case aligned:
			// memory forms check alignment: the generic handler
		case a0.kind == argXMM && a1.kind == argMem:
			in.op = opMovXLoad
		case a0.kind == argMem && a1.kind == argXMM:
			in.op = opMovXStore
		}
	case x86asm.MOVSD_XMM:
		switch {
		case a0.kind == argXMM && a1.kind == argMem:
			in.op = opMovsdLoad
		case a0.kind == argMem && a1.kind == argXMM:
			in.op = opMovsdStore
		}
	case x86asm.ADDSD, x86asm.SUBSD, x86asm.MULSD, x86asm.DIVSD:
		if a0.kind == argXMM && (a1.kind == argXMM || a1.kind == argMem && a1.size == 8) {
			in.op = opFPsd
		}
	case x86asm.ADDPD, x86asm.SUBPD, x86asm.MULPD, x86asm.DIVPD:
		if a0.kind == argXMM && a1.kind == argXMM {
			in.op = opFPpd
		}
	case x86asm.UNPCKLPD, x86asm.UNPCKHPD:
		if a0.kind == argXMM && a1.kind == argXMM {
			in.op = opUnpcklpd
			if in.xop == x86asm.UNPCKHPD {
				in.op = opUnpckhpd
			}
		}
	case x86asm.NOT:
		if reg3264(a0) {
			in.op = opNotR
		}
	case x86asm.INC, x86asm.DEC, x86asm.NEG:
		if reg3264(a0) {
			switch in.xop {
			case x86asm.INC:
				in.op = opIncR
			case x86asm.DEC:
				in.op = opDecR
			default:
				in.op = opNegR
			}
		}
	case x86asm.IMUL:
		switch {
		case reg3264(a0) && a1.kind == argReg && a1.size == a0.size && a2.kind == argNone:
			in.op = opImulRR
		case reg3264(a0) && a1.kind == argReg && a1.size == a0.size && a2.kind == argImm:
			in.op = opImulRRI
		}
	case x86asm.SHL, x86asm.SHR, x86asm.SAR, x86asm.ROL, x86asm.ROR:
		switch {
		case gpr(a0) && imm:
			in.op = opShiftRI
			// The masked count, as shiftCount computes it.
			in.imm2 = in.imm & 31
			if a0.size == 8 {
				in.imm2 = in.imm & 63
			}
		case gpr(a0) && a1.kind == argReg && a1.size == 1 && a1.reg == 1: // CL
			in.op = opShiftRC
			in.imm2 = 31
			if a0.size == 8 {
				in.imm2 = 63
			}
		}
	case x86asm.SETO, x86asm.SETNO, x86asm.SETB, x86asm.SETAE, x86asm.SETE, x86asm.SETNE, x86asm.SETBE, x86asm.SETA,
		x86asm.SETS, x86asm.SETNS, x86asm.SETP, x86asm.SETNP, x86asm.SETL, x86asm.SETGE, x86asm.SETLE, x86asm.SETG:
		if a0.kind == argReg && a0.size == 1 {
			in.op = opSetcc
		}
	case x86asm.CMOVO, x86asm.CMOVNO, x86asm.CMOVB, x86asm.CMOVAE, x86asm.CMOVE, x86asm.CMOVNE, x86asm.CMOVBE, x86asm.CMOVA,
		x86asm.CMOVS, x86asm.CMOVNS, x86asm.CMOVP, x86asm.CMOVNP, x86asm.CMOVL, x86asm.CMOVGE, x86asm.CMOVLE, x86asm.CMOVG:
		if reg3264(a0) && a1.kind == argReg && a1.size == a0.size {
			in.op = opCmovRR
		}
	case x86asm.JA, x86asm.JAE, x86asm.JB, x86asm.JBE, x86asm.JE, x86asm.JG, x86asm.JGE, x86asm.JL,
		x86asm.JLE, x86asm.JNE, x86asm.JNO, x86asm.JNP, x86asm.JNS, x86asm.JO, x86asm.JP, x86asm.JS:
		switch in.sub {
		case ccE:
			in.op = opJe
		case ccNE:
			in.op = opJne
		default:
			in.op = opJcc
		}
	case x86asm.JMP:
		switch {
		case a0.kind == argImm:
			in.op = opJmp
		case reg64(a0):
			in.op = opJmpR
		case a0.kind == argMem:
			in.op = opJmpM
		}
	case x86asm.CALL:
		switch {
		case a0.kind == argImm:
			in.op = opCall
		case reg64(a0):
			in.op = opCallR
		case a0.kind == argMem:
			in.op = opCallM
		}
	case x86asm.RET:
		if a0.kind == argNone {
			in.op = opRet
		}
	case x86asm.PUSH:
		if reg64(a0) {
			in.op = opPush64
		}
	case x86asm.POP:
		if reg64(a0) && a0.reg != 4 {
			in.op = opPop64
		}
	}
}

// aluFast lists the register fast ops of ADD, SUB, CMP, AND, OR, XOR and
// TEST: [sub][0: 64-bit, 1: 32-bit][0: reg-reg, 1: reg-imm].
var aluFast = [...][2][2]fastOp{
	aluAdd:  {{opAddRR64, opAddRI64}, {opAddRR32, opAddRI32}},
	aluOr:   {{opOrRR64, opOrRI64}, {opOrRR32, opOrRI32}},
	aluAnd:  {{opAndRR64, opAndRI64}, {opAndRR32, opAndRI32}},
	aluSub:  {{opSubRR64, opSubRI64}, {opSubRR32, opSubRI32}},
	aluXor:  {{opXorRR64, opXorRI64}, {opXorRR32, opXorRI32}},
	aluCmp:  {{opCmpRR64, opCmpRI64}, {opCmpRR32, opCmpRI32}},
	aluTest: {{opTestRR64, opTestRI64}, {opTestRR32, opTestRI32}},
}

// specializeALU picks the fast op of a two-operand ALU instruction (not
// ADC or SBB, which the table leaves to the generic handler).
func specializeALU(in *inst, a0, a1 arg) {
	if in.sub == aluAdc || in.sub == aluSbb || int(in.sub) >= len(aluFast) {
		return
	}
	gpr := func(a arg) bool {
		return a.kind == argReg && (a.size == 1 || a.size == 2 || a.size == 4 || a.size == 8)
	}
	mem := func(a arg) bool {
		return a.kind == argMem && (a.size == 1 || a.size == 2 || a.size == 4 || a.size == 8)
	}
	switch {
	case gpr(a0) && (a0.size == 8 || a0.size == 4) && (a1.kind == argImm || gpr(a1) && a1.size == a0.size):
		w := 0
		if a0.size == 4 {
			w = 1
		}
		f := 0
		if a1.kind == argImm {
			f = 1
		}
		in.op = aluFast[in.sub][w][f]
	case gpr(a0) && gpr(a1) && a1.size == a0.size:
		in.op = opAluRRn
	case gpr(a0) && a1.kind == argImm:
		in.op = opAluRIn
	case gpr(a0) && mem(a1) && a1.size == a0.size:
		in.op = opAluRM
	case mem(a0) && gpr(a1) && a1.size == a0.size:
		in.op = opAluMR
	case mem(a0) && a1.kind == argImm:
		in.op = opAluMI
	}
}

// fusedBranch maps a compare's fast op to its compare-and-branch op.
var fusedBranch = map[fastOp]fastOp{
	opCmpRR64:  opCmpRR64J,
	opCmpRI64:  opCmpRI64J,
	opCmpRR32:  opCmpRR32J,
	opCmpRI32:  opCmpRI32J,
	opTestRR64: opTestRR64J,
	opTestRR32: opTestRR32J,
}

// fuse turns a block's final compare + conditional branch into one
// compare-and-branch op on the compare; the branch stays in the block (it
// still counts as an instruction retired) but is skipped when the fused
// op ran. Neither instruction can fault, so the pair commits together.
func fuse(insts []inst) {
	n := len(insts)
	if n < 2 {
		return
	}
	j, c := &insts[n-1], &insts[n-2]
	if j.op != opJcc && j.op != opJe && j.op != opJne {
		return
	}
	if f, ok := fusedBranch[c.op]; ok {
		c.op, c.cc, c.imm2 = f, j.sub, j.imm
	}
}
