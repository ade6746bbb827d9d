// SPDX-License-Identifier: BSD-3-Clause
/*
 * memblock_peer_load.c - run scripts/memblock-peer.sh, dlopen() what it
 * built, check the ABI (memblock_peer_load.h says how the bench uses it).
 *
 * Why a script and dlopen rather than a CMake target: the kernel source
 * is an optional, GPL input that is not in the repository and may appear
 * after discontig was built (apt-get install linux-source-6.1), and the
 * peer must be timed in process, with the same clock and the same batch
 * loops as the backends, which an out-of-process helper would not allow.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "memblock_peer_load.h"

#ifndef DC_MEMBLOCK_PEER_SCRIPT_PATH
#define DC_MEMBLOCK_PEER_SCRIPT_PATH "scripts/memblock-peer.sh"
#endif

static void load_why(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void load_why(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

/* One line of the script's output: "peer: PATH" is kept, any other line
 * is progress or the reason for a failure (the last one is kept). */
static void load_line(char *line, bool verbose, struct dc_peer_memblock *pm,
		      char *why, size_t len)
{
	line[strcspn(line, "\n")] = '\0';
	if (!strncmp(line, "peer: ", 6)) {
		size_t l = strlen(line + 6);

		if (l < sizeof(pm->so))	/* else no peer is named: an error */
			memcpy(pm->so, line + 6, l + 1);
		return;
	}
	if (!strncmp(line, "kernel: ", 8))
		return;
	if (verbose)
		fprintf(stderr, "%s\n", line);
	if (line[0])
		load_why(why, len, "%s", line);
}

/* Run the script (stdout and stderr into one pipe); its exit status, or
 * 1 when it could not be run. */
static int load_build(const char *source, bool verbose,
		      struct dc_peer_memblock *pm, char *why, size_t len)
{
	const char *script = getenv("DC_MEMBLOCK_PEER_SCRIPT");
	char line[4608];
	int fd[2], status;
	FILE *f;
	pid_t pid;

	if (!script || !*script)
		script = DC_MEMBLOCK_PEER_SCRIPT_PATH;
	if (pipe(fd))
		return load_why(why, len, "pipe: %s", strerror(errno)), 1;
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return load_why(why, len, "fork: %s", strerror(errno)), 1;
	}
	if (!pid) {
		dup2(fd[1], 1);
		dup2(fd[1], 2);
		close(fd[0]);
		close(fd[1]);
		if (source)
			execlp("bash", "bash", script, source, (char *)NULL);
		else
			execlp("bash", "bash", script, (char *)NULL);
		fprintf(stderr, "cannot run bash %s: %s\n", script,
			strerror(errno));
		_exit(127);
	}
	close(fd[1]);
	f = fdopen(fd[0], "r");
	if (!f) {
		close(fd[0]);
		waitpid(pid, &status, 0);
		return load_why(why, len, "fdopen: %s", strerror(errno)), 1;
	}
	while (fgets(line, sizeof(line), f))
		load_line(line, verbose, pm, why, len);
	fclose(f);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return load_why(why, len, "%s did not finish", script), 1;
	if (WEXITSTATUS(status) == 2)
		return 2;
	if (WEXITSTATUS(status) || !pm->so[0]) {
		if (!why[0])
			load_why(why, len, "%s named no peer", script);
		return 1;
	}
	return 0;
}

int dc_peer_memblock_open(const char *source, bool verbose,
			  struct dc_peer_memblock *pm, char *why, size_t len)
{
	const char *prebuilt = getenv("DC_MEMBLOCK_PEER_SO");
	const struct dc_memblock_peer *ops;
	int r;

	memset(pm, 0, sizeof(*pm));
	why[0] = '\0';
	if (prebuilt && *prebuilt) {
		snprintf(pm->so, sizeof(pm->so), "%s", prebuilt);
	} else {
		r = load_build(source, verbose, pm, why, len);
		if (r)
			return r;
	}
	pm->dl = dlopen(pm->so, RTLD_NOW | RTLD_LOCAL);
	if (!pm->dl)
		return load_why(why, len, "%s", dlerror()), 1;
	ops = dlsym(pm->dl, DC_MEMBLOCK_PEER_SYMBOL);
	if (!ops || ops->abi != DC_MEMBLOCK_PEER_ABI ||
	    ops->size != sizeof(*ops)) {
		load_why(why, len, "%s: no %s of ABI %d (rebuild it)", pm->so,
			 DC_MEMBLOCK_PEER_SYMBOL, DC_MEMBLOCK_PEER_ABI);
		dlclose(pm->dl);
		pm->dl = NULL;
		return 1;
	}
	pm->ops = ops;
	return 0;
}

void dc_peer_memblock_close(struct dc_peer_memblock *pm)
{
	if (pm->ops)
		pm->ops->reset(0, 0);
	if (pm->dl)
		dlclose(pm->dl);
	memset(pm, 0, sizeof(*pm));
}
