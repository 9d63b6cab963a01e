package emu_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gemu/emu"
	"gemu/loader/elf"
	"gemu/mmu"
	"gemu/syscalls"
)

// runGuest runs a committed test guest in-process: a Machine with a real
// Process, as cmd/gemu wires them. It returns stdout and the exit. These
// tests exist to run the scheduler, futexes and signal delivery under
// `go test -race`.
func runGuest(t *testing.T, name string, icount bool, args ...string) (string, emu.Exit) {
	out, exit, _ := runGuestCount(t, name, icount, args...)
	return out, exit
}

// runGuestCount is runGuest that also returns the main thread's retired
// instruction count.
func runGuestCount(t *testing.T, name string, icount bool, args ...string) (string, emu.Exit, uint64) {
	t.Helper()
	path := filepath.Join("..", "testguests", "bin", name)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("committed guest missing: %v", err)
	}
	mem := mmu.NewSpace()
	defer mem.Close()
	img, err := elf.Load(mem, path)
	if err != nil {
		t.Fatal(err)
	}
	argv := append([]string{name}, args...)
	sp, auxv, err := elf.SetupStack(mem, img, elf.Startup{Args: argv, Env: []string{"GOGC=100"}, ExecFn: name, HWCap: emu.HWCap()})
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.CreateTemp(t.TempDir(), "stdout")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	devnull, _ := os.Open(os.DevNull)
	defer devnull.Close()
	m := emu.NewMachine(emu.Config{Mem: mem, ICount: icount})
	proc, err := syscalls.NewProcess(syscalls.Config{
		Stdin: devnull, Stdout: out, Stderr: out, Exe: path, Args: argv, Auxv: auxv, Clock: m.Clock(),
	}, mem)
	if err != nil {
		t.Fatal(err)
	}
	defer proc.Close()
	m.SetOS(proc)
	cpu := m.NewCPU()
	cpu.SetReg(syscalls.RSP, sp)
	cpu.SetPC(img.Entry)
	exit := cpu.Run()
	b, _ := os.ReadFile(out.Name())
	return string(b), exit, cpu.Instructions()
}

// The expected lines come from native runs of the same binaries (see
// testguests/testdata/threads.golden and signals.golden).
func TestPthreadsGuest(t *testing.T) {
	out, exit := runGuest(t, "threads", false)
	if exit.Err != nil || exit.Signal != 0 || exit.Status != 0 {
		t.Fatalf("exit %+v\n%s", exit, out)
	}
	for _, want := range []string{"mutex: counter=160000", "condvar: sum=12502500 in-order=1",
		"barrier: rounds=50 consistent=1", "cancel: canceled=1 cleanup=42", "segv: recovered=2 si_addr/code ok=1"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestSignalsGuest(t *testing.T) {
	out, exit := runGuest(t, "signals", false)
	if exit.Err != nil || exit.Signal != 0 || exit.Status != 0 {
		t.Fatalf("exit %+v\n%s", exit, out)
	}
	for _, want := range []string{"raise: hits=1 sig=10 code=SI_TKILL", "rt-queue: hits=3 code=SI_QUEUE",
		"context: sig=4 code=ILL_ILLOPN rax=1234", "restart=1: read=1", "restart=0: read=-1 EINTR"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestGoRuntimeGuest(t *testing.T) {
	if testing.Short() {
		t.Skip("the Go runtime guest takes seconds under the race detector; -short skips it")
	}
	out, exit := runGuest(t, "gothreads", false, "channels")
	if exit.Err != nil || exit.Status != 0 || !strings.Contains(out, "channels: sum of squares=333833500 counter=16000") {
		t.Fatalf("exit %+v\n%s", exit, out)
	}
}

// TestDeterministicThreads: under ICount the interleaving of 8 threads
// contending for a mutex is reproducible, so two runs retire exactly the
// same number of instructions.
func TestDeterministicThreads(t *testing.T) {
	var first string
	var firstCount uint64
	for i := 0; i < 3; i++ {
		out, exit, n := runGuestCount(t, "threads", true)
		if exit.Status != 0 {
			t.Fatalf("exit %+v", exit)
		}
		if i == 0 {
			first, firstCount = out, n
		} else if out != first || n != firstCount {
			t.Errorf("run %d: %d instructions, run 0: %d (outputs %q, %q)", i, n, firstCount, out, first)
		}
	}
}
