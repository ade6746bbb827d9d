// SPDX-License-Identifier: BSD-3-Clause
/*
 * plot.c - the bench's picture (bench.h): the scaling figures as cost
 * per operation against free extents, log-log. One series per column and
 * metric (alloc+free solid, reserve+free dashed: the two pairs issue 15's
 * goals compare with Linux's memblock), each point its median with a
 * whisker from the minimum to the maximum of the repetitions, so a noisy
 * point shows as noisy. The machine and the date are written under the
 * plot: a figure without them cannot be compared with another run.
 */
#include "tools/bench/bench.h"
#include "tools/util.h"

#include <math.h>
#include <string.h>

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

static void line(FILE *f, double x1, double y1, double x2, double y2,
		 const char *stroke)
{
	fprintf(f, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' "
		"stroke='%s'/>\n", x1, y1, x2, y2, stroke);
}

static void svg_axes(FILE *f, const struct plot *p)
{
	int d, k;

	fprintf(f, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' "
		"fill='none' stroke='#000'/>\n", p->left, p->top, p->w, p->h);
	for (d = (int)p->x0; d <= (int)p->x1; d++) {
		double x = plot_x(p, pow(10, d));

		line(f, x, p->top, x, p->top + p->h, "#ddd");
		line(f, x, p->top + p->h, x, p->top + p->h + 6, "#000");
		fprintf(f, "<text x='%.1f' y='%.1f' text-anchor='middle'>10"
			"<tspan dy='-7' font-size='11'>%d</tspan></text>\n", x,
			p->top + p->h + 24, d);
		for (k = 2; k < 10 && d < (int)p->x1; k++) {
			x = plot_x(p, k * pow(10, d));
			line(f, x, p->top + p->h, x, p->top + p->h + 3, "#000");
		}
	}
	for (d = (int)p->y0; d <= (int)p->y1; d++) {
		double y = plot_y(p, pow(10, d));

		line(f, p->left, y, p->left + p->w, y, "#ddd");
		line(f, p->left - 6, y, p->left, y, "#000");
		fprintf(f, "<text x='%.1f' y='%.1f' text-anchor='end'>10"
			"<tspan dy='-7' font-size='11'>%d</tspan></text>\n",
			p->left - 10, y + 5, d);
		for (k = 2; k < 10 && d < (int)p->y1; k++) {
			y = plot_y(p, k * pow(10, d));
			line(f, p->left - 3, y, p->left, y, "#000");
		}
	}
	fprintf(f, "<text x='%.1f' y='%.1f' text-anchor='middle'>free extents "
		"n (one node)</text>\n", p->left + p->w / 2,
		p->top + p->h + 48);
	fprintf(f, "<text transform='translate(%.1f,%.1f) rotate(-90)' "
		"text-anchor='middle'>ns per operation (median, min..max)"
		"</text>\n", p->left - 58, p->top + p->h / 2);
}

static const char *const plot_metrics[2] = { "alloc+free", "reserve+free" };

static bool plotted(const struct bench_row *r, int col, const char *metric)
{
	return !strcmp(r->scen, "scaling") && !strcmp(r->metric, metric) &&
	       r->v[col].ok && r->v[col].min > 0;
}

/* One line per column and metric, with whiskers. */
static void svg_series(FILE *f, const struct bench *b, const struct plot *p,
		       int col, const char *metric, bool dashed)
{
	const char *color = b->cols[col].color;
	bool first = true;

	fprintf(f, "<polyline fill='none' stroke='%s' stroke-width='2'%s "
		"points='", color, dashed ? " stroke-dasharray='6,4'" : "");
	for (unsigned i = 0; i < b->nrows; i++) {
		const struct bench_row *r = &b->rows[i];

		if (!plotted(r, col, metric))
			continue;
		fprintf(f, "%s%.1f,%.1f", first ? "" : " ",
			plot_x(p, (double)r->x), plot_y(p, r->v[col].med));
		first = false;
	}
	fprintf(f, "'/>\n");
	for (unsigned i = 0; i < b->nrows; i++) {
		const struct bench_row *r = &b->rows[i];
		double x, ylo, yhi;

		if (!plotted(r, col, metric))
			continue;
		/* offset the whiskers of each series a little, so that
		 * overlapping ones stay apart */
		x = plot_x(p, (double)r->x) + (col * 2 + dashed - 2) * 2.0;
		ylo = plot_y(p, r->v[col].min);
		yhi = plot_y(p, r->v[col].max);
		fprintf(f, "<g stroke='%s'><title>%s %s n=%llu: median %.4g ns, "
			"min %.4g, max %.4g</title>", color, b->cols[col].name,
			metric, (unsigned long long)r->x, r->v[col].med,
			r->v[col].min, r->v[col].max);
		line(f, x, ylo, x, yhi, color);
		line(f, x - 3, ylo, x + 3, ylo, color);
		line(f, x - 3, yhi, x + 3, yhi, color);
		fprintf(f, "<circle cx='%.1f' cy='%.1f' r='3.5' fill='%s'/></g>\n",
			plot_x(p, (double)r->x), plot_y(p, r->v[col].med), color);
	}
}

int bench_plot_svg(const struct bench *b, FILE *f)
{
	struct plot p = { .left = 90, .top = 50, .w = 540, .h = 400 };
	double xmin = INFINITY, xmax = 0, ymin = INFINITY, ymax = 0;
	int k = 0;

	for (unsigned i = 0; i < b->nrows; i++)
		for (unsigned col = 0; col < b->ncols; col++) {
			const struct bench_row *r = &b->rows[i];

			if (!plotted(r, (int)col, plot_metrics[0]) &&
			    !plotted(r, (int)col, plot_metrics[1]))
				continue;
			xmin = fmin(xmin, (double)r->x);
			xmax = fmax(xmax, (double)r->x);
			ymin = fmin(ymin, r->v[col].min);
			ymax = fmax(ymax, r->v[col].max);
		}
	if (xmax == 0)
		return -1;
	p.x0 = floor(log10(xmin));
	p.x1 = fmax(ceil(log10(xmax)), p.x0 + 1);
	p.y0 = floor(log10(ymin));
	p.y1 = fmax(ceil(log10(ymax)), p.y0 + 1);
	fprintf(f, "<?xml version='1.0' encoding='UTF-8'?>\n"
		"<svg xmlns='http://www.w3.org/2000/svg' width='900' "
		"height='580' font-family='sans-serif' font-size='14'>\n"
		"<rect width='100%%' height='100%%' fill='#fff'/>\n"
		"<text x='450' y='28' text-anchor='middle' font-size='17'>"
		"discontig bench: cost per operation against free extents "
		"(log-log)</text>\n");
	svg_axes(f, &p);
	for (unsigned col = 0; col < b->ncols; col++) {
		svg_series(f, b, &p, (int)col, plot_metrics[0], false);
		svg_series(f, b, &p, (int)col, plot_metrics[1], true);
	}
	for (unsigned col = 0; col < b->ncols; col++) {
		double y = p.top + 20 + k * 46;
		const char *c = b->cols[col].color;

		fprintf(f, "<line x1='655' y1='%.1f' x2='690' y2='%.1f' "
			"stroke='%s' stroke-width='2'/><text x='696' y='%.1f'>"
			"%s alloc+free</text>\n", y, y, c, y + 5,
			b->cols[col].name);
		fprintf(f, "<line x1='655' y1='%.1f' x2='690' y2='%.1f' "
			"stroke='%s' stroke-width='2' stroke-dasharray='6,4'/>"
			"<text x='696' y='%.1f'>%s reserve+free</text>\n",
			y + 20, y + 20, c, y + 25, b->cols[col].name);
		k++;
	}
	fprintf(f, "<text x='655' y='%.1f' font-size='12' fill='#555'>median "
		"of %u runs,</text>\n<text x='655' y='%.1f' font-size='12' "
		"fill='#555'>bars: min..max</text>\n", p.top + 20 + k * 46,
		b->o.reps, p.top + 36 + k * 46);
	fprintf(f, "<text x='20' y='545' font-size='12' fill='#333'>");
	dc_xml_text(f, b->machine);
	fprintf(f, "</text>\n<text x='20' y='563' font-size='12' "
		"fill='#333'>%s%s%s%s</text>\n</svg>\n", b->date,
		b->o.quick ? ", --quick (short measurements)" : "",
		b->peer_version[0] ? "; memblock: Linux " : "",
		b->peer_version);
	return 0;
}
