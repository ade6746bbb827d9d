// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_sim_parsers.c - the memblock=debug parser, the trace reader and
 * the replay engine of the simulation layer (tools/sim/), called as a
 * fuzz target would call them: a buffer and a length, errors back with a
 * line number, nothing printed, no exit. One case per way an input can
 * fail, and the chunked reader against the whole-buffer one.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/sim/memblock_log.h"
#include "tools/sim/replay.h"
#include "tools/sim/trace.h"

/* 64 MiB at 1 MiB, 16 MiB reserved; one request answered at the top. */
#define DUMP \
	"MEMBLOCK configuration:\n" \
	" memory.cnt  = 0x1\n" \
	" memory[0x0]\t[0x0000000000100000-0x00000000040fffff], 0x0000000004000000 bytes flags: 0x0\n" \
	" reserved.cnt  = 0x1\n" \
	" reserved[0x0]\t[0x0000000001000000-0x0000000001ffffff], 0x0000000001000000 bytes flags: 0x0\n"
#define REQ "memblock_alloc_try_nid: 4096 bytes align=0x1000 nid=-1 from=0x0 max_addr=0x0 foo+0x1/0x2\n"
#define ANS "memblock_reserve: [0x00000000040ff000-0x00000000040fffff] memblock_alloc_range_nid+0x1/0x2\n"
#define LOG "Linux version 6.1\n" DUMP REQ ANS

static int parse(const char *s, struct dc_mb_log *log, struct dc_parse_error *e)
{
	memset(e, 0, sizeof(*e));
	return dc_mb_parse(s, strlen(s), log, e);
}

/* Expect: the log parses, its one request is matched by the replay. */
static void a_good_log_replays_matched(void)
{
	struct dc_replay_report rep = { 0 };
	struct dc_parse_error e;
	struct dc_mb_log log;

	CU_ASSERT_EQUAL_FATAL(parse(LOG, &log, &e), 0);
	CU_ASSERT_EQUAL(log.nrequests, 1);
	CU_ASSERT_EQUAL(log.malformed, 0);
	CU_ASSERT_EQUAL(dc_replay_log(&log, NULL, &rep, &e), 0);
	CU_ASSERT_EQUAL(rep.requests, 1);
	CU_ASSERT_EQUAL(rep.matched, 1);
	CU_ASSERT_FALSE(dc_replay_failed(&rep, false));
	dc_replay_report_free(&rep);
	dc_mb_free(&log);
}

/* Expect: each way a whole input fails, with its line. */
static void rejected_inputs_name_their_line(void)
{
	static const struct { const char *in; size_t len; unsigned long line;
			      const char *msg; } t[] = {
		{ "", 0, 0, "empty file" },
		{ "a\nb\0c\n", 6, 2, "NUL byte" },
		{ "hello\nworld\n", 12, 2, "no memblock lines" },
		{ "x\n" REQ, 0, 2, "no `MEMBLOCK configuration:` dump" },
		{ "MEMBLOCK configuration:\n" REQ, 0, 1, "lists no memory" },
		{ "MEMBLOCK configuration:\n memory.cnt = 0x2\n"
		  " memory[0x0]\t[0x1000-0x1fff], 0x1000 bytes flags: 0x0\n",
		  0, 1, "incomplete" },
	};
	struct dc_parse_error e;
	struct dc_mb_log log;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&e, 0, sizeof(e));
		CU_ASSERT_EQUAL(dc_mb_parse(t[i].in, t[i].len ? t[i].len :
					    strlen(t[i].in), &log, &e), -1);
		CU_ASSERT_EQUAL(e.line, t[i].line);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, t[i].msg));
		if (!strstr(e.msg, t[i].msg))
			printf("\n  case %zu: line %lu: %s\n", i, e.line, e.msg);
		CU_ASSERT_EQUAL(log.nops, 0);	/* empty on failure */
	}
}

/* Expect: a line over 64 KiB is rejected at its line, however it is fed. */
static void an_overlong_line_is_rejected(void)
{
	size_t n = DC_LINE_MAX + 10;
	char *s = malloc(n + 8);
	struct dc_parse_error e = { 0 };
	struct dc_mb_log log;

	memcpy(s, "ok\n", 3);
	memset(s + 3, 'x', n);
	CU_ASSERT_EQUAL(dc_mb_parse(s, n + 3, &log, &e), -1);
	CU_ASSERT_EQUAL(e.line, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "longer than 64 KiB"));
	free(s);
}

/* Expect: each unreadable memblock line is counted, kept with its line
 * and reason, never applied; the replay reports it as ignored. */
static void malformed_lines_are_counted_with_their_line(void)
{
	static const struct { const char *line, *why; } t[] = {
		{ "memblock_reserve: [0xZZZZ-0x1000] f\n", "base is not" },
		{ "memblock_reserve: [0x2000-0x1000] f\n", "end below base" },
		{ "memblock_phys_free: [0x1000-0xQ] f\n", "end is not" },
		{ "memblock_add: 0x1000 f\n", "no [base-end] range" },
		{ "memblock_alloc_try_nid: -5 bytes align=0x0 nid=0 from=0x0 max_addr=0x0\n",
		  "negative size" },
		{ "memblock_alloc_try_nid: 99999999999999999999999 bytes align=0x0 nid=0 from=0x0 max_addr=0x0\n",
		  "does not fit 64 bits" },
		{ "memblock_alloc_try_nid: 18446744073709551616 bytes align=0x0 nid=0 from=0x0 max_addr=0x0\n",
		  "does not fit 64 bits" },
		{ "memblock_alloc_try_nid: 0 bytes align=0x0 nid=0 from=0x0 max_addr=0x0\n",
		  "size 0" },
		{ "memblock_phys_alloc_range: 64 bytes align=0x40 max_addr=0x0\n",
		  "from=" },
		{ "memblock_alloc_try_nid: 64 bytes align=0x40 from=0x0 max_addr=0x0\n",
		  "nid=" },
	};
	char buf[2048];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct dc_replay_report rep = { 0 };
		struct dc_parse_error e;
		struct dc_mb_log log;

		snprintf(buf, sizeof(buf), "%s%s%s%s", DUMP, REQ, ANS, t[i].line);
		CU_ASSERT_EQUAL_FATAL(parse(buf, &log, &e), 0);
		CU_ASSERT_EQUAL(log.malformed, 1);
		CU_ASSERT_EQUAL(log.nbad, 1);
		CU_ASSERT_EQUAL(log.bad[0].line, 8);	/* 5 dump lines, REQ, ANS */
		CU_ASSERT_PTR_NOT_NULL(strstr(log.bad[0].why, t[i].why));
		if (!strstr(log.bad[0].why, t[i].why))
			printf("\n  case %zu: %s\n", i, log.bad[0].why);
		CU_ASSERT_EQUAL(log.nops, 1);		/* the request only */
		CU_ASSERT_EQUAL(dc_replay_log(&log, NULL, &rep, &e), 0);
		CU_ASSERT_EQUAL(rep.ignored, 1);
		CU_ASSERT_TRUE(dc_replay_failed(&rep, false));
		CU_ASSERT_FALSE(dc_replay_failed(&rep, true));
		dc_replay_report_free(&rep);
		dc_mb_free(&log);
	}
}

/* Expect: a size of 2^64 - 1 bytes, the largest that fits, reads as
 * itself (the overflow test must not refuse the last digits). */
static void largest_decimal_size_reads(void)
{
	static const char *const line = "memblock_alloc_try_nid: "
		"18446744073709551615 bytes align=0x0 nid=0 from=0x0 "
		"max_addr=0x0\n";
	struct dc_parse_error e;
	struct dc_mb_log log;
	char buf[2048];

	snprintf(buf, sizeof(buf), "%s%s%s%s", DUMP, REQ, ANS, line);
	CU_ASSERT_EQUAL_FATAL(parse(buf, &log, &e), 0);
	CU_ASSERT_EQUAL(log.malformed, 0);
	CU_ASSERT_EQUAL_FATAL(log.nops, 2);
	CU_ASSERT_EQUAL(log.ops[1].size, UINT64_MAX);
	dc_mb_free(&log);
}

/* Expect: a log ending right after a request, or inside its answer,
 * leaves it unanswered ("log ends here"), not missed. */
static void a_log_ending_in_a_request_leaves_it_unanswered(void)
{
	static const char *const cut[] = {
		DUMP REQ, DUMP REQ "memblock_reserve: [0x00000000040ff",
	};

	for (size_t i = 0; i < 2; i++) {
		struct dc_replay_report rep = { 0 };
		struct dc_parse_error e;
		struct dc_mb_log log;

		CU_ASSERT_EQUAL_FATAL(parse(cut[i], &log, &e), 0);
		CU_ASSERT_TRUE(log.ops[0].unanswered);
		CU_ASSERT_EQUAL(log.cut_line, i ? 7 : 0);
		CU_ASSERT_EQUAL(log.malformed, 0);
		CU_ASSERT_EQUAL(dc_replay_log(&log, NULL, &rep, &e), 0);
		CU_ASSERT_EQUAL(rep.unanswered, 1);
		CU_ASSERT_EQUAL(rep.missed, 0);
		CU_ASSERT_FALSE(dc_replay_failed(&rep, false));
		dc_replay_report_free(&rep);
		dc_mb_free(&log);
	}
}

/* Expect: fed one byte at a time, the parser gives the same log. */
static void chunks_give_the_same_log(void)
{
	struct dc_mb_parser *p = dc_mb_parser_new();
	struct dc_parse_error e = { 0 };
	struct dc_mb_log a, b;
	const char *s = LOG;

	CU_ASSERT_EQUAL_FATAL(parse(LOG, &a, &e), 0);
	for (size_t i = 0; s[i]; i++)
		CU_ASSERT_EQUAL(dc_mb_parser_feed(p, s + i, 1, &e), 0);
	CU_ASSERT_EQUAL_FATAL(dc_mb_parser_finish(p, &b, &e), 0);
	CU_ASSERT_EQUAL(a.nops, b.nops);
	CU_ASSERT_EQUAL(a.lines, b.lines);
	CU_ASSERT_EQUAL(a.ops[0].result, b.ops[0].result);
	CU_ASSERT_EQUAL(b.ops[0].result, 0x40ff000);
	dc_mb_free(&a);
	dc_mb_free(&b);
}

#define TRACE_HEAD "# discontig trace v1\n" \
	"init page_shift=12 backend=tree pool=0x100000 flags=top_down = 0\n"

/* Expect: each way a trace fails, with its line. */
static void trace_reader_rejects_with_the_line(void)
{
	static const struct { const char *in; unsigned long line;
			      const char *msg; } t[] = {
		{ "", 0, "empty file" },
		{ "# discontig trace v2\n", 1, "not a trace" },
		{ "# discontig trace v1\n# only comments\n", 2, "without calls" },
		{ "# discontig trace v1\nfinalize = 0\n", 2, "not init" },
		{ TRACE_HEAD "init page_shift=12 backend=tree pool=0x1 flags=0 = 0\n",
		  3, "a second init" },
		{ TRACE_HEAD "distance from=0 = 0\n", 3, "not a trace line" },
		{ TRACE_HEAD "add nid=0 base=0x1000 size=0x", 3, "cut" },
	};
	struct dc_trace_file tf;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct dc_parse_error e = { 0 };

		CU_ASSERT_EQUAL(dc_trace_read(t[i].in, strlen(t[i].in), &tf, &e), -1);
		CU_ASSERT_EQUAL(e.line, t[i].line);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, t[i].msg));
		if (!strstr(e.msg, t[i].msg))
			printf("\n  case %zu: line %lu: %s\n", i, e.line, e.msg);
		CU_ASSERT_EQUAL(tf.n, 0);
	}
}

/* Expect: a small trace reads and replays identically. */
static void a_trace_replays_identically(void)
{
	static const char s[] = TRACE_HEAD
		"add nid=0 base=0x100000 size=0x100000 = 0\r\n"
		"finalize = 0\n"
		"alloc size=0x1000 align=0x1000 min=0x0 max=0x0 nid=0 flags=top_down|exact = 0 addr=0x1ff000\n"
		"free base=0x1ff000 size=0x1000 = 0\n";
	struct dc_replay_report rep = { 0 };
	struct dc_parse_error e = { 0 };
	struct dc_trace_file tf;

	CU_ASSERT_EQUAL_FATAL(dc_trace_read(s, sizeof(s) - 1, &tf, &e), 0);
	CU_ASSERT_EQUAL(tf.n, 5);
	CU_ASSERT_EQUAL(tf.v[3].line, 5);
	CU_ASSERT_EQUAL(dc_replay_trace(&tf, NULL, &rep, &e), 0);
	CU_ASSERT_EQUAL(rep.matched, 1);
	CU_ASSERT_EQUAL(rep.call_differences, 0);
	dc_replay_report_free(&rep);
	dc_trace_file_free(&tf);
}

int main(void)
{
	CU_pSuite s;
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("sim parsers", NULL, NULL);
	CU_add_test(s, "a_good_log_replays_matched", a_good_log_replays_matched);
	CU_add_test(s, "rejected_inputs_name_their_line",
		    rejected_inputs_name_their_line);
	CU_add_test(s, "an_overlong_line_is_rejected",
		    an_overlong_line_is_rejected);
	CU_add_test(s, "malformed_lines_are_counted_with_their_line",
		    malformed_lines_are_counted_with_their_line);
	CU_add_test(s, "largest_decimal_size_reads", largest_decimal_size_reads);
	CU_add_test(s, "a_log_ending_in_a_request_leaves_it_unanswered",
		    a_log_ending_in_a_request_leaves_it_unanswered);
	CU_add_test(s, "chunks_give_the_same_log", chunks_give_the_same_log);
	CU_add_test(s, "trace_reader_rejects_with_the_line",
		    trace_reader_rejects_with_the_line);
	CU_add_test(s, "a_trace_replays_identically", a_trace_replays_identically);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
