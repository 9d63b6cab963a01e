package main

import (
	"encoding/binary"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"gemu/emu"
	"gemu/hypertrace"
	"gemu/loader/elf"
	"gemu/mmu"
	"gemu/syscalls"
	"gemu/trace"
	"github.com/urfave/cli/v2"
)

// version is gemu's version, printed by -version.
const version = "0.1.0"

// Exit statuses of gemu's own failures (the guest's status otherwise).
const (
	exitError = 1 // bad options, unloadable program, internal error
)

// debugItems are the -d log items, with their help text.
var debugItems = map[string]string{
	"unimp":        "report unimplemented system calls and instructions",
	"guest_errors": "report guest misuse of gemu's interfaces (hypertrace stores outside the protocol)",
}

// options is the parsed command line.
type options struct {
	program     string
	args        []string // guest argv[1:]
	argv0       string
	env         []string
	unimp       bool
	guestErrors bool
	logFile     string
	hypertrace  *hypertrace.Options
	traces      []trace.Option
	strace      bool
	prefix      string  // -L, canonical; "" for none
	seed        *uint64 // -seed: reproducible AT_RANDOM and getrandom
	icount      bool    // -icount: virtual time, fixed pid
	stats       bool    // -stats: print execution counters at exit
}

// usageError is a bad command line: one line, exit 1.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// doMain runs gemu with the given command line and standard files and
// returns the process exit status.
func doMain(argv []string, stdin, stdout, stderr *os.File) int {
	opts, status, done := parseArgs(argv, stdout, stderr)
	if done {
		return status
	}
	return run(opts, stdin, stdout, stderr)
}

// parseArgs parses the command line. done reports that gemu has nothing
// more to do (help, version, or a usage error) and must exit with status.
func parseArgs(argv []string, stdout, stderr io.Writer) (opts *options, status int, done bool) {
	var parsed *options
	app := &cli.App{
		Name:                      "gemu",
		Usage:                     "run x86-64 Linux programs",
		UsageText:                 "gemu [options] program [args...]",
		HideHelpCommand:           true,
		HideVersion:               true,
		DisableSliceFlagSeparator: true,
		Writer:                    stdout,
		ErrWriter:                 stderr,
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "E", Usage: "set `var=value` in the guest environment (repeatable)"},
			&cli.StringSliceFlag{Name: "U", Usage: "remove `var` from the guest environment (repeatable)"},
			&cli.StringFlag{Name: "0", Usage: "pass `argv0` as the guest's argv[0]"},
			&cli.StringFlag{Name: "d", Usage: "log `items` (comma list; -d help lists them)"},
			&cli.StringFlag{Name: "D", Usage: "write logs to `logfile` instead of stderr"},
			&cli.BoolFlag{Name: "strace", Usage: "log every system call in strace's format (on stderr or the -D file)"},
			&cli.StringFlag{Name: "L", Usage: "look absolute guest paths up under `prefix` first (or $" + ldPrefixEnv + ")"},
			&cli.StringFlag{Name: "hypertrace", Usage: "open a hypertrace channel: `[base=]PATH[,max-clients=N][,args=K]` (or $GEMU_HYPERTRACE)"},
			&cli.StringSliceFlag{Name: "trace", Usage: "record events: `[enable=]PATTERN[,file=FILE][,format=log|simple|json]` (repeatable)"},
			&cli.BoolFlag{Name: "trace-events", Usage: "print the trace-events declarations of gemu's events (for simpletrace.py) and exit"},
			&cli.StringFlag{Name: "seed", Usage: "seed AT_RANDOM and getrandom with `N` (reproducible runs)"},
			&cli.BoolFlag{Name: "icount", Usage: "virtual time: clocks advance 1 ns per guest instruction from 2026-01-01, the guest pid is 1000 (reproducible runs)"},
			&cli.BoolFlag{Name: "stats", Usage: "at exit, print instructions, blocks, system calls, hypertrace events, times and MIPS (on stderr or the -D file)"},
			&cli.BoolFlag{Name: "version", Usage: "print gemu's version and exit"},
		},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return &usageError{msg: err.Error()}
		},
		ExitErrHandler: func(*cli.Context, error) {},
		Action: func(ctx *cli.Context) error {
			if ctx.Bool("version") {
				fmt.Fprintf(stdout, "gemu version %s (%s, %s/%s host)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
				return nil
			}
			if ctx.Bool("trace-events") {
				return printTraceEvents(ctx, stdout)
			}
			o, err := buildOptions(ctx, stdout)
			if err != nil {
				return err
			}
			parsed = o
			return nil
		},
	}
	if err := app.Run(argv); err != nil {
		fmt.Fprintf(stderr, "gemu: %s\n", oneLine(err.Error()))
		return nil, exitError, true
	}
	if parsed == nil {
		return nil, 0, true // help or version
	}
	return parsed, 0, false
}

// buildOptions checks the parsed flags; a nil *options with a nil error
// means help was printed.
func buildOptions(ctx *cli.Context, stdout io.Writer) (*options, error) {
	o := &options{argv0: ctx.String("0"), logFile: ctx.String("D"), strace: ctx.Bool("strace"), icount: ctx.Bool("icount"), stats: ctx.Bool("stats")}
	if ctx.IsSet("seed") {
		n, err := strconv.ParseUint(ctx.String("seed"), 0, 64)
		if err != nil {
			return nil, &usageError{msg: fmt.Sprintf("-seed %q: expected a non-negative integer", ctx.String("seed"))}
		}
		o.seed = &n
	}
	prefix, err := ldPrefix(ctx)
	if err != nil {
		return nil, err
	}
	o.prefix = prefix
	if d := ctx.String("d"); d != "" {
		for _, item := range strings.Split(d, ",") {
			switch item {
			case "unimp":
				o.unimp = true
			case "guest_errors":
				o.guestErrors = true
			case "help":
				names := make([]string, 0, len(debugItems))
				for n := range debugItems {
					names = append(names, n)
				}
				sort.Strings(names)
				fmt.Fprintln(stdout, "Log items (comma separated):")
				for _, n := range names {
					fmt.Fprintf(stdout, "%-12s %s\n", n, debugItems[n])
				}
				return nil, nil
			default:
				return nil, &usageError{msg: fmt.Sprintf("-d: unknown log item %q (-d help lists them)", item)}
			}
		}
	}
	ht, err := hypertraceOptions(ctx)
	if err != nil {
		return nil, err
	}
	o.hypertrace = ht
	for _, v := range ctx.StringSlice("trace") {
		t, err := trace.ParseOption(v)
		if err != nil {
			return nil, &usageError{msg: err.Error()}
		}
		o.traces = append(o.traces, t)
	}
	if ctx.NArg() == 0 {
		return nil, &usageError{msg: "no program given (usage: gemu [options] program [args...]; gemu -h for help)"}
	}
	o.program = ctx.Args().First()
	o.args = ctx.Args().Tail()
	env, err := guestEnv(os.Environ(), ctx.StringSlice("E"), ctx.StringSlice("U"))
	if err != nil {
		return nil, err
	}
	o.env = env
	return o, nil
}

// guestEnv applies -E and -U to the host environment, keeping its order.
func guestEnv(host, set, unset []string) ([]string, error) {
	env := append([]string(nil), host...)
	remove := func(name string) {
		out := env[:0]
		for _, kv := range env {
			if k, _, _ := strings.Cut(kv, "="); k != name {
				out = append(out, kv)
			}
		}
		env = out
	}
	for _, name := range unset {
		if name == "" || strings.Contains(name, "=") {
			return nil, &usageError{msg: fmt.Sprintf("-U %q: expected a variable name", name)}
		}
		remove(name)
	}
	for _, kv := range set {
		name, _, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			return nil, &usageError{msg: fmt.Sprintf("-E %q: expected var=value", kv)}
		}
		remove(name)
		env = append(env, kv)
	}
	return env, nil
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// run loads and runs the guest and returns gemu's exit status.
func run(o *options, stdin, stdout, stderr *os.File) int {
	var rs *runStats
	if o.stats {
		rs = startStats()
	}
	log := io.Writer(stderr)
	if o.logFile != "" {
		f, err := os.OpenFile(o.logFile, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			fmt.Fprintf(stderr, "gemu: -D: %v\n", err)
			return exitError
		}
		defer f.Close()
		log = f
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "gemu: %s: %s\n", o.program, oneLine(err.Error()))
		return exitError
	}
	mem := mmu.NewSpace()
	defer mem.Close()
	machine := emu.NewMachine(emu.Config{Mem: mem, Log: log, Unimp: o.unimp, ICount: o.icount})
	pid := os.Getpid()
	if o.icount {
		pid = deterministicPID
	}
	sess, err := startTracing(o, log, stderr, pid, machine.Clock())
	if err != nil {
		fmt.Fprintf(stderr, "gemu: %s\n", oneLine(err.Error()))
		return exitError
	}
	defer sess.stop()

	exe, err := exePath(o.program)
	if err != nil {
		return fail(err)
	}
	img, err := elf.Load(mem, o.program)
	if err != nil {
		// The loader's errors already start with the program's path.
		fmt.Fprintf(stderr, "gemu: %s\n", oneLine(err.Error()))
		return exitError
	}
	argv := append([]string{o.program}, o.args...)
	if o.argv0 != "" {
		argv[0] = o.argv0
	}

	st := elf.Startup{
		Args: argv, Env: o.env, ExecFn: o.program,
		HWCap: emu.HWCap(),
		UID:   uint64(os.Getuid()), EUID: uint64(os.Geteuid()),
		GID: uint64(os.Getgid()), EGID: uint64(os.Getegid()),
	}
	auxRandom, guestRandom := randomSources(o.seed)
	if _, err := io.ReadFull(auxRandom, st.Random[:]); err != nil {
		return fail(err)
	}
	sp, auxv, err := elf.SetupStack(mem, img, st)
	if err != nil {
		return fail(err)
	}
	proc, err := syscalls.NewProcess(syscalls.Config{
		Stdin: stdin, Stdout: stdout, Stderr: stderr,
		Log: log, Unimp: o.unimp,
		Exe: exe, Args: argv, Env: o.env, Auxv: auxv,
		MmapFilters: sess.mmapFilters(),
		Clock:       machine.Clock(),
		Random:      guestRandom,
		PID:         pid,
		Comm:        filepath.Base(o.program),
		StackStart:  sp,
		Prefix:      o.prefix,
		Strace:      log,
	}, mem)
	if err != nil {
		return fail(err)
	}
	defer proc.Close()
	sess.setProcess(proc)
	var gos emu.SignalOS = proc
	if o.strace {
		gos = syscalls.Tracer{Process: proc}
	}
	if rs != nil {
		rs.machine = machine
		if sess.channel != nil {
			rs.events = sess.channel.Events
		}
		gos = rs.wrap(gos)
	}
	machine.SetOS(gos)
	machine.OnExit(proc.Exited)
	machine.SetChildOS(func(p *syscalls.Process) emu.OS {
		var child emu.SignalOS = p
		if o.strace {
			child = syscalls.Tracer{Process: p}
		}
		if rs != nil {
			child = rs.wrap(child)
		}
		return child
	})
	cpu := machine.NewCPU()
	cpu.SetReg(syscalls.RSP, sp)
	cpu.SetPC(img.Entry)
	sess.forwardSignals(proc)

	exit := cpu.Run()
	if rs != nil {
		rs.print(log)
	}
	switch {
	case exit.Err != nil:
		fmt.Fprintf(stderr, "gemu: %v\n", exit.Err)
		return exitError
	case exit.Signal != 0:
		fmt.Fprintf(stderr, "gemu: guest killed by signal %d (%s) at %#x: %s\n",
			int(exit.Signal), exit.Signal.Description(), exit.PC, exit.Reason)
		return 128 + int(exit.Signal)
	}
	return exit.Status & 0xff
}

// deterministicPID is the guest's pid under -icount, so that traces and
// outputs that show it are the same in every run.
const deterministicPID = 1000

// randomSources returns the AT_RANDOM bytes' source and getrandom's: the
// host's, or with -seed two ChaCha8 streams derived from the seed.
func randomSources(seed *uint64) (aux io.Reader, guest io.Reader) {
	if seed == nil {
		return hostRandom{}, nil
	}
	key := func(domain byte) [32]byte {
		var k [32]byte
		binary.LittleEndian.PutUint64(k[:], *seed)
		k[31] = domain
		return k
	}
	return mrand.NewChaCha8(key(1)), mrand.NewChaCha8(key(2))
}
