// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package f80

// Ordering is the result of a comparison.
type Ordering uint8

const (
	Greater Ordering = iota
	Less
	Equal
	Unordered
)

// Codes returns the FSW condition codes FCOM/FUCOM/FTST/FICOM set: C3 (bit
// 14), C2 (bit 10), C0 (bit 8) = 000 greater, 001 less, 100 equal, 111
// unordered. FCOMI/FUCOMI set ZF, PF, CF in the same pattern.
func (o Ordering) Codes() uint16 {
	switch o {
	case Less:
		return 1 << 8
	case Equal:
		return 1 << 14
	case Unordered:
		return 1<<14 | 1<<10 | 1<<8
	}
	return 0
}

// Compare compares a with b as FCOM, FCOMI and FTST (b = +0) do: a NaN of
// either kind or an unsupported operand raises IE and compares unordered.
// A denormal operand raises DE. ±0 compare equal.
func Compare(a, b F80, e *Env) Ordering { return compare(unpack(a), unpack(b), false, e) }

// CompareQuiet compares as FUCOM and FUCOMI: as Compare, except that a quiet
// NaN compares unordered without raising IE.
func CompareQuiet(a, b F80, e *Env) Ordering { return compare(unpack(a), unpack(b), true, e) }

// CompareFloat32 compares a with a single-precision memory operand given by
// its bits (FCOM m32fp): widened exactly, so that an SNaN raises IE and a
// denormal raises DE.
func CompareFloat32(a F80, m uint32, e *Env) Ordering {
	b, den := widen(uint64(m), binary32)
	y := unpack(b)
	y.denor = den
	return compare(unpack(a), y, false, e)
}

// CompareFloat64 is CompareFloat32 for FCOM m64fp.
func CompareFloat64(a F80, m uint64, e *Env) Ordering {
	b, den := widen(m, binary64)
	y := unpack(b)
	y.denor = den
	return compare(unpack(a), y, false, e)
}

func compare(x, y num, quietNaN bool, e *Env) Ordering {
	e.block = 0
	e.RoundedUp = false
	switch {
	case x.k == kUnsupported || y.k == kUnsupported || x.k == kSNaN || y.k == kSNaN:
		e.raise(IE)
		return Unordered
	case x.k == kQNaN || y.k == kQNaN:
		if !quietNaN {
			e.raise(IE)
		}
		return Unordered
	}
	if x.denor || y.denor {
		e.raise(DE)
	}
	if x.k == kZero && y.k == kZero {
		return Equal
	}
	// Order by magnitude, then apply the signs.
	mag := Equal
	switch {
	case x.k == kZero:
		mag = Less
	case y.k == kZero:
		mag = Greater
	case x.k == kInf && y.k == kInf:
		mag = Equal
	case x.k == kInf:
		mag = Greater
	case y.k == kInf:
		mag = Less
	case x.exp != y.exp:
		mag = Less
		if x.exp > y.exp {
			mag = Greater
		}
	case x.sig != y.sig:
		mag = Less
		if x.sig > y.sig {
			mag = Greater
		}
	}
	// Zero has no sign here: the non-zero operand's sign decides.
	xneg, yneg := x.neg && x.k != kZero, y.neg && y.k != kZero
	switch {
	case xneg != yneg && !(x.k == kZero || y.k == kZero):
		if xneg {
			return Less
		}
		return Greater
	case x.k == kZero:
		if yneg {
			return Greater
		}
		return Less
	case y.k == kZero:
		if xneg {
			return Less
		}
		return Greater
	case xneg: // both negative: larger magnitude is less
		switch mag {
		case Less:
			return Greater
		case Greater:
			return Less
		}
	}
	return mag
}
