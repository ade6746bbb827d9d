// SPDX-License-Identifier: BSD-3-Clause
/*
 * buddy.c - the kernel's page allocator, and the hand-over to it.
 *
 * A binary buddy allocator per node (one zone per node): free lists per
 * order 0..DC_MAX_ORDER, blocks naturally aligned, a freed block merged
 * with its buddy while the buddy is free and of the same order (Knuth,
 * TAOCP 2.5; Linux's __free_one_page()). Its state lives in the struct
 * page arrays that allocs.c got from the boot allocator, one entry per
 * page of the node's span: a free block is linked through the entry of
 * its first page, which says PG_BUDDY and the order. Nothing is written
 * into the pages themselves, which the boot allocator's callbacks forbid
 * during the hand-over.
 *
 * The test, after dc_release_all (every free page, in maximal blocks):
 *   - each block: on the node it was given for, inside one fragment of
 *     it, naturally aligned, ascending per node, nodes ascending, not
 *     overlapping anything live or reserved (allocs.c's record) or the
 *     library's metadata;
 *   - every page is then allocated once (order 0, which splits every
 *     block down), checked against the same record, and filled with
 *     0xe7 where the direct map reaches; afterwards every live
 *     allocation must still hold its own pattern;
 *   - all pages are freed again; merging must rebuild exactly the free
 *     lists the hand-over built;
 *   - dc_release_metadata hands over the metadata pages, which must lie
 *     inside the metadata the library reported and overlap nothing live.
 */
#include "mm.h"

#define NIL 0xffffffffu
#define PG_BUDDY 1u		/* first page of a free block */
#define PG_TAKEN 2u		/* allocated by the exhaust test */
#define ORDERS (DC_MAX_ORDER + 1)

struct page {
	uint32_t next, prev;	/* free list links: indexes in the zone */
	uint8_t order, flags;
	uint16_t nid;
	uint32_t reserved;
};
_Static_assert(sizeof(struct page) == STRUCT_PAGE_SIZE, "mm.h says 16");

struct zone {
	struct page *map;	/* the node's struct page array */
	uint64_t start_pfn, end_pfn;
	uint32_t head[ORDERS];
	uint64_t nr_free[ORDERS], snapshot[ORDERS];
	uint64_t got[ORDERS], got_meta[ORDERS];	/* blocks handed over */
	uint64_t next_pa;	/* the ascending-order check */
};

static struct zone zones[DC_MAX_NODES];
static int last_nid = -1;
static uint64_t handed, handed_meta;	/* bytes the callbacks saw */
static struct { uint64_t base, size; } meta[256];
static unsigned nmeta;

static struct page *pg(struct zone *z, uint64_t pfn)
{
	return &z->map[pfn - z->start_pfn];
}

static void list_add(struct zone *z, uint64_t pfn, unsigned order)
{
	struct page *p = pg(z, pfn);
	uint32_t i = (uint32_t)(pfn - z->start_pfn);

	p->flags |= PG_BUDDY;
	p->order = (uint8_t)order;
	p->prev = NIL;
	p->next = z->head[order];
	if (p->next != NIL)
		z->map[p->next].prev = i;
	z->head[order] = i;
	z->nr_free[order]++;
}

static void list_del(struct zone *z, uint64_t pfn, unsigned order)
{
	struct page *p = pg(z, pfn);

	if (p->prev != NIL)
		z->map[p->prev].next = p->next;
	else
		z->head[order] = p->next;
	if (p->next != NIL)
		z->map[p->next].prev = p->prev;
	p->flags &= (uint8_t)~PG_BUDDY;
	z->nr_free[order]--;
}

/* Free 2^order pages at pfn, merging with free buddies. */
static void buddy_free(struct zone *z, uint64_t pfn, unsigned order)
{
	while (order < DC_MAX_ORDER) {
		uint64_t b = pfn ^ (1ull << order);

		if (b < z->start_pfn || b >= z->end_pfn ||
		    !(pg(z, b)->flags & PG_BUDDY) || pg(z, b)->order != order)
			break;
		list_del(z, b, order);
		pfn &= ~(1ull << order);
		order++;
	}
	list_add(z, pfn, order);
}

/* Allocate 2^order pages: the smallest block that fits, split down. */
static bool buddy_alloc(struct zone *z, unsigned order, uint64_t *pfn)
{
	unsigned o = order;

	while (o < ORDERS && z->head[o] == NIL)
		o++;
	if (o == ORDERS)
		return false;
	*pfn = z->start_pfn + z->head[o];
	list_del(z, *pfn, o);
	while (o > order) {	/* give back the upper halves */
		o--;
		list_add(z, *pfn + (1ull << o), o);
	}
	return true;
}

void buddy_init(void)
{
	for (unsigned i = 0; i < nr_nodes; i++) {
		int nid = node_ids[i];
		struct knode *k = &knode[nid];
		struct zone *z = &zones[nid];

		for (unsigned o = 0; o < ORDERS; o++)
			z->head[o] = NIL;
		if (!k->memory || k->mem_map_nid < 0)
			continue;
		z->map = phys_to_virt(k->mem_map, k->mem_map_bytes);
		z->start_pfn = k->span_lo >> PAGE_SHIFT;
		z->end_pfn = k->span_end >> PAGE_SHIFT;
	}
}

static bool in_meta(uint64_t base, uint64_t size)
{
	for (unsigned i = 0; i < nmeta; i++)
		if (base >= meta[i].base &&
		    base + size <= meta[i].base + meta[i].size)
			return true;
	return false;
}

static bool meta_overlap(uint64_t base, uint64_t size)
{
	for (unsigned i = 0; i < nmeta; i++)
		if (base < meta[i].base + meta[i].size &&
		    meta[i].base < base + size)
			return true;
	return false;
}

/* The checks every handed-over block passes; false if one failed. */
static bool block_ok(int nid, dc_addr_t base, unsigned order, bool is_meta)
{
	uint64_t size = (uint64_t)PAGE_SIZE << order;
	const struct live_range *l = live_overlap(base, size);
	const struct reservation *r = resv_overlap(base, size);
	int f = frag_find(base, size);
	struct zone *z = (unsigned)nid < DC_MAX_NODES ? &zones[nid] : NULL;
	bool ok = z && z->map && order <= DC_MAX_ORDER && !(base & (size - 1)) &&
		  f >= 0 && frags[f].nid == nid && !l && !r &&
		  (is_meta ? in_meta(base, size) : !meta_overlap(base, size)) &&
		  (is_meta || (nid >= last_nid && base >= z->next_pa));

	if (!ok)
		fail("%s block node %d [0x%llx+%s] order %u: wrong node, "
		     "alignment, order or fragment, out of order, or overlaps "
		     "%s", is_meta ? "metadata" : "released", nid, base,
		     sz(size), order, l ? "a live allocation" :
		     r ? r->what : "metadata");
	return ok;
}

static void receive(void *ctx, int nid, dc_addr_t base, unsigned order)
{
	bool is_meta = ctx != NULL;
	struct zone *z = &zones[nid];

	if (!block_ok(nid, base, order, is_meta))
		return;
	if (!is_meta) {
		last_nid = nid;
		z->next_pa = base + ((uint64_t)PAGE_SIZE << order);
		z->got[order]++;
		handed += (uint64_t)PAGE_SIZE << order;
	} else {
		z->got_meta[order]++;
		handed_meta += (uint64_t)PAGE_SIZE << order;
	}
	buddy_free(z, base >> PAGE_SHIFT, order);
}

static int collect_meta(void *ctx, int nid, dc_addr_t base, dc_size_t size)
{
	if (nmeta == ARRAY_SIZE(meta))
		return 1;
	meta[nmeta].base = base;
	meta[nmeta++].size = size;
	return 0;
}

void buddy_release_all(void)
{
	dc_size_t released = 0;
	struct dc_stats s;
	int r;

	r = dc_walk(&dc, DC_NO_NODE, DC_WALK_METADATA, collect_meta, NULL);
	CHECK(!r, "metadata: more than %u ranges", (unsigned)ARRAY_SIZE(meta));
	r = dc_release_all(&dc, receive, NULL, &released);
	CHECK(!r, "dc_release_all: %s", dc_strerror(r));
	CHECK(released == handed, "dc_release_all says %llu bytes, the "
	      "callback got %llu", released, handed);
	CHECK(!dc_stats(&dc, DC_NO_NODE, &s) && s.released == released,
	      "dc_stats released %llu, dc_release_all %llu", s.released,
	      released);
	CHECK(s.free < (uint64_t)PAGE_SIZE * 2 * (s.free_extents + 1),
	      "%llu bytes still free after dc_release_all (only partial pages "
	      "may stay)", s.free);
	for (unsigned i = 0; i < nr_nodes; i++)
		memcpy(zones[node_ids[i]].snapshot, zones[node_ids[i]].nr_free,
		       sizeof(zones[0].snapshot));
}

/* Pages of [base, base + size) in z that the exhaust test took. */
static uint64_t taken_in(struct zone *z, uint64_t base, uint64_t size)
{
	uint64_t first = base >> PAGE_SHIFT, n = 0;
	uint64_t last = (base + size - 1) >> PAGE_SHIFT;

	if (!size || !z->map)
		return 0;
	first = first < z->start_pfn ? z->start_pfn : first;
	last = last >= z->end_pfn ? z->end_pfn - 1 : last;
	for (uint64_t pfn = first; pfn <= last && last >= z->start_pfn; pfn++)
		n += (pg(z, pfn)->flags & PG_TAKEN) != 0;
	return n;
}

/* Pages the exhaust test took that overlap something live: every live
 * allocation, reservation and metadata range is looked at, page by page,
 * which costs their size rather than a search per page handed out. */
static uint64_t taken_overlaps(void)
{
	uint64_t bad = 0;

	for (unsigned i = 0; i < nr_nodes; i++) {
		struct zone *z = &zones[node_ids[i]];

		for (unsigned j = 0; j < live_count(); j++)
			bad += taken_in(z, live_at(j)->base, live_at(j)->size);
		for (unsigned j = 0; j < nresv; j++)
			bad += taken_in(z, resv[j].base, resv[j].size);
		for (unsigned j = 0; j < nmeta; j++)
			bad += taken_in(z, meta[j].base, meta[j].size);
	}
	return bad;
}

/*
 * Every page out once, filled where the direct map reaches (pages above
 * it are checked by address only); then the overlaps and the patterns;
 * then every page back.
 */
void buddy_exhaust_test(void)
{
	uint64_t pages = 0, filled = 0, bad, twice = 0, got = 0;

	for (unsigned i = 0; i < nr_nodes; i++) {
		struct zone *z = &zones[node_ids[i]];
		uint64_t pfn;

		for (unsigned o = 0; o < ORDERS; o++)
			got += z->got[o] << o;
		while (z->map && buddy_alloc(z, 0, &pfn)) {
			void *va = phys_to_virt(pfn << PAGE_SHIFT, PAGE_SIZE);

			if (pg(z, pfn)->flags & PG_TAKEN)
				twice++;
			pg(z, pfn)->flags |= PG_TAKEN;
			pages++;
			if (va) {
				memset(va, 0xe7, PAGE_SIZE);
				filled++;
			}
		}
	}
	bad = taken_overlaps();
	CHECK(!twice, "%llu pages came out of the buddy allocator twice", twice);
	CHECK(!bad, "%llu buddy pages overlap live allocations, reservations "
	      "or metadata", bad);
	CHECK(pages == got, "%llu pages came out, %llu went in", pages, got);
	CHECK(!live_check_patterns(), "a buddy page overwrote a live "
	      "allocation");
	for (unsigned i = 0; i < nr_nodes; i++) {
		struct zone *z = &zones[node_ids[i]];

		for (uint64_t pfn = z->start_pfn; z->map && pfn < z->end_pfn; pfn++)
			if (pg(z, pfn)->flags & PG_TAKEN) {
				pg(z, pfn)->flags &= (uint8_t)~PG_TAKEN;
				buddy_free(z, pfn, 0);
			}
		CHECK(!memcmp(z->snapshot, z->nr_free, sizeof(z->nr_free)),
		      "node %d: freeing every page did not rebuild the free "
		      "lists", node_ids[i]);
	}
	kprintf("buddy test: %llu pages (%s) allocated once each, %llu "
		"filled with 0xe7, %llu above the direct map checked by "
		"address; all freed and merged back\n", pages,
		sz(pages << PAGE_SHIFT), filled, pages - filled);
}

void buddy_release_metadata(void)
{
	dc_size_t released = 0;
	int r = dc_release_metadata(&dc, receive, (void *)1, &released);

	CHECK(!r, "dc_release_metadata: %s", dc_strerror(r));
	CHECK(released == handed_meta, "dc_release_metadata says %llu bytes, "
	      "the callback got %llu", released, handed_meta);
	CHECK(dc_check(&dc) == DC_ESTATE, "dc_check after "
	      "dc_release_metadata: want DC_ESTATE (GONE)");
}

/* A few allocations of each order per node, then everything back. */
void buddy_exercise(void)
{
	for (unsigned i = 0; i < nr_nodes; i++) {
		struct zone *z = &zones[node_ids[i]];
		uint64_t pfns[ORDERS], before[ORDERS];

		if (!z->map)
			continue;
		memcpy(before, z->nr_free, sizeof(before));
		for (unsigned o = 0; o < ORDERS; o++) {
			int f;

			if (!buddy_alloc(z, o, &pfns[o])) {
				pfns[o] = NIL;
				continue;
			}
			f = frag_find(pfns[o] << PAGE_SHIFT, (uint64_t)PAGE_SIZE << o);
			CHECK(!(pfns[o] & ((1ull << o) - 1)) && f >= 0 &&
			      frags[f].nid == node_ids[i],
			      "node %d: order %u block at pfn 0x%llx is not on "
			      "the node or misaligned", node_ids[i], o, pfns[o]);
		}
		for (unsigned o = 0; o < ORDERS; o++)
			if (pfns[o] != NIL)
				buddy_free(z, pfns[o], o);
		CHECK(!memcmp(before, z->nr_free, sizeof(before)),
		      "node %d: alloc and free of each order changed the free "
		      "lists", node_ids[i]);
	}
}

void buddy_print(void)
{
	kprintf("buddy allocator: blocks received per order (dc_release_all; "
		"+ metadata from dc_release_metadata)\n  node");
	for (unsigned o = 0; o < ORDERS; o++)
		kprintf(" %6u", o);
	kprintf("     total\n");
	for (unsigned i = 0; i < nr_nodes; i++) {
		struct zone *z = &zones[node_ids[i]];
		uint64_t pages = 0, mpages = 0;

		kprintf("  %4d", node_ids[i]);
		for (unsigned o = 0; o < ORDERS; o++) {
			kprintf(" %6llu", z->got[o]);
			pages += z->got[o] << o;
			mpages += z->got_meta[o] << o;
		}
		kprintf(" %9s\n", sz(pages << PAGE_SHIFT));
		if (!mpages)
			continue;
		kprintf("     +");
		for (unsigned o = 0; o < ORDERS; o++)
			kprintf(" %6llu", z->got_meta[o]);
		kprintf(" %9s\n", sz(mpages << PAGE_SHIFT));
	}
	kprintf("  handed over: %s of free pages, %s of metadata\n",
		sz(handed), sz(handed_meta));
}
