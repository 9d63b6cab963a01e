package emu

import (
	"fmt"

	"golang.org/x/arch/x86/x86asm"
)

// opInfo tells the translator how to execute one x86asm.Op.
type opInfo struct {
	fn  handler
	sub uint8 // copied into inst.sub
	// end marks instructions that end a basic block: control transfers and
	// instructions that leave the block loop (SYSCALL, traps).
	end bool
	// need is the optional feature the instruction belongs to: on a CPU
	// without it the instruction raises #UD (see gateFeature).
	need feature
	// sse makes the translator run prepSSE before prep: the MMX-register
	// forms that share an x86asm.Op with an SSE form raise #UD.
	sse bool
	// prep adjusts the translated instruction (sizes x86asm reports
	// oddly, implicit operands...); false makes the instruction undefined.
	prep func(xi *x86asm.Inst, in *inst) bool
}

// opEntry is one row of a family table.
type opEntry struct {
	op   x86asm.Op
	info opInfo
}

// family is one instruction family's table. need and sse apply to every
// entry (an entry's own need wins).
type family struct {
	name string
	ops  []opEntry
	need feature
	sse  bool
}

// families lists every instruction family's table. A family file declares
// one `var xxxOps = []opEntry{...}` and is listed here. The tables are
// slices of structs whose fields are constants and top-level functions,
// which the linker lays out statically: package initialisation allocates
// nothing for them (a map literal would be built at start-up).
var families = [...]family{
	{name: "alu", ops: aluOps},
	{name: "move", ops: moveOps},
	{name: "control", ops: controlOps},
	{name: "misc", ops: miscOps},
	{name: "shift", ops: shiftOps},
	{name: "muldiv", ops: muldivOps},
	{name: "bits", ops: bitOps},
	{name: "string", ops: stringOps},
	{name: "sse_mov", ops: sseMovOps, sse: true},
	{name: "sse_int", ops: sseIntOps, sse: true},
	{name: "sse_fp", ops: sseFPOps, sse: true},
	{name: "sse_cvt", ops: sseCvtOps, sse: true},
	{name: "x87", ops: x87Ops},
	{name: "sse3", ops: sse3Ops, need: featSSE3, sse: true},
	{name: "ssse3", ops: ssse3Ops, need: featSSSE3, sse: true},
	{name: "sse41", ops: sse41Ops, need: featSSE41, sse: true},
	{name: "sse41fp", ops: sse41FPOps, need: featSSE41, sse: true},
	{name: "sse42", ops: sse42Ops, need: featSSE42, sse: true},
	{name: "bmi", ops: bmiOps},
	{name: "adx", ops: adxOps},
}

// opTableSize bounds the x86asm.Op values gemu can execute.
const opTableSize = 2048

// opRef locates an op's entry: family index+1 in the high bits, entry
// index in the low opRefBits; 0 means no entry.
type opRef uint16

const opRefBits = 10

// opIndex is the merged, read-only dispatch index by x86asm.Op, filled
// once by init from families. It is 4 KiB: a table of opInfo values would
// be 48 KiB of memory touched at every start.
var opIndex [opTableSize]opRef

func init() {
	for fi := range families {
		for ei, e := range families[fi].ops {
			if int(e.op) < opTableSize && ei < 1<<opRefBits {
				opIndex[e.op] = opRef((fi+1)<<opRefBits | ei)
			}
		}
	}
}

// lookupOp returns how to execute op, with its family's need and sse
// applied, and false when gemu has no handler for op.
func lookupOp(op x86asm.Op) (opInfo, bool) {
	if int(op) >= opTableSize || opIndex[op] == 0 {
		return opInfo{}, false
	}
	r := opIndex[op]
	f := &families[int(r>>opRefBits)-1]
	info := f.ops[r&(1<<opRefBits-1)].info
	if info.need == featNone {
		info.need = f.need
	}
	info.sse = info.sse || f.sse
	return info, info.fn != nil
}

// checkOpTables reports ops claimed by two families or out of the table's
// range; a test asserts it returns nothing.
func checkOpTables() []string {
	var problems []string
	owner := map[x86asm.Op]string{}
	for _, f := range families {
		if len(f.ops) > 1<<opRefBits {
			problems = append(problems, fmt.Sprintf("%s: %d entries, more than opRef holds", f.name, len(f.ops)))
		}
		for _, e := range f.ops {
			op, info := e.op, e.info
			if int(op) >= opTableSize {
				problems = append(problems, fmt.Sprintf("%s: %v beyond opTableSize", f.name, op))
			}
			if info.fn == nil {
				problems = append(problems, fmt.Sprintf("%s: %v has no handler", f.name, op))
			}
			if o, dup := owner[op]; dup {
				problems = append(problems, fmt.Sprintf("%v in both %s and %s", op, o, f.name))
			}
			owner[op] = f.name
		}
	}
	return problems
}
