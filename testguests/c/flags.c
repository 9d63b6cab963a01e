// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// flags: the x86 arithmetic flags, one instruction at a time. Each case
// loads a known RFLAGS (all six status flags clear, or all set) with popfq,
// runs one instruction on edge operands, and saves RFLAGS with pushfq. Only
// the flags the Intel SDM defines for that instruction and operand count
// are hashed (undefined flags differ between CPU vendors), together with
// the result. One line per (instruction, width).
//
// The stack pointer is moved below the red zone around pushes and pops so
// the compiler's locals there are never clobbered.
#include <stdint.h>
#include <stdio.h>

#include "guest.h"

#define CF 0x001u
#define PF 0x004u
#define AF 0x010u
#define ZF 0x040u
#define SF 0x080u
#define OF 0x800u
#define ALL (CF | PF | AF | ZF | SF | OF)

static const uint64_t patterns[] = {
	0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
	0xffffffff, 0x7fffffffffffffff, 0x8000000000000000, (uint64_t)-1, (uint64_t)-2,
	0x5555555555555555, 0xaaaaaaaaaaaaaaaa, 0x0123456789abcdef, 0xfedcba9876543210,
	0x10, 0x0f, 0x100000000, 0x8080808080808080,
};
#define NPAT (sizeof patterns / sizeof patterns[0])
static volatile uint64_t vpat[NPAT];
static const uint64_t init_flags[2] = {0x202, 0x202 | ALL};

static hash64 H;

static void line(const char *op, const char *w, unsigned long cases) {
	printf("%-6s %-3s cases=%-6lu fnv=%016llx\n", op, w, cases, (unsigned long long)H.h);
}

#define PRE "lea -128(%%rsp), %%rsp\n\tpush %[fin]\n\tpopfq\n\t"
#define POST "\n\tpushfq\n\tpop %[fout]\n\tlea 128(%%rsp), %%rsp"

// Two-operand ALU: dst = dst OP src. MASK says which flags are defined.
// The source is hashed too: it must be unchanged, except by xadd.
#define ALU2(NAME, T, W, MASK)                                                            \
	static void alu_##NAME##_##W(void) {                                                  \
		unsigned long n = 0;                                                              \
		hash_init(&H);                                                                    \
		for (unsigned f = 0; f < 2; f++)                                                  \
			for (unsigned i = 0; i < NPAT; i++)                                           \
				for (unsigned j = 0; j < NPAT; j++) {                                     \
					T d = (T)vpat[i], s = (T)vpat[j];                                     \
					uint64_t fo;                                                          \
					__asm__ volatile(PRE #NAME " %[s], %[d]" POST                         \
							 : [d] "+r"(d), [s] "+r"(s), [fout] "=&r"(fo)               \
							 : [fin] "r"(init_flags[f])                                 \
							 : "cc", "memory");                                         \
					hash_u64(&H, (uint64_t)d);                                            \
					hash_u64(&H, (uint64_t)s); /* xadd writes it */                       \
					hash_u64(&H, fo & (MASK));                                            \
					n++;                                                                  \
				}                                                                         \
		line(#NAME, #W, n);                                                               \
	}

// One-operand ALU: dst = OP dst.
#define ALU1(NAME, T, W, MASK)                                                 \
	static void alu_##NAME##_##W(void) {                                       \
		unsigned long n = 0;                                                   \
		hash_init(&H);                                                         \
		for (unsigned f = 0; f < 2; f++)                                       \
			for (unsigned i = 0; i < NPAT; i++) {                              \
				T d = (T)vpat[i];                                              \
				uint64_t fo;                                                   \
				__asm__ volatile(PRE #NAME " %[d]" POST                        \
						 : [d] "+r"(d), [fout] "=&r"(fo)                     \
						 : [fin] "r"(init_flags[f])                          \
						 : "cc", "memory");                                  \
				hash_u64(&H, (uint64_t)d);                                     \
				hash_u64(&H, fo & (MASK));                                     \
				n++;                                                           \
			}                                                                  \
		line(#NAME, #W, n);                                                    \
	}

// Shifts and rotates by CL, every count 0..255. The defined flags depend
// on the masked count; see shift_mask and rot_mask.
static unsigned shift_mask(unsigned count, unsigned width) {
	unsigned c = count & (width == 64 ? 63 : 31);
	if (c == 0)
		return ALL; // nothing changes
	unsigned m = SF | ZF | PF;
	if (c < width)
		m |= CF;
	if (c == 1)
		m |= OF;
	return m;
}

static unsigned rot_mask(unsigned count, unsigned width) {
	unsigned c = count & (width == 64 ? 63 : 31);
	if (c == 0)
		return ALL;
	unsigned m = SF | ZF | PF | AF | CF; // SF ZF PF AF are unaffected
	if (c == 1)
		m |= OF;
	return m;
}

#define SHIFT(NAME, T, W, MASKFN)                                                        \
	static void sh_##NAME##_##W(void) {                                                  \
		unsigned long n = 0;                                                             \
		hash_init(&H);                                                                   \
		for (unsigned f = 0; f < 2; f++)                                                 \
			for (unsigned i = 0; i < NPAT; i++)                                          \
				for (unsigned c = 0; c < 256; c++) {                                     \
					T d = (T)vpat[i];                                                    \
					uint8_t cnt = (uint8_t)c;                                            \
					uint64_t fo;                                                         \
					__asm__ volatile(PRE #NAME " %%cl, %[d]" POST                        \
							 : [d] "+r"(d), [fout] "=&r"(fo)                           \
							 : "c"(cnt), [fin] "r"(init_flags[f])                      \
							 : "cc", "memory");                                        \
					hash_u64(&H, (uint64_t)d);                                           \
					hash_u64(&H, fo & MASKFN(c, W));                                     \
					n++;                                                                 \
				}                                                                        \
		line(#NAME, #W, n);                                                              \
	}

// Double shifts: shld/shrd dst, src, CL (16-bit counts above 16 are
// undefined and skipped).
#define DSHIFT(NAME, T, W)                                                              \
	static void dsh_##NAME##_##W(void) {                                                \
		unsigned long n = 0;                                                            \
		hash_init(&H);                                                                  \
		for (unsigned f = 0; f < 2; f++)                                                \
			for (unsigned i = 0; i < NPAT; i++)                                         \
				for (unsigned c = 0; c < 70; c++) {                                     \
					unsigned mc = c & ((W) == 64 ? 63 : 31);                            \
					if (mc > (W))                                                       \
						continue;                                                       \
					T d = (T)vpat[i], s = (T)vpat[(i + 5) % NPAT];                      \
					uint8_t cnt = (uint8_t)c;                                           \
					uint64_t fo;                                                        \
					__asm__ volatile(PRE #NAME " %%cl, %[s], %[d]" POST                 \
							 : [d] "+r"(d), [fout] "=&r"(fo)                          \
							 : [s] "r"(s), "c"(cnt), [fin] "r"(init_flags[f])         \
							 : "cc", "memory");                                       \
					if (mc == (W))                                                      \
						continue; /* 16-bit by 16: result undefined */                  \
					unsigned m = mc == 0 ? ALL : (SF | ZF | PF | CF | (mc == 1 ? OF : 0)); \
					hash_u64(&H, (uint64_t)d);                                          \
					hash_u64(&H, fo & m);                                               \
					n++;                                                                \
				}                                                                       \
		line(#NAME, #W, n);                                                             \
	}

// Bit tests with a register offset: CF is defined, ZF unaffected, the
// rest undefined.
#define BT(NAME, T, W)                                                                  \
	static void bt_##NAME##_##W(void) {                                                 \
		unsigned long n = 0;                                                            \
		hash_init(&H);                                                                  \
		for (unsigned f = 0; f < 2; f++)                                                \
			for (unsigned i = 0; i < NPAT; i++)                                         \
				for (unsigned c = 0; c < (W); c++) {                                    \
					T d = (T)vpat[i], off = (T)(c + (W) * (i & 1));                     \
					uint64_t fo;                                                        \
					__asm__ volatile(PRE #NAME " %[o], %[d]" POST                       \
							 : [d] "+r"(d), [fout] "=&r"(fo)                          \
							 : [o] "r"(off), [fin] "r"(init_flags[f])                 \
							 : "cc", "memory");                                       \
					hash_u64(&H, (uint64_t)d);                                          \
					hash_u64(&H, fo & (CF | ZF));                                       \
					n++;                                                                \
				}                                                                       \
		line(#NAME, #W, n);                                                             \
	}

// Bit scans: ZF is defined; the destination is undefined for a zero source.
#define BSCAN(NAME, T, W)                                                     \
	static void bs_##NAME##_##W(void) {                                       \
		unsigned long n = 0;                                                  \
		hash_init(&H);                                                        \
		for (unsigned f = 0; f < 2; f++)                                      \
			for (unsigned i = 0; i < NPAT; i++) {                             \
				T s = (T)vpat[i], d = 0;                                      \
				uint64_t fo;                                                  \
				__asm__ volatile(PRE #NAME " %[s], %[d]" POST                 \
						 : [d] "+r"(d), [fout] "=&r"(fo)                    \
						 : [s] "r"(s), [fin] "r"(init_flags[f])             \
						 : "cc", "memory");                                 \
				if (s)                                                        \
					hash_u64(&H, (uint64_t)d);                                \
				hash_u64(&H, fo & ZF);                                        \
				n++;                                                          \
			}                                                                 \
		line(#NAME, #W, n);                                                   \
	}

#define ARITH (ALL)
#define LOGIC (CF | PF | ZF | SF | OF)
#define MULF (CF | OF)

ALU2(add, uint8_t, 8, ARITH)
ALU2(add, uint16_t, 16, ARITH)
ALU2(add, uint32_t, 32, ARITH)
ALU2(add, uint64_t, 64, ARITH)
ALU2(adc, uint8_t, 8, ARITH)
ALU2(adc, uint16_t, 16, ARITH)
ALU2(adc, uint32_t, 32, ARITH)
ALU2(adc, uint64_t, 64, ARITH)
ALU2(sub, uint8_t, 8, ARITH)
ALU2(sub, uint16_t, 16, ARITH)
ALU2(sub, uint32_t, 32, ARITH)
ALU2(sub, uint64_t, 64, ARITH)
ALU2(sbb, uint8_t, 8, ARITH)
ALU2(sbb, uint16_t, 16, ARITH)
ALU2(sbb, uint32_t, 32, ARITH)
ALU2(sbb, uint64_t, 64, ARITH)
ALU2(cmp, uint8_t, 8, ARITH)
ALU2(cmp, uint16_t, 16, ARITH)
ALU2(cmp, uint32_t, 32, ARITH)
ALU2(cmp, uint64_t, 64, ARITH)
ALU2(and, uint8_t, 8, LOGIC)
ALU2(and, uint16_t, 16, LOGIC)
ALU2(and, uint32_t, 32, LOGIC)
ALU2(and, uint64_t, 64, LOGIC)
ALU2(or, uint8_t, 8, LOGIC)
ALU2(or, uint16_t, 16, LOGIC)
ALU2(or, uint32_t, 32, LOGIC)
ALU2(or, uint64_t, 64, LOGIC)
ALU2(xor, uint8_t, 8, LOGIC)
ALU2(xor, uint16_t, 16, LOGIC)
ALU2(xor, uint32_t, 32, LOGIC)
ALU2(xor, uint64_t, 64, LOGIC)
ALU2(test, uint8_t, 8, LOGIC)
ALU2(test, uint16_t, 16, LOGIC)
ALU2(test, uint32_t, 32, LOGIC)
ALU2(test, uint64_t, 64, LOGIC)
ALU2(imul, uint16_t, 16, MULF)
ALU2(imul, uint32_t, 32, MULF)
ALU2(imul, uint64_t, 64, MULF)
ALU2(xadd, uint8_t, 8, ARITH)
ALU2(xadd, uint32_t, 32, ARITH)
ALU2(xadd, uint64_t, 64, ARITH)
ALU1(neg, uint8_t, 8, ARITH)
ALU1(neg, uint16_t, 16, ARITH)
ALU1(neg, uint32_t, 32, ARITH)
ALU1(neg, uint64_t, 64, ARITH)
ALU1(inc, uint8_t, 8, ARITH)
ALU1(inc, uint16_t, 16, ARITH)
ALU1(inc, uint32_t, 32, ARITH)
ALU1(inc, uint64_t, 64, ARITH)
ALU1(dec, uint8_t, 8, ARITH)
ALU1(dec, uint16_t, 16, ARITH)
ALU1(dec, uint32_t, 32, ARITH)
ALU1(dec, uint64_t, 64, ARITH)
ALU1(not, uint8_t, 8, ARITH)
ALU1(not, uint64_t, 64, ARITH)
SHIFT(shl, uint8_t, 8, shift_mask)
SHIFT(shl, uint16_t, 16, shift_mask)
SHIFT(shl, uint32_t, 32, shift_mask)
SHIFT(shl, uint64_t, 64, shift_mask)
SHIFT(shr, uint8_t, 8, shift_mask)
SHIFT(shr, uint16_t, 16, shift_mask)
SHIFT(shr, uint32_t, 32, shift_mask)
SHIFT(shr, uint64_t, 64, shift_mask)
SHIFT(sar, uint8_t, 8, shift_mask)
SHIFT(sar, uint16_t, 16, shift_mask)
SHIFT(sar, uint32_t, 32, shift_mask)
SHIFT(sar, uint64_t, 64, shift_mask)
SHIFT(rol, uint8_t, 8, rot_mask)
SHIFT(rol, uint16_t, 16, rot_mask)
SHIFT(rol, uint32_t, 32, rot_mask)
SHIFT(rol, uint64_t, 64, rot_mask)
SHIFT(ror, uint8_t, 8, rot_mask)
SHIFT(ror, uint16_t, 16, rot_mask)
SHIFT(ror, uint32_t, 32, rot_mask)
SHIFT(ror, uint64_t, 64, rot_mask)
SHIFT(rcl, uint8_t, 8, rot_mask)
SHIFT(rcl, uint16_t, 16, rot_mask)
SHIFT(rcl, uint32_t, 32, rot_mask)
SHIFT(rcl, uint64_t, 64, rot_mask)
SHIFT(rcr, uint8_t, 8, rot_mask)
SHIFT(rcr, uint16_t, 16, rot_mask)
SHIFT(rcr, uint32_t, 32, rot_mask)
SHIFT(rcr, uint64_t, 64, rot_mask)
DSHIFT(shld, uint16_t, 16)
DSHIFT(shld, uint32_t, 32)
DSHIFT(shld, uint64_t, 64)
DSHIFT(shrd, uint16_t, 16)
DSHIFT(shrd, uint32_t, 32)
DSHIFT(shrd, uint64_t, 64)
BT(bt, uint16_t, 16)
BT(bt, uint32_t, 32)
BT(bt, uint64_t, 64)
BT(bts, uint16_t, 16)
BT(bts, uint32_t, 32)
BT(bts, uint64_t, 64)
BT(btr, uint16_t, 16)
BT(btr, uint32_t, 32)
BT(btr, uint64_t, 64)
BT(btc, uint16_t, 16)
BT(btc, uint32_t, 32)
BT(btc, uint64_t, 64)
BSCAN(bsf, uint16_t, 16)
BSCAN(bsf, uint32_t, 32)
BSCAN(bsf, uint64_t, 64)
BSCAN(bsr, uint16_t, 16)
BSCAN(bsr, uint32_t, 32)
BSCAN(bsr, uint64_t, 64)

// Widening multiply and divide through rdx:rax (64-bit).
static void muldiv64(void) {
	unsigned long n = 0;
	hash_init(&H);
	for (unsigned f = 0; f < 2; f++)
		for (unsigned i = 0; i < NPAT; i++)
			for (unsigned j = 0; j < NPAT; j++) {
				uint64_t lo = vpat[i], hi, s = vpat[j], fo;
				__asm__ volatile(PRE "mulq %[s]" POST
						 : "+a"(lo), "=d"(hi), [fout] "=&r"(fo)
						 : [s] "r"(s), [fin] "r"(init_flags[f])
						 : "cc", "memory");
				hash_u64(&H, lo);
				hash_u64(&H, hi);
				hash_u64(&H, fo & MULF);
				lo = vpat[i];
				__asm__ volatile(PRE "imulq %[s]" POST
						 : "+a"(lo), "=d"(hi), [fout] "=&r"(fo)
						 : [s] "r"(s), [fin] "r"(init_flags[f])
						 : "cc", "memory");
				hash_u64(&H, lo);
				hash_u64(&H, hi);
				hash_u64(&H, fo & MULF);
				n += 2;
			}
	line("mul1", "64", n);
	n = 0;
	hash_init(&H);
	for (unsigned i = 0; i < NPAT; i++)
		for (unsigned j = 0; j < NPAT; j++) {
			// unsigned: rdx:rax / s needs rdx < s to fit
			uint64_t s = vpat[j];
			if (s == 0)
				continue;
			uint64_t hi = vpat[i] % s, lo = vpat[(i + 3) % NPAT];
			__asm__ volatile("divq %[s]" : "+a"(lo), "+d"(hi) : [s] "r"(s) : "cc");
			hash_u64(&H, lo);
			hash_u64(&H, hi);
			// signed: sign-extended rax / s
			int64_t q = (int64_t)vpat[i], r;
			if ((int64_t)s == -1 && q == INT64_MIN)
				continue;
			__asm__ volatile("cqto\n\tidivq %[s]" : "+a"(q), "=&d"(r) : [s] "r"(s) : "cc");
			hash_u64(&H, (uint64_t)q);
			hash_u64(&H, (uint64_t)r);
			n++;
		}
	line("div", "64", n);
}

// The flag-reading instructions themselves: setcc for all 16 conditions,
// and lahf.
static void conditions(void) {
	unsigned long n = 0;
	hash_init(&H);
	for (unsigned fl = 0; fl < 64; fl++) {
		// all combinations of CF PF AF ZF SF OF
		uint64_t in = 0x202 | ((fl & 1) ? CF : 0) | ((fl & 2) ? PF : 0) | ((fl & 4) ? AF : 0) |
			      ((fl & 8) ? ZF : 0) | ((fl & 16) ? SF : 0) | ((fl & 32) ? OF : 0);
		uint8_t r[16];
		uint64_t ah;
		__asm__ volatile("lea -128(%%rsp), %%rsp\n\tpush %[fin]\n\tpopfq\n\t"
				 "seto 0(%[r])\n\tsetno 1(%[r])\n\tsetb 2(%[r])\n\tsetae 3(%[r])\n\t"
				 "sete 4(%[r])\n\tsetne 5(%[r])\n\tsetbe 6(%[r])\n\tseta 7(%[r])\n\t"
				 "sets 8(%[r])\n\tsetns 9(%[r])\n\tsetp 10(%[r])\n\tsetnp 11(%[r])\n\t"
				 "setl 12(%[r])\n\tsetge 13(%[r])\n\tsetle 14(%[r])\n\tsetg 15(%[r])\n\t"
				 "xor %%eax, %%eax\n\tlahf\n\tmov %%rax, %[ah]\n\t"
				 "lea 128(%%rsp), %%rsp"
				 : [ah] "=r"(ah)
				 : [r] "r"(r), [fin] "r"(in)
				 : "rax", "cc", "memory");
		hash_bytes(&H, r, 16);
		hash_u64(&H, ah);
		n++;
	}
	line("setcc", "all", n);
}

int main(void) {
	for (unsigned i = 0; i < NPAT; i++)
		vpat[i] = patterns[i];
	alu_add_8(); alu_add_16(); alu_add_32(); alu_add_64();
	alu_adc_8(); alu_adc_16(); alu_adc_32(); alu_adc_64();
	alu_sub_8(); alu_sub_16(); alu_sub_32(); alu_sub_64();
	alu_sbb_8(); alu_sbb_16(); alu_sbb_32(); alu_sbb_64();
	alu_cmp_8(); alu_cmp_16(); alu_cmp_32(); alu_cmp_64();
	alu_and_8(); alu_and_16(); alu_and_32(); alu_and_64();
	alu_or_8(); alu_or_16(); alu_or_32(); alu_or_64();
	alu_xor_8(); alu_xor_16(); alu_xor_32(); alu_xor_64();
	alu_test_8(); alu_test_16(); alu_test_32(); alu_test_64();
	alu_imul_16(); alu_imul_32(); alu_imul_64();
	alu_xadd_8(); alu_xadd_32(); alu_xadd_64();
	alu_neg_8(); alu_neg_16(); alu_neg_32(); alu_neg_64();
	alu_inc_8(); alu_inc_16(); alu_inc_32(); alu_inc_64();
	alu_dec_8(); alu_dec_16(); alu_dec_32(); alu_dec_64();
	alu_not_8(); alu_not_64();
	sh_shl_8(); sh_shl_16(); sh_shl_32(); sh_shl_64();
	sh_shr_8(); sh_shr_16(); sh_shr_32(); sh_shr_64();
	sh_sar_8(); sh_sar_16(); sh_sar_32(); sh_sar_64();
	sh_rol_8(); sh_rol_16(); sh_rol_32(); sh_rol_64();
	sh_ror_8(); sh_ror_16(); sh_ror_32(); sh_ror_64();
	sh_rcl_8(); sh_rcl_16(); sh_rcl_32(); sh_rcl_64();
	sh_rcr_8(); sh_rcr_16(); sh_rcr_32(); sh_rcr_64();
	dsh_shld_16(); dsh_shld_32(); dsh_shld_64();
	dsh_shrd_16(); dsh_shrd_32(); dsh_shrd_64();
	bt_bt_16(); bt_bt_32(); bt_bt_64();
	bt_bts_16(); bt_bts_32(); bt_bts_64();
	bt_btr_16(); bt_btr_32(); bt_btr_64();
	bt_btc_16(); bt_btc_32(); bt_btc_64();
	bs_bsf_16(); bs_bsf_32(); bs_bsf_64();
	bs_bsr_16(); bs_bsr_32(); bs_bsr_64();
	muldiv64();
	conditions();
	return 0;
}
