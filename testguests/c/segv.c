// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// segv: a store through a bad pointer, which the kernel answers with
// SIGSEGV (exit status 139 as seen by a shell). argv[1] picks the pointer:
// "null" (default) stores to address 0; "unmapped" stores into a page that
// was mapped and then unmapped; "read" loads from address 0.
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv) {
	const char *mode = argc > 1 ? argv[1] : "null";
	volatile int *p = NULL;
	if (strcmp(mode, "unmapped") == 0) {
		void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED || munmap(m, 4096) != 0) {
			puts("mmap/munmap failed");
			return 1;
		}
		p = (volatile int *)m + 10;
	}
	printf("segv: about to fault (%s)\n", mode);
	fflush(stdout);
	if (strcmp(mode, "read") == 0)
		return *p;
	*p = 42;
	puts("segv: still alive after the store (wrong)");
	return 1;
}
