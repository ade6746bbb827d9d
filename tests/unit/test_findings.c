// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_findings.c - one regression test per finding of the API fuzzer
 * (issue "What the fuzzers found"), written from the findings' words,
 * not from fuzz inputs, and run on the backend named by argv[1]. Each
 * failed on the library before its fix (core/pool.c, "Transactions").
 *
 * Most findings need the initial pool exhausted in READY, so that every
 * call that needs metadata must steal: pool_exhausted() fills it with
 * single-byte reservations on a node of its own before dc_finalize.
 * Several need a region array that is full at one particular call; as
 * its capacity follows from the history, those tests sweep the number of
 * reservations made before, one fresh system each, so that some of them
 * meet the growth at that call. Those three do not run on the bitmap
 * backend: it places all its metadata at dc_finalize (the node's only
 * free page becomes its bitmap) and steals nothing afterwards.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define P 0x1000ull
#define MiB (1ull << 20)
#define A 0x100000ull		/* node 0 */
#define JUNK 0x10000000ull	/* the node that takes the pool */

static const struct dc_backend_ops *ops;
static struct dc_harness H;

/* A small pool, so that a region array's leftovers are small too. */
static void start(void)
{
	h_init(&H, ops, 12, 64 << 10, 0);
}

/* Single-byte reservations two pages apart on nodes of their own (16 MiB
 * each from JUNK) until even a new node does not fit: the entries are
 * gone, and so is every block a region array could still grow into. */
static void pool_exhausted(void)
{
	dc_addr_t base = JUNK;

	for (int nid = 30; nid < 1000; nid++, base += 16 * MiB) {
		if (dc_add_memory(H.sys, nid, base, 16 * MiB))
			return;
		h_back(&H, nid, base, 16 * MiB);
		for (dc_addr_t a = base + 1; a < base + 16 * MiB; a += 2 * P)
			if (dc_reserve(H.sys, a, 1))
				break;
	}
	CU_FAIL_FATAL("the pool never ran dry");
}

static struct dc_stats st(int nid)
{
	struct dc_stats s;

	CU_ASSERT_FATAL(dc_stats(H.sys, nid, &s) == 0);
	return s;
}

static int alloc(dc_size_t size, dc_size_t align, int nid, unsigned flags,
		 dc_addr_t *out)
{
	struct dc_request q = { size, align, 0, 0, nid, flags };

	return dc_alloc(H.sys, &q, out);
}

static void done(void)
{
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	CU_ASSERT(h_accounting_ok(H.sys));
	CU_ASSERT_EQUAL(h_walk_bytes(H.sys, DC_NO_NODE, DC_WALK_METADATA),
			st(DC_NO_NODE).metadata);
	h_fini(&H);
}

struct last_free {
	dc_addr_t b, l;
	bool found;
};

static int last_free_fn(void *ctx, int nid, dc_addr_t base, dc_size_t size)
{
	struct last_free *lf = ctx;

	lf->b = base;
	lf->l = base + (size - 1);
	lf->found = true;
	return 0;
}

static int meta_overlap_fn(void *ctx, int nid, dc_addr_t base,
			   dc_size_t size)
{
	dc_addr_t p = *(dc_addr_t *)ctx;

	return base <= p + (P - 1) && p <= base + (size - 1);
}

/*
 * Finding 1. Expect: with the pool exhausted, dc_reserve of the highest
 * free page of a node makes that page used: it is no metadata, and it
 * can be freed and reserved again. (The steal that prepared the call
 * used to take that very page and the call still returned 0.)
 */
static void reserve_of_highest_free_page_reserves_it(void)
{
	struct last_free lf;
	dc_addr_t p;

	start();
	CU_ASSERT_FATAL(h_add(&H, 0, A, MiB) == 0);
	pool_exhausted();
	CU_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	for (int i = 0; i < 200; i++) {
		lf.found = false;
		dc_walk(H.sys, 0, DC_WALK_FREE, last_free_fn, &lf);
		CU_ASSERT_FATAL(lf.found && lf.l - lf.b >= P - 1);
		p = (lf.l + 1 - P) & ~(P - 1);
		CU_ASSERT_EQUAL_FATAL(dc_reserve(H.sys, p, P), 0);
		CU_ASSERT_EQUAL(dc_walk(H.sys, 0, DC_WALK_METADATA,
					meta_overlap_fn, &p), 0);
		CU_ASSERT_EQUAL_FATAL(dc_free(H.sys, p, P), 0);
		CU_ASSERT_EQUAL_FATAL(dc_reserve(H.sys, p, P), 0);
	}
	done();
}

/*
 *   node 0: [A, A + 1 MiB) free        node 1: one page at 2 GiB
 *
 * Finding 2. Expect: with the pool exhausted, DC_NO_NODE top-down returns
 * node 1's page, the highest fit; the metadata the call needs comes from
 * node 0. (Preparing the call stole that page, the allocation failed
 * there and dc_alloc returned DC_ENOMEM with the page left as metadata.)
 */
static void no_node_top_down_gets_the_only_fit_of_the_top_fragment(void)
{
	struct last_free lf = { 0, 0, false };
	dc_addr_t a = 0;

	start();
	CU_ASSERT_FATAL(h_add(&H, 0, A, MiB) == 0);
	CU_ASSERT_FATAL(h_add(&H, 1, 0x80000000ull, P) == 0);
	pool_exhausted();
	CU_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	/* the highest free page: node 1's, unless the bitmap backend put
	 * node 1's own bitmap there at dc_finalize */
	dc_walk(H.sys, DC_NO_NODE, DC_WALK_FREE, last_free_fn, &lf);
	CU_ASSERT_FATAL(lf.found);
	CU_ASSERT_EQUAL(alloc(P, P, DC_NO_NODE, DC_REQ_TOP_DOWN, &a), 0);
	CU_ASSERT_EQUAL(a, (lf.l + 1 - P) & ~(P - 1));
	if (!ops->page_granular)
		CU_ASSERT_EQUAL(a, 0x80000000ull);
	done();
}

/*
 *   node 0: [A, A + 256 pages)      node 1: [A + 256 pages, + 16 pages)
 *   ra regions reserved on node 0,  rb on node 1, all of node 1 but its
 *   first two pages; the reservation: node 0's last page and those two
 *
 * Finding 3. Expect: a reservation across two nodes, where node 1 has no
 * memory of its own left for metadata, makes both parts used (each can
 * be freed on its own), or fails with DC_ENOSPC and changes nothing;
 * swept over ra and rb so that each array is full at that call in some
 * run. (On the array backend the part on the first node stayed free
 * although dc_reserve returned 0.)
 */
static void reserve_across_two_nodes_reserves_both_parts(void)
{
	const dc_addr_t b1 = A + 256 * P;
	struct dc_snapshot s0, s1;
	int rc;

	for (int ra = 0; ra < 24; ra++) {
		for (int rb = 0; rb < 12; rb++) {
			start();
			CU_ASSERT_FATAL(h_add(&H, 0, A, 256 * P) == 0);
			CU_ASSERT_FATAL(h_add(&H, 1, b1, 16 * P) == 0);
			for (int i = 0; i < ra; i++)
				CU_ASSERT_FATAL(dc_reserve(H.sys, A + i * P + 1,
							   P - 1) == 0);
			for (int i = 0; i < rb; i++)
				CU_ASSERT_FATAL(dc_reserve(H.sys,
							   b1 + (2 + i) * P + 1,
							   P - 1) == 0);
			CU_ASSERT_FATAL(dc_reserve(H.sys, b1 + (2 + rb) * P + 1,
						   (14 - rb) * P - 1) == 0);
			pool_exhausted();
			CU_ASSERT_FATAL(dc_finalize(H.sys) == 0);
			h_snap(H.sys, &s0);
			rc = dc_reserve(H.sys, b1 - P, 3 * P);
			if (rc) {
				/* (the bitmap's own bitmap may sit there) */
				h_snap(H.sys, &s1);
				CU_ASSERT(rc == DC_ENOSPC || (ops->page_granular &&
							      rc == DC_EBUSY));
				CU_ASSERT(h_snap_equal(&s0, &s1));
				h_snap_free(&s1);
			} else {
				CU_ASSERT_EQUAL(dc_free(H.sys, b1 - P, P), 0);
				CU_ASSERT_EQUAL(dc_free(H.sys, b1, 2 * P), 0);
			}
			h_snap_free(&s0);
			done();
		}
	}
}

/*
 * A node 0 of 128 pages whose only whole free page is F = its page 100:
 * the first r pages are reserved each but for its first byte (one region
 * each), the rest (but F) in two blocks. Node 1 gets `node1` bytes.
 */
#define F (A + 100 * P)
static void node0_with_one_free_page(int r, dc_size_t node1)
{
	start();
	CU_ASSERT_FATAL(h_add(&H, 0, A, 128 * P) == 0);
	if (node1)
		CU_ASSERT_FATAL(h_add(&H, 1, 0x40000000ull, node1) == 0);
	for (int i = 0; i < r; i++)
		CU_ASSERT_FATAL(dc_reserve(H.sys, A + i * P + 1, P - 1) == 0);
	CU_ASSERT_FATAL(dc_reserve(H.sys, A + r * P + 1,
				   F - (A + r * P + 1)) == 0);
	CU_ASSERT_FATAL(dc_reserve(H.sys, F + P, A + 128 * P - (F + P)) == 0);
	pool_exhausted();
	CU_ASSERT_FATAL(dc_finalize(H.sys) == 0);
}

/*
 * Finding 4. Expect: dc_alloc for node 0, which has a fit (F), returns F,
 * whatever the state of node 0's metadata when it is asked; what the call
 * needs is stolen from node 1. (On the array backend the growth of the
 * reserved array stole F and the request went to node 1.)
 */
static void alloc_for_node_with_a_fit_returns_that_fit(void)
{
	dc_addr_t a;

	for (int r = 0; r < 64; r++) {
		node0_with_one_free_page(r, MiB);
		CU_ASSERT_EQUAL(alloc(P, P, 0, 0, &a), 0);
		CU_ASSERT_EQUAL(a, F);
		done();
	}
}

/* dc_alloc(P) for node 0 either returns F or fails with DC_ENOSPC and
 * changes nothing but the failure counters. */
static void alloc_f_or_unchanged(unsigned flags)
{
	struct dc_snapshot s0, s1;
	dc_addr_t a = 7;
	int rc;

	h_snap(H.sys, &s0);
	rc = alloc(P, P, 0, flags, &a);
	if (rc) {
		h_snap(H.sys, &s1);
		s1.total.failed = s0.total.failed;
		for (int i = 0; i < s1.nnodes; i++)
			s1.node[i].failed = s0.node[i].failed;
		CU_ASSERT(h_snap_equal(&s0, &s1));
		CU_ASSERT_EQUAL(rc, DC_ENOSPC);
		CU_ASSERT_EQUAL(a, 7);
		h_snap_free(&s1);
	} else {
		CU_ASSERT_EQUAL(a, F);
	}
	h_snap_free(&s0);
}

/*
 * Finding 5. Expect: with no memory for metadata anywhere but the fit
 * itself, dc_alloc either gets the fit or fails with DC_ENOSPC and
 * changes nothing: dc_check is clean and the metadata walk adds up to
 * the stats. (On the array backend dc_check reported invariant 108 and
 * the walk showed a block the stats did not count.)
 */
static void failed_alloc_enospc_changes_nothing(void)
{
	for (int r = 0; r < 64; r++) {
		node0_with_one_free_page(r, 0);
		alloc_f_or_unchanged(0);
		done();
	}
}

/*
 * Finding 6. Expect: a single-node dc_alloc that fails with DC_ENOSPC
 * after a page of another node was stolen for entries while preparing
 * leaves that page free: nothing changed. Node 1 has one page, too small
 * for a region array that outgrew a page.
 */
static void failed_alloc_gives_back_page_stolen_from_other_node(void)
{
	for (int r = 0; r < 96; r++) {
		node0_with_one_free_page(r, P);
		alloc_f_or_unchanged(DC_REQ_EXACT_NODE);
		if (st(1).metadata)	/* kept only if the call succeeded */
			CU_ASSERT(st(0).allocs == 1);
		done();
	}
}

/* A direct map that ends at refuse (tests/support/harness.c). */
static void map_only_below(dc_addr_t refuse)
{
	H.refuse_from = refuse;
}

/*
 * Finding 7. Expect: DC_REQ_ZERO where phys_to_virt maps nothing that
 * fits is DC_ENOMEM and changes nothing: no metadata is left stolen, and
 * on the bitmap backend a sub-page request leaves the packing as it was
 * (a later sub-page request packs where it would have). (It returned
 * DC_EINVAL after stealing, and gave the bitmap's block back without
 * rewinding the packing.)
 */
static void zeroed_alloc_that_cannot_be_mapped_changes_nothing(void)
{
	dc_addr_t a, b;

	start();
	CU_ASSERT_FATAL(h_add(&H, 0, A, MiB) == 0);
	pool_exhausted();
	CU_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	CU_ASSERT_EQUAL(alloc(64, 64, 0, DC_REQ_BOTTOM_UP, &a), 0);
	map_only_below(1);
	H_EXPECT_UNCHANGED(H.sys, DC_ENOMEM,
			   alloc(64, 64, 0, DC_REQ_ZERO | DC_REQ_BOTTOM_UP,
				 &b));
	H_EXPECT_UNCHANGED(H.sys, DC_ENOMEM,
			   alloc(3 * P, P, DC_NO_NODE, DC_REQ_ZERO, &b));
	/* the kernel maps everything now, and says so: what the library
	 * learned from the refusals is forgotten */
	map_only_below(0);
	CU_ASSERT_EQUAL(dc_set_access_limit(H.sys, 0), 0);
	CU_ASSERT_EQUAL(alloc(64, 64, 0, DC_REQ_BOTTOM_UP, &b), 0);
	CU_ASSERT_EQUAL(b, a + 64);	/* packed (bitmap) or next (bytes) */
	done();
}

/*
 *   node 0 from A + 0x800: its first page is partial
 *
 * Finding 8. Expect: bytes of that partial page a caller reserved cannot
 * be unregistered: DC_EBUSY, as on the byte-exact backends. (The bitmap
 * backend never listed the edge page, and dc_remove_memory let them go.)
 */
static void reserved_bytes_of_edge_page_cannot_be_removed(void)
{
	start();
	CU_ASSERT_FATAL(h_add(&H, 0, A + 0x800, 16 * P) == 0);
	CU_ASSERT_EQUAL(dc_reserve(H.sys, A + 0x900, 0x100), 0);
	H_EXPECT_UNCHANGED(H.sys, DC_EBUSY,
			   dc_remove_memory(H.sys, A + 0x900, 0x100));
	H_EXPECT_UNCHANGED(H.sys, DC_EBUSY,
			   dc_remove_memory(H.sys, A + 0x800, 0x1000));
	CU_ASSERT_EQUAL(dc_free(H.sys, A + 0x900, 0x100), 0);
	done();
}

/*
 * Finding 9. Expect: memory that would add up to 2^64 bytes, which no
 * dc_size_t holds, is refused with DC_ERANGE: two halves of the address
 * space, adjacent, of one node or of two. (They merged into one fragment
 * of 2^64 bytes and the stats read 0.)
 */
static void memory_adding_up_to_2_64_is_erange(void)
{
	start();
	CU_ASSERT_FATAL(h_add(&H, 0, 0, 1ull << 63) == 0);
	H_EXPECT_UNCHANGED(H.sys, DC_ERANGE,
			   dc_add_memory(H.sys, 0, 1ull << 63, 1ull << 63));
	H_EXPECT_UNCHANGED(H.sys, DC_ERANGE,
			   dc_add_memory(H.sys, 1, 1ull << 63, 1ull << 63));
	CU_ASSERT_EQUAL(dc_add_memory(H.sys, 1, 1ull << 63, (1ull << 63) - 1),
			0);
	CU_ASSERT_EQUAL(st(DC_NO_NODE).memory, ~0ull);
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	h_fini(&H);
}

/*
 * Found by tests/fuzz/fuzz_api after issue 14 (bitmap backend). SETUP:
 * node 0 has a fragment whose last page is partial, all of it reserved,
 * and a second fragment elsewhere; dc_set_node gives the first fragment
 * to node 1.
 *
 *   A                      A+3P   A+3P+0x100       B
 *   |  reserved: node 0 -> node 1  |.....|    ...  |node 0|
 *                             partial last page
 *
 * Expect: dc_check 0 (the bitmap backend kept the partial page listed on
 * node 0 although no memory of node 0 is left in it: invariant 2), the
 * used bytes on node 1, none on node 0.
 */
static void set_node_moves_reserved_partial_page_away(void)
{
	const dc_size_t size = 3 * P + 0x100;

	start();
	CU_ASSERT_FATAL(h_add(&H, 0, A, size) == 0);
	CU_ASSERT_FATAL(h_add(&H, 0, A + MiB, 64 * P) == 0);
	CU_ASSERT_FATAL(dc_reserve(H.sys, A, size) == 0);
	CU_ASSERT_EQUAL(dc_set_node(H.sys, A, size, 1), 0);
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	CU_ASSERT_EQUAL(st(0).used, 0);
	CU_ASSERT_EQUAL(st(1).used, size);
	CU_ASSERT_EQUAL(dc_finalize(H.sys), 0);
	done();
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
		bool bytes;	/* byte-exact backends only */
	} tests[] = {
#define T(f) { #f, f, false }
#define TB(f) { #f, f, true }
		T(reserve_of_highest_free_page_reserves_it),
		T(no_node_top_down_gets_the_only_fit_of_the_top_fragment),
		T(reserve_across_two_nodes_reserves_both_parts),
		TB(alloc_for_node_with_a_fit_returns_that_fit),
		TB(failed_alloc_enospc_changes_nothing),
		TB(failed_alloc_gives_back_page_stolen_from_other_node),
		T(zeroed_alloc_that_cannot_be_mapped_changes_nothing),
		T(reserved_bytes_of_edge_page_cannot_be_removed),
		T(memory_adding_up_to_2_64_is_erange),
		T(set_node_moves_reserved_partial_page_away),
#undef T
#undef TB
	};
	CU_pSuite su;

	su = h_backend_suite(argc, argv, "fuzz findings", &ops);
	if (!su)
		return 2;
	for (size_t t = 0; t < sizeof(tests) / sizeof(tests[0]); t++)
		if (!tests[t].bytes || !ops->page_granular)
			CU_add_test(su, tests[t].name, tests[t].fn);
	return h_run();
}
