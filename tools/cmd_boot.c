// SPDX-License-Identifier: BSD-3-Clause
/*
 * cmd_boot.c - `discontig boot`: simulate a NUMA kernel boot on a topology
 * and a backend, and report per node (DESIGN.md, "Tools"; boot.c has the
 * sequence). With no subcommand, `discontig` runs this on the live machine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/boot.h"
#include "tools/cmds.h"
#include "tools/source.h"
#include "tools/util.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: discontig boot [SOURCE] [--backend tree|bitmap|array]\n"
		"                      [--svg FILE] [--trace FILE] [--json]\n"
		"                      [--initrd SIZE] [--crashkernel SIZE] [--no-bind]\n\n"
		"Simulate a Linux-like NUMA boot: early reservations, finalize, per-node\n"
		"node data, struct page arrays, per-cpu areas and page tables, system\n"
		"hashes, a DMA bounce buffer below 4 GiB, then the hand-over to a\n"
		"simulated buddy allocator. Exit 1 if a check fails.\n\n");
	dc_source_usage(f);
	fprintf(f,
		"  --backend NAME    tree (default), bitmap or array\n"
		"  --svg FILE        write the memory map as SVG\n"
		"  --trace FILE      record every API call (docs/trace.md)\n"
		"  --initrd SIZE     initrd size (default 64M; 0 for none)\n"
		"  --crashkernel SIZE  reserve a crash kernel area\n"
		"  --no-bind         do not bind simulated nodes to host NUMA nodes\n"
		"  --json            machine-readable report\n");
}

static const char *order_name(unsigned shift, unsigned order, char *buf)
{
	return dc_human((uint64_t)1 << (shift + order), buf);
}

static void json_stats(struct dc_json *j, const struct dc_stats *s)
{
	dc_json_u64(j, "memory", s->memory);
	dc_json_u64(j, "used", s->used);
	dc_json_u64(j, "metadata", s->metadata);
	dc_json_u64(j, "free", s->free);
	dc_json_u64(j, "released", s->released);
	dc_json_u64(j, "fragments", s->fragments);
	dc_json_u64(j, "free_extents", s->free_extents);
	dc_json_u64(j, "allocs", s->allocs);
	dc_json_u64(j, "steals", s->steals);
	dc_json_u64(j, "remote_steals", s->remote_steals);
	dc_json_u64(j, "page_handoffs", s->page_handoffs);
}

static bool all_local(const struct boot *b, bool memmap)
{
	for (unsigned i = 0; i < b->nnodes; i++)
		if (memmap ? (b->nodes[i].memmap && !b->nodes[i].memmap_local) :
			     !b->nodes[i].metadata_local)
			return false;
	return true;
}

static void report_json(const struct boot *b, const char *source)
{
	struct dc_json j;

	dc_json_init(&j, stdout);
	dc_json_obj(&j, NULL);
	dc_json_str(&j, "backend", b->sys->ops->name);
	dc_json_str(&j, "layout", b->layout->name);
	dc_json_str(&j, "source", source);
	dc_json_u64(&j, "page_size", 1ull << b->layout->page_shift);
	dc_json_arr(&j, "nodes");
	for (unsigned i = 0; i < b->nnodes; i++) {
		const struct boot_node *n = &b->nodes[i];

		dc_json_obj(&j, NULL);
		dc_json_i64(&j, "nid", n->nid);
		json_stats(&j, &n->st);
		dc_json_bool(&j, "metadata_local", n->metadata_local);
		dc_json_u64(&j, "memmap", n->memmap);
		dc_json_u64(&j, "memmap_size", n->memmap_size);
		dc_json_bool(&j, "memmap_local", n->memmap_local);
		dc_json_arr(&j, "buddy");
		for (unsigned o = 0; o < BOOT_ORDERS; o++)
			dc_json_u64(&j, NULL, n->buddy[o]);
		dc_json_end(&j, ']');
		dc_json_end(&j, '}');
	}
	dc_json_end(&j, ']');
	dc_json_obj(&j, "total");
	json_stats(&j, &b->total);
	dc_json_bool(&j, "metadata_local", all_local(b, false));
	dc_json_end(&j, '}');
	dc_json_obj(&j, "phases");
	dc_json_u64(&j, "setup_ns", b->setup_ns);
	dc_json_u64(&j, "alloc_ns", b->alloc_ns);
	dc_json_u64(&j, "release_ns", b->release_ns);
	dc_json_end(&j, '}');
	dc_json_obj(&j, "checks");
	dc_json_i64(&j, "dc_check", b->check);
	dc_json_bool(&j, "accounting", b->accounting_ok);
	dc_json_bool(&j, "released_disjoint", b->released_disjoint);
	dc_json_bool(&j, "memmap_local", all_local(b, true));
	dc_json_str(&j, "metadata_placement", b->placement);
	dc_json_end(&j, '}');
	dc_json_u64(&j, "requests", b->allocs + b->failed_allocs);
	dc_json_u64(&j, "failed_requests", b->failed_allocs);
	dc_json_arr(&j, "failures");
	for (unsigned i = 0; i < b->nfail; i++) {
		dc_json_obj(&j, NULL);
		dc_json_str(&j, "what", b->fail[i].what);
		dc_json_i64(&j, "nid", b->fail[i].nid);
		dc_json_u64(&j, "size", b->fail[i].size);
		dc_json_str(&j, "error", dc_strerror(b->fail[i].err));
		dc_json_end(&j, '}');
	}
	dc_json_end(&j, ']');
	dc_json_u64(&j, "metadata_released", b->metadata_released);
	dc_json_u64(&j, "pool_bytes", b->pool_bytes);
	dc_json_u64(&j, "system_bytes", sizeof(struct dc_system));
	dc_json_i64(&j, "peak_rss_kib", b->peak_rss_kib);
	dc_json_end(&j, '}');
	dc_json_done(&j);
}

static void row(const char *label, const struct dc_stats *s, const char *ok)
{
	char m[32], u[32], md[32], f[32], r[32];

	printf("%-6s %10s %10s %10s %10s %10s %6llu %7llu %7llu %6llu  %s\n",
	       label, dc_human(s->memory, m), dc_human(s->used, u),
	       dc_human(s->metadata, md), dc_human(s->free, f),
	       dc_human(s->released, r), (unsigned long long)s->fragments,
	       (unsigned long long)s->free_extents,
	       (unsigned long long)s->allocs, (unsigned long long)s->steals, ok);
}

static const char *yes(bool b)
{
	return b ? "yes" : "NO";
}

static void report_text(const struct boot *b, const char *source)
{
	unsigned shift = b->layout->page_shift;
	char buf[32], lbl[16];
	dc_size_t orders[BOOT_ORDERS] = { 0 };

	printf("discontig boot: %s, layout %s, backend %s, %s pages\n\n", source,
	       b->layout->name, b->sys->ops->name,
	       dc_human(1ull << shift, buf));
	printf("%-6s %10s %10s %10s %10s %10s %6s %7s %7s %6s  %s\n", "node",
	       "memory", "used", "metadata", "free", "released", "frags",
	       "extents", "allocs", "steals", "meta local");
	for (unsigned i = 0; i < b->nnodes; i++) {
		snprintf(lbl, sizeof(lbl), "%d", b->nodes[i].nid);
		row(lbl, &b->nodes[i].st, yes(b->nodes[i].metadata_local));
		for (unsigned o = 0; o < BOOT_ORDERS; o++)
			orders[o] += b->nodes[i].buddy[o];
	}
	row("total", &b->total, yes(all_local(b, false)));
	printf("\nbuddy allocator received (blocks per size, all nodes):\n ");
	for (unsigned o = 0, first = 1; o < BOOT_ORDERS; o++)
		if (orders[o]) {
			printf("%s %llu x %s", first ? "" : ",",
			       (unsigned long long)orders[o],
			       order_name(shift, o, buf));
			first = 0;
		}
	printf("\n  metadata released afterwards: %s\n",
	       dc_human(b->metadata_released, buf));
	printf("  2.4 per-page hand-off would make %llu order-0 frees\n",
	       (unsigned long long)b->total.page_handoffs +
	       (b->metadata_released >> shift));
	printf("\nphases: setup %.3f ms, allocations %.3f ms (%llu requests, "
	       "%llu failed), release %.3f ms\n", b->setup_ns / 1e6,
	       b->alloc_ns / 1e6,
	       (unsigned long long)(b->allocs + b->failed_allocs),
	       (unsigned long long)b->failed_allocs, b->release_ns / 1e6);
	for (unsigned i = 0; i < b->nfail; i++)
		printf("  failed: %s (node %d, %s): %s\n", b->fail[i].what,
		       b->fail[i].nid, dc_human(b->fail[i].size, buf),
		       dc_strerror(b->fail[i].err));
	printf("checks: dc_check %s, memory = used + metadata + free + released "
	       "%s, released blocks disjoint from used %s,\n"
	       "        struct page arrays on their node %s, metadata on its "
	       "node %s (verified by %s)\n",
	       b->check ? "FAILED" : "clean", yes(b->accounting_ok),
	       yes(b->released_disjoint), yes(all_local(b, true)),
	       yes(all_local(b, false)), b->placement);
	printf("sizeof(struct dc_system) %zu bytes; initial pool %s; peak RSS %s\n",
	       sizeof(struct dc_system), dc_human(b->pool_bytes, buf),
	       dc_human((uint64_t)b->peak_rss_kib * 1024, lbl));
}

int dc_cmd_boot(int argc, char **argv)
{
	struct dc_source src;
	struct dc_topology topo;
	struct dc_layout layout;
	struct boot_opts o = { .initrd = 64ull << 20, .bind = true };
	const char *svg = NULL, *backend = "tree";
	bool json = false;
	struct boot b;
	int r;

	dc_source_init(&src);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (dc_source_option(&src, argc, argv, &i))
			continue;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return DC_EXIT_OK;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--no-bind")) {
			o.bind = false;
		} else if (i + 1 < argc && !strcmp(a, "--backend")) {
			backend = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--svg")) {
			svg = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--trace")) {
			o.trace = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--initrd")) {
			if (!dc_parse_size(argv[++i], &o.initrd))
				dc_die("--initrd", "'%s' is not a size", argv[i]);
		} else if (i + 1 < argc && !strcmp(a, "--crashkernel")) {
			if (!dc_parse_size(argv[++i], &o.crashkernel))
				dc_die("--crashkernel", "'%s' is not a size",
				       argv[i]);
		} else if (a[0] == '-') {
			dc_die(a, "unknown option or missing value (see discontig boot --help)");
		} else {
			dc_die(a, "unexpected argument (see discontig boot --help)");
		}
	}
	o.ops = dc_backend_find(backend);
	if (!o.ops)
		dc_die(backend, "no such backend compiled in (tree, bitmap, array)");
	o.want_ranges = svg != NULL;
	dc_source_load(&src, &topo, &layout);
	r = dc_boot_run(&b, &topo, &layout, &o);
	if (r && o.trace && !b.sys)
		dc_die(o.trace, "cannot write the trace");
	if (r)
		dc_die(dc_source_input(&src), "the boot could not proceed: %s",
		       dc_strerror(r));
	if (svg && dc_boot_svg(&b, svg))
		dc_die(svg, "cannot write the SVG");
	if (json)
		report_json(&b, topo.source);
	else
		report_text(&b, topo.source);
	r = b.check || !b.accounting_ok || !b.released_disjoint ||
	    !all_local(&b, true) || !all_local(&b, false) ? DC_EXIT_CHECK :
							   DC_EXIT_OK;
	dc_boot_free(&b);
	dc_layout_free(&layout);
	dc_topo_free(&topo);
	return r;
}
