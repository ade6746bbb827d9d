/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * discontig.h - the public API of the discontig boot memory allocator.
 *
 * DOC: discontig
 * A boot-time physical memory allocator for NUMA machines whose memory is
 * discontiguous. Memory is registered as fragments owned by nodes; free
 * memory is tracked by a backend (an extent tree, the 2.4 bitmap or
 * memblock's sorted arrays) behind one interface. The system moves through
 * four phases:
 *
 *   SETUP --dc_finalize--> READY --dc_release_all--> RETIRED
 *         --dc_release_metadata--> GONE
 *
 * Error convention (stated once, here): every call returns 0 on success or
 * a negative DC_E* code. Results go out through pointers, which are written
 * only on success. A call that fails changes nothing: stats, walks and
 * dc_check() are exactly as before, also when the metadata pool runs dry in
 * the middle of an operation.
 *
 * Ranges are [base, base + size). A range whose last byte would lie past
 * 2^64 - 1 is DC_ERANGE; a range that ends exactly at 2^64 is valid.
 *
 * Freestanding: this header takes its types from <discontig/env.h> and the
 * library's build options from <discontig/config.h>, and includes nothing
 * else; a kernel can include it as is (kbuild: -D__KERNEL__, -nostdinc).
 */
#ifndef DISCONTIG_DISCONTIG_H
#define DISCONTIG_DISCONTIG_H

#include <discontig/config.h>
#include <discontig/env.h>

typedef uint64_t dc_addr_t;	/* physical address, 64 bits everywhere */
typedef uint64_t dc_size_t;	/* byte count */

#define DC_NO_NODE (-1)

/* DC_MAX_NODES (config.h): largest node id + 1; nids are OS node numbers
 * and may be sparse. Default 1024: Linux distribution kernels use
 * NODES_SHIFT=10. */

#define DC_DEFAULT_ALIGN 64u	/* dc_request.align == 0 means this */
#define DC_MAX_ORDER 10		/* largest block handed over: 2^10 pages */

/* Fixed size of one metadata pool entry (a tree node, a list element). */
#define DC_POOL_ENTRY_SIZE 64u

/*
 * DC_POOL_BYTES() - initial pool for a machine described in SETUP
 * @frags:    fragments registered (dc_add_memory calls; a dc_set_node that
 *            splits a fragment adds one)
 * @reserved: reservations made in SETUP (a dc_reserve_loose counts once per
 *            free piece it reserves)
 * @nodes:    nodes that exist (with memory or CPU-only)
 *
 * Enough for every SETUP call and dc_finalize() on any backend, whatever
 * the order of the calls, provided distances are set once the nodes exist
 * (an SRAT before its SLIT): the distance table is sized then, and a node
 * created after it regrows the table, costing another 2 * nodes^2 bytes.
 * Per range: four entries (a free extent split in two, its used neighbour,
 * what a call holds while it runs) or an array slot amortised over
 * memblock-style doubling; per node: its descriptor, two smallest region
 * arrays, and three B-tree nodes (the tree backend's first leaf and the
 * two a split of it takes); the distance table; one call's worst-case
 * hold. The pool is used in whole entries, each on its own cache line:
 * its two ends and each block are rounded to DC_POOL_ENTRY_SIZE (64), so
 * a descriptor counts rounded up, and 192 bytes cover the two ends and
 * the distance table's rounding.
 * A constant expression: static char pool[DC_POOL_BYTES(16, 32, 4)];
 * tests/unit/test_pool_size.c checks it on every backend.
 */
#define DC_POOL_BYTES(frags, reserved, nodes)                               \
	((((dc_size_t)(frags) + (dc_size_t)(reserved)) * 4 +                 \
	  DC_POOL_HOLD_ENTRIES) * DC_POOL_ENTRY_SIZE +                       \
	 (dc_size_t)(nodes) * ((sizeof(struct dc_node) + 63) / 64 * 64 +     \
			      128 + 3 * DC_POOL_TREE_NODE_SIZE) +        \
	 (dc_size_t)(nodes) * (dc_size_t)(nodes) * 2 + 192)
#define DC_POOL_HOLD_ENTRIES 16u	/* the most one call holds at once */
#define DC_POOL_TREE_NODE_SIZE 512u	/* the tree backend's B-tree node */

/* Bytes of private per-node state a backend may keep inside dc_node. */
#define DC_BACKEND_STATE_WORDS 14
/* A backend's memo for the call in progress (core/pool.h, dc_txn_memo) */
#define DC_TXN_MEMO_WORDS 34

enum {
	DC_OK = 0,
	DC_EINVAL = -1,	 /* bad argument: size 0, bad align, NULL, bad nid */
	DC_ERANGE = -2,	 /* range wraps past the top of the address space */
	DC_ENOMEM = -3,	 /* no free memory satisfies the request */
	DC_EBUSY = -4,	 /* range is (partly) used or metadata already */
	DC_ENOENT = -5,	 /* range is (partly) not registered memory, or a
			    free of bytes that are not used */
	DC_EEXIST = -6,	 /* dc_add_memory overlaps registered memory */
	DC_ENOSPC = -7,	 /* metadata exhausted: pool empty, nothing to steal */
	DC_ESTATE = -8,	 /* call not allowed in the current phase */
};

/* struct dc_config.flags */
#define DC_CFG_TOP_DOWN (1u << 0)	/* default direction: highest fit */

/* struct dc_request.flags */
#define DC_REQ_EXACT_NODE (1u << 0)	/* never fall back to another node */
#define DC_REQ_TOP_DOWN (1u << 1)	/* highest fit (memblock's default) */
#define DC_REQ_BOTTOM_UP (1u << 2)	/* lowest fit (2.4 bootmem's) */
#define DC_REQ_RELAX_MIN (1u << 3)	/* min_addr is a goal: retry from 0 */
#define DC_REQ_ZERO (1u << 4)		/* zero the bytes via phys_to_virt */

enum dc_phase { DC_SETUP = 1, DC_READY, DC_RETIRED, DC_GONE };

struct dc_backend_ops;

struct dc_config {
	unsigned page_shift;	/* 0 -> 12 (4 KiB); 13 alpha, 14 ia64 */
	const struct dc_backend_ops *backend; /* NULL -> compile-time default */
	void *pool;		/* initial metadata pool, caller's storage */
	dc_size_t pool_bytes;
	unsigned flags;		/* DC_CFG_* */
	dc_addr_t access_limit;	/* end (exclusive) of what phys_to_virt can
				   map; 0 = all of it (memblock's
				   current_limit, a kernel's direct map) */
};

struct dc_platform {
	/* Map len bytes of managed memory at pa for the allocator's own use
	 * (stolen pages, bitmaps, zeroing); NULL if it cannot. Kernel: __va()
	 * below the direct-map limit. */
	void *(*phys_to_virt)(void *ctx, dc_addr_t pa, dc_size_t len);
	void (*log)(void *ctx, const char *line);	/* optional */
	void *ctx;
};

struct dc_request {
	dc_size_t size;
	dc_size_t align;	/* 0 -> DC_DEFAULT_ALIGN; else a power of two */
	dc_addr_t min_addr;	/* lowest acceptable start */
	dc_addr_t max_addr;	/* end bound, exclusive; 0 = no bound */
	int nid;		/* preferred node or DC_NO_NODE */
	unsigned flags;		/* DC_REQ_* */
};

struct dc_stats {
	dc_size_t memory;	/* registered bytes */
	dc_size_t used;		/* reserved or allocated by the caller */
	dc_size_t metadata;	/* managed memory taken by the allocator */
	dc_size_t free;		/* not used, not metadata, not released */
	dc_size_t released;	/* handed to the page allocator */
	dc_size_t fragments;	/* registered fragments */
	dc_size_t free_extents;	/* maximal free ranges */
	dc_size_t allocs;	/* successful dc_alloc */
	dc_size_t frees;	/* successful dc_free */
	dc_size_t failed;	/* failed dc_alloc */
	dc_size_t steals;	/* metadata blocks taken from managed memory */
	dc_size_t remote_steals; /* of those, taken from another node because
				    this one had nothing left */
	dc_size_t pool_free;	/* metadata pool entries left */
	dc_size_t page_handoffs; /* order-0 frees the 2.4 per-page hand-off
				    loop would have made for what was released */
	dc_size_t nodes;	/* nodes counted (1 for a single node) */
};

/* Private below this line: defined here only so that an embedder can place
 * a system in static storage. */

struct dc_extent;

struct dc_tree {		/* see core/tree.h */
	struct dc_extent *root;
	dc_size_t count;	/* extents */
	dc_size_t bytes;	/* sum of extent sizes, mod 2^64 */
};

struct dc_system;

struct dc_node {
	struct dc_system *sys;
	int nid;
	unsigned index;		/* dense index into the distance table */
	uint64_t state[DC_BACKEND_STATE_WORDS];	/* the backend's */
	struct dc_tree meta;	/* metadata blocks taken from this node */
	void *entries;		/* free entries stolen for this node */
	dc_size_t nentries;
	void *held;		/* entries held for the call in progress */
	dc_size_t nheld;
	struct dc_node *txn_next;	/* nodes the call in progress touched */
	dc_size_t memory, fragments, released, released_meta;
	dc_size_t allocs, frees, failed, steals, remote_steals, handoffs;
	unsigned steal_shift;	/* next steal takes 2^steal_shift pages */
	bool touched;		/* on the call's list (txn_next) */
};

struct dc_pool {		/* the caller's initial pool, see core/pool.c */
	uintptr_t start, end;	/* as given, entry-aligned inward */
	uintptr_t lo, hi;	/* untouched bytes [lo, hi) */
	void *entries;		/* free entries */
	dc_size_t nentries;
	dc_size_t bytes;	/* as given */
};

/* The call in progress (see core/pool.c, "Transactions"). */
struct dc_txn {
	void *journal;		/* pending steals of this call, newest first */
	struct dc_node *touched;	/* nodes that held entries or prepared */
	dc_addr_t excl_base[3], excl_last[3];	/* never steal from these */
	unsigned nexcl;
	bool finalizing;	/* dc_finalize: steals are allowed */
	uint64_t memo[DC_TXN_MEMO_WORDS];	/* the backend's, per call */
};

struct dc_system {
	uint32_t magic;
	uint32_t phase;		/* enum dc_phase */
	unsigned page_shift;
	unsigned flags;
	const struct dc_backend_ops *ops;
	struct dc_platform plat;
	struct dc_pool pool;
	struct dc_txn txn;
	struct dc_tree fragments;	/* every fragment, all nodes; nid in
					   each extent */
	const struct dc_extent *frag_hint;	/* last fragment looked up;
						   NULL whenever the map
						   changes */
	uint16_t *distance;	/* dim x dim, in metadata; NULL: defaults */
	unsigned dim;		/* rows of distance */
	unsigned nr_nodes;	/* nodes present */
	dc_addr_t access_end;	/* the access limit, exclusive; 0: none */
	dc_addr_t map_end;	/* learned: lowest start phys_to_virt refused */
	bool map_learned;	/* map_end is set */
	dc_size_t total_memory;	/* registered bytes, all nodes */
	dc_size_t failed_anynode;	/* failed DC_NO_NODE allocations */
	int16_t present[DC_MAX_NODES];	/* nids present, ascending */
	struct dc_node *node[DC_MAX_NODES];	/* by nid; in the pool */
};

/**
 * dc_strerror() - name an error code
 * @err: 0 or a DC_E* code
 *
 * Return: a constant string ("DC_ENOMEM: no free memory ..."), never NULL.
 */
const char *dc_strerror(int err);

/**
 * dc_init() - start an empty system in SETUP
 * @sys:  caller storage for the system
 * @cfg:  page size, backend, initial pool, default direction, access limit
 * @plat: how to reach managed memory; copied
 *
 * The initial pool holds every node descriptor, fragment and tree node until
 * dc_finalize(); after it the allocator steals pages from managed memory.
 * The pool stays the caller's memory: it is never released or counted as
 * metadata.
 *
 * dc_init() is an inline wrapper that passes the layout this caller was
 * compiled with (DC_MAX_NODES, the sizes of struct dc_system and struct
 * dc_node) to dc_init_abi(), which refuses a layout that differs from the
 * library's (config.h) before it writes anything.
 *
 * Return: 0; DC_EINVAL (NULL @sys/@cfg/@plat or phys_to_virt, page_shift
 * outside 12..30, pool NULL with pool_bytes > 0, unknown flags, a pool range
 * that wraps, a caller compiled with another DC_MAX_NODES or struct layout
 * than the library: then @sys is not written).
 */
int dc_init_abi(struct dc_system *sys, const struct dc_config *cfg,
		const struct dc_platform *plat, uint64_t abi);

/* The layout a caller was compiled with, as dc_init_abi() compares it. */
#define DC_ABI_KEY                                                         \
	((uint64_t)DC_MAX_NODES << 40 ^                                    \
	 (uint64_t)sizeof(struct dc_system) << 8 ^                         \
	 (uint64_t)sizeof(struct dc_node) << 24 ^ (uint64_t)DC_ABI_VERSION)
#define DC_ABI_VERSION 2u

static inline int dc_init(struct dc_system *sys, const struct dc_config *cfg,
			  const struct dc_platform *plat)
{
	return dc_init_abi(sys, cfg, plat, DC_ABI_KEY);
}

/**
 * dc_add_memory() - register a fragment of node @nid
 * @sys:  the system; SETUP
 * @nid:  0 .. DC_MAX_NODES-1
 * @base: first byte
 * @size: bytes, > 0
 *
 * Adjacent fragments of the same node merge. Fragments of different nodes
 * may interleave and may be added in any order. A node is created on its
 * first fragment if it does not exist.
 *
 * Return: 0; DC_EINVAL (NULL, size 0, bad nid); DC_ERANGE (wraps, or all
 * registered memory would reach 2^64 bytes, which no dc_size_t holds);
 * DC_EEXIST (overlaps registered memory); DC_ENOSPC (pool exhausted);
 * DC_ESTATE (not SETUP).
 */
int dc_add_memory(struct dc_system *sys, int nid, dc_addr_t base,
		  dc_size_t size);

/**
 * dc_remove_memory() - unregister a free range (mem=, bad memory)
 * @sys:  the system; SETUP
 * @base: first byte
 * @size: bytes, > 0; may split a fragment and span fragments
 *
 * Return: 0; DC_EINVAL; DC_ERANGE; DC_ENOENT (a byte is not registered);
 * DC_EBUSY (a byte is used); DC_ENOSPC; DC_ESTATE (not SETUP).
 */
int dc_remove_memory(struct dc_system *sys, dc_addr_t base, dc_size_t size);

/**
 * dc_set_distance() - set the NUMA distance from node @from to node @to
 * @sys:      the system; SETUP
 * @from:     0 .. DC_MAX_NODES-1; created without memory if absent
 * @to:       likewise
 * @distance: 1 .. 65535; defaults are 10 (self) and 20 (others)
 *
 * The table of the nodes present lives in the pool: it is made on the
 * first call, and grows when nodes are added after it. A SLIT names
 * CPU-only nodes too: they are created as dc_add_node() would.
 *
 * Return: 0; DC_EINVAL (NULL, nid out of range, distance 0 or > 65535);
 * DC_ENOSPC (pool exhausted; nothing changed); DC_ESTATE (not SETUP).
 */
int dc_set_distance(struct dc_system *sys, int from, int to,
		    unsigned distance);

/**
 * dc_reserve() - mark registered memory as used
 * @sys:  the system; SETUP or READY
 * @base: first byte
 * @size: bytes, > 0; may span fragments and nodes
 *
 * For memory busy before we knew of it: kernel image, firmware tables.
 *
 * Return: 0; DC_EINVAL (NULL @sys, @size 0); DC_ERANGE (wraps past 2^64);
 * DC_ENOENT (a byte is not registered); DC_EBUSY (a byte is used or
 * metadata); DC_ENOSPC (no metadata for the split); DC_ESTATE (RETIRED).
 * On error nothing has changed.
 */
int dc_reserve(struct dc_system *sys, dc_addr_t base, dc_size_t size);

/**
 * dc_reserve_loose() - mark what is free of a firmware range as used
 * @sys:   the system; SETUP or READY
 * @base:  first byte
 * @size:  bytes, > 0; may cover holes, other nodes, used bytes, metadata
 * @newly: bytes that became used, or NULL
 *
 * For ranges that firmware describes loosely (the BIOS areas, e820
 * reserved entries, the boot information inside memory already reserved):
 * memblock_reserve()'s leniency without its double counting. Every free
 * byte of [base, base + size) that is registered memory becomes used;
 * holes and bytes already used or metadata are skipped.
 *
 * Return: 0 (also when nothing was free); DC_EINVAL (NULL @sys, @size 0);
 * DC_ERANGE (wraps past 2^64); DC_ENOSPC (no metadata for the splits;
 * nothing changed); DC_ESTATE (not SETUP or READY).
 */
int dc_reserve_loose(struct dc_system *sys, dc_addr_t base, dc_size_t size,
		     dc_size_t *newly);

/**
 * dc_set_node() - give registered memory to another node
 * @sys:  the system; SETUP
 * @base: first byte
 * @size: bytes, > 0; holes inside it are skipped
 * @nid:  the new owner, 0 .. DC_MAX_NODES-1 (created if absent)
 *
 * memblock_set_node(): RAM may be registered from the firmware map first,
 * on any node, and placed once the SRAT is read. Fragments are split at
 * the range's edges and merged with touching fragments of @nid; used bytes
 * move with their memory (a reservation made before the SRAT keeps its
 * bytes). A node left without memory stays, memoryless (as after
 * dc_add_node()).
 *
 * Return: 0 (also when no byte of the range is memory); DC_EINVAL (NULL,
 * size 0, bad nid); DC_ERANGE (wraps); DC_ENOSPC (pool exhausted; nothing
 * changed); DC_ESTATE (not SETUP).
 */
int dc_set_node(struct dc_system *sys, dc_addr_t base, dc_size_t size,
		int nid);

/**
 * dc_add_node() - make a node exist without memory
 * @sys: the system; SETUP
 * @nid: 0 .. DC_MAX_NODES-1
 *
 * A CPU-only node of the SRAT: distances can then be set for it and
 * requests can name it (they fall back by distance from it). Adding a
 * node that exists is not an error.
 *
 * Return: 0; DC_EINVAL (NULL, bad nid); DC_ENOSPC (pool exhausted);
 * DC_ESTATE (not SETUP).
 */
int dc_add_node(struct dc_system *sys, int nid);

/**
 * dc_set_access_limit() - move the end of what phys_to_virt can map
 * @sys:   the system; SETUP or READY
 * @limit: first byte that may not be mapped; 0 = no limit
 *
 * Memory at or above the limit is never handed to phys_to_virt: metadata
 * is placed below it (found by one search, never by probing), and
 * DC_REQ_ZERO requests are confined below it. A kernel raises it as it
 * maps more memory (memblock_set_current_limit()).
 *
 * Return: 0; DC_EINVAL (NULL); DC_ESTATE (not SETUP or READY).
 */
int dc_set_access_limit(struct dc_system *sys, dc_addr_t limit);

/**
 * dc_finalize() - close the memory map and allow allocation
 * @sys: the system; SETUP
 *
 * From now on metadata may be stolen from free memory (the map is complete,
 * so a free page really is free). The bitmap backend places its bitmaps here.
 *
 * Return: 0; DC_EINVAL (NULL); DC_ENOSPC (a node cannot hold its metadata;
 * still SETUP, nothing changed); DC_ESTATE (not SETUP).
 */
int dc_finalize(struct dc_system *sys);

/**
 * dc_alloc() - allocate memory
 * @sys: the system; READY
 * @req: size, alignment, [min_addr, max_addr) window, node and flags
 * @out: the address, written on success only
 *
 * Returns a with a % align == 0, min_addr <= a, a + size <= max_addr (if
 * max_addr != 0), the whole range free and inside one fragment of one node.
 * Search order: the preferred node, then (unless DC_REQ_EXACT_NODE) the
 * other nodes by increasing distance from it, ties to the lower nid; with
 * DC_NO_NODE all memory at once. Then, with DC_REQ_RELAX_MIN and min_addr
 * != 0, the whole search again from 0. DC_REQ_TOP_DOWN takes the highest
 * fitting address, DC_REQ_BOTTOM_UP the lowest, neither the system default.
 *
 * DC_REQ_EXACT_NODE with DC_NO_NODE changes nothing (all memory is
 * searched, as memblock_alloc_exact_nid_raw(NUMA_NO_NODE) does). A nid that
 * has no memory, or was never created, is not an error: the search falls
 * back by distance from it (defaults where none were set), or, with
 * DC_REQ_EXACT_NODE, finds nothing.
 *
 * DC_REQ_ZERO: only memory below the access limit that phys_to_virt maps
 * is searched, as if max_addr were min(max_addr, limit); the fit is known
 * to map before it is taken.
 *
 * Return: 0; DC_EINVAL (NULL, size 0, align not a power of two, both
 * directions, unknown flags, nid out of range, min_addr >= max_addr);
 * DC_ERANGE (min_addr + size wraps); DC_ENOMEM (nothing fits); DC_ENOSPC
 * (no metadata for the split); DC_ESTATE (not READY).
 */
int dc_alloc(struct dc_system *sys, const struct dc_request *req,
	     dc_addr_t *out);

/**
 * dc_free() - give back used memory
 * @sys:  the system; SETUP or READY
 * @base: first byte
 * @size: bytes, > 0; may span fragments and nodes
 *
 * Return: 0; DC_EINVAL; DC_ERANGE; DC_ENOENT (a byte is free or not
 * registered: double free); DC_EBUSY (a byte is metadata); DC_ENOSPC;
 * DC_ESTATE (not SETUP or READY).
 */
int dc_free(struct dc_system *sys, dc_addr_t base, dc_size_t size);

/**
 * typedef dc_release_fn - receives 2^order pages at base, naturally aligned
 *
 * Must not write into the pages before dc_release_all() or
 * dc_release_metadata() returns (Linux's __free_pages_core() writes only
 * struct page): metadata still lives there during dc_release_metadata().
 */
typedef void (*dc_release_fn)(void *ctx, int nid, dc_addr_t base,
			      unsigned order);

/**
 * dc_release_all() - hand every whole free page to the page allocator
 * @sys:      the system; READY
 * @fn:       receives naturally aligned blocks, up to 2^DC_MAX_ORDER pages,
 *            ascending per node, nodes in ascending nid
 * @ctx:      passed to @fn
 * @released: total bytes handed over, or NULL
 *
 * Partial pages at the edges of free extents stay free. Moves to RETIRED.
 *
 * Return: 0; DC_EINVAL (NULL @sys or @fn); DC_ESTATE (not READY).
 */
int dc_release_all(struct dc_system *sys, dc_release_fn fn, void *ctx,
		   dc_size_t *released);

/**
 * dc_release_metadata() - hand the stolen metadata pages over too
 * @sys:      the system; RETIRED
 * @fn:       as for dc_release_all()
 * @ctx:      passed to @fn
 * @released: total bytes handed over, or NULL
 *
 * The caller's initial pool stays the caller's. Moves to GONE.
 *
 * Return: 0; DC_EINVAL (NULL @sys or @fn); DC_ESTATE (not RETIRED).
 */
int dc_release_metadata(struct dc_system *sys, dc_release_fn fn, void *ctx,
			dc_size_t *released);

/**
 * dc_node_of() - which node owns an address
 * @sys:  the system; SETUP, READY or RETIRED
 * @addr: any address
 *
 * O(log fragments).
 *
 * Return: the nid; DC_ENOENT (not registered memory); DC_EINVAL (NULL);
 * DC_ESTATE (GONE).
 */
int dc_node_of(const struct dc_system *sys, dc_addr_t addr);

/**
 * dc_stats() - counters of one node or of all
 * @sys: the system; any phase
 * @nid: a node, or DC_NO_NODE for the sum over all nodes
 * @out: written on success
 *
 * Return: 0; DC_EINVAL (NULL, bad or absent nid).
 */
int dc_stats(const struct dc_system *sys, int nid, struct dc_stats *out);

enum dc_walk_kind {
	DC_WALK_MEMORY,	  /* registered fragments */
	DC_WALK_FREE,	  /* free extents (bitmap: whole free pages) */
	DC_WALK_USED,	  /* memory minus free, metadata and released */
	DC_WALK_METADATA, /* blocks taken from managed memory */
};

typedef int (*dc_walk_fn)(void *ctx, int nid, dc_addr_t base,
			  dc_size_t size);

/**
 * dc_walk() - visit ranges of one kind in ascending address order
 * @sys:  the system; SETUP, READY or RETIRED
 * @nid:  a node, or DC_NO_NODE for all nodes (by address)
 * @kind: what to visit
 * @fn:   called per maximal range; a nonzero return stops the walk
 * @ctx:  passed to @fn
 *
 * A range that ends at 2^64 has size 0 mod 2^64 only if it is the whole
 * address space, which cannot be registered; sizes are exact otherwise.
 *
 * Return: 0, or @fn's nonzero value; DC_EINVAL (NULL, bad kind, bad or
 * absent nid); DC_ESTATE (GONE).
 */
int dc_walk(const struct dc_system *sys, int nid, enum dc_walk_kind kind,
	    dc_walk_fn fn, void *ctx);

/**
 * dc_check() - verify every invariant
 * @sys: the system; SETUP, READY or RETIRED
 *
 * Return: 0, or a positive number naming the first broken invariant
 * (see nodes/check.c); DC_EINVAL (NULL); DC_ESTATE (GONE).
 */
int dc_check(const struct dc_system *sys);

/**
 * dc_phase() - the current phase
 * @sys: the system
 *
 * Return: an enum dc_phase value, or DC_EINVAL (NULL or not initialised).
 */
int dc_phase(const struct dc_system *sys);

#endif /* DISCONTIG_DISCONTIG_H */
