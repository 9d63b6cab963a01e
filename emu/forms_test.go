package emu

import (
	"bytes"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"gemu/mmu"
	"golang.org/x/arch/x86/x86asm"
)

// Instruction forms: what the coverage counts of the differential tester
// (testguests/c/insn_forms.c) and the .text sweep (sweep_test.go) count.
//
// A form is a mnemonic with the kinds and sizes of its operands as gemu's
// translator sees them: "ADD r64,i", "ADD m32,r32", "MOVAPS x,m128",
// "FADD st,st", "REP MOVSB". Operand kinds: rN a general register of N
// bits, rh AH/CH/DH/BH, mN memory of N bits (m for an unsized operand such
// as LEA's), x an XMM register, st an x87 register, sreg a segment
// register, i an immediate or branch target. Register numbers, addressing
// modes, immediate values and redundant prefixes are not part of a form;
// REP/REPNE are, for the string instructions.
//
// The implemented forms (M) are found by decoding every opcode of the one-
// byte, 0F, 0F38 and 0F3A maps and of the VEX BMI opcodes under the prefix
// combinations that select operand size or mandatory prefixes, with every
// register ModRM byte and one memory ModRM byte per reg field, and keeping
// what gemu's translator accepts. Forms whose only behaviour is a fault or
// a system transition (UD2, HLT, INT, SYSCALL, MONITOR, the MMX-register
// forms that raise #UD because MMX is not implemented...) are not counted:
// the fault guests test them.

// formInfo is one implemented form and the encoding chosen to test it.
type formInfo struct {
	key   string
	op    x86asm.Op
	enc   []byte // the instruction's bytes
	in    inst   // its translation
	modrm int    // index of the ModRM byte in enc, or -1
	disp  int    // index of a RIP-relative disp32 in enc, or -1
	immAt int    // index of the first immediate byte, or -1
	score int    // lower is a better test encoding
}

// argKey names one operand in a form key.
func argKey(a arg) string {
	switch a.kind {
	case argReg:
		return fmt.Sprintf("r%d", 8*int(a.size))
	case argRegHi:
		return "rh"
	case argMem:
		if a.size == 0 {
			return "m"
		}
		return fmt.Sprintf("m%d", 8*int(a.size))
	case argImm:
		return "i"
	case argXMM:
		return "x"
	case argST:
		return "st"
	case argSeg:
		return "sreg"
	case argMMX:
		return "mm"
	}
	return "?"
}

// formKey returns the form of a translated instruction.
func formKey(in *inst) string {
	var b strings.Builder
	if isStringOp(in.xop) {
		switch in.rep {
		case repE:
			b.WriteString("REP ")
		case repNE:
			b.WriteString("REPNE ")
		}
	}
	b.WriteString(opName(in.xop))
	for i, a := range in.args {
		if a.kind == argNone {
			break
		}
		if i == 0 {
			b.WriteByte(' ')
		} else {
			b.WriteByte(',')
		}
		b.WriteString(argKey(a))
	}
	return b.String()
}

func isStringOp(op x86asm.Op) bool {
	switch op {
	case x86asm.MOVSB, x86asm.MOVSW, x86asm.MOVSD, x86asm.MOVSQ,
		x86asm.STOSB, x86asm.STOSW, x86asm.STOSD, x86asm.STOSQ,
		x86asm.LODSB, x86asm.LODSW, x86asm.LODSD, x86asm.LODSQ,
		x86asm.CMPSB, x86asm.CMPSW, x86asm.CMPSD, x86asm.CMPSQ,
		x86asm.SCASB, x86asm.SCASW, x86asm.SCASD, x86asm.SCASQ:
		return true
	}
	return false
}

// faultOnly lists the ops whose every form only faults or leaves user
// mode; they are not counted as forms.
var faultOnly = map[x86asm.Op]string{
	x86asm.UD0: "#UD", x86asm.UD1: "#UD", x86asm.UD2: "#UD", x86asm.INTO: "#UD in 64-bit mode",
	x86asm.HLT: "#GP at CPL 3", x86asm.CLI: "#GP at CPL 3", x86asm.STI: "#GP at CPL 3",
	x86asm.INT: "breakpoint or #GP", x86asm.SYSCALL: "system call",
	x86asm.MONITOR: "#UD at CPL 3", x86asm.MWAIT: "#UD at CPL 3",
}

// counted reports whether a translated instruction is an implemented form
// (not undefined, not fault-only, no MMX register).
func counted(in *inst) bool {
	if in.fl&instUnimpl != 0 {
		return false
	}
	if _, ok := faultOnly[in.xop]; ok {
		return false
	}
	if reflect.ValueOf(in.fn).Pointer() == reflect.ValueOf(execNoMMX).Pointer() {
		return false // an MMX form (e.g. CVTPI2PS x,m64): #UD, MMX is not implemented
	}
	for _, a := range in.args {
		if a.kind == argMMX {
			return false
		}
	}
	return true
}

// isPrefixByte reports the one-byte-map values that are prefixes or
// escapes rather than opcodes.
func isPrefixByte(b byte) bool {
	switch b {
	case 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x0f, 0xc4, 0xc5:
		return true
	}
	return b&0xf0 == 0x40
}

// encodingScore prefers encodings whose explicit general registers are
// distinct and not RSP, so that a test of the form sees every operand.
func encodingScore(in *inst) int {
	score := 0
	seen := map[[2]uint8]bool{}
	for i, a := range in.args {
		switch a.kind {
		case argReg:
			switch a.reg {
			case 4: // RSP: the tester keeps it pointing at its stack
				score += 10
			case 0, 2: // RAX, RDX: implicit operands of MUL, DIV, CMPXCHG...
				score += 2
			}
			if a.reg >= 8 {
				score++
			}
		case argRegHi:
			if a.reg == 0 { // AH is part of AX, the 8-bit dividend
				score += 3
			}
		case argSeg:
			// Loads: DS (the tester loads a harmless selector); stores:
			// CS (not zero).
			if i == 0 && a.reg != 3 || i > 0 && a.reg != 1 {
				score += 20
			}
			continue
		case argXMM, argST:
			if a.kind == argST && a.reg == 0 {
				score++ // prefer ST(i), i != 0, for the register operand
			}
			if a.kind == argXMM && a.reg == 0 {
				score++ // XMM0 is implicit in the blends and string compares
			}
		default:
			continue
		}
		k := [2]uint8{uint8(a.kind), a.reg}
		if a.kind == argRegHi {
			k[0] = uint8(argReg)
		}
		if seen[k] {
			score += 5
		}
		seen[k] = true
	}
	return score
}

// formSet collects the implemented forms and, for each, the best encoding
// of each opcode that has the form.
type formSet map[string]map[string]*formInfo

// signature identifies the opcode of an encoding: the opcode bytes after
// the legacy and REX prefixes (VEX: map, pp and opcode), with the register
// bits of the one-byte opcodes that carry a register (PUSH/POP/XCHG/MOV
// r, BSWAP) cleared.
func signature(enc []byte, modrm int) string {
	i := skipPrefixes(enc)
	if i < len(enc) && enc[i] == 0xc4 && i+3 < len(enc) {
		return fmt.Sprintf("vex%02x%02x%02x", enc[i+1]&0x1f, enc[i+2]&3, enc[i+3])
	}
	end := modrm
	if end < 0 || end > len(enc) {
		end = len(enc)
	}
	op := append([]byte(nil), enc[i:end]...)
	if len(op) == 1 {
		switch b := op[0]; {
		case b >= 0x50 && b <= 0x5f, b >= 0x90 && b <= 0x97, b >= 0xb0 && b <= 0xbf:
			op[0] &^= 7
		}
	}
	if len(op) == 2 && op[0] == 0x0f && op[1] >= 0xc8 && op[1] <= 0xcf {
		op[1] = 0xc8
	}
	return fmt.Sprintf("%x", op)
}

// candidate considers one encoding for the form set.
func (fs formSet) candidate(enc []byte, modrm int) {
	xi, err := decode(enc)
	if err != nil || xi.Op == 0 || xi.Len > len(enc) {
		return
	}
	in := translate(&xi, codeBase)
	if !counted(&in) {
		return
	}
	f := &formInfo{key: formKey(&in), op: xi.Op, enc: append([]byte(nil), enc[:xi.Len]...), in: in,
		modrm: -1, disp: -1, immAt: -1, score: encodingScore(&in)}
	if modrm >= 0 && modrm < xi.Len {
		f.modrm = modrm
	}
	for _, a := range xi.Args {
		m, ok := a.(x86asm.Mem)
		switch {
		case !ok:
		case m.Base == x86asm.RIP && f.modrm >= 0 && enc[modrm]>>6 == 0 && enc[modrm]&7 == 5:
			f.disp = modrm + 1
		case m.Base == 0 && m.Index == 0:
			return // an absolute address (MOV moffs): not relocatable into the tester's buffer
		}
	}
	sig := signature(f.enc, f.modrm)
	byOp := fs[f.key]
	if byOp == nil {
		byOp = map[string]*formInfo{}
		fs[f.key] = byOp
	}
	if old, ok := byOp[sig]; ok && old.score <= f.score {
		return
	}
	f.immAt = immediateStart(f.enc, &xi)
	byOp[sig] = f
}

func hasMem(in *inst) bool {
	for _, a := range in.args {
		if a.kind == argMem {
			return true
		}
	}
	return false
}

// immediateStart finds where the immediate bytes of enc begin: the
// trailing bytes whose change changes an Imm or Rel operand. It returns -1
// when there is no immediate.
func immediateStart(enc []byte, xi *x86asm.Inst) int {
	at := -1
	for i := len(enc) - 1; i > 0; i-- {
		b := append([]byte(nil), enc...)
		b[i] ^= 0x5a
		x2, err := decode(b)
		if err != nil || x2.Op != xi.Op || x2.Len != xi.Len || !immChanged(xi, &x2) {
			break
		}
		at = i
	}
	return at
}

func immChanged(a, b *x86asm.Inst) bool {
	for i := range a.Args {
		switch x := a.Args[i].(type) {
		case x86asm.Imm, x86asm.Rel:
			if b.Args[i] != x {
				return true
			}
		}
	}
	return false
}

// enumerate decodes the encoding space described at the top of this file.
func enumerate() formSet {
	fs := formSet{}
	prefixSets := [][]byte{{}, {0x66}, {0xf2}, {0xf3}, {0x48}, {0x66, 0x48}, {0xf2, 0x48}, {0xf3, 0x48}, {0x40},
		{0xf3, 0x66}, {0xf2, 0x66}, {0x67}}
	maps := [][]byte{{}, {0x0f}, {0x0f, 0x38}, {0x0f, 0x3a}}
	var modrms []byte
	for reg := byte(0); reg < 8; reg++ {
		modrms = append(modrms, reg<<3|5) // [rip+disp32]
	}
	for m := 0xc0; m <= 0xff; m++ {
		modrms = append(modrms, byte(m))
	}
	var buf []byte
	for _, p := range prefixSets {
		for _, mp := range maps {
			for op := 0; op < 256; op++ {
				if len(mp) == 0 && isPrefixByte(byte(op)) || len(mp) == 1 && (op == 0x38 || op == 0x3a || op == 0x0f) {
					continue // prefixes and escapes to the next map
				}
				for _, m := range modrms {
					buf = append(buf[:0], p...)
					buf = append(buf, mp...)
					buf = append(buf, byte(op))
					at := len(buf)
					buf = append(buf, m, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
					fs.candidate(buf, at)
				}
			}
		}
	}
	// VEX: maps 0F38 and 0F3A, every pp and W, opcodes F0-F7 (the BMI
	// instructions; the rest of VEX is AVX, which gemu does not run).
	for _, mmmmm := range []byte{2, 3} {
		for pp := byte(0); pp < 4; pp++ {
			for w := byte(0); w < 2; w++ {
				for op := 0xf0; op <= 0xf7; op++ {
					for _, vvvv := range []byte{^byte(3) & 15, 15} { // RBX, or unused
						for _, m := range modrms {
							buf = append(buf[:0], 0xc4, 0xe0|mmmmm, w<<7|vvvv<<3|pp, byte(op))
							at := len(buf)
							buf = append(buf, m, 0, 0, 0, 0, 0, 0, 0, 0, 0)
							fs.candidate(buf, at)
						}
					}
				}
			}
		}
	}
	fs.dropUndefined()
	return fs
}

// dropUndefined removes the encodings that raise #UD whatever the
// operands (MOVHPD with a register source, the register forms of the
// memory-only instructions...): x86asm decodes them and the handler
// refuses them, so they are not implemented forms.
func (fs formSet) dropUndefined() {
	mem := mmu.NewSpace()
	defer mem.Close()
	const size = 1 << 20
	if _, err := mem.Map(mmu.Mapping{Addr: codeBase, Length: size, Perm: mmu.PermRead | mmu.PermWrite | mmu.PermExec, Fixed: true}); err != nil {
		panic(err)
	}
	c := New(Config{Mem: mem})
	at := uint64(codeBase)
	for key, byOp := range fs {
		for sig, f := range byOp {
			code := append(append([]byte(nil), f.enc...), 0xf4)
			if err := mem.Poke(code, at); err != nil {
				panic(err)
			}
			c.R = [16]uint64{}
			c.R[4] = codeBase + size - 64
			c.RIP = at
			c.trap = trap{}
			if b, ok := c.lookup(at); ok && !c.execBlock(b) && c.trap.kind == trapUD && c.RIP == at {
				delete(byOp, sig)
			}
			at += 32
		}
		if len(byOp) == 0 {
			delete(fs, key)
		}
	}
}

// enumerateForms returns the implemented forms keyed by form, each with
// its best encoding.
func enumerateForms() map[string]*formInfo {
	forms := map[string]*formInfo{}
	for key, byOp := range enumerate() {
		for _, f := range byOp {
			if best, ok := forms[key]; !ok || f.score < best.score || f.score == best.score && bytes.Compare(f.enc, best.enc) < 0 {
				forms[key] = f
			}
		}
	}
	return forms
}

// enumerateVariants returns every form's encodings (one per opcode), in
// form order.
func enumerateVariants() []*formInfo {
	var l []*formInfo
	for _, byOp := range enumerate() {
		for _, f := range byOp {
			l = append(l, f)
		}
	}
	sort.Slice(l, func(i, j int) bool {
		if l[i].key != l[j].key {
			return l[i].key < l[j].key
		}
		return bytes.Compare(l[i].enc, l[j].enc) < 0
	})
	return l
}

// sortedForms returns the forms in key order.
func sortedForms(forms map[string]*formInfo) []*formInfo {
	var l []*formInfo
	for _, f := range forms {
		l = append(l, f)
	}
	sort.Slice(l, func(i, j int) bool { return l[i].key < l[j].key })
	return l
}

func TestFormsEnumerate(t *testing.T) {
	forms := enumerateForms()
	ops := map[x86asm.Op]bool{}
	for _, f := range forms {
		ops[f.op] = true
	}
	t.Logf("%d implemented forms of %d mnemonics", len(forms), len(ops))
	if testing.Verbose() {
		for _, f := range sortedForms(forms) {
			t.Logf("%-30s % x", f.key, f.enc)
		}
	}
	// Every op in the dispatch tables should have at least one form
	// (or be fault-only); an op without one is unreachable by decoding,
	// i.e. dead in the table.
	for op := range opTableSize {
		o := x86asm.Op(op)
		if _, ok := lookupOp(o); !ok || ops[o] {
			continue
		}
		if _, ok := faultOnly[o]; ok {
			continue
		}
		t.Logf("table op %v has no decodable form", opName(o))
	}
}
