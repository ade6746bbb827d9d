/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * platform.h - the host platform: simulated physical memory for the tools
 * and tests (DESIGN.md, "Host platform").
 *
 * Each registered range is backed by reserved address space (mmap with
 * MAP_NORESERVE), committed only where the allocator writes, so a 16 TiB
 * layout runs on a small machine. A range that starts where another ends
 * continues its mapping, so that physical addresses that are contiguous
 * are contiguous in the mapping too, as in a kernel's direct map. Where the host has several NUMA nodes,
 * the backing of simulated node n is bound (mbind) to host node
 * n mod (host nodes), and dc_host_mem_where() asks the kernel
 * (get_mempolicy MPOL_F_NODE|MPOL_F_ADDR) where a page really is.
 */
#ifndef DC_TOOLS_PLATFORM_H
#define DC_TOOLS_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>

#include <discontig/discontig.h>

struct dc_host_region {
	dc_addr_t base;
	dc_size_t size;
	int nid;		/* simulated node */
	int host_node;		/* bound to, or -1 */
	void *va;		/* maps map_base: va + (pa - map_base) */
	dc_addr_t map_base;
	size_t map_len;		/* bytes this region mapped itself (from
				   map_va), 0 if it continues another's */
	void *map_va;
	char *rw_end, *res_end;	/* its chain: end of what is mapped
				   read-write, end of the reserved space */
};

struct dc_host_mem {
	struct dc_host_region *r;	/* sorted by base, disjoint */
	size_t n, cap;
	int host_nodes;		/* NUMA nodes of the host (1 if no NUMA) */
	bool bind;		/* bind backing to host nodes */
	size_t lookups;
};

/* Empty host memory; bind: place node n's backing on host node n mod N. */
void dc_host_mem_init(struct dc_host_mem *m, bool bind);

/* Back [base, base + size) for simulated node nid. 0, or -errno. Adjacent
 * or overlapping calls are the caller's error (-EEXIST). */
int dc_host_mem_add(struct dc_host_mem *m, int nid, dc_addr_t base,
		    dc_size_t size);

/* The dc_platform.phys_to_virt of the host: NULL outside backed memory or
 * across the end of a backed range. ctx is the struct dc_host_mem. */
void *dc_host_phys_to_virt(void *ctx, dc_addr_t pa, dc_size_t len);

/* A dc_platform for m (log to stderr if verbose). */
void dc_host_platform(struct dc_host_mem *m, struct dc_platform *plat,
		      bool verbose);

/* Host node that really holds the page at pa (touching it first), or -1
 * when the host cannot tell (no NUMA, get_mempolicy refused). */
int dc_host_mem_where(struct dc_host_mem *m, dc_addr_t pa);

void dc_host_mem_destroy(struct dc_host_mem *m);

#endif /* DC_TOOLS_PLATFORM_H */
