/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * map_svg.h - memory map pictures of `discontig boot --svg` and
 * `discontig topo --svg`: one band per node along one physical address
 * axis (map_svg.c says how the axis is drawn).
 */
#ifndef DC_TOOLS_MAP_SVG_H
#define DC_TOOLS_MAP_SVG_H

#include <stdio.h>

#include <discontig/topology.h>

#include "tools/sim/boot.h"

/* The memory map after a boot (taken before the release): free, used by
 * what (each range a <title>), metadata, firmware, holes, and the nodes
 * without memory. Writes to @f; the caller checks and closes it. */
void dc_boot_svg(const struct boot *b, FILE *f);

/* The physical map of a layout: fragments, firmware reservations, holes,
 * CPU-only and memory-only nodes, the layout's notes. */
void dc_topo_svg(const struct dc_topology *t, const struct dc_layout *l,
		 FILE *f);

#endif /* DC_TOOLS_MAP_SVG_H */
