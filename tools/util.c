// SPDX-License-Identifier: BSD-3-Clause
/*
 * util.c - shared helpers of the discontig tool (see util.h).
 */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void dc_die(const char *input, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "discontig: %s: ", input ? input : "usage");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(DC_EXIT_USAGE);
}

bool dc_parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGTPE";
	unsigned long long v;
	const char *u;
	char *end;
	int shift = 0;

	if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return false;
	if (*end) {
		u = strchr(units, toupper((unsigned char)*end));
		if (!u || !*u)
			return false;
		shift = 10 * (int)(u - units + 1);
		end++;
		if (*end == 'i' || *end == 'I')
			end++;
		if (*end == 'B' || *end == 'b')
			end++;
		if (*end)
			return false;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return false;
	*out = (uint64_t)v << shift;
	return true;
}

const char *dc_human(uint64_t bytes, char *buf)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB",
					    "PiB", "EiB" };
	int i = 0;
	uint64_t whole = bytes;

	while (whole >= 1024 && i < 6) {
		whole >>= 10;
		i++;
	}
	if (i == 0) {
		snprintf(buf, 32, "%llu B", (unsigned long long)bytes);
	} else if ((bytes & (((uint64_t)1 << (10 * i)) - 1)) == 0) {
		snprintf(buf, 32, "%llu %s", (unsigned long long)whole, unit[i]);
	} else {
		double v = (double)bytes / (double)((uint64_t)1 << (10 * i));
		snprintf(buf, 32, "%.*f %s", v < 10 ? 2 : v < 100 ? 1 : 0, v,
			 unit[i]);
	}
	return buf;
}

void dc_xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			if ((unsigned char)*s >= 0x20)
				fputc(*s, f);
		}
	}
}

uint64_t dc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void dc_json_init(struct dc_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

static void json_str_raw(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_key(struct dc_json *j, const char *key)
{
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	j->need_comma[j->depth] = true;
	if (key) {
		json_str_raw(j->f, key);
		fputc(':', j->f);
	}
}

void dc_json_obj(struct dc_json *j, const char *key)
{
	json_key(j, key);
	fputc('{', j->f);
	j->need_comma[++j->depth] = false;
}

void dc_json_arr(struct dc_json *j, const char *key)
{
	json_key(j, key);
	fputc('[', j->f);
	j->need_comma[++j->depth] = false;
}

void dc_json_end(struct dc_json *j, char closer)
{
	fputc(closer, j->f);
	j->depth--;
}

void dc_json_u64(struct dc_json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	fprintf(j->f, "%llu", (unsigned long long)v);
}

void dc_json_i64(struct dc_json *j, const char *key, int64_t v)
{
	json_key(j, key);
	fprintf(j->f, "%lld", (long long)v);
}

void dc_json_str(struct dc_json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_str_raw(j->f, s ? s : "");
}

void dc_json_bool(struct dc_json *j, const char *key, bool v)
{
	json_key(j, key);
	fputs(v ? "true" : "false", j->f);
}

void dc_json_done(struct dc_json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
}

/* Progress is a property of the process (one stderr), hence static. */
static struct {
	uint64_t start_ns, last_ns;
	bool started, shown, quiet;
} progress;

void dc_progress_start(void)
{
	progress.start_ns = dc_now_ns();
	progress.last_ns = progress.start_ns;
	progress.started = true;
}

void dc_progress_quiet(bool quiet)
{
	progress.quiet = quiet;
}

void dc_progress(const char *fmt, ...)
{
	bool tty = isatty(STDERR_FILENO);
	uint64_t now, secs;
	va_list ap;

	if (progress.quiet)
		return;
	if (!progress.started)
		dc_progress_start();
	now = dc_now_ns();
	if (tty ? progress.shown && now - progress.last_ns < 100000000u :
		  now - progress.start_ns < 3000000000u ||
		  (progress.shown && now - progress.last_ns < 10000000000u))
		return;
	progress.last_ns = now;
	progress.shown = true;
	secs = (now - progress.start_ns) / 1000000000u;
	fputs(tty ? "\r\033[K" : "discontig: ", stderr);
	fprintf(stderr, "[%llu:%02llu] ", (unsigned long long)secs / 60,
		(unsigned long long)secs % 60);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (!tty)
		fputc('\n', stderr);
	fflush(stderr);
}

void dc_progress_end(void)
{
	if (progress.shown && isatty(STDERR_FILENO))
		fputs("\r\033[K", stderr);
	progress.shown = false;
}

char *dc_read_file(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t cap = 0, n;
	char *buf = NULL;

	if (!f)
		dc_die(path, "cannot open: %s", strerror(errno));
	*len = 0;
	for (;;) {
		if (cap - *len < 65536) {
			cap = cap ? cap * 2 : 262144;
			buf = realloc(buf, cap + 1);
			if (!buf)
				dc_die(path, "out of memory");
		}
		n = fread(buf + *len, 1, cap - *len, f);
		if (!n)
			break;
		*len += n;
		if (*len > ((size_t)1 << 30))
			dc_die(path, "larger than 1 GiB");
	}
	if (ferror(f))
		dc_die(path, "read error: %s", strerror(errno));
	if (f != stdin)
		fclose(f);
	buf[*len] = '\0';
	return buf;
}
