// SPDX-License-Identifier: BSD-3-Clause
/*
 * tree.c - the extent tree: an AVL tree of struct dc_extent keyed by base.
 *
 * DOC: extent tree
 * Job: keep disjoint [base, last] extents in address order, find the one
 * holding an address (dc_tree_find_le()) and walk them in order. It serves
 * two owners (core/tree.h): the system's fragment map and each node's
 * metadata records. The tree never allocates; entries come from the
 * caller.
 *
 * Invariants: T1..T4 of core/tree.h, checked by dc_tree_check(), which
 * returns the number of the first broken one.
 *
 * Why no augmentation: until issue 15 this tree also held the tree
 * backend's free extents and answered fit searches by a restricted
 * descent, each node carrying its subtree's longest span and alignment
 * classes. Those extents and that search moved to the extent B-tree
 * (core/btree.c, dc_btree_find_fit()); the two owners left only look
 * addresses up, so the augmentation went, and with it its upkeep on
 * every insert, erase and rotation.
 *
 * Why still AVL, and not the B-tree: each node is one of the pool's
 * 64-byte entries (core/pool.h), the unit a steal's own metadata records
 * also use, while a B-tree node needs 512 bytes.
 *
 * Why AVL rather than another binary tree: the 2001 tree-based bootmem
 * patch used treaps, whose height is only O(log n) in expectation. An AVL
 * tree has a worst-case bound: with n nodes its height h satisfies
 *
 *	h < 1.4405 log2(n + 2) - 0.3277		(Knuth, TAOCP 6.2.3)
 *
 * so with n < 2^58 (64-byte entries in a 64-bit address space) h <= 84,
 * and DC_TREE_MAX_HEIGHT (90) bounds every fixed-size stack. AVL is also
 * more rigidly balanced than red-black (1.44 log n against 2 log n), which
 * shortens the lookups; the extra rotations on update do not matter at
 * boot.
 *
 * Everything is iterative: descents are loops, in-order walks follow
 * parent links, and rebalancing climbs from the change point, stopping
 * once a subtree's height is what its parent already recorded (as
 * lib/rbtree.c's augment propagation stops).
 */
#include "core/tree.h"

static inline int32_t ext_height(const struct dc_extent *e)
{
	return e ? e->height : 0;
}

static inline dc_size_t ext_span(const struct dc_extent *e)
{
	return e->last - e->base;
}

/* Recompute e's height from its children. */
static void ext_update(struct dc_extent *e)
{
	int32_t hl = ext_height(e->left), hr = ext_height(e->right);

	e->height = 1 + (hl > hr ? hl : hr);
}

/* Make parent p (or the root, p == NULL) point at newc instead of old. */
static void tree_replace_child(struct dc_tree *t, struct dc_extent *p,
			       struct dc_extent *old, struct dc_extent *newc)
{
	if (!p)
		t->root = newc;
	else if (p->left == old)
		p->left = newc;
	else
		p->right = newc;
	if (newc)
		newc->parent = p;
}

/*
 * Left rotation at x; returns the new subtree root y.
 *
 *	    x                 y
 *	   / \               / \
 *	  a   y     -->     x   c
 *	     / \           / \
 *	    b   c         a   b
 */
static struct dc_extent *tree_rotate_left(struct dc_tree *t,
					  struct dc_extent *x)
{
	struct dc_extent *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	tree_replace_child(t, x->parent, x, y);
	y->left = x;
	x->parent = y;
	ext_update(x);
	ext_update(y);
	return y;
}

/*
 * Right rotation at y; returns the new subtree root x (mirror of the above).
 *
 *	      y             x
 *	     / \           / \
 *	    x   c   -->   a   y
 *	   / \               / \
 *	  a   b             b   c
 */
static struct dc_extent *tree_rotate_right(struct dc_tree *t,
					   struct dc_extent *y)
{
	struct dc_extent *x = y->left;

	y->left = x->right;
	if (x->right)
		x->right->parent = y;
	tree_replace_child(t, y->parent, y, x);
	x->right = y;
	y->parent = x;
	ext_update(y);
	ext_update(x);
	return x;
}

/*
 * Restore the AVL rule at p, whose children are valid AVL subtrees whose
 * heights differ by at most 2. Returns the root of p's subtree afterwards.
 *
 * Left-heavy by 2 (right-heavy is the mirror):
 *
 *   LL: rotate right at p          LR: rotate left at l, then right at p
 *
 *	    p           l                 p              p            r
 *	   / \         / \               / \            / \         /   \
 *	  l   c  -->  a   p             l   d   -->    r   d  -->  l     p
 *	 / \             / \           / \            / \         / \   / \
 *	a   b           b   c         a   r          l   c       a  b  c   d
 *	                                 / \        / \
 *	                                b   c      a   b
 *
 * LL is chosen when h(a) >= h(b): after an erase h(a) == h(b) is
 * possible, and a single rotation then keeps the subtree's height.
 */
static struct dc_extent *tree_rebalance_one(struct dc_tree *t,
					    struct dc_extent *p)
{
	int32_t bal = ext_height(p->left) - ext_height(p->right);

	if (bal > 1) {
		struct dc_extent *l = p->left;

		if (ext_height(l->left) < ext_height(l->right))
			tree_rotate_left(t, l);
		return tree_rotate_right(t, p);
	}
	if (bal < -1) {
		struct dc_extent *r = p->right;

		if (ext_height(r->right) < ext_height(r->left))
			tree_rotate_right(t, r);
		return tree_rotate_left(t, p);
	}
	ext_update(p);
	return p;
}

/*
 * Climb from p to the root, rebalancing and recomputing each height.
 *
 * Loop invariant: every subtree strictly below p (other than through the
 * path already climbed) is a valid AVL subtree, and every ancestor of p
 * recorded the height p's subtree had before the change, except possibly
 * those between p and @must.
 *
 * So once p's subtree ends with the height it had before, no ancestor
 * changes, and the climb stops; but not before @must (a node that took a
 * new place in the tree, see dc_tree_erase) has been recomputed.
 */
static void tree_fixup(struct dc_tree *t, struct dc_extent *p,
		       const struct dc_extent *must)
{
	bool passed = !must;

	while (p) {
		int32_t old_h = p->height;
		struct dc_extent *top;

		if (p == must)
			passed = true;
		top = tree_rebalance_one(t, p);
		if (passed && top->height == old_h)
			return;
		p = top->parent;
	}
}

void dc_tree_init(struct dc_tree *t)
{
	t->root = NULL;
	t->count = 0;
	t->bytes = 0;
}

/**
 * dc_tree_insert() - add an extent that overlaps none in the tree
 * @t: the tree
 * @e: the entry, with base, last (and nid) set; the other fields are ours
 *
 * O(height).
 */
void dc_tree_insert(struct dc_tree *t, struct dc_extent *e)
{
	struct dc_extent *p = NULL, **link = &t->root;

	while (*link) {
		p = *link;
		link = e->base < p->base ? &p->left : &p->right;
	}
	e->left = e->right = NULL;
	e->parent = p;
	e->height = 1;
	*link = e;
	t->count++;
	t->bytes += ext_span(e) + 1;
	tree_fixup(t, p, NULL);
}

/**
 * dc_tree_erase() - remove an extent from the tree
 * @t: the tree
 * @e: an extent in @t
 *
 * With two children, e's in-order successor s takes e's place (its
 * height too, so that e's parent still agrees);
 * the climb starts where s left, and must go on at least to s.
 *
 *	      e                 s
 *	     / \               / \
 *	    a   b      -->    a   b
 *	       /                 /
 *	     ...               ...
 *	     /                 /
 *	    s                 x
 *	     \
 *	      x
 *
 * O(height).
 */
void dc_tree_erase(struct dc_tree *t, struct dc_extent *e)
{
	struct dc_extent *p, *s, *child;

	t->count--;
	t->bytes -= ext_span(e) + 1;
	if (!e->left || !e->right) {
		child = e->left ? e->left : e->right;
		p = e->parent;
		tree_replace_child(t, p, e, child);
		tree_fixup(t, p, NULL);
		return;
	}

	s = e->right;
	while (s->left)
		s = s->left;
	if (s == e->right) {
		/* s keeps its right subtree and adopts e's left one. */
		p = s;
	} else {
		p = s->parent;
		p->left = s->right;
		if (s->right)
			s->right->parent = p;
		s->right = e->right;
		e->right->parent = s;
	}
	s->left = e->left;
	e->left->parent = s;
	s->height = e->height;
	tree_replace_child(t, e->parent, e, s);
	tree_fixup(t, p, s);
}

/**
 * dc_tree_resize() - move an extent's bounds, keeping the order
 * @t:    the tree
 * @e:    an extent in @t
 * @base: new first byte
 * @last: new last byte, >= @base; [base, last] overlaps no other extent
 *
 * The key order cannot change and no node carries a value derived from
 * its subtree, so the shape stays as it is: only the bounds and the byte
 * count change. O(1).
 */
void dc_tree_resize(struct dc_tree *t, struct dc_extent *e, dc_addr_t base,
		    dc_addr_t last)
{
	t->bytes -= ext_span(e) + 1;
	e->base = base;
	e->last = last;
	t->bytes += ext_span(e) + 1;
}

struct dc_extent *dc_tree_find_le(const struct dc_tree *t, dc_addr_t addr)
{
	struct dc_extent *n = t->root, *best = NULL;

	while (n) {
		if (n->base <= addr) {
			best = n;
			n = n->right;
		} else {
			n = n->left;
		}
	}
	return best;
}

struct dc_extent *dc_tree_first(const struct dc_tree *t)
{
	struct dc_extent *n = t->root;

	while (n && n->left)
		n = n->left;
	return n;
}

struct dc_extent *dc_tree_last(const struct dc_tree *t)
{
	struct dc_extent *n = t->root;

	while (n && n->right)
		n = n->right;
	return n;
}

struct dc_extent *dc_tree_next(const struct dc_extent *e)
{
	struct dc_extent *n = e->right, *p;

	if (n) {
		while (n->left)
			n = n->left;
		return n;
	}
	for (p = e->parent; p && e == p->right; p = p->parent)
		e = p;
	return p;
}

struct dc_extent *dc_tree_prev(const struct dc_extent *e)
{
	struct dc_extent *n = e->left, *p;

	if (n) {
		while (n->right)
			n = n->right;
		return n;
	}
	for (p = e->parent; p && e == p->left; p = p->parent)
		e = p;
	return p;
}

int dc_tree_height(const struct dc_tree *t)
{
	return ext_height(t->root);
}

static inline int check_min(int bad, int k)
{
	return bad && bad < k ? bad : k;
}

/*
 * T3 at one node, given that its children passed theirs: by induction on
 * the subtree, the local rule implies the global one.
 */
static bool tree_node_balanced(const struct dc_extent *e)
{
	int32_t hl = ext_height(e->left), hr = ext_height(e->right);

	return e->height == 1 + (hl > hr ? hl : hr) && hl - hr <= 1 &&
	       hr - hl <= 1;
}

/**
 * dc_tree_check() - verify T1..T4 (T2 only if @maximal)
 * @t:       the tree
 * @maximal: also check T2, for a caller that keeps its extents merged
 *
 * An in-order walk with an explicit stack of at most DC_TREE_MAX_HEIGHT
 * entries that follows child links only, checking each child's parent
 * link before it steps down. A broken link or a path longer than the
 * bound ends the walk at once (T3): the walk cannot loop or overflow on a
 * corrupt tree. Otherwise the whole tree is checked and the smallest
 * broken number returned.
 *
 * Return: 0, or 1..4.
 */
int dc_tree_check(const struct dc_tree *t, bool maximal)
{
	const struct dc_extent *stack[DC_TREE_MAX_HEIGHT];
	const struct dc_extent *e = t->root, *prev = NULL;
	dc_size_t count = 0, bytes = 0;
	int depth = 0, bad = 0;

	if (e && e->parent)
		return check_min(bad, 3);
	for (;;) {
		/* Invariant: stack holds the ancestors of e whose left
		 * subtree is being walked; e is unvisited or NULL. */
		while (e) {
			if (depth == DC_TREE_MAX_HEIGHT)
				return check_min(bad, 3);
			stack[depth++] = e;
			if (e->left && e->left->parent != e)
				return check_min(bad, 3);
			e = e->left;
		}
		if (!depth)
			break;
		e = stack[--depth];

		if (e->last < e->base || (prev && e->base <= prev->last))
			bad = check_min(bad, 1);
		else if (maximal && prev && e->base - prev->last == 1)
			bad = check_min(bad, 2);
		if (!tree_node_balanced(e))
			bad = check_min(bad, 3);
		count++;
		bytes += ext_span(e) + 1;

		prev = e;
		if (e->right && e->right->parent != e)
			return check_min(bad, 3);
		e = e->right;
	}
	if (ext_height(t->root) > DC_TREE_MAX_HEIGHT)
		bad = check_min(bad, 3);
	if (count != t->count || bytes != t->bytes)
		bad = check_min(bad, 4);
	return bad;
}
