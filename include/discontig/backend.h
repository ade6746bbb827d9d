/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backend.h - the interface between the per-node manager and a backend.
 *
 * DOC: backends
 * A backend tracks which bytes of one node are free. It keeps its state in
 * dc_node.state (DC_BACKEND_STATE_WORDS words) and takes metadata only
 * through core/pool.h. The node layer (nodes/) calls it with arguments it
 * has already validated:
 *
 *  - every range is [base, last], last inclusive, base <= last;
 *  - every range handed to add/remove/probe/reserve/free lies inside
 *    registered memory of this node (the node layer owns the fragment map);
 *  - before a mutating call (add_memory, remove_memory, drop, reserve,
 *    free, alloc) the node layer has called probe() where the call says so
 *    and prepare(n, k) for the k mutating calls it is about to make on
 *    this node. A mutating call after a successful prepare() must not fail
 *    for lack of metadata. Between prepare() and the calls, the metadata
 *    layer (core/pool.c) may reserve and free blocks it steals from this
 *    node (never inside the range the public call targets); each such
 *    reservation is itself prepared with prepare(n, 1) first.
 *  - a mutating call that fails changes nothing.
 *  - a backend never decides where metadata comes from: entries come from
 *    dc_pool_prepare()/dc_pool_get(), blocks from dc_pool_block() and
 *    dc_meta_steal() (core/pool.h).
 *
 * Byte-exact backends (tree, array) must give identical results for
 * identical calls. A page-granular backend (bitmap) sets page_granular and
 * may differ only as its file's header comment documents.
 */
#ifndef DISCONTIG_BACKEND_H
#define DISCONTIG_BACKEND_H

#include <discontig/discontig.h>

/* A search: the range [a, a + size - 1] with a % align == 0 and
 * lo <= a, a + size - 1 <= last, entirely free. */
struct dc_window {
	dc_addr_t lo;		/* lowest acceptable first byte */
	dc_addr_t last;		/* highest acceptable last byte */
	dc_size_t size;		/* > 0 */
	dc_size_t align;	/* power of two, >= 1 */
	bool top_down;		/* highest fit, else lowest */
};

/* What a backend reports; the node layer derives dc_stats from it. */
struct dc_backend_stats {
	dc_size_t free;		/* free bytes (released ones included) */
	dc_size_t taken;	/* used + metadata bytes in its memory */
	dc_size_t free_extents;	/* maximal free ranges */
};

enum dc_probe { DC_PROBE_FREE, DC_PROBE_TAKEN };

struct dc_backend_ops {
	const char *name;
	bool page_granular;	/* tracks pages, not bytes (bitmap) */

	/* Empty node state. SETUP. */
	int (*init)(struct dc_node *n);
	/* Make the next k mutating calls unable to fail for lack of
	 * metadata: 0 or DC_ENOSPC. Cumulative within a public call. May
	 * steal (core/pool.h); what it took is given back by the call's
	 * transaction when the call fails. */
	int (*prepare)(struct dc_node *n, unsigned k);
	/* Optional: at the end of the public call. ok: it succeeded, keep
	 * what prepare() built; !ok: go back to the state before prepare()
	 * (the transaction has already undone the steals of the call). */
	void (*finish)(struct dc_node *n, bool ok);
	/* New registered memory, free. SETUP. */
	int (*add_memory)(struct dc_node *n, dc_addr_t base, dc_addr_t last);
	/* Unregister free memory: DC_EBUSY (nothing changed) if a byte is
	 * taken. SETUP. */
	int (*remove_memory)(struct dc_node *n, dc_addr_t base,
			     dc_addr_t last);
	/* [base, last] leaves this node (dc_set_node): forget it, free or
	 * taken alike; it is one run, wholly free or wholly taken. SETUP. */
	int (*drop)(struct dc_node *n, dc_addr_t base, dc_addr_t last);
	/* DC_PROBE_FREE: 0 if every byte is free, else DC_EBUSY.
	 * DC_PROBE_TAKEN: 0 if no byte is free, else DC_ENOENT. Pure. */
	int (*probe)(const struct dc_node *n, dc_addr_t base, dc_addr_t last,
		     enum dc_probe want);
	/* Take a probed-free range. */
	int (*reserve)(struct dc_node *n, dc_addr_t base, dc_addr_t last);
	/* Give back a probed-taken range. */
	int (*free)(struct dc_node *n, dc_addr_t base, dc_addr_t last);
	/* SETUP -> READY for this node: 0 or DC_ENOSPC (nothing changed). */
	int (*finalize)(struct dc_node *n);
	/* Undo a successful finalize when another node failed. */
	void (*unfinalize)(struct dc_node *n);
	/* Find a fit without taking it: 0 or DC_ENOMEM. Pure. The address
	 * is exactly what alloc() would return now. */
	int (*find)(const struct dc_node *n, const struct dc_window *w,
		    dc_addr_t *out);
	/* Find and take a fit: 0 or DC_ENOMEM. READY. */
	int (*alloc)(struct dc_node *n, const struct dc_window *w,
		     dc_addr_t *out);
	/* The first free range with last byte >= from, clipped to start at
	 * from or later: 0, or DC_ENOENT if there is none. Pure. */
	int (*next_free)(const struct dc_node *n, dc_addr_t from,
			 dc_addr_t *base, dc_addr_t *last);
	/* Own invariants: 0, or the number of the first broken one. */
	int (*check)(const struct dc_node *n);
	void (*stats)(const struct dc_node *n, struct dc_backend_stats *s);
};

extern const struct dc_backend_ops dc_backend_tree;
extern const struct dc_backend_ops dc_backend_bitmap;
extern const struct dc_backend_ops dc_backend_array;

/**
 * dc_backend_find() - a compiled-in backend by name
 * @name: "tree", "bitmap" or "array"
 *
 * Return: its ops table, or NULL if it is not compiled in or @name is NULL.
 */
const struct dc_backend_ops *dc_backend_find(const char *name);

/**
 * dc_backend_default() - the compile-time default backend (DC_BACKEND)
 *
 * Return: its ops table, never NULL.
 */
const struct dc_backend_ops *dc_backend_default(void);

#endif /* DISCONTIG_BACKEND_H */
