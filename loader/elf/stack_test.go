package elf

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"gemu/internal/abi/linux"
	"gemu/mmu"
)

// probeStartup is the start of the native run recorded in native_test.go's
// comment: "env -i A=1 BB=22 ./probe x yy" under setarch -R.
func probeStartup() Startup {
	return Startup{
		Args:   []string{"./probe", "x", "yy"},
		Env:    []string{"A=1", "BB=22"},
		ExecFn: "./probe",
		Random: [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
		HWCap:  0x178bfbff,
		UID:    1000, EUID: 1001, GID: 100, EGID: 101,
	}
}

var probeImage = Image{Path: "./probe", Entry: 0x4012ba, Phdr: 0x400040, Phent: 56, Phnum: 6}

// TestBuildStackByHand checks every byte of a small initial stack against
// the layout worked out from fs/exec.c and create_elf_tables:
//
//	0x7fffffffeff8..f000  8 zero bytes
//	0x7fffffffeff0        "./probe" (AT_EXECFN)
//	0x7fffffffefe6 "A=1", 0x7fffffffefea "BB=22"
//	0x7fffffffefd9 "./probe", 0x7fffffffefe1 "x", 0x7fffffffefe3 "yy"
//	align 16 -> 0x7fffffffefd0; "x86_64" at 0x7fffffffefc9
//	AT_RANDOM at 0x7fffffffefb9
//	20 auxv pairs (320 bytes) + 8 words: (0x7fffffffefb9-320-64)&^15 = 0x7fffffffee30
//
// The string addresses are the ones the host kernel gave the native run.
func TestBuildStackByHand(t *testing.T) {
	st := probeStartup()
	s, err := buildStack(mmu.UserTop, &probeImage, &st)
	if err != nil {
		t.Fatal(err)
	}
	const sp = 0x7fffffffee30
	if s.sp != sp {
		t.Fatalf("sp = %#x, want %#x", s.sp, sp)
	}
	wantArgs := []uint64{0x7fffffffefd9, 0x7fffffffefe1, 0x7fffffffefe3}
	wantEnv := []uint64{0x7fffffffefe6, 0x7fffffffefea}
	words := []uint64{3}
	words = append(words, wantArgs...)
	words = append(words, 0)
	words = append(words, wantEnv...)
	words = append(words, 0)
	aux := []uint64{
		linux.AT_MINSIGSTKSZ, 1440, linux.AT_HWCAP, 0x178bfbff, linux.AT_PAGESZ, 4096, linux.AT_CLKTCK, 100,
		linux.AT_PHDR, 0x400040, linux.AT_PHENT, 56, linux.AT_PHNUM, 6, linux.AT_BASE, 0, linux.AT_FLAGS, 0,
		linux.AT_ENTRY, 0x4012ba, linux.AT_UID, 1000, linux.AT_EUID, 1001, linux.AT_GID, 100, linux.AT_EGID, 101,
		linux.AT_SECURE, 0, linux.AT_RANDOM, 0x7fffffffefb9, linux.AT_HWCAP2, 0, linux.AT_EXECFN, 0x7fffffffeff0,
		linux.AT_PLATFORM, 0x7fffffffefc9, linux.AT_NULL, 0,
	}
	words = append(words, aux...)

	want := make([]byte, mmu.UserTop-sp)
	for i, w := range words {
		le.PutUint64(want[8*i:], w)
	}
	put := func(addr uint64, s string) { copy(want[addr-sp:], s) }
	put(0x7fffffffeff0, "./probe\x00")
	put(0x7fffffffefe6, "A=1\x00BB=22\x00")
	put(0x7fffffffefd9, "./probe\x00x\x00yy\x00")
	put(0x7fffffffefc9, "x86_64\x00")
	put(0x7fffffffefb9, string(st.Random[:]))
	if !bytes.Equal(s.mem, want) {
		for i := range want {
			if s.mem[i] != want[i] {
				t.Fatalf("stack differs first at %#x: got %#x, want %#x", sp+uint64(i), s.mem[i], want[i])
			}
		}
	}
	if !bytes.Equal(s.auxv, want[8*(len(words)-len(aux)):8*len(words)]) {
		t.Errorf("returned auxv differs from the one on the stack")
	}
}

func TestBuildStackEdges(t *testing.T) {
	img := &Image{Path: "/bin/prog"}
	t.Run("empty argv becomes {\"\"}", func(t *testing.T) {
		s, err := buildStack(mmu.UserTop, img, &Startup{})
		if err != nil {
			t.Fatal(err)
		}
		if argc := le.Uint64(s.mem); argc != 1 || len(s.args) != 1 {
			t.Fatalf("argc = %d, want 1", argc)
		}
		// "" sits just below the AT_EXECFN string, which defaults to Path.
		if s.execFn != mmu.UserTop-8-uint64(len("/bin/prog")+1) || s.args[0] != s.execFn-1 {
			t.Errorf("execfn at %#x, argv[0] at %#x", s.execFn, s.args[0])
		}
		if got := string(s.mem[s.execFn-s.sp:][:len("/bin/prog")]); got != "/bin/prog" {
			t.Errorf("AT_EXECFN string = %q, want Path", got)
		}
	})
	t.Run("NUL ends a string", func(t *testing.T) {
		s, err := buildStack(mmu.UserTop, img, &Startup{Args: []string{"a\x00b", "c"}})
		if err != nil {
			t.Fatal(err)
		}
		if s.args[1]-s.args[0] != 2 {
			t.Errorf("argv[0] took %d bytes, want 2 (\"a\" and NUL)", s.args[1]-s.args[0])
		}
	})
	t.Run("alignment", func(t *testing.T) {
		for n := 0; n < 40; n++ {
			args := strings.Split(strings.Repeat("x", n), "")
			s, err := buildStack(mmu.UserTop, img, &Startup{Args: args, Env: args[:n/2]})
			if err != nil {
				t.Fatal(err)
			}
			if s.sp%16 != 0 {
				t.Errorf("%d args: sp %#x not 16-byte aligned", n, s.sp)
			}
		}
	})
	t.Run("string too long", func(t *testing.T) {
		_, err := buildStack(mmu.UserTop, img, &Startup{Args: []string{strings.Repeat("y", 32*4096)}})
		if !errors.Is(err, ErrArgListTooLong) {
			t.Errorf("err = %v, want ErrArgListTooLong", err)
		}
	})
	t.Run("list too long", func(t *testing.T) {
		big := strings.Repeat("z", 100000)
		env := make([]string, 21) // 21 * 100001 > 2 MiB
		for i := range env {
			env[i] = big
		}
		_, err := buildStack(mmu.UserTop, img, &Startup{Env: env})
		if !errors.Is(err, ErrArgListTooLong) {
			t.Errorf("err = %v, want ErrArgListTooLong", err)
		}
		if _, err := buildStack(mmu.UserTop, img, &Startup{Env: env[:20]}); err != nil {
			t.Errorf("20 strings of 100000 bytes: %v (Linux accepts them)", err)
		}
	})
}

func TestSetupStack(t *testing.T) {
	for _, exec := range []bool{false, true} {
		mem := newSpace(t)
		img := probeImage
		img.ExecStack = exec
		st := probeStartup()
		sp, auxv, err := SetupStack(mem, &img, st)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := buildStack(mmu.UserTop, &img, &st)
		if sp != want.sp || !bytes.Equal(auxv, want.auxv) {
			t.Errorf("sp = %#x, auxv %d bytes; want %#x, %d", sp, len(auxv), want.sp, len(want.auxv))
		}
		got := make([]byte, mmu.UserTop-sp)
		if _, err := mem.ReadAt(got, sp); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.mem) {
			t.Error("stack read back differs from the layout")
		}
		perm := mmu.PermRead | mmu.PermWrite
		if exec {
			perm |= mmu.PermExec
		}
		regs := mem.Mappings()
		if len(regs) != 1 || regs[0].Start != mmu.UserTop-StackSize || regs[0].End != mmu.UserTop ||
			regs[0].Perm != perm || regs[0].Name != "[stack]" {
			t.Errorf("mappings = %+v, want one [stack] %v at %#x..%#x", regs, perm, mmu.UserTop-StackSize, mmu.UserTop)
		}
	}
}
