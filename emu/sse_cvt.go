package emu

import (
	"gemu/internal/softfp"

	"golang.org/x/arch/x86/x86asm"
)

// SSE/SSE2 conversions.
const (
	cvtTruncate = 1 // CVTT*: round toward zero whatever MXCSR.RC says
)

var sseCvtOps = []opEntry{
	{x86asm.CVTSI2SS, opInfo{fn: execCvtsi2s}},
	{x86asm.CVTSI2SD, opInfo{fn: execCvtsi2s, sub: fpDouble}},
	{x86asm.CVTSS2SI, opInfo{fn: execCvts2si}},
	{x86asm.CVTTSS2SI, opInfo{fn: execCvts2si, sub: cvtTruncate}},
	{x86asm.CVTSD2SI, opInfo{fn: execCvts2si, sub: fpDouble}},
	{x86asm.CVTTSD2SI, opInfo{fn: execCvts2si, sub: fpDouble | cvtTruncate}},
	{x86asm.CVTSS2SD, opInfo{fn: execCvtss2sd}},
	{x86asm.CVTSD2SS, opInfo{fn: execCvtsd2ss}},
	{x86asm.CVTPS2PD, opInfo{fn: execCvtps2pd}},
	{x86asm.CVTPD2PS, opInfo{fn: execCvtpd2ps}},
	{x86asm.CVTDQ2PS, opInfo{fn: execCvtdq2ps}},
	{x86asm.CVTDQ2PD, opInfo{fn: execCvtdq2pd}},
	{x86asm.CVTPS2DQ, opInfo{fn: execCvtps2dq}},
	{x86asm.CVTTPS2DQ, opInfo{fn: execCvtps2dq, sub: cvtTruncate}},
	{x86asm.CVTPD2DQ, opInfo{fn: execCvtpd2dq}},
	{x86asm.CVTTPD2DQ, opInfo{fn: execCvtpd2dq, sub: cvtTruncate}},
	// The MMX forms are #UD (even with a memory operand: they would switch
	// the x87 unit to MMX mode).
	{x86asm.CVTPI2PS, opInfo{fn: execNoMMX}},
	{x86asm.CVTPI2PD, opInfo{fn: execNoMMX}},
	{x86asm.CVTPS2PI, opInfo{fn: execNoMMX}},
	{x86asm.CVTTPS2PI, opInfo{fn: execNoMMX}},
	{x86asm.CVTPD2PI, opInfo{fn: execNoMMX}},
	{x86asm.CVTTPD2PI, opInfo{fn: execNoMMX}},
}

// execCvtsi2s: CVTSI2SS and CVTSI2SD convert a 32- or 64-bit signed integer
// into the low element; the rest of the destination is kept.
func execCvtsi2s(c *CPU, in *inst) bool {
	s := in.args[1]
	v, ok := c.readArg(in, s, c.memAddr(in, s))
	if !ok {
		return false
	}
	env := c.fpEnv()
	d := &c.X[in.args[0].reg]
	var fl softfp.Exceptions
	if in.sub&fpDouble != 0 {
		var r uint64
		if s.size == 8 {
			r, fl = softfp.I64ToF64(int64(v), env)
		} else {
			r = softfp.I32ToF64(int32(v))
		}
		if !c.fpDone(fl) {
			return false
		}
		d[0] = r
		return true
	}
	var r uint32
	if s.size == 8 {
		r, fl = softfp.I64ToF32(int64(v), env)
	} else {
		r, fl = softfp.I32ToF32(int32(v), env)
	}
	if !c.fpDone(fl) {
		return false
	}
	setLane32(d, 0, r)
	return true
}

// execCvts2si: CVT(T)SS2SI and CVT(T)SD2SI convert the low element into a
// 32- or 64-bit general register.
func execCvts2si(c *CPU, in *inst) bool {
	slo, _, ok := c.xmmSrc(in, in.args[1])
	if !ok {
		return false
	}
	dst := in.args[0]
	trunc := in.sub&cvtTruncate != 0
	env := c.fpEnv()
	var r uint64
	var fl softfp.Exceptions
	switch {
	case in.sub&fpDouble != 0 && dst.size == 8:
		r, fl = softfp.F64ToI64(slo, trunc, env)
	case in.sub&fpDouble != 0:
		var r32 uint32
		r32, fl = softfp.F64ToI32(slo, trunc, env)
		r = uint64(r32)
	case dst.size == 8:
		r, fl = softfp.F32ToI64(uint32(slo), trunc, env)
	default:
		var r32 uint32
		r32, fl = softfp.F32ToI32(uint32(slo), trunc, env)
		r = uint64(r32)
	}
	if !c.fpDone(fl) {
		return false
	}
	c.setReg(dst, r)
	return true
}

// execCvtss2sd widens the low element; the high quadword is kept.
func execCvtss2sd(c *CPU, in *inst) bool {
	slo, _, ok := c.xmmSrc(in, in.args[1])
	if !ok {
		return false
	}
	r, fl := softfp.F32ToF64(uint32(slo), c.fpEnv())
	if !c.fpDone(fl) {
		return false
	}
	c.X[in.args[0].reg][0] = r
	return true
}

// execCvtsd2ss narrows the low element; the other three are kept.
func execCvtsd2ss(c *CPU, in *inst) bool {
	slo, _, ok := c.xmmSrc(in, in.args[1])
	if !ok {
		return false
	}
	r, fl := softfp.F64ToF32(slo, c.fpEnv())
	if !c.fpDone(fl) {
		return false
	}
	setLane32(&c.X[in.args[0].reg], 0, r)
	return true
}

// execCvtps2pd widens the two low binary32 elements (an XMM register or 8
// bytes of memory).
func execCvtps2pd(c *CPU, in *inst) bool {
	slo, _, ok := c.xmmSrc(in, in.args[1])
	if !ok {
		return false
	}
	env := c.fpEnv()
	a, f1 := softfp.F32ToF64(uint32(slo), env)
	b, f2 := softfp.F32ToF64(uint32(slo>>32), env)
	if !c.fpDone(f1 | f2) {
		return false
	}
	c.X[in.args[0].reg] = vec{a, b}
	return true
}

// execCvtpd2ps narrows two binary64 elements into the low quadword and
// zeroes the high one.
func execCvtpd2ps(c *CPU, in *inst) bool {
	slo, shi, ok := c.xmmSrc(in, in.args[1])
	if !ok {
		return false
	}
	env := c.fpEnv()
	a, f1 := softfp.F64ToF32(slo, env)
	b, f2 := softfp.F64ToF32(shi, env)
	if !c.fpDone(f1 | f2) {
		return false
	}
	c.X[in.args[0].reg] = vec{pack32(uint64(a), uint64(b)), 0}
	return true
}

// execCvtdq2ps converts four signed dwords, rounding by MXCSR.
func execCvtdq2ps(c *CPU, in *inst) bool {
	slo, shi, ok := c.xmmSrc(in, in.args[1])
	if !ok {
		return false
	}
	env := c.fpEnv()
	var r vec
	var fl softfp.Exceptions
	for i := 0; i < 4; i++ {
		v, f := softfp.I32ToF32(int32(lane32(slo, shi, i)), env)
		setLane32(&r, i, v)
		fl |= f
	}
	if !c.fpDone(fl) {
		return false
	}
	c.X[in.args[0].reg] = r
	return true
}

// execCvtdq2pd converts the two low signed dwords (an XMM register or 8
// bytes of memory) exactly.
func execCvtdq2pd(c *CPU, in *inst) bool {
	slo, _, ok := c.xmmSrc(in, in.args[1])
	if !ok {
		return false
	}
	c.X[in.args[0].reg] = vec{softfp.I32ToF64(int32(slo)), softfp.I32ToF64(int32(slo >> 32))}
	return true
}

// execCvtps2dq: CVTPS2DQ and CVTTPS2DQ convert four binary32 elements to
// signed dwords.
func execCvtps2dq(c *CPU, in *inst) bool {
	slo, shi, ok := c.xmmSrc(in, in.args[1])
	if !ok {
		return false
	}
	env := c.fpEnv()
	trunc := in.sub&cvtTruncate != 0
	var r vec
	var fl softfp.Exceptions
	for i := 0; i < 4; i++ {
		v, f := softfp.F32ToI32(uint32(lane32(slo, shi, i)), trunc, env)
		setLane32(&r, i, v)
		fl |= f
	}
	if !c.fpDone(fl) {
		return false
	}
	c.X[in.args[0].reg] = r
	return true
}

// execCvtpd2dq: CVTPD2DQ and CVTTPD2DQ convert two binary64 elements to
// signed dwords in the low quadword and zero the high one.
func execCvtpd2dq(c *CPU, in *inst) bool {
	slo, shi, ok := c.xmmSrc(in, in.args[1])
	if !ok {
		return false
	}
	env := c.fpEnv()
	trunc := in.sub&cvtTruncate != 0
	a, f1 := softfp.F64ToI32(slo, trunc, env)
	b, f2 := softfp.F64ToI32(shi, trunc, env)
	if !c.fpDone(f1 | f2) {
		return false
	}
	c.X[in.args[0].reg] = vec{pack32(uint64(a), uint64(b)), 0}
	return true
}
