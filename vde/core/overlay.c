/* overlay.c - the VTEP behind vxlan://, geneve://, gretap:// and nvgre://
 * (see overlay.h): URL options, sockets, learning, flooding, trunk map. */
#include "overlay.h"

#include "ep.h"
#include "fdb.h"
#include "frame.h"
#include "loop.h"
#include "netns.h"
#include "sockaddr.h"
#include "vxlan.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum {
	OVL_MAX_REMOTES = 32,   /* configured flood list */
	OVL_MAX_VTEPS = 256,    /* configured + learned */
	OVL_FDB_MAX = 4096,
	OVL_AGE_S = 300,
	OVL_MAX_OUT = VPKT_BURST * OVL_MAX_REMOTES,
	IP4_HDR_MIN = 20,
};

struct vtep {
	struct sockaddr_storage sa;
	socklen_t salen;
};

struct overlay {
	const struct overlay_encap *e;
	bool has_id;             /* access mode: a segment id is sent */
	uint32_t id;             /* access mode */
	struct overlay_map map;  /* trunk mode when map.n > 0 */
	struct vtep vteps[OVL_MAX_VTEPS];
	unsigned nvteps, nremotes; /* vteps[0..nremotes) are configured */
	uint16_t lport;          /* 0 for raw IP */
	int family;
	int tx_fd[OVERLAY_TX_SOCKS]; /* raw IP: [0] is the receiving socket itself */
	unsigned ntx;
	struct fdb fdb;          /* (inner MAC, VLAN or 0) -> vtep index */
	uint64_t next_age_ns;
	uint8_t *scratch;        /* VPKT_BURST flattened frames */
	uint8_t hdr[VPKT_BURST][OVERLAY_HDR_MAX];
	struct { uint64_t bad[OVERLAY_MAX_DROPS], bad_id, bad_ip, unmapped, flooded, learned, vteps_full; } st;
	char descr_remotes[96];
};

_Static_assert(sizeof(struct overlay) <= OVERLAY_PRIV_SIZE, "OVERLAY_PRIV_SIZE too small");

int overlay_map_parse(const char *s, uint32_t id_max, struct overlay_map *m, char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	const char *p = s;
	while (*p) {
		char *e;
		unsigned long vlan = strtoul(p, &e, 10), id;
		if (e == p || *e != ':' || vlan < 1 || vlan > 4094 || p[0] == '-' || p[0] == '+')
			goto bad;
		p = e + 1;
		id = strtoul(p, &e, 10);
		if (e == p || (*e && *e != ',') || id > id_max || p[0] == '-' || p[0] == '+')
			goto bad;
		if (overlay_map_by_vlan(m, (uint16_t)vlan) >= 0 || overlay_map_by_id(m, (uint32_t)id) >= 0) {
			snprintf(err, errlen, "map \"%s\": VLAN %lu or segment %lu appears twice", s, vlan, id);
			return EINVAL;
		}
		if (m->n == OVERLAY_MAP_MAX) {
			snprintf(err, errlen, "map \"%s\": more than %d pairs", s, OVERLAY_MAP_MAX);
			return EINVAL;
		}
		m->vlan[m->n] = (uint16_t)vlan;
		m->id[m->n] = (uint32_t)id;
		m->n++;
		if (*e == ',' && !e[1])
			goto bad;
		p = *e ? e + 1 : e;
	}
	if (m->n)
		return 0;
bad:
	snprintf(err, errlen, "map \"%s\": expected VLAN:ID[,VLAN:ID...] (VLAN 1-4094, ID 0-%lu)", s,
		 (unsigned long)id_max);
	return EINVAL;
}

int overlay_map_by_id(const struct overlay_map *m, uint32_t id)
{
	for (unsigned i = 0; i < m->n; i++)
		if (m->id[i] == id)
			return (int)i;
	return -1;
}

int overlay_map_by_vlan(const struct overlay_map *m, uint16_t vlan)
{
	for (unsigned i = 0; i < m->n; i++)
		if (m->vlan[i] == vlan)
			return (int)i;
	return -1;
}

static int add_vtep(struct overlay *x, const struct sockaddr_storage *sa, socklen_t len)
{
	for (unsigned i = 0; i < x->nvteps; i++)
		if (x->vteps[i].salen == len && !memcmp(&x->vteps[i].sa, sa, len))
			return (int)i;
	if (x->nvteps == OVL_MAX_VTEPS)
		return -1;
	x->vteps[x->nvteps].sa = *sa;
	x->vteps[x->nvteps].salen = len;
	return (int)x->nvteps++;
}

static void set_port(struct sockaddr_storage *sa, uint16_t port)
{
	if (sa->ss_family == AF_INET)
		((struct sockaddr_in *)sa)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)sa)->sin6_port = htons(port);
}

/* Parse "HOST[:PORT]" ("[V6][:PORT]") with the default port of the
 * encapsulation, or "HOST" ("[V6]", "V6") for a raw-IP one, which has no
 * ports. `shown` gets the address as it will be listed. */
static int parse_addr(const struct overlay_encap *e, const char *what, const char *v, struct sockaddr_storage *sa,
		      socklen_t *len, char *shown, size_t shownlen, char *err, size_t errlen)
{
	char tmp[128];
	int rc;
	if (!e->udp_port) {
		bool bracketed = v[0] == '[';
		const char *colon = bracketed ? strstr(v, "]:") : strchr(v, ':');
		if (colon && (bracketed || !strchr(colon + 1, ':'))) {
			snprintf(err, errlen, "%s %s: %s has no ports (IP protocol %u)", what, v, e->name, e->ip_proto);
			return EINVAL;
		}
		if ((rc = sockaddr_parse_host(v, sa, len, err, errlen)))
			return rc;
		snprintf(shown, shownlen, "%s", v);
		return 0;
	}
	const char *colon = v[0] == '[' ? strstr(v, "]:") : strchr(v, ':');
	if (strlen(v) + 8 >= sizeof(tmp)) {
		snprintf(err, errlen, "%s %s: too long", what, v);
		return EINVAL;
	}
	snprintf(tmp, sizeof(tmp), colon ? "%s" : "%s:%u", v, e->udp_port);
	if ((rc = sockaddr_parse(tmp, 0, AF_UNSPEC, sa, len, err, errlen)))
		return rc;
	snprintf(shown, shownlen, "%s", tmp);
	return 0;
}

static int parse_id(const struct overlay_encap *e, const char *v, uint32_t *id, char *err, size_t errlen)
{
	char *end;
	unsigned long long n = strtoull(v, &end, 10);
	if (!*v || *end || v[0] == '-' || v[0] == '+' || n > e->id_max) {
		snprintf(err, errlen, "%s=%s: expected 0..%lu", e->id_key, v, (unsigned long)e->id_max);
		return EINVAL;
	}
	*id = (uint32_t)n;
	return 0;
}

/* The socket of a raw-IP encapsulation: one, bound to the local address,
 * for both directions (the kernel writes the IP header). */
static int raw_socket(const struct overlay_encap *e, const struct sockaddr_storage *la, socklen_t llen,
		      const char *shown, const char *ns, char *err, size_t errlen)
{
	int rc, self = -1;
	if (ns && (self = netns_enter(ns, err, errlen)) < 0)
		return self;
	int fd = socket(la->ss_family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, e->ip_proto);
	rc = fd < 0 ? errno : 0;
	if (ns)
		netns_leave(self);
	if (fd < 0) {
		if (rc == EPERM)
			snprintf(err, errlen, "%s needs a raw IP socket (protocol %u): run with CAP_NET_RAW", e->name,
				 e->ip_proto);
		else
			snprintf(err, errlen, "raw socket: %s", strerror(rc));
		return -rc;
	}
	int sz = 4 << 20, pmtu = IP_PMTUDISC_DONT;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (la->ss_family == AF_INET)
		setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu));
	if (bind(fd, (const struct sockaddr *)la, llen) < 0) {
		rc = errno;
		snprintf(err, errlen, "bind %s: %s", shown, strerror(rc));
		close(fd);
		return -rc;
	}
	return fd;
}

/* The senders of a UDP encapsulation: the receiving socket's address with
 * ephemeral ports, one per flow-hash bucket. */
static int udp_senders(struct overlay *x, struct sockaddr_storage la, socklen_t lalen, const char *ns, char *err,
		       size_t errlen)
{
	set_port(&la, 0);
	int self = ns ? netns_enter(ns, err, errlen) : -1;
	if (ns && self < 0)
		return EIO;
	for (int i = 0; i < OVERLAY_TX_SOCKS; i++) {
		int t = socket(la.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		int sz = 1 << 20, pmtu = IP_PMTUDISC_DONT, rcv = 4096;
		if (t < 0 || bind(t, (struct sockaddr *)&la, lalen) < 0) {
			int rc = errno;
			snprintf(err, errlen, "sending socket: %s", strerror(rc));
			if (t >= 0)
				close(t);
			break;
		}
		setsockopt(t, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
		setsockopt(t, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
		if (la.ss_family == AF_INET) {
			/* zero outer UDP checksum over IPv4, as Linux's vxlan and
			 * geneve by default (RFC 7348 §5, RFC 8926 §3.3 allow it) */
			int nocheck = 1;
			setsockopt(t, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu));
			setsockopt(t, SOL_SOCKET, SO_NO_CHECK, &nocheck, sizeof(nocheck));
		}
		shutdown(t, SHUT_RD);
		x->tx_fd[x->ntx++] = t;
	}
	if (ns)
		netns_leave(self);
	return x->ntx == OVERLAY_TX_SOCKS ? 0 : EIO;
}

int overlay_open(struct ep *ep, const struct overlay_encap *e, const struct ep_url *u, char *err, size_t errlen)
{
	struct overlay *x = ep->priv;
	char local[128];
	const char *ns = ep_url_get(u, "netns");
	int rc, fd = -1;

	x->e = e;
	if (!u->path[0] || u->remote) {
		snprintf(err, errlen, "expected %s?%s=N&remote=HOST%s", ep->cls->syntax, e->id_key,
			 e->udp_port ? "[:PORT]" : "");
		return EINVAL;
	}
	struct sockaddr_storage la;
	socklen_t lalen = sizeof(la);
	if ((rc = parse_addr(e, "local address", u->path, &la, &lalen, local, sizeof(local), err, errlen)))
		return rc;
	for (unsigned i = 0; i < u->nopts; i++) {
		const char *k = u->opt[i].key, *v = u->opt[i].val;
		if (!strcmp(k, e->id_key)) {
			if ((rc = parse_id(e, v, &x->id, err, errlen)))
				return rc;
			x->has_id = true;
		} else if (!strcmp(k, "map")) {
			if ((rc = overlay_map_parse(v, e->id_max, &x->map, err, errlen)))
				return rc;
		} else if (!strcmp(k, "remote")) {
			char r[128];
			struct sockaddr_storage sa;
			socklen_t len;
			if ((rc = parse_addr(e, "remote", v, &sa, &len, r, sizeof(r), err, errlen)))
				return rc;
			if (x->nremotes == OVL_MAX_REMOTES) {
				snprintf(err, errlen, "more than %d remotes", OVL_MAX_REMOTES);
				return EINVAL;
			}
			add_vtep(x, &sa, len);
			x->nremotes = x->nvteps;
			size_t o = strlen(x->descr_remotes);
			snprintf(x->descr_remotes + o, sizeof(x->descr_remotes) - o, "%s%s", o ? "," : "", r);
		} /* netns: read above; other keys were refused by ep_url_parse */
	}
	if (x->has_id && x->map.n) {
		snprintf(err, errlen, "give one of %s=N and map=VLAN:ID,..., not both", e->id_key);
		return EINVAL;
	}
	if (!x->has_id && !x->map.n && !e->id_optional) {
		snprintf(err, errlen, "give one of %s=N and map=VLAN:ID,...", e->id_key);
		return EINVAL;
	}
	if (e->udp_port) {
		lalen = sizeof(la);
		if ((fd = ep_udp_socket(local, NULL, ns, err, errlen)) < 0)
			return -fd;
		getsockname(fd, (struct sockaddr *)&la, &lalen);
		x->lport = ntohs(la.ss_family == AF_INET ? ((struct sockaddr_in *)&la)->sin_port
						       : ((struct sockaddr_in6 *)&la)->sin6_port);
		rc = udp_senders(x, la, lalen, ns, err, errlen);
	} else {
		if ((fd = raw_socket(e, &la, lalen, local, ns, err, errlen)) < 0)
			return -fd;
		x->tx_fd[0] = fd;
		x->ntx = 1;
		rc = 0;
	}
	for (unsigned r = 0; r < x->nremotes && !rc; r++)
		if (x->vteps[r].sa.ss_family != la.ss_family) {
			snprintf(err, errlen, "remote %u and the local address are of different families", r + 1);
			rc = EINVAL;
		}
	x->family = la.ss_family;
	if (!rc && fdb_init(&x->fdb, OVL_FDB_MAX, OVL_AGE_S * 1000000000ULL, 0,
			    (uint64_t)(uintptr_t)x ^ loop_now_ns()))
		rc = ENOMEM;
	if (!rc && !(x->scratch = malloc((size_t)VPKT_BURST * VPKT_MAXFRAME)))
		rc = ENOMEM;
	if (rc) {
		close(fd);
		for (unsigned i = 0; i < x->ntx; i++)
			if (x->tx_fd[i] != fd)
				close(x->tx_fd[i]);
		x->ntx = 0;
		fdb_destroy(&x->fdb);
		if (!err[0])
			snprintf(err, errlen, "%s", strerror(rc));
		return rc;
	}
	const char *to = x->nremotes ? x->descr_remotes : "(learned only)";
	if (x->map.n)
		snprintf(ep->descr, sizeof(ep->descr), "%s %s map of %u %ss -> %s", e->name, local, x->map.n,
			 e->id_key, to);
	else if (x->has_id)
		snprintf(ep->descr, sizeof(ep->descr), "%s %s %s %u -> %s", e->name, local, e->id_key, x->id, to);
	else
		snprintf(ep->descr, sizeof(ep->descr), "%s %s no %s -> %s", e->name, local, e->id_key, to);
	ep->fd = fd;
	return 0;
}

/* The FDB key of a segment: its VLAN in trunk mode, 0 in access mode. */
static uint16_t fdb_key(const struct overlay *x, int mi)
{
	return mi >= 0 ? x->map.vlan[mi] : 0;
}

static bool same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return !memcmp(&((const struct sockaddr_in *)a)->sin_addr, &((const struct sockaddr_in *)b)->sin_addr, 4);
	return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, &((const struct sockaddr_in6 *)b)->sin6_addr, 16);
}

/* Learn the sender of a frame: its address with our (the standard) port. */
static void learn(struct overlay *x, const uint8_t *smac, int mi, struct sockaddr_storage sa, socklen_t salen,
		  uint64_t now)
{
	int vi = -1;
	for (unsigned r = 0; r < x->nremotes && vi < 0; r++)
		if (same_host(&x->vteps[r].sa, &sa))
			vi = (int)r;
	if (vi < 0) {
		set_port(&sa, x->lport);
		vi = add_vtep(x, &sa, salen);
	}
	if (vi < 0)
		x->st.vteps_full++;
	else if (fdb_learn(&x->fdb, smac, fdb_key(x, mi), (uint16_t)vi, now, NULL) != FDB_REFRESHED)
		x->st.learned++;
}

int overlay_recv(struct ep *ep, struct vpkt **pkts, unsigned n)
{
	struct overlay *x = ep->priv;
	const struct overlay_encap *e = x->e;
	struct mmsghdr msg[VPKT_BURST];
	struct iovec iov[VPKT_BURST];
	struct sockaddr_storage from[VPKT_BURST];
	/* IPv4 raw sockets deliver the IP header too */
	size_t ip = !e->udp_port && x->family == AF_INET ? IP4_HDR_MIN : 0, pre = ip + e->hdr_min;

	if (n > VPKT_BURST)
		n = VPKT_BURST;
	int got = ep_recv_mmsg(ep, pkts, n, pre, msg, iov, from);
	if (got <= 0)
		return got;
	uint64_t now = loop_now_ns();
	if (now >= x->next_age_ns) {
		fdb_age(&x->fdb, now);
		x->next_age_ns = now + 1000000000ULL;
	}
	unsigned k = 0;
	for (int i = 0; i < got; i++) {
		struct vpkt *p = pkts[i];
		const uint8_t *h = iov[i].iov_base;
		size_t len = msg[i].msg_len, iph = 0;
		if (msg[i].msg_hdr.msg_flags & MSG_TRUNC) {
			ep->st.rx_oversize++;
			continue;
		}
		if (ip) {
			iph = len >= IP4_HDR_MIN && h[0] >> 4 == 4 ? (size_t)(h[0] & 15) * 4 : 0;
			if (iph < IP4_HDR_MIN || iph > len || (h[6] & 0x3f) || h[7]) {
				/* runt, not IPv4, or a fragment the kernel did not reassemble */
				x->st.bad_ip++;
				ep->st.rx_errors++;
				continue;
			}
		}
		bool has_id = false;
		uint32_t id = 0;
		int hl = e->parse(h + iph, len - iph, &has_id, &id);
		if (hl < 0) {
			x->st.bad[-hl - 1]++;
			ep->st.rx_errors++;
			continue;
		}
		int mi = -1;
		if (x->map.n ? !has_id || (mi = overlay_map_by_id(&x->map, id)) < 0
			     : has_id != x->has_id || id != x->id) {
			x->st.bad_id++;
			ep->st.rx_errors++;
			continue;
		}
		size_t outer = iph + (size_t)hl;
		if (len < outer + ETH_HDR_LEN) {
			ep->st.rx_runt++;
			continue;
		}
		len -= outer;
		p->off = (uint16_t)(p->off + outer - pre);
		uint8_t *f = vpkt_data(p);
		if (!mac_is_group(f + 6))
			learn(x, f + 6, mi, from[i], msg[i].msg_hdr.msg_namelen, now);
		if (mi >= 0) {
			/* trunk: give the switch the frame tagged with the segment's VLAN */
			p->off -= VLAN_TAG_LEN;
			memmove(vpkt_data(p), f, 12);
			frame_make_tag(vpkt_data(p) + 12, x->map.vlan[mi], 0);
			len += VLAN_TAG_LEN;
		}
		ep_rx_keep(ep, pkts, (unsigned)i, &k, len);
	}
	return (int)k;
}

static void send_run(struct ep *ep, int fd, struct mmsghdr *m, unsigned cnt)
{
	unsigned off = 0;
	while (off < cnt) {
		int sent = sendmmsg(fd, m + off, cnt - off, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (sent < 0) {
			if (errno == EINTR)
				continue;
			ep->st.tx_errors++;
			off++;
			continue;
		}
		off += (unsigned)sent;
	}
}

int overlay_send(struct ep *ep, struct vtx *tx, unsigned n)
{
	struct overlay *x = ep->priv;
	static struct mmsghdr msg[OVL_MAX_OUT];
	static struct iovec iov[VPKT_BURST][2];
	static int mfd[OVL_MAX_OUT];
	unsigned done = 0;

	while (done < n) {
		unsigned m = n - done > VPKT_BURST ? VPKT_BURST : n - done, nm = 0;
		for (unsigned i = 0; i < m; i++) {
			const struct vtx *t = &tx[done + i];
			uint8_t *f = x->scratch + (size_t)i * VPKT_MAXFRAME;
			size_t len = t->len;
			uint32_t id = x->id;
			bool has_id = x->has_id;
			int mi = -1;
			vtx_flatten(t, f);
			if (x->map.n) {
				struct frame_info fi;
				if (frame_parse(f, len, &fi) != FRAME_OK || fi.vid == FRAME_UNTAGGED ||
				    (mi = overlay_map_by_vlan(&x->map, fi.vid)) < 0) {
					x->st.unmapped++;
					ep->st.tx_errors++;
					continue;
				}
				id = x->map.id[mi];
				has_id = true;
				/* untag: the segment carries the VLAN now */
				memmove(f + VLAN_TAG_LEN, f, 12);
				f += VLAN_TAG_LEN;
				len -= VLAN_TAG_LEN;
			}
			uint32_t flow = vxlan_flow_hash(f, len);
			iov[i][0].iov_base = x->hdr[i];
			iov[i][0].iov_len = x->e->build(x->hdr[i], has_id, id, flow);
			iov[i][1].iov_base = f;
			iov[i][1].iov_len = len;
			int fd = x->tx_fd[flow % x->ntx];
			uint32_t fe = mac_is_group(f) ? FDB_NONE : fdb_lookup(&x->fdb, f, fdb_key(x, mi));
			unsigned first = fe != FDB_NONE ? x->fdb.tab[fe].port : 0;
			unsigned last = fe != FDB_NONE ? first + 1 : x->nremotes;
			if (fe == FDB_NONE)
				x->st.flooded++;
			for (unsigned r = first; r < last; r++) {
				memset(&msg[nm].msg_hdr, 0, sizeof(msg[nm].msg_hdr));
				msg[nm].msg_hdr.msg_iov = iov[i];
				msg[nm].msg_hdr.msg_iovlen = 2;
				msg[nm].msg_hdr.msg_name = &x->vteps[r].sa;
				msg[nm].msg_hdr.msg_namelen = x->vteps[r].salen;
				mfd[nm++] = fd;
			}
			ep->st.tx_pkts++;
			ep->st.tx_bytes += t->len;
		}
		/* one sendmmsg per run of messages that leave by the same socket */
		for (unsigned s = 0; s < nm;) {
			unsigned e = s + 1;
			while (e < nm && mfd[e] == mfd[s])
				e++;
			send_run(ep, mfd[s], msg + s, e - s);
			s = e;
		}
		done += m;
	}
	return (int)n;
}

void overlay_info(const struct ep *ep, char *buf, size_t len)
{
	const struct overlay *x = ep->priv;
	const struct overlay_encap *e = x->e;
	size_t o = (size_t)snprintf(buf, len, "type=%s port=%u remotes=%u vteps=%u fdb=%u learned=%llu flooded=%llu",
				    e->name, x->lport, x->nremotes, x->nvteps, x->fdb.count,
				    (unsigned long long)x->st.learned, (unsigned long long)x->st.flooded);
	for (int i = 0; i < OVERLAY_MAX_DROPS && e->drops[i] && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, " %s=%llu", e->drops[i], (unsigned long long)x->st.bad[i]);
	if (o < len)
		o += (size_t)snprintf(buf + o, len - o, " bad_%s=%llu unmapped=%llu", e->id_key,
				      (unsigned long long)x->st.bad_id, (unsigned long long)x->st.unmapped);
	if (!e->udp_port && o < len)
		snprintf(buf + o, len - o, " bad_ip=%llu", (unsigned long long)x->st.bad_ip);
}

void overlay_close(struct ep *ep)
{
	struct overlay *x = ep->priv;
	for (unsigned i = 0; i < x->ntx; i++)
		if (x->tx_fd[i] != ep->fd)
			close(x->tx_fd[i]);
	fdb_destroy(&x->fdb);
	free(x->scratch);
}
