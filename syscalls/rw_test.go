package syscalls

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"gemu/internal/abi/linux"
)

// iovecs places an iovec array in guest memory.
func (e *env) iovecs(segs ...[2]uint64) uint64 {
	var b []byte
	for _, s := range segs {
		b = le.AppendUint64(le.AppendUint64(b, s[0]), s[1])
	}
	a := e.alloc(len(b))
	e.poke(a, b)
	return a
}

func TestVectorIO(t *testing.T) {
	e := newEnv(t)
	fds := e.alloc(8)
	e.ok(linux.SYS_PIPE, fds)
	r, w := uint64(e.u32(fds)), uint64(e.u32(fds+4))
	iov := e.iovecs([2]uint64{e.str("abc"), 3}, [2]uint64{0, 0}, [2]uint64{e.str("defgh"), 5})
	if n := e.ok(linux.SYS_WRITEV, w, iov, 3); n != 8 {
		t.Fatalf("writev %d", n)
	}
	b1, b2 := e.alloc(2), e.alloc(16)
	in := e.iovecs([2]uint64{b1, 2}, [2]uint64{b2, 16})
	if n := e.ok(linux.SYS_READV, r, in, 2); n != 8 {
		t.Fatalf("readv %d", n)
	}
	if got := string(e.peek(b1, 2)) + string(e.peek(b2, 6)); got != "abcdefgh" {
		t.Errorf("readv scattered %q", got)
	}

	path := filepath.Join(t.TempDir(), "f")
	os.WriteFile(path, []byte("0123456789"), 0o600)
	fd := e.open(path, linux.O_RDWR)
	if n := e.ok(linux.SYS_PREADV, fd, in, 2, 4); n != 6 || string(e.peek(b1, 2)) != "45" || string(e.peek(b2, 4)) != "6789" {
		t.Errorf("preadv %d %q %q", n, e.peek(b1, 2), e.peek(b2, 4))
	}
	if n := e.ok(linux.SYS_PWRITEV, fd, iov, 3, 2); n != 8 {
		t.Errorf("pwritev %d", n)
	}
	if host, _ := os.ReadFile(path); string(host) != "01abcdefgh" {
		t.Errorf("file %q", host)
	}
	if off := e.ok(linux.SYS_LSEEK, fd, 0, linux.SEEK_CUR); off != 0 {
		t.Errorf("positional calls moved the offset to %d", off)
	}
	neglen := e.iovecs([2]uint64{b1, 1 << 63})
	if got := e.errno(linux.SYS_READV, fd, neglen, 1); got != linux.EINVAL {
		t.Errorf("negative iov_len: %v", got)
	}
	kern := e.iovecs([2]uint64{kernelAddr, 4})
	if got := e.errno(linux.SYS_WRITEV, fd, kern, 1); got != linux.EFAULT {
		t.Errorf("kernel iov_base: %v", got)
	}
	if n := e.ok(linux.SYS_READV, fd, in, 0); n != 0 {
		t.Errorf("readv of nothing %d", n)
	}
}

// TestLargeTransfers moves more than one host chunk each way.
func TestLargeTransfers(t *testing.T) {
	e := newEnv(t)
	const size = 3*chunkSize + 123
	data := bytes.Repeat([]byte("gemu-large-io!"), size/14+1)[:size]
	path := filepath.Join(t.TempDir(), "big")
	os.WriteFile(path, data, 0o600)
	buf := e.ok(linux.SYS_MMAP, 0, size+4096, linux.PROT_READ|linux.PROT_WRITE, linux.MAP_PRIVATE|linux.MAP_ANONYMOUS, neg(-1), 0)
	fd := e.open(path, linux.O_RDONLY)
	if n := e.ok(linux.SYS_READ, fd, buf, size+4096); n != size {
		t.Fatalf("read %d of %d", n, size)
	}
	if !bytes.Equal(e.peek(buf, size), data) {
		t.Fatal("read the wrong bytes")
	}
	out := filepath.Join(t.TempDir(), "copy")
	ofd := e.open(out, linux.O_WRONLY|linux.O_CREAT)
	if n := e.ok(linux.SYS_WRITE, ofd, buf, size); n != size {
		t.Fatalf("write %d", n)
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, data) {
		t.Error("the copy differs")
	}
}
