// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_topology.c - CUnit suite for topology/: the hwloc loader, the four
 * layout models of LAYOUTS.md, the pool estimate and dc_layout_apply().
 *
 * Three kinds of check:
 *  - load: every topology in shared/data/hwloc (XML files, and the sysfs
 *    snapshots extracted into a temporary directory) loads, and its node
 *    ids, memory per node and distance matrix equal what a separate
 *    minimal hwloc reader in this file finds (ref_read(): selects the
 *    matrix by name "NUMALatency", then by latency kind, a different path
 *    from the loader's ranking);
 *  - layout: hand-made topologies laid out by each model, compared with
 *    values worked out by hand from the rules of LAYOUTS.md, with a
 *    picture and an "Expect:" line per case;
 *  - apply: each layout (and every shared topology under every model that
 *    fits it) applied to a struct dc_system on every compiled-in backend,
 *    with a pool of exactly dc_layout_pool_bytes(): dc_check() == 0 and
 *    dc_stats() memory equal to the sum of the fragments, per node and in
 *    total.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <discontig/backend.h>
#include <discontig/discontig.h>
#include <discontig/topology.h>

#include <CUnit/Basic.h>
#include <hwloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef DC_SHARED_DIR
#define DC_SHARED_DIR "/work/shared"
#endif

#define KiB ((uint64_t)1 << 10)
#define MiB ((uint64_t)1 << 20)
#define GiB ((uint64_t)1 << 30)

static char tmpdir[256];	/* extracted snapshots, fake sysfs, bad XML */

static const char *const shared_xml[] = {
	"128ia64-17n4s2c.xml",
	"16amd64-4distances.xml",
	"192em64t-24n8c2t.xml",
	"256ppc-8n8s4t.xml",
	"28intel64-2p2g7c-CoDgroups.v1tov2.xml",
	"32em64t-2n8c2t-pci-noio.xml",
	"64amd64-4s2n4ca2co.xml",
	"8amd64-4n2c.xml",
	"8em64t-2p2ca2co-nonodesets.v1tov2.xml",
	"8intel64-fakeKNL-A2A-hybrid.rootattachednumas.xml",
	"96em64t-4n4d3ca2co-pci.xml",
	"memorysidecaches.xml",
};
#define NR_XML (sizeof(shared_xml) / sizeof(shared_xml[0]))

static const char *const shared_tar[] = {
	"128ia64-17n4s2c", "256ppc-8n8s4t", "64amd64-4s2n4ca2co", "8amd64-4n2c",
};
#define NR_TAR (sizeof(shared_tar) / sizeof(shared_tar[0]))

/* ---------------------------------------------------------------- helpers */

static void xml_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/data/hwloc/%s", DC_SHARED_DIR, name);
}

/* A topology made by hand: nodes nids[i] with mem[i] bytes, no cpus,
 * default distances, marked live (for the host model). */
static void mk_topo(struct dc_topology *t, const int *nids,
		    const uint64_t *mem, unsigned n)
{
	unsigned i, j;

	memset(t, 0, sizeof(*t));
	snprintf(t->source, sizeof(t->source), "test");
	t->live = true;
	t->nnodes = n;
	t->nodes = calloc(n, sizeof(*t->nodes));
	t->distance = calloc((size_t)n * n, sizeof(*t->distance));
	for (i = 0; i < n; i++) {
		t->nodes[i].nid = nids[i];
		t->nodes[i].memory = mem[i];
		t->nodes[i].memory_only = true;
		for (j = 0; j < n; j++)
			t->distance[i * n + j] = i == j ? 10 : 20;
	}
}

struct frag {
	int nid;
	uint64_t base, size;
};

static void expect_list(const struct dc_fragment *got, size_t ngot,
			const struct frag *want, size_t nwant)
{
	size_t i;

	CU_ASSERT_EQUAL_FATAL(ngot, nwant);
	for (i = 0; i < nwant; i++) {
		CU_ASSERT_EQUAL(got[i].nid, want[i].nid);
		CU_ASSERT_EQUAL(got[i].base, want[i].base);
		CU_ASSERT_EQUAL(got[i].size, want[i].size);
		if (got[i].base != want[i].base || got[i].size != want[i].size)
			printf("\n  #%zu: got nid %d [0x%llx +0x%llx], want nid "
			       "%d [0x%llx +0x%llx]\n", i, got[i].nid,
			       (unsigned long long)got[i].base,
			       (unsigned long long)got[i].size, want[i].nid,
			       (unsigned long long)want[i].base,
			       (unsigned long long)want[i].size);
	}
}

static bool has_note(const struct dc_layout *l, const char *needle)
{
	size_t i;

	for (i = 0; i < l->nnotes; i++)
		if (strstr(l->notes[i], needle))
			return true;
	return false;
}

static void *no_map(void *ctx, dc_addr_t pa, dc_size_t len)
{
	(void)ctx;
	(void)pa;
	(void)len;
	return NULL;	/* SETUP steals nothing */
}

static const char *const backend_names[] = { "tree", "bitmap", "array" };

/*
 * Apply @l to a fresh system on every compiled-in backend with a pool of
 * exactly dc_layout_pool_bytes(@l). Expect: apply 0, dc_check 0, memory
 * per node and in total equal to the fragments' sums; on byte-exact
 * backends, used equal to the reservations' sum.
 */
static void apply_all_backends(const struct dc_layout *l,
			       const struct dc_topology *t, const char *what)
{
	dc_size_t reserved = 0;
	size_t b, i;

	for (i = 0; i < l->nreserved; i++)
		reserved += l->reserved[i].size;
	for (b = 0; b < sizeof(backend_names) / sizeof(backend_names[0]);
	     b++) {
		const struct dc_backend_ops *ops = dc_backend_find(
			backend_names[b]);
		struct dc_platform plat = { .phys_to_virt = no_map };
		struct dc_config cfg;
		struct dc_system *sys;
		struct dc_stats st;
		dc_size_t pb = dc_layout_pool_bytes(l);
		void *pool;
		int rc;

		if (!ops)
			continue;
		sys = calloc(1, sizeof(*sys));
		pool = malloc(pb);
		memset(&cfg, 0, sizeof(cfg));
		cfg.page_shift = l->page_shift;
		cfg.backend = ops;
		cfg.pool = pool;
		cfg.pool_bytes = pb;
		CU_ASSERT_EQUAL_FATAL(dc_init(sys, &cfg, &plat), 0);
		rc = dc_layout_apply(l, t, sys);
		CU_ASSERT_EQUAL(rc, 0);
		if (rc)
			printf("\n  %s %s on %s: apply %s (pool %llu)\n", what,
			       l->name, ops->name, dc_strerror(rc),
			       (unsigned long long)pb);
		CU_ASSERT_EQUAL(dc_check(sys), 0);
		CU_ASSERT_EQUAL(dc_stats(sys, DC_NO_NODE, &st), 0);
		CU_ASSERT_EQUAL(st.memory, dc_layout_memory(l, DC_NO_NODE));
		if (!ops->page_granular)
			CU_ASSERT_EQUAL(st.used, reserved);
		for (i = 0; !rc && i < l->nfrags; i++) {
			if (i && l->frags[i].nid == l->frags[i - 1].nid)
				continue;
			CU_ASSERT_EQUAL(dc_stats(sys, l->frags[i].nid, &st), 0);
			CU_ASSERT_EQUAL(st.memory,
					dc_layout_memory(l, l->frags[i].nid));
		}
		free(pool);
		free(sys);
	}
}

/* --------------------------------------------------- independent reader */

struct ref_topo {
	unsigned n;
	int nid[64];		/* ascending */
	uint64_t memory[64];
	unsigned dist[64 * 64];
};

static int ref_index(const struct ref_topo *r, unsigned os)
{
	unsigned i;

	for (i = 0; i < r->n; i++)
		if (r->nid[i] == (int)os)
			return (int)i;
	return -1;
}

/*
 * Read nodes and distances with hwloc directly. fsroot != NULL: a sysfs
 * snapshot through HWLOC_FSROOT (README of shared/data/hwloc).
 */
static bool ref_read(const char *xml, const char *fsroot, struct ref_topo *r)
{
	struct hwloc_distances_s *d = NULL;
	hwloc_topology_t topo;
	hwloc_obj_t o = NULL;
	unsigned nr = 1, i, j, k;
	bool ok = true;

	memset(r, 0, sizeof(*r));
	hwloc_topology_init(&topo);
	hwloc_topology_set_flags(topo, HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED);
	if (xml)
		hwloc_topology_set_xml(topo, xml);
	if (fsroot) {
		setenv("HWLOC_FSROOT", fsroot, 1);
		setenv("HWLOC_COMPONENTS", "linux,stop", 1);
	}
	if (hwloc_topology_load(topo) < 0)
		ok = false;
	unsetenv("HWLOC_FSROOT");
	unsetenv("HWLOC_COMPONENTS");
	/* insertion sort by os_index */
	while (ok && (o = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_NUMANODE,
						     o)) && r->n < 64) {
		for (i = r->n; i > 0 && r->nid[i - 1] > (int)o->os_index; i--) {
			r->nid[i] = r->nid[i - 1];
			r->memory[i] = r->memory[i - 1];
		}
		r->nid[i] = (int)o->os_index;
		r->memory[i] = o->attr->numanode.local_memory;
		r->n++;
	}
	for (i = 0; i < r->n; i++)
		for (j = 0; j < r->n; j++)
			r->dist[i * r->n + j] = i == j ? 10 : 20;
	if (ok && (hwloc_distances_get_by_name(topo, "NUMALatency", &nr, &d,
					       0) < 0 || nr == 0)) {
		nr = 1;
		if (hwloc_distances_get_by_type(topo, HWLOC_OBJ_NUMANODE, &nr,
				&d, HWLOC_DISTANCES_KIND_MEANS_LATENCY, 0) < 0)
			nr = 0;
	}
	if (ok && nr && d) {
		for (i = 0; i < d->nbobjs; i++)
			for (j = 0; j < d->nbobjs; j++) {
				int a = ref_index(r, d->objs[i]->os_index);
				int b = ref_index(r, d->objs[j]->os_index);

				k = i * d->nbobjs + j;
				if (a >= 0 && b >= 0)
					r->dist[(unsigned)a * r->n +
						(unsigned)b] =
						(unsigned)d->values[k];
			}
		hwloc_distances_release(topo, d);
	}
	hwloc_topology_destroy(topo);
	return ok;
}

static void compare_with_ref(const struct dc_topology *t,
			     const struct ref_topo *r, const char *what)
{
	unsigned i, j, pus = 0;

	CU_ASSERT_EQUAL_FATAL(t->nnodes, r->n);
	for (i = 0; i < r->n; i++) {
		CU_ASSERT_EQUAL(t->nodes[i].nid, r->nid[i]);
		CU_ASSERT_EQUAL(t->nodes[i].memory, r->memory[i]);
		CU_ASSERT_EQUAL(t->nodes[i].memory_only,
				t->nodes[i].ncpus == 0);
		pus += t->nodes[i].ncpus;
		for (j = 0; j < r->n; j++)
			CU_ASSERT_EQUAL(t->distance[i * r->n + j],
					r->dist[i * r->n + j]);
	}
	CU_ASSERT(pus > 0);
	if (t->nnodes != r->n)
		printf("\n  %s: %u nodes, reference %u\n", what, t->nnodes,
		       r->n);
}

/* ------------------------------------------------------------ load tests */

/* Expect: every shared XML loads and equals the reference reader. */
static void load_every_shared_xml_matches_hwloc(void)
{
	char path[512], err[512];
	struct dc_topology t;
	struct ref_topo r;
	size_t i;

	for (i = 0; i < NR_XML; i++) {
		xml_path(path, sizeof(path), shared_xml[i]);
		CU_ASSERT_EQUAL_FATAL(dc_topo_load(&t, DC_TOPO_XML, path, err,
						   sizeof(err)), 0);
		CU_ASSERT(ref_read(path, NULL, &r));
		compare_with_ref(&t, &r, shared_xml[i]);
		CU_ASSERT(!t.live);
		CU_ASSERT(strstr(t.source, shared_xml[i]) != NULL);
		dc_topo_free(&t);
	}
}

/* Expect: every sysfs snapshot loads through --fsroot and equals the
 * reference reader, and the XML derived from it. */
static void load_every_shared_snapshot_matches_hwloc(void)
{
	char dir[512], path[512], err[512];
	struct dc_topology t, x;
	struct ref_topo r;
	size_t i;
	unsigned k;

	for (i = 0; i < NR_TAR; i++) {
		snprintf(dir, sizeof(dir), "%s/%s", tmpdir, shared_tar[i]);
		CU_ASSERT_EQUAL_FATAL(dc_topo_load(&t, DC_TOPO_FSROOT, dir, err,
						   sizeof(err)), 0);
		CU_ASSERT(ref_read(NULL, dir, &r));
		compare_with_ref(&t, &r, shared_tar[i]);
		snprintf(path, sizeof(path), "%s/data/hwloc/%s.xml",
			 DC_SHARED_DIR, shared_tar[i]);
		CU_ASSERT_EQUAL_FATAL(dc_topo_load(&x, DC_TOPO_XML, path, err,
						   sizeof(err)), 0);
		CU_ASSERT_EQUAL_FATAL(x.nnodes, t.nnodes);
		for (k = 0; k < t.nnodes; k++) {
			CU_ASSERT_EQUAL(x.nodes[k].ncpus, t.nodes[k].ncpus);
			CU_ASSERT_EQUAL(x.nodes[k].memory_only,
					t.nodes[k].memory_only);
		}
		CU_ASSERT(!t.live);
		dc_topo_free(&x);
		dc_topo_free(&t);
	}
}

/* Expect (README of shared/data/hwloc): 256ppc's sparse ids, 128ia64's
 * CPU-less node 16, the KNL's MCDRAM node 1 memory-only although hwloc
 * gives it the machine's cpuset; 16amd64: the NUMA matrix, not one of the
 * three artificial ones; the KNL has no matrix: defaults and a note. */
static void load_known_facts(void)
{
	static const int ppc[] = { 0, 1, 4, 5, 8, 9, 12, 13 };
	char path[512], err[512];
	struct dc_topology t;
	unsigned i;

	xml_path(path, sizeof(path), "256ppc-8n8s4t.xml");
	CU_ASSERT_EQUAL_FATAL(dc_topo_load(&t, DC_TOPO_XML, path, err,
					   sizeof(err)), 0);
	for (i = 0; i < 8; i++)
		CU_ASSERT_EQUAL(t.nodes[i].nid, ppc[i]);
	CU_ASSERT_EQUAL(dc_topo_index(&t, 12), 6);
	CU_ASSERT_EQUAL(dc_topo_index(&t, 2), -1);
	CU_ASSERT_EQUAL(t.distance[0 * 8 + 2], 40);	/* 0 -> 4 */
	dc_topo_free(&t);

	xml_path(path, sizeof(path), "128ia64-17n4s2c.xml");
	CU_ASSERT_EQUAL_FATAL(dc_topo_load(&t, DC_TOPO_XML, path, err,
					   sizeof(err)), 0);
	CU_ASSERT_EQUAL(t.nnodes, 17);
	CU_ASSERT(t.nodes[16].memory_only);
	CU_ASSERT_EQUAL(t.nodes[16].memory, 1044660224u);
	CU_ASSERT(!t.nodes[0].memory_only);
	CU_ASSERT_EQUAL(t.distance[16 * 17 + 3], 14);
	dc_topo_free(&t);

	xml_path(path, sizeof(path),
		 "8intel64-fakeKNL-A2A-hybrid.rootattachednumas.xml");
	CU_ASSERT_EQUAL_FATAL(dc_topo_load(&t, DC_TOPO_XML, path, err,
					   sizeof(err)), 0);
	CU_ASSERT_EQUAL(t.nnodes, 2);
	CU_ASSERT(!t.nodes[0].memory_only);
	CU_ASSERT_EQUAL(t.nodes[0].ncpus, 8);
	CU_ASSERT(t.nodes[1].memory_only);
	CU_ASSERT(!t.has_distances);
	CU_ASSERT(t.distance_note[0] != '\0');
	CU_ASSERT_EQUAL(t.distance[1], 20);
	dc_topo_free(&t);

	xml_path(path, sizeof(path), "16amd64-4distances.xml");
	CU_ASSERT_EQUAL_FATAL(dc_topo_load(&t, DC_TOPO_XML, path, err,
					   sizeof(err)), 0);
	CU_ASSERT(t.has_distances);
	CU_ASSERT_EQUAL(t.nnodes, 8);
	for (i = 0; i < 64; i++)
		CU_ASSERT_EQUAL(t.distance[i], i % 9 == 0 ? 10u : 20u);
	dc_topo_free(&t);
}

/* Expect: synthetic sizes as README "Synthetic descriptions" lists. */
static void load_synthetic(void)
{
	struct dc_topology t;
	char err[512];

	CU_ASSERT_EQUAL_FATAL(dc_topo_load(&t, DC_TOPO_SYNTHETIC,
		"pack:4 [numa(memory=32GiB)] [numa(memory=16GiB)] core:8 pu:2",
		err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(t.nnodes, 8);
	CU_ASSERT_EQUAL(t.nodes[0].memory, 32 * GiB);
	CU_ASSERT_EQUAL(t.nodes[1].memory, 16 * GiB);
	CU_ASSERT_EQUAL(t.nodes[0].ncpus, 16);
	CU_ASSERT(t.nodes[1].memory_only);	/* second node of a package */
	CU_ASSERT(!t.has_distances);
	CU_ASSERT(strstr(t.source, "synthetic") != NULL);
	dc_topo_free(&t);
}

/* Run a load that must fail; Expect: rc, a reason containing both
 * needles, and nothing at all printed on stderr. */
static void load_fails(enum dc_topo_source src, const char *arg, int rc,
		       const char *needle1, const char *needle2)
{
	struct dc_topology t;
	char err[512] = "";
	char errfile[300];
	struct stat st;
	int saved;
	FILE *f;

	snprintf(errfile, sizeof(errfile), "%s/stderr.txt", tmpdir);
	f = fopen(errfile, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fflush(stderr);
	saved = dup(2);
	dup2(fileno(f), 2);
	CU_ASSERT_EQUAL(dc_topo_load(&t, src, arg, err, sizeof(err)), rc);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	fclose(f);
	CU_ASSERT(stat(errfile, &st) == 0 && st.st_size == 0);
	CU_ASSERT(strstr(err, needle1) != NULL);
	CU_ASSERT(strstr(err, needle2) != NULL);
	CU_ASSERT(strchr(err, '\n') == NULL);
	if (!strstr(err, needle1) || !strstr(err, needle2))
		printf("\n  error was: %s\n", err);
	CU_ASSERT_EQUAL(t.nnodes, 0);
	CU_ASSERT_PTR_NULL(t.nodes);
	dc_topo_free(&t);
}

static void write_file(const char *name, const char *text, char *path,
		       size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static void load_bad_inputs_fail_with_one_line(void)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/missing.xml", tmpdir);
	load_fails(DC_TOPO_XML, p, DC_ENOENT, "missing.xml",
		   "No such file");
	write_file("notxml.xml", "hello\n", p, sizeof(p));
	load_fails(DC_TOPO_XML, p, DC_EINVAL, "notxml.xml", "not XML");
	write_file("v3.xml", "<?xml version=\"1.0\"?>\n<topology version="
		   "\"3.0\">\n</topology>\n", p, sizeof(p));
	load_fails(DC_TOPO_XML, p, DC_EINVAL, "v3.xml",
		   "cannot import XML version 3.0");
	write_file("trunc.xml", "<?xml version=\"1.0\"?>\n<topology version="
		   "\"2.0\">\n<object type=\"Machine\"", p, sizeof(p));
	load_fails(DC_TOPO_XML, p, DC_EINVAL, "trunc.xml", "error");
	load_fails(DC_TOPO_XML, tmpdir, DC_EINVAL, tmpdir, "directory");
	load_fails(DC_TOPO_SYNTHETIC, "numa:x pu:2", DC_EINVAL, "numa:x pu:2",
		   "number of objects");
	load_fails(DC_TOPO_SYNTHETIC, "", DC_EINVAL, "--synthetic", "empty");
	load_fails(DC_TOPO_FSROOT, tmpdir, DC_EINVAL, tmpdir,
		   "not a sysfs snapshot");
}

/*
 * Write tmpdir/name: shared 8amd64-4n2c.xml with the first @from after the
 * first @anchor replaced by @to. The malformed inputs of issue 14,
 * finding 10, are one edit away from a real machine.
 */
static void derive_xml(const char *name, const char *anchor, const char *from,
		       const char *to, char *path, size_t len)
{
	char src[512], *text, *a, *f;
	long n;
	FILE *in, *out;

	xml_path(src, sizeof(src), "8amd64-4n2c.xml");
	in = fopen(src, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	fseek(in, 0, SEEK_END);
	n = ftell(in);
	rewind(in);
	text = calloc((size_t)n + 1, 1);
	CU_ASSERT_FATAL(text && fread(text, 1, (size_t)n, in) == (size_t)n);
	fclose(in);
	a = strstr(text, anchor);
	f = a ? strstr(a, from) : NULL;
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	snprintf(path, len, "%s/%s", tmpdir, name);
	out = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	fwrite(text, 1, (size_t)(f - text), out);
	fputs(to, out);
	fputs(f + strlen(from), out);
	fclose(out);
	free(text);
}

/*
 * Issue 14, finding 10. hwloc 2.9 dereferences NULL loading a NUMANode
 * whose complete_nodeset attribute is misspelt; two PUs or two NUMA nodes
 * with one OS index load fine in hwloc.
 * Expect: DC_EINVAL and one line naming the file and the cause (a crash
 * in hwloc; both logical indexes and the OS index), nothing on stderr,
 * the test process alive.
 */
static void load_hostile_xml_fails_with_one_line(void)
{
	char p[512];

	derive_xml("crash.xml", "type=\"NUMANode\" os_index=\"0\"",
		   "complete_nodeset", "cgmplete_nodeset", p, sizeof(p));
	load_fails(DC_TOPO_XML, p, DC_EINVAL, "crash.xml", "hwloc crashed");
	derive_xml("dup_pu.xml", "type=\"PU\" os_index=\"1\"",
		   "os_index=\"1\"", "os_index=\"0\"", p, sizeof(p));
	load_fails(DC_TOPO_XML, p, DC_EINVAL, "dup_pu.xml",
		   "PUs L#0 and L#2 both have OS index 0");
	derive_xml("dup_numa.xml", "type=\"NUMANode\" os_index=\"1\"",
		   "os_index=\"1\"", "os_index=\"0\"", p, sizeof(p));
	load_fails(DC_TOPO_XML, p, DC_EINVAL, "dup_numa.xml",
		   "NUMA nodes L#0 and L#1 both have OS index 0");
}

/* ----------------------------------------------------------- sn1 tests */

/*
 * SN1, historical 8 GiB slots, 1 GiB bank slots, banks 64 MiB..1 GiB.
 *
 *  node 0, 3 GiB: p0: s = 1G, bank0 = 1G, 2G left >= 1G -> bank1 = 1G;
 *                 p1: s = 1G, bank2 = 1G, 0 left -> no bank3.
 *   0      1G      2G      3G      4G                       8G
 *   |bank0 |bank1  |bank2  |  hole ...                       |
 *   [0, 4 MiB) reserved (kernel)
 *
 *  node 1, 8 GiB: banks 0..7 all 1 GiB, adjacent: [8G, 16G);
 *                 [8G, 8G + 1 MiB) reserved (PROM)
 *
 *  node 2, 1 GiB + 100 MiB: p0: s = 1G, bank0 = 1G, 100M left < 1G;
 *                 p1: s = 64M, bank2 = 64M, 36M left < 64M; p2: 36M is
 *                 below the smallest bank: 36 MiB dropped and noted.
 *   16G     17G     18G  18G+64M                              24G
 *   |bank0  | hole  |bank2|  hole ...                          |
 *
 * Expect: those 3 + 8 + 2 fragments, 3 reservations, one drop note; with
 * --strict, node 2 is rejected naming it.
 */
static void sn1_pairs_of_equal_banks(void)
{
	static const int nids[] = { 0, 1, 2 };
	static const uint64_t mem[] = { 3 * GiB, 8 * GiB, GiB + 100 * MiB };
	static const struct frag want[] = {
		{ 0, 0, GiB }, { 0, GiB, GiB }, { 0, 2 * GiB, GiB },
		{ 1, 8 * GiB, GiB }, { 1, 9 * GiB, GiB }, { 1, 10 * GiB, GiB },
		{ 1, 11 * GiB, GiB }, { 1, 12 * GiB, GiB },
		{ 1, 13 * GiB, GiB }, { 1, 14 * GiB, GiB },
		{ 1, 15 * GiB, GiB },
		{ 2, 16 * GiB, GiB }, { 2, 18 * GiB, 64 * MiB },
	};
	static const struct frag res[] = {
		{ 0, 0, 4 * MiB }, { 1, 8 * GiB, MiB }, { 2, 16 * GiB, MiB },
	};
	struct dc_layout_opts o = { 0 };
	struct dc_topology t;
	struct dc_layout l;
	char err[512];

	mk_topo(&t, nids, mem, 3);
	CU_ASSERT_EQUAL_FATAL(dc_layout_make(&t, "sn1", &o, &l, err,
					     sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(l.name, "sn1");
	CU_ASSERT_EQUAL(l.page_shift, 14);
	expect_list(l.frags, l.nfrags, want, sizeof(want) / sizeof(want[0]));
	expect_list(l.reserved, l.nreserved, res, 3);
	CU_ASSERT_EQUAL(l.nnotes, 1);
	CU_ASSERT(has_note(&l, "node 2: dropped 36 MiB"));
	apply_all_backends(&l, &t, "sn1 pairs");
	dc_layout_free(&l);

	o.strict = true;
	CU_ASSERT_EQUAL(dc_layout_make(&t, "sn1", &o, &l, err, sizeof(err)),
			DC_EINVAL);
	CU_ASSERT(strstr(err, "node 2") && strstr(err, "36 MiB") &&
		  strstr(err, "--strict"));
	CU_ASSERT_EQUAL(l.nfrags, 0);
	dc_topo_free(&t);
}

/*
 * nasid 0 of 4 GiB: banks 0..3 of 1 GiB; bank 3 = [3G, 4G) ends exactly at
 * 4 GiB and loses its top 20 MiB:
 *   0     1G     2G     3G            4G-20M  4G
 *   |bank0|bank1 |bank2 |bank3        | hole  |
 * Expect: bank 3 = [3G, 4G - 20M), memory 4G - 20M, a note; nasid 1 of
 * 4 GiB keeps its bank 3 whole ([11G, 12G) does not end at 4 GiB); the
 * same with --strict (history, not a model loss).
 */
static void sn1_nasid0_bank_ending_at_4gib_loses_20mib(void)
{
	static const int nids[] = { 0, 1 };
	static const uint64_t mem[] = { 4 * GiB, 4 * GiB };
	static const struct frag want[] = {
		{ 0, 0, GiB }, { 0, GiB, GiB }, { 0, 2 * GiB, GiB },
		{ 0, 3 * GiB, GiB - 20 * MiB },
		{ 1, 8 * GiB, GiB }, { 1, 9 * GiB, GiB }, { 1, 10 * GiB, GiB },
		{ 1, 11 * GiB, GiB },
	};
	struct dc_layout_opts o = { .strict = true };
	struct dc_topology t;
	struct dc_layout l;
	char err[512];

	mk_topo(&t, nids, mem, 2);
	CU_ASSERT_EQUAL_FATAL(dc_layout_make(&t, "sn1", &o, &l, err,
					     sizeof(err)), 0);
	expect_list(l.frags, l.nfrags, want, sizeof(want) / sizeof(want[0]));
	CU_ASSERT_EQUAL(dc_layout_memory(&l, 0), 4 * GiB - 20 * MiB);
	CU_ASSERT(has_note(&l, "loses its top 20 MiB"));
	apply_all_backends(&l, &t, "sn1 4G hole");
	dc_layout_free(&l);
	dc_topo_free(&t);
}

/*
 * Widening: node 1 has 12 GiB > 8 GiB, so every slot becomes 16 GiB (the
 * smallest power of two >= 12 GiB): bank slots 2 GiB, banks 128 MiB..2 GiB.
 *  node 0, 4 GiB: p0: s = 2G, bank0 = [0, 2G), 2G left >= 2G -> bank1 =
 *                 [2G, 4G), which ends at 4 GiB: -> [2G, 4G - 20M).
 *  node 1, 12 GiB at 16G: p0, p1, p2 each 2G + 2G: banks 0..5 = [16G, 28G)
 *   16G   18G   20G   22G   24G   26G   28G          32G
 *   |b0   |b1   |b2   |b3   |b4   |b5   |   hole      |
 * Expect: 2 + 6 fragments, a "widened ... 16 GiB" note; --strict rejects
 * naming node 1.
 */
static void sn1_widens_every_slot_for_a_large_node(void)
{
	static const int nids[] = { 0, 1 };
	static const uint64_t mem[] = { 4 * GiB, 12 * GiB };
	static const struct frag want[] = {
		{ 0, 0, 2 * GiB }, { 0, 2 * GiB, 2 * GiB - 20 * MiB },
		{ 1, 16 * GiB, 2 * GiB }, { 1, 18 * GiB, 2 * GiB },
		{ 1, 20 * GiB, 2 * GiB }, { 1, 22 * GiB, 2 * GiB },
		{ 1, 24 * GiB, 2 * GiB }, { 1, 26 * GiB, 2 * GiB },
	};
	static const struct frag res[] = {
		{ 0, 0, 4 * MiB }, { 1, 16 * GiB, MiB },
	};
	struct dc_layout_opts o = { 0 };
	struct dc_topology t;
	struct dc_layout l;
	char err[512];

	mk_topo(&t, nids, mem, 2);
	CU_ASSERT_EQUAL_FATAL(dc_layout_make(&t, "sn1", &o, &l, err,
					     sizeof(err)), 0);
	expect_list(l.frags, l.nfrags, want, sizeof(want) / sizeof(want[0]));
	expect_list(l.reserved, l.nreserved, res, 2);
	CU_ASSERT(has_note(&l, "widened from 8 GiB to 16 GiB"));
	apply_all_backends(&l, &t, "sn1 widened");
	dc_layout_free(&l);

	o.strict = true;
	CU_ASSERT_EQUAL(dc_layout_make(&t, "sn1", &o, &l, err, sizeof(err)),
			DC_EINVAL);
	CU_ASSERT(strstr(err, "node 1") && strstr(err, "8 GiB"));
	dc_topo_free(&t);
}

/*
 * nasid = os_index: sparse nodes 0, 1, 4, 5 of 1 GiB each sit at 0, 8G,
 * 32G, 40G (slots 2, 3 empty); a node 128 is rejected by name.
 * Expect: bank 0 of each at nid * 8G; error "node 128" "nasid".
 */
static void sn1_nasid_is_os_index(void)
{
	static const int nids[] = { 0, 1, 4, 5 }, big[] = { 0, 128 };
	static const uint64_t mem[] = { GiB, GiB, GiB, GiB };
	static const struct frag want[] = {
		{ 0, 0, GiB }, { 1, 8 * GiB, GiB }, { 4, 32 * GiB, GiB },
		{ 5, 40 * GiB, GiB },
	};
	struct dc_topology t;
	struct dc_layout l;
	char err[512];

	mk_topo(&t, nids, mem, 4);
	CU_ASSERT_EQUAL_FATAL(dc_layout_make(&t, "sn1", NULL, &l, err,
					     sizeof(err)), 0);
	expect_list(l.frags, l.nfrags, want, 4);
	dc_layout_free(&l);
	dc_topo_free(&t);

	mk_topo(&t, big, mem, 2);
	CU_ASSERT_EQUAL(dc_layout_make(&t, "sn1", NULL, &l, err, sizeof(err)),
			DC_EINVAL);
	CU_ASSERT(strstr(err, "node 128") && strstr(err, "nasid"));
	dc_topo_free(&t);
}

/* ------------------------------------------------------ wildfire tests */

/*
 * Wildfire, 64 GiB windows, modules 1/2/4/8 GiB, at most 4 per QBB.
 *  QBB 0, 12 GiB: greedy 8G + 4G, stacked from 0:
 *   0   8M            8G          12G                      64G
 *   |con|  module 8G  | module 4G  |        hole             |
 *   [0, 8 MiB) reserved (console/PALcode; the kernel loads at 8 MiB)
 *  QBB 1, 12 GiB: [64G, 72G) + [72G, 76G)
 *  QBB 3, 3.5 GiB: 2G + 1G, 512 MiB below the smallest module: dropped
 *  QBB 5, 31 GiB: 8 + 8 + 8 + 4, then 3 GiB left after 4 modules: dropped
 * Expect: those fragments (adjacent ones of one node kept separate here,
 * merged by the system), one reservation, two drop notes; applied, node 0
 * holds 12 GiB in one merged fragment.
 */
static void wildfire_qbb_modules(void)
{
	static const int nids[] = { 0, 1, 3, 5 };
	static const uint64_t mem[] = { 12 * GiB, 12 * GiB,
					3 * GiB + 512 * MiB, 31 * GiB };
	static const struct frag want[] = {
		{ 0, 0, 8 * GiB }, { 0, 8 * GiB, 4 * GiB },
		{ 1, 64 * GiB, 8 * GiB }, { 1, 72 * GiB, 4 * GiB },
		{ 3, 192 * GiB, 2 * GiB }, { 3, 194 * GiB, GiB },
		{ 5, 320 * GiB, 8 * GiB }, { 5, 328 * GiB, 8 * GiB },
		{ 5, 336 * GiB, 8 * GiB }, { 5, 344 * GiB, 4 * GiB },
	};
	static const struct frag res[] = { { 0, 0, 8 * MiB } };
	struct dc_layout_opts o = { 0 };
	struct dc_topology t;
	struct dc_layout l;
	char err[512];

	mk_topo(&t, nids, mem, 4);
	CU_ASSERT_EQUAL_FATAL(dc_layout_make(&t, "wildfire", &o, &l, err,
					     sizeof(err)), 0);
	CU_ASSERT_EQUAL(l.page_shift, 13);
	expect_list(l.frags, l.nfrags, want, sizeof(want) / sizeof(want[0]));
	expect_list(l.reserved, l.nreserved, res, 1);
	CU_ASSERT(has_note(&l, "node 3: dropped 512 MiB"));
	CU_ASSERT(has_note(&l, "node 5: dropped 3 GiB"));
	CU_ASSERT_EQUAL(l.nnotes, 2);
	apply_all_backends(&l, &t, "wildfire modules");
	dc_layout_free(&l);

	o.strict = true;
	CU_ASSERT_EQUAL(dc_layout_make(&t, "wildfire", &o, &l, err,
				       sizeof(err)), DC_EINVAL);
	CU_ASSERT(strstr(err, "node 3") && strstr(err, "--strict"));
	dc_topo_free(&t);
}

/*
 * Widening: QBB 1 has 40 GiB > 32 GiB. W = smallest power of two with
 * W/2 >= 40 GiB = 128 GiB; modules 2..16 GiB.
 *  QBB 0, 12 GiB: 8G + 4G at 0; QBB 1, 40 GiB: 16 + 16 + 8 at 128G.
 * Expect: 5 fragments, a "widened ... 128 GiB" note; --strict rejects.
 */
static void wildfire_widens_windows(void)
{
	static const int nids[] = { 0, 1 };
	static const uint64_t mem[] = { 12 * GiB, 40 * GiB };
	static const struct frag want[] = {
		{ 0, 0, 8 * GiB }, { 0, 8 * GiB, 4 * GiB },
		{ 1, 128 * GiB, 16 * GiB }, { 1, 144 * GiB, 16 * GiB },
		{ 1, 160 * GiB, 8 * GiB },
	};
	struct dc_layout_opts o = { 0 };
	struct dc_topology t;
	struct dc_layout l;
	char err[512];

	mk_topo(&t, nids, mem, 2);
	CU_ASSERT_EQUAL_FATAL(dc_layout_make(&t, "wildfire", &o, &l, err,
					     sizeof(err)), 0);
	expect_list(l.frags, l.nfrags, want, sizeof(want) / sizeof(want[0]));
	CU_ASSERT(has_note(&l, "widened from 64 GiB to 128 GiB"));
	apply_all_backends(&l, &t, "wildfire widened");
	dc_layout_free(&l);
	o.strict = true;
	CU_ASSERT_EQUAL(dc_layout_make(&t, "wildfire", &o, &l, err,
				       sizeof(err)), DC_EINVAL);
	CU_ASSERT(strstr(err, "node 1") && strstr(err, "32 GiB"));
	dc_topo_free(&t);
}

/* Expect: 9 nodes with memory -> "more Wildfire nodes than QBBs"; node 8
 * among 8 -> "QBB id 8"; a memoryless node 9 is no QBB and is fine. */
static void wildfire_rejects_what_it_cannot_hold(void)
{
	static const int nine[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8 };
	static const int sparse[] = { 0, 1, 4, 8 };
	static const int nomem[] = { 0, 9 };
	static const uint64_t mem[] = { GiB, GiB, GiB, GiB, GiB, GiB, GiB,
					GiB, GiB };
	static const uint64_t mem0[] = { GiB, 0 };
	struct dc_topology t;
	struct dc_layout l;
	char err[512];

	mk_topo(&t, nine, mem, 9);
	CU_ASSERT_EQUAL(dc_layout_make(&t, "wildfire", NULL, &l, err,
				       sizeof(err)), DC_EINVAL);
	CU_ASSERT(strstr(err, "more Wildfire nodes than QBBs") != NULL);
	dc_topo_free(&t);
	mk_topo(&t, sparse, mem, 4);
	CU_ASSERT_EQUAL(dc_layout_make(&t, "wildfire", NULL, &l, err,
				       sizeof(err)), DC_EINVAL);
	CU_ASSERT(strstr(err, "node 8") && strstr(err, "QBB id 8"));
	dc_topo_free(&t);
	mk_topo(&t, nomem, mem0, 2);
	CU_ASSERT_EQUAL(dc_layout_make(&t, "wildfire", NULL, &l, err,
				       sizeof(err)), 0);
	CU_ASSERT_EQUAL(l.nfrags, 1);
	dc_layout_free(&l);
	dc_topo_free(&t);
}

/* ---------------------------------------------------------- flat tests */

/*
 * flat, nodes 0 and 2 of 1 GiB, --gap 1G:
 *   0      640K   1M                 1G+384K      2G+384K        3G+384K
 *   |res.  |ISA   | node 0 ...       |  gap 1 GiB  | node 2 ...   |
 * node 0 keeps its 1 GiB: 640 KiB at 0 (reserved) + 1G - 640K from 1 MiB,
 * ending at 1G + 384K; node 2 starts 1 GiB later, page aligned already.
 * Expect: 3 fragments, 1 reservation, no note; --gap with sn1 rejected.
 */
static void flat_first_mib_and_gap(void)
{
	static const int nids[] = { 0, 2 };
	static const uint64_t mem[] = { GiB, GiB };
	static const struct frag want[] = {
		{ 0, 0, 640 * KiB }, { 0, MiB, GiB - 640 * KiB },
		{ 2, 2 * GiB + 384 * KiB, GiB },
	};
	static const struct frag res[] = { { 0, 0, 640 * KiB } };
	struct dc_layout_opts o = { .gap = GiB };
	struct dc_topology t;
	struct dc_layout l;
	char err[512];

	mk_topo(&t, nids, mem, 2);
	CU_ASSERT_EQUAL_FATAL(dc_layout_make(&t, "flat", &o, &l, err,
					     sizeof(err)), 0);
	CU_ASSERT_EQUAL(l.page_shift, 12);
	expect_list(l.frags, l.nfrags, want, 3);
	expect_list(l.reserved, l.nreserved, res, 1);
	CU_ASSERT_EQUAL(l.nnotes, 0);
	CU_ASSERT_EQUAL(dc_layout_memory(&l, 0), GiB);
	apply_all_backends(&l, &t, "flat gap");
	dc_layout_free(&l);
	CU_ASSERT_EQUAL(dc_layout_make(&t, "sn1", &o, &l, err, sizeof(err)),
			DC_EINVAL);
	CU_ASSERT(strstr(err, "--gap") != NULL);
	CU_ASSERT_EQUAL(dc_layout_make(&t, "numa", NULL, &l, err,
				       sizeof(err)), DC_EINVAL);
	CU_ASSERT(strstr(err, "unknown layout 'numa'") != NULL);
	dc_topo_free(&t);
}

/* Expect: a layout that would pass 2^64 is DC_ERANGE, not wrapped. */
static void flat_past_2_64_is_erange(void)
{
	static const int nids[] = { 0, 1 };
	static const uint64_t mem[] = { (uint64_t)1 << 63, (uint64_t)1 << 63 };
	struct dc_topology t;
	struct dc_layout l;
	char err[512];

	mk_topo(&t, nids, mem, 2);
	CU_ASSERT_EQUAL(dc_layout_make(&t, "flat", NULL, &l, err,
				       sizeof(err)), DC_ERANGE);
	CU_ASSERT(strstr(err, "node 1") != NULL);
	dc_topo_free(&t);
}

/* ---------------------------------------------------------- host tests */

/* Write tmpdir/sys/rel, making its directories. */
static void put(const char *rel, const char *text)
{
	char path[600], *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/sys/%s", tmpdir, rel);
	for (p = path + strlen(tmpdir) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

/*
 * A fake sysfs, 128 MiB blocks:
 *   memmap 0: [0x0-0x9fbff] System RAM     node 0 (block 0)
 *   memmap 1: [0x9fc00-0xfffff] Reserved   hole
 *   memmap 2: [1M, 3G) System RAM          node 0 (blocks 0..23)
 *   memmap 3: [4G, 9G) System RAM          node 0 blocks 32, 34..39;
 *                                          block 33 in no node (offline);
 *                                          node 1 blocks 40..71
 * Expect: node 0: [0, 0x9fc00), [1M, 3G), [4G, 4G+128M), [4G+256M, 5G);
 * node 1: [5G, 9G); a note for the 128 MiB dropped; no reservation.
 * Then without the memmap: a note, and the flat layout instead.
 */
static void host_splits_memmap_by_node_blocks(void)
{
	static const int nids[] = { 0, 1 };
	static const uint64_t mem[] = { 4 * GiB, 4 * GiB };
	static const struct frag want[] = {
		{ 0, 0, 0x9fc00 }, { 0, MiB, 3 * GiB - MiB },
		{ 0, 4 * GiB, 128 * MiB }, { 0, 4 * GiB + 256 * MiB,
					     GiB - 256 * MiB },
		{ 1, 5 * GiB, 4 * GiB },
	};
	struct dc_layout_opts o = { 0 };
	struct dc_topology t;
	struct dc_layout l;
	char err[512], name[128], root[300];
	unsigned b;

	put("firmware/memmap/0/start", "0x0\n");
	put("firmware/memmap/0/end", "0x9fbff\n");
	put("firmware/memmap/0/type", "System RAM\n");
	put("firmware/memmap/1/start", "0x9fc00\n");
	put("firmware/memmap/1/end", "0xfffff\n");
	put("firmware/memmap/1/type", "Reserved\n");
	put("firmware/memmap/2/start", "0x100000\n");
	put("firmware/memmap/2/end", "0xbfffffff\n");
	put("firmware/memmap/2/type", "System RAM\n");
	put("firmware/memmap/3/start", "0x100000000\n");
	put("firmware/memmap/3/end", "0x23fffffff\n");
	put("firmware/memmap/3/type", "System RAM\n");
	put("devices/system/memory/block_size_bytes", "8000000\n");
	for (b = 0; b < 72; b++) {
		if ((b >= 24 && b < 32) || b == 33)
			continue;
		snprintf(name, sizeof(name), "devices/system/node/node%d/"
			 "memory%u", b < 40 ? 0 : 1, b);
		put(name, "");
	}
	put("devices/system/node/node0/memory_side_cache/x", "");
	snprintf(root, sizeof(root), "%s/sys", tmpdir);
	o.sysfs_root = root;
	mk_topo(&t, nids, mem, 2);
	CU_ASSERT_EQUAL_FATAL(dc_layout_make(&t, "host", &o, &l, err,
					     sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(l.name, "host");
	expect_list(l.frags, l.nfrags, want, sizeof(want) / sizeof(want[0]));
	CU_ASSERT_EQUAL(l.nreserved, 0);
	CU_ASSERT(has_note(&l, "dropped 128 MiB"));
	apply_all_backends(&l, &t, "host fake sysfs");
	dc_layout_free(&l);

	snprintf(root, sizeof(root), "%s/nosys", tmpdir);
	CU_ASSERT_EQUAL_FATAL(dc_layout_make(&t, "host", &o, &l, err,
					     sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(l.name, "flat");
	CU_ASSERT(has_note(&l, "fell back to flat"));
	CU_ASSERT_EQUAL(dc_layout_memory(&l, DC_NO_NODE), 8 * GiB);
	dc_layout_free(&l);

	t.live = false;	/* an XML: host is refused, not faked */
	CU_ASSERT_EQUAL(dc_layout_make(&t, "host", NULL, &l, err,
				       sizeof(err)), DC_EINVAL);
	CU_ASSERT(strstr(err, "live machine") != NULL);
	dc_topo_free(&t);
}

/* Expect: the live machine loads and lays out with its default (host,
 * or flat after a note), and applies. */
static void host_live_machine(void)
{
	struct dc_topology t;
	struct dc_layout l;
	char err[512];

	CU_ASSERT_EQUAL_FATAL(dc_topo_load(&t, DC_TOPO_LIVE, NULL, err,
					   sizeof(err)), 0);
	if (t.live) {
		CU_ASSERT_STRING_EQUAL(t.source, "live machine");
		CU_ASSERT_EQUAL_FATAL(dc_layout_make(&t, "host", NULL, &l, err,
						     sizeof(err)), 0);
		CU_ASSERT(l.nfrags > 0);
		apply_all_backends(&l, &t, "live host");
		dc_layout_free(&l);
	}
	dc_topo_free(&t);
}

/* ------------------------------------------- every shared topology */

/* Expect: each shared topology under flat, sn1, wildfire either lays out
 * and applies, or (wildfire only: >8 nodes or an id >= 8) fails with a
 * one-line reason naming the rule. */
static void every_shared_topology_applies(void)
{
	static const char *const models[] = { "flat", "sn1", "wildfire" };
	char path[512], err[512];
	struct dc_topology t;
	struct dc_layout l;
	size_t i, m;

	for (i = 0; i < NR_XML; i++) {
		xml_path(path, sizeof(path), shared_xml[i]);
		CU_ASSERT_EQUAL_FATAL(dc_topo_load(&t, DC_TOPO_XML, path, err,
						   sizeof(err)), 0);
		for (m = 0; m < 3; m++) {
			int rc = dc_layout_make(&t, models[m], NULL, &l, err,
						sizeof(err));

			if (rc) {
				CU_ASSERT_STRING_EQUAL(models[m], "wildfire");
				CU_ASSERT(strstr(err, "QBB") != NULL);
				continue;
			}
			apply_all_backends(&l, &t, shared_xml[i]);
			dc_layout_free(&l);
		}
		dc_topo_free(&t);
	}
}

/* ------------------------------------------------------------------ main */

static int suite_init(void)
{
	char cmd[1024];
	size_t i;

	/* the snapshots hold 20,000 small files: tmpfs extracts them 30
	 * times faster than a disk-backed /tmp here */
	snprintf(tmpdir, sizeof(tmpdir), "/dev/shm/dc_test_topology.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/dc_test_topology.XXXXXX");
		if (!mkdtemp(tmpdir))
			return 1;
	}
	for (i = 0; i < NR_TAR; i++) {
		snprintf(cmd, sizeof(cmd), "tar xjf '%s/data/hwloc/%s.tar.bz2' "
			 "-C '%s'", DC_SHARED_DIR, shared_tar[i], tmpdir);
		if (system(cmd))
			return 1;
	}
	return 0;
}

static int suite_clean(void)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) ? 1 : 0;
}

int main(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
		{ "load_every_shared_xml_matches_hwloc",
		  load_every_shared_xml_matches_hwloc },
		{ "load_every_shared_snapshot_matches_hwloc",
		  load_every_shared_snapshot_matches_hwloc },
		{ "load_known_facts", load_known_facts },
		{ "load_synthetic", load_synthetic },
		{ "load_bad_inputs_fail_with_one_line",
		  load_bad_inputs_fail_with_one_line },
		{ "load_hostile_xml_fails_with_one_line",
		  load_hostile_xml_fails_with_one_line },
		{ "sn1_pairs_of_equal_banks", sn1_pairs_of_equal_banks },
		{ "sn1_nasid0_bank_ending_at_4gib_loses_20mib",
		  sn1_nasid0_bank_ending_at_4gib_loses_20mib },
		{ "sn1_widens_every_slot_for_a_large_node",
		  sn1_widens_every_slot_for_a_large_node },
		{ "sn1_nasid_is_os_index", sn1_nasid_is_os_index },
		{ "wildfire_qbb_modules", wildfire_qbb_modules },
		{ "wildfire_widens_windows", wildfire_widens_windows },
		{ "wildfire_rejects_what_it_cannot_hold",
		  wildfire_rejects_what_it_cannot_hold },
		{ "flat_first_mib_and_gap", flat_first_mib_and_gap },
		{ "flat_past_2_64_is_erange", flat_past_2_64_is_erange },
		{ "host_splits_memmap_by_node_blocks",
		  host_splits_memmap_by_node_blocks },
		{ "host_live_machine", host_live_machine },
		{ "every_shared_topology_applies",
		  every_shared_topology_applies },
	};
	CU_pSuite s;
	unsigned failures;
	size_t i;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("topology", suite_init, suite_clean);
	for (i = 0; s && i < sizeof(tests) / sizeof(tests[0]); i++)
		CU_add_test(s, tests[i].name, tests[i].fn);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() +
		   CU_get_number_of_tests_failed() +
		   CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
