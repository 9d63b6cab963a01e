package linux

// Threads, signal information and the x86-64 signal frame
// (arch/x86/include/uapi/asm/sigcontext.h, include/uapi/asm-generic/siginfo.h,
// arch/x86/kernel/signal_64.c).

// clone flags.
const (
	CSIGNAL              = 0x000000ff
	CLONE_VM             = 0x00000100
	CLONE_FS             = 0x00000200
	CLONE_FILES          = 0x00000400
	CLONE_SIGHAND        = 0x00000800
	CLONE_PIDFD          = 0x00001000
	CLONE_PTRACE         = 0x00002000
	CLONE_VFORK          = 0x00004000
	CLONE_PARENT         = 0x00008000
	CLONE_THREAD         = 0x00010000
	CLONE_NEWNS          = 0x00020000
	CLONE_SYSVSEM        = 0x00040000
	CLONE_SETTLS         = 0x00080000
	CLONE_PARENT_SETTID  = 0x00100000
	CLONE_CHILD_CLEARTID = 0x00200000
	CLONE_DETACHED       = 0x00400000
	CLONE_UNTRACED       = 0x00800000
	CLONE_CHILD_SETTID   = 0x01000000
	CLONE_NEWCGROUP      = 0x02000000
	CLONE_NEWUTS         = 0x04000000
	CLONE_NEWIPC         = 0x08000000
	CLONE_NEWUSER        = 0x10000000
	CLONE_NEWPID         = 0x20000000
	CLONE_NEWNET         = 0x40000000
	CLONE_IO             = 0x80000000
	CLONE_CLEAR_SIGHAND  = 0x100000000
	CLONE_INTO_CGROUP    = 0x200000000
)

// SizeofCloneArgsVer0 is the size of the first version of struct
// clone_args (clone3); later versions append fields.
const SizeofCloneArgsVer0 = 64

// Kernel-internal return values of interrupted system calls: never seen by
// a guest, they tell signal delivery whether to restart the call.
const (
	ERESTARTSYS           Errno = 512
	ERESTARTNOINTR        Errno = 513
	ERESTARTNOHAND        Errno = 514
	ERESTART_RESTARTBLOCK Errno = 516
)

// Robust futex words.
const (
	FUTEX_WAITERS    = 0x80000000
	FUTEX_OWNER_DIED = 0x40000000
	FUTEX_TID_MASK   = 0x3fffffff
)

// FUTEX_WAKE_OP operations and comparisons.
const (
	FUTEX_OP_SET         = 0
	FUTEX_OP_ADD         = 1
	FUTEX_OP_OR          = 2
	FUTEX_OP_ANDN        = 3
	FUTEX_OP_XOR         = 4
	FUTEX_OP_OPARG_SHIFT = 8
	FUTEX_OP_CMP_EQ      = 0
	FUTEX_OP_CMP_NE      = 1
	FUTEX_OP_CMP_LT      = 2
	FUTEX_OP_CMP_LE      = 3
	FUTEX_OP_CMP_GT      = 4
	FUTEX_OP_CMP_GE      = 5
)

// si_code values for signals sent by processes.
const (
	SI_USER    = 0
	SI_QUEUE   = -1
	SI_TIMER   = -2
	SI_TKILL   = -6
	CLD_EXITED = 1
	CLD_KILLED = 2
	CLD_DUMPED = 3
)

// SizeofSiginfo is sizeof(siginfo_t).
const SizeofSiginfo = 128

// Siginfo is the part of siginfo_t gemu fills: the header and the union
// fields of the kinds of signal it sends.
type Siginfo struct {
	Signo int32
	Errno int32
	Code  int32
	// Union, interpreted by kind: Addr for faults (si_addr); PID, UID for
	// kill/tkill/sigqueue (and Value for sigqueue); PID, UID, Status,
	// Utime, Stime for SIGCHLD; Timer/Overrun/Value for timers.
	Addr   uint64
	PID    int32
	UID    uint32
	Value  uint64
	Status int32
	Utime  int64
	Stime  int64
	Trapno int32 // not in siginfo proper: kept for the sigcontext
}

// IsFault reports whether si describes a synchronous fault (si_addr
// layout) rather than a signal sent by a process.
func (s *Siginfo) IsFault() bool {
	switch Signal(s.Signo) {
	case SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP:
		return s.Code > 0
	}
	return false
}

// Encode writes the 128-byte siginfo_t.
func (s *Siginfo) Encode(b []byte) {
	for i := range b[:SizeofSiginfo] {
		b[i] = 0
	}
	le.PutUint32(b[0:], uint32(s.Signo))
	le.PutUint32(b[4:], uint32(s.Errno))
	le.PutUint32(b[8:], uint32(s.Code))
	switch {
	case s.IsFault():
		le.PutUint64(b[16:], s.Addr)
	case Signal(s.Signo) == SIGCHLD && s.Code > 0:
		le.PutUint32(b[16:], uint32(s.PID))
		le.PutUint32(b[20:], s.UID)
		le.PutUint32(b[24:], uint32(s.Status))
		le.PutUint64(b[32:], uint64(s.Utime))
		le.PutUint64(b[40:], uint64(s.Stime))
	default:
		le.PutUint32(b[16:], uint32(s.PID))
		le.PutUint32(b[20:], s.UID)
		le.PutUint64(b[24:], s.Value)
	}
}

// Decode reads a siginfo_t written by a guest (rt_sigqueueinfo).
func (s *Siginfo) Decode(b []byte) {
	s.Signo = int32(le.Uint32(b[0:]))
	s.Errno = int32(le.Uint32(b[4:]))
	s.Code = int32(le.Uint32(b[8:]))
	s.PID = int32(le.Uint32(b[16:]))
	s.UID = le.Uint32(b[20:])
	s.Value = le.Uint64(b[24:])
	s.Addr = le.Uint64(b[16:])
}

// The x86-64 signal frame: rt_sigframe { pretcode; ucontext; siginfo },
// ucontext { uc_flags; uc_link; uc_stack; uc_mcontext (sigcontext);
// uc_sigmask }, followed (separately, 64-byte aligned) by the 512-byte
// FXSAVE image the sigcontext's fpstate points to.
const (
	SizeofSigcontext = 256
	SizeofUcontext   = 8 + 8 + 24 + SizeofSigcontext + 8  // 304
	SizeofRtSigframe = 8 + SizeofUcontext + SizeofSiginfo // 440
	SizeofFXSave     = 512

	UcontextOff = 8                            // in rt_sigframe
	SiginfoOff  = UcontextOff + SizeofUcontext // 312
	McontextOff = 8 + 8 + 24                   // in ucontext
	SigmaskOff  = McontextOff + SizeofSigcontext

	// uc_flags the kernel sets for 64-bit frames.
	UC_FP_XSTATE         = 1
	UC_SIGCONTEXT_SS     = 2
	UC_STRICT_RESTORE_SS = 4
)

// Sigcontext is struct sigcontext (64-bit).
type Sigcontext struct {
	R8, R9, R10, R11, R12, R13, R14, R15 uint64
	RDI, RSI, RBP, RBX, RDX, RAX, RCX    uint64
	RSP, RIP, EFLAGS                     uint64
	CS, GS, FS, SS                       uint16
	Err, Trapno, Oldmask, CR2            uint64
	FPState                              uint64
}

func (s *Sigcontext) Encode(b []byte) {
	for i := range b[:SizeofSigcontext] {
		b[i] = 0
	}
	for i, v := range []uint64{s.R8, s.R9, s.R10, s.R11, s.R12, s.R13, s.R14, s.R15,
		s.RDI, s.RSI, s.RBP, s.RBX, s.RDX, s.RAX, s.RCX, s.RSP, s.RIP, s.EFLAGS} {
		le.PutUint64(b[8*i:], v)
	}
	le.PutUint16(b[144:], s.CS)
	le.PutUint16(b[146:], s.GS)
	le.PutUint16(b[148:], s.FS)
	le.PutUint16(b[150:], s.SS)
	le.PutUint64(b[152:], s.Err)
	le.PutUint64(b[160:], s.Trapno)
	le.PutUint64(b[168:], s.Oldmask)
	le.PutUint64(b[176:], s.CR2)
	le.PutUint64(b[184:], s.FPState)
}

func (s *Sigcontext) Decode(b []byte) {
	regs := []*uint64{&s.R8, &s.R9, &s.R10, &s.R11, &s.R12, &s.R13, &s.R14, &s.R15,
		&s.RDI, &s.RSI, &s.RBP, &s.RBX, &s.RDX, &s.RAX, &s.RCX, &s.RSP, &s.RIP, &s.EFLAGS}
	for i, p := range regs {
		*p = le.Uint64(b[8*i:])
	}
	s.CS = le.Uint16(b[144:])
	s.GS = le.Uint16(b[146:])
	s.FS = le.Uint16(b[148:])
	s.SS = le.Uint16(b[150:])
	s.Err = le.Uint64(b[152:])
	s.Trapno = le.Uint64(b[160:])
	s.Oldmask = le.Uint64(b[168:])
	s.CR2 = le.Uint64(b[176:])
	s.FPState = le.Uint64(b[184:])
}
