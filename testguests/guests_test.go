// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package testguests

import (
	"bytes"
	"context"
	"crypto/sha256"
	goelf "debug/elf"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	update   = flag.Bool("update", false, "rewrite testdata/*.golden from native runs of the guests in bin/ (linux/amd64 only); gemu is neither built nor run")
	gemuFlag = flag.String("gemu", "", "test this prebuilt gemu binary instead of building gemu/cmd/gemu")
	gemuOpts = flag.String("gemuargs", "", "extra gemu options, space-separated, placed before PROGRAM")
)

// gemuBin is the gemu binary under test; TestMain sets it once before any
// test runs and nothing changes it afterwards.
var gemuBin string

// runTimeout bounds every single run, native or under gemu, so a hang
// fails the test instead of blocking CI.
const runTimeout = 2 * time.Minute

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	flag.Parse()
	limitCore()
	if *update {
		return m.Run()
	}
	if *gemuFlag != "" {
		p, err := filepath.Abs(*gemuFlag)
		if err != nil {
			fmt.Fprintf(os.Stderr, "FAIL: -gemu %s: %v\n", *gemuFlag, err)
			return 1
		}
		gemuBin = p
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "gemu-testguests-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	gemuBin = filepath.Join(dir, "gemu")
	if err := buildGemu(gemuBin); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: cannot build gemu, so no guest can run under it:\n%v\n", err)
		return 1
	}
	return m.Run()
}

// buildGemu runs `go build -o out gemu/cmd/gemu` from the module root.
func buildGemu(out string) error {
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return fmt.Errorf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	cmd := exec.Command("go", "build", "-o", out, "gemu/cmd/gemu")
	cmd.Dir = root
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build -o %s gemu/cmd/gemu (in %s): %v\n%s", out, root, err, msg)
	}
	return nil
}

// guestCase is one guest run: a program from bin/ (or its C source
// rebuilt), its arguments and stdin, and the exit status a native run gives.
type guestCase struct {
	name   string   // subtest name and golden file testdata/NAME.golden
	bin    string   // program in bin/
	src    string   // C source (relative to this directory) for the compiled variants; "" if not C
	args   []string // argv[1:]
	stdin  string
	status int // native exit status; 128+N when killed by signal N

}

// longArg is an argument longer than a page.
var longArg = strings.Repeat("0123456789abcdef", 300)

var guests = []guestCase{
	{name: "hello", bin: "hello", src: "c/hello.c"},
	{name: "hello_asm", bin: "hello_asm"},
	{name: "startregs", bin: "startregs", args: []string{"one", "two"}},
	{name: "args", bin: "args", src: "c/args.c", args: []string{"", "two words", "ünïcødé", "-x", "--flag=1", "tab\there", longArg}},
	{name: "exitcode-0", bin: "exitcode", src: "c/exitcode.c", args: []string{"0"}, status: 0},
	{name: "exitcode-1", bin: "exitcode", src: "c/exitcode.c", args: []string{"1"}, status: 1},
	{name: "exitcode-7", bin: "exitcode", src: "c/exitcode.c", args: []string{"7"}, status: 7},
	{name: "exitcode-255", bin: "exitcode", src: "c/exitcode.c", args: []string{"255"}, status: 255},
	{name: "exitcode-256", bin: "exitcode", src: "c/exitcode.c", args: []string{"256"}, status: 0},
	{name: "fileio", bin: "fileio", src: "c/fileio.c"},
	{name: "arith", bin: "arith", src: "c/arith.c"},
	{name: "flags", bin: "flags", src: "c/flags.c"},
	{name: "strings", bin: "strings", src: "c/strings.c"},
	{name: "floats", bin: "floats", src: "c/floats.c"},
	{name: "qsort", bin: "qsort", src: "c/qsort.c"},
	{name: "malloc", bin: "malloc", src: "c/malloc.c"},
	{name: "mmap", bin: "mmap", src: "c/mmap.c"},
	{name: "mprotect_segv", bin: "mprotect_segv", src: "c/mprotect_segv.c", status: 139},
	{name: "segv-null", bin: "segv", src: "c/segv.c", args: []string{"null"}, status: 139},
	{name: "segv-unmapped", bin: "segv", src: "c/segv.c", args: []string{"unmapped"}, status: 139},
	{name: "segv-read", bin: "segv", src: "c/segv.c", args: []string{"read"}, status: 139},
	{name: "jump_unmapped", bin: "jump_unmapped", status: 139},
	{name: "ud2", bin: "ud2", status: 132},
	{name: "divzero", bin: "divzero", src: "c/divzero.c", args: []string{"zero"}, status: 136},
	{name: "divzero-overflow", bin: "divzero", src: "c/divzero.c", args: []string{"overflow"}, status: 136},
	{name: "sockets", bin: "sockets", src: "c/sockets.c", args: []string{"local"}},
	{name: "gohello", bin: "gohello", args: []string{"a", "b"}},
	{name: "gothreads", bin: "gothreads"},
	{name: "gothreads-panic", bin: "gothreads", args: []string{"panic"}, status: 2},
	{name: "threads", bin: "threads", src: "c/threads.c"},
	{name: "signals", bin: "signals", src: "c/signals.c"},
	{name: "futex", bin: "futex", src: "c/futex.c"},
	// Processes (issue #8): 100 children and their statuses, COW and
	// shared memory across fork, waits, SIGCHLD, groups, vfork, orphans;
	// execve's errors, a #! script, and a chain of 50 execs.
	{name: "fork", bin: "fork", src: "c/fork.c"},
	{name: "execchain", bin: "execchain", src: "c/execchain.c", status: 42},
	{name: "execchain-thread", bin: "execchain", src: "c/execchain.c", args: []string{"thread-exec"}},

	// Instruction-family guests written by the emu engineers (one per
	// emu/ family; each ends with a deliberate fault or exits 0).
	{name: "insn_int", bin: "insn_int", src: "c/insn_int.c", status: 136},
	{name: "insn_sse", bin: "insn_sse", src: "c/insn_sse.c"},
	{name: "insn_sse-movaps-misaligned", bin: "insn_sse", src: "c/insn_sse.c", args: []string{"movaps-misaligned"}, status: 139},
	{name: "insn_sse-addps-misaligned", bin: "insn_sse", src: "c/insn_sse.c", args: []string{"addps-misaligned"}, status: 139},
	{name: "insn_sse-ldmxcsr-reserved", bin: "insn_sse", src: "c/insn_sse.c", args: []string{"ldmxcsr-reserved"}, status: 139},
	{name: "insn_sse-unmasked-zero", bin: "insn_sse", src: "c/insn_sse.c", args: []string{"unmasked-zero"}, status: 136},
	{name: "insn_sse-unmasked-inexact", bin: "insn_sse", src: "c/insn_sse.c", args: []string{"unmasked-inexact"}, status: 136},
	{name: "insn_x87", bin: "insn_x87", src: "c/insn_x87.c"},
	{name: "insn_x87-sigfpe-fwait", bin: "insn_x87", src: "c/insn_x87.c", args: []string{"sigfpe-fwait"}, status: 136},
	{name: "insn_x87-sigfpe-fld", bin: "insn_x87", src: "c/insn_x87.c", args: []string{"sigfpe-fld"}, status: 136},
	// The differential instruction tester: every form gemu implements
	// (emu/formgen_test.go generates c/insn_forms.h); ulp_test.go
	// compares insn_x87's transcendental part within 1 ulp.
	{name: "insn_forms", bin: "insn_forms", src: "c/insn_forms.c"},
	// Floating point through libc and libm (fpmath_test.go runs its
	// long double libm part within 1 ulp and glibc's public libm).
	{name: "fpmath", bin: "fpmath", src: "c/fpmath.c"},
}

// compilers are the from-source variants of the C guests.
var compilers = []struct {
	name string // subtest name
	cc   string
	args []string
}{
	{"gcc-O2", "gcc", []string{"-static", "-O2"}},
	{"musl-O2", "musl-gcc", []string{"-static", "-O2"}},
}

// busyboxInput is the file the busybox cases read as input.txt.
var busyboxInput = func() []byte {
	var b bytes.Buffer
	words := []string{"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"}
	for i := 1; i <= 200; i++ {
		fmt.Fprintf(&b, "line %d: %s %s %d\n", i, words[i%len(words)], words[(i*3)%len(words)], i*i%97)
	}
	return b.Bytes()
}()

// busyboxCases run /usr/bin/busybox APPLET ARGS in a directory holding
// input.txt and the fixed tree of busybox_test.go; status is what a native
// run gives. A case may run further busybox commands after the first (then:
// each runs only if the previous one exited 0, as with sh's &&; their
// stdouts are concatenated), and may compare the directory's contents
// afterwards (listing). stdin "@archive.cpio" feeds the tree as a cpio
// archive.
var busyboxCases = []struct {
	name    string
	args    []string
	then    [][]string
	stdin   string
	status  int
	listing bool
	// needsFork marks cases that fork or exec, which gemu cannot do until
	// it has processes; they are skipped with the reason.
	needsFork bool
}{
	{name: "echo", args: []string{"echo", "hello", "world"}},
	{name: "cat", args: []string{"cat", "input.txt"}},
	{name: "cat-stdin", args: []string{"cat"}, stdin: "from stdin\nsecond line\n"},
	{name: "wc-l", args: []string{"wc", "-l", "input.txt"}},
	{name: "wc", args: []string{"wc", "input.txt"}},
	{name: "sha256sum", args: []string{"sha256sum", "input.txt"}},
	{name: "sha512sum", args: []string{"sha512sum", "input.txt"}},
	{name: "sha1sum", args: []string{"sha1sum", "input.txt", "tree/b.dat"}},
	{name: "md5sum", args: []string{"md5sum", "input.txt"}},
	{name: "ls-root", args: []string{"ls", "/"}},
	{name: "ls-la-tree", args: []string{"ls", "-la", "tree", "tree/sub"}},
	{name: "ls-lR", args: []string{"ls", "-lR", "--full-time", "tree"}},
	{name: "sort", args: []string{"sort", "input.txt"}},
	{name: "sort-rn-stdin", args: []string{"sort", "-rn"}, stdin: "3\n10\n2\n-7\n100\n"},
	{name: "sort-k", args: []string{"sort", "-t", " ", "-k3,3", "-k2,2n", "input.txt"}},
	{name: "uniq", args: []string{"uniq", "-c"}, stdin: "a\na\nb\nc\nc\nc\na\n"},
	{name: "cut", args: []string{"cut", "-d", " ", "-f", "3,5", "input.txt"}},
	{name: "cut-c", args: []string{"cut", "-c", "1-8", "input.txt"}},
	{name: "tr-stdin", args: []string{"tr", "a-z", "A-Z"}, stdin: "hello gemu\n"},
	{name: "tr-d", args: []string{"tr", "-d", "aeiou\\n"}, stdin: "the quick brown fox\njumps\n"},
	{name: "head", args: []string{"head", "-n", "3", "input.txt"}},
	{name: "tail", args: []string{"tail", "-n", "2", "input.txt"}},
	{name: "tail-c", args: []string{"tail", "-c", "100", "input.txt"}},
	{name: "grep-c", args: []string{"grep", "-c", "gamma", "input.txt"}},
	{name: "grep-E", args: []string{"grep", "-E", "-n", "(gamma|delta) (beta|zeta) [0-9]+$", "input.txt"}},
	{name: "grep-r", args: []string{"grep", "-r", "-l", "alpha", "tree"}},
	{name: "grep-missing", args: []string{"grep", "no such text", "input.txt"}, status: 1},
	{name: "seq", args: []string{"seq", "1", "3", "30"}},
	{name: "expr", args: []string{"expr", "6", "*", "7"}},
	{name: "printf", args: []string{"printf", "%05d|%s|%x|%.3f\n", "42", "str", "255", "3.14159"}},
	{name: "awk", args: []string{"awk", "{ s += length($0) } END { print NR, s }", "input.txt"}},
	{name: "awk-fields", args: []string{"awk", "-F", ":", "$1 ~ /7$/ { n[$2]++ } END { for (k in n) print k, n[k] }", "input.txt"}},
	{name: "sed", args: []string{"sed", "-n", "s/^line \\([0-9]*7\\):.*/L\\1/p", "input.txt"}},
	{name: "sed-i", args: []string{"sed", "-i", "s/alpha/ALPHA/g", "tree/a.txt"}, then: [][]string{{"cat", "tree/a.txt"}}, listing: true},
	{name: "od", args: []string{"od", "-An", "-tx1", "-N", "48", "input.txt"}},
	{name: "od-c", args: []string{"od", "-c", "tree/b.dat"}},
	{name: "hexdump", args: []string{"hexdump", "-C", "-n", "96", "tree/b.dat"}},
	{name: "base64", args: []string{"base64", "input.txt"}},
	{name: "base64-d", args: []string{"base64", "-d"}, stdin: "aGVsbG8sIGdlbXUK\n"},
	{name: "bzip2", args: []string{"bzip2", "-c", "input.txt"}},
	{name: "bzip2-roundtrip", args: []string{"bzip2", "-k", "input.txt"}, then: [][]string{{"bunzip2", "-c", "input.txt.bz2"}}, listing: true},
	{name: "gzip", args: []string{"gzip", "-c", "input.txt"}},
	{name: "gzip-roundtrip", args: []string{"gzip", "-k", "-9", "input.txt"}, then: [][]string{{"gunzip", "-c", "input.txt.gz"}}, listing: true},
	{name: "tar-cf", args: []string{"tar", "cf", "-", "tree"}},
	{name: "tar-cf-xf", args: []string{"tar", "cf", "t.tar", "tree"},
		then: [][]string{{"mkdir", "x"}, {"tar", "xf", "t.tar", "-C", "x"}, {"tar", "tvf", "t.tar"}, {"ls", "-lR", "x"}}, listing: true},
	{name: "cpio-t", args: []string{"cpio", "-t"}, stdin: "@archive.cpio"},
	{name: "cpio-i", args: []string{"cpio", "-i", "-d", "-m"}, stdin: "@archive.cpio", listing: true},
	{name: "find-name", args: []string{"find", "tree", "-name", "*.txt", "-type", "f"}},
	{name: "find-type-size", args: []string{"find", "tree", "-type", "f", "-size", "+1k"}},
	{name: "find-type-d", args: []string{"find", "tree", "-type", "d"}},
	{name: "stat", args: []string{"stat", "-c", "%n %s %F %a %h %U %G %Y", "tree/a.txt", "tree/sub", "tree/link"}},
	{name: "du", args: []string{"du", "-a", "tree"}},
	{name: "cp-r", args: []string{"cp", "-r", "tree", "copy"}, then: [][]string{{"sh", "-c", "find copy | sort | xargs stat -c '%A %s %n'"}}, listing: true}, // ls -l would show times, which can straddle a minute
	{name: "mv", args: []string{"mv", "tree/a.txt", "tree/sub/moved.txt"}, listing: true},
	{name: "rm-r", args: []string{"rm", "-r", "tree/sub"}, listing: true},
	{name: "mkdir-p", args: []string{"mkdir", "-p", "x/y/z", "tree/sub/deep/more"}, listing: true},
	{name: "ln-s", args: []string{"ln", "-s", "input.txt", "lnk"}, then: [][]string{{"readlink", "lnk"}, {"cat", "lnk"}}, listing: true},
	{name: "readlink", args: []string{"readlink", "tree/link"}},
	{name: "date", args: []string{"date", "-u", "-d", "@0"}},
	{name: "date-fmt", args: []string{"date", "-u", "-d", "@1234567890", "+%Y-%m-%d %H:%M:%S %j %a"}},
	{name: "cmp", args: []string{"cmp", "input.txt", "tree/b.dat"}, status: 1},
	{name: "cmp-same", args: []string{"cmp", "tree/a.txt", "tree/a.txt"}},
	{name: "diff", args: []string{"diff", "tree/a.txt", "tree/sub/c.txt"}, status: 1},
	{name: "diff-u", args: []string{"diff", "-u", "tree/sub/c.txt", "tree/a.txt"}, status: 1},
	{name: "dd", args: []string{"dd", "if=input.txt", "bs=64", "count=3", "skip=1"}},
	{name: "dd-of", args: []string{"dd", "if=tree/b.dat", "of=out.bin", "bs=512", "seek=2", "conv=notrunc"}, listing: true},
	{name: "split", args: []string{"split", "-l", "70", "input.txt", "part"}, listing: true},
	{name: "xargs", args: []string{"xargs", "-n1", "echo"}, stdin: "a b c\n"},
	{name: "uname-m", args: []string{"uname", "-m"}},
	{name: "id", args: []string{"id"}},
	{name: "env", args: []string{"env"}},
	{name: "touch-truncate", args: []string{"touch", "-d", "@100", "new"}, then: [][]string{{"stat", "-c", "%s %Y", "new"}, {"truncate", "-s", "5000", "new"}, {"stat", "-c", "%s", "new"}}, listing: true},
	{name: "basename-dirname", args: []string{"basename", "/a/b/c.txt", ".txt"}, then: [][]string{{"dirname", "/a/b/c.txt"}}},
	{name: "nl-tac-rev", args: []string{"nl", "tree/sub/c.txt"}, then: [][]string{{"tac", "tree/sub/c.txt"}, {"rev", "tree/sub/c.txt"}}},
	{name: "paste-fold", args: []string{"paste", "-d", ",", "tree/a.txt", "tree/sub/c.txt"}, then: [][]string{{"fold", "-w", "7", "input.txt"}}},
	{name: "crc32-sha3sum", args: []string{"crc32", "input.txt"}, then: [][]string{{"sha3sum", "input.txt"}}},
	{name: "tee", args: []string{"tee", "out.txt", "tree/new.txt"}, stdin: "teed\n", listing: true},
	{name: "mkfifo-stat", args: []string{"mkfifo", "-m", "600", "fifo"}, then: [][]string{{"stat", "-c", "%n %F %a", "fifo"}}, listing: true},
	{name: "which", args: []string{"which", "busybox"}},
	{name: "tty", args: []string{"tty"}, status: 1},
	{name: "expand-dos2unix", args: []string{"expand", "-t", "4"}, stdin: "a\tb\tc\r\n", then: [][]string{{"dos2unix", "-d", "tree/a.txt"}}},
	{name: "uuencode", args: []string{"uuencode", "tree/b.dat", "b.dat"}},
	{name: "rmdir-unlink", args: []string{"rmdir", "tree/empty"}, then: [][]string{{"unlink", "tree/link"}}, listing: true},
	{name: "chmod", args: []string{"chmod", "-R", "go-rwx", "tree"}, listing: true},
	{name: "cut-uniq", args: []string{"sh", "-c", "cut -d' ' -f3 input.txt | sort | uniq -c"}},
	{name: "sh-arith", args: []string{"sh", "-c", "i=0; s=0; while [ $i -lt 50 ]; do s=$((s + i * i)); i=$((i + 1)); done; echo $s"}},
	{name: "factor", args: []string{"factor", "1234567890123", "4294967291"}},
	{name: "dc", args: []string{"dc", "-e", "2 100 ^ p"}},
	{name: "proc-self", args: []string{"cat", "/proc/self/cmdline", "/proc/self/comm"}, then: [][]string{{"readlink", "/proc/self/exe"}}},
	{name: "false", args: []string{"false"}, status: 1},

	// Shell command lines: processes, pipes and redirections (issue #8).
	{name: "sh-pipeline", args: sh("seq 1 20000 | sort -rn | head -3")},
	{name: "sh-pipeline-big", args: sh("seq 1 100000 | wc -c; cat input.txt input.txt | sort | uniq | wc -l")},
	{name: "sh-pipeline-status", args: sh("false | true; echo $?; true | false; echo $?; ! false && echo negated")},
	{name: "sh-cmdsubst", args: sh(`echo "lines: $(wc -l < input.txt)"; x=$(echo a; echo b); echo $x; echo $(echo $(echo deep))`)},
	{name: "sh-subshell", args: sh("(cd tree/sub && cat c.txt | wc -l); ls; echo \"x y\" | (read a b; echo $b $a)")},
	{name: "sh-and-or", args: sh("true && echo yes || echo no; false && echo yes || echo no; [ -f input.txt ] && [ ! -f nope ] && echo both")},
	{name: "sh-for", args: sh(`for f in tree/*.txt tree/sub/*.txt; do echo "$f $(wc -c < $f)"; done`)},
	{name: "sh-while-read", args: sh(`while read l n w1 w2 k; do echo "$w1"; done < input.txt | sort | uniq -c | sort -rn | head -3`)},
	{name: "sh-while-count", args: sh(`i=0; while [ $i -lt 20 ]; do i=$((i+1)); [ $((i % 7)) -eq 0 ] && echo seven $i; done; echo end $i`)},
	{name: "sh-xargs", args: sh("echo 1 2 3 | xargs -n1 echo item; find tree -name '*.txt' | sort | xargs wc -l")},
	{name: "sh-redirect", args: sh("echo one > out.txt; echo two >> out.txt; cat < out.txt; ls nonexistent 2> err.txt; echo status $?; cat err.txt; wc -l < out.txt"), listing: true},
	{name: "sh-redirect-fd", args: sh("exec 3> fd3.txt; echo via3 >&3; echo more >&3; exec 3>&-; cat fd3.txt; { echo to-stderr >&2; } 2>&1 | tr a-z A-Z"), listing: true},
	{name: "sh-heredoc", args: sh("cat <<EOF | tr a-z A-Z\nhello $((6*7))\nworld\nEOF")},
	{name: "sh-exit-7", args: sh("echo before; exit 7; echo after"), status: 7},
	{name: "sh-child-status", args: sh("sh -c 'exit 3'; echo $?; sh -c 'kill -9 $$'; echo $?; nosuchcommand 2>/dev/null; echo $?")},
	{name: "sh-background-wait", args: sh("(echo a > a.out) & (echo b > b.out) & sleep 0.01 & wait; cat a.out b.out; echo waited $?")},
	{name: "sh-kill-term", args: sh("sleep 10 & p=$!; kill -TERM $p; wait $p; echo status $?")},
	{name: "sh-kill-0", args: sh("kill -0 $$ && echo alive; sh -c 'kill -0 $PPID' && echo parent alive")},
	{name: "sh-script", args: sh("printf '#!/usr/bin/busybox sh\\necho from script $# \"$1\"\\nexit 3\\n' > s.sh; chmod +x s.sh; ./s.sh 'an arg' two; echo status $?"), listing: true},
	{name: "sh-functions", args: sh("f() { echo f $1; [ $1 -gt 0 ] && f $(($1 - 1)); return 0; }; f 3; g() (echo in subshell $1); g x")},
	{name: "sh-env-child", args: sh("FOO=bar sh -c 'echo $FOO'; export BAZ=qux; sh -c 'echo $BAZ'; env | grep -c BAZ")},
	{name: "sh-exec", args: sh("exec echo replaced; echo not reached")},
	{name: "sh-set-e", args: sh("set -e; echo one; false; echo not reached"), status: 1},
	{name: "sh-trap", args: sh("trap 'echo trapped' EXIT; echo body; (trap 'echo sub' EXIT; echo in sub)")},
	{name: "sh-tee", args: sh("seq 5 | tee t.out | wc -l; cat t.out"), listing: true},
	{name: "sh-awk-sed", args: sh("seq 100 | awk '{s+=$1} END {print s}' | sed 's/^/sum=/'; grep gamma input.txt | cut -d: -f1 | tail -3")},
	{name: "sh-sigpipe", args: sh("yes | head -3; seq 1 200000 | tail -1; seq 1000 | gzip | gunzip | md5sum")},
	{name: "sh-case", args: sh(`for x in a1 b2 c3; do case $x in a*) echo A;; b*) echo B;; *) echo other;; esac; done`)},
}

// sh is the arguments of a busybox shell running a command line.
func sh(cmd string) []string { return []string{"sh", "-c", cmd} }

// result is what one run produced, or what a golden file expects.
type result struct {
	stdout []byte
	stderr []byte
	status int // exit status; 128+N when killed by signal N

	// digest is set instead of stdout by golden files of large outputs:
	// the hex SHA-256 of stdout.
	digest string
}

// goldenInlineMax is the largest stdout a golden file holds verbatim;
// larger ones are kept as a SHA-256 digest.
const goldenInlineMax = 64 << 10

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// stdoutDiff describes how got's stdout differs from want's, or returns
// "" if they are the same. wantName and gotName label the two sides.
func stdoutDiff(want result, got []byte, wantName, gotName string) string {
	if want.digest != "" {
		if d := sha256Hex(got); d != want.digest {
			return fmt.Sprintf("%s stdout (%d bytes) has SHA-256 %s, %s expects %s; run on linux/amd64 to see the lines that differ",
				gotName, len(got), d, wantName, want.digest)
		}
		return ""
	}
	if bytes.Equal(want.stdout, got) {
		return ""
	}
	return fmt.Sprintf("stdout differs (-%s +%s):\n%s", wantName, gotName, firstDiff(want.stdout, got))
}

// guestEnv is the whole environment of every run, native or under gemu.
// It mentions no path of the run directory, so native and gemu runs see
// the same bytes.
func guestEnv() []string {
	return []string{
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"HOME=/nonexistent",
		"LANG=C",
		"LC_ALL=C",
		"TZ=UTC",
		"TMPDIR=.",
		"GEMU_TEST=1",
		"GEMU_TEST_WORDS=hello, world: ünïcødé",
	}
}

// hostRunsGuests reports whether guests can run natively here.
func hostRunsGuests() bool {
	return runtime.GOOS == "linux" && runtime.GOARCH == "amd64"
}

// run executes argv in dir with the guest environment and the timeout.
func run(t *testing.T, dir string, argv []string, stdin string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = guestEnv()
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s: no exit after %v (hang?)\nstdout:\n%s\nstderr:\n%s", strings.Join(argv, " "), runTimeout,
			clip(stdout.Bytes()), clip(stderr.Bytes()))
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("%s: %v", strings.Join(argv, " "), err)
	}
	return result{stdout: stdout.Bytes(), stderr: stderr.Bytes(), status: exitStatus(cmd.ProcessState)}
}

// exitStatus maps a process's end to a shell-style status.
func exitStatus(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}

// runDir makes a fresh directory holding a symlink NAME -> prog, so the
// guest is started as ./NAME (argv[0] and AT_EXECFN are the same in every
// run) without copying the file.
func runDir(t *testing.T, prog string) (dir, argv0 string) {
	t.Helper()
	dir = t.TempDir()
	name := filepath.Base(prog)
	if err := os.Symlink(prog, filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
	return dir, "./" + name
}

// runNative runs prog natively in a fresh directory.
func runNative(t *testing.T, prog string, args []string, stdin string) result {
	t.Helper()
	dir, argv0 := runDir(t, prog)
	return run(t, dir, append([]string{argv0}, args...), stdin)
}

// runGemu runs prog under gemu in a fresh directory.
func runGemu(t *testing.T, prog string, args []string, stdin string) result {
	t.Helper()
	dir, argv0 := runDir(t, prog)
	argv := append([]string{gemuBin}, strings.Fields(*gemuOpts)...)
	argv = append(argv, argv0)
	return run(t, dir, append(argv, args...), stdin)
}

// compare fails t unless got (under gemu) matches want (native).
func compare(t *testing.T, want, got result) {
	t.Helper()
	if got.status != want.status {
		t.Errorf("exit status: gemu %d, native %d", got.status, want.status)
	}
	if sig := want.status - 128; sig > 0 && sig < 65 {
		line := fmt.Sprintf("guest killed by signal %d", sig)
		if !bytes.Contains(got.stderr, []byte(line)) {
			t.Errorf("gemu's stderr lacks %q", line)
		}
	}
	if d := stdoutDiff(want, got.stdout, "native", "gemu"); d != "" {
		t.Error(d)
	}
	if t.Failed() {
		t.Logf("gemu stderr:\n%s", clip(got.stderr))
	}
}

// firstDiff describes where two outputs first differ, by line.
func firstDiff(want, got []byte) string {
	wl, gl := lines(want), lines(got)
	i := 0
	for i < len(wl) && i < len(gl) && wl[i] == gl[i] {
		i++
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d bytes vs %d bytes; first difference at line %d\n", len(want), len(got), i+1)
	for j := max(0, i-2); j < i; j++ {
		fmt.Fprintf(&b, "  %q\n", wl[j])
	}
	side := func(prefix string, l []string) {
		for j := i; j < len(l) && j < i+3; j++ {
			fmt.Fprintf(&b, "%s %q\n", prefix, l[j])
		}
		if i >= len(l) {
			fmt.Fprintf(&b, "%s (end of output)\n", prefix)
		}
	}
	side("-", wl)
	side("+", gl)
	return b.String()
}

// lines splits output after each newline; a final partial line counts.
func lines(b []byte) []string {
	l := strings.SplitAfter(string(b), "\n")
	if l[len(l)-1] == "" {
		l = l[:len(l)-1]
	}
	return l
}

// clip shortens long output for a failure message.
func clip(b []byte) string {
	const max = 4096
	if len(b) > max {
		return string(b[:max]) + fmt.Sprintf("\n... (%d more bytes)", len(b)-max)
	}
	return string(b)
}

func goldenPath(name string) string { return filepath.Join("testdata", name+".golden") }

// Golden file format: comment lines starting with '#', a "status: N"
// line, then either a "stdout:" line followed by the exact stdout bytes to
// the end of the file, or (for stdout over goldenInlineMax bytes) a
// "stdout-sha256: HEX" line.
func formatGolden(c guestCase, r result) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Native run of bin/%s", c.bin)
	for _, a := range c.args {
		if len(a) > 40 {
			a = fmt.Sprintf("<%d bytes>", len(a))
		}
		fmt.Fprintf(&b, " %q", a)
	}
	b.WriteString(" on linux/amd64.\n# Regenerate with: go test ./testguests/ -update\n")
	fmt.Fprintf(&b, "status: %d\n", r.status)
	if len(r.stdout) > goldenInlineMax {
		fmt.Fprintf(&b, "# stdout is %d bytes, kept as its digest\nstdout-sha256: %s\n", len(r.stdout), sha256Hex(r.stdout))
		return b.Bytes()
	}
	b.WriteString("stdout:\n")
	b.Write(r.stdout)
	return b.Bytes()
}

func parseGolden(data []byte) (result, error) {
	var r result
	rest := data
	haveStatus := false
	for {
		line, after, ok := bytes.Cut(rest, []byte("\n"))
		if !ok {
			return r, errors.New("no \"stdout:\" or \"stdout-sha256:\" line")
		}
		rest = after
		switch s := string(line); {
		case strings.HasPrefix(s, "#"):
		case strings.HasPrefix(s, "status: "):
			n, err := strconv.Atoi(strings.TrimPrefix(s, "status: "))
			if err != nil {
				return r, fmt.Errorf("bad status line %q", s)
			}
			r.status, haveStatus = n, true
		case !haveStatus:
			return r, fmt.Errorf("unexpected line %q before \"status:\"", s)
		case s == "stdout:":
			r.stdout = rest
			return r, nil
		case strings.HasPrefix(s, "stdout-sha256: "):
			d := strings.TrimPrefix(s, "stdout-sha256: ")
			if raw, err := hex.DecodeString(d); err != nil || len(raw) != sha256.Size || len(rest) != 0 {
				return r, fmt.Errorf("bad digest line %q", s)
			}
			r.digest = d
			return r, nil
		default:
			return r, fmt.Errorf("unexpected line %q", s)
		}
	}
}

func readGolden(name string) (result, error) {
	data, err := os.ReadFile(goldenPath(name))
	if err != nil {
		return result{}, err
	}
	r, err := parseGolden(data)
	if err != nil {
		return r, fmt.Errorf("%s: %v", goldenPath(name), err)
	}
	return r, nil
}

// TestGuests runs every guest natively and under gemu and compares them.
// Subtests: bin/CASE (committed binaries), gcc-O2/CASE and musl-O2/CASE (C
// guests rebuilt from source), busybox/CASE.
func TestGuests(t *testing.T) {
	t.Run("bin", testCommitted)
	for _, cc := range compilers {
		t.Run(cc.name, func(t *testing.T) {
			if *update {
				t.Skip("-update only rewrites the golden files of bin/")
			}
			if !hostRunsGuests() {
				t.Skipf("compiled variants need a native run to compare with; host is %s/%s", runtime.GOOS, runtime.GOARCH)
			}
			path, err := exec.LookPath(cc.cc)
			if err != nil {
				t.Skipf("%s not found: %v", cc.cc, err)
			}
			b := &builder{cc: path, args: cc.args, dir: t.TempDir()}
			for _, c := range guests {
				if c.src == "" {
					continue
				}
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					prog := b.build(t, c.src)
					want := runNative(t, prog, c.args, c.stdin)
					if want.status != c.status {
						t.Errorf("native run exited %d, the case table says %d", want.status, c.status)
					}
					compare(t, want, runGemu(t, prog, c.args, c.stdin))
				})
			}
		})
	}
	t.Run("busybox", testBusybox)
}

// testCommitted runs the committed binaries: against native runs on
// linux/amd64 (which must also still match the golden files), against the
// golden files elsewhere.
func testCommitted(t *testing.T) {
	if *update && !hostRunsGuests() {
		t.Fatalf("-update needs a linux/amd64 host to run the guests natively; this is %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	binDir, err := filepath.Abs("bin")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range guests {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			prog := filepath.Join(binDir, c.bin)
			if _, err := os.Stat(prog); err != nil {
				t.Fatalf("%v (rebuild with make -C testguests)", err)
			}
			var want result
			if hostRunsGuests() {
				want = runNative(t, prog, c.args, c.stdin)
				if want.status != c.status {
					t.Errorf("native run exited %d, the case table says %d", want.status, c.status)
				}
				if *update {
					if err := os.WriteFile(goldenPath(c.name), formatGolden(c, want), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				golden, err := readGolden(c.name)
				switch {
				case err != nil:
					t.Errorf("%v (generate with go test ./testguests/ -update)", err)
				case golden.status != want.status:
					t.Errorf("native run exited %d, %s says %d (stale after a rebuild? regenerate with go test ./testguests/ -update)",
						want.status, goldenPath(c.name), golden.status)
				default:
					if d := stdoutDiff(golden, want.stdout, "golden", "native"); d != "" {
						t.Errorf("native run no longer matches %s (stale after a rebuild? regenerate with go test ./testguests/ -update):\n%s",
							goldenPath(c.name), d)
					}
				}
			} else {
				want, err = readGolden(c.name)
				if err != nil {
					t.Fatalf("%v (golden files are made on linux/amd64 with go test ./testguests/ -update)", err)
				}
			}
			compare(t, want, runGemu(t, prog, c.args, c.stdin))
		})
	}
}

// builder compiles C guests once per source, for parallel subtests.
type builder struct {
	cc   string
	args []string
	dir  string

	mu    sync.Mutex
	built map[string]*buildOnce
}

type buildOnce struct {
	once sync.Once
	prog string
	err  error
}

func (b *builder) build(t *testing.T, src string) string {
	t.Helper()
	b.mu.Lock()
	if b.built == nil {
		b.built = map[string]*buildOnce{}
	}
	o := b.built[src]
	if o == nil {
		o = &buildOnce{}
		b.built[src] = o
	}
	b.mu.Unlock()
	o.once.Do(func() {
		o.prog = filepath.Join(b.dir, strings.TrimSuffix(filepath.Base(src), ".c"))
		args := append(append([]string{}, b.args...), "-o", o.prog, src, "-lm", "-lpthread")
		if msg, err := exec.Command(b.cc, args...).CombinedOutput(); err != nil {
			o.err = fmt.Errorf("%s %s: %v\n%s", b.cc, strings.Join(args, " "), err, msg)
		}
	})
	if o.err != nil {
		t.Fatal(o.err)
	}
	return o.prog
}

// testBusybox compares busybox applets natively and under gemu.
func testBusybox(t *testing.T) {
	const busybox = "/usr/bin/busybox"
	if *update {
		t.Skip("-update only rewrites the golden files of bin/")
	}
	if !hostRunsGuests() {
		t.Skipf("busybox cases need a native run to compare with; host is %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	f, err := goelf.Open(busybox)
	if err != nil {
		t.Skipf("no usable %s (install Debian's busybox-static): %v", busybox, err)
	}
	machine, dynamic := f.Machine, false
	for _, p := range f.Progs {
		dynamic = dynamic || p.Type == goelf.PT_INTERP
	}
	f.Close()
	if machine != goelf.EM_X86_64 {
		t.Skipf("%s is not an x86-64 program (%v)", busybox, machine)
	}
	if dynamic {
		t.Skipf("%s is dynamically linked; these cases want Debian's busybox-static", busybox)
	}
	var mu sync.Mutex
	passed, applets := 0, map[string]bool{}
	t.Cleanup(func() {
		t.Logf("busybox: %d cases pass, covering %d applets", passed, len(applets))
	})
	for _, c := range busyboxCases {
		t.Run(c.name, func(t *testing.T) {
			if c.needsFork {
				t.Skip("needs fork (issue #8)")
			}
			t.Parallel()
			steps := append([][]string{c.args}, c.then...)
			want := runBusybox(t, busybox, steps, c.stdin, c.listing, false)
			if want.status == 127 && bytes.Contains(want.stderr, []byte("applet not found")) {
				t.Skipf("%s has no such applet: %s", busybox, bytes.TrimSpace(want.stderr))
			}
			if want.status != c.status {
				t.Errorf("native run exited %d, the case table says %d\nstderr: %s", want.status, c.status, clip(want.stderr))
			}
			compare(t, want, runBusybox(t, busybox, steps, c.stdin, c.listing, true))
			if !t.Failed() {
				mu.Lock()
				passed++
				for _, s := range steps {
					applets[s[0]] = true
				}
				mu.Unlock()
			}
		})
	}
}

// runBusybox runs busybox by its absolute path (so argv[0] is the same
// both ways) in a fresh directory holding input.txt and the fixed tree:
// each step in turn while they exit 0. With listing, a description of the
// directory's contents afterwards is appended to stdout.
func runBusybox(t *testing.T, busybox string, steps [][]string, stdin string, listing, underGemu bool) result {
	t.Helper()
	dir := t.TempDir()
	stdin = makeBusyboxTree(t, dir, stdin)
	var all result
	for _, args := range steps {
		argv := []string{busybox}
		if underGemu {
			argv = append(append([]string{gemuBin}, strings.Fields(*gemuOpts)...), busybox)
		}
		r := run(t, dir, append(argv, args...), stdin)
		all.stdout = append(all.stdout, r.stdout...)
		all.stderr = append(all.stderr, r.stderr...)
		all.status = r.status
		if r.status != 0 {
			break
		}
	}
	if listing {
		all.stdout = append(all.stdout, dirListing(t, dir)...)
	}
	return all
}

// TestCaseTable checks that every committed binary and every C source has
// a case, and every case's binary exists.
// testedElsewhere lists guests that need gemu options (so have no native
// counterpart) and are run by the tests of another package.
var testedElsewhere = map[string]string{
	"hypertrace-demo":    "cmd/gemu/hypertrace_test.go",
	"hypertrace-rules":   "cmd/gemu/hypertrace_test.go",
	"hypertrace-threads": "cmd/gemu/threads_test.go",
	"gohypertrace":       "cmd/gemu/hypertrace_test.go",
	"hypertrace-fork":    "cmd/gemu/process_test.go",
	// Times its forks (a 512 MiB heap): BenchmarkFork512MiB.
	"forkbench": "cmd/gemu/process_test.go",
	// The benchmark's guest, and its native counterpart that reproduces
	// the original QEMU design (it needs SIGSEGV handlers, so it runs only
	// natively): cmd/gemu/bench_test.go and bench/hypertrace.sh.
	"hypertrace-bench":   "cmd/gemu/bench_test.go",
	"hypertrace-replica": "cmd/gemu/bench_test.go (native only)",
}

func TestCaseTable(t *testing.T) {
	known := map[string]bool{}
	srcs := map[string]bool{}
	for name := range testedElsewhere {
		known[name] = true
		srcs["c/"+name+".c"] = true
	}
	for _, c := range guests {
		known[c.bin] = true
		if c.src != "" {
			srcs[c.src] = true
			if _, err := os.Stat(c.src); err != nil {
				t.Errorf("case %s: %v", c.name, err)
			}
		}
		if _, err := os.Stat(filepath.Join("bin", c.bin)); err != nil {
			t.Errorf("case %s: %v (rebuild with make -C testguests)", c.name, err)
		}
	}
	entries, err := os.ReadDir("bin")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !known[e.Name()] {
			t.Errorf("bin/%s has no case in the guests table", e.Name())
		}
	}
	cfiles, err := filepath.Glob("c/*.c")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range cfiles {
		if !srcs[filepath.ToSlash(f)] {
			t.Errorf("%s has no case in the guests table", f)
		}
	}
}

// TestGolden checks the golden file format round trip, inline and as a
// digest.
func TestGolden(t *testing.T) {
	c := guestCase{name: "x", bin: "x", args: []string{"a b", longArg}}
	small := []byte("status: 3\nstdout:\nline\n# not a comment\n")
	big := bytes.Repeat([]byte("0123456789abcdef\n"), goldenInlineMax/16)
	for _, in := range []result{{stdout: small, status: 139}, {stdout: big, status: 0}, {status: 1}} {
		out, err := parseGolden(formatGolden(c, in))
		if err != nil {
			t.Fatal(err)
		}
		if out.status != in.status {
			t.Errorf("round trip: status %d, want %d", out.status, in.status)
		}
		if d := stdoutDiff(out, in.stdout, "golden", "input"); d != "" {
			t.Errorf("round trip of %d bytes: %s", len(in.stdout), d)
		}
		if d := stdoutDiff(out, append(in.stdout, 'x'), "golden", "input"); d == "" {
			t.Errorf("%d bytes: a changed stdout still matches", len(in.stdout))
		}
	}
	for _, bad := range []string{
		"", "status: 1\n", "stdout:\n", "status: x\nstdout:\n", "junk\nstatus: 0\nstdout:\n",
		"status: 0\nstdout-sha256: 12\n", "status: 0\nstdout-sha256: " + sha256Hex(nil) + "\nextra",
	} {
		if _, err := parseGolden([]byte(bad)); err == nil {
			t.Errorf("parseGolden(%q) succeeded", bad)
		}
	}
}
