// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// qsort: sorts 10000 pseudo-random ints (fixed LCG seed) and 3000
// pseudo-random strings with qsort(3), checks the order, looks a few keys up
// with bsearch(3), and prints hashes of the sorted data plus samples.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest.h"

#define NINTS 10000
#define NSTRS 3000

static int cmp_int(const void *a, const void *b) {
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b) {
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void) {
	lcg g = {12345};
	static int v[NINTS];
	for (int i = 0; i < NINTS; i++)
		v[i] = (int)lcg_next(&g) % 100000 - 50000; // negatives and duplicates
	qsort(v, NINTS, sizeof v[0], cmp_int);
	int sorted = 1;
	hash64 h;
	hash_init(&h);
	for (int i = 0; i < NINTS; i++) {
		if (i && v[i - 1] > v[i])
			sorted = 0;
		hash_u64(&h, (uint64_t)(int64_t)v[i]);
	}
	printf("ints: sorted=%s fnv=%016llx\n", sorted ? "yes" : "NO", (unsigned long long)h.h);
	printf("ints: min=%d median=%d max=%d\n", v[0], v[NINTS / 2], v[NINTS - 1]);
	for (int k = 0; k < 5; k++) {
		int key = v[k * 1999];
		int *p = bsearch(&key, v, NINTS, sizeof v[0], cmp_int);
		printf("bsearch %d: %s\n", key, p && *p == key ? "found" : "MISSING");
	}
	int absent = 50001;
	printf("bsearch %d: %s\n", absent, bsearch(&absent, v, NINTS, sizeof v[0], cmp_int) ? "FOUND" : "absent");

	static char *s[NSTRS];
	for (int i = 0; i < NSTRS; i++) {
		int n = 1 + (int)(lcg_next(&g) % 20);
		s[i] = malloc((size_t)n + 1);
		for (int j = 0; j < n; j++)
			s[i][j] = (char)('a' + lcg_next(&g) % 6); // small alphabet: shared prefixes
		s[i][n] = 0;
	}
	qsort(s, NSTRS, sizeof s[0], cmp_str);
	sorted = 1;
	hash_init(&h);
	for (int i = 0; i < NSTRS; i++) {
		if (i && strcmp(s[i - 1], s[i]) > 0)
			sorted = 0;
		hash_bytes(&h, s[i], strlen(s[i]) + 1);
	}
	printf("strings: sorted=%s fnv=%016llx\n", sorted ? "yes" : "NO", (unsigned long long)h.h);
	printf("strings: first=%s last=%s middle=%s\n", s[0], s[NSTRS - 1], s[NSTRS / 2]);
	for (int i = 0; i < NSTRS; i++)
		free(s[i]);

	// Sorting structs by two keys with a stable tie-break on the index.
	struct rec {
		int key;
		int idx;
	} r[500];
	for (int i = 0; i < 500; i++)
		r[i] = (struct rec){(int)(lcg_next(&g) % 10), i};
	qsort(r, 500, sizeof r[0], cmp_int); // compares key only: ties unordered
	int keys_sorted = 1;
	long idx_sum = 0;
	for (int i = 0; i < 500; i++) {
		if (i && r[i - 1].key > r[i].key)
			keys_sorted = 0;
		idx_sum += r[i].idx;
	}
	printf("records: keys sorted=%s index sum=%ld\n", keys_sorted ? "yes" : "NO", idx_sum);
	return sorted ? 0 : 1;
}
