// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// mmap: the address-space calls. Anonymous mmap/munmap/mprotect, MAP_FIXED
// over an existing mapping, madvise(MADV_DONTNEED), mremap (grow in place,
// refuse to grow into a neighbour, move to a fixed target, shrink), brk,
// and file-backed MAP_PRIVATE / MAP_SHARED mappings of a scratch file in
// argv[1], $TMPDIR or ".". No address is printed, only relations between
// addresses and the bytes read back. Faulting accesses are in the
// mprotect_segv guest.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest.h"

#define PG 4096UL

static int failures;

static void ok(const char *what, int cond) {
	printf("%s: %s\n", what, cond ? "ok" : "FAILED");
	if (!cond)
		failures++;
}

static void expect_errno(const char *what, long failed, int want) {
	int e = errno;
	if (!failed) {
		printf("%s: unexpectedly succeeded, want %s\n", what, errno_name(want));
		failures++;
		return;
	}
	printf("%s: %s%s\n", what, errno_name(e), e == want ? "" : " (UNEXPECTED)");
	if (e != want)
		failures++;
}

static void fill(unsigned char *p, size_t n, unsigned seed) {
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 31 + seed);
}

static int holds(const unsigned char *p, size_t n, unsigned seed) {
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(i * 31 + seed))
			return 0;
	return 1;
}

static int zeros(const unsigned char *p, size_t n) {
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

// raw_mmap bypasses the libc wrapper, whose argument checks differ between
// libcs (musl rounds, glibc does not), so error cases see the kernel's answer.
static void *raw_mmap(void *addr, size_t n, int prot, int flags, int fd, long off) {
	return (void *)syscall(SYS_mmap, addr, n, prot, flags, fd, off);
}

static unsigned char *map_anon(size_t n) {
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		printf("mmap anon %zu: %s\n", n, errno_name(errno));
		exit(1);
	}
	return p;
}

static void test_brk(void) {
	uintptr_t cur = (uintptr_t)syscall(SYS_brk, 0);
	uintptr_t want = cur + 5 * PG + 123;
	uintptr_t got = (uintptr_t)syscall(SYS_brk, want);
	ok("brk grow returns the new break", got == want);
	unsigned char *p = (unsigned char *)cur;
	ok("brk memory starts zeroed", zeros(p, 5 * PG + 123));
	fill(p, 5 * PG + 123, 1);
	ok("brk memory holds data", holds(p, 5 * PG + 123, 1));
	got = (uintptr_t)syscall(SYS_brk, cur + PG);
	ok("brk shrink", got == cur + PG);
	got = (uintptr_t)syscall(SYS_brk, cur + 3 * PG);
	ok("brk regrow", got == cur + 3 * PG);
	ok("brk kept the first page", holds(p, PG, 1));
	ok("brk regrown pages are zero", zeros(p + PG, 2 * PG));
	got = (uintptr_t)syscall(SYS_brk, cur);
	ok("brk back to start", got == cur);
}

static void test_anon(void) {
	unsigned char *a = map_anon(4 * PG);
	ok("anon mapping page-aligned", ((uintptr_t)a & (PG - 1)) == 0);
	ok("anon mapping zero-filled", zeros(a, 4 * PG));
	fill(a, 4 * PG, 7);
	ok("anon mapping holds data", holds(a, 4 * PG, 7));

	// mprotect round trip keeps the contents.
	ok("mprotect PROT_NONE", mprotect(a + PG, PG, PROT_NONE) == 0);
	ok("mprotect PROT_READ", mprotect(a + PG, PG, PROT_READ) == 0);
	ok("read after PROT_READ", holds(a, 4 * PG, 7));
	ok("mprotect PROT_READ|PROT_WRITE", mprotect(a + PG, PG, PROT_READ | PROT_WRITE) == 0);
	a[PG] ^= 0xff;
	a[PG] ^= 0xff;
	ok("write after re-enable", holds(a, 4 * PG, 7));
	expect_errno("mprotect unaligned", syscall(SYS_mprotect, a + 1, PG, PROT_READ) != 0, EINVAL);

	// MAP_FIXED over pages 1 and 2 replaces them with fresh zero pages.
	void *f = mmap(a + PG, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ok("MAP_FIXED lands at the address", f == a + PG);
	ok("MAP_FIXED pages are zero", zeros(a + PG, 2 * PG));
	ok("MAP_FIXED left page 0 alone", holds(a, PG, 7));
	ok("MAP_FIXED left page 3 alone", holds(a + 3 * PG, PG, 7 + (unsigned)(3 * PG * 31)));

	// madvise(MADV_DONTNEED) on private anonymous memory zero-fills it.
	fill(a, 4 * PG, 9);
	ok("madvise DONTNEED", madvise(a + 2 * PG, PG, MADV_DONTNEED) == 0);
	ok("DONTNEED page reads zero", zeros(a + 2 * PG, PG));
	ok("neighbours kept", holds(a, 2 * PG, 9));

	// munmap a middle page, then the rest.
	ok("munmap middle page", munmap(a + PG, PG) == 0);
	ok("page 0 still there", holds(a, PG, 9));
	expect_errno("munmap unaligned", syscall(SYS_munmap, a + 1, PG) != 0, EINVAL);
	expect_errno("munmap length 0", syscall(SYS_munmap, a, 0) != 0, EINVAL);
	ok("munmap across the hole", munmap(a, 4 * PG) == 0);
	ok("munmap of nothing mapped succeeds", munmap(a, 4 * PG) == 0);

	expect_errno("mmap length 0", raw_mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED, EINVAL);
	expect_errno("mmap without MAP_PRIVATE/SHARED", raw_mmap(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED, EINVAL);
	expect_errno("mmap bad fd", raw_mmap(NULL, PG, PROT_READ, MAP_PRIVATE, 999, 0) == MAP_FAILED, EBADF);
	expect_errno("MAP_FIXED unaligned", raw_mmap(a + 1, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED, EINVAL);

	// A large mapping: touch one byte a page.
	size_t big = 64 << 20;
	unsigned char *b = map_anon(big);
	for (size_t i = 0; i < big; i += PG)
		b[i] = (unsigned char)(i >> 12);
	int good = 1;
	for (size_t i = 0; i < big; i += PG)
		good &= b[i] == (unsigned char)(i >> 12) && b[i + 1] == 0;
	ok("64 MiB mapping, one byte a page", good);
	ok("munmap 64 MiB", munmap(b, big) == 0);
}

static void test_mremap(void) {
	// Reserve 8 pages, keep 4: growing to 8 in place must succeed.
	unsigned char *a = map_anon(8 * PG);
	munmap(a + 4 * PG, 4 * PG);
	fill(a, 4 * PG, 3);
	void *r = mremap(a, 4 * PG, 8 * PG, 0);
	ok("mremap grow in place", r == a);
	ok("grown mapping kept data", holds(a, 4 * PG, 3));
	ok("grown tail is zero", zeros(a + 4 * PG, 4 * PG));

	// Growing into a mapped neighbour without MREMAP_MAYMOVE fails.
	expect_errno("mremap grow into neighbour", (void *)syscall(SYS_mremap, a, 2 * PG, 3 * PG, 0) == MAP_FAILED, ENOMEM);

	// Shrink in place.
	r = mremap(a, 8 * PG, 2 * PG, 0);
	ok("mremap shrink", r == a);
	ok("shrunk mapping kept data", holds(a, 2 * PG, 3));

	// Move to a fixed target that is currently mapped elsewhere.
	unsigned char *t = map_anon(4 * PG);
	fill(t, 4 * PG, 5);
	r = mremap(a, 2 * PG, 3 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, t + PG);
	ok("mremap MAYMOVE|FIXED lands on the target", r == t + PG);
	ok("moved data intact", holds(t + PG, 2 * PG, 3));
	ok("moved tail zero", zeros(t + 3 * PG, PG));
	ok("target's page 0 untouched", holds(t, PG, 5));
	ok("old range unmapped (re-mappable with MAP_FIXED_NOREPLACE)",
	   mmap(a, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) == a);
	munmap(a, PG);
	expect_errno("MAP_FIXED_NOREPLACE over a mapping", raw_mmap(t, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) == MAP_FAILED, EEXIST);

	// MAYMOVE growth blocked by the mapping's own third page moves and
	// keeps the data; the third page stays where it was.
	unsigned char *g = map_anon(3 * PG);
	fill(g, 3 * PG, 11);
	unsigned char *m = mremap(g, 2 * PG, 16 * PG, MREMAP_MAYMOVE);
	ok("mremap MAYMOVE grow", m != MAP_FAILED);
	ok("blocked growth moved", m != g);
	ok("moved grow kept data", holds(m, 2 * PG, 11));
	ok("moved grow tail zero", zeros(m + 2 * PG, 14 * PG));
	ok("third page stayed", holds(g + 2 * PG, PG, 11 + (unsigned)(2 * PG * 31)));
	munmap(m, 16 * PG);
	munmap(g + 2 * PG, PG);
	munmap(t, 4 * PG);
	expect_errno("mremap unaligned", (void *)syscall(SYS_mremap, t + 1, PG, 2 * PG, MREMAP_MAYMOVE) == MAP_FAILED, EINVAL);
}

static void test_file(const char *dir) {
	char path[512];
	snprintf(path, sizeof path, "%s/gemu-mmap.bin", dir);
	int fd = open(path, O_CREAT | O_RDWR | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		printf("open scratch file: %s\n", errno_name(errno));
		failures++;
		return;
	}
	int ro = open(path, O_RDONLY | O_CLOEXEC);
	unlink(path); // the mappings and fds keep it alive
	unsigned char buf[3 * PG];
	fill(buf, sizeof buf, 13);
	ok("write 2.5 pages", write(fd, buf, 2 * PG + PG / 2) == (ssize_t)(2 * PG + PG / 2));

	// MAP_PRIVATE: copy-on-write, the file does not change.
	unsigned char *p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ok("mmap MAP_PRIVATE file", p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	ok("private mapping shows the file", holds(p, 2 * PG + PG / 2, 13));
	ok("bytes past EOF in the last page are zero", zeros(p + 2 * PG + PG / 2, PG / 2));
	p[10] = 0xAB;
	unsigned char c = 0;
	ok("pread 1", pread(fd, &c, 1, 10) == 1);
	ok("private write not in the file", c == (unsigned char)(10 * 31 + 13));
	munmap(p, 3 * PG);

	// Offset mapping.
	p = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, PG);
	ok("mmap at offset 1 page", p != MAP_FAILED && p[0] == (unsigned char)(PG * 31 + 13) && p[100] == (unsigned char)((PG + 100) * 31 + 13));
	if (p != MAP_FAILED)
		munmap(p, PG);
	expect_errno("mmap unaligned offset", raw_mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 100) == MAP_FAILED, EINVAL);

	// MAP_SHARED: stores reach the file, and write(2) reaches the mapping.
	unsigned char *s = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ok("mmap MAP_SHARED file", s != MAP_FAILED);
	if (s == MAP_FAILED)
		return;
	memcpy(s + 100, "shared-write", 12);
	char rb[13] = {0};
	ok("pread sees the shared store", pread(fd, rb, 12, 100) == 12 && memcmp(rb, "shared-write", 12) == 0);
	ok("pwrite 5 bytes", pwrite(fd, "HELLO", 5, PG + 7) == 5);
	ok("shared mapping sees pwrite", memcmp(s + PG + 7, "HELLO", 5) == 0);
	ok("msync", msync(s, 2 * PG, MS_SYNC) == 0);
	unsigned char *s2 = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
	ok("second shared mapping sees the store", s2 != MAP_FAILED && memcmp(s2 + 100, "shared-write", 12) == 0);
	if (s2 != MAP_FAILED)
		munmap(s2, PG);
	munmap(s, 2 * PG);
	if (ro >= 0) {
		expect_errno("MAP_SHARED PROT_WRITE on O_RDONLY fd", raw_mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED, EACCES);
		close(ro);
	}
	hash64 h;
	hash_init(&h);
	unsigned char all[3 * PG];
	ssize_t n = pread(fd, all, sizeof all, 0);
	hash_bytes(&h, all, n > 0 ? (size_t)n : 0);
	printf("file: %zd bytes, fnv=%016llx\n", n, (unsigned long long)h.h);
	close(fd);
}

int main(int argc, char **argv) {
	const char *dir = argc > 1 ? argv[1] : getenv("TMPDIR");
	if (!dir || !*dir)
		dir = ".";
	test_brk();
	test_anon();
	test_mremap();
	test_file(dir);
	printf("failures: %d\n", failures);
	return failures ? 1 : 0;
}
