// Command gemu runs x86-64 Linux programs on any host Go supports.
//
//	gemu [options] program [args...]
//
// Options come before the program; everything after it goes to the guest
// untouched. The exit status is the guest's; a guest killed by a signal
// makes gemu print one line and exit with 128+signal.
package main

import (
	"os"
)

func main() {
	os.Exit(doMain(os.Args, os.Stdin, os.Stdout, os.Stderr))
}
