package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"gemu/hypertrace"
	"gemu/internal/abi/linux"
	"gemu/syscalls"
	"gemu/trace"
	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"
)

// hypertraceEnv is read when -hypertrace is not given, as QEMU's user mode
// reads QEMU_* variables.
const hypertraceEnv = "GEMU_HYPERTRACE"

// hypertraceOptions returns the -hypertrace options (or those of
// $GEMU_HYPERTRACE), nil when neither is set.
func hypertraceOptions(ctx *cli.Context) (*hypertrace.Options, error) {
	v := ctx.String("hypertrace")
	if !ctx.IsSet("hypertrace") {
		env, ok := os.LookupEnv(hypertraceEnv)
		if !ok {
			return nil, nil
		}
		v = env
	}
	o, err := hypertrace.ParseOptions(v)
	if err != nil {
		if !ctx.IsSet("hypertrace") {
			err = fmt.Errorf("%s: %v", hypertraceEnv, err)
		}
		return nil, &usageError{msg: err.Error()}
	}
	return &o, nil
}

// printTraceEvents prints the declarations of gemu's events in QEMU's
// trace-events syntax, for the arguments count of the -hypertrace options
// given (1 by default).
func printTraceEvents(ctx *cli.Context, w io.Writer) error {
	o := hypertrace.Options{Args: 1}
	if ht, err := hypertraceOptions(ctx); err != nil {
		return err
	} else if ht != nil {
		o = *ht
	}
	fmt.Fprintln(w, hypertrace.EventType(o).Declaration())
	return nil
}

// session owns what must be cleaned up on every exit path: the trace
// sinks (flushed) and the hypertrace channel files (removed).
type session struct {
	once    sync.Once
	tracer  *trace.Tracer
	channel *hypertrace.Channel
	stderr  io.Writer
	sigc    chan os.Signal
	done    chan struct{}
	target  chan signalTarget
	// proc is the first guest process once it exists: it knows which
	// guest process and thread every vCPU runs (events of forked
	// processes carry their own pid).
	proc atomic.Pointer[syscalls.Process]
}

// setProcess makes the guest's process table known to the event sources.
func (s *session) setProcess(p *syscalls.Process) { s.proc.Store(p) }

// task maps a vCPU to the guest pid and tid running on it.
func (s *session) task(cpu int) (pid, tid int, ok bool) {
	if p := s.proc.Load(); p != nil {
		return p.Task(cpu)
	}
	return 0, 0, false
}

// startTracing opens the tracer and the hypertrace channel.
func startTracing(o *options, log, stderr io.Writer, pid int, clock syscalls.Clock) (*session, error) {
	s := &session{stderr: stderr}
	s.catchSignals()
	if len(o.traces) == 0 && o.hypertrace == nil {
		return s, nil
	}
	traces := o.traces
	if o.hypertrace != nil && len(traces) == 0 {
		// A channel without -trace logs its events, as QEMU's log backend
		// does with -trace guest_hypertrace.
		traces = []trace.Option{{Pattern: "guest_hypertrace"}}
	}
	tcfg := trace.Config{Options: traces, Log: log, PID: pid, LogLineBuffered: isTerminal(log)}
	if clock.Virtual() {
		// Event times from the guest's virtual clock: reproducible traces.
		tcfg.Clock = func() (int64, int64) { return clock.Realtime(), clock.Monotonic() }
	}
	tr, err := trace.New(tcfg)
	if err != nil {
		s.stop()
		return nil, err
	}
	s.tracer = tr
	if o.hypertrace != nil {
		ch, err := hypertrace.Open(hypertrace.Config{
			Options: *o.hypertrace, Tracer: tr, PID: pid, Task: s.task,
			Log: log, GuestErrors: o.guestErrors,
		})
		if err != nil {
			s.stop()
			return nil, err
		}
		s.channel = ch
	}
	return s, nil
}

// forwardedSignals are the host signals gemu passes to the guest: with a
// guest handler it runs; with the default action the guest (and gemu)
// ends with status 128+signal after cleaning up.
var forwardedSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT,
	syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH, syscall.SIGALRM}

// signalTarget receives the signals gemu forwards (*syscalls.Process).
type signalTarget interface {
	HostSignal(sig linux.Signal)
}

// catchSignals starts catching the forwarded signals. Until the guest
// exists (forwardSignals), SIGINT, SIGTERM and SIGHUP clean up and end
// gemu with the signal; the others are ignored.
func (s *session) catchSignals() {
	s.sigc = make(chan os.Signal, 8)
	s.done = make(chan struct{})
	s.target = make(chan signalTarget, 1)
	signal.Notify(s.sigc, forwardedSignals...)
	go func() {
		var target signalTarget
		for {
			select {
			case sig := <-s.sigc:
				n := sig.(syscall.Signal)
				if target != nil {
					target.HostSignal(linux.Signal(n))
					continue
				}
				if n != syscall.SIGINT && n != syscall.SIGTERM && n != syscall.SIGHUP {
					continue
				}
				s.close()
				signal.Reset(sig)
				syscall.Kill(os.Getpid(), n)
				time.Sleep(time.Second) // the signal kills us; exit if it is blocked
				os.Exit(128 + int(n))
			case target = <-s.target:
			case <-s.done:
				return
			}
		}
	}()
}

// forwardSignals sends the caught signals to the guest from now on.
func (s *session) forwardSignals(t signalTarget) {
	if s.sigc == nil {
		s.catchSignals()
	}
	s.target <- t
}

// mmapFilters returns the hooks the syscall layer needs.
func (s *session) mmapFilters() []syscalls.MmapFilter {
	if s.channel == nil {
		return nil
	}
	return []syscalls.MmapFilter{s.channel}
}

// close flushes the sinks and removes the channel files; it runs once,
// whichever exit path gets there first.
func (s *session) close() {
	s.once.Do(func() {
		if s.channel != nil {
			if err := s.channel.Close(); err != nil {
				fmt.Fprintf(s.stderr, "gemu: hypertrace: %v\n", err)
			}
		}
		if s.tracer != nil {
			if err := s.tracer.Close(); err != nil {
				fmt.Fprintf(s.stderr, "gemu: %v\n", err)
			}
		}
	})
}

// stop ends signal catching and cleans up.
func (s *session) stop() {
	if s.sigc != nil {
		signal.Stop(s.sigc)
		close(s.done)
	}
	s.close()
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
