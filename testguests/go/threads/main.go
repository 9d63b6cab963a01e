// Copyright 2026 The gemu Authors. SPDX-License-Identifier: Apache-2.0

// Command threads is the Go guest for threads, signals and the runtime:
// goroutines, preemption, the garbage collector, timers, recovered nil
// dereferences, os/signal and panics. Usage: gothreads [TEST]; without
// TEST every test except panic runs. Output is deterministic.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"sort"
	"sync"
	"syscall"
	"time"
)

func channels() {
	// A pipeline of goroutines connected by channels, and a WaitGroup.
	src := make(chan int)
	sq := make(chan int)
	go func() {
		for i := 1; i <= 1000; i++ {
			src <- i
		}
		close(src)
	}()
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := range src {
				sq <- v * v
			}
		}()
	}
	go func() { wg.Wait(); close(sq) }()
	sum := 0
	for v := range sq {
		sum += v
	}
	var mu sync.Mutex
	counter := 0
	var wg2 sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			for i := 0; i < 1000; i++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
		}()
	}
	wg2.Wait()
	fmt.Printf("channels: sum of squares=%d counter=%d\n", sum, counter)
}

func preempt() {
	// Tight loops without function calls can only be stopped by
	// asynchronous preemption (a signal whose handler rewrites the
	// context). With GOMAXPROCS=4 and 6 spinners, the main goroutine only
	// runs again if the runtime preempts them.
	runtime.GOMAXPROCS(4)
	var stop sync.WaitGroup
	done := make(chan struct{})
	var spun [6]uint64
	for i := range spun {
		stop.Add(1)
		go func(i int) {
			defer stop.Done()
			x := uint64(i)
			for {
				for j := 0; j < 1e6; j++ {
					x = x*6364136223846793005 + 1442695040888963407
				}
				spun[i] = x
				select {
				case <-done:
					return
				default:
				}
			}
		}(i)
	}
	start := time.Now()
	time.Sleep(20 * time.Millisecond)
	close(done)
	stop.Wait()
	fmt.Printf("preempt: main ran again while 6 goroutines spun on 4 Ps (slept >= 20ms: %v)\n",
		time.Since(start) >= 20*time.Millisecond)
}

type node struct {
	next *node
	data [64]byte
}

func gc() {
	debug.SetGCPercent(10)
	var keep []*node
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < 200000; i++ {
		n := &node{}
		n.data[0] = byte(i)
		if i%100 == 0 {
			keep = append(keep, n)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	sum := 0
	for _, n := range keep {
		sum += int(n.data[0])
	}
	fmt.Printf("gc: kept=%d sum=%d collections-ran=%v\n", len(keep), sum, after.NumGC > before.NumGC)
}

func timers() {
	start := time.Now()
	time.Sleep(30 * time.Millisecond)
	slept := time.Since(start) >= 30*time.Millisecond
	t := time.NewTimer(10 * time.Millisecond)
	<-t.C
	var order []int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, d := range []int{30, 10, 20} {
		wg.Add(1)
		time.AfterFunc(time.Duration(d)*time.Millisecond, func() {
			mu.Lock()
			order = append(order, d)
			mu.Unlock()
			wg.Done()
		})
	}
	wg.Wait()
	tick := time.NewTicker(5 * time.Millisecond)
	for i := 0; i < 3; i++ {
		<-tick.C
	}
	tick.Stop()
	fmt.Printf("timers: slept=%v fired-in-order=%v ticks=3\n", slept, sort.IntsAreSorted(order))
}

type point struct{ x, y int }

//go:noinline
func deref(p *point) int { return p.x + p.y }

func nilderef() {
	recovered := ""
	func() {
		defer func() {
			if r := recover(); r != nil {
				recovered = fmt.Sprint(r)
			}
		}()
		var p *point
		deref(p)
	}()
	fmt.Printf("nilderef: recovered %q\n", recovered)
}

func signals() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGUSR1)
	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	select {
	case s := <-c:
		fmt.Printf("signals: received %v\n", s)
	case <-time.After(10 * time.Second):
		fmt.Println("signals: nothing received")
	}
	signal.Stop(c)
}

func panics() {
	fmt.Println("panic: about to panic")
	var m map[string]int
	m["x"] = 1 // panics: assignment to entry in nil map
}

func main() {
	tests := []struct {
		name string
		fn   func()
	}{{"channels", channels}, {"preempt", preempt}, {"gc", gc}, {"timers", timers},
		{"nilderef", nilderef}, {"signals", signals}}
	if len(os.Args) > 1 && os.Args[1] == "panic" {
		panics()
		return
	}
	for _, t := range tests {
		if len(os.Args) < 2 || os.Args[1] == t.name {
			t.fn()
		}
	}
}
