// SPDX-License-Identifier: BSD-3-Clause
/*
 * backends/tree.c - the extent-tree backend: free memory of one node as
 * maximal extents in an augmented AVL tree (core/tree.c).
 *
 * DOC: tree backend
 * The design of the 2001 "tree-based bootmem" RFC: time and space grow
 * with the number of free extents, not with the size of memory, and
 * tracking is byte-exact. A fit inside a window, aligned, lowest or
 * highest, is a restricted descent on the tree's max_span (DESIGN.md,
 * "Backends"). Tree nodes come from the node's metadata pool
 * (core/pool.h); the node layer calls prepare() first, so no mutating
 * call runs out of metadata halfway.
 *
 * Invariants (check() returns the number of the first broken one):
 *  1..6  T1..T6 of core/tree.h on the free tree, with T2: free extents
 *        are maximal, so "every byte of [base, last] is free" is the same
 *        as "[base, last] lies inside one free extent"
 *  7     every free extent carries this node's nid (an entry that was
 *        handed to another node while still in this tree shows up here)
 *  8     every free extent lies inside one registered fragment of this
 *        node (checked when the node belongs to a system)
 *
 * "taken" counts the used and metadata bytes inside the node's memory:
 * reserve and alloc add to it, free subtracts; add_memory and
 * remove_memory change the memory itself, not what is taken of it.
 */
#include "core/pool.h"
#include "core/range.h"
#include "core/tree.h"

struct tree_state {
	struct dc_tree free;	/* free extents, maximal */
	dc_size_t taken;	/* used + metadata bytes */
};

_Static_assert(sizeof(struct tree_state) <=
	       DC_BACKEND_STATE_WORDS * sizeof(uint64_t),
	       "tree backend state must fit in dc_node.state");
_Static_assert(_Alignof(struct tree_state) <= _Alignof(uint64_t),
	       "dc_node.state must be aligned enough for tree_state");

/*
 * dc_node.state is private to the backend and only ever accessed through
 * this type (the node layer at most clears it), so the cast is the
 * backend's way to give the words a type.
 */
static struct tree_state *tree_state(struct dc_node *n)
{
	return (struct tree_state *)(void *)n->state;
}

static const struct tree_state *tree_state_const(const struct dc_node *n)
{
	return (const struct tree_state *)(const void *)n->state;
}

static int tree_init(struct dc_node *n)
{
	struct tree_state *s = tree_state(n);

	dc_tree_init(&s->free);
	s->taken = 0;
	return 0;
}

/*
 * Worst case of one mutating call: ONE new tree node. Taking a range out
 * of a free extent has four shapes (as mm/vmalloc.c's enum fit_type):
 *
 *   whole extent      |<----- extent ----->|    erase: frees a node
 *                     |<----- range  ----->|
 *
 *   left edge         |<----- extent ----->|    resize: no node
 *                     |<- range ->|
 *
 *   right edge        |<----- extent ----->|    resize: no node
 *                              |<- range ->|
 *
 *   middle split      |<----- extent ----->|    resize + insert:
 *                         |<-range->|           ONE new node
 *
 * Giving a range back merges with the touching neighbours: both (erase
 * one, resize the other), one (resize), none (insert: ONE new node).
 */
static int tree_prepare(struct dc_node *n, unsigned k)
{
	return dc_pool_prepare(n, k * 1);
}

/* The free extent holding all of [base, last], or NULL. */
static struct dc_extent *tree_holding(const struct tree_state *s,
				      dc_addr_t base, dc_addr_t last)
{
	struct dc_extent *e = dc_tree_find_le(&s->free, base);

	return e && e->last >= last ? e : NULL;
}

/*
 * Take [base, last] out of free extent e, which holds it: one of the four
 * shapes drawn above tree_prepare(). The new node is taken before any
 * change, so a missing prepare (our bug) changes nothing.
 */
static int tree_take(struct dc_node *n, struct dc_extent *e, dc_addr_t base,
		     dc_addr_t last)
{
	struct tree_state *s = tree_state(n);
	struct dc_extent *right;

	if (base == e->base && last == e->last) {
		dc_tree_erase(&s->free, e);
		dc_pool_put(n, e);
	} else if (base == e->base) {
		dc_tree_resize(&s->free, e, last + 1, e->last);
	} else if (last == e->last) {
		dc_tree_resize(&s->free, e, e->base, base - 1);
	} else {
		/* e->base < base and last < e->last: no +1/-1 overflows. */
		right = dc_pool_get(n);
		if (!right)
			return DC_ENOSPC;
		right->base = last + 1;
		right->last = e->last;
		right->nid = n->nid;
		dc_tree_resize(&s->free, e, e->base, base - 1);
		dc_tree_insert(&s->free, right);
	}
	return 0;
}

/*
 * Make [base, last] free, merging with free neighbours that touch it.
 * Returns DC_EEXIST, changing nothing, if a free extent overlaps it (the
 * node layer rules that out; callers map it to their own code).
 *
 *   both:  [ l ][ range ][ r ]   -> l grows over range and r; r erased
 *   left:  [ l ][ range ]  [ r ] -> l grows
 *   right: [ l ]  [ range ][ r ] -> r grows down
 *   none:  [ l ]  [ range ]  [ r ] -> new extent: ONE new node
 *
 * "Touch" is tested as base - l->last == 1, never l->last + 1, which would
 * wrap when l ends at 2^64 - 1.
 */
static int tree_give(struct dc_node *n, dc_addr_t base, dc_addr_t last)
{
	struct tree_state *s = tree_state(n);
	struct dc_extent *l = dc_tree_find_le(&s->free, base);
	struct dc_extent *r = l ? dc_tree_next(l) : dc_tree_first(&s->free);
	struct dc_extent *e;
	bool touch_l, touch_r;
	dc_addr_t r_last;

	if ((l && l->last >= base) || (r && r->base <= last))
		return DC_EEXIST;
	touch_l = l && base - l->last == 1;
	touch_r = r && r->base - last == 1;

	if (touch_l && touch_r) {
		r_last = r->last;
		dc_tree_erase(&s->free, r);
		dc_pool_put(n, r);
		dc_tree_resize(&s->free, l, l->base, r_last);
	} else if (touch_l) {
		dc_tree_resize(&s->free, l, l->base, last);
	} else if (touch_r) {
		dc_tree_resize(&s->free, r, base, r->last);
	} else {
		e = dc_pool_get(n);
		if (!e)
			return DC_ENOSPC;
		e->base = base;
		e->last = last;
		e->nid = n->nid;
		dc_tree_insert(&s->free, e);
	}
	return 0;
}

static int tree_add_memory(struct dc_node *n, dc_addr_t base, dc_addr_t last)
{
	return tree_give(n, base, last);
}

static int tree_remove_memory(struct dc_node *n, dc_addr_t base,
			      dc_addr_t last)
{
	struct dc_extent *e = tree_holding(tree_state(n), base, last);

	if (!e)
		return DC_EBUSY;
	return tree_take(n, e, base, last);
}

/* A free run leaves as remove_memory takes it; a taken run is in no
 * extent, so only the count of taken bytes changes. */
static int tree_drop(struct dc_node *n, dc_addr_t base, dc_addr_t last)
{
	struct tree_state *s = tree_state(n);

	if (tree_holding(s, base, last))
		return tree_remove_memory(n, base, last);
	s->taken -= last - base + 1;
	return 0;
}

/*
 * DC_PROBE_FREE: free extents are maximal, so all bytes are free exactly
 * when one extent holds the range. DC_PROBE_TAKEN: of the extents starting
 * at or below last, the one starting highest also ends highest; if it
 * ends below base, no free extent overlaps. Both O(log n).
 */
static int tree_probe(const struct dc_node *n, dc_addr_t base,
		      dc_addr_t last, enum dc_probe want)
{
	const struct tree_state *s = tree_state_const(n);
	const struct dc_extent *e;

	if (want == DC_PROBE_FREE)
		return tree_holding(s, base, last) ? 0 : DC_EBUSY;
	e = dc_tree_find_le(&s->free, last);
	return e && e->last >= base ? DC_ENOENT : 0;
}

static int tree_reserve(struct dc_node *n, dc_addr_t base, dc_addr_t last)
{
	struct tree_state *s = tree_state(n);
	struct dc_extent *e = tree_holding(s, base, last);
	int err;

	if (!e)
		return DC_EBUSY;	/* not probed: nothing changed */
	err = tree_take(n, e, base, last);
	if (!err)
		s->taken += last - base + 1;
	return err;
}

static int tree_free(struct dc_node *n, dc_addr_t base, dc_addr_t last)
{
	struct tree_state *s = tree_state(n);
	int err = tree_give(n, base, last);

	if (err == DC_EEXIST)
		return DC_ENOENT;	/* a byte is free already */
	if (!err)
		s->taken -= last - base + 1;
	return err;
}

/* Nothing to place: the tree lives in pool entries from the start. */
static int tree_finalize(struct dc_node *n)
{
	return 0;
}

static void tree_unfinalize(struct dc_node *n)
{
}

static int tree_find(const struct dc_node *n, const struct dc_window *w,
		     dc_addr_t *out)
{
	dc_addr_t a;

	if (!dc_tree_find_fit(&tree_state_const(n)->free, w, &a))
		return DC_ENOMEM;
	*out = a;
	return 0;
}

static int tree_alloc(struct dc_node *n, const struct dc_window *w,
		      dc_addr_t *out)
{
	struct tree_state *s = tree_state(n);
	struct dc_extent *e;
	dc_addr_t a;
	int err;

	e = dc_tree_find_fit(&s->free, w, &a);
	if (!e)
		return DC_ENOMEM;
	err = tree_take(n, e, a, a + (w->size - 1));
	if (err)
		return err;
	s->taken += w->size;
	*out = a;
	return 0;
}

static int tree_next_free(const struct dc_node *n, dc_addr_t from,
			  dc_addr_t *base, dc_addr_t *last)
{
	const struct tree_state *s = tree_state_const(n);
	const struct dc_extent *e = dc_tree_find_le(&s->free, from);

	if (e && e->last >= from) {
		*base = from;
		*last = e->last;
		return 0;
	}
	e = e ? dc_tree_next(e) : dc_tree_first(&s->free);
	if (!e)
		return DC_ENOENT;
	*base = e->base;
	*last = e->last;
	return 0;
}

/* Invariant 7: e inside one fragment of node n (fragments are maximal
 * per node, so one fragment holds any run of this node's memory). */
static bool tree_in_fragment(const struct dc_node *n,
			     const struct dc_extent *e)
{
	const struct dc_extent *f = dc_tree_find_le(&n->sys->fragments,
						    e->base);

	return f && f->nid == n->nid && f->last >= e->last;
}

static int tree_check(const struct dc_node *n)
{
	const struct tree_state *s = tree_state_const(n);
	const struct dc_extent *e;
	int bad = dc_tree_check(&s->free, true);

	if (bad)
		return bad;
	for (e = dc_tree_first(&s->free); e; e = dc_tree_next(e))
		if (e->nid != n->nid)
			return 7;
	if (!n->sys)
		return 0;
	for (e = dc_tree_first(&s->free); e; e = dc_tree_next(e))
		if (!tree_in_fragment(n, e))
			return 8;
	return 0;
}

static void tree_stats(const struct dc_node *n, struct dc_backend_stats *st)
{
	const struct tree_state *s = tree_state_const(n);

	st->free = s->free.bytes;
	st->taken = s->taken;
	st->free_extents = s->free.count;
}

const struct dc_backend_ops dc_backend_tree = {
	.name = "tree",
	.page_granular = false,
	.init = tree_init,
	.prepare = tree_prepare,
	.add_memory = tree_add_memory,
	.remove_memory = tree_remove_memory,
	.drop = tree_drop,
	.probe = tree_probe,
	.reserve = tree_reserve,
	.free = tree_free,
	.finalize = tree_finalize,
	.unfinalize = tree_unfinalize,
	.find = tree_find,
	.alloc = tree_alloc,
	.next_free = tree_next_free,
	.check = tree_check,
	.stats = tree_stats,
};
