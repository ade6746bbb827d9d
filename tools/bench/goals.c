// SPDX-License-Identifier: BSD-3-Clause
/*
 * goals.c - the bench's goals, as data (bench.h): each goal is a ratio of
 * two figures of the result rows and a threshold. The table below is the
 * project's performance issue; another table of struct bench_goal can be
 * evaluated the same way (a peer's, or a new issue's), nothing else in
 * the bench knows what the goals are.
 */
#include "tools/bench/bench.h"

#include <math.h>
#include <string.h>

/*
 * Issue 15 first: the real memblock (`--peer memblock`; not measured, so
 * not judged, without it) beside the tree at 10^2 and 10^5 regions, the
 * tree's growth from 10^3 to 10^6 extents, and its metadata per free
 * extent at 10^5 (a figure against the constant 1: den.col NULL).
 */
const struct bench_goal bench_goals[] = {
	{ "memblock/tree alloc+free at n=10^2",
	  { "memblock", "scaling", "alloc+free", 100 },
	  { "tree", "scaling", "alloc+free", 100 }, BENCH_AT, 3, false },
	{ "memblock/tree reserve+free at n=10^2",
	  { "memblock", "scaling", "reserve+free", 100 },
	  { "tree", "scaling", "reserve+free", 100 }, BENCH_AT, 3, false },
	{ "memblock/tree alloc+free at n=10^5",
	  { "memblock", "scaling", "alloc+free", 100000 },
	  { "tree", "scaling", "alloc+free", 100000 }, BENCH_AT, 1000, false },
	{ "memblock/tree reserve+free at n=10^5",
	  { "memblock", "scaling", "reserve+free", 100000 },
	  { "tree", "scaling", "reserve+free", 100000 }, BENCH_AT, 1000,
	  false },
	{ "tree metadata bytes per free extent, n=10^5",
	  { "tree", "scaling", "metadata/extent", 100000 },
	  { NULL, NULL, NULL, 0 }, BENCH_AT, 32, true },
	{ "tree alloc+free at n=10^6 / at n=10^3",
	  { "tree", "scaling", "alloc+free", 1000000 },
	  { "tree", "scaling", "alloc+free", 1000 }, BENCH_AT, 2.5, true },
	{ "tree reserve at n=10^6 / at n=10^3",
	  { "tree", "scaling", "reserve", 1000000 },
	  { "tree", "scaling", "reserve", 1000 }, BENCH_AT, 2.5, true },
	{ "array/tree alloc+free at n=10^5",
	  { "array", "scaling", "alloc+free", 100000 },
	  { "tree", "scaling", "alloc+free", 100000 }, BENCH_AT, 100, false },
	{ "array/tree reserve at n=10^5",
	  { "array", "scaling", "reserve", 100000 },
	  { "tree", "scaling", "reserve", 100000 }, BENCH_AT, 100, false },
	{ "tree/array small machine, worst row",
	  { "tree", "small", NULL, 0 }, { "array", "small", NULL, 0 },
	  BENCH_WORST_ROW, 1.3, true },
	{ "bitmap/tree metadata, 16 TiB SN1",
	  { "bitmap", "sn1", "backend metadata", 128 },
	  { "tree", "sn1", "backend metadata", 128 }, BENCH_AT, 2000, false },
	{ "2.4 loop/tree release time, 16 TiB SN1",
	  { "bitmap", "sn1", "2.4 release loop", 128 },
	  { "tree", "sn1", "release_all time", 128 }, BENCH_AT, 100, false },
	{ "bitmap/tree hostile boot total",
	  { "bitmap", "hostile", "total time", 0 },
	  { "tree", "hostile", "total time", 0 }, BENCH_LARGEST_X, 50, false },
	{ "array/tree hostile boot total",
	  { "array", "hostile", "total time", 0 },
	  { "tree", "hostile", "total time", 0 }, BENCH_LARGEST_X, 50, false },
};
const size_t bench_ngoals = sizeof(bench_goals) / sizeof(bench_goals[0]);

static double median(const struct bench *b, const struct bench_row *r,
		     const char *col)
{
	int c = bench_col_index(b, col);

	return r && c >= 0 && r->v[c].ok ? r->v[c].med : NAN;
}

static bool row_is(const struct bench_row *r, const struct bench_goal_term *t)
{
	return !strcmp(r->scen, t->scen) &&
	       (!t->metric || !strcmp(r->metric, t->metric));
}

double bench_goal_ratio(const struct bench *b, const struct bench_goal *g)
{
	const struct bench_row *best = NULL;
	double worst = NAN;

	switch (g->agg) {
	case BENCH_AT:
		if (!g->den.col)	/* a figure, not a ratio */
			return median(b, bench_row_find(b, g->num.scen,
							g->num.metric,
							g->num.x), g->num.col);
		return median(b, bench_row_find(b, g->num.scen, g->num.metric,
						g->num.x), g->num.col) /
		       median(b, bench_row_find(b, g->den.scen, g->den.metric,
						g->den.x), g->den.col);
	case BENCH_WORST_ROW:
		for (unsigned i = 0; i < b->nrows; i++) {
			const struct bench_row *r = &b->rows[i];
			double x;

			if (!row_is(r, &g->num))
				continue;
			x = median(b, r, g->num.col) / median(b, r, g->den.col);
			if (!isnan(x) && (isnan(worst) || x > worst))
				worst = x;
		}
		return worst;
	case BENCH_LARGEST_X:
		for (unsigned i = 0; i < b->nrows; i++) {
			const struct bench_row *r = &b->rows[i];

			if (row_is(r, &g->num) &&
			    !isnan(median(b, r, g->num.col)) &&
			    !isnan(median(b, r, g->den.col)) &&
			    (!best || r->x > best->x))
				best = r;
		}
		return median(b, best, g->num.col) / median(b, best, g->den.col);
	}
	return NAN;
}

int bench_goal_met(const struct bench_goal *g, double ratio)
{
	if (isnan(ratio))
		return -1;
	return g->at_most ? ratio <= g->threshold : ratio >= g->threshold;
}
