// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package testguests

import (
	"fmt"
	"math/big"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Outputs compared within one unit in the last place: the x87
// transcendental instructions (FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1,
// FYL2X, FYL2XP1), whose results the SDM bounds but does not define bit
// for bit, and the long double libm functions built on them. A line must
// be identical natively and under gemu except for 80-bit values
// ("SEXP:MANTISSA", possibly after "st3=") that may differ by one ulp, the
// C1 bit of an x87 status word ("sw="; C1 says whether the result was
// rounded up, which a different unrounded result may change even when the
// rounded ones agree), and the register hash ("h=", which covers stale
// registers too) once some value has differed.

// ulpCounts tallies a comparison.
type ulpCounts struct {
	lines, identical, within int
	values, valuesIdentical  int
}

var f80Token = regexp.MustCompile(`^([a-z0-9]+=)?([0-9a-f]{4}):([0-9a-f]{16})$`)

// f80Ulps returns how many ulps apart two 80-bit values are (as
// integers in their sign-magnitude encoding), or -1 if they cannot be
// compared (different signs, NaNs that differ).
func f80Ulps(a, b string) int64 {
	pa, pb := f80Token.FindStringSubmatch(a), f80Token.FindStringSubmatch(b)
	if pa == nil || pb == nil || pa[1] != pb[1] {
		return -1
	}
	sa, _ := strconv.ParseUint(pa[2], 16, 16)
	sb, _ := strconv.ParseUint(pb[2], 16, 16)
	ma, _ := strconv.ParseUint(pa[3], 16, 64)
	mb, _ := strconv.ParseUint(pb[3], 16, 64)
	if sa&0x8000 != sb&0x8000 {
		if sa&0x7fff == 0 && sb&0x7fff == 0 && ma == 0 && mb == 0 {
			return -1 // +0 and -0
		}
		return -1
	}
	if sa&0x7fff == 0x7fff || sb&0x7fff == 0x7fff {
		return -1 // infinities and NaNs must be identical
	}
	// Normal numbers: the magnitude as exponent·2^63 + (mantissa without
	// the integer bit) orders them and counts ulps across a binade.
	mag := func(se, m uint64) *big.Int {
		e := se & 0x7fff
		x := new(big.Int).SetUint64(e)
		x.Lsh(x, 63)
		return x.Add(x, new(big.Int).SetUint64(m&^(1<<63)))
	}
	d := new(big.Int).Sub(mag(sa, ma), mag(sb, mb))
	d.Abs(d)
	if !d.IsInt64() {
		return -1
	}
	return d.Int64()
}

// compareULP compares two outputs line by line, with the tolerance
// described at the top of this file for lines starting with prefix (the
// other lines must be identical); maxULP, when not nil, gives a line a
// larger tolerance than 1 ulp. It returns the counts and the first few
// differences beyond the tolerance.
func compareULP(native, gemu []byte, prefix string, maxULP func(line string) int64) (ulpCounts, []string) {
	var c ulpCounts
	var bad []string
	nl, gl := lines(native), lines(gemu)
	tainted := false // an earlier value differed: stale registers may too
	if len(nl) != len(gl) {
		bad = append(bad, fmt.Sprintf("%d lines natively, %d under gemu", len(nl), len(gl)))
	}
	for i := 0; i < len(nl) && i < len(gl); i++ {
		a, b := strings.TrimRight(nl[i], "\n"), strings.TrimRight(gl[i], "\n")
		if !strings.HasPrefix(a, prefix) {
			if a != b {
				bad = append(bad, fmt.Sprintf("line %d differs:\n  native %s\n  gemu   %s", i+1, a, b))
			}
			continue
		}
		c.lines++
		ta, tb := strings.Fields(a), strings.Fields(b)
		lineOK := len(ta) == len(tb)
		tol := int64(1)
		if maxULP != nil {
			tol = maxULP(a)
		}
		valueDiffers := false
		var deferred []int // sw= and h= tokens, judged after the values
		for j := 0; lineOK && j < len(ta); j++ {
			if f80Token.MatchString(ta[j]) {
				c.values++
			}
			if ta[j] == tb[j] {
				if f80Token.MatchString(ta[j]) {
					c.valuesIdentical++
				}
				continue
			}
			switch {
			case f80Token.MatchString(ta[j]):
				if u := f80Ulps(ta[j], tb[j]); u < 0 || u > tol {
					lineOK = false
				}
				valueDiffers = true
			case strings.HasPrefix(ta[j], "sw=") || strings.HasPrefix(ta[j], "h="):
				deferred = append(deferred, j)
			default:
				lineOK = false
			}
		}
		tainted = tainted || valueDiffers
		for _, j := range deferred {
			if strings.HasPrefix(ta[j], "h=") && !tainted {
				lineOK = false
				break
			}
			if strings.HasPrefix(ta[j], "sw=") {
				x, err1 := strconv.ParseUint(strings.TrimPrefix(ta[j], "sw="), 16, 16)
				y, err2 := strconv.ParseUint(strings.TrimPrefix(tb[j], "sw="), 16, 16)
				if err1 != nil || err2 != nil || x&^0x200 != y&^0x200 {
					lineOK = false
				}
			}
		}
		switch {
		case a == b:
			c.identical++
			c.within++
		case lineOK:
			c.within++
		default:
			bad = append(bad, fmt.Sprintf("line %d differs by more than %d ulp:\n  native %s\n  gemu   %s", i+1, tol, a, b))
		}
	}
	return c, bad
}

// TestX87Transcendental runs insn_x87's transcendental part natively and
// under gemu: results within 1 ulp pass; the counts of bit-identical
// results are logged.
func TestX87Transcendental(t *testing.T) {
	if !hostRunsGuests() {
		t.Skip("needs a native run to compare with (linux/amd64)")
	}
	prog, err := filepath.Abs(filepath.Join("bin", "insn_x87"))
	if err != nil {
		t.Fatal(err)
	}
	want := runNative(t, prog, []string{"trans"}, "")
	got := runGemu(t, prog, []string{"trans"}, "")
	if want.status != 0 || got.status != 0 {
		t.Fatalf("exit status native %d, gemu %d\n%s", want.status, got.status, clip(got.stderr))
	}
	c, bad := compareULP(want.stdout, got.stdout, "T ", nil)
	t.Logf("%d result lines: %d bit-identical, %d within 1 ulp; %d of %d 80-bit values identical",
		c.lines, c.identical, c.within, c.valuesIdentical, c.values)
	for i, b := range bad {
		if i == 10 {
			t.Errorf("... %d more", len(bad)-10)
			break
		}
		t.Error(b)
	}
}

func TestF80Ulps(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int64
	}{
		{"3fff:8000000000000000", "3fff:8000000000000000", 0},
		{"3fff:8000000000000001", "3fff:8000000000000000", 1},
		{"st0=3fff:8000000000000000", "st0=3ffe:ffffffffffffffff", 1}, // across a binade
		{"3fff:8000000000000000", "bfff:8000000000000000", -1},
		{"7fff:c000000000000000", "7fff:c000000000000001", -1},
		{"st0=3fff:8000000000000000", "st1=3fff:8000000000000000", -1},
	} {
		if got := f80Ulps(tc.a, tc.b); got != tc.want {
			t.Errorf("f80Ulps(%s, %s) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
