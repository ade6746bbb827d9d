// SPDX-License-Identifier: BSD-3-Clause
/*
 * driver.c - the plain main() of a fuzz target for builds without
 * libFuzzer (gcc, ctest): replays every file named, and every file of
 * every directory named, through LLVMFuzzerTestOneInput, in name order so
 * runs repeat. A broken rule aborts (FZ_CHECK) with the file on stderr.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static void replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f) {
		perror(path);
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "%s: cannot read\n", path);
		exit(2);
	}
	fclose(f);
	fprintf(stderr, "replay %s (%ld bytes)\n", path, n);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
	size_t files = 0;

	for (int i = 1; i < argc; i++) {
		struct dirent **ent;
		struct stat st;
		char path[4096];
		int n;

		if (stat(argv[i], &st) || !S_ISDIR(st.st_mode)) {
			replay_file(argv[i]);
			files++;
			continue;
		}
		n = scandir(argv[i], &ent, NULL, by_name);
		for (int k = 0; k < n; k++) {
			snprintf(path, sizeof(path), "%s/%s", argv[i],
				 ent[k]->d_name);
			if (!stat(path, &st) && S_ISREG(st.st_mode)) {
				replay_file(path);
				files++;
			}
			free(ent[k]);
		}
		free(n >= 0 ? ent : NULL);
	}
	printf("%zu inputs replayed, no rule broken\n", files);
	return files ? 0 : 1;
}
