package syscalls

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"

	"gemu/internal/abi/linux"
	"gemu/mmu"
)

// fakeRegs is a plain register file standing in for the interpreter's CPU.
type fakeRegs struct {
	r                 [16]uint64
	pc, flags, fs, gs uint64
	cpu               int
}

func (f *fakeRegs) Reg(n int) uint64       { return f.r[n] }
func (f *fakeRegs) SetReg(n int, v uint64) { f.r[n] = v }
func (f *fakeRegs) PC() uint64             { return f.pc }
func (f *fakeRegs) SetPC(pc uint64)        { f.pc = pc }
func (f *fakeRegs) Flags() uint64          { return f.flags }
func (f *fakeRegs) SetFlags(v uint64)      { f.flags = v }
func (f *fakeRegs) FSBase() uint64         { return f.fs }
func (f *fakeRegs) SetFSBase(v uint64)     { f.fs = v }
func (f *fakeRegs) GSBase() uint64         { return f.gs }
func (f *fakeRegs) SetGSBase(v uint64)     { f.gs = v }
func (f *fakeRegs) CPU() int               { return f.cpu }

// Guest memory layout of the test process.
const (
	scratch     = 0x100000 // 1 MiB read-write
	scratchSize = 1 << 20
	roPage      = scratch + scratchSize // one read-only page
	badAddr     = 0x10000               // user space, never mapped
	kernelAddr  = 0xffffffffff600000    // outside user space
)

// env is one guest process with a fake CPU.
type env struct {
	t    testing.TB
	p    *Process
	mem  *mmu.Space
	regs *fakeRegs
	log  *bytes.Buffer
	out  Outcome
	next uint64 // bump allocator in scratch
}

func newEnv(t testing.TB) *env { return newEnvCfg(t, Config{}) }

// newEnvCfg makes a process whose fds 0-2 are /dev/null unless cfg says
// otherwise.
func newEnvCfg(t testing.TB, cfg Config) *env {
	t.Helper()
	mem := mmu.NewSpace()
	if _, err := mem.Map(mmu.Mapping{Addr: scratch, Length: scratchSize, Perm: mmu.PermRead | mmu.PermWrite, Fixed: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := mem.Map(mmu.Mapping{Addr: roPage, Length: mmu.PageSize, Perm: mmu.PermRead, Fixed: true}); err != nil {
		t.Fatal(err)
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if cfg.Stdin == nil {
		cfg.Stdin = null
	}
	if cfg.Stdout == nil {
		cfg.Stdout = null
	}
	if cfg.Stderr == nil {
		cfg.Stderr = null
	}
	log := &bytes.Buffer{}
	if cfg.Log == nil {
		cfg.Log = log
	}
	if cfg.Exe == "" {
		cfg.Exe = "/usr/bin/true"
	}
	p, err := NewProcess(cfg, mem)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Close()
		mem.Close()
	})
	return &env{t: t, p: p, mem: mem, regs: &fakeRegs{}, log: log, next: scratch}
}

// call runs system call nr and returns RAX as a signed value.
func (e *env) call(nr linux.Sysno, args ...uint64) int64 {
	e.t.Helper()
	var a [6]uint64
	copy(a[:], args)
	e.regs.r[RAX] = uint64(nr)
	for i, r := range [...]int{RDI, RSI, RDX, R10, R8, R9} {
		e.regs.r[r] = a[i]
	}
	e.out = e.p.Syscall(e.regs)
	return int64(e.regs.r[RAX])
}

// errno runs a call expected to fail and returns its errno (0 on success).
func (e *env) errno(nr linux.Sysno, args ...uint64) linux.Errno {
	e.t.Helper()
	r := e.call(nr, args...)
	if r < 0 && r >= -4095 {
		return linux.Errno(-r)
	}
	return 0
}

// ok runs a call that must succeed and returns its result.
func (e *env) ok(nr linux.Sysno, args ...uint64) uint64 {
	e.t.Helper()
	r := e.call(nr, args...)
	if r < 0 && r >= -4095 {
		e.t.Fatalf("%v%v = %s (%v)", nr, args, linux.Errno(-r).Name(), linux.Errno(-r))
	}
	return uint64(r)
}

// alloc reserves n bytes of scratch memory (8-aligned).
func (e *env) alloc(n int) uint64 {
	a := e.next
	e.next += (uint64(n) + 7) &^ 7
	if e.next > scratch+scratchSize {
		e.t.Fatal("scratch exhausted")
	}
	return a
}

// str places a NUL-terminated string in guest memory.
func (e *env) str(s string) uint64 {
	a := e.alloc(len(s) + 1)
	e.poke(a, append([]byte(s), 0))
	return a
}

func (e *env) poke(addr uint64, b []byte) {
	e.t.Helper()
	if _, err := e.mem.WriteAt(b, addr); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) peek(addr uint64, n int) []byte {
	e.t.Helper()
	b := make([]byte, n)
	if _, err := e.mem.ReadAt(b, addr); err != nil {
		e.t.Fatal(err)
	}
	return b
}

func (e *env) u64(addr uint64) uint64 { return le.Uint64(e.peek(addr, 8)) }
func (e *env) u32(addr uint64) uint32 { return le.Uint32(e.peek(addr, 4)) }

// open opens a host path in the guest.
func (e *env) open(path string, flags int) uint64 {
	e.t.Helper()
	return e.ok(linux.SYS_OPENAT, uint64(neg(linux.AT_FDCWD)), e.str(path), uint64(flags), 0o600)
}

// neg converts a negative int to its register image.
func neg(v int64) uint64 { return uint64(v) }

// nativeResults loads testdata/native.txt, the results of testdata/native.c
// on an x86-64 Linux host.
func nativeResults(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("testdata/native.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), " ")
		m[k] = v
	}
	return m
}

// resultString renders a raw RAX like native.c prints it.
func resultString(r int64) string {
	if r < 0 && r >= -4095 {
		return "-" + linux.Errno(-r).Name()
	}
	return strconv.FormatInt(r, 10)
}
