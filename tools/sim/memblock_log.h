/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * memblock_log.h - parse a Linux boot log taken with memblock=debug
 * (shared/data/bootlogs/README.md) into a starting state and the ordered
 * list of memblock calls that followed it, for `discontig replay`.
 *
 * HOST ONLY. The parser takes a log as a user would paste it: firmware
 * noise and terminal escape codes before the kernel starts, with or without
 * `[    0.000000]` prefixes, CRLF line ends, a truncated last line and
 * invalid UTF-8. Lines it does not know are skipped. A memblock line it
 * knows but cannot read (an address `0xZZZZ`, an end below its base, a
 * size that is negative or does not fit 64 bits) is not skipped silently:
 * it is listed in `bad` with its line number and reason. A NUL byte, a
 * line over 64 KiB or more than 1 GiB of input is an error (lines.h).
 *
 * Pure: no global state, no exit, no I/O. Feed it a buffer
 * (dc_mb_parse()) or a stream in chunks (dc_mb_parser_*), as a fuzz
 * target or `discontig replay` do.
 */
#ifndef DC_TOOLS_MEMBLOCK_LOG_H
#define DC_TOOLS_MEMBLOCK_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include <discontig/discontig.h>

#include "tools/sim/lines.h"

/* Which logged call an operation comes from. */
enum dc_mb_kind {
	DC_MB_ADD,	/* memblock_add, memblock_add_node */
	DC_MB_REMOVE,	/* memblock_remove */
	DC_MB_RESERVE,	/* memblock_reserve not answering a request */
	DC_MB_FREE,	/* memblock_phys_free, memblock_free */
	DC_MB_REQUEST,	/* one of enum dc_mb_api */
};

/* The four allocation entry points memblock=debug prints. */
enum dc_mb_api {
	DC_MB_TRY_NID,		/* memblock_alloc_try_nid */
	DC_MB_TRY_NID_RAW,	/* memblock_alloc_try_nid_raw */
	DC_MB_EXACT_NID_RAW,	/* memblock_alloc_exact_nid_raw */
	DC_MB_PHYS_RANGE,	/* memblock_phys_alloc_range */
};

/* memblock region flags as printed in the dumps (include/linux/memblock.h) */
#define DC_MB_FLAG_HOTPLUG 0x1u
#define DC_MB_FLAG_MIRROR 0x2u
#define DC_MB_FLAG_NOMAP 0x4u

struct dc_mb_op {
	enum dc_mb_kind kind;
	enum dc_mb_api api;		/* DC_MB_REQUEST only */
	unsigned long line;		/* 1-based line of the call */
	dc_addr_t base;			/* range ops: first byte */
	dc_addr_t last;			/* range ops: last byte (inclusive) */
	int nid;			/* add_node and requests; else -1 */
	/* DC_MB_REQUEST: the arguments as logged */
	dc_size_t size, align;
	dc_addr_t from, max_addr;
	bool bottom_up;			/* memblock direction at this point */
	bool ok;			/* a memblock_reserve answered it */
	dc_addr_t result;		/* its first byte, if ok */
	dc_size_t result_size;		/* its size, if ok */
	unsigned long result_line;	/* its line, if ok */
	/* DC_MB_RESERVE: made by memblock_alloc_range_nid without a logged
	 * request (e.g. NODE_DATA through memblock_phys_alloc_try_nid) */
	bool unlogged_alloc;
	/* DC_MB_REQUEST: the log ends before any memblock line answers it
	 * (the boot's answer is unknown, neither a result nor a failure) */
	bool unanswered;
};

/* A memblock line the parser recognised but could not read. */
struct dc_mb_bad {
	unsigned long line;
	char why[112];
};

#define DC_MB_MAX_BAD 64		/* bad lines kept (all are counted) */
#define DC_MB_MAX_OPS (1u << 20)	/* operations (and regions of each
					   kind) per log: a boot logs ~10^3 */

/* A range of the first dump or of the node information. */
struct dc_mb_range {
	dc_addr_t base, last;		/* inclusive last byte */
	int nid;			/* node, or -1 where not known */
	unsigned flags;			/* dump flags */
	unsigned rank;			/* node ranges: 0 best source */
	unsigned long line;
};

struct dc_mb_log {
	/* the first `MEMBLOCK configuration:` dump */
	struct dc_mb_range *memory, *reserved;
	size_t nmemory, nreserved;
	unsigned long dump_line;
	/* node ranges of every source, ranked: `Early memory node ranges`
	 * (rank 0), `ACPI: SRAT: Node N` (1), the `on node N` of the first
	 * dump that has them (2). An address takes the node of the best
	 * ranked range holding it, so a log that lost some lines still
	 * places its memory by the next source. */
	struct dc_mb_range *nodes;
	size_t nnodes;
	const char *node_source;	/* best: "early", "srat", "dump", "none" */
	/* everything after the first dump, in log order */
	struct dc_mb_op *ops;
	size_t nops;
	size_t nrequests;		/* DC_MB_REQUEST ops */
	size_t before_dump;		/* memblock lines the dump supersedes */
	size_t unlogged_allocs;		/* DC_MB_RESERVE with unlogged_alloc */
	bool movable_node;		/* on the kernel command line */
	unsigned long numa_line;	/* first line after NUMA init, or 0 */
	unsigned long lines;		/* lines read */
	bool truncated;			/* no newline after the last line */
	unsigned long cut_line;		/* that last line, when it was a
					   memblock line: never applied */
	/* memblock lines recognised but unreadable, in log order */
	struct dc_mb_bad bad[DC_MB_MAX_BAD];
	size_t nbad;			/* kept in bad[] */
	size_t malformed;		/* all of them */
};

/**
 * dc_mb_parse() - parse a memblock=debug log held in memory
 * @buf: the bytes (need not be NUL-terminated)
 * @len: their number
 * @log: filled on success; release with dc_mb_free()
 * @err: on failure, the line (0 if none applies) and the reason
 *
 * Return: 0, or -1 with @err set: empty input, a NUL byte, a line over
 * DC_LINE_MAX, more than DC_INPUT_MAX bytes or DC_MB_MAX_OPS operations,
 * no memblock lines, no `MEMBLOCK configuration:` dump, a dump that lists
 * no memory or fewer regions than its count says, out of memory. @log is
 * empty on failure.
 */
int dc_mb_parse(const char *buf, size_t len, struct dc_mb_log *log,
		struct dc_parse_error *err);

/* The same in chunks: new, feed any number of times, finish (which frees
 * the parser whatever it returns), or free to abandon. new returns NULL
 * when out of memory; feed and finish return 0 or -1 with @err set. */
struct dc_mb_parser;
struct dc_mb_parser *dc_mb_parser_new(void);
int dc_mb_parser_feed(struct dc_mb_parser *p, const char *buf, size_t len,
		      struct dc_parse_error *err);
int dc_mb_parser_finish(struct dc_mb_parser *p, struct dc_mb_log *log,
			struct dc_parse_error *err);
void dc_mb_parser_free(struct dc_mb_parser *p);

/* Free what dc_mb_parse() allocated; @log is then empty. */
void dc_mb_free(struct dc_mb_log *log);

/* "memblock_alloc_try_nid" etc. */
const char *dc_mb_api_name(enum dc_mb_api api);

#endif /* DC_TOOLS_MEMBLOCK_LOG_H */
