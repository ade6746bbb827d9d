// SPDX-License-Identifier: BSD-3-Clause
/*
 * peer.c - `discontig bench --peer memblock[=DIR]`: Linux's own
 * mm/memblock.c as one more column of the bench (issue 15), beside the
 * three backends, in the same run, through the same struct bench_impl.
 *
 * The peer is built from the kernel source Debian ships (linux-source-6.1)
 * by scripts/memblock-peer.sh into the user's cache and loaded with
 * dlopen (tools/peer/memblock_peer_load.h); nothing of the kernel enters
 * this repository. Without the source the bench prints the script's line
 * saying how to get it and goes on without the column.
 *
 * Mapping a column's calls to memblock's:
 *   open      memblock back to its boot state over PEER_SPAN bytes of
 *             host address space from 0 (MAP_NORESERVE: only the pages
 *             memblock writes, its grown arrays, are committed)
 *   add       memblock_add_node(base, size, nid)
 *   remove    memblock_remove()
 *   reserve   memblock_reserve()
 *   free      memblock_phys_free()
 *   finalize  nothing: memblock has no phase change before its handover
 *   alloc     memblock_alloc_range_nid() in the request's direction
 *             (memblock_set_bottom_up() when it changes; memblock's
 *             default is top-down, as DC_CFG_TOP_DOWN), exact_nid for
 *             DC_REQ_EXACT_NODE, the _try_nid_raw retry for RELAX_MIN
 *   figures   free ranges (for_each_free_mem_range), and the bytes of its
 *             two region arrays as metadata: the grown ones as memblock
 *             took them (PAGE_ALIGN(max * 24)), the static 128-slot ones
 *             of the kernel image at max * 24
 *
 * memblock grows its arrays inside the memory it manages, top-down, into
 * the highest free range. Where a scenario's layout must stay as built
 * (scaling: n free pages, checked), it gives a peer column an arena of
 * its own: memory of node BENCH_ARENA_NID above the layout, which exact
 * node-0 requests never use and whose free range the figures leave out.
 *
 * memblock is one global structure: one peer per process, one machine at
 * a time (the bench opens one column's machine at a time).
 */
#include "tools/bench/bench.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "memblock_peer_load.h"

/* Host address space the peer maps: every layout of the scaling and
 * small scenarios, and the scaling arena, lie below 16 GiB. */
#define PEER_SPAN (16 * GiB)

static struct dc_peer_memblock peer;
static bool peer_loaded;

struct mbsys {
	const struct dc_memblock_peer *mb;
	bool up, default_up;	/* bottom-up now, by default */
	bool arena;		/* BENCH_ARENA_NID has memory */
};

static int mb_err(int r)
{
	return r == -ENOMEM ? DC_ENOMEM : r ? DC_EINVAL : 0;
}

static const struct dc_memblock_peer *mb_of(struct bench_target *t)
{
	return ((struct mbsys *)t->priv)->mb;
}

static int mb_open(struct bench_target *t, unsigned shift, size_t pool,
		   unsigned flags)
{
	struct mbsys *s;

	if (shift != 12)	/* the stubs' PAGE_SIZE */
		return DC_EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return DC_ENOMEM;
	s->mb = peer.ops;
	t->priv = s;
	if (s->mb->reset(0, PEER_SPAN))
		return DC_ENOMEM;
	/* memblock boots top-down; its arrays grow top-down either way */
	s->default_up = !(flags & DC_CFG_TOP_DOWN);
	s->mb->set_bottom_up(false);
	return 0;
}

static int mb_add(struct bench_target *t, int nid, uint64_t base,
		  uint64_t size)
{
	struct mbsys *s = t->priv;

	if (nid == BENCH_ARENA_NID)
		s->arena = true;
	return mb_err(s->mb->add(base, size, nid));
}

static int mb_remove(struct bench_target *t, uint64_t base, uint64_t size)
{
	return mb_err(mb_of(t)->remove(base, size));
}

static int mb_reserve(struct bench_target *t, uint64_t base, uint64_t size)
{
	return mb_err(mb_of(t)->reserve(base, size));
}

static int mb_finalize(struct bench_target *t)
{
	return 0;
}

static int mb_alloc(struct bench_target *t, const struct dc_request *q,
		    uint64_t *out)
{
	struct mbsys *s = t->priv;
	bool up = q->flags & DC_REQ_TOP_DOWN ? false :
		  q->flags & DC_REQ_BOTTOM_UP ? true : s->default_up;
	unsigned f = 0;
	uint64_t a;

	if (up != s->up) {
		s->mb->set_bottom_up(up);
		s->up = up;
	}
	if (q->flags & DC_REQ_EXACT_NODE)
		f |= DC_MBP_EXACT_NID;
	if (q->flags & DC_REQ_RELAX_MIN)
		f |= DC_MBP_RELAX_MIN;
	if (q->flags & DC_REQ_ZERO)
		f |= DC_MBP_ZERO;
	/* align 0 is discontig's DC_DEFAULT_ALIGN; memblock would take
	 * SMP_CACHE_BYTES (32 in the stubs) */
	if (s->mb->alloc(q->size, q->align ? q->align : DC_DEFAULT_ALIGN,
			 q->min_addr, q->max_addr, q->nid, f, &a))
		return DC_ENOMEM;
	*out = a;
	return 0;
}

static int mb_free(struct bench_target *t, uint64_t base, uint64_t size)
{
	return mb_err(mb_of(t)->free(base, size));
}

static void mb_figures(struct bench_target *t, struct bench_figures *out)
{
	struct mbsys *s = t->priv;
	struct dc_mbp_stats ms;

	memset(out, 0, sizeof(*out));
	s->mb->stats(&ms);
	for (int k = 0; k < 2; k++) {
		const struct dc_mbp_array *a = &ms.type[k];

		out->metadata += a->taken ? a->taken : a->max * ms.region_size;
	}
	out->free_extents = s->mb->free_ranges(-1, NULL);
	if (s->arena)
		out->free_extents -= s->mb->free_ranges(BENCH_ARENA_NID, NULL);
}

static void mb_close(struct bench_target *t)
{
	struct mbsys *s = t->priv;

	if (!s)
		return;
	s->mb->reset(0, 0);
	free(s);
	t->priv = NULL;
}

static const struct bench_impl mb_impl = {
	mb_open, mb_add, mb_remove, mb_reserve, mb_finalize, mb_alloc,
	mb_free, mb_figures, mb_close,
};

int bench_add_peer(struct bench *b, const char *spec, char *why, size_t len)
{
	const char *dir = NULL;
	int r;

	if (strncmp(spec, "memblock", 8) || (spec[8] && spec[8] != '='))
		return -1;
	if (spec[8] == '=') {
		dir = spec + 9;
		if (!*dir)
			return -1;
	}
	if (!peer_loaded) {
		r = dc_peer_memblock_open(dir, false, &peer, why, len);
		if (r)
			return 2;
		peer_loaded = true;
	}
	if (bench_add_column(b, "memblock", &mb_impl, "#ff7f0e") < 0) {
		snprintf(why, len, "no room for another column");
		return 2;
	}
	snprintf(b->peer_version, sizeof(b->peer_version), "%s",
		 peer.ops->kernel_version);
	return 0;
}

void bench_peer_unload(void)
{
	if (peer_loaded)
		dc_peer_memblock_close(&peer);
	peer_loaded = false;
}
