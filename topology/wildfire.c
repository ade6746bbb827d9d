// SPDX-License-Identifier: BSD-3-Clause
/*
 * wildfire.c - HOST ONLY: the Compaq AlphaServer GS80/160/320 layout model
 * (LAYOUTS.md, "wildfire").
 *
 * QBB q's memory lives in a window of 64 GiB at q << 36 (node id =
 * address >> 36). Up to 4 memory modules of 1, 2, 4 or 8 GiB are stacked
 * from the window base, one fragment each, adjacent (so the system must
 * merge them); the rest of the window is a hole. Pages are 8 KiB.
 *
 *   QBB 0 of 12 GiB:
 *   0      8 MiB               8 GiB            12 GiB             64 GiB
 *   |console|  module 0 (8G)   | module 1 (4G)  |     hole  ...    |
 *   [reserved: PALcode/console, the kernel loads at 8 MiB]
 *
 * Decisions where LAYOUTS.md leaves room:
 *  - QBB id = the node's OS number (os_index), so that "node id = physical
 *    address >> 36" holds as on the real machine; a node with memory and
 *    os_index >= 8 is rejected, naming it. Before that, more than 8 nodes
 *    with memory is rejected as "more Wildfire nodes than QBBs".
 *  - Nodes without memory are QBBs without memory: no node, no check of
 *    their id.
 *  - The console reservation [0, 8 MiB) exists only when QBB 0 has memory.
 *  - "Node memory starts are rounded up to 4 MiB": every window base is a
 *    multiple of 64 GiB (or of the widened window), so the rounding never
 *    moves anything in this model; it is kept as a check.
 *  - Widening (a node above 32 GiB): W = the smallest power of two with
 *    W/2 >= the largest node (its 4 largest modules of W/8), at least
 *    64 GiB; modules W/64 .. W/8; node q at q x W. A note names the node.
 */
#include "topology/layout.h"

#define WF_PAGE_SHIFT 13
#define WF_QBBS 8
#define WF_WINDOW (64 * DC_GIB)
#define WF_MODULES 4
#define WF_MAX_QBB_MEMORY (32 * DC_GIB)
#define WF_CONSOLE (8 * DC_MIB)
#define WF_START_ALIGN (4 * DC_MIB)

struct wf_geom {
	dc_size_t window;
	dc_size_t min_module;	/* window / 64 */
	dc_size_t max_module;	/* window / 8 */
};

static int wf_node(const struct wf_geom *g, const struct dc_topo_node *n,
		   bool strict, struct dc_layout_build *b, char *err,
		   size_t errlen)
{
	dc_addr_t base = (dc_addr_t)n->nid * g->window, off = 0;
	dc_size_t left = n->memory;
	char h1[32], h2[32], h3[32], h4[32];
	unsigned k;

	if (base % WF_START_ALIGN) {	/* see "rounded up to 4 MiB" above */
		dc_lb_err(err, errlen, "wildfire: node %d: window base not "
			  "4 MiB aligned (internal error)", n->nid);
		return DC_EINVAL;
	}
	/* greedy: the largest allowed module not above what remains */
	for (k = 0; k < WF_MODULES && left >= g->min_module; k++) {
		dc_size_t s = dc_pow2_floor(left);

		if (s > g->max_module)
			s = g->max_module;
		if (dc_lb_frag(b, n->nid, base + off, s))
			return DC_ENOMEM;
		off += s;
		left -= s;
	}
	if (left && strict) {
		dc_lb_err(err, errlen, "wildfire: node %d: %s of its %s fit no "
			  "module (at most 4 modules of %s to %s) (--strict)",
			  n->nid, dc_topo_human(left, h1),
			  dc_topo_human(n->memory, h2),
			  dc_topo_human(g->min_module, h3),
			  dc_topo_human(g->max_module, h4));
		return DC_EINVAL;
	}
	if (left && dc_lb_note(b, "wildfire: node %d: dropped %s of %s (at "
			       "most 4 modules of %s to %s)", n->nid,
			       dc_topo_human(left, h1),
			       dc_topo_human(n->memory, h2),
			       dc_topo_human(g->min_module, h3),
			       dc_topo_human(g->max_module, h4)))
		return DC_ENOMEM;
	if (n->nid == 0 && off &&
	    dc_lb_reserve(b, 0, 0, WF_CONSOLE))
		return DC_ENOMEM;
	return 0;
}

/* Count and name-check the QBBs; find the largest. */
static int wf_check_nodes(const struct dc_topology *t,
			  const struct dc_topo_node **big, char *err,
			  size_t errlen)
{
	unsigned i, with_memory = 0;

	*big = NULL;
	for (i = 0; i < t->nnodes; i++) {
		if (!t->nodes[i].memory)
			continue;
		with_memory++;
		if (!*big || t->nodes[i].memory > (*big)->memory)
			*big = &t->nodes[i];
	}
	if (with_memory > WF_QBBS) {
		dc_lb_err(err, errlen, "wildfire: %u nodes with memory, more "
			  "Wildfire nodes than QBBs (at most %d)", with_memory,
			  WF_QBBS);
		return DC_EINVAL;
	}
	for (i = 0; i < t->nnodes; i++) {
		if (t->nodes[i].memory && t->nodes[i].nid >= WF_QBBS) {
			dc_lb_err(err, errlen, "wildfire: node %d: QBB id %d "
				  "outside 0..%d (QBB id = node id)",
				  t->nodes[i].nid, t->nodes[i].nid,
				  WF_QBBS - 1);
			return DC_EINVAL;
		}
	}
	return 0;
}

static int wf_geometry(const struct dc_topo_node *big, bool strict,
		       struct wf_geom *g, struct dc_layout_build *b,
		       char *err, size_t errlen)
{
	char h1[32], h2[32], h3[32], h4[32];

	g->window = WF_WINDOW;
	if (big && big->memory > WF_MAX_QBB_MEMORY) {
		if (strict) {
			dc_lb_err(err, errlen, "wildfire: node %d: %s is above "
				  "the 32 GiB of a QBB (--strict keeps the "
				  "historical limits)", big->nid,
				  dc_topo_human(big->memory, h1));
			return DC_EINVAL;
		}
		/* W/2 >= largest; QBB 7's window must end by 2^64 */
		g->window = big->memory > UINT64_MAX / 2 ? 0 :
			    dc_pow2_ceil(big->memory * 2);
		if (!g->window || g->window > UINT64_MAX / WF_QBBS) {
			dc_lb_err(err, errlen, "wildfire: node %d: %s needs "
				  "windows too large for 8 QBBs below 2^64",
				  big->nid, dc_topo_human(big->memory, h1));
			return DC_ERANGE;
		}
	}
	g->min_module = g->window / 64;
	g->max_module = g->window / 8;
	if (g->window != WF_WINDOW &&
	    dc_lb_note(b, "wildfire: QBB windows widened from 64 GiB to %s to "
		       "hold node %d (%s); modules of %s to %s",
		       dc_topo_human(g->window, h1), big->nid,
		       dc_topo_human(big->memory, h2),
		       dc_topo_human(g->min_module, h3),
		       dc_topo_human(g->max_module, h4)))
		return DC_ENOMEM;
	return 0;
}

int dc_layout_wildfire(const struct dc_topology *t,
		       const struct dc_layout_opts *o,
		       struct dc_layout_build *b, char *err, size_t errlen)
{
	const struct dc_topo_node *big;
	struct wf_geom g;
	unsigned i;
	int rc;

	b->l->page_shift = WF_PAGE_SHIFT;
	rc = wf_check_nodes(t, &big, err, errlen);
	if (!rc)
		rc = wf_geometry(big, o->strict, &g, b, err, errlen);
	for (i = 0; i < t->nnodes && !rc; i++)
		if (t->nodes[i].memory)
			rc = wf_node(&g, &t->nodes[i], o->strict, b, err,
				     errlen);
	return rc;
}
