// SPDX-License-Identifier: BSD-3-Clause
/*
 * layout.c - HOST ONLY: the common part of the layout models (LAYOUTS.md):
 * choose a model, let it append fragments, reservations and notes, then
 * sort and check the result; size the initial pool; apply a layout to a
 * struct dc_system.
 *
 * Invariants of a published struct dc_layout (checked by layout_check()
 * before dc_layout_make() returns; a failure there is our bug):
 *  L1  every fragment and reservation has size > 0 and does not pass 2^64;
 *  L2  fragments never overlap (adjacent ones of one node may touch);
 *  L3  every reservation lies inside one fragment of its owner node;
 *  L4  frags sorted by (nid, base), reserved sorted by base.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "topology/layout.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/range.h"

void dc_lb_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

const char *dc_topo_human(uint64_t bytes, char *buf)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB",
					    "PiB", "EiB" };
	uint64_t whole = bytes;
	int i = 0;

	while (whole >= 1024 && i < 6) {
		whole >>= 10;
		i++;
	}
	if (i == 0 || (bytes & (((uint64_t)1 << (10 * i)) - 1)) == 0)
		snprintf(buf, 32, "%llu %s", (unsigned long long)whole,
			 unit[i]);
	else
		snprintf(buf, 32, "%.2f %s",
			 (double)bytes / (double)((uint64_t)1 << (10 * i)),
			 unit[i]);
	return buf;
}

uint64_t dc_pow2_floor(uint64_t x)
{
	uint64_t p = 1;

	while (x / 2 >= p)
		p <<= 1;
	return p;
}

uint64_t dc_pow2_ceil(uint64_t x)
{
	uint64_t p = 1;

	while (p < x) {
		if (p > UINT64_MAX / 2)
			return 0;
		p <<= 1;
	}
	return p;
}

static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return DC_ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

int dc_lb_frag(struct dc_layout_build *b, int nid, dc_addr_t base,
	       dc_size_t size)
{
	struct dc_layout *l = b->l;

	if (grow((void **)&l->frags, &b->fcap, l->nfrags, sizeof(*l->frags)))
		return DC_ENOMEM;
	l->frags[l->nfrags++] = (struct dc_fragment){ nid, base, size };
	return 0;
}

int dc_lb_reserve(struct dc_layout_build *b, int nid, dc_addr_t base,
		  dc_size_t size)
{
	struct dc_layout *l = b->l;

	if (grow((void **)&l->reserved, &b->rcap, l->nreserved,
		 sizeof(*l->reserved)))
		return DC_ENOMEM;
	l->reserved[l->nreserved++] = (struct dc_fragment){ nid, base, size };
	return 0;
}

int dc_lb_note(struct dc_layout_build *b, const char *fmt, ...)
{
	struct dc_layout *l = b->l;
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (grow((void **)&l->notes, &b->ncap, l->nnotes, sizeof(*l->notes)))
		return DC_ENOMEM;
	l->notes[l->nnotes] = strdup(line);
	if (!l->notes[l->nnotes])
		return DC_ENOMEM;
	l->nnotes++;
	return 0;
}

static int cmp_nid_base(const void *a, const void *b)
{
	const struct dc_fragment *x = a, *y = b;

	if (x->nid != y->nid)
		return (x->nid > y->nid) - (x->nid < y->nid);
	return (x->base > y->base) - (x->base < y->base);
}

static int cmp_base(const void *a, const void *b)
{
	const struct dc_fragment *x = a, *y = b;

	return (x->base > y->base) - (x->base < y->base);
}

/* L1..L3 (L4 is done by the caller's sorts). 0 or the broken number. */
static int layout_check(const struct dc_layout *l)
{
	struct dc_fragment *byaddr;
	dc_addr_t last, prev_last = 0;
	size_t i, j;
	int bad = 0;

	byaddr = malloc((l->nfrags ? l->nfrags : 1) * sizeof(*byaddr));
	if (!byaddr)
		return 0;	/* cannot check; the sorts still hold */
	if (l->nfrags) {
		memcpy(byaddr, l->frags, l->nfrags * sizeof(*byaddr));
		qsort(byaddr, l->nfrags, sizeof(*byaddr), cmp_base);
	}
	for (i = 0; i < l->nfrags && !bad; i++) {
		if (dc_range_last(byaddr[i].base, byaddr[i].size, &last))
			bad = 1;
		else if (i && byaddr[i].base <= prev_last)
			bad = 2;
		prev_last = last;
	}
	for (i = 0; i < l->nreserved && !bad; i++) {
		const struct dc_fragment *r = &l->reserved[i];
		dc_addr_t rl, fl = 0;

		if (dc_range_last(r->base, r->size, &rl)) {
			bad = 1;
			break;
		}
		for (j = 0; j < l->nfrags; j++) {
			const struct dc_fragment *f = &l->frags[j];

			if (dc_range_last(f->base, f->size, &fl))
				continue;
			if (f->nid == r->nid && f->base <= r->base && rl <= fl)
				break;
		}
		if (j == l->nfrags)
			bad = 3;
	}
	free(byaddr);
	return bad;
}

static const char *const models[] = { "host", "flat", "sn1", "wildfire" };

int dc_layout_make(const struct dc_topology *t, const char *model,
		   const struct dc_layout_opts *o, struct dc_layout *out,
		   char *err, size_t errlen)
{
	static const struct dc_layout_opts defaults;
	struct dc_layout_build b = { out, 0, 0, 0 };
	size_t m;
	int rc, bad;

	if (!out)
		return DC_EINVAL;
	memset(out, 0, sizeof(*out));
	if (!t || !model || !t->nodes) {
		dc_lb_err(err, errlen, "no topology or no layout model");
		return DC_EINVAL;
	}
	if (!o)
		o = &defaults;
	for (m = 0; m < sizeof(models) / sizeof(models[0]); m++)
		if (!strcmp(model, models[m]))
			break;
	if (m == sizeof(models) / sizeof(models[0])) {
		dc_lb_err(err, errlen, "unknown layout '%s' (host, flat, sn1, "
			  "wildfire)", model);
		return DC_EINVAL;
	}
	if (o->gap && m != 1) {
		dc_lb_err(err, errlen, "--gap: only the flat layout has gaps "
			  "between nodes, not %s", model);
		return DC_EINVAL;
	}
	if (m == 0 && !t->live) {
		/* The source has no physical map; pretending with the host's
		 * would mix two machines (decision: reject, not fall back). */
		dc_lb_err(err, errlen, "layout host needs the live machine "
			  "(this source has no physical memory map): use "
			  "--layout flat, sn1 or wildfire");
		return DC_EINVAL;
	}
	snprintf(out->name, sizeof(out->name), "%s", model);
	switch (m) {
	case 0:
		rc = dc_layout_host(t, o, &b, err, errlen);
		if (rc == DC_ENOENT) {	/* noted: fall back to flat */
			snprintf(out->name, sizeof(out->name), "flat");
			rc = dc_layout_flat(t, o, &b, err, errlen);
		}
		break;
	case 1:
		rc = dc_layout_flat(t, o, &b, err, errlen);
		break;
	case 2:
		rc = dc_layout_sn1(t, o, &b, err, errlen);
		break;
	default:
		rc = dc_layout_wildfire(t, o, &b, err, errlen);
		break;
	}
	if (rc == DC_ENOMEM)
		dc_lb_err(err, errlen, "%s: out of memory", model);
	if (rc) {
		dc_layout_free(out);
		return rc;
	}
	if (out->nfrags)
		qsort(out->frags, out->nfrags, sizeof(*out->frags),
		      cmp_nid_base);
	if (out->nreserved)
		qsort(out->reserved, out->nreserved, sizeof(*out->reserved),
		      cmp_base);
	bad = layout_check(out);
	if (bad) {
		dc_lb_err(err, errlen, "%s: internal error: layout breaks "
			  "invariant L%d", out->name, bad);
		dc_layout_free(out);
		return DC_EINVAL;
	}
	return 0;
}

void dc_layout_free(struct dc_layout *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; l->notes && i < l->nnotes; i++)
		free(l->notes[i]);
	free(l->notes);
	free(l->frags);
	free(l->reserved);
	memset(l, 0, sizeof(*l));
}

dc_size_t dc_layout_memory(const struct dc_layout *l, int nid)
{
	dc_size_t sum = 0;
	size_t i;

	for (i = 0; l && i < l->nfrags; i++)
		if (nid == DC_NO_NODE || l->frags[i].nid == nid)
			sum += l->frags[i].size;
	return sum;
}

/* Distinct nids among the fragments (sorted by nid). */
static dc_size_t layout_nodes(const struct dc_layout *l)
{
	dc_size_t n = 0;
	size_t i;

	for (i = 0; i < l->nfrags; i++)
		if (!i || l->frags[i].nid != l->frags[i - 1].nid)
			n++;
	return n;
}

dc_size_t dc_layout_pool_bytes(const struct dc_layout *l)
{
	/* dc_layout_apply(): each fragment once, distances after the nodes
	 * exist, each reservation inside one fragment (layouts place
	 * firmware inside a bank) */
	return l ? DC_POOL_BYTES(l->nfrags, l->nreserved, layout_nodes(l)) : 0;
}

static int apply_distances(const struct dc_layout *l,
			   const struct dc_topology *t, struct dc_system *sys)
{
	unsigned n = t->nnodes, i, j;
	bool *mem;
	int rc = 0;

	mem = calloc(n ? n : 1, sizeof(*mem));
	if (!mem)
		return DC_ENOMEM;
	for (i = 0; i < n; i++)
		mem[i] = dc_layout_memory(l, t->nodes[i].nid) > 0;
	for (i = 0; i < n && !rc; i++) {
		for (j = 0; j < n && !rc; j++) {
			unsigned d = t->distance[i * n + j];

			/* dc_set_distance() wants nodes with memory */
			if (!mem[i] || !mem[j] || d == (i == j ? 10u : 20u))
				continue;
			rc = dc_set_distance(sys, t->nodes[i].nid,
					     t->nodes[j].nid, d);
		}
	}
	free(mem);
	return rc;
}

int dc_layout_apply(const struct dc_layout *l, const struct dc_topology *t,
		    struct dc_system *sys)
{
	size_t i;
	int rc;

	if (!l || !sys)
		return DC_EINVAL;
	for (i = 0; i < l->nfrags; i++) {
		rc = dc_add_memory(sys, l->frags[i].nid, l->frags[i].base,
				   l->frags[i].size);
		if (rc)
			return rc;
	}
	/* after every node exists, so the table is made once */
	if (t && t->has_distances && t->distance) {
		rc = apply_distances(l, t, sys);
		if (rc)
			return rc;
	}
	for (i = 0; i < l->nreserved; i++) {
		rc = dc_reserve(sys, l->reserved[i].base, l->reserved[i].size);
		if (rc)
			return rc;
	}
	return 0;
}
