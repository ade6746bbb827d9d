// SPDX-License-Identifier: BSD-3-Clause
/*
 * cmd_topo.c - `discontig topo`: show a topology laid out in physical
 * memory (DESIGN.md, "Tools").
 *
 * Text: the node table (like `numactl -H`: node, OS index, memory, cpus as
 * compact ranges), the distance matrix, the physical map by address
 * (fragments, the holes between them, firmware reservations inside them,
 * as inclusive [base-last] ranges like Linux prints them), then the notes:
 * what the model dropped or widened, and where the distances came from.
 *
 * JSON: source, layout, page_size, nodes [{nid, os_index, memory, cpus}],
 * distances (matrix in nodes order), fragments [{nid, base, size}] in
 * (nid, base) order, reserved [{base, size}] by base, notes [strings],
 * node_count, host {numa_nodes, nodes_with_memory, cpu_only_nodes, bind,
 * not_verified (when boot could not verify placement), binding [{nid,
 * host_node}]}.
 * cpus is the list of OS cpu numbers whose home node this is (see
 * dc_topo_load()); an empty list is a memory-only node. nid and os_index
 * are equal: node ids are OS node numbers.
 */
#include <stdlib.h>
#include <string.h>

#include "tools/cli.h"
#include "tools/cmds.h"
#include "tools/map_svg.h"
#include "tools/sim/platform.h"
#include "tools/source.h"
#include "tools/util.h"

void dc_usage_topo(FILE *f)
{
	fprintf(f, "usage: discontig topo [--xml FILE | --synthetic DESC | "
		"--fsroot DIR]\n"
		"                     [--layout host|flat|sn1|wildfire] "
		"[--strict] [--gap SIZE]\n"
		"                     [--json] [--svg FILE] [--help]\n\n"
		"Show the NUMA nodes, distances and the physical memory map "
		"a layout model\ngives them, and the host NUMA nodes that "
		"`discontig boot` would bind\nthem to.\n\n");
	dc_source_usage(f);
	fprintf(f, "output:\n"
		"  --json            machine-readable output\n"
		"  --svg FILE        the physical map as a picture (- for stdout,\n"
		"                    then no report)\n"
		"  --help            this text\n");
}

/* "0-7,16-23" into buf (grows as needed); "" for none. */
static char *cpu_ranges(const unsigned *cpus, unsigned n)
{
	size_t cap = 16 + (size_t)n * 24, len = 0;
	char *buf = malloc(cap);
	unsigned i = 0, j;

	if (!buf)
		dc_die("topo", "out of memory");
	buf[0] = '\0';
	while (i < n) {
		for (j = i; j + 1 < n && cpus[j + 1] == cpus[j] + 1; j++)
			;
		len += (size_t)snprintf(buf + len, cap - len, "%s%u", len ?
					"," : "", cpus[i]);
		if (j > i)
			len += (size_t)snprintf(buf + len, cap - len, "-%u",
						cpus[j]);
		i = j + 1;
	}
	return buf;
}

static void print_nodes(const struct dc_topology *t)
{
	char h[32];
	unsigned i;

	printf("%4s  %8s  %12s  %s\n", "node", "os_index", "memory", "cpus");
	for (i = 0; i < t->nnodes; i++) {
		const struct dc_topo_node *n = &t->nodes[i];
		char *cpus = cpu_ranges(n->cpus, n->ncpus);

		printf("%4d  %8d  %12s  %s\n", n->nid, n->nid,
		       dc_human(n->memory, h),
		       n->ncpus ? cpus : "(none: memory only)");
		free(cpus);
	}
}

static void print_distances(const struct dc_topology *t)
{
	unsigned n = t->nnodes, i, j;

	printf("\ndistances (%s):\n%4s", t->has_distances ? "from hwloc" :
	       "defaults", "node");
	for (j = 0; j < n; j++)
		printf(" %4d", t->nodes[j].nid);
	printf("\n");
	for (i = 0; i < n; i++) {
		printf("%4d:", t->nodes[i].nid);
		for (j = 0; j < n; j++)
			printf(" %4u", t->distance[i * n + j]);
		printf("\n");
	}
}

static int cmp_base(const void *a, const void *b)
{
	const struct dc_fragment *x = a, *y = b;

	return (x->base > y->base) - (x->base < y->base);
}

/* Hex digits for the largest last byte, at least 8. */
static int addr_width(const struct dc_fragment *f, size_t n)
{
	uint64_t top = 0;
	int w = 8;
	size_t i;

	for (i = 0; i < n; i++)
		if (f[i].base + (f[i].size - 1) > top)
			top = f[i].base + (f[i].size - 1);
	while (w < 16 && (top >> (4 * w)))
		w++;
	return w;
}

static void print_range(int w, uint64_t base, uint64_t size)
{
	char h[32];

	printf("[0x%0*llx-0x%0*llx] %11s", w, (unsigned long long)base, w,
	       (unsigned long long)(base + (size - 1)), dc_human(size, h));
}

static void print_map(const struct dc_layout *l)
{
	struct dc_fragment *f;
	size_t i, r = 0;
	int w;

	f = malloc((l->nfrags ? l->nfrags : 1) * sizeof(*f));
	if (!f)
		dc_die("topo", "out of memory");
	if (l->nfrags) {
		memcpy(f, l->frags, l->nfrags * sizeof(*f));
		qsort(f, l->nfrags, sizeof(*f), cmp_base);
	}
	w = addr_width(f, l->nfrags);
	printf("\nphysical map (%zu fragments, %zu reserved):\n", l->nfrags,
	       l->nreserved);
	for (i = 0; i < l->nfrags; i++) {
		uint64_t last = f[i].base + (f[i].size - 1);

		if (i && f[i].base > f[i - 1].base + f[i - 1].size) {
			uint64_t hb = f[i - 1].base + f[i - 1].size;

			printf("  ");
			print_range(w, hb, f[i].base - hb);
			printf("  hole\n");
		}
		printf("  ");
		print_range(w, f[i].base, f[i].size);
		printf("  node %d\n", f[i].nid);
		for (; r < l->nreserved && l->reserved[r].base <= last; r++) {
			printf("    ");
			print_range(w, l->reserved[r].base,
				    l->reserved[r].size);
			printf("  reserved (firmware)\n");
		}
	}
	free(f);
}

/*
 * The host's NUMA nodes and where `discontig boot` would bind each
 * simulated node's memory (tools/sim/platform.h): what a test on a NUMA
 * guest compares with the boot's placement report.
 */
/* As boot does: the nodes with memory take turns on the host's. */
static void host_sim_nodes(struct dc_host_mem *m, const struct dc_topology *t)
{
	for (unsigned i = 0; i < t->nnodes; i++)
		if (t->nodes[i].memory)
			dc_host_mem_sim_node(m, t->nodes[i].nid);
}

static void print_host_text(const struct dc_topology *t)
{
	struct dc_host_mem m;
	const char *why;

	dc_host_mem_init(&m, true);
	host_sim_nodes(&m, t);
	why = dc_host_mem_unverifiable(&m);
	printf("\nhost: %d NUMA node%s, %d with memory, %d CPU-only; ",
	       m.host_nodes, m.host_nodes == 1 ? "" : "s", m.nmem,
	       m.cpu_only_nodes);
	if (why) {
		printf("no binding (%s)\n", why);
	} else {
		printf("boot binds");
		for (unsigned i = 0; i < t->nnodes; i++)
			printf("%s node %d -> host %d", i ? "," : "",
			       t->nodes[i].nid, dc_host_node_for(&m, t->nodes[i].nid));
		printf("\n");
	}
	dc_host_mem_destroy(&m);
}

static void print_host_json(struct dc_json *j, const struct dc_topology *t)
{
	struct dc_host_mem m;
	const char *why;

	dc_host_mem_init(&m, true);
	host_sim_nodes(&m, t);
	why = dc_host_mem_unverifiable(&m);
	dc_json_obj(j, "host");
	dc_json_i64(j, "numa_nodes", m.host_nodes);
	dc_json_arr(j, "nodes_with_memory");
	for (int i = 0; i < m.nmem; i++)
		dc_json_i64(j, NULL, m.mem_nodes[i]);
	dc_json_end(j, ']');
	dc_json_i64(j, "cpu_only_nodes", m.cpu_only_nodes);
	dc_json_bool(j, "bind", m.bind);
	if (why)
		dc_json_str(j, "not_verified", why);
	dc_json_arr(j, "binding");
	for (unsigned i = 0; i < t->nnodes && m.bind; i++) {
		dc_json_obj(j, NULL);
		dc_json_i64(j, "nid", t->nodes[i].nid);
		dc_json_i64(j, "host_node", dc_host_node_for(&m, t->nodes[i].nid));
		dc_json_end(j, '}');
	}
	dc_json_end(j, ']');
	dc_json_end(j, '}');
	dc_host_mem_destroy(&m);
}

static void print_text(const struct dc_topology *t, const struct dc_layout *l)
{
	char h1[32], h2[32];
	size_t i;

	printf("source: %s\n", t->source);
	printf("layout: %s, page size %s, %u node%s, %s in %zu fragment%s\n\n",
	       l->name, dc_human((uint64_t)1 << l->page_shift, h1), t->nnodes,
	       t->nnodes == 1 ? "" : "s",
	       dc_human(dc_layout_memory(l, DC_NO_NODE), h2), l->nfrags,
	       l->nfrags == 1 ? "" : "s");
	print_nodes(t);
	print_distances(t);
	print_map(l);
	print_host_text(t);
	if (!l->nnotes && !t->distance_note[0])
		return;
	printf("\nnotes:\n");
	if (t->distance_note[0])
		printf("  - %s\n", t->distance_note);
	for (i = 0; i < l->nnotes; i++)
		printf("  - %s\n", l->notes[i]);
}

static void print_json(const struct dc_topology *t, const struct dc_layout *l)
{
	struct dc_json j;
	unsigned i, k;
	size_t f;

	dc_json_init(&j, stdout);
	dc_json_obj(&j, NULL);
	dc_json_str(&j, "source", t->source);
	dc_json_str(&j, "layout", l->name);
	dc_json_u64(&j, "page_size", (uint64_t)1 << l->page_shift);
	dc_json_arr(&j, "nodes");
	for (i = 0; i < t->nnodes; i++) {
		dc_json_obj(&j, NULL);
		dc_json_i64(&j, "nid", t->nodes[i].nid);
		dc_json_i64(&j, "os_index", t->nodes[i].nid);
		dc_json_u64(&j, "memory", t->nodes[i].memory);
		dc_json_arr(&j, "cpus");
		for (k = 0; k < t->nodes[i].ncpus; k++)
			dc_json_u64(&j, NULL, t->nodes[i].cpus[k]);
		dc_json_end(&j, ']');
		dc_json_end(&j, '}');
	}
	dc_json_end(&j, ']');
	dc_json_arr(&j, "distances");
	for (i = 0; i < t->nnodes; i++) {
		dc_json_arr(&j, NULL);
		for (k = 0; k < t->nnodes; k++)
			dc_json_u64(&j, NULL, t->distance[i * t->nnodes + k]);
		dc_json_end(&j, ']');
	}
	dc_json_end(&j, ']');
	dc_json_arr(&j, "fragments");
	for (f = 0; f < l->nfrags; f++) {
		dc_json_obj(&j, NULL);
		dc_json_i64(&j, "nid", l->frags[f].nid);
		dc_json_u64(&j, "base", l->frags[f].base);
		dc_json_u64(&j, "size", l->frags[f].size);
		dc_json_end(&j, '}');
	}
	dc_json_end(&j, ']');
	dc_json_arr(&j, "reserved");
	for (f = 0; f < l->nreserved; f++) {
		dc_json_obj(&j, NULL);
		dc_json_u64(&j, "base", l->reserved[f].base);
		dc_json_u64(&j, "size", l->reserved[f].size);
		dc_json_end(&j, '}');
	}
	dc_json_end(&j, ']');
	dc_json_arr(&j, "notes");
	if (t->distance_note[0])
		dc_json_str(&j, NULL, t->distance_note);
	for (f = 0; f < l->nnotes; f++)
		dc_json_str(&j, NULL, l->notes[f]);
	dc_json_end(&j, ']');
	dc_json_u64(&j, "node_count", t->nnodes);
	print_host_json(&j, t);
	dc_json_end(&j, '}');
	dc_json_done(&j);
}

enum { O_JSON, O_SVG, O_HELP };

static const struct dc_opt topo_opts[] = {
	{ "--json", false, O_JSON },
	{ "--svg", true, O_SVG },
	{ "--help", false, O_HELP },
	{ NULL, false, 0 },
};

int dc_cmd_topo(int argc, char **argv)
{
	static const struct dc_opt *const tables[] = { topo_opts,
						       dc_source_opts, NULL };
	const char *svg = NULL, *val;
	struct dc_source src;
	struct dc_topology t;
	struct dc_layout l;
	struct dc_args a;
	bool json = false;
	FILE *out = NULL;
	int id;

	dc_source_init(&src);
	dc_args_init(&a, "topo", argc, argv);
	while ((id = dc_args_next(&a, tables, &val)) != DC_ARG_END) {
		if (dc_source_take(&src, id, val))
			continue;
		switch (id) {
		case O_JSON:
			json = true;
			break;
		case O_SVG:
			svg = val;
			break;
		case O_HELP:
			dc_usage_topo(stdout);
			return DC_EXIT_OK;
		default:
			dc_die(val, "unexpected argument (see discontig help "
			       "topo)");
		}
	}
	if (svg && !strcmp(svg, "-") && json)
		dc_die("--svg", "- and --json both want stdout");
	dc_source_load(&src, &t, &l);
	if (svg) {
		out = dc_out_open(svg, "--svg");
		dc_topo_svg(&t, &l, out);
		dc_out_close_or_die(out, svg);
	}
	if (dc_stdout_claimed())
		;	/* stdout carries the picture */
	else if (json)
		print_json(&t, &l);
	else
		print_text(&t, &l);
	dc_layout_free(&l);
	dc_topo_free(&t);
	return DC_EXIT_OK;
}
