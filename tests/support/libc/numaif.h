/* numaif.h for builds without libnuma (scripts/cross.sh). */
#ifndef DC_TESTS_NONUMAIF_H
#define DC_TESTS_NONUMAIF_H
#define MPOL_BIND 2
long mbind(void *addr, unsigned long len, int mode,
	   const unsigned long *nodemask, unsigned long maxnode,
	   unsigned flags);
long move_pages(int pid, unsigned long count, void **pages,
		const int *nodes, int *status, int flags);
#endif
