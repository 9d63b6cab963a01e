package syscalls

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
	"gemu/mmu"
)

// The /proc entries whose host answer would describe gemu rather than the
// guest, for /proc/self, /proc/thread-self and /proc/<own pid>:
//
//   - exe and fd/N (links): Config.Exe, and the host's link of the host
//     descriptor behind guest fd N; fdinfo/N likewise.
//   - cmdline, environ, auxv, maps, stat, statm, status, comm: synthesized
//     from the guest's state when opened (a memfd holding the text).
//   - fd/ and fdinfo/: directories listing the guest's descriptors.
//   - mem, pagemap and map_files/ would expose gemu's own memory: EACCES.
//
// The literal path is recognised before the host sees it; after every open
// of a file on the host's procfs, the file the host opened is checked too,
// so "/proc/self/../self/maps" or a symlink into /proc/<pid> cannot reach
// gemu's own entries. Everything else under /proc is the host's.

// procSuperMagic is PROC_SUPER_MAGIC, procfs's statfs f_type.
const procSuperMagic = 0x9fa0

// procSelf returns the rest of path after the guest's own /proc directory.
func (p *Process) procSelf(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, "/proc/")
	if !ok {
		return "", false
	}
	dir, rest, ok := strings.Cut(rest, "/")
	if !ok {
		return "", false
	}
	switch dir {
	case "self", "thread-self", strconv.Itoa(p.pid):
		return strings.TrimRight(rest, "/"), true
	}
	return "", false
}

// procFD parses "fd/N" (or "fdinfo/N" when dir says so) and returns N.
func procFD(rest, dir string) (int32, bool) {
	s, ok := strings.CutPrefix(rest, dir+"/")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil || n < 0 {
		return 0, false
	}
	return int32(n), true
}

// hostPath rewrites the guest's own /proc paths into host paths: exe (when
// the call follows symlinks) becomes Config.Exe and fd/N and fdinfo/N the
// host's entries for the host descriptor behind guest fd N. Other paths
// are returned as given.
func (c *call) hostPath(path string, follow bool) (string, linux.Errno) {
	rest, ok := c.p.procSelf(path)
	if !ok {
		return path, 0
	}
	if rest == "exe" && follow {
		return c.p.cfg.Exe, 0
	}
	for _, dir := range [...]string{"fd", "fdinfo"} {
		if fd, ok := procFD(rest, dir); ok {
			f, e := c.file(fd)
			if e != 0 {
				return "", linux.ENOENT
			}
			return "/proc/self/" + dir + "/" + strconv.Itoa(f.fd), 0
		}
	}
	return path, 0
}

// readlinkSelf answers readlink for the guest's own /proc links; ok is
// false when path is not one of them.
func (c *call) readlinkSelf(path string) (target string, e linux.Errno, ok bool) {
	rest, ok := c.p.procSelf(path)
	if !ok {
		return "", 0, false
	}
	if rest == "exe" {
		return c.p.cfg.Exe, 0, true
	}
	if _, ok := procFD(rest, "fd"); ok {
		hp, e := c.hostPath(path, false)
		if e != 0 {
			return "", e, true
		}
		buf := make([]byte, linux.PATH_MAX)
		n, err := unix.Readlink(hp, buf)
		if err != nil {
			return "", hostErrno(err), true
		}
		return string(buf[:n]), 0, true
	}
	return "", 0, false
}

// procContents returns the synthesized contents of a /proc/self file the
// guest opens, or ok=false.
func (c *call) procContents(path string) (data []byte, ok bool) {
	rest, ok := c.p.procSelf(path)
	if !ok {
		return nil, false
	}
	return c.procEntry(rest)
}

// procEntry synthesizes the entry rest of the guest's /proc directory.
func (c *call) procEntry(rest string) (data []byte, ok bool) {
	p := c.p
	cfg := &p.cfg
	switch rest {
	case "cmdline":
		return nulJoin(cfg.Args), true
	case "environ":
		return nulJoin(cfg.Env), true
	case "auxv":
		return bytes.Clone(cfg.Auxv), true
	case "maps":
		return formatMaps(p.mem.Mappings()), true
	case "comm":
		p.mu.Lock()
		name := p.commName()
		p.mu.Unlock()
		return []byte(name + "\n"), true
	case "stat":
		return c.procStat(), true
	case "statm":
		return c.procStatm(), true
	case "status":
		return c.procStatus(), true
	}
	return nil, false
}

func nulJoin(ss []string) []byte {
	var b []byte
	for _, s := range ss {
		b = append(b, s...)
		b = append(b, 0)
	}
	return b
}

// formatMaps renders regions like Linux's /proc/PID/maps: the name starts
// in column 73 (show_map_vma pads to 25 + 6*sizeof(void*) - 1), and a line
// without a name ends with a space.
func formatMaps(regions []mmu.Region) []byte {
	var b bytes.Buffer
	for _, r := range regions {
		perm := []byte("---p")
		if r.Perm&mmu.PermRead != 0 {
			perm[0] = 'r'
		}
		if r.Perm&mmu.PermWrite != 0 {
			perm[1] = 'w'
		}
		if r.Perm&mmu.PermExec != 0 {
			perm[2] = 'x'
		}
		if r.Shared {
			perm[3] = 's'
		}
		line := fmt.Sprintf("%08x-%08x %s %08x %02x:%02x %d ", r.Start, r.End, perm,
			r.Offset, unix.Major(r.Dev), unix.Minor(r.Dev), r.Inode)
		b.WriteString(line)
		if r.Name != "" {
			b.WriteString(strings.Repeat(" ", max(73-len(line), 1)))
			b.WriteString(r.Name)
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// memStats sums the guest's mappings the way the kernel's task_mem does.
type memStats struct {
	size, rss, data, stack, exe, lib uint64 // bytes
	startCode, endCode               uint64
	startData, endData, startBrk     uint64
}

func (c *call) memStats() memStats {
	var m memStats
	exe := c.p.cfg.Exe
	for _, r := range c.p.mem.Mappings() {
		n := r.End - r.Start
		m.size += n
		switch {
		case r.Name == "[stack]":
			m.stack += n
		case r.Perm&mmu.PermExec != 0 && r.Name == exe:
			m.exe += n
			if m.startCode == 0 {
				m.startCode = r.Start
			}
			m.endCode = r.End
		case r.Perm&mmu.PermExec != 0:
			m.lib += n
		case r.Perm&mmu.PermWrite != 0 && !r.Shared:
			m.data += n
			if r.Name == exe && m.startData == 0 {
				m.startData, m.endData = r.Start, r.End
			}
			if r.Name == "[heap]" && m.startBrk == 0 {
				m.startBrk = r.Start
			}
		}
	}
	m.rss = uint64(c.p.mem.PageCount()) * mmu.PageSize
	return m
}

// hostProcFile reads one of gemu's own /proc/self files.
func hostProcFile(name string) []byte {
	b, _ := os.ReadFile("/proc/self/" + name)
	return b
}

// procStat renders /proc/self/stat: the host's line for gemu with the
// fields that describe the guest replaced.
func (c *call) procStat() []byte {
	host := string(hostProcFile("stat"))
	// "pid (comm) f3 f4 ...": comm may hold spaces and parentheses.
	i := strings.LastIndexByte(host, ')')
	if i < 0 {
		return nil
	}
	fields := strings.Fields(host[i+1:]) // fields[0] is field 3 (state)
	set := func(n int, v uint64) {
		if n-3 < len(fields) {
			fields[n-3] = strconv.FormatUint(v, 10)
		}
	}
	p := c.p
	m := c.memStats()
	ppid, pgid, sid := p.family()
	p.mu.Lock()
	name := p.commName()
	threads := p.guestThreads()
	rsslim := p.rlimits[linux.RLIMIT_RSS].Cur
	p.mu.Unlock()
	blocked, ignored, caught := c.sigSummary()
	if len(fields) > 0 {
		fields[0] = "R"
	}
	set(4, uint64(ppid))
	set(5, uint64(pgid))
	set(6, uint64(sid))
	set(20, uint64(threads))
	set(23, m.size)
	set(24, m.rss/mmu.PageSize)
	set(25, rsslim)
	set(26, m.startCode)
	set(27, m.endCode)
	set(28, c.p.cfg.StackStart)
	set(29, 0)
	set(30, 0)
	set(32, blocked)
	set(33, ignored)
	set(34, caught)
	set(45, m.startData)
	set(46, m.endData)
	set(47, m.startBrk)
	for n := 48; n <= 51; n++ {
		set(n, 0)
	}
	return fmt.Appendf(nil, "%d (%s) %s\n", p.pid, name, strings.Join(fields, " "))
}

// procStatm renders /proc/self/statm: size resident shared text lib data dt
// in pages.
func (c *call) procStatm() []byte {
	m := c.memStats()
	const pg = mmu.PageSize
	return fmt.Appendf(nil, "%d %d %d %d 0 %d 0\n", m.size/pg, m.rss/pg, 0, m.exe/pg, (m.data+m.stack)/pg)
}

// procStatus renders /proc/self/status: the host's text for gemu with the
// lines that describe the guest replaced.
func (c *call) procStatus() []byte {
	p := c.p
	m := c.memStats()
	ppid, _, _ := p.family()
	p.mu.Lock()
	name := p.commName()
	threads := p.guestThreads()
	fdSize := p.fds.maxFDs()
	noNewPrivs := p.sys.noNewPrivs
	p.mu.Unlock()
	blocked, ignored, caught := c.sigSummary()
	kb := func(v uint64) string { return fmt.Sprintf("%8d kB", v/1024) }
	hex := func(v uint64) string { return fmt.Sprintf("%016x", v) }
	values := map[string]string{
		"Name": name, "State": "R (running)", "FDSize": strconv.Itoa(fdSize),
		"VmPeak": kb(m.size), "VmSize": kb(m.size), "VmLck": kb(0), "VmPin": kb(0),
		"VmHWM": kb(m.rss), "VmRSS": kb(m.rss), "RssAnon": kb(m.rss), "RssFile": kb(0), "RssShmem": kb(0),
		"VmData": kb(m.data), "VmStk": kb(m.stack), "VmExe": kb(m.exe), "VmLib": kb(m.lib),
		"VmPTE": kb(0), "VmSwap": kb(0), "Threads": strconv.Itoa(threads),
		"SigPnd": hex(0), "ShdPnd": hex(0), "SigBlk": hex(blocked), "SigIgn": hex(ignored), "SigCgt": hex(caught),
		"NoNewPrivs": "0",
		"PPid":       strconv.Itoa(ppid),
	}
	if noNewPrivs {
		values["NoNewPrivs"] = "1"
	}
	// A forked process shows its own ids, not gemu's.
	values["Tgid"], values["Pid"] = strconv.Itoa(p.pid), strconv.Itoa(p.pid)
	var b bytes.Buffer
	for _, line := range strings.SplitAfter(string(hostProcFile("status")), "\n") {
		key, _, ok := strings.Cut(line, ":")
		if v, known := values[key]; ok && known {
			fmt.Fprintf(&b, "%s:\t%s\n", key, v)
			continue
		}
		b.WriteString(line)
	}
	return b.Bytes()
}

// guestThreads counts the guest's threads.
//
// Preconditions: the Process lock is held.
func (p *Process) guestThreads() int { return max(len(p.threads), 1) }

// sigSummary returns the calling thread's blocked mask and the process's
// ignored and caught signals, as /proc shows them.
func (c *call) sigSummary() (blocked, ignored, caught uint64) {
	p := c.p
	p.mu.Lock()
	defer p.mu.Unlock()
	blocked = c.t.sigmask
	for i := range p.sig.actions {
		switch p.sig.actions[i].Handler {
		case linux.SIG_DFL:
		case linux.SIG_IGN:
			ignored |= 1 << i
		default:
			caught |= 1 << i
		}
	}
	return blocked, ignored, caught
}

// procFile returns a host descriptor for a synthesized /proc file: a memfd
// holding data, reopened with the guest's open flags so that F_GETFL and
// the access mode look like the real file's.
func procFile(name string, data []byte, guestFlags int) (int, linux.Errno) {
	mfd, e := memfdWith(name, data)
	if e != 0 {
		return -1, e
	}
	defer unix.Close(mfd)
	const keep = linux.O_ACCMODE | linux.O_NONBLOCK | linux.O_APPEND
	fd, err := unix.Open("/proc/self/fd/"+strconv.Itoa(mfd), hostOpenFlags(guestFlags&keep)|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, hostErrno(err)
	}
	return fd, 0
}

// memfdWith returns a host memfd holding data, positioned at 0.
func memfdWith(name string, data []byte) (int, linux.Errno) {
	fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC)
	if err != nil {
		return -1, hostErrno(err)
	}
	for off := 0; off < len(data); {
		n, err := unix.Pwrite(fd, data[off:], int64(off))
		if err != nil {
			unix.Close(fd)
			return -1, hostErrno(err)
		}
		off += n
	}
	return fd, 0
}

// ownProcEntry returns the entry of gemu's own /proc directory that the
// host file f is ("maps", "fd", "task/N/mem", ...), or ok=false when f is
// not on procfs or not gemu's.
func (p *Process) ownProcEntry(f *hostFile) (string, bool) {
	var sfs unix.Statfs_t
	if err := unix.Fstatfs(f.fd, &sfs); err != nil || sfs.Type != procSuperMagic {
		return "", false
	}
	target := hostFDPath(f.fd)
	rest, ok := strings.CutPrefix(target, "/proc/"+strconv.Itoa(p.pid))
	if !ok || (rest != "" && rest[0] != '/') {
		return "", false
	}
	rest = strings.TrimPrefix(rest, "/")
	// A thread's directory holds the same entries.
	if t, ok := strings.CutPrefix(rest, "task/"); ok {
		if _, r, ok := strings.Cut(t, "/"); ok {
			rest = r
		}
	}
	return rest, true
}

// vetProcOpen vets a file the host opened for the guest: gemu's own /proc
// entries are replaced by the guest's (a synthesized file or directory) or
// refused. It returns the file to install; on error f has been released.
func (c *call) vetProcOpen(f *hostFile, guestFlags int) (*hostFile, linux.Errno) {
	rest, ok := c.p.ownProcEntry(f)
	if !ok {
		return f, 0
	}
	first, _, _ := strings.Cut(rest, "/")
	switch first {
	case "mem", "pagemap", "map_files":
		f.decRef()
		return nil, linux.EACCES
	case "fd", "fdinfo":
		if rest == first {
			f.synth = &synthDir{kind: first}
		}
		return f, 0
	}
	data, ok := c.procEntry(rest)
	if !ok {
		return f, 0
	}
	f.decRef()
	hfd, e := procFile(rest, data, guestFlags)
	if e != 0 {
		return nil, e
	}
	return adoptFD(hfd), 0
}
