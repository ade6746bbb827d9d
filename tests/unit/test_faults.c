// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_faults.c - fault injection (issue 14): one long operation sequence
 * (SETUP on three nodes, dc_finalize, then allocations with and without
 * DC_REQ_ZERO, frees, reservations, access-limit moves, release), replayed
 * once per fault, on the backend named by argv[1]:
 *
 *  - phys_to_virt fails at its k-th call only, for every k from 1 to the
 *    number of calls a clean run makes (a kernel's __va() that cannot map
 *    one page: metadata steals, bitmaps, region arrays and zeroing all
 *    go through it);
 *  - the initial pool holds k entries, for every k from 0 to what the
 *    clean run's SETUP uses, so that the pool runs dry at each of its
 *    calls in turn (in SETUP nothing may be stolen: DESIGN.md, "Phases").
 *
 * Expect, after every call of every replay: a call that failed changed
 * nothing (every stat and walk as before, harness.h's snapshot), dc_check
 * is 0 and memory = used + metadata + free + released. The sequence is
 * fixed by a seed (printed; DC_SEED replays another).
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define P 0x1000ull
#define MiB (1ull << 20)
#define NR_OPS 200
#define MAX_LIVE 48
#define NR_NIDS 4		/* the nodes the sequence names */

static const struct dc_backend_ops *ops;
static uint64_t seed;

/* The platform: the host's memory, phys_to_virt failing at call fail_at. */
struct faulty {
	struct dc_host_mem mem;
	size_t calls, fail_at;	/* fail_at 0: never */
	size_t failures;
};

static void *faulty_p2v(void *ctx, dc_addr_t pa, dc_size_t len)
{
	struct faulty *f = ctx;

	if (++f->calls == f->fail_at) {
		f->failures++;
		return NULL;
	}
	return dc_host_phys_to_virt(&f->mem, pa, len);
}

struct run {
	struct dc_system *sys;
	struct faulty plat_ctx;
	struct dc_platform plat;
	struct dc_config cfg;
	void *pool;
	uint64_t rng;
	dc_addr_t live_b[MAX_LIVE];
	dc_size_t live_s[MAX_LIVE];
	int nlive;
	size_t failed_calls;	/* calls that failed in this replay */
	size_t setup_pool_used;	/* pool entries SETUP took (clean run) */
	bool broken;		/* a rule broke: stop this replay */
};

static void run_start(struct run *r, size_t pool_entries, size_t fail_at)
{
	memset(r, 0, sizeof(*r));
	r->sys = calloc(1, sizeof(*r->sys));
	r->pool = malloc(pool_entries ? pool_entries * DC_POOL_ENTRY_SIZE : 1);
	dc_host_mem_init(&r->plat_ctx.mem, false);
	r->plat_ctx.fail_at = fail_at;
	r->plat.phys_to_virt = faulty_p2v;
	r->plat.ctx = &r->plat_ctx;
	r->cfg.backend = ops;
	r->cfg.pool = r->pool;
	r->cfg.pool_bytes = pool_entries * DC_POOL_ENTRY_SIZE;
	r->cfg.flags = DC_CFG_TOP_DOWN;
	r->rng = seed;
	CU_ASSERT_FATAL(r->sys && r->pool);
	CU_ASSERT_FATAL(dc_init(r->sys, &r->cfg, &r->plat) == 0);
}

static void run_end(struct run *r)
{
	dc_host_mem_destroy(&r->plat_ctx.mem);
	free(r->pool);
	free(r->sys);
}

/* One call, checked: a failure changes nothing; the invariants hold. */
static void checked(struct run *r, const char *what, int rc,
		    struct dc_snapshot *before)
{
	struct dc_snapshot after;

	h_snap_nids(r->sys, &after, NR_NIDS);
	if (rc) {
		r->failed_calls++;
		if (!h_snap_equal(before, &after)) {
			printf("\n  %s failed (%d) and changed the system "
			       "(pool %zu entries, phys_to_virt fails at %zu)\n",
			       what, rc, r->cfg.pool_bytes / DC_POOL_ENTRY_SIZE,
			       r->plat_ctx.fail_at);
			r->broken = true;
		}
	}
	if (dc_phase(r->sys) != DC_GONE &&
	    (dc_check(r->sys) || !h_accounting_ok(r->sys))) {
		printf("\n  after %s (%d): dc_check %d (pool %zu, fail at %zu)\n",
		       what, rc, dc_check(r->sys),
		       r->cfg.pool_bytes / DC_POOL_ENTRY_SIZE,
		       r->plat_ctx.fail_at);
		r->broken = true;
	}
	CU_ASSERT(!r->broken);
	h_snap_free(before);
	h_snap_free(&after);
}

#define CALL(r, what, expr)                                  \
	do {                                                 \
		struct dc_snapshot b_;                       \
		int rc_;                                     \
		h_snap_nids((r)->sys, &b_, NR_NIDS);         \
		rc_ = (expr);                                \
		checked((r), (what), rc_, &b_);              \
	} while (0)

/*
 * SETUP, the same in every replay:
 *
 *   0        1M            3M   3M+0x800     8M          9M
 *   | (hole) | node 0  2M  |    | node 1 ... | node 2 1M  |
 *   node 1: [3M + 0x800, 8M) starts mid-page; node 2 a CPU-less node far
 *   away (distance 40). Reserved: the first 64 KiB of node 0 (the
 *   kernel), 100 single bytes across node 1, a range crossing from node 0
 *   into the hole-free join at 3M is refused (DC_ENOENT) and changes
 *   nothing.
 */
static void sequence_setup(struct run *r)
{
	dc_size_t newly;

	dc_host_mem_add(&r->plat_ctx.mem, 0, MiB, 2 * MiB);
	dc_host_mem_add(&r->plat_ctx.mem, 1, 3 * MiB + 0x800, 5 * MiB - 0x800);
	dc_host_mem_add(&r->plat_ctx.mem, 2, 8 * MiB, MiB);
	CALL(r, "add 0", dc_add_memory(r->sys, 0, MiB, 2 * MiB));
	CALL(r, "add 1", dc_add_memory(r->sys, 1, 3 * MiB + 0x800,
				       5 * MiB - 0x800));
	CALL(r, "add 2", dc_add_memory(r->sys, 2, 8 * MiB, MiB));
	CALL(r, "distance", dc_set_distance(r->sys, 0, 2, 40));
	CALL(r, "node 3", dc_add_node(r->sys, 3));
	CALL(r, "kernel", dc_reserve(r->sys, MiB, 64 << 10));
	CALL(r, "across", dc_reserve(r->sys, 3 * MiB - P, 2 * P));
	for (int i = 0; i < 100 && !r->broken; i++)
		CALL(r, "byte", dc_reserve(r->sys, 3 * MiB + 0x800 + i * 3 * P
					   + (dc_addr_t)i * 7, 1));
	CALL(r, "firmware", dc_reserve_loose(r->sys, 3 * MiB - 2 * P, 4 * P,
					     &newly));
	CALL(r, "set_node", dc_set_node(r->sys, 8 * MiB + MiB / 2, MiB / 2,
					3));
	CALL(r, "finalize", dc_finalize(r->sys));
}

static void op_alloc(struct run *r)
{
	static const unsigned fl[] = {
		0, DC_REQ_TOP_DOWN, DC_REQ_BOTTOM_UP, DC_REQ_EXACT_NODE,
		DC_REQ_ZERO, DC_REQ_ZERO | DC_REQ_BOTTOM_UP,
		DC_REQ_RELAX_MIN | DC_REQ_ZERO, DC_REQ_EXACT_NODE | DC_REQ_ZERO,
	};
	struct dc_request q = { 0 };
	dc_addr_t a = 0;
	int rc;

	q.size = h_rand_below(&r->rng, 3) ? 1 + h_rand_below(&r->rng, 300) :
		 P * (1 + h_rand_below(&r->rng, 8));
	q.align = h_rand_below(&r->rng, 2) ? 0 : P;
	q.nid = (int)h_rand_below(&r->rng, 5) - 1;	/* -1 .. 3 */
	q.flags = fl[h_rand_below(&r->rng, 8)];
	if (q.flags & DC_REQ_RELAX_MIN)
		q.min_addr = 7 * MiB;
	CALL(r, "alloc", rc = dc_alloc(r->sys, &q, &a));
	if (rc)
		return;
	if (r->nlive < MAX_LIVE) {
		r->live_b[r->nlive] = a;
		r->live_s[r->nlive++] = q.size;
	} else {
		CALL(r, "free full", dc_free(r->sys, a, q.size));
	}
}

static void op_free(struct run *r)
{
	int i;

	if (!r->nlive)
		return;
	i = (int)h_rand_below(&r->rng, (uint64_t)r->nlive);
	if (h_rand_below(&r->rng, 4) == 0 && r->live_s[i] > 2) {
		/* a middle byte first: the allocation splits in two */
		dc_addr_t mid = r->live_b[i] + r->live_s[i] / 2;
		int rc;

		CALL(r, "free middle", rc = dc_free(r->sys, mid, 1));
		if (rc)
			return;
		CALL(r, "free left", dc_free(r->sys, r->live_b[i],
					     mid - r->live_b[i]));
		CALL(r, "free right", dc_free(r->sys, mid + 1,
					      r->live_b[i] + r->live_s[i] -
					      mid - 1));
	} else {
		CALL(r, "free", dc_free(r->sys, r->live_b[i], r->live_s[i]));
	}
	r->live_b[i] = r->live_b[--r->nlive];
	r->live_s[i] = r->live_s[r->nlive];
}

static void count_release(void *ctx, int nid, dc_addr_t base, unsigned order)
{
}

/* After SETUP: NR_OPS calls drawn from the seed, then the release. */
static void sequence_ready(struct run *r)
{
	dc_size_t released, newly;
	dc_addr_t x;

	for (int i = 0; i < NR_OPS && !r->broken; i++) {
		switch (h_rand_below(&r->rng, 10)) {
		case 0:
		case 1:
		case 2:
		case 3:
			op_alloc(r);
			break;
		case 4:
		case 5:
		case 6:
			op_free(r);
			break;
		case 7:
			x = MiB + h_rand_below(&r->rng, 8 * MiB);
			CALL(r, "reserve", dc_reserve(r->sys, x,
					1 + h_rand_below(&r->rng, 2 * P)));
			break;
		case 8:
			x = MiB + h_rand_below(&r->rng, 8 * MiB);
			CALL(r, "loose", dc_reserve_loose(r->sys, x,
					1 + h_rand_below(&r->rng, 4 * P),
					&newly));
			break;
		default:
			x = h_rand_below(&r->rng, 3) ? 0 :
			    MiB + h_rand_below(&r->rng, 8 * MiB);
			CALL(r, "limit", dc_set_access_limit(r->sys, x));
			break;
		}
	}
	CALL(r, "release_all", dc_release_all(r->sys, count_release, NULL,
					      &released));
	CALL(r, "release_metadata", dc_release_metadata(r->sys, count_release,
							NULL, &released));
}

static size_t pool_entries_used(struct run *r)
{
	struct dc_stats s;

	CU_ASSERT_FATAL(dc_stats(r->sys, DC_NO_NODE, &s) == 0);
	return r->cfg.pool_bytes / DC_POOL_ENTRY_SIZE - s.pool_free;
}

#define BIG_POOL 4096

/*
 * Expect: for every k, phys_to_virt failing at call k leaves every failed
 * call without effect and every invariant intact; at least one call of
 * the clean run is a phys_to_virt call, and each fault is met.
 */
static void phys_to_virt_fails_at_each_call(void)
{
	struct run r;
	size_t calls, k, met = 0;

	run_start(&r, BIG_POOL, 0);
	sequence_setup(&r);
	sequence_ready(&r);
	calls = r.plat_ctx.calls;
	run_end(&r);
	CU_ASSERT_FATAL(calls > 0);
	printf("\n  %zu phys_to_virt calls in a clean run ", calls);
	for (k = 1; k <= calls; k++) {
		run_start(&r, BIG_POOL, k);
		sequence_setup(&r);
		sequence_ready(&r);
		met += r.plat_ctx.failures;
		run_end(&r);
		if (r.broken)
			break;
	}
	CU_ASSERT(met > 0);
}

/*
 * Expect: with k pool entries, for every k up to what SETUP takes with
 * plenty, the call that finds the pool empty fails with DC_ENOSPC and
 * changes nothing, every invariant holds, and the replay goes on.
 */
static void pool_runs_dry_at_each_call(void)
{
	struct run r;
	size_t used, k;

	run_start(&r, BIG_POOL, 0);
	sequence_setup(&r);
	used = pool_entries_used(&r);
	run_end(&r);
	printf("\n  SETUP takes %zu pool entries ", used);
	for (k = 0; k <= used + 1; k++) {
		run_start(&r, k, 0);
		sequence_setup(&r);
		if (!r.broken && dc_phase(r.sys) == DC_READY)
			sequence_ready(&r);
		CU_ASSERT(k >= used || r.failed_calls > 0);
		run_end(&r);
		if (r.broken)
			break;
	}
}

/*
 * Room for one node's metadata only, at every pool size:
 *
 *   node 0 [1 MiB, + 8 pages)   pages 0-5 reserved, 6-7 free
 *   node 1 [2 MiB, + 4 pages)   all reserved
 *
 * For every initial pool from 0 to 8 KiB, one entry (64 bytes) apart:
 * SETUP as drawn (pool sizes too small for it are skipped), then
 * dc_finalize. On the bitmap backend each node needs a page for its
 * bitmap, both from node 0's two free pages; the record of node 0's
 * block needs a pool entry, stolen (a page) once the pool is dry.
 * Expect: dc_finalize either succeeds (READY, dc_check 0) or fails with
 * DC_ENOSPC changing nothing (still SETUP, every stat and walk as
 * before, dc_check 0: the steals of node 0 are undone, entries and all);
 * the tree and array backends place nothing at dc_finalize and always
 * succeed, the bitmap backend both fails (pool dry) and succeeds.
 */
static void finalize_without_room_for_every_node_at_each_pool_size(void)
{
	struct dc_snapshot *s0, *s1;
	struct dc_harness h;
	size_t ok = 0, failed = 0;
	int r;

	for (size_t bytes = 0; bytes <= 8192; bytes += DC_POOL_ENTRY_SIZE) {
		h_init(&h, ops, 12, bytes, 0);
		if (h_add(&h, 0, MiB, 8 * P) || h_add(&h, 1, 2 * MiB, 4 * P) ||
		    dc_reserve(h.sys, MiB, 6 * P) ||
		    dc_reserve(h.sys, 2 * MiB, 4 * P)) {
			h_fini(&h);
			continue;
		}
		CU_ASSERT_EQUAL_FATAL(dc_check(h.sys), 0);
		s0 = h_snap_new(h.sys);

		r = dc_finalize(h.sys);
		if (r) {
			CU_ASSERT_EQUAL(r, DC_ENOSPC);
			s1 = h_snap_new(h.sys);
			CU_ASSERT(h_snap_same(s0, s1));
			h_snap_del(s1);
			CU_ASSERT_EQUAL(dc_phase(h.sys), DC_SETUP);
			failed++;
		} else {
			CU_ASSERT_EQUAL(dc_phase(h.sys), DC_READY);
			ok++;
		}
		CU_ASSERT_EQUAL(dc_check(h.sys), 0);
		h_snap_del(s0);
		h_fini(&h);
	}
	printf("\n  finalize: %zu succeeded, %zu failed ", ok, failed);
	CU_ASSERT(ok > 0);
	CU_ASSERT_EQUAL(failed > 0, strcmp(ops->name, "bitmap") == 0);
}

/*
 * A dc_set_node over two nodes to a new one, at every pool size:
 *
 *   node 0 [1 MiB, 2 MiB)        node 1 [2 MiB, 3 MiB)
 *            |<-- to node 2: [1.5 MiB, 2.5 MiB) -->|
 *   one page reserved in each half of the moved range
 *
 * For every initial pool from 0 to 16 KiB, one entry apart: SETUP as
 * drawn (sizes too small for it are skipped), then the move. Its pieces
 * are prepared in address order: node 0's part and node 2's (a new node:
 * its metadata is made from nothing), then node 1's part, so that some
 * sizes run dry after node 2 has grown.
 * Expect: the move either succeeds (dc_check 0) or fails with DC_ENOSPC
 * and changes nothing (node 2 absent again, every stat and walk as
 * before, dc_check 0); both happen.
 */
static void set_node_to_new_node_at_each_pool_size(void)
{
	struct dc_snapshot *s0, *s1;
	struct dc_harness h;
	size_t ok = 0, failed = 0;
	int r;

	for (size_t bytes = 0; bytes <= 16384; bytes += DC_POOL_ENTRY_SIZE) {
		h_init(&h, ops, 12, bytes, 0);
		if (h_add(&h, 0, MiB, MiB) || h_add(&h, 1, 2 * MiB, MiB) ||
		    dc_reserve(h.sys, MiB + MiB / 2 + 16 * P, P) ||
		    dc_reserve(h.sys, 2 * MiB + 16 * P, P)) {
			h_fini(&h);
			continue;
		}
		CU_ASSERT_EQUAL_FATAL(dc_check(h.sys), 0);
		s0 = h_snap_new(h.sys);
		r = dc_set_node(h.sys, MiB + MiB / 2, MiB, 2);
		if (r) {
			CU_ASSERT_EQUAL(r, DC_ENOSPC);
			s1 = h_snap_new(h.sys);
			CU_ASSERT(h_snap_same(s0, s1));
			h_snap_del(s1);
			CU_ASSERT_EQUAL(dc_node_of(h.sys, 2 * MiB), 1);
			failed++;
		} else {
			CU_ASSERT_EQUAL(dc_node_of(h.sys, 2 * MiB), 2);
			ok++;
		}
		CU_ASSERT_EQUAL(dc_check(h.sys), 0);
		h_snap_del(s0);
		h_fini(&h);
	}
	printf("\n  set_node: %zu succeeded, %zu failed ", ok, failed);
	CU_ASSERT(ok > 0 && failed > 0);
}

/*
 * dc_set_distance between two nodes that do not exist yet, after node 0
 * [1 MiB, 2 MiB), at every pool size from 0 to 4 KiB, one entry apart:
 * the call creates node 1, then node 2, then a distance table for three.
 * Expect: it either succeeds (3 nodes, the distance kept) or fails with
 * DC_ENOSPC and changes nothing (node 1 and 2 absent again, every stat
 * and walk as before, dc_check 0); both happen.
 */
static void set_distance_to_new_nodes_at_each_pool_size(void)
{
	struct dc_snapshot *s0, *s1;
	struct dc_harness h;
	size_t ok = 0, failed = 0;
	struct dc_stats st;
	int r;

	for (size_t bytes = 0; bytes <= 4096; bytes += DC_POOL_ENTRY_SIZE) {
		h_init(&h, ops, 12, bytes, 0);
		if (h_add(&h, 0, MiB, MiB)) {
			h_fini(&h);
			continue;
		}
		s0 = h_snap_new(h.sys);
		r = dc_set_distance(h.sys, 1, 2, 40);
		if (r) {
			CU_ASSERT_EQUAL(r, DC_ENOSPC);
			s1 = h_snap_new(h.sys);
			CU_ASSERT(h_snap_same(s0, s1));
			h_snap_del(s1);
			CU_ASSERT_EQUAL(dc_stats(h.sys, DC_NO_NODE, &st), 0);
			CU_ASSERT_EQUAL(st.nodes, 1);
			failed++;
		} else {
			CU_ASSERT_EQUAL(dc_stats(h.sys, DC_NO_NODE, &st), 0);
			CU_ASSERT_EQUAL(st.nodes, 3);
			ok++;
		}
		CU_ASSERT_EQUAL(dc_check(h.sys), 0);
		h_snap_del(s0);
		h_fini(&h);
	}
	printf("\n  set_distance: %zu succeeded, %zu failed ", ok, failed);
	CU_ASSERT(ok > 0 && failed > 0);
}

int main(int argc, char **argv)
{
	CU_pSuite su;

	su = h_backend_suite(argc, argv, "fault injection", &ops);
	if (!su)
		return 2;
	seed = h_seed(argc, argv, 2);
	CU_add_test(su, "phys_to_virt_fails_at_each_call",
		    phys_to_virt_fails_at_each_call);
	CU_add_test(su, "pool_runs_dry_at_each_call",
		    pool_runs_dry_at_each_call);
	CU_add_test(su,
		    "finalize_without_room_for_every_node_at_each_pool_size",
		    finalize_without_room_for_every_node_at_each_pool_size);
	CU_add_test(su, "set_node_to_new_node_at_each_pool_size",
		    set_node_to_new_node_at_each_pool_size);
	CU_add_test(su, "set_distance_to_new_nodes_at_each_pool_size",
		    set_distance_to_new_nodes_at_each_pool_size);
	return h_run();
}
