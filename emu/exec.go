package emu

import "golang.org/x/arch/x86/x86asm"

// execBlock runs the instructions of b. It returns false when one trapped:
// c.trap says why and c.RIP is the trapping instruction (or the one after
// it, for traps that complete). On success c.RIP is the next block's PC.
func (c *CPU) execBlock(b *block) bool {
	c.RIP = b.end
	c.pending = false
	insts := b.insts
	for i := range insts {
		in := &insts[i]
		switch in.op {
		case opNop:
		case opMovRR64:
			c.R[in.args[0].reg] = c.R[in.args[1].reg]
		case opMovRR32:
			c.R[in.args[0].reg] = c.R[in.args[1].reg] & 0xffffffff
		case opMovRI64, opMovRI32:
			c.R[in.args[0].reg] = in.imm
		case opMovLoad64:
			v, err := c.tlb.Read64(c.ea(in))
			if err != nil {
				c.memFault(err)
				return c.trapped(in, i)
			}
			c.R[in.args[0].reg] = v
		case opMovLoad32:
			v, err := c.tlb.Read32(c.ea(in))
			if err != nil {
				c.memFault(err)
				return c.trapped(in, i)
			}
			c.R[in.args[0].reg] = v
		case opMovStore64:
			if err := c.tlb.Write64(c.ea(in), c.R[in.args[1].reg]); err != nil {
				c.memFault(err)
				return c.trapped(in, i)
			}
		case opMovStore32:
			if err := c.tlb.Write32(c.ea(in), c.R[in.args[1].reg]&0xffffffff); err != nil {
				c.memFault(err)
				return c.trapped(in, i)
			}
		case opLea64:
			a := in.disp
			if in.base != noReg {
				a += c.R[in.base]
			}
			if in.index != noReg {
				a += c.R[in.index] << in.scale
			}
			c.R[in.args[0].reg] = a
		case opAluRR64:
			c.aluReg(in, 8, c.R[in.args[1].reg])
		case opAluRI64:
			c.aluReg(in, 8, in.imm)
		case opAluRR32:
			c.aluReg(in, 4, c.R[in.args[1].reg]&0xffffffff)
		case opAluRI32:
			c.aluReg(in, 4, in.imm)
		case opTestRR64:
			r := c.R[in.args[0].reg] & c.R[in.args[1].reg]
			c.lf = lazyFlags{kind: fkLogic, size: 8, res: r}
		case opTestRR32:
			r := c.R[in.args[0].reg] & c.R[in.args[1].reg] & 0xffffffff
			c.lf = lazyFlags{kind: fkLogic, size: 4, res: r}
		case opJcc:
			if c.cond(in.sub) {
				c.RIP = in.imm
			}
		case opJmp:
			c.RIP = in.imm
		case opCall:
			sp := c.R[4] - 8
			if err := c.tlb.Write64(sp, in.next()); err != nil {
				c.memFault(err)
				return c.trapped(in, i)
			}
			c.R[4] = sp
			c.RIP = in.imm
		case opRet:
			v, err := c.tlb.Read64(c.R[4])
			if err != nil {
				c.memFault(err)
				return c.trapped(in, i)
			}
			c.R[4] += 8
			c.RIP = v
		case opPush64:
			sp := c.R[4] - 8
			if err := c.tlb.Write64(sp, c.R[in.args[0].reg]); err != nil {
				c.memFault(err)
				return c.trapped(in, i)
			}
			c.R[4] = sp
		case opPop64:
			v, err := c.tlb.Read64(c.R[4])
			if err != nil {
				c.memFault(err)
				return c.trapped(in, i)
			}
			c.R[4] += 8
			c.R[in.args[0].reg] = v
		default:
			if !in.fn(c, in) {
				return c.trapped(in, i)
			}
		}
		if c.pending {
			// The instruction changed translated code: leave the block so
			// that the next instruction is fetched again.
			c.pending = false
			if i+1 < len(insts) {
				c.RIP = in.next()
				c.icount += uint64(i + 1)
				return true
			}
		}
	}
	c.icount += uint64(len(insts))
	return true
}

// trapped finishes a block that stopped at insts[i] with a trap.
func (c *CPU) trapped(in *inst, i int) bool {
	if c.trap.kind.completes() {
		c.RIP = in.next()
		c.icount += uint64(i + 1)
	} else {
		c.RIP = in.pc
		c.icount += uint64(i)
	}
	return false
}

// aluReg runs a register-destination ALU operation of the fast path (no
// ADC/SBB: specialize leaves those to the generic handler).
func (c *CPU) aluReg(in *inst, size uint8, b uint64) {
	d := &c.R[in.args[0].reg]
	a := *d & sizeMask[size]
	res, lf := alu(in.sub, size, a, b, false)
	if in.sub != aluCmp && in.sub != aluTest {
		*d = res
	}
	c.lf = lf
}

// specialize picks a fast-path operation for the commonest instruction
// forms. Each fast op must behave exactly like the generic handler.
func specialize(in *inst) {
	if in.fl&instUnimpl != 0 || in.rep != repNone {
		return
	}
	a0, a1 := in.args[0], in.args[1]
	reg64 := func(a arg) bool { return a.kind == argReg && a.size == 8 }
	reg32 := func(a arg) bool { return a.kind == argReg && a.size == 4 }
	plainMem := in.seg == segNone && !in.addr32
	switch in.xop {
	case x86asm.NOP:
		in.op = opNop
	case x86asm.MOV:
		switch {
		case reg64(a0) && reg64(a1):
			in.op = opMovRR64
		case reg32(a0) && reg32(a1):
			in.op = opMovRR32
		case reg64(a0) && a1.kind == argImm:
			in.op = opMovRI64
		case reg32(a0) && a1.kind == argImm:
			in.op = opMovRI32
		case reg64(a0) && a1.kind == argMem && a1.size == 8:
			in.op = opMovLoad64
		case reg32(a0) && a1.kind == argMem && a1.size == 4:
			in.op = opMovLoad32
		case a0.kind == argMem && a0.size == 8 && reg64(a1):
			in.op = opMovStore64
		case a0.kind == argMem && a0.size == 4 && reg32(a1):
			in.op = opMovStore32
		}
	case x86asm.LEA:
		if reg64(a0) && plainMem {
			in.op = opLea64
		}
	case x86asm.ADD, x86asm.SUB, x86asm.AND, x86asm.OR, x86asm.XOR, x86asm.CMP:
		switch {
		case reg64(a0) && reg64(a1):
			in.op = opAluRR64
		case reg64(a0) && a1.kind == argImm:
			in.op = opAluRI64
		case reg32(a0) && reg32(a1):
			in.op = opAluRR32
		case reg32(a0) && a1.kind == argImm:
			in.op = opAluRI32
		}
	case x86asm.TEST:
		switch {
		case reg64(a0) && reg64(a1):
			in.op = opTestRR64
		case reg32(a0) && reg32(a1):
			in.op = opTestRR32
		}
	case x86asm.JA, x86asm.JAE, x86asm.JB, x86asm.JBE, x86asm.JE, x86asm.JG, x86asm.JGE, x86asm.JL,
		x86asm.JLE, x86asm.JNE, x86asm.JNO, x86asm.JNP, x86asm.JNS, x86asm.JO, x86asm.JP, x86asm.JS:
		in.op = opJcc
	case x86asm.JMP:
		if a0.kind == argImm {
			in.op = opJmp
		}
	case x86asm.CALL:
		if a0.kind == argImm {
			in.op = opCall
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
