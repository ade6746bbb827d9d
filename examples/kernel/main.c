// SPDX-License-Identifier: BSD-3-Clause
/*
 * main.c - the example kernel: boot, the boot allocator, the page
 * allocator, the report, one verdict.
 *
 * kmain() runs the phases in the order a NUMA kernel does and times each
 * with the TSC. After each phase dc_check() must return 0. The report on
 * the serial port ends with one line, "PASS: ..." or "FAIL: ...", and
 * QEMU's exit status says the same (arch.c). Command line (-append):
 *   seed=N       the random phase's seed (default 1)
 *   requests=N   its number of requests (default 3000, at most 6000)
 *   lowmem=SIZE  the direct map's end (default 896M, 4 MiB multiple)
 */
#include "mm.h"

struct acpi_info acpi;
struct boot_info boot;
unsigned failures;

static struct {
	const char *name;
	uint64_t cycles;
} phases[12];
static unsigned nphases;
static uint64_t phase_start;

void fail(const char *fmt, ...)
{
	va_list ap;

	failures++;
	kprintf("  check failed: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
}

/* End the current phase: time it, then the library's own invariants. */
static void phase_done(const char *name)
{
	uint64_t now = rdtsc();
	int r;

	phases[nphases].name = name;
	phases[nphases++].cycles = now - phase_start;
	if (dc_phase(&dc) != DC_GONE) {
		r = dc_check(&dc);
		CHECK(!r, "dc_check after %s: invariant %d broken", name, r);
	}
	phase_start = rdtsc();
}

static _Noreturn void verdict(const char *why)
{
	uint64_t total = 0;

	kprintf("phase times (TSC at %u kHz, calibrated against the PIT; "
		"under QEMU TCG these are emulated guest times, not hardware "
		"times):\n", arch_tsc_khz_cached());
	for (unsigned i = 0; i < nphases; i++) {
		kprintf("  %-26s %10llu us\n", phases[i].name,
			tsc_to_us(phases[i].cycles));
		total += phases[i].cycles;
	}
	kprintf("  %-26s %10llu us\n", "total", tsc_to_us(total));
	CHECK(!p2v_beyond, "phys_to_virt asked %u times for memory above the "
	      "access limit (first at 0x%llx)", p2v_beyond, p2v_first_beyond);
	if (why)
		kprintf("FAIL: %s\n", why);
	else if (failures)
		kprintf("FAIL: %u checks failed (%s backend, %u nodes)\n",
			failures, DC_CONFIG_BACKENDS, nr_nodes);
	else
		kprintf("PASS: %s backend, %u nodes, %u CPUs, every check "
			"held\n", DC_CONFIG_BACKENDS, nr_nodes, acpi.ncpu);
	arch_exit(!why && !failures);
}

void kmain(uint32_t magic, uint32_t mbi)
{
	const char *err, *arg;
	uint64_t seed = 1;
	unsigned requests = 3000;

	con_init();
	arch_init_traps();
	arch_tsc_khz();
	kprintf("\ndiscontig example kernel (i386, multiboot), backend %s\n",
		DC_CONFIG_BACKENDS);
	phase_start = rdtsc();
	if ((err = mb_parse(magic, mbi, &boot)))
		verdict(err);
	if ((arg = cmdline_arg(boot.cmdline, "seed")))
		seed = parse_u64(arg);
	if ((arg = cmdline_arg(boot.cmdline, "requests")))
		requests = (unsigned)parse_u64(arg);
	if (requests > 6000)
		requests = 6000;
	mb_print(&boot);
	acpi_scan(&acpi);
	acpi_print(&acpi);

	err = memory_setup();
	if (err)
		verdict(err);
	phase_done("setup to dc_finalize");
	setup_print();

	allocs_nodes();
	phase_done("node data, struct pages");
	allocs_percpu_dma();
	phase_done("per-CPU areas, DMA");
	allocs_random(seed, requests);
	phase_done("random requests");
	allocs_report();
	phase_start = rdtsc();

	buddy_init();
	buddy_release_all();
	phase_done("dc_release_all");
	buddy_exhaust_test();
	phase_done("buddy: every page once");
	buddy_release_metadata();
	phase_done("dc_release_metadata");
	buddy_exercise();
	buddy_print();
	verdict(NULL);
}
