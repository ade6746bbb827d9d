// SPDX-License-Identifier: BSD-3-Clause
/*
 * tree.c - the augmented extent tree: an AVL tree of struct dc_extent keyed
 * by base, each node also carrying the longest extent of its subtree.
 *
 * DOC: extent tree
 * Job: keep disjoint [base, last] extents in address order and answer, in a
 * restricted descent, "the lowest (or highest) aligned fit of size bytes
 * inside a window". It serves three owners (core/tree.h): the free extents
 * of the tree backend, the system's fragment map and each node's metadata
 * blocks. The tree never allocates; entries come from the caller.
 *
 * Invariants: T1..T5 of core/tree.h, checked by dc_tree_check(), which
 * returns the number of the first broken one. T3 (max_span) is the
 * augmentation: max_span = max(last - base, left.max_span,
 * right.max_span), stored as "length - 1" so that an extent of 2^64 - x
 * bytes never overflows.
 *
 * Why AVL: the 2001 tree-based bootmem patch used treaps, whose height is
 * only O(log n) in expectation. An AVL tree has a worst-case bound: with n
 * nodes its height h satisfies
 *
 *	h < 1.4405 log2(n + 2) - 0.3277		(Knuth, TAOCP 6.2.3)
 *
 * so with n < 2^58 (64-byte entries in a 64-bit address space) h <= 84,
 * and DC_TREE_MAX_HEIGHT (90) bounds every fixed-size stack. AVL is also
 * more rigidly balanced than red-black (1.44 log n against 2 log n), which
 * shortens the searches that dominate allocation; the extra rotations on
 * update do not matter at boot.
 *
 * Alignment classes (T6): max_span alone lets a search skip extents that
 * are too short, but not extents that are long enough yet hold no
 * aligned fit. Those are what small allocations leave behind: a
 * cache-aligned allocation taken from the top of an extent leaves its
 * padding, up to 63 bytes, as a free extent, and every later request of
 * a few dozen bytes would visit each such padding extent in turn, O(n)
 * (the hostile boot of `discontig bench` found it). So each node also
 * records, for A = 8, 16, 32 and 64, the longest aligned span of its
 * subtree, last - align_up(base, A), which decides exactly whether an
 * A-aligned fit exists, and for A > 64 is still necessary (an address
 * aligned to A is aligned to 64). The extent holding the longest span
 * has an aligned span at most A - 1 shorter, so each class fits in one
 * byte as "max_span minus the longest aligned span", 0xff for none: the
 * four fit in 32 bits, inside the 64-byte pool entry.
 *
 * Everything is iterative: descents are loops, in-order walks follow
 * parent links, and rebalancing climbs from the change point, stopping
 * once a subtree's height and max_span are what its parent already
 * recorded (as lib/rbtree.c's augment propagation stops).
 */
#include "core/tree.h"

#include "core/range.h"

static inline int32_t ext_height(const struct dc_extent *e)
{
	return e ? e->height : 0;
}

static inline dc_size_t ext_span(const struct dc_extent *e)
{
	return e->last - e->base;
}

#define ACLASSES 4	/* A = 8 << c, c = 0..3 */
#define ASLACK_NONE 0xffu

/* last - align_up(base, 8 << c), or false if e holds no such byte. */
static inline bool ext_aligned_span(const struct dc_extent *e, int c,
				    dc_size_t *span)
{
	dc_addr_t mask = (8ull << c) - 1, ab = (e->base + mask) & ~mask;

	if (ab < e->base || ab > e->last)
		return false;
	*span = e->last - ab;
	return true;
}

/* The longest aligned span of class c in e's subtree (T6). */
static inline bool sub_aligned_span(const struct dc_extent *e, int c,
				    dc_size_t *span)
{
	unsigned s = e->aslack >> (8 * c) & 0xff;

	if (s == ASLACK_NONE)
		return false;
	*span = e->max_span - s;
	return true;
}

/*
 * Slack below m of e's own aligned spans, class by class; 0xff where there
 * is none or it is more than 63 below m. Dropping those is exact: the
 * extent whose span is m has an aligned span at most A - 1 below m, or
 * none, and then m < A - 1; so the subtree's smallest slack is <= 63
 * whenever it has an aligned span at all.
 */
static uint32_t ext_slack(const struct dc_extent *e, dc_size_t m)
{
	uint32_t slack = 0xffffffffu;
	dc_size_t v;

	if (m - ext_span(e) > 63)
		return slack;
	if (!(e->base & 63))	/* aligned for every class: span itself */
		return 0x01010101u * (uint32_t)(m - ext_span(e));
	for (int c = 0; c < ACLASSES; c++)
		if (ext_aligned_span(e, c, &v) && m - v <= 63)
			slack &= ~((uint32_t)(0xff ^ (m - v)) << (8 * c));
	return slack;
}

/* The smaller slack of each class: slack's, or kid's rebased on m. */
static uint32_t kid_slack(uint32_t slack, const struct dc_extent *kid,
			  dc_size_t m)
{
	dc_size_t d = m - kid->max_span;
	uint32_t k = kid->aslack & 0xff, v = (uint32_t)d + k;

	if (d > 63 || !slack)
		return slack;
	/* the common case, pages and their multiples: every class alike */
	if (kid->aslack == 0x01010101u * k && k != ASLACK_NONE &&
	    slack == 0x01010101u * (slack & 0xff))
		return v > 63 || v >= (slack & 0xff) ? slack : 0x01010101u * v;
	for (int c = 0; c < ACLASSES; c++) {
		k = kid->aslack >> (8 * c) & 0xff;
		v = k + (uint32_t)d;
		if (k != ASLACK_NONE && v < (slack >> (8 * c) & 0xff) && v <= 63)
			slack = (slack & ~(0xffu << (8 * c))) | v << (8 * c);
	}
	return slack;
}

/* e's max_span and aslack, from e and its children (T3, T6). */
static void ext_augment(const struct dc_extent *e, dc_size_t *maxp,
			uint32_t *slackp)
{
	const struct dc_extent *l = e->left, *r = e->right;
	dc_size_t m = ext_span(e);
	uint32_t slack;

	if (l && l->max_span > m)
		m = l->max_span;
	if (r && r->max_span > m)
		m = r->max_span;
	slack = ext_slack(e, m);
	if (l)
		slack = kid_slack(slack, l, m);
	if (r)
		slack = kid_slack(slack, r, m);
	*maxp = m;
	*slackp = slack;
}

/* Recompute e's height, max_span and aslack from its children. */
static void ext_update(struct dc_extent *e)
{
	int32_t hl = ext_height(e->left), hr = ext_height(e->right);

	ext_augment(e, &e->max_span, &e->aslack);
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
 * Climb from p to the root, rebalancing and recomputing each node.
 *
 * Loop invariant: every subtree strictly below p (other than through the
 * path already climbed) is a valid AVL subtree with correct max_span, and
 * every ancestor of p recorded the height and max_span p's subtree had
 * before the change, except possibly those between p and @must.
 *
 * So once p's subtree ends with the height and max_span it had before, no
 * ancestor changes, and the climb stops; but not before @must (a node that
 * took a new place in the tree, see dc_tree_erase) has been recomputed.
 */
static void tree_fixup(struct dc_tree *t, struct dc_extent *p,
		       const struct dc_extent *must)
{
	bool passed = !must;

	while (p) {
		int32_t old_h = p->height;
		dc_size_t old_m = p->max_span;
		uint32_t old_s = p->aslack;
		struct dc_extent *top;

		if (p == must)
			passed = true;
		top = tree_rebalance_one(t, p);
		if (passed && top->height == old_h && top->max_span == old_m &&
		    top->aslack == old_s)
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
	ext_augment(e, &e->max_span, &e->aslack);
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
 * height and augmentation too, so that e's parent still agrees);
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
	s->max_span = e->max_span;
	s->aslack = e->aslack;
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
 * The key order cannot change, so no rotation is needed: only the
 * augmentation climbs, until it stops changing. O(height).
 */
void dc_tree_resize(struct dc_tree *t, struct dc_extent *e, dc_addr_t base,
		    dc_addr_t last)
{
	t->bytes -= ext_span(e) + 1;
	e->base = base;
	e->last = last;
	t->bytes += ext_span(e) + 1;
	tree_fixup(t, e, NULL);
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

/*
 * The restricted walk of dc_tree_find_fit(): in-order (or reverse) steps
 * that skip every subtree that cannot hold the request (struct fitq).
 */

/* What a subtree or an extent must have to hold a fit, window aside:
 * span >= need, and for align >= 8 an aligned span >= need in class c. */
struct fitq {
	dc_size_t need;		/* size - 1 */
	int c;			/* alignment class, -1 for align < 8 */
};

static struct fitq fitq_of(const struct dc_window *w)
{
	struct fitq q = { w->size - 1, -1 };

	for (dc_size_t a = 8; a <= w->align && q.c < ACLASSES - 1; a <<= 1)
		q.c++;
	return q;
}

static inline bool sub_may_fit(const struct dc_extent *n,
			       const struct fitq *q)
{
	dc_size_t v = 0;

	if (n->max_span < q->need)
		return false;
	return q->c < 0 || (sub_aligned_span(n, q->c, &v) && v >= q->need);
}

static inline bool ext_may_fit(const struct dc_extent *e,
			       const struct fitq *q)
{
	dc_size_t v = 0;

	if (q->c < 0)
		return ext_span(e) >= q->need;
	return ext_aligned_span(e, q->c, &v) && v >= q->need;
}

/* Leftmost extent of n's subtree that may fit; sub_may_fit(n). */
static struct dc_extent *tree_first_fit(struct dc_extent *n,
					const struct fitq *q)
{
	while (n) {
		if (n->left && sub_may_fit(n->left, q))
			n = n->left;
		else if (ext_may_fit(n, q))
			return n;
		else
			n = n->right;
	}
	return NULL;	/* only if T3 or T6 is broken */
}

static struct dc_extent *tree_last_fit(struct dc_extent *n,
				       const struct fitq *q)
{
	while (n) {
		if (n->right && sub_may_fit(n->right, q))
			n = n->right;
		else if (ext_may_fit(n, q))
			return n;
		else
			n = n->left;
	}
	return NULL;
}

/* The next extent after e in address order that may fit, or NULL. */
static struct dc_extent *tree_next_fit(const struct dc_extent *e,
				       const struct fitq *q)
{
	struct dc_extent *p;

	for (;;) {
		if (e->right && sub_may_fit(e->right, q))
			return tree_first_fit(e->right, q);
		/* Climb out of right subtrees: those ancestors come before e. */
		for (p = e->parent; p && e == p->right; p = p->parent)
			e = p;
		if (!p)
			return NULL;
		if (ext_may_fit(p, q))
			return p;
		e = p;	/* p cannot fit: try its right subtree */
	}
}

static struct dc_extent *tree_prev_fit(const struct dc_extent *e,
				       const struct fitq *q)
{
	struct dc_extent *p;

	for (;;) {
		if (e->left && sub_may_fit(e->left, q))
			return tree_last_fit(e->left, q);
		for (p = e->parent; p && e == p->left; p = p->parent)
			e = p;
		if (!p)
			return NULL;
		if (ext_may_fit(p, q))
			return p;
		e = p;
	}
}

/* Lowest fit: see dc_tree_find_fit(). */
static struct dc_extent *tree_fit_low(const struct dc_tree *t,
				      const struct dc_window *w,
				      struct fitq q, dc_addr_t *out)
{
	struct dc_extent *e = dc_tree_find_le(t, w->lo);

	/* The first extent that ends at or after lo: every earlier one lies
	 * wholly below the window. */
	if (!e)
		e = dc_tree_first(t);
	else if (e->last < w->lo)
		e = dc_tree_next(e);
	if (e && !ext_may_fit(e, &q))
		e = tree_next_fit(e, &q);

	for (; e; e = tree_next_fit(e, &q)) {
		dc_addr_t b = e->base > w->lo ? e->base : w->lo;
		dc_addr_t l = e->last < w->last ? e->last : w->last;

		/*
		 * No room between b and the window's end: every later extent
		 * starts higher still, so nothing later fits.
		 */
		if (w->last < b || w->last - b < q.need)
			return NULL;
		if (dc_fit_low(b, l, w->size, w->align, out))
			return e;
	}
	return NULL;
}

/* Highest fit: the mirror of tree_fit_low(). */
static struct dc_extent *tree_fit_high(const struct dc_tree *t,
				       const struct dc_window *w,
				       struct fitq q, dc_addr_t *out)
{
	struct dc_extent *e = dc_tree_find_le(t, w->last);

	if (e && !ext_may_fit(e, &q))
		e = tree_prev_fit(e, &q);

	for (; e; e = tree_prev_fit(e, &q)) {
		dc_addr_t b = e->base > w->lo ? e->base : w->lo;
		dc_addr_t l = e->last < w->last ? e->last : w->last;

		/* Every earlier extent ends lower still. */
		if (l < w->lo || l - w->lo < q.need)
			return NULL;
		if (dc_fit_high(b, l, w->size, w->align, out))
			return e;
	}
	return NULL;
}

/**
 * dc_tree_find_fit() - the lowest or highest aligned fit inside a window
 * @t:   the tree
 * @w:   window [lo, last], size > 0, align a power of two, direction
 * @out: the address found; written only when an extent is returned
 *
 * A restricted in-order walk (as mm/vmalloc.c's find_vmap_lowest_match()):
 * it starts at the first extent reaching into the window, never enters a
 * subtree that cannot hold the request (max_span < size - 1, or no
 * aligned span of the request's class that long: T6), and stops at the
 * first extent that could not fit even unaligned at the window's far
 * edge. Each extent is clipped to the window and tested with
 * dc_fit_low()/dc_fit_high(), so the answer is exact.
 *
 * Cost, stated honestly: O(log n) to reach the first candidate, plus
 * O(log n) for each further candidate visited. For align <= 64 every
 * candidate fits unless the window clips it, so the walk is O(log n).
 * For larger alignments a candidate may still fail (an aligned span of
 * class 64 that holds no address aligned to A), so with alignment far
 * larger than the extents (2^63 over many long extents) the walk
 * degrades towards O(k log n), k the number of such extents.
 *
 * Return: the extent holding the fit, or NULL (none, empty window, size
 * 0, align not a power of two).
 */
struct dc_extent *dc_tree_find_fit(const struct dc_tree *t,
				   const struct dc_window *w, dc_addr_t *out)
{
	struct fitq q;

	if (!t->root || !w->size || !dc_is_pow2(w->align))
		return NULL;
	if (w->last < w->lo || w->last - w->lo < w->size - 1)
		return NULL;
	q = fitq_of(w);
	if (!sub_may_fit(t->root, &q))
		return NULL;
	return w->top_down ? tree_fit_high(t, w, q, out) :
			     tree_fit_low(t, w, q, out);
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
 * Local checks of one node, given that its children passed theirs: by
 * induction on the subtree, local T3, T4 and T6 imply the global ones.
 */
static int tree_check_node(const struct dc_extent *e)
{
	int32_t hl = ext_height(e->left), hr = ext_height(e->right);
	dc_size_t m;
	uint32_t slack;

	ext_augment(e, &m, &slack);
	if (e->max_span != m)
		return 3;
	if (e->height != 1 + (hl > hr ? hl : hr) || hl - hr > 1 || hr - hl > 1)
		return 4;
	if (e->aslack != slack)
		return 6;
	return 0;
}

/**
 * dc_tree_check() - verify T1..T6 (T2 only if @maximal)
 * @t:       the tree
 * @maximal: the extents must not touch (free extents, fragments)
 *
 * An in-order walk with an explicit stack of at most DC_TREE_MAX_HEIGHT
 * entries that follows child links only, checking each child's parent
 * link before it steps down. A broken link or a path longer than the
 * bound ends the walk at once (T4): the walk cannot loop or overflow on a
 * corrupt tree. Otherwise the whole tree is checked and the smallest
 * broken number returned.
 *
 * Return: 0, or 1..6.
 */
int dc_tree_check(const struct dc_tree *t, bool maximal)
{
	const struct dc_extent *stack[DC_TREE_MAX_HEIGHT];
	const struct dc_extent *e = t->root, *prev = NULL;
	dc_size_t count = 0, bytes = 0;
	int depth = 0, bad = 0;

	if (e && e->parent)
		return check_min(bad, 4);
	for (;;) {
		/* Invariant: stack holds the ancestors of e whose left
		 * subtree is being walked; e is unvisited or NULL. */
		while (e) {
			if (depth == DC_TREE_MAX_HEIGHT)
				return check_min(bad, 4);
			stack[depth++] = e;
			if (e->left && e->left->parent != e)
				return check_min(bad, 4);
			e = e->left;
		}
		if (!depth)
			break;
		e = stack[--depth];

		if (e->last < e->base || (prev && e->base <= prev->last))
			bad = check_min(bad, 1);
		else if (maximal && prev && e->base - prev->last == 1)
			bad = check_min(bad, 2);
		if (tree_check_node(e))
			bad = check_min(bad, tree_check_node(e));
		count++;
		bytes += ext_span(e) + 1;

		prev = e;
		if (e->right && e->right->parent != e)
			return check_min(bad, 4);
		e = e->right;
	}
	if (ext_height(t->root) > DC_TREE_MAX_HEIGHT)
		bad = check_min(bad, 4);
	if (count != t->count || bytes != t->bytes)
		bad = check_min(bad, 5);
	return bad;
}
