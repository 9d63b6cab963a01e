// Copyright 2026 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// inthash: integer hashing. Mixes a buffer with a 64-bit multiply-xorshift
// hash, FNV-1a and CRC-32 (bitwise), then fills and probes an
// open-addressing hash table. Prints one checksum line.
//
//   inthash [ROUNDS]     (default 40)
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define WORDS 4096
#define TABLE 16384 /* power of two, load factor 0.5 */

static uint64_t mix64(uint64_t x) {
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static uint32_t fnv1a(const uint8_t *p, size_t n) {
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

static uint32_t crc32(const uint8_t *p, size_t n) {
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & -(c & 1));
	}
	return ~c;
}

static uint64_t keys[TABLE];
static uint32_t vals[TABLE];

static void put(uint64_t k, uint32_t v) {
	uint64_t i = mix64(k) & (TABLE - 1);
	while (keys[i] != 0 && keys[i] != k)
		i = (i + 1) & (TABLE - 1);
	keys[i] = k;
	vals[i] = v;
}

static uint32_t get(uint64_t k) {
	uint64_t i = mix64(k) & (TABLE - 1);
	while (keys[i] != 0) {
		if (keys[i] == k)
			return vals[i];
		i = (i + 1) & (TABLE - 1);
	}
	return 0;
}

int main(int argc, char **argv) {
	int rounds = argc > 1 ? atoi(argv[1]) : 40;
	static uint64_t buf[WORDS];
	uint64_t seed = 0x9e3779b97f4a7c15ULL, sum = 0;
	for (int i = 0; i < WORDS; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		buf[i] = seed;
	}
	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < WORDS; i++)
			buf[i] = mix64(buf[i] + (uint64_t)r);
		sum += fnv1a((const uint8_t *)buf, sizeof buf);
		sum += crc32((const uint8_t *)buf, 2048);
		for (int i = 0; i < TABLE; i++)
			keys[i] = 0;
		for (int i = 0; i < TABLE / 2; i++)
			put(buf[i % WORDS] | 1, (uint32_t)i);
		for (int i = 0; i < TABLE / 2; i++)
			sum += get(buf[(i * 7) % WORDS] | 1);
	}
	printf("inthash %d rounds: %016llx\n", rounds, (unsigned long long)sum);
	return 0;
}
