// SPDX-License-Identifier: BSD-3-Clause
/*
 * replay.c - the replay engine (replay.h): replay a Linux memblock=debug
 * boot log, or a trace in the project's own format, on a backend and
 * record where discontig places memory differently (DESIGN.md, "Tools").
 * cmd_replay.c prints the result; nothing here prints or exits.
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
#include "tools/sim/replay.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/sim/platform.h"

#define MB_PAGE_SIZE 4096u	/* x86: the logs' PAGE_SIZE */
#define MB_CACHE_BYTES 64u	/* SMP_CACHE_BYTES: memblock's align 0 */

/* Sub-ranges collected by a walk, applied after it. */
struct pieces {
	struct { dc_addr_t base; dc_size_t size; } *v;
	size_t n, cap;
	dc_addr_t lo, hi;	/* inclusive window */
	bool oom;
};

struct replay {
	struct dc_system sys;
	struct dc_host_mem hm;
	void *pool;
	struct pieces pc;
	bool present[DC_MAX_NODES];	/* nids with memory */
	struct dc_replay_report *rep;
	const struct dc_backend_ops *backend;
	struct dc_parse_error *err;
	bool oom;
};

#define mismatch dc_replay_mismatch

/* ---- small helpers ---- */

static int fail(struct replay *rp, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record why the replay stops; returns -1. */
static int fail(struct replay *rp, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	rp->err->line = line;
	va_start(ap, fmt);
	vsnprintf(rp->err->msg, sizeof(rp->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static void add_mismatch(struct replay *rp, const struct mismatch *m)
{
	struct dc_replay_report *r = rp->rep;

	if (r->nmm == r->mm_cap) {
		size_t cap = r->mm_cap ? 2 * r->mm_cap : 16;
		void *v = realloc(r->mm, cap * sizeof(*m));

		if (!v) {
			rp->oom = true;
			return;
		}
		r->mm = v;
		r->mm_cap = cap;
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
		size_t cap = pc->cap ? 2 * pc->cap : 64;
		void *v = realloc(pc->v, cap * sizeof(*pc->v));

		if (!v) {
			pc->oom = true;
			return 1;	/* stops the walk */
		}
		pc->v = v;
		pc->cap = cap;
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
	if (pc->oom) {
		pc->oom = false;
		rp->oom = true;
		return DC_ENOMEM;
	}
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

static struct frag *make_fragments(struct replay *rp, struct dc_mb_log *log,
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
		if (log->memory[i].base <= log->memory[i - 1].last) {
			fail(rp, log->memory[i].line, "memory regions overlap");
			return NULL;
		}
	for (i = 0; i < log->nmemory; i++)
		if (region_usable(log, &log->memory[i]))
			n += split_region(log, log->memory[i].base,
					  log->memory[i].last, 0, NULL);
	f = calloc(n ? n : 1, sizeof(*f));
	if (!f) {
		fail(rp, log->dump_line, "out of memory");
		return NULL;
	}
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
static int back_memory(struct replay *rp, const struct frag *f, size_t n)
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
			return fail(rp, f[i].line, "cannot back memory [%#llx-%#llx] "
				    "with host address space: %s",
				    (unsigned long long)f[i].base,
				    (unsigned long long)f[j].last, strerror(-ret));
		i = j + 1;
	}
	return 0;
}

static int start_system(struct replay *rp, unsigned long line,
			dc_size_t pool_bytes, unsigned page_shift, unsigned flags)
{
	struct dc_platform plat;
	struct dc_config cfg = { 0 };
	int ret;

	/* aligned_alloc wants a multiple of the alignment, and > 0 */
	if (pool_bytes > ((dc_size_t)1 << 40))
		return fail(rp, line, "a %llu byte pool is too large",
			    (unsigned long long)pool_bytes);
	rp->pool = aligned_alloc(4096, (pool_bytes + 4096) & ~(dc_size_t)4095);
	if (!rp->pool)
		return fail(rp, line, "cannot allocate a %llu byte pool",
			    (unsigned long long)pool_bytes);
	dc_host_platform(&rp->hm, &plat, false);
	cfg.page_shift = page_shift;
	cfg.backend = rp->backend;
	cfg.pool = rp->pool;
	cfg.pool_bytes = pool_bytes;
	cfg.flags = flags;
	ret = dc_init(&rp->sys, &cfg, &plat);
	if (ret)
		return fail(rp, line, "dc_init: %s", dc_strerror(ret));
	return 0;
}

static int setup_log(struct replay *rp, struct dc_mb_log *log)
{
	size_t nfrag, i;
	struct frag *f = make_fragments(rp, log, &nfrag);
	/* generous: memblock's own arrays are among the log's reservations,
	 * and a steal would move later placements */
	dc_size_t pool = (dc_size_t)(1u << 22) +
			 (dc_size_t)DC_POOL_ENTRY_SIZE * 8 *
				 (nfrag + log->nreserved + log->nops);
	int ret = -1;

	if (!f)
		return -1;
	if (!nfrag) {
		free(f);
		return fail(rp, log->dump_line, "no usable memory in the first "
			    "MEMBLOCK configuration");
	}
	if (back_memory(rp, f, nfrag) ||
	    start_system(rp, log->dump_line, pool, 12, DC_CFG_TOP_DOWN))
		goto out;
	for (i = 0; i < nfrag; i++) {
		ret = dc_add_memory(&rp->sys, f[i].nid, f[i].base,
				    f[i].last - f[i].base + 1);
		if (ret) {
			ret = fail(rp, f[i].line, "memory [%#llx-%#llx] node %d: %s",
				   (unsigned long long)f[i].base,
				   (unsigned long long)f[i].last, f[i].nid,
				   dc_strerror(ret));
			goto out;
		}
		rp->present[f[i].nid] = true;
	}
	for (i = 0; i < log->nreserved; i++) {
		const struct dc_mb_range *r = &log->reserved[i];

		ret = apply_piecewise(rp, r->base, r->last, DC_WALK_FREE);
		if (ret) {
			ret = fail(rp, r->line, "reserved [%#llx-%#llx]: %s",
				   (unsigned long long)r->base,
				   (unsigned long long)r->last, dc_strerror(ret));
			goto out;
		}
	}
	ret = 0;
out:
	free(f);
	return ret;
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

/* A request whose answer differs from the log's, or that the log never
 * answered: the request as logged, and both answers. */
static void request_mismatch(struct replay *rp, const struct dc_mb_op *op,
			     int ret, dc_addr_t got)
{
	struct mismatch m = { 0 };

	m.line = op->line;
	m.call = dc_mb_api_name(op->api);
	m.is_alloc = true;
	m.unanswered = op->unanswered;
	m.size = op->size;
	m.align = op->align;
	m.from = op->from;
	m.max_addr = op->max_addr;
	m.nid = op->nid;
	m.bottom_up = op->bottom_up;
	if (!op->unanswered) {
		m.logged_ret = op->ok ? 0 : DC_ENOMEM;
		m.logged = op->result;
		m.logged_line = op->result_line;
	}
	m.replayed_ret = ret;
	m.replayed = got;
	add_mismatch(rp, &m);
}

static void log_request(struct replay *rp, const struct dc_mb_op *op)
{
	struct dc_replay_report *rep = rp->rep;
	dc_addr_t got = 0;
	int ret = memblock_alloc(rp, op, &got);
	bool same_size = op->result_size == op->size;

	rep->requests++;
	if (op->unanswered) {
		/* the log ends before the answer: keep ours (so that nothing
		 * cascades, there is nothing after it) and say so */
		rep->unanswered++;
		request_mismatch(rp, op, ret, got);
		return;
	}
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
	request_mismatch(rp, op, ret, got);
}

/* The line of the first add or remove the replay did not make as logged. */
static void note_ignored(struct dc_replay_report *rep, unsigned long line)
{
	if (!rep->first_ignored)
		rep->first_ignored = line;
}

/* After allocation began the memory can no longer change: an add is
 * ignored, a remove emulated by taking its free part out of use. */
static void log_late_add_remove(struct replay *rp, const struct dc_mb_op *op)
{
	if (op->kind == DC_MB_REMOVE) {
		apply_piecewise(rp, op->base, op->last, DC_WALK_FREE);
		rp->rep->emulated++;
	} else {
		rp->rep->adds_ignored++;
	}
	note_ignored(rp->rep, op->line);
}

/* memblock forgets the memory but keeps its reservations: unregister the
 * free part, the used part stays unusable. */
static void log_remove(struct replay *rp, const struct dc_mb_op *op)
{
	struct pieces *pc = &rp->pc;

	pc->n = 0;
	pc->lo = op->base;
	pc->hi = op->last;
	dc_walk(&rp->sys, DC_NO_NODE, DC_WALK_FREE, collect_piece, pc);
	for (size_t i = 0; i < pc->n; i++)
		dc_remove_memory(&rp->sys, pc->v[i].base, pc->v[i].size);
}

/* memblock_add: register each node's part of the range, and back it. */
static int log_add(struct replay *rp, const struct dc_mb_log *log,
		   const struct dc_mb_op *op)
{
	struct frag f[64];
	size_t n, i;
	int ret;

	if (split_region(log, op->base, op->last, op->line, NULL) >
	    sizeof(f) / sizeof(f[0]))
		return fail(rp, op->line, "memblock_add spans more than %zu "
			    "node ranges", sizeof(f) / sizeof(f[0]));
	n = split_region(log, op->base, op->last, op->line, f);
	for (i = 0; i < n; i++) {
		ret = dc_add_memory(&rp->sys, f[i].nid, f[i].base,
				    f[i].last - f[i].base + 1);
		/* memblock_add of memory it has is a no-op: so is EEXIST
		 * (only the part not yet registered matters, rare enough to
		 * report rather than split) */
		if (ret == DC_EEXIST) {
			rp->rep->adds_ignored++;
			note_ignored(rp->rep, op->line);
		} else if (ret) {
			return fail(rp, op->line, "memblock_add: %s",
				    dc_strerror(ret));
		} else {
			rp->present[f[i].nid] = true;
			/* host backing may be refused next to a region;
			 * then nothing is stolen there, which is fine */
			dc_host_mem_add(&rp->hm, f[i].nid, f[i].base,
					f[i].last - f[i].base + 1);
		}
	}
	return 0;
}

static int log_add_remove(struct replay *rp, const struct dc_mb_log *log,
			  const struct dc_mb_op *op)
{
	if (dc_phase(&rp->sys) != DC_SETUP)
		log_late_add_remove(rp, op);
	else if (op->kind == DC_MB_REMOVE)
		log_remove(rp, op);
	else
		return log_add(rp, log, op);
	return 0;
}

static int finalize_once(struct replay *rp, unsigned long line)
{
	int ret;

	if (dc_phase(&rp->sys) != DC_SETUP)
		return 0;
	ret = dc_finalize(&rp->sys);
	return ret ? fail(rp, line, "dc_finalize: %s", dc_strerror(ret)) : 0;
}

static int replay_log(struct replay *rp, struct dc_mb_log *log)
{
	struct dc_replay_report *rep = rp->rep;
	struct dc_stats st;
	size_t i;

	if (setup_log(rp, log))
		return -1;
	for (i = 0; i < log->nops; i++) {
		const struct dc_mb_op *op = &log->ops[i];

		switch (op->kind) {
		case DC_MB_ADD:
		case DC_MB_REMOVE:
			if (log_add_remove(rp, log, op))
				return -1;
			break;
		case DC_MB_RESERVE:
			apply_piecewise(rp, op->base, op->last, DC_WALK_FREE);
			break;
		case DC_MB_FREE:
			apply_piecewise(rp, op->base, op->last, DC_WALK_USED);
			break;
		case DC_MB_REQUEST:
			if (finalize_once(rp, op->line))
				return -1;
			log_request(rp, op);
			break;
		}
		if (rp->oom)
			return fail(rp, op->line, "out of memory");
		rep->applied_ops++;
	}
	if (finalize_once(rp, log->lines))
		return -1;
	if (dc_check(&rp->sys))
		return fail(rp, log->lines, "dc_check failed after replay: "
			    "invariant %d", dc_check(&rp->sys));
	if (!dc_stats(&rp->sys, DC_NO_NODE, &st))
		rep->steals = st.steals;
	rep->before_dump = log->before_dump;
	rep->unlogged_allocs = log->unlogged_allocs;
	rep->node_source = log->node_source;
	rep->movable_node = log->movable_node;
	return 0;
}

/* ---- traces ---- */

static int cmp_frag(const void *a, const void *b)
{
	const struct frag *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

/* Back every range the trace adds, merged into disjoint runs. */
static int back_trace_memory(struct replay *rp, const struct dc_trace_line *v,
			     size_t n)
{
	struct frag *f = calloc(n ? n : 1, sizeof(*f));
	size_t i, k = 0, m = 0;

	if (!f)
		return fail(rp, 0, "out of memory");
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

		if (ret) {
			fail(rp, f[i].line, "cannot back memory [%#llx-%#llx] "
			     "with host address space: %s",
			     (unsigned long long)f[i].base,
			     (unsigned long long)f[i].last, strerror(-ret));
			free(f);
			return -1;
		}
	}
	free(f);
	return 0;
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

static void trace_mismatch(struct replay *rp, const struct dc_trace_line *tl,
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

static int replay_trace(struct replay *rp, const struct dc_trace_file *tf)
{
	struct dc_replay_report *rep = rp->rep;
	const struct dc_trace_line *v = tf->v;
	const struct dc_trace_rec *init = &v[0].rec;
	struct dc_stats st;
	size_t n = tf->n, i;

	rep->lines = tf->lines;
	if (init->ret)
		return fail(rp, v[0].line, "the trace records a failed init");
	if (!rp->backend) {
		rp->backend = dc_backend_find(init->backend);
		if (!rp->backend)
			return fail(rp, v[0].line, "backend %s is not compiled "
				    "in (use --backend)", init->backend);
	}
	if (back_trace_memory(rp, v, n) ||
	    start_system(rp, v[0].line, init->pool_bytes, init->page_shift,
			 init->cfg_flags))
		return -1;
	rep->backend = rp->backend->name;
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
		if (rp->oom)
			return fail(rp, v[i].line, "out of memory");
	}
	if (!dc_stats(&rp->sys, DC_NO_NODE, &st))
		rep->steals = st.steals;
	return 0;
}


/* ---- entry points ---- */

static struct replay *replay_new(const struct dc_replay_opts *o,
				 struct dc_replay_report *rep,
				 struct dc_parse_error *err)
{
	struct replay *rp = calloc(1, sizeof(*rp));

	if (!rp) {
		dc_parse_fail(err, 0, "out of memory");
		return NULL;
	}
	rp->rep = rep;
	rp->err = err;
	rp->backend = o ? o->backend : NULL;
	dc_host_mem_init(&rp->hm, false);
	return rp;
}

static void replay_free(struct replay *rp)
{
	dc_host_mem_destroy(&rp->hm);
	free(rp->pool);
	free(rp->pc.v);
	free(rp);
}

int dc_replay_log(struct dc_mb_log *log, const struct dc_replay_opts *o,
		  struct dc_replay_report *rep, struct dc_parse_error *err)
{
	struct replay *rp = replay_new(o, rep, err);
	int ret;

	if (!rp)
		return -1;
	rep->kind = "log";
	rep->backend = rp->backend ? rp->backend->name :
				     dc_backend_default()->name;
	rep->lines = log->lines;
	rep->malformed = log->malformed;
	rep->nbad = log->nbad;
	memcpy(rep->bad, log->bad, log->nbad * sizeof(log->bad[0]));
	rep->cut_line = log->cut_line;
	ret = replay_log(rp, log);
	rep->ignored = rep->malformed + rep->adds_ignored;
	replay_free(rp);
	return ret;
}

int dc_replay_trace(const struct dc_trace_file *tf,
		    const struct dc_replay_opts *o,
		    struct dc_replay_report *rep, struct dc_parse_error *err)
{
	struct replay *rp;
	int ret;

	if (!tf->n)
		return dc_parse_fail(err, tf->lines, "a trace without calls");
	rp = replay_new(o, rep, err);
	if (!rp)
		return -1;
	rep->kind = "trace";
	ret = replay_trace(rp, tf);
	replay_free(rp);
	return ret;
}

void dc_replay_report_free(struct dc_replay_report *rep)
{
	free(rep->mm);
	memset(rep, 0, sizeof(*rep));
}

bool dc_replay_failed(const struct dc_replay_report *rep, bool lenient)
{
	return rep->missed || rep->call_differences ||
	       (!lenient && rep->malformed);
}
