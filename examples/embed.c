// SPDX-License-Identifier: BSD-3-Clause
/*
 * embed.c - the smallest embedder of discontig (DESIGN.md, "Embedding"):
 * a host program built against an installed library, with
 * find_package(discontig) (examples/CMakeLists.txt) or pkg-config:
 *
 *	cc embed.c $(pkg-config --cflags --libs discontig)
 *
 * It does what a kernel does, on a malloc'ed stand-in for physical
 * memory: register two nodes, reserve the "kernel image", finalize,
 * allocate per node (one request zeroed through phys_to_virt), hand
 * every free page to a "buddy allocator" that only counts, and check
 * that every byte is accounted for. Prints one line; exit 0 on success.
 */
#include <discontig/discontig.h>
#include <stdio.h>
#include <stdlib.h>

#define BASE 0x100000ull		/* physical memory starts at 1 MiB */
#define NODE_BYTES (16ull << 20)	/* two nodes of 16 MiB */

static struct dc_system sys;		/* static storage, as in a kernel */

/* The initial metadata pool: what the allocator may use before it can
 * take pages of its own (SETUP), sized for this example's two fragments,
 * one reservation and two nodes. */
static unsigned char pool[DC_POOL_BYTES(2, 1, 2)];

static unsigned char *ram;		/* stands for [BASE, BASE + 2 nodes) */

/* The kernel's __va(): physical to virtual, NULL where nothing maps. */
static void *phys_to_virt(void *ctx, dc_addr_t pa, dc_size_t len)
{
	if (pa < BASE || len > 2 * NODE_BYTES || pa - BASE > 2 * NODE_BYTES - len)
		return NULL;
	return ram + (pa - BASE);
}

static unsigned long long pages_to_buddy;

static void free_to_buddy(void *ctx, int nid, dc_addr_t base, unsigned order)
{
	pages_to_buddy += 1ull << order;
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "embed: %s: %s\n", what, dc_strerror(err));
	return 1;
}

int main(void)
{
	struct dc_config cfg = { .page_shift = 12, .pool = pool,
				 .pool_bytes = sizeof(pool),
				 .flags = DC_CFG_TOP_DOWN };
	struct dc_platform plat = { .phys_to_virt = phys_to_virt };
	struct dc_request q = { .size = 64 << 10, .align = 4096, .nid = 1,
				.flags = DC_REQ_ZERO };
	struct dc_stats st;
	dc_addr_t pa;
	int r;

	ram = malloc(2 * NODE_BYTES);
	if (!ram)
		return 1;
	if ((r = dc_init(&sys, &cfg, &plat)))
		return fail("dc_init", r);
	if ((r = dc_add_memory(&sys, 0, BASE, NODE_BYTES)) ||
	    (r = dc_add_memory(&sys, 1, BASE + NODE_BYTES, NODE_BYTES)))
		return fail("dc_add_memory", r);
	if ((r = dc_reserve(&sys, BASE, 2 << 20)))	/* the kernel image */
		return fail("dc_reserve", r);
	if ((r = dc_finalize(&sys)))
		return fail("dc_finalize", r);
	if ((r = dc_alloc(&sys, &q, &pa)))
		return fail("dc_alloc", r);
	if (dc_node_of(&sys, pa) != 1)
		return fail("dc_node_of: not on node 1", DC_EINVAL);
	if ((r = dc_release_all(&sys, free_to_buddy, NULL, NULL)))
		return fail("dc_release_all", r);
	if ((r = dc_stats(&sys, DC_NO_NODE, &st)))
		return fail("dc_stats", r);
	if (st.memory != st.used + st.metadata + st.free + st.released ||
	    (r = dc_check(&sys)))
		return fail("accounting", r ? r : DC_EINVAL);
	printf("embed: ok: %llu KiB on 2 nodes, %llu KiB used, %llu pages "
	       "to the buddy allocator, node 1 allocation at %#llx\n",
	       (unsigned long long)st.memory >> 10,
	       (unsigned long long)st.used >> 10, pages_to_buddy,
	       (unsigned long long)pa);
	free(ram);
	return 0;
}
