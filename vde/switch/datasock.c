/* datasock.c - the switch side of the VDE2 control protocol (DESIGN.md §4;
 * vde-2 datasock.c): DIR/ctl accepts stream connections, each sends one
 * request_v3; we bind a datagram socket DIR/NNN.FD connected to the client's
 * socket and answer with its 110-byte address, or refuse by closing. */
#include "swd.h"
#include "../core/log.h"
#include "../core/vdeproto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

enum { DATA_SOCK_BUF = 0 }; /* 0: kernel default */

static void pending_close(struct swd *d, struct pending_ctl *p)
{
	loop_del(&d->loop, &p->w);
	close(p->fd);
	p->fd = -1;
}

static int refuse(struct swd *d, struct pending_ctl *p, const char *why, const char *descr)
{
	d->st.ctl_refused++;
	log_msg(LOG_INFO, "refused a client (%s): %s", descr && *descr ? descr : "no description", why);
	pending_close(d, p);
	return -1;
}

/* Make the data socket for `port`, connected to the client's socket. */
static int make_data_socket(struct swd *d, unsigned port, const struct sockaddr_un *client,
			    char *path, size_t pathlen)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)client, sizeof(*client)) < 0) {
		int rc = errno;
		close(fd);
		return -rc;
	}
	struct sockaddr_un me = { .sun_family = AF_UNIX };
	if (snprintf(me.sun_path, sizeof(me.sun_path), "%s/%03u.%d", d->dir, port, fd) >=
	    (int)sizeof(me.sun_path)) {
		close(fd);
		return -ENAMETOOLONG;
	}
	unlink(me.sun_path);
	if (bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0) {
		int rc = errno;
		close(fd);
		return -rc;
	}
	chmod(me.sun_path, d->ctlmode);
	if (d->gid != (gid_t)-1 && chown(me.sun_path, (uid_t)-1, d->gid) < 0) {
		/* group ownership is best effort, like vde-2 */
	}
	int sz = DATA_SOCK_BUF;
	if (sz) {
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	}
	snprintf(path, pathlen, "%s", me.sun_path);
	return fd;
}

static void handle_request(struct swd *d, struct pending_ctl *p)
{
	uint8_t buf[VDE_REQ_READ];
	struct vde_request req;

	ssize_t r = read(p->fd, buf, sizeof(buf));
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		pending_close(d, p);
		return;
	}
	int rc = vdeproto_parse_request(buf, (size_t)r, &req);
	if (rc) {
		d->st.ctl_bad_request++;
		refuse(d, p, rc == EPROTO ? "bad magic (not a VDE request)" :
			     rc == EPROTONOSUPPORT ? "unsupported protocol version" :
			     rc == EBADMSG ? "truncated request" :
			     "malformed request", NULL);
		return;
	}

	/* who is asking: the peer's uid, for port/setuser and port/setgroup */
	struct ucred cred = { .uid = (uid_t)-1 };
	socklen_t credlen = sizeof(cred);
	getsockopt(p->fd, SOL_SOCKET, SO_PEERCRED, &cred, &credlen);

	int port;
	bool created = false;
	if (req.port == VDE_PORT_AUTO) {
		port = sw_port_alloc_ex(&d->sw, &created);
		if (port < 0) {
			refuse(d, p, "no free port", req.descr);
			return;
		}
	} else {
		port = req.port;
		if ((unsigned)port >= d->sw.nports) {
			refuse(d, p, "port out of range", req.descr);
			return;
		}
		if (d->sw.ports[port].ep) {
			refuse(d, p, "port busy", req.descr);
			return;
		}
		if (!d->sw.ports[port].exists) {
			sw_port_create(&d->sw, (unsigned)port, false);
			created = true;
		}
	}
	if (!swd_port_access(&d->sw.ports[port], cred.uid)) {
		if (created)
			sw_port_remove(&d->sw, (unsigned)port);
		char why[96];
		snprintf(why, sizeof(why), "port %d: permission denied to uid %d (port/setuser, port/setgroup)", port,
			 (int)cred.uid);
		refuse(d, p, why, req.descr);
		return;
	}
	if (created)
		swd_event_port(d, true, (unsigned)port);

	char path[108];
	int dfd = make_data_socket(d, (unsigned)port, &req.sock, path, sizeof(path));
	if (dfd < 0) {
		if (created) {
			sw_port_remove(&d->sw, (unsigned)port);
			swd_event_port(d, false, (unsigned)port);
		}
		char why[160];
		snprintf(why, sizeof(why), "cannot reach the client's socket %s: %s",
			 req.sock.sun_path, strerror(-dfd));
		refuse(d, p, why, req.descr);
		return;
	}
	struct sockaddr_un reply = { .sun_family = AF_UNIX };
	snprintf(reply.sun_path, sizeof(reply.sun_path), "%s", path);
	struct ep *ep = NULL;
	if (write(p->fd, &reply, VDE_REPLY_LEN) != VDE_REPLY_LEN ||
	    !(ep = ep_alloc(&ep_vdeport_class, "vde client"))) {
		close(dfd);
		unlink(path);
		if (created) {
			sw_port_remove(&d->sw, (unsigned)port);
			swd_event_port(d, false, (unsigned)port);
		}
		pending_close(d, p);
		return;
	}
	ep->fd = dfd;
	ep->ctl_fd = p->fd;
	snprintf(ep->descr, sizeof(ep->descr), "%s", req.descr);
	/* the ctl connection now belongs to the port */
	loop_del(&d->loop, &p->w);
	uint32_t epid = (uint32_t)p->fd;
	p->fd = -1;
	if (swd_port_attach(d, (unsigned)port, ep, path, epid)) {
		unlink(path);
		ep_close(ep);
		if (created) {
			sw_port_remove(&d->sw, (unsigned)port);
			swd_event_port(d, false, (unsigned)port);
		}
		return;
	}
	d->sw.ports[port].cur_user = (int)cred.uid;
	d->st.ctl_accepted++;
	log_msg(LOG_DEBUG, "port %d: %s", port, req.descr);
}

static void on_pending(struct loop *l, struct loop_watch *w, uint32_t ev)
{
	(void)l;
	(void)ev;
	struct pending_ctl *p = w->arg;
	handle_request(p->d, p);
}

static void on_accept(struct loop *l, struct loop_watch *w, uint32_t ev)
{
	struct swd *d = w->arg;
	(void)l;
	(void)ev;
	for (int burst = 0; burst < 16; burst++) {
		int fd = accept4(d->ctl_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		struct pending_ctl *slot = NULL;
		for (unsigned i = 0; i < SW_MAX_PENDING && !slot; i++)
			if (d->pending[i].fd < 0)
				slot = &d->pending[i];
		if (!slot) {
			/* ctl flood: refuse the newcomer, keep serving everyone else */
			d->st.ctl_overflow++;
			close(fd);
			continue;
		}
		slot->fd = fd;
		slot->since_ns = loop_now_ns();
		slot->w.fd = fd;
		if (loop_add(&d->loop, &slot->w, EPOLLIN)) {
			close(fd);
			slot->fd = -1;
		}
	}
}

void ds_sweep(struct swd *d, uint64_t now_ns)
{
	for (unsigned i = 0; i < SW_MAX_PENDING; i++) {
		struct pending_ctl *p = &d->pending[i];
		if (p->fd >= 0 && now_ns - p->since_ns > SW_PENDING_TIMEOUT_S * 1000000000ull) {
			d->st.ctl_timeout++;
			pending_close(d, p);
		}
	}
}

static bool ctl_alive(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	bool alive = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return alive;
}

int ds_open(struct swd *d, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat stt;

	for (unsigned i = 0; i < SW_MAX_PENDING; i++) {
		d->pending[i].d = d;
		d->pending[i].fd = -1;
		d->pending[i].w.cb = on_pending;
		d->pending[i].w.arg = &d->pending[i];
	}
	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/ctl", d->dir) >= (int)sizeof(sa.sun_path) - 12) {
		snprintf(err, errlen, "%s: path too long for a socket directory", d->dir);
		return ENAMETOOLONG;
	}
	if (mkdir(d->dir, 0700) < 0) {
		if (errno != EEXIST || stat(d->dir, &stt) < 0 || !S_ISDIR(stt.st_mode)) {
			int rc = errno == EEXIST ? ENOTDIR : errno;
			snprintf(err, errlen, "cannot create switch directory %s: %s", d->dir, strerror(rc));
			return rc;
		}
		if (ctl_alive(sa.sun_path)) {
			snprintf(err, errlen, "%s: another switch is already running there", d->dir);
			return EADDRINUSE;
		}
		unlink(sa.sun_path);
	}
	chmod(d->dir, d->dirmode);
	if (d->gid != (gid_t)-1 && chown(d->dir, (uid_t)-1, d->gid) < 0) {
		int rc = errno;
		snprintf(err, errlen, "chown %s: %s", d->dir, strerror(rc));
		return rc;
	}
	d->ctl_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->ctl_fd < 0 || bind(d->ctl_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(d->ctl_fd, 15) < 0) {
		int rc = errno;
		snprintf(err, errlen, "%s: %s", sa.sun_path, strerror(rc));
		if (d->ctl_fd >= 0)
			close(d->ctl_fd);
		d->ctl_fd = -1;
		return rc;
	}
	chmod(sa.sun_path, d->ctlmode);
	if (d->gid != (gid_t)-1 && chown(sa.sun_path, (uid_t)-1, d->gid) < 0) {
		/* best effort */
	}
	d->ctlw.fd = d->ctl_fd;
	d->ctlw.cb = on_accept;
	d->ctlw.arg = d;
	return loop_add(&d->loop, &d->ctlw, EPOLLIN);
}

void ds_close(struct swd *d)
{
	char path[128];
	for (unsigned i = 0; i < SW_MAX_PENDING; i++)
		if (d->pending[i].fd >= 0)
			pending_close(d, &d->pending[i]);
	if (d->ctl_fd >= 0) {
		loop_del(&d->loop, &d->ctlw);
		close(d->ctl_fd);
		d->ctl_fd = -1;
		snprintf(path, sizeof(path), "%s/ctl", d->dir);
		unlink(path);
		/* only empty directories go: never remove what others put there */
		rmdir(d->dir);
	}
}
