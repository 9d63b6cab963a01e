// Copyright 2026 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// hypertrace-threads: T threads (argv[2], default 4), each its own
// hypertrace client c, emit N events each (argv[3], default 100000):
// event i of client c has arg1 = c<<32 | i and data words (arg2..argK)
// arg1 ^ 0x5a5a5a5a00000000 + j for word j, so every event can be checked
// for mixing. Run under gemu -hypertrace BASE,max-clients=T,args=K.
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../hypertrace/guest/qemu-hypertrace.h"

static long nevents = 100000;

static void *worker(void *arg) {
	uint64_t c = (uint64_t)(uintptr_t)arg;
	uint64_t k = qemu_hypertrace_num_args();
	uint64_t *data = qemu_hypertrace_data(c);
	for (long i = 0; i < nevents; i++) {
		uint64_t a1 = c << 32 | (uint64_t)i;
		for (uint64_t j = 0; j + 1 < k; j++)
			data[j] = (a1 ^ 0x5a5a5a5a00000000ULL) + j;
		qemu_hypertrace(c, a1);
	}
	return NULL;
}

int main(int argc, char **argv) {
	if (argc < 2) {
		fprintf(stderr, "usage: hypertrace-threads BASE [THREADS [EVENTS]]\n");
		return 2;
	}
	int threads = argc > 2 ? atoi(argv[2]) : 4;
	if (argc > 3)
		nevents = atol(argv[3]);
	if (qemu_hypertrace_init(argv[1]) != 0) {
		fprintf(stderr, "hypertrace-threads: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if ((uint64_t)threads > qemu_hypertrace_max_clients()) {
		fprintf(stderr, "hypertrace-threads: %d threads but max-clients=%" PRIu64 "\n", threads,
			qemu_hypertrace_max_clients());
		return 2;
	}
	pthread_t t[64];
	for (int i = 0; i < threads && i < 64; i++)
		pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)i);
	for (int i = 0; i < threads && i < 64; i++)
		pthread_join(t[i], NULL);
	printf("hypertrace-threads: %d threads x %ld events\n", threads, nevents);
	return 0;
}
