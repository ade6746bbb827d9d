// SPDX-License-Identifier: BSD-3-Clause
/*
 * cmd_bench.c - `discontig bench`: options, the tables as they come, the
 * goals, JSON and the plot. The engine and the scenarios are under
 * tools/bench/ (bench.h says how columns, rows and goals work).
 *
 * A long run is never silent: stdout is line-buffered, so `bench | tee`
 * shows each row as it is measured, and progress (scenario, size,
 * column, repetition, elapsed time) goes to stderr, on a terminal or not
 * (util.h), unless --quiet. Everything a run needs is checked before it
 * starts: a bench asked for the replay scenario that cannot find the
 * boot logs is exit 2 at once, not a skipped row at the end.
 *
 * JSON numbers are integers (DESIGN.md, "Tools"): times in ns, sizes in
 * bytes, ratios as ratio_milli (the ratio times 1000).
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/bench/bench.h"
#include "tools/cli.h"
#include "tools/cmds.h"
#include "tools/util.h"

#ifndef DC_SOURCE_DIR_DEFAULT
#define DC_SOURCE_DIR_DEFAULT "."
#endif

struct cli {
	bool json, quiet, check;
	const char *scenario, *svg, *backends, *peer;
};

/* ---- text output ---- */

static void fmt_value(char *buf, size_t len, double v, const char *unit)
{
	if (!strcmp(unit, "bytes")) {
		char h[32];

		snprintf(buf, len, "%s", dc_human((uint64_t)v, h));
	} else if (v >= 100 || !strcmp(unit, "count")) {
		snprintf(buf, len, "%.0f", v);
	} else {
		snprintf(buf, len, "%.3g", v);
	}
}

static void text_section(void *ctx, const struct bench *b, const char *title)
{
	printf("\n== %s ==\n%-12s %-22s", title, "", "metric");
	for (unsigned c = 0; c < b->ncols; c++)
		printf(" %-26s", b->cols[c].name);
	for (unsigned c = 1; c < b->ncols; c++)
		printf(" %s/%s", b->cols[c].name, b->cols[0].name);
	printf("\n");
}

static void text_row(void *ctx, const struct bench *b, const struct bench_row *r)
{
	char cell[128], a[32], lo[32], hi[32];

	printf("%-12s %-22s", r->label, r->metric);
	for (unsigned c = 0; c < b->ncols; c++) {
		if (!r->v[c].ok) {
			printf(" %-26s", "-");
			continue;
		}
		fmt_value(a, sizeof(a), r->v[c].med, r->unit);
		fmt_value(lo, sizeof(lo), r->v[c].min, r->unit);
		fmt_value(hi, sizeof(hi), r->v[c].max, r->unit);
		snprintf(cell, sizeof(cell), "%s [%s..%s]", a, lo, hi);
		printf(" %-26s", cell);
	}
	for (unsigned c = 1; c < b->ncols; c++) {
		int w = (int)(strlen(b->cols[c].name) + strlen(b->cols[0].name)) + 1;

		if (r->v[c].ok && r->v[0].ok && r->v[0].med > 0)
			printf(" %*.3g", w, r->v[c].med / r->v[0].med);
		else
			printf(" %*s", w, "-");
	}
	printf("  %s\n", r->unit);
	for (unsigned c = 0; c < b->ncols; c++)
		if (r->skip[c][0])
			printf("%-12s   %s: %s\n", "", b->cols[c].name, r->skip[c]);
}

static void text_note(void *ctx, const char *text)
{
	printf("%s\n", text);
}

static void goals_print(const struct bench *b)
{
	printf("\n== goals, from the medians above ==\n");
	for (size_t i = 0; i < b->ngoals; i++) {
		const struct bench_goal *g = &b->goals[i];
		double x = bench_goal_ratio(b, g);
		int met = bench_goal_met(g, x);

		if (met < 0)
			printf("  %-42s %10s  (not measured in this run)\n",
			       g->what, "-");
		else
			printf("  %-42s %10.4g  %s %g: %s\n", g->what, x,
			       g->at_most ? "<=" : ">=", g->threshold,
			       met ? "met" : "MISSED");
	}
}

/* ---- JSON ---- */

static void json_row(struct dc_json *j, const struct bench *b,
		     const struct bench_row *r)
{
	dc_json_obj(j, NULL);
	dc_json_str(j, "scenario", r->scen);
	dc_json_str(j, "label", r->label);
	dc_json_str(j, "metric", r->metric);
	dc_json_str(j, "unit", r->unit);
	dc_json_u64(j, "x", r->x);
	dc_json_obj(j, "backends");
	for (unsigned c = 0; c < b->ncols; c++) {
		dc_json_obj(j, b->cols[c].name);
		if (r->v[c].ok) {
			dc_json_u64(j, "median", (uint64_t)llround(r->v[c].med));
			dc_json_u64(j, "min", (uint64_t)llround(r->v[c].min));
			dc_json_u64(j, "max", (uint64_t)llround(r->v[c].max));
		} else {
			dc_json_str(j, "skipped", r->skip[c][0] ? r->skip[c] :
						  "not measured");
		}
		dc_json_end(j, '}');
	}
	dc_json_end(j, '}');
	dc_json_obj(j, "ratio_milli");
	for (unsigned c = 1; c < b->ncols; c++)
		if (r->v[c].ok && r->v[0].ok && r->v[0].med > 0) {
			char key[64];

			snprintf(key, sizeof(key), "%s/%s", b->cols[c].name,
				 b->cols[0].name);
			dc_json_u64(j, key, (uint64_t)llround(1000 * r->v[c].med /
							      r->v[0].med));
		}
	dc_json_end(j, '}');
	dc_json_end(j, '}');
}

static void json_report(const struct bench *b)
{
	struct dc_json j;

	dc_json_init(&j, stdout);
	dc_json_obj(&j, NULL);
	dc_json_str(&j, "command", "bench");
	dc_json_bool(&j, "quick", b->o.quick);
	dc_json_u64(&j, "reps", b->o.reps);
	dc_json_u64(&j, "cpus", (uint64_t)sysconf(_SC_NPROCESSORS_ONLN));
	dc_json_str(&j, "machine", b->machine);
	dc_json_str(&j, "memblock_kernel", b->peer_version);
	dc_json_str(&j, "date", b->date);
	dc_json_arr(&j, "backends");
	for (unsigned c = 0; c < b->ncols; c++)
		dc_json_str(&j, NULL, b->cols[c].name);
	dc_json_end(&j, ']');
	dc_json_arr(&j, "rows");
	for (unsigned i = 0; i < b->nrows; i++)
		json_row(&j, b, &b->rows[i]);
	dc_json_end(&j, ']');
	dc_json_arr(&j, "goals");
	for (size_t i = 0; i < b->ngoals; i++) {
		const struct bench_goal *g = &b->goals[i];
		double x = bench_goal_ratio(b, g);

		dc_json_obj(&j, NULL);
		dc_json_str(&j, "goal", g->what);
		if (!isnan(x))
			dc_json_u64(&j, "ratio_milli", (uint64_t)llround(1000 * x));
		dc_json_u64(&j, "threshold_milli",
			    (uint64_t)llround(1000 * g->threshold));
		dc_json_str(&j, "kind", g->at_most ? "at_most" : "at_least");
		if (!isnan(x))
			dc_json_bool(&j, "met", bench_goal_met(g, x) == 1);
		dc_json_end(&j, '}');
	}
	dc_json_end(&j, ']');
	dc_json_end(&j, '}');
	dc_json_done(&j);
}

/* ---- finding the boot logs ---- */

static bool has_logs(const char *dir)
{
	struct stat st;

	return !stat(dir, &st) && S_ISDIR(st.st_mode);
}

/*
 * The boot log folder: --logs DIR; else $DC_SHARED_DIR/data/bootlogs;
 * else shared/ beside the source tree the tool was built from; else
 * beside the tree holding the executable (BUILD/tools/discontig). NULL
 * when none exists; @tried lists where it looked.
 */
static const char *find_logs(const char *given, char *buf, size_t len,
			     char *tried, size_t tlen)
{
	char exe[PATH_MAX], *slash;
	const char *env = getenv("DC_SHARED_DIR");
	ssize_t n;

	if (given)
		return has_logs(given) ? given : NULL;
	tried[0] = '\0';
	if (env) {
		snprintf(buf, len, "%s/data/bootlogs", env);
		if (has_logs(buf))
			return buf;
		snprintf(tried, tlen, "%s", buf);
	}
	snprintf(buf, len, "%s/../shared/data/bootlogs", DC_SOURCE_DIR_DEFAULT);
	if (has_logs(buf))
		return buf;
	snprintf(tried + strlen(tried), tlen - strlen(tried), "%s%s",
		 tried[0] ? ", " : "", buf);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		for (int up = 0; up < 3 && (slash = strrchr(exe, '/')); up++)
			*slash = '\0';
		snprintf(buf, len, "%s/../shared/data/bootlogs", exe);
		if (has_logs(buf))
			return buf;
		snprintf(tried + strlen(tried), tlen - strlen(tried), ", %s",
			 buf);
	}
	return NULL;
}

/* ---- the command ---- */

void dc_usage_bench(FILE *f)
{
	fprintf(f,
		"usage: discontig bench [--quick] [--scenario NAME] [--n N] [--max-n N]\n"
		"                       [--reps R] [--json] [--svg FILE] [--logs DIR]\n"
		"                       [--backends LIST] [--peer memblock[=DIR]]\n"
		"                       [--check] [--quiet]\n"
		"\n"
		"Run every compiled-in backend (tree, bitmap, array) on the same work,\n"
		"one after another, R times (default 5), and print medians [min..max]\n"
		"and each backend's ratio to the tree.\n"
		"\n"
		"Scenarios (all by default):\n");
	for (size_t i = 0; bench_scenarios[i]; i++)
		fprintf(f, "  %-8s %s\n", bench_scenarios[i]->name,
			bench_scenarios[i]->summary);
	fprintf(f,
		"\n"
		"  --quick        a seconds-long version of everything\n"
		"  --scenario S   only scenario S; --n N alone means --scenario scaling\n"
		"  --reps R       repetitions, 5 .. %d\n"
		"  --max-n N      scaling: the sizes up to N only (the O(n^2) builds of\n"
		"                 array and memblock at 10^6 take minutes)\n"
		"  --json         one JSON object on stdout (times in ns, ratios x1000)\n"
		"  --svg FILE     plot of the scaling figures, log-log (- for stdout)\n"
		"  --logs DIR     the boot logs of the replay scenario (default:\n"
		"                 $DC_SHARED_DIR/data/bootlogs, else shared/ beside\n"
		"                 the source tree); missing: exit 2\n"
		"  --backends L   only these, comma-separated (ratios are to the first)\n"
		"  --peer memblock[=DIR]\n"
		"                 Linux's own mm/memblock.c as one more column (scaling,\n"
		"                 small), built by scripts/memblock-peer.sh from DIR (an\n"
		"                 unpacked kernel tree or a tarball), by default from\n"
		"                 Debian's linux-source-6.1; without it the bench says\n"
		"                 how to get it and goes on without the column\n"
		"  --check        exit 1 when a measured goal is missed\n"
		"  --quiet        no progress on stderr\n"
		"\n"
		"Rows are printed as they are measured; progress (scenario, size,\n"
		"backend, repetition, elapsed) goes to stderr after a few seconds.\n"
		"Exit status 0; 1 with --check and a missed goal; 2 bad usage.\n",
		BENCH_MAXREP);
}

enum { O_QUICK, O_SCEN, O_N, O_REPS, O_JSON, O_SVG, O_LOGS, O_BACKENDS,
       O_PEER, O_MAXN, O_CHECK, O_QUIET, O_HELP };

static const struct dc_opt bench_opts[] = {
	{ "--quick", false, O_QUICK }, { "--scenario", true, O_SCEN },
	{ "--n", true, O_N },          { "--reps", true, O_REPS },
	{ "--json", false, O_JSON },   { "--svg", true, O_SVG },
	{ "--logs", true, O_LOGS },    { "--backends", true, O_BACKENDS },
	{ "--peer", true, O_PEER },    { "--max-n", true, O_MAXN },
	{ "--check", false, O_CHECK }, { "--quiet", false, O_QUIET },
	{ "--help", false, O_HELP },   { NULL, false, 0 },
};

static void parse(int argc, char **argv, struct cli *c, struct bench_opts *o)
{
	static const struct dc_opt *const tables[] = { bench_opts, NULL };
	struct dc_args a;
	const char *val;
	uint64_t v;
	int id;

	dc_args_init(&a, "bench", argc, argv);
	while ((id = dc_args_next(&a, tables, &val)) != DC_ARG_END) {
		switch (id) {
		case O_QUICK: o->quick = true; break;
		case O_SCEN: c->scenario = val; break;
		case O_JSON: c->json = true; break;
		case O_SVG: c->svg = val; break;
		case O_LOGS: o->logs = val; break;
		case O_BACKENDS: c->backends = val; break;
		case O_PEER: c->peer = val; break;
		case O_CHECK: c->check = true; break;
		case O_QUIET: c->quiet = true; break;
		case O_N:
			if (!dc_parse_size(val, &v) || v < 1 || v > 100000000)
				dc_die("--n", "'%s' is not a count 1 .. 10^8", val);
			o->n = v;
			break;
		case O_MAXN:
			if (!dc_parse_size(val, &v) || v < 1)
				dc_die("--max-n", "'%s' is not a count >= 1", val);
			o->max_n = v;
			break;
		case O_REPS:
			if (!dc_parse_size(val, &v) || v < 5 || v > BENCH_MAXREP)
				dc_die("--reps", "'%s' is not a count 5 .. %d",
				       val, BENCH_MAXREP);
			o->reps = (unsigned)v;
			break;
		case O_HELP:
			dc_usage_bench(stdout);
			exit(dc_stdout_finish(DC_EXIT_OK));
		default:
			dc_die(val, "unexpected argument (see discontig help "
			       "bench)");
		}
	}
}

/* --peer: the column, or a line saying how to get it; the run goes on
 * without it (issue 15: "the bench says how to get it and goes on"). */
static void add_peer(struct bench *b, const char *spec, bool quiet_stdout)
{
	char why[600];
	int r = bench_add_peer(b, spec, why, sizeof(why));

	if (r < 0)
		dc_die("--peer", "'%s': the peer is memblock or memblock=DIR",
		       spec);
	if (r)
		fprintf(quiet_stdout ? stderr : stdout,
			"memblock peer: %s (going on without it)\n", why);
}

static const struct bench_scenario *scenario_find(const char *name)
{
	for (size_t i = 0; bench_scenarios[i]; i++)
		if (!strcmp(bench_scenarios[i]->name, name))
			return bench_scenarios[i];
	return NULL;
}

int dc_cmd_bench(int argc, char **argv)
{
	static char logs[4200];
	struct bench_out out = { text_section, text_row, text_note, NULL };
	struct bench_opts o = { .reps = 5 };
	struct cli c = { 0 };
	char tried[8600];
	struct bench b;
	bool missed = false;
	FILE *svg = NULL;

	setvbuf(stdout, NULL, _IOLBF, 0);	/* rows show as they come */
	parse(argc, argv, &c, &o);
	if (o.n && !c.scenario)
		c.scenario = "scaling";
	if (c.scenario && !scenario_find(c.scenario))
		dc_die("--scenario", "unknown scenario '%s' (scaling, small, "
		       "sn1, hostile, replay)", c.scenario);
	if (o.n && !strcmp(c.scenario, "replay"))
		dc_die("--n", "the replay scenario has no size");
	if (!c.scenario || !strcmp(c.scenario, "replay")) {
		const char *given = o.logs;

		o.logs = find_logs(given, logs, sizeof(logs), tried,
				   sizeof(tried));
		if (!o.logs && given)
			dc_die(given, "no such folder (--logs: the boot logs "
			       "of the replay scenario)");
		if (!o.logs)
			dc_die("bench", "the replay scenario needs the boot logs: "
			       "none at %s (give --logs DIR, or --scenario to "
			       "run another)", tried);
	}
	if (c.svg && !strcmp(c.svg, "-") && c.json)
		dc_die("--svg", "- and --json both want stdout");
	dc_progress_quiet(c.quiet);
	dc_progress_start();
	if (c.json || (c.svg && !strcmp(c.svg, "-")))
		memset(&out, 0, sizeof(out));	/* no tables on stdout */
	bench_init(&b, &o, &out);
	if (bench_add_backends(&b, c.backends) || !b.ncols)
		dc_die("--backends", "'%s': a backend that is not compiled in "
		       "(tree, bitmap, array)", c.backends);
	if (c.peer)
		add_peer(&b, c.peer, !out.note);
	if (c.svg)
		svg = dc_out_open(c.svg, "--svg");
	if (out.note)
		printf("discontig bench%s: %u repetitions, medians [min..max]; "
		       "%s; %s%s%s\n", o.quick ? " --quick" : "", o.reps,
		       b.machine, b.date,
		       b.peer_version[0] ? "; memblock: Linux " : "",
		       b.peer_version);
	for (size_t i = 0; bench_scenarios[i]; i++)
		if (!c.scenario || !strcmp(c.scenario, bench_scenarios[i]->name))
			bench_scenarios[i]->run(&b);
	dc_progress_end();
	if (svg) {
		if (bench_plot_svg(&b, svg))
			dc_warn("%s: no scaling figures to plot (run the "
				"scaling scenario)", c.svg);
		dc_out_close_or_die(svg, c.svg);
	}
	if (c.json)
		json_report(&b);
	else if (out.note)
		goals_print(&b);
	for (size_t i = 0; i < b.ngoals; i++)
		missed |= bench_goal_met(&b.goals[i],
					 bench_goal_ratio(&b, &b.goals[i])) == 0;
	bench_free(&b);
	bench_peer_unload();
	return c.check && missed ? DC_EXIT_CHECK : DC_EXIT_OK;
}
