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
	// prep adjusts the translated instruction (sizes x86asm reports
	// oddly, implicit operands...); false makes the instruction undefined.
	prep func(xi *x86asm.Inst, in *inst) bool
}

// families lists every instruction family's table. A family file declares
// one `var xxxOps = map[x86asm.Op]opInfo{...}` and is listed here.
var families = []struct {
	name string
	ops  map[x86asm.Op]opInfo
}{
	{"alu", aluOps},
	{"move", moveOps},
	{"control", controlOps},
	{"misc", miscOps},
	{"shift", shiftOps},
	{"muldiv", muldivOps},
	{"bits", bitOps},
	{"string", stringOps},
	{"sse", sseOps},
	{"x87", x87Ops},
	{"sse3", sse3Ops},
	{"ssse3", ssse3Ops},
	{"sse41", sse41Ops},
	{"sse41fp", sse41FPOps},
	{"sse42", sse42Ops},
	{"bmi", bmiOps},
	{"adx", adxOps},
}

// opTableSize bounds the x86asm.Op values gemu can execute.
const opTableSize = 2048

// opTable is the merged, read-only dispatch table indexed by x86asm.Op.
var opTable = buildOpTable()

func buildOpTable() *[opTableSize]opInfo {
	var t [opTableSize]opInfo
	for _, f := range families {
		for op, info := range f.ops {
			if int(op) < opTableSize {
				t[op] = info
			}
		}
	}
	return &t
}

// checkOpTables reports ops claimed by two families or out of the table's
// range; a test asserts it returns nothing.
func checkOpTables() []string {
	var problems []string
	owner := map[x86asm.Op]string{}
	for _, f := range families {
		for op, info := range f.ops {
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
