/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lines.h - HOST ONLY: split bytes into lines, with bounds, for the two
 * parsers of the simulation layer (memblock_log.h, trace.h).
 *
 * A caller feeds any number of chunks of any size and gets one callback
 * per complete line. Nothing grows without bound: a line longer than
 * DC_LINE_MAX, a NUL byte, or more than DC_INPUT_MAX bytes in all is an
 * error naming the line, raised as soon as the byte that breaks the rule
 * arrives (so `replay /dev/zero` stops at once instead of reading
 * forever). Pure: no global state, no exit, no I/O; a fuzz target can
 * drive it with a buffer and a length.
 */
#ifndef DC_TOOLS_SIM_LINES_H
#define DC_TOOLS_SIM_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DC_LINE_MAX (64u * 1024)		/* bytes per line, newline excluded */
#define DC_INPUT_MAX ((uint64_t)1 << 30)	/* bytes per input */

/* Where and why an input was rejected. line 0: not about one line. */
struct dc_parse_error {
	unsigned long line;
	char msg[240];
};

/* Fill @e ("reason"); returns -1 so callers can `return dc_parse_fail()`. */
int dc_parse_fail(struct dc_parse_error *e, unsigned long line,
		  const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Called once per line: @line is NUL-terminated, without its newline (a
 * CR before the newline is kept: each parser decides). @last is true for
 * a final line that had no newline (the input was cut). 0 to go on, or -1
 * after filling @err to stop. */
typedef int (*dc_line_fn)(void *ctx, char *line, size_t len,
			  unsigned long lineno, bool last,
			  struct dc_parse_error *err);

struct dc_lines {
	dc_line_fn fn;
	void *ctx;
	char *buf;		/* the line being assembled */
	size_t len;
	unsigned long lineno;	/* lines completed */
	uint64_t total;		/* bytes fed */
	bool failed;
};

/* An empty splitter calling @fn with @ctx. */
void dc_lines_init(struct dc_lines *l, dc_line_fn fn, void *ctx);

/* Feed @n bytes. 0, or -1 with @err filled (and every later call fails). */
int dc_lines_feed(struct dc_lines *l, const char *p, size_t n,
		  struct dc_parse_error *err);

/* End of input: the last line if it had no newline. 0 or -1. */
int dc_lines_finish(struct dc_lines *l, struct dc_parse_error *err);

/* Release the line buffer (also after an error). */
void dc_lines_free(struct dc_lines *l);

#endif /* DC_TOOLS_SIM_LINES_H */
