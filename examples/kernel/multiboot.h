/* SPDX-License-Identifier: BSD-3-Clause */
/* multiboot.h - the boot loader's information, as multiboot.c reads it. */
#ifndef MULTIBOOT_H
#define MULTIBOOT_H

#include "kernel.h"

#define FW_RAM 1u	/* e820 type 1: usable RAM; others are not RAM */

struct fw_entry {		/* one e820 range, [base, base + size) */
	uint64_t base, size;
	uint32_t type;
};

struct boot_range {		/* memory the loader wrote into */
	uint64_t base, size;
	const char *what;
};

struct boot_info {
	uint32_t flags;
	const char *cmdline, *loader, *map_source;
	struct fw_entry map[MAX_FW];	/* sorted by base */
	unsigned nmap, map_dropped, nmods;
	struct boot_range ranges[32];
	unsigned nranges;
};

/* Read the multiboot information: NULL, or why the kernel cannot go on. */
const char *mb_parse(uint32_t magic, uint32_t mbi_pa, struct boot_info *bi);
void mb_print(const struct boot_info *bi);
const char *fw_type_name(uint32_t type);

#endif
