// SPDX-License-Identifier: BSD-3-Clause
/*
 * reserve.c - used memory: dc_reserve, dc_reserve_loose and dc_free.
 *
 * All three run the passes of nodes/system.c (check, prepare, apply)
 * inside a transaction that targets their range, so no metadata is ever
 * stolen from the bytes being reserved (a reservation of the highest free
 * page of a node once returned 0 while the steal that prepared it had
 * taken that very page).
 *
 * dc_reserve_loose is memblock_reserve()'s leniency for firmware ranges
 * without its double counting: it reserves the free runs inside the range
 * and skips holes, used bytes and metadata. Its runs are counted before
 * anything is prepared and stay the same while it prepares, because no
 * steal may touch the range.
 */
#include "nodes/node.h"

/* DC_ENOENT if a byte is free, else DC_EBUSY if a byte is metadata (the
 * rank dc_pieces_ready() gives them holds across pieces). */
static int piece_check_used(struct dc_node *n, dc_addr_t b, dc_addr_t l,
			    void *ctx)
{
	int r = n->sys->ops->probe(n, b, l, DC_PROBE_TAKEN);

	if (!r && dc_meta_overlaps(n, b, l))
		r = DC_EBUSY;
	return r;
}

static int piece_reserve(struct dc_node *n, dc_addr_t b, dc_addr_t l,
			 void *ctx)
{
	n->sys->ops->reserve(n, b, l);
	return 0;
}

static int piece_free(struct dc_node *n, dc_addr_t b, dc_addr_t l, void *ctx)
{
	struct dc_node **first = ctx;

	if (!*first)
		*first = n;
	n->sys->ops->free(n, b, l);
	return 0;
}

/* Validate the common arguments and phase of reserve, loose and free. */
static int used_args(const struct dc_system *sys, dc_addr_t base,
		     dc_size_t size, dc_addr_t *last)
{
	int r;

	if (!dc_sys_ok(sys))
		return DC_EINVAL;
	r = dc_range_last(base, size, last);
	if (r)
		return r;
	if (sys->phase != DC_SETUP && sys->phase != DC_READY)
		return DC_ESTATE;
	return DC_OK;
}

int dc_reserve(struct dc_system *sys, dc_addr_t base, dc_size_t size)
{
	dc_addr_t last;
	int r = used_args(sys, base, size, &last);

	if (r)
		return r;
	dc_txn_begin(sys, base, last);
	r = dc_pieces_ready(sys, base, last, dc_piece_probe_free, 0, 1);
	if (!r)
		dc_for_each_piece(sys, base, last, piece_reserve, 0);
	return dc_txn_end(sys, r);
}

int dc_free(struct dc_system *sys, dc_addr_t base, dc_size_t size)
{
	struct dc_node *first = 0;
	dc_addr_t last;
	int r = used_args(sys, base, size, &last);

	if (r)
		return r;
	dc_txn_begin(sys, base, last);
	r = dc_pieces_ready(sys, base, last, piece_check_used, 0, 1);
	if (!r) {
		dc_for_each_piece(sys, base, last, piece_free, &first);
		first->frees++;	/* the node of base */
	}
	return dc_txn_end(sys, r);
}

/* --- dc_reserve_loose ------------------------------------------------------ */

struct loose {
	dc_addr_t base, last;
	bool apply;
	dc_size_t newly;
};

/* Each free run of n inside [base, last] clipped: count and prepare, or
 * reserve. */
static int loose_node_piece(struct dc_node *n, dc_addr_t pb, dc_addr_t pl,
			    struct loose *lo)
{
	const struct dc_backend_ops *ops = n->sys->ops;
	struct dc_backend_stats before, after;
	dc_addr_t pos = pb, b, l;
	unsigned k = 0;

	if (lo->apply)
		ops->stats(n, &before);
	while (!ops->next_free(n, pos, &b, &l) && b <= pl) {
		if (l > pl)
			l = pl;
		if (lo->apply)
			ops->reserve(n, b, l);
		k++;
		if (l == pl)
			break;
		pos = l + 1;
	}
	if (lo->apply) {
		ops->stats(n, &after);
		lo->newly += after.taken - before.taken;
		return 0;
	}
	return k ? dc_node_prepare(n, 0, k) : 0;
}

/* Every piece of memory inside the range, holes skipped. */
static int loose_walk(struct dc_system *sys, struct loose *lo)
{
	const struct dc_extent *f;
	dc_addr_t pos = lo->base, pb, pl;
	int r;

	for (;;) {
		f = dc_tree_find_le(&sys->fragments, pos);
		if (!f || f->last < pos)
			f = f ? dc_tree_next(f) : dc_tree_first(&sys->fragments);
		if (!f || f->base > lo->last)
			return 0;
		pb = f->base > pos ? f->base : pos;
		pl = f->last < lo->last ? f->last : lo->last;
		r = loose_node_piece(sys->node[f->nid], pb, pl, lo);
		if (r || pl == lo->last)
			return r;
		pos = pl + 1;
	}
}

int dc_reserve_loose(struct dc_system *sys, dc_addr_t base, dc_size_t size,
		     dc_size_t *newly)
{
	struct loose lo = { .base = base };
	int r = used_args(sys, base, size, &lo.last);

	if (r)
		return r;
	dc_txn_begin(sys, base, lo.last);
	r = loose_walk(sys, &lo);
	if (!r) {
		lo.apply = true;
		loose_walk(sys, &lo);
	}
	r = dc_txn_end(sys, r);
	if (!r && newly)
		*newly = lo.newly;
	return r;
}
