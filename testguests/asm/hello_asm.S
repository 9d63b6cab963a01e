// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// hello_asm: no libc at all. write(1, msg, len) and exit(0) as raw
// syscalls. Built with gcc -nostdlib -static.
	.text
	.globl _start
_start:
	mov	$1, %eax		// SYS_write
	mov	$1, %edi		// stdout
	lea	msg(%rip), %rsi
	mov	$(msg_end - msg), %edx
	syscall
	mov	$60, %eax		// SYS_exit
	xor	%edi, %edi
	syscall
	hlt

	.section .rodata
msg:
	.ascii	"Hello from assembly, no libc!\n"
msg_end:
	.section .note.GNU-stack,"",@progbits
