// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// insn_sse: every SSE and SSE2 instruction form gemu implements, run over
// edge and fixed-seed pseudo-random operands, one line per case: the
// instruction, its operands, the result bits and, for floating point, the
// MXCSR control it ran under (all four rounding modes, DAZ and FTZ on and
// off, flags cleared before each case) and the exception flags it raised.
// The output must be identical natively and under gemu.
//
// RCP/RSQRT results are reduced to "within the SDM's error bound" so that
// the output does not depend on the vendor's approximation; the argument
// rcp-exact prints their bits (gemu reproduces AMD Zen's).
//
// With another argument the guest instead ends with the fault that
// instruction raises (the exit status is compared):
//   movaps-misaligned   #GP on a misaligned 16-byte operand: SIGSEGV
//   addps-misaligned    the same for an arithmetic memory operand
//   ldmxcsr-reserved    #GP for a reserved MXCSR bit: SIGSEGV
//   unmasked-zero       1/0 with ZE unmasked: SIGFPE
//   unmasked-inexact    1/3 with PE unmasked: SIGFPE
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "guest.h"

typedef struct {
	uint64_t lo, hi;
} __attribute__((aligned(16))) v128;

static const uint32_t mx_default = 0x1f80;
static lcg rng = {0x2545f4914f6cdd1dULL};

static uint64_t r64(void) { return (uint64_t)lcg_next(&rng) << 32 | lcg_next(&rng); }

// ---------------------------------------------------------------------------
// Instruction wrappers. xmm0 is the destination, xmm1 the register source;
// the M forms take the source from memory. Each loads MXCSR before the
// instruction, stores it after, and restores the default.

#define OP2(name, insn)                                                                    \
	static void name(v128 *d, const v128 *s, uint32_t *mx) {                              \
		__asm__ volatile("movdqa %0, %%xmm0\n\tmovdqa %2, %%xmm1\n\tldmxcsr %1\n\t" insn \
				 " %%xmm1, %%xmm0\n\tstmxcsr %1\n\tldmxcsr %3\n\tmovdqa %%xmm0, %0"     \
				 : "+m"(*d), "+m"(*mx)                                                    \
				 : "m"(*s), "m"(mx_default)                                               \
				 : "xmm0", "xmm1");                                                       \
	}
#define OP2M(name, insn)                                                             \
	static void name(v128 *d, const v128 *s, uint32_t *mx) {                        \
		__asm__ volatile("movdqa %0, %%xmm0\n\tldmxcsr %1\n\t" insn                \
				 " %2, %%xmm0\n\tstmxcsr %1\n\tldmxcsr %3\n\tmovdqa %%xmm0, %0" \
				 : "+m"(*d), "+m"(*mx)                                            \
				 : "m"(*s), "m"(mx_default)                                       \
				 : "xmm0");                                                       \
	}

typedef void (*op2fn)(v128 *, const v128 *, uint32_t *);

// Floating-point arithmetic.
#define FPOPS(X)                                                                          \
	X(addps) X(addss) X(addpd) X(addsd) X(subps) X(subss) X(subpd) X(subsd) X(mulps)      \
	X(mulss) X(mulpd) X(mulsd) X(divps) X(divss) X(divpd) X(divsd) X(minps) X(minss)      \
	X(minpd) X(minsd) X(maxps) X(maxss) X(maxpd) X(maxsd) X(sqrtps) X(sqrtss) X(sqrtpd)   \
	X(sqrtsd) X(rcpps) X(rcpss) X(rsqrtps) X(rsqrtss)
#define DEF_FP(n) OP2(n, #n) OP2M(n##_m, #n)
FPOPS(DEF_FP)

// Compares with every predicate.
#define CMPOPS(X) X(ps) X(ss) X(pd) X(sd)
#define DEF_CMP(t)                                                                            \
	OP2(cmp0##t, "cmpeq" #t) OP2(cmp1##t, "cmplt" #t) OP2(cmp2##t, "cmple" #t)                \
	OP2(cmp3##t, "cmpunord" #t) OP2(cmp4##t, "cmpneq" #t) OP2(cmp5##t, "cmpnlt" #t)           \
	OP2(cmp6##t, "cmpnle" #t) OP2(cmp7##t, "cmpord" #t) OP2M(cmp1##t##_m, "cmplt" #t)
CMPOPS(DEF_CMP)

// Conversions between floating-point formats and packed integers.
#define CVTOPS(X)                                                                               \
	X(cvtss2sd) X(cvtsd2ss) X(cvtps2pd) X(cvtpd2ps) X(cvtdq2ps) X(cvtdq2pd) X(cvtps2dq) \
	X(cvttps2dq) X(cvtpd2dq) X(cvttpd2dq)
#define DEF_CVT(n) OP2(n, #n) OP2M(n##_m, #n)
CVTOPS(DEF_CVT)

// Packed integers, logic, shuffles and unpacks.
#define INTOPS(X)                                                                                \
	X(paddb) X(paddw) X(paddd) X(paddq) X(psubb) X(psubw) X(psubd) X(psubq) X(paddsb) X(paddsw)  \
	X(paddusb) X(paddusw) X(psubsb) X(psubsw) X(psubusb) X(psubusw) X(pmullw) X(pmulhw)          \
	X(pmulhuw) X(pmuludq) X(pmaddwd) X(pavgb) X(pavgw) X(pminub) X(pmaxub) X(pminsw) X(pmaxsw)   \
	X(psadbw) X(pcmpeqb) X(pcmpeqw) X(pcmpeqd) X(pcmpgtb) X(pcmpgtw) X(pcmpgtd) X(pand)         \
	X(pandn) X(por) X(pxor) X(packsswb) X(packssdw) X(packuswb) X(punpcklbw) X(punpcklwd)       \
	X(punpckldq) X(punpcklqdq) X(punpckhbw) X(punpckhwd) X(punpckhdq) X(punpckhqdq) X(andps)    \
	X(andpd) X(andnps) X(andnpd) X(orps) X(orpd) X(xorps) X(xorpd) X(unpcklps) X(unpckhps)     \
	X(unpcklpd) X(unpckhpd) X(psllw) X(pslld) X(psllq) X(psrlw) X(psrld) X(psrlq) X(psraw)     \
	X(psrad) X(movaps) X(movapd) X(movdqa) X(movups) X(movupd) X(movdqu) X(movss) X(movsd)      \
	X(movhlps) X(movlhps) X(movq)
#define DEF_INT(n) OP2(n, #n)
INTOPS(DEF_INT)
#define INTOPS_M(X)                                                                              \
	X(paddb) X(psubw) X(pmaddwd) X(pcmpeqb) X(pxor) X(packuswb) X(punpckhbw) X(psadbw) X(psllq) \
	X(psraw) X(andnps) X(unpcklpd) X(movaps) X(movdqa) X(movups) X(movdqu) X(movss) X(movsd)     \
	X(movlps) X(movhps) X(movlpd) X(movhpd) X(pminub) X(movq)
#define DEF_INT_M(n) OP2M(n##_m, #n)
INTOPS_M(DEF_INT_M)

// Immediate forms.
#define IMMOPS(X)                                                                              \
	X(pshufd, 0x1b) X(pshufd, 0x00) X(pshufd, 0xe4) X(pshufd, 0x9c) X(pshuflw, 0x1b)           \
	X(pshuflw, 0xff) X(pshufhw, 0x1b) X(pshufhw, 0x4e) X(shufps, 0x00) X(shufps, 0x1b)          \
	X(shufps, 0xb1) X(shufps, 0xe4) X(shufpd, 0) X(shufpd, 1) X(shufpd, 2) X(shufpd, 3)
#define DEF_IMM(n, i) OP2(n##_##i, #n " $" #i ",") OP2M(n##_##i##_m, #n " $" #i ",")
IMMOPS(DEF_IMM)

// Shifts by immediate counts.
#define SHIFTCOUNTS(X, op)                                                                        \
	X(op, 0) X(op, 1) X(op, 2) X(op, 3) X(op, 4) X(op, 5) X(op, 6) X(op, 7) X(op, 8) X(op, 9)      \
	X(op, 10) X(op, 11) X(op, 12) X(op, 13) X(op, 14) X(op, 15) X(op, 16) X(op, 17) X(op, 30)      \
	X(op, 31) X(op, 32) X(op, 33) X(op, 62) X(op, 63) X(op, 64) X(op, 65) X(op, 127) X(op, 128)    \
	X(op, 255)
#define SHIFTOPS(X)                                                                          \
	X(psllw) X(pslld) X(psllq) X(psrlw) X(psrld) X(psrlq) X(psraw) X(psrad) X(pslldq) X(psrldq)
#define DEF_SHI1(op, n)                                                              \
	static void op##_##n(v128 *d, const v128 *s, uint32_t *mx) {                     \
		(void)s, (void)mx;                                                          \
		__asm__ volatile("movdqa %0, %%xmm0\n\t" #op " $" #n ", %%xmm0\n\tmovdqa %%xmm0, %0" \
				 : "+m"(*d)                                                          \
				 :                                                                   \
				 : "xmm0");                                                          \
	}
#define DEF_SHI(op) SHIFTCOUNTS(DEF_SHI1, op)
SHIFTOPS(DEF_SHI)

// ---------------------------------------------------------------------------
// Operand values.

static const uint32_t f32edge[] = {
	0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3fc00000, 0x00000001, 0x807fffff,
	0x00800000, 0x00400000, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00000,
	0x7f800001, 0xffa00005, 0x3f800001, 0x40400000, 0x3dcccccd, 0x4effffff, 0x4f000000,
	0xcf000000, 0x3f000000, 0x0c000000,
};
#define NF32 (sizeof f32edge / sizeof f32edge[0])

static const uint64_t f64edge[] = {
	0x0000000000000000, 0x8000000000000000, 0x3ff0000000000000, 0xbff0000000000000,
	0x3ff8000000000000, 0x0000000000000001, 0x800fffffffffffff, 0x0010000000000000,
	0x0008000000000000, 0x7fefffffffffffff, 0xffefffffffffffff, 0x7ff0000000000000,
	0xfff0000000000000, 0x7ff8000000000000, 0x7ff0000000000001, 0xfff4000000000005,
	0x3ff0000000000001, 0x4008000000000000, 0x3fb999999999999a, 0x41dfffffffe00000,
	0x41e0000000000000, 0xc1e0000000000001, 0x3fe0000000000000, 0x43e0000000000000,
	0x47efffffe0000000, 0x36a0000000000000, 0x3810000000000000,
};
#define NF64 (sizeof f64edge / sizeof f64edge[0])

// MXCSR controls: all exceptions masked, flags clear; RC 0-3, DAZ, FTZ.
static uint32_t ctl(int i) {
	static const uint32_t extra[] = {0, 0x40, 0x8000, 0x8040};
	return mx_default | (uint32_t)(i % 4) << 13 | extra[(i / 4) % 4];
}

// A random float bit pattern near the interesting places.
static uint64_t rfloat(int dbl) {
	int fb = dbl ? 52 : 23, emax = dbl ? 2047 : 255, bias = emax / 2;
	uint64_t frac = r64();
	switch (lcg_next(&rng) % 4) {
	case 0: frac &= ~(uint64_t)0 << (lcg_next(&rng) % 64); break;
	case 1: frac |= ((uint64_t)1 << (lcg_next(&rng) % 64)) - 1; break;
	}
	int e;
	switch (lcg_next(&rng) % 6) {
	case 0: e = lcg_next(&rng) % (emax + 1); break;
	case 1: e = lcg_next(&rng) % 3; break;
	case 2: e = emax - 1 - (int)(lcg_next(&rng) % 3); break;
	case 3: e = bias - 2 + (int)(lcg_next(&rng) % 5); break;
	case 4: e = bias + 20 + (int)(lcg_next(&rng) % 45); break;
	default: e = bias - 30 + (int)(lcg_next(&rng) % 60); break;
	}
	uint64_t v = (uint64_t)e << fb | (frac & (((uint64_t)1 << fb) - 1));
	if (lcg_next(&rng) & 1) v |= (uint64_t)1 << (dbl ? 63 : 31);
	return v;
}

static v128 rvec_f(int dbl) {
	v128 v;
	if (dbl) {
		v.lo = rfloat(1), v.hi = rfloat(1);
	} else {
		v.lo = rfloat(0) | rfloat(0) << 32;
		v.hi = rfloat(0) | rfloat(0) << 32;
	}
	return v;
}

// A random integer vector whose lanes are often edge values.
static v128 rvec_i(void) {
	static const uint64_t pats[] = {
		0, ~0ULL, 0x8000800080008000ULL, 0x7fff7fff7fff7fffULL, 0x8080808080808080ULL,
		0x7f7f7f7f7f7f7f7fULL, 0x0101010101010101ULL, 0x80000000ffffffffULL, 0x7fffffff00000001ULL,
		0x00ff00ff00ff00ffULL,
	};
	v128 v;
	uint64_t *q[2] = {&v.lo, &v.hi};
	for (int i = 0; i < 2; i++) {
		switch (lcg_next(&rng) % 4) {
		case 0: *q[i] = pats[lcg_next(&rng) % (sizeof pats / sizeof pats[0])]; break;
		case 1: *q[i] = pats[lcg_next(&rng) % (sizeof pats / sizeof pats[0])] ^ (r64() & r64()); break;
		default: *q[i] = r64(); break;
		}
	}
	return v;
}

// ---------------------------------------------------------------------------
// Output.

static unsigned long ncases;

static void out(const char *name, uint32_t ctl, v128 a, v128 b, v128 r, int fl) {
	ncases++;
	printf("%s %04x %016llx:%016llx %016llx:%016llx = %016llx:%016llx", name, ctl,
	       (unsigned long long)a.hi, (unsigned long long)a.lo, (unsigned long long)b.hi,
	       (unsigned long long)b.lo, (unsigned long long)r.hi, (unsigned long long)r.lo);
	if (fl >= 0) printf(" %02x", fl);
	printf("\n");
}

// approx_lanes makes RCP/RSQRT results comparable across implementations:
// the SDM fixes only their relative error (|error| <= 1.5 * 2^-12) and the
// results for special operands. Each computed lane with a normal operand is
// replaced by 0x600d600d when the error is within the bound (0xbad0bad0 if
// not), or by 0x11111111 where the SDM lets the result be tiny or not.
// `insn_sse rcp-exact` prints the raw bits instead.
static int rcp_exact;

static void approx_lanes(const char *name, v128 b, v128 *r) {
	int rsq = name[1] == 's', lanes = strstr(name, "ss") ? 1 : 4;
	for (int i = 0; i < lanes; i++) {
		uint64_t *q = i < 2 ? &r->lo : &r->hi, *s = i < 2 ? &b.lo : &b.hi;
		int sh = 32 * (i & 1);
		uint32_t x = (uint32_t)(*s >> sh), y = (uint32_t)(*q >> sh), e = x >> 23 & 0xff, mark;
		if (e == 0 || e == 0xff || (rsq && x >> 31)) continue; // exactly specified
		if (!rsq && e >= 253) continue;                         // tiny: zero
		if (!rsq && e == 252 && (x & 0x7fffff) >= 0x7fd000) {
			mark = 0x11111111;
		} else {
			float fx, fy;
			memcpy(&fx, &x, 4);
			memcpy(&fy, &y, 4);
			double err = rsq ? (double)fy * fy * fx - 1 : (double)fy * fx - 1;
			double bound = rsq ? 3.0 / 4096 + 2.25 / (4096.0 * 4096) : 1.5 / 4096;
			mark = err <= bound && err >= -bound ? 0x600d600d : 0xbad0bad0;
		}
		*q = (*q & ~((uint64_t)0xffffffff << sh)) | (uint64_t)mark << sh;
	}
}

static void run2(const char *name, op2fn f, uint32_t c, v128 a, v128 b, int fp) {
	v128 r = a;
	uint32_t mx = c;
	f(&r, &b, &mx);
	if (!rcp_exact && (!strncmp(name, "rcp", 3) || !strncmp(name, "rsqrt", 5))) approx_lanes(name, b, &r);
	out(name, c, a, b, r, fp ? (int)(mx & 0x3f) : -1);
}

// ---------------------------------------------------------------------------
// Floating point.

struct op2 {
	const char *name;
	op2fn f;
};

#define ENTRY(n) {#n, n}, {#n "_m", n##_m},
static const struct op2 fpops[] = {FPOPS(ENTRY)};
#define CMPENTRY(t)                                                                              \
	{"cmpeq" #t, cmp0##t}, {"cmplt" #t, cmp1##t}, {"cmple" #t, cmp2##t}, {"cmpunord" #t, cmp3##t}, \
	{"cmpneq" #t, cmp4##t}, {"cmpnlt" #t, cmp5##t}, {"cmpnle" #t, cmp6##t},                       \
	{"cmpord" #t, cmp7##t}, {"cmplt" #t "_m", cmp1##t##_m},
static const struct op2 cmpops[] = {CMPOPS(CMPENTRY)};
static const struct op2 cvtops[] = {CVTOPS(ENTRY)};

// is_double: the operation's elements are binary64 (names with pd/sd, and
// the conversions reading doubles).
static int is_double(const char *n) {
	return strstr(n, "pd") || strstr(n, "sd2") || (strstr(n, "sd") && !strstr(n, "2sd"));
}

// unary reports the operations that read only the source.
static int unary(const char *n) {
	return !strncmp(n, "sqrt", 4) || !strncmp(n, "rcp", 3) || !strncmp(n, "rsqrt", 5) || !strncmp(n, "cvt", 3);
}

// fp_edges runs a packed operation over edge values under the controls in
// ctls: every ordered pair for two-operand ones (four or two pairs per
// instruction), every value for one-operand ones.
static void fp_edges(const struct op2 *o, const int *ctls, int nctl) {
	int dbl = is_double(o->name);
	for (int k = 0; k < nctl; k++) {
		uint32_t c = ctl(ctls[k]);
		if (unary(o->name)) {
			size_t n = dbl ? NF64 : NF32;
			for (size_t i = 0; i < n; i += dbl ? 2 : 4) {
				v128 a = {0x1111111111111111ULL, 0x2222222222222222ULL}, b;
				if (dbl) {
					b = (v128){f64edge[i], f64edge[(i + 1) % n]};
				} else {
					b = (v128){f32edge[i] | (uint64_t)f32edge[(i + 1) % n] << 32,
						   f32edge[(i + 2) % n] | (uint64_t)f32edge[(i + 3) % n] << 32};
				}
				run2(o->name, o->f, c, a, b, 1);
			}
			continue;
		}
		if (dbl) {
			for (size_t p = 0; p < NF64 * NF64; p += 2) {
				size_t q = p + 1 < NF64 * NF64 ? p + 1 : 0;
				v128 a = {f64edge[p / NF64], f64edge[q / NF64]};
				v128 b = {f64edge[p % NF64], f64edge[q % NF64]};
				run2(o->name, o->f, c, a, b, 1);
			}
		} else {
			for (size_t i = 0; i < NF32; i++)
				for (size_t j = 0; j < NF32; j += 4) {
					v128 a = {f32edge[i] * 0x100000001ULL, f32edge[i] * 0x100000001ULL};
					v128 b = {f32edge[j] | (uint64_t)f32edge[j + 1] << 32,
						  f32edge[j + 2] | (uint64_t)f32edge[j + 3] << 32};
					run2(o->name, o->f, c, a, b, 1);
				}
		}
	}
}

// Controls for the edge sweeps: the four rounding modes, each with a
// different DAZ/FTZ setting, and RN without them.
static const int sweep[] = {0, 1 + 4, 2 + 8, 3 + 12, 4, 8};
static const int sweep_rn[] = {0, 12};
static const int sweep_pd[] = {0, 3 + 12};

static void fp_random(const struct op2 *o, int n) {
	int dbl = is_double(o->name);
	for (int i = 0; i < n; i++) {
		v128 a = rvec_f(dbl), b = rvec_f(dbl);
		if (lcg_next(&rng) % 3 == 0) b.lo ^= (lcg_next(&rng) % 8), b.hi = a.hi + (lcg_next(&rng) % 5) - 2;
		run2(o->name, o->f, ctl((int)(lcg_next(&rng) % 16)), a, b, 1);
	}
}

static void test_fp(void) {
	for (size_t k = 0; k < sizeof fpops / sizeof fpops[0]; k++) {
		const struct op2 *o = &fpops[k];
		if (strstr(o->name, "_m")) {
			fp_random(o, 40);
		} else if (strstr(o->name, "ss") || strstr(o->name, "sd")) {
			fp_edges(o, sweep_rn, 1);
			fp_random(o, 60);
		} else {
			// Binary64 pairs are many: two controls (RN, and RZ with DAZ and
			// FTZ); binary32 ones get four.
			fp_edges(o, is_double(o->name) ? sweep_pd : sweep, unary(o->name) ? 6 : is_double(o->name) ? 2 : 4);
			fp_random(o, 150);
		}
	}
	for (size_t k = 0; k < sizeof cmpops / sizeof cmpops[0]; k++) {
		const struct op2 *o = &cmpops[k];
		// The packed forms sweep the edge values in RN; the scalar ones
		// differ only in which elements they write.
		if (!strstr(o->name, "_m") && !strstr(o->name, "ss") && !strstr(o->name, "sd")) fp_edges(o, sweep_rn, 1);
		fp_random(o, 20);
	}
	for (size_t k = 0; k < sizeof cvtops / sizeof cvtops[0]; k++) {
		const struct op2 *o = &cvtops[k];
		if (strstr(o->name, "dq2")) { // integer sources
			for (int i = 0; i < (strstr(o->name, "_m") ? 30 : 150); i++) {
				v128 a = rvec_f(0), b = rvec_i();
				run2(o->name, o->f, ctl((int)(lcg_next(&rng) % 16)), a, b, 1);
			}
			continue;
		}
		if (!strstr(o->name, "_m")) fp_edges(o, sweep, 6);
		fp_random(o, strstr(o->name, "_m") ? 30 : 150);
	}
}

// COMISS/UCOMISS/COMISD/UCOMISD: EFLAGS (OF SF ZF AF PF CF) and MXCSR flags.
#define COMI(name, insn)                                                                    \
	static uint64_t name(uint64_t a, uint64_t b, uint32_t *mx) {                           \
		uint64_t f;                                                                         \
		__asm__ volatile("movq %2, %%xmm0\n\tmovq %3, %%xmm1\n\tldmxcsr %1\n\t"            \
				 "cmp %%rax, %%rax\n\t" /* leaves ZF PF set and SF OF AF CF clear */ \
				 "stc\n\t" insn " %%xmm1, %%xmm0\n\tpushfq\n\tpopq %0\n\tstmxcsr %1\n\t"    \
				 "ldmxcsr %4"                                                               \
				 : "=r"(f), "+m"(*mx)                                                       \
				 : "r"(a), "r"(b), "m"(mx_default)                                          \
				 : "xmm0", "xmm1", "cc");                                                   \
		return f & 0x8d5;                                                                   \
	}
COMI(comiss, "comiss")
COMI(ucomiss, "ucomiss")
COMI(comisd, "comisd")
COMI(ucomisd, "ucomisd")

static void comi_case(const char *name, uint64_t (*f)(uint64_t, uint64_t, uint32_t *), uint32_t c,
		      uint64_t a, uint64_t b) {
	uint32_t mx = c;
	uint64_t fl = f(a, b, &mx);
	ncases++;
	printf("%s %04x %016llx %016llx = %03llx %02x\n", name, c, (unsigned long long)a,
	       (unsigned long long)b, (unsigned long long)fl, mx & 0x3f);
}

static void test_comi(void) {
	for (int c = 0; c < 16; c += 12) { // RN, then RN with DAZ and FTZ
		for (size_t i = 0; i < NF32; i++)
			for (size_t j = 0; j < NF32; j++) {
				comi_case("comiss", comiss, ctl(c), f32edge[i], f32edge[j]);
				if (c == 0) comi_case("ucomiss", ucomiss, ctl(c), f32edge[i], f32edge[j]);
			}
		for (size_t i = 0; i < NF64; i++)
			for (size_t j = 0; j < NF64; j++) {
				comi_case("comisd", comisd, ctl(c), f64edge[i], f64edge[j]);
				if (c == 0) comi_case("ucomisd", ucomisd, ctl(c), f64edge[i], f64edge[j]);
			}
	}
	for (int i = 0; i < 200; i++) {
		uint32_t c = ctl((int)(lcg_next(&rng) % 16));
		uint64_t a = rfloat(0), b = lcg_next(&rng) & 1 ? rfloat(0) : a ^ (lcg_next(&rng) % 3);
		comi_case("comiss", comiss, c, a, b);
		comi_case("ucomiss", ucomiss, c, a, b);
		a = rfloat(1), b = lcg_next(&rng) & 1 ? rfloat(1) : a ^ (lcg_next(&rng) % 3);
		comi_case("comisd", comisd, c, a, b);
		comi_case("ucomisd", ucomisd, c, a, b);
	}
}

// Scalar conversions with general registers.
#define CVT_TO_INT(name, insn, reg)                                                    \
	static uint64_t name(uint64_t a, uint32_t *mx) {                                  \
		uint64_t r = 0x5555555555555555ULL;                                           \
		__asm__ volatile("movq %2, %%xmm0\n\tldmxcsr %1\n\t" insn " %%xmm0, " reg "\n\t" \
				 "stmxcsr %1\n\tldmxcsr %3"                                           \
				 : "+r"(r), "+m"(*mx)                                                 \
				 : "r"(a), "m"(mx_default)                                            \
				 : "xmm0");                                                           \
		return r;                                                                     \
	}
#define CVT_TO_INT_M(name, insn, reg, type)                                    \
	static uint64_t name(uint64_t a, uint32_t *mx) {                          \
		uint64_t r = 0x5555555555555555ULL;                                   \
		type m = (type)a;                                                     \
		__asm__ volatile("ldmxcsr %1\n\t" insn " %2, " reg "\n\t"            \
				 "stmxcsr %1\n\tldmxcsr %3"                                   \
				 : "+r"(r), "+m"(*mx)                                         \
				 : "m"(m), "m"(mx_default));                                  \
		return r;                                                             \
	}
CVT_TO_INT(cvtss2si32, "cvtss2si", "%k0")
CVT_TO_INT(cvtss2si64, "cvtss2si", "%q0")
CVT_TO_INT(cvttss2si32, "cvttss2si", "%k0")
CVT_TO_INT(cvttss2si64, "cvttss2si", "%q0")
CVT_TO_INT(cvtsd2si32, "cvtsd2si", "%k0")
CVT_TO_INT(cvtsd2si64, "cvtsd2si", "%q0")
CVT_TO_INT(cvttsd2si32, "cvttsd2si", "%k0")
CVT_TO_INT(cvttsd2si64, "cvttsd2si", "%q0")
CVT_TO_INT_M(cvtss2si32_m, "cvtss2si", "%k0", uint32_t)
CVT_TO_INT_M(cvttsd2si64_m, "cvttsd2si", "%q0", uint64_t)

#define CVT_FROM_INT(name, insn, reg)                                                     \
	static uint64_t name(uint64_t a, uint32_t *mx) {                                     \
		uint64_t r;                                                                      \
		__asm__ volatile("pcmpeqd %%xmm0, %%xmm0\n\tldmxcsr %1\n\t" insn " " reg ", %%xmm0\n\t" \
				 "stmxcsr %1\n\tldmxcsr %3\n\tmovq %%xmm0, %0"                           \
				 : "=r"(r), "+m"(*mx)                                                    \
				 : "r"(a), "m"(mx_default)                                               \
				 : "xmm0");                                                              \
		return r;                                                                        \
	}
CVT_FROM_INT(cvtsi2ss32, "cvtsi2ss", "%k2")
CVT_FROM_INT(cvtsi2ss64, "cvtsi2ss", "%q2")
CVT_FROM_INT(cvtsi2sd32, "cvtsi2sd", "%k2")
CVT_FROM_INT(cvtsi2sd64, "cvtsi2sd", "%q2")

static uint64_t cvtsi2ssl_m(uint64_t a, uint32_t *mx) {
	uint64_t r;
	uint32_t m = (uint32_t)a;
	__asm__ volatile("pcmpeqd %%xmm0, %%xmm0\n\tldmxcsr %1\n\tcvtsi2ssl %2, %%xmm0\n\t"
			 "stmxcsr %1\n\tldmxcsr %3\n\tmovq %%xmm0, %0"
			 : "=r"(r), "+m"(*mx)
			 : "m"(m), "m"(mx_default)
			 : "xmm0");
	return r;
}

static uint64_t cvtsi2sdq_m(uint64_t a, uint32_t *mx) {
	uint64_t r;
	__asm__ volatile("pcmpeqd %%xmm0, %%xmm0\n\tldmxcsr %1\n\tcvtsi2sdq %2, %%xmm0\n\t"
			 "stmxcsr %1\n\tldmxcsr %3\n\tmovq %%xmm0, %0"
			 : "=r"(r), "+m"(*mx)
			 : "m"(a), "m"(mx_default)
			 : "xmm0");
	return r;
}

struct cvt1 {
	const char *name;
	uint64_t (*f)(uint64_t, uint32_t *);
	int src; // 0 float, 1 double, 2 int32, 3 int64
};

static const struct cvt1 cvt1ops[] = {
	{"cvtss2si32", cvtss2si32, 0},   {"cvtss2si64", cvtss2si64, 0},
	{"cvttss2si32", cvttss2si32, 0}, {"cvttss2si64", cvttss2si64, 0},
	{"cvtsd2si32", cvtsd2si32, 1},   {"cvtsd2si64", cvtsd2si64, 1},
	{"cvttsd2si32", cvttsd2si32, 1}, {"cvttsd2si64", cvttsd2si64, 1},
	{"cvtss2si32_m", cvtss2si32_m, 0}, {"cvttsd2si64_m", cvttsd2si64_m, 1},
	{"cvtsi2ss32", cvtsi2ss32, 2},   {"cvtsi2ss64", cvtsi2ss64, 3},
	{"cvtsi2sd32", cvtsi2sd32, 2},   {"cvtsi2sd64", cvtsi2sd64, 3},
	{"cvtsi2ssl_m", cvtsi2ssl_m, 2}, {"cvtsi2sdq_m", cvtsi2sdq_m, 3},
};

static const uint64_t intedge[] = {
	0, 1, 2, 3, 0x7f, 0xffffff, 0x1000000, 0x1000001, 0x1000003, 0x7fffffbf, 0x7fffffc0,
	0x7fffffff, 0x80000000, 0xffffffff, 0x1fffffffffffff, 0x20000000000001, 0x7ffffffffffffdff,
	0x7ffffffffffffe00, 0x7fffffffffffffff, 0x8000000000000000, 0xfffffffffffffc00,
};

static void test_cvt1(void) {
	for (size_t k = 0; k < sizeof cvt1ops / sizeof cvt1ops[0]; k++) {
		const struct cvt1 *o = &cvt1ops[k];
		for (int k = 0; k < 6; k++) {
			int c = sweep[k];
			size_t n = o->src == 0 ? NF32 : o->src == 1 ? NF64 : 2 * sizeof intedge / sizeof intedge[0];
			for (size_t i = 0; i < n; i++) {
				uint64_t a;
				switch (o->src) {
				case 0: a = f32edge[i]; break;
				case 1: a = f64edge[i]; break;
				default:
					a = intedge[i / 2];
					if (i & 1) a = -a;
					if (o->src == 2) a = (uint32_t)a;
				}
				uint32_t mx = ctl(c);
				uint64_t r = o->f(a, &mx);
				ncases++;
				printf("%s %04x %016llx = %016llx %02x\n", o->name, ctl(c), (unsigned long long)a,
				       (unsigned long long)r, mx & 0x3f);
			}
		}
		for (int i = 0; i < 100; i++) {
			uint64_t a;
			switch (o->src) {
			case 0: a = rfloat(0); break;
			case 1: a = rfloat(1); break;
			default: a = r64() >> (lcg_next(&rng) % 64); if (lcg_next(&rng) & 1) a = -a;
				if (o->src == 2) a = (uint32_t)a;
			}
			uint32_t c = ctl((int)(lcg_next(&rng) % 16)), mx = c;
			uint64_t r = o->f(a, &mx);
			ncases++;
			printf("%s %04x %016llx = %016llx %02x\n", o->name, c, (unsigned long long)a,
			       (unsigned long long)r, mx & 0x3f);
		}
	}
}

// ---------------------------------------------------------------------------
// Integer, logic, shuffles, moves.

#define IENTRY(n) {#n, n},
#define IENTRY_M(n) {#n "_m", n##_m},
static const struct op2 intops[] = {INTOPS(IENTRY) INTOPS_M(IENTRY_M)};
#define IMMENTRY(n, i) {#n "_" #i, n##_##i}, {#n "_" #i "_m", n##_##i##_m},
static const struct op2 immops[] = {IMMOPS(IMMENTRY)};
#define SHIENTRY1(op, n) {#op "_" #n, op##_##n},
#define SHIENTRY(op) SHIFTCOUNTS(SHIENTRY1, op)
static const struct op2 shiops[] = {SHIFTOPS(SHIENTRY)};

static void test_int(void) {
	for (size_t k = 0; k < sizeof intops / sizeof intops[0]; k++) {
		const struct op2 *o = &intops[k];
		int shift = !strncmp(o->name, "ps", 2) && (o->name[2] == 'l' || o->name[2] == 'r');
		for (int i = 0; i < (shift ? 72 : 32); i++) {
			v128 a = rvec_i(), b = rvec_i();
			if (shift) { // counts 0..65 and a few with high bits set
				b.lo = i < 66 ? (uint64_t)i : r64() >> (lcg_next(&rng) % 64);
				if (i == 70) b.lo = 0x100000001ULL;
				if (i == 71) b.lo = 1ULL << 63;
			}
			run2(o->name, o->f, mx_default, a, b, 0);
		}
	}
	for (size_t k = 0; k < sizeof immops / sizeof immops[0]; k++)
		for (int i = 0; i < 12; i++) run2(immops[k].name, immops[k].f, mx_default, rvec_i(), rvec_i(), 0);
	for (size_t k = 0; k < sizeof shiops / sizeof shiops[0]; k++)
		for (int i = 0; i < 4; i++) run2(shiops[k].name, shiops[k].f, mx_default, rvec_i(), rvec_i(), 0);
}

// Moves that involve general registers or memory in ways OP2 cannot express.
static void test_moves(void) {
	for (int i = 0; i < 24; i++) {
		v128 a = rvec_i(), b = rvec_i(), m = rvec_i(), r;
		uint64_t g = r64(), g2 = 0x5555555555555555ULL;
		unsigned char buf[48];
		memset(buf, 0xa5, sizeof buf);
		memcpy(buf + 3, &m, 16);

		// movd/movq between general registers and xmm.
		r = a;
		__asm__ volatile("movdqa %0, %%xmm0\n\tmovd %k1, %%xmm0\n\tmovdqa %%xmm0, %0" : "+m"(r) : "r"(g) : "xmm0");
		out("movd_x_r32", 0, a, (v128){g, 0}, r, -1);
		r = a;
		__asm__ volatile("movdqa %0, %%xmm0\n\tmovq %1, %%xmm0\n\tmovdqa %%xmm0, %0" : "+m"(r) : "r"(g) : "xmm0");
		out("movq_x_r64", 0, a, (v128){g, 0}, r, -1);
		g2 = 0x5555555555555555ULL;
		__asm__ volatile("movdqa %1, %%xmm0\n\tmovd %%xmm0, %k0" : "+r"(g2) : "m"(a) : "xmm0");
		out("movd_r32_x", 0, a, b, (v128){g2, 0}, -1);
		__asm__ volatile("movdqa %1, %%xmm0\n\tmovq %%xmm0, %0" : "=r"(g2) : "m"(a) : "xmm0");
		out("movq_r64_x", 0, a, b, (v128){g2, 0}, -1);
		// movd/movq with memory.
		r = a;
		__asm__ volatile("movdqa %0, %%xmm0\n\tmovd %1, %%xmm0\n\tmovdqa %%xmm0, %0" : "+m"(r) : "m"(*(uint32_t *)(buf + 3)) : "xmm0");
		out("movd_x_m32", 0, a, m, r, -1);
		r = a;
		__asm__ volatile("movdqa %0, %%xmm0\n\tmovq %1, %%xmm0\n\tmovdqa %%xmm0, %0" : "+m"(r) : "m"(*(uint64_t *)(buf + 3)) : "xmm0");
		out("movq_x_m64", 0, a, m, r, -1);
		r = a;
		__asm__ volatile("movdqa %0, %%xmm0\n\t.byte 0x66,0x48,0x0f,0x6e,0x07\n\tmovdqa %%xmm0, %0" : "+m"(r) : "D"(buf + 3) : "xmm0", "memory");
		out("movq_x_m64_6e", 0, a, m, r, -1);
		memcpy(buf + 3, &m, 16);
		__asm__ volatile("movdqa %0, %%xmm0\n\tmovd %%xmm0, (%1)" : : "m"(b), "r"(buf + 5) : "xmm0", "memory");
		__asm__ volatile("movdqa %0, %%xmm0\n\tmovq %%xmm0, (%1)" : : "m"(b), "r"(buf + 17) : "xmm0", "memory");
		__asm__ volatile("movdqa %0, %%xmm0\n\t.byte 0x66,0x48,0x0f,0x7e,0x07" : : "m"(a), "D"(buf + 29) : "xmm0", "memory");
		hash64 h;
		hash_init(&h);
		hash_bytes(&h, buf, sizeof buf);
		out("movd_movq_stores", 0, a, b, (v128){h.h, 0}, -1);
		// movq xmm, xmm through 66 0F D6 (zeroes the high quadword).
		r = a;
		__asm__ volatile("movdqa %0, %%xmm0\n\tmovdqa %1, %%xmm1\n\t.byte 0x66,0x0f,0xd6,0xc8\n\tmovdqa %%xmm0, %0" : "+m"(r) : "m"(b) : "xmm0", "xmm1");
		out("movq_d6", 0, a, b, r, -1);
		// Stores of every width and half.
		memset(buf, 0xa5, sizeof buf);
		__asm__ volatile("movdqa %0, %%xmm0\n\tmovups %%xmm0, 1(%1)\n\tmovss %%xmm0, 18(%1)\n\t"
				 "movsd %%xmm0, 23(%1)\n\tmovlps %%xmm0, 31(%1)\n\tmovhps %%xmm0, 39(%1)"
				 : : "m"(a), "r"(buf) : "xmm0", "memory");
		hash_init(&h);
		hash_bytes(&h, buf, sizeof buf);
		out("stores1", 0, a, b, (v128){h.h, 0}, -1);
		memset(buf, 0x5a, sizeof buf);
		v128 al[2] __attribute__((aligned(16)));
		__asm__ volatile("movdqa %2, %%xmm0\n\tmovaps %%xmm0, %0\n\tmovlpd %%xmm0, 3(%3)\n\t"
				 "movhpd %%xmm0, 11(%3)\n\tmovdqu %%xmm0, 20(%3)\n\tmovntdq %%xmm0, %1"
				 : "=m"(al[0]), "=m"(al[1]) : "m"(b), "r"(buf) : "xmm0", "memory");
		hash_init(&h);
		hash_bytes(&h, buf, sizeof buf);
		hash_bytes(&h, al, sizeof al);
		out("stores2", 0, a, b, (v128){h.h, 0}, -1);
		__asm__ volatile("movdqa %2, %%xmm0\n\tmovntps %%xmm0, %0\n\tmovntpd %%xmm0, %1\n\t"
				 "movapd %%xmm0, %0\n\tmovdqa %%xmm0, %1"
				 : "=m"(al[0]), "=m"(al[1]) : "m"(a) : "xmm0", "memory");
		out("stores3", 0, al[0], al[1], a, -1);
		// Unaligned loads.
		v128 u1, u2, u3;
		memcpy(buf + 3, &m, 16);
		memcpy(buf + 19, &b, 16);
		__asm__ volatile("movups 3(%3), %%xmm0\n\tmovdqa %%xmm0, %0\n\tmovupd 7(%3), %%xmm0\n\t"
				 "movdqa %%xmm0, %1\n\tmovdqu 17(%3), %%xmm0\n\tmovdqa %%xmm0, %2"
				 : "=m"(u1), "=m"(u2), "=m"(u3) : "r"(buf) : "xmm0", "memory");
		out("loadu", 0, u1, u2, u3, -1);
		// Sign masks.
		uint64_t m1 = 0, m2 = 0, m3 = 0;
		__asm__ volatile("movdqa %3, %%xmm0\n\tmovmskps %%xmm0, %k0\n\tmovmskpd %%xmm0, %k1\n\t"
				 "pmovmskb %%xmm0, %k2"
				 : "+r"(m1), "+r"(m2), "+r"(m3) : "m"(a) : "xmm0");
		out("movmsk", 0, a, b, (v128){m1 | m2 << 8 | m3 << 16, 0}, -1);
		// pextrw / pinsrw with general registers.
		uint64_t w[8];
#define PEXTR(i) __asm__ volatile("movdqa %1, %%xmm0\n\tpextrw $" #i ", %%xmm0, %k0" : "=r"(w[i % 8]) : "m"(a) : "xmm0");
		PEXTR(0) PEXTR(1) PEXTR(2) PEXTR(3) PEXTR(4) PEXTR(5) PEXTR(6) PEXTR(7)
		out("pextrw", 0, a, b, (v128){w[0] | w[1] << 16 | w[2] << 32 | w[3] << 48, w[4] | w[5] << 16 | w[6] << 32 | w[7] << 48}, -1);
		PEXTR(9)
		out("pextrw_9", 0, a, b, (v128){w[1], 0}, -1);
		r = a;
		__asm__ volatile("movdqa %0, %%xmm0\n\tpinsrw $3, %k1, %%xmm0\n\tpinsrw $6, %k1, %%xmm0\n\tmovdqa %%xmm0, %0" : "+m"(r) : "r"(g) : "xmm0");
		out("pinsrw_r", 0, a, (v128){g, 0}, r, -1);
		r = a;
		__asm__ volatile("movdqa %0, %%xmm0\n\tpinsrw $1, %1, %%xmm0\n\tpinsrw $12, %1, %%xmm0\n\tmovdqa %%xmm0, %0" : "+m"(r) : "m"(*(uint16_t *)(buf + 9)) : "xmm0");
		out("pinsrw_m", 0, a, m, r, -1);
		// maskmovdqu: bytes of b selected by the sign bits of a, to [rdi].
		memset(buf, 0x77, sizeof buf);
		__asm__ volatile("movdqa %0, %%xmm0\n\tmovdqa %1, %%xmm1\n\tmaskmovdqu %%xmm1, %%xmm0"
				 : : "m"(b), "m"(a), "D"(buf + 7) : "xmm0", "xmm1", "memory");
		hash_init(&h);
		hash_bytes(&h, buf, sizeof buf);
		out("maskmovdqu", 0, a, b, (v128){h.h, 0}, -1);
	}
	// MXCSR: every writable bit round-trips; flags are sticky across
	// instructions until cleared.
	static const uint32_t vals[] = {0x1f80, 0, 0xffff, 0x8040, 0x7f80, 0x1f81, 0x003f, 0x9fbf};
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		uint32_t in = vals[i], o = 0;
		__asm__ volatile("ldmxcsr %1\n\tstmxcsr %0\n\tldmxcsr %2" : "=m"(o) : "m"(in), "m"(mx_default));
		ncases++;
		printf("ldmxcsr %04x = %04x\n", in, o);
	}
	{
		uint32_t in = 0x1f80, o = 0;
		v128 x = {0x3f800000, 0}, y = {0x40400000, 0}, z = {0x00000001, 0};
		__asm__ volatile("ldmxcsr %1\n\tmovdqa %2, %%xmm0\n\tdivss %3, %%xmm0\n\taddss %4, %%xmm0\n\t"
				 "movss %2, %%xmm0\n\tstmxcsr %0\n\tldmxcsr %5"
				 : "=m"(o) : "m"(in), "m"(x), "m"(y), "m"(z), "m"(mx_default) : "xmm0");
		ncases++;
		printf("sticky %04x = %04x\n", in, o);
	}
}

// ---------------------------------------------------------------------------
// Faults (one per run, selected by the argument).

static int fault(const char *what) {
	v128 buf[3];
	char *p = (char *)buf + 4;
	uint32_t bad = 0x1f80 | 1u << 31, mx;
	if (!strcmp(what, "movaps-misaligned")) {
		__asm__ volatile("movaps (%0), %%xmm0" : : "r"(p) : "xmm0");
	} else if (!strcmp(what, "addps-misaligned")) {
		__asm__ volatile("addps (%0), %%xmm0" : : "r"(p) : "xmm0");
	} else if (!strcmp(what, "ldmxcsr-reserved")) {
		__asm__ volatile("ldmxcsr %0" : : "m"(bad));
	} else if (!strcmp(what, "unmasked-zero")) {
		mx = 0x1f80 & ~(1u << 9);
		v128 one = {0x3f800000, 0}, zero = {0, 0};
		__asm__ volatile("ldmxcsr %0\n\tmovdqa %1, %%xmm0\n\tdivss %2, %%xmm0" : : "m"(mx), "m"(one), "m"(zero) : "xmm0");
	} else if (!strcmp(what, "unmasked-inexact")) {
		mx = 0x1f80 & ~(1u << 12);
		v128 one = {0x3f800000, 0}, three = {0x40400000, 0};
		__asm__ volatile("ldmxcsr %0\n\tmovdqa %1, %%xmm0\n\tdivss %2, %%xmm0" : : "m"(mx), "m"(one), "m"(three) : "xmm0");
	} else {
		printf("unknown fault %s\n", what);
		return 2;
	}
	printf("no fault\n");
	return 1;
}

int main(int argc, char **argv) {
	if (argc > 1 && !strcmp(argv[1], "rcp-exact")) {
		rcp_exact = 1;
	} else if (argc > 1) {
		fflush(stdout);
		return fault(argv[1]);
	}
	test_moves();
	test_int();
	test_cvt1();
	test_comi();
	test_fp();
	printf("%lu cases\n", ncases);
	return 0;
}
