/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmds.h - the subcommands of the discontig tool. Each lives in
 * tools/cmd_<name>.c, parses its options with cli.h, returns an exit
 * status (util.h: 0 ok, 1 a check failed, 2 bad usage or input), and
 * prints its --help text with dc_usage_<name>() (`discontig help NAME`).
 * argv[0] is the subcommand's name.
 */
#ifndef DC_TOOLS_CMDS_H
#define DC_TOOLS_CMDS_H

#include <stdio.h>

int dc_cmd_topo(int argc, char **argv);
int dc_cmd_boot(int argc, char **argv);
int dc_cmd_replay(int argc, char **argv);
int dc_cmd_bench(int argc, char **argv);

void dc_usage_topo(FILE *f);
void dc_usage_boot(FILE *f);
void dc_usage_replay(FILE *f);
void dc_usage_bench(FILE *f);

#endif /* DC_TOOLS_CMDS_H */
