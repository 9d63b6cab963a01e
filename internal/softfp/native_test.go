// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package softfp

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// testdata/sse.txt.gz was recorded on the host's SSE unit by
// testdata/ssegen.c (see there for the line format). Each line is replayed
// through the package and must give the same result bits and flags.

// eflags bits of the comparison results.
const (
	efCF = 1 << 0
	efPF = 1 << 2
	efZF = 1 << 6
)

func relationFlags(r Relation) uint64 {
	switch r {
	case Less:
		return efCF
	case Equal:
		return efZF
	case Unordered:
		return efZF | efPF | efCF
	}
	return 0
}

// nativeOps computes one recorded operation.
var nativeOps = map[string]func(a, b uint64, env Env) (uint64, Exceptions){
	"addss":   wrap32(Add32),
	"subss":   wrap32(Sub32),
	"mulss":   wrap32(Mul32),
	"divss":   wrap32(Div32),
	"minss":   wrap32(Min32),
	"maxss":   wrap32(Max32),
	"sqrtss":  func(a, b uint64, env Env) (uint64, Exceptions) { return ext32(Sqrt32(uint32(b), env)) },
	"addsd":   Add64,
	"subsd":   Sub64,
	"mulsd":   Mul64,
	"divsd":   Div64,
	"minsd":   Min64,
	"maxsd":   Max64,
	"sqrtsd":  func(a, b uint64, env Env) (uint64, Exceptions) { return Sqrt64(b, env) },
	"comiss":  cmp32(true),
	"ucomiss": cmp32(false),
	"comisd":  cmp64(true),
	"ucomisd": cmp64(false),
	"cvtss2sd": func(a, b uint64, env Env) (uint64, Exceptions) {
		return F32ToF64(uint32(b), env)
	},
	"cvtsd2ss": func(a, b uint64, env Env) (uint64, Exceptions) { return ext32(F64ToF32(b, env)) },
	"cvtss2si32": func(a, b uint64, env Env) (uint64, Exceptions) {
		return ext32(F32ToI32(uint32(a), false, env))
	},
	"cvttss2si32": func(a, b uint64, env Env) (uint64, Exceptions) {
		return ext32(F32ToI32(uint32(a), true, env))
	},
	"cvtss2si64":  func(a, b uint64, env Env) (uint64, Exceptions) { return F32ToI64(uint32(a), false, env) },
	"cvttss2si64": func(a, b uint64, env Env) (uint64, Exceptions) { return F32ToI64(uint32(a), true, env) },
	"cvtsd2si32":  func(a, b uint64, env Env) (uint64, Exceptions) { return ext32(F64ToI32(a, false, env)) },
	"cvttsd2si32": func(a, b uint64, env Env) (uint64, Exceptions) { return ext32(F64ToI32(a, true, env)) },
	"cvtsd2si64":  func(a, b uint64, env Env) (uint64, Exceptions) { return F64ToI64(a, false, env) },
	"cvttsd2si64": func(a, b uint64, env Env) (uint64, Exceptions) { return F64ToI64(a, true, env) },
	"cvtsi2ss32": func(a, b uint64, env Env) (uint64, Exceptions) {
		return ext32(I32ToF32(int32(a), env))
	},
	"cvtsi2ss64": func(a, b uint64, env Env) (uint64, Exceptions) { return ext32(I64ToF32(int64(a), env)) },
	"cvtsi2sd64": func(a, b uint64, env Env) (uint64, Exceptions) { return I64ToF64(int64(a), env) },
}

func wrap32(fn func(a, b uint32, env Env) (uint32, Exceptions)) func(a, b uint64, env Env) (uint64, Exceptions) {
	return func(a, b uint64, env Env) (uint64, Exceptions) { return ext32(fn(uint32(a), uint32(b), env)) }
}

func ext32(r uint32, fl Exceptions) (uint64, Exceptions) { return uint64(r), fl }

func cmp32(signaling bool) func(a, b uint64, env Env) (uint64, Exceptions) {
	return func(a, b uint64, env Env) (uint64, Exceptions) {
		r, fl := Compare32(uint32(a), uint32(b), signaling, env)
		return relationFlags(r), fl
	}
}

func cmp64(signaling bool) func(a, b uint64, env Env) (uint64, Exceptions) {
	return func(a, b uint64, env Env) (uint64, Exceptions) {
		r, fl := Compare64(a, b, signaling, env)
		return relationFlags(r), fl
	}
}

func TestNativeSSE(t *testing.T) {
	f, err := os.Open("testdata/sse.txt.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(z)
	n, bad := 0, 0
	perOp := map[string]int{}
	for line := 1; sc.Scan(); line++ {
		fields := strings.Fields(sc.Text())
		if len(fields) != 6 {
			t.Fatalf("line %d: %q: want 6 fields", line, sc.Text())
		}
		var v [5]uint64
		for i := range v {
			if v[i], err = strconv.ParseUint(fields[i+1], 16, 64); err != nil {
				t.Fatalf("line %d: %v", line, err)
			}
		}
		op := nativeOps[fields[0]]
		if op == nil {
			t.Fatalf("line %d: unknown op %q", line, fields[0])
		}
		ctl, a, b, want, wantFl := uint32(v[0]), v[1], v[2], v[3], Exceptions(v[4])
		if strings.HasPrefix(fields[0], "sqrt") || fields[0] == "cvtss2sd" || fields[0] == "cvtsd2ss" {
			b = a // the one-operand ops above take their operand from b
		}
		got, fl := op(a, b, EnvFromMXCSR(ctl))
		n++
		perOp[fields[0]]++
		if got != want || fl != wantFl {
			bad++
			if bad <= 30 {
				t.Errorf("line %d: %s mxcsr=%#x a=%#x b=%#x: got %#x flags %#x, want %#x flags %#x",
					line, fields[0], ctl, a, b, got, fl, want, wantFl)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if bad > 0 {
		t.Errorf("%d of %d cases differ", bad, n)
	}
	if len(perOp) != len(nativeOps) {
		t.Errorf("the data covers %d ops, want %d", len(perOp), len(nativeOps))
	}
	t.Logf("%d cases: %s", n, fmt.Sprint(perOp))
}
