package emu

import (
	"bytes"
	"testing"

	"gemu/internal/abi/linux"
	"gemu/mmu"
)

// Expected values follow the SDM's element-by-element definition of
// MOVS/STOS/LODS/CMPS/SCAS with REP/REPE/REPNE: RCX counts elements, RSI
// and RDI step by the element size (down with DF), and a fault in
// iteration k leaves the registers as after k-1 iterations.

// Data-area layout used below: data area is 64 KiB at dataBase, nothing
// mapped after it.
const dataEnd = dataBase + 0x10000

func pokeData(t *testing.T, c *CPU, addr uint64, b []byte) {
	t.Helper()
	if _, err := c.mem.WriteAt(b, addr); err != nil {
		t.Fatal(err)
	}
}

func peekData(t *testing.T, c *CPU, addr uint64, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := c.mem.ReadAt(b, addr); err != nil {
		t.Fatal(err)
	}
	return b
}

func seq(n int, start byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = start + byte(i)
	}
	return b
}

func TestRepMovsOverlapReplicates(t *testing.T) {
	// rep movsb with RDI = RSI+1 copies the first byte forward, one byte
	// at a time; the same with movsw and RDI = RSI+2 replicates a word.
	for _, tc := range []struct {
		name string
		code []byte
		gap  uint64
		size int
	}{
		{"movsb", []byte{0xf3, 0xa4, 0xf4}, 1, 1},
		{"movsw", []byte{0xf3, 0x66, 0xa5, 0xf4}, 2, 2},
		{"movsb gap 5", []byte{0xf3, 0xa4, 0xf4}, 5, 1},
		{"movsd gap 4", []byte{0xf3, 0xa5, 0xf4}, 4, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const n = 100
			c := runCode(t, tc.code, func(c *CPU) {
				c.store(dataBase, 8, 0x0807060504030201)
				c.R[6], c.R[7], c.R[1] = dataBase, dataBase+tc.gap, n
			})
			got := peekData(t, c, dataBase, int(tc.gap)+n*tc.size)
			pat := seq(int(tc.gap), 1)
			for i := range got {
				if got[i] != pat[i%len(pat)] {
					t.Fatalf("byte %d = %#x, want %#x (pattern %x)", i, got[i], pat[i%len(pat)], pat)
				}
			}
			end := uint64(n * tc.size)
			if c.R[6] != dataBase+end || c.R[7] != dataBase+tc.gap+end || c.R[1] != 0 {
				t.Errorf("rsi %#x rdi %#x rcx %d", c.R[6], c.R[7], c.R[1])
			}
		})
	}
}

func TestRepMovsLongAndBackward(t *testing.T) {
	// rep movsb over 3 pages at odd alignments, forward; then std;
	// rep movsq backward.
	src := make([]byte, 3*4096+7)
	for i := range src {
		src[i] = byte(i*7 + i>>8)
	}
	c := runCode(t, []byte{0xf3, 0xa4, 0xf4}, func(c *CPU) {
		pokeData(t, c, dataBase+3, src)
		c.R[6], c.R[7], c.R[1] = dataBase+3, dataBase+0x8001, uint64(len(src))
	})
	if got := peekData(t, c, dataBase+0x8001, len(src)); !bytes.Equal(got, src) {
		t.Fatal("forward copy differs")
	}
	if c.R[6] != dataBase+3+uint64(len(src)) || c.R[1] != 0 {
		t.Errorf("rsi %#x rcx %d", c.R[6], c.R[1])
	}

	// std ; rep movsq ; cld ; hlt — 4 qwords from [rsi] downward.
	c = runCode(t, []byte{0xfd, 0xf3, 0x48, 0xa5, 0xfc, 0xf4}, func(c *CPU) {
		pokeData(t, c, dataBase, seq(32, 1))
		c.R[6], c.R[7], c.R[1] = dataBase+24, dataBase+0x100+24, 4
	})
	if got := peekData(t, c, dataBase+0x100, 32); !bytes.Equal(got, seq(32, 1)) {
		t.Errorf("backward copy %x", got)
	}
	if c.R[6] != dataBase-8 || c.R[7] != dataBase+0x100-8 {
		t.Errorf("rsi %#x rdi %#x", c.R[6], c.R[7])
	}
}

func TestRepCountZeroDoesNothing(t *testing.T) {
	// rep movsb, rep stosq, repe cmpsb, repne scasb with RCX = 0.
	code := []byte{0xf3, 0xa4, 0xf3, 0x48, 0xab, 0xf3, 0xa6, 0xf2, 0xae, 0xf4}
	c := runCode(t, code, func(c *CPU) {
		c.R[6], c.R[7], c.R[1], c.R[0] = 0x10, 0x20, 0, 0x55 // unmapped: never touched
		c.setFlags(flagCF | flagSF)
	})
	if c.R[6] != 0x10 || c.R[7] != 0x20 || c.R[1] != 0 || c.getFlags()&arithFlags != flagCF|flagSF {
		t.Errorf("rsi %#x rdi %#x rcx %d flags %#x", c.R[6], c.R[7], c.R[1], c.getFlags())
	}
}

func TestRepFaultMidway(t *testing.T) {
	tests := []struct {
		name          string
		code          []byte
		rsi, rdi, rcx uint64
		// after the fault
		wantSI, wantDI, wantCX uint64
		addr                   uint64 // fault address
		done                   int    // bytes stored at rdi
	}{
		// rep stosq runs into the unmapped page after the data area: 3
		// qwords land.
		{"stosq", []byte{0xf3, 0x48, 0xab, 0xf4}, 0, dataEnd - 24, 10, 0, dataEnd, 7, dataEnd, 24},
		// rep movsb whose source crosses into the unmapped page: 5 bytes.
		{"movsb src", []byte{0xf3, 0xa4, 0xf4}, dataEnd - 5, dataBase, 10, dataEnd, dataBase + 5, 5, dataEnd, 5},
		// rep movsd whose destination element straddles the end: the
		// straddling element faults, nothing of it lands.
		{"movsd dst straddle", []byte{0xf3, 0xa5, 0xf4}, dataBase, dataEnd - 6, 4, dataBase + 4, dataEnd - 2, 3, dataEnd, 4},
		// Same with a single movsd (no REP): nothing changes.
		{"movsd single", []byte{0xa5, 0xf4}, dataBase, dataEnd - 2, 9, dataBase, dataEnd - 2, 9, dataEnd, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, exit := runCodeExit(t, tc.code, func(c *CPU) {
				pokeData(t, c, dataBase, seq(64, 0x40))
				if tc.rsi > dataBase+64 && tc.rsi < dataEnd {
					pokeData(t, c, tc.rsi, seq(int(dataEnd-tc.rsi), 0x80))
				}
				c.R[0] = 0x1111111111111111
				c.R[6], c.R[7], c.R[1] = tc.rsi, tc.rdi, tc.rcx
			})
			if exit.Signal != linux.SIGSEGV || exit.Addr != tc.addr || c.RIP != codeBase {
				t.Fatalf("exit %+v at %#x, want SIGSEGV at %#x on the instruction", exit, c.RIP, tc.addr)
			}
			if c.R[6] != tc.wantSI || c.R[7] != tc.wantDI || c.R[1] != tc.wantCX {
				t.Errorf("rsi %#x rdi %#x rcx %d, want %#x %#x %d", c.R[6], c.R[7], c.R[1], tc.wantSI, tc.wantDI, tc.wantCX)
			}
			if tc.done > 0 && tc.rdi != dataBase {
				got := peekData(t, c, tc.rdi, tc.done)
				for i, b := range got {
					if tc.name == "stosq" && b != 0x11 {
						t.Errorf("byte %d = %#x", i, b)
					}
				}
			}
			if tc.name == "movsd dst straddle" {
				if got := peekData(t, c, dataEnd-6, 6); !bytes.Equal(got, []byte{0x40, 0x41, 0x42, 0x43, 0, 0}) {
					t.Errorf("destination %x", got)
				}
			}
		})
	}
}

func TestCmpsScas(t *testing.T) {
	// repe cmpsb stops after the first difference; flags are those of the
	// last comparison ([rsi] - [rdi]).
	c := runCode(t, []byte{0xf3, 0xa6, 0xf4}, func(c *CPU) {
		pokeData(t, c, dataBase, []byte("abcdefgh"))
		pokeData(t, c, dataBase+0x100, []byte("abcdXfgh"))
		c.R[6], c.R[7], c.R[1] = dataBase, dataBase+0x100, 8
	})
	// 'e' (0x65) - 'X' (0x58) = 0x0d: no borrow, not zero.
	if c.R[6] != dataBase+5 || c.R[7] != dataBase+0x105 || c.R[1] != 3 || c.zf() || c.cf() {
		t.Errorf("rsi %#x rdi %#x rcx %d flags %#x", c.R[6], c.R[7], c.R[1], c.getFlags())
	}
	// repne scasb finds 'X'; RCX counts the bytes examined.
	c = runCode(t, []byte{0xf2, 0xae, 0xf4}, func(c *CPU) {
		pokeData(t, c, dataBase+0x100, []byte("abcdXfgh"))
		c.R[7], c.R[1], c.R[0] = dataBase+0x100, 100, 'X'
	})
	if c.R[7] != dataBase+0x105 || c.R[1] != 95 || !c.zf() {
		t.Errorf("rdi %#x rcx %d flags %#x", c.R[7], c.R[1], c.getFlags())
	}
	// repe scasw with DF: words compared downward until one differs.
	c = runCode(t, []byte{0xfd, 0xf3, 0x66, 0xaf, 0xfc, 0xf4}, func(c *CPU) {
		pokeData(t, c, dataBase, []byte{0x01, 0x00, 0x34, 0x12, 0x34, 0x12})
		c.R[7], c.R[1], c.R[0] = dataBase+4, 10, 0x1234
	})
	// 0x1234 - 0x0001: CF=0, ZF=0; three words examined.
	if c.R[7] != dataBase-2 || c.R[1] != 7 || c.zf() || c.cf() {
		t.Errorf("rdi %#x rcx %d flags %#x", c.R[7], c.R[1], c.getFlags())
	}
	// cmpsq (no REP): [rsi] < [rdi] unsigned sets CF.
	c = runCode(t, []byte{0x48, 0xa7, 0xf4}, func(c *CPU) {
		c.store(dataBase, 8, 1)
		c.store(dataBase+8, 8, 1<<63)
		c.R[6], c.R[7] = dataBase, dataBase+8
	})
	if !c.cf() || c.zf() || !c.of() || c.R[6] != dataBase+8 || c.R[7] != dataBase+16 {
		t.Errorf("flags %#x rsi %#x rdi %#x", c.getFlags(), c.R[6], c.R[7])
	}
}

func TestLodsStos(t *testing.T) {
	// lodsd zero-extends into RAX; lodsw keeps the upper bits; stosw.
	code := []byte{0xad, 0x49, 0x89, 0xc0, 0x66, 0xad, 0x66, 0xab, 0xf4} // lodsd; mov r8, rax; lodsw; stosw
	c := runCode(t, code, func(c *CPU) {
		c.store(dataBase, 8, 0x5566_7788_1122_3344)
		c.R[0] = ^uint64(0)
		c.R[6], c.R[7] = dataBase, dataBase+0x40
	})
	if c.R[8] != 0x1122_3344 || c.R[0] != 0x1122_7788 || c.R[6] != dataBase+6 || c.R[7] != dataBase+0x42 {
		t.Errorf("r8 %#x rax %#x rsi %#x rdi %#x", c.R[8], c.R[0], c.R[6], c.R[7])
	}
	if v, _ := c.load(dataBase+0x40, 2); v != 0x7788 {
		t.Errorf("stored %#x", v)
	}
}

func TestStringPrefixes(t *testing.T) {
	// 0x67: ESI/EDI/ECX, results zero-extended; upper halves ignored.
	c := runCode(t, []byte{0x67, 0xf3, 0xa4, 0xf4}, func(c *CPU) {
		pokeData(t, c, dataBase, []byte("hello"))
		c.R[6] = 0xdead_0000_0000_0000 | dataBase
		c.R[7] = 0xbeef_0000_0000_0000 | dataBase + 0x80
		c.R[1] = 0x1234_0000_0000_0005
	})
	if got := peekData(t, c, dataBase+0x80, 5); string(got) != "hello" {
		t.Errorf("copied %q", got)
	}
	if c.R[6] != dataBase+5 || c.R[7] != dataBase+0x85 || c.R[1] != 0 {
		t.Errorf("rsi %#x rdi %#x rcx %#x", c.R[6], c.R[7], c.R[1])
	}

	// FS applies to the source only: movsb fs:[rsi] -> es:[rdi]; stosb
	// with FS ignores it.
	c = runCode(t, []byte{0x64, 0xa4, 0x64, 0xaa, 0xf4}, func(c *CPU) {
		c.fsBase = dataBase
		pokeData(t, c, dataBase+0x10, []byte{0x99})
		c.R[6], c.R[7], c.R[0] = 0x10, dataBase+0x200, 0x42
	})
	if got := peekData(t, c, dataBase+0x200, 2); !bytes.Equal(got, []byte{0x99, 0x42}) {
		t.Errorf("destination %x", got)
	}
	if c.R[6] != 0x11 || c.R[7] != dataBase+0x202 {
		t.Errorf("rsi %#x rdi %#x", c.R[6], c.R[7])
	}

	// F2 on MOVS repeats like F3.
	c = runCode(t, []byte{0xf2, 0xa4, 0xf4}, func(c *CPU) {
		pokeData(t, c, dataBase, []byte("abc"))
		c.R[6], c.R[7], c.R[1] = dataBase, dataBase+0x10, 3
	})
	if got := peekData(t, c, dataBase+0x10, 3); string(got) != "abc" || c.R[1] != 0 {
		t.Errorf("copied %q rcx %d", got, c.R[1])
	}
}

// Stores by REP MOVS/STOS into translated code take the normal store
// path, so the rewritten instruction runs.
func TestRepStosIntoCode(t *testing.T) {
	// rdi = the imm32 of the "mov eax, 1" below; rep stosb writes four
	// 0x2a bytes over it, in the block that is running.
	code := []byte{
		0x48, 0x8d, 0x3d, 0x0d, 0, 0, 0, // lea rdi, [rip+13]
		0xb9, 0x04, 0, 0, 0, // mov ecx, 4
		0x48, 0x31, 0xc0, // xor rax, rax
		0xb0, 0x2a, // mov al, 42
		0xf3, 0xaa, // rep stosb
		0xb8, 0x01, 0, 0, 0, // mov eax, 1  (imm32 rewritten)
		0xf4,
	}
	c, exit := runCodePerm(t, code, mmu.PermRead|mmu.PermWrite|mmu.PermExec, nil)
	if exit.Reason != "general protection fault" || c.RIP != codeBase+uint64(len(code))-1 {
		t.Fatalf("stopped at %#x: %+v", c.RIP, exit)
	}
	if c.R[0] != 0x2a2a2a2a {
		t.Fatalf("rax = %#x, want 0x2a2a2a2a: the rewritten instruction did not run", c.R[0])
	}
}

// Benchmarks: REP MOVSB of 4 KiB and 1 MiB, REP STOSQ of 1 MiB.

func benchRep(b *testing.B, op []byte, n, elem uint64) {
	// loop: mov rsi, r10 ; mov rdi, r11 ; mov rcx, r12 ; <op> ; dec r9 ;
	//       jnz loop ; hlt
	code := []byte{0x4c, 0x89, 0xd6, 0x4c, 0x89, 0xdf, 0x4c, 0x89, 0xe1}
	code = append(code, op...)
	code = append(code, 0x49, 0xff, 0xc9, 0x75, byte(-(len(code) + 5)), 0xf4)
	size := n * elem
	c := benchCPU(b, code, 2*size+0x2000)
	c.R[10], c.R[11], c.R[12] = dataBase, dataBase+size+0x1000, n
	c.R[9] = uint64(b.N)
	b.SetBytes(int64(size))
	b.ResetTimer()
	exit := c.Run()
	b.StopTimer()
	if exit.Reason != "general protection fault" {
		b.Fatalf("exit %+v", exit)
	}
}

func BenchmarkRepMovsb4K(b *testing.B) { benchRep(b, []byte{0xf3, 0xa4}, 4096, 1) }
func BenchmarkRepMovsb1M(b *testing.B) { benchRep(b, []byte{0xf3, 0xa4}, 1<<20, 1) }
func BenchmarkRepStosq1M(b *testing.B) { benchRep(b, []byte{0xf3, 0x48, 0xab}, 1<<17, 8) }
func BenchmarkRepMovsbOverlap4K(b *testing.B) {
	// RDI = RSI + 1: the element-by-element path.
	code := []byte{0xf3, 0xa4}
	benchRepGap(b, code, 4096, 1)
}

// benchRepGap is benchRep with the destination gap bytes after the source.
func benchRepGap(b *testing.B, op []byte, n, gap uint64) {
	code := []byte{0x4c, 0x89, 0xd6, 0x4c, 0x89, 0xdf, 0x4c, 0x89, 0xe1}
	code = append(code, op...)
	code = append(code, 0x49, 0xff, 0xc9, 0x75, byte(-(len(code) + 5)), 0xf4)
	c := benchCPU(b, code, n+0x2000)
	c.R[10], c.R[11], c.R[12] = dataBase, dataBase+gap, n
	c.R[9] = uint64(b.N)
	b.SetBytes(int64(n))
	b.ResetTimer()
	exit := c.Run()
	b.StopTimer()
	if exit.Reason != "general protection fault" {
		b.Fatalf("exit %+v", exit)
	}
}
