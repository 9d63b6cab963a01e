// Copyright 2026 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// hypertrace-bench: the guest side of the hypertrace benchmark. It emits N
// guest_hypertrace events through the channel with the C library, from
// client 0, and exits; it times nothing itself (bench/hypertrace.sh and
// cmd/gemu/bench_test.go time gemu running it). Run it under gemu:
//
//   gemu -hypertrace base=/tmp/ht,args=K testguests/bin/hypertrace-bench /tmp/ht N [loop]
//
// Event i carries arg1 = i and data words arg2..argK = i + 2 .. i + K,
// so a reader of the trace can check every event. For K = 1 and K = 8 the
// loop writes the data words with one statement each, as a program tracing
// that many values would; other K, or the argument "loop", write them in
// an inner loop over the words (more guest instructions and basic blocks
// per event, for measuring the interpreter). With N = 0 it only maps the
// channel: the startup cost the benchmark subtracts. Exit status 0 on
// success, 1 if the channel cannot be opened, 2 on bad arguments.
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../hypertrace/guest/qemu-hypertrace.h"

int main(int argc, char **argv) {
	if (argc != 3 && !(argc == 4 && strcmp(argv[3], "loop") == 0)) {
		fprintf(stderr, "usage: hypertrace-bench BASE N [loop]\n");
		return 2;
	}
	int loop = argc == 4;
	const char *base = argv[1];
	char *end;
	errno = 0;
	unsigned long long n = strtoull(argv[2], &end, 10);
	if (errno != 0 || *end != '\0' || end == argv[2]) {
		fprintf(stderr, "hypertrace-bench: bad event count %s\n", argv[2]);
		return 2;
	}
	if (qemu_hypertrace_init(base) != 0) {
		fprintf(stderr, "hypertrace-bench: cannot open the channel %s: %s\n", base, strerror(errno));
		return 1;
	}
	uint64_t k = qemu_hypertrace_num_args();
	volatile uint64_t *data = qemu_hypertrace_data(0);
	if (k == 1 && !loop) {
		for (uint64_t i = 0; i < n; i++)
			qemu_hypertrace(0, i);
	} else if (k == 8 && !loop) {
		// The data words written one by one, as a program tracing eight
		// values would write them.
		for (uint64_t i = 0; i < n; i++) {
			data[0] = i + 2;
			data[1] = i + 3;
			data[2] = i + 4;
			data[3] = i + 5;
			data[4] = i + 6;
			data[5] = i + 7;
			data[6] = i + 8;
			qemu_hypertrace(0, i);
		}
	} else {
		for (uint64_t i = 0; i < n; i++) {
			for (uint64_t j = 0; j + 1 < k; j++)
				data[j] = i + j + 2;
			qemu_hypertrace(0, i);
		}
	}
	qemu_hypertrace_fini();
	return 0;
}
