package syscalls

// This file pins the API that emu and cmd/gemu are written against. The
// bodies of Process's methods are placeholders for the real implementation.

import (
	"io"
	"os"

	"gemu/internal/abi/linux"
	"gemu/mmu"
)

// General-purpose register numbers, in x86 encoding order.
const (
	RAX = iota
	RCX
	RDX
	RBX
	RSP
	RBP
	RSI
	RDI
	R8
	R9
	R10
	R11
	R12
	R13
	R14
	R15
)

// Regs is what the syscall layer sees of a guest thread's CPU. *emu.CPU
// implements it; tests use a plain struct.
type Regs interface {
	Reg(n int) uint64
	SetReg(n int, v uint64)
	PC() uint64
	SetPC(pc uint64)
	Flags() uint64
	SetFlags(f uint64)
	FSBase() uint64
	SetFSBase(v uint64)
	GSBase() uint64
	SetGSBase(v uint64)
	// CPU is the vCPU index of the thread.
	CPU() int
}

// OutcomeKind says what the thread does after a system call.
type OutcomeKind uint8

const (
	Continue   OutcomeKind = iota // resume at the next instruction
	ExitThread                    // exit(2): this thread ends
	ExitGroup                     // exit_group(2): the whole process ends
	Killed                        // a signal's default action ended the whole process
	Exec                          // execve succeeded: the thread runs Outcome.Exec's image
)

// Outcome is the result of one system call for the run loop.
type Outcome struct {
	Kind   OutcomeKind
	Status int // exit status for ExitThread/ExitGroup
	// Signal ended the process (Killed); the CLI exits 128+Signal.
	Signal linux.Signal
	// Core says the signal's default action dumps core (Killed only; gemu
	// writes no core file, the flag is for reports and wait statuses).
	Core bool
	// Exec is the image execve loaded (Exec only).
	Exec *ExecImage
}

// ExecImage is a program execve loaded: the run loop switches the process
// to Mem (closing the old space once no thread uses it), ends the
// process's other threads, and starts the calling thread at Entry with
// every register zero but RSP = SP.
type ExecImage struct {
	Mem       *mmu.Space
	Entry, SP uint64
	// Commit applies exec to the process (close-on-exec descriptors,
	// signal dispositions, names, the new space for system calls); the
	// run loop calls it once the process's other threads are gone.
	Commit func()
}

// Config is the process's environment as the CLI set it up.
type Config struct {
	// Stdin, Stdout, Stderr become guest fds 0, 1 and 2 (gemu dups them).
	Stdin, Stdout, Stderr *os.File
	// Log receives -d reports (stderr or the -D file). Never nil.
	Log io.Writer
	// Unimp reports each unimplemented system call once on Log (-d unimp).
	Unimp bool
	// Exe is the absolute host path of the guest program (/proc/self/exe),
	// symbolic links resolved as the kernel resolves them.
	Exe string
	// Comm is the process's initial name (/proc/self/comm): the last
	// component of the path the program was started by, as Linux takes it
	// from execve's filename. "" means the last component of Exe.
	Comm string
	Args []string // guest argv (for /proc/self/cmdline)
	Env  []string // guest envp (for /proc/self/environ)
	// Auxv is the auxiliary vector as written on the guest stack (for
	// /proc/self/auxv), pairs of little-endian u64 ending with AT_NULL.
	Auxv []byte
	// StackStart is the initial stack pointer (/proc/self/stat's
	// startstack).
	StackStart uint64
	// MmapFilters see every guest mapping of a host file before it is made.
	MmapFilters []MmapFilter
	// Clock is the guest's time (virtual under -icount); nil means the
	// host's clocks.
	Clock Clock
	// Random, when set, supplies getrandom's bytes (a seeded generator
	// under -seed makes runs reproducible); nil means the host's.
	Random io.Reader
	// PID, when non-zero, is the guest's process id instead of gemu's host
	// pid (deterministic runs use a fixed one).
	PID int
	// Strace receives one line per system call in strace's format when the
	// process runs under a Tracer (-strace); nil: Log.
	Strace io.Writer
	// Prefix is the -L directory: an absolute guest path that exists under
	// it is looked up there first, as qemu-user does (see PrefixPath).
	Prefix string
}

// MmapFilter takes part in guest mmap of particular host files (hypertrace
// validates and tags its control file this way).
type MmapFilter interface {
	// FilterMmap is called with the host file's device and inode and the
	// mapping about to be made; it may change the mapping (e.g. set a Tag)
	// or refuse it with an mmu error (mmu.ErrInvalid becomes EINVAL).
	FilterMmap(dev, ino uint64, m *mmu.Mapping) error
}
