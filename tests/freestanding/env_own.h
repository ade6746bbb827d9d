/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An embedder's own environment header, as -DDC_ENV_HEADER names it
 * (include/discontig/env.h): what a firmware or hypervisor without libc
 * headers would write. Used by tests/scripts/test_freestanding.sh with
 * -nostdinc, so nothing else can be reached.
 */
#ifndef DC_TEST_ENV_OWN_H
#define DC_TEST_ENV_OWN_H

typedef unsigned char uint8_t;
typedef unsigned short uint16_t;
typedef unsigned int uint32_t;
typedef unsigned long long uint64_t;
typedef short int16_t;
typedef int int32_t;
typedef long long int64_t;
typedef __UINTPTR_TYPE__ uintptr_t;
typedef __SIZE_TYPE__ size_t;
typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)

void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);

#endif
