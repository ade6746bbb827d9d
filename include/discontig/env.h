/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * env.h - the freestanding library's only door to its environment.
 *
 * DOC: environment
 * Everything under core/, backends/, nodes/ and include/discontig/ (but
 * topology.h) takes its basic types and the three memory functions it
 * uses from this header and from nowhere else (DESIGN.md, "Freestanding
 * rule"; libfdt does the same with libfdt_env.h):
 *
 *  - by default: <stddef.h>, <stdint.h> and <stdbool.h>, which every C11
 *    compiler provides even with -ffreestanding, and our own declarations
 *    of memset, memcpy and memmove (every kernel defines those three);
 *  - under __KERNEL__ (a Linux tree built by kbuild with -nostdinc): the
 *    kernel's <linux/types.h>, <linux/stddef.h> and <linux/string.h>;
 *  - with -DDC_ENV_HEADER=\"file.h\": the embedder's own file, which must
 *    provide size_t, uintptr_t, bool/true/false, NULL, the exact-width
 *    types uint8_t .. uint64_t, int16_t, int32_t, int64_t, and declare
 *    memset, memcpy and memmove.
 *
 * The limits below are written as expressions so that no <stdint.h> or
 * <linux/limits.h> macro is needed.
 */
#ifndef DISCONTIG_ENV_H
#define DISCONTIG_ENV_H

#if defined(DC_ENV_HEADER)
#include DC_ENV_HEADER
#elif defined(__KERNEL__)
#include <linux/types.h>
#include <linux/stddef.h>
#include <linux/string.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *memset(void *s, int c, size_t n);
void *memcpy(void *restrict d, const void *restrict s, size_t n);
void *memmove(void *d, const void *s, size_t n);
#endif

#define DC_U64_MAX (~(uint64_t)0)
#define DC_U16_MAX ((uint16_t)0xffffu)
#define DC_UINTPTR_MAX (~(uintptr_t)0)

#endif /* DISCONTIG_ENV_H */
