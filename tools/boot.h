/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * boot.h - a simulated NUMA kernel boot (`discontig boot`), split in the
 * part that boots (boot.c), the report (cmd_boot.c) and the memory map
 * picture (boot_svg.c). HOST ONLY.
 */
#ifndef DC_TOOLS_BOOT_H
#define DC_TOOLS_BOOT_H

#include <stdbool.h>
#include <stdint.h>

#include <discontig/backend.h>
#include <discontig/discontig.h>
#include <discontig/topology.h>

#include "tools/platform.h"
#include "tools/trace.h"

#define BOOT_ORDERS (DC_MAX_ORDER + 1)

/* What one node of the boot ends with. */
struct boot_node {
	int nid;
	struct dc_stats st;		/* after dc_release_all */
	dc_addr_t memmap;		/* its struct page array, or 0 */
	dc_size_t memmap_size;
	bool memmap_local;		/* dc_node_of(memmap) == nid */
	bool metadata_local;		/* every metadata page on this node */
	dc_size_t buddy[BOOT_ORDERS];	/* blocks released per order */
	unsigned cpus;
};

/* One request of the boot that failed (reported, not fatal). */
struct boot_failure {
	const char *what;
	int nid;
	dc_size_t size;
	int err;
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
	uint64_t setup_ns, alloc_ns, release_ns;
	const char *placement;		/* how metadata_local was verified */
	bool released_disjoint;		/* no released block overlaps used */
	bool accounting_ok;		/* memory = used+metadata+free+released */
	int check;			/* dc_check() before release */
	dc_size_t hash_bytes[2];	/* dentry, inode */
	long peak_rss_kib;

	struct boot_range *ranges;	/* for the picture */
	size_t nranges, capranges;
};

/* Run the whole boot; 0, or a DC_E* of a call that must not fail (map
 * registration, finalize, release). Requests that fail are recorded in
 * b->fail and do not stop the boot. */
int dc_boot_run(struct boot *b, const struct dc_topology *t,
		const struct dc_layout *l, const struct boot_opts *o);
void dc_boot_free(struct boot *b);

/* The memory map picture. 0, or -1 with errno. */
int dc_boot_svg(const struct boot *b, const char *path);

#endif /* DC_TOOLS_BOOT_H */
