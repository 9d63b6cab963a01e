// Copyright 2026 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// coremark: a CoreMark-like mix written for gemu (not EEMBC's code): per
// iteration it searches, reverses and merge-sorts a linked list, multiplies
// and accumulates small integer matrices, runs a character-class state
// machine over a generated input, and folds every result into a CRC-16.
// Prints the final CRC.
//
//   coremark [ITERATIONS]     (default 3000)
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint16_t crc16(uint16_t crc, uint16_t v) {
	for (int i = 0; i < 16; i++) {
		uint16_t bit = (uint16_t)((crc ^ v) & 1);
		v >>= 1;
		crc >>= 1;
		if (bit)
			crc ^= 0xa001;
	}
	return crc;
}

/* ---- linked list ---- */

struct node {
	struct node *next;
	int16_t key, val;
};

#define NODES 96
static struct node pool[NODES];

static struct node *list_init(uint16_t seed) {
	for (int i = 0; i < NODES; i++) {
		pool[i].next = i + 1 < NODES ? &pool[i + 1] : NULL;
		pool[i].key = (int16_t)i;
		pool[i].val = (int16_t)((i * 7 + seed) & 0x3ff);
	}
	return &pool[0];
}

static struct node *list_find(struct node *l, int16_t val) {
	while (l && l->val != val)
		l = l->next;
	return l;
}

static struct node *list_reverse(struct node *l) {
	struct node *prev = NULL;
	while (l) {
		struct node *n = l->next;
		l->next = prev;
		prev = l;
		l = n;
	}
	return prev;
}

typedef int (*cmpfn)(const struct node *, const struct node *);
static int by_val(const struct node *a, const struct node *b) { return a->val - b->val; }
static int by_key(const struct node *a, const struct node *b) { return a->key - b->key; }

static struct node *list_sort(struct node *l, cmpfn cmp) {
	/* bottom-up merge sort of a singly linked list */
	int k = 1;
	for (;;) {
		struct node *p = l, *head = NULL, *tail = NULL;
		int merges = 0;
		while (p) {
			merges++;
			struct node *q = p;
			int ps = 0, qs = k;
			for (int i = 0; i < k && q; i++) {
				ps++;
				q = q->next;
			}
			while (ps > 0 || (qs > 0 && q)) {
				struct node *e;
				if (ps == 0) {
					e = q, q = q->next, qs--;
				} else if (qs == 0 || !q || cmp(p, q) <= 0) {
					e = p, p = p->next, ps--;
				} else {
					e = q, q = q->next, qs--;
				}
				if (tail)
					tail->next = e;
				else
					head = e;
				tail = e;
			}
			p = q;
		}
		tail->next = NULL;
		l = head;
		if (merges <= 1)
			return l;
		k *= 2;
	}
}

static uint16_t bench_list(uint16_t crc, uint16_t seed) {
	struct node *l = list_init(seed);
	for (int i = 0; i < 8; i++) {
		struct node *f = list_find(l, (int16_t)((i * 37 + seed) & 0x3ff));
		crc = crc16(crc, f ? (uint16_t)f->key : 0xffff);
		l = list_reverse(l);
	}
	l = list_sort(l, by_val);
	crc = crc16(crc, (uint16_t)l->val);
	l = list_sort(l, by_key);
	crc = crc16(crc, (uint16_t)l->next->key);
	return crc;
}

/* ---- matrix ---- */

#define MN 12
static int16_t ma[MN][MN], mb[MN][MN];
static int32_t mc[MN][MN];

static uint16_t bench_matrix(uint16_t crc, uint16_t seed) {
	for (int i = 0; i < MN; i++)
		for (int j = 0; j < MN; j++) {
			ma[i][j] = (int16_t)((i * MN + j + seed) & 0xff);
			mb[i][j] = (int16_t)(((i + 1) * (j + 3) ^ seed) & 0xff);
		}
	for (int i = 0; i < MN; i++)
		for (int j = 0; j < MN; j++)
			ma[i][j] += (int16_t)seed;
	for (int i = 0; i < MN; i++)
		for (int j = 0; j < MN; j++) {
			int32_t s = 0;
			for (int k = 0; k < MN; k++)
				s += ma[i][k] * mb[k][j];
			mc[i][j] = s;
		}
	int32_t acc = 0;
	for (int i = 0; i < MN; i++)
		for (int j = 0; j < MN; j++)
			acc += (mc[i][j] > 40000) ? (mc[i][j] >> 3) : -(mc[i][j] & 0xf);
	return crc16(crc, (uint16_t)acc);
}

/* ---- state machine ---- */

enum { S_START, S_INT, S_FLOAT, S_EXP, S_SCI, S_INVALID, S_COUNT };

static char input[512];

static void make_input(uint16_t seed) {
	static const char *tokens[] = {"5012", "1234", "-874", "+122", "35.54", "1.0e-10", "-9.1E+3",
		"T0.3e-1F", "-T.T++Tq", "1T3.4e4z", "34.0e-T^", "0.7", "+1.25e2"};
	int n = 0;
	for (int i = 0; n < (int)sizeof input - 12; i++) {
		const char *t = tokens[(i + seed) % 13];
		while (*t)
			input[n++] = *t++;
		input[n++] = ',';
	}
	input[n] = 0;
}

static int state_step(int s, char c) {
	int digit = c >= '0' && c <= '9';
	switch (s) {
	case S_START:
		if (digit) return S_INT;
		if (c == '+' || c == '-') return S_START;
		if (c == '.') return S_FLOAT;
		return S_INVALID;
	case S_INT:
		if (digit) return S_INT;
		if (c == '.') return S_FLOAT;
		if (c == 'e' || c == 'E') return S_EXP;
		return S_INVALID;
	case S_FLOAT:
		if (digit) return S_FLOAT;
		if (c == 'e' || c == 'E') return S_EXP;
		return S_INVALID;
	case S_EXP:
		if (c == '+' || c == '-' || digit) return S_SCI;
		return S_INVALID;
	case S_SCI:
		if (digit) return S_SCI;
		return S_INVALID;
	}
	return S_INVALID;
}

static uint16_t bench_state(uint16_t crc, uint16_t seed) {
	make_input(seed);
	unsigned count[S_COUNT] = {0};
	int s = S_START;
	for (const char *p = input; *p; p++) {
		if (*p == ',') {
			count[s]++;
			s = S_START;
			continue;
		}
		s = state_step(s, *p);
	}
	for (int i = 0; i < S_COUNT; i++)
		crc = crc16(crc, (uint16_t)count[i]);
	return crc;
}

int main(int argc, char **argv) {
	int iters = argc > 1 ? atoi(argv[1]) : 3000;
	uint16_t crc = 0;
	for (int i = 0; i < iters; i++) {
		uint16_t seed = (uint16_t)i;
		crc = bench_list(crc, seed);
		crc = bench_matrix(crc, seed);
		crc = bench_state(crc, seed);
	}
	printf("coremark %d iterations: crc %04x\n", iters, crc);
	return 0;
}
