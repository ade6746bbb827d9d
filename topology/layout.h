/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * layout.h - HOST ONLY, private to topology/: what the layout models share.
 * Each model (flat.c, sn1.c, wildfire.c, host.c) appends fragments,
 * reservations and notes to a struct dc_layout through these helpers;
 * layout.c sorts, checks and publishes the result (include/discontig/
 * topology.h).
 */
#ifndef DC_TOPOLOGY_LAYOUT_H
#define DC_TOPOLOGY_LAYOUT_H

#include <discontig/topology.h>

#define DC_KIB ((dc_size_t)1 << 10)
#define DC_MIB ((dc_size_t)1 << 20)
#define DC_GIB ((dc_size_t)1 << 30)

/* A layout being built: the growing arrays of @l and their capacities. */
struct dc_layout_build {
	struct dc_layout *l;
	size_t fcap, rcap, ncap;
};

/* Append a fragment / a reservation: 0 or DC_ENOMEM. size > 0. */
int dc_lb_frag(struct dc_layout_build *b, int nid, dc_addr_t base,
	       dc_size_t size);
int dc_lb_reserve(struct dc_layout_build *b, int nid, dc_addr_t base,
		  dc_size_t size);

/* Append a note (one line): 0 or DC_ENOMEM. */
int dc_lb_note(struct dc_layout_build *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Write a one-line error into err (may be NULL). */
void dc_lb_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "8 GiB", "31.97 GiB", "640 KiB", "12 B" into buf (>= 32 bytes). */
const char *dc_topo_human(uint64_t bytes, char *buf);

/* Largest power of two <= x (x > 0); smallest power of two >= x, or 0 if
 * it does not fit in 64 bits. */
uint64_t dc_pow2_floor(uint64_t x);
uint64_t dc_pow2_ceil(uint64_t x);

/* The models. Each returns 0 or a DC_E* code with err filled. */
int dc_layout_flat(const struct dc_topology *t,
		   const struct dc_layout_opts *o, struct dc_layout_build *b,
		   char *err, size_t errlen);
int dc_layout_sn1(const struct dc_topology *t,
		  const struct dc_layout_opts *o, struct dc_layout_build *b,
		  char *err, size_t errlen);
int dc_layout_wildfire(const struct dc_topology *t,
		       const struct dc_layout_opts *o,
		       struct dc_layout_build *b, char *err, size_t errlen);
/* host: 0 done; DC_ENOENT when sysfs cannot be read: a note says why and
 * nothing else was added, the caller falls back to flat. */
int dc_layout_host(const struct dc_topology *t,
		   const struct dc_layout_opts *o, struct dc_layout_build *b,
		   char *err, size_t errlen);

#endif /* DC_TOPOLOGY_LAYOUT_H */
