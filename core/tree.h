/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tree.h - the augmented extent tree (AVL), keyed by base.
 *
 * Used twice: fragments (nodes/, one tree for the whole system, nid in
 * each extent) and metadata blocks (one tree per node). The tree
 * backend's free extents moved to the extent B-tree (core/btree.h, issue
 * 15); these two trees stay AVL because their entries come from the
 * pool's 64-byte entries, which a steal's own records also use. The tree never allocates: callers pass entries taken from
 * the pool (core/pool.h), which is why a caller can count and reserve the
 * worst case before it changes anything.
 *
 * struct dc_tree - extents keyed by base.
 *  T1  in order, each extent has base <= last and starts after the previous
 *      one's last byte (no overlap)
 *  T2  (only when the caller asks for maximal extents) neighbours never
 *      touch: next.base - prev.last > 1
 *  T3  max_span == max(last - base, left.max_span, right.max_span)
 *  T4  AVL: height == 1 + max(child heights), |balance| <= 1, parent links
 *      consistent
 *  T5  count and bytes equal the number of extents and the sum of their
 *      sizes (mod 2^64)
 *  T6  aslack: for each alignment class c (A = 8, 16, 32, 64 bytes), byte
 *      c holds max_span - max(aligned span) over the subtree, where an
 *      extent's aligned span is last - align_up(base, A); 0xff when no
 *      extent of the subtree holds an A-aligned byte (see core/tree.c)
 * An AVL tree of n nodes has height < 1.4405 log2(n + 2) - 0.3277; entries
 * are 64 bytes, so n < 2^58 and the height is at most 84: the bound below
 * keeps a margin and sizes every fixed stack.
 */
#ifndef DC_CORE_TREE_H
#define DC_CORE_TREE_H

#include <discontig/backend.h>
#include <discontig/discontig.h>

#define DC_TREE_MAX_HEIGHT 90

struct dc_extent {
	dc_addr_t base;
	dc_addr_t last;		/* inclusive */
	dc_size_t max_span;	/* max (last - base) in this subtree */
	struct dc_extent *left, *right, *parent;
	int32_t height;		/* leaf: 1 */
	int32_t nid;		/* payload: owner (fragment tree) */
	uint32_t aslack;	/* T6: 4 x 8 bits, class c in bits 8c.. */
};

_Static_assert(sizeof(struct dc_extent) <= DC_POOL_ENTRY_SIZE,
	       "a tree node must fit one pool entry");

void dc_tree_init(struct dc_tree *t);

/* Insert e (base, last, nid set by the caller); it must overlap nothing. */
void dc_tree_insert(struct dc_tree *t, struct dc_extent *e);

/* Remove e from t; e's memory is the caller's again. */
void dc_tree_erase(struct dc_tree *t, struct dc_extent *e);

/* Change e's bounds in place. The new range must keep the order: it may not
 * overlap or pass a neighbour. O(height). */
void dc_tree_resize(struct dc_tree *t, struct dc_extent *e, dc_addr_t base,
		    dc_addr_t last);

/* The extent with the largest base <= addr, or NULL. O(height). */
struct dc_extent *dc_tree_find_le(const struct dc_tree *t, dc_addr_t addr);

struct dc_extent *dc_tree_first(const struct dc_tree *t);
struct dc_extent *dc_tree_last(const struct dc_tree *t);
struct dc_extent *dc_tree_next(const struct dc_extent *e);
struct dc_extent *dc_tree_prev(const struct dc_extent *e);

/*
 * The lowest (or, w->top_down, highest) address a satisfying the window w
 * inside one extent: a % align == 0, w->lo <= a, a + size - 1 <= w->last.
 * Writes a to *out and returns its extent, or NULL. A restricted descent:
 * subtrees whose max_span < size - 1 or that lie outside the window are
 * never entered. Iterative.
 */
struct dc_extent *dc_tree_find_fit(const struct dc_tree *t,
				   const struct dc_window *w, dc_addr_t *out);

/* 0, or the number (1..6) of the first broken invariant above. */
int dc_tree_check(const struct dc_tree *t, bool maximal);

/* Height of the tree (0 when empty). */
int dc_tree_height(const struct dc_tree *t);

#endif /* DC_CORE_TREE_H */
