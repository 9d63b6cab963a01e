package syscalls

import (
	"fmt"
	"io"
	"strings"

	"gemu/internal/abi/linux"
)

// -strace: one line per system call, in strace's format,
//
//	PID name(arg, "string"..., FLAG_A|FLAG_B, {st_mode=S_IFREG|0644, ...}) = 3
//	PID openat(AT_FDCWD, "/nonexistent", O_RDONLY) = -1 ENOENT (No such file or directory)
//
// with the result aligned at column 40 as `strace -f -o FILE` aligns it.
// Each table entry carries a spec (its arguments' formats); arguments a
// call reads are decoded before it runs, those it writes after, from the
// guest's memory, as strace decodes them at syscall entry and exit.
//
// The Tracer observes the calls from outside the dispatcher, as strace
// observes a process through ptrace: it changes nothing the guest sees.

// Tracer runs a Process's system calls and logs each one on
// Config.Strace (Config.Log when that is nil). It has every method of the
// Process; the run loop uses it in place of the Process under -strace.
type Tracer struct {
	*Process
}

// straceColumn is where strace aligns " = " (acolumn 40, minus one).
const straceColumn = 39

// Syscall performs the call like Process.Syscall and logs it.
func (t Tracer) Syscall(r Regs) Outcome {
	p := t.Process
	nr := int32(r.Reg(RAX))
	args := Args{r.Reg(RDI), r.Reg(RSI), r.Reg(RDX), r.Reg(R10), r.Reg(R8), r.Reg(R9)}
	sp, name := specOf(nr)
	f := &straceFmt{p: p, args: args}
	enter := f.formatArgs(sp, false, 0)
	out := p.Syscall(r)
	ret := r.Reg(RAX)
	var b strings.Builder
	fmt.Fprintf(&b, "%-5d %s(", p.pid, name) // strace -f's "%-5u "
	failed := isErrorReturn(ret)
	exit := f.formatArgs(sp, true, ret)
	first := true
	for i := range enter {
		s := enter[i]
		if sp.args[i].atExit() {
			s = exit[i]
			if failed {
				s = f.ptr(args[i])
			}
		}
		if s == argOmitted {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		b.WriteString(s)
	}
	b.WriteByte(')')
	if n := b.Len(); n < straceColumn {
		b.WriteString(strings.Repeat(" ", straceColumn-n))
	}
	b.WriteString(" = ")
	switch {
	case out.Kind == ExitThread || out.Kind == ExitGroup || out.Kind == Killed:
		b.WriteString("?")
	case failed:
		e := linux.Errno(-int64(ret))
		if text, ok := restartCodes[e]; ok {
			b.WriteString("? " + text)
		} else {
			name := e.Name()
			if name == "" {
				name = fmt.Sprintf("errno %d", int(e))
			}
			fmt.Fprintf(&b, "-1 %s (%s)", name, e.Error())
		}
	default:
		b.WriteString(f.formatRet(sp, ret))
	}
	b.WriteByte('\n')
	w := p.cfg.Strace
	if w == nil {
		w = p.cfg.Log
	}
	io.WriteString(w, b.String())
	return out
}

// restartCodes are the kernel-internal errors a call may be left with when
// a signal interrupts it; strace prints them as "= ? NAME (text)".
var restartCodes = map[linux.Errno]string{
	512: "ERESTARTSYS (To be restarted if SA_RESTART is set)",
	513: "ERESTARTNOINTR (To be restarted)",
	514: "ERESTARTNOHAND (To be restarted if no handler)",
	516: "ERESTART_RESTARTBLOCK (Interrupted by signal)",
}

// isErrorReturn reports whether a raw result is -errno.
func isErrorReturn(ret uint64) bool {
	return int64(ret) < 0 && int64(ret) >= -4095
}

// specOf returns the spec and name of system call nr; an unknown or
// unimplemented call prints its six arguments in hex.
func specOf(nr int32) (spec, string) {
	if nr >= 0 && int(nr) < len(table) && table[nr].fn != nil {
		return table[nr].spec, table[nr].name
	}
	return a(fHex, fHex, fHex, fHex, fHex, fHex), linux.Sysno(nr).String()
}
