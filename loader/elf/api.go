package elf

// This file holds the types cmd/gemu is written against; Load and
// LoadReader are in load.go, SetupStack in stack.go.

// Image describes a program mapped into a Space.
type Image struct {
	Path  string // as given to Load
	Entry uint64 // first instruction (AT_ENTRY; relocated for ET_DYN)
	Base  uint64 // load bias: 0 for ET_EXEC, the chosen base for ET_DYN
	Phdr  uint64 // guest address of the program headers (AT_PHDR)
	Phent uint64 // AT_PHENT
	Phnum uint64 // AT_PHNUM
	// Brk is the initial program break: the page-aligned end of the highest
	// segment for ET_EXEC; StaticPIEBrk for a static PIE, as Linux does.
	Brk uint64
	// ExecStack: PT_GNU_STACK asks for an executable stack (PF_X).
	ExecStack bool
}

// Startup is what goes onto the initial stack.
type Startup struct {
	Args                 []string // argv; an empty one becomes [""] as on Linux
	Env                  []string
	ExecFn               string   // AT_EXECFN string (the path as given); Image.Path when empty
	Random               [16]byte // AT_RANDOM bytes
	HWCap                uint64   // AT_HWCAP (CPUID.1:EDX of the emulated CPU)
	HWCap2               uint64
	UID, EUID, GID, EGID uint64
	Secure               bool
}
