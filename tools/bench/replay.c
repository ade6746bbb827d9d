// SPDX-License-Identifier: BSD-3-Clause
/*
 * replay.c - bench scenario 5: throughput of the replay of real boot
 * logs (shared/data/bootlogs, memblock=debug) with the engine of
 * tools/sim/replay.c, in process: parsing alone, then parsing and
 * replaying on each backend column.
 *
 * The log folder is found before anything runs (cmd_bench.c): a bench
 * that was asked for this scenario and cannot find its logs is a usage
 * error, never a silently skipped row.
 */
#include "tools/bench/bench.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tools/sim/replay.h"
#include "tools/util.h"

struct replay_set {
	char **files;
	unsigned nfiles;
	char **bufs;
	size_t *lens;
	uint64_t ops, requests;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.log files of the folder, sorted, read into memory. */
static void replay_load(struct replay_set *rs, const char *dir)
{
	char path[8200];
	struct dirent *e;
	DIR *d = opendir(dir);
	size_t l;

	if (!d)
		dc_die(dir, "cannot open the boot log folder: %s",
		       strerror(errno));
	while ((e = readdir(d))) {
		l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 4, ".log"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		rs->files = realloc(rs->files, (rs->nfiles + 1) *
					       sizeof(*rs->files));
		if (!rs->files || !(rs->files[rs->nfiles] = strdup(path)))
			dc_die("bench", "out of memory");
		rs->nfiles++;
	}
	closedir(d);
	if (!rs->nfiles)
		dc_die(dir, "no *.log files in the boot log folder");
	qsort(rs->files, rs->nfiles, sizeof(*rs->files), cmp_str);
	rs->bufs = calloc(rs->nfiles, sizeof(*rs->bufs));
	rs->lens = calloc(rs->nfiles, sizeof(*rs->lens));
	if (!rs->bufs || !rs->lens)
		dc_die("bench", "out of memory");
	for (unsigned i = 0; i < rs->nfiles; i++)
		rs->bufs[i] = dc_read_file(rs->files[i], &rs->lens[i]);
}

static void parse_or_die(const struct replay_set *rs, unsigned i,
			 struct dc_mb_log *log)
{
	struct dc_parse_error e = { 0 };

	if (dc_mb_parse(rs->bufs[i], rs->lens[i], log, &e))
		dc_die(rs->files[i], "line %lu: %s", e.line, e.msg);
}

/* Parse every log once: the work the replay does before any backend. */
static double replay_parse(struct bench *b, int col, void *ctx)
{
	struct replay_set *rs = ctx;
	uint64_t ns = 0, t0;

	rs->ops = rs->requests = 0;
	for (unsigned i = 0; i < rs->nfiles; i++) {
		struct dc_mb_log log;

		t0 = dc_now_ns();
		parse_or_die(rs, i, &log);
		ns += dc_now_ns() - t0;
		rs->ops += log.nops + log.nmemory + log.nreserved;
		rs->requests += log.nrequests;
		dc_mb_free(&log);
	}
	return (double)ns;
}

/* Parse and replay every log on the column's backend; figures: time,
 * operations per second, and 1 if a request missed. */
static void replay_run(struct bench *b, int col, void *ctx, double *out)
{
	struct dc_replay_opts o = { b->cols[col].ops };
	struct replay_set *rs = ctx;
	uint64_t t0 = dc_now_ns();
	bool missed = false;

	if (!o.backend)
		return;
	for (unsigned i = 0; i < rs->nfiles; i++) {
		struct dc_replay_report rep = { 0 };
		struct dc_parse_error e = { 0 };
		struct dc_mb_log log;

		parse_or_die(rs, i, &log);
		if (dc_replay_log(&log, &o, &rep, &e))
			dc_die(rs->files[i], "line %lu: %s", e.line, e.msg);
		missed |= dc_replay_failed(&rep, false);
		dc_replay_report_free(&rep);
		dc_mb_free(&log);
	}
	out[0] = (double)(dc_now_ns() - t0);
	out[1] = out[0] > 0 ? (double)rs->ops * 1e9 / out[0] : 0;
	out[2] = missed;
}

static void replay_scenario(struct bench *b)
{
	static const char *const metrics[] = { "replay time", "throughput",
					       "exit status" };
	static const char *const units[] = { "ns", "ops/s", "count" };
	struct replay_set rs = { 0 };
	struct bench_row *r[3], *rp;

	bench_section(b, "5. replay: memblock=debug boot logs");
	replay_load(&rs, b->o.logs);
	rp = bench_row_new(b, "replay", "parse only", "ns", rs.nfiles,
			   "logs=%u", rs.nfiles);
	for (unsigned m = 0; m < 3; m++)
		r[m] = bench_row_new(b, "replay", metrics[m], units[m],
				     rs.nfiles, "logs=%u", rs.nfiles);
	/* the parser's share, the same for every column; counts the ops */
	bench_measure(b, rp, 0, replay_parse, &rs);
	for (unsigned col = 1; col < b->ncols; col++)
		rp->v[col] = rp->v[0];
	for (unsigned col = 0; col < b->ncols; col++) {
		bench_measure_multi(b, r, 3, (int)col, replay_run, &rs);
		if (!b->cols[col].ops)
			for (unsigned m = 0; m < 3; m++)
				bench_skip(r[m], (int)col, "needs the discontig "
					   "API");
	}
	bench_note(b, "(%s: %u logs, %llu memblock operations, %llu allocation "
		   "requests; throughput = operations / replay time, parsing "
		   "included; exit status 1 = a request missed)", b->o.logs,
		   rs.nfiles, (unsigned long long)rs.ops,
		   (unsigned long long)rs.requests);
	bench_emit(b, rp);
	for (unsigned m = 0; m < 3; m++)
		bench_emit(b, r[m]);
	for (unsigned i = 0; i < rs.nfiles; i++) {
		free(rs.files[i]);
		free(rs.bufs[i]);
	}
	free(rs.files);
	free(rs.bufs);
	free(rs.lens);
}

const struct bench_scenario bench_replay = {
	"replay", "replay throughput on the memblock=debug boot logs "
	"(--logs DIR)", replay_scenario,
};
