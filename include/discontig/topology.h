/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * topology.h - HOST ONLY: load a NUMA topology with hwloc and lay its memory
 * out in physical address space (DESIGN.md, "Topology"; LAYOUTS.md).
 *
 * DOC: topology
 * Two steps, each with its own structure:
 *
 *   dc_topo_load()    hwloc -> struct dc_topology: nodes (OS numbers,
 *                     memory, cpus, memory-only), distances, and a sentence
 *                     saying where the topology came from;
 *   dc_layout_make()  struct dc_topology + a model -> struct dc_layout:
 *                     fragments, firmware reservations, page size, notes;
 *   dc_layout_apply() struct dc_layout -> a struct dc_system in SETUP.
 *
 * Unlike the rest of include/discontig/, this header is not freestanding:
 * it is for host tools and tests (libc, hwloc). Its functions allocate with
 * malloc; every structure they fill has a matching *_free().
 *
 * Error convention: dc_topo_load() and dc_layout_make() return 0 or a
 * negative DC_E* code and then write one line into the caller's @err buffer
 * (no trailing newline) that names what is wrong: a file, a node, a rule.
 * They print nothing themselves (hwloc's and libxml2's own diagnostics are
 * captured and folded into that line). On failure the output structure is
 * left empty, safe to free.
 *
 * Node ids are OS node numbers (hwloc's os_index), sparse in general
 * (256ppc-8n8s4t: 0,1,4,5,8,9,12,13). Nodes are kept in ascending nid order;
 * every per-node array (nodes, the distance matrix) uses that order.
 */
#ifndef DISCONTIG_TOPOLOGY_H
#define DISCONTIG_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <discontig/discontig.h>

/* Where a topology comes from. */
enum dc_topo_source {
	DC_TOPO_LIVE,		/* this machine (hwloc's environment may
				   redirect it: HWLOC_XMLFILE, ...) */
	DC_TOPO_XML,		/* an hwloc XML export; arg is the file */
	DC_TOPO_SYNTHETIC,	/* an hwloc synthetic description; arg */
	DC_TOPO_FSROOT,		/* an extracted Linux sysfs snapshot (the
				   .tar.bz2 files of hwloc's tests/hwloc/linux);
				   arg is the directory holding sys/ */
};

/* One NUMA node. */
struct dc_topo_node {
	int nid;		/* OS node number (hwloc os_index) */
	uint64_t memory;	/* bytes (hwloc attr->numanode.local_memory) */
	unsigned ncpus;
	unsigned *cpus;		/* OS numbers of the PUs whose home node this
				   is, ascending; see dc_topo_load() */
	bool memory_only;	/* no cpu has this node as its home node */
};

struct dc_topology {
	enum dc_topo_source kind;	/* as asked */
	char source[320];	/* "live machine", "XML FILE",
				   "XML FILE (from HWLOC_XMLFILE)", ... */
	bool live;		/* really this machine: the host layout applies */
	struct dc_topo_node *nodes;	/* ascending nid */
	unsigned nnodes;
	unsigned *distance;	/* nnodes x nnodes, row-major, nodes order;
				   10/20 defaults when !has_distances */
	bool has_distances;	/* from an hwloc matrix */
	char distance_note[160];	/* why the defaults were used, or a
					   partial matrix; "" if nothing */
};

/**
 * dc_topo_load() - load a topology with hwloc 2.x
 * @t:      filled on success; emptied on failure (dc_topo_free() is safe)
 * @src:    where from
 * @arg:    the XML file, synthetic description or sysfs root; ignored for
 *          DC_TOPO_LIVE (may be NULL)
 * @err:    one-line reason on failure; may be NULL
 * @errlen: size of @err
 *
 * Keeps memory-only nodes and nodes disallowed to this process
 * (HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED). Distances come from
 * hwloc_distances_get_by_type() on NUMA nodes: a latency matrix if there is
 * one (the widest), else any non-bandwidth matrix, never just "the first
 * matrix" (16amd64-4distances.xml has four, three on other object types).
 * Without one, or if a value is outside 1..65535, the defaults 10 (self) and
 * 20 (others) are used and @t->distance_note says why.
 *
 * cpus: each PU belongs to exactly one node, its "home" node, as Linux puts
 * each cpu in one node: the first NUMA node attached at or above the PU
 * (hwloc lists normal memory before MCDRAM/NVM there). A node that is home
 * to no PU is memory-only, like the CPU-less node 16 of 128ia64-17n4s2c or
 * the MCDRAM node of a KNL, whose hwloc cpuset is the whole machine.
 *
 * For DC_TOPO_XML, DC_TOPO_SYNTHETIC and DC_TOPO_FSROOT, hwloc's redirecting
 * environment variables (HWLOC_XMLFILE, HWLOC_SYNTHETIC, HWLOC_FSROOT,
 * HWLOC_COMPONENTS) are set aside during the load, so that what is loaded
 * is what was asked. For DC_TOPO_LIVE they are honoured and named in
 * @t->source ("XML f.xml (from HWLOC_XMLFILE)"); @t->live is then false.
 * Not thread-safe: it changes the environment and fd 2 for the duration.
 *
 * Return: 0; DC_ENOENT (file or directory missing or unreadable);
 * DC_EINVAL (not XML, an XML hwloc refuses such as version 3.0, a synthetic
 * string that does not parse, a node id >= DC_MAX_NODES, two PUs or two
 * NUMA nodes with one OS index, an input hwloc crashes on, NULL @t or a
 * missing @arg); DC_ENOMEM (malloc or fork failed). Every input is loaded
 * first in a forked child, so that a crash inside hwloc (issue 14, finding
 * 10) is this one-line error and never the caller's death.
 */
int dc_topo_load(struct dc_topology *t, enum dc_topo_source src,
		 const char *arg, char *err, size_t errlen);

/**
 * dc_topo_free() - release what dc_topo_load() allocated
 * @t: a loaded or emptied topology, or NULL
 */
void dc_topo_free(struct dc_topology *t);

/**
 * dc_topo_index() - position of node @nid in @t->nodes
 * @t:   a loaded topology
 * @nid: an OS node number
 *
 * Return: the index, or -1 if @t has no node @nid.
 */
int dc_topo_index(const struct dc_topology *t, int nid);

/* One fragment of memory, or one firmware reservation (nid = owner). */
struct dc_fragment {
	int nid;
	dc_addr_t base;
	dc_size_t size;		/* > 0 */
};

struct dc_layout_opts {
	bool strict;		/* reject what the model would drop or widen */
	dc_size_t gap;		/* flat only: bytes between nodes */
	const char *sysfs_root;	/* host only: NULL is "/sys"; for tests */
};

struct dc_layout {
	char name[16];		/* the model used: "host", "flat", "sn1",
				   "wildfire" (host may fall back to flat) */
	unsigned page_shift;	/* 12 host/flat, 14 sn1, 13 wildfire */
	struct dc_fragment *frags;	/* sorted by (nid, base) */
	size_t nfrags;
	struct dc_fragment *reserved;	/* sorted by base; nid = owner */
	size_t nreserved;
	char **notes;		/* what was dropped, widened, fallen back */
	size_t nnotes;
};

/**
 * dc_layout_make() - lay a topology out in physical memory
 * @t:      a loaded topology
 * @model:  "host", "flat", "sn1" or "wildfire" (LAYOUTS.md)
 * @o:      strict mode, flat gap; NULL for defaults
 * @out:    filled on success; emptied on failure (dc_layout_free() is safe)
 * @err:    one-line reason on failure; may be NULL
 * @errlen: size of @err
 *
 * Fragments never overlap; adjacent fragments of one node may follow each
 * other (Wildfire modules), as the model says. Nodes with no memory get no
 * fragment. Decisions where LAYOUTS.md leaves room are at the top of
 * each model's file (topology/flat.c, sn1.c, wildfire.c, host.c).
 *
 * Return: 0; DC_EINVAL (unknown model, --gap with a model other than flat,
 * host on a topology that is not the live machine, a node the model cannot
 * represent, or with @o->strict a node it would have to shrink or widen;
 * @err names the node and the rule); DC_ERANGE (the layout would pass
 * 2^64); DC_ENOMEM.
 */
int dc_layout_make(const struct dc_topology *t, const char *model,
		   const struct dc_layout_opts *o, struct dc_layout *out,
		   char *err, size_t errlen);

/**
 * dc_layout_free() - release what dc_layout_make() allocated
 * @l: a made or emptied layout, or NULL
 */
void dc_layout_free(struct dc_layout *l);

/**
 * dc_layout_memory() - bytes of memory in a layout (sum of fragments)
 * @l:   a made layout
 * @nid: one node, or DC_NO_NODE for all
 *
 * Return: the sum of the sizes of @nid's fragments (0 if it has none).
 */
dc_size_t dc_layout_memory(const struct dc_layout *l, int nid);

/**
 * dc_layout_pool_bytes() - initial pool that dc_layout_apply() needs
 * @l: a made layout
 *
 * DC_POOL_BYTES() of the layout's fragments, reservations and nodes with
 * memory: what dc_layout_apply() makes of them, on every backend.
 *
 * Return: a byte count for struct dc_config.pool_bytes.
 */
dc_size_t dc_layout_pool_bytes(const struct dc_layout *l);

/**
 * dc_layout_apply() - register a layout with a system
 * @l:   a made layout
 * @t:   its topology, for distances; NULL to keep the defaults
 * @sys: a system in SETUP, dc_init()'ed with page_shift = @l->page_shift and
 *       a pool of at least dc_layout_pool_bytes(@l)
 *
 * dc_add_memory() for each fragment, then dc_set_distance() for each
 * distance between two nodes with memory that differs from the default
 * (10 self, 20 others), then dc_reserve() for each firmware reservation.
 * Nothing is stolen (SETUP), so phys_to_virt is not called.
 *
 * Return: 0, or the first failing call's DC_E* code (DC_EINVAL for NULL
 * @l/@sys); the system is then partly set up and should be thrown away.
 */
int dc_layout_apply(const struct dc_layout *l, const struct dc_topology *t,
		    struct dc_system *sys);

#endif /* DISCONTIG_TOPOLOGY_H */
