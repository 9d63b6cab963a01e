package guest_test

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"gemu/hypertrace"
	"gemu/hypertrace/guest"
)

// Natively (outside gemu) the stores are plain memory writes, so this test
// checks the layout the guest library writes against the files gemu's
// side created; the event emission itself is tested under gemu.
func TestGuestLibraryLayout(t *testing.T) {
	base := filepath.Join(t.TempDir(), "ht")
	srv, err := hypertrace.Open(hypertrace.Config{Options: hypertrace.Options{Base: base, MaxClients: 3, Args: 4}, PID: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ch, err := guest.Open(base)
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	if ch.MaxClients() != 3 || ch.NumArgs() != 4 {
		t.Fatalf("config %+v", ch.Config())
	}
	if err := ch.Emit(2, 0xa1, 0xa2, 0xa3, 0xa4); err != nil {
		t.Fatal(err)
	}
	if err := ch.Emit(3, 1); err != guest.ErrClient {
		t.Errorf("client 3 of 3: %v", err)
	}
	if err := ch.Emit(0, 1, 2, 3, 4, 5); err != guest.ErrClient {
		t.Errorf("too many args: %v", err)
	}
	data, _ := os.ReadFile(base + "-data")
	ctl, _ := os.ReadFile(base + "-control")
	// Client 2's words start at 2·8K = 64; the three data words are arg2..arg4.
	for i, want := range []uint64{0xa2, 0xa3, 0xa4} {
		if got := binary.LittleEndian.Uint64(data[64+8*i:]); got != want {
			t.Errorf("data word %d = %#x, want %#x", i, got, want)
		}
	}
	half := len(ctl) / 2
	if got := binary.LittleEndian.Uint64(ctl[16:]); got != 0xa1 {
		t.Errorf("half1[2] = %#x", got)
	}
	if got := binary.LittleEndian.Uint64(ctl[half+16:]); got != 0 {
		t.Errorf("half2[2] = %#x", got)
	}
}
