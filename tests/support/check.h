/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * check.h - the assertions shared scenarios are written with, one
 * spelling for two runners: CUnit in user space (ctest), and the printk
 * runner of the Linux module in kernel context (examples/linux/run.c).
 *
 * The shared scenarios (tests/support/conformance.c) use only these
 * macros, so the same code is compiled for both; the suites that are
 * CUnit-only keep using CU_* directly.
 *
 * One difference the scenarios must respect: CUnit ends a case at a
 * failed T_ASSERT_FATAL (it longjmps out); a kernel has no setjmp, so
 * there the case is marked failed and runs on with later assertions
 * ignored. Every library call validates its arguments, so that is safe
 * as long as a scenario dereferences only pointers it has checked
 * (h_virt() may return NULL).
 */
#ifndef DC_TESTS_CHECK_H
#define DC_TESTS_CHECK_H

#include <discontig/discontig.h>

#ifdef __KERNEL__

/* Record one assertion; false if it failed. In run.c. */
bool dc_t_check(bool ok, bool fatal, const char *what, const char *file,
		int line);

#define T_ASSERT(c) dc_t_check(!!(c), false, #c, __FILE__, __LINE__)
#define T_ASSERT_FATAL(c) dc_t_check(!!(c), true, #c, __FILE__, __LINE__)
#define T_ASSERT_EQUAL(a, b)                                              \
	dc_t_check((a) == (b), false, #a " == " #b, __FILE__, __LINE__)
#define T_ASSERT_STRING_EQUAL(a, b)                                       \
	dc_t_check(!strcmp((a), (b)), false, #a " eq " #b, __FILE__, __LINE__)
#define T_ASSERT_STRING_NOT_EQUAL(a, b)                                   \
	dc_t_check(!!strcmp((a), (b)), false, #a " ne " #b, __FILE__,      \
		   __LINE__)
#define T_FAIL(msg) dc_t_check(false, false, (msg), __FILE__, __LINE__)

#else /* CUnit */

#include <CUnit/CUnit.h>
#include <string.h>

#define T_ASSERT(c) CU_ASSERT(c)
#define T_ASSERT_FATAL(c) CU_ASSERT_FATAL(c)
#define T_ASSERT_EQUAL(a, b) CU_ASSERT_EQUAL(a, b)
#define T_ASSERT_STRING_EQUAL(a, b) CU_ASSERT_STRING_EQUAL(a, b)
#define T_ASSERT_STRING_NOT_EQUAL(a, b) CU_ASSERT_STRING_NOT_EQUAL(a, b)
#define T_FAIL(msg) CU_FAIL(msg)

#endif

/* A shared scenario, as a runner registers it. */
struct dc_t_case {
	const char *name;
	void (*fn)(void);
	unsigned flags;
};

/* Needs address space a kernel module cannot own: fixed addresses (0,
 * the top of the 64-bit space) or more than one contiguous block of
 * pages (the buddy allocator's largest order). User space backs those
 * lazily (tools/sim/platform.c); the module skips them and says so. */
#define DC_T_HOST_ONLY (1u << 0)

#endif /* DC_TESTS_CHECK_H */
