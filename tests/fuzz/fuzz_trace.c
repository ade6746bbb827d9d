// SPDX-License-Identifier: BSD-3-Clause
/*
 * fuzz_trace.c - libFuzzer target for the trace reader (tools/sim/trace.c).
 * The input is a trace. Rules: no crash, leak or undefined behaviour; the
 * whole-buffer read and the chunked one agree on the result, the error
 * and every call; a read trace starts with its one init. (The reader
 * turns each line into its record with dc_trace_parse_line, so there is
 * no separate line-by-line rule to check.)
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tools/sim/trace.h"

static int feed(void *r, const char *buf, size_t len,
		struct dc_parse_error *err)
{
	return dc_trace_reader_feed(r, buf, len, err);
}

static int read_chunked(const char *buf, size_t len, struct dc_trace_file *tf,
			struct dc_parse_error *err)
{
	struct dc_trace_reader *r = dc_trace_reader_new();

	FZ_CHECK(r, "out of memory");
	if (fz_feed_chunked(feed, r, buf, len, 89, err)) {
		dc_trace_reader_free(r);
		return -1;
	}
	return dc_trace_reader_finish(r, tf, err);
}

/* Field by field: the struct has padding, and backend[] bytes after its
 * NUL are not part of it. */
static bool same_call(const struct dc_trace_line *x,
		      const struct dc_trace_line *y)
{
	const struct dc_trace_rec *p = &x->rec, *q = &y->rec;

	return x->line == y->line && p->call == q->call &&
	       p->page_shift == q->page_shift &&
	       p->cfg_flags == q->cfg_flags &&
	       !strncmp(p->backend, q->backend, sizeof(p->backend)) &&
	       p->pool_bytes == q->pool_bytes && p->nid == q->nid &&
	       p->base == q->base && p->size == q->size &&
	       p->from == q->from && p->to == q->to &&
	       p->distance == q->distance && p->req.size == q->req.size &&
	       p->req.align == q->req.align &&
	       p->req.min_addr == q->req.min_addr &&
	       p->req.max_addr == q->req.max_addr && p->req.nid == q->req.nid &&
	       p->req.flags == q->req.flags && p->ret == q->ret &&
	       p->addr == q->addr && p->released == q->released &&
	       p->blocks == q->blocks && p->hash == q->hash;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dc_trace_file a, b;
	struct dc_parse_error ea = { 0 }, eb = { 0 };
	int ra, rb;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	(void)dc_trace_is_trace((const char *)data, size);
	ra = dc_trace_read((const char *)data, size, &a, &ea);
	rb = read_chunked((const char *)data, size, &b, &eb);
	if (fz_same_outcome(ra, &ea, rb, &eb)) {
		FZ_CHECK(a.n == 0, "failed read left calls");
		return 0;
	}
	FZ_CHECK(a.n == b.n && a.n > 0, "call counts differ or none");
	FZ_CHECK(a.v[0].rec.call == DC_TR_INIT, "first call is not init");
	for (size_t i = 0; i < a.n; i++) {
		FZ_CHECK(same_call(&a.v[i], &b.v[i]),
			 "call %zu differs between whole and chunked", i);
		FZ_CHECK(i == 0 || a.v[i].rec.call != DC_TR_INIT,
			 "a second init at call %zu", i);
	}
	dc_trace_file_free(&a);
	dc_trace_file_free(&b);
	return 0;
}
