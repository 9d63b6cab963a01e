package syscalls

import (
	"testing"

	"gemu/internal/abi/linux"
)

// TestParseShebang: binfmt_script's split of a "#!" line into the
// interpreter and its one argument.
func TestParseShebang(t *testing.T) {
	for _, tc := range []struct {
		line, interp, arg string
		ok                bool
	}{
		{"/bin/sh\n", "/bin/sh", "", true},
		{"/bin/sh -e\necho hi\n", "/bin/sh", "-e", true},
		{"  /usr/bin/env  python3 -u \n", "/usr/bin/env", "python3 -u", true},
		{"/bin/sh\t-x\n", "/bin/sh", "-x", true},
		{"/bin/sh", "/bin/sh", "", true}, // no newline in the file
		{"   \n", "", "", false},
		{"\n/bin/sh\n", "", "", false},
	} {
		interp, arg, ok := parseShebang([]byte(tc.line))
		if interp != tc.interp || arg != tc.arg || ok != tc.ok {
			t.Errorf("parseShebang(%q) = %q, %q, %v; want %q, %q, %v", tc.line, interp, arg, ok, tc.interp, tc.arg, tc.ok)
		}
	}
}

// TestWaitStatus: the status word and SIGCHLD siginfo of an ended
// process, as <sys/wait.h> decodes them (worked by hand from the macros:
// WEXITSTATUS = (s >> 8) & 0xff, WTERMSIG = s & 0x7f, WCOREDUMP = s & 0x80).
func TestWaitStatus(t *testing.T) {
	for _, tc := range []struct {
		out    Outcome
		status uint32
		code   int32
		si     int32
	}{
		{Outcome{Kind: ExitGroup, Status: 0}, 0, linux.CLD_EXITED, 0},
		{Outcome{Kind: ExitGroup, Status: 300}, 0x2c00, linux.CLD_EXITED, 44},
		{Outcome{Kind: ExitThread, Status: 7}, 0x700, linux.CLD_EXITED, 7},
		{Outcome{Kind: Killed, Signal: linux.SIGTERM}, 15, linux.CLD_KILLED, 15},
		{Outcome{Kind: Killed, Signal: linux.SIGSEGV, Core: true}, 0x8b, linux.CLD_DUMPED, 11},
	} {
		p := &Process{pid: 1234}
		p.ps.exited, p.ps.status = true, tc.out
		if got := p.waitStatus(); got != tc.status {
			t.Errorf("%+v: status %#x, want %#x", tc.out, got, tc.status)
		}
		si := p.childInfo()
		if si.Code != tc.code || si.Status != tc.si || si.PID != 1234 {
			t.Errorf("%+v: siginfo code %d status %d pid %d, want %d %d 1234", tc.out, si.Code, si.Status, si.PID, tc.code, tc.si)
		}
	}
}

// TestAuxvValue reads entries of an encoded auxiliary vector.
func TestAuxvValue(t *testing.T) {
	b := make([]byte, 48)
	le.PutUint64(b[0:], linux.AT_HWCAP)
	le.PutUint64(b[8:], 0x178bfbff)
	le.PutUint64(b[16:], linux.AT_HWCAP2)
	le.PutUint64(b[24:], 2)
	if got := auxvValue(b, linux.AT_HWCAP); got != 0x178bfbff {
		t.Errorf("AT_HWCAP = %#x", got)
	}
	if got := auxvValue(b, linux.AT_HWCAP2); got != 2 {
		t.Errorf("AT_HWCAP2 = %#x", got)
	}
	if got := auxvValue(b, linux.AT_RANDOM); got != 0 {
		t.Errorf("absent AT_RANDOM = %#x", got)
	}
}
