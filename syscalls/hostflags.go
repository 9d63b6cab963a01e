package syscalls

import (
	"runtime"

	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
)

// Translation of guest (x86-64) flag values into host ones. The access mode
// (the low two bits) is the same everywhere; every other bit is mapped one
// by one because arm64 and others place O_DIRECTORY, O_NOFOLLOW, O_DIRECT
// and O_LARGEFILE elsewhere.

type flagPair struct{ guest, host int }

var openFlagPairs = [...]flagPair{
	{linux.O_CREAT, unix.O_CREAT},
	{linux.O_EXCL, unix.O_EXCL},
	{linux.O_NOCTTY, unix.O_NOCTTY},
	{linux.O_TRUNC, unix.O_TRUNC},
	{linux.O_APPEND, unix.O_APPEND},
	{linux.O_NONBLOCK, unix.O_NONBLOCK},
	{linux.O_DSYNC, unix.O_DSYNC},
	{linux.O_ASYNC, unix.O_ASYNC},
	{linux.O_DIRECT, unix.O_DIRECT},
	{linux.O_DIRECTORY, unix.O_DIRECTORY},
	{linux.O_NOFOLLOW, unix.O_NOFOLLOW},
	{linux.O_NOATIME, unix.O_NOATIME},
	{linux.O_CLOEXEC, unix.O_CLOEXEC},
	{linux.O__SYNC, unix.O_SYNC &^ unix.O_DSYNC},
	{linux.O_PATH, unix.O_PATH},
	{linux.O__TMPFILE, unix.O_TMPFILE &^ unix.O_DIRECTORY},
}

// hostLargefile is the host's raw O_LARGEFILE bit, which x/sys reports as 0
// on 64-bit hosts but F_GETFL returns (the kernel forces it on 64-bit opens).
func hostLargefile() int {
	switch runtime.GOARCH {
	case "arm64", "arm":
		return 0o400000
	case "ppc64", "ppc64le":
		return 0o200000
	case "mips", "mipsle", "mips64", "mips64le":
		return 0x2000
	}
	return 0o100000 // asm-generic, x86
}

// hostOpenFlags translates guest open/fcntl flags; unknown bits are dropped
// (open(2) ignores them too).
func hostOpenFlags(g int) int {
	h := g & linux.O_ACCMODE
	for _, p := range openFlagPairs {
		if g&p.guest != 0 {
			h |= p.host
		}
	}
	return h
}

// guestOpenFlags translates host F_GETFL flags back.
func guestOpenFlags(h int) int {
	g := h & unix.O_ACCMODE
	for _, p := range openFlagPairs {
		if p.host != 0 && h&p.host == p.host {
			g |= p.guest
		}
	}
	if lf := hostLargefile(); h&lf != 0 {
		g |= linux.O_LARGEFILE
	}
	return g
}

var atFlagPairs = [...]flagPair{
	{linux.AT_SYMLINK_NOFOLLOW, unix.AT_SYMLINK_NOFOLLOW},
	{linux.AT_SYMLINK_FOLLOW, unix.AT_SYMLINK_FOLLOW},
	{linux.AT_NO_AUTOMOUNT, unix.AT_NO_AUTOMOUNT},
	{linux.AT_EMPTY_PATH, unix.AT_EMPTY_PATH},
	{linux.AT_STATX_FORCE_SYNC, unix.AT_STATX_FORCE_SYNC},
	{linux.AT_STATX_DONT_SYNC, unix.AT_STATX_DONT_SYNC},
}

// hostAtFlags translates *at flags; AT_EACCESS and AT_REMOVEDIR share a
// value and are translated by their callers.
func hostAtFlags(g int) int {
	h := 0
	for _, p := range atFlagPairs {
		if g&p.guest != 0 {
			h |= p.host
		}
	}
	return h
}

// hostSignal translates a guest signal number for a host kill; the numbers
// agree on x86-64 and the asm-generic architectures (arm64, riscv64, ...).
func hostSignal(s linux.Signal) unix.Signal { return unix.Signal(s) }
