// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// mprotect_segv: a page is written, made read-only with mprotect, read
// back, and written again; the second write must raise SIGSEGV (exit status
// 139). Everything before the fault is printed and flushed.
#include <stdio.h>
#include <sys/mman.h>

int main(void) {
	volatile unsigned char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		puts("mmap failed");
		return 1;
	}
	p[4096 + 5] = 0x5a;
	p[0] = 1;
	if (mprotect((void *)(p + 4096), 4096, PROT_READ) != 0) {
		puts("mprotect failed");
		return 1;
	}
	printf("read back after PROT_READ: 0x%02x\n", p[4096 + 5]);
	p[1] = 2; // the other page stays writable
	printf("first page still writable: %d %d\n", p[0], p[1]);
	puts("writing to the read-only page");
	fflush(stdout);
	p[4096 + 5] = 0xa5;
	puts("still alive after the write (wrong)");
	return 1;
}
