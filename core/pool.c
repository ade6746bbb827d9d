// SPDX-License-Identifier: BSD-3-Clause
/*
 * pool.c - metadata: the caller's initial pool, held entries, stolen pages.
 *
 * Why: a boot allocator needs memory to describe memory. Before the map is
 * final nothing may be stolen (an unreserved page may still hold the kernel
 * image or firmware tables), so the caller hands us an initial pool; after
 * dc_finalize() we steal pages from the node that needs them, which keeps
 * metadata NUMA-local ("[RFC] tree-based bootmem", LKML 2001).
 *
 * Shapes of the initial pool [start, end):
 *
 *   start                lo                      hi                 end
 *   | entries carved ... |      untouched        | blocks, top down |
 *
 * Entries are carved upwards from lo, contiguous blocks (node descriptors,
 * the distance table, arrays in SETUP) downwards from hi. Freed entries of
 * the initial pool go back to its list (pool->entries); entries carved from
 * stolen pages go to their node's list (n->entries).
 *
 * Held entries: every mutating call first holds the worst case it may need
 * (dc_pool_prepare) on the nodes it touches, then changes things, then gives
 * the rest back (dc_pool_finish). Holding moves entries, so two nodes never
 * count the same free entry and a call never runs dry halfway (FreeBSD
 * vmem's bt_fill() reserves BT_MAXALLOC tags the same way).
 *
 * Invariants (checked by nodes/check.c through dc_pool_avail):
 *  P1  pool->lo <= pool->hi, both 8-aligned, inside [start, end]
 *  P2  outside a call, every node's held list is empty
 *  P3  n->meta holds exactly the blocks stolen from n, never overlapping
 */
#include "core/pool.h"

#include "core/range.h"
#include "core/tree.h"

struct pool_entry {
	struct pool_entry *next;
};

_Static_assert(sizeof(struct pool_entry) <= DC_POOL_ENTRY_SIZE,
	       "a free entry must fit an entry");

/* Steals take 2^steal_shift pages, doubling up to this, so a node that
 * needs much metadata steals few blocks (few metadata records). */
#define POOL_STEAL_SHIFT_MAX 4

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
	if (!mem || bytes < 16)
		return;
	e = (s + (uintptr_t)bytes) & ~(uintptr_t)7;	/* dc_init: no wrap */
	s = (s + 7) & ~(uintptr_t)7;
	if (e <= s)
		return;
	p->start = p->lo = s;
	p->end = p->hi = e;
}

static dc_size_t pool_shared_avail(const struct dc_pool *p)
{
	return p->nentries + (p->hi - p->lo) / DC_POOL_ENTRY_SIZE;
}

dc_size_t dc_pool_avail(const struct dc_node *n)
{
	return n->nentries + n->nheld + pool_shared_avail(&n->sys->pool);
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
	struct dc_pool *p = &n->sys->pool;

	if (pool_owns(p, entry))
		entry_push(&p->entries, &p->nentries, entry);
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

void dc_pool_finish(struct dc_node *n)
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

/* Give back the last k held entries (an undo of pool_hold_free). */
static void pool_unhold(struct dc_node *n, dc_size_t k)
{
	while (k--)
		dc_pool_put(n, entry_pop(&n->held, &n->nheld));
}

static int steal_entries(struct dc_node *n);

int dc_pool_prepare(struct dc_node *n, unsigned need)
{
	dc_size_t got = pool_hold_free(n, need);
	dc_size_t more;

	while (got < need) {
		if (n->sys->phase != DC_READY || steal_entries(n)) {
			pool_unhold(n, got);
			return DC_ENOSPC;
		}
		more = pool_hold_free(n, need - got);
		got += more;
	}
	return DC_OK;
}

int dc_pool_block(struct dc_system *sys, dc_size_t bytes, void **va)
{
	struct dc_pool *p = &sys->pool;
	dc_size_t b;

	if (!bytes || bytes > p->hi - p->lo)
		return DC_ENOSPC;
	b = (bytes + 7) & ~(dc_size_t)7;
	if (b > p->hi - p->lo)
		return DC_ENOSPC;
	p->hi -= (uintptr_t)b;
	*va = memset((void *)p->hi, 0, (size_t)b);
	return DC_OK;
}

void dc_pool_block_retire(struct dc_system *sys, struct dc_node *n,
			  void *va, dc_size_t bytes)
{
	struct dc_pool *p = &sys->pool;
	uintptr_t a = (uintptr_t)va, e;
	dc_size_t b = (bytes + 7) & ~(dc_size_t)7;

	if (pool_owns(p, va) && a == p->hi) {	/* undo of the last block */
		p->hi += (uintptr_t)b;
		return;
	}
	e = a + (uintptr_t)bytes;
	a = (a + 7) & ~(uintptr_t)7;
	for (; e - a >= DC_POOL_ENTRY_SIZE && e > a; a += DC_POOL_ENTRY_SIZE) {
		if (pool_owns(p, (void *)a))
			entry_push(&p->entries, &p->nentries, (void *)a);
		else if (n)
			entry_push(&n->entries, &n->nentries, (void *)a);
	}
}

unsigned dc_distance(const struct dc_system *sys, const struct dc_node *a,
		     const struct dc_node *b)
{
	if (sys->distance && a->index < sys->dim && b->index < sys->dim)
		return sys->distance[a->index * sys->dim + b->index];
	return a == b ? 10 : 20;
}

bool dc_meta_overlaps(const struct dc_node *n, dc_addr_t base,
		      dc_addr_t last)
{
	const struct dc_extent *e = dc_tree_find_le(&n->meta, last);

	return e && e->last >= base;
}

/*
 * Find a page-aligned free block of bytes in donor that phys_to_virt maps,
 * top down (metadata stays away from low, DMA-able memory, as memblock's
 * allocations do). A refusal teaches us the direct-map limit: phys_to_virt
 * is monotone (kernel __va() below a limit), so later searches stay below.
 */
static int meta_find(struct dc_node *donor, dc_size_t bytes, dc_addr_t *pa,
		     void **va)
{
	struct dc_system *sys = donor->sys;
	struct dc_window w = {
		.lo = 0, .last = DC_ADDR_MAX, .size = bytes,
		.align = dc_page_size(sys), .top_down = true,
	};
	void *v;

	for (;;) {
		if (sys->map_end) {
			if (sys->map_end < bytes)
				return DC_ENOSPC;
			w.last = sys->map_end - 1;
		}
		if (sys->ops->find(donor, &w, pa))
			return DC_ENOSPC;
		v = sys->plat.phys_to_virt(sys->plat.ctx, *pa, bytes);
		if (v) {
			*va = v;
			return DC_OK;
		}
		sys->map_end = *pa ? *pa : 1;
		if (!*pa)
			return DC_ENOSPC;
	}
}

/*
 * Take [pa, pa + bytes) from donor's backend and record it in donor->meta.
 * The backend's reserve and the record pop from donor's held list, which
 * the caller has filled.
 */
static void meta_take(struct dc_node *donor, dc_addr_t pa, dc_size_t bytes)
{
	struct dc_extent *rec;

	donor->sys->ops->reserve(donor, pa, pa + (bytes - 1));
	rec = dc_pool_get(donor);
	rec->base = pa;
	rec->last = pa + (bytes - 1);
	rec->nid = donor->nid;
	dc_tree_insert(&donor->meta, rec);
	donor->steals++;
}

/*
 * Steal a block of donor's memory for owner's entries. The block is carved
 * before it is taken, so the backend's reserve and the metadata record can
 * use its first entries: a steal never needs entries it does not bring.
 */
static int steal_from(struct dc_node *owner, struct dc_node *donor,
		      dc_size_t bytes)
{
	dc_size_t before = donor->nheld, k;
	unsigned char *v;
	dc_addr_t pa;
	void *va;

	if (meta_find(donor, bytes, &pa, &va))
		return DC_ENOSPC;
	v = va;
	for (k = 0; k + DC_POOL_ENTRY_SIZE <= bytes; k += DC_POOL_ENTRY_SIZE)
		entry_push(&donor->held, &donor->nheld, v + k);
	meta_take(donor, pa, bytes);
	/* what the take did not use goes to the owner's own list */
	while (donor->nheld > before)
		entry_push(&owner->entries, &owner->nentries,
			   entry_pop(&donor->held, &donor->nheld));
	if (owner != donor)
		owner->remote_steals++;
	return DC_OK;
}

/* The nearest other node (by distance, ties to the lower nid) that has a
 * block of bytes to give, or NULL. */
static struct dc_node *nearest_donor(struct dc_node *n, dc_size_t bytes)
{
	struct dc_system *sys = n->sys;
	struct dc_node *best = 0, *d;
	unsigned bd = 0, dd;
	dc_addr_t pa;
	void *va;

	for (unsigned i = 0; i < sys->nr_nodes; i++) {
		d = sys->node[sys->present[i]];
		if (d == n)
			continue;
		dd = dc_distance(sys, n, d);
		if (best && dd >= bd)
			continue;
		if (meta_find(d, bytes, &pa, &va))
			continue;
		best = d;
		bd = dd;
	}
	return best;
}

/*
 * Steal for n's entries: 2^steal_shift pages of n's own memory (fewer if
 * that is all it has), else one page of the nearest node that has one.
 */
static int steal_entries(struct dc_node *n)
{
	dc_size_t page = dc_page_size(n->sys);
	unsigned shift = n->steal_shift;
	struct dc_node *d;

	for (;;) {
		if (!steal_from(n, n, page << shift)) {
			if (n->steal_shift < POOL_STEAL_SHIFT_MAX)
				n->steal_shift++;
			return DC_OK;
		}
		if (!shift--)
			break;
	}
	d = nearest_donor(n, page);
	if (!d)
		return DC_ENOSPC;
	return steal_from(n, d, page);
}

int dc_meta_steal(struct dc_node *n, dc_size_t bytes, dc_addr_t *pa,
		  void **va)
{
	dc_size_t page = dc_page_size(n->sys);

	if (!bytes || bytes > DC_ADDR_MAX - page)
		return DC_ENOSPC;
	bytes = (bytes + page - 1) & ~(page - 1);
	if (meta_find(n, bytes, pa, va))
		return DC_ENOSPC;
	meta_take(n, *pa, bytes);
	return DC_OK;
}

void dc_meta_unsteal(struct dc_node *n, dc_addr_t pa, dc_size_t bytes)
{
	dc_size_t page = dc_page_size(n->sys);
	struct dc_extent *rec = dc_tree_find_le(&n->meta, pa);

	bytes = (bytes + page - 1) & ~(page - 1);
	if (!rec || rec->base != pa)
		return;
	dc_tree_erase(&n->meta, rec);
	n->steals--;
	/* the record's entry pays for the backend's merge, if it needs one */
	entry_push(&n->held, &n->nheld, rec);
	n->sys->ops->free(n, pa, pa + (bytes - 1));
	dc_pool_finish(n);
}
