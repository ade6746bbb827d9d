// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_diff_array.c - the array backend (memblock's algorithm) against the
 * tree backend.
 *
 * Both backends are byte-exact (backend.h), so on the same layout and the
 * same history of calls they must give the same answers. Two systems, one
 * on each backend, get the same random history:
 *
 *  SETUP: the layout's fragments in a random order (some in two adjacent
 *         halves, which must merge), bad adds (overlaps, wraps, bad nids),
 *         reserves, frees and remove_memory of random ranges, loose
 *         reservations, dc_set_node of random ranges (to a node without
 *         memory too), dc_add_node;
 *  READY: reserves and loose reservations of random ranges, access limit
 *         changes, allocations (sizes from 1 byte,
 *         alignments 1 .. 2^20, random windows, nids present, absent and
 *         DC_NO_NODE, exact and relaxed, both directions, zeroing), frees
 *         of whole and partial allocations, double frees, frees of random
 *         ranges.
 *
 * Phase 1 (same_answers_*): a large initial pool, so that neither backend
 * steals (both take their metadata from the pool: asserted at the end).
 * Every return code and every returned address must be equal; so must
 * memory, used, free, free_extents, allocs, frees and failed of
 * dc_stats(DC_NO_NODE); dc_check() == 0 on both after every step. At
 * least DC_DIFF_OPS calls (default 100000) per run.
 *
 * Phase 2 (small_pool_*): a pool that runs dry, so both steal (asserted).
 * The tree steals pages for its entries and the array for its region
 * arrays, at different times and places, so after the first steal the free
 * memory differs and so may placement: the two systems are driven with the
 * same requests, allocations in plenty of memory that cannot fail on
 * either, frees of each system's own blocks (same indices and offsets),
 * double frees, and the return codes must agree; dc_check() == 0 and the
 * accounting invariant hold after every step on both; and every failed
 * call must leave its system exactly as it was (h_snap).
 *
 * Layout (sparse nids 0, 3, 17, 42; T = 2^64 - 0x100000):
 *
 *   0        0x40000  0x60000  0x80000   0xc0000   0x100000  0x180000
 *   | node 3  | node 17 | hole    | node 3  | node 0   | node 42  | hole
 *   0x200000  0x240000          4 GiB     +0x80000  +0xc0000
 *   | node 0   | hole ...        | node 0  | node 17  |
 *   T         T+0x40000  T+0x80000  T+0xa0000              2^64
 *   | node 42  | node 17   | hole     | node 3 ................|
 *
 * The seed is printed; argv[1] (or DC_SEED) replays it.
 */
#include <CUnit/Basic.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define G4 0x100000000ull
#define T (0ull - 0x100000ull)
#define MAXP 256		/* live blocks kept at most */

static uint64_t seed0;

static const struct frag {
	int nid;
	dc_addr_t base;
	dc_size_t size;
} layout[] = {
	{ 3, 0x0, 0x40000 },		{ 17, 0x40000, 0x20000 },
	{ 3, 0x80000, 0x40000 },	{ 0, 0xc0000, 0x40000 },
	{ 42, 0x100000, 0x80000 },	{ 0, 0x200000, 0x40000 },
	{ 0, G4, 0x40000 },		{ 0, G4 + 0x40000, 0x40000 },
	{ 17, G4 + 0x80000, 0x40000 },	{ 42, T, 0x40000 },
	{ 17, T + 0x40000, 0x40000 },	{ 3, T + 0xa0000, 0x60000 },
};
#define NFRAG (sizeof(layout) / sizeof(layout[0]))

static const int nids[] = { 0, 3, 17, 42 };

/* zones random addresses are drawn from: [zone, zone + span) */
static const struct {
	dc_addr_t base;
	dc_size_t span;
} zones[] = { { 0, 0x260000 }, { G4 - 0x10000, 0xe0000 },
	      { T - 0x10000, 0x110000 } };

struct piece {
	dc_addr_t b[2];		/* in the tree system, the array system */
	dc_size_t s;
};

struct diff {
	struct dc_harness h[2];	/* 0: tree, 1: array */
	uint64_t rng;
	struct piece p[MAXP];
	int np;
	bool same_place;	/* phase 1: both systems place alike */
	long ops, fails;
	int moves;		/* dc_set_node calls so far */
};

static uint64_t rnd(struct diff *d, uint64_t n)
{
	return h_rand_below(&d->rng, n);
}

/* 1 .. 2^bits, log-uniform */
static dc_size_t rnd_size(struct diff *d, unsigned bits)
{
	unsigned k = (unsigned)rnd(d, bits + 1);
	dc_size_t lo = 1ull << (k ? k - 1 : 0);

	return lo + rnd(d, lo);
}

static dc_addr_t rnd_addr(struct diff *d)
{
	unsigned z = (unsigned)rnd(d, 3);

	return zones[z].base + rnd(d, zones[z].span);
}

static void fail(struct diff *d, const char *what, long long x, long long y)
{
	char msg[200];

	if (d->fails++ < 5) {
		snprintf(msg, sizeof(msg),
			 "%s (op %ld, seed %" PRIu64 "): tree %llx array %llx",
			 what, d->ops, seed0, x, y);
		printf("\n  %s\n", msg);
	}
	CU_FAIL("tree and array differ");
}

/* dc_check on both; in phase 1, the observable counters must agree. */
static void compare_state(struct diff *d)
{
	struct dc_stats s[2];

	for (int k = 0; k < 2; k++) {
		int c = dc_check(d->h[k].sys);

		if (c) {
			fail(d, k ? "dc_check array" : "dc_check tree", c, c);
			return;
		}
		dc_stats(d->h[k].sys, DC_NO_NODE, &s[k]);
	}
	if (!d->same_place) {
		for (int k = 0; k < 2; k++)
			if (!h_accounting_ok(d->h[k].sys))
				fail(d, "accounting", k, k);
		return;
	}
	if (s[0].memory != s[1].memory || s[0].used != s[1].used ||
	    s[0].free != s[1].free || s[0].free_extents != s[1].free_extents ||
	    s[0].allocs != s[1].allocs || s[0].frees != s[1].frees ||
	    s[0].failed != s[1].failed)
		fail(d, "stats (free_extents)", (long long)s[0].free_extents,
		     (long long)s[1].free_extents);
}

static void compare_rc(struct diff *d, const char *what, int r0, int r1)
{
	if (r0 != r1)
		fail(d, what, r0, r1);
}

/*
 * Run call k on system k; in phase 2 a failed call must have changed
 * nothing (snapshots before and after).
 */
#define BOTH(d, what, r, CALL)                                             \
	do {                                                               \
		struct dc_snapshot s0_, s1_;                               \
		for (int k = 0; k < 2; k++) {                              \
			struct dc_system *sys = (d)->h[k].sys;             \
			if (!(d)->same_place)                              \
				h_snap(sys, &s0_);                         \
			(r)[k] = (CALL);                                   \
			if (!(d)->same_place) {                            \
				if ((r)[k]) {                              \
					h_snap(sys, &s1_);                 \
					if (!h_snap_equal(&s0_, &s1_))     \
						fail(d, what " changed",   \
						     k, (r)[k]);           \
					h_snap_free(&s1_);                 \
				}                                          \
				h_snap_free(&s0_);                         \
			}                                                  \
		}                                                          \
		compare_rc(d, what, (r)[0], (r)[1]);                       \
		(d)->ops++;                                                \
	} while (0)

static void remember(struct diff *d, dc_addr_t b0, dc_addr_t b1, dc_size_t s)
{
	CU_ASSERT_FATAL(d->np < MAXP);
	d->p[d->np++] = (struct piece){ { b0, b1 }, s };
}

/*
 * [b, b + s) was freed (phase 1: same addresses in both systems): cut it
 * out of the blocks it overlaps. It is contiguous, so only the first and
 * the last block it touches keep a remainder: one block more at most.
 */
static void forget(struct diff *d, dc_addr_t b, dc_size_t s)
{
	dc_addr_t l = b + (s - 1), pl;

	for (int i = 0; i < d->np; i++) {
		struct piece p = d->p[i];

		pl = p.b[0] + (p.s - 1);
		if (pl < b || p.b[0] > l)
			continue;
		d->p[i--] = d->p[--d->np];
		if (p.b[0] < b)
			remember(d, p.b[0], p.b[0], b - p.b[0]);
		if (pl > l)
			remember(d, l + 1, l + 1, pl - l);
	}
}

static void step_reserve(struct diff *d)
{
	dc_addr_t b = rnd_addr(d);
	dc_size_t s = rnd_size(d, 14);
	int r[2];

	BOTH(d, "reserve", r, dc_reserve(sys, b, s));
	if (!r[0] && !r[1])
		remember(d, b, b, s);
}

/* A request; phase 2 keeps to requests that fit anywhere. */
static void rnd_request(struct diff *d, struct dc_request *q)
{
	static const int odd[] = { 1, 5, 1023 };	/* absent nids */
	unsigned dir = (unsigned)rnd(d, 3);

	memset(q, 0, sizeof(*q));
	q->size = rnd_size(d, 16);
	q->align = rnd(d, 4) ? 1ull << rnd(d, 21) : 0;
	q->nid = rnd(d, 5) ? nids[rnd(d, 4)] : DC_NO_NODE;
	q->flags = dir == 1 ? DC_REQ_TOP_DOWN : dir == 2 ? DC_REQ_BOTTOM_UP : 0;
	if (!d->same_place) {
		q->size = rnd_size(d, 10);
		q->align = 1ull << rnd(d, 8);
		return;
	}
	if (!rnd(d, 40))
		q->nid = odd[rnd(d, 3)];
	if (q->nid != DC_NO_NODE && !rnd(d, 3))
		q->flags |= DC_REQ_EXACT_NODE;
	if (!rnd(d, 10))
		q->flags |= DC_REQ_ZERO;
	if (rnd(d, 2))
		q->min_addr = rnd_addr(d);
	if (rnd(d, 2))
		q->max_addr = rnd(d, 4) ? q->min_addr + rnd_size(d, 20) :
					  rnd_addr(d);
	if (rnd(d, 3) == 0)
		q->flags |= DC_REQ_RELAX_MIN;
}

static void step_alloc(struct diff *d)
{
	struct dc_request q;
	dc_addr_t a[2] = { 0, 0 };
	int r[2];

	rnd_request(d, &q);
	BOTH(d, "alloc", r, dc_alloc(sys, &q, &a[k]));
	if (r[0] || r[1])
		return;
	if (d->same_place && a[0] != a[1])
		fail(d, "alloc address", (long long)a[0], (long long)a[1]);
	remember(d, a[0], a[1], q.size);
}

/* Free a remembered block: whole, a part (the rest stays used), or twice.
 * Blocks are never forgotten, so the used ranges stay at most MAXP. */
static void step_free_piece(struct diff *d)
{
	int i = (int)rnd(d, (uint64_t)d->np), r[2];
	struct piece p = d->p[i];
	dc_size_t off = 0, len = p.s;
	unsigned how = (unsigned)rnd(d, 4);

	if (d->np >= MAXP - 2)
		how = 0;	/* whole: keep the used ranges bounded */
	d->p[i] = d->p[--d->np];
	if (how == 1 && p.s > 1) {		/* a part: keep both sides */
		off = rnd(d, p.s);
		len = 1 + rnd(d, p.s - off);
		if (off)
			remember(d, p.b[0], p.b[1], off);
		if (off + len < p.s)
			remember(d, p.b[0] + off + len, p.b[1] + off + len,
				 p.s - off - len);
	}
	BOTH(d, "free", r, dc_free(sys, p.b[k] + off, len));
	if (how == 2)			/* double free */
		BOTH(d, "double free", r, dc_free(sys, p.b[k] + off, len));
}

static void step_free_random(struct diff *d)
{
	dc_addr_t b = rnd_addr(d);
	dc_size_t s = rnd_size(d, 14);
	int r[2];

	BOTH(d, "free random", r, dc_free(sys, b, s));
	if (!r[0] && !r[1])
		forget(d, b, s);
}

/* A firmware range on both: the same bytes must become used. */
static void step_loose(struct diff *d)
{
	dc_addr_t b = rnd_addr(d);
	dc_size_t s = rnd_size(d, 12), n[2] = { 1, 2 };
	int r[2];

	BOTH(d, "reserve_loose", r, dc_reserve_loose(sys, b, s, &n[k]));
	if (!r[0] && n[0] != n[1])
		fail(d, "reserve_loose newly", (long long)n[0],
		     (long long)n[1]);
}

/* SETUP: the SRAT gives a random range to a random node, now and then
 * one that has no memory yet (CPU-only until then). */
static void step_set_node(struct diff *d)
{
	dc_addr_t b = rnd_addr(d);
	dc_size_t s = rnd_size(d, 18);
	int nid = rnd(d, 6) ? nids[rnd(d, 4)] : 7, r[2];

	if (!rnd(d, 16))
		BOTH(d, "add_node", r, dc_add_node(sys, 9));
	BOTH(d, "set_node", r, dc_set_node(sys, b, s, nid));
}

/* READY: the kernel's direct map grows or shrinks: zeroed requests
 * follow the access limit. */
static void step_access_limit(struct diff *d)
{
	dc_addr_t l = rnd(d, 4) ? rnd_addr(d) : 0;
	int r[2];

	BOTH(d, "set_access_limit", r, dc_set_access_limit(sys, l));
}

/* SETUP: reserves, frees and removals of random ranges, bad adds, loose
 * reservations, SRAT moves. */
static void setup_step(struct diff *d)
{
	unsigned what = (unsigned)rnd(d, 23);
	dc_addr_t b = rnd_addr(d);
	dc_size_t s = rnd_size(d, 14);
	int r[2];

	if (d->np >= MAXP - 2)
		what = 8;
	if (what < 8) {
		step_reserve(d);
	} else if (what < 12 && d->np) {
		step_free_piece(d);
	} else if (what < 13) {
		BOTH(d, "remove_memory", r, dc_remove_memory(sys, b, s));
	} else if (what < 16) {
		/* mostly overlaps (DC_EEXIST); in a hole or a removed range it
		 * is memory again; some bad nids and sizes */
		int nid = rnd(d, 8) ? nids[rnd(d, 4)] :
			  (int)rnd(d, 3) * 1025 - 1;

		s = rnd(d, 8) ? s : 0;
		BOTH(d, "add", r, h_add(&d->h[k], nid, b, s));
	} else if (what < 20) {
		step_free_random(d);
	} else if (what < 21) {
		step_loose(d);
	} else if (d->moves < 10) {	/* more only fragment the map */
		step_set_node(d);
		d->moves++;
	} else {
		step_free_random(d);
	}
	compare_state(d);
}

static void ready_step(struct diff *d)
{
	unsigned what = (unsigned)rnd(d, 10);

	if (d->np >= MAXP - 2)
		what = 7;
	if (!d->same_place) {
		if (what < 6 || !d->np)
			step_alloc(d);
		else
			step_free_piece(d);
	} else if (what < 2) {
		step_reserve(d);
	} else if (what < 6 || !d->np) {
		step_alloc(d);
	} else if (what < 9) {
		step_free_piece(d);
	} else if (rnd(d, 8)) {
		step_free_random(d);
	} else if (rnd(d, 2)) {
		step_loose(d);
	} else {
		step_access_limit(d);
	}
	compare_state(d);
}

/* Both systems with the layout, added in the same random order. */
static void diff_setup(struct diff *d, unsigned cfg_flags, size_t pool,
		       uint64_t salt)
{
	int order[NFRAG], r[2];

	memset(d, 0, sizeof(*d));
	d->rng = seed0 ^ salt;
	d->same_place = pool >= (1u << 20);
	h_init(&d->h[0], dc_backend_find("tree"), 12, pool, cfg_flags);
	h_init(&d->h[1], dc_backend_find("array"), 12, pool, cfg_flags);
	for (unsigned i = 0; i < NFRAG; i++)
		order[i] = (int)i;
	for (unsigned i = NFRAG - 1; i > 0; i--) {
		unsigned j = (unsigned)rnd(d, i + 1);
		int t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (unsigned i = 0; i < NFRAG; i++) {
		const struct frag *f = &layout[order[i]];

		BOTH(d, "add", r, h_add(&d->h[k], f->nid, f->base, f->size));
		CU_ASSERT_FATAL(r[0] == 0);
		/* an overlapping add is refused by both */
		BOTH(d, "overlapping add", r,
		     dc_add_memory(sys, f->nid, f->base + f->size / 2, 16));
		compare_state(d);
	}
	BOTH(d, "distance", r, dc_set_distance(sys, 3, 42, 12));
	BOTH(d, "distance", r, dc_set_distance(sys, 42, 3, 12));
	BOTH(d, "distance", r, dc_set_distance(sys, 0, 17, 15));
}

static void diff_fini(struct diff *d)
{
	h_fini(&d->h[0]);
	h_fini(&d->h[1]);
}

static void run(unsigned cfg_flags, uint64_t salt)
{
	static struct diff D;
	struct diff *d = &D;
	long ops = h_env("DC_DIFF_OPS", 100000), setup_ops = 2000;
	struct dc_stats s;
	int r[2];

	diff_setup(d, cfg_flags, 64u << 20, salt);
	while (d->ops < setup_ops && !d->fails)
		setup_step(d);
	BOTH(d, "finalize", r, dc_finalize(sys));
	CU_ASSERT_FATAL(r[0] == 0 && r[1] == 0);
	while (d->ops < ops && !d->fails)
		ready_step(d);
	for (int k = 0; k < 2; k++) {
		CU_ASSERT(dc_stats(d->h[k].sys, DC_NO_NODE, &s) == 0);
		CU_ASSERT_EQUAL(s.steals, 0);	/* else placement may differ */
		if (k == 0)
			printf("\n  %ld calls; at the end %llu free extents, "
			       "%llu fragments, %d blocks used", d->ops,
			       (unsigned long long)s.free_extents,
			       (unsigned long long)s.fragments, d->np);
	}
	diff_fini(d);
}

static void same_answers_top_down(void)
{
	run(DC_CFG_TOP_DOWN, 0x5eed);
}

static void same_answers_bottom_up(void)
{
	run(0, 0xb0770);
}

/*
 * Phase 2: a pool of 12 KiB (enough for SETUP's nodes, fragments and
 * arrays) runs dry in READY; both backends must then steal.
 */
static void run_small(unsigned cfg_flags, uint64_t salt)
{
	static struct diff D;
	struct diff *d = &D;
	long ops = h_env("DC_DIFF_OPS", 100000) / 5;

	if (ops < 20000)
		ops = 20000;	/* enough to run the pool dry */
	struct dc_stats s[2];
	int r[2];

	diff_setup(d, cfg_flags, 12u << 10, salt);
	for (int i = 0; i < 40; i++)
		setup_step(d);
	BOTH(d, "finalize", r, dc_finalize(sys));
	CU_ASSERT_FATAL(r[0] == 0 && r[1] == 0);
	while (d->ops < ops && !d->fails)
		ready_step(d);
	for (int k = 0; k < 2; k++)
		CU_ASSERT(dc_stats(d->h[k].sys, DC_NO_NODE, &s[k]) == 0);
	CU_ASSERT(s[0].steals > 0);
	CU_ASSERT(s[1].steals > 0);
	printf("\n  %ld calls; steals: tree %llu array %llu; metadata: tree "
	       "%llu array %llu", d->ops, (unsigned long long)s[0].steals,
	       (unsigned long long)s[1].steals,
	       (unsigned long long)s[0].metadata,
	       (unsigned long long)s[1].metadata);
	diff_fini(d);
}

static void small_pool_same_errors_top_down(void)
{
	run_small(DC_CFG_TOP_DOWN, 0x5a11);
}

static void small_pool_same_errors_bottom_up(void)
{
	run_small(0, 0x5a12);
}

/*
 * One system with pool bytes: node 1 at [0x100000, 0x200000) with ka
 * reserved bytes spread out, node 2 at [0x200000, 0x201000) with kb
 * reserved 64-byte blocks, every other one from 0x200080 (and the rest of
 * the page reserved), so that it has no free page to steal. READY. false
 * if SETUP ran out of pool.
 */
static bool crossing_layout(struct dc_harness *h, const struct dc_backend_ops
			    *ops, size_t pool, int ka, int kb)
{
	h_init(h, ops, 12, pool, 0);
	if (h_add(h, 1, 0x100000, 0x100000) || h_add(h, 2, 0x200000, 0x1000))
		return false;
	for (int i = 0; i < ka; i++)
		if (dc_reserve(h->sys, 0x100000 + (dc_addr_t)i * 0x1000, 1))
			return false;
	/* the contiguous tail first: the last reserves each add a region */
	for (int i = 30; i >= 0; i--)
		if (dc_reserve(h->sys, 0x200080 + (dc_addr_t)i * 0x80,
			       i < kb ? 0x40 : 0x80))
			return false;
	return dc_finalize(h->sys) == 0;
}

/*
 * Expect: a reserve across two nodes that fails on the second (it needs a
 * bigger region array, the pool is dry and it has no free page to steal)
 * changes nothing on the first, even when the first grew its array for
 * the call: the growth is rolled back in finish(). Every pool size from
 * the smallest that completes SETUP, every array fill of both nodes.
 *
 *   0x100000                    0x1fff00 0x200000 0x200040 0x201000
 *   | node 1: ka reserved bytes  |<--- reserve --->|  node 2: kb blocks |
 */
static void failed_crossing_reserve_changes_nothing(void)
{
	const struct dc_backend_ops *ops = dc_backend_find("array");
	struct dc_harness h;
	struct dc_snapshot a, b;
	int failed = 0, done = 0, r;
	size_t pool = 1024;

	for (int ka = 0; ka < 34; ka++) {
		for (int kb = 0; kb <= 31; kb++) {
			/* the smallest pool that completes SETUP */
			pool = pool > 1536 ? pool - 512 : 1024;
			for (;; pool += 64) {
				bool ok = crossing_layout(&h, ops, pool, ka, kb);

				if (ok)
					break;
				h_fini(&h);
			}
			h_snap(h.sys, &a);
			r = dc_reserve(h.sys, 0x1fff00, 0x140);
			if (r) {
				h_snap(h.sys, &b);
				CU_ASSERT_EQUAL(r, DC_ENOSPC);
				CU_ASSERT(h_snap_equal(&a, &b));
				h_snap_free(&b);
				failed++;
			}
			done++;
			h_snap_free(&a);
			CU_ASSERT(dc_check(h.sys) == 0);
			h_fini(&h);
		}
	}
	printf("\n  %d layouts, %d reserves failed", done, failed);
	CU_ASSERT(failed > 0);
}

int main(int argc, char **argv)
{
	CU_pSuite su;

	seed0 = h_seed(argc, argv, 1);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (!dc_backend_find("array") || !dc_backend_find("tree")) {
		printf("array or tree backend not compiled in: skipped\n");
		CU_cleanup_registry();
		return 0;
	}
	su = CU_add_suite("array vs tree", NULL, NULL);
	CU_add_test(su, "same_answers_top_down", same_answers_top_down);
	CU_add_test(su, "same_answers_bottom_up", same_answers_bottom_up);
	CU_add_test(su, "small_pool_same_errors_top_down",
		    small_pool_same_errors_top_down);
	CU_add_test(su, "small_pool_same_errors_bottom_up",
		    small_pool_same_errors_bottom_up);
	CU_add_test(su, "failed_crossing_reserve_changes_nothing",
		    failed_crossing_reserve_changes_nothing);
	return h_run();
}
