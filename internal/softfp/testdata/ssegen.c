// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// ssegen: records this host's SSE/SSE2 scalar arithmetic, comparisons and
// conversions, results and MXCSR flags, for ../native_test.go. Regenerate on
// an x86-64 host with
//
//	gcc -O2 -o /tmp/ssegen ssegen.c && /tmp/ssegen | gzip -9 > sse.txt.gz
//
// One line per case, hexadecimal fields:
//
//	op mxcsr a b result flags
//
// mxcsr is the control the instruction ran under (all exceptions masked,
// flags clear, RC, DAZ and FTZ varied); b is 0 for one-operand ops; result
// is the destination bits, or for comi/ucomi the EFLAGS bits ZF|PF|CF; flags
// are the MXCSR flag bits (0-5) afterwards. The operands are edge values
// (zeros, denormals, the normal range limits, ones, NaNs of both kinds,
// infinities, integer-range limits) in every pairing, plus fixed-seed
// pseudo-random values aimed at rounding ties, cancellation, overflow and
// the underflow threshold.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t lcg_state = 0x5eed5eed12345678ULL;

static uint32_t rnd32(void) {
	lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(lcg_state >> 32);
}

static uint64_t rnd64(void) { return (uint64_t)rnd32() << 32 | rnd32(); }

// Binary operations: xmm0 = a, xmm1 = b, op xmm1, xmm0 (xmm0 op= xmm1).
#define BINOP(name, insn)                                                          \
	static uint64_t name(uint64_t a, uint64_t b, uint32_t *mx) {                   \
		uint64_t r;                                                                 \
		__asm__ volatile("ldmxcsr %1\n\tmovq %2, %%xmm0\n\tmovq %3, %%xmm1\n\t" insn \
				 " %%xmm1, %%xmm0\n\tmovq %%xmm0, %0\n\tstmxcsr %1"                 \
				 : "=r"(r), "+m"(*mx)                                                \
				 : "r"(a), "r"(b)                                                    \
				 : "xmm0", "xmm1");                                                  \
		return r;                                                                   \
	}

BINOP(addss, "addss")
BINOP(subss, "subss")
BINOP(mulss, "mulss")
BINOP(divss, "divss")
BINOP(minss, "minss")
BINOP(maxss, "maxss")
BINOP(sqrtss, "sqrtss")
BINOP(addsd, "addsd")
BINOP(subsd, "subsd")
BINOP(mulsd, "mulsd")
BINOP(divsd, "divsd")
BINOP(minsd, "minsd")
BINOP(maxsd, "maxsd")
BINOP(sqrtsd, "sqrtsd")
BINOP(cvtss2sd, "cvtss2sd")
BINOP(cvtsd2ss, "cvtsd2ss")

// Comparisons return ZF|PF|CF.
#define CMPOP(name, insn)                                                          \
	static uint64_t name(uint64_t a, uint64_t b, uint32_t *mx) {                   \
		uint64_t r;                                                                 \
		__asm__ volatile("ldmxcsr %1\n\tmovq %2, %%xmm0\n\tmovq %3, %%xmm1\n\t" insn \
				 " %%xmm1, %%xmm0\n\tpushfq\n\tpopq %0\n\tstmxcsr %1"               \
				 : "=r"(r), "+m"(*mx)                                                \
				 : "r"(a), "r"(b)                                                    \
				 : "xmm0", "xmm1", "cc");                                            \
		return r & 0x45;                                                            \
	}

CMPOP(comiss, "comiss")
CMPOP(ucomiss, "ucomiss")
CMPOP(comisd, "comisd")
CMPOP(ucomisd, "ucomisd")

// Float to integer: op xmm0 -> r.
#define TOINT(name, insn, reg)                                                       \
	static uint64_t name(uint64_t a, uint64_t b, uint32_t *mx) {                     \
		uint64_t r = 0;                                                               \
		(void)b;                                                                      \
		__asm__ volatile("ldmxcsr %1\n\tmovq %2, %%xmm0\n\t" insn " %%xmm0, " reg "\n\t" \
				 "stmxcsr %1"                                                         \
				 : "+r"(r), "+m"(*mx)                                                  \
				 : "r"(a)                                                              \
				 : "xmm0");                                                            \
		return r;                                                                     \
	}

TOINT(cvtss2si32, "cvtss2si", "%k0")
TOINT(cvtss2si64, "cvtss2si", "%q0")
TOINT(cvttss2si32, "cvttss2si", "%k0")
TOINT(cvttss2si64, "cvttss2si", "%q0")
TOINT(cvtsd2si32, "cvtsd2si", "%k0")
TOINT(cvtsd2si64, "cvtsd2si", "%q0")
TOINT(cvttsd2si32, "cvttsd2si", "%k0")
TOINT(cvttsd2si64, "cvttsd2si", "%q0")

// Integer to float: op r -> xmm0 (xmm0 cleared first).
#define FROMINT(name, insn, reg)                                                           \
	static uint64_t name(uint64_t a, uint64_t b, uint32_t *mx) {                           \
		uint64_t r;                                                                         \
		(void)b;                                                                            \
		__asm__ volatile("ldmxcsr %1\n\tpxor %%xmm0, %%xmm0\n\t" insn " " reg ", %%xmm0\n\t" \
				 "movq %%xmm0, %0\n\tstmxcsr %1"                                            \
				 : "=r"(r), "+m"(*mx)                                                        \
				 : "r"(a)                                                                    \
				 : "xmm0");                                                                  \
		return r;                                                                           \
	}

FROMINT(cvtsi2ss32, "cvtsi2ss", "%k2")
FROMINT(cvtsi2ss64, "cvtsi2ss", "%q2")
FROMINT(cvtsi2sd64, "cvtsi2sd", "%q2")

typedef uint64_t (*opfn)(uint64_t, uint64_t, uint32_t *);

enum { F32, F64, I32, I64 };

static const uint32_t edge32[] = {
	0x00000000, 0x00000001, 0x00000002, 0x003fffff, 0x00400000, 0x007fffff, 0x00800000,
	0x00800001, 0x00ffffff, 0x01000000, 0x0c000000, 0x33800000, 0x34000000, 0x3effffff,
	0x3f000000, 0x3f000001, 0x3f7fffff, 0x3f800000, 0x3f800001, 0x3fc00000, 0x40000000,
	0x40200000, 0x40400000, 0x3dcccccd, 0x3eaaaaab, 0x4b7fffff, 0x4b800000, 0x4effffff,
	0x4f000000, 0x5effffff, 0x5f000000, 0x7e7fffff, 0x7f000000, 0x7f7ffffe, 0x7f7fffff,
	0x7f800000, 0x7f800001, 0x7fa00005, 0x7fc00000, 0x7fd23456,
};

static const uint64_t edge64[] = {
	0x0000000000000000, 0x0000000000000001, 0x0000000000000002, 0x0007ffffffffffff,
	0x0008000000000000, 0x000fffffffffffff, 0x0010000000000000, 0x0010000000000001,
	0x001fffffffffffff, 0x0020000000000000, 0x3ca0000000000000, 0x3cb0000000000000,
	0x3fdfffffffffffff, 0x3fe0000000000000, 0x3fe0000000000001, 0x3fefffffffffffff,
	0x3ff0000000000000, 0x3ff0000000000001, 0x3ff8000000000000, 0x4000000000000000,
	0x4004000000000000, 0x4008000000000000, 0x3fb999999999999a, 0x3fd5555555555555,
	0x41dfffffffc00000, 0x41dfffffffe00000, 0x41e0000000000000, 0x41e0000000100000,
	0x43dfffffffffffff, 0x43e0000000000000, 0x36a0000000000000, 0x47efffffe0000000,
	0x47f0000000000000, 0x7fe0000000000000, 0x7feffffffffffffe, 0x7fefffffffffffff,
	0x7ff0000000000000, 0x7ff0000000000001, 0x7ff4000000000005, 0x7ff8000000000000,
	0x7ffa3456789abcde,
};

static const uint64_t edgeint[] = {
	0, 1, 2, 3, 0x7f, 0xffffff, 0x1000000, 0x1000001, 0x1000003, 0x7fffffbf, 0x7fffffc0,
	0x7fffffff, 0x80000000, 0xffffffff, 0x1fffffffffffff, 0x20000000000001, 0x7ffffffffffffdff,
	0x7ffffffffffffe00, 0x7fffffffffffffff, 0x8000000000000000, 0xfffffffffffffc00,
};

// A random value of the kind: full-range bit patterns, or numbers with an
// exponent close to one of the interesting places and a fraction with long
// runs of ones or zeros (rounding ties and carries).
static uint64_t rndval(int kind) {
	uint64_t frac = rnd64();
	switch (rnd32() % 4) {
	case 0: frac &= ~(uint64_t)0 << (rnd32() % 64); break;
	case 1: frac |= ((uint64_t)1 << (rnd32() % 64)) - 1; break;
	}
	int sign = rnd32() & 1;
	if (kind == I32 || kind == I64) {
		uint64_t v = rnd64() >> (rnd32() % 64);
		if (sign) v = -v;
		return kind == I32 ? (uint32_t)v : v;
	}
	int fb = kind == F32 ? 23 : 52, emax = kind == F32 ? 255 : 2047, bias = emax / 2;
	int e;
	switch (rnd32() % 6) {
	case 0: e = rnd32() % (emax + 1); break;
	case 1: e = rnd32() % 4; break;                         // denormals and smallest normals
	case 2: e = emax - 1 - (int)(rnd32() % 3); break;       // largest normals
	case 3: e = bias - 2 + (int)(rnd32() % 5); break;       // around one
	case 4: e = bias + 20 + (int)(rnd32() % 50); break;     // integer range limits
	default: e = 1 + (int)(rnd32() % (emax - 1)); break;
	}
	uint64_t v = (uint64_t)sign << (fb + (kind == F32 ? 8 : 11)) | (uint64_t)e << fb |
		     (frac & (((uint64_t)1 << fb) - 1));
	return v;
}

// pairwith returns a second operand for a that aims the result of op near a
// boundary: for add/sub nearly opposite or far apart operands, for mul/div an
// exponent that puts the result near the underflow or overflow threshold.
static uint64_t pairwith(int kind, const char *name, uint64_t a) {
	int fb = kind == F32 ? 23 : 52, emax = kind == F32 ? 255 : 2047, bias = emax / 2;
	uint64_t fmask = ((uint64_t)1 << fb) - 1;
	int ea = (int)(a >> fb & (uint64_t)emax);
	uint64_t b = rndval(kind);
	int target, eb;
	switch (rnd32() % 4) {
	case 0:
		if (name[0] == 'a' || name[0] == 's') { // a ± b with b ≈ -a or b ≈ a
			b = a + (rnd32() % 5) - 2;
			return kind == F32 ? (uint32_t)b : b;
		}
		return b;
	case 1:
		target = rnd32() & 1 ? (int)(rnd32() % (fb + 3)) - fb - 1 : emax - 1 - (int)(rnd32() % 3);
		break;
	default:
		return b;
	}
	if (name[0] == 'm') eb = target - ea + bias;
	else if (name[0] == 'd') eb = ea - target + bias;
	else eb = ea - (int)(rnd32() % (fb + 5));
	if (eb < 0) eb = 0;
	if (eb > emax - 1) eb = emax - 1;
	return (b & ~((uint64_t)emax << fb)) | (uint64_t)eb << fb | (b & fmask);
}

struct op {
	const char *name;
	opfn fn;
	int kind;   // operand format
	int binary; // takes two operands
};

static const struct op ops[] = {
	{"addss", addss, F32, 1},       {"subss", subss, F32, 1},       {"mulss", mulss, F32, 1},
	{"divss", divss, F32, 1},       {"minss", minss, F32, 1},       {"maxss", maxss, F32, 1},
	{"sqrtss", sqrtss, F32, 0},     {"comiss", comiss, F32, 1},     {"ucomiss", ucomiss, F32, 1},
	{"addsd", addsd, F64, 1},       {"subsd", subsd, F64, 1},       {"mulsd", mulsd, F64, 1},
	{"divsd", divsd, F64, 1},       {"minsd", minsd, F64, 1},       {"maxsd", maxsd, F64, 1},
	{"sqrtsd", sqrtsd, F64, 0},     {"comisd", comisd, F64, 1},     {"ucomisd", ucomisd, F64, 1},
	{"cvtss2sd", cvtss2sd, F32, 0}, {"cvtsd2ss", cvtsd2ss, F64, 0},
	{"cvtss2si32", cvtss2si32, F32, 0}, {"cvtss2si64", cvtss2si64, F32, 0},
	{"cvttss2si32", cvttss2si32, F32, 0}, {"cvttss2si64", cvttss2si64, F32, 0},
	{"cvtsd2si32", cvtsd2si32, F64, 0}, {"cvtsd2si64", cvtsd2si64, F64, 0},
	{"cvttsd2si32", cvttsd2si32, F64, 0}, {"cvttsd2si64", cvttsd2si64, F64, 0},
	{"cvtsi2ss32", cvtsi2ss32, I32, 0}, {"cvtsi2ss64", cvtsi2ss64, I64, 0},
	{"cvtsi2sd64", cvtsi2sd64, I64, 0},
};

static void run(const struct op *o, uint32_t ctl, uint64_t a, uint64_t b) {
	uint32_t mx = ctl;
	uint64_t r = o->fn(a, o->binary ? b : a, &mx); // one-operand BINOPs read xmm1
	if (o->kind == F32 && o->fn != cvtss2sd && o->fn != cvtss2si64 && o->fn != cvttss2si64 &&
	    o->fn != comiss && o->fn != ucomiss)
		r &= 0xffffffff;
	if (o->fn == cvtsd2ss || o->fn == cvtsd2si32 || o->fn == cvttsd2si32 || o->fn == cvtsi2ss32 ||
	    o->fn == cvtsi2ss64)
		r &= 0xffffffff;
	printf("%s %x %llx %llx %llx %x\n", o->name, ctl, (unsigned long long)a, (unsigned long long)b,
	       (unsigned long long)r, mx & 0x3f);
}

int main(void) {
	for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
		const struct op *o = &ops[k];
		const uint64_t *edges;
		size_t n;
		uint64_t e32[2 * sizeof edge32 / sizeof edge32[0]];
		uint64_t e64[2 * sizeof edge64 / sizeof edge64[0]];
		uint64_t ei[2 * sizeof edgeint / sizeof edgeint[0]];
		switch (o->kind) {
		case F32:
			n = sizeof edge32 / sizeof edge32[0];
			for (size_t i = 0; i < n; i++) e32[i] = edge32[i], e32[n + i] = edge32[i] | 0x80000000;
			edges = e32, n *= 2;
			break;
		case F64:
			n = sizeof edge64 / sizeof edge64[0];
			for (size_t i = 0; i < n; i++) e64[i] = edge64[i], e64[n + i] = edge64[i] | 1ULL << 63;
			edges = e64, n *= 2;
			break;
		default:
			n = sizeof edgeint / sizeof edgeint[0];
			for (size_t i = 0; i < n; i++) {
				uint64_t v = edgeint[i], m = -edgeint[i];
				if (o->kind == I32) v = (uint32_t)v, m = (uint32_t)m;
				ei[i] = v, ei[n + i] = m;
			}
			edges = ei, n *= 2;
			break;
		}
		// Edge values in each rounding mode and in RN and RZ with DAZ|FTZ,
		// then random cases under random controls.
		static const uint32_t ctls[] = {0x1f80, 0x3f80, 0x5f80, 0x7f80, 0x9fc0, 0xffc0};
		// Binary operations keep a fixed eighth of the pairs in RN and a
		// thirty-second in the other controls.
		for (size_t c = 0; c < sizeof ctls / sizeof ctls[0]; c++)
			for (size_t i = 0; i < n; i++)
				for (size_t j = 0; j < (o->binary ? n : 1); j++) {
					if (o->binary && (i * 7 + j * 5 + c) % (c == 0 ? 8 : 32) != 0) continue;
					run(o, ctls[c], edges[i], o->binary ? edges[j] : 0);
				}
		int nrand = o->binary ? 1200 : 700;
		for (int i = 0; i < nrand; i++) {
			uint32_t ctl = 0x1f80 | (rnd32() % 4) << 13;
			switch (rnd32() % 8) {
			case 0: ctl |= 0x40; break;
			case 1: ctl |= 0x8000; break;
			case 2: ctl |= 0x8040; break;
			}
			uint64_t a = rndval(o->kind);
			uint64_t b = o->binary ? pairwith(o->kind, o->name, a) : 0;
			run(o, ctl, a, b);
		}
	}
	return 0;
}
