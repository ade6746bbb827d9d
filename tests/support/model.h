/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * model.h - an obviously correct reference for the byte-exact backends:
 * fragments and free bytes as plain sorted arrays, searched by linear scan,
 * with DESIGN.md's routing rules written out as directly as possible. No
 * metadata: tests that compare with it give the system a pool large enough
 * never to steal.
 */
#ifndef DC_TESTS_MODEL_H
#define DC_TESTS_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include <discontig/discontig.h>

#define M_MAX_NID 64

struct m_range {
	dc_addr_t b, l;		/* inclusive */
	int nid;
};

struct dc_model {
	bool top_down;		/* system default */
	struct m_range *frag, *free;
	size_t nfrag, nfree, capfrag, capfree;
	bool present[M_MAX_NID];
	unsigned dist[M_MAX_NID][M_MAX_NID];
	bool ready;
	dc_addr_t access_end;	/* 0: no limit */
};

void m_init(struct dc_model *m, bool top_down);
void m_fini(struct dc_model *m);
int m_add(struct dc_model *m, int nid, dc_addr_t base, dc_size_t size);
int m_set_distance(struct dc_model *m, int from, int to, unsigned d);
int m_add_node(struct dc_model *m, int nid);
int m_set_node(struct dc_model *m, dc_addr_t base, dc_size_t size, int nid);
int m_reserve_loose(struct dc_model *m, dc_addr_t base, dc_size_t size,
		    dc_size_t *newly);
void m_set_access_limit(struct dc_model *m, dc_addr_t limit);
int m_reserve(struct dc_model *m, dc_addr_t base, dc_size_t size);
int m_free(struct dc_model *m, dc_addr_t base, dc_size_t size);
int m_alloc(struct dc_model *m, const struct dc_request *q, dc_addr_t *out);
dc_size_t m_free_bytes(const struct dc_model *m);

#endif /* DC_TESTS_MODEL_H */
