/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz.h - what the fuzz targets share: reading arguments from the input
 * (little-endian, zeros once it is used up, so every input is a valid
 * program), sorted range lists for comparing walks, the whole-or-chunked
 * reading of the two parser targets, and FZ_CHECK, which prints the
 * broken rule and aborts so that libFuzzer (or the replay driver under
 * ctest) reports the input.
 */
#ifndef DC_TESTS_FUZZ_H
#define DC_TESTS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <discontig/discontig.h>

struct fz_in {
	const uint8_t *p;
	size_t n;
};

unsigned fz_u8(struct fz_in *in);
unsigned fz_u16(struct fz_in *in);
uint32_t fz_u32(struct fz_in *in);
uint64_t fz_u64(struct fz_in *in);

/* Inclusive ranges; nid is a tag (node, or walk kind). */
struct fz_range {
	dc_addr_t b, l;
	int nid;
};
struct fz_ranges {
	struct fz_range *v;
	size_t n, cap;
};

void fz_push(struct fz_ranges *r, dc_addr_t b, dc_addr_t l, int nid);
void fz_sort(struct fz_ranges *r);
/* sort, then join overlapping and touching ranges (tags are dropped) */
void fz_merge(struct fz_ranges *r);
dc_size_t fz_bytes(const struct fz_ranges *r);
/* [b, l] inside the union of r (r merged) */
bool fz_covers(const struct fz_ranges *r, dc_addr_t b, dc_addr_t l);
bool fz_equal(const struct fz_ranges *a, const struct fz_ranges *b);
/* out += a \ b (both merged) */
void fz_minus(const struct fz_ranges *a, const struct fz_ranges *b,
	      struct fz_ranges *out);
/* one walk of every node, in order */
void fz_walk(const struct dc_system *sys, enum dc_walk_kind kind,
	     struct fz_ranges *out);
void fz_free(struct fz_ranges *r);

/*
 * The parser targets (memblock, trace) read each input twice: whole, and
 * fed to the streaming parser in pieces of 1 + len % @modulus bytes, so
 * that where the pieces end moves with the input. They must end alike.
 */
struct dc_parse_error;
typedef int (*fz_feed_fn)(void *parser, const char *buf, size_t len,
			  struct dc_parse_error *err);
/* Feed @buf to @parser in pieces: 0, or the first failing feed's -1. */
int fz_feed_chunked(fz_feed_fn feed, void *parser, const char *buf,
		    size_t len, size_t modulus, struct dc_parse_error *err);
/* FZ_CHECK that the whole and the chunked read ended alike: the same
 * result and, on failure, the same line and message. Returns the result. */
int fz_same_outcome(int whole, const struct dc_parse_error *ew, int chunked,
		    const struct dc_parse_error *ec);

void fz_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

#define FZ_CHECK(cond, ...)                                        \
	do {                                                       \
		if (!(cond))                                       \
			fz_fail(__FILE__, __LINE__, __VA_ARGS__);  \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* DC_TESTS_FUZZ_H */
