// SPDX-License-Identifier: BSD-3-Clause
/*
 * check.c - dc_check: every invariant of a system, re-derived.
 *
 * Numbers returned (the first broken one wins):
 *  1  the fragment tree breaks a tree invariant (core/tree.h T1..T4)
 *  2  a fragment belongs to an absent node, or touches a fragment of its
 *     own node (same-node neighbours must have merged)
 *  3  a node's memory or fragment count differs from its fragments, or
 *     the nodes' memory does not add up to the system's
 *  4  present[] is not the ascending list of nodes, or nr_nodes is wrong
 *  5  a node's metadata tree breaks a tree invariant
 *  6  a metadata block lies outside its node's fragments
 *  7  a free range lies outside its node's fragments or overlaps metadata
 *  8  accounting: taken + free != memory, or metadata > taken, or the
 *     free ranges do not add up to the backend's free count
 *  9  the pool: bounds out of order, or entries still held, steals
 *     journaled, nodes touched or ranges excluded outside a call
 * 10  the distance table's size differs from the nodes present
 * 100+k  the backend's own invariant k (backends/<name>.c)
 */
#include "nodes/node.h"

static bool inside_fragment(const struct dc_system *sys, int nid,
			    dc_addr_t b, dc_addr_t l)
{
	const struct dc_extent *f = dc_tree_find_le(&sys->fragments, b);

	return f && f->nid == nid && f->last >= l;
}

static int check_fragments(const struct dc_system *sys)
{
	const struct dc_extent *f, *prev = 0;

	if (dc_tree_check(&sys->fragments, false))
		return 1;
	for (f = dc_tree_first(&sys->fragments); f; prev = f,
	     f = dc_tree_next(f)) {
		if (!dc_node_get(sys, f->nid))
			return 2;
		if (prev && prev->nid == f->nid && prev->last + 1 == f->base)
			return 2;
	}
	return 0;
}

static int check_present(const struct dc_system *sys)
{
	unsigned count = 0;

	for (int nid = 0; nid < DC_MAX_NODES; nid++) {
		if (!sys->node[nid])
			continue;
		if (count >= sys->nr_nodes || sys->present[count] != nid ||
		    sys->node[nid]->nid != nid)
			return 4;
		count++;
	}
	return count == sys->nr_nodes ? 0 : 4;
}

static int check_node(const struct dc_node *n)
{
	const struct dc_system *sys = n->sys;
	const struct dc_extent *e;
	struct dc_backend_stats bs;
	dc_size_t mem = 0, frags = 0, free = 0;
	dc_addr_t from, b, l;
	int r;

	for (e = dc_tree_first(&sys->fragments); e; e = dc_tree_next(e))
		if (e->nid == n->nid)
			mem += e->last - e->base + 1, frags++;
	if (mem != n->memory || frags != n->fragments)
		return 3;
	if (dc_tree_check(&n->meta, false))
		return 5;
	for (e = dc_tree_first(&n->meta); e; e = dc_tree_next(e))
		if (!inside_fragment(sys, n->nid, e->base, e->last))
			return 6;
	for (from = 0; !sys->ops->next_free(n, from, &b, &l); from = l + 1) {
		if (b < from || l < b ||
		    !inside_fragment(sys, n->nid, b, l) ||
		    dc_meta_overlaps(n, b, l))
			return 7;
		free += l - b + 1;
		if (l == DC_ADDR_MAX)
			break;
	}
	r = sys->ops->check(n);
	if (r)
		return 100 + r;
	sys->ops->stats(n, &bs);
	if (bs.taken + bs.free != n->memory || n->meta.bytes > bs.taken)
		return 8;
	/* a page-granular backend walks whole pages only */
	if (!sys->ops->page_granular && free != bs.free)
		return 8;
	if (n->nheld || n->touched || n->txn_next)
		return 9;
	return 0;
}

int dc_check(const struct dc_system *sys)
{
	const struct dc_pool *p;
	dc_size_t total = 0;
	int r;

	if (!dc_sys_ok(sys))
		return DC_EINVAL;
	if (sys->phase == DC_GONE)
		return DC_ESTATE;
	r = check_fragments(sys);
	if (!r)
		r = check_present(sys);
	for (unsigned i = 0; !r && i < sys->nr_nodes; i++) {
		r = check_node(sys->node[sys->present[i]]);
		total += sys->node[sys->present[i]]->memory;
	}
	if (!r && total != sys->total_memory)
		r = 3;
	if (r)
		return r;
	p = &sys->pool;
	if (p->lo > p->hi || p->lo < p->start || p->hi > p->end ||
	    ((p->lo | p->hi) & (DC_POOL_ENTRY_SIZE - 1)) || sys->txn.journal ||
	    sys->txn.touched || sys->txn.nexcl || sys->txn.finalizing)
		return 9;
	if (sys->distance && sys->dim != sys->nr_nodes)
		return 10;
	return 0;
}
