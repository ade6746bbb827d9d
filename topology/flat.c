// SPDX-License-Identifier: BSD-3-Clause
/*
 * flat.c - HOST ONLY: the flat layout model (LAYOUTS.md, "flat").
 *
 * Nodes one after another from address 0 in ascending nid order, each one
 * fragment of its memory size, --gap bytes between two nodes (not before
 * the first). Each node starts on a page boundary (4 KiB): a node whose
 * size is not a page multiple leaves a few bytes of hole after it.
 *
 * The first MiB, as on a PC (decision, where LAYOUTS.md says "the first
 * MiB and the ISA hole [640 KiB, 1 MiB) are firmware holes"):
 *
 *   0          640 KiB          1 MiB
 *   |  RAM, reserved  |  ISA hole  |  RAM ...
 *   [0x0-0x9ffff]      [0xa0000-0xfffff]
 *
 * [0, 640 KiB) is memory of the first node, registered and reserved by
 * firmware (real-mode IVT, BIOS data, EBDA; Linux reserves the whole first
 * MiB since v5.13, "x86/setup: always reserve the first 1M of RAM"); the
 * ISA hole [640 KiB, 1 MiB) is not memory at all. The first node keeps its
 * full size: the rest continues at 1 MiB. Nodes without memory get nothing.
 */
#include "topology/layout.h"

#include "core/range.h"

#define FLAT_PAGE_SHIFT 12
#define ISA_HOLE_BASE (640 * DC_KIB)
#define ISA_HOLE_END DC_MIB

/* [*next, *next + size) for nid; *next moves past it, *full at 2^64. */
static int flat_place(struct dc_layout_build *b, int nid, dc_addr_t base,
		      dc_size_t size, dc_addr_t *next, bool *full,
		      char *err, size_t errlen)
{
	dc_addr_t last;
	char h[32];

	if (dc_range_last(base, size, &last)) {
		dc_lb_err(err, errlen, "flat: node %d (%s) does not fit below "
			  "2^64", nid, dc_topo_human(size, h));
		return DC_ERANGE;
	}
	if (dc_lb_frag(b, nid, base, size))
		return DC_ENOMEM;
	*full = last == UINT64_MAX;
	*next = last + 1;
	return 0;
}

int dc_layout_flat(const struct dc_topology *t,
		   const struct dc_layout_opts *o, struct dc_layout_build *b,
		   char *err, size_t errlen)
{
	const dc_size_t page = (dc_size_t)1 << FLAT_PAGE_SHIFT;
	dc_addr_t next = 0, base;
	bool full = false, first = true;
	unsigned i;
	int rc;

	b->l->page_shift = FLAT_PAGE_SHIFT;
	for (i = 0; i < t->nnodes; i++) {
		const struct dc_topo_node *n = &t->nodes[i];
		dc_size_t mem = n->memory;

		if (!mem)
			continue;
		base = next;
		if (full || (!first && o->gap > UINT64_MAX - base) ||
		    !dc_align_up(base + (first ? 0 : o->gap), page, &base)) {
			dc_lb_err(err, errlen, "flat: node %d does not fit "
				  "below 2^64", n->nid);
			return DC_ERANGE;
		}
		if (first) {	/* base is 0: the PC's first MiB */
			dc_size_t low = mem < ISA_HOLE_BASE ? mem :
								 ISA_HOLE_BASE;

			if (dc_lb_frag(b, n->nid, 0, low) ||
			    dc_lb_reserve(b, n->nid, 0, low))
				return DC_ENOMEM;
			mem -= low;
			base = ISA_HOLE_END;
			next = ISA_HOLE_END;
		}
		first = false;
		if (!mem)
			continue;
		rc = flat_place(b, n->nid, base, mem, &next, &full, err,
				errlen);
		if (rc)
			return rc;
	}
	return 0;
}
