package emu

import (
	"time"

	"gemu/mmu"
	"golang.org/x/arch/x86/x86asm"
)

const (
	maxBlockInsts = 64
	jumpCacheSize = 4096
)

// block is a translated basic block: straight-line instructions ending with
// a control transfer, a trap, a page boundary or the length limit.
type block struct {
	pc, end uint64 // guest bytes [pc, end)
	insts   []inst
	valid   bool // cleared when the guest bytes change
}

// codeCache holds the translated blocks of one address space, shared by the
// CPUs (threads) running in it.
type codeCache struct {
	mem    *mmu.Space
	blocks map[uint64]*block
	byPage map[uint64][]*block
	cpus   []*CPU
	start  time.Time

	translated uint64 // blocks translated (statistics)
	hits       uint64 // look-ups answered by an existing block
	chained    uint64 // block transitions through a chain link
}

func newCodeCache(mem *mmu.Space) *codeCache {
	cc := &codeCache{
		mem:    mem,
		blocks: make(map[uint64]*block),
		byPage: make(map[uint64][]*block),
		start:  time.Now(),
	}
	mem.SetCodeObserver(cc)
	return cc
}

func (cc *codeCache) attach(c *CPU) { cc.cpus = append(cc.cpus, c) }

// CodeChanged implements mmu.CodeObserver: blocks on the changed pages are
// dropped, and running CPUs leave their current block after the current
// instruction.
func (cc *codeCache) CodeChanged(start, end uint64) {
	first, last := start&^mmu.PageMask, (end-1)&^mmu.PageMask
	drop := func(p uint64) {
		for _, b := range cc.byPage[p] {
			if b.valid {
				b.valid = false
				if cc.blocks[b.pc] == b {
					delete(cc.blocks, b.pc)
				}
			}
		}
		delete(cc.byPage, p)
	}
	if (last-first)/mmu.PageSize+1 > uint64(len(cc.byPage)) {
		for p := range cc.byPage {
			if p >= first && p <= last {
				drop(p)
			}
		}
	} else {
		for p := first; p <= last && p >= first; p += mmu.PageSize {
			drop(p)
		}
	}
	for _, c := range cc.cpus {
		c.pending = true
	}
}

// lookup returns the block starting at pc, translating it if needed. It
// returns false with c.trap set when the first instruction cannot be
// fetched.
func (c *CPU) lookup(pc uint64) (*block, bool) {
	h := (pc ^ pc>>12) & (jumpCacheSize - 1)
	if b := c.jc[h]; b != nil && b.pc == pc && b.valid {
		c.cache.hits++
		return b, true
	}
	b := c.cache.blocks[pc]
	if b == nil || !b.valid {
		var ok bool
		if b, ok = c.cache.build(c, pc); !ok {
			return nil, false
		}
	} else {
		c.cache.hits++
	}
	c.jc[h] = b
	return b, true
}

// build translates the block at pc.
func (cc *codeCache) build(c *CPU, pc uint64) (*block, bool) {
	b := &block{pc: pc, valid: true}
	pageEnd := pc&^mmu.PageMask + mmu.PageSize
	addr := pc
	var buf [16]byte
	for len(b.insts) < maxBlockInsts {
		n, ferr := cc.mem.Fetch(buf[:], addr)
		if n == 0 {
			if len(b.insts) == 0 {
				return nil, c.memFault(ferr)
			}
			break
		}
		xi, err := decode(buf[:n])
		if n < len(buf) && (err != nil || xi.Op == 0) {
			// The instruction may continue into the unfetchable page: the
			// fetch faults there (x86asm cannot tell truncated from invalid).
			if len(b.insts) == 0 {
				return nil, c.memFault(ferr)
			}
			break
		}
		if err != nil {
			xi = x86asm.Inst{Len: 1}
		}
		if xi.Len == 0 {
			xi.Len = 1
		}
		in := translate(&xi, addr)
		b.insts = append(b.insts, in)
		addr += uint64(in.len)
		if in.fl&instEnd != 0 || addr >= pageEnd {
			break
		}
	}
	b.end = addr
	cc.mem.MarkCode(pc)
	cc.byPage[pc&^mmu.PageMask] = append(cc.byPage[pc&^mmu.PageMask], b)
	if last := (addr - 1) &^ mmu.PageMask; last != pc&^mmu.PageMask {
		cc.mem.MarkCode(last)
		cc.byPage[last] = append(cc.byPage[last], b)
	}
	cc.blocks[pc] = b
	cc.translated++
	return b, true
}
