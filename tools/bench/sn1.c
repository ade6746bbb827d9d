// SPDX-License-Identifier: BSD-3-Clause
/*
 * sn1.c - bench scenario 3: an SN1-like 16 TiB machine, 128 nodes of
 * 128 GiB, each in its own 256 GiB slot at nid * 256 GiB, 16 KiB pages,
 * 8 fragments per node (1024 in all): metadata, time of dc_release_all,
 * and the 2.4 per-page hand-off.
 *
 * Why: the bitmap's costs grow with memory, not with fragments: its
 * bitmaps (metadata) and the 2.4 loop that freed every page on its own.
 * The metadata figures go through struct bench_impl (a peer gets them
 * too); the release figures need the discontig API (backend columns).
 */
#include "tools/bench/bench.h"

#include <stdlib.h>
#include <string.h>

#include "tools/util.h"

#define SN1_SLOT (256 * GiB)	/* node nid's slot starts at nid * 256 GiB */
#define SN1_FRAGS 8		/* per node: 8 x 16 GiB, 16 GiB apart */
#define SN1_FRAG (16 * GiB)
#define SN1_PAGE (16 * KiB)	/* ia64 */
#define SN1_METRICS 10

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

static uint64_t loop24_run(struct dc_system *sys, struct sn1 *c)
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
		dc_walk(sys, (int)nid, DC_WALK_FREE, loop24_clear, &l);
		t0 = dc_now_ns();
		for (uint64_t p = 0; p < pages; p++)
			if (!(l.bits[p >> 6] >> (p & 63) & 1))
				hand_off(c, (int)nid, l.base + p * SN1_PAGE, 0);
		ns += dc_now_ns() - t0;
	}
	free(l.bits);
	return ns;
}

/* Firmware, then per node: node data, the struct page array (64 bytes
 * per 16 KiB page), per-cpu areas of 4 cpus; on node 0 three 64 MiB
 * system hashes. */
static void sn1_build(struct bench *b, struct bench_target *t, int col,
		      struct sn1 *c, uint64_t *span_pages)
{
	const struct bench_impl *im;
	struct dc_request q;
	unsigned nid, j;
	uint64_t a;
	int r = 0;

	bench_open(b, t, col, 14, 16 * MiB, DC_CFG_TOP_DOWN, "sn1");
	im = t->col->impl;
	*span_pages = 0;
	for (nid = 0; nid < c->nodes; nid++) {
		for (j = 0; j < SN1_FRAGS; j++)
			bench_add(t, (int)nid, nid * SN1_SLOT + j * 2 * SN1_FRAG,
				  SN1_FRAG, "sn1");
		*span_pages += ((SN1_FRAGS - 1) * 2 * SN1_FRAG + SN1_FRAG) /
			       SN1_PAGE;
		r |= im->reserve(t, nid * SN1_SLOT, 2 * MiB);	/* PROM */
	}
	r |= im->reserve(t, 16 * MiB, 64 * MiB);		/* kernel */
	if (r)
		dc_die("bench", "sn1: firmware reservations failed");
	bench_finalize(t, "sn1");
	for (nid = 0; nid < c->nodes && !r; nid++) {
		q = (struct dc_request){ .nid = (int)nid,
					 .flags = DC_REQ_EXACT_NODE };
		q.size = 16 * KiB;
		r |= im->alloc(t, &q, &a);			/* node data */
		q.size = 128 * GiB / SN1_PAGE * 64;
		q.align = SN1_PAGE;
		r |= im->alloc(t, &q, &a);			/* mem_map */
		q.size = 64 * KiB;
		for (j = 0; j < 4; j++)
			r |= im->alloc(t, &q, &a);		/* per-cpu */
	}
	q = (struct dc_request){ .size = 64 * MiB, .align = SN1_PAGE, .nid = 0 };
	for (j = 0; j < 3 && !r; j++)
		r |= im->alloc(t, &q, &a);			/* hashes */
	if (r)
		dc_die("bench", "sn1: boot allocations failed");
}

/*
 * Figures: metadata taken from managed memory, initial pool bytes used,
 * the node layer's share, their sum less that share, the time of
 * dc_release_all, the order-0 hand-offs the 2.4 loop would have made,
 * the pages of the spans (the 2.4 loop visits each), blocks handed over,
 * bytes released, the 2.4 loop itself (bitmap only).
 */
static void sn1_boot(struct bench *b, int col, void *ctx, double *out)
{
	struct sn1 *c = ctx;
	struct bench_figures fig = { 0 };
	struct bench_target t;
	struct dc_system *sys;
	struct dc_stats st;
	dc_size_t released;
	uint64_t t0, span_pages;
	int r;

	sn1_build(b, &t, col, c, &span_pages);
	t.col->impl->figures(&t, &fig);
	out[0] = (double)fig.metadata;
	out[1] = (double)fig.pool_used;
	out[2] = (double)fig.node_share;
	out[3] = out[0] + out[1] - out[2];
	out[6] = (double)span_pages;
	sys = bench_target_sys(&t);	/* never the peer: sn1_run skips it */
	dc_stats(sys, DC_NO_NODE, &st);
	c->blocks = 0;
	if (!strcmp(t.col->name, "bitmap")) {
		out[9] = (double)loop24_run(sys, c);
		if (c->blocks != st.free / SN1_PAGE)
			dc_die("bench", "sn1: the 2.4 loop freed %llu pages, "
			       "not %llu", (unsigned long long)c->blocks,
			       (unsigned long long)(st.free / SN1_PAGE));
	}
	c->blocks = 0;
	t0 = dc_now_ns();
	r = dc_release_all(sys, sn1_release_fn, c, &released);
	out[4] = (double)(dc_now_ns() - t0);
	if (r)
		dc_die("bench", "sn1: dc_release_all: %s", dc_strerror(r));
	dc_stats(sys, DC_NO_NODE, &st);
	out[5] = (double)st.page_handoffs;
	out[7] = (double)c->blocks;
	out[8] = (double)released;
	bench_close(&t);
}

static void sn1_run(struct bench *b)
{
	static const char *const metrics[SN1_METRICS] = {
		"metadata (stolen)", "initial pool used", "node layer share",
		"backend metadata", "release_all time", "2.4 page hand-offs",
		"2.4 span pages", "blocks handed over", "bytes released",
		"2.4 release loop" };
	static const char *const units[SN1_METRICS] = {
		"bytes", "bytes", "bytes", "bytes", "ns", "count", "count",
		"count", "bytes", "ns" };
	struct bench_row *r[SN1_METRICS];
	struct sn1 c = { .nodes = b->o.quick ? 16 : 128 };

	if (b->o.n) {
		if (b->o.n < SN1_FRAGS || b->o.n / SN1_FRAGS > 1024)
			dc_die("--n", "sn1: the number of fragments, 8 .. 8192");
		c.nodes = (unsigned)(b->o.n / SN1_FRAGS);
	}
	bench_section(b, "3. SN1-like: 128 GiB nodes in 256 GiB slots, 16 KiB pages");
	for (unsigned m = 0; m < SN1_METRICS; m++)
		r[m] = bench_row_new(b, "sn1", metrics[m], units[m], c.nodes,
				     "nodes=%u", c.nodes);
	for (unsigned col = 0; col < b->ncols; col++) {
		if (!b->cols[col].ops) {	/* the memblock peer */
			for (unsigned m = 0; m < SN1_METRICS; m++)
				bench_skip(r[m], (int)col, "the peer is built "
					   "with 16 nodes (NODES_SHIFT=4) and "
					   "4 KiB pages: see scaling");
			continue;
		}
		bench_measure_multi(b, r, SN1_METRICS, (int)col, sn1_boot, &c);
		if (strcmp(b->cols[col].name, "bitmap"))
			bench_skip(r[9], (int)col,
				   "the 2.4 loop is the bitmap's own");
	}
	bench_note(b, "(%u nodes, %u fragments, %.3g TiB. The tree and the "
		   "array keep their metadata in the initial pool, the bitmap "
		   "steals its bitmaps; \"backend metadata\" = stolen + pool "
		   "used - the node layer's share (descriptors, fragment map: "
		   "the same for all), and the metadata goal uses it. The 2.4 "
		   "loop freed every page on its own: \"2.4 page hand-offs\" "
		   "calls, after a bit test for each of the \"2.4 span pages\"; "
		   "dc_release_all hands over the \"blocks handed over\". \"2.4 "
		   "release loop\" runs that loop for real on the bitmap's free "
		   "pages: a bit test per span page, a call per free page.)",
		   c.nodes, c.nodes * SN1_FRAGS, c.nodes * 128.0 / 1024);
	for (unsigned m = 0; m < SN1_METRICS; m++)
		bench_emit(b, r[m]);
}

const struct bench_scenario bench_sn1 = {
	"sn1", "128 nodes x 128 GiB in 256 GiB slots, 1024 fragments: "
	"metadata, dc_release_all time, 2.4 page hand-offs (--n: fragments, "
	"8 per node)", sn1_run,
};
