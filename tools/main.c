// SPDX-License-Identifier: BSD-3-Clause
/*
 * main.c - the discontig command: dispatch to a subcommand. With no
 * subcommand it boots the live machine (DESIGN.md, "Tools").
 */
#include <stdio.h>
#include <string.h>

#include "tools/cmds.h"
#include "tools/util.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} cmds[] = {
	{ "boot", dc_cmd_boot, "simulate a NUMA kernel boot (the default)" },
	{ "topo", dc_cmd_topo, "show a topology laid out in physical memory" },
	{ "replay", dc_cmd_replay, "replay memblock=debug boot logs or traces" },
	{ "bench", dc_cmd_bench, "benchmark the backends side by side" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: discontig [SUBCOMMAND] [OPTIONS]\n\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "\nEvery subcommand takes --help and --json.\n");
}

int main(int argc, char **argv)
{
	static char boot[] = "boot";
	char *dflt[] = { boot, NULL };
	size_t i;

	if (argc < 2)
		return dc_cmd_boot(1, dflt);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return DC_EXIT_OK;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].run(argc - 1, argv + 1);
	if (argv[1][0] == '-') {
		/* options without a subcommand belong to boot */
		argv[0] = boot;
		return dc_cmd_boot(argc, argv);
	}
	dc_die(argv[1], "unknown subcommand (try --help)");
}
