/* vdeprobe - a misbehaving (or plain) VDE client for integration tests.
 *
 *   vdeprobe console SOCK CMD      run one console command; print the reply;
 *                                  exit 0 on "1000 Success", 2 on "1NNN ..."
 *   vdeprobe garbage DIR           send junk on DIR/ctl; exit 0 if the switch closes it
 *   vdeprobe half DIR              send the first 20 bytes of a request; same
 *   vdeprobe silent DIR N SECS     hold N connections that never send a request
 *   vdeprobe port DIR N            ask for port N; exit 0 accepted, 1 refused, 3 no answer
 *   vdeprobe sizes DIR SIZE...     connect, send one datagram of each size, exit 0
 *   vdeprobe flood DIR FPS SECS    send 60-byte broadcast frames at FPS for SECS
 *                                  (bounded: at most 100000 frames/s, 30 s)
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../../vde/core/ep.h"
#include "../../vde/core/vdeproto.h"
#include "../../vde/core/wire.h"

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror(path);
		exit(4);
	}
	return fd;
}

/* Read until `end` (or `end2`) appears in buf, EOF, or timeout. */
static size_t read_until2(int fd, char *buf, size_t cap, size_t have, const char *end,
			  const char *end2, int ms)
{
	for (;;) {
		buf[have] = 0;
		if (strstr(buf, end) || (end2 && strstr(buf, end2)))
			return have;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, ms) <= 0)
			return have;
		ssize_t r = read(fd, buf + have, cap - 1 - have);
		if (r <= 0)
			return have;
		have += (size_t)r;
	}
}

static int closes_within(int fd, int ms)
{
	char b[256];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	while (poll(&p, 1, ms) > 0) {
		ssize_t r = read(fd, b, sizeof(b));
		if (r <= 0)
			return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: see the comment at the top of vdeprobe.c\n");
		return 4;
	}
	const char *cmd = argv[1];
	char path[200];
	if (strcmp(cmd, "console") == 0 && argc == 4) {
		static char buf[1 << 20];
		int fd = connect_unix(argv[2]);
		size_t n = read_until2(fd, buf, sizeof(buf), 0, "$ ", NULL, 3000);
		if (!strstr(buf, "$ ")) {
			fprintf(stderr, "no prompt\n");
			return 4;
		}
		dprintf(fd, "%s\n", argv[3]);
		/* the reply ends with the prompt, or 9999 END OF SESSION */
		n = read_until2(fd, buf, sizeof(buf), 0, "$ ", "9999 END OF SESSION", 5000);
		(void)n;
		char *prompt = strrchr(buf, '\n');
		if (prompt && strstr(prompt, "$ "))
			*prompt = 0;
		fputs(buf, stdout);
		close(fd);
		if (strstr(buf, "1000 Success"))
			return 0;
		return 2;
	}
	snprintf(path, sizeof(path), "%s/ctl", argv[2]);
	if (strcmp(cmd, "garbage") == 0) {
		int fd = connect_unix(path);
		char junk[200];
		for (unsigned i = 0; i < sizeof(junk); i++)
			junk[i] = (char)(i * 37 + 11);
		if (write(fd, junk, sizeof(junk)) < 0)
			return 4;
		return closes_within(fd, 2000);
	}
	if (strcmp(cmd, "half") == 0) {
		int fd = connect_unix(path);
		struct vde_request_v3 req;
		vdeproto_build_request(&req, -1, "/tmp/nonexistent-probe", "half");
		if (write(fd, &req, 20) < 0)
			return 4;
		return closes_within(fd, 2000);
	}
	if (strcmp(cmd, "silent") == 0 && argc == 5) {
		int n = atoi(argv[3]);
		for (int i = 0; i < n; i++)
			connect_unix(path);
		sleep((unsigned)atoi(argv[4]));
		return 0;
	}
	if (strcmp(cmd, "port") == 0 && argc == 4) {
		char url[256], err[256];
		struct ep *ep;
		snprintf(url, sizeof(url), "vde://%s[%s]", argv[2], argv[3]);
		int rc = ep_open(url, &ep, err, sizeof(err));
		if (rc == 0) {
			ep_close(ep);
			return 0;
		}
		fprintf(stderr, "%s\n", err);
		return rc == ETIMEDOUT ? 3 : 1;
	}
	if (strcmp(cmd, "sizes") == 0) {
		char url[256], err[256];
		struct ep *ep;
		static unsigned char frame[70000];
		snprintf(url, sizeof(url), "vde://%s", argv[2]);
		if (ep_open(url, &ep, err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		memset(frame, 0xff, 12);
		for (int i = 3; i < argc; i++) {
			size_t len = (size_t)atoi(argv[i]);
			if (send(ep->fd, frame, len, 0) < 0)
				fprintf(stderr, "send %zu: %s\n", len, strerror(errno));
		}
		usleep(200000);
		ep_close(ep);
		return 0;
	}
	if (strcmp(cmd, "flood") == 0 && argc == 5) {
		char url[256], err[256];
		struct ep *ep;
		unsigned char frame[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0x0f, 0x0d, 0x88, 0xb5 };
		long fps = atol(argv[3]), secs = atol(argv[4]);
		if (fps < 1 || fps > 100000 || secs < 1 || secs > 30)
			return 4;
		snprintf(url, sizeof(url), "vde://%s", argv[2]);
		if (ep_open(url, &ep, err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		struct timespec t0, now;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long sent = 0; sent < fps * secs;) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			double el = (double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
			if (el > (double)secs + 1)
				break;
			while (sent < (long)(el * (double)fps) && sent < fps * secs) {
				send(ep->fd, frame, sizeof(frame), MSG_DONTWAIT); /* a full switch socket: skip */
				sent++;
			}
			usleep(1000);
		}
		ep_close(ep);
		return 0;
	}
	fprintf(stderr, "vdeprobe: bad arguments\n");
	return 4;
}
