// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_backend_ops.c - the ops table of include/discontig/backend.h,
 * called directly as the node layer calls it, on the backend named by
 * argv[1]: what the contract promises that no public call of today asks
 * for. find() is "pure" and has no phase: the node layer only searches in
 * SETUP for dc_finalize's metadata steal, which looks top-down, so the
 * bottom-up search over the bitmap's SETUP list was never run (issue 14,
 * coverage).
 *
 * All windows and sizes are whole pages, so that the page-granular
 * bitmap and the byte-exact tree and array give the same answers.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

#include "core/pool.h"
#include "harness.h"

#define P 0x1000ull
#define MiB (1ull << 20)

static const struct dc_backend_ops *ops;
static struct dc_harness H;

/* ops->find on node 0: the address, or DC_ENOMEM as ~0. */
static dc_addr_t find(dc_addr_t lo, dc_addr_t last, dc_size_t size,
		      dc_size_t align, bool top_down)
{
	struct dc_window w = { .lo = lo, .last = last, .size = size,
			       .align = align, .top_down = top_down };
	dc_addr_t a = 0xdead;
	int r = ops->find(H.sys->node[0], &w, &a);

	if (r) {
		CU_ASSERT_EQUAL(r, DC_ENOMEM);
		CU_ASSERT_EQUAL(a, 0xdead);	/* out untouched */
		return ~0ull;
	}
	return a;
}

/*
 * SETUP, node 0 [1 MiB, 1 MiB + 64 KiB), pages 0, 2-3 and 9 reserved:
 *
 *   page  0  1  2  3  4  5  6  7  8  9  10 ........ 15
 *        [x][ ][x  x][ .  .  .  .  ][x][ .  .  .  .  . ]
 *
 * Expect, bottom-up: one page at page 1; two pages aligned to two at
 * page 4; one page aligned to two from page 1 on skips page 1 (no grid
 * point in it) for page 4; five pages aligned to four from page 6 on
 * find nothing (pages 10-15 hold five only from 12, which is not
 * aligned); a window of only page 5 aligned to two has no grid point;
 * top-down: one page at page 15, two aligned to two below page 9 at
 * pages 6-7; a window one byte shorter than the page asked for finds
 * nothing; the same answers on every backend, and nothing changed.
 */
static void find_in_setup_gives_lowest_or_highest_fit(void)
{
	struct dc_snapshot *before;
	const dc_addr_t end = MiB + 16 * P - 1;

	h_init(&H, ops, 12, 64 << 10, 0);
	CU_ASSERT_FATAL(h_add(&H, 0, MiB, 16 * P) == 0);
	CU_ASSERT_FATAL(dc_reserve(H.sys, MiB, P) == 0);
	CU_ASSERT_FATAL(dc_reserve(H.sys, MiB + 2 * P, 2 * P) == 0);
	CU_ASSERT_FATAL(dc_reserve(H.sys, MiB + 9 * P, P) == 0);
	before = h_snap_new(H.sys);

	CU_ASSERT_EQUAL(find(MiB, end, P, P, false), MiB + P);
	CU_ASSERT_EQUAL(find(MiB, end, 2 * P, 2 * P, false), MiB + 4 * P);
	CU_ASSERT_EQUAL(find(MiB + P, end, P, 2 * P, false), MiB + 4 * P);
	CU_ASSERT_EQUAL(find(MiB + 6 * P, end, 5 * P, 4 * P, false), ~0ull);
	CU_ASSERT_EQUAL(find(MiB + 5 * P, MiB + 6 * P - 1, P, 2 * P, false),
			~0ull);
	CU_ASSERT_EQUAL(find(MiB, end, P, P, true), MiB + 15 * P);
	CU_ASSERT_EQUAL(find(MiB, MiB + 9 * P - 1, 2 * P, 2 * P, true),
			MiB + 6 * P);
	CU_ASSERT_EQUAL(find(MiB + 4 * P, MiB + 5 * P - 2, P, P, false),
			~0ull);

	CU_ASSERT(h_snap_still(H.sys, before));
	h_snap_del(before);
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	h_fini(&H);
}

/*
 * READY, node 0 [1 MiB, 2 MiB); one page of every two reserved through
 * the ops table directly, as the node layer calls it but without
 * prepare(): each is a middle split of the free range above it, so a
 * backend that keeps ranges needs one more entry each time and uses up
 * what it holds.
 *
 *   1 MiB                                                    2 MiB
 *   |  [x]   [x]   [x]   [x]   ...   (until a call fails)       |
 *
 * Expect: every call succeeds or fails with DC_ENOSPC; a failed call
 * changes nothing (stats and walks), nor do a free and an alloc then
 * that would split a range; a backend that is not page-granular
 * does run out (the bitmap needs nothing to reserve); after finish(), the
 * end of the call, accounting adds up, and once the pages are freed
 * through the public calls (which prepare) dc_check is clean.
 */
static void unprepared_reserves_fail_unchanged(void)
{
	struct dc_window w = { .last = 2 * MiB - 1, .size = P, .align = P };
	struct dc_snapshot *before;
	struct dc_stats st;
	struct dc_node *n;
	dc_addr_t p, a;
	int fails = 0, r;

	h_init(&H, ops, 12, 64 << 10, 0);
	CU_ASSERT_FATAL(h_add(&H, 0, MiB, MiB) == 0);
	CU_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	n = H.sys->node[0];
	for (p = MiB + P; p < 2 * MiB - 2 * P && !fails; p += 2 * P) {
		if (dc_meta_overlaps(n, p, p + P - 1))
			continue;	/* the bitmap's own page */
		before = h_snap_new(H.sys);
		r = ops->reserve(n, p, p + P - 1);
		if (r) {
			CU_ASSERT_EQUAL(r, DC_ENOSPC);
			CU_ASSERT(h_snap_still(H.sys, before));
			fails++;
			/* a free and an alloc that would split a range next
			 * to it (p - 2 P is reserved, p - P .. free) too */
			w.lo = p + P;
			CU_ASSERT_EQUAL(ops->free(n, p - 2 * P + 0x100,
						  p - 2 * P + 0x1ff),
					DC_ENOSPC);
			CU_ASSERT_EQUAL(ops->alloc(n, &w, &a), DC_ENOSPC);
			CU_ASSERT(h_snap_still(H.sys, before));
		}
		h_snap_del(before);
	}
	if (ops->finish)
		ops->finish(n, true);
	CU_ASSERT(fails == 1 || (!fails && ops->page_granular));
	CU_ASSERT(h_accounting_ok(H.sys));
	/* what a call holds at rest (the array's spare slots) comes back
	 * with the next prepared calls: the public frees of those pages */
	for (p = MiB + P; p < 2 * MiB - 2 * P; p += 2 * P)
		if (!dc_meta_overlaps(n, p, p + P - 1))
			dc_free(H.sys, p, P);
	CU_ASSERT_EQUAL(dc_stats(H.sys, 0, &st), 0);
	CU_ASSERT_EQUAL(st.used, 0);
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	h_fini(&H);
}

/*
 * Node 0 [1 MiB, 1 MiB + 64 KiB) with page 3 reserved; the ops table
 * called directly where the contract promises an answer without a probe
 * before: remove_memory of pages 2-4 (SETUP), alloc of more than is free
 * in one run (READY); and, past the contract, a reserve of the used page
 * and a free of a free one (READY).
 *
 *   page  0  1  2  3  4  5 ... 15
 *        [ .  .  . [x] .  .  ... ]
 *
 * Expect: DC_EBUSY and DC_ENOMEM; DC_EBUSY and DC_ENOENT from the
 * byte-exact backends, a no-op on the bitmap; nothing changed each time.
 */
static void refusals_without_a_probe_change_nothing(void)
{
	struct dc_window w = { .lo = MiB, .last = MiB + 16 * P - 1,
			       .size = 13 * P, .align = P };
	struct dc_snapshot *before;
	struct dc_node *n;
	dc_addr_t a = 0xdead;
	int r;

	h_init(&H, ops, 12, 64 << 10, 0);
	CU_ASSERT_FATAL(h_add(&H, 0, MiB, 16 * P) == 0);
	CU_ASSERT_FATAL(dc_reserve(H.sys, MiB + 3 * P, P) == 0);
	n = H.sys->node[0];
	H_EXPECT_UNCHANGED(H.sys, DC_EBUSY,
			   ops->remove_memory(n, MiB + 2 * P,
					      MiB + 5 * P - 1));
	CU_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	H_EXPECT_UNCHANGED(H.sys, DC_ENOMEM, ops->alloc(n, &w, &a));
	CU_ASSERT_EQUAL(a, 0xdead);
	/* a used page reserved again, a free page freed: refused, or on a
	 * page-granular backend a no-op (2.4 sets or clears the bit) */
	before = h_snap_new(H.sys);
	r = ops->reserve(n, MiB + 3 * P, MiB + 4 * P - 1);
	CU_ASSERT(r == DC_EBUSY || (!r && ops->page_granular));
	r = ops->free(n, MiB + 5 * P, MiB + 6 * P - 1);
	CU_ASSERT(r == DC_ENOENT || (!r && ops->page_granular));
	CU_ASSERT(h_snap_still(H.sys, before));
	h_snap_del(before);
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	h_fini(&H);
}

int main(int argc, char **argv)
{
	CU_pSuite su;

	su = h_backend_suite(argc, argv, "backend ops", &ops);
	if (!su)
		return 2;
	CU_add_test(su, "find_in_setup_gives_lowest_or_highest_fit",
		    find_in_setup_gives_lowest_or_highest_fit);
	CU_add_test(su, "unprepared_reserves_fail_unchanged",
		    unprepared_reserves_fail_unchanged);
	CU_add_test(su, "refusals_without_a_probe_change_nothing",
		    refusals_without_a_probe_change_nothing);
	return h_run();
}
