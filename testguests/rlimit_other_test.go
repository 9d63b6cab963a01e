// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

//go:build !unix

package testguests

// limitCore does nothing where there are no core files.
func limitCore() {}
