// SPDX-License-Identifier: BSD-3-Clause
/*
 * allocs.c - what a NUMA kernel allocates at boot, each result checked.
 *
 *   per node   a node-data page (pg_data_t) and a struct page array over
 *              the node's span, both DC_REQ_EXACT_NODE | DC_REQ_ZERO; a
 *              node with no memory below the access limit (CPU-only, or
 *              all of it high) falls back by distance, as Linux's
 *              memblock_alloc_try_nid() does
 *   per CPU    a per-CPU area on the CPU's node, above 16 MiB if it can
 *              (DC_REQ_RELAX_MIN, pcpu_fc_alloc()'s goal); a CPU-only
 *              node's must land on its nearest node by the SLIT
 *   DMA        a 64 KiB ISA DMA buffer below 16 MiB
 *   random     a few thousand requests of random sizes, alignments,
 *              windows, directions and nodes, a third of them freed again
 *
 * Every result is checked against the request (alignment, window, inside
 * one fragment of one node, zeroed when asked, no overlap with anything
 * live or reserved) and against the search order of DESIGN.md, by probes:
 * requests that must fail because they ask for what the search would
 * have found first (a closer node, a higher or lower fit). A probe only
 * ever runs after its allocation, which took bytes and freed none, so a
 * probe that succeeds proves a fit that existed before: a library bug.
 * Direction probes need byte-exact backends (the bitmap packs sub-page
 * allocations, 2.4 style, wherever its cursor is).
 *
 * Everything live is recorded here, sorted by address, independently of
 * the library, and filled with a pattern of its own where the direct map
 * reaches it; buddy.c checks every page it is handed against this record
 * and, after filling those pages, checks the patterns.
 */
#include "mm.h"

#include <discontig/backend.h>

#define MAX_LIVE 8192
#define PERCPU_SIZE (64u << 10)
#define DMA_LIMIT (16u << 20)	/* ISA DMA: MAX_DMA_ADDRESS */
#define BUDDY_FILL 0xe7		/* buddy.c's pattern: no live one uses it */

static struct live_range slot[MAX_LIVE];
static uint16_t sorted[MAX_LIVE];	/* slots by base */
static uint16_t free_slot[MAX_LIVE];
static unsigned nlive, nfree_slots, slots_used;
static uint16_t random_slot[MAX_LIVE];	/* the random phase's, to free */
static unsigned nrandom;

static unsigned probes, fallbacks;
static bool exact_backend;		/* byte-exact: direction probes */

static const char *kind_name(unsigned k)
{
	static const char *const n[] = { "node data", "struct page array",
					 "per-CPU area", "DMA buffer",
					 "random" };
	return n[k];
}

/* ---- the record of live allocations --------------------------------- */

/* Position of the first live range with base >= base. */
static unsigned live_lower_bound(uint64_t base)
{
	unsigned lo = 0, hi = nlive;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (slot[sorted[mid]].base < base)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct live_range *live_overlap(uint64_t base, uint64_t size)
{
	unsigned i = live_lower_bound(base + size);	/* first at/after end */
	const struct live_range *l;

	if (!i)
		return NULL;
	l = &slot[sorted[i - 1]];	/* the last one starting before end */
	return l->base + l->size > base ? l : NULL;
}

unsigned live_count(void)
{
	return nlive;
}

const struct live_range *live_at(unsigned i)
{
	return &slot[sorted[i]];
}

const struct reservation *resv_overlap(uint64_t base, uint64_t size)
{
	for (unsigned i = 0; i < nresv; i++)
		if (resv[i].base < base + size &&
		    base < resv[i].base + resv[i].size)
			return &resv[i];
	return NULL;
}

static uint8_t pattern_of(uint64_t base)
{
	uint32_t h = (uint32_t)(base >> 6 ^ base >> 13 ^ base >> 32 ^ base);
	uint8_t p = (uint8_t)(1 + h % 251);

	return p == BUDDY_FILL ? 0x5a : p;
}

/* Record [base, base + size); false (and a failure) if it overlaps. */
static bool live_add(uint64_t base, uint64_t size, unsigned kind)
{
	const struct live_range *o = live_overlap(base, size);
	const struct reservation *r = resv_overlap(base, size);
	unsigned pos, s;
	void *va;

	CHECK(!o, "%s [0x%llx+%llu] overlaps a live %s at 0x%llx",
	      kind_name(kind), base, size, o ? kind_name(o->kind) : "",
	      o ? o->base : 0);
	CHECK(!r, "%s [0x%llx+%llu] overlaps the reservation '%s'",
	      kind_name(kind), base, size, r ? r->what : "");
	if (o || r)
		return false;
	if (nfree_slots)
		s = free_slot[--nfree_slots];
	else if (slots_used < MAX_LIVE)
		s = slots_used++;
	else
		return false;
	pos = live_lower_bound(base);
	memmove(&sorted[pos + 1], &sorted[pos], (nlive - pos) * sizeof(sorted[0]));
	sorted[pos] = (uint16_t)s;
	nlive++;
	slot[s] = (struct live_range){ base, size, (uint8_t)kind,
				       pattern_of(base) };
	if (kind == LIVE_MEM_MAP)	/* the buddy allocator's to write */
		slot[s].pattern = 0;
	else if ((va = phys_to_virt(base, size)))
		memset(va, slot[s].pattern, size);
	if (kind == LIVE_RANDOM)
		random_slot[nrandom++] = (uint16_t)s;
	return true;
}

static void live_del(unsigned s)
{
	unsigned pos = live_lower_bound(slot[s].base);

	memmove(&sorted[pos], &sorted[pos + 1], (nlive - pos - 1) * sizeof(sorted[0]));
	nlive--;
	free_slot[nfree_slots++] = (uint16_t)s;
}

/* Does every byte of [p, p + n) hold b? Words where aligned (TCG). */
static bool mem_is(const uint8_t *p, uint8_t b, uint64_t n)
{
	uint32_t w = b * 0x01010101u;

	for (; n && ((uintptr_t)p & 3); n--)
		if (*p++ != b)
			return false;
	for (; n >= 4; n -= 4, p += 4)
		if (*(const uint32_t *)p != w)
			return false;
	for (; n; n--)
		if (*p++ != b)
			return false;
	return true;
}

unsigned live_check_patterns(void)
{
	unsigned broken = 0;

	for (unsigned i = 0; i < nlive; i++) {
		const struct live_range *l = &slot[sorted[i]];
		const uint8_t *va = phys_to_virt(l->base, l->size);

		if (!l->pattern || !va || mem_is(va, l->pattern, l->size))
			continue;
		if (!broken++)
			fail("%s [0x%llx+%llu] lost its pattern 0x%02x",
			     kind_name(l->kind), l->base, l->size, l->pattern);
	}
	return broken;
}

uint64_t live_bytes(void)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < nlive; i++)
		n += slot[sorted[i]].size;
	return n;
}

/* ---- checking one result -------------------------------------------- */

static void print_request(const struct dc_request *q)
{
	kprintf("{size %llu align %llu window [0x%llx, 0x%llx) nid %d flags "
		"0x%x}", q->size, q->align, q->min_addr, q->max_addr, q->nid,
		q->flags);
}

/* A request that must fail: it asks for what the search would have
 * taken before the answer it gave (see the file comment). */
static void probe(struct dc_request p, bool zero, const struct dc_request *q,
		  dc_addr_t a, const char *why)
{
	dc_addr_t b;
	int r;

	p.flags &= ~(DC_REQ_RELAX_MIN | DC_REQ_ZERO);
	if (zero && (!p.max_addr || p.max_addr > access_limit))
		p.max_addr = access_limit;	/* DC_REQ_ZERO's confinement */
	if (p.max_addr && p.min_addr >= p.max_addr)
		return;
	probes++;
	r = dc_alloc(&dc, &p, &b);
	if (r == DC_ENOMEM)
		return;
	if (!r)
		dc_free(&dc, b, p.size);
	fail("%s: %s", why, r ? dc_strerror(r) : "a probe found a fit");
	kprintf("    request ");
	print_request(q);
	kprintf(" -> 0x%llx; probe ", a);
	print_request(&p);
	kprintf(" -> %d, 0x%llx\n", r, r ? 0 : b);
}

/* The probes of the search order: nodes first, then the direction. */
static void check_order(const struct dc_request *q, dc_addr_t a, int got)
{
	bool zero = q->flags & DC_REQ_ZERO;
	bool relaxed = (q->flags & DC_REQ_RELAX_MIN) && a < q->min_addr;
	bool td = q->flags & DC_REQ_TOP_DOWN ||
		  !(q->flags & DC_REQ_BOTTOM_UP);	/* DC_CFG_TOP_DOWN */
	struct dc_request p = *q;
	int order[DC_MAX_NODES];
	unsigned n;

	if (relaxed) {		/* the first pass failed where it looked */
		if (!(q->flags & DC_REQ_EXACT_NODE))
			p.nid = DC_NO_NODE;	/* every node, all at once */
		probe(p, zero, q, a, "DC_REQ_RELAX_MIN retried though the "
		      "window had a fit");
		p.min_addr = 0;
	}
	if (q->nid != DC_NO_NODE) {
		fallback_order(q->nid, order, &n);
		p.flags |= DC_REQ_EXACT_NODE;
		for (unsigned i = 0; i < n && order[i] != got; i++) {
			p.nid = order[i];
			probe(p, zero, q, a, "a closer node had a fit");
		}
		p.nid = got;
	}
	if (!exact_backend)
		return;
	if (td) {
		p.min_addr = a + 1;
		probe(p, zero, q, a, "a higher fit existed (top-down)");
	} else {
		p.max_addr = a + q->size - 1;
		probe(p, zero, q, a, "a lower fit existed (bottom-up)");
	}
}

struct span {
	uint64_t base, size;
};

static int meta_hits(void *ctx, int nid, dc_addr_t base, dc_size_t size)
{
	const struct span *s = ctx;

	return base < s->base + s->size && s->base < base + size;
}

/* Does [base, base + size) overlap the library's metadata right now? */
static bool overlaps_metadata(uint64_t base, uint64_t size)
{
	struct span s = { base, size };

	return dc_walk(&dc, DC_NO_NODE, DC_WALK_METADATA, meta_hits, &s) == 1;
}

/* Check a successful dc_alloc; returns the node it landed on, or -1. */
static int check_result(const struct dc_request *q, dc_addr_t a,
			const char *what)
{
	uint64_t align = q->align ? q->align : DC_DEFAULT_ALIGN;
	int f = frag_find(a, q->size), got = f >= 0 ? frags[f].nid : -1;
	bool ok = true;
	const uint8_t *va;

	ok &= !(a & (align - 1));
	ok &= a >= q->min_addr || (q->flags & DC_REQ_RELAX_MIN);
	ok &= !q->max_addr || a + q->size <= q->max_addr;
	ok &= !(q->flags & DC_REQ_ZERO) || a + q->size <= access_limit;
	ok &= f >= 0;
	ok &= !(q->flags & DC_REQ_EXACT_NODE) || q->nid == DC_NO_NODE ||
	      got == q->nid;
	ok &= !overlaps_metadata(a, q->size);
	if (!ok) {
		fail("%s: 0x%llx breaks its request (alignment, window, "
		     "access limit, fragment, node %d) or overlaps metadata",
		     what, a, got);
		kprintf("    request ");
		print_request(q);
		kprintf("\n");
		return -1;
	}
	if (q->flags & DC_REQ_ZERO) {
		va = phys_to_virt(a, q->size);
		CHECK(va && mem_is(va, 0, q->size),
		      "%s: DC_REQ_ZERO but [0x%llx+%llu] is not zero", what, a,
		      q->size);
	}
	if (q->nid != DC_NO_NODE && got != q->nid)
		fallbacks++;
	check_order(q, a, got);
	return got;
}

/* dc_alloc, checked and recorded: the node, or -1 (reported). */
static int alloc_checked(const struct dc_request *q, unsigned kind,
			 dc_addr_t *out)
{
	int r = dc_alloc(&dc, q, out), got;

	if (r) {
		fail("%s: dc_alloc: %s", kind_name(kind), dc_strerror(r));
		kprintf("    request ");
		print_request(q);
		kprintf("\n");
		return -1;
	}
	got = check_result(q, *out, kind_name(kind));
	if (got >= 0 && !live_add(*out, q->size, kind))
		return -1;
	return got;
}

/* ---- the phases ------------------------------------------------------ */

/* Exact node first; a node with nothing mappable falls back by distance. */
static int alloc_on_node(struct dc_request *q, unsigned kind, dc_addr_t *out)
{
	int r = dc_alloc(&dc, q, out), got;

	if (!r) {
		got = check_result(q, *out, kind_name(kind));
		return got >= 0 && live_add(*out, q->size, kind) ? got : -1;
	}
	if (r != DC_ENOMEM) {
		fail("%s for node %d: %s", kind_name(kind), q->nid,
		     dc_strerror(r));
		return -1;
	}
	q->flags &= ~DC_REQ_EXACT_NODE;
	return alloc_checked(q, kind, out);
}

void allocs_nodes(void)
{
	exact_backend = !dc_backend_default()->page_granular;
	kprintf("per-node allocations (DC_REQ_EXACT_NODE | DC_REQ_ZERO, "
		"fallback by distance where the node has nothing mappable):\n");
	for (unsigned i = 0; i < nr_nodes; i++) {
		int nid = node_ids[i];
		struct knode *k = &knode[nid];
		struct dc_request q = { .size = PAGE_SIZE, .align = PAGE_SIZE,
					.nid = nid,
					.flags = DC_REQ_EXACT_NODE | DC_REQ_ZERO };

		int want = k->lowmem ? nid : nearest_with_lowmem(nid);

		k->node_data_nid = alloc_on_node(&q, LIVE_NODE_DATA, &k->node_data);
		kprintf("  node %d: node data at 0x%llx on node %d%s\n", nid,
			k->node_data, k->node_data_nid,
			want != nid ? " (no memory of its own below the access "
				      "limit: nearest by the SLIT)" : "");
		CHECK(k->node_data_nid == want, "node %d: node data on node %d, "
		      "want %d (the nearest by the SLIT with memory below the "
		      "access limit)", nid, k->node_data_nid, want);
		if (!k->memory)
			continue;
		q = (struct dc_request){
			.size = ((k->span_end - k->span_lo) >> PAGE_SHIFT) *
				STRUCT_PAGE_SIZE,
			.align = PAGE_SIZE, .nid = nid,
			.flags = DC_REQ_EXACT_NODE | DC_REQ_ZERO };
		k->mem_map_bytes = q.size;
		k->mem_map_nid = alloc_on_node(&q, LIVE_MEM_MAP, &k->mem_map);
		kprintf("  node %d: struct page array %s for %llu pages "
			"[0x%llx-0x%llx] at 0x%llx on node %d\n", nid,
			sz(q.size), (k->span_end - k->span_lo) >> PAGE_SHIFT,
			k->span_lo, k->span_end - 1, k->mem_map,
			k->mem_map_nid);
	}
}

/* Memory of nid inside [lo, hi): where can a per-CPU area go? */
static uint64_t node_bytes_in(int nid, uint64_t lo, uint64_t hi)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < nfrags; i++) {
		uint64_t b = frags[i].base, e = b + frags[i].size;

		if (frags[i].nid != nid)
			continue;
		b = b < lo ? lo : b;
		e = e > hi ? hi : e;
		n += e > b ? e - b : 0;
	}
	return n;
}

void allocs_percpu_dma(void)
{
	dc_addr_t a;
	int got;

	kprintf("per-CPU areas (%s each, above 16 MiB if possible, "
		"DC_REQ_RELAX_MIN | DC_REQ_ZERO):\n", sz(PERCPU_SIZE));
	for (unsigned c = 0; c < acpi.ncpu; c++) {
		int nid = acpi.cpu[c].nid, want = DC_NO_NODE, order[DC_MAX_NODES];
		struct dc_request q = { .size = PERCPU_SIZE, .align = PAGE_SIZE,
					.min_addr = DMA_LIMIT, .nid = nid,
					.flags = DC_REQ_RELAX_MIN | DC_REQ_ZERO };
		unsigned n;

		/* expected: the first node by distance with room above
		 * 16 MiB below the access limit (SLIT, not the library) */
		fallback_order(nid, order, &n);
		for (unsigned i = 0; i < n && want < 0; i++)
			if (node_bytes_in(order[i], DMA_LIMIT, access_limit) >=
			    PERCPU_SIZE * 4)
				want = order[i];
		got = alloc_checked(&q, LIVE_PERCPU, &a);
		kprintf("  cpu %u (node %d%s): 0x%llx on node %d\n", c, nid,
			knode[nid].cpu_only ? ", CPU-only" : "", a, got);
		CHECK(want < 0 || got == want, "cpu %u: per-CPU area on node "
		      "%d, the nearest node by the SLIT with room is %d", c, got,
		      want);
	}
	{
		struct dc_request q = { .size = 64 << 10, .align = 64 << 10,
					.max_addr = DMA_LIMIT,
					.nid = DC_NO_NODE, .flags = DC_REQ_ZERO };

		got = alloc_checked(&q, LIVE_DMA, &a);
		kprintf("DMA buffer: %s at 0x%llx (below 16 MiB) on node %d\n",
			sz(q.size), a, got);
	}
}

static void random_request(struct rng *g, struct dc_request *q)
{
	static const unsigned dir[] = { DC_REQ_TOP_DOWN, DC_REQ_BOTTOM_UP, 0 };
	unsigned k;

	*q = (struct dc_request){ 0 };
	q->size = rng_below(g, 64) ? 1 + rng_below(g, 1ull << rng_below(g, 17))
				   : 64 * KiB + rng_below(g, 2 * MiB);
	q->align = rng_below(g, 10) < 3 ? 0 : 1ull << rng_below(g, 22);
	k = (unsigned)rng_below(g, 100);
	if (k < 20)
		q->nid = DC_NO_NODE;
	else if (k < 24)		/* a node that does not exist */
		do
			q->nid = (int)rng_below(g, DC_MAX_NODES);
		while (knode[q->nid].present);
	else
		q->nid = node_ids[rng_below(g, nr_nodes)];
	if (q->nid != DC_NO_NODE && !rng_below(g, 4))
		q->flags |= DC_REQ_EXACT_NODE;
	q->flags |= dir[rng_below(g, 3)];
	if (!rng_below(g, 5))
		q->flags |= DC_REQ_ZERO;
	k = (unsigned)rng_below(g, 100);
	if (k >= 50) {			/* a window inside some fragment */
		const struct frag *f = &frags[rng_below(g, nfrags)];
		uint64_t lo = f->base + rng_below(g, f->size);
		uint64_t hi = lo + q->size + rng_below(g, f->size);

		if (k < 70 || k >= 85)
			q->min_addr = lo;
		if (k >= 70)
			q->max_addr = hi;
		if (q->min_addr && !rng_below(g, 3))
			q->flags |= DC_REQ_RELAX_MIN;
	}
}

struct fit_search {
	const struct dc_request *q;
	uint64_t lo, end;	/* the window, ZERO's confinement applied */
	dc_addr_t found;
};

static int fit_in_extent(void *ctx, int nid, dc_addr_t base, dc_size_t size)
{
	struct fit_search *f = ctx;
	uint64_t align = f->q->align ? f->q->align : DC_DEFAULT_ALIGN;
	uint64_t b = base > f->lo ? base : f->lo;
	uint64_t e = base + size < f->end ? base + size : f->end;
	uint64_t a = (b + align - 1) & ~(align - 1);

	if (a < b || a >= e || e - a < f->q->size)
		return 0;
	f->found = a;
	return 1;
}

/*
 * The oracle for DC_ENOMEM: is there a free extent (dc_walk FREE: whole
 * free pages on the bitmap backend) that holds an aligned fit inside the
 * window, on the memory the request may use? Then the failure was wrong.
 * A node-named request without DC_REQ_EXACT_NODE may use every node.
 */
static bool fit_exists(const struct dc_request *q, dc_addr_t *where)
{
	struct fit_search f = { q, q->min_addr, q->max_addr ? q->max_addr
							    : ~0ull, 0 };
	int nid = q->flags & DC_REQ_EXACT_NODE ? q->nid : DC_NO_NODE;

	if ((q->flags & DC_REQ_ZERO) && f.end > access_limit)
		f.end = access_limit;
	if (q->flags & DC_REQ_RELAX_MIN)
		f.lo = 0;
	if (nid != DC_NO_NODE && (nid < 0 || !knode[nid].present))
		return false;	/* an absent node has no memory */
	if (dc_walk(&dc, nid, DC_WALK_FREE, fit_in_extent, &f) != 1)
		return false;
	*where = f.found;
	return true;
}

void allocs_random(uint64_t seed, unsigned count)
{
	struct rng g = { seed ? seed : 1 };
	unsigned ok = 0, nomem = 0, freed = 0;
	dc_addr_t a;

	for (unsigned i = 0; i < count; i++) {
		struct dc_request q;
		int r;

		random_request(&g, &q);
		r = dc_alloc(&dc, &q, &a);
		if (r == DC_ENOMEM) {
			nomem++;
			if (fit_exists(&q, &a)) {
				fail("request %u: DC_ENOMEM, but free memory "
				     "at 0x%llx fits it", i, a);
				kprintf("    request ");
				print_request(&q);
				kprintf("\n");
			}
			continue;
		}
		if (r) {
			fail("request %u: dc_alloc: %s", i, dc_strerror(r));
			kprintf("    request ");
			print_request(&q);
			kprintf("\n");
			continue;
		}
		if (check_result(&q, a, "random") < 0 ||
		    !live_add(a, q.size, LIVE_RANDOM))
			continue;
		ok++;
		if (rng_below(&g, 3))
			continue;
		/* free a random earlier one: a third are freed again */
		{
			unsigned j = (unsigned)rng_below(&g, nrandom), s = random_slot[j];

			r = dc_free(&dc, slot[s].base, slot[s].size);
			CHECK(!r, "dc_free(0x%llx, %llu): %s", slot[s].base,
			      slot[s].size, dc_strerror(r));
			random_slot[j] = random_slot[--nrandom];
			live_del(s);
			freed++;
		}
	}
	kprintf("random requests: %u (seed %llu): %u allocated, %u DC_ENOMEM "
		"(windows, exact nodes), %u freed again; %u fell back to "
		"another node\n", count, seed, ok, nomem, freed, fallbacks);
	kprintf("  order probes: %u requests that must fail, did%s\n", probes,
		exact_backend ? "" : " (node order only: bitmap packs "
				     "sub-page allocations)");

	/* a double free is detected (DESIGN.md): whole pages on every
	 * backend */
	{
		struct dc_request q = { .size = 2 * PAGE_SIZE,
					.align = PAGE_SIZE, .nid = DC_NO_NODE };
		int r1 = -100, r2 = -100, r0 = dc_alloc(&dc, &q, &a);

		if (!r0)
			r1 = dc_free(&dc, a, q.size);
		if (!r1)
			r2 = dc_free(&dc, a, q.size);
		CHECK(!r0 && !r1 && r2 == DC_ENOENT, "double free: alloc %d, "
		      "free %d, second free %d (want DC_ENOENT)", r0, r1, r2);
	}
}

/* ---- accounting ------------------------------------------------------ */

static int check_meta(void *ctx, int nid, dc_addr_t base, dc_size_t size)
{
	const struct live_range *l = live_overlap(base, size);
	const struct reservation *r = resv_overlap(base, size);
	int f = frag_find(base, size);

	CHECK(!l && !r, "metadata [0x%llx+%llu] overlaps %s", base, size,
	      l ? kind_name(l->kind) : r ? r->what : "");
	CHECK(base + size <= access_limit, "metadata [0x%llx+%llu] above the "
	      "access limit", base, size);
	CHECK(f >= 0 && frags[f].nid == nid, "metadata [0x%llx+%llu] of node "
	      "%d is not inside that node's memory", base, size, nid);
	return 0;
}

void allocs_report(void)
{
	struct dc_stats t;
	uint64_t reserved = 0;

	for (unsigned i = 0; i < nresv; i++)
		reserved += resv[i].newly;
	dc_walk(&dc, DC_NO_NODE, DC_WALK_METADATA, check_meta, NULL);
	CHECK(!live_check_patterns(), "live allocations lost their patterns");
	dc_stats(&dc, DC_NO_NODE, &t);
	/* byte-exact backends: used is exactly what the kernel holds */
	CHECK(exact_backend ? t.used == reserved + live_bytes()
			    : t.used >= reserved + live_bytes(),
	      "dc_stats used %llu, the kernel holds %llu reserved + %llu "
	      "allocated", t.used, reserved, live_bytes());
	kprintf("per-node stats (dc_stats):\n"
		"  node    memory      used  metadata      free  frags "
		"extents allocs  frees failed steals remote\n");
	for (unsigned i = 0; i <= nr_nodes; i++) {
		struct dc_stats s;
		int nid = i < nr_nodes ? node_ids[i] : DC_NO_NODE;

		dc_stats(&dc, nid, &s);
		if (nid == DC_NO_NODE)
			kprintf("  total");
		else
			kprintf("  %5d", nid);
		kprintf(" %9s %9s %9s %9s %6llu %7llu %6llu %6llu %6llu %6llu "
			"%6llu\n", sz(s.memory), sz(s.used), sz(s.metadata),
			sz(s.free), s.fragments, s.free_extents, s.allocs,
			s.frees, s.failed, s.steals, s.remote_steals);
		CHECK(s.memory == s.used + s.metadata + s.free + s.released,
		      "node %d: memory != used + metadata + free + released",
		      nid);
	}
	kprintf("  (failed counts the order probes; the kernel holds %s "
		"reserved and %s in %u allocations)\n", sz(reserved),
		sz(live_bytes()), nlive);
}
