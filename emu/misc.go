package emu

import (
	"time"

	"golang.org/x/arch/x86/x86asm"
)

var miscOps = []opEntry{
	{x86asm.NOP, opInfo{fn: execNop}},
	{x86asm.PAUSE, opInfo{fn: execNop}},
	{x86asm.LFENCE, opInfo{fn: execNop}},
	{x86asm.MFENCE, opInfo{fn: execNop}},
	{x86asm.SFENCE, opInfo{fn: execNop}},
	{x86asm.PREFETCHNTA, opInfo{fn: execNop}},
	{x86asm.PREFETCHT0, opInfo{fn: execNop}},
	{x86asm.PREFETCHT1, opInfo{fn: execNop}},
	{x86asm.PREFETCHT2, opInfo{fn: execNop}},
	{x86asm.PREFETCHW, opInfo{fn: execNop}},
	{x86asm.CLFLUSH, opInfo{fn: execClflush}},
	{x86asm.CPUID, opInfo{fn: execCpuid}},
	{x86asm.RDTSC, opInfo{fn: execRdtsc}},
	{x86asm.RDTSCP, opInfo{fn: execRdtscp}},
	{x86asm.SYSCALL, opInfo{fn: execSyscall, end: true}},
	{x86asm.UD1, opInfo{fn: execUD2, end: true}},
	{x86asm.UD2, opInfo{fn: execUD2, end: true}},
	{x86asm.HLT, opInfo{fn: execPrivileged, end: true}},
	{x86asm.INT, opInfo{fn: execInt, end: true}},
	{x86asm.INTO, opInfo{fn: execUD2, end: true}},
	{x86asm.CLI, opInfo{fn: execPrivileged, end: true}},
	{x86asm.STI, opInfo{fn: execPrivileged, end: true}},
}

func execNop(c *CPU, in *inst) bool { return true }

// execClflush needs a mapped address (it faults like a load).
func execClflush(c *CPU, in *inst) bool {
	_, ok := c.load(c.ea(in), 1)
	return ok
}

// execUD2 raises #UD for the architecturally undefined opcodes; unlike
// instructions gemu lacks, these are not reported under -d unimp.
func execUD2(c *CPU, in *inst) bool { return c.raise(trapUD) }

// execPrivileged: HLT, CLI, STI at CPL 3 raise #GP (SIGSEGV).
func execPrivileged(c *CPU, in *inst) bool { return c.raise(trapGP) }

// execInt: INT3 is a breakpoint trap; any other INT n from user mode hits a
// gate with DPL 0 and raises #GP.
func execInt(c *CPU, in *inst) bool {
	if in.len == 1 || in.imm&0xff == 3 {
		return c.raise(trapBreakpoint)
	}
	return c.raise(trapGP)
}

func execSyscall(c *CPU, in *inst) bool {
	c.R[1] = in.next()
	c.R[11] = c.getFlags()
	return c.raise(trapSyscall)
}

// tsc returns the time-stamp counter: nanoseconds since the process
// started (a 1 GHz counter), from the virtual clock under ICount.
func (c *CPU) tsc() uint64 {
	if c.m.clock.virtual {
		return uint64(c.m.clock.Monotonic())
	}
	return uint64(time.Since(c.cache.start).Nanoseconds())
}

func execRdtsc(c *CPU, in *inst) bool {
	t := c.tsc()
	c.R[0], c.R[2] = t&0xffffffff, t>>32
	return true
}

func execRdtscp(c *CPU, in *inst) bool {
	if !c.feat.rdtscp {
		return c.raise(trapUD)
	}
	t := c.tsc()
	c.R[0], c.R[2] = t&0xffffffff, t>>32
	c.R[1] = uint64(c.index) // IA32_TSC_AUX as Linux sets it: the CPU number
	return true
}
