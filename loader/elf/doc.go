// Package elf loads x86-64 Linux ELF executables into a guest address space
// and builds the initial process stack (argv, envp, auxv) as Linux does.
// It is named elf; import the standard library's as goelf where both are needed.
//
// [Load] accepts ELF64 little-endian EM_X86_64 executables: ET_EXEC at their
// linked addresses and static PIEs (ET_DYN without PT_INTERP) at the address
// Linux picks without randomisation (the top of the mmap area). It maps every
// PT_LOAD segment the way Linux's load_elf_binary does, page rounding, bss
// zeroing and pages shared between segments included, copying the file's
// bytes into anonymous memory named after the program. [SetupStack] then maps
// the stack and lays out argc, argv, envp, the auxiliary vector and the
// strings exactly where Linux's exec puts them, so a guest sees the same
// initial stack as a native run under "setarch -R" (less the vDSO and rseq
// auxv entries gemu does not provide).
//
// Errors are one line, "PATH: MESSAGE", of type [*Error]; errors.Is tells the
// causes apart ([ErrNotELF], [Err32Bit], [ErrMachine], [ErrDynamic], ...),
// and host errors (missing file, permission denied) keep their errno.
// The headers are parsed here rather than by debug/elf, and every size is
// checked before use, so hostile files cost at most 64 KiB to reject.
//
// RATIONALE.md records the measurements and choices behind the layout.
package elf
