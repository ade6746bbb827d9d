// SPDX-License-Identifier: BSD-3-Clause
/*
 * cmd_boot.c - `discontig boot`: simulate a NUMA kernel boot on a topology
 * and a backend, and report per node (DESIGN.md, "Tools"; the boot model is
 * tools/sim/boot.c). With no subcommand, `discontig` runs this on the live
 * machine.
 *
 * Nothing is lost silently: the layout's notes (memory it dropped, slots
 * it widened) are in the text, the JSON (`notes`) and the picture; a
 * node the layout leaves out entirely is a warning line on stderr (exit 2
 * with --strict); a mandatory early allocation that fails, or a page the
 * host placed on the wrong node, is exit 1; placement that could not be
 * checked says "not verified" and why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/cli.h"
#include "tools/cmds.h"
#include "tools/map_svg.h"
#include "tools/sim/boot.h"
#include "tools/source.h"
#include "tools/util.h"

void dc_usage_boot(FILE *f)
{
	fprintf(f,
		"usage: discontig boot [SOURCE] [--backend tree|bitmap|array]\n"
		"                      [--svg FILE] [--trace FILE] [--json]\n"
		"                      [--initrd SIZE] [--crashkernel SIZE] [--no-bind]\n\n"
		"Simulate a Linux-like NUMA boot: early reservations, finalize, per-node\n"
		"node data, struct page arrays, per-cpu areas and page tables, system\n"
		"hashes, a DMA bounce buffer below 4 GiB, then the hand-over to a\n"
		"simulated buddy allocator. Exit 1 if a check fails or a mandatory\n"
		"allocation (kernel image, initrd, NODE_DATA, struct page array) fails.\n\n");
	dc_source_usage(f);
	fprintf(f,
		"  --backend NAME    tree (default), bitmap or array\n"
		"  --svg FILE        write the memory map as SVG (- for stdout)\n"
		"  --trace FILE      record every API call (docs/trace.md; - for stdout)\n"
		"  --initrd SIZE     initrd size (default 64M; 0 for none)\n"
		"  --crashkernel SIZE  reserve a crash kernel area\n"
		"  --no-bind         do not bind simulated nodes to host NUMA nodes\n"
		"  --json            machine-readable report\n"
		"With --svg - or --trace -, stdout carries that and no report.\n");
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

/* Pages checked and bad, over both checks of a node. */
static uint64_t checked(const struct boot_node *n)
{
	return n->meta_check.pages + n->memmap_check.pages;
}

static uint64_t bad_pages(const struct boot_node *n)
{
	return n->meta_check.wrong + n->meta_check.failed +
	       n->memmap_check.wrong + n->memmap_check.failed;
}

/* Host nodes holding the pages checked, over all nodes. */
static unsigned host_nodes_involved(const struct boot *b)
{
	struct dc_place_check all = { 0 };

	for (unsigned i = 0; i < b->nnodes; i++)
		for (size_t w = 0; w < sizeof(all.seen) / sizeof(all.seen[0]); w++)
			all.seen[w] |= b->nodes[i].meta_check.seen[w] |
				       b->nodes[i].memmap_check.seen[w];
	return dc_place_nodes(&all);
}

static uint64_t total_checked(const struct boot *b)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < b->nnodes; i++)
		n += checked(&b->nodes[i]);
	return n;
}

static void json_check(struct dc_json *j, const char *key,
		       const struct dc_place_check *c)
{
	dc_json_obj(j, key);
	dc_json_u64(j, "pages", c->pages);
	dc_json_u64(j, "wrong_node", c->wrong);
	dc_json_u64(j, "query_failed", c->failed);
	dc_json_u64(j, "host_nodes", dc_place_nodes(c));
	dc_json_end(j, '}');
}

static void json_node_placement(struct dc_json *j, const struct boot_node *n)
{
	dc_json_obj(j, "placement");
	dc_json_i64(j, "host_node", n->host_node);
	dc_json_bool(j, "verified", !n->unverified);
	if (n->unverified)
		dc_json_str(j, "not_verified", n->unverified);
	dc_json_u64(j, "metadata_bytes", n->metadata_bytes);
	dc_json_u64(j, "pages_checked", checked(n));
	dc_json_u64(j, "pages_bad", bad_pages(n));
	json_check(j, "metadata", &n->meta_check);
	json_check(j, "memmap", &n->memmap_check);
	dc_json_end(j, '}');
}

static void json_placement(struct dc_json *j, const struct boot *b)
{
	const struct dc_host_mem *m = &b->mem;

	dc_json_obj(j, "placement");
	dc_json_bool(j, "verified", !b->unverified);
	if (b->unverified)
		dc_json_str(j, "not_verified", b->unverified);
	dc_json_bool(j, "ok", b->placement_ok);
	dc_json_str(j, "method", b->unverified ? "none" : m->numa->name);
	dc_json_i64(j, "host_numa_nodes", m->host_nodes);
	dc_json_arr(j, "host_nodes_with_memory");
	for (int i = 0; i < m->nmem; i++)
		dc_json_i64(j, NULL, m->mem_nodes[i]);
	dc_json_end(j, ']');
	dc_json_i64(j, "host_cpu_only_nodes", m->cpu_only_nodes);
	dc_json_bool(j, "bind", m->bind);
	dc_json_u64(j, "pages_checked", total_checked(b));
	dc_json_u64(j, "host_nodes_involved", host_nodes_involved(b));
	dc_json_arr(j, "bind_failures");
	for (size_t i = 0; i < m->n; i++) {
		if (!m->r[i].bind_err)
			continue;
		dc_json_obj(j, NULL);
		dc_json_i64(j, "nid", m->r[i].nid);
		dc_json_u64(j, "base", m->r[i].base);
		dc_json_i64(j, "host_node", m->r[i].host_node);
		dc_json_str(j, "error", strerror(m->r[i].bind_err));
		dc_json_end(j, '}');
	}
	dc_json_end(j, ']');
	dc_json_end(j, '}');
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
	dc_json_u64(&j, "node_count", b->nnodes);
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
		dc_json_u64(&j, "cpus", n->cpus);
		dc_json_bool(&j, "memory_only", n->memory_only);
		json_node_placement(&j, n);
		dc_json_arr(&j, "buddy");
		for (unsigned o = 0; o < BOOT_ORDERS; o++)
			dc_json_u64(&j, NULL, n->buddy[o]);
		dc_json_end(&j, ']');
		dc_json_end(&j, '}');
	}
	dc_json_end(&j, ']');
	dc_json_arr(&j, "nodes_without_memory");
	for (unsigned i = 0; i < b->nabsent; i++) {
		dc_json_obj(&j, NULL);
		dc_json_i64(&j, "nid", b->absent[i].nid);
		dc_json_u64(&j, "cpus", b->absent[i].cpus);
		dc_json_u64(&j, "topology_memory", b->absent[i].topo_memory);
		dc_json_str(&j, "why", b->absent[i].topo_memory ?
			    "dropped by the layout" : "CPU only");
		dc_json_end(&j, '}');
	}
	dc_json_end(&j, ']');
	dc_json_arr(&j, "notes");
	if (b->topo->distance_note[0])
		dc_json_str(&j, NULL, b->topo->distance_note);
	for (size_t i = 0; i < b->layout->nnotes; i++)
		dc_json_str(&j, NULL, b->layout->notes[i]);
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
	dc_json_bool(&j, "mandatory_allocations", !b->mandatory_failed);
	dc_json_bool(&j, "host_placement", b->placement_ok);
	dc_json_end(&j, '}');
	json_placement(&j, b);
	dc_json_u64(&j, "requests", b->allocs + b->failed_allocs);
	dc_json_u64(&j, "failed_requests", b->failed_allocs);
	dc_json_u64(&j, "failed_mandatory", b->mandatory_failed);
	dc_json_arr(&j, "failures");
	for (unsigned i = 0; i < b->nfail; i++) {
		dc_json_obj(&j, NULL);
		dc_json_str(&j, "what", b->fail[i].what);
		dc_json_i64(&j, "nid", b->fail[i].nid);
		dc_json_u64(&j, "size", b->fail[i].size);
		dc_json_str(&j, "error", dc_strerror(b->fail[i].err));
		dc_json_bool(&j, "mandatory", b->fail[i].mandatory);
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

/* "host placement: ..." of the checks. */
static void text_placement(const struct boot *b)
{
	const struct dc_host_mem *m = &b->mem;
	uint64_t meta = 0, memmap = 0, bad = 0;

	for (size_t i = 0; i < m->n; i++)
		if (m->r[i].bind_err)
			printf("  mbind of node %d's memory at %#llx to host "
			       "node %d failed: %s\n", m->r[i].nid,
			       (unsigned long long)m->r[i].base,
			       m->r[i].host_node, strerror(m->r[i].bind_err));
	if (b->unverified) {
		printf("        host placement not verified: %s\n",
		       b->unverified);
		return;
	}
	for (unsigned i = 0; i < b->nnodes; i++) {
		meta += b->nodes[i].meta_check.pages;
		memmap += b->nodes[i].memmap_check.pages;
		bad += bad_pages(&b->nodes[i]);
	}
	printf("        host placement (%s): %llu pages checked (metadata "
	       "%llu, struct page arrays %llu) on %u host nodes: %s\n",
	       m->numa->name, (unsigned long long)(meta + memmap),
	       (unsigned long long)meta, (unsigned long long)memmap,
	       host_nodes_involved(b), !bad && !m->bind_failures ?
	       "all on their bound node" : "FAILED");
	for (unsigned i = 0; i < b->nnodes; i++) {
		const struct boot_node *n = &b->nodes[i];
		const struct dc_place_check *c = n->meta_check.wrong +
			n->meta_check.failed ? &n->meta_check : &n->memmap_check;

		if (n->unverified)
			printf("          node %d not verified: %s\n", n->nid,
			       n->unverified);
		else if (bad_pages(n) && c->first_got >= 0)
			printf("          node %d: %llu pages on another host "
			       "node, %llu queries failed; first %#llx on host "
			       "node %d, bound to %d\n", n->nid,
			       (unsigned long long)(n->meta_check.wrong +
						    n->memmap_check.wrong),
			       (unsigned long long)(n->meta_check.failed +
						    n->memmap_check.failed),
			       (unsigned long long)c->first_bad, c->first_got,
			       c->first_want);
		else if (bad_pages(n))
			printf("          node %d: %llu queries failed (first "
			       "at %#llx: %s)\n", n->nid,
			       (unsigned long long)(n->meta_check.failed +
						    n->memmap_check.failed),
			       (unsigned long long)c->first_bad,
			       strerror(-c->first_got));
	}
}

static void report_text(const struct boot *b, const char *source)
{
	unsigned shift = b->layout->page_shift;
	char buf[32], lbl[16];
	dc_size_t orders[BOOT_ORDERS] = { 0 };

	printf("discontig boot: %s, layout %s, backend %s, %s pages\n", source,
	       b->layout->name, b->sys->ops->name,
	       dc_human(1ull << shift, buf));
	if (b->topo->distance_note[0])
		printf("  note: %s\n", b->topo->distance_note);
	for (size_t i = 0; i < b->layout->nnotes; i++)
		printf("  note: %s\n", b->layout->notes[i]);
	for (unsigned i = 0; i < b->nabsent; i++)
		printf("  node %d: %s\n", b->absent[i].nid,
		       b->absent[i].topo_memory ? "DROPPED by the layout, "
		       "not booted" : "CPU only (no memory)");
	printf("\n%-6s %10s %10s %10s %10s %10s %6s %7s %7s %6s  %s\n", "node",
	       "memory", "used", "metadata", "free", "released", "frags",
	       "extents", "allocs", "steals", "meta local");
	for (unsigned i = 0; i < b->nnodes; i++) {
		snprintf(lbl, sizeof(lbl), "%d%s", b->nodes[i].nid,
			 b->nodes[i].memory_only ? "*" : "");
		row(lbl, &b->nodes[i].st, yes(b->nodes[i].metadata_local));
		for (unsigned o = 0; o < BOOT_ORDERS; o++)
			orders[o] += b->nodes[i].buddy[o];
	}
	row("total", &b->total, yes(all_local(b, false)));
	for (unsigned i = 0; i < b->nnodes; i++)
		if (b->nodes[i].memory_only) {
			printf("(* memory only: no cpu calls this node home)\n");
			break;
		}
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
		printf("  %s: %s (node %d, %s): %s\n", b->fail[i].mandatory ?
		       "FAILED, mandatory" : "failed", b->fail[i].what,
		       b->fail[i].nid, dc_human(b->fail[i].size, buf),
		       dc_strerror(b->fail[i].err));
	printf("checks: dc_check %s, memory = used + metadata + free + released "
	       "%s, released blocks disjoint from used %s,\n"
	       "        mandatory allocations %s, struct page arrays on their "
	       "node %s, metadata on its node (address map) %s\n",
	       b->check ? "FAILED" : "clean", yes(b->accounting_ok),
	       yes(b->released_disjoint), yes(!b->mandatory_failed),
	       yes(all_local(b, true)), yes(all_local(b, false)));
	text_placement(b);
	printf("sizeof(struct dc_system) %zu bytes; initial pool %s; peak RSS %s\n",
	       sizeof(struct dc_system), dc_human(b->pool_bytes, buf),
	       dc_human((uint64_t)b->peak_rss_kib * 1024, lbl));
}

/* Nodes the layout left out entirely: a warning each, exit 2 if strict. */
static void warn_dropped(const struct dc_topology *t,
			 const struct dc_layout *l, const char *input,
			 bool strict)
{
	char h[32];

	for (unsigned i = 0; i < t->nnodes; i++) {
		const struct dc_topo_node *n = &t->nodes[i];

		if (!n->memory || dc_layout_memory(l, n->nid))
			continue;
		if (strict)
			dc_die(input, "node %d (%s) has no memory in layout %s: "
			       "it would be dropped (--strict)", n->nid,
			       dc_human(n->memory, h), l->name);
		dc_warn("%s: node %d (%s) has no memory in layout %s: dropped",
			input, n->nid, dc_human(n->memory, h), l->name);
	}
}

enum { O_BACKEND, O_SVG, O_TRACE, O_INITRD, O_CRASH, O_NOBIND, O_JSON,
       O_HELP };

static const struct dc_opt boot_opts[] = {
	{ "--backend", true, O_BACKEND },
	{ "--svg", true, O_SVG },
	{ "--trace", true, O_TRACE },
	{ "--initrd", true, O_INITRD },
	{ "--crashkernel", true, O_CRASH },
	{ "--no-bind", false, O_NOBIND },
	{ "--json", false, O_JSON },
	{ "--help", false, O_HELP },
	{ NULL, false, 0 },
};

int dc_cmd_boot(int argc, char **argv)
{
	static const struct dc_opt *const tables[] = { boot_opts,
						       dc_source_opts, NULL };
	struct boot_opts o = { .initrd = 64ull << 20, .bind = true,
			       .memmap_sample = 64 };
	const char *svg = NULL, *backend = "tree", *val;
	struct dc_source src;
	struct dc_topology topo;
	struct dc_layout layout;
	struct dc_args a;
	bool json = false;
	struct boot b;
	FILE *out;
	int r, id;

	dc_source_init(&src);
	dc_args_init(&a, "boot", argc, argv);
	while ((id = dc_args_next(&a, tables, &val)) != DC_ARG_END) {
		if (dc_source_take(&src, id, val))
			continue;
		switch (id) {
		case O_HELP:
			dc_usage_boot(stdout);
			return DC_EXIT_OK;
		case O_JSON:
			json = true;
			break;
		case O_NOBIND:
			o.bind = false;
			break;
		case O_BACKEND:
			backend = val;
			break;
		case O_SVG:
			svg = val;
			break;
		case O_TRACE:
			o.trace = val;
			break;
		case O_INITRD:
			if (!dc_parse_size(val, &o.initrd))
				dc_die("--initrd", "'%s' is not a size", val);
			break;
		case O_CRASH:
			if (!dc_parse_size(val, &o.crashkernel))
				dc_die("--crashkernel", "'%s' is not a size",
				       val);
			break;
		default:
			dc_die(val, "unexpected argument (see discontig help "
			       "boot)");
		}
	}
	o.ops = dc_backend_find(backend);
	if (!o.ops)
		dc_die("--backend", "no backend '%s' compiled in (tree, "
		       "bitmap, array)", backend);
	if (svg && !strcmp(svg, "-"))
		dc_stdout_claim("--svg");
	if (o.trace && !strcmp(o.trace, "-"))
		dc_stdout_claim("--trace");
	if (json && dc_stdout_claimed())
		dc_die(dc_stdout_claimed(), "- and --json both want stdout");
	o.want_ranges = svg != NULL;
	dc_source_load(&src, &topo, &layout);
	warn_dropped(&topo, &layout, dc_source_input(&src), src.opts.strict);
	out = svg ? dc_out_open(svg, NULL) : NULL;
	r = dc_boot_run(&b, &topo, &layout, &o);
	if (r)
		dc_die(dc_source_input(&src), "the boot could not proceed: %s",
		       b.err[0] ? b.err : dc_strerror(r));
	if (out) {
		dc_boot_svg(&b, out);
		dc_out_close_or_die(out, svg);
	}
	if (dc_stdout_claimed())
		;	/* stdout carries the picture or the trace */
	else if (json)
		report_json(&b, topo.source);
	else
		report_text(&b, topo.source);
	r = dc_boot_ok(&b) ? DC_EXIT_OK : DC_EXIT_CHECK;
	dc_boot_free(&b);
	dc_layout_free(&layout);
	dc_topo_free(&topo);
	return r;
}
