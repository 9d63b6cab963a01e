// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package emu

import "gemu/internal/f80"

// x87 arithmetic, compares and register-stack manipulation.

// execFarith sub bits: the f80.Binary operation, and these flags.
const (
	arithOp   = 0x0f
	arithPop  = 0x10 // FADDP & co: pop after the operation
	arithInt  = 0x20 // FIADD & co: a 16- or 32-bit integer memory operand
	unChs     = 0
	unAbs     = 1
	unSqrt    = 2
	unRndint  = 3
	cmpPop1   = 1 << 0
	cmpPop2   = 1 << 1
	cmpQuiet  = 1 << 2 // FUCOM*: a QNaN operand raises no IE
	cmpInt    = 1 << 3 // FICOM*: an integer memory operand
	cmpEflags = 1 << 4 // FCOMI*: the result goes to ZF, PF, CF
)

// execFarith: FADD, FSUB, FSUBR, FMUL, FDIV, FDIVR in all their forms:
// ST(0) op= m32fp/m64fp/m16int/m32int, ST(0) op= ST(i), ST(i) op= ST(0), and
// the popping forms.
func execFarith(c *CPU, in *inst) bool {
	f := &c.fpu
	op := f80.Binary(in.sub & arithOp)
	a0 := in.args[0]
	if a0.kind == argMem {
		m, ok := c.load(c.ea(in), a0.size)
		if !ok {
			return false
		}
		if f.empty(0) {
			if f.stackFault(false) {
				f.set(0, f80.Indefinite())
			}
			return true
		}
		e := f.env()
		var r f80.F80
		switch {
		case in.sub&arithInt != 0:
			r = op.Apply(f.get(0), f80.FromInt64(int64(sext(m, a0.size))), &e)
		case a0.size == 4:
			r = op.Float32(f.get(0), uint32(m), &e)
		default:
			r = op.Float64(f.get(0), m, &e)
		}
		f.merge(&e)
		if !e.Suppressed() {
			f.set(0, r)
		}
		return true
	}
	dst, src := a0.reg, in.args[1].reg
	pop := in.sub&arithPop != 0
	if f.empty(dst) || f.empty(src) {
		if f.stackFault(false) {
			f.set(dst, f80.Indefinite())
			if pop {
				f.pop()
			}
		}
		return true
	}
	e := f.env()
	r := op.Apply(f.get(dst), f.get(src), &e)
	f.merge(&e)
	if !e.Suppressed() {
		f.set(dst, r)
		if pop {
			f.pop()
		}
	}
	return true
}

// execFunary: FCHS, FABS, FSQRT, FRNDINT on ST(0).
func execFunary(c *CPU, in *inst) bool {
	f := &c.fpu
	if f.empty(0) {
		if f.stackFault(false) {
			f.set(0, f80.Indefinite())
		}
		return true
	}
	v := f.get(0)
	switch in.sub {
	case unChs:
		f.sw &^= swC1
		f.set(0, v.Neg())
		return true
	case unAbs:
		f.sw &^= swC1
		f.set(0, v.Abs())
		return true
	}
	e := f.env()
	var r f80.F80
	if in.sub == unSqrt {
		r = f80.Sqrt(v, &e)
	} else {
		r = f80.RoundInt(v, &e)
	}
	f.merge(&e)
	if !e.Suppressed() {
		f.set(0, r)
	}
	return true
}

// execFscale: ST(0) = ST(0) × 2^trunc(ST(1)).
func execFscale(c *CPU, in *inst) bool {
	f := &c.fpu
	if f.empty(0) || f.empty(1) {
		if f.stackFault(false) {
			f.set(0, f80.Indefinite())
		}
		return true
	}
	e := f.env64()
	r := f80.Scale(f.get(0), f.get(1), &e)
	f.merge(&e)
	if !e.Suppressed() {
		f.set(0, r)
	}
	return true
}

// execFxtract: replace ST(0) by its exponent and push its significand.
func execFxtract(c *CPU, in *inst) bool {
	f := &c.fpu
	if f.empty(0) {
		if f.stackFault(false) {
			f.set(0, f80.Indefinite())
			f.pushChecked(f80.Indefinite())
		}
		return true
	}
	if !f.empty(7) {
		if f.stackFault(true) {
			f.set(0, f80.Indefinite())
			f.push(f80.Indefinite())
		}
		return true
	}
	e := f.env64()
	sig, exp := f80.Xtract(f.get(0), &e)
	f.merge(&e)
	if !e.Suppressed() {
		f.set(0, exp)
		f.push(sig)
	}
	return true
}

// execFprem: FPREM (sub 0) and FPREM1 (sub 1): ST(0) = partial remainder of
// ST(0) / ST(1), C2 set while incomplete, C0, C3, C1 = the quotient's low
// three bits.
func execFprem(c *CPU, in *inst) bool {
	f := &c.fpu
	if f.empty(0) || f.empty(1) {
		if f.stackFault(false) {
			f.set(0, f80.Indefinite())
		}
		return true
	}
	e := f.env64()
	var r f80.F80
	var q uint8
	var partial bool
	if in.sub == 0 {
		r, q, partial = f80.Rem(f.get(0), f.get(1), &e)
	} else {
		r, q, partial = f80.Rem1(f.get(0), f.get(1), &e)
	}
	f.merge(&e)
	if e.Suppressed() {
		return true
	}
	f.set(0, r)
	var cc uint16
	if partial {
		cc |= swC2
	}
	if q&4 != 0 {
		cc |= swC0
	}
	if q&2 != 0 {
		cc |= swC3
	}
	if q&1 != 0 {
		cc |= swC1
	}
	f.setCC(cc)
	return true
}

// unorderedCC are the condition codes of an unordered compare.
const unorderedCC = swC3 | swC2 | swC0

// execFcom: FCOM, FCOMP, FCOMPP, FUCOM, FUCOMP, FUCOMPP, FICOM, FICOMP,
// FCOMI, FCOMIP, FUCOMI, FUCOMIP (sub: cmp* flags).
func execFcom(c *CPU, in *inst) bool {
	f := &c.fpu
	a0 := in.args[0]
	var m uint64
	src := uint8(1)
	switch {
	case a0.kind == argMem:
		var ok bool
		if m, ok = c.load(c.ea(in), a0.size); !ok {
			return false
		}
	case in.args[1].kind == argST:
		src = in.args[1].reg
	case a0.kind == argST:
		src = a0.reg
	}
	var cc uint16
	stop := false
	if f.empty(0) || (a0.kind != argMem && f.empty(src)) {
		// Unordered; an unmasked fault sets the codes too but keeps the
		// stack (host-measured).
		stop = !f.stackFault(false)
		cc = unorderedCC
	} else {
		e := f.env()
		var o f80.Ordering
		switch {
		case in.sub&cmpInt != 0:
			o = f80.Compare(f.get(0), f80.FromInt64(int64(sext(m, a0.size))), &e)
		case a0.kind == argMem && a0.size == 4:
			o = f80.CompareFloat32(f.get(0), uint32(m), &e)
		case a0.kind == argMem:
			o = f80.CompareFloat64(f.get(0), m, &e)
		case in.sub&cmpQuiet != 0:
			o = f80.CompareQuiet(f.get(0), f.get(src), &e)
		default:
			o = f80.Compare(f.get(0), f.get(src), &e)
		}
		f.merge(&e)
		cc = o.Codes()
		// An unmasked invalid or denormal operand still sets the
		// condition codes (or EFLAGS) but keeps the stack (host-measured).
		stop = e.Unmasked()&(f80.IE|f80.DE) != 0
	}
	if in.sub&cmpEflags != 0 {
		var fl uint64
		if cc&swC3 != 0 {
			fl |= flagZF
		}
		if cc&swC2 != 0 {
			fl |= flagPF
		}
		if cc&swC0 != 0 {
			fl |= flagCF
		}
		c.setArith(arithFlags, fl)
	} else {
		f.setCC(cc) // C1 is 0: merge or stackFault cleared it
	}
	switch {
	case stop:
	case in.sub&cmpPop2 != 0:
		f.pop()
		f.pop()
	case in.sub&cmpPop1 != 0:
		f.pop()
	}
	return true
}

// execFtst: compare ST(0) with +0.0.
func execFtst(c *CPU, in *inst) bool {
	f := &c.fpu
	if f.empty(0) {
		f.stackFault(false)
		f.setCC(unorderedCC)
		return true
	}
	e := f.env()
	o := f80.Compare(f.get(0), f80.F80{}, &e)
	f.merge(&e)
	f.setCC(o.Codes())
	return true
}

// execFxam: classify ST(0) into C3, C2, C0 with its sign in C1.
func execFxam(c *CPU, in *inst) bool {
	f := &c.fpu
	v := f.get(0)
	cls := f80.ClassEmpty
	if !f.empty(0) {
		cls = f80.Classify(v)
	}
	cc := cls.Codes()
	if v.Signbit() {
		cc |= swC1
	}
	f.setCC(cc)
	return true
}

// execFxch: exchange ST(0) and ST(i).
func execFxch(c *CPU, in *inst) bool {
	f := &c.fpu
	i := uint8(1)
	if in.args[0].kind == argST {
		i = in.args[0].reg
	}
	a, b := f.get(0), f.get(i)
	if f.empty(0) || f.empty(i) {
		if !f.stackFault(false) {
			return true
		}
		if f.empty(0) {
			a = f80.Indefinite()
		}
		if f.empty(i) {
			b = f80.Indefinite()
		}
	} else {
		f.sw &^= swC1
	}
	f.set(0, b)
	f.set(i, a)
	return true
}

// execFfree: FFREE ST(i) (sub 0) marks ST(i) empty; FFREEP (sub 1) also
// pops.
func execFfree(c *CPU, in *inst) bool {
	f := &c.fpu
	f.full &^= 1 << f.phys(in.args[0].reg)
	if in.sub == 1 {
		f.pop()
	}
	return true
}

// execFincstp: FINCSTP (sub 1) and FDECSTP (sub 7) rotate TOP without
// touching the tags.
func execFincstp(c *CPU, in *inst) bool {
	f := &c.fpu
	f.top = (f.top + in.sub) & 7
	f.sw &^= swC1
	return true
}

// execFnop: FNOP and FWAIT (whose pending-exception check is in the
// wrapper).
func execFnop(c *CPU, in *inst) bool { return true }

// execFcmov: FCMOVcc ST(0), ST(i) (sub: the EFLAGS condition code).
func execFcmov(c *CPU, in *inst) bool {
	f := &c.fpu
	i := in.args[1].reg
	if f.empty(0) || f.empty(i) {
		if f.stackFault(false) {
			f.set(0, f80.Indefinite())
		}
		return true
	}
	f.sw &^= swC1
	if c.cond(in.sub) {
		f.set(0, f.get(i))
	}
	return true
}
