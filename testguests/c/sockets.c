// Copyright 2025 The gemu Authors. SPDX-License-Identifier: Apache-2.0
//
// sockets: stream sockets over loopback TCP and Unix domain sockets, run
// natively and under gemu in every pairing (sockets_test.go), plus a
// single-process mode for the differential table.
//
//   sockets tcp-server          listen on 127.0.0.1 (port 0), print "port N",
//                               serve one client
//   sockets tcp-client PORT     connect, talk, print the replies
//   sockets unix-server PATH    the same on a Unix socket; the server also
//   sockets unix-client PATH    passes a pipe's read end (SCM_RIGHTS)
//   sockets local               socketpair, SCM_RIGHTS, SEQPACKET and
//                               datagram semantics in one process
//
// Every line printed is the same on every run (no ports, pids or paths).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "guest.h"

static void die(const char *what) {
	printf("FAIL %s: %s\n", what, errno_name(errno));
	exit(1);
}

// readline reads one '\n'-terminated line (without it) from fd.
static int readline(int fd, char *buf, size_t n) {
	size_t i = 0;
	while (i + 1 < n) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0) die("read");
		if (r == 0) break;
		if (c == '\n') break;
		buf[i++] = c;
	}
	buf[i] = 0;
	return (int)i;
}

// sendfd sends fd over a Unix socket with one byte of data.
static void sendfd(int sock, int fd) {
	char byte = 'F';
	struct iovec iov = {&byte, 1};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	memset(&u, 0, sizeof u);
	struct msghdr m = {0};
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.buf;
	m.msg_controllen = sizeof u.buf;
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	if (sendmsg(sock, &m, 0) != 1) die("sendmsg SCM_RIGHTS");
}

// recvfd receives a descriptor sent by sendfd.
static int recvfd(int sock) {
	char byte;
	struct iovec iov = {&byte, 1};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m = {0};
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.buf;
	m.msg_controllen = sizeof u.buf;
	if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != 1) die("recvmsg SCM_RIGHTS");
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int))) {
		printf("FAIL no SCM_RIGHTS (flags %#x)\n", m.msg_flags);
		exit(1);
	}
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	printf("received a descriptor: byte %c, cloexec %d, ctrunc %d\n", byte,
	       (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0, (m.msg_flags & MSG_CTRUNC) != 0);
	return fd;
}

// serve talks to one client on conn.
static void serve(int conn, int unix_socket) {
	char line[256];
	int n;
	while ((n = readline(conn, line, sizeof line)) > 0) {
		printf("server got: %s\n", line);
		for (int i = 0; i < n; i++)
			if (line[i] >= 'a' && line[i] <= 'z') line[i] -= 32;
		char reply[300];
		int len = snprintf(reply, sizeof reply, "%s (%d)\n", line, n);
		if (send(conn, reply, len, MSG_NOSIGNAL) != len) die("send");
		if (strcmp(line, "BYE") == 0) break;
	}
	if (unix_socket) {
		int p[2];
		if (pipe(p)) die("pipe");
		const char *msg = "through a passed pipe\n";
		if (write(p[1], msg, strlen(msg)) != (ssize_t)strlen(msg)) die("write pipe");
		close(p[1]);
		sendfd(conn, p[0]);
		close(p[0]);
		printf("server passed a pipe\n");
	}
	if (shutdown(conn, SHUT_WR)) die("shutdown");
	char rest[16];
	ssize_t r = recv(conn, rest, sizeof rest, 0);
	printf("server sees end of stream: %zd\n", r);
	close(conn);
}

// talk is the client's side of serve.
static void talk(int s, int unix_socket) {
	const char *words[] = {"hello", "gemu sockets", "bye"};
	for (int i = 0; i < 3; i++) {
		// Two iovecs per line exercise sendmsg's gathering.
		struct iovec iov[2] = {{(void *)words[i], strlen(words[i])}, {"\n", 1}};
		struct msghdr m = {0};
		m.msg_iov = iov;
		m.msg_iovlen = 2;
		if (sendmsg(s, &m, 0) != (ssize_t)(iov[0].iov_len + 1)) die("sendmsg");
		char line[256];
		readline(s, line, sizeof line);
		printf("client got: %s\n", line);
	}
	if (unix_socket) {
		int fd = recvfd(s);
		char line[256];
		readline(fd, line, sizeof line);
		printf("client read from the passed pipe: %s\n", line);
		close(fd);
	}
	char rest[16];
	ssize_t r = recv(s, rest, sizeof rest, 0);
	printf("client sees end of stream: %zd\n", r);
	close(s);
}

static int tcp_server(void) {
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0) die("socket");
	int one = 1;
	if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one)) die("setsockopt");
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (bind(s, (struct sockaddr *)&a, sizeof a)) die("bind");
	if (listen(s, 4)) die("listen");
	socklen_t len = sizeof a;
	if (getsockname(s, (struct sockaddr *)&a, &len)) die("getsockname");
	int type = 0;
	len = sizeof type;
	if (getsockopt(s, SOL_SOCKET, SO_TYPE, &type, &len)) die("getsockopt");
	int acc = 0;
	len = sizeof acc;
	if (getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len)) die("getsockopt");
	fprintf(stderr, "type stream %d, listening %d\n", type == SOCK_STREAM, acc);
	printf("port %d\n", ntohs(a.sin_port));
	fflush(stdout);
	struct sockaddr_in peer;
	len = sizeof peer;
	int c = accept4(s, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
	if (c < 0) die("accept4");
	printf("accepted from %s, length %u\n", inet_ntoa(peer.sin_addr), len);
	int nodelay = 1;
	if (setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &nodelay, sizeof nodelay)) die("TCP_NODELAY");
	serve(c, 0);
	close(s);
	return 0;
}

static int tcp_client(const char *port) {
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0) die("socket");
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(port))};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (connect(s, (struct sockaddr *)&a, sizeof a)) die("connect");
	struct sockaddr_in peer;
	socklen_t len = sizeof peer;
	if (getpeername(s, (struct sockaddr *)&peer, &len)) die("getpeername");
	printf("connected to %s, same port %d\n", inet_ntoa(peer.sin_addr), peer.sin_port == a.sin_port);
	talk(s, 0);
	return 0;
}

static int unix_server(const char *path) {
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0) die("socket");
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	strncpy(a.sun_path, path, sizeof a.sun_path - 1);
	unlink(path);
	if (bind(s, (struct sockaddr *)&a, sizeof a)) die("bind");
	if (listen(s, 4)) die("listen");
	printf("ready\n");
	fflush(stdout);
	int c = accept(s, NULL, NULL);
	if (c < 0) die("accept");
	struct ucred cred;
	socklen_t len = sizeof cred;
	if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &len)) die("SO_PEERCRED");
	printf("peer credentials: uid matches %d, length %u\n", cred.uid == getuid(), len);
	serve(c, 1);
	close(s);
	unlink(path);
	return 0;
}

static int unix_client(const char *path) {
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0) die("socket");
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	strncpy(a.sun_path, path, sizeof a.sun_path - 1);
	if (connect(s, (struct sockaddr *)&a, sizeof a)) die("connect");
	printf("connected\n");
	talk(s, 1);
	return 0;
}

static int local(void) {
	// A stream pair: data both ways, then a descriptor.
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) die("socketpair");
	if (write(sv[0], "ping", 4) != 4) die("write");
	char buf[64];
	ssize_t n = read(sv[1], buf, sizeof buf);
	printf("stream pair: %zd bytes %.*s\n", n, (int)n, buf);
	int p[2];
	if (pipe(p)) die("pipe");
	write(p[1], "via pipe\n", 9);
	sendfd(sv[0], p[0]);
	int got = recvfd(sv[1]);
	n = read(got, buf, sizeof buf);
	printf("passed pipe reads %zd bytes: %.*s", n, (int)n, buf);
	printf("distinct descriptor: %d\n", got != p[0]);
	close(got);

	// A truncated control buffer: MSG_CTRUNC and no descriptor installed.
	sendfd(sv[0], p[1]);
	{
		char byte;
		struct iovec iov = {&byte, 1};
		char small[sizeof(struct cmsghdr)];
		struct msghdr m = {0};
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_control = small;
		m.msg_controllen = sizeof small - 1;
		n = recvmsg(sv[1], &m, 0);
		printf("small control buffer: %zd byte, ctrunc %d, controllen %zu\n", n, (m.msg_flags & MSG_CTRUNC) != 0,
		       (size_t)m.msg_controllen);
	}

	// SEQPACKET keeps boundaries; a short buffer truncates the record.
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp)) die("socketpair seqpacket");
	send(sp[0], "first record", 12, 0);
	send(sp[0], "second", 6, 0);
	struct iovec iov = {buf, 5};
	struct msghdr m = {0};
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	n = recvmsg(sp[1], &m, 0);
	printf("seqpacket: %zd bytes %.*s, trunc %d\n", n, (int)n, buf, (m.msg_flags & MSG_TRUNC) != 0);
	n = recv(sp[1], buf, sizeof buf, 0);
	printf("seqpacket: %zd bytes %.*s\n", n, (int)n, buf);

	// Datagrams: MSG_PEEK, MSG_TRUNC reporting the real length.
	int dg[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, dg)) die("socketpair dgram");
	send(dg[0], "datagram!", 9, 0);
	n = recv(dg[1], buf, 4, MSG_PEEK | MSG_TRUNC);
	printf("dgram peek+trunc: %zd\n", n);
	n = recv(dg[1], buf, sizeof buf, MSG_DONTWAIT);
	printf("dgram: %zd bytes %.*s\n", n, (int)n, buf);
	n = recv(dg[1], buf, sizeof buf, MSG_DONTWAIT);
	printf("empty dgram socket: %zd %s\n", n, errno_name(errno));

	// sendmmsg/recvmmsg.
	struct mmsghdr mm[3];
	struct iovec mv[3];
	const char *parts[] = {"one", "two", "three"};
	memset(mm, 0, sizeof mm);
	for (int i = 0; i < 3; i++) {
		mv[i].iov_base = (void *)parts[i];
		mv[i].iov_len = strlen(parts[i]);
		mm[i].msg_hdr.msg_iov = &mv[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	printf("sendmmsg: %d\n", sendmmsg(dg[0], mm, 3, 0));
	char rb[3][16];
	for (int i = 0; i < 3; i++) {
		mv[i].iov_base = rb[i];
		mv[i].iov_len = sizeof rb[i];
	}
	int k = recvmmsg(dg[1], mm, 3, MSG_DONTWAIT, NULL);
	printf("recvmmsg: %d:", k);
	for (int i = 0; i < k; i++) printf(" %.*s/%u", (int)mm[i].msg_len, rb[i], mm[i].msg_len);
	printf("\n");

	// Errors, each checked against the kernel's errno.
	n = send(p[1], "x", 1, 0);
	printf("send on a pipe: %zd %s\n", n, n < 0 && errno == ENOTSOCK ? "ENOTSOCK" : errno_name(errno));
	int r = bind(sv[0], (struct sockaddr *)buf, 1);
	printf("bind with a 1-byte address: %d %s\n", r, errno_name(errno));
	r = connect(dg[0], (struct sockaddr *)8, 16);
	printf("connect to a bad address pointer: %d %s\n", r, errno_name(errno));
	r = getsockopt(sv[1], SOL_SOCKET, SO_ERROR, &k, (socklen_t *)8);
	printf("getsockopt with a bad length pointer: %d %s\n", r, errno_name(errno));
	struct pollfd pf = {sv[1], POLLIN, 0};
	close(sv[0]);
	r = poll(&pf, 1, 1000);
	printf("poll after peer close: %d revents %#x\n", r, pf.revents);
	n = read(sv[1], buf, sizeof buf);
	printf("read after peer close: %zd\n", n);
	return 0;
}

int main(int argc, char **argv) {
	if (argc >= 2 && strcmp(argv[1], "tcp-server") == 0) return tcp_server();
	if (argc >= 3 && strcmp(argv[1], "tcp-client") == 0) return tcp_client(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "unix-server") == 0) return unix_server(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "unix-client") == 0) return unix_client(argv[2]);
	if (argc >= 2 && strcmp(argv[1], "local") == 0) return local();
	fprintf(stderr, "usage: sockets tcp-server | tcp-client PORT | unix-server PATH | unix-client PATH | local\n");
	return 2;
}
