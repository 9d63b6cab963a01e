package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"
)

// ldPrefixEnv is read when -L is not given, as qemu-user reads
// QEMU_LD_PREFIX.
const ldPrefixEnv = "GEMU_LD_PREFIX"

// ldPrefix returns the -L directory (or $GEMU_LD_PREFIX's) made absolute
// and clean, as qemu canonicalises its prefix; "" when neither is set or
// the prefix is "/".
func ldPrefix(ctx *cli.Context) (string, error) {
	v := ctx.String("L")
	if !ctx.IsSet("L") {
		v = os.Getenv(ldPrefixEnv)
	}
	if v == "" {
		return "", nil
	}
	abs, err := filepath.Abs(v)
	if err != nil {
		return "", &usageError{msg: fmt.Sprintf("-L %q: %v", v, err)}
	}
	if abs == "/" {
		return "", nil
	}
	return abs, nil
}

// exePath is the program's absolute path with symbolic links resolved, as
// the kernel shows it in /proc/self/exe.
func exePath(program string) (string, error) {
	abs, err := filepath.Abs(program)
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real, nil
	}
	return abs, nil
}
