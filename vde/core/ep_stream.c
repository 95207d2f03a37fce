/* ep_stream.c - stdio:// (or "-"): frames on a byte stream, each preceded by
 * its length as 2 bytes big-endian. This is vde_plug's stdin/stdout framing,
 * used by dpipe, wirefilter and ssh cables (vde-2 libvdeplug.c; vdeplug4
 * libvdestream.c). A length of 0 or above STREAM_MAXLEN cannot be resynced
 * and ends the endpoint (-EPROTO). Writes block: a stream has no datagram
 * boundary to drop at, and blocking gives the writer back-pressure. */
#include "ep.h"
#include "limits.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct stream_priv {
	int wfd;
	size_t have;                       /* bytes buffered in rbuf */
	uint8_t rbuf[4 * (STREAM_MAXLEN + 2)];
};

/* Move complete frames from the buffer into pkts. */
static int extract(struct ep *ep, struct stream_priv *sp, struct vpkt **pkts, unsigned n,
		   unsigned *k)
{
	size_t pos = 0;
	while (*k < n && sp->have - pos >= 2) {
		size_t len = (size_t)sp->rbuf[pos] << 8 | sp->rbuf[pos + 1];
		if (len == 0 || len > STREAM_MAXLEN) {
			ep->st.rx_errors++;
			return -EPROTO;
		}
		if (sp->have - pos < 2 + len)
			break;
		if (len < ETH_HDR_LEN) {
			ep->st.rx_runt++;
		} else {
			memcpy(vpkt_data(pkts[*k]), sp->rbuf + pos + 2, len);
			pkts[*k]->len = (uint16_t)len;
			ep->st.rx_pkts++;
			ep->st.rx_bytes += len;
			(*k)++;
		}
		pos += 2 + len;
	}
	memmove(sp->rbuf, sp->rbuf + pos, sp->have - pos);
	sp->have -= pos;
	return 0;
}

static int stream_recv(struct ep *ep, struct vpkt **pkts, unsigned n)
{
	struct stream_priv *sp = ep->priv;
	unsigned k = 0;
	int rc;

	ep->rx_pending = 0;
	if ((rc = extract(ep, sp, pkts, n, &k)))
		return rc;
	while (k < n) {
		ssize_t r = read(ep->fd, sp->rbuf + sp->have, sizeof(sp->rbuf) - sp->have);
		if (r == 0)
			return k ? (int)k : -EPIPE;
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			return k ? (int)k : -errno;
		}
		sp->have += (size_t)r;
		if ((rc = extract(ep, sp, pkts, n, &k)))
			return rc;
	}
	/* complete frames left over: tell the caller not to wait for the fd */
	if (sp->have >= 2) {
		size_t len = (size_t)sp->rbuf[0] << 8 | sp->rbuf[1];
		if (sp->have >= 2 + len)
			ep->rx_pending = 1;
	}
	return (int)k;
}

static int write_all(int fd, struct iovec *iov, int cnt)
{
	while (cnt > 0) {
		ssize_t w = writev(fd, iov, cnt);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		while (cnt > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

static int stream_send(struct ep *ep, struct vtx *tx, unsigned n)
{
	struct stream_priv *sp = ep->priv;
	for (unsigned i = 0; i < n; i++) {
		uint8_t hdr[2] = { (uint8_t)(tx[i].len >> 8), (uint8_t)tx[i].len };
		struct iovec iov[VTX_MAXSEG + 1];
		iov[0].iov_base = hdr;
		iov[0].iov_len = 2;
		memcpy(iov + 1, tx[i].iov, tx[i].niov * sizeof(struct iovec));
		int rc = write_all(sp->wfd, iov, tx[i].niov + 1);
		if (rc)
			return rc == -EPIPE ? -EPIPE : rc;
		ep->st.tx_pkts++;
		ep->st.tx_bytes += tx[i].len;
	}
	return (int)n;
}

static void stream_close(struct ep *ep)
{
	struct stream_priv *sp = ep->priv;
	if (sp->wfd >= 0 && sp->wfd != ep->fd)
		close(sp->wfd);
}

static int stdio_open(struct ep *ep, const struct ep_url *u, char *err, size_t errlen)
{
	struct stream_priv *sp = ep->priv;
	if (*u->path) {
		snprintf(err, errlen, "stdio:// takes no arguments");
		return EINVAL;
	}
	ep->fd = dup(STDIN_FILENO);
	sp->wfd = dup(STDOUT_FILENO);
	if (ep->fd < 0 || sp->wfd < 0) {
		snprintf(err, errlen, "stdin/stdout not open");
		if (ep->fd >= 0)
			close(ep->fd);
		if (sp->wfd >= 0)
			close(sp->wfd);
		ep->fd = -1;
		return EBADF;
	}
	fcntl(ep->fd, F_SETFL, fcntl(ep->fd, F_GETFL) | O_NONBLOCK);
	fcntl(sp->wfd, F_SETFL, fcntl(sp->wfd, F_GETFL) & ~O_NONBLOCK);
	snprintf(ep->descr, sizeof(ep->descr), "stdin/stdout stream");
	return 0;
}

const struct ep_class ep_stdio_class = {
	.scheme = "stdio",
	.syntax = "stdio:// or -",
	.help = "2-byte big-endian length + frame on stdin/stdout (vde_plug's framing, dpipe)",
	.priv_size = sizeof(struct stream_priv),
	.open = stdio_open,
	.recv_batch = stream_recv,
	.send_batch = stream_send,
	.close = stream_close,
};

struct ep *ep_stream_new(int rfd, int wfd, const char *url)
{
	struct ep *ep = ep_alloc(&ep_stdio_class, url);
	if (!ep)
		return NULL;
	struct stream_priv *sp = ep->priv;
	ep->fd = rfd;
	sp->wfd = wfd;
	fcntl(rfd, F_SETFL, fcntl(rfd, F_GETFL) | O_NONBLOCK);
	return ep;
}
