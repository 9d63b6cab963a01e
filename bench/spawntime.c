// Copyright 2026 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// spawntime: a host tool for bench/startup.sh (not a guest). It starts each
// command N times, in alternation, with posix_spawn (standard output to
// /dev/null) and times it from spawn to wait4; the kernel's rusage of each
// child gives its CPU time, minor page faults and peak RSS. It prints one
// markdown table row per command:
//
//   | LABEL | median ms | p10 ms | p90 ms | min ms | median CPU ms | median minor faults | max RSS KiB |
//
//   spawntime N LABEL CMD [ARG...] [-- LABEL CMD [ARG...]]...
//
// A command that does not exit with status 0 stops the tool (status 1).
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

struct cmd {
	const char *label;
	char **argv;
	double *wall, *cpu, *faults;
	long maxrss;
};

static double now_us(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b) {
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

// quantile of the sorted v[0..n): nearest rank.
static double q(const double *v, int n, double p) { return v[(int)(p * (n - 1) + 0.5)]; }

int main(int argc, char **argv) {
	if (argc < 4) {
		fprintf(stderr, "usage: spawntime N LABEL CMD [ARG...] [-- LABEL CMD [ARG...]]...\n");
		return 2;
	}
	int n = atoi(argv[1]);
	if (n < 1) {
		fprintf(stderr, "spawntime: N must be positive\n");
		return 2;
	}
	struct cmd cmds[16];
	int nc = 0;
	for (int i = 2; i < argc;) {
		if (nc == 16 || i + 1 >= argc) {
			fprintf(stderr, "spawntime: at most 16 commands, each LABEL CMD [ARG...]\n");
			return 2;
		}
		struct cmd *c = &cmds[nc++];
		c->label = argv[i];
		c->argv = &argv[i + 1];
		c->wall = calloc(n, sizeof(double));
		c->cpu = calloc(n, sizeof(double));
		c->faults = calloc(n, sizeof(double));
		c->maxrss = 0;
		int j = i + 1;
		while (j < argc && strcmp(argv[j], "--") != 0)
			j++;
		if (j < argc)
			argv[j] = NULL; // ends this command's argv
		i = j + 1;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	for (int i = 0; i < n; i++) {
		for (int k = 0; k < nc; k++) {
			struct cmd *c = &cmds[k];
			pid_t pid;
			int status;
			struct rusage ru;
			double t0 = now_us();
			if (posix_spawnp(&pid, c->argv[0], &fa, NULL, c->argv, environ) != 0) {
				perror(c->argv[0]);
				return 1;
			}
			if (wait4(pid, &status, 0, &ru) != pid) {
				perror("wait4");
				return 1;
			}
			double t1 = now_us();
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
				fprintf(stderr, "spawntime: %s: status %#x\n", c->argv[0], status);
				return 1;
			}
			c->wall[i] = t1 - t0;
			c->cpu[i] = ru.ru_utime.tv_sec * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1e6 + ru.ru_stime.tv_usec;
			c->faults[i] = ru.ru_minflt;
			if (ru.ru_maxrss > c->maxrss)
				c->maxrss = ru.ru_maxrss;
		}
	}
	for (int k = 0; k < nc; k++) {
		struct cmd *c = &cmds[k];
		qsort(c->wall, n, sizeof(double), cmp);
		qsort(c->cpu, n, sizeof(double), cmp);
		qsort(c->faults, n, sizeof(double), cmp);
		printf("| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f | %ld |\n", c->label,
		       q(c->wall, n, 0.5) / 1e3, q(c->wall, n, 0.1) / 1e3, q(c->wall, n, 0.9) / 1e3, c->wall[0] / 1e3,
		       q(c->cpu, n, 0.5) / 1e3, q(c->faults, n, 0.5), c->maxrss);
	}
	return 0;
}
