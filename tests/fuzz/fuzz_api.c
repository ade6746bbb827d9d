// SPDX-License-Identifier: BSD-3-Clause
/*
 * fuzz_api.c - libFuzzer target for the public API (issue 14): the input
 * picks a backend, a direction, a small initial pool and a place in the
 * address space (near 0 or ending at 2^64), then a sequence of calls over
 * the whole API on up to four nodes of a 16 MiB window. After every call:
 *
 *  - dc_check() is 0 and memory = used + metadata + free + released, per
 *    node and in total (h_accounting_ok), and each walk adds up to its stat;
 *  - a failed call changed nothing: every stat and walk as before
 *    (h_snap_equal; only the failed-allocation counter may move);
 *  - free, used and metadata ranges never overlap and lie inside memory;
 *    every live allocation lies inside a used range, and no two overlap;
 *  - tree and array: the byte-exact model (tests/support/model.c) gives
 *    the same result and address, and its free bytes are the FREE walk.
 *    Metadata is not the model's business: what the call stole is taken
 *    out of the model's free bytes afterwards, and must have been free in
 *    it (a steal from the call's target or from used memory fails there).
 *    Calls the model cannot predict (DC_ENOSPC, ZERO while phys_to_virt
 *    refuses, remove_memory) are checked by the other rules only.
 *
 * The same file is a plain program with tests/fuzz/driver.c (gcc, the
 * normal build), which replays the committed corpus under ASan and UBSan.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "harness.h"
#include "model.h"

#define NR_NODES 4
#define WINDOW (1ull << 24)
#define MAX_LIVE 64
#define MAX_OPS 256

static const struct dc_backend_ops *const backends[] = {
#if DC_CONFIG_HAVE_TREE
	&dc_backend_tree,
#endif
#if DC_CONFIG_HAVE_ARRAY
	&dc_backend_array,
#endif
#if DC_CONFIG_HAVE_BITMAP
	&dc_backend_bitmap,
#endif
};
#define NR_BACKENDS (sizeof(backends) / sizeof(backends[0]))

struct live {
	dc_addr_t b;
	dc_size_t s;
};

struct world {
	struct fz_in in;
	struct dc_system sys;	/* large: kept out of the stack frame */
	struct dc_host_mem mem;
	struct dc_platform plat;
	struct dc_config cfg;
	void *pool;
	dc_addr_t lo;		/* the window: [lo, lo + WINDOW) */
	dc_addr_t refuse_from;	/* phys_to_virt refuses from here; 0 never */
	struct dc_model m;
	bool model;		/* the model still describes the system */
	struct live live[MAX_LIVE];
	int nlive;
	struct fz_ranges meta;	/* the METADATA walk after the last call */
};

static void *w_phys_to_virt(void *ctx, dc_addr_t pa, dc_size_t len)
{
	struct world *w = ctx;

	if (w->refuse_from && len && pa + (len - 1) >= w->refuse_from)
		return NULL;
	return dc_host_phys_to_virt(&w->mem, pa, len);
}

/* ---- arguments from the input ------------------------------------------ */

static dc_addr_t arg_addr(struct world *w)
{
	unsigned mode = fz_u8(&w->in);
	dc_addr_t off = fz_u32(&w->in) % WINDOW;

	if (mode & 1)
		off &= ~0xfffull;
	if ((mode & 6) == 6)	/* outside the window: a stray address */
		return fz_u64(&w->in);
	return w->lo + off;
}

static dc_size_t arg_size(struct world *w)
{
	unsigned mode = fz_u8(&w->in);

	switch (mode & 3) {
	case 0:
		return fz_u8(&w->in);			/* 0..255 bytes */
	case 1:
		return 0x1000ull * (1 + fz_u8(&w->in) % 64);	/* pages */
	case 2:
		return fz_u32(&w->in) % (1u << 20);
	default:
		return mode & 4 ? fz_u64(&w->in) : 1 + fz_u16(&w->in);
	}
}

static int arg_nid(struct world *w)
{
	unsigned v = fz_u8(&w->in);

	if (v < 240)
		return (int)(v % NR_NODES);
	if (v == 255)
		return -5;				/* bad */
	return v < 250 ? DC_NO_NODE : (int)v - 240;	/* absent */
}

/* ---- the checks ---------------------------------------------------------- */

static void check_ranges(struct world *w)
{
	struct fz_ranges r[4] = { 0 }, all = { 0 };
	struct dc_stats st;
	size_t i;

	for (int k = DC_WALK_MEMORY; k <= DC_WALK_METADATA; k++)
		fz_walk(&w->sys, (enum dc_walk_kind)k, &r[k]);
	FZ_CHECK(dc_stats(&w->sys, DC_NO_NODE, &st) == 0, "stats");
	FZ_CHECK(fz_bytes(&r[DC_WALK_MEMORY]) == st.memory &&
		 fz_bytes(&r[DC_WALK_FREE]) == st.free &&
		 fz_bytes(&r[DC_WALK_USED]) == st.used &&
		 fz_bytes(&r[DC_WALK_METADATA]) == st.metadata,
		 "walks do not add up to the stats");
	for (int k = DC_WALK_FREE; k <= DC_WALK_METADATA; k++)
		for (i = 0; i < r[k].n; i++) {
			FZ_CHECK(fz_covers(&r[DC_WALK_MEMORY], r[k].v[i].b,
					   r[k].v[i].l),
				 "walk %d range [%#llx-%#llx] not memory", k,
				 (unsigned long long)r[k].v[i].b,
				 (unsigned long long)r[k].v[i].l);
			fz_push(&all, r[k].v[i].b, r[k].v[i].l, k);
		}
	fz_sort(&all);
	for (i = 1; i < all.n; i++)
		FZ_CHECK(all.v[i].b > all.v[i - 1].l,
			 "walks %d and %d overlap at %#llx", all.v[i - 1].nid,
			 all.v[i].nid, (unsigned long long)all.v[i].b);
	fz_merge(&r[DC_WALK_USED]);
	for (i = 0; i < (size_t)w->nlive; i++)
		FZ_CHECK(fz_covers(&r[DC_WALK_USED], w->live[i].b,
				   w->live[i].b + (w->live[i].s - 1)),
			 "allocation %#llx+%#llx is not used",
			 (unsigned long long)w->live[i].b,
			 (unsigned long long)w->live[i].s);
	if (w->model) {
		struct fz_ranges mf = { 0 };

		for (i = 0; i < w->m.nfree; i++)
			fz_push(&mf, w->m.free[i].b, w->m.free[i].l, 0);
		fz_merge(&mf);
		fz_merge(&r[DC_WALK_FREE]);
		FZ_CHECK(fz_equal(&mf, &r[DC_WALK_FREE]),
			 "model free bytes differ from the FREE walk");
		fz_free(&mf);
	}
	for (int k = 0; k < 4; k++)
		fz_free(&r[k]);
	fz_free(&all);
}

/* Take what the call stole out of the model's free bytes; give back what
 * stopped being metadata. */
static void sync_metadata(struct world *w)
{
	struct fz_ranges now = { 0 }, d = { 0 };
	size_t i;

	fz_walk(&w->sys, DC_WALK_METADATA, &now);
	fz_merge(&now);
	if (w->model) {
		fz_minus(&w->meta, &now, &d);	/* no longer metadata */
		for (i = 0; i < d.n; i++)
			FZ_CHECK(m_free(&w->m, d.v[i].b,
					d.v[i].l - d.v[i].b + 1) == 0,
				 "metadata given back was not in use");
		d.n = 0;
		fz_minus(&now, &w->meta, &d);	/* new metadata */
		for (i = 0; i < d.n; i++)
			FZ_CHECK(m_reserve(&w->m, d.v[i].b,
					   d.v[i].l - d.v[i].b + 1) == 0,
				 "metadata [%#llx-%#llx] stolen from memory "
				 "that was not free",
				 (unsigned long long)d.v[i].b,
				 (unsigned long long)d.v[i].l);
	}
	fz_free(&w->meta);
	w->meta = now;
	fz_free(&d);
}

/* The model's result must match when it can predict the call. */
static void expect_model(struct world *w, const char *call, int rc, int mrc)
{
	FZ_CHECK(rc == mrc, "%s: system %d, model %d", call, rc, mrc);
}

/*
 * Everything observable (harness.h's snapshot, restricted to the nids an
 * input can name: h_snap asks all DC_MAX_NODES, 50 times slower). The
 * failed-allocation counter is the one thing a failed call changes.
 */
#define SNAP_NIDS 16

struct snap {
	int phase, check;
	struct dc_stats st[SNAP_NIDS + 1];
	int rc[SNAP_NIDS + 1];
	struct fz_ranges walk[4];
};

static void snap_take(const struct world *w, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	s->phase = dc_phase(&w->sys);
	s->check = dc_check(&w->sys);
	for (int nid = -1; nid < SNAP_NIDS; nid++) {
		s->rc[nid + 1] = dc_stats(&w->sys, nid, &s->st[nid + 1]);
		s->st[nid + 1].failed = 0;
	}
	for (int k = DC_WALK_MEMORY; k <= DC_WALK_METADATA; k++)
		fz_walk(&w->sys, (enum dc_walk_kind)k, &s->walk[k]);
}

static bool snap_equal(const struct snap *a, const struct snap *b)
{
	bool same = a->phase == b->phase && a->check == b->check &&
		    !memcmp(a->st, b->st, sizeof(a->st)) &&
		    !memcmp(a->rc, b->rc, sizeof(a->rc));

	if (!same)
		fprintf(stderr, "snapshot: phase, check or stats differ\n");
	for (int nid = -1; nid < SNAP_NIDS && !same; nid++)
		if (memcmp(&a->st[nid + 1], &b->st[nid + 1], sizeof(a->st[0])))
			fprintf(stderr, "  stats of nid %d differ\n", nid);
	for (int k = 0; k < 4 && same; k++) {
		/* field by field: struct fz_range has padding */
		same = a->walk[k].n == b->walk[k].n;
		for (size_t i = 0; same && i < a->walk[k].n; i++)
			same = a->walk[k].v[i].b == b->walk[k].v[i].b &&
			       a->walk[k].v[i].l == b->walk[k].v[i].l &&
			       a->walk[k].v[i].nid == b->walk[k].v[i].nid;
		if (!same)
			fprintf(stderr, "snapshot: walk %d differs\n", k);
	}
	return same;
}

static void snap_free(struct snap *s)
{
	for (int k = 0; k < 4; k++)
		fz_free(&s->walk[k]);
}

/* ---- the calls ----------------------------------------------------------- */

static int op_add(struct world *w)
{
	int nid = arg_nid(w);
	dc_addr_t b = arg_addr(w);
	dc_size_t s = arg_size(w) % (1u << 20);
	int rc = dc_add_memory(&w->sys, nid, b, s);

	if (rc == 0)
		dc_host_mem_add(&w->mem, nid, b, s);
	if (w->model && rc != DC_ENOSPC)
		expect_model(w, "add_memory", rc, m_add(&w->m, nid, b, s));
	return rc;
}

static int op_remove(struct world *w)
{
	int rc = dc_remove_memory(&w->sys, arg_addr(w), arg_size(w));

	if (rc == 0)
		w->model = false;	/* the model cannot remove memory */
	return rc;
}

static int op_alloc(struct world *w)
{
	struct dc_request q;
	dc_addr_t a = 1, ma = 2;
	unsigned k = fz_u8(&w->in);
	int rc, mrc;
	bool unpredictable;

	q.size = arg_size(w);
	q.align = k < 64 ? 0 : k < 240 ? 1ull << (k % 20) : k;
	q.min_addr = fz_u8(&w->in) & 1 ? arg_addr(w) : 0;
	q.max_addr = fz_u8(&w->in) & 1 ? arg_addr(w) : 0;
	q.nid = arg_nid(w);
	q.flags = fz_u8(&w->in) & 0x3f;
	rc = dc_alloc(&w->sys, &q, &a);
	if (rc)
		FZ_CHECK(a == 1, "failed dc_alloc wrote its out-pointer");
	unpredictable = rc == DC_ENOSPC ||
			((q.flags & DC_REQ_ZERO) && w->refuse_from);
	if (w->model && !unpredictable) {
		mrc = m_alloc(&w->m, &q, &ma);
		expect_model(w, "alloc", rc, mrc);
		FZ_CHECK(rc || a == ma, "alloc: system %#llx, model %#llx",
			 (unsigned long long)a, (unsigned long long)ma);
	} else if (w->model && rc == 0) {
		FZ_CHECK(m_reserve(&w->m, a, q.size) == 0,
			 "alloc returned bytes that were not free");
	}
	if (rc)
		return rc;
	FZ_CHECK(!(a & ((q.align ? q.align : DC_DEFAULT_ALIGN) - 1)) &&
		 (a >= q.min_addr || (q.flags & DC_REQ_RELAX_MIN)) &&
		 (!q.max_addr || a + q.size <= q.max_addr),
		 "alloc %#llx breaks its request", (unsigned long long)a);
	if (w->nlive < MAX_LIVE) {
		w->live[w->nlive++] = (struct live){ a, q.size };
		return 0;
	}
	FZ_CHECK(dc_free(&w->sys, a, q.size) == 0, "free of an allocation");
	if (w->model)
		FZ_CHECK(m_free(&w->m, a, q.size) == 0, "model free");
	return 0;
}

static int op_free(struct world *w)
{
	unsigned k = fz_u8(&w->in);
	dc_addr_t b;
	dc_size_t s;
	int rc;

	if (w->nlive && k < 200) {	/* a live allocation, whole */
		int i = k % w->nlive;

		b = w->live[i].b;
		s = w->live[i].s;
		rc = dc_free(&w->sys, b, s);
		if (rc == 0)
			w->live[i] = w->live[--w->nlive];
	} else {			/* anything: only unused live bytes */
		b = arg_addr(w);
		s = arg_size(w);
		for (int i = 0; i < w->nlive; i++)
			if (s && b <= w->live[i].b + (w->live[i].s - 1) &&
			    w->live[i].b <= b + (s - 1))
				return 0;
		rc = dc_free(&w->sys, b, s);
	}
	if (w->model && rc != DC_ENOSPC)
		expect_model(w, "free", rc, m_free(&w->m, b, s));
	return rc;
}

static int op_reserve(struct world *w, bool loose)
{
	dc_addr_t b = arg_addr(w);
	dc_size_t s = arg_size(w), n1 = 7, n2 = 8;
	int rc;

	if (!loose) {
		rc = dc_reserve(&w->sys, b, s);
		if (w->model && rc != DC_ENOSPC)
			expect_model(w, "reserve", rc, m_reserve(&w->m, b, s));
		return rc;
	}
	rc = dc_reserve_loose(&w->sys, b, s, &n1);
	if (rc)
		FZ_CHECK(n1 == 7, "failed reserve_loose wrote newly");
	if (w->model && rc != DC_ENOSPC) {
		expect_model(w, "reserve_loose", rc,
			     m_reserve_loose(&w->m, b, s, &n2));
		FZ_CHECK(rc || n1 == n2, "reserve_loose: newly %llu, model "
			 "%llu", (unsigned long long)n1,
			 (unsigned long long)n2);
	}
	return rc;
}

static void count_release(void *ctx, int nid, dc_addr_t base, unsigned order)
{
	(*(dc_size_t *)ctx) += (dc_size_t)1 << order;
}

static int op_misc(struct world *w, unsigned op)
{
	dc_size_t pages = 0, bytes = 0;
	int a, b, rc;
	dc_addr_t x;

	switch (op) {
	case 0:
		a = arg_nid(w);
		b = arg_nid(w);
		x = fz_u8(&w->in);
		rc = dc_set_distance(&w->sys, a, b, (unsigned)x);
		if (w->model && rc == 0)
			m_set_distance(&w->m, a, b, (unsigned)x);
		return rc;
	case 1:
		a = arg_nid(w);
		rc = dc_add_node(&w->sys, a);
		if (w->model && rc != DC_ENOSPC)
			expect_model(w, "add_node", rc, m_add_node(&w->m, a));
		return rc;
	case 2:
		x = arg_addr(w);
		bytes = arg_size(w);
		a = arg_nid(w);
		rc = dc_set_node(&w->sys, x, bytes, a);
		if (w->model && rc != DC_ENOSPC)
			expect_model(w, "set_node", rc,
				     m_set_node(&w->m, x, bytes, a));
		return rc;
	case 3:
		x = fz_u8(&w->in) & 1 ? arg_addr(w) : 0;
		rc = dc_set_access_limit(&w->sys, x);
		if (w->model && rc == 0)
			m_set_access_limit(&w->m, x);
		return rc;
	case 4:
		rc = dc_finalize(&w->sys);
		if (w->model && rc == 0)
			w->m.ready = true;
		return rc;
	case 5:		/* phys_to_virt refuses from an address, or never */
		w->refuse_from = fz_u8(&w->in) & 1 ? arg_addr(w) : 0;
		return 0;
	case 6:
		if (fz_u8(&w->in) < 224)
			return 0;
		rc = dc_release_all(&w->sys, count_release, &pages, &bytes);
		if (rc == 0)
			w->model = false;
		return rc;
	default:
		if (fz_u8(&w->in) < 224)
			return 0;
		return dc_release_metadata(&w->sys, count_release, &pages,
					   &bytes);
	}
}

static int op_call(struct world *w, unsigned op)
{
	switch (op % 16) {
	case 0:
	case 1:
		return op_add(w);
	case 2:
		return op_remove(w);
	case 3:
		return op_reserve(w, false);
	case 4:
		return op_reserve(w, true);
	case 5:
	case 6:
	case 7:
	case 8:
		return op_alloc(w);
	case 9:
	case 10:
		return op_free(w);
	default:
		return op_misc(w, op % 16 - 11 + ((op >> 4) & 1) * 3);
	}
}

/* ---- one input ------------------------------------------------------------ */

static void world_init(struct world *w, const uint8_t *data, size_t size)
{
	unsigned h0, h1;

	memset(w, 0, sizeof(*w));
	w->in = (struct fz_in){ data, size };
	h0 = fz_u8(&w->in);
	h1 = fz_u8(&w->in);
	w->lo = h0 & 8 ? 0 - WINDOW : h0 & 16 ? 0x100000000ull : 0;
	w->pool = h1 ? malloc((size_t)h1 * DC_POOL_ENTRY_SIZE) : NULL;
	dc_host_mem_init(&w->mem, false);
	dc_host_platform(&w->mem, &w->plat, false);
	w->plat.phys_to_virt = w_phys_to_virt;
	w->plat.ctx = w;
	w->cfg.page_shift = 12;
	w->cfg.backend = backends[h0 % NR_BACKENDS];
	w->cfg.pool = w->pool;
	w->cfg.pool_bytes = (dc_size_t)h1 * DC_POOL_ENTRY_SIZE;
	w->cfg.flags = h0 & 4 ? DC_CFG_TOP_DOWN : 0;
	FZ_CHECK(dc_init(&w->sys, &w->cfg, &w->plat) == 0, "dc_init");
	m_init(&w->m, h0 & 4);
	w->model = w->cfg.backend != &dc_backend_bitmap;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct world w;
	static struct snap before, after;
	static int verbose = -1;
	unsigned op;
	int rc, n = 0;

	if (verbose < 0)	/* DC_FUZZ_VERBOSE=1: one line per call */
		verbose = getenv("DC_FUZZ_VERBOSE") != NULL;
	world_init(&w, data, size);
	while (w.in.n && n++ < MAX_OPS && dc_phase(&w.sys) != DC_GONE) {
		snap_take(&w, &before);
		op = fz_u8(&w.in);
		rc = op_call(&w, op);
		if (verbose)
			fprintf(stderr, "call %d: op %u -> %d\n", n, op, rc);
		snap_take(&w, &after);
		FZ_CHECK(rc == 0 || snap_equal(&before, &after),
			 "a failed call (%d) changed the system", rc);
		snap_free(&before);
		snap_free(&after);
		if (dc_phase(&w.sys) == DC_GONE)
			break;
		FZ_CHECK(dc_check(&w.sys) == 0, "dc_check %d",
			 dc_check(&w.sys));
		FZ_CHECK(h_accounting_ok(&w.sys), "bytes not conserved");
		if (rc == 0)
			sync_metadata(&w);
		check_ranges(&w);
	}
	fz_free(&w.meta);
	m_fini(&w.m);
	dc_host_mem_destroy(&w.mem);
	free(w.pool);
	return 0;
}
