/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * harness.h - what the CUnit suites share: a system on simulated memory,
 * snapshots of everything observable (stats of every node and in total,
 * every walk) to prove that a failed call changed nothing, and a seeded
 * random generator whose seed is printed so failures replay.
 */
#ifndef DC_TESTS_HARNESS_H
#define DC_TESTS_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

#include <discontig/backend.h>
#include <discontig/discontig.h>

#include "platform.h"

struct dc_harness {
	struct dc_system *sys;
	struct dc_host_mem mem;
	struct dc_platform plat;
	struct dc_config cfg;
	void *pool;
	size_t p2v_calls;	/* phys_to_virt calls the library made */
	dc_addr_t refuse_from;	/* phys_to_virt refuses ranges reaching
				   this address and above; 0: never */
};

/* A system in SETUP with pool_bytes of initial pool on backend ops. */
void h_init(struct dc_harness *h, const struct dc_backend_ops *ops,
	    unsigned page_shift, size_t pool_bytes, unsigned flags);
/* Back [base, base + size) for nid on the host, then dc_add_memory. */
int h_add(struct dc_harness *h, int nid, dc_addr_t base, dc_size_t size);
/* Back only (for memory added through other paths). */
void h_back(struct dc_harness *h, int nid, dc_addr_t base, dc_size_t size);
void h_fini(struct dc_harness *h);

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
/* true if identical; prints the first difference. */
bool h_snap_equal(const struct dc_snapshot *a, const struct dc_snapshot *b);
void h_snap_free(struct dc_snapshot *s);

/* call must return err and leave every stat, walk and dc_check() of sys
 * as it was ("a call that fails changes nothing", DESIGN.md). */
#define H_EXPECT_UNCHANGED(sys, err, call)                               \
	do {                                                             \
		struct dc_snapshot s0_, s1_;                             \
		h_snap((sys), &s0_);                                     \
		CU_ASSERT_EQUAL((call), (err));                          \
		h_snap((sys), &s1_);                                     \
		CU_ASSERT(h_snap_equal(&s0_, &s1_));                     \
		h_snap_free(&s0_);                                       \
		h_snap_free(&s1_);                                       \
	} while (0)

/* Sum of the sizes of one walk. */
dc_size_t h_walk_bytes(const struct dc_system *sys, int nid,
		       enum dc_walk_kind kind);
size_t h_walk_count(const struct dc_system *sys, int nid,
		    enum dc_walk_kind kind);

/* Invariant memory = used + metadata + free + released, per node and in
 * total. */
bool h_accounting_ok(const struct dc_system *sys);

/* Seeded xorshift; h_seed() reads argv/env DC_SEED or the clock, prints
 * it, and returns it. */
uint64_t h_seed(int argc, char **argv, int argi);
uint64_t h_rand(uint64_t *state);
uint64_t h_rand_below(uint64_t *state, uint64_t n);

/* Run the registered suites; exit status for main(). */
int h_run(void);

/* An integer from the environment, or dflt. */
long h_env(const char *name, long dflt);

#endif /* DC_TESTS_HARNESS_H */
