/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mm.h - the kernel's memory management state, shared by setup.c (the
 * boot allocator's set-up), allocs.c (what the kernel allocates from it,
 * and the checks) and buddy.c (the page allocator it hands over to).
 *
 * A kernel keeps such state in globals; the library keeps none (all of
 * it is in struct dc_system, here in static storage).
 */
#ifndef MM_H
#define MM_H

#include "acpi.h"
#include "multiboot.h"

struct knode {			/* one NUMA node, as the kernel sees it */
	bool present;		/* in the SRAT (or node 0 without one) */
	bool cpu_only;		/* CPUs but no SRAT memory */
	unsigned ncpus;
	uint64_t srat_bytes;	/* memory the SRAT gives it */
	uint64_t expect_bytes;	/* e820 RAM inside those ranges */
	uint64_t memory;	/* registered (dc_stats) after dc_finalize */
	uint64_t lowmem;	/* of which below the direct map's end */
	uint64_t span_lo, span_end;	/* page-rounded [first, last] */
	dc_addr_t node_data, mem_map;	/* allocs.c */
	uint64_t mem_map_bytes;
	int node_data_nid, mem_map_nid;
};

struct frag {			/* a registered fragment (dc_walk MEMORY) */
	uint64_t base, size;
	int nid;
};

struct reservation {		/* a dc_reserve_loose() the kernel made */
	uint64_t base, size, newly;
	const char *what;
};

extern struct dc_system dc;
extern struct knode knode[DC_MAX_NODES];
extern int node_ids[DC_MAX_NODES];	/* present nids, ascending */
extern unsigned nr_nodes;
extern struct acpi_info acpi;
extern struct boot_info boot;
extern struct frag frags[128];
extern unsigned nfrags;
extern struct reservation resv[128];
extern unsigned nresv;
extern uint64_t access_limit;		/* as told to the library */
extern unsigned p2v_calls, p2v_beyond;	/* phys_to_virt calls, bad ones */
extern uint64_t p2v_first_beyond;

/* setup.c */
const char *memory_setup(void);
void setup_print(void);
unsigned node_distance(int from, int to);
int frag_find(uint64_t base, uint64_t size);	/* index, or -1 */
void *phys_to_virt(uint64_t pa, uint64_t len);	/* NULL above the map */
void fallback_order(int nid, int *out, unsigned *n);
int nearest_with_lowmem(int nid);	/* for CPU-only nodes */

#define STRUCT_PAGE_SIZE 16	/* buddy.c: struct page */

/* allocs.c */
struct live_range {
	uint64_t base, size;
	uint8_t kind, pattern;
};
enum { LIVE_NODE_DATA, LIVE_MEM_MAP, LIVE_PERCPU, LIVE_DMA, LIVE_RANDOM };
void allocs_nodes(void);
void allocs_percpu_dma(void);
void allocs_random(uint64_t seed, unsigned count);
void allocs_report(void);
const struct live_range *live_overlap(uint64_t base, uint64_t size);
unsigned live_count(void);
const struct live_range *live_at(unsigned i);	/* by address */
const struct reservation *resv_overlap(uint64_t base, uint64_t size);
unsigned live_check_patterns(void);	/* ranges whose pattern broke */
uint64_t live_bytes(void);

/* buddy.c */
void buddy_init(void);
void buddy_release_all(void);
void buddy_exhaust_test(void);
void buddy_release_metadata(void);
void buddy_exercise(void);
void buddy_print(void);

#endif
