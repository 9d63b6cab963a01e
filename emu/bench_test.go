package emu

import (
	"encoding/hex"
	"testing"
)

// benchCode holds the instruction mixes of BenchmarkInterp, assembled with
// GNU as; each loops ECX times and ends with hlt.
//
//	alu (0x00):      add rax,rbx; xor rdx,rax; sub rsi,7; and edi,eax;
//	                 or r8,rdx; imul r9,r8; shl r10,3; cmp rax,rdx;
//	                 mov r11,rax; lea r12,[rax+rbx*2+8]; dec ecx; jnz
//	mem (0x30):      mov rax,[rdi]; add rax,1; mov [rdi+8],rax;
//	                 movzx edx,byte [rdi+16]; mov [rdi+24],edx;
//	                 movsx rsi,word [rdi+32]; add [rdi+40],rsi;
//	                 cmp qword [rdi+48],rax; dec ecx; jnz
//	branchy (0x60):  mov eax,ecx; and eax,3; cmp eax,1; je 1f;
//	                 add rbx,1; jmp 2f; 1: sub rbx,1;
//	                 2: test ecx,ecx; setg dl; dec ecx; jnz
//	callret (0x80):  call f; dec ecx; jnz; hlt;
//	                 f: push rbx; mov rbx,rax; add rax,1; pop rbx; ret
//	indirect (0xa0): lea rax,[rip+f1]; test cl,1; jz 3f; lea rax,[rip+f2];
//	                 3: call rax; dec ecx; jnz; hlt;
//	                 f1: add rbx,1; ret; f2: sub rbx,1; ret
//	strops (0xd0):   mov rsi,0x600000; mov rdi,0x604000; mov rdx,rcx;
//	                 mov ecx,4096; rep movsb; mov rdi,0x608000;
//	                 mov ecx,512; rep stosq; mov rcx,rdx; dec ecx; jnz
const benchCode = "4801d84831c24883ee0721c74909d04d0fafc849c1e2034839d04989c34c8d645808ffc975daf4660f1f840000000000" +
	"488b074883c001488947080fb65710895718480fbf77204801772848394730ffc975ddf466662e0f1f840000000000" +
	"9089c883e00383f80174064883c301eb044883eb0185c90f9fc2ffc975e3f46690" +
	"e805000000ffc975f7f4534889c34883c0015bc366662e0f1f84000000000090" +
	"488d0513000000f6c1017407488d050c000000ffd0ffc975e7f44883c301c34883eb01c366662e0f1f840000000000" +
	"9048c7c60000600048c7c7004060004889cab900100000f3a448c7c700806000b900020000f348ab4889d1ffc975d2f4"

// BenchmarkInterp runs fixed instruction mixes through the block loop
// (translation happens before the timer starts) and reports the time per
// guest instruction; allocs/op must be 0.
func BenchmarkInterp(b *testing.B) {
	mixes := []struct {
		name  string
		entry uint64
		bytes int64 // bytes moved per iteration (string ops)
	}{
		{"alu", 0x00, 0},
		{"loadstore", 0x30, 0},
		{"branchy", 0x60, 0},
		{"callret", 0x80, 0},
		{"indirect", 0xa0, 0},
		{"strops", 0xd0, 4096 + 4096},
	}
	code, err := hex.DecodeString(benchCode)
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range mixes {
		b.Run(m.name, func(b *testing.B) {
			c := benchCPU(b, code, 0x10000)
			run := func(n int) uint64 {
				start := c.icount
				c.RIP = codeBase + m.entry
				c.R[1] = uint64(n)
				c.R[7] = dataBase
				c.sliceEnd = ^uint64(0)
				for {
					blk, ok := c.lookup(c.RIP)
					if !ok || !c.execBlock(blk) {
						break
					}
				}
				if c.trap.kind != trapGP || c.RIP != codeBase+m.entry+hltOffset(code, m.entry) {
					b.Fatalf("mix stopped at %#x with trap %+v", c.RIP, c.trap)
				}
				return c.icount - start
			}
			run(2) // translate every block
			b.ReportAllocs()
			if m.bytes > 0 {
				b.SetBytes(m.bytes)
			}
			b.ResetTimer()
			insns := run(b.N)
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(insns), "ns/insn")
			b.ReportMetric(float64(insns)/float64(b.N), "insns/op")
		})
	}
}

// hltOffset is the offset from entry of the mix's loop-ending hlt.
func hltOffset(code []byte, entry uint64) uint64 {
	for i := entry; i < uint64(len(code)); i++ {
		if code[i] == 0xf4 {
			return i - entry
		}
	}
	return 0
}
