// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

// Package f80 is a software implementation of the x87 double extended-precision
// floating-point format (1 sign bit, 15-bit exponent biased by 16383, 64-bit
// significand with an explicit integer bit) and of the x87 FPU's arithmetic on
// it, bit for bit, flags included, on any host.
//
// Values are [F80]. Every operation takes an [*Env] that holds the control
// word's rounding control, precision control and exception masks, and receives
// the exception flags the operation raised, the C1 "rounded up" bit, and
// whether an unmasked exception keeps the x87 from writing the destination.
// The zero Env is the FNINIT state: round to nearest, 64-bit precision, every
// exception masked. A typical emulator builds one Env per instruction:
//
//	env := f80.NewEnv(fcw)
//	r := f80.Add(st0, st1, &env)
//	if !env.Suppressed() {
//		st0 = r
//	}
//	fsw |= uint16(env.Flags) // IE..PE use the status word's bit positions
//	if env.RoundedUp { fsw |= c1 } else { fsw &^= c1 }
//	if env.Unmasked() != 0 { /* set ES and B; deliver #MF (SIGFPE) */ }
//
// For unmasked OE and UE on a register destination the returned value is the
// x87's bias-adjusted result (exponent ∓ 24576). Memory operands of
// arithmetic instructions go through [Binary.Float32] and [Binary.Float64]
// so that their SNaN and denormal rules match the hardware; integer operands
// are exact ([FromInt64]).
//
// The semantics follow the Intel SDM (vol. 1 ch. 4 and 8, vol. 2 instruction
// pages); where the SDM leaves a choice to the implementation the package does
// what the AMD host the test data came from does (see RATIONALE.md). Nothing in
// the package allocates or uses math/big; tests check the arithmetic against
// math/big.Float and against a table recorded from the host's x87.
//
// Transcendental instructions (FSIN, FPATAN, F2XM1, FYL2X, …) are not provided.
package f80
