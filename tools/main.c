// SPDX-License-Identifier: BSD-3-Clause
/*
 * main.c - the discontig command: dispatch to a subcommand, `help
 * [SUBCOMMAND]`, `--version`. With no subcommand it boots the live
 * machine (DESIGN.md, "Tools"). stdout is a checked stream (cli.h): a
 * write error anywhere, found at the latest when it is closed here, turns
 * the exit status into 2.
 */
#include <stdio.h>
#include <string.h>

#include <discontig/backend.h>
#include <discontig/discontig.h>

#include "tools/cli.h"
#include "tools/cmds.h"
#include "tools/util.h"

#ifndef DC_VERSION
#define DC_VERSION "unknown"
#endif

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	void (*usage)(FILE *f);
	const char *summary;
} cmds[] = {
	{ "boot", dc_cmd_boot, dc_usage_boot,
	  "simulate a NUMA kernel boot (the default)" },
	{ "topo", dc_cmd_topo, dc_usage_topo,
	  "show a topology laid out in physical memory" },
	{ "replay", dc_cmd_replay, dc_usage_replay,
	  "replay memblock=debug boot logs or traces" },
	{ "bench", dc_cmd_bench, dc_usage_bench,
	  "benchmark the backends side by side" },
};
#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: discontig [SUBCOMMAND] [OPTIONS]\n"
		"       discontig help [SUBCOMMAND]\n"
		"       discontig --version\n\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "\nEvery subcommand takes --help and --json. Options take "
		"their value as\n--opt VALUE or --opt=VALUE; - is stdin for "
		"inputs, stdout for outputs.\nExit status: 0 success, 1 a check "
		"failed, 2 bad usage, input or output.\nManual: man discontig.\n");
}

static int help(int argc, char **argv)
{
	size_t i;

	if (argc < 3) {
		usage(stdout);
		return DC_EXIT_OK;
	}
	if (argc > 3)
		dc_die(argv[3], "help takes one subcommand");
	for (i = 0; i < NCMDS; i++)
		if (!strcmp(argv[2], cmds[i].name)) {
			cmds[i].usage(stdout);
			return DC_EXIT_OK;
		}
	dc_die(argv[2], "no such subcommand (boot, topo, replay, bench)");
}

static int dispatch(int argc, char **argv)
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
	if (!strcmp(argv[1], "--version")) {
		printf("discontig %s (backends %s, default %s; DC_MAX_NODES %d)\n",
		       DC_VERSION, DC_CONFIG_BACKENDS, dc_backend_default()->name,
		       DC_MAX_NODES);
		return DC_EXIT_OK;
	}
	if (!strcmp(argv[1], "help"))
		return help(argc, argv);
	for (i = 0; i < NCMDS; i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].run(argc - 1, argv + 1);
	if (argv[1][0] == '-') {
		/* options without a subcommand belong to boot */
		argv[0] = boot;
		return dc_cmd_boot(argc, argv);
	}
	dc_die(argv[1], "unknown subcommand (boot, topo, replay, bench; see "
	       "discontig --help)");
}

int main(int argc, char **argv)
{
	dc_stdout_init(false);
	return dc_stdout_finish(dispatch(argc, argv));
}
