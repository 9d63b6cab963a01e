package hypertrace

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"gemu/mmu"
	"gemu/trace"
)

// BenchmarkTrapStore measures the channel's own share of one
// guest_hypertrace event: the two control stores handed straight to the
// tag hook (Channel.TrapStore, as the MMU calls it), with no TLB and no
// interpreter, and the event written by a sink that discards it ("log" to
// io.Discard, "simple" to /dev/null) or no sink at all ("none"). Compare
// with BenchmarkTrappedEvent, which adds the MMU's tagged-store path and a
// real trace file.
//
//	go test ./hypertrace/ -run '^$' -bench TrapStore -count 5
func BenchmarkTrapStore(b *testing.B) {
	for _, sink := range []string{"none", "log", "simple"} {
		for _, k := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/K=%d", sink, k), func(b *testing.B) {
				benchTrapStore(b, sink, k)
			})
		}
	}
}

func benchTrapStore(b *testing.B, sink string, k int) {
	dir := b.TempDir()
	var tr *trace.Tracer
	if sink != "none" {
		o := trace.Option{Pattern: eventName, Format: trace.FormatLog}
		if sink == "simple" {
			o = trace.Option{Pattern: eventName, File: os.DevNull, Format: trace.FormatSimple}
		}
		var err error
		tr, err = trace.New(trace.Config{PID: 77, Log: io.Discard, Options: []trace.Option{o}})
		if err != nil {
			b.Fatal(err)
		}
		defer tr.Close()
	}
	ch, err := Open(Config{Options: Options{Base: filepath.Join(dir, "ht"), MaxClients: 1, Args: k}, Tracer: tr, PID: 77})
	if err != nil {
		b.Fatal(err)
	}
	defer ch.Close()
	mem := mmu.NewSpace()
	defer mem.Close()
	control := benchMap(b, ch, mem, controlFileIndex, ch.Layout().ControlSize)
	arm := mmu.Store{Addr: control, Size: 8}
	fire := mmu.Store{Addr: control + ch.Layout().ControlSize/2, Size: 8}

	b.ReportAllocs()
	for i := uint64(0); b.Loop(); i++ {
		arm.Lo = i
		if err := ch.TrapStore(mem, &arm); err != nil {
			b.Fatal(err)
		}
		if err := ch.TrapStore(mem, &fire); err != nil {
			b.Fatal(err)
		}
	}
	if ch.Events() == 0 {
		b.Fatal("no event emitted")
	}
	if tr != nil {
		if err := tr.Flush(); err != nil {
			b.Fatal(err)
		}
	}
}
