package emu

import (
	"golang.org/x/arch/x86/x86asm"
)

// decode decodes one instruction from b, handling the encodings x86asm does
// not know: ENDBR64/32, the CET shadow-stack instructions that must act as
// NOPs on a CPU without CET (RDSSP, INCSSP...), the whole hint-NOP range
// 0F 18 /4-7 and 0F 19-0F 1F with any prefixes, and every register form of
// the fences 0F AE /5-/7. All of these execute as NOP. The VEX-encoded BMI
// instructions, ADCX/ADOX, the x87 alias encodings and PEXTRW's SSE4.1
// form are decoded by decode_ext.go.
func decode(b []byte) (x86asm.Inst, error) {
	if n, ok := hintNopLen(b); ok {
		return x86asm.Inst{Op: x86asm.NOP, Len: n, Mode: 64, AddrSize: 64, DataSize: 32}, nil
	}
	if xi, ok := decodeVEX(b); ok {
		return xi, nil
	}
	if xi, ok := decodeADX(b); ok {
		return xi, nil
	}
	if xi, ok := x87Alias(b); ok {
		return xi, nil
	}
	if i, ok := salAlias(b); ok {
		// SAL's /6 encodings are aliases of SHL (/4), which x86asm rejects.
		var fixed [16]byte
		n := copy(fixed[:], b)
		fixed[i] &^= 0x10 // reg field 110 -> 100
		return x86asm.Decode(fixed[:n], 64)
	}
	xi, err := x86asm.Decode(b, 64)
	if err == nil && xi.Op == x86asm.PEXTRW && xi.Opcode>>16 == 0x0f3a {
		xi.Op = opPEXTRW41
	}
	return xi, err
}

// skipPrefixes returns the index of the opcode after legacy and REX
// prefixes.
func skipPrefixes(b []byte) int {
	i := 0
	for i < len(b) && i < 14 {
		switch b[i] {
		case 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65:
			i++
			continue
		}
		break
	}
	if i < len(b) && b[i]&0xf0 == 0x40 {
		i++
	}
	return i
}

// salAlias reports whether b is a shift group-2 instruction (C0, C1, D0-D3)
// with reg field 6, and returns the index of its ModRM byte.
func salAlias(b []byte) (int, bool) {
	i := skipPrefixes(b)
	if i+1 >= len(b) {
		return 0, false
	}
	switch b[i] {
	case 0xc0, 0xc1, 0xd0, 0xd1, 0xd2, 0xd3:
		return i + 1, (b[i+1]>>3)&7 == 6
	}
	return 0, false
}

// hintNopLen recognises the NOP-like encodings listed at decode and returns
// their length.
func hintNopLen(b []byte) (int, bool) {
	i := skipPrefixes(b)
	if i+2 >= len(b) || b[i] != 0x0f {
		return 0, false
	}
	op, modrm := b[i+1], b[i+2]
	mod, reg, rm := modrm>>6, (modrm>>3)&7, modrm&7
	switch {
	case op >= 0x19 && op <= 0x1f:
	case op == 0x18 && reg >= 4:
	case op == 0xae && mod == 3 && reg >= 5:
	default:
		return 0, false
	}
	n := i + 3 // prefixes, 0F, opcode, ModRM
	if mod != 3 {
		if rm == 4 { // SIB
			if n >= len(b) {
				return 0, false
			}
			sib := b[n]
			n++
			if mod == 0 && sib&7 == 5 {
				n += 4
			}
		}
		switch {
		case mod == 1:
			n++
		case mod == 2:
			n += 4
		case mod == 0 && rm == 5:
			n += 4
		}
	}
	if n > len(b) || n > 15 {
		return 0, false
	}
	return n, true
}

// regArg converts an x86asm register to an operand.
func regArg(r x86asm.Reg) (arg, bool) {
	switch {
	case r >= x86asm.AL && r <= x86asm.BL:
		return arg{kind: argReg, size: 1, reg: uint8(r - x86asm.AL)}, true
	case r >= x86asm.AH && r <= x86asm.BH:
		return arg{kind: argRegHi, size: 1, reg: uint8(r - x86asm.AH)}, true
	case r >= x86asm.SPB && r <= x86asm.DIB:
		return arg{kind: argReg, size: 1, reg: uint8(r-x86asm.SPB) + 4}, true
	case r >= x86asm.R8B && r <= x86asm.R15B:
		return arg{kind: argReg, size: 1, reg: uint8(r-x86asm.R8B) + 8}, true
	case r >= x86asm.AX && r <= x86asm.R15W:
		return arg{kind: argReg, size: 2, reg: uint8(r - x86asm.AX)}, true
	case r >= x86asm.EAX && r <= x86asm.R15L:
		return arg{kind: argReg, size: 4, reg: uint8(r - x86asm.EAX)}, true
	case r >= x86asm.RAX && r <= x86asm.R15:
		return arg{kind: argReg, size: 8, reg: uint8(r - x86asm.RAX)}, true
	case r >= x86asm.X0 && r <= x86asm.X15:
		return arg{kind: argXMM, size: 16, reg: uint8(r - x86asm.X0)}, true
	case r >= x86asm.F0 && r <= x86asm.F7:
		return arg{kind: argST, size: 10, reg: uint8(r - x86asm.F0)}, true
	case r >= x86asm.M0 && r <= x86asm.M7:
		return arg{kind: argMMX, size: 8, reg: uint8(r - x86asm.M0)}, true
	case r >= x86asm.ES && r <= x86asm.GS:
		return arg{kind: argSeg, size: 2, reg: uint8(r - x86asm.ES)}, true
	}
	return arg{}, false
}

// gprIndex returns the register number of a 64- or 32-bit address register.
func gprIndex(r x86asm.Reg) (uint8, bool) {
	switch {
	case r >= x86asm.RAX && r <= x86asm.R15:
		return uint8(r - x86asm.RAX), true
	case r >= x86asm.EAX && r <= x86asm.R15L:
		return uint8(r - x86asm.EAX), true
	}
	return 0, false
}

// translate converts a decoded instruction at pc into its executable form.
// An instruction gemu cannot execute becomes one that raises #UD.
func translate(xi *x86asm.Inst, pc uint64) inst {
	var in inst
	translateInto(&in, xi, pc)
	return in
}

// translateInto is translate writing to *in, which the block builder
// points into its scratch block so that nothing is allocated per
// instruction (a local inst would escape through the prep call).
func translateInto(in *inst, xi *x86asm.Inst, pc uint64) {
	*in = inst{pc: pc, len: uint8(xi.Len), xop: xi.Op, base: noReg, index: noReg}
	info, ok := lookupOp(xi.Op)
	if xi.Op == 0 || !ok {
		*in = undefined(*in)
		return
	}
	in.fn, in.sub = info.fn, info.sub
	if info.end {
		in.fl |= instEnd
	}
	for _, p := range xi.Prefix {
		if p == 0 {
			break
		}
		if p&x86asm.PrefixInvalid != 0 {
			*in = undefined(*in)
			return
		}
		if p&(x86asm.PrefixIgnored|x86asm.PrefixImplicit) != 0 {
			continue
		}
		switch p & 0xff {
		case 0xf3:
			in.rep = repE
		case 0xf2:
			in.rep = repNE
		}
	}
	in.addr32 = xi.AddrSize == 32
	immSize := uint8(8)
	nimm := 0
	for i, a := range xi.Args {
		if a == nil || i >= len(in.args) {
			break
		}
		switch a := a.(type) {
		case x86asm.Reg:
			r, ok := regArg(a)
			if !ok {
				*in = undefined(*in)
				return
			}
			in.args[i] = r
		case x86asm.Mem:
			if !memArg(in, xi, a) {
				*in = undefined(*in)
				return
			}
			size := xi.MemBytes
			if size > 255 {
				size = 0
			}
			in.args[i] = arg{kind: argMem, size: uint8(size)}
		case x86asm.Imm:
			v := uint64(int64(a)) & sizeMask[immSize]
			if nimm == 0 {
				in.imm = v
			} else {
				in.imm2 = v
			}
			nimm++
			in.args[i] = arg{kind: argImm, size: immSize}
		case x86asm.Rel:
			in.imm = pc + uint64(xi.Len) + uint64(int64(a))
			in.args[i] = arg{kind: argImm, size: 8}
		default:
			*in = undefined(*in)
			return
		}
		if i == 0 && (in.args[0].kind == argReg || in.args[0].kind == argRegHi || in.args[0].kind == argMem) &&
			in.args[0].size >= 1 && in.args[0].size <= 8 {
			immSize = in.args[0].size
		}
	}
	if info.sse && !prepSSE(xi, in) {
		*in = undefined(*in)
		return
	}
	if info.prep != nil && !info.prep(xi, in) {
		*in = undefined(*in)
		return
	}
	in.eaSeg = in.seg != segNone || in.addr32
	specialize(in)
}

// memArg fills the addressing fields of in from a memory operand.
func memArg(in *inst, xi *x86asm.Inst, m x86asm.Mem) bool {
	switch m.Segment {
	case x86asm.FS:
		in.seg = segFS
	case x86asm.GS:
		in.seg = segGS
	}
	in.disp = uint64(m.Disp)
	switch m.Base {
	case 0:
	case x86asm.RIP:
		in.disp += in.pc + uint64(xi.Len)
	case x86asm.EIP:
		in.disp = (in.disp + in.pc + uint64(xi.Len)) & 0xffffffff
	default:
		r, ok := gprIndex(m.Base)
		if !ok {
			return false
		}
		in.base = r
	}
	if m.Index != 0 {
		r, ok := gprIndex(m.Index)
		if !ok {
			return false
		}
		in.index = r
		switch m.Scale {
		case 1:
			in.scale = 0
		case 2:
			in.scale = 1
		case 4:
			in.scale = 2
		case 8:
			in.scale = 3
		default:
			return false
		}
	}
	return true
}

// undefined turns in into an instruction that raises #UD when executed.
func undefined(in inst) inst {
	return inst{pc: in.pc, len: in.len, xop: in.xop, base: noReg, index: noReg, fn: execUD, fl: instEnd | instUnimpl}
}

// execUD raises #UD for an instruction gemu does not implement or could
// not decode.
func execUD(c *CPU, in *inst) bool {
	c.trap = trap{kind: trapUD, unimpl: true}
	return false
}
