// layout2.c: offsets and sizes of the x86-64 structures gemu encodes that
// come from glibc's headers (their layouts equal the kernel's on x86-64).
//   gcc -o /tmp/layout layout.c && gcc -o /tmp/layout2 layout2.c &&
//   { /tmp/layout; /tmp/layout2; } > layout.txt
// Each line: "struct field offset size" (field "-" gives sizeof the struct).
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <sys/epoll.h>
#include <sys/time.h>
#include <time.h>
#include <sys/statfs.h>
#include <utime.h>
#include <linux/openat2.h>
#include <linux/filter.h>

struct ucred_ { unsigned pid, uid, gid; };

#define F(s, f) printf("%s %s %zu %zu\n", #s, #f, offsetof(struct s, f), sizeof(((struct s *)0)->f))
#define Z(s) printf("%s - 0 %zu\n", #s, sizeof(struct s))

int main(void) {
	Z(msghdr); F(msghdr, msg_name); F(msghdr, msg_namelen); F(msghdr, msg_iov); F(msghdr, msg_iovlen);
	F(msghdr, msg_control); F(msghdr, msg_controllen); F(msghdr, msg_flags);
	Z(cmsghdr); F(cmsghdr, cmsg_len); F(cmsghdr, cmsg_level); F(cmsghdr, cmsg_type);
	Z(mmsghdr); F(mmsghdr, msg_hdr); F(mmsghdr, msg_len);
	Z(linger); F(linger, l_onoff); F(linger, l_linger);
	Z(ucred_); F(ucred_, pid); F(ucred_, uid); F(ucred_, gid);
	Z(sockaddr_in); F(sockaddr_in, sin_family); F(sockaddr_in, sin_port); F(sockaddr_in, sin_addr);
	Z(sockaddr_in6); F(sockaddr_in6, sin6_family); F(sockaddr_in6, sin6_port); F(sockaddr_in6, sin6_flowinfo);
	F(sockaddr_in6, sin6_addr); F(sockaddr_in6, sin6_scope_id);
	Z(sockaddr_un); F(sockaddr_un, sun_family); F(sockaddr_un, sun_path);
	Z(sockaddr_storage);
	Z(sock_filter); Z(sock_fprog); F(sock_fprog, len); F(sock_fprog, filter);
	Z(epoll_event); F(epoll_event, events); F(epoll_event, data);
	Z(itimerspec); F(itimerspec, it_interval); F(itimerspec, it_value);
	Z(itimerval); F(itimerval, it_interval); F(itimerval, it_value);
	Z(statfs); F(statfs, f_type); F(statfs, f_bsize); F(statfs, f_blocks); F(statfs, f_bfree);
	F(statfs, f_bavail); F(statfs, f_files); F(statfs, f_ffree); F(statfs, f_fsid); F(statfs, f_namelen);
	F(statfs, f_frsize); F(statfs, f_flags);
	Z(utimbuf); F(utimbuf, actime); F(utimbuf, modtime);
	Z(open_how); F(open_how, flags); F(open_how, mode); F(open_how, resolve);
	return 0;
}
