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
 * The parser works on a private copy of the bytes in which NUL and CR are
 * blanks and each line ends in a NUL, so every search below is a plain
 * strstr that cannot run past its line, whatever garbage the line holds.
 * Keywords are searched anywhere in a line: prefixes (timestamps, escape
 * codes, a console's own decorations) do not matter.
 *
 * Invariants it guarantees to its user (cmd_replay.c):
 *  P1  every range has base <= last
 *  P2  ops are in log order, each with its 1-based line number
 *  P3  nrequests == number of DC_MB_REQUEST ops == number of request lines
 *      after the first dump
 */
#include "memblock_log.h"

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
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
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

static bool parse_request(const char *p, enum dc_mb_api api,
			  struct dc_mb_op *op)
{
	if (!scan_dec(&p, &op->size) || !eat(&p, " bytes"))
		return false;
	if (!find_num(p, "align=", true, &op->align) ||
	    !find_num(p, "from=", true, &op->from) ||
	    !find_num(p, "max_addr=", true, &op->max_addr))
		return false;
	op->nid = -1;
	if (api != DC_MB_PHYS_RANGE) {
		const char *q = strstr(p, "nid=");

		if (!q)
			return false;
		q += 4;
		if (!scan_int(&q, &op->nid))
			return false;
		if (op->nid >= DC_MAX_NODES || op->nid < -1)
			op->nid = -1;	/* MAX_NUMNODES: memblock warns, uses -1 */
	}
	return op->size > 0;
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
	const char *m = line;
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
				if (!parse_request(p, k->api, &op))
					return false;
				from_alloc = false;
			} else {
				if (!scan_range(&p, &op.base, &op.last))
					return false;
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

	if (!scan_hex(&p, &idx) || !eat(&p, "]"))
		return;
	p = skip_blanks(p);
	if (!scan_range(&p, &r.base, &r.last))
		return;
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

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
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

static int check_result(struct parser *ps, char *err, size_t errlen)
{
	struct dc_mb_log *log = ps->log;
	size_t i;

	if (ps->oom)
		return fail(err, errlen, "out of memory");
	if (!ps->dumps && !ps->memblock_lines)
		return fail(err, errlen,
			    "line %lu: end of input and no memblock lines (boot with memblock=debug)",
			    log->lines);
	if (!ps->dumps)
		return fail(err, errlen,
			    "line %lu: memblock lines but no `MEMBLOCK configuration:` dump",
			    log->ops ? log->ops[0].line : log->lines);
	if (!log->nmemory)
		return fail(err, errlen,
			    "line %lu: the first MEMBLOCK configuration lists no memory",
			    log->dump_line);
	if ((ps->mem_cnt && ps->mem_cnt != ps->mem_seen) ||
	    (ps->res_cnt && ps->res_cnt != ps->res_seen))
		return fail(err, errlen,
			    "line %lu: the first MEMBLOCK configuration is incomplete (%zu of %lu memory, %zu of %lu reserved regions)",
			    log->dump_line, ps->mem_seen, ps->mem_cnt,
			    ps->res_seen, ps->res_cnt);
	for (i = 0; i < log->nops; i++) {
		struct dc_mb_op *op = &log->ops[i];

		if (op->kind == DC_MB_REQUEST)
			op->bottom_up = log->movable_node &&
					(!log->numa_line ||
					 op->line < log->numa_line);
	}
	return 0;
}

int dc_mb_parse(const char *buf, size_t len, struct dc_mb_log *log,
		char *err, size_t errlen)
{
	struct parser ps;
	char *copy, *line, *end;
	size_t i;
	int ret;

	memset(log, 0, sizeof(*log));
	log->node_source = "none";
	if (!len)
		return fail(err, errlen, "empty file");
	copy = malloc(len + 1);
	if (!copy)
		return fail(err, errlen, "out of memory");
	for (i = 0; i < len; i++)
		copy[i] = (buf[i] == '\0' || buf[i] == '\r') ? ' ' : buf[i];
	copy[len] = '\0';
	log->truncated = buf[len - 1] != '\n';

	memset(&ps, 0, sizeof(ps));
	ps.log = log;
	for (line = copy; line < copy + len && !ps.oom; line = end + 1) {
		end = memchr(line, '\n', (size_t)(copy + len - line));
		if (!end)
			end = copy + len;
		*end = '\0';
		parse_line(&ps, line, ++log->lines);
	}
	free(copy);
	pick_nodes(&ps);
	ret = check_result(&ps, err, errlen);
	if (ret)
		dc_mb_free(log);
	return ret;
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
