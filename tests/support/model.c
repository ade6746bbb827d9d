// SPDX-License-Identifier: BSD-3-Clause
/*
 * model.c - the reference model (see model.h). Slow on purpose: every
 * question is answered by looking at every range.
 */
#include "model.h"

#include <stdlib.h>
#include <string.h>

void m_init(struct dc_model *m, bool top_down)
{
	memset(m, 0, sizeof(*m));
	m->top_down = top_down;
	for (int i = 0; i < M_MAX_NID; i++)
		for (int j = 0; j < M_MAX_NID; j++)
			m->dist[i][j] = i == j ? 10 : 20;
}

void m_fini(struct dc_model *m)
{
	free(m->frag);
	free(m->free);
}

static void r_insert(struct m_range **a, size_t *n, size_t *cap,
		     struct m_range r)
{
	size_t i;

	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		*a = realloc(*a, *cap * sizeof(**a));
	}
	for (i = *n; i > 0 && (*a)[i - 1].b > r.b; i--)
		(*a)[i] = (*a)[i - 1];
	(*a)[i] = r;
	(*n)++;
}

/* Merge touching ranges of the same node. */
static void r_normalise(struct m_range *a, size_t *n)
{
	size_t w = 0;

	for (size_t i = 0; i < *n; i++) {
		if (w && a[w - 1].nid == a[i].nid && a[w - 1].l != UINT64_MAX &&
		    a[w - 1].l + 1 == a[i].b)
			a[w - 1].l = a[i].l;
		else
			a[w++] = a[i];
	}
	*n = w;
}

/* Remove [b, l] from the set a (which must cover it). */
static void r_cut(struct m_range **a, size_t *n, size_t *cap, dc_addr_t b,
		  dc_addr_t l)
{
	for (size_t i = 0; i < *n; i++) {
		struct m_range r = (*a)[i];

		if (r.l < b || r.b > l)
			continue;
		memmove(&(*a)[i], &(*a)[i + 1], (*n - i - 1) * sizeof(r));
		(*n)--;
		if (r.b < b)
			r_insert(a, n, cap, (struct m_range){ r.b, b - 1, r.nid });
		if (r.l > l)
			r_insert(a, n, cap, (struct m_range){ l + 1, r.l, r.nid });
		i = (size_t)-1;	/* restart: the array moved */
	}
}

/* Bytes of [b, l] inside the set a. */
static dc_size_t r_covered(const struct m_range *a, size_t n, dc_addr_t b,
			   dc_addr_t l)
{
	dc_size_t c = 0;

	for (size_t i = 0; i < n; i++) {
		dc_addr_t lo = a[i].b > b ? a[i].b : b;
		dc_addr_t hi = a[i].l < l ? a[i].l : l;

		if (lo <= hi)
			c += hi - lo + 1;
	}
	return c;
}

static int m_range(dc_addr_t base, dc_size_t size, dc_addr_t *last)
{
	if (!size)
		return DC_EINVAL;
	if (size - 1 > UINT64_MAX - base)
		return DC_ERANGE;
	*last = base + size - 1;
	return 0;
}

int m_add(struct dc_model *m, int nid, dc_addr_t base, dc_size_t size)
{
	dc_addr_t last;
	int r;

	if (nid < 0 || nid >= DC_MAX_NODES)
		return DC_EINVAL;
	r = m_range(base, size, &last);
	if (r)
		return r;
	if (m->ready)
		return DC_ESTATE;
	if (r_covered(m->frag, m->nfrag, base, last))
		return DC_EEXIST;
	m->present[nid] = true;
	r_insert(&m->frag, &m->nfrag, &m->capfrag,
		 (struct m_range){ base, last, nid });
	r_normalise(m->frag, &m->nfrag);
	r_insert(&m->free, &m->nfree, &m->capfree,
		 (struct m_range){ base, last, nid });
	r_normalise(m->free, &m->nfree);
	return 0;
}

int m_set_distance(struct dc_model *m, int from, int to, unsigned d)
{
	m->present[from] = m->present[to] = true;
	m->dist[from][to] = d;
	return 0;
}

int m_add_node(struct dc_model *m, int nid)
{
	if (nid < 0 || nid >= DC_MAX_NODES)
		return DC_EINVAL;
	if (m->ready)
		return DC_ESTATE;
	if (nid < M_MAX_NID)
		m->present[nid] = true;
	return 0;
}

/* Give every byte of [b, l] in the set a to nid. */
static void r_relabel(struct m_range **a, size_t *n, size_t *cap,
		      dc_addr_t b, dc_addr_t l, int nid)
{
	size_t k = *n;

	for (size_t i = 0; i < k; i++) {
		struct m_range r = (*a)[i];
		dc_addr_t lo = r.b > b ? r.b : b, hi = r.l < l ? r.l : l;

		if (lo > hi || r.nid == nid)
			continue;
		r_cut(a, n, cap, lo, hi);
		r_insert(a, n, cap, (struct m_range){ lo, hi, nid });
		i = (size_t)-1;	/* restart: the array moved */
		k = *n;
	}
	r_normalise(*a, n);
}

int m_set_node(struct dc_model *m, dc_addr_t base, dc_size_t size, int nid)
{
	dc_addr_t last;
	int r;

	if (nid < 0 || nid >= M_MAX_NID)
		return DC_EINVAL;
	r = m_range(base, size, &last);
	if (r)
		return r;
	if (m->ready)
		return DC_ESTATE;
	m->present[nid] = true;
	r_relabel(&m->frag, &m->nfrag, &m->capfrag, base, last, nid);
	r_relabel(&m->free, &m->nfree, &m->capfree, base, last, nid);
	return 0;
}

int m_reserve_loose(struct dc_model *m, dc_addr_t base, dc_size_t size,
		    dc_size_t *newly)
{
	dc_addr_t last;
	int r = m_range(base, size, &last);

	if (r)
		return r;
	*newly = r_covered(m->free, m->nfree, base, last);
	for (size_t i = 0; i < m->nfree; i++) {
		dc_addr_t lo = m->free[i].b > base ? m->free[i].b : base;
		dc_addr_t hi = m->free[i].l < last ? m->free[i].l : last;

		if (lo <= hi) {
			r_cut(&m->free, &m->nfree, &m->capfree, lo, hi);
			i = (size_t)-1;
		}
	}
	return 0;
}

void m_set_access_limit(struct dc_model *m, dc_addr_t limit)
{
	m->access_end = limit;
}

int m_reserve(struct dc_model *m, dc_addr_t base, dc_size_t size)
{
	dc_addr_t last;
	int r = m_range(base, size, &last);

	if (r)
		return r;
	if (r_covered(m->frag, m->nfrag, base, last) != last - base + 1)
		return DC_ENOENT;
	if (r_covered(m->free, m->nfree, base, last) != last - base + 1)
		return DC_EBUSY;
	r_cut(&m->free, &m->nfree, &m->capfree, base, last);
	return 0;
}

int m_free(struct dc_model *m, dc_addr_t base, dc_size_t size)
{
	dc_addr_t last;
	int r = m_range(base, size, &last);

	if (r)
		return r;
	if (r_covered(m->frag, m->nfrag, base, last) != last - base + 1 ||
	    r_covered(m->free, m->nfree, base, last))
		return DC_ENOENT;
	/* give back piece by piece, each with its fragment's node */
	for (size_t i = 0; i < m->nfrag; i++) {
		dc_addr_t lo = m->frag[i].b > base ? m->frag[i].b : base;
		dc_addr_t hi = m->frag[i].l < last ? m->frag[i].l : last;

		if (lo <= hi)
			r_insert(&m->free, &m->nfree, &m->capfree,
				 (struct m_range){ lo, hi, m->frag[i].nid });
	}
	r_normalise(m->free, &m->nfree);
	return 0;
}

/* Best fit on node nid (-1: any) in [lo, wl], by linear scan. */
static bool m_fit(const struct dc_model *m, int nid, dc_addr_t lo,
		  dc_addr_t wl, dc_size_t size, dc_size_t align, bool top,
		  dc_addr_t *out)
{
	bool found = false;

	for (size_t i = 0; i < m->nfree; i++) {
		const struct m_range *r = &m->free[i];
		dc_addr_t b = r->b > lo ? r->b : lo;
		dc_addr_t l = r->l < wl ? r->l : wl, a;

		if ((nid >= 0 && r->nid != nid) || b > l || l - b < size - 1)
			continue;
		if (top) {
			a = (l - (size - 1)) & ~(align - 1);
			if (a < b)
				continue;
		} else {
			a = (b + align - 1) & ~(align - 1);
			if (a < b || a > l || l - a < size - 1)
				continue;	/* a < b: align-up wrapped */
		}
		if (!found || (top ? a > *out : a < *out))
			*out = a;
		found = true;
	}
	return found;
}

/* Nodes ordered by (distance from pref, nid), pref first. */
static int m_order(const struct dc_model *m, int pref, int *order)
{
	int n = 0;

	order[n++] = pref;
	for (;;) {
		int best = -1;
		unsigned bd = 0;

		for (int c = 0; c < M_MAX_NID; c++) {
			bool used = false;

			if (!m->present[c])
				continue;
			for (int k = 0; k < n; k++)
				used |= order[k] == c;
			if (used)
				continue;
			if (best < 0 || m->dist[pref][c] < bd)
				best = c, bd = m->dist[pref][c];
		}
		if (best < 0)
			return n;
		order[n++] = best;
	}
}

static bool m_search(const struct dc_model *m, const struct dc_request *q,
		     dc_addr_t lo, dc_addr_t wl, dc_size_t align, bool top,
		     dc_addr_t *out, int *won)
{
	int order[M_MAX_NID], n;

	if (q->nid == DC_NO_NODE) {
		if (!m_fit(m, -1, lo, wl, q->size, align, top, out))
			return false;
		for (size_t i = 0; i < m->nfree; i++)
			if (m->free[i].b <= *out && *out <= m->free[i].l)
				*won = m->free[i].nid;
		return true;
	}
	n = (q->flags & DC_REQ_EXACT_NODE) ? 1 : m_order(m, q->nid, order);
	order[0] = q->nid;
	for (int k = 0; k < n; k++)
		if (m_fit(m, order[k], lo, wl, q->size, align, top, out)) {
			*won = order[k];
			return true;
		}
	return false;
}

int m_alloc(struct dc_model *m, const struct dc_request *q, dc_addr_t *out)
{
	dc_size_t align = q->align ? q->align : DC_DEFAULT_ALIGN;
	dc_addr_t wl = q->max_addr ? q->max_addr - 1 : UINT64_MAX, last, a;
	bool top;
	int won = -1;

	if (!q->size || (q->align & (q->align - 1)) || (q->flags & ~31u) ||
	    ((q->flags & DC_REQ_TOP_DOWN) && (q->flags & DC_REQ_BOTTOM_UP)))
		return DC_EINVAL;
	if (q->nid != DC_NO_NODE && (q->nid < 0 || q->nid >= M_MAX_NID))
		return DC_EINVAL;	/* (the tests use nids below M_MAX_NID) */
	if (q->max_addr && q->min_addr >= q->max_addr)
		return DC_EINVAL;
	if (m_range(q->min_addr, q->size, &last))
		return DC_ERANGE;
	if (!m->ready)
		return DC_ESTATE;
	/* DC_REQ_ZERO: confined below the access limit */
	if ((q->flags & DC_REQ_ZERO) && m->access_end &&
	    m->access_end - 1 < wl)
		wl = m->access_end - 1;
	top = (q->flags & DC_REQ_TOP_DOWN) ? true :
	      (q->flags & DC_REQ_BOTTOM_UP) ? false : m->top_down;
	if (!m_search(m, q, q->min_addr, wl, align, top, &a, &won) &&
	    !((q->flags & DC_REQ_RELAX_MIN) && q->min_addr &&
	      m_search(m, q, 0, wl, align, top, &a, &won)))
		return DC_ENOMEM;
	r_cut(&m->free, &m->nfree, &m->capfree, a, a + q->size - 1);
	*out = a;
	return 0;
}

dc_size_t m_free_bytes(const struct dc_model *m)
{
	dc_size_t t = 0;

	for (size_t i = 0; i < m->nfree; i++)
		t += m->free[i].l - m->free[i].b + 1;
	return t;
}
