// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package emu

import (
	"encoding/binary"
	"errors"

	"gemu/internal/f80"
	"golang.org/x/arch/x86/x86asm"
)

// x87 control instructions and the state images: FLDCW, FNSTCW, FNSTSW,
// FNCLEX, FNINIT, FNSTENV, FLDENV, FNSAVE, FRSTOR, FXSAVE, FXRSTOR.

func execFldcw(c *CPU, in *inst) bool {
	v, ok := c.load(c.ea(in), 2)
	if !ok {
		return false
	}
	c.fpu.setControl(uint16(v))
	return true
}

func execFnstcw(c *CPU, in *inst) bool {
	return c.store(c.ea(in), 2, uint64(c.fpu.cw))
}

// execFnstsw: FNSTSW AX or m16.
func execFnstsw(c *CPU, in *inst) bool {
	a := in.args[0]
	v := uint64(c.fpu.status())
	if a.kind == argReg {
		c.setReg(a, v)
		return true
	}
	return c.store(c.ea(in), 2, v)
}

func execFnclex(c *CPU, in *inst) bool {
	c.fpu.sw &^= swExc | swSF | swES | swB
	return true
}

func execFninit(c *CPU, in *inst) bool {
	c.fpu.finit()
	return true
}

// Sizes of the FNSTENV and FNSAVE images.
const (
	envSize32  = 28
	envSize16  = 14
	saveRegs   = 80
	fxsaveSize = 512
	// fxsaveUsed is what FXSAVE writes: the x87 and SSE state up to the
	// end of XMM15. Bytes 416-511 are reserved or free for software and
	// the host leaves them untouched.
	fxsaveUsed = 416
)

// putEnv encodes the FNSTENV image: the 32-bit protected-mode layout
// (28 bytes) or, with data16, the 16-bit one (14 bytes).
func (f *x87) putEnv(b []byte, data16 bool) {
	le := binary.LittleEndian
	if data16 {
		le.PutUint16(b[0:], f.cw)
		le.PutUint16(b[2:], f.status())
		le.PutUint16(b[4:], f.tagWord())
		le.PutUint16(b[6:], uint16(f.fip))
		le.PutUint16(b[8:], f.fcs)
		le.PutUint16(b[10:], uint16(f.fdp))
		le.PutUint16(b[12:], f.fds)
		return
	}
	le.PutUint32(b[0:], 0xffff0000|uint32(f.cw))
	le.PutUint32(b[4:], 0xffff0000|uint32(f.status()))
	le.PutUint32(b[8:], 0xffff0000|uint32(f.tagWord()))
	le.PutUint32(b[12:], uint32(f.fip))
	le.PutUint32(b[16:], uint32(f.fop)<<16|uint32(f.fcs))
	le.PutUint32(b[20:], uint32(f.fdp))
	le.PutUint32(b[24:], 0xffff0000|uint32(f.fds))
}

// getEnv loads an FNSTENV image.
func (f *x87) getEnv(b []byte, data16 bool) {
	le := binary.LittleEndian
	if data16 {
		f.cw = le.Uint16(b[0:])&cwWritable | cwAlwaysOn
		f.setStatus(le.Uint16(b[2:]))
		f.setTagWord(le.Uint16(b[4:]))
		f.fip = uint64(le.Uint16(b[6:]))
		f.fcs = le.Uint16(b[8:])
		f.fdp = uint64(le.Uint16(b[10:]))
		f.fds = le.Uint16(b[12:])
		f.fop = 0
		return
	}
	f.cw = le.Uint16(b[0:])&cwWritable | cwAlwaysOn
	f.setStatus(le.Uint16(b[4:]))
	f.setTagWord(le.Uint16(b[8:]))
	f.fip = uint64(le.Uint32(b[12:]))
	f.fcs = le.Uint16(b[16:])
	f.fop = le.Uint16(b[18:]) & 0x7ff
	f.fdp = uint64(le.Uint32(b[20:]))
	f.fds = le.Uint16(b[24:])
}

func envSize(in *inst) (int, bool) {
	if in.imm2&x87Data16 != 0 {
		return envSize16, true
	}
	return envSize32, false
}

// execFnstenv stores the environment, then masks every exception.
func execFnstenv(c *CPU, in *inst) bool {
	f := &c.fpu
	n, d16 := envSize(in)
	var b [envSize32]byte
	f.putEnv(b[:n], d16)
	if !c.storeBytes(c.ea(in), b[:n]) {
		return false
	}
	f.cw |= swExc
	f.sync()
	return true
}

func execFldenv(c *CPU, in *inst) bool {
	n, d16 := envSize(in)
	var b [envSize32]byte
	if !c.loadBytes(c.ea(in), b[:n]) {
		return false
	}
	c.fpu.getEnv(b[:n], d16)
	return true
}

// execFnsave stores the environment and the registers in stack order, then
// reinitialises the FPU.
func execFnsave(c *CPU, in *inst) bool {
	f := &c.fpu
	n, d16 := envSize(in)
	var b [envSize32 + saveRegs]byte
	f.putEnv(b[:n], d16)
	for i := uint8(0); i < 8; i++ {
		r := f.get(i).Bytes()
		copy(b[n+10*int(i):], r[:])
	}
	if !c.storeBytes(c.ea(in), b[:n+saveRegs]) {
		return false
	}
	f.finit()
	return true
}

func execFrstor(c *CPU, in *inst) bool {
	f := &c.fpu
	n, d16 := envSize(in)
	var b [envSize32 + saveRegs]byte
	if !c.loadBytes(c.ea(in), b[:n+saveRegs]) {
		return false
	}
	f.getEnv(b[:n], d16)
	for i := uint8(0); i < 8; i++ {
		var r [10]byte
		copy(r[:], b[n+10*int(i):])
		f.st[f.phys(i)] = f80.FromBytes(r)
	}
	return true
}

// fxsave encodes the FXSAVE image (bytes 0-415) into b. wide selects the
// FXSAVE64 layout (64-bit FIP and FDP). Like the host (an AMD CPU), the
// instruction and data pointers and the opcode are saved only while an
// exception is pending (ES set); otherwise they are stored as zero.
func (c *CPU) fxsave(b []byte, wide bool) {
	f := &c.fpu
	le := binary.LittleEndian
	clear(b[:fxsaveUsed])
	le.PutUint16(b[0:], f.cw)
	le.PutUint16(b[2:], f.status())
	b[4] = f.full
	if f.sw&swES != 0 {
		le.PutUint16(b[6:], f.fop)
		if wide {
			le.PutUint64(b[8:], f.fip)
			le.PutUint64(b[16:], f.fdp)
		} else {
			le.PutUint32(b[8:], uint32(f.fip))
			le.PutUint16(b[12:], f.fcs)
			le.PutUint32(b[16:], uint32(f.fdp))
			le.PutUint16(b[20:], f.fds)
		}
	}
	le.PutUint32(b[24:], c.mxcsr)
	le.PutUint32(b[28:], mxcsrWritable)
	for i := uint8(0); i < 8; i++ {
		r := f.get(i).Bytes()
		copy(b[32+16*int(i):], r[:])
	}
	for i := range c.X {
		le.PutUint64(b[160+16*i:], c.X[i][0])
		le.PutUint64(b[168+16*i:], c.X[i][1])
	}
}

// errFXRstor reports an FXRSTOR image whose MXCSR has reserved bits set.
var errFXRstor = errors.New("fxrstor: reserved MXCSR bits set")

// fxrstor loads an FXSAVE image (at least 416 bytes).
func (c *CPU) fxrstor(b []byte, wide bool) error {
	f := &c.fpu
	le := binary.LittleEndian
	mxcsr := le.Uint32(b[24:])
	if mxcsr&^mxcsrWritable != 0 {
		return errFXRstor
	}
	f.cw = le.Uint16(b[0:])&cwWritable | cwAlwaysOn
	f.setStatus(le.Uint16(b[2:]))
	f.full = b[4]
	f.fop = le.Uint16(b[6:]) & 0x7ff
	if wide {
		f.fip = le.Uint64(b[8:])
		f.fdp = le.Uint64(b[16:])
		f.fcs, f.fds = 0, 0
	} else {
		f.fip = uint64(le.Uint32(b[8:]))
		f.fcs = le.Uint16(b[12:])
		f.fdp = uint64(le.Uint32(b[16:]))
		f.fds = le.Uint16(b[20:])
	}
	c.mxcsr = mxcsr
	for i := uint8(0); i < 8; i++ {
		var r [10]byte
		copy(r[:], b[32+16*int(i):])
		f.st[f.phys(i)] = f80.FromBytes(r)
	}
	for i := range c.X {
		c.X[i][0] = le.Uint64(b[160+16*i:])
		c.X[i][1] = le.Uint64(b[168+16*i:])
	}
	return nil
}

// FXSave writes the x87 and SSE state into b, a 512-byte area in the
// FXSAVE64 layout, as the Linux signal frame holds it. Bytes 416-511 are
// left alone. Preconditions: len(b) >= 512.
func (c *CPU) FXSave(b []byte) { c.fxsave(b, true) }

// FXRstor loads the x87 and SSE state from b, an area FXSave wrote or a
// signal handler modified. It fails, changing nothing, when MXCSR has
// reserved bits set (the kernel then refuses the sigreturn).
// Preconditions: len(b) >= 512.
func (c *CPU) FXRstor(b []byte) error { return c.fxrstor(b, true) }

// execFxsave: FXSAVE and FXSAVE64 m512byte (16-byte aligned).
func execFxsave(c *CPU, in *inst) bool {
	addr := c.ea(in)
	if addr&15 != 0 {
		return c.raise(trapGP)
	}
	var b [fxsaveSize]byte
	c.fxsave(b[:], in.xop == x86asm.FXSAVE64)
	return c.storeBytes(addr, b[:fxsaveUsed])
}

// execFxrstor: FXRSTOR and FXRSTOR64 m512byte (16-byte aligned).
func execFxrstor(c *CPU, in *inst) bool {
	addr := c.ea(in)
	if addr&15 != 0 {
		return c.raise(trapGP)
	}
	var b [fxsaveUsed]byte
	if !c.loadBytes(addr, b[:]) {
		return false
	}
	if c.fxrstor(b[:], in.xop == x86asm.FXRSTOR64) != nil {
		return c.raise(trapGP)
	}
	return true
}
