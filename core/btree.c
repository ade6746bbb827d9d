// SPDX-License-Identifier: BSD-3-Clause
/*
 * btree.c - the extent B-tree: extents in leaves, separators and the
 * augmentation of each child in internal nodes (core/btree.h).
 *
 * DOC: extent B-tree
 * Why: issue 15 measured an alloc/free pair of the tree backend at 384 ns
 * with 10^3 free extents and 3046 ns with 10^6, for only 1.21 times the
 * instructions: the ~20 AVL nodes of a search path, 64 bytes and one
 * extent each, miss the cache. A 512-byte B-tree node holds 31 free
 * extents or 18 children, so a search path at 10^6 extents is 5 nodes,
 * of which only the last two are not in cache, and the tree is a third
 * of the AVL's size.
 *
 * Invariants: B1..B7 of core/btree.h, checked by dc_btree_check().
 *
 * Columns: every node is an 8-byte header and up to four parallel arrays
 * ("columns") of cap entries each, at byte 8 + {0, 8, 16, 20} * cap:
 * key (base in a leaf), max (last in a leaf), slack (the value of a
 * valued leaf) and child. One memmove per column moves entries, so
 * insertion, removal, spilling into a sibling, splitting and merging share
 * bt_move() for every kind of node, and the key column (which a descent
 * scans) is at the same place in all of them.
 *
 * Alignment classes (B6): max alone lets a search
 * skip extents that are too short, not extents that are long enough but
 * hold no aligned fit, which is what alignment padding leaves behind. So
 * each internal entry also records, for A = 8, 16, 32 and 64, the longest
 * aligned span of its subtree, last - align_up(base, A), as its distance
 * below max. Exactness: the extent whose span is max has an aligned span
 * at most A - 1 below it, or none, and then max < A - 1; so the smallest
 * distance is at most 63 whenever the subtree holds an A-aligned byte at
 * all, and a byte per class holds it: 0..63, or 0x40 for none. Distances
 * above 63 are dropped while items are combined (bt_slack_min()), which
 * loses nothing, because they are measured from the final max. An
 * extent's own distance in class c is align_up(base, A) - base, the low
 * bits of -base, so all four come from one multiplication
 * (bt_ext_slack()).
 *
 * Fill: a full node first spills into a sibling with room (B*-tree
 * overflow), the two sharing their entries evenly; only when both
 * neighbours are full does it split in two halves. Random inserts then
 * fill leaves to about 80% instead of 69%, and inserts in address order
 * fill them completely, where halving would leave every leaf but the last
 * half empty. Deletion borrows from a sibling, or merges with it when
 * both fit in one node (B4 keeps every non-root node at least half full).
 *
 * Updates stay cheap: an insert may start from a neighbour's cursor (the
 * tree backend holds one from its search) instead of descending again,
 * and growth (an insert, a resize that widens an extent) is folded into
 * the entries of the path without reading any node but the path's
 * (bt_refresh()); only shrinking recomputes an entry from its child, in
 * two passes that skip items far below the longest span (bt_sum()), and
 * that stop as soon as they reach the old entry, which bounds the new one
 * (an erase among equal extents reads one item, not the node).
 *
 * Everything is iterative: searches and updates follow the cursor's path
 * (struct dc_btree_cur) up and down, rebalancing climbs it one level at a
 * time, and the separator and augmentation update stops at the first
 * level where nothing changed (as lib/rbtree.c's augment propagation).
 * Nodes are accessed through byte offsets and casts: the library is built
 * with -fno-strict-aliasing, as core/pool.c's entries are.
 */
#include "core/btree.h"

#include "core/range.h"

#define FAN DC_BTREE_FANOUT
#define SLACK_NONE 0x40404040u	/* every class: no aligned byte */

_Static_assert(8 + 28 * FAN <= DC_BTREE_NODE_SIZE && FAN % 2 == 0,
	       "internal columns fit a node; the child column is 8-aligned");
_Static_assert(8 + 16 * DC_BTREE_CAP_PLAIN <= DC_BTREE_NODE_SIZE &&
	       8 + 20 * DC_BTREE_CAP_VALUED <= DC_BTREE_NODE_SIZE,
	       "leaf columns fit a node");
_Static_assert(sizeof(void *) <= 8 && FAN >= 4 && DC_BTREE_CAP_VALUED >= 4 &&
	       DC_BTREE_CAP_PLAIN < 127,
	       "halves stay >= 2 entries; positions fit a signed char");

/* One entry on its way into a node: an extent (k = base, m = last, s =
 * value) or a child (k = key, m = max, s = slack, p = the child). */
struct bt_item {
	uint64_t k, m;
	uint32_t s;
	struct dc_btree_node *p;
};

/* What a fit needs, window aside (see bt_fits()). */
struct fitq {
	dc_size_t need;		/* size - 1 */
	dc_addr_t amask;	/* min(align, 64) - 1, or 0 below 8 */
	unsigned shift;		/* 8 * class */
};

static inline unsigned bt_cap(const struct dc_btree *t, unsigned lv)
{
	return lv ? FAN : t->cap;
}

static inline unsigned bt_count(const struct dc_btree_node *n)
{
	return ((const uint8_t *)n)[0];
}

static inline void bt_set_count(struct dc_btree_node *n, unsigned count)
{
	((uint8_t *)n)[0] = (uint8_t)count;
}

static inline unsigned bt_level(const struct dc_btree_node *n)
{
	return ((const uint8_t *)n)[1];
}

static void bt_init_node(struct dc_btree_node *n, unsigned level)
{
	((uint8_t *)n)[0] = 0;
	((uint8_t *)n)[1] = (uint8_t)level;
}

static inline unsigned char *bt_col(struct dc_btree_node *n, unsigned cap,
				    unsigned c)
{
	return (unsigned char *)n + 8 + (c < 3 ? 8 * c : 20) * cap;
}

/* Column 0 (key, base), 1 (max, last), 2 (slack, value), 3 (child). */
static inline uint64_t *bt_k(struct dc_btree_node *n)
{
	return &n->w[1];
}

static inline uint64_t *bt_m(struct dc_btree_node *n, unsigned cap)
{
	return &n->w[1 + cap];
}

static inline uint32_t *bt_s(struct dc_btree_node *n, unsigned cap)
{
	return (uint32_t *)(void *)&n->w[1 + 2 * cap];
}

static inline struct dc_btree_node **bt_kids(struct dc_btree_node *n)
{
	return (void *)bt_col(n, FAN, 3);
}

/* Move k entries of a level-lv node s at si to d at di, column by column;
 * s and d may be the same node (memmove). */
static void bt_move(const struct dc_btree *t, unsigned lv,
		    struct dc_btree_node *d, unsigned di,
		    struct dc_btree_node *s, unsigned si, unsigned k)
{
	static const uint8_t size[4] = { 8, 8, 4, sizeof(void *) };
	unsigned cap = bt_cap(t, lv), cols = lv ? 4 : 2 + t->kind;

	for (unsigned c = 0; c < cols; c++)
		memmove(bt_col(d, cap, c) + di * size[c],
			bt_col(s, cap, c) + si * size[c], k * size[c]);
}

/* Insert it at index i of n (level lv), which has room. */
static void bt_put(const struct dc_btree *t, unsigned lv,
		   struct dc_btree_node *n, unsigned i,
		   const struct bt_item *it)
{
	unsigned cap = bt_cap(t, lv), count = bt_count(n);

	bt_move(t, lv, n, i + 1, n, i, count - i);
	bt_k(n)[i] = it->k;
	bt_m(n, cap)[i] = it->m;
	if (lv || t->kind)
		bt_s(n, cap)[i] = it->s;
	if (lv)
		bt_kids(n)[i] = it->p;
	bt_set_count(n, count + 1);
}

/* Remove entry i of n (level lv). */
static void bt_cut(const struct dc_btree *t, unsigned lv,
		   struct dc_btree_node *n, unsigned i)
{
	bt_move(t, lv, n, i, n, i + 1, bt_count(n) - i - 1);
	bt_set_count(n, bt_count(n) - 1);
}

/*
 * Adjacent siblings l and r end with want entries in l, the rest in r,
 * in order. Both have room for what they receive.
 *
 *   want < count(l):  l [a b c|d e]  r [f g]  ->  l [a b c]  r [d e f g]
 *   want > count(l):  l [a b]  r [c|d e f]    ->  l [a b c]  r [d e f]
 */
static void bt_shift(const struct dc_btree *t, unsigned lv,
		     struct dc_btree_node *l, struct dc_btree_node *r,
		     unsigned want)
{
	unsigned cl = bt_count(l), cr = bt_count(r);

	if (want < cl) {
		bt_move(t, lv, r, cl - want, r, 0, cr);
		bt_move(t, lv, r, 0, l, want, cl - want);
	} else {
		bt_move(t, lv, l, cl, r, 0, want - cl);
		bt_move(t, lv, r, 0, r, want - cl, cl + cr - want);
	}
	bt_set_count(l, want);
	bt_set_count(r, cl + cr - want);
}

/*
 * Put it at index g of the sequence l ++ r and share the entries: l gets
 * the first half, rounded up. Spilling into a sibling (r or l had room)
 * and splitting (r is new and empty) are the same move:
 *
 *   l [a b c d]  r [ ]   + x at 2  ->  l [a b x]  r [c d]
 */
static void bt_spread(const struct dc_btree *t, unsigned lv,
		      struct dc_btree_node *l, struct dc_btree_node *r,
		      unsigned g, const struct bt_item *it)
{
	unsigned total = bt_count(l) + bt_count(r) + 1;
	unsigned tl = (total + 1) / 2, in_l = g < tl;

	bt_shift(t, lv, l, r, tl - in_l);
	bt_put(t, lv, in_l ? l : r, in_l ? g : g - tl, it);
}

/* --- augmentation (B3, B6, B7) ------------------------------------------- */

/* Byte c: align_up(base, 8 << c) - base, or 0x40 if that passes the last
 * byte (span = last - base). */
static inline uint32_t bt_ext_slack(dc_addr_t base, dc_size_t span)
{
	uint32_t d = (uint32_t)(-base & 63) * 0x01010101u & 0x3f1f0f07u;
	uint32_t ok;

	if (span >= 63)
		return d;
	/* high bit of each byte: span >= d_c, so no byte borrows */
	ok = ((((uint32_t)span * 0x01010101u) | 0x80808080u) - d) >> 7 &
	     0x01010101u;
	return (d & ok * 0xffu) | (ok ^ 0x01010101u) * 0x40u;
}

/*
 * The byte-wise minimum of slack s and slack x rebased by d (x belongs to
 * an item whose max is d below the one s is relative to). Bytes are 0..63
 * or 0x40 (none), so adding d <= 63 cannot carry into the next byte; a
 * byte that reaches 64 is dropped to none; the minimum is the usual
 * borrow-free SWAR compare.
 */
static uint32_t bt_slack_min(uint32_t s, uint32_t x, dc_size_t d)
{
	uint32_t ge, le;

	if (d > 63)
		return s;
	x += (uint32_t)d * 0x01010101u;
	ge = x >> 6 & 0x01010101u;
	x = (x & ~(ge * 0x7fu)) | ge * 0x40u;
	le = ((s | 0x80808080u) - x) >> 7 & 0x01010101u;	/* x <= s */
	return (s & ~(le * 0xffu)) | (x & le * 0xffu);
}

/*
 * The entry that describes n (level lv) in its parent: its first key, its
 * longest span, and the slack of the items within 63 bytes of that span
 * (no other item can matter), in one pass: the slack is kept relative to
 * the longest span so far and rebased when a longer one comes (an item
 * that ends up more than 63 below the final span drops out in the
 * rebase, as it would have been skipped). With a bound (the entry as it
 * was, when n's subtree has only lost bytes since: an extent erased or
 * shrunk), the new entry is no larger in any class, so the pass stops
 * once it has reached the old entry: after an erase among equal extents,
 * at the first item.
 */
static void bt_sum(const struct dc_btree *t, struct dc_btree_node *n,
		   unsigned lv, struct bt_item *it, const struct bt_item *bound)
{
	unsigned cap = bt_cap(t, lv), i, count = bt_count(n);
	uint64_t *k = bt_k(n), *m = bt_m(n, cap);
	uint32_t *s = bt_s(n, cap), sl = SLACK_NONE, x;
	dc_size_t mx = 0, v;

	for (i = 0; i < count; i++) {
		v = lv ? m[i] : m[i] - k[i];
		if (v < mx && mx - v > 63)
			continue;
		x = lv ? s[i] : bt_ext_slack(k[i], v);
		if (v > mx) {
			sl = bt_slack_min(x, sl, v - mx);
			mx = v;
		} else {
			sl = bt_slack_min(sl, x, mx - v);
		}
		if (bound && mx == bound->m && sl == bound->s)
			break;
	}
	it->k = k[0];
	it->m = mx;
	it->s = sl;
	it->p = n;
}

/* How an entry is brought up to date from its child's subtree. */
enum bt_change {
	BT_ANY,		/* anything may have changed: recompute */
	BT_GREW,	/* it only gained the extent given: fold it in */
	BT_SHRANK,	/* it only lost bytes: recompute, bounded by the old */
};

/*
 * Recompute entry j of p from its child (level lv); false if unchanged.
 * BT_GREW: the child's subtree only gained bytes (an extent inserted or
 * grown, whose own entry grow is): the new entry is the old one with grow
 * folded in, found without reading the child. The fold is exact because
 * an entry is the per-class maximum over a set of extents, and a grown
 * extent's spans dominate its old ones in every class. BT_SHRANK: the
 * old entry bounds the new one (bt_sum()).
 */
static bool bt_refresh(const struct dc_btree *t, struct dc_btree_node *p,
		       unsigned j, unsigned lv, enum bt_change how,
		       const struct bt_item *grow)
{
	uint64_t *k = bt_k(p), *m = bt_m(p, FAN);
	uint32_t *s = bt_s(p, FAN);
	struct bt_item it, old = { k[j], m[j], s[j], NULL };

	if (how == BT_GREW) {	/* the larger max keeps its slack */
		bool up = grow->m > m[j];

		it.k = grow->k < k[j] ? grow->k : k[j];
		it.m = up ? grow->m : m[j];
		it.s = bt_slack_min(up ? grow->s : s[j], up ? s[j] : grow->s,
				    up ? grow->m - m[j] : m[j] - grow->m);
	} else {
		bt_sum(t, bt_kids(p)[j], lv, &it,
		       how == BT_SHRANK ? &old : NULL);
	}
	if (old.k == it.k && old.m == it.m && old.s == it.s)
		return false;
	k[j] = it.k;
	m[j] = it.m;
	s[j] = it.s;
	return true;
}

/*
 * Node c->node[lv] changed: refresh its entry in its parent, and so on up
 * the path. BT_GREW: the subtree only gained the extent c->base..c->last
 * (inserted, or grown in place), which is folded into each entry;
 * otherwise entries are recomputed from their children (BT_SHRANK: each
 * subtree on the path only lost bytes). Loop invariant: every entry below
 * level lv + 1 is correct. Once an entry comes out unchanged, nothing
 * above depends on the change.
 */
static void bt_fix(const struct dc_btree *t, const struct dc_btree_cur *c,
		   unsigned lv, enum bt_change how)
{
	struct bt_item it = { c->base, c->last - c->base, 0, NULL };

	if (how == BT_GREW)	/* only a fold reads the extent's own slack */
		it.s = bt_ext_slack(it.k, it.m);
	for (; lv + 1 < t->height; lv++)
		if (!bt_refresh(t, c->node[lv + 1], (unsigned)c->pos[lv + 1],
				lv, how, &it))
			return;
}

/* --- searches -------------------------------------------------------------- */

/* Entry i of n (level lv) may hold the fit q asks for, window aside: a
 * long enough span, and for align >= 8 a long enough aligned span (B6;
 * an extent's own, -base & amask, is computed). All entries, if !q. */
static bool bt_fits(const struct dc_btree *t, struct dc_btree_node *n,
		    unsigned lv, unsigned i, const struct fitq *q)
{
	unsigned cap = bt_cap(t, lv);
	dc_size_t m = bt_m(n, cap)[i], x = bt_k(n)[i];

	if (!q)
		return true;
	if (!lv)
		return m - x >= q->need && (-x & q->amask) <= m - x - q->need;
	x = bt_s(n, cap)[i] >> q->shift & 0xff;
	return m >= q->need && (!q->amask || (x < 64 && m - q->need >= x));
}

/* Copy the extent under the cursor into it. */
static void bt_load(const struct dc_btree *t, struct dc_btree_cur *c)
{
	unsigned cap = bt_cap(t, 0), i = (unsigned)c->pos[0];
	struct dc_btree_node *n = c->node[0];

	c->base = bt_k(n)[i];
	c->last = bt_m(n, cap)[i];
	c->val = t->kind ? bt_s(n, cap)[i] : 0;
}

/*
 * The number of keys <= addr among key[0 .. count - 1], sorted: first
 * the keys that end each group of 8 (a cache line of keys) are counted,
 * which finds the group, then the keys of that group. At most 4 + 8
 * compares for 31 keys, and the first step's loads, independent of each
 * other, bring in every line the second reads.
 */
static inline unsigned bt_rank(const uint64_t *key, unsigned count,
			       dc_addr_t addr)
{
	unsigned g = 0, k, i, end;

	for (i = 7; i < count; i += 8)
		g += key[i] <= addr;
	k = 8 * g;
	end = k + 8 < count ? k + 8 : count;
	for (i = k; i < end; i++)
		k += key[i] <= addr;
	return k;
}

/*
 * Descend to the leaf where addr belongs: at each level the last child
 * whose key is <= addr, or the first (B7 makes that exact). Returns the
 * number k of that leaf's extents with base <= addr; c->pos[0] = k - 1.
 * k == 0 only on the leftmost path: no extent starts at or below addr.
 * Keys are counted rather than bisected: no branch to mispredict, and
 * the loads are independent; a branchless bisection runs fewer
 * instructions but chains its loads, which loses on a cold tree
 * (tests/perf/bench_btree.c). The count has two steps (bt_rank()).
 */
static unsigned bt_seek(const struct dc_btree *t, dc_addr_t addr,
			struct dc_btree_cur *c)
{
	struct dc_btree_node *n = t->root;
	unsigned lv = t->height, k = 0;

	while (lv--) {
		k = bt_rank(bt_k(n), bt_count(n), addr);
		c->node[lv] = n;
		if (!lv) {
			c->pos[0] = (signed char)(k - 1);
			break;
		}
		k -= k > 0;	/* key 0 stands for everything below key 1 */
		c->pos[lv] = (signed char)k;
		n = bt_kids(n)[k];
	}
	return k;
}

/*
 * Move c to the next (dir 1) or previous (dir -1) extent that may fit q
 * (any extent when q is NULL), looking first after c->pos[lv] at level
 * lv. A restricted in-order walk: climb while a node is exhausted,
 * descend into the first child in direction dir that may fit, never into
 * one that cannot. Loop invariant: c->node[lv..height-1] is a path from
 * the root, and every entry between the start and c->pos[x] at each level
 * x >= lv has been ruled out. On false c is unchanged.
 */
static bool bt_walk(const struct dc_btree *t, struct dc_btree_cur *c,
		    const struct fitq *q, int dir, unsigned lv)
{
	struct dc_btree_node *n;
	int i;

	while (lv < t->height) {
		n = c->node[lv];
		i = c->pos[lv] + dir;
		while (i >= 0 && i < (int)bt_count(n) &&
		       !bt_fits(t, n, lv, (unsigned)i, q))
			i += dir;
		if (i < 0 || i >= (int)bt_count(n)) {
			lv++;
			continue;
		}
		c->pos[lv] = (signed char)i;
		if (!lv) {
			bt_load(t, c);
			return true;
		}
		n = bt_kids(n)[i];
		c->node[--lv] = n;
		c->pos[lv] = (signed char)(dir > 0 ? -1 : (int)bt_count(n));
	}
	return false;
}

static bool bt_edge(const struct dc_btree *t, struct dc_btree_cur *c,
		    int dir)
{
	unsigned lv = t->height - 1u;

	if (!t->root)
		return false;
	c->node[lv] = t->root;
	c->pos[lv] = (signed char)(dir > 0 ? -1 : (int)bt_count(t->root));
	return bt_walk(t, c, NULL, dir, lv);
}

bool dc_btree_first(const struct dc_btree *t, struct dc_btree_cur *c)
{
	return bt_edge(t, c, 1);
}

bool dc_btree_last(const struct dc_btree *t, struct dc_btree_cur *c)
{
	return bt_edge(t, c, -1);
}

bool dc_btree_next(const struct dc_btree *t, struct dc_btree_cur *c)
{
	return bt_walk(t, c, NULL, 1, 0);
}

bool dc_btree_prev(const struct dc_btree *t, struct dc_btree_cur *c)
{
	return bt_walk(t, c, NULL, -1, 0);
}

bool dc_btree_find_le(const struct dc_btree *t, dc_addr_t addr,
		      struct dc_btree_cur *c)
{
	if (!t->root || !bt_seek(t, addr, c))
		return false;
	bt_load(t, c);
	return true;
}

/* x where mask is all ones, y where it is zero */
static inline dc_addr_t bt_pick(dc_addr_t mask, dc_addr_t x, dc_addr_t y)
{
	return (x & mask) | (y & ~mask);
}

/*
 * Bottom-up, the walk starts at the first extent reaching w->lo; top-down,
 * at the last one starting at or below w->last: the cursor is set one
 * step before it, so that bt_walk() tests it like any other. Each extent
 * the walk reaches is clipped to the window, [b, l], and tested exactly:
 * the candidate is align_up(b) bottom-up, align_down(l - size + 1)
 * top-down, and it fits if b <= a <= l - size + 1 (an align_up that wraps
 * past 2^64 - 1 gives a < b): dc_fit_low() and dc_fit_high() of
 * core/range.h in one test. The first extent that leaves no room for
 * size bytes between itself and the window's far end ends the search,
 * since every later one lies further out (as tree_fit_low() and
 * tree_fit_high() of core/tree.c).
 */
bool dc_btree_find_fit(const struct dc_btree *t, const struct dc_window *w,
		       struct dc_btree_cur *c, dc_addr_t *out)
{
	/* up: all ones bottom-up. Directions are picked with this mask, not
	 * with branches, so that the compiler keeps one copy of the loop. */
	dc_addr_t up = w->top_down ? 0 : ~(dc_addr_t)0, b, l, a, far;
	struct fitq q = { w->size - 1, 0, 0 };
	bool ok = false;
	int k;

	if (!t->root || !w->size || !dc_is_pow2(w->align) ||
	    w->last < w->lo || w->last - w->lo < q.need)
		return false;
	if (w->align >= 8) {
		q.amask = (w->align < 64 ? w->align : 64) - 1;
		q.shift = 8 * ((q.amask > 7) + (q.amask > 15) + (q.amask > 31));
	}
	k = (int)bt_seek(t, bt_pick(up, w->lo, w->last), c);
	/* bottom-up, the extent holding w->lo is the first candidate */
	k -= up && k && bt_m(c->node[0], bt_cap(t, 0))[k - 1] >= w->lo;
	c->pos[0] = (signed char)(k - (up & 1));
	while ((ok = bt_walk(t, c, &q, up ? 1 : -1, 0))) {
		b = c->base > w->lo ? c->base : w->lo;
		l = c->last < w->last ? c->last : w->last;
		a = bt_pick(up, b, w->lo);	/* room towards the far end */
		far = bt_pick(up, w->last, l);
		if (far < a || far - a < q.need)
			return false;
		a = bt_pick(up, b + (w->align - 1), l - q.need) & ~(w->align - 1);
		if (l >= b && l - b >= q.need && a >= b && a <= l - q.need)
			break;
	}
	if (ok)
		*out = a;
	return ok;
}

/* --- updates ------------------------------------------------------------- */

void dc_btree_init(struct dc_btree *t, enum dc_btree_kind kind)
{
	t->root = NULL;
	t->count = 0;
	t->bytes = 0;
	t->height = 0;
	t->kind = (uint8_t)kind;
	t->cap = kind ? DC_BTREE_CAP_VALUED : DC_BTREE_CAP_PLAIN;
}

/* The first node of a list threaded through the nodes' first word. */
static struct dc_btree_node *bt_pop(struct dc_btree_node **list)
{
	struct dc_btree_node *n = *list;

	*list = (struct dc_btree_node *)(uintptr_t)n->w[0];
	return n;
}

/*
 * Insert it at index g of c->node[0] and climb while a node overflows,
 * taking new nodes from spare. At each full level, in this order:
 *
 *   left sibling has room:   [L  ][N full]   ->  [L + half][N ...]
 *   right sibling has room:  [N full][R  ]   ->  [N ...][half + R]
 *   neither: split N         [N full]        ->  [N half][new half]
 *                                                 + one entry a level up
 *
 * A full root first gets a new root above it (the height grows by one).
 * Above the levels that moved entries, the new extent is folded into each
 * entry of the path.
 */
static void bt_grow(struct dc_btree *t, struct dc_btree_cur *c,
		    struct dc_btree_node **spare, unsigned g, struct bt_item *it)
{
	struct dc_btree_node *n, *p, *l, *r, **kid;
	unsigned lv, j, cap;
	bool split;

	for (lv = 0;; lv++) {
		cap = bt_cap(t, lv);
		n = c->node[lv];
		if (bt_count(n) < cap) {
			bt_put(t, lv, n, g, it);
			break;
		}
		if (lv + 1u == t->height) {
			p = bt_pop(spare);
			bt_init_node(p, lv + 1);
			bt_kids(p)[0] = n;
			bt_set_count(p, 1);
			c->node[lv + 1] = t->root = p;
			c->pos[lv + 1] = 0;
			t->height++;
		}
		p = c->node[lv + 1];
		j = (unsigned)c->pos[lv + 1];
		kid = bt_kids(p);
		l = n;
		r = NULL;
		if (j > 0 && bt_count(kid[j - 1]) < cap) {
			l = kid[--j];
			r = n;
			g += bt_count(l);
		} else if (j + 1 < bt_count(p) && bt_count(kid[j + 1]) < cap) {
			r = kid[j + 1];
		}
		split = !r;
		if (split) {
			r = bt_pop(spare);
			bt_init_node(r, lv);
		}
		bt_spread(t, lv, l, r, g, it);
		bt_refresh(t, p, j, lv, BT_ANY, NULL);
		if (!split) {
			bt_refresh(t, p, j + 1, lv, BT_ANY, NULL);
			lv++;
			break;
		}
		bt_sum(t, r, lv, it, NULL);
		g = j + 1;
	}
	bt_fix(t, c, lv, BT_GREW);
}

/* Give back a list of spare nodes (threaded through their first word). */
static void bt_give_back(const struct dc_btree_alloc *a,
			 struct dc_btree_node *spare)
{
	while (spare)
		a->put(a->ctx, bt_pop(&spare));
}

int dc_btree_insert(struct dc_btree *t, const struct dc_btree_alloc *a,
		    struct dc_btree_cur *at, dc_addr_t base, dc_addr_t last,
		    uint32_t val)
{
	struct bt_item it = { base, last, val, NULL };
	struct dc_btree_cur own, *c = at ? at : &own;
	struct dc_btree_node *spare = NULL, *x;
	unsigned need = 0, g = 0;
	int p, err = DC_ENOSPC;

	if (t->root) {
		if (at) {	/* the neighbour before, after, or nothing */
			p = c->pos[0];
			g = p < 0 ? 0 : (unsigned)p + (bt_k(c->node[0])[p] < base);
		} else {
			g = bt_seek(t, base, c);
		}
		while (need < t->height &&
		       bt_count(c->node[need]) == bt_cap(t, need))
			need++;
	}
	if (need == t->height)
		need++;		/* a new root, or the first leaf */
	/* need <= DC_BTREE_MAX_HEIGHT by the bound of core/btree.h; the test
	 * guards the cursor's arrays all the same */
	while (need && need <= DC_BTREE_MAX_HEIGHT && (x = a->get(a->ctx))) {
		x->w[0] = (uintptr_t)spare;
		spare = x;
		need--;
	}
	if (!need) {
		if (!t->root) {
			t->root = c->node[0] = bt_pop(&spare);
			bt_init_node(t->root, 0);
			t->height = 1;
		}
		t->count++;
		t->bytes += last - base + 1;
		c->base = base;	/* what bt_fix() folds in; the cursor is spent */
		c->last = last;
		bt_grow(t, c, &spare, g, &it);
		err = DC_OK;
	}
	bt_give_back(a, spare);
	return err;
}

/*
 * After a removal from c->node[0]: climb while a node is underfull (B4).
 * Its pair in the parent is (j - 1, j), the node being either one:
 *
 *   together they fit one node: merge   [L][R]  ->  [L R]   R given back
 *   else borrow: share evenly            [L  ][R]  ->  [L ][ R]
 *
 * A root left with one child gives way to it; an empty root leaf goes.
 */
void dc_btree_erase(struct dc_btree *t, const struct dc_btree_alloc *a,
		    struct dc_btree_cur *c)
{
	struct dc_btree_node *n = c->node[0], *p, **kid;
	unsigned lv, j, cl, cr, cap;

	t->count--;
	t->bytes -= c->last - c->base + 1;
	bt_cut(t, 0, n, (unsigned)c->pos[0]);
	for (lv = 0;; lv++) {
		cap = bt_cap(t, lv);
		n = c->node[lv];
		if (lv + 1u == t->height) {
			if (bt_count(n) > (lv ? 1u : 0u))
				return;
			t->root = lv ? bt_kids(n)[0] : NULL;
			t->height--;
			a->put(a->ctx, n);
			return;
		}
		if (bt_count(n) >= (cap + 1) / 2)
			break;
		p = c->node[lv + 1];
		kid = bt_kids(p);
		j = c->pos[lv + 1] ? (unsigned)c->pos[lv + 1] : 1;
		cl = bt_count(kid[j - 1]);
		cr = bt_count(kid[j]);
		if (cl + cr > cap) {
			bt_shift(t, lv, kid[j - 1], kid[j], (cl + cr + 1) / 2);
			bt_refresh(t, p, j, lv, BT_ANY, NULL);
			bt_refresh(t, p, j - 1, lv, BT_ANY, NULL);
			lv++;
			break;
		}
		bt_shift(t, lv, kid[j - 1], kid[j], cl + cr);
		a->put(a->ctx, kid[j]);
		bt_cut(t, lv + 1, p, j);
		bt_refresh(t, p, j - 1, lv, BT_ANY, NULL);
	}
	bt_fix(t, c, lv, BT_SHRANK);
}

void dc_btree_resize(struct dc_btree *t, struct dc_btree_cur *c,
		     dc_addr_t base, dc_addr_t last)
{
	struct dc_btree_node *n = c->node[0];
	unsigned i = (unsigned)c->pos[0];
	enum bt_change how = base <= c->base && last >= c->last ? BT_GREW :
			     base >= c->base && last <= c->last ? BT_SHRANK :
			     BT_ANY;

	t->bytes += (last - base) - (c->last - c->base);
	bt_k(n)[i] = c->base = base;
	bt_m(n, bt_cap(t, 0))[i] = c->last = last;
	bt_fix(t, c, 0, how);
}

/*
 * The four shapes of a take (as mm/vmalloc.c's enum fit_type):
 *
 *   whole extent   |<----- extent ----->|   erase
 *   left edge      |<- range ->|        |   resize
 *   right edge     |        |<- range ->|   resize
 *   middle         |   |<-range->|      |   resize, insert the right piece
 */
int dc_btree_take(struct dc_btree *t, const struct dc_btree_alloc *a,
		  struct dc_btree_cur *c, dc_addr_t base, dc_addr_t last)
{
	dc_addr_t b = c->base, l = c->last;
	int err = 0;

	if (base == b && last == l) {
		dc_btree_erase(t, a, c);
		return 0;
	}
	/* base > b and last < l where a +1 or -1 below runs */
	dc_btree_resize(t, c, base == b ? last + 1 : b, base == b ? l : base - 1);
	if (base != b && last != l) {
		err = dc_btree_insert(t, a, c, last + 1, l, c->val);
		if (err)
			dc_btree_resize(t, c, b, l);
	}
	return err;
}

/*
 * Merge with the neighbours that touch and carry the same value:
 *
 *   both:  [ l ][ range ][ r ]      l grows over range and r; r erased
 *   left:  [ l ][ range ]  [ r ]    l grows
 *   right: [ l ]  [ range ][ r ]    r grows down
 *   none:  [ l ]  [ range ]  [ r ]  a new extent
 *
 * "Touch" is tested as base - l.last == 1, never l.last + 1, which would
 * wrap at 2^64 - 1. For both, l grows over r before r goes: for that
 * moment they overlap, which only order checks could notice.
 */
int dc_btree_give_at(struct dc_btree *t, const struct dc_btree_alloc *a,
		     struct dc_btree_cur *c, dc_addr_t base, dc_addr_t last,
		     uint32_t val)
{
	bool hl = t->count && c->pos[0] >= 0, hr, tl, tr;
	dc_addr_t ll = hl ? c->last : 0, rl;

	tl = hl && base - ll == 1 && c->val == val;
	hr = t->count && dc_btree_next(t, c);
	if ((hl && ll >= base) || (hr && c->base <= last))
		return DC_EEXIST;
	tr = hr && c->base - last == 1 && c->val == val;
	rl = c->last;
	if (!tl && !tr)
		return dc_btree_insert(t, a, t->count ? c : NULL, base, last,
				       val);
	if (tl && hr)
		dc_btree_prev(t, c);		/* back on l */
	dc_btree_resize(t, c, tl ? c->base : base, tr ? rl : last);
	if (tl && tr) {
		dc_btree_next(t, c);
		dc_btree_erase(t, a, c);
	}
	return 0;
}

int dc_btree_give(struct dc_btree *t, const struct dc_btree_alloc *a,
		  dc_addr_t base, dc_addr_t last, uint32_t val)
{
	struct dc_btree_cur c;

	dc_btree_find_le(t, base, &c);
	return dc_btree_give_at(t, a, &c, base, last, val);
}

/* --- check ----------------------------------------------------------------- */

static inline int check_min(int bad, int k)
{
	return bad && bad < k ? bad : k;
}

/*
 * B3, B6, B7 of entry i of n against its child kid (level lv), after B4
 * of kid itself (its level and count, so that it is safe to read).
 */
static int bt_check_kid(const struct dc_btree *t, struct dc_btree_node *n,
			unsigned i, struct dc_btree_node *kid, unsigned lv)
{
	unsigned cap = bt_cap(t, lv), min = n ? (cap + 1) / 2 : lv ? 2 : 1;
	struct bt_item it;

	if (!kid || bt_level(kid) != lv || bt_count(kid) < min ||
	    bt_count(kid) > cap)
		return 4;
	if (!n)
		return 0;	/* the root */
	bt_sum(t, kid, lv, &it, NULL);
	return bt_m(n, FAN)[i] != it.m ? 3 : bt_s(n, FAN)[i] != it.s ? 6 :
	       bt_k(n)[i] != it.k ? 7 : 0;
}

int dc_btree_check(const struct dc_btree *t, bool maximal)
{
	struct dc_btree_node *stk[DC_BTREE_MAX_HEIGHT + 1], *n, *kid;
	uint8_t at[DC_BTREE_MAX_HEIGHT + 1];
	unsigned h = t->height, lv, cap = bt_cap(t, 0), i;
	dc_size_t count = 0, bytes = 0;
	dc_addr_t prev = 0, b, l;
	int bad = 0, r;

	if (!h || h > DC_BTREE_MAX_HEIGHT)
		return t->root || h ? 4 : t->count || t->bytes ? 5 : 0;
	/* a virtual parent of the root at level h: stk[h] = NULL */
	lv = h;
	stk[lv] = NULL;
	at[lv] = 0;
	for (;;) {
		/* Invariant: stk[lv..h-1] is a checked path from the root;
		 * at[x] children of stk[x] have been entered. */
		n = stk[lv];
		if (lv && at[lv] < (n ? bt_count(n) : 1)) {
			i = at[lv]++;
			kid = n ? bt_kids(n)[i] : t->root;
			r = bt_check_kid(t, n, i, kid, lv - 1);
			if (r == 4)
				return check_min(bad, 4);
			if (r)
				bad = check_min(bad, r);
			stk[--lv] = kid;
			at[lv] = 0;
			continue;
		}
		for (i = 0; !lv && i < bt_count(n); i++) {
			b = bt_k(n)[i];
			l = bt_m(n, cap)[i];
			if (l < b || (count && b <= prev))
				return 1;	/* nothing smaller can break */
			if (maximal && count && b - prev == 1)
				bad = check_min(bad, 2);
			prev = l;
			count++;
			bytes += l - b + 1;
		}
		if (++lv > h)
			break;
	}
	if (count != t->count || bytes != t->bytes)
		bad = check_min(bad, 5);
	return bad;
}
