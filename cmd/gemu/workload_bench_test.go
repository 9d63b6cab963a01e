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

// BenchmarkStartup runs testguests/bin/hello in process: the part of
// gemu's start-up after package initialisation (parsing the command line,
// loading the program, translating and running 1 363 guest instructions,
// exiting). Its B/op is the heap a run grows by, which costs page faults in
// a fresh process; bench/startup.sh measures the whole process.
//
//	go test ./cmd/gemu/ -run '^$' -bench Startup -benchmem
func BenchmarkStartup(b *testing.B) {
	bin := filepath.Join("..", "..", "testguests", "bin", "hello")
	if _, err := os.Stat(bin); err != nil {
		b.Fatalf("guest missing (make -C testguests): %v", err)
	}
	dir := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		if status := doMainQuiet(b, dir, bin); status != 0 {
			b.Fatalf("gemu exited with status %d", status)
		}
	}
}
