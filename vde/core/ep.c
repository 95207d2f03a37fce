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
	&ep_geneve_class, &ep_gretap_class, &ep_nvgre_class, &ep_cable_class, &ep_pcap_class, &ep_slirp_class, NULL,
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

const char *ep_scheme_list(void)
{
	static char list[128];
	if (!list[0]) {
		size_t o = 0;
		for (unsigned i = 0; ep_classes[i]; i++)
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "", ep_classes[i]->scheme);
	}
	return list;
}

static void opts_list(const struct ep_class *cls, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (unsigned i = 0; cls->options && cls->options[i].key && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s=%s%s", i ? ", " : "", cls->options[i].key,
				      cls->options[i].arg, cls->options[i].repeat ? " (repeatable)" : "");
	if (!buf[0])
		snprintf(buf, len, "no options");
}

void ep_help(char *buf, size_t len, unsigned indent)
{
	size_t o = 0;
	buf[0] = '\0';
	for (unsigned i = 0; ep_classes[i] && o < len; i++) {
		const struct ep_class *c = ep_classes[i];
		char opts[256];
		opts_list(c, opts, sizeof(opts));
		o += (size_t)snprintf(buf + o, len - o, "%*s%s\n%*s    %s\n", (int)indent, "", c->syntax,
				      (int)indent, "", c->help);
		if (c->options && o < len)
			o += (size_t)snprintf(buf + o, len - o, "%*s    options: %s\n", (int)indent, "", opts);
	}
}

static const struct ep_opt *opt_find(const struct ep_class *cls, const char *key)
{
	for (unsigned i = 0; cls->options && cls->options[i].key; i++)
		if (!strcmp(cls->options[i].key, key))
			return &cls->options[i];
	return NULL;
}

int ep_url_parse(const char *url, struct ep_url *u, char *err, size_t errlen)
{
	const char *sep = strstr(url, "://");
	const char *rest;
	memset(u, 0, sizeof(*u));
	if (*url == '\0') {
		snprintf(err, errlen, "empty endpoint URL");
		return EINVAL;
	}
	if (strlen(url) >= EP_URL_MAX) {
		snprintf(err, errlen, "endpoint URL longer than %d bytes", EP_URL_MAX - 1);
		return EINVAL;
	}
	if (strcmp(url, "-") == 0) {
		u->cls = &ep_stdio_class;
		rest = "";
	} else if (!sep) {
		u->cls = &ep_vde_class; /* a bare path is a VDE switch, as in vdeplug4 */
		rest = url;
	} else {
		size_t slen = (size_t)(sep - url);
		for (unsigned i = 0; ep_classes[i]; i++)
			if (strlen(ep_classes[i]->scheme) == slen && strncmp(ep_classes[i]->scheme, url, slen) == 0)
				u->cls = ep_classes[i];
		if (!u->cls) {
			snprintf(err, errlen, "unknown scheme \"%.*s\" (known: %s)", (int)slen, url, ep_scheme_list());
			return EPROTONOSUPPORT;
		}
		rest = sep + 3;
	}
	/* buf: PATH \0 LOCAL \0 REMOTE \0 and the options, split in place */
	char *b = u->buf;
	size_t plen = strcspn(rest, "?");
	memcpy(b, rest, plen);
	b[plen] = '\0';
	u->path = b;
	char *loc = b + plen + 1;
	memcpy(loc, rest, plen);
	loc[plen] = '\0';
	u->local = loc;
	char *at = strchr(loc, '@');
	if (at) {
		*at = '\0';
		u->remote = at + 1;
	}
	if (rest[plen] != '?')
		return 0;
	char *q = loc + plen + 1;
	snprintf(q, sizeof(u->buf) - (size_t)(q - u->buf), "%s", rest + plen + 1);
	char opts[256];
	for (char *save = NULL, *kv = strtok_r(q, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '=');
		if (eq)
			*eq = '\0';
		const struct ep_opt *o = opt_find(u->cls, kv);
		if (!o) {
			opts_list(u->cls, opts, sizeof(opts));
			snprintf(err, errlen, "unknown option \"%s\" (%s:// takes %s)", kv, u->cls->scheme, opts);
			return EINVAL;
		}
		if (!eq || !eq[1]) {
			snprintf(err, errlen, "option \"%s\" needs a value (%s=%s)", kv, o->key, o->arg);
			return EINVAL;
		}
		if (!o->repeat && ep_url_get(u, kv)) {
			snprintf(err, errlen, "option \"%s\" given twice", kv);
			return EINVAL;
		}
		if (u->nopts == EP_URL_MAX_OPTS) {
			snprintf(err, errlen, "more than %d options", EP_URL_MAX_OPTS);
			return EINVAL;
		}
		u->opt[u->nopts].key = kv;
		u->opt[u->nopts++].val = eq + 1;
	}
	return 0;
}

const char *ep_url_get(const struct ep_url *u, const char *key)
{
	for (unsigned i = 0; i < u->nopts; i++)
		if (!strcmp(u->opt[i].key, key))
			return u->opt[i].val;
	return NULL;
}

int ep_open(const char *url, struct ep **out, char *err, size_t errlen)
{
	struct ep_url *u = malloc(sizeof(*u));
	char why[300] = "";
	int rc;

	*out = NULL;
	if (!u) {
		snprintf(err, errlen, "out of memory");
		return ENOMEM;
	}
	if ((rc = ep_url_parse(url, u, why, sizeof(why)))) {
		snprintf(err, errlen, "%s: %s", url, why);
		free(u);
		return rc;
	}
	struct ep *ep = ep_alloc(u->cls, url);
	if (!ep) {
		snprintf(err, errlen, "out of memory");
		free(u);
		return ENOMEM;
	}
	rc = u->cls->open(ep, u, why, sizeof(why));
	if (rc) {
		snprintf(err, errlen, "%s: %s", url, why[0] ? why : strerror(rc));
		free(ep);
	} else {
		*out = ep;
	}
	free(u);
	return rc;
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

static int vdeport_open(struct ep *ep, const struct ep_url *u, char *err, size_t errlen)
{
	(void)ep; (void)u;
	snprintf(err, errlen, "switch ports are created by the switch, not from a URL");
	return EINVAL;
}

const struct ep_class ep_vdeport_class = {
	.scheme = "vdeport",
	.syntax = "(a client of this switch)",
	.help = "a VDE client's data socket",
	.open = vdeport_open,
	.recv_batch = ep_dgram_recv,
	.send_batch = ep_dgram_send,
	.ctl_event = ep_ctl_eof_check,
};
