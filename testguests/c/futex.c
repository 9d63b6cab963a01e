// Copyright 2026 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// futex: the futex operations, through the raw system call, with threads
// to wait and wake. Waiters are given time (usleep) to block before they
// are woken, so the counts printed are the same on every run.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

// From <linux/futex.h> (musl-gcc has no kernel headers).
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129
#define FUTEX_CMP_REQUEUE_PRIVATE 132
#define FUTEX_WAKE_OP_PRIVATE 133
#define FUTEX_WAIT_BITSET_PRIVATE 137
#define FUTEX_WAKE_BITSET_PRIVATE 138
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_BITSET_MATCH_ANY 0xffffffff
#define FUTEX_OP_ADD 1
#define FUTEX_OP_CMP_EQ 0
#define FUTEX_OP(op, oparg, cmp, cmparg) \
	((((op) & 0xf) << 28) | (((cmp) & 0xf) << 24) | (((oparg) & 0xfff) << 12) | ((cmparg) & 0xfff))

static long futex(volatile uint32_t *uaddr, int op, uint32_t val, const struct timespec *ts, volatile uint32_t *uaddr2,
		  uint32_t val3) {
	return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

static const char *err(long r) {
	if (r >= 0)
		return "ok";
	switch (errno) {
	case EAGAIN:
		return "EAGAIN";
	case ETIMEDOUT:
		return "ETIMEDOUT";
	case EINTR:
		return "EINTR";
	case EINVAL:
		return "EINVAL";
	}
	return "other";
}

static volatile uint32_t fa, fb;
static volatile int woke[8];

struct waitarg {
	volatile uint32_t *addr;
	int op;
	uint32_t bitset;
	int idx;
};

static void *waiter(void *p) {
	struct waitarg *a = p;
	long r = futex(a->addr, a->op, 0, NULL, NULL, a->bitset);
	woke[a->idx] = r == 0 ? 1 : -1;
	return NULL;
}

static void spawn(pthread_t *t, struct waitarg *a) {
	pthread_create(t, NULL, waiter, a);
}

static int count_woke(int n) {
	int c = 0;
	for (int i = 0; i < n; i++)
		c += woke[i] == 1;
	return c;
}

static void on_usr1(int sig) { (void)sig; }
static void *interrupted_waiter(void *p) {
	(void)p;
	long r = futex(&fa, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	woke[0] = r < 0 && errno == EINTR ? 2 : (int)r;
	return NULL;
}

static void *lock_and_exit(void *m) {
	pthread_mutex_lock(m);
	return NULL;
}

int main(void) {
	// Plain waits that return at once.
	fa = 1;
	long r = futex(&fa, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	printf("wait on changed value: %s\n", err(r));
	fa = 0;
	struct timespec rel = {0, 20 * 1000 * 1000};
	r = futex(&fa, FUTEX_WAIT_PRIVATE, 0, &rel, NULL, 0);
	printf("wait with 20ms timeout: %s\n", err(r));
	struct timespec past = {0, 1};
	r = futex(&fa, FUTEX_WAIT_BITSET_PRIVATE, 0, &past, NULL, FUTEX_BITSET_MATCH_ANY);
	printf("wait_bitset absolute deadline in the past: %s\n", err(r));
	r = futex(&fa, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, &past, NULL, FUTEX_BITSET_MATCH_ANY);
	printf("wait_bitset realtime deadline in the past: %s\n", err(r));
	r = futex(&fa, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, NULL, 0);
	printf("wait_bitset with bitset 0: %s\n", err(r));
	r = futex(&fa, FUTEX_WAKE_PRIVATE, 5, NULL, NULL, 0);
	printf("wake with no waiters: %ld\n", r);

	// Wake one of three.
	pthread_t t[8];
	struct waitarg a[8];
	memset((void *)woke, 0, sizeof woke);
	for (int i = 0; i < 3; i++) {
		a[i] = (struct waitarg){&fa, FUTEX_WAIT_PRIVATE, 0, i};
		spawn(&t[i], &a[i]);
	}
	usleep(50000);
	r = futex(&fa, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	usleep(50000);
	printf("wake 1 of 3: returned %ld, woken %d\n", r, count_woke(3));
	r = futex(&fa, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	printf("wake the rest: returned %ld, woken %d\n", r, count_woke(3));

	// Bitsets.
	memset((void *)woke, 0, sizeof woke);
	a[0] = (struct waitarg){&fa, FUTEX_WAIT_BITSET_PRIVATE, 0x1, 0};
	a[1] = (struct waitarg){&fa, FUTEX_WAIT_BITSET_PRIVATE, 0x2, 1};
	spawn(&t[0], &a[0]);
	spawn(&t[1], &a[1]);
	usleep(50000);
	long r1 = futex(&fa, FUTEX_WAKE_BITSET_PRIVATE, 10, NULL, NULL, 0x2);
	usleep(50000);
	int after1 = count_woke(2);
	long r2 = futex(&fa, FUTEX_WAKE_BITSET_PRIVATE, 10, NULL, NULL, 0x1);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	printf("wake_bitset 0x2: %ld (woken %d), then 0x1: %ld\n", r1, after1, r2);

	// Requeue three waiters from fa to fb: wake 1, move 2.
	memset((void *)woke, 0, sizeof woke);
	for (int i = 0; i < 3; i++) {
		a[i] = (struct waitarg){&fa, FUTEX_WAIT_PRIVATE, 0, i};
		spawn(&t[i], &a[i]);
	}
	usleep(50000);
	r = futex(&fa, FUTEX_CMP_REQUEUE_PRIVATE, 1, (const struct timespec *)(uintptr_t)2, &fb, 99);
	printf("cmp_requeue with a wrong value: %s\n", err(r));
	r = futex(&fa, FUTEX_CMP_REQUEUE_PRIVATE, 1, (const struct timespec *)(uintptr_t)2, &fb, 0);
	usleep(50000);
	int requeued_woken = count_woke(3);
	long on_a = futex(&fa, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0);
	long on_b = futex(&fb, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	printf("cmp_requeue: returned %ld, woken %d, then wake a=%ld b=%ld\n", r, requeued_woken, on_a, on_b);

	// WAKE_OP: fb += 1 and, since its old value was 0, wake fb's waiter too.
	memset((void *)woke, 0, sizeof woke);
	fa = fb = 0;
	a[0] = (struct waitarg){&fa, FUTEX_WAIT_PRIVATE, 0, 0};
	a[1] = (struct waitarg){&fb, FUTEX_WAIT_PRIVATE, 0, 1};
	spawn(&t[0], &a[0]);
	spawn(&t[1], &a[1]);
	usleep(50000);
	r = futex(&fa, FUTEX_WAKE_OP_PRIVATE, 1, (const struct timespec *)(uintptr_t)1, &fb,
		  FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 0));
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	printf("wake_op: returned %ld, fb=%u, woken %d\n", r, fb, count_woke(2));

	// A signal handler interrupts a wait: EINTR without SA_RESTART.
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	fa = 0;
	woke[0] = 0;
	pthread_create(&t[0], NULL, interrupted_waiter, NULL);
	usleep(50000);
	pthread_kill(t[0], SIGUSR1);
	pthread_join(t[0], NULL);
	printf("wait interrupted by a handled signal: %s\n", woke[0] == 2 ? "EINTR" : "not interrupted");

	// A robust mutex held by a thread that exits: the next locker gets
	// EOWNERDEAD.
	pthread_mutex_t m;
	pthread_mutexattr_t ma;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&m, &ma);
	pthread_create(&t[0], NULL, lock_and_exit, &m);
	pthread_join(t[0], NULL);
	int lr = pthread_mutex_lock(&m);
	printf("robust mutex after its owner exited: %s\n", lr == EOWNERDEAD ? "EOWNERDEAD" : strerror(lr));
	return 0;
}
