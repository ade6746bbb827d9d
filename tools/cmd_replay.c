// SPDX-License-Identifier: BSD-3-Clause
/*
 * cmd_replay.c - `discontig replay FILE...`: read each file (a Linux
 * memblock=debug boot log, or a trace in the project's own format),
 * replay it with the engine of tools/sim/replay.c and print what differs
 * (DESIGN.md, "Tools"). This file parses options, streams the input into
 * the parsers in bounded chunks and prints; the rest is the sim layer.
 *
 * Exit status: 0 every request matched or failed as logged; 1 a request
 * or a traced call differed, or a memblock line could not be read
 * (unless --lenient); 2 bad usage, an unreadable input or one the
 * parsers reject (one line, with the line number).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <discontig/backend.h>
#include <discontig/discontig.h>

#include "tools/cli.h"
#include "tools/cmds.h"
#include "tools/sim/replay.h"
#include "tools/util.h"

struct options {
	const struct dc_backend_ops *backend;	/* NULL: default */
	bool json, lenient;
	size_t max_mismatches;
};

struct file_report {
	const char *file;
	uint64_t ns;
	struct dc_replay_report r;
};

/* ---- reading ---- */

#define CHUNK (64u * 1024)

static void die_parse(const char *file, const struct dc_parse_error *e)
{
	if (e->line)
		dc_die(file, "line %lu: %s", e->line, e->msg);
	dc_die(file, "%s", e->msg);
}

/* Up to @cap bytes, fewer only at the end of input. */
static size_t read_some(const char *file, int fd, char *buf, size_t cap)
{
	size_t have = 0;

	while (have < cap) {
		ssize_t n = read(fd, buf + have, cap - have);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			dc_die(file, "read error: %s", strerror(errno));
		if (!n)
			break;
		have += (size_t)n;
	}
	return have;
}

typedef int (*feed_fn)(void *p, const char *buf, size_t len,
		       struct dc_parse_error *err);

/* Feed the first chunk and then the rest of @fd, in bounded chunks. */
static void feed_all(const char *file, int fd, char *buf, size_t have,
		     feed_fn feed, void *p)
{
	struct dc_parse_error e = { 0 };

	do {
		if (feed(p, buf, have, &e))
			die_parse(file, &e);
	} while ((have = read_some(file, fd, buf, CHUNK)) > 0);
}

static int feed_log(void *p, const char *buf, size_t len,
		    struct dc_parse_error *err)
{
	return dc_mb_parser_feed(p, buf, len, err);
}

static int feed_trace(void *p, const char *buf, size_t len,
		      struct dc_parse_error *err)
{
	return dc_trace_reader_feed(p, buf, len, err);
}

static void replay_file(const char *file, const struct options *opt,
			struct file_report *fr)
{
	struct dc_replay_opts o = { opt->backend };
	struct dc_parse_error e = { 0 };
	bool stdin_file = !strcmp(file, "-");
	int fd = stdin_file ? STDIN_FILENO : open(file, O_RDONLY | O_CLOEXEC);
	uint64_t t0 = dc_now_ns();
	char *buf = malloc(CHUNK);
	size_t have;
	int ret;

	if (fd < 0)
		dc_die(file, "cannot open: %s", strerror(errno));
	if (!buf)
		dc_die(file, "out of memory");
	fr->file = stdin_file ? "stdin" : file;
	file = fr->file;	/* how errors name it */
	have = read_some(file, fd, buf, CHUNK);
	if (dc_trace_is_trace(buf, have)) {
		struct dc_trace_reader *r = dc_trace_reader_new();
		struct dc_trace_file tf;

		if (!r)
			dc_die(file, "out of memory");
		feed_all(file, fd, buf, have, feed_trace, r);
		if (dc_trace_reader_finish(r, &tf, &e))
			die_parse(file, &e);
		ret = dc_replay_trace(&tf, &o, &fr->r, &e);
		dc_trace_file_free(&tf);
	} else {
		struct dc_mb_parser *p = dc_mb_parser_new();
		struct dc_mb_log log;

		if (!p)
			dc_die(file, "out of memory");
		feed_all(file, fd, buf, have, feed_log, p);
		if (dc_mb_parser_finish(p, &log, &e))
			die_parse(file, &e);
		ret = dc_replay_log(&log, &o, &fr->r, &e);
		dc_mb_free(&log);
	}
	if (ret)
		die_parse(file, &e);
	fr->ns = dc_now_ns() - t0;
	free(buf);
	if (!stdin_file)
		close(fd);
}

/* ---- JSON ---- */

static void json_result(struct dc_json *j, const char *who, int ret,
			dc_addr_t v, bool value)
{
	char key[32];

	if (ret) {
		snprintf(key, sizeof(key), "%s_error", who);
		dc_json_str(j, key, dc_trace_errname(ret));
	} else if (value) {
		dc_json_u64(j, who, v);
	} else {
		snprintf(key, sizeof(key), "%s_error", who);
		dc_json_str(j, key, "0");
	}
}

static void json_mismatch(struct dc_json *j, const struct dc_replay_mismatch *m)
{
	dc_json_obj(j, NULL);
	dc_json_u64(j, "line", m->line);
	dc_json_str(j, "call", m->call);
	if (m->is_alloc) {
		dc_json_obj(j, "requested");
		dc_json_u64(j, "size", m->size);
		dc_json_u64(j, "align", m->align);
		dc_json_i64(j, "nid", m->nid);
		dc_json_u64(j, m->is_trace ? "min_addr" : "from", m->from);
		dc_json_u64(j, "max_addr", m->max_addr);
		if (m->is_trace)
			dc_json_u64(j, "flags", m->flags);
		else
			dc_json_str(j, "direction",
				    m->bottom_up ? "bottom_up" : "top_down");
		dc_json_end(j, '}');
	} else if (!m->is_release) {
		dc_json_u64(j, "base", m->logged);
		dc_json_u64(j, "size", m->size);
	}
	/*
	 * alloc: "logged"/"replayed" addresses where the call succeeded,
	 * "logged_error"/"replayed_error" otherwise; release_*: bytes
	 * released; other calls: only their results ("0" or a DC_E* name);
	 * a request the log ends before: "unanswered" and no logged result.
	 */
	if (m->unanswered)
		dc_json_bool(j, "unanswered", true);
	else
		json_result(j, "logged", m->logged_ret, m->logged,
			    m->is_alloc || m->is_release);
	if (m->logged_line && m->logged_line != m->line)
		dc_json_u64(j, "logged_line", m->logged_line);
	json_result(j, "replayed", m->replayed_ret, m->replayed,
		    m->is_alloc || m->is_release);
	dc_json_end(j, '}');
}

static void json_report(struct dc_json *j, const struct file_report *fr,
			const struct options *opt)
{
	const struct dc_replay_report *r = &fr->r;
	size_t i;

	dc_json_obj(j, NULL);
	dc_json_str(j, "file", fr->file);
	dc_json_str(j, "kind", r->kind);
	dc_json_str(j, "backend", r->backend);
	dc_json_u64(j, "lines", r->lines);
	dc_json_u64(j, "requests", r->requests);
	dc_json_u64(j, "matched", r->matched);
	dc_json_u64(j, "missed", r->missed);
	dc_json_u64(j, "failed_as_logged", r->failed_as_logged);
	if (!strcmp(r->kind, "trace")) {
		dc_json_u64(j, "calls", r->calls);
		dc_json_u64(j, "call_differences", r->call_differences);
	} else {
		dc_json_u64(j, "unanswered", r->unanswered);
		dc_json_u64(j, "operations", r->applied_ops);
		dc_json_u64(j, "unlogged_allocs", r->unlogged_allocs);
		dc_json_u64(j, "superseded_by_dump", r->before_dump);
		dc_json_u64(j, "ignored", r->ignored);
		dc_json_u64(j, "malformed", r->malformed);
		dc_json_arr(j, "ignored_lines");
		for (i = 0; i < r->nbad; i++) {
			dc_json_obj(j, NULL);
			dc_json_u64(j, "line", r->bad[i].line);
			dc_json_str(j, "reason", r->bad[i].why);
			dc_json_end(j, '}');
		}
		dc_json_end(j, ']');
		dc_json_u64(j, "adds_ignored", r->adds_ignored);
		dc_json_u64(j, "emulated", r->emulated);
		dc_json_u64(j, "cut_line", r->cut_line);
		dc_json_str(j, "node_ranges", r->node_source);
		dc_json_bool(j, "movable_node", r->movable_node);
	}
	dc_json_u64(j, "steals", r->steals);
	dc_json_u64(j, "ns", fr->ns);
	dc_json_arr(j, "mismatches");
	for (i = 0; i < r->nmm && i < opt->max_mismatches; i++)
		json_mismatch(j, &r->mm[i]);
	dc_json_end(j, ']');
	dc_json_end(j, '}');
}

/* ---- text ---- */

static void text_answer(char *buf, size_t len, int ret, dc_addr_t addr,
			bool log)
{
	if (ret && log)
		snprintf(buf, len, "failed");
	else if (ret)
		snprintf(buf, len, "%s", dc_trace_errname(ret));
	else
		snprintf(buf, len, "%#llx", (unsigned long long)addr);
}

static void text_mismatch(const struct dc_replay_mismatch *m)
{
	char lg[40], rp[40];

	if (m->is_release) {
		printf("  line %lu: %s: recorded %s %llu bytes, replayed %s %llu bytes (or other blocks)\n",
		       m->line, m->call, dc_trace_errname(m->logged_ret),
		       (unsigned long long)m->logged,
		       dc_trace_errname(m->replayed_ret),
		       (unsigned long long)m->replayed);
		return;
	}
	if (!m->is_alloc) {
		printf("  line %lu: %s base=%#llx size=%#llx: recorded %s, replayed %s\n",
		       m->line, m->call, (unsigned long long)m->logged,
		       (unsigned long long)m->size,
		       dc_trace_errname(m->logged_ret),
		       dc_trace_errname(m->replayed_ret));
		return;
	}
	text_answer(lg, sizeof(lg), m->logged_ret, m->logged, !m->is_trace);
	text_answer(rp, sizeof(rp), m->replayed_ret, m->replayed, false);
	if (m->is_trace) {
		printf("  line %lu: alloc size=%#llx align=%#llx min=%#llx max=%#llx nid=%d flags=%#x: recorded %s, replayed %s\n",
		       m->line, (unsigned long long)m->size,
		       (unsigned long long)m->align, (unsigned long long)m->from,
		       (unsigned long long)m->max_addr, m->nid, m->flags, lg,
		       rp);
		return;
	}
	printf("  line %lu: %s %llu bytes align=%#llx nid=%d from=%#llx max_addr=%#llx %s: ",
	       m->line, m->call, (unsigned long long)m->size,
	       (unsigned long long)m->align, m->nid,
	       (unsigned long long)m->from, (unsigned long long)m->max_addr,
	       m->bottom_up ? "bottom-up" : "top-down");
	if (m->unanswered) {
		printf("log ends here, before its answer; replayed %s\n", rp);
		return;
	}
	printf("logged %s", lg);
	if (!m->logged_ret)
		printf(" (line %lu)", m->logged_line);
	printf(", replayed %s\n", rp);
}

static void text_report(const struct file_report *fr,
			const struct options *opt)
{
	const struct dc_replay_report *r = &fr->r;
	size_t i;

	printf("%s: %s on %s: %zu requests, %zu matched, %zu missed, %zu failed as logged",
	       fr->file, r->kind, r->backend, r->requests, r->matched,
	       r->missed, r->failed_as_logged);
	if (r->unanswered)
		printf(", %zu unanswered (log ends)", r->unanswered);
	if (!strcmp(r->kind, "trace"))
		printf("; %zu calls, %zu other differences", r->calls,
		       r->call_differences);
	else if (r->ignored)
		printf("; %zu lines ignored", r->ignored);
	printf("\n");
	if (r->steals)
		printf("  note: %llu metadata steals (placement may move)\n",
		       (unsigned long long)r->steals);
	if (r->adds_ignored || r->emulated)
		printf("  note: %zu memblock_add ignored, %zu memblock_remove emulated after allocation began (first at line %lu)\n",
		       r->adds_ignored, r->emulated, r->first_ignored);
	for (i = 0; i < r->nbad && i < opt->max_mismatches; i++)
		printf("  line %lu: ignored, cannot read it: %s\n",
		       r->bad[i].line, r->bad[i].why);
	if (r->malformed > i)
		printf("  ... and %zu more lines that cannot be read\n",
		       r->malformed - i);
	if (r->cut_line)
		printf("  line %lu: log ends here, in the middle of a memblock line (not applied)\n",
		       r->cut_line);
	for (i = 0; i < r->nmm && i < opt->max_mismatches; i++)
		text_mismatch(&r->mm[i]);
	if (r->nmm > opt->max_mismatches)
		printf("  ... and %zu more\n", r->nmm - opt->max_mismatches);
}

/* ---- the command ---- */

void dc_usage_replay(FILE *f)
{
	fprintf(f,
		"usage: discontig replay [--backend tree|bitmap|array] [--json]\n"
		"                        [--mismatches N] [--lenient] FILE...\n"
		"\n"
		"Replay Linux memblock=debug boot logs (see discontig(1), BOOT LOGS)\n"
		"or discontig traces (docs/trace.md, from `discontig boot --trace`).\n"
		"Each allocation request is answered with memblock's policy through the\n"
		"public API and compared with the logged address; the log's result is\n"
		"then applied so that one difference does not cascade.\n"
		"\n"
		"  --backend NAME   tree (default for logs), bitmap or array; a trace\n"
		"                   replays on its recorded backend unless this is given\n"
		"  --json           one JSON object {\"backend\", \"files\": [...]}\n"
		"  --mismatches N   differences and unreadable lines shown per file\n"
		"                   (default 10)\n"
		"  --lenient        memblock lines that cannot be read are counted\n"
		"                   and shown, but do not make the exit status 1\n"
		"  FILE             a log or a trace; - for stdin\n"
		"\n"
		"Exit status: 0 every request matched (or failed as logged); 1 a request\n"
		"or a traced call differed, or a memblock line could not be read; 2 bad\n"
		"usage or an input that cannot be replayed (a NUL byte, a line over\n"
		"64 KiB, more than 1 GiB, no memblock dump).\n");
}

enum { O_BACKEND, O_JSON, O_MISMATCHES, O_LENIENT, O_HELP };

static const struct dc_opt replay_opts[] = {
	{ "--backend", true, O_BACKEND },
	{ "--json", false, O_JSON },
	{ "--mismatches", true, O_MISMATCHES },
	{ "--lenient", false, O_LENIENT },
	{ "--help", false, O_HELP },
	{ NULL, false, 0 },
};

int dc_cmd_replay(int argc, char **argv)
{
	static const struct dc_opt *const tables[] = { replay_opts, NULL };
	struct options opt = { .max_mismatches = 10 };
	const char **files = calloc((size_t)argc + 1, sizeof(*files));
	struct file_report *reps;
	struct dc_args a;
	const char *val;
	bool failed = false, have_stdin = false;
	size_t nfiles = 0, i;
	struct dc_json j;
	uint64_t v;
	int id;

	if (!files)
		dc_die("replay", "out of memory");
	dc_args_init(&a, "replay", argc, argv);
	while ((id = dc_args_next(&a, tables, &val)) != DC_ARG_END) {
		switch (id) {
		case O_BACKEND:
			opt.backend = dc_backend_find(val);
			if (!opt.backend)
				dc_die("--backend", "no backend '%s' compiled in "
				       "(tree, bitmap, array)", val);
			break;
		case O_JSON:
			opt.json = true;
			break;
		case O_MISMATCHES:
			if (!dc_parse_size(val, &v) || v > 1000000)
				dc_die("--mismatches", "'%s' is not a count "
				       "0 .. 1000000", val);
			opt.max_mismatches = (size_t)v;
			break;
		case O_LENIENT:
			opt.lenient = true;
			break;
		case O_HELP:
			dc_usage_replay(stdout);
			free(files);
			return DC_EXIT_OK;
		case DC_ARG_OPERAND:
			if (!strcmp(val, "-") && have_stdin)
				dc_die("-", "stdin given twice");
			have_stdin |= !strcmp(val, "-");
			files[nfiles++] = val;
			break;
		}
	}
	if (!nfiles)
		dc_die("replay", "no FILE (see discontig help replay)");
	reps = calloc(nfiles, sizeof(*reps));
	if (!reps)
		dc_die("replay", "out of memory");
	for (i = 0; i < nfiles; i++) {
		dc_progress("replay: %s", files[i]);
		replay_file(files[i], &opt, &reps[i]);
		failed |= dc_replay_failed(&reps[i].r, opt.lenient);
	}
	dc_progress_end();
	if (opt.json) {
		dc_json_init(&j, stdout);
		dc_json_obj(&j, NULL);
		dc_json_str(&j, "backend", opt.backend ? opt.backend->name :
							 dc_backend_default()->name);
		dc_json_arr(&j, "files");
		for (i = 0; i < nfiles; i++)
			json_report(&j, &reps[i], &opt);
		dc_json_end(&j, ']');
		dc_json_end(&j, '}');
		dc_json_done(&j);
	} else {
		for (i = 0; i < nfiles; i++)
			text_report(&reps[i], &opt);
	}
	for (i = 0; i < nfiles; i++)
		dc_replay_report_free(&reps[i].r);
	free(reps);
	free(files);
	return failed ? DC_EXIT_CHECK : DC_EXIT_OK;
}
