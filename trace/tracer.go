package trace

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Clock returns the wall-clock and monotonic time in nanoseconds.
type Clock func() (wall, mono int64)

// HostClock is the host's clock. Both values come from one read of the
// monotonic clock, anchored at the wall-clock time HostClock was called:
// an event costs one clock read (about 30 ns on a KVM guest, against 55
// for time.Now's wall and monotonic pair), and a wall-clock step during
// the run (settimeofday, an NTP step) does not show in the timestamps.
func HostClock() Clock {
	start := time.Now()
	base := start.UnixNano()
	return func() (int64, int64) {
		t := base + int64(time.Since(start))
		return t, t
	}
}

// Config configures a Tracer.
type Config struct {
	Options []Option
	// Log receives the events of log sinks without a file (the -D file or
	// stderr).
	Log io.Writer
	// PID is the process id recorded in events; it also names default
	// trace files ("trace-PID", "trace-PID.json").
	PID int
	// Clock stamps events; nil means HostClock.
	Clock Clock
	// LogLineBuffered flushes Log after every event, so that events on a
	// terminal interleave with the guest's own output.
	LogLineBuffered bool
}

type output struct {
	opts []Option
	sink sink
	file *os.File // nil when writing to Config.Log
	name string
}

// Tracer fans events out to the sinks whose patterns enable them. Its
// methods are safe for concurrent use.
type Tracer struct {
	mu      sync.Mutex
	cfg     Config
	outs    []*output
	types   []*EventType
	routes  [][]*output // per event id: the outputs that record it
	closed  bool
	scratch Event
}

// New opens the sinks the options ask for. Files are created or truncated.
func New(cfg Config) (*Tracer, error) {
	if cfg.Clock == nil {
		cfg.Clock = HostClock()
	}
	t := &Tracer{cfg: cfg}
	_, start := cfg.Clock()
	byFile := map[string]*output{}
	for _, o := range cfg.Options {
		name := o.File
		if name == "" {
			switch o.Format {
			case FormatSimple:
				name = fmt.Sprintf("trace-%d", cfg.PID)
			case FormatJSON:
				name = fmt.Sprintf("trace-%d.json", cfg.PID)
			}
		}
		key := name
		if key != "" {
			if abs, err := filepath.Abs(name); err == nil {
				key = abs
			}
		}
		if out := byFile[key]; out != nil {
			if out.opts[0].Format != o.Format {
				t.Close()
				return nil, fmt.Errorf("-trace: %s used with two formats (%v and %v)", name, out.opts[0].Format, o.Format)
			}
			out.opts = append(out.opts, o)
			continue
		}
		out := &output{opts: []Option{o}, name: name}
		var w io.Writer = cfg.Log
		if name != "" {
			f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
			if err != nil {
				t.Close()
				return nil, fmt.Errorf("-trace: %v", err)
			}
			out.file, w = f, f
		}
		if w == nil {
			w = io.Discard
		}
		switch o.Format {
		case FormatSimple:
			out.sink = newSimpleSink(w)
		case FormatJSON:
			out.sink = newJSONSink(w, start)
		default:
			ls := newLogSink(w)
			ls.lineBuffered = out.file == nil && cfg.LogLineBuffered
			out.sink = ls
		}
		byFile[key] = out
		t.outs = append(t.outs, out)
	}
	return t, nil
}

// Register adds an event type and returns its id.
func (t *Tracer) Register(et *EventType) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	id := len(t.types)
	t.types = append(t.types, et)
	var route []*output
	for _, out := range t.outs {
		for i := range out.opts {
			if out.opts[i].matches(et.Name) {
				route = append(route, out)
				break
			}
		}
	}
	t.routes = append(t.routes, route)
	return id
}

// Enabled reports whether any sink records events of type id.
func (t *Tracer) Enabled(id int) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return id < len(t.routes) && len(t.routes[id]) > 0
}

// Emit records one event of type id. args must have one value per
// argument of the type. It reports the first write error of a sink.
func (t *Tracer) Emit(id, pid, tid int, args []uint64) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed || id >= len(t.routes) || len(t.routes[id]) == 0 {
		return nil
	}
	wall, mono := t.cfg.Clock()
	e := &t.scratch
	*e = Event{Type: t.types[id], ID: id, Time: wall, Mono: mono, PID: pid, TID: tid, Args: args}
	var first error
	for _, out := range t.routes[id] {
		if err := out.sink.emit(e); err != nil && first == nil {
			first = fmt.Errorf("trace %s: %w", out.describe(), err)
		}
	}
	return first
}

// Flush writes buffered events to their files.
func (t *Tracer) Flush() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	var errs []error
	for _, out := range t.outs {
		if err := out.sink.flush(); err != nil {
			errs = append(errs, fmt.Errorf("trace %s: %w", out.describe(), err))
		}
	}
	return errors.Join(errs...)
}

// Close finishes every sink (trailers included) and closes the files. It
// is idempotent; events emitted afterwards are dropped.
func (t *Tracer) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil
	}
	t.closed = true
	var errs []error
	for _, out := range t.outs {
		if out.sink != nil {
			if err := out.sink.finish(); err != nil {
				errs = append(errs, fmt.Errorf("trace %s: %w", out.describe(), err))
			}
		}
		if out.file != nil {
			if err := out.file.Close(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

func (o *output) describe() string {
	if o.name == "" {
		return "log"
	}
	return o.name
}
