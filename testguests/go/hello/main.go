// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

// Command hello is the Go test guest: a statically linked Go program (its
// runtime starts threads with clone and parks them with futex) that prints
// a greeting and the results of a small deterministic computation.
package main

import (
	"fmt"
	"hash/fnv"
	"os"
	"sort"
	"strings"
)

func main() {
	fmt.Println("Hello from a Go guest!")

	// Sieve of Eratosthenes.
	const n = 100000
	composite := make([]bool, n)
	count, sum := 0, 0
	for i := 2; i < n; i++ {
		if composite[i] {
			continue
		}
		count++
		sum += i
		for j := i * i; j < n; j += i {
			composite[j] = true
		}
	}
	fmt.Printf("primes below %d: %d, sum %d\n", n, count, sum)

	// Maps, sorting and strings.
	words := strings.Fields("the quick brown fox jumps over the lazy dog the end")
	freq := map[string]int{}
	for _, w := range words {
		freq[w]++
	}
	keys := make([]string, 0, len(freq))
	for k := range freq {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%d ", k, freq[k])
	}
	fmt.Println(strings.TrimSpace(b.String()))

	h := fnv.New64a()
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(h, "%d:%x;", i, i*i)
	}
	fmt.Printf("fnv64a: %016x\n", h.Sum64())
	fmt.Printf("args: %d\n", len(os.Args)-1)
}
