// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_model.c - the byte-exact backends against an obviously correct
 * reference model (tests/support/model.c), one random history at a time.
 *
 * Every call goes to both; every return code and every address must be
 * equal (the tree and array backends are byte-exact, so the address is
 * exactly the model's), the free byte count must agree, and dc_check()
 * must be clean after every step. The pool is large, so nothing is
 * stolen and placement depends on the caller's calls alone.
 *
 * Run: test_model [SEED [OPS]]; DC_SEED and DC_OPS in the environment do
 * the same. The default is 10^6 operations per backend.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "model.h"

static uint64_t seed0;
static long nops;

static const int nids[] = { 0, 3, 17, 40 };
#define CPU_ONLY 21	/* a node without memory (dc_add_node) */

struct live {
	dc_addr_t b;
	dc_size_t s;
};

struct world {
	struct dc_harness h;
	struct dc_model m;
	uint64_t rng;
	struct live live[48];
	int nlive;
	dc_addr_t lo, hi;	/* span of the layout, for random ranges */
	long step;
	const char *backend;
};

static bool same(struct world *w, const char *what, int r1, int r2,
		 dc_addr_t a1, dc_addr_t a2)
{
	if (r1 == r2 && (r1 || a1 == a2))
		return true;
	printf("\n  %s step %ld (%s): system %d 0x%llx, model %d 0x%llx; "
	       "replay with DC_SEED=%llu\n", w->backend, w->step, what, r1,
	       (unsigned long long)a1, r2, (unsigned long long)a2,
	       (unsigned long long)seed0);
	return false;
}

/*
 * Fragments: 4 nodes, 3 fragments each, interleaved, random sizes and
 * holes, the last one ending exactly at 2^64 (in its own region of the
 * address space: far from the others, so windows exercise both).
 */
static void world_layout(struct world *w)
{
	dc_addr_t pos = 0x1000 * (1 + h_rand_below(&w->rng, 16));
	int r1, r2;

	w->lo = pos;
	for (int f = 0; f < 11; f++) {
		dc_size_t size = 0x1000 * (4 + h_rand_below(&w->rng, 60)) +
				 h_rand_below(&w->rng, 3) * 0x10;
		/* every node gets a fragment; the rest land anywhere */
		int nid = nids[f < 4 ? f : (int)h_rand_below(&w->rng, 4)];

		r1 = h_add(&w->h, nid, pos, size);
		r2 = m_add(&w->m, nid, pos, size);
		CU_ASSERT_FATAL(r1 == r2 && r1 == 0);
		pos += size + h_rand_below(&w->rng, 3) * 0x3000;
	}
	w->hi = pos;
	r1 = h_add(&w->h, 40, 0ull - 0x40000, 0x40000);
	r2 = m_add(&w->m, 40, 0ull - 0x40000, 0x40000);
	CU_ASSERT_FATAL(r1 == 0 && r2 == 0);
	CU_ASSERT_FATAL(dc_add_node(w->h.sys, CPU_ONLY) == 0);
	CU_ASSERT_FATAL(m_add_node(&w->m, CPU_ONLY) == 0);
	for (int j = 0; j < 4; j++) {	/* its own distance order */
		unsigned d = 11 + (unsigned)h_rand_below(&w->rng, 30);

		CU_ASSERT_FATAL(dc_set_distance(w->h.sys, CPU_ONLY, nids[j],
						d) == 0);
		m_set_distance(&w->m, CPU_ONLY, nids[j], d);
	}
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++) {
			unsigned d = i == j ? 10 : 11 + (unsigned)h_rand_below(
							 &w->rng, 30);

			CU_ASSERT_FATAL(dc_set_distance(w->h.sys, nids[i], nids[j],
							d) == 0);
			m_set_distance(&w->m, nids[i], nids[j], d);
		}
}

static dc_addr_t rand_addr(struct world *w)
{
	switch (h_rand_below(&w->rng, 8)) {
	case 0:
		return 0ull - 0x40000 + h_rand_below(&w->rng, 0x40000);
	case 1:
		return h_rand_below(&w->rng, 2) ? 0 : 0ull - 1;
	default:
		return w->lo + h_rand_below(&w->rng, w->hi - w->lo);
	}
}

static dc_size_t rand_size(struct world *w)
{
	switch (h_rand_below(&w->rng, 6)) {
	case 0:
		return 1 + h_rand_below(&w->rng, 64);
	case 1:
		return 0x1000 * (1 + h_rand_below(&w->rng, 16));
	case 2:
		return h_rand_below(&w->rng, 40) ? 1 + h_rand_below(&w->rng,
								    0x8000) : 0;
	default:
		return 1 + h_rand_below(&w->rng, 0x2000);
	}
}

static void op_alloc(struct world *w)
{
	static const unsigned fl[] = {
		0, DC_REQ_TOP_DOWN, DC_REQ_BOTTOM_UP, DC_REQ_EXACT_NODE,
		DC_REQ_RELAX_MIN, DC_REQ_TOP_DOWN | DC_REQ_RELAX_MIN,
		DC_REQ_BOTTOM_UP | DC_REQ_EXACT_NODE | DC_REQ_RELAX_MIN,
		DC_REQ_TOP_DOWN | DC_REQ_BOTTOM_UP,
	};
	struct dc_request q;
	dc_addr_t a1 = 1, a2 = 2;
	uint64_t k = h_rand_below(&w->rng, 10);
	int r1, r2;

	q.size = rand_size(w);
	q.align = k < 2 ? 0 : k < 8 ? (dc_size_t)1 << h_rand_below(&w->rng, 17)
				    : k < 9 ? 3 : (dc_size_t)1 << 40;
	q.min_addr = h_rand_below(&w->rng, 2) ? 0 : rand_addr(w);
	q.max_addr = h_rand_below(&w->rng, 2) ? 0 : rand_addr(w);
	q.nid = h_rand_below(&w->rng, 5) ? nids[h_rand_below(&w->rng, 4)] :
		h_rand_below(&w->rng, 2) ? DC_NO_NODE :
		h_rand_below(&w->rng, 2) ? CPU_ONLY : 5;
	q.flags = fl[h_rand_below(&w->rng, 8)];
	if (!h_rand_below(&w->rng, 4) && !(q.flags & DC_REQ_BOTTOM_UP &&
					   q.flags & DC_REQ_TOP_DOWN))
		q.flags |= DC_REQ_ZERO;
	r1 = dc_alloc(w->h.sys, &q, &a1);
	r2 = m_alloc(&w->m, &q, &a2);
	if (r1 != r2 || (!r1 && a1 != a2))
		printf("\n  request: size %#llx align %#llx min %#llx max %#llx "
		       "nid %d flags %#x access limit %#llx\n",
		       (unsigned long long)q.size, (unsigned long long)q.align,
		       (unsigned long long)q.min_addr,
		       (unsigned long long)q.max_addr, q.nid, q.flags,
		       (unsigned long long)w->m.access_end);
	CU_ASSERT_FATAL(same(w, "alloc", r1, r2, a1, a2));
	if (!r1 && w->nlive < 48)
		w->live[w->nlive++] = (struct live){ a1, q.size };
	else if (!r1)	/* keep the live set small: give it back now */
		CU_ASSERT_FATAL(dc_free(w->h.sys, a1, q.size) == 0 &&
				m_free(&w->m, a1, q.size) == 0);
}

static void op_free_live(struct world *w)
{
	int i = (int)h_rand_below(&w->rng, (uint64_t)w->nlive);
	struct live l = w->live[i];
	dc_addr_t b = l.b;
	dc_size_t s = l.s;
	int r1, r2;

	if (h_rand_below(&w->rng, 4) == 0 && s > 2) {	/* a part of it */
		dc_size_t off = h_rand_below(&w->rng, s - 1);

		b += off;
		s = 1 + h_rand_below(&w->rng, s - off);
	}
	r1 = dc_free(w->h.sys, b, s);
	r2 = m_free(&w->m, b, s);
	CU_ASSERT_FATAL(same(w, "free", r1, r2, 0, 0));
	/* a part was freed: free what is left of the block on both sides */
	if (b > l.b) {
		r1 = dc_free(w->h.sys, l.b, b - l.b);
		r2 = m_free(&w->m, l.b, b - l.b);
		CU_ASSERT_FATAL(same(w, "free left rest", r1, r2, 0, 0));
	}
	if (b + s < l.b + l.s) {
		r1 = dc_free(w->h.sys, b + s, l.b + l.s - (b + s));
		r2 = m_free(&w->m, b + s, l.b + l.s - (b + s));
		CU_ASSERT_FATAL(same(w, "free right rest", r1, r2, 0, 0));
	}
	w->live[i] = w->live[--w->nlive];
}

/* A firmware range: reserve what is free of it, on both. */
static void op_loose(struct world *w)
{
	dc_addr_t b = rand_addr(w);
	dc_size_t s = rand_size(w), n1 = 7, n2 = 9;
	int r1, r2;

	r1 = dc_reserve_loose(w->h.sys, b, s, &n1);
	r2 = m_reserve_loose(&w->m, b, s, &n2);
	CU_ASSERT_FATAL(same(w, "reserve_loose", r1, r2, n1, n2));
}

/* SETUP: the SRAT moves a random range of memory to a random node. */
static void op_set_node(struct world *w)
{
	dc_addr_t b = rand_addr(w);
	dc_size_t s = rand_size(w) * (1 + h_rand_below(&w->rng, 8));
	int nid = h_rand_below(&w->rng, 8) ? nids[h_rand_below(&w->rng, 4)] :
					     CPU_ONLY;
	int r1, r2;

	r1 = dc_set_node(w->h.sys, b, s, nid);
	r2 = m_set_node(&w->m, b, s, nid);
	CU_ASSERT_FATAL(same(w, "set_node", r1, r2, 0, 0));
}

/* The kernel maps more (or, here, less) memory: DC_REQ_ZERO follows. */
static void op_access_limit(struct world *w)
{
	dc_addr_t l = h_rand_below(&w->rng, 3) ? rand_addr(w) : 0;

	CU_ASSERT_FATAL(dc_set_access_limit(w->h.sys, l) == 0);
	m_set_access_limit(&w->m, l);
}

static void op_range(struct world *w, bool reserve)
{
	dc_addr_t b = rand_addr(w);
	dc_size_t s = rand_size(w);
	int r1, r2;

	if (reserve) {
		r1 = dc_reserve(w->h.sys, b, s);
		r2 = m_reserve(&w->m, b, s);
	} else {
		r1 = dc_free(w->h.sys, b, s);
		r2 = m_free(&w->m, b, s);
	}
	CU_ASSERT_FATAL(same(w, reserve ? "reserve" : "free range", r1, r2,
			     0, 0));
	/* reserved memory joins the live set, to be freed later; when the
	 * set is full it goes back at once (the map never fills up) */
	if (!r1 && reserve && w->nlive < 48) {
		w->live[w->nlive++] = (struct live){ b, s };
	} else if (!r1 && reserve) {
		CU_ASSERT_FATAL(dc_free(w->h.sys, b, s) == 0);
		CU_ASSERT_FATAL(m_free(&w->m, b, s) == 0);
	}
}

struct sweep {
	struct world *w;
	struct live r[256];
	int n;
};

static int sweep_range(void *ctx, int nid, dc_addr_t base, dc_size_t size)
{
	struct sweep *sw = ctx;

	if (sw->n == 256)
		return 1;
	sw->r[sw->n++] = (struct live){ base, size };
	return 0;
}

/*
 * Random frees of ranges that happen to be used leave parts of live blocks
 * behind; now and then give back everything used, through both, so the
 * map stays small and every step stays cheap.
 */
static void world_sweep(struct world *w)
{
	struct sweep sw;
	int r1, r2;

	do {
		sw.w = w;
		sw.n = 0;
		dc_walk(w->h.sys, DC_NO_NODE, DC_WALK_USED, sweep_range, &sw);
		for (int i = 0; i < sw.n; i++) {
			r1 = dc_free(w->h.sys, sw.r[i].b, sw.r[i].s);
			r2 = m_free(&w->m, sw.r[i].b, sw.r[i].s);
			CU_ASSERT_FATAL(same(w, "sweep", r1, r2, 0, 0));
		}
	} while (sw.n == 256);
	w->nlive = 0;
}

static void world_step(struct world *w)
{
	uint64_t k = h_rand_below(&w->rng, 100);
	struct dc_stats st;

	if (w->step % 4096 == 0)
		world_sweep(w);
	if (k < 45)
		op_alloc(w);
	else if (k < 78 && w->nlive)
		op_free_live(w);
	else if (k < 90)
		op_range(w, true);
	else if (k < 95)
		op_range(w, false);
	else if (k < 99)
		op_loose(w);
	else
		op_access_limit(w);
	CU_ASSERT_FATAL(dc_stats(w->h.sys, DC_NO_NODE, &st) == 0);
	if (st.free != m_free_bytes(&w->m) || st.metadata) {
		printf("\n  %s step %ld: free %llu, model %llu; DC_SEED=%llu\n",
		       w->backend, w->step, (unsigned long long)st.free,
		       (unsigned long long)m_free_bytes(&w->m),
		       (unsigned long long)seed0);
		CU_FAIL_FATAL("free bytes differ from the model");
	}
	if (dc_check(w->h.sys)) {
		printf("\n  %s step %ld: dc_check %d; DC_SEED=%llu\n", w->backend,
		       w->step, dc_check(w->h.sys), (unsigned long long)seed0);
		CU_FAIL_FATAL("dc_check");
	}
}

static void run_backend(const char *name, bool top_down)
{
	const struct dc_backend_ops *ops = dc_backend_find(name);
	struct world *w;
	long setup_ops = nops / 20;

	if (!ops)
		return;	/* not compiled into this configuration */
	w = calloc(1, sizeof(*w));
	w->backend = name;
	w->rng = seed0 ^ (top_down ? 0x9e3779b97f4a7c15ull : 0);
	h_init(&w->h, ops, 12, 64 << 20, top_down ? DC_CFG_TOP_DOWN : 0);
	m_init(&w->m, top_down);
	world_layout(w);
	/* SETUP: reservations, frees, firmware ranges, SRAT moves */
	for (w->step = 0; w->step < setup_ops; w->step++) {
		uint64_t k = h_rand_below(&w->rng, 10);

		/* some 10 SRAT moves: more would only split the map into
		 * more fragments and make dc_check after every step longer */
		if (k >= 8 && w->step < 50)
			op_set_node(w);
		else if (k == 7)
			op_loose(w);
		else
			op_range(w, k < 4);
		CU_ASSERT_FATAL(dc_check(w->h.sys) == 0);
	}
	CU_ASSERT_FATAL(dc_finalize(w->h.sys) == 0);
	w->m.ready = true;
	for (; w->step < nops; w->step++)
		world_step(w);
	CU_ASSERT(h_accounting_ok(w->h.sys));
	m_fini(&w->m);
	h_fini(&w->h);
	free(w);
}

static void tree_top_down_matches_model(void) { run_backend("tree", true); }
static void tree_bottom_up_matches_model(void) { run_backend("tree", false); }
static void array_top_down_matches_model(void) { run_backend("array", true); }
static void array_bottom_up_matches_model(void) { run_backend("array", false); }

int main(int argc, char **argv)
{
	CU_pSuite s;

	seed0 = h_seed(argc, argv, 1);
	nops = argc > 2 ? atol(argv[2]) : h_env("DC_OPS", 1000000);
	printf("%ld operations per run (half each direction)\n", nops);
	nops /= 2;
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("byte-exact backends against the model", NULL, NULL);
	CU_add_test(s, "tree_top_down_matches_model", tree_top_down_matches_model);
	CU_add_test(s, "tree_bottom_up_matches_model", tree_bottom_up_matches_model);
	CU_add_test(s, "array_top_down_matches_model", array_top_down_matches_model);
	CU_add_test(s, "array_bottom_up_matches_model", array_bottom_up_matches_model);
	return h_run();
}
