// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package f80

// RoundingMode is the x87 rounding control, with the control word's encoding
// (FCW bits 10-11).
type RoundingMode uint8

const (
	RoundNearest RoundingMode = iota // to nearest, ties to even
	RoundDown                        // toward -∞
	RoundUp                          // toward +∞
	RoundZero                        // toward 0 (truncate)
)

// Precision is the x87 precision control: the significand width that add,
// subtract, multiply, divide and square root round to. The exponent range stays
// the extended one whatever the precision. The zero value is 64 bits (unlike the
// control word's encoding, where 0 means 24 bits).
type Precision uint8

const (
	Prec64 Precision = iota
	Prec53
	Prec24
)

func (p Precision) bits() uint {
	switch p {
	case Prec53:
		return 53
	case Prec24:
		return 24
	}
	return 64
}

// Exceptions is a set of x87 exception flags, with the status word's bit
// positions (the control word's mask bits use the same positions).
type Exceptions uint16

const (
	IE Exceptions = 1 << iota // invalid operation
	DE                        // denormal operand
	ZE                        // zero divide
	OE                        // overflow
	UE                        // underflow
	PE                        // precision (inexact result)

	AllExceptions = IE | DE | ZE | OE | UE | PE
)

// Env is the floating-point environment of one operation: the control word's
// settings going in, the raised flags and the C1 bit coming out.
//
// The zero Env is the FNINIT state (round to nearest, 64-bit precision, every
// exception masked).
type Env struct {
	RC RoundingMode
	PC Precision
	// Traps are the unmasked exceptions (the complement of FCW bits 0-5).
	Traps Exceptions
	// Flags accumulates the exceptions raised; operations only ever set bits.
	Flags Exceptions
	// RoundedUp is the status word's C1 after an arithmetic operation or a
	// store: the delivered result has a larger magnitude than the exact one.
	// Every operation assigns it (false when it did not round up).
	RoundedUp bool

	block Exceptions // the unmasked exceptions that suppress the destination
}

// Destination kinds, as the exceptions that suppress their write.
const (
	toRegister = IE | DE | ZE
	toMemory   = IE | OE | UE
	fromMemory = IE
)

// NewEnv returns the environment selected by an x87 control word. The reserved
// precision-control encoding 01 behaves as 64 bits, as it does on the host the
// test data came from.
func NewEnv(cw uint16) Env {
	e := Env{RC: RoundingMode(cw >> 10 & 3), Traps: ^Exceptions(cw) & AllExceptions}
	switch cw >> 8 & 3 {
	case 0:
		e.PC = Prec24
	case 2:
		e.PC = Prec53
	default:
		e.PC = Prec64
	}
	return e
}

// Unmasked returns the raised exceptions that are unmasked, which the x87
// reports through #MF (the status word's ES bit, SIGFPE for a Linux guest).
func (e *Env) Unmasked() Exceptions { return e.Flags & e.Traps }

// Suppressed reports whether the x87 would leave the destination (and the
// stack) unchanged after the last operation, because of an unmasked exception:
// IE, DE or ZE for a register result, IE, OE or UE for a store to memory, IE
// for a load (the host loads a denormal float even with DE unmasked). An
// unmasked PE never suppresses. It looks at Flags, so an Env must start each
// instruction with Flags clear, as NewEnv gives it.
func (e *Env) Suppressed() bool { return e.Flags&e.Traps&e.block != 0 }

// raise records flags.
func (e *Env) raise(x Exceptions) { e.Flags |= x }

// trapped reports whether x is unmasked.
func (e *Env) trapped(x Exceptions) bool { return e.Traps&x != 0 }

// invalid raises IE and returns the indefinite NaN.
func (e *Env) invalid() F80 {
	e.Flags |= IE
	e.RoundedUp = false
	return Indefinite()
}
