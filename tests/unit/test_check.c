// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_check.c - dc_check() finds each broken invariant of nodes/check.c
 * (the numbers at its top), on the backend named by argv[1]. A valid
 * system is built, one field is broken by hand, dc_check() must name the
 * right invariant, the field is restored and dc_check() is 0 again. The
 * branches that report a broken invariant are otherwise never taken: the
 * suite only ever sees valid systems (issue 14, coverage).
 *
 *   node 0 [1 MiB, 2 MiB)   node 1 [2 MiB + 64 KiB, 3 MiB)
 *   a small pool, finalized, 200 small allocations: metadata stolen
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

#include "backends/tree.h"
#include "core/tree.h"
#include "harness.h"
#include "nodes/node.h"

#define MiB (1ull << 20)

static const struct dc_backend_ops *ops;
static struct dc_harness H;

static void build(void)
{
	struct dc_request q = { 64, 128, 0, 0, 0, 0 };
	dc_addr_t a;

	h_init(&H, ops, 12, DC_POOL_BYTES(2, 0, 2), 0);
	CU_ASSERT_FATAL(h_add(&H, 0, MiB, MiB) == 0);
	CU_ASSERT_FATAL(h_add(&H, 1, 2 * MiB + 0x10000, MiB - 0x10000) == 0);
	CU_ASSERT_FATAL(dc_set_distance(H.sys, 0, 1, 30) == 0);
	CU_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	for (int i = 0; i < 200; i++) {
		q.nid = i & 1;
		CU_ASSERT_FATAL(dc_alloc(H.sys, &q, &a) == 0);
	}
	CU_ASSERT_FATAL(dc_check(H.sys) == 0);
}

/* Break *field to bad, expect dc_check() == want, restore. */
#define BREAK(field, bad, want)                                         \
	do {                                                            \
		__typeof__(field) saved_ = (field);                     \
		(field) = (bad);                                        \
		CU_ASSERT_EQUAL(dc_check(H.sys), (want));               \
		(field) = saved_;                                       \
		CU_ASSERT_EQUAL(dc_check(H.sys), 0);                    \
	} while (0)

/* Break *field to bad, expect the value of expr == want, restore. */
#define BREAK_BY(expr, field, bad, want)                                \
	do {                                                            \
		__typeof__(field) saved_ = (field);                     \
		(field) = (bad);                                        \
		CU_ASSERT_EQUAL((expr), (want));                        \
		(field) = saved_;                                       \
		CU_ASSERT_EQUAL((expr), 0);                             \
	} while (0)

/* Expect: 1 for a fragment whose last byte is before its base, 2 for a
 * fragment of an absent node. */
static void broken_fragments_are_1_and_2(void)
{
	struct dc_extent *f;

	build();
	f = dc_tree_first(&H.sys->fragments);
	BREAK(f->last, f->base - 1, 1);
	BREAK(f->nid, 7, 2);
	h_fini(&H);
}

/* Expect: 3 for node or system memory and fragment counts that do not
 * add up; 4 for the list of present nodes. */
static void broken_counts_are_3_and_4(void)
{
	struct dc_node *n;

	build();
	n = H.sys->node[0];
	BREAK(n->memory, n->memory + 1, 3);
	BREAK(n->fragments, n->fragments + 1, 3);
	BREAK(H.sys->total_memory, H.sys->total_memory - 1, 3);
	BREAK(H.sys->nr_nodes, H.sys->nr_nodes + 1, 4);
	BREAK(H.sys->nr_nodes, 1, 4);
	BREAK(H.sys->present[0], 1, 4);
	BREAK(n->nid, 5, 4);
	h_fini(&H);
}

/* Expect: 5 for a metadata tree whose byte count is wrong, 6 for a
 * metadata block moved outside the node's fragments (where this backend
 * stole a block: the pool is small, but some keep all in it). */
static void broken_metadata_is_5_and_6(void)
{
	struct dc_extent *m = NULL;
	struct dc_node *n = NULL;

	build();
	for (int nid = 0; nid < 2 && !m; nid++) {
		n = H.sys->node[nid];
		m = dc_tree_first(&n->meta);
	}
	if (m) {
		BREAK(n->meta.bytes, n->meta.bytes + 1, 5);
		/* the last block, moved past 3 MiB (above every fragment),
		 * span kept: the tree stays valid, the block is outside */
		m = dc_tree_last(&n->meta);
		m->base += 4 * MiB;
		m->last += 4 * MiB;
		CU_ASSERT_EQUAL(dc_check(H.sys), 6);
		m->base -= 4 * MiB;
		m->last -= 4 * MiB;
		CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	}
	h_fini(&H);
}

/* Expect: 8 when the backend's count of taken and free bytes does not
 * add up to the node's memory. */
static void broken_accounting_is_8(void)
{
	struct dc_node *n;

	build();
	n = H.sys->node[1];
	BREAK(n->meta.bytes, n->memory + 1, n->meta.root ? 5 : 8);
	h_fini(&H);
}

/* Expect: 9 for any state of a call in progress left outside a call:
 * held entries, touched nodes, journaled steals, exclusions, a pool whose
 * bounds are out of order; 10 for a distance table of the wrong size. */
static void state_of_a_call_outside_one_is_9_and_10(void)
{
	struct dc_node *n;
	int dummy;

	build();
	n = H.sys->node[0];
	BREAK(n->nheld, 1, 9);
	BREAK(n->touched, true, 9);
	BREAK(n->txn_next, n, 9);
	BREAK(H.sys->txn.journal, (void *)&dummy, 9);
	BREAK(H.sys->txn.touched, n, 9);
	BREAK(H.sys->txn.nexcl, 1, 9);
	BREAK(H.sys->txn.finalizing, true, 9);
	BREAK(H.sys->pool.lo, H.sys->pool.hi + 8, 9);
	BREAK(H.sys->pool.lo, H.sys->pool.lo + 1, 9);
	BREAK(H.sys->pool.hi, H.sys->pool.end + 8, 9);
	BREAK(H.sys->pool.lo, H.sys->pool.start - 8, 9);
	BREAK(H.sys->pool.hi, H.sys->pool.hi - 1, 9);
	CU_ASSERT_PTR_NOT_NULL_FATAL(H.sys->distance);
	BREAK(H.sys->dim, H.sys->dim + 1, 10);
	h_fini(&H);
}

/* ------------------------------------------- the backend's own invariants */

/*
 * The backends number their invariants in their header comments
 * (backends/tree.c, array.c, bitmap.c); dc_check() reports invariant k of
 * the backend as 100 + k. Where the node layer's own checks (1..8) would
 * see the damage first, the backend's check() is called directly through
 * the ops table, as dc_check() calls it.
 */
static int backend_check(int nid)
{
	return ops->check(H.sys->node[nid]);
}

static bool is(const char *name)
{
	return strcmp(ops->name, name) == 0;
}

/*
 * SETUP, node 0 [1 MiB, 2 MiB) with [1 MiB + 64 KiB, + 4 KiB) reserved;
 * the backend's prepare(n, 1) is called with no finish() after it (a
 * public call left open).
 * Expect: tree and array report their bookkeeping invariant 8 (108);
 * finish(n, false) ends the call and the system is as before, pool
 * included.
 */
static void backend_call_left_open_is_108(void)
{
	struct dc_snapshot *before, *after;
	struct dc_txn txn;
	struct dc_node *n;
	struct dc_pool pool;

	h_init(&H, ops, 12, 1 << 20, 0);
	CU_ASSERT_FATAL(h_add(&H, 0, MiB, MiB) == 0);
	CU_ASSERT_FATAL(dc_reserve(H.sys, MiB + 0x10000, 0x1000) == 0);
	CU_ASSERT_FATAL(dc_check(H.sys) == 0);
	n = H.sys->node[0];
	before = h_snap_new(H.sys);
	txn = H.sys->txn;
	pool = H.sys->pool;
	CU_ASSERT_EQUAL_FATAL(ops->prepare(n, 1), 0);
	CU_ASSERT_EQUAL(backend_check(0), 8);
	CU_ASSERT_EQUAL(dc_check(H.sys), 108);
	ops->finish(n, false);
	/* what the node layer's transaction would have ended */
	n->touched = false;
	n->txn_next = NULL;
	H.sys->txn = txn;
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	after = h_snap_new(H.sys);
	CU_ASSERT(h_snap_same(before, after));
	CU_ASSERT_EQUAL(H.sys->pool.lo, pool.lo);
	CU_ASSERT_EQUAL(H.sys->pool.hi, pool.hi);
	h_snap_del(before);
	h_snap_del(after);
	h_fini(&H);
}

/*
 * SETUP (no metadata yet), the nodes of build(); a metadata record of
 * node 0 at [0, 4 KiB), below every fragment, then at [2 MiB - 4 KiB,
 * 2 MiB + 4 KiB), across the end of node 0's fragment.
 * Expect: 6 (a metadata block outside its node's fragments) both times;
 * 0 once the record is gone.
 */
static void metadata_record_outside_fragments_is_6(void)
{
	struct dc_extent rec = { 0 };
	struct dc_node *n0;

	h_init(&H, ops, 12, 1 << 20, 0);
	CU_ASSERT_FATAL(h_add(&H, 0, MiB, MiB) == 0);
	CU_ASSERT_FATAL(h_add(&H, 1, 2 * MiB + 0x10000, MiB - 0x10000) == 0);
	n0 = H.sys->node[0];
	CU_ASSERT_FATAL(dc_check(H.sys) == 0 && !n0->meta.root);
	rec.last = 0xfff;
	dc_tree_insert(&n0->meta, &rec);
	CU_ASSERT_EQUAL(dc_check(H.sys), 6);
	dc_tree_erase(&n0->meta, &rec);
	rec.base = 2 * MiB - 0x1000;
	rec.last = 2 * MiB + 0xfff;
	dc_tree_insert(&n0->meta, &rec);
	CU_ASSERT_EQUAL(dc_check(H.sys), 6);
	dc_tree_erase(&n0->meta, &rec);
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	h_fini(&H);
}

/* Fragment f of node n becomes [base, last]; the node's and the system's
 * memory counts follow, so that invariant 3 holds. */
static void resize_node(struct dc_extent *f, struct dc_node *n,
			dc_addr_t base, dc_addr_t last)
{
	dc_size_t was = f->last - f->base + 1, now = last - base + 1;

	dc_tree_resize(&H.sys->fragments, f, base, last);
	n->memory += now - was;
	H.sys->total_memory += now - was;
}

/*
 * The system of build(), then, one at a time: node 1's fragment given to
 * node 0 and moved down to touch node 0's, [2 MiB, 3 MiB); node 1's
 * fragment and memory shrunk by its first 4 KiB (allocations are
 * bottom-up: free bytes between them are left outside); a metadata
 * record over the free page at 1.5 MiB; node 1's fragment and memory
 * grown by 4 KiB past 3 MiB (memory no backend knows of).
 * Expect: 2 (same-node fragments that touch must have merged); 7 (a
 * free range outside the node's fragments; on the bitmap that page is
 * wholly taken by packed allocations, and its span check, 104, sees the
 * change); 7 (a free range that
 * overlaps metadata); for the growth, 8 on the tree (taken + free no
 * longer add up to the node's memory), 110 on the array (its memory sum
 * differs from the node's), 104 on the bitmap (the span no longer ends
 * at the last fragment's last page); 0 after each repair.
 */
static void fragments_and_records_out_of_step_are_2_7_8(void)
{
	struct dc_extent *f1, rec = { 0 };
	struct dc_node *n0, *n1;
	dc_addr_t base, last;

	build();
	n0 = H.sys->node[0];
	n1 = H.sys->node[1];
	f1 = dc_tree_last(&H.sys->fragments);
	base = f1->base;
	last = f1->last;
	f1->nid = 0;
	dc_tree_resize(&H.sys->fragments, f1, 2 * MiB, last);
	CU_ASSERT_EQUAL(dc_check(H.sys), 2);
	f1->nid = 1;
	dc_tree_resize(&H.sys->fragments, f1, base, last);
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);

	resize_node(f1, n1, base + 0x1000, last);
	CU_ASSERT_EQUAL(dc_check(H.sys), is("bitmap") ? 104 : 7);
	resize_node(f1, n1, base, last);
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);

	rec.base = MiB + 0x80000;	/* free on every backend */
	rec.last = MiB + 0x80fff;
	dc_tree_insert(&n0->meta, &rec);
	CU_ASSERT_EQUAL(dc_check(H.sys), 7);
	dc_tree_erase(&n0->meta, &rec);
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);

	resize_node(f1, n1, base, last + 0x1000);
	CU_ASSERT_EQUAL(dc_check(H.sys),
			is("tree") ? 8 : is("array") ? 110 : 104);
	resize_node(f1, n1, base, last);
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	h_fini(&H);
}

/*
 * Node 1's fragment [2 MiB + 64 KiB, 3 MiB) handed to node 0, then cut
 * down to its first page; node 0's fragment [1 MiB, 2 MiB) cut down to
 * its last byte; one at a time, each put back before the next.
 * Expect: the backend of the node concerned reports want; 0 again once
 * the fragment is back.
 */
static void break_fragments(int want)
{
	struct dc_extent *f0 = dc_tree_first(&H.sys->fragments);
	struct dc_extent *f1 = dc_tree_last(&H.sys->fragments);

	CU_ASSERT_FATAL(f0->nid == 0 && f1->nid == 1);
	BREAK_BY(backend_check(1), f1->nid, 0, want);
	BREAK_BY(backend_check(1), f1->last, f1->base + 0xfff, want);
	BREAK_BY(backend_check(0), f0->base, f0->last, want);
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
}

/*
 * SETUP, the nodes of build() with one page reserved in each, from a
 * large pool; the fragments changed as break_fragments() does.
 * Expect: free memory (a listed page, on the bitmap) outside the node's
 * fragments: tree invariant 9, array 10, bitmap 2.
 */
static void fragment_changed_in_setup_is_backend_invariant(void)
{
	h_init(&H, ops, 12, 1 << 20, 0);
	CU_ASSERT_FATAL(h_add(&H, 0, MiB, MiB) == 0);
	CU_ASSERT_FATAL(h_add(&H, 1, 2 * MiB + 0x10000, MiB - 0x10000) == 0);
	CU_ASSERT_FATAL(dc_reserve(H.sys, MiB + 0x10000, 0x1000) == 0);
	CU_ASSERT_FATAL(dc_reserve(H.sys, 2 * MiB + 0x20000, 0x1000) == 0);
	CU_ASSERT_FATAL(dc_check(H.sys) == 0);
	break_fragments(is("tree") ? 9 : is("array") ? 10 : 2);
	h_fini(&H);
}

/*
 * The system of build() (READY, metadata stolen), fragments changed as
 * break_fragments() does.
 * Expect: tree invariant 9; array 9 (its stolen reserved array is no
 * longer taken memory of the node the fragment map names, or of any
 * node), which comes before 10; bitmap 4 (its span no longer matches the
 * node's fragments).
 */
static void fragment_changed_in_ready_is_backend_invariant(void)
{
	build();
	break_fragments(is("bitmap") ? 4 : 9);
	h_fini(&H);
}

/*
 * The system of build(); node 0's memory count raised by one byte.
 * Expect: the array backend, which keeps its own sum of the memory
 * array, reports invariant 10 (it must equal the node's memory).
 */
static void memory_count_off_by_one_is_array_10(void)
{
	struct dc_node *n;

	build();
	n = H.sys->node[0];
	BREAK_BY(backend_check(0), n->memory, n->memory + 1, 10);
	h_fini(&H);
}

/*
 * The system of build() (its small pool makes the backend steal: the
 * array its grown reserved array, the bitmap its bitmap); the metadata
 * trees of both nodes are emptied, then put back.
 * Expect: the block is no longer recorded as metadata: array invariant 9
 * (109), bitmap 5 (105); 0 once the trees are back.
 */
static void stolen_block_not_in_metadata_is_backend_invariant(void)
{
	struct dc_tree saved[2];

	build();
	for (int nid = 0; nid < 2; nid++) {
		saved[nid] = H.sys->node[nid]->meta;
		dc_tree_init(&H.sys->node[nid]->meta);
	}
	CU_ASSERT_EQUAL(dc_check(H.sys), is("array") ? 109 : 105);
	for (int nid = 0; nid < 2; nid++)
		H.sys->node[nid]->meta = saved[nid];
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	h_fini(&H);
}

/*
 * The array backend's reserved array, stolen in READY: a block that
 * starts with its header {pa, bytes | 1} (backends/array.c, "Arrays and
 * their growth"), then the regions as {base, last} pairs. Old blocks are
 * retired, not freed: the largest block found is the current one.
 */
static uint64_t *array_stolen_block(void)
{
	uint64_t *best = NULL, *v;
	struct dc_extent *e;

	for (int nid = 0; nid < 2; nid++)
		for (e = dc_tree_first(&H.sys->node[nid]->meta); e;
		     e = dc_tree_next(e))
			for (dc_addr_t pa = e->base; pa < e->last;
			     pa += 0x1000) {
				v = h_virt(&H, pa, 16);
				if (v && v[0] == pa && (v[1] & 1) &&
				    (!best || v[1] > best[1]))
					best = v;
			}
	return best;
}

/*
 * The system of build() on the array backend: node 0 has 100 allocations
 * of 64 bytes, 128 apart, from its first byte up; the first two reserved
 * regions are
 *
 *   r0 [1 MiB, 1 MiB + 63]   free 64   r1 [1 MiB + 128, 1 MiB + 191]
 *
 * One field of the stolen reserved array is changed by hand, then put back.
 * Expect: invariant 3 for r0 ending before it starts or r1 starting inside
 * r0, 4 for r0 touching r1, 5 for r0 starting below the node's memory, 6
 * for r0 one byte longer (the sum is off), 7 for r0 moved up one byte
 * (same sum, one more free range: the node's first byte), 8 for a header
 * whose size disagrees with the capacity or is no multiple of 64, 9 for a
 * header naming a free page as the block; 0 after each repair.
 */
static void array_regions_broken_are_3_to_9(void)
{
	uint64_t *blk, *r;

	build();
	blk = array_stolen_block();
	CU_ASSERT_PTR_NOT_NULL_FATAL(blk);
	r = blk + 2;
	CU_ASSERT_FATAL(r[0] == MiB && r[1] == MiB + 63 && r[2] == MiB + 128);
	BREAK_BY(backend_check(0), r[1], r[0] - 1, 3);
	BREAK_BY(backend_check(0), r[2], r[1], 3);
	BREAK_BY(backend_check(0), r[1], r[2] - 1, 4);
	BREAK_BY(backend_check(0), r[0], 0, 5);
	BREAK_BY(backend_check(0), r[1], r[1] + 1, 6);
	r[0]++;
	r[1]++;
	CU_ASSERT_EQUAL(backend_check(0), 7);
	r[0]--;
	r[1]--;
	BREAK_BY(backend_check(0), blk[1], blk[1] + 64, 8);
	BREAK_BY(backend_check(0), blk[1], blk[1] + 8, 8);
	BREAK_BY(backend_check(0), blk[0], blk[0] - 0x1000, 9);
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	h_fini(&H);
}

/*
 * SETUP on the array backend, node 0 with two fragments, one page
 * reserved in each:
 *
 *   [1 MiB ........ 2 MiB)        [4 MiB ........ 5 MiB)
 *        x (1 MiB + 64 KiB)            x (4 MiB + 64 KiB)
 *
 * Its memory array is a block of the initial pool: a header {0, bytes}
 * (0: not stolen), then the regions {1 MiB, 2 MiB - 1}, {4 MiB, 5 MiB - 1},
 * found by that content. One field changed by hand at a time.
 * Expect: invariant 1 for a region ending before it starts or the second
 * starting inside the first, 2 for the first touching the second, 6 for
 * the first a byte shorter (the memory sum is off); 0 after each repair.
 */
static void array_memory_regions_broken_are_1_2_6(void)
{
	uint64_t *w = NULL, *p;
	size_t words = (1 << 16) / 8;

	h_init(&H, ops, 12, 1 << 16, 0);
	CU_ASSERT_FATAL(h_add(&H, 0, MiB, MiB) == 0);
	CU_ASSERT_FATAL(h_add(&H, 0, 4 * MiB, MiB) == 0);
	CU_ASSERT_FATAL(dc_reserve(H.sys, MiB + 0x10000, 0x1000) == 0);
	CU_ASSERT_FATAL(dc_reserve(H.sys, 4 * MiB + 0x10000, 0x1000) == 0);
	CU_ASSERT_FATAL(dc_check(H.sys) == 0);
	p = H.pool;
	for (size_t i = 0; i + 6 <= words && !w; i++)
		if (p[i] == 0 && p[i + 1] % 64 == 0 && p[i + 1] &&
		    p[i + 2] == MiB && p[i + 3] == 2 * MiB - 1 &&
		    p[i + 4] == 4 * MiB && p[i + 5] == 5 * MiB - 1)
			w = p + i + 2;
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	BREAK_BY(backend_check(0), w[1], w[0] - 1, 1);
	BREAK_BY(backend_check(0), w[2], w[1], 1);
	BREAK_BY(backend_check(0), w[1], w[2] - 1, 2);
	BREAK_BY(backend_check(0), w[0], w[0] + 1, 6);
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	h_fini(&H);
}

/* Bit i of the bitmap: page spfn + i, 1 = taken (backends/bitmap.c). */
static void flip(uint64_t *bits, uint64_t i)
{
	bits[i >> 6] ^= 1ull << (i & 63);
}

/*
 * One node, a hole and a ragged end, a large pool (the only metadata is
 * the bitmap, in the node's own memory):
 *
 *   page 256          296    304                    355  356      384
 *   |<- A: 40 pages ->| hole |<- B: 51 pages + 3996 B ->|pad bits->|
 *
 * One bit at a time is flipped in the bitmap (bit i is page 256 + i),
 * then flipped back.
 * Expect: invariant 6 for a clear bit in the hole, on B's ragged last
 * page or in the padding after the span; 7 for a clear bit on the
 * bitmap's own page; 8 for a free page marked taken; 0 after each repair.
 */
static void bitmap_bits_flipped_are_6_7_8(void)
{
	struct dc_node *n;
	struct dc_extent *m;
	uint64_t *bits, self;

	h_init(&H, ops, 12, 1 << 20, 0);
	CU_ASSERT_FATAL(h_add(&H, 0, MiB, 40 * 0x1000) == 0);
	CU_ASSERT_FATAL(h_add(&H, 0, MiB + 48 * 0x1000, 52 * 0x1000 - 100) ==
			0);
	CU_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	n = H.sys->node[0];
	m = dc_tree_first(&n->meta);
	CU_ASSERT_FATAL(m && !dc_tree_next(m));
	bits = h_virt(&H, m->base, 16);
	CU_ASSERT_FATAL(bits != NULL);
	self = (m->base >> 12) - 256;
	CU_ASSERT_FATAL(backend_check(0) == 0);
	BREAK_BY(backend_check(0), bits[40 >> 6], bits[0] ^ (1ull << 40), 6);
	BREAK_BY(backend_check(0), bits[1], bits[1] ^ (1ull << (99 - 64)), 6);
	BREAK_BY(backend_check(0), bits[1], bits[1] ^ (1ull << (100 - 64)), 6);
	flip(bits, self);
	CU_ASSERT_EQUAL(backend_check(0), 7);
	flip(bits, self);
	flip(bits, 0);		/* page 256 is free: A is untouched */
	CU_ASSERT_EQUAL(backend_check(0), 8);
	flip(bits, 0);
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	h_fini(&H);
}

/*
 * The layout above; a page and then 64 bytes are allocated bottom-up:
 * the page takes page 256 (P), the 64 bytes page 257 (Q), which becomes
 * the partial page that later small allocations pack into (last_pos Q,
 * last_offset 64). The free run is then [258, 295].
 * Expect: 8 when P is marked free and page 260 taken (as many clear bits,
 * one more run); 9 when Q is marked free and page 295 taken (same clear
 * bits and runs, but the partial page is no longer taken); 0 after each
 * repair.
 */
static void bitmap_runs_and_partial_page_are_8_and_9(void)
{
	struct dc_request page = { 0x1000, 0x1000, 0, 0, 0, DC_REQ_BOTTOM_UP };
	struct dc_request small = { 64, 8, 0, 0, 0, DC_REQ_BOTTOM_UP };
	dc_addr_t p, q, b, l;
	uint64_t *bits;

	h_init(&H, ops, 12, 1 << 20, 0);
	CU_ASSERT_FATAL(h_add(&H, 0, MiB, 40 * 0x1000) == 0);
	CU_ASSERT_FATAL(h_add(&H, 0, MiB + 48 * 0x1000, 52 * 0x1000 - 100) ==
			0);
	CU_ASSERT_FATAL(dc_finalize(H.sys) == 0);
	bits = h_virt(&H, dc_tree_first(&H.sys->node[0]->meta)->base, 16);
	CU_ASSERT_FATAL(bits != NULL);
	CU_ASSERT_FATAL(dc_alloc(H.sys, &page, &p) == 0 && p == MiB);
	CU_ASSERT_FATAL(dc_alloc(H.sys, &small, &q) == 0 &&
			q == MiB + 0x1000);
	CU_ASSERT_FATAL(ops->next_free(H.sys->node[0], 0, &b, &l) == 0);
	CU_ASSERT_FATAL(b == MiB + 0x2000 && l == MiB + 40 * 0x1000 - 1);
	CU_ASSERT_FATAL(backend_check(0) == 0);

	flip(bits, 0);
	flip(bits, 4);
	CU_ASSERT_EQUAL(backend_check(0), 8);
	flip(bits, 0);
	flip(bits, 4);
	CU_ASSERT_EQUAL(backend_check(0), 0);

	flip(bits, 1);
	flip(bits, 39);
	CU_ASSERT_EQUAL(backend_check(0), 9);
	flip(bits, 1);
	flip(bits, 39);
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	h_fini(&H);
}

static void ignore_block(void *ctx, int nid, dc_addr_t base, unsigned order)
{
}

/* Expect: DC_EINVAL for NULL or a system never initialised, DC_ESTATE
 * once the metadata is gone. */
static void check_of_no_system_or_gone_one(void)
{
	struct dc_system zero;
	dc_size_t got;

	memset(&zero, 0, sizeof(zero));
	CU_ASSERT_EQUAL(dc_check(NULL), DC_EINVAL);
	CU_ASSERT_EQUAL(dc_check(&zero), DC_EINVAL);
	build();
	CU_ASSERT_EQUAL(dc_release_all(H.sys, ignore_block, NULL, &got), 0);
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	CU_ASSERT_EQUAL(dc_release_metadata(H.sys, ignore_block, NULL, &got),
			0);
	CU_ASSERT_EQUAL(dc_check(H.sys), DC_ESTATE);
	h_fini(&H);
}

/*
 * The nodes of build() on the tree backend; one field of node 0's private
 * state (backends/tree.h) changed by hand at a time.
 * Expect: the spare list's count one more or one less than its nodes,
 * and any call bookkeeping left at rest (fresh nodes, wanted or prepared
 * inserts, nodes taken, a call or a growth in progress) are invariant 8
 * (108); a free tree whose count is off breaks B5 (105), also on a copy
 * of the node detached from its system (only the backend's own
 * invariants are checked there); 0 once restored.
 */
static void tree_state_broken_is_5_and_8(void)
{
	struct tree_state *s;
	struct dc_node detached;

	build();
	s = (struct tree_state *)(void *)H.sys->node[0]->state;
	CU_ASSERT_FATAL(s->nspare > 0);
	BREAK(s->nspare, s->nspare + 1, 108);
	BREAK(s->nspare, s->nspare - 1, 108);
	if (s->nspare >= 2)	/* the walk stops with nodes left */
		BREAK(s->nspare, s->nspare - 2, 108);
	BREAK(s->fresh, s->spare, 108);
	BREAK(s->nfresh, 1, 108);
	BREAK(s->want, 1, 108);
	BREAK(s->inserts, 1, 108);
	BREAK(s->net, -1, 108);
	BREAK(s->in_call, 1, 108);
	BREAK(s->internal, 1, 108);
	BREAK(s->free.count, s->free.count + 1, 105);
	/* a node outside a system: its own structure only, still checked */
	detached = *H.sys->node[0];
	detached.sys = NULL;
	s = (struct tree_state *)(void *)detached.state;
	BREAK_BY(ops->check(&detached), s->free.count, s->free.count + 1, 5);
	h_fini(&H);
}

int main(int argc, char **argv)
{
	CU_pSuite su;

	su = h_backend_suite(argc, argv, "dc_check", &ops);
	if (!su)
		return 2;
	CU_add_test(su, "broken_fragments_are_1_and_2",
		    broken_fragments_are_1_and_2);
	CU_add_test(su, "broken_counts_are_3_and_4", broken_counts_are_3_and_4);
	CU_add_test(su, "broken_metadata_is_5_and_6",
		    broken_metadata_is_5_and_6);
	CU_add_test(su, "broken_accounting_is_8", broken_accounting_is_8);
	CU_add_test(su, "state_of_a_call_outside_one_is_9_and_10",
		    state_of_a_call_outside_one_is_9_and_10);
	CU_add_test(su, "check_of_no_system_or_gone_one",
		    check_of_no_system_or_gone_one);
	CU_add_test(su, "metadata_record_outside_fragments_is_6",
		    metadata_record_outside_fragments_is_6);
	CU_add_test(su, "fragments_and_records_out_of_step_are_2_7_8",
		    fragments_and_records_out_of_step_are_2_7_8);
	CU_add_test(su, "fragment_changed_in_setup_is_backend_invariant",
		    fragment_changed_in_setup_is_backend_invariant);
	CU_add_test(su, "fragment_changed_in_ready_is_backend_invariant",
		    fragment_changed_in_ready_is_backend_invariant);
	if (is("array")) {
		CU_add_test(su, "memory_count_off_by_one_is_array_10",
			    memory_count_off_by_one_is_array_10);
		CU_add_test(su, "array_regions_broken_are_3_to_9",
			    array_regions_broken_are_3_to_9);
		CU_add_test(su, "array_memory_regions_broken_are_1_2_6",
			    array_memory_regions_broken_are_1_2_6);
	}
	if (!is("tree"))	/* the tree's nodes are checked as a tree */
		CU_add_test(su,
			    "stolen_block_not_in_metadata_is_backend_invariant",
			    stolen_block_not_in_metadata_is_backend_invariant);
	if (is("bitmap")) {
		CU_add_test(su, "bitmap_bits_flipped_are_6_7_8",
			    bitmap_bits_flipped_are_6_7_8);
		CU_add_test(su, "bitmap_runs_and_partial_page_are_8_and_9",
			    bitmap_runs_and_partial_page_are_8_and_9);
	}
	if (is("tree"))
		CU_add_test(su, "tree_state_broken_is_5_and_8",
			    tree_state_broken_is_5_and_8);
	if (!is("bitmap"))	/* its prepare only holds pool entries */
		CU_add_test(su, "backend_call_left_open_is_108",
			    backend_call_left_open_is_108);
	return h_run();
}

