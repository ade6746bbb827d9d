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

/*
 * Match "--name VALUE" or "--name=VALUE"; *val gets VALUE. Dies if the
 * value is missing.
 */
static bool opt_value(const char *name, int argc, char **argv, int *i,
		      const char **val)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	if (strncmp(a, name, n))
		return false;
	if (a[n] == '=') {
		*val = a + n + 1;
		return true;
	}
	if (a[n])
		return false;
	if (*i + 1 >= argc)
		dc_die(name, "missing value (try --help)");
	*val = argv[++*i];
	return true;
}

static void set_source(struct dc_source *s, enum dc_topo_source kind,
		       const char *opt, const char *val)
{
	if (s->kind != DC_TOPO_LIVE)
		dc_die(opt, "only one of --xml, --synthetic, --fsroot");
	if (!*val)
		dc_die(opt, "empty value");
	s->kind = kind;
	s->arg = val;
}

bool dc_source_option(struct dc_source *s, int argc, char **argv, int *i)
{
	const char *val;
	uint64_t gap;
	size_t k;

	if (opt_value("--xml", argc, argv, i, &val)) {
		set_source(s, DC_TOPO_XML, "--xml", val);
	} else if (opt_value("--synthetic", argc, argv, i, &val)) {
		set_source(s, DC_TOPO_SYNTHETIC, "--synthetic", val);
	} else if (opt_value("--fsroot", argc, argv, i, &val)) {
		set_source(s, DC_TOPO_FSROOT, "--fsroot", val);
	} else if (opt_value("--layout", argc, argv, i, &val)) {
		for (k = 0; k < sizeof(layouts) / sizeof(layouts[0]); k++)
			if (!strcmp(val, layouts[k]))
				break;
		if (k == sizeof(layouts) / sizeof(layouts[0]))
			dc_die("--layout", "unknown layout '%s' (host, flat, "
			       "sn1, wildfire)", val);
		s->layout = layouts[k];
	} else if (opt_value("--gap", argc, argv, i, &val)) {
		if (!dc_parse_size(val, &gap))
			dc_die("--gap", "bad size '%s' (bytes, or with a K, "
			       "M, G, T suffix)", val);
		s->opts.gap = gap;
	} else if (!strcmp(argv[*i], "--strict")) {
		s->opts.strict = true;
	} else {
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
		"layout (LAYOUTS.md):\n"
		"  --layout MODEL    host | flat | sn1 | wildfire (default host\n"
		"                    for the live machine, flat otherwise;\n"
		"                    host needs the live machine)\n"
		"  --strict          reject what the model would drop or widen\n"
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
