/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pool.h - metadata: the caller's initial pool, stolen blocks, the
 * transaction of the call in progress, and what phys_to_virt can map.
 *
 * One path for every backend (DESIGN.md, "Metadata always has somewhere
 * to go"): entries (tree nodes, list elements, records) come from
 * dc_pool_prepare()/dc_pool_get(); contiguous blocks (the bitmap, grown
 * region arrays) from dc_pool_block() (the initial pool) or
 * dc_meta_steal() (managed memory). A steal takes from the node that
 * needs the metadata first, then from the nearest node by distance that
 * has free mappable memory, never from a range the call in progress
 * targets, and is undone when the call fails.
 *
 * Every stolen block is recorded in the metadata tree of the node whose
 * memory it is (n->meta), so that dc_free can refuse metadata (DC_EBUSY),
 * walks can show it and dc_release_metadata can hand it back.
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

/* The node of nid, or NULL when absent or out of range. */
static inline struct dc_node *dc_node_get(const struct dc_system *sys,
					  int nid)
{
	if (nid < 0 || nid >= DC_MAX_NODES)
		return 0;
	return sys->node[nid];
}

/* Distance from node a to node b, either NULL for a node that does not
 * exist (default distances: 10 self, 20 others). */
unsigned dc_distance(const struct dc_system *sys, const struct dc_node *a,
		     const struct dc_node *b);

/* --- entries ------------------------------------------------------------- */

/* Set up the caller's pool [mem, mem + bytes): whole entries, each on its
 * own 64-byte cache line, and blocks of whole entries from the top. */
void dc_pool_init(struct dc_pool *p, void *mem, dc_size_t bytes);

/* Free entries of the initial pool. */
dc_size_t dc_pool_shared_avail(const struct dc_pool *p);

/*
 * Hold need more entries for n's part of the call in progress (cumulative),
 * from n's own list, then the initial pool, and, once steals are allowed
 * (READY, or inside dc_finalize), from a stolen block (2^steal_shift pages
 * of n's memory, or one page of the nearest node with some). Held entries
 * are n's alone. The call's transaction gives back what is still held when
 * it ends. Return: 0; DC_ENOSPC.
 */
int dc_pool_prepare(struct dc_node *n, unsigned need);

/* One entry: a held one first. NULL only if the caller did not hold
 * enough, which is our bug. */
void *dc_pool_get(struct dc_node *n);

/* Give an entry back: to the initial pool if it came from there, else to
 * n's own list. */
void dc_pool_put(struct dc_node *n, void *entry);

/* A contiguous block from the top of the initial pool: 0 or DC_ENOSPC.
 * Not managed memory, not counted as metadata. */
int dc_pool_block(struct dc_system *sys, dc_size_t bytes, void **va);

/* A block from dc_pool_block() no longer needed as a block: carved into
 * entries of the initial pool, or, if it is the most recent block, the
 * pool takes the bytes back as they were (so an undo restores the pool
 * exactly). Sizes that are multiples of DC_POOL_ENTRY_SIZE give back
 * exactly the entries they are worth either way. */
void dc_pool_block_retire(struct dc_system *sys, void *va, dc_size_t bytes);

/* --- stolen blocks ----------------------------------------------------- */

/*
 * A page-aligned block of bytes (rounded up to pages) of managed memory for
 * owner's metadata: owner's own memory first, then the nearest node with
 * free mappable memory (ties to the lower nid), top-down, below the access
 * limit, outside the ranges the call targets. Recorded as metadata of the
 * node whose memory it is; undone if the call fails. Allowed in READY and
 * during dc_finalize. Return: 0; DC_ENOSPC (nothing changed).
 */
int dc_meta_steal(struct dc_node *owner, dc_size_t bytes, dc_addr_t *pa,
		  void **va);

/* A stolen block no longer used as a block (a region array that grew):
 * carved into owner's entries; its memory stays metadata. */
void dc_meta_retire(struct dc_node *owner, void *va, dc_size_t bytes);

/* Does [base, last] overlap any metadata block of n? O(log blocks). */
bool dc_meta_overlaps(const struct dc_node *n, dc_addr_t base,
		      dc_addr_t last);

/* --- transactions --------------------------------------------------------- */

/* Start a public call; last < base: it targets no range of memory. */
void dc_txn_begin(struct dc_system *sys, dc_addr_t base, dc_addr_t last);

/* n takes part in the call: its held entries and backend are finished
 * when the call ends. */
void dc_txn_touch(struct dc_node *n);

/*
 * The backend's memo for the call in progress: DC_TXN_MEMO_WORDS words
 * whose first word dc_txn_end() zeroes (dc_init() zeroes them all), so
 * that nothing memoised outlives the public call. What a pure call (a
 * probe, or the find dc_alloc makes before its transaction begins) found
 * for the mutating call after it (tree: the search path), so that the
 * second need not search again; the backend checks that it still holds
 * before it trusts it. Writable through a const node: a cache.
 */
static inline uint64_t *dc_txn_memo(const struct dc_node *n)
{
	return n->sys->txn.memo;
}

/*
 * End the call with result r. r != 0: every steal of the call is undone,
 * newest first, and every backend goes back to where it was (finish(n,
 * false)): stats, walks and pool counts are as before the call. r == 0:
 * steals whose entries turned out unused are undone the same way, the
 * rest is kept (finish(n, true)). Returns r.
 */
int dc_txn_end(struct dc_system *sys, int r);

/* --- what phys_to_virt can map ------------------------------------------- */

/* The last byte phys_to_virt may be asked for (the access limit and what
 * was learned), or false when nothing can be mapped. */
bool dc_map_last(const struct dc_system *sys, dc_addr_t *last);

/*
 * The fit of w in n (w->top_down as given) whose bytes phys_to_virt maps,
 * with its mapping. A refusal is remembered (sys->map_end) and the highest
 * mappable fit below it found by a bisection over n's free memory: at most
 * 64 backend searches and 64 calls, never one per block. On success *w is
 * narrowed to the window the fit was found in, so that an allocation in
 * it returns the same address. Return: 0; DC_ENOMEM (no mappable fit).
 */
int dc_map_fit(struct dc_node *n, struct dc_window *w, dc_addr_t *pa,
	       void **va);

#endif /* DC_CORE_POOL_H */
