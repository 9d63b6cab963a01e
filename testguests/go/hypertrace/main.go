// Copyright 2026 The gemu Authors. SPDX-License-Identifier: Apache-2.0

// Command hypertrace is the Go guest of the hypertrace channel: it opens
// the channel with the pure-Go guest library and emits, from one goroutine
// per client, N events each (arg1 = client<<32 | i, arg2 = i*3, arg3 =
// ^arg1 when K allows). Usage: gohypertrace BASE [N].
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"

	"gemu/hypertrace/guest"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: gohypertrace BASE [N]")
		os.Exit(2)
	}
	n := 1000
	if len(os.Args) > 2 {
		n, _ = strconv.Atoi(os.Args[2])
	}
	ch, err := guest.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "gohypertrace:", err)
		os.Exit(1)
	}
	defer ch.Close()
	k := ch.NumArgs()
	var wg sync.WaitGroup
	for c := uint64(0); c < ch.MaxClients(); c++ {
		wg.Add(1)
		go func(c uint64) {
			defer wg.Done()
			for i := 0; i < n; i++ {
				a1 := c<<32 | uint64(i)
				args := []uint64{uint64(i) * 3, ^a1}
				if uint64(len(args)) > k-1 {
					args = args[:k-1]
				}
				if err := ch.Emit(c, a1, args...); err != nil {
					fmt.Fprintln(os.Stderr, "gohypertrace:", err)
					os.Exit(1)
				}
			}
		}(c)
	}
	wg.Wait()
	fmt.Printf("gohypertrace: %d clients x %d events, %d args\n", ch.MaxClients(), n, k)
}
