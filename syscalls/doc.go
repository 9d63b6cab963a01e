// Package syscalls is gemu's Linux: the x86-64 system call table (number,
// name, handler), the guest fd table, errno translation, and the process
// state a system call can see. It reads and writes guest memory only through
// package mmu and sees a thread's registers only through the small Regs
// interface, so it never imports the interpreter.
//
// Layout: table.go holds the one table keyed by system call number (name,
// handler, and the -strace spec of each call); sys_<topic>.go the handlers
// (file, fs, rw, xfer, fd, fdkinds, poll, net, sockopt, mmap, mem, process,
// identity, sched, prctl, signal, time, info, futex, clone, fork, exec,
// wait, session); proctable.go the table of guest processes that every
// process of a run shares (pids, families, exits); args.go the
// argument accessors named after C types; memory.go the guest-memory
// helpers (every bad pointer is EFAULT, never a panic); blocking.go the one
// place host calls that can wait are made; fdtable.go the descriptor table;
// hostflags.go, errno.go, sockaddr.go and conv.go the guest↔host
// translations; procfs.go and procfs_dir.go the /proc entries that must
// describe the guest rather than gemu; prefix.go the -L rule; strace*.go
// the -strace formatter (Tracer); state.go the per-process timers, names
// and personality.
//
// Guest values are not host values: flags, struct layouts and errno come
// from internal/abi/linux and are translated explicitly where gemu calls the
// host through golang.org/x/sys/unix (arm64 hosts, for one, number several
// open flags differently and lay out struct stat differently).
//
// Descriptors: each guest fd owns one host descriptor, moved to at least
// hostFDBase and close-on-exec on the host; a guest dup is a host dup, so
// both share the open file description as on Linux. The guest's FD_CLOEXEC
// lives in the table. Numbers are allocated lowest-free under the guest's
// RLIMIT_NOFILE. Guest resource limits start as the host's and are the
// guest's own afterwards: setrlimit never changes gemu's host limits.
//
// Signals: dispositions, masks and the alternate stack are kept with the
// kernel's validation. A signal a process sends itself (kill, tgkill, tkill,
// SIGPIPE after EPIPE) whose action is the default Term or Core ends the
// process with Outcome Killed; a blocked one, or one with a guest handler,
// stays pending (signal frames are not built yet). Stop signals are ignored.
//
// Blocking calls (read, write, poll, sleeps, futex timeouts) run on the
// host without holding the process lock, and are resumed when the Go
// runtime's own signals interrupt them: the guest sees no EINTR it did not
// cause.
//
// Processes: fork, vfork and clone without CLONE_THREAD make a new guest
// process inside gemu (a copy-on-write copy of the address space, the
// descriptors shared as after Linux's fork, dispositions inherited) whose
// first thread the run loop starts through ProcessThread; execve loads the
// new image into a fresh address space and hands it to the run loop as an
// Exec outcome; wait4 and waitid park the caller until a child's end is
// reported by Process.Exited. See RATIONALE.md ("Processes").
package syscalls
