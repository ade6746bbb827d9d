/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tree.h - the tree backend's per-node state (backends/tree.c), private
 * to it; tests/unit/test_check.c breaks its fields by hand to see that
 * dc_check() names each invariant. Kept in dc_node.state.
 */
#ifndef DC_BACKENDS_TREE_H
#define DC_BACKENDS_TREE_H

#include "core/btree.h"

struct tree_state {
	struct dc_btree free;	/* free extents, maximal */
	uint64_t gen;		/* changes of the free tree */
	dc_size_t taken;	/* used + metadata bytes */
	struct dc_btree_node *spare;	/* spare nodes, threaded by w[0] */
	struct dc_btree_node *fresh;	/* acquired in this call */
	uint32_t nspare;	/* on both lists */
	uint32_t nfresh;
	uint32_t want;		/* nodes this call's inserts may take */
	uint32_t inserts;	/* inserts prepared in this call */
	int32_t net;		/* nodes taken minus given in this call */
	uint8_t shift, shift0;	/* next steal: 2^shift pages; at call start */
	uint8_t internal;	/* growing: a steal prepares its reservation */
	uint8_t in_call;
};

#endif /* DC_BACKENDS_TREE_H */
