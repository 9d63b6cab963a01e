// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package emu

import (
	"encoding/binary"

	"gemu/internal/f80"
	"gemu/mmu"
)

// x87 loads and stores: FLD, FST, FSTP, FILD, FIST, FISTP, FISTTP, FBLD,
// FBSTP and the constant loads.

// loadBytes reads len(b) bytes at addr. Nothing is committed by a load, so
// a fault part way through leaves the state as it was.
func (c *CPU) loadBytes(addr uint64, b []byte) bool {
	for len(b) > 0 {
		var size uint8
		switch {
		case len(b) >= 8:
			size = 8
		case len(b) >= 4:
			size = 4
		case len(b) >= 2:
			size = 2
		default:
			size = 1
		}
		v, ok := c.load(addr, size)
		if !ok {
			return false
		}
		for i := uint8(0); i < size; i++ {
			b[i] = byte(v >> (8 * i))
		}
		b, addr = b[size:], addr+uint64(size)
	}
	return true
}

// storeBytes writes b (at most a page long, at least 2 bytes) at addr so
// that a fault commits nothing: when b crosses a page boundary, a store
// straddling the boundary goes first, and the MMU checks both pages of a
// crossing store before any byte lands.
func (c *CPU) storeBytes(addr uint64, b []byte) bool {
	n := uint64(len(b))
	if boundary := addr | mmu.PageMask; boundary < addr+n-1 {
		w := uint64(8)
		if n < 8 {
			w = 2
		}
		p := boundary + 1 - w/2 // the window [p, p+w) covers the boundary
		if p < addr {
			p = addr
		}
		if p+w > addr+n {
			p = addr + n - w
		}
		o := p - addr
		var v uint64
		for i := uint64(0); i < w; i++ {
			v |= uint64(b[o+i]) << (8 * i)
		}
		if !c.store(p, uint8(w), v) {
			return false
		}
	}
	for len(b) > 0 {
		var size uint8
		var v uint64
		switch {
		case len(b) >= 8:
			size, v = 8, binary.LittleEndian.Uint64(b)
		case len(b) >= 4:
			size, v = 4, uint64(binary.LittleEndian.Uint32(b))
		case len(b) >= 2:
			size, v = 2, uint64(binary.LittleEndian.Uint16(b))
		default:
			size, v = 1, uint64(b[0])
		}
		if !c.store(addr, size, v) {
			return false
		}
		b, addr = b[size:], addr+uint64(size)
	}
	return true
}

// loadF80 reads a 10-byte extended value.
func (c *CPU) loadF80(addr uint64) (f80.F80, bool) {
	var b [10]byte
	if !c.loadBytes(addr, b[:]) {
		return f80.F80{}, false
	}
	return f80.FromBytes(b), true
}

// pushChecked pushes v, or handles a stack overflow when ST(7) is not
// empty: the masked response pushes the indefinite NaN, an unmasked one
// leaves the stack alone.
func (f *x87) pushChecked(v f80.F80) {
	if !f.empty(7) {
		if !f.stackFault(true) {
			return
		}
		v = f80.Indefinite()
	}
	f.push(v)
}

// execFld: FLD m32fp/m64fp/m80fp/ST(i).
func execFld(c *CPU, in *inst) bool {
	f := &c.fpu
	a := in.args[0]
	if a.kind == argST {
		if f.empty(a.reg) {
			if !f.stackFault(false) {
				return true
			}
			f.pushChecked(f80.Indefinite())
			return true
		}
		f.sw &^= swC1
		f.pushChecked(f.get(a.reg))
		return true
	}
	addr := c.ea(in)
	var v f80.F80
	e := f.env()
	switch a.size {
	case 4:
		m, ok := c.load(addr, 4)
		if !ok {
			return false
		}
		v = f80.FromFloat32Bits(uint32(m), &e)
	case 8:
		m, ok := c.load(addr, 8)
		if !ok {
			return false
		}
		v = f80.FromFloat64Bits(m, &e)
	default:
		var ok bool
		if v, ok = c.loadF80(addr); !ok {
			return false
		}
	}
	if !f.empty(7) {
		// Overflow is detected before the operand is examined.
		if f.stackFault(true) {
			f.push(f80.Indefinite())
		}
		return true
	}
	f.merge(&e)
	if !e.Suppressed() {
		f.push(v)
	}
	return true
}

// execFild: FILD m16int/m32int/m64int.
func execFild(c *CPU, in *inst) bool {
	f := &c.fpu
	a := in.args[0]
	m, ok := c.load(c.ea(in), a.size)
	if !ok {
		return false
	}
	f.sw &^= swC1
	f.pushChecked(f80.FromInt64(int64(sext(m, a.size))))
	return true
}

// execFbld: FBLD m80bcd.
func execFbld(c *CPU, in *inst) bool {
	var b [10]byte
	if !c.loadBytes(c.ea(in), b[:]) {
		return false
	}
	c.fpu.sw &^= swC1
	c.fpu.pushChecked(f80.FromBCD(b))
	return true
}

// execFldConst: FLD1, FLDZ, FLDPI, FLDL2E, FLDL2T, FLDLG2, FLDLN2, rounded
// by the rounding control.
func execFldConst(c *CPU, in *inst) bool {
	f := &c.fpu
	f.sw &^= swC1
	f.pushChecked(f80.Constant(f80.Const(in.sub), f80.RoundingMode(f.cw>>10&3)))
	return true
}

// Integer indefinite values FIST stores for an invalid operation.
var intIndefinite = [9]uint64{2: 0x8000, 4: 0x80000000, 8: 1 << 63}

// execFst: FST/FSTP (sub 1) to m32fp, m64fp, m80fp (FSTP only) or ST(i).
func execFst(c *CPU, in *inst) bool {
	f := &c.fpu
	a := in.args[0]
	pop := in.sub == 1
	if a.kind == argST {
		v := f.get(0)
		if f.empty(0) {
			if !f.stackFault(false) {
				return true
			}
			v = f80.Indefinite()
		} else {
			f.sw &^= swC1
		}
		f.set(a.reg, v)
		if pop {
			f.pop()
		}
		return true
	}
	addr := c.ea(in)
	if f.empty(0) {
		// Stack underflow: the masked response stores the indefinite.
		if f.cw&swIE != 0 {
			var ok bool
			switch a.size {
			case 4:
				ok = c.store(addr, 4, 0xffc00000)
			case 8:
				ok = c.store(addr, 8, 0xfff8000000000000)
			default:
				b := f80.Indefinite().Bytes()
				ok = c.storeBytes(addr, b[:])
			}
			if !ok {
				return false
			}
		}
		if f.stackFault(false) && pop {
			f.pop()
		}
		return true
	}
	v := f.get(0)
	e := f.env()
	var ok bool
	switch a.size {
	case 4:
		m := f80.ToFloat32Bits(v, &e)
		ok = e.Suppressed() || c.store(addr, 4, uint64(m))
	case 8:
		m := f80.ToFloat64Bits(v, &e)
		ok = e.Suppressed() || c.store(addr, 8, m)
	default:
		b := v.Bytes()
		ok = c.storeBytes(addr, b[:])
	}
	if !ok {
		return false
	}
	f.merge(&e)
	if pop && !e.Suppressed() {
		f.pop()
	}
	return true
}

// execFist: FIST (sub 0), FISTP (1), FISTTP (2) to m16int/m32int/m64int.
func execFist(c *CPU, in *inst) bool {
	f := &c.fpu
	a := in.args[0]
	pop := in.sub != 0
	addr := c.ea(in)
	if f.empty(0) {
		if f.cw&swIE != 0 && !c.store(addr, a.size, intIndefinite[a.size]) {
			return false
		}
		if f.stackFault(false) && pop {
			f.pop()
		}
		return true
	}
	v := f.get(0)
	e := f.env()
	var m uint64
	switch {
	case in.sub == 2 && a.size == 2:
		m = uint64(f80.TruncInt16(v, &e))
	case in.sub == 2 && a.size == 4:
		m = uint64(f80.TruncInt32(v, &e))
	case in.sub == 2:
		m = uint64(f80.TruncInt64(v, &e))
	case a.size == 2:
		m = uint64(f80.ToInt16(v, &e))
	case a.size == 4:
		m = uint64(f80.ToInt32(v, &e))
	default:
		m = uint64(f80.ToInt64(v, &e))
	}
	if !e.Suppressed() && !c.store(addr, a.size, m) {
		return false
	}
	f.merge(&e)
	if pop && !e.Suppressed() {
		f.pop()
	}
	return true
}

// execFbstp: FBSTP m80bcd.
func execFbstp(c *CPU, in *inst) bool {
	f := &c.fpu
	addr := c.ea(in)
	var b [10]byte
	if f.empty(0) {
		b = [10]byte{7: 0xc0, 8: 0xff, 9: 0xff} // the BCD indefinite
		if f.cw&swIE != 0 && !c.storeBytes(addr, b[:]) {
			return false
		}
		if f.stackFault(false) {
			f.pop()
		}
		return true
	}
	e := f.env()
	b = f80.ToBCD(f.get(0), &e)
	if !e.Suppressed() && !c.storeBytes(addr, b[:]) {
		return false
	}
	f.merge(&e)
	if !e.Suppressed() {
		f.pop()
	}
	return true
}
