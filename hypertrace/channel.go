package hypertrace

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"gemu/trace"
	"golang.org/x/sys/unix"
)

// The config page starts with the five protocol words; gemu's marker and
// pid follow them so that a channel left by a killed gemu can be told from
// anything else.
const (
	configMagic      = "gemu-ht1"
	configMagicOff   = 40
	configPIDOff     = 48
	eventName        = "guest_hypertrace"
	fileMode         = 0o600
	configFileIndex  = 0
	dataFileIndex    = 1
	controlFileIndex = 2
)

var fileSuffixes = [3]string{"-config", "-data", "-control"}

// Config configures a channel.
type Config struct {
	Options
	// Tracer receives the guest_hypertrace events.
	Tracer *trace.Tracer
	// PID is the guest process id recorded in events.
	PID int
	// TID maps a vCPU index to the guest thread id running on it; nil
	// means every event comes from thread PID.
	TID func(cpu int) int
	// Task, when set, maps a vCPU index to the guest process and thread
	// running on it (every guest process of a run shares the channel:
	// a forked child's events carry its own pid); ok false falls back to
	// PID and TID.
	Task func(cpu int) (pid, tid int, ok bool)
	// Log receives the -d guest_errors reports when GuestErrors is set.
	Log         io.Writer
	GuestErrors bool
}

// client is one slot's two-phase state.
type client struct {
	armed bool
	arg1  uint64
}

// Channel is an open hypertrace channel: its files, their layout and the
// per-client state machine.
type Channel struct {
	cfg     Config
	layout  Layout
	paths   [3]string
	files   [3]*os.File
	ids     [3]fileID
	data    []byte // host mapping of PATH-data, for reading the argument words
	eventID int

	mu      sync.Mutex
	clients []client
	args    []uint64 // cpu, arg1..argK: reused for every event
	events  uint64
	closed  bool
}

type fileID struct{ dev, ino uint64 }

// Open creates the channel files (or replaces a complete channel a killed
// gemu left behind), writes the config page and locks it.
func Open(cfg Config) (*Channel, error) {
	ch := &Channel{cfg: cfg, layout: LayoutOf(cfg.Options)}
	for i, s := range fileSuffixes {
		ch.paths[i] = cfg.Base + s
	}
	if err := ch.create(); err != nil {
		if !errors.Is(err, os.ErrExist) {
			return nil, err
		}
		if err := ch.replaceStale(); err != nil {
			return nil, err
		}
		if err := ch.create(); err != nil {
			return nil, err
		}
	}
	if err := ch.setup(); err != nil {
		ch.Close()
		return nil, err
	}
	ch.clients = make([]client, cfg.MaxClients)
	ch.args = make([]uint64, 1+cfg.Args)
	et := &trace.EventType{Name: eventName, Args: []trace.Arg{{Name: "cpu"}}}
	for i := 1; i <= cfg.Args; i++ {
		et.Args = append(et.Args, trace.Arg{Name: fmt.Sprintf("arg%d", i), Format: trace.Hex})
	}
	if cfg.Tracer != nil {
		ch.eventID = cfg.Tracer.Register(et)
	}
	return ch, nil
}

// EventType returns the trace event type of a channel with these options,
// for printing its declaration (-trace-events).
func EventType(o Options) *trace.EventType {
	et := &trace.EventType{Name: eventName, Args: []trace.Arg{{Name: "cpu"}}}
	for i := 1; i <= o.Args; i++ {
		et.Args = append(et.Args, trace.Arg{Name: fmt.Sprintf("arg%d", i), Format: trace.Hex})
	}
	return et
}

// create makes the three files with O_EXCL; on failure it removes what it
// made and returns an error wrapping os.ErrExist when a file was there.
func (ch *Channel) create() error {
	for i, p := range ch.paths {
		fd, err := unix.Open(p, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, fileMode)
		if err != nil {
			for j := 0; j < i; j++ {
				ch.files[j].Close()
				ch.files[j] = nil
				os.Remove(ch.paths[j])
			}
			if err == unix.EEXIST {
				return fmt.Errorf("-hypertrace: %s: %w", p, os.ErrExist)
			}
			return fmt.Errorf("-hypertrace: cannot create %s: %v", p, err)
		}
		ch.files[i] = os.NewFile(uintptr(fd), p)
		if i == configFileIndex {
			// Taken before anything else can see the new file complete.
			if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err != nil {
				ch.files[i].Close()
				ch.files[i] = nil
				os.Remove(p)
				return fmt.Errorf("-hypertrace: cannot lock %s: %v", p, err)
			}
		}
	}
	return nil
}

// setup sizes the files, writes the config page and maps the data file.
func (ch *Channel) setup() error {
	l := ch.layout
	sizes := [3]int64{pageSize, int64(l.DataSize), int64(l.ControlSize)}
	for i, f := range ch.files {
		if err := f.Truncate(sizes[i]); err != nil {
			return fmt.Errorf("-hypertrace: %v", err)
		}
		if err := f.Chmod(fileMode); err != nil { // O_CREAT's mode is masked by the umask
			return fmt.Errorf("-hypertrace: %v", err)
		}
		var st unix.Stat_t
		if err := unix.Fstat(int(f.Fd()), &st); err != nil {
			return fmt.Errorf("-hypertrace: %v", err)
		}
		ch.ids[i] = fileID{uint64(st.Dev), uint64(st.Ino)}
	}
	var page [pageSize]byte
	for i, v := range []uint64{l.MaxClients, l.ClientArgs, l.ClientDataSize, l.ControlSize, l.DataSize} {
		binary.LittleEndian.PutUint64(page[8*i:], v)
	}
	copy(page[configMagicOff:], configMagic)
	binary.LittleEndian.PutUint64(page[configPIDOff:], uint64(os.Getpid()))
	if _, err := ch.files[configFileIndex].WriteAt(page[:], 0); err != nil {
		return fmt.Errorf("-hypertrace: %v", err)
	}
	data, err := unix.Mmap(int(ch.files[dataFileIndex].Fd()), 0, int(l.DataSize), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return fmt.Errorf("-hypertrace: mapping %s: %v", ch.paths[dataFileIndex], err)
	}
	ch.data = data
	return nil
}

// replaceStale removes a complete channel left by a gemu that was killed
// before it could clean up, and refuses anything else with a message
// naming the file.
func (ch *Channel) replaceStale() error {
	uid := os.Geteuid()
	var missing, present []string
	for _, p := range ch.paths {
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			missing = append(missing, p)
			continue
		}
		present = append(present, p)
		switch {
		case st.Mode&unix.S_IFMT == unix.S_IFLNK:
			return fmt.Errorf("-hypertrace: %s is a symbolic link; refusing to use it", p)
		case st.Mode&unix.S_IFMT != unix.S_IFREG:
			return fmt.Errorf("-hypertrace: %s exists and is not a regular file", p)
		case int(st.Uid) != uid:
			return fmt.Errorf("-hypertrace: %s exists and belongs to another user (uid %d)", p, st.Uid)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("-hypertrace: %s exists but %s does not: not a complete channel; remove it if it is stale", strings.Join(present, " and "), strings.Join(missing, " and "))
	}
	cfgPath := ch.paths[configFileIndex]
	fd, err := unix.Open(cfgPath, unix.O_RDWR|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("-hypertrace: %s exists: %v", cfgPath, err)
	}
	defer unix.Close(fd)
	var hdr [configPIDOff + 8]byte
	if n, _ := unix.Pread(fd, hdr[:], 0); n != len(hdr) || string(hdr[configMagicOff:configPIDOff]) != configMagic {
		return fmt.Errorf("-hypertrace: %s exists and is not a gemu hypertrace channel; refusing to replace it", cfgPath)
	}
	if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		pid := binary.LittleEndian.Uint64(hdr[configPIDOff:])
		return fmt.Errorf("-hypertrace: %s is in use by a running gemu (pid %d)", cfgPath, pid)
	}
	for _, p := range ch.paths {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("-hypertrace: removing stale %v", err)
		}
	}
	return nil
}

// Paths returns the config, data and control file paths.
func (ch *Channel) Paths() [3]string { return ch.paths }

// Layout returns the channel geometry.
func (ch *Channel) Layout() Layout { return ch.layout }

// Events returns how many events the channel emitted.
func (ch *Channel) Events() uint64 {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	return ch.events
}

// Close removes the channel files and releases the lock. It is idempotent
// and safe to call from a signal-handling goroutine.
func (ch *Channel) Close() error {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if ch.closed {
		return nil
	}
	ch.closed = true
	var errs []error
	for i, p := range ch.paths {
		if ch.files[i] == nil {
			continue
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if ch.data != nil {
		unix.Munmap(ch.data)
		ch.data = nil
	}
	for i, f := range ch.files {
		if f != nil {
			f.Close() // closing the config file drops the lock
			ch.files[i] = nil
		}
	}
	return errors.Join(errs...)
}
