/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * memblock_peer.h - the C ABI of the memblock peer (issue 15): Linux's own
 * mm/memblock.c, built in user space the way tools/testing/memblock builds
 * it, as a shared object that `discontig bench` loads beside its backends.
 *
 * Why an ABI of our own: the kernel file is GPL and never enters this
 * repository. scripts/memblock-peer.sh compiles it from the linux-source
 * package at run time, together with memblock_peer.c (ours: the only file
 * that sees kernel headers), into a .so exporting one symbol,
 * DC_MEMBLOCK_PEER_SYMBOL, a const struct dc_memblock_peer. This header
 * includes no kernel header, so the tool compiles without the package.
 *
 * Addresses. memblock's stubs map physical to virtual as identity
 * (tools/include/linux/mm.h: __va(x) is x), so what memblock manages must
 * be host memory it can write: its region arrays grow into it
 * (memblock_double_array()). reset() therefore maps [base, base + span)
 * of host address space (MAP_NORESERVE: committed only where memblock
 * writes) and every address of this ABI is a "physical" address in
 * [base, base + span), translated by a fixed offset that is a multiple of
 * 1 GiB, so alignments up to 1 GiB are kept. Memory added outside the
 * span is -EINVAL.
 *
 * Errors are memblock's own: 0, or a negative errno (-EINVAL, -ENOMEM);
 * alloc() returns -ENOMEM when memblock returns 0 (no fit).
 *
 * memblock is one global structure (struct memblock memblock): one peer
 * per process, not thread safe.
 */
#ifndef DC_TOOLS_PEER_MEMBLOCK_PEER_H
#define DC_TOOLS_PEER_MEMBLOCK_PEER_H

#include <stdbool.h>
#include <stdint.h>

#define DC_MEMBLOCK_PEER_ABI 1
#define DC_MEMBLOCK_PEER_SYMBOL "dc_memblock_peer"

/* alloc() flags */
#define DC_MBP_EXACT_NID (1u << 0)	/* memblock's exact_nid: no fallback */
#define DC_MBP_RELAX_MIN (1u << 1)	/* memblock_alloc_try_nid_raw(): cap
					   max at current_limit, retry from 0 */
#define DC_MBP_ZERO	 (1u << 2)	/* memset the block, as
					   memblock_alloc_try_nid() does */

enum dc_mbp_type { DC_MBP_MEMORY = 0, DC_MBP_RESERVED = 1 };

/* One of memblock's two region arrays (struct memblock_type). */
struct dc_mbp_array {
	uint64_t regions;	/* regions in use (the empty dummy entry: 0) */
	uint64_t cnt, max;	/* memblock's own cnt and max */
	uint64_t total_size;	/* bytes the regions cover */
	uint64_t taken;		/* bytes memblock took from its memory for
				   this array: PAGE_ALIGN(max * region_size),
				   0 while it is the static initial array */
};

struct dc_mbp_stats {
	struct dc_mbp_array type[2];	/* DC_MBP_MEMORY, DC_MBP_RESERVED */
	uint64_t region_size;		/* sizeof(struct memblock_region) */
	uint64_t init_regions;		/* slots of each static initial array
					   (INIT_MEMBLOCK_REGIONS) */
	bool bottom_up;
	uint64_t current_limit;		/* 0: MEMBLOCK_ALLOC_ANYWHERE */
};

/*
 * The peer. Every function but version queries needs a reset() first.
 */
struct dc_memblock_peer {
	unsigned abi;			/* DC_MEMBLOCK_PEER_ABI */
	unsigned size;			/* sizeof(struct dc_memblock_peer) */
	const char *kernel_version;	/* "6.1.192": the tree's Makefile */
	const char *build;		/* how mm/memblock.c was compiled */

	/* memblock back to its boot state (no regions, static arrays,
	 * top-down, no limit, resizing allowed: memblock_allow_resize())
	 * over fresh host memory for [base, base + span); span 0 only
	 * unmaps. 0, -EINVAL or -ENOMEM (no address space). */
	int (*reset)(uint64_t base, uint64_t span);
	/* memblock_add_node(base, size, nid, MEMBLOCK_NONE) */
	int (*add)(uint64_t base, uint64_t size, int nid);
	/* memblock_remove() */
	int (*remove)(uint64_t base, uint64_t size);
	/* memblock_reserve() */
	int (*reserve)(uint64_t base, uint64_t size);
	/* memblock_phys_free() */
	int (*free)(uint64_t base, uint64_t size);
	/*
	 * memblock_alloc_range_nid(size, align, min, max, nid, exact) in the
	 * current direction; max 0 is MEMBLOCK_ALLOC_ACCESSIBLE (up to
	 * current_limit); nid -1 is NUMA_NO_NODE. With DC_MBP_RELAX_MIN,
	 * memblock_alloc_exact_nid_raw() or memblock_alloc_try_nid_raw().
	 * The address goes to *out. 0, or -ENOMEM (*out unchanged).
	 */
	int (*alloc)(uint64_t size, uint64_t align, uint64_t min,
		     uint64_t max, int nid, unsigned flags, uint64_t *out);
	/* memblock_set_bottom_up() */
	void (*set_bottom_up)(bool enable);
	/* memblock_set_current_limit(); 0 is MEMBLOCK_ALLOC_ANYWHERE */
	void (*set_current_limit)(uint64_t limit);
	void (*stats)(struct dc_mbp_stats *out);
	/* region idx of an array (idx < regions): 0, or -EINVAL */
	int (*region)(enum dc_mbp_type type, uint64_t idx, uint64_t *base,
		      uint64_t *size, int *nid);
	/* free ranges of node nid (-1: all) by for_each_free_mem_range(),
	 * their bytes in *bytes (may be NULL) */
	uint64_t (*free_ranges)(int nid, uint64_t *bytes);
};

#endif /* DC_TOOLS_PEER_MEMBLOCK_PEER_H */
