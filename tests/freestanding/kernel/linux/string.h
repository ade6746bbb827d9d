/* SPDX-License-Identifier: BSD-3-Clause */
/* Stand-in for <linux/string.h>: the three functions the library uses,
 * declared with the kernel's parameter types. */
#ifndef DC_STANDIN_LINUX_STRING_H
#define DC_STANDIN_LINUX_STRING_H

void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);

#endif
