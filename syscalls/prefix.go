package syscalls

import (
	"golang.org/x/sys/unix"
)

// The -L prefix (GEMU_LD_PREFIX), qemu-user's rule: an absolute guest path
// P is looked up as PREFIX+P when that exists on the host (access F_OK,
// which follows symlinks), else as P itself. Relative paths and *at paths
// relative to a directory descriptor are never rewritten, and a prefix of
// "" or "/" means no prefix.
//
// Like qemu, gemu applies the rule to the calls that look a path up to use
// what is there: open, openat, openat2, creat, stat, lstat, newfstatat,
// statx, access, faccessat, faccessat2, readlink, readlinkat, statfs (and
// execve and the ELF interpreter once they exist). Calls that create,
// remove or rename names act on the host path, so a guest never changes
// the prefix tree by accident. Unlike qemu, gemu does not cache the
// answers: a file created under the prefix later is found.

// PrefixPath applies the -L rule to path. prefix must be absolute and
// clean (cmd/gemu canonicalises it); "" and "/" disable the rule.
func PrefixPath(prefix, path string) string {
	if prefix == "" || prefix == "/" || path == "" || path[0] != '/' {
		return path
	}
	full := prefix + path
	if err := unix.Access(full, unix.F_OK); err != nil {
		return path
	}
	return full
}

// prefixed applies the process's -L prefix to a guest path.
func (c *call) prefixed(path string) string {
	return PrefixPath(c.p.cfg.Prefix, path)
}
