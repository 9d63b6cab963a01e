// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// divzero: an integer division that raises #DE, which the kernel delivers as
// SIGFPE (exit status 136). argv[1] picks it: "zero" (default) divides by
// zero; "overflow" divides INT64_MIN by -1, whose quotient does not fit.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
	const char *mode = argc > 1 ? argv[1] : "zero";
	volatile int64_t a = 1, b = 0;
	if (strcmp(mode, "overflow") == 0) {
		a = INT64_MIN;
		b = -1;
	}
	printf("divzero: about to divide (%s)\n", mode);
	fflush(stdout);
	volatile int64_t q = a / b;
	printf("divzero: still alive, quotient %lld (wrong)\n", (long long)q);
	return 1;
}
