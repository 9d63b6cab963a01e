package emu

import (
	"gemu/internal/abi/linux"
	"gemu/internal/softfp"

	"golang.org/x/arch/x86/x86asm"
)

// The SSE and SSE2 family is four tables: the moves (sse_mov.go), packed
// integers (sse_int.go), floating point (sse_fp.go) and conversions
// (sse_cvt.go). Their families are marked sse, so every entry gets
// prepSSE, which turns the MMX-register forms that share an x86asm.Op with
// an SSE2 form into #UD: gemu does not implement MMX and CPUID does not
// advertise it.
var sseTables = [...][]opEntry{sseMovOps, sseIntOps, sseFPOps, sseCvtOps}

// prepSSE makes an instruction with an MMX register operand raise #UD.
func prepSSE(xi *x86asm.Inst, in *inst) bool {
	for _, a := range in.args {
		if a.kind == argMMX {
			in.fn = execNoMMX
		}
	}
	return true
}

// execNoMMX raises #UD for MMX instructions (MMX is not implemented; this
// is the architectural answer of a CPU without it, not an emulator gap).
func execNoMMX(c *CPU, in *inst) bool { return c.raise(trapUD) }

// xmmSrc reads a source operand as 128 bits: an XMM register, or memory of
// the operand's size (16 bytes must be 16-byte aligned, as every legacy SSE
// instruction except the explicitly unaligned moves requires; smaller
// operands are zero-extended).
func (c *CPU) xmmSrc(in *inst, a arg) (lo, hi uint64, ok bool) {
	switch a.kind {
	case argXMM:
		x := &c.X[a.reg]
		return x[0], x[1], true
	case argMem:
		addr := c.ea(in)
		if a.size == 16 {
			if addr&15 != 0 {
				return 0, 0, c.raise(trapGP)
			}
			return c.load128(addr)
		}
		v, ok := c.load(addr, a.size)
		return v, 0, ok
	case argReg:
		return c.getReg(a), 0, true
	}
	return 0, 0, c.raise(trapUD)
}

// MXCSR fields.
const (
	mxcsrFlags     = 0x3f
	mxcsrMaskShift = 7
	// mxcsrWritable are the bits LDMXCSR and FXRSTOR accept (the
	// MXCSR_MASK FXSAVE reports): flags, DAZ, masks, RC and FTZ. Setting any
	// other bit raises #GP.
	mxcsrWritable = 0xffff
)

// fpEnv is the floating-point environment MXCSR sets for SSE arithmetic.
func (c *CPU) fpEnv() softfp.Env { return softfp.EnvFromMXCSR(c.mxcsr) }

// fpDone merges the exceptions an SSE floating-point instruction raised
// (over all its elements) into MXCSR. When one of them is unmasked it raises
// #XM (SIGFPE) and returns false; the caller must then leave its destination
// unchanged. An unmasked pre-computation exception (IE, DE, ZE) stops the
// instruction before the post-computation ones (OE, UE, PE) are recorded.
func (c *CPU) fpDone(fl softfp.Exceptions) bool {
	if fl == 0 {
		return true
	}
	unmasked := softfp.Exceptions(^(c.mxcsr >> mxcsrMaskShift)) & softfp.AllExceptions
	if pre := fl & softfp.PreComputation; pre&unmasked != 0 {
		c.mxcsr |= uint32(pre)
		return c.simdException()
	}
	c.mxcsr |= uint32(fl)
	if fl&unmasked != 0 {
		return c.simdException()
	}
	return true
}

// simdException raises #XM with the si_code Linux derives from the unmasked
// flags set in MXCSR (arch/x86/kernel/traps.c: invalid, then divide by zero,
// overflow, underflow or denormal, precision).
func (c *CPU) simdException() bool {
	err := c.mxcsr &^ (c.mxcsr >> mxcsrMaskShift) & mxcsrFlags
	code := 0
	switch {
	case err&uint32(softfp.IE) != 0:
		code = linux.FPE_FLTINV
	case err&uint32(softfp.ZE) != 0:
		code = linux.FPE_FLTDIV
	case err&uint32(softfp.OE) != 0:
		code = linux.FPE_FLTOVF
	case err&uint32(softfp.UE|softfp.DE) != 0:
		code = linux.FPE_FLTUND
	case err&uint32(softfp.PE) != 0:
		code = linux.FPE_FLTRES
	}
	c.trap = trap{kind: trapSIMD, code: code}
	return false
}

// Lane helpers. An XMM value is two little-endian quadwords.

// lane32 returns 32-bit lane i (0-3) of lo:hi.
func lane32(lo, hi uint64, i int) uint64 {
	if i >= 2 {
		lo = hi
	}
	return lo >> (32 * uint(i&1)) & 0xffffffff
}

// pack32 builds a quadword from two 32-bit lanes.
func pack32(a, b uint64) uint64 { return a&0xffffffff | b<<32 }
