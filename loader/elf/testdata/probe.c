/* probe: prints what Linux gave this process at exec, for loader/elf's
 * differential tests (run natively under "setarch x86_64 -R").
 *   sp HEX            initial stack pointer (where argc lives)
 *   argv I HEX / envp I HEX / auxv KEY HEX
 *   brk HEX           mm->start_brk, from /proc/self/stat (field 47)
 *   map START END PERMS   each mapping named after /proc/self/exe
 * SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv, char **envp) {
	char **e = envp;
	unsigned long *aux;
	char exe[4096], line[4096 + 128];
	FILE *f;
	int i;
	ssize_t n;

	printf("sp %lx\n", (unsigned long)(argv - 1));
	printf("argc %d\n", argc);
	for (i = 0; i < argc; i++)
		printf("argv %d %lx\n", i, (unsigned long)argv[i]);
	for (i = 0; envp[i]; i++)
		printf("envp %d %lx\n", i, (unsigned long)envp[i]);
	while (*e)
		e++;
	for (aux = (unsigned long *)(e + 1);; aux += 2) {
		printf("auxv %lu %lx\n", aux[0], aux[1]);
		if (aux[0] == 0)
			break;
	}
	f = fopen("/proc/self/stat", "r");
	if (f && fgets(line, sizeof line, f)) {
		char *p = strrchr(line, ')'); /* fields after comm */
		unsigned long v = 0;
		int field = 2;
		while (p && field < 47) {
			p = strchr(p + 1, ' ');
			field++;
		}
		if (p && sscanf(p + 1, "%lu", &v) == 1)
			printf("brk %lx\n", v);
	}
	if (f)
		fclose(f);
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n < 0)
		return 1;
	exe[n] = 0;
	f = fopen("/proc/self/maps", "r");
	while (f && fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		char perms[8], path[4096];
		path[0] = 0;
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %4095s", &lo, &hi, perms, path) >= 3 &&
		    strcmp(path, exe) == 0)
			printf("map %lx %lx %s\n", lo, hi, perms);
	}
	return 0;
}
