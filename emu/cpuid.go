package emu

// features says which optional instruction sets the CPU implements; CPUID
// reports exactly these, and instructions outside them raise #UD.
type features struct {
	sse3, ssse3, sse41, sse42 bool
	popcnt                    bool
	lzcnt, bmi1, bmi2         bool
	movbe                     bool
	rdtscp                    bool
	adx                       bool
}

// defaultFeatures is what gemu advertises: baseline x86-64 (x87, CMOV, CX8,
// FXSR, SSE, SSE2), CMPXCHG16B and LAHF/SAHF, and SSE3, SSSE3, SSE4.1,
// SSE4.2, POPCNT, LZCNT, BMI1, BMI2, MOVBE, ADX and RDTSCP. No AVX, no
// XSAVE: glibc's ifunc resolvers and Go's runtime then pick SSE code paths.
func defaultFeatures() features {
	return features{
		sse3: true, ssse3: true, sse41: true, sse42: true,
		popcnt: true,
		lzcnt:  true, bmi1: true, bmi2: true,
		movbe:  true,
		rdtscp: true,
		adx:    true,
	}
}

// feature names one optional instruction set in an opInfo.
type feature uint8

const (
	featNone feature = iota
	featSSE3
	featSSSE3
	featSSE41
	featSSE42
	featBMI1
	featBMI2
	featADX
)

// has reports whether the CPU implements feature x (featNone: always).
func (f *features) has(x feature) bool {
	switch x {
	case featSSE3:
		return f.sse3
	case featSSSE3:
		return f.ssse3
	case featSSE41:
		return f.sse41
	case featSSE42:
		return f.sse42
	case featBMI1:
		return f.bmi1
	case featBMI2:
		return f.bmi2
	case featADX:
		return f.adx
	}
	return true
}

// gateFeature makes in, translated from an instruction of an optional
// feature the CPU lacks, raise #UD (as a defined instruction: -d unimp
// does not report it). Translation is shared by the CPUs of an address
// space, which have the same features.
func gateFeature(f *features, in *inst) {
	if in.fl&instUnimpl != 0 {
		return
	}
	if info, ok := lookupOp(in.xop); ok && !f.has(info.need) {
		*in = inst{pc: in.pc, len: in.len, xop: in.xop, base: noReg, index: noReg, fn: execNoFeature, fl: instEnd}
	}
}

// execNoFeature raises #UD for an instruction of a feature the CPU lacks.
func execNoFeature(c *CPU, in *inst) bool {
	return c.raise(trapUD)
}

// CPUID leaf 1 EDX bits.
const (
	cpuidFPU   = 1 << 0
	cpuidTSC   = 1 << 4
	cpuidCX8   = 1 << 8
	cpuidCMOV  = 1 << 15
	cpuidCLFSH = 1 << 19
	cpuidFXSR  = 1 << 24
	cpuidSSE   = 1 << 25
	cpuidSSE2  = 1 << 26
)

// CPUID leaf 1 ECX bits.
const (
	cpuidSSE3   = 1 << 0
	cpuidSSSE3  = 1 << 9
	cpuidCX16   = 1 << 13
	cpuidSSE41  = 1 << 19
	cpuidSSE42  = 1 << 20
	cpuidMOVBE  = 1 << 22
	cpuidPOPCNT = 1 << 23
)

// CPUID leaf 7 subleaf 0 EBX bits.
const (
	cpuid7BMI1 = 1 << 3
	cpuid7BMI2 = 1 << 8
	cpuid7ADX  = 1 << 19
)

// leaf1EDX is CPUID.1:EDX, the same for every feature set gemu models.
const leaf1EDX = cpuidFPU | cpuidTSC | cpuidCX8 | cpuidCMOV | cpuidCLFSH | cpuidFXSR | cpuidSSE | cpuidSSE2

// HWCap is the value of AT_HWCAP for a guest of a CPU with the default
// features: CPUID.1:EDX. (It does not build a CPU to ask: a CPU is tens of
// KiB, and a stack frame that size makes the goroutine's stack grow.)
func HWCap() uint64 {
	return leaf1EDX
}

// cpuid answers leaf/subleaf like a consistent, modest x86-64 CPU named gemu.
func (c *CPU) cpuid(leaf, sub uint32) (a, b, cx, d uint32) {
	f := &c.feat
	switch leaf {
	case 0:
		// Highest basic leaf and the vendor "GemuGemuGemu" (EBX, EDX, ECX).
		return 0xd, le32("Gemu"), le32("Gemu"), le32("Gemu")
	case 1:
		a = 0x000606a0                              // family 6, model 0x6a, stepping 0
		b = 8<<8 | 1<<16 | uint32(c.index&0xff)<<24 // CLFLUSH 64 bytes, 1 logical CPU, APIC id
		d = leaf1EDX
		cx = cpuidCX16
		if f.sse3 {
			cx |= cpuidSSE3
		}
		if f.ssse3 {
			cx |= cpuidSSSE3
		}
		if f.sse41 {
			cx |= cpuidSSE41
		}
		if f.sse42 {
			cx |= cpuidSSE42
		}
		if f.movbe {
			cx |= cpuidMOVBE
		}
		if f.popcnt {
			cx |= cpuidPOPCNT
		}
		return a, b, cx, d
	case 7:
		// Subleaf 0 only (EAX = 0: no further subleaves).
		if sub == 0 {
			if f.bmi1 {
				b |= cpuid7BMI1
			}
			if f.bmi2 {
				b |= cpuid7BMI2
			}
			if f.adx {
				b |= cpuid7ADX
			}
		}
		return 0, b, 0, 0
	case 0xd:
		// No XSAVE: the leaf exists (glibc reads it) but reports nothing.
		return 0, 0, 0, 0
	case 0x80000000:
		return 0x80000008, 0, 0, 0
	case 0x80000001:
		cx = 1 // LAHF/SAHF in long mode
		if f.lzcnt {
			cx |= 1 << 5
		}
		d = 1<<11 | 1<<20 | 1<<29 // SYSCALL, NX, long mode
		if f.rdtscp {
			d |= 1 << 27
		}
		return 0, 0, cx, d
	case 0x80000002, 0x80000003, 0x80000004:
		var brand [48]byte
		copy(brand[:], "gemu x86-64 emulator")
		o := (leaf - 0x80000002) * 16
		return le32(string(brand[o : o+4])), le32(string(brand[o+4 : o+8])),
			le32(string(brand[o+8 : o+12])), le32(string(brand[o+12 : o+16]))
	case 0x80000008:
		return 0x3030, 0, 0, 0 // 48-bit virtual, 48-bit physical addresses
	}
	return 0, 0, 0, 0
}

func le32(s string) uint32 {
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

func execCpuid(c *CPU, in *inst) bool {
	a, b, cx, d := c.cpuid(uint32(c.R[0]), uint32(c.R[1]))
	c.R[0], c.R[3], c.R[1], c.R[2] = uint64(a), uint64(b), uint64(cx), uint64(d)
	return true
}
