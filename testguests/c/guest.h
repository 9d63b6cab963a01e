// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// guest.h: small helpers shared by the C test guests. Everything here is
// deterministic: no addresses, times or pids ever reach the output.
#ifndef GEMU_GUEST_H
#define GEMU_GUEST_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

// FNV-1a, 64-bit, fed one byte at a time (byte order fixed: little-endian).
typedef struct {
	uint64_t h;
} hash64;

static inline void hash_init(hash64 *s) { s->h = 0xcbf29ce484222325ULL; }

static inline void hash_bytes(hash64 *s, const void *p, size_t n) {
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		s->h ^= b[i];
		s->h *= 0x100000001b3ULL;
	}
}

static inline void hash_u64(hash64 *s, uint64_t v) {
	for (int i = 0; i < 8; i++) {
		s->h ^= (unsigned char)(v >> (8 * i));
		s->h *= 0x100000001b3ULL;
	}
}

// A 64-bit LCG (Knuth's MMIX constants); the high bits are the good ones.
typedef struct {
	uint64_t x;
} lcg;

static inline uint32_t lcg_next(lcg *g) {
	g->x = g->x * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(g->x >> 32);
}

// errno_name spells the errno values the guests expect to see.
static inline const char *errno_name(int e) {
	switch (e) {
	case 0: return "OK";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EEXIST: return "EEXIST";
	case EXDEV: return "EXDEV";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case EINVAL: return "EINVAL";
	case EMFILE: return "EMFILE";
	case ENOSPC: return "ENOSPC";
	case ESPIPE: return "ESPIPE";
	case ERANGE: return "ERANGE";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case ENOSYS: return "ENOSYS";
	case ENOTEMPTY: return "ENOTEMPTY";
	case ELOOP: return "ELOOP";
	case EOVERFLOW: return "EOVERFLOW";
	case ECHILD: return "ECHILD";
	case ESRCH: return "ESRCH";
	case ENOEXEC: return "ENOEXEC";
	case E2BIG: return "E2BIG";
	case EINTR: return "EINTR";
	default: return "E?";
	}
}

#endif
