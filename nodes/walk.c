// SPDX-License-Identifier: BSD-3-Clause
/*
 * walk.c - the read-only side: dc_walk, dc_node_of, dc_stats.
 *
 * Every walk goes fragment by fragment in address order (a free extent or
 * a metadata block never crosses a fragment: same-node neighbours merge),
 * so one loop serves a single node and "all nodes by address" alike. Within
 * a fragment, used memory is what lies between free extents and metadata
 * blocks. After dc_release_all the backends still hold the released pages
 * as free; a walk shows only the partial pages that stayed behind.
 */
#include "nodes/node.h"

/* Touching ranges of one node reach fn as one. */
struct emitter {
	dc_walk_fn fn;
	void *ctx;
	int nid;
	bool have;
	dc_addr_t b, l;
};

static int emit_flush(struct emitter *em)
{
	if (!em->have)
		return 0;
	em->have = false;
	return em->fn(em->ctx, em->nid, em->b, em->l - em->b + 1);
}

static int emit(struct emitter *em, int nid, dc_addr_t b, dc_addr_t l)
{
	int r;

	if (em->have && em->nid == nid && em->l != DC_ADDR_MAX &&
	    em->l + 1 == b) {
		em->l = l;
		return 0;
	}
	r = emit_flush(em);
	em->have = true;
	em->nid = nid;
	em->b = b;
	em->l = l;
	return r;
}

/* After RETIRED: the part of a free range that was not handed over. */
static int emit_free(struct emitter *em, const struct dc_node *n,
		     dc_addr_t b, dc_addr_t l)
{
	dc_addr_t pb, pl;
	int r;

	if (n->sys->phase == DC_READY || n->sys->phase == DC_SETUP ||
	    !dc_whole_pages(n->sys, b, l, &pb, &pl))
		return emit(em, n->nid, b, l);
	r = pb > b ? emit(em, n->nid, b, pb - 1) : 0;
	if (!r && pl < l)
		r = emit(em, n->nid, pl + 1, l);
	return r;
}

/* The next free range of n at or after pos, clipped to fragment end fl. */
static bool next_free_in(const struct dc_node *n, dc_addr_t pos, dc_addr_t fl,
			 dc_addr_t *b, dc_addr_t *l)
{
	if (n->sys->ops->next_free(n, pos, b, l) || *b > fl)
		return false;
	if (*l > fl)
		*l = fl;
	return true;
}

/* The next metadata block of n overlapping [pos, fl], clipped. */
static bool next_meta_in(const struct dc_node *n, dc_addr_t pos, dc_addr_t fl,
			 dc_addr_t *b, dc_addr_t *l)
{
	const struct dc_extent *e = dc_tree_find_le(&n->meta, pos);

	if (!e || e->last < pos)
		e = e ? dc_tree_next(e) : dc_tree_first(&n->meta);
	if (!e || e->base > fl)
		return false;
	*b = e->base < pos ? pos : e->base;
	*l = e->last > fl ? fl : e->last;
	return true;
}

static int walk_fragment(const struct dc_node *n, dc_addr_t fb, dc_addr_t fl,
			 enum dc_walk_kind kind, struct emitter *em)
{
	dc_addr_t pos = fb, b1, l1, b2, l2, b, l;
	bool f, m;
	int r = 0;

	if (kind == DC_WALK_MEMORY)
		return emit(em, n->nid, fb, fl);
	for (;;) {
		f = kind != DC_WALK_METADATA && next_free_in(n, pos, fl, &b1, &l1);
		m = kind != DC_WALK_FREE && next_meta_in(n, pos, fl, &b2, &l2);
		if (f && (!m || b1 < b2))
			b = b1, l = l1;
		else if (m)
			b = b2, l = l2, f = false;
		else
			b = fl, l = fl;	/* nothing more: used up to the end */
		if (kind == DC_WALK_USED) {
			if (!f && !m)
				return emit(em, n->nid, pos, fl);
			if (b > pos)
				r = emit(em, n->nid, pos, b - 1);
		} else if (!f && !m) {
			return 0;
		} else {
			r = f ? emit_free(em, n, b, l) : emit(em, n->nid, b, l);
		}
		if (r || l == fl)
			return r;
		pos = l + 1;
	}
}

int dc_walk(const struct dc_system *sys, int nid, enum dc_walk_kind kind,
	    dc_walk_fn fn, void *ctx)
{
	struct emitter em = { .fn = fn, .ctx = ctx };
	const struct dc_extent *f;
	int r = 0;

	if (!dc_sys_ok(sys) || !fn || kind < DC_WALK_MEMORY ||
	    kind > DC_WALK_METADATA)
		return DC_EINVAL;
	if (nid != DC_NO_NODE && !dc_node_get(sys, nid))
		return DC_EINVAL;
	if (sys->phase == DC_GONE)
		return DC_ESTATE;
	for (f = dc_tree_first(&sys->fragments); f && !r; f = dc_tree_next(f))
		if (nid == DC_NO_NODE || f->nid == nid)
			r = walk_fragment(sys->node[f->nid], f->base, f->last,
					  kind, &em);
	return r ? r : emit_flush(&em);
}

int dc_node_of(const struct dc_system *sys, dc_addr_t addr)
{
	const struct dc_extent *f;

	if (!dc_sys_ok(sys))
		return DC_EINVAL;
	if (sys->phase == DC_GONE)
		return DC_ESTATE;
	f = dc_tree_find_le(&sys->fragments, addr);
	return f && f->last >= addr ? f->nid : DC_ENOENT;
}

/*
 * Backends keep counters that read no metadata memory, so stats work in
 * GONE too: memory = taken + free (backend), used = taken - metadata.
 */
void dc_node_stats(const struct dc_node *n, struct dc_stats *s)
{
	struct dc_backend_stats bs;

	n->sys->ops->stats(n, &bs);
	memset(s, 0, sizeof(*s));
	s->memory = n->memory;
	s->used = bs.taken - n->meta.bytes;
	s->metadata = n->meta.bytes - n->released_meta;
	s->free = bs.free - n->released;
	s->released = n->released + n->released_meta;
	s->fragments = n->fragments;
	s->free_extents = bs.free_extents;
	s->allocs = n->allocs;
	s->frees = n->frees;
	s->failed = n->failed;
	s->steals = n->steals;
	s->remote_steals = n->remote_steals;
	s->pool_free = n->nentries + n->nheld;
	s->page_handoffs = n->handoffs;
	s->nodes = 1;
}

int dc_stats(const struct dc_system *sys, int nid, struct dc_stats *out)
{
	struct dc_stats s, t;
	const struct dc_node *n;

	if (!dc_sys_ok(sys) || !out)
		return DC_EINVAL;
	if (nid != DC_NO_NODE) {
		n = dc_node_get(sys, nid);
		if (!n)
			return DC_EINVAL;
		dc_node_stats(n, out);
		out->pool_free += dc_pool_shared_avail(&sys->pool);
		return DC_OK;
	}
	memset(&t, 0, sizeof(t));
	for (unsigned i = 0; i < sys->nr_nodes; i++) {
		dc_node_stats(sys->node[sys->present[i]], &s);
		t.memory += s.memory;
		t.used += s.used;
		t.metadata += s.metadata;
		t.free += s.free;
		t.released += s.released;
		t.fragments += s.fragments;
		t.free_extents += s.free_extents;
		t.allocs += s.allocs;
		t.frees += s.frees;
		t.failed += s.failed;
		t.steals += s.steals;
		t.remote_steals += s.remote_steals;
		t.pool_free += s.pool_free;
		t.page_handoffs += s.page_handoffs;
		t.nodes++;
	}
	t.failed += sys->failed_anynode;
	t.pool_free += dc_pool_shared_avail(&sys->pool);
	*out = t;
	return DC_OK;
}
