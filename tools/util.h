/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * util.h - what every subcommand of the discontig tool shares: errors and
 * exit codes, number parsing, human sizes, a small JSON writer, XML
 * escaping for the SVG pictures, timing, and the topology source options
 * common to topo and boot.
 */
#ifndef DC_TOOLS_UTIL_H
#define DC_TOOLS_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum { DC_EXIT_OK = 0, DC_EXIT_CHECK = 1, DC_EXIT_USAGE = 2 };

/* "discontig: INPUT: reason" on stderr, one line, then exit(2). */
__attribute__((noreturn, format(printf, 2, 3)))
void dc_die(const char *input, const char *fmt, ...);

/* Parse a decimal or 0x number with an optional K/M/G/T/P suffix (powers
 * of two; "KiB" forms too). false on junk or overflow. */
bool dc_parse_size(const char *s, uint64_t *out);

/* "1.5 GiB", "640 KiB", "12 B"; buf of at least 32 bytes. */
const char *dc_human(uint64_t bytes, char *buf);

/* The whole of a file ("-": stdin), NUL-terminated, its length in *len;
 * dies with one line naming the file when it cannot be read or is larger
 * than 1 GiB. */
char *dc_read_file(const char *path, size_t *len);

/* @s as XML character data, safe inside either kind of quoted attribute
 * too: & < > " ' escaped, control characters left out (XML 1.0 has no
 * place for most of them). */
void dc_xml_text(FILE *f, const char *s);

/* Monotonic nanoseconds. */
uint64_t dc_now_ns(void);

/* Minimal streaming JSON writer: objects, arrays, keys, integers, strings.
 * Commas and nesting are tracked here, so callers never print them. */
struct dc_json {
	FILE *f;
	int depth;
	bool need_comma[64];
	bool after_key;
};
void dc_json_init(struct dc_json *j, FILE *f);
void dc_json_obj(struct dc_json *j, const char *key);	/* key NULL in arrays */
void dc_json_arr(struct dc_json *j, const char *key);
void dc_json_end(struct dc_json *j, char closer);	/* '}' or ']' */
void dc_json_u64(struct dc_json *j, const char *key, uint64_t v);
void dc_json_i64(struct dc_json *j, const char *key, int64_t v);
void dc_json_str(struct dc_json *j, const char *key, const char *s);
void dc_json_bool(struct dc_json *j, const char *key, bool v);
void dc_json_done(struct dc_json *j);		/* final newline */

/*
 * Progress on stderr for long runs, with the time elapsed since
 * dc_progress_start() (or the first call). On a terminal: one line
 * rewritten at most ten times a second. Otherwise (a log, a pipe, CI):
 * nothing for the first three seconds, then a plain line every ten, so
 * `bench | tee` shows it is alive. dc_progress_quiet() silences it;
 * dc_progress_end() clears a terminal line.
 */
void dc_progress_start(void);
void dc_progress_quiet(bool quiet);
void dc_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void dc_progress_end(void);

#endif /* DC_TOOLS_UTIL_H */
