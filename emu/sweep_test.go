package emu

import (
	goelf "debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

// TestSweep disassembles the executable sections of real programs and
// checks that gemu implements every instruction a CPU with exactly gemu's
// CPUID features can reach: the committed guests in testguests/bin (musl
// C, assembly and Go programs), a static glibc program built here with gcc
// (skipped without gcc) and /usr/bin/busybox (skipped when absent).
//
// The sweep is linear: from the start of each executable section, decode
// (gemu's decode, then x86asm's for what gemu rejects, to learn the
// length), translate with gemu's translator, advance by the length
// (one byte for undecodable bytes: padding, data, garbage after a jump).
//
// Reachability is decided by the CPUID feature an instruction needs: a
// program that checks CPUID before using an extension (glibc's ifunc
// resolvers, Go's internal/cpu, GCC's function multiversioning) never
// runs an instruction whose feature gemu does not advertise, so such
// instructions are counted apart, per feature (AVX/AVX2/AVX-512/FMA... for
// every VEX and EVEX encoding except BMI1/BMI2, XSAVE, RTM, AES, SHA,
// PCLMULQDQ, RDRAND, FSGSBASE, MMX...). Everything else that gemu cannot
// translate is unimplemented: the target is zero.
func TestSweep(t *testing.T) {
	var progs []string
	bins, _ := filepath.Glob("../testguests/bin/*")
	progs = append(progs, bins...)
	if gcc, err := exec.LookPath("gcc"); err == nil {
		out := filepath.Join(t.TempDir(), "glibc-strings")
		cmd := exec.Command(gcc, "-static", "-O2", "-o", out, "../testguests/c/strings.c", "-lm")
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Logf("no glibc program: %v\n%s", err, msg)
		} else {
			progs = append(progs, out)
		}
	} else {
		t.Log("gcc not found: no glibc program swept")
	}
	if _, err := os.Stat("/usr/bin/busybox"); err == nil {
		progs = append(progs, "/usr/bin/busybox")
	} else {
		t.Log("/usr/bin/busybox absent: not swept")
	}
	total := sweepResult{unreachable: map[string]int{}, unimpl: map[string][]string{}}
	for _, p := range progs {
		r, err := sweepFile(p)
		if err != nil {
			t.Logf("%s: %v (skipped)", p, err)
			continue
		}
		t.Logf("%-40s %7d instructions, %4d forms, %d unreachable under the advertised CPUID, %d undecodable bytes, %d unimplemented",
			filepath.Base(p), r.insts, len(r.forms), r.unreachableTotal(), r.undecodable, len(r.unimpl))
		total.merge(r)
	}
	var feats []string
	for f, n := range total.unreachable {
		feats = append(feats, fmt.Sprintf("%s %d", f, n))
	}
	sort.Strings(feats)
	t.Logf("all: %d instructions of %d forms; unreachable by feature: %s; %d undecodable bytes",
		total.insts, len(total.forms), strings.Join(feats, ", "), total.undecodable)
	t.Logf("unimplemented forms reachable under the advertised CPUID: %d", len(total.unimpl))
	var keys []string
	for k := range total.unimpl {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		where := total.unimpl[k]
		t.Errorf("unimplemented: %s (%d times, e.g. %s)", k, len(where), where[0])
	}
}

type sweepResult struct {
	insts       int
	forms       map[string]bool
	unreachable map[string]int      // by CPUID feature
	unimpl      map[string][]string // form -> "file:address bytes"
	undecodable int
}

func (r *sweepResult) unreachableTotal() int {
	n := 0
	for _, c := range r.unreachable {
		n += c
	}
	return n
}

func (r *sweepResult) merge(o sweepResult) {
	if r.forms == nil {
		r.forms = map[string]bool{}
	}
	r.insts += o.insts
	r.undecodable += o.undecodable
	for k := range o.forms {
		r.forms[k] = true
	}
	for k, n := range o.unreachable {
		r.unreachable[k] += n
	}
	for k, w := range o.unimpl {
		r.unimpl[k] = append(r.unimpl[k], w...)
	}
}

func sweepFile(path string) (sweepResult, error) {
	r := sweepResult{forms: map[string]bool{}, unreachable: map[string]int{}, unimpl: map[string][]string{}}
	f, err := goelf.Open(path)
	if err != nil {
		return r, err
	}
	defer f.Close()
	if f.Machine != goelf.EM_X86_64 {
		return r, fmt.Errorf("not x86-64")
	}
	noMMX := reflect.ValueOf(execNoMMX).Pointer()
	for _, s := range f.Sections {
		if s.Flags&goelf.SHF_EXECINSTR == 0 || s.Type != goelf.SHT_PROGBITS {
			continue
		}
		data, err := s.Data()
		if err != nil {
			return r, err
		}
		for off := 0; off < len(data); {
			b := data[off:min(off+16, len(data))]
			addr := s.Addr + uint64(off)
			xi, err := decode(b)
			if err != nil || xi.Op == 0 {
				// What does it need? x86asm knows most of what gemu rejects.
				if feat, n := vexFeature(b); feat != "" {
					r.insts++
					r.unreachable[feat]++
					off += n
					continue
				}
				r.undecodable++
				off++
				continue
			}
			r.insts++
			in := translate(&xi, addr)
			switch {
			case in.fl&instUnimpl != 0:
				if feat, _ := vexFeature(b); feat != "" {
					r.unreachable[feat]++
				} else if feat, ok := opFeature(xi.Op); ok {
					r.unreachable[feat]++
				} else {
					key := sweepKey(&xi)
					r.unimpl[key] = append(r.unimpl[key], fmt.Sprintf("%s:%#x % x", filepath.Base(path), addr, b[:xi.Len]))
				}
			case reflect.ValueOf(in.fn).Pointer() == noMMX:
				r.unreachable["MMX"]++
			default:
				r.forms[formKey(&in)] = true
			}
			off += xi.Len
		}
	}
	return r, nil
}

// vexFeature classifies an instruction gemu's decoder rejects by its
// VEX/EVEX prefix: the AVX family (x86asm decodes it for the length).
func vexFeature(b []byte) (string, int) {
	i := skipPrefixes(b)
	if i >= len(b) {
		return "", 0
	}
	switch b[i] {
	case 0xc4, 0xc5, 0x62:
	default:
		return "", 0
	}
	xi, err := x86asm.Decode(b, 64)
	n := xi.Len
	if b[i] != 0x62 {
		n = vexLength(b, i) // x86asm fails on some (VZEROUPPER after a prefix...)
	} else if err != nil || xi.Op == 0 {
		n = 1
	}
	switch {
	case b[i] == 0x62:
		return "AVX-512 (EVEX)", n
	case strings.HasPrefix(xi.Op.String(), "VFMADD") || strings.HasPrefix(xi.Op.String(), "VFMSUB") ||
		strings.HasPrefix(xi.Op.String(), "VFNM"):
		return "FMA", n
	}
	return "AVX/AVX2 (VEX)", n
}

// vexLength is the length of the VEX instruction whose C4/C5 byte is at
// b[i]: the VEX bytes, the opcode, ModRM with SIB and displacement (none
// for VZEROUPPER/VZEROALL) and an imm8 (map 0F3A, and the map-1 opcodes
// that take one).
func vexLength(b []byte, i int) int {
	var mmmmm byte = 1
	n := i + 2
	if b[i] == 0xc4 {
		if i+1 >= len(b) {
			return 1
		}
		mmmmm = b[i+1] & 0x1f
		n = i + 3
	}
	if n >= len(b) {
		return 1
	}
	op := b[n]
	n++
	if mmmmm == 1 && op == 0x77 {
		return n
	}
	_, _, m, ok := modrmOperand(b[n:], false, false, false, 8, false, 0)
	if !ok {
		return 1
	}
	n += m
	switch {
	case mmmmm == 3, mmmmm == 1 && (op >= 0x70 && op <= 0x73 || op == 0xc2 || op >= 0xc4 && op <= 0xc6):
		n++
	}
	return n
}

// opFeature says which CPUID feature (not advertised by gemu) or which
// privilege an x86asm op needs, for the ops gemu does not translate.
func opFeature(op x86asm.Op) (string, bool) {
	n := op.String()
	switch {
	case strings.HasPrefix(n, "AES"):
		return "AES", true
	case n == "PCLMULQDQ":
		return "PCLMULQDQ", true
	case strings.HasPrefix(n, "SHA"):
		return "SHA", true
	case strings.HasPrefix(n, "XSAVE"), strings.HasPrefix(n, "XRSTOR"), n == "XGETBV", n == "XSETBV":
		return "XSAVE/OSXSAVE", true
	case n == "XBEGIN", n == "XEND", n == "XABORT", n == "XTEST":
		return "RTM", true
	case n == "RDRAND":
		return "RDRAND", true
	case strings.HasSuffix(n, "FSBASE"), strings.HasSuffix(n, "GSBASE"):
		return "FSGSBASE", true
	case n == "EMMS":
		return "MMX", true
	case n == "MOVNTSS", n == "MOVNTSD":
		return "SSE4A", true
	}
	switch op {
	case x86asm.IN, x86asm.INSB, x86asm.INSW, x86asm.INSD, x86asm.OUT, x86asm.OUTSB, x86asm.OUTSW, x86asm.OUTSD,
		x86asm.RDMSR, x86asm.WRMSR, x86asm.RDPMC, x86asm.LGDT, x86asm.LIDT, x86asm.LLDT, x86asm.LTR, x86asm.LMSW,
		x86asm.INVD, x86asm.WBINVD, x86asm.INVLPG, x86asm.INVPCID, x86asm.CLTS, x86asm.SWAPGS, x86asm.SYSRET,
		x86asm.SYSEXIT, x86asm.IRET, x86asm.IRETD, x86asm.IRETQ, x86asm.RSM, x86asm.ICEBP, x86asm.LAR, x86asm.LSL,
		x86asm.VERR, x86asm.VERW, x86asm.SGDT, x86asm.SIDT, x86asm.SLDT, x86asm.SMSW, x86asm.STR, x86asm.SYSENTER:
		return "privileged or segmentation (faults at CPL 3 or in 64-bit mode)", true
	}
	return "", false
}

// sweepKey names an instruction gemu cannot translate: its mnemonic and
// x86asm's operand types.
func sweepKey(xi *x86asm.Inst) string {
	var args []string
	for _, a := range xi.Args {
		if a == nil {
			break
		}
		switch a := a.(type) {
		case x86asm.Reg:
			args = append(args, "reg:"+a.String())
		case x86asm.Mem:
			args = append(args, fmt.Sprintf("m%d", 8*xi.MemBytes))
		case x86asm.Imm:
			args = append(args, "i")
		case x86asm.Rel:
			args = append(args, "rel")
		}
	}
	return opName(xi.Op) + " " + strings.Join(args, ",")
}
