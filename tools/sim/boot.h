/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * boot.h - the boot model of the simulation layer: a simulated NUMA
 * kernel boot (`discontig boot`). boot.c boots and checks; cmd_boot.c
 * prints the report and map_svg.c draws the memory map. HOST ONLY. No
 * exit, no printing: a boot that cannot proceed says why in err.
 */
#ifndef DC_TOOLS_BOOT_H
#define DC_TOOLS_BOOT_H

#include <stdbool.h>
#include <stdint.h>

#include <discontig/backend.h>
#include <discontig/discontig.h>
#include <discontig/topology.h>

#include "tools/sim/platform.h"
#include "tools/sim/trace.h"

#define BOOT_ORDERS (DC_MAX_ORDER + 1)

/* What one node of the boot ends with. */
struct boot_node {
	int nid;
	struct dc_stats st;		/* after dc_release_all */
	dc_addr_t memmap;		/* its struct page array, or 0 */
	dc_size_t memmap_size;
	bool memmap_local;		/* dc_node_of(memmap) == nid */
	bool metadata_local;		/* every metadata byte on this node,
					   by the address map */
	dc_size_t buddy[BOOT_ORDERS];	/* blocks released per order */
	unsigned cpus;
	bool memory_only;		/* no cpu calls it home */
	/* host placement (platform.h), when the host can tell */
	int host_node;			/* bound to, or -1 */
	dc_size_t metadata_bytes;	/* in managed memory (not the pool) */
	struct dc_place_check meta_check, memmap_check;
	const char *unverified;		/* why nothing was checked, or NULL */
};

/* A node of the topology that has no memory in the boot. */
struct boot_absent {
	int nid;
	unsigned cpus;
	dc_size_t topo_memory;		/* > 0: the layout dropped it */
};

/* One request of the boot that failed (reported; exit 1 if mandatory). */
struct boot_failure {
	const char *what;
	int nid;
	dc_size_t size;
	int err;
	bool mandatory;		/* a kernel cannot boot without it */
};

/* What a used range is, for the picture's colours and tooltips. */
enum boot_cat {
	BOOT_CAT_EARLY,		/* kernel image, ACPI tables, initrd */
	BOOT_CAT_NODE_DATA,	/* NODE_DATA, usemap */
	BOOT_CAT_MEMMAP,	/* struct page arrays */
	BOOT_CAT_PERCPU,
	BOOT_CAT_PGTABLE,
	BOOT_CAT_HASH,
	BOOT_CAT_DMA,		/* swiotlb and its slots */
	BOOT_CAT_CRASH,
	BOOT_NCATS
};

/* One named allocation or early reservation of the boot. */
struct boot_item {
	const char *what;
	enum boot_cat cat;
	int nid;		/* asked for, or DC_NO_NODE */
	dc_addr_t base;
	dc_size_t size;
};

/* A range of one kind, for the picture (taken before the release). */
struct boot_range {
	int nid;
	int kind;		/* enum dc_walk_kind, or BOOT_FIRMWARE */
	dc_addr_t base;
	dc_size_t size;
};
#define BOOT_FIRMWARE 4

struct boot_opts {
	const struct dc_backend_ops *ops;
	const char *trace;	/* --trace FILE or NULL */
	dc_size_t initrd;	/* bytes, 0: none */
	dc_size_t crashkernel;	/* bytes, 0: none */
	bool bind;		/* bind backing to host NUMA nodes */
	bool want_ranges;	/* keep ranges for the picture */
	size_t memmap_sample;	/* struct page array pages to check per
				   node (0: every one) */
	const struct dc_numa_ops *numa;	/* the host; NULL: libnuma */
};

struct boot {
	const struct dc_topology *topo;
	const struct dc_layout *layout;
	struct boot_opts o;
	struct dc_system *sys;
	struct dc_host_mem mem;
	struct dc_trace *trace;
	void *pool;
	dc_size_t pool_bytes;

	struct boot_node *nodes;	/* topology order, nodes with memory */
	unsigned nnodes;
	struct dc_stats total;		/* after dc_release_all */
	dc_size_t metadata_released;
	dc_size_t allocs, failed_allocs;
	struct boot_failure fail[16];
	unsigned nfail;
	size_t mandatory_failed;	/* of failed_allocs */
	struct boot_absent *absent;	/* topology nodes without memory */
	unsigned nabsent;
	uint64_t setup_ns, alloc_ns, release_ns;
	const char *placement;		/* how metadata_local was verified */
	const char *unverified;		/* host placement: why not, or NULL */
	bool placement_ok;		/* no page elsewhere, no failed query,
					   no failed mbind */
	char err[256];			/* why dc_boot_run() failed */
	bool released_disjoint;		/* no released block overlaps used */
	bool accounting_ok;		/* memory = used+metadata+free+released */
	int check;			/* dc_check() before release */
	dc_size_t hash_bytes[2];	/* dentry, inode */
	long peak_rss_kib;

	struct boot_range *ranges;	/* for the picture */
	size_t nranges, capranges;
	struct boot_item *items;	/* named ranges, for the picture */
	size_t nitems, capitems;
};

/* Run the whole boot; 0, or a DC_E* of a call that must not fail (host
 * memory, map registration, finalize, release) with b->err saying why.
 * Requests that fail are recorded in b->fail and do not stop the boot. */
int dc_boot_run(struct boot *b, const struct dc_topology *t,
		const struct dc_layout *l, const struct boot_opts *o);
void dc_boot_free(struct boot *b);

/* "kernel & boot data", "NODE_DATA", ...: a category's legend name. */
const char *dc_boot_cat_name(enum boot_cat cat);

/* Every check of the boot passed (the exit status is 1 otherwise). */
bool dc_boot_ok(const struct boot *b);

#endif /* DC_TOOLS_BOOT_H */
