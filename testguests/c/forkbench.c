// Copyright 2026 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// forkbench N: touches every page of a 512 MiB heap, then forks N times;
// each child checks a few heap words and exits, the parent waits. Prints
// the mean time of one fork + child exit + wait in microseconds (for
// cmd/gemu's BenchmarkFork512MiB and natively for comparison), and exits 1
// if a child saw wrong heap contents.
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HEAP (512UL << 20)
#define PAGE 4096UL

static long long now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
	long n = argc > 1 ? atol(argv[1]) : 10;
	unsigned char *heap = malloc(HEAP);
	if (!heap)
		return 2;
	for (unsigned long i = 0; i < HEAP / PAGE; i++)
		heap[i * PAGE] = (unsigned char)i;
	long long total = 0;
	int bad = 0;
	for (long k = 0; k < n; k++) {
		long long t0 = now_ns();
		pid_t p = fork();
		if (p == 0) {
			unsigned long pages = HEAP / PAGE;
			_exit(heap[7 * PAGE] != 7 || heap[(pages - 1) * PAGE] != (unsigned char)(pages - 1));
		}
		int st;
		waitpid(p, &st, 0);
		total += now_ns() - t0;
		bad += !WIFEXITED(st) || WEXITSTATUS(st) != 0;
	}
	printf("%ld forks of a 512 MiB heap: %.1f us each\n", n, n ? total / 1000.0 / n : 0.0);
	return bad != 0;
}
