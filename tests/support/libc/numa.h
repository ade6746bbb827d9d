/* numa.h for builds without libnuma (scripts/cross.sh): the host has no
 * NUMA, so tools/sim/platform.c binds nothing. See libc/nonuma.c. */
#ifndef DC_TESTS_NONUMA_H
#define DC_TESTS_NONUMA_H
int numa_available(void);
int numa_max_node(void);
long long numa_node_size64(int node, long long *freep);
#endif
