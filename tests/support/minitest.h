/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * minitest.h - the subset of CUnit the test sources use (CU_ASSERT*,
 * CU_FAIL*, suites with init/clean, tests, the basic runner and its
 * counts), on libc alone, so that the same sources run where there is no
 * CUnit: the -m32 and s390x builds of scripts/cross.sh (Debian has no
 * i386 or s390x CUnit). Selected at compile time by putting
 * tests/support/libc first on the include path: its CUnit/Basic.h and
 * CUnit/CUnit.h include this file. Kept a small separate shim so that a
 * portable layer of the scenarios (e.g. for a kernel module) can adopt
 * or replace it.
 *
 * Semantics follow CUnit 2.1: a failed assertion is counted and printed
 * and the test goes on; a failed _FATAL one ends the test (longjmp back
 * to the runner). The runner prints the byte order and pointer width of
 * the target it runs on ("minitest: big-endian, 64-bit"), which
 * cross.sh checks.
 */
#ifndef DC_TESTS_MINITEST_H
#define DC_TESTS_MINITEST_H

#include <stdbool.h>
#include <string.h>

typedef enum { CUE_SUCCESS = 0, CUE_NOMEMORY = 1 } CU_ErrorCode;
typedef enum { CU_BRM_NORMAL, CU_BRM_SILENT, CU_BRM_VERBOSE } CU_BasicRunMode;
typedef void (*CU_TestFunc)(void);
typedef int (*CU_InitializeFunc)(void);
typedef int (*CU_CleanupFunc)(void);
typedef struct CU_Suite *CU_pSuite;
typedef struct CU_Test *CU_pTest;
typedef int CU_BOOL;
#define CU_TRUE 1
#define CU_FALSE 0

CU_ErrorCode CU_initialize_registry(void);
void CU_cleanup_registry(void);
CU_pSuite CU_add_suite(const char *name, CU_InitializeFunc init,
		       CU_CleanupFunc clean);
CU_pTest CU_add_test(CU_pSuite suite, const char *name, CU_TestFunc fn);
CU_ErrorCode CU_basic_set_mode(CU_BasicRunMode mode);
CU_ErrorCode CU_basic_run_tests(void);
unsigned CU_get_number_of_failures(void);
unsigned CU_get_number_of_tests_failed(void);
unsigned CU_get_number_of_suites_failed(void);
CU_BOOL CU_assertImplementation(CU_BOOL value, unsigned line,
				const char *condition, const char *file,
				const char *function, CU_BOOL fatal);

#define CU_MT_ASSERT(value, text, fatal)                                   \
	((void)CU_assertImplementation((value) ? CU_TRUE : CU_FALSE,       \
				       __LINE__, (text), __FILE__, "",     \
				       (fatal)))

#define CU_PASS(msg) CU_MT_ASSERT(1, "CU_PASS(" #msg ")", CU_FALSE)
#define CU_FAIL(msg) CU_MT_ASSERT(0, "CU_FAIL(" #msg ")", CU_FALSE)
#define CU_FAIL_FATAL(msg) CU_MT_ASSERT(0, "CU_FAIL_FATAL(" #msg ")", CU_TRUE)
#define CU_ASSERT(value) CU_MT_ASSERT(value, #value, CU_FALSE)
#define CU_ASSERT_FATAL(value) CU_MT_ASSERT(value, #value, CU_TRUE)
#define CU_TEST(value) CU_ASSERT(value)
#define CU_TEST_FATAL(value) CU_ASSERT_FATAL(value)
#define CU_ASSERT_TRUE(value) CU_MT_ASSERT(value, "CU_ASSERT_TRUE(" #value ")", CU_FALSE)
#define CU_ASSERT_TRUE_FATAL(value) CU_MT_ASSERT(value, "CU_ASSERT_TRUE_FATAL(" #value ")", CU_TRUE)
#define CU_ASSERT_FALSE(value) CU_MT_ASSERT(!(value), "CU_ASSERT_FALSE(" #value ")", CU_FALSE)
#define CU_ASSERT_FALSE_FATAL(value) CU_MT_ASSERT(!(value), "CU_ASSERT_FALSE_FATAL(" #value ")", CU_TRUE)
#define CU_ASSERT_EQUAL(a, b) CU_MT_ASSERT((a) == (b), "CU_ASSERT_EQUAL(" #a "," #b ")", CU_FALSE)
#define CU_ASSERT_EQUAL_FATAL(a, b) CU_MT_ASSERT((a) == (b), "CU_ASSERT_EQUAL_FATAL(" #a "," #b ")", CU_TRUE)
#define CU_ASSERT_NOT_EQUAL(a, b) CU_MT_ASSERT((a) != (b), "CU_ASSERT_NOT_EQUAL(" #a "," #b ")", CU_FALSE)
#define CU_ASSERT_NOT_EQUAL_FATAL(a, b) CU_MT_ASSERT((a) != (b), "CU_ASSERT_NOT_EQUAL_FATAL(" #a "," #b ")", CU_TRUE)
#define CU_ASSERT_PTR_EQUAL(a, b) CU_MT_ASSERT((const void *)(a) == (const void *)(b), "CU_ASSERT_PTR_EQUAL(" #a "," #b ")", CU_FALSE)
#define CU_ASSERT_PTR_NOT_EQUAL(a, b) CU_MT_ASSERT((const void *)(a) != (const void *)(b), "CU_ASSERT_PTR_NOT_EQUAL(" #a "," #b ")", CU_FALSE)
#define CU_ASSERT_PTR_NULL(v) CU_MT_ASSERT((const void *)(v) == NULL, "CU_ASSERT_PTR_NULL(" #v ")", CU_FALSE)
#define CU_ASSERT_PTR_NULL_FATAL(v) CU_MT_ASSERT((const void *)(v) == NULL, "CU_ASSERT_PTR_NULL_FATAL(" #v ")", CU_TRUE)
#define CU_ASSERT_PTR_NOT_NULL(v) CU_MT_ASSERT((const void *)(v) != NULL, "CU_ASSERT_PTR_NOT_NULL(" #v ")", CU_FALSE)
#define CU_ASSERT_PTR_NOT_NULL_FATAL(v) CU_MT_ASSERT((const void *)(v) != NULL, "CU_ASSERT_PTR_NOT_NULL_FATAL(" #v ")", CU_TRUE)
#define CU_ASSERT_STRING_EQUAL(a, b) CU_MT_ASSERT(!strcmp((const char *)(a), (const char *)(b)), "CU_ASSERT_STRING_EQUAL(" #a "," #b ")", CU_FALSE)
#define CU_ASSERT_STRING_NOT_EQUAL(a, b) CU_MT_ASSERT(strcmp((const char *)(a), (const char *)(b)), "CU_ASSERT_STRING_NOT_EQUAL(" #a "," #b ")", CU_FALSE)

#endif /* DC_TESTS_MINITEST_H */
