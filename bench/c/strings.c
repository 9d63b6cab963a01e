// Copyright 2026 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// strings: libc string work — memcpy of large and small blocks, memset,
// strlen, strcmp, strchr, memchr and a word split — over a generated text.
// Prints one checksum line.
//
//   strings [ROUNDS]     (default 60)
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT 65536

static char text[TEXT + 1], copy[TEXT + 1], words[4096][32];

int main(int argc, char **argv) {
	int rounds = argc > 1 ? atoi(argv[1]) : 60;
	static const char *vocab[] = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta",
		"theta", "iota", "kappa", "lambda", "mu", "emulator", "interpreter", "x86", "gemu"};
	uint32_t rng = 7;
	size_t n = 0;
	while (n < TEXT - 16) {
		rng = rng * 1103515245u + 12345u;
		const char *w = vocab[(rng >> 16) & 15];
		size_t l = strlen(w);
		memcpy(text + n, w, l);
		n += l;
		text[n++] = (rng >> 8) % 11 == 0 ? '\n' : ' ';
	}
	text[n] = 0;
	uint64_t sum = 0;
	for (int r = 0; r < rounds; r++) {
		memcpy(copy, text, n + 1);
		copy[r % n] = 'A' + r % 26;
		sum += strlen(copy);
		sum += strcmp(copy, text) < 0 ? 1 : 2;
		int nw = 0;
		char *p = copy;
		while (*p && nw < 4096) {
			char *sp = strchr(p, ' ');
			if (!sp)
				break;
			size_t l = (size_t)(sp - p);
			if (l > 31)
				l = 31;
			memcpy(words[nw], p, l);
			words[nw][l] = 0;
			nw++;
			p = sp + 1;
		}
		for (int i = 1; i < nw; i++)
			sum += (uint64_t)(strcmp(words[i - 1], words[i]) + 2);
		for (int i = 0; i < nw; i++)
			sum += strlen(words[i]);
		const char *q = copy;
		while ((q = memchr(q, '\n', (size_t)(copy + n - q))) != NULL) {
			sum += (uint64_t)(q - copy);
			q++;
		}
		for (int k = 0; k < 8; k++) {
			memset(copy, 'a' + k, n);
			memcpy(copy + 1, text, n - 1);
			sum += (uint8_t)copy[(k * 977) % n];
		}
	}
	printf("strings %d rounds: %016llx\n", rounds, (unsigned long long)sum);
	return 0;
}
