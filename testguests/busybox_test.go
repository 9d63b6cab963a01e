// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0

package testguests

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The fixed tree the busybox cases work on, made afresh in each run's
// directory with fixed contents, modes and times, so that a native run and
// a gemu run see the same bytes (ls -la, tar, stat...).
//
//	input.txt            busyboxInput
//	tree/a.txt           three words
//	tree/b.dat           1500 bytes of a binary pattern, mode 0600
//	tree/link -> a.txt
//	tree/empty/
//	tree/sub/c.txt       four words
//	tree/sub/deep/d.txt  3000 bytes of text

// treeTime is every file's modification time: 2001-02-03 04:05:06 UTC.
var treeTime = time.Unix(981173106, 0)

type treeFile struct {
	path string
	data []byte
	mode os.FileMode
}

var busyboxTree = func() []treeFile {
	bin := make([]byte, 1500)
	for i := range bin {
		bin[i] = byte(i * 7)
	}
	var text bytes.Buffer
	for i := 0; text.Len() < 3000; i++ {
		fmt.Fprintf(&text, "deep line %d\n", i)
	}
	return []treeFile{
		{"input.txt", busyboxInput, 0o644},
		{"tree/a.txt", []byte("alpha\nbeta\ngamma\n"), 0o644},
		{"tree/b.dat", bin, 0o600},
		{"tree/sub/c.txt", []byte("alpha\ndelta\ngamma\nepsilon\n"), 0o644},
		{"tree/sub/deep/d.txt", text.Bytes()[:3000], 0o644},
	}
}()

// makeBusyboxTree creates the tree in dir and returns the stdin to use
// ("@archive.cpio" becomes a cpio archive of the tree's files).
func makeBusyboxTree(t *testing.T, dir, stdin string) string {
	t.Helper()
	var dirs []string
	for _, f := range busyboxTree {
		p := filepath.Join(dir, f.path)
		for d := filepath.Dir(p); d != dir; d = filepath.Dir(d) {
			dirs = append(dirs, d)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.data, f.mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, f.mode); err != nil {
			t.Fatal(err)
		}
	}
	empty := filepath.Join(dir, "tree", "empty")
	link := filepath.Join(dir, "tree", "link")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a.txt", link); err != nil {
		t.Fatal(err)
	}
	dirs = append(dirs, empty, dir)
	ts := []unix.Timespec{unix.NsecToTimespec(treeTime.UnixNano()), unix.NsecToTimespec(treeTime.UnixNano())}
	stamp := func(p string) {
		if err := unix.UtimesNanoAt(unix.AT_FDCWD, p, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range busyboxTree {
		stamp(filepath.Join(dir, f.path))
	}
	stamp(link)
	for _, d := range dirs { // deepest first, the run directory last
		os.Chmod(d, 0o755)
		stamp(d)
	}
	if stdin == "@archive.cpio" {
		return string(cpioArchive())
	}
	return stdin
}

// cpioArchive is the tree's files as a "newc" cpio archive (the format
// busybox cpio reads), with fixed inode numbers and times.
func cpioArchive() []byte {
	var b bytes.Buffer
	pad := func() {
		for b.Len()%4 != 0 {
			b.WriteByte(0)
		}
	}
	entry := func(ino int, name string, mode uint32, data []byte) {
		fmt.Fprintf(&b, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
			ino, mode, 0, 0, 1, treeTime.Unix(), len(data), 0, 0, 0, 0, len(name)+1, 0)
		b.WriteString(name)
		b.WriteByte(0)
		pad()
		b.Write(data)
		pad()
	}
	entry(1, "tree", 0o40755, nil)
	entry(2, "tree/sub", 0o40755, nil)
	for i, f := range busyboxTree[1:] {
		entry(3+i, f.path, 0o100000|uint32(f.mode), f.data)
	}
	entry(0, "TRAILER!!!", 0, nil)
	return b.Bytes()
}

// dirListing describes dir's contents after a run: one line per entry,
// sorted, with its type, permissions, size and a digest of its contents
// (file times are left out: cp and mv set them to the time of the run).
func dirListing(t *testing.T, dir string) []byte {
	t.Helper()
	var b strings.Builder
	b.WriteString("--- directory listing ---\n")
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			fmt.Fprintf(&b, "%s -> %s\n", rel, target)
		case info.IsDir():
			fmt.Fprintf(&b, "%s/ %v\n", rel, info.Mode().Perm())
		case !info.Mode().IsRegular():
			fmt.Fprintf(&b, "%s %v\n", rel, info.Mode())
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			fmt.Fprintf(&b, "%s %v %d %x\n", rel, info.Mode().Perm(), info.Size(), sum[:8])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return []byte(b.String())
}
