/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib.h - the only external symbols the freestanding library may use
 * (DESIGN.md, "Freestanding rule"): every kernel provides these three.
 */
#ifndef DC_CORE_LIB_H
#define DC_CORE_LIB_H

#include <stddef.h>

void *memset(void *s, int c, size_t n);
void *memcpy(void *restrict d, const void *restrict s, size_t n);
void *memmove(void *d, const void *s, size_t n);

#endif /* DC_CORE_LIB_H */
