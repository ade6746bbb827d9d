/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmds.h - the subcommands of the discontig tool. Each lives in
 * tools/cmd_<name>.c and returns an exit status (util.h); argv[0] is the
 * subcommand's name.
 */
#ifndef DC_TOOLS_CMDS_H
#define DC_TOOLS_CMDS_H

int dc_cmd_topo(int argc, char **argv);
int dc_cmd_boot(int argc, char **argv);
int dc_cmd_replay(int argc, char **argv);
int dc_cmd_bench(int argc, char **argv);

#endif /* DC_TOOLS_CMDS_H */
