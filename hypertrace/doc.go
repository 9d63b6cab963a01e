// Package hypertrace implements gemu's guest-to-emulator trace channel.
//
// At start gemu creates three files, PATH-config, PATH-data and
// PATH-control. A guest maps them; to emit one event, client c writes its
// argument words into its slot of the data file, stores arg1 into
// half1[c] of the control mapping (phase 1: the client is armed) and then
// stores any value into half2[c] (phase 2: gemu emits
// guest_hypertrace(cpu, arg1, arg2..argK) and disarms the client).
//
// The control pages carry an mmu.Tag: a guest store into them calls
// TrapStore inside gemu before it lands — a synthetic fault, with no host
// signal and no mprotect. State is kept per client, so concurrent clients
// never lose events. Stores that do not follow the protocol land in memory
// and emit nothing; with -d guest_errors they are reported.
//
// The package knows the MMU's tag hook and the trace package's Tracer, and
// nothing of x86 or ELF.
package hypertrace
