// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// malloc: a long malloc/calloc/realloc/free loop over 512 slots with sizes
// from 1 byte to 1 MiB (large blocks make the allocator use mmap and
// mremap), every block filled with a pattern tied to its slot and checked
// before it is resized or freed. It prints counters and a hash of the
// contents, never an address.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest.h"

#define SLOTS 512
#define ROUNDS 20000

struct slot {
	unsigned char *p;
	size_t n;
	unsigned seed;
};

static inline unsigned char pat(size_t i, unsigned seed) {
	return (unsigned char)((i * 131u) ^ seed ^ (i >> 8));
}

// Positions that are filled and checked: every byte of blocks up to 256
// bytes; the first and last 64 bytes and every 251st byte of larger ones.
static inline int checked(size_t i, size_t n) {
	return n <= 256 || i < 64 || i >= n - 64 || i % 251 == 0;
}

// next_checked returns the first checked position >= i in a block of n.
static inline size_t next_checked(size_t i, size_t n) {
	if (checked(i, n))
		return i;
	size_t j = (i + 250) / 251 * 251;
	return j < n - 64 ? j : n - 64;
}

static void fill(struct slot *s) {
	for (size_t i = 0; i < s->n; i = next_checked(i + 1, s->n))
		s->p[i] = pat(i, s->seed);
}

static int verify(const struct slot *s) {
	for (size_t i = 0; i < s->n; i = next_checked(i + 1, s->n))
		if (s->p[i] != pat(i, s->seed))
			return 0;
	return 1;
}

static size_t pick_size(lcg *g) {
	uint32_t r = lcg_next(g) % 1000;
	if (r < 700)
		return 1 + lcg_next(g) % 256;
	if (r < 950)
		return 257 + lcg_next(g) % 16384;
	if (r < 995)
		return 16641 + lcg_next(g) % (128 << 10);
	return (128 << 10) + lcg_next(g) % (1 << 20); // > 128 KiB: mmap territory
}

int main(void) {
	static struct slot slots[SLOTS];
	lcg g = {2024};
	unsigned long n_malloc = 0, n_calloc = 0, n_realloc = 0, n_free = 0, bad = 0, big = 0;
	for (unsigned round = 0; round < ROUNDS; round++) {
		struct slot *s = &slots[lcg_next(&g) % SLOTS];
		if (!s->p) {
			size_t n = pick_size(&g);
			if (n > (128 << 10))
				big++;
			if (lcg_next(&g) % 4 == 0) {
				s->p = calloc(1, n);
				n_calloc++;
				if (s->p)
					for (size_t i = 0; i < n; i += (n > 256 ? 61 : 1))
						bad += s->p[i] != 0;
			} else {
				s->p = malloc(n);
				n_malloc++;
			}
			if (!s->p) {
				printf("allocation of %zu failed\n", n);
				return 1;
			}
			s->n = n;
			s->seed = round;
			fill(s);
			continue;
		}
		if (!verify(s)) {
			bad++;
			printf("round %u: block of %zu bytes corrupted\n", round, s->n);
		}
		if (lcg_next(&g) % 3 == 0) {
			size_t n = pick_size(&g);
			unsigned char *q = realloc(s->p, n);
			n_realloc++;
			if (!q) {
				printf("realloc to %zu failed\n", n);
				return 1;
			}
			size_t keep = n < s->n ? n : s->n;
			s->p = q;
			size_t old = s->n;
			s->n = n;
			// The kept prefix must survive: check the positions that were
			// filled in the old block.
			for (size_t i = 0; i < keep; i = next_checked(i + 1, old))
				if (q[i] != pat(i, s->seed))
					bad++;
			fill(s);
		} else {
			free(s->p);
			n_free++;
			s->p = NULL;
		}
	}
	hash64 h;
	hash_init(&h);
	size_t live = 0, live_bytes = 0;
	for (int i = 0; i < SLOTS; i++) {
		struct slot *s = &slots[i];
		if (!s->p)
			continue;
		if (!verify(s))
			bad++;
		live++;
		live_bytes += s->n;
		hash_u64(&h, s->n);
		hash_bytes(&h, s->p, s->n < 64 ? s->n : 64);
		free(s->p);
	}
	// A few classic corner cases.
	void *z = malloc(0);
	free(z);
	free(NULL);
	void *r = realloc(NULL, 100);
	printf("realloc(NULL, 100): %s\n", r ? "allocated" : "NULL");
	free(r);
	char *a = malloc(10);
	strcpy(a, "123456789");
	a = realloc(a, 5);
	printf("shrunk keeps prefix: %.5s\n", a);
	free(a);

	printf("malloc=%lu calloc=%lu realloc=%lu free=%lu big=%lu\n", n_malloc, n_calloc, n_realloc, n_free, big);
	printf("live=%zu live_bytes=%zu fnv=%016llx\n", live, live_bytes, (unsigned long long)h.h);
	printf("corruptions: %lu\n", bad);
	return bad ? 1 : 0;
}
