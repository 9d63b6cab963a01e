// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// startregs: the machine state the kernel hands to _start on x86-64 Linux.
// Every general register but rsp is zero, rsp is 16-byte aligned and points
// at argc, the status flags and DF are clear, MXCSR is 0x1f80 and the x87
// control word 0x37f. It prints one line per fact (and one per non-zero
// register) and exits 0. No libc.
	.text
	.globl _start
_start:
	mov	%rax, saved+0(%rip)
	mov	%rbx, saved+8(%rip)
	mov	%rcx, saved+16(%rip)
	mov	%rdx, saved+24(%rip)
	mov	%rsi, saved+32(%rip)
	mov	%rdi, saved+40(%rip)
	mov	%rbp, saved+48(%rip)
	mov	%r8, saved+56(%rip)
	mov	%r9, saved+64(%rip)
	mov	%r10, saved+72(%rip)
	mov	%r11, saved+80(%rip)
	mov	%r12, saved+88(%rip)
	mov	%r13, saved+96(%rip)
	mov	%r14, saved+104(%rip)
	mov	%r15, saved+112(%rip)
	mov	%rsp, saved_rsp(%rip)
	pushfq
	popq	saved_flags(%rip)
	stmxcsr	saved_mxcsr(%rip)
	fnstcw	saved_fpucw(%rip)

	// One line per non-zero general register.
	xor	%r12d, %r12d		// register index
	xor	%r13d, %r13d		// non-zero count
1:	lea	saved(%rip), %rax
	cmpq	$0, (%rax,%r12,8)
	je	2f
	inc	%r13
	lea	regnames(%rip), %rsi
	lea	(%rsi,%r12,4), %rsi
	mov	$4, %edx
	call	write_out
	lea	nonzero(%rip), %rsi
	mov	$(nonzero_end - nonzero), %edx
	call	write_out
2:	inc	%r12
	cmp	$15, %r12
	jne	1b
	test	%r13, %r13
	jnz	3f
	lea	allzero(%rip), %rsi
	mov	$(allzero_end - allzero), %edx
	call	write_out
3:
	// rsp alignment.
	testq	$15, saved_rsp(%rip)
	jnz	4f
	lea	aligned(%rip), %rsi
	mov	$(aligned_end - aligned), %edx
	call	write_out
	jmp	5f
4:	lea	misaligned(%rip), %rsi
	mov	$(misaligned_end - misaligned), %edx
	call	write_out
5:
	// argc and the NULL after argv.
	lea	argc_msg(%rip), %rsi
	mov	$(argc_msg_end - argc_msg), %edx
	call	write_out
	mov	saved_rsp(%rip), %rbx
	mov	(%rbx), %rdi
	call	write_hex
	mov	(%rbx), %rax
	cmpq	$0, 8(%rbx,%rax,8)
	jne	6f
	lea	argvnull(%rip), %rsi
	mov	$(argvnull_end - argvnull), %edx
	call	write_out
6:
	// Status flags CF PF AF ZF SF OF and DF.
	lea	flags_msg(%rip), %rsi
	mov	$(flags_msg_end - flags_msg), %edx
	call	write_out
	mov	saved_flags(%rip), %rdi
	and	$0xcd5, %rdi
	call	write_hex
	lea	mxcsr_msg(%rip), %rsi
	mov	$(mxcsr_msg_end - mxcsr_msg), %edx
	call	write_out
	mov	saved_mxcsr(%rip), %edi
	call	write_hex
	lea	fpucw_msg(%rip), %rsi
	mov	$(fpucw_msg_end - fpucw_msg), %edx
	call	write_out
	movzwl	saved_fpucw(%rip), %edi
	call	write_hex

	mov	$60, %eax		// SYS_exit
	xor	%edi, %edi
	syscall
	hlt

// write_out writes rdx bytes at rsi to stdout.
write_out:
	mov	$1, %eax
	mov	$1, %edi
	syscall
	ret

// write_hex writes rdi as 0x%x and a newline.
write_hex:
	lea	hexbuf_end(%rip), %rsi
	movb	$10, -1(%rsi)
	lea	-1(%rsi), %rsi
	mov	$1, %edx
7:	mov	%edi, %eax
	and	$15, %eax
	lea	hexdigits(%rip), %rcx
	movb	(%rcx,%rax), %al
	dec	%rsi
	movb	%al, (%rsi)
	inc	%edx
	shr	$4, %rdi
	jnz	7b
	dec	%rsi
	movb	$'x', (%rsi)
	dec	%rsi
	movb	$'0', (%rsi)
	add	$2, %edx
	jmp	write_out

	.section .rodata
regnames:	.ascii	"rax rbx rcx rdx rsi rdi rbp r8  r9  r10 r11 r12 r13 r14 r15 "
nonzero:	.ascii	"is non-zero at entry\n"
nonzero_end:
allzero:	.ascii	"all general registers but rsp are zero at entry\n"
allzero_end:
aligned:	.ascii	"rsp is 16-byte aligned\n"
aligned_end:
misaligned:	.ascii	"rsp is NOT 16-byte aligned\n"
misaligned_end:
argc_msg:	.ascii	"argc at (rsp): "
argc_msg_end:
argvnull:	.ascii	"argv[argc] is NULL\n"
argvnull_end:
flags_msg:	.ascii	"rflags & (CF|PF|AF|ZF|SF|DF|OF): "
flags_msg_end:
mxcsr_msg:	.ascii	"mxcsr: "
mxcsr_msg_end:
fpucw_msg:	.ascii	"x87 control word: "
fpucw_msg_end:
hexdigits:	.ascii	"0123456789abcdef"

	.bss
	.align	8
saved:		.skip	15 * 8
saved_rsp:	.skip	8
saved_flags:	.skip	8
saved_mxcsr:	.skip	4
saved_fpucw:	.skip	2
hexbuf:		.skip	32
hexbuf_end:
	.section .note.GNU-stack,"",@progbits
