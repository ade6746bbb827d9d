// SPDX-License-Identifier: BSD-3-Clause
/*
 * backends/array.c - the region-array backend: Linux memblock's algorithm.
 *
 * DOC: array backend
 * Per node, two sorted arrays of regions, as memblock.memory and
 * memblock.reserved (mm/memblock.c): the node's memory and what is taken
 * of it (used or metadata). Free memory is never stored: it is "memory
 * minus reserved", walked the way __next_mem_range() and
 * __next_mem_range_rev() walk it, one cursor in each array. This is the
 * point of comparison of DESIGN.md ("Backends"): searches and updates
 * cost O(regions), as in memblock:
 *
 *  - find/alloc scan the free ranges linearly, bottom-up from the first
 *    region or top-down from the last (__memblock_find_range_bottom_up()
 *    and _top_down()), clamp each to the window and take the first
 *    aligned fit. Free ranges are maximal (both arrays are merged), so the
 *    first fit is the lowest (highest) fit of the node: the tree
 *    backend's answer, byte for byte.
 *  - reserve/free/add/remove find their region by a linear scan and
 *    insert or cut with memmove (memblock_add_range(),
 *    memblock_isolate_range()); inserted regions merge with the
 *    neighbours they touch (memblock_merge_regions()).
 *  - point lookups (probe, next_free, the bookkeeping of free_extents)
 *    use a binary search, as memblock_search() does for
 *    memblock_is_reserved(); next_free has no cursor to keep (memblock's
 *    u64 *idx), so the binary search recovers it.
 *
 * Arrays and their growth (memblock_double_array()):
 * An array is one block: a 16-byte header {pa, bytes | STOLEN} and then
 * cap region slots. init() allocates nothing (capacity 0). A block comes
 * from the top of the initial pool (dc_pool_block), in SETUP and in READY
 * while the pool has the bytes; in READY, once the pool runs dry, it is
 * stolen from the node's own free memory (dc_meta_steal, which calls our
 * find() and reserve(): the new block is reserved in the old reserved
 * array, then copied into itself, as memblock_double_array() reserves its
 * new array). Why the pool first in READY: DESIGN.md ("Phases") steals
 * "when the pool runs dry", like the tree's entries, and with a large pool
 * a READY allocation must find the same free memory as on the tree (the
 * conformance suite's fragment_ending_at_2_64 test allocates the top page
 * right after one SETUP reservation). A new block has twice the bytes of
 * the old one, or more if one call needs more; block sizes are multiples
 * of 64 bytes (whole pages when stolen), so that carving a retired block
 * into pool entries gives back exactly the entries its bytes were worth.
 *
 * Counting (the prepare() contract, backend.h): a mutating call adds at
 * most ONE region to one array:
 *
 *   insert, no neighbour touches   [r]  [new]  [r]   -> +1
 *   insert touching one or two     [r][new]  [r]     -> 0 or -1 (merge)
 *   cut the middle of a region     [r  |cut|  r]     -> +1 (split)
 *   cut an edge or a whole region  [cut|  r  ]       -> 0 or -1
 *
 * add/remove change the memory array, reserve/free/alloc the reserved
 * one. prepare(n, k) is cumulative within a public call: it counts
 * promised += k and makes both arrays hold count + promised regions
 * (mem only in SETUP; nothing changes memory in READY).
 *
 * Spare slots: a steal in READY reserves into the reserved array while
 * we are growing it: up to two regions per growth (the page dc_pool_prepare
 * may steal for the metadata record, and the block itself). So the
 * reserved array always keeps ARRAY_SPARE = 2 free slots beyond the
 * promised ones ("at least 2 spare slots after any growth"); a growth
 * needs nothing from the array it replaces beyond those two.
 *
 * Growth is switched in at once, and undone in finish(): prepare() copies
 * the array into the new block and keeps the old one aside (the backup).
 * finish() then either commits (the old block is retired: carved into
 * pool entries, back to the initial pool or, stolen, to the node's own
 * list where it stays metadata, as DESIGN.md asks) or, when no mutating
 * call ran (the public call failed on another piece or node), rolls
 * back: the content is copied into the backup and the new block given
 * back (dc_pool_block_retire, which restores the pool exactly when it is
 * the most recent block; dc_meta_unsteal in READY). A failed call thus
 * leaves stats, walks and pool_free as they were. Two limits, both
 * shared with the tree backend's own steals: a page that dc_pool_prepare
 * stole for the metadata record stays stolen, and when that page's
 * reservation leaves the backup without its spare slots, the call
 * commits instead. A steal that fails changes nothing (dc_meta_steal()
 * returns DC_ENOSPC with nothing changed), so neither does a growth that
 * fails.
 *
 * Invariants (check() returns the number of the first broken one):
 *  1  memory regions: base <= last, ascending, disjoint
 *  2  memory regions are maximal: neighbours never touch
 *  3  reserved regions: base <= last, ascending, disjoint
 *  4  reserved regions are maximal: neighbours never touch
 *  5  every reserved region lies inside one memory region
 *  6  mem_bytes and taken equal the sums of the two arrays
 *  7  extents equals the number of free ranges (memory minus reserved)
 *  8  arrays: count <= cap, no block iff cap == 0, header bytes match
 *     cap; outside a call nothing is promised or set aside and the
 *     reserved array has ARRAY_SPARE free slots (or was never used)
 *  9  a stolen array lies in one reserved region and in n's metadata
 * 10  every memory region lies in one fragment of this node, and
 *     mem_bytes == n->memory (checked when the node is in a system)
 *
 * Stats read only the counters (mem_bytes, taken, extents): in GONE the
 * stolen arrays have been handed back and must not be read.
 */
#include "core/pool.h"
#include "core/range.h"
#include "core/tree.h"

#define ARRAY_SPARE 2		/* reserved slots kept free for steals */
#define ARRAY_MIN_BYTES 64u	/* smallest block: header + 3 regions */
#define ARRAY_STOLEN 1u		/* header flag: block stolen in READY */

struct region {
	dc_addr_t base;
	dc_addr_t last;		/* inclusive */
};

/*
 * blk[0] is the header ({pa, bytes | ARRAY_STOLEN}), blk[1 .. cap] the
 * slots: a block's size and origin travel with it, so a backup needs
 * only its pointer in n->state.
 */
struct region_array {
	struct region *blk;	/* NULL when cap == 0 */
	uint32_t cnt, cap;
};

struct array_state {
	struct region_array mem, res;
	struct region *mem_backup, *res_backup;	/* blocks set aside */
	dc_size_t mem_bytes;	/* sum of memory regions */
	dc_size_t taken;	/* sum of reserved regions */
	dc_size_t extents;	/* free ranges */
	uint32_t promised;	/* mutating calls prepared in this call */
	uint8_t mem_grown, res_grown;	/* a backup is set aside */
	uint8_t internal;	/* growing: the metadata layer is stealing */
};

_Static_assert(sizeof(struct array_state) <=
	       DC_BACKEND_STATE_WORDS * sizeof(uint64_t),
	       "array backend state must fit in dc_node.state");
_Static_assert(_Alignof(struct array_state) <= _Alignof(uint64_t),
	       "dc_node.state must be aligned enough for array_state");
_Static_assert(sizeof(struct region) == 16 && ARRAY_MIN_BYTES % 64 == 0,
	       "block sizes are multiples of 64: retiring gives exact entries");

/* n->state is private to the backend and accessed only through this type
 * (the library builds with -fno-strict-aliasing). */
static struct array_state *array_state(struct dc_node *n)
{
	return (struct array_state *)(void *)n->state;
}

static const struct array_state *array_state_const(const struct dc_node *n)
{
	return (const struct array_state *)(const void *)n->state;
}

static struct region *slots(const struct region_array *a)
{
	return a->blk + 1;
}

static dc_size_t block_bytes(const struct region *blk)
{
	return blk[0].last & ~(dc_size_t)ARRAY_STOLEN;
}

static bool block_stolen(const struct region *blk)
{
	return blk[0].last & ARRAY_STOLEN;
}

static uint32_t block_cap(const struct region *blk)
{
	return blk ? (uint32_t)(block_bytes(blk) / sizeof(*blk) - 1) : 0;
}

/* --- lookups ------------------------------------------------------------- */

/* Index of the last region with base <= addr, or -1 (memblock_search()). */
static int64_t search_le(const struct region_array *a, dc_addr_t addr)
{
	const struct region *r = a->cap ? slots(a) : 0;
	int64_t lo = 0, hi = (int64_t)a->cnt - 1, mid, found = -1;

	while (lo <= hi) {
		mid = lo + (hi - lo) / 2;
		if (r[mid].base <= addr) {
			found = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return found;
}

/* Index of the region holding all of [base, last], or -1. */
static int64_t search_holding(const struct region_array *a, dc_addr_t base,
			      dc_addr_t last)
{
	int64_t i = search_le(a, base);

	return i >= 0 && slots(a)[i].last >= last ? i : -1;
}

static bool is_reserved(const struct array_state *s, dc_addr_t addr)
{
	return search_holding(&s->res, addr, addr) >= 0;
}

/* Does a reserved region overlap [base, last]? Of the regions starting
 * at or below last, the one starting highest also ends highest. */
static bool res_overlaps(const struct array_state *s, dc_addr_t base,
			 dc_addr_t last)
{
	int64_t i = search_le(&s->res, last);

	return i >= 0 && slots(&s->res)[i].last >= base;
}

/*
 * Gap j of the reserved array: before region 0 (j == 0), between regions
 * j - 1 and j, after the last one (j == cnt). False when it is empty
 * (a region starts at 0 or ends at 2^64 - 1). memblock writes the same
 * with exclusive ends: r[-1].base + r[-1].size .. r->base.
 */
static bool gap(const struct region_array *res, int64_t j, dc_addr_t *gb,
		dc_addr_t *gl)
{
	const struct region *r = res->cap ? slots(res) : 0;

	if (j == 0) {
		*gb = 0;
	} else {
		if (r[j - 1].last == DC_ADDR_MAX)
			return false;
		*gb = r[j - 1].last + 1;
	}
	if (j == (int64_t)res->cnt) {
		*gl = DC_ADDR_MAX;
	} else {
		if (r[j].base == 0)
			return false;
		*gl = r[j].base - 1;
	}
	return *gb <= *gl;
}

/* --- free ranges: memory minus reserved, like __next_mem_range() --------- */

struct range_iter {
	int64_t ia;		/* memory region */
	int64_t ib;		/* gap of the reserved array */
};

static void iter_first(const struct array_state *s, struct range_iter *it)
{
	it->ia = 0;
	it->ib = 0;
}

static void iter_last(const struct array_state *s, struct range_iter *it)
{
	it->ia = (int64_t)s->mem.cnt - 1;
	it->ib = s->res.cnt;
}

/*
 * The next free range in ascending order. Loop invariant: every free
 * range before the cursor has been returned; the region that ends first
 * of (memory region, gap) is the one advanced.
 */
static bool iter_next(const struct array_state *s, struct range_iter *it,
		      dc_addr_t *b, dc_addr_t *l)
{
	const struct region *m;
	dc_addr_t gb, gl;

	for (; it->ia < (int64_t)s->mem.cnt; it->ia++) {
		m = &slots(&s->mem)[it->ia];
		for (; it->ib <= (int64_t)s->res.cnt; it->ib++) {
			if (!gap(&s->res, it->ib, &gb, &gl))
				continue;
			if (gb > m->last)
				break;	/* gap past m: next memory region */
			if (gl >= m->base) {
				*b = m->base > gb ? m->base : gb;
				*l = m->last < gl ? m->last : gl;
				if (m->last <= gl)
					it->ia++;
				else
					it->ib++;
				return true;
			}
		}
	}
	return false;
}

/* The next free range in descending order (__next_mem_range_rev()). */
static bool iter_prev(const struct array_state *s, struct range_iter *it,
		      dc_addr_t *b, dc_addr_t *l)
{
	const struct region *m;
	dc_addr_t gb, gl;

	for (; it->ia >= 0; it->ia--) {
		m = &slots(&s->mem)[it->ia];
		for (; it->ib >= 0; it->ib--) {
			if (!gap(&s->res, it->ib, &gb, &gl))
				continue;
			if (gl < m->base)
				break;	/* gap below m: previous region */
			if (gb <= m->last) {
				*b = m->base > gb ? m->base : gb;
				*l = m->last < gl ? m->last : gl;
				if (m->base >= gb)
					it->ia--;
				else
					it->ib--;
				return true;
			}
		}
	}
	return false;
}

/*
 * The lowest (highest) fit of w in the free ranges. A linear scan from
 * one end, as __memblock_find_range_*(): each free range is clamped to
 * the window and the first aligned fit wins.
 */
static bool find_fit(const struct array_state *s, const struct dc_window *w,
		     dc_addr_t *out)
{
	struct range_iter it;
	dc_addr_t b, l;

	if (w->top_down)
		iter_last(s, &it);
	else
		iter_first(s, &it);
	while (w->top_down ? iter_prev(s, &it, &b, &l) :
			     iter_next(s, &it, &b, &l)) {
		if (w->top_down ? l < w->lo : b > w->last)
			return false;	/* the rest lies outside the window */
		if (b < w->lo)
			b = w->lo;
		if (l > w->last)
			l = w->last;
		if (b > l)
			continue;
		if (w->top_down ? dc_fit_high(b, l, w->size, w->align, out) :
				  dc_fit_low(b, l, w->size, w->align, out))
			return true;
	}
	return false;
}

/* --- array edits ----------------------------------------------------------- */

static void array_insert_at(struct region_array *a, uint32_t i,
			    dc_addr_t base, dc_addr_t last)
{
	struct region *r = slots(a);

	memmove(&r[i + 1], &r[i], (size_t)(a->cnt - i) * sizeof(*r));
	r[i].base = base;
	r[i].last = last;
	a->cnt++;
}

static void array_delete_at(struct region_array *a, uint32_t i)
{
	struct region *r = slots(a);

	memmove(&r[i], &r[i + 1], (size_t)(a->cnt - i - 1) * sizeof(*r));
	a->cnt--;
}

/*
 * Add [base, last], which overlaps no region, merging with the regions it
 * touches (memblock_add_range() + memblock_merge_regions()):
 *
 *   both:  [ l ][ new ][ r ]   -> [ l           ]   one region fewer
 *   left:  [ l ][ new ]  [ r ] -> [ l      ]  [ r ]
 *   right: [ l ]  [ new ][ r ] -> [ l ]  [ r     ]
 *   none:  [ l ]  [ new ]  [ r ]                    ONE new slot
 *
 * The position is found by a linear scan, as memblock does. DC_ENOSPC,
 * changing nothing, if a slot is needed and none is free (our bug: prepare
 * counts it). "Touch" is tested by difference, never by last + 1.
 */
static int array_add(struct region_array *a, dc_addr_t base, dc_addr_t last)
{
	struct region *r = a->cap ? slots(a) : 0;
	uint32_t i = 0;
	bool tl, tr;

	while (i < a->cnt && r[i].base < base)
		i++;
	tl = i > 0 && base - r[i - 1].last == 1;
	tr = i < a->cnt && r[i].base - last == 1;
	if (tl && tr) {
		r[i - 1].last = r[i].last;
		array_delete_at(a, i);
	} else if (tl) {
		r[i - 1].last = last;
	} else if (tr) {
		r[i].base = base;
	} else {
		if (a->cnt >= a->cap)
			return DC_ENOSPC;
		array_insert_at(a, i, base, last);
	}
	return 0;
}

/*
 * Cut [base, last] out of the region that holds it, found by a linear
 * scan (memblock_isolate_range() + memblock_remove_region()):
 *
 *   whole   [ cut ]            -> gone
 *   edge    [ cut |  r  ]      -> r shrinks
 *   middle  [ r | cut | r ]    -> split: ONE new slot
 *
 * DC_ENOENT if no region holds the range, DC_ENOSPC for a split without a
 * free slot; nothing changes then.
 */
static int array_cut(struct region_array *a, dc_addr_t base, dc_addr_t last)
{
	struct region *r = a->cap ? slots(a) : 0;
	uint32_t i = 0;
	dc_addr_t rl;

	while (i < a->cnt && r[i].last < base)
		i++;
	if (i == a->cnt || r[i].base > base || r[i].last < last)
		return DC_ENOENT;
	rl = r[i].last;
	if (r[i].base == base && rl == last) {
		array_delete_at(a, i);
	} else if (r[i].base == base) {
		r[i].base = last + 1;
	} else if (rl == last) {
		r[i].last = base - 1;
	} else {
		if (a->cnt >= a->cap)
			return DC_ENOSPC;
		r[i].last = base - 1;
		array_insert_at(a, i + 1, last + 1, rl);
	}
	return 0;
}

/* --- free-range bookkeeping ------------------------------------------------ */

/*
 * Free ranges next to [base, last], which lies in memory region m: is
 * base - 1 (last + 1) in m and not reserved? Used to keep "extents"
 * exact: taking a range out of a free range leaves one piece per free
 * side; giving one back joins the free ranges on each side.
 */
static bool free_below(const struct array_state *s, const struct region *m,
		       dc_addr_t base)
{
	return base != m->base && !is_reserved(s, base - 1);
}

static bool free_above(const struct array_state *s, const struct region *m,
		       dc_addr_t last)
{
	return last != m->last && !is_reserved(s, last + 1);
}

/* The memory region holding [base, last], or NULL. */
static const struct region *mem_holding(const struct array_state *s,
					dc_addr_t base, dc_addr_t last)
{
	int64_t i = search_holding(&s->mem, base, last);

	return i >= 0 ? &slots(&s->mem)[i] : 0;
}

/* --- growth ---------------------------------------------------------------- */

/* Bytes of a block holding at least want slots, at least twice old's
 * (memblock_double_array()), a multiple of 64. */
static dc_size_t grow_bytes(const struct region *old, dc_size_t want)
{
	dc_size_t need = (want + 1) * sizeof(struct region);
	dc_size_t b = old ? 2 * block_bytes(old) : ARRAY_MIN_BYTES;

	if (b < need)
		b = need;
	return (b + 63) & ~(dc_size_t)63;
}

static void block_init(struct region *blk, dc_addr_t pa, dc_size_t bytes,
		       bool stolen)
{
	blk[0].base = pa;
	blk[0].last = bytes | (stolen ? ARRAY_STOLEN : 0);
}

/* A block no longer used as a block: the pool's goes back to the pool
 * (exactly, when it is the most recent block), a stolen one is carved
 * into this node's entries and stays metadata. */
static void block_retire(struct dc_node *n, struct region *blk)
{
	if (block_stolen(blk))
		dc_meta_retire(n, blk, block_bytes(blk));
	else
		dc_pool_block_retire(n->sys, blk, block_bytes(blk));
}

/*
 * Switch a to the new block blk: copy, and set the old block aside as the
 * backup for finish(). An old block made earlier in this same call (a
 * second growth) is retired at once: the backup stays the block the call
 * started with.
 */
static void array_install(struct dc_node *n, struct region_array *a,
			  struct region **backup, uint8_t *grown,
			  struct region *blk)
{
	struct region *old = a->blk;

	if (a->cnt)
		memcpy(blk + 1, slots(a), (size_t)a->cnt * sizeof(*blk));
	a->blk = blk;
	a->cap = block_cap(blk);
	if (!*grown) {
		*backup = old;
		*grown = 1;
	} else {
		block_retire(n, old);	/* not NULL: the first growth set it */
	}
}

/*
 * READY: grow the reserved array. From the initial pool while it has the
 * bytes (DESIGN.md, "Phases": the backend steals when the pool runs dry,
 * as the tree's entries do), else from a block the metadata layer steals
 * (core/pool.c: this node first, then the nearest with room), which it
 * reserves in the old array before we copy it: memblock_double_array()'s
 * order, whose two reservations (the block and, at most, a block for the
 * entries that reservation needs) the spare slots hold.
 */
static int grow_ready(struct dc_node *n, dc_size_t want)
{
	struct array_state *s = array_state(n);
	dc_size_t page = dc_page_size(n->sys);
	dc_size_t bytes = grow_bytes(s->res.blk, want);
	dc_addr_t pa;
	void *va;

	if (!dc_pool_block(n->sys, bytes, &va)) {
		block_init(va, 0, bytes, false);
		array_install(n, &s->res, &s->res_backup, &s->res_grown, va);
		return 0;
	}
	if (bytes > DC_ADDR_MAX - page)
		return DC_ENOSPC;
	bytes = (bytes + page - 1) & ~(page - 1);
	if (dc_meta_steal(n, bytes, &pa, &va))
		return DC_ENOSPC;
	block_init(va, pa, bytes, true);
	array_install(n, &s->res, &s->res_backup, &s->res_grown, va);
	return 0;
}

/* SETUP: grow either array from the top of the initial pool. Both blocks
 * are taken before either is switched in, so a failure gives back the
 * first exactly (it is the most recent block). */
static int grow_pool(struct dc_node *n, dc_size_t want_mem, dc_size_t want_res)
{
	struct array_state *s = array_state(n);
	dc_size_t bm = 0, br = 0;
	void *vm = 0, *vr = 0;

	if (want_mem > s->mem.cap) {
		bm = grow_bytes(s->mem.blk, want_mem);
		if (dc_pool_block(n->sys, bm, &vm))
			return DC_ENOSPC;
	}
	if (want_res > s->res.cap) {
		br = grow_bytes(s->res.blk, want_res);
		if (dc_pool_block(n->sys, br, &vr)) {
			if (vm)
				dc_pool_block_retire(n->sys, vm, bm);
			return DC_ENOSPC;
		}
	}
	if (vr) {
		block_init(vr, 0, br, false);
		array_install(n, &s->res, &s->res_backup, &s->res_grown, vr);
	}
	if (vm) {
		block_init(vm, 0, bm, false);
		array_install(n, &s->mem, &s->mem_backup, &s->mem_grown, vm);
	}
	return 0;
}

/*
 * Make the next k mutating calls of this public call unable to run out of
 * slots: each adds at most one region (see the top of the file), so both
 * arrays must hold count + promised, and the reserved array ARRAY_SPARE
 * more. In READY only the reserved array can change. A prepare that runs
 * while we grow (the metadata layer reserving the new block) is covered
 * by the spare slots. On failure the promise is taken back; what the
 * growth took is given back by finish(n, false).
 */
static int array_prepare(struct dc_node *n, unsigned k)
{
	struct array_state *s = array_state(n);
	dc_size_t want_res;
	int r = 0;

	if (s->internal)
		return 0;
	s->promised += k;
	want_res = (dc_size_t)s->res.cnt + s->promised + ARRAY_SPARE;
	s->internal = 1;
	if (n->sys->phase == DC_SETUP)
		r = grow_pool(n, (dc_size_t)s->mem.cnt + s->promised,
			      want_res);
	else if (want_res > s->res.cap)
		/* room for this growth's own two reservations as well */
		r = grow_ready(n, want_res + ARRAY_SPARE);
	s->internal = 0;
	if (r)
		s->promised -= k;
	return r;
}

/*
 * Keep or drop one array's growth. ok: the old block is retired. !ok: the
 * call's steals are undone already (core/pool.c), so the content is the
 * one the call started with: it goes back into the old block, and a new
 * block from the pool goes back to the pool (a stolen one was given back
 * by the transaction).
 */
static void finish_array(struct dc_node *n, struct region_array *a,
			 struct region *backup, bool ok)
{
	struct region *cur = a->blk;

	if (ok) {
		if (backup)
			block_retire(n, backup);
		return;
	}
	if (a->cnt)
		memcpy(backup + 1, slots(a), (size_t)a->cnt * sizeof(*cur));
	a->blk = backup;
	a->cap = block_cap(backup);
	if (!block_stolen(cur))
		dc_pool_block_retire(n->sys, cur, block_bytes(cur));
}

/*
 * At the end of the public call. The reserved array goes first: in SETUP
 * its block is the more recent one, so both go back to the pool exactly
 * (last block first).
 */
static void array_finish(struct dc_node *n, bool ok)
{
	struct array_state *s = array_state(n);

	if (s->res_grown)
		finish_array(n, &s->res, s->res_backup, ok);
	if (s->mem_grown)
		finish_array(n, &s->mem, s->mem_backup, ok);
	s->mem_backup = s->res_backup = 0;
	s->mem_grown = s->res_grown = 0;
	s->promised = 0;
}

/* --- the operations --------------------------------------------------------- */

static int array_init(struct dc_node *n)
{
	memset(array_state(n), 0, sizeof(struct array_state));
	return 0;
}


static int array_add_memory(struct dc_node *n, dc_addr_t base,
			    dc_addr_t last)
{
	struct array_state *s = array_state(n);
	int64_t i = search_le(&s->mem, last);
	const struct region *m = s->mem.cap ? slots(&s->mem) : 0;
	bool jl, jr;
	int err;

	if (i >= 0 && m[i].last >= base)
		return DC_EEXIST;
	/* joins the free range below (above) if memory touching it is free */
	jl = i >= 0 && base - m[i].last == 1 && !is_reserved(s, base - 1);
	jr = i + 1 < (int64_t)s->mem.cnt && m[i + 1].base - last == 1 &&
	     !is_reserved(s, last + 1);
	err = array_add(&s->mem, base, last);
	if (err)
		return err;
	s->mem_bytes += last - base + 1;
	s->extents += 1 - (dc_size_t)jl - (dc_size_t)jr;
	return 0;
}

static int array_probe(const struct dc_node *n, dc_addr_t base,
		       dc_addr_t last, enum dc_probe want)
{
	const struct array_state *s = array_state_const(n);

	if (want == DC_PROBE_FREE)
		return res_overlaps(s, base, last) ? DC_EBUSY : 0;
	/* reserved regions are maximal: all taken means one holds it all */
	return search_holding(&s->res, base, last) >= 0 ? 0 : DC_ENOENT;
}

/*
 * Take free [base, last] out of the free ranges: into the reserved array
 * (reserve, alloc), or, with remove, out of the memory array
 * (remove_memory). The free ranges on either side stay; the one it came
 * from goes.
 */
static int take(struct array_state *s, dc_addr_t base, dc_addr_t last,
		bool remove)
{
	const struct region *m = mem_holding(s, base, last);
	bool below, above;
	int err;

	if (!m || res_overlaps(s, base, last))
		return DC_EBUSY;
	below = free_below(s, m, base);
	above = free_above(s, m, last);
	if (remove)
		err = array_cut(&s->mem, base, last);
	else
		err = array_add(&s->res, base, last);
	if (err)
		return err == DC_ENOENT ? DC_EBUSY : err;
	if (remove)
		s->mem_bytes -= last - base + 1;
	else
		s->taken += last - base + 1;
	s->extents += (dc_size_t)below + (dc_size_t)above - 1;
	return 0;
}

static int array_remove_memory(struct dc_node *n, dc_addr_t base,
			       dc_addr_t last)
{
	return take(array_state(n), base, last, true);
}

/* dc_set_node: a free run leaves as remove_memory takes it; a taken run
 * leaves both arrays (the free ranges beside it stay as they are). */
static int array_drop(struct dc_node *n, dc_addr_t base, dc_addr_t last)
{
	struct array_state *s = array_state(n);

	if (search_holding(&s->res, base, last) < 0)
		return take(s, base, last, true);
	array_cut(&s->res, base, last);
	array_cut(&s->mem, base, last);
	s->taken -= last - base + 1;
	s->mem_bytes -= last - base + 1;
	return 0;
}

static int array_reserve(struct dc_node *n, dc_addr_t base, dc_addr_t last)
{
	return take(array_state(n), base, last, false);
}

/*
 * Give back taken [base, last]: cut it out of the reserved region that
 * holds it. It joins the free range below when it starts where that
 * region starts (regions never touch, so base - 1 is not reserved) and
 * base - 1 is memory; likewise above.
 */
static int array_free(struct dc_node *n, dc_addr_t base, dc_addr_t last)
{
	struct array_state *s = array_state(n);
	int64_t i = search_holding(&s->res, base, last);
	const struct region *m = mem_holding(s, base, last);
	const struct region *r;
	bool jl, jr;
	int err;

	if (i < 0 || !m)
		return DC_ENOENT;	/* a byte is free already */
	r = &slots(&s->res)[i];
	jl = base == r->base && base != m->base;
	jr = last == r->last && last != m->last;
	err = array_cut(&s->res, base, last);
	if (err)
		return err;
	s->taken -= last - base + 1;
	s->extents += 1 - (dc_size_t)jl - (dc_size_t)jr;
	return 0;
}

/* Nothing to place: both arrays exist from the node's first add_memory,
 * the reserved one with its spare slots (invariant 8). */
static int array_finalize(struct dc_node *n)
{
	return 0;
}

static void array_unfinalize(struct dc_node *n)
{
}

static int array_find(const struct dc_node *n, const struct dc_window *w,
		      dc_addr_t *out)
{
	dc_addr_t a;

	if (!find_fit(array_state_const(n), w, &a))
		return DC_ENOMEM;
	*out = a;
	return 0;
}

static int array_alloc(struct dc_node *n, const struct dc_window *w,
		       dc_addr_t *out)
{
	struct array_state *s = array_state(n);
	dc_addr_t a;
	int err;

	if (!find_fit(s, w, &a))
		return DC_ENOMEM;
	err = take(s, a, a + (w->size - 1), false);
	if (err)
		return err;
	*out = a;
	return 0;
}

/*
 * The first free range ending at or after from, clipped to start there:
 * the memory region at or after from, less the reserved region covering
 * its start (at most one: reserved regions never touch), up to the next
 * reserved region.
 */
static int array_next_free(const struct dc_node *n, dc_addr_t from,
			   dc_addr_t *base, dc_addr_t *last)
{
	const struct array_state *s = array_state_const(n);
	const struct region *m, *r = s->res.cap ? slots(&s->res) : 0;
	int64_t ia = search_le(&s->mem, from), j;
	dc_addr_t b, l;

	if (ia < 0 || slots(&s->mem)[ia].last < from)
		ia++;
	for (; ia < (int64_t)s->mem.cnt; ia++) {
		m = &slots(&s->mem)[ia];
		b = m->base > from ? m->base : from;
		j = search_le(&s->res, b);
		if (j >= 0 && r[j].last >= b) {
			if (r[j].last >= m->last)
				continue;	/* reserved to the end of m */
			b = r[j].last + 1;
		}
		l = m->last;
		if (j + 1 < (int64_t)s->res.cnt && r[j + 1].base <= l)
			l = r[j + 1].base - 1;
		*base = b;
		*last = l;
		return 0;
	}
	return DC_ENOENT;
}

/* Invariants 1..4 on one array: 0, or bad (disorder) / bad + 1 (touch). */
static int check_sorted(const struct region_array *a, int bad,
			dc_size_t *sum)
{
	const struct region *r = a->cap ? slots(a) : 0;

	*sum = 0;
	for (uint32_t i = 0; i < a->cnt; i++) {
		if (r[i].last < r[i].base || (i && r[i].base <= r[i - 1].last))
			return bad;
		if (i && r[i].base - r[i - 1].last == 1)
			return bad + 1;
		*sum += r[i].last - r[i].base + 1;
	}
	return 0;
}

static int check_block(const struct region_array *a)
{
	if (a->cnt > a->cap || !a->blk != !a->cap)
		return 8;
	if (a->blk && (block_cap(a->blk) != a->cap ||
		       block_bytes(a->blk) % 64))
		return 8;
	return 0;
}

/* Invariant 9: a stolen array is taken and recorded as metadata of the
 * node whose memory holds it. */
static int check_stolen(const struct dc_node *n, const struct region *blk)
{
	const struct dc_system *sys = n->sys;
	const struct dc_node *d;
	dc_addr_t pb, pl;
	int nid;

	if (!blk || !block_stolen(blk))
		return 0;
	pb = blk[0].base;
	pl = pb + (block_bytes(blk) - 1);
	nid = dc_node_of(sys, pb);
	d = nid >= 0 ? sys->node[nid] : 0;
	if (!d || sys->ops->probe(d, pb, pl, DC_PROBE_TAKEN) ||
	    !dc_meta_overlaps(d, pb, pl))
		return 9;
	return 0;
}

/* Invariant 10: memory regions inside fragments of this node. */
static int check_fragments(const struct dc_node *n)
{
	const struct array_state *s = array_state_const(n);
	const struct dc_extent *f;
	const struct region *m;

	if (s->mem_bytes != n->memory)
		return 10;
	for (uint32_t i = 0; i < s->mem.cnt; i++) {
		m = &slots(&s->mem)[i];
		f = dc_tree_find_le(&n->sys->fragments, m->base);
		if (!f || f->nid != n->nid || f->last < m->last)
			return 10;
	}
	return 0;
}

static int array_check(const struct dc_node *n)
{
	const struct array_state *s = array_state_const(n);
	struct range_iter it;
	dc_size_t sum_mem, sum_res, ranges = 0;
	dc_addr_t b, l;
	int bad;

	bad = check_block(&s->mem);
	if (!bad)
		bad = check_block(&s->res);
	if (bad)
		return bad;
	bad = check_sorted(&s->mem, 1, &sum_mem);
	if (!bad)
		bad = check_sorted(&s->res, 3, &sum_res);
	if (bad)
		return bad;
	for (uint32_t i = 0; i < s->res.cnt; i++)
		if (search_holding(&s->mem, slots(&s->res)[i].base,
				   slots(&s->res)[i].last) < 0)
			return 5;
	if (sum_mem != s->mem_bytes || sum_res != s->taken)
		return 6;
	iter_first(s, &it);
	while (iter_next(s, &it, &b, &l))
		ranges++;
	if (ranges != s->extents)
		return 7;
	if (s->promised || s->mem_grown || s->res_grown ||
	    (s->res.cap && s->res.cnt + ARRAY_SPARE > s->res.cap))
		return 8;
	bad = check_stolen(n, s->mem.blk);
	if (!bad)
		bad = check_stolen(n, s->res.blk);
	if (!bad && n->sys)
		bad = check_fragments(n);
	return bad;
}

static void array_stats(const struct dc_node *n, struct dc_backend_stats *st)
{
	const struct array_state *s = array_state_const(n);

	st->free = s->mem_bytes - s->taken;
	st->taken = s->taken;
	st->free_extents = s->extents;
}

const struct dc_backend_ops dc_backend_array = {
	.name = "array",
	.page_granular = false,
	.init = array_init,
	.prepare = array_prepare,
	.finish = array_finish,
	.add_memory = array_add_memory,
	.remove_memory = array_remove_memory,
	.drop = array_drop,
	.probe = array_probe,
	.reserve = array_reserve,
	.free = array_free,
	.finalize = array_finalize,
	.unfinalize = array_unfinalize,
	.find = array_find,
	.alloc = array_alloc,
	.next_free = array_next_free,
	.check = array_check,
	.stats = array_stats,
};
