// SPDX-License-Identifier: BSD-3-Clause
/*
 * release.c - the hand-over to the page allocator: dc_release_all and
 * dc_release_metadata.
 *
 * Like Linux's __free_pages_memory(), each range goes out as the largest
 * naturally aligned power-of-two block of pages that fits at the current
 * position, up to DC_MAX_ORDER, and the walk moves on. The backends keep
 * their state (RETIRED still answers walks and stats, as memblock keeps its
 * arrays after memblock_free_all()); the node counts what left.
 *
 * The 2.4 hand-off freed every page on its own (free_all_bootmem); each
 * node also counts those order-0 frees (dc_stats.page_handoffs) so that the
 * bench can show what the per-page loop would have cost.
 */
#include "nodes/node.h"

bool dc_whole_pages(const struct dc_system *sys, dc_addr_t base,
		    dc_addr_t last, dc_addr_t *pb, dc_addr_t *pl)
{
	dc_size_t page = dc_page_size(sys);
	dc_addr_t b, end_page;

	if (!dc_align_up(base, page, &b) || b > last)
		return false;
	/* last page whose last byte is <= last */
	end_page = dc_align_down(last, page);
	if (last - end_page != page - 1) {
		if (!end_page)
			return false;
		end_page -= page;
	}
	if (end_page < b)
		return false;
	*pb = b;
	*pl = end_page + (page - 1);
	return true;
}

dc_size_t dc_release_pages(const struct dc_system *sys, int nid,
			   dc_addr_t base, dc_addr_t last, dc_release_fn fn,
			   void *ctx)
{
	unsigned shift = sys->page_shift, order;
	dc_addr_t p, pl;
	dc_size_t total = 0, block;

	if (!dc_whole_pages(sys, base, last, &p, &pl))
		return 0;
	for (;;) {
		/* largest order: aligned at p and inside [p, pl] */
		for (order = DC_MAX_ORDER; order; order--) {
			block = (dc_size_t)1 << (shift + order);
			if (!(p & (block - 1)) && pl - p >= block - 1)
				break;
		}
		block = (dc_size_t)1 << (shift + order);
		fn(ctx, nid, p, order);
		total += block;
		if (pl - p == block - 1)
			return total;
		p += block;
	}
}

int dc_release_all(struct dc_system *sys, dc_release_fn fn, void *ctx,
		   dc_size_t *released)
{
	dc_size_t total = 0, got;
	dc_addr_t from, b, l;
	struct dc_node *n;

	if (!dc_sys_ok(sys) || !fn)
		return DC_EINVAL;
	if (sys->phase != DC_READY)
		return DC_ESTATE;
	for (unsigned i = 0; i < sys->nr_nodes; i++) {
		n = sys->node[sys->present[i]];
		for (from = 0; !sys->ops->next_free(n, from, &b, &l);
		     from = l + 1) {
			got = dc_release_pages(sys, n->nid, b, l, fn, ctx);
			n->released += got;
			n->handoffs += got >> sys->page_shift;
			total += got;
			if (l == DC_ADDR_MAX)
				break;
		}
	}
	sys->phase = DC_RETIRED;
	if (released)
		*released = total;
	return DC_OK;
}

int dc_release_metadata(struct dc_system *sys, dc_release_fn fn, void *ctx,
			dc_size_t *released)
{
	dc_size_t total = 0, got;
	struct dc_extent *e, *next;
	dc_addr_t b, l;
	struct dc_node *n;

	if (!dc_sys_ok(sys) || !fn)
		return DC_EINVAL;
	if (sys->phase != DC_RETIRED)
		return DC_ESTATE;
	for (unsigned i = 0; i < sys->nr_nodes; i++) {
		n = sys->node[sys->present[i]];
		/* coalesce touching records; read ahead before fn runs */
		for (e = dc_tree_first(&n->meta); e; e = next) {
			b = e->base;
			l = e->last;
			next = dc_tree_next(e);
			while (next && l != DC_ADDR_MAX && next->base == l + 1) {
				l = next->last;
				next = dc_tree_next(next);
			}
			got = dc_release_pages(sys, n->nid, b, l, fn, ctx);
			n->released_meta += got;
			n->handoffs += got >> sys->page_shift;
			total += got;
		}
	}
	sys->phase = DC_GONE;
	if (released)
		*released = total;
	return DC_OK;
}
