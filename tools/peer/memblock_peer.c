// SPDX-License-Identifier: BSD-3-Clause
/*
 * memblock_peer.c - our adapter around Linux's mm/memblock.c (issue 15).
 *
 * NOT part of the CMake build: scripts/memblock-peer.sh compiles this file
 * in the unpacked kernel tree, against tools/testing/memblock's stub
 * headers and the kernel's include/linux/memblock.h, and links it with
 * memblock.c and the stub objects into a shared object. That object is a
 * GPL work and stays in the user's cache; this file, ours, stays small:
 * it only translates the ABI of memblock_peer.h into memblock calls.
 *
 * What it must get right, from how tools/testing/memblock runs memblock:
 *  - phys_to_virt()/__va() are identity in the stubs, so the "physical"
 *    memory is host memory: reset() maps the span (MAP_NORESERVE) and
 *    offsets every address by delta, a multiple of 1 GiB (alignments up
 *    to 1 GiB survive the translation). memblock writes only its region
 *    arrays there when memblock_double_array() grows them (and zeroed
 *    allocations, DC_MBP_ZERO), so only those pages are committed.
 *  - The arrays start as memblock.c's static ones (INIT_MEMBLOCK_REGIONS,
 *    128 slots). The tests' reset_memblock_regions() keeps a grown array;
 *    we put the static ones back (their addresses are captured before
 *    memblock first runs), since the memory a grown one lived in is gone.
 *  - Growth needs memblock_allow_resize(); slab_is_available() stays
 *    false (lib/slab.c: slab_state is 0), so arrays come from memblock's
 *    own memory, as in early boot, and are reserved there.
 *  - 0 is memblock's failure address; host addresses are never 0.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/types.h>
#include <linux/mm.h>
#include <linux/memblock.h>

#include "memblock_peer.h"

#define PEER_ALIGN (1ull << 30)		/* delta is a multiple of this */

#ifndef MBP_KERNEL_VERSION
#error "MBP_KERNEL_VERSION must be given by scripts/memblock-peer.sh"
#endif
#ifndef MBP_BUILD
#define MBP_BUILD "unknown"
#endif

_Static_assert(sizeof(phys_addr_t) == 8, "the peer needs 64-bit phys_addr_t");

/* Read by the stub movable_node_is_enabled() (linux/memory_hotplug.h);
 * the simulator defines it in tests/common.c, which we do not build.
 * false: the kernel's default without movable_node on the command line. */
bool movable_node_enabled;

/* The host mapping of the span, and memblock's boot-time arrays. */
static struct {
	void *map;
	uint64_t base, span, delta;	/* va = pa + delta (mod 2^64) */
	struct memblock_region *init_mem, *init_res;
	unsigned long init_mem_max, init_res_max;
	bool captured;
} P;

static bool peer_inside(uint64_t pa, uint64_t size)
{
	return P.span && pa >= P.base && size <= P.span &&
	       pa - P.base <= P.span - size;
}

static phys_addr_t peer_va(uint64_t pa)
{
	return (phys_addr_t)(pa + P.delta);
}

static void peer_reset_type(struct memblock_type *t,
			    struct memblock_region *init, unsigned long max)
{
	memset(init, 0, max * sizeof(*init));
	t->regions = init;
	t->cnt = 1;		/* memblock's empty dummy entry */
	t->max = max;
	t->total_size = 0;
}

static int peer_reset(uint64_t base, uint64_t span)
{
	uint64_t off, raw, va;
	void *m;

	if (!P.captured) {	/* before memblock ever grew an array */
		P.init_mem = memblock.memory.regions;
		P.init_mem_max = memblock.memory.max;
		P.init_res = memblock.reserved.regions;
		P.init_res_max = memblock.reserved.max;
		P.captured = true;
	}
	peer_reset_type(&memblock.memory, P.init_mem, P.init_mem_max);
	peer_reset_type(&memblock.reserved, P.init_res, P.init_res_max);
	memblock.bottom_up = false;
	memblock.current_limit = MEMBLOCK_ALLOC_ANYWHERE;
	memblock_allow_resize();
	if (P.map)
		munmap(P.map, P.span);
	P.map = NULL;
	P.span = 0;
	if (!span)
		return 0;
	span = (span + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
	if (!span || base + span < base || span > UINT64_MAX - PEER_ALIGN)
		return -EINVAL;
	m = mmap(NULL, span + PEER_ALIGN, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		return -ENOMEM;
	/* the lowest va >= raw with va == base (mod 1 GiB) */
	raw = (uint64_t)(uintptr_t)m;
	off = base & (PEER_ALIGN - 1);
	va = ((raw + PEER_ALIGN - 1) & ~(PEER_ALIGN - 1)) + off;
	if (va - PEER_ALIGN >= raw)
		va -= PEER_ALIGN;
	if (va > raw)
		munmap(m, va - raw);
	if (raw + PEER_ALIGN > va)
		munmap((void *)(uintptr_t)(va + span), raw + PEER_ALIGN - va);
	P.map = (void *)(uintptr_t)va;
	P.base = base;
	P.span = span;
	P.delta = va - base;
	return 0;
}

static int peer_add(uint64_t base, uint64_t size, int nid)
{
	if (!peer_inside(base, size))
		return -EINVAL;
	return memblock_add_node(peer_va(base), size, nid, MEMBLOCK_NONE);
}

static int peer_remove(uint64_t base, uint64_t size)
{
	return peer_inside(base, size) ?
	       memblock_remove(peer_va(base), size) : -EINVAL;
}

static int peer_reserve(uint64_t base, uint64_t size)
{
	return peer_inside(base, size) ?
	       memblock_reserve(peer_va(base), size) : -EINVAL;
}

static int peer_free(uint64_t base, uint64_t size)
{
	return peer_inside(base, size) ?
	       memblock_phys_free(peer_va(base), size) : -EINVAL;
}

/* An ABI bound as memblock's: below the span is 0, above it the span's
 * end (no memory lies outside the span, so the answers are the same). */
static phys_addr_t peer_bound(uint64_t pa)
{
	if (pa <= P.base)
		return pa == P.base ? peer_va(pa) : 0;
	return peer_va(pa - P.base < P.span ? pa : P.base + P.span);
}

static int peer_alloc(uint64_t size, uint64_t align, uint64_t min,
		      uint64_t max, int nid, unsigned flags, uint64_t *out)
{
	bool exact = flags & DC_MBP_EXACT_NID;
	phys_addr_t lo = peer_bound(min), hi, found;
	void *p;

	if (!P.span)
		return -ENOMEM;
	if (max && max <= P.base)
		return -ENOMEM;		/* nothing lies below the span */
	hi = max ? peer_bound(max) : MEMBLOCK_ALLOC_ACCESSIBLE;
	if (flags & DC_MBP_RELAX_MIN) {
		p = exact ? memblock_alloc_exact_nid_raw(size, align, lo, hi, nid)
			  : memblock_alloc_try_nid_raw(size, align, lo, hi, nid);
		found = (phys_addr_t)(uintptr_t)p;
	} else {
		found = memblock_alloc_range_nid(size, align, lo, hi, nid, exact);
	}
	if (!found)
		return -ENOMEM;
	if (flags & DC_MBP_ZERO)
		memset((void *)(uintptr_t)found, 0, size);
	*out = (uint64_t)found - P.delta;
	return 0;
}

static void peer_set_bottom_up(bool enable)
{
	memblock_set_bottom_up(enable);
}

static void peer_set_current_limit(uint64_t limit)
{
	if (!limit)
		memblock_set_current_limit(MEMBLOCK_ALLOC_ANYWHERE);
	else
		memblock_set_current_limit(peer_bound(limit));
}

static uint64_t peer_regions(const struct memblock_type *t)
{
	return t->cnt == 1 && !t->regions[0].size ? 0 : t->cnt;
}

static void peer_array(const struct memblock_type *t,
		       const struct memblock_region *init,
		       struct dc_mbp_array *a)
{
	a->regions = peer_regions(t);
	a->cnt = t->cnt;
	a->max = t->max;
	a->total_size = t->total_size;
	a->taken = t->regions == init ? 0 :
		   PAGE_ALIGN(t->max * sizeof(struct memblock_region));
}

static void peer_stats(struct dc_mbp_stats *out)
{
	memset(out, 0, sizeof(*out));
	peer_array(&memblock.memory, P.init_mem, &out->type[DC_MBP_MEMORY]);
	peer_array(&memblock.reserved, P.init_res,
		   &out->type[DC_MBP_RESERVED]);
	out->region_size = sizeof(struct memblock_region);
	out->init_regions = P.init_mem_max;
	out->bottom_up = memblock.bottom_up;
	out->current_limit = memblock.current_limit == MEMBLOCK_ALLOC_ANYWHERE ?
			     0 : memblock.current_limit - P.delta;
}

static int peer_region(enum dc_mbp_type type, uint64_t idx, uint64_t *base,
		       uint64_t *size, int *nid)
{
	const struct memblock_type *t = type == DC_MBP_MEMORY ?
					&memblock.memory : &memblock.reserved;
	const struct memblock_region *r;

	if ((type != DC_MBP_MEMORY && type != DC_MBP_RESERVED) ||
	    idx >= peer_regions(t))
		return -EINVAL;
	r = &t->regions[idx];
	*base = r->base - P.delta;
	*size = r->size;
	*nid = memblock_get_region_node(r);
	return 0;
}

static uint64_t peer_free_ranges(int nid, uint64_t *bytes)
{
	phys_addr_t start, end;
	uint64_t n = 0, sum = 0;
	u64 i;

	for_each_free_mem_range(i, nid, MEMBLOCK_NONE, &start, &end, NULL) {
		n++;
		sum += end - start;
	}
	if (bytes)
		*bytes = sum;
	return n;
}

__attribute__((visibility("default")))
const struct dc_memblock_peer dc_memblock_peer = {
	.abi = DC_MEMBLOCK_PEER_ABI,
	.size = sizeof(struct dc_memblock_peer),
	.kernel_version = MBP_KERNEL_VERSION,
	.build = MBP_BUILD,
	.reset = peer_reset,
	.add = peer_add,
	.remove = peer_remove,
	.reserve = peer_reserve,
	.free = peer_free,
	.alloc = peer_alloc,
	.set_bottom_up = peer_set_bottom_up,
	.set_current_limit = peer_set_current_limit,
	.stats = peer_stats,
	.region = peer_region,
	.free_ranges = peer_free_ranges,
};
