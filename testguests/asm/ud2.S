// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// ud2: prints a line, then executes ud2, the architecturally undefined
// instruction. The kernel delivers SIGILL (exit status 132).
	.text
	.globl _start
_start:
	mov	$1, %eax		// SYS_write
	mov	$1, %edi
	lea	msg(%rip), %rsi
	mov	$(msg_end - msg), %edx
	syscall
	ud2
	mov	$60, %eax		// not reached: exit(1)
	mov	$1, %edi
	syscall

	.section .rodata
msg:
	.ascii	"about to execute ud2\n"
msg_end:
	.section .note.GNU-stack,"",@progbits
