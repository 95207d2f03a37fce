/* ep_vde.c - client of a VDE2 switch: vde:///DIR, vde:///DIR[N], or a bare DIR.
 *
 * Handshake as in vdeplug4 libvdeplug_vde.c: connect DIR/ctl (stream), bind
 * our own datagram socket (DIR/.PID-SEQ, falling back to /tmp), send one
 * request_v3, read the 110-byte address of the switch's data socket, connect
 * to it. The ctl stream stays open; EOF on it means the switch is gone.
 */
#include "ep.h"
#include "limits.h"
#include "vdeproto.h"
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

const char *ep_program_name = "vdelab";

enum { VDE_CONNECT_TIMEOUT_MS = 5000, SOCK_BUF_BYTES = 4 << 20 };

/* Split "DIR[N]" into dir and port. Returns 0 or EINVAL. */
static int parse_vde_args(const char *args, char *dir, size_t dirlen, int *port,
			  char *err, size_t errlen)
{
	const char *br = strchr(args, '[');
	size_t dl = br ? (size_t)(br - args) : strlen(args);

	*port = VDE_PORT_AUTO;
	if (br) {
		const char *end = strchr(br, ']');
		if (!end || end[1] != '\0') {
			snprintf(err, errlen, "expected DIR[PORT], \"]\" missing or not last");
			return EINVAL;
		}
		if (end > br + 1) {
			char *e;
			long v = strtol(br + 1, &e, 10);
			if (e != end || v < 0 || v > 65535) {
				snprintf(err, errlen, "port \"%.*s\" is not a number 0..65535",
					 (int)(end - br - 1), br + 1);
				return EINVAL;
			}
			*port = (int)v;
		}
	}
	if (dl == 0) {
		snprintf(err, errlen, "missing switch directory");
		return EINVAL;
	}
	if (dl + sizeof("/ctl") > dirlen || dl + 16 > sizeof(((struct sockaddr_un *)0)->sun_path)) {
		snprintf(err, errlen, "switch directory path too long");
		return ENAMETOOLONG;
	}
	memcpy(dir, args, dl);
	dir[dl] = '\0';
	return 0;
}

static void bufsizes(int fd)
{
	int sz = SOCK_BUF_BYTES;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
}

static int vde_open(struct ep *ep, const struct ep_url *u, char *err, size_t errlen)
{
	char absolute[EP_URL_MAX + 256];
	const char *args = u->path;
	if (args[0] && args[0] != '/') { /* vde://tmp/sw is relative: vdeplug4 makes it absolute */
		char cwd[256];
		if (!getcwd(cwd, sizeof(cwd))) {
			snprintf(err, errlen, "relative switch directory and no working directory: %s", strerror(errno));
			return errno;
		}
		snprintf(absolute, sizeof(absolute), "%s/%s", cwd, args);
		args = absolute;
	}
	static unsigned seq;
	char dir[108];
	int port, rc;
	struct sockaddr_un ctl = { .sun_family = AF_UNIX }, me = { .sun_family = AF_UNIX };
	int cfd = -1, dfd = -1;

	if ((rc = parse_vde_args(args, dir, sizeof(dir), &port, err, errlen)))
		return rc;
	snprintf(ctl.sun_path, sizeof(ctl.sun_path), "%s/ctl", dir);

	cfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	dfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (cfd < 0 || dfd < 0) {
		rc = errno;
		snprintf(err, errlen, "socket: %s", strerror(rc));
		goto fail;
	}
	if (connect(cfd, (struct sockaddr *)&ctl, sizeof(ctl)) < 0) {
		rc = errno;
		snprintf(err, errlen, "cannot reach switch at %s: %s", ctl.sun_path, strerror(rc));
		goto fail;
	}
	/* Our data socket: in the switch dir like vdeplug4, else in /tmp. */
	unsigned s = ++seq;
	snprintf(me.sun_path, sizeof(me.sun_path), "%s/.%05d-%05u", dir, getpid(), s);
	if (bind(dfd, (struct sockaddr *)&me, sizeof(me)) < 0) {
		snprintf(me.sun_path, sizeof(me.sun_path), "/tmp/vde.%05d-%05u", getpid(), s);
		unlink(me.sun_path);
		if (bind(dfd, (struct sockaddr *)&me, sizeof(me)) < 0) {
			rc = errno;
			snprintf(err, errlen, "bind %s: %s", me.sun_path, strerror(rc));
			goto fail;
		}
	}
	chmod(me.sun_path, 0600);

	struct vde_request_v3 req;
	char descr[VDE_DESCR_MAX + 1];
	struct passwd *pw = getpwuid(geteuid());
	snprintf(descr, sizeof(descr), "%s user=%s pid=%d", ep_program_name,
		 pw ? pw->pw_name : "?", getpid());
	snprintf(ep->descr, sizeof(ep->descr), "%s", descr);
	size_t rlen = vdeproto_build_request(&req, port, me.sun_path, descr);
	if (send(cfd, &req, rlen, MSG_NOSIGNAL) != (ssize_t)rlen) {
		rc = errno ? errno : EIO;
		snprintf(err, errlen, "sending request: %s", strerror(rc));
		goto fail_unlink;
	}

	struct sockaddr_un data;
	size_t got = 0;
	while (got < VDE_REPLY_LEN) {
		struct pollfd pfd = { .fd = cfd, .events = POLLIN };
		int pr = poll(&pfd, 1, VDE_CONNECT_TIMEOUT_MS);
		if (pr == 0) {
			rc = ETIMEDOUT;
			snprintf(err, errlen, "switch did not answer within %d ms (a Debian vde_switch "
				 "hangs instead of refusing a busy or out-of-range port)",
				 VDE_CONNECT_TIMEOUT_MS);
			goto fail_unlink;
		}
		ssize_t r = recv(cfd, (char *)&data + got, VDE_REPLY_LEN - got, 0);
		if (r <= 0) {
			rc = r == 0 ? ECONNREFUSED : errno;
			snprintf(err, errlen, "switch refused the connection%s",
				 port >= 0 ? " (port busy, out of range or not allowed)" : "");
			goto fail_unlink;
		}
		got += (size_t)r;
	}
	data.sun_path[sizeof(data.sun_path) - 1] = '\0';
	if (connect(dfd, (struct sockaddr *)&data, sizeof(data)) < 0) {
		rc = errno;
		snprintf(err, errlen, "connect to data socket %s: %s", data.sun_path, strerror(rc));
		goto fail_unlink;
	}
	unlink(me.sun_path);
	fcntl(dfd, F_SETFL, O_NONBLOCK);
	fcntl(cfd, F_SETFL, O_NONBLOCK);
	bufsizes(dfd);
	ep->fd = dfd;
	ep->ctl_fd = cfd;
	return 0;

fail_unlink:
	unlink(me.sun_path);
fail:
	if (cfd >= 0)
		close(cfd);
	if (dfd >= 0)
		close(dfd);
	return rc;
}

const struct ep_class ep_vde_class = {
	.scheme = "vde",
	.syntax = "vde:///DIR[N] or DIR[N]",
	.help = "client of a VDE switch (vdelab-switch or vde_switch); [N] asks for port N, [0] for port 0",
	.open = vde_open,
	.recv_batch = ep_dgram_recv,
	.send_batch = ep_dgram_send,
	.ctl_event = ep_ctl_eof_check,
};
