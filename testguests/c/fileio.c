// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// fileio: file system calls in a scratch directory under argv[1], else
// $TMPDIR, else ".". It prints only what is the same on every run and every
// file system: sizes, modes, link counts of regular files, sorted getdents64
// listings, read-back contents and the errno names of failing calls.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "guest.h"

#define DIRNAME "gemu-fileio.d"

static int failures;

// check reports a call's result: "name: ok" or the errno name.
static long check(const char *what, long r) {
	if (r < 0)
		printf("%s: -1 %s\n", what, errno_name(errno));
	else
		printf("%s: %ld\n", what, r);
	return r;
}

// expect_errno checks that a call failed with a given errno.
static void expect_errno(const char *what, long r, int want) {
	int e = errno;
	if (r >= 0) {
		printf("%s: unexpectedly succeeded (%ld), want %s\n", what, r, errno_name(want));
		failures++;
		return;
	}
	printf("%s: %s%s\n", what, errno_name(e), e == want ? "" : " (UNEXPECTED)");
	if (e != want)
		failures++;
}

static const char *type_name(mode_t m) {
	switch (m & S_IFMT) {
	case S_IFREG: return "file";
	case S_IFDIR: return "dir";
	case S_IFLNK: return "symlink";
	case S_IFIFO: return "fifo";
	default: return "other";
	}
}

static void print_stat(const char *what, const struct stat *st) {
	printf("%s: %s mode=%04o", what, type_name(st->st_mode), (unsigned)(st->st_mode & 07777));
	if (S_ISREG(st->st_mode))
		printf(" size=%lld nlink=%lu", (long long)st->st_size, (unsigned long)st->st_nlink);
	if (S_ISLNK(st->st_mode))
		printf(" size=%lld", (long long)st->st_size);
	putchar('\n');
}

static void do_stat(const char *path) {
	struct stat st;
	char what[128];
	snprintf(what, sizeof what, "stat %s", path);
	if (stat(path, &st) < 0) {
		printf("%s: %s\n", what, errno_name(errno));
		return;
	}
	print_stat(what, &st);
}

static void do_lstat(const char *path) {
	struct stat st;
	char what[128];
	snprintf(what, sizeof what, "lstat %s", path);
	if (lstat(path, &st) < 0) {
		printf("%s: %s\n", what, errno_name(errno));
		return;
	}
	print_stat(what, &st);
}

static unsigned char dt_of(mode_t m) {
	switch (m & S_IFMT) {
	case S_IFREG: return DT_REG;
	case S_IFDIR: return DT_DIR;
	case S_IFLNK: return DT_LNK;
	case S_IFIFO: return DT_FIFO;
	default: return DT_UNKNOWN;
	}
}

static int cmp_names(const void *a, const void *b) {
	return strcmp(*(char *const *)a, *(char *const *)b);
}

// list prints the directory's entries, read with raw getdents64 through a
// deliberately small buffer, sorted by name. d_type must be DT_UNKNOWN or
// agree with lstat.
static void list(const char *dir) {
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		printf("list %s: open %s\n", dir, errno_name(errno));
		failures++;
		return;
	}
	char *names[64];
	unsigned char types[64];
	int n = 0;
	char buf[96]; // small: forces several getdents64 calls
	for (;;) {
		long r = syscall(SYS_getdents64, fd, buf, sizeof buf);
		if (r < 0) {
			printf("getdents64: %s\n", errno_name(errno));
			failures++;
			break;
		}
		if (r == 0)
			break;
		for (long off = 0; off < r;) {
			uint16_t reclen;
			memcpy(&reclen, buf + off + 16, 2);
			unsigned char type = (unsigned char)buf[off + 18];
			const char *name = buf + off + 19;
			if (n < 64) {
				names[n] = strdup(name);
				types[n] = type;
				n++;
			}
			if (reclen == 0 || reclen % 8 != 0) {
				printf("getdents64: bad reclen %u\n", reclen);
				failures++;
				close(fd);
				return;
			}
			off += reclen;
		}
	}
	close(fd);
	// Sort the names and carry the types along.
	char *sorted[64];
	for (int i = 0; i < n; i++)
		sorted[i] = names[i];
	qsort(sorted, n, sizeof sorted[0], cmp_names);
	printf("list %s: %d entries\n", dir, n);
	for (int i = 0; i < n; i++) {
		int j = 0;
		while (names[j] != sorted[i])
			j++;
		char path[256];
		snprintf(path, sizeof path, "%s/%s", dir, sorted[i]);
		struct stat st;
		const char *ok = "?";
		if (lstat(path, &st) == 0)
			ok = (types[j] == DT_UNKNOWN || types[j] == dt_of(st.st_mode)) ? "d_type ok" : "d_type WRONG";
		printf("  %s %s\n", sorted[i], ok);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
}

static void read_back(const char *what, int fd, size_t n) {
	char buf[256];
	if (n > sizeof buf - 1)
		n = sizeof buf - 1;
	ssize_t r = read(fd, buf, n);
	if (r < 0) {
		printf("%s: %s\n", what, errno_name(errno));
		return;
	}
	buf[r] = 0;
	printf("%s: %zd \"%s\"\n", what, r, buf);
}

int main(int argc, char **argv) {
	umask(022);
	const char *base = argc > 1 ? argv[1] : getenv("TMPDIR");
	if (!base || !*base)
		base = ".";
	if (chdir(base) < 0) {
		printf("chdir base: %s\n", errno_name(errno));
		return 1;
	}

	check("mkdir " DIRNAME, mkdir(DIRNAME, 0755));
	expect_errno("mkdir again", mkdir(DIRNAME, 0755), EEXIST);
	do_stat(DIRNAME);

	// Create, write, read back.
	int fd = (int)check("open a.txt O_CREAT|O_RDWR|O_TRUNC", open(DIRNAME "/a.txt", O_CREAT | O_RDWR | O_TRUNC | O_CLOEXEC, 0644));
	check("write 26", write(fd, "abcdefghijklmnopqrstuvwxyz", 26));
	check("lseek SEEK_CUR 0", lseek(fd, 0, SEEK_CUR));
	check("lseek SEEK_SET 3", lseek(fd, 3, SEEK_SET));
	read_back("read 5 at 3", fd, 5);
	check("lseek SEEK_END -4", lseek(fd, -4, SEEK_END));
	read_back("read 10 at 22", fd, 10);
	read_back("read at EOF", fd, 10);
	expect_errno("lseek to -1", lseek(fd, -1, SEEK_SET), EINVAL);
	check("pwrite \"XYZ\" at 10", pwrite(fd, "XYZ", 3, 10));
	check("lseek SEEK_CUR after pwrite", lseek(fd, 0, SEEK_CUR));
	{
		char b[16] = {0};
		check("pread 6 at 8", pread(fd, b, 6, 8));
		printf("pread data: \"%s\"\n", b);
		check("pread past EOF", pread(fd, b, 6, 1000));
	}
	check("pwrite 1 at 40 (makes a hole)", pwrite(fd, "!", 1, 40));
	{
		struct stat st;
		check("fstat", fstat(fd, &st));
		print_stat("fstat a.txt", &st);
		char b[64];
		check("pread whole", pread(fd, b, sizeof b, 0));
		hash64 h;
		hash_init(&h);
		hash_bytes(&h, b, 41);
		printf("contents fnv=%016llx hole bytes zero: %s\n", (unsigned long long)h.h,
		       b[26] == 0 && b[39] == 0 ? "yes" : "no");
	}
	check("ftruncate 20", ftruncate(fd, 20));
	do_stat(DIRNAME "/a.txt");
	check("fsync", fsync(fd));
	check("close", close(fd));
	expect_errno("close again", close(fd), EBADF);
	expect_errno("read closed fd", read(fd, (char[4]){0}, 4), EBADF);
	expect_errno("write fd 999", write(999, "x", 1), EBADF);

	// O_APPEND and O_RDONLY.
	fd = (int)check("open a.txt O_WRONLY|O_APPEND", open(DIRNAME "/a.txt", O_WRONLY | O_APPEND | O_CLOEXEC));
	check("lseek SEEK_SET 0", lseek(fd, 0, SEEK_SET));
	check("append 3", write(fd, "123", 3));
	check("lseek SEEK_CUR after append", lseek(fd, 0, SEEK_CUR));
	expect_errno("read O_WRONLY fd", read(fd, (char[4]){0}, 4), EBADF);
	close(fd);
	fd = (int)check("open a.txt O_RDONLY", open(DIRNAME "/a.txt", O_RDONLY | O_CLOEXEC));
	expect_errno("write O_RDONLY fd", write(fd, "x", 1), EBADF);
	read_back("read all", fd, 100);
	close(fd);

	// Errors by name.
	expect_errno("open missing", open(DIRNAME "/missing", O_RDONLY), ENOENT);
	expect_errno("open O_CREAT|O_EXCL existing", open(DIRNAME "/a.txt", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	expect_errno("open dir O_WRONLY", open(DIRNAME, O_WRONLY), EISDIR);
	expect_errno("open file/x", open(DIRNAME "/a.txt/x", O_RDONLY), ENOTDIR);
	expect_errno("open file O_DIRECTORY", open(DIRNAME "/a.txt", O_RDONLY | O_DIRECTORY), ENOTDIR);
	expect_errno("stat missing", stat(DIRNAME "/nope/nope", &(struct stat){0}), ENOENT);
	expect_errno("unlink missing", unlink(DIRNAME "/missing"), ENOENT);
	expect_errno("unlink dir", unlink(DIRNAME), EISDIR);
	expect_errno("rmdir file", rmdir(DIRNAME "/a.txt"), ENOTDIR);
	expect_errno("rmdir non-empty", rmdir(DIRNAME), ENOTEMPTY);
	expect_errno("fstat fd -1", fstat(-1, &(struct stat){0}), EBADF);
	{
		int p[2];
		if (pipe(p) == 0) {
			expect_errno("lseek pipe", lseek(p[0], 0, SEEK_SET), ESPIPE);
			close(p[0]);
			close(p[1]);
		}
	}

	// Links, symlinks, rename.
	check("link a.txt b.txt", link(DIRNAME "/a.txt", DIRNAME "/b.txt"));
	do_stat(DIRNAME "/a.txt");
	check("symlink", symlink("a.txt", DIRNAME "/c.lnk"));
	do_lstat(DIRNAME "/c.lnk");
	do_stat(DIRNAME "/c.lnk");
	{
		char b[64];
		long r = check("readlink", readlink(DIRNAME "/c.lnk", b, sizeof b));
		if (r >= 0)
			printf("readlink data: \"%.*s\"\n", (int)r, b);
	}
	expect_errno("readlink regular file", readlink(DIRNAME "/a.txt", (char[8]){0}, 8), EINVAL);
	check("rename b.txt d.txt", rename(DIRNAME "/b.txt", DIRNAME "/d.txt"));
	expect_errno("stat b.txt after rename", stat(DIRNAME "/b.txt", &(struct stat){0}), ENOENT);
	do_stat(DIRNAME "/d.txt");
	check("mkdir sub", mkdir(DIRNAME "/sub", 0700));
	do_stat(DIRNAME "/sub");
	check("mkdir sub/inner", mkdir(DIRNAME "/sub/inner", 0750));
	{
		int dfd = (int)check("open sub O_DIRECTORY", open(DIRNAME "/sub", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
		int f2 = (int)check("openat sub f.bin", openat(dfd, "f.bin", O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
		char big[5000];
		for (size_t i = 0; i < sizeof big; i++)
			big[i] = (char)(i * 7 + 3);
		check("write 5000", write(f2, big, sizeof big));
		close(f2);
		struct stat st;
		check("fstatat f.bin", fstatat(dfd, "f.bin", &st, 0));
		print_stat("fstatat f.bin", &st);
		close(dfd);
	}
	check("chmod a.txt 0600", chmod(DIRNAME "/a.txt", 0600));
	do_stat(DIRNAME "/a.txt");
	check("access a.txt F_OK", access(DIRNAME "/a.txt", F_OK));
	expect_errno("access missing", access(DIRNAME "/zz", F_OK), ENOENT);
	for (int i = 0; i < 12; i++) {
		char p[64];
		snprintf(p, sizeof p, DIRNAME "/n%02d-%s", (i * 5) % 12, i % 2 ? "odd" : "even");
		int f = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
		if (f < 0) {
			printf("create %s: %s\n", p, errno_name(errno));
			failures++;
		} else {
			close(f);
		}
	}
	list(DIRNAME);
	list(DIRNAME "/sub");
	expect_errno("rename dir onto its non-empty parent", rename(DIRNAME "/sub/inner", DIRNAME "/sub"), ENOTEMPTY);
	expect_errno("rename dir into itself", rename(DIRNAME "/sub", DIRNAME "/sub/inner/x"), EINVAL);
	expect_errno("rename file over dir", rename(DIRNAME "/d.txt", DIRNAME "/sub"), EISDIR);

	// Clean up everything.
	{
		int dfd = open(DIRNAME, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		char buf[512];
		char *names[64];
		int n = 0;
		for (;;) {
			long r = syscall(SYS_getdents64, dfd, buf, sizeof buf);
			if (r <= 0)
				break;
			for (long off = 0; off < r;) {
				uint16_t reclen;
				memcpy(&reclen, buf + off + 16, 2);
				const char *name = buf + off + 19;
				if (strcmp(name, ".") && strcmp(name, "..") && strcmp(name, "sub") && n < 64)
					names[n++] = strdup(name);
				off += reclen;
			}
		}
		close(dfd);
		int bad = 0;
		for (int i = 0; i < n; i++) {
			char p[128];
			snprintf(p, sizeof p, DIRNAME "/%s", names[i]);
			bad += unlink(p) < 0;
			free(names[i]);
		}
		bad += unlink(DIRNAME "/sub/f.bin") < 0;
		bad += rmdir(DIRNAME "/sub/inner") < 0;
		bad += rmdir(DIRNAME "/sub") < 0;
		bad += rmdir(DIRNAME) < 0;
		printf("cleanup: removed %d names, %s\n", n, bad ? "FAILED" : "ok");
		failures += bad;
	}
	expect_errno("rmdir removed dir", rmdir(DIRNAME), ENOENT);
	printf("failures: %d\n", failures);
	return failures ? 1 : 0;
}
