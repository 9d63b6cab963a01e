package guest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// Config is the channel geometry read from BASE-config.
type Config struct {
	MaxClients     uint64
	ClientArgs     uint64 // K: arg1 plus K-1 data words per event
	ClientDataSize uint64
	ControlSize    uint64
	DataSize       uint64
}

// Channel is a mapped hypertrace channel.
type Channel struct {
	cfg     Config
	config  []byte
	data    []byte
	control []byte
}

// ErrClient is returned for a client number outside [0, MaxClients).
var ErrClient = errors.New("hypertrace: client out of range")

// Open maps BASE-config, BASE-data and BASE-control.
func Open(base string) (*Channel, error) {
	ch := &Channel{}
	cfg, err := mapFile(base+"-config", 4096)
	if err != nil {
		return nil, err
	}
	ch.config = cfg
	w := func(i int) uint64 { return binary.LittleEndian.Uint64(cfg[8*i:]) }
	ch.cfg = Config{MaxClients: w(0), ClientArgs: w(1), ClientDataSize: w(2), ControlSize: w(3), DataSize: w(4)}
	if ch.cfg.MaxClients == 0 || ch.cfg.ClientArgs == 0 || ch.cfg.ControlSize == 0 || ch.cfg.DataSize == 0 {
		ch.Close()
		return nil, fmt.Errorf("hypertrace: %s-config: not a hypertrace channel", base)
	}
	if ch.data, err = mapFile(base+"-data", int(ch.cfg.DataSize)); err != nil {
		ch.Close()
		return nil, err
	}
	if ch.control, err = mapFile(base+"-control", int(ch.cfg.ControlSize)); err != nil {
		ch.Close()
		return nil, err
	}
	return ch, nil
}

func mapFile(path string, size int) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("hypertrace: %w", err)
	}
	defer f.Close()
	b, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("hypertrace: mmap %s: %w", path, err)
	}
	return b, nil
}

// Config returns the channel geometry.
func (ch *Channel) Config() Config { return ch.cfg }

// MaxClients is the number of clients (N).
func (ch *Channel) MaxClients() uint64 { return ch.cfg.MaxClients }

// NumArgs is the number of arguments per event (K).
func (ch *Channel) NumArgs() uint64 { return ch.cfg.ClientArgs }

// word returns a pointer to the 8-byte word at offset off of b, so that
// the protocol's stores are single aligned 8-byte stores.
func word(b []byte, off uint64) *uint64 { return (*uint64)(unsafe.Pointer(&b[off])) }

// SetData sets data word i (0 ≤ i < K-1, becoming argument i+2) of client.
func (ch *Channel) SetData(client, i, v uint64) error {
	if client >= ch.cfg.MaxClients || i+1 >= ch.cfg.ClientArgs {
		return ErrClient
	}
	atomic.StoreUint64(word(ch.data, client*ch.cfg.ClientDataSize+8*i), v)
	return nil
}

// Fire emits one event of client with arg1, using the data words already
// set: the phase-1 store of arg1 into half 1, then the phase-2 store.
func (ch *Channel) Fire(client, arg1 uint64) error {
	if client >= ch.cfg.MaxClients {
		return ErrClient
	}
	half := ch.cfg.ControlSize / 2
	atomic.StoreUint64(word(ch.control, 8*client), arg1)
	atomic.StoreUint64(word(ch.control, half+8*client), 0)
	return nil
}

// Emit sets the data words from args (arg2, arg3, ...; missing ones are
// zero) and fires the event with arg1.
func (ch *Channel) Emit(client, arg1 uint64, args ...uint64) error {
	if client >= ch.cfg.MaxClients || uint64(len(args))+1 > ch.cfg.ClientArgs {
		return ErrClient
	}
	for i := uint64(0); i+1 < ch.cfg.ClientArgs; i++ {
		var v uint64
		if i < uint64(len(args)) {
			v = args[i]
		}
		ch.SetData(client, i, v)
	}
	return ch.Fire(client, arg1)
}

// Close unmaps the channel.
func (ch *Channel) Close() error {
	var errs []error
	for _, b := range [][]byte{ch.control, ch.data, ch.config} {
		if b != nil {
			errs = append(errs, syscall.Munmap(b))
		}
	}
	ch.control, ch.data, ch.config = nil, nil, nil
	return errors.Join(errs...)
}
