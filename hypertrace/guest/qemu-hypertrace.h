/*
 * qemu-hypertrace.h: guest side of gemu's hypertrace channel, header-only.
 *
 * Copyright 2026 The gemu Authors. SPDX-License-Identifier: Apache-2.0
 *
 * Compatible with the API of the original QEMU hypertrace patches:
 *
 *   int       qemu_hypertrace_init(const char *base);   0 on success, -1 and errno
 *   int       qemu_hypertrace_fini(void);               0 on success
 *   uint64_t  qemu_hypertrace_max_clients(void);
 *   uint64_t  qemu_hypertrace_num_args(void);
 *   uint64_t *qemu_hypertrace_data(uint64_t client);    the client's K data words
 *   void      qemu_hypertrace(uint64_t client, uint64_t arg1);
 *
 * and the same calls under gemu_hypertrace_* names. To emit an event, a
 * client writes arg2..argK into qemu_hypertrace_data(client)[0..K-2] and
 * calls qemu_hypertrace(client, arg1). Each thread should use its own
 * client number (0 .. max_clients-1); gemu keeps per-client state, so
 * concurrent clients never lose events.
 *
 * qemu_hypertrace_init is idempotent and thread-safe: the first call maps
 * BASE-config, BASE-data and BASE-control; later calls return 0. Define
 * GEMU_HYPERTRACE_NO_PTHREAD to build without pthreads (the init is then
 * not thread-safe). Needs only Linux system calls through the C library.
 */
#ifndef GEMU_QEMU_HYPERTRACE_H
#define GEMU_QEMU_HYPERTRACE_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#ifndef GEMU_HYPERTRACE_NO_PTHREAD
#include <pthread.h>
#endif

/* The config page: five little-endian u64 words. */
struct gemu_hypertrace_config {
	uint64_t max_clients;
	uint64_t client_args;      /* K */
	uint64_t client_data_size; /* 8K */
	uint64_t control_size;
	uint64_t data_size;
};

struct gemu_hypertrace_state {
	volatile int ready;
	struct gemu_hypertrace_config config;
	volatile uint64_t *data;
	volatile uint64_t *control;
	size_t config_len;
	const volatile struct gemu_hypertrace_config *config_map;
};

static struct gemu_hypertrace_state gemu_hypertrace_state__;
#ifndef GEMU_HYPERTRACE_NO_PTHREAD
static pthread_mutex_t gemu_hypertrace_lock__ = PTHREAD_MUTEX_INITIALIZER;
#endif

static inline void *gemu_hypertrace_map__(const char *base, const char *suffix, size_t len, int *err)
{
	char path[4096];
	int n = snprintf(path, sizeof path, "%s%s", base, suffix);
	if (n < 0 || (size_t)n >= sizeof path) {
		*err = ENAMETOOLONG;
		return MAP_FAILED;
	}
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		*err = errno;
		return MAP_FAILED;
	}
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		*err = errno;
	close(fd);
	return p;
}

static inline int gemu_hypertrace_init(const char *base)
{
	struct gemu_hypertrace_state *s = &gemu_hypertrace_state__;
	int err = 0;
	if (s->ready)
		return 0;
	if (base == NULL) {
		errno = EINVAL;
		return -1;
	}
#ifndef GEMU_HYPERTRACE_NO_PTHREAD
	pthread_mutex_lock(&gemu_hypertrace_lock__);
#endif
	if (!s->ready) {
		long page = sysconf(_SC_PAGESIZE);
		void *cfg = gemu_hypertrace_map__(base, "-config", (size_t)page, &err);
		if (cfg != MAP_FAILED) {
			s->config_map = cfg;
			s->config_len = (size_t)page;
			s->config = *(const struct gemu_hypertrace_config *)cfg;
			void *data = gemu_hypertrace_map__(base, "-data", s->config.data_size, &err);
			void *ctl = MAP_FAILED;
			if (data != MAP_FAILED)
				ctl = gemu_hypertrace_map__(base, "-control", s->config.control_size, &err);
			if (ctl != MAP_FAILED) {
				s->data = data;
				s->control = ctl;
				__atomic_store_n(&s->ready, 1, __ATOMIC_RELEASE);
			} else {
				if (data != MAP_FAILED)
					munmap(data, s->config.data_size);
				munmap(cfg, (size_t)page);
			}
		}
	}
#ifndef GEMU_HYPERTRACE_NO_PTHREAD
	pthread_mutex_unlock(&gemu_hypertrace_lock__);
#endif
	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}

static inline int gemu_hypertrace_fini(void)
{
	struct gemu_hypertrace_state *s = &gemu_hypertrace_state__;
#ifndef GEMU_HYPERTRACE_NO_PTHREAD
	pthread_mutex_lock(&gemu_hypertrace_lock__);
#endif
	if (s->ready) {
		s->ready = 0;
		munmap((void *)s->control, s->config.control_size);
		munmap((void *)s->data, s->config.data_size);
		munmap((void *)s->config_map, s->config_len);
	}
#ifndef GEMU_HYPERTRACE_NO_PTHREAD
	pthread_mutex_unlock(&gemu_hypertrace_lock__);
#endif
	return 0;
}

static inline uint64_t gemu_hypertrace_max_clients(void) { return gemu_hypertrace_state__.config.max_clients; }
static inline uint64_t gemu_hypertrace_num_args(void) { return gemu_hypertrace_state__.config.client_args; }

static inline uint64_t *gemu_hypertrace_data(uint64_t client)
{
	struct gemu_hypertrace_state *s = &gemu_hypertrace_state__;
	return (uint64_t *)(s->data + client * s->config.client_args);
}

/* The two control stores: arm with arg1 in half 1, fire in half 2. */
static inline void gemu_hypertrace(uint64_t client, uint64_t arg1)
{
	struct gemu_hypertrace_state *s = &gemu_hypertrace_state__;
	volatile uint64_t *half1 = s->control;
	volatile uint64_t *half2 = s->control + s->config.control_size / 2 / sizeof(uint64_t);
	__atomic_signal_fence(__ATOMIC_SEQ_CST); /* data words are written first */
	half1[client] = arg1;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	half2[client] = 0;
}

static inline int qemu_hypertrace_init(const char *base) { return gemu_hypertrace_init(base); }
static inline int qemu_hypertrace_fini(void) { return gemu_hypertrace_fini(); }
static inline uint64_t qemu_hypertrace_max_clients(void) { return gemu_hypertrace_max_clients(); }
static inline uint64_t qemu_hypertrace_num_args(void) { return gemu_hypertrace_num_args(); }
static inline uint64_t *qemu_hypertrace_data(uint64_t client) { return gemu_hypertrace_data(client); }
static inline void qemu_hypertrace(uint64_t client, uint64_t arg1) { gemu_hypertrace(client, arg1); }

#endif /* GEMU_QEMU_HYPERTRACE_H */
