// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// args: prints what the kernel (or gemu) put on the initial stack: argc,
// argv, a few environment variables, the envp count, and the auxiliary
// vector entries whose values are the same on every run. Each auxv entry is
// read twice, by walking the stack past envp and with getauxval(3), and the
// two must agree.
#define _GNU_SOURCE
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "guest.h"

// __ehdr_start is defined by the linker when the ELF header is mapped; it
// tells a position-dependent executable (ET_EXEC) from a PIE.
extern const Elf64_Ehdr __ehdr_start __attribute__((weak, visibility("hidden")));

static void print_str(const char *s) {
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			printf("\\x%02x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void print_arg(const char *what, int i, const char *s) {
	size_t n = strlen(s);
	printf("%s[%d] len=%zu ", what, i, n);
	if (n > 80) {
		hash64 h;
		hash_init(&h);
		hash_bytes(&h, s, n);
		printf("fnv=%016llx\n", (unsigned long long)h.h);
		return;
	}
	print_str(s);
	putchar('\n');
}

// walk finds key in the auxv that follows envp; it reports whether found.
static int walk(const uint64_t *auxv, uint64_t key, uint64_t *val) {
	for (const uint64_t *p = auxv; p[0] != AT_NULL; p += 2) {
		if (p[0] == key) {
			*val = p[1];
			return 1;
		}
	}
	return 0;
}

struct key {
	uint64_t at;
	const char *name;
	int kind; // 0 number, 1 string, 2 printed only for ET_EXEC, 3 id
};

static const struct key keys[] = {
	{AT_PAGESZ, "AT_PAGESZ", 0},
	{AT_PHENT, "AT_PHENT", 0},
	{AT_PHNUM, "AT_PHNUM", 0},
	{AT_PHDR, "AT_PHDR", 2},
	{AT_ENTRY, "AT_ENTRY", 2},
	{AT_BASE, "AT_BASE", 0},
	{AT_FLAGS, "AT_FLAGS", 0},
	{AT_UID, "AT_UID", 3},
	{AT_EUID, "AT_EUID", 3},
	{AT_GID, "AT_GID", 3},
	{AT_EGID, "AT_EGID", 3},
	{AT_SECURE, "AT_SECURE", 0},
	{AT_CLKTCK, "AT_CLKTCK", 0},
	{AT_EXECFN, "AT_EXECFN", 1},
	{AT_PLATFORM, "AT_PLATFORM", 1},
};

static uint64_t id_of(uint64_t at) {
	switch (at) {
	case AT_UID: return getuid();
	case AT_EUID: return geteuid();
	case AT_GID: return getgid();
	default: return getegid();
	}
}

int main(int argc, char **argv, char **envp) {
	printf("argc=%d\n", argc);
	for (int i = 0; i < argc; i++)
		print_arg("argv", i, argv[i]);
	printf("argv[argc] is NULL: %s\n", argv[argc] == NULL ? "yes" : "no");
	printf("envp follows argv: %s\n", envp == argv + argc + 1 ? "yes" : "no");

	int envc = 0;
	while (envp[envc])
		envc++;
	printf("envc=%d\n", envc);
	static const char *const vars[] = {"GEMU_TEST", "GEMU_TEST_WORDS", "HOME", "PATH", "LANG", "TZ", "GEMU_UNSET"};
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *v = getenv(vars[i]);
		printf("env %s=", vars[i]);
		if (v)
			print_str(v);
		else
			printf("(unset)");
		putchar('\n');
	}

	const uint64_t *auxv = (const uint64_t *)(envp + envc + 1);
	int pie = &__ehdr_start == NULL || __ehdr_start.e_type != ET_EXEC;
	printf("executable type: %s\n", pie ? "PIE or unknown" : "ET_EXEC");

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const struct key *k = &keys[i];
		uint64_t wv = 0;
		int found = walk(auxv, k->at, &wv);
		uint64_t gv = getauxval(k->at);
		printf("%s: ", k->name);
		if (!found) {
			printf("absent (getauxval=%s)\n", gv == 0 ? "0" : "non-zero");
			continue;
		}
		switch (k->kind) {
		case 0:
			printf("%llu", (unsigned long long)wv);
			break;
		case 1:
			print_str((const char *)(uintptr_t)wv);
			break;
		case 2:
			if (pie)
				printf("(not printed for PIE)");
			else
				printf("0x%llx", (unsigned long long)wv);
			break;
		case 3:
			printf("%s", wv == id_of(k->at) ? "matches the syscall" : "DIFFERS from the syscall");
			break;
		}
		printf(", getauxval %s\n", gv == wv ? "agrees" : "DISAGREES");
	}

	uint64_t phdr = getauxval(AT_PHDR);
	if (!pie)
		printf("AT_PHDR is the ELF header + e_phoff: %s\n",
		       phdr == (uint64_t)(uintptr_t)&__ehdr_start + __ehdr_start.e_phoff ? "yes" : "no");
	const char *execfn = (const char *)(uintptr_t)getauxval(AT_EXECFN);
	printf("AT_EXECFN equals argv[0]: %s\n", execfn && strcmp(execfn, argv[0]) == 0 ? "yes" : "no");

	uint64_t rnd = 0;
	if (walk(auxv, AT_RANDOM, &rnd) && rnd != 0) {
		const volatile unsigned char *r = (const volatile unsigned char *)(uintptr_t)rnd;
		unsigned nonzero = 0;
		for (int i = 0; i < 16; i++)
			nonzero |= r[i];
		printf("AT_RANDOM: present, 16 bytes readable, %s\n", nonzero ? "not all zero" : "ALL ZERO");
	} else {
		printf("AT_RANDOM: absent\n");
	}
	return 0;
}
