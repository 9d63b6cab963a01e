package main

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkWorkload runs each bench/ workload under gemu, in process, once
// per iteration, with a fixed size: the target for `-cpuprofile` when
// looking for what the interpreter spends its time on.
//
//	go test ./cmd/gemu/ -run '^$' -bench Workload/coremark -benchtime 3x -cpuprofile cpu.out
func BenchmarkWorkload(b *testing.B) {
	workloads := []struct{ name, arg string }{
		{"inthash", "40"}, {"sort", "3"}, {"strings", "60"},
		{"nbody", "50000"}, {"coremark", "2000"}, {"shasort", "5"},
	}
	for _, w := range workloads {
		b.Run(w.name, func(b *testing.B) {
			bin := filepath.Join("..", "..", "bench", "bin", w.name)
			if _, err := os.Stat(bin); err != nil {
				b.Fatalf("committed workload missing (make -C bench): %v", err)
			}
			dir := b.TempDir()
			for b.Loop() {
				if status := doMainQuiet(b, dir, bin, w.arg); status != 0 {
					b.Fatalf("gemu exited with status %d", status)
				}
			}
		})
	}
}
