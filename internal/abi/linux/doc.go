// Package linux holds the guest's Linux x86-64 ABI: system call numbers,
// errno values, signal numbers, flag values and structure layouts, encoded
// little-endian explicitly. Nothing here depends on the host: these are
// guest values, translated to host ones only where gemu calls the host.
package linux
