package emu

import (
	"math/bits"

	"golang.org/x/arch/x86/x86asm"
)

var moveOps = []opEntry{
	{x86asm.MOV, opInfo{fn: execMov}},
	{x86asm.MOVZX, opInfo{fn: execMovzx}},
	{x86asm.MOVSX, opInfo{fn: execMovsx}},
	{x86asm.MOVSXD, opInfo{fn: execMovsx}},
	{x86asm.LEA, opInfo{fn: execLea}},
	{x86asm.XCHG, opInfo{fn: execXchg}},
	{x86asm.CMPXCHG, opInfo{fn: execCmpxchg}},
	{x86asm.CMPXCHG8B, opInfo{fn: execCmpxchg8b}},
	{x86asm.CMPXCHG16B, opInfo{fn: execCmpxchg16b}},
	{x86asm.XADD, opInfo{fn: execXadd}},
	{x86asm.PUSH, opInfo{fn: execPush, prep: prepPushPop}},
	{x86asm.POP, opInfo{fn: execPop, prep: prepPushPop}},
	{x86asm.PUSHFQ, opInfo{fn: execPushf}},
	{x86asm.POPFQ, opInfo{fn: execPopf}},
	{x86asm.CBW, opInfo{fn: execCbw, sub: 2}},
	{x86asm.CWDE, opInfo{fn: execCbw, sub: 4}},
	{x86asm.CDQE, opInfo{fn: execCbw, sub: 8}},
	{x86asm.CWD, opInfo{fn: execCwd, sub: 2}},
	{x86asm.CDQ, opInfo{fn: execCwd, sub: 4}},
	{x86asm.CQO, opInfo{fn: execCwd, sub: 8}},
	{x86asm.LAHF, opInfo{fn: execLahf}},
	{x86asm.SAHF, opInfo{fn: execSahf}},
	{x86asm.CLC, opInfo{fn: execFlagOp, sub: 0}},
	{x86asm.STC, opInfo{fn: execFlagOp, sub: 1}},
	{x86asm.CMC, opInfo{fn: execFlagOp, sub: 2}},
	{x86asm.CLD, opInfo{fn: execFlagOp, sub: 3}},
	{x86asm.STD, opInfo{fn: execFlagOp, sub: 4}},
	{x86asm.LEAVE, opInfo{fn: execLeave}},
	{x86asm.ENTER, opInfo{fn: execEnter}},
	{x86asm.BSWAP, opInfo{fn: execBswap}},
	{x86asm.XLATB, opInfo{fn: execXlat}},
	{x86asm.MOVBE, opInfo{fn: execMovbe}},
	{x86asm.MOVNTI, opInfo{fn: execMov}},

	{x86asm.CMOVO, opInfo{fn: execCmov, sub: ccO}}, {x86asm.CMOVNO, opInfo{fn: execCmov, sub: ccNO}},
	{x86asm.CMOVB, opInfo{fn: execCmov, sub: ccB}}, {x86asm.CMOVAE, opInfo{fn: execCmov, sub: ccAE}},
	{x86asm.CMOVE, opInfo{fn: execCmov, sub: ccE}}, {x86asm.CMOVNE, opInfo{fn: execCmov, sub: ccNE}},
	{x86asm.CMOVBE, opInfo{fn: execCmov, sub: ccBE}}, {x86asm.CMOVA, opInfo{fn: execCmov, sub: ccA}},
	{x86asm.CMOVS, opInfo{fn: execCmov, sub: ccS}}, {x86asm.CMOVNS, opInfo{fn: execCmov, sub: ccNS}},
	{x86asm.CMOVP, opInfo{fn: execCmov, sub: ccP}}, {x86asm.CMOVNP, opInfo{fn: execCmov, sub: ccNP}},
	{x86asm.CMOVL, opInfo{fn: execCmov, sub: ccL}}, {x86asm.CMOVGE, opInfo{fn: execCmov, sub: ccGE}},
	{x86asm.CMOVLE, opInfo{fn: execCmov, sub: ccLE}}, {x86asm.CMOVG, opInfo{fn: execCmov, sub: ccG}},

	{x86asm.SETO, opInfo{fn: execSetcc, sub: ccO}}, {x86asm.SETNO, opInfo{fn: execSetcc, sub: ccNO}},
	{x86asm.SETB, opInfo{fn: execSetcc, sub: ccB}}, {x86asm.SETAE, opInfo{fn: execSetcc, sub: ccAE}},
	{x86asm.SETE, opInfo{fn: execSetcc, sub: ccE}}, {x86asm.SETNE, opInfo{fn: execSetcc, sub: ccNE}},
	{x86asm.SETBE, opInfo{fn: execSetcc, sub: ccBE}}, {x86asm.SETA, opInfo{fn: execSetcc, sub: ccA}},
	{x86asm.SETS, opInfo{fn: execSetcc, sub: ccS}}, {x86asm.SETNS, opInfo{fn: execSetcc, sub: ccNS}},
	{x86asm.SETP, opInfo{fn: execSetcc, sub: ccP}}, {x86asm.SETNP, opInfo{fn: execSetcc, sub: ccNP}},
	{x86asm.SETL, opInfo{fn: execSetcc, sub: ccL}}, {x86asm.SETGE, opInfo{fn: execSetcc, sub: ccGE}},
	{x86asm.SETLE, opInfo{fn: execSetcc, sub: ccLE}}, {x86asm.SETG, opInfo{fn: execSetcc, sub: ccG}},
}

// memAddr returns the effective address if operand a is in memory.
func (c *CPU) memAddr(in *inst, a arg) uint64 {
	if a.kind == argMem {
		return c.ea(in)
	}
	return 0
}

func execMov(c *CPU, in *inst) bool {
	d, s := in.args[0], in.args[1]
	var addr uint64
	if d.kind == argMem || s.kind == argMem {
		addr = c.ea(in)
	}
	if d.kind == argSeg {
		// Loading a segment register: only the null or user data selector
		// into DS, ES or SS is something a user program may do.
		v, ok := c.readArg(in, s, addr)
		if !ok {
			return false
		}
		if d.reg == 1 || (v != 0 && v != 0x2b) {
			return c.raise(trapGP)
		}
		return true
	}
	v, ok := c.readArg(in, s, addr)
	if !ok {
		return false
	}
	return c.writeArg(d, addr, v)
}

func execMovzx(c *CPU, in *inst) bool {
	d, s := in.args[0], in.args[1]
	v, ok := c.readArg(in, s, c.memAddr(in, s))
	if !ok {
		return false
	}
	c.setReg(d, v)
	return true
}

func execMovsx(c *CPU, in *inst) bool {
	d, s := in.args[0], in.args[1]
	v, ok := c.readArg(in, s, c.memAddr(in, s))
	if !ok {
		return false
	}
	c.setReg(d, sext(v, s.size))
	return true
}

func execLea(c *CPU, in *inst) bool {
	// LEA computes the address without the segment base.
	a := in.disp
	if in.base != noReg {
		a += c.R[in.base]
	}
	if in.index != noReg {
		a += c.R[in.index] << in.scale
	}
	if in.addr32 {
		a &= 0xffffffff
	}
	c.setReg(in.args[0], a)
	return true
}

func execXchg(c *CPU, in *inst) bool {
	d, s := in.args[0], in.args[1]
	if s.kind == argMem {
		d, s = s, d
	}
	addr := c.memAddr(in, d)
	a, ok := c.readArg(in, d, addr)
	if !ok {
		return false
	}
	b := c.getReg(s)
	if !c.writeArg(d, addr, b) {
		return false
	}
	c.setReg(s, a)
	return true
}

func execCmpxchg(c *CPU, in *inst) bool {
	d, s := in.args[0], in.args[1]
	addr := c.memAddr(in, d)
	cur, ok := c.readArg(in, d, addr)
	if !ok {
		return false
	}
	acc := arg{kind: argReg, size: d.size, reg: 0}
	a := c.getReg(acc)
	_, lf := alu(aluCmp, d.size, a, cur, false)
	if a == cur {
		if !c.writeArg(d, addr, c.getReg(s)) {
			return false
		}
	} else {
		// The destination is written back unchanged (a locked
		// read-modify-write), then the accumulator gets its value.
		if d.kind == argMem && !c.store(addr, d.size, cur) {
			return false
		}
		c.setReg(acc, cur)
	}
	c.lf = lf
	return true
}

func execCmpxchg8b(c *CPU, in *inst) bool {
	addr := c.ea(in)
	cur, ok := c.load(addr, 8)
	if !ok {
		return false
	}
	want := c.R[0]&0xffffffff | c.R[2]<<32
	if cur == want {
		if !c.store(addr, 8, c.R[3]&0xffffffff|c.R[1]<<32) {
			return false
		}
		c.setArith(flagZF, flagZF)
		return true
	}
	if !c.store(addr, 8, cur) {
		return false
	}
	c.R[0] = cur & 0xffffffff
	c.R[2] = cur >> 32
	c.setArith(flagZF, 0)
	return true
}

func execCmpxchg16b(c *CPU, in *inst) bool {
	addr := c.ea(in)
	if addr&15 != 0 {
		return c.raise(trapGP)
	}
	lo, hi, ok := c.load128(addr)
	if !ok {
		return false
	}
	if lo == c.R[0] && hi == c.R[2] {
		if !c.store128(addr, c.R[3], c.R[1]) {
			return false
		}
		c.setArith(flagZF, flagZF)
		return true
	}
	if !c.store128(addr, lo, hi) {
		return false
	}
	c.R[0], c.R[2] = lo, hi
	c.setArith(flagZF, 0)
	return true
}

func execXadd(c *CPU, in *inst) bool {
	d, s := in.args[0], in.args[1]
	addr, a, b, ok := c.rmwRegSrc(in)
	if !ok {
		return false
	}
	res, lf := alu(aluAdd, d.size, a, b, false)
	if !c.writeArg(d, addr, res) {
		return false
	}
	if d.kind != argMem && d.reg == s.reg && d.kind == s.kind {
		// xadd r, r: the destination gets the sum.
	} else {
		c.setReg(s, a)
	}
	c.lf = lf
	return true
}

// prepPushPop fixes operand sizes: PUSH/POP move 8 bytes unless a 66
// prefix makes them move 2.
func prepPushPop(xi *x86asm.Inst, in *inst) bool {
	a := &in.args[0]
	if a.kind == argImm {
		if xi.DataSize == 16 {
			a.size = 2
			in.imm &= 0xffff
		} else {
			a.size = 8
		}
		return true
	}
	if a.kind == argMem {
		a.size = 8
		if xi.DataSize == 16 {
			a.size = 2
		}
	}
	return a.kind != argSeg && (a.size == 8 || a.size == 2)
}

func execPush(c *CPU, in *inst) bool {
	a := in.args[0]
	v, ok := c.readArg(in, a, c.memAddr(in, a))
	if !ok {
		return false
	}
	if a.size == 2 {
		sp := c.R[4] - 2
		if !c.store(sp, 2, v) {
			return false
		}
		c.R[4] = sp
		return true
	}
	return c.push(v)
}

func execPop(c *CPU, in *inst) bool {
	a := in.args[0]
	size := uint64(a.size)
	v, ok := c.load(c.R[4], a.size)
	if !ok {
		return false
	}
	old := c.R[4]
	c.R[4] += size // a memory destination based on RSP sees the new RSP
	if a.kind == argMem {
		if !c.store(c.ea(in), a.size, v) {
			c.R[4] = old
			return false
		}
		return true
	}
	c.setReg(a, v)
	return true
}

func execPushf(c *CPU, in *inst) bool {
	return c.push(c.getFlags())
}

func execPopf(c *CPU, in *inst) bool {
	v, ok := c.pop()
	if !ok {
		return false
	}
	c.setFlags(v)
	return true
}

// execCbw: CBW, CWDE, CDQE sign-extend the low half of the accumulator;
// sub is the destination size.
func execCbw(c *CPU, in *inst) bool {
	size := in.sub
	v := sext(c.R[0], size/2)
	c.setReg(arg{kind: argReg, size: size, reg: 0}, v)
	return true
}

// execCwd: CWD, CDQ, CQO fill DX/EDX/RDX with the accumulator's sign.
func execCwd(c *CPU, in *inst) bool {
	size := in.sub
	var v uint64
	if c.R[0]&signBit[size] != 0 {
		v = ^uint64(0)
	}
	c.setReg(arg{kind: argReg, size: size, reg: 2}, v)
	return true
}

func execLahf(c *CPU, in *inst) bool {
	f := c.getFlags() & (flagSF | flagZF | flagAF | flagPF | flagCF)
	c.setReg(arg{kind: argRegHi, size: 1, reg: 0}, f|2)
	return true
}

func execSahf(c *CPU, in *inst) bool {
	ah := (c.R[0] >> 8) & 0xff
	c.setArith(flagSF|flagZF|flagAF|flagPF|flagCF, ah)
	return true
}

func execFlagOp(c *CPU, in *inst) bool {
	switch in.sub {
	case 0:
		c.setCF(false)
	case 1:
		c.setCF(true)
	case 2:
		c.setCF(!c.cf())
	case 3:
		c.rflags &^= flagDF
	case 4:
		c.rflags |= flagDF
	}
	return true
}

func execLeave(c *CPU, in *inst) bool {
	v, ok := c.load(c.R[5], 8)
	if !ok {
		return false
	}
	c.R[4] = c.R[5] + 8
	c.R[5] = v
	return true
}

func execEnter(c *CPU, in *inst) bool {
	size, level := in.imm&0xffff, in.imm2&31
	sp := c.R[4] - 8
	if !c.store(sp, 8, c.R[5]) {
		return false
	}
	frame := sp
	bp := c.R[5]
	for i := uint64(1); i < level; i++ {
		bp -= 8
		v, ok := c.load(bp, 8)
		if !ok {
			return false
		}
		sp -= 8
		if !c.store(sp, 8, v) {
			return false
		}
	}
	if level > 0 {
		sp -= 8
		if !c.store(sp, 8, frame) {
			return false
		}
	}
	c.R[5] = frame
	c.R[4] = sp - size
	return true
}

func execBswap(c *CPU, in *inst) bool {
	a := in.args[0]
	switch a.size {
	case 8:
		c.R[a.reg] = bits.ReverseBytes64(c.R[a.reg])
	case 4:
		c.R[a.reg] = uint64(bits.ReverseBytes32(uint32(c.R[a.reg])))
	default:
		// BSWAP of a 16-bit register is undefined; hardware zeroes it.
		c.setReg(a, 0)
	}
	return true
}

func execXlat(c *CPU, in *inst) bool {
	addr := c.R[3] + c.R[0]&0xff
	switch in.seg {
	case segFS:
		addr += c.fsBase
	case segGS:
		addr += c.gsBase
	}
	v, ok := c.load(addr, 1)
	if !ok {
		return false
	}
	c.R[0] = c.R[0]&^0xff | v
	return true
}

func execMovbe(c *CPU, in *inst) bool {
	d, s := in.args[0], in.args[1]
	var addr uint64
	if d.kind == argMem || s.kind == argMem {
		addr = c.ea(in)
	}
	v, ok := c.readArg(in, s, addr)
	if !ok {
		return false
	}
	switch s.size {
	case 8:
		v = bits.ReverseBytes64(v)
	case 4:
		v = uint64(bits.ReverseBytes32(uint32(v)))
	case 2:
		v = uint64(bits.ReverseBytes16(uint16(v)))
	}
	return c.writeArg(d, addr, v)
}

func execCmov(c *CPU, in *inst) bool {
	d, s := in.args[0], in.args[1]
	v, ok := c.readArg(in, s, c.memAddr(in, s))
	if !ok {
		return false
	}
	if c.cond(in.sub) {
		c.setReg(d, v)
	} else if d.size == 4 {
		c.R[d.reg] &= 0xffffffff // a 32-bit CMOV always zero-extends
	}
	return true
}

func execSetcc(c *CPU, in *inst) bool {
	d := in.args[0]
	var v uint64
	if c.cond(in.sub) {
		v = 1
	}
	return c.writeArg(d, c.memAddr(in, d), v)
}
