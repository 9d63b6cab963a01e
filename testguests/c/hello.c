// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// hello: the smallest libc guest. It prints one greeting line.
#include <stdio.h>

int main(void) {
	puts("Hello from a gemu test guest!");
	return 0;
}
