package syscalls

import (
	"sync/atomic"

	"golang.org/x/sys/unix"

	"gemu/internal/abi/linux"
)

// hostFDBase is the lowest host descriptor number gemu gives a guest file:
// every host fd the guest owns is moved to >= hostFDBase (F_DUPFD_CLOEXEC),
// so gemu's own files (the program, trace and hypertrace files) keep the low
// numbers and a host fd number never looks like the guest's.
const hostFDBase = 256

// hostFile is one host descriptor held for the guest: one per guest fd
// (a guest dup is a host dup, so the two share the open file description
// exactly as on Linux). Every host descriptor is close-on-exec on the host;
// the guest's FD_CLOEXEC lives in the fd table.
//
// refs counts the fd-table slot plus the system calls using the descriptor,
// so a close on one thread never frees a descriptor another thread is
// blocked in.
type hostFile struct {
	fd   int
	refs atomic.Int32
	kind atomic.Uint32 // file type bits (S_IFMT) + 1, 0 until known

	// The fields below are set when the file is created and never change.

	// synth lists a directory gemu synthesizes (/proc/self/fd); nil for
	// every other file.
	synth *synthDir
	// conv says how the records read from (or written to) the file are
	// converted between host and guest byte order (conv.go).
	conv recordConv
}

// fileType returns the host file's S_IFMT bits (0 if fstat fails).
func (f *hostFile) fileType() uint32 {
	if k := f.kind.Load(); k != 0 {
		return k - 1
	}
	var st unix.Stat_t
	if err := unix.Fstat(f.fd, &st); err != nil {
		return 0
	}
	t := st.Mode & unix.S_IFMT
	f.kind.Store(t + 1)
	return t
}

func (f *hostFile) regular() bool { return f.fileType() == unix.S_IFREG }

func newHostFile(fd int) *hostFile {
	f := &hostFile{fd: fd}
	f.refs.Store(1)
	return f
}

func (f *hostFile) incRef() { f.refs.Add(1) }

// decRef drops a reference and closes the host descriptor with the last one,
// returning close's error.
func (f *hostFile) decRef() error {
	if f.refs.Add(-1) == 0 {
		return unix.Close(f.fd)
	}
	return nil
}

// adoptFD moves a freshly created host descriptor to >= hostFDBase and
// wraps it. If the host's descriptor limit leaves no room up there the
// descriptor stays where it is.
func adoptFD(fd int) *hostFile {
	if fd < hostFDBase {
		if nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, hostFDBase); err == nil {
			unix.Close(fd)
			fd = nfd
		}
	}
	return newHostFile(fd)
}

// dupHost duplicates a host descriptor for a new guest fd.
func dupHost(fd int) (*hostFile, linux.Errno) {
	nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, hostFDBase)
	if err == unix.EINVAL || err == unix.EMFILE {
		nfd, err = unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	}
	if err != nil {
		return nil, hostErrno(err)
	}
	return newHostFile(nfd), 0
}

// fdSlot is one guest descriptor.
type fdSlot struct {
	file    *hostFile // nil: the slot is free
	cloexec bool
}

// fdTable maps guest descriptors to host files. The caller holds the
// Process lock.
type fdTable struct {
	slots []fdSlot
	// max is the kernel's fdt->max_fds for the same history of
	// descriptors: 64, grown as Linux grows it, never shrunk (select(2)
	// clamps nfds to it; /proc/self/status shows it as FDSize).
	max int
}

// maxFDs returns the size of the kernel's descriptor table.
func (t *fdTable) maxFDs() int { return max(t.max, 64) }

// grow records that descriptor fd is in use, growing max as the kernel's
// expand_fdtable does: round (fd / 128) + 1 up to a power of two, times 128.
func (t *fdTable) grow(fd int) {
	if fd < t.maxFDs() {
		return
	}
	n := fd/128 + 1
	p := 1
	for p < n {
		p <<= 1
	}
	t.max = p * 128
}

// get returns the file of guest fd, or nil.
func (t *fdTable) get(fd int32) *hostFile {
	if fd < 0 || int(fd) >= len(t.slots) {
		return nil
	}
	return t.slots[fd].file
}

// slot returns guest fd's slot, or nil when fd is not open.
func (t *fdTable) slot(fd int32) *fdSlot {
	if fd < 0 || int(fd) >= len(t.slots) || t.slots[fd].file == nil {
		return nil
	}
	return &t.slots[fd]
}

// lowestFree returns the lowest free descriptor >= min.
func (t *fdTable) lowestFree(min int) int {
	for i := min; i < len(t.slots); i++ {
		if t.slots[i].file == nil {
			return i
		}
	}
	if min > len(t.slots) {
		return min
	}
	return len(t.slots)
}

// alloc installs f at the lowest free descriptor >= min, like Linux; limit
// is RLIMIT_NOFILE's soft value. On EMFILE the caller still owns f.
func (t *fdTable) alloc(min int, limit uint64, f *hostFile, cloexec bool) (int32, linux.Errno) {
	fd := t.lowestFree(min)
	if uint64(fd) >= limit || fd > 1<<31-1 {
		return -1, linux.EMFILE
	}
	t.set(int32(fd), f, cloexec)
	return int32(fd), 0
}

// set installs f at fd and returns the file it replaced (or nil).
//
// Preconditions: fd >= 0.
func (t *fdTable) set(fd int32, f *hostFile, cloexec bool) *hostFile {
	if int(fd) >= len(t.slots) {
		n := max(int(fd)+1, 2*len(t.slots), 16)
		slots := make([]fdSlot, n)
		copy(slots, t.slots)
		t.slots = slots
	}
	old := t.slots[fd].file
	t.slots[fd] = fdSlot{file: f, cloexec: cloexec}
	t.grow(int(fd))
	return old
}

// remove frees fd and returns its file (nil if it was not open).
func (t *fdTable) remove(fd int32) *hostFile {
	s := t.slot(fd)
	if s == nil {
		return nil
	}
	f := s.file
	*s = fdSlot{}
	return f
}

// closeAll drops every descriptor and returns the first close error.
func (t *fdTable) closeAll() error {
	var first error
	for i := range t.slots {
		if f := t.slots[i].file; f != nil {
			t.slots[i] = fdSlot{}
			if err := f.decRef(); err != nil && first == nil {
				first = err
			}
		}
	}
	t.slots = nil
	return first
}
