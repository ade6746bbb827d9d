/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Minimal stand-in for the Linux kernel's <linux/types.h>, written for
 * this project's freestanding test (tests/scripts/test_freestanding.sh):
 * it provides what the real header provides to kernel code and nothing
 * from libc, so that a build with -nostdinc -D__KERNEL__ proves that
 * include/discontig/env.h is the library's only door to the outside.
 */
#ifndef DC_STANDIN_LINUX_TYPES_H
#define DC_STANDIN_LINUX_TYPES_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef short s16;
typedef int s32;
typedef long long s64;

typedef u8 uint8_t;
typedef u16 uint16_t;
typedef u32 uint32_t;
typedef u64 uint64_t;
typedef s16 int16_t;
typedef s32 int32_t;
typedef s64 int64_t;

typedef unsigned long uintptr_t;
typedef __SIZE_TYPE__ size_t;
typedef _Bool bool;

#endif
