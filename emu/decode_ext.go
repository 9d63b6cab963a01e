package emu

import (
	"strings"

	"golang.org/x/arch/x86/x86asm"
)

// Encodings x86asm v0.33.0 does not decode, or decodes wrongly, that a CPU
// with gemu's advertised features executes (decode calls these before
// x86asm.Decode):
//
//   - VEX-encoded BMI1/BMI2 instructions. x86asm decodes them but loses the
//     RIP base of a RIP-relative operand, rejects a segment or 0x67 prefix
//     before C4/C5, and leaves the VEX bytes in Inst.Prefix where they look
//     like REP prefixes. decodeVEX decodes them itself. Every other VEX
//     instruction (AVX, not advertised) comes back undecodable: #UD, as on
//     a CPU with CR4.OSXSAVE clear.
//   - ADCX and ADOX (66/F3 0F 38 F6), which x86asm does not know: they get
//     the synthetic ops opADCX and opADOX.
//   - The x87 alias encodings real CPUs execute: DC D0+i (FCOM), DC D8+i
//     and DE D0+i (FCOMP), D9 D8+i, DF D0+i and DF D8+i (FSTP), DD C8+i
//     and DF C8+i (FXCH), and DB E0, DB E1, DB E4 (the 8087/287 FENI,
//     FDISI and FSETPM, which later CPUs ignore). The aliases decode as the
//     instruction they alias but keep their own opcode for the FOP register
//     (the host reports it so); the three no-ops neither wait nor update
//     the FPU pointers (measured on the host), so they decode as NOP.
//   - PEXTRW's SSE4.1 encoding 66 0F 3A 15, which x86asm reports with the
//     same Op as the SSE2 register-only form: it becomes opPEXTRW41.

// Synthetic ops for instructions x86asm has no Op for. They are beyond the
// largest x86asm.Op (1533 in v0.33.0) and below opTableSize.
const (
	opADCX     x86asm.Op = 2001 + iota // ADCX r32/64, r/m32/64
	opADOX                             // ADOX r32/64, r/m32/64
	opPEXTRW41                         // PEXTRW r32/m16, xmm, imm8 (66 0F 3A 15)
)

var syntheticNames = map[x86asm.Op]string{
	opADCX:     "ADCX",
	opADOX:     "ADOX",
	opPEXTRW41: "PEXTRW",
}

// opName names an x86asm op or one of gemu's synthetic ops.
func opName(op x86asm.Op) string {
	if n, ok := syntheticNames[op]; ok {
		return n
	}
	return op.String()
}

// legacyPrefixes describes the legacy prefixes at the start of an
// instruction.
type legacyPrefixes struct {
	n             int // bytes of legacy prefixes
	p66, pF2, pF3 bool
	lock, addr32  bool
	seg           x86asm.Reg // FS, GS or 0
	lastRep       byte       // the last of F2/F3, or 0
	rex           byte       // the REX prefix right after them, or 0
	rexAt         int        // index after the REX prefix (== n without one)
	short         bool       // nothing follows the prefixes
}

// scanPrefixes scans the legacy and REX prefixes at the start of b.
func scanPrefixes(b []byte) legacyPrefixes {
	var p legacyPrefixes
	i := 0
loop:
	for ; i < len(b) && i < 14; i++ {
		switch b[i] {
		case 0x66:
			p.p66 = true
		case 0x67:
			p.addr32 = true
		case 0xf0:
			p.lock = true
		case 0xf2:
			p.pF2, p.lastRep = true, 0xf2
		case 0xf3:
			p.pF3, p.lastRep = true, 0xf3
		case 0x2e, 0x36, 0x3e, 0x26:
			// Ignored in 64-bit mode; a later FS/GS override still counts.
		case 0x64:
			p.seg = x86asm.FS
		case 0x65:
			p.seg = x86asm.GS
		default:
			break loop
		}
	}
	p.n, p.rexAt = i, i
	if i < len(b) && b[i]&0xf0 == 0x40 {
		p.rex = b[i]
		p.rexAt = i + 1
	}
	p.short = p.rexAt >= len(b)
	return p
}

// modrmOperand decodes the ModRM byte at b[0] and what follows it (SIB,
// displacement). rexR, rexX, rexB extend the reg, index and base fields
// (REX or inverted VEX bits). size is the operand size in bytes (4 or 8)
// for a register r/m operand. It returns the reg field (0-15), the r/m
// operand (a general register or memory) and the number of bytes used;
// ok is false when b is too short.
func modrmOperand(b []byte, rexR, rexX, rexB bool, size int, addr32 bool, seg x86asm.Reg) (reg int, rm x86asm.Arg, n int, ok bool) {
	if len(b) < 1 {
		return 0, nil, 0, false
	}
	modrm := b[0]
	mod, r, m := modrm>>6, int(modrm>>3&7), int(modrm&7)
	if rexR {
		r += 8
	}
	n = 1
	if mod == 3 {
		if rexB {
			m += 8
		}
		return r, gpr(m, size), n, true
	}
	mem := x86asm.Mem{Segment: seg}
	addrReg := func(i int) x86asm.Reg {
		if addr32 {
			return x86asm.EAX + x86asm.Reg(i)
		}
		return x86asm.RAX + x86asm.Reg(i)
	}
	dispSize := 0
	switch mod {
	case 1:
		dispSize = 1
	case 2:
		dispSize = 4
	}
	if m == 4 { // SIB
		if len(b) < 2 {
			return 0, nil, 0, false
		}
		sib := b[1]
		n++
		scale, idx, base := sib>>6, int(sib>>3&7), int(sib&7)
		if rexX {
			idx += 8
		}
		if idx != 4 {
			mem.Index = addrReg(idx)
			mem.Scale = 1 << scale
		} else {
			mem.Scale = 1
		}
		if base == 5 && mod == 0 {
			dispSize = 4
		} else {
			if rexB {
				base += 8
			}
			mem.Base = addrReg(base)
		}
	} else if m == 5 && mod == 0 {
		dispSize = 4
		mem.Base = x86asm.RIP
		if addr32 {
			mem.Base = x86asm.EIP
		}
	} else {
		if rexB {
			m += 8
		}
		mem.Base = addrReg(m)
	}
	if len(b) < n+dispSize {
		return 0, nil, 0, false
	}
	switch dispSize {
	case 1:
		mem.Disp = int64(int8(b[n]))
	case 4:
		mem.Disp = int64(int32(uint32(b[n]) | uint32(b[n+1])<<8 | uint32(b[n+2])<<16 | uint32(b[n+3])<<24))
	}
	return r, mem, n + dispSize, true
}

// gpr returns general register i (0-15) of size bytes (4 or 8).
func gpr(i, size int) x86asm.Reg {
	if size == 8 {
		return x86asm.RAX + x86asm.Reg(i)
	}
	return x86asm.EAX + x86asm.Reg(i)
}

// extInst builds the Inst of an instruction decoded here.
func extInst(op x86asm.Op, length, size int, p legacyPrefixes, args ...x86asm.Arg) x86asm.Inst {
	xi := x86asm.Inst{Op: op, Len: length, Mode: 64, AddrSize: 64, DataSize: 8 * size}
	if p.addr32 {
		xi.AddrSize = 32
	}
	copy(xi.Args[:], args)
	for _, a := range args {
		if _, ok := a.(x86asm.Mem); ok {
			xi.MemBytes = size
		}
	}
	return xi
}

// bmiVEX describes a VEX-encoded BMI instruction: its opcode map (2 for
// 0F38, 3 for 0F3A), opcode byte, VEX.pp (0 none, 1 66, 2 F3, 3 F2) and
// ModRM reg digit (-1 when reg is an operand), and the order of its
// operands: r (ModRM.reg), v (VEX.vvvv), m (ModRM r/m), i (imm8).
type bmiVEX struct {
	mmmmm, opcode, pp byte
	digit             int8
	op                x86asm.Op
	order             string
}

var bmiVEXOps = []bmiVEX{
	{2, 0xf2, 0, -1, x86asm.ANDN, "rvm"},
	{2, 0xf3, 0, 1, x86asm.BLSR, "vm"},
	{2, 0xf3, 0, 2, x86asm.BLSMSK, "vm"},
	{2, 0xf3, 0, 3, x86asm.BLSI, "vm"},
	{2, 0xf5, 0, -1, x86asm.BZHI, "rmv"},
	{2, 0xf5, 2, -1, x86asm.PEXT, "rvm"},
	{2, 0xf5, 3, -1, x86asm.PDEP, "rvm"},
	{2, 0xf6, 3, -1, x86asm.MULX, "rvm"},
	{2, 0xf7, 0, -1, x86asm.BEXTR, "rmv"},
	{2, 0xf7, 1, -1, x86asm.SHLX, "rmv"},
	{2, 0xf7, 2, -1, x86asm.SARX, "rmv"},
	{2, 0xf7, 3, -1, x86asm.SHRX, "rmv"},
	{3, 0xf0, 3, -1, x86asm.RORX, "rmi"},
}

// decodeVEX decodes an instruction with a VEX prefix (C4 or C5 after the
// legacy prefixes). ok is false when b does not start with one. A VEX
// instruction gemu does not implement, or a VEX prefix after a 66, F2,
// F3, LOCK or REX prefix (#UD on hardware), gives an Inst with Op 0.
func decodeVEX(b []byte) (xi x86asm.Inst, ok bool) {
	p := scanPrefixes(b)
	i := p.n
	if i >= len(b) || (b[i] != 0xc4 && b[i] != 0xc5) {
		// A REX prefix before C4/C5 is also #UD.
		if p.rex != 0 && p.rexAt < len(b) && (b[p.rexAt] == 0xc4 || b[p.rexAt] == 0xc5) {
			return x86asm.Inst{Len: 1}, true
		}
		return x86asm.Inst{}, false
	}
	if p.p66 || p.pF2 || p.pF3 || p.lock {
		return x86asm.Inst{Len: 1}, true
	}
	var rexR, rexX, rexB, w bool
	var mmmmm, vvvv, l, pp byte
	if b[i] == 0xc5 {
		if i+1 >= len(b) {
			return x86asm.Inst{Len: 1}, true
		}
		v := b[i+1]
		rexR, vvvv, l, pp, mmmmm = v&0x80 == 0, ^v>>3&15, v>>2&1, v&3, 1
		i += 2
	} else {
		if i+2 >= len(b) {
			return x86asm.Inst{Len: 1}, true
		}
		v1, v2 := b[i+1], b[i+2]
		rexR, rexX, rexB, mmmmm = v1&0x80 == 0, v1&0x40 == 0, v1&0x20 == 0, v1&0x1f
		w, vvvv, l, pp = v2&0x80 != 0, ^v2>>3&15, v2>>2&1, v2&3
		i += 3
	}
	if i+1 >= len(b) || l != 0 {
		return x86asm.Inst{Len: 1}, true
	}
	opcode := b[i]
	modrmDigit := int8(b[i+1] >> 3 & 7)
	var d *bmiVEX
	for k := range bmiVEXOps {
		e := &bmiVEXOps[k]
		if e.mmmmm == mmmmm && e.opcode == opcode && e.pp == pp && (e.digit < 0 || e.digit == modrmDigit) {
			d = e
			break
		}
	}
	if d == nil || vvvv != 0 && !strings.ContainsRune(d.order, 'v') {
		// Unknown, or VEX.vvvv not 1111 where it is unused (RORX): #UD.
		return x86asm.Inst{Len: 1}, true
	}
	size := 4
	if w {
		size = 8
	}
	reg, rm, n, okm := modrmOperand(b[i+1:], rexR, rexX, rexB, size, p.addr32, p.seg)
	if !okm {
		return x86asm.Inst{Len: 1}, true
	}
	length := i + 1 + n
	var args []x86asm.Arg
	for _, o := range d.order {
		switch o {
		case 'r':
			args = append(args, gpr(reg, size))
		case 'v':
			args = append(args, gpr(int(vvvv), size))
		case 'm':
			args = append(args, rm)
		case 'i':
			if length >= len(b) {
				return x86asm.Inst{Len: 1}, true
			}
			args = append(args, x86asm.Imm(b[length]))
			length++
		}
	}
	if length > 15 {
		return x86asm.Inst{Len: 1}, true
	}
	return extInst(d.op, length, size, p, args...), true
}

// decodeADX decodes ADCX (66 0F 38 F6) and ADOX (F3 0F 38 F6).
func decodeADX(b []byte) (x86asm.Inst, bool) {
	p := scanPrefixes(b)
	i := p.rexAt
	if p.short || i+3 >= len(b) || b[i] != 0x0f || b[i+1] != 0x38 || b[i+2] != 0xf6 {
		return x86asm.Inst{}, false
	}
	var op x86asm.Op
	switch {
	case p.lastRep == 0xf3:
		op = opADOX
	case p.lastRep == 0 && p.p66:
		op = opADCX
	default:
		return x86asm.Inst{}, false
	}
	if p.lock {
		return x86asm.Inst{Len: 1}, true
	}
	size := 4
	if p.rex&8 != 0 {
		size = 8
	}
	reg, rm, n, ok := modrmOperand(b[i+3:], p.rex&4 != 0, p.rex&2 != 0, p.rex&1 != 0, size, p.addr32, p.seg)
	if !ok || i+3+n > 15 {
		return x86asm.Inst{Len: 1}, true
	}
	return extInst(op, i+3+n, size, p, gpr(reg, size), rm), true
}

// x87Alias rewrites the x87 alias encodings (see the top of this file).
// For an alias it returns the decoded canonical instruction with the
// alias's own opcode in Inst.Opcode.
func x87Alias(b []byte) (x86asm.Inst, bool) {
	p := scanPrefixes(b)
	i := p.rexAt
	if p.short || i+1 >= len(b) {
		return x86asm.Inst{}, false
	}
	op, modrm := b[i], b[i+1]
	if modrm < 0xc0 {
		return x86asm.Inst{}, false
	}
	var canon byte // the opcode byte of the aliased instruction; the ModRM row changes too
	var row byte
	switch {
	case op == 0xdb && (modrm == 0xe0 || modrm == 0xe1 || modrm == 0xe4):
		return x86asm.Inst{Op: x86asm.NOP, Len: i + 2, Mode: 64, AddrSize: 64, DataSize: 32}, true
	case op == 0xdc && modrm&0xf0 == 0xd0: // FCOM (D0-D7), FCOMP (D8-DF)
		canon, row = 0xd8, modrm
	case op == 0xde && modrm&0xf8 == 0xd0: // FCOMP
		canon, row = 0xd8, 0xd8|modrm&7
	case op == 0xd9 && modrm&0xf8 == 0xd8: // FSTP
		canon, row = 0xdd, modrm
	case op == 0xdf && modrm&0xf0 == 0xd0: // FSTP (D0-DF)
		canon, row = 0xdd, 0xd8|modrm&7
	case (op == 0xdd || op == 0xdf) && modrm&0xf8 == 0xc8: // FXCH
		canon, row = 0xd9, modrm
	default:
		return x86asm.Inst{}, false
	}
	var fixed [16]byte
	copy(fixed[:], b[:i])
	fixed[i], fixed[i+1] = canon, row
	xi, err := x86asm.Decode(fixed[:i+2], 64)
	if err != nil || xi.Op == 0 {
		return x86asm.Inst{}, false
	}
	xi.Opcode = uint32(op)<<24 | uint32(modrm)<<16
	return xi, true
}
