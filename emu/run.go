package emu

import (
	"fmt"
	"strings"

	"gemu/internal/abi/linux"
	"gemu/mmu"
	"golang.org/x/arch/x86/x86asm"
)

// Exit says how a guest thread's run ended.
type Exit struct {
	// Status is the exit status when the guest exited (Signal == 0).
	Status int
	// Signal is the signal that killed the guest, or 0.
	Signal linux.Signal
	// PC is where the fatal signal was raised; Addr is its si_addr.
	PC, Addr uint64
	// Reason describes the fatal event in a few words, e.g.
	// "write to unmapped address 0x0" (empty for a normal exit).
	Reason string
	// Err is set when gemu itself failed (an emulator bug): the run stopped
	// with a report instead of a guest-visible outcome.
	Err error
}

// Run runs the guest process whose first thread is c until it ends (see
// Machine.Run).
func (c *CPU) Run() Exit { return c.m.Run(c) }

// fatal describes the pending trap as the signal the kernel would send.
func (c *CPU) fatal() Exit {
	t := c.trap
	e := Exit{PC: c.RIP}
	switch t.kind {
	case trapFault:
		e.Signal, e.Addr = linux.SIGSEGV, t.fault.Addr
		if t.fault.Kind == mmu.FaultBus {
			e.Signal = linux.SIGBUS
		}
		e.Reason = describeFault(&t.fault)
	case trapUD:
		e.Signal, e.Addr = linux.SIGILL, c.RIP
		e.Reason = "illegal instruction " + c.instText(c.RIP)
		if t.unimpl {
			e.Reason = "unimplemented instruction " + c.instText(c.RIP)
			if c.cfg.Unimp && c.cfg.Log != nil {
				fmt.Fprintf(c.cfg.Log, "gemu: %s at %#x\n", e.Reason, c.RIP)
			}
		}
	case trapDivide:
		e.Signal, e.Addr, e.Reason = linux.SIGFPE, c.RIP, "integer divide error"
	case trapGP:
		e.Signal, e.Reason = linux.SIGSEGV, "general protection fault"
	case trapBreakpoint:
		e.Signal, e.Reason = linux.SIGTRAP, "breakpoint"
	case trapSIMD:
		e.Signal, e.Addr, e.Reason = linux.SIGFPE, c.RIP, "floating-point exception"
	default:
		e.Err = fmt.Errorf("unexpected trap %d at pc %#x", t.kind, c.RIP)
	}
	return e
}

func describeFault(f *mmu.Fault) string {
	var what string
	switch f.Access {
	case mmu.AccessRead:
		what = "read from"
	case mmu.AccessWrite:
		what = "write to"
	default:
		what = "execute at"
	}
	switch f.Kind {
	case mmu.FaultProtection:
		return fmt.Sprintf("%s protected address %#x", what, f.Addr)
	case mmu.FaultBus:
		return fmt.Sprintf("%s %#x beyond the end of the mapped file", what, f.Addr)
	}
	return fmt.Sprintf("%s unmapped address %#x", what, f.Addr)
}

// instText shows the instruction at pc as bytes and mnemonic, e.g.
// "0f 0b (ud2)".
func (c *CPU) instText(pc uint64) string {
	var buf [15]byte
	n, _ := c.mem.Fetch(buf[:], pc)
	if n == 0 {
		return "(unreadable)"
	}
	var hex strings.Builder
	xi, err := x86asm.Decode(buf[:n], 64)
	l := n
	if err == nil && xi.Op != 0 && xi.Len <= n {
		l = xi.Len
	}
	for i := 0; i < l; i++ {
		if i > 0 {
			hex.WriteByte(' ')
		}
		fmt.Fprintf(&hex, "%02x", buf[i])
	}
	if err != nil || xi.Op == 0 {
		return hex.String() + " (undecodable)"
	}
	return hex.String() + " (" + x86asm.GNUSyntax(xi, pc, nil) + ")"
}

var regNames = [16]string{"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"}

// dump formats the registers for an internal-error report.
func (c *CPU) dump() string {
	var s strings.Builder
	for i, n := range regNames {
		fmt.Fprintf(&s, "%-3s=%016x", n, c.R[i])
		if i%4 == 3 {
			s.WriteByte('\n')
		} else {
			s.WriteByte(' ')
		}
	}
	fmt.Fprintf(&s, "rip=%016x rflags=%08x fs=%x gs=%x", c.RIP, c.getFlags(), c.fsBase, c.gsBase)
	return s.String()
}
