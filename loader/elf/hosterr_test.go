//go:build unix

package elf

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"gemu/mmu"
)

// TestLoadHostErrors: files that cannot be opened or are not regular files
// give one-line errors that keep their cause for errors.Is.
func TestLoadHostErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing")
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	unreadable := filepath.Join(dir, "unreadable")
	if err := os.WriteFile(unreadable, tinyELF(), 0o000); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want error
		msg  string
	}{
		{missing, fs.ErrNotExist, missing + ": no such file or directory"},
		{dir, ErrNotRegular, dir + ": is a directory, not a program"},
		{fifo, ErrNotRegular, fifo + ": not a regular file (a FIFO)"}, // must not block
		{"/dev/null", ErrNotRegular, "/dev/null: not a regular file (a character device)"},
		{unreadable, fs.ErrPermission, unreadable + ": permission denied"},
	}
	for _, tc := range tests {
		if tc.want == fs.ErrPermission && os.Geteuid() == 0 {
			t.Logf("skipping %s: root reads mode-000 files", tc.path)
			continue
		}
		_, err := Load(mmu.NewSpace(), tc.path)
		if !errors.Is(err, tc.want) {
			t.Errorf("Load(%s) = %v, want %v", tc.path, err, tc.want)
			continue
		}
		if err.Error() != tc.msg {
			t.Errorf("Load(%s) message %q, want %q", tc.path, err.Error(), tc.msg)
		}
	}
}
