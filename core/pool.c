// SPDX-License-Identifier: BSD-3-Clause
/*
 * pool.c - metadata: the caller's initial pool, held entries, stolen
 * blocks, the transaction that makes every public call all-or-nothing,
 * and the search for what phys_to_virt can map.
 *
 * Why: a boot allocator needs memory to describe memory. Before the map is
 * final nothing may be stolen (an unreserved page may still hold the kernel
 * image or firmware tables), so the caller hands us an initial pool; from
 * dc_finalize() on we steal pages from the node that needs them, which
 * keeps metadata NUMA-local ("[RFC] tree-based bootmem", LKML 2001), or,
 * when it has nothing left, from the nearest node that has (DESIGN.md,
 * "Metadata always has somewhere to go"). This file is the only place that
 * decides where metadata comes from; backends ask, they never choose.
 *
 * Shapes of the initial pool [start, end):
 *
 *   start                lo                      hi                 end
 *   | entries carved ... |      untouched        | blocks, top down |
 *
 * Entries are carved upwards from lo, contiguous blocks (node descriptors,
 * the distance table, region arrays) downwards from hi. Freed entries of
 * the initial pool go back to its list (pool->entries); entries carved from
 * stolen blocks go to their owner's list (n->entries).
 *
 * Held entries: a call first holds the worst case it may need
 * (dc_pool_prepare) on the nodes it touches, then changes things; the rest
 * goes back when the call ends. Holding moves entries, so two nodes never
 * count the same free entry and a call never runs dry halfway (FreeBSD
 * vmem's bt_fill() reserves BT_MAXALLOC tags the same way).
 *
 * Transactions. A steal changes what a caller can observe (metadata bytes,
 * free extents, pool counts), so a call that fails must leave no steal
 * behind, and neither should a call that stole but did not use what it
 * stole. Linux met the first half of this in memblock_double_array(),
 * which is told the range being added or reserved and never puts the new
 * array over it. Here a steal is only pending until the call ends:
 *
 *  1. the range a call targets (a reservation, the fit an allocation has
 *     found) is never a steal candidate, and neither is a block another
 *     steal of the call has taken (the journal lists them) or found (steals
 *     nest: taking a block may need entries, and a region array may grow
 *     while it is taken);
 *  2. a steal hands out its block at once (carved into entries, or as a
 *     block for the caller), but the donor's backend and metadata tree do
 *     not learn of it yet: the entries that recording it will need are set
 *     aside in its journal record (struct steal_rec);
 *  3. dc_txn_end() drops every pending steal when the call failed, and,
 *     when it succeeded, those whose entries all stayed free (newest
 *     first: a newer steal may hold entries of an older one); dropping
 *     only takes the block's entries off the free lists and gives the set
 *     aside ones back, so every free list ends exactly as it began. The
 *     rest is recorded then: reserved in the donor's backend, put in its
 *     metadata tree, counted. Region arrays go back to their old blocks
 *     in finish(n, false).
 *
 * Nothing is ever undone in a backend or a tree, so this holds whatever
 * shape the trees take (a B-tree's merges are not the inverse of its
 * splits).
 *
 * What phys_to_virt maps. Memory at or above the access limit is never
 * handed to phys_to_virt; searches are clipped below it. A refusal below it
 * is still handled: phys_to_virt is taken to be monotone (a direct map
 * below some limit), the refused start is remembered (sys->map_end), and
 * the highest mappable fit is found by bisecting on the search window's
 * upper bound, one backend search and one phys_to_virt call per step: at
 * most 64 steps, whatever the number of unmappable blocks (a search that
 * moved down block by block cost 163,840 refused calls on a 3 GiB machine
 * mapping 896 MiB).
 *
 * Invariants (checked by nodes/check.c):
 *  P1  pool->lo <= pool->hi, both on entry (cache line) boundaries, inside
 *      [start, end]
 *  P2  outside a call, no node holds entries, the journal and the touched
 *      list are empty, nothing is excluded
 *  P3  n->meta holds exactly the blocks stolen from n, never overlapping
 */
#include "core/pool.h"

#include "core/range.h"
#include "core/tree.h"

struct pool_entry {
	struct pool_entry *next;
};

/* One pending steal of the call in progress (lives in a pool entry). */
struct steal_rec {
	struct steal_rec *next;		/* older */
	struct dc_node *owner, *donor;
	dc_addr_t pa;
	dc_size_t bytes;
	unsigned char *va;
	void *aside;		/* entries set aside to record it */
	uint32_t unused;	/* entries: carved entries left free */
	uint8_t old_shift;
	bool entries;		/* carved into owner's entries */
};

_Static_assert(sizeof(struct pool_entry) <= DC_POOL_ENTRY_SIZE,
	       "a free entry must fit an entry");
_Static_assert(sizeof(struct steal_rec) <= DC_POOL_ENTRY_SIZE,
	       "a steal record must fit an entry");

/* Steals take 2^steal_shift pages, doubling up to this, so a node that
 * needs much metadata steals few blocks (few metadata records). */
#define POOL_STEAL_SHIFT_MAX 4

/* Entries a steal needs on the donor besides what its backend's
 * prepare(n, 1) holds: the metadata record and the steal record itself
 * (both are entries; the record's tree never allocates). */
#define STEAL_OWN_ENTRIES 2

static void entry_push(void **list, dc_size_t *count, void *e)
{
	struct pool_entry *p = e;

	p->next = *list;
	*list = p;
	(*count)++;
}

static void *entry_pop(void **list, dc_size_t *count)
{
	struct pool_entry *p = *list;

	if (!p)
		return 0;
	*list = p->next;
	(*count)--;
	return p;
}

void dc_pool_init(struct dc_pool *p, void *mem, dc_size_t bytes)
{
	uintptr_t s = (uintptr_t)mem, e;

	p->entries = 0;
	p->nentries = 0;
	p->bytes = bytes;
	p->start = p->end = p->lo = p->hi = 0;
	if (!mem || bytes < DC_POOL_ENTRY_SIZE)
		return;
	/* whole entries, each on one cache line (dc_init: no wrap) */
	e = (s + (uintptr_t)bytes) & ~(uintptr_t)(DC_POOL_ENTRY_SIZE - 1);
	s = (s + DC_POOL_ENTRY_SIZE - 1) & ~(uintptr_t)(DC_POOL_ENTRY_SIZE - 1);
	p->start = p->lo = s;
	p->end = p->hi = e;
}

dc_size_t dc_pool_shared_avail(const struct dc_pool *p)
{
	return p->nentries + (p->hi - p->lo) / DC_POOL_ENTRY_SIZE;
}

/* An entry of the initial pool, or NULL. */
static void *pool_shared_get(struct dc_pool *p)
{
	void *e = entry_pop(&p->entries, &p->nentries);

	if (e || p->hi - p->lo < DC_POOL_ENTRY_SIZE)
		return e;
	e = (void *)p->lo;
	p->lo += DC_POOL_ENTRY_SIZE;
	return e;
}

static bool pool_owns(const struct dc_pool *p, const void *e)
{
	uintptr_t a = (uintptr_t)e;

	return a >= p->start && a < p->end;
}

void dc_pool_put(struct dc_node *n, void *entry)
{
	struct dc_system *sys = n->sys;

	if (pool_owns(&sys->pool, entry))
		entry_push(&sys->pool.entries, &sys->pool.nentries, entry);
	else
		entry_push(&n->entries, &n->nentries, entry);
}

void *dc_pool_get(struct dc_node *n)
{
	void *e = entry_pop(&n->held, &n->nheld);

	if (!e)
		e = entry_pop(&n->entries, &n->nentries);
	if (!e)
		e = pool_shared_get(&n->sys->pool);
	return e;
}

/* Give back every entry still held for n. */
static void pool_finish(struct dc_node *n)
{
	void *e;

	while ((e = entry_pop(&n->held, &n->nheld)))
		dc_pool_put(n, e);
}

/* Move up to want entries into n's held list without stealing. */
static dc_size_t pool_hold_free(struct dc_node *n, dc_size_t want)
{
	dc_size_t got = 0;
	void *e;

	while (got < want) {
		e = entry_pop(&n->entries, &n->nentries);
		if (!e)
			e = pool_shared_get(&n->sys->pool);
		if (!e)
			break;
		entry_push(&n->held, &n->nheld, e);
		got++;
	}
	return got;
}

int dc_pool_block(struct dc_system *sys, dc_size_t bytes, void **va)
{
	struct dc_pool *p = &sys->pool;
	dc_size_t b;

	if (!bytes || bytes > p->hi - p->lo)
		return DC_ENOSPC;
	/* lo and hi stay entry-aligned (dc_pool_init, whole entries), so
	 * bytes rounded up to entries still fit */
	b = (bytes + DC_POOL_ENTRY_SIZE - 1) & ~(dc_size_t)(DC_POOL_ENTRY_SIZE - 1);
	p->hi -= (uintptr_t)b;
	*va = memset((void *)p->hi, 0, (size_t)b);
	return DC_OK;
}

/* Carve [va, va + bytes) into entries pushed on *list; how many. */
static dc_size_t carve(void *va, dc_size_t bytes, void **list,
		       dc_size_t *count)
{
	uintptr_t a = ((uintptr_t)va + 7) & ~(uintptr_t)7;
	uintptr_t e = (uintptr_t)va + (uintptr_t)bytes;
	dc_size_t k = 0;

	for (; e > a && e - a >= DC_POOL_ENTRY_SIZE; a += DC_POOL_ENTRY_SIZE) {
		entry_push(list, count, (void *)a);
		k++;
	}
	return k;
}

void dc_pool_block_retire(struct dc_system *sys, void *va, dc_size_t bytes)
{
	struct dc_pool *p = &sys->pool;
	dc_size_t b = (bytes + DC_POOL_ENTRY_SIZE - 1) &
		      ~(dc_size_t)(DC_POOL_ENTRY_SIZE - 1);

	if ((uintptr_t)va == p->hi) {	/* undo of the last block */
		p->hi += (uintptr_t)b;
		return;
	}
	carve(va, b, &p->entries, &p->nentries);
}

unsigned dc_distance(const struct dc_system *sys, const struct dc_node *a,
		     const struct dc_node *b)
{
	if (a && b && sys->distance && a->index < sys->dim &&
	    b->index < sys->dim)
		return sys->distance[a->index * sys->dim + b->index];
	return a == b ? 10 : 20;
}

bool dc_meta_overlaps(const struct dc_node *n, dc_addr_t base,
		      dc_addr_t last)
{
	const struct dc_extent *e = dc_tree_find_le(&n->meta, last);

	return e && e->last >= base;
}

/* --- what phys_to_virt can map ------------------------------------------- */

bool dc_map_last(const struct dc_system *sys, dc_addr_t *last)
{
	dc_addr_t end = 0;
	bool bounded = false;

	if (sys->access_end) {
		end = sys->access_end;
		bounded = true;
	}
	if (sys->map_learned && (!bounded || sys->map_end < end)) {
		end = sys->map_end;
		bounded = true;
	}
	if (!bounded) {
		*last = DC_ADDR_MAX;
		return true;
	}
	if (!end)
		return false;
	*last = end - 1;
	return true;
}

static void *map(const struct dc_system *sys, dc_addr_t pa, dc_size_t len)
{
	return sys->plat.phys_to_virt(sys->plat.ctx, pa, len);
}

static void map_refused(struct dc_system *sys, dc_addr_t pa)
{
	if (!sys->map_learned || pa < sys->map_end) {
		sys->map_end = pa;
		sys->map_learned = true;
	}
}

/*
 * The highest fit of w in n that maps, after a refusal at bad: bisect on
 * the window's upper bound. Loop invariant: every fit starting in
 * (hi, bad) does not exist or lies above a refused start, every fit
 * starting at or below lo - 1 is at most *best; a step halves [lo, hi].
 */
static int map_bisect(struct dc_node *n, struct dc_window *w,
		      dc_addr_t bad, dc_addr_t *pa, void **va)
{
	struct dc_system *sys = n->sys;
	struct dc_window s = *w, got = *w;
	dc_addr_t lo = w->lo, hi, mid, c;
	bool found = false;
	void *v;

	if (bad == w->lo)
		return DC_ENOMEM;
	hi = bad - 1;
	while (lo <= hi) {
		mid = lo + (hi - lo) / 2;
		s.last = mid > DC_ADDR_MAX - (w->size - 1) ?
			 DC_ADDR_MAX : mid + (w->size - 1);
		if (s.last > w->last)
			s.last = w->last;
		if (s.last < s.lo || s.last - s.lo < w->size - 1 ||
		    sys->ops->find(n, &s, &c)) {
			if (mid == DC_ADDR_MAX)
				break;
			lo = mid + 1;	/* no fit starts at or below mid */
			continue;
		}
		v = map(sys, c, w->size);
		if (v) {
			*pa = c;
			*va = v;
			found = true;
			got = s;
			if (mid == DC_ADDR_MAX)
				break;
			lo = mid + 1;
		} else {
			map_refused(sys, c);
			if (c == lo)
				break;
			hi = c - 1;
		}
	}
	*w = got;	/* where the fit was found: an alloc there finds it */
	return found ? DC_OK : DC_ENOMEM;
}

/* The longest prefix of [pa, pa + len) that phys_to_virt maps: a
 * bisection, at most 64 calls. */
static dc_size_t map_prefix(const struct dc_system *sys, dc_addr_t pa,
			    dc_size_t len)
{
	dc_size_t ok = 0, bad = len, mid;

	while (bad - ok > 1) {
		mid = ok + (bad - ok) / 2;
		if (map(sys, pa, mid))
			ok = mid;
		else
			bad = mid;
	}
	return ok;
}

/*
 * A refused fit: if even its first byte is refused, the limit lies at or
 * below it (phys_to_virt is monotone): remember it and, top-down, bisect
 * for the highest fit below. If only a later byte is refused, that may be
 * the limit or a seam between two mappings of a platform that is not a
 * direct map: the search goes on past that byte only (fits that end
 * before it, or, bottom-up, start after it).
 */
int dc_map_fit(struct dc_node *n, struct dc_window *w, dc_addr_t *pa,
	       void **va)
{
	struct dc_system *sys = n->sys;
	struct dc_window c = *w;
	dc_addr_t a, ml;
	dc_size_t k;
	void *v;
	int r;

	if (!dc_map_last(sys, &ml))
		return DC_ENOMEM;
	if (c.last > ml)
		c.last = ml;
	for (;;) {
		if (c.last < c.lo || c.last - c.lo < c.size - 1 ||
		    sys->ops->find(n, &c, &a))
			return DC_ENOMEM;
		v = map(sys, a, c.size);
		if (v) {
			*pa = a;
			*va = v;
			*w = c;
			return DC_OK;
		}
		k = map_prefix(sys, a, c.size);
		if (!k)
			break;
		if (c.top_down)
			c.last = a + (k - 1);
		else if (a + k == DC_ADDR_MAX)
			return DC_ENOMEM;
		else
			c.lo = a + k + 1;
	}
	map_refused(sys, a);
	/* bottom-up: the lowest fit is refused, so is everything above */
	if (!c.top_down)
		return DC_ENOMEM;
	r = map_bisect(n, &c, a, pa, va);
	if (!r)
		*w = c;
	return r;
}

/* --- transactions --------------------------------------------------------- */

void dc_txn_begin(struct dc_system *sys, dc_addr_t base, dc_addr_t last)
{
	sys->txn.nexcl = 0;
	if (base <= last) {
		sys->txn.excl_base[0] = base;
		sys->txn.excl_last[0] = last;
		sys->txn.nexcl = 1;
	}
}

void dc_txn_touch(struct dc_node *n)
{
	if (n->touched)
		return;
	n->touched = true;
	n->txn_next = n->sys->txn.touched;
	n->sys->txn.touched = n;
}

static bool in_block(const struct steal_rec *s, const void *e)
{
	uintptr_t a = (uintptr_t)e, b = (uintptr_t)s->va;

	return a >= b && a - b < s->bytes;
}

/* Take every entry of s's block off the free and held lists of every
 * touched node. */
static void purge_list(const struct steal_rec *s, void **list,
		       dc_size_t *count)
{
	struct pool_entry **pp = (struct pool_entry **)list, *e;

	while ((e = *pp)) {
		if (in_block(s, e)) {
			*pp = e->next;
			(*count)--;
		} else {
			pp = &e->next;
		}
	}
}

static void purge(struct dc_system *sys, const struct steal_rec *s)
{
	struct dc_node *n;

	for (n = sys->txn.touched; n; n = n->txn_next) {
		purge_list(s, &n->entries, &n->nentries);
		purge_list(s, &n->held, &n->nheld);
	}
}

/* Entries of s's block that are free (the call's holds are back). */
static dc_size_t count_free(const struct dc_system *sys,
			    const struct steal_rec *s)
{
	const struct pool_entry *e;
	const struct dc_node *n;
	dc_size_t k = 0;

	for (n = sys->txn.touched; n; n = n->txn_next)
		for (e = n->entries; e; e = e->next)
			k += in_block(s, e);
	return k;
}

/* Give back entries of a list, but those of block b, which go with it. */
static void put_all_but(struct dc_node *n, void **list,
			const struct steal_rec *b)
{
	dc_size_t dummy = 0;
	void *e;

	while ((e = entry_pop(list, &dummy)))
		if (!b || !in_block(b, e))
			dc_pool_put(n, e);
}

/* Drop pending steal s: no backend or tree knows of it yet. */
static void steal_drop(struct dc_system *sys, struct steal_rec *s)
{
	bool own = s->entries;	/* s itself is an entry of the block */

	if (s->entries)
		purge(sys, s);
	put_all_but(s->donor, &s->aside, s->entries ? s : 0);
	s->owner->steal_shift = s->old_shift;
	if (!own)
		dc_pool_put(s->donor, s);
}

/* Record pending steal s: the donor's backend takes the block, its
 * metadata tree records it, with the entries set aside for both. */
static void steal_commit(struct dc_system *sys, struct steal_rec *s)
{
	struct dc_node *d = s->donor;
	struct dc_extent *rec;
	dc_size_t dummy = 0;
	void *e;

	while ((e = entry_pop(&s->aside, &dummy)))
		entry_push(&d->held, &d->nheld, e);
	sys->ops->reserve(d, s->pa, s->pa + (s->bytes - 1));
	rec = dc_pool_get(d);
	rec->base = s->pa;
	rec->last = s->pa + (s->bytes - 1);
	rec->nid = d->nid;
	dc_tree_insert(&d->meta, rec);
	pool_finish(d);
	d->steals++;
	if (s->owner != d)
		s->owner->remote_steals++;
	dc_pool_put(s->entries ? s->owner : d, s);
}

int dc_txn_end(struct dc_system *sys, int r)
{
	struct steal_rec **pp, *s;
	struct dc_node *n, *next;

	for (n = sys->txn.touched; n; n = n->txn_next)
		pool_finish(n);
	/* newest first: a newer steal may hold entries of an older one */
	for (pp = (struct steal_rec **)&sys->txn.journal; (s = *pp);) {
		if (r || (s->entries && count_free(sys, s) == s->unused)) {
			*pp = s->next;
			steal_drop(sys, s);
		} else {
			pp = &s->next;
		}
	}
	while ((s = sys->txn.journal)) {
		sys->txn.journal = s->next;
		steal_commit(sys, s);
	}
	for (n = sys->txn.touched; n; n = n->txn_next)
		if (sys->ops->finish)
			sys->ops->finish(n, !r);
	for (n = sys->txn.touched; n; n = next) {
		next = n->txn_next;
		pool_finish(n);	/* what finish() gave back to be held */
		n->touched = false;
		n->txn_next = 0;
	}
	sys->txn.touched = 0;
	sys->txn.nexcl = 0;
	sys->txn.memo[0] = 0;	/* no memo outlives its call */
	return r;
}

/* --- steals --------------------------------------------------------------- */

static bool steals_allowed(const struct dc_system *sys)
{
	return sys->phase == DC_READY || sys->txn.finalizing;
}

/* Is addr excluded (a target of the call, a block found or pending)?
 * *base gets the excluded range's first byte. */
static bool excluded_at(const struct dc_txn *t, dc_addr_t addr,
			dc_addr_t *base)
{
	const struct steal_rec *s;
	unsigned i;

	for (i = 0; i < t->nexcl; i++)
		if (t->excl_base[i] <= addr && t->excl_last[i] >= addr) {
			*base = t->excl_base[i];
			return true;
		}
	for (s = t->journal; s; s = s->next)
		if (s->pa <= addr && addr - s->pa < s->bytes) {
			*base = s->pa;
			return true;
		}
	return false;
}

/* The lowest address of the gap of free candidates that ends at hi: one
 * past the highest excluded byte below hi, or 0. */
static dc_addr_t excluded_below(const struct dc_txn *t, dc_addr_t hi)
{
	const struct steal_rec *s;
	dc_addr_t lo = 0, l;
	unsigned i;

	for (i = 0; i < t->nexcl; i++)
		if (t->excl_last[i] < hi && t->excl_last[i] >= lo)
			lo = t->excl_last[i] + 1;
	for (s = t->journal; s; s = s->next) {
		l = s->pa + (s->bytes - 1);
		if (l < hi && l >= lo)
			lo = l + 1;
	}
	return lo;
}

/*
 * The highest page-aligned free block of bytes in donor that phys_to_virt
 * maps, outside every excluded range: the window below the limit, cut by
 * the exclusions into pieces, searched from the top piece down.
 */
static int steal_find(struct dc_node *donor, dc_size_t bytes, dc_addr_t *pa,
		      void **va)
{
	struct dc_system *sys = donor->sys;
	const struct dc_txn *t = &sys->txn;
	struct dc_window w = { .size = bytes, .align = dc_page_size(sys),
			       .top_down = true };
	dc_addr_t hi, cut;

	if (!dc_map_last(sys, &hi))
		return DC_ENOSPC;
	for (;;) {
		/* loop invariant: no fit ends above hi */
		if (excluded_at(t, hi, &cut)) {	/* go below */
			if (!cut)
				return DC_ENOSPC;
			hi = cut - 1;
			continue;
		}
		w.lo = excluded_below(t, hi);
		w.last = hi;
		/* a page that maps misaligned cannot hold entries: give up on
		 * this node (a direct map keeps page offsets) */
		if (hi - w.lo >= bytes - 1 && !dc_map_fit(donor, &w, pa, va))
			return ((uintptr_t)*va & 7) ? DC_ENOSPC : DC_OK;
		if (!w.lo)
			return DC_ENOSPC;
		hi = w.lo - 1;
	}
}

/* The nearest node other than owner (distance, then nid) with a block to
 * give, and the block. */
static struct dc_node *steal_donor(struct dc_node *owner, dc_size_t bytes,
				   dc_addr_t *pa, void **va)
{
	struct dc_system *sys = owner->sys;
	struct dc_node *best = 0, *d;
	unsigned bd = 0, dd;
	dc_addr_t p;
	void *v;

	for (unsigned i = 0; i < sys->nr_nodes; i++) {
		d = sys->node[sys->present[i]];
		if (d == owner)
			continue;
		dd = dc_distance(sys, owner, d);
		if (best && dd >= bd)	/* present[] ascends: ties keep lower */
			continue;
		if (steal_find(d, bytes, &p, &v))
			continue;
		best = d;
		bd = dd;
		*pa = p;
		*va = v;
	}
	return best;
}

static void exclude_push(struct dc_system *sys, dc_addr_t pa, dc_size_t bytes)
{
	unsigned i = sys->txn.nexcl++;

	sys->txn.excl_base[i] = pa;
	sys->txn.excl_last[i] = pa + (bytes - 1);
}

/* Move the free entries of s's block from the donor's list to the
 * owner's: they were stolen for the owner. */
static void steal_hand_over(const struct steal_rec *s)
{
	struct dc_node *d = s->donor, *o = s->owner;
	struct pool_entry **pp = (struct pool_entry **)&d->entries, *e;

	while ((e = *pp)) {
		if (in_block(s, e)) {
			*pp = e->next;
			d->nentries--;
			entry_push(&o->entries, &o->nentries, e);
		} else {
			pp = &e->next;
		}
	}
}

/* Move the entries n->held gained since it held before into *aside. */
static void set_aside(struct dc_node *n, dc_size_t before, void **aside)
{
	dc_size_t dummy = 0;

	while (n->nheld > before)
		entry_push(aside, &dummy, entry_pop(&n->held, &n->nheld));
}

/*
 * Take block [pa, pa + bytes) of donor for owner, pending (points 1-2 at
 * the top of the file). For entries, the block is carved first, so what
 * recording it will need (the donor backend's prepare, the metadata
 * record, the steal record) draws on it; for a block, the donor holds
 * that first. While this runs the block is excluded, so a nested steal
 * (entries for the donor, a region array growing) cannot choose it.
 */
static int steal_take(struct dc_node *owner, struct dc_node *donor,
		      dc_addr_t pa, void *va, dc_size_t bytes, bool entries)
{
	struct dc_system *sys = donor->sys;
	struct steal_rec probe = { .va = va, .bytes = bytes };
	dc_size_t before = donor->nheld;
	struct steal_rec *s;
	void *aside = 0;
	int r;

	if (sys->txn.nexcl >= sizeof(sys->txn.excl_base) /
			       sizeof(sys->txn.excl_base[0]))
		return DC_ENOSPC;	/* deeper than steals nest: our bug */
	dc_txn_touch(donor);
	dc_txn_touch(owner);
	exclude_push(sys, pa, bytes);
	if (entries)
		carve(va, bytes, &donor->entries, &donor->nentries);
	r = sys->ops->prepare(donor, 1);
	if (!r)
		r = dc_pool_prepare(donor, STEAL_OWN_ENTRIES);
	sys->txn.nexcl--;
	if (r) {
		if (entries)
			purge(sys, &probe);
		return DC_ENOSPC;
	}
	s = dc_pool_get(donor);	/* the newest held: the steal's own */
	set_aside(donor, before, &aside);
	s->next = sys->txn.journal;
	s->owner = owner;
	s->donor = donor;
	s->pa = pa;
	s->bytes = bytes;
	s->va = va;
	s->aside = aside;
	s->old_shift = (uint8_t)owner->steal_shift;
	s->entries = entries;
	s->unused = 0;
	sys->txn.journal = s;
	if (!entries)
		return DC_OK;
	if (owner != donor)	/* the free ones are the owner's */
		steal_hand_over(s);
	s->unused = (uint32_t)count_free(sys, s);
	return DC_OK;
}

/*
 * Steal a block for n's entries: 2^steal_shift pages of n's own memory
 * (fewer if that is all it has), else one page of the nearest node that
 * has one.
 */
static int steal_entries(struct dc_node *n)
{
	dc_size_t page = dc_page_size(n->sys), bytes;
	unsigned shift = n->steal_shift;
	struct dc_node *d;
	dc_addr_t pa;
	void *va;

	for (;;) {
		bytes = page << shift;
		if (!steal_find(n, bytes, &pa, &va) &&
		    !steal_take(n, n, pa, va, bytes, true)) {
			if (n->steal_shift < POOL_STEAL_SHIFT_MAX)
				n->steal_shift++;
			return DC_OK;
		}
		if (!shift--)
			break;
	}
	d = steal_donor(n, page, &pa, &va);
	if (!d)
		return DC_ENOSPC;
	return steal_take(n, d, pa, va, page, true);
}

int dc_pool_prepare(struct dc_node *n, unsigned need)
{
	dc_size_t got;

	dc_txn_touch(n);
	got = pool_hold_free(n, need);
	while (got < need) {
		if (!steals_allowed(n->sys) || steal_entries(n))
			return DC_ENOSPC;	/* the call gives back */
		got += pool_hold_free(n, need - got);
	}
	return DC_OK;
}

int dc_meta_steal(struct dc_node *owner, dc_size_t bytes, dc_addr_t *pa,
		  void **va)
{
	dc_size_t page = dc_page_size(owner->sys);
	struct dc_node *d = owner;

	if (!bytes || bytes > DC_ADDR_MAX - page || !steals_allowed(owner->sys))
		return DC_ENOSPC;
	bytes = (bytes + page - 1) & ~(page - 1);
	if (steal_find(owner, bytes, pa, va)) {
		d = steal_donor(owner, bytes, pa, va);
		if (!d)
			return DC_ENOSPC;
	}
	return steal_take(owner, d, *pa, *va, bytes, false);
}

void dc_meta_retire(struct dc_node *owner, void *va, dc_size_t bytes)
{
	carve(va, bytes, &owner->entries, &owner->nentries);
}
