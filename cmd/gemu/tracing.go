package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"gemu/hypertrace"
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
}

// startTracing opens the tracer and the hypertrace channel.
func startTracing(o *options, log, stderr io.Writer) (*session, error) {
	s := &session{stderr: stderr}
	if len(o.traces) == 0 && o.hypertrace == nil {
		return s, nil
	}
	pid := os.Getpid()
	traces := o.traces
	if o.hypertrace != nil && len(traces) == 0 {
		// A channel without -trace logs its events, as QEMU's log backend
		// does with -trace guest_hypertrace.
		traces = []trace.Option{{Pattern: "guest_hypertrace"}}
	}
	tr, err := trace.New(trace.Config{Options: traces, Log: log, PID: pid, LogLineBuffered: isTerminal(log)})
	if err != nil {
		return nil, err
	}
	s.tracer = tr
	if o.hypertrace != nil {
		ch, err := hypertrace.Open(hypertrace.Config{
			Options: *o.hypertrace, Tracer: tr, PID: pid,
			Log: log, GuestErrors: o.guestErrors,
		})
		if err != nil {
			tr.Close()
			return nil, err
		}
		s.channel = ch
	}
	s.catchSignals()
	return s, nil
}

// catchSignals makes SIGINT, SIGTERM and SIGHUP clean up before gemu dies
// of the signal, so the exit status is the signal's usual one.
func (s *session) catchSignals() {
	s.sigc = make(chan os.Signal, 1)
	s.done = make(chan struct{})
	signal.Notify(s.sigc, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		select {
		case sig := <-s.sigc:
			s.close()
			signal.Reset(sig)
			syscall.Kill(os.Getpid(), sig.(syscall.Signal))
			time.Sleep(time.Second) // the signal kills us; exit if it is blocked
			os.Exit(128 + int(sig.(syscall.Signal)))
		case <-s.done:
		}
	}()
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
