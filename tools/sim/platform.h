/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * platform.h - the host platform of the simulation layer: simulated
 * physical memory for the tools and tests (DESIGN.md, "Host platform").
 *
 * Each registered range is backed by reserved address space (mmap with
 * MAP_NORESERVE), committed only where the allocator writes, so a 16 TiB
 * layout runs on a small machine. A range that starts where another ends
 * continues its mapping, so that physical addresses that are contiguous
 * are contiguous in the mapping too, as in a kernel's direct map.
 *
 * Placement. Where the host has k > 1 NUMA nodes with memory, the backing
 * of simulated node n is bound (mbind MPOL_BIND) to the (n mod k)-th of
 * them, ascending: CPU-only host nodes cannot hold pages, and binding to
 * one fails with EINVAL (QEMU-NOTES.md). Where the caller has said which
 * simulated nodes have memory (dc_host_mem_sim_node), n counts only
 * those, so that a CPU-only simulated node does not take a host node's
 * turn: on a guest with nodes 0, 2, 3 of memory and CPU-only node 1, the
 * live machine's nodes 0, 2, 3 land on host nodes 0, 2, 3, and every
 * host node with memory holds pages to check (scripts/guest.sh). A failed bind is recorded, not
 * ignored. dc_host_mem_check() then asks the kernel where pages really
 * are (move_pages with NULL nodes) and counts each page that is on
 * another node, and each query that fails, as a failure: a check that
 * could not be made is never a pass. dc_host_mem_unverifiable() says
 * why nothing can be checked (one host node with memory, --no-bind, no
 * NUMA support), so that a report can say "not verified" and why.
 *
 * Every libnuma call goes through struct dc_numa_ops, so that a test can
 * fake a host: nodes, their memory, the result of mbind and where each
 * page lands.
 */
#ifndef DC_TOOLS_SIM_PLATFORM_H
#define DC_TOOLS_SIM_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <discontig/discontig.h>

#define DC_HOST_MAX_NODES 1024		/* host NUMA nodes we look at */

/* The host's NUMA calls. Each returns 0 or a negative errno. */
struct dc_numa_ops {
	const char *name;	/* how placement is queried: "move_pages" */
	/* host NUMA node ids are 0 .. nodes()-1; 0 without NUMA support */
	int (*nodes)(void *ctx);
	/* bytes of memory of a host node: 0 CPU-only, < 0 not a node */
	long long (*node_memory)(void *ctx, int node);
	/* bind [addr, addr + len) to @node before any page is touched */
	int (*bind)(void *ctx, void *addr, size_t len, int node);
	/* the node of each page: status[i] >= 0 a node, < 0 -errno */
	int (*where)(void *ctx, void **pages, size_t n, int *status);
	void *ctx;
};

/* The real host: libnuma (numa_node_size64, mbind, move_pages). */
extern const struct dc_numa_ops dc_numa_libnuma;

struct dc_host_region {
	dc_addr_t base;
	dc_size_t size;
	int nid;		/* simulated node */
	int host_node;		/* bound to, or -1 */
	int bind_err;		/* errno of a failed mbind, or 0 */
	void *va;		/* maps map_base: va + (pa - map_base) */
	dc_addr_t map_base;
	size_t map_len;		/* bytes this region mapped itself (from
				   map_va), 0 if it continues another's */
	void *map_va;		/* the pages this region made read-write */
	char *rw_end, *res_end;	/* its chain: end of what is mapped
				   read-write, end of the reserved space */
};

struct dc_host_mem {
	struct dc_host_region *r;	/* sorted by base, disjoint */
	size_t n, cap;
	const struct dc_numa_ops *numa;
	int host_nodes;		/* NUMA nodes of the host (0: no NUMA) */
	int mem_nodes[DC_HOST_MAX_NODES];	/* those with memory, ascending */
	int nmem;
	int cpu_only_nodes;	/* those without */
	bool bind_asked;	/* the caller wants binding */
	bool bind;		/* and it is possible: nmem > 1 */
	bool sim_known;		/* sim_mem was given */
	uint64_t sim_mem[DC_MAX_NODES / 64];	/* simulated nodes with
						   memory */
	size_t bind_failures;	/* regions whose mbind failed */
	size_t lookups;
};

/* What dc_host_mem_check() found, accumulated over calls. */
struct dc_place_check {
	uint64_t pages;		/* host pages queried */
	uint64_t wrong;		/* on another host node than bound to */
	uint64_t failed;	/* the query failed for them */
	uint64_t seen[DC_HOST_MAX_NODES / 64];	/* host nodes holding them */
	dc_addr_t first_bad;	/* simulated address of the first failure */
	int first_got;		/* its node, or -errno */
	int first_want;
};

/* Empty host memory on the real host; bind: see the top. */
void dc_host_mem_init(struct dc_host_mem *m, bool bind);

/* The same on the host @numa describes (tests fake one). */
void dc_host_mem_init_numa(struct dc_host_mem *m, bool bind,
			   const struct dc_numa_ops *numa);

/* Back [base, base + size) for simulated node nid. 0, or -errno:
 * -EINVAL (empty or wrapping), -EEXIST (overlap), -ENOMEM (the host's
 * address space is exhausted: mmap failed). A failed mbind is not an
 * error here: it is recorded in the region and in bind_failures. */
int dc_host_mem_add(struct dc_host_mem *m, int nid, dc_addr_t base,
		    dc_size_t size);

/* The host node simulated node @nid is bound to, or -1 (no binding). */
int dc_host_node_for(const struct dc_host_mem *m, int nid);
/* Simulated node nid has memory (see the top); call for each such node
 * before dc_host_mem_add. Ignores a nid out of range. */
void dc_host_mem_sim_node(struct dc_host_mem *m, int nid);

/* NULL when placement can be verified, else why not (one line). */
const char *dc_host_mem_unverifiable(const struct dc_host_mem *m);

/* The dc_platform.phys_to_virt of the host: NULL outside backed memory or
 * across the end of a backed range. ctx is the struct dc_host_mem. */
void *dc_host_phys_to_virt(void *ctx, dc_addr_t pa, dc_size_t len);

/* A dc_platform for m (log to stderr if verbose). */
void dc_host_platform(struct dc_host_mem *m, struct dc_platform *plat,
		      bool verbose);

/**
 * dc_host_mem_check() - verify where the host placed simulated memory
 * @m:         bound host memory
 * @pa:        first byte
 * @len:       bytes, > 0
 * @max_pages: query at most this many host pages, spread evenly over the
 *             range, first and last included; 0 for every page
 * @c:         counts added to
 *
 * Commits each page queried (writes to it: an untouched page is on no
 * node), then asks where it is. Bytes outside backed memory count as
 * failed queries.
 *
 * Return: 0 if every page queried is on the host node its simulated node
 * is bound to, -1 if any is not or any query failed.
 */
int dc_host_mem_check(struct dc_host_mem *m, dc_addr_t pa, dc_size_t len,
		      size_t max_pages, struct dc_place_check *c);

/* Host nodes in @c->seen. */
unsigned dc_place_nodes(const struct dc_place_check *c);

void dc_host_mem_destroy(struct dc_host_mem *m);

#endif /* DC_TOOLS_SIM_PLATFORM_H */
