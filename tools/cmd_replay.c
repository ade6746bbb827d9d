// SPDX-License-Identifier: BSD-3-Clause
/*
 * cmd_replay.c - `discontig replay FILE...`: replay a Linux memblock=debug
 * boot log, or a trace in the project's own format, on a backend and
 * report where discontig places memory differently (DESIGN.md, "Tools").
 *
 * Boot logs. The first `MEMBLOCK configuration:` dump is the starting
 * state: its memory, split into fragments by the log's node ranges, and
 * its reservations, clipped to memory. Then every later memblock call is
 * applied in log order. Each allocation request is answered through the
 * public API with memblock's policy (Linux 6.1, mm/memblock.c) composed
 * from dc_alloc calls:
 *
 *   memblock_alloc_internal()            memblock_alloc_range_nid()
 *   for min in (from, 0 if from != 0):   node nid, exact  (if nid >= 0)
 *     (memblock_phys_alloc_range: from    any node        (if !exact or
 *      only, no retry)                                      nid < 0)
 *
 * i.e. (nid, from), (any, from), (nid, 0), (any, 0), which is not the
 * order of DC_REQ_RELAX_MIN (that retries the whole search from 0 only
 * after every node failed) nor of discontig's distance-ordered fallback
 * (memblock's NUMA_NO_NODE retry is all memory at once, highest fit
 * first), so each step is its own dc_alloc with DC_REQ_EXACT_NODE or
 * DC_NO_NODE. The first page is never returned (memblock_find_in_range_node
 * clamps start to PAGE_SIZE): min is at least 4 KiB. Direction is
 * top-down, or bottom-up before NUMA init with movable_node.
 *
 * max_addr 0 (MEMBLOCK_ALLOC_ACCESSIBLE), 1 (MEMBLOCK_ALLOC_NOLEAKTRACE)
 * and anything above memblock.current_limit mean current_limit. On x86
 * setup_arch() sets it to ISA_END_ADDRESS before e820__memblock_setup() and
 * to get_max_mapped() right after init_mem_mapping(), i.e. the end of RAM
 * (max_pfn): from then on it bounds nothing. The only requests before that
 * point (reserve_real_mode, alloc_low_pages) pass an explicit max_addr, so
 * the replay treats current_limit as "no bound" throughout.
 *
 * The request is then compared with the address of the log's own
 * memblock_reserve for it, and the log's result is applied in place of
 * ours (dc_free ours, dc_reserve theirs), so that one difference does not
 * cascade. memblock_reserve over bytes already reserved is legal in
 * memblock, and memblock_phys_free of bytes not reserved too, so plain
 * reservations and frees are applied piecewise to the free (resp. used)
 * sub-ranges, found with dc_walk.
 *
 * The system stays in SETUP until the first request, so memblock_add and
 * memblock_remove lines before it are exact. After it they cannot be
 * replayed (dc_add_memory and dc_remove_memory are SETUP-only): a removal
 * is emulated by reserving its free bytes (same placement), an addition is
 * ignored; both are reported.
 *
 * Traces (docs/trace.md) replay call by call; every result that differs
 * from the recorded one is reported, and a differing allocation is
 * replaced by the recorded one as above.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <discontig/backend.h>
#include <discontig/discontig.h>

#include "tools/cmds.h"
#include "tools/memblock_log.h"
#include "tools/platform.h"
#include "tools/trace.h"
#include "tools/util.h"

#define MB_PAGE_SIZE 4096u	/* x86: the logs' PAGE_SIZE */
#define MB_CACHE_BYTES 64u	/* SMP_CACHE_BYTES: memblock's align 0 */

/* One difference, as shown in the report. */
struct mismatch {
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
};

struct file_report {
	const char *file;
	const char *kind;		/* "log" or "trace" */
	const char *backend;
	unsigned long lines;
	size_t requests, matched, missed, failed_as_logged;
	size_t calls, call_differences;	/* traces: every call */
	size_t ignored, emulated;	/* logs: adds/removes after finalize */
	unsigned long first_ignored;
	size_t before_dump, unlogged_allocs, applied_ops;
	const char *node_source;
	bool movable_node;
	dc_size_t steals;
	uint64_t ns;
	struct mismatch *mm;
	size_t nmm, mm_cap;
};

struct options {
	const struct dc_backend_ops *backend;	/* NULL: default */
	bool json;
	size_t max_mismatches;
};

/* Sub-ranges collected by a walk, applied after it. */
struct pieces {
	struct { dc_addr_t base; dc_size_t size; } *v;
	size_t n, cap;
	dc_addr_t lo, hi;	/* inclusive window */
};

struct replay {
	struct dc_system sys;
	struct dc_host_mem hm;
	void *pool;
	struct pieces pc;
	bool *present;		/* nids with memory, DC_MAX_NODES */
	struct file_report *rep;
	const struct options *opt;
};

/* ---- small helpers ---- */

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		dc_die("replay", "out of memory");
	return p;
}

static void add_mismatch(struct replay *rp, const struct mismatch *m)
{
	struct file_report *r = rp->rep;

	if (r->nmm == r->mm_cap) {
		r->mm_cap = r->mm_cap ? 2 * r->mm_cap : 16;
		r->mm = realloc(r->mm, r->mm_cap * sizeof(*m));
		if (!r->mm)
			dc_die("replay", "out of memory");
	}
	r->mm[r->nmm++] = *m;
}

/* ---- piecewise reserve / free ---- */

static int collect_piece(void *ctx, int nid, dc_addr_t base, dc_size_t size)
{
	struct pieces *pc = ctx;
	dc_addr_t last = base + size - 1, lo, hi;

	(void)nid;
	if (base > pc->hi)
		return 1;		/* ascending: nothing further matters */
	if (last < pc->lo)
		return 0;
	lo = base > pc->lo ? base : pc->lo;
	hi = last < pc->hi ? last : pc->hi;
	if (pc->n == pc->cap) {
		pc->cap = pc->cap ? 2 * pc->cap : 64;
		pc->v = realloc(pc->v, pc->cap * sizeof(*pc->v));
		if (!pc->v)
			dc_die("replay", "out of memory");
	}
	pc->v[pc->n].base = lo;
	pc->v[pc->n].size = hi - lo + 1;
	pc->n++;
	return 0;
}

/*
 * Reserve (DC_WALK_FREE) or free (DC_WALK_USED) whatever part of
 * [base, last] is free (used) memory. Tries the whole range first: that is
 * the common case and one call.
 */
static int apply_piecewise(struct replay *rp, dc_addr_t base, dc_addr_t last,
			   enum dc_walk_kind kind)
{
	dc_size_t size = last - base + 1;	/* 0 only for all of 2^64 */
	int (*op)(struct dc_system *, dc_addr_t, dc_size_t) =
		kind == DC_WALK_FREE ? dc_reserve : dc_free;
	struct pieces *pc = &rp->pc;
	size_t i;
	int ret;

	if (size) {
		ret = op(&rp->sys, base, size);
		if (ret != DC_EBUSY && ret != DC_ENOENT)
			return ret;
	}
	pc->n = 0;
	pc->lo = base;
	pc->hi = last;
	ret = dc_walk(&rp->sys, DC_NO_NODE, kind, collect_piece, pc);
	if (ret < 0)
		return ret;
	for (i = 0; i < pc->n; i++) {
		ret = op(&rp->sys, pc->v[i].base, pc->v[i].size);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- building the starting state of a log ---- */

struct frag {
	dc_addr_t base, last;
	int nid;
	unsigned long line;
};

static int cmp_range(const void *a, const void *b)
{
	const struct dc_mb_range *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

/* For memory no node range holds: the node of the nearest range below
 * it, or of the first range, or 0. */
static int default_nid(const struct dc_mb_log *log, dc_addr_t addr)
{
	int nid = log->nnodes ? log->nodes[0].nid : 0;
	size_t i;

	for (i = 0; i < log->nnodes && log->nodes[i].base <= addr; i++)
		nid = log->nodes[i].nid;
	return nid;
}

/*
 * Split memory region [base, last] by the node ranges (sorted by base).
 * Each piece takes the node of the best ranked range holding its first
 * byte, and ends where that range ends or where another range starts
 * (which might rank better). Returns the number of pieces; writes them to
 * @out unless it is NULL.
 */
static size_t split_region(const struct dc_mb_log *log, dc_addr_t base,
			   dc_addr_t last, unsigned long line,
			   struct frag *out)
{
	size_t i, n = 0;
	dc_addr_t pos = base;

	for (;;) {
		const struct dc_mb_range *best = NULL;
		dc_addr_t end = last;

		for (i = 0; i < log->nnodes; i++) {
			const struct dc_mb_range *r = &log->nodes[i];

			if (r->base > pos) {
				if (r->base - 1 < end)
					end = r->base - 1;
				break;	/* sorted: the rest start later */
			}
			if (r->last >= pos && (!best || r->rank < best->rank))
				best = r;
		}
		if (best && best->last < end)
			end = best->last;
		if (out) {
			out[n].base = pos;
			out[n].last = end;
			out[n].nid = best ? best->nid : default_nid(log, pos);
			out[n].line = line;
		}
		n++;
		if (end == last)
			return n;
		pos = end + 1;
	}
}

static bool region_usable(const struct dc_mb_log *log,
			  const struct dc_mb_range *m)
{
	/* memblock never allocates NOMAP memory, nor hotpluggable memory
	 * with movable_node (should_skip_region) */
	if (m->flags & DC_MB_FLAG_NOMAP)
		return false;
	return !(log->movable_node && (m->flags & DC_MB_FLAG_HOTPLUG));
}

static struct frag *make_fragments(const char *file, struct dc_mb_log *log,
				   size_t *nfrag)
{
	struct frag *f;
	size_t i, n = 0;

	if (log->nmemory)	/* qsort wants a pointer even for 0 items */
		qsort(log->memory, log->nmemory, sizeof(*log->memory),
		      cmp_range);
	if (log->nnodes)
		qsort(log->nodes, log->nnodes, sizeof(*log->nodes), cmp_range);
	for (i = 1; i < log->nmemory; i++)
		if (log->memory[i].base <= log->memory[i - 1].last)
			dc_die(file, "line %lu: memory regions overlap",
			       log->memory[i].line);
	for (i = 0; i < log->nmemory; i++)
		if (region_usable(log, &log->memory[i]))
			n += split_region(log, log->memory[i].base,
					  log->memory[i].last, 0, NULL);
	f = xcalloc(n, sizeof(*f));
	n = 0;
	for (i = 0; i < log->nmemory; i++)
		if (region_usable(log, &log->memory[i]))
			n += split_region(log, log->memory[i].base,
					  log->memory[i].last,
					  log->memory[i].line, f + n);
	*nfrag = n;
	return f;
}

/* Back the simulated memory: one host region per contiguous run. */
static void back_memory(const char *file, struct replay *rp,
			const struct frag *f, size_t n)
{
	size_t i = 0, j;
	int ret;

	dc_host_mem_init(&rp->hm, false);
	while (i < n) {
		for (j = i; j + 1 < n && f[j].last + 1 == f[j + 1].base; j++)
			;
		ret = dc_host_mem_add(&rp->hm, f[i].nid, f[i].base,
				      f[j].last - f[i].base + 1);
		if (ret)
			dc_die(file, "line %lu: cannot back memory: %s",
			       f[i].line, strerror(-ret));
		i = j + 1;
	}
}

static void start_system(const char *file, struct replay *rp,
			 dc_size_t pool_bytes, unsigned page_shift,
			 unsigned flags)
{
	struct dc_platform plat;
	struct dc_config cfg = { 0 };
	int ret;

	/* aligned_alloc wants a multiple of the alignment, and > 0 */
	rp->pool = aligned_alloc(4096, (pool_bytes + 4096) & ~(dc_size_t)4095);
	if (!rp->pool)
		dc_die(file, "cannot allocate a %llu byte pool",
		       (unsigned long long)pool_bytes);
	dc_host_platform(&rp->hm, &plat, false);
	cfg.page_shift = page_shift;
	cfg.backend = rp->opt->backend;
	cfg.pool = rp->pool;
	cfg.pool_bytes = pool_bytes;
	cfg.flags = flags;
	ret = dc_init(&rp->sys, &cfg, &plat);
	if (ret)
		dc_die(file, "dc_init: %s", dc_strerror(ret));
}

static void setup_log(const char *file, struct replay *rp,
		      struct dc_mb_log *log)
{
	size_t nfrag, i;
	struct frag *f = make_fragments(file, log, &nfrag);
	/* generous: memblock's own arrays are among the log's reservations,
	 * and a steal would move later placements */
	dc_size_t pool = (dc_size_t)(1u << 22) +
			 (dc_size_t)DC_POOL_ENTRY_SIZE * 8 *
				 (nfrag + log->nreserved + log->nops);
	int ret;

	if (!nfrag)
		dc_die(file, "line %lu: no usable memory in the first MEMBLOCK configuration",
		       log->dump_line);
	back_memory(file, rp, f, nfrag);
	start_system(file, rp, pool, 12, DC_CFG_TOP_DOWN);
	for (i = 0; i < nfrag; i++) {
		ret = dc_add_memory(&rp->sys, f[i].nid, f[i].base,
				    f[i].last - f[i].base + 1);
		if (ret)
			dc_die(file, "line %lu: memory [%#llx-%#llx] node %d: %s",
			       f[i].line, (unsigned long long)f[i].base,
			       (unsigned long long)f[i].last, f[i].nid,
			       dc_strerror(ret));
		rp->present[f[i].nid] = true;
	}
	for (i = 0; i < log->nreserved; i++) {
		const struct dc_mb_range *r = &log->reserved[i];

		ret = apply_piecewise(rp, r->base, r->last, DC_WALK_FREE);
		if (ret)
			dc_die(file, "line %lu: reserved [%#llx-%#llx]: %s",
			       r->line, (unsigned long long)r->base,
			       (unsigned long long)r->last, dc_strerror(ret));
	}
	free(f);
}

/* ---- answering a request the way memblock does ---- */

static int try_alloc(struct replay *rp, struct dc_request *r, int nid,
		     dc_addr_t *out, int *err)
{
	int ret;

	r->nid = nid;
	r->flags &= ~DC_REQ_EXACT_NODE;
	if (nid != DC_NO_NODE)
		r->flags |= DC_REQ_EXACT_NODE;
	/* memblock: end = max(start, end); nothing fits an empty window */
	if (r->max_addr &&
	    (r->max_addr < r->min_addr || r->max_addr - r->min_addr < r->size))
		return DC_ENOMEM;
	ret = dc_alloc(&rp->sys, r, out);
	if (ret && ret != DC_ENOMEM)
		*err = ret;
	return ret;
}

static int memblock_alloc(struct replay *rp, const struct dc_mb_op *op,
			  dc_addr_t *out)
{
	struct dc_request r = { 0 };
	bool exact = op->api == DC_MB_EXACT_NID_RAW;
	bool retry0 = op->api != DC_MB_PHYS_RANGE && op->from != 0;
	bool node = op->nid >= 0;
	dc_addr_t mins[2];
	int pass, err = DC_ENOMEM;

	r.size = op->size;
	r.align = op->align ? op->align : MB_CACHE_BYTES;
	r.max_addr = op->max_addr;
	if (r.max_addr <= 1 || r.max_addr == UINT64_MAX)
		r.max_addr = 0;		/* current_limit: see the top */
	r.flags = op->bottom_up ? DC_REQ_BOTTOM_UP : DC_REQ_TOP_DOWN;
	mins[0] = op->from > MB_PAGE_SIZE ? op->from : MB_PAGE_SIZE;
	mins[1] = MB_PAGE_SIZE;
	for (pass = 0; pass < (retry0 ? 2 : 1); pass++) {
		r.min_addr = mins[pass];
		/* a node without memory is simply an empty first step */
		if (node && op->nid < DC_MAX_NODES && rp->present[op->nid] &&
		    !try_alloc(rp, &r, op->nid, out, &err))
			return 0;
		if ((!node || !exact) &&
		    !try_alloc(rp, &r, DC_NO_NODE, out, &err))
			return 0;
	}
	return err;
}

static void log_request(struct replay *rp, const struct dc_mb_op *op)
{
	struct file_report *rep = rp->rep;
	struct mismatch m = { 0 };
	dc_addr_t got = 0;
	int ret = memblock_alloc(rp, op, &got);
	bool same_size = op->result_size == op->size;

	rep->requests++;
	if (!ret && op->ok && got == op->result && same_size) {
		rep->matched++;
		return;
	}
	if (ret && !op->ok) {
		rep->failed_as_logged++;
		return;
	}
	if (!ret)
		dc_free(&rp->sys, got, op->size);
	if (op->ok)
		apply_piecewise(rp, op->result, op->result + op->result_size - 1,
				DC_WALK_FREE);
	if (!ret && op->ok && got == op->result) {
		rep->matched++;	/* same place; the log took another size */
		return;
	}
	rep->missed++;
	m.line = op->line;
	m.call = dc_mb_api_name(op->api);
	m.is_alloc = true;
	m.size = op->size;
	m.align = op->align;
	m.from = op->from;
	m.max_addr = op->max_addr;
	m.nid = op->nid;
	m.bottom_up = op->bottom_up;
	m.logged_ret = op->ok ? 0 : DC_ENOMEM;
	m.logged = op->result;
	m.logged_line = op->result_line;
	m.replayed_ret = ret;
	m.replayed = got;
	add_mismatch(rp, &m);
}

static void log_add_remove(struct replay *rp, const char *file,
			   const struct dc_mb_log *log, const struct dc_mb_op *op)
{
	struct file_report *rep = rp->rep;
	struct frag f[64];
	size_t n, i;
	int ret;

	if (dc_phase(&rp->sys) != DC_SETUP) {
		if (op->kind == DC_MB_REMOVE) {
			apply_piecewise(rp, op->base, op->last, DC_WALK_FREE);
			rep->emulated++;
		} else {
			rep->ignored++;
		}
		if (!rep->first_ignored)
			rep->first_ignored = op->line;
		return;
	}
	if (op->kind == DC_MB_REMOVE) {
		/* memblock forgets the memory but keeps its reservations:
		 * unregister the free part, the used part stays unusable */
		struct pieces *pc = &rp->pc;

		pc->n = 0;
		pc->lo = op->base;
		pc->hi = op->last;
		dc_walk(&rp->sys, DC_NO_NODE, DC_WALK_FREE, collect_piece, pc);
		for (i = 0; i < pc->n; i++)
			dc_remove_memory(&rp->sys, pc->v[i].base, pc->v[i].size);
		return;
	}
	if (split_region(log, op->base, op->last, op->line, NULL) >
	    sizeof(f) / sizeof(f[0]))
		dc_die(file, "line %lu: memblock_add spans too many nodes",
		       op->line);
	n = split_region(log, op->base, op->last, op->line, f);
	for (i = 0; i < n; i++) {
		ret = dc_add_memory(&rp->sys, f[i].nid, f[i].base,
				    f[i].last - f[i].base + 1);
		/* memblock_add of memory it has is a no-op: so is EEXIST
		 * (only the part not yet registered matters, rare enough to
		 * report rather than split) */
		if (ret == DC_EEXIST) {
			rep->ignored++;
			if (!rep->first_ignored)
				rep->first_ignored = op->line;
		} else if (ret) {
			dc_die(file, "line %lu: memblock_add: %s", op->line,
			       dc_strerror(ret));
		} else {
			rp->present[f[i].nid] = true;
			/* host backing may be refused next to a region;
			 * then nothing is stolen there, which is fine */
			dc_host_mem_add(&rp->hm, f[i].nid, f[i].base,
					f[i].last - f[i].base + 1);
		}
	}
}

static void finalize_or_die(const char *file, struct replay *rp,
			    unsigned long line)
{
	int ret;

	if (dc_phase(&rp->sys) != DC_SETUP)
		return;
	ret = dc_finalize(&rp->sys);
	if (ret)
		dc_die(file, "line %lu: dc_finalize: %s", line,
		       dc_strerror(ret));
}

static void replay_log(const char *file, struct replay *rp,
		       struct dc_mb_log *log)
{
	struct file_report *rep = rp->rep;
	struct dc_stats st;
	size_t i;

	setup_log(file, rp, log);
	for (i = 0; i < log->nops; i++) {
		const struct dc_mb_op *op = &log->ops[i];

		switch (op->kind) {
		case DC_MB_ADD:
		case DC_MB_REMOVE:
			log_add_remove(rp, file, log, op);
			break;
		case DC_MB_RESERVE:
			apply_piecewise(rp, op->base, op->last, DC_WALK_FREE);
			break;
		case DC_MB_FREE:
			apply_piecewise(rp, op->base, op->last, DC_WALK_USED);
			break;
		case DC_MB_REQUEST:
			finalize_or_die(file, rp, op->line);
			log_request(rp, op);
			break;
		}
		rep->applied_ops++;
		if (!(i & 63))
			dc_progress("%s: %zu/%zu", file, i, log->nops);
	}
	finalize_or_die(file, rp, log->lines);
	if (dc_check(&rp->sys))
		dc_die(file, "dc_check failed after replay: invariant %d",
		       dc_check(&rp->sys));
	if (!dc_stats(&rp->sys, DC_NO_NODE, &st))
		rep->steals = st.steals;
	rep->before_dump = log->before_dump;
	rep->unlogged_allocs = log->unlogged_allocs;
	rep->node_source = log->node_source;
	rep->movable_node = log->movable_node;
}

/* ---- traces ---- */

struct trace_line {
	struct dc_trace_rec rec;
	unsigned long line;
};

static struct trace_line *parse_trace(const char *file, char *buf, size_t len,
				      size_t *n, unsigned long *lines)
{
	struct trace_line *v = NULL;
	size_t cap = 0;
	char *line, *end;
	int ret;

	*n = 0;
	*lines = 0;
	for (line = buf; line < buf + len; line = end + 1) {
		end = memchr(line, '\n', (size_t)(buf + len - line));
		if (!end)
			end = buf + len;
		*end = '\0';
		if (end > line && end[-1] == '\r')
			end[-1] = '\0';
		++*lines;
		if (strlen(line) + 1 < (size_t)(end - line))
			dc_die(file, "line %lu: NUL byte in a trace", *lines);
		if (*n == cap) {
			cap = cap ? 2 * cap : 256;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				dc_die(file, "out of memory");
		}
		ret = dc_trace_parse_line(line, &v[*n].rec);
		if (ret < 0)
			dc_die(file, "line %lu: not a trace line", *lines);
		if (ret > 0)
			continue;
		if ((*n == 0) != (v[*n].rec.call == DC_TR_INIT))
			dc_die(file, "line %lu: %s", *lines,
			       *n ? "a second init" : "the first call is not init");
		v[*n].line = *lines;
		++*n;
	}
	if (!*n)
		dc_die(file, "line %lu: a trace without calls", *lines);
	return v;
}

static int cmp_frag(const void *a, const void *b)
{
	const struct frag *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

/* Back every range the trace adds, merged into disjoint runs. */
static void back_trace_memory(const char *file, struct replay *rp,
			      const struct trace_line *v, size_t n)
{
	struct frag *f = xcalloc(n, sizeof(*f));
	size_t i, k = 0, m = 0;

	for (i = 0; i < n; i++) {
		const struct dc_trace_rec *r = &v[i].rec;

		if (r->call != DC_TR_ADD || !r->size ||
		    r->base + r->size - 1 < r->base)
			continue;
		f[k].base = r->base;
		f[k].last = r->base + r->size - 1;
		f[k].nid = r->nid;
		f[k].line = v[i].line;
		k++;
	}
	if (k)
		qsort(f, k, sizeof(*f), cmp_frag);
	for (i = 0; i < k; i++) {	/* merge overlapping and adjacent */
		if (m && f[i].base <= f[m - 1].last + 1 && f[m - 1].last != UINT64_MAX) {
			if (f[i].last > f[m - 1].last)
				f[m - 1].last = f[i].last;
			continue;
		}
		f[m++] = f[i];
	}
	dc_host_mem_init(&rp->hm, false);
	for (i = 0; i < m; i++) {
		int ret = dc_host_mem_add(&rp->hm, f[i].nid, f[i].base,
					  f[i].last - f[i].base + 1);

		if (ret)
			dc_die(file, "line %lu: cannot back memory: %s",
			       f[i].line, strerror(-ret));
	}
	free(f);
}

struct tap {
	uint64_t blocks, hash;
};

static void tap_fn(void *ctx, int nid, dc_addr_t base, unsigned order)
{
	struct tap *t = ctx;

	t->blocks++;
	t->hash = dc_trace_hash_block(t->hash, nid, base, order);
}

/*
 * Make one recorded call. *ret gets what it returned, *got the address
 * (alloc) or the bytes released (release_*). Return: true when anything
 * differs from the record.
 */
static bool trace_call(struct replay *rp, const struct dc_trace_rec *r,
		       int *ret, dc_addr_t *got)
{
	struct dc_system *sys = &rp->sys;
	struct tap tap = { 0, DC_TRACE_HASH_INIT };
	dc_size_t released = 0;

	*got = 0;
	*ret = 0;
	switch (r->call) {
	case DC_TR_INIT:
		*ret = 0;	/* made by start_system() */
		break;
	case DC_TR_ADD:
		*ret = dc_add_memory(sys, r->nid, r->base, r->size);
		break;
	case DC_TR_REMOVE:
		*ret = dc_remove_memory(sys, r->base, r->size);
		break;
	case DC_TR_DISTANCE:
		*ret = dc_set_distance(sys, r->from, r->to, r->distance);
		break;
	case DC_TR_RESERVE:
		*ret = dc_reserve(sys, r->base, r->size);
		break;
	case DC_TR_FINALIZE:
		*ret = dc_finalize(sys);
		break;
	case DC_TR_ALLOC:
		*ret = dc_alloc(sys, &r->req, got);
		return *ret != r->ret || (!*ret && *got != r->addr);
	case DC_TR_FREE:
		*ret = dc_free(sys, r->base, r->size);
		break;
	case DC_TR_RELEASE_ALL:
	case DC_TR_RELEASE_METADATA:
		*ret = r->call == DC_TR_RELEASE_ALL ?
			       dc_release_all(sys, tap_fn, &tap, &released) :
			       dc_release_metadata(sys, tap_fn, &tap, &released);
		*got = released;
		return *ret != r->ret ||
		       (!*ret && (released != r->released ||
				  tap.blocks != r->blocks || tap.hash != r->hash));
	}
	return *ret != r->ret;
}

static void trace_mismatch(struct replay *rp, const struct trace_line *tl,
			   dc_addr_t got, int ret)
{
	const struct dc_trace_rec *r = &tl->rec;
	struct mismatch m = { 0 };

	m.line = tl->line;
	m.call = dc_trace_call_name(r->call);
	m.is_trace = true;
	m.is_alloc = r->call == DC_TR_ALLOC;
	m.flags = r->req.flags;
	m.logged_ret = r->ret;
	m.replayed_ret = ret;
	if (m.is_alloc) {
		m.size = r->req.size;
		m.align = r->req.align;
		m.from = r->req.min_addr;
		m.max_addr = r->req.max_addr;
		m.nid = r->req.nid;
		m.bottom_up = r->req.flags & DC_REQ_BOTTOM_UP;
		m.logged = r->addr;
		m.replayed = got;
	} else if (r->call == DC_TR_RELEASE_ALL ||
		   r->call == DC_TR_RELEASE_METADATA) {
		m.is_release = true;
		m.logged = r->released;	/* bytes, not addresses */
		m.replayed = got;
	} else {
		m.size = r->size;
		m.logged = m.replayed = r->base;
		m.nid = r->nid;
	}
	add_mismatch(rp, &m);
}

/* A differing allocation: keep the recorded one, so the rest compares. */
static void trace_undo_alloc(struct replay *rp, const struct dc_trace_rec *r,
			     int ret, dc_addr_t got)
{
	if (!ret)
		dc_free(&rp->sys, got, r->req.size);
	if (!r->ret && r->req.size && r->addr + r->req.size - 1 >= r->addr)
		apply_piecewise(rp, r->addr, r->addr + r->req.size - 1,
				DC_WALK_FREE);
}

static void replay_trace(const char *file, struct replay *rp, char *buf,
			 size_t len)
{
	struct file_report *rep = rp->rep;
	const struct dc_trace_rec *init;
	struct trace_line *v;
	struct options opt = *rp->opt;
	struct dc_stats st;
	size_t n, i;

	v = parse_trace(file, buf, len, &n, &rep->lines);
	init = &v[0].rec;
	if (init->ret)
		dc_die(file, "line %lu: the trace records a failed init",
		       v[0].line);
	if (!opt.backend) {
		opt.backend = dc_backend_find(init->backend);
		if (!opt.backend)
			dc_die(file, "line %lu: backend %s is not compiled in (use --backend)",
			       v[0].line, init->backend);
	}
	rp->opt = &opt;
	back_trace_memory(file, rp, v, n);
	start_system(file, rp, init->pool_bytes, init->page_shift,
		     init->cfg_flags);
	rep->backend = opt.backend->name;
	for (i = 0; i < n; i++) {
		const struct dc_trace_rec *r = &v[i].rec;
		dc_addr_t got;
		int ret;
		bool diff = trace_call(rp, r, &ret, &got);

		rep->calls++;
		if (r->call == DC_TR_ALLOC) {
			rep->requests++;
			if (!diff && r->ret)
				rep->failed_as_logged++;
			else if (!diff)
				rep->matched++;
			else
				rep->missed++;
			if (diff)
				trace_undo_alloc(rp, r, ret, got);
		} else if (diff) {
			rep->call_differences++;
		}
		if (diff)
			trace_mismatch(rp, &v[i], got, ret);
		if (!(i & 1023))
			dc_progress("%s: %zu/%zu", file, i, n);
	}
	if (!dc_stats(&rp->sys, DC_NO_NODE, &st))
		rep->steals = st.steals;
	rp->opt = NULL;
	free(v);
}

/* ---- output ---- */

static void json_result(struct dc_json *j, const char *who, int ret,
			dc_addr_t v, bool value)
{
	char key[32];

	if (ret) {
		snprintf(key, sizeof(key), "%s_error", who);
		dc_json_str(j, key, dc_trace_errname(ret));
	} else if (value) {
		dc_json_u64(j, who, v);
	} else {
		snprintf(key, sizeof(key), "%s_error", who);
		dc_json_str(j, key, "0");
	}
}

static void json_mismatch(struct dc_json *j, const struct mismatch *m)
{
	dc_json_obj(j, NULL);
	dc_json_u64(j, "line", m->line);
	dc_json_str(j, "call", m->call);
	if (m->is_alloc) {
		dc_json_obj(j, "requested");
		dc_json_u64(j, "size", m->size);
		dc_json_u64(j, "align", m->align);
		dc_json_i64(j, "nid", m->nid);
		dc_json_u64(j, m->is_trace ? "min_addr" : "from", m->from);
		dc_json_u64(j, "max_addr", m->max_addr);
		if (m->is_trace)
			dc_json_u64(j, "flags", m->flags);
		else
			dc_json_str(j, "direction",
				    m->bottom_up ? "bottom_up" : "top_down");
		dc_json_end(j, '}');
	} else if (!m->is_release) {
		dc_json_u64(j, "base", m->logged);
		dc_json_u64(j, "size", m->size);
	}
	/*
	 * alloc: "logged"/"replayed" addresses where the call succeeded,
	 * "logged_error"/"replayed_error" otherwise; release_*: bytes
	 * released; other calls: only their results ("0" or a DC_E* name).
	 */
	json_result(j, "logged", m->logged_ret, m->logged,
		    m->is_alloc || m->is_release);
	if (m->logged_line && m->logged_line != m->line)
		dc_json_u64(j, "logged_line", m->logged_line);
	json_result(j, "replayed", m->replayed_ret, m->replayed,
		    m->is_alloc || m->is_release);
	dc_json_end(j, '}');
}

static void json_report(struct dc_json *j, const struct file_report *r,
			const struct options *opt)
{
	size_t i;

	dc_json_obj(j, NULL);
	dc_json_str(j, "file", r->file);
	dc_json_str(j, "kind", r->kind);
	dc_json_str(j, "backend", r->backend);
	dc_json_u64(j, "lines", r->lines);
	dc_json_u64(j, "requests", r->requests);
	dc_json_u64(j, "matched", r->matched);
	dc_json_u64(j, "missed", r->missed);
	dc_json_u64(j, "failed_as_logged", r->failed_as_logged);
	if (!strcmp(r->kind, "trace")) {
		dc_json_u64(j, "calls", r->calls);
		dc_json_u64(j, "call_differences", r->call_differences);
	} else {
		dc_json_u64(j, "operations", r->applied_ops);
		dc_json_u64(j, "unlogged_allocs", r->unlogged_allocs);
		dc_json_u64(j, "superseded_by_dump", r->before_dump);
		dc_json_u64(j, "ignored", r->ignored);
		dc_json_u64(j, "emulated", r->emulated);
		dc_json_str(j, "node_ranges", r->node_source);
		dc_json_bool(j, "movable_node", r->movable_node);
	}
	dc_json_u64(j, "steals", r->steals);
	dc_json_u64(j, "ns", r->ns);
	dc_json_arr(j, "mismatches");
	for (i = 0; i < r->nmm && i < opt->max_mismatches; i++)
		json_mismatch(j, &r->mm[i]);
	dc_json_end(j, ']');
	dc_json_end(j, '}');
}

static void text_answer(char *buf, size_t len, int ret, dc_addr_t addr,
			bool log)
{
	if (ret && log)
		snprintf(buf, len, "failed");
	else if (ret)
		snprintf(buf, len, "%s", dc_trace_errname(ret));
	else
		snprintf(buf, len, "%#llx", (unsigned long long)addr);
}

static void text_report(const struct file_report *r, const struct options *opt)
{
	size_t i;

	printf("%s: %s on %s: %zu requests, %zu matched, %zu missed, %zu failed as logged",
	       r->file, r->kind, r->backend, r->requests, r->matched,
	       r->missed, r->failed_as_logged);
	if (!strcmp(r->kind, "trace"))
		printf("; %zu calls, %zu other differences", r->calls,
		       r->call_differences);
	printf("\n");
	if (r->steals)
		printf("  note: %llu metadata steals (placement may move)\n",
		       (unsigned long long)r->steals);
	if (r->ignored || r->emulated)
		printf("  note: %zu memblock_add ignored, %zu memblock_remove emulated after allocation began (first at line %lu)\n",
		       r->ignored, r->emulated, r->first_ignored);
	for (i = 0; i < r->nmm && i < opt->max_mismatches; i++) {
		const struct mismatch *m = &r->mm[i];
		char lg[40], rp[40];

		if (m->is_release) {
			printf("  line %lu: %s: recorded %s %llu bytes, replayed %s %llu bytes (or other blocks)\n",
			       m->line, m->call, dc_trace_errname(m->logged_ret),
			       (unsigned long long)m->logged,
			       dc_trace_errname(m->replayed_ret),
			       (unsigned long long)m->replayed);
			continue;
		}
		if (!m->is_alloc) {
			printf("  line %lu: %s base=%#llx size=%#llx: recorded %s, replayed %s\n",
			       m->line, m->call, (unsigned long long)m->logged,
			       (unsigned long long)m->size,
			       dc_trace_errname(m->logged_ret),
			       dc_trace_errname(m->replayed_ret));
			continue;
		}
		text_answer(lg, sizeof(lg), m->logged_ret, m->logged,
			    !m->is_trace);
		text_answer(rp, sizeof(rp), m->replayed_ret, m->replayed,
			    false);
		if (m->is_trace) {
			printf("  line %lu: alloc size=%#llx align=%#llx min=%#llx max=%#llx nid=%d flags=%#x: recorded %s, replayed %s\n",
			       m->line, (unsigned long long)m->size,
			       (unsigned long long)m->align,
			       (unsigned long long)m->from,
			       (unsigned long long)m->max_addr, m->nid,
			       m->flags, lg, rp);
			continue;
		}
		printf("  line %lu: %s %llu bytes align=%#llx nid=%d from=%#llx max_addr=%#llx %s: logged %s",
		       m->line, m->call, (unsigned long long)m->size,
		       (unsigned long long)m->align, m->nid,
		       (unsigned long long)m->from,
		       (unsigned long long)m->max_addr,
		       m->bottom_up ? "bottom-up" : "top-down", lg);
		if (!m->logged_ret)
			printf(" (line %lu)", m->logged_line);
		printf(", replayed %s\n", rp);
	}
	if (r->nmm > opt->max_mismatches)
		printf("  ... and %zu more\n", r->nmm - opt->max_mismatches);
}

/* ---- the command ---- */

static bool is_trace(const char *buf, size_t len)
{
	size_t n = strlen(DC_TRACE_HEADER);

	return len >= n && !memcmp(buf, DC_TRACE_HEADER, n) &&
	       (len == n || buf[n] == '\n' || buf[n] == '\r');
}

static void replay_file(const char *file, const struct options *opt,
			struct file_report *rep)
{
	struct replay *rp = xcalloc(1, sizeof(*rp));
	uint64_t t0 = dc_now_ns();
	size_t len;
	char *buf = dc_read_file(file, &len);

	rp->present = xcalloc(DC_MAX_NODES, sizeof(bool));
	rp->rep = rep;
	rp->opt = opt;
	rep->file = file;
	if (is_trace(buf, len)) {
		rep->kind = "trace";
		replay_trace(file, rp, buf, len);
	} else {
		struct dc_mb_log log;
		char err[256];

		rep->kind = "log";
		rep->backend = opt->backend ? opt->backend->name :
					      dc_backend_default()->name;
		if (dc_mb_parse(buf, len, &log, err, sizeof(err)))
			dc_die(file, "%s", err);
		rep->lines = log.lines;
		replay_log(file, rp, &log);
		dc_mb_free(&log);
	}
	rep->ns = dc_now_ns() - t0;
	dc_progress_end();
	free(buf);
	dc_host_mem_destroy(&rp->hm);
	free(rp->pool);
	free(rp->pc.v);
	free(rp->present);
	free(rp);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: discontig replay [--backend tree|bitmap|array] [--json] [--mismatches N] FILE...\n"
		"\n"
		"Replay Linux memblock=debug boot logs (shared/data/bootlogs/README.md)\n"
		"or discontig traces (docs/trace.md, from `discontig boot --trace`).\n"
		"Each allocation request is answered with memblock's policy through the\n"
		"public API and compared with the logged address; the log's result is then\n"
		"applied so that one difference does not cascade.\n"
		"\n"
		"  --backend NAME   tree (default for logs), bitmap or array; a trace\n"
		"                   replays on its recorded backend unless this is given\n"
		"  --json           one JSON object {\"backend\", \"files\": [...]}\n"
		"  --mismatches N   differences shown per file (default 10)\n"
		"  FILE             a log or a trace; - for stdin\n"
		"\n"
		"Exit status: 0 every request matched (or failed as logged), 1 a request\n"
		"or a traced call differed, 2 bad usage or unreadable input.\n");
}

int dc_cmd_replay(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "mismatches", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct options opt = { .max_mismatches = 10 };
	struct file_report *reps;
	struct dc_json j;
	bool differ = false;
	uint64_t v;
	int c, i, nfiles;

	optind = 1;
	while ((c = getopt_long(argc, argv, "b:jm:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			opt.backend = dc_backend_find(optarg);
			if (!opt.backend)
				dc_die("replay", "backend %s is not compiled in",
				       optarg);
			break;
		case 'j':
			opt.json = true;
			break;
		case 'm':
			if (!dc_parse_size(optarg, &v) || v > 1000000)
				dc_die("replay", "bad --mismatches %s", optarg);
			opt.max_mismatches = (size_t)v;
			break;
		case 'h':
			usage(stdout);
			return DC_EXIT_OK;
		default:
			usage(stderr);
			return DC_EXIT_USAGE;
		}
	}
	nfiles = argc - optind;
	if (nfiles < 1)
		dc_die("replay", "no FILE (try --help)");
	reps = xcalloc((size_t)nfiles, sizeof(*reps));
	for (i = 0; i < nfiles; i++) {
		replay_file(argv[optind + i], &opt, &reps[i]);
		if (reps[i].missed || reps[i].call_differences)
			differ = true;
	}
	if (opt.json) {
		dc_json_init(&j, stdout);
		dc_json_obj(&j, NULL);
		dc_json_str(&j, "backend", opt.backend ? opt.backend->name :
							 dc_backend_default()->name);
		dc_json_arr(&j, "files");
		for (i = 0; i < nfiles; i++)
			json_report(&j, &reps[i], &opt);
		dc_json_end(&j, ']');
		dc_json_end(&j, '}');
		dc_json_done(&j);
	} else {
		for (i = 0; i < nfiles; i++)
			text_report(&reps[i], &opt);
	}
	for (i = 0; i < nfiles; i++)
		free(reps[i].mm);
	free(reps);
	return differ ? DC_EXIT_CHECK : DC_EXIT_OK;
}
