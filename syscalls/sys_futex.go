package syscalls

import (
	"gemu/internal/abi/linux"
)

// futex, implemented inside gemu: waiters park their thread (giving the
// guest CPU to others) on a queue keyed by the futex's guest address; wakes
// unpark them in FIFO order. Private and shared futexes share the queues,
// since every guest thread of a process shares one address space.

// futexWaiter is one thread waiting on a futex.
type futexWaiter struct {
	t      *thread
	bitset uint32
	woken  bool
}

// futexTable holds the wait queues; the Process lock guards it.
type futexTable struct {
	q map[uint64][]*futexWaiter
}

func (f *futexTable) enqueue(addr uint64, w *futexWaiter) {
	if f.q == nil {
		f.q = make(map[uint64][]*futexWaiter)
	}
	f.q[addr] = append(f.q[addr], w)
}

func (f *futexTable) remove(addr uint64, w *futexWaiter) {
	q := f.q[addr]
	for i, x := range q {
		if x == w {
			q = append(q[:i], q[i+1:]...)
			break
		}
	}
	if len(q) == 0 {
		delete(f.q, addr)
	} else {
		f.q[addr] = q
	}
}

// wake wakes up to n waiters of addr whose bitset matches.
func (f *futexTable) wake(addr uint64, n int, bitset uint32) int {
	woken := 0
	q := f.q[addr]
	rest := q[:0]
	for _, w := range q {
		if woken < n && w.bitset&bitset != 0 {
			w.woken = true
			woken++
			if w.t.th != nil {
				w.t.th.Unpark()
			}
			continue
		}
		rest = append(rest, w)
	}
	if len(rest) == 0 {
		delete(f.q, addr)
	} else {
		f.q[addr] = rest
	}
	return woken
}

// requeue wakes up to n waiters of from and moves up to m of the others
// to to; it returns how many it woke plus moved.
func (f *futexTable) requeue(from, to uint64, n, m int) int {
	woken := f.wake(from, n, linux.FUTEX_BITSET_MATCH_ANY)
	moved := 0
	q := f.q[from]
	for len(q) > 0 && moved < m {
		w := q[0]
		q = q[1:]
		f.enqueue(to, w)
		moved++
	}
	if len(q) == 0 {
		delete(f.q, from)
	} else {
		f.q[from] = q
	}
	return woken + moved
}

func sysFutex(c *call) (uint64, linux.Errno) {
	uaddr, op, val, utime, uaddr2, val3 := c.args.Pointer(0), c.args.Int(1), c.args.Uint(2), c.args.Pointer(3), c.args.Pointer(4), c.args.Uint(5)
	cmd := op & linux.FUTEX_CMD_MASK
	if op&linux.FUTEX_CLOCK_REALTIME != 0 && cmd != linux.FUTEX_WAIT_BITSET && cmd != linux.FUTEX_WAIT {
		return 0, linux.ENOSYS
	}
	switch cmd {
	case linux.FUTEX_WAIT, linux.FUTEX_WAIT_BITSET:
		bitset := uint32(linux.FUTEX_BITSET_MATCH_ANY)
		if cmd == linux.FUTEX_WAIT_BITSET {
			bitset = val3
		}
		return c.futexWait(uaddr, val, utime, bitset, cmd == linux.FUTEX_WAIT_BITSET, op&linux.FUTEX_CLOCK_REALTIME != 0)
	case linux.FUTEX_WAKE, linux.FUTEX_WAKE_BITSET:
		bitset := uint32(linux.FUTEX_BITSET_MATCH_ANY)
		if cmd == linux.FUTEX_WAKE_BITSET {
			bitset = val3
		}
		if bitset == 0 {
			return 0, linux.EINVAL
		}
		if e := c.futexAddr(uaddr, op); e != 0 {
			return 0, e
		}
		c.p.mu.Lock()
		n := c.p.futex.wake(uaddr, int(val), bitset)
		c.p.mu.Unlock()
		return uint64(n), 0
	case linux.FUTEX_REQUEUE, linux.FUTEX_CMP_REQUEUE:
		// The fourth argument is a count here, not a timeout.
		nr2 := int(int32(uint32(utime)))
		if int32(val) < 0 || nr2 < 0 {
			return 0, linux.EINVAL
		}
		if e := c.futexAddr(uaddr, op); e != 0 {
			return 0, e
		}
		if e := c.futexAddr(uaddr2, op); e != 0 {
			return 0, e
		}
		if cmd == linux.FUTEX_CMP_REQUEUE {
			cur, e := c.readU32(uaddr)
			if e != 0 {
				return 0, e
			}
			if cur != val3 {
				return 0, linux.EAGAIN
			}
		}
		c.p.mu.Lock()
		n := c.p.futex.requeue(uaddr, uaddr2, int(val), nr2)
		c.p.mu.Unlock()
		return uint64(n), 0
	case linux.FUTEX_WAKE_OP:
		return c.futexWakeOp(uaddr, uaddr2, int(val), int(int32(uint32(utime))), val3, op)
	}
	return 0, linux.ENOSYS
}

// futexAddr checks a futex address: 4-byte aligned and, for shared
// futexes (which pin the page), mapped.
func (c *call) futexAddr(addr uint64, op int32) linux.Errno {
	if addr%4 != 0 {
		return linux.EINVAL
	}
	if !rangeOK(addr, 4) {
		return linux.EFAULT
	}
	if op&linux.FUTEX_PRIVATE_FLAG == 0 {
		if _, e := c.readU32(addr); e != 0 {
			return e
		}
	}
	return 0
}

// futexWait implements FUTEX_WAIT (relative CLOCK_MONOTONIC timeout) and
// FUTEX_WAIT_BITSET (absolute timeout on CLOCK_MONOTONIC or, with
// FUTEX_CLOCK_REALTIME, CLOCK_REALTIME).
func (c *call) futexWait(addr uint64, val uint32, utime uint64, bitset uint32, absolute, realtime bool) (uint64, linux.Errno) {
	if bitset == 0 || addr%4 != 0 {
		return 0, linux.EINVAL
	}
	clk := c.p.clock()
	var deadline int64
	if utime != 0 {
		ts, e := c.readTimespec(utime)
		if e != 0 {
			return 0, e
		}
		if !ts.Valid() {
			return 0, linux.EINVAL
		}
		t := ts.Sec*1e9 + ts.Nsec
		switch {
		case !absolute:
			deadline = clk.Monotonic() + t
		case realtime:
			deadline = clk.Monotonic() + (t - clk.Realtime())
		default:
			deadline = t
		}
		if deadline <= 0 {
			deadline = 1 // already passed: the park returns at once
		}
	}
	p := c.p
	p.mu.Lock()
	cur, e := c.readU32(addr)
	if e != 0 {
		p.mu.Unlock()
		return 0, e
	}
	if cur != val {
		p.mu.Unlock()
		return 0, linux.EAGAIN
	}
	if c.t.th == nil {
		p.mu.Unlock()
		// Nothing could wake a thread of a plain Regs: sleep out a timeout.
		if deadline == 0 {
			return 0, linux.ENOSYS
		}
		sleepUntil(clk, deadline)
		return 0, linux.ETIMEDOUT
	}
	if deadline != 0 && deadline <= clk.Monotonic() {
		p.mu.Unlock()
		return 0, linux.ETIMEDOUT
	}
	w := &futexWaiter{t: c.t, bitset: bitset}
	p.futex.enqueue(addr, w)
	p.mu.Unlock()
	for {
		why := c.t.th.Park(deadline)
		p.mu.Lock()
		if w.woken {
			p.mu.Unlock()
			return 0, 0
		}
		if why == WakeUnparked {
			// A wake for a requeued or spurious reason: keep waiting.
			p.mu.Unlock()
			continue
		}
		p.futex.remove(addr, w)
		// A requeue may have moved the waiter: remove it wherever it is.
		for a, q := range p.futex.q {
			for _, x := range q {
				if x == w {
					p.futex.remove(a, w)
				}
			}
		}
		p.mu.Unlock()
		switch why {
		case WakeTimeout:
			return 0, linux.ETIMEDOUT
		case WakeExiting:
			return 0, linux.EINTR
		}
		if deadline == 0 {
			return 0, linux.ERESTARTSYS
		}
		return 0, linux.ERESTART_RESTARTBLOCK
	}
}

// futexWakeOp implements FUTEX_WAKE_OP: *uaddr2 = op(*uaddr2, oparg),
// wake nr waiters of uaddr, and nr2 of uaddr2 if the old value passes the
// comparison.
func (c *call) futexWakeOp(uaddr, uaddr2 uint64, nr, nr2 int, encoded uint32, op int32) (uint64, linux.Errno) {
	if e := c.futexAddr(uaddr, op); e != 0 {
		return 0, e
	}
	if uaddr2%4 != 0 {
		return 0, linux.EINVAL
	}
	fop := (encoded >> 28) & 7
	shift := (encoded>>28)&linux.FUTEX_OP_OPARG_SHIFT != 0
	cmp := (encoded >> 24) & 15
	oparg := int32(encoded<<8) >> 20 // sign-extended 12 bits
	cmparg := int32(encoded<<20) >> 20
	if shift {
		if oparg < 0 || oparg > 31 {
			oparg &= 31 // Linux warns and masks
		}
		oparg = 1 << uint(oparg)
	}
	p := c.p
	p.mu.Lock()
	defer p.mu.Unlock()
	old, e := c.readU32(uaddr2)
	if e != 0 {
		return 0, e
	}
	var nv uint32
	switch fop &^ 8 {
	case linux.FUTEX_OP_SET:
		nv = uint32(oparg)
	case linux.FUTEX_OP_ADD:
		nv = old + uint32(oparg)
	case linux.FUTEX_OP_OR:
		nv = old | uint32(oparg)
	case linux.FUTEX_OP_ANDN:
		nv = old &^ uint32(oparg)
	case linux.FUTEX_OP_XOR:
		nv = old ^ uint32(oparg)
	default:
		return 0, linux.ENOSYS
	}
	var ok bool
	o := int32(old)
	switch cmp {
	case linux.FUTEX_OP_CMP_EQ:
		ok = o == cmparg
	case linux.FUTEX_OP_CMP_NE:
		ok = o != cmparg
	case linux.FUTEX_OP_CMP_LT:
		ok = o < cmparg
	case linux.FUTEX_OP_CMP_LE:
		ok = o <= cmparg
	case linux.FUTEX_OP_CMP_GT:
		ok = o > cmparg
	case linux.FUTEX_OP_CMP_GE:
		ok = o >= cmparg
	default:
		return 0, linux.ENOSYS
	}
	if e := c.writeU32(uaddr2, nv); e != 0 {
		return 0, e
	}
	n := p.futex.wake(uaddr, nr, linux.FUTEX_BITSET_MATCH_ANY)
	if ok {
		n += p.futex.wake(uaddr2, nr2, linux.FUTEX_BITSET_MATCH_ANY)
	}
	return uint64(n), 0
}
