package emu

import "golang.org/x/arch/x86/x86asm"

// ALU sub-operations, in the order of the /digit of opcodes 80-83.
const (
	aluAdd uint8 = iota
	aluOr
	aluAdc
	aluSbb
	aluAnd
	aluSub
	aluXor
	aluCmp
	aluTest
)

var aluOps = []opEntry{
	{x86asm.ADD, opInfo{fn: execALU, sub: aluAdd}},
	{x86asm.OR, opInfo{fn: execALU, sub: aluOr}},
	{x86asm.ADC, opInfo{fn: execALU, sub: aluAdc}},
	{x86asm.SBB, opInfo{fn: execALU, sub: aluSbb}},
	{x86asm.AND, opInfo{fn: execALU, sub: aluAnd}},
	{x86asm.SUB, opInfo{fn: execALU, sub: aluSub}},
	{x86asm.XOR, opInfo{fn: execALU, sub: aluXor}},
	{x86asm.CMP, opInfo{fn: execALU, sub: aluCmp}},
	{x86asm.TEST, opInfo{fn: execALU, sub: aluTest}},
	{x86asm.INC, opInfo{fn: execIncDec, sub: 0}},
	{x86asm.DEC, opInfo{fn: execIncDec, sub: 1}},
	{x86asm.NEG, opInfo{fn: execNeg}},
	{x86asm.NOT, opInfo{fn: execNot}},
}

// alu computes a two-operand ALU operation on size-byte values a and b
// (already masked) and returns the result and the flags it sets. cin is the
// carry flag before the operation (ADC, SBB).
func alu(sub, size uint8, a, b uint64, cin bool) (uint64, lazyFlags) {
	m := sizeMask[size]
	var res uint64
	k := fkLogic
	var ci uint8
	switch sub {
	case aluAdd:
		res, k = (a+b)&m, fkAdd
	case aluOr:
		res = a | b
	case aluAdc:
		if cin {
			ci = 1
		}
		res, k = (a+b+uint64(ci))&m, fkAdc
	case aluSbb:
		if cin {
			ci = 1
		}
		res, k = (a-b-uint64(ci))&m, fkSbb
	case aluAnd, aluTest:
		res = a & b
	case aluSub, aluCmp:
		res, k = (a-b)&m, fkSub
	case aluXor:
		res = a ^ b
	}
	return res, lazyFlags{kind: k, size: size, cin: ci, a: a, b: b, res: res}
}

func execALU(c *CPU, in *inst) bool {
	d, s := in.args[0], in.args[1]
	var addr uint64
	if d.kind == argMem || s.kind == argMem {
		addr = c.ea(in)
	}
	a, ok := c.readArg(in, d, addr)
	if !ok {
		return false
	}
	b, ok := c.readArg(in, s, addr)
	if !ok {
		return false
	}
	b &= sizeMask[d.size]
	var cin bool
	if in.sub == aluAdc || in.sub == aluSbb {
		cin = c.cf()
	}
	res, lf := alu(in.sub, d.size, a, b, cin)
	if in.sub != aluCmp && in.sub != aluTest {
		if !c.writeArg(d, addr, res) {
			return false
		}
	}
	c.lf = lf
	return true
}

func execIncDec(c *CPU, in *inst) bool {
	d := in.args[0]
	var addr uint64
	if d.kind == argMem {
		addr = c.ea(in)
	}
	a, ok := c.readArg(in, d, addr)
	if !ok {
		return false
	}
	k, res := fkInc, (a+1)&sizeMask[d.size]
	if in.sub == 1 {
		k, res = fkDec, (a-1)&sizeMask[d.size]
	}
	var ci uint8
	if c.cf() {
		ci = 1
	}
	if !c.writeArg(d, addr, res) {
		return false
	}
	c.lf = lazyFlags{kind: k, size: d.size, cin: ci, a: a, b: 1, res: res}
	return true
}

func execNeg(c *CPU, in *inst) bool {
	d := in.args[0]
	var addr uint64
	if d.kind == argMem {
		addr = c.ea(in)
	}
	b, ok := c.readArg(in, d, addr)
	if !ok {
		return false
	}
	res := (-b) & sizeMask[d.size]
	if !c.writeArg(d, addr, res) {
		return false
	}
	c.lf = lazyFlags{kind: fkSub, size: d.size, a: 0, b: b, res: res}
	return true
}

func execNot(c *CPU, in *inst) bool {
	d := in.args[0]
	var addr uint64
	if d.kind == argMem {
		addr = c.ea(in)
	}
	v, ok := c.readArg(in, d, addr)
	if !ok {
		return false
	}
	return c.writeArg(d, addr, ^v&sizeMask[d.size])
}
