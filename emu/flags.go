package emu

import "math/bits"

// flagKind is the kind of the last operation whose arithmetic flags are
// computed lazily, only when something reads them.
type flagKind uint8

const (
	fkNone  flagKind = iota // the arithmetic flags are materialised in rflags
	fkAdd                   // res = a + b
	fkAdc                   // res = a + b + cin
	fkSub                   // res = a - b (also CMP, NEG with a = 0)
	fkSbb                   // res = a - b - cin
	fkLogic                 // AND, OR, XOR, TEST: CF = OF = AF = 0
	fkInc                   // res = a + 1, CF preserved in cin
	fkDec                   // res = a - 1, CF preserved in cin
)

// lazyFlags records the operands of the last flag-setting operation. All
// values are masked to size bytes; a logic operation (fkLogic) records only
// its result, and a and b are then stale and never read.
type lazyFlags struct {
	kind flagKind
	size uint8
	cin  uint8 // carry in (ADC/SBB) or the preserved CF (INC/DEC)
	a, b uint64
	res  uint64
}

// setLazy records a flag-setting operation.
func (c *CPU) setLazy(k flagKind, size uint8, a, b, res uint64) {
	c.lf = lazyFlags{kind: k, size: size, a: a, b: b, res: res}
}

func (c *CPU) cf() bool {
	f := &c.lf
	switch f.kind {
	case fkNone:
		return c.rflags&flagCF != 0
	case fkAdd:
		return f.res < f.a
	case fkAdc:
		return f.res < f.a || (f.cin != 0 && f.res == f.a)
	case fkSub:
		return f.a < f.b
	case fkSbb:
		return f.a < f.b || (f.cin != 0 && f.a == f.b)
	case fkLogic:
		return false
	default: // fkInc, fkDec
		return f.cin != 0
	}
}

func (c *CPU) zf() bool {
	if c.lf.kind == fkNone {
		return c.rflags&flagZF != 0
	}
	return c.lf.res == 0
}

func (c *CPU) sf() bool {
	if c.lf.kind == fkNone {
		return c.rflags&flagSF != 0
	}
	return c.lf.res&signBit[c.lf.size] != 0
}

func (c *CPU) of() bool {
	f := &c.lf
	sb := signBit[f.size]
	switch f.kind {
	case fkNone:
		return c.rflags&flagOF != 0
	case fkAdd, fkAdc:
		return (f.a^f.res)&(f.b^f.res)&sb != 0
	case fkSub, fkSbb:
		return (f.a^f.b)&(f.a^f.res)&sb != 0
	case fkLogic:
		return false
	case fkInc:
		return f.res == sb
	default: // fkDec
		return f.res == sb-1
	}
}

func (c *CPU) pf() bool {
	if c.lf.kind == fkNone {
		return c.rflags&flagPF != 0
	}
	return bits.OnesCount8(uint8(c.lf.res))&1 == 0
}

func (c *CPU) af() bool {
	f := &c.lf
	switch f.kind {
	case fkNone:
		return c.rflags&flagAF != 0
	case fkLogic:
		return false
	case fkInc, fkDec:
		return (f.a^f.res)&0x10 != 0
	default:
		return (f.a^f.b^f.res)&0x10 != 0
	}
}

// getFlags returns the full RFLAGS value.
func (c *CPU) getFlags() uint64 {
	if c.lf.kind == fkNone {
		return c.rflags | 2
	}
	return c.rflags&^arithFlags | c.arith() | 2
}

// arith computes the arithmetic flag bits of the lazy state, in one pass
// per kind (the per-flag functions above each dispatch on the kind).
func (c *CPU) arith() uint64 {
	f := &c.lf
	if f.kind == fkNone {
		return c.rflags & arithFlags
	}
	res, sb := f.res, signBit[f.size]
	fl := flagIf(res == 0, flagZF) | flagIf(res&sb != 0, flagSF) |
		flagIf(bits.OnesCount8(uint8(res))&1 == 0, flagPF)
	a, b := f.a, f.b
	switch f.kind {
	case fkAdd:
		fl |= flagIf(res < a, flagCF) | flagIf((a^res)&(b^res)&sb != 0, flagOF) | (a^b^res)&flagAF
	case fkAdc:
		fl |= flagIf(res < a || f.cin != 0 && res == a, flagCF) | flagIf((a^res)&(b^res)&sb != 0, flagOF) | (a^b^res)&flagAF
	case fkSub:
		fl |= flagIf(a < b, flagCF) | flagIf((a^b)&(a^res)&sb != 0, flagOF) | (a^b^res)&flagAF
	case fkSbb:
		fl |= flagIf(a < b || f.cin != 0 && a == b, flagCF) | flagIf((a^b)&(a^res)&sb != 0, flagOF) | (a^b^res)&flagAF
	case fkInc:
		fl |= flagIf(f.cin != 0, flagCF) | flagIf(res == sb, flagOF) | (a^res)&flagAF
	case fkDec:
		fl |= flagIf(f.cin != 0, flagCF) | flagIf(res == sb-1, flagOF) | (a^res)&flagAF
	}
	return fl
}

// materialize makes rflags hold the arithmetic flags (lf.kind = fkNone), so
// that an instruction can change some of them and keep the others.
func (c *CPU) materialize() {
	if c.lf.kind != fkNone {
		c.rflags = c.rflags&^arithFlags | c.arith()
		c.lf.kind = fkNone
	}
}

// setFlags replaces RFLAGS (as POPF from a user program or sigreturn do).
func (c *CPU) setFlags(v uint64) {
	c.rflags = c.rflags&^userFlags | v&userFlags | 2
	c.lf.kind = fkNone
}

// setArith replaces the arithmetic flags named in mask with those in v.
func (c *CPU) setArith(mask, v uint64) {
	c.materialize()
	c.rflags = c.rflags&^mask | v&mask
}

// setCF sets only the carry flag.
func (c *CPU) setCF(on bool) {
	c.materialize()
	if on {
		c.rflags |= flagCF
	} else {
		c.rflags &^= flagCF
	}
}

// Condition codes, numbered as in the Jcc/SETcc/CMOVcc encodings.
const (
	ccO = iota
	ccNO
	ccB
	ccAE
	ccE
	ccNE
	ccBE
	ccA
	ccS
	ccNS
	ccP
	ccNP
	ccL
	ccGE
	ccLE
	ccG
)

// cond evaluates condition code cc. Compares and logic operations are
// answered from the recorded operands without computing every flag.
func (c *CPU) cond(cc uint8) bool {
	f := &c.lf
	switch f.kind {
	case fkSub:
		switch cc {
		case ccB:
			return f.a < f.b
		case ccAE:
			return f.a >= f.b
		case ccE:
			return f.a == f.b
		case ccNE:
			return f.a != f.b
		case ccBE:
			return f.a <= f.b
		case ccA:
			return f.a > f.b
		case ccL:
			return int64(sext(f.a, f.size)) < int64(sext(f.b, f.size))
		case ccGE:
			return int64(sext(f.a, f.size)) >= int64(sext(f.b, f.size))
		case ccLE:
			return int64(sext(f.a, f.size)) <= int64(sext(f.b, f.size))
		case ccG:
			return int64(sext(f.a, f.size)) > int64(sext(f.b, f.size))
		}
	case fkLogic:
		switch cc {
		case ccE:
			return f.res == 0
		case ccNE:
			return f.res != 0
		case ccS, ccL:
			return f.res&signBit[f.size] != 0
		case ccNS, ccGE:
			return f.res&signBit[f.size] == 0
		case ccLE:
			return f.res == 0 || f.res&signBit[f.size] != 0
		case ccG:
			return f.res != 0 && f.res&signBit[f.size] == 0
		}
	}
	return c.condSlow(cc)
}

func (c *CPU) condSlow(cc uint8) bool {
	var r bool
	switch cc >> 1 {
	case 0:
		r = c.of()
	case 1:
		r = c.cf()
	case 2:
		r = c.zf()
	case 3:
		r = c.cf() || c.zf()
	case 4:
		r = c.sf()
	case 5:
		r = c.pf()
	case 6:
		r = c.sf() != c.of()
	case 7:
		r = c.zf() || c.sf() != c.of()
	}
	return r != (cc&1 != 0)
}
