// SPDX-License-Identifier: BSD-3-Clause
/*
 * acpi.c - find the NUMA topology in the ACPI tables, as a kernel does
 * before it knows which memory belongs to which node.
 *
 *   RSDP   "RSD PTR " on a 16-byte boundary in the first KiB of the EBDA,
 *          then in 0xE0000-0xFFFFF (ACPI 6.4, 5.2.5.1); checksum over 20
 *          bytes, and over its length for revision >= 2
 *   RSDT   32-bit table pointers; XSDT (revision >= 2) 64-bit ones,
 *          preferred when present
 *   SRAT   memory affinity (range -> proximity domain) and processor
 *          affinity (APIC id -> proximity domain; x2APIC too)
 *   SLIT   a localities x localities matrix of relative distances
 *   MADT   the processors (enabled local APIC / x2APIC entries)
 *
 * Every table's checksum (all bytes sum to 0 mod 256) and length are
 * checked before a byte of it is believed. A missing or broken SRAT means
 * one node, a missing or broken SLIT the default distances (10 local, 20
 * remote), each with a note that the report prints. A SLIT is broken, as
 * for Linux's slit_valid(), if a diagonal entry is not 10 or another entry
 * is 10 or less, or if it has fewer localities than the SRAT's domains.
 *
 * Node ids are proximity domains (QEMU numbers them 0, 1, ...); a domain
 * at or above DC_MAX_NODES makes the SRAT unusable. Linux instead maps
 * domains to node ids in order of first appearance.
 *
 * Runs before paging is on, so every address below 4 GiB is readable; a
 * table above 4 GiB (possible in an XSDT) is skipped and noted.
 */
#include "acpi.h"

struct sdt {
	char sig[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_revision, creator, creator_revision;
} __attribute__((packed));

static bool sum_ok(const void *p, uint32_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (len--)
		s += *b++;
	return s == 0;
}

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static uint64_t find_rsdp_in(uint32_t start, uint32_t end)
{
	for (uint32_t p = start; p + 20 <= end; p += 16) {
		const uint8_t *r = (const uint8_t *)p;

		if (memcmp(r, "RSD PTR ", 8) || !sum_ok(r, 20))
			continue;
		if (r[15] >= 2 && (rd32(r + 20) < 36 || !sum_ok(r, rd32(r + 20))))
			continue;	/* extended checksum broken */
		return p;
	}
	return 0;
}

/* A table we may read: below 4 GiB, sane length, checksum right. */
static const struct sdt *table_at(uint64_t pa, const char **why)
{
	const struct sdt *t;

	if (pa >> 32 || pa + sizeof(*t) > 1ull << 32) {
		*why = "above 4 GiB, not mapped";
		return NULL;
	}
	t = (const struct sdt *)(uint32_t)pa;
	if (t->length < sizeof(*t) || t->length > 16 * MiB ||
	    pa + t->length > 1ull << 32) {
		*why = "bad length";
		return NULL;
	}
	if (!sum_ok(t, t->length)) {
		*why = "checksum mismatch";
		return NULL;
	}
	return t;
}

static const struct sdt *find_table(struct acpi_info *ai, const char *sig,
				    const char **note)
{
	for (unsigned i = 0; i < ai->ntables; i++) {
		const char *why = NULL;
		const struct sdt *t;

		if (memcmp(ai->tables[i].sig, sig, 4))
			continue;
		t = table_at(ai->tables[i].pa, &why);
		if (!t)
			*note = why;
		return t;
	}
	*note = "no such table";
	return NULL;
}

static void read_root(struct acpi_info *ai)
{
	const uint8_t *r = (const uint8_t *)(uint32_t)ai->rsdp;
	const char *why;
	const struct sdt *root;
	unsigned width;

	ai->revision = r[15];
	if (ai->revision >= 2 && rd64(r + 24)) {
		memcpy(ai->root, "XSDT", 5);
		ai->root_pa = rd64(r + 24), width = 8;
	} else {
		memcpy(ai->root, "RSDT", 5);
		ai->root_pa = rd32(r + 16), width = 4;
	}
	root = table_at(ai->root_pa, &why);
	if (!root || memcmp(root->sig, ai->root, 4)) {
		ai->srat_note = ai->slit_note = ai->madt_note =
			root ? "root table has the wrong signature" : why;
		return;
	}
	for (uint32_t off = sizeof(*root); off + width <= root->length &&
	     ai->ntables < ARRAY_SIZE(ai->tables); off += width) {
		const uint8_t *e = (const uint8_t *)root + off;
		struct acpi_table *t = &ai->tables[ai->ntables++];
		const struct sdt *s;

		t->pa = width == 8 ? rd64(e) : rd32(e);
		s = table_at(t->pa, &why);
		memcpy(t->sig, s ? s->sig : "????", 4);
		t->length = s ? s->length : 0;
		t->ok = s != NULL;
	}
}

static bool cpu_set_node(struct acpi_info *ai, uint32_t apic_id, int nid)
{
	for (unsigned c = 0; c < ai->ncpu; c++)
		if (ai->cpu[c].apic_id == apic_id) {
			ai->cpu[c].nid = nid;
			return true;
		}
	return false;
}

/* SRAT entries: 48 bytes of header, then (type, length, ...) records. */
static void read_srat(struct acpi_info *ai, const struct sdt *t)
{
	const uint8_t *p = (const uint8_t *)t + 48, *end = (const uint8_t *)t + t->length;

	for (; p + 2 <= end && p[1] >= 2 && p + p[1] <= end; p += p[1]) {
		uint32_t pxm, id;
		bool enabled;

		if (p[0] == 1 && p[1] >= 40) {		/* memory affinity */
			pxm = rd32(p + 2);
			enabled = rd32(p + 28) & 1;
			if (!enabled)
				continue;
			if (pxm >= DC_MAX_NODES || ai->nmem == ARRAY_SIZE(ai->mem))
				goto broken;
			ai->mem[ai->nmem++] = (struct srat_mem){
				rd64(p + 8), rd64(p + 16), pxm, rd32(p + 28) };
			continue;
		}
		if (p[0] == 0 && p[1] >= 16) {		/* local APIC */
			pxm = p[2] | (uint32_t)p[9] << 8 | (uint32_t)p[10] << 16 |
			      (uint32_t)p[11] << 24;
			id = p[3];
			enabled = rd32(p + 4) & 1;
		} else if (p[0] == 2 && p[1] >= 24) {	/* x2APIC */
			pxm = rd32(p + 4);
			id = rd32(p + 8);
			enabled = rd32(p + 12) & 1;
		} else {
			continue;
		}
		if (!enabled)
			continue;
		if (pxm >= DC_MAX_NODES)
			goto broken;
		ai->nproc_aff++;
		if (!cpu_set_node(ai, id, (int)pxm) && ai->madt_note &&
		    ai->ncpu < ARRAY_SIZE(ai->cpu))	/* no MADT: SRAT's CPUs */
			ai->cpu[ai->ncpu++] = (struct acpi_cpu){ id, (int)pxm };
	}
	return;
broken:
	ai->srat_note = "proximity domain beyond MAX_NODES, or too many ranges";
	ai->nmem = ai->nproc_aff = 0;
	for (unsigned c = 0; c < ai->ncpu; c++)
		ai->cpu[c].nid = DC_NO_NODE;
}

/* The SLIT must cover every domain the SRAT uses: the highest + 1. */
static unsigned srat_domains(const struct acpi_info *ai)
{
	unsigned n = 0;

	for (unsigned i = 0; i < ai->nmem; i++)
		if (ai->mem[i].pxm + 1 > n)
			n = ai->mem[i].pxm + 1;
	for (unsigned c = 0; c < ai->ncpu; c++)
		if (ai->cpu[c].nid >= 0 && (unsigned)ai->cpu[c].nid + 1 > n)
			n = (unsigned)ai->cpu[c].nid + 1;
	return n;
}

static void read_slit(struct acpi_info *ai, const struct sdt *t)
{
	const uint8_t *p = (const uint8_t *)t + 44;
	uint64_t n;

	if (t->length < 44) {
		ai->slit_note = "too short";
		return;
	}
	n = rd64((const uint8_t *)t + 36);
	if (n > DC_MAX_NODES || 44 + n * n > t->length) {
		ai->slit_note = "more localities than MAX_NODES, or truncated";
		return;
	}
	if (n < srat_domains(ai)) {
		ai->slit_note = "fewer localities than the SRAT has domains";
		return;
	}
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < n; j++) {
			uint8_t d = p[i * n + j];

			if (i == j ? d != 10 : d <= 10) {
				ai->slit_note = "invalid: a diagonal entry is not "
						"10, or another is 10 or less";
				return;
			}
			ai->dist[i][j] = d;
		}
	ai->nloc = (unsigned)n;
}

/* MADT: 44 bytes of header, then records; type 0 local APIC, 9 x2APIC. */
static void read_madt(struct acpi_info *ai, const struct sdt *t)
{
	const uint8_t *p = (const uint8_t *)t + 44, *end = (const uint8_t *)t + t->length;

	for (; p + 2 <= end && p[1] >= 2 && p + p[1] <= end; p += p[1]) {
		uint32_t id, flags;

		if (p[0] == 0 && p[1] >= 8)
			id = p[3], flags = rd32(p + 4);
		else if (p[0] == 9 && p[1] >= 16)
			id = rd32(p + 4), flags = rd32(p + 8);
		else
			continue;
		if ((flags & 1) && ai->ncpu < ARRAY_SIZE(ai->cpu))
			ai->cpu[ai->ncpu++] = (struct acpi_cpu){ id, DC_NO_NODE };
	}
}

void acpi_scan(struct acpi_info *ai)
{
	uint32_t ebda = bios_ebda();
	const struct sdt *t;
	const char *note;

	memset(ai, 0, sizeof(*ai));
	if (ebda && (ai->rsdp = find_rsdp_in(ebda, ebda + 1024)))
		ai->rsdp_where = "EBDA";
	else if ((ai->rsdp = find_rsdp_in(0xe0000, 0x100000)))
		ai->rsdp_where = "BIOS area";
	if (!ai->rsdp) {
		ai->srat_note = ai->slit_note = ai->madt_note = "no ACPI RSDP";
		goto defaults;
	}
	read_root(ai);
	if (ai->srat_note)
		goto defaults;
	if ((t = find_table(ai, "APIC", &note)))
		read_madt(ai, t);
	else
		ai->madt_note = note;
	if ((t = find_table(ai, "SRAT", &note)))
		read_srat(ai, t);
	else
		ai->srat_note = note;
	if (ai->srat_note)
		ai->slit_note = "ignored: no usable SRAT";
	else if ((t = find_table(ai, "SLIT", &note)))
		read_slit(ai, t);
	else
		ai->slit_note = note;
defaults:
	if (!ai->ncpu)		/* no MADT: the CPU we run on */
		ai->cpu[ai->ncpu++] = (struct acpi_cpu){ 0, DC_NO_NODE };
	if (ai->srat_note) {
		ai->nmem = 0;
		for (unsigned c = 0; c < ai->ncpu; c++)
			ai->cpu[c].nid = 0;
	}
}

void acpi_print(const struct acpi_info *ai)
{
	if (!ai->rsdp) {
		kprintf("ACPI: no RSDP in the EBDA or 0xe0000-0xfffff\n");
	} else {
		kprintf("ACPI: RSDP at 0x%llx (%s), revision %u, %s at 0x%llx:",
			ai->rsdp, ai->rsdp_where, ai->revision, ai->root,
			ai->root_pa);
		for (unsigned i = 0; i < ai->ntables; i++)
			kprintf(" %s%s", ai->tables[i].sig,
				ai->tables[i].ok ? "" : "(bad)");
		kprintf("\n");
	}
	kprintf("MADT: %u CPUs%s%s\n", ai->ncpu, ai->madt_note ? ": " : "",
		ai->madt_note ? ai->madt_note : "");
	if (ai->srat_note) {
		kprintf("SRAT: %s: one node\n", ai->srat_note);
	} else {
		kprintf("SRAT: %u memory ranges, %u processors\n", ai->nmem,
			ai->nproc_aff);
		for (unsigned i = 0; i < ai->nmem; i++)
			kprintf("  memory [0x%012llx-0x%012llx] %-9s -> node %u%s\n",
				ai->mem[i].base,
				ai->mem[i].base + ai->mem[i].size - 1,
				sz(ai->mem[i].size), ai->mem[i].pxm,
				ai->mem[i].flags & 2 ? " (hotpluggable)" : "");
		for (unsigned c = 0; c < ai->ncpu; c++)
			kprintf("  cpu %u (APIC id %u) -> node %d\n", c,
				ai->cpu[c].apic_id, ai->cpu[c].nid);
	}
	if (ai->slit_note) {
		kprintf("SLIT: %s: distances 10 local, 20 remote\n",
			ai->slit_note);
		return;
	}
	kprintf("SLIT: %u localities\n     ", ai->nloc);
	for (unsigned j = 0; j < ai->nloc; j++)
		kprintf(" %3u", j);
	kprintf("\n");
	for (unsigned i = 0; i < ai->nloc; i++) {
		kprintf("  %3u", i);
		for (unsigned j = 0; j < ai->nloc; j++)
			kprintf(" %3u", ai->dist[i][j]);
		kprintf("\n");
	}
}
