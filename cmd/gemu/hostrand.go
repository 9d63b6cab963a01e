package main

import (
	"errors"

	"golang.org/x/sys/unix"
)

// hostRandom reads the host's getrandom(2), the source crypto/rand uses,
// without linking the crypto packages: their initialisation and the pages
// it touches were a measurable part of gemu's start-up.
type hostRandom struct{}

// Read fills p; it blocks only until the host's pool is initialised.
func (hostRandom) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := unix.Getrandom(p[n:], 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return n, err
		}
		n += m
	}
	return n, nil
}
