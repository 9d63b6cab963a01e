// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

// Package testguests holds the programs gemu is tested with and the
// differential harness that runs them.
//
// The guests are small x86-64 Linux programs: C sources in c/, assembly in
// asm/ and a Go program in go/hello. Static builds of all of them are
// committed in bin/ (rebuilt with `make -C testguests`) so the tests run on
// any host. Each guest prints only what is the same on every run: no
// addresses, times, pids or random values.
//
// The harness (guests_test.go) builds gemu once, runs every guest natively
// and under gemu with the same arguments, environment and stdin, each in a
// fresh directory, and requires identical stdout and exit status. A guest
// killed by signal N counts as exit status 128+N. Where the host cannot run
// x86-64 Linux programs natively, the expected results come from the golden
// files in testdata/, which `go test ./testguests/ -update` rewrites from
// native runs on a linux/amd64 host. On linux/amd64 the C guests are also
// rebuilt from source with `gcc -static -O2` and `musl-gcc -static -O2`, and
// a few busybox applets are compared when /usr/bin/busybox is an x86-64
// static binary.
//
// This package has no non-test API; README.md describes each guest.
package testguests
