package hypertrace

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"gemu/mmu"
	"gemu/trace"
	"golang.org/x/sys/unix"
)

// BenchmarkTrappedEvent measures one guest_hypertrace event without the
// interpreter: the guest's K-1 data stores and its two control stores go
// through an mmu.TLB into a Space that maps the channel as a guest does,
// so each op is the MMU's tagged-store slow path twice, TrapStore and the
// trace sink writing to a file. "none" has no sink (the channel alone).
//
//	go test ./hypertrace/ -run '^$' -bench TrappedEvent
func BenchmarkTrappedEvent(b *testing.B) {
	for _, format := range []string{"none", "log", "simple"} {
		for _, k := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/K=%d", format, k), func(b *testing.B) {
				benchEvent(b, format, k)
			})
		}
	}
}

func benchEvent(b *testing.B, format string, k int) {
	ch, tr, mem := benchChannel(b, format, k, filepath.Join(b.TempDir(), "trace"))
	if tr != nil {
		defer tr.Close()
	}
	defer ch.Close()
	defer mem.Close()
	tlb := mem.NewTLB(0)
	l := ch.Layout()
	data := benchMap(b, ch, mem, dataFileIndex, l.DataSize)
	control := benchMap(b, ch, mem, controlFileIndex, l.ControlSize)
	half2 := control + l.ControlSize/2

	b.ResetTimer()
	for i := range uint64(b.N) {
		for j := range uint64(k - 1) {
			if err := tlb.Write64(data+8*j, i+j+2); err != nil {
				b.Fatal(err)
			}
		}
		if err := tlb.Write64(control, i); err != nil {
			b.Fatal(err)
		}
		if err := tlb.Write64(half2, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if got := ch.Events(); got != uint64(b.N) {
		b.Fatalf("%d events, want %d", got, b.N)
	}
}

// BenchmarkTrapStore measures the channel's own share of one
// guest_hypertrace event: the two control stores handed straight to the
// tag hook (Channel.TrapStore, as the MMU calls it), with no TLB and no
// interpreter, and the event written by a sink that discards it ("log" and
// "simple" to /dev/null) or no sink at all ("none"). BenchmarkTrappedEvent
// adds the MMU's tagged-store path and a real trace file.
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
	ch, tr, mem := benchChannel(b, sink, k, os.DevNull)
	if tr != nil {
		defer tr.Close()
	}
	defer ch.Close()
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

// benchChannel opens a one-client channel with K arguments per event in a
// temporary directory, tracing to file in format ("log", "simple"; "none"
// for no tracer), and an empty address space to map it into.
func benchChannel(b *testing.B, format string, k int, file string) (*Channel, *trace.Tracer, *mmu.Space) {
	b.Helper()
	var tr *trace.Tracer
	if format != "none" {
		f := trace.FormatLog
		if format == "simple" {
			f = trace.FormatSimple
		}
		var err error
		tr, err = trace.New(trace.Config{PID: 77, Options: []trace.Option{
			{Pattern: eventName, File: file, Format: f}}})
		if err != nil {
			b.Fatal(err)
		}
	}
	ch, err := Open(Config{Options: Options{Base: filepath.Join(b.TempDir(), "ht"), MaxClients: 1, Args: k}, Tracer: tr, PID: 77})
	if err != nil {
		b.Fatal(err)
	}
	return ch, tr, mmu.NewSpace()
}

// benchMap maps channel file i MAP_SHARED read-write into mem through
// FilterMmap, as the syscall layer does, and returns its guest address.
func benchMap(b *testing.B, ch *Channel, mem *mmu.Space, i int, length uint64) uint64 {
	b.Helper()
	f, err := os.OpenFile(ch.Paths()[i], os.O_RDWR, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		b.Fatal(err)
	}
	m := mmu.Mapping{Length: length, Perm: mmu.PermRead | mmu.PermWrite, Shared: true, File: f, Writable: true}
	if err := ch.FilterMmap(uint64(st.Dev), uint64(st.Ino), &m); err != nil {
		b.Fatal(err)
	}
	a, err := mem.Map(m)
	if err != nil {
		b.Fatal(err)
	}
	return a
}
