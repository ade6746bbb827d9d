// SPDX-License-Identifier: BSD-3-Clause
/*
 * boot_svg.c - the memory map of a boot as an SVG picture.
 *
 * One band per node along one physical address axis. Memory is drawn to
 * scale inside each stretch of registered memory; holes smaller than 1% of
 * memory keep a proportional gap, larger ones (SN1's 8 GiB slots, the
 * Wildfire windows, the 2^64 top) are compressed into a fixed-width break
 * marked with a zigzag, so a 16 TiB map with mostly holes still shows its
 * memory. A stretch too small to see gets a minimum width. Ranges that fall
 * into the same pixel are merged into one rectangle.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/boot.h"
#include "tools/util.h"

#define W 1200.0
#define LEFT 130.0
#define RIGHT 30.0
#define ROW_H 26.0
#define ROW_GAP 10.0
#define TOP 92.0
#define BREAK_W 18.0

struct piece {
	dc_addr_t base, last;
	double x, w;
	bool mem, brk;
};

struct axis {
	struct piece *p;
	size_t n;
};

static int frag_cmp(const void *a, const void *b)
{
	const struct dc_fragment *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

static void axis_push(struct axis *ax, dc_addr_t b, dc_addr_t l, bool mem,
		      bool brk)
{
	ax->p = realloc(ax->p, (ax->n + 1) * sizeof(*ax->p));
	ax->p[ax->n++] = (struct piece){ b, l, 0, 0, mem, brk };
}

/* Pieces of the axis and their widths (see the header comment). */
static void axis_build(struct axis *ax, const struct dc_layout *l)
{
	struct dc_fragment *f = malloc((l->nfrags + 1) * sizeof(*f));
	long double total = 0, k, avail = W - LEFT - RIGHT;
	dc_addr_t b, last;
	size_t n = 0;

	memcpy(f, l->frags, l->nfrags * sizeof(*f));
	qsort(f, l->nfrags, sizeof(*f), frag_cmp);
	for (size_t i = 0; i < l->nfrags; i++)
		total += f[i].size;
	ax->p = NULL;
	ax->n = 0;
	for (size_t i = 0; i < l->nfrags; i = n) {
		b = f[i].base;
		last = f[i].base + (f[i].size - 1);
		for (n = i + 1; n < l->nfrags && f[n].base == last + 1; n++)
			last = f[n].base + (f[n].size - 1);
		if (ax->n) {
			dc_addr_t hb = ax->p[ax->n - 1].last + 1;
			bool brk = (long double)(b - hb) > total / 100;

			axis_push(ax, hb, b - 1, false, brk);
		}
		axis_push(ax, b, last, true, false);
	}
	free(f);
	/* fixed widths first, then minimums, then share the rest */
	for (int pass = 0; pass < 3; pass++) {
		long double bytes = 0, fixed = 0;

		for (size_t i = 0; i < ax->n; i++) {
			struct piece *p = &ax->p[i];

			if (p->brk || (pass && p->w > 0 && p->w <= 3.0))
				fixed += p->brk ? BREAK_W : p->w;
			else
				bytes += (long double)(p->last - p->base) + 1;
		}
		k = bytes > 0 ? (avail - fixed) / bytes : 0;
		for (size_t i = 0; i < ax->n; i++) {
			struct piece *p = &ax->p[i];
			double w = (double)(((long double)(p->last - p->base) + 1) * k);

			if (p->brk)
				p->w = BREAK_W;
			else if (!(pass && p->w > 0 && p->w <= 3.0))
				p->w = w < (p->mem ? 3.0 : 1.5) ? (p->mem ? 3.0 : 1.5) : w;
		}
	}
	for (size_t i = 0; i < ax->n; i++)
		ax->p[i].x = (i ? ax->p[i - 1].x + ax->p[i - 1].w : LEFT);
}

static double axis_x(const struct axis *ax, dc_addr_t a)
{
	size_t lo = 0, hi = ax->n;
	const struct piece *p;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (ax->p[mid].base <= a)
			lo = mid;
		else
			hi = mid;
	}
	p = &ax->p[lo];
	if (a < p->base)
		return p->x;
	return p->x + p->w * (double)((long double)(a - p->base) /
				      ((long double)(p->last - p->base) + 1));
}

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s >= 0x20)
				fputc(*s, f);
		}
	}
}

static const char *const kind_color[] = {
	[DC_WALK_FREE] = "#9bd69b",
	[DC_WALK_USED] = "#f28e2b",
	[DC_WALK_METADATA] = "#7b3fa0",
	[BOOT_FIRMWARE] = "#6b6b6b",
};

static const char *const kind_name[] = {
	[DC_WALK_FREE] = "free (released at the end)",
	[DC_WALK_USED] = "used (kernel, allocations)",
	[DC_WALK_METADATA] = "allocator metadata",
	[BOOT_FIRMWARE] = "reserved by firmware",
};

/* Ranges of one kind, pixel-merged per row. */
static void draw_kind(FILE *f, const struct boot *b, const struct axis *ax,
		      const int *row_of, int kind)
{
	double run_x0 = 0, run_x1 = -1;
	int run_row = -1;

	for (size_t i = 0; i <= b->nranges; i++) {
		const struct boot_range *r = i < b->nranges ? &b->ranges[i] : NULL;
		double x0 = 0, x1 = 0;
		int row = -1;

		if (r && r->kind != kind)
			continue;
		if (r) {
			row = row_of[r->nid];
			x0 = axis_x(ax, r->base);
			x1 = axis_x(ax, r->base + (r->size - 1)) + 0.0001;
			/* metadata and firmware holes are small but are
			 * what the picture is for: keep them visible */
			if (x1 - x0 < (kind == DC_WALK_METADATA ||
				       kind == BOOT_FIRMWARE ? 2.0 : 0.8))
				x1 = x0 + (kind == DC_WALK_METADATA ||
					   kind == BOOT_FIRMWARE ? 2.0 : 0.8);
			if (row == run_row && x0 <= run_x1 + 0.5) {
				if (x1 > run_x1)
					run_x1 = x1;
				continue;
			}
		}
		if (run_row >= 0)
			fprintf(f, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" "
				"height=\"%.1f\" fill=\"%s\"/>\n", run_x0,
				TOP + run_row * (ROW_H + ROW_GAP) + 3,
				run_x1 - run_x0, ROW_H - 6, kind_color[kind]);
		run_row = row;
		run_x0 = x0;
		run_x1 = x1;
	}
}

static void draw_axis(FILE *f, const struct axis *ax, double y_bottom)
{
	double last_label = -1e9;
	char buf[40];

	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		"stroke=\"#333\"/>\n", LEFT, TOP - 8, W - RIGHT, TOP - 8);
	for (size_t i = 0; i < ax->n; i++) {
		const struct piece *p = &ax->p[i];

		if (p->brk) {	/* zigzag through the axis and every band */
			double cx = p->x + p->w / 2;

			fprintf(f, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" "
				"height=\"%.1f\" fill=\"url(#hatch)\"/>\n",
				p->x + 3, TOP - 12, p->w - 6, y_bottom - TOP + 12);
			fprintf(f, "<polyline points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f "
				"%.1f,%.1f\" fill=\"none\" stroke=\"#333\"/>\n",
				cx - 4, TOP - 14, cx + 2, TOP - 10, cx - 2, TOP - 6,
				cx + 4, TOP - 2);
			continue;
		}
		if (!p->mem)
			continue;
		fprintf(f, "<line x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\" "
			"stroke=\"#333\"/>\n", p->x, TOP - 12, p->x, TOP - 4);
		if (p->x - last_label < 78)
			continue;
		snprintf(buf, sizeof(buf), "%#llx", (unsigned long long)p->base);
		fprintf(f, "<text x=\"%.2f\" y=\"%.1f\" font-size=\"9\" "
			"font-family=\"monospace\" fill=\"#333\">%s</text>\n",
			p->x + 1, TOP - 16, buf);
		last_label = p->x;
	}
}

/* A scale bar for the linear parts: a power of two near 120 pixels. */
static void draw_scale(FILE *f, const struct axis *ax, double y)
{
	const struct piece *big = NULL;
	long double px_per_byte;
	dc_size_t bytes = 1;
	char buf[32];

	for (size_t i = 0; i < ax->n; i++)
		if (ax->p[i].mem && ax->p[i].w > 3.0 &&
		    (!big || ax->p[i].w > big->w))
			big = &ax->p[i];
	if (!big)
		return;
	px_per_byte = big->w / (((long double)(big->last - big->base)) + 1);
	while (bytes < (1ull << 62) && (long double)bytes * 2 * px_per_byte <= 150)
		bytes <<= 1;
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		"stroke=\"#000\" stroke-width=\"3\"/>\n", W - RIGHT -
		(double)(bytes * px_per_byte), y + 6, W - RIGHT, y + 6);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
		"text-anchor=\"end\" font-family=\"sans-serif\">bar: %s "
		"(memory is to scale; holes over 1%% of memory are compressed)"
		"</text>\n", W - RIGHT, y - 5, dc_human(bytes, buf));
}

int dc_boot_svg(const struct boot *b, const char *path)
{
	FILE *f = fopen(path, "w");
	struct axis ax;
	int *row_of;
	double h, y;
	char buf[32], buf2[32];
	static const int order[] = { DC_WALK_FREE, DC_WALK_USED, BOOT_FIRMWARE,
				     DC_WALK_METADATA };

	if (!f)
		return -1;
	row_of = calloc(DC_MAX_NODES, sizeof(int));
	for (unsigned i = 0; i < b->nnodes; i++)
		row_of[b->nodes[i].nid] = (int)i;
	axis_build(&ax, b->layout);
	h = TOP + b->nnodes * (ROW_H + ROW_GAP) + 70;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
		"height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n", W, h, W, h);
	fprintf(f, "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" "
		"patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
		"<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#bbb\" "
		"stroke-width=\"2\"/></pattern></defs>\n");
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(f, "<text x=\"%.0f\" y=\"24\" font-size=\"16\" font-weight=\"bold\" "
		"font-family=\"sans-serif\">discontig boot: ", LEFT);
	xml_text(f, b->topo->source);
	fprintf(f, "</text>\n<text x=\"%.0f\" y=\"44\" font-size=\"12\" "
		"font-family=\"sans-serif\">layout %s, backend %s, %u nodes, %s "
		"of memory, %s used, %s metadata, %s pages</text>\n", LEFT,
		b->layout->name, b->sys->ops->name, b->nnodes,
		dc_human(b->total.memory, buf), dc_human(b->total.used, buf2),
		dc_human(b->total.metadata, (char[32]){ 0 }),
		dc_human(1ull << b->layout->page_shift, (char[32]){ 0 }));
	for (unsigned i = 0; i < b->nnodes; i++) {
		y = TOP + i * (ROW_H + ROW_GAP);
		fprintf(f, "<text x=\"8\" y=\"%.1f\" font-size=\"12\" "
			"font-family=\"sans-serif\">node %d</text>\n", y + 12,
			b->nodes[i].nid);
		fprintf(f, "<text x=\"8\" y=\"%.1f\" font-size=\"10\" "
			"font-family=\"sans-serif\" fill=\"#555\">%s</text>\n",
			y + 24, dc_human(b->nodes[i].st.memory, buf));
		fprintf(f, "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.0f\" height=\"%.1f\" "
			"fill=\"#f3f3f3\"/>\n", LEFT, y, W - LEFT - RIGHT, ROW_H);
	}
	draw_axis(f, &ax, TOP + b->nnodes * (ROW_H + ROW_GAP));
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		draw_kind(f, b, &ax, row_of, order[k]);
	y = TOP + b->nnodes * (ROW_H + ROW_GAP) + 22;
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		double x = LEFT + k * 190;

		fprintf(f, "<rect x=\"%.0f\" y=\"%.1f\" width=\"14\" height=\"14\" "
			"fill=\"%s\"/><text x=\"%.0f\" y=\"%.1f\" font-size=\"11\" "
			"font-family=\"sans-serif\">%s</text>\n", x, y - 11,
			kind_color[order[k]], x + 19, y, kind_name[order[k]]);
	}
	fprintf(f, "<rect x=\"%.0f\" y=\"%.1f\" width=\"14\" height=\"14\" "
		"fill=\"url(#hatch)\" stroke=\"#999\"/><text x=\"%.0f\" y=\"%.1f\" "
		"font-size=\"11\" font-family=\"sans-serif\">hole (compressed)"
		"</text>\n", LEFT + 760, y - 11, LEFT + 779, y);
	draw_scale(f, &ax, y + 30);
	fprintf(f, "</svg>\n");
	free(row_of);
	free(ax.p);
	return fclose(f) ? -1 : 0;
}
