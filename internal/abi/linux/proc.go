package linux

// Process-wide settings: interval timers, priorities, scheduling policies,
// memory locking, personality and prctl options.

// getitimer/setitimer timers.
const (
	ITIMER_REAL    = 0
	ITIMER_VIRTUAL = 1
	ITIMER_PROF    = 2
)

// getpriority/setpriority targets.
const (
	PRIO_PROCESS = 0
	PRIO_PGRP    = 1
	PRIO_USER    = 2
)

// Scheduling policies.
const (
	SCHED_OTHER          = 0
	SCHED_FIFO           = 1
	SCHED_RR             = 2
	SCHED_BATCH          = 3
	SCHED_IDLE           = 5
	SCHED_DEADLINE       = 6
	SCHED_RESET_ON_FORK  = 0x40000000
	SizeofSchedParam     = 4
	SchedAffinityMaxBits = 8192 * 8
)

// mlockall/mlock2 flags.
const (
	MCL_CURRENT   = 1
	MCL_FUTURE    = 2
	MCL_ONFAULT   = 4
	MLOCK_ONFAULT = 1
)

// personality(2).
const (
	PER_LINUX          = 0
	ADDR_NO_RANDOMIZE  = 0x0040000
	PersonalityQuery   = 0xffffffff
	READ_IMPLIES_EXEC  = 0x0400000
	ADDR_LIMIT_32BIT   = 0x0800000
	SHORT_INODE        = 0x1000000
	WHOLE_SECONDS      = 0x2000000
	STICKY_TIMEOUTS    = 0x4000000
	ADDR_LIMIT_3GB     = 0x8000000
	ADDR_COMPAT_LAYOUT = 0x0200000
	MMAP_PAGE_ZERO     = 0x0100000
	UNAME26            = 0x0020000
	FDPIC_FUNCPTRS     = 0x0080000
)

// prctl(2) options gemu answers.
const (
	PR_SET_PDEATHSIG       = 1
	PR_GET_PDEATHSIG       = 2
	PR_GET_DUMPABLE        = 3
	PR_SET_DUMPABLE        = 4
	PR_GET_KEEPCAPS        = 7
	PR_SET_KEEPCAPS        = 8
	PR_SET_NAME            = 15
	PR_GET_NAME            = 16
	PR_GET_SECCOMP         = 21
	PR_SET_SECCOMP         = 22
	PR_CAPBSET_READ        = 23
	PR_GET_TIMERSLACK      = 30
	PR_SET_TIMERSLACK      = 29
	PR_SET_CHILD_SUBREAPER = 36
	PR_GET_CHILD_SUBREAPER = 37
	PR_SET_NO_NEW_PRIVS    = 38
	PR_GET_NO_NEW_PRIVS    = 39
	PR_SET_THP_DISABLE     = 41
	PR_GET_THP_DISABLE     = 42
	PR_SET_VMA             = 0x53564d41

	// TASK_COMM_LEN is the size of a thread name, NUL included.
	TASK_COMM_LEN = 16
)
