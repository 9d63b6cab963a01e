// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// jump_unmapped: prints a line, then jumps to address 0x1000, inside the
// low region Linux never maps (vm.mmap_min_addr). The instruction fetch
// faults and the kernel delivers SIGSEGV (exit status 139).
	.text
	.globl _start
_start:
	mov	$1, %eax		// SYS_write
	mov	$1, %edi
	lea	msg(%rip), %rsi
	mov	$(msg_end - msg), %edx
	syscall
	mov	$0x1000, %eax
	jmp	*%rax
	mov	$60, %eax		// not reached: exit(1)
	mov	$1, %edi
	syscall

	.section .rodata
msg:
	.ascii	"jumping to unmapped address 0x1000\n"
msg_end:
	.section .note.GNU-stack,"",@progbits
