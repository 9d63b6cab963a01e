// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

//go:build unix

package testguests

import "syscall"

// limitCore keeps guests that die by a signal from writing core files into
// the run directories (children inherit the limit).
func limitCore() {
	_ = syscall.Setrlimit(syscall.RLIMIT_CORE, &syscall.Rlimit{Cur: 0, Max: 0})
}
