// Copyright 2026 The gemu Authors. SPDX-License-Identifier: Apache-2.0

// Command shasort is a gemu benchmark guest: it hashes generated buffers
// with crypto/sha256 and sorts slices of integers and strings, then prints
// a digest of everything it computed.
//
//	shasort [ROUNDS]     (default 20)
package main

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
)

func main() {
	rounds := 20
	if len(os.Args) > 1 {
		n, err := strconv.Atoi(os.Args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, "shasort: bad ROUNDS:", err)
			os.Exit(2)
		}
		rounds = n
	}
	buf := make([]byte, 64<<10)
	ints := make([]int, 20000)
	strs := make([]string, 4000)
	x := uint64(88172645463325252)
	next := func() uint64 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		return x
	}
	total := sha256.New()
	for r := 0; r < rounds; r++ {
		for i := 0; i+8 <= len(buf); i += 8 {
			binary.LittleEndian.PutUint64(buf[i:], next())
		}
		sum := sha256.Sum256(buf)
		total.Write(sum[:])
		for i := range ints {
			ints[i] = int(next() % 1000000)
		}
		sort.Ints(ints)
		for i := range strs {
			strs[i] = strconv.FormatUint(next()%100000, 36)
		}
		slices.Sort(strs)
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], uint64(ints[len(ints)/2]))
		total.Write(b[:])
		total.Write([]byte(strs[len(strs)/3]))
	}
	fmt.Printf("shasort %d rounds: %x\n", rounds, total.Sum(nil)[:8])
}
