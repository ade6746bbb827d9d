/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * btree.h - the extent B-tree: disjoint [base, last] extents keyed by base,
 * several to a cache line (issue 15, "a tree that stays in cache").
 *
 * A B+-tree: extents live in the leaves, internal nodes keep for each child
 * its first base (the separator), its longest span and its alignment
 * classes, which is what the restricted descent of dc_btree_find_fit()
 * needs. It holds the tree backend's free extents; it has two kinds of
 * leaves, the second for maps that carry a value (the fragment map and
 * metadata records still use the AVL of core/tree.c, whose nodes are the
 * pool's 64-byte entries):
 *
 *   DC_BTREE_PLAIN   base, last              16 bytes an extent (free)
 *   DC_BTREE_VALUED  base, last, a u32 value 20 bytes an extent (nid of a
 *                                            fragment, owner of a record)
 *
 * The tree never allocates: nodes come from the caller's struct
 * dc_btree_alloc, and every mutating call has a worst case the caller can
 * ask for first (dc_btree_need()): insert takes at most height + 1 nodes,
 * erase and resize take none (erase gives nodes back). Insert takes its
 * nodes before it changes anything, so it fails (DC_ENOSPC) unchanged even
 * when the caller did not reserve enough.
 *
 * Node format, DC_BTREE_NODE_SIZE bytes: an 8-byte header (count, level),
 * then columns of cap entries at byte 8 + {0, 8, 16, 20} * cap (byte
 * offsets for 512):
 *
 *   internal  | hdr | key[18]  | max[18]  | slack[18] u32 | child[18] |
 *             0     8          152        296             368      512
 *   plain     | hdr | base[31] | last[31] | -- |
 *             0     8          256        504  512
 *   valued    | hdr | base[25] | last[25] | val[25] u32 | -- |
 *             0     8          208        408           508  512
 *
 * Why 512: at 10^6 extents a search path is 5 nodes instead of 7 (256) or
 * 11 (128), the internal nodes (under 1 MB at 10^6 extents) mostly stay
 * in a 1 MB L2 cache, so a search misses on about two nodes, and random
 * splits leave 21 bytes an extent (23 with 256, 32 with 128); small trees
 * pay a few percent for scanning longer nodes (tests/perf/bench_btree.c,
 * issue 15). 128 and 256 remain buildable for comparison. The metadata
 * pool must hand out DC_BTREE_NODE_SIZE-byte nodes.
 *
 * struct dc_btree - extents keyed by base.
 *  B1  in order, each extent has base <= last and starts after the previous
 *      one's last byte (no overlap)
 *  B2  (only when the caller asks for maximal extents) neighbours never
 *      touch: next.base - prev.last > 1
 *  B3  an internal entry's max is the longest span (last - base) of its
 *      child's subtree
 *  B4  shape: every leaf at level 0 and every child one level below its
 *      parent; a node holds at most its capacity, at least half of it
 *      (rounded up) unless it is the root, which holds at least one extent
 *      (a leaf) or two children; height <= DC_BTREE_MAX_HEIGHT
 *  B5  count and bytes equal the number of extents and the sum of their
 *      sizes (mod 2^64)
 *  B6  an internal entry's slack: for each alignment class c (A = 8, 16,
 *      32, 64 bytes), byte c holds max minus the longest A-aligned span
 *      (last - align_up(base, A)) of the child's subtree, 0x40 when no
 *      extent there holds an A-aligned byte (exact: core/btree.c,
 *      "Alignment classes")
 *  B7  an internal entry's key is the first base of its child's subtree
 *
 * Height bound: a non-root internal node has at least
 * (DC_BTREE_FANOUT + 1) / 2 children (9 with 512-byte nodes), the root at
 * least 2, so a tree of height h >= 2 has at least 2 * 9^(h - 2) leaves.
 * Nodes are distinct DC_BTREE_NODE_SIZE-byte blocks of a 64-bit address
 * space, at most 2^55 of them: 9^(h - 2) <= 2^54 gives h <= 19 (with 256-
 * and 128-byte nodes, fanout 8 and 4: h <= 29 and h <= 58).
 * DC_BTREE_MAX_HEIGHT sizes the cursor's path and every stack. In
 * practice 10^6 extents take height 5.
 */
#ifndef DC_CORE_BTREE_H
#define DC_CORE_BTREE_H

#include <discontig/backend.h>
#include <discontig/discontig.h>

#ifndef DC_BTREE_NODE_SIZE
#define DC_BTREE_NODE_SIZE 512
_Static_assert(DC_BTREE_NODE_SIZE == DC_POOL_TREE_NODE_SIZE,
	       "DC_POOL_BYTES() counts B-tree nodes of this size");
#endif

/* Children of an internal node (key, max, child: 8 bytes, slack: 4), even
 * so that the child column stays 8-aligned; extents of a leaf. */
#define DC_BTREE_FANOUT (((DC_BTREE_NODE_SIZE - 8) / 28) & ~1)
#define DC_BTREE_CAP_PLAIN ((DC_BTREE_NODE_SIZE - 8) / 16)
#define DC_BTREE_CAP_VALUED ((DC_BTREE_NODE_SIZE - 8) / 20)

#if DC_BTREE_NODE_SIZE == 128
#define DC_BTREE_MAX_HEIGHT 58
#elif DC_BTREE_NODE_SIZE == 256
#define DC_BTREE_MAX_HEIGHT 29
#elif DC_BTREE_NODE_SIZE == 512
#define DC_BTREE_MAX_HEIGHT 19
#else
#error "DC_BTREE_NODE_SIZE: 128, 256 or 512 (the height bound is derived for those)"
#endif

enum dc_btree_kind {
	DC_BTREE_PLAIN = 0,	/* base, last */
	DC_BTREE_VALUED = 1,	/* base, last, 32-bit value */
};

/* A node: raw storage, laid out as drawn above. */
struct dc_btree_node {
	uint64_t w[DC_BTREE_NODE_SIZE / 8];
};

struct dc_btree {
	struct dc_btree_node *root;	/* NULL when empty */
	dc_size_t count;		/* extents */
	dc_size_t bytes;		/* sum of extent sizes, mod 2^64 */
	uint8_t height;			/* 0 empty, 1 a single leaf */
	uint8_t kind;			/* enum dc_btree_kind */
	uint8_t cap;			/* extents a leaf holds */
};

/*
 * Where nodes come from. get() returns DC_BTREE_NODE_SIZE bytes, 8-aligned
 * (64-aligned keeps a node on NODE_SIZE / 64 cache lines: the tree
 * backend's come from pool blocks or stolen pages, both are), or NULL; put()
 * takes back a node get() gave. Neither may call into the same tree.
 */
struct dc_btree_alloc {
	void *(*get)(void *ctx);
	void (*put)(void *ctx, void *node);
	void *ctx;
};

/*
 * A position: the path from the root to one extent, and a copy of that
 * extent (base, last, val: read them here). Filled by find_le, first,
 * last, next, prev and find_fit; valid until the tree changes, except
 * that dc_btree_resize() keeps the cursor it is given valid, its copy
 * current. No parent pointers: next and prev climb the path, O(1)
 * amortised. About 200 bytes of stack with 512-byte nodes.
 */
struct dc_btree_cur {
	dc_addr_t base;		/* the extent at the cursor */
	dc_addr_t last;
	uint32_t val;		/* 0 for DC_BTREE_PLAIN */
	signed char pos[DC_BTREE_MAX_HEIGHT];	/* index in node[lv]; -1 before */
	struct dc_btree_node *node[DC_BTREE_MAX_HEIGHT];	/* [0]: leaf */
};

/**
 * dc_btree_init() - an empty tree
 * @t:    the tree
 * @kind: DC_BTREE_PLAIN or DC_BTREE_VALUED
 */
void dc_btree_init(struct dc_btree *t, enum dc_btree_kind kind);

/**
 * dc_btree_need() - the nodes a caller must hold before some inserts
 * @t:       the tree, as it is now
 * @inserts: inserts about to run on @t, with any erases and resizes between
 *
 * One insert splits at most every level and adds a root: height + 1 nodes,
 * and the height grows by one at most, so k inserts need at most
 * k (height + 1) + k (k - 1) / 2. Erase and resize need none.
 *
 * Return: that bound.
 */
static inline unsigned dc_btree_need(const struct dc_btree *t,
				     unsigned inserts)
{
	return inserts * (t->height + 1u) + inserts * (inserts - 1u) / 2;
}

/**
 * dc_btree_insert() - add an extent that overlaps none in the tree
 * @t:    the tree
 * @a:    where new nodes come from (dc_btree_need(@t, 1) at most)
 * @at:   NULL (the insert finds its place: one descent), or a valid cursor
 *        on the extent just before @base or just after @last, or just
 *        before the first extent (dc_btree_find_le() returned false): the
 *        insert then starts there without a descent. Invalid afterwards,
 *        unless the call fails.
 * @base: first byte
 * @last: last byte, >= @base
 * @val:  the value (DC_BTREE_VALUED; ignored for DC_BTREE_PLAIN)
 *
 * Takes the nodes it may need first (one per full level on the path, and
 * a root if every level is full), gives back those it did not use. A full
 * leaf or internal node first spills into a sibling that has room, and
 * splits only when both neighbours are full: sequential inserts fill
 * leaves instead of leaving them half empty. O(height * fanout).
 *
 * Return: 0; DC_ENOSPC (@a ran dry; the tree and @at are unchanged and
 * every node taken was given back).
 */
int dc_btree_insert(struct dc_btree *t, const struct dc_btree_alloc *a,
		    struct dc_btree_cur *at, dc_addr_t base, dc_addr_t last,
		    uint32_t val);

/**
 * dc_btree_erase() - remove the extent at a cursor
 * @t: the tree
 * @a: where freed nodes go
 * @c: a valid cursor; invalid afterwards
 *
 * An underfull node borrows from a sibling or merges with it; merges give
 * nodes back through @a. Never takes a node, never fails.
 */
void dc_btree_erase(struct dc_btree *t, const struct dc_btree_alloc *a,
		    struct dc_btree_cur *c);

/**
 * dc_btree_resize() - move the bounds of the extent at a cursor
 * @t:    the tree
 * @c:    a valid cursor; stays valid, its copy follows
 * @base: new first byte
 * @last: new last byte, >= @base; [base, last] must keep the order (it may
 *        not overlap or pass a neighbour)
 *
 * No node moves: only the separators and the augmentation above change,
 * and their update stops at the first level where nothing changed.
 */
void dc_btree_resize(struct dc_btree *t, struct dc_btree_cur *c,
		     dc_addr_t base, dc_addr_t last);

/**
 * dc_btree_take() - cut a range out of the extent that holds it
 * @t:    the tree
 * @a:    where nodes come from and go (dc_btree_need(@t, 1) at most)
 * @c:    a valid cursor on an extent holding [@base, @last]; invalid
 *        afterwards, unless the call fails
 * @base: first byte to take
 * @last: last byte to take
 *
 * The whole extent goes, or one edge moves, or the extent splits around
 * the range (one insert: the right piece keeps the value).
 *
 * Return: 0; DC_ENOSPC (a split found no node; nothing changed).
 */
int dc_btree_take(struct dc_btree *t, const struct dc_btree_alloc *a,
		  struct dc_btree_cur *c, dc_addr_t base, dc_addr_t last);

/**
 * dc_btree_give() - add a range, merged with the touching neighbours
 * @t:    the tree
 * @a:    where nodes come from and go (dc_btree_need(@t, 1) at most)
 * @base: first byte
 * @last: last byte, >= @base
 * @val:  the value: only neighbours with the same value merge (fragments
 *        of one node); always 0 in a DC_BTREE_PLAIN tree
 *
 * Keeps extents maximal (B2) where values allow. The caller learns how
 * many extents there are from @t->count.
 *
 * Return: 0; DC_EEXIST (the range overlaps an extent; nothing changed);
 * DC_ENOSPC (a new extent found no node; nothing changed).
 */
int dc_btree_give(struct dc_btree *t, const struct dc_btree_alloc *a,
		  dc_addr_t base, dc_addr_t last, uint32_t val);

/**
 * dc_btree_give_at() - dc_btree_give() without the search
 * @at: a cursor dc_btree_find_le() filled, since the last change of @t,
 *      for @base, or for any address of [@base, @last] when no extent
 *      starts inside the range (as a successful probe for used bytes
 *      finds); unused when @t is empty. Invalid afterwards.
 *
 * Return: as dc_btree_give().
 */
int dc_btree_give_at(struct dc_btree *t, const struct dc_btree_alloc *a,
		     struct dc_btree_cur *at, dc_addr_t base, dc_addr_t last,
		     uint32_t val);

/**
 * dc_btree_find_le() - the extent with the largest base <= @addr
 * @t:    the tree
 * @addr: any address
 * @c:    the cursor to fill
 *
 * Return: true and @c on it; false when no extent starts at or below
 * @addr, with @c just before the first extent (dc_btree_next() then gives
 * it) unless the tree is empty.
 */
bool dc_btree_find_le(const struct dc_btree *t, dc_addr_t addr,
		      struct dc_btree_cur *c);

/* The first (lowest) or last extent: true, or false when empty. */
bool dc_btree_first(const struct dc_btree *t, struct dc_btree_cur *c);
bool dc_btree_last(const struct dc_btree *t, struct dc_btree_cur *c);

/* Step to the next or previous extent: true, or false at the end, with @c
 * unchanged. */
bool dc_btree_next(const struct dc_btree *t, struct dc_btree_cur *c);
bool dc_btree_prev(const struct dc_btree *t, struct dc_btree_cur *c);

/**
 * dc_btree_find_fit() - the lowest or highest aligned fit inside a window
 * @t:   the tree
 * @w:   window [lo, last], size > 0, align a power of two, direction
 * @c:   the cursor, set on the extent holding the fit
 * @out: the address found; written only on success
 *
 * The lowest (or highest) a with a % align == 0, w->lo <= a,
 * a + size - 1 <= w->last, [a, a + size - 1] inside one extent. A
 * restricted walk: it never enters a subtree whose longest span, or
 * longest aligned span of the request's class (align 8..64, and 64 for
 * larger alignments), is shorter than size - 1, and stops at the first
 * extent that starts too high (or ends too low) to hold the request. For
 * align <= 64 every extent it visits past the first holds a fit unless
 * the window clips it, so it is O(height * fanout); for larger alignments
 * an extent of class 64 may still hold no address aligned to A, and with
 * alignments far above the extents' sizes the walk degrades towards
 * O(k * height), k the extents it must pass.
 *
 * Return: true, @c and @out set; false (no fit, empty window, size 0,
 * align not a power of two), @out untouched and @c meaningless.
 */
bool dc_btree_find_fit(const struct dc_btree *t, const struct dc_window *w,
		       struct dc_btree_cur *c, dc_addr_t *out);

/**
 * dc_btree_check() - verify B1..B7 (B2 only if @maximal)
 * @t:       the tree
 * @maximal: the extents must not touch (free extents, fragments)
 *
 * An iterative depth-first walk with a stack of DC_BTREE_MAX_HEIGHT
 * entries. A child is checked (level, count) before it is entered, and the
 * first out-of-order extent ends the walk, so a corrupt tree (cycles,
 * shared subtrees, counts past the capacity) can neither loop nor read
 * outside a node.
 *
 * Return: 0, or the smallest number (1..7) of a broken invariant.
 */
int dc_btree_check(const struct dc_btree *t, bool maximal);

/* Height of the tree (0 when empty, 1 a single leaf). */
static inline int dc_btree_height(const struct dc_btree *t)
{
	return t->height;
}

#endif /* DC_CORE_BTREE_H */
