// SPDX-License-Identifier: BSD-3-Clause
/*
 * route.c - dc_alloc: which node answers a request, and in which order.
 *
 * The rules are DESIGN.md's "Exact meanings": the preferred node, then the
 * other nodes by increasing distance from it (ties to the lower nid), the
 * first node with a fit winning; DC_NO_NODE searches all memory at once
 * (the highest, or lowest, fit over every node); with DC_REQ_RELAX_MIN the
 * whole search is repeated from address 0. Linux builds the same order
 * once per node (zonelists); we walk it on demand instead, which costs
 * O(nodes) per fallback step and nothing when the preferred node fits.
 *
 * A node is asked first with the backend's pure find(); only a node that
 * has a fit holds pool entries (possibly stealing) and allocates, so a
 * request that fails everywhere steals nothing.
 */
#include "nodes/node.h"

#define DC_REQ_ALL (DC_REQ_EXACT_NODE | DC_REQ_TOP_DOWN | DC_REQ_BOTTOM_UP | \
		    DC_REQ_RELAX_MIN | DC_REQ_ZERO)

/* n has a fit (find() said so): hold entries, then take it. The fit is
 * searched again because holding entries may steal a page of n. */
static int node_take(struct dc_node *n, const struct dc_window *w,
		     dc_addr_t *out)
{
	const struct dc_backend_ops *ops = n->sys->ops;
	int r = ops->prepare(n, 1);

	if (!r)
		r = ops->alloc(n, w, out);
	if (ops->finish)
		ops->finish(n);
	dc_pool_finish(n);
	return r;
}

/* Find a fit on n and take it. */
static int node_alloc(struct dc_node *n, const struct dc_window *w,
		      dc_addr_t *out)
{
	dc_addr_t a;

	if (n->sys->ops->find(n, w, &a))
		return DC_ENOMEM;
	return node_take(n, w, out);
}

/* The next node after (dist, nid) in the fallback order from pref, or
 * NULL. Order: (distance, nid) ascending. */
static struct dc_node *next_by_distance(const struct dc_system *sys,
					const struct dc_node *pref,
					unsigned dist, int nid)
{
	struct dc_node *best = 0, *c;
	unsigned bd = 0, d;

	for (unsigned i = 0; i < sys->nr_nodes; i++) {
		c = sys->node[sys->present[i]];
		d = dc_distance(sys, pref, c);
		if (c == pref || d < dist || (d == dist && c->nid <= nid))
			continue;
		if (!best || d < bd)	/* present[] ascends: ties keep lower */
			best = c, bd = d;
	}
	return best;
}

/*
 * DC_NO_NODE: the highest (lowest) fit over all memory. The fragment map
 * is walked from the window's far end, and each fragment's node is asked
 * for a fit inside that fragment only: fragments are disjoint and sorted,
 * so the first fit found is the answer, and the nodes below (above) it
 * are never searched.
 */
static int alloc_anywhere(struct dc_system *sys, const struct dc_window *w,
			  dc_addr_t *out, struct dc_node **won)
{
	struct dc_window fw = *w;
	struct dc_extent *f;
	dc_addr_t a;

	f = dc_tree_find_le(&sys->fragments, w->top_down ? w->last : w->lo);
	if (!w->top_down && (!f || f->last < w->lo))
		f = f ? dc_tree_next(f) : dc_tree_first(&sys->fragments);
	for (; f; f = w->top_down ? dc_tree_prev(f) : dc_tree_next(f)) {
		if (w->top_down ? f->last < w->lo : f->base > w->last)
			break;
		fw.lo = f->base > w->lo ? f->base : w->lo;
		fw.last = f->last < w->last ? f->last : w->last;
		if (fw.last - fw.lo < w->size - 1 ||
		    sys->ops->find(sys->node[f->nid], &fw, &a))
			continue;
		*won = sys->node[f->nid];
		return node_take(*won, &fw, out);
	}
	return DC_ENOMEM;
}

static int alloc_from(struct dc_system *sys, struct dc_node *pref,
		      bool exact, const struct dc_window *w, dc_addr_t *out,
		      struct dc_node **won)
{
	struct dc_node *n = pref;
	unsigned dist = 0;
	int r;

	if (!pref)
		return alloc_anywhere(sys, w, out, won);
	while (n) {
		r = node_alloc(n, w, out);
		if (r != DC_ENOMEM) {
			*won = n;
			return r;
		}
		if (exact)
			break;
		if (n != pref)
			dist = dc_distance(sys, pref, n);
		n = next_by_distance(sys, pref, n == pref ? 0 : dist,
				     n == pref ? -1 : n->nid);
	}
	return DC_ENOMEM;
}

/* Zero the bytes; a range phys_to_virt cannot map is given back. */
static int alloc_zero(struct dc_system *sys, struct dc_node *n, dc_addr_t a,
		      dc_size_t size)
{
	void *v = sys->plat.phys_to_virt(sys->plat.ctx, a, size);

	if (v) {
		memset(v, 0, (size_t)size);
		return DC_OK;
	}
	if (!sys->ops->prepare(n, 1))
		sys->ops->free(n, a, a + (size - 1));
	if (sys->ops->finish)
		sys->ops->finish(n);
	dc_pool_finish(n);
	return DC_EINVAL;
}

static int req_window(const struct dc_system *sys, const struct dc_request *q,
		      struct dc_window *w)
{
	dc_addr_t last;

	if (!q->size || (q->flags & ~DC_REQ_ALL) ||
	    (q->align && !dc_is_pow2(q->align)) ||
	    ((q->flags & DC_REQ_TOP_DOWN) && (q->flags & DC_REQ_BOTTOM_UP)))
		return DC_EINVAL;
	if (q->nid != DC_NO_NODE && !dc_node_get(sys, q->nid))
		return DC_EINVAL;
	if (q->max_addr && q->min_addr >= q->max_addr)
		return DC_EINVAL;
	if (dc_range_last(q->min_addr, q->size, &last))
		return DC_ERANGE;
	w->lo = q->min_addr;
	w->last = q->max_addr ? q->max_addr - 1 : DC_ADDR_MAX;
	w->size = q->size;
	w->align = q->align ? q->align : DC_DEFAULT_ALIGN;
	if (q->flags & (DC_REQ_TOP_DOWN | DC_REQ_BOTTOM_UP))
		w->top_down = q->flags & DC_REQ_TOP_DOWN;
	else
		w->top_down = sys->flags & DC_CFG_TOP_DOWN;
	return DC_OK;
}

int dc_alloc(struct dc_system *sys, const struct dc_request *req,
	     dc_addr_t *out)
{
	struct dc_node *pref, *won = 0;
	struct dc_window w;
	dc_addr_t a;
	bool exact;
	int r;

	if (!dc_sys_ok(sys) || !req || !out)
		return DC_EINVAL;
	r = req_window(sys, req, &w);
	if (r)
		return r;
	if (sys->phase != DC_READY)
		return DC_ESTATE;
	pref = req->nid == DC_NO_NODE ? 0 : sys->node[req->nid];
	exact = req->flags & DC_REQ_EXACT_NODE;
	r = alloc_from(sys, pref, exact, &w, &a, &won);
	if (r == DC_ENOMEM && (req->flags & DC_REQ_RELAX_MIN) && w.lo) {
		w.lo = 0;
		r = alloc_from(sys, pref, exact, &w, &a, &won);
	}
	if (!r && (req->flags & DC_REQ_ZERO))
		r = alloc_zero(sys, won, a, req->size);
	if (r) {
		if (pref)
			pref->failed++;
		else
			sys->failed_anynode++;
		return r;
	}
	won->allocs++;
	*out = a;
	return DC_OK;
}
