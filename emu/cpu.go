package emu

import (
	"io"
	"sync/atomic"
	"time"

	"gemu/mmu"
	"gemu/syscalls"
)

// OS answers the guest's system calls. *syscalls.Process implements it.
type OS interface {
	Syscall(r syscalls.Regs) syscalls.Outcome
}

// Config wires a CPU to its address space, its OS and its diagnostics.
type Config struct {
	Mem *mmu.Space
	OS  OS
	// Log receives -d reports; nil discards them.
	Log io.Writer
	// Unimp reports instructions gemu cannot execute (address, bytes,
	// mnemonic) on Log before the guest gets SIGILL.
	Unimp bool
	// Quantum is the scheduler's time slice in guest instructions
	// (0: DefaultQuantum).
	Quantum uint64
	// ICount makes the guest clock virtual: it advances 2^ICountShift ns
	// per guest instruction from a fixed epoch.
	ICount      bool
	ICountShift uint
}

// CPU is one guest thread's processor state.
type CPU struct {
	R      [16]uint64 // RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15
	RIP    uint64
	rflags uint64    // DF, IF and the other system bits; arithmetic bits when lf.kind == fkNone
	lf     lazyFlags // the last flag-setting operation
	fsBase uint64
	gsBase uint64
	X      [16][2]uint64 // XMM registers, low and high quadwords
	mxcsr  uint32
	fpu    x87

	trap    trap   // the trap raised by the last failing handler
	pending bool   // translated code changed under the running block
	icount  uint64 // guest instructions retired

	index int // vCPU index
	m     *Machine
	mem   *mmu.Space
	tlb   *mmu.TLB
	cache *codeCache
	jc    [jumpCacheSize]*block
	cfg   Config
	feat  features

	// Scheduling state (see sched.go); attention asks the run loop to
	// deliver signals before the next instruction.
	attention  atomic.Bool
	killed     atomic.Bool // another thread's execve ends this thread
	noIntr     bool        // parked uninterruptibly (sched.mu guards it)
	wake       chan struct{}
	state      threadState
	wakeReason syscalls.WakeReason
	timer      *time.Timer
	intr       chan struct{}
	sliceStart uint64
	sliceEnd   uint64 // the slice ends when icount reaches it
	lastFatal  Exit   // the fatal trap being delivered, for the report if it kills
}

const (
	flagCF = 1 << 0
	flagPF = 1 << 2
	flagAF = 1 << 4
	flagZF = 1 << 6
	flagSF = 1 << 7
	flagTF = 1 << 8
	flagIF = 1 << 9
	flagDF = 1 << 10
	flagOF = 1 << 11
	flagAC = 1 << 18
	flagID = 1 << 21

	arithFlags = flagCF | flagPF | flagAF | flagZF | flagSF | flagOF
	// userFlags are the RFLAGS bits a user program may change with POPF.
	userFlags = arithFlags | flagDF | flagAC | flagID
)

const defaultMXCSR = 0x1f80

// New returns the CPU of a new guest process's first thread (vCPU 0) on a
// machine of its own, with every register zero as Linux leaves them at
// exec (RSP and RIP are set by the caller).
func New(cfg Config) *CPU {
	return NewMachine(cfg).NewCPU()
}

// Machine returns the machine the CPU belongs to.
func (c *CPU) Machine() *Machine { return c.m }

// reset puts the registers into their state at exec.
func (c *CPU) reset() {
	c.R = [16]uint64{}
	c.RIP = 0
	c.rflags = 0x202 // IF and the always-one bit 1
	c.lf = lazyFlags{}
	c.fsBase, c.gsBase = 0, 0
	c.X = [16][2]uint64{}
	c.mxcsr = defaultMXCSR
	c.fpu.init()
}

// Instructions returns the number of guest instructions retired so far.
func (c *CPU) Instructions() uint64 { return c.icount }

// The syscalls.Regs interface.

func (c *CPU) Reg(n int) uint64       { return c.R[n&15] }
func (c *CPU) SetReg(n int, v uint64) { c.R[n&15] = v }
func (c *CPU) PC() uint64             { return c.RIP }
func (c *CPU) SetPC(pc uint64)        { c.RIP = pc }
func (c *CPU) Flags() uint64          { return c.getFlags() }
func (c *CPU) SetFlags(f uint64)      { c.setFlags(f) }
func (c *CPU) FSBase() uint64         { return c.fsBase }
func (c *CPU) SetFSBase(v uint64)     { c.fsBase = v }
func (c *CPU) GSBase() uint64         { return c.gsBase }
func (c *CPU) SetGSBase(v uint64)     { c.gsBase = v }
func (c *CPU) CPU() int               { return c.index }

var _ syscalls.Regs = (*CPU)(nil)

// Register access by operand.

func (c *CPU) getReg(a arg) uint64 {
	if a.kind == argRegHi {
		return (c.R[a.reg] >> 8) & 0xff
	}
	return c.R[a.reg] & sizeMask[a.size]
}

func (c *CPU) setReg(a arg, v uint64) {
	r := &c.R[a.reg]
	switch a.size {
	case 8:
		*r = v
	case 4:
		*r = v & 0xffffffff
	case 2:
		*r = *r&^0xffff | v&0xffff
	case 1:
		if a.kind == argRegHi {
			*r = *r&^0xff00 | (v&0xff)<<8
		} else {
			*r = *r&^0xff | v&0xff
		}
	}
}
