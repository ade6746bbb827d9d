// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_pool_size.c - DC_POOL_BYTES() is enough, on every backend.
 *
 * A seeded series of machines is described in SETUP as a kernel does it
 * (RAM registered, some of it moved to other nodes with dc_set_node,
 * CPU-only nodes, firmware reservations both exact and loose, then the
 * SLIT), counting fragments, reservations and nodes as DC_POOL_BYTES()
 * documents them. With an initial pool of exactly DC_POOL_BYTES() of those
 * counts (malloc'd to that size, so ASan sees any overrun) every call and
 * dc_finalize() must succeed and dc_check() hold. The smallest pool that
 * works is found by bisection and the worst ratio printed, to show how
 * loose the bound is; a macro that undercounts fails the test.
 */
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

#define PAGE 4096ull

struct machine {
	unsigned frags, reserved, nodes;	/* as DC_POOL_BYTES() counts */
};

static const struct dc_backend_ops *ops;

/*
 * Describe machine number seed on a pool of pool_bytes; 0 if every call
 * and dc_finalize() succeeded, else the first error. *m gets the counts.
 */
static int describe(uint64_t seed, size_t pool_bytes, struct machine *m)
{
	struct dc_harness h;
	uint64_t g = seed * 0x9e3779b97f4a7c15ull + 1;
	int nid[12], n, nfr, i, j, r = 0;
	dc_addr_t base[64], size[64], at = 16 * PAGE;
	dc_addr_t mid[64] = { 0 };

	h_init(&h, ops, 12, pool_bytes, 0);
	*m = (struct machine){ 0, 0, 0 };
	n = 1 + (int)h_rand_below(&g, 12);
	for (i = 0; i < n; i++) {	/* distinct sparse nids */
		do {
			nid[i] = (int)h_rand_below(&g, 64);
			for (j = 0; j < i && nid[j] != nid[i]; j++)
				;
		} while (j < i);
	}
	m->nodes = (unsigned)n;
	nfr = 1 + (int)h_rand_below(&g, 48);
	for (i = 0; i < nfr && !r; i++) {	/* interleaved, with holes */
		at += (1 + h_rand_below(&g, 8)) * PAGE;
		base[i] = at;
		size[i] = (4 + h_rand_below(&g, 60)) * PAGE;
		at += size[i];
		/* every other machine gives each node memory first: the
		 * tree backend's first leaf per node is then the cost */
		r = h_add(&h, seed % 2 && i < n ? nid[i] :
			  nid[h_rand_below(&g, (uint64_t)n)], base[i], size[i]);
		m->frags++;
	}
	/* the SRAT moves the upper half of some fragments to other nodes */
	for (i = 0; i < nfr && !r; i++) {
		if (h_rand_below(&g, 4))
			continue;
		mid[i] = base[i] + size[i] / 2 / PAGE * PAGE;
		r = dc_set_node(h.sys, mid[i], base[i] + size[i] - mid[i],
				nid[h_rand_below(&g, (uint64_t)n)]);
		m->frags++;
	}
	/* nodes with CPUs only: all nids without memory */
	for (i = 0; i < n && !r; i++)
		r = dc_add_node(h.sys, nid[i]);
	/* exact reservations, apart from each other: each splits a free
	 * extent; some of a partial page */
	for (i = 0; i < nfr && !r; i++) {
		dc_addr_t p = base[i] + PAGE;

		while (!r && p + 2 * PAGE < base[i] + size[i] &&
		       h_rand_below(&g, 3)) {
			dc_size_t len = h_rand_below(&g, 2) ?
					PAGE : 1 + h_rand_below(&g, PAGE - 1);

			r = dc_reserve(h.sys, p, len);
			/* one per fragment it touches */
			m->reserved += p < mid[i] && p + len > mid[i] ? 2 : 1;
			p += 2 * PAGE + h_rand_below(&g, 4) * PAGE;
		}
	}
	/* loose ones over the hole between two fragments: two free pieces */
	for (i = 0; i + 1 < nfr && !r; i++) {
		if (h_rand_below(&g, 4))
			continue;
		r = dc_reserve_loose(h.sys, base[i] + size[i] - 1,
				     base[i + 1] - (base[i] + size[i]) + 2, 0);
		m->reserved += 2;
	}
	/* the SLIT, once the nodes exist */
	for (i = 0; i < n && !r; i++)
		for (j = 0; j < n && !r; j++)
			if (i != j)
				r = dc_set_distance(h.sys, nid[i], nid[j],
						    (unsigned)(11 + h_rand_below(&g, 50)));
	if (!r)
		r = dc_finalize(h.sys);
	if (!r)
		CU_ASSERT_EQUAL(dc_check(h.sys), 0);
	h_fini(&h);
	return r;
}

static void pool_bytes_is_enough(void)
{
	long count = h_env("DC_POOL_MACHINES", 200);
	double worst = 0;
	long s;

	for (s = 1; s <= count; s++) {
		struct machine m;
		size_t bound, lo = 0, hi;
		int r;

		describe((uint64_t)s, 1 << 20, &m);	/* the counts */
		bound = (size_t)DC_POOL_BYTES(m.frags, m.reserved, m.nodes);
		r = describe((uint64_t)s, bound, &m);
		if (r) {
			CU_FAIL("DC_POOL_BYTES() too small");
			fprintf(stderr, "machine %ld (%s): %u fragments, %u "
				"reservations, %u nodes, %zu bytes: error %d\n",
				s, ops->name, m.frags, m.reserved, m.nodes,
				bound, r);
			continue;
		}
		hi = bound;	/* the smallest pool that works */
		while (lo + 8 < hi) {
			size_t mid = (lo + hi) / 2;

			if (describe((uint64_t)s, mid, &m))
				lo = mid;
			else
				hi = mid;
		}
		if ((double)bound / (double)hi > worst)
			worst = (double)bound / (double)hi;
	}
	printf("\n  %s: %ld machines; DC_POOL_BYTES() at most %.2f x the "
	       "smallest pool that works\n", ops->name, count, worst);
}

/* Without a pool nothing can be described: the bound is not vacuous. */
static void a_small_pool_runs_out(void)
{
	struct machine m;

	CU_ASSERT_EQUAL(describe(7, 256, &m), DC_ENOSPC);
}

int main(int argc, char **argv)
{
	CU_pSuite su;

	su = h_backend_suite(argc, argv, "DC_POOL_BYTES", &ops);
	if (!su)
		return 2;
	CU_add_test(su, "pool_bytes_is_enough", pool_bytes_is_enough);
	CU_add_test(su, "a_small_pool_runs_out", a_small_pool_runs_out);
	return h_run();
}
