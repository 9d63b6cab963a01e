// Package emu is gemu's x86-64 interpreter: CPU state, decoding with
// golang.org/x/arch/x86/x86asm into a cached, pre-decoded form, execution
// with lazy flags, and the run loop that hands system calls to package
// syscalls and turns faults into guest signals.
//
// Decoding happens once per instruction: a basic block is translated into a
// slice of inst values (operand kinds, sizes and addresses resolved) and
// cached by guest PC; the cache listens to the MMU's code marks so that
// self-modifying code, munmap and mprotect invalidate stale blocks.
//
// Instruction semantics are split by family (alu.go, move.go, control.go,
// shift.go, muldiv.go, bits.go, string.go, sse_*.go, x87*.go); each family
// registers its handlers in a table keyed by x86asm.Op (see table.go).
// Nothing here knows about hypertrace or Linux system call semantics.
//
// A Machine is one guest process; its threads are goroutines that take
// turns on one CPU token (sched.go). Fork makes a new Machine sharing the
// run's scheduler and clock (process.go), so every guest thread of every
// process runs one at a time and -icount runs stay reproducible; execve
// swaps a machine's address space and code cache under its thread.
package emu
