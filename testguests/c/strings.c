// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// strings: the libc string and memory functions (strlen, memchr, strchr,
// strrchr, memset, memcpy, memmove with overlap both ways, strcpy, strcmp,
// strncmp, memcmp, strstr) on every length 0..300 and every source and
// destination alignment 0..31, each result checked against a naive byte loop
// in this program. Libc's versions are the interesting ones (word-at-a-time,
// SSE2, unaligned heads and tails), so they are called through volatile
// pointers that the compiler cannot inline or fold.
//
// Coverage: the one-pointer functions (strlen, memchr, strchr, strrchr,
// memset) run every length with every alignment. The two-pointer ones run
// every (source, destination) alignment pair for lengths 0..16 and 32;
// on the other lengths they run 8 source alignments, (len + 4j) mod 32, each
// with destination alignment (7*src + len) mod 32, so any 4 consecutive
// lengths visit all 32 source and all 32 destination alignments. This keeps
// the guest near 150 million instructions; "strings full" runs every pair
// on every length (slow; not used by the test harness).
//
// Output: per function the number of cases, mismatches and a hash of the
// case list and results; the first few mismatches are printed in detail.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest.h"

#define MAXLEN 300
#define NALIGN 32
#define PAD 64
#define BUFSZ (PAD + NALIGN + MAXLEN + PAD + 64)

static unsigned char src[BUFSZ] __attribute__((aligned(64)));
static unsigned char dst[BUFSZ] __attribute__((aligned(64)));
static unsigned char hay[BUFSZ] __attribute__((aligned(64)));

static size_t (*volatile f_strlen)(const char *) = strlen;
static void *(*volatile f_memchr)(const void *, int, size_t) = memchr;
static char *(*volatile f_strchr)(const char *, int) = strchr;
static char *(*volatile f_strrchr)(const char *, int) = strrchr;
static void *(*volatile f_memset)(void *, int, size_t) = memset;
static void *(*volatile f_memcpy)(void *, const void *, size_t) = memcpy;
static void *(*volatile f_memmove)(void *, const void *, size_t) = memmove;
static char *(*volatile f_strcpy)(char *, const char *) = strcpy;
static int (*volatile f_strcmp)(const char *, const char *) = strcmp;
static int (*volatile f_strncmp)(const char *, const char *, size_t) = strncmp;
static int (*volatile f_memcmp)(const void *, const void *, size_t) = memcmp;
static char *(*volatile f_strstr)(const char *, const char *) = strstr;

static int full_mode;

struct tally {
	const char *name;
	unsigned long cases, bad;
	hash64 h;
};

static void tally_init(struct tally *t, const char *name) {
	t->name = name;
	t->cases = t->bad = 0;
	hash_init(&t->h);
}

// record adds one case; got and want are normalized results.
static void record(struct tally *t, size_t len, int sa, int da, long got, long want) {
	t->cases++;
	uint64_t v = ((uint64_t)len << 16 | (uint64_t)(sa & 0xff) << 8 | (uint64_t)(da & 0xff)) ^ (uint64_t)got << 32;
	t->h.h = (t->h.h ^ v) * 0x9e3779b97f4a7c15ULL;
	t->h.h ^= t->h.h >> 29;
	if (got != want) {
		if (t->bad < 5)
			printf("MISMATCH %s len=%zu sa=%d da=%d got=%ld want=%ld\n", t->name, len, sa, da, got, want);
		t->bad++;
	}
}

static int failures;

static void report(const struct tally *t) {
	printf("%-8s cases=%lu mismatches=%lu fnv=%016llx\n", t->name, t->cases, t->bad, (unsigned long long)t->h.h);
	if (t->bad)
		failures++;
}

// Alignment pairs for one length.
static int full_len(size_t len) {
	return full_mode || len <= 16 || len == 32;
}

static int npairs(size_t len) { return full_len(len) ? NALIGN * NALIGN : NALIGN / 4; }

static void pair(size_t len, int k, int *sa, int *da) {
	if (full_len(len)) {
		*sa = k / NALIGN;
		*da = k % NALIGN;
	} else {
		*sa = (int)((len + 4 * (size_t)k) % NALIGN);
		*da = (int)((7 * (size_t)*sa + len) % NALIGN);
	}
}

// Naive references. Volatile accesses keep the compiler from turning them
// back into calls of the functions under test.
static size_t ref_strlen(const unsigned char *s) {
	const volatile unsigned char *p = s;
	size_t n = 0;
	while (p[n])
		n++;
	return n;
}

static long ref_memchr(const unsigned char *s, int c, size_t n) {
	const volatile unsigned char *p = s;
	for (size_t i = 0; i < n; i++)
		if (p[i] == (unsigned char)c)
			return (long)i;
	return -1;
}

static long ref_strchr(const unsigned char *s, int c) {
	const volatile unsigned char *p = s;
	for (size_t i = 0;; i++) {
		if (p[i] == (unsigned char)c)
			return (long)i;
		if (!p[i])
			return -1;
	}
}

static long ref_strrchr(const unsigned char *s, int c) {
	const volatile unsigned char *p = s;
	long r = -1;
	for (size_t i = 0;; i++) {
		if (p[i] == (unsigned char)c)
			r = (long)i;
		if (!p[i])
			return r;
	}
}

static int sign(long v) { return (v > 0) - (v < 0); }

static int ref_strncmp(const unsigned char *a, const unsigned char *b, size_t n) {
	const volatile unsigned char *x = a, *y = b;
	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return sign((long)x[i] - (long)y[i]);
		if (!x[i])
			return 0;
	}
	return 0;
}

static int ref_memcmp(const unsigned char *a, const unsigned char *b, size_t n) {
	const volatile unsigned char *x = a, *y = b;
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return sign((long)x[i] - (long)y[i]);
	return 0;
}

static long ref_strstr(const unsigned char *h, const unsigned char *nd) {
	size_t hn = ref_strlen(h), nn = ref_strlen(nd);
	const volatile unsigned char *x = h, *y = nd;
	for (size_t i = 0; i + nn <= hn; i++) {
		size_t j = 0;
		while (j < nn && x[i + j] == y[j])
			j++;
		if (j == nn)
			return (long)i;
	}
	return -1;
}

static void copy_bytes(unsigned char *d, const unsigned char *s, size_t n) {
	volatile unsigned char *v = d;
	for (size_t i = 0; i < n; i++)
		v[i] = s[i];
}

// Fill helpers: bytes 1..254 (never NUL, never 0xff) with the high bit
// often set; guard bytes in dst differ from any copied byte pattern.
static void fill_src(lcg *g) {
	for (size_t i = 0; i < BUFSZ; i++)
		src[i] = (unsigned char)(1 + lcg_next(g) % 254);
}

// guardbuf holds the bytes that dst is reset to; it is filled once.
static unsigned char guardbuf[BUFSZ] __attribute__((aligned(64)));

static void init_guard(void) {
	for (size_t i = 0; i < BUFSZ; i++)
		guardbuf[i] = (unsigned char)(0xA5 ^ (i * 13));
}

// reset_dst restores the guard bytes over at least [from, from+n), whole
// 8-byte words at a time (volatile, so it stays a loop and never becomes a
// call to the memcpy under test).
static void reset_dst(size_t from, size_t n) {
	size_t lo = from / 8, hi = (from + n + 7) / 8;
	volatile uint64_t *d = (volatile uint64_t *)(void *)dst;
	const uint64_t *g = (const uint64_t *)(const void *)guardbuf;
	for (size_t i = lo; i < hi; i++)
		d[i] = g[i];
}

// check_dst verifies dst[lo, hi): bytes [off, off+n) must equal s[0, n),
// or the byte c if s is NULL; all others must still be guard bytes. It
// returns the first bad index or -1.
static long check_dst(size_t lo, size_t hi, size_t off, const unsigned char *s, int c, size_t n) {
	for (size_t i = lo; i < off; i++)
		if (dst[i] != guardbuf[i])
			return (long)i;
	for (size_t i = 0; i < n; i++)
		if (dst[off + i] != (s ? s[i] : (unsigned char)c))
			return (long)(off + i);
	for (size_t i = off + n; i < hi; i++)
		if (dst[i] != guardbuf[i])
			return (long)i;
	return -1;
}

static void test_strlen_chr(void) {
	struct tally tl, tc, tr, tm;
	tally_init(&tl, "strlen");
	tally_init(&tm, "memchr");
	tally_init(&tc, "strchr");
	tally_init(&tr, "strrchr");
	lcg g = {1};
	fill_src(&g);
	for (size_t len = 0; len <= MAXLEN; len++) {
		for (int sa = 0; sa < NALIGN; sa++) {
			unsigned char *s = src + PAD + sa;
			unsigned char saved = s[len];
			s[len] = 0;
			record(&tl, len, sa, 0, (long)f_strlen((const char *)s), (long)ref_strlen(s));

			size_t p = (len * 5 + (size_t)sa) % (len + 1);
			int c = p < len ? s[p] : 0xff; // 0xff never occurs: absent
			unsigned char *r = f_memchr(s, c, len);
			record(&tm, len, sa, 0, r ? r - s : -1, ref_memchr(s, c, len));
			r = f_memchr(s, c | 0x100, len); // only the low byte counts
			record(&tm, len, sa, 1, r ? r - s : -1, ref_memchr(s, c, len));

			char *q = f_strchr((const char *)s, c);
			record(&tc, len, sa, 0, q ? (unsigned char *)q - s : -1, ref_strchr(s, c));
			q = f_strchr((const char *)s, 0);
			record(&tc, len, sa, 1, q ? (unsigned char *)q - s : -1, (long)len);
			q = f_strrchr((const char *)s, c);
			record(&tr, len, sa, 0, q ? (unsigned char *)q - s : -1, ref_strrchr(s, c));
			q = f_strrchr((const char *)s, 0);
			record(&tr, len, sa, 1, q ? (unsigned char *)q - s : -1, (long)len);
			s[len] = saved;
		}
	}
	report(&tl);
	report(&tm);
	report(&tc);
	report(&tr);
}

static void test_memset(void) {
	struct tally t;
	tally_init(&t, "memset");
	for (size_t len = 0; len <= MAXLEN; len++) {
		for (int da = 0; da < NALIGN; da++) {
			int c = (int)(len * 7 + (size_t)da) % 256 | (da & 1 ? 0x300 : 0); // upper bits ignored
			size_t off = PAD + (size_t)da;
			reset_dst(off - 16, len + 32);
			unsigned char *r = f_memset(dst + off, c, len);
			record(&t, len, 0, da, check_dst(off - 16, off + len + 16, off, NULL, c, len), -1);
			record(&t, len, 0, da, r == dst + off, 1);
		}
	}
	report(&t);
}

static void test_copy(void) {
	struct tally tc, ts;
	tally_init(&tc, "memcpy");
	tally_init(&ts, "strcpy");
	lcg g = {2};
	fill_src(&g);
	for (size_t len = 0; len <= MAXLEN; len++) {
		for (int k = 0; k < npairs(len); k++) {
			int sa, da;
			pair(len, k, &sa, &da);
			unsigned char *s = src + PAD + sa;
			size_t off = PAD + (size_t)da;

			reset_dst(off - 16, len + 33);
			unsigned char *r = f_memcpy(dst + off, s, len);
			record(&tc, len, sa, da, check_dst(off - 16, off + len + 17, off, s, 0, len), -1);
			if (r != dst + off)
				record(&tc, len, sa, da, 0, 1);

			unsigned char saved = s[len];
			s[len] = 0;
			reset_dst(off - 16, len + 33);
			char *q = f_strcpy((char *)dst + off, (const char *)s);
			record(&ts, len, sa, da, check_dst(off - 16, off + len + 17, off, s, 0, len + 1), -1);
			if ((unsigned char *)q != dst + off)
				record(&ts, len, sa, da, 0, 1);
			s[len] = saved;
		}
	}
	report(&tc);
	report(&ts);
}

// memmove within one buffer: the destination is k = 1 + da bytes below
// (forward copy) or above (backward copy) the source.
static void test_memmove(void) {
	struct tally t;
	tally_init(&t, "memmove");
	for (size_t len = 0; len <= MAXLEN; len++) {
		for (int k = 0; k < npairs(len); k++) {
			int sa, da;
			pair(len, k, &sa, &da);
			size_t dist = 1 + (size_t)da;
			for (int dir = 0; dir < 2; dir++) {
				size_t so = PAD + (size_t)sa;
				size_t doff = dir ? so + dist : so - dist;
				size_t lo = (dir ? so : doff) - 8, hi = (dir ? doff : so) + len + 8;
				reset_dst(lo, hi - lo);
				// The source bytes before the move are guard bytes.
				unsigned char *r = f_memmove(dst + doff, dst + so, len);
				record(&t, len, sa, dir ? (int)dist : -(int)dist, check_dst(lo, hi, doff, guardbuf + so, 0, len), -1);
				if (r != dst + doff)
					record(&t, len, sa, da, 0, 1);
			}
		}
	}
	report(&t);
}

static void test_compare(void) {
	struct tally ts, tn, tm;
	tally_init(&ts, "strcmp");
	tally_init(&tn, "strncmp");
	tally_init(&tm, "memcmp");
	lcg g = {3};
	fill_src(&g);
	for (size_t len = 0; len <= MAXLEN; len++) {
		for (int k = 0; k < npairs(len); k++) {
			int sa, da;
			pair(len, k, &sa, &da);
			unsigned char *a = src + PAD + sa;
			unsigned char *b = dst + PAD + da;
			unsigned char saved = a[len];
			a[len] = 0;
			copy_bytes(b, a, len + 1);
			// The difference: at q < len, by a delta that crosses 0x80 on
			// some cases; q == len means equal strings.
			size_t q = (len * 11 + (size_t)sa * 3 + (size_t)da) % (len + 1);
			int variant = (int)((len + (size_t)k) % 3);
			if (q < len) {
				if (variant == 0)
					b[q] = (unsigned char)(b[q] % 254 + 1 == b[q] ? b[q] % 253 + 2 : b[q] % 254 + 1);
				else if (variant == 1)
					b[q] = (unsigned char)(b[q] ^ 0x80) ? (unsigned char)(b[q] ^ 0x80) : 1;
				else
					b[q] = 0; // b is a prefix of a
			}
			record(&ts, len, sa, da, sign(f_strcmp((const char *)a, (const char *)b)), ref_strncmp(a, b, (size_t)-1));
			record(&ts, len, sa, da, sign(f_strcmp((const char *)b, (const char *)a)), ref_strncmp(b, a, (size_t)-1));
			size_t n1 = q, n2 = q + 1, n3 = len + 7;
			record(&tn, len, sa, da, sign(f_strncmp((const char *)a, (const char *)b, n1)), ref_strncmp(a, b, n1));
			record(&tn, len, sa, da, sign(f_strncmp((const char *)a, (const char *)b, n2)), ref_strncmp(a, b, n2));
			record(&tn, len, sa, da, sign(f_strncmp((const char *)b, (const char *)a, n3)), ref_strncmp(b, a, n3));
			record(&tm, len, sa, da, sign(f_memcmp(a, b, len)), ref_memcmp(a, b, len));
			record(&tm, len, sa, da, sign(f_memcmp(b, a, q)), ref_memcmp(b, a, q));
			a[len] = saved;
		}
	}
	report(&ts);
	report(&tn);
	report(&tm);
}

// strstr over a two-letter alphabet, so partial matches are common.
static void test_strstr(void) {
	struct tally t;
	tally_init(&t, "strstr");
	lcg g = {4};
	for (size_t i = 0; i < BUFSZ; i++)
		hay[i] = (unsigned char)("ab"[lcg_next(&g) >> 31]);
	for (size_t len = 0; len <= MAXLEN; len++) {
		for (int k = 0; k < npairs(len); k++) {
			int sa, da;
			pair(len, k, &sa, &da);
			unsigned char *h = hay + PAD + sa;
			unsigned char saved = h[len];
			h[len] = 0;
			size_t cap = len < 40 ? len : 40;
			size_t m = (len * 7 + (size_t)sa + (size_t)da) % (cap + 1); // 0 allowed: empty needle
			size_t p = len > m ? (len * 13 + (size_t)k) % (len - m + 1) : 0;
			unsigned char *n = dst + PAD + da;
			copy_bytes(n, h + p, m);
			n[m] = 0;
			if (m > 0 && (k & 1))
				n[m - 1] = n[m - 1] == 'a' ? 'b' : 'a'; // maybe absent now
			char *r = f_strstr((const char *)h, (const char *)n);
			record(&t, len, sa, da, r ? (unsigned char *)r - h : -1, ref_strstr(h, n));
			h[len] = saved;
		}
	}
	report(&t);
}

int main(int argc, char **argv) {
	full_mode = argc > 1 && strcmp(argv[1], "full") == 0;
	init_guard();
	if (full_mode)
		puts("mode: full (every alignment pair on every length)");
	test_strlen_chr();
	test_memset();
	test_copy();
	test_memmove();
	test_compare();
	test_strstr();
	printf("functions with mismatches: %d\n", failures);
	return failures ? 1 : 0;
}
