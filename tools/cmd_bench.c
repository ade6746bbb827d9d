// SPDX-License-Identifier: BSD-3-Clause
/*
 * cmd_bench.c - `discontig bench`: the three backends on the same work, in
 * one process, one after another, side by side (issue 7).
 *
 * Why: the 2001 proposal claimed that extent trees make boot memory cost
 * grow with the number of fragments instead of the size of memory, and
 * today's Linux uses sorted arrays (memblock). Each scenario below runs
 * every compiled-in backend on identical work, repeats it (--reps, at
 * least 5), and prints the median with the minimum and maximum, and the
 * ratio of each backend's median to the tree's:
 *
 *  1. scaling: one node with n free extents, n = 10^2 .. 10^6: the cost
 *     of an alloc/free pair (one page, bottom-up from a random goal) and
 *     of a reserve (one free page). The layout is the same for all three
 *     (free and reserved pages alternate), so the bitmap's span is the
 *     one that holds n extents: 2n pages. Building n regions on the array
 *     one reserve at a time costs O(n^2), about 3 minutes at 10^6 here.
 *  2. small: a PC with 8 to 64 regions (memory fragments plus
 *     reservations): per-op cost of boot-like allocations and reserves.
 *  3. sn1: an SN1-like 16 TiB machine, 128 nodes of 128 GiB, each in its
 *     own 256 GiB slot at nid * 256 GiB, 16 KiB pages, 8 fragments per
 *     node (1024 in all): metadata, time of dc_release_all, and the 2.4
 *     per-page hand-off count.
 *  4. hostile: 128 nodes, 10^5 firmware holes, 2x10^5 and 10^6
 *     allocations of mixed sizes, alignments and nodes: the total time of
 *     the boot. Every small allocation leaves its alignment padding as a
 *     free range that memblock's linear search walks on every later
 *     request, so the array backend's boot is O(allocs^2): about 11
 *     minutes for its 5 runs at 10^6 here.
 *  5. replay: throughput of `discontig replay` (tools/cmd_replay.c, called
 *     in process) on shared/data/bootlogs.
 *
 * Memory the allocator writes into (stolen metadata, the bitmap) is host
 * memory from tools/platform.h, committed only where written. Every system
 * gets an initial pool large enough that no backend steals where placement
 * is compared, except where a scenario measures metadata.
 *
 * JSON numbers are integers (DESIGN.md, "Tools"): times in ns, sizes in
 * bytes, ratios as ratio_milli (the ratio times 1000).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <discontig/backend.h>
#include <discontig/discontig.h>

#include "tools/cmds.h"
#include "tools/memblock_log.h"
#include "tools/platform.h"
#include "tools/util.h"

#define NBK 3			/* tree, bitmap, array */
#define BK_BITMAP 1
#define BK_ARRAY 2
#define MAXREP 64
#define MAXROWS 512
#define KiB (1ull << 10)
#define MiB (1ull << 20)
#define GiB (1ull << 30)

/* --- options and results -------------------------------------------------- */

struct bench_opts {
	bool quick, json, scen_given;
	const char *scenario;	/* NULL: all */
	uint64_t n;		/* 0: the scenario's own sizes */
	const char *svg;
	const char *logs;	/* boot log folder */
	const char *backends;	/* comma-separated, NULL: all */
	unsigned reps;
	uint64_t target_ns;	/* time one measurement aims at */
};

struct stat3 {
	double med, min, max;
	bool ok;
};

struct row {
	const char *scen;
	char label[48];
	const char *metric;
	const char *unit;	/* "ns/op", "ns", "bytes", "count", "ops/s" */
	uint64_t x;		/* n, regions, nodes ... */
	struct stat3 v[NBK];
	char skip[NBK][160];	/* why a backend has no figure */
};

static const char *const bk_names[NBK] = { "tree", "bitmap", "array" };
static const struct dc_backend_ops *bk[NBK];
static struct row rows[MAXROWS];
static unsigned nrows;
static struct bench_opts O;
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(uint64_t n)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return n ? x % n : x;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static struct stat3 summarize(double *v, unsigned k)
{
	struct stat3 s = { 0, 0, 0, false };

	if (!k)
		return s;
	qsort(v, k, sizeof(*v), cmp_double);
	s.min = v[0];
	s.max = v[k - 1];
	s.med = k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
	s.ok = true;
	return s;
}

static struct row *row_new(const char *scen, const char *metric,
			   const char *unit, uint64_t x, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static struct row *row_new(const char *scen, const char *metric,
			   const char *unit, uint64_t x, const char *fmt, ...)
{
	struct row *r;
	va_list ap;

	if (nrows == MAXROWS)
		dc_die("bench", "too many result rows");
	r = &rows[nrows++];
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

static const struct row *row_find(const char *scen, const char *metric,
				  uint64_t x)
{
	for (unsigned i = 0; i < nrows; i++)
		if (!strcmp(rows[i].scen, scen) &&
		    !strcmp(rows[i].metric, metric) && rows[i].x == x)
			return &rows[i];
	return NULL;
}

/* --- a system on the host platform ----------------------------------------- */

struct bsys {
	struct dc_system *sys;
	struct dc_host_mem mem;
	struct dc_platform plat;
	void *pool;
	size_t pool_bytes;
	uint64_t pool_entries0;	/* shared pool entries after dc_init */
};

static void bsys_init(struct bsys *b, const struct dc_backend_ops *ops,
		      unsigned shift, size_t pool, unsigned flags)
{
	struct dc_config cfg = { 0 };
	struct dc_stats st;
	int r;

	memset(b, 0, sizeof(*b));
	b->sys = calloc(1, sizeof(*b->sys));
	b->pool = malloc(pool);	/* touched only where the pool is used */
	if (!b->sys || !b->pool)
		dc_die("bench", "out of memory for a %zu byte pool", pool);
	b->pool_bytes = pool;
	dc_host_mem_init(&b->mem, false);
	dc_host_platform(&b->mem, &b->plat, false);
	cfg.page_shift = shift;
	cfg.backend = ops;
	cfg.pool = b->pool;
	cfg.pool_bytes = pool;
	cfg.flags = flags;
	r = dc_init(b->sys, &cfg, &b->plat);
	if (r)
		dc_die("bench", "dc_init: %s", dc_strerror(r));
	dc_stats(b->sys, DC_NO_NODE, &st);
	b->pool_entries0 = st.pool_free;
}

static void bsys_add(struct bsys *b, int nid, dc_addr_t base, dc_size_t size)
{
	int r = dc_add_memory(b->sys, nid, base, size);

	if (r)
		dc_die("bench", "dc_add_memory(%d, %#llx, %#llx): %s", nid,
		       (unsigned long long)base, (unsigned long long)size,
		       dc_strerror(r));
	r = dc_host_mem_add(&b->mem, nid, base, size);
	if (r)
		dc_die("bench", "host memory for %#llx: %s",
		       (unsigned long long)base, strerror(-r));
}

static void bsys_finalize(struct bsys *b)
{
	int r = dc_finalize(b->sys);

	if (r)
		dc_die("bench", "dc_finalize: %s", dc_strerror(r));
}

static void bsys_fini(struct bsys *b)
{
	dc_host_mem_destroy(&b->mem);
	free(b->pool);
	free(b->sys);
	memset(b, 0, sizeof(*b));
}

/*
 * Bytes of the caller's initial pool in use: shared entries at dc_init
 * minus shared entries now. dc_stats of one node adds the shared count to
 * that node's own list; of all nodes, adds it once. With N >= 2 nodes
 * the shared count is (sum over nodes - total) / (N - 1).
 */
static uint64_t pool_used_bytes(const struct bsys *b)
{
	struct dc_stats t, s;
	uint64_t sum = 0, shared;
	unsigned nodes = 0;

	dc_stats(b->sys, DC_NO_NODE, &t);
	for (int nid = 0; nid < DC_MAX_NODES; nid++)
		if (!dc_stats(b->sys, nid, &s)) {
			sum += s.pool_free;
			nodes++;
		}
	shared = nodes >= 2 ? (sum - t.pool_free) / (nodes - 1) : t.pool_free;
	return (b->pool_entries0 - shared) * DC_POOL_ENTRY_SIZE;
}

/* --- output ------------------------------------------------------------------ */

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

static void print_header(const char *title)
{
	if (O.json)
		return;
	printf("\n== %s ==\n%-12s %-22s", title, "", "metric");
	for (int b = 0; b < NBK; b++)
		if (bk[b])
			printf(" %-26s", bk_names[b]);
	for (int b = 1; b < NBK; b++)
		if (bk[b] && bk[0])
			printf(" %s/tree", bk_names[b]);
	printf("\n");
}

static void print_row(const struct row *r)
{
	char cell[128], a[32], lo[32], hi[32];

	if (O.json)
		return;
	printf("%-12s %-22s", r->label, r->metric);
	for (int b = 0; b < NBK; b++) {
		if (!bk[b])
			continue;
		if (!r->v[b].ok) {
			printf(" %-26s", "-");
			continue;
		}
		fmt_value(a, sizeof(a), r->v[b].med, r->unit);
		fmt_value(lo, sizeof(lo), r->v[b].min, r->unit);
		fmt_value(hi, sizeof(hi), r->v[b].max, r->unit);
		snprintf(cell, sizeof(cell), "%s [%s..%s]", a, lo, hi);
		printf(" %-26s", cell);
	}
	for (int b = 1; b < NBK; b++) {
		if (!bk[b] || !bk[0])
			continue;
		if (r->v[b].ok && r->v[0].ok && r->v[0].med > 0)
			printf(" %*.3g", (int)strlen(bk_names[b]) + 5,
			       r->v[b].med / r->v[0].med);
		else
			printf(" %*s", (int)strlen(bk_names[b]) + 5, "-");
	}
	printf("  %s\n", r->unit);
	for (int b = 0; b < NBK; b++)
		if (bk[b] && r->skip[b][0])
			printf("%-12s   %s: %s\n", "", bk_names[b], r->skip[b]);
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void note(const char *fmt, ...)
{
	va_list ap;

	if (O.json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

/* --- measuring ---------------------------------------------------------------- */

/*
 * One figure per repetition: fn runs the work of one repetition for
 * backend b and returns its value (or a negative number: not measured).
 */
typedef double (*rep_fn)(int b, void *ctx);

static void measure(struct row *r, int b, rep_fn fn, void *ctx)
{
	double v[MAXREP];
	unsigned k = 0;

	for (unsigned rep = 0; rep < O.reps && rep < MAXREP; rep++) {
		double x;

		dc_progress("bench: %s %s %s: %s, repetition %u/%u", r->scen,
			    r->label, r->metric, bk_names[b], rep + 1, O.reps);
		x = fn(b, ctx);
		if (x < 0)
			break;
		v[k++] = x;
	}
	r->v[b] = summarize(v, k);
}

/* How many ops make one measurement last about O.target_ns, given the
 * cost of a first few. */
static uint64_t batch_size(uint64_t probe_ns, uint64_t probe_ops,
			   uint64_t min_ops, uint64_t max_ops)
{
	uint64_t per = probe_ns / (probe_ops ? probe_ops : 1) + 1;
	uint64_t k = O.target_ns / per;

	if (k < min_ops)
		k = min_ops;
	if (k > max_ops)
		k = max_ops;
	return k;
}

/* k operations of a scenario; returns the ns its timed part took. */
typedef uint64_t (*batch_fn)(void *ctx, uint64_t k);

/* ns per operation: a warm-up batch of warm operations sizes a batch
 * that lasts about O.target_ns (warm .. cap operations), which is timed. */
static double per_op_ns(batch_fn batch, void *ctx, uint64_t warm,
			uint64_t cap)
{
	uint64_t k = batch_size(batch(ctx, warm), warm, warm, cap);

	return (double)batch(ctx, k) / (double)k;
}

/* Several figures per repetition (a boot gives metadata, times, counts). */
typedef void (*multi_fn)(int b, void *ctx, double *out);

static void measure_multi(struct row **r, unsigned nm, int b, multi_fn fn,
			  void *ctx)
{
	static double v[16][MAXREP];
	unsigned k[16] = { 0 };
	double out[16];

	for (unsigned rep = 0; rep < O.reps && rep < MAXREP; rep++) {
		dc_progress("bench: %s %s: %s, repetition %u/%u", r[0]->scen,
			    r[0]->label, bk_names[b], rep + 1, O.reps);
		fn(b, ctx, out);
		for (unsigned m = 0; m < nm; m++)
			if (out[m] >= 0)	/* negative: no such figure */
				v[m][k[m]++] = out[m];
	}
	for (unsigned m = 0; m < nm; m++)
		r[m]->v[b] = summarize(v[m], k[m]);
}

/* --- 1. scaling ------------------------------------------------------------ */

#define PG 4096ull
#define SC_BASE GiB		/* the node starts at 1 GiB */

struct scaling {
	struct bsys s;
	uint64_t n;
};

/*
 * n free pages alternating with n reserved ones, so every backend sees n
 * free extents:
 *
 *   SC_BASE                                               + 2n pages
 *   | free | res | free | res | ... | free | res | bitmap, slack (taken) |
 */
static void scaling_build(struct scaling *c, int b)
{
	uint64_t n = c->n, extra = 2 * n / 8 / PG + 3, i;
	struct dc_stats st;
	int r;

	bsys_init(&c->s, bk[b], 12, (size_t)(160 * n + 4 * MiB), 0);
	bsys_add(&c->s, 0, SC_BASE, (2 * n + extra) * PG);
	bsys_finalize(&c->s);
	for (i = 0; i < n; i++) {
		r = dc_reserve(c->s.sys, SC_BASE + (2 * i + 1) * PG, PG);
		if (r)
			dc_die("bench", "scaling: reserve %llu: %s",
			       (unsigned long long)i, dc_strerror(r));
		if (!(i & 1023))
			dc_progress("bench: scaling n=%llu: %s building %llu%%",
				    (unsigned long long)n, bk_names[b],
				    (unsigned long long)(100 * i / n));
	}
	/* the slack above, around the bitmap's own pages (metadata) */
	for (i = 2 * n; i < 2 * n + extra; i++)
		dc_reserve(c->s.sys, SC_BASE + i * PG, PG);
	dc_stats(c->s.sys, DC_NO_NODE, &st);
	if (st.free_extents != n)
		dc_die("bench", "scaling: %s has %llu free extents, not %llu",
		       bk_names[b], (unsigned long long)st.free_extents,
		       (unsigned long long)n);
}

/* k alloc/free pairs: one page, bottom-up from a random goal */
static uint64_t scaling_pair_batch(void *ctx, uint64_t k)
{
	struct scaling *c = ctx;
	struct dc_request q = { .size = PG, .align = PG, .nid = 0,
				.flags = DC_REQ_BOTTOM_UP | DC_REQ_EXACT_NODE };
	uint64_t t0 = dc_now_ns();
	dc_addr_t a;

	for (uint64_t i = 0; i < k; i++) {
		q.min_addr = SC_BASE + 2 * PG * rnd(c->n);
		if (dc_alloc(c->s.sys, &q, &a) || dc_free(c->s.sys, a, PG))
			dc_die("bench", "scaling: alloc/free pair failed");
	}
	return dc_now_ns() - t0;
}

static double scaling_pairs(int b, void *ctx)
{
	return per_op_ns(scaling_pair_batch, ctx, 8, 1000000);
}

/* a step through 0 .. n-1 that visits distinct pages: a prime not
 * dividing n */
static uint64_t scaling_stride(uint64_t n)
{
	static const uint64_t primes[] = { 7919, 7907, 7901, 7883, 104729 };

	for (unsigned i = 0; i < sizeof(primes) / sizeof(primes[0]); i++)
		if (n % primes[i])
			return primes[i] % n ? primes[i] % n : 1;
	return 1;
}

/* k reserves of free pages, timed, then given back untimed */
static uint64_t scaling_reserve_batch(void *ctx, uint64_t k)
{
	struct scaling *c = ctx;
	uint64_t start = rnd(c->n), step = scaling_stride(c->n), t0, ns, i;
	int r;

	t0 = dc_now_ns();
	for (i = 0; i < k; i++) {
		r = dc_reserve(c->s.sys, SC_BASE +
			       2 * PG * ((start + i * step) % c->n), PG);
		if (r)
			dc_die("bench", "scaling: reserve: %s", dc_strerror(r));
	}
	ns = dc_now_ns() - t0;
	for (i = 0; i < k; i++)
		dc_free(c->s.sys, SC_BASE + 2 * PG * ((start + i * step) % c->n),
			PG);
	return ns;
}

/* ns per reserve of one free page (at most n/4 of them per batch) */
static double scaling_reserves(int b, void *ctx)
{
	struct scaling *c = ctx;

	return per_op_ns(scaling_reserve_batch, ctx, 4,
			 c->n / 4 > 4 ? c->n / 4 : 4);
}

static void scenario_scaling(void)
{
	static const uint64_t full[] = { 100, 1000, 10000, 100000, 1000000 };
	static const uint64_t quick[] = { 100, 1000, 10000 };
	const uint64_t *ns = O.quick ? quick : full;
	unsigned count = O.quick ? 3 : 5;
	static struct scaling c;

	if (O.n) {
		ns = &O.n;
		count = 1;
	}
	print_header("1. scaling: one node, n free extents, 4 KiB pages");
	for (unsigned i = 0; i < count; i++) {
		struct row *rp = row_new("scaling", "alloc+free", "ns/op", ns[i],
					 "n=%llu", (unsigned long long)ns[i]);
		struct row *rr = row_new("scaling", "reserve", "ns/op", ns[i],
					 "n=%llu", (unsigned long long)ns[i]);

		for (int b = 0; b < NBK; b++) {
			if (!bk[b])
				continue;
			c.n = ns[i];
			rng_state = 0x5ca1ab1e + ns[i];
			scaling_build(&c, b);
			measure(rp, b, scaling_pairs, &c);
			measure(rr, b, scaling_reserves, &c);
			bsys_fini(&c.s);
		}
		print_row(rp);
		print_row(rr);
	}
}

/* --- 2. a small machine --------------------------------------------------------- */

struct small {
	struct bsys s;
	unsigned regions;
};

/*
 * A PC with 8 GiB: three e820 RAM ranges, split further by 1 MiB holes
 * (every 8 regions one more), and reservations (kernel image, initrd,
 * firmware tables) up to the number of regions, memory plus reserved.
 */
static void small_build(struct small *c, int b)
{
	unsigned holes = (c->regions - 8) / 8, nres, k;
	dc_addr_t hi = 4 * GiB;
	int r;

	bsys_init(&c->s, bk[b], 12, 4 * MiB, DC_CFG_TOP_DOWN);
	bsys_add(&c->s, 0, 0x1000, 0x9e000);
	bsys_add(&c->s, 0, MiB, 0xbff00000 - MiB);
	bsys_add(&c->s, 0, hi, 5 * GiB);
	for (k = 0; k < holes; k++)
		dc_remove_memory(c->s.sys, hi + (k + 1) * (5 * GiB /
						 (holes + 1)), MiB);
	nres = c->regions - 3 - holes;
	r = dc_reserve(c->s.sys, 16 * MiB, 32 * MiB);		/* kernel */
	if (!r && nres > 1)
		r = dc_reserve(c->s.sys, 0x37000000, 64 * MiB);	/* initrd */
	for (k = 2; !r && k < nres; k++)	/* tables, spread out */
		r = dc_reserve(c->s.sys, 2 * GiB + (k - 2) * (GiB / nres),
			       PG << (k % 8));
	if (r)
		dc_die("bench", "small: reserve: %s", dc_strerror(r));
	bsys_finalize(&c->s);
}

/* k alloc/free pairs of boot-like sizes, on node 0 or any node */
static uint64_t small_pair_batch(void *ctx, uint64_t k)
{
	static const dc_size_t sizes[] = { 64, 512, 4096, 32768, 256 * KiB,
					   2 * MiB };
	struct small *c = ctx;
	struct dc_request q = { 0 };
	uint64_t t0 = dc_now_ns();
	dc_addr_t a;

	for (uint64_t n = 0; n < k; n++) {
		unsigned i = (unsigned)rnd(6);

		q.size = sizes[i];
		q.align = i == 5 ? 2 * MiB : i >= 2 ? PG : 0;
		q.nid = rnd(2) ? 0 : DC_NO_NODE;
		if (dc_alloc(c->s.sys, &q, &a) || dc_free(c->s.sys, a, q.size))
			dc_die("bench", "small: alloc/free pair failed");
	}
	return dc_now_ns() - t0;
}

static double small_pairs(int b, void *ctx)
{
	return per_op_ns(small_pair_batch, ctx, 16, 2000000);
}

/* k reserves of one page in [1 GiB, 1.5 GiB), free of reservations */
static uint64_t small_reserve_batch(void *ctx, uint64_t k)
{
	struct small *c = ctx;
	uint64_t t0 = dc_now_ns(), ns, i;

	for (i = 0; i < k; i++)
		if (dc_reserve(c->s.sys, GiB + i * 64 * KiB, PG))
			dc_die("bench", "small: reserve failed");
	ns = dc_now_ns() - t0;
	for (i = 0; i < k; i++)
		dc_free(c->s.sys, GiB + i * 64 * KiB, PG);
	return ns;
}

static double small_reserves(int b, void *ctx)
{
	return per_op_ns(small_reserve_batch, ctx, 8, 8192);
}

static void scenario_small(void)
{
	static const unsigned full[] = { 8, 16, 32, 64 };
	unsigned one = (unsigned)O.n;
	const unsigned *rs = full;
	unsigned count = 4;
	static struct small c;

	if (O.n) {
		if (O.n < 8 || O.n > 4096)
			dc_die("bench", "small: --n is the number of regions, "
			       "8 .. 4096");
		rs = &one;
		count = 1;
	}
	print_header("2. small machine: a PC, 8 GiB, regions = memory + reserved");
	for (unsigned i = 0; i < count; i++) {
		struct row *rp = row_new("small", "alloc+free", "ns/op", rs[i],
					 "regions=%u", rs[i]);
		struct row *rr = row_new("small", "reserve", "ns/op", rs[i],
					 "regions=%u", rs[i]);

		for (int b = 0; b < NBK; b++) {
			if (!bk[b])
				continue;
			c.regions = rs[i];
			rng_state = 0x5a11 + rs[i];
			small_build(&c, b);
			measure(rp, b, small_pairs, &c);
			measure(rr, b, small_reserves, &c);
			bsys_fini(&c.s);
		}
		print_row(rp);
		print_row(rr);
	}
}

/* --- 3. an SN1-like 16 TiB machine ----------------------------------------------- */

#define SN1_SLOT (256 * GiB)	/* node nid's slot starts at nid * 256 GiB */
#define SN1_FRAGS 8		/* per node: 8 x 16 GiB, 16 GiB apart */
#define SN1_FRAG (16 * GiB)
#define SN1_PAGE (16 * KiB)	/* ia64 */

struct sn1 {
	unsigned nodes;
	uint64_t blocks;	/* released blocks */
};

static void sn1_release_fn(void *ctx, int nid, dc_addr_t base,
			   unsigned order)
{
	((struct sn1 *)ctx)->blocks++;
}

/*
 * The 2.4 hand-off, run for real (BOOTMEM24.md, "Hand-off"):
 * free_all_bootmem_core() tested every bit of the node's span, holes
 * included, and freed each clear page on its own. The bitmap is rebuilt
 * on the host from dc_walk(DC_WALK_FREE) (not timed: the public API only),
 * then the loop is timed, calling the release callback through a pointer
 * the compiler cannot see through, once per free page. Our callback does
 * far less than 2.4's __free_page(), so this is a lower bound.
 */
struct loop24 {
	uint64_t *bits;		/* 1 = reserved, one bit per page */
	dc_addr_t base;
};

static int loop24_clear(void *ctx, int nid, dc_addr_t base, dc_size_t size)
{
	struct loop24 *l = ctx;

	for (uint64_t p = (base - l->base) / SN1_PAGE,
		      e = p + size / SN1_PAGE; p < e; p++)
		l->bits[p >> 6] &= ~(1ull << (p & 63));
	return 0;
}

static uint64_t loop24_run(struct bsys *s, struct sn1 *c)
{
	static void (*volatile hand_off)(void *, int, dc_addr_t,
					 unsigned) = sn1_release_fn;
	uint64_t pages = (SN1_SLOT - SN1_FRAG) / SN1_PAGE, ns = 0, t0;
	struct loop24 l;

	l.bits = malloc(pages / 8);
	if (!l.bits)
		dc_die("bench", "out of memory for the 2.4 loop's bitmap");
	for (unsigned nid = 0; nid < c->nodes; nid++) {
		memset(l.bits, 0xff, pages / 8);
		l.base = nid * SN1_SLOT;
		dc_walk(s->sys, (int)nid, DC_WALK_FREE, loop24_clear, &l);
		t0 = dc_now_ns();
		for (uint64_t p = 0; p < pages; p++)
			if (!(l.bits[p >> 6] >> (p & 63) & 1))
				hand_off(c, (int)nid, l.base + p * SN1_PAGE, 0);
		ns += dc_now_ns() - t0;
	}
	free(l.bits);
	return ns;
}

/*
 *   nid * 256 GiB                                          + 240 GiB
 *   | 16 GiB | hole 16 GiB | 16 GiB | hole | ... | 16 GiB |   (8 fragments)
 *
 * PROM at the start of each node, the kernel image on node 0; then the
 * allocations a kernel makes per node: node data, the struct page array
 * (64 bytes per 16 KiB page), per-cpu areas of 4 cpus; and on node 0 three
 * 64 MiB system hashes. Figures: metadata taken from managed memory,
 * initial pool bytes used, their sum, the time of dc_release_all, the
 * order-0 hand-offs the 2.4 loop would have made, the pages of the spans
 * (the 2.4 loop visits each), blocks handed over.
 */
static void sn1_boot(int b, void *ctx, double *out)
{
	struct sn1 *c = ctx;
	struct bsys s;
	struct dc_request q = { 0 };
	struct dc_stats st;
	dc_size_t released;
	uint64_t t0, span_pages = 0;
	dc_addr_t a;
	unsigned nid, j;
	int r = 0;

	bsys_init(&s, bk[b], 14, 16 * MiB, DC_CFG_TOP_DOWN);
	for (nid = 0; nid < c->nodes; nid++) {
		for (j = 0; j < SN1_FRAGS; j++)
			bsys_add(&s, (int)nid, nid * SN1_SLOT +
				 j * 2 * SN1_FRAG, SN1_FRAG);
		span_pages += ((SN1_FRAGS - 1) * 2 * SN1_FRAG + SN1_FRAG) /
			      SN1_PAGE;
		r |= dc_reserve(s.sys, nid * SN1_SLOT, 2 * MiB);	/* PROM */
	}
	r |= dc_reserve(s.sys, 16 * MiB, 64 * MiB);		/* kernel */
	if (r)
		dc_die("bench", "sn1: firmware reservations failed");
	bsys_finalize(&s);
	for (nid = 0; nid < c->nodes && !r; nid++) {
		q = (struct dc_request){ .nid = (int)nid,
					 .flags = DC_REQ_EXACT_NODE };
		q.size = 16 * KiB;
		r |= dc_alloc(s.sys, &q, &a);			/* node data */
		q.size = 128 * GiB / SN1_PAGE * 64;
		q.align = SN1_PAGE;
		r |= dc_alloc(s.sys, &q, &a);			/* mem_map */
		q.size = 64 * KiB;
		for (j = 0; j < 4; j++)
			r |= dc_alloc(s.sys, &q, &a);		/* per-cpu */
	}
	q = (struct dc_request){ .size = 64 * MiB, .align = SN1_PAGE, .nid = 0 };
	for (j = 0; j < 3 && !r; j++)
		r |= dc_alloc(s.sys, &q, &a);			/* hashes */
	if (r)
		dc_die("bench", "sn1: boot allocations failed");
	dc_stats(s.sys, DC_NO_NODE, &st);
	out[0] = (double)st.metadata;
	out[1] = (double)pool_used_bytes(&s);
	/* the node layer's share of the pool, the same for every backend:
	 * node descriptors (dc_pool_block, 8-byte rounded) and one entry
	 * per fragment of the fragment map */
	out[2] = (double)(c->nodes * ((sizeof(struct dc_node) + 7) & ~7ul) +
			  st.fragments * DC_POOL_ENTRY_SIZE);
	out[3] = out[0] + out[1] - out[2];
	c->blocks = 0;
	out[9] = b == BK_BITMAP ? (double)loop24_run(&s, c) : -1;
	if (out[9] >= 0 && c->blocks != st.free / SN1_PAGE)
		dc_die("bench", "sn1: the 2.4 loop freed %llu pages, not %llu",
		       (unsigned long long)c->blocks,
		       (unsigned long long)(st.free / SN1_PAGE));
	c->blocks = 0;
	t0 = dc_now_ns();
	r = dc_release_all(s.sys, sn1_release_fn, c, &released);
	out[4] = (double)(dc_now_ns() - t0);
	if (r)
		dc_die("bench", "sn1: dc_release_all: %s", dc_strerror(r));
	dc_stats(s.sys, DC_NO_NODE, &st);
	out[5] = (double)st.page_handoffs;
	out[6] = (double)span_pages;
	out[7] = (double)c->blocks;
	out[8] = (double)released;
	bsys_fini(&s);
}

static void scenario_sn1(void)
{
	static const char *const metrics[] = {
		"metadata (stolen)", "initial pool used", "node layer share",
		"backend metadata", "release_all time", "2.4 page hand-offs",
		"2.4 span pages", "blocks handed over", "bytes released",
		"2.4 release loop" };
	static const char *const units[] = { "bytes", "bytes", "bytes",
					     "bytes", "ns", "count", "count",
					     "count", "bytes", "ns" };
	struct row *r[10];
	struct sn1 c = { .nodes = O.quick ? 16 : 128 };

	if (O.n) {
		if (O.n < SN1_FRAGS || O.n / SN1_FRAGS > 1024)
			dc_die("bench", "sn1: --n is the number of fragments, "
			       "8 .. 8192");
		c.nodes = (unsigned)(O.n / SN1_FRAGS);
	}
	print_header("3. SN1-like: 128 GiB nodes in 256 GiB slots, 16 KiB pages");
	for (unsigned m = 0; m < 10; m++)
		r[m] = row_new("sn1", metrics[m], units[m], c.nodes,
			       "nodes=%u", c.nodes);
	for (int b = 0; b < NBK; b++)
		if (bk[b])
			measure_multi(r, 10, b, sn1_boot, &c);
	for (int b = 0; b < NBK; b++)
		if (bk[b] && b != BK_BITMAP)
			snprintf(r[9]->skip[b], sizeof(r[9]->skip[b]),
				 "the 2.4 loop is the bitmap's own");
	note("(%u nodes, %u fragments, %.3g TiB. The tree and the array keep "
	     "their metadata in the initial pool, the bitmap steals its "
	     "bitmaps; \"backend metadata\" = stolen + pool used - the node "
	     "layer's share (descriptors, fragment map: the same for all), "
	     "and the metadata goal uses it. The 2.4 loop freed every page "
	     "on its own: \"2.4 page hand-offs\" calls, after a bit test "
	     "for each of the \"2.4 span pages\"; dc_release_all hands over "
	     "the \"blocks handed over\". \"2.4 release loop\" runs that loop for "
	     "real on the bitmap's free pages: a bit test per span page, a "
	     "call per free page.)\n", c.nodes, c.nodes * SN1_FRAGS,
	     c.nodes * 128.0 / 1024);
	for (unsigned m = 0; m < 10; m++)
		print_row(r[m]);
}

/* --- 4. a hostile boot ------------------------------------------------------------ */

#define HB_NODE (2 * GiB)	/* node nid at nid * 2 GiB */

struct hostile {
	unsigned nodes;
	uint64_t holes, allocs;
	uint64_t failed;
};

/* A firmware hole every (node size / holes per node), 1 to 16 pages. */
static void hostile_setup(struct hostile *c, struct bsys *s, int b)
{
	uint64_t per = c->holes / c->nodes, slot, k;
	unsigned nid;

	bsys_init(s, bk[b], 12, 96 * MiB, DC_CFG_TOP_DOWN);
	for (nid = 0; nid < c->nodes; nid++)
		bsys_add(s, (int)nid, nid * HB_NODE, HB_NODE);
	slot = per ? HB_NODE / per : HB_NODE;
	for (nid = 0; nid < c->nodes; nid++)
		for (k = 0; k < per; k++) {
			dc_addr_t at = nid * HB_NODE + k * slot +
				       (rnd((slot - 16 * PG) / PG) * PG);

			if (dc_reserve(s->sys, at, PG * (1 + rnd(16))))
				dc_die("bench", "hostile: hole reserve failed");
		}
	bsys_finalize(s);
}

/* 70% small (16 B .. 1 KiB, align 8 .. 64), 28% 4 .. 64 KiB, 2% 256 KiB
 * .. 2 MiB; 80% on a random node (a quarter of them exact), 20% any. */
static void hostile_request(struct hostile *c, struct dc_request *q)
{
	unsigned kind = (unsigned)rnd(100);

	memset(q, 0, sizeof(*q));
	if (kind < 70) {
		q->size = 16 + rnd(1009);
		q->align = 8ull << rnd(4);
	} else if (kind < 98) {
		q->size = PG * (1 + rnd(16));
		q->align = PG;
	} else {
		q->size = 256 * KiB + rnd(7) * 256 * KiB;
		q->align = q->size >= MiB ? 2 * MiB : PG;
	}
	q->nid = rnd(10) < 8 ? (int)rnd(c->nodes) : DC_NO_NODE;
	if (q->nid != DC_NO_NODE && !rnd(4))
		q->flags = DC_REQ_EXACT_NODE;
}

static void hostile_count(void *ctx, int nid, dc_addr_t base, unsigned order)
{
}

static void hostile_boot(int b, void *ctx, double *out)
{
	struct hostile *c = ctx;
	struct dc_request q;
	struct bsys s;
	uint64_t t0, t1, t2, i;
	dc_addr_t a;

	rng_state = 0x405711e;	/* the same boot for every backend */
	c->failed = 0;
	t0 = dc_now_ns();
	hostile_setup(c, &s, b);
	t1 = dc_now_ns();
	for (i = 0; i < c->allocs; i++) {
		hostile_request(c, &q);
		if (dc_alloc(s.sys, &q, &a))
			c->failed++;
		if (!(i & 8191))
			dc_progress("bench: hostile: %s %llu%%", bk_names[b],
				    (unsigned long long)(100 * i / c->allocs));
	}
	t2 = dc_now_ns();
	if (dc_release_all(s.sys, hostile_count, NULL, NULL))
		dc_die("bench", "hostile: dc_release_all failed");
	out[3] = (double)(dc_now_ns() - t2);
	out[0] = (double)(dc_now_ns() - t0);
	out[1] = (double)(t1 - t0);
	out[2] = (double)(t2 - t1);
	out[4] = (double)c->failed;
	bsys_fini(&s);
}

static void scenario_hostile(void)
{
	static const char *const metrics[] = { "total time", "setup+holes",
					       "allocations", "release_all",
					       "failed allocs" };
	static const char *const units[] = { "ns", "ns", "ns", "ns", "count" };
	static const uint64_t full[] = { 200000, 1000000 }, quick[] = { 50000 };
	struct hostile c = { .nodes = 128, .holes = 100000 };
	const uint64_t *allocs = O.quick ? quick : full;
	unsigned count = O.quick ? 1 : 2;
	struct row *r[5];

	if (O.quick) {
		c.nodes = 16;
		c.holes = 10000;
	}
	if (O.n) {
		allocs = &O.n;
		count = 1;
	}
	print_header("4. hostile boot: firmware holes, mixed allocations");
	note("(%u nodes of 2 GiB, %llu holes, then the allocations, then "
	     "dc_release_all)\n", c.nodes, (unsigned long long)c.holes);
	for (unsigned i = 0; i < count; i++) {
		c.allocs = allocs[i];
		for (unsigned m = 0; m < 5; m++)
			r[m] = row_new("hostile", metrics[m], units[m],
				       c.allocs, "allocs=%llu",
				       (unsigned long long)c.allocs);
		for (int b = 0; b < NBK; b++) {
			if (!bk[b])
				continue;
			measure_multi(r, 5, b, hostile_boot, &c);
		}
		for (unsigned m = 0; m < 5; m++)
			print_row(r[m]);
	}
}

/* --- 5. replay of real boot logs -------------------------------------------------- */

struct replay_set {
	char **files;
	unsigned nfiles;
	uint64_t ops, requests;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.log files of the boot log folder, sorted; false if none. */
static bool replay_find(struct replay_set *rs, char *why, size_t len)
{
	const char *env = getenv("DC_SHARED_DIR");
	char dir[4096], path[8200];
	struct dirent *e;
	DIR *d;
	size_t l;

	if (O.logs)
		snprintf(dir, sizeof(dir), "%s", O.logs);
	else if (env)
		snprintf(dir, sizeof(dir), "%s/data/bootlogs", env);
	else
		snprintf(dir, sizeof(dir), "../shared/data/bootlogs");
	d = opendir(dir);
	if (!d) {
		snprintf(why, len, "cannot open %s: %s (--logs DIR, or set "
			 "DC_SHARED_DIR)", dir, strerror(errno));
		return false;
	}
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
	if (!rs->nfiles) {
		snprintf(why, len, "no *.log files in %s (--logs DIR, or set "
			 "DC_SHARED_DIR)", dir);
		return false;
	}
	qsort(rs->files, rs->nfiles, sizeof(*rs->files), cmp_str);
	return true;
}

/* Parse every log once: the work the replay does before any backend. */
static double replay_parse(int b, void *ctx)
{
	struct replay_set *rs = ctx;
	uint64_t ns = 0, t0;

	rs->ops = rs->requests = 0;
	for (unsigned i = 0; i < rs->nfiles; i++) {
		struct dc_mb_log log;
		char err[256];
		size_t len = 0;
		char *buf = dc_read_file(rs->files[i], &len);

		t0 = dc_now_ns();
		if (dc_mb_parse(buf, len, &log, err, sizeof(err)))
			dc_die(rs->files[i], "%s", err);
		ns += dc_now_ns() - t0;
		rs->ops += log.nops + log.nmemory + log.nreserved;
		rs->requests += log.nrequests;
		dc_mb_free(&log);
		free(buf);
	}
	return (double)ns;
}

/* `discontig replay --backend NAME FILE...` in this process, its report
 * sent to /dev/null; exit status 1 (a request missed) is reported. */
static void replay_run(int b, void *ctx, double *out)
{
	struct replay_set *rs = ctx;
	char **argv = calloc(rs->nfiles + 4, sizeof(*argv));
	char a0[] = "replay", a1[] = "--backend", a2[16];
	int argc = 0, saved, null, rc;
	uint64_t t0;

	if (!argv)
		dc_die("bench", "out of memory");

	snprintf(a2, sizeof(a2), "%s", bk_names[b]);
	argv[argc++] = a0;
	argv[argc++] = a1;
	argv[argc++] = a2;
	for (unsigned i = 0; i < rs->nfiles; i++)
		argv[argc++] = rs->files[i];
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	null = open("/dev/null", O_WRONLY);
	if (saved < 0 || null < 0 || dup2(null, STDOUT_FILENO) < 0)
		dc_die("bench", "replay: cannot redirect stdout");
	t0 = dc_now_ns();
	rc = dc_cmd_replay(argc, argv);
	out[0] = (double)(dc_now_ns() - t0);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(null);
	out[1] = out[0] > 0 ? (double)rs->ops * 1e9 / out[0] : 0;
	out[2] = rc;
	free(argv);
}

static void scenario_replay(void)
{
	static const char *const metrics[] = { "replay time", "throughput",
					       "exit status" };
	static const char *const units[] = { "ns", "ops/s", "count" };
	struct replay_set rs = { 0 };
	struct row *r[3], *rp;
	char why[4400];

	print_header("5. replay: shared/data/bootlogs, memblock=debug logs");
	if (!replay_find(&rs, why, sizeof(why))) {
		note("skipped: %s\n", why);
		r[0] = row_new("replay", "replay time", "ns", 0, "skipped");
		for (int b = 0; b < NBK; b++)
			snprintf(r[0]->skip[b], sizeof(r[0]->skip[b]), "%s",
				 "no boot logs found");
		return;
	}
	rp = row_new("replay", "parse only", "ns", rs.nfiles, "logs=%u",
		     rs.nfiles);
	for (unsigned m = 0; m < 3; m++)
		r[m] = row_new("replay", metrics[m], units[m], rs.nfiles,
			       "logs=%u", rs.nfiles);
	/* the parser's share, the same for every backend; counts the ops */
	measure(rp, 0, replay_parse, &rs);
	for (int b = 1; b < NBK; b++)
		if (bk[b])
			rp->v[b] = rp->v[0];
	for (int b = 0; b < NBK; b++)
		if (bk[b])
			measure_multi(r, 3, b, replay_run, &rs);
	note("(%u logs, %llu memblock operations, %llu allocation requests; "
	     "throughput = operations / replay time, parsing included; exit "
	     "status 1 = a request missed)\n", rs.nfiles,
	     (unsigned long long)rs.ops, (unsigned long long)rs.requests);
	print_row(rp);
	for (unsigned m = 0; m < 3; m++)
		print_row(r[m]);
	for (unsigned i = 0; i < rs.nfiles; i++)
		free(rs.files[i]);
	free(rs.files);
}

/* --- the plot ------------------------------------------------------------------------ */

static const char *const bk_colors[NBK] = { "#1f77b4", "#d62728", "#2ca02c" };

struct plot {
	double x0, x1, y0, y1;	/* decades shown: 10^x0 .. 10^x1 */
	double left, top, w, h;
};

static double plot_x(const struct plot *p, double v)
{
	return p->left + (log10(v) - p->x0) / (p->x1 - p->x0) * p->w;
}

static double plot_y(const struct plot *p, double v)
{
	return p->top + p->h - (log10(v) - p->y0) / (p->y1 - p->y0) * p->h;
}

static void svg_axes(FILE *f, const struct plot *p)
{
	int d, k;

	fprintf(f, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' "
		"fill='none' stroke='#000'/>\n", p->left, p->top, p->w, p->h);
	for (d = (int)p->x0; d <= (int)p->x1; d++) {
		double x = plot_x(p, pow(10, d));

		fprintf(f, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' "
			"stroke='#ddd'/>\n", x, p->top, x, p->top + p->h);
		fprintf(f, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' "
			"stroke='#000'/>\n", x, p->top + p->h, x,
			p->top + p->h + 6);
		fprintf(f, "<text x='%.1f' y='%.1f' text-anchor='middle'>10"
			"<tspan dy='-7' font-size='11'>%d</tspan></text>\n", x,
			p->top + p->h + 24, d);
		for (k = 2; k < 10 && d < (int)p->x1; k++) {
			x = plot_x(p, k * pow(10, d));
			fprintf(f, "<line x1='%.1f' y1='%.1f' x2='%.1f' "
				"y2='%.1f' stroke='#000'/>\n", x,
				p->top + p->h, x, p->top + p->h + 3);
		}
	}
	for (d = (int)p->y0; d <= (int)p->y1; d++) {
		double y = plot_y(p, pow(10, d));

		fprintf(f, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' "
			"stroke='#ddd'/>\n", p->left, y, p->left + p->w, y);
		fprintf(f, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' "
			"stroke='#000'/>\n", p->left - 6, y, p->left, y);
		fprintf(f, "<text x='%.1f' y='%.1f' text-anchor='end'>10"
			"<tspan dy='-7' font-size='11'>%d</tspan></text>\n",
			p->left - 10, y + 5, d);
		for (k = 2; k < 10 && d < (int)p->y1; k++) {
			y = plot_y(p, k * pow(10, d));
			fprintf(f, "<line x1='%.1f' y1='%.1f' x2='%.1f' "
				"y2='%.1f' stroke='#000'/>\n", p->left - 3, y,
				p->left, y);
		}
	}
	fprintf(f, "<text x='%.1f' y='%.1f' text-anchor='middle'>free extents "
		"n (one node)</text>\n", p->left + p->w / 2,
		p->top + p->h + 48);
	fprintf(f, "<text transform='translate(%.1f,%.1f) rotate(-90)' "
		"text-anchor='middle'>ns per operation (median)</text>\n",
		p->left - 58, p->top + p->h / 2);
}

/* One line per backend and metric: alloc+free solid, reserve dashed. */
static void svg_series(FILE *f, const struct plot *p, int b,
		       const char *metric, bool dashed)
{
	bool first = true;

	fprintf(f, "<polyline fill='none' stroke='%s' stroke-width='2'%s "
		"points='", bk_colors[b], dashed ? " stroke-dasharray='6,4'" :
						   "");
	for (unsigned i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];

		if (strcmp(r->scen, "scaling") || strcmp(r->metric, metric) ||
		    !r->v[b].ok || r->v[b].med <= 0)
			continue;
		fprintf(f, "%s%.1f,%.1f", first ? "" : " ",
			plot_x(p, (double)r->x), plot_y(p, r->v[b].med));
		first = false;
	}
	fprintf(f, "'/>\n");
	for (unsigned i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];

		if (strcmp(r->scen, "scaling") || strcmp(r->metric, metric) ||
		    !r->v[b].ok || r->v[b].med <= 0)
			continue;
		fprintf(f, "<circle cx='%.1f' cy='%.1f' r='3.5' fill='%s'/>\n",
			plot_x(p, (double)r->x), plot_y(p, r->v[b].med),
			bk_colors[b]);
	}
}

static void write_svg(const char *path)
{
	struct plot p = { .left = 90, .top = 50, .w = 560, .h = 400 };
	double xmin = INFINITY, xmax = 0, ymin = INFINITY, ymax = 0;
	FILE *f;
	int b, k = 0;

	for (unsigned i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];

		if (strcmp(r->scen, "scaling"))
			continue;
		for (b = 0; b < NBK; b++) {
			if (!r->v[b].ok || r->v[b].med <= 0)
				continue;
			xmin = fmin(xmin, (double)r->x);
			xmax = fmax(xmax, (double)r->x);
			ymin = fmin(ymin, r->v[b].med);
			ymax = fmax(ymax, r->v[b].med);
		}
	}
	if (xmax == 0) {
		fprintf(stderr, "discontig: bench: no scaling figures to plot; "
			"%s not written\n", path);
		return;
	}
	p.x0 = floor(log10(xmin));
	p.x1 = fmax(ceil(log10(xmax)), p.x0 + 1);
	p.y0 = floor(log10(ymin));
	p.y1 = fmax(ceil(log10(ymax)), p.y0 + 1);
	f = fopen(path, "w");
	if (!f)
		dc_die(path, "cannot write: %s", strerror(errno));
	fprintf(f, "<?xml version='1.0' encoding='UTF-8'?>\n"
		"<svg xmlns='http://www.w3.org/2000/svg' width='860' "
		"height='540' font-family='sans-serif' font-size='14'>\n"
		"<rect width='100%%' height='100%%' fill='#fff'/>\n"
		"<text x='430' y='28' text-anchor='middle' font-size='17'>"
		"discontig bench: cost per operation against free extents "
		"(log-log)</text>\n");
	svg_axes(f, &p);
	for (b = 0; b < NBK; b++) {
		if (!bk[b])
			continue;
		svg_series(f, &p, b, "alloc+free", false);
		svg_series(f, &p, b, "reserve", true);
	}
	for (b = 0; b < NBK; b++) {
		double y = p.top + 20 + k * 46;

		if (!bk[b])
			continue;
		fprintf(f, "<line x1='675' y1='%.1f' x2='715' y2='%.1f' "
			"stroke='%s' stroke-width='2'/><text x='722' y='%.1f'>"
			"%s alloc+free</text>\n", y, y, bk_colors[b], y + 5,
			bk_names[b]);
		fprintf(f, "<line x1='675' y1='%.1f' x2='715' y2='%.1f' "
			"stroke='%s' stroke-width='2' stroke-dasharray='6,4'/>"
			"<text x='722' y='%.1f'>%s reserve</text>\n", y + 20,
			y + 20, bk_colors[b], y + 25, bk_names[b]);
		k++;
	}
	fprintf(f, "<text x='675' y='%.1f' font-size='12' fill='#555'>median "
		"of %u runs</text>\n</svg>\n", p.top + 20 + k * 46, O.reps);
	if (fclose(f))
		dc_die(path, "cannot write: %s", strerror(errno));
}

/* --- goals (issue 7) --------------------------------------------------------------- */

struct goal {
	const char *what;
	double ratio;		/* NAN: not measured */
	double threshold;
	bool at_most;		/* ratio <= threshold, else >= */
};

static double med(const struct row *r, int b)
{
	return r && r->v[b].ok ? r->v[b].med : NAN;
}

/* The hostile "total time" row with the most allocations where both
 * backends have a figure. */
static const struct row *hostile_row(int b0, int b1)
{
	const struct row *best = NULL;

	for (unsigned i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];

		if (!strcmp(r->scen, "hostile") &&
		    !strcmp(r->metric, "total time") && r->v[b0].ok &&
		    r->v[b1].ok && (!best || r->x > best->x))
			best = r;
	}
	return best;
}

static unsigned goals_compute(struct goal *g)
{
	const struct row *a, *b2;
	unsigned n = 0;
	double worst = NAN;

	a = row_find("scaling", "alloc+free", 1000000);
	b2 = row_find("scaling", "alloc+free", 1000);
	g[n++] = (struct goal){ "tree alloc+free at n=10^6 / at n=10^3",
				med(a, 0) / med(b2, 0), 2.5, true };
	a = row_find("scaling", "reserve", 1000000);
	b2 = row_find("scaling", "reserve", 1000);
	g[n++] = (struct goal){ "tree reserve at n=10^6 / at n=10^3",
				med(a, 0) / med(b2, 0), 2.5, true };
	a = row_find("scaling", "alloc+free", 100000);
	g[n++] = (struct goal){ "array/tree alloc+free at n=10^5",
				med(a, 2) / med(a, 0), 100, false };
	a = row_find("scaling", "reserve", 100000);
	g[n++] = (struct goal){ "array/tree reserve at n=10^5",
				med(a, 2) / med(a, 0), 100, false };
	for (unsigned i = 0; i < nrows; i++)
		if (!strcmp(rows[i].scen, "small")) {
			double x = med(&rows[i], 0) / med(&rows[i], 2);

			if (!isnan(x) && (isnan(worst) || x > worst))
				worst = x;
		}
	g[n++] = (struct goal){ "tree/array small machine, worst row",
				worst, 1.3, true };
	a = row_find("sn1", "backend metadata", 128);
	g[n++] = (struct goal){ "bitmap/tree metadata, 16 TiB SN1",
				med(a, 1) / med(a, 0), 2000, false };
	a = row_find("sn1", "release_all time", 128);
	b2 = row_find("sn1", "2.4 release loop", 128);
	g[n++] = (struct goal){ "2.4 loop/tree release time, 16 TiB SN1",
				med(b2, 1) / med(a, 0), 100, false };
	a = hostile_row(0, 1);
	g[n++] = (struct goal){ "bitmap/tree hostile boot total",
				med(a, 1) / med(a, 0), 50, false };
	a = hostile_row(0, 2);
	g[n++] = (struct goal){ "array/tree hostile boot total",
				med(a, 2) / med(a, 0), 50, false };
	return n;
}

static bool goal_met(const struct goal *g)
{
	return !isnan(g->ratio) &&
	       (g->at_most ? g->ratio <= g->threshold :
			     g->ratio >= g->threshold);
}

static void goals_print(void)
{
	struct goal g[16];
	unsigned n = goals_compute(g);

	printf("\n== goals (issue 7), from the medians above ==\n");
	for (unsigned i = 0; i < n; i++) {
		if (isnan(g[i].ratio))
			printf("  %-42s %10s  (needs the full run)\n",
			       g[i].what, "-");
		else
			printf("  %-42s %10.4g  %s %g: %s\n", g[i].what,
			       g[i].ratio, g[i].at_most ? "<=" : ">=",
			       g[i].threshold, goal_met(&g[i]) ? "met" :
							       "MISSED");
	}
}

/* --- JSON ------------------------------------------------------------------------------ */

static void json_row(struct dc_json *j, const struct row *r)
{
	dc_json_obj(j, NULL);
	dc_json_str(j, "scenario", r->scen);
	dc_json_str(j, "label", r->label);
	dc_json_str(j, "metric", r->metric);
	dc_json_str(j, "unit", r->unit);
	dc_json_u64(j, "x", r->x);
	dc_json_obj(j, "backends");
	for (int b = 0; b < NBK; b++) {
		if (!bk[b])
			continue;
		dc_json_obj(j, bk_names[b]);
		if (r->v[b].ok) {
			dc_json_u64(j, "median", (uint64_t)llround(r->v[b].med));
			dc_json_u64(j, "min", (uint64_t)llround(r->v[b].min));
			dc_json_u64(j, "max", (uint64_t)llround(r->v[b].max));
		} else {
			dc_json_str(j, "skipped", r->skip[b][0] ? r->skip[b] :
						  "not measured");
		}
		dc_json_end(j, '}');
	}
	dc_json_end(j, '}');
	dc_json_obj(j, "ratio_milli");
	for (int b = 1; b < NBK; b++)
		if (bk[b] && r->v[b].ok && r->v[0].ok && r->v[0].med > 0) {
			char key[32];

			snprintf(key, sizeof(key), "%s/tree", bk_names[b]);
			dc_json_u64(j, key, (uint64_t)llround(1000 * r->v[b].med /
							      r->v[0].med));
		}
	dc_json_end(j, '}');
	dc_json_end(j, '}');
}

static void json_report(void)
{
	struct goal g[16];
	unsigned n = goals_compute(g);
	struct dc_json j;

	dc_json_init(&j, stdout);
	dc_json_obj(&j, NULL);
	dc_json_str(&j, "command", "bench");
	dc_json_bool(&j, "quick", O.quick);
	dc_json_u64(&j, "reps", O.reps);
	dc_json_u64(&j, "cpus", (uint64_t)sysconf(_SC_NPROCESSORS_ONLN));
	dc_json_arr(&j, "backends");
	for (int b = 0; b < NBK; b++)
		if (bk[b])
			dc_json_str(&j, NULL, bk_names[b]);
	dc_json_end(&j, ']');
	dc_json_arr(&j, "rows");
	for (unsigned i = 0; i < nrows; i++)
		json_row(&j, &rows[i]);
	dc_json_end(&j, ']');
	dc_json_arr(&j, "goals");
	for (unsigned i = 0; i < n; i++) {
		dc_json_obj(&j, NULL);
		dc_json_str(&j, "goal", g[i].what);
		if (!isnan(g[i].ratio))
			dc_json_u64(&j, "ratio_milli",
				    (uint64_t)llround(1000 * g[i].ratio));
		dc_json_u64(&j, "threshold_milli",
			    (uint64_t)llround(1000 * g[i].threshold));
		dc_json_str(&j, "kind", g[i].at_most ? "at_most" : "at_least");
		if (!isnan(g[i].ratio))
			dc_json_bool(&j, "met", goal_met(&g[i]));
		dc_json_end(&j, '}');
	}
	dc_json_end(&j, ']');
	dc_json_end(&j, '}');
	dc_json_done(&j);
}

/* --- the command ---------------------------------------------------------------------- */

/* Is name an item of the comma-separated list? */
static bool name_listed(const char *list, const char *name)
{
	size_t l = strlen(name);

	if (!strcmp(list, "all"))
		return true;
	for (const char *p = list; *p; p += strcspn(p, ","), p += *p == ',')
		if (strcspn(p, ",") == l && !strncmp(p, name, l))
			return true;
	return false;
}

/* Is the list item at p a compiled-in backend? */
static bool name_known(const char *p)
{
	size_t l = strcspn(p, ",");

	for (int b = 0; b < NBK; b++)
		if (bk[b] && strlen(bk_names[b]) == l &&
		    !strncmp(p, bk_names[b], l))
			return true;
	return false;
}

static const struct {
	const char *name;
	void (*run)(void);
} scenarios[] = {
	{ "scaling", scenario_scaling }, { "small", scenario_small },
	{ "sn1", scenario_sn1 },	 { "hostile", scenario_hostile },
	{ "replay", scenario_replay },
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: discontig bench [--quick] [--scenario NAME] [--n N] [--reps R]\n"
		"                       [--json] [--svg FILE] [--logs DIR]\n"
		"\n"
		"Run every compiled-in backend (tree, bitmap, array) on the same work,\n"
		"one after another, R times (default 5), and print medians [min..max]\n"
		"and each backend's ratio to the tree.\n"
		"\n"
		"Scenarios (all by default):\n"
		"  scaling  one node with n free extents, n = 10^2 .. 10^6: ns per\n"
		"           alloc/free pair and per reserve (--n: that n only)\n"
		"  small    a PC with 8 .. 64 regions (--n: that many regions)\n"
		"  sn1      128 nodes x 128 GiB in 256 GiB slots, 1024 fragments:\n"
		"           metadata, dc_release_all time, 2.4 page hand-offs\n"
		"           (--n: fragments, 8 per node)\n"
		"  hostile  128 nodes, 10^5 firmware holes, 2x10^5 and 10^6 mixed\n"
		"           allocations: total time (--n: that many allocations)\n"
		"  replay   `discontig replay` throughput on the boot logs\n"
		"\n"
		"  --quick        a seconds-long version of everything\n"
		"  --scenario S   only scenario S; --n N alone means --scenario scaling\n"
		"  --reps R       repetitions, 5 .. %d\n"
		"  --json         one JSON object on stdout (times in ns, ratios x1000)\n"
		"  --svg FILE     plot of the scaling figures, log-log\n"
		"  --logs DIR     boot logs (default $DC_SHARED_DIR/data/bootlogs)\n"
		"  --backends L   only these, comma-separated (ratios need tree)\n"
		"\n"
		"A progress line goes to stderr when it is a terminal. Exit status 0,\n"
		"or 2 on bad usage or a failed run.\n", MAXREP);
}

static void bench_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "scenario", required_argument, NULL, 's' },
		{ "n", required_argument, NULL, 'n' },
		{ "reps", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "svg", required_argument, NULL, 'g' },
		{ "logs", required_argument, NULL, 'l' },
		{ "backends", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	memset(&O, 0, sizeof(O));
	O.reps = 5;
	optind = 1;
	while ((c = getopt_long(argc, argv, "qs:n:r:jg:l:b:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'q':
			O.quick = true;
			break;
		case 's':
			O.scenario = optarg;
			break;
		case 'n':
			if (!dc_parse_size(optarg, &v) || v < 1 ||
			    v > 100000000)
				dc_die("bench", "bad --n %s (1 .. 10^8)", optarg);
			O.n = v;
			break;
		case 'r':
			if (!dc_parse_size(optarg, &v) || v < 5 || v > MAXREP)
				dc_die("bench", "bad --reps %s (5 .. %d)", optarg,
				       MAXREP);
			O.reps = (unsigned)v;
			break;
		case 'j':
			O.json = true;
			break;
		case 'g':
			O.svg = optarg;
			break;
		case 'l':
			O.logs = optarg;
			break;
		case 'b':
			O.backends = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(DC_EXIT_OK);
		default:
			usage(stderr);
			exit(DC_EXIT_USAGE);
		}
	}
	if (optind < argc)
		dc_die("bench", "unexpected argument %s (try --help)",
		       argv[optind]);
	if (O.n && !O.scenario)
		O.scenario = "scaling";
	if (O.n && !strcmp(O.scenario, "scaling") && O.n < 4)
		dc_die("bench", "scaling: --n must be at least 4");
	if (O.n && !strcmp(O.scenario, "replay"))
		dc_die("bench", "replay: --n does not apply");
	O.target_ns = O.quick ? 2000000 : 20000000;
}

int dc_cmd_bench(int argc, char **argv)
{
	bool found = false;
	struct utsname u;

	bench_options(argc, argv);
	for (int b = 0; b < NBK; b++) {
		bk[b] = dc_backend_find(bk_names[b]);
		if (O.backends && !name_listed(O.backends, bk_names[b]))
			bk[b] = NULL;
	}
	if (O.backends && strcmp(O.backends, "all"))
		for (const char *p = O.backends; *p; p += strcspn(p, ","),
		     p += *p == ',')
			if (!name_known(p))
				dc_die("bench", "unknown or not compiled in "
				       "backend in --backends %s", O.backends);
	if (!uname(&u))
		note("discontig bench%s: %u repetitions, medians [min..max]; "
		     "%s %s, %ld cpus\n", O.quick ? " --quick" : "", O.reps,
		     u.sysname, u.release, sysconf(_SC_NPROCESSORS_ONLN));
	for (unsigned i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]);
	     i++) {
		if (O.scenario && strcmp(O.scenario, scenarios[i].name))
			continue;
		found = true;
		scenarios[i].run();
	}
	dc_progress_end();
	if (!found)
		dc_die("bench", "unknown scenario %s (scaling, small, sn1, "
		       "hostile, replay)", O.scenario);
	if (O.svg)
		write_svg(O.svg);
	if (O.json)
		json_report();
	else
		goals_print();
	return DC_EXIT_OK;
}
