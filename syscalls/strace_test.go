package syscalls

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"gemu/internal/abi/linux"
)

// The expected strings below are what strace 6.1 printed for the same
// values on this x86-64 host (see the -strace comparison in cmd/gemu).
func TestStraceQuote(t *testing.T) {
	for _, c := range []struct {
		in   string
		hex  bool
		want string
	}{
		{"hi\n\t\"\\\x01\x7f\xff0abc", false, `"hi\n\t\"\\\1\177\3770abc"`},
		{"TZif2\x00\x00\x00", false, `"TZif2\0\0\0"`},
		{"\x00" + "1", false, `"\0001"`},
		{"\x46\xe8\x4a", true, `"\x46\xe8\x4a"`},
		{"\r\v\f", false, `"\r\v\f"`},
	} {
		if got := quote([]byte(c.in), c.hex); got != c.want {
			t.Errorf("quote(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestStraceFlags(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{openFlags(linux.O_RDONLY | linux.O_CLOEXEC), "O_RDONLY|O_CLOEXEC"},
		{openFlags(linux.O_RDONLY | linux.O_NONBLOCK | linux.O_CLOEXEC | linux.O_DIRECTORY), "O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY"},
		{openFlags(linux.O_WRONLY | linux.O_CREAT | linux.O_EXCL | linux.O_NOCTTY | linux.O_TRUNC | linux.O_APPEND |
			linux.O_NONBLOCK | linux.O_SYNC | linux.O_NOFOLLOW | linux.O_NOATIME | linux.O_DIRECTORY),
			"O_WRONLY|O_CREAT|O_EXCL|O_NOCTTY|O_TRUNC|O_APPEND|O_NONBLOCK|O_SYNC|O_NOFOLLOW|O_NOATIME|O_DIRECTORY"},
		{mapFlags(linux.MAP_SHARED | linux.MAP_FIXED_NOREPLACE | linux.MAP_POPULATE), "MAP_SHARED|MAP_POPULATE|MAP_FIXED_NOREPLACE"},
		{mapFlags(linux.MAP_PRIVATE | linux.MAP_ANONYMOUS), "MAP_PRIVATE|MAP_ANONYMOUS"},
		{flags(linux.PROT_READ|linux.PROT_WRITE, protNames), "PROT_READ|PROT_WRITE"},
		{flags(0x1|0x100000000, protNames), "PROT_READ|0x100000000"},
		{flags(0, grndNames), "0"},
		{sigset(linux.SigMask(linux.SIGINT) | linux.SigMask(linux.SIGTERM)), "[INT TERM]"},
		{sigset(0), "[]"},
		{sigset(^uint64(0)), "~[]"},
		{sigset(^linux.SigMask(linux.SIGKILL)), "~[KILL]"},
		{rlim(8192 * 1024), "8192*1024"},
		{rlim(20000), "20000"},
		{rlim(linux.RLIM_INFINITY), "RLIM64_INFINITY"},
		{mode(0o644), "0644"},
		{mode(0), "000"},
		{futexOp(linux.FUTEX_WAIT | linux.FUTEX_PRIVATE_FLAG), "FUTEX_WAIT_PRIVATE"},
	} {
		if c.got != c.want {
			t.Errorf("got %s, want %s", c.got, c.want)
		}
	}
}

// TestTracerLines runs calls through a Tracer and checks whole lines.
func TestTracerLines(t *testing.T) {
	var log bytes.Buffer
	e := newEnvCfg(t, Config{Strace: &log})
	tr := Tracer{Process: e.p}
	call := func(nr linux.Sysno, args ...uint64) Outcome {
		var a [6]uint64
		copy(a[:], args)
		e.regs.r[RAX] = uint64(nr)
		for i, r := range [...]int{RDI, RSI, RDX, R10, R8, R9} {
			e.regs.r[r] = a[i]
		}
		return tr.Syscall(e.regs)
	}
	buf := e.alloc(64)
	call(linux.SYS_OPENAT, atFDCWD, e.str("/nonexistent"), linux.O_RDONLY|linux.O_CLOEXEC, 0)
	call(linux.SYS_OPENAT, atFDCWD, e.str("/dev/null"), linux.O_WRONLY|linux.O_CREAT, 0o644)
	call(linux.SYS_WRITE, 3, e.str("0123456789abcdefghijklmnopqrstuvwxyz"), 36)
	call(linux.SYS_READ, 0, buf, 64)
	call(linux.SYS_GETPID)
	call(linux.SYS_UMASK, 0o22)
	call(linux.SYS_UMASK, 0o22)
	call(linux.SYS_FCNTL, 3, linux.F_GETFD)
	call(9999)
	if out := call(linux.SYS_EXIT_GROUP, 3); out.Kind != ExitGroup {
		t.Errorf("exit_group outcome %+v", out)
	}
	pid := strconv.Itoa(e.p.Pid())
	want := []string{
		`openat(AT_FDCWD, "/nonexistent", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)`,
		`openat(AT_FDCWD, "/dev/null", O_WRONLY|O_CREAT, 0644) = 3`,
		`write(3, "0123456789abcdefghijklmnopqrstuv"..., 36) = 36`,
		`read(0, "", 64) = 0`,
		`getpid() = ` + pid,
		`umask(022) = 022`,
		`umask(022) = 022`,
		`fcntl(3, F_GETFD) = 0`,
		`syscall_9999(0, 0, 0, 0, 0, 0) = -1 ENOSYS (Function not implemented)`,
		`exit_group(3) = ?`,
	}
	lines := strings.Split(strings.TrimSuffix(log.String(), "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d lines:\n%s", len(lines), log.String())
	}
	for i, l := range lines {
		rest, ok := strings.CutPrefix(l, fmt.Sprintf("%-5s ", pid))
		if !ok {
			t.Errorf("no pid: %q", l)
		}
		// Padded so that " = " starts at column 40 (0-based 39).
		if i := strings.LastIndex(l, ") "); i >= 0 && i+1 < straceColumn && i+strings.Index(l[i:], " = ") != straceColumn {
			t.Errorf("not aligned: %q", l)
		}
		if got := strings.Join(strings.Fields(rest), " "); got != strings.Join(strings.Fields(want[i]), " ") {
			t.Errorf("line %d: %q, want %q", i, rest, want[i])
		}
	}
}
