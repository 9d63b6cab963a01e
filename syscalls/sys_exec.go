package syscalls

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
	"gemu/loader/elf"
	"gemu/mmu"
)

// execve and execveat run an x86-64 ELF program inside gemu, replacing the
// calling process's image; a "#!" script runs its interpreter (looked up
// with the -L prefix like every absolute path). Checks follow the kernel's
// order: the path must name an executable regular file (EACCES), then the
// file must be a script or an x86-64 ELF gemu can load (ENOEXEC).
//
// The point of no return is after the new image is loaded and its stack
// built in a fresh address space: until then a failure leaves the process
// untouched. The run loop then ends the process's other threads and calls
// ExecImage.Commit, which applies what exec does to the process (fds with
// FD_CLOEXEC closed, handled signals reset, the new names), and switches
// the thread to the new space.

// Limits of execve's arguments (include/uapi/linux/binfmts.h).
const (
	maxArgStrlen   = 32 * 4096 // MAX_ARG_STRLEN
	maxArgStrings  = 0x7fffffff
	binprmBufSize  = 256 // BINPRM_BUF_SIZE: the longest #! line
	maxScriptDepth = 4   // nested interpreters before ELOOP (Linux 5.x: 4)
)

func sysExecve(c *call) (uint64, linux.Errno) {
	return c.execve(linux.AT_FDCWD, c.args.Pointer(0), c.args.Pointer(1), c.args.Pointer(2), 0)
}

func sysExecveat(c *call) (uint64, linux.Errno) {
	return c.execve(c.args.FD(0), c.args.Pointer(1), c.args.Pointer(2), c.args.Pointer(3), c.args.Int(4))
}

func (c *call) execve(dirfd int32, pathAddr, argvAddr, envpAddr uint64, flags int32) (uint64, linux.Errno) {
	if flags&^(linux.AT_EMPTY_PATH|linux.AT_SYMLINK_NOFOLLOW) != 0 {
		return 0, linux.EINVAL
	}
	emptyOK := flags&linux.AT_EMPTY_PATH != 0
	var name string
	var e linux.Errno
	if emptyOK && pathAddr == 0 {
		name = ""
	} else if emptyOK {
		name, e = c.pathOrEmpty(pathAddr)
	} else {
		name, e = c.path(pathAddr)
	}
	if e != 0 {
		return 0, e
	}
	argv, e := c.stringArray(argvAddr)
	if e != 0 {
		return 0, e
	}
	envp, e := c.stringArray(envpAddr)
	if e != 0 {
		return 0, e
	}
	dir, hp, e := c.resolveLookup(dirfd, pathAddr, emptyOK, flags&linux.AT_SYMLINK_NOFOLLOW == 0)
	if e != 0 {
		return 0, e
	}
	if name == "" {
		// AT_EMPTY_PATH: the descriptor itself; the kernel names it
		// /dev/fd/N.
		hp = "/proc/self/fd/" + strconv.Itoa(int(dir))
		dir = unix.AT_FDCWD
		name = "/dev/fd/" + strconv.Itoa(int(dirfd))
	}
	if hp != "" && hp[0] != '/' && dir == unix.AT_FDCWD {
		if wd, err := os.Getwd(); err == nil {
			hp = filepath.Join(wd, hp)
		}
	} else if hp != "" && hp[0] != '/' {
		hp = "/proc/self/fd/" + strconv.Itoa(dir) + "/" + hp
	}
	execFn := name
	exe := hp
	for depth := 0; ; depth++ {
		f, e := openExec(exe, depth == 0 && flags&linux.AT_SYMLINK_NOFOLLOW != 0)
		if e != 0 {
			return 0, e
		}
		var head [binprmBufSize]byte
		n, _ := f.ReadAt(head[:], 0)
		f.Close()
		if n >= 2 && head[0] == '#' && head[1] == '!' {
			if depth == maxScriptDepth {
				return 0, linux.ELOOP
			}
			interp, arg, ok := parseShebang(head[2:n])
			if !ok {
				return 0, linux.ENOEXEC
			}
			// argv[0] is replaced by interp [arg] path (the name the
			// script was run by).
			na := []string{interp}
			if arg != "" {
				na = append(na, arg)
			}
			na = append(na, name)
			if len(argv) > 1 {
				na = append(na, argv[1:]...)
			}
			argv, name = na, interp
			exe = c.prefixed(interp)
			continue
		}
		return c.execELF(exe, name, execFn, argv, envp)
	}
}

// openExec opens an executable as the kernel's do_open_execat checks it:
// a regular file with search permission for the caller.
func openExec(path string, noFollow bool) (*os.File, linux.Errno) {
	oflags := unix.O_RDONLY | unix.O_CLOEXEC
	if noFollow {
		oflags |= unix.O_NOFOLLOW
	}
	fd, err := retryEINTR(func() (int, error) { return unix.Open(path, oflags|unix.O_PATH, 0) })
	if err != nil {
		return nil, hostErrno(err)
	}
	var st unix.Stat_t
	err = unix.Fstat(fd, &st)
	unix.Close(fd)
	if err != nil {
		return nil, hostErrno(err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, linux.EACCES
	}
	if err := unix.Access(path, unix.X_OK); err != nil {
		return nil, hostErrno(err)
	}
	f, err := os.OpenFile(path, oflags, 0)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, hostErrno(pe.Err)
		}
		return nil, linux.EACCES
	}
	return f, 0
}

// parseShebang splits a "#!" line (without the "#!") into the interpreter
// and its one optional argument, as binfmt_script does: blanks around
// them are dropped, the rest of the line after the interpreter is one
// argument.
func parseShebang(b []byte) (interp, arg string, ok bool) {
	line := b
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	} else if len(b) == binprmBufSize-2 {
		// No newline within the buffer: Linux accepts it only if the
		// interpreter name ends inside it; keep it simple and use it.
		line = b
	}
	s := strings.Trim(string(line), " \t")
	if s == "" {
		return "", "", false
	}
	interp, arg, _ = strings.Cut(s, " ")
	if i := strings.IndexByte(interp, '\t'); i >= 0 {
		interp, arg = interp[:i], interp[i+1:]+" "+arg
	}
	return interp, strings.Trim(arg, " \t"), true
}

// execELF loads the ELF at host path exe into a new address space and
// returns the Exec outcome; name is the program's guest path (the new
// comm), execFn the path execve was given (AT_EXECFN).
func (c *call) execELF(exe, name, execFn string, argv, envp []string) (uint64, linux.Errno) {
	mem := mmu.NewSpace()
	img, err := elf.Load(mem, exe)
	if err != nil {
		mem.Close()
		return 0, loadErrno(err)
	}
	st := elf.Startup{
		Args: argv, Env: envp, ExecFn: execFn,
		UID: uint64(unix.Getuid()), EUID: uint64(unix.Geteuid()),
		GID: uint64(unix.Getgid()), EGID: uint64(unix.Getegid()),
	}
	st.HWCap, st.HWCap2 = auxvValue(c.p.cfg.Auxv, linux.AT_HWCAP), auxvValue(c.p.cfg.Auxv, linux.AT_HWCAP2)
	if _, err := c.p.random(st.Random[:], 0); err != nil {
		mem.Close()
		return 0, linux.EIO
	}
	sp, auxv, err := elf.SetupStack(mem, img, st)
	if err != nil {
		mem.Close()
		return 0, loadErrno(err)
	}
	abs := exe
	if r, err := filepath.EvalSymlinks(exe); err == nil {
		if a, err := filepath.Abs(r); err == nil {
			abs = a
		}
	}
	p := c.p
	t := c.t
	commit := func() {
		p.mu.Lock()
		for fd := range p.fds.slots {
			if s := &p.fds.slots[fd]; s.file != nil && s.cloexec {
				f := s.file
				*s = fdSlot{}
				f.decRef()
			}
		}
		p.resetHandlersLocked()
		for cpu, o := range p.threads {
			if o != t {
				delete(p.threads, cpu)
			}
		}
		t.tid = p.pid
		p.k.setTask(t.cpu, p.pid, p.pid)
		t.altstack = linux.Stack{Flags: linux.SS_DISABLE}
		t.clearChildTID, t.robustHead, t.robustLen = 0, 0, 0
		t.restart = false
		p.futex = futexTable{}
		p.mem = mem
		p.cfg.Exe, p.cfg.Args, p.cfg.Env, p.cfg.Auxv = abs, argv, envp, auxv
		p.cfg.Comm, p.cfg.StackStart = filepath.Base(name), sp
		p.sys.comm = ""
		p.mu.Unlock()
		p.k.mu.Lock()
		p.wakeVforkLocked()
		p.k.mu.Unlock()
	}
	c.out = Outcome{Kind: Exec, Exec: &ExecImage{Mem: mem, Entry: img.Entry, SP: sp, Commit: commit}}
	return 0, 0
}

// loadErrno is the errno execve reports for a loader error.
func loadErrno(err error) linux.Errno {
	switch {
	case errors.Is(err, elf.ErrArgListTooLong):
		return linux.E2BIG
	case errors.Is(err, elf.ErrNotRegular):
		return linux.EACCES
	case errors.Is(err, mmu.ErrNoMemory):
		return linux.ENOMEM
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return hostErrno(pe.Err)
	}
	var errno unix.Errno
	if errors.As(err, &errno) {
		return hostErrno(errno)
	}
	// Not ELF, another machine, 32-bit, corrupt, dynamic (no interpreter
	// support yet): the kernel has no handler for it.
	return linux.ENOEXEC
}

// auxvValue returns the value of auxv entry typ (0 if absent).
func auxvValue(auxv []byte, typ uint64) uint64 {
	for i := 0; i+16 <= len(auxv); i += 16 {
		if le.Uint64(auxv[i:]) == typ {
			return le.Uint64(auxv[i+8:])
		}
	}
	return 0
}

// stringArray reads a NULL-terminated array of string pointers (argv,
// envp); a NULL array is empty.
func (c *call) stringArray(addr uint64) ([]string, linux.Errno) {
	var out []string
	if addr == 0 {
		return nil, 0
	}
	total := 0
	for i := 0; ; i++ {
		if i >= maxArgStrings {
			return nil, linux.E2BIG
		}
		ptr, e := c.readU64(addr + uint64(8*i))
		if e != 0 {
			return nil, e
		}
		if ptr == 0 {
			return out, 0
		}
		s, err := c.p.mem.ReadCString(ptr, maxArgStrlen)
		if errors.Is(err, mmu.ErrTooLong) {
			return nil, linux.E2BIG
		}
		if err != nil {
			return nil, linux.EFAULT
		}
		total += len(s) + 1 + 8
		if total > 1<<30 {
			return nil, linux.E2BIG
		}
		out = append(out, s)
	}
}
