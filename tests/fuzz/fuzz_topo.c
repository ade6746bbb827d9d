// SPDX-License-Identifier: BSD-3-Clause
/*
 * fuzz_topo.c - libFuzzer target for the topology loader (topology/load.c)
 * on hwloc XML. The input is written to a file and loaded with
 * dc_topo_load(DC_TOPO_XML). Rules: no crash, leak or undefined behaviour
 * in discontig (hwloc's own crashes happen in the loader's child and must
 * come back as an error); on failure one line and an empty topology; on
 * success the loader's invariants (nodes ascending and unique below
 * DC_MAX_NODES, no PU in two nodes, a full distance matrix in 1..65535),
 * and every layout model either makes a layout or says why in one line.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <discontig/topology.h>

#include "fuzz.h"

static const char *const models[] = { "flat", "sn1", "wildfire" };

static void check_topology(const struct dc_topology *t)
{
	unsigned n = t->nnodes, i, j, k;

	FZ_CHECK(n > 0 && t->nodes && t->distance, "empty success");
	for (i = 0; i < n; i++) {
		FZ_CHECK(t->nodes[i].nid >= 0 && t->nodes[i].nid < DC_MAX_NODES,
			 "nid %d", t->nodes[i].nid);
		FZ_CHECK(!i || t->nodes[i].nid > t->nodes[i - 1].nid,
			 "nids not ascending and unique");
		for (j = 0; j < n; j++)
			FZ_CHECK(t->distance[i * n + j] >= 1 &&
				 t->distance[i * n + j] <= 65535, "distance");
		for (k = 0; k < t->nodes[i].ncpus; k++)
			for (j = 0; j < n; j++)
				for (unsigned c = 0; c < t->nodes[j].ncpus &&
				     (i != j || c != k); c++)
					FZ_CHECK(t->nodes[j].cpus[c] !=
						 t->nodes[i].cpus[k],
						 "cpu %u twice",
						 t->nodes[i].cpus[k]);
	}
}

/*
 * hwloc loads its libxml2 component as a plugin and unloads it when a
 * topology is destroyed; what libxml2 leaks on bad input is then reported
 * from an unknown module, which no suppression can name. Keep the plugin
 * loaded (RTLD_NODELETE) so that lsan.supp can.
 */
#ifndef DC_HWLOC_PLUGIN
#define DC_HWLOC_PLUGIN "hwloc_xml_libxml.so"	/* found, or harmless */
#endif

static void pin_hwloc_plugin(void)
{
	(void)dlopen(DC_HWLOC_PLUGIN, RTLD_NOW | RTLD_NODELETE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct dc_topology t;
	struct dc_layout l;
	char err[512];
	FILE *f;
	int rc;

	if (!path[0])
		pin_hwloc_plugin();
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/dc_fuzz_topo.%d.xml",
			 (int)getpid());
	f = fopen(path, "wb");
	FZ_CHECK(f && fwrite(data, 1, size, f) == size && !fclose(f),
		 "cannot write %s", path);
	err[0] = '\0';
	rc = dc_topo_load(&t, DC_TOPO_XML, path, err, sizeof(err));
	unlink(path);
	if (rc) {
		FZ_CHECK(err[0] && !strchr(err, '\n'), "not one line: %s", err);
		FZ_CHECK(!t.nnodes && !t.nodes, "failed load left nodes");
		return 0;
	}
	check_topology(&t);
	for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
		err[0] = '\0';
		memset(&l, 0, sizeof(l));
		if (dc_layout_make(&t, models[i], NULL, &l, err, sizeof(err)))
			FZ_CHECK(err[0] && !strchr(err, '\n'),
				 "%s: not one line: %s", models[i], err);
		FZ_CHECK(!strstr(err, "internal error"), "%s: %s", models[i],
			 err);
		dc_layout_free(&l);
	}
	dc_topo_free(&t);
	return 0;
}
