// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// x87gen runs x87 instructions on the host CPU and prints one line per case:
//
//	op cw a b : st0 st1 mem fsw
//
// a, b, st0, st1 are 80-bit values as SSSS:MMMMMMMMMMMMMMMM (sign/exponent,
// significand); st1 is "-" except for fxtract; mem is the bytes a store wrote (hex, lowest address first,
// "-" when the op does not store); fsw is the status word with TOP cleared.
// ST(0)=a and ST(1)=b when the op runs. The state is read back with FNSAVE, which
// does not wait, so unmasked exceptions are observed without a trap.
//
// Regenerate (on an x86-64 host; the committed file came from an AMD EPYC):
//
//	gcc -O1 -o /tmp/x87gen x87gen.c && /tmp/x87gen | gzip -9n > x87.txt.gz
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct __attribute__((packed)) {
	uint64_t m;
	uint16_t se;
} f80;

typedef struct __attribute__((packed)) {
	uint16_t cw, p0, sw, p1, tw, p2;
	uint32_t fip;
	uint16_t fcs, fop;
	uint32_t foo;
	uint16_t fos, p3;
	f80 st[8];
} fsave;

typedef struct {
	uint8_t mem[10];
	fsave s;
} result;

#define BIN(name, insn)                                                     \
	static void name(uint16_t cw, f80 a, f80 b, result *r) {            \
		__asm__ volatile("fninit\n\tfldt %[b]\n\tfldt %[a]\n\t"     \
				 "fldcw %[cw]\n\t" insn "\n\tfnsave %[s]"   \
				 : [s] "=m"(r->s), [mem] "+m"(r->mem)       \
				 : [a] "m"(a), [b] "m"(b), [cw] "m"(cw));   \
	}

BIN(op_fadd, "fadd %%st(1), %%st(0)")
BIN(op_fsub, "fsub %%st(1), %%st(0)")
BIN(op_fmul, "fmul %%st(1), %%st(0)")
BIN(op_fdiv, "fdiv %%st(1), %%st(0)")
BIN(op_fsqrt, "fsqrt")
BIN(op_fprem, "fprem")
BIN(op_fprem1, "fprem1")
BIN(op_frndint, "frndint")
BIN(op_fscale, "fscale")
BIN(op_fxtract, "fxtract")
BIN(op_fcom, "fcom %%st(1)")
BIN(op_fucom, "fucom %%st(1)")
BIN(op_ftst, "ftst")
BIN(op_fxam, "fxam")
BIN(op_fst32, "fsts %[mem]")
BIN(op_fst64, "fstl %[mem]")
BIN(op_fist16, "fists %[mem]")
BIN(op_fist32, "fistl %[mem]")
BIN(op_fist64, "fistpll %[mem]")
BIN(op_fisttp16, "fisttps %[mem]")
BIN(op_fisttp32, "fisttpl %[mem]")
BIN(op_fisttp64, "fisttpll %[mem]")
BIN(op_fbstp, "fbstp %[mem]")

// Loads take their source from the first 4, 8 or 10 bytes of a.
#define LOAD(name, insn)                                                    \
	static void name(uint16_t cw, f80 a, f80 b, result *r) {            \
		__asm__ volatile("fninit\n\tfldt %[b]\n\tfldcw %[cw]\n\t"   \
				 insn "\n\tfnsave %[s]"                     \
				 : [s] "=m"(r->s)                           \
				 : [a] "m"(a), [b] "m"(b), [cw] "m"(cw));   \
	}

LOAD(op_fld32, "flds %[a]")
LOAD(op_fldpi, "fldpi")
LOAD(op_fldl2e, "fldl2e")
LOAD(op_fldl2t, "fldl2t")
LOAD(op_fldlg2, "fldlg2")
LOAD(op_fldln2, "fldln2")
LOAD(op_fld64, "fldl %[a]")
LOAD(op_fbld, "fbld %[a]")

// Memory-operand arithmetic: ST(0)=b, the m32/m64 operand is a's low bytes.
#define MEMOP(name, insn)                                                   \
	static void name(uint16_t cw, f80 a, f80 b, result *r) {            \
		__asm__ volatile("fninit\n\tfldt %[b]\n\tfldcw %[cw]\n\t"   \
				 insn "\n\tfnsave %[s]"                     \
				 : [s] "=m"(r->s)                           \
				 : [a] "m"(a), [b] "m"(b), [cw] "m"(cw));   \
	}

MEMOP(op_fadd32, "fadds %[a]")
MEMOP(op_fmul64, "fmull %[a]")
MEMOP(op_fcom64, "fcoml %[a]")

typedef void (*opfn)(uint16_t, f80, f80, result *);

enum { K_BIN, K_UN, K_STORE, K_LOAD32, K_LOAD64, K_LOADBCD, K_MEM32, K_MEM64, K_CONST };

static const struct {
	const char *name;
	opfn fn;
	int kind;
	int weight;
} ops[] = {
	{"add", op_fadd, K_BIN, 3},       {"sub", op_fsub, K_BIN, 3},
	{"mul", op_fmul, K_BIN, 3},       {"div", op_fdiv, K_BIN, 3},
	{"sqrt", op_fsqrt, K_UN, 2},      {"prem", op_fprem, K_BIN, 2},
	{"prem1", op_fprem1, K_BIN, 2},   {"rndint", op_frndint, K_UN, 1},
	{"scale", op_fscale, K_BIN, 2},   {"xtract", op_fxtract, K_UN, 1},
	{"com", op_fcom, K_BIN, 1},       {"ucom", op_fucom, K_BIN, 1},
	{"tst", op_ftst, K_UN, 1},        {"xam", op_fxam, K_UN, 1},
	{"st32", op_fst32, K_STORE, 2},   {"st64", op_fst64, K_STORE, 2},
	{"ist16", op_fist16, K_STORE, 1}, {"ist32", op_fist32, K_STORE, 1},
	{"ist64", op_fist64, K_STORE, 1}, {"istt16", op_fisttp16, K_STORE, 1},
	{"istt32", op_fisttp32, K_STORE, 1},
	{"istt64", op_fisttp64, K_STORE, 1},
	{"bstp", op_fbstp, K_STORE, 1},   {"ld32", op_fld32, K_LOAD32, 1},
	{"ld64", op_fld64, K_LOAD64, 1},  {"bld", op_fbld, K_LOADBCD, 1},
	{"add32", op_fadd32, K_MEM32, 1}, {"mul64", op_fmul64, K_MEM64, 1},
	{"com64", op_fcom64, K_MEM64, 1},   {"ldpi", op_fldpi, K_CONST, 0},
	{"ldl2e", op_fldl2e, K_CONST, 0},   {"ldl2t", op_fldl2t, K_CONST, 0},
	{"ldlg2", op_fldlg2, K_CONST, 0},   {"ldln2", op_fldln2, K_CONST, 0},
};

static uint64_t state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void) { // splitmix64
	uint64_t z = (state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static const f80 specials[] = {
	{0, 0},                                  // +0
	{0, 0x8000},                             // -0
	{0x8000000000000000ull, 0x3FFF},         // 1
	{0x8000000000000000ull, 0xBFFF},         // -1
	{0xC000000000000000ull, 0x4000},         // 3
	{0x8000000000000000ull, 0x7FFF},         // +inf
	{0x8000000000000000ull, 0xFFFF},         // -inf
	{0xC000000000000000ull, 0xFFFF},         // indefinite
	{0xC000000000000001ull, 0x7FFF},         // QNaN
	{0xE000000000000000ull, 0xFFFF},         // -QNaN
	{0x8000000000000001ull, 0x7FFF},         // SNaN
	{0xA000000000000000ull, 0xFFFF},         // -SNaN
	{0xA000000000000000ull, 0x7FFF},         // SNaN
	{0x0000000000000001ull, 0x0000},         // min denormal
	{0x7FFFFFFFFFFFFFFFull, 0x8000},         // -max denormal
	{0x8000000000000000ull, 0x0000},         // pseudo-denormal
	{0xC000000000000001ull, 0x8000},         // -pseudo-denormal
	{0x8000000000000000ull, 0x0001},         // min normal
	{0xFFFFFFFFFFFFFFFFull, 0x7FFE},         // max normal
	{0xFFFFFFFFFFFFFFFFull, 0xFFFE},         // -max normal
	{0x4000000000000000ull, 0x3FFF},         // unnormal
	{0x0000000000000000ull, 0x4005},         // unnormal zero
	{0x0000000000000000ull, 0x7FFF},         // pseudo-infinity
	{0x4000000000000001ull, 0xFFFF},         // pseudo-NaN
	{0xFFFFFFFFFFFFFFFFull, 0x403D},         // 2^63 - 1 ... region
	{0x8000000000000000ull, 0x403E},         // 2^63
	{0xDE0B6B3A763FFFF8ull, 0x403A},         // near 10^18
	{0x8000000000000000ull, 0x3FFE},         // 0.5
	{0xC000000000000000ull, 0xBFFE},         // -0.75
};
#define NSPECIAL (sizeof specials / sizeof specials[0])

static uint64_t gensig(void) {
	uint64_t m = rnd() | 0x8000000000000000ull;
	switch (rnd() % 6) {
	case 0: // few significant bits: exact results and ties are common
		m &= ~0ull << (rnd() % 64);
		m |= 0x8000000000000000ull;
		break;
	case 1: // a run of ones at the bottom
		m |= (1ull << (rnd() % 64)) - 1;
		break;
	case 2: // tie patterns at the 24/53/64-bit rounding points
		m &= ~0ull << (rnd() % 3 == 0 ? 40 : 11);
		m |= 0x8000000000000000ull;
		break;
	}
	return m;
}

static f80 genat(int exp) {
	f80 v;
	v.m = gensig();
	if (exp < 1) { // denormal
		int sh = 1 - exp;
		v.m = sh >= 64 ? 1 : v.m >> sh;
		if (v.m == 0)
			v.m = 1;
		exp = 0;
	}
	if (exp > 0x7FFE)
		exp = 0x7FFE;
	v.se = (uint16_t)exp | (rnd() & 1 ? 0x8000 : 0);
	return v;
}

static f80 gen(void) {
	switch (rnd() % 8) {
	case 0:
		return specials[rnd() % NSPECIAL];
	case 1: // anywhere
		return genat((int)(rnd() % 0x7FFF));
	case 2: // near the bottom of the range
		return genat((int)(rnd() % 140) - 70);
	case 3: // near the top of the range
		return genat(0x7FFE - (int)(rnd() % 70));
	default: // ordinary magnitudes
		return genat(0x3FFF + (int)(rnd() % 140) - 70);
	}
}

// second operand: often close to the first so that operations interact
static f80 gen2(f80 a, const char *op) {
	int ea = a.se & 0x7FFF;
	if (ea == 0 || ea == 0x7FFF || rnd() % 3 == 0)
		return gen();
	if (!strcmp(op, "mul") || !strcmp(op, "div")) {
		// aim the result exponent at the overflow or underflow threshold
		int target = (int)(rnd() % 4 == 0 ? 0x7FFF : 0) + (int)(rnd() % 70) - 35;
		int eb = !strcmp(op, "mul") ? target - ea + 0x3FFF : ea - target + 0x3FFF;
		if (eb >= 1 && eb <= 0x7FFE && rnd() % 2)
			return genat(eb);
	}
	if (!strcmp(op, "scale")) {
		f80 v = genat(0x3FFF + (int)(rnd() % 16));
		return v;
	}
	if (!strcmp(op, "prem") || !strcmp(op, "prem1"))
		return genat(ea - (int)(rnd() % 200) + 3);
	return genat(ea + (int)(rnd() % 140) - 70);
}

static uint16_t gencw(void) {
	static const int pcs[] = {3, 3, 3, 2, 2, 0, 0, 1};
	uint16_t mask = 0x3F;
	if (rnd() % 6 == 0)
		mask = (uint16_t)(rnd() & 0x3F);
	return 0x40 | (uint16_t)(pcs[rnd() % 8] << 8) | (uint16_t)((rnd() % 4) << 10) | mask;
}

static void run(int i, uint16_t cw, f80 a, f80 b) {
	result r;
	memset(&r, 0xAA, sizeof r);
	if (ops[i].kind == K_LOADBCD && rnd() % 2) { // mostly valid BCD
		uint8_t *p = (uint8_t *)&a;
		for (int k = 0; k < 9; k++)
			p[k] = (uint8_t)((rnd() % 10) << 4 | rnd() % 10);
		p[9] &= 0x80;
	}
	ops[i].fn(cw, a, b, &r);
	printf("%s %04x %04x:%016llx %04x:%016llx : %04x:%016llx ", ops[i].name, cw, a.se,
	       (unsigned long long)a.m, b.se, (unsigned long long)b.m, r.s.st[0].se,
	       (unsigned long long)r.s.st[0].m);
	if (ops[i].fn == op_fxtract)
		printf("%04x:%016llx ", r.s.st[1].se, (unsigned long long)r.s.st[1].m);
	else
		printf("- ");
	if (ops[i].kind == K_STORE) {
		for (int k = 0; k < 10; k++)
			printf("%02x", r.mem[k]);
	} else {
		printf("-");
	}
	printf(" %04x\n", r.s.sw & ~0x3800);
}

int main(void) {
	int nops = (int)(sizeof ops / sizeof ops[0]);
	// every op on every pair of specials, all masked, round to nearest, 64 bits
	for (int i = 0; i < nops; i++) {
		if (ops[i].kind == K_CONST)
			continue;
		int unary = ops[i].kind != K_BIN && ops[i].kind != K_MEM32 && ops[i].kind != K_MEM64;
		for (unsigned x = 0; x < NSPECIAL; x++)
			for (unsigned y = 0; y < (unary ? 1 : NSPECIAL); y++)
				run(i, 0x037F, specials[x], specials[y]);
	}
	// constants under every rounding control and precision control
	for (int i = 0; i < nops; i++)
		if (ops[i].kind == K_CONST)
			for (int rc = 0; rc < 4; rc++)
				for (int pc = 0; pc < 4; pc++)
					run(i, (uint16_t)(0x7F | pc << 8 | rc << 10), specials[0], specials[0]);
	// random operands and control words
	int total = 0;
	for (int i = 0; i < nops; i++)
		total += ops[i].weight;
	for (int n = 0; n < 16000; n++) {
		int w = (int)(rnd() % (uint64_t)total), i = 0;
		while (w >= ops[i].weight)
			w -= ops[i++].weight;
		f80 a = gen();
		f80 b = gen2(a, ops[i].name);
		if (ops[i].kind != K_BIN && ops[i].kind != K_MEM32 && ops[i].kind != K_MEM64)
			b = (f80){0, 0};
		if (ops[i].kind == K_MEM32 || ops[i].kind == K_LOAD32) {
			uint32_t v = (uint32_t)rnd();
			if (rnd() % 4 == 0)
				v &= 0x807FFFFF; // denormal or zero
			else if (rnd() % 4 == 0)
				v |= 0x7F800000; // inf or NaN
			a = (f80){0, 0};
			memcpy(&a, &v, 4);
		}
		if (ops[i].kind == K_MEM64 || ops[i].kind == K_LOAD64) {
			uint64_t v = rnd();
			if (rnd() % 4 == 0)
				v &= 0x800FFFFFFFFFFFFFull;
			else if (rnd() % 4 == 0)
				v |= 0x7FF0000000000000ull;
			a = (f80){0, 0};
			memcpy(&a, &v, 8);
		}
		run(i, gencw(), a, b);
	}
	return 0;
}
