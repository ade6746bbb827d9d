// SPDX-License-Identifier: BSD-3-Clause
/*
 * hostile.c - bench scenario 4: a hostile boot. 128 nodes, 10^5 firmware
 * holes, 2x10^5 and 10^6 allocations of mixed sizes, alignments and
 * nodes: the total time of the boot.
 *
 * Why: every small allocation leaves its alignment padding as a free
 * range that memblock's linear search walks on every later request, so
 * the array backend's boot is O(allocs^2): about 11 minutes for its 5
 * runs at 10^6 here. It ends with dc_release_all, so it needs the
 * discontig API: backend columns only.
 */
#include "tools/bench/bench.h"

#include <string.h>

#include "tools/util.h"

#define PG 4096ull
#define HB_NODE (2 * GiB)	/* node nid at nid * 2 GiB */
#define HB_METRICS 5

struct hostile {
	unsigned nodes;
	uint64_t holes, allocs;
	uint64_t failed;
};

/* A firmware hole every (node size / holes per node), 1 to 16 pages. */
static void hostile_setup(struct bench *b, struct hostile *c,
			  struct bench_target *t, int col)
{
	uint64_t per = c->holes / c->nodes, slot, k;
	struct dc_system *sys;
	unsigned nid;

	bench_open(b, t, col, 12, 96 * MiB, DC_CFG_TOP_DOWN, "hostile");
	sys = bench_target_sys(t);
	for (nid = 0; nid < c->nodes; nid++)
		bench_add(t, (int)nid, nid * HB_NODE, HB_NODE, "hostile");
	slot = per ? HB_NODE / per : HB_NODE;
	for (nid = 0; nid < c->nodes; nid++)
		for (k = 0; k < per; k++) {
			dc_addr_t at = nid * HB_NODE + k * slot +
				       (bench_rnd(b, (slot - 16 * PG) / PG) * PG);

			if (dc_reserve(sys, at, PG * (1 + bench_rnd(b, 16))))
				dc_die("bench", "hostile: hole reserve failed");
		}
	bench_finalize(t, "hostile");
}

/* 70% small (16 B .. 1 KiB, align 8 .. 64), 28% 4 .. 64 KiB, 2% 256 KiB
 * .. 2 MiB; 80% on a random node (a quarter of them exact), 20% any. */
static void hostile_request(struct bench *b, struct hostile *c,
			    struct dc_request *q)
{
	unsigned kind = (unsigned)bench_rnd(b, 100);

	memset(q, 0, sizeof(*q));
	if (kind < 70) {
		q->size = 16 + bench_rnd(b, 1009);
		q->align = 8ull << bench_rnd(b, 4);
	} else if (kind < 98) {
		q->size = PG * (1 + bench_rnd(b, 16));
		q->align = PG;
	} else {
		q->size = 256 * KiB + bench_rnd(b, 7) * 256 * KiB;
		q->align = q->size >= MiB ? 2 * MiB : PG;
	}
	q->nid = bench_rnd(b, 10) < 8 ? (int)bench_rnd(b, c->nodes) : DC_NO_NODE;
	if (q->nid != DC_NO_NODE && !bench_rnd(b, 4))
		q->flags = DC_REQ_EXACT_NODE;
}

static void hostile_count(void *ctx, int nid, dc_addr_t base, unsigned order)
{
}

static void hostile_boot(struct bench *b, int col, void *ctx, double *out)
{
	struct hostile *c = ctx;
	struct bench_target t;
	struct dc_system *sys;
	struct dc_request q;
	uint64_t t0, t1, t2, i;
	dc_addr_t a;

	if (!b->cols[col].ops)
		return;		/* not a discontig backend: skipped */
	b->rng = 0x405711e;	/* the same boot for every backend */
	c->failed = 0;
	t0 = dc_now_ns();
	hostile_setup(b, c, &t, col);
	sys = bench_target_sys(&t);
	t1 = dc_now_ns();
	for (i = 0; i < c->allocs; i++) {
		hostile_request(b, c, &q);
		if (dc_alloc(sys, &q, &a))
			c->failed++;
		if (!(i & 8191))
			dc_progress("bench: hostile allocs=%llu: %s %llu%%",
				    (unsigned long long)c->allocs,
				    b->cols[col].name,
				    (unsigned long long)(100 * i / c->allocs));
	}
	t2 = dc_now_ns();
	if (dc_release_all(sys, hostile_count, NULL, NULL))
		dc_die("bench", "hostile: dc_release_all failed");
	out[3] = (double)(dc_now_ns() - t2);
	out[0] = (double)(dc_now_ns() - t0);
	out[1] = (double)(t1 - t0);
	out[2] = (double)(t2 - t1);
	out[4] = (double)c->failed;
	bench_close(&t);
}

static void hostile_run(struct bench *b)
{
	static const char *const metrics[HB_METRICS] = {
		"total time", "setup+holes", "allocations", "release_all",
		"failed allocs" };
	static const char *const units[HB_METRICS] = { "ns", "ns", "ns", "ns",
						       "count" };
	static const uint64_t full[] = { 200000, 1000000 }, quick[] = { 50000 };
	struct hostile c = { .nodes = 128, .holes = 100000 };
	const uint64_t *allocs = b->o.quick ? quick : full;
	unsigned count = b->o.quick ? 1 : 2;
	struct bench_row *r[HB_METRICS];

	if (b->o.quick) {
		c.nodes = 16;
		c.holes = 10000;
	}
	if (b->o.n) {
		allocs = &b->o.n;
		count = 1;
	}
	bench_section(b, "4. hostile boot: firmware holes, mixed allocations");
	bench_note(b, "(%u nodes of 2 GiB, %llu holes, then the allocations, "
		   "then dc_release_all)", c.nodes, (unsigned long long)c.holes);
	for (unsigned i = 0; i < count; i++) {
		c.allocs = allocs[i];
		for (unsigned m = 0; m < HB_METRICS; m++)
			r[m] = bench_row_new(b, "hostile", metrics[m], units[m],
					     c.allocs, "allocs=%llu",
					     (unsigned long long)c.allocs);
		for (unsigned col = 0; col < b->ncols; col++) {
			bench_measure_multi(b, r, HB_METRICS, (int)col,
					    hostile_boot, &c);
			if (!b->cols[col].ops)
				for (unsigned m = 0; m < HB_METRICS; m++)
					bench_skip(r[m], (int)col, "needs the "
						   "discontig API");
		}
		for (unsigned m = 0; m < HB_METRICS; m++)
			bench_emit(b, r[m]);
	}
}

const struct bench_scenario bench_hostile = {
	"hostile", "128 nodes, 10^5 firmware holes, 2x10^5 and 10^6 mixed "
	"allocations: total time (--n: that many allocations)", hostile_run,
};
