package elf

import (
	"strings"

	"gemu/internal/abi/linux"
	"gemu/mmu"
)

// Initial stack geometry and auxv values.
const (
	// StackSize is the size of the "[stack]" mapping, ending at mmu.UserTop
	// (the default 8 MiB RLIMIT_STACK).
	StackSize = 8 << 20
	// MinSigStkSz is AT_MINSIGSTKSZ: the signal frame size Linux reports on
	// an x86-64 CPU whose FPU state is saved with FXSAVE (no XSAVE), which
	// is the CPU gemu emulates. Linux's init_sigframe_size():
	// sizeof(struct sigframe_ia32) 732 (the worst case with IA32 emulation)
	// + 15 frame padding + fpstate (512 fxsave + 112 fsave header)
	// + 63 xsave padding = 1434, rounded up to 16. The same formula gives
	// the host's 3376 for its 2432-byte XSAVE area (+4 for FP_XSTATE_MAGIC2).
	MinSigStkSz = 1440
	// Platform is the AT_PLATFORM string.
	Platform = "x86_64"

	clockTicks   = 100               // AT_CLKTCK: USER_HZ
	maxArgStrLen = 32 * mmu.PageSize // MAX_ARG_STRLEN, NUL included
	argSpace     = StackSize / 4     // bprm_stack_limits: strings and pointers
	topPad       = 8                 // exec starts copying strings 8 bytes below the top
	randomSize   = len(Startup{}.Random)
)

// SetupStack maps the 8 MiB stack below mmu.UserTop and writes argc, argv,
// envp, the auxiliary vector and the strings it points to, as Linux does.
// It returns the initial RSP and the auxv bytes (u64 pairs ending with AT_NULL).
// Preconditions: img comes from Load or LoadReader on mem.
func SetupStack(mem *mmu.Space, img *Image, st Startup) (sp uint64, auxv []byte, err error) {
	s, err := buildStack(mmu.UserTop, img, &st)
	if err != nil {
		return 0, nil, withPath(err, img.Path)
	}
	perm := mmu.PermRead | mmu.PermWrite
	if img.ExecStack {
		perm |= mmu.PermExec
	}
	m := mmu.Mapping{Addr: mmu.UserTop - StackSize, Length: StackSize, Perm: perm, NoReplace: true, Name: "[stack]"}
	if _, err := mem.Map(m); err != nil {
		return 0, nil, &Error{Path: img.Path, Err: err, Detail: "mapping the stack: " + oneLine(err.Error())}
	}
	if err := mem.Poke(s.mem, s.sp); err != nil {
		return 0, nil, &Error{Path: img.Path, Err: err, Detail: "writing the stack: " + oneLine(err.Error())}
	}
	return s.sp, s.auxv, nil
}

// stackImage is an initial stack laid out below top.
type stackImage struct {
	sp   uint64
	mem  []byte // the bytes of [sp, top)
	auxv []byte
	// Addresses of the strings and AT_RANDOM bytes, for tests.
	args, env                []uint64
	execFn, platform, random uint64
}

// buildStack lays out the stack as Linux's exec does. From the top down:
// 8 zero bytes, the AT_EXECFN string, the environment strings, the argument
// strings (each list in order, so argv[0] is lowest: exec copies the
// filename first, then envp, then argv, each backwards), alignment to 16,
// the platform string, the 16 AT_RANDOM bytes, then — so that the final
// RSP is 16-byte aligned — zero padding, the auxv, envp, argv and argc.
func buildStack(top uint64, img *Image, st *Startup) (*stackImage, error) {
	args := cstrings(st.Args)
	if len(args) == 0 {
		args = []string{""} // Linux turns an empty argv into {""}
	}
	env := cstrings(st.Env)
	execFn := st.ExecFn
	if execFn == "" {
		execFn = img.Path
	}
	execFn = cstring(execFn)

	size := uint64(0)
	for _, list := range [][]string{{execFn}, env, args} {
		for _, s := range list {
			n := uint64(len(s)) + 1
			if n > maxArgStrLen {
				return nil, fail(ErrArgListTooLong, "argument list too long: a %d-byte string (Linux's limit is %d)", n, maxArgStrLen)
			}
			size += n
		}
	}
	ptrs := uint64(len(args)+len(env)) * 8
	if size+ptrs > argSpace {
		return nil, fail(ErrArgListTooLong, "argument list too long: %d bytes of strings and pointers (Linux's limit is %d)", size+ptrs, argSpace)
	}

	s := &stackImage{args: make([]uint64, len(args)), env: make([]uint64, len(env))}
	p := top - topPad
	p -= uint64(len(execFn)) + 1
	s.execFn = p
	for i := len(env) - 1; i >= 0; i-- {
		p -= uint64(len(env[i])) + 1
		s.env[i] = p
	}
	for i := len(args) - 1; i >= 0; i-- {
		p -= uint64(len(args[i])) + 1
		s.args[i] = p
	}
	p &^= 15 // arch_align_stack without randomisation
	p -= uint64(len(Platform)) + 1
	s.platform = p
	p -= uint64(randomSize)
	s.random = p

	secure := uint64(0)
	if st.Secure {
		secure = 1
	}
	// Linux's order (create_elf_tables with x86's ARCH_DLINFO first); gemu
	// has no vDSO, so no AT_SYSINFO_EHDR, and no rseq, so no AT_RSEQ_*.
	aux := []uint64{
		linux.AT_MINSIGSTKSZ, MinSigStkSz,
		linux.AT_HWCAP, st.HWCap,
		linux.AT_PAGESZ, mmu.PageSize,
		linux.AT_CLKTCK, clockTicks,
		linux.AT_PHDR, img.Phdr,
		linux.AT_PHENT, img.Phent,
		linux.AT_PHNUM, img.Phnum,
		linux.AT_BASE, 0, // no interpreter
		linux.AT_FLAGS, 0,
		linux.AT_ENTRY, img.Entry,
		linux.AT_UID, st.UID,
		linux.AT_EUID, st.EUID,
		linux.AT_GID, st.GID,
		linux.AT_EGID, st.EGID,
		linux.AT_SECURE, secure,
		linux.AT_RANDOM, s.random,
		linux.AT_HWCAP2, st.HWCap2,
		linux.AT_EXECFN, s.execFn,
		linux.AT_PLATFORM, s.platform,
		linux.AT_NULL, 0,
	}
	s.auxv = make([]byte, 8*len(aux))
	for i, v := range aux {
		le.PutUint64(s.auxv[8*i:], v)
	}
	items := uint64(len(args)+1+len(env)+1+1) * 8 // argc, argv+NULL, envp+NULL
	s.sp = (p - uint64(len(s.auxv)) - items) &^ 15

	s.mem = make([]byte, top-s.sp)
	put := func(addr uint64, b []byte) { copy(s.mem[addr-s.sp:], b) }
	word := func(addr, v uint64) { le.PutUint64(s.mem[addr-s.sp:], v) }
	put(s.execFn, []byte(execFn))
	for i, a := range s.env {
		put(a, []byte(env[i]))
	}
	for i, a := range s.args {
		put(a, []byte(args[i]))
	}
	put(s.platform, []byte(Platform))
	put(s.random, st.Random[:])
	w := s.sp
	word(w, uint64(len(args)))
	w += 8
	for _, a := range s.args {
		word(w, a)
		w += 8
	}
	w += 8 // argv NULL
	for _, a := range s.env {
		word(w, a)
		w += 8
	}
	w += 8 // envp NULL
	put(w, s.auxv)
	return s, nil
}

// cstring is s as a C string sees it: up to its first NUL.
func cstring(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

func cstrings(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = cstring(s)
	}
	return out
}
