// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_conformance.c - the CUnit runner of the backend conformance
 * scenarios (tests/support/conformance.c, shared with the Linux module
 * in examples/linux/): every case on the backend named by argv[1], in
 * both directions, with the standard layout at address 0 and at the very
 * top of the address space.
 */
#include <CUnit/Basic.h>
#include <stdio.h>

#include "conformance.h"
#include "harness.h"

static const struct dc_backend_ops *ops;

static int set_bottom_low(void)
{
	dc_conformance_setup(ops, 0, 0);
	return 0;
}

static int set_top_low(void)
{
	dc_conformance_setup(ops, 0, DC_CFG_TOP_DOWN);
	return 0;
}

static int set_bottom_high(void)
{
	dc_conformance_setup(ops, DC_CONFORMANCE_TOP_BASE, 0);
	return 0;
}

static int set_top_high(void)
{
	dc_conformance_setup(ops, DC_CONFORMANCE_TOP_BASE, DC_CFG_TOP_DOWN);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		CU_InitializeFunc init;
	} suites[] = {
		{ "bottom-up at 0", set_bottom_low },
		{ "top-down at 0", set_top_low },
		{ "bottom-up at 2^64", set_bottom_high },
		{ "top-down at 2^64", set_top_high },
	};
	char name[96];

	ops = dc_backend_find(argc > 1 ? argv[1] : "tree");
	if (!ops) {
		fprintf(stderr, "test_conformance: backend '%s' not compiled in\n",
			argc > 1 ? argv[1] : "tree");
		return 2;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	for (size_t s = 0; s < sizeof(suites) / sizeof(suites[0]); s++) {
		CU_pSuite su;

		snprintf(name, sizeof(name), "%s, %s", ops->name, suites[s].name);
		su = CU_add_suite(name, suites[s].init, NULL);
		for (size_t t = 0; t < dc_conformance_ncases; t++)
			CU_add_test(su, dc_conformance_cases[t].name,
				    dc_conformance_cases[t].fn);
	}
	return h_run();
}
