package emu

import "golang.org/x/arch/x86/x86asm"

var controlOps = []opEntry{
	{x86asm.JMP, opInfo{fn: execJmp, end: true}},
	{x86asm.CALL, opInfo{fn: execCall, end: true}},
	{x86asm.RET, opInfo{fn: execRet, end: true}},
	{x86asm.JRCXZ, opInfo{fn: execJrcxz, sub: 8, end: true}},
	{x86asm.JECXZ, opInfo{fn: execJrcxz, sub: 4, end: true}},
	{x86asm.LOOP, opInfo{fn: execLoop, sub: 0, end: true, prep: prepLoop}},
	{x86asm.LOOPE, opInfo{fn: execLoop, sub: 1, end: true, prep: prepLoop}},
	{x86asm.LOOPNE, opInfo{fn: execLoop, sub: 2, end: true, prep: prepLoop}},

	{x86asm.JO, opInfo{fn: execJcc, sub: ccO, end: true}}, {x86asm.JNO, opInfo{fn: execJcc, sub: ccNO, end: true}},
	{x86asm.JB, opInfo{fn: execJcc, sub: ccB, end: true}}, {x86asm.JAE, opInfo{fn: execJcc, sub: ccAE, end: true}},
	{x86asm.JE, opInfo{fn: execJcc, sub: ccE, end: true}}, {x86asm.JNE, opInfo{fn: execJcc, sub: ccNE, end: true}},
	{x86asm.JBE, opInfo{fn: execJcc, sub: ccBE, end: true}}, {x86asm.JA, opInfo{fn: execJcc, sub: ccA, end: true}},
	{x86asm.JS, opInfo{fn: execJcc, sub: ccS, end: true}}, {x86asm.JNS, opInfo{fn: execJcc, sub: ccNS, end: true}},
	{x86asm.JP, opInfo{fn: execJcc, sub: ccP, end: true}}, {x86asm.JNP, opInfo{fn: execJcc, sub: ccNP, end: true}},
	{x86asm.JL, opInfo{fn: execJcc, sub: ccL, end: true}}, {x86asm.JGE, opInfo{fn: execJcc, sub: ccGE, end: true}},
	{x86asm.JLE, opInfo{fn: execJcc, sub: ccLE, end: true}}, {x86asm.JG, opInfo{fn: execJcc, sub: ccG, end: true}},
}

// branchTarget reads the target of a near JMP/CALL: the resolved relative
// target, or a register or memory operand (always 64-bit in long mode).
func (c *CPU) branchTarget(in *inst) (uint64, bool) {
	a := in.args[0]
	switch a.kind {
	case argImm:
		return in.imm, true
	case argReg:
		return c.R[a.reg] & sizeMask[a.size], true
	case argMem:
		return c.load(c.ea(in), 8)
	}
	return 0, c.raise(trapUD)
}

func execJmp(c *CPU, in *inst) bool {
	t, ok := c.branchTarget(in)
	if !ok {
		return false
	}
	c.RIP = t
	return true
}

func execCall(c *CPU, in *inst) bool {
	t, ok := c.branchTarget(in)
	if !ok {
		return false
	}
	if !c.push(in.next()) {
		return false
	}
	c.RIP = t
	return true
}

func execRet(c *CPU, in *inst) bool {
	t, ok := c.pop()
	if !ok {
		return false
	}
	if in.args[0].kind == argImm {
		c.R[4] += in.imm & 0xffff
	}
	c.RIP = t
	return true
}

func execJcc(c *CPU, in *inst) bool {
	if c.cond(in.sub) {
		c.RIP = in.imm
	} else {
		c.RIP = in.next()
	}
	return true
}

func execJrcxz(c *CPU, in *inst) bool {
	if c.R[1]&sizeMask[in.sub] == 0 {
		c.RIP = in.imm
	} else {
		c.RIP = in.next()
	}
	return true
}

// prepLoop records the counter width (ECX with a 67 prefix) in imm2.
func prepLoop(xi *x86asm.Inst, in *inst) bool {
	in.imm2 = 8
	if xi.AddrSize == 32 {
		in.imm2 = 4
	}
	return true
}

func execLoop(c *CPU, in *inst) bool {
	m := sizeMask[in.imm2]
	cnt := (c.R[1] - 1) & m
	c.R[1] = c.R[1]&^m | cnt
	if in.imm2 == 4 {
		c.R[1] = cnt
	}
	take := cnt != 0
	switch in.sub {
	case 1:
		take = take && c.zf()
	case 2:
		take = take && !c.zf()
	}
	if take {
		c.RIP = in.imm
	} else {
		c.RIP = in.next()
	}
	return true
}
