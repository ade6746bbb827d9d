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
 */
#include "tools/boot.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "tools/util.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

/* --- small helpers --------------------------------------------------------- */

static void boot_fail(struct boot *b, const char *what, int nid,
		      dc_size_t size, int err)
{
	b->failed_allocs++;
	if (b->nfail < sizeof(b->fail) / sizeof(b->fail[0]))
		b->fail[b->nfail++] = (struct boot_failure){ what, nid, size,
							     err };
}

/* One request through the public API; failures are recorded, not fatal. */
static int boot_alloc(struct boot *b, const char *what, dc_size_t size,
		      dc_size_t align, dc_addr_t min, dc_addr_t max, int nid,
		      unsigned flags, dc_addr_t *out)
{
	struct dc_request q = { size, align, min, max, nid, flags };
	dc_addr_t a = 0;
	int r = dc_tr_alloc(b->trace, b->sys, &q, &a);

	if (r)
		boot_fail(b, what, nid, size, r);
	else
		b->allocs++;
	if (out)
		*out = r ? 0 : a;
	dc_progress("boot: %llu allocations", (unsigned long long)b->allocs);
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

		if (dc_tr_alloc(b->trace, b->sys, &q, &a))
			boot_alloc(b, "crash kernel", b->o.crashkernel,
				   16 * MiB, 16 * MiB, 0, DC_NO_NODE, 0, NULL);
		else
			b->allocs++;
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
	bool ok, kernel;
};

/* Every metadata page of node nid: on nid by the address map and, where
 * the host can tell (several NUMA nodes, backing bound), really on the
 * host node its backing was bound to. */
static int place_range(void *ctx, int nid, dc_addr_t base, dc_size_t size)
{
	struct place_ctx *c = ctx;
	struct dc_host_mem *m = &c->b->mem;
	dc_size_t page = (dc_size_t)1 << c->b->layout->page_shift;

	if (dc_node_of(c->b->sys, base) != nid ||
	    dc_node_of(c->b->sys, base + (size - 1)) != nid)
		c->ok = false;
	if (c->kernel) {
		for (dc_size_t off = 0; off < size; off += page) {
			int want = nid % m->host_nodes;
			int got = dc_host_mem_where(m, base + off);

			if (got >= 0 && got != want)
				c->ok = false;
		}
	}
	return 0;
}

static void verify_placement(struct boot *b)
{
	struct dc_host_mem *m = &b->mem;
	bool kernel = m->bind && m->host_nodes > 1;

	b->placement = kernel ? "get_mempolicy (host NUMA placement)" :
				"address map (host has one NUMA node)";
	for (unsigned i = 0; i < b->nnodes; i++) {
		struct place_ctx c = { b, true, kernel };

		dc_walk(b->sys, b->nodes[i].nid, DC_WALK_METADATA, place_range,
			&c);
		b->nodes[i].metadata_local = c.ok;
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

/* The nodes that have memory, in topology order, with their cpus. */
static void boot_nodes(struct boot *b)
{
	const struct dc_topology *t = b->topo;

	b->nodes = calloc(t->nnodes ? t->nnodes : 1, sizeof(*b->nodes));
	for (unsigned i = 0; i < t->nnodes; i++) {
		if (!dc_layout_memory(b->layout, t->nodes[i].nid))
			continue;
		b->nodes[b->nnodes].nid = t->nodes[i].nid;
		b->nodes[b->nnodes].cpus = t->nodes[i].ncpus;
		b->nnodes++;
	}
}

static int boot_setup(struct boot *b)
{
	struct dc_platform plat;
	struct dc_config cfg;
	const struct dc_layout *l = b->layout;
	int r;

	dc_host_mem_init(&b->mem, b->o.bind);
	for (size_t i = 0; i < l->nfrags; i++)
		if (dc_host_mem_add(&b->mem, l->frags[i].nid, l->frags[i].base,
				    l->frags[i].size))
			return DC_ENOMEM;
	dc_host_platform(&b->mem, &plat, false);
	b->pool_bytes = dc_layout_pool_bytes(l) + 256 * 1024;
	b->pool = malloc(b->pool_bytes);
	b->sys = calloc(1, sizeof(*b->sys));
	if (!b->pool || !b->sys)
		return DC_ENOMEM;
	cfg = (struct dc_config){ .page_shift = l->page_shift,
				  .backend = b->o.ops, .pool = b->pool,
				  .pool_bytes = b->pool_bytes,
				  .flags = DC_CFG_TOP_DOWN };
	r = dc_tr_init(b->trace, b->sys, &cfg, &plat);
	if (!r)
		r = dc_tr_layout_apply(b->trace, l, b->topo, b->sys);
	if (r)
		return r;
	/* the kernel image at CONFIG_PHYSICAL_START, then ACPI tables at the
	 * top of low memory, then the initrd high */
	early_reserve(b, "kernel image", 32 * MiB, 2 * MiB, 16 * MiB, 0, false);
	early_reserve(b, "ACPI tables", 128 * 1024, 4096, 0, 2 * GiB, true);
	early_reserve(b, "initrd", b->o.initrd, 4096, 0, 0, true);
	return dc_tr_finalize(b->trace, b->sys);
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
	boot_nodes(b);
	if (o->trace) {
		b->trace = dc_trace_open(o->trace);
		if (!b->trace)
			return DC_EINVAL;
	}
	t0 = dc_now_ns();
	r = boot_setup(b);
	if (r)
		return r;
	t1 = dc_now_ns();
	b->setup_ns = t1 - t0;
	for (unsigned i = 0; i < b->nnodes; i++)
		boot_node(b, &b->nodes[i]);
	{
		struct dc_stats s;

		dc_stats(b->sys, DC_NO_NODE, &s);
		boot_system(b, s.memory);
	}
	t2 = dc_now_ns();
	b->alloc_ns = t2 - t1;
	dc_progress_end();
	b->check = dc_check(b->sys);
	verify_placement(b);
	if (o->want_ranges)
		keep_ranges(b);
	t2 = dc_now_ns();
	r = boot_release(b);
	b->release_ns = dc_now_ns() - t2;
	if (r)
		return r;
	b->accounting_ok = stats_add_up(&b->total);
	for (unsigned i = 0; i < b->nnodes; i++)
		b->accounting_ok &= stats_add_up(&b->nodes[i].st);
	if (dc_trace_close(b->trace))
		return DC_EINVAL;
	b->trace = NULL;
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
	free(b->ranges);
	memset(b, 0, sizeof(*b));
}
