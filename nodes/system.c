// SPDX-License-Identifier: BSD-3-Clause
/*
 * system.c - the system, its nodes and the memory map: dc_init, nodes and
 * distances, memory registration (dc_add_memory, dc_remove_memory,
 * dc_set_node), the access limit and the SETUP -> READY step.
 *
 * Every mutating call runs in three passes over the pieces of its range
 * (one piece per fragment, see dc_for_each_piece), inside a transaction
 * (core/pool.c) that targets the range:
 *   1. check: coverage (DC_ENOENT), backend probes (DC_EBUSY / DC_ENOENT),
 *      metadata (DC_EBUSY) - pure;
 *   2. prepare: hold the worst-case pool entries on each piece's node and
 *      let the backend do the same (DC_ENOSPC: the transaction gives
 *      everything back, steals included);
 *   3. apply, which can no longer fail; the transaction ends.
 * Checks and holds share one walk (dc_pieces_ready()): a piece is held
 * only while every check so far passed, and the answer is ranked as if
 * all checks came first. Steals never touch the call's range, so a hold
 * cannot change what a later piece's check sees.
 * This is memblock_add_range()'s "count, grow, then insert" and vmem's
 * bt_fill() applied to every call (STYLE.md, "Errors").
 */
#include "nodes/node.h"

static const char *const dc_errnames[] = {
	"0: success",
	"DC_EINVAL: bad argument",
	"DC_ERANGE: range wraps past the top of the address space",
	"DC_ENOMEM: no free memory satisfies the request",
	"DC_EBUSY: range is used or metadata",
	"DC_ENOENT: range is not registered memory, or not used",
	"DC_EEXIST: overlaps registered memory",
	"DC_ENOSPC: metadata exhausted",
	"DC_ESTATE: call not allowed in this phase",
};

const char *dc_strerror(int err)
{
	if (err > 0 || err < DC_ESTATE)
		return "unknown error";
	return dc_errnames[-err];
}

int dc_phase(const struct dc_system *sys)
{
	return dc_sys_ok(sys) ? (int)sys->phase : DC_EINVAL;
}

int dc_init_abi(struct dc_system *sys, const struct dc_config *cfg,
		const struct dc_platform *plat, uint64_t abi)
{
	unsigned shift;

	/* first, before anything is written: a caller compiled against
	 * another layout would be overrun (config.h) */
	if (abi != DC_ABI_KEY)
		return DC_EINVAL;
	if (!sys || !cfg || !plat || !plat->phys_to_virt)
		return DC_EINVAL;
	shift = cfg->page_shift ? cfg->page_shift : 12;
	if (shift < 12 || shift > 30 || (cfg->flags & ~DC_CFG_TOP_DOWN))
		return DC_EINVAL;
	if (cfg->pool_bytes && (!cfg->pool ||
	    cfg->pool_bytes > DC_UINTPTR_MAX - (uintptr_t)cfg->pool))
		return DC_EINVAL;
	memset(sys, 0, sizeof(*sys));
	sys->page_shift = shift;
	sys->flags = cfg->flags;
	sys->ops = cfg->backend ? cfg->backend : dc_backend_default();
	sys->plat = *plat;
	sys->access_end = cfg->access_limit;
	dc_pool_init(&sys->pool, cfg->pool, cfg->pool_bytes);
	dc_tree_init(&sys->fragments);
	sys->phase = DC_SETUP;
	sys->magic = DC_SYS_MAGIC;
	return DC_OK;
}

/* The fragment holding pos, or NULL. A call's passes walk the same
 * pieces, and calls in a row mostly fall in the same fragment, so the
 * last fragment found is remembered (sys->frag_hint; forgotten whenever
 * the map changes, which only fragment_insert() and fragment_cut() do). */
static const struct dc_extent *fragment_at(struct dc_system *sys,
					   dc_addr_t pos)
{
	const struct dc_extent *f = sys->frag_hint;

	if (f && f->base <= pos && f->last >= pos)
		return f;
	f = dc_tree_find_le(&sys->fragments, pos);
	if (!f || f->last < pos)
		return NULL;
	sys->frag_hint = f;
	return f;
}

int dc_for_each_piece(struct dc_system *sys, dc_addr_t base, dc_addr_t last,
		      dc_piece_fn fn, void *ctx)
{
	dc_addr_t pos = base, pl;
	const struct dc_extent *f;
	int r;

	for (;;) {
		f = fragment_at(sys, pos);
		if (!f)
			return DC_ENOENT;
		pl = f->last < last ? f->last : last;
		r = fn(sys->node[f->nid], pos, pl, ctx);
		if (r || pl == last)
			return r;
		pos = pl + 1;
	}
}

/* --- nodes and the distance table --------------------------------------- */

/* Insert nid into the ascending list of present nids. */
static void present_add(struct dc_system *sys, int nid)
{
	unsigned i = sys->nr_nodes;

	while (i && sys->present[i - 1] > nid) {
		sys->present[i] = sys->present[i - 1];
		i--;
	}
	sys->present[i] = (int16_t)nid;
	sys->nr_nodes++;
}

static void present_del(struct dc_system *sys, int nid)
{
	unsigned i = 0;

	while (sys->present[i] != nid)
		i++;
	for (; i + 1 < sys->nr_nodes; i++)
		sys->present[i] = sys->present[i + 1];
	sys->nr_nodes--;
}

/* A table of dim x dim distances, the old one copied in, defaults for new
 * rows and columns. */
static int distance_grow(struct dc_system *sys, unsigned dim, uint16_t **out)
{
	uint16_t *t;
	void *va;
	unsigned i, j;

	if (dc_pool_block(sys, (dc_size_t)dim * dim * sizeof(*t), &va))
		return DC_ENOSPC;
	t = va;
	for (i = 0; i < dim; i++)
		for (j = 0; j < dim; j++)
			t[i * dim + j] = i < sys->dim && j < sys->dim ?
				sys->distance[i * sys->dim + j] :
				(uint16_t)(i == j ? 10 : 20);
	*out = t;
	return DC_OK;
}

static void distance_switch(struct dc_system *sys, uint16_t *t, unsigned dim)
{
	if (sys->distance)
		dc_pool_block_retire(sys, sys->distance,
				     (dc_size_t)sys->dim * sys->dim * 2);
	sys->distance = t;
	sys->dim = dim;
}

/*
 * A new node: its descriptor and, when a distance table exists, a grown
 * table, both from the top of the pool so that node_undo() gives the bytes
 * back exactly. *table is the grown table to switch to on success.
 */
static int node_create(struct dc_system *sys, int nid, struct dc_node **out,
		       uint16_t **table)
{
	struct dc_node *n;
	void *va;

	*table = 0;
	if (dc_pool_block(sys, sizeof(*n), &va))
		return DC_ENOSPC;
	n = va;
	if (sys->distance && distance_grow(sys, sys->nr_nodes + 1, table)) {
		dc_pool_block_retire(sys, n, sizeof(*n));
		return DC_ENOSPC;
	}
	n->sys = sys;
	n->nid = nid;
	n->index = sys->nr_nodes;
	dc_tree_init(&n->meta);
	sys->ops->init(n);
	sys->node[nid] = n;
	present_add(sys, nid);
	*out = n;
	return DC_OK;
}

static void node_undo(struct dc_system *sys, struct dc_node *n,
		      uint16_t *table)
{
	dc_size_t dim = sys->nr_nodes;	/* the grown table's */

	present_del(sys, n->nid);
	sys->node[n->nid] = 0;
	if (table)	/* last block first: both go back exactly */
		dc_pool_block_retire(sys, table, dim * dim * 2);
	dc_pool_block_retire(sys, n, sizeof(*n));
}

/*
 * nid's node, created if absent. *table is a grown distance table to
 * switch to once the call succeeds (or NULL); node_forget() undoes a
 * creation exactly (both blocks are the most recent ones of the pool).
 */
static int node_ensure(struct dc_system *sys, int nid, struct dc_node **out,
		       uint16_t **table, bool *created)
{
	*table = 0;
	*created = false;
	*out = sys->node[nid];
	if (*out)
		return DC_OK;
	if (node_create(sys, nid, out, table))
		return DC_ENOSPC;
	*created = true;
	return DC_OK;
}

int dc_add_node(struct dc_system *sys, int nid)
{
	struct dc_node *n;
	uint16_t *table;
	bool created;

	if (!dc_sys_ok(sys) || nid < 0 || nid >= DC_MAX_NODES)
		return DC_EINVAL;
	if (sys->phase != DC_SETUP)
		return DC_ESTATE;
	if (node_ensure(sys, nid, &n, &table, &created))
		return DC_ENOSPC;
	if (table)
		distance_switch(sys, table, sys->nr_nodes);
	return DC_OK;
}

int dc_set_distance(struct dc_system *sys, int from, int to,
		    unsigned distance)
{
	struct dc_node *a, *b;
	uint16_t *ta, *tb, *t;
	bool ca, cb;

	if (!dc_sys_ok(sys) || from < 0 || from >= DC_MAX_NODES || to < 0 ||
	    to >= DC_MAX_NODES || !distance || distance > DC_U16_MAX)
		return DC_EINVAL;
	if (sys->phase != DC_SETUP)
		return DC_ESTATE;
	if (node_ensure(sys, from, &a, &ta, &ca))
		return DC_ENOSPC;
	if (node_ensure(sys, to, &b, &tb, &cb)) {
		if (ca)
			node_undo(sys, a, ta);
		return DC_ENOSPC;
	}
	/* the newest table has every node; an older one goes */
	t = tb ? tb : ta;
	if (!t && !sys->distance && distance_grow(sys, sys->nr_nodes, &t)) {
		if (cb)
			node_undo(sys, b, tb);
		if (ca)
			node_undo(sys, a, ta);
		return DC_ENOSPC;
	}
	if (tb && ta)
		dc_pool_block_retire(sys, ta, (dc_size_t)(sys->nr_nodes - 1) *
				     (sys->nr_nodes - 1) * 2);
	if (t)
		distance_switch(sys, t, sys->nr_nodes);
	sys->distance[a->index * sys->dim + b->index] = (uint16_t)distance;
	return DC_OK;
}

/* --- the access limit ------------------------------------------------------ */

int dc_set_access_limit(struct dc_system *sys, dc_addr_t limit)
{
	if (!dc_sys_ok(sys))
		return DC_EINVAL;
	if (sys->phase != DC_SETUP && sys->phase != DC_READY)
		return DC_ESTATE;
	sys->access_end = limit;
	sys->map_learned = false;	/* what was refused may map now */
	return DC_OK;
}

/* --- the fragment map ------------------------------------------------------ */

/*
 * The new fragment [base, last] of n joins the map. Same-node neighbours
 * that touch it merge (DESIGN.md, dc_add_memory):
 *
 *   [left ][new ][right]  ->  [left            ]   one entry given back
 *   [left ][new ]         ->  [left      ]
 *          [new ][right]  ->  [new        ]
 *          [new ]         ->  [new ]                one entry taken
 */
static void fragment_insert(struct dc_system *sys, struct dc_node *n,
			    dc_addr_t base, dc_addr_t last)
{
	struct dc_extent *left = dc_tree_find_le(&sys->fragments, base);
	struct dc_extent *right = left ? dc_tree_next(left) :
					 dc_tree_first(&sys->fragments);
	struct dc_extent *e;

	sys->frag_hint = NULL;
	if (left && (left->nid != n->nid || left->last + 1 != base))
		left = 0;
	if (right && (right->nid != n->nid || last == DC_ADDR_MAX ||
		      right->base != last + 1))
		right = 0;
	if (left && right) {
		dc_addr_t rl = right->last;

		dc_tree_erase(&sys->fragments, right);
		dc_pool_put(n, right);
		dc_tree_resize(&sys->fragments, left, left->base, rl);
		n->fragments--;
	} else if (left) {
		dc_tree_resize(&sys->fragments, left, left->base, last);
	} else if (right) {
		dc_tree_resize(&sys->fragments, right, base, right->last);
	} else {
		e = dc_pool_get(n);
		e->base = base;
		e->last = last;
		e->nid = n->nid;
		dc_tree_insert(&sys->fragments, e);
		n->fragments++;
	}
	n->memory += last - base + 1;
}

/*
 * Cut [b, l] out of n's fragment f that holds it:
 *
 *   [f    ]      whole: f goes          [b..l|rest]  left edge: f shrinks
 *   [rest|b..l]  right edge: f shrinks  [x|b..l|y]   middle: one new entry
 */
static void fragment_cut(struct dc_node *n, dc_addr_t b, dc_addr_t l)
{
	struct dc_system *sys = n->sys;
	struct dc_extent *f = dc_tree_find_le(&sys->fragments, b), *e;
	dc_addr_t fl = f->last;

	sys->frag_hint = NULL;
	n->memory -= l - b + 1;
	if (f->base == b && fl == l) {
		dc_tree_erase(&sys->fragments, f);
		dc_pool_put(n, f);
		n->fragments--;
	} else if (f->base == b) {
		dc_tree_resize(&sys->fragments, f, l + 1, fl);
	} else if (fl == l) {
		dc_tree_resize(&sys->fragments, f, f->base, b - 1);
	} else {
		dc_tree_resize(&sys->fragments, f, f->base, b - 1);
		e = dc_pool_get(n);
		e->base = l + 1;
		e->last = fl;
		e->nid = n->nid;
		dc_tree_insert(&sys->fragments, e);
		n->fragments++;
	}
}

/* Hold what one piece on n needs: own entries and the backend's k calls. */
int dc_node_prepare(struct dc_node *n, unsigned own, unsigned k)
{
	int r = own ? dc_pool_prepare(n, own) : 0;

	dc_txn_touch(n);
	if (!r && k)
		r = n->sys->ops->prepare(n, k);
	return r;
}

/* --- dc_add_memory ------------------------------------------------------- */

int dc_add_memory(struct dc_system *sys, int nid, dc_addr_t base,
		  dc_size_t size)
{
	struct dc_node *n;
	struct dc_extent *e;
	uint16_t *table;
	dc_addr_t last;
	bool created;
	int r;

	if (!dc_sys_ok(sys) || nid < 0 || nid >= DC_MAX_NODES)
		return DC_EINVAL;
	r = dc_range_last(base, size, &last);
	if (r)
		return r;
	if (sys->phase != DC_SETUP)
		return DC_ESTATE;
	e = dc_tree_find_le(&sys->fragments, last);
	if (e && e->last >= base)
		return DC_EEXIST;
	/* all memory must stay countable: 2^64 bytes fit no dc_size_t */
	if (size > DC_ADDR_MAX - sys->total_memory)
		return DC_ERANGE;
	if (node_ensure(sys, nid, &n, &table, &created))
		return DC_ENOSPC;
	dc_txn_begin(sys, 1, 0);
	r = dc_node_prepare(n, 1, 1);
	if (r) {
		dc_txn_end(sys, r);
		if (created)
			node_undo(sys, n, table);
		return r;
	}
	sys->ops->add_memory(n, base, last);
	fragment_insert(sys, n, base, last);
	sys->total_memory += size;
	dc_txn_end(sys, 0);
	if (table)
		distance_switch(sys, table, sys->nr_nodes);
	return DC_OK;
}

/* --- pieces ------------------------------------------------------------- */

struct piece_ready {
	dc_piece_fn check;
	unsigned own, k;
	int r;		/* the first error check returned */
	int prep;	/* the first error preparing returned */
};

/* Check the piece; prepare it while nothing has failed (ranks: see
 * dc_pieces_ready()). */
static int piece_ready(struct dc_node *n, dc_addr_t b, dc_addr_t l,
		       void *ctx)
{
	struct piece_ready *c = ctx;
	int r = c->check(n, b, l, 0);

	if (r == DC_ENOENT)
		return r;	/* nothing outranks it */
	if (!c->r)
		c->r = r;
	if (!c->r && !c->prep)
		c->prep = dc_node_prepare(n, c->own, c->k);
	return 0;
}

int dc_pieces_ready(struct dc_system *sys, dc_addr_t base, dc_addr_t last,
		    dc_piece_fn check, unsigned own, unsigned k)
{
	struct piece_ready c = { check, own, k, 0, 0 };
	int r = dc_for_each_piece(sys, base, last, piece_ready, &c);

	return r ? r : c.r ? c.r : c.prep;
}

int dc_piece_probe_free(struct dc_node *n, dc_addr_t b, dc_addr_t l,
			void *ctx)
{
	return n->sys->ops->probe(n, b, l, DC_PROBE_FREE);
}

/* --- dc_remove_memory ----------------------------------------------------- */

static int piece_remove(struct dc_node *n, dc_addr_t b, dc_addr_t l,
			void *ctx)
{
	n->sys->ops->remove_memory(n, b, l);
	fragment_cut(n, b, l);
	n->sys->total_memory -= l - b + 1;
	return 0;
}

int dc_remove_memory(struct dc_system *sys, dc_addr_t base, dc_size_t size)
{
	dc_addr_t last;
	int r;

	if (!dc_sys_ok(sys))
		return DC_EINVAL;
	r = dc_range_last(base, size, &last);
	if (r)
		return r;
	if (sys->phase != DC_SETUP)
		return DC_ESTATE;
	dc_txn_begin(sys, base, last);
	r = dc_pieces_ready(sys, base, last, dc_piece_probe_free, 1, 1);
	if (!r)	/* each piece finds its fragment as the map shrinks */
		dc_for_each_piece(sys, base, last, piece_remove, 0);
	return dc_txn_end(sys, r);
}

/* --- dc_set_node ---------------------------------------------------------- */

/*
 * The next run of [pos, l] on n: a maximal free run, or a maximal taken
 * run (used or, in principle, metadata), which is what moves as one.
 */
static bool next_run(const struct dc_node *n, dc_addr_t pos, dc_addr_t l,
		     dc_addr_t *rl, bool *taken)
{
	dc_addr_t b, e;

	if (n->sys->ops->next_free(n, pos, &b, &e) || b > l) {
		*rl = l;
		*taken = true;
	} else if (b > pos) {
		*rl = b - 1;
		*taken = true;
	} else {
		*rl = e < l ? e : l;
		*taken = false;
	}
	return *rl != l;
}

static unsigned count_runs(const struct dc_node *n, dc_addr_t b,
			   dc_addr_t l)
{
	unsigned k = 1;
	dc_addr_t rl;
	bool taken;

	while (next_run(n, b, l, &rl, &taken)) {
		b = rl + 1;
		k++;
	}
	return k;
}

/* The next piece of [pos, last] that is memory: its fragment, clipped. */
static struct dc_extent *next_piece(struct dc_system *sys, dc_addr_t pos,
				    dc_addr_t last, dc_addr_t *pb,
				    dc_addr_t *pl)
{
	struct dc_extent *f = dc_tree_find_le(&sys->fragments, pos);

	if (!f || f->last < pos)
		f = f ? dc_tree_next(f) : dc_tree_first(&sys->fragments);
	if (!f || f->base > last)
		return 0;
	*pb = f->base > pos ? f->base : pos;
	*pl = f->last < last ? f->last : last;
	return f;
}

/*
 * Move [b, l], memory of a, to node to run by run: a forgets the run, the
 * map gives it to the new owner, which adds it as free memory and takes
 * back what was taken. Used bytes thus move with their memory, as
 * memblock_set_node() moves regions (it keeps reservations apart).
 */
static void move_piece(struct dc_node *a, struct dc_node *to, dc_addr_t b,
		       dc_addr_t l)
{
	const struct dc_backend_ops *ops = a->sys->ops;
	dc_addr_t rl;
	bool taken, more;

	do {
		more = next_run(a, b, l, &rl, &taken);
		ops->drop(a, b, rl);
		fragment_cut(a, b, rl);
		fragment_insert(a->sys, to, b, rl);
		ops->add_memory(to, b, rl);
		if (taken)
			ops->reserve(to, b, rl);
		b = rl + 1;
	} while (more);
}

/* Walk the memory of [base, last] not already on to: count (prepare) or
 * move. */
static int set_node_walk(struct dc_system *sys, dc_addr_t base,
			 dc_addr_t last, struct dc_node *to, bool apply)
{
	struct dc_extent *f;
	dc_addr_t pos = base, pb, pl;
	unsigned k;
	int r;

	while ((f = next_piece(sys, pos, last, &pb, &pl))) {
		if (f->nid != to->nid) {
			if (apply) {
				move_piece(sys->node[f->nid], to, pb, pl);
			} else {
				k = count_runs(sys->node[f->nid], pb, pl);
				r = dc_node_prepare(sys->node[f->nid], k, k);
				if (!r)
					r = dc_node_prepare(to, k, 2 * k);
				if (r)
					return r;
			}
		}
		if (pl == last)
			break;
		pos = pl + 1;
	}
	return 0;
}

int dc_set_node(struct dc_system *sys, dc_addr_t base, dc_size_t size,
		int nid)
{
	struct dc_node *to;
	uint16_t *table;
	dc_addr_t last;
	bool created;
	int r;

	if (!dc_sys_ok(sys) || nid < 0 || nid >= DC_MAX_NODES)
		return DC_EINVAL;
	r = dc_range_last(base, size, &last);
	if (r)
		return r;
	if (sys->phase != DC_SETUP)
		return DC_ESTATE;
	if (node_ensure(sys, nid, &to, &table, &created))
		return DC_ENOSPC;
	dc_txn_begin(sys, base, last);
	r = set_node_walk(sys, base, last, to, false);
	if (r) {
		dc_txn_end(sys, r);
		if (created)
			node_undo(sys, to, table);
		return r;
	}
	set_node_walk(sys, base, last, to, true);
	dc_txn_end(sys, 0);
	if (table)
		distance_switch(sys, table, sys->nr_nodes);
	return DC_OK;
}

/* --- dc_finalize ---------------------------------------------------------- */

int dc_finalize(struct dc_system *sys)
{
	unsigned i;
	int r = 0;

	if (!dc_sys_ok(sys))
		return DC_EINVAL;
	if (sys->phase != DC_SETUP)
		return DC_ESTATE;
	/* the map is complete: steals are allowed from here on */
	dc_txn_begin(sys, 1, 0);
	sys->txn.finalizing = true;
	for (i = 0; i < sys->nr_nodes && !r; i++) {
		dc_txn_touch(sys->node[sys->present[i]]);
		r = sys->ops->finalize(sys->node[sys->present[i]]);
	}
	if (r) {
		/* back to SETUP, then the transaction gives back the steals */
		while (i--)
			sys->ops->unfinalize(sys->node[sys->present[i]]);
	}
	sys->txn.finalizing = false;
	if (!r)
		sys->phase = DC_READY;
	return dc_txn_end(sys, r);
}
