package emu

import "golang.org/x/arch/x86/x86asm"

// argKind is what an instruction operand refers to.
type argKind uint8

const (
	argNone  argKind = iota
	argReg           // low size bytes of a general register
	argRegHi         // AH, CH, DH or BH: bits 8-15 of register reg
	argMem           // memory at the instruction's effective address
	argImm           // the immediate in inst.imm
	argXMM           // an XMM register
	argST            // x87 register ST(reg)
	argSeg           // a segment register (reg: 0 ES, 1 CS, 2 SS, 3 DS, 4 FS, 5 GS)
	argMMX           // an MMX register
)

// arg is one decoded operand.
type arg struct {
	kind argKind
	size uint8 // bytes: 1, 2, 4, 8, 10, 16...
	reg  uint8
}

// Segment override of a memory operand.
const (
	segNone uint8 = iota
	segFS
	segGS
)

const noReg = 0xff

// Repeat prefixes.
const (
	repNone uint8 = iota
	repE          // F3: REP / REPE
	repNE         // F2: REPNE
)

// handler executes one instruction. It returns false when the instruction
// raised a trap (recorded in CPU.trap); it then must not have committed any
// architectural state, except for traps that complete the instruction
// (SYSCALL, INT3).
type handler func(c *CPU, in *inst) bool

// inst is one pre-decoded instruction: everything execution needs, resolved
// at translation time.
type inst struct {
	op     fastOp // specialised operation for the hot switch, opGeneric otherwise
	sub    uint8  // family-specific sub-operation (ALU kind, condition code...)
	len    uint8  // encoded length
	rep    uint8  // repNone, repE, repNE
	fl     uint8  // instEnd, instUnimpl
	args   [4]arg // Intel order: destination first
	base   uint8  // memory base register or noReg
	index  uint8  // memory index register or noReg
	scale  uint8  // log2 of the index scale
	seg    uint8  // segNone, segFS, segGS
	addr32 bool   // 0x67: effective address truncated to 32 bits
	xop    x86asm.Op
	disp   uint64 // displacement; absolute address for RIP-relative operands
	imm    uint64 // immediate (masked to operand size), or branch target
	imm2   uint64 // second immediate (ENTER, EXTRQ...), or family data
	pc     uint64 // address of the instruction
	fn     handler
}

// inst.fl bits.
const (
	instEnd    = 1 << iota // ends its block
	instUnimpl             // gemu cannot execute it: -d unimp reports it
)

// next is the address of the following instruction.
func (in *inst) next() uint64 { return in.pc + uint64(in.len) }

// fastOp selects a specialised implementation in the execution switch.
// opGeneric calls inst.fn.
type fastOp uint16

const (
	opGeneric fastOp = iota
	opNop
	opMovRR64    // mov r64, r64
	opMovRR32    // mov r32, r32 (zero-extends)
	opMovRI64    // mov r64, imm
	opMovRI32    // mov r32, imm
	opMovLoad64  // mov r64, [m]
	opMovLoad32  // mov r32, [m]
	opMovStore64 // mov [m], r64
	opMovStore32 // mov [m], r32
	opLea64      // lea r64, [m]
	opAluRR64    // add/sub/and/or/xor/cmp r64, r64 (sub selects)
	opAluRI64    // add/sub/and/or/xor/cmp r64, imm
	opAluRR32
	opAluRI32
	opTestRR64
	opTestRR32
	opJcc    // conditional branch, sub = condition code, imm = target
	opJmp    // direct jump, imm = target
	opCall   // direct call, imm = target
	opRet    // near return without immediate
	opPush64 // push r64
	opPop64  // pop r64
	opCount  // sentinel
)

var fastOpNames = [...]string{
	opGeneric:    "generic",
	opNop:        "nop",
	opMovRR64:    "mov.rr64",
	opMovRR32:    "mov.rr32",
	opMovRI64:    "mov.ri64",
	opMovRI32:    "mov.ri32",
	opMovLoad64:  "mov.load64",
	opMovLoad32:  "mov.load32",
	opMovStore64: "mov.store64",
	opMovStore32: "mov.store32",
	opLea64:      "lea64",
	opAluRR64:    "alu.rr64",
	opAluRI64:    "alu.ri64",
	opAluRR32:    "alu.rr32",
	opAluRI32:    "alu.ri32",
	opTestRR64:   "test.rr64",
	opTestRR32:   "test.rr32",
	opJcc:        "jcc",
	opJmp:        "jmp",
	opCall:       "call",
	opRet:        "ret",
	opPush64:     "push64",
	opPop64:      "pop64",
}

func (o fastOp) String() string {
	if int(o) < len(fastOpNames) && fastOpNames[o] != "" {
		return fastOpNames[o]
	}
	return "fastOp(?)"
}

// sizeMask[n] masks a value to n bytes.
var sizeMask = [17]uint64{1: 0xff, 2: 0xffff, 4: 0xffffffff, 8: ^uint64(0), 16: ^uint64(0)}

// signBit[n] is the sign bit of an n-byte value.
var signBit = [9]uint64{1: 0x80, 2: 0x8000, 4: 0x80000000, 8: 1 << 63}

// sext sign-extends the low size bytes of v to 64 bits.
func sext(v uint64, size uint8) uint64 {
	s := 64 - 8*uint(size)
	return uint64(int64(v<<s) >> s)
}
