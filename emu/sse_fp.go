package emu

import (
	"gemu/internal/softfp"

	"golang.org/x/arch/x86/x86asm"
)

// Floating-point operations of execFP and execCmpFP (inst.sub): the
// operation in the low bits, and the element shape.
const (
	fAdd uint8 = iota
	fSub
	fMul
	fDiv
	fMin
	fMax
	fSqrt
	fRcp
	fRsqrt

	fpOpMask = 0x0f
	fpScalar = 0x10 // only the low element; the others keep the destination's
	fpDouble = 0x20 // binary64 elements (binary32 otherwise)

	ps = 0
	ss = fpScalar
	pd = fpDouble
	sd = fpDouble | fpScalar
)

var sseFPOps = []opEntry{
	{x86asm.ADDPS, opInfo{fn: execFP, sub: fAdd | ps}}, {x86asm.ADDSS, opInfo{fn: execFPScalar, sub: fAdd | ss}},
	{x86asm.ADDPD, opInfo{fn: execFP, sub: fAdd | pd}}, {x86asm.ADDSD, opInfo{fn: execFPScalar, sub: fAdd | sd}},
	{x86asm.SUBPS, opInfo{fn: execFP, sub: fSub | ps}}, {x86asm.SUBSS, opInfo{fn: execFPScalar, sub: fSub | ss}},
	{x86asm.SUBPD, opInfo{fn: execFP, sub: fSub | pd}}, {x86asm.SUBSD, opInfo{fn: execFPScalar, sub: fSub | sd}},
	{x86asm.MULPS, opInfo{fn: execFP, sub: fMul | ps}}, {x86asm.MULSS, opInfo{fn: execFPScalar, sub: fMul | ss}},
	{x86asm.MULPD, opInfo{fn: execFP, sub: fMul | pd}}, {x86asm.MULSD, opInfo{fn: execFPScalar, sub: fMul | sd}},
	{x86asm.DIVPS, opInfo{fn: execFP, sub: fDiv | ps}}, {x86asm.DIVSS, opInfo{fn: execFPScalar, sub: fDiv | ss}},
	{x86asm.DIVPD, opInfo{fn: execFP, sub: fDiv | pd}}, {x86asm.DIVSD, opInfo{fn: execFPScalar, sub: fDiv | sd}},
	{x86asm.MINPS, opInfo{fn: execFP, sub: fMin | ps}}, {x86asm.MINSS, opInfo{fn: execFPScalar, sub: fMin | ss}},
	{x86asm.MINPD, opInfo{fn: execFP, sub: fMin | pd}}, {x86asm.MINSD, opInfo{fn: execFPScalar, sub: fMin | sd}},
	{x86asm.MAXPS, opInfo{fn: execFP, sub: fMax | ps}}, {x86asm.MAXSS, opInfo{fn: execFPScalar, sub: fMax | ss}},
	{x86asm.MAXPD, opInfo{fn: execFP, sub: fMax | pd}}, {x86asm.MAXSD, opInfo{fn: execFPScalar, sub: fMax | sd}},
	{x86asm.SQRTPS, opInfo{fn: execFP, sub: fSqrt | ps}}, {x86asm.SQRTSS, opInfo{fn: execFPScalar, sub: fSqrt | ss}},
	{x86asm.SQRTPD, opInfo{fn: execFP, sub: fSqrt | pd}}, {x86asm.SQRTSD, opInfo{fn: execFPScalar, sub: fSqrt | sd}},
	{x86asm.RCPPS, opInfo{fn: execFP, sub: fRcp | ps}}, {x86asm.RCPSS, opInfo{fn: execFPScalar, sub: fRcp | ss}},
	{x86asm.RSQRTPS, opInfo{fn: execFP, sub: fRsqrt | ps}}, {x86asm.RSQRTSS, opInfo{fn: execFPScalar, sub: fRsqrt | ss}},

	{x86asm.CMPPS, opInfo{fn: execCmpFP, sub: ps}}, {x86asm.CMPSS, opInfo{fn: execCmpFP, sub: ss}},
	{x86asm.CMPPD, opInfo{fn: execCmpFP, sub: pd}}, {x86asm.CMPSD_XMM, opInfo{fn: execCmpFP, sub: sd}},
	{x86asm.COMISS, opInfo{fn: execComi, sub: comiSignaling}}, {x86asm.UCOMISS, opInfo{fn: execComi}},
	{x86asm.COMISD, opInfo{fn: execComi, sub: comiSignaling | fpDouble}}, {x86asm.UCOMISD, opInfo{fn: execComi, sub: fpDouble}},

	// Bitwise operations and unpacks are the packed-integer ones.
	{x86asm.ANDPS, opInfo{fn: execPint, sub: piAnd}}, {x86asm.ANDPD, opInfo{fn: execPint, sub: piAnd}},
	{x86asm.ANDNPS, opInfo{fn: execPint, sub: piAndN}}, {x86asm.ANDNPD, opInfo{fn: execPint, sub: piAndN}},
	{x86asm.ORPS, opInfo{fn: execPint, sub: piOr}}, {x86asm.ORPD, opInfo{fn: execPint, sub: piOr}},
	{x86asm.XORPS, opInfo{fn: execPint, sub: piXor}}, {x86asm.XORPD, opInfo{fn: execPint, sub: piXor}},
	{x86asm.UNPCKLPS, opInfo{fn: execPint, sub: piUnpckLDQ}}, {x86asm.UNPCKHPS, opInfo{fn: execPint, sub: piUnpckHDQ}},
	{x86asm.UNPCKLPD, opInfo{fn: execPint, sub: piUnpckLQDQ}}, {x86asm.UNPCKHPD, opInfo{fn: execPint, sub: piUnpckHQDQ}},
	{x86asm.SHUFPS, opInfo{fn: execShufps}}, {x86asm.SHUFPD, opInfo{fn: execShufpd}},
}

// setLane32 replaces 32-bit lane i (0-3) of x with v.
func setLane32(x *vec, i int, v uint32) {
	s := 32 * uint(i&1)
	q := &x[i>>1]
	*q = *q&^(0xffffffff<<s) | uint64(v)<<s
}

// fp32 computes one binary32 element: a is the destination's, b the
// source's (the one-operand operations use b).
func fp32(op uint8, a, b uint32, env softfp.Env) (uint32, softfp.Exceptions) {
	switch op {
	case fAdd:
		return softfp.Add32(a, b, env)
	case fSub:
		return softfp.Sub32(a, b, env)
	case fMul:
		return softfp.Mul32(a, b, env)
	case fDiv:
		return softfp.Div32(a, b, env)
	case fMin:
		return softfp.Min32(a, b, env)
	case fMax:
		return softfp.Max32(a, b, env)
	case fSqrt:
		return softfp.Sqrt32(b, env)
	case fRcp:
		return softfp.Rcp32(b), 0
	default:
		return softfp.Rsqrt32(b), 0
	}
}

// fp64 computes one binary64 element like fp32.
func fp64(op uint8, a, b uint64, env softfp.Env) (uint64, softfp.Exceptions) {
	switch op {
	case fAdd:
		return softfp.Add64(a, b, env)
	case fSub:
		return softfp.Sub64(a, b, env)
	case fMul:
		return softfp.Mul64(a, b, env)
	case fDiv:
		return softfp.Div64(a, b, env)
	case fMin:
		return softfp.Min64(a, b, env)
	case fMax:
		return softfp.Max64(a, b, env)
	default:
		return softfp.Sqrt64(b, env)
	}
}

// execFP runs a packed or scalar floating-point arithmetic instruction.
// All elements are computed before MXCSR is updated and the destination
// written, so an unmasked exception leaves the destination unchanged.
func execFP(c *CPU, in *inst) bool {
	slo, shi, ok := c.xmmSrc(in, in.args[1])
	if !ok {
		return false
	}
	op, scalar := in.sub&fpOpMask, in.sub&fpScalar != 0
	d := &c.X[in.args[0].reg]
	r := *d
	env := c.fpEnv()
	var fl softfp.Exceptions
	if in.sub&fpDouble != 0 {
		var f softfp.Exceptions
		r[0], fl = fp64(op, r[0], slo, env)
		if !scalar {
			r[1], f = fp64(op, r[1], shi, env)
			fl |= f
		}
	} else {
		n := 4
		if scalar {
			n = 1
		}
		for i := 0; i < n; i++ {
			v, f := fp32(op, uint32(lane32(r[0], r[1], i)), uint32(lane32(slo, shi, i)), env)
			setLane32(&r, i, v)
			fl |= f
		}
	}
	if !c.fpDone(fl) {
		return false
	}
	*d = r
	return true
}

// execFPScalar runs a scalar arithmetic instruction (the commonest in
// compiled code): only the low element changes.
func execFPScalar(c *CPU, in *inst) bool {
	dbl := in.sub&fpDouble != 0
	var b uint64
	if s := in.args[1]; s.kind == argXMM {
		b = c.X[s.reg][0]
	} else {
		size := uint8(4)
		if dbl {
			size = 8
		}
		v, ok := c.load(c.ea(in), size)
		if !ok {
			return false
		}
		b = v
	}
	d := &c.X[in.args[0].reg][0]
	op, env := in.sub&fpOpMask, c.fpEnv()
	var r uint64
	var fl softfp.Exceptions
	if dbl {
		r, fl = fp64(op, *d, b, env)
	} else {
		var r32 uint32
		r32, fl = fp32(op, uint32(*d), uint32(b), env)
		r = *d&^0xffffffff | uint64(r32)
	}
	if fl != 0 && !c.fpDone(fl) {
		return false
	}
	*d = r
	return true
}

// cmpPredicate evaluates the CMPPS predicate p (0-7: EQ, LT, LE, UNORD, NEQ,
// NLT, NLE, ORD) on a comparison result.
func cmpPredicate(p uint64, r softfp.Relation) bool {
	switch p {
	case 0:
		return r == softfp.Equal
	case 1:
		return r == softfp.Less
	case 2:
		return r == softfp.Less || r == softfp.Equal
	case 3:
		return r == softfp.Unordered
	case 4:
		return r != softfp.Equal
	case 5:
		return r != softfp.Less
	case 6:
		return r != softfp.Less && r != softfp.Equal
	default:
		return r != softfp.Unordered
	}
}

// signalingPredicate reports the predicates that signal IE on QNaNs (LT,
// LE, NLT, NLE).
func signalingPredicate(p uint64) bool { return p&3 == 1 || p&3 == 2 }

// execCmpFP: CMPPS, CMPSS, CMPPD, CMPSD. Each element becomes all ones
// when the predicate in imm8[2:0] holds, else zero.
func execCmpFP(c *CPU, in *inst) bool {
	slo, shi, ok := c.xmmSrc(in, in.args[1])
	if !ok {
		return false
	}
	p := in.imm & 7
	sig := signalingPredicate(p)
	scalar := in.sub&fpScalar != 0
	d := &c.X[in.args[0].reg]
	r := *d
	env := c.fpEnv()
	var fl softfp.Exceptions
	if in.sub&fpDouble != 0 {
		src := vec{slo, shi}
		for i := range 2 {
			if i == 1 && scalar {
				break
			}
			rel, f := softfp.Compare64(r[i], src[i], sig, env)
			r[i] = allIf(cmpPredicate(p, rel))
			fl |= f
		}
	} else {
		n := 4
		if scalar {
			n = 1
		}
		for i := 0; i < n; i++ {
			rel, f := softfp.Compare32(uint32(lane32(r[0], r[1], i)), uint32(lane32(slo, shi, i)), sig, env)
			setLane32(&r, i, uint32(allIf(cmpPredicate(p, rel))))
			fl |= f
		}
	}
	if !c.fpDone(fl) {
		return false
	}
	*d = r
	return true
}

const comiSignaling = 1

// execComi: COMISS, UCOMISS, COMISD, UCOMISD set ZF, PF and CF from the
// comparison (unordered 111, less 001, equal 100, greater 000) and clear
// OF, SF and AF. COMIS* signal IE on QNaNs too.
func execComi(c *CPU, in *inst) bool {
	slo, _, ok := c.xmmSrc(in, in.args[1])
	if !ok {
		return false
	}
	a := c.X[in.args[0].reg][0]
	sig := in.sub&comiSignaling != 0
	var rel softfp.Relation
	var fl softfp.Exceptions
	if in.sub&fpDouble != 0 {
		rel, fl = softfp.Compare64(a, slo, sig, c.fpEnv())
	} else {
		rel, fl = softfp.Compare32(uint32(a), uint32(slo), sig, c.fpEnv())
	}
	if !c.fpDone(fl) {
		return false
	}
	var f uint64
	switch rel {
	case softfp.Unordered:
		f = flagZF | flagPF | flagCF
	case softfp.Less:
		f = flagCF
	case softfp.Equal:
		f = flagZF
	}
	c.setArith(arithFlags, f)
	return true
}

// execShufps takes the low two elements from the destination and the high
// two from the source, each chosen by two bits of the immediate.
func execShufps(c *CPU, in *inst) bool {
	slo, shi, ok := c.xmmSrc(in, in.args[1])
	if !ok {
		return false
	}
	d := &c.X[in.args[0].reg]
	o := in.imm
	*d = vec{
		pack32(lane32(d[0], d[1], int(o&3)), lane32(d[0], d[1], int(o>>2&3))),
		pack32(lane32(slo, shi, int(o>>4&3)), lane32(slo, shi, int(o>>6&3))),
	}
	return true
}

// execShufpd takes the low quadword from the destination and the high one
// from the source, each chosen by one bit of the immediate.
func execShufpd(c *CPU, in *inst) bool {
	slo, shi, ok := c.xmmSrc(in, in.args[1])
	if !ok {
		return false
	}
	d := &c.X[in.args[0].reg]
	src := vec{slo, shi}
	*d = vec{d[in.imm&1], src[in.imm>>1&1]}
	return true
}
