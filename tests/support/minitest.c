// SPDX-License-Identifier: BSD-3-Clause
/*
 * minitest.c - the CUnit subset of minitest.h: a registry of suites and
 * tests in fixed arrays (no test program has more than a few dozen), run
 * in order, failures counted and printed as CUnit's basic runner does.
 */
#include "minitest.h"

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>

#define MT_MAX_SUITES 32
#define MT_MAX_TESTS 256

struct CU_Test {
	const char *name;
	CU_TestFunc fn;
	struct CU_Suite *suite;
};

struct CU_Suite {
	const char *name;
	CU_InitializeFunc init;
	CU_CleanupFunc clean;
};

static struct CU_Suite suites[MT_MAX_SUITES];
static struct CU_Test tests[MT_MAX_TESTS];
static unsigned nsuites, ntests;
static unsigned failures, tests_failed, suites_failed, asserts;
static bool cur_failed;
static jmp_buf fatal_jmp;
static bool in_test;

CU_ErrorCode CU_initialize_registry(void)
{
	nsuites = ntests = failures = tests_failed = suites_failed = 0;
	asserts = 0;
	return CUE_SUCCESS;
}

void CU_cleanup_registry(void)
{
	nsuites = ntests = 0;
}

CU_pSuite CU_add_suite(const char *name, CU_InitializeFunc init,
		       CU_CleanupFunc clean)
{
	if (nsuites == MT_MAX_SUITES)
		return NULL;
	suites[nsuites] = (struct CU_Suite){ name, init, clean };
	return &suites[nsuites++];
}

CU_pTest CU_add_test(CU_pSuite suite, const char *name, CU_TestFunc fn)
{
	if (!suite || ntests == MT_MAX_TESTS)
		return NULL;
	tests[ntests] = (struct CU_Test){ name, fn, suite };
	return &tests[ntests++];
}

CU_ErrorCode CU_basic_set_mode(CU_BasicRunMode mode)
{
	return CUE_SUCCESS;
}

CU_BOOL CU_assertImplementation(CU_BOOL value, unsigned line,
				const char *condition, const char *file,
				const char *function, CU_BOOL fatal)
{
	asserts++;
	if (value)
		return CU_TRUE;
	failures++;
	cur_failed = true;
	printf("\n    %u. %s:%u  - %s", failures, file, line, condition);
	fflush(stdout);
	if (fatal && in_test)
		longjmp(fatal_jmp, 1);
	return CU_FALSE;
}

/* What the tests run on: the line cross.sh checks. */
static void print_target(void)
{
	const uint32_t one = 1;

	printf("minitest: %s-endian, %u-bit\n",
	       *(const unsigned char *)&one ? "little" : "big",
	       (unsigned)(sizeof(void *) * 8));
}

static void run_suite(struct CU_Suite *s)
{
	printf("Suite: %s\n", s->name);
	if (s->init && s->init()) {
		printf("  suite init failed\n");
		suites_failed++;
		return;
	}
	for (unsigned i = 0; i < ntests; i++) {
		if (tests[i].suite != s)
			continue;
		printf("  Test: %s ...", tests[i].name);
		fflush(stdout);
		cur_failed = false;
		in_test = true;
		if (!setjmp(fatal_jmp))
			tests[i].fn();
		in_test = false;
		if (cur_failed) {
			tests_failed++;
			printf("\nFAILED\n");
		} else {
			printf("passed\n");
		}
	}
	if (s->clean && s->clean())
		suites_failed++;
}

CU_ErrorCode CU_basic_run_tests(void)
{
	print_target();
	for (unsigned i = 0; i < nsuites; i++)
		run_suite(&suites[i]);
	printf("\nRun Summary: %u suites, %u tests, %u failed, %u asserts, "
	       "%u failed\n", nsuites, ntests, tests_failed, asserts,
	       failures);
	return CUE_SUCCESS;
}

unsigned CU_get_number_of_failures(void)
{
	return failures;
}

unsigned CU_get_number_of_tests_failed(void)
{
	return tests_failed;
}

unsigned CU_get_number_of_suites_failed(void)
{
	return suites_failed;
}
