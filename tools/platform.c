// SPDX-License-Identifier: BSD-3-Clause
/*
 * platform.c - simulated physical memory for the host tools and tests.
 *
 * Each backed range is an anonymous MAP_NORESERVE mapping: address space
 * only, until the allocator writes (metadata, zeroed allocations). A 16 TiB
 * SN1 layout therefore costs only the pages the allocator touches.
 *
 * Placement: with bind set and several host NUMA nodes, simulated node n's
 * backing is bound with mbind(MPOL_BIND) to host node n mod N before any
 * page is touched; dc_host_mem_where() then asks the kernel which node a
 * page really landed on (get_mempolicy with MPOL_F_NODE | MPOL_F_ADDR), so
 * the report verifies placement instead of assuming it.
 */
#include "platform.h"

#include <errno.h>
#include <numa.h>
#include <numaif.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void dc_host_mem_init(struct dc_host_mem *m, bool bind)
{
	memset(m, 0, sizeof(*m));
	m->host_nodes = 1;
	if (numa_available() >= 0 && numa_max_node() > 0)
		m->host_nodes = numa_max_node() + 1;
	m->bind = bind && m->host_nodes > 1;
}

static int host_bind(struct dc_host_mem *m, struct dc_host_region *r)
{
	unsigned long mask[16] = { 0 };
	int hn = r->nid % m->host_nodes;

	if (hn >= (int)(sizeof(mask) * 8))
		return -1;
	mask[hn / (8 * sizeof(long))] = 1ul << (hn % (8 * sizeof(long)));
	if (r->rw_end > (char *)r->map_va &&
	    mbind(r->map_va, (size_t)(r->rw_end - (char *)r->map_va), MPOL_BIND,
		  mask, sizeof(mask) * 8, 0))
		return -1;
	return hn;
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
 * A new mapping for r: the range read-write, then as much again (at least
 * 256 MiB, at most 1 TiB) reserved without access, for ranges that
 * continue it. Reserved address space costs no memory.
 */
static int host_map(struct dc_host_region *r, dc_size_t size)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	dc_addr_t map_base = r->base & ~(dc_addr_t)(pg - 1);
	size_t len = (size_t)(size + (r->base - map_base));
	size_t spare = len < ((size_t)1 << 28) ? (size_t)1 << 28 :
		       len < ((size_t)1 << 40) ? len : (size_t)1 << 40;
	char *va;

	len = (len + pg - 1) & ~(pg - 1);
	if (spare > SIZE_MAX - len)
		spare = 0;
	va = mmap(NULL, len + spare, PROT_NONE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (va == MAP_FAILED)
		return -errno;
	if (mprotect(va, len, PROT_READ | PROT_WRITE)) {
		munmap(va, len + spare);
		return -errno;
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

	if (!size || size > SIZE_MAX - 4096 || base + (size - 1) < base)
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
	for (i = m->n; i > 0 && m->r[i - 1].base > base; i--)
		m->r[i] = m->r[i - 1];
	r = &m->r[i];
	*r = nr;
	r->host_node = m->bind ? host_bind(m, r) : -1;
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

int dc_host_mem_where(struct dc_host_mem *m, dc_addr_t pa)
{
	long page = sysconf(_SC_PAGESIZE);
	char *va = dc_host_phys_to_virt(m, pa, 1);
	int node = -1;

	if (!va || m->host_nodes < 2)
		return -1;
	va = (char *)((uintptr_t)va & ~(uintptr_t)(page - 1));
	*(volatile char *)va = *(volatile char *)va;	/* commit the page */
	if (get_mempolicy(&node, NULL, 0, va, MPOL_F_NODE | MPOL_F_ADDR))
		return -1;
	return node;
}

void dc_host_mem_destroy(struct dc_host_mem *m)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->r[i].map_len)
			munmap(m->r[i].map_va, m->r[i].map_len);
	free(m->r);
	memset(m, 0, sizeof(*m));
}
