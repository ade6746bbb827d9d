/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cli.h - the command-line policy every subcommand of `discontig` shares
 * (DESIGN.md, "Tools"), so that they cannot drift apart:
 *
 *  - options: `--opt value` and `--opt=value` alike, `-h` for --help,
 *    `--` ends the options, `-` is an operand; an unknown option, a
 *    missing value or a value given to a flag is a usage error;
 *  - errors: one line on stderr, `discontig: INPUT: reason` (INPUT is the
 *    file, option or subcommand at fault), exit status 2; a check that
 *    fails is exit 1 and is the subcommand's own report;
 *  - outputs: a file named on the command line, or `-` for stdout; stdout
 *    then carries that output only, never the report too; every write is
 *    checked, stdout's on close as well: a full disk is exit 2 with the
 *    reason, never a silent 0.
 */
#ifndef DC_TOOLS_CLI_H
#define DC_TOOLS_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* One option of a subcommand. */
struct dc_opt {
	const char *name;	/* "--backend" */
	bool value;		/* takes a value */
	int id;			/* returned by dc_args_next() */
};

enum { DC_ARG_END = -1, DC_ARG_OPERAND = -2 };

struct dc_args {
	const char *cmd;	/* "boot", for messages */
	int argc;
	char **argv;
	int i;
	bool only_operands;	/* after "--" */
};

/* Walk argv[1..argc) of subcommand @cmd. */
void dc_args_init(struct dc_args *a, const char *cmd, int argc, char **argv);

/**
 * dc_args_next() - the next option or operand
 * @a:      the walk
 * @tables: option tables, each ended by a { NULL } entry; the list ends
 *          with NULL (a subcommand's own table and, say, the source
 *          options)
 * @val:    the option's value or the operand
 *
 * Exits 2 with one line on an unknown option, a missing value, or a
 * value given to a flag. "--help" and "-h" are looked up as "--help".
 *
 * Return: the option's id, DC_ARG_OPERAND, or DC_ARG_END.
 */
int dc_args_next(struct dc_args *a, const struct dc_opt *const *tables,
		 const char **val);

/* Make stdout a stream whose write errors are kept until it is closed
 * (main() calls this first). Line-buffered if @line_buffered. */
void dc_stdout_init(bool line_buffered);

/* Flush and close stdout. @rc when that works; otherwise one line
 * "discontig: stdout: write error: REASON" and 2. */
int dc_stdout_finish(int rc);

/* Claim stdout for output @opt ("--svg -"): a second claim is a usage
 * error naming both. Subcommands then send no report there. */
void dc_stdout_claim(const char *opt);

/* Which output claimed stdout, or NULL. */
const char *dc_stdout_claimed(void);

/* Open @path for writing ("-": stdout, claimed for @opt unless @opt is
 * NULL: claimed before); exits 2 with one line naming @path when it
 * cannot be created. */
FILE *dc_out_open(const char *path, const char *opt);

/* Close what dc_out_open() gave: 0, or -1 with errno (the first write
 * error, or the close's own). stdout is flushed, not closed. */
int dc_out_close(FILE *f);

/* dc_out_close() or exit 2 with "discontig: PATH: write error: ..." */
void dc_out_close_or_die(FILE *f, const char *path);

/* Print a warning line "discontig: warning: ..." on stderr. */
void dc_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* DC_TOOLS_CLI_H */
