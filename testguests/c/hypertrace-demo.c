// Copyright 2026 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// hypertrace-demo: emits one guest_hypertrace event per client through the
// hypertrace channel. Run it under gemu:
//
//   gemu -hypertrace base=/tmp/ht,max-clients=4 testguests/bin/hypertrace-demo
//
// argv[1] overrides the channel's base path (default /tmp/ht). Client c
// fires arg1 = 0x1000+c with data words arg2.. = 0x100*(c+1) + 2, 3, ...
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../../hypertrace/guest/qemu-hypertrace.h"

int main(int argc, char **argv) {
	const char *base = argc > 1 ? argv[1] : "/tmp/ht";
	if (qemu_hypertrace_init(base) != 0) {
		fprintf(stderr, "hypertrace-demo: cannot open the channel %s: %s (run me under gemu -hypertrace base=%s)\n",
			base, strerror(errno), base);
		return 1;
	}
	uint64_t clients = qemu_hypertrace_max_clients(), args = qemu_hypertrace_num_args();
	printf("hypertrace-demo: channel %s, %" PRIu64 " clients, %" PRIu64 " argument(s) per event\n", base, clients, args);
	fflush(stdout);
	for (uint64_t c = 0; c < clients && c < 8; c++) {
		uint64_t *data = qemu_hypertrace_data(c);
		for (uint64_t i = 0; i + 1 < args; i++)
			data[i] = 0x100 * (c + 1) + i + 2;
		qemu_hypertrace(c, 0x1000 + c);
		printf("hypertrace-demo: client %" PRIu64 " fired arg1=%#" PRIx64 "\n", c, 0x1000 + c);
		fflush(stdout);
	}
	qemu_hypertrace_fini();
	return 0;
}
