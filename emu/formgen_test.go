package emu

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

// The differential instruction tester testguests/c/insn_forms.c runs
// every implemented form (forms_test.go) from the table in
// testguests/c/insn_forms.h, which this file generates:
//
//	go test ./emu/ -run TestFormTable -update-forms
//
// and which TestFormTable checks is up to date. Then rebuild the guest
// (make -C testguests) and its golden file (go test ./testguests/ -update).

var updateForms = flag.Bool("update-forms", false, "rewrite testguests/c/insn_forms.h from gemu's instruction tables")

const formsHeader = "../testguests/c/insn_forms.h"

// Immediate classes: which values the tester gives an immediate.
const (
	immNone  = "IMM_NONE"
	immGen   = "IMM_GEN"   // a few values: 0, 1, -1, signed and unsigned extremes, random
	immCount = "IMM_COUNT" // shift counts and bit offsets: 0..65, 127, 128, 255
	immCtl   = "IMM_CTL"   // control bytes: all 256 values
	immRel   = "IMM_REL"   // branch displacement to the "taken" exit
	immEnter = "IMM_ENTER" // ENTER: frame size and nesting level
)

// untestable lists implemented forms the tester cannot compare with the
// host, and why.
var untestable = map[x86asm.Op]string{
	x86asm.CPUID:  "reports gemu, not the host",
	x86asm.RDTSC:  "time stamp differs from run to run",
	x86asm.RDTSCP: "time stamp differs from run to run",
}

func init() {
	for _, op := range []x86asm.Op{x86asm.FSIN, x86asm.FCOS, x86asm.FSINCOS, x86asm.FPTAN, x86asm.FPATAN,
		x86asm.F2XM1, x86asm.FYL2X, x86asm.FYL2XP1} {
		untestable[op] = "transcendental: compared within 1 ulp by testguests' TestX87Transcendental"
	}
}

// fswMask lists x87 condition codes the tester ignores for some ops,
// where the SDM leaves them undefined or the reference host (AMD Zen)
// departs from it and gemu follows the SDM. nanOnly: only when the result
// in ST(0) is a NaN or an unmasked exception is pending (ES).
var fswMask = map[x86asm.Op]struct {
	mask    uint16
	nanOnly bool
}{
	// SDM: C0-C3 undefined. The host clears C1; gemu leaves it.
	x86asm.FFREE: {0x0200, false}, x86asm.FFREEP: {0x0200, false},
	// SDM: C1 set to 0 on a stack underflow. The host leaves it otherwise; gemu clears it.
	x86asm.FCMOVB: {0x0200, false}, x86asm.FCMOVBE: {0x0200, false}, x86asm.FCMOVE: {0x0200, false},
	x86asm.FCMOVNB: {0x0200, false}, x86asm.FCMOVNBE: {0x0200, false}, x86asm.FCMOVNE: {0x0200, false},
	x86asm.FCMOVNU: {0x0200, false}, x86asm.FCMOVU: {0x0200, false},
	// SDM: C1 set to 0. The host leaves it unchanged; gemu clears it.
	x86asm.FCOMI: {0x0200, false}, x86asm.FCOMIP: {0x0200, false}, x86asm.FUCOMI: {0x0200, false},
	x86asm.FUCOMIP: {0x0200, false},
	// No quotient (a NaN result, or an unmasked exception stopped the
	// instruction): the SDM does not say what C0-C3 become; the host
	// leaves C0, C1 and C3 and clears C2 where gemu clears all four or
	// leaves all four.
	x86asm.FPREM: {0x4700, true}, x86asm.FPREM1: {0x4700, true},
}

// untestableForms lists single forms the tester cannot compare.
var untestableForms = map[string]string{
	"MOV sreg,r64": "the reference host (AMD) raises #UD for REX.W 8E, which Intel documents as MOV Sreg, r/m64",
}

// RFLAGS: every arithmetic flag and DF are compared for every form: gemu
// reproduces the reference host's undefined flags (see the family files).

func immClass(f *formInfo) string {
	if f.immAt < 0 {
		return immNone
	}
	switch f.op {
	case x86asm.JMP, x86asm.CALL, x86asm.JRCXZ, x86asm.JECXZ, x86asm.LOOP, x86asm.LOOPE, x86asm.LOOPNE,
		x86asm.JA, x86asm.JAE, x86asm.JB, x86asm.JBE, x86asm.JE, x86asm.JG, x86asm.JGE, x86asm.JL,
		x86asm.JLE, x86asm.JNE, x86asm.JNO, x86asm.JNP, x86asm.JNS, x86asm.JO, x86asm.JP, x86asm.JS:
		return immRel
	case x86asm.ENTER:
		return immEnter
	case x86asm.ROL, x86asm.ROR, x86asm.RCL, x86asm.RCR, x86asm.SHL, x86asm.SHR, x86asm.SAR,
		x86asm.SHLD, x86asm.SHRD, x86asm.BT, x86asm.BTS, x86asm.BTR, x86asm.BTC,
		x86asm.PSLLW, x86asm.PSLLD, x86asm.PSLLQ, x86asm.PSRLW, x86asm.PSRLD, x86asm.PSRLQ,
		x86asm.PSRAW, x86asm.PSRAD, x86asm.PSLLDQ, x86asm.PSRLDQ, x86asm.RORX:
		return immCount
	}
	for _, a := range f.in.args {
		if a.kind == argXMM {
			return immCtl // SSE imm8: shuffles, blends, compares, rounding, string compares, inserts, extracts
		}
	}
	return immGen
}

// Fixups the tester applies to an input state so that the instruction
// can run without faulting and sees meaningful operands.
func fixup(f *formInfo) (fix string, reg int) {
	a := f.in.args
	switch f.op {
	case x86asm.DIV, x86asm.IDIV:
		if f.op == x86asm.DIV {
			fix = "FIX_UDIV"
		} else {
			fix = "FIX_IDIV"
		}
		return fix, int(a[0].reg)
	case x86asm.XLATB:
		return "FIX_XLAT", 0
	case x86asm.MASKMOVDQU:
		return "FIX_MASKMOV", 0
	case x86asm.LEAVE, x86asm.ENTER:
		return "FIX_RBP", 0
	case x86asm.RET:
		return "FIX_RET", 0
	case x86asm.POPFQ:
		return "FIX_POPF", 0
	case x86asm.JMP, x86asm.CALL:
		switch a[0].kind {
		case argReg:
			return "FIX_BRREG", int(a[0].reg)
		case argMem:
			return "FIX_BRMEM", 0
		}
	case x86asm.BT, x86asm.BTS, x86asm.BTR, x86asm.BTC:
		if a[0].kind == argMem && a[1].kind == argReg {
			return "FIX_BITOFF", int(a[1].reg)
		}
	case x86asm.PCMPESTRI, x86asm.PCMPESTRM:
		return "FIX_STRLEN", 0
	case x86asm.MOV:
		if a[0].kind == argSeg {
			if a[1].kind == argReg {
				return "FIX_SEGREG", int(a[1].reg)
			}
			return "FIX_SEGMEM", 0
		}
	}
	if isStringOp(f.op) {
		return "FIX_STRING", 0
	}
	return "FIX_NONE", 0
}

// xmmKind is the kind of data the XMM registers get: binary32 or binary64
// edge values for the floating-point forms, strings for the string
// compares, integers otherwise.
func xmmKind(op x86asm.Op) string {
	n := opName(op)
	switch {
	case strings.HasPrefix(n, "PCMP") && strings.Contains(n, "STR"):
		return "XK_STR"
	case strings.HasPrefix(n, "CVTSS2") || strings.HasPrefix(n, "CVTTSS2") || strings.HasPrefix(n, "CVTPS2") ||
		strings.HasPrefix(n, "CVTTPS2"):
		return "XK_F32"
	case strings.HasPrefix(n, "CVTSD2") || strings.HasPrefix(n, "CVTTSD2") || strings.HasPrefix(n, "CVTPD2") ||
		strings.HasPrefix(n, "CVTTPD2"):
		return "XK_F64"
	case strings.HasPrefix(n, "CVT"):
		return "XK_INT"
	case n == "MOVSD_XMM" || n == "CMPSD_XMM" || n == "COMISD" || n == "UCOMISD":
		return "XK_F64"
	case n == "COMISS" || n == "UCOMISS":
		return "XK_F32"
	case strings.HasPrefix(n, "P") || strings.HasPrefix(n, "MOVD") || strings.HasPrefix(n, "MOVQ") || n == "MPSADBW" ||
		n == "LDDQU" || n == "MASKMOVDQU":
		return "XK_INT"
	case strings.HasSuffix(n, "PS") || strings.HasSuffix(n, "SS"):
		return "XK_F32"
	case strings.HasSuffix(n, "PD") || strings.HasSuffix(n, "SD"):
		return "XK_F64"
	}
	return "XK_INT"
}

// memKind is the kind of data a memory operand gets, and memSize its size
// in bytes when x86asm reports none.
func memKind(f *formInfo, xk string) (kind string, size int) {
	var m arg
	for _, a := range f.in.args {
		if a.kind == argMem {
			m = a
		}
	}
	size = int(m.size)
	n := opName(f.op)
	switch f.op {
	case x86asm.FXRSTOR, x86asm.FXRSTOR64:
		return "MK_FXIMG", 512
	case x86asm.FXSAVE, x86asm.FXSAVE64:
		return "MK_INT", 512
	case x86asm.FRSTOR:
		return "MK_SAVE", 108
	case x86asm.FNSAVE:
		return "MK_INT", 108
	case x86asm.FLDENV:
		return "MK_ENV", 28
	case x86asm.FNSTENV:
		return "MK_INT", 28
	case x86asm.LDMXCSR:
		return "MK_MXCSR", 4
	case x86asm.FBLD, x86asm.FBSTP:
		return "MK_BCD", 10
	case x86asm.XLATB:
		return "MK_INT", 256
	case x86asm.MASKMOVDQU:
		return "MK_INT", 16
	case x86asm.JMP, x86asm.CALL:
		return "MK_INT", 8
	case x86asm.LEA, x86asm.CLFLUSH, x86asm.PREFETCHNTA, x86asm.PREFETCHT0, x86asm.PREFETCHT1,
		x86asm.PREFETCHT2, x86asm.PREFETCHW:
		return "MK_INT", 16
	}
	if size == 0 {
		return "MK_NONE", 0
	}
	if strings.HasPrefix(n, "F") {
		switch {
		case strings.HasPrefix(n, "FI") || n == "FNSTCW" || n == "FNSTSW" || n == "FLDCW":
			return "MK_INT", size
		case size == 4:
			return "MK_F32", size
		case size == 8:
			return "MK_F64", size
		case size == 10:
			return "MK_F80", size
		}
		return "MK_INT", size
	}
	switch xk {
	case "XK_F32":
		return "MK_F32", size
	case "XK_F64":
		return "MK_F64", size
	case "XK_STR":
		return "MK_STR", size
	}
	return "MK_INT", size
}

// outMask says which pointer fields of a stored FPU image the tester
// ignores: the host leaves FIP, FDP and FOP out of FXSAVE's image unless
// an exception is pending (AMD), and a context switch changes them.
func outMask(op x86asm.Op) string {
	switch op {
	case x86asm.FXSAVE, x86asm.FXSAVE64:
		return "OM_FXSAVE"
	case x86asm.FNSAVE, x86asm.FNSTENV:
		return "OM_ENV"
	}
	return "OM_NONE"
}

// operands describes the explicit operands for the tester's input grid:
// a letter per operand (g general register, h AH-BH, x XMM, s x87
// register, m memory, i immediate, c segment register) and the register
// numbers.
func operands(f *formInfo) (string, [4]int) {
	var s strings.Builder
	regs := [4]int{-1, -1, -1, -1}
	for i, a := range f.in.args {
		switch a.kind {
		case argNone:
			return s.String(), regs
		case argReg:
			s.WriteByte('g')
		case argRegHi:
			s.WriteByte('h')
		case argXMM:
			s.WriteByte('x')
		case argST:
			s.WriteByte('s')
		case argMem:
			s.WriteByte('m')
		case argImm:
			s.WriteByte('i')
		case argSeg:
			s.WriteByte('c')
		default:
			s.WriteByte('?')
		}
		regs[i] = int(a.reg)
	}
	return s.String(), regs
}

// genFormTable renders insn_forms.h.
func genFormTable() []byte {
	forms := enumerateVariants()
	keys := map[string]bool{}
	var b bytes.Buffer
	b.WriteString(`// Code generated by "go test ./emu/ -run TestFormTable -update-forms"; DO NOT EDIT.
//
// The instruction forms gemu implements (see emu/forms_test.go for what a
// form is) and, for each, one or more encodings the differential tester
// insn_forms.c runs. Registers in the encodings are chosen distinct and
// away from RSP; a memory operand is RIP-relative (the tester patches the
// displacement); immediates are patched with the values of their class.

`)
	var lines []string
	untested := map[string]string{}
	for _, v := range forms {
		keys[v.key] = true
		if why, ok := untestable[v.op]; ok {
			untested[v.key] = why
			continue
		}
		if why, ok := untestableForms[v.key]; ok {
			untested[v.key] = why
			continue
		}
		xk := xmmKind(v.op)
		mk, msize := memKind(v, xk)
		fix, freg := fixup(v)
		ops, regs := operands(v)
		var enc []string
		for _, x := range v.enc {
			enc = append(enc, fmt.Sprintf("0x%02x", x))
		}
		immLen := 0
		if v.immAt >= 0 {
			immLen = len(v.enc) - v.immAt
		}
		fm := fswMask[v.op]
		lines = append(lines, fmt.Sprintf("\t{%q, %d, {%s}, %d, %d, %d, %s, %s, %d, %s, %s, %d, %s, %q, {%d, %d, %d, %d}, %#04x, %d},",
			v.key, len(v.enc), strings.Join(enc, ","), v.disp, v.immAt, immLen, immClass(v), fix, freg,
			xk, mk, msize, outMask(v.op), ops, regs[0], regs[1], regs[2], regs[3], fm.mask, b2i(fm.nanOnly)))
	}
	fmt.Fprintf(&b, "#define FORMS_IMPLEMENTED %d\n\n", len(keys))
	b.WriteString("static const struct form forms[] = {\n")
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	b.WriteString("};\n\n")
	b.WriteString("static const struct untested untested[] = {\n")
	var uk []string
	for k := range untested {
		uk = append(uk, k)
	}
	sort.Strings(uk)
	for _, k := range uk {
		fmt.Fprintf(&b, "\t{%q, %q},\n", k, untested[k])
	}
	b.WriteString("};\n")
	return b.Bytes()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestFormTable checks that testguests/c/insn_forms.h lists exactly the
// forms gemu implements today (with -update-forms it rewrites it).
func TestFormTable(t *testing.T) {
	got := genFormTable()
	if *updateForms {
		if err := os.WriteFile(formsHeader, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(formsHeader)
	if err != nil {
		t.Fatalf("%v (generate it with go test ./emu/ -run TestFormTable -update-forms)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale: gemu's instruction tables changed; regenerate it with go test ./emu/ -run TestFormTable -update-forms, "+
			"rebuild testguests/bin/insn_forms (make -C testguests) and refresh the golden files (go test ./testguests/ -update)", formsHeader)
	}
}
