// SPDX-License-Identifier: BSD-3-Clause
/*
 * platform.c - simulated physical memory for the host tools and tests
 * (platform.h; DESIGN.md, "Host platform").
 *
 * Each backed range is an anonymous MAP_NORESERVE mapping: address space
 * only, until the allocator writes (metadata, zeroed allocations). A 16 TiB
 * SN1 layout therefore costs only the pages the allocator touches. A range
 * that starts where another ends continues its mapping (each mapping
 * reserves as much again, up to 1 TiB, for that), so that contiguous
 * physical addresses are contiguous in the mapping too, as in a kernel's
 * direct map.
 *
 * Placement: the host's nodes with memory are listed once, at init; a
 * region of simulated node n is bound to the (n mod k)-th of the k of
 * them before any page is touched. Binding to a CPU-only node would fail
 * (EINVAL) and leave the pages wherever the kernel likes, which is why
 * they are skipped, and why a failed bind is kept in the region rather
 * than dropped. The check writes each page it queries, so that the page
 * exists and was placed by the bound policy, then asks move_pages() for
 * its node in batches.
 */
#include "tools/sim/platform.h"

#include <errno.h>
#include <numa.h>
#include <numaif.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* ---- the libnuma seam ---- */

static int libnuma_nodes(void *ctx)
{
	if (numa_available() < 0)
		return 0;
	return numa_max_node() + 1;
}

static long long libnuma_node_memory(void *ctx, int node)
{
	return numa_node_size64(node, NULL);
}

static int libnuma_bind(void *ctx, void *addr, size_t len, int node)
{
	unsigned long mask[DC_HOST_MAX_NODES / (8 * sizeof(long))] = { 0 };

	if (node < 0 || node >= DC_HOST_MAX_NODES)
		return -EINVAL;
	mask[node / (8 * sizeof(long))] = 1ul << (node % (8 * sizeof(long)));
	if (mbind(addr, len, MPOL_BIND, mask, DC_HOST_MAX_NODES + 1, 0))
		return -errno;
	return 0;
}

static int libnuma_where(void *ctx, void **pages, size_t n, int *status)
{
	if (move_pages(0, (unsigned long)n, pages, NULL, status, 0))
		return -errno;
	return 0;
}

const struct dc_numa_ops dc_numa_libnuma = {
	.name = "move_pages",
	.nodes = libnuma_nodes,
	.node_memory = libnuma_node_memory,
	.bind = libnuma_bind,
	.where = libnuma_where,
};

/* ---- host memory ---- */

void dc_host_mem_init_numa(struct dc_host_mem *m, bool bind,
			   const struct dc_numa_ops *numa)
{
	int n;

	memset(m, 0, sizeof(*m));
	m->numa = numa;
	m->bind_asked = bind;
	n = numa->nodes(numa->ctx);
	m->host_nodes = n > DC_HOST_MAX_NODES ? DC_HOST_MAX_NODES : n;
	for (int i = 0; i < m->host_nodes; i++) {
		long long bytes = numa->node_memory(numa->ctx, i);

		if (bytes > 0)
			m->mem_nodes[m->nmem++] = i;
		else if (bytes == 0)
			m->cpu_only_nodes++;
	}
	m->bind = bind && m->nmem > 1;
}

void dc_host_mem_init(struct dc_host_mem *m, bool bind)
{
	dc_host_mem_init_numa(m, bind, &dc_numa_libnuma);
}

void dc_host_mem_sim_node(struct dc_host_mem *m, int nid)
{
	if (nid < 0 || nid >= DC_MAX_NODES)
		return;
	m->sim_known = true;
	m->sim_mem[nid / 64] |= 1ull << (nid % 64);
}

/* The n of "the (n mod k)-th host node": nid itself, or its rank among
 * the simulated nodes with memory; -1 for a node declared without. */
static int host_sim_rank(const struct dc_host_mem *m, int nid)
{
	int rank = 0;

	if (!m->sim_known)
		return nid;
	if (nid >= DC_MAX_NODES ||
	    !(m->sim_mem[nid / 64] & (1ull << (nid % 64))))
		return -1;
	for (int w = 0; w < nid / 64; w++)
		rank += __builtin_popcountll(m->sim_mem[w]);
	return rank + __builtin_popcountll(m->sim_mem[nid / 64] &
					   ((1ull << (nid % 64)) - 1));
}

int dc_host_node_for(const struct dc_host_mem *m, int nid)
{
	int n;

	if (!m->bind || nid < 0)
		return -1;
	n = host_sim_rank(m, nid);
	return n < 0 ? -1 : m->mem_nodes[n % m->nmem];
}

const char *dc_host_mem_unverifiable(const struct dc_host_mem *m)
{
	if (m->host_nodes == 0)
		return "the host has no NUMA support (numa_available() < 0)";
	if (m->nmem < 2)
		return m->cpu_only_nodes ?
			       "the host has one NUMA node with memory "
			       "(the others are CPU-only)" :
			       "the host has one NUMA node";
	if (!m->bind_asked)
		return "--no-bind: simulated nodes are not bound to host nodes";
	return NULL;
}

/* The region ending right before base, or NULL. */
static struct dc_host_region *host_before(struct dc_host_mem *m,
					  dc_addr_t base)
{
	for (size_t i = 0; i < m->n; i++)
		if (base && m->r[i].base + (m->r[i].size - 1) == base - 1)
			return &m->r[i];
	return NULL;
}

/*
 * Back [base, base + size) by continuing prev's mapping when prev ends at
 * base and its reserved space has room: the new pages become read-write
 * in place. False when it cannot (then a new mapping is made).
 */
static bool host_continue(struct dc_host_region *prev,
			  struct dc_host_region *r, dc_size_t size)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *v = (char *)prev->va + (r->base - prev->map_base);
	char *end = v + size;

	end = (char *)(((uintptr_t)end + (uintptr_t)(pg - 1)) &
		       ~(uintptr_t)(pg - 1));
	if ((uintptr_t)v + size < (uintptr_t)v || end > prev->res_end)
		return false;
	if (end > prev->rw_end &&
	    mprotect(prev->rw_end, (size_t)(end - prev->rw_end),
		     PROT_READ | PROT_WRITE))
		return false;
	r->va = prev->va;
	r->map_base = prev->map_base;
	r->map_va = prev->rw_end;
	r->map_len = 0;
	r->rw_end = end > prev->rw_end ? end : prev->rw_end;
	r->res_end = prev->res_end;
	return true;
}

/*
 * Reserved space after a mapping: at least SPARE_MIN, at most SPARE_MAX.
 * A 32-bit host has 3-4 GiB of address space in all (scripts/cross.sh,
 * -m32): 1 MiB to 256 MiB there, so that a hundred regions still fit.
 */
#define HOST_64 (SIZE_MAX > 0xffffffffu)
#define SPARE_MIN ((size_t)1 << (HOST_64 ? 28 : 20))
#define SPARE_MAX ((size_t)1 << (HOST_64 ? 40 : 28))

/*
 * A new mapping for r: the range read-write, then as much again (at least
 * SPARE_MIN, at most SPARE_MAX) reserved without access, for ranges that
 * continue it. Reserved address space costs no memory.
 */
static int host_map(struct dc_host_region *r, dc_size_t size)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	dc_addr_t map_base = r->base & ~(dc_addr_t)(pg - 1);
	size_t len = (size_t)(size + (r->base - map_base));
	size_t spare = len < SPARE_MIN ? SPARE_MIN :
		       len < SPARE_MAX ? len : SPARE_MAX;
	char *va;

	len = (len + pg - 1) & ~(pg - 1);
	if (spare > PTRDIFF_MAX - len)
		spare = PTRDIFF_MAX - len;
	va = mmap(NULL, len + spare, PROT_NONE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (va == MAP_FAILED)
		return -errno;
	if (mprotect(va, len, PROT_READ | PROT_WRITE)) {
		int err = errno;

		munmap(va, len + spare);
		return -err;
	}
	r->va = va;
	r->map_base = map_base;
	r->map_va = va;
	r->map_len = len + spare;
	r->rw_end = va + len;
	r->res_end = va + len + spare;
	return 0;
}

int dc_host_mem_add(struct dc_host_mem *m, int nid, dc_addr_t base,
		    dc_size_t size)
{
	struct dc_host_region *r, nr = { .base = base, .size = size,
					 .nid = nid };
	struct dc_host_region *prev;
	size_t i;
	int err;

	/* the mapping and its spare must be one object: at most PTRDIFF_MAX
	 * bytes (on a 32-bit host, 2 GiB in all) */
	if (!size || size > PTRDIFF_MAX / 2 || base + (size - 1) < base)
		return -EINVAL;
	for (i = 0; i < m->n; i++)
		if (base <= m->r[i].base + (m->r[i].size - 1) &&
		    m->r[i].base <= base + (size - 1))
			return -EEXIST;
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 16;
		void *p = realloc(m->r, cap * sizeof(*m->r));

		if (!p)
			return -ENOMEM;
		m->r = p;
		m->cap = cap;
	}
	prev = host_before(m, base);
	if (!prev || !host_continue(prev, &nr, size)) {
		err = host_map(&nr, size);
		if (err)
			return err;
	}
	/* bind the pages this range made read-write, before any is touched */
	nr.host_node = dc_host_node_for(m, nid);
	if (nr.host_node >= 0 && nr.rw_end > (char *)nr.map_va) {
		err = m->numa->bind(m->numa->ctx, nr.map_va,
				    (size_t)(nr.rw_end - (char *)nr.map_va),
				    nr.host_node);
		if (err) {
			nr.bind_err = -err;
			m->bind_failures++;
		}
	}
	for (i = m->n; i > 0 && m->r[i - 1].base > base; i--)
		m->r[i] = m->r[i - 1];
	r = &m->r[i];
	*r = nr;
	m->n++;
	return 0;
}

static struct dc_host_region *host_find(struct dc_host_mem *m, dc_addr_t pa)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {	/* first region with base > pa */
		size_t mid = lo + (hi - lo) / 2;

		if (m->r[mid].base <= pa)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || pa - m->r[lo - 1].base >= m->r[lo - 1].size)
		return NULL;
	return &m->r[lo - 1];
}

void *dc_host_phys_to_virt(void *ctx, dc_addr_t pa, dc_size_t len)
{
	struct dc_host_mem *m = ctx;
	const struct dc_host_region *r = host_find(m, pa);
	dc_size_t off;

	m->lookups++;
	if (!r || !len)
		return NULL;
	off = pa - r->base;
	/* past r's end only into ranges that continue its mapping */
	while (len - 1 > r->size - 1 - off) {
		const struct dc_host_region *next = r + 1;

		if (next == m->r + m->n || next->va != r->va ||
		    next->map_base != r->map_base ||
		    next->base - r->base != r->size)
			return NULL;
		len -= r->size - off;
		off = 0;
		r = next;
	}
	return (char *)r->va + (pa - r->map_base);
}

static void host_log(void *ctx, const char *line)
{
	fprintf(stderr, "discontig: %s\n", line);
}

void dc_host_platform(struct dc_host_mem *m, struct dc_platform *plat,
		      bool verbose)
{
	plat->phys_to_virt = dc_host_phys_to_virt;
	plat->log = verbose ? host_log : NULL;
	plat->ctx = m;
}

/* ---- verification ---- */

#define CHECK_BATCH 256

struct check_batch {
	void *va[CHECK_BATCH];
	dc_addr_t pa[CHECK_BATCH];
	int want[CHECK_BATCH];
	int status[CHECK_BATCH];
	size_t n;
};

static void check_bad(struct dc_place_check *c, dc_addr_t pa, int got,
		      int want)
{
	if (c->wrong + c->failed == 1) {
		c->first_bad = pa;
		c->first_got = got;
		c->first_want = want;
	}
}

static void check_flush(struct dc_host_mem *m, struct check_batch *b,
			struct dc_place_check *c)
{
	int err;

	if (!b->n)
		return;
	err = m->numa->where(m->numa->ctx, b->va, b->n, b->status);
	for (size_t i = 0; i < b->n; i++) {
		int got = err ? err : b->status[i];

		c->pages++;
		if (got < 0) {
			c->failed++;
			check_bad(c, b->pa[i], got, b->want[i]);
			continue;
		}
		if (got < DC_HOST_MAX_NODES)
			c->seen[got / 64] |= 1ull << (got % 64);
		if (got != b->want[i]) {
			c->wrong++;
			check_bad(c, b->pa[i], got, b->want[i]);
		}
	}
	b->n = 0;
}

/* Queue the host page holding pa. */
static void check_page(struct dc_host_mem *m, struct check_batch *b,
		       struct dc_place_check *c, dc_addr_t pa, uintptr_t page)
{
	struct dc_host_region *r = host_find(m, pa);
	char *va;

	if (!r) {
		c->pages++;
		c->failed++;
		check_bad(c, pa, -EFAULT, -1);
		return;
	}
	va = (char *)r->va + (pa - r->map_base);
	va = (char *)((uintptr_t)va & ~(page - 1));
	*(volatile char *)va = *(volatile char *)va;	/* commit it */
	b->va[b->n] = va;
	b->pa[b->n] = pa;
	b->want[b->n] = r->host_node;
	b->n++;
	if (b->n == CHECK_BATCH)
		check_flush(m, b, c);
}

int dc_host_mem_check(struct dc_host_mem *m, dc_addr_t pa, dc_size_t len,
		      size_t max_pages, struct dc_place_check *c)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uint64_t bad0 = c->wrong + c->failed, pages, k, step;
	struct check_batch *b;
	dc_addr_t first, last;

	if (!len || pa + (len - 1) < pa)
		return -1;
	b = malloc(sizeof(*b));
	if (!b)
		return -1;
	b->n = 0;
	first = pa & ~(dc_addr_t)(page - 1);
	last = (pa + (len - 1)) & ~(dc_addr_t)(page - 1);
	pages = (last - first) / page + 1;
	step = max_pages && pages > max_pages ? pages / max_pages : 1;
	for (k = 0; k < pages; k += step)
		check_page(m, b, c, k ? first + k * page : pa, page);
	if (step > 1 && (pages - 1) % step)
		check_page(m, b, c, last, page);	/* and the last page */
	check_flush(m, b, c);
	free(b);
	return c->wrong + c->failed > bad0 ? -1 : 0;
}

unsigned dc_place_nodes(const struct dc_place_check *c)
{
	unsigned n = 0;

	for (size_t i = 0; i < sizeof(c->seen) / sizeof(c->seen[0]); i++)
		n += (unsigned)__builtin_popcountll(c->seen[i]);
	return n;
}

void dc_host_mem_destroy(struct dc_host_mem *m)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->r[i].map_len)
			munmap(m->r[i].map_va, m->r[i].map_len);
	free(m->r);
	memset(m, 0, sizeof(*m));
}
