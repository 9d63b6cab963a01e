// Copyright 2026 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// hypertrace-rules: exercises every rule of the hypertrace protocol from a
// real guest. Usage: hypertrace-rules BASE TEST, where TEST is one of
//
//   interleaved   A arms, B arms, A fires, B fires (needs max-clients >= 2)
//   all           every client fires once, arg1 = 0xc0+client
//   sequence N    N events round-robin over the clients, arg1 = i
//   protocol      out-of-protocol stores (emit nothing, land in memory),
//                 then one valid event with arg1 = 0x600d
//   badmap        control mappings with a bad length / offset / MAP_PRIVATE
//                 (each must fail with EINVAL), then one valid mapping
//   remap         munmap the control mapping, map anonymous memory there,
//                 store into it, map the control file again, fire
//   mprotect      make the control mapping read-only and store into it
//                 (killed by SIGSEGV, as natively)
//   read          read() from a file into a control slot (lands, no event)
//   wait          fire one event (arg1 = 0x3a17), print "waiting", then block
//                 reading stdin until it is closed
//
// Data words of client c are arg2.. = 0xd0000 + 0x100*c + i. The program
// prints what it checked; every check's failure exits 1.
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../hypertrace/guest/qemu-hypertrace.h"

static const char *base;

static void check(int ok, const char *what) {
	if (!ok) {
		printf("FAIL: %s (errno %d %s)\n", what, errno, strerror(errno));
		exit(1);
	}
	printf("ok: %s\n", what);
}

static volatile uint64_t *half1, *half2;

static void set_data(uint64_t c) {
	uint64_t *d = qemu_hypertrace_data(c);
	for (uint64_t i = 0; i + 1 < qemu_hypertrace_num_args(); i++)
		d[i] = 0xd0000 + 0x100 * c + i;
}

static int open_control(void) {
	char path[4096];
	snprintf(path, sizeof path, "%s-control", base);
	return open(path, O_RDWR);
}

int main(int argc, char **argv) {
	if (argc < 3) {
		fprintf(stderr, "usage: hypertrace-rules BASE TEST [N]\n");
		return 2;
	}
	base = argv[1];
	const char *test = argv[2];
	check(qemu_hypertrace_init(base) == 0, "channel mapped");
	uint64_t n = qemu_hypertrace_max_clients();
	uint64_t csize = gemu_hypertrace_state__.config.control_size;
	half1 = gemu_hypertrace_state__.control;
	half2 = half1 + csize / 2 / 8;

	if (!strcmp(test, "interleaved")) {
		set_data(0);
		half1[0] = 0xa1;
		set_data(1);
		half1[1] = 0xb1;
		half2[0] = 0;
		half2[1] = 0;
		check(1, "A armed, B armed, A fired, B fired");
	} else if (!strcmp(test, "all")) {
		for (uint64_t c = 0; c < n; c++) {
			set_data(c);
			qemu_hypertrace(c, 0xc0 + c);
		}
		check(1, "every client fired once");
	} else if (!strcmp(test, "sequence")) {
		long count = argc > 3 ? atol(argv[3]) : 10000;
		for (long i = 0; i < count; i++) {
			uint64_t c = (uint64_t)i % n;
			set_data(c);
			qemu_hypertrace(c, (uint64_t)i);
		}
		check(1, "sequence fired");
	} else if (!strcmp(test, "protocol")) {
		volatile unsigned char *b1 = (volatile unsigned char *)half1;
		half2[0] = 7; // phase 2 first: nothing
		*(volatile uint32_t *)half1 = 0x11; // narrow store
		*(volatile uint64_t *)(b1 + 4) = 0x22; // misaligned
		*(volatile uint64_t *)(b1 + csize / 2 - 4) = 0x33; // straddles the halves
		if (n * 8 < csize / 2)
			half1[n] = 0x44; // slot beyond max-clients, inside the page
		check(*(volatile uint32_t *)(b1 + csize / 2 - 4) == 0x33, "out-of-protocol stores landed");
		half1[0] = 0x55; // armed, never fired: the next event replaces it
		set_data(0);
		qemu_hypertrace(0, 0x600d);
		check(1, "valid event after out-of-protocol stores");
	} else if (!strcmp(test, "badmap")) {
		int fd = open_control();
		check(fd >= 0, "control file opened");
		void *p = mmap(NULL, csize / 2, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		check(p == MAP_FAILED && errno == EINVAL, "half-length control mapping refused with EINVAL");
		p = mmap(NULL, csize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 4096);
		check(p == MAP_FAILED && errno == EINVAL, "offset control mapping refused with EINVAL");
		p = mmap(NULL, csize, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		check(p == MAP_FAILED && errno == EINVAL, "private control mapping refused with EINVAL");
		p = mmap(NULL, csize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		check(p != MAP_FAILED, "second control mapping accepted");
		volatile uint64_t *h1 = p;
		set_data(0);
		h1[0] = 0x5ec0; // arm through the second mapping
		half2[0] = 0;   // fire through the first
		check(1, "armed through one mapping, fired through the other");
	} else if (!strcmp(test, "remap")) {
		void *at = (void *)half1;
		check(munmap(at, csize) == 0, "control unmapped");
		void *p = mmap(at, csize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		check(p == at, "anonymous memory at the old address");
		((volatile uint64_t *)p)[0] = 1;
		((volatile uint64_t *)p)[csize / 2 / 8] = 1;
		check(munmap(p, csize) == 0, "anonymous memory unmapped");
		int fd = open_control();
		p = mmap(at, csize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
		check(p == at, "control mapped again at the same address");
		set_data(0);
		qemu_hypertrace(0, 0x4e3);
		check(1, "event through the new mapping");
	} else if (!strcmp(test, "mprotect")) {
		check(mprotect((void *)half1, csize, PROT_READ) == 0, "control made read-only");
		fflush(stdout);
		half1[0] = 1; // SIGSEGV
		check(0, "store to a read-only control page did not fault");
	} else if (!strcmp(test, "read")) {
		int fds[2];
		check(pipe(fds) == 0, "pipe");
		uint64_t v = 0x77;
		check(write(fds[1], &v, 8) == 8, "pipe written");
		half1[0] = 0x66;
		check(read(fds[0], (void *)&half2[0], 8) == 8, "read() into half2[0]");
		check(half2[0] == 0x77, "the kernel's write landed");
	} else if (!strcmp(test, "wait")) {
		set_data(0);
		qemu_hypertrace(0, 0x3a17);
		printf("waiting\n");
		fflush(stdout);
		char buf[64];
		while (read(0, buf, sizeof buf) > 0)
			;
	} else {
		fprintf(stderr, "unknown test %s\n", test);
		return 2;
	}
	qemu_hypertrace_fini();
	return 0;
}
