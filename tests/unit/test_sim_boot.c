// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_sim_boot.c - the boot model's host placement report
 * (tools/sim/boot.c, DESIGN.md "Host platform") on fake hosts behind
 * struct dc_numa_ops: a 4-node host with a CPU-only node, the same host
 * putting one page on the wrong node or failing a query, and a one-node
 * host. A boot is only "verified" where pages were really checked.
 */
#include <CUnit/Basic.h>
#include <errno.h>
#include <string.h>

#include <discontig/backend.h>
#include <discontig/topology.h>

#include "tools/sim/boot.h"

struct fake {
	int nodes;
	long long memory[4];
	struct { char *lo, *hi; int node; } bound[64];
	int nbound;
	long queries;
	long misplace_at;	/* this query (1-based) answers node 1 */
	long fail_at;		/* this one fails with -ENOENT */
};

static struct fake F;

static int fake_nodes(void *ctx)
{
	return F.nodes;
}

static long long fake_memory(void *ctx, int node)
{
	return F.memory[node];
}

static int fake_bind(void *ctx, void *addr, size_t len, int node)
{
	if (F.nbound == 64 || F.memory[node] <= 0)
		return -EINVAL;		/* as mbind to a CPU-only node */
	F.bound[F.nbound].lo = addr;
	F.bound[F.nbound].hi = (char *)addr + len;
	F.bound[F.nbound++].node = node;
	return 0;
}

static int fake_where(void *ctx, void **pages, size_t n, int *status)
{
	for (size_t i = 0; i < n; i++) {
		char *p = pages[i];

		status[i] = 0;	/* unbound memory: node 0 */
		for (int b = 0; b < F.nbound; b++)
			if (p >= F.bound[b].lo && p < F.bound[b].hi)
				status[i] = F.bound[b].node;
		F.queries++;
		if (F.queries == F.misplace_at)
			status[i] = 1;
		if (F.queries == F.fail_at)
			status[i] = -ENOENT;
	}
	return 0;
}

static const struct dc_numa_ops fake_ops = {
	"fake", fake_nodes, fake_memory, fake_bind, fake_where, NULL,
};

static struct dc_topology T;
static struct dc_layout L;

static int setup(void)
{
	char err[256];

	if (dc_topo_load(&T, DC_TOPO_SYNTHETIC,
			 "pack:4 [numa(memory=256MiB)] core:1 pu:1", err,
			 sizeof(err)) ||
	    dc_layout_make(&T, "flat", NULL, &L, err, sizeof(err)))
		return 1;
	return 0;
}

static int teardown(void)
{
	dc_layout_free(&L);
	dc_topo_free(&T);
	return 0;
}

static void boot(struct boot *b, const char *backend)
{
	struct boot_opts o = { .ops = dc_backend_find(backend), .bind = true,
			       .initrd = 16 << 20, .memmap_sample = 16,
			       .numa = &fake_ops };

	CU_ASSERT_EQUAL_FATAL(dc_boot_run(b, &T, &L, &o), 0);
}

static void fake_host4(void)
{
	memset(&F, 0, sizeof(F));
	F.nodes = 4;
	F.memory[0] = F.memory[2] = F.memory[3] = 1ll << 30;	/* 1 CPU-only */
}

/*
 * host nodes 0 (mem) 1 (CPU only) 2 (mem) 3 (mem)
 * simulated  0 -> 0, 1 -> 2, 2 -> 3, 3 -> 0
 * Expect: no bind to the CPU-only node, every page checked is home, the
 * report counts them and the three host nodes; on every backend.
 */
static void placement_verified_on_a_host_with_a_cpu_only_node(void)
{
	static const int want[] = { 0, 2, 3, 0 };
	static const char *const backends[] = { "tree", "bitmap", "array" };

	for (size_t k = 0; k < 3; k++) {
		struct boot b;
		uint64_t pages = 0;

		if (!dc_backend_find(backends[k]))
			continue;
		fake_host4();
		boot(&b, backends[k]);
		CU_ASSERT_PTR_NULL(b.unverified);
		CU_ASSERT_EQUAL(b.mem.bind_failures, 0);
		CU_ASSERT_TRUE(b.placement_ok);
		CU_ASSERT_TRUE(dc_boot_ok(&b));
		for (unsigned i = 0; i < b.nnodes; i++) {
			const struct boot_node *n = &b.nodes[i];

			CU_ASSERT_EQUAL(n->host_node, want[n->nid]);
			CU_ASSERT_PTR_NULL(n->unverified);
			CU_ASSERT(n->memmap_check.pages >= 16);
			pages += n->meta_check.pages + n->memmap_check.pages;
			CU_ASSERT_EQUAL(n->memmap_check.wrong +
					n->memmap_check.failed, 0);
		}
		CU_ASSERT_EQUAL(F.queries, (long)pages);
		/* the bitmap's metadata is in managed memory: checked too */
		if (!strcmp(backends[k], "bitmap"))
			CU_ASSERT(b.nodes[0].meta_check.pages > 0);
		dc_boot_free(&b);
	}
}

/* Expect: one page on another host node fails the boot (exit 1). */
static void a_misplaced_page_fails_the_boot(void)
{
	struct boot b;

	fake_host4();
	F.misplace_at = 7;
	boot(&b, "tree");
	CU_ASSERT_FALSE(b.placement_ok);
	CU_ASSERT_FALSE(dc_boot_ok(&b));
	dc_boot_free(&b);
}

/* Expect: a failed query fails the boot; it is never a pass. */
static void a_failed_query_fails_the_boot(void)
{
	struct boot b;

	fake_host4();
	F.fail_at = 3;
	boot(&b, "tree");
	CU_ASSERT_FALSE(b.placement_ok);
	CU_ASSERT_FALSE(dc_boot_ok(&b));
	dc_boot_free(&b);
}

/* Expect: a one-node host checks nothing and says why, and that is not
 * a failure. */
static void a_one_node_host_is_not_verified(void)
{
	struct boot b;

	memset(&F, 0, sizeof(F));
	F.nodes = 1;
	F.memory[0] = 1ll << 30;
	boot(&b, "tree");
	CU_ASSERT_PTR_NOT_NULL(b.unverified);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.unverified, "one NUMA node"));
	CU_ASSERT_EQUAL(F.queries, 0);
	CU_ASSERT_TRUE(dc_boot_ok(&b));
	dc_boot_free(&b);
}

int main(void)
{
	CU_pSuite s;
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("sim boot placement", setup, teardown);
	CU_add_test(s, "placement_verified_on_a_host_with_a_cpu_only_node",
		    placement_verified_on_a_host_with_a_cpu_only_node);
	CU_add_test(s, "a_misplaced_page_fails_the_boot",
		    a_misplaced_page_fails_the_boot);
	CU_add_test(s, "a_failed_query_fails_the_boot",
		    a_failed_query_fails_the_boot);
	CU_add_test(s, "a_one_node_host_is_not_verified",
		    a_one_node_host_is_not_verified);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
