// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// rcpgen: records this host's RCPSS and RSQRTSS results as the delta tables
// of ../rcp.go. Build and run on the x86-64 host whose results gemu should
// reproduce (the committed tables come from an AMD EPYC, Zen family):
//
//	gcc -O2 -o /tmp/rcpgen rcpgen.c && /tmp/rcpgen > /tmp/tables.txt
//
// The approximations depend only on the top 12 fraction bits of the input
// (and, for RSQRTSS, on the parity of the exponent), and return 12 fraction
// bits. For each 12-bit index i the input interval [1+i/4096, 1+(i+1)/4096)
// (times 2 for the odd-exponent RSQRTSS table) has midpoint x = D/8192 with
// D = 8193+2i, and the host's 13-bit significand is base+delta where base is
// the exactly rounded 8192/x (RCP) or 8192/sqrt(x) (RSQRT) computed in
// integers below, and delta is -1, 0 or +1. The program checks that claim on
// every input of [1,4) and prints each table as 4096 digits delta+1.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t run(int sq, uint32_t x) {
	float f, r;
	memcpy(&f, &x, 4);
	__m128 v = _mm_set_ss(f);
	r = _mm_cvtss_f32(sq ? _mm_rsqrt_ss(v) : _mm_rcp_ss(v));
	uint32_t u;
	memcpy(&u, &r, 4);
	return u;
}

// rounded returns floor(sqrt(n/d) + 1/2): the k with (2k-1)^2 d <= 4n < (2k+1)^2 d.
static uint64_t rounded_sqrt(uint64_t n, uint64_t d) {
	uint64_t k = (uint64_t)(sqrt((double)n / (double)d) + 0.5);
	while (k > 0 && (2 * k - 1) * (2 * k - 1) * d > 4 * n) k--;
	while ((2 * k + 1) * (2 * k + 1) * d <= 4 * n) k++;
	return k;
}

static uint64_t base(int t, uint64_t i) {
	uint64_t d = 8193 + 2 * i;
	switch (t) {
	case 0: return ((1ULL << 27) + d) / (2 * d); // round(2^26/d)
	case 1: return rounded_sqrt(1ULL << 39, d);  // round(sqrt(2^39/d))
	default: return rounded_sqrt(1ULL << 38, d); // round(sqrt(2^38/d))
	}
}

int main(void) {
	static const char *names[] = {"rcpDelta", "rsqrtEvenDelta", "rsqrtOddDelta"};
	for (int t = 0; t < 3; t++) {
		char digits[4097];
		uint32_t expbase = t == 2 ? 0x40000000 : 0x3f800000;
		for (uint32_t i = 0; i < 4096; i++) {
			uint32_t want = run(t != 0, expbase | i << 11);
			for (uint32_t lo = 0; lo < 2048; lo++) {
				if (run(t != 0, expbase | i << 11 | lo) != want) {
					fprintf(stderr, "table %d index %u: result depends on the low fraction bits\n", t, i);
					return 1;
				}
			}
			if ((want >> 23) != 126 || (want & 0x7ff) != 0) {
				fprintf(stderr, "table %d index %u: unexpected result %08x\n", t, i, want);
				return 1;
			}
			int64_t sig = 4096 + ((want & 0x7fffff) >> 11);
			int64_t delta = sig - (int64_t)base(t, i);
			if (delta < -1 || delta > 1) {
				fprintf(stderr, "table %d index %u: delta %lld out of range\n", t, i, (long long)delta);
				return 1;
			}
			digits[i] = (char)('1' + delta);
		}
		digits[4096] = 0;
		printf("%s =\n", names[t]);
		for (int i = 0; i < 4096; i += 64) printf("\t\"%.64s\"%s\n", digits + i, i + 64 < 4096 ? " +" : "");
	}
	return 0;
}
