// SPDX-License-Identifier: BSD-3-Clause
/*
 * cli.c - the command-line policy of `discontig` (cli.h): option walking,
 * checked output streams, the one-line error.
 *
 * Checked streams: stdio forgets why a buffered write failed (errno is
 * long overwritten when fclose() reports it), so every output is a
 * fopencookie() stream over a file descriptor that keeps the first
 * write(2) error and hands it back from its close function: fclose()
 * then fails with that errno, and the message can say "No space left on
 * device" instead of "write error".
 */
#include "tools/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/util.h"

void dc_args_init(struct dc_args *a, const char *cmd, int argc, char **argv)
{
	memset(a, 0, sizeof(*a));
	a->cmd = cmd;
	a->argc = argc;
	a->argv = argv;
	a->i = 0;
}

static const struct dc_opt *opt_find(const struct dc_opt *const *tables,
				     const char *name, size_t n)
{
	for (; *tables; tables++)
		for (const struct dc_opt *o = *tables; o->name; o++)
			if (strlen(o->name) == n && !strncmp(o->name, name, n))
				return o;
	return NULL;
}

int dc_args_next(struct dc_args *a, const struct dc_opt *const *tables,
		 const char **val)
{
	const struct dc_opt *o;
	const char *arg, *eq;
	size_t n;

	for (;;) {
		if (++a->i >= a->argc)
			return DC_ARG_END;
		arg = a->argv[a->i];
		if (a->only_operands || arg[0] != '-' || !arg[1]) {
			*val = arg;
			return DC_ARG_OPERAND;
		}
		if (strcmp(arg, "--"))
			break;
		a->only_operands = true;
	}
	if (!strcmp(arg, "-h"))
		arg = "--help";
	eq = strchr(arg, '=');
	n = eq ? (size_t)(eq - arg) : strlen(arg);
	o = opt_find(tables, arg, n);
	if (!o)
		dc_die(arg, "unknown option for %s (see discontig help %s)",
		       a->cmd, a->cmd);
	if (!o->value) {
		if (eq)
			dc_die(arg, "%s takes no value", o->name);
		*val = NULL;
		return o->id;
	}
	if (eq) {
		*val = eq + 1;
	} else if (a->i + 1 < a->argc &&
		   strncmp(a->argv[a->i + 1], "--", 2)) {
		*val = a->argv[++a->i];
	} else {
		dc_die(o->name, "missing value (see discontig help %s)",
		       a->cmd);
	}
	if (!**val)
		dc_die(o->name, "empty value");
	return o->id;
}

/* ---- checked streams ---- */

struct sink {
	int fd;
	int err;		/* first write error */
	bool close_fd;
	bool is_static;		/* stdout's: not freed */
};

/* stdout's sink is static: it lives as long as the process. */
static struct sink stdout_sink = { STDOUT_FILENO, 0, false, true };

static ssize_t sink_write(void *cookie, const char *buf, size_t n)
{
	struct sink *s = cookie;
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(s->fd, buf + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (!s->err)
				s->err = w < 0 ? errno : EIO;
			errno = s->err;
			return -1;
		}
		done += (size_t)w;
	}
	return (ssize_t)n;
}

static int sink_close(void *cookie)
{
	struct sink *s = cookie;
	int err = s->err;

	if (s->close_fd && close(s->fd) && !err)
		err = errno;
	if (!s->is_static)
		free(s);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

static const cookie_io_functions_t sink_io = {
	.write = sink_write, .close = sink_close,
};

static FILE *sink_open(int fd, bool close_fd)
{
	struct sink *s = calloc(1, sizeof(*s));
	FILE *f;

	if (!s)
		return NULL;
	s->fd = fd;
	s->close_fd = close_fd;
	f = fopencookie(s, "w", sink_io);
	if (!f)
		free(s);
	return f;
}

static FILE *real_stdout;
static const char *stdout_owner;

void dc_stdout_init(bool line_buffered)
{
	FILE *f;

	fflush(stdout);
	f = fopencookie(&stdout_sink, "w", sink_io);
	if (!f)
		return;		/* keep the plain stream */
	real_stdout = stdout;
	stdout = f;
	setvbuf(stdout, NULL, line_buffered || isatty(STDOUT_FILENO) ?
		_IOLBF : _IOFBF, BUFSIZ);
}

int dc_stdout_finish(int rc)
{
	int err = 0;

	if (fflush(stdout))
		err = errno;
	if (real_stdout) {
		if (fclose(stdout) && !err)
			err = errno;
		stdout = real_stdout;
		real_stdout = NULL;
	} else if (ferror(stdout) && !err) {
		err = EIO;
	}
	if (!err)
		return rc;
	fprintf(stderr, "discontig: stdout: write error: %s\n", strerror(err));
	return DC_EXIT_USAGE;
}

void dc_stdout_claim(const char *opt)
{
	if (stdout_owner)
		dc_die(opt, "%s already writes to stdout ('-'): one output "
		       "per stream", stdout_owner);
	stdout_owner = opt;
}

const char *dc_stdout_claimed(void)
{
	return stdout_owner;
}

FILE *dc_out_open(const char *path, const char *opt)
{
	FILE *f;
	int fd;

	if (!strcmp(path, "-")) {
		if (opt)	/* NULL: the caller claimed it already */
			dc_stdout_claim(opt);
		return stdout;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		dc_die(path, "cannot create: %s", strerror(errno));
	f = sink_open(fd, true);
	if (!f) {
		close(fd);
		dc_die(path, "out of memory");
	}
	return f;
}

int dc_out_close(FILE *f)
{
	int err = 0;

	if (fflush(f))
		err = errno;
	if (f == stdout)
		return err ? (errno = err, -1) : 0;
	if (fclose(f) && !err)
		err = errno;
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

void dc_out_close_or_die(FILE *f, const char *path)
{
	if (dc_out_close(f))
		dc_die(strcmp(path, "-") ? path : "stdout", "write error: %s",
		       strerror(errno));
}

void dc_warn(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("discontig: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
