// SPDX-License-Identifier: BSD-3-Clause
/*
 * harness.c - the user-space environment of the test harness
 * (harness.h, harness_core.h): simulated memory backed by the host
 * through tools/sim/platform.c, a simulated NUMA machine for the
 * scenarios that take one, seeds, the CUnit runner.
 */
#include "harness.h"

#include <CUnit/Basic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The host platform, counted, refusing what reaches refuse_from: a
 * kernel's direct map that ends there. */
static void *h_phys_to_virt(void *ctx, dc_addr_t pa, dc_size_t len)
{
	struct dc_harness *h = ctx;

	if (h_p2v_refused(h, pa, len))
		return NULL;
	return dc_host_phys_to_virt(h->mem, pa, len);
}

void h_init(struct dc_harness *h, const struct dc_backend_ops *ops,
	    unsigned page_shift, size_t pool_bytes, unsigned flags)
{
	memset(h, 0, sizeof(*h));
	h->sys = calloc(1, sizeof(*h->sys));
	h->pool = pool_bytes ? malloc(pool_bytes) : NULL;
	h->mem = calloc(1, sizeof(struct dc_host_mem));
	CU_ASSERT_FATAL(h->sys != NULL && h->mem != NULL);
	dc_host_mem_init(h->mem, false);
	dc_host_platform(h->mem, &h->plat, false);
	h->plat.phys_to_virt = h_phys_to_virt;
	h->plat.ctx = h;
	h->cfg.page_shift = page_shift;
	h->cfg.backend = ops;
	h->cfg.pool = h->pool;
	h->cfg.pool_bytes = pool_bytes;
	h->cfg.flags = flags;
	CU_ASSERT_FATAL(dc_init(h->sys, &h->cfg, &h->plat) == 0);
}

void h_back(struct dc_harness *h, int nid, dc_addr_t base, dc_size_t size)
{
	dc_host_mem_add(h->mem, nid, base, size);
}

void *h_virt(struct dc_harness *h, dc_addr_t pa, dc_size_t len)
{
	return dc_host_phys_to_virt(h->mem, pa, len);
}

void h_fini(struct dc_harness *h)
{
	if (h->mem)
		dc_host_mem_destroy(h->mem);
	free(h->mem);
	free(h->pool);
	free(h->sys);
	memset(h, 0, sizeof(*h));
}

void *h_zalloc(size_t bytes)
{
	return calloc(1, bytes);
}

void *h_realloc(void *p, size_t bytes)
{
	return realloc(p, bytes);
}

void h_free(void *p)
{
	free(p);
}

void h_log(const char *fmt, ...)
{
	va_list ap;

	printf("\n  ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

/*
 * The simulated machine: the shape of the guest scripts/guest.sh boots,
 * four nodes on a ring (10 local, 20 next, 30 opposite) of which node 2
 * has a CPU and no memory; three 64 KiB chunks per node with memory,
 * registered interleaved (node 0, 1, 3, then again), 64 KiB holes
 * between them:
 *
 *   1 MiB                                                        +1.5 MiB
 *   | n0 |    | n1 |    | n3 |    | n0 |    | n1 | ...           | n3 |
 */
const struct h_machine *h_machine(void)
{
	static struct h_machine m;
	static const int mem_nids[] = { 0, 1, 3 };

	if (m.nnodes)
		return &m;
	m.what = "simulated, 4 nodes, node 2 CPU-only";
	m.nnodes = 4;
	for (int i = 0; i < 4; i++) {
		m.nids[i] = i;
		for (int j = 0; j < 4; j++) {
			int d = (i - j + 4) % 4;

			m.dist[i][j] = d == 0 ? 10 : d == 2 ? 30 : 20;
		}
	}
	for (int n = 0; n < 9; n++)
		m.chunk[n] = (struct h_chunk){ mem_nids[n % 3],
					       0x100000 + (dc_addr_t)n * 0x20000,
					       0x10000 };
	m.nchunks = 9;
	return &m;
}

uint64_t h_seed(int argc, char **argv, int argi)
{
	const char *env = getenv("DC_SEED");
	uint64_t seed;

	if (argc > argi)
		seed = strtoull(argv[argi], NULL, 0);
	else if (env)
		seed = strtoull(env, NULL, 0);
	else
		seed = (uint64_t)time(NULL) ^ ((uint64_t)clock() << 32);
	if (!seed)
		seed = 1;
	printf("seed %llu (replay: DC_SEED=%llu)\n", (unsigned long long)seed,
	       (unsigned long long)seed);
	return seed;
}

long h_env(const char *name, long dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 0) : dflt;
}

CU_pSuite h_backend_suite(int argc, char **argv, const char *what,
			  const struct dc_backend_ops **ops)
{
	const char *name = argc > 1 ? argv[1] : "tree";
	char suite[96];

	*ops = dc_backend_find(name);
	if (!*ops) {
		fprintf(stderr, "%s: backend '%s' not compiled in\n", argv[0],
			name);
		return NULL;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return NULL;
	snprintf(suite, sizeof(suite), "%s, %s", what, (*ops)->name);
	return CU_add_suite(suite, NULL, NULL);
}

int h_run(void)
{
	unsigned failures;

	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() +
		   CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
