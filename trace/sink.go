package trace

import (
	"bufio"
	"encoding/binary"
	"io"
	"strconv"
)

// sink writes events in one format to one buffered writer.
type sink interface {
	emit(e *Event) error
	// finish writes any trailer and flushes; the sink is unusable after.
	finish() error
	flush() error
}

// logSink writes QEMU log-backend lines.
type logSink struct {
	w            *bufio.Writer
	buf          []byte
	lineBuffered bool
	// prefix is "PID@SEC." of the last event, reused while its pid and
	// second stay the same.
	prefix    []byte
	prefixOK  bool
	prefixPID int
	prefixSec int64
	// labels holds, per event id, " name=" for each argument.
	labels [][]string
}

func newLogSink(w io.Writer) *logSink {
	return &logSink{w: bufio.NewWriterSize(w, 64<<10)}
}

func (s *logSink) emit(e *Event) error {
	sec, usec := e.Time/1e9, (e.Time%1e9)/1e3
	if !s.prefixOK || sec != s.prefixSec || e.PID != s.prefixPID {
		p := strconv.AppendInt(s.prefix[:0], int64(e.PID), 10)
		p = append(p, '@')
		p = strconv.AppendInt(p, sec, 10)
		s.prefix = append(p, '.')
		s.prefixOK, s.prefixPID, s.prefixSec = true, e.PID, sec
	}
	b := append(s.buf[:0], s.prefix...)
	for d := int64(100000); d > 1 && usec < d; d /= 10 {
		b = append(b, '0')
	}
	b = strconv.AppendInt(b, usec, 10)
	b = append(b, ':')
	b = append(b, e.Type.Name...)
	for i, label := range s.labelsOf(e) {
		b = append(b, label...)
		if e.Type.Args[i].Format == Hex {
			b = appendHex(b, e.Args[i])
		} else {
			b = strconv.AppendUint(b, e.Args[i], 10)
		}
	}
	b = append(b, '\n')
	s.buf = b
	_, err := s.w.Write(b)
	if err == nil && s.lineBuffered {
		err = s.w.Flush()
	}
	return err
}

// labelsOf returns " name=" for each argument of e's type, made once per
// event id (a registered type never changes).
func (s *logSink) labelsOf(e *Event) []string {
	if e.ID < len(s.labels) && len(s.labels[e.ID]) == len(e.Type.Args) {
		return s.labels[e.ID]
	}
	for len(s.labels) <= e.ID {
		s.labels = append(s.labels, nil)
	}
	l := make([]string, len(e.Type.Args))
	for i, a := range e.Type.Args {
		l[i] = " " + a.Name + "="
	}
	s.labels[e.ID] = l
	return l
}

func (s *logSink) flush() error  { return s.w.Flush() }
func (s *logSink) finish() error { return s.w.Flush() }

// simpletrace constants (QEMU trace/simple.c, scripts/simpletrace.py).
const (
	simpleHeaderEventID = 0xffffffffffffffff
	simpleHeaderMagic   = 0xf2b177cb0aa429b4
	simpleVersion       = 4
	simpleRecMapping    = 0
	simpleRecEvent      = 1
	simpleRecHeaderLen  = 24 // event id, timestamp, length, pid
)

// simpleSink writes QEMU's simpletrace binary format, version 4, in the
// host's native byte order as QEMU does. gemu always writes little-endian
// values: every host gemu supports is little-endian.
type simpleSink struct {
	w      *bufio.Writer
	mapped []bool // per event id: its mapping record is written
	buf    []byte
	err    error
}

func newSimpleSink(w io.Writer) *simpleSink {
	s := &simpleSink{w: bufio.NewWriterSize(w, 64<<10)}
	var h [24]byte
	binary.LittleEndian.PutUint64(h[0:], simpleHeaderEventID)
	binary.LittleEndian.PutUint64(h[8:], simpleHeaderMagic)
	binary.LittleEndian.PutUint64(h[16:], simpleVersion)
	_, s.err = s.w.Write(h[:])
	return s
}

func (s *simpleSink) emit(e *Event) error {
	if s.err != nil {
		return s.err
	}
	b := s.buf[:0]
	if e.ID >= len(s.mapped) || !s.mapped[e.ID] {
		for len(s.mapped) <= e.ID {
			s.mapped = append(s.mapped, false)
		}
		s.mapped[e.ID] = true
		b = binary.LittleEndian.AppendUint64(b, simpleRecMapping)
		b = binary.LittleEndian.AppendUint64(b, uint64(e.ID))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(e.Type.Name)))
		b = append(b, e.Type.Name...)
	}
	b = binary.LittleEndian.AppendUint64(b, simpleRecEvent)
	b = binary.LittleEndian.AppendUint64(b, uint64(e.ID))
	b = binary.LittleEndian.AppendUint64(b, uint64(e.Mono))
	b = binary.LittleEndian.AppendUint32(b, uint32(simpleRecHeaderLen+8*len(e.Args)))
	b = binary.LittleEndian.AppendUint32(b, uint32(e.PID))
	for _, a := range e.Args {
		b = binary.LittleEndian.AppendUint64(b, a)
	}
	s.buf = b
	_, s.err = s.w.Write(b)
	return s.err
}

func (s *simpleSink) flush() error {
	if s.err != nil {
		return s.err
	}
	return s.w.Flush()
}

func (s *simpleSink) finish() error { return s.flush() }

// jsonSink writes the Chrome trace-event format as one JSON object,
// {"traceEvents":[...]}, with instant events ("ph":"i") whose ts is in
// microseconds since the trace started.
type jsonSink struct {
	w     *bufio.Writer
	n     int
	buf   []byte
	err   error
	start int64
}

func newJSONSink(w io.Writer, start int64) *jsonSink {
	s := &jsonSink{w: bufio.NewWriterSize(w, 64<<10), start: start}
	_, s.err = s.w.WriteString(`{"displayTimeUnit":"ns","traceEvents":[` + "\n")
	return s
}

func (s *jsonSink) emit(e *Event) error {
	if s.err != nil {
		return s.err
	}
	b := s.buf[:0]
	if s.n > 0 {
		b = append(b, ",\n"...)
	}
	s.n++
	b = append(b, `{"name":`...)
	b = strconv.AppendQuote(b, e.Type.Name)
	b = append(b, `,"cat":"gemu","ph":"i","s":"t","ts":`...)
	rel := e.Mono - s.start
	if rel < 0 {
		rel = 0
	}
	b = strconv.AppendInt(b, rel/1000, 10)
	b = append(b, '.')
	frac := rel % 1000
	if frac < 100 {
		b = append(b, '0')
	}
	if frac < 10 {
		b = append(b, '0')
	}
	b = strconv.AppendInt(b, frac, 10)
	b = append(b, `,"pid":`...)
	b = strconv.AppendInt(b, int64(e.PID), 10)
	b = append(b, `,"tid":`...)
	b = strconv.AppendInt(b, int64(e.TID), 10)
	b = append(b, `,"args":{`...)
	for i, a := range e.Type.Args {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, a.Name)
		b = append(b, ':')
		if a.Format == Hex {
			b = append(b, '"')
			b = appendHex(b, e.Args[i])
			b = append(b, '"')
		} else {
			b = strconv.AppendUint(b, e.Args[i], 10)
		}
	}
	b = append(b, "}}"...)
	s.buf = b
	_, s.err = s.w.Write(b)
	return s.err
}

func (s *jsonSink) flush() error {
	if s.err != nil {
		return s.err
	}
	return s.w.Flush()
}

func (s *jsonSink) finish() error {
	if s.err == nil {
		_, s.err = s.w.WriteString("\n]}\n")
	}
	return s.flush()
}
