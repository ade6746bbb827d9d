// SPDX-License-Identifier: BSD-3-Clause
/*
 * lines.c - the bounded line splitter of the simulation layer (lines.h).
 *
 * One buffer of DC_LINE_MAX + 1 bytes, allocated on the first byte and
 * never grown: a line that does not fit is an error, not a realloc. A
 * line is handed to the callback as soon as its newline arrives, so
 * memory stays bounded by one line whatever the input's size.
 */
#include "tools/sim/lines.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int dc_parse_fail(struct dc_parse_error *e, unsigned long line,
		  const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	e->line = line;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

void dc_lines_init(struct dc_lines *l, dc_line_fn fn, void *ctx)
{
	memset(l, 0, sizeof(*l));
	l->fn = fn;
	l->ctx = ctx;
}

static int lines_emit(struct dc_lines *l, bool last,
		      struct dc_parse_error *err)
{
	l->buf[l->len] = '\0';
	l->lineno++;
	if (l->fn(l->ctx, l->buf, l->len, l->lineno, last, err)) {
		l->failed = true;
		return -1;
	}
	l->len = 0;
	return 0;
}

int dc_lines_feed(struct dc_lines *l, const char *p, size_t n,
		  struct dc_parse_error *err)
{
	const char *end = p + n;

	if (l->failed)
		return dc_parse_fail(err, l->lineno + 1, "input already rejected");
	if (!l->buf && n) {
		l->buf = malloc(DC_LINE_MAX + 1);
		if (!l->buf) {
			l->failed = true;
			return dc_parse_fail(err, 0, "out of memory");
		}
	}
	if (n > DC_INPUT_MAX - l->total) {
		l->failed = true;
		return dc_parse_fail(err, l->lineno + 1,
				     "input larger than %llu MiB",
				     (unsigned long long)(DC_INPUT_MAX >> 20));
	}
	l->total += n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t take = (size_t)((nl ? nl : end) - p);

		if (memchr(p, '\0', take)) {
			l->failed = true;
			return dc_parse_fail(err, l->lineno + 1,
					     "NUL byte: not a text file");
		}
		if (take > DC_LINE_MAX - l->len) {
			l->failed = true;
			return dc_parse_fail(err, l->lineno + 1,
					     "line longer than %u KiB",
					     DC_LINE_MAX / 1024);
		}
		memcpy(l->buf + l->len, p, take);
		l->len += take;
		p += take;
		if (nl) {
			p++;
			if (lines_emit(l, false, err))
				return -1;
		}
	}
	return 0;
}

int dc_lines_finish(struct dc_lines *l, struct dc_parse_error *err)
{
	if (l->failed)
		return dc_parse_fail(err, l->lineno + 1, "input already rejected");
	if (l->len)
		return lines_emit(l, true, err);
	return 0;
}

void dc_lines_free(struct dc_lines *l)
{
	free(l->buf);
	l->buf = NULL;
	l->len = 0;
}
