package linux

import (
	"bufio"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// readLines splits a testdata file into fields per line.
func readLines(t *testing.T, path string, n int) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, strings.SplitN(sc.Text(), " ", n))
	}
	return out
}

// TestSysnoMatchesHostHeader compares the table with the x86-64 kernel
// headers installed on the host.
func TestSysnoMatchesHostHeader(t *testing.T) {
	var data []byte
	for _, p := range []string{"/usr/include/x86_64-linux-gnu/asm/unistd_64.h", "/usr/include/asm/unistd_64.h"} {
		if b, err := os.ReadFile(p); err == nil {
			data = b
			break
		}
	}
	if data == nil {
		t.Skip("no x86-64 asm/unistd_64.h on this host")
	}
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 || f[0] != "#define" || !strings.HasPrefix(f[1], "__NR_") {
			continue
		}
		nr, err := strconv.Atoi(f[2])
		if err != nil {
			continue
		}
		n++
		if got, want := Sysno(nr).Name(), strings.TrimPrefix(f[1], "__NR_"); got != want {
			t.Errorf("syscall %d: %q, header %q", nr, got, want)
		}
	}
	if n < 300 {
		t.Errorf("only %d numbers in the header", n)
	}
}

func TestSysnoNames(t *testing.T) {
	seen := map[string]Sysno{}
	for nr := Sysno(0); nr < MaxSysno; nr++ {
		name := nr.Name()
		if name == "" {
			if s := nr.String(); s != "syscall_"+strconv.Itoa(int(nr)) {
				t.Errorf("%d: String %q", nr, s)
			}
			continue
		}
		if prev, dup := seen[name]; dup {
			t.Errorf("%q is both %d and %d", name, prev, nr)
		}
		seen[name] = nr
	}
	// Numbers from the kernel's syscall_64.tbl, newest first.
	for nr, name := range map[Sysno]string{0: "read", 59: "execve", 231: "exit_group", 334: "rseq", 435: "clone3", 462: "mseal"} {
		if nr.Name() != name {
			t.Errorf("%d is %q, want %q", nr, nr.Name(), name)
		}
	}
	if Sysno(-1).String() != "syscall_-1" || Sysno(100000).Name() != "" {
		t.Error("out-of-range numbers")
	}
}

// TestErrnoGolden checks names and texts against testdata/errno.txt, the
// output of testdata/errno.c (glibc) on x86-64 Linux.
func TestErrnoGolden(t *testing.T) {
	lines := readLines(t, "testdata/errno.txt", 3)
	if len(lines) != MaxErrno-1 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, l := range lines {
		n, _ := strconv.Atoi(l[0])
		e := Errno(n)
		name := l[1]
		if name == "-" {
			name = ""
		}
		if e.Name() != name || e.Error() != l[2] {
			t.Errorf("%d: %q %q, glibc %q %q", n, e.Name(), e.Error(), name, l[2])
		}
	}
	if EAGAIN.Neg() != 0xfffffffffffffff5 {
		t.Errorf("-EAGAIN = %#x", EAGAIN.Neg())
	}
	if Errno(200).Error() != "Unknown error 200" {
		t.Error(Errno(200).Error())
	}
}

// TestStructLayouts encodes each structure with a distinct value per field
// and finds every value at the offset and size testdata/layout.c printed
// for the x86-64 kernel structure; it also checks Decode inverts Encode.
func TestStructLayouts(t *testing.T) {
	type layout struct {
		size   int
		fields map[string][2]int // offset, size
	}
	layouts := map[string]*layout{}
	for _, l := range readLines(t, "testdata/layout.txt", 4) {
		lay := layouts[l[0]]
		if lay == nil {
			lay = &layout{fields: map[string][2]int{}}
			layouts[l[0]] = lay
		}
		off, _ := strconv.Atoi(l[2])
		size, _ := strconv.Atoi(l[3])
		if l[1] == "-" {
			lay.size = size
		} else {
			lay.fields[l[1]] = [2]int{off, size}
		}
	}
	type codec interface {
		Encode([]byte)
		Decode([]byte)
	}
	cases := []struct {
		cstruct string
		size    int
		v       codec
		fields  map[string]uint64 // C field → value (little-endian, field size)
		check   func(b []byte) bool
	}{
		{"stat", SizeofStat, &Stat{Dev: 1, Ino: 2, Nlink: 3, Mode: 4, UID: 5, GID: 6, Rdev: 7, Size: 8, Blksize: 9, Blocks: 10,
			Atime: Timespec{11, 12}, Mtime: Timespec{13, 14}, Ctime: Timespec{15, 16}},
			map[string]uint64{"st_dev": 1, "st_ino": 2, "st_nlink": 3, "st_mode": 4, "st_uid": 5, "st_gid": 6, "st_rdev": 7,
				"st_size": 8, "st_blksize": 9, "st_blocks": 10, "st_atime": 11, "st_atime_nsec": 12, "st_mtime": 13,
				"st_mtime_nsec": 14, "st_ctime": 15, "st_ctime_nsec": 16}, nil},
		{"statx", SizeofStatx, &Statx{Mask: 1, Blksize: 2, Attributes: 3, Nlink: 4, UID: 5, GID: 6, Mode: 7, Ino: 8, Size: 9,
			Blocks: 10, AttributesMask: 11, Atime: StatxTimestamp{12, 0}, Btime: StatxTimestamp{13, 0}, Ctime: StatxTimestamp{14, 0},
			Mtime: StatxTimestamp{15, 0}, RdevMajor: 16, RdevMinor: 17, DevMajor: 18, DevMinor: 19, MntID: 20, DioMemAlign: 21, DioOffsetAlign: 22},
			map[string]uint64{"stx_mask": 1, "stx_blksize": 2, "stx_attributes": 3, "stx_nlink": 4, "stx_uid": 5, "stx_gid": 6,
				"stx_mode": 7, "stx_ino": 8, "stx_size": 9, "stx_blocks": 10, "stx_attributes_mask": 11, "stx_rdev_major": 16,
				"stx_rdev_minor": 17, "stx_dev_major": 18, "stx_dev_minor": 19, "stx_mnt_id": 20, "stx_dio_mem_align": 21,
				"stx_dio_offset_align": 22},
			func(b []byte) bool { return b[64] == 12 && b[80] == 13 && b[96] == 14 && b[112] == 15 }},
		{"__kernel_timespec", SizeofTimespec, &Timespec{1, 2}, map[string]uint64{"tv_sec": 1, "tv_nsec": 2}, nil},
		{"rlimit", SizeofRlimit, &Rlimit{1, 2}, map[string]uint64{"rlim_cur": 1, "rlim_max": 2}, nil},
		{"new_utsname", SizeofUtsname, &Utsname{"a", "b", "c", "d", "e", "f"},
			map[string]uint64{"sysname": 'a', "nodename": 'b', "release": 'c', "version": 'd', "machine": 'e', "domainname": 'f'}, nil},
		{"termios", SizeofTermios, &Termios{Iflag: 1, Oflag: 2, Cflag: 3, Lflag: 4, Line: 5, Cc: [NCCS]uint8{6}},
			map[string]uint64{"c_iflag": 1, "c_oflag": 2, "c_cflag": 3, "c_lflag": 4, "c_line": 5, "c_cc": 6}, nil},
		{"winsize_", SizeofWinsize, &Winsize{1, 2, 3, 4}, map[string]uint64{"ws_row": 1, "ws_col": 2, "ws_xpixel": 3, "ws_ypixel": 4}, nil},
		{"sigaction", SizeofSigAction, &SigAction{1, 2, 3, 4}, map[string]uint64{"sa_handler": 1, "sa_flags": 2, "sa_restorer": 3, "sa_mask": 4}, nil},
		{"sigaltstack", SizeofStack, &Stack{1, 2, 3}, map[string]uint64{"ss_sp": 1, "ss_flags": 2, "ss_size": 3}, nil},
		{"iovec", SizeofIovec, &Iovec{1, 2}, map[string]uint64{"iov_base": 1, "iov_len": 2}, nil},
		{"pollfd", SizeofPollFD, &PollFD{1, 2, 3}, map[string]uint64{"fd": 1, "events": 2, "revents": 3}, nil},
		{"sysinfo", SizeofSysinfo, &Sysinfo{Uptime: 1, Loads: [3]uint64{2}, Totalram: 3, Freeram: 4, Sharedram: 5, Bufferram: 6,
			Totalswap: 7, Freeswap: 8, Procs: 9, Totalhigh: 10, Freehigh: 11, MemUnit: 12},
			map[string]uint64{"uptime": 1, "loads": 2, "totalram": 3, "freeram": 4, "sharedram": 5, "bufferram": 6, "totalswap": 7,
				"freeswap": 8, "procs": 9, "totalhigh": 10, "freehigh": 11, "mem_unit": 12}, nil},
		{"rusage", SizeofRusage, &Rusage{Utime: Timeval{1, 0}, Stime: Timeval{2, 0}, Longs: [14]int64{3, 13: 4}},
			map[string]uint64{"ru_utime": 1, "ru_stime": 2, "ru_maxrss": 3, "ru_nivcsw": 4}, nil},
		{"flock", SizeofFlock, &Flock{1, 2, 3, 4, 5}, map[string]uint64{"l_type": 1, "l_whence": 2, "l_start": 3, "l_len": 4, "l_pid": 5}, nil},
		{"msghdr", SizeofMsghdr, &Msghdr{1, 2, 3, 4, 5, 6, 7}, map[string]uint64{"msg_name": 1, "msg_namelen": 2, "msg_iov": 3,
			"msg_iovlen": 4, "msg_control": 5, "msg_controllen": 6, "msg_flags": 7}, nil},
		{"cmsghdr", SizeofCmsghdr, &Cmsghdr{1, 2, 3}, map[string]uint64{"cmsg_len": 1, "cmsg_level": 2, "cmsg_type": 3}, nil},
		{"linger", SizeofLinger, &Linger{1, 2}, map[string]uint64{"l_onoff": 1, "l_linger": 2}, nil},
		{"ucred_", SizeofUcred, &Ucred{1, 2, 3}, map[string]uint64{"pid": 1, "uid": 2, "gid": 3}, nil},
		{"epoll_event", SizeofEpollEvent, &EpollEvent{1, 2}, map[string]uint64{"events": 1, "data": 2}, nil},
		{"itimerspec", SizeofItimerspec, &Itimerspec{Timespec{1, 0}, Timespec{2, 0}}, map[string]uint64{"it_interval": 1, "it_value": 2}, nil},
		{"itimerval", SizeofItimerval, &Itimerval{Timeval{1, 0}, Timeval{2, 0}}, map[string]uint64{"it_interval": 1, "it_value": 2}, nil},
		{"statfs", SizeofStatfs, &Statfs{1, 2, 3, 4, 5, 6, 7, [2]int32{8, 0}, 9, 10, 11},
			map[string]uint64{"f_type": 1, "f_bsize": 2, "f_blocks": 3, "f_bfree": 4, "f_bavail": 5, "f_files": 6, "f_ffree": 7,
				"f_fsid": 8, "f_namelen": 9, "f_frsize": 10, "f_flags": 11}, nil},
		{"open_how", SizeofOpenHow, &OpenHow{1, 2, 3}, map[string]uint64{"flags": 1, "mode": 2, "resolve": 3}, nil},
	}
	for name, size := range map[string]int{"sockaddr_in": SizeofSockaddrIn, "sockaddr_in6": SizeofSockaddrIn6,
		"sockaddr_un": SizeofSockaddrUn, "sockaddr_storage": SizeofSockaddrStorage, "mmsghdr": SizeofMmsghdr,
		"sock_filter": SizeofSockFilter, "sock_fprog": SizeofSockFprog, "utimbuf": SizeofUtimbuf} {
		if lay := layouts[name]; lay == nil || lay.size != size {
			t.Errorf("%s: size %d, layout.txt %+v", name, size, lay)
		}
	}
	for _, c := range cases {
		lay := layouts[c.cstruct]
		if lay == nil {
			t.Errorf("%s: not in layout.txt", c.cstruct)
			continue
		}
		if lay.size != c.size {
			t.Errorf("%s: size %d, C %d", c.cstruct, c.size, lay.size)
		}
		b := make([]byte, c.size)
		for i := range b {
			b[i] = 0xee // Encode must write every byte, padding included
		}
		c.v.Encode(b)
		for name, want := range c.fields {
			f, ok := lay.fields[name]
			if !ok {
				t.Errorf("%s.%s: not in layout.txt", c.cstruct, name)
				continue
			}
			var got uint64
			for i := min(f[1], 8) - 1; i >= 0; i-- {
				got = got<<8 | uint64(b[f[0]+i])
			}
			if f[1] > 8 { // arrays and nested structs: the first element
				got = uint64(b[f[0]])
				if name == "loads" || name == "ru_utime" || name == "ru_stime" || name == "stx_atime" ||
					name == "it_interval" || name == "it_value" {
					got = le.Uint64(b[f[0]:])
				}
			}
			if got != want {
				t.Errorf("%s.%s at %d/%d holds %d, want %d", c.cstruct, name, f[0], f[1], got, want)
			}
		}
		for i, x := range b {
			if x == 0xee {
				t.Errorf("%s: byte %d not written", c.cstruct, i)
				break
			}
		}
		if c.check != nil && !c.check(b) {
			t.Errorf("%s: nested fields misplaced", c.cstruct)
		}
		// Decode inverts Encode.
		fresh := reflect.New(reflect.TypeOf(c.v).Elem()).Interface().(codec)
		fresh.Decode(b)
		back := make([]byte, c.size)
		fresh.Encode(back)
		if string(back) != string(b) {
			t.Errorf("%s: Decode then Encode differs", c.cstruct)
		}
	}
}

func TestSignalDefaults(t *testing.T) {
	// signal(7)'s table.
	want := map[Signal]Action{
		SIGHUP: ActTerm, SIGINT: ActTerm, SIGQUIT: ActCore, SIGILL: ActCore, SIGABRT: ActCore,
		SIGFPE: ActCore, SIGKILL: ActTerm, SIGSEGV: ActCore, SIGPIPE: ActTerm, SIGALRM: ActTerm,
		SIGTERM: ActTerm, SIGUSR1: ActTerm, SIGUSR2: ActTerm, SIGCHLD: ActIgnore, SIGCONT: ActCont,
		SIGSTOP: ActStop, SIGTSTP: ActStop, SIGTTIN: ActStop, SIGTTOU: ActStop, SIGBUS: ActCore,
		SIGPROF: ActTerm, SIGSYS: ActCore, SIGTRAP: ActCore, SIGURG: ActIgnore, SIGVTALRM: ActTerm,
		SIGXCPU: ActCore, SIGXFSZ: ActCore, SIGIO: ActTerm, SIGPWR: ActTerm, SIGWINCH: ActIgnore,
		SIGSTKFLT: ActTerm, SIGRTMIN: ActTerm, SIGRTMAX: ActTerm,
	}
	for s, a := range want {
		if got := s.DefaultAction(); got != a {
			t.Errorf("%v: %d, want %d", s, got, a)
		}
	}
}
