// SPDX-License-Identifier: BSD-3-Clause
/*
 * map_svg.c - memory map pictures (map_svg.h): the boot map and the topo
 * map share one drawing, a list of rows (nodes) and of ranges (what each
 * byte is), laid along one physical address axis.
 *
 * Axis. Memory is drawn to scale inside each stretch of registered
 * memory; holes between stretches smaller than 1% of memory keep a
 * proportional gap, larger ones (SN1's slots, the Wildfire windows) are
 * compressed into a fixed-width break marked with a zigzag, so a 16 TiB
 * map with mostly holes still shows its memory. A stretch too small to
 * see gets a minimum width. Every stretch is labelled with its address
 * and, where it is wide, with round addresses inside it, so a flat layout
 * (one stretch) has a readable axis too.
 *
 * Bands. A node's band shows its own memory; the holes between its own
 * fragments are hatched in the band (the background is another node's
 * memory or nothing). Nodes without memory get a band too, saying why:
 * CPU-only, or dropped by the layout. Memory-only nodes (no cpu calls
 * them home: KNL's MCDRAM, ia64's node 16) say so under their name.
 *
 * Ranges. Each rectangle has a <title> (a tooltip in a browser) naming
 * what it is and its inclusive [base-last] range. Ranges of one kind that
 * fall into the same pixels are merged, and the title says how many.
 */
#include "tools/map_svg.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tools/util.h"

#define W 1200.0
#define LEFT 150.0
#define RIGHT 30.0
#define ROW_H 26.0
#define ROW_GAP 12.0
#define BREAK_W 18.0
#define MAX_NOTES 6

/* Kinds of range: the four of dc_walk, firmware, then the boot's
 * categories (enum boot_cat) after KIND_CAT. */
enum {
	KIND_MEMORY, KIND_FREE, KIND_USED, KIND_METADATA, KIND_FIRMWARE,
	KIND_CAT, KIND_MAX = KIND_CAT + BOOT_NCATS
};

static const char *const kind_color[KIND_MAX] = {
	[KIND_MEMORY] = "#8fb8de", [KIND_FREE] = "#9bd69b",
	[KIND_USED] = "#f28e2b", [KIND_METADATA] = "#7b3fa0",
	[KIND_FIRMWARE] = "#555555",
	[KIND_CAT + BOOT_CAT_EARLY] = "#b07aa1",
	[KIND_CAT + BOOT_CAT_NODE_DATA] = "#e15759",
	[KIND_CAT + BOOT_CAT_MEMMAP] = "#edc948",
	[KIND_CAT + BOOT_CAT_PERCPU] = "#ff9da7",
	[KIND_CAT + BOOT_CAT_PGTABLE] = "#9c755f",
	[KIND_CAT + BOOT_CAT_HASH] = "#76b7b2",
	[KIND_CAT + BOOT_CAT_DMA] = "#4e79a7",
	[KIND_CAT + BOOT_CAT_CRASH] = "#bab0ac",
};

static const char *kind_name(int kind)
{
	static const char *const names[KIND_CAT] = {
		[KIND_MEMORY] = "memory", [KIND_FREE] = "free (released)",
		[KIND_USED] = "used, other", [KIND_METADATA] = "allocator metadata",
		[KIND_FIRMWARE] = "reserved by firmware",
	};

	return kind < KIND_CAT ? names[kind] :
				 dc_boot_cat_name((enum boot_cat)(kind - KIND_CAT));
}

struct mrange {
	int nid, kind;
	dc_addr_t base;
	dc_size_t size;
	const char *what;	/* for the title, or NULL: the kind's name */
};

struct mrow {
	int nid;
	char label[32], sub[64];
	int absent;		/* 0, 1 CPU only, 2 dropped by the layout */
};

struct map {
	char title[400], subtitle[400];
	const char *const *notes;
	size_t nnotes;
	const char *extra_note;	/* the distance note, or NULL */
	const struct dc_layout *l;
	struct mrow *rows;
	size_t nrows;
	struct mrange *r;
	size_t nr, cap;
	unsigned long kinds_used;	/* bit per kind, for the legend */
	double top;
};

static void map_add(struct map *m, int nid, int kind, dc_addr_t base,
		    dc_size_t size, const char *what)
{
	if (!size)
		return;
	if (m->nr == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 1024;
		void *v = realloc(m->r, cap * sizeof(*m->r));

		if (!v)
			return;		/* a picture with fewer ranges */
		m->r = v;
		m->cap = cap;
	}
	m->r[m->nr++] = (struct mrange){ nid, kind, base, size, what };
	m->kinds_used |= 1ul << kind;
}

/* ---- the axis ---- */

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
	void *v = realloc(ax->p, (ax->n + 1) * sizeof(*ax->p));

	if (!v)
		return;
	ax->p = v;
	ax->p[ax->n++] = (struct piece){ b, l, 0, 0, mem, brk };
}

/* Widths: fixed breaks first, then minimums, then share the rest. */
static void axis_widths(struct axis *ax)
{
	long double k, avail = W - LEFT - RIGHT;

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
			double min = p->mem ? 3.0 : 1.5;

			if (p->brk)
				p->w = BREAK_W;
			else if (!(pass && p->w > 0 && p->w <= 3.0))
				p->w = w < min ? min : w;
		}
	}
	for (size_t i = 0; i < ax->n; i++)
		ax->p[i].x = (i ? ax->p[i - 1].x + ax->p[i - 1].w : LEFT);
}

static void axis_build(struct axis *ax, const struct dc_layout *l)
{
	struct dc_fragment *f = malloc((l->nfrags + 1) * sizeof(*f));
	long double total = 0;
	dc_addr_t b, last;
	size_t n = 0;

	ax->p = NULL;
	ax->n = 0;
	if (!f)
		return;
	memcpy(f, l->frags, l->nfrags * sizeof(*f));
	qsort(f, l->nfrags, sizeof(*f), frag_cmp);
	for (size_t i = 0; i < l->nfrags; i++)
		total += f[i].size;
	for (size_t i = 0; i < l->nfrags; i = n) {
		b = f[i].base;
		last = f[i].base + (f[i].size - 1);
		for (n = i + 1; n < l->nfrags && f[n].base == last + 1; n++)
			last = f[n].base + (f[n].size - 1);
		if (ax->n) {
			dc_addr_t hb = ax->p[ax->n - 1].last + 1;

			axis_push(ax, hb, b - 1, false,
				  (long double)(b - hb) > total / 100);
		}
		axis_push(ax, b, last, true, false);
	}
	free(f);
	axis_widths(ax);
}

static double axis_x(const struct axis *ax, dc_addr_t a)
{
	size_t lo = 0, hi = ax->n;
	const struct piece *p;

	if (!ax->n)
		return LEFT;
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

/* ---- drawing ---- */

static double row_y(const struct map *m, int row)
{
	return m->top + row * (ROW_H + ROW_GAP);
}

static void rect_title(FILE *f, const struct map *m, int row, double x0,
		       double x1, int kind, const struct mrange *first,
		       dc_addr_t last, size_t count)
{
	char h[32];

	fprintf(f, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" "
		"fill=\"%s\"><title>", x0, row_y(m, row) + 3, x1 - x0, ROW_H - 6,
		kind_color[kind]);
	dc_xml_text(f, first->what ? first->what : kind_name(kind));
	if (count > 1)
		fprintf(f, " and %zu more", count - 1);
	fprintf(f, ", node %d: [%#llx-%#llx]", first->nid,
		(unsigned long long)first->base, (unsigned long long)last);
	if (count == 1)
		fprintf(f, " %s", dc_human(first->size, h));
	fprintf(f, "</title></rect>\n");
}

/* Ranges of one kind, pixel-merged per row. */
static void draw_kind(FILE *f, const struct map *m, const struct axis *ax,
		      const int *row_of, int kind)
{
	double min_w = kind == KIND_FREE || kind == KIND_MEMORY ? 0.8 : 2.0;
	const struct mrange *first = NULL;
	double x0 = 0, x1 = -1;
	dc_addr_t last = 0;
	size_t count = 0;
	int run_row = -1;

	for (size_t i = 0; i <= m->nr; i++) {
		const struct mrange *r = i < m->nr ? &m->r[i] : NULL;
		double a = 0, b = 0;
		int row = -1;

		if (r && (r->kind != kind || row_of[r->nid] < 0))
			continue;
		if (r) {
			row = row_of[r->nid];
			a = axis_x(ax, r->base);
			b = axis_x(ax, r->base + (r->size - 1)) + 0.0001;
			if (b - a < min_w)
				b = a + min_w;
			if (row == run_row && a <= x1 + 0.5 &&
			    (!first->what == !r->what) &&
			    (!r->what || !strcmp(first->what, r->what) ||
			     b - a < 2.5)) {
				x1 = b > x1 ? b : x1;
				last = r->base + (r->size - 1);
				count++;
				continue;
			}
		}
		if (run_row >= 0)
			rect_title(f, m, run_row, x0, x1, kind, first, last,
				   count);
		run_row = row;
		first = r;
		x0 = a;
		x1 = b;
		last = r ? r->base + (r->size - 1) : 0;
		count = 1;
	}
}

/* Hatch the holes between a node's own fragments (frags sorted by
 * (nid, base): layout invariant L4). */
static void draw_holes(FILE *f, const struct map *m, const struct axis *ax,
		       const int *row_of)
{
	const struct dc_layout *l = m->l;
	char h[32];

	for (size_t i = 1; i < l->nfrags; i++) {
		const struct dc_fragment *p = &l->frags[i - 1], *q = &l->frags[i];
		dc_addr_t hb = p->base + p->size;
		double x0, x1;
		int row;

		if (p->nid != q->nid || q->base <= hb || row_of[q->nid] < 0)
			continue;
		row = row_of[q->nid];
		x0 = axis_x(ax, hb);
		x1 = axis_x(ax, q->base);
		if (x1 - x0 < 1.0)
			x1 = x0 + 1.0;
		fprintf(f, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" "
			"height=\"%.1f\" fill=\"url(#hole)\" stroke=\"#999\" "
			"stroke-width=\"0.5\"><title>hole in node %d: "
			"[%#llx-%#llx] %s</title></rect>\n", x0, row_y(m, row) + 3,
			x1 - x0, ROW_H - 6, q->nid, (unsigned long long)hb,
			(unsigned long long)(q->base - 1),
			dc_human(q->base - hb, h));
	}
}

static void label(FILE *f, double x, double y, dc_addr_t a)
{
	fprintf(f, "<text x=\"%.2f\" y=\"%.1f\" font-size=\"9\" "
		"font-family=\"monospace\" fill=\"#333\">%#llx</text>\n", x + 1,
		y, (unsigned long long)a);
}

/* Address ticks: each stretch's start, and round addresses inside wide
 * stretches, at least 80 pixels apart. */
static void draw_axis(FILE *f, const struct map *m, const struct axis *ax,
		      double y_bottom)
{
	double top = m->top, last_label = -1e9;

	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		"stroke=\"#333\"/>\n", LEFT, top - 8, W - RIGHT, top - 8);
	for (size_t i = 0; i < ax->n; i++) {
		const struct piece *p = &ax->p[i];
		long double ppb;
		dc_size_t step = 1;
		dc_addr_t a;

		if (p->brk) {	/* zigzag through the axis and every band */
			double cx = p->x + p->w / 2;

			fprintf(f, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" "
				"height=\"%.1f\" fill=\"url(#hatch)\"><title>"
				"hole [%#llx-%#llx], compressed</title></rect>\n",
				p->x + 3, top - 12, p->w - 6, y_bottom - top + 12,
				(unsigned long long)p->base,
				(unsigned long long)p->last);
			fprintf(f, "<polyline points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f "
				"%.1f,%.1f\" fill=\"none\" stroke=\"#333\"/>\n",
				cx - 4, top - 14, cx + 2, top - 10, cx - 2, top - 6,
				cx + 4, top - 2);
			continue;
		}
		if (!p->mem)
			continue;
		fprintf(f, "<line x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\" "
			"stroke=\"#333\"/>\n", p->x, top - 12, p->x, top - 4);
		if (p->x - last_label >= 80) {
			label(f, p->x, top - 16, p->base);
			last_label = p->x;
		}
		ppb = p->w / (((long double)(p->last - p->base)) + 1);
		while (step < (1ull << 62) && (long double)step * ppb < 100)
			step <<= 1;
		if ((long double)step * ppb < 100)
			continue;
		for (a = (p->base / step + 1) * step; a > p->base && a <= p->last;
		     a += step) {
			double x = axis_x(ax, a);

			fprintf(f, "<line x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" "
				"y2=\"%.1f\" stroke=\"#777\"/>\n", x, top - 10, x,
				top - 6);
			if (x - last_label >= 80 && W - RIGHT - x > 40) {
				label(f, x, top - 16, a);
				last_label = x;
			}
			if (a > UINT64_MAX - step)
				break;
		}
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

static void draw_rows(FILE *f, const struct map *m)
{
	for (size_t i = 0; i < m->nrows; i++) {
		const struct mrow *r = &m->rows[i];
		double y = row_y(m, (int)i);

		fprintf(f, "<text x=\"8\" y=\"%.1f\" font-size=\"12\" "
			"font-family=\"sans-serif\">%s</text>\n", y + 12, r->label);
		fprintf(f, "<text x=\"8\" y=\"%.1f\" font-size=\"10\" "
			"font-family=\"sans-serif\" fill=\"%s\">%s</text>\n",
			y + 24, r->absent || strstr(r->sub, "only") ? "#a33" :
			"#555", r->sub);
		fprintf(f, "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.0f\" "
			"height=\"%.1f\" fill=\"%s\"/>\n", LEFT, y, W - LEFT - RIGHT,
			ROW_H, r->absent ? "url(#absent)" : "#f3f3f3");
		if (r->absent)
			fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"11\" "
				"font-family=\"sans-serif\" fill=\"#733\">%s"
				"</text>\n", LEFT + 10, y + 17, r->absent == 1 ?
				"CPU only: no memory on this node" :
				"dropped: the layout could not place this "
				"node's memory");
	}
}

static void draw_legend(FILE *f, const struct map *m, double y)
{
	double x = LEFT;

	for (int k = 0; k < KIND_MAX; k++) {
		const char *name = kind_name(k);
		double w = 30 + 7.0 * (double)strlen(name);

		if (!(m->kinds_used >> k & 1))
			continue;
		if (x + w > W - RIGHT) {
			x = LEFT;
			y += 20;
		}
		fprintf(f, "<rect x=\"%.0f\" y=\"%.1f\" width=\"14\" height=\"14\" "
			"fill=\"%s\"/><text x=\"%.0f\" y=\"%.1f\" font-size=\"11\" "
			"font-family=\"sans-serif\">%s</text>\n", x, y - 11,
			kind_color[k], x + 19, y, name);
		x += w;
	}
	if (x + 230 > W - RIGHT) {
		x = LEFT;
		y += 20;
	}
	fprintf(f, "<rect x=\"%.0f\" y=\"%.1f\" width=\"14\" height=\"14\" "
		"fill=\"url(#hole)\" stroke=\"#999\"/><text x=\"%.0f\" y=\"%.1f\" "
		"font-size=\"11\" font-family=\"sans-serif\">hole in a node</text>\n"
		"<rect x=\"%.0f\" y=\"%.1f\" width=\"14\" height=\"14\" "
		"fill=\"url(#hatch)\" stroke=\"#999\"/><text x=\"%.0f\" y=\"%.1f\" "
		"font-size=\"11\" font-family=\"sans-serif\">hole (compressed)"
		"</text>\n", x, y - 11, x + 19, y, x + 120, y - 11, x + 139, y);
}

/* The opening of the picture: its size, the fill patterns, the title,
 * the subtitle and the first @shown of @nnotes notes. */
static void draw_header(FILE *f, const struct map *m, double h, size_t nnotes,
			size_t shown)
{
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
		"height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n", W, h, W, h);
	fprintf(f, "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" "
		"patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
		"<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#bbb\" "
		"stroke-width=\"2\"/></pattern>\n"
		"<pattern id=\"hole\" width=\"5\" height=\"5\" "
		"patternUnits=\"userSpaceOnUse\"><rect width=\"5\" height=\"5\" "
		"fill=\"#fff\"/><path d=\"M0,0 L5,5 M5,0 L0,5\" stroke=\"#888\" "
		"stroke-width=\"0.8\"/></pattern>\n"
		"<pattern id=\"absent\" width=\"8\" height=\"8\" "
		"patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(-45)\">"
		"<rect width=\"8\" height=\"8\" fill=\"#fbf3f3\"/><line x1=\"0\" "
		"y1=\"0\" x2=\"0\" y2=\"8\" stroke=\"#ecd6d6\" stroke-width=\"3\"/>"
		"</pattern></defs>\n");
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(f, "<text x=\"8\" y=\"24\" font-size=\"16\" font-weight=\"bold\" "
		"font-family=\"sans-serif\">");
	dc_xml_text(f, m->title);
	fprintf(f, "</text>\n<text x=\"8\" y=\"44\" font-size=\"12\" "
		"font-family=\"sans-serif\">");
	dc_xml_text(f, m->subtitle);
	fprintf(f, "</text>\n");
	for (size_t i = 0; i < shown; i++) {
		const char *note = i < m->nnotes ? m->notes[i] : m->extra_note;

		fprintf(f, "<text x=\"8\" y=\"%.0f\" font-size=\"11\" "
			"font-family=\"sans-serif\" fill=\"#a33\">note: ", 62 + 15.0 * i);
		dc_xml_text(f, note);
		fprintf(f, "</text>\n");
	}
	if (nnotes > shown)
		fprintf(f, "<text x=\"8\" y=\"%.0f\" font-size=\"11\" "
			"font-family=\"sans-serif\" fill=\"#a33\">... and %zu more "
			"notes (see the text report)</text>\n", 62 + 15.0 * shown,
			nnotes - shown);
}

static void map_draw(FILE *f, struct map *m)
{
	size_t nnotes = m->nnotes + (m->extra_note ? 1 : 0), shown;
	struct axis ax;
	int *row_of = malloc(DC_MAX_NODES * sizeof(int));
	double h, y;

	if (!row_of)
		return;
	for (int i = 0; i < DC_MAX_NODES; i++)
		row_of[i] = -1;
	for (size_t i = 0; i < m->nrows; i++)
		if (!m->rows[i].absent)
			row_of[m->rows[i].nid] = (int)i;
	shown = nnotes > MAX_NOTES ? MAX_NOTES : nnotes;
	m->top = 92 + 15.0 * (double)shown + (nnotes > shown ? 15 : 0);
	axis_build(&ax, m->l);
	h = row_y(m, (int)m->nrows) + 110;
	draw_header(f, m, h, nnotes, shown);
	draw_rows(f, m);
	draw_axis(f, m, &ax, row_y(m, (int)m->nrows));
	draw_holes(f, m, &ax, row_of);
	for (int k = 0; k < KIND_MAX; k++)
		draw_kind(f, m, &ax, row_of, k);
	y = row_y(m, (int)m->nrows) + 22;
	draw_legend(f, m, y);
	draw_scale(f, &ax, y + 50);
	fprintf(f, "</svg>\n");
	free(row_of);
	free(ax.p);
}

/* ---- the two pictures ---- */

static void row_sub(char *buf, size_t len, dc_size_t memory, unsigned cpus,
		    bool memory_only)
{
	char h[32];

	snprintf(buf, len, "%s%s", dc_human(memory, h),
		 memory_only || !cpus ? ", memory only" : "");
}

/* A row per node with memory, then per node the boot left out: CPU only,
 * or memory the layout dropped. */
static void boot_rows(struct map *m, const struct boot *b)
{
	char h[32];

	for (unsigned i = 0; i < b->nnodes; i++) {
		struct mrow *r = &m->rows[m->nrows++];

		r->nid = b->nodes[i].nid;
		snprintf(r->label, sizeof(r->label), "node %d", r->nid);
		row_sub(r->sub, sizeof(r->sub), b->nodes[i].st.memory,
			b->nodes[i].cpus, b->nodes[i].memory_only);
	}
	for (unsigned i = 0; i < b->nabsent; i++) {
		struct mrow *r = &m->rows[m->nrows++];

		r->nid = b->absent[i].nid;
		r->absent = b->absent[i].topo_memory ? 2 : 1;
		snprintf(r->label, sizeof(r->label), "node %d", r->nid);
		if (r->absent == 2)
			snprintf(r->sub, sizeof(r->sub), "%s dropped",
				 dc_human(b->absent[i].topo_memory, h));
		else
			snprintf(r->sub, sizeof(r->sub), "CPU only");
	}
}

/* An item may cross fragments and nodes (dc_reserve may): split it at
 * the fragments it covers. */
static void boot_item(struct map *m, const struct dc_layout *l,
		      const struct boot_item *it)
{
	dc_addr_t last = it->base + (it->size - 1);

	for (size_t k = 0; k < l->nfrags; k++) {
		const struct dc_fragment *fr = &l->frags[k];
		dc_addr_t fl = fr->base + (fr->size - 1);
		dc_addr_t lo = it->base > fr->base ? it->base : fr->base;
		dc_addr_t hi = last < fl ? last : fl;

		if (lo <= hi)
			map_add(m, fr->nid, KIND_CAT + it->cat, lo, hi - lo + 1,
				it->what);
	}
}

void dc_boot_svg(const struct boot *b, FILE *f)
{
	struct map m = { 0 };
	char h1[32], h2[32], h3[32], h4[32];
	int kind;

	snprintf(m.title, sizeof(m.title), "discontig boot: %s",
		 b->topo->source);
	snprintf(m.subtitle, sizeof(m.subtitle), "layout %s, backend %s, "
		 "%u nodes with memory, %s of memory, %s used, %s metadata, "
		 "%s pages", b->layout->name, b->sys->ops->name, b->nnodes,
		 dc_human(b->total.memory, h1), dc_human(b->total.used, h2),
		 dc_human(b->total.metadata, h3),
		 dc_human(1ull << b->layout->page_shift, h4));
	m.notes = (const char *const *)b->layout->notes;
	m.nnotes = b->layout->nnotes;
	m.extra_note = b->topo->distance_note[0] ? b->topo->distance_note : NULL;
	m.l = b->layout;
	m.rows = calloc(b->nnodes + b->nabsent + 1, sizeof(*m.rows));
	if (!m.rows)
		return;
	boot_rows(&m, b);
	for (size_t i = 0; i < b->nranges; i++) {
		const struct boot_range *r = &b->ranges[i];

		kind = r->kind == BOOT_FIRMWARE ? KIND_FIRMWARE :
		       r->kind == DC_WALK_FREE ? KIND_FREE :
		       r->kind == DC_WALK_USED ? KIND_USED : KIND_METADATA;
		map_add(&m, r->nid, kind, r->base, r->size, NULL);
	}
	for (size_t i = 0; i < b->nitems; i++)
		boot_item(&m, b->layout, &b->items[i]);
	map_draw(f, &m);
	free(m.rows);
	free(m.r);
}

void dc_topo_svg(const struct dc_topology *t, const struct dc_layout *l,
		 FILE *f)
{
	struct map m = { 0 };
	char h1[32], h2[32];

	snprintf(m.title, sizeof(m.title), "discontig topo: %s", t->source);
	snprintf(m.subtitle, sizeof(m.subtitle), "layout %s, %u nodes, %s of "
		 "memory in %zu fragments, %zu firmware reservations, %s pages",
		 l->name, t->nnodes, dc_human(dc_layout_memory(l, DC_NO_NODE), h1),
		 l->nfrags, l->nreserved, dc_human(1ull << l->page_shift, h2));
	m.notes = (const char *const *)l->notes;
	m.nnotes = l->nnotes;
	m.extra_note = t->distance_note[0] ? t->distance_note : NULL;
	m.l = l;
	m.rows = calloc(t->nnodes + 1, sizeof(*m.rows));
	if (!m.rows)
		return;
	for (unsigned i = 0; i < t->nnodes; i++) {
		const struct dc_topo_node *n = &t->nodes[i];
		struct mrow *r = &m.rows[m.nrows++];
		dc_size_t mem = dc_layout_memory(l, n->nid);

		r->nid = n->nid;
		snprintf(r->label, sizeof(r->label), "node %d", n->nid);
		if (!mem) {
			r->absent = n->memory ? 2 : 1;
			snprintf(r->sub, sizeof(r->sub), "%s", n->memory ?
				 "dropped" : "CPU only");
			continue;
		}
		row_sub(r->sub, sizeof(r->sub), mem, n->ncpus, n->memory_only);
	}
	for (size_t i = 0; i < l->nfrags; i++)
		map_add(&m, l->frags[i].nid, KIND_MEMORY, l->frags[i].base,
			l->frags[i].size, "fragment");
	for (size_t i = 0; i < l->nreserved; i++)
		map_add(&m, l->reserved[i].nid, KIND_FIRMWARE,
			l->reserved[i].base, l->reserved[i].size,
			"reserved by firmware");
	map_draw(f, &m);
	free(m.rows);
	free(m.r);
}
