// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_args.c - every public entry point refuses what it must refuse, in
 * each combination of its checks (issue 14, coverage: the suites tried
 * most checks but not every operand of each): NULL or uninitialised
 * systems, nids past DC_MAX_NODES on either side, NULL callbacks and
 * out-pointers, walk kinds out of range, unknown error codes. Each
 * refusal changes nothing. Optional out-pointers (released, newly) may
 * be NULL on success.
 *
 *   node 0 [1 MiB, 2 MiB), node 1 [2 MiB, 3 MiB), finalized
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define MiB (1ull << 20)

static const struct dc_backend_ops *ops;
static struct dc_harness H;

static void start(bool finalize)
{
	h_init(&H, ops, 12, 64 << 10, 0);
	CU_ASSERT_FATAL(h_add(&H, 0, MiB, MiB) == 0);
	CU_ASSERT_FATAL(h_add(&H, 1, 2 * MiB, MiB) == 0);
	if (finalize)
		CU_ASSERT_FATAL(dc_finalize(H.sys) == 0);
}

static void ignore_block(void *ctx, int nid, dc_addr_t base, unsigned order)
{
}

static int count_range(void *ctx, int nid, dc_addr_t base, dc_size_t size)
{
	(*(int *)ctx)++;
	return 0;
}

/* Expect: DC_EINVAL from every call on NULL and on a zeroed system. */
static void null_and_uninitialised_systems_are_einval(void)
{
	struct dc_system zero;
	struct dc_request q = { 64, 0, 0, 0, DC_NO_NODE, 0 };
	struct dc_stats st;
	dc_size_t n;
	dc_addr_t a;
	struct dc_system *sys[2] = { NULL, &zero };

	memset(&zero, 0, sizeof(zero));
	for (int i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(dc_add_node(sys[i], 0), DC_EINVAL);
		CU_ASSERT_EQUAL(dc_set_distance(sys[i], 0, 1, 20), DC_EINVAL);
		CU_ASSERT_EQUAL(dc_set_node(sys[i], 0, 1, 0), DC_EINVAL);
		CU_ASSERT_EQUAL(dc_remove_memory(sys[i], 0, 1), DC_EINVAL);
		CU_ASSERT_EQUAL(dc_set_access_limit(sys[i], 0), DC_EINVAL);
		CU_ASSERT_EQUAL(dc_reserve_loose(sys[i], 0, 1, &n), DC_EINVAL);
		CU_ASSERT_EQUAL(dc_alloc(sys[i], &q, &a), DC_EINVAL);
		CU_ASSERT_EQUAL(dc_release_all(sys[i], ignore_block, NULL, &n),
				DC_EINVAL);
		CU_ASSERT_EQUAL(dc_release_metadata(sys[i], ignore_block, NULL,
						    &n), DC_EINVAL);
		CU_ASSERT_EQUAL(dc_walk(sys[i], DC_NO_NODE, DC_WALK_FREE,
					count_range, NULL), DC_EINVAL);
		CU_ASSERT_EQUAL(dc_stats(sys[i], DC_NO_NODE, &st), DC_EINVAL);
		CU_ASSERT_EQUAL(dc_node_of(sys[i], MiB), DC_EINVAL);
		CU_ASSERT_EQUAL(dc_phase(sys[i]), DC_EINVAL);
	}
}

/* Expect: DC_EINVAL, nothing changed, for a nid below 0 or at
 * DC_MAX_NODES in each position that takes one. */
static void nids_out_of_range_are_einval_unchanged(void)
{
	start(false);
	H_EXPECT_UNCHANGED(H.sys, DC_EINVAL, dc_add_node(H.sys, -2));
	H_EXPECT_UNCHANGED(H.sys, DC_EINVAL, dc_add_node(H.sys, DC_MAX_NODES));
	H_EXPECT_UNCHANGED(H.sys, DC_EINVAL,
			   dc_set_distance(H.sys, -1, 0, 20));
	H_EXPECT_UNCHANGED(H.sys, DC_EINVAL,
			   dc_set_distance(H.sys, DC_MAX_NODES, 0, 20));
	H_EXPECT_UNCHANGED(H.sys, DC_EINVAL,
			   dc_set_distance(H.sys, 0, -1, 20));
	H_EXPECT_UNCHANGED(H.sys, DC_EINVAL,
			   dc_set_distance(H.sys, 0, DC_MAX_NODES, 20));
	H_EXPECT_UNCHANGED(H.sys, DC_EINVAL,
			   dc_set_node(H.sys, MiB, MiB, -1));
	H_EXPECT_UNCHANGED(H.sys, DC_EINVAL,
			   dc_set_node(H.sys, MiB, MiB, DC_MAX_NODES));
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	h_fini(&H);
}

/* Expect: DC_EINVAL for NULL callbacks, out-pointers and requests, and
 * walk kinds outside the enum, nothing changed; NULL optional
 * out-pointers (newly, released) are fine. */
static void null_callbacks_and_pointers(void)
{
	struct dc_request q = { 64, 0, 0, 0, DC_NO_NODE, 0 };
	dc_addr_t a;
	int n = 0;

	start(true);
	H_EXPECT_UNCHANGED(H.sys, DC_EINVAL, dc_alloc(H.sys, NULL, &a));
	H_EXPECT_UNCHANGED(H.sys, DC_EINVAL, dc_alloc(H.sys, &q, NULL));
	H_EXPECT_UNCHANGED(H.sys, DC_EINVAL,
			   dc_stats(H.sys, DC_NO_NODE, NULL));
	H_EXPECT_UNCHANGED(H.sys, DC_EINVAL,
			   dc_walk(H.sys, DC_NO_NODE, DC_WALK_FREE, NULL, &n));
	H_EXPECT_UNCHANGED(H.sys, DC_EINVAL,
			   dc_walk(H.sys, DC_NO_NODE,
				   (enum dc_walk_kind)(DC_WALK_MEMORY - 1),
				   count_range, &n));
	H_EXPECT_UNCHANGED(H.sys, DC_EINVAL,
			   dc_walk(H.sys, DC_NO_NODE,
				   (enum dc_walk_kind)(DC_WALK_METADATA + 1),
				   count_range, &n));
	H_EXPECT_UNCHANGED(H.sys, DC_EINVAL,
			   dc_release_all(H.sys, NULL, NULL, NULL));
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(dc_reserve_loose(H.sys, MiB, 0x1000, NULL), 0);
	CU_ASSERT_EQUAL(dc_release_all(H.sys, ignore_block, NULL, NULL), 0);
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	CU_ASSERT_EQUAL(dc_release_metadata(H.sys, NULL, NULL, NULL),
			DC_EINVAL);
	CU_ASSERT_EQUAL(dc_release_metadata(H.sys, ignore_block, NULL, NULL),
			0);
	CU_ASSERT_EQUAL(dc_phase(H.sys), DC_GONE);
	h_fini(&H);
}

/* Expect: a string for every code, and one for codes that are none. */
static void strerror_of_any_int(void)
{
	for (int e = DC_ESTATE - 2; e <= 2; e++)
		CU_ASSERT_PTR_NOT_NULL(dc_strerror(e));
	CU_ASSERT_STRING_EQUAL(dc_strerror(1), dc_strerror(DC_ESTATE - 1));
	CU_ASSERT_STRING_NOT_EQUAL(dc_strerror(DC_ENOMEM),
				   dc_strerror(DC_EINVAL));
}

/* Expect: dc_init refuses a NULL system, config, platform or
 * phys_to_virt, each alone, with DC_EINVAL. */
static void init_with_one_null_member_is_einval(void)
{
	struct dc_system *sys = calloc(1, sizeof(*sys));
	struct dc_config cfg = { 0 };
	struct dc_platform plat = { 0 };

	CU_ASSERT_FATAL(sys != NULL);
	plat.phys_to_virt = dc_host_phys_to_virt;
	CU_ASSERT_EQUAL(dc_init(NULL, &cfg, &plat), DC_EINVAL);
	CU_ASSERT_EQUAL(dc_init(sys, NULL, &plat), DC_EINVAL);
	CU_ASSERT_EQUAL(dc_init(sys, &cfg, NULL), DC_EINVAL);
	plat.phys_to_virt = NULL;
	CU_ASSERT_EQUAL(dc_init(sys, &cfg, &plat), DC_EINVAL);
	free(sys);
}

/*
 * Expect: dc_init refuses, with DC_EINVAL and without writing the system,
 * a page_shift below 12 (but not 0, the default) or above 30, a flag it
 * does not know, a pool_bytes with no pool, and a pool whose range wraps
 * past the end of the address space; page_shift 30 and the top-down flag
 * are accepted.
 */
static void init_with_bad_config_is_einval(void)
{
	struct dc_system *sys = calloc(1, sizeof(*sys));
	struct dc_config cfg = { 0 };
	struct dc_platform plat = { 0 };
	static char pool[4096];

	CU_ASSERT_FATAL(sys != NULL);
	plat.phys_to_virt = dc_host_phys_to_virt;
	cfg.page_shift = 11;
	CU_ASSERT_EQUAL(dc_init(sys, &cfg, &plat), DC_EINVAL);
	cfg.page_shift = 31;
	CU_ASSERT_EQUAL(dc_init(sys, &cfg, &plat), DC_EINVAL);
	cfg.page_shift = 12;
	cfg.flags = DC_CFG_TOP_DOWN << 1;
	CU_ASSERT_EQUAL(dc_init(sys, &cfg, &plat), DC_EINVAL);
	cfg.flags = 0;
	cfg.pool_bytes = sizeof(pool);
	CU_ASSERT_EQUAL(dc_init(sys, &cfg, &plat), DC_EINVAL);
	cfg.pool = (void *)(UINTPTR_MAX - 1024);
	CU_ASSERT_EQUAL(dc_init(sys, &cfg, &plat), DC_EINVAL);
	CU_ASSERT_EQUAL(dc_phase(sys), DC_EINVAL);	/* never written */
	cfg.pool = pool;
	cfg.page_shift = 30;
	cfg.flags = DC_CFG_TOP_DOWN;
	CU_ASSERT_EQUAL(dc_init(sys, &cfg, &plat), 0);
	CU_ASSERT_EQUAL(dc_phase(sys), DC_SETUP);
	CU_ASSERT_EQUAL(dc_check(sys), 0);
	free(sys);
}

/* Expect: DC_EINVAL, nothing changed, for a distance of 0 or above
 * 65535 (the table holds 16 bits); 65535 itself is kept. */
static void distance_out_of_range_is_einval_unchanged(void)
{
	start(false);
	H_EXPECT_UNCHANGED(H.sys, DC_EINVAL, dc_set_distance(H.sys, 0, 1, 0));
	H_EXPECT_UNCHANGED(H.sys, DC_EINVAL,
			   dc_set_distance(H.sys, 0, 1, 65536));
	CU_ASSERT_EQUAL(dc_set_distance(H.sys, 0, 1, 65535), 0);
	CU_ASSERT_EQUAL(dc_check(H.sys), 0);
	h_fini(&H);
}

/* Expect: no backend is named NULL or "" or "avl". */
static void backend_find_of_unknown_names_is_null(void)
{
	CU_ASSERT_PTR_NULL(dc_backend_find(NULL));
	CU_ASSERT_PTR_NULL(dc_backend_find(""));
	CU_ASSERT_PTR_NULL(dc_backend_find("avl"));
	CU_ASSERT_PTR_EQUAL(dc_backend_find(ops->name), ops);
}

int main(int argc, char **argv)
{
	CU_pSuite su;

	su = h_backend_suite(argc, argv, "arguments", &ops);
	if (!su)
		return 2;
	CU_add_test(su, "null_and_uninitialised_systems_are_einval",
		    null_and_uninitialised_systems_are_einval);
	CU_add_test(su, "nids_out_of_range_are_einval_unchanged",
		    nids_out_of_range_are_einval_unchanged);
	CU_add_test(su, "null_callbacks_and_pointers",
		    null_callbacks_and_pointers);
	CU_add_test(su, "strerror_of_any_int", strerror_of_any_int);
	CU_add_test(su, "init_with_bad_config_is_einval",
		    init_with_bad_config_is_einval);
	CU_add_test(su, "distance_out_of_range_is_einval_unchanged",
		    distance_out_of_range_is_einval_unchanged);
	CU_add_test(su, "backend_find_of_unknown_names_is_null",
		    backend_find_of_unknown_names_is_null);
	CU_add_test(su, "init_with_one_null_member_is_einval",
		    init_with_one_null_member_is_einval);
	return h_run();
}
