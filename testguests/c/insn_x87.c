// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// insn_x87: every x87 instruction form gemu implements, run over edge
// operands (±0, ±1, denormals, pseudo-denormals, ±∞, QNaN/SNaN, the
// unsupported encodings, values near the overflow and underflow
// thresholds, 1/3, π…) and fixed-seed pseudo-random ones, under all four
// rounding modes, the three precisions and with exceptions unmasked. Each
// case loads its operands, runs one instruction and saves the whole FPU
// state with FNSAVE (which does not wait, so unmasked exceptions are
// observed without a trap); one line per case shows the control, status
// and tag words, the non-empty registers, a hash of all eight registers,
// the last-instruction and last-operand pointers, EFLAGS and, for stores,
// the memory written. Operands live in globals so that the pointers are
// the same natively and under gemu. A last part prints long doubles with
// printf and reads them with strtold (musl does both with the x87).
// The output must be identical natively and under gemu.
//
// Arguments select other parts:
//   trans        the transcendental instructions (FSIN, FCOS, FSINCOS,
//                FPTAN, FPATAN, F2XM1, FYL2X, FYL2XP1) and the libm long
//                double functions built on them; lines start with "T" and
//                results may differ from the host's in the last bit
//   sigfpe-fwait an unmasked zero divide reported at the next FWAIT:
//                the guest dies of SIGFPE (the exit status is compared)
//   sigfpe-fld   the same, reported at the next waiting x87 instruction
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest.h"

typedef struct {
	uint64_t m;
	uint16_t se;
} __attribute__((packed)) f80;

// The machine state every case starts from and ends in. Not static: the
// assembly names them.
f80 A, B, C;                                  // ST(0), ST(1), ST(2) before the instruction
uint16_t CW;                                  // control word the instruction runs under
uint64_t FLIN;                                // RFLAGS before the instruction
uint64_t FL, RAX;                             // RFLAGS and RAX after it
uint8_t SV[108];                              // FNSAVE image after it
uint8_t MEM[32] __attribute__((aligned(16))); // memory operand
uint8_t FX[512] __attribute__((aligned(16)));
uint8_t ENV[28];
f80 FULL[8] = {
	{0x8000000000000000ULL, 0x3fff}, {0x8000000000000000ULL, 0x4000}, {0xc000000000000000ULL, 0x4000},
	{0x8000000000000000ULL, 0x4001}, {0xa000000000000000ULL, 0x4001}, {0xc000000000000000ULL, 0x4001},
	{0xe000000000000000ULL, 0x4001}, {0x8000000000000000ULL, 0x4002},
};

static lcg rng = {0x9e3779b97f4a7c15ULL};
static uint16_t cw_zm = 0x037b; // ZE unmasked
static double zero = 0, one = 1;
static uint64_t r64(void) { return (uint64_t)lcg_next(&rng) << 32 | lcg_next(&rng); }

// ---------------------------------------------------------------------------
// Instruction wrappers: load 0-3 (or 8) operands, run the instruction,
// record RFLAGS and RAX, save the state.

#define PROLOG                                                                 \
	"pushq FLIN(%%rip)\n\tpopfq\n\tmovabsq $0x1122334455667788, %%rax\n\t" \
	"fninit\n\tfldcw CW(%%rip)\n\t"
#define LOAD0 ""
#define LOAD1 "fldt A(%%rip)\n\t"
#define LOAD2 "fldt B(%%rip)\n\tfldt A(%%rip)\n\t"
#define LOAD3 "fldt C(%%rip)\n\tfldt B(%%rip)\n\tfldt A(%%rip)\n\t"
#define LOAD8                                                                  \
	"fldt FULL+70(%%rip)\n\tfldt FULL+60(%%rip)\n\tfldt FULL+50(%%rip)\n\t" \
	"fldt FULL+40(%%rip)\n\tfldt FULL+30(%%rip)\n\tfldt FULL+20(%%rip)\n\t" \
	"fldt FULL+10(%%rip)\n\tfldt FULL(%%rip)\n\t"
#define EPILOG "\n\tpushfq\n\tpopq FL(%%rip)\n\tmovq %%rax, RAX(%%rip)\n\tfnsave SV(%%rip)\n\t"

#define OP(fname, n, insn) \
	static void fname(void) { __asm__ volatile(PROLOG LOAD##n insn EPILOG ::: "memory", "cc", "rax"); }

// Register-stack arithmetic, raw encodings (AT&T mnemonics swap some of
// the reversed forms).
OP(fadd_st0_st1, 2, ".byte 0xd8,0xc1")
OP(fmul_st0_st1, 2, ".byte 0xd8,0xc9")
OP(fsub_st0_st1, 2, ".byte 0xd8,0xe1")
OP(fsubr_st0_st1, 2, ".byte 0xd8,0xe9")
OP(fdiv_st0_st1, 2, ".byte 0xd8,0xf1")
OP(fdivr_st0_st1, 2, ".byte 0xd8,0xf9")
OP(fadd_st1_st0, 2, ".byte 0xdc,0xc1")
OP(fmul_st1_st0, 2, ".byte 0xdc,0xc9")
OP(fsubr_st1_st0, 2, ".byte 0xdc,0xe1")
OP(fsub_st1_st0, 2, ".byte 0xdc,0xe9")
OP(fdivr_st1_st0, 2, ".byte 0xdc,0xf1")
OP(fdiv_st1_st0, 2, ".byte 0xdc,0xf9")
OP(faddp, 2, ".byte 0xde,0xc1")
OP(fmulp, 2, ".byte 0xde,0xc9")
OP(fsubrp, 2, ".byte 0xde,0xe1")
OP(fsubp, 2, ".byte 0xde,0xe9")
OP(fdivrp, 2, ".byte 0xde,0xf1")
OP(fdivp, 2, ".byte 0xde,0xf9")
OP(fadd_st2_st0, 3, ".byte 0xdc,0xc2")
OP(fdiv_st0_st2, 3, ".byte 0xd8,0xf2")
OP(fsubp_st2, 3, ".byte 0xde,0xea")

// Memory-operand arithmetic.
OP(fadd_m32, 1, "fadds MEM(%%rip)")
OP(fmul_m32, 1, "fmuls MEM(%%rip)")
OP(fsub_m32, 1, "fsubs MEM(%%rip)")
OP(fsubr_m32, 1, "fsubrs MEM(%%rip)")
OP(fdiv_m32, 1, "fdivs MEM(%%rip)")
OP(fdivr_m32, 1, "fdivrs MEM(%%rip)")
OP(fadd_m64, 1, "faddl MEM(%%rip)")
OP(fmul_m64, 1, "fmull MEM(%%rip)")
OP(fsub_m64, 1, "fsubl MEM(%%rip)")
OP(fsubr_m64, 1, "fsubrl MEM(%%rip)")
OP(fdiv_m64, 1, "fdivl MEM(%%rip)")
OP(fdivr_m64, 1, "fdivrl MEM(%%rip)")
OP(fiadd_m16, 1, "fiadds MEM(%%rip)")
OP(fimul_m16, 1, "fimuls MEM(%%rip)")
OP(fisub_m16, 1, "fisubs MEM(%%rip)")
OP(fisubr_m16, 1, "fisubrs MEM(%%rip)")
OP(fidiv_m16, 1, "fidivs MEM(%%rip)")
OP(fidivr_m16, 1, "fidivrs MEM(%%rip)")
OP(fiadd_m32, 1, "fiaddl MEM(%%rip)")
OP(fimul_m32, 1, "fimull MEM(%%rip)")
OP(fisub_m32, 1, "fisubl MEM(%%rip)")
OP(fisubr_m32, 1, "fisubrl MEM(%%rip)")
OP(fidiv_m32, 1, "fidivl MEM(%%rip)")
OP(fidivr_m32, 1, "fidivrl MEM(%%rip)")

// One-operand and ST(0)/ST(1) operations.
OP(fchs, 1, ".byte 0xd9,0xe0")
OP(fabs_, 1, ".byte 0xd9,0xe1")
OP(fsqrt_, 1, ".byte 0xd9,0xfa")
OP(frndint, 1, ".byte 0xd9,0xfc")
OP(fxtract, 1, ".byte 0xd9,0xf4")
OP(fscale, 2, ".byte 0xd9,0xfd")
OP(fprem, 2, ".byte 0xd9,0xf8")
OP(fprem1, 2, ".byte 0xd9,0xf5")
OP(ftst, 1, ".byte 0xd9,0xe4")
OP(fxam, 1, ".byte 0xd9,0xe5")
OP(fxam_empty, 0, "fldt A(%%rip)\n\tffree %%st(0)\n\t.byte 0xd9,0xe5")

// Compares.
OP(fcom_st1, 2, ".byte 0xd8,0xd1")
OP(fcomp_st1, 2, ".byte 0xd8,0xd9")
OP(fcompp, 2, ".byte 0xde,0xd9")
OP(fucom_st1, 2, ".byte 0xdd,0xe1")
OP(fucomp_st1, 2, ".byte 0xdd,0xe9")
OP(fucompp, 2, ".byte 0xda,0xe9")
OP(fcomi_st1, 2, ".byte 0xdb,0xf1")
OP(fcomip_st1, 2, ".byte 0xdf,0xf1")
OP(fucomi_st1, 2, ".byte 0xdb,0xe9")
OP(fucomip_st1, 2, ".byte 0xdf,0xe9")
OP(fcom_m32, 1, "fcoms MEM(%%rip)")
OP(fcomp_m32, 1, "fcomps MEM(%%rip)")
OP(fcom_m64, 1, "fcoml MEM(%%rip)")
OP(fcomp_m64, 1, "fcompl MEM(%%rip)")
OP(ficom_m16, 1, "ficoms MEM(%%rip)")
OP(ficomp_m16, 1, "ficomps MEM(%%rip)")
OP(ficom_m32, 1, "ficoml MEM(%%rip)")
OP(ficomp_m32, 1, "ficompl MEM(%%rip)")

// Loads.
OP(fld_m32, 0, "flds MEM(%%rip)")
OP(fld_m64, 0, "fldl MEM(%%rip)")
OP(fld_m80, 0, "fldt MEM(%%rip)")
OP(fild_m16, 0, "filds MEM(%%rip)")
OP(fild_m32, 0, "fildl MEM(%%rip)")
OP(fild_m64, 0, "fildll MEM(%%rip)")
OP(fbld, 0, "fbld MEM(%%rip)")
OP(fld_st1, 2, ".byte 0xd9,0xc1")
OP(fld_st0, 1, ".byte 0xd9,0xc0")
OP(fld1, 0, ".byte 0xd9,0xe8")
OP(fldl2t, 0, ".byte 0xd9,0xe9")
OP(fldl2e, 0, ".byte 0xd9,0xea")
OP(fldpi, 0, ".byte 0xd9,0xeb")
OP(fldlg2, 0, ".byte 0xd9,0xec")
OP(fldln2, 0, ".byte 0xd9,0xed")
OP(fldz, 0, ".byte 0xd9,0xee")

// Stores.
OP(fst_m32, 1, "fsts MEM(%%rip)")
OP(fstp_m32, 1, "fstps MEM(%%rip)")
OP(fst_m64, 1, "fstl MEM(%%rip)")
OP(fstp_m64, 1, "fstpl MEM(%%rip)")
OP(fstp_m80, 1, "fstpt MEM(%%rip)")
OP(fist_m16, 1, "fists MEM(%%rip)")
OP(fistp_m16, 1, "fistps MEM(%%rip)")
OP(fist_m32, 1, "fistl MEM(%%rip)")
OP(fistp_m32, 1, "fistpl MEM(%%rip)")
OP(fistp_m64, 1, "fistpll MEM(%%rip)")
OP(fisttp_m16, 1, "fisttps MEM(%%rip)")
OP(fisttp_m32, 1, "fisttpl MEM(%%rip)")
OP(fisttp_m64, 1, "fisttpll MEM(%%rip)")
OP(fbstp, 1, "fbstp MEM(%%rip)")
OP(fst_st2, 3, ".byte 0xdd,0xd2")
OP(fstp_st2, 3, ".byte 0xdd,0xda")
OP(fstp_st0, 2, ".byte 0xdd,0xd8")

// Stack manipulation.
OP(fxch_st1, 2, ".byte 0xd9,0xc9")
OP(fxch_st2, 3, ".byte 0xd9,0xca")
OP(ffree_st1, 2, ".byte 0xdd,0xc1")
OP(ffreep_st1, 2, ".byte 0xdf,0xc1")
OP(fincstp, 2, ".byte 0xd9,0xf7")
OP(fdecstp, 2, ".byte 0xd9,0xf6")
OP(fnop, 2, ".byte 0xd9,0xd0")
OP(fcmovb, 2, ".byte 0xda,0xc1")
OP(fcmove, 2, ".byte 0xda,0xc9")
OP(fcmovbe, 2, ".byte 0xda,0xd1")
OP(fcmovu, 2, ".byte 0xda,0xd9")
OP(fcmovnb, 2, ".byte 0xdb,0xc1")
OP(fcmovne, 2, ".byte 0xdb,0xc9")
OP(fcmovnbe, 2, ".byte 0xdb,0xd1")
OP(fcmovnu, 2, ".byte 0xdb,0xd9")

// Control.
OP(fnstsw_ax, 2, ".byte 0xdf,0xe0")
OP(fnstsw_m, 2, "fnstsw MEM(%%rip)")
OP(fnstcw_m, 0, "fnstcw MEM(%%rip)")
OP(fldcw_m, 0, "fldcw MEM(%%rip)\n\tfnstcw MEM+2(%%rip)")
OP(fnclex, 2, "fnclex")
OP(fninit, 2, "fninit")
OP(fwait_, 2, "fwait")

// Overflow and underflow of the register stack.
OP(fld1_full, 8, ".byte 0xd9,0xe8")
OP(fld_m64_full, 8, "fldl MEM(%%rip)")
OP(fild_full, 8, "filds MEM(%%rip)")
OP(fld_st3_full, 8, ".byte 0xd9,0xc3")
OP(fxtract_full, 8, ".byte 0xd9,0xf4")
OP(fptan_full, 8, ".byte 0xd9,0xf2")
OP(fsincos_full, 8, ".byte 0xd9,0xfb")
OP(fadd_empty1, 1, ".byte 0xd8,0xc1")
OP(fadd_empty0, 0, ".byte 0xd8,0xc1")
OP(faddp_empty1, 1, ".byte 0xde,0xc1")
OP(fadd_m32_empty, 0, "fadds MEM(%%rip)")
OP(fchs_empty, 0, ".byte 0xd9,0xe0")
OP(fsqrt_empty, 0, ".byte 0xd9,0xfa")
OP(fst_m32_empty, 0, "fsts MEM(%%rip)")
OP(fstp_m64_empty, 0, "fstpl MEM(%%rip)")
OP(fstp_m80_empty, 0, "fstpt MEM(%%rip)")
OP(fistp_m32_empty, 0, "fistpl MEM(%%rip)")
OP(fbstp_empty, 0, "fbstp MEM(%%rip)")
OP(fst_st1_empty, 0, ".byte 0xdd,0xd1")
OP(fld_st1_empty, 1, ".byte 0xd9,0xc1")
OP(fcom_empty1, 1, ".byte 0xd8,0xd1")
OP(fcomp_empty1, 1, ".byte 0xd8,0xd9")
OP(fcompp_empty1, 1, ".byte 0xde,0xd9")
OP(fcomi_empty1, 1, ".byte 0xdb,0xf1")
OP(fucomip_empty1, 1, ".byte 0xdf,0xe9")
OP(ftst_empty, 0, ".byte 0xd9,0xe4")
OP(fxch_empty1, 1, ".byte 0xd9,0xc9")
OP(fxch_empty0, 0, ".byte 0xd9,0xc9")
OP(fcmovb_empty1, 1, ".byte 0xda,0xc1")
OP(fcmovnb_empty1, 1, ".byte 0xdb,0xc1")
OP(fscale_empty1, 1, ".byte 0xd9,0xfd")
OP(fprem_empty1, 1, ".byte 0xd9,0xf8")
OP(fxtract_empty, 0, ".byte 0xd9,0xf4")
OP(frndint_empty, 0, ".byte 0xd9,0xfc")
OP(fsin_empty, 0, ".byte 0xd9,0xfe")
OP(fptan_empty, 0, ".byte 0xd9,0xf2")
OP(fsincos_empty, 0, ".byte 0xd9,0xfb")
OP(fpatan_empty1, 1, ".byte 0xd9,0xf3")
OP(fyl2x_empty1, 1, ".byte 0xd9,0xf1")
OP(f2xm1_empty, 0, ".byte 0xd9,0xf0")

// Transcendental instructions.
OP(fsin, 1, ".byte 0xd9,0xfe")
OP(fcos, 1, ".byte 0xd9,0xff")
OP(fsincos, 1, ".byte 0xd9,0xfb")
OP(fptan, 1, ".byte 0xd9,0xf2")
OP(fpatan, 2, ".byte 0xd9,0xf3")
OP(f2xm1, 1, ".byte 0xd9,0xf0")
OP(fyl2x, 2, ".byte 0xd9,0xf1")
OP(fyl2xp1, 2, ".byte 0xd9,0xf9")

typedef void (*opfn)(void);

// ---------------------------------------------------------------------------
// Output.

static uint16_t u16at(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t u32at(const uint8_t *p) { return (uint32_t)u16at(p) | (uint32_t)u16at(p + 2) << 16; }
static uint64_t u64at(const uint8_t *p) { return (uint64_t)u32at(p) | (uint64_t)u32at(p + 4) << 32; }

static void pf80(const char *label, f80 v) { printf(" %s%04x:%016llx", label, v.se, (unsigned long long)v.m); }

// pointers_lost reports whether the last case saved a pending exception
// (ES set) but a zero instruction or data pointer. Natively that happens
// when the thread was switched out between the instruction and FNSAVE:
// Linux clears the pointers on AMD CPUs at a context switch
// (X86_BUG_FXSAVE_LEAK). run and runm then run the case again, so that
// the output does not depend on preemption; under gemu the pointers are
// never lost, and a case whose pointers are really zero is simply run a
// few times.
static int pointers_lost(void) {
	return (u16at(SV + 4) & 0x80) && (u32at(SV + 12) == 0 || u32at(SV + 20) == 0);
}

// show prints the state the last case left in SV, FL and RAX.
static void show(void) {
	uint16_t cw = u16at(SV), sw = u16at(SV + 4), tw = u16at(SV + 8);
	int top = sw >> 11 & 7;
	printf(" : sw=%04x cw=%04x tw=%04x", sw, cw, tw);
	for (int i = 0; i < 8; i++) {
		if ((tw >> (2 * ((top + i) & 7)) & 3) == 3)
			continue;
		f80 v;
		v.m = u64at(SV + 28 + 10 * i);
		v.se = u16at(SV + 28 + 10 * i + 8);
		char l[8];
		snprintf(l, sizeof l, "st%d=", i);
		pf80(l, v);
	}
	hash64 h;
	hash_init(&h);
	hash_bytes(&h, SV + 28, 80);
	// Without a pending exception (ES clear), AMD CPUs do not save the
	// last-instruction pointers, and Linux clears them on every context
	// switch (X86_BUG_FXSAVE_LEAK), so natively they are zero or not
	// depending on preemption: print them only when ES is set. FCS and
	// FDS are never printed: a 64-bit kernel saves the FPU with the 64-bit
	// XSAVE layout, which has no selectors, so a context switch between
	// the instruction and FNSAVE zeroes them.
	if (sw & 0x80)
		printf(" h=%08x fop=%03x fip=%06x fdp=%06x fl=%03llx\n", (unsigned)h.h,
		       u16at(SV + 18) & 0x7ff, u32at(SV + 12), u32at(SV + 20), (unsigned long long)(FL & 0x8d5));
	else
		printf(" h=%08x fl=%03llx\n", (unsigned)h.h, (unsigned long long)(FL & 0x8d5));
}

static void pmem(int n) {
	printf(" mem=");
	for (int i = 0; i < n; i++)
		printf("%02x", MEM[i]);
}

// run runs one case with ST(0) = a, ST(1) = b and prints it.
static void run(const char *name, opfn fn, uint16_t cw, f80 a, f80 b) {
	for (int try = 0; try < 8; try++) {
		A = a;
		B = b;
		CW = cw;
		FLIN = 0x8d7;
		fn();
		if (!pointers_lost())
			break;
	}
	printf("%s cw=%04x", name, cw);
	pf80("a=", a);
	pf80("b=", b);
	show();
}

// runm is run with a memory operand of n bytes; store reports the memory
// after the instruction too.
static void runm(const char *name, opfn fn, uint16_t cw, f80 a, const void *m, int n, int store) {
	for (int try = 0; try < 8; try++) {
		memset(MEM, 0xaa, sizeof MEM);
		memcpy(MEM, m, n);
		A = a;
		B = a;
		CW = cw;
		FLIN = 0x8d7;
		fn();
		if (!pointers_lost())
			break;
	}
	printf("%s cw=%04x", name, cw);
	pf80("a=", a);
	printf(" m=");
	for (int i = 0; i < n; i++)
		printf("%02x", ((const uint8_t *)m)[i]);
	if (store)
		pmem(n);
	show();
}

// ---------------------------------------------------------------------------
// Operands.

#define F(m, se) {m##ULL, se}
static const f80 edge[] = {
	F(0, 0), F(0, 0x8000),                                        // ±0
	F(0x8000000000000000, 0x3fff), F(0x8000000000000000, 0xbfff), // ±1
	F(0x8000000000000000, 0x4000), F(0xc000000000000000, 0x3fff), // 2, 1.5
	F(0xa000000000000000, 0xc000), F(0x8000000000000000, 0x3ffe), // -2.5, 0.5
	F(0xaaaaaaaaaaaaaaab, 0x3ffd), F(0xc90fdaa22168c235, 0x4000), // 1/3, π
	F(0xffffffffffffffff, 0x7ffe), F(0xffffffffffffffff, 0xfffe), // ±max
	F(0x8000000000000000, 0x0001), F(0x8000000000000000, 0x8001), // ±min normal
	F(0x7fffffffffffffff, 0x0000), F(0x0000000000000001, 0x8000), // max denormal, -min denormal
	F(0x8000000000000001, 0x0000),                                // pseudo-denormal
	F(0x8000000000000000, 0x7fff), F(0x8000000000000000, 0xffff), // ±∞
	F(0xc000000000000000, 0x7fff), F(0xc000000000000001, 0xffff), // QNaN, -QNaN with payload
	F(0x8000000000000001, 0x7fff), F(0xa000000000000000, 0xffff), // SNaN, -SNaN
	F(0xc000000000000000, 0xffff),                                // indefinite
	F(0x4000000000000000, 0x4000),                                // unnormal
	F(0x0000000000000000, 0x7fff),                                // pseudo-infinity
	F(0x4000000000000000, 0x7fff),                                // pseudo-NaN
	F(0x8000000000000001, 0x3fff), F(0xffffffffffffffff, 0x3ffe), // 1+ulp, 1-ulp/2
	F(0x8000000000000000, 0x403e), F(0xfffffffffffffffe, 0xc03d), // 2^63, -(2^63-2)
	F(0xcccccccccccccccd, 0x3ffb), F(0x9502f90000000000, 0x4020), // 0.1, 1e10
	F(0x8000000000000000, 0x7ffe), F(0xc000000000000000, 0x0001), // 2^16383, 1.5·2^-16382
	F(0x8000000000000001, 0x403d), F(0xc000000000000000, 0xbffe), // 2^62+0.5, -0.75
	F(0x8000000000000000, 0x3fbf), F(0xd49a784bcd1b8afe, 0x4000), // 2^-64, log2(10)
};
#define NEDGE ((int)(sizeof edge / sizeof edge[0]))

// A small subset for the forms that do not need the full cross product.
static const int few[] = {0, 1, 2, 3, 5, 7, 8, 11, 12, 14, 17, 19, 21, 24, 33};
#define NFEW ((int)(sizeof few / sizeof few[0]))

// rval returns a pseudo-random value: mostly normal numbers around 1 or
// at the extremes of the range, sometimes a denormal or a special.
static f80 rval(void) {
	f80 v;
	uint32_t k = lcg_next(&rng) % 16;
	v.m = r64() | 0x8000000000000000ULL;
	uint16_t e;
	switch (k) {
	case 0: e = (uint16_t)(lcg_next(&rng) % 0x7fff); break;
	case 1: e = (uint16_t)(1 + lcg_next(&rng) % 80); break;
	case 2: e = (uint16_t)(0x7ffe - lcg_next(&rng) % 80); break;
	case 3: e = 0; v.m >>= 1 + lcg_next(&rng) % 63; break;
	case 4: return edge[lcg_next(&rng) % NEDGE];
	case 5: v.m &= ~0xffffULL; e = (uint16_t)(0x3fff + lcg_next(&rng) % 70); break; // integers-ish
	default: e = (uint16_t)(0x3fff - 40 + lcg_next(&rng) % 80); break;
	}
	if (lcg_next(&rng) & 1)
		e |= 0x8000;
	v.se = e;
	return v;
}

// Control words: every rounding control with every precision, and
// everything unmasked.
static const uint16_t cw_all[] = {0x037f, 0x077f, 0x0b7f, 0x0f7f, 0x027f, 0x067f, 0x0a7f,
				  0x0e7f, 0x007f, 0x047f, 0x087f, 0x0c7f};
#define NCW ((int)(sizeof cw_all / sizeof cw_all[0]))
static const uint16_t cw_unmasked = 0x0340;
static const uint16_t cw_unmasked_rz = 0x0f40;

static const uint32_t m32s[] = {0x00000000, 0x80000000, 0x3f800000, 0xbfc00000, 0x7f7fffff, 0x00000001,
				0x807fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0x3eaaaaab};
static const uint64_t m64s[] = {0x0000000000000000ULL, 0x8000000000000000ULL, 0x3ff0000000000000ULL,
				0xbff8000000000000ULL, 0x7fefffffffffffffULL, 0x0000000000000001ULL,
				0x800fffffffffffffULL, 0x7ff0000000000000ULL, 0xfff0000000000000ULL,
				0x7ff8000000000000ULL, 0x7ff0000000000001ULL, 0x3fd5555555555555ULL};
static const int16_t m16s[] = {0, 1, -1, 32767, -32768, 3, 100};
static const int32_t m32is[] = {0, 1, -1, 2147483647, -2147483647 - 1, 12345678, -7};
static const int64_t m64is[] = {0, 1, -1, 9223372036854775807LL, -9223372036854775807LL - 1,
				1234567890123456789LL, -1000000007LL};

// ---------------------------------------------------------------------------
// Parts.

struct namedop {
	const char *name;
	opfn fn;
};

static void arith(void) {
	static const struct namedop basic[] = {
		{"fadd st0,st1", fadd_st0_st1}, {"fmul st0,st1", fmul_st0_st1},
		{"fsub st0,st1", fsub_st0_st1}, {"fsubr st0,st1", fsubr_st0_st1},
		{"fdiv st0,st1", fdiv_st0_st1}, {"fdivr st0,st1", fdivr_st0_st1},
	};
	static const struct namedop forms[] = {
		{"fadd st1,st0", fadd_st1_st0}, {"fmul st1,st0", fmul_st1_st0}, {"fsub st1,st0", fsub_st1_st0},
		{"fsubr st1,st0", fsubr_st1_st0}, {"fdiv st1,st0", fdiv_st1_st0}, {"fdivr st1,st0", fdivr_st1_st0},
		{"faddp", faddp}, {"fmulp", fmulp}, {"fsubp", fsubp}, {"fsubrp", fsubrp}, {"fdivp", fdivp},
		{"fdivrp", fdivrp},
	};
	for (int o = 0; o < 6; o++)
		for (int i = 0; i < NEDGE; i++)
			for (int j = 0; j < NEDGE; j++)
				run(basic[o].name, basic[o].fn, 0x037f, edge[i], edge[j]);
	for (int o = 0; o < 6; o++)
		for (int c = 0; c < NCW; c++)
			for (int k = 0; k < 40; k++) {
				f80 a = rval(), b = rval();
				run(basic[o].name, basic[o].fn, cw_all[c], a, b);
			}
	for (int o = 0; o < 6; o++)
		for (int i = 0; i < NFEW; i++)
			for (int j = 0; j < NFEW; j++) {
				run(basic[o].name, basic[o].fn, cw_unmasked, edge[few[i]], edge[few[j]]);
				run(basic[o].name, basic[o].fn, cw_unmasked_rz, edge[few[i]], edge[few[j]]);
			}
	for (int o = 0; o < 12; o++)
		for (int i = 0; i < NFEW; i++)
			for (int j = 0; j < NFEW; j++)
				run(forms[o].name, forms[o].fn, 0x037f, edge[few[i]], edge[few[j]]);
	for (int k = 0; k < 30; k++) {
		C = rval();
		run("fadd st2,st0", fadd_st2_st0, cw_all[k % NCW], rval(), rval());
		C = rval();
		run("fdiv st0,st2", fdiv_st0_st2, cw_all[k % NCW], rval(), rval());
		C = rval();
		run("fsubp st2,st0", fsubp_st2, cw_all[k % NCW], rval(), rval());
	}

	static const struct namedop m32ops[] = {{"fadd m32", fadd_m32}, {"fmul m32", fmul_m32},
						{"fsub m32", fsub_m32}, {"fsubr m32", fsubr_m32},
						{"fdiv m32", fdiv_m32}, {"fdivr m32", fdivr_m32}};
	static const struct namedop m64ops[] = {{"fadd m64", fadd_m64}, {"fmul m64", fmul_m64},
						{"fsub m64", fsub_m64}, {"fsubr m64", fsubr_m64},
						{"fdiv m64", fdiv_m64}, {"fdivr m64", fdivr_m64}};
	static const struct namedop m16ops[] = {{"fiadd m16", fiadd_m16}, {"fimul m16", fimul_m16},
						{"fisub m16", fisub_m16}, {"fisubr m16", fisubr_m16},
						{"fidiv m16", fidiv_m16}, {"fidivr m16", fidivr_m16}};
	static const struct namedop m32iops[] = {{"fiadd m32", fiadd_m32}, {"fimul m32", fimul_m32},
						 {"fisub m32", fisub_m32}, {"fisubr m32", fisubr_m32},
						 {"fidiv m32", fidiv_m32}, {"fidivr m32", fidivr_m32}};
	for (int o = 0; o < 6; o++)
		for (int i = 0; i < NFEW; i++) {
			f80 a = edge[few[i]];
			for (int j = 0; j < 12; j++) {
				runm(m32ops[o].name, m32ops[o].fn, 0x037f, a, &m32s[j], 4, 0);
				runm(m64ops[o].name, m64ops[o].fn, 0x037f, a, &m64s[j], 8, 0);
			}
			for (int j = 0; j < 7; j++) {
				runm(m16ops[o].name, m16ops[o].fn, 0x037f, a, &m16s[j], 2, 0);
				runm(m32iops[o].name, m32iops[o].fn, 0x037f, a, &m32is[j], 4, 0);
			}
		}
	for (int o = 0; o < 6; o++)
		for (int k = 0; k < 24; k++) {
			uint16_t cw = k < 12 ? cw_all[k] : cw_unmasked | (uint16_t)((k & 3) << 10);
			f80 a = rval();
			uint32_t m32 = (uint32_t)r64();
			uint64_t m64 = r64();
			int16_t i16 = (int16_t)r64();
			int32_t i32 = (int32_t)r64();
			runm(m32ops[o].name, m32ops[o].fn, cw, a, &m32, 4, 0);
			runm(m64ops[o].name, m64ops[o].fn, cw, a, &m64, 8, 0);
			runm(m16ops[o].name, m16ops[o].fn, cw, a, &i16, 2, 0);
			runm(m32iops[o].name, m32iops[o].fn, cw, a, &i32, 4, 0);
		}
}

static void unary(void) {
	static const struct namedop ops[] = {{"fchs", fchs},       {"fabs", fabs_},       {"fsqrt", fsqrt_},
					     {"frndint", frndint}, {"fxtract", fxtract}, {"ftst", ftst},
					     {"fxam", fxam}};
	for (int o = 0; o < 7; o++)
		for (int i = 0; i < NEDGE; i++) {
			run(ops[o].name, ops[o].fn, 0x037f, edge[i], edge[0]);
			run(ops[o].name, ops[o].fn, cw_unmasked, edge[i], edge[0]);
		}
	for (int o = 2; o < 4; o++)
		for (int c = 0; c < NCW; c++)
			for (int k = 0; k < 30; k++) {
				f80 a = rval();
				a.se &= 0x7fff; // mostly positive for the square root
				if (o == 3 && (k & 1))
					a.se |= 0x8000;
				run(ops[o].name, ops[o].fn, cw_all[c], a, edge[0]);
			}
	for (int i = 0; i < NEDGE; i++) {
		A = edge[i];
		CW = 0x037f;
		FLIN = 0x8d7;
		fxam_empty();
		printf("fxam(empty)");
		pf80("a=", edge[i]);
		show();
	}

	static const struct namedop two[] = {{"fscale", fscale}, {"fprem", fprem}, {"fprem1", fprem1}};
	for (int o = 0; o < 3; o++) {
		for (int i = 0; i < NEDGE; i++)
			for (int j = 0; j < NEDGE; j += 2)
				run(two[o].name, two[o].fn, 0x037f, edge[i], edge[j]);
		for (int k = 0; k < 200; k++) {
			f80 a = rval(), b = rval();
			if (o > 0 && k % 3 == 0) { // exponent differences around 64
				a.se = (uint16_t)((a.se & 0x8000) | 0x3fff);
				b.se = (uint16_t)((b.se & 0x8000) | (0x3fff - 40 - lcg_next(&rng) % 100));
			}
			if (o == 0) { // scale factors in range
				b.se = (uint16_t)((b.se & 0x8000) | (0x3fff + lcg_next(&rng) % 16));
			}
			run(two[o].name, two[o].fn, cw_all[k % NCW], a, b);
		}
		for (int i = 0; i < NFEW; i++)
			for (int j = 0; j < NFEW; j++)
				run(two[o].name, two[o].fn, cw_unmasked, edge[few[i]], edge[few[j]]);
	}
}

static void compares(void) {
	static const struct namedop ops[] = {
		{"fcom st1", fcom_st1},     {"fcomp st1", fcomp_st1},   {"fcompp", fcompp},
		{"fucom st1", fucom_st1},   {"fucomp st1", fucomp_st1}, {"fucompp", fucompp},
		{"fcomi st1", fcomi_st1},   {"fcomip st1", fcomip_st1}, {"fucomi st1", fucomi_st1},
		{"fucomip st1", fucomip_st1},
	};
	for (int o = 0; o < 10; o++) {
		for (int i = 0; i < NEDGE; i += 1)
			for (int j = 0; j < NEDGE; j += 3)
				run(ops[o].name, ops[o].fn, 0x037f, edge[i], edge[j]);
		for (int i = 0; i < NFEW; i++)
			for (int j = 0; j < NFEW; j++)
				run(ops[o].name, ops[o].fn, cw_unmasked, edge[few[i]], edge[few[j]]);
	}
	static const struct namedop m32ops[] = {{"fcom m32", fcom_m32}, {"fcomp m32", fcomp_m32}};
	static const struct namedop m64ops[] = {{"fcom m64", fcom_m64}, {"fcomp m64", fcomp_m64}};
	static const struct namedop m16ops[] = {{"ficom m16", ficom_m16}, {"ficomp m16", ficomp_m16}};
	static const struct namedop m32iops[] = {{"ficom m32", ficom_m32}, {"ficomp m32", ficomp_m32}};
	for (int o = 0; o < 2; o++)
		for (int i = 0; i < NFEW; i++)
			for (int u = 0; u < 2; u++) {
				uint16_t cw = u ? cw_unmasked : 0x037f;
				f80 a = edge[few[i]];
				for (int j = 0; j < 12; j++) {
					runm(m32ops[o].name, m32ops[o].fn, cw, a, &m32s[j], 4, 0);
					runm(m64ops[o].name, m64ops[o].fn, cw, a, &m64s[j], 8, 0);
				}
				for (int j = 0; j < 7; j++) {
					runm(m16ops[o].name, m16ops[o].fn, cw, a, &m16s[j], 2, 0);
					runm(m32iops[o].name, m32iops[o].fn, cw, a, &m32is[j], 4, 0);
				}
			}
}

static void loads_stores(void) {
	for (int j = 0; j < 12; j++)
		for (int u = 0; u < 2; u++) {
			uint16_t cw = u ? cw_unmasked : 0x037f;
			runm("fld m32", fld_m32, cw, edge[0], &m32s[j], 4, 0);
			runm("fld m64", fld_m64, cw, edge[0], &m64s[j], 8, 0);
		}
	for (int i = 0; i < NEDGE; i++)
		runm("fld m80", fld_m80, 0x037f, edge[0], &edge[i], 10, 0);
	for (int j = 0; j < 7; j++) {
		runm("fild m16", fild_m16, 0x037f, edge[0], &m16s[j], 2, 0);
		runm("fild m32", fild_m32, 0x037f, edge[0], &m32is[j], 4, 0);
		runm("fild m64", fild_m64, 0x037f, edge[0], &m64is[j], 8, 0);
	}
	static const uint8_t bcds[][10] = {
		{0}, {0x01}, {0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x00},
		{0x89, 0x67, 0x45, 0x23, 0x01, 0, 0, 0, 0, 0x80}, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80},
		{0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x78, 0x00},
	};
	for (int j = 0; j < 6; j++)
		runm("fbld", fbld, 0x037f, edge[0], bcds[j], 10, 0);
	static const struct namedop consts[] = {{"fld1", fld1},     {"fldl2t", fldl2t}, {"fldl2e", fldl2e},
						{"fldpi", fldpi},   {"fldlg2", fldlg2}, {"fldln2", fldln2},
						{"fldz", fldz}};
	for (int o = 0; o < 7; o++)
		for (int c = 0; c < 8; c++)
			run(consts[o].name, consts[o].fn, cw_all[c], edge[0], edge[0]);
	for (int i = 0; i < NEDGE; i++) {
		run("fld st1", fld_st1, 0x037f, edge[0], edge[i]);
		run("fld st0", fld_st0, 0x037f, edge[i], edge[0]);
	}

	static const struct namedop st[] = {
		{"fst m32", fst_m32},       {"fstp m32", fstp_m32},     {"fst m64", fst_m64},
		{"fstp m64", fstp_m64},     {"fist m16", fist_m16},     {"fistp m16", fistp_m16},
		{"fist m32", fist_m32},     {"fistp m32", fistp_m32},   {"fistp m64", fistp_m64},
		{"fisttp m16", fisttp_m16}, {"fisttp m32", fisttp_m32}, {"fisttp m64", fisttp_m64},
	};
	static const int size[] = {4, 4, 8, 8, 2, 2, 4, 4, 8, 2, 4, 8};
	uint8_t none[16] = {0};
	for (int o = 0; o < 12; o++)
		for (int i = 0; i < NEDGE; i++)
			for (int c = 0; c < 4; c++) {
				runm(st[o].name, st[o].fn, cw_all[c], edge[i], none, size[o], 1);
				if (c == 0 || c == 3)
					runm(st[o].name, st[o].fn, cw_unmasked | (uint16_t)(c << 10), edge[i], none,
					     size[o], 1);
			}
	for (int o = 0; o < 12; o++)
		for (int k = 0; k < 60; k++) {
			f80 a = rval();
			if (o >= 4 && k & 1) // integers in and near range
				a.se = (uint16_t)((a.se & 0x8000) | (0x3fff + lcg_next(&rng) % (size[o] * 8 + 2)));
			runm(st[o].name, st[o].fn, cw_all[k % 4], a, none, size[o], 1);
		}
	for (int i = 0; i < NEDGE; i++) {
		runm("fstp m80", fstp_m80, 0x037f, edge[i], none, 10, 1);
		for (int c = 0; c < 4; c++)
			runm("fbstp", fbstp, cw_all[c], edge[i], none, 10, 1);
	}
	for (int k = 0; k < 40; k++) {
		f80 a = rval();
		a.se = (uint16_t)((a.se & 0x8000) | (0x3fff + lcg_next(&rng) % 64));
		runm("fbstp", fbstp, cw_all[k % 4], a, none, 10, 1);
	}
	for (int i = 0; i < NFEW; i++) {
		C = edge[few[(i + 3) % NFEW]];
		run("fst st2", fst_st2, 0x037f, edge[few[i]], edge[1]);
		run("fstp st2", fstp_st2, 0x037f, edge[few[i]], edge[1]);
		run("fstp st0", fstp_st0, 0x037f, edge[few[i]], edge[1]);
	}
}

static void stack(void) {
	static const struct namedop ops[] = {
		{"fxch st1", fxch_st1}, {"ffree st1", ffree_st1}, {"ffreep st1", ffreep_st1},
		{"fincstp", fincstp},   {"fdecstp", fdecstp},     {"fnop", fnop},
		{"fnclex", fnclex},     {"fninit", fninit},       {"fnstsw ax", fnstsw_ax},
		{"fwait", fwait_},
	};
	for (int o = 0; o < 10; o++)
		for (int i = 0; i < NFEW; i++)
			run(ops[o].name, ops[o].fn, 0x037f, edge[few[i]], edge[few[(i + 5) % NFEW]]);
	C = edge[9];
	run("fxch st2", fxch_st2, 0x037f, edge[2], edge[3]);
	static const struct namedop cm[] = {{"fcmovb", fcmovb},   {"fcmove", fcmove},   {"fcmovbe", fcmovbe},
					    {"fcmovu", fcmovu},   {"fcmovnb", fcmovnb}, {"fcmovne", fcmovne},
					    {"fcmovnbe", fcmovnbe}, {"fcmovnu", fcmovnu}};
	static const uint64_t flags[] = {0x002, 0x003, 0x042, 0x006, 0x043, 0x046, 0x047, 0x8d7};
	for (int o = 0; o < 8; o++)
		for (int k = 0; k < 8; k++) {
			A = edge[2];
			B = edge[9];
			CW = 0x037f;
			FLIN = flags[k];
			cm[o].fn();
			printf("%s flags=%03llx", cm[o].name, (unsigned long long)flags[k]);
			show();
		}
	// Register-stack overflow and underflow, masked and unmasked.
	static const struct namedop faults[] = {
		{"fld1 (full)", fld1_full},
		{"fld m64 (full)", fld_m64_full},
		{"fild m16 (full)", fild_full},
		{"fld st3 (full)", fld_st3_full},
		{"fxtract (full)", fxtract_full},
		{"fptan (full)", fptan_full},
		{"fsincos (full)", fsincos_full},
		{"fadd st0,st1 (st1 empty)", fadd_empty1},
		{"fadd st0,st1 (empty)", fadd_empty0},
		{"faddp (st1 empty)", faddp_empty1},
		{"fadd m32 (empty)", fadd_m32_empty},
		{"fchs (empty)", fchs_empty},
		{"fsqrt (empty)", fsqrt_empty},
		{"fst m32 (empty)", fst_m32_empty},
		{"fstp m64 (empty)", fstp_m64_empty},
		{"fstp m80 (empty)", fstp_m80_empty},
		{"fistp m32 (empty)", fistp_m32_empty},
		{"fbstp (empty)", fbstp_empty},
		{"fst st1 (empty)", fst_st1_empty},
		{"fld st1 (st1 empty)", fld_st1_empty},
		{"fcom st1 (st1 empty)", fcom_empty1},
		{"fcomp st1 (st1 empty)", fcomp_empty1},
		{"fcompp (st1 empty)", fcompp_empty1},
		{"fcomi st1 (st1 empty)", fcomi_empty1},
		{"fucomip st1 (st1 empty)", fucomip_empty1},
		{"ftst (empty)", ftst_empty},
		{"fxch st1 (st1 empty)", fxch_empty1},
		{"fxch st1 (empty)", fxch_empty0},
		{"fcmovb (st1 empty)", fcmovb_empty1},
		{"fcmovnb (st1 empty)", fcmovnb_empty1},
		{"fscale (st1 empty)", fscale_empty1},
		{"fprem (st1 empty)", fprem_empty1},
		{"fxtract (empty)", fxtract_empty},
		{"frndint (empty)", frndint_empty},
		{"fsin (empty)", fsin_empty},
		{"fptan (empty)", fptan_empty},
		{"fsincos (empty)", fsincos_empty},
		{"fpatan (st1 empty)", fpatan_empty1},
		{"fyl2x (st1 empty)", fyl2x_empty1},
		{"f2xm1 (empty)", f2xm1_empty},
	};
	int16_t three = 3;
	for (int o = 0; o < (int)(sizeof faults / sizeof faults[0]); o++)
		for (int u = 0; u < 2; u++) {
			memset(MEM, 0xaa, sizeof MEM);
			memcpy(MEM, o == 2 ? (const void *)&three : (const void *)&one, o == 2 ? 2 : 8);
			A = edge[8];
			B = edge[9];
			CW = u ? cw_unmasked : 0x037f;
			FLIN = 0x8d7;
			faults[o].fn();
			printf("%s cw=%04x", faults[o].name, CW);
			pmem(16);
			show();
		}
}

// LOADXMM sets XMM0-15 from the 256 bytes of operand 0.
#define LOADXMM                                                                              \
	"movdqa %0, %%xmm0\n\tmovdqa 16+%0, %%xmm1\n\tmovdqa 32+%0, %%xmm2\n\t"                \
	"movdqa 48+%0, %%xmm3\n\tmovdqa 64+%0, %%xmm4\n\tmovdqa 80+%0, %%xmm5\n\t"             \
	"movdqa 96+%0, %%xmm6\n\tmovdqa 112+%0, %%xmm7\n\tmovdqa 128+%0, %%xmm8\n\t"           \
	"movdqa 144+%0, %%xmm9\n\tmovdqa 160+%0, %%xmm10\n\tmovdqa 176+%0, %%xmm11\n\t"        \
	"movdqa 192+%0, %%xmm12\n\tmovdqa 208+%0, %%xmm13\n\tmovdqa 224+%0, %%xmm14\n\t"       \
	"movdqa 240+%0, %%xmm15\n\t"
#define XMMREGS                                                                                  \
	"xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", \
		"xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

// control covers the control instructions and the state images.
static void control(void) {
	static const uint16_t cws[] = {0x0000, 0xffff, 0x037f, 0x1f40, 0x0c3f, 0xe07f};
	for (int i = 0; i < 6; i++) {
		runm("fldcw", fldcw_m, 0x037f, edge[0], &cws[i], 2, 1);
		runm("fnstcw", fnstcw_m, cws[i], edge[0], &cws[i], 2, 1);
	}
	uint8_t none[2] = {0};
	runm("fnstsw m16", fnstsw_m, 0x037f, edge[8], none, 2, 1);

	// FNSTENV after an unmasked exception, FLDENV of a changed image.
	uint16_t sw1, sw2;
	__asm__ volatile("fninit\n\tfldcw %2\n\tfldl %3\n\tfldl %4\n\t.byte 0xd8,0xf1\n\t"
			 "fnstsw %0\n\tfnstenv ENV(%%rip)\n\tfnstsw %1\n\tfninit"
			 : "=m"(sw1), "=m"(sw2)
			 : "m"(cw_zm), "m"(zero), "m"(one)
			 : "memory");
	printf("fnstenv sw before %04x after %04x env=", sw1, sw2);
	for (int i = 0; i < 28; i++)
		printf("%02x", ENV[i]);
	printf("\n");
	ENV[8] = 0x00; // all tags valid
	ENV[9] = 0x00;
	uint8_t env2[28];
	__asm__ volatile("fninit\n\tfldz\n\tfld1\n\tfnstenv ENV(%%rip)\n\tmovb $0, ENV+8(%%rip)\n\t"
			 "movb $0, ENV+9(%%rip)\n\tfldenv ENV(%%rip)\n\tfnstenv %0\n\tfninit"
			 : "=m"(env2)
			 :
			 : "memory");
	printf("fldenv all-valid tags -> env=");
	for (int i = 0; i < 28; i++)
		printf("%02x", env2[i]);
	printf("\n");
	// FLDENV of an image with an unmasked flag set: ES is recomputed.
	__asm__ volatile("fninit\n\tfnstenv ENV(%%rip)\n\tmovb $0x04, ENV+4(%%rip)\n\t"
			 "andb $0xfb, ENV(%%rip)\n\tfldenv ENV(%%rip)\n\tfnstsw %0\n\tfnclex\n\tfninit"
			 : "=m"(sw1)
			 :
			 : "memory");
	printf("fldenv pending ZE -> sw=%04x\n", sw1);
	// 16-bit images.
	uint8_t e16[14];
	__asm__ volatile("fninit\n\tfldpi\n\tfld1\n\tdata16 fnstenv %0\n\tfninit" : "=m"(e16) : : "memory");
	printf("fnstenv16 env=");
	for (int i = 0; i < 14; i++)
		printf("%02x", e16[i]);
	printf("\n");

	// FNSAVE/FRSTOR round trip with a rotated stack.
	uint8_t sv[108], sv2[108];
	__asm__ volatile("fninit\n\tfldpi\n\tfld1\n\tfldz\n\tfincstp\n\tfnsave %0\n\tfrstor %0\n\t"
			 "fnsave %1\n\tfninit"
			 : "+m"(sv), "=m"(sv2)
			 :
			 : "memory");
	printf("fnsave/frstor same=%d image=", memcmp(sv, sv2, 108) == 0);
	for (int i = 0; i < 108; i++)
		printf("%02x", sv2[i]);
	printf("\n");

	// FXSAVE layout: x87 state, MXCSR (its mask without bit 17, which is
	// the host's AMD misaligned-exception mask), the XMM registers.
	// Every XMM register is set: libc (memset) may have left anything in
	// them, and which code it runs depends on the CPUID features.
	static uint8_t xmm[16 * 16] __attribute__((aligned(16)));
	for (int i = 0; i < 256; i++)
		xmm[i] = (uint8_t)(i * 7 + 3);
	for (int variant = 0; variant < 4; variant++) {
		memset(FX, 0xaa, sizeof FX);
		CW = variant & 1 ? 0x037b : 0x037f;
		if (variant < 2)
			__asm__ volatile(LOADXMM "fninit\n\tfldcw CW(%%rip)\n\tfld1\n\tfldz\n\tfldpi\n\t"
					 ".byte 0xd8,0xf1\n\tfxsave FX(%%rip)\n\tfnclex\n\tfninit"
					 :
					 : "m"(xmm)
					 : "memory", XMMREGS);
		else
			__asm__ volatile(LOADXMM "fninit\n\tfldcw CW(%%rip)\n\tfld1\n\tfldz\n\tfldpi\n\t"
					 ".byte 0xd8,0xf1\n\tfxsave64 FX(%%rip)\n\tfnclex\n\tfninit"
					 :
					 : "m"(xmm)
					 : "memory", XMMREGS);
		FX[30] = 0; // MXCSR_MASK bits 16-23: the host's AMD MM bit
		if (variant < 2) {
			// FCS and FDS (32-bit layout): a context switch zeroes them
			// natively (see show), so they are not compared.
			FX[12] = FX[13] = FX[20] = FX[21] = 0;
		}
		printf("fxsave%s%s:", variant < 2 ? "" : "64", variant & 1 ? " (pending)" : "");
		for (int i = 0; i < 512; i++) {
			if (i % 64 == 0)
				printf("\n ");
			printf("%02x", FX[i]);
		}
		printf("\n");
	}
	// FXRSTOR: restore an image with a pending exception and a rotated
	// stack, then look at it with FNSAVE.
	__asm__ volatile("fninit\n\tfldcw CW(%%rip)\n\tfldpi\n\tfldz\n\t.byte 0xd8,0xf1\n\tfld1\n\t"
			 "fdecstp\n\tfxsave FX(%%rip)\n\tfnclex\n\tfninit\n\tfxrstor FX(%%rip)\n\t"
			 "fnsave SV(%%rip)" ::
				 : "memory");
	printf("fxrstor");
	show();
	__asm__ volatile("fninit\n\tfldpi\n\tfxsave64 FX(%%rip)\n\tfninit\n\tfxrstor64 FX(%%rip)\n\t"
			 "fnsave SV(%%rip)" ::
				 : "memory");
	printf("fxrstor64");
	show();
}

// printing covers musl's long double formatting and parsing.
static void printing(void) {
	static const long double vals[] = {
		0.0L, -0.0L, 1.0L, -1.0L, 0.1L, 1.0L / 3, 2.0L / 3, 0.5L, 1.5L, 2.5L, -2.5L, 1e-5L,
		123456789.125L, 1e15L + 0.3L, 1e21L, 1e22L, 9007199254740993.0L, 1e300L, 1e4000L, -1e-4000L,
		LDBL_MAX, LDBL_MIN, LDBL_TRUE_MIN, LDBL_EPSILON, DBL_MAX, DBL_MIN, 4.9406564584124654e-324,
		M_PI, M_E, 3.14159265358979323846264338327950288L, 6.02214076e23L, 1.0L / 7, 1e-310L,
		18446744073709551615.0L, 0.3L, 1234.5678L, -987654321.0123456789L, 1e100L, 1e-100L,
	};
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		long double v = vals[i];
		printf("printf %.20Lf|%La|%Lg|%.30Le|%.0Lf|%Le|%.25Lg\n", v, v, v, v, v, v, v);
		double d = (double)v;
		printf("printf double %.17g|%a|%f|%.3e\n", d, d, d, d);
	}
	for (int k = 0; k < 200; k++) {
		f80 r = rval();
		if ((r.se & 0x7fff) == 0x7fff || (r.m >> 63) == 0)
			continue;
		long double v;
		memcpy(&v, &r, 10);
		printf("printf %04x:%016llx %.21Lg|%La|%.40Le\n", r.se, (unsigned long long)r.m, v, v, v);
	}
	static const char *strs[] = {
		"0", "1", "-1", "0.1", "3.14159265358979323846264338327950288", "1e4932", "1.18973149535723176502e+4932",
		"1e-4951", "3.6451995318824746025e-4951", "1e-4960", "0x1.fffffffffffffffep+16383", "1e5000",
		"2.5", "123456789012345678901234567890", "1.000000000000000000054210108624275221700",
		"4.9406564584124654e-324", "inf", "-nan", "0x1p-16445", "0.5e-4950", "7e-4951",
	};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
		char *end;
		long double v = strtold(strs[i], &end);
		f80 r;
		memcpy(&r, &v, 10);
		printf("strtold %s -> %04x:%016llx end=%d\n", strs[i], r.se, (unsigned long long)r.m,
		       (int)(end - strs[i]));
	}
}

// ---------------------------------------------------------------------------
// Transcendental instructions: "T" lines.

static void trun(const char *name, opfn fn, uint16_t cw, f80 a, f80 b) {
	printf("T ");
	run(name, fn, cw, a, b);
}

static void trans(void) {
	static const struct namedop one[] = {
		{"fsin", fsin}, {"fcos", fcos}, {"fsincos", fsincos}, {"fptan", fptan}, {"f2xm1", f2xm1},
	};
	static const struct namedop two[] = {{"fpatan", fpatan}, {"fyl2x", fyl2x}, {"fyl2xp1", fyl2xp1}};
	for (int o = 0; o < 5; o++) {
		for (int i = 0; i < NEDGE; i++)
			for (int c = 0; c < 4; c++)
				trun(one[o].name, one[o].fn, cw_all[c], edge[i], edge[0]);
		for (int i = 0; i < NEDGE; i++)
			trun(one[o].name, one[o].fn, cw_unmasked, edge[i], edge[0]);
		for (int k = 0; k < 400; k++) {
			f80 a = rval();
			if (o == 4) { // F2XM1's domain is [-1, 1]
				a.m |= 1ULL << 63;
				a.se = (uint16_t)((a.se & 0x8000) | (0x3ffe - lcg_next(&rng) % (k < 300 ? 20 : 200)));
			} else if (k < 300) {
				a.m |= 1ULL << 63;
				a.se = (uint16_t)((a.se & 0x8000) | (0x3fff - 30 + lcg_next(&rng) % 95));
			}
			trun(one[o].name, one[o].fn, cw_all[k % 4], a, edge[0]);
		}
	}
	// Arguments next to multiples of π/2, where the 66-bit reduction shows.
	for (int k = 1; k < 40; k++)
		for (int d = -2; d <= 2; d++) {
			long double x = (long double)k * 1.5707963267948966192313216916397514L;
			f80 a;
			memcpy(&a, &x, 10);
			a.m += (uint64_t)(int64_t)d;
			trun("fsin", fsin, 0x037f, a, edge[0]);
			trun("fcos", fcos, 0x037f, a, edge[0]);
			trun("fptan", fptan, 0x037f, a, edge[0]);
		}
	for (int o = 0; o < 3; o++) {
		for (int i = 0; i < NEDGE; i++)
			for (int j = 0; j < NEDGE; j++)
				trun(two[o].name, two[o].fn, 0x037f, edge[i], edge[j]);
		for (int i = 0; i < NFEW; i++)
			for (int j = 0; j < NFEW; j++)
				trun(two[o].name, two[o].fn, cw_unmasked, edge[few[i]], edge[few[j]]);
		for (int k = 0; k < 600; k++) {
			f80 a = rval(), b = rval();
			if (o > 0 && k < 400) // positive arguments of the logarithm
				a.se &= 0x7fff;
			if (o == 2 && k < 300) { // FYL2XP1's domain |x| < 1 - √2/2
				a.m |= 1ULL << 63;
				a.se = (uint16_t)((a.se & 0x8000) | (0x3ffd - lcg_next(&rng) % 70));
			}
			trun(two[o].name, two[o].fn, cw_all[k % 4], a, b);
		}
	}
	// Exact and near-exact logarithms.
	for (int k = -3; k <= 3; k++)
		for (int c = 0; c < 4; c++) {
			f80 x = {0x8000000000000000ULL, (uint16_t)(0x3fff + k * 7)};
			trun("fyl2x", fyl2x, cw_all[c], x, edge[8]);
			x.m++;
			trun("fyl2x", fyl2x, cw_all[c], x, edge[2]);
		}

	// libm's long double functions (musl implements several with these
	// instructions).
	static const long double xs[] = {0.5L, 1.0L, 2.0L, 0.1L, 10.0L, 1e-10L, 100.5L, -0.75L, 3.0L, 1e30L};
	for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
		long double x = xs[i];
		long double r[] = {expl(x),   exp2l(x),   expm1l(x), logl(fabsl(x)), log2l(fabsl(x)),
				   log10l(fabsl(x)), log1pl(x), atanl(x),  atan2l(x, 0.3L), asinl(x / 100),
				   acosl(x / 100),   powl(fabsl(x), 1.7L), sinl(x), cosl(x), tanl(x),
				   fmodl(x, 0.3L),  remainderl(x, 0.3L), sqrtl(fabsl(x)), rintl(x)};
		for (size_t j = 0; j < sizeof r / sizeof r[0]; j++) {
			f80 v;
			memcpy(&v, &r[j], 10);
			printf("T libm %zu %zu %04x:%016llx\n", i, j, v.se, (unsigned long long)v.m);
		}
	}
}

// ---------------------------------------------------------------------------

int main(int argc, char **argv) {
	if (argc > 1 && strcmp(argv[1], "trans") == 0) {
		trans();
		return 0;
	}
	if (argc > 1 && strncmp(argv[1], "sigfpe-", 7) == 0) {
		uint16_t sw;
		__asm__ volatile("fninit\n\tfldcw %1\n\tfldl %2\n\tfldl %3\n\t.byte 0xd8,0xf1\n\tfnstsw %0"
				 : "=m"(sw)
				 : "m"(cw_zm), "m"(zero), "m"(one));
		printf("pending sw=%04x\n", sw);
		fflush(stdout);
		if (strcmp(argv[1], "sigfpe-fwait") == 0)
			__asm__ volatile("fwait");
		else
			__asm__ volatile("fld1");
		printf("not reached\n");
		return 1;
	}
	arith();
	unary();
	compares();
	loads_stores();
	stack();
	control();
	printing();
	return 0;
}
