// Copyright 2026 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// threads: POSIX threads. Usage: threads [TEST]; without TEST every test
// runs. Output is deterministic whatever the scheduling.
//
//   mutex      8 threads increment a shared counter 20000 times each
//   condvar    a producer and a consumer pass 5000 items through a
//              bounded buffer guarded by a mutex and two condition variables
//   barrier    4 threads pass a pthread_barrier 50 times, checking phases
//   tls        __thread variables are per thread
//   cancel     a thread blocked in a condition wait is cancelled; its
//              cleanup handler runs and join reports PTHREAD_CANCELED
//   detach     detached threads finish; the main thread waits on a semaphore
//   segv       a thread faults inside a SIGSEGV-protected region and
//              siglongjmps out of the handler
//   join       thread return values and pthread_self/gettid uniqueness
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void check(int ok, const char *what) {
	if (!ok) {
		printf("FAIL: %s\n", what);
		exit(1);
	}
}

// ---- mutex
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static void *inc(void *arg) {
	(void)arg;
	for (int i = 0; i < 20000; i++) {
		pthread_mutex_lock(&mu);
		counter++;
		pthread_mutex_unlock(&mu);
	}
	return NULL;
}
static void test_mutex(void) {
	pthread_t t[8];
	for (int i = 0; i < 8; i++)
		check(pthread_create(&t[i], NULL, inc, NULL) == 0, "create");
	for (int i = 0; i < 8; i++)
		check(pthread_join(t[i], NULL) == 0, "join");
	printf("mutex: counter=%ld\n", counter);
}

// ---- condvar
#define NBUF 8
#define NITEMS 5000
static int buf[NBUF], head, tail, count;
static pthread_cond_t notfull = PTHREAD_COND_INITIALIZER, notempty = PTHREAD_COND_INITIALIZER;
static void *producer(void *arg) {
	(void)arg;
	for (int i = 1; i <= NITEMS; i++) {
		pthread_mutex_lock(&mu);
		while (count == NBUF)
			pthread_cond_wait(&notfull, &mu);
		buf[tail] = i;
		tail = (tail + 1) % NBUF;
		count++;
		pthread_cond_signal(&notempty);
		pthread_mutex_unlock(&mu);
	}
	return NULL;
}
static void *consumer(void *arg) {
	long sum = 0, last = 0, inorder = 1;
	(void)arg;
	for (int i = 1; i <= NITEMS; i++) {
		pthread_mutex_lock(&mu);
		while (count == 0)
			pthread_cond_wait(&notempty, &mu);
		int v = buf[head];
		head = (head + 1) % NBUF;
		count--;
		pthread_cond_signal(&notfull);
		pthread_mutex_unlock(&mu);
		inorder &= v == last + 1;
		last = v;
		sum += v;
	}
	printf("condvar: sum=%ld in-order=%ld\n", sum, inorder);
	return NULL;
}
static void test_condvar(void) {
	pthread_t p, c;
	check(pthread_create(&c, NULL, consumer, NULL) == 0, "create consumer");
	check(pthread_create(&p, NULL, producer, NULL) == 0, "create producer");
	pthread_join(p, NULL);
	pthread_join(c, NULL);
}

// ---- barrier
static pthread_barrier_t bar;
static int phase[4];
static int barrier_ok = 1;
static void *barrier_worker(void *arg) {
	int id = (int)(intptr_t)arg;
	for (int r = 0; r < 50; r++) {
		phase[id] = r;
		pthread_barrier_wait(&bar);
		for (int j = 0; j < 4; j++)
			if (phase[j] != r)
				barrier_ok = 0;
		pthread_barrier_wait(&bar);
	}
	return NULL;
}
static void test_barrier(void) {
	pthread_t t[4];
	pthread_barrier_init(&bar, NULL, 4);
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, barrier_worker, (void *)(intptr_t)i);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	printf("barrier: rounds=50 consistent=%d\n", barrier_ok);
}

// ---- tls
static __thread int tlsvar = 7;
static __thread char tlsbuf[64];
static void *tls_worker(void *arg) {
	int id = (int)(intptr_t)arg;
	int was = tlsvar;
	tlsvar = 100 + id;
	snprintf(tlsbuf, sizeof tlsbuf, "thread %d", id);
	usleep(1000);
	int ok = tlsvar == 100 + id && strcmp(tlsbuf, "thread ") > 0 && tlsbuf[7] == '0' + id;
	return (void *)(intptr_t)(was == 7 && ok);
}
static void test_tls(void) {
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, tls_worker, (void *)(intptr_t)i);
	int all = 1;
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(t[i], &r);
		all &= (int)(intptr_t)r;
	}
	printf("tls: per-thread=%d main-unchanged=%d\n", all, tlsvar == 7);
}

// ---- cancel
static int cleaned;
static void cleanup(void *arg) { cleaned = (int)(intptr_t)arg; }
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t cmu = PTHREAD_MUTEX_INITIALIZER;
static sem_t started;
static void *cancel_worker(void *arg) {
	(void)arg;
	pthread_mutex_lock(&cmu);
	pthread_cleanup_push(cleanup, (void *)42);
	sem_post(&started);
	for (;;)
		pthread_cond_wait(&never, &cmu);
	pthread_cleanup_pop(0);
	return NULL;
}
static void test_cancel(void) {
	pthread_t t;
	sem_init(&started, 0, 0);
	pthread_create(&t, NULL, cancel_worker, NULL);
	sem_wait(&started);
	pthread_mutex_lock(&cmu); // the worker is now inside the wait
	pthread_mutex_unlock(&cmu);
	check(pthread_cancel(t) == 0, "cancel");
	void *r;
	pthread_join(t, &r);
	printf("cancel: canceled=%d cleanup=%d\n", r == PTHREAD_CANCELED, cleaned);
}

// ---- detach
static sem_t done;
static int detached_sum;
static pthread_mutex_t dmu = PTHREAD_MUTEX_INITIALIZER;
static void *detached(void *arg) {
	pthread_mutex_lock(&dmu);
	detached_sum += (int)(intptr_t)arg;
	pthread_mutex_unlock(&dmu);
	sem_post(&done);
	return NULL;
}
static void test_detach(void) {
	sem_init(&done, 0, 0);
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	for (int i = 1; i <= 10; i++) {
		pthread_t t;
		pthread_create(&t, &a, detached, (void *)(intptr_t)i);
	}
	for (int i = 0; i < 10; i++)
		sem_wait(&done);
	printf("detach: sum=%d\n", detached_sum);
}

// ---- segv
static sigjmp_buf jb;
static volatile sig_atomic_t got_addr_ok;
static void on_segv(int sig, siginfo_t *si, void *uc) {
	(void)uc;
	got_addr_ok = sig == SIGSEGV && si->si_addr == (void *)16 && si->si_code == SEGV_MAPERR;
	siglongjmp(jb, 1);
}
static void *segv_worker(void *arg) {
	(void)arg;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	static volatile uintptr_t bad = 16;
	volatile int recovered = 0;
	if (sigsetjmp(jb, 1) == 0) {
		*(volatile int *)bad = 1; // faults
	} else {
		recovered = 1;
	}
	// The mask was restored by siglongjmp: a second fault is caught too.
	volatile int again = 0;
	if (sigsetjmp(jb, 1) == 0) {
		(void)*(volatile int *)bad;
	} else {
		again = 1;
	}
	return (void *)(intptr_t)(recovered + again);
}
static void test_segv(void) {
	pthread_t t;
	pthread_create(&t, NULL, segv_worker, NULL);
	void *r;
	pthread_join(t, &r);
	printf("segv: recovered=%d si_addr/code ok=%d\n", (int)(intptr_t)r, (int)got_addr_ok);
}

// ---- join
static void *ret_worker(void *arg) {
	long tid = syscall(SYS_gettid);
	long mine = tid != getpid();
	return (void *)((intptr_t)arg * 10 + mine);
}
static void test_join(void) {
	pthread_t t[5];
	for (int i = 0; i < 5; i++)
		pthread_create(&t[i], NULL, ret_worker, (void *)(intptr_t)i);
	long sum = 0;
	for (int i = 0; i < 5; i++) {
		void *r;
		pthread_join(t[i], &r);
		sum += (long)(intptr_t)r;
	}
	printf("join: sum=%ld main-tid-is-pid=%d\n", sum, (long)syscall(SYS_gettid) == getpid());
}

int main(int argc, char **argv) {
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {{"mutex", test_mutex}, {"condvar", test_condvar}, {"barrier", test_barrier},
		     {"tls", test_tls},     {"cancel", test_cancel},   {"detach", test_detach},
		     {"segv", test_segv},   {"join", test_join}};
	for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
		if (argc < 2 || !strcmp(argv[1], tests[i].name)) {
			tests[i].fn();
			fflush(stdout);
		}
	return 0;
}
