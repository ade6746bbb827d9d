// SPDX-License-Identifier: BSD-3-Clause
/*
 * backends/tree.c - the extent-tree backend: free memory of one node as
 * maximal extents in an augmented extent B-tree (core/btree.c).
 *
 * DOC: tree backend
 * The design of the 2001 "tree-based bootmem" RFC: time and space grow
 * with the number of free extents, not with the size of memory, and
 * tracking is byte-exact. A fit inside a window, aligned, lowest or
 * highest, is a restricted descent on each child's longest span and
 * alignment classes (DESIGN.md, "Backends"). Until issue 15 the extents
 * were AVL nodes of 64 bytes each; a search path at 10^6 extents was ~20
 * cache misses and the tree 64 bytes per extent. The B-tree keeps 31
 * extents in a 512-byte leaf: a path of 5 nodes, about 21 bytes per
 * extent.
 *
 * Nodes. A B-tree node is DC_BTREE_NODE_SIZE (512) bytes, larger than a
 * pool entry (DC_POOL_ENTRY_SIZE, 64), so the backend keeps its own list
 * of spare nodes: in SETUP each one is a block from the top of the
 * caller's initial pool (dc_pool_block); in READY the initial pool is
 * tried first, then a block of 2^shift pages (doubling up to 16) is
 * stolen through the metadata layer (dc_meta_steal: this node first,
 * then the nearest with room) and carved into nodes. Spare nodes stay
 * metadata, as carved pool entries do.
 *
 * Counting (the prepare() contract, backend.h). Erase and resize take no
 * node; an insert takes at most height + 1, and each insert raises the
 * height by one at most, so the i-th insert of a call (from 0) takes at
 * most h + 1 + i, where h is the height when it was prepared; a tree of
 * one leaf with room for every insert of the call needs none
 * (tree_need()).
 * prepare(n, k) adds the bound of k more inserts to `want` and makes
 * nspare + net >= want, where net is what the call took from the list so
 * far (gets minus puts): what is left covers every insert still to come.
 * A mutating call needs at most ONE insert:
 *
 *   whole extent      |<----- extent ----->|    erase: gives a node back
 *                     |<----- range  ----->|
 *
 *   left edge         |<----- extent ----->|    resize: no node
 *                     |<- range ->|
 *
 *   right edge        |<----- extent ----->|    resize: no node
 *                              |<- range ->|
 *
 *   middle split      |<----- extent ----->|    resize + insert
 *                         |<-range->|
 *
 * and giving a range back merges with the touching neighbours (resize,
 * erase) or inserts one extent.
 *
 * Failure: nodes acquired during a call stay on a separate list (fresh)
 * until the call ends. finish(n, true) moves them to the spare list;
 * finish(n, false) gives them all back: blocks of the initial pool
 * newest first (dc_pool_block_retire, which restores the pool exactly),
 * stolen ones are forgotten (the transaction has dropped their steals).
 * A failed call runs no mutating call (the node layer prepares first),
 * so every fresh node is still on the list.
 *
 * A steal reserves its block in this node's tree (core/pool.c records it
 * at the end of the call) and prepares that reservation while we are
 * growing: such a nested prepare only adds to want (internal), and the
 * outer loop grows until the bound holds.
 *
 * Searching once. The node layer probes every piece of a call before it
 * prepares any and then reserves or frees it, and finds a fit before it
 * prepares and allocates it; each pair would search the tree twice for
 * the same extent. The probe or find leaves its cursor in the call's memo
 * (struct tree_memo) with the tree's change count (gen), and the reserve,
 * free or alloc of the same range or window on an unchanged tree starts
 * from it: a reserve/free or alloc/free pair searches twice, not four
 * times. Anything that changed the tree in between (another piece of the
 * same call on this node) changed gen, and the call searches again; a
 * find on another node or for a steal replaced the memo.
 *
 * Invariants (check() returns the number of the first broken one):
 *  1..7  B1..B7 of core/btree.h on the free tree, with B2: free extents
 *        are maximal, so "every byte of [base, last] is free" is the same
 *        as "[base, last] lies inside one free extent"
 *  8     the spare list holds nspare nodes, none fresh, and outside a
 *        call nothing is wanted, taken or fresh
 *  9     every free extent lies inside one registered fragment of this
 *        node (checked when the node belongs to a system)
 *
 * "taken" counts the used and metadata bytes inside the node's memory:
 * reserve and alloc add to it, free subtracts; add_memory and
 * remove_memory change the memory itself, not what is taken of it.
 */
#include "backends/tree.h"
#include "core/pool.h"
#include "core/range.h"
#include "core/tree.h"

#define TREE_NODE DC_BTREE_NODE_SIZE
#define TREE_SHIFT_MAX 4	/* steals grow to 2^4 pages */

_Static_assert(sizeof(struct tree_state) <=
	       DC_BACKEND_STATE_WORDS * sizeof(uint64_t),
	       "tree backend state must fit in dc_node.state");
_Static_assert(_Alignof(struct tree_state) <= _Alignof(uint64_t),
	       "dc_node.state must be aligned enough for tree_state");
/* The call's memo (dc_txn_memo()): see "Searching once" at the top. */
enum tree_memo_kind {
	MEMO_FREE = DC_PROBE_FREE,	/* c holds all of [base, last] */
	MEMO_TAKEN = DC_PROBE_TAKEN,	/* c: find_le(last), none in range */
	MEMO_FIT,			/* c holds the fit found in w */
};

/* What a memo answers: the node, the tree's change count, the kind, and
 * the probe's range or the find's window. */
struct tree_memo_key {
	uint64_t w[8];
};

struct tree_memo {
	struct tree_memo_key key;	/* word 0, the node: 0 for none */
	dc_addr_t at;			/* MEMO_FIT: the fit found */
	struct dc_btree_cur c;
};

_Static_assert(sizeof(struct tree_memo) <=
	       DC_TXN_MEMO_WORDS * sizeof(uint64_t),
	       "the tree's memo must fit in the call's memo");
_Static_assert(TREE_NODE % DC_POOL_ENTRY_SIZE == 0,
	       "a node retired to the pool gives back whole entries");

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

static void node_push(struct dc_btree_node **list, struct dc_btree_node *x)
{
	x->w[0] = (uintptr_t)*list;
	*list = x;
}

static struct dc_btree_node *node_pop(struct dc_btree_node **list)
{
	struct dc_btree_node *x = *list;

	if (x)
		*list = (struct dc_btree_node *)(uintptr_t)x->w[0];
	return x;
}

/* The B-tree's allocator: spare nodes first, then this call's fresh. */
static void *tree_node_get(void *ctx)
{
	struct tree_state *s = tree_state(ctx);
	struct dc_btree_node *x = node_pop(&s->spare);

	if (!x) {
		x = node_pop(&s->fresh);
		if (!x)
			return 0;
		s->nfresh--;
	}
	s->nspare--;
	s->net++;
	return x;
}

static void tree_node_put(void *ctx, void *node)
{
	struct tree_state *s = tree_state(ctx);

	node_push(&s->spare, node);
	s->nspare++;
	s->net--;
}

static struct dc_btree_alloc tree_alloc_of(struct dc_node *n)
{
	return (struct dc_btree_alloc){ tree_node_get, tree_node_put, n };
}

static int tree_init(struct dc_node *n)
{
	struct tree_state *s = tree_state(n);

	*s = (struct tree_state){ 0 };
	dc_btree_init(&s->free, DC_BTREE_PLAIN);
	return 0;
}

static void tree_fresh_push(struct tree_state *s, void *x)
{
	node_push(&s->fresh, x);
	s->nfresh++;
	s->nspare++;
}

/* A block stolen for nodes: 2^shift pages, at least missing nodes, else
 * the smallest block that holds them. */
static int tree_steal(struct dc_node *n, dc_size_t missing)
{
	struct tree_state *s = tree_state(n);
	dc_size_t page = dc_page_size(n->sys);
	dc_size_t least = (missing * TREE_NODE + page - 1) & ~(page - 1);
	dc_size_t bytes = page << s->shift;
	unsigned char *va;
	dc_addr_t pa;
	void *v;

	if (bytes < least)
		bytes = least;
	if (dc_meta_steal(n, bytes, &pa, &v)) {
		if (bytes == least || dc_meta_steal(n, least, &pa, &v))
			return DC_ENOSPC;
		bytes = least;
	}
	for (va = v; bytes >= TREE_NODE; va += TREE_NODE, bytes -= TREE_NODE)
		tree_fresh_push(s, va);
	if (s->shift < TREE_SHIFT_MAX)
		s->shift++;
	return 0;
}

/* Bring nspare + net up to want: the initial pool first, one block per
 * node, then steals. */
static int tree_grow(struct dc_node *n)
{
	struct tree_state *s = tree_state(n);
	void *va;

	while ((int64_t)s->nspare + s->net < (int64_t)s->want) {
		if (!dc_pool_block(n->sys, TREE_NODE, &va)) {
			tree_fresh_push(s, va);
			continue;
		}
		if (tree_steal(n, (dc_size_t)((int64_t)s->want - s->net -
					      s->nspare)))
			return DC_ENOSPC;
	}
	return 0;
}

/*
 * Nodes inserts number i .. i + k - 1 of the call may take (see
 * "Counting" at the top of the file). A tree of one leaf is exact: while
 * every insert of the call fits it, none takes a node (an empty tree, the
 * leaf itself). That is most nodes of a real machine, and it keeps a node
 * that donates a stolen block from stealing for its own record (steals
 * nest at most three deep: core/pool.c).
 */
static unsigned tree_need(const struct dc_btree *t, unsigned i, unsigned k)
{
	if (t->height <= 1 && t->count + i + k <= t->cap)
		return !t->height && !i;
	return k * (t->height + 1u + i) + k * (k - 1) / 2;
}

/* See "Counting" at the top of the file. */
static int tree_prepare(struct dc_node *n, unsigned k)
{
	struct tree_state *s = tree_state(n);
	int r;

	dc_txn_touch(n);	/* finish() ends what this call holds */
	if (!s->in_call) {
		s->in_call = 1;
		s->shift0 = s->shift;
	}
	s->want += tree_need(&s->free, s->inserts, k);
	s->inserts += k;
	if (s->internal)
		return 0;
	s->internal = 1;
	r = tree_grow(n);
	s->internal = 0;
	return r;
}

static bool tree_pool_owns(const struct dc_pool *p, const void *x)
{
	return (uintptr_t)x >= p->start && (uintptr_t)x < p->end;
}

/*
 * End of the public call: the fresh nodes join the spare list (ok), or
 * are given back (!ok): to the initial pool, newest first, so that it is
 * restored exactly, or forgotten when stolen (the transaction has dropped
 * their steals). Spare nodes stay with the tree, as the array backend
 * keeps its spare slots: the next call's worst case is usually held
 * already, and a steal that records its block in this tree rarely has
 * to steal again for it (steals nest at most three deep, core/pool.c).
 */
static void tree_finish(struct dc_node *n, bool ok)
{
	struct tree_state *s = tree_state(n);
	const struct dc_pool *p = &n->sys->pool;
	struct dc_btree_node *x;

	while ((x = node_pop(&s->fresh))) {
		s->nfresh--;
		if (ok) {
			node_push(&s->spare, x);
			continue;
		}
		s->nspare--;
		if (tree_pool_owns(p, x))
			dc_pool_block_retire(n->sys, x, TREE_NODE);
	}
	if (!ok)
		s->shift = s->shift0;
	s->want = s->inserts = 0;
	s->net = 0;
	s->in_call = 0;
}

/* The free extent holding all of [base, last]: true and c on it. */
static bool tree_holding(const struct tree_state *s, dc_addr_t base,
			 dc_addr_t last, struct dc_btree_cur *c)
{
	return dc_btree_find_le(&s->free, base, c) && c->last >= last;
}

static struct tree_memo *tree_memo(const struct dc_node *n)
{
	return (struct tree_memo *)(void *)dc_txn_memo(n);
}

/* The memo's cursor, for a probe or find to fill: the memo holds nothing
 * until tree_memo_set() says what it holds. */
static struct dc_btree_cur *tree_memo_cur(const struct dc_node *n)
{
	struct tree_memo *m = tree_memo(n);

	m->key.w[0] = 0;
	return &m->c;
}

/* The key of a probe of [base, last] (want) or of a find in window w. */
static struct tree_memo_key tree_memo_key(const struct dc_node *n,
					  enum tree_memo_kind kind,
					  dc_addr_t base, dc_addr_t last,
					  const struct dc_window *w)
{
	struct tree_memo_key k = { { (uintptr_t)n,
				     tree_state_const(n)->gen, kind } };

	if (w) {
		k.w[3] = w->lo;
		k.w[4] = w->last;
		k.w[5] = w->size;
		k.w[6] = w->align;
		k.w[7] = w->top_down;
	} else {
		k.w[3] = base;
		k.w[4] = last;
	}
	return k;
}

static void tree_memo_set(const struct dc_node *n,
			  const struct tree_memo_key *k)
{
	tree_memo(n)->key = *k;
}

/* The memo if it answers key k (same node, tree unchanged since, same
 * kind and question), else NULL; one comparison of the whole key. */
static struct tree_memo *tree_memo_get(const struct dc_node *n,
				       const struct tree_memo_key *k)
{
	struct tree_memo *m = tree_memo(n);
	uint64_t d = 0;

	for (unsigned i = 0; i < 8; i++)
		d |= m->key.w[i] ^ k->w[i];
	return d ? 0 : m;
}

/* The cursor of a probe of [base, last] on an unchanged tree, or NULL. */
static struct dc_btree_cur *tree_memo_probed(const struct dc_node *n,
					     dc_addr_t base, dc_addr_t last,
					     enum dc_probe want)
{
	struct tree_memo_key k = tree_memo_key(n, (enum tree_memo_kind)want,
					       base, last, 0);
	struct tree_memo *m = tree_memo_get(n, &k);

	return m ? &m->c : 0;
}

/* Take [base, last] out of the extent at c, which holds it (the four
 * shapes at the top of the file). */
static int tree_take(struct dc_node *n, struct dc_btree_cur *c,
		     dc_addr_t base, dc_addr_t last)
{
	struct tree_state *s = tree_state(n);
	struct dc_btree_alloc a = tree_alloc_of(n);

	s->gen++;
	return dc_btree_take(&s->free, &a, c, base, last);
}

/* Make [base, last] free, merged with the free neighbours that touch it:
 * DC_EEXIST, changing nothing, if a free extent overlaps it. at: a
 * cursor for dc_btree_give_at(), or NULL. */
static int tree_give(struct dc_node *n, struct dc_btree_cur *at,
		     dc_addr_t base, dc_addr_t last)
{
	struct tree_state *s = tree_state(n);
	struct dc_btree_alloc a = tree_alloc_of(n);

	s->gen++;
	if (at)
		return dc_btree_give_at(&s->free, &a, at, base, last, 0);
	return dc_btree_give(&s->free, &a, base, last, 0);
}

static int tree_add_memory(struct dc_node *n, dc_addr_t base, dc_addr_t last)
{
	return tree_give(n, NULL, base, last);
}

static int tree_remove_memory(struct dc_node *n, dc_addr_t base,
			      dc_addr_t last)
{
	struct dc_btree_cur c;

	if (!tree_holding(tree_state(n), base, last, &c))
		return DC_EBUSY;
	return tree_take(n, &c, base, last);
}

/* A free run leaves as remove_memory takes it; a taken run is in no
 * extent, so only the count of taken bytes changes. */
static int tree_drop(struct dc_node *n, dc_addr_t base, dc_addr_t last)
{
	struct tree_state *s = tree_state(n);
	struct dc_btree_cur c;

	if (tree_holding(s, base, last, &c))
		return tree_take(n, &c, base, last);
	s->taken -= last - base + 1;
	return 0;
}

/*
 * DC_PROBE_FREE: free extents are maximal, so all bytes are free exactly
 * when one extent holds the range. DC_PROBE_TAKEN: of the extents starting
 * at or below last, the one starting highest also ends highest; if it
 * ends below base, no free extent overlaps. Both O(log n); what they
 * found is memoised for the reserve or free that follows.
 */
static int tree_probe(const struct dc_node *n, dc_addr_t base,
		      dc_addr_t last, enum dc_probe want)
{
	const struct tree_state *s = tree_state_const(n);
	struct dc_btree_cur *c = tree_memo_cur(n);
	struct tree_memo_key k;

	if (want == DC_PROBE_FREE) {
		if (!tree_holding(s, base, last, c))
			return DC_EBUSY;
	} else if (dc_btree_find_le(&s->free, last, c) && c->last >= base) {
		return DC_ENOENT;
	}
	k = tree_memo_key(n, (enum tree_memo_kind)want, base, last, 0);
	tree_memo_set(n, &k);
	return 0;
}

static int tree_reserve(struct dc_node *n, dc_addr_t base, dc_addr_t last)
{
	struct tree_state *s = tree_state(n);
	struct dc_btree_cur own, *c = tree_memo_probed(n, base, last,
							DC_PROBE_FREE);
	int err;

	if (!c) {
		c = &own;
		if (!tree_holding(s, base, last, c))
			return DC_EBUSY;	/* not probed: nothing changed */
	}
	err = tree_take(n, c, base, last);
	if (!err)
		s->taken += last - base + 1;
	return err;
}

static int tree_free(struct dc_node *n, dc_addr_t base, dc_addr_t last)
{
	struct tree_state *s = tree_state(n);
	int err = tree_give(n, tree_memo_probed(n, base, last, DC_PROBE_TAKEN),
			    base, last);

	if (err == DC_EEXIST)
		return DC_ENOENT;	/* a byte is free already */
	if (!err)
		s->taken -= last - base + 1;
	return err;
}

/* Nothing to place: the tree lives in its nodes from the start. */
static int tree_finalize(struct dc_node *n)
{
	return 0;
}

static void tree_unfinalize(struct dc_node *n)
{
}

/* The fit is memoised with its window: the node layer allocates in the
 * same window right after (nodes/route.c, take_fit()). */
static int tree_find(const struct dc_node *n, const struct dc_window *w,
		     dc_addr_t *out)
{
	struct dc_btree_cur *c = tree_memo_cur(n);
	struct tree_memo_key k;
	dc_addr_t a;

	if (!dc_btree_find_fit(&tree_state_const(n)->free, w, c, &a))
		return DC_ENOMEM;
	k = tree_memo_key(n, MEMO_FIT, 0, 0, w);
	tree_memo_set(n, &k);
	tree_memo(n)->at = a;
	*out = a;
	return 0;
}

static int tree_alloc(struct dc_node *n, const struct dc_window *w,
		      dc_addr_t *out)
{
	struct tree_state *s = tree_state(n);
	struct tree_memo_key k = tree_memo_key(n, MEMO_FIT, 0, 0, w);
	struct tree_memo *m = tree_memo_get(n, &k);
	struct dc_btree_cur own, *c = &own;
	dc_addr_t a;
	int err;

	if (m) {
		c = &m->c;
		a = m->at;
	} else if (!dc_btree_find_fit(&s->free, w, c, &a)) {
		return DC_ENOMEM;
	}
	err = tree_take(n, c, a, a + (w->size - 1));
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
	struct dc_btree_cur c;
	bool le = dc_btree_find_le(&s->free, from, &c);

	if (le && c.last >= from) {
		*base = from;
		*last = c.last;
		return 0;
	}
	if (!s->free.count || !dc_btree_next(&s->free, &c))
		return DC_ENOENT;
	*base = c.base;
	*last = c.last;
	return 0;
}

/* Invariant 9: [base, last] inside one fragment of node n (fragments are
 * maximal per node, so one fragment holds any run of its memory). */
static bool tree_in_fragment(const struct dc_node *n, dc_addr_t base,
			     dc_addr_t last)
{
	const struct dc_extent *f = dc_tree_find_le(&n->sys->fragments, base);

	return f && f->nid == n->nid && f->last >= last;
}

/* Invariant 8: the lists hold what the counts say; at rest, no call's
 * bookkeeping is left. The walk stops at nspare + 1 nodes, so a cycle
 * cannot hang it. */
static int tree_check_spare(const struct tree_state *s)
{
	const struct dc_btree_node *x = s->spare;
	dc_size_t k = 0;

	for (; x && k <= s->nspare; k++)
		x = (const struct dc_btree_node *)(uintptr_t)x->w[0];
	if (k != s->nspare)	/* a longer list stops at nspare + 1 */
		return 8;
	if (s->fresh || s->nfresh || s->want || s->inserts || s->net ||
	    s->in_call || s->internal)
		return 8;
	return 0;
}

static int tree_check(const struct dc_node *n)
{
	const struct tree_state *s = tree_state_const(n);
	struct dc_btree_cur c;
	bool more;
	int bad = dc_btree_check(&s->free, true);

	if (bad)
		return bad;
	bad = tree_check_spare(s);
	if (bad || !n->sys)
		return bad;
	for (more = dc_btree_first(&s->free, &c); more;
	     more = dc_btree_next(&s->free, &c))
		if (!tree_in_fragment(n, c.base, c.last))
			return 9;
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
	.finish = tree_finish,
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
