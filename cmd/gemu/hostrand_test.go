package main

import (
	"bytes"
	"io"
	"testing"
)

// TestHostRandom: the host source fills whole buffers, and two 32-byte
// reads differ (equal with probability 2^-256).
func TestHostRandom(t *testing.T) {
	var a, b [32]byte
	for _, p := range [][]byte{a[:], b[:]} {
		if n, err := io.ReadFull(hostRandom{}, p); n != len(p) || err != nil {
			t.Fatalf("ReadFull = %d, %v; want %d, nil", n, err, len(p))
		}
	}
	if bytes.Equal(a[:], b[:]) {
		t.Fatalf("two reads returned the same 32 bytes %x", a)
	}
	if n, err := (hostRandom{}).Read(nil); n != 0 || err != nil {
		t.Fatalf("Read(nil) = %d, %v; want 0, nil", n, err)
	}
}
