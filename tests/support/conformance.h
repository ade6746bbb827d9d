/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conformance.h - the backend conformance scenarios (conformance.c), as
 * the two runners take them: the CUnit program
 * tests/unit/test_conformance.c and the Linux module examples/linux/.
 */
#ifndef DC_TESTS_CONFORMANCE_H
#define DC_TESTS_CONFORMANCE_H

#include <discontig/backend.h>

#include "check.h"

/* Where the next cases run: backend, base of the standard layout (0,
 * 2^64 - 0x80000, or the physical address of the module's 4 MiB block
 * of pages), and DC_CFG_TOP_DOWN or 0. */
void dc_conformance_setup(const struct dc_backend_ops *backend,
			  dc_addr_t base, unsigned flags);

/* The base that puts the standard layout's end at 2^64. */
#define DC_CONFORMANCE_TOP_BASE (0ull - 0x80000ull)

/* Bytes from base the layout-based cases may use. */
#define DC_CONFORMANCE_SPAN (4ull << 20)

extern const struct dc_t_case dc_conformance_cases[];
extern const size_t dc_conformance_ncases;

#endif /* DC_TESTS_CONFORMANCE_H */
