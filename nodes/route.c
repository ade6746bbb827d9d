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
 * The search is pure: backends' find() (or, for DC_REQ_ZERO, dc_map_fit(),
 * which also makes sure phys_to_virt maps the fit). Only the node that has
 * the fit then holds pool entries, inside a transaction that targets the
 * fit: a steal can never take the memory the allocation is about to get
 * (it once took a fragment's only fitting page and the request failed
 * while 1 MiB lay free lower down), and a request that fails steals
 * nothing. Zeroing needs no give-back: the fit is known to map before
 * anything is taken.
 *
 * A preferred node that does not exist, or has no memory (a CPU-only node
 * of the SRAT), is not an error: the search falls back by distance from
 * it (DESIGN.md, dc_add_node), as Linux does for memoryless nodes.
 */
#include "nodes/node.h"

#define DC_REQ_ALL (DC_REQ_EXACT_NODE | DC_REQ_TOP_DOWN | DC_REQ_BOTTOM_UP | \
		    DC_REQ_RELAX_MIN | DC_REQ_ZERO)

/* What a search found: the node, the window it was found in, the
 * address and, for DC_REQ_ZERO, its mapping. */
struct fit {
	struct dc_node *n;
	struct dc_window w;
	dc_addr_t a;
	void *va;
};

static bool node_find(struct dc_node *n, const struct dc_window *w,
		      bool zero, struct fit *f)
{
	struct dc_window c = *w;
	int r = zero ? dc_map_fit(n, &c, &f->a, &f->va) :
		       n->sys->ops->find(n, &c, &f->a);

	if (r)
		return false;
	f->n = n;
	f->w = c;
	return true;
}

/* The next node after (dist, nid) in the fallback order from pref (NULL:
 * a node that does not exist), or NULL. Order: (distance, nid). */
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
static bool find_anywhere(struct dc_system *sys, const struct dc_window *w,
			  bool zero, struct fit *fit)
{
	struct dc_window fw = *w;
	struct dc_extent *f;

	f = dc_tree_find_le(&sys->fragments, w->top_down ? w->last : w->lo);
	if (!w->top_down && (!f || f->last < w->lo))
		f = f ? dc_tree_next(f) : dc_tree_first(&sys->fragments);
	for (; f; f = w->top_down ? dc_tree_prev(f) : dc_tree_next(f)) {
		if (w->top_down ? f->last < w->lo : f->base > w->last)
			break;
		fw.lo = f->base > w->lo ? f->base : w->lo;
		fw.last = f->last < w->last ? f->last : w->last;
		if (fw.last - fw.lo >= w->size - 1 &&
		    node_find(sys->node[f->nid], &fw, zero, fit))
			return true;
	}
	return false;
}

/* The preferred node (which may not exist: pref NULL), then the others by
 * distance from it, unless exact. */
static bool find_from(struct dc_system *sys, int nid, bool exact,
		      const struct dc_window *w, bool zero, struct fit *fit)
{
	struct dc_node *pref = dc_node_get(sys, nid), *n = pref;
	unsigned dist = 0;

	if (nid == DC_NO_NODE)
		return find_anywhere(sys, w, zero, fit);
	if (n && node_find(n, w, zero, fit))
		return true;
	if (exact)
		return false;
	for (n = next_by_distance(sys, pref, 0, -1); n;
	     n = next_by_distance(sys, pref, dist, n->nid)) {
		if (node_find(n, w, zero, fit))
			return true;
		dist = dc_distance(sys, pref, n);
	}
	return false;
}

/*
 * Take the fit found: hold entries on its node inside a transaction that
 * keeps steals away from it (a page-granular backend may also pack into
 * the page before and needs the page after free: whole pages around it
 * are kept away), then allocate in the same window, which must give the
 * same address since only memory outside the fit can have gone.
 */
static int take_fit(struct dc_system *sys, struct fit *f, dc_size_t size)
{
	const struct dc_backend_ops *ops = sys->ops;
	dc_size_t page = dc_page_size(sys);
	dc_addr_t xb = f->a, xl = f->a + (size - 1), got;
	int r;

	if (ops->page_granular) {
		xb = dc_align_down(xb, page);
		xl = dc_align_down(xl, page);
		xl = xl > DC_ADDR_MAX - (2 * page - 1) ? DC_ADDR_MAX :
		     xl + (2 * page - 1);
	}
	dc_txn_begin(sys, xb, xl);
	r = dc_node_prepare(f->n, 0, 1);
	if (!r)
		r = ops->alloc(f->n, &f->w, &got);
	if (!r && got != f->a)
		r = DC_ENOSPC;	/* our bug: a steal moved the fit */
	return dc_txn_end(sys, r);
}

static int req_window(const struct dc_system *sys, const struct dc_request *q,
		      struct dc_window *w)
{
	dc_addr_t last;

	if (!q->size || (q->flags & ~DC_REQ_ALL) ||
	    (q->align && !dc_is_pow2(q->align)) ||
	    ((q->flags & DC_REQ_TOP_DOWN) && (q->flags & DC_REQ_BOTTOM_UP)))
		return DC_EINVAL;
	if (q->nid != DC_NO_NODE && (q->nid < 0 || q->nid >= DC_MAX_NODES))
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
	struct dc_node *pref;
	struct dc_window w;
	struct fit fit;
	bool exact, zero, found;
	int r;

	if (!dc_sys_ok(sys) || !req || !out)
		return DC_EINVAL;
	r = req_window(sys, req, &w);
	if (r)
		return r;
	if (sys->phase != DC_READY)
		return DC_ESTATE;
	exact = req->flags & DC_REQ_EXACT_NODE;
	zero = req->flags & DC_REQ_ZERO;
	found = find_from(sys, req->nid, exact, &w, zero, &fit);
	if (!found && (req->flags & DC_REQ_RELAX_MIN) && w.lo) {
		w.lo = 0;
		found = find_from(sys, req->nid, exact, &w, zero, &fit);
	}
	r = found ? take_fit(sys, &fit, req->size) : DC_ENOMEM;
	if (r) {
		pref = dc_node_get(sys, req->nid);
		if (pref)
			pref->failed++;
		else
			sys->failed_anynode++;
		return r;
	}
	if (zero)
		memset(fit.va, 0, (size_t)req->size);
	fit.n->allocs++;
	*out = fit.a;
	return DC_OK;
}
