/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kharness.h - between the module's runner (run.c) and its half of the
 * test harness (harness_kernel.c): the pages the module takes from every
 * online node and gives back.
 */
#ifndef DC_KHARNESS_H
#define DC_KHARNESS_H

#include <discontig/discontig.h>

/* Take the machine's chunks and the layout block; 0 or -ENOMEM. */
int kh_take_pages(void);
/* Give every page back; safe after a partial kh_take_pages. */
void kh_free_pages(void);
/* Physical address of the 4 MiB block the layout-based cases run in. */
dc_addr_t kh_layout_base(void);
/* Log what was taken, one line per node. */
void kh_print_machine(void);

#endif /* DC_KHARNESS_H */
