// SPDX-License-Identifier: BSD-3-Clause
/*
 * arch.c - the i386 parts: exceptions, the direct map, the TSC, the exit.
 *
 * Exceptions: an IDT whose 32 gates point at boot.S's stubs; trap()
 * prints the frame and fails the run. A page fault here means someone
 * touched memory outside the direct map, e.g. the allocator mapping
 * memory above the access limit, so it must be loud, not a triple fault.
 *
 * The direct map: 4 MiB pages (PSE) identity-map [0, end). This is what
 * the kernel "maps", and what it tells dc_set_access_limit().
 *
 * The TSC is calibrated against PIT channel 2 (Linux's
 * pit_calibrate_tsc()); under TCG both are emulated, so the times the
 * report gives are guest times, not hardware times.
 *
 * isa-debug-exit (QEMU's -device isa-debug-exit,iobase=0xf4): writing V
 * ends QEMU with status (V << 1) | 1. PASS writes 0x10 (status 33), FAIL
 * 0x11 (status 35); scripts/kernel.sh maps them to 0 and 1.
 */
#include "kernel.h"

#define DEBUG_EXIT_PORT 0xf4
#define EXIT_PASS 0x10
#define EXIT_FAIL 0x11

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
} __attribute__((packed));

static struct idt_gate idt[32];
static uint32_t page_dir[1024] __attribute__((aligned(4096)));
static uint32_t tsc_khz;

extern const uint32_t trap_stubs[32];	/* boot.S */

void arch_init_traps(void)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint32_t)idt };

	for (unsigned v = 0; v < ARRAY_SIZE(idt); v++) {
		idt[v].off_lo = (uint16_t)trap_stubs[v];
		idt[v].off_hi = (uint16_t)(trap_stubs[v] >> 16);
		idt[v].sel = 0x08;
		idt[v].type = 0x8e;	/* present, ring 0, 32-bit interrupt */
	}
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

void trap(struct trap_frame *f)
{
	static const char *const names[] = {
		"divide error", "debug", "NMI", "breakpoint", "overflow",
		"bound", "invalid opcode", "no FPU", "double fault",
		"coprocessor overrun", "invalid TSS", "segment not present",
		"stack fault", "general protection", "page fault",
	};
	uint32_t cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	kprintf("\nexception %u (%s) at eip 0x%x, error 0x%x, cr2 0x%x\n",
		f->vector, f->vector < ARRAY_SIZE(names) ? names[f->vector]
							 : "reserved",
		f->eip, f->error, cr2);
	kprintf("  eax %08x ebx %08x ecx %08x edx %08x esi %08x edi %08x "
		"ebp %08x\n", f->eax, f->ebx, f->ecx, f->edx, f->esi, f->edi,
		f->ebp);
	kprintf("FAIL: exception %u in the kernel\n", f->vector);
	arch_exit(false);
}

void arch_map_lowmem(uint32_t end)
{
	uint32_t cr0, cr4;

	for (uint32_t i = 0; i < (end >> 22); i++)
		page_dir[i] = i << 22 | 0x83;	/* 4 MiB, writable, present */
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | 0x10));	/* PSE */
	__asm__ volatile("mov %0, %%cr3" : : "r"(page_dir) : "memory");
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | 0x80000000u)
			 : "memory");	/* PG */
}

/* Count TSC cycles across 10 ms of PIT channel 2 (mode 0, gate on). */
uint32_t arch_tsc_khz(void)
{
	const uint32_t ticks = 1193182 / 100;
	uint64_t t0, t1;

	outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01));
	outb(0x43, 0xb0);		/* channel 2, lo/hi byte, mode 0 */
	outb(0x42, (uint8_t)ticks);
	outb(0x42, (uint8_t)(ticks >> 8));
	t0 = rdtsc();
	while (!(inb(0x61) & 0x20))	/* OUT2 goes high at terminal count */
		;
	t1 = rdtsc() - t0;
	div64_32(&t1, 10);		/* cycles per ms */
	tsc_khz = t1 ? (uint32_t)t1 : 1;
	return tsc_khz;
}

uint32_t arch_tsc_khz_cached(void)
{
	return tsc_khz;
}

uint64_t tsc_to_us(uint64_t cycles)
{
	uint64_t us = cycles * 1000;

	div64_32(&us, tsc_khz ? tsc_khz : 1);
	return us;
}

_Noreturn void arch_exit(bool pass)
{
	outl(DEBUG_EXIT_PORT, pass ? EXIT_PASS : EXIT_FAIL);
	for (;;)	/* without the device: stop here */
		__asm__ volatile("cli; hlt");
}
