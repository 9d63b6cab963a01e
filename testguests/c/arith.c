// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// arith: integer arithmetic as compilers emit it, for every width
// (8/16/32/64 bits, signed and unsigned) over edge operands (0, ±1, min,
// max, bit patterns): + - * / %, division by constants (multiply-high
// sequences), shifts by every count, rotate idioms, comparisons (setcc),
// min/max (cmov), the bit builtins (popcount, clz, ctz, ffs, parity, clrsb,
// bswap), the overflow builtins, bit tests, widening and narrowing
// conversions, and __int128 multiply, divide and shifts. Operands are read
// through volatile so nothing is folded at compile time. Every line is one
// (operation, type) pair with a hash of all its results, plus a sample.
// Cases that C leaves undefined (division by zero, MIN / -1, shifts by the
// width or more, signed overflow) are never evaluated.
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include "guest.h"

static const uint64_t patterns[] = {
	0, 1, (uint64_t)-1, 2, (uint64_t)-2, 3, 5, 7, 10, 0x7f, 0x80, 0x81, 0xff, 0x100,
	0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff,
	0x100000000, 0x7fffffffffffffff, 0x8000000000000000, 0x5555555555555555,
	0xaaaaaaaaaaaaaaaa, 0x0123456789abcdef, 0xfedcba9876543210, 100,
	(uint64_t)-100, 1000003, 0xdeadbeefcafef00d,
};
#define NPAT (sizeof patterns / sizeof patterns[0])

// volatile copy: every read is a real load the compiler cannot see through.
static volatile uint64_t vpat[NPAT];

static hash64 H;
static unsigned long lines;

static void begin(void) { hash_init(&H); }
static void mix(uint64_t v) { hash_u64(&H, v); }
static void end(const char *op, const char *type, const char *sample) {
	printf("%-10s %-4s fnv=%016llx  %s\n", op, type, (unsigned long long)H.h, sample);
	lines++;
}

static char sample[160];

// Binary operators for one type. T is the type, U its unsigned twin,
// MIN its minimum (0 for unsigned), W its width in bits, N a name.
#define BINOPS(T, U, MIN, W, N)                                                         \
	static void binops_##N(void) {                                                      \
		const char *tn = #N;                                                            \
		begin();                                                                        \
		for (unsigned i = 0; i < NPAT; i++)                                             \
			for (unsigned j = 0; j < NPAT; j++) {                                       \
				T a = (T)vpat[i], b = (T)vpat[j];                                       \
				mix((U)((U)a + (U)b));                                                  \
			}                                                                           \
		snprintf(sample, sizeof sample, "%lld+%lld=%lld", (long long)(T)vpat[23],      \
			 (long long)(T)vpat[2], (long long)(T)((U)(T)vpat[23] + (U)(T)vpat[2]));   \
		end("add", tn, sample);                                                         \
		begin();                                                                        \
		for (unsigned i = 0; i < NPAT; i++)                                             \
			for (unsigned j = 0; j < NPAT; j++) {                                       \
				T a = (T)vpat[i], b = (T)vpat[j];                                       \
				mix((U)((U)a - (U)b));                                                  \
			}                                                                           \
		snprintf(sample, sizeof sample, "%lld-%lld=%lld", (long long)(T)vpat[1],       \
			 (long long)(T)vpat[22], (long long)(T)((U)(T)vpat[1] - (U)(T)vpat[22]));  \
		end("sub", tn, sample);                                                         \
		begin();                                                                        \
		for (unsigned i = 0; i < NPAT; i++)                                             \
			for (unsigned j = 0; j < NPAT; j++) {                                       \
				T a = (T)vpat[i], b = (T)vpat[j];                                       \
				if ((T)MIN != 0 && (W) >= 32) {                                         \
					/* signed multiply without overflow: use the builtin */             \
					T r;                                                                \
					int o = __builtin_mul_overflow(a, b, &r);                           \
					mix((U)r);                                                          \
					mix((uint64_t)o);                                                   \
				} else {                                                                \
					mix((U)((uint64_t)(U)a * (U)b));                                           \
				}                                                                       \
				mix((uint64_t)(int64_t)a * (uint64_t)(int64_t)b);                       \
			}                                                                           \
		snprintf(sample, sizeof sample, "%lld*%lld=%lld", (long long)(T)vpat[26],      \
			 (long long)(T)vpat[30], (long long)(T)((uint64_t)(U)(T)vpat[26] * (U)(T)vpat[30])); \
		end("mul", tn, sample);                                                         \
		begin();                                                                        \
		for (unsigned i = 0; i < NPAT; i++)                                             \
			for (unsigned j = 0; j < NPAT; j++) {                                       \
				T a = (T)vpat[i], b = (T)vpat[j];                                       \
				if (b == 0 || ((T)MIN != 0 && a == (T)MIN && b == (T)-1))               \
					continue;                                                           \
				mix((U)(T)(a / b));                                                     \
				mix((U)(T)(a % b));                                                     \
			}                                                                           \
		{                                                                               \
			T a = (T)vpat[27], b = (T)vpat[7];                                          \
			snprintf(sample, sizeof sample, "%lld/%lld=%lld r %lld", (long long)a,      \
				 (long long)b, (long long)(T)(a / b), (long long)(T)(a % b));           \
		}                                                                               \
		end("divmod", tn, sample);                                                      \
		begin();                                                                        \
		for (unsigned i = 0; i < NPAT; i++) {                                           \
			T a = (T)vpat[i];                                                           \
			mix((U)(T)(a / 3));                                                         \
			mix((U)(T)(a % 3));                                                         \
			mix((U)(T)(a / 7));                                                         \
			mix((U)(T)(a % 10));                                                        \
			mix((U)(T)(a / 16));                                                        \
			mix((U)(T)(a % 16));                                                        \
			mix((U)(T)(a / 1000));                                                      \
			mix((U)(T)(a / 641));                                                       \
			mix((U)(T)(a % 2147483647LL));                                              \
		}                                                                               \
		snprintf(sample, sizeof sample, "%lld/7=%lld", (long long)(T)vpat[31],         \
			 (long long)(T)((T)vpat[31] / 7));                                          \
		end("divconst", tn, sample);                                                    \
		begin();                                                                        \
		for (unsigned i = 0; i < NPAT; i++)                                             \
			for (unsigned j = 0; j < NPAT; j++) {                                       \
				T a = (T)vpat[i], b = (T)vpat[j];                                       \
				mix((uint64_t)((a < b) | (a <= b) << 1 | (a > b) << 2 | (a >= b) << 3 | \
					       (a == b) << 4 | (a != b) << 5));                        \
				mix((U)(a < b ? a : b));                                                \
				mix((U)(a > b ? a : b));                                                \
				mix((U)(a == 0 ? b : a));                                               \
			}                                                                           \
		end("cmp/cmov", tn, "");                                                        \
		begin();                                                                        \
		for (unsigned i = 0; i < NPAT; i++)                                             \
			for (unsigned j = 0; j < NPAT; j++) {                                       \
				T a = (T)vpat[i], b = (T)vpat[j];                                       \
				mix((U)(a & b));                                                        \
				mix((U)(a | b));                                                        \
				mix((U)(a ^ b));                                                        \
				mix((U)(a & ~b));                                                       \
				mix((U)~a);                                                             \
				mix((U)(0 - (U)a));                                                     \
			}                                                                           \
		end("logic", tn, "");                                                           \
	}

// Shifts by every count 0..W-1, variable and constant.
#define SHIFTS(T, U, W, N)                                                             \
	static void shifts_##N(void) {                                                     \
		begin();                                                                       \
		for (unsigned i = 0; i < NPAT; i++)                                            \
			for (volatile unsigned c = 0; c < (W); c++) {                              \
				T a = (T)vpat[i];                                                      \
				unsigned n = c;                                                        \
				mix((U)((U)a << n));                                                   \
				mix((U)(a >> n));                                                      \
				mix((U)((U)a >> n));                                                   \
			}                                                                          \
		snprintf(sample, sizeof sample, "%lld>>3=%lld", (long long)(T)vpat[27],       \
			 (long long)(T)((T)vpat[27] >> 3));                                        \
		end("shift", #N, sample);                                                      \
		begin();                                                                       \
		for (unsigned i = 0; i < NPAT; i++) {                                          \
			T a = (T)vpat[i];                                                          \
			mix((U)((U)a << 1));                                                       \
			mix((U)(a >> 1));                                                          \
			mix((U)((U)a << 3));                                                       \
			mix((U)(a >> 3));                                                          \
			mix((U)((U)a << ((W) - 1)));                                               \
			mix((U)(a >> ((W) - 1)));                                                  \
			mix((U)((U)a >> ((W) - 1)));                                               \
		}                                                                              \
		end("shiftimm", #N, "");                                                       \
		begin();                                                                       \
		for (unsigned i = 0; i < NPAT; i++)                                            \
			for (volatile unsigned c = 0; c < (W); c++) {                              \
				U a = (U)vpat[i];                                                      \
				unsigned n = c;                                                        \
				mix((U)((U)(a << n) | (U)(a >> ((W - n) & (W - 1)))));                 \
				mix((U)((U)(a >> n) | (U)(a << ((W - n) & (W - 1)))));                 \
			}                                                                          \
		{                                                                              \
			U a = (U)vpat[26];                                                         \
			snprintf(sample, sizeof sample, "rol(%llx,4)=%llx", (unsigned long long)a, \
				 (unsigned long long)(U)((U)(a << 4) | (U)(a >> (W - 4))));           \
		}                                                                              \
		end("rotate", #N, sample);                                                     \
	}

BINOPS(int8_t, uint8_t, INT8_MIN, 8, i8)
BINOPS(uint8_t, uint8_t, 0, 8, u8)
BINOPS(int16_t, uint16_t, INT16_MIN, 16, i16)
BINOPS(uint16_t, uint16_t, 0, 16, u16)
BINOPS(int32_t, uint32_t, INT32_MIN, 32, i32)
BINOPS(uint32_t, uint32_t, 0, 32, u32)
BINOPS(int64_t, uint64_t, INT64_MIN, 64, i64)
BINOPS(uint64_t, uint64_t, 0, 64, u64)
SHIFTS(int8_t, uint8_t, 8, i8)
SHIFTS(uint8_t, uint8_t, 8, u8)
SHIFTS(int16_t, uint16_t, 16, i16)
SHIFTS(uint16_t, uint16_t, 16, u16)
SHIFTS(int32_t, uint32_t, 32, i32)
SHIFTS(uint32_t, uint32_t, 32, u32)
SHIFTS(int64_t, uint64_t, 64, i64)
SHIFTS(uint64_t, uint64_t, 64, u64)

static void builtins(void) {
	begin();
	for (unsigned i = 0; i < NPAT; i++) {
		uint64_t v = vpat[i];
		uint32_t w = (uint32_t)v;
		mix((uint64_t)__builtin_popcount(w));
		mix((uint64_t)__builtin_popcountll(v));
		mix((uint64_t)__builtin_parity(w));
		mix((uint64_t)__builtin_parityll(v));
		mix((uint64_t)__builtin_ffs((int)w));
		mix((uint64_t)__builtin_ffsll((long long)v));
		mix((uint64_t)__builtin_clrsb((int)w));
		mix((uint64_t)__builtin_clrsbll((long long)v));
		if (w) {
			mix((uint64_t)__builtin_clz(w));
			mix((uint64_t)__builtin_ctz(w));
		}
		if (v) {
			mix((uint64_t)__builtin_clzll(v));
			mix((uint64_t)__builtin_ctzll(v));
		}
		mix(__builtin_bswap16((uint16_t)v));
		mix(__builtin_bswap32(w));
		mix(__builtin_bswap64(v));
	}
	snprintf(sample, sizeof sample, "popcount(%llx)=%d clz=%d ctz=%d bswap64=%llx",
		 (unsigned long long)vpat[26], __builtin_popcountll(vpat[26]), __builtin_clzll(vpat[26]),
		 __builtin_ctzll(vpat[26]), (unsigned long long)__builtin_bswap64(vpat[26]));
	end("bitcount", "all", sample);
}

#define OVERFLOW(T, N)                                                             \
	static void overflow_##N(void) {                                               \
		begin();                                                                   \
		for (unsigned i = 0; i < NPAT; i++)                                        \
			for (unsigned j = 0; j < NPAT; j++) {                                  \
				T a = (T)vpat[i], b = (T)vpat[j], r;                               \
				int o = __builtin_add_overflow(a, b, &r);                          \
				mix((uint64_t)r << 1 | (uint64_t)o);                               \
				o = __builtin_sub_overflow(a, b, &r);                              \
				mix((uint64_t)r << 1 | (uint64_t)o);                               \
				o = __builtin_mul_overflow(a, b, &r);                              \
				mix((uint64_t)r << 1 | (uint64_t)o);                               \
			}                                                                      \
		{                                                                          \
			T r;                                                                   \
			int o = __builtin_mul_overflow((T)vpat[20], (T)vpat[20], &r);          \
			snprintf(sample, sizeof sample, "%lld*%lld overflow=%d wrapped=%lld",  \
				 (long long)(T)vpat[20], (long long)(T)vpat[20], o, (long long)r); \
		}                                                                          \
		end("overflow", #N, sample);                                               \
	}

OVERFLOW(int8_t, i8)
OVERFLOW(uint8_t, u8)
OVERFLOW(int16_t, i16)
OVERFLOW(uint16_t, u16)
OVERFLOW(int32_t, i32)
OVERFLOW(uint32_t, u32)
OVERFLOW(int64_t, i64)
OVERFLOW(uint64_t, u64)

static void bittests(void) {
	begin();
	for (unsigned i = 0; i < NPAT; i++)
		for (volatile unsigned c = 0; c < 64; c++) {
			uint64_t v = vpat[i];
			unsigned n = c;
			mix((v >> n) & 1);
			mix((v & (1ULL << n)) != 0);
			mix(v | (1ULL << n));
			mix(v & ~(1ULL << n));
			mix(v ^ (1ULL << n));
			uint32_t w = (uint32_t)v;
			unsigned m = n & 31;
			mix((w >> m) & 1);
			mix(w | (1u << m));
			mix(w & ~(1u << m));
			mix(w ^ (1u << m));
			mix(((int64_t)v < 0) ? 1 : 2);
		}
	end("bittest", "all", "");
}

static void conversions(void) {
	begin();
	for (unsigned i = 0; i < NPAT; i++) {
		uint64_t v = vpat[i];
		mix((uint64_t)(int64_t)(int8_t)v);
		mix((uint64_t)(uint8_t)v);
		mix((uint64_t)(int64_t)(int16_t)v);
		mix((uint64_t)(uint16_t)v);
		mix((uint64_t)(int64_t)(int32_t)v);
		mix((uint64_t)(uint32_t)v);
		mix((uint64_t)(int32_t)(int8_t)v);
		mix((uint64_t)(uint32_t)(int16_t)v);
		mix((uint64_t)(int16_t)(int8_t)v);
	}
	snprintf(sample, sizeof sample, "(int8)0x%llx=%d (int16)=%d", (unsigned long long)vpat[11],
		 (int8_t)vpat[11], (int16_t)vpat[15]);
	end("convert", "all", sample);
}

static void int128(void) {
	begin();
	for (unsigned i = 0; i < NPAT; i++)
		for (unsigned j = 0; j < NPAT; j++) {
			uint64_t a = vpat[i], b = vpat[j];
			unsigned __int128 p = (unsigned __int128)a * b;
			mix((uint64_t)p);
			mix((uint64_t)(p >> 64));
			__int128 sp = (__int128)(int64_t)a * (int64_t)b;
			mix((uint64_t)sp);
			mix((uint64_t)((unsigned __int128)sp >> 64));
			unsigned __int128 x = (unsigned __int128)a << 64 | b;
			unsigned __int128 y = (unsigned __int128)b << 32 ^ a;
			mix((uint64_t)(x + y));
			mix((uint64_t)((x + y) >> 64));
			mix((uint64_t)((x - y) >> 64));
			if (y) {
				mix((uint64_t)(x / y));
				mix((uint64_t)((x / y) >> 64));
				mix((uint64_t)(x % y));
			}
			__int128 sx = (__int128)x, sy = (__int128)y;
			if (sy && !(sy == -1 && sx == (__int128)((unsigned __int128)1 << 127))) {
				mix((uint64_t)(sx / sy));
				mix((uint64_t)((unsigned __int128)(sx / sy) >> 64));
				mix((uint64_t)(sx % sy));
			}
			if (b) {
				mix((uint64_t)(x / b)); // 128 by 64
				mix((uint64_t)(x % b));
			}
		}
	snprintf(sample, sizeof sample, "%llx*%llx=%016llx%016llx", (unsigned long long)vpat[26],
		 (unsigned long long)vpat[27],
		 (unsigned long long)(((unsigned __int128)vpat[26] * vpat[27]) >> 64),
		 (unsigned long long)((unsigned __int128)vpat[26] * vpat[27]));
	end("muldiv", "i128", sample);
	begin();
	for (unsigned i = 0; i < NPAT; i++)
		for (volatile unsigned c = 0; c < 128; c++) {
			unsigned __int128 x = (unsigned __int128)vpat[i] << 64 | vpat[(i + 7) % NPAT];
			unsigned n = c;
			mix((uint64_t)(x << n));
			mix((uint64_t)((x << n) >> 64));
			mix((uint64_t)(x >> n));
			__int128 s = (__int128)x >> n;
			mix((uint64_t)s);
			mix((uint64_t)((unsigned __int128)s >> 64));
		}
	end("shift", "i128", "");
}

// A long dependent chain: xorshift, multiply-add and a data-dependent
// branch, as a loop that runs a hundred thousand times.
static void chain(void) {
	uint64_t x = vpat[31], acc = 0;
	uint32_t small = 0;
	for (int i = 0; i < 100000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		acc = acc * 31 + (x >> 11);
		if (x & 0x100)
			small += (uint32_t)(x % 1000);
		else
			small ^= (uint32_t)(x >> 40);
	}
	begin();
	mix(x);
	mix(acc);
	mix(small);
	snprintf(sample, sizeof sample, "x=%016llx acc=%016llx small=%u", (unsigned long long)x,
		 (unsigned long long)acc, small);
	end("chain", "u64", sample);
}

int main(void) {
	for (unsigned i = 0; i < NPAT; i++)
		vpat[i] = patterns[i];
	binops_i8();
	binops_u8();
	binops_i16();
	binops_u16();
	binops_i32();
	binops_u32();
	binops_i64();
	binops_u64();
	shifts_i8();
	shifts_u8();
	shifts_i16();
	shifts_u16();
	shifts_i32();
	shifts_u32();
	shifts_i64();
	shifts_u64();
	builtins();
	overflow_i8();
	overflow_u8();
	overflow_i16();
	overflow_u16();
	overflow_i32();
	overflow_u32();
	overflow_i64();
	overflow_u64();
	bittests();
	conversions();
	int128();
	chain();
	printf("%lu lines\n", lines);
	return 0;
}
