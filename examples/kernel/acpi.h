/* SPDX-License-Identifier: BSD-3-Clause */
/* acpi.h - the NUMA description the firmware gives, as acpi.c reads it. */
#ifndef ACPI_H
#define ACPI_H

#include "kernel.h"

struct acpi_table {		/* one table the RSDT/XSDT lists */
	char sig[5];
	uint64_t pa;
	uint32_t length;
	bool ok;		/* mapped, sane length, checksum right */
};

struct srat_mem {		/* SRAT memory affinity, enabled ones */
	uint64_t base, size;
	uint32_t pxm, flags;
};

struct acpi_cpu {		/* MADT processor, with its SRAT domain */
	uint32_t apic_id;
	int nid;		/* DC_NO_NODE until the SRAT says */
};

struct acpi_info {
	uint64_t rsdp;		/* 0: not found */
	const char *rsdp_where;
	unsigned revision;
	char root[5];		/* "RSDT" or "XSDT" */
	uint64_t root_pa;
	struct acpi_table tables[32];
	unsigned ntables;

	/* SRAT: NULL note = read and valid. A missing or broken SRAT
	 * means one node (node 0) and the note says why. */
	const char *srat_note;
	struct srat_mem mem[64];
	unsigned nmem;
	unsigned nproc_aff;	/* processor affinity entries */

	/* SLIT: NULL note = read and valid; else default distances. */
	const char *slit_note;
	unsigned nloc;		/* localities (rows) */
	uint8_t dist[DC_MAX_NODES][DC_MAX_NODES];

	/* MADT: the processors; without one, just the boot CPU. */
	const char *madt_note;
	struct acpi_cpu cpu[MAX_CPUS];
	unsigned ncpu;
};

void acpi_scan(struct acpi_info *ai);
void acpi_print(const struct acpi_info *ai);

#endif
