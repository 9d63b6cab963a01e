// Copyright 2026 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// signals: delivery of signals to handlers, as Linux does it. Usage:
// signals [TEST]; without TEST every test runs. Each prints one line.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static volatile sig_atomic_t hits, lastsig, lastcode, pidok, blocked_inside;

static void on_info(int sig, siginfo_t *si, void *uc) {
	(void)uc;
	hits++;
	lastsig = sig;
	lastcode = si->si_code;
	pidok = si->si_pid == getpid();
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	blocked_inside = sigismember(&cur, sig);
}

static void handle(int sig, void (*fn)(int, siginfo_t *, void *), int flags) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigaction(sig, &sa, NULL);
}

static void reset(void) { hits = lastsig = lastcode = pidok = blocked_inside = 0; }

static void test_raise(void) {
	reset();
	handle(SIGUSR1, on_info, 0);
	raise(SIGUSR1);
	printf("raise: hits=%d sig=%d code=%s pid-ok=%d blocked-inside=%d\n", (int)hits, (int)lastsig,
	       lastcode == SI_TKILL ? "SI_TKILL" : "other", (int)pidok, (int)blocked_inside);
	reset();
	kill(getpid(), SIGUSR1);
	printf("kill: hits=%d code=%s\n", (int)hits, lastcode == SI_USER ? "SI_USER" : "other");
	reset();
	handle(SIGUSR2, on_info, SA_NODEFER);
	raise(SIGUSR2);
	printf("nodefer: hits=%d blocked-inside=%d\n", (int)hits, (int)blocked_inside);
}

static void test_mask(void) {
	reset();
	handle(SIGUSR1, on_info, 0);
	sigset_t s, pend;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, NULL);
	raise(SIGUSR1);
	raise(SIGUSR1); // a standard signal is pending once
	sigpending(&pend);
	int pending = sigismember(&pend, SIGUSR1), before = hits;
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	printf("mask: pending=%d hits-before=%d hits-after=%d\n", pending, before, (int)hits);
	// Real-time signals queue every instance, with their values.
	reset();
	handle(SIGRTMIN + 1, on_info, 0);
	sigaddset(&s, SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &s, NULL);
	for (int i = 0; i < 3; i++)
		sigqueue(getpid(), SIGRTMIN + 1, (union sigval){.sival_int = i});
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	printf("rt-queue: hits=%d code=%s\n", (int)hits, lastcode == SI_QUEUE ? "SI_QUEUE" : "other");
}

static char altstack[65536];
static volatile int on_alt;
static void on_alt_handler(int sig, siginfo_t *si, void *uc) {
	(void)sig;
	(void)si;
	(void)uc;
	char local;
	on_alt = &local > altstack && &local < altstack + sizeof altstack;
	stack_t cur;
	sigaltstack(NULL, &cur);
	on_alt += (cur.ss_flags & SS_ONSTACK) ? 10 : 0;
}
static void test_altstack(void) {
	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
	sigaltstack(&ss, NULL);
	handle(SIGUSR1, on_alt_handler, SA_ONSTACK);
	raise(SIGUSR1);
	stack_t after;
	sigaltstack(NULL, &after);
	printf("altstack: on-alt=%d flags-after=%d\n", on_alt, after.ss_flags);
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);
}

static void test_resethand(void) {
	reset();
	handle(SIGUSR2, on_info, SA_RESETHAND);
	raise(SIGUSR2);
	struct sigaction now;
	sigaction(SIGUSR2, NULL, &now);
	printf("resethand: hits=%d now-default=%d\n", (int)hits, now.sa_handler == SIG_DFL);
}

static void test_suspend(void) {
	reset();
	handle(SIGUSR1, on_info, 0);
	sigset_t s, empty;
	sigemptyset(&s);
	sigemptyset(&empty);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, NULL);
	raise(SIGUSR1);
	int r = sigsuspend(&empty);
	int e = errno;
	sigset_t after;
	sigprocmask(SIG_BLOCK, NULL, &after);
	printf("sigsuspend: ret=%d errno=%s hits=%d mask-restored=%d\n", r, e == EINTR ? "EINTR" : "other", (int)hits,
	       sigismember(&after, SIGUSR1));
	sigprocmask(SIG_UNBLOCK, &s, NULL);
}

static void test_timedwait(void) {
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	sigprocmask(SIG_BLOCK, &s, NULL);
	union sigval v = {.sival_int = 77};
	sigqueue(getpid(), SIGUSR2, v);
	siginfo_t si;
	struct timespec ts = {0, 0};
	int r = sigtimedwait(&s, &si, &ts);
	int r2 = sigtimedwait(&s, &si, &ts); // nothing left: EAGAIN
	int e2 = errno;
	printf("sigtimedwait: sig=%d value=%d second=%d %s\n", r == SIGUSR2, si.si_value.sival_int, r2,
	       e2 == EAGAIN ? "EAGAIN" : "other");
	sigprocmask(SIG_UNBLOCK, &s, NULL);
}

// A handler that edits the interrupted context: skip a ud2 (2 bytes).
static void on_ill(int sig, siginfo_t *si, void *ucv) {
	ucontext_t *uc = ucv;
	lastsig = sig;
	lastcode = si->si_code;
	uc->uc_mcontext.gregs[REG_RIP] += 2;
	uc->uc_mcontext.gregs[REG_RAX] = 1234;
}
static void test_context(void) {
	handle(SIGILL, on_ill, 0);
	long rax;
	__asm__ volatile("xor %%eax, %%eax\n\tud2\n\tmov %%rax, %0" : "=r"(rax) : : "rax");
	printf("context: sig=%d code=%s rax=%ld\n", (int)lastsig, lastcode == ILL_ILLOPN ? "ILL_ILLOPN" : "other", rax);
}

static sigjmp_buf jb;
static void on_fpe(int sig, siginfo_t *si, void *uc) {
	(void)uc;
	lastsig = sig;
	lastcode = si->si_code;
	siglongjmp(jb, 1);
}
static void test_fpe(void) {
	handle(SIGFPE, on_fpe, 0);
	volatile int zero = 0, x = 7, r = 0;
	if (sigsetjmp(jb, 1) == 0)
		r = x / zero;
	printf("fpe: sig=%d code=%s r=%d\n", (int)lastsig, lastcode == FPE_INTDIV ? "FPE_INTDIV" : "other", r);
}

static volatile int traps;
static void on_trap(int sig, siginfo_t *si, void *uc) {
	(void)sig;
	(void)si;
	(void)uc;
	traps++;
}
static void test_trap(void) {
	handle(SIGTRAP, on_trap, 0);
	__asm__ volatile("int3");
	__asm__ volatile("int3");
	printf("trap: handled=%d (execution continued after int3)\n", traps);
}

// The handler uses the FPU; the interrupted code's SSE and x87 state must
// survive.
static void on_fp(int sig) {
	(void)sig;
	volatile double d = 1.0;
	for (int i = 0; i < 10; i++)
		d = d * 3.7 + 0.1;
	volatile long double ld = d;
	(void)ld;
}
static void test_fpstate(void) {
	signal(SIGUSR1, on_fp);
	double x = 2.5;
	long double lx = 1.25L;
	__asm__ volatile("movsd %0, %%xmm7" : : "m"(x) : "xmm7");
	raise(SIGUSR1);
	double y;
	__asm__ volatile("movsd %%xmm7, %0" : "=m"(y));
	printf("fpstate: xmm7=%g long-double=%Lg\n", y, lx * 2);
}

// SA_RESTART: a read blocked on a pipe, interrupted by a signal another
// thread sends, restarts; without SA_RESTART it fails with EINTR.
static int pfd[2];
static pthread_t mainth;
static void *poker(void *arg) {
	usleep(20000);
	pthread_kill(mainth, SIGUSR2);
	usleep(20000);
	if (arg)
		write(pfd[1], "x", 1);
	return NULL;
}
static void test_restart(void) {
	for (int restart = 1; restart >= 0; restart--) {
		reset();
		handle(SIGUSR2, on_info, restart ? SA_RESTART : 0);
		pipe(pfd);
		mainth = pthread_self();
		pthread_t t;
		pthread_create(&t, NULL, poker, restart ? (void *)1 : NULL);
		char c;
		ssize_t n = read(pfd[0], &c, 1);
		int e = errno;
		pthread_join(t, NULL);
		printf("restart=%d: read=%zd %s hits=%d\n", restart, n, n < 0 && e == EINTR ? "EINTR" : "", (int)hits);
		close(pfd[0]);
		close(pfd[1]);
	}
}

// sigint: wait on stdin for SIGINT, with a handler (handled) or without
// (the default action kills). Not part of the default run: a test sends
// the signal to gemu.
static volatile sig_atomic_t got_int;
static void on_int(int sig) { got_int = sig; }
static void wait_sigint(int with_handler) {
	if (with_handler) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_int;
		sigaction(SIGINT, &sa, NULL);
	}
	// Block SIGINT until ppoll atomically unblocks it: a signal that
	// comes as soon as "waiting" is printed is not lost.
	sigset_t block, none;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &block, NULL);
	printf("waiting\n");
	fflush(stdout);
	struct pollfd pfd = {.fd = 0, .events = POLLIN};
	int n = ppoll(&pfd, 1, NULL, &none);
	int e = errno;
	printf("ppoll=%d %s caught=%d\n", n, n < 0 && e == EINTR ? "EINTR" : "", (int)got_int);
}

int main(int argc, char **argv) {
	if (argc > 1 && !strcmp(argv[1], "sigint")) {
		wait_sigint(1);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "sigint-default")) {
		wait_sigint(0);
		return 0;
	}
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {{"raise", test_raise},   {"mask", test_mask},       {"altstack", test_altstack},
		     {"resethand", test_resethand}, {"suspend", test_suspend}, {"timedwait", test_timedwait},
		     {"context", test_context}, {"fpe", test_fpe},         {"trap", test_trap},
		     {"fpstate", test_fpstate}, {"restart", test_restart}};
	for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
		if (argc < 2 || !strcmp(argv[1], tests[i].name)) {
			tests[i].fn();
			fflush(stdout);
		}
	return 0;
}
