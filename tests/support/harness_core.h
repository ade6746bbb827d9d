/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * harness_core.h - the part of the test harness that the shared
 * scenarios see, in user space and in the Linux module alike: a system
 * on memory the environment provides, snapshots of everything
 * observable (to prove that a failed call changed nothing), walks,
 * accounting, a seeded random generator, and the memory of a NUMA
 * machine to run on.
 *
 * Two environments implement the functions marked "env": user space
 * (tests/support/harness.c: simulated memory backed lazily by the host,
 * tools/sim/platform.c) and the kernel (examples/linux/harness_kernel.c:
 * pages the module took with alloc_pages_node, __va() as phys_to_virt).
 * The rest is in harness_core.c and compiles in both.
 */
#ifndef DC_TESTS_HARNESS_CORE_H
#define DC_TESTS_HARNESS_CORE_H

#include <discontig/backend.h>
#include <discontig/discontig.h>

#include "check.h"

struct dc_harness {
	struct dc_system *sys;
	struct dc_platform plat;
	struct dc_config cfg;
	void *pool;
	void *mem;		/* the environment's backing memory */
	size_t p2v_calls;	/* phys_to_virt calls the library made */
	dc_addr_t refuse_from;	/* phys_to_virt refuses ranges reaching
				   this address and above; 0: never */
};

/* env: a system in SETUP with pool_bytes of initial pool on backend ops;
 * T_ASSERT_FATAL if that fails. */
void h_init(struct dc_harness *h, const struct dc_backend_ops *ops,
	    unsigned page_shift, size_t pool_bytes, unsigned flags);
/* env: make [base, base + size) of nid accessible through phys_to_virt
 * (user space backs it; the kernel checks that the module owns it). */
void h_back(struct dc_harness *h, int nid, dc_addr_t base, dc_size_t size);
/* env: the bytes of backed memory at pa, or NULL. */
void *h_virt(struct dc_harness *h, dc_addr_t pa, dc_size_t len);
void h_fini(struct dc_harness *h);
/* env: zeroed memory, resized memory, freed memory; a log line. */
void *h_zalloc(size_t bytes);
void *h_realloc(void *p, size_t bytes);
void h_free(void *p);
void h_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* For the environments' phys_to_virt: count the call, then true if
 * [pa, pa + len) reaches refuse_from (a direct map that ends there). */
bool h_p2v_refused(struct dc_harness *h, dc_addr_t pa, dc_size_t len);

/* h_back, then dc_add_memory. */
int h_add(struct dc_harness *h, int nid, dc_addr_t base, dc_size_t size);

/*
 * The memory of a NUMA machine: its nodes (CPU-only ones included), the
 * distances between them, and separate chunks of each node's memory, in
 * the order they are to be registered. In the kernel: pages of every
 * online node with their real nids and node_distance(); in user space, a
 * simulated machine of the same shape.
 */
#define H_MACHINE_NODES 16
#define H_MACHINE_CHUNKS 64

struct h_chunk {
	int nid;
	dc_addr_t base;
	dc_size_t size;
};

struct h_machine {
	const char *what;
	int nnodes;
	int nids[H_MACHINE_NODES];
	int dist[H_MACHINE_NODES][H_MACHINE_NODES];	/* in nids order */
	int nchunks;
	struct h_chunk chunk[H_MACHINE_CHUNKS];
};

/* env: the machine; its chunks are accessible through h_back. */
const struct h_machine *h_machine(void);

/* Everything observable about a system. */
struct dc_range_rec {
	int kind, nid;
	dc_addr_t base;
	dc_size_t size;
};
struct dc_snapshot {
	int phase;
	struct dc_stats total;
	struct dc_stats node[64];
	int nids[64];
	int nnodes;
	struct dc_range_rec *ranges;
	size_t nranges;
	int check;
};
void h_snap(const struct dc_system *sys, struct dc_snapshot *s);
/* The same with the per-node stats of nids below @nids only: for tests
 * that snapshot before every call and know their nodes. */
void h_snap_nids(const struct dc_system *sys, struct dc_snapshot *s,
		 int nids);
/* true if identical; logs the first difference. */
bool h_snap_equal(const struct dc_snapshot *a, const struct dc_snapshot *b);
void h_snap_free(struct dc_snapshot *s);
/* The same on the heap (a snapshot is 8 KiB; kernel stacks are 16). */
struct dc_snapshot *h_snap_new(const struct dc_system *sys);
bool h_snap_same(const struct dc_snapshot *a, const struct dc_snapshot *b);
void h_snap_del(struct dc_snapshot *s);
/* sys is still as before was taken: a snapshot now, compared, freed. */
bool h_snap_still(const struct dc_system *sys,
		  const struct dc_snapshot *before);

/* call must return err and leave every stat, walk and dc_check() of sys
 * as it was ("a call that fails changes nothing", DESIGN.md). */
#define H_EXPECT_UNCHANGED(sys, err, call)                               \
	do {                                                             \
		struct dc_snapshot *s0_ = h_snap_new(sys);               \
		T_ASSERT_EQUAL((call), (err));                           \
		T_ASSERT(h_snap_still(sys, s0_));                        \
		h_snap_del(s0_);                                         \
	} while (0)

/* Sum of the sizes of one walk. */
dc_size_t h_walk_bytes(const struct dc_system *sys, int nid,
		       enum dc_walk_kind kind);
size_t h_walk_count(const struct dc_system *sys, int nid,
		    enum dc_walk_kind kind);

/* Invariant memory = used + metadata + free + released, per node and in
 * total. */
bool h_accounting_ok(const struct dc_system *sys);

/* Seeded xorshift. */
uint64_t h_rand(uint64_t *state);
uint64_t h_rand_below(uint64_t *state, uint64_t n);

#endif /* DC_TESTS_HARNESS_CORE_H */
