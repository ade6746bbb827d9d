/* SPDX-License-Identifier: BSD-3-Clause */
/* Stand-in for <linux/stddef.h>: NULL, true, false, offsetof. */
#ifndef DC_STANDIN_LINUX_STDDEF_H
#define DC_STANDIN_LINUX_STDDEF_H

#define NULL ((void *)0)
enum { false = 0, true = 1 };
#define offsetof(TYPE, MEMBER) __builtin_offsetof(TYPE, MEMBER)

#endif
