// Package trace records gemu's trace events and writes them to sinks in
// QEMU-compatible formats:
//
//   - log: QEMU's log backend text, one line per event,
//     "PID@SEC.USEC:name arg=value ...";
//   - simple: QEMU's simpletrace binary format (version 4), readable by
//     QEMU's scripts/simpletrace.py given the lines [EventType.Declaration]
//     prints;
//   - json: the Chrome trace-event format, which Perfetto UI opens.
//
// A Tracer owns the sinks selected by -trace options; every sink is
// buffered and flushed by Close, which callers run on every exit path.
// The package knows nothing of hypertrace: event types are registered by
// their producers.
package trace
