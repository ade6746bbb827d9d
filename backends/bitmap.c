// SPDX-License-Identifier: BSD-3-Clause
/*
 * backends/bitmap.c - the Linux 2.4 bootmem backend: one bit per page.
 *
 * DOC: bitmap backend
 * Why: the allocator Linux 2.4 used at boot (mm/bootmem.c), kept behind
 * the same interface as the extent tree so that both can be compared on
 * the same work (DESIGN.md, "Backends"). Its exact behaviour is
 * shared/BOOTMEM24.md; this comment says how it maps onto our API.
 *
 * State. SETUP has no bitmap: the memory map is not complete, so no page
 * may be taken for one. Reservations (and frees) made in SETUP are kept as
 * a short sorted list of page ranges whose elements come from the pool
 * (at most one element per mutating call: prepare(n, k) holds k). The
 * list is page-rounded at once, as 2.4 rounded every reserve: SETUP and
 * READY then have one meaning, "the virtual bitmap", in which a page is
 * clear iff it is a whole RAM page of this node (it lies inside one of the
 * node's fragments) and not listed. A reserve in SETUP lists every page it
 * touches, the partial pages at fragment edges included, so that
 * dc_remove_memory cannot unregister bytes a caller reserved in such a
 * page (it used to: the edge page was never listed, being never free).
 * dc_finalize turns it into a real bitmap:
 *
 *   span = [page of the lowest fragment's first byte,
 *           page of the highest fragment's last byte]   (holes included)
 *   bytes = ceil(pages / 64) * 8        (ceil(pages / 8) rounded to a long)
 *   place: dc_meta_steal(), the metadata layer's one path: this node's
 *          own memory first (2.4's place), else the nearest node by
 *          distance that has free mappable memory (a node holding only
 *          firmware or the kernel image, or memory above the access
 *          limit); stats count that as a remote steal of this node. The
 *          block is reserved like any other (in this node's list, if it
 *          is ours).
 *   fill:  all ones; clear the whole pages of each fragment (PFN_UP /
 *          PFN_DOWN, so partial pages at fragment edges stay set); set
 *          the listed pages and every metadata block of this node.
 *
 * The list is not given back at finalize: it stays as it is (a few
 * entries) so that unfinalize(), which cannot fail, restores SETUP exactly.
 * When another node's finalize fails, unfinalize() forgets the bitmap and
 * the call's transaction (core/pool.c) gives the stolen block back.
 *
 * After finalize the bitmap decides. 1 = taken (used, metadata, hole or
 * edge), 0 = free. Counters (clear pages, runs of clear pages) are kept
 * with every change so that stats read no metadata memory (they work in
 * GONE).
 *
 * Differences from byte granularity (the only ones allowed, DESIGN.md):
 *  - reserve rounds OUTWARD to whole pages (2.4 reserve_bootmem);
 *  - free rounds INWARD: partial pages stay taken (2.4 free_bootmem);
 *  - packing: consecutive small allocations share a page (below), so a
 *    later free of one of them frees nothing (its page is also the
 *    other's), and the bytes of a partly used page are never free;
 *  - an allocation of 1 byte takes a whole page (or packs into one);
 *  - a partial page at a fragment edge (a page that is not wholly RAM of
 *    this node) is never free. Its RAM bytes count as taken ("used") from
 *    the start, so taken + free == memory. A reserve skips such a page
 *    (nothing to take: it is set, as in 2.4 from init_bootmem on) and a
 *    free never clears it; a reserve of only such bytes succeeds and
 *    changes nothing.
 *  - probe TAKEN (the double-free check) looks at every page the range
 *    touches: DC_ENOENT if one is clear. So a free of bytes that were
 *    never used but share a taken page is not detected (page-granular).
 *
 * 2.4 behaviour and our errors: clearing a clear bit was BUG() in
 * free_bootmem -> DC_ENOENT (probe TAKEN); setting a set bit was the
 * "hm, page reserved twice" warning -> DC_EBUSY (probe FREE), nothing
 * changed.
 *
 * Allocation (BOOTMEM24.md, "alloc"):
 *  1-4  areasize = ceil(size / PAGE) pages; the first fit on the step
 *       grid (step = align / PAGE when align > PAGE, else every page).
 *       Alignment is absolute, the 2.4.22 fix: a % align == 0. 2.4 put
 *       the grid relative to the node's start (2.4.16) or skipped a grid
 *       point after a goal (2.4.22); we take the exact lowest grid point
 *       >= the window's lo.
 *  pref The window's lo rounded up to a page (2.4 rounded the goal down
 *       to its page for align < PAGE and could return up to a page below
 *       it; our window is a hard bound).
 *  5    The restart from 0: in our API min_addr is the goal and
 *       DC_REQ_RELAX_MIN asks for the restart; the node layer calls alloc
 *       again with lo = 0, and since the scan covers exactly [lo, last],
 *       the second scan is 2.4's rescan from 0. The order across nodes
 *       differs: 2.4 restarted on the same node before trying the next;
 *       we try every node with the goal first. A caller that wants 2.4
 *       exactly asks each node with DC_REQ_EXACT_NODE | DC_REQ_RELAX_MIN.
 *  6    last_pos / last_offset sub-page packing, exactly as 2.4 when the
 *       fit found begins on page last_pos + 1 and align <= PAGE, with two
 *       additions: the packed address must also lie inside the window
 *       (else the allocation is placed unpacked, as if packing did not
 *       apply), and a free that clears page last_pos forgets the partial
 *       page (2.4 would later have packed into a free, or re-reserved,
 *       page: a bug we do not reproduce).
 *  top  Top-down is the mirror image of the scan: the highest grid point
 *       whose pages are clear, scanning down from the window's end. The
 *       packing rule is the same in both directions ("the fit begins on
 *       the page right after last_pos"), which top-down rarely meets: the
 *       highest fit lies below the previous one. Top-down allocations thus
 *       take a page each, which is the faithful consequence of 2.4's rule.
 *  find is the same scan with the packing decision, so it returns
 *       exactly what alloc would (the node layer checks a fit, maps it
 *       for DC_REQ_ZERO and keeps steals away from it before taking it).
 *       For a metadata steal (page-aligned, whole pages) packing gives
 *       the same page as the plain scan.
 *
 * Invariants (check() returns the number of the first broken one):
 *  SETUP list (kept in every phase):
 *   1  entries sorted, first <= last, disjoint and never adjacent
 *      (maximal runs); nlist == their number
 *   2  every listed page holds memory of this node (whole RAM pages,
 *      and partial pages at fragment edges that a reserve touched)
 *  SETUP:
 *   3  no bitmap, no packing state, no flag
 *  READY (and RETIRED):
 *   4  span: spfn is the page of the first byte of the node's lowest
 *      fragment, spfn + pages - 1 the page of the last byte of its
 *      highest; no fragments <-> pages == 0
 *   5  the bitmap holds ceil(pages / 64) words at bm_pa, recorded in the
 *      metadata tree of the node whose memory holds it (this one, or the
 *      nearest that had room)
 *   6  every page of the span that is not a whole RAM page of this node
 *      (holes, edges, other nodes' memory) is set, and so are the padding
 *      bits after the last page
 *   7  every page of every metadata block of this node is set (the
 *      bitmap's own pages included)
 *   8  clear == number of clear bits, runs == number of maximal runs of
 *      clear bits
 *   9  last_offset < PAGE; last_offset != 0 -> page last_pos lies in the
 *      span and is set
 *
 * Scans skip whole 64-bit words: all ones when looking for a clear page,
 * all zeros when checking that a run is clear. Bit helpers are written out
 * (de Bruijn, SWAR) so that no libgcc helper is referenced.
 */
#include "core/pool.h"
#include "core/range.h"
#include "core/tree.h"

#define BM_NONE DC_U64_MAX

/* flags */
#define BM_READY 1u		/* the bitmap exists */

/* One SETUP reservation: pages [first, last] (pfns, inclusive). */
struct bm_range {
	struct bm_range *next;
	uint64_t first, last;
};

_Static_assert(sizeof(struct bm_range) <= DC_POOL_ENTRY_SIZE,
	       "a list element must fit one pool entry");

struct bm_state {
	uint64_t *bits;		/* READY: the bitmap (va), else NULL */
	struct bm_range *list;	/* SETUP reservations, sorted */
	uint64_t nlist;
	uint64_t spfn;		/* READY: first page of the span */
	uint64_t pages;		/* READY: pages in the span */
	dc_addr_t bm_pa;	/* READY: the bitmap block */
	dc_size_t bm_bytes;
	uint64_t last_pos;	/* pfn of the partly used page */
	uint64_t last_offset;	/* bytes used in it; 0: none */
	uint64_t clear;		/* READY: clear pages */
	uint64_t runs;		/* READY: maximal runs of clear pages */
	uint64_t flags;		/* BM_* */
};

_Static_assert(sizeof(struct bm_state) <=
	       DC_BACKEND_STATE_WORDS * sizeof(uint64_t),
	       "bitmap backend state must fit in dc_node.state");
_Static_assert(_Alignof(struct bm_state) <= _Alignof(uint64_t),
	       "dc_node.state must be aligned enough for bm_state");

/* dc_node.state is private to the backend and only accessed as this type. */
static struct bm_state *bm_state(struct dc_node *n)
{
	return (struct bm_state *)(void *)n->state;
}

static const struct bm_state *bm_cstate(const struct dc_node *n)
{
	return (const struct bm_state *)(const void *)n->state;
}

/* --- bit helpers ---------------------------------------------------------- */

static const unsigned char bm_debruijn[64] = {
	0, 1, 48, 2, 57, 49, 28, 3, 61, 58, 50, 42, 38, 29, 17, 4,
	62, 55, 59, 36, 53, 51, 43, 22, 45, 39, 33, 30, 24, 18, 12, 5,
	63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21, 44, 32, 23, 11,
	46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9, 13, 8, 7, 6,
};

/* Index of the lowest set bit of x != 0. */
static unsigned bm_ctz(uint64_t x)
{
	return bm_debruijn[((x & (~x + 1)) * 0x03f79d71b4cb0a89ull) >> 58];
}

/* Index of the highest set bit of x != 0. */
static unsigned bm_msb(uint64_t x)
{
	x |= x >> 1;
	x |= x >> 2;
	x |= x >> 4;
	x |= x >> 8;
	x |= x >> 16;
	x |= x >> 32;
	return bm_ctz(x ^ (x >> 1));
}

static uint64_t bm_popcount(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (x * 0x0101010101010101ull) >> 56;
}

static bool bm_test(const uint64_t *b, uint64_t i)
{
	return b[i >> 6] >> (i & 63) & 1;
}

/* Bits [from & 63, 63] of a word. */
static uint64_t bm_mask_from(uint64_t from)
{
	return ~(uint64_t)0 << (from & 63);
}

/* Bits [0, to & 63] of a word. */
static uint64_t bm_mask_to(uint64_t to)
{
	return ~(uint64_t)0 >> (63 - (to & 63));
}

/* The lowest i in [from, to] whose bit is set (or clear), else BM_NONE.
 * Words that cannot hold one are skipped whole. */
static uint64_t bm_next(const uint64_t *b, uint64_t from, uint64_t to,
			bool set)
{
	uint64_t flip = set ? 0 : ~(uint64_t)0;
	uint64_t i = from >> 6, end = to >> 6;
	uint64_t w = (b[i] ^ flip) & bm_mask_from(from);

	for (;;) {
		if (i == end)
			w &= bm_mask_to(to);
		if (w)
			return (i << 6) + bm_ctz(w);
		if (i == end)
			return BM_NONE;
		w = b[++i] ^ flip;
	}
}

/* The highest i in [from, to] whose bit is set (or clear), else BM_NONE. */
static uint64_t bm_prev(const uint64_t *b, uint64_t from, uint64_t to,
			bool set)
{
	uint64_t flip = set ? 0 : ~(uint64_t)0;
	uint64_t i = to >> 6, end = from >> 6;
	uint64_t w = (b[i] ^ flip) & bm_mask_to(to);

	for (;;) {
		if (i == end)
			w &= bm_mask_from(from);
		if (w)
			return (i << 6) + bm_msb(w);
		if (i == end)
			return BM_NONE;
		w = b[--i] ^ flip;
	}
}

/* Set (or clear) bits [from, to]. */
static void bm_fill(uint64_t *b, uint64_t from, uint64_t to, bool set)
{
	uint64_t i = from >> 6, end = to >> 6, m;

	for (; i <= end; i++) {
		m = ~(uint64_t)0;
		if (i == from >> 6)
			m &= bm_mask_from(from);
		if (i == end)
			m &= bm_mask_to(to);
		b[i] = set ? b[i] | m : b[i] & ~m;
	}
}

/* --- pages ------------------------------------------------------------------ */

static dc_size_t bm_page(const struct dc_node *n)
{
	return dc_page_size(n->sys);
}

/* The whole pages [*a, *b] of [base, last], or false if none. */
static bool bm_inward(const struct dc_node *n, dc_addr_t base, dc_addr_t last,
		      uint64_t *a, uint64_t *b)
{
	unsigned s = n->sys->page_shift;
	dc_addr_t mask = bm_page(n) - 1;

	*a = (base >> s) + ((base & mask) != 0);
	*b = last >> s;
	if ((last & mask) != mask) {
		if (!*b)
			return false;
		(*b)--;
	}
	return *a <= *b;
}

/* Is page pfn wholly inside one fragment of this node? */
static bool bm_is_ram(const struct dc_node *n, uint64_t pfn)
{
	unsigned s = n->sys->page_shift;
	const struct dc_extent *f;
	dc_addr_t a;

	if (pfn > (DC_ADDR_MAX >> s))
		return false;
	a = pfn << s;
	f = dc_tree_find_le(&n->sys->fragments, a);
	return f && f->nid == n->nid && f->last >= a &&
	       f->last - a >= bm_page(n) - 1;
}

/* Does page pfn hold a byte of this node's memory? */
static bool bm_has_ram(const struct dc_node *n, uint64_t pfn)
{
	unsigned s = n->sys->page_shift;
	const struct dc_extent *f;
	dc_addr_t a, l;

	if (pfn > (DC_ADDR_MAX >> s))
		return false;
	a = pfn << s;
	l = a + (bm_page(n) - 1);
	f = dc_tree_find_le(&n->sys->fragments, l);
	for (; f && f->last >= a; f = dc_tree_prev(f))
		if (f->nid == n->nid)
			return true;
	return false;
}

/*
 * The pages a reserve of [base, last] takes: outward to whole pages, minus
 * an edge page that is not wholly RAM of this node (it is never free).
 * [base, last] lies in one fragment, so only the two edge pages can be
 * partial. False if nothing is left.
 */
static bool bm_outward(const struct dc_node *n, dc_addr_t base,
		       dc_addr_t last, uint64_t *a, uint64_t *b)
{
	unsigned s = n->sys->page_shift;

	*a = base >> s;
	*b = last >> s;
	if (!bm_is_ram(n, *a))
		(*a)++;
	if (*a <= *b && !bm_is_ram(n, *b))
		(*b)--;		/* *b >= *a >= 1 here: no wrap */
	return *a <= *b;
}

/*
 * The window as pages: a fit at page p (address p << shift) of area pages
 * needs pmin <= p <= pmax and p % step == 0.
 */
struct bm_fitreq {
	uint64_t pmin, pmax, area, step;
};

static bool bm_fitreq(const struct dc_node *n, const struct dc_window *w,
		      struct bm_fitreq *q)
{
	unsigned s = n->sys->page_shift;
	dc_size_t mask = bm_page(n) - 1;

	if (w->last < w->lo || w->last - w->lo < w->size - 1)
		return false;
	q->area = (w->size >> s) + ((w->size & mask) != 0);
	q->pmin = (w->lo >> s) + ((w->lo & mask) != 0);
	q->pmax = (w->last - (w->size - 1)) >> s;
	q->step = w->align > bm_page(n) ? w->align >> s : 1;
	return q->pmin <= q->pmax;
}

static uint64_t bm_grid_up(uint64_t p, uint64_t step)
{
	return (p + (step - 1)) & ~(step - 1);
}

static uint64_t bm_grid_down(uint64_t p, uint64_t step)
{
	return p & ~(step - 1);
}

/* --- the SETUP list ------------------------------------------------------- */

/*
 * Virtually clear runs in SETUP: the whole pages of this node's fragments,
 * minus the listed pages, in ascending order. One cursor walks fragments
 * and list together, so a full pass is O(fragments + list).
 */
struct bm_cursor {
	const struct dc_node *n;
	const struct dc_extent *f;	/* fragment being cut, or NULL */
	const struct bm_range *e;	/* first entry that may still cut */
	uint64_t a, b;			/* pages of f not yet returned */
	bool started;
};

static void bm_cursor_init(struct bm_cursor *c, const struct dc_node *n,
			   uint64_t from)
{
	unsigned s = n->sys->page_shift;
	const struct dc_extent *f = 0;

	c->n = n;
	c->e = bm_cstate(n)->list;
	c->started = false;
	c->a = from;		/* pages below from are clipped off */
	c->b = 0;
	if (from <= (DC_ADDR_MAX >> s)) {
		f = dc_tree_find_le(&n->sys->fragments, from << s);
		if (!f)
			f = dc_tree_first(&n->sys->fragments);
	}
	c->f = f;
}

/* Load the next fragment of the node with whole pages at or after c->a. */
static bool bm_cursor_frag(struct bm_cursor *c, uint64_t from)
{
	const struct dc_extent *f = c->f;
	uint64_t a, b;

	if (c->started && f)
		f = dc_tree_next(f);
	c->started = true;
	for (; f; f = dc_tree_next(f)) {
		if (f->nid != c->n->nid ||
		    !bm_inward(c->n, f->base, f->last, &a, &b) || b < from)
			continue;
		c->f = f;
		c->a = a < from ? from : a;
		c->b = b;
		return true;
	}
	c->f = 0;
	return false;
}

static bool bm_cursor_next(struct bm_cursor *c, uint64_t *r0, uint64_t *r1)
{
	const struct bm_range *e;

	if (!c->started && !bm_cursor_frag(c, c->a))
		return false;
	for (;;) {
		if (c->a > c->b && !bm_cursor_frag(c, 0))
			return false;
		while (c->e && c->e->last < c->a)
			c->e = c->e->next;
		e = c->e;
		if (e && e->first <= c->b) {
			if (e->first > c->a) {
				*r0 = c->a;
				*r1 = e->first - 1;
				c->a = e->last + 1;
				return true;
			}
			c->a = e->last + 1;
			continue;
		}
		*r0 = c->a;
		*r1 = c->b;
		c->a = c->b + 1;
		return true;
	}
}

/* The entry containing page p, or the first after it (or NULL); *prev is
 * the entry before that. */
static struct bm_range *bm_list_find(struct bm_state *st, uint64_t p,
				     struct bm_range **prev)
{
	struct bm_range *e = st->list;

	*prev = 0;
	while (e && e->last < p) {
		*prev = e;
		e = e->next;
	}
	return e;
}

static bool bm_list_overlaps(const struct bm_state *st, uint64_t a,
			     uint64_t b)
{
	const struct bm_range *e;

	for (e = st->list; e && e->first <= b; e = e->next)
		if (e->last >= a)
			return true;
	return false;
}

static bool bm_list_covers(const struct bm_state *st, uint64_t a, uint64_t b)
{
	const struct bm_range *e;

	for (e = st->list; e && e->first <= a; e = e->next)
		if (e->last >= b)
			return true;
	return false;
}

/*
 * List pages [a, b] (a union: some may be listed already), merging with
 * the entries they touch or overlap:
 *
 *   [prev][a..b][next] -> [prev.........next]   one entry given back
 *   [prev][a..b]       -> [prev.....]
 *         [a..b][next] -> [.....next]
 *         [a..b]       -> [a..b]                one entry taken
 *
 * Only dc_set_node's moves list pages that are partly listed; a reserve
 * has probed them free.
 */
static void bm_list_add(struct dc_node *n, uint64_t a, uint64_t b)
{
	struct bm_state *st = bm_state(n);
	struct bm_range *prev, *e = bm_list_find(st, a ? a - 1 : 0, &prev);
	struct bm_range *x;

	if (!e || e->first > b + 1) {
		x = dc_pool_get(n);
		x->first = a;
		x->last = b;
		x->next = e;
		if (prev)
			prev->next = x;
		else
			st->list = x;
		st->nlist++;
		return;
	}
	if (a < e->first)
		e->first = a;
	if (b > e->last)
		e->last = b;
	while ((x = e->next) && x->first <= e->last + 1) {
		if (x->last > e->last)
			e->last = x->last;
		e->next = x->next;
		dc_pool_put(n, x);
		st->nlist--;
	}
}

/*
 * Unlist every listed page of [a, b]:
 *
 *   [a..b]          -> gone              one entry given back (per entry)
 *   [a..b|rest]     -> [rest]
 *   [rest|a..b]     -> [rest]
 *   [x|a..b|y]      -> [x] [y]           one entry taken
 */
static void bm_list_del(struct dc_node *n, uint64_t a, uint64_t b)
{
	struct bm_state *st = bm_state(n);
	struct bm_range *prev, *e = bm_list_find(st, a, &prev), *y;

	while (e && e->first <= b) {
		if (e->first < a && e->last > b) {
			y = dc_pool_get(n);
			y->first = b + 1;
			y->last = e->last;
			y->next = e->next;
			e->last = a - 1;
			e->next = y;
			st->nlist++;
			return;
		}
		if (e->first < a) {
			e->last = a - 1;
		} else if (e->last > b) {
			e->first = b + 1;
			return;
		} else {
			y = e->next;
			if (prev)
				prev->next = y;
			else
				st->list = y;
			dc_pool_put(n, e);
			st->nlist--;
			e = y;
			continue;
		}
		prev = e;
		e = e->next;
	}
}

/* --- READY: bitmap changes with their counters ------------------------------ */

/* Is index i of the bitmap a clear page (false outside the span)? */
static bool bm_clear_at(const struct bm_state *st, uint64_t i)
{
	return i < st->pages && !bm_test(st->bits, i);
}

/*
 * Set pages [a, b] (pfns), all clear and inside one run of clear pages:
 * the run loses them and keeps what lies on either side.
 */
static void bm_take(struct bm_state *st, uint64_t a, uint64_t b)
{
	uint64_t i = a - st->spfn, j = b - st->spfn;

	bm_fill(st->bits, i, j, true);
	st->clear -= j - i + 1;
	st->runs += (i && bm_clear_at(st, i - 1)) + bm_clear_at(st, j + 1);
	st->runs -= 1;
}

/* Clear pages [a, b] (pfns), all set: a new run, which may join the runs
 * on either side. */
static void bm_give(struct bm_state *st, uint64_t a, uint64_t b)
{
	uint64_t i = a - st->spfn, j = b - st->spfn;

	st->runs += 1;
	st->runs -= (i && bm_clear_at(st, i - 1)) + bm_clear_at(st, j + 1);
	bm_fill(st->bits, i, j, false);
	st->clear += j - i + 1;
	if (st->last_offset && st->last_pos >= a && st->last_pos <= b)
		st->last_offset = 0;	/* the partial page is not ours now */
}

/* --- operations ------------------------------------------------------------- */

static int bm_init(struct dc_node *n)
{
	memset(n->state, 0, sizeof(n->state));
	return DC_OK;
}

static int bm_prepare(struct dc_node *n, unsigned k)
{
	/* SETUP: one list element per call at most. READY: nothing. */
	if (bm_state(n)->flags & BM_READY)
		return DC_OK;
	return dc_pool_prepare(n, k) ? DC_ENOSPC : DC_OK;
}

static int bm_add_memory(struct dc_node *n, dc_addr_t base, dc_addr_t last)
{
	/* The node layer owns the fragment map; the virtual bitmap follows. */
	(void)base;
	(void)last;
	return bm_state(n)->flags & BM_READY ? DC_ESTATE : DC_OK;
}

static int bm_remove_memory(struct dc_node *n, dc_addr_t base,
			    dc_addr_t last)
{
	const struct bm_state *st = bm_cstate(n);
	unsigned s = n->sys->page_shift;

	if (st->flags & BM_READY)
		return DC_ESTATE;
	/* A listed page touched by the range is taken; an unlisted one is
	 * free or an edge page that belongs to nobody. */
	return bm_list_overlaps(st, base >> s, last >> s) ? DC_EBUSY : DC_OK;
}

/* Does this node have memory in [a, l] (fragments are still as before)? */
static bool bm_has_ram_in(const struct dc_node *n, dc_addr_t a, dc_addr_t l)
{
	const struct dc_extent *f = dc_tree_find_le(&n->sys->fragments, l);

	for (; f && f->last >= a; f = dc_tree_prev(f))
		if (f->nid == n->nid)
			return true;
	return false;
}

/*
 * dc_set_node moves [base, last] away: its whole pages leave the list, and
 * so does a partial page at an edge unless the rest of that page still
 * holds memory of this node (a page listed for memory that moved away
 * would break invariant 2: fuzz_api, a reserved partial last page moved
 * to another node).
 */
static int bm_drop(struct dc_node *n, dc_addr_t base, dc_addr_t last)
{
	unsigned s = n->sys->page_shift;
	dc_addr_t mask = bm_page(n) - 1;
	uint64_t a = base >> s, b = last >> s;

	if (bm_state(n)->flags & BM_READY)
		return DC_ESTATE;
	if ((base & mask) && bm_has_ram_in(n, base & ~mask, base - 1))
		a++;
	if ((last & mask) != mask && bm_has_ram_in(n, last + 1, last | mask)) {
		if (!b)
			return DC_OK;
		b--;
	}
	if (a <= b)
		bm_list_del(n, a, b);
	return DC_OK;
}

static int bm_probe(const struct dc_node *n, dc_addr_t base, dc_addr_t last,
		    enum dc_probe want)
{
	const struct bm_state *st = bm_cstate(n);
	uint64_t a, b;

	if (want == DC_PROBE_FREE) {
		if (!(st->flags & BM_READY))	/* edge pages are listed too */
			return bm_list_overlaps(st, base >> n->sys->page_shift,
						last >> n->sys->page_shift) ?
			       DC_EBUSY : DC_OK;
		if (!bm_outward(n, base, last, &a, &b))
			return DC_OK;
		return bm_next(st->bits, a - st->spfn, b - st->spfn, true) ==
		       BM_NONE ? DC_OK : DC_EBUSY;
	}
	/* TAKEN: no page the range touches may be clear. Edge pages are
	 * always taken, so only the RAM pages need a look. */
	if (!bm_outward(n, base, last, &a, &b))
		return DC_OK;
	if (!(st->flags & BM_READY))
		return bm_list_covers(st, a, b) ? DC_OK : DC_ENOENT;
	return bm_next(st->bits, a - st->spfn, b - st->spfn, false) ==
	       BM_NONE ? DC_OK : DC_ENOENT;
}

static int bm_reserve(struct dc_node *n, dc_addr_t base, dc_addr_t last)
{
	struct bm_state *st = bm_state(n);
	uint64_t a, b;

	if (!(st->flags & BM_READY)) {	/* edges too: see the top */
		bm_list_add(n, base >> n->sys->page_shift,
			    last >> n->sys->page_shift);
		return DC_OK;
	}
	if (bm_outward(n, base, last, &a, &b))
		bm_take(st, a, b);
	return DC_OK;
}

static int bm_free(struct dc_node *n, dc_addr_t base, dc_addr_t last)
{
	struct bm_state *st = bm_state(n);
	uint64_t a, b;

	if (!bm_inward(n, base, last, &a, &b))
		return DC_OK;
	if (st->flags & BM_READY)
		bm_give(st, a, b);
	else
		bm_list_del(n, a, b);
	return DC_OK;
}

/* --- the fit ------------------------------------------------------------------ */

/* SETUP: the fit over the virtual bitmap's runs. */
static bool bm_fit_setup(const struct dc_node *n, const struct bm_fitreq *q,
			 bool top_down, uint64_t *out)
{
	struct bm_cursor c;
	uint64_t r0, r1, p, lo;
	bool found = false;

	bm_cursor_init(&c, n, q->pmin);
	while (bm_cursor_next(&c, &r0, &r1) && r0 <= q->pmax) {
		if (r1 - r0 + 1 < q->area)
			continue;
		if (!top_down) {
			p = bm_grid_up(r0 < q->pmin ? q->pmin : r0, q->step);
			if (p <= q->pmax && p <= r1 &&
			    r1 - p >= q->area - 1) {
				*out = p;
				return true;
			}
			continue;
		}
		lo = r0 < q->pmin ? q->pmin : r0;
		p = r1 - (q->area - 1);
		p = bm_grid_down(p < q->pmax ? p : q->pmax, q->step);
		if (p >= lo && p <= r1) {	/* the highest so far */
			*out = p;
			found = true;
		}
	}
	return found;
}

/* READY, lowest: the first grid page >= lo whose area pages are clear. */
static bool bm_fit_up(const struct bm_state *st, const struct bm_fitreq *q,
		      uint64_t lo, uint64_t hi, uint64_t *out)
{
	uint64_t p = bm_grid_up(lo, q->step), z, o;

	while (p <= hi) {
		/* loop invariant: no fit starts in [lo, p) */
		z = bm_next(st->bits, p - st->spfn, hi - st->spfn, false);
		if (z == BM_NONE)
			return false;
		p = bm_grid_up(st->spfn + z, q->step);
		if (p > hi)
			return false;
		o = bm_next(st->bits, p - st->spfn,
			    p - st->spfn + q->area - 1, true);
		if (o == BM_NONE) {
			*out = p;
			return true;
		}
		p = bm_grid_up(st->spfn + o + 1, q->step);
	}
	return false;
}

/* READY, highest: the mirror image, scanning down from hi. */
static bool bm_fit_down(const struct bm_state *st, const struct bm_fitreq *q,
			uint64_t lo, uint64_t hi, uint64_t *out)
{
	uint64_t p = bm_grid_down(hi, q->step), z, o;

	while (p >= lo) {
		/* loop invariant: no fit starts in (p, hi] */
		z = bm_prev(st->bits, lo - st->spfn,
			    p - st->spfn + q->area - 1, false);
		if (z == BM_NONE || st->spfn + z < lo + (q->area - 1))
			return false;
		p = bm_grid_down(st->spfn + z - (q->area - 1), q->step);
		if (p < lo)
			return false;
		o = bm_prev(st->bits, p - st->spfn,
			    p - st->spfn + q->area - 1, true);
		if (o == BM_NONE) {
			*out = p;
			return true;
		}
		if (st->spfn + o < lo + q->area)
			return false;
		p = bm_grid_down(st->spfn + o - q->area, q->step);
	}
	return false;
}

/* The first page of the fit (no packing), in either phase. */
static bool bm_fit(const struct dc_node *n, const struct dc_window *w,
		   struct bm_fitreq *q, uint64_t *pfn)
{
	const struct bm_state *st = bm_cstate(n);
	uint64_t lo, hi;

	if (!bm_fitreq(n, w, q))
		return false;
	if (!(st->flags & BM_READY))
		return bm_fit_setup(n, q, w->top_down, pfn);
	if (q->area > st->pages)
		return false;
	lo = q->pmin > st->spfn ? q->pmin : st->spfn;
	hi = st->spfn + (st->pages - q->area);
	if (q->pmax < hi)
		hi = q->pmax;
	if (lo > hi)
		return false;
	return w->top_down ? bm_fit_down(st, q, lo, hi, pfn) :
			     bm_fit_up(st, q, lo, hi, pfn);
}

/* What an allocation at fit page p leaves: its address, the new pages
 * from p on, and the packing state after it. */
struct bm_outcome {
	dc_addr_t a;
	uint64_t npages, last_pos, last_offset;
};

/*
 * BOOTMEM24.md step 6: packing applies when the fit at page p begins right
 * after the partial page, and its address lies in the window; otherwise
 * the allocation takes its own pages. Pure.
 */
static void bm_outcome(const struct dc_node *n, const struct dc_window *w,
		       const struct bm_fitreq *q, uint64_t p,
		       struct bm_outcome *o)
{
	const struct bm_state *st = bm_cstate(n);
	unsigned s = n->sys->page_shift;
	dc_size_t page = bm_page(n), off, room, rest;
	dc_addr_t pa;

	o->a = p << s;
	o->npages = q->area;
	o->last_pos = p + q->area - 1;
	o->last_offset = w->size & (page - 1);
	if (w->align > page || !st->last_offset || st->last_pos + 1 != p)
		return;
	off = (st->last_offset + (w->align - 1)) & ~(w->align - 1);
	room = page - off;
	pa = (st->last_pos << s) + off;
	if (pa < w->lo || w->last < pa || w->last - pa < w->size - 1)
		return;
	o->a = pa;
	if (w->size < room) {
		o->npages = 0;
		o->last_pos = st->last_pos;
		o->last_offset = (off + w->size) & (page - 1);
	} else {
		rest = w->size - room;
		o->npages = (rest >> s) + ((rest & (page - 1)) != 0);
		o->last_pos = p + o->npages - 1;
		o->last_offset = rest & (page - 1);
	}
}

static int bm_find(const struct dc_node *n, const struct dc_window *w,
		   dc_addr_t *out)
{
	struct bm_outcome o;
	struct bm_fitreq q;
	uint64_t p;

	if (!bm_fit(n, w, &q, &p))
		return DC_ENOMEM;
	bm_outcome(n, w, &q, p, &o);
	*out = o.a;
	return DC_OK;
}

static int bm_alloc(struct dc_node *n, const struct dc_window *w,
		    dc_addr_t *out)
{
	struct bm_state *st = bm_state(n);
	struct bm_outcome o;
	struct bm_fitreq q;
	uint64_t p;

	if (!(st->flags & BM_READY))
		return DC_ESTATE;
	if (!bm_fit(n, w, &q, &p))
		return DC_ENOMEM;
	bm_outcome(n, w, &q, p, &o);
	if (o.npages)
		bm_take(st, p, p + o.npages - 1);
	st->last_pos = o.last_pos;
	st->last_offset = o.last_offset;
	*out = o.a;
	return DC_OK;
}

/* --- finalize ------------------------------------------------------------------ */

/* The node's span in pages and whether it has fragments at all. */
static bool bm_span(const struct dc_node *n, uint64_t *spfn, uint64_t *pages)
{
	unsigned s = n->sys->page_shift;
	const struct dc_extent *f, *lo = 0, *hi = 0;

	for (f = dc_tree_first(&n->sys->fragments); f; f = dc_tree_next(f)) {
		if (f->nid != n->nid)
			continue;
		if (!lo)
			lo = f;
		hi = f;
	}
	if (!lo)
		return false;
	*spfn = lo->base >> s;
	*pages = (hi->last >> s) - *spfn + 1;
	return true;
}

/* All ones, then the RAM pages clear, then the listed and own pages set. */
static void bm_fill_map(struct dc_node *n)
{
	struct bm_state *st = bm_state(n);
	const struct dc_extent *f, *m;
	const struct bm_range *e;
	uint64_t a, b, words = st->bm_bytes / 8, i, w, prev = 0;
	unsigned s = n->sys->page_shift;

	for (i = 0; i < words; i++)
		st->bits[i] = ~(uint64_t)0;
	for (f = dc_tree_first(&n->sys->fragments); f; f = dc_tree_next(f))
		if (f->nid == n->nid && bm_inward(n, f->base, f->last, &a, &b))
			bm_fill(st->bits, a - st->spfn, b - st->spfn, false);
	for (e = st->list; e; e = e->next)
		bm_fill(st->bits, e->first - st->spfn, e->last - st->spfn,
			true);
	for (m = dc_tree_first(&n->meta); m; m = dc_tree_next(m))
		bm_fill(st->bits, (m->base >> s) - st->spfn,
			(m->last >> s) - st->spfn, true);
	st->clear = st->runs = 0;
	for (i = 0; i < words; i++) {
		w = ~st->bits[i];	/* clear pages */
		st->clear += bm_popcount(w);
		/* a run starts where a clear bit follows a set one */
		st->runs += bm_popcount(w & ~((w << 1) | prev));
		prev = w >> 63;
	}
}

static int bm_finalize(struct dc_node *n)
{
	struct bm_state *st = bm_state(n);
	uint64_t spfn, pages;
	dc_size_t bytes;
	dc_addr_t pa;
	void *va;
	int r;

	if (st->flags & BM_READY)
		return DC_ESTATE;
	if (!bm_span(n, &spfn, &pages)) {	/* no memory: nothing to map */
		st->flags = BM_READY;
		return DC_OK;
	}
	bytes = ((pages >> 6) + ((pages & 63) != 0)) * 8;
	r = dc_meta_steal(n, bytes, &pa, &va);
	if (r)
		return DC_ENOSPC;
	st->bits = va;
	st->spfn = spfn;
	st->pages = pages;
	st->bm_pa = pa;
	st->bm_bytes = bytes;
	st->last_pos = st->last_offset = 0;
	bm_fill_map(n);
	st->flags = BM_READY;
	return DC_OK;
}

/* Back to SETUP; the call's transaction gives the bitmap's block back. */
static void bm_unfinalize(struct dc_node *n)
{
	struct bm_state *st = bm_state(n);

	st->bits = 0;
	st->spfn = st->pages = st->bm_pa = st->bm_bytes = 0;
	st->last_pos = st->last_offset = st->clear = st->runs = 0;
	st->flags = 0;	/* the list is as it was before finalize */
}

/* --- read-only --------------------------------------------------------------- */

static int bm_next_free(const struct dc_node *n, dc_addr_t from,
			dc_addr_t *base, dc_addr_t *last)
{
	const struct bm_state *st = bm_cstate(n);
	unsigned s = n->sys->page_shift;
	uint64_t p = from >> s, r0, r1, o;
	struct bm_cursor c;

	if (!(st->flags & BM_READY)) {
		bm_cursor_init(&c, n, p);
		if (!bm_cursor_next(&c, &r0, &r1))
			return DC_ENOENT;
	} else {
		if (!st->pages || p > st->spfn + (st->pages - 1))
			return DC_ENOENT;
		if (p < st->spfn)
			p = st->spfn;
		r0 = bm_next(st->bits, p - st->spfn, st->pages - 1, false);
		if (r0 == BM_NONE)
			return DC_ENOENT;
		o = bm_next(st->bits, r0, st->pages - 1, true);
		r1 = st->spfn + (o == BM_NONE ? st->pages - 1 : o - 1);
		r0 += st->spfn;
	}
	*base = r0 << s < from ? from : r0 << s;
	*last = (r1 << s) + (bm_page(n) - 1);
	return DC_OK;
}

static void bm_stats(const struct dc_node *n, struct dc_backend_stats *bs)
{
	const struct bm_state *st = bm_cstate(n);
	unsigned s = n->sys->page_shift;
	uint64_t clear = 0, runs = 0, r0, r1;
	struct bm_cursor c;

	if (st->flags & BM_READY) {
		clear = st->clear;
		runs = st->runs;
	} else {
		bm_cursor_init(&c, n, 0);
		while (bm_cursor_next(&c, &r0, &r1)) {
			clear += r1 - r0 + 1;
			runs++;
		}
	}
	bs->free = clear << s;
	bs->taken = n->memory - bs->free;	/* edge bytes count as taken */
	bs->free_extents = runs;
}

/* Invariant 2 for one entry: every page holds memory of this node. */
static bool bm_list_entry_on_ram(const struct dc_node *n,
				 const struct bm_range *e)
{
	unsigned s = n->sys->page_shift;
	const struct dc_extent *f;
	uint64_t p = e->first;	/* pages before p hold our memory */

	if (e->last > (DC_ADDR_MAX >> s) || !bm_has_ram(n, p))
		return false;
	f = dc_tree_find_le(&n->sys->fragments, p << s);
	if (!f)
		f = dc_tree_first(&n->sys->fragments);
	for (; f && p <= e->last; f = dc_tree_next(f)) {
		if (f->nid != n->nid || f->last >> s < p)
			continue;
		if (f->base >> s > p)
			return false;	/* page p holds none of ours */
		if (f->last >> s == DC_ADDR_MAX >> s)
			return true;
		p = (f->last >> s) + 1;
	}
	return p > e->last;
}

/* Invariants 1-3 (the list, SETUP). */
static int bm_check_list(const struct dc_node *n)
{
	const struct bm_state *st = bm_cstate(n);
	const struct bm_range *e, *prev = 0;
	uint64_t count = 0;

	for (e = st->list; e; prev = e, e = e->next) {
		if (e->first > e->last || (prev && prev->last + 1 >= e->first))
			return 1;
		count++;
	}
	if (count != st->nlist)
		return 1;
	for (e = st->list; e; e = e->next)
		if (!bm_list_entry_on_ram(n, e))
			return 2;
	if (!(st->flags & BM_READY) &&
	    (st->bits || st->flags || st->last_offset || st->pages))
		return 3;
	return 0;
}

/* Invariant 6: the pages between whole-page runs of fragments are set. */
static int bm_check_holes(const struct dc_node *n)
{
	const struct bm_state *st = bm_cstate(n);
	const struct dc_extent *f;
	uint64_t next = st->spfn, a, b, end = st->spfn + st->pages;
	uint64_t words = st->bm_bytes / 8;

	for (f = dc_tree_first(&n->sys->fragments); f; f = dc_tree_next(f)) {
		if (f->nid != n->nid || !bm_inward(n, f->base, f->last, &a, &b))
			continue;
		if (a > next && bm_next(st->bits, next - st->spfn,
					a - 1 - st->spfn, false) != BM_NONE)
			return 6;
		next = b + 1;
	}
	if (next < end && bm_next(st->bits, next - st->spfn,
				  end - 1 - st->spfn, false) != BM_NONE)
		return 6;
	if (words * 64 > st->pages &&
	    bm_next(st->bits, st->pages, words * 64 - 1, false) != BM_NONE)
		return 6;
	return 0;
}

/* Invariants 4-9 (READY). */
static int bm_check_map(const struct dc_node *n)
{
	const struct bm_state *st = bm_cstate(n);
	unsigned s = n->sys->page_shift;
	const struct dc_extent *e;
	uint64_t spfn, pages, words, i, w, prev = 0, clear = 0, runs = 0;
	uint64_t a, b;
	int r;

	if (!bm_span(n, &spfn, &pages))
		return st->pages || st->bits ? 4 : 0;
	if (spfn != st->spfn || pages != st->pages || !st->bits)
		return 4;
	words = (pages >> 6) + ((pages & 63) != 0);
	/* the block is metadata of the node whose memory holds it */
	r = dc_node_of(n->sys, st->bm_pa);
	e = r >= 0 ? dc_tree_find_le(&n->sys->node[r]->meta, st->bm_pa) : 0;
	if (st->bm_bytes != words * 8 || !e || e->base != st->bm_pa ||
	    e->last - e->base < st->bm_bytes - 1)
		return 5;
	r = bm_check_holes(n);
	if (r)
		return r;
	for (e = dc_tree_first(&n->meta); e; e = dc_tree_next(e)) {
		a = e->base >> s;
		b = e->last >> s;
		if (a < st->spfn || b >= st->spfn + st->pages ||
		    bm_next(st->bits, a - st->spfn, b - st->spfn, false) !=
		    BM_NONE)
			return 7;
	}
	for (i = 0; i < words; i++) {
		w = ~st->bits[i];
		clear += bm_popcount(w);
		runs += bm_popcount(w & ~((w << 1) | prev));
		prev = w >> 63;
	}
	if (clear != st->clear || runs != st->runs)
		return 8;
	if (st->last_offset >= bm_page(n) ||
	    (st->last_offset && (st->last_pos < st->spfn ||
				 st->last_pos - st->spfn >= st->pages ||
				 !bm_test(st->bits, st->last_pos - st->spfn))))
		return 9;
	return 0;
}

static int bm_check(const struct dc_node *n)
{
	int r = bm_check_list(n);

	if (r || !(bm_cstate(n)->flags & BM_READY))
		return r;
	return bm_check_map(n);
}

const struct dc_backend_ops dc_backend_bitmap = {
	.name = "bitmap",
	.page_granular = true,
	.init = bm_init,
	.prepare = bm_prepare,
	.add_memory = bm_add_memory,
	.remove_memory = bm_remove_memory,
	.drop = bm_drop,
	.probe = bm_probe,
	.reserve = bm_reserve,
	.free = bm_free,
	.finalize = bm_finalize,
	.unfinalize = bm_unfinalize,
	.find = bm_find,
	.alloc = bm_alloc,
	.next_free = bm_next_free,
	.check = bm_check,
	.stats = bm_stats,
};
