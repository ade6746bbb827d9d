// SPDX-License-Identifier: BSD-3-Clause
/*
 * harness.c - shared test support (see harness.h).
 */
#include "harness.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The host platform, counted, refusing what reaches refuse_from: a
 * kernel's direct map that ends there. */
static void *h_phys_to_virt(void *ctx, dc_addr_t pa, dc_size_t len)
{
	struct dc_harness *h = ctx;

	h->p2v_calls++;
	if (h->refuse_from && len && pa + (len - 1) >= h->refuse_from)
		return NULL;
	return dc_host_phys_to_virt(&h->mem, pa, len);
}

void h_init(struct dc_harness *h, const struct dc_backend_ops *ops,
	    unsigned page_shift, size_t pool_bytes, unsigned flags)
{
	memset(h, 0, sizeof(*h));
	h->sys = calloc(1, sizeof(*h->sys));
	h->pool = pool_bytes ? malloc(pool_bytes) : NULL;
	dc_host_mem_init(&h->mem, false);
	dc_host_platform(&h->mem, &h->plat, false);
	h->plat.phys_to_virt = h_phys_to_virt;
	h->plat.ctx = h;
	h->cfg.page_shift = page_shift;
	h->cfg.backend = ops;
	h->cfg.pool = h->pool;
	h->cfg.pool_bytes = pool_bytes;
	h->cfg.flags = flags;
	CU_ASSERT_FATAL(h->sys != NULL);
	CU_ASSERT_FATAL(dc_init(h->sys, &h->cfg, &h->plat) == 0);
}

void h_back(struct dc_harness *h, int nid, dc_addr_t base, dc_size_t size)
{
	dc_host_mem_add(&h->mem, nid, base, size);
}

int h_add(struct dc_harness *h, int nid, dc_addr_t base, dc_size_t size)
{
	int r = dc_add_memory(h->sys, nid, base, size);

	if (!r)
		h_back(h, nid, base, size);
	return r;
}

void h_fini(struct dc_harness *h)
{
	dc_host_mem_destroy(&h->mem);
	free(h->pool);
	free(h->sys);
	memset(h, 0, sizeof(*h));
}

struct snap_ctx {
	struct dc_snapshot *s;
	int kind;
	size_t cap;
};

static int snap_range(void *ctx, int nid, dc_addr_t base, dc_size_t size)
{
	struct snap_ctx *c = ctx;
	struct dc_snapshot *s = c->s;

	if (s->nranges == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		s->ranges = realloc(s->ranges, c->cap * sizeof(*s->ranges));
	}
	s->ranges[s->nranges++] = (struct dc_range_rec){ c->kind, nid, base,
							 size };
	return 0;
}

void h_snap(const struct dc_system *sys, struct dc_snapshot *s)
{
	h_snap_nids(sys, s, DC_MAX_NODES);
}

void h_snap_nids(const struct dc_system *sys, struct dc_snapshot *s,
		 int nids)
{
	struct snap_ctx c = { .s = s };

	memset(s, 0, sizeof(*s));
	s->phase = dc_phase(sys);
	dc_stats(sys, DC_NO_NODE, &s->total);
	/* "failed" counts failed dc_alloc calls: the one thing a failed call
	 * is meant to change */
	s->total.failed = 0;
	for (int nid = 0; nid < nids && s->nnodes < 64; nid++) {
		if (dc_stats(sys, nid, &s->node[s->nnodes]))
			continue;
		s->node[s->nnodes].failed = 0;
		s->nids[s->nnodes++] = nid;
	}
	for (c.kind = DC_WALK_MEMORY; c.kind <= DC_WALK_METADATA; c.kind++)
		dc_walk(sys, DC_NO_NODE, (enum dc_walk_kind)c.kind, snap_range,
			&c);
	s->check = dc_check(sys);
}

bool h_snap_equal(const struct dc_snapshot *a, const struct dc_snapshot *b)
{
	if (a->phase != b->phase || a->nnodes != b->nnodes ||
	    a->check != b->check) {
		printf("\n  snapshot: phase/nodes/check differ\n");
		return false;
	}
	if (memcmp(&a->total, &b->total, sizeof(a->total))) {
		printf("\n  snapshot: total stats differ\n");
		return false;
	}
	for (int i = 0; i < a->nnodes; i++)
		if (a->nids[i] != b->nids[i] ||
		    memcmp(&a->node[i], &b->node[i], sizeof(a->node[i]))) {
			printf("\n  snapshot: stats of node %d differ\n",
			       a->nids[i]);
			return false;
		}
	if (a->nranges != b->nranges ||
	    (a->nranges && memcmp(a->ranges, b->ranges,
				  a->nranges * sizeof(*a->ranges)))) {
		printf("\n  snapshot: walks differ\n");
		return false;
	}
	return true;
}

void h_snap_free(struct dc_snapshot *s)
{
	free(s->ranges);
	s->ranges = NULL;
}

struct sum_ctx {
	dc_size_t bytes;
	size_t count;
};

static int sum_range(void *ctx, int nid, dc_addr_t base, dc_size_t size)
{
	struct sum_ctx *c = ctx;

	c->bytes += size;
	c->count++;
	return 0;
}

dc_size_t h_walk_bytes(const struct dc_system *sys, int nid,
		       enum dc_walk_kind kind)
{
	struct sum_ctx c = { 0, 0 };

	dc_walk(sys, nid, kind, sum_range, &c);
	return c.bytes;
}

size_t h_walk_count(const struct dc_system *sys, int nid,
		    enum dc_walk_kind kind)
{
	struct sum_ctx c = { 0, 0 };

	dc_walk(sys, nid, kind, sum_range, &c);
	return c.count;
}

static bool stats_add_up(const struct dc_stats *s)
{
	return s->memory == s->used + s->metadata + s->free + s->released;
}

bool h_accounting_ok(const struct dc_system *sys)
{
	struct dc_stats s;

	if (dc_stats(sys, DC_NO_NODE, &s) || !stats_add_up(&s))
		return false;
	for (int nid = 0; nid < DC_MAX_NODES; nid++)
		if (!dc_stats(sys, nid, &s) && !stats_add_up(&s))
			return false;
	return true;
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

uint64_t h_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x * 0x2545F4914F6CDD1Dull;
}

uint64_t h_rand_below(uint64_t *s, uint64_t n)
{
	return n ? h_rand(s) % n : 0;
}

long h_env(const char *name, long dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 0) : dflt;
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
