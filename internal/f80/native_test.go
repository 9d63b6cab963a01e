// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package f80

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// The golden file was recorded on the host's x87 by testdata/x87gen.c (see
// the comment there for the line format and how to regenerate it). Each line
// runs one instruction with ST(0)=a, ST(1)=b under control word cw; this test
// replays it through the package and compares the register, memory and status
// word results bit for bit.

const (
	swC0 = 1 << 8
	swC1 = 1 << 9
	swC2 = 1 << 10
	swC3 = 1 << 14
	swES = 1 << 7
	swB  = 1 << 15
)

type nativeCase struct {
	line     int
	op       string
	cw       uint16
	a, b     F80
	st0, st1 F80    // st1 only for xtract
	mem      []byte // nil when the op does not store
	fsw      uint16
}

func parseF80(s string) (F80, error) {
	se, m, ok := strings.Cut(s, ":")
	if !ok {
		return F80{}, fmt.Errorf("bad value %q", s)
	}
	v, err := strconv.ParseUint(se, 16, 16)
	if err != nil {
		return F80{}, err
	}
	w, err := strconv.ParseUint(m, 16, 64)
	if err != nil {
		return F80{}, err
	}
	return F80{Mant: w, SE: uint16(v)}, nil
}

func loadNative(t *testing.T) []nativeCase {
	t.Helper()
	f, err := os.Open("testdata/x87.txt.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var cases []nativeCase
	sc := bufio.NewScanner(z)
	for n := 1; sc.Scan(); n++ {
		fl := strings.Fields(sc.Text())
		if len(fl) != 9 || fl[4] != ":" {
			t.Fatalf("line %d: malformed %q", n, sc.Text())
		}
		c := nativeCase{line: n, op: fl[0]}
		cw, err1 := strconv.ParseUint(fl[1], 16, 16)
		fsw, err2 := strconv.ParseUint(fl[8], 16, 16)
		var err3, err4, err5, err6 error
		c.a, err3 = parseF80(fl[2])
		c.b, err4 = parseF80(fl[3])
		c.st0, err5 = parseF80(fl[5])
		if fl[6] != "-" {
			c.st1, err6 = parseF80(fl[6])
		}
		for _, err := range []error{err1, err2, err3, err4, err5, err6} {
			if err != nil {
				t.Fatalf("line %d: %v", n, err)
			}
		}
		c.cw, c.fsw = uint16(cw), uint16(fsw)
		if fl[7] != "-" {
			for i := 0; i+2 <= len(fl[7]); i += 2 {
				v, err := strconv.ParseUint(fl[7][i:i+2], 16, 8)
				if err != nil {
					t.Fatalf("line %d: %v", n, err)
				}
				c.mem = append(c.mem, byte(v))
			}
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// emulate runs c's instruction through the package the way an emulator would
// and returns what FNSAVE would have shown.
func emulate(t *testing.T, c nativeCase) (st0, st1 F80, mem []byte, fsw uint16) {
	env := NewEnv(c.cw)
	e := &env
	st0 = c.a
	var cc uint16 // condition codes other than C1
	c1 := func() bool { return e.RoundedUp }
	reg := func(r F80) {
		if !e.Suppressed() {
			st0 = r
		}
	}
	var stored []byte
	pops := false
	storeN := func(v uint64, n int) {
		stored = make([]byte, 8)
		binary.LittleEndian.PutUint64(stored, v)
		stored = stored[:n]
	}
	switch c.op {
	case "add":
		reg(Add(c.a, c.b, e))
	case "sub":
		reg(Sub(c.a, c.b, e))
	case "mul":
		reg(Mul(c.a, c.b, e))
	case "div":
		reg(Div(c.a, c.b, e))
	case "sqrt":
		reg(Sqrt(c.a, e))
	case "rndint":
		reg(RoundInt(c.a, e))
	case "scale":
		reg(Scale(c.a, c.b, e))
	case "prem", "prem1":
		var r F80
		var q uint8
		var inc bool
		if c.op == "prem" {
			r, q, inc = Rem(c.a, c.b, e)
		} else {
			r, q, inc = Rem1(c.a, c.b, e)
		}
		reg(r)
		if inc {
			cc |= swC2
		}
		if q&4 != 0 {
			cc |= swC0
		}
		if q&2 != 0 {
			cc |= swC3
		}
		e.RoundedUp = q&1 != 0
	case "xtract":
		sig, exp := Xtract(c.a, e)
		if !e.Suppressed() {
			st0, st1 = sig, exp
		} else {
			st1 = c.b
		}
	case "com", "ucom", "tst", "com64":
		var o Ordering
		switch c.op {
		case "com":
			o = Compare(c.a, c.b, e)
		case "ucom":
			o = CompareQuiet(c.a, c.b, e)
		case "tst":
			o = Compare(c.a, F80{}, e)
		case "com64":
			st0 = c.b
			o = CompareFloat64(c.b, c.a.Mant, e)
		}
		cc |= o.Codes()
	case "xam":
		cc |= Classify(c.a).Codes()
		e.RoundedUp = c.a.Signbit()
	case "st32":
		storeN(uint64(ToFloat32Bits(c.a, e)), 4)
	case "st64":
		storeN(ToFloat64Bits(c.a, e), 8)
	case "ist16":
		storeN(uint64(ToInt16(c.a, e)), 2)
	case "ist32":
		storeN(uint64(ToInt32(c.a, e)), 4)
	case "ist64":
		storeN(uint64(ToInt64(c.a, e)), 8)
		pops = true
	case "istt16":
		storeN(uint64(TruncInt16(c.a, e)), 2)
		pops = true
	case "istt32":
		storeN(uint64(TruncInt32(c.a, e)), 4)
		pops = true
	case "istt64":
		storeN(uint64(TruncInt64(c.a, e)), 8)
		pops = true
	case "bstp":
		b := ToBCD(c.a, e)
		stored = b[:]
		pops = true
	case "ld32", "ld64", "bld":
		st0 = c.b
		var r F80
		switch c.op {
		case "ld32":
			r = FromFloat32Bits(uint32(c.a.Mant), e)
		case "ld64":
			r = FromFloat64Bits(c.a.Mant, e)
		default:
			r = FromBCD(c.a.Bytes())
			e.RoundedUp = false
		}
		reg(r)
	case "ldpi", "ldl2e", "ldl2t", "ldlg2", "ldln2":
		k := map[string]Const{"ldpi": ConstPi, "ldl2e": ConstL2E, "ldl2t": ConstL2T, "ldlg2": ConstLG2, "ldln2": ConstLN2}[c.op]
		st0 = Constant(k, e.RC)
	case "add32":
		st0 = c.b
		reg(OpAdd.Float32(c.b, uint32(c.a.Mant), e))
	case "mul64":
		st0 = c.b
		reg(OpMul.Float64(c.b, c.a.Mant, e))
	default:
		t.Fatalf("line %d: unknown op %q", c.line, c.op)
	}
	if c.mem != nil {
		mem = make([]byte, len(c.mem))
		for i := range mem {
			mem[i] = 0xAA
		}
		if !e.Suppressed() {
			copy(mem, stored)
			if pops {
				st0 = c.b
			}
		}
	}
	fsw = uint16(e.Flags) | cc
	if c1() {
		fsw |= swC1
	}
	if e.Unmasked() != 0 {
		fsw |= swES | swB
	}
	return st0, st1, mem, fsw
}

func TestNative(t *testing.T) {
	cases := loadNative(t)
	if len(cases) < 1000 {
		t.Fatalf("only %d cases", len(cases))
	}
	fails := map[string]int{}
	total := map[string]int{}
	for _, c := range cases {
		total[c.op]++
		st0, st1, mem, fsw := emulate(t, c)
		if st0 == c.st0 && st1 == c.st1 && string(mem) == string(c.mem) && fsw == c.fsw {
			continue
		}
		fails[c.op]++
		if fails[c.op] <= 8 {
			t.Errorf("line %d: %s cw=%04x a=%v b=%v: got st0=%v st1=%v mem=%x fsw=%04x, want st0=%v st1=%v mem=%x fsw=%04x",
				c.line, c.op, c.cw, c.a, c.b, st0, st1, mem, fsw, c.st0, c.st1, c.mem, c.fsw)
		}
	}
	for op, n := range fails {
		t.Errorf("%s: %d of %d cases differ", op, n, total[op])
	}
}
