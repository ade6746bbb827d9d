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
 * Each option also takes the --opt=VALUE form (cli.h). Usage:
 *
 *	static const struct dc_opt *const tables[] = { own, dc_source_opts,
 *						       NULL };
 *	while ((id = dc_args_next(&a, tables, &val)) != DC_ARG_END)
 *		if (!dc_source_take(&src, id, val)) ... own options
 *	dc_source_load(&src, &topo, &layout);	// or it exits 2
 *	... dc_layout_pool_bytes(&layout), dc_init(), dc_layout_apply() ...
 *	dc_layout_free(&layout); dc_topo_free(&topo);
 */
#ifndef DC_TOOLS_SOURCE_H
#define DC_TOOLS_SOURCE_H

#include <stdbool.h>
#include <stdio.h>

#include <discontig/topology.h>

#include "tools/cli.h"

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

/* The source options, ids from DC_SOURCE_OPT_FIRST; for dc_args_next(). */
#define DC_SOURCE_OPT_FIRST 1000
extern const struct dc_opt dc_source_opts[];

/**
 * dc_source_take() - take one source option, if @id is one
 * @s:   updated
 * @id:  from dc_args_next()
 * @val: its value
 *
 * Exits with status 2 and one line naming the option on a bad value, an
 * unknown layout, or a second source.
 *
 * Return: true if @id was a source option (now taken).
 */
bool dc_source_take(struct dc_source *s, int id, const char *val);

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
