package mmu

// This file pins the exported types of package mmu: the contract the rest
// of gemu is written against. The Space and TLB methods live in space.go,
// mmap.go, access.go, brk.go and tlb.go.

import (
	"errors"
	"os"
)

// Page geometry.
const (
	PageShift = 12
	PageSize  = 1 << PageShift
	PageMask  = PageSize - 1
)

// Linux x86-64 user address-space layout without randomisation.
const (
	// UserTop is one past the highest user address (TASK_SIZE).
	UserTop uint64 = 0x7ffffffff000
	// MmapTop is where top-down mmap placement starts (below the stack gap).
	MmapTop uint64 = 0x7ffff7fff000
	// MinAddr is the lowest mappable address (vm.mmap_min_addr).
	MinAddr uint64 = 0x10000
)

// Perm is a set of page permissions. The bit values equal PROT_READ,
// PROT_WRITE and PROT_EXEC.
type Perm uint8

const (
	PermRead Perm = 1 << iota
	PermWrite
	PermExec
	PermNone Perm = 0
)

// Access is the kind of access that faulted.
type Access uint8

const (
	AccessRead Access = iota
	AccessWrite
	AccessExec
)

// FaultKind says why an access faulted.
type FaultKind uint8

const (
	// FaultUnmapped: no mapping covers the address (SIGSEGV, SEGV_MAPERR).
	FaultUnmapped FaultKind = iota + 1
	// FaultProtection: the mapping forbids the access (SIGSEGV, SEGV_ACCERR).
	FaultProtection
	// FaultBus: a file-backed page lies wholly beyond the end of its file
	// (SIGBUS, BUS_ADRERR).
	FaultBus
)

// Fault is the value every faulting access returns (as an error).
type Fault struct {
	Addr   uint64 // first faulting byte
	Access Access
	Kind   FaultKind
}

// Errors of the mapping operations; the syscall layer maps them to errno.
var (
	ErrInvalid  = errors.New("mmu: invalid argument")             // EINVAL
	ErrNoMemory = errors.New("mmu: no room in the address space") // ENOMEM
	ErrExists   = errors.New("mmu: range already mapped")         // EEXIST
	ErrAccess   = errors.New("mmu: permission denied by backing") // EACCES
	ErrFault    = errors.New("mmu: old range not mapped")         // EFAULT (Remap)
	ErrPerm     = errors.New("mmu: address below MinAddr")        // EPERM (fixed Map below MinAddr)
	ErrNoDevice = errors.New("mmu: file cannot be mapped")        // ENODEV (pipe, socket, directory)
	ErrTooLong  = errors.New("mmu: string too long")              // ENAMETOOLONG (ReadCString)
)

// Mapping describes one mmap request.
type Mapping struct {
	Addr      uint64 // hint, or the exact address with Fixed/NoReplace
	Length    uint64 // bytes; rounded up to pages; 0 is ErrInvalid
	Perm      Perm
	Fixed     bool // MAP_FIXED: replace whatever is mapped there
	NoReplace bool // MAP_FIXED_NOREPLACE: ErrExists if anything is mapped there
	Shared    bool // MAP_SHARED
	// File backs the mapping when non-nil. The Space keeps its own
	// reference (it dups the descriptor); the caller may close File.
	// Private mappings copy the file's bytes on first touch; shared ones are a
	// host mmap(MAP_SHARED) of the file, so other processes see the stores.
	File     *os.File
	Offset   uint64 // file offset, page aligned
	Writable bool   // the file was opened for writing (a shared mapping may then get PermWrite)
	Name     string // shown in /proc/self/maps: a path, "[stack]", "[heap]"...
	Tag      Tag    // optional tag on every page of the mapping
}

// Region is one line of /proc/self/maps.
type Region struct {
	Start, End uint64
	Perm       Perm
	Shared     bool
	Offset     uint64
	Dev, Inode uint64
	Name       string
}

// Store is what a tag handler sees of a guest store into a tagged page.
type Store struct {
	Addr   uint64
	Size   int    // 1, 2, 4, 8 or 16
	Lo, Hi uint64 // the value, little-endian; Hi only for 16-byte stores
	CPU    int    // the vCPU index of the storing TLB
}

// Tag marks pages whose stores must be seen before they land.
type Tag interface {
	// TrapStore runs before the store lands. Returning nil lets it land;
	// returning a *Fault aborts the store and the instruction faults.
	TrapStore(s *Space, st *Store) error
}

// CodeObserver learns when bytes that were translated as code change.
type CodeObserver interface {
	// CodeChanged reports that guest pages in [start, end) marked with
	// MarkCode were written, unmapped or re-protected; their marks are
	// cleared before the call.
	CodeChanged(start, end uint64)
}

// RemapFlags are the mremap flags.
type RemapFlags uint8

const (
	RemapMayMove RemapFlags = 1 << iota
	RemapFixed
	RemapDontUnmap
)

// Advice is an madvise advice gemu acts on; others are no-ops for callers.
type Advice uint8

const (
	AdviceDontNeed Advice = iota + 1 // private anonymous pages read back as zero
)
