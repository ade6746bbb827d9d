// SPDX-License-Identifier: BSD-3-Clause
/*
 * system.c - the system, its nodes and the memory map: dc_init, memory
 * registration, distances, reserve, free and the SETUP -> READY step.
 *
 * Every mutating call runs in three passes over the pieces of its range
 * (one piece per fragment, see dc_for_each_piece):
 *   1. check: coverage (DC_ENOENT), backend probes (DC_EBUSY / DC_ENOENT),
 *      metadata (DC_EBUSY) - pure;
 *   2. prepare: hold the worst-case pool entries on each piece's node and
 *      let the backend do the same (DC_ENOSPC: give everything back);
 *   3. apply, which can no longer fail; then give back what was held.
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

int dc_for_each_piece(struct dc_system *sys, dc_addr_t base, dc_addr_t last,
		      dc_piece_fn fn, void *ctx)
{
	dc_addr_t pos = base, pl;
	struct dc_extent *f;
	int r;

	for (;;) {
		f = dc_tree_find_le(&sys->fragments, pos);
		if (!f || f->last < pos)
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
		dc_pool_block_retire(sys, 0, sys->distance,
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
		dc_pool_block_retire(sys, 0, n, sizeof(*n));
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
		dc_pool_block_retire(sys, 0, table, dim * dim * 2);
	dc_pool_block_retire(sys, 0, n, sizeof(*n));
}

static void node_finish(struct dc_node *n)
{
	if (n->sys->ops->finish)
		n->sys->ops->finish(n);
	dc_pool_finish(n);
}

/* Hold what one piece on n needs: own entries and the backend's call. */
static int node_prepare(struct dc_node *n, unsigned own)
{
	int r = dc_pool_prepare(n, own);

	if (!r)
		r = n->sys->ops->prepare(n, 1);
	return r;
}

/* --- dc_add_memory ------------------------------------------------------- */

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
}

int dc_add_memory(struct dc_system *sys, int nid, dc_addr_t base,
		  dc_size_t size)
{
	struct dc_node *n;
	struct dc_extent *e;
	uint16_t *table = 0;
	dc_addr_t last;
	bool created = false;
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
	n = sys->node[nid];
	if (!n) {
		if (node_create(sys, nid, &n, &table))
			return DC_ENOSPC;
		created = true;
	}
	r = node_prepare(n, 1);
	if (r) {
		node_finish(n);
		if (created)
			node_undo(sys, n, table);
		return r;
	}
	sys->ops->add_memory(n, base, last);
	fragment_insert(sys, n, base, last);
	n->memory += size;
	node_finish(n);
	if (table)
		distance_switch(sys, table, sys->nr_nodes);
	return DC_OK;
}

int dc_set_distance(struct dc_system *sys, int from, int to,
		    unsigned distance)
{
	struct dc_node *a, *b;
	uint16_t *t;

	if (!dc_sys_ok(sys))
		return DC_EINVAL;
	a = dc_node_get(sys, from);
	b = dc_node_get(sys, to);
	if (!a || !b || !distance || distance > DC_U16_MAX)
		return DC_EINVAL;
	if (sys->phase != DC_SETUP)
		return DC_ESTATE;
	if (!sys->distance) {
		if (distance_grow(sys, sys->nr_nodes, &t))
			return DC_ENOSPC;
		distance_switch(sys, t, sys->nr_nodes);
	}
	sys->distance[a->index * sys->dim + b->index] = (uint16_t)distance;
	return DC_OK;
}

/* --- checks shared by remove, reserve and free ---------------------------- */

static int piece_probe_free(struct dc_node *n, dc_addr_t b, dc_addr_t l,
			    void *ctx)
{
	return n->sys->ops->probe(n, b, l, DC_PROBE_FREE);
}

static int piece_probe_taken(struct dc_node *n, dc_addr_t b, dc_addr_t l,
			     void *ctx)
{
	return n->sys->ops->probe(n, b, l, DC_PROBE_TAKEN);
}

static int piece_not_meta(struct dc_node *n, dc_addr_t b, dc_addr_t l,
			  void *ctx)
{
	return dc_meta_overlaps(n, b, l) ? DC_EBUSY : DC_OK;
}

static int piece_prepare(struct dc_node *n, dc_addr_t b, dc_addr_t l,
			 void *ctx)
{
	return node_prepare(n, *(unsigned *)ctx);
}

static int piece_finish(struct dc_node *n, dc_addr_t b, dc_addr_t l,
			void *ctx)
{
	node_finish(n);
	return 0;
}

/* Pass 2 over all pieces; on failure give back what was held. */
static int pieces_prepare(struct dc_system *sys, dc_addr_t base,
			  dc_addr_t last, unsigned own)
{
	int r = dc_for_each_piece(sys, base, last, piece_prepare, &own);

	if (r)
		dc_for_each_piece(sys, base, last, piece_finish, 0);
	return r;
}

/* Validate the common arguments of remove, reserve and free. */
static int range_args(const struct dc_system *sys, dc_addr_t base,
		      dc_size_t size, dc_addr_t *last)
{
	if (!dc_sys_ok(sys))
		return DC_EINVAL;
	return dc_range_last(base, size, last);
}

/*
 * Coverage comes first: a byte that is not memory is DC_ENOENT even if an
 * earlier piece is busy, so the answer does not depend on where the
 * offending byte lies.
 */
static int pieces_covered(struct dc_system *sys, dc_addr_t base,
			  dc_addr_t last)
{
	dc_addr_t pos = base;
	struct dc_extent *f;

	for (;;) {
		f = dc_tree_find_le(&sys->fragments, pos);
		if (!f || f->last < pos)
			return DC_ENOENT;
		if (f->last >= last)
			return DC_OK;
		pos = f->last + 1;
	}
}

/* --- dc_remove_memory ----------------------------------------------------- */

/*
 * Cut [b, l] out of its fragment f:
 *
 *   [f    ]      whole: f goes          [b..l|rest]  left edge: f shrinks
 *   [rest|b..l]  right edge: f shrinks  [x|b..l|y]   middle: one new entry
 */
static int piece_remove(struct dc_node *n, dc_addr_t b, dc_addr_t l,
			void *ctx)
{
	struct dc_system *sys = n->sys;
	struct dc_extent *f = dc_tree_find_le(&sys->fragments, b), *e;
	dc_addr_t fl = f->last;

	sys->ops->remove_memory(n, b, l);
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
	return 0;
}

int dc_remove_memory(struct dc_system *sys, dc_addr_t base, dc_size_t size)
{
	dc_addr_t last;
	int r = range_args(sys, base, size, &last);

	if (r)
		return r;
	if (sys->phase != DC_SETUP)
		return DC_ESTATE;
	r = pieces_covered(sys, base, last);
	if (!r)
		r = dc_for_each_piece(sys, base, last, piece_probe_free, 0);
	if (!r)
		r = pieces_prepare(sys, base, last, 1);
	if (r)
		return r;
	dc_for_each_piece(sys, base, last, piece_remove, 0);
	/* the range is no longer memory, so its pieces cannot be walked to
	 * give back what was held: every node gives back its own */
	for (unsigned i = 0; i < sys->nr_nodes; i++)
		node_finish(sys->node[sys->present[i]]);
	return DC_OK;
}

/* --- dc_reserve and dc_free ----------------------------------------------- */

static int piece_reserve(struct dc_node *n, dc_addr_t b, dc_addr_t l,
			 void *ctx)
{
	n->sys->ops->reserve(n, b, l);
	return 0;
}

static int piece_free(struct dc_node *n, dc_addr_t b, dc_addr_t l, void *ctx)
{
	n->sys->ops->free(n, b, l);
	return 0;
}

int dc_reserve(struct dc_system *sys, dc_addr_t base, dc_size_t size)
{
	dc_addr_t last;
	int r = range_args(sys, base, size, &last);

	if (r)
		return r;
	if (sys->phase != DC_SETUP && sys->phase != DC_READY)
		return DC_ESTATE;
	r = pieces_covered(sys, base, last);
	if (!r)
		r = dc_for_each_piece(sys, base, last, piece_probe_free, 0);
	if (!r)
		r = pieces_prepare(sys, base, last, 0);
	if (r)
		return r;
	dc_for_each_piece(sys, base, last, piece_reserve, 0);
	dc_for_each_piece(sys, base, last, piece_finish, 0);
	return DC_OK;
}

int dc_free(struct dc_system *sys, dc_addr_t base, dc_size_t size)
{
	dc_addr_t last;
	int r = range_args(sys, base, size, &last);

	if (r)
		return r;
	if (sys->phase != DC_SETUP && sys->phase != DC_READY)
		return DC_ESTATE;
	r = pieces_covered(sys, base, last);
	if (!r)
		r = dc_for_each_piece(sys, base, last, piece_probe_taken, 0);
	if (!r)
		r = dc_for_each_piece(sys, base, last, piece_not_meta, 0);
	if (!r)
		r = pieces_prepare(sys, base, last, 0);
	if (r)
		return r;
	dc_for_each_piece(sys, base, last, piece_free, 0);
	dc_for_each_piece(sys, base, last, piece_finish, 0);
	sys->node[dc_node_of(sys, base)]->frees++;
	return DC_OK;
}

/* --- dc_finalize ---------------------------------------------------------- */

int dc_finalize(struct dc_system *sys)
{
	struct dc_node *n;
	unsigned i;
	int r = 0;

	if (!dc_sys_ok(sys))
		return DC_EINVAL;
	if (sys->phase != DC_SETUP)
		return DC_ESTATE;
	for (i = 0; i < sys->nr_nodes; i++) {
		n = sys->node[sys->present[i]];
		r = sys->ops->finalize(n);
		node_finish(n);
		if (r)
			break;
	}
	if (r) {
		while (i--)
			sys->ops->unfinalize(sys->node[sys->present[i]]);
		return r;
	}
	sys->phase = DC_READY;
	return DC_OK;
}
