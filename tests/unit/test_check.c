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

int main(int argc, char **argv)
{
	char name[64];
	CU_pSuite su;

	ops = dc_backend_find(argc > 1 ? argv[1] : "tree");
	if (!ops) {
		fprintf(stderr, "test_check: backend '%s' not compiled in\n",
			argc > 1 ? argv[1] : "tree");
		return 2;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	snprintf(name, sizeof(name), "dc_check, %s", ops->name);
	su = CU_add_suite(name, NULL, NULL);
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
	return h_run();
}
