// Package mmu is the guest address space of gemu: 4 KiB pages with
// read/write/execute permissions, typed loads and stores that return a fault
// value instead of panicking, page tags whose write-trap hook runs before a
// store lands, a per-CPU software TLB, and the mmap/munmap/mprotect/mremap/brk
// bookkeeping of a Linux process.
//
// The package knows nothing of x86, Linux system call numbers or hypertrace;
// callers translate guest flags into [Mapping] values and [Fault] values into
// guest signals.
//
// # Model
//
// A [Space] holds a sorted list of mappings (VMAs), which is the source of
// truth, and a radix page table holding only the pages touched so far.
// Anonymous pages appear zero-filled on first touch, private file pages are
// read from the file then (pread on the Space's own duplicate of the
// descriptor), and shared file mappings are host mmaps of the file, so other
// processes see the guest's stores. A file page wholly beyond the end of its
// file faults with FaultBus.
//
// Permissions follow x86 hardware: write or execute permission implies read
// (Linux cannot map a page write-only, nor execute-only without protection
// keys, which gemu does not offer).
//
// Every access checks the whole access before changing anything: a store
// that crosses into a page it may not write, or that a tag handler refuses,
// leaves memory unchanged. Any uint64 address is accepted; addresses at or
// above [UserTop] are never mapped and fault as FaultUnmapped.
//
// # TLB
//
// A [TLB] caches page pointers for one vCPU. Its Read8..Read64 and
// Write8..Write64 methods inline into the caller; the write side only holds
// pages a store can hit with no check (writable, untagged, not code-marked).
// Every change to mappings, permissions, tags or code marks flushes the
// registered TLBs, so a stale entry is never used.
//
// # Code marks
//
// [Space.MarkCode] marks a page that was translated as code. A store into it
// (through a TLB, WriteAt or Poke) clears the mark and then calls
// [CodeObserver.CodeChanged] after the bytes have landed and before the store
// call returns, so re-translation sees the new bytes. Unmap, Protect, Remap
// and Advise of a marked page also clear the mark and notify, once the
// change is complete.
//
// # Fork
//
// [Space.Clone] copies an address space for a forked process: private pages
// become copy-on-write in both spaces (the pteCOW page flag: such a page
// never enters a TLB's write side, and the first store copies it), shared
// pages stay shared. Host resources (file descriptors, host mmaps) are
// reference-counted across spaces.
//
// # Concurrency
//
// A Space and its TLBs are not safe for concurrent use: gemu runs one guest
// thread at a time per address space and the caller serialises every call.
// Spaces made by Clone share page data, which the guests of one run access
// one thread at a time too; the shared host references are atomic, so a
// space may be closed while another is in use.
package mmu
