/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * harness.h - what the CUnit suites share: harness_core.h (a system,
 * snapshots, walks, random numbers) on simulated memory that the host
 * backs (tools/sim/platform.c), plus what only user space has: seeds
 * from the environment, the CUnit runner.
 */
#ifndef DC_TESTS_HARNESS_H
#define DC_TESTS_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

#include "harness_core.h"
#include "platform.h"

/* h->mem is a struct dc_host_mem here. */
static inline struct dc_host_mem *h_host_mem(struct dc_harness *h)
{
	return h->mem;
}

/* h_seed() reads argv/env DC_SEED or the clock, prints it, and returns
 * it, for h_rand(). */
uint64_t h_seed(int argc, char **argv, int argi);

/* Run the registered suites; exit status for main(). */
int h_run(void);

/*
 * The start of a per-backend test's main(): the backend named by argv[1]
 * (tree if none) in *ops, a CUnit registry, and a suite named
 * "<what>, <backend>". NULL, with a line on stderr naming the program,
 * if that backend is not compiled in or CUnit fails: main returns 2.
 */
CU_pSuite h_backend_suite(int argc, char **argv, const char *what,
			  const struct dc_backend_ops **ops);

/* An integer from the environment, or dflt. */
long h_env(const char *name, long dflt);

#endif /* DC_TESTS_HARNESS_H */
