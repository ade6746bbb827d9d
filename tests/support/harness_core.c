// SPDX-License-Identifier: BSD-3-Clause
/*
 * harness_core.c - the environment-neutral part of the test harness
 * (see harness_core.h): snapshots, walks, accounting, random numbers.
 * Built into the CUnit programs and into the Linux module alike, so it
 * uses nothing but the library and the h_* environment functions.
 */
#include "harness_core.h"

int h_add(struct dc_harness *h, int nid, dc_addr_t base, dc_size_t size)
{
	int r = dc_add_memory(h->sys, nid, base, size);

	if (!r)
		h_back(h, nid, base, size);
	return r;
}

bool h_p2v_refused(struct dc_harness *h, dc_addr_t pa, dc_size_t len)
{
	h->p2v_calls++;
	return h->refuse_from && len && pa + (len - 1) >= h->refuse_from;
}

struct snap_ctx {
	struct dc_snapshot *s;
	int kind;
	size_t cap;
};

static int snap_range(void *ctx, int nid, dc_addr_t base, dc_size_t size)
{
	struct snap_ctx *c = ctx;
	struct dc_snapshot *s = c->s;
	struct dc_range_rec *r;

	if (s->nranges == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		r = h_realloc(s->ranges, c->cap * sizeof(*s->ranges));
		if (!r)
			return -1;	/* ends the walk; the snapshot is
					   short, and compares as such */
		s->ranges = r;
	}
	s->ranges[s->nranges++] = (struct dc_range_rec){ c->kind, nid, base,
							 size };
	return 0;
}

void h_snap(const struct dc_system *sys, struct dc_snapshot *s)
{
	h_snap_nids(sys, s, DC_MAX_NODES);
}

void h_snap_nids(const struct dc_system *sys, struct dc_snapshot *s,
		 int nids)
{
	struct snap_ctx c = { .s = s };

	memset(s, 0, sizeof(*s));
	s->phase = dc_phase(sys);
	dc_stats(sys, DC_NO_NODE, &s->total);
	/* "failed" counts failed dc_alloc calls: the one thing a failed call
	 * is meant to change */
	s->total.failed = 0;
	for (int nid = 0; nid < nids && s->nnodes < 64; nid++) {
		if (dc_stats(sys, nid, &s->node[s->nnodes]))
			continue;
		s->node[s->nnodes].failed = 0;
		s->nids[s->nnodes++] = nid;
	}
	for (c.kind = DC_WALK_MEMORY; c.kind <= DC_WALK_METADATA; c.kind++)
		dc_walk(sys, DC_NO_NODE, (enum dc_walk_kind)c.kind, snap_range,
			&c);
	s->check = dc_check(sys);
}

bool h_snap_equal(const struct dc_snapshot *a, const struct dc_snapshot *b)
{
	if (a->phase != b->phase || a->nnodes != b->nnodes ||
	    a->check != b->check) {
		h_log("snapshot: phase/nodes/check differ\n");
		return false;
	}
	if (memcmp(&a->total, &b->total, sizeof(a->total))) {
		h_log("snapshot: total stats differ\n");
		return false;
	}
	for (int i = 0; i < a->nnodes; i++)
		if (a->nids[i] != b->nids[i] ||
		    memcmp(&a->node[i], &b->node[i], sizeof(a->node[i]))) {
			h_log("snapshot: stats of node %d differ\n",
			      a->nids[i]);
			return false;
		}
	if (a->nranges != b->nranges ||
	    (a->nranges && memcmp(a->ranges, b->ranges,
				  a->nranges * sizeof(*a->ranges)))) {
		h_log("snapshot: walks differ\n");
		return false;
	}
	return true;
}

void h_snap_free(struct dc_snapshot *s)
{
	h_free(s->ranges);
	s->ranges = NULL;
}

struct dc_snapshot *h_snap_new(const struct dc_system *sys)
{
	struct dc_snapshot *s = h_zalloc(sizeof(*s));

	if (s)
		h_snap(sys, s);
	return s;
}

/* Two heap snapshots; one that could not be taken compares unequal. */
bool h_snap_same(const struct dc_snapshot *a, const struct dc_snapshot *b)
{
	return a && b && h_snap_equal(a, b);
}

bool h_snap_still(const struct dc_system *sys,
		  const struct dc_snapshot *before)
{
	struct dc_snapshot *now = h_snap_new(sys);
	bool same = h_snap_same(before, now);

	h_snap_del(now);
	return same;
}

void h_snap_del(struct dc_snapshot *s)
{
	if (s)
		h_snap_free(s);
	h_free(s);
}

struct sum_ctx {
	dc_size_t bytes;
	size_t count;
};

static int sum_range(void *ctx, int nid, dc_addr_t base, dc_size_t size)
{
	struct sum_ctx *c = ctx;

	c->bytes += size;
	c->count++;
	return 0;
}

dc_size_t h_walk_bytes(const struct dc_system *sys, int nid,
		       enum dc_walk_kind kind)
{
	struct sum_ctx c = { 0, 0 };

	dc_walk(sys, nid, kind, sum_range, &c);
	return c.bytes;
}

size_t h_walk_count(const struct dc_system *sys, int nid,
		    enum dc_walk_kind kind)
{
	struct sum_ctx c = { 0, 0 };

	dc_walk(sys, nid, kind, sum_range, &c);
	return c.count;
}

static bool stats_add_up(const struct dc_stats *s)
{
	return s->memory == s->used + s->metadata + s->free + s->released;
}

bool h_accounting_ok(const struct dc_system *sys)
{
	struct dc_stats s;

	if (dc_stats(sys, DC_NO_NODE, &s) || !stats_add_up(&s))
		return false;
	for (int nid = 0; nid < DC_MAX_NODES; nid++)
		if (!dc_stats(sys, nid, &s) && !stats_add_up(&s))
			return false;
	return true;
}

uint64_t h_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x * 0x2545F4914F6CDD1Dull;
}

uint64_t h_rand_below(uint64_t *s, uint64_t n)
{
	return n ? h_rand(s) % n : 0;
}
