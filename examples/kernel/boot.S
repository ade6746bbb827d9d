/*
 * boot.S - multiboot (v1) entry, segments and exception stubs.
 *
 * The multiboot loader (QEMU -kernel) enters _start in 32-bit protected
 * mode with paging off, EAX = 0x2BADB002 and EBX = the physical address
 * of the multiboot information. The spec leaves GDTR undefined, so we load
 * our own flat GDT before touching a segment register; the IDT stubs
 * below need valid selectors too. Then: a stack in .bss, a zeroed .bss,
 * and kmain(magic, mbi), which never returns.
 */
#define MB_MAGIC	0x1BADB002
#define MB_FLAGS	0x00000003	/* page-aligned modules, memory map */

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.section .bss
	.align 16
boot_stack:
	.skip 16384
	.globl boot_stack_top
boot_stack_top:

	.section .rodata
	.align 8
gdt:
	.quad 0				/* null */
	.quad 0x00cf9a000000ffff	/* 0x08: code, base 0, 4 GiB, 32-bit */
	.quad 0x00cf92000000ffff	/* 0x10: data, base 0, 4 GiB */
gdt_end:
gdt_ptr:
	.word gdt_end - gdt - 1
	.long gdt

	.section .text
	.globl _start
_start:
	cli
	cld
	lgdt gdt_ptr
	ljmp $0x08, $1f
1:	movw $0x10, %cx
	movw %cx, %ds
	movw %cx, %es
	movw %cx, %fs
	movw %cx, %gs
	movw %cx, %ss
	movl $boot_stack_top, %esp
	movl %eax, %esi			/* keep magic and mbi across the loop */
	movl %ebx, %ebp
	movl $__bss_start, %edi		/* zero .bss: nothing is on the stack */
	movl $__bss_end, %ecx		/* yet, so the stack in it may go too */
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	pushl %ebp			/* mbi */
	pushl %esi			/* magic */
	call kmain
2:	cli
	hlt
	jmp 2b

/*
 * Exceptions 0..31: each stub pushes a zero where the CPU pushes no error
 * code, then its vector, and joins trap_common, which hands a struct
 * trap_frame (kernel.h) to trap() in C. trap() reports and stops QEMU: an
 * exception in this kernel is a failed test, never something to resume.
 */
.macro stub vec, has_error
	.globl trap_stub_\vec
trap_stub_\vec:
	.if \has_error == 0
	pushl $0
	.endif
	pushl $\vec
	jmp trap_common
.endm

	stub 0,0;  stub 1,0;  stub 2,0;  stub 3,0;  stub 4,0;  stub 5,0
	stub 6,0;  stub 7,0;  stub 8,1;  stub 9,0;  stub 10,1; stub 11,1
	stub 12,1; stub 13,1; stub 14,1; stub 15,0; stub 16,0; stub 17,1
	stub 18,0; stub 19,0; stub 20,0; stub 21,1; stub 22,0; stub 23,0
	stub 24,0; stub 25,0; stub 26,0; stub 27,0; stub 28,0; stub 29,1
	stub 30,1; stub 31,0

trap_common:
	pushal
	pushl %esp			/* struct trap_frame * */
	call trap
3:	cli
	hlt
	jmp 3b

	.section .rodata
	.align 4
	.globl trap_stubs
trap_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.long trap_stub_\v
	.endr
	.section .note.GNU-stack, "", @progbits
