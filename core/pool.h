/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pool.h - metadata: the caller's initial pool, stolen pages, distances.
 *
 * Entries are DC_POOL_ENTRY_SIZE bytes. A node takes them from its own
 * list (entries carved from pages stolen from it, or given back to it)
 * first, then from the caller's initial pool, and in READY steals from its
 * own free memory when both are empty (DESIGN.md, "Phases"). Contiguous
 * blocks (the bitmap, memblock's arrays, the distance table, node
 * descriptors) come from the top of the initial pool in SETUP and from
 * stolen memory in READY.
 *
 * Every stolen block is recorded in its node's metadata tree (n->meta), so
 * that dc_free can refuse metadata (DC_EBUSY), walks can show it and
 * dc_release_metadata can hand it back.
 */
#ifndef DC_CORE_POOL_H
#define DC_CORE_POOL_H

#include <discontig/backend.h>
#include <discontig/discontig.h>

#define DC_SYS_MAGIC 0x64636d6dU	/* "dcmm" */

static inline dc_size_t dc_page_size(const struct dc_system *sys)
{
	return (dc_size_t)1 << sys->page_shift;
}

/* Set up the caller's pool [mem, mem + bytes); entries are 8-aligned. */
void dc_pool_init(struct dc_pool *p, void *mem, dc_size_t bytes);

/* Entries node n can get without stealing. */
dc_size_t dc_pool_avail(const struct dc_node *n);

/*
 * Hold need more entries for n's call in progress (cumulative: two calls
 * hold the sum), taking them from n's own list, then the initial pool, and
 * in READY (only then) by stealing from n's memory, or from the nearest
 * node with memory when n has none left. Held entries are n's alone, so
 * two nodes never count the same entry. Return: 0; DC_ENOSPC (the entries
 * this call tried to hold are given back).
 */
int dc_pool_prepare(struct dc_node *n, unsigned need);

/* Give back every entry still held for n (the node layer calls it after
 * each operation, successful or not). */
void dc_pool_finish(struct dc_node *n);

/* One entry: a held one first. NULL only if the caller did not hold
 * enough, which is our bug. */
void *dc_pool_get(struct dc_node *n);

/* Give an entry back: to the initial pool if it came from there, else to
 * n's own list. */
void dc_pool_put(struct dc_node *n, void *entry);

/* A contiguous block from the top of the initial pool (SETUP only):
 * 0 or DC_ENOSPC. Not managed memory, not counted as metadata. */
int dc_pool_block(struct dc_system *sys, dc_size_t bytes, void **va);

/* A block from dc_pool_block() or dc_meta_steal() no longer needed as a
 * block: carve it into entries (back on the initial pool's list, or on
 * n's). If it is the most recent dc_pool_block(), the pool gets the bytes
 * back as they were, so an undo restores the pool exactly. */
void dc_pool_block_retire(struct dc_system *sys, struct dc_node *n,
			  void *va, dc_size_t bytes);

/*
 * Steal bytes (rounded up to whole pages, page-aligned) of n's free memory
 * through n's backend (find, then reserve), and record the block in
 * n->meta. Allowed from dc_finalize on. Return: 0; DC_ENOSPC (nothing
 * free that phys_to_virt maps; nothing changed). *pa and *va get the block.
 * The caller must have prepared one entry for the record and whatever the
 * backend's reserve needs.
 */
int dc_meta_steal(struct dc_node *n, dc_size_t bytes, dc_addr_t *pa,
		  void **va);

/* Undo dc_meta_steal of exactly (pa, bytes): the memory is free again. */
void dc_meta_unsteal(struct dc_node *n, dc_addr_t pa, dc_size_t bytes);

/* Does [base, last] overlap any metadata block of n? O(log blocks). */
bool dc_meta_overlaps(const struct dc_node *n, dc_addr_t base,
		      dc_addr_t last);

/* Distance between two present nodes (10 self, 20 others by default). */
unsigned dc_distance(const struct dc_system *sys, const struct dc_node *a,
		     const struct dc_node *b);

/* The node of nid, or NULL when absent or out of range. */
static inline struct dc_node *dc_node_get(const struct dc_system *sys,
					  int nid)
{
	if (nid < 0 || nid >= DC_MAX_NODES)
		return 0;
	return sys->node[nid];
}

#endif /* DC_CORE_POOL_H */
