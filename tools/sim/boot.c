// SPDX-License-Identifier: BSD-3-Clause
/*
 * boot.c - a NUMA kernel boot, simulated on discontig.
 *
 * The sequence follows what Linux 6.1 does on x86-64, as the memblock=debug
 * logs in shared/data/bootlogs show it (sizes, alignments, windows, nodes):
 *
 *   SETUP   the layout's fragments, distances and firmware holes; then the
 *           early reservations: the kernel image (at 16 MiB,
 *           CONFIG_PHYSICAL_START), the ACPI tables (top of low memory)
 *           and the initrd (high, where boot loaders put it)
 *   READY   per node, ascending: NODE_DATA (pg_data_t, 0x2b000 bytes), the
 *           pageblock usemap, the struct page array (64 bytes per page of
 *           the node's span, 2 MiB aligned, from 16 MiB, exact node: as
 *           sparse_init_nid), the per-cpu first chunk of its cpus (1 MiB
 *           units, 2 MiB aligned, as pcpu_fc_alloc), page-table pages (two
 *           4 KiB pages per GiB: direct map and vmemmap);
 *           then system-wide: the dentry and inode hashes sized from total
 *           memory like alloc_large_system_hash (2^k entries of 8 bytes,
 *           one per 8 KiB resp. 16 KiB of memory, at most 1/16 of it), the
 *           64 MiB swiotlb bounce buffer below 4 GiB and its 768 KiB slot
 *           array, and an optional crash kernel (16 MiB aligned, below
 *           4 GiB first, then anywhere, as reserve_crashkernel)
 *   RETIRED dc_release_all into a simulated buddy allocator (blocks counted
 *           per order and node), then dc_release_metadata.
 *
 * Every request goes through the public API (through trace.h's wrappers,
 * which record it when --trace is given). The requests use the system's
 * default direction, top-down, as memblock does.
 *
 * Mandatory requests are those without which Linux panics or boots
 * without what it was asked to load: the kernel image, the initrd,
 * NODE_DATA and the struct page arrays (memblock_alloc_try_nid_raw with
 * a panic on failure). Their failure makes the boot fail (exit 1); the
 * others are reported only.
 */
#include "tools/sim/boot.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#define MiB (1ull << 20)
#define GiB (1ull << 30)

/* --- small helpers --------------------------------------------------------- */

static int boot_err(struct boot *b, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Say why the boot cannot proceed; returns ret. */
static int boot_err(struct boot *b, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->err, sizeof(b->err), fmt, ap);
	va_end(ap);
	return ret;
}

/* Mandatory requests (see the top). */
static bool mandatory(const char *what)
{
	static const char *const names[] = { "kernel image", "initrd",
					     "NODE_DATA", "struct page array" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(what, names[i]))
			return true;
	return false;
}

static void boot_fail(struct boot *b, const char *what, int nid,
		      dc_size_t size, int err)
{
	bool must = mandatory(what);

	b->failed_allocs++;
	b->mandatory_failed += must;
	if (b->nfail < sizeof(b->fail) / sizeof(b->fail[0]))
		b->fail[b->nfail++] = (struct boot_failure){ what, nid, size,
							     err, must };
}

static enum boot_cat cat_of(const char *what)
{
	static const struct { const char *what; enum boot_cat cat; } t[] = {
		{ "NODE_DATA", BOOT_CAT_NODE_DATA },
		{ "usemap", BOOT_CAT_NODE_DATA },
		{ "struct page array", BOOT_CAT_MEMMAP },
		{ "per-cpu areas", BOOT_CAT_PERCPU },
		{ "page table", BOOT_CAT_PGTABLE },
		{ "dentry hash", BOOT_CAT_HASH },
		{ "inode hash", BOOT_CAT_HASH },
		{ "swiotlb", BOOT_CAT_DMA },
		{ "swiotlb slots", BOOT_CAT_DMA },
		{ "crash kernel", BOOT_CAT_CRASH },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(what, t[i].what))
			return t[i].cat;
	return BOOT_CAT_EARLY;
}

const char *dc_boot_cat_name(enum boot_cat cat)
{
	static const char *const names[BOOT_NCATS] = {
		[BOOT_CAT_EARLY] = "kernel, ACPI, initrd",
		[BOOT_CAT_NODE_DATA] = "NODE_DATA",
		[BOOT_CAT_MEMMAP] = "struct page arrays",
		[BOOT_CAT_PERCPU] = "per-CPU areas",
		[BOOT_CAT_PGTABLE] = "page tables",
		[BOOT_CAT_HASH] = "hashes",
		[BOOT_CAT_DMA] = "DMA (swiotlb)",
		[BOOT_CAT_CRASH] = "crash kernel",
	};

	return (unsigned)cat < BOOT_NCATS ? names[cat] : "?";
}

/* Remember a named range for the picture (best effort: it is only a
 * picture, and a failed realloc leaves it without this tooltip). */
static void keep_item(struct boot *b, const char *what, int nid,
		      dc_addr_t base, dc_size_t size)
{
	if (!b->o.want_ranges)
		return;
	if (b->nitems == b->capitems) {
		size_t cap = b->capitems ? 2 * b->capitems : 256;
		void *v = realloc(b->items, cap * sizeof(*b->items));

		if (!v)
			return;
		b->items = v;
		b->capitems = cap;
	}
	b->items[b->nitems++] = (struct boot_item){ what, cat_of(what), nid,
						    base, size };
}

/* One request through the public API; failures are recorded, not fatal. */
static int boot_alloc(struct boot *b, const char *what, dc_size_t size,
		      dc_size_t align, dc_addr_t min, dc_addr_t max, int nid,
		      unsigned flags, dc_addr_t *out)
{
	struct dc_request q = { size, align, min, max, nid, flags };
	dc_addr_t a = 0;
	int r = dc_tr_alloc(b->trace, b->sys, &q, &a);

	if (r) {
		boot_fail(b, what, nid, size, r);
	} else {
		b->allocs++;
		keep_item(b, what, nid, a, size);
	}
	if (out)
		*out = r ? 0 : a;
	return r;
}

struct pick {
	dc_size_t size, align;
	dc_addr_t lo, hi;	/* [lo, hi) */
	bool top, found;
	dc_addr_t at;
};

static int pick_range(void *ctx, int nid, dc_addr_t base, dc_size_t size)
{
	struct pick *p = ctx;
	dc_addr_t b = base > p->lo ? base : p->lo;
	dc_addr_t l = base + (size - 1), a;

	if (p->hi && l > p->hi - 1)
		l = p->hi - 1;
	if (b > l || l - b < p->size - 1)
		return 0;
	if (p->top) {
		a = (l - (p->size - 1)) & ~(p->align - 1);
		if (a < b)
			return 0;
	} else {
		a = (b + p->align - 1) & ~(p->align - 1);
		if (a < b || a > l || l - a < p->size - 1)
			return 0;
	}
	if (!p->found || p->top)	/* bottom-up: the first fit wins */
		p->at = a;
	p->found = true;
	return p->top ? 0 : 1;
}

/*
 * Where an early reservation goes: a free spot in SETUP, found with the
 * free walk (the firmware or boot loader chose it; we only mirror that).
 */
static bool pick_free(struct boot *b, dc_size_t size, dc_size_t align,
		      dc_addr_t lo, dc_addr_t hi, bool top, dc_addr_t *at)
{
	struct pick p = { size, align, lo, hi, top, false, 0 };

	dc_walk(b->sys, DC_NO_NODE, DC_WALK_FREE, pick_range, &p);
	*at = p.at;
	return p.found;
}

static void early_reserve(struct boot *b, const char *what, dc_size_t size,
			  dc_size_t align, dc_addr_t lo, dc_addr_t hi,
			  bool top)
{
	dc_addr_t at;
	int r;

	if (!size)
		return;
	if (!pick_free(b, size, align, lo, hi, top, &at) &&
	    !pick_free(b, size, align, 0, 0, top, &at)) {
		boot_fail(b, what, DC_NO_NODE, size, DC_ENOMEM);
		return;
	}
	r = dc_tr_reserve(b->trace, b->sys, at, size);
	if (r)
		boot_fail(b, what, DC_NO_NODE, size, r);
	else
		keep_item(b, what, DC_NO_NODE, at, size);
}

/* --- the boot ---------------------------------------------------------------- */

static void node_span(const struct dc_layout *l, int nid, dc_addr_t *lo,
		      dc_addr_t *last)
{
	bool any = false;

	for (size_t i = 0; i < l->nfrags; i++) {
		const struct dc_fragment *f = &l->frags[i];
		dc_addr_t fl = f->base + (f->size - 1);

		if (f->nid != nid)
			continue;
		if (!any || f->base < *lo)
			*lo = f->base;
		if (!any || fl > *last)
			*last = fl;
		any = true;
	}
}

static void boot_node(struct boot *b, struct boot_node *bn)
{
	unsigned shift = b->layout->page_shift;
	dc_addr_t lo = 0, last = 0, a;
	dc_size_t span_pages, mem = dc_layout_memory(b->layout, bn->nid);
	unsigned gib = (unsigned)((mem + GiB - 1) / GiB);

	node_span(b->layout, bn->nid, &lo, &last);
	span_pages = ((last - lo) >> shift) + 1;
	boot_alloc(b, "NODE_DATA", 0x2b000, 0x1000, 0, 0, bn->nid,
		   DC_REQ_ZERO, NULL);
	/* usemap: 4 bits per 2 MiB pageblock */
	boot_alloc(b, "usemap", ((span_pages >> (21 - shift)) / 2 + 64) & ~63ull,
		   64, lo, 0, bn->nid, DC_REQ_RELAX_MIN | DC_REQ_ZERO, NULL);
	bn->memmap_size = span_pages * 64;
	if (!boot_alloc(b, "struct page array", bn->memmap_size, 2 * MiB,
			16 * MiB, 0, bn->nid, DC_REQ_EXACT_NODE, &a)) {
		bn->memmap = a;
		bn->memmap_local = dc_node_of(b->sys, a) == bn->nid &&
				   dc_node_of(b->sys, a + bn->memmap_size - 1) ==
				   bn->nid;
	}
	if (bn->cpus)
		boot_alloc(b, "per-cpu areas", (dc_size_t)bn->cpus * MiB,
			   2 * MiB, 0, 0, bn->nid, 0, NULL);
	for (unsigned g = 0; g < 2 * gib; g++)
		boot_alloc(b, "page table", 4096, 4096, 16 * MiB, 0, bn->nid,
			   DC_REQ_RELAX_MIN | DC_REQ_ZERO, NULL);
}

static dc_size_t hash_bytes(dc_size_t memory, unsigned scale)
{
	dc_size_t entries = 1, want = memory >> scale;

	while (entries < want && entries < (1ull << 40))
		entries <<= 1;
	while (entries > 1 && entries * 8 > memory / 16)
		entries >>= 1;
	return entries * 8;
}

static void boot_system(struct boot *b, dc_size_t memory)
{
	dc_addr_t a;

	b->hash_bytes[0] = hash_bytes(memory, 13);
	b->hash_bytes[1] = hash_bytes(memory, 14);
	boot_alloc(b, "dentry hash", b->hash_bytes[0], 4096, 0, 0, DC_NO_NODE,
		   0, NULL);
	boot_alloc(b, "inode hash", b->hash_bytes[1], 4096, 0, 0, DC_NO_NODE,
		   0, NULL);
	boot_alloc(b, "swiotlb", 64 * MiB, 4096, 0, 4 * GiB, DC_NO_NODE, 0,
		   NULL);
	boot_alloc(b, "swiotlb slots", 768 * 1024, 4096, 0, 0, DC_NO_NODE, 0,
		   NULL);
	if (b->o.crashkernel) {
		struct dc_request q = { b->o.crashkernel, 16 * MiB, 16 * MiB,
					4 * GiB, DC_NO_NODE, 0 };

		if (dc_tr_alloc(b->trace, b->sys, &q, &a)) {
			boot_alloc(b, "crash kernel", b->o.crashkernel,
				   16 * MiB, 16 * MiB, 0, DC_NO_NODE, 0, NULL);
		} else {
			b->allocs++;
			keep_item(b, "crash kernel", DC_NO_NODE, a,
				  b->o.crashkernel);
		}
	}
}

/* --- hand-over and checks ------------------------------------------------------ */

struct rel_list {
	dc_addr_t *b, *l;
	size_t n, cap;
};

struct rel_ctx {
	struct boot *b;
	int *index;		/* nid -> boot node */
	struct rel_list *lists;	/* per boot node */
};

static void rel_push(struct rel_list *r, dc_addr_t base, dc_addr_t last)
{
	if (r->n && r->l[r->n - 1] + 1 == base) {
		r->l[r->n - 1] = last;
		return;
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->b = realloc(r->b, r->cap * sizeof(*r->b));
		r->l = realloc(r->l, r->cap * sizeof(*r->l));
	}
	r->b[r->n] = base;
	r->l[r->n++] = last;
}

static void buddy_free(void *ctx, int nid, dc_addr_t base, unsigned order)
{
	struct rel_ctx *c = ctx;
	int i = c->index[nid];
	dc_size_t size = (dc_size_t)1 << (c->b->layout->page_shift + order);

	c->b->nodes[i].buddy[order]++;
	rel_push(&c->lists[i], base, base + (size - 1));
}

/* Released ranges must not overlap used or metadata ranges (both lists
 * ascend, so one pass over each suffices). */
struct overlap_ctx {
	const struct rel_list *r;
	size_t i;
	bool overlap;
};

static int overlap_range(void *ctx, int nid, dc_addr_t base, dc_size_t size)
{
	struct overlap_ctx *c = ctx;
	dc_addr_t last = base + (size - 1);

	while (c->i < c->r->n && c->r->l[c->i] < base)
		c->i++;
	if (c->i < c->r->n && c->r->b[c->i] <= last)
		c->overlap = true;
	return c->overlap;
}

static bool released_disjoint(struct boot *b, struct rel_list *lists)
{
	for (unsigned i = 0; i < b->nnodes; i++) {
		struct overlap_ctx c = { &lists[i], 0, false };

		dc_walk(b->sys, b->nodes[i].nid, DC_WALK_USED, overlap_range, &c);
		c.i = 0;
		dc_walk(b->sys, b->nodes[i].nid, DC_WALK_METADATA, overlap_range,
			&c);
		if (c.overlap)
			return false;
	}
	return true;
}

struct place_ctx {
	struct boot *b;
	struct boot_node *n;
	bool host;		/* query the host too */
};

/* Every metadata range of a node: on the node by the address map, and,
 * where the host can tell, every page of it on the host node its
 * backing is bound to. */
static int place_range(void *ctx, int nid, dc_addr_t base, dc_size_t size)
{
	struct place_ctx *c = ctx;

	c->n->metadata_bytes += size;
	if (dc_node_of(c->b->sys, base) != nid ||
	    dc_node_of(c->b->sys, base + (size - 1)) != nid)
		c->n->metadata_local = false;
	if (c->host)
		dc_host_mem_check(&c->b->mem, base, size, 0, &c->n->meta_check);
	return 0;
}

static bool check_clean(const struct dc_place_check *c)
{
	return !c->wrong && !c->failed;
}

static void verify_placement(struct boot *b)
{
	struct dc_host_mem *m = &b->mem;

	b->unverified = dc_host_mem_unverifiable(m);
	b->placement = b->unverified ? "address map only" :
				       "address map and move_pages";
	b->placement_ok = !m->bind_failures;
	for (unsigned i = 0; i < b->nnodes; i++) {
		struct boot_node *n = &b->nodes[i];
		struct place_ctx c = { b, n, !b->unverified };

		n->metadata_local = true;
		n->host_node = dc_host_node_for(m, n->nid);
		n->unverified = b->unverified;
		dc_walk(b->sys, n->nid, DC_WALK_METADATA, place_range, &c);
		if (!b->unverified && n->memmap)
			dc_host_mem_check(m, n->memmap, n->memmap_size,
					  b->o.memmap_sample, &n->memmap_check);
		if (!b->unverified && !n->meta_check.pages &&
		    !n->memmap_check.pages)
			n->unverified = "nothing to check: no metadata page "
					"in managed memory, no struct page array";
		b->placement_ok &= check_clean(&n->meta_check) &&
				   check_clean(&n->memmap_check);
	}
}

static int keep_range(void *ctx, int nid, dc_addr_t base, dc_size_t size)
{
	struct boot *b = ctx;
	struct boot_range *r;

	if (b->nranges == b->capranges) {
		b->capranges = b->capranges ? 2 * b->capranges : 1024;
		b->ranges = realloc(b->ranges, b->capranges * sizeof(*r));
	}
	r = &b->ranges[b->nranges++];
	r->nid = nid;
	r->base = base;
	r->size = size;
	r->kind = -1;	/* set by the caller */
	return b->nranges > 4000000;	/* enough for any picture */
}

static void keep_ranges(struct boot *b)
{
	for (int k = DC_WALK_FREE; k <= DC_WALK_METADATA; k++) {
		size_t from = b->nranges;

		dc_walk(b->sys, DC_NO_NODE, (enum dc_walk_kind)k, keep_range, b);
		for (size_t i = from; i < b->nranges; i++)
			b->ranges[i].kind = k;
	}
	for (size_t i = 0; i < b->layout->nreserved; i++) {
		const struct dc_fragment *f = &b->layout->reserved[i];

		keep_range(b, f->nid, f->base, f->size);
		b->ranges[b->nranges - 1].kind = BOOT_FIRMWARE;
	}
}

static int boot_release(struct boot *b)
{
	struct rel_ctx c = { b, calloc(DC_MAX_NODES, sizeof(int)),
			     calloc(b->nnodes, sizeof(struct rel_list)) };
	dc_size_t rel;
	int r;

	for (unsigned i = 0; i < b->nnodes; i++)
		c.index[b->nodes[i].nid] = (int)i;
	r = dc_tr_release_all(b->trace, b->sys, buddy_free, &c, &rel);
	if (!r) {
		for (unsigned i = 0; i < b->nnodes; i++)
			dc_stats(b->sys, b->nodes[i].nid, &b->nodes[i].st);
		dc_stats(b->sys, DC_NO_NODE, &b->total);
		b->released_disjoint = released_disjoint(b, c.lists);
		r = dc_tr_release_metadata(b->trace, b->sys, buddy_free, &c,
					   &b->metadata_released);
	}
	for (unsigned i = 0; i < b->nnodes; i++) {
		free(c.lists[i].b);
		free(c.lists[i].l);
	}
	free(c.lists);
	free(c.index);
	return r;
}

static bool stats_add_up(const struct dc_stats *s)
{
	return s->memory == s->used + s->metadata + s->free + s->released;
}

/* The nodes that have memory, in topology order, with their cpus; the
 * others (CPU-only, or dropped by the layout) apart. */
static int boot_nodes(struct boot *b)
{
	const struct dc_topology *t = b->topo;
	unsigned n = t->nnodes ? t->nnodes : 1;

	b->nodes = calloc(n, sizeof(*b->nodes));
	b->absent = calloc(n, sizeof(*b->absent));
	if (!b->nodes || !b->absent)
		return boot_err(b, DC_ENOMEM, "out of memory");
	for (unsigned i = 0; i < t->nnodes; i++) {
		const struct dc_topo_node *tn = &t->nodes[i];

		if (!dc_layout_memory(b->layout, tn->nid)) {
			b->absent[b->nabsent++] = (struct boot_absent){
				tn->nid, tn->ncpus, tn->memory };
			continue;
		}
		b->nodes[b->nnodes].nid = tn->nid;
		b->nodes[b->nnodes].cpus = tn->ncpus;
		b->nodes[b->nnodes].memory_only = tn->memory_only;
		b->nnodes++;
	}
	return 0;
}

static int boot_setup(struct boot *b)
{
	struct dc_platform plat;
	struct dc_config cfg;
	const struct dc_layout *l = b->layout;
	int r;

	for (size_t i = 0; i < l->nfrags; i++)
		dc_host_mem_sim_node(&b->mem, l->frags[i].nid);
	for (size_t i = 0; i < l->nfrags; i++) {
		const struct dc_fragment *f = &l->frags[i];

		r = dc_host_mem_add(&b->mem, f->nid, f->base, f->size);
		if (r == -ENOMEM)
			return boot_err(b, DC_ENOMEM, "node %d's memory at "
					"%#llx (%llu GiB): the host's address "
					"space is exhausted (mmap: %s; x86-64 "
					"gives a process 128 TiB, so machines "
					"above that cannot be simulated)",
					f->nid, (unsigned long long)f->base,
					(unsigned long long)(f->size >> 30),
					strerror(-r));
		if (r)
			return boot_err(b, DC_EINVAL, "node %d's memory at "
					"%#llx: cannot back it: %s", f->nid,
					(unsigned long long)f->base,
					strerror(-r));
	}
	dc_host_platform(&b->mem, &plat, false);
	b->pool_bytes = dc_layout_pool_bytes(l) + 256 * 1024;
	b->pool = malloc(b->pool_bytes);
	b->sys = calloc(1, sizeof(*b->sys));
	if (!b->pool || !b->sys)
		return boot_err(b, DC_ENOMEM, "out of memory for a %llu byte "
				"pool", (unsigned long long)b->pool_bytes);
	cfg = (struct dc_config){ .page_shift = l->page_shift,
				  .backend = b->o.ops, .pool = b->pool,
				  .pool_bytes = b->pool_bytes,
				  .flags = DC_CFG_TOP_DOWN };
	r = dc_tr_init(b->trace, b->sys, &cfg, &plat);
	if (r)
		return boot_err(b, r, "dc_init: %s", dc_strerror(r));
	r = dc_tr_layout_apply(b->trace, l, b->topo, b->sys);
	if (r)
		return boot_err(b, r, "registering the layout: %s",
				dc_strerror(r));
	/* the kernel image at CONFIG_PHYSICAL_START, then ACPI tables at the
	 * top of low memory, then the initrd high */
	early_reserve(b, "kernel image", 32 * MiB, 2 * MiB, 16 * MiB, 0, false);
	early_reserve(b, "ACPI tables", 128 * 1024, 4096, 0, 2 * GiB, true);
	early_reserve(b, "initrd", b->o.initrd, 4096, 0, 0, true);
	r = dc_tr_finalize(b->trace, b->sys);
	return r ? boot_err(b, r, "dc_finalize: %s", dc_strerror(r)) : 0;
}

/* What a kernel allocates at boot: each node's share, then the
 * system-wide tables sized by all of memory. */
static void boot_allocs(struct boot *b)
{
	struct dc_stats s;

	for (unsigned i = 0; i < b->nnodes; i++)
		boot_node(b, &b->nodes[i]);
	dc_stats(b->sys, DC_NO_NODE, &s);
	boot_system(b, s.memory);
}

/* memory = used + metadata + free + released, in total and per node. */
static bool boot_accounting_ok(const struct boot *b)
{
	bool ok = stats_add_up(&b->total);

	for (unsigned i = 0; i < b->nnodes; i++)
		ok &= stats_add_up(&b->nodes[i].st);
	return ok;
}

int dc_boot_run(struct boot *b, const struct dc_topology *t,
		const struct dc_layout *l, const struct boot_opts *o)
{
	struct rusage ru;
	uint64_t t0, t1, t2;
	int r;

	memset(b, 0, sizeof(*b));
	b->topo = t;
	b->layout = l;
	b->o = *o;
	dc_host_mem_init_numa(&b->mem, o->bind,
			      o->numa ? o->numa : &dc_numa_libnuma);
	r = boot_nodes(b);
	if (r)
		return r;
	if (o->trace) {
		b->trace = dc_trace_open(o->trace);
		if (!b->trace)
			return boot_err(b, DC_EINVAL, "%s: cannot create: %s",
					o->trace, strerror(errno));
	}
	t0 = now_ns();
	r = boot_setup(b);
	if (r)
		return r;
	t1 = now_ns();
	b->setup_ns = t1 - t0;
	boot_allocs(b);
	t2 = now_ns();
	b->alloc_ns = t2 - t1;
	b->check = dc_check(b->sys);
	verify_placement(b);
	if (o->want_ranges)
		keep_ranges(b);
	t2 = now_ns();
	r = boot_release(b);
	b->release_ns = now_ns() - t2;
	if (r)
		return boot_err(b, r, "release: %s", dc_strerror(r));
	b->accounting_ok = boot_accounting_ok(b);
	r = dc_trace_close(b->trace);
	b->trace = NULL;
	if (r)
		return boot_err(b, DC_EINVAL, "%s: write error: %s", o->trace,
				strerror(errno));
	getrusage(RUSAGE_SELF, &ru);
	b->peak_rss_kib = ru.ru_maxrss;
	return 0;
}

void dc_boot_free(struct boot *b)
{
	dc_trace_close(b->trace);
	dc_host_mem_destroy(&b->mem);
	free(b->pool);
	free(b->sys);
	free(b->nodes);
	free(b->absent);
	free(b->ranges);
	free(b->items);
	memset(b, 0, sizeof(*b));
}

static bool nodes_local(const struct boot *b)
{
	for (unsigned i = 0; i < b->nnodes; i++)
		if (!b->nodes[i].metadata_local ||
		    (b->nodes[i].memmap && !b->nodes[i].memmap_local))
			return false;
	return true;
}

bool dc_boot_ok(const struct boot *b)
{
	return !b->check && b->accounting_ok && b->released_disjoint &&
	       nodes_local(b) && b->placement_ok && !b->mandatory_failed;
}
