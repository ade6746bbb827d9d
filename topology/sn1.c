// SPDX-License-Identifier: BSD-3-Clause
/*
 * sn1.c - HOST ONLY: the SGI SN1 layout model (LAYOUTS.md, "sn1").
 *
 * One slot per node at nasid x slot (8 GiB historically), 8 bank slots of
 * slot/8 in it; banks in pairs (0,1) (2,3) (4,5) (6,7) of equal size, from
 * slot/128 to slot/8 (64 MiB to 1 GiB historically). Pages are 16 KiB.
 *
 *   nasid n:  n*8G                                            (n+1)*8G
 *             |bank0|....|bank1|....|bank2|....|bank3|.. ...|bank7|....|
 *             ^ 1 GiB bank slots; a bank is a fragment, the rest a hole
 *
 * Decisions where LAYOUTS.md leaves room:
 *  - nasid = the node's OS number (os_index), so sparse numbers stay
 *    sparse: 256ppc's nodes 0,1,4,5,8,9,12,13 sit in slots 0,1,4,5,... with
 *    empty slots between. "At most 128 nodes" is enforced as nasid <= 127
 *    (which implies it), naming the first node above.
 *  - The kernel's 4 MiB goes to nasid 0's bank 0 and the PROM's 1 MiB to
 *    bank 0 of every other node, literally: with no nasid 0 every node
 *    gets 1 MiB; a node with no bank 0 (no memory) gets nothing.
 *  - "A bank that ends exactly at 4 GiB loses its top 20 MiB" (nasid 0
 *    only): the 20 MiB are not registered (a hole, not a reservation);
 *    this is history, so --strict keeps it, and a note reports it.
 *  - Widening is decided on the largest node only, and applies to all
 *    slots; a note names that node. With wide slots small nodes can fall
 *    below the smallest bank (slot/128) and lose all their memory: it is
 *    reported like any drop.
 *  - Nodes with no memory have no banks and no note.
 */
#include "topology/layout.h"

#define SN1_PAGE_SHIFT 14
#define SN1_SLOT (8 * DC_GIB)
#define SN1_MAX_NASID 127
#define SN1_BANKS 8
#define SN1_KERNEL_RESERVE (4 * DC_MIB)
#define SN1_PROM_RESERVE DC_MIB
#define SN1_IO_HOLE (20 * DC_MIB)
#define SN1_IO_HOLE_END (4 * DC_GIB)

struct sn1_geom {
	dc_size_t slot;		/* per node */
	dc_size_t bank_slot;	/* slot / 8 */
	dc_size_t min_bank;	/* slot / 128 */
	dc_size_t max_bank;	/* slot / 8 */
};

/* The pair rule: s = largest bank size <= what remains; bank 2p gets s,
 * bank 2p+1 too if at least s still remains. Returns what is left. */
static dc_size_t sn1_banks(const struct sn1_geom *g, dc_size_t mem,
			   dc_size_t bank[SN1_BANKS])
{
	unsigned p;

	for (p = 0; p < SN1_BANKS; p++)
		bank[p] = 0;
	for (p = 0; p < SN1_BANKS / 2 && mem >= g->min_bank; p++) {
		dc_size_t s = dc_pow2_floor(mem);

		if (s > g->max_bank)
			s = g->max_bank;
		bank[2 * p] = s;
		mem -= s;
		if (mem >= s) {
			bank[2 * p + 1] = s;
			mem -= s;
		}
	}
	return mem;
}

static int sn1_node(const struct sn1_geom *g, const struct dc_topo_node *n,
		    bool strict, struct dc_layout_build *b, char *err,
		    size_t errlen)
{
	dc_addr_t base = (dc_addr_t)n->nid * g->slot;
	dc_size_t bank[SN1_BANKS], left;
	char h1[32], h2[32], h3[32], h4[32];
	unsigned k;

	left = sn1_banks(g, n->memory, bank);
	if (left && strict) {
		dc_lb_err(err, errlen, "sn1: node %d: %s of its %s fit no bank "
			  "(pairs of equal banks of %s to %s) (--strict)",
			  n->nid, dc_topo_human(left, h1),
			  dc_topo_human(n->memory, h2),
			  dc_topo_human(g->min_bank, h3),
			  dc_topo_human(g->max_bank, h4));
		return DC_EINVAL;
	}
	if (left && dc_lb_note(b, "sn1: node %d: dropped %s of %s (pairs of "
			       "equal banks of %s to %s)", n->nid,
			       dc_topo_human(left, h1),
			       dc_topo_human(n->memory, h2),
			       dc_topo_human(g->min_bank, h3),
			       dc_topo_human(g->max_bank, h4)))
		return DC_ENOMEM;
	for (k = 0; k < SN1_BANKS; k++) {
		dc_addr_t bb = base + k * g->bank_slot;
		dc_size_t size = bank[k];

		if (!size)
			continue;
		if (n->nid == 0 && bb + size == SN1_IO_HOLE_END) {
			size -= SN1_IO_HOLE;
			if (dc_lb_note(b, "sn1: node 0: bank %u loses its top "
				       "20 MiB below 4 GiB [0x%llx-0x%llx] "
				       "(firmware hole)", k,
				       (unsigned long long)(bb + size),
				       (unsigned long long)(SN1_IO_HOLE_END -
							    1)))
				return DC_ENOMEM;
		}
		if (dc_lb_frag(b, n->nid, bb, size))
			return DC_ENOMEM;
	}
	if (bank[0] && dc_lb_reserve(b, n->nid, base, n->nid == 0 ?
				     SN1_KERNEL_RESERVE : SN1_PROM_RESERVE))
		return DC_ENOMEM;
	return 0;
}

/* The largest node decides the slot size for all (LAYOUTS.md, "Modern
 * sizes"). */
static int sn1_geometry(const struct dc_topology *t, bool strict,
			struct sn1_geom *g, struct dc_layout_build *b,
			char *err, size_t errlen)
{
	const struct dc_topo_node *big = &t->nodes[0];
	char h1[32], h2[32], h3[32], h4[32];
	unsigned i;

	for (i = 1; i < t->nnodes; i++)
		if (t->nodes[i].memory > big->memory)
			big = &t->nodes[i];
	g->slot = SN1_SLOT;
	if (big->memory > SN1_SLOT) {
		if (strict) {
			dc_lb_err(err, errlen, "sn1: node %d: %s is above the "
				  "8 GiB node slot (--strict keeps the "
				  "historical limits)", big->nid,
				  dc_topo_human(big->memory, h1));
			return DC_EINVAL;
		}
		g->slot = dc_pow2_ceil(big->memory);
		/* nasid 127's slot must end by 2^64 */
		if (!g->slot || g->slot > UINT64_MAX / (SN1_MAX_NASID + 1)) {
			dc_lb_err(err, errlen, "sn1: node %d: %s needs node "
				  "slots too large for 128 nodes below 2^64",
				  big->nid, dc_topo_human(big->memory, h1));
			return DC_ERANGE;
		}
	}
	g->bank_slot = g->slot / SN1_BANKS;
	g->min_bank = g->slot / 128;
	g->max_bank = g->slot / SN1_BANKS;
	if (g->slot != SN1_SLOT &&
	    dc_lb_note(b, "sn1: node slots widened from 8 GiB to %s to hold "
		       "node %d (%s); banks of %s to %s", dc_topo_human(g->slot,
		       h1), big->nid, dc_topo_human(big->memory, h2),
		       dc_topo_human(g->min_bank, h3),
		       dc_topo_human(g->max_bank, h4)))
		return DC_ENOMEM;
	return 0;
}

int dc_layout_sn1(const struct dc_topology *t,
		  const struct dc_layout_opts *o, struct dc_layout_build *b,
		  char *err, size_t errlen)
{
	struct sn1_geom g;
	unsigned i;
	int rc;

	b->l->page_shift = SN1_PAGE_SHIFT;
	for (i = 0; i < t->nnodes; i++) {
		if (t->nodes[i].nid > SN1_MAX_NASID) {
			dc_lb_err(err, errlen, "sn1: node %d: nasid %d is above "
				  "%d (SN1 has at most 128 nodes; nasid = node "
				  "id)", t->nodes[i].nid, t->nodes[i].nid,
				  SN1_MAX_NASID);
			return DC_EINVAL;
		}
	}
	rc = sn1_geometry(t, o->strict, &g, b, err, errlen);
	for (i = 0; i < t->nnodes && !rc; i++)
		rc = sn1_node(&g, &t->nodes[i], o->strict, b, err, errlen);
	return rc;
}
