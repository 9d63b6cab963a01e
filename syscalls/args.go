package syscalls

// Args are a system call's six arguments (RDI, RSI, RDX, R10, R8, R9). The
// accessors are named after the C type the kernel declares, and truncate or
// sign-extend exactly as the kernel's SYSCALL_DEFINE wrappers do: an int
// argument uses the low 32 bits of its register.
type Args [6]uint64

// Int is a C int.
func (a *Args) Int(i int) int32 { return int32(a[i]) }

// Uint is a C unsigned int.
func (a *Args) Uint(i int) uint32 { return uint32(a[i]) }

// Long is a C long.
func (a *Args) Long(i int) int64 { return int64(a[i]) }

// Ulong is a C unsigned long.
func (a *Args) Ulong(i int) uint64 { return a[i] }

// Pointer is a user pointer.
func (a *Args) Pointer(i int) uint64 { return a[i] }

// SizeT is a size_t.
func (a *Args) SizeT(i int) uint64 { return a[i] }

// SSizeT is an ssize_t.
func (a *Args) SSizeT(i int) int64 { return int64(a[i]) }

// OffT is a loff_t/off_t.
func (a *Args) OffT(i int) int64 { return int64(a[i]) }

// ModeT is a umode_t.
func (a *Args) ModeT(i int) uint32 { return uint32(a[i]) }

// FD is a file descriptor (an int).
func (a *Args) FD(i int) int32 { return int32(a[i]) }

// PidT is a pid_t.
func (a *Args) PidT(i int) int32 { return int32(a[i]) }
