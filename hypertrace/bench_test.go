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
	dir := b.TempDir()
	var tr *trace.Tracer
	if format != "none" {
		f := trace.FormatLog
		if format == "simple" {
			f = trace.FormatSimple
		}
		var err error
		tr, err = trace.New(trace.Config{PID: 77, Options: []trace.Option{
			{Pattern: "guest_hypertrace", File: filepath.Join(dir, "trace"), Format: f}}})
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
