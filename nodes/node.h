/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * node.h - what the files of the per-node manager share.
 *
 * The manager owns the fragment map (one extent tree for the whole system,
 * each extent carrying its nid), the nodes, the distance table and the
 * phases; a backend owns only the free memory of one node. A public call
 * is validated here, split into pieces (one per fragment it touches),
 * checked piece by piece, prepared piece by piece (pool entries held on the
 * piece's node), and only then carried out, so that it never fails halfway;
 * the call's transaction (core/pool.c) undoes what preparing stole when a
 * later piece fails.
 */
#ifndef DC_NODES_NODE_H
#define DC_NODES_NODE_H

#include <discontig/backend.h>
#include <discontig/discontig.h>

#include "core/pool.h"
#include "core/range.h"
#include "core/tree.h"

/* A validated system pointer: NULL or never initialised -> false. */
static inline bool dc_sys_ok(const struct dc_system *sys)
{
	return sys && sys->magic == DC_SYS_MAGIC;
}

/*
 * One piece of a range: its intersection with one fragment. fn returns 0
 * to go on, anything else to stop (and that value is returned). A byte of
 * [base, last] outside every fragment stops the walk with DC_ENOENT before
 * fn sees any piece at or after it.
 */
typedef int (*dc_piece_fn)(struct dc_node *n, dc_addr_t base, dc_addr_t last,
			   void *ctx);
int dc_for_each_piece(struct dc_system *sys, dc_addr_t base, dc_addr_t last,
		      dc_piece_fn fn, void *ctx);

/* Hand [base, last]'s whole pages to fn in maximal naturally aligned blocks
 * (DESIGN.md, dc_release_all); returns the bytes handed over. */
dc_size_t dc_release_pages(const struct dc_system *sys, int nid,
			   dc_addr_t base, dc_addr_t last, dc_release_fn fn,
			   void *ctx);

/* The whole pages of [base, last], or false when it holds none. */
bool dc_whole_pages(const struct dc_system *sys, dc_addr_t base,
		    dc_addr_t last, dc_addr_t *pb, dc_addr_t *pl);

/* Hold what one piece on n needs: own pool entries, and the backend's
 * prepare for k calls (none if k is 0). Part of the call's transaction. */
int dc_node_prepare(struct dc_node *n, unsigned own, unsigned k);

/*
 * The first pass over the pieces of [base, last] (nodes/system.c): check
 * every piece with check (pure), and hold what the call needs on each
 * piece's node (own entries, k backend calls) while no check has failed.
 * Return: DC_ENOENT if a byte is not memory or check returns DC_ENOENT
 * for some piece (wherever it lies: that answer outranks the others),
 * else the first error check returned, else DC_ENOSPC if holding failed,
 * else 0. The answer is the one a pass of checks followed by a pass of
 * holds would give; whatever was held is the transaction's to give back
 * when the call fails.
 */
int dc_pieces_ready(struct dc_system *sys, dc_addr_t base, dc_addr_t last,
		    dc_piece_fn check, unsigned own, unsigned k);

/* A dc_pieces_ready() check: every byte of the piece is free (DC_EBUSY). */
int dc_piece_probe_free(struct dc_node *n, dc_addr_t b, dc_addr_t l,
			void *ctx);

/* Stats of one node (no summing). */
void dc_node_stats(const struct dc_node *n, struct dc_stats *s);

#endif /* DC_NODES_NODE_H */
