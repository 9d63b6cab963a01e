package elf

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	goelf "debug/elf"

	"gemu/mmu"
)

// FuzzLoad feeds arbitrary files to the loader: it must never panic, every
// error must be one line wrapping a known cause, and a loaded image must be
// consistent with the address space it was loaded into.
func FuzzLoad(f *testing.F) {
	for _, tc := range errorCases() {
		f.Add(tc.file)
	}
	f.Add(tinyELF())
	pie := tinySpec()
	pie.typ = uint16(goelf.ET_DYN)
	f.Add(pie.bytes())
	big := tinySpec()
	big.segs[0].align, big.segs[1].align = 0x200000, 0x200000
	big.segs[1].vaddr = 0x601200
	f.Add(big.bytes())

	known := []error{ErrNotELF, Err32Bit, ErrBigEndian, ErrMachine, ErrNotExecutable, ErrCorrupt, ErrAlignment,
		ErrDynamic, ErrNoLoad, ErrOverlap, ErrAddressRange, ErrArgListTooLong,
		mmu.ErrInvalid, mmu.ErrNoMemory, mmu.ErrExists}
	withMMU := mmuReady()
	f.Fuzz(func(t *testing.T, file []byte) {
		r := bytes.NewReader(file)
		var img *Image
		var err error
		var mem *mmu.Space
		if withMMU {
			mem = mmu.NewSpace()
			defer mem.Close()
			img, err = LoadReader(mem, r, int64(len(file)), "fuzz")
		} else {
			_, img, err = prepare(r, int64(len(file)))
		}
		if err != nil {
			msg := err.Error()
			if strings.ContainsAny(msg, "\n\r") || !strings.HasPrefix(msg, "fuzz: ") && withMMU {
				t.Fatalf("bad message %q", msg)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not an *Error", err)
			}
			for _, k := range known {
				if errors.Is(err, k) {
					return
				}
			}
			t.Fatalf("error %q wraps no known cause", msg)
		}
		if img.Entry >= mmu.UserTop || img.Brk&mmu.PageMask != 0 || img.Phent != phdrSize {
			t.Fatalf("inconsistent image %+v", img)
		}
		if !withMMU {
			return
		}
		if len(mem.Mappings()) == 0 {
			t.Fatal("loaded without mappings")
		}
		sp, auxv, err := SetupStack(mem, img, Startup{Args: []string{"fuzz"}})
		if err != nil {
			// Only a segment in the stack's 8 MiB may stop it.
			if !errors.Is(err, mmu.ErrExists) {
				t.Fatalf("SetupStack: %v", err)
			}
			return
		}
		if sp%16 != 0 || len(auxv)%16 != 0 {
			t.Fatalf("sp %#x, auxv %d bytes", sp, len(auxv))
		}
	})
}
