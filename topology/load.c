// SPDX-License-Identifier: BSD-3-Clause
/*
 * load.c - HOST ONLY: load a NUMA topology with hwloc 2.x into a
 * struct dc_topology (include/discontig/topology.h).
 *
 * What it owns:
 *  - the source sentence: which input hwloc really read, including when
 *    hwloc's environment (HWLOC_XMLFILE, HWLOC_SYNTHETIC, HWLOC_FSROOT)
 *    redirected a "live" load;
 *  - one-line errors: the input is checked here first (exists, readable,
 *    looks like XML) and hwloc's and libxml2's own stderr output is captured
 *    during the load, so that the caller prints exactly one line, made of
 *    the first useful diagnostic ("cannot import XML version 3.0 > 2");
 *  - untrusted input never crashes the caller: hwloc 2.9 dereferences NULL
 *    on some malformed XML (issue 14, finding 10: a NUMANode whose
 *    complete_nodeset attribute is misspelt), with or without
 *    HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED, so dropping the flag would not
 *    help. Every explicit input is first loaded by a forked child; a child
 *    that dies becomes a one-line error;
 *  - invariants of the result: nodes ascending by nid, nids unique and
 *    below DC_MAX_NODES (two NUMA nodes with one OS index are an error
 *    naming both); PU OS indexes unique (likewise); every PU in at most one
 *    node's cpus; distance is a full nnodes x nnodes matrix of values in
 *    1..65535.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <discontig/topology.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hwloc.h>

#define DIST_SELF 10u
#define DIST_OTHER 20u

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- hwloc's environment: set aside for explicit sources ---------------- */

/* The first NR_REDIRECT make hwloc read another input than asked; the
 * last two we set ourselves during a load. All are restored after it. */
static const char *const hwloc_vars[] = {
	"HWLOC_XMLFILE", "HWLOC_SYNTHETIC", "HWLOC_FSROOT", "HWLOC_COMPONENTS",
	"HWLOC_XML_VERBOSE", "HWLOC_SYNTHETIC_VERBOSE",
};
#define NR_VARS (sizeof(hwloc_vars) / sizeof(hwloc_vars[0]))
#define NR_REDIRECT 4

struct saved_env {
	char *val[NR_VARS];	/* strdup'ed old values, NULL if unset */
};

/* Save all; unset the redirecting ones if clear_redirect. */
static void env_save(struct saved_env *s, bool clear_redirect)
{
	size_t i;

	for (i = 0; i < NR_VARS; i++) {
		const char *v = getenv(hwloc_vars[i]);

		s->val[i] = v ? strdup(v) : NULL;
		if (clear_redirect && i < NR_REDIRECT)
			unsetenv(hwloc_vars[i]);
	}
}

static void env_restore(struct saved_env *s)
{
	size_t i;

	for (i = 0; i < NR_VARS; i++) {
		if (s->val[i])
			setenv(hwloc_vars[i], s->val[i], 1);
		else
			unsetenv(hwloc_vars[i]);
		free(s->val[i]);
		s->val[i] = NULL;
	}
}

/* ---- stderr capture around hwloc calls ---------------------------------- */

struct capture {
	int saved_fd;		/* the real fd 2, or -1 if not capturing */
	FILE *tmp;
};

static void capture_begin(struct capture *c)
{
	c->saved_fd = -1;
	fflush(stderr);
	c->tmp = tmpfile();
	if (!c->tmp)
		return;
	c->saved_fd = dup(STDERR_FILENO);
	if (c->saved_fd < 0 || dup2(fileno(c->tmp), STDERR_FILENO) < 0) {
		if (c->saved_fd >= 0)
			close(c->saved_fd);
		c->saved_fd = -1;
		fclose(c->tmp);
		c->tmp = NULL;
	}
}

/* Lines hwloc prints that say nothing about what went wrong. */
static bool line_is_noise(const char *s)
{
	return !*s || strstr(s, "without DTD") || s[0] == '^' ||
	       !strncmp(s, "Setting source XML", 18) ||
	       !strncmp(s, "Setting synthetic", 17) ||
	       !strncmp(s, "hwloc_topology_load() failed", 28);
}

/*
 * Restore fd 2; put the first useful captured line into why (or "" if
 * there is none). libxml2 prefixes "FILE:LINE: parser error : "; hwloc
 * prefixes "FILE: ": both are kept, they name the line.
 */
static void capture_end(struct capture *c, char *why, size_t whylen)
{
	char line[512];
	size_t n;

	if (why && whylen)
		why[0] = '\0';
	fflush(stderr);
	if (c->saved_fd < 0)
		return;
	dup2(c->saved_fd, STDERR_FILENO);
	close(c->saved_fd);
	c->saved_fd = -1;
	rewind(c->tmp);
	while (why && fgets(line, sizeof(line), c->tmp)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line_is_noise(line))
			continue;
		n = strlen(line);	/* truncation is fine: one line */
		if (n >= whylen)
			n = whylen - 1;
		memcpy(why, line, n);
		why[n] = '\0';
		break;
	}
	fclose(c->tmp);
	c->tmp = NULL;
}

/* ---- input checks -------------------------------------------------------- */

static int check_file(const char *path, char *err, size_t errlen)
{
	struct stat st;
	char head[64];
	size_t n, i = 0;
	FILE *f;

	if (stat(path, &st) < 0) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		return DC_ENOENT;
	}
	if (S_ISDIR(st.st_mode)) {
		set_err(err, errlen, "%s: is a directory, not an XML file",
			path);
		return DC_EINVAL;
	}
	f = fopen(path, "rb");
	if (!f) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		return DC_ENOENT;
	}
	n = fread(head, 1, sizeof(head), f);
	fclose(f);
	if (n >= 3 && !memcmp(head, "\xef\xbb\xbf", 3))
		i = 3;		/* UTF-8 byte order mark */
	while (i < n && (head[i] == ' ' || head[i] == '\t' ||
			 head[i] == '\n' || head[i] == '\r'))
		i++;
	if (n == 0) {
		set_err(err, errlen, "%s: empty file, not XML", path);
		return DC_EINVAL;
	}
	if (i == n || head[i] != '<') {
		set_err(err, errlen, "%s: not XML (does not start with '<')",
			path);
		return DC_EINVAL;
	}
	return 0;
}

static int check_dir(const char *path, char *err, size_t errlen)
{
	char sys[4096];
	struct stat st;

	if (stat(path, &st) < 0) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		return DC_ENOENT;
	}
	if (!S_ISDIR(st.st_mode)) {
		set_err(err, errlen, "%s: not a directory (a sysfs snapshot "
			"root holding sys/)", path);
		return DC_EINVAL;
	}
	snprintf(sys, sizeof(sys), "%s/sys/devices/system/node", path);
	if (stat(sys, &st) < 0 || !S_ISDIR(st.st_mode)) {
		set_err(err, errlen, "%s: no sys/devices/system/node in it, "
			"not a sysfs snapshot", path);
		return DC_EINVAL;
	}
	return 0;
}

/* ---- nodes, cpus, distances --------------------------------------------- */

static int cmp_node(const void *a, const void *b)
{
	const struct dc_topo_node *x = a, *y = b;

	return (x->nid > y->nid) - (x->nid < y->nid);
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return (x > y) - (x < y);
}

int dc_topo_index(const struct dc_topology *t, int nid)
{
	unsigned lo = 0, hi = t ? t->nnodes : 0;

	while (lo < hi) {	/* nodes are sorted by nid */
		unsigned mid = lo + (hi - lo) / 2;

		if (t->nodes[mid].nid == nid)
			return (int)mid;
		if (t->nodes[mid].nid < nid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/*
 * The home node of a PU: the first NUMA node attached at the nearest
 * ancestor that has memory children. Memory children may be memory-side
 * caches (memorysidecaches.xml); their first NUMA descendant counts.
 */
static hwloc_obj_t pu_home_node(hwloc_obj_t pu)
{
	hwloc_obj_t o, m;

	for (o = pu; o; o = o->parent) {
		if (!o->memory_arity)
			continue;
		for (m = o->memory_first_child; m;) {
			if (m->type == HWLOC_OBJ_NUMANODE)
				return m;
			m = m->memory_first_child;
		}
	}
	return NULL;
}

/* Each PU into its home node's cpus: count, allocate, fill, sort. */
static int read_cpus(struct dc_topology *t, hwloc_topology_t topo)
{
	int npu = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU), i;
	int *home = calloc(npu > 0 ? (size_t)npu : 1, sizeof(*home));
	unsigned k;

	if (!home)
		return DC_ENOMEM;
	for (i = 0; i < npu; i++) {
		hwloc_obj_t h = pu_home_node(hwloc_get_obj_by_type(topo,
							HWLOC_OBJ_PU, i));

		home[i] = h ? dc_topo_index(t, (int)h->os_index) : -1;
		if (home[i] >= 0)
			t->nodes[home[i]].ncpus++;
	}
	for (k = 0; k < t->nnodes; k++) {
		struct dc_topo_node *nd = &t->nodes[k];

		nd->memory_only = nd->ncpus == 0;
		nd->cpus = calloc(nd->ncpus ? nd->ncpus : 1, sizeof(unsigned));
		if (!nd->cpus) {
			free(home);
			return DC_ENOMEM;
		}
		nd->ncpus = 0;
	}
	for (i = 0; i < npu; i++) {
		struct dc_topo_node *nd = home[i] >= 0 ? &t->nodes[home[i]] :
							  NULL;

		if (nd)
			nd->cpus[nd->ncpus++] = hwloc_get_obj_by_type(topo,
						HWLOC_OBJ_PU, i)->os_index;
	}
	for (k = 0; k < t->nnodes; k++)
		qsort(t->nodes[k].cpus, t->nodes[k].ncpus, sizeof(unsigned),
		      cmp_uint);
	free(home);
	return 0;
}

/* One object of a type: its OS index and logical index. */
struct os_logical {
	unsigned os;
	int logical;
};

static int cmp_os_logical(const void *a, const void *b)
{
	const struct os_logical *x = a, *y = b;

	if (x->os != y->os)
		return (x->os > y->os) - (x->os < y->os);
	return (x->logical > y->logical) - (x->logical < y->logical);
}

/*
 * Two objects of @type with one OS index: a CPU listed twice, or two NUMA
 * nodes the layouts would merge (issue 14, finding 10). Sorting by (OS,
 * logical) puts the first such pair side by side; name it in err.
 * Return: true if there is one (err set).
 */
static bool find_duplicate(hwloc_topology_t topo, hwloc_obj_type_t type,
			   char *err, size_t errlen)
{
	int n = hwloc_get_nbobjs_by_type(topo, type), i, k = 0;
	struct os_logical *v;
	bool dup = false;

	if (n < 2)
		return false;
	v = calloc((size_t)n, sizeof(*v));
	if (!v) {
		set_err(err, errlen, "out of memory");
		return true;
	}
	for (i = 0; i < n; i++) {
		hwloc_obj_t o = hwloc_get_obj_by_type(topo, type, i);

		if (o->os_index == HWLOC_UNKNOWN_INDEX)
			continue;
		v[k].os = o->os_index;
		v[k++].logical = i;
	}
	qsort(v, (size_t)k, sizeof(*v), cmp_os_logical);
	for (i = 1; i < k && !dup; i++) {
		if (v[i].os != v[i - 1].os)
			continue;
		set_err(err, errlen, "%s L#%d and L#%d both have OS index %u",
			type == HWLOC_OBJ_PU ? "PUs" : "NUMA nodes",
			v[i - 1].logical, v[i].logical, v[i].os);
		dup = true;
	}
	free(v);
	return dup;
}

static int read_nodes(struct dc_topology *t, hwloc_topology_t topo,
		      char *err, size_t errlen)
{
	int n = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE), i;

	if (n <= 0) {
		set_err(err, errlen, "no NUMA node in the topology");
		return DC_EINVAL;
	}
	t->nodes = calloc((size_t)n, sizeof(*t->nodes));
	if (!t->nodes) {
		set_err(err, errlen, "out of memory");
		return DC_ENOMEM;
	}
	t->nnodes = (unsigned)n;
	for (i = 0; i < n; i++) {
		hwloc_obj_t o = hwloc_get_obj_by_type(topo,
						      HWLOC_OBJ_NUMANODE, i);

		if (o->os_index == HWLOC_UNKNOWN_INDEX ||
		    o->os_index >= DC_MAX_NODES) {
			set_err(err, errlen, "NUMA node L#%d: OS index %u "
				"outside 0..%d (DC_MAX_NODES)", i, o->os_index,
				DC_MAX_NODES - 1);
			return DC_EINVAL;
		}
		t->nodes[i].nid = (int)o->os_index;
		t->nodes[i].memory = o->attr->numanode.local_memory;
	}
	if (find_duplicate(topo, HWLOC_OBJ_NUMANODE, err, errlen) ||
	    find_duplicate(topo, HWLOC_OBJ_PU, err, errlen))
		return DC_EINVAL;
	qsort(t->nodes, (size_t)n, sizeof(*t->nodes), cmp_node);
	if (read_cpus(t, topo)) {
		set_err(err, errlen, "out of memory");
		return DC_ENOMEM;
	}
	return 0;
}

/* Higher is better: latency over unknown meaning; bandwidth never. */
static int matrix_rank(const struct hwloc_distances_s *d)
{
	if (d->kind & HWLOC_DISTANCES_KIND_MEANS_BANDWIDTH)
		return -1;
	if (d->kind & HWLOC_DISTANCES_KIND_MEANS_LATENCY)
		return 2;
	return 1;
}

static struct hwloc_distances_s *
pick_matrix(struct hwloc_distances_s **m, unsigned nr)
{
	struct hwloc_distances_s *best = NULL;
	unsigned i;

	for (i = 0; i < nr; i++) {
		int r = matrix_rank(m[i]);

		if (r < 0)
			continue;
		if (!best || r > matrix_rank(best) ||
		    (r == matrix_rank(best) && m[i]->nbobjs > best->nbobjs))
			best = m[i];
	}
	return best;
}

/* Copy @d into t->distance (already holding the defaults). */
static void use_matrix(struct dc_topology *t, hwloc_topology_t topo,
		       struct hwloc_distances_s *d)
{
	const char *name = hwloc_distances_get_name(topo, d);

	unsigned n = t->nnodes, i, j, *tmp;
	int *idx;

	for (i = 0; i < d->nbobjs * d->nbobjs; i++) {
		if (d->values[i] < 1 || d->values[i] > 65535) {
			snprintf(t->distance_note, sizeof(t->distance_note),
				 "distance matrix %s has value %llu outside "
				 "1..65535: defaults 10/20 used",
				 name ? name : "(unnamed)",
				 (unsigned long long)d->values[i]);
			return;
		}
	}
	idx = malloc(d->nbobjs * sizeof(*idx));
	tmp = malloc((size_t)n * n * sizeof(*tmp));
	if (!idx || !tmp) {
		free(idx);
		free(tmp);
		snprintf(t->distance_note, sizeof(t->distance_note),
			 "out of memory reading distances: defaults used");
		return;
	}
	memcpy(tmp, t->distance, (size_t)n * n * sizeof(*tmp));
	for (i = 0; i < d->nbobjs; i++)
		idx[i] = dc_topo_index(t, (int)d->objs[i]->os_index);
	for (i = 0; i < d->nbobjs; i++)
		for (j = 0; j < d->nbobjs; j++)
			if (idx[i] >= 0 && idx[j] >= 0)
				tmp[(unsigned)idx[i] * n + (unsigned)idx[j]] =
					(unsigned)d->values[i * d->nbobjs + j];
	memcpy(t->distance, tmp, (size_t)n * n * sizeof(*tmp));
	t->has_distances = true;
	if (d->nbobjs < n)
		snprintf(t->distance_note, sizeof(t->distance_note),
			 "distance matrix %s covers %u of %u nodes: defaults "
			 "10/20 for the others", name ? name :
			 "(unnamed)", d->nbobjs, n);
	free(idx);
	free(tmp);
}

static int read_distances(struct dc_topology *t, hwloc_topology_t topo)
{
	struct hwloc_distances_s **m = NULL;
	unsigned n = t->nnodes, nr = 0, i, j;

	t->distance = malloc((size_t)n * n * sizeof(*t->distance));
	if (!t->distance)
		return DC_ENOMEM;
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			t->distance[i * n + j] = i == j ? DIST_SELF : DIST_OTHER;
	if (hwloc_distances_get_by_type(topo, HWLOC_OBJ_NUMANODE, &nr, NULL,
					0, 0) < 0 || nr == 0) {
		if (n > 1)
			snprintf(t->distance_note, sizeof(t->distance_note),
				 "no NUMA distance matrix: defaults 10/20");
		return 0;
	}
	m = calloc(nr, sizeof(*m));
	if (!m)
		return DC_ENOMEM;
	if (hwloc_distances_get_by_type(topo, HWLOC_OBJ_NUMANODE, &nr, m, 0,
					0) < 0)
		nr = 0;
	if (pick_matrix(m, nr))
		use_matrix(t, topo, pick_matrix(m, nr));
	else
		snprintf(t->distance_note, sizeof(t->distance_note),
			 "only bandwidth matrices: defaults 10/20");
	for (i = 0; i < nr; i++)
		hwloc_distances_release(topo, m[i]);
	free(m);
	return 0;
}

/* ---- the source sentence ------------------------------------------------ */

static void describe_live(struct dc_topology *t, hwloc_topology_t topo)
{
	const char *xml = getenv("HWLOC_XMLFILE");
	const char *syn = getenv("HWLOC_SYNTHETIC");
	const char *fs = getenv("HWLOC_FSROOT");
	const char *comp = getenv("HWLOC_COMPONENTS");
	bool self = hwloc_topology_is_thissystem(topo);

	if (xml && *xml) {
		snprintf(t->source, sizeof(t->source),
			 "XML %s (from HWLOC_XMLFILE)", xml);
	} else if (syn && *syn) {
		snprintf(t->source, sizeof(t->source),
			 "synthetic \"%s\" (from HWLOC_SYNTHETIC)", syn);
	} else if (fs && *fs && strcmp(fs, "/")) {
		snprintf(t->source, sizeof(t->source),
			 "sysfs snapshot %s (from HWLOC_FSROOT)", fs);
	} else if (!self) {
		snprintf(t->source, sizeof(t->source),
			 "not this machine (hwloc environment%s%s)",
			 comp ? ": HWLOC_COMPONENTS=" : "", comp ? comp : "");
	} else {
		snprintf(t->source, sizeof(t->source), "live machine");
		t->live = true;
	}
}

static void describe(struct dc_topology *t, hwloc_topology_t topo,
		     enum dc_topo_source src, const char *arg)
{
	switch (src) {
	case DC_TOPO_LIVE:
		describe_live(t, topo);
		break;
	case DC_TOPO_XML:
		snprintf(t->source, sizeof(t->source), "XML %s", arg);
		break;
	case DC_TOPO_SYNTHETIC:
		snprintf(t->source, sizeof(t->source), "synthetic \"%s\"", arg);
		break;
	case DC_TOPO_FSROOT:
		snprintf(t->source, sizeof(t->source), "sysfs snapshot %s",
			 arg);
		break;
	}
}

/* ---- the load ----------------------------------------------------------- */

static const char *input_name(enum dc_topo_source src, const char *arg)
{
	return src == DC_TOPO_LIVE ? "live machine" : arg;
}

static int precheck(enum dc_topo_source src, const char *arg, char *err,
		    size_t errlen)
{
	if (src == DC_TOPO_LIVE)
		return 0;
	if (!arg || !*arg) {
		set_err(err, errlen, "%s: empty argument",
			src == DC_TOPO_XML ? "--xml" : src == DC_TOPO_SYNTHETIC
			? "--synthetic" : "--fsroot");
		return DC_EINVAL;
	}
	if (src == DC_TOPO_XML)
		return check_file(arg, err, errlen);
	if (src == DC_TOPO_FSROOT)
		return check_dir(arg, err, errlen);
	return 0;
}

/* Set the source and load, hwloc's stderr captured; one-line reason. */
static int hwloc_open(hwloc_topology_t topo, enum dc_topo_source src,
		      const char *arg, char *err, size_t errlen)
{
	struct capture cap;
	const char *base;
	char why[400];
	int rc = 0;

	/* hwloc explains a refused input only when asked to (lstopo asks
	 * too); it caches the setting on first use, so always ask */
	setenv("HWLOC_XML_VERBOSE", "1", 1);
	setenv("HWLOC_SYNTHETIC_VERBOSE", "1", 1);
	capture_begin(&cap);
	errno = 0;
	if (src == DC_TOPO_XML && hwloc_topology_set_xml(topo, arg) < 0)
		rc = -1;
	if (src == DC_TOPO_SYNTHETIC &&
	    hwloc_topology_set_synthetic(topo, arg) < 0)
		rc = -1;
	if (rc == 0 && hwloc_topology_load(topo) < 0)
		rc = -2;
	capture_end(&cap, why, sizeof(why));
	if (rc == 0)
		return 0;
	if (src == DC_TOPO_SYNTHETIC && !why[0])
		snprintf(why, sizeof(why), "not a valid synthetic description");
	if (!why[0])
		snprintf(why, sizeof(why), "hwloc cannot load it (%s)",
			 strerror(errno ? errno : EINVAL));
	/* hwloc and libxml2 name the file themselves ("f.xml:3: parser
	 * error", hwloc with its base name only): name it once, as given */
	base = strrchr(arg, '/') ? strrchr(arg, '/') + 1 : arg;
	if (src == DC_TOPO_XML && !strncmp(why, arg, strlen(arg)))
		set_err(err, errlen, "%s", why);
	else if (src == DC_TOPO_XML && !strncmp(why, base, strlen(base)) &&
		 why[strlen(base)] == ':')
		set_err(err, errlen, "%s%s", arg, why + strlen(base));
	else if (src == DC_TOPO_SYNTHETIC)
		set_err(err, errlen, "synthetic \"%s\": %s", arg, why);
	else
		set_err(err, errlen, "%s: %s", input_name(src, arg), why);
	return DC_EINVAL;
}

/* The load itself, in whichever process runs it; err as dc_topo_load. */
static int load_in_process(struct dc_topology *t, enum dc_topo_source src,
			   const char *arg, char *err, size_t errlen)
{
	hwloc_topology_t topo;
	struct saved_env env;
	bool explicit_src = src != DC_TOPO_LIVE;
	int rc;

	if (hwloc_topology_init(&topo) < 0) {
		set_err(err, errlen, "%s: hwloc_topology_init: %s",
			input_name(src, arg), strerror(errno));
		return DC_ENOMEM;
	}
	hwloc_topology_set_flags(topo, HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED);
	env_save(&env, explicit_src);
	if (src == DC_TOPO_FSROOT) {
		/* hwloc 2 has no fsroot call: its linux component reads the
		 * environment (shared/data/hwloc/README.md, "How to load") */
		setenv("HWLOC_FSROOT", arg, 1);
		setenv("HWLOC_COMPONENTS", "linux,stop", 1);
	}
	rc = hwloc_open(topo, src, arg, err, errlen);
	env_restore(&env);
	if (rc == 0) {
		char why[256];

		describe(t, topo, src, arg);
		rc = read_nodes(t, topo, why, sizeof(why));
		if (rc)
			set_err(err, errlen, "%s: %s", input_name(src, arg),
				why);
	}
	if (rc == 0 && read_distances(t, topo)) {
		set_err(err, errlen, "%s: out of memory", input_name(src, arg));
		rc = DC_ENOMEM;
	}
	hwloc_topology_destroy(topo);
	if (rc)
		dc_topo_free(t);
	return rc;
}

/*
 * Load once in a forked child, its stderr to /dev/null, and see that it
 * ends normally (loaded or refused): hwloc crashes on some malformed input
 * (see the top of this file), and a crash there must become one line, not
 * a dead caller. The child exits with _exit (no atexit, no leak report);
 * under ASan a crash is an exit status, not a signal, so any end but
 * PROBE_OK or PROBE_REFUSED counts as a crash. Refusals are left to the
 * real load, which says why.
 */
#define PROBE_OK 0
#define PROBE_REFUSED 3

static int probe_in_child(enum dc_topo_source src, const char *arg,
			  char *err, size_t errlen)
{
	struct dc_topology scratch = { 0 };
	int status, fd;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		set_err(err, errlen, "%s: cannot fork to load it safely: %s",
			input_name(src, arg), strerror(errno));
		return DC_ENOMEM;
	}
	if (pid == 0) {
		/* die of the signal itself: not through the caller's crash
		 * handlers (a sanitizer's, libFuzzer's), which would report
		 * a crash of the caller */
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		signal(SIGILL, SIG_DFL);
		signal(SIGFPE, SIG_DFL);
		signal(SIGABRT, SIG_DFL);
		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, STDERR_FILENO);
		_exit(load_in_process(&scratch, src, arg, NULL, 0) ?
		      PROBE_REFUSED : PROBE_OK);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			set_err(err, errlen, "%s: waitpid: %s",
				input_name(src, arg), strerror(errno));
			return DC_EINVAL;
		}
	}
	if (WIFEXITED(status) && (WEXITSTATUS(status) == PROBE_OK ||
				  WEXITSTATUS(status) == PROBE_REFUSED))
		return 0;
	if (WIFSIGNALED(status))
		set_err(err, errlen, "%s: hwloc crashed loading it (%s): not a "
			"topology discontig can use", input_name(src, arg),
			strsignal(WTERMSIG(status)));
	else
		set_err(err, errlen, "%s: hwloc crashed loading it (exit "
			"status %d): not a topology discontig can use",
			input_name(src, arg), WEXITSTATUS(status));
	return DC_EINVAL;
}

int dc_topo_load(struct dc_topology *t, enum dc_topo_source src,
		 const char *arg, char *err, size_t errlen)
{
	int rc;

	if (!t) {
		set_err(err, errlen, "no topology structure");
		return DC_EINVAL;
	}
	memset(t, 0, sizeof(*t));
	t->kind = src;
	rc = precheck(src, arg, err, errlen);
	if (rc == 0)
		rc = probe_in_child(src, arg, err, errlen);
	if (rc == 0)
		rc = load_in_process(t, src, arg, err, errlen);
	t->kind = src;
	return rc;
}

void dc_topo_free(struct dc_topology *t)
{
	unsigned i;

	if (!t)
		return;
	for (i = 0; t->nodes && i < t->nnodes; i++)
		free(t->nodes[i].cpus);
	free(t->nodes);
	free(t->distance);
	memset(t, 0, sizeof(*t));
}
