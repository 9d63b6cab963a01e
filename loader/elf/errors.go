package elf

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	goelf "debug/elf"
)

// Sentinel errors. Every error Load, LoadReader and SetupStack return is an
// *Error that wraps one of these (or, for files that cannot be opened or
// read, the host's os error), so callers tell the cases apart with errors.Is.
var (
	// ErrNotELF: the file does not start with the ELF magic (text, script, empty).
	ErrNotELF = errors.New("not an ELF file")
	// Err32Bit: an ELFCLASS32 file.
	Err32Bit = errors.New("32-bit ELF file; gemu runs only 64-bit x86-64 programs")
	// ErrBigEndian: an ELFDATA2MSB file.
	ErrBigEndian = errors.New("big-endian ELF file; gemu runs only little-endian x86-64 programs")
	// ErrMachine: e_machine is not EM_X86_64.
	ErrMachine = errors.New("ELF file for another machine, not x86-64")
	// ErrNotExecutable: e_type is neither ET_EXEC nor ET_DYN (objects, core dumps).
	ErrNotExecutable = errors.New("not an executable")
	// ErrCorrupt: headers or segments lie beyond the end of the file or are
	// inconsistent.
	ErrCorrupt = errors.New("truncated or corrupt ELF file")
	// ErrAlignment: a PT_LOAD segment's p_vaddr and p_offset are not congruent
	// modulo the page size or p_align.
	ErrAlignment = errors.New("misaligned ELF segment")
	// ErrDynamic: the program names an interpreter (PT_INTERP).
	ErrDynamic = errors.New("dynamically linked; gemu does not support dynamic programs yet")
	// ErrNoLoad: the program has no PT_LOAD segment.
	ErrNoLoad = errors.New("no loadable segments (PT_LOAD)")
	// ErrOverlap: two PT_LOAD segments cover the same bytes.
	ErrOverlap = errors.New("ELF segments overlap")
	// ErrAddressRange: a segment, the entry point or the whole image lies
	// outside the user address space.
	ErrAddressRange = errors.New("ELF image lies outside the user address space")
	// ErrNotRegular: the path names a directory, device, FIFO or socket.
	ErrNotRegular = errors.New("not a regular file")
	// ErrArgListTooLong: argv, envp and the program name exceed Linux's
	// limits (execve's E2BIG).
	ErrArgListTooLong = errors.New("argument list too long")
)

// Error is the error type of this package: one line, "PATH: MESSAGE", so the
// CLI prints it as "gemu: " + err.Error().
type Error struct {
	Path   string // the program's path as given (empty when not known)
	Err    error  // a sentinel above, an mmu error, or a host os error
	Detail string // the message; Err's text when empty
}

func (e *Error) Error() string {
	msg := e.Detail
	if msg == "" && e.Err != nil {
		msg = oneLine(e.Err.Error())
	}
	if e.Path == "" {
		return msg
	}
	return printable(e.Path) + ": " + msg
}

func (e *Error) Unwrap() error { return e.Err }

// fail builds an *Error without a path (Load adds it).
func fail(kind error, format string, args ...any) *Error {
	return &Error{Err: kind, Detail: fmt.Sprintf(format, args...)}
}

// withPath returns err with the program path attached.
func withPath(err error, path string) error {
	var e *Error
	if errors.As(err, &e) {
		if e.Path == "" {
			e.Path = path
		}
		return e
	}
	return &Error{Path: path, Err: err}
}

// printable returns s unchanged when it is printable text on one line, and
// Go-quoted otherwise, so hostile names cannot break the one-line rule.
func printable(s string) string {
	if !utf8.ValidString(s) {
		return strconv.Quote(s)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return strconv.Quote(s)
		}
	}
	return s
}

// oneLine keeps a foreign error message (os, mmu) on one line.
func oneLine(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' || s[i] == '\r' {
			return strconv.Quote(s)
		}
	}
	return s
}

// machineNames names the machines people most often try to run by mistake.
var machineNames = map[goelf.Machine]string{
	goelf.EM_NONE:      "no machine (EM_NONE)",
	goelf.EM_SPARC:     "SPARC",
	goelf.EM_386:       "Intel 80386",
	goelf.EM_68K:       "Motorola 68000",
	goelf.EM_MIPS:      "MIPS",
	goelf.EM_PARISC:    "PA-RISC",
	goelf.EM_PPC:       "PowerPC",
	goelf.EM_PPC64:     "PowerPC64",
	goelf.EM_S390:      "IBM S/390",
	goelf.EM_ARM:       "ARM",
	goelf.EM_SH:        "SuperH",
	goelf.EM_SPARCV9:   "SPARC V9",
	goelf.EM_IA_64:     "IA-64",
	goelf.EM_X86_64:    "x86-64",
	goelf.EM_AARCH64:   "AArch64",
	goelf.EM_RISCV:     "RISC-V",
	goelf.EM_BPF:       "eBPF",
	goelf.EM_LOONGARCH: "LoongArch",
}

func machineName(m goelf.Machine) string {
	if n, ok := machineNames[m]; ok {
		return n
	}
	// debug/elf names the other registered machines; for unknown numbers
	// it prints a misleading "EM_X+N", so only the number is shown then.
	if name := m.String(); !strings.ContainsAny(name, "+(") {
		return fmt.Sprintf("machine %d (%s)", uint16(m), name)
	}
	return fmt.Sprintf("machine %d", uint16(m))
}
