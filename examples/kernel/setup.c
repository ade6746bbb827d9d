// SPDX-License-Identifier: BSD-3-Clause
/*
 * setup.c - the boot allocator's set-up: the path a NUMA kernel follows
 * from the firmware's description of memory to a finalized allocator.
 *
 *   1. dc_init, with the pool in .bss and the access limit at 1 MiB:
 *      all that is mapped before the kernel builds its direct map (x86
 *      Linux sets memblock's current limit to ISA_END_ADDRESS at first)
 *   2. the firmware map's RAM: dc_add_memory, all on node 0, since which
 *      node owns what is not known yet (as e820__memblock_setup() adds
 *      RAM before the SRAT is parsed)
 *   3. the SRAT's memory ranges: dc_set_node moves RAM to its node
 *      (memblock_set_node() in numa_register_memblks())
 *   4. the SRAT's processors: dc_add_node for nodes with CPUs but no
 *      memory, so that requests can name them
 *   5. the SLIT: dc_set_distance for every pair of nodes
 *   6. dc_reserve_loose: the kernel image, what the boot loader wrote, the
 *      BIOS areas, the ACPI tables and every non-RAM e820 range. Loose,
 *      because these overlap holes and each other; `newly` says what each
 *      one took
 *   7. the direct map (paging, 4 MiB pages), then dc_set_access_limit to
 *      its end: the allocator may now map metadata there
 *   8. dc_finalize
 *
 * Every call is checked; a failure here leaves nothing to test, so
 * memory_setup() returns why and the report ends with FAIL.
 */
#include "mm.h"

extern char __image_start[], __image_end[];	/* kernel.ld */

struct dc_system dc;
struct knode knode[DC_MAX_NODES];
int node_ids[DC_MAX_NODES];
unsigned nr_nodes;
struct frag frags[128];
unsigned nfrags;
struct reservation resv[128];
unsigned nresv;
uint64_t access_limit;
unsigned p2v_calls, p2v_beyond;
uint64_t p2v_first_beyond;

/* The initial metadata pool: node descriptors, fragments and extents
 * until dc_finalize, sized for the worst this kernel describes: every
 * firmware map entry and SRAT range a fragment, every firmware range a
 * loose reservation of two pieces (plus the image, boot data and BIOS
 * areas), every node DC_MAX_NODES allows. */
static uint8_t dc_pool[DC_POOL_BYTES(MAX_FW + 64, 2 * (MAX_FW + 32),
				     DC_MAX_NODES)] __attribute__((aligned(64)));

static uint32_t lowmem_end = LOWMEM_END_DEFAULT;
static const char *setup_notes[8];
static unsigned nnotes;

static void note(const char *s)
{
	if (nnotes < ARRAY_SIZE(setup_notes))
		setup_notes[nnotes++] = s;
}

/* The platform callback: our direct map is the identity below its end. */
void *phys_to_virt(uint64_t pa, uint64_t len)
{
	if (pa >= access_limit || len > access_limit - pa)
		return NULL;
	return (void *)(uintptr_t)pa;
}

static void *dc_phys_to_virt(void *ctx, dc_addr_t pa, dc_size_t len)
{
	void *va = phys_to_virt(pa, len);

	p2v_calls++;
	if (!va && !p2v_beyond++)	/* the library promised never to */
		p2v_first_beyond = pa;
	return va;
}

static void dc_log(void *ctx, const char *line)
{
	kprintf("  discontig: %s\n", line);
}

unsigned node_distance(int from, int to)
{
	/* the library was told the SLIT for present nodes only */
	if (!acpi.slit_note && (unsigned)from < acpi.nloc &&
	    (unsigned)to < acpi.nloc && knode[from].present &&
	    knode[to].present)
		return acpi.dist[from][to];
	return from == to ? 10 : 20;
}

/*
 * The order in which a request naming nid visits the nodes (DESIGN.md):
 * nid itself, then the others by increasing distance, ties to the lower
 * id. Computed from the kernel's own copy of the SLIT, independently of
 * the library, so that allocs.c can check the library against it.
 */
void fallback_order(int nid, int *out, unsigned *n)
{
	unsigned k = 0, first;

	if (nid >= 0)
		out[k++] = nid;
	first = k;
	for (unsigned i = 0; i < nr_nodes; i++) {	/* ascending ids */
		int c = node_ids[i];
		unsigned j = k++, d = node_distance(nid, c);

		if (c == nid) {
			k--;
			continue;
		}
		for (; j > first && node_distance(nid, out[j - 1]) > d; j--)
			out[j] = out[j - 1];	/* strictly farther: ties stay */
		out[j] = c;
	}
	*n = k;
}

/* The nearest other node (SLIT, ties lower id) that has memory below the
 * access limit: where a CPU-only node's per-CPU areas must land. */
int nearest_with_lowmem(int nid)
{
	int order[DC_MAX_NODES];
	unsigned n;

	fallback_order(nid, order, &n);
	for (unsigned i = 0; i < n; i++)
		if (knode[order[i]].lowmem)
			return order[i];
	return DC_NO_NODE;
}

int frag_find(uint64_t base, uint64_t size)
{
	unsigned lo = 0, hi = nfrags;

	while (lo < hi) {	/* the last fragment with base <= base */
		unsigned mid = (lo + hi) / 2;

		if (frags[mid].base <= base)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return -1;
	lo--;
	if (base - frags[lo].base >= frags[lo].size ||
	    size > frags[lo].size - (base - frags[lo].base))
		return -1;
	return (int)lo;
}

static int walk_frag(void *ctx, int nid, dc_addr_t base, dc_size_t size)
{
	if (nfrags == ARRAY_SIZE(frags))
		return 1;
	frags[nfrags++] = (struct frag){ base, size, nid };
	return 0;
}

static uint64_t overlap(uint64_t a, uint64_t asz, uint64_t b, uint64_t bsz)
{
	uint64_t lo = a > b ? a : b, ae = a + asz, be = b + bsz;
	uint64_t hi = ae < be ? ae : be;

	return hi > lo ? hi - lo : 0;
}

/* The kernel's node list, from the SRAT (or node 0 alone). */
static void nodes_from_firmware(void)
{
	uint64_t covered = 0, ram = 0;

	for (unsigned i = 0; i < acpi.nmem; i++) {
		struct knode *k = &knode[acpi.mem[i].pxm];

		k->present = true;
		k->srat_bytes += acpi.mem[i].size;
		for (unsigned e = 0; e < boot.nmap; e++)
			if (boot.map[e].type == FW_RAM)
				k->expect_bytes += overlap(
					acpi.mem[i].base, acpi.mem[i].size,
					boot.map[e].base, boot.map[e].size);
	}
	for (unsigned c = 0; c < acpi.ncpu; c++) {
		if (acpi.cpu[c].nid < 0) {	/* a CPU the SRAT forgot */
			acpi.cpu[c].nid = 0;
			note("a CPU without SRAT affinity: put on node 0");
		}
		knode[acpi.cpu[c].nid].present = true;
		knode[acpi.cpu[c].nid].ncpus++;
	}
	/* RAM that no SRAT range covers stays on node 0 */
	for (unsigned e = 0; e < boot.nmap; e++) {
		if (boot.map[e].type != FW_RAM)
			continue;
		ram += boot.map[e].size;
		for (unsigned i = 0; i < acpi.nmem; i++)
			covered += overlap(acpi.mem[i].base, acpi.mem[i].size,
					   boot.map[e].base, boot.map[e].size);
	}
	if (ram > covered) {
		knode[0].present = true;
		knode[0].expect_bytes += ram - covered;
		if (acpi.nmem)
			note("RAM outside every SRAT range stays on node 0");
	}
	for (int nid = 0; nid < DC_MAX_NODES; nid++) {
		if (!knode[nid].present)
			continue;
		node_ids[nr_nodes++] = nid;
		knode[nid].cpu_only = !knode[nid].expect_bytes &&
				      !knode[nid].srat_bytes;
	}
}

static const char *failed(const char *call, int r)
{
	static char buf[96];
	char *p = buf;
	const char *s;

	for (s = call; *s && p < buf + 40;)
		*p++ = *s++;
	*p++ = ':', *p++ = ' ';
	for (s = dc_strerror(r); *s && p < buf + sizeof(buf) - 1;)
		*p++ = *s++;
	*p = 0;
	return buf;
}

static int reserve(uint64_t base, uint64_t size, const char *what)
{
	struct reservation *r = &resv[nresv];
	int err;

	if (!size)
		return 0;
	if (nresv == ARRAY_SIZE(resv))
		return DC_ENOSPC;
	*r = (struct reservation){ base, size, 0, what };
	err = dc_reserve_loose(&dc, base, size, &r->newly);
	if (!err)
		nresv++;
	return err;
}

static int reserve_all(void)
{
	uint32_t ebda = bios_ebda();
	int r;

	r = reserve((uintptr_t)__image_start, __image_end - __image_start,
		    "kernel image");
	for (unsigned i = 0; !r && i < boot.nranges; i++)
		r = reserve(boot.ranges[i].base, boot.ranges[i].size,
			    boot.ranges[i].what);
	if (!r)
		r = reserve(0, 0x1000, "real-mode IVT, BIOS data area");
	if (!r && ebda)
		r = reserve(ebda, 0xa0000 - ebda, "EBDA");
	if (!r)
		r = reserve(0xa0000, 0x60000, "VGA, BIOS ROMs");
	if (!r && acpi.rsdp)
		r = reserve(acpi.rsdp, 36, "ACPI RSDP");
	for (unsigned i = 0; !r && i < acpi.ntables; i++)
		if (acpi.tables[i].ok)
			r = reserve(acpi.tables[i].pa, acpi.tables[i].length,
				    "ACPI table");
	for (unsigned i = 0; !r && i < boot.nmap; i++)
		if (boot.map[i].type != FW_RAM)
			r = reserve(boot.map[i].base, boot.map[i].size,
				    fw_type_name(boot.map[i].type));
	return r;
}

const char *memory_setup(void)
{
	struct dc_config cfg = {
		.page_shift = PAGE_SHIFT,
		.pool = dc_pool,
		.pool_bytes = sizeof(dc_pool),
		.flags = DC_CFG_TOP_DOWN,	/* memblock's default */
		.access_limit = 1 * MiB,	/* real mode's reach */
	};
	struct dc_platform plat = {
		.phys_to_virt = dc_phys_to_virt,
		.log = dc_log,
	};
	const char *arg = cmdline_arg(boot.cmdline, "lowmem");
	int r;

	if (arg)	/* the direct map's end, 4 MiB pages, under 4 GiB */
		lowmem_end = (uint32_t)(parse_u64(arg) & ~(4 * MiB - 1));
	if (!lowmem_end)
		lowmem_end = LOWMEM_END_DEFAULT;
	nodes_from_firmware();
	access_limit = cfg.access_limit;
	if ((r = dc_init(&dc, &cfg, &plat)))
		return failed("dc_init", r);

	for (unsigned i = 0; i < boot.nmap; i++) {
		const struct fw_entry *e = &boot.map[i];

		if (e->type != FW_RAM)
			continue;
		r = dc_add_memory(&dc, 0, e->base, e->size);
		if (r == DC_EEXIST)	/* overlapping e820 RAM entries */
			note("an e820 RAM entry overlaps another: skipped");
		else if (r)
			return failed("dc_add_memory", r);
	}
	for (unsigned i = 0; i < acpi.nmem; i++)
		if ((r = dc_set_node(&dc, acpi.mem[i].base, acpi.mem[i].size,
				     (int)acpi.mem[i].pxm)))
			return failed("dc_set_node", r);
	for (unsigned i = 0; i < nr_nodes; i++)
		if (knode[node_ids[i]].cpu_only &&
		    (r = dc_add_node(&dc, node_ids[i])))
			return failed("dc_add_node", r);
	for (unsigned i = 0; !acpi.slit_note && i < nr_nodes; i++)
		for (unsigned j = 0; j < nr_nodes; j++)
			if ((r = dc_set_distance(&dc, node_ids[i], node_ids[j],
				node_distance(node_ids[i], node_ids[j]))))
				return failed("dc_set_distance", r);
	if ((r = reserve_all()))
		return failed("dc_reserve_loose", r);

	arch_map_lowmem(lowmem_end);
	access_limit = lowmem_end;
	if ((r = dc_set_access_limit(&dc, lowmem_end)))
		return failed("dc_set_access_limit", r);
	if ((r = dc_finalize(&dc)))
		return failed("dc_finalize", r);

	if ((r = dc_walk(&dc, DC_NO_NODE, DC_WALK_MEMORY, walk_frag, NULL)))
		return "more fragments than the kernel's table holds";
	for (unsigned i = 0; i < nfrags; i++) {
		struct knode *k = &knode[frags[i].nid];
		uint64_t lo = frags[i].base & ~(uint64_t)(PAGE_SIZE - 1);
		uint64_t end = (frags[i].base + frags[i].size + PAGE_SIZE - 1) &
			       ~(uint64_t)(PAGE_SIZE - 1);

		if (!k->memory || lo < k->span_lo)
			k->span_lo = lo;
		if (end > k->span_end)
			k->span_end = end;
		k->memory += frags[i].size;
		k->lowmem += overlap(frags[i].base, frags[i].size, 0, lowmem_end);
	}
	return NULL;
}

/* What the kernel told the library, and the first checks of it. */
void setup_print(void)
{
	struct dc_stats st;
	uint64_t total = 0;

	kprintf("boot allocator: discontig, backend %s, DC_MAX_NODES %u, "
		"sizeof(struct dc_system) %u\n", DC_CONFIG_BACKENDS,
		(unsigned)DC_MAX_NODES, (unsigned)sizeof(struct dc_system));
	for (unsigned i = 0; i < nnotes; i++)
		kprintf("  note: %s\n", setup_notes[i]);
	kprintf("reserved (dc_reserve_loose):\n");
	for (unsigned i = 0; i < nresv; i++) {
		kprintf("  [0x%012llx-0x%012llx] %-30s %9s, newly %s\n",
			resv[i].base, resv[i].base + resv[i].size - 1,
			resv[i].what, sz(resv[i].size), sz(resv[i].newly));
		total += resv[i].newly;
	}
	kprintf("  total newly reserved: %s\n", sz(total));
	CHECK(resv[0].newly == resv[0].size,
	      "the kernel image was not all free RAM: newly %llu of %llu",
	      resv[0].newly, resv[0].size);
	kprintf("direct map: [0, 0x%llx) identity, 4 MiB pages; access limit "
		"%s\n", access_limit, sz(access_limit));
	kprintf("registered fragments (dc_walk MEMORY):\n");
	for (unsigned i = 0; i < nfrags; i++)
		kprintf("  [0x%012llx-0x%012llx] node %d %s\n", frags[i].base,
			frags[i].base + frags[i].size - 1, frags[i].nid,
			sz(frags[i].size));
	kprintf("nodes: %u\n", nr_nodes);
	for (unsigned i = 0; i < nr_nodes; i++) {
		int nid = node_ids[i];
		struct knode *k = &knode[nid];
		int r = dc_stats(&dc, nid, &st);

		kprintf("  node %d: %u cpus, memory %s (SRAT %s, e820 RAM in "
			"it %s), below the access limit %s%s\n", nid, k->ncpus,
			sz(k->memory), acpi.srat_note ? "-" : sz(k->srat_bytes),
			sz(k->expect_bytes), sz(k->lowmem),
			k->cpu_only ? ", CPU-only" : "");
		CHECK(!r, "node %d: dc_stats: %s", nid, dc_strerror(r));
		CHECK(r || st.memory == k->memory,
		      "node %d: dc_stats memory %llu, fragments say %llu", nid,
		      st.memory, k->memory);
		CHECK(k->memory == k->expect_bytes,
		      "node %d: registered %llu bytes, the e820 RAM inside its "
		      "SRAT ranges is %llu", nid, k->memory, k->expect_bytes);
	}
	CHECK(!dc_stats(&dc, DC_NO_NODE, &st) && st.nodes == nr_nodes,
	      "the library counts %llu nodes, the firmware %u", st.nodes,
	      nr_nodes);
	for (unsigned i = 0; i < nfrags; i++)
		CHECK(dc_node_of(&dc, frags[i].base) == frags[i].nid &&
		      dc_node_of(&dc, frags[i].base + frags[i].size - 1) ==
			      frags[i].nid,
		      "dc_node_of disagrees with fragment %u", i);
}
