/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * replay.h - HOST ONLY: the replay engine of the simulation layer. It
 * replays a parsed memblock=debug log (memblock_log.h) or a trace
 * (trace.h) on a backend and fills a report; `discontig replay` prints
 * it and `discontig bench` times it.
 *
 * Pure in the sense the parsers are: no exit, no global state, no
 * printing; errors come back as a line number and a reason. It does use
 * host memory (platform.h) to back the simulated machine.
 */
#ifndef DC_TOOLS_SIM_REPLAY_H
#define DC_TOOLS_SIM_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <discontig/backend.h>
#include <discontig/discontig.h>

#include "tools/sim/lines.h"
#include "tools/sim/memblock_log.h"
#include "tools/sim/trace.h"

/* One difference, or one request the log leaves unanswered. */
struct dc_replay_mismatch {
	unsigned long line;
	const char *call;	/* api or trace call name */
	/* the request */
	dc_size_t size, align;
	dc_addr_t from, max_addr;
	int nid;
	bool bottom_up;
	/* the two answers */
	int logged_ret, replayed_ret;	/* 0 or DC_E* */
	dc_addr_t logged, replayed;	/* when *_ret == 0 */
	unsigned long logged_line;
	bool is_alloc;
	bool is_trace;		/* then flags, not bottom_up, say it */
	unsigned flags;		/* trace alloc: dc_request.flags */
	bool is_release;	/* trace: logged/replayed are byte counts */
	bool unanswered;	/* log: it ends before the answer */
};

struct dc_replay_report {
	const char *kind;		/* "log" or "trace" */
	const char *backend;
	unsigned long lines;
	size_t requests, matched, missed, failed_as_logged;
	size_t unanswered;		/* log ends before their answer */
	size_t calls, call_differences;	/* traces: every call */
	/* logs: lines recognised and not applied (malformed + adds) */
	size_t ignored;
	size_t malformed;		/* memblock lines that do not read */
	struct dc_mb_bad bad[DC_MB_MAX_BAD];	/* the first of them */
	size_t nbad;
	size_t adds_ignored, emulated;	/* adds/removes after allocation began */
	unsigned long first_ignored;	/* line of the first of those */
	unsigned long cut_line;		/* a last line cut, not applied */
	size_t before_dump, unlogged_allocs, applied_ops;
	const char *node_source;
	bool movable_node;
	dc_size_t steals;
	struct dc_replay_mismatch *mm;	/* differences, in order */
	size_t nmm, mm_cap;
};

struct dc_replay_opts {
	const struct dc_backend_ops *backend;	/* NULL: the default for a
						   log, the recorded one for
						   a trace */
};

/**
 * dc_replay_log() - replay a parsed boot log on a backend
 * @log: from dc_mb_parse(); its arrays are sorted in place
 * @o:   the backend
 * @rep: filled (zero it first); release with dc_replay_report_free()
 * @err: on failure, the line and the reason
 *
 * Return: 0, or -1 when the log cannot be replayed at all (overlapping
 * memory, no usable memory, a layout the library refuses, no host
 * memory, an invariant broken afterwards). @rep holds what was done.
 */
int dc_replay_log(struct dc_mb_log *log, const struct dc_replay_opts *o,
		  struct dc_replay_report *rep, struct dc_parse_error *err);

/* The same for a trace (a failed init, a backend not compiled in). */
int dc_replay_trace(const struct dc_trace_file *tf,
		    const struct dc_replay_opts *o,
		    struct dc_replay_report *rep, struct dc_parse_error *err);

void dc_replay_report_free(struct dc_replay_report *rep);

/* Exit 1 material: a request or a traced call differed, or (unless
 * @lenient) a memblock line could not be read. */
bool dc_replay_failed(const struct dc_replay_report *rep, bool lenient);

#endif /* DC_TOOLS_SIM_REPLAY_H */
