// Copyright 2026 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// execchain.c: execve. With no arguments: execve's errors (ENOENT, EACCES
// for a directory and for a file without execute permission, ENOEXEC for
// an executable text file without "#!", a "#!" script run through its
// interpreter), then a chain of 50 execs of /proc/self/exe. Every link
// checks what exec keeps and resets: a close-on-exec descriptor is closed,
// another stays open at the same offset; a handled signal is back to
// SIG_DFL, an ignored one stays ignored; the blocked mask is kept; the pid
// is the same. The last link prints the tally and exits 42. With
// "thread-exec": a thread of a three-thread process execs; the new image
// runs alone with the same pid.
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest.h"

#define LINKS 50

extern char **environ;

static void on_usr1(int sig) { (void)sig; }

static void try_exec(const char *what, const char *path) {
	char *argv[] = {(char *)path, NULL};
	pid_t p = fork();
	if (p == 0) {
		execv(path, argv);
		printf("%s: %s\n", what, errno_name(errno));
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(p, &st, 0);
}

static void errors(const char *dir) {
	char path[512];
	try_exec("missing", "/nonexistent/prog");
	try_exec("directory", dir);
	snprintf(path, sizeof path, "%s/noexec", dir);
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	write(fd, "#!/bin/sh\necho hi\n", 18);
	close(fd);
	try_exec("no execute permission", path);
	snprintf(path, sizeof path, "%s/text", dir);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0755);
	write(fd, "echo not a script\n", 18);
	close(fd);
	try_exec("text without #!", path);
	snprintf(path, sizeof path, "%s/script", dir);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0755);
	// The interpreter is this program: it reports the argv it got.
	char line[600];
	char self[400];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	self[n > 0 ? n : 0] = 0;
	int m = snprintf(line, sizeof line, "#!%s  show-args \n", self);
	write(fd, line, m);
	close(fd);
	char *argv[] = {"script-name", "x", "y", NULL};
	pid_t p = fork();
	if (p == 0) {
		execv(path, argv);
		_exit(99);
	}
	int st;
	waitpid(p, &st, 0);
	printf("script status %d\n", WEXITSTATUS(st));
	fflush(stdout);
	// fexecve: execveat(fd, "", AT_EMPTY_PATH) of an open program.
	p = fork();
	if (p == 0) {
		int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
		char *fargv[] = {"fexecve", "show-args", "via-fd", NULL};
		fexecve(fd, fargv, environ);
		printf("fexecve: %s\n", errno_name(errno));
		fflush(stdout);
		_exit(0);
	}
	waitpid(p, &st, 0);
	printf("fexecve status %d\n", WEXITSTATUS(st));
	unlink(path);
	snprintf(path, sizeof path, "%s/text", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/noexec", dir);
	unlink(path);
	fflush(stdout);
}

static char pidbuf[16];
static char *self_path;

static void *exec_from_thread(void *arg) {
	(void)arg;
	char *argv[] = {self_path, "after-thread-exec", pidbuf, NULL};
	execv("/proc/self/exe", argv);
	printf("exec from a thread: %s\n", errno_name(errno));
	exit(1);
}

static void *block_forever(void *arg) {
	char c;
	read(*(int *)arg, &c, 1); // never returns: the exec ends this thread
	return NULL;
}

// thread-exec: a process with three threads (main in pause, one blocked
// in read, one that execs); the exec ends the other two and the new image
// runs as the process's only thread with the same pid.
static int thread_exec(char *argv0) {
	static int fds[2];
	pipe(fds);
	self_path = argv0;
	snprintf(pidbuf, sizeof pidbuf, "%d", (int)getpid());
	pthread_t a, b;
	pthread_create(&a, NULL, block_forever, &fds[0]);
	pthread_create(&b, NULL, exec_from_thread, NULL);
	for (;;)
		pause();
	return 1;
}

int main(int argc, char **argv) {
	if (argc > 1 && strcmp(argv[1], "thread-exec") == 0)
		return thread_exec(argv[0]);
	if (argc > 2 && strcmp(argv[1], "after-thread-exec") == 0) {
		int threads = -1;
		FILE *f = fopen("/proc/self/status", "r");
		char line[256];
		while (f && fgets(line, sizeof line, f))
			if (strncmp(line, "Threads:", 8) == 0)
				threads = atoi(line + 8);
		if (f)
			fclose(f);
		printf("after exec from a thread: same pid %d, gettid is pid %d, threads %d\n",
			atoi(argv[2]) == (int)getpid(), (int)syscall(SYS_gettid) == (int)getpid(), threads);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "show-args") == 0) {
		// Run as a script's interpreter: argv[0] is the interpreter's
		// path as the #! line has it, then its one argument, the
		// script's path, the script's own arguments.
		printf("interpreter got %d args:", argc - 1);
		for (int i = 1; i < argc; i++) {
			const char *a = argv[i];
			const char *slash = strrchr(a, '/');
			printf(" [%s]", slash ? slash + 1 : a);
		}
		printf("\n");
		return 3;
	}
	char num[16], fails[16], cfd[16], pfd[16], pid[16];
	if (argc == 1) {
		const char *dir = getenv("TMPDIR");
		if (!dir)
			dir = "/tmp";
		errors(dir);
		int c = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
		int p = open("/proc/self/exe", O_RDONLY);
		lseek(p, 100, SEEK_SET);
		signal(SIGUSR1, on_usr1);
		signal(SIGUSR2, SIG_IGN);
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGHUP);
		sigprocmask(SIG_BLOCK, &set, NULL);
		snprintf(num, sizeof num, "%d", LINKS);
		snprintf(fails, sizeof fails, "0");
		snprintf(cfd, sizeof cfd, "%d", c);
		snprintf(pfd, sizeof pfd, "%d", p);
		snprintf(pid, sizeof pid, "%d", (int)getpid());
		char *nargv[] = {argv[0], num, fails, cfd, pfd, pid, NULL};
		execv("/proc/self/exe", nargv);
		printf("first exec: %s\n", errno_name(errno));
		return 1;
	}
	if (argc != 6)
		return 2;
	int left = atoi(argv[1]), bad = atoi(argv[2]), c = atoi(argv[3]), p = atoi(argv[4]);
	if (fcntl(c, F_GETFD) != -1 || errno != EBADF)
		bad++;
	if (fcntl(p, F_GETFD) != 0 || lseek(p, 0, SEEK_CUR) != 100 + LINKS - left)
		bad++;
	lseek(p, 1, SEEK_CUR);
	struct sigaction sa;
	sigaction(SIGUSR1, NULL, &sa);
	if (sa.sa_handler != SIG_DFL)
		bad++;
	sigaction(SIGUSR2, NULL, &sa);
	if (sa.sa_handler != SIG_IGN)
		bad++;
	sigset_t set;
	sigprocmask(SIG_BLOCK, NULL, &set);
	if (!sigismember(&set, SIGHUP))
		bad++;
	if (atoi(argv[5]) != (int)getpid())
		bad++;
	if (left > 0) {
		signal(SIGUSR1, on_usr1); // reset again by the next exec
		snprintf(num, sizeof num, "%d", left - 1);
		snprintf(fails, sizeof fails, "%d", bad);
		char *nargv[] = {argv[0], num, fails, argv[3], argv[4], argv[5], NULL};
		execv("/proc/self/exe", nargv);
		printf("exec at %d: %s\n", left, errno_name(errno));
		return 1;
	}
	printf("chain of %d execs: %d failed checks\n", LINKS, bad);
	return 42;
}
