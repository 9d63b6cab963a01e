package syscalls

import (
	"testing"

	"gemu/internal/abi/linux"
)

func (e *env) pollfds(fds ...linux.PollFD) uint64 {
	var b []byte
	for _, f := range fds {
		var raw [linux.SizeofPollFD]byte
		f.Encode(raw[:])
		b = append(b, raw[:]...)
	}
	a := e.alloc(len(b))
	e.poke(a, b)
	return a
}

func (e *env) revents(addr uint64, i int) int16 {
	var f linux.PollFD
	f.Decode(e.peek(addr+uint64(i*linux.SizeofPollFD), linux.SizeofPollFD))
	return f.Revents
}

func TestPoll(t *testing.T) {
	e := newEnv(t)
	fds := e.alloc(8)
	e.ok(linux.SYS_PIPE, fds)
	r, w := int32(e.u32(fds)), int32(e.u32(fds+4))
	pf := e.pollfds(
		linux.PollFD{FD: r, Events: linux.POLLIN},
		linux.PollFD{FD: w, Events: linux.POLLOUT},
		linux.PollFD{FD: -1, Events: linux.POLLIN, Revents: 0x7f},
	)
	if n := e.ok(linux.SYS_POLL, pf, 3, 0); n != 1 {
		t.Errorf("poll ready %d, want 1", n)
	}
	if e.revents(pf, 0) != 0 || e.revents(pf, 1) != linux.POLLOUT || e.revents(pf, 2) != 0 {
		t.Errorf("revents %#x %#x %#x", e.revents(pf, 0), e.revents(pf, 1), e.revents(pf, 2))
	}
	e.ok(linux.SYS_WRITE, uint64(w), e.str("x"), 1)
	ts := e.alloc(16)
	e.poke(ts, le.AppendUint64(le.AppendUint64(nil, 5), 0))
	if n := e.ok(linux.SYS_PPOLL, pf, 1, ts, 0, 8); n != 1 || e.revents(pf, 0) != linux.POLLIN {
		t.Errorf("ppoll %d revents %#x", n, e.revents(pf, 0))
	}
	// ppoll writes the time left back.
	var left linux.Timespec
	left.Decode(e.peek(ts, 16))
	if left.Sec > 5 || left.Sec < 0 || (left.Sec == 0 && left.Nsec == 0) {
		t.Errorf("time left %+v", left)
	}
	// A closed descriptor is POLLNVAL and makes the call return at once.
	bad := e.pollfds(linux.PollFD{FD: 77, Events: linux.POLLIN}, linux.PollFD{FD: r, Events: linux.POLLIN})
	if n := e.ok(linux.SYS_POLL, bad, 2, neg(-1)); n != 2 || e.revents(bad, 0) != linux.POLLNVAL {
		t.Errorf("poll %d revents %#x", n, e.revents(bad, 0))
	}
	if got := e.errno(linux.SYS_PPOLL, pf, 1, 0, e.alloc(8), 4); got != linux.EINVAL {
		t.Errorf("ppoll sigsetsize 4: %v", got)
	}
	e.poke(ts, le.AppendUint64(le.AppendUint64(nil, 0), 2e9))
	if got := e.errno(linux.SYS_PPOLL, pf, 1, ts, 0, 8); got != linux.EINVAL {
		t.Errorf("ppoll bad timespec: %v", got)
	}
	if got := e.errno(linux.SYS_POLL, badAddr, 1, 0); got != linux.EFAULT {
		t.Errorf("poll bad array: %v", got)
	}
	// roPage is readable but not writable: revents cannot be stored.
	if got := e.errno(linux.SYS_POLL, roPage, 1, 0); got != linux.EFAULT {
		t.Errorf("poll into a read-only array: %v", got)
	}
	// No descriptors: a plain sleep.
	if n := e.ok(linux.SYS_POLL, 0, 0, 1); n != 0 {
		t.Errorf("empty poll %d", n)
	}
}
