// SPDX-License-Identifier: BSD-3-Clause
/*
 * nonuma.c - libnuma as on a machine without NUMA, for builds that have
 * no libnuma for their target (scripts/cross.sh): tools/sim/platform.c
 * then backs simulated memory without binding it anywhere.
 */
#include <errno.h>

#include "numa.h"
#include "numaif.h"

int numa_available(void)
{
	return -1;
}

int numa_max_node(void)
{
	return 0;
}

long long numa_node_size64(int node, long long *freep)
{
	return -1;
}

long mbind(void *addr, unsigned long len, int mode,
	   const unsigned long *nodemask, unsigned long maxnode,
	   unsigned flags)
{
	errno = ENOSYS;
	return -1;
}

long move_pages(int pid, unsigned long count, void **pages,
		const int *nodes, int *status, int flags)
{
	errno = ENOSYS;
	return -1;
}
