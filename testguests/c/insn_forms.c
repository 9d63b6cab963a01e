// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// insn_forms: the differential instruction tester. It runs every
// instruction form gemu implements (the table in insn_forms.h, generated
// from gemu's own instruction tables by emu/formgen_test.go) over edge and
// fixed-seed pseudo-random operands and prints, per form, a hash of the
// complete machine state after each case: the 16 general registers, RFLAGS
// (all arithmetic flags and DF), the x87 control, status and tag words and
// registers, MXCSR and the 16 XMM registers, and the memory the
// instruction can write. The output must be identical natively and under
// gemu; the last line says how many forms were tested out of how many gemu
// implements.
//
// A case runs one encoding copied into an executable page at a fixed
// address: fx_run loads every register from in_* (RSP points into a
// private stack, RFLAGS through POPFQ, x87/SSE state through FXRSTOR),
// jumps to the instruction, and the instruction falls (or branches) into
// fx_exit (or fx_exit_taken), which stores every register into out_*.
// Memory operands are RIP-relative and point at a buffer in the same page
// region; immediates are patched per case with values of their class.
//
// Each case's input is derived from (entry, immediate, case) alone: the
// explicit operands walk a grid of edge values (0, ±1, the signed and
// unsigned limits of every width...; ±0, ±∞, NaNs, denormals, limits for
// floating point), the other registers get edge or random values; MXCSR
// cycles through the four rounding modes with DAZ and FTZ, the x87 control
// word through the rounding modes and precisions with some exceptions
// unmasked; RFLAGS is all clear, all set or random. Fixups keep the cases
// valid: divisors and dividends that do not overflow, pointers for the
// string instructions, XLAT, MASKMOVDQU, LEAVE/ENTER and indirect
// branches, valid FXRSTOR/FRSTOR/FLDENV/LDMXCSR images.
//
// Arguments:
//   (none)        every form, one line each: form, encodings, cases, hash
//   full          the same with four times as many cases (every pair of
//                 edge values for two-operand forms)
//   -v SUBSTRING  instead, every case of the forms whose name contains
//                 SUBSTRING: the input and output state (for debugging)
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "guest.h"

enum { IMM_NONE, IMM_GEN, IMM_COUNT, IMM_CTL, IMM_REL, IMM_ENTER };
enum {
	FIX_NONE,
	FIX_UDIV,
	FIX_IDIV,
	FIX_XLAT,
	FIX_MASKMOV,
	FIX_RBP,
	FIX_RET,
	FIX_POPF,
	FIX_BRREG,
	FIX_BRMEM,
	FIX_BITOFF,
	FIX_STRLEN,
	FIX_SEGREG,
	FIX_SEGMEM,
	FIX_STRING,
};
enum { XK_INT, XK_F32, XK_F64, XK_STR };
enum { MK_NONE, MK_INT, MK_F32, MK_F64, MK_F80, MK_BCD, MK_STR, MK_FXIMG, MK_SAVE, MK_ENV, MK_MXCSR };
enum { OM_NONE, OM_FXSAVE, OM_ENV };

struct form {
	const char *name;
	unsigned char len;
	unsigned char enc[15];
	signed char disp; // offset of a RIP-relative disp32, or -1
	signed char imm;  // offset of the immediate, or -1
	unsigned char immlen;
	unsigned char immclass;
	unsigned char fix;
	unsigned char fixreg;
	unsigned char xk;
	unsigned char mk;
	unsigned short msize;
	unsigned char omask;
	const char *ops; // explicit operands: g h x s m i c
	signed char regs[4];
	unsigned short fswmask; // x87 condition codes not compared (see emu/formgen_test.go)
	unsigned char fswnan;   // ... only when ST(0) is a NaN afterwards or ES is set
};

struct untested {
	const char *name, *why;
};

#include "insn_forms.h"

// The fixed region the instructions run in (the same addresses natively
// and under gemu, so pushed return addresses and LEA results agree).
#define REGION 0x20000000UL
#define REGION_SIZE 0x20000UL
#define CODE REGION
#define MEMBUF (REGION + 0x8000)   // memory operands (mapped 32 KiB either side)
#define SRCBUF (REGION + 0xc000)   // RSI of the string instructions
#define DSTBUF (REGION + 0xe000)   // RDI
#define STACKTOP (REGION + 0x14000) // RSP
#define RBPVAL (REGION + 0x13000)  // RBP for LEAVE/ENTER
#define STUB 14                    // jmp *0(%rip); .quad target

// Machine state in and out (named by the assembly below).
uint64_t in_regs[16], in_flags, out_regs[16], out_flags, host_rsp, code_ptr = CODE;
uint8_t in_fx[512] __attribute__((aligned(16)));
uint8_t out_fx[512] __attribute__((aligned(16)));
uint8_t out_taken;
uint32_t mx_default = 0x1f80;

void fx_run(void);
void fx_exit(void);
void fx_exit_taken(void);

__asm__(".text\n"
	".globl fx_run\n"
	"fx_run:\n"
	"	push %rbx\n	push %rbp\n	push %r12\n	push %r13\n	push %r14\n	push %r15\n"
	"	mov %rsp, host_rsp(%rip)\n"
	"	fxrstor64 in_fx(%rip)\n"
	"	mov in_regs+32(%rip), %rsp\n"
	"	pushq in_flags(%rip)\n"
	"	popfq\n"
	"	mov in_regs+0(%rip), %rax\n	mov in_regs+8(%rip), %rcx\n	mov in_regs+16(%rip), %rdx\n"
	"	mov in_regs+24(%rip), %rbx\n	mov in_regs+40(%rip), %rbp\n	mov in_regs+48(%rip), %rsi\n"
	"	mov in_regs+56(%rip), %rdi\n	mov in_regs+64(%rip), %r8\n	mov in_regs+72(%rip), %r9\n"
	"	mov in_regs+80(%rip), %r10\n	mov in_regs+88(%rip), %r11\n	mov in_regs+96(%rip), %r12\n"
	"	mov in_regs+104(%rip), %r13\n	mov in_regs+112(%rip), %r14\n	mov in_regs+120(%rip), %r15\n"
	"	jmp *code_ptr(%rip)\n"
	".globl fx_exit_taken\n"
	"fx_exit_taken:\n"
	"	movb $1, out_taken(%rip)\n"
	".globl fx_exit\n"
	"fx_exit:\n"
	"	mov %rax, out_regs+0(%rip)\n	mov %rcx, out_regs+8(%rip)\n	mov %rdx, out_regs+16(%rip)\n"
	"	mov %rbx, out_regs+24(%rip)\n	mov %rsp, out_regs+32(%rip)\n	mov %rbp, out_regs+40(%rip)\n"
	"	mov %rsi, out_regs+48(%rip)\n	mov %rdi, out_regs+56(%rip)\n	mov %r8, out_regs+64(%rip)\n"
	"	mov %r9, out_regs+72(%rip)\n	mov %r10, out_regs+80(%rip)\n	mov %r11, out_regs+88(%rip)\n"
	"	mov %r12, out_regs+96(%rip)\n	mov %r13, out_regs+104(%rip)\n	mov %r14, out_regs+112(%rip)\n"
	"	mov %r15, out_regs+120(%rip)\n"
	"	mov host_rsp(%rip), %rsp\n"
	"	pushfq\n"
	"	popq out_flags(%rip)\n"
	"	fxsave64 out_fx(%rip)\n"
	"	fninit\n"
	"	ldmxcsr mx_default(%rip)\n"
	"	cld\n"
	"	pop %r15\n	pop %r14\n	pop %r13\n	pop %r12\n	pop %rbp\n	pop %rbx\n"
	"	ret\n");

// ---------------------------------------------------------------------------
// Operand values.

static const uint64_t gpr_edge[] = {
	0x0, 0x1, 0x2, 0x3f, 0x40, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
	0x7fffffffffffffffULL, 0x8000000000000000ULL, 0xffffffffffffffffULL, 0xfffffffffffffffeULL,
	0x8000000080008080ULL, 0x00000001ffff0000ULL,
};
#define NGPR (sizeof gpr_edge / sizeof gpr_edge[0])

static const uint32_t f32_edge[] = {
	0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3f000000, 0x3fc00000, 0xc0200000, 0x40400000,
	0x3dcccccd, 0x3eaaaaab, 0x00800000, 0x007fffff, 0x00000001, 0x807fffff, 0x7f7fffff, 0xff7fffff,
	0x7f800000, 0xff800000, 0x7fc00000, 0xffc12345, 0x7f800001, 0xff900000, 0x4f000000, 0xcf000000,
	0x5f000000, 0x4effffff, 0x4b000001, 0x3effffff, 0x40200000, 0xdf000000,
};
#define NF32 (sizeof f32_edge / sizeof f32_edge[0])

static const uint64_t f64_edge[] = {
	0x0000000000000000ULL, 0x8000000000000000ULL, 0x3ff0000000000000ULL, 0xbff0000000000000ULL,
	0x3fe0000000000000ULL, 0x3ff8000000000000ULL, 0xc004000000000000ULL, 0x4008000000000000ULL,
	0x3fb999999999999aULL, 0x3fd5555555555555ULL, 0x0010000000000000ULL, 0x000fffffffffffffULL,
	0x0000000000000001ULL, 0x800fffffffffffffULL, 0x7fefffffffffffffULL, 0xffefffffffffffffULL,
	0x7ff0000000000000ULL, 0xfff0000000000000ULL, 0x7ff8000000000000ULL, 0xfff8000000012345ULL,
	0x7ff0000000000001ULL, 0xfff4000000000000ULL, 0x41e0000000000000ULL, 0xc1e0000000000000ULL,
	0x43e0000000000000ULL, 0x41dfffffffe00000ULL, 0x4330000000000001ULL, 0x3fdfffffffffffffULL,
	0x4004000000000000ULL, 0xc3e0000000000000ULL, 0x36a0000000000000ULL, 0x47efffffe0000000ULL,
};
#define NF64 (sizeof f64_edge / sizeof f64_edge[0])

typedef struct {
	uint64_t m;
	uint16_t se;
} f80;

static const f80 f80_edge[] = {
	{0, 0}, {0, 0x8000}, {0x8000000000000000ULL, 0x3fff}, {0x8000000000000000ULL, 0xbfff},
	{0xc90fdaa22168c235ULL, 0x4000}, {0x8000000000000000ULL, 0x3ffe}, {0xaaaaaaaaaaaaaaabULL, 0x3ffd},
	{0xa000000000000000ULL, 0xc000}, {0x0000000000000001ULL, 0x0000}, {0x8000000000000001ULL, 0x0000},
	{0x4000000000000000ULL, 0x3fff}, {0x8000000000000000ULL, 0x7fff}, {0x8000000000000000ULL, 0xffff},
	{0xc000000000000000ULL, 0x7fff}, {0xa000000000000000ULL, 0x7fff}, {0x0000000000000001ULL, 0x7fff},
	{0xffffffffffffffffULL, 0x7ffe}, {0x8000000000000000ULL, 0x0001}, {0x8000000000000000ULL, 0x403e},
	{0xde0b6b3a763fffffULL, 0x403a}, {0x8000000000000000ULL, 0x403f}, {0x8000400000000000ULL, 0x400e},
	{0xfffffffffffffc00ULL, 0x403e}, {0x8000000000000000ULL, 0xc01d},
};
#define NF80 (sizeof f80_edge / sizeof f80_edge[0])

static uint64_t rnd(lcg *g) { return (uint64_t)lcg_next(g) << 32 | lcg_next(g); }

// A random value of a random width class (small, signed small, 32-bit,
// full).
static uint64_t rndval(lcg *g) {
	uint64_t v = rnd(g);
	switch (lcg_next(g) & 7) {
	case 0: return v & 0xff;
	case 1: return (uint64_t)(int64_t)(int8_t)v;
	case 2: return v & 0xffffffff;
	case 3: return (uint64_t)(int64_t)(int32_t)v;
	case 4: return gpr_edge[lcg_next(g) % NGPR];
	default: return v;
	}
}

static uint64_t f32pair(lcg *g) {
	return (uint64_t)f32_edge[lcg_next(g) % NF32] | (uint64_t)f32_edge[lcg_next(g) % NF32] << 32;
}

// String data for the string compares: a small alphabet, so that
// characters match, with a terminating zero somewhere (or none).
static uint64_t strbytes(lcg *g) {
	uint64_t v = 0;
	for (int i = 0; i < 8; i++) {
		uint32_t r = lcg_next(g);
		unsigned c = r % 23 == 0 ? 0 : (r >> 8) % 17 == 0 ? 0x80 + (r >> 16) % 3 : 'a' + (r >> 16) % 4;
		v |= (uint64_t)c << (8 * i);
	}
	return v;
}

static void fill(uint8_t *p, int n, int kind, lcg *g, uint64_t grid) {
	for (int i = 0; i < n; i += 8) {
		uint64_t v;
		switch (kind) {
		case XK_F32: v = i == 0 ? grid | (uint64_t)f32_edge[lcg_next(g) % NF32] << 32 : f32pair(g); break;
		case XK_F64: v = i == 0 ? grid : f64_edge[lcg_next(g) % NF64]; break;
		case XK_STR: v = strbytes(g); break;
		default: v = i == 0 ? grid : rndval(g);
		}
		memcpy(p + i, &v, n - i < 8 ? n - i : 8);
	}
}

// ---------------------------------------------------------------------------
// Cases.

static uint8_t *region;
static unsigned scale = 1; // 4 in the full mode

// Per case: the index of the grid values of the explicit operands.
// The first operand takes every edge value in turn, the second a value
// that shifts each round (every pair in the full mode), the third a
// random one; past the grid, random values.
static unsigned gridIndex(unsigned k, int j, unsigned n, lcg *g) {
	switch (j) {
	case 0: return k % n;
	case 1: return (k / n * (scale == 1 ? 7 : 1) + (scale == 1 ? k : 0)) % n;
	}
	return lcg_next(g) % n;
}

static uint64_t grid_gpr(unsigned k, int j, lcg *g) {
	if (k >= NGPR * 8 * scale)
		return rndval(g);
	return gpr_edge[gridIndex(k, j, NGPR, g)];
}

static uint64_t grid_fp(const struct form *f, unsigned k, int j, lcg *g) {
	unsigned n = f->xk == XK_F64 ? NF64 : NF32;
	unsigned i = gridIndex(k, j, n, g);
	return f->xk == XK_F64 ? f64_edge[i] : f32_edge[i];
}

static const uint16_t pcs[3] = {0x000, 0x200, 0x300};

// Base states: registers and x87/SSE images drawn at random once, per
// kind of XMM data; a case starts from one of them.
#define NBASE 61
static struct base {
	uint64_t regs[16];
	uint8_t fx[512] __attribute__((aligned(16)));
} bases[4][NBASE];

static void make_bases(void) {
	lcg g = {0x2545f4914f6cdd1dULL};
	for (int xk = 0; xk < 4; xk++)
		for (int b = 0; b < NBASE; b++) {
			struct base *s = &bases[xk][b];
			for (int i = 0; i < 16; i++)
				s->regs[i] = b & 1 ? rndval(&g) : gpr_edge[(unsigned)(b * 5 + i * 7) % NGPR];
			s->regs[4] = STACKTOP;
			unsigned top = lcg_next(&g) % 8;
			uint16_t sw = (uint16_t)((lcg_next(&g) & 0x4700) | top << 11);
			uint8_t tags = (uint8_t)(lcg_next(&g) | lcg_next(&g));
			tags |= (uint8_t)(3u << top | 3u >> (8 - top)); // ST(0) and ST(1) are valid
			memcpy(s->fx + 2, &sw, 2);
			s->fx[4] = tags;
			for (int i = 0; i < 8; i++) {
				f80 v = f80_edge[lcg_next(&g) % NF80];
				if (lcg_next(&g) % 4 == 0)
					v.m = rnd(&g) | 1ULL << 63,
					v.se = (uint16_t)((0x3fff - 40 + lcg_next(&g) % 80) | (lcg_next(&g) & 0x8000));
				memcpy(s->fx + 32 + 16 * i, &v.m, 8);
				memcpy(s->fx + 40 + 16 * i, &v.se, 2);
			}
			for (int i = 0; i < 16; i++) {
				uint64_t first = xk == XK_F32 ? f32_edge[lcg_next(&g) % NF32]
					       : xk == XK_F64 ? f64_edge[lcg_next(&g) % NF64]
							      : rndval(&g);
				fill(s->fx + 160 + 16 * i, 16, xk, &g, first);
			}
		}
}

// make_input builds the state case k of entry e runs from.
static void make_input(const struct form *f, unsigned e, unsigned imm, unsigned k) {
	lcg g = {0x9e3779b97f4a7c15ULL ^ (uint64_t)e << 40 ^ (uint64_t)imm << 24 ^ (uint64_t)k << 4};
	lcg_next(&g);
	const struct base *b = &bases[f->xk][(k * 7 + e * 13 + imm * 3) % NBASE];
	memcpy(in_regs, b->regs, sizeof in_regs);
	memcpy(in_fx, b->fx, sizeof in_fx);
	switch (k % 3) {
	case 0: in_flags = 0x202; break;
	case 1: in_flags = 0x202 | 0x8d5; break;
	default: in_flags = 0x202 | (rnd(&g) & 0x8d5);
	}
	if (f->fix == FIX_STRING && (k & 4))
		in_flags |= 0x400; // DF
	// x87 control: every rounding mode and precision, sometimes with
	// exceptions unmasked; only masked exception flags are set, so none
	// is pending. MXCSR: every rounding mode, DAZ and FTZ on and off.
	uint16_t cw = 0x007f | (uint16_t)((k / 2 % 4) << 10) | pcs[k / 8 % 3];
	if (k % 16 == 5)
		cw &= (uint16_t)~(lcg_next(&g) & 0x3f);
	uint16_t sw;
	memcpy(&sw, in_fx + 2, 2);
	sw |= (uint16_t)(lcg_next(&g) & cw & 0x3f);
	memcpy(in_fx + 0, &cw, 2);
	memcpy(in_fx + 2, &sw, 2);
	uint32_t mx = 0x1f80 | (k % 4) << 13 | (k / 4 % 2) << 6 | (k / 8 % 2) << 15 | (lcg_next(&g) & 0x3f);
	memcpy(in_fx + 24, &mx, 4);
	// Memory around the operand, the stack, the string buffers.
	if (f->fix == FIX_BITOFF)
		memset(region + (MEMBUF - REGION) - 0x200, 0x5a, 0x410);
	else if (f->mk != MK_NONE || f->fix != FIX_NONE)
		memset(region + (MEMBUF - REGION), 0x5a, f->msize > 16 ? f->msize : 16);
	memset(region + STACKTOP - REGION - 64, 0xa5, 80);
	if (f->fix == FIX_STRING)
		for (int i = 0; i < 256; i += 8) {
			uint64_t a = rnd(&g), b = rnd(&g);
			memcpy(region + SRCBUF - REGION - 128 + i, &a, 8);
			memcpy(region + DSTBUF - REGION - 128 + i, &b, 8);
		}
	uint8_t *mem = region + (MEMBUF - REGION);
	// Explicit operands: the grid.
	for (int j = 0; f->ops[j]; j++) {
		int r = f->regs[j];
		switch (f->ops[j]) {
		case 'g':
			if (r != 4)
				in_regs[r] = grid_gpr(k, j, &g);
			break;
		case 'h':
			in_regs[r] = (in_regs[r] & ~0xff00ULL) | (grid_gpr(k, j, &g) & 0xff) << 8;
			break;
		case 'x':
			if (f->xk == XK_F32 || f->xk == XK_F64) {
				uint64_t v = grid_fp(f, k, j, &g);
				memcpy(in_fx + 160 + 16 * r, &v, f->xk == XK_F64 ? 8 : 4);
			} else if (f->xk == XK_INT) {
				uint64_t v = grid_gpr(k, j, &g);
				memcpy(in_fx + 160 + 16 * r, &v, 8);
			}
			break;
		case 's': {
			f80 v = f80_edge[(j == 0 ? k : k / NF80) % NF80];
			int at = 32 + 16 * r;
			memcpy(in_fx + at, &v.m, 8);
			memcpy(in_fx + at + 8, &v.se, 2);
			break;
		}
		case 'm':
			switch (f->mk) {
			case MK_INT: fill(mem, f->msize < 16 ? 16 : f->msize, XK_INT, &g, grid_gpr(k, j, &g)); break;
			case MK_F32: fill(mem, 16, XK_F32, &g, f->xk == XK_F32 ? grid_fp(f, k, j, &g) : f32_edge[k % NF32]); break;
			case MK_F64: fill(mem, 16, XK_F64, &g, f->xk == XK_F64 ? grid_fp(f, k, j, &g) : f64_edge[k % NF64]); break;
			case MK_STR: fill(mem, 16, XK_STR, &g, 0); break;
			case MK_F80: {
				f80 v = f80_edge[k % NF80];
				memcpy(mem, &v.m, 8);
				memcpy(mem + 8, &v.se, 2);
				break;
			}
			case MK_BCD:
				for (int i = 0; i < 9; i++)
					mem[i] = (uint8_t)(lcg_next(&g) % 10 | lcg_next(&g) % 10 << 4);
				mem[9] = (uint8_t)(lcg_next(&g) & 0x80);
				if (k % 4 == 0)
					memset(mem, 0, 9);
				break;
			case MK_FXIMG: {
				memcpy(mem, in_fx, 512);
				uint16_t cw2 = (uint16_t)(0x0040 | (rnd(&g) & 0x1f3f));
				memcpy(mem, &cw2, 2);
				mem[4] = (uint8_t)lcg_next(&g);
				uint32_t mx2 = (uint32_t)rnd(&g) & 0xffff;
				memcpy(mem + 24, &mx2, 4);
				for (int i = 160; i < 416; i++)
					mem[i] = (uint8_t)lcg_next(&g);
				break;
			}
			case MK_ENV:
			case MK_SAVE: {
				memset(mem, 0, 108);
				uint32_t w = 0xffff0000 | (uint32_t)(0x0040 | (rnd(&g) & 0x1f3f));
				memcpy(mem, &w, 4);
				w = 0xffff0000 | (uint32_t)(lcg_next(&g) & 0xff7f); // ES/B are recomputed
				memcpy(mem + 4, &w, 4);
				w = 0xffff0000 | (uint32_t)lcg_next(&g);
				memcpy(mem + 8, &w, 4);
				for (int i = 0; i < 8; i++) {
					f80 v = f80_edge[lcg_next(&g) % NF80];
					memcpy(mem + 28 + 10 * i, &v.m, 8);
					memcpy(mem + 36 + 10 * i, &v.se, 2);
				}
				break;
			}
			case MK_MXCSR: {
				uint32_t v = (uint32_t)rnd(&g) & 0xffff;
				memcpy(mem, &v, 4);
				break;
			}
			}
			break;
		}
	}
	// Fixups.
	switch (f->fix) {
	case FIX_UDIV:
	case FIX_IDIV: {
		int size = 8, hi = 0;
		if (f->ops[0] == 'h')
			size = 1, hi = 1;
		else if (f->ops[0] == 'g' || f->ops[0] == 'm') {
			const char *p = strchr(f->name, ' ');
			size = p[2] == '8' ? 1 : p[2] == '1' ? 2 : p[2] == '3' ? 4 : 8;
		}
		int bits = 8 * size;
		uint64_t mask = bits == 64 ? ~0ULL : (1ULL << bits) - 1;
		uint64_t d;
		if (f->ops[0] == 'm')
			memcpy(&d, mem, 8);
		else
			d = hi ? in_regs[f->fixreg] >> 8 : in_regs[f->fixreg];
		d &= mask;
		if (d == 0)
			d = 1 + (rnd(&g) & 0x7f);
		if (f->ops[0] == 'm')
			memcpy(mem, &d, (size_t)size);
		else if (hi)
			in_regs[f->fixreg] = (in_regs[f->fixreg] & ~0xff00ULL) | d << 8;
		else
			in_regs[f->fixreg] = (in_regs[f->fixreg] & ~mask) | d;
		unsigned __int128 dividend;
		if (f->fix == FIX_UDIV) {
			uint64_t q = rndval(&g) & mask, r = rnd(&g) % d;
			if (k % 5 == 0)
				q = mask;
			dividend = (unsigned __int128)q * d + r;
		} else {
			__int128 sd = (__int128)(int64_t)(d << (64 - bits)) >> (64 - bits);
			__int128 lim = (__int128)1 << (bits - 1);
			__int128 q = (__int128)(int64_t)(rndval(&g) << (64 - bits)) >> (64 - bits);
			if (k % 5 == 0)
				q = k % 10 == 0 ? lim - 1 : -lim;
			__int128 ad = sd < 0 ? -sd : sd;
			__int128 r = (__int128)(rnd(&g) % (uint64_t)ad);
			if (q < 0 || (q == 0 && (k & 1)))
				r = -r;
			dividend = (unsigned __int128)(q * sd + r);
		}
		if (size == 1) {
			in_regs[0] = (in_regs[0] & ~0xffffULL) | ((uint64_t)dividend & 0xffff);
		} else {
			in_regs[0] = (in_regs[0] & ~mask) | ((uint64_t)dividend & mask);
			in_regs[2] = (in_regs[2] & ~mask) | ((uint64_t)(dividend >> bits) & mask);
		}
		break;
	}
	case FIX_XLAT:
		in_regs[3] = MEMBUF;
		fill(mem, 256, XK_INT, &g, rnd(&g));
		break;
	case FIX_MASKMOV:
		in_regs[7] = MEMBUF;
		break;
	case FIX_RBP:
		in_regs[5] = RBPVAL + (k % 4) * 8;
		break;
	case FIX_RET: {
		uint64_t t = CODE + f->len + STUB;
		memcpy(region + STACKTOP - REGION, &t, 8);
		break;
	}
	case FIX_POPF: {
		uint64_t v = 0x202 | (rnd(&g) & 0xcd5);
		memcpy(region + STACKTOP - REGION, &v, 8);
		break;
	}
	case FIX_BRREG:
		in_regs[f->fixreg] = CODE + f->len + STUB;
		break;
	case FIX_BRMEM: {
		uint64_t t = CODE + f->len + STUB;
		memcpy(mem, &t, 8);
		break;
	}
	case FIX_BITOFF:
		in_regs[f->fixreg] = (uint64_t)((int64_t)(int16_t)in_regs[f->fixreg] % 4096);
		break;
	case FIX_STRLEN: {
		static const uint64_t lens[] = {0, 1, 5, 8, 15, 16, 17, 100, 0x80000000ULL, 0xffffffff, 0xfffffffb,
						0xfffffffffffffff0ULL, 0x8000000000000000ULL, 0x100000003ULL};
		in_regs[0] = k % 3 ? lens[lcg_next(&g) % 14] : (uint64_t)(int64_t)(int32_t)(lcg_next(&g) % 41 - 20);
		in_regs[2] = k % 5 ? lens[lcg_next(&g) % 14] : (uint64_t)(int64_t)(int32_t)(lcg_next(&g) % 41 - 20);
		break;
	}
	case FIX_SEGREG:
		in_regs[f->fixreg] = k & 1 ? 0x2b : 0;
		break;
	case FIX_SEGMEM: {
		uint16_t s = k & 1 ? 0x2b : 0;
		memcpy(mem, &s, 2);
		break;
	}
	case FIX_STRING:
		in_regs[6] = SRCBUF + (k % 8);
		in_regs[7] = DSTBUF + (k / 8 % 8);
		in_regs[1] = k % 11;
		break;
	}
}

// Immediate values of each class; n returns how many there are.
static uint64_t imm_value(const struct form *f, unsigned v, unsigned *n) {
	static const uint64_t gen[] = {0, 1, 0xffffffffffffffffULL, 0x7f, 0x80, 0x7fffffffffffffffULL,
				       0x8000000000000000ULL, 0x5a5a5a5a5a5a5a5aULL, 0x12345678abcdef01ULL, 0xfe};
	switch (f->immclass) {
	case IMM_GEN:
		*n = sizeof gen / sizeof gen[0];
		return gen[v];
	case IMM_COUNT:
		*n = 69;
		return v < 66 ? v : v == 66 ? 127 : v == 67 ? 128 : 255;
	case IMM_CTL:
		*n = 256;
		return v;
	case IMM_ENTER:
		*n = 8;
		return (uint64_t)(v * 0x1234 & 0xffff) | (uint64_t)(v == 7 ? 33 : v * 3 % 32) << 16;
	case IMM_REL:
		*n = 1;
		return STUB;
	}
	*n = 1;
	return 0;
}

// Cases per immediate value: a grid over the edge values without an
// immediate, fewer as the immediate values grow. The argument "full"
// runs four times as many.

static unsigned ncases(const struct form *f) {
	unsigned n;
	switch (f->immclass) {
	case IMM_NONE:
	case IMM_REL: n = 8 * NGPR; break;
	case IMM_GEN: n = 12; break;
	case IMM_COUNT: n = 4; break;
	case IMM_ENTER: n = 8; break;
	default: n = f->xk == XK_STR ? 8 : 2;
	}
	return n * scale;
}

static void write_code(const struct form *f, uint64_t immv) {
	uint8_t *c = region;
	memcpy(c, f->enc, f->len);
	if (f->disp >= 0) {
		int32_t d = (int32_t)(int64_t)(MEMBUF - (CODE + f->len));
		memcpy(c + f->disp, &d, 4);
	}
	if (f->imm >= 0)
		memcpy(c + f->imm, &immv, f->immlen);
	static const uint8_t jmp[6] = {0xff, 0x25, 0, 0, 0, 0};
	uint64_t a = (uint64_t)(uintptr_t)fx_exit, b = (uint64_t)(uintptr_t)fx_exit_taken;
	memcpy(c + f->len, jmp, 6);
	memcpy(c + f->len + 6, &a, 8);
	memcpy(c + f->len + STUB, jmp, 6);
	memcpy(c + f->len + STUB + 6, &b, 8);
}

static uint64_t mix(uint64_t h, uint64_t v) {
	h ^= v;
	h *= 0x100000001b3ULL;
	return h ^ h >> 29;
}

static uint64_t mixbytes(uint64_t h, const uint8_t *p, int n) {
	for (int i = 0; i < n; i += 8) {
		uint64_t v = 0;
		memcpy(&v, p + i, n - i < 8 ? n - i : 8);
		h = mix(h, v);
	}
	return h;
}

// out_hash hashes the state after a case.
static uint64_t out_hash(const struct form *f) {
	uint64_t h = 0xcbf29ce484222325ULL;
	for (int i = 0; i < 16; i++)
		h = mix(h, out_regs[i]);
	h = mix(h, out_flags & 0xcd5);
	h = mix(h, out_taken);
	uint16_t fsw;
	memcpy(&fsw, out_fx + 2, 2);
	if (f->fswmask) {
		uint16_t se;
		uint64_t m;
		memcpy(&m, out_fx + 32, 8);
		memcpy(&se, out_fx + 40, 2);
		int nan = (se & 0x7fff) == 0x7fff && (m << 1) != 0;
		if (!f->fswnan || nan || (fsw & 0x80))
			fsw &= (uint16_t)~f->fswmask;
	}
	uint64_t w0;
	memcpy(&w0, out_fx, 8);
	h = mix(h, (w0 & 0xffff00000000ffffULL) | (uint64_t)fsw << 16); // FCW, FSW, FTW
	uint32_t mx;
	memcpy(&mx, out_fx + 24, 4);
	h = mix(h, mx);
	const uint64_t *q = (const uint64_t *)(out_fx + 32); // ST0-7, XMM0-15
	for (int i = 0; i < 48; i++)
		h = mix(h, q[i]);
	int n = f->msize < 16 ? 16 : f->msize;
	const uint8_t *mem = region + (MEMBUF - REGION);
	if (f->omask == OM_NONE) {
		h = mixbytes(h, mem, n);
	} else {
		uint8_t m[512];
		memcpy(m, mem, (size_t)n);
		if (f->omask == OM_FXSAVE) {
			memset(m + 6, 0, 18); // FOP, FIP, FDP
			memset(m + 28, 0, 4); // MXCSR_MASK: the host's has bit 17 (AMD's misaligned SSE mode), gemu's not
		} else {
			memset(m + 12, 0, 16); // FIP, FCS/FOP, FDP, FDS
		}
		h = mixbytes(h, m, n);
	}
	h = mixbytes(h, region + (STACKTOP - REGION) - 64, 80);
	if (f->fix == FIX_STRING) {
		h = mixbytes(h, region + (SRCBUF - REGION) - 128, 256);
		h = mixbytes(h, region + (DSTBUF - REGION) - 128, 256);
	}
	return h;
}

static void dump(const char *what, const uint64_t *regs, uint64_t flags, const uint8_t *fx) {
	printf("  %s:", what);
	for (int i = 0; i < 16; i++)
		printf(" %llx", (unsigned long long)regs[i]);
	printf(" fl=%llx\n    fcw=%02x%02x fsw=%02x%02x ftw=%02x mx=%02x%02x st:", (unsigned long long)flags, fx[1], fx[0],
	       fx[3], fx[2], fx[4], fx[25], fx[24]);
	for (int i = 0; i < 8; i++) {
		uint64_t m;
		uint16_t se;
		memcpy(&m, fx + 32 + 16 * i, 8);
		memcpy(&se, fx + 40 + 16 * i, 2);
		printf(" %04x:%016llx", se, (unsigned long long)m);
	}
	printf("\n    xmm:");
	for (int i = 0; i < 16; i++) {
		uint64_t lo, hi;
		memcpy(&lo, fx + 160 + 16 * i, 8);
		memcpy(&hi, fx + 168 + 16 * i, 8);
		printf(" %016llx%016llx", (unsigned long long)hi, (unsigned long long)lo);
	}
	printf("\n");
}

int main(int argc, char **argv) {
	const char *verbose = argc > 2 && strcmp(argv[1], "-v") == 0 ? argv[2] : NULL;
	if (argc > 1 && strcmp(argv[1], "full") == 0)
		scale = 4;
	make_bases();
	region = mmap((void *)REGION, REGION_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (region != (uint8_t *)REGION) {
		printf("mmap failed\n");
		return 1;
	}
	unsigned nforms = sizeof forms / sizeof forms[0];
	unsigned long total = 0;
	unsigned tested = 0;
	for (unsigned e = 0; e < nforms;) {
		const struct form *first = &forms[e];
		uint64_t h = 0xcbf29ce484222325ULL;
		unsigned encs = 0;
		unsigned long cases = 0;
		for (; e < nforms && strcmp(forms[e].name, first->name) == 0; e++) {
			const struct form *f = &forms[e];
			if (verbose && !strstr(f->name, verbose))
				continue;
			encs++;
			unsigned nimm = 1;
			for (unsigned v = 0; v < nimm; v++) {
				uint64_t immv = imm_value(f, v, &nimm);
				write_code(f, immv);
				unsigned nc = ncases(f);
				for (unsigned k = 0; k < nc; k++) {
					make_input(f, e, v, k);
					out_taken = 0;
					if (verbose) {
						printf("%s #%u imm=%llx case %u\n", f->name, e, (unsigned long long)immv, k);
						dump("in ", in_regs, in_flags, in_fx);
						printf("    mem:");
						for (int i = 0; i < 32; i++)
							printf(" %02x", region[MEMBUF - REGION + (unsigned)i]);
						printf("\n");
					}
					fx_run();
					uint64_t oh = out_hash(f);
					h = mix(h, oh);
					cases++;
					if (verbose) {
						dump("out", out_regs, out_flags & 0xcd5, out_fx);
						printf("    mem:");
						for (int i = 0; i < 32; i++)
							printf(" %02x", region[MEMBUF - REGION + (unsigned)i]);
						printf(" taken=%d hash=%016llx\n", out_taken, (unsigned long long)oh);
					}
				}
			}
		}
		if (encs == 0)
			continue;
		tested++;
		total += cases;
		if (!verbose)
			printf("%-28s enc=%u cases=%lu %016llx\n", first->name, encs, cases, (unsigned long long)h);
	}
	if (verbose)
		return 0;
	for (unsigned i = 0; i < sizeof untested / sizeof untested[0]; i++)
		printf("untested %s: %s\n", untested[i].name, untested[i].why);
	printf("forms tested %u of %u implemented; %lu cases\n", tested, FORMS_IMPLEMENTED, total);
	return 0;
}
