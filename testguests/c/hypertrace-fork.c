// Copyright 2026 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// hypertrace-fork: events from both sides of a fork through one channel.
// The parent (client 0) emits arg1 = 0x100+i before the fork and 0x300+i
// after the child ended; the child (client 1) emits 0x200+i through the
// mappings it inherited, then forks a grandchild that emits 0x400+i (client
// 1 too, after the child's events). Run it as
//
//   gemu -hypertrace base=PATH,max-clients=2 hypertrace-fork PATH
//
// Each event must carry the pid of the process that emitted it.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../hypertrace/guest/qemu-hypertrace.h"

#define N 5

int main(int argc, char **argv) {
	const char *base = argc > 1 ? argv[1] : "/tmp/ht";
	if (qemu_hypertrace_init(base) != 0) {
		fprintf(stderr, "hypertrace-fork: cannot open the channel %s: %s\n", base, strerror(errno));
		return 1;
	}
	for (int i = 0; i < N; i++)
		qemu_hypertrace(0, 0x100 + i);
	printf("parent %d\n", (int)getpid());
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		for (int i = 0; i < N; i++)
			qemu_hypertrace(1, 0x200 + i);
		printf("child %d\n", (int)getpid());
		fflush(stdout);
		pid_t g = fork();
		if (g == 0) {
			for (int i = 0; i < N; i++)
				qemu_hypertrace(1, 0x400 + i);
			printf("grandchild %d\n", (int)getpid());
			fflush(stdout);
			_exit(0);
		}
		waitpid(g, NULL, 0);
		_exit(0);
	}
	int st;
	waitpid(p, &st, 0);
	for (int i = 0; i < N; i++)
		qemu_hypertrace(0, 0x300 + i);
	qemu_hypertrace_fini();
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
