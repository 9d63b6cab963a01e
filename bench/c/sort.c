// Copyright 2026 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// sort: sorts pseudo-random arrays with a hand-written quicksort (median of
// three, insertion sort for short runs), a bottom-up merge sort and libc's
// qsort, and checks each result. Prints one checksum line.
//
//   sort [ROUNDS]     (default 12)
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 50000

static uint32_t rng = 12345;
static uint32_t next(void) {
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void isort(int32_t *a, int n) {
	for (int i = 1; i < n; i++) {
		int32_t v = a[i];
		int j = i - 1;
		while (j >= 0 && a[j] > v) {
			a[j + 1] = a[j];
			j--;
		}
		a[j + 1] = v;
	}
}

static void quick(int32_t *a, int n) {
	while (n > 16) {
		int m = n / 2;
		if (a[0] > a[m]) { int32_t t = a[0]; a[0] = a[m]; a[m] = t; }
		if (a[m] > a[n - 1]) { int32_t t = a[m]; a[m] = a[n - 1]; a[n - 1] = t; }
		if (a[0] > a[m]) { int32_t t = a[0]; a[0] = a[m]; a[m] = t; }
		int32_t p = a[m];
		int i = 0, j = n - 1;
		for (;;) {
			while (a[i] < p) i++;
			while (a[j] > p) j--;
			if (i >= j) break;
			int32_t t = a[i]; a[i] = a[j]; a[j] = t;
			i++, j--;
		}
		if (j + 1 < n - j - 1) {
			quick(a, j + 1);
			a += j + 1, n -= j + 1;
		} else {
			quick(a + j + 1, n - j - 1);
			n = j + 1;
		}
	}
	isort(a, n);
}

static void merge(int32_t *a, int32_t *tmp, int n) {
	for (int w = 1; w < n; w *= 2) {
		for (int lo = 0; lo < n; lo += 2 * w) {
			int mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			int i = lo, j = mid, k = lo;
			while (i < mid && j < hi) tmp[k++] = a[i] <= a[j] ? a[i++] : a[j++];
			while (i < mid) tmp[k++] = a[i++];
			while (j < hi) tmp[k++] = a[j++];
		}
		memcpy(a, tmp, n * sizeof *a);
	}
}

static int cmp(const void *x, const void *y) {
	int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;
	return (a > b) - (a < b);
}

static uint64_t check(const int32_t *a, int n) {
	uint64_t h = 0;
	for (int i = 0; i < n; i++) {
		if (i > 0 && a[i - 1] > a[i]) {
			printf("unsorted at %d\n", i);
			exit(1);
		}
		h = h * 31 + (uint32_t)a[i];
	}
	return h;
}

int main(int argc, char **argv) {
	int rounds = argc > 1 ? atoi(argv[1]) : 12;
	static int32_t a[N], b[N], tmp[N];
	uint64_t sum = 0;
	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < N; i++)
			a[i] = (int32_t)(next() % 1000000) - 500000;
		memcpy(b, a, sizeof a);
		switch (r % 3) {
		case 0: quick(b, N); break;
		case 1: merge(b, tmp, N); break;
		default: qsort(b, N, sizeof *b, cmp); break;
		}
		sum += check(b, N);
	}
	printf("sort %d rounds: %016llx\n", rounds, (unsigned long long)sum);
	return 0;
}
