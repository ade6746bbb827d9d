// SPDX-License-Identifier: BSD-3-Clause
/*
 * fuzz_memblock.c - libFuzzer target for the memblock=debug log parser
 * (tools/sim/memblock_log.c). The input is a log. Rules: no crash, leak or
 * undefined behaviour (the sanitizers); the whole-buffer parse and the
 * chunked one (chunk size from the input's length) agree on the result,
 * the error line and every count; a parsed log has memory, and every
 * range it holds has base <= last.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tools/sim/memblock_log.h"

static int feed(void *p, const char *buf, size_t len,
		struct dc_parse_error *err)
{
	return dc_mb_parser_feed(p, buf, len, err);
}

static int parse_chunked(const char *buf, size_t len, struct dc_mb_log *log,
			 struct dc_parse_error *err)
{
	struct dc_mb_parser *p = dc_mb_parser_new();

	FZ_CHECK(p, "out of memory");
	if (fz_feed_chunked(feed, p, buf, len, 97, err)) {
		dc_mb_parser_free(p);
		return -1;
	}
	return dc_mb_parser_finish(p, log, err);
}

static void check_ranges(const struct dc_mb_range *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		FZ_CHECK(r[i].base <= r[i].last, "range %zu: base > last", i);
}

/* Field by field: the struct has padding. */
static bool same_op(const struct dc_mb_op *x, const struct dc_mb_op *y)
{
	return x->kind == y->kind && x->api == y->api && x->line == y->line &&
	       x->base == y->base && x->last == y->last && x->nid == y->nid &&
	       x->size == y->size && x->align == y->align &&
	       x->from == y->from && x->max_addr == y->max_addr &&
	       x->bottom_up == y->bottom_up && x->ok == y->ok &&
	       x->result == y->result && x->result_size == y->result_size &&
	       x->result_line == y->result_line &&
	       x->unlogged_alloc == y->unlogged_alloc &&
	       x->unanswered == y->unanswered;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dc_mb_log a, b;
	struct dc_parse_error ea = { 0 }, eb = { 0 };
	int ra, rb;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ra = dc_mb_parse((const char *)data, size, &a, &ea);
	rb = parse_chunked((const char *)data, size, &b, &eb);
	if (fz_same_outcome(ra, &ea, rb, &eb)) {
		FZ_CHECK(!a.nmemory && !a.nops, "failed parse left a log");
		return 0;
	}
	FZ_CHECK(a.nmemory == b.nmemory && a.nreserved == b.nreserved &&
		 a.nnodes == b.nnodes && a.nops == b.nops &&
		 a.nrequests == b.nrequests, "whole and chunked logs differ");
	FZ_CHECK(a.nmemory > 0, "a parsed log without memory");
	check_ranges(a.memory, a.nmemory);
	check_ranges(a.reserved, a.nreserved);
	check_ranges(a.nodes, a.nnodes);
	for (size_t i = 0; i < a.nops; i++)
		FZ_CHECK(same_op(&a.ops[i], &b.ops[i]),
			 "op %zu differs between whole and chunked", i);
	dc_mb_free(&a);
	dc_mb_free(&b);
	return 0;
}
