// SPDX-License-Identifier: BSD-3-Clause
/*
 * source.c - the topology source options shared by topo and boot
 * (tools/source.h).
 *
 * Every failure ends here in exactly one line on stderr and exit status 2
 * (DESIGN.md, "Tools"); the topology library writes the reason, this file
 * only prints it.
 */
#include "tools/source.h"

#include <stdlib.h>
#include <string.h>

#include "tools/util.h"

static const char *const layouts[] = { "host", "flat", "sn1", "wildfire" };

void dc_source_init(struct dc_source *s)
{
	memset(s, 0, sizeof(*s));
	s->kind = DC_TOPO_LIVE;
}

enum {
	S_XML = DC_SOURCE_OPT_FIRST, S_SYNTHETIC, S_FSROOT, S_LAYOUT, S_GAP,
	S_STRICT,
};

const struct dc_opt dc_source_opts[] = {
	{ "--xml", true, S_XML },
	{ "--synthetic", true, S_SYNTHETIC },
	{ "--fsroot", true, S_FSROOT },
	{ "--layout", true, S_LAYOUT },
	{ "--gap", true, S_GAP },
	{ "--strict", false, S_STRICT },
	{ NULL, false, 0 },
};

static void set_source(struct dc_source *s, enum dc_topo_source kind,
		       const char *opt, const char *val)
{
	if (s->kind != DC_TOPO_LIVE)
		dc_die(opt, "only one of --xml, --synthetic, --fsroot");
	s->kind = kind;
	s->arg = val;
}

bool dc_source_take(struct dc_source *s, int id, const char *val)
{
	uint64_t gap;
	size_t k;

	switch (id) {
	case S_XML:
		set_source(s, DC_TOPO_XML, "--xml", val);
		break;
	case S_SYNTHETIC:
		set_source(s, DC_TOPO_SYNTHETIC, "--synthetic", val);
		break;
	case S_FSROOT:
		set_source(s, DC_TOPO_FSROOT, "--fsroot", val);
		break;
	case S_LAYOUT:
		for (k = 0; k < sizeof(layouts) / sizeof(layouts[0]); k++)
			if (!strcmp(val, layouts[k]))
				break;
		if (k == sizeof(layouts) / sizeof(layouts[0]))
			dc_die("--layout", "unknown layout '%s' (host, flat, "
			       "sn1, wildfire)", val);
		s->layout = layouts[k];
		break;
	case S_GAP:
		if (!dc_parse_size(val, &gap))
			dc_die("--gap", "bad size '%s' (bytes, or with a K, "
			       "M, G, T suffix)", val);
		s->opts.gap = gap;
		break;
	case S_STRICT:
		s->opts.strict = true;
		break;
	default:
		return false;
	}
	return true;
}

void dc_source_usage(FILE *f)
{
	fprintf(f,
		"topology source (default: the live machine):\n"
		"  --xml FILE        an hwloc XML export (hwloc 2.x)\n"
		"  --synthetic DESC  an hwloc synthetic description, e.g.\n"
		"                    \"pack:2 [numa(memory=16GiB)] core:4 pu:2\"\n"
		"  --fsroot DIR      an extracted Linux sysfs snapshot\n"
		"layout (models: see discontig(1), LAYOUTS):\n"
		"  --layout MODEL    host | flat | sn1 | wildfire (default host\n"
		"                    for the live machine, flat otherwise;\n"
		"                    host needs the live machine)\n"
		"  --strict          reject what the model would drop or widen,\n"
		"                    and (boot) a node the layout leaves out\n"
		"  --gap SIZE        flat only: bytes between nodes (e.g. 1G)\n");
}

const char *dc_source_input(const struct dc_source *s)
{
	switch (s->kind) {
	case DC_TOPO_LIVE:
		return "live machine";
	case DC_TOPO_SYNTHETIC:
		return "synthetic";
	default:
		return s->arg;
	}
}

void dc_source_load(const struct dc_source *s, struct dc_topology *t,
		    struct dc_layout *l)
{
	const char *layout = s->layout;
	char err[1024];

	if (dc_topo_load(t, s->kind, s->arg, err, sizeof(err))) {
		/* the reason already names the input (and its line) */
		fflush(stdout);
		fprintf(stderr, "discontig: %s\n", err);
		exit(DC_EXIT_USAGE);
	}
	if (!layout)
		layout = t->live ? "host" : "flat";
	if (dc_layout_make(t, layout, &s->opts, l, err, sizeof(err))) {
		char input[sizeof(t->source)];

		/* a file names itself; otherwise say what was loaded */
		snprintf(input, sizeof(input), "%s",
			 s->kind == DC_TOPO_XML || s->kind == DC_TOPO_FSROOT ?
			 s->arg : t->source);
		dc_topo_free(t);
		dc_die(input, "%s", err);
	}
}
