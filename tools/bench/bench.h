/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench.h - the benchmark engine of `discontig bench`: columns (what is
 * measured: each compiled-in backend, and any peer added beside them),
 * result rows, the measuring helpers, the scenarios (one file each under
 * tools/bench/), the goals and the plot. cmd_bench.c parses options and
 * prints; nothing here parses the command line.
 *
 * Columns. A scenario drives a column through struct bench_impl, a small
 * adapter with the operations the scaling, small and metadata figures
 * need, so a peer that is not a discontig backend (Linux's own
 * memblock, tools/peer) is one more column: an impl and a name given to
 * bench_add_column(). Figures that need the discontig API itself (the
 * release loop, the hostile boot, the replay) are taken on columns with
 * a backend (col->ops) and marked skipped on the others.
 *
 * Every column runs the same work one after another, repeated (reps, at
 * least 5); a row keeps median, minimum and maximum per column, and the
 * ratio of each column to the first (the tree).
 */
#ifndef DC_TOOLS_BENCH_BENCH_H
#define DC_TOOLS_BENCH_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <discontig/backend.h>
#include <discontig/discontig.h>

#include "tools/sim/platform.h"

#define BENCH_MAX_COLS 8
#define BENCH_MAXREP 64
#define KiB (1ull << 10)
#define MiB (1ull << 20)
#define GiB (1ull << 30)

struct bench;
struct bench_goal;

/* Figures of a machine a column has built. */
struct bench_figures {
	uint64_t free_extents;	/* maximal free ranges */
	uint64_t metadata;	/* bytes taken from managed memory */
	uint64_t pool_used;	/* bytes of the caller's initial pool used */
	uint64_t node_share;	/* of those, the node layer's (the same
				   for every discontig backend; 0 else) */
};

/* One machine under test of one column. */
struct bench_target {
	const struct bench_col *col;
	void *priv;		/* the impl's */
};

/* The operations a column offers (0 or a negative error each). Flags
 * and requests are discontig's: a peer maps them to its own calls. */
struct bench_impl {
	int (*open)(struct bench_target *t, unsigned page_shift,
		    size_t pool_bytes, unsigned cfg_flags);
	int (*add)(struct bench_target *t, int nid, uint64_t base,
		   uint64_t size);
	int (*remove)(struct bench_target *t, uint64_t base, uint64_t size);
	int (*reserve)(struct bench_target *t, uint64_t base, uint64_t size);
	int (*finalize)(struct bench_target *t);
	int (*alloc)(struct bench_target *t, const struct dc_request *q,
		     uint64_t *out);
	int (*free)(struct bench_target *t, uint64_t base, uint64_t size);
	void (*figures)(struct bench_target *t, struct bench_figures *out);
	void (*close)(struct bench_target *t);
};

/* A column of the tables. */
struct bench_col {
	const char *name;
	const struct bench_impl *impl;
	const struct dc_backend_ops *ops;	/* a discontig backend, or
						   NULL for a peer */
	const char *color;			/* in the plot */
};

/* The discontig system behind a backend column (for the figures that
 * need the API itself). */
struct dc_system *bench_target_sys(struct bench_target *t);

struct bench_stat {
	double med, min, max;
	bool ok;
};

struct bench_row {
	const char *scen;
	char label[48];
	const char *metric;
	const char *unit;	/* "ns/op", "ns", "bytes", "count", "ops/s" */
	uint64_t x;		/* n, regions, nodes ... */
	struct bench_stat v[BENCH_MAX_COLS];
	char skip[BENCH_MAX_COLS][120];	/* why a column has no figure */
};

/* What the engine tells its printer, as it goes. */
struct bench_out {
	void (*section)(void *ctx, const struct bench *b, const char *title);
	void (*row)(void *ctx, const struct bench *b, const struct bench_row *r);
	void (*note)(void *ctx, const char *text);
	void *ctx;
};

struct bench_opts {
	bool quick;
	uint64_t n;		/* 0: the scenario's own sizes */
	uint64_t max_n;		/* 0, or scaling's sizes up to this only */
	unsigned reps;
	const char *logs;	/* the boot log folder (replay) */
};

struct bench {
	struct bench_opts o;
	uint64_t target_ns;	/* time one measurement aims at */
	struct bench_col cols[BENCH_MAX_COLS];
	unsigned ncols;
	struct bench_row *rows;
	unsigned nrows, caprows;
	struct bench_out out;
	uint64_t rng;
	char machine[512];	/* for reports and the plot */
	char date[32];
	char peer_version[32];	/* the memblock peer's kernel, or "" */
	const struct bench_goal *goals;	/* judged after the run: the
					   project's (bench_goals) unless
					   the caller sets its own */
	size_t ngoals;
};

/* A scenario: its name, what it shows, its run function. */
struct bench_scenario {
	const char *name;
	const char *summary;
	void (*run)(struct bench *b);
};

extern const struct bench_scenario bench_scaling, bench_small, bench_sn1,
	bench_hostile, bench_replay;

/* The scenarios in order, NULL-terminated. */
extern const struct bench_scenario *const bench_scenarios[];

/* ---- engine (bench.c) ---- */

void bench_init(struct bench *b, const struct bench_opts *o,
		const struct bench_out *out);
void bench_free(struct bench *b);

/* The compiled-in backends named in @list (comma-separated, NULL or
 * "all": every one), as columns. -1 on a name not compiled in. */
int bench_add_backends(struct bench *b, const char *list);

/* The node a peer column's own arena is on: memory a scenario adds
 * above its layout for a peer that grows its metadata inside the memory
 * it manages (memblock), left out of its figures (tools/bench/peer.c). */
#define BENCH_ARENA_NID 15

/*
 * `--peer SPEC`: "memblock" or "memblock=DIR" (an unpacked kernel tree or
 * a linux-source tarball). Builds or finds the peer and adds its column.
 * Return: 0; 2 when it is not available here (@why: how to get it); -1
 * for a SPEC that names no peer.
 */
int bench_add_peer(struct bench *b, const char *spec, char *why, size_t len);
void bench_peer_unload(void);

/* Add a column (a peer). -1 when full. */
int bench_add_column(struct bench *b, const char *name,
		     const struct bench_impl *impl, const char *color);

/* The column of a name, or -1. */
int bench_col_index(const struct bench *b, const char *name);

/* A new row (exits 2 when out of memory: the CLI's bench only). */
struct bench_row *bench_row_new(struct bench *b, const char *scen,
				const char *metric, const char *unit,
				uint64_t x, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
const struct bench_row *bench_row_find(const struct bench *b,
				       const char *scen, const char *metric,
				       uint64_t x);

void bench_section(struct bench *b, const char *title);
void bench_emit(struct bench *b, const struct bench_row *r);
void bench_note(struct bench *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

uint64_t bench_rnd(struct bench *b, uint64_t n);

/* Open a column's machine, or exit 2 naming the scenario. */
void bench_open(struct bench *b, struct bench_target *t, int col,
		unsigned shift, size_t pool, unsigned flags, const char *scen);
void bench_add(struct bench_target *t, int nid, uint64_t base, uint64_t size,
	       const char *scen);
void bench_finalize(struct bench_target *t, const char *scen);
void bench_close(struct bench_target *t);

/* One figure per repetition: fn returns it, or < 0 (not measured). */
typedef double (*bench_rep_fn)(struct bench *b, int col, void *ctx);
void bench_measure(struct bench *b, struct bench_row *r, int col,
		   bench_rep_fn fn, void *ctx);

/* Several figures per repetition; out[m] < 0: no such figure. */
typedef void (*bench_multi_fn)(struct bench *b, int col, void *ctx,
			       double *out);
void bench_measure_multi(struct bench *b, struct bench_row **r, unsigned nm,
			 int col, bench_multi_fn fn, void *ctx);

/* k operations of a scenario; returns the ns its timed part took. */
typedef uint64_t (*bench_batch_fn)(void *ctx, uint64_t k);

/* ns per operation: a warm-up batch sizes a batch lasting about
 * target_ns (warm .. cap operations), which is timed. */
double bench_per_op_ns(struct bench *b, bench_batch_fn batch, void *ctx,
		       uint64_t warm, uint64_t cap);

/* Mark column @col of @r skipped, saying why. */
void bench_skip(struct bench_row *r, int col, const char *why);

/* ---- goals (goals.c) ---- */

enum bench_goal_agg {
	BENCH_AT,		/* the rows at num.x and den.x */
	BENCH_WORST_ROW,	/* the largest num/den over the scenario's
				   rows (metric NULL: every metric) */
	BENCH_LARGEST_X,	/* the row with the largest x where both
				   columns have a figure */
};

struct bench_goal_term {
	const char *col, *scen, *metric;
	uint64_t x;
};

struct bench_goal {
	const char *what;
	struct bench_goal_term num, den;	/* ratio = num / den */
	enum bench_goal_agg agg;
	double threshold;
	bool at_most;		/* ratio <= threshold; else >= */
};

/* The project's goals (the performance issue), as data; a caller may
 * pass its own table to bench_goal_ratio() instead. */
extern const struct bench_goal bench_goals[];
extern const size_t bench_ngoals;

/* The measured ratio of a goal, or NAN when the run lacks a figure. */
double bench_goal_ratio(const struct bench *b, const struct bench_goal *g);
/* 1 met, 0 missed, -1 not measured. */
int bench_goal_met(const struct bench_goal *g, double ratio);

/* ---- the plot (plot.c) ---- */

/* The scaling figures, log-log, medians with min..max whiskers, one
 * series per column and metric; the machine and date below. -1 when
 * there is nothing to plot. Writes to @f; the caller closes it. */
int bench_plot_svg(const struct bench *b, FILE *f);

#endif /* DC_TOOLS_BENCH_BENCH_H */
