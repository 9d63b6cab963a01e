package hypertrace

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gemu/mmu"
	"gemu/trace"
	"golang.org/x/sys/unix"
)

func TestParseOptions(t *testing.T) {
	good := map[string]Options{
		"/tmp/ht":                    {Base: "/tmp/ht", MaxClients: 1, Args: 1},
		"base=/tmp/ht,max-clients=4": {Base: "/tmp/ht", MaxClients: 4, Args: 1},
		"path=/x,args=8":             {Base: "/x", MaxClients: 1, Args: 8},
		"/x,max-clients=2,args=64":   {Base: "/x", MaxClients: 2, Args: 64},
	}
	for in, want := range good {
		got, err := ParseOptions(in)
		if err != nil || got != want {
			t.Errorf("ParseOptions(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	bad := map[string]string{
		"":                 "empty value",
		"max-clients=2":    "no path given",
		"/x,max-clients=0": `max-clients="0"`,
		"/x,args=0":        `args="0"`,
		"/x,args=65":       `args="65"`,
		"/x,args=two":      `args="two"`,
		"/x,colour=red":    `unknown key "colour"`,
		"/x,4":             `"4": expected key=value`,
		"base=":            "empty path",
	}
	for in, want := range bad {
		_, err := ParseOptions(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseOptions(%q) error = %v, want one containing %q", in, err, want)
		}
	}
}

func TestLayout(t *testing.T) {
	// DESIGN.md: control_size = 2 × align_up(8N, page); data_size =
	// align_up(8KN, page); client_data_size = 8K.
	cases := []struct {
		n, k                     int
		control, data, perClient uint64
	}{
		{1, 1, 8192, 4096, 8},
		{4, 8, 8192, 4096, 64},
		{512, 1, 8192, 4096, 8},
		{513, 1, 16384, 8192, 8},
		{64, 64, 8192, 32768, 512},
	}
	for _, c := range cases {
		l := LayoutOf(Options{MaxClients: c.n, Args: c.k})
		if l.ControlSize != c.control || l.DataSize != c.data || l.ClientDataSize != c.perClient {
			t.Errorf("N=%d K=%d: %+v", c.n, c.k, l)
		}
	}
}

// env is a channel with a log tracer and a guest address space mapping
// the three files like a guest would.
type env struct {
	t       *testing.T
	ch      *Channel
	tr      *trace.Tracer
	log     *bytes.Buffer
	errs    *bytes.Buffer
	mem     *mmu.Space
	tlb     *mmu.TLB
	control uint64 // guest address of the control mapping
	data    uint64 // guest address of the data mapping
	config  uint64
}

func newEnv(t *testing.T, n, k int) *env {
	t.Helper()
	e := &env{t: t, log: &bytes.Buffer{}, errs: &bytes.Buffer{}}
	tr, err := trace.New(trace.Config{Options: []trace.Option{{Pattern: "*"}}, Log: e.log, PID: 77,
		Clock: func() (int64, int64) { return 1e9, 1e9 }})
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(t.TempDir(), "ht")
	e.ch, err = Open(Config{Options: Options{Base: base, MaxClients: n, Args: k}, Tracer: tr, PID: 77,
		Log: e.errs, GuestErrors: true})
	if err != nil {
		t.Fatal(err)
	}
	e.tr = tr
	t.Cleanup(func() { e.ch.Close(); tr.Close() })
	e.mem = mmu.NewSpace()
	t.Cleanup(func() { e.mem.Close() })
	e.tlb = e.mem.NewTLB(3)
	e.config = e.mapFile(0, pageSize)
	e.data = e.mapFile(1, e.ch.Layout().DataSize)
	e.control = e.mapFile(2, e.ch.Layout().ControlSize)
	return e
}

// mapFile maps channel file i MAP_SHARED read-write through FilterMmap,
// as the syscall layer does.
func (e *env) mapFile(i int, length uint64) uint64 {
	e.t.Helper()
	f, err := os.OpenFile(e.ch.Paths()[i], os.O_RDWR, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	defer f.Close()
	m := mmu.Mapping{Length: length, Perm: mmu.PermRead | mmu.PermWrite, Shared: true, File: f, Writable: true}
	if err := e.filter(f, &m); err != nil {
		e.t.Fatal(err)
	}
	a, err := e.mem.Map(m)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

func (e *env) filter(f *os.File, m *mmu.Mapping) error {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		e.t.Fatal(err)
	}
	return e.ch.FilterMmap(uint64(st.Dev), uint64(st.Ino), m)
}

func (e *env) store(addr uint64, size int, v uint64) {
	e.t.Helper()
	var err error
	switch size {
	case 1:
		err = e.tlb.Write8(addr, v)
	case 2:
		err = e.tlb.Write16(addr, v)
	case 4:
		err = e.tlb.Write32(addr, v)
	default:
		err = e.tlb.Write64(addr, v)
	}
	if err != nil {
		e.t.Fatal(err)
	}
}

// event runs the guest side of the protocol for client c.
func (e *env) event(c int, args ...uint64) {
	l := e.ch.Layout()
	for i, a := range args[1:] {
		e.store(e.data+uint64(c)*l.ClientDataSize+8*uint64(i), 8, a)
	}
	e.store(e.control+8*uint64(c), 8, args[0])
	e.store(e.control+l.ControlSize/2+8*uint64(c), 8, 0)
}

func (e *env) lines() []string {
	if err := e.tr.Flush(); err != nil {
		e.t.Fatal(err)
	}
	s := strings.TrimSuffix(e.log.String(), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func TestConfigPage(t *testing.T) {
	e := newEnv(t, 4, 8)
	var got [5]uint64
	for i := range got {
		v, err := e.tlb.Read64(e.config + 8*uint64(i))
		if err != nil {
			t.Fatal(err)
		}
		got[i] = v
	}
	if got != [5]uint64{4, 8, 64, 8192, 4096} {
		t.Errorf("config words = %v", got)
	}
	for _, p := range e.ch.Paths() {
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 || !fi.Mode().IsRegular() {
			t.Errorf("%s mode %v, want regular 0600", p, fi.Mode())
		}
	}
}

func TestEventArguments(t *testing.T) {
	e := newEnv(t, 2, 3)
	e.event(1, 0x1111, 0x2222, 0x3333)
	want := []string{"77@1.000000:guest_hypertrace cpu=3 arg1=0x1111 arg2=0x2222 arg3=0x3333"}
	if got := e.lines(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("events %q, want %q", got, want)
	}
	// Every store landed in the files, as it would natively.
	raw, _ := os.ReadFile(e.ch.Paths()[2])
	if v := binary.LittleEndian.Uint64(raw[8:]); v != 0x1111 {
		t.Errorf("half1[1] in the file = %#x", v)
	}
}

func TestInterleavedClients(t *testing.T) {
	e := newEnv(t, 2, 2)
	l := e.ch.Layout()
	half := l.ControlSize / 2
	// A writes data and arms, B writes data and arms, A fires, B fires.
	e.store(e.data+0*l.ClientDataSize, 8, 0xa2)
	e.store(e.control+0, 8, 0xa1)
	e.store(e.data+1*l.ClientDataSize, 8, 0xb2)
	e.store(e.control+8, 8, 0xb1)
	e.store(e.control+half+0, 8, 1)
	e.store(e.control+half+8, 8, 1)
	want := []string{
		"77@1.000000:guest_hypertrace cpu=3 arg1=0xa1 arg2=0xa2",
		"77@1.000000:guest_hypertrace cpu=3 arg1=0xb1 arg2=0xb2",
	}
	if got := e.lines(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("events %q, want %q", got, want)
	}
}

func TestAllClientsAndLongSequence(t *testing.T) {
	e := newEnv(t, 4, 2)
	for c := 0; c < 4; c++ {
		e.event(c, uint64(100+c), uint64(200+c))
	}
	for i := 0; i < 10000; i++ {
		e.event(i%4, uint64(i), ^uint64(i))
	}
	lines := e.lines()
	if len(lines) != 10004 {
		t.Fatalf("%d events, want 10004", len(lines))
	}
	for c := 0; c < 4; c++ {
		if want := fmt.Sprintf("arg1=%#x arg2=%#x", 100+c, 200+c); !strings.HasSuffix(lines[c], want) {
			t.Errorf("client %d: %q", c, lines[c])
		}
	}
	for i := 0; i < 10000; i++ {
		want := fmt.Sprintf("arg1=0x%x arg2=%#x", i, ^uint64(i))
		if i == 0 {
			want = fmt.Sprintf("arg1=0x0 arg2=%#x", ^uint64(0))
		}
		if !strings.HasSuffix(lines[4+i], want) {
			t.Fatalf("event %d = %q, want suffix %q", i, lines[4+i], want)
		}
	}
	if e.ch.Events() != 10004 {
		t.Errorf("Events() = %d", e.ch.Events())
	}
}

func TestOutOfProtocolStores(t *testing.T) {
	e := newEnv(t, 2, 1)
	half := e.ch.Layout().ControlSize / 2
	cases := []struct {
		name string
		do   func()
		err  string
	}{
		{"half 2 first", func() { e.store(e.control+half, 8, 1) }, "without arming"},
		{"narrow store", func() { e.store(e.control, 4, 1) }, "4-byte store"},
		{"misaligned", func() { e.store(e.control+4, 8, 1) }, "8-byte store at control offset 0x4"},
		{"straddling halves", func() { e.store(e.control+half-4, 8, 1) }, "at control offset 0xffc"},
		{"slot beyond max-clients", func() { e.store(e.control+8*2, 8, 1) }, "slot 2, beyond max-clients=2"},
	}
	for _, c := range cases {
		e.errs.Reset()
		c.do()
		if !strings.Contains(e.errs.String(), c.err) {
			t.Errorf("%s: guest_errors report %q, want %q", c.name, e.errs.String(), c.err)
		}
	}
	if len(e.lines()) != 0 {
		t.Fatalf("out-of-protocol stores emitted %q", e.lines())
	}
	// A skipped second store does not cost the next event anything: the
	// client re-arms, and client 1 is independent.
	e.store(e.control, 8, 0x5)
	e.event(1, 0x6)
	e.event(0, 0x7)
	want := []string{"77@1.000000:guest_hypertrace cpu=3 arg1=0x6", "77@1.000000:guest_hypertrace cpu=3 arg1=0x7"}
	if got := e.lines(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("events %q, want %q", got, want)
	}
}

func TestControlMappingRules(t *testing.T) {
	e := newEnv(t, 1, 1)
	f, err := os.OpenFile(e.ch.Paths()[2], os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	size := e.ch.Layout().ControlSize
	for _, m := range []mmu.Mapping{
		{Length: size / 2, Shared: true},
		{Length: size, Shared: true, Offset: pageSize},
		{Length: size},
	} {
		if err := e.filter(f, &m); err != mmu.ErrInvalid {
			t.Errorf("FilterMmap(%+v) = %v, want ErrInvalid", m, err)
		}
	}
	// A second mapping shares the state: arm through one, fire through
	// the other.
	second := e.mapFile(2, size)
	e.store(e.control, 8, 0x42)
	e.store(second+size/2, 8, 0)
	if got := e.lines(); len(got) != 1 || !strings.HasSuffix(got[0], "arg1=0x42") {
		t.Errorf("events %q", got)
	}
	// Other files are not touched.
	df, _ := os.Open(e.ch.Paths()[1])
	defer df.Close()
	m := mmu.Mapping{Length: 1}
	if err := e.filter(df, &m); err != nil || m.Tag != nil {
		t.Errorf("data file filtered: %v %+v", err, m)
	}
}

func TestUnmapAndRemap(t *testing.T) {
	e := newEnv(t, 1, 1)
	size := e.ch.Layout().ControlSize
	if err := e.mem.Unmap(e.control, size); err != nil {
		t.Fatal(err)
	}
	// Anonymous memory at the same address is not part of the channel.
	if _, err := e.mem.Map(mmu.Mapping{Addr: e.control, Length: size, Perm: mmu.PermRead | mmu.PermWrite, Fixed: true}); err != nil {
		t.Fatal(err)
	}
	e.store(e.control, 8, 1)
	e.store(e.control+size/2, 8, 1)
	if len(e.lines()) != 0 {
		t.Fatalf("anonymous memory emitted %q", e.lines())
	}
	// A new control mapping at the same address works again.
	e.mem.Unmap(e.control, size)
	again := e.mapFile(2, size)
	e.store(again, 8, 9)
	e.store(again+size/2, 8, 1)
	if got := e.lines(); len(got) != 1 {
		t.Fatalf("events %q", got)
	}
}

func TestKernelWriteDoesNotEmit(t *testing.T) {
	e := newEnv(t, 1, 1)
	half := e.ch.Layout().ControlSize / 2
	e.store(e.control, 8, 1)
	// What read(2) into the slot does: a copy_to_user, no tag involved.
	if _, err := e.mem.WriteAt(make([]byte, 8), e.control+half); err != nil {
		t.Fatal(err)
	}
	if len(e.lines()) != 0 {
		t.Fatalf("kernel write emitted %q", e.lines())
	}
}

func TestMprotectedControl(t *testing.T) {
	e := newEnv(t, 1, 1)
	if err := e.mem.Protect(e.control, e.ch.Layout().ControlSize, mmu.PermRead); err != nil {
		t.Fatal(err)
	}
	err := e.tlb.Write64(e.control, 1)
	if f, ok := err.(*mmu.Fault); !ok || f.Kind != mmu.FaultProtection {
		t.Fatalf("store to read-only control page: %v, want a protection fault", err)
	}
}

func TestFilesRemovedOnClose(t *testing.T) {
	e := newEnv(t, 1, 1)
	e.ch.Close()
	for _, p := range e.ch.Paths() {
		if _, err := os.Lstat(p); !os.IsNotExist(err) {
			t.Errorf("%s still exists after Close: %v", p, err)
		}
	}
	if err := e.ch.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func openAt(t *testing.T, base string) (*Channel, error) {
	t.Helper()
	return Open(Config{Options: Options{Base: base, MaxClients: 1, Args: 1}, PID: 1})
}

func TestExistingFilesRefused(t *testing.T) {
	dir := t.TempDir()
	// An unrelated file.
	base := filepath.Join(dir, "a")
	os.WriteFile(base+"-config", []byte("my notes"), 0o600)
	os.WriteFile(base+"-data", nil, 0o600)
	os.WriteFile(base+"-control", nil, 0o600)
	if _, err := openAt(t, base); err == nil || !strings.Contains(err.Error(), base+"-config exists and is not a gemu hypertrace channel") {
		t.Errorf("unrelated file: %v", err)
	}
	if b, _ := os.ReadFile(base + "-config"); string(b) != "my notes" {
		t.Errorf("unrelated file was changed: %q", b)
	}
	// A symlink in a channel file's place.
	base = filepath.Join(dir, "b")
	os.Symlink(filepath.Join(dir, "target"), base+"-data")
	if _, err := openAt(t, base); err == nil || !strings.Contains(err.Error(), base+"-data") {
		t.Errorf("symlink: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "target")); err == nil {
		t.Error("the symlink was followed")
	}
	// A live channel.
	base = filepath.Join(dir, "c")
	live, err := openAt(t, base)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	if _, err := openAt(t, base); err == nil || !strings.Contains(err.Error(), "in use by a running gemu") {
		t.Errorf("live channel: %v", err)
	}
}

func TestStaleChannelReplaced(t *testing.T) {
	base := filepath.Join(t.TempDir(), "s")
	ch, err := openAt(t, base)
	if err != nil {
		t.Fatal(err)
	}
	// Simulate kill -9: the files stay, the lock goes with the process.
	for i := range ch.files {
		ch.files[i].Close()
	}
	again, err := openAt(t, base)
	if err != nil {
		t.Fatalf("stale channel not replaced: %v", err)
	}
	again.Close()
}

func BenchmarkEvent(b *testing.B) {
	for _, k := range []int{1, 8} {
		b.Run(fmt.Sprintf("K=%d", k), func(b *testing.B) {
			e := newEnvB(b, k)
			half := e.ch.Layout().ControlSize / 2
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				e.tlb.Write64(e.control, uint64(i))
				e.tlb.Write64(e.control+half, 0)
			}
		})
	}
}

// newEnvB is newEnv for benchmarks, with a simple sink into a temp file.
func newEnvB(b *testing.B, k int) *env {
	tr, err := trace.New(trace.Config{Options: []trace.Option{{Pattern: "*", File: filepath.Join(b.TempDir(), "t"), Format: trace.FormatSimple}}, PID: 1})
	if err != nil {
		b.Fatal(err)
	}
	ch, err := Open(Config{Options: Options{Base: filepath.Join(b.TempDir(), "ht"), MaxClients: 1, Args: k}, Tracer: tr, PID: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ch.Close(); tr.Close() })
	e := &env{ch: ch, mem: mmu.NewSpace()}
	e.tlb = e.mem.NewTLB(0)
	f, _ := os.OpenFile(ch.Paths()[2], os.O_RDWR, 0)
	defer f.Close()
	var st unix.Stat_t
	unix.Fstat(int(f.Fd()), &st)
	m := mmu.Mapping{Length: ch.Layout().ControlSize, Perm: mmu.PermRead | mmu.PermWrite, Shared: true, File: f, Writable: true}
	ch.FilterMmap(uint64(st.Dev), uint64(st.Ino), &m)
	e.control, _ = e.mem.Map(m)
	return e
}
