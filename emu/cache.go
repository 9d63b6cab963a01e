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
	// next are the chain links to the blocks that ran after this one (see
	// "Chain links" in exec.go): [0] the fall-through successor at end,
	// [1] the last other successor, [2] and [3] the ones before it (the
	// targets of an indirect branch or return, most recent first). A link
	// is only taken when its block starts at the PC wanted and is still
	// valid.
	next [4]*block
}

// codeCache holds the translated blocks of one address space, shared by the
// CPUs (threads) running in it.
type codeCache struct {
	mem    *mmu.Space
	blocks map[uint64]*block
	byPage map[uint64][]*block
	cpus   []*CPU
	start  time.Time

	// generic disables the fast ops (every instruction runs its generic
	// handler): tests compare the two.
	generic bool

	// xi and scratch are build's decoded instruction and block under
	// translation: reused, so that they are not allocated per instruction.
	// One thread runs guest code at a time (see sched), so builds of the
	// CPUs sharing the cache never overlap.
	xi      x86asm.Inst
	scratch [maxBlockInsts]inst

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

// build translates the block at pc. It decodes and translates into the
// cache's scratch instruction and block, then copies the instructions into
// a slice of exactly their number: a block costs two allocations (block
// and instructions) and nothing per instruction. (Carving the slices from
// shared 36 KiB chunks saved ~10 page faults at start but cost ~3 % MIPS
// on coremark, measured; so each block has its own.)
func (cc *codeCache) build(c *CPU, pc uint64) (*block, bool) {
	pageEnd := pc&^mmu.PageMask + mmu.PageSize
	addr := pc
	var buf [16]byte
	xi := &cc.xi
	insts := cc.scratch[:0]
	for len(insts) < maxBlockInsts {
		n, ferr := cc.mem.Fetch(buf[:], addr)
		if n == 0 {
			if len(insts) == 0 {
				return nil, c.memFault(ferr)
			}
			break
		}
		var err error
		*xi, err = decode(buf[:n])
		if n < len(buf) && (err != nil || xi.Op == 0) {
			// The instruction may continue into the unfetchable page: the
			// fetch faults there (x86asm cannot tell truncated from invalid).
			if len(insts) == 0 {
				return nil, c.memFault(ferr)
			}
			break
		}
		if err != nil {
			*xi = x86asm.Inst{Len: 1}
		}
		if xi.Len == 0 {
			xi.Len = 1
		}
		insts = insts[:len(insts)+1]
		in := &insts[len(insts)-1]
		translateInto(in, xi, addr)
		gateFeature(&c.feat, in)
		addr += uint64(in.len)
		if in.fl&instEnd != 0 || addr >= pageEnd {
			break
		}
	}
	b := &block{pc: pc, valid: true, insts: make([]inst, len(insts))}
	copy(b.insts, insts)
	b.end = addr
	if cc.generic {
		for i := range b.insts {
			b.insts[i].op = opGeneric
		}
	} else {
		fuse(b.insts)
	}
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
