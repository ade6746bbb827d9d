// SPDX-License-Identifier: BSD-3-Clause
/*
 * trace.c - write and read the project's trace format (docs/trace.md).
 *
 * One line per public API call: the call's name, its arguments as
 * key=value, " = ", the result (0 or a DC_E* name), and for calls that
 * return something more (alloc's address, release's byte count) key=value
 * again. Addresses and sizes are hex, node ids and distances decimal. The
 * format is text so that a person can read a trace, cut it down to the
 * call that differs, and diff two of them.
 *
 * The writer never changes what a call does or returns: a trace is a side
 * effect. A write error is remembered and reported by dc_trace_close().
 */
#define _POSIX_C_SOURCE 200809L /* strtok_r */

#include "tools/sim/trace.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <discontig/backend.h>
#include <discontig/topology.h>

struct dc_trace {
	FILE *f;
	bool is_stdout;
	int err;		/* first errno of a failed write, or 0 */
};

static const char *const err_names[] = {
	"0", "DC_EINVAL", "DC_ERANGE", "DC_ENOMEM", "DC_EBUSY",
	"DC_ENOENT", "DC_EEXIST", "DC_ENOSPC", "DC_ESTATE",
};
#define NR_ERR_NAMES (sizeof(err_names) / sizeof(err_names[0]))

static const char *const call_names[] = {
	[DC_TR_INIT] = "init",
	[DC_TR_ADD] = "add",
	[DC_TR_REMOVE] = "remove",
	[DC_TR_DISTANCE] = "distance",
	[DC_TR_RESERVE] = "reserve",
	[DC_TR_FINALIZE] = "finalize",
	[DC_TR_ALLOC] = "alloc",
	[DC_TR_FREE] = "free",
	[DC_TR_RELEASE_ALL] = "release_all",
	[DC_TR_RELEASE_METADATA] = "release_metadata",
};
#define NR_CALLS (sizeof(call_names) / sizeof(call_names[0]))

/* dc_request.flags names, in bit order */
static const char *const req_flag_names[] = {
	"exact", "top_down", "bottom_up", "relax_min", "zero",
};
#define NR_REQ_FLAGS (sizeof(req_flag_names) / sizeof(req_flag_names[0]))

const char *dc_trace_errname(int err)
{
	if (err > 0 || (unsigned)-err >= NR_ERR_NAMES)
		return "DC_E?";
	return err_names[-err];
}

const char *dc_trace_call_name(enum dc_trace_call call)
{
	return (unsigned)call < NR_CALLS ? call_names[call] : "?";
}

uint64_t dc_trace_hash_block(uint64_t h, int nid, dc_addr_t base,
			     unsigned order)
{
	uint64_t words[3] = { (uint64_t)(int64_t)nid, base, order };
	size_t i, b;

	for (i = 0; i < 3; i++)
		for (b = 0; b < 8; b++) {
			h ^= (words[i] >> (8 * b)) & 0xff;
			h *= 0x100000001b3ull;
		}
	return h;
}

/* ---- writing ---- */

struct dc_trace *dc_trace_open(const char *path)
{
	struct dc_trace *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (!strcmp(path, "-")) {
		t->f = stdout;
		t->is_stdout = true;
	} else {
		t->f = fopen(path, "w");
	}
	if (!t->f) {
		int e = errno;

		free(t);
		errno = e;
		return NULL;
	}
	fprintf(t->f, "%s\n", DC_TRACE_HEADER);
	return t;
}

int dc_trace_close(struct dc_trace *t)
{
	int err;

	if (!t)
		return 0;
	if (fflush(t->f) && !t->err)
		t->err = errno ? errno : EIO;
	if (ferror(t->f) && !t->err)
		t->err = EIO;
	if (!t->is_stdout && fclose(t->f) && !t->err)
		t->err = errno ? errno : EIO;
	err = t->err;
	free(t);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

/* Write; the first failure is kept for dc_trace_close. */
static void vemit(struct dc_trace *t, const char *fmt, va_list ap)
{
	if (vfprintf(t->f, fmt, ap) < 0 && !t->err)
		t->err = errno ? errno : EIO;
}

static void emit(struct dc_trace *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void emit(struct dc_trace *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vemit(t, fmt, ap);
	va_end(ap);
}

void dc_trace_comment(struct dc_trace *t, const char *fmt, ...)
{
	va_list ap;

	if (!t)
		return;
	emit(t, "# ");
	va_start(ap, fmt);
	vemit(t, fmt, ap);
	va_end(ap);
	emit(t, "\n");
}

static unsigned long long ull(uint64_t v)
{
	return (unsigned long long)v;
}

/* The line of a call on one range (remove, reserve, free); returns @ret. */
static int emit_range(struct dc_trace *t, enum dc_trace_call call,
		      dc_addr_t base, dc_size_t size, int ret)
{
	if (t)
		emit(t, "%s base=0x%llx size=0x%llx = %s\n", call_names[call],
		     ull(base), ull(size), dc_trace_errname(ret));
	return ret;
}

int dc_tr_init(struct dc_trace *t, struct dc_system *sys,
	       const struct dc_config *cfg, const struct dc_platform *plat)
{
	int ret = dc_init(sys, cfg, plat);
	const struct dc_backend_ops *ops;

	if (!t || !cfg)
		return ret;
	ops = cfg->backend ? cfg->backend : dc_backend_default();
	emit(t, "init page_shift=%u backend=%s pool=0x%llx flags=%s = %s\n",
	     cfg->page_shift ? cfg->page_shift : 12, ops ? ops->name : "?",
	     ull(cfg->pool_bytes),
	     cfg->flags & DC_CFG_TOP_DOWN ? "top_down" : "0",
	     dc_trace_errname(ret));
	return ret;
}

int dc_tr_add_memory(struct dc_trace *t, struct dc_system *sys, int nid,
		     dc_addr_t base, dc_size_t size)
{
	int ret = dc_add_memory(sys, nid, base, size);

	if (t)
		emit(t, "add nid=%d base=0x%llx size=0x%llx = %s\n", nid,
		     ull(base), ull(size), dc_trace_errname(ret));
	return ret;
}

int dc_tr_remove_memory(struct dc_trace *t, struct dc_system *sys,
			dc_addr_t base, dc_size_t size)
{
	return emit_range(t, DC_TR_REMOVE, base, size,
			  dc_remove_memory(sys, base, size));
}

int dc_tr_set_distance(struct dc_trace *t, struct dc_system *sys, int from,
		       int to, unsigned distance)
{
	int ret = dc_set_distance(sys, from, to, distance);

	if (t)
		emit(t, "distance from=%d to=%d d=%u = %s\n", from, to,
		     distance, dc_trace_errname(ret));
	return ret;
}

int dc_tr_reserve(struct dc_trace *t, struct dc_system *sys, dc_addr_t base,
		  dc_size_t size)
{
	return emit_range(t, DC_TR_RESERVE, base, size,
			  dc_reserve(sys, base, size));
}

int dc_tr_finalize(struct dc_trace *t, struct dc_system *sys)
{
	int ret = dc_finalize(sys);

	if (t)
		emit(t, "finalize = %s\n", dc_trace_errname(ret));
	return ret;
}

/* "exact|top_down", "0", unknown bits as hex */
static const char *req_flags_str(unsigned flags, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < NR_REQ_FLAGS; i++) {
		if (!(flags & (1u << i)))
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "|" : "",
				      req_flag_names[i]);
		flags &= ~(1u << i);
	}
	if (flags)
		snprintf(buf + n, len - n, "%s0x%x", n ? "|" : "", flags);
	else if (!n)
		snprintf(buf, len, "0");
	return buf;
}

int dc_tr_alloc(struct dc_trace *t, struct dc_system *sys,
		const struct dc_request *r, dc_addr_t *out)
{
	int ret = dc_alloc(sys, r, out);
	char flags[96];

	if (!t || !r)
		return ret;
	emit(t, "alloc size=0x%llx align=0x%llx min=0x%llx max=0x%llx nid=%d flags=%s = %s",
	     ull(r->size), ull(r->align), ull(r->min_addr), ull(r->max_addr),
	     r->nid, req_flags_str(r->flags, flags, sizeof(flags)),
	     dc_trace_errname(ret));
	if (!ret && out)
		emit(t, " addr=0x%llx", ull(*out));
	emit(t, "\n");
	return ret;
}

int dc_tr_free(struct dc_trace *t, struct dc_system *sys, dc_addr_t base,
	       dc_size_t size)
{
	return emit_range(t, DC_TR_FREE, base, size, dc_free(sys, base, size));
}

/* Counts and hashes the blocks on their way to the caller's fn. */
struct release_tap {
	dc_release_fn fn;
	void *ctx;
	uint64_t blocks, hash;
};

static void release_tap_fn(void *ctx, int nid, dc_addr_t base, unsigned order)
{
	struct release_tap *tap = ctx;

	tap->blocks++;
	tap->hash = dc_trace_hash_block(tap->hash, nid, base, order);
	tap->fn(tap->ctx, nid, base, order);
}

static int traced_release(struct dc_trace *t, struct dc_system *sys,
			  dc_release_fn fn, void *ctx, dc_size_t *released,
			  bool metadata)
{
	struct release_tap tap = { fn, ctx, 0, DC_TRACE_HASH_INIT };
	dc_size_t bytes = 0;
	int ret;

	if (!t || !fn)
		return metadata ? dc_release_metadata(sys, fn, ctx, released) :
				  dc_release_all(sys, fn, ctx, released);
	ret = metadata ? dc_release_metadata(sys, release_tap_fn, &tap, &bytes) :
			 dc_release_all(sys, release_tap_fn, &tap, &bytes);
	emit(t, "%s = %s", metadata ? "release_metadata" : "release_all",
	     dc_trace_errname(ret));
	if (!ret) {
		emit(t, " released=0x%llx blocks=%llu hash=0x%llx", ull(bytes),
		     ull(tap.blocks), ull(tap.hash));
		if (released)
			*released = bytes;
	}
	emit(t, "\n");
	return ret;
}

int dc_tr_release_all(struct dc_trace *t, struct dc_system *sys,
		      dc_release_fn fn, void *ctx, dc_size_t *released)
{
	return traced_release(t, sys, fn, ctx, released, false);
}

int dc_tr_release_metadata(struct dc_trace *t, struct dc_system *sys,
			   dc_release_fn fn, void *ctx, dc_size_t *released)
{
	return traced_release(t, sys, fn, ctx, released, true);
}

/* Mirrors apply_distances() of topology/layout.c. */
static int traced_distances(struct dc_trace *t, const struct dc_layout *l,
			    const struct dc_topology *topo,
			    struct dc_system *sys)
{
	unsigned n = topo->nnodes, i, j;
	int rc = 0;

	for (i = 0; i < n && !rc; i++) {
		if (!dc_layout_memory(l, topo->nodes[i].nid))
			continue;
		for (j = 0; j < n && !rc; j++) {
			unsigned d = topo->distance[i * n + j];

			/* dc_set_distance() wants nodes with memory */
			if (!dc_layout_memory(l, topo->nodes[j].nid) ||
			    d == (i == j ? 10u : 20u))
				continue;
			rc = dc_tr_set_distance(t, sys, topo->nodes[i].nid,
						topo->nodes[j].nid, d);
		}
	}
	return rc;
}

int dc_tr_layout_apply(struct dc_trace *t, const struct dc_layout *l,
		       const struct dc_topology *topo, struct dc_system *sys)
{
	size_t i;
	int rc;

	if (!t || !l || !sys)
		return dc_layout_apply(l, topo, sys);
	for (i = 0; i < l->nfrags; i++) {
		rc = dc_tr_add_memory(t, sys, l->frags[i].nid, l->frags[i].base,
				      l->frags[i].size);
		if (rc)
			return rc;
	}
	if (topo && topo->has_distances && topo->distance) {
		rc = traced_distances(t, l, topo, sys);
		if (rc)
			return rc;
	}
	for (i = 0; i < l->nreserved; i++) {
		rc = dc_tr_reserve(t, sys, l->reserved[i].base,
				   l->reserved[i].size);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- reading ---- */

#define MAX_TOKENS 24

struct tokens {
	char buf[512];
	char *tok[MAX_TOKENS];
	int n, eq;	/* eq: index of the "=" token, or -1 */
};

static int tokenize(const char *line, struct tokens *tk)
{
	char *p, *save = NULL;
	size_t len = strlen(line);

	if (len >= sizeof(tk->buf))
		return -1;
	memcpy(tk->buf, line, len + 1);
	tk->n = 0;
	tk->eq = -1;
	for (p = strtok_r(tk->buf, " \t\r", &save); p;
	     p = strtok_r(NULL, " \t\r", &save)) {
		if (tk->n == MAX_TOKENS)
			return -1;
		if (!strcmp(p, "=") && tk->eq < 0)
			tk->eq = tk->n;
		tk->tok[tk->n++] = p;
	}
	return 0;
}

/* value of key=... among tokens [from, to) */
static const char *tok_get(const struct tokens *tk, int from, int to,
			   const char *key)
{
	size_t n = strlen(key);
	int i;

	for (i = from; i < to; i++)
		if (!strncmp(tk->tok[i], key, n) && tk->tok[i][n] == '=')
			return tk->tok[i] + n + 1;
	return NULL;
}

static bool num_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return !errno && !*end;
}

static bool num_int(const char *s, int *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return false;
	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *end || v < INT32_MIN || v > INT32_MAX)
		return false;
	*out = (int)v;
	return true;
}

static bool get_u64(const struct tokens *tk, int from, int to,
		    const char *key, uint64_t *out)
{
	return num_u64(tok_get(tk, from, to, key), out);
}

static bool parse_result(const char *s, int *ret)
{
	size_t i;

	for (i = 0; i < NR_ERR_NAMES; i++)
		if (!strcmp(s, err_names[i])) {
			*ret = -(int)i;
			return true;
		}
	return num_int(s, ret) && *ret <= 0;
}

static bool parse_req_flags(const char *s, unsigned *out)
{
	char buf[96], *p, *save = NULL;
	unsigned flags = 0;
	size_t i;

	if (!s || strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	for (p = strtok_r(buf, "|", &save); p; p = strtok_r(NULL, "|", &save)) {
		uint64_t v;

		for (i = 0; i < NR_REQ_FLAGS; i++)
			if (!strcmp(p, req_flag_names[i]))
				break;
		if (i < NR_REQ_FLAGS)
			flags |= 1u << i;
		else if (num_u64(p, &v) && v <= UINT32_MAX)
			flags |= (unsigned)v;
		else
			return false;
	}
	*out = flags;
	return true;
}

static bool parse_args(const struct tokens *tk, struct dc_trace_rec *rec)
{
	int a = 1, e = tk->eq;
	uint64_t v;

	switch (rec->call) {
	case DC_TR_INIT: {
		const char *b = tok_get(tk, a, e, "backend");
		const char *f = tok_get(tk, a, e, "flags");

		if (!get_u64(tk, a, e, "page_shift", &v) || v > 63 || !b ||
		    strlen(b) >= sizeof(rec->backend) ||
		    !get_u64(tk, a, e, "pool", &rec->pool_bytes) || !f)
			return false;
		rec->page_shift = (unsigned)v;
		strcpy(rec->backend, b);
		if (!strcmp(f, "top_down"))
			rec->cfg_flags = DC_CFG_TOP_DOWN;
		else if (num_u64(f, &v) && v <= UINT32_MAX)
			rec->cfg_flags = (unsigned)v;
		else
			return false;
		return true;
	}
	case DC_TR_ADD:
		if (!num_int(tok_get(tk, a, e, "nid"), &rec->nid))
			return false;
		/* fall through */
	case DC_TR_REMOVE:
	case DC_TR_RESERVE:
	case DC_TR_FREE:
		return get_u64(tk, a, e, "base", &rec->base) &&
		       get_u64(tk, a, e, "size", &rec->size);
	case DC_TR_DISTANCE:
		return num_int(tok_get(tk, a, e, "from"), &rec->from) &&
		       num_int(tok_get(tk, a, e, "to"), &rec->to) &&
		       get_u64(tk, a, e, "d", &v) && v <= UINT32_MAX &&
		       (rec->distance = (unsigned)v, true);
	case DC_TR_ALLOC:
		return get_u64(tk, a, e, "size", &rec->req.size) &&
		       get_u64(tk, a, e, "align", &rec->req.align) &&
		       get_u64(tk, a, e, "min", &rec->req.min_addr) &&
		       get_u64(tk, a, e, "max", &rec->req.max_addr) &&
		       num_int(tok_get(tk, a, e, "nid"), &rec->req.nid) &&
		       parse_req_flags(tok_get(tk, a, e, "flags"),
				       &rec->req.flags);
	case DC_TR_FINALIZE:
	case DC_TR_RELEASE_ALL:
	case DC_TR_RELEASE_METADATA:
		return true;
	}
	return false;
}

static bool parse_outputs(const struct tokens *tk, struct dc_trace_rec *rec)
{
	int a = tk->eq + 2, e = tk->n;

	if (rec->ret)
		return true;
	switch (rec->call) {
	case DC_TR_ALLOC:
		return get_u64(tk, a, e, "addr", &rec->addr);
	case DC_TR_RELEASE_ALL:
	case DC_TR_RELEASE_METADATA:
		return get_u64(tk, a, e, "released", &rec->released) &&
		       get_u64(tk, a, e, "blocks", &rec->blocks) &&
		       get_u64(tk, a, e, "hash", &rec->hash);
	default:
		return true;
	}
}

int dc_trace_parse_line(const char *line, struct dc_trace_rec *rec)
{
	struct tokens tk;
	size_t i;

	while (*line == ' ' || *line == '\t')
		line++;
	if (!*line || *line == '#' || !strcmp(line, "\r"))
		return 1;
	if (tokenize(line, &tk) || tk.n < 3 || tk.eq < 1 || tk.eq + 1 >= tk.n)
		return -1;
	memset(rec, 0, sizeof(*rec));
	for (i = 0; i < NR_CALLS; i++)
		if (!strcmp(tk.tok[0], call_names[i]))
			break;
	if (i == NR_CALLS)
		return -1;
	rec->call = (enum dc_trace_call)i;
	if (!parse_result(tk.tok[tk.eq + 1], &rec->ret))
		return -1;
	if (!parse_args(&tk, rec) || !parse_outputs(&tk, rec))
		return -1;
	return 0;
}

/* ---- whole traces ---- */

bool dc_trace_is_trace(const char *buf, size_t len)
{
	size_t n = strlen(DC_TRACE_HEADER);

	return len >= n && !memcmp(buf, DC_TRACE_HEADER, n) &&
	       (len == n || buf[n] == '\n' || buf[n] == '\r');
}

struct dc_trace_reader {
	struct dc_lines lines;
	struct dc_trace_file tf;
};

static int reader_line(void *ctx, char *line, size_t len, unsigned long ln,
		       bool last, struct dc_parse_error *err)
{
	struct dc_trace_file *tf = &((struct dc_trace_reader *)ctx)->tf;
	struct dc_trace_rec rec;
	int ret;

	tf->lines = ln;
	if (len && line[len - 1] == '\r')
		line[len - 1] = '\0';
	if (ln == 1 && !dc_trace_is_trace(line, strlen(line)))
		return dc_parse_fail(err, ln, "not a trace: the first line is "
				     "not \"%s\"", DC_TRACE_HEADER);
	ret = dc_trace_parse_line(line, &rec);
	if (ret < 0)
		return dc_parse_fail(err, ln, last ? "not a trace line (cut "
				     "without a newline)" : "not a trace line");
	if (ret > 0)
		return 0;
	if ((tf->n == 0) != (rec.call == DC_TR_INIT))
		return dc_parse_fail(err, ln, tf->n ? "a second init" :
				     "the first call is not init");
	if (tf->n == DC_TRACE_MAX_CALLS)
		return dc_parse_fail(err, ln, "more than %u calls",
				     DC_TRACE_MAX_CALLS);
	if (tf->n == tf->cap) {
		size_t cap = tf->cap ? 2 * tf->cap : 256;
		void *v = realloc(tf->v, cap * sizeof(*tf->v));

		if (!v)
			return dc_parse_fail(err, ln, "out of memory");
		tf->v = v;
		tf->cap = cap;
	}
	tf->v[tf->n].rec = rec;
	tf->v[tf->n++].line = ln;
	return 0;
}

struct dc_trace_reader *dc_trace_reader_new(void)
{
	struct dc_trace_reader *r = calloc(1, sizeof(*r));

	if (r)
		dc_lines_init(&r->lines, reader_line, r);
	return r;
}

int dc_trace_reader_feed(struct dc_trace_reader *r, const char *buf,
			 size_t len, struct dc_parse_error *err)
{
	return dc_lines_feed(&r->lines, buf, len, err);
}

void dc_trace_file_free(struct dc_trace_file *tf)
{
	free(tf->v);
	memset(tf, 0, sizeof(*tf));
}

void dc_trace_reader_free(struct dc_trace_reader *r)
{
	if (!r)
		return;
	dc_lines_free(&r->lines);
	dc_trace_file_free(&r->tf);
	free(r);
}

int dc_trace_reader_finish(struct dc_trace_reader *r,
			   struct dc_trace_file *tf, struct dc_parse_error *err)
{
	int ret = dc_lines_finish(&r->lines, err);

	memset(tf, 0, sizeof(*tf));
	if (!ret && !r->tf.n)
		ret = dc_parse_fail(err, r->tf.lines, r->tf.lines ?
				    "a trace without calls" : "empty file");
	if (!ret) {
		*tf = r->tf;
		memset(&r->tf, 0, sizeof(r->tf));
	}
	dc_trace_reader_free(r);
	return ret;
}

int dc_trace_read(const char *buf, size_t len, struct dc_trace_file *tf,
		  struct dc_parse_error *err)
{
	struct dc_trace_reader *r = dc_trace_reader_new();

	memset(tf, 0, sizeof(*tf));
	if (!r)
		return dc_parse_fail(err, 0, "out of memory");
	if (dc_trace_reader_feed(r, buf, len, err)) {
		dc_trace_reader_free(r);
		return -1;
	}
	return dc_trace_reader_finish(r, tf, err);
}
