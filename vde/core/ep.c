#include "ep.h"
#include "frame.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

const struct ep_class *const ep_classes[] = {
	&ep_vde_class, &ep_tap_class, &ep_udp_class, &ep_stdio_class, &ep_vxlan_class,
	&ep_cable_class, &ep_pcap_class, NULL,
};

struct ep *ep_alloc(const struct ep_class *cls, const char *url)
{
	struct ep *ep = calloc(1, sizeof(*ep) + cls->priv_size);
	if (!ep)
		return NULL;
	ep->cls = cls;
	ep->fd = ep->ctl_fd = -1;
	ep->priv = cls->priv_size ? (void *)(ep + 1) : NULL;
	snprintf(ep->url, sizeof(ep->url), "%s", url ? url : "");
	return ep;
}

int ep_open(const char *url, struct ep **out, char *err, size_t errlen)
{
	const struct ep_class *cls = NULL;
	const char *args;
	const char *sep = strstr(url, "://");

	*out = NULL;
	if (*url == '\0') {
		snprintf(err, errlen, "empty endpoint URL");
		return EINVAL;
	}
	if (strcmp(url, "-") == 0) {
		cls = &ep_stdio_class;
		args = "";
	} else if (!sep) {
		cls = &ep_vde_class; /* a bare path is a VDE switch, as in vdeplug4 */
		args = url;
	} else {
		size_t slen = (size_t)(sep - url);
		for (unsigned i = 0; ep_classes[i]; i++)
			if (strlen(ep_classes[i]->scheme) == slen &&
			    strncmp(ep_classes[i]->scheme, url, slen) == 0)
				cls = ep_classes[i];
		if (!cls) {
			snprintf(err, errlen, "%s: unknown scheme \"%.*s\" (known: vde, tap, udp, stdio, vxlan, cable, pcap)",
				 url, (int)slen, url);
			return EPROTONOSUPPORT;
		}
		args = sep + 3;
	}
	struct ep *ep = ep_alloc(cls, url);
	if (!ep) {
		snprintf(err, errlen, "out of memory");
		return ENOMEM;
	}
	char why[200] = "";
	int rc = cls->open(ep, args, why, sizeof(why));
	if (rc) {
		snprintf(err, errlen, "%s: %s", url, why[0] ? why : strerror(rc));
		free(ep);
		return rc;
	}
	*out = ep;
	return 0;
}

char *ep_query_next(char **cursor, char **key, char **val)
{
	char *s = *cursor;
	if (!s || !*s)
		return NULL;
	char *amp = strchr(s, '&');
	if (amp) {
		*amp = '\0';
		*cursor = amp + 1;
	} else {
		*cursor = s + strlen(s);
	}
	char *eq = strchr(s, '=');
	*key = s;
	if (eq) {
		*eq = '\0';
		*val = eq + 1;
	} else {
		*val = s + strlen(s);
	}
	return s;
}

void ep_close(struct ep *ep)
{
	if (!ep)
		return;
	if (ep->cls->close)
		ep->cls->close(ep);
	if (ep->fd >= 0)
		close(ep->fd);
	if (ep->ctl_fd >= 0 && ep->ctl_fd != ep->fd)
		close(ep->ctl_fd);
	free(ep);
}

int ep_recv_mmsg(struct ep *ep, struct vpkt **pkts, unsigned n, size_t pre, struct mmsghdr *msg,
		 struct iovec *iov, struct sockaddr_storage *from)
{
	for (unsigned i = 0; i < n; i++) {
		pkts[i]->off = VPKT_HEADROOM;
		iov[i].iov_base = vpkt_data(pkts[i]) - pre;
		iov[i].iov_len = VPKT_RX_ROOM + pre;
		memset(&msg[i].msg_hdr, 0, sizeof(msg[i].msg_hdr));
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
		if (from) {
			msg[i].msg_hdr.msg_name = &from[i];
			msg[i].msg_hdr.msg_namelen = sizeof(from[i]);
		}
	}
	int got = recvmmsg(ep->fd, msg, n, MSG_DONTWAIT, NULL);
	if (got >= 0)
		return got;
	if (errno == EAGAIN || errno == EINTR)
		return 0;
	if (errno == ECONNREFUSED) { /* UDP: ICMP from an absent peer */
		ep->st.rx_errors++;
		return 0;
	}
	return -errno;
}

int ep_dgram_recv(struct ep *ep, struct vpkt **pkts, unsigned n)
{
	struct mmsghdr msg[VPKT_BURST];
	struct iovec iov[VPKT_BURST];

	if (n > VPKT_BURST)
		n = VPKT_BURST;
	int got = ep_recv_mmsg(ep, pkts, n, 0, msg, iov, NULL);
	if (got <= 0)
		return got;
	/* Keep good frames at the front, in order; buffers of dropped ones
	 * are swapped to the back so the caller still owns all n. */
	unsigned k = 0;
	for (int i = 0; i < got; i++) {
		size_t len = msg[i].msg_len;
		if (msg[i].msg_hdr.msg_flags & MSG_TRUNC) {
			ep->st.rx_oversize++;
			continue;
		}
		ep_rx_keep(ep, pkts, (unsigned)i, &k, len);
	}
	return (int)k;
}

void ep_rx_keep(struct ep *ep, struct vpkt **pkts, unsigned i, unsigned *k, size_t len)
{
	if (len < ETH_HDR_LEN) {
		ep->st.rx_runt++;
		return;
	}
	if (len > VPKT_MAXFRAME) {
		ep->st.rx_oversize++;
		return;
	}
	pkts[i]->len = (uint16_t)len;
	ep->st.rx_pkts++;
	ep->st.rx_bytes += len;
	if (i != *k) {
		struct vpkt *t = pkts[*k];
		pkts[*k] = pkts[i];
		pkts[i] = t;
	}
	(*k)++;
}

int ep_dgram_send(struct ep *ep, struct vtx *tx, unsigned n)
{
	struct mmsghdr msg[VPKT_BURST];
	unsigned done = 0;

	while (done < n) {
		unsigned m = n - done > VPKT_BURST ? VPKT_BURST : n - done;
		for (unsigned i = 0; i < m; i++) {
			memset(&msg[i].msg_hdr, 0, sizeof(msg[i].msg_hdr));
			msg[i].msg_hdr.msg_iov = tx[done + i].iov;
			msg[i].msg_hdr.msg_iovlen = tx[done + i].niov;
		}
		int sent = sendmmsg(ep->fd, msg, m, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (sent < 0) {
			if (errno == EAGAIN || errno == ENOBUFS)
				return (int)done; /* full: the caller keeps the rest */
			if (errno == EINTR)
				continue;
			/* the first frame is refused (ECONNREFUSED, EMSGSIZE, ...):
			 * drop it, count it, go on with the others */
			ep->st.tx_errors++;
			done++;
			continue;
		}
		for (int i = 0; i < sent; i++) {
			ep->st.tx_pkts++;
			ep->st.tx_bytes += tx[done + i].len;
		}
		done += (unsigned)sent;
	}
	return (int)done;
}

int ep_ctl_eof_check(struct ep *ep)
{
	char buf[256];
	ssize_t r = recv(ep->ctl_fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (r > 0 || (r < 0 && (errno == EAGAIN || errno == EINTR)))
		return 0; /* the ctl stream is silent by contract; ignore chatter */
	return -EPIPE;
}

static int vdeport_open(struct ep *ep, const char *args, char *err, size_t errlen)
{
	(void)ep; (void)args;
	snprintf(err, errlen, "switch ports are created by the switch, not from a URL");
	return EINVAL;
}

const struct ep_class ep_vdeport_class = {
	.scheme = "vdeport",
	.syntax = "(a client of this switch)",
	.open = vdeport_open,
	.recv_batch = ep_dgram_recv,
	.send_batch = ep_dgram_send,
	.ctl_event = ep_ctl_eof_check,
};
