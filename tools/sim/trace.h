/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * trace.h - the project's own trace format (docs/trace.md): one public
 * API call per line with its arguments and its result, written by
 * `discontig boot --trace FILE` and replayed by `discontig replay FILE`.
 *
 * HOST ONLY. Writing: open a trace, then make every mutating call through
 * the dc_tr_* wrappers below instead of the raw API. Each wrapper makes the
 * real call, records it with its result, and returns what the call
 * returned. A NULL trace means "do not record": the wrappers are then the
 * raw calls, so a caller needs no `if (tracing)` of its own.
 *
 * Reading: dc_trace_parse_line() turns one line into a struct
 * dc_trace_rec; dc_trace_read() (or the dc_trace_reader_* calls, in
 * chunks) a whole trace into a struct dc_trace_file, checking that it
 * starts with one init. Both are pure: no global state, no exit, no I/O,
 * bounded (lines.h; DC_TRACE_MAX_CALLS), errors with line numbers, so a
 * fuzz target can call them directly. replay.h replays the result.
 */
#ifndef DC_TOOLS_TRACE_H
#define DC_TOOLS_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include <discontig/discontig.h>

#include "tools/sim/lines.h"

#define DC_TRACE_HEADER "# discontig trace v1"

struct dc_trace;

/**
 * dc_trace_open() - create (truncate) a trace file and write its header
 * @path: file name; "-" is stdout
 *
 * Return: the trace, or NULL with errno set.
 */
struct dc_trace *dc_trace_open(const char *path);

/**
 * dc_trace_close() - flush and close a trace; NULL is accepted
 * @t: the trace
 *
 * Return: 0, or -1 if any write since dc_trace_open() failed (errno set).
 */
int dc_trace_close(struct dc_trace *t);

/* A "# ..." comment line (free text, no newline inside). */
void dc_trace_comment(struct dc_trace *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The wrappers: same arguments and return value as the dc_* call, plus
 * the trace first. dc_tr_init() records the page size, backend name, pool
 * size and flags; the replay makes a pool of the same size. */
int dc_tr_init(struct dc_trace *t, struct dc_system *sys,
	       const struct dc_config *cfg, const struct dc_platform *plat);
int dc_tr_add_memory(struct dc_trace *t, struct dc_system *sys, int nid,
		     dc_addr_t base, dc_size_t size);
int dc_tr_remove_memory(struct dc_trace *t, struct dc_system *sys,
			dc_addr_t base, dc_size_t size);
int dc_tr_set_distance(struct dc_trace *t, struct dc_system *sys, int from,
		       int to, unsigned distance);
int dc_tr_reserve(struct dc_trace *t, struct dc_system *sys, dc_addr_t base,
		  dc_size_t size);
int dc_tr_finalize(struct dc_trace *t, struct dc_system *sys);
int dc_tr_alloc(struct dc_trace *t, struct dc_system *sys,
		const struct dc_request *r, dc_addr_t *out);
int dc_tr_free(struct dc_trace *t, struct dc_system *sys, dc_addr_t base,
	       dc_size_t size);
/* These two also record the bytes released, the number of blocks and a
 * hash of the (nid, base, order) sequence handed to @fn. */
int dc_tr_release_all(struct dc_trace *t, struct dc_system *sys,
		      dc_release_fn fn, void *ctx, dc_size_t *released);
int dc_tr_release_metadata(struct dc_trace *t, struct dc_system *sys,
			   dc_release_fn fn, void *ctx, dc_size_t *released);

struct dc_layout;
struct dc_topology;

/**
 * dc_tr_layout_apply() - dc_layout_apply(), each call recorded
 * @t:    the trace, or NULL (then exactly dc_layout_apply())
 * @l:    a made layout
 * @topo: its topology, for distances; NULL to keep the defaults
 * @sys:  a system in SETUP
 *
 * The same calls in the same order as dc_layout_apply() (topology/layout.c):
 * every fragment, the distances that differ from 10/20 between nodes with
 * memory, every firmware reservation.
 *
 * Return: as dc_layout_apply(): 0 or the first failing call's code.
 */
int dc_tr_layout_apply(struct dc_trace *t, const struct dc_layout *l,
		       const struct dc_topology *topo, struct dc_system *sys);

/* ---- reading ---- */

enum dc_trace_call {
	DC_TR_INIT,
	DC_TR_ADD,
	DC_TR_REMOVE,
	DC_TR_DISTANCE,
	DC_TR_RESERVE,
	DC_TR_FINALIZE,
	DC_TR_ALLOC,
	DC_TR_FREE,
	DC_TR_RELEASE_ALL,
	DC_TR_RELEASE_METADATA,
};

struct dc_trace_rec {
	enum dc_trace_call call;
	/* init */
	unsigned page_shift, cfg_flags;
	char backend[16];
	dc_size_t pool_bytes;
	/* add (nid), remove, reserve, free */
	int nid;
	dc_addr_t base;
	dc_size_t size;
	/* distance */
	int from, to;
	unsigned distance;
	/* alloc */
	struct dc_request req;
	/* results as recorded */
	int ret;
	dc_addr_t addr;			/* alloc, when ret == 0 */
	dc_size_t released;		/* release_*, when ret == 0 */
	uint64_t blocks, hash;		/* release_*, when ret == 0 */
};

/**
 * dc_trace_parse_line() - read one trace line
 * @line: NUL-terminated, without its newline
 * @rec:  filled when the return value is 0
 *
 * Return: 0 a call; 1 a comment or blank line; -1 not a valid trace line.
 */
int dc_trace_parse_line(const char *line, struct dc_trace_rec *rec);

/* A call of a trace file and the line it was on. */
struct dc_trace_line {
	struct dc_trace_rec rec;
	unsigned long line;
};

#define DC_TRACE_MAX_CALLS (1u << 21)	/* a 16 TiB boot makes ~10^5 */

/* A whole trace: v[0] is its one init. */
struct dc_trace_file {
	struct dc_trace_line *v;
	size_t n, cap;
	unsigned long lines;	/* lines read */
};

/* Does this input start like a trace (its first line is DC_TRACE_HEADER)?
 * Needs the first line, or all of a shorter input. */
bool dc_trace_is_trace(const char *buf, size_t len);

/**
 * dc_trace_read() - read a whole trace held in memory
 * @buf: the bytes, from the header line on
 * @len: their number
 * @tf:  filled on success; release with dc_trace_file_free()
 * @err: on failure, the line and the reason
 *
 * Return: 0, or -1 with @err set: a line that is not a trace line, a NUL
 * byte, a line over DC_LINE_MAX, a first call that is not init or a
 * second init, no call at all, more than DC_TRACE_MAX_CALLS calls, out of
 * memory. @tf is empty on failure.
 */
int dc_trace_read(const char *buf, size_t len, struct dc_trace_file *tf,
		  struct dc_parse_error *err);

/* The same in chunks (see dc_mb_parser_*: finish frees the reader). */
struct dc_trace_reader;
struct dc_trace_reader *dc_trace_reader_new(void);
int dc_trace_reader_feed(struct dc_trace_reader *r, const char *buf,
			 size_t len, struct dc_parse_error *err);
int dc_trace_reader_finish(struct dc_trace_reader *r,
			   struct dc_trace_file *tf, struct dc_parse_error *err);
void dc_trace_reader_free(struct dc_trace_reader *r);
void dc_trace_file_free(struct dc_trace_file *tf);

/* "0", "DC_ENOMEM", ...: a result as written in the trace. */
const char *dc_trace_errname(int err);

/* Name of a call as written in the trace ("alloc"). */
const char *dc_trace_call_name(enum dc_trace_call call);

/* Fold one released block into a release hash (FNV-1a, 64 bits); start
 * from DC_TRACE_HASH_INIT. */
#define DC_TRACE_HASH_INIT 0xcbf29ce484222325ull
uint64_t dc_trace_hash_block(uint64_t h, int nid, dc_addr_t base,
			     unsigned order);

#endif /* DC_TOOLS_TRACE_H */
