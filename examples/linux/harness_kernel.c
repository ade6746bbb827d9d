// SPDX-License-Identifier: BSD-3-Clause
/*
 * harness_kernel.c - the kernel half of the test harness
 * (tests/support/harness_core.h): real pages instead of simulated
 * memory.
 *
 * At load the module takes, from every online node, KH_ROUNDS pairs of
 * 256 KiB blocks with alloc_pages_node(__GFP_THISNODE); the first of each
 * pair becomes a chunk of the machine the scenarios register (real nid
 * from page_to_nid, distances from node_distance), the second stays
 * unregistered, so that a node's chunks have holes between them even
 * where the buddy allocator hands out neighbouring blocks. Rounds go
 * node by node, so the chunks are registered interleaved. A CPU-only
 * node has no pages to give: it is in the machine without chunks. One
 * 4 MiB block (the buddy allocator's largest order) holds the standard
 * layout of the other cases.
 *
 * phys_to_virt is __va(), after checking that the range lies in memory
 * the module owns: the library must never touch a page it was not given,
 * and if it tries, that is a failed check rather than a corrupted kernel.
 */
#define pr_fmt(fmt) "discontig: " fmt

#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/topology.h>

#include "conformance.h"
#include "harness_core.h"
#include "kharness.h"

#define KH_ROUNDS 4
#define KH_CHUNK_ORDER 6

struct kh_block {
	struct page *page;
	unsigned int order;
};

static struct kh_block layout_block;
static struct kh_block chunks[H_MACHINE_CHUNKS], spacers[H_MACHINE_CHUNKS];
static int nspacers;
static struct h_machine machine;

static struct kh_block kh_alloc(int nid, unsigned int order)
{
	gfp_t gfp = GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY;
	struct kh_block b = { NULL, order };

	if (nid == NUMA_NO_NODE)
		b.page = alloc_pages(gfp, order);
	else
		b.page = alloc_pages_node(nid, gfp | __GFP_THISNODE, order);
	return b;
}

static void kh_put(struct kh_block *b)
{
	if (b->page)
		__free_pages(b->page, b->order);
	b->page = NULL;
}

static bool kh_inside(const struct kh_block *b, dc_addr_t pa, dc_size_t len)
{
	dc_addr_t base = b->page ? page_to_phys(b->page) : 0;
	dc_size_t size = PAGE_SIZE << b->order;

	return b->page && pa >= base && pa - base < size &&
	       len <= size - (pa - base);
}

/* Is [pa, pa + len) inside the layout block or one chunk? */
static bool kh_owned(dc_addr_t pa, dc_size_t len)
{
	if (kh_inside(&layout_block, pa, len))
		return true;
	for (int i = 0; i < machine.nchunks; i++)
		if (kh_inside(&chunks[i], pa, len))
			return true;
	return false;
}

/* A round: one chunk and one spacer from every online node. */
static int kh_take_round(void)
{
	int nid;

	for_each_online_node(nid) {
		struct kh_block c = kh_alloc(nid, KH_CHUNK_ORDER);

		if (!c.page)
			continue;	/* CPU-only, or full */
		if (machine.nchunks == H_MACHINE_CHUNKS) {
			kh_put(&c);
			return 0;
		}
		chunks[machine.nchunks] = c;
		machine.chunk[machine.nchunks++] = (struct h_chunk){
			page_to_nid(c.page), page_to_phys(c.page),
			PAGE_SIZE << c.order };
		spacers[nspacers] = kh_alloc(nid, KH_CHUNK_ORDER);
		if (spacers[nspacers].page)
			nspacers++;
	}
	return 0;
}

int kh_take_pages(void)
{
	int nid, i = 0, j;

	layout_block = kh_alloc(NUMA_NO_NODE, get_order(DC_CONFORMANCE_SPAN));
	if (!layout_block.page)
		return -ENOMEM;
	machine.what = "this kernel's pages";
	for_each_online_node(nid) {
		if (i == H_MACHINE_NODES)
			break;
		machine.nids[i++] = nid;
	}
	machine.nnodes = i;
	for (i = 0; i < machine.nnodes; i++)
		for (j = 0; j < machine.nnodes; j++)
			machine.dist[i][j] = node_distance(machine.nids[i],
							   machine.nids[j]);
	for (i = 0; i < KH_ROUNDS; i++)
		kh_take_round();
	return machine.nchunks ? 0 : -ENOMEM;
}

void kh_free_pages(void)
{
	for (int i = 0; i < machine.nchunks; i++)
		kh_put(&chunks[i]);
	for (int i = 0; i < nspacers; i++)
		kh_put(&spacers[i]);
	kh_put(&layout_block);
	machine.nchunks = 0;
	nspacers = 0;
}

dc_addr_t kh_layout_base(void)
{
	return page_to_phys(layout_block.page);
}

/* Does another chunk of the same node end where c starts? Then the
 * library sees the two as one fragment. */
static bool kh_continues(const struct h_chunk *c)
{
	for (int i = 0; i < machine.nchunks; i++)
		if (machine.chunk[i].nid == c->nid &&
		    machine.chunk[i].base + machine.chunk[i].size == c->base)
			return true;
	return false;
}

void kh_print_machine(void)
{
	for (int i = 0; i < machine.nnodes; i++) {
		int nid = machine.nids[i], n = 0, frags = 0;
		dc_size_t bytes = 0;

		for (int c = 0; c < machine.nchunks; c++)
			if (machine.chunk[c].nid == nid) {
				n++;
				bytes += machine.chunk[c].size;
				frags += !kh_continues(&machine.chunk[c]);
			}
		pr_info("node %d: %d chunks in %d fragments, %llu KiB%s\n", nid,
			n, frags, (unsigned long long)bytes >> 10,
			n ? "" : " (no memory: CPU-only)");
	}
	pr_info("layout block at %#llx, %llu KiB\n",
		(unsigned long long)kh_layout_base(),
		(unsigned long long)DC_CONFORMANCE_SPAN >> 10);
}

const struct h_machine *h_machine(void)
{
	return &machine;
}

static void *kh_phys_to_virt(void *ctx, dc_addr_t pa, dc_size_t len)
{
	struct dc_harness *h = ctx;

	if (h_p2v_refused(h, pa, len))
		return NULL;
	if (!dc_t_check(kh_owned(pa, len), false,
			"phys_to_virt of pages the module owns", __FILE__,
			__LINE__))
		return NULL;
	return __va(pa);
}

void h_init(struct dc_harness *h, const struct dc_backend_ops *ops,
	    unsigned int page_shift, size_t pool_bytes, unsigned int flags)
{
	memset(h, 0, sizeof(*h));
	h->sys = kzalloc(sizeof(*h->sys), GFP_KERNEL);
	h->pool = pool_bytes ? kvzalloc(pool_bytes, GFP_KERNEL) : NULL;
	h->plat.phys_to_virt = kh_phys_to_virt;
	h->plat.ctx = h;
	h->cfg.page_shift = page_shift;
	h->cfg.backend = ops;
	h->cfg.pool = h->pool;
	h->cfg.pool_bytes = pool_bytes;
	h->cfg.flags = flags;
	T_ASSERT_FATAL(h->sys && (h->pool || !pool_bytes));
	T_ASSERT_FATAL(dc_init(h->sys, &h->cfg, &h->plat) == 0);
}

void h_back(struct dc_harness *h, int nid, dc_addr_t base, dc_size_t size)
{
	dc_t_check(kh_owned(base, size), false,
		   "registered memory lies in pages the module owns", __FILE__,
		   __LINE__);
}

void *h_virt(struct dc_harness *h, dc_addr_t pa, dc_size_t len)
{
	return kh_owned(pa, len) ? __va(pa) : NULL;
}

void h_fini(struct dc_harness *h)
{
	kvfree(h->pool);
	kfree(h->sys);
	memset(h, 0, sizeof(*h));
}

void *h_zalloc(size_t bytes)
{
	return kvzalloc(bytes, GFP_KERNEL);
}

void *h_realloc(void *p, size_t bytes)
{
	return krealloc(p, bytes, GFP_KERNEL);
}

void h_free(void *p)
{
	kvfree(p);
}

void h_log(const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_info("%pV", &vaf);
	va_end(args);
}
