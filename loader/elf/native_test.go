package elf

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"gemu/internal/abi/linux"
	"gemu/mmu"
)

// native is what testdata/probe.c reports about its own exec.
type native struct {
	sp         uint64
	args, env  []uint64
	auxKeys    []uint64
	aux        map[uint64]uint64
	brk        uint64
	maps       [][3]string // start, end, perms (hex as printed)
	start, end uint64      // union of the program's mappings
}

// probeBuilds compiles testdata/probe.c the ways static programs are built
// on this machine; a build whose toolchain is missing is left out.
func probeBuilds(t *testing.T) map[string]string {
	t.Helper()
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("the native comparison needs an x86-64 Linux host")
	}
	if _, err := exec.LookPath("setarch"); err != nil {
		t.Skip("setarch is missing: cannot run the probe without address randomisation")
	}
	src, err := filepath.Abs("testdata/probe.c")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := map[string]string{}
	build := func(name string, args ...string) {
		bin := filepath.Join(dir, name)
		cmd := exec.Command(args[0], append(args[1:], "-o", bin)...)
		cmd.Dir = dir
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Logf("not comparing %s: %v: %s", name, err, msg)
			return
		}
		out[name] = bin
	}
	if _, err := exec.LookPath("musl-gcc"); err == nil {
		build("musl-static", "musl-gcc", "-static", "-O2", src)
		if lib := muslLibDir(); lib != "" {
			// musl's static PIE: rcrt1.o, linked without PT_INTERP.
			obj := filepath.Join(dir, "probe.o")
			if err := exec.Command("musl-gcc", "-O2", "-fPIE", "-c", src, "-o", obj).Run(); err == nil {
				gccFile := func(f string) string {
					b, _ := exec.Command("gcc", "-print-file-name="+f).Output()
					return strings.TrimSpace(string(b))
				}
				build("musl-static-pie", "gcc", "-static-pie", "-nostdlib", "-nostartfiles",
					lib+"/rcrt1.o", lib+"/crti.o", gccFile("crtbeginS.o"), obj, lib+"/libc.a",
					gccFile("libgcc.a"), gccFile("crtendS.o"), lib+"/crtn.o")
			}
		}
	} else {
		t.Log("musl-gcc is missing: no musl probes")
	}
	if _, err := exec.LookPath("gcc"); err == nil {
		build("glibc-static", "gcc", "-static", "-O2", src)
		build("glibc-static-pie", "gcc", "-static-pie", "-O2", src)
	}
	if len(out) == 0 {
		t.Skip("no C toolchain could build testdata/probe.c")
	}
	return out
}

// muslLibDir finds musl's library directory from the musl-gcc wrapper's
// -specs argument (musl-gcc -print-file-name answers with glibc's files).
func muslLibDir() string {
	path, err := exec.LookPath("musl-gcc")
	if err != nil {
		return ""
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	m := regexp.MustCompile(`-specs "?([^" ]+)/musl-gcc\.specs`).FindSubmatch(b)
	if m == nil {
		return ""
	}
	return string(m[1])
}

// runProbe runs bin natively without randomisation, with argv {bin, args...}
// and exactly env.
func runProbe(t *testing.T, bin string, args, env []string) *native {
	t.Helper()
	cmd := exec.Command("setarch", append([]string{"x86_64", "-R", bin}, args...)...)
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("cannot run %s natively under setarch -R: %v", bin, err)
	}
	n := &native{aux: map[uint64]uint64{}, start: ^uint64(0)}
	hex := func(s string) uint64 {
		v, err := strconv.ParseUint(s, 16, 64)
		if err != nil {
			t.Fatalf("probe output %q: %v", s, err)
		}
		return v
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch f[0] {
		case "sp":
			n.sp = hex(f[1])
		case "argv":
			n.args = append(n.args, hex(f[2]))
		case "envp":
			n.env = append(n.env, hex(f[2]))
		case "auxv":
			k, _ := strconv.ParseUint(f[1], 10, 64)
			n.auxKeys = append(n.auxKeys, k)
			n.aux[k] = hex(f[2])
		case "brk":
			n.brk = hex(f[1])
		case "map":
			n.maps = append(n.maps, [3]string{f[1], f[2], f[3]})
			n.start = min(n.start, hex(f[1]))
			n.end = max(n.end, hex(f[2]))
		}
	}
	if n.sp == 0 || len(n.auxKeys) == 0 {
		t.Fatalf("probe printed no stack:\n%s", out)
	}
	return n
}

// TestNativeStartup runs probes natively (setarch -R) and checks that gemu
// lays out the same program's start the way the host kernel did: string
// addresses, AT_RANDOM and AT_PLATFORM, auxv key order and values, the
// final RSP rule, the load bias, the image's extent and the initial break.
//
// Known differences, by design: the host adds AT_SYSINFO_EHDR (gemu has no
// vDSO) and AT_RSEQ_FEATURE_SIZE/AT_RSEQ_ALIGN (gemu has no rseq), and its
// AT_MINSIGSTKSZ reflects its XSAVE area; so gemu's auxv is 3 pairs shorter
// and its RSP 48 bytes higher (before rounding).
func TestNativeStartup(t *testing.T) {
	args := []string{"x", "yy", ""}
	env := []string{"A=1", "BB=22", "EMPTY="}
	hostOnly := map[uint64]bool{linux.AT_SYSINFO_EHDR: true, 27: true, 28: true} // 27, 28: AT_RSEQ_*
	for name, bin := range probeBuilds(t) {
		t.Run(name, func(t *testing.T) {
			n := runProbe(t, bin, args, env)
			f, err := os.Open(bin)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			fi, _ := f.Stat()
			p, img, err := prepare(f, fi.Size())
			if err != nil {
				t.Fatalf("gemu rejects what Linux ran: %v", err)
			}
			img.Path = bin
			st := Startup{
				Args: append([]string{bin}, args...), Env: env, ExecFn: bin,
				HWCap: n.aux[linux.AT_HWCAP], HWCap2: n.aux[linux.AT_HWCAP2],
				UID: n.aux[linux.AT_UID], EUID: n.aux[linux.AT_EUID], GID: n.aux[linux.AT_GID], EGID: n.aux[linux.AT_EGID],
			}
			s, err := buildStack(mmu.UserTop, img, &st)
			if err != nil {
				t.Fatal(err)
			}
			// The strings: same addresses, so same offsets from the top.
			if len(n.args) != len(s.args) || len(n.env) != len(s.env) {
				t.Fatalf("native argc %d envc %d, gemu %d %d", len(n.args), len(n.env), len(s.args), len(s.env))
			}
			for i := range s.args {
				if s.args[i] != n.args[i] {
					t.Errorf("argv[%d] at %#x, native %#x", i, s.args[i], n.args[i])
				}
			}
			for i := range s.env {
				if s.env[i] != n.env[i] {
					t.Errorf("envp[%d] at %#x, native %#x", i, s.env[i], n.env[i])
				}
			}
			for _, c := range []struct {
				key  uint64
				gemu uint64
			}{{linux.AT_EXECFN, s.execFn}, {linux.AT_PLATFORM, s.platform}, {linux.AT_RANDOM, s.random}} {
				if n.aux[c.key] != c.gemu {
					t.Errorf("auxv %d points to %#x, native %#x", c.key, c.gemu, n.aux[c.key])
				}
			}
			// The auxv: Linux's keys in Linux's order, minus the host-only ones.
			var nativeKeys, gemuKeys []uint64
			for _, k := range n.auxKeys {
				if !hostOnly[k] {
					nativeKeys = append(nativeKeys, k)
				}
			}
			gemuAux := map[uint64]uint64{}
			for i := 0; i < len(s.auxv); i += 16 {
				k := le.Uint64(s.auxv[i:])
				gemuKeys = append(gemuKeys, k)
				gemuAux[k] = le.Uint64(s.auxv[i+8:])
			}
			if !slicesEqual(nativeKeys, gemuKeys) {
				t.Errorf("auxv keys:\n gemu   %v\n native %v", gemuKeys, nativeKeys)
			}
			for _, k := range gemuKeys {
				if k != linux.AT_MINSIGSTKSZ && gemuAux[k] != n.aux[k] {
					t.Errorf("auxv %d = %#x, native %#x", k, gemuAux[k], n.aux[k])
				}
			}
			// RSP: 16-byte aligned, below auxv and the argc/argv/envp words,
			// by the rule Linux followed with its own auxv length.
			items := uint64(len(s.args)+1+len(s.env)+1+1) * 8
			if want := (n.aux[linux.AT_RANDOM] - uint64(16*len(n.auxKeys)) - items) &^ 15; n.sp != want {
				t.Errorf("native sp %#x does not follow the modelled rule (%#x)", n.sp, want)
			}
			if want := (s.random - uint64(len(s.auxv)) - items) &^ 15; s.sp != want || s.sp%16 != 0 {
				t.Errorf("sp %#x, want %#x", s.sp, want)
			}
			// The image: extent of the program's file mappings, and the break.
			start, end := ^uint64(0), uint64(0)
			for _, r := range p.plan(img.Base) {
				if r.named {
					start, end = min(start, r.addr), max(end, r.addr+r.length)
				}
			}
			if start != n.start || end != n.end {
				t.Errorf("program mapped at %#x..%#x, native %#x..%#x", start, end, n.start, n.end)
			}
			if n.brk != 0 && img.Brk != n.brk {
				t.Errorf("initial break %#x, native %#x", img.Brk, n.brk)
			}
			if name == "musl-static" {
				if mmuReady() {
					compareMaps(t, bin, n)
				} else {
					t.Log("not comparing mappings: package mmu is not implemented yet")
				}
			}
		})
	}
}

// compareMaps loads bin into an mmu.Space and compares the mappings named
// after it with the native /proc/self/maps lines (musl's static ET_EXEC does
// not mprotect anything before main, so they are the loader's own).
func compareMaps(t *testing.T, bin string, n *native) {
	mem := newSpace(t)
	if _, err := Load(mem, bin); err != nil {
		t.Fatal(err)
	}
	name := mapName(bin)
	var got [][3]string
	for _, r := range mem.Mappings() {
		if r.Name == name {
			got = append(got, [3]string{strconv.FormatUint(r.Start, 16), strconv.FormatUint(r.End, 16), permString(r.Perm)})
		}
	}
	if len(got) != len(n.maps) {
		t.Fatalf("mappings of %s:\n gemu   %v\n native %v", bin, got, n.maps)
	}
	for i := range got {
		if got[i] != n.maps[i] {
			t.Errorf("mapping %d: gemu %v, native %v", i, got[i], n.maps[i])
		}
	}
}

func permString(p mmu.Perm) string {
	b := []byte("---p")
	if p&mmu.PermRead != 0 {
		b[0] = 'r'
	}
	if p&mmu.PermWrite != 0 {
		b[1] = 'w'
	}
	if p&mmu.PermExec != 0 {
		b[2] = 'x'
	}
	return string(b)
}

func slicesEqual(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
