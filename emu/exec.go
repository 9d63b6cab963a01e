package emu

// execBlock runs the instructions of b and then of the blocks that follow
// it, through the chain links (see below), until the time slice ends, the
// attention flag is raised, an instruction changes translated code, or an
// instruction traps. It returns false when one trapped: c.trap says why
// and c.RIP is the trapping instruction (or the one after it, for traps
// that complete). On success c.RIP is the next block's PC.
//
// The slice and attention checks are made between blocks exactly where the
// run loop made them before chaining existed, so the scheduler's quantum
// still ends at the same retired-instruction counts.
func (c *CPU) execBlock(b *block) bool {
	for {
		c.RIP = b.end
		c.pending = false
		insts := b.insts
	run:
		for i := range insts {
			in := &insts[i]
			// Cases that cannot write memory continue the loop; those that
			// can fall through to the check for changed code below.
			switch in.op {
			case opNop:
				continue
			case opMovRR64:
				c.R[in.args[0].reg&15] = c.R[in.args[1].reg&15]
				continue
			case opMovRR32:
				c.R[in.args[0].reg&15] = c.R[in.args[1].reg&15] & 0xffffffff
				continue
			case opMovRI64, opMovRI32:
				c.R[in.args[0].reg&15] = in.imm
				continue
			case opMovLoad64:
				v, err := c.tlb.Read64(c.ea(in))
				if err != nil {
					c.memFault(err)
					return c.trapped(in, i)
				}
				c.R[in.args[0].reg&15] = v
				continue
			case opMovLoad32:
				v, err := c.tlb.Read32(c.ea(in))
				if err != nil {
					c.memFault(err)
					return c.trapped(in, i)
				}
				c.R[in.args[0].reg&15] = v
				continue
			case opMovStore64:
				if err := c.tlb.Write64(c.ea(in), c.R[in.args[1].reg&15]); err != nil {
					c.memFault(err)
					return c.trapped(in, i)
				}
			case opMovStore32:
				if err := c.tlb.Write32(c.ea(in), c.R[in.args[1].reg&15]); err != nil {
					c.memFault(err)
					return c.trapped(in, i)
				}
			case opMovStore16:
				if err := c.tlb.Write16(c.ea(in), c.R[in.args[1].reg&15]); err != nil {
					c.memFault(err)
					return c.trapped(in, i)
				}
			case opMovStore8:
				if err := c.tlb.Write8(c.ea(in), c.R[in.args[1].reg&15]); err != nil {
					c.memFault(err)
					return c.trapped(in, i)
				}
			case opMovStoreI:
				if !c.store(c.ea(in), in.args[0].size, in.imm) {
					return c.trapped(in, i)
				}
			case opMovzxLoad8:
				v, err := c.tlb.Read8(c.ea(in))
				if err != nil {
					c.memFault(err)
					return c.trapped(in, i)
				}
				c.R[in.args[0].reg&15] = v
				continue
			case opMovzxLoad16:
				v, err := c.tlb.Read16(c.ea(in))
				if err != nil {
					c.memFault(err)
					return c.trapped(in, i)
				}
				c.R[in.args[0].reg&15] = v
				continue
			case opMovsxLoad8:
				v, err := c.tlb.Read8(c.ea(in))
				if err != nil {
					c.memFault(err)
					return c.trapped(in, i)
				}
				c.R[in.args[0].reg&15] = uint64(int64(int8(v))) & sizeMask[in.args[0].size&15]
				continue
			case opMovsxLoad16:
				v, err := c.tlb.Read16(c.ea(in))
				if err != nil {
					c.memFault(err)
					return c.trapped(in, i)
				}
				c.R[in.args[0].reg&15] = uint64(int64(int16(v))) & sizeMask[in.args[0].size&15]
				continue
			case opMovsxLoad32:
				v, err := c.tlb.Read32(c.ea(in))
				if err != nil {
					c.memFault(err)
					return c.trapped(in, i)
				}
				c.R[in.args[0].reg&15] = uint64(int64(int32(v)))
				continue
			case opMovzxRR:
				c.R[in.args[0].reg&15] = c.R[in.args[1].reg&15] & sizeMask[in.args[1].size&15]
				continue
			case opMovsxRR:
				c.R[in.args[0].reg&15] = sext(c.R[in.args[1].reg&15], in.args[1].size) & sizeMask[in.args[0].size&15]
				continue
			case opLea64:
				c.R[in.args[0].reg&15] = c.lea(in)
				continue
			case opLea32:
				c.R[in.args[0].reg&15] = c.lea(in) & 0xffffffff
				continue

			case opAddRR64:
				d := &c.R[in.args[0].reg&15]
				a, v := *d, c.R[in.args[1].reg&15]
				r := a + v
				*d = r
				c.setLF(fkAdd, 8, a, v, r)
				continue
			case opAddRI64:
				d := &c.R[in.args[0].reg&15]
				a := *d
				r := a + in.imm
				*d = r
				c.setLF(fkAdd, 8, a, in.imm, r)
				continue
			case opSubRR64:
				d := &c.R[in.args[0].reg&15]
				a, v := *d, c.R[in.args[1].reg&15]
				r := a - v
				*d = r
				c.setLF(fkSub, 8, a, v, r)
				continue
			case opSubRI64:
				d := &c.R[in.args[0].reg&15]
				a := *d
				r := a - in.imm
				*d = r
				c.setLF(fkSub, 8, a, in.imm, r)
				continue
			case opCmpRR64:
				a, v := c.R[in.args[0].reg&15], c.R[in.args[1].reg&15]
				c.setLF(fkSub, 8, a, v, a-v)
				continue
			case opCmpRI64:
				a := c.R[in.args[0].reg&15]
				c.setLF(fkSub, 8, a, in.imm, a-in.imm)
				continue
			case opAndRR64:
				d := &c.R[in.args[0].reg&15]
				r := *d & c.R[in.args[1].reg&15]
				*d = r
				c.setLogic(8, r)
				continue
			case opAndRI64:
				d := &c.R[in.args[0].reg&15]
				r := *d & in.imm
				*d = r
				c.setLogic(8, r)
				continue
			case opOrRR64:
				d := &c.R[in.args[0].reg&15]
				r := *d | c.R[in.args[1].reg&15]
				*d = r
				c.setLogic(8, r)
				continue
			case opOrRI64:
				d := &c.R[in.args[0].reg&15]
				r := *d | in.imm
				*d = r
				c.setLogic(8, r)
				continue
			case opXorRR64:
				d := &c.R[in.args[0].reg&15]
				r := *d ^ c.R[in.args[1].reg&15]
				*d = r
				c.setLogic(8, r)
				continue
			case opXorRI64:
				d := &c.R[in.args[0].reg&15]
				r := *d ^ in.imm
				*d = r
				c.setLogic(8, r)
				continue
			case opTestRR64:
				c.setLogic(8, c.R[in.args[0].reg&15]&c.R[in.args[1].reg&15])
				continue
			case opTestRI64:
				c.setLogic(8, c.R[in.args[0].reg&15]&in.imm)
				continue

			case opAddRR32:
				d := &c.R[in.args[0].reg&15]
				a, v := *d&0xffffffff, c.R[in.args[1].reg&15]&0xffffffff
				r := (a + v) & 0xffffffff
				*d = r
				c.setLF(fkAdd, 4, a, v, r)
				continue
			case opAddRI32:
				d := &c.R[in.args[0].reg&15]
				a := *d & 0xffffffff
				r := (a + in.imm) & 0xffffffff
				*d = r
				c.setLF(fkAdd, 4, a, in.imm, r)
				continue
			case opSubRR32:
				d := &c.R[in.args[0].reg&15]
				a, v := *d&0xffffffff, c.R[in.args[1].reg&15]&0xffffffff
				r := (a - v) & 0xffffffff
				*d = r
				c.setLF(fkSub, 4, a, v, r)
				continue
			case opSubRI32:
				d := &c.R[in.args[0].reg&15]
				a := *d & 0xffffffff
				r := (a - in.imm) & 0xffffffff
				*d = r
				c.setLF(fkSub, 4, a, in.imm, r)
				continue
			case opCmpRR32:
				a, v := c.R[in.args[0].reg&15]&0xffffffff, c.R[in.args[1].reg&15]&0xffffffff
				c.setLF(fkSub, 4, a, v, (a-v)&0xffffffff)
				continue
			case opCmpRI32:
				a := c.R[in.args[0].reg&15] & 0xffffffff
				c.setLF(fkSub, 4, a, in.imm, (a-in.imm)&0xffffffff)
				continue
			case opAndRR32:
				d := &c.R[in.args[0].reg&15]
				r := *d & c.R[in.args[1].reg&15] & 0xffffffff
				*d = r
				c.setLogic(4, r)
				continue
			case opAndRI32:
				d := &c.R[in.args[0].reg&15]
				r := *d & in.imm
				*d = r
				c.setLogic(4, r)
				continue
			case opOrRR32:
				d := &c.R[in.args[0].reg&15]
				r := (*d | c.R[in.args[1].reg&15]) & 0xffffffff
				*d = r
				c.setLogic(4, r)
				continue
			case opOrRI32:
				d := &c.R[in.args[0].reg&15]
				r := (*d | in.imm) & 0xffffffff
				*d = r
				c.setLogic(4, r)
				continue
			case opXorRR32:
				d := &c.R[in.args[0].reg&15]
				r := (*d ^ c.R[in.args[1].reg&15]) & 0xffffffff
				*d = r
				c.setLogic(4, r)
				continue
			case opXorRI32:
				d := &c.R[in.args[0].reg&15]
				r := (*d ^ in.imm) & 0xffffffff
				*d = r
				c.setLogic(4, r)
				continue
			case opTestRR32:
				c.setLogic(4, c.R[in.args[0].reg&15]&c.R[in.args[1].reg&15]&0xffffffff)
				continue
			case opTestRI32:
				c.setLogic(4, c.R[in.args[0].reg&15]&in.imm)
				continue

			case opAluRRn, opAluRIn:
				d := in.args[0]
				m := sizeMask[d.size&15]
				p := &c.R[d.reg&15]
				a := *p & m
				v := in.imm & m
				if in.op == opAluRRn {
					v = c.R[in.args[1].reg&15] & m
				}
				r, k := aluResult(in.sub, m, a, v)
				if in.sub != aluCmp && in.sub != aluTest {
					*p = *p&^m | r
				}
				c.setLF(k, d.size, a, v, r)
				continue
			case opAluRM:
				d := in.args[0]
				v, ok := c.load(c.ea(in), d.size)
				if !ok {
					return c.trapped(in, i)
				}
				m := sizeMask[d.size&15]
				p := &c.R[d.reg&15]
				a := *p & m
				r, k := aluResult(in.sub, m, a, v)
				if in.sub != aluCmp && in.sub != aluTest {
					if d.size >= 4 {
						*p = r
					} else {
						*p = *p&^m | r
					}
				}
				c.setLF(k, d.size, a, v, r)
				continue
			case opAluMR, opAluMI:
				d := in.args[0]
				addr := c.ea(in)
				a, ok := c.load(addr, d.size)
				if !ok {
					return c.trapped(in, i)
				}
				m := sizeMask[d.size&15]
				v := in.imm & m
				if in.op == opAluMR {
					v = c.R[in.args[1].reg&15] & m
				}
				r, k := aluResult(in.sub, m, a, v)
				if in.sub != aluCmp && in.sub != aluTest {
					if !c.store(addr, d.size, r) {
						return c.trapped(in, i)
					}
					c.setLF(k, d.size, a, v, r)
					break
				}
				c.setLF(k, d.size, a, v, r)
				continue
			case opIncR, opDecR:
				d := in.args[0]
				m := sizeMask[d.size&15]
				p := &c.R[d.reg&15]
				a := *p & m
				k, r := fkInc, (a+1)&m
				if in.op == opDecR {
					k, r = fkDec, (a-1)&m
				}
				var ci uint8
				if c.cf() {
					ci = 1
				}
				*p = r
				c.setLF(k, d.size, a, 1, r)
				c.lf.cin = ci
				continue
			case opNegR:
				d := in.args[0]
				m := sizeMask[d.size&15]
				p := &c.R[d.reg&15]
				v := *p & m
				r := -v & m
				*p = r
				c.setLF(fkSub, d.size, 0, v, r)
				continue
			case opImulRR, opImulRRI:
				d := in.args[0]
				m := sizeMask[d.size&15]
				a, v := c.R[d.reg&15]&m, c.R[in.args[1].reg&15]&m
				if in.op == opImulRRI {
					a, v = v, in.imm&m
				}
				_, lo, over := mulWide(true, d.size, a, v)
				c.R[d.reg&15] = lo
				c.mulFlags(over)
				continue
			case opShiftRI, opShiftRC:
				// imm2 is the masked count (opShiftRI) or the count mask.
				d := in.args[0]
				m := sizeMask[d.size&15]
				p := &c.R[d.reg&15]
				n := uint(in.imm2)
				if in.op == opShiftRC {
					n &= uint(c.R[1])
				}
				if n == 0 {
					if d.size == 4 {
						*p &= m // the destination is written: zero-extended
					}
					continue
				}
				r, f, mask := shift(in.sub, d.size, *p&m, n, false)
				if d.size >= 4 {
					*p = r
				} else {
					*p = *p&^m | r
				}
				if mask == arithFlags {
					c.lf.kind = fkNone
					c.rflags = c.rflags&^arithFlags | f
				} else {
					c.setArith(mask, f)
				}
				continue
			case opSetcc:
				p := &c.R[in.args[0].reg&15]
				var v uint64
				if c.cond(in.sub) {
					v = 1
				}
				*p = *p&^0xff | v
				continue
			case opCmovRR:
				d := in.args[0]
				p := &c.R[d.reg&15]
				if c.cond(in.sub) {
					*p = c.R[in.args[1].reg&15] & sizeMask[d.size&15]
				} else {
					*p &= sizeMask[d.size&15] // a 32-bit CMOV always zero-extends
				}
				continue

			case opCmpRR64J:
				a, v := c.R[in.args[0].reg&15], c.R[in.args[1].reg&15]
				c.setLF(fkSub, 8, a, v, a-v)
				if c.subCond(in.cc, 8, a, v) {
					c.RIP = in.imm2
				}
				break run
			case opCmpRI64J:
				a := c.R[in.args[0].reg&15]
				c.setLF(fkSub, 8, a, in.imm, a-in.imm)
				if c.subCond(in.cc, 8, a, in.imm) {
					c.RIP = in.imm2
				}
				break run
			case opCmpRR32J:
				a, v := c.R[in.args[0].reg&15]&0xffffffff, c.R[in.args[1].reg&15]&0xffffffff
				c.setLF(fkSub, 4, a, v, (a-v)&0xffffffff)
				if c.subCond(in.cc, 4, a, v) {
					c.RIP = in.imm2
				}
				break run
			case opCmpRI32J:
				a := c.R[in.args[0].reg&15] & 0xffffffff
				c.setLF(fkSub, 4, a, in.imm, (a-in.imm)&0xffffffff)
				if c.subCond(in.cc, 4, a, in.imm) {
					c.RIP = in.imm2
				}
				break run
			case opTestRR64J:
				r := c.R[in.args[0].reg&15] & c.R[in.args[1].reg&15]
				c.setLogic(8, r)
				if c.logicCond(in.cc, r, 1<<63) {
					c.RIP = in.imm2
				}
				break run
			case opTestRR32J:
				r := c.R[in.args[0].reg&15] & c.R[in.args[1].reg&15] & 0xffffffff
				c.setLogic(4, r)
				if c.logicCond(in.cc, r, 1<<31) {
					c.RIP = in.imm2
				}
				break run

			case opJcc:
				if c.cond(in.sub) {
					c.RIP = in.imm
				}
				continue
			case opMovXX:
				c.X[in.args[0].reg&15] = c.X[in.args[1].reg&15]
				continue
			case opMovXLoad:
				lo, hi, err := c.tlb.Read128(c.ea(in))
				if err != nil {
					c.memFault(err)
					return c.trapped(in, i)
				}
				c.X[in.args[0].reg&15] = [2]uint64{lo, hi}
				continue
			case opMovXStore:
				x := &c.X[in.args[1].reg&15]
				if err := c.tlb.Write128(c.ea(in), x[0], x[1]); err != nil {
					c.memFault(err)
					return c.trapped(in, i)
				}
			case opMovsdLoad:
				v, err := c.tlb.Read64(c.ea(in))
				if err != nil {
					c.memFault(err)
					return c.trapped(in, i)
				}
				c.X[in.args[0].reg&15] = [2]uint64{v, 0}
				continue
			case opMovsdStore:
				if err := c.tlb.Write64(c.ea(in), c.X[in.args[1].reg&15][0]); err != nil {
					c.memFault(err)
					return c.trapped(in, i)
				}
			case opFPsd, opFPpd:
				if !c.fastFP(in) && !in.fn(c, in) {
					return c.trapped(in, i)
				}
				continue
			case opUnpcklpd:
				c.X[in.args[0].reg&15][1] = c.X[in.args[1].reg&15][0]
				continue
			case opUnpckhpd:
				d := &c.X[in.args[0].reg&15]
				d[0], d[1] = d[1], c.X[in.args[1].reg&15][1]
				continue
			case opMovsb:
				v, err := c.tlb.Read8(c.R[6])
				if err == nil {
					err = c.tlb.Write8(c.R[7], v)
				}
				if err != nil {
					c.memFault(err)
					return c.trapped(in, i)
				}
				step := uint64(1)
				if c.rflags&flagDF != 0 {
					step = ^uint64(0)
				}
				c.R[6] += step
				c.R[7] += step
			case opNotR:
				p := &c.R[in.args[0].reg&15]
				*p = ^*p & sizeMask[in.args[0].size&15]
				continue

			case opJe:
				if c.zf() {
					c.RIP = in.imm
				}
				continue
			case opJne:
				if !c.zf() {
					c.RIP = in.imm
				}
				continue
			case opJmp:
				c.RIP = in.imm
				continue
			case opJmpR:
				c.RIP = c.R[in.args[0].reg&15]
				continue
			case opJmpM:
				t, err := c.tlb.Read64(c.ea(in))
				if err != nil {
					c.memFault(err)
					return c.trapped(in, i)
				}
				c.RIP = t
				continue
			case opCall, opCallR, opCallM:
				t := in.imm
				switch in.op {
				case opCallR:
					t = c.R[in.args[0].reg&15]
				case opCallM:
					var err error
					if t, err = c.tlb.Read64(c.ea(in)); err != nil {
						c.memFault(err)
						return c.trapped(in, i)
					}
				}
				sp := c.R[4] - 8
				if err := c.tlb.Write64(sp, in.next()); err != nil {
					c.memFault(err)
					return c.trapped(in, i)
				}
				c.R[4] = sp
				c.RIP = t
			case opRet:
				v, err := c.tlb.Read64(c.R[4])
				if err != nil {
					c.memFault(err)
					return c.trapped(in, i)
				}
				c.R[4] += 8
				c.RIP = v
				continue
			case opPush64:
				sp := c.R[4] - 8
				if err := c.tlb.Write64(sp, c.R[in.args[0].reg&15]); err != nil {
					c.memFault(err)
					return c.trapped(in, i)
				}
				c.R[4] = sp
			case opPop64:
				v, err := c.tlb.Read64(c.R[4])
				if err != nil {
					c.memFault(err)
					return c.trapped(in, i)
				}
				c.R[4] += 8
				c.R[in.args[0].reg&15] = v
				continue
			default:
				if !in.fn(c, in) {
					return c.trapped(in, i)
				}
			}
			if c.pending {
				// The instruction changed translated code: leave the block so
				// that the next instruction is fetched again.
				c.pending = false
				if i+1 < len(insts) {
					c.RIP = in.next()
					c.icount += uint64(i + 1)
					return true
				}
			}
		}
		c.icount += uint64(len(insts))
		if c.icount >= c.sliceEnd || c.attention.Load() {
			return true
		}
		// Follow the chain link (see "Chain links" below).
		pc := c.RIP
		x := pc ^ b.end
		slot := (x | -x) >> 63 // 0 for the fall-through, else 1, without a branch
		if n := b.next[slot]; n != nil && n.pc == pc && n.valid {
			c.cache.chained++
			b = n
			continue
		}
		n, ok := c.relink(b, slot, pc)
		if !ok {
			return false
		}
		b = n
	}
}

// relink finds the block at pc that runs after b when the link next[slot]
// missed: in the older indirect-target links, else through lookup, and
// makes it b's most recent link. It returns false with c.trap set when the
// block cannot be translated.
func (c *CPU) relink(b *block, slot uint64, pc uint64) (*block, bool) {
	if slot == 1 {
		for k := 2; k < len(b.next); k++ {
			if n := b.next[k]; n != nil && n.pc == pc && n.valid {
				b.next[1], b.next[k] = n, b.next[1]
				c.cache.chained++
				return n, true
			}
		}
	}
	n, ok := c.lookup(pc)
	if !ok {
		return nil, false
	}
	if slot == 1 {
		b.next[3], b.next[2] = b.next[2], b.next[1]
	}
	b.next[slot] = n
	return n, true
}

// Chain links: each block has four, checked between blocks with one
// comparison and the target's valid flag (so a link to a block whose code
// changed, was unmapped or re-protected is never taken): next[0] for the
// fall-through successor, next[1] for the other one (a branch's target, or
// the last target of an indirect branch or return), next[2] and next[3]
// for the two targets before it (a three-entry cache for indirect branches
// and returns to several call sites). A missing or stale link is set from
// the jump cache or the code cache.

// trapped finishes a block that stopped at insts[i] with a trap.
func (c *CPU) trapped(in *inst, i int) bool {
	if c.trap.kind.completes() {
		c.RIP = in.next()
		c.icount += uint64(i + 1)
	} else {
		c.RIP = in.pc
		c.icount += uint64(i)
	}
	return false
}

// setLF records an arithmetic flag-setting operation in the lazy flags,
// field by field (cin only matters to ADC, SBB, INC and DEC, which set it).
func (c *CPU) setLF(k flagKind, size uint8, a, b, res uint64) {
	f := &c.lf
	f.kind, f.size, f.a, f.b, f.res = k, size, a, b, res
}

// setLogic records a logic operation (CF = OF = AF = 0), which needs only
// the result.
func (c *CPU) setLogic(size uint8, res uint64) {
	f := &c.lf
	f.kind, f.size, f.res = fkLogic, size, res
}

// aluResult computes ADD, SUB/CMP, AND/TEST, OR or XOR of size-byte values
// a and b (m masks to the size) and the kind of flags it sets.
func aluResult(sub uint8, m, a, b uint64) (uint64, flagKind) {
	switch sub {
	case aluAdd:
		return (a + b) & m, fkAdd
	case aluSub, aluCmp:
		return (a - b) & m, fkSub
	case aluAnd, aluTest:
		return a & b, fkLogic
	case aluOr:
		return a | b, fkLogic
	}
	return a ^ b, fkLogic
}

// subCond evaluates condition code cc after a compare of the size-byte
// values a and b (both masked to size); the lazy flags already hold it.
// Equality, the commonest, is tested inline; the rest in subCondSlow.
func (c *CPU) subCond(cc, size uint8, a, b uint64) bool {
	if cc&^1 == ccE {
		return (a == b) != (cc == ccNE)
	}
	return c.subCondSlow(cc, size, a, b)
}

func (c *CPU) subCondSlow(cc, size uint8, a, b uint64) bool {
	switch cc {
	case ccE:
		return a == b
	case ccNE:
		return a != b
	case ccB:
		return a < b
	case ccAE:
		return a >= b
	case ccBE:
		return a <= b
	case ccA:
		return a > b
	case ccL:
		return int64(sext(a, size)) < int64(sext(b, size))
	case ccGE:
		return int64(sext(a, size)) >= int64(sext(b, size))
	case ccLE:
		return int64(sext(a, size)) <= int64(sext(b, size))
	case ccG:
		return int64(sext(a, size)) > int64(sext(b, size))
	}
	return c.cond(cc) // O, NO, S, NS, P, NP: from the flags just recorded

}

// logicCond evaluates condition code cc after a logic operation whose
// result r has sign bit sb; the lazy flags already hold it. Zero tests,
// the commonest, are inline; the rest in logicCondSlow.
func (c *CPU) logicCond(cc uint8, r, sb uint64) bool {
	if cc&^1 == ccE {
		return (r == 0) != (cc == ccNE)
	}
	return c.logicCondSlow(cc, r, sb)
}

func (c *CPU) logicCondSlow(cc uint8, r, sb uint64) bool {
	switch cc {
	case ccE:
		return r == 0
	case ccNE:
		return r != 0
	case ccS, ccL:
		return r&sb != 0
	case ccNS, ccGE:
		return r&sb == 0
	}
	return c.cond(cc)
}

// lea computes a memory operand's address without segment base or 32-bit
// wrap (LEA of a 64-bit register without a 0x67 prefix).
func (c *CPU) lea(in *inst) uint64 {
	a := in.disp
	if in.base != noReg {
		a += c.R[in.base&15]
	}
	if in.index != noReg {
		a += c.R[in.index&15] << in.scale
	}
	return a
}
