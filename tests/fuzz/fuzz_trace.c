// SPDX-License-Identifier: BSD-3-Clause
/*
 * fuzz_trace.c - libFuzzer target for the trace reader (tools/sim/trace.c).
 * The input is a trace. Rules: no crash, leak or undefined behaviour; the
 * whole-buffer read and the chunked one agree on the result, the error
 * and every call; a read trace starts with its one init, and every line
 * of it parses alone (dc_trace_parse_line) to the same record.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tools/sim/trace.h"

static int read_chunked(const char *buf, size_t len, struct dc_trace_file *tf,
			struct dc_parse_error *err)
{
	struct dc_trace_reader *r = dc_trace_reader_new();
	size_t chunk = 1 + len % 89, off;

	FZ_CHECK(r, "out of memory");
	for (off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;

		if (dc_trace_reader_feed(r, buf + off, n, err)) {
			dc_trace_reader_free(r);
			return -1;
		}
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
	FZ_CHECK(ra == rb, "whole %d, chunked %d (%s / %s)", ra, rb, ea.msg,
		 eb.msg);
	if (ra) {
		FZ_CHECK(ea.line == eb.line && !strcmp(ea.msg, eb.msg),
			 "errors differ: %lu %s / %lu %s", ea.line, ea.msg,
			 eb.line, eb.msg);
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
