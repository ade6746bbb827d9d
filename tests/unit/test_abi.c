// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_abi.c - an embedder compiled with another DC_MAX_NODES than the
 * library (tests/CMakeLists.txt builds this file with DC_MAX_NODES=64
 * against a library built with the default) must get DC_EINVAL from
 * dc_init, and dc_init must not write a byte of its struct dc_system,
 * which is smaller than the library's (DESIGN.md, "Exact meanings";
 * before config.h this was a global-buffer-overflow under ASan).
 */
#include <CUnit/Basic.h>
#include <string.h>

#include <discontig/discontig.h>

_Static_assert(DC_MAX_NODES != DC_CONFIG_MAX_NODES,
	       "this test must be built with another DC_MAX_NODES");

static void *no_map(void *ctx, dc_addr_t pa, dc_size_t len)
{
	return NULL;
}

/* Expect: DC_EINVAL, every byte of the caller's (smaller) system as it
 * was, and every later call refuses the uninitialised system. The same
 * arguments succeed in every other suite, built with the library's
 * DC_MAX_NODES: the layout is the only difference. */
static void other_max_nodes_returns_einval_and_writes_nothing(void)
{
	/* aligned as the struct: on s390x a char array need not be (UBSan) */
	static _Alignas(struct dc_system) unsigned char
		mem[sizeof(struct dc_system) + 64];
	struct dc_system *sys = (struct dc_system *)(void *)mem;
	static unsigned char pool[4096];
	struct dc_config cfg = { .pool = pool, .pool_bytes = sizeof(pool) };
	struct dc_platform plat = { .phys_to_virt = no_map };
	unsigned char copy[sizeof(mem)];

	memset(mem, 0xa5, sizeof(mem));
	memcpy(copy, mem, sizeof(mem));
	CU_ASSERT_EQUAL(dc_init(sys, &cfg, &plat), DC_EINVAL);
	CU_ASSERT(memcmp(mem, copy, sizeof(mem)) == 0);
	CU_ASSERT_EQUAL(dc_add_memory(sys, 0, 0x100000, 0x100000), DC_EINVAL);
	CU_ASSERT_EQUAL(dc_phase(sys), DC_EINVAL);
}

int main(void)
{
	CU_pSuite s;
	unsigned fails;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("abi", NULL, NULL);
	CU_add_test(s, "other_max_nodes_returns_einval_and_writes_nothing",
		    other_max_nodes_returns_einval_and_writes_nothing);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	fails = CU_get_number_of_failures();
	CU_cleanup_registry();
	return fails ? 1 : 0;
}
