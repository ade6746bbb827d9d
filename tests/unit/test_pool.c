// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_pool.c - the metadata pool (core/pool.c): where metadata comes
 * from, on the tree backend (the one that needs entries most).
 *
 *  - SETUP takes entries from the caller's pool only, and says DC_ENOSPC
 *    when it is empty; nothing is stolen before dc_finalize;
 *  - READY steals from the node that needs the entries, top-down, and the
 *    block is metadata of that node;
 *  - a node with nothing left to steal takes from the nearest other node,
 *    and both nodes' stats say so;
 *  - only memory that phys_to_virt maps is stolen (the direct-map limit is
 *    learnt from its refusals);
 *  - blocks come off the top of the pool and an undo of the last one gives
 *    the bytes back exactly.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pool.h"
#include "harness.h"
#include "nodes/node.h"

#define P 0x1000ull

static struct dc_harness H;

/* 64 bytes at 128-byte alignment, exact node: each adds a free extent. */
static int fragment_node(int nid, int count)
{
	struct dc_request q = { 64, 128, 0, 0, nid, DC_REQ_EXACT_NODE };
	dc_addr_t a;
	int r = 0;

	for (int i = 0; i < count && !r; i++)
		r = dc_alloc(H.sys, &q, &a);
	return r;
}

/* Expect: an empty pool refuses SETUP calls with DC_ENOSPC, and nothing
 * is stolen even though memory is free. */
static void setup_never_steals(void)
{
	struct dc_stats s;

	h_init(&H, dc_backend_find("tree"), 12, 0, 0);
	h_back(&H, 0, 0x100000, 0x100000);
	CU_ASSERT_EQUAL(dc_add_memory(H.sys, 0, 0x100000, 0x100000), DC_ENOSPC);
	CU_ASSERT_EQUAL(dc_stats(H.sys, DC_NO_NODE, &s), 0);
	CU_ASSERT_EQUAL(s.memory, 0);
	CU_ASSERT_EQUAL(s.steals, 0);
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	h_fini(&H);
}

/* Expect: with a pool that holds the map but little more, allocations
 * after finalize steal from their own node, top-down, and the stolen
 * block is that node's metadata. */
static void ready_steals_from_the_node_that_needs_it(void)
{
	struct dc_stats s0, s1;

	/* 2560 bytes: two node descriptors, two fragments and two 512-byte
	 * B-tree leaves (issue 15; 1536 held 64-byte AVL entries) */
	h_init(&H, dc_backend_find("tree"), 12, 2560, 0);
	CU_ASSERT_FATAL(h_add(&H, 0, 0x100000, 0x100000) == 0);
	CU_ASSERT_FATAL(h_add(&H, 1, 0x300000, 0x100000) == 0);
	CU_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	CU_ASSERT_EQUAL(fragment_node(1, 200), 0);
	dc_stats(H.sys, 0, &s0);
	dc_stats(H.sys, 1, &s1);
	CU_ASSERT_EQUAL(s0.steals, 0);
	CU_ASSERT(s1.steals >= 1);
	CU_ASSERT_EQUAL(s1.remote_steals, 0);
	CU_ASSERT(s1.metadata >= P);
	/* top-down: the first stolen page is node 1's last page */
	CU_ASSERT_EQUAL(dc_node_of(H.sys, 0x3ff000), 1);
	CU_ASSERT_EQUAL(dc_free(H.sys, 0x3ff000, P), DC_EBUSY);
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	CU_ASSERT(h_accounting_ok(H.sys));
	h_fini(&H);
}

/* Expect: node 1 has free bytes but no whole free page; the first split
 * that needs metadata takes a page of the nearest node (distance 12 beats
 * 30), counted as a remote steal of node 1 and a steal of the donor. */
static void full_node_takes_from_nearest_other_node(void)
{
	struct dc_request q = { P - 64, P, 0, 0, 1, DC_REQ_EXACT_NODE };
	struct dc_stats s0, s1, s2;
	dc_addr_t a;
	int r;

	/* 3584 bytes: three descriptors, fragments, 512-byte B-tree leaves
	 * and the distance table (issue 15; 2048 held 64-byte AVL entries) */
	h_init(&H, dc_backend_find("tree"), 12, 3584, 0);
	CU_ASSERT_FATAL(h_add(&H, 0, 0x100000, 0x100000) == 0);
	CU_ASSERT_FATAL(h_add(&H, 1, 0x300000, 0x4000) == 0);
	CU_ASSERT_FATAL(h_add(&H, 2, 0x500000, 0x100000) == 0);
	CU_ASSERT_FATAL(dc_set_distance(H.sys, 1, 0, 30) == 0);
	CU_ASSERT_FATAL(dc_set_distance(H.sys, 1, 2, 12) == 0);
	CU_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	/* leave 64 free bytes at the end of each of node 1's four pages */
	for (int i = 0; i < 4; i++)
		CU_ASSERT_FATAL(dc_alloc(H.sys, &q, &a) == 0 && a % P == 0);
	/* use up the initial pool so that the next split must steal */
	while ((H.sys->pool.nentries ||
		H.sys->pool.hi - H.sys->pool.lo >= DC_POOL_ENTRY_SIZE) &&
	       !fragment_node(0, 1))
		;
	/* single bytes at even addresses in node 1's 64-byte holes: each a
	 * split. The B-tree keeps spare 512-byte nodes (issue 15), so it is
	 * the split that fills node 1's leaf and spends its spares that
	 * must steal, not the first one as with 64-byte AVL entries. */
	q = (struct dc_request){ 1, 2, 0, 0, 1, DC_REQ_EXACT_NODE };
	r = 0;
	for (int i = 0; i < 4 * 31 && !r; i++) {
		dc_stats(H.sys, 1, &s1);
		if (s1.remote_steals)
			break;
		q.min_addr = 0x300fc1 + (dc_addr_t)(i / 31) * P +
			     (dc_addr_t)(i % 31) * 2;
		r = dc_alloc(H.sys, &q, &a);
	}
	CU_ASSERT_EQUAL(r, 0);
	dc_stats(H.sys, 0, &s0);
	dc_stats(H.sys, 1, &s1);
	dc_stats(H.sys, 2, &s2);
	CU_ASSERT_EQUAL(s1.remote_steals, 1);
	CU_ASSERT_EQUAL(s1.metadata, 0);
	CU_ASSERT(s2.steals >= 1);
	CU_ASSERT(s2.metadata >= P);
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	CU_ASSERT(h_accounting_ok(H.sys));
	h_fini(&H);
}

struct low_ctx {
	bool all_low;
	int n;
};

static int meta_below_limit(void *ctx, int nid, dc_addr_t b, dc_size_t s)
{
	struct low_ctx *c = ctx;

	c->n++;
	c->all_low &= b + s <= 0x200000;
	return 0;
}

/* Expect: metadata is stolen only where phys_to_virt maps: below the
 * limit, although top-down would prefer the memory above it. */
static void steals_only_what_phys_to_virt_maps(void)
{
	struct low_ctx c = { true, 0 };

	h_init(&H, dc_backend_find("tree"), 12, 1536, 0);
	H.refuse_from = 0x200000;	/* a direct map that ends there */
	CU_ASSERT_FATAL(h_add(&H, 0, 0x100000, 0x200000) == 0);
	CU_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	CU_ASSERT_EQUAL(fragment_node(0, 300), 0);
	CU_ASSERT_EQUAL(dc_walk(H.sys, 0, DC_WALK_METADATA, meta_below_limit,
				&c), 0);
	CU_ASSERT(c.n >= 1);
	CU_ASSERT(c.all_low);
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	h_fini(&H);
}

/*
 * node 0 [1 MiB, 3 MiB), READY; phys_to_virt maps below 2 MiB only (not
 * known to the library until it is refused).
 *
 *   1 MiB            2 MiB            3 MiB
 *   |   maps         |   refused      |
 *
 * Expect: a zeroing top-down allocation whose window holds one page
 * fit, at 2 MiB, fails with DC_ENOMEM and changes nothing (the refused
 * fit is the lowest in its window: nothing below it to bisect for); one
 * over [1 MiB, 3 MiB) gets the highest page that maps, 2 MiB - 4 KiB;
 * once an access limit of 1.5 MiB is set (below the refusal learned),
 * it gets 1.5 MiB - 4 KiB.
 */
static void zeroing_fit_refused_at_window_start_is_enomem(void)
{
	struct dc_request q = { 0x1000, 0x1000, 0x200000, 0x201000, 0,
				DC_REQ_ZERO | DC_REQ_TOP_DOWN |
				DC_REQ_EXACT_NODE };
	dc_addr_t a = 0;

	h_init(&H, dc_backend_find("tree"), 12, 1 << 16, 0);
	H.refuse_from = 0x200000;
	CU_ASSERT_FATAL(h_add(&H, 0, 0x100000, 0x200000) == 0);
	CU_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	H_EXPECT_UNCHANGED(H.sys, DC_ENOMEM, dc_alloc(H.sys, &q, &a));
	CU_ASSERT_EQUAL(a, 0);
	q.min_addr = 0x100000;
	q.max_addr = 0x300000;
	CU_ASSERT_EQUAL(dc_alloc(H.sys, &q, &a), 0);
	CU_ASSERT_EQUAL(a, 0x200000 - 0x1000);
	CU_ASSERT_EQUAL(dc_set_access_limit(H.sys, 0x180000), 0);
	CU_ASSERT_EQUAL(dc_alloc(H.sys, &q, &a), 0);
	CU_ASSERT_EQUAL(a, 0x180000 - 0x1000);
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	h_fini(&H);
}

/*
 * Two nodes, no distance set, then a distance from 0 to 1 of 30; a steal
 * asked for nothing, for more than the address space holds, and in SETUP.
 * Expect: dc_node_get() finds the two nodes and no other (absent, or a
 * nid out of range); dc_distance() is 10 to itself and 20 otherwise
 * without a table,
 * including for a node outside it (NULL: a node that does not exist);
 * the table's value once set; every such steal is DC_ENOSPC and takes
 * nothing.
 */
static void distances_and_steals_out_of_range(void)
{
	struct dc_node *n0, *n1;
	struct dc_stats s;
	dc_addr_t pa = 0;
	void *va = NULL;

	h_init(&H, dc_backend_find("tree"), 12, 64 << 10, 0);
	CU_ASSERT_FATAL(h_add(&H, 0, 0x100000, 0x100000) == 0);
	CU_ASSERT_FATAL(h_add(&H, 1, 0x300000, 0x100000) == 0);
	n0 = dc_node_get(H.sys, 0);
	n1 = dc_node_get(H.sys, 1);
	CU_ASSERT_FATAL(n0 && n1 && n0 != n1);
	CU_ASSERT_PTR_NULL(dc_node_get(H.sys, 2));		/* absent */
	CU_ASSERT_PTR_NULL(dc_node_get(H.sys, -1));		/* out of range */
	CU_ASSERT_PTR_NULL(dc_node_get(H.sys, DC_MAX_NODES));
	CU_ASSERT_EQUAL(dc_distance(H.sys, n0, n0), 10);
	CU_ASSERT_EQUAL(dc_distance(H.sys, n0, n1), 20);
	CU_ASSERT_EQUAL(dc_distance(H.sys, n0, NULL), 20);
	CU_ASSERT_EQUAL(dc_distance(H.sys, NULL, n1), 20);
	CU_ASSERT_FATAL(dc_set_distance(H.sys, 0, 1, 30) == 0);
	CU_ASSERT_EQUAL(dc_distance(H.sys, n0, n1), 30);
	CU_ASSERT_EQUAL(dc_distance(H.sys, n1, n0), 20);
	CU_ASSERT_EQUAL(dc_distance(H.sys, NULL, NULL), 10);
	CU_ASSERT_EQUAL(dc_meta_steal(n0, P, &pa, &va), DC_ENOSPC); /* SETUP */
	CU_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	dc_txn_begin(H.sys, 1, 0);
	CU_ASSERT_EQUAL(dc_meta_steal(n0, 0, &pa, &va), DC_ENOSPC);
	CU_ASSERT_EQUAL(dc_meta_steal(n0, ~(dc_size_t)0, &pa, &va), DC_ENOSPC);
	CU_ASSERT_EQUAL(dc_txn_end(H.sys, 0), 0);
	CU_ASSERT(pa == 0 && va == NULL);
	dc_stats(H.sys, DC_NO_NODE, &s);
	CU_ASSERT_EQUAL(s.steals, 0);
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	h_fini(&H);
}

/* Free single pages two apart over [base, base + 2 * pages * P). */
static void every_other_page_reserved(dc_addr_t base, int pages)
{
	for (int i = 0; i < pages; i++)
		CU_ASSERT_FATAL(dc_reserve(H.sys, base + (2 * i + 1) * P, P) ==
				0);
}

/*
 * READY, node 0 [1 MiB, 2 MiB) with a 2560-byte pool (the node, its
 * fragment and a few B-tree nodes, so that more must be stolen): its
 * first 512 KiB one free page in two, the rest free; dc_reserve_loose over
 * the first 512 KiB: 64 free runs in one call, whose worst case is more
 * B-tree nodes than one stolen block of the usual size holds.
 * Expect: the call asks for a block of the size it needs (or fails with
 * DC_ENOSPC changing nothing); if it succeeds, every free page there is
 * taken, newly counts them, and dc_check is clean.
 */
static void loose_reservation_of_many_runs_steals_what_it_needs(void)
{
	struct dc_snapshot *before;
	dc_size_t newly = 0;
	struct dc_stats s;
	int r;

	h_init(&H, dc_backend_find("tree"), 12, 2560, 0);
	CU_ASSERT_FATAL(h_add(&H, 0, 0x100000, 0x100000) == 0);
	CU_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	every_other_page_reserved(0x100000, 64);
	before = h_snap_new(H.sys);
	r = dc_reserve_loose(H.sys, 0x100000, 0x80000, &newly);
	CU_ASSERT(r == 0 || r == DC_ENOSPC);
	if (r) {
		CU_ASSERT(h_snap_still(H.sys, before));
	} else {
		CU_ASSERT_EQUAL(newly, 64 * P);
		dc_stats(H.sys, 0, &s);
		CU_ASSERT(s.steals >= 1);
	}
	h_snap_del(before);
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	CU_ASSERT(h_accounting_ok(H.sys));
	h_fini(&H);
}

/*
 * Expect: dc_whole_pages() (what dc_release_all hands over) finds no
 * whole page in a range inside page 0 or in the last bytes of the address
 * space (rounding up would pass 2^64 - 1), and finds exactly the whole
 * pages of a range with ragged edges, up to the address space's last page.
 */
static void whole_pages_at_the_edges_of_the_address_space(void)
{
	const dc_addr_t top = ~0ull;
	dc_addr_t b = 0, l = 0;

	h_init(&H, dc_backend_find("tree"), 12, 4096, 0);
	CU_ASSERT_FALSE(dc_whole_pages(H.sys, 0, 100, &b, &l));
	CU_ASSERT_FALSE(dc_whole_pages(H.sys, top - 10, top, &b, &l));
	CU_ASSERT_FALSE(dc_whole_pages(H.sys, P + 1, 2 * P + 5, &b, &l));
	CU_ASSERT_TRUE(dc_whole_pages(H.sys, P - 1, 4 * P + 5, &b, &l));
	CU_ASSERT(b == P && l == 4 * P - 1);
	CU_ASSERT_TRUE(dc_whole_pages(H.sys, top - 2 * P, top, &b, &l));
	CU_ASSERT(b == top - 2 * P + 1 && l == top);	/* two pages */
	h_fini(&H);
}

/* Expect: the last block retired is given back to the pool exactly; an
 * older one becomes entries. */
static void block_undo_restores_the_pool_exactly(void)
{
	static uint64_t mem[1024];
	struct dc_system *sys = calloc(1, sizeof(*sys));
	struct dc_pool before;
	void *a, *b;

	dc_pool_init(&sys->pool, mem, sizeof(mem));
	before = sys->pool;
	CU_ASSERT_FATAL(dc_pool_block(sys, 1000, &a) == 0);
	CU_ASSERT_FATAL(dc_pool_block(sys, 200, &b) == 0);
	CU_ASSERT((char *)b + 200 <= (char *)a);
	dc_pool_block_retire(sys, b, 200);
	dc_pool_block_retire(sys, a, 1000);
	CU_ASSERT_EQUAL(sys->pool.hi, before.hi);
	CU_ASSERT_EQUAL(sys->pool.lo, before.lo);
	CU_ASSERT_EQUAL(sys->pool.nentries, 0);
	CU_ASSERT_EQUAL(dc_pool_block(sys, sizeof(mem) + 8, &a), DC_ENOSPC);
	CU_ASSERT_EQUAL(dc_pool_block(sys, 0, &a), DC_ENOSPC);
	CU_ASSERT_EQUAL(sys->pool.hi, before.hi);	/* neither took a byte */
	free(sys);
}

int main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("metadata pool", NULL, NULL);
	CU_add_test(s, "setup_never_steals", setup_never_steals);
	CU_add_test(s, "ready_steals_from_the_node_that_needs_it",
		    ready_steals_from_the_node_that_needs_it);
	CU_add_test(s, "full_node_takes_from_nearest_other_node",
		    full_node_takes_from_nearest_other_node);
	CU_add_test(s, "steals_only_what_phys_to_virt_maps",
		    steals_only_what_phys_to_virt_maps);
	CU_add_test(s, "zeroing_fit_refused_at_window_start_is_enomem",
		    zeroing_fit_refused_at_window_start_is_enomem);
	CU_add_test(s, "loose_reservation_of_many_runs_steals_what_it_needs",
		    loose_reservation_of_many_runs_steals_what_it_needs);
	CU_add_test(s, "whole_pages_at_the_edges_of_the_address_space",
		    whole_pages_at_the_edges_of_the_address_space);
	CU_add_test(s, "distances_and_steals_out_of_range",
		    distances_and_steals_out_of_range);
	CU_add_test(s, "block_undo_restores_the_pool_exactly",
		    block_undo_restores_the_pool_exactly);
	return h_run();
}
