// SPDX-License-Identifier: BSD-3-Clause
/*
 * run.c - a Linux module that runs the backend conformance scenarios
 * (tests/support/conformance.c) in kernel context, on real pages of
 * every online node (DESIGN.md, "Embedding").
 *
 * Built by kbuild from the unmodified library sources (see Kbuild), all
 * three backends in one module. On load it takes pages from every node
 * (harness_kernel.c), runs every case on every backend, bottom-up and
 * top-down, gives the pages back and reports in the kernel log:
 *
 *   discontig: tree: 58 passed, 0 failed, 8 skipped (host only), ...
 *   ...
 *   discontig: 174 passed, 0 failed
 *
 * This file is the printk runner behind check.h: an assertion that fails
 * marks its case failed and is logged (the first few per case); a fatal
 * one also stops the counting for the rest of the case (no longjmp in a
 * kernel; see check.h). The module then stays loaded, holding nothing.
 */
#define pr_fmt(fmt) "discontig: " fmt

#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/sched.h>

#include "conformance.h"
#include "kharness.h"

#define RUN_REPORTS_PER_CASE 5

struct run_case {
	const char *backend, *suite, *name;
	bool failed, aborted;
	unsigned int reports;
};

struct run_totals {
	unsigned int passed, failed, skipped;
	unsigned long long asserts;
};

static struct run_case cur;
static struct run_totals *cur_totals;

bool dc_t_check(bool ok, bool fatal, const char *what, const char *file,
		int line)
{
	if (cur.aborted || !cur_totals)
		return ok;
	cur_totals->asserts++;
	if (ok)
		return true;
	cur.failed = true;
	if (cur.reports++ < RUN_REPORTS_PER_CASE)
		pr_err("FAIL %s, %s: %s: %s:%d: %s\n", cur.backend, cur.suite,
		       cur.name, kbasename(file), line, what);
	if (fatal)
		cur.aborted = true;
	return false;
}

static void run_suite(const struct dc_backend_ops *ops, const char *suite,
		      unsigned int flags, struct run_totals *t)
{
	dc_conformance_setup(ops, kh_layout_base(), flags);
	for (size_t i = 0; i < dc_conformance_ncases; i++) {
		const struct dc_t_case *c = &dc_conformance_cases[i];

		if (c->flags & DC_T_HOST_ONLY) {
			t->skipped++;
			continue;
		}
		cur = (struct run_case){ ops->name, suite, c->name };
		c->fn();
		if (cur.failed)
			t->failed++;
		else
			t->passed++;
		cond_resched();
	}
}

static void run_backend(const char *name, struct run_totals *all)
{
	const struct dc_backend_ops *ops = dc_backend_find(name);
	struct run_totals t = { 0 };
	u64 t0 = ktime_get_ns();

	if (!ops) {
		pr_err("%s: backend not compiled in\n", name);
		all->failed++;
		return;
	}
	cur_totals = &t;
	run_suite(ops, "bottom-up", 0, &t);
	run_suite(ops, "top-down", DC_CFG_TOP_DOWN, &t);
	cur_totals = NULL;
	pr_info("%s: %u passed, %u failed, %u skipped (host only), %llu checks, %llu ms\n",
		name, t.passed, t.failed, t.skipped, t.asserts,
		(ktime_get_ns() - t0) / NSEC_PER_MSEC);
	all->passed += t.passed;
	all->failed += t.failed;
	all->skipped += t.skipped;
}

static int __init dc_module_init(void)
{
	static const char *const backends[] = { "tree", "bitmap", "array" };
	struct run_totals all = { 0 };
	int r = kh_take_pages();

	if (r) {
		kh_free_pages();
		pr_err("could not take pages: %d\n", r);
		pr_info("0 passed, 1 failed\n");
		return 0;
	}
	kh_print_machine();
	for (size_t i = 0; i < ARRAY_SIZE(backends); i++)
		run_backend(backends[i], &all);
	kh_free_pages();
	pr_info("%u passed, %u failed\n", all.passed, all.failed);
	return 0;
}

static void __exit dc_module_exit(void)
{
}

module_init(dc_module_init);
module_exit(dc_module_exit);
MODULE_DESCRIPTION("discontig conformance scenarios in kernel context");
MODULE_LICENSE("Dual BSD/GPL");
