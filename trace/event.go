package trace

import (
	"fmt"
	"math/bits"
	"strings"
)

// ArgFormat says how an argument is shown in the log and json sinks.
type ArgFormat uint8

const (
	Decimal ArgFormat = iota // "cpu=3"
	Hex                      // "arg1=0x2a" (0x0 for zero)
)

// Arg describes one u64 argument of an event type.
type Arg struct {
	Name   string
	Format ArgFormat
}

// EventType is a kind of event: a name and its u64 arguments.
type EventType struct {
	Name string
	Args []Arg
}

// Declaration returns the trace-events line QEMU's tracetool and
// simpletrace.py read, e.g.
//
//	guest_hypertrace(uint64_t cpu, uint64_t arg1) "cpu=%" PRIu64 " arg1=0x%" PRIx64
func (et *EventType) Declaration() string {
	var params, format strings.Builder
	for i, a := range et.Args {
		if i > 0 {
			params.WriteString(", ")
			format.WriteString(` " `)
		} else {
			format.WriteString(`"`)
		}
		fmt.Fprintf(&params, "uint64_t %s", a.Name)
		if a.Format == Hex {
			fmt.Fprintf(&format, `%s=0x%%" PRIx64`, a.Name)
		} else {
			fmt.Fprintf(&format, `%s=%%" PRIu64`, a.Name)
		}
	}
	if len(et.Args) == 0 {
		format.WriteString(`""`)
	}
	return fmt.Sprintf("%s(%s) %s", et.Name, params.String(), format.String())
}

// Event is one occurrence of a registered event type.
type Event struct {
	Type *EventType
	ID   int   // the type's id in its Tracer
	Time int64 // nanoseconds: wall clock since the Unix epoch
	Mono int64 // nanoseconds: the Tracer's monotonic clock
	PID  int   // guest process id
	TID  int   // guest thread id
	Args []uint64
}

// appendHex formats v like C's %#x except that zero is "0x0".
func appendHex(b []byte, v uint64) []byte {
	const digits = "0123456789abcdef"
	n := 1
	if v != 0 {
		n = (bits.Len64(v) + 3) / 4
	}
	b = append(b, "0x0000000000000000"[:2+n]...)
	for i := len(b) - 1; v != 0; i-- {
		b[i] = digits[v&15]
		v >>= 4
	}
	return b
}
