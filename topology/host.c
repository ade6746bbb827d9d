// SPDX-License-Identifier: BSD-3-Clause
/*
 * host.c - HOST ONLY: the host layout model (LAYOUTS.md, "host"): this
 * machine's own physical map, read from Linux sysfs.
 *
 *   /sys/firmware/memmap/N/{start,end,type}    firmware map; "System RAM"
 *                                              entries are memory, all
 *                                              other types are holes
 *   /sys/devices/system/memory/block_size_bytes  hex, e.g. 8000000
 *   /sys/devices/system/node/nodeN/memoryM     block M, [M*bs, (M+1)*bs),
 *                                              belongs to node N
 *
 * Each System RAM range is cut at memory block boundaries and each piece
 * goes to the node owning its block; consecutive pieces of one node merge.
 * A piece in no node's block (offline, or a node hwloc does not report) is
 * dropped with a note. No firmware reservation is made: the firmware's
 * reserved ranges are holes already. The page size is the host's.
 *
 * Where a file is missing or unreadable (not Linux, no
 * CONFIG_FIRMWARE_MEMMAP, no memory hotplug sysfs), a note says which and
 * the caller falls back to flat (DC_ENOENT). dc_layout_make() allows this
 * model only for the live machine (struct dc_topology.live).
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "topology/layout.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ram {
	dc_addr_t base, last;	/* inclusive */
};

struct block {
	uint64_t index;
	int nid;
};

struct host_map {
	struct ram *ram;
	size_t nram;
	struct block *blk;
	size_t nblk;
	uint64_t block_size;
	char why[4608];		/* why sysfs could not be used */
};

/* Read the first line of root/rel into buf; false with why set. */
static bool read_line(const char *path, char *buf, size_t len, char *why,
		      size_t whylen)
{
	FILE *f = fopen(path, "r");

	if (!f || !fgets(buf, (int)len, f)) {
		snprintf(why, whylen, "cannot read %s (%s)", path,
			 f ? "empty" : strerror(errno));
		if (f)
			fclose(f);
		return false;
	}
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	return true;
}

static bool parse_hex(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 16);
	return !errno && end != s && !*end;
}

static int cmp_ram(const void *a, const void *b)
{
	const struct ram *x = a, *y = b;

	return (x->base > y->base) - (x->base < y->base);
}

static int cmp_block(const void *a, const void *b)
{
	const struct block *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

/* Append one /sys/firmware/memmap/N entry if it is System RAM. */
static bool memmap_entry(struct host_map *m, const char *dir,
			 const char *name, size_t *cap)
{
	char path[8192], s[64], e[64], type[64];
	uint64_t base, last;
	struct ram *p;

	snprintf(path, sizeof(path), "%s/%s/start", dir, name);
	if (!read_line(path, s, sizeof(s), m->why, sizeof(m->why)))
		return false;
	snprintf(path, sizeof(path), "%s/%s/end", dir, name);
	if (!read_line(path, e, sizeof(e), m->why, sizeof(m->why)))
		return false;
	snprintf(path, sizeof(path), "%s/%s/type", dir, name);
	if (!read_line(path, type, sizeof(type), m->why, sizeof(m->why)))
		return false;
	if (!parse_hex(s, &base) || !parse_hex(e, &last) || last < base) {
		snprintf(m->why, sizeof(m->why), "%s/%s: bad range '%s'-'%s'",
			 dir, name, s, e);
		return false;
	}
	if (strcmp(type, "System RAM"))
		return true;	/* firmware-reserved: a hole */
	if (m->nram == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		p = realloc(m->ram, *cap * sizeof(*p));
		if (!p) {
			snprintf(m->why, sizeof(m->why), "out of memory");
			return false;
		}
		m->ram = p;
	}
	m->ram[m->nram++] = (struct ram){ base, last };
	return true;
}

static bool read_memmap(struct host_map *m, const char *root)
{
	char dir[4096];
	struct dirent *d;
	size_t cap = 0;
	bool ok = true;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/firmware/memmap", root);
	dp = opendir(dir);
	if (!dp) {
		snprintf(m->why, sizeof(m->why), "cannot read %s (%s)", dir,
			 strerror(errno));
		return false;
	}
	while (ok && (d = readdir(dp)))
		if (d->d_name[0] >= '0' && d->d_name[0] <= '9')
			ok = memmap_entry(m, dir, d->d_name, &cap);
	closedir(dp);
	if (ok && !m->nram) {
		snprintf(m->why, sizeof(m->why), "no System RAM in %s", dir);
		ok = false;
	}
	if (ok)
		qsort(m->ram, m->nram, sizeof(*m->ram), cmp_ram);
	return ok;
}

/* "memory123" -> 123; false for memory_side_cache and the like. */
static bool block_name(const char *name, uint64_t *index)
{
	const char *p;

	if (strncmp(name, "memory", 6) || !name[6])
		return false;
	for (p = name + 6; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	*index = strtoull(name + 6, NULL, 10);
	return true;
}

/* Blocks of every nodeN directory (also nodes hwloc did not report). */
static bool read_blocks(struct host_map *m, const char *root)
{
	char dir[4096], ndir[4352];
	struct dirent *d, *e;
	size_t cap = 0;
	uint64_t idx;
	DIR *dp, *np;

	snprintf(dir, sizeof(dir), "%s/devices/system/node", root);
	dp = opendir(dir);
	if (!dp) {
		snprintf(m->why, sizeof(m->why), "cannot read %s (%s)", dir,
			 strerror(errno));
		return false;
	}
	while ((d = readdir(dp))) {
		int nid;
		char extra;

		if (sscanf(d->d_name, "node%d%c", &nid, &extra) != 1)
			continue;
		snprintf(ndir, sizeof(ndir), "%s/%s", dir, d->d_name);
		np = opendir(ndir);
		while (np && (e = readdir(np))) {
			if (!block_name(e->d_name, &idx))
				continue;
			if (m->nblk == cap) {
				struct block *p;

				cap = cap ? cap * 2 : 256;
				p = realloc(m->blk, cap * sizeof(*p));
				if (!p)
					break;
				m->blk = p;
			}
			m->blk[m->nblk++] = (struct block){ idx, nid };
		}
		if (np)
			closedir(np);
	}
	closedir(dp);
	if (!m->nblk) {
		snprintf(m->why, sizeof(m->why), "no memory blocks under %s",
			 dir);
		return false;
	}
	qsort(m->blk, m->nblk, sizeof(*m->blk), cmp_block);
	return true;
}

static bool read_block_size(struct host_map *m, const char *root)
{
	char path[4096], line[64];

	snprintf(path, sizeof(path),
		 "%s/devices/system/memory/block_size_bytes", root);
	if (!read_line(path, line, sizeof(line), m->why, sizeof(m->why)))
		return false;
	if (!parse_hex(line, &m->block_size) || !m->block_size) {
		snprintf(m->why, sizeof(m->why), "%s: bad size '%s'", path,
			 line);
		return false;
	}
	return true;
}

/* Owner of block index, or DC_NO_NODE. */
static int block_owner(const struct host_map *m, uint64_t index)
{
	size_t lo = 0, hi = m->nblk;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->blk[mid].index == index)
			return m->blk[mid].nid;
		if (m->blk[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return DC_NO_NODE;
}

/* Add [a, z] for nid, merging with the previous fragment if it touches. */
static int host_piece(struct dc_layout_build *b, int nid, dc_addr_t a,
		      dc_addr_t z)
{
	struct dc_layout *l = b->l;
	struct dc_fragment *p = l->nfrags ? &l->frags[l->nfrags - 1] : NULL;

	if (p && p->nid == nid && p->base + p->size == a) {
		p->size += z - a + 1;
		return 0;
	}
	return dc_lb_frag(b, nid, a, z - a + 1);
}

/* Cut the RAM ranges at block boundaries and give each piece its node. */
static int host_split(const struct host_map *m, const struct dc_topology *t,
		      struct dc_layout_build *b)
{
	dc_size_t dropped = 0;
	dc_addr_t first_drop = 0;
	char h[32];
	size_t i;

	for (i = 0; i < m->nram; i++) {
		dc_addr_t a = m->ram[i].base;

		for (;;) {
			uint64_t blk = a / m->block_size;
			dc_addr_t start = blk * m->block_size;
			dc_addr_t z = m->ram[i].last;
			int nid = block_owner(m, blk);

			/* the block's last byte, unless it passes 2^64 */
			if (m->block_size - 1 <= UINT64_MAX - start &&
			    start + (m->block_size - 1) < z)
				z = start + (m->block_size - 1);
			if (nid != DC_NO_NODE && dc_topo_index(t, nid) >= 0) {
				if (host_piece(b, nid, a, z))
					return DC_ENOMEM;
			} else {
				if (!dropped)
					first_drop = a;
				dropped += z - a + 1;
			}
			if (z == m->ram[i].last)
				break;
			a = z + 1;
		}
	}
	if (dropped && dc_lb_note(b, "host: dropped %s of System RAM in no "
				  "known node's memory blocks (first at "
				  "0x%llx)", dc_topo_human(dropped, h),
				  (unsigned long long)first_drop))
		return DC_ENOMEM;
	return 0;
}

/*
 * hwloc's node size is MemTotal (RAM minus what the kernel reserved at
 * boot), so it is always a little below the map's; say so when they differ
 * by more than 1/8, or when a node has memory but no RAM in the map.
 */
static int host_compare(int nid, dc_size_t hwloc_mem,
			struct dc_layout_build *b)
{
	dc_size_t map = dc_layout_memory(b->l, nid);
	dc_size_t diff = map > hwloc_mem ? map - hwloc_mem : hwloc_mem - map;
	char h1[32], h2[32];

	if (hwloc_mem && !map)
		return dc_lb_note(b, "host: node %d: hwloc reports %s but no "
				  "System RAM lies in its memory blocks", nid,
				  dc_topo_human(hwloc_mem, h1));
	if (diff > map / 8 || diff > hwloc_mem / 8)
		return dc_lb_note(b, "host: node %d: %s of System RAM in the "
				  "physical map, hwloc reports %s", nid,
				  dc_topo_human(map, h1),
				  dc_topo_human(hwloc_mem, h2));
	return 0;
}

int dc_layout_host(const struct dc_topology *t,
		   const struct dc_layout_opts *o, struct dc_layout_build *b,
		   char *err, size_t errlen)
{
	const char *root = o->sysfs_root ? o->sysfs_root : "/sys";
	struct host_map m;
	long page = sysconf(_SC_PAGESIZE);
	unsigned i, shift = 12;
	int rc;

	memset(&m, 0, sizeof(m));
	while (page > 0 && ((long)1 << shift) < page)
		shift++;
	b->l->page_shift = shift;
	if (!read_memmap(&m, root) || !read_block_size(&m, root) ||
	    !read_blocks(&m, root)) {
		free(m.ram);
		free(m.blk);
		rc = dc_lb_note(b, "host: %s: fell back to flat", m.why);
		return rc ? rc : DC_ENOENT;
	}
	rc = host_split(&m, t, b);
	for (i = 0; i < t->nnodes && !rc; i++)
		rc = host_compare(t->nodes[i].nid, t->nodes[i].memory, b);
	free(m.ram);
	free(m.blk);
	(void)err;
	(void)errlen;
	return rc;
}
