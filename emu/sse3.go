package emu

import (
	"gemu/internal/softfp"

	"golang.org/x/arch/x86/x86asm"
)

// SSE3: horizontal and alternating floating-point arithmetic, the
// duplicating moves and LDDQU. FISTTP is in the x87 table. MONITOR and
// MWAIT raise #UD: Linux does not enable them at CPL 3 and CPUID does not
// advertise them.
var sse3Ops = []opEntry{
	{x86asm.ADDSUBPS, opInfo{fn: execHorizFP, sub: hAddSub}},
	{x86asm.ADDSUBPD, opInfo{fn: execHorizFP, sub: hAddSub | fpDouble}},
	{x86asm.HADDPS, opInfo{fn: execHorizFP, sub: hAdd}},
	{x86asm.HADDPD, opInfo{fn: execHorizFP, sub: hAdd | fpDouble}},
	{x86asm.HSUBPS, opInfo{fn: execHorizFP, sub: hSub}},
	{x86asm.HSUBPD, opInfo{fn: execHorizFP, sub: hSub | fpDouble}},
	{x86asm.LDDQU, opInfo{fn: execLddqu}},
	{x86asm.MOVDDUP, opInfo{fn: execMovdup, sub: dupLow64}},
	{x86asm.MOVSLDUP, opInfo{fn: execMovdup, sub: dupEven32}},
	{x86asm.MOVSHDUP, opInfo{fn: execMovdup, sub: dupOdd32}},
	{x86asm.MONITOR, opInfo{fn: execUD2}},
	{x86asm.MWAIT, opInfo{fn: execUD2}},
}

// Operations of execHorizFP (with fpDouble for the PD forms).
const (
	hAddSub uint8 = iota // even elements d-s, odd elements d+s
	hAdd                 // pairwise sums: d0+d1, d2+d3, s0+s1, s2+s3
	hSub                 // pairwise differences: d0-d1, ...
)

// execHorizFP runs ADDSUBPS/PD, HADDPS/PD and HSUBPS/PD. Every element is
// computed (and its exceptions collected) before MXCSR and the destination
// change. A pair is combined as element 2k OP element 2k+1: with two NaN
// operands the first one propagates, as on the host.
func execHorizFP(c *CPU, in *inst) bool {
	slo, shi, ok := c.xmmSrc(in, in.args[1])
	if !ok {
		return false
	}
	d := &c.X[in.args[0].reg]
	env := c.fpEnv()
	var r vec
	var fl softfp.Exceptions
	op := in.sub &^ fpDouble
	if in.sub&fpDouble != 0 {
		a, b := *d, vec{slo, shi}
		var x, y [2]uint64 // operands of result elements 0 and 1
		var ops [2]uint8
		switch op {
		case hAddSub:
			x, y, ops = [2]uint64{a[0], a[1]}, [2]uint64{b[0], b[1]}, [2]uint8{fSub, fAdd}
		case hAdd:
			x, y, ops = [2]uint64{a[0], b[0]}, [2]uint64{a[1], b[1]}, [2]uint8{fAdd, fAdd}
		default:
			x, y, ops = [2]uint64{a[0], b[0]}, [2]uint64{a[1], b[1]}, [2]uint8{fSub, fSub}
		}
		for i := range 2 {
			v, f := fp64(ops[i], x[i], y[i], env)
			r[i] = v
			fl |= f
		}
	} else {
		var x, y [4]uint32
		var ops [4]uint8
		l := func(v vec, i int) uint32 { return uint32(lane32(v[0], v[1], i)) }
		a, b := *d, vec{slo, shi}
		switch op {
		case hAddSub:
			for i := range 4 {
				x[i], y[i], ops[i] = l(a, i), l(b, i), fSub
				if i&1 != 0 {
					ops[i] = fAdd
				}
			}
		default:
			src := [4]vec{a, a, b, b}
			for i := range 4 {
				lo := 2 * (i & 1)
				x[i], y[i] = l(src[i], lo), l(src[i], lo+1)
				ops[i] = fAdd
				if op == hSub {
					ops[i] = fSub
				}
			}
		}
		for i := range 4 {
			v, f := fp32(ops[i], x[i], y[i], env)
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

// execLddqu loads 16 bytes from any address.
func execLddqu(c *CPU, in *inst) bool {
	lo, hi, ok := c.load128(c.ea(in))
	if !ok {
		return false
	}
	c.X[in.args[0].reg] = vec{lo, hi}
	return true
}

// Operations of execMovdup.
const (
	dupLow64  uint8 = iota // MOVDDUP: the low quadword twice (source xmm or m64)
	dupEven32              // MOVSLDUP: elements 0, 0, 2, 2
	dupOdd32               // MOVSHDUP: elements 1, 1, 3, 3
)

func execMovdup(c *CPU, in *inst) bool {
	lo, hi, ok := c.xmmSrc(in, in.args[1])
	if !ok {
		return false
	}
	var r vec
	switch in.sub {
	case dupLow64:
		r = vec{lo, lo}
	case dupEven32:
		r = vec{lo&m32 | lo<<32, hi&m32 | hi<<32}
	default:
		r = vec{lo>>32 | lo&^m32, hi>>32 | hi&^m32}
	}
	c.X[in.args[0].reg] = r
	return true
}
