// SPDX-License-Identifier: BSD-3-Clause
/*
 * bench.c - the engine of `discontig bench` (bench.h): columns and the
 * discontig adapter behind backend columns, result rows, repetitions and
 * batch timing, the machine description. The scenarios are in their own
 * files; cmd_bench.c prints.
 *
 * Each discontig column's machine is a struct dc_system on the host
 * platform (tools/sim/platform.h): memory the allocator writes into
 * (stolen metadata, the bitmap) is committed only where written. Every
 * system gets an initial pool large enough that no backend steals where
 * placement is compared, except where a scenario measures metadata.
 */
#include "tools/bench/bench.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "tools/util.h"

/* ---- the discontig adapter ---- */

struct bsys {
	struct dc_system *sys;
	struct dc_host_mem mem;
	struct dc_platform plat;
	void *pool;
	uint64_t pool_entries0;	/* shared pool entries after dc_init */
};

static int dc_open(struct bench_target *t, unsigned shift, size_t pool,
		   unsigned flags)
{
	struct bsys *s = calloc(1, sizeof(*s));
	struct dc_config cfg = { 0 };
	struct dc_stats st;
	int r;

	if (!s)
		return DC_ENOMEM;
	s->sys = calloc(1, sizeof(*s->sys));
	s->pool = malloc(pool);	/* touched only where the pool is used */
	if (!s->sys || !s->pool) {
		free(s->sys);
		free(s->pool);
		free(s);
		return DC_ENOMEM;
	}
	dc_host_mem_init(&s->mem, false);
	dc_host_platform(&s->mem, &s->plat, false);
	cfg.page_shift = shift;
	cfg.backend = t->col->ops;
	cfg.pool = s->pool;
	cfg.pool_bytes = pool;
	cfg.flags = flags;
	r = dc_init(s->sys, &cfg, &s->plat);
	dc_stats(s->sys, DC_NO_NODE, &st);
	s->pool_entries0 = st.pool_free;
	t->priv = s;
	return r;
}

static int dc_add(struct bench_target *t, int nid, uint64_t base,
		  uint64_t size)
{
	struct bsys *s = t->priv;
	int r = dc_add_memory(s->sys, nid, base, size);

	return r ? r : dc_host_mem_add(&s->mem, nid, base, size) ? DC_ENOMEM : 0;
}

static int dc_rm(struct bench_target *t, uint64_t base, uint64_t size)
{
	return dc_remove_memory(((struct bsys *)t->priv)->sys, base, size);
}

static int dc_res(struct bench_target *t, uint64_t base, uint64_t size)
{
	return dc_reserve(((struct bsys *)t->priv)->sys, base, size);
}

static int dc_fin(struct bench_target *t)
{
	return dc_finalize(((struct bsys *)t->priv)->sys);
}

static int dc_al(struct bench_target *t, const struct dc_request *q,
		 uint64_t *out)
{
	return dc_alloc(((struct bsys *)t->priv)->sys, q, out);
}

static int dc_fr(struct bench_target *t, uint64_t base, uint64_t size)
{
	return dc_free(((struct bsys *)t->priv)->sys, base, size);
}

/*
 * Bytes of the caller's initial pool in use: shared entries at dc_init
 * minus shared entries now. dc_stats of one node adds the shared count to
 * that node's own list; of all nodes, adds it once. With N >= 2 nodes
 * the shared count is (sum over nodes - total) / (N - 1).
 */
static void dc_figs(struct bench_target *t, struct bench_figures *out)
{
	struct bsys *s = t->priv;
	struct dc_stats tot, st;
	uint64_t sum = 0, shared;
	unsigned nodes = 0;

	dc_stats(s->sys, DC_NO_NODE, &tot);
	for (int nid = 0; nid < DC_MAX_NODES; nid++)
		if (!dc_stats(s->sys, nid, &st)) {
			sum += st.pool_free;
			nodes++;
		}
	shared = nodes >= 2 ? (sum - tot.pool_free) / (nodes - 1) :
			      tot.pool_free;
	out->free_extents = tot.free_extents;
	out->metadata = tot.metadata;
	out->pool_used = (s->pool_entries0 - shared) * DC_POOL_ENTRY_SIZE;
	/* node descriptors (dc_pool_block, rounded to entries) and one entry
	 * per fragment of the fragment map */
	out->node_share = nodes * ((sizeof(struct dc_node) + 63) & ~63ul) +
			  tot.fragments * DC_POOL_ENTRY_SIZE;
}

static void dc_close(struct bench_target *t)
{
	struct bsys *s = t->priv;

	if (!s)
		return;
	dc_host_mem_destroy(&s->mem);
	free(s->pool);
	free(s->sys);
	free(s);
	t->priv = NULL;
}

static const struct bench_impl dc_impl = {
	dc_open, dc_add, dc_rm, dc_res, dc_fin, dc_al, dc_fr, dc_figs, dc_close,
};

struct dc_system *bench_target_sys(struct bench_target *t)
{
	return t->col->ops ? ((struct bsys *)t->priv)->sys : NULL;
}

/* The scenarios, in the order they run (one file each). */
const struct bench_scenario *const bench_scenarios[] = {
	&bench_scaling, &bench_small, &bench_sn1, &bench_hostile,
	&bench_replay, NULL,
};

/* ---- columns ---- */

static const char *const col_colors[BENCH_MAX_COLS] = {
	"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
	"#7f7f7f", "#17becf",
};

int bench_add_column(struct bench *b, const char *name,
		     const struct bench_impl *impl, const char *color)
{
	if (b->ncols == BENCH_MAX_COLS)
		return -1;
	b->cols[b->ncols] = (struct bench_col){ name, impl, NULL,
		color ? color : col_colors[b->ncols] };
	return (int)b->ncols++;
}

static bool listed(const char *list, const char *name)
{
	size_t l = strlen(name);

	if (!list || !strcmp(list, "all"))
		return true;
	for (const char *p = list; *p; p += strcspn(p, ","), p += *p == ',')
		if (strcspn(p, ",") == l && !strncmp(p, name, l))
			return true;
	return false;
}

int bench_add_backends(struct bench *b, const char *list)
{
	static const char *const names[] = { "tree", "bitmap", "array" };

	if (list && strcmp(list, "all"))
		for (const char *p = list; *p; p += strcspn(p, ","),
		     p += *p == ',') {
			size_t l = strcspn(p, ",");
			bool known = false;

			for (size_t i = 0; i < 3; i++)
				known |= strlen(names[i]) == l &&
					 !strncmp(p, names[i], l) &&
					 dc_backend_find(names[i]);
			if (!known)
				return -1;
		}
	for (size_t i = 0; i < 3; i++) {
		const struct dc_backend_ops *ops = dc_backend_find(names[i]);
		int c;

		if (!ops || !listed(list, names[i]))
			continue;
		c = bench_add_column(b, names[i], &dc_impl, NULL);
		if (c >= 0)
			b->cols[c].ops = ops;
	}
	return 0;
}

int bench_col_index(const struct bench *b, const char *name)
{
	for (unsigned c = 0; c < b->ncols; c++)
		if (!strcmp(b->cols[c].name, name))
			return (int)c;
	return -1;
}

/* ---- the run ---- */

static void machine_describe(struct bench *b)
{
	char model[128] = "", line[256];
	struct utsname u;
	time_t now = time(NULL);
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
			snprintf(model, sizeof(model), "%s",
				 strchr(line, ':') + 2);
			model[strcspn(model, "\n")] = '\0';
			break;
		}
	if (f)
		fclose(f);
	if (uname(&u))
		memset(&u, 0, sizeof(u));
	snprintf(b->machine, sizeof(b->machine), "%s%s%ld cpus, %s %s",
		 model, model[0] ? ", " : "", sysconf(_SC_NPROCESSORS_ONLN),
		 u.sysname, u.release);
	strftime(b->date, sizeof(b->date), "%Y-%m-%d %H:%M UTC", gmtime(&now));
}

void bench_init(struct bench *b, const struct bench_opts *o,
		const struct bench_out *out)
{
	memset(b, 0, sizeof(*b));
	b->o = *o;
	b->out = *out;
	b->target_ns = o->quick ? 2000000 : 20000000;
	b->rng = 0x9e3779b97f4a7c15ull;
	b->goals = bench_goals;
	b->ngoals = bench_ngoals;
	machine_describe(b);
}

void bench_free(struct bench *b)
{
	free(b->rows);
	b->rows = NULL;
}

struct bench_row *bench_row_new(struct bench *b, const char *scen,
				const char *metric, const char *unit,
				uint64_t x, const char *fmt, ...)
{
	struct bench_row *r;
	va_list ap;

	/* fixed storage: scenarios keep pointers to their rows */
	if (!b->rows) {
		b->caprows = 1024;
		b->rows = calloc(b->caprows, sizeof(*b->rows));
		if (!b->rows)
			dc_die("bench", "out of memory");
	}
	if (b->nrows == b->caprows)
		dc_die("bench", "more than %u result rows", b->caprows);
	r = &b->rows[b->nrows++];
	memset(r, 0, sizeof(*r));
	r->scen = scen;
	r->metric = metric;
	r->unit = unit;
	r->x = x;
	va_start(ap, fmt);
	vsnprintf(r->label, sizeof(r->label), fmt, ap);
	va_end(ap);
	return r;
}

const struct bench_row *bench_row_find(const struct bench *b,
				       const char *scen, const char *metric,
				       uint64_t x)
{
	for (unsigned i = 0; i < b->nrows; i++)
		if (!strcmp(b->rows[i].scen, scen) &&
		    !strcmp(b->rows[i].metric, metric) && b->rows[i].x == x)
			return &b->rows[i];
	return NULL;
}

void bench_section(struct bench *b, const char *title)
{
	if (b->out.section)
		b->out.section(b->out.ctx, b, title);
}

void bench_emit(struct bench *b, const struct bench_row *r)
{
	if (b->out.row)
		b->out.row(b->out.ctx, b, r);
}

void bench_note(struct bench *b, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (b->out.note)
		b->out.note(b->out.ctx, text);
}

uint64_t bench_rnd(struct bench *b, uint64_t n)
{
	uint64_t x = b->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	b->rng = x;
	return n ? x % n : x;
}

void bench_skip(struct bench_row *r, int col, const char *why)
{
	snprintf(r->skip[col], sizeof(r->skip[col]), "%s", why);
}

/* ---- machines ---- */

void bench_open(struct bench *b, struct bench_target *t, int col,
		unsigned shift, size_t pool, unsigned flags, const char *scen)
{
	int r;

	memset(t, 0, sizeof(*t));
	t->col = &b->cols[col];
	r = t->col->impl->open(t, shift, pool, flags);
	if (r)
		dc_die("bench", "%s: %s: cannot open a machine with a %zu byte "
		       "pool: %s", scen, t->col->name, pool, dc_strerror(r));
}

void bench_add(struct bench_target *t, int nid, uint64_t base, uint64_t size,
	       const char *scen)
{
	int r = t->col->impl->add(t, nid, base, size);

	if (r)
		dc_die("bench", "%s: %s: adding memory node %d [%#llx+%#llx]: "
		       "%s", scen, t->col->name, nid, (unsigned long long)base,
		       (unsigned long long)size, dc_strerror(r));
}

void bench_finalize(struct bench_target *t, const char *scen)
{
	int r = t->col->impl->finalize(t);

	if (r)
		dc_die("bench", "%s: %s: finalize: %s", scen, t->col->name,
		       dc_strerror(r));
}

void bench_close(struct bench_target *t)
{
	if (t->col)
		t->col->impl->close(t);
	memset(t, 0, sizeof(*t));
}

/* ---- measuring ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static struct bench_stat summarize(double *v, unsigned k)
{
	struct bench_stat s = { 0, 0, 0, false };

	if (!k)
		return s;
	qsort(v, k, sizeof(*v), cmp_double);
	s.min = v[0];
	s.max = v[k - 1];
	s.med = k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
	s.ok = true;
	return s;
}

void bench_measure(struct bench *b, struct bench_row *r, int col,
		   bench_rep_fn fn, void *ctx)
{
	double v[BENCH_MAXREP];
	unsigned k = 0;

	for (unsigned rep = 0; rep < b->o.reps && rep < BENCH_MAXREP; rep++) {
		double x;

		dc_progress("bench: %s %s %s: %s, repetition %u/%u", r->scen,
			    r->label, r->metric, b->cols[col].name, rep + 1,
			    b->o.reps);
		x = fn(b, col, ctx);
		if (x < 0)
			break;
		v[k++] = x;
	}
	r->v[col] = summarize(v, k);
}

void bench_measure_multi(struct bench *b, struct bench_row **r, unsigned nm,
			 int col, bench_multi_fn fn, void *ctx)
{
	double (*v)[BENCH_MAXREP] = calloc(nm, sizeof(*v));
	unsigned k[16] = { 0 };
	double out[16];

	if (!v || nm > 16)
		dc_die("bench", "out of memory");
	for (unsigned rep = 0; rep < b->o.reps && rep < BENCH_MAXREP; rep++) {
		dc_progress("bench: %s %s: %s, repetition %u/%u", r[0]->scen,
			    r[0]->label, b->cols[col].name, rep + 1, b->o.reps);
		for (unsigned m = 0; m < nm; m++)
			out[m] = -1;
		fn(b, col, ctx, out);
		for (unsigned m = 0; m < nm; m++)
			if (out[m] >= 0)	/* negative: no such figure */
				v[m][k[m]++] = out[m];
	}
	for (unsigned m = 0; m < nm; m++)
		r[m]->v[col] = summarize(v[m], k[m]);
	free(v);
}

double bench_per_op_ns(struct bench *b, bench_batch_fn batch, void *ctx,
		       uint64_t warm, uint64_t cap)
{
	uint64_t probe = batch(ctx, warm);
	uint64_t per = probe / (warm ? warm : 1) + 1;
	uint64_t k = b->target_ns / per;

	if (k < warm)
		k = warm;
	if (k > cap)
		k = cap;
	return (double)batch(ctx, k) / (double)k;
}
