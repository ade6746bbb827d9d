// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_sim_platform.c - the host platform's node choice and placement
 * check (tools/sim/platform.c), on a fake host behind struct
 * dc_numa_ops: four host nodes of which node 1 is CPU-only, an mbind
 * that can be made to fail, and a page that can be made to land on the
 * wrong node.
 */
#include <CUnit/Basic.h>
#include <errno.h>
#include <string.h>

#include "tools/sim/platform.h"

#define MiB (1ull << 20)

/* The fake host. */
struct fake {
	long long memory[8];	/* per host node; 0 CPU-only */
	int nodes;
	int bind_err;		/* returned by bind, or 0 */
	struct { char *lo, *hi; int node; } bound[16];
	int nbound;
	char *wrong_page;	/* reported on node 3 */
	char *failing_page;	/* its query fails with -ENOENT */
	int where_err;		/* the whole call fails */
};

static int fake_nodes(void *ctx)
{
	return ((struct fake *)ctx)->nodes;
}

static long long fake_memory(void *ctx, int node)
{
	return ((struct fake *)ctx)->memory[node];
}

static int fake_bind(void *ctx, void *addr, size_t len, int node)
{
	struct fake *f = ctx;

	if (f->bind_err)
		return -f->bind_err;
	f->bound[f->nbound].lo = addr;
	f->bound[f->nbound].hi = (char *)addr + len;
	f->bound[f->nbound++].node = node;
	return 0;
}

static int fake_where(void *ctx, void **pages, size_t n, int *status)
{
	struct fake *f = ctx;

	if (f->where_err)
		return -f->where_err;
	for (size_t i = 0; i < n; i++) {
		char *p = pages[i];

		status[i] = -EFAULT;
		for (int b = 0; b < f->nbound; b++)
			if (p >= f->bound[b].lo && p < f->bound[b].hi)
				status[i] = f->bound[b].node;
		if (f->wrong_page && p == f->wrong_page)
			status[i] = 3;
		if (f->failing_page && p == f->failing_page)
			status[i] = -ENOENT;
	}
	return 0;
}

static struct fake F;
static const struct dc_numa_ops fake_ops = {
	"fake", fake_nodes, fake_memory, fake_bind, fake_where, &F,
};

static void fake_reset(void)
{
	memset(&F, 0, sizeof(F));
	F.nodes = 4;
	F.memory[0] = F.memory[2] = F.memory[3] = 1ll << 30;	/* 1 CPU-only */
}

/*
 * host nodes:   0 (mem)   1 (CPU only)   2 (mem)   3 (mem)
 * Expect: simulated nodes 0..5 bind to 0, 2, 3, 0, 2, 3: never to the
 * CPU-only node, where mbind would fail with EINVAL.
 */
static void node_choice_skips_cpu_only_host_nodes(void)
{
	static const int want[] = { 0, 2, 3, 0, 2, 3 };
	struct dc_host_mem m;

	fake_reset();
	dc_host_mem_init_numa(&m, true, &fake_ops);
	CU_ASSERT_EQUAL(m.host_nodes, 4);
	CU_ASSERT_EQUAL(m.nmem, 3);
	CU_ASSERT_EQUAL(m.cpu_only_nodes, 1);
	CU_ASSERT_TRUE(m.bind);
	CU_ASSERT_PTR_NULL(dc_host_mem_unverifiable(&m));
	for (int nid = 0; nid < 6; nid++)
		CU_ASSERT_EQUAL(dc_host_node_for(&m, nid), want[nid]);
	CU_ASSERT_EQUAL(dc_host_mem_add(&m, 1, 0x100000, 4 * MiB), 0);
	CU_ASSERT_EQUAL(F.nbound, 1);
	CU_ASSERT_EQUAL(F.bound[0].node, 2);
	CU_ASSERT_EQUAL(m.r[0].host_node, 2);
	dc_host_mem_destroy(&m);
}

/*
 * host nodes:       0 (mem)   1 (CPU only)   2 (mem)   3 (mem)
 * simulated nodes:  0 (mem)   1 (CPU only)   2 (mem)   3 (mem)   5 (mem)
 *
 * Expect: once the simulated nodes with memory are known, the n-th of
 * them takes the (n mod k)-th host node with memory: 0, 2, 3 land on
 * 0, 2, 3 (every host node with memory gets pages, as on a guest whose
 * own node 1 is CPU-only), 5 on 0 again; the CPU-only simulated node 1
 * is bound nowhere and takes no turn.
 */
static void node_choice_counts_only_simulated_nodes_with_memory(void)
{
	static const int nids[] = { 0, 1, 2, 3, 5 }, want[] = { 0, -1, 2, 3, 0 };
	struct dc_host_mem m;

	fake_reset();
	dc_host_mem_init_numa(&m, true, &fake_ops);
	CU_ASSERT_EQUAL(dc_host_node_for(&m, 2), 3);	/* by nid, before */
	for (int i = 0; i < 5; i++)
		if (nids[i] != 1)
			dc_host_mem_sim_node(&m, nids[i]);
	dc_host_mem_sim_node(&m, -1);			/* ignored */
	dc_host_mem_sim_node(&m, DC_MAX_NODES);		/* ignored */
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(dc_host_node_for(&m, nids[i]), want[i]);
	CU_ASSERT_EQUAL(dc_host_mem_add(&m, 2, 0x100000, 4 * MiB), 0);
	CU_ASSERT_EQUAL(F.nbound, 1);
	CU_ASSERT_EQUAL(F.bound[0].node, 2);
	dc_host_mem_destroy(&m);
}

/* Expect: one host node with memory, or --no-bind, or no NUMA: nothing
 * bound, and a reason instead of a verification. */
static void unverifiable_says_why(void)
{
	struct dc_host_mem m;

	fake_reset();
	F.memory[2] = F.memory[3] = 0;		/* only node 0 has memory */
	dc_host_mem_init_numa(&m, true, &fake_ops);
	CU_ASSERT_FALSE(m.bind);
	CU_ASSERT_PTR_NOT_NULL(strstr(dc_host_mem_unverifiable(&m),
				      "one NUMA node with memory"));
	CU_ASSERT_EQUAL(dc_host_node_for(&m, 1), -1);
	dc_host_mem_destroy(&m);

	fake_reset();
	dc_host_mem_init_numa(&m, false, &fake_ops);
	CU_ASSERT_PTR_NOT_NULL(strstr(dc_host_mem_unverifiable(&m), "--no-bind"));
	dc_host_mem_destroy(&m);

	fake_reset();
	F.nodes = 0;
	dc_host_mem_init_numa(&m, true, &fake_ops);
	CU_ASSERT_PTR_NOT_NULL(strstr(dc_host_mem_unverifiable(&m), "no NUMA"));
	dc_host_mem_destroy(&m);
}

/* Expect: every page where it was bound: the check passes, counts every
 * page, and names the host nodes it saw. */
static void check_passes_when_every_page_is_home(void)
{
	struct dc_place_check c = { 0 };
	struct dc_host_mem m;

	fake_reset();
	dc_host_mem_init_numa(&m, true, &fake_ops);
	CU_ASSERT_EQUAL(dc_host_mem_add(&m, 0, 0x100000, 1 * MiB), 0);
	CU_ASSERT_EQUAL(dc_host_mem_add(&m, 1, 0x200000, 1 * MiB), 0);
	CU_ASSERT_EQUAL(dc_host_mem_check(&m, 0x100000, 2 * MiB, 0, &c), 0);
	CU_ASSERT_EQUAL(c.pages, 2 * MiB / 4096);
	CU_ASSERT_EQUAL(c.wrong + c.failed, 0);
	CU_ASSERT_EQUAL(dc_place_nodes(&c), 2);	/* host nodes 0 and 2 */
	dc_host_mem_destroy(&m);
}

/* Expect: one page on the wrong node fails the check and is named. */
static void a_page_on_the_wrong_node_fails_the_check(void)
{
	struct dc_place_check c = { 0 };
	struct dc_host_mem m;

	fake_reset();
	dc_host_mem_init_numa(&m, true, &fake_ops);
	CU_ASSERT_EQUAL(dc_host_mem_add(&m, 0, 0x100000, 1 * MiB), 0);
	F.wrong_page = (char *)m.r[0].va + 0x5000;
	CU_ASSERT_EQUAL(dc_host_mem_check(&m, 0x100000, 1 * MiB, 0, &c), -1);
	CU_ASSERT_EQUAL(c.wrong, 1);
	CU_ASSERT_EQUAL(c.first_bad, 0x105000);
	CU_ASSERT_EQUAL(c.first_got, 3);
	CU_ASSERT_EQUAL(c.first_want, 0);
	dc_host_mem_destroy(&m);
}

/* Expect: a query that fails is a failed check, never a pass; a call
 * that fails as a whole fails every page. */
static void a_failed_query_is_a_failed_check(void)
{
	struct dc_place_check c = { 0 };
	struct dc_host_mem m;

	fake_reset();
	dc_host_mem_init_numa(&m, true, &fake_ops);
	CU_ASSERT_EQUAL(dc_host_mem_add(&m, 0, 0x100000, 64 * 1024), 0);
	F.failing_page = m.r[0].va;
	CU_ASSERT_EQUAL(dc_host_mem_check(&m, 0x100000, 4096, 0, &c), -1);
	CU_ASSERT_EQUAL(c.failed, 1);
	CU_ASSERT_EQUAL(c.first_got, -ENOENT);
	F.failing_page = NULL;
	F.where_err = EPERM;
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(dc_host_mem_check(&m, 0x100000, 64 * 1024, 0, &c), -1);
	CU_ASSERT_EQUAL(c.failed, 16);
	/* outside backed memory: failed, not skipped */
	F.where_err = 0;
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(dc_host_mem_check(&m, 0x900000, 1, 0, &c), -1);
	CU_ASSERT_EQUAL(c.failed, 1);
	dc_host_mem_destroy(&m);
}

/* Expect: a failed mbind is recorded in the region and counted, and the
 * memory is still backed. */
static void a_failed_bind_is_recorded(void)
{
	struct dc_host_mem m;

	fake_reset();
	F.bind_err = EINVAL;
	dc_host_mem_init_numa(&m, true, &fake_ops);
	CU_ASSERT_EQUAL(dc_host_mem_add(&m, 0, 0x100000, 1 * MiB), 0);
	CU_ASSERT_EQUAL(m.bind_failures, 1);
	CU_ASSERT_EQUAL(m.r[0].bind_err, EINVAL);
	CU_ASSERT_PTR_NOT_NULL(dc_host_phys_to_virt(&m, 0x100000, 4096));
	dc_host_mem_destroy(&m);
}

/* Expect: a sample of k pages of a large range queries k pages (first
 * and last included), not all of them. */
static void a_sample_queries_first_and_last(void)
{
	struct dc_place_check c = { 0 };
	struct dc_host_mem m;

	fake_reset();
	dc_host_mem_init_numa(&m, true, &fake_ops);
	CU_ASSERT_EQUAL(dc_host_mem_add(&m, 0, 0x100000, 64 * MiB), 0);
	F.wrong_page = (char *)m.r[0].va + 64 * MiB - 4096;	/* the last */
	CU_ASSERT_EQUAL(dc_host_mem_check(&m, 0x100000, 64 * MiB, 64, &c), -1);
	CU_ASSERT(c.pages >= 64 && c.pages <= 66);
	CU_ASSERT_EQUAL(c.wrong, 1);
	dc_host_mem_destroy(&m);
}

int main(void)
{
	CU_pSuite s;
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("sim platform", NULL, NULL);
	CU_add_test(s, "node_choice_skips_cpu_only_host_nodes",
		    node_choice_skips_cpu_only_host_nodes);
	CU_add_test(s, "node_choice_counts_only_simulated_nodes_with_memory",
		    node_choice_counts_only_simulated_nodes_with_memory);
	CU_add_test(s, "unverifiable_says_why", unverifiable_says_why);
	CU_add_test(s, "check_passes_when_every_page_is_home",
		    check_passes_when_every_page_is_home);
	CU_add_test(s, "a_page_on_the_wrong_node_fails_the_check",
		    a_page_on_the_wrong_node_fails_the_check);
	CU_add_test(s, "a_failed_query_is_a_failed_check",
		    a_failed_query_is_a_failed_check);
	CU_add_test(s, "a_failed_bind_is_recorded", a_failed_bind_is_recorded);
	CU_add_test(s, "a_sample_queries_first_and_last",
		    a_sample_queries_first_and_last);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
