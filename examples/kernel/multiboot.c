// SPDX-License-Identifier: BSD-3-Clause
/*
 * multiboot.c - what the boot loader tells us: the firmware memory map
 * (the BIOS e820 map, passed on by the multiboot loader), the command
 * line, the modules, and where it put all of that, which the kernel must
 * reserve before it lets an allocator loose on RAM.
 *
 * Multiboot v1 (the GNU Multiboot Specification 0.6.96): EBX points at
 * struct mb_info; flags say which fields are valid. The map is a list of
 * variable-size entries, each preceded by its own size. Without a map
 * (flag 6 clear) we fall back to mem_lower/mem_upper, as old loaders give.
 */
#include "multiboot.h"

#define MB_BOOT_MAGIC 0x2BADB002u

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;		/* flag 0: KiB */
	uint32_t boot_device;			/* flag 1 */
	uint32_t cmdline;			/* flag 2 */
	uint32_t mods_count, mods_addr;		/* flag 3 */
	uint32_t syms[4];			/* flags 4, 5 */
	uint32_t mmap_length, mmap_addr;	/* flag 6 */
	uint32_t drives_length, drives_addr;	/* flag 7 */
	uint32_t config_table;			/* flag 8 */
	uint32_t boot_loader_name;		/* flag 9 */
	uint32_t apm_table;			/* flag 10 */
	uint32_t vbe[6];			/* flag 11 */
} __attribute__((packed));

struct mb_mmap {
	uint32_t size;				/* of the rest of the entry */
	uint64_t base, length;
	uint32_t type;
} __attribute__((packed));

struct mb_module {
	uint32_t start, end, string, reserved;
};

static void add_range(struct boot_info *bi, uint64_t base, uint64_t size,
		      const char *what)
{
	if (size && bi->nranges < ARRAY_SIZE(bi->ranges))
		bi->ranges[bi->nranges++] = (struct boot_range){ base, size, what };
}

static void add_string(struct boot_info *bi, uint32_t pa, const char *what)
{
	add_range(bi, pa, strlen((const char *)pa) + 1, what);
}

static void add_map(struct boot_info *bi, uint64_t base, uint64_t size,
		    uint32_t type)
{
	struct fw_entry e = { base, size, type };
	unsigned i = bi->nmap;

	if (!size)
		return;
	if (bi->nmap == ARRAY_SIZE(bi->map)) {
		bi->map_dropped++;
		return;
	}
	/* insertion sort by base: firmware maps are usually sorted */
	for (; i && bi->map[i - 1].base > base; i--)
		bi->map[i] = bi->map[i - 1];
	bi->map[i] = e;
	bi->nmap++;
}

const char *mb_parse(uint32_t magic, uint32_t mbi_pa, struct boot_info *bi)
{
	const struct mb_info *mbi = (const struct mb_info *)mbi_pa;

	memset(bi, 0, sizeof(*bi));
	if (magic != MB_BOOT_MAGIC)
		return "not started by a multiboot loader (bad magic)";
	bi->flags = mbi->flags;
	add_range(bi, mbi_pa, sizeof(*mbi), "multiboot information");
	if (mbi->flags & (1u << 2)) {
		bi->cmdline = (const char *)mbi->cmdline;
		add_string(bi, mbi->cmdline, "command line");
	}
	if (mbi->flags & (1u << 9)) {
		bi->loader = (const char *)mbi->boot_loader_name;
		add_string(bi, mbi->boot_loader_name, "boot loader name");
	}
	if (mbi->flags & (1u << 3)) {
		const struct mb_module *m = (const void *)mbi->mods_addr;

		add_range(bi, mbi->mods_addr, mbi->mods_count * sizeof(*m),
			  "module list");
		for (uint32_t i = 0; i < mbi->mods_count; i++) {
			add_range(bi, m[i].start, m[i].end - m[i].start,
				  "module");
			if (m[i].string)
				add_string(bi, m[i].string, "module string");
		}
		bi->nmods = mbi->mods_count;
	}
	if (mbi->flags & (1u << 6)) {
		uint32_t p = mbi->mmap_addr, end = p + mbi->mmap_length;

		add_range(bi, p, mbi->mmap_length, "memory map");
		while (p + sizeof(struct mb_mmap) <= end) {
			const struct mb_mmap *e = (const void *)p;

			add_map(bi, e->base, e->length, e->type);
			p += e->size + sizeof(e->size);
		}
		bi->map_source = "multiboot memory map (BIOS e820)";
	} else if (mbi->flags & 1u) {
		add_map(bi, 0, (uint64_t)mbi->mem_lower << 10, FW_RAM);
		add_map(bi, 1 * MiB, (uint64_t)mbi->mem_upper << 10, FW_RAM);
		bi->map_source = "multiboot mem_lower/mem_upper (no map)";
	} else {
		return "the boot loader gave no memory map";
	}
	return NULL;
}

const char *fw_type_name(uint32_t type)
{
	static const char *const names[] = {
		"?", "RAM", "reserved", "ACPI data", "ACPI NVS", "unusable",
		"disabled", "persistent", "?", "?", "?", "?", "persistent",
	};

	return type < ARRAY_SIZE(names) ? names[type] : "?";
}

void mb_print(const struct boot_info *bi)
{
	uint64_t ram = 0;

	kprintf("boot loader: %s; command line: \"%s\"; modules: %u\n",
		bi->loader ? bi->loader : "?", bi->cmdline ? bi->cmdline : "",
		bi->nmods);
	kprintf("firmware memory map: %s, %u entries\n", bi->map_source,
		bi->nmap);
	for (unsigned i = 0; i < bi->nmap; i++) {
		const struct fw_entry *e = &bi->map[i];

		kprintf("  [0x%012llx-0x%012llx] %-10s %s\n", e->base,
			e->base + e->size - 1, fw_type_name(e->type),
			sz(e->size));
		if (e->type == FW_RAM)
			ram += e->size;
	}
	if (bi->map_dropped)
		kprintf("  (%u entries beyond %u dropped)\n", bi->map_dropped,
			(unsigned)ARRAY_SIZE(bi->map));
	kprintf("  RAM: %s\n", sz(ram));
}
