// errno.c: errno names and glibc strerror texts on x86-64 Linux.
//   gcc -o /tmp/errno errno.c && /tmp/errno > errno.txt
// Each line: "number NAME text" (NAME is "-" for an unassigned number).
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

int main(void) {
	for (int e = 1; e <= 133; e++) {
		const char *name = strerrorname_np(e);
		printf("%d %s %s\n", e, name ? name : "-", strerror(e));
	}
	return 0;
}
