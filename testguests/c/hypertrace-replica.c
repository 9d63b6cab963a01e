// Copyright 2026 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// hypertrace-replica: a native program that reproduces the user-mode
// design of the original QEMU hypertrace patch, so that bench/hypertrace.sh
// can compare its cost per event with gemu's. It runs natively, not under
// gemu (its SIGSEGV handler needs signal delivery).
//
//   hypertrace-replica N K [log|simple] [OUTFILE]
//
// The original design, as the issue and DESIGN.md describe it: the control
// channel is two halves (one page each here, max-clients = 1) that are kept
// write-protected with mprotect; a guest store faults (SIGSEGV) and the
// handler swaps the protection:
//
//   store into half 1 (arm):  fault; mprotect(half 1, RW), mprotect(half 2, R);
//                             return: the store is retried and lands.
//   store into half 2 (fire): fault; mprotect(half 2, RW), mprotect(half 1, R);
//                             emit guest_hypertrace(cpu, arg1 = half1[0],
//                             data words); return: the store lands.
//
// so every event costs two SIGSEGVs and four mprotect calls, and the swap
// is process-wide (the defect gemu's per-client state fixes). The event is
// written the way gemu's sinks write it — a QEMU log line or a simpletrace
// v4 record — into a 64 KiB buffer that is written to OUTFILE (default
// /dev/null) when full and at exit.
//
// The main loop is the one of hypertrace-bench: event i carries arg1 = i and
// data words i + 2 .. i + K. It times nothing and prints nothing: exit
// status 0 when all N events were recorded, 1 on a system error, 2 on bad
// arguments, 3 if the handler recorded a different number of events.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 64
#define BUF_SIZE (64 << 10)
#define EVENT_NAME "guest_hypertrace"

enum format { FORMAT_LOG, FORMAT_SIMPLE };

// The handler's state: what QEMU's user-mode proxy kept.
static struct {
	long page;
	volatile uint64_t *half1, *half2; // the control channel, one page each
	volatile uint64_t *data;          // the client's K-1 data words
	uint64_t k;
	enum format format;
	int fd;
	uint64_t pid;
	uint64_t events;
	int mapped;
	size_t len;
	unsigned char buf[BUF_SIZE];
} rep;

static void die(const char *what) {
	fprintf(stderr, "hypertrace-replica: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void flush(void) {
	size_t off = 0;
	while (off < rep.len) {
		ssize_t n = write(rep.fd, rep.buf + off, rep.len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		off += (size_t)n;
	}
	rep.len = 0;
}

static void reserve(size_t n) {
	if (rep.len + n > BUF_SIZE)
		flush();
}

static void put_bytes(const void *p, size_t n) {
	memcpy(rep.buf + rep.len, p, n);
	rep.len += n;
}

// put_u64 and put_u32 append native-order values (simpletrace is
// native-endian; this host is little-endian).
static void put_u64(uint64_t v) { put_bytes(&v, 8); }
static void put_u32(uint32_t v) { put_bytes(&v, 4); }

static void put_dec(uint64_t v, int min_digits) {
	char tmp[20];
	int i = 20;
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
		min_digits--;
	} while (v != 0 || min_digits > 0);
	put_bytes(tmp + i, (size_t)(20 - i));
}

// put_hex appends %#x, except that zero is 0x0 (gemu's and QEMU's log).
static void put_hex(uint64_t v) {
	static const char digits[] = "0123456789abcdef";
	char tmp[18];
	int i = 18;
	do {
		tmp[--i] = digits[v & 15];
		v >>= 4;
	} while (v != 0);
	tmp[--i] = 'x';
	tmp[--i] = '0';
	put_bytes(tmp + i, (size_t)(18 - i));
}

// emit records guest_hypertrace(cpu = 0, arg1, arg2..argK).
static void emit(uint64_t arg1) {
	uint64_t args[MAX_ARGS];
	args[0] = arg1;
	for (uint64_t i = 1; i < rep.k; i++)
		args[i] = rep.data[i - 1];
	struct timespec ts;
	if (rep.format == FORMAT_LOG) {
		clock_gettime(CLOCK_REALTIME, &ts);
		reserve(64 + 20 * MAX_ARGS);
		put_dec(rep.pid, 1);
		put_bytes("@", 1);
		put_dec((uint64_t)ts.tv_sec, 1);
		put_bytes(".", 1);
		put_dec((uint64_t)ts.tv_nsec / 1000, 6);
		put_bytes(":" EVENT_NAME " cpu=0", sizeof(":" EVENT_NAME " cpu=0") - 1);
		for (uint64_t i = 0; i < rep.k; i++) {
			put_bytes(" arg", 4);
			put_dec(i + 1, 1);
			put_bytes("=", 1);
			put_hex(args[i]);
		}
		put_bytes("\n", 1);
	} else {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		reserve(64 + 8 * MAX_ARGS);
		if (!rep.mapped) {
			rep.mapped = 1;
			put_u64(0);
			put_u64(0);
			put_u32(sizeof EVENT_NAME - 1);
			put_bytes(EVENT_NAME, sizeof EVENT_NAME - 1);
		}
		put_u64(1);
		put_u64(0);
		put_u64((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
		put_u32((uint32_t)(24 + 8 * (1 + rep.k)));
		put_u32((uint32_t)rep.pid);
		put_u64(0); // cpu
		for (uint64_t i = 0; i < rep.k; i++)
			put_u64(args[i]);
	}
	rep.events++;
}

static void protect(volatile uint64_t *half, int prot) {
	if (mprotect((void *)half, (size_t)rep.page, prot) != 0)
		_exit(1);
}

// on_segv is the two-phase swap of the original design.
static void on_segv(int sig, siginfo_t *si, void *uctx) {
	(void)uctx;
	uintptr_t a = (uintptr_t)si->si_addr;
	uintptr_t h1 = (uintptr_t)rep.half1, h2 = (uintptr_t)rep.half2;
	if (a >= h1 && a < h1 + (uintptr_t)rep.page) {
		protect(rep.half1, PROT_READ | PROT_WRITE);
		protect(rep.half2, PROT_READ);
		return;
	}
	if (a >= h2 && a < h2 + (uintptr_t)rep.page) {
		protect(rep.half2, PROT_READ | PROT_WRITE);
		protect(rep.half1, PROT_READ);
		emit(rep.half1[0]);
		return;
	}
	// Not the control channel: a real crash.
	signal(sig, SIG_DFL);
}

static uint64_t parse(const char *s) {
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s) {
		fprintf(stderr, "hypertrace-replica: bad number %s\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv) {
	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: hypertrace-replica N K [log|simple] [OUTFILE]\n");
		return 2;
	}
	uint64_t n = parse(argv[1]);
	rep.k = parse(argv[2]);
	if (rep.k < 1 || rep.k > MAX_ARGS) {
		fprintf(stderr, "hypertrace-replica: K must be 1..%d\n", MAX_ARGS);
		return 2;
	}
	rep.format = FORMAT_SIMPLE;
	if (argc > 3) {
		if (strcmp(argv[3], "log") == 0)
			rep.format = FORMAT_LOG;
		else if (strcmp(argv[3], "simple") != 0) {
			fprintf(stderr, "hypertrace-replica: format must be log or simple\n");
			return 2;
		}
	}
	const char *out = argc > 4 ? argv[4] : "/dev/null";
	rep.fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (rep.fd < 0)
		die(out);
	rep.pid = (uint64_t)getpid();
	rep.page = sysconf(_SC_PAGESIZE);

	unsigned char *ctl = mmap(NULL, 2 * (size_t)rep.page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ctl == MAP_FAILED)
		die("mmap control");
	void *data = mmap(NULL, (size_t)rep.page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (data == MAP_FAILED)
		die("mmap data");
	rep.half1 = (volatile uint64_t *)ctl;
	rep.half2 = (volatile uint64_t *)(ctl + rep.page);
	rep.data = data;

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL) != 0)
		die("sigaction");
	if (mprotect(ctl, 2 * (size_t)rep.page, PROT_READ) != 0)
		die("mprotect");
	if (rep.format == FORMAT_SIMPLE) {
		put_u64(0xffffffffffffffffu);
		put_u64(0xf2b177cb0aa429b4u);
		put_u64(4);
	}

	// The guest loop of hypertrace-bench.
	volatile uint64_t *d = rep.data;
	for (uint64_t i = 0; i < n; i++) {
		for (uint64_t j = 0; j + 1 < rep.k; j++)
			d[j] = i + j + 2;
		rep.half1[0] = i; // phase 1: fault, swap, land
		rep.half2[0] = 0; // phase 2: fault, swap, emit, land
	}
	flush();
	if (close(rep.fd) != 0)
		die(out);
	return rep.events == n ? 0 : 3;
}
