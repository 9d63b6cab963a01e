// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// exitcode: exits through exit(3) with the status given in argv[1]. The
// kernel keeps the low 8 bits, so 256 is seen by the parent as 0.
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
	if (argc < 2) {
		puts("usage: exitcode STATUS");
		return 2;
	}
	int status = atoi(argv[1]);
	printf("exiting with %d\n", status);
	fflush(stdout);
	exit(status);
}
