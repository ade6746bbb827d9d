/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tree.h - the extent tree: an AVL tree of disjoint extents keyed by base,
 * an ordered map with find_le and in-order walks, nothing more.
 *
 * Used twice: fragments (nodes/, one tree for the whole system, nid in
 * each extent) and metadata blocks (one tree per node). The tree
 * backend's free extents moved to the extent B-tree (core/btree.h, issue
 * 15), and with them every fit search: this tree answers "which extent
 * holds addr" and walks in order. It stays an AVL because each node is
 * one of the pool's 64-byte entries (core/pool.h), which a steal's own
 * records also use, where a B-tree node needs 512 bytes. The tree never
 * allocates: callers pass entries taken from the pool, which is why a
 * caller can count and reserve the worst case before it changes anything.
 *
 * struct dc_tree - extents keyed by base.
 *  T1  in order, each extent has base <= last and starts after the previous
 *      one's last byte (no overlap)
 *  T2  (only when the caller asks for maximal extents) neighbours never
 *      touch: next.base - prev.last > 1
 *  T3  AVL: height == 1 + max(child heights), |balance| <= 1, parent links
 *      consistent
 *  T4  count and bytes equal the number of extents and the sum of their
 *      sizes (mod 2^64)
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
	struct dc_extent *left, *right, *parent;
	int32_t height;		/* leaf: 1 */
	int32_t nid;		/* payload: owner (fragment tree) */
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

/* 0, or the number (1..4) of the first broken invariant above. */
int dc_tree_check(const struct dc_tree *t, bool maximal);

/* Height of the tree (0 when empty). */
int dc_tree_height(const struct dc_tree *t);

#endif /* DC_CORE_TREE_H */
