// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// insn_int: the integer instruction families of emu/shift.go, muldiv.go,
// bits.go and string.go, one line per case, to be diffed between a native
// run and a run under gemu.
//
// Each case loads RFLAGS (the six status flags all clear, or all set, or
// pseudo-random) with popfq, runs one instruction form on edge operands or
// pseudo-random ones (a fixed-seed LCG), saves RFLAGS with pushfq and
// prints the operands, the full 64-bit result registers (so that the
// zero-extension of 32-bit results and the preservation of the upper bits
// of 8- and 16-bit ones are checked too) and the flags.
//
// Modes (argv[1]):
//   (none)  every flag is printed, also those the Intel SDM leaves
//           undefined: gemu computes them as the reference host, an AMD
//           Zen CPU, does (emu/shift.go, muldiv.go and bits.go say how), and
//           results the SDM leaves undefined (16-bit SHLD/SHRD by more than
//           16) are printed too. On a CPU of another family these lines
//           may differ natively: use "sdm".
//   sdm     only the flags and results the SDM defines (the *_mask
//           functions).
//   raw     like the default, plus the TZCNT/LZCNT results and the input
//           flags of MUL/DIV cases, line-buffered: to study a new host.
// argv[2] optionally selects one group: shift dshift muldiv bt scan string.
//
// #DE cannot be observed without signal delivery, so divisions that would
// fault are only predicted ("DE"), except the very last case of the run,
// IDIV of INT64_MIN by -1, which kills the guest with SIGFPE (exit 136).
//
// TZCNT and LZCNT execute as BSF and BSR on CPUs without BMI1/LZCNT, and
// gemu advertises neither, so their lines say whether the result agrees
// with what CPUID promises rather than printing the result.
//
// No addresses are printed: string-instruction registers are printed
// relative to their buffers.
//
// The guest itself uses no SSE (general-regs-only, and its own small
// formatter instead of printf, whose musl implementation does), so that it
// tests the integer families without depending on others.
#pragma GCC target("general-regs-only")
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "guest.h"

#define CF 0x001u
#define PF 0x004u
#define AF 0x010u
#define ZF 0x040u
#define SF 0x080u
#define OF 0x800u
#define DF 0x400u
#define ALL (CF | PF | AF | ZF | SF | OF)



static int raw; // study mode: print everything
static int sdm; // print only what the SDM defines
static lcg G = {0x2545f4914f6cdd1dULL};
static unsigned long ncases;

static uint64_t rnd64(void) {
	uint64_t hi = lcg_next(&G);
	return hi << 32 | lcg_next(&G);
}

// A random operand biased toward edges: small, near a sign bit, all ones.
static uint64_t rndval(void) {
	uint64_t v = rnd64();
	switch (lcg_next(&G) % 8) {
	case 0: return v & 0xff;
	case 1: return v >> (lcg_next(&G) % 64);
	case 2: return ~(v & 0xffff);
	case 3: return (uint64_t)1 << (lcg_next(&G) % 64);
	default: return v;
	}
}

static uint64_t rndflags(void) { return 0x202 | (lcg_next(&G) & ALL); }

static const uint64_t edges[] = {
	0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
	0xffffffff, 0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL, ~1ULL,
	0x5555555555555555ULL, 0xaaaaaaaaaaaaaaaaULL, 0x0123456789abcdefULL, 0xfedcba9876543210ULL,
	0x00000000deadbe81ULL, 0xffffffff00000001ULL,
};
#define NEDGE (sizeof edges / sizeof edges[0])
static const uint64_t fl_init[2] = {0x202, 0x202 | ALL};

// ------------------------------------------------------------- output

static char obuf[1 << 16];
static size_t olen;

static void oflush(void) {
	size_t off = 0;
	while (off < olen) {
		ssize_t n = write(1, obuf + off, olen - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	olen = 0;
}

static void ochar(char c) {
	if (olen == sizeof obuf)
		oflush();
	obuf[olen++] = c;
}

static void ostr(const char *s) {
	while (*s)
		ochar(*s++);
}

// ohex prints v in hex with at least digits digits.
static void ohex(uint64_t v, int digits) {
	char t[16];
	int n = 0;
	do {
		t[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	while (n < digits)
		t[n++] = '0';
	while (n)
		ochar(t[--n]);
}

static void odec(int64_t v) {
	char t[24];
	int n = 0;
	uint64_t u = (uint64_t)v;
	if (v < 0) {
		ochar('-');
		u = -u;
	}
	do {
		t[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	while (n)
		ochar(t[--n]);
}

static void oend(void) {
	ochar('\n');
	ncases++;
	if (raw)
		oflush();
}

// ohead starts a line: op, width, form.
static void ohead(const char *op, int w, const char *form) {
	ostr(op);
	odec(w);
	ochar('.');
	ostr(form);
}

// emit prints one case: operands a, b, c, results r1, r2 and the flags f
// (the defined ones, mask).
static void emit(const char *op, int w, const char *form, uint64_t a, uint64_t b, uint64_t c,
		 uint64_t r1, uint64_t r2, uint64_t f, unsigned mask) {
	if (!sdm)
		mask = ALL;
	ohead(op, w, form);
	ochar(' ');
	ohex(a, 1);
	ochar(' ');
	ohex(b, 1);
	ochar(' ');
	ohex(c, 1);
	ostr(" -> ");
	ohex(r1, 1);
	ochar(' ');
	ohex(r2, 1);
	ostr(" f=");
	ohex(f & mask, 3);
	oend();
}

// Flags are set by push+popfq and read by pushfq+pop; the stack pointer is
// moved below the red zone around them so compiler locals are safe. Memory
// operands are therefore always addressed through a pointer register,
// never as an "m" operand (which could be RSP-relative).
#define PRE "lea -128(%%rsp), %%rsp\n\tpush %[fin]\n\tpopfq\n\t"
#define POST "\n\tpushfq\n\tpop %[fout]\n\tlea 128(%%rsp), %%rsp"

// ---------------------------------------------------------------- shifts

enum { SHL, SHR, SAR, ROL, ROR, RCL, RCR, NSHIFT };
static const char *shift_name[NSHIFT] = {"shl", "shr", "sar", "rol", "ror", "rcl", "rcr"};

// shift_mask: the flags defined after shift op of a w-bit operand by count
// (before masking).
static unsigned shift_mask(int op, int w, unsigned count) {
	unsigned c = count & (w == 64 ? 63 : 31);
	if (c == 0)
		return ALL; // no flag changes
	if (op >= ROL) {
		unsigned m = ALL & ~OF; // SF ZF AF PF unaffected, CF defined
		if (c == 1)
			m |= OF;
		return m;
	}
	unsigned m = SF | ZF | PF | CF;
	if ((op == SHL || op == SHR) && c >= (unsigned)w)
		m &= ~CF;
	if (c == 1)
		m |= OF;
	return m;
}

typedef void shift_fn(uint64_t *d, uint8_t n, uint64_t fin, uint64_t *fo);

// Register destination, count in CL: the whole 64-bit register is printed.
#define SHCL(OP, SUF, M)                                                                      \
	static void OP##SUF##_cl(uint64_t *d, uint8_t n, uint64_t fin, uint64_t *fo) {          \
		uint64_t v = *d, f;                                                               \
		__asm__ volatile(PRE #OP #SUF " %%cl, %" #M "[v]" POST                            \
				 : [v] "+r"(v), [fout] "=&r"(f)                                   \
				 : "c"(n), [fin] "r"(fin)                                         \
				 : "cc", "memory");                                               \
		*d = v;                                                                           \
		*fo = f;                                                                          \
	}                                                                                         \
	static void OP##SUF##_m(uint64_t *d, uint8_t n, uint64_t fin, uint64_t *fo) {           \
		uint64_t f;                                                                       \
		__asm__ volatile(PRE #OP #SUF " %%cl, (%[p])" POST                                \
				 : [fout] "=&r"(f)                                                \
				 : [p] "r"(d), "c"(n), [fin] "r"(fin)                             \
				 : "cc", "memory");                                               \
		*fo = f;                                                                          \
	}
#define SHCL4(OP) SHCL(OP, b, b) SHCL(OP, w, w) SHCL(OP, l, k) SHCL(OP, q, q)
SHCL4(shl)
SHCL4(shr)
SHCL4(sar)
SHCL4(rol)
SHCL4(ror)
SHCL4(rcl)
SHCL4(rcr)

#define SHROW(OP, K) {OP##b_##K, OP##w_##K, OP##l_##K, OP##q_##K}
static shift_fn *const shift_cl[NSHIFT][4] = {
	SHROW(shl, cl), SHROW(shr, cl), SHROW(sar, cl), SHROW(rol, cl),
	SHROW(ror, cl), SHROW(rcl, cl), SHROW(rcr, cl),
};
static shift_fn *const shift_m[NSHIFT][4] = {
	SHROW(shl, m), SHROW(shr, m), SHROW(sar, m), SHROW(rol, m),
	SHROW(ror, m), SHROW(rcl, m), SHROW(rcr, m),
};

// Immediate counts: one function per (op, width, count). Count 1 is the
// D0/D1 encoding (the assembler picks it for $1).
#define SHIMM(OP, SUF, M, N)                                                                  \
	static void OP##SUF##_i##N(uint64_t *d, uint8_t n, uint64_t fin, uint64_t *fo) {        \
		uint64_t v = *d, f;                                                               \
		(void)n;                                                                          \
		__asm__ volatile(PRE #OP #SUF " $" #N ", %" #M "[v]" POST                         \
				 : [v] "+r"(v), [fout] "=&r"(f)                                   \
				 : [fin] "r"(fin)                                                 \
				 : "cc", "memory");                                               \
		*d = v;                                                                           \
		*fo = f;                                                                          \
	}
#define SHIMMW(OP, N) SHIMM(OP, b, b, N) SHIMM(OP, w, w, N) SHIMM(OP, l, k, N) SHIMM(OP, q, q, N)
#define SHIMMOP(OP) SHIMMW(OP, 0) SHIMMW(OP, 1) SHIMMW(OP, 3) SHIMMW(OP, 8) SHIMMW(OP, 9) \
	SHIMMW(OP, 17) SHIMMW(OP, 33) SHIMMW(OP, 63) SHIMMW(OP, 200)
SHIMMOP(shl)
SHIMMOP(shr)
SHIMMOP(sar)
SHIMMOP(rol)
SHIMMOP(ror)
SHIMMOP(rcl)
SHIMMOP(rcr)
static const unsigned imm_counts[] = {0, 1, 3, 8, 9, 17, 33, 63, 200};
#define NIMM 9
#define SHIMMROW(OP) {SHROW(OP, i0), SHROW(OP, i1), SHROW(OP, i3), SHROW(OP, i8), SHROW(OP, i9), \
	SHROW(OP, i17), SHROW(OP, i33), SHROW(OP, i63), SHROW(OP, i200)}
static shift_fn *const shift_imm[NSHIFT][NIMM][4] = {
	SHIMMROW(shl), SHIMMROW(shr), SHIMMROW(sar), SHIMMROW(rol),
	SHIMMROW(ror), SHIMMROW(rcl), SHIMMROW(rcr),
};

static const int widths[4] = {8, 16, 32, 64};

static void shift_case(int op, int wi, const char *form, shift_fn *fn, uint64_t a, unsigned count,
		       uint64_t fin) {
	uint64_t d = a, fo;
	fn(&d, (uint8_t)count, fin, &fo);
	emit(shift_name[op], widths[wi], form, a, count, fin & ALL, d, 0, fo,
	     shift_mask(op, widths[wi], count));
}

static void test_shifts(void) {
	for (int op = 0; op < NSHIFT; op++)
		for (int wi = 0; wi < 4; wi++) {
			// Every count 0..65 on a dozen edge values, both flag states.
			for (unsigned i = 0; i < NEDGE; i += 2)
				for (unsigned c = 0; c <= 65; c++)
					for (int f = 0; f < 2; f++)
						shift_case(op, wi, "cl", shift_cl[op][wi], edges[i], c, fl_init[f]);
			for (int k = 0; k < 64; k++)
				shift_case(op, wi, "cl", shift_cl[op][wi], rndval(), lcg_next(&G) & 0xff, rndflags());
			for (int k = 0; k < NIMM; k++)
				for (unsigned i = 1; i < NEDGE; i += 3)
					shift_case(op, wi, "imm", shift_imm[op][k][wi], edges[i], imm_counts[k],
						   fl_init[i & 1]);
			for (int k = 0; k < 24; k++)
				shift_case(op, wi, "mem", shift_m[op][wi], rndval(), lcg_next(&G) % 70, rndflags());
		}
}

// Double shifts.
typedef void dshift_fn(uint64_t *d, uint64_t s, uint8_t n, uint64_t fin, uint64_t *fo);
#define DSH(OP, SUF, M)                                                                             \
	static void OP##SUF##_cl(uint64_t *d, uint64_t s, uint8_t n, uint64_t fin, uint64_t *fo) {    \
		uint64_t v = *d, f;                                                                     \
		__asm__ volatile(PRE #OP #SUF " %%cl, %" #M "[s], %" #M "[v]" POST                      \
				 : [v] "+r"(v), [fout] "=&r"(f)                                         \
				 : [s] "r"(s), "c"(n), [fin] "r"(fin)                                   \
				 : "cc", "memory");                                                     \
		*d = v;                                                                                 \
		*fo = f;                                                                                \
	}                                                                                               \
	static void OP##SUF##_m(uint64_t *d, uint64_t s, uint8_t n, uint64_t fin, uint64_t *fo) {     \
		uint64_t f;                                                                             \
		__asm__ volatile(PRE #OP #SUF " %%cl, %" #M "[s], (%[p])" POST                          \
				 : [fout] "=&r"(f)                                                      \
				 : [p] "r"(d), [s] "r"(s), "c"(n), [fin] "r"(fin)                       \
				 : "cc", "memory");                                                     \
		*fo = f;                                                                                \
	}                                                                                               \
	static void OP##SUF##_i5(uint64_t *d, uint64_t s, uint8_t n, uint64_t fin, uint64_t *fo) {    \
		uint64_t v = *d, f;                                                                     \
		(void)n;                                                                                \
		__asm__ volatile(PRE #OP #SUF " $5, %" #M "[s], %" #M "[v]" POST                        \
				 : [v] "+r"(v), [fout] "=&r"(f)                                         \
				 : [s] "r"(s), [fin] "r"(fin)                                           \
				 : "cc", "memory");                                                     \
		*d = v;                                                                                 \
		*fo = f;                                                                                \
	}                                                                                               \
	static void OP##SUF##_i1(uint64_t *d, uint64_t s, uint8_t n, uint64_t fin, uint64_t *fo) {    \
		uint64_t v = *d, f;                                                                     \
		(void)n;                                                                                \
		__asm__ volatile(PRE #OP #SUF " $1, %" #M "[s], %" #M "[v]" POST                        \
				 : [v] "+r"(v), [fout] "=&r"(f)                                         \
				 : [s] "r"(s), [fin] "r"(fin)                                           \
				 : "cc", "memory");                                                     \
		*d = v;                                                                                 \
		*fo = f;                                                                                \
	}
DSH(shld, w, w)
DSH(shld, l, k)
DSH(shld, q, q)
DSH(shrd, w, w)
DSH(shrd, l, k)
DSH(shrd, q, q)

static unsigned dshift_mask(int w, unsigned count, int *undef_result) {
	unsigned c = count & (w == 64 ? 63 : 31);
	*undef_result = 0;
	if (c == 0)
		return ALL;
	if (c > (unsigned)w) {
		*undef_result = 1;
		return 0;
	}
	return SF | ZF | PF | CF | (c == 1 ? OF : 0);
}

static void dshift_case(const char *name, int w, const char *form, dshift_fn *fn, uint64_t a, uint64_t s,
			unsigned count, uint64_t fin) {
	uint64_t d = a, fo;
	int undef;
	fn(&d, s, (uint8_t)count, fin, &fo);
	unsigned m = dshift_mask(w, count, &undef);
	if (undef && sdm)
		d = 0; // result undefined: print a placeholder
	emit(name, w, form, a, s, count | (fin & ALL) << 8, d, 0, fo, m);
}

static void test_dshifts(void) {
	static dshift_fn *const fns[2][3][4] = {
		{{shldw_cl, shldw_m, shldw_i5, shldw_i1}, {shldl_cl, shldl_m, shldl_i5, shldl_i1},
		 {shldq_cl, shldq_m, shldq_i5, shldq_i1}},
		{{shrdw_cl, shrdw_m, shrdw_i5, shrdw_i1}, {shrdl_cl, shrdl_m, shrdl_i5, shrdl_i1},
		 {shrdq_cl, shrdq_m, shrdq_i5, shrdq_i1}},
	};
	static const char *names[2] = {"shld", "shrd"};
	for (int op = 0; op < 2; op++)
		for (int wi = 0; wi < 3; wi++) {
			int w = 16 << wi;
			for (unsigned i = 0; i < NEDGE; i += 3)
				for (unsigned c = 0; c <= 65; c++)
					for (int f = 0; f < 2; f++)
						dshift_case(names[op], w, "cl", fns[op][wi][0], edges[i],
							    edges[(i + 7) % NEDGE], c, fl_init[f]);
			for (int k = 0; k < 64; k++)
				dshift_case(names[op], w, "cl", fns[op][wi][0], rndval(), rndval(), lcg_next(&G) & 0xff,
					    rndflags());
			for (int k = 0; k < 16; k++)
				dshift_case(names[op], w, "mem", fns[op][wi][1], rndval(), rndval(), lcg_next(&G) % 70,
					    rndflags());
			for (int k = 0; k < 16; k++) {
				dshift_case(names[op], w, "imm", fns[op][wi][2], rndval(), rndval(), 5, rndflags());
				dshift_case(names[op], w, "imm", fns[op][wi][3], rndval(), rndval(), 1, rndflags());
			}
		}
}

// ------------------------------------------------------ multiply, divide

// One-operand MUL/IMUL/DIV/IDIV: RAX and RDX in, RAX and RDX out.
typedef void acc_fn(uint64_t *ax, uint64_t *dx, uint64_t s, uint64_t fin, uint64_t *fo);
#define ACC(OP, SUF, M)                                                                             \
	static void OP##SUF##_r(uint64_t *ax, uint64_t *dx, uint64_t s, uint64_t fin, uint64_t *fo) { \
		uint64_t a = *ax, d = *dx, f;                                                           \
		__asm__ volatile(PRE #OP #SUF " %" #M "[s]" POST                                        \
				 : "+a"(a), "+d"(d), [fout] "=&r"(f)                                    \
				 : [s] "r"(s), [fin] "r"(fin)                                           \
				 : "cc", "memory");                                                     \
		*ax = a;                                                                                \
		*dx = d;                                                                                \
		*fo = f;                                                                                \
	}                                                                                               \
	static void OP##SUF##_m(uint64_t *ax, uint64_t *dx, uint64_t s, uint64_t fin, uint64_t *fo) { \
		uint64_t a = *ax, d = *dx, f;                                                           \
		__asm__ volatile(PRE #OP #SUF " (%[s])" POST                                            \
				 : "+a"(a), "+d"(d), [fout] "=&r"(f)                                    \
				 : [s] "r"(&s), [fin] "r"(fin)                                          \
				 : "cc", "memory");                                                     \
		*ax = a;                                                                                \
		*dx = d;                                                                                \
		*fo = f;                                                                                \
	}
#define ACC4(OP) ACC(OP, b, b) ACC(OP, w, w) ACC(OP, l, k) ACC(OP, q, q)
ACC4(mul)
ACC4(imul)
ACC4(div)
ACC4(idiv)

enum { MUL, IMUL, DIV, IDIV };
static const char *acc_name[4] = {"mul", "imul", "div", "idiv"};
static acc_fn *const acc_r[4][4] = {
	{mulb_r, mulw_r, mull_r, mulq_r}, {imulb_r, imulw_r, imull_r, imulq_r},
	{divb_r, divw_r, divl_r, divq_r}, {idivb_r, idivw_r, idivl_r, idivq_r},
};
static acc_fn *const acc_m[4][4] = {
	{mulb_m, mulw_m, mull_m, mulq_m}, {imulb_m, imulw_m, imull_m, imulq_m},
	{divb_m, divw_m, divl_m, divq_m}, {idivb_m, idivw_m, idivl_m, idivq_m},
};

// mul_mask: CF and OF are defined; SF, ZF, AF, PF are not.
static unsigned mul_mask(void) { return CF | OF; }
// div_mask: every flag is undefined after a division.
static unsigned div_mask(void) { return 0; }

static uint64_t sx(uint64_t v, int w) { return w == 64 ? v : (uint64_t)((int64_t)(v << (64 - w)) >> (64 - w)); }
static uint64_t mk(int w) { return w == 64 ? ~0ULL : (1ULL << w) - 1; }

// div_faults predicts #DE for a w-bit division of the dividend in ax/dx.
static int div_faults(int op, int w, uint64_t ax, uint64_t dx, uint64_t s) {
	uint64_t m = mk(w);
	s &= m;
	if (s == 0)
		return 1;
	unsigned __int128 n;
	if (w == 8)
		n = ax & 0xffff;
	else
		n = (unsigned __int128)(dx & m) << w | (ax & m);
	if (op == DIV)
		return n / s > m;
	__int128 sn; // sign-extend the 2w-bit dividend
	if (w == 64)
		sn = (__int128)n;
	else
		sn = (__int128)(int64_t)((uint64_t)n << (64 - 2 * w)) >> (64 - 2 * w);
	if (w == 8) // 16-bit dividend held in 64 bits above
		sn = (int16_t)(uint16_t)n;
	__int128 sd = (int64_t)sx(s, w);
	if (w == 64 && sn == (__int128)((unsigned __int128)1 << 127) && sd == -1)
		return 1;
	__int128 q = sn / sd;
	__int128 lim = (__int128)1 << (w - 1);
	return q >= lim || q < -lim;
}

static void acc_case(int op, int wi, int mem, uint64_t ax, uint64_t dx, uint64_t s, uint64_t fin) {
	int w = widths[wi];
	uint64_t a = ax, d = dx, fo = 0;
	unsigned m = op <= IMUL ? mul_mask() : div_mask();
	if (op >= DIV && div_faults(op, w, ax, dx, s)) {
		ohead(acc_name[op], w, mem ? "mem" : "r");
		ochar(' ');
		ohex(ax, 1);
		ochar(' ');
		ohex(dx, 1);
		ochar(' ');
		ohex(s, 1);
		ostr(" -> DE");
		oend();
		return;
	}
	(mem ? acc_m : acc_r)[op][wi](&a, &d, s, fin, &fo);
	// The flags in go with the divisor: fin is pseudo-random.
	emit(acc_name[op], w, mem ? "mem" : "r", ax, dx, s, a, d, fo, m);
	if (raw) {
		ostr("  fin=");
		ohex(fin & ALL, 3);
		oend();
	}
}

// Two- and three-operand IMUL.
typedef void imul2_fn(uint64_t *d, uint64_t s, uint64_t fin, uint64_t *fo);
#define IMUL2(SUF, M)                                                                      \
	static void imul2##SUF(uint64_t *d, uint64_t s, uint64_t fin, uint64_t *fo) {        \
		uint64_t v = *d, f;                                                            \
		__asm__ volatile(PRE "imul" #SUF " %" #M "[s], %" #M "[v]" POST                \
				 : [v] "+r"(v), [fout] "=&r"(f)                                \
				 : [s] "r"(s), [fin] "r"(fin)                                  \
				 : "cc", "memory");                                            \
		*d = v;                                                                        \
		*fo = f;                                                                       \
	}                                                                                      \
	static void imul2m##SUF(uint64_t *d, uint64_t s, uint64_t fin, uint64_t *fo) {       \
		uint64_t v = *d, f;                                                            \
		__asm__ volatile(PRE "imul" #SUF " (%[s]), %" #M "[v]" POST                    \
				 : [v] "+r"(v), [fout] "=&r"(f)                                \
				 : [s] "r"(&s), [fin] "r"(fin)                                 \
				 : "cc", "memory");                                            \
		*d = v;                                                                        \
		*fo = f;                                                                       \
	}
IMUL2(w, w)
IMUL2(l, k)
IMUL2(q, q)

#define IMUL3(SUF, M, NAME, IMM)                                                          \
	static void imul3##SUF##NAME(uint64_t *d, uint64_t s, uint64_t fin, uint64_t *fo) {  \
		uint64_t v = *d, f;                                                            \
		__asm__ volatile(PRE "imul" #SUF " $" #IMM ", %" #M "[s], %" #M "[v]" POST     \
				 : [v] "+r"(v), [fout] "=&r"(f)                                \
				 : [s] "r"(s), [fin] "r"(fin)                                  \
				 : "cc", "memory");                                            \
		*d = v;                                                                        \
		*fo = f;                                                                       \
	}                                                                                      \
	static void imul3m##SUF##NAME(uint64_t *d, uint64_t s, uint64_t fin, uint64_t *fo) { \
		uint64_t v = *d, f;                                                            \
		__asm__ volatile(PRE "imul" #SUF " $" #IMM ", (%[s]), %" #M "[v]" POST         \
				 : [v] "+r"(v), [fout] "=&r"(f)                                \
				 : [s] "r"(&s), [fin] "r"(fin)                                 \
				 : "cc", "memory");                                            \
		*d = v;                                                                        \
		*fo = f;                                                                       \
	}
// Immediates: imm8 forms (-1, 3, 127, -128) and imm16/imm32 forms.
#define IMUL3W(SUF, M)                                                        \
	IMUL3(SUF, M, m1, -1) IMUL3(SUF, M, p3, 3) IMUL3(SUF, M, p127, 127)   \
	IMUL3(SUF, M, m128, -128) IMUL3(SUF, M, big, 0x1234) IMUL3(SUF, M, neg, -0x7fff)
IMUL3W(w, w)
IMUL3W(l, k)
IMUL3W(q, q)
IMUL3(l, k, huge, 0x7fffffff)
IMUL3(q, q, huge, -0x80000000)
static const int64_t imul3_imm[6] = {-1, 3, 127, -128, 0x1234, -0x7fff};

static void imul2_case(int w, const char *form, imul2_fn *fn, uint64_t a, uint64_t s, int64_t imm) {
	uint64_t d = a, fo;
	uint64_t fin = rndflags();
	fn(&d, s, fin, &fo);
	emit("imul", w, form, a, s, (uint64_t)imm, d, 0, fo, mul_mask());
}

static void test_muldiv(void) {
	for (int op = 0; op < 4; op++)
		for (int wi = 0; wi < 4; wi++) {
			for (unsigned i = 0; i < NEDGE; i++)
				for (unsigned j = 0; j < NEDGE; j++)
					acc_case(op, wi, 0, edges[i], edges[(i * 7 + j) % NEDGE], edges[j], fl_init[j & 1]);
			for (int k = 0; k < 150; k++) {
				uint64_t ax = rndval(), dx = rndval(), s = rndval();
				if (op >= DIV && k & 1) {
					// Mostly divisions that do not fault: a small high half.
					dx = op == IDIV && lcg_next(&G) & 1 ? ~0ULL : 0;
					if (wi == 0)
						ax &= 0x3fff;
				}
				acc_case(op, wi, 0, ax, dx, s, rndflags());
			}
			for (int k = 0; k < 16; k++)
				acc_case(op, wi, 1, rndval(), rndval() & 0xff, rndval(), rndflags());
		}
	static imul2_fn *const two[3][2] = {{imul2w, imul2mw}, {imul2l, imul2ml}, {imul2q, imul2mq}};
	static imul2_fn *const three[3][2][6] = {
		{{imul3wm1, imul3wp3, imul3wp127, imul3wm128, imul3wbig, imul3wneg},
		 {imul3mwm1, imul3mwp3, imul3mwp127, imul3mwm128, imul3mwbig, imul3mwneg}},
		{{imul3lm1, imul3lp3, imul3lp127, imul3lm128, imul3lbig, imul3lneg},
		 {imul3mlm1, imul3mlp3, imul3mlp127, imul3mlm128, imul3mlbig, imul3mlneg}},
		{{imul3qm1, imul3qp3, imul3qp127, imul3qm128, imul3qbig, imul3qneg},
		 {imul3mqm1, imul3mqp3, imul3mqp127, imul3mqm128, imul3mqbig, imul3mqneg}},
	};
	for (int wi = 0; wi < 3; wi++) {
		int w = 16 << wi;
		for (unsigned i = 0; i < NEDGE; i++)
			for (unsigned j = 0; j < NEDGE; j++)
				imul2_case(w, "rr", two[wi][0], edges[i], edges[j], 0);
		for (int k = 0; k < 100; k++)
			imul2_case(w, "rr", two[wi][0], rndval(), rndval(), 0);
		for (int k = 0; k < 16; k++)
			imul2_case(w, "rm", two[wi][1], rndval(), rndval(), 0);
		for (int x = 0; x < 6; x++) {
			for (unsigned i = 0; i < NEDGE; i++)
				imul2_case(w, "rri", three[wi][0][x], edges[(i * 5) % NEDGE], edges[i], imul3_imm[x]);
			for (int k = 0; k < 8; k++)
				imul2_case(w, "rmi", three[wi][1][x], rndval(), rndval(), imul3_imm[x]);
		}
	}
	for (unsigned i = 0; i < NEDGE; i++) {
		imul2_case(32, "rri", imul3lhuge, 0, edges[i], 0x7fffffff);
		imul2_case(64, "rri", imul3qhuge, 0, edges[i], -0x80000000LL);
		imul2_case(32, "rmi", imul3mlhuge, 0, edges[i], 0x7fffffff);
		imul2_case(64, "rmi", imul3mqhuge, 0, edges[i], -0x80000000LL);
	}
}

// ------------------------------------------------------------ bit tests

enum { BT, BTS, BTR, BTC };
static const char *bt_name[4] = {"bt", "bts", "btr", "btc"};
typedef void bt_fn(uint64_t *d, uint64_t off, uint64_t fin, uint64_t *fo);
#define BTR_(OP, SUF, M)                                                                  \
	static void OP##SUF##_rr(uint64_t *d, uint64_t o, uint64_t fin, uint64_t *fo) {     \
		uint64_t v = *d, f;                                                           \
		__asm__ volatile(PRE #OP #SUF " %" #M "[o], %" #M "[v]" POST                  \
				 : [v] "+r"(v), [fout] "=&r"(f)                               \
				 : [o] "r"(o), [fin] "r"(fin)                                 \
				 : "cc", "memory");                                           \
		*d = v;                                                                       \
		*fo = f;                                                                      \
	}                                                                                     \
	static void OP##SUF##_ri(uint64_t *d, uint64_t o, uint64_t fin, uint64_t *fo) {     \
		uint64_t v = *d, f;                                                           \
		(void)o;                                                                      \
		__asm__ volatile(PRE #OP #SUF " $45, %" #M "[v]" POST                         \
				 : [v] "+r"(v), [fout] "=&r"(f)                               \
				 : [fin] "r"(fin)                                             \
				 : "cc", "memory");                                           \
		*d = v;                                                                       \
		*fo = f;                                                                      \
	}                                                                                     \
	static void OP##SUF##_mi(uint64_t *d, uint64_t o, uint64_t fin, uint64_t *fo) {     \
		uint64_t f;                                                                   \
		(void)o;                                                                      \
		__asm__ volatile(PRE #OP #SUF " $206, (%[p])" POST                            \
				 : [fout] "=&r"(f)                                            \
				 : [p] "r"(d), [fin] "r"(fin)                                 \
				 : "cc", "memory");                                           \
		*fo = f;                                                                      \
	}                                                                                     \
	static void OP##SUF##_mr(uint64_t *d, uint64_t o, uint64_t fin, uint64_t *fo) {     \
		uint64_t f;                                                                   \
		__asm__ volatile(PRE #OP #SUF " %" #M "[o], (%[p])" POST                      \
				 : [fout] "=&r"(f)                                            \
				 : [p] "r"(d), [o] "r"(o), [fin] "r"(fin)                     \
				 : "cc", "memory");                                           \
		*fo = f;                                                                      \
	}
#define BT3(OP) BTR_(OP, w, w) BTR_(OP, l, k) BTR_(OP, q, q)
BT3(bt)
BT3(bts)
BT3(btr)
BT3(btc)
#define BTROW(OP, K) {OP##w_##K, OP##l_##K, OP##q_##K}
static bt_fn *const bt_fns[4][4][3] = {
	{BTROW(bt, rr), BTROW(bt, ri), BTROW(bt, mi), BTROW(bt, mr)},
	{BTROW(bts, rr), BTROW(bts, ri), BTROW(bts, mi), BTROW(bts, mr)},
	{BTROW(btr, rr), BTROW(btr, ri), BTROW(btr, mi), BTROW(btr, mr)},
	{BTROW(btc, rr), BTROW(btc, ri), BTROW(btc, mi), BTROW(btc, mr)},
};
// bt_mask: CF is defined and ZF unaffected; OF, SF, AF, PF are undefined.
static unsigned bt_mask(void) { return CF | ZF; }

// A 64-byte bit string; memory forms with a register offset address it
// from its middle, so offsets from -256 to +255 stay inside.
static uint64_t bitbuf[8];

static uint64_t bitbuf_hash(void) {
	hash64 h;
	hash_init(&h);
	hash_bytes(&h, bitbuf, sizeof bitbuf);
	return h.h;
}

static void test_bits_bt(void) {
	static const char *forms[4] = {"rr", "ri", "mi", "mr"};
	for (int op = 0; op < 4; op++)
		for (int wi = 0; wi < 3; wi++) {
			int w = 16 << wi;
			for (int form = 0; form < 4; form++) {
				int n = form == 0 || form == 3 ? 140 : 12;
				for (int k = 0; k < n; k++) {
					uint64_t v = k < (int)NEDGE ? edges[k] : rndval();
					uint64_t off, fo, fin = k & 1 ? fl_init[1] : rndflags();
					if (form == 0)
						off = k < 70 ? (uint64_t)k : rndval();
					else
						off = (uint64_t)(int64_t)(k - 70) * 3; // -210..+207
					if (form >= 2) {
						for (int i = 0; i < 8; i++)
							bitbuf[i] = edges[(i + k) % NEDGE] ^ 0x0f0f0f0f0f0f0f0fULL;
						uint64_t *p = &bitbuf[4];
						bt_fns[op][form][wi](p, off, fin, &fo);
						emit(bt_name[op], w, forms[form], k, off, fin & ALL, bitbuf_hash(), 0, fo,
						     bt_mask());
						continue;
					}
					uint64_t d = v;
					bt_fns[op][form][wi](&d, off, fin, &fo);
					emit(bt_name[op], w, forms[form], v, off, fin & ALL, d, 0, fo, bt_mask());
				}
			}
		}
}

// ----------------------------------------------- bit scans and counts

typedef void scan_fn(uint64_t *d, uint64_t s, uint64_t fin, uint64_t *fo);
#define SCAN(OP, SUF, M)                                                                 \
	static void OP##SUF##_r(uint64_t *d, uint64_t s, uint64_t fin, uint64_t *fo) {     \
		uint64_t v = *d, f;                                                          \
		__asm__ volatile(PRE #OP #SUF " %" #M "[s], %" #M "[v]" POST                 \
				 : [v] "+r"(v), [fout] "=&r"(f)                              \
				 : [s] "r"(s), [fin] "r"(fin)                                \
				 : "cc", "memory");                                          \
		*d = v;                                                                      \
		*fo = f;                                                                     \
	}                                                                                    \
	static void OP##SUF##_m(uint64_t *d, uint64_t s, uint64_t fin, uint64_t *fo) {     \
		uint64_t v = *d, f;                                                          \
		__asm__ volatile(PRE #OP #SUF " (%[s]), %" #M "[v]" POST                     \
				 : [v] "+r"(v), [fout] "=&r"(f)                              \
				 : [s] "r"(&s), [fin] "r"(fin)                               \
				 : "cc", "memory");                                          \
		*d = v;                                                                      \
		*fo = f;                                                                     \
	}
#define SCAN3(OP) SCAN(OP, w, w) SCAN(OP, l, k) SCAN(OP, q, q)
SCAN3(bsf)
SCAN3(bsr)
SCAN3(popcnt)
SCAN3(tzcnt)
SCAN3(lzcnt)

enum { BSF, BSR, POPCNT, TZCNT, LZCNT };
static const char *scan_name[5] = {"bsf", "bsr", "popcnt", "tzcnt", "lzcnt"};
static scan_fn *const scan_fns[5][2][3] = {
	{{bsfw_r, bsfl_r, bsfq_r}, {bsfw_m, bsfl_m, bsfq_m}},
	{{bsrw_r, bsrl_r, bsrq_r}, {bsrw_m, bsrl_m, bsrq_m}},
	{{popcntw_r, popcntl_r, popcntq_r}, {popcntw_m, popcntl_m, popcntq_m}},
	{{tzcntw_r, tzcntl_r, tzcntq_r}, {tzcntw_m, tzcntl_m, tzcntq_m}},
	{{lzcntw_r, lzcntl_r, lzcntq_r}, {lzcntw_m, lzcntl_m, lzcntq_m}},
};
// scan_mask: BSF/BSR define ZF only; POPCNT all six; TZCNT/LZCNT CF and ZF.
static unsigned scan_mask(int op) {
	switch (op) {
	case BSF:
	case BSR: return ZF;
	case POPCNT: return ALL;
	default: return CF | ZF;
	}
}

static int has_bmi1, has_lzcnt;

static void cpu_features(void) {
	uint32_t a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
	uint32_t max = a;
	if (max >= 7) {
		__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
		has_bmi1 = (b >> 3) & 1;
	}
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000000), "c"(0));
	if (a >= 0x80000001) {
		__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000001), "c"(0));
		has_lzcnt = (c >> 5) & 1;
	}
}

// scan_model computes what BSF/BSR (bsf=1/0 as the scan direction) or
// TZCNT/LZCNT do to a w-bit register d with source s, for the defined
// flags; the BSF/BSR destination is unchanged (all 64 bits) for s = 0.
static void scan_model(int op, int w, uint64_t d, uint64_t s, uint64_t *rd, unsigned *rf) {
	s &= mk(w);
	int fwd = op == BSF || op == TZCNT;
	int count = (op == TZCNT && has_bmi1) || (op == LZCNT && has_lzcnt);
	uint64_t r;
	unsigned f = 0;
	if (count) {
		int n = 0;
		if (fwd)
			while (n < w && !(s >> n & 1))
				n++;
		else
			while (n < w && !(s >> (w - 1 - n) & 1))
				n++;
		r = (uint64_t)n;
		f = (s == 0 ? CF : 0) | (n == 0 ? ZF : 0);
	} else if (s == 0) {
		*rd = d;
		*rf = ZF;
		return;
	} else {
		int n = fwd ? __builtin_ctzll(s) : 63 - __builtin_clzll(s);
		r = (uint64_t)n;
	}
	// Merge into d as a w-bit register write does.
	if (w == 16)
		*rd = (d & ~0xffffULL) | r;
	else
		*rd = r;
	*rf = f;
}

static void scan_case(int op, int wi, int mem, uint64_t d, uint64_t s, uint64_t fin) {
	int w = 16 << wi;
	uint64_t r = d, fo;
	scan_fns[op][mem][wi](&r, s, fin, &fo);
	if ((op == TZCNT || op == LZCNT) && !raw) {
		// Compare with what CPUID promises instead of printing the result.
		uint64_t want;
		unsigned wf;
		scan_model(op, w, d, s, &want, &wf);
		unsigned m = (op == TZCNT ? has_bmi1 : has_lzcnt) ? CF | ZF : ZF;
		int ok = want == r && (fo & m) == (wf & m);
		ohead(scan_name[op], w, mem ? "m" : "r");
		ochar(' ');
		ohex(s, 1);
		ostr(ok ? " as-cpuid" : " MISMATCH");
		oend();
		return;
	}
	emit(scan_name[op], w, mem ? "m" : "r", d, s, fin & ALL, r, 0, fo, scan_mask(op));
}

static void test_scans(void) {
	for (int op = 0; op < 5; op++)
		for (int wi = 0; wi < 3; wi++) {
			for (unsigned i = 0; i < NEDGE; i++)
				for (int f = 0; f < 2; f++)
					scan_case(op, wi, 0, 0x1122334455667788ULL, edges[i], fl_init[f]);
			for (int b = 0; b < 64; b++)
				scan_case(op, wi, 0, ~0ULL, (uint64_t)1 << b | ((uint64_t)1 << b) >> 3, rndflags());
			for (int k = 0; k < 48; k++)
				scan_case(op, wi, k & 1, rndval(), rndval() & rndval(), rndflags());
			for (int k = 0; k < 4; k++)
				scan_case(op, wi, 1, 0xabcdef0123456789ULL, 0, fl_init[k & 1]);
		}
}

// --------------------------------------------------------------- strings

#define SBUF 20480
static unsigned char sa[SBUF] __attribute__((aligned(4096)));
static unsigned char sb[SBUF] __attribute__((aligned(4096)));
static unsigned char pa[SBUF], pb[SBUF]; // their pristine contents

static void fill(unsigned char *p, size_t n, uint32_t seed) {
	lcg g = {seed};
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(lcg_next(&g) >> 8);
}

// hash_buf hashes n bytes (a multiple of 8) a word at a time: FNV-1a over
// 64-bit little-endian words, cheap enough to run after every case.
static uint64_t hash_buf(const unsigned char *p, size_t n) {
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 29;
	}
	return h;
}

// One string instruction with its registers in and out. sa and sb are the
// two buffers; RSI and RDI are printed as buffer offsets.
struct sregs {
	uint64_t si, di, cx, ax, fl;
};

#define SOP(NAME, TEXT)                                                                           \
	static void NAME(struct sregs *r) {                                                         \
		uint64_t si = r->si, di = r->di, cx = r->cx, ax = r->ax, f;                         \
		__asm__ volatile(PRE TEXT POST "\n\tcld"                                          \
				 : "+S"(si), "+D"(di), "+c"(cx), "+a"(ax), [fout] "=&r"(f)          \
				 : [fin] "r"(r->fl)                                                 \
				 : "cc", "memory");                                                 \
		r->si = si;                                                                         \
		r->di = di;                                                                         \
		r->cx = cx;                                                                         \
		r->ax = ax;                                                                         \
		r->fl = f;                                                                          \
	}
#define SOP4(NAME, TEXT) SOP(NAME##b, TEXT "b") SOP(NAME##w, TEXT "w") SOP(NAME##l, TEXT "l") SOP(NAME##q, TEXT "q")
SOP4(movs, "movs")
SOP4(rep_movs, "rep movs")
SOP4(stos, "stos")
SOP4(rep_stos, "rep stos")
SOP4(lods, "lods")
SOP4(rep_lods, "rep lods")
SOP4(cmps, "cmps")
SOP4(repe_cmps, "repe cmps")
SOP4(repne_cmps, "repne cmps")
SOP4(scas, "scas")
SOP4(repe_scas, "repe scas")
SOP4(repne_scas, "repne scas")
// Address-size prefix 0x67: ESI, EDI, ECX.
SOP(a32_rep_movsb, ".byte 0x67\n\trep movsb")
SOP(a32_rep_stosq, ".byte 0x67\n\trep stosq")
SOP(a32_repne_scasb, ".byte 0x67\n\trepne scasb")
SOP(a32_lodsw, ".byte 0x67\n\tlodsw")
// F2 on a non-comparing string instruction repeats like F3.
SOP(f2_movsb, ".byte 0xf2\n\tmovsb")
SOP(f2_stosl, ".byte 0xf2\n\tstosl")
// FS override: applies to the source [RSI] only.
SOP(fs_movsb, ".byte 0x64\n\tmovsb")
SOP(fs_rep_movsq, ".byte 0x64\n\trep movsq")
SOP(fs_lodsl, ".byte 0x64\n\tlodsl")
SOP(fs_cmpsb, ".byte 0x64\n\tcmpsb")
SOP(fs_stosb, ".byte 0x64\n\tstosb")
SOP(fs_scasw, ".byte 0x64\n\tscasw")

typedef void sop_fn(struct sregs *r);
enum { SA, SB };

// str_case runs fn with RSI at buffer sbuf+soff, RDI at dbuf+doff, and
// prints the registers (as offsets), the flags and hashes of both buffers.
static void str_case(const char *name, sop_fn *fn, int sbuf, int64_t soff, int dbuf, int64_t doff, uint64_t cx,
		     uint64_t ax, uint64_t fin, unsigned mask, uint64_t sibase) {
	unsigned char *sp = sbuf == SA ? sa : sb, *dp = dbuf == SA ? sa : sb;
	struct sregs r = {(uint64_t)(sp + soff) - sibase, (uint64_t)(dp + doff), cx, ax, fin};
	fn(&r);
	if (!sdm)
		mask = ALL;
	ostr(name);
	ochar(' ');
	ochar((char)('a' + sbuf));
	odec(soff);
	ochar(' ');
	ochar((char)('a' + dbuf));
	odec(doff);
	ochar(' ');
	ohex(cx, 1);
	ochar(' ');
	ohex(ax, 1);
	ochar(' ');
	ohex(fin & ALL, 3);
	ostr(" -> si=");
	odec((int64_t)(r.si + sibase - (uint64_t)sp));
	ostr(" di=");
	odec((int64_t)(r.di - (uint64_t)dp));
	ostr(" cx=");
	ohex(r.cx, 1);
	ostr(" ax=");
	ohex(r.ax, 1);
	ostr(" f=");
	ohex(r.fl & mask, 3);
	ostr(" df=");
	odec((r.fl & DF) != 0);
	ostr(" a=");
	ohex(hash_buf(sa, SBUF), 16);
	ostr(" b=");
	ohex(hash_buf(sb, SBUF), 16);
	oend();
}

// mkname builds prefix + size letter + suffix into name (32 bytes).
static void mkname(char *name, const char *prefix, char size, const char *suffix) {
	size_t n = strlen(prefix), m = strlen(suffix);
	memcpy(name, prefix, n);
	name[n] = size;
	memcpy(name + n + 1, suffix, m + 1);
}

static void str_reset(void) {
	memcpy(sa, pa, SBUF);
	memcpy(sb, pb, SBUF);
}

static uint64_t fs_base(void) {
	uint64_t v;
	__asm__ volatile("mov %%fs:0, %0" : "=r"(v)); // musl and glibc: the TCB points to itself
	return v;
}

static void test_strings(void) {
	static sop_fn *const one[5][4] = {
		{movsb, movsw, movsl, movsq}, {stosb, stosw, stosl, stosq}, {lodsb, lodsw, lodsl, lodsq},
		{cmpsb, cmpsw, cmpsl, cmpsq}, {scasb, scasw, scasl, scasq},
	};
	static sop_fn *const rep[7][4] = {
		{rep_movsb, rep_movsw, rep_movsl, rep_movsq}, {rep_stosb, rep_stosw, rep_stosl, rep_stosq},
		{rep_lodsb, rep_lodsw, rep_lodsl, rep_lodsq}, {repe_cmpsb, repe_cmpsw, repe_cmpsl, repe_cmpsq},
		{repne_cmpsb, repne_cmpsw, repne_cmpsl, repne_cmpsq}, {repe_scasb, repe_scasw, repe_scasl, repe_scasq},
		{repne_scasb, repne_scasw, repne_scasl, repne_scasq},
	};
	static const char *one_name[5] = {"movs", "stos", "lods", "cmps", "scas"};
	static const char *rep_name[7] = {"rep-movs", "rep-stos", "rep-lods", "repe-cmps", "repne-cmps", "repe-scas",
					  "repne-scas"};
	static const char sz[4] = {'b', 'w', 'l', 'q'};
	char name[32];
	fill(pa, SBUF, 1);
	fill(pb, SBUF, 2);
	// Single elements, both directions; flags of MOVS/STOS/LODS unchanged.
	for (int op = 0; op < 5; op++)
		for (int s = 0; s < 4; s++)
			for (int df = 0; df < 2; df++)
				for (int k = 0; k < 6; k++) {
					str_reset();
					if (k & 1)
						memcpy(sb + 2000 + 3 * k, sa + 1000 + k, 8);
					mkname(name, one_name[op], sz[s], "");
					uint64_t ax = k < 2 ? sb[2000 + 3 * k] * 0x0101010101010101ULL : rnd64();
					str_case(name, one[op][s], SA, 1000 + k, SB, 2000 + 3 * k, 77, ax,
						 (df ? DF : 0) | fl_init[k & 1], ALL, 0);
				}
	// Repeated, counts 0..40 and a few long ones, both directions.
	static const uint64_t counts[] = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 40, 511, 513, 1000, 2049};
	for (int op = 0; op < 7; op++)
		for (int s = 0; s < 4; s++)
			for (unsigned ci = 0; ci < sizeof counts / sizeof counts[0]; ci++)
				for (int df = 0; df < 2; df++) {
					uint64_t cnt = counts[ci];
					if (cnt << s > 8000)
						continue;
					str_reset();
					int64_t soff = 8192 + 5 * ci + s, doff = 8192 + 3 * ci;
					if (op >= 3) {
						// Make the compare stop somewhere: equal prefix, one difference,
						// or (scas) the accumulator value at some point.
						int64_t p = df ? soff - (int64_t)(cnt << s) / 2 : soff;
						memcpy(sb + (df ? doff - (int64_t)(cnt << s) / 2 : doff), sa + p, (cnt << s) / 2 + 1);
						if (ci & 1)
							memset(sb + doff - 40, 0x5a, 80);
					}
					uint64_t ax = op == 6 ? 0x5a5a5a5a5a5a5a5aULL : (op == 5 ? sb[doff] * 0x0101010101010101ULL : rnd64());
					mkname(name, rep_name[op], sz[s], "");
					str_case(name, rep[op][s], SA, soff, SB, doff, cnt, ax, (df ? DF : 0) | fl_init[ci & 1],
						 ALL, 0);
				}
	// Forward REP MOVS within one buffer at every small overlap, and long
	// copies across pages at odd alignments.
	for (int s = 0; s < 4; s++)
		for (int gap = -17; gap <= 17; gap++)
			for (int df = 0; df < 2; df++) {
				str_reset();
				mkname(name, "ovl-movs", sz[s], "");
				str_case(name, rep[0][s], SA, 6000, SA, 6000 + gap, 300 >> s, 0, (df ? DF : 0) | 0x202, ALL, 0);
			}
	static const int64_t aligns[][3] = {{0, 0, 12288}, {1, 3, 9000}, {4095, 1, 8193}, {7, 4090, 5000},
					    {100, 100, 16000}, {2048, 4097, 12000}};
	for (int s = 0; s < 4; s++)
		for (unsigned k = 0; k < sizeof aligns / sizeof aligns[0]; k++) {
			str_reset();
			mkname(name, "long-movs", sz[s], "");
			str_case(name, rep[0][s], SA, aligns[k][0], SB, aligns[k][1], (uint64_t)aligns[k][2] >> s, 0, 0x202,
				 ALL, 0);
			str_reset();
			mkname(name, "long-stos", sz[s], "");
			str_case(name, rep[1][s], SA, 0, SB, aligns[k][1], (uint64_t)aligns[k][2] >> s, 0x8877665544332211ULL,
				 0x202, ALL, 0);
			str_reset();
			mkname(name, "long-movs", sz[s], "-df");
			str_case(name, rep[0][s], SA, 16000 - aligns[k][0], SB, 16000 - aligns[k][1],
				 (uint64_t)aligns[k][2] >> (s + 1), 0, 0x202 | DF, ALL, 0);
		}
	// Address-size prefix: the upper halves of RSI/RDI/RCX are ignored and
	// the updated registers are zero-extended 32-bit values.
	{
		uint64_t junk = 0x5a5a000000000000ULL;
		str_reset();
		str_case("a32-rep-movsb", a32_rep_movsb, SA, 10, SB, 20, junk | 100, 0, 0x202, ALL, junk);
		str_reset();
		str_case("a32-rep-movsb-cx0", a32_rep_movsb, SA, 10, SB, 20, junk, 0, 0x202, ALL, 0);
		str_reset();
		str_case("a32-rep-stosq", a32_rep_stosq, SA, 0, SB, 8, 0x100000000ULL | 50, 0x1234, 0x202, ALL, 0);
		str_reset();
		sb[300] = 0x77;
		str_case("a32-repne-scasb", a32_repne_scasb, SA, 0, SB, 3, 0xffff00000000ffffULL, 0x77, 0x202, ALL, 0);
		str_reset();
		str_case("a32-lodsw", a32_lodsw, SA, 33, SB, 0, 5, 0, 0x202, ALL, junk);
		str_reset();
		str_case("a32-lodsw-df", a32_lodsw, SA, 33, SB, 0, 5, 0, 0x202 | DF, ALL, junk);
	}
	// F2 prefix on MOVS/STOS repeats.
	str_reset();
	str_case("f2-movsb", f2_movsb, SA, 100, SB, 50, 33, 0, 0x202, ALL, 0);
	str_reset();
	str_case("f2-stosl", f2_stosl, SA, 100, SB, 52, 33, 0xabcdef12, 0x202, ALL, 0);
	// FS override on the source only.
	{
		uint64_t fsb = fs_base();
		str_reset();
		str_case("fs-movsb", fs_movsb, SA, 64, SB, 32, 0, 0, 0x202, ALL, fsb);
		str_reset();
		str_case("fs-rep-movsq", fs_rep_movsq, SA, 64, SB, 32, 300, 0, 0x202, ALL, fsb);
		str_reset();
		str_case("fs-lodsl", fs_lodsl, SA, 64, SB, 32, 0, 0, 0x202, ALL, fsb);
		str_reset();
		memcpy(sb + 32, sa + 64, 1);
		str_case("fs-cmpsb", fs_cmpsb, SA, 64, SB, 32, 0, 0, 0x202, ALL, fsb);
		str_reset();
		str_case("fs-stosb", fs_stosb, SA, 0, SB, 32, 0, 0x42, 0x202, ALL, 0);
		str_reset();
		str_case("fs-scasw", fs_scasw, SA, 0, SB, 32, 0, sb[32] | sb[33] << 8, 0x202, ALL, 0);
	}
}

// ------------------------------------------------------------------ main

int main(int argc, char **argv) {
	raw = argc > 1 && strcmp(argv[1], "raw") == 0;
	sdm = argc > 1 && strcmp(argv[1], "sdm") == 0;
	const char *only = argc > 2 ? argv[2] : "";
	cpu_features();
	if (!*only || !strcmp(only, "shift"))
		test_shifts();
	if (!*only || !strcmp(only, "dshift"))
		test_dshifts();
	if (!*only || !strcmp(only, "muldiv"))
		test_muldiv();
	if (!*only || !strcmp(only, "bt"))
		test_bits_bt();
	if (!*only || !strcmp(only, "scan"))
		test_scans();
	if (!*only || !strcmp(only, "string"))
		test_strings();
	ostr("cases ");
	odec((int64_t)ncases);
	ochar('\n');
	oflush();
	if (*only)
		return 0;
	// The last case: IDIV INT64_MIN / -1 raises #DE, the kernel sends
	// SIGFPE and the guest dies with status 136.
	volatile int64_t a = INT64_MIN, b = -1;
	int64_t q = a, d = a >> 63;
	__asm__ volatile("idivq %[b]" : "+a"(q), "+d"(d) : [b] "r"((int64_t)b) : "cc");
	ostr("idiv INT64_MIN/-1 did not fault: ");
	odec(q);
	ochar('\n');
	oflush();
	return 1;
}
