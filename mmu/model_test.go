package mmu

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// The model is the simplest possible address space: a map from page number
// to permissions and bytes, plus the set of code-marked pages. The test
// drives a Space and the model with the same random operations over a small
// window (so that operations overlap a lot) and compares every result.

const (
	modelBase  = 0x10000000
	modelPages = 40
)

type modelPage struct {
	perm Perm
	data *[PageSize]byte
}

type model struct {
	pages  map[uint64]*modelPage // by page address
	marked map[uint64]bool
}

// access returns the fault a model access of n bytes at addr meets first.
func (m *model) fault(addr uint64, n int, acc Access) *Fault {
	for a := addr; a < addr+uint64(n); a = (a &^ PageMask) + PageSize {
		p := m.pages[a&^PageMask]
		switch {
		case p == nil:
			return &Fault{Addr: a, Access: acc, Kind: FaultUnmapped}
		case !modelAllows(p.perm, acc):
			return &Fault{Addr: a, Access: acc, Kind: FaultProtection}
		}
	}
	return nil
}

// modelAllows is the x86 rule, written out independently of allows:
// any permission at all grants read.
func modelAllows(p Perm, acc Access) bool {
	switch acc {
	case AccessWrite:
		return p&PermWrite != 0
	case AccessExec:
		return p&PermExec != 0
	}
	return p != PermNone
}

func (m *model) get(addr uint64, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		a := addr + uint64(i)
		out[i] = m.pages[a&^PageMask].data[a&PageMask]
	}
	return out
}

// put stores b and returns the marked pages it hit, in order.
func (m *model) put(addr uint64, b []byte) []uint64 {
	var hit []uint64
	for i, c := range b {
		a := addr + uint64(i)
		pg := a &^ PageMask
		m.pages[pg].data[a&PageMask] = c
		if m.marked[pg] {
			delete(m.marked, pg)
			hit = append(hit, pg)
		}
	}
	return hit
}

// drop removes pages [lo, hi) and returns the marked ones.
func (m *model) unmark(lo, hi uint64) []uint64 {
	var hit []uint64
	for pg := lo; pg < hi; pg += PageSize {
		if m.marked[pg] {
			delete(m.marked, pg)
			hit = append(hit, pg)
		}
	}
	return hit
}

// pageObserver records notified pages.
type pageObserver struct{ pages []uint64 }

func (o *pageObserver) CodeChanged(start, end uint64) {
	for pg := start; pg < end; pg += PageSize {
		o.pages = append(o.pages, pg)
	}
}

func TestRandomAgainstModel(t *testing.T) {
	ops := 20000
	if testing.Short() {
		ops = 2000
	}
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { runModel(t, seed, ops) })
	}
}

func runModel(t *testing.T, seed uint64, ops int) {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	s := NewSpace()
	defer s.Close()
	obs := &pageObserver{}
	s.SetCodeObserver(obs)
	tlbs := []*TLB{s.NewTLB(0), s.NewTLB(1)}
	m := &model{pages: map[uint64]*modelPage{}, marked: map[uint64]bool{}}
	perms := []Perm{PermNone, PermRead, PermRead | PermWrite, PermRead | PermExec, PermWrite, PermRead | PermWrite | PermExec}

	// pageRange picks a page-aligned range overlapping the window's edges.
	pageRange := func() (uint64, uint64) {
		first := rng.IntN(modelPages+4) - 2
		n := 1 + rng.IntN(8)
		return uint64(int64(modelBase) + int64(first)*PageSize), uint64(n) * PageSize
	}
	anyAddr := func() uint64 {
		return modelBase - 2*PageSize + rng.Uint64N((modelPages+4)*PageSize)
	}
	var log []string
	fail := func(format string, args ...any) {
		t.Helper()
		start := max(0, len(log)-10)
		t.Fatalf("seed %d op %d: %s\nlast ops:\n%s", seed, len(log), fmt.Sprintf(format, args...), fmt.Sprint(log[start:]))
	}
	checkNotified := func(want []uint64) {
		t.Helper()
		got := obs.pages
		obs.pages = nil
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			fail("notified pages %x, want %x", got, want)
		}
	}
	sameErr := func(got error, want *Fault) {
		t.Helper()
		if want == nil {
			if got != nil {
				fail("error %v, want none", got)
			}
			return
		}
		var f *Fault
		if !errors.As(got, &f) || *f != *want {
			fail("error %v, want %v", got, want)
		}
	}

	for range ops {
		tl := tlbs[rng.IntN(len(tlbs))]
		switch op := rng.IntN(100); {
		case op < 10: // Map, fixed or no-replace
			addr, n := pageRange()
			p := perms[rng.IntN(len(perms))]
			noReplace := rng.IntN(4) == 0
			log = append(log, fmt.Sprintf("map %#x+%#x %v nr=%v", addr, n, p, noReplace))
			_, err := s.Map(Mapping{Addr: addr, Length: n, Perm: p, Fixed: !noReplace, NoReplace: noReplace})
			busy := false
			for pg := addr; pg < addr+n; pg += PageSize {
				busy = busy || m.pages[pg] != nil
			}
			if noReplace && busy {
				if err != ErrExists {
					fail("NoReplace over a mapping: %v", err)
				}
				checkNotified(nil)
				continue
			}
			if err != nil {
				fail("Map: %v", err)
			}
			checkNotified(m.unmark(addr, addr+n))
			for pg := addr; pg < addr+n; pg += PageSize {
				m.pages[pg] = &modelPage{perm: p, data: new([PageSize]byte)}
			}
		case op < 16: // Unmap
			addr, n := pageRange()
			log = append(log, fmt.Sprintf("unmap %#x+%#x", addr, n))
			if err := s.Unmap(addr, n); err != nil {
				fail("Unmap: %v", err)
			}
			checkNotified(m.unmark(addr, addr+n))
			for pg := addr; pg < addr+n; pg += PageSize {
				delete(m.pages, pg)
			}
		case op < 24: // Protect: applies up to the first hole
			addr, n := pageRange()
			p := perms[rng.IntN(len(perms))]
			log = append(log, fmt.Sprintf("protect %#x+%#x %v", addr, n, p))
			err := s.Protect(addr, n, p)
			end := addr
			for end < addr+n && m.pages[end] != nil {
				m.pages[end].perm = p
				end += PageSize
			}
			if want := end < addr+n; (err == ErrNoMemory) != want || (!want && err != nil) {
				fail("Protect = %v, hole %v", err, want)
			}
			checkNotified(m.unmark(addr, end))
		case op < 27: // Advise DONTNEED
			addr, n := pageRange()
			log = append(log, fmt.Sprintf("dontneed %#x+%#x", addr, n))
			err := s.Advise(addr, n, AdviceDontNeed)
			hole := false
			var want []uint64
			for pg := addr; pg < addr+n; pg += PageSize {
				if p := m.pages[pg]; p != nil {
					*p.data = [PageSize]byte{}
					want = append(want, m.unmark(pg, pg+PageSize)...)
				} else {
					hole = true
				}
			}
			if (err == ErrNoMemory) != hole || (!hole && err != nil) {
				fail("Advise = %v, hole %v", err, hole)
			}
			checkNotified(want)
		case op < 29: // Remap shrink in place
			addr, n := pageRange()
			keep := uint64(rng.IntN(int(n/PageSize))) * PageSize
			log = append(log, fmt.Sprintf("mremap shrink %#x+%#x to %#x", addr, n, keep))
			if keep == 0 {
				keep = PageSize
			}
			got, err := s.Remap(addr, n, keep, 0, 0)
			if m.pages[addr] == nil {
				if err != ErrFault {
					fail("Remap of an unmapped start = %#x, %v", got, err)
				}
				continue
			}
			if err != nil || got != addr {
				fail("Remap shrink = %#x, %v", got, err)
			}
			checkNotified(m.unmark(addr+keep, addr+n))
			for pg := addr + keep; pg < addr+n; pg += PageSize {
				delete(m.pages, pg)
			}
		case op < 33: // MarkCode
			addr := anyAddr()
			log = append(log, fmt.Sprintf("mark %#x", addr))
			s.MarkCode(addr)
			if m.pages[addr&^PageMask] != nil {
				m.marked[addr&^PageMask] = true
			}
		case op < 60: // TLB load
			addr := anyAddr()
			size := sizes[rng.IntN(len(sizes))]
			log = append(log, fmt.Sprintf("load%d %#x", size*8, addr))
			lo, hi, err := load(tl, addr, size)
			want := m.fault(addr, size, AccessRead)
			sameErr(err, want)
			if want == nil {
				b := m.get(addr, size)
				b = append(b, make([]byte, 16-size)...)
				if lo != binary.LittleEndian.Uint64(b) || hi != binary.LittleEndian.Uint64(b[8:]) {
					fail("load = %#x:%#x, want bytes %x", hi, lo, b[:size])
				}
			}
		case op < 88: // TLB store
			addr := anyAddr()
			size := sizes[rng.IntN(len(sizes))]
			lo, hi := rng.Uint64(), rng.Uint64()
			log = append(log, fmt.Sprintf("store%d %#x", size*8, addr))
			err := storeN(tl, addr, size, lo, hi)
			want := m.fault(addr, size, AccessWrite)
			sameErr(err, want)
			if want == nil {
				var b [16]byte
				binary.LittleEndian.PutUint64(b[:], lo)
				binary.LittleEndian.PutUint64(b[8:], hi)
				checkNotified(m.put(addr, b[:size]))
			} else {
				checkNotified(nil)
			}
		case op < 94: // ReadAt / Fetch
			addr := anyAddr()
			n := rng.IntN(3 * PageSize)
			acc := AccessRead
			if rng.IntN(2) == 0 {
				acc = AccessExec
			}
			log = append(log, fmt.Sprintf("readat %#x+%d %v", addr, n, acc))
			buf := make([]byte, n)
			var got int
			var err error
			if acc == AccessRead {
				got, err = s.ReadAt(buf, addr)
			} else {
				got, err = s.Fetch(buf, addr)
			}
			want := m.fault(addr, n, acc)
			sameErr(err, want)
			wantN := n
			if want != nil {
				wantN = int(want.Addr - addr)
			}
			if got != wantN || !bytes.Equal(buf[:got], m.get(addr, got)) {
				fail("ReadAt copied %d, want %d (or bytes differ)", got, wantN)
			}
		default: // WriteAt
			addr := anyAddr()
			n := rng.IntN(3 * PageSize)
			buf := make([]byte, n)
			for i := range buf {
				buf[i] = byte(rng.Uint32())
			}
			log = append(log, fmt.Sprintf("writeat %#x+%d", addr, n))
			got, err := s.WriteAt(buf, addr)
			want := m.fault(addr, n, AccessWrite)
			sameErr(err, want)
			wantN := n
			if want != nil {
				wantN = int(want.Addr - addr)
			}
			if got != wantN {
				fail("WriteAt copied %d, want %d", got, wantN)
			}
			checkNotified(m.put(addr, buf[:got]))
		}
		// The VMA list stays sorted, disjoint and coalesced.
		for i := 1; i < len(s.vmas); i++ {
			if s.vmas[i-1].end > s.vmas[i].start || identical(&s.vmas[i-1], &s.vmas[i]) {
				fail("VMA list broken at %d: %+v %+v", i, s.vmas[i-1], s.vmas[i])
			}
		}
	}
	// Final check: Mappings covers exactly the model's pages with their perms.
	got := map[uint64]Perm{}
	for _, r := range s.Mappings() {
		for pg := r.Start; pg < r.End; pg += PageSize {
			got[pg] = r.Perm
		}
	}
	if len(got) != len(m.pages) {
		t.Fatalf("Mappings covers %d pages, model %d", len(got), len(m.pages))
	}
	for pg, p := range m.pages {
		if gp, ok := got[pg]; !ok || gp != p.perm {
			t.Fatalf("page %#x: Mappings perm %v (mapped %v), model %v", pg, gp, ok, p.perm)
		}
	}
}
