// SPDX-License-Identifier: BSD-3-Clause
/*
 * memblock_log.c - the memblock=debug log parser of `discontig replay`.
 *
 * What Linux 6.1 prints with memblock=debug (mm/memblock.c, memblock_dbg):
 *
 *   memblock_reserve: [0x...-0x...] caller+0x../0x..     (inclusive last)
 *   memblock_phys_free: [0x...-0x...] caller              (also memblock_free)
 *   memblock_add: [0x...-0x...] caller                    (and _add_node, _remove)
 *   memblock_alloc_try_nid: SIZE bytes align=0x.. nid=N from=0x.. max_addr=0x.. caller
 *   memblock_phys_alloc_range: SIZE bytes align=0x.. from=0x.. max_addr=0x.. caller
 *   MEMBLOCK configuration:  then  memory[0xI]\t[0x..-0x..], 0x.. bytes [on node N ]flags: 0x..
 *
 * An allocation request is answered by the next memblock line when that is
 * `memblock_reserve: ... memblock_alloc_range_nid+...`; any other memblock
 * line next means the request failed in the real boot. A
 * `memblock_alloc_range_nid` reservation with no request before it is an
 * allocation memblock does not log (memblock_phys_alloc_try_nid: NODE_DATA)
 * and is kept as a plain reservation.
 *
 * Lines come from the bounded splitter (lines.h), which has already
 * rejected NUL bytes and overlong lines; CR is made a blank and each line
 * ends in a NUL, so every search below is a plain strstr that cannot run
 * past its line, whatever garbage the line holds. Keywords are searched
 * anywhere in a line: prefixes (timestamps, escape codes, a console's own
 * decorations) do not matter.
 *
 * A line that names a memblock call (or is an entry of the first dump)
 * but does not read as one is counted and kept in log->bad with the
 * reason, never applied. A last line without a newline that is a
 * memblock line is not applied either (log->cut_line): it was cut, and
 * half an address is a wrong address. A request still waiting for its
 * answer when the log ends is marked unanswered: the log ends there.
 *
 * Invariants it guarantees to its user (replay.c):
 *  P1  every range has base <= last
 *  P2  ops are in log order, each with its 1-based line number
 *  P3  nrequests == number of DC_MB_REQUEST ops == number of request lines
 *      after the first dump
 */
#include "tools/sim/memblock_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const api_names[] = {
	[DC_MB_TRY_NID] = "memblock_alloc_try_nid",
	[DC_MB_TRY_NID_RAW] = "memblock_alloc_try_nid_raw",
	[DC_MB_EXACT_NID_RAW] = "memblock_alloc_exact_nid_raw",
	[DC_MB_PHYS_RANGE] = "memblock_phys_alloc_range",
};

const char *dc_mb_api_name(enum dc_mb_api api)
{
	return (unsigned)api < sizeof(api_names) / sizeof(api_names[0]) ?
		       api_names[api] : "?";
}

/* A growable array of ranges. */
struct range_vec {
	struct dc_mb_range *v;
	size_t n, cap;
};

struct parser {
	struct dc_mb_log *log;
	size_t ops_cap, mem_cap, res_cap;
	struct range_vec srat, early, dumpnode;
	unsigned dumps;			/* dumps seen so far */
	bool in_dump;			/* inside dump number `dumps` */
	bool dumpnode_done;		/* a later dump gave node ranges */
	unsigned long mem_cnt, res_cnt;	/* counts the first dump states */
	size_t mem_seen, res_seen;	/* entries it listed, size 0 ones too */
	size_t pending;			/* request awaiting its reserve, +1 */
	bool seen_cmdline;
	size_t memblock_lines;
	bool oom;
	bool too_many;			/* DC_MB_MAX_OPS reached */
};

/* ---- scanning helpers: each advances *pp only on success ---- */

static const char *skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static bool eat(const char **pp, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(*pp, lit, n))
		return false;
	*pp += n;
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* [0x]HEX, overflow-checked */
static bool scan_hex(const char **pp, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;
	int d, digits = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	while ((d = hexval(*p)) >= 0) {
		if (v >> 60)
			return false;
		v = v << 4 | (uint64_t)d;
		p++;
		digits++;
	}
	if (!digits)
		return false;
	*pp = p;
	*out = v;
	return true;
}

static bool scan_dec(const char **pp, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;
	int digits = 0;

	while (*p >= '0' && *p <= '9') {
		uint64_t d = (uint64_t)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return false;	/* v * 10 + d would pass 2^64 - 1 */
		v = v * 10 + d;
		p++;
		digits++;
	}
	if (!digits)
		return false;
	*pp = p;
	*out = v;
	return true;
}

/* optionally signed decimal that fits an int */
static bool scan_int(const char **pp, int *out)
{
	const char *p = *pp;
	bool neg = eat(&p, "-");
	uint64_t v;

	if (!scan_dec(&p, &v) || v > (uint64_t)INT32_MAX)
		return false;
	*pp = p;
	*out = neg ? -(int)v : (int)v;
	return true;
}

/* "[0xA-0xB]" with A <= B */
static bool scan_range(const char **pp, dc_addr_t *base, dc_addr_t *last)
{
	const char *p = *pp;

	if (!eat(&p, "[") || !scan_hex(&p, base) || !eat(&p, "-") ||
	    !scan_hex(&p, last) || !eat(&p, "]") || *last < *base)
		return false;
	*pp = p;
	return true;
}

/* the value after "key" somewhere in s, hex or decimal by `hex` */
static bool find_num(const char *s, const char *key, bool hex, uint64_t *out)
{
	const char *p = strstr(s, key);

	if (!p)
		return false;
	p += strlen(key);
	return hex ? scan_hex(&p, out) : scan_dec(&p, out);
}

/* ---- growing arrays ---- */

static void *grow(struct parser *ps, void *v, size_t *cap, size_t n,
		  size_t elem)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return v;
	if (n >= DC_MB_MAX_OPS) {	/* nothing grows without bound */
		ps->too_many = true;
		return NULL;
	}
	ncap = *cap ? *cap * 2 : 16;
	nv = realloc(v, ncap * elem);
	if (!nv) {
		ps->oom = true;
		return NULL;
	}
	*cap = ncap;
	return nv;
}

static void vec_push(struct parser *ps, struct range_vec *rv,
		     const struct dc_mb_range *r)
{
	struct dc_mb_range *nv = grow(ps, rv->v, &rv->cap, rv->n, sizeof(*r));

	if (!nv)
		return;
	rv->v = nv;
	rv->v[rv->n++] = *r;
}

static struct dc_mb_op *push_op(struct parser *ps)
{
	struct dc_mb_log *log = ps->log;
	struct dc_mb_op *nv = grow(ps, log->ops, &ps->ops_cap, log->nops,
				   sizeof(*nv));

	if (!nv)
		return NULL;
	log->ops = nv;
	memset(&nv[log->nops], 0, sizeof(*nv));
	nv[log->nops].nid = -1;
	return &nv[log->nops++];
}

static void note_bad(struct parser *ps, unsigned long ln, const char *fmt,
		     ...) __attribute__((format(printf, 3, 4)));

/* A memblock line we recognise but cannot read: counted and kept. */
static void note_bad(struct parser *ps, unsigned long ln, const char *fmt,
		     ...)
{
	struct dc_mb_log *log = ps->log;
	va_list ap;

	log->malformed++;
	if (log->nbad == DC_MB_MAX_BAD)
		return;
	log->bad[log->nbad].line = ln;
	va_start(ap, fmt);
	vsnprintf(log->bad[log->nbad].why, sizeof(log->bad[0].why), fmt, ap);
	va_end(ap);
	log->nbad++;
}

/* ---- memblock call lines ---- */

struct call_key {
	const char *text;	/* what follows "memblock_" */
	enum dc_mb_kind kind;
	enum dc_mb_api api;
};

static const struct call_key call_keys[] = {
	{ "reserve: ", DC_MB_RESERVE, 0 },
	{ "phys_free: ", DC_MB_FREE, 0 },
	{ "free: ", DC_MB_FREE, 0 },
	{ "add: ", DC_MB_ADD, 0 },
	{ "add_node: ", DC_MB_ADD, 0 },
	{ "remove: ", DC_MB_REMOVE, 0 },
	{ "alloc_try_nid: ", DC_MB_REQUEST, DC_MB_TRY_NID },
	{ "alloc_try_nid_raw: ", DC_MB_REQUEST, DC_MB_TRY_NID_RAW },
	{ "alloc_exact_nid_raw: ", DC_MB_REQUEST, DC_MB_EXACT_NID_RAW },
	{ "phys_alloc_range: ", DC_MB_REQUEST, DC_MB_PHYS_RANGE },
};

/* NULL, or why the arguments of a request do not read */
static const char *parse_request(const char *p, enum dc_mb_api api,
				 struct dc_mb_op *op)
{
	if (!scan_dec(&p, &op->size))
		return *p == '-' ? "negative size" :
		       (*p >= '0' && *p <= '9') ? "size does not fit 64 bits" :
						   "size is not a decimal number";
	if (!eat(&p, " bytes"))
		return "no \"bytes\" after the size";
	if (!find_num(p, "align=", true, &op->align))
		return "no hexadecimal align=";
	if (!find_num(p, "from=", true, &op->from))
		return "no hexadecimal from=";
	if (!find_num(p, "max_addr=", true, &op->max_addr))
		return "no hexadecimal max_addr=";
	op->nid = -1;
	if (api != DC_MB_PHYS_RANGE) {
		const char *q = strstr(p, "nid=");

		if (!q)
			return "no nid=";
		q += 4;
		if (!scan_int(&q, &op->nid))
			return "nid is not a number";
		if (op->nid >= DC_MAX_NODES || op->nid < -1)
			op->nid = -1;	/* MAX_NUMNODES: memblock warns, uses -1 */
	}
	return op->size > 0 ? NULL : "size 0";
}

/* NULL, or why "[0xA-0xB]" does not read */
static const char *range_problem(const char *p)
{
	dc_addr_t base, last;

	if (!eat(&p, "["))
		return "no [base-end] range";
	if (!scan_hex(&p, &base))
		return "base is not a 64-bit hexadecimal address";
	if (!eat(&p, "-"))
		return "no '-' after the base";
	if (!scan_hex(&p, &last))
		return "end is not a 64-bit hexadecimal address";
	if (!eat(&p, "]"))
		return "no ']' after the end";
	return last < base ? "end below base" : NULL;
}

/* Record one parsed call; link a request with the reserve answering it. */
static void take_call(struct parser *ps, const struct dc_mb_op *op,
		      bool from_alloc_range)
{
	struct dc_mb_log *log = ps->log;
	struct dc_mb_op *o;

	ps->in_dump = false;
	if (!ps->dumps) {
		log->before_dump++;
		return;
	}
	if (op->kind == DC_MB_RESERVE && from_alloc_range && ps->pending) {
		o = &log->ops[ps->pending - 1];
		o->ok = true;
		o->result = op->base;
		o->result_size = op->last - op->base + 1;
		o->result_line = op->line;
		ps->pending = 0;
		return;
	}
	ps->pending = 0;
	if (log->nops >= DC_MB_MAX_OPS) {
		ps->too_many = true;
		return;
	}
	o = push_op(ps);
	if (!o)
		return;
	*o = *op;
	if (o->kind == DC_MB_REQUEST) {
		log->nrequests++;
		ps->pending = log->nops;
	} else if (o->kind == DC_MB_RESERVE && from_alloc_range) {
		o->unlogged_alloc = true;
		log->unlogged_allocs++;
	}
}

static bool parse_call(struct parser *ps, const char *line, unsigned long ln)
{
	const char *m = line, *why;
	size_t i;

	while ((m = strstr(m, "memblock_")) != NULL) {
		m += strlen("memblock_");
		for (i = 0; i < sizeof(call_keys) / sizeof(call_keys[0]); i++) {
			const struct call_key *k = &call_keys[i];
			const char *p = m;
			struct dc_mb_op op;
			bool from_alloc;

			if (!eat(&p, k->text))
				continue;
			memset(&op, 0, sizeof(op));
			op.kind = k->kind;
			op.api = k->api;
			op.line = ln;
			op.nid = -1;
			if (k->kind == DC_MB_REQUEST) {
				why = parse_request(p, k->api, &op);
				from_alloc = false;
			} else {
				why = range_problem(p);
				if (!why)
					scan_range(&p, &op.base, &op.last);
			}
			if (why) {
				note_bad(ps, ln, "memblock_%.*s: %s",
					 (int)strlen(k->text) - 2, k->text, why);
				return true;
			}
			if (k->kind != DC_MB_REQUEST) {
				p = skip_blanks(p);
				from_alloc = !strncmp(p, "memblock_alloc_range_nid",
						      24);
			}
			ps->memblock_lines++;
			take_call(ps, &op, from_alloc);
			return true;
		}
	}
	return false;
}

/* ---- MEMBLOCK configuration dumps ---- */

static void parse_dump_entry(struct parser *ps, const char *p, bool memory,
			     unsigned long ln)
{
	struct dc_mb_log *log = ps->log;
	struct dc_mb_range r = { .nid = -1, .line = ln };
	uint64_t idx, v;
	bool empty = false;
	const char *q;

	if (!scan_hex(&p, &idx) || !eat(&p, "]")) {
		if (ps->dumps == 1)
			note_bad(ps, ln, "%s[ entry: no hexadecimal index",
				 memory ? "memory" : "reserved");
		return;
	}
	p = skip_blanks(p);
	if (range_problem(p)) {
		if (ps->dumps == 1)
			note_bad(ps, ln, "%s[0x%llx]: %s", memory ? "memory" :
				 "reserved", (unsigned long long)idx,
				 range_problem(p));
		return;
	}
	scan_range(&p, &r.base, &r.last);
	if (find_num(p, "on node ", false, &v) && v < DC_MAX_NODES)
		r.nid = (int)v;
	if (find_num(p, "flags: ", true, &v))
		r.flags = (unsigned)v;
	/* an empty array prints one dummy entry [0x0-0xfff...], 0x0 bytes */
	q = strstr(p, ", 0x");
	if (q) {
		q += 2;
		empty = scan_hex(&q, &v) && v == 0;
	}

	if (ps->dumps == 1) {
		struct dc_mb_range **arr = memory ? &log->memory : &log->reserved;
		size_t *n = memory ? &log->nmemory : &log->nreserved;
		size_t *cap = memory ? &ps->mem_cap : &ps->res_cap;
		struct dc_mb_range *nv;

		if (memory)
			ps->mem_seen++;
		else
			ps->res_seen++;
		if (empty)
			return;
		nv = grow(ps, *arr, cap, *n, sizeof(r));
		if (!nv)
			return;
		*arr = nv;
		nv[(*n)++] = r;
	} else if (memory && r.nid >= 0 && !empty && !ps->dumpnode_done) {
		vec_push(ps, &ps->dumpnode, &r);
	}
}

static bool parse_dump_line(struct parser *ps, const char *line,
			    unsigned long ln)
{
	const char *p;
	uint64_t v;

	if (strstr(line, "MEMBLOCK configuration:")) {
		if (ps->dumps >= 1 && ps->dumpnode.n)
			ps->dumpnode_done = true;
		ps->dumps++;
		ps->in_dump = true;
		if (ps->dumps == 1)
			ps->log->dump_line = ln;
		return true;
	}
	if (!ps->in_dump)
		return false;
	if ((p = strstr(line, "memory[")) != NULL) {
		parse_dump_entry(ps, p + 7, true, ln);
		return true;
	}
	if ((p = strstr(line, "reserved[")) != NULL) {
		parse_dump_entry(ps, p + 9, false, ln);
		return true;
	}
	if (ps->dumps == 1 && (p = strstr(line, "memory.cnt")) != NULL) {
		p = strchr(p, '=');
		if (p && (p = skip_blanks(p + 1), scan_hex(&p, &v)))
			ps->mem_cnt = (unsigned long)v;
		return true;
	}
	if (ps->dumps == 1 && (p = strstr(line, "reserved.cnt")) != NULL) {
		p = strchr(p, '=');
		if (p && (p = skip_blanks(p + 1), scan_hex(&p, &v)))
			ps->res_cnt = (unsigned long)v;
		return true;
	}
	return false;
}

/* ---- node ranges, command line, NUMA init ---- */

static void parse_srat(struct parser *ps, const char *p, unsigned long ln)
{
	struct dc_mb_range r = { .line = ln };
	uint64_t nid;

	p += strlen("SRAT: Node ");
	if (!scan_dec(&p, &nid) || nid >= DC_MAX_NODES)
		return;
	p = strstr(p, "[mem ");
	if (!p)
		return;
	p += 5;
	if (!scan_hex(&p, &r.base) || !eat(&p, "-") || !scan_hex(&p, &r.last) ||
	    !eat(&p, "]") || r.last < r.base)
		return;
	r.nid = (int)nid;
	vec_push(ps, &ps->srat, &r);
}

/* "  node   N: [mem 0x...-0x...]" of `Early memory node ranges` */
static void parse_early(struct parser *ps, const char *line, unsigned long ln)
{
	const char *p = line;

	while ((p = strstr(p, "node ")) != NULL) {
		struct dc_mb_range r = { .line = ln };
		const char *q = skip_blanks(p + 5);
		uint64_t nid;

		p += 5;
		if (!scan_dec(&q, &nid) || nid >= DC_MAX_NODES ||
		    !eat(&q, ": [mem ") || !scan_hex(&q, &r.base) ||
		    !eat(&q, "-") || !scan_hex(&q, &r.last) || !eat(&q, "]") ||
		    r.last < r.base)
			continue;
		r.nid = (int)nid;
		vec_push(ps, &ps->early, &r);
		return;
	}
}

static bool has_word(const char *s, const char *w)
{
	size_t n = strlen(w);
	const char *p = s;

	while ((p = strstr(p, w)) != NULL) {
		bool start = p == s || p[-1] == ' ' || p[-1] == '\t';
		bool end = p[n] == '\0' || p[n] == ' ' || p[n] == '\t';

		if (start && end)
			return true;
		p += n;
	}
	return false;
}

/*
 * x86 numa_init() calls memblock_set_bottom_up(false) right after its
 * init_func (SRAT parsing, or the dummy init) and before it prints any of
 * these: numa_cleanup_meminfo()'s merge lines, alloc_node_data()'s, or the
 * dummy init's own (which allocates nothing). "NUMA: Initialized distance
 * table" comes from inside init_func and does not count.
 */
static const char *const numa_markers[] = {
	"NUMA: Node ", "NODE_DATA(", "Faking a node at", "No NUMA configuration found",
	"NUMA turned off",
};

static void parse_misc(struct parser *ps, const char *line, unsigned long ln)
{
	struct dc_mb_log *log = ps->log;
	const char *p;
	size_t i;

	if (!ps->seen_cmdline && (p = strstr(line, "Command line: ")) != NULL) {
		ps->seen_cmdline = true;
		log->movable_node = has_word(p + 14, "movable_node");
		return;
	}
	if ((p = strstr(line, "SRAT: Node ")) != NULL) {
		parse_srat(ps, p, ln);
		return;
	}
	if (strstr(line, ": [mem ")) {
		parse_early(ps, line, ln);
		if (!log->numa_line && ps->early.n)
			log->numa_line = ln;	/* far past NUMA init */
	}
	if (log->numa_line)
		return;
	for (i = 0; i < sizeof(numa_markers) / sizeof(numa_markers[0]); i++) {
		if (strstr(line, numa_markers[i])) {
			log->numa_line = ln;
			return;
		}
	}
}

/* ---- driver ---- */

static void parse_line(struct parser *ps, const char *line, unsigned long ln)
{
	if (!strstr(line, "memblock") && !strstr(line, "MEMBLOCK") &&
	    !ps->in_dump) {
		parse_misc(ps, line, ln);
		return;
	}
	if (parse_call(ps, line, ln))
		return;
	if (parse_dump_line(ps, line, ln))
		return;
	parse_misc(ps, line, ln);
}

static void pick_nodes(struct parser *ps)
{
	struct dc_mb_log *log = ps->log;
	/* a dump cut short gives part of the nodes: SRAT before it */
	struct range_vec *src[] = { &ps->early, &ps->srat, &ps->dumpnode };
	static const char *const names[] = { "early", "srat", "dump" };
	size_t i, j, n = 0;

	log->node_source = "none";
	for (i = 0; i < 3; i++) {
		n += src[i]->n;
		if (src[i]->n && !strcmp(log->node_source, "none"))
			log->node_source = names[i];
	}
	log->nodes = n ? malloc(n * sizeof(*log->nodes)) : NULL;
	if (n && !log->nodes)
		ps->oom = true;
	for (i = 0; i < 3 && log->nodes; i++)
		for (j = 0; j < src[i]->n; j++) {
			log->nodes[log->nnodes] = src[i]->v[j];
			log->nodes[log->nnodes++].rank = (unsigned)i;
		}
	free(ps->early.v);
	free(ps->dumpnode.v);
	free(ps->srat.v);
}

static int check_result(struct parser *ps, struct dc_parse_error *err)
{
	struct dc_mb_log *log = ps->log;
	size_t i;

	if (ps->oom)
		return dc_parse_fail(err, 0, "out of memory");
	if (ps->too_many)
		return dc_parse_fail(err, log->lines,
				     "more than %u memblock operations or regions",
				     DC_MB_MAX_OPS);
	if (!log->lines)
		return dc_parse_fail(err, 0, "empty file");
	if (!ps->dumps && !ps->memblock_lines)
		return dc_parse_fail(err, log->lines,
				     "end of input and no memblock lines (boot with memblock=debug)");
	if (!ps->dumps)
		return dc_parse_fail(err, log->lines,
				     "memblock lines but no `MEMBLOCK configuration:` dump");
	if (!log->nmemory)
		return dc_parse_fail(err, log->dump_line,
				     "the first MEMBLOCK configuration lists no memory");
	if ((ps->mem_cnt && ps->mem_cnt != ps->mem_seen) ||
	    (ps->res_cnt && ps->res_cnt != ps->res_seen))
		return dc_parse_fail(err, log->dump_line,
				     "the first MEMBLOCK configuration is incomplete (%zu of %lu memory, %zu of %lu reserved regions)",
				     ps->mem_seen, ps->mem_cnt, ps->res_seen,
				     ps->res_cnt);
	/* a request nothing answered: the log ends inside it */
	if (ps->pending)
		log->ops[ps->pending - 1].unanswered = true;
	for (i = 0; i < log->nops; i++) {
		struct dc_mb_op *op = &log->ops[i];

		if (op->kind == DC_MB_REQUEST)
			op->bottom_up = log->movable_node &&
					(!log->numa_line ||
					 op->line < log->numa_line);
	}
	return 0;
}

struct dc_mb_parser {
	struct parser ps;
	struct dc_mb_log log;
	struct dc_lines lines;
};

/* A memblock line: one the parser would read as a call or a dump entry. */
static bool memblock_line(const struct parser *ps, const char *line)
{
	return strstr(line, "memblock_") || strstr(line, "MEMBLOCK") ||
	       ps->in_dump;
}

static int parser_line(void *ctx, char *line, size_t len, unsigned long ln,
		       bool last, struct dc_parse_error *err)
{
	struct dc_mb_parser *p = ctx;
	size_t i;

	for (i = 0; i < len; i++)
		if (line[i] == '\r')
			line[i] = ' ';
	p->log.lines = ln;
	if (last) {
		p->log.truncated = true;
		if (memblock_line(&p->ps, line)) {
			p->log.cut_line = ln;	/* half a line: not applied */
			return 0;
		}
	}
	parse_line(&p->ps, line, ln);
	if (p->ps.oom)
		return dc_parse_fail(err, ln, "out of memory");
	if (p->ps.too_many)
		return dc_parse_fail(err, ln, "more than %u memblock operations or regions",
				     DC_MB_MAX_OPS);
	return 0;
}

struct dc_mb_parser *dc_mb_parser_new(void)
{
	struct dc_mb_parser *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->log.node_source = "none";
	p->ps.log = &p->log;
	dc_lines_init(&p->lines, parser_line, p);
	return p;
}

int dc_mb_parser_feed(struct dc_mb_parser *p, const char *buf, size_t len,
		      struct dc_parse_error *err)
{
	return dc_lines_feed(&p->lines, buf, len, err);
}

void dc_mb_parser_free(struct dc_mb_parser *p)
{
	if (!p)
		return;
	dc_lines_free(&p->lines);
	free(p->ps.early.v);
	free(p->ps.dumpnode.v);
	free(p->ps.srat.v);
	dc_mb_free(&p->log);
	free(p);
}

int dc_mb_parser_finish(struct dc_mb_parser *p, struct dc_mb_log *log,
			struct dc_parse_error *err)
{
	int ret = dc_lines_finish(&p->lines, err);

	memset(log, 0, sizeof(*log));
	log->node_source = "none";
	if (!ret) {
		pick_nodes(&p->ps);	/* frees the node vectors */
		memset(&p->ps.early, 0, sizeof(p->ps.early));
		memset(&p->ps.dumpnode, 0, sizeof(p->ps.dumpnode));
		memset(&p->ps.srat, 0, sizeof(p->ps.srat));
		ret = check_result(&p->ps, err);
	}
	if (!ret) {
		*log = p->log;
		memset(&p->log, 0, sizeof(p->log));
	}
	dc_mb_parser_free(p);
	return ret;
}

int dc_mb_parse(const char *buf, size_t len, struct dc_mb_log *log,
		struct dc_parse_error *err)
{
	struct dc_mb_parser *p = dc_mb_parser_new();

	memset(log, 0, sizeof(*log));
	log->node_source = "none";
	if (!p)
		return dc_parse_fail(err, 0, "out of memory");
	if (dc_mb_parser_feed(p, buf, len, err)) {
		dc_mb_parser_free(p);
		return -1;
	}
	return dc_mb_parser_finish(p, log, err);
}

void dc_mb_free(struct dc_mb_log *log)
{
	free(log->memory);
	free(log->reserved);
	free(log->nodes);
	free(log->ops);
	memset(log, 0, sizeof(*log));
	log->node_source = "none";
}
