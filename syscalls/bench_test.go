package syscalls

import (
	"os"
	"path/filepath"
	"testing"

	"gemu/internal/abi/linux"
)

// BenchmarkGetpid measures the dispatch overhead of a trivial call.
func BenchmarkGetpid(b *testing.B) {
	e := newEnv(b)
	for b.Loop() {
		e.call(linux.SYS_GETPID)
	}
}

// BenchmarkPread4K measures a small file read into guest memory.
func BenchmarkPread4K(b *testing.B) {
	e := newEnv(b)
	path := filepath.Join(b.TempDir(), "f")
	os.WriteFile(path, make([]byte, 4096), 0o600)
	fd := e.open(path, linux.O_RDONLY)
	buf := e.alloc(4096)
	for b.Loop() {
		e.call(linux.SYS_PREAD64, fd, buf, 4096, 0)
	}
}
