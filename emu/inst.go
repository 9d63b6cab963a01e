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
	eaSeg  bool   // addr32 or seg: the effective address needs eaSegment
	cc     uint8  // fused compare-and-branch: the branch's condition code
	xop    x86asm.Op
	disp   uint64 // displacement; absolute address for RIP-relative operands
	imm    uint64 // immediate (masked to operand size), or branch target
	imm2   uint64 // second immediate (ENTER, EXTRQ...), family data, or a fused branch's target
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
	opMovRR64     // mov r64, r64
	opMovRR32     // mov r32, r32 (zero-extends)
	opMovRI64     // mov r64, imm
	opMovRI32     // mov r32, imm
	opMovLoad64   // mov r64, [m]
	opMovLoad32   // mov r32, [m]
	opMovStore64  // mov [m], r64
	opMovStore32  // mov [m], r32
	opMovStore16  // mov [m], r16
	opMovStore8   // mov [m], r8 (not AH-BH)
	opMovStoreI   // mov [m], imm (any size)
	opMovzxLoad8  // movzx r32/r64, byte [m]
	opMovzxLoad16 // movzx r32/r64, word [m]
	opMovsxLoad8  // movsx r32/r64, byte [m]
	opMovsxLoad16 // movsx r32/r64, word [m]
	opMovsxLoad32 // movsxd r64, dword [m]
	opMovzxRR     // movzx r32/r64, r8/r16 (not AH-BH)
	opMovsxRR     // movsx/movsxd r32/r64, r8/r16/r32 (not AH-BH)
	opLea64       // lea r64, [m]
	opLea32       // lea r32, [m]

	// Register ALU operations, one op per operation and size so that the
	// lazy flags are stored without a second dispatch.
	opAddRR64
	opAddRI64
	opSubRR64
	opSubRI64
	opCmpRR64
	opCmpRI64
	opAndRR64
	opAndRI64
	opOrRR64
	opOrRI64
	opXorRR64
	opXorRI64
	opTestRR64
	opTestRI64
	opAddRR32
	opAddRI32
	opSubRR32
	opSubRI32
	opCmpRR32
	opCmpRI32
	opAndRR32
	opAndRI32
	opOrRR32
	opOrRI32
	opXorRR32
	opXorRI32
	opTestRR32
	opTestRI32
	opAluRRn // 8/16-bit register ALU (not AH-BH), sub selects
	opAluRIn
	opAluRM // reg op= [m], any size, sub selects (no ADC/SBB)
	opAluMR // [m] op= reg
	opAluMI // [m] op= imm
	opIncR  // inc r32/r64
	opDecR  // dec r32/r64
	opNegR  // neg r32/r64
	opImulRR
	opImulRRI
	opShiftRI // rol/ror/shl/shr/sar r, imm (not AH-BH)
	opShiftRC // rol/ror/shl/shr/sar r, cl (not AH-BH)
	opSetcc   // setcc r8 (not AH-BH)
	opCmovRR  // cmovcc r32/r64, r32/r64

	// Compare-and-branch pairs (see fuse): the compare runs, sets the lazy
	// flags, and the conditional branch that follows it is decided at
	// once (cc, imm2) without dispatching it.
	opCmpRR64J
	opCmpRI64J
	opCmpRR32J
	opCmpRI32J
	opTestRR64J
	opTestRR32J

	opMovXX     // movaps/movapd/movdqa/movups/movupd/movdqu xmm, xmm
	opMovXLoad  // movups/movupd/movdqu xmm, [m]
	opMovXStore // movups/movupd/movdqu [m], xmm
	opMovsdLoad // movsd xmm, [m] (upper half zeroed)
	opMovsdStore
	opNotR     // not r32/r64
	opFPsd     // addsd/subsd/mulsd/divsd xmm, xmm/m64 (fastfp.go)
	opFPpd     // addpd/subpd/mulpd/divpd xmm, xmm
	opUnpcklpd // unpcklpd xmm, xmm
	opUnpckhpd // unpckhpd xmm, xmm
	opMovsb    // movsb without REP, 64-bit addresses, no segment override

	opJcc    // conditional branch, sub = condition code, imm = target
	opJe     // je/jz, imm = target
	opJne    // jne/jnz, imm = target
	opJmp    // direct jump, imm = target
	opCall   // direct call, imm = target
	opRet    // near return without immediate
	opJmpR   // jmp r64
	opCallR  // call r64
	opJmpM   // jmp [m]
	opCallM  // call [m]
	opPush64 // push r64
	opPop64  // pop r64
	opCount  // sentinel
)

var fastOpNames = [...]string{
	opGeneric:     "generic",
	opNop:         "nop",
	opMovRR64:     "mov.rr64",
	opMovRR32:     "mov.rr32",
	opMovRI64:     "mov.ri64",
	opMovRI32:     "mov.ri32",
	opMovLoad64:   "mov.load64",
	opMovLoad32:   "mov.load32",
	opMovStore64:  "mov.store64",
	opMovStore32:  "mov.store32",
	opMovStore16:  "mov.store16",
	opMovStore8:   "mov.store8",
	opMovStoreI:   "mov.storei",
	opMovzxLoad8:  "movzx.load8",
	opMovzxLoad16: "movzx.load16",
	opMovsxLoad8:  "movsx.load8",
	opMovsxLoad16: "movsx.load16",
	opMovsxLoad32: "movsx.load32",
	opMovzxRR:     "movzx.rr",
	opMovsxRR:     "movsx.rr",
	opLea64:       "lea64",
	opLea32:       "lea32",
	opAddRR64:     "add.rr64",
	opAddRI64:     "add.ri64",
	opSubRR64:     "sub.rr64",
	opSubRI64:     "sub.ri64",
	opCmpRR64:     "cmp.rr64",
	opCmpRI64:     "cmp.ri64",
	opAndRR64:     "and.rr64",
	opAndRI64:     "and.ri64",
	opOrRR64:      "or.rr64",
	opOrRI64:      "or.ri64",
	opXorRR64:     "xor.rr64",
	opXorRI64:     "xor.ri64",
	opTestRR64:    "test.rr64",
	opTestRI64:    "test.ri64",
	opAddRR32:     "add.rr32",
	opAddRI32:     "add.ri32",
	opSubRR32:     "sub.rr32",
	opSubRI32:     "sub.ri32",
	opCmpRR32:     "cmp.rr32",
	opCmpRI32:     "cmp.ri32",
	opAndRR32:     "and.rr32",
	opAndRI32:     "and.ri32",
	opOrRR32:      "or.rr32",
	opOrRI32:      "or.ri32",
	opXorRR32:     "xor.rr32",
	opXorRI32:     "xor.ri32",
	opTestRR32:    "test.rr32",
	opTestRI32:    "test.ri32",
	opAluRRn:      "alu.rrn",
	opAluRIn:      "alu.rin",
	opAluRM:       "alu.rm",
	opAluMR:       "alu.mr",
	opAluMI:       "alu.mi",
	opIncR:        "inc.r",
	opDecR:        "dec.r",
	opNegR:        "neg.r",
	opImulRR:      "imul.rr",
	opImulRRI:     "imul.rri",
	opShiftRI:     "shift.ri",
	opShiftRC:     "shift.rc",
	opSetcc:       "setcc",
	opCmovRR:      "cmov.rr",
	opCmpRR64J:    "cmp.rr64+jcc",
	opCmpRI64J:    "cmp.ri64+jcc",
	opCmpRR32J:    "cmp.rr32+jcc",
	opCmpRI32J:    "cmp.ri32+jcc",
	opTestRR64J:   "test.rr64+jcc",
	opTestRR32J:   "test.rr32+jcc",
	opMovXX:       "movx.rr",
	opMovXLoad:    "movx.load",
	opMovXStore:   "movx.store",
	opMovsdLoad:   "movsd.load",
	opMovsdStore:  "movsd.store",
	opNotR:        "not.r",
	opFPsd:        "fp.sd",
	opFPpd:        "fp.pd",
	opUnpcklpd:    "unpcklpd",
	opUnpckhpd:    "unpckhpd",
	opMovsb:       "movsb",
	opJcc:         "jcc",
	opJe:          "je",
	opJne:         "jne",
	opJmp:         "jmp",
	opCall:        "call",
	opRet:         "ret",
	opJmpR:        "jmp.r",
	opCallR:       "call.r",
	opJmpM:        "jmp.m",
	opCallM:       "call.m",
	opPush64:      "push64",
	opPop64:       "pop64",
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
