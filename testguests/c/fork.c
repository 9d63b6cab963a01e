// Copyright 2026 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// fork.c: processes. fork 100 children that exit with their index and
// collect every status; copy-on-write memory and MAP_SHARED memory across
// fork; pipes between processes; wait status encodings (exit, signal,
// WNOHANG, ECHILD, waitid with WNOWAIT); SIGCHLD with its siginfo; getppid,
// process groups and kill of a group; vfork; orphans. Prints no pids.
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest.h"

static int global = 1;

static void check(int ok, const char *what) {
	printf("%s: %s\n", what, ok ? "ok" : "FAIL");
	fflush(stdout);
}

static void hundred(void) {
	pid_t pids[100];
	for (int i = 0; i < 100; i++) {
		pid_t p = fork();
		if (p < 0) {
			printf("fork %d: %s\n", i, errno_name(errno));
			exit(1);
		}
		if (p == 0)
			_exit(i);
		pids[i] = p;
	}
	int seen[100] = {0}, good = 0;
	for (int n = 0; n < 100; n++) {
		int st;
		pid_t p = waitpid(-1, &st, 0);
		for (int i = 0; i < 100; i++) {
			if (pids[i] == p && WIFEXITED(st) && WEXITSTATUS(st) == i && !seen[i]) {
				seen[i] = 1;
				good++;
			}
		}
	}
	printf("100 children: %d statuses right\n", good);
	errno = 0;
	pid_t p = waitpid(-1, NULL, WNOHANG);
	printf("after: waitpid = %d %s\n", (int)p, errno_name(errno));
}

static void cow(void) {
	char *heap = malloc(1 << 20);
	memset(heap, 'p', 1 << 20);
	int *shared = mmap(NULL, 4096 * 3, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	shared[0] = 1;
	int fds[2];
	if (pipe(fds) != 0)
		exit(2);
	pid_t p = fork();
	if (p == 0) {
		global = 2;
		heap[12345] = 'c';
		shared[0] = 10;
		shared[2048] = 20; // a page the parent never touched
		char msg[64];
		hash64 h;
		hash_init(&h);
		hash_bytes(&h, heap, 1 << 20);
		int n = snprintf(msg, sizeof msg, "child global %d hash %016llx", global, (unsigned long long)h.h);
		write(fds[1], msg, n);
		_exit(0);
	}
	close(fds[1]);
	char buf[128] = {0};
	int n = 0, r;
	while ((r = read(fds[0], buf + n, sizeof buf - 1 - n)) > 0)
		n += r;
	close(fds[0]);
	int st;
	waitpid(p, &st, 0);
	hash64 h;
	hash_init(&h);
	hash_bytes(&h, heap, 1 << 20);
	printf("pipe from child: %s\n", buf);
	printf("parent global %d hash %016llx heap[12345]=%c\n", global, (unsigned long long)h.h, heap[12345]);
	printf("shared: %d %d\n", shared[0], shared[2048]);
	munmap(shared, 4096 * 3);
	free(heap);
}

static void statuses(void) {
	struct rlimit rl = {0, 0};
	setrlimit(RLIMIT_CORE, &rl); // no core dumps: WCOREDUMP is 0 natively too
	int st;
	pid_t p = fork();
	if (p == 0)
		_exit(300); // 300 & 0xff
	waitpid(p, &st, 0);
	printf("exit 300: status %#x exited %d code %d\n", st, WIFEXITED(st), WEXITSTATUS(st));

	int fds[2];
	pipe(fds);
	p = fork();
	if (p == 0) {
		char c;
		close(fds[1]);
		read(fds[0], &c, 1); // blocks until the parent kills it
		_exit(0);
	}
	close(fds[0]);
	errno = 0;
	pid_t r = waitpid(p, &st, WNOHANG);
	printf("WNOHANG while running: %d %s\n", (int)r, errno_name(errno));
	kill(p, SIGTERM);
	waitpid(p, &st, 0);
	printf("SIGTERM: status %#x signaled %d sig %d\n", st, WIFSIGNALED(st), WTERMSIG(st));
	close(fds[1]);

	p = fork();
	if (p == 0)
		abort();
	waitpid(p, &st, 0);
	printf("abort: status %#x signaled %d sig %d core %d\n", st, WIFSIGNALED(st), WTERMSIG(st), WCOREDUMP(st) != 0);

	p = fork();
	if (p == 0)
		*(volatile int *)0 = 1;
	waitpid(p, &st, 0);
	printf("segv: signaled %d sig %d\n", WIFSIGNALED(st), WTERMSIG(st));

	// waitid: WNOWAIT leaves the zombie for a second wait.
	p = fork();
	if (p == 0)
		_exit(9);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	int rc = waitid(P_PID, p, &si, WEXITED | WNOWAIT);
	printf("waitid WNOWAIT: rc %d signo %d code %d status %d pid-match %d\n", rc, si.si_signo, si.si_code, si.si_status, si.si_pid == p);
	memset(&si, 0, sizeof si);
	rc = waitid(P_ALL, 0, &si, WEXITED);
	printf("waitid: rc %d code %d status %d pid-match %d\n", rc, si.si_code, si.si_status, si.si_pid == p);
	errno = 0;
	rc = waitid(P_ALL, 0, &si, WEXITED);
	printf("waitid no children: rc %d %s\n", rc, errno_name(errno));
	errno = 0;
	rc = waitid(P_ALL, 0, &si, 0);
	printf("waitid no options: rc %d %s\n", rc, errno_name(errno));
	errno = 0;
	r = wait4(-1, &st, 0x40000000 | 0x100, NULL);
	printf("wait4 bad option: %d %s\n", (int)r, errno_name(errno));
}

static volatile sig_atomic_t chld_count, chld_code, chld_status;

static void on_chld(int sig, siginfo_t *si, void *uc) {
	(void)sig;
	(void)uc;
	chld_count++;
	chld_code = si->si_code;
	chld_status = si->si_status;
}

static void sigchld(void) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	pid_t p = fork();
	if (p == 0)
		_exit(5);
	int st;
	while (waitpid(p, &st, 0) < 0 && errno == EINTR)
		;
	// The signal is delivered by the time waitpid returns (it is pending
	// as soon as the child is a zombie).
	printf("SIGCHLD: count %d code %d status %d\n", (int)chld_count, (int)chld_code, (int)chld_status);

	p = fork();
	if (p == 0) {
		raise(SIGKILL);
		_exit(0);
	}
	while (waitpid(p, &st, 0) < 0 && errno == EINTR)
		;
	printf("SIGCHLD kill: count %d code %d status %d\n", (int)chld_count, (int)chld_code, (int)chld_status);
	signal(SIGCHLD, SIG_DFL);

	// SIG_IGN: children are reaped at once; wait finds none.
	signal(SIGCHLD, SIG_IGN);
	p = fork();
	if (p == 0)
		_exit(1);
	errno = 0;
	pid_t r = waitpid(p, &st, 0);
	printf("SIG_IGN: waitpid %s\n", r < 0 ? errno_name(errno) : "returned a child");
	signal(SIGCHLD, SIG_DFL);
}

static void identity(void) {
	pid_t me = getpid();
	int fds[2];
	pipe(fds);
	pid_t p = fork();
	if (p == 0) {
		char ok[4];
		ok[0] = getppid() == me ? 'y' : 'n';
		ok[1] = getpgid(0) == getpgid(me) ? 'y' : 'n';
		setpgid(0, 0);
		ok[2] = getpgid(0) == getpid() && getpgrp() == getpid() ? 'y' : 'n';
		ok[3] = getsid(0) == getsid(me) ? 'y' : 'n';
		write(fds[1], ok, 4);
		pause();
		_exit(0);
	}
	char ok[5] = {0};
	read(fds[0], ok, 4);
	printf("child ids (ppid, pgid, setpgid, sid): %s\n", ok);
	printf("parent sees child's group: %d\n", getpgid(p) == p);
	// Signal the child's new group.
	kill(-p, SIGUSR1);
	int st;
	waitpid(p, &st, 0);
	printf("kill group: signaled %d sig %d\n", WIFSIGNALED(st), WTERMSIG(st));
	errno = 0;
	int rc = kill(-p, SIGUSR1);
	printf("kill empty group: %d %s\n", rc, errno_name(errno));
	close(fds[0]);
	close(fds[1]);

	// setsid in a child: a new session led by the child.
	pipe(fds);
	p = fork();
	if (p == 0) {
		char ok[2];
		pid_t s = setsid();
		ok[0] = s == getpid() && getsid(0) == getpid() ? 'y' : 'n';
		ok[1] = setsid() < 0 && errno == EPERM ? 'y' : 'n';
		write(fds[1], ok, 2);
		_exit(0);
	}
	memset(ok, 0, sizeof ok);
	read(fds[0], ok, 2);
	waitpid(p, &st, 0);
	printf("setsid child: %s\n", ok);
	close(fds[0]);
	close(fds[1]);
}

static volatile sig_atomic_t vfork_usr1;
static void on_usr1_vfork(int sig) {
	(void)sig;
	vfork_usr1 = 1;
}

static void vforks(void) {
	int st;
	pid_t p = vfork();
	if (p == 0)
		_exit(3);
	waitpid(p, &st, 0);
	printf("vfork exit: %d\n", WEXITSTATUS(st));
	p = vfork();
	if (p == 0) {
		execl("/nonexistent/program", "x", (char *)NULL);
		_exit(errno == ENOENT ? 4 : 5);
	}
	waitpid(p, &st, 0);
	printf("vfork exec ENOENT: %d\n", WEXITSTATUS(st));
	// A signal for the parent during the vfork wait is handled after it.
	signal(SIGUSR1, on_usr1_vfork);
	vfork_usr1 = 0;
	p = vfork();
	if (p == 0) {
		kill(getppid(), SIGUSR1);
		usleep(20000);
		_exit(0);
	}
	int seen = vfork_usr1;
	waitpid(p, &st, 0);
	printf("vfork: signal sent during the wait handled after it: %d\n", seen);
	signal(SIGUSR1, SIG_DFL);
}

static void *blocked_reader(void *arg) {
	char c;
	read(*(int *)arg, &c, 1);
	return NULL;
}

// fork from a process with a second thread: the child has only the
// forking thread; the parent's other thread goes on.
static void threaded(void) {
	int fds[2];
	pipe(fds);
	pthread_t th;
	pthread_create(&th, NULL, blocked_reader, &fds[0]);
	pid_t p = fork();
	if (p == 0)
		_exit(11);
	int st;
	waitpid(p, &st, 0);
	printf("fork with a second thread: child %d\n", WEXITSTATUS(st));
	write(fds[1], "x", 1);
	pthread_join(th, NULL);
	printf("second thread joined\n");
	close(fds[0]);
	close(fds[1]);
}

extern char **environ;

// posix_spawn (glibc and musl: clone with CLONE_VM|CLONE_VFORK).
static void spawn(void) {
	char *argv[] = {"fork", "spawned", NULL};
	pid_t p;
	int rc = posix_spawn(&p, "/proc/self/exe", NULL, NULL, argv, environ);
	int st = 0;
	if (rc == 0)
		waitpid(p, &st, 0);
	printf("posix_spawn: rc %d status %d\n", rc, WEXITSTATUS(st));
	char *bad[] = {"nope", NULL};
	rc = posix_spawn(&p, "/nonexistent/prog", NULL, NULL, bad, environ);
	if (rc == 0) {
		// glibc's posix_spawn reports the exec failure itself; musl's
		// returns it too, other libcs may start a child that exits 127.
		waitpid(p, &st, 0);
		rc = WEXITSTATUS(st) == 127 ? ENOENT : -1;
	}
	printf("posix_spawn missing: %s\n", errno_name(rc));
}

static volatile sig_atomic_t got_usr1;
static void on_usr1(int sig) {
	(void)sig;
	got_usr1 = 1;
}

// A child subreaper adopts its orphaned grandchild (and can wait for it);
// the grandchild's PR_SET_PDEATHSIG signal arrives when its parent dies.
static void subreaper(void) {
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	pid_t me = getpid();
	int ready[2], result[2];
	pipe(ready);
	pipe(result);
	pid_t p = fork();
	if (p == 0) {
		pid_t mid = getpid();
		pid_t g = fork();
		if (g == 0) {
			signal(SIGUSR1, on_usr1);
			prctl(PR_SET_PDEATHSIG, SIGUSR1);
			write(ready[1], "r", 1);
			while (getppid() == mid)
				usleep(1000);
			while (!got_usr1)
				usleep(1000);
			char msg[32];
			int n = snprintf(msg, sizeof msg, "adopted %d sig %d", getppid() == me, (int)got_usr1);
			write(result[1], msg, n);
			_exit(6);
		}
		char c;
		read(ready[0], &c, 1);
		_exit(0);
	}
	int st;
	waitpid(p, &st, 0);
	char buf[32] = {0};
	read(result[0], buf, sizeof buf - 1);
	pid_t g = waitpid(-1, &st, 0);
	printf("subreaper: %s; waited grandchild %d status %d\n", buf, g > 0, WEXITSTATUS(st));
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	close(ready[0]);
	close(ready[1]);
	close(result[0]);
	close(result[1]);
}

static void orphan(void) {
	int fds[2];
	pipe(fds);
	pid_t p = fork();
	if (p == 0) {
		pid_t child = getpid();
		pid_t g = fork();
		if (g == 0) {
			// Wait until the parent has gone, then report.
			while (getppid() == child)
				usleep(1000);
			write(fds[1], "reparented", 10);
			_exit(0);
		}
		_exit(0);
	}
	close(fds[1]);
	int st;
	waitpid(p, &st, 0);
	char buf[16] = {0};
	read(fds[0], buf, 10);
	close(fds[0]);
	printf("grandchild: %s\n", buf);
}

int main(int argc, char **argv) {
	const char *mode = argc > 1 ? argv[1] : "all";
	if (strcmp(mode, "spawned") == 0)
		return 5;
	int all = strcmp(mode, "all") == 0;
	if (all || strcmp(mode, "hundred") == 0)
		hundred();
	if (all || strcmp(mode, "cow") == 0)
		cow();
	if (all || strcmp(mode, "statuses") == 0)
		statuses();
	if (all || strcmp(mode, "sigchld") == 0)
		sigchld();
	if (all || strcmp(mode, "identity") == 0)
		identity();
	if (all || strcmp(mode, "vfork") == 0)
		vforks();
	if (all || strcmp(mode, "threaded") == 0)
		threaded();
	if (all || strcmp(mode, "spawn") == 0)
		spawn();
	if (all || strcmp(mode, "subreaper") == 0)
		subreaper();
	if (all || strcmp(mode, "orphan") == 0)
		orphan();
	check(1, "done");
	return 0;
}
