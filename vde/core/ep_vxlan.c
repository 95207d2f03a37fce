/* ep_vxlan.c - vxlan://LADDR[:LPORT]?vni=N&remote=HOST[:PORT]...: a VTEP
 * (RFC 7348) in user space, interoperable with the Linux kernel's vxlan.
 *
 * Options:  vni=N                  one VNI; frames cross untagged (access)
 *           map=VLAN:VNI,...       several VNIs: 802.1Q-tagged frames from
 *                                  the switch leave in the VNI of their VLAN,
 *                                  received ones come back tagged (trunk), the
 *                                  VLAN-to-VNI mapping of hardware VTEPs
 *           remote=HOST[:PORT]     a VTEP to flood to (repeatable; default
 *                                  port 4789)
 *           netns=NS               sockets in that network namespace
 *
 * Forwarding: the VTEP learns (VNI, inner source MAC) -> the sending VTEP's
 * address (RFC 7348 §4.1); known unicast goes to that VTEP alone, the rest
 * is flooded to every configured remote (head-end replication, as Linux with
 * an all-zeros FDB entry per remote). Entries age after 300 s.
 *
 * Outer UDP source port: frames leave through one of VXLAN_TX_SOCKS sockets
 * with kernel-chosen ephemeral ports, picked by the inner flow hash, so each
 * flow keeps one source port and flows spread over several (ECMP entropy).
 *
 * Dropped and counted: bad flags, a VNI that is not ours, runts; sent frames
 * whose VLAN is not in the map.
 */
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
	VXLAN_TX_SOCKS = 8,
	VXLAN_MAX_REMOTES = 32,   /* configured flood list */
	VXLAN_MAX_VTEPS = 256,    /* configured + learned */
	VXLAN_FDB_MAX = 4096,
	VXLAN_AGE_S = 300,
	VXLAN_MAX_OUT = VPKT_BURST * VXLAN_MAX_REMOTES,
};

struct vtep {
	struct sockaddr_storage sa;
	socklen_t salen;
};

struct vxlan_ep {
	uint32_t vni;            /* access mode */
	struct vxlan_map map;    /* trunk mode when map.n > 0 */
	struct vtep vteps[VXLAN_MAX_VTEPS];
	unsigned nvteps, nremotes; /* vteps[0..nremotes) are configured */
	uint16_t lport;
	int tx_fd[VXLAN_TX_SOCKS];
	struct fdb fdb;          /* (inner MAC, VLAN or 0) -> vtep index */
	uint64_t next_age_ns;
	uint8_t *scratch;        /* VPKT_BURST encapsulated frames */
	struct { uint64_t bad_flags, bad_vni, unmapped, flooded, learned, vteps_full; } st;
	char descr_remotes[96];
};

static int add_vtep(struct vxlan_ep *x, const struct sockaddr_storage *sa, socklen_t len)
{
	for (unsigned i = 0; i < x->nvteps; i++)
		if (x->vteps[i].salen == len && !memcmp(&x->vteps[i].sa, sa, len))
			return (int)i;
	if (x->nvteps == VXLAN_MAX_VTEPS)
		return -1;
	x->vteps[x->nvteps].sa = *sa;
	x->vteps[x->nvteps].salen = len;
	return (int)x->nvteps++;
}

static int vxlan_open(struct ep *ep, const struct ep_url *u, char *err, size_t errlen)
{
	struct vxlan_ep *x = ep->priv;
	char local[128];
	const char *args = u->path, *ns = ep_url_get(u, "netns");
	int have_vni = 0, rc;

	for (int i = 0; i < VXLAN_TX_SOCKS; i++)
		x->tx_fd[i] = -1;
	if (!args[0] || strlen(args) + 6 >= sizeof(local) || u->remote) {
		snprintf(err, errlen, "expected %s?vni=N&remote=HOST[:PORT]", ep_vxlan_class.syntax);
		return EINVAL;
	}
	/* LADDR alone means port 4789 (an IPv6 address must be bracketed) */
	const char *colon = args[0] == '[' ? strstr(args, "]:") : strchr(args, ':');
	snprintf(local, sizeof(local), colon ? "%s" : "%s:%d", args, VXLAN_PORT);
	for (unsigned i = 0; i < u->nopts; i++) {
		const char *k = u->opt[i].key, *v = u->opt[i].val;
		char *e;
		if (!strcmp(k, "vni")) {
			unsigned long n = strtoul(v, &e, 10);
			if (!*v || *e || n > VXLAN_VNI_MAX) {
				snprintf(err, errlen, "vni=%s: expected 0..16777215", v);
				return EINVAL;
			}
			x->vni = (uint32_t)n;
			have_vni = 1;
		} else if (!strcmp(k, "map")) {
			if ((rc = vxlan_map_parse(v, &x->map, err, errlen)))
				return rc;
		} else if (!strcmp(k, "remote")) {
			char r[128];
			struct sockaddr_storage sa;
			socklen_t len;
			const char *rc6 = v[0] == '[' ? strstr(v, "]:") : strchr(v, ':');
			snprintf(r, sizeof(r), rc6 ? "%s" : "%s:%d", v, VXLAN_PORT);
			if ((rc = sockaddr_parse(r, 0, AF_UNSPEC, &sa, &len, err, errlen)))
				return rc;
			if (x->nremotes == VXLAN_MAX_REMOTES) {
				snprintf(err, errlen, "more than %d remotes", VXLAN_MAX_REMOTES);
				return EINVAL;
			}
			add_vtep(x, &sa, len);
			x->nremotes = x->nvteps;
			size_t o = strlen(x->descr_remotes);
			snprintf(x->descr_remotes + o, sizeof(x->descr_remotes) - o, "%s%s", o ? "," : "", r);
		} /* netns: read above; other keys were refused by ep_url_parse */
	}
	if (have_vni == !!x->map.n) {
		snprintf(err, errlen, "give exactly one of vni=N and map=VLAN:VNI,...");
		return EINVAL;
	}
	int fd = ep_udp_socket(local, NULL, ns, err, errlen);
	if (fd < 0)
		return -fd;
	struct sockaddr_storage la;
	socklen_t lalen = sizeof(la);
	getsockname(fd, (struct sockaddr *)&la, &lalen);
	x->lport = ntohs(la.ss_family == AF_INET ? ((struct sockaddr_in *)&la)->sin_port
					       : ((struct sockaddr_in6 *)&la)->sin6_port);
	/* senders: same address, ephemeral ports */
	if (la.ss_family == AF_INET)
		((struct sockaddr_in *)&la)->sin_port = 0;
	else
		((struct sockaddr_in6 *)&la)->sin6_port = 0;
	int self = ns ? netns_enter(ns, err, errlen) : -1;
	for (int i = 0; i < VXLAN_TX_SOCKS && (!ns || self >= 0); i++) {
		int t = socket(la.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		int sz = 1 << 20, pmtu = IP_PMTUDISC_DONT, rcv = 4096;
		if (t < 0 || bind(t, (struct sockaddr *)&la, lalen) < 0) {
			rc = errno;
			snprintf(err, errlen, "sending socket: %s", strerror(rc));
			if (t >= 0)
				close(t);
			break;
		}
		setsockopt(t, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
		setsockopt(t, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
		if (la.ss_family == AF_INET)
			setsockopt(t, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu));
		shutdown(t, SHUT_RD);
		x->tx_fd[i] = t;
	}
	if (ns && self >= 0)
		netns_leave(self);
	rc = x->tx_fd[VXLAN_TX_SOCKS - 1] < 0 ? EIO : 0;
	if (!rc && fdb_init(&x->fdb, VXLAN_FDB_MAX, VXLAN_AGE_S * 1000000000ULL, 0,
			    (uint64_t)(uintptr_t)x ^ loop_now_ns()))
		rc = ENOMEM;
	if (!rc && !(x->scratch = malloc((size_t)VPKT_BURST * (VPKT_MAXFRAME + VXLAN_HDR_LEN))))
		rc = ENOMEM;
	if (rc) {
		close(fd);
		for (int i = 0; i < VXLAN_TX_SOCKS; i++)
			if (x->tx_fd[i] >= 0)
				close(x->tx_fd[i]);
		fdb_destroy(&x->fdb);
		if (!err[0])
			snprintf(err, errlen, "%s", strerror(rc));
		return rc;
	}
	if (x->map.n)
		snprintf(ep->descr, sizeof(ep->descr), "vxlan %s map of %u VNIs -> %s", local, x->map.n,
			 x->nremotes ? x->descr_remotes : "(learned only)");
	else
		snprintf(ep->descr, sizeof(ep->descr), "vxlan %s vni %u -> %s", local, x->vni,
			 x->nremotes ? x->descr_remotes : "(learned only)");
	ep->fd = fd;
	return 0;
}

/* The FDB key of a VNI: its VLAN in trunk mode, 0 in access mode. */
static uint16_t fdb_key(const struct vxlan_ep *x, int mi)
{
	return mi >= 0 ? x->map.vlan[mi] : 0;
}

static int vxlan_recv(struct ep *ep, struct vpkt **pkts, unsigned n)
{
	struct vxlan_ep *x = ep->priv;
	struct mmsghdr msg[VPKT_BURST];
	struct iovec iov[VPKT_BURST];
	struct sockaddr_storage from[VPKT_BURST];

	if (n > VPKT_BURST)
		n = VPKT_BURST;
	int got = ep_recv_mmsg(ep, pkts, n, VXLAN_HDR_LEN, msg, iov, from);
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
		size_t len = msg[i].msg_len;
		uint32_t vni;
		int mi = -1;
		if (msg[i].msg_hdr.msg_flags & MSG_TRUNC) {
			ep->st.rx_oversize++;
			continue;
		}
		if (len < VXLAN_HDR_LEN + ETH_HDR_LEN) {
			ep->st.rx_runt++;
			continue;
		}
		if (vxlan_hdr_parse(iov[i].iov_base, &vni) < 0) {
			x->st.bad_flags++;
			ep->st.rx_errors++;
			continue;
		}
		if (x->map.n ? (mi = vxlan_map_by_vni(&x->map, vni)) < 0 : vni != x->vni) {
			x->st.bad_vni++;
			ep->st.rx_errors++;
			continue;
		}
		len -= VXLAN_HDR_LEN;
		uint8_t *f = vpkt_data(p);
		if (!mac_is_group(f + 6)) {
			/* learn the sender's VTEP: its address, our (the standard) port */
			struct sockaddr_storage sa = from[i];
			socklen_t salen = msg[i].msg_hdr.msg_namelen;
			int vi = -1;
			for (unsigned r = 0; r < x->nremotes && vi < 0; r++)
				if (x->vteps[r].sa.ss_family == sa.ss_family &&
				    (sa.ss_family == AF_INET
				     ? !memcmp(&((struct sockaddr_in *)&x->vteps[r].sa)->sin_addr,
					       &((struct sockaddr_in *)&sa)->sin_addr, 4)
				     : !memcmp(&((struct sockaddr_in6 *)&x->vteps[r].sa)->sin6_addr,
					       &((struct sockaddr_in6 *)&sa)->sin6_addr, 16)))
					vi = (int)r;
			if (vi < 0) {
				if (sa.ss_family == AF_INET)
					((struct sockaddr_in *)&sa)->sin_port = htons(x->lport);
				else
					((struct sockaddr_in6 *)&sa)->sin6_port = htons(x->lport);
				vi = add_vtep(x, &sa, salen);
			}
			if (vi < 0)
				x->st.vteps_full++;
			else if (fdb_learn(&x->fdb, f + 6, fdb_key(x, mi), (uint16_t)vi, now, NULL) != FDB_REFRESHED)
				x->st.learned++;
		}
		if (mi >= 0) {
			/* trunk: give the switch the frame tagged with the VNI's VLAN */
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

static int vxlan_send(struct ep *ep, struct vtx *tx, unsigned n)
{
	struct vxlan_ep *x = ep->priv;
	static struct mmsghdr msg[VXLAN_MAX_OUT];
	static struct iovec iov[VPKT_BURST];
	static int mfd[VXLAN_MAX_OUT];
	unsigned done = 0;

	while (done < n) {
		unsigned m = n - done > VPKT_BURST ? VPKT_BURST : n - done, nm = 0;
		for (unsigned i = 0; i < m; i++) {
			const struct vtx *t = &tx[done + i];
			uint8_t *d = x->scratch + (size_t)i * (VPKT_MAXFRAME + VXLAN_HDR_LEN);
			uint8_t *f = d + VXLAN_HDR_LEN;
			size_t len = t->len;
			uint32_t vni = x->vni;
			int mi = -1;
			vtx_flatten(t, f);
			if (x->map.n) {
				struct frame_info fi;
				if (frame_parse(f, len, &fi) != FRAME_OK || fi.vid == FRAME_UNTAGGED ||
				    (mi = vxlan_map_by_vlan(&x->map, fi.vid)) < 0) {
					x->st.unmapped++;
					ep->st.tx_errors++;
					continue;
				}
				vni = x->map.vni[mi];
				/* untag: the VNI carries the VLAN now */
				memmove(f + VLAN_TAG_LEN, f, 12);
				f += VLAN_TAG_LEN;
				d += VLAN_TAG_LEN;
				len -= VLAN_TAG_LEN;
			}
			vxlan_hdr_build(d, vni);
			iov[i].iov_base = d;
			iov[i].iov_len = len + VXLAN_HDR_LEN;
			int fd = x->tx_fd[vxlan_flow_hash(f, len) % VXLAN_TX_SOCKS];
			uint32_t e = mac_is_group(f) ? FDB_NONE : fdb_lookup(&x->fdb, f, fdb_key(x, mi));
			unsigned first = e != FDB_NONE ? x->fdb.tab[e].port : 0;
			unsigned last = e != FDB_NONE ? first + 1 : x->nremotes;
			if (e == FDB_NONE)
				x->st.flooded++;
			for (unsigned r = first; r < last; r++) {
				memset(&msg[nm].msg_hdr, 0, sizeof(msg[nm].msg_hdr));
				msg[nm].msg_hdr.msg_iov = &iov[i];
				msg[nm].msg_hdr.msg_iovlen = 1;
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

static void vxlan_info(const struct ep *ep, char *buf, size_t len)
{
	const struct vxlan_ep *x = ep->priv;
	snprintf(buf, len, "type=vxlan port=%u remotes=%u vteps=%u fdb=%u learned=%llu flooded=%llu "
		 "bad_flags=%llu bad_vni=%llu unmapped=%llu",
		 x->lport, x->nremotes, x->nvteps, x->fdb.count, (unsigned long long)x->st.learned,
		 (unsigned long long)x->st.flooded, (unsigned long long)x->st.bad_flags,
		 (unsigned long long)x->st.bad_vni, (unsigned long long)x->st.unmapped);
}

static void vxlan_close(struct ep *ep)
{
	struct vxlan_ep *x = ep->priv;
	for (int i = 0; i < VXLAN_TX_SOCKS; i++)
		if (x->tx_fd[i] >= 0)
			close(x->tx_fd[i]);
	fdb_destroy(&x->fdb);
	free(x->scratch);
}

const struct ep_class ep_vxlan_class = {
	.scheme = "vxlan",
	.syntax = "vxlan://LADDR[:LPORT]",
	.help = "VXLAN VTEP (RFC 7348, UDP 4789): vni= (access) or map= (802.1Q trunk), remote= VTEPs to flood to",
	.options = (const struct ep_opt[]){ { "vni", "N", false }, { "map", "VLAN:VNI,...", false },
					    { "remote", "HOST[:PORT]", true }, { "netns", "NS", false }, { NULL, NULL, false } },
	.priv_size = sizeof(struct vxlan_ep),
	.open = vxlan_open,
	.recv_batch = vxlan_recv,
	.send_batch = vxlan_send,
	.close = vxlan_close,
	.info = vxlan_info,
};
