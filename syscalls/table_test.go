package syscalls

import (
	"strings"
	"testing"

	"gemu/internal/abi/linux"
)

func TestTableEntries(t *testing.T) {
	n := 0
	for nr, ent := range table {
		if ent.name == "" && ent.fn == nil {
			continue
		}
		n++
		if ent.name == "" || ent.fn == nil {
			t.Errorf("syscall %d: name %q, handler set %v", nr, ent.name, ent.fn != nil)
		}
		if want := linux.Sysno(nr).Name(); ent.name != want {
			t.Errorf("syscall %d is %q in the table but %q in the ABI", nr, ent.name, want)
		}
	}
	if n < 100 {
		t.Errorf("only %d implemented system calls", n)
	}
}

func TestUnimplementedReportedOnce(t *testing.T) {
	e := newEnvCfg(t, Config{Unimp: true})
	e.regs.pc = 0x401002 // past the SYSCALL at 0x401000
	for range 2 {
		if got := e.errno(linux.SYS_IO_URING_SETUP); got != linux.ENOSYS {
			t.Fatalf("io_uring_setup: %v, want ENOSYS", got)
		}
	}
	if got := e.errno(500); got != linux.ENOSYS {
		t.Fatalf("syscall 500: %v, want ENOSYS", got)
	}
	if got := e.errno(linux.Sysno(-1)); got != linux.ENOSYS {
		t.Fatalf("syscall -1: %v, want ENOSYS", got)
	}
	want := "gemu: unimplemented syscall io_uring_setup (425) at pc 0x401000\n" +
		"gemu: unimplemented syscall syscall_500 (500) at pc 0x401000\n" +
		"gemu: unimplemented syscall syscall_-1 (-1) at pc 0x401000\n"
	if got := e.log.String(); got != want {
		t.Errorf("log:\n%s\nwant:\n%s", got, want)
	}
	if e.out.Kind != Continue {
		t.Errorf("outcome %+v", e.out)
	}
	// Only EAX selects the call, as on Linux.
	if got := e.ok(linux.SYS_GETPID | 1<<32); got != uint64(e.p.Pid()) {
		t.Errorf("getpid with RAX upper bits set: %d", got)
	}
}

func TestUnimplementedQuietByDefault(t *testing.T) {
	e := newEnv(t)
	if got := e.errno(linux.SYS_IO_URING_SETUP); got != linux.ENOSYS {
		t.Fatalf("io_uring_setup: %v", got)
	}
	// rseq is declined on purpose, never reported.
	e2 := newEnvCfg(t, Config{Unimp: true})
	e2.errno(linux.SYS_RSEQ)
	if e.log.Len() != 0 || e2.log.Len() != 0 {
		t.Errorf("unexpected reports: %q %q", e.log, e2.log)
	}
	if strings.Contains(e2.log.String(), "rseq") {
		t.Error("rseq reported")
	}
}
