// Package guest is the guest side of gemu's hypertrace channel for Go
// programs running under gemu: it maps the channel files with plain mmap
// system calls and emits events with the protocol's two control stores.
//
//	ch, err := guest.Open("/tmp/ht")
//	ch.Emit(client, arg1, arg2, arg3) // args beyond arg1 go to the data page
//
// The C equivalent is qemu-hypertrace.h in this directory.
package guest
