/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * source.h - the topology source options common to `discontig topo` and
 * `discontig boot` (DESIGN.md, "Tools"): where the topology comes from and
 * how it is laid out.
 *
 *   (none)              the live machine
 *   --xml FILE          an hwloc XML export
 *   --synthetic DESC    an hwloc synthetic description
 *   --fsroot DIR        an extracted Linux sysfs snapshot (hwloc's
 *                       tests/hwloc/linux tarballs; README of
 *                       shared/data/hwloc)
 *   --layout MODEL      host | flat | sn1 | wildfire (LAYOUTS.md); default
 *                       host for the live machine, flat otherwise
 *   --strict            reject what the model would drop or widen
 *   --gap SIZE          flat only: bytes between nodes (K/M/G suffixes)
 *
 * Each option also takes the --opt=VALUE form. Usage:
 *
 *	struct dc_source src;
 *	dc_source_init(&src);
 *	for (i = 1; i < argc; i++)
 *		if (!dc_source_option(&src, argc, argv, &i)) ... own options
 *	dc_source_load(&src, &topo, &layout);	// or it exits 2
 *	cfg.page_shift = layout.page_shift;
 *	cfg.pool_bytes = dc_layout_pool_bytes(&layout);
 *	... dc_init(), dc_layout_apply(&layout, &topo, &sys) ...
 *	dc_layout_free(&layout); dc_topo_free(&topo);
 */
#ifndef DC_TOOLS_SOURCE_H
#define DC_TOOLS_SOURCE_H

#include <stdbool.h>
#include <stdio.h>

#include <discontig/topology.h>

struct dc_source {
	enum dc_topo_source kind;
	const char *arg;	/* file, description or directory; NULL live */
	const char *layout;	/* NULL: host for live, flat otherwise */
	struct dc_layout_opts opts;
};

/**
 * dc_source_init() - the defaults: live machine, default layout
 * @s: filled
 */
void dc_source_init(struct dc_source *s);

/**
 * dc_source_option() - consume one source option, if argv[*i] is one
 * @s:    updated
 * @argc: as given to the subcommand
 * @argv: as given to the subcommand
 * @i:    index of the option; on return, of the last word consumed
 *
 * Exits with status 2 and one line naming the option on a missing or bad
 * value, an unknown layout, or a second source.
 *
 * Return: true if argv[*i] was a source option (now consumed).
 */
bool dc_source_option(struct dc_source *s, int argc, char **argv, int *i);

/**
 * dc_source_usage() - print the help lines of the source options
 * @f: where
 */
void dc_source_usage(FILE *f);

/**
 * dc_source_input() - how errors name the input
 * @s: the options
 *
 * Return: the file or directory, "synthetic" for a description, or "live
 * machine".
 */
const char *dc_source_input(const struct dc_source *s);

/**
 * dc_source_load() - load the topology and lay it out, or exit 2
 * @s: the options
 * @t: the topology, filled
 * @l: the layout, filled
 *
 * On any failure prints one line on stderr ("discontig: INPUT: reason")
 * and exits with status 2: missing or unreadable file, not XML, an XML
 * hwloc refuses, a synthetic string that does not parse, a layout that
 * cannot hold the topology.
 */
void dc_source_load(const struct dc_source *s, struct dc_topology *t,
		    struct dc_layout *l);

#endif /* DC_TOOLS_SOURCE_H */
