/* ep_cable.c - cable://[LADDR:]LPORT@RADDR:RPORT?psk=FILE: the encrypted UDP
 * cable, one sealed frame per datagram (framing and keys: cablecrypt.h).
 *
 * Options:  psk=FILE              pre-shared key (vdelab-plug --genkey)
 *           key=FILE&peer=FILE    our private key and the peer's public key
 *                                 (vdelab-plug --genkeypair); psk= may be added
 *           netns=NS              open the socket in that network namespace
 *
 * No handshake: either side may start first. While the peer is absent the
 * datagrams are refused (ECONNREFUSED, counted in tx_errors) and sending
 * just goes on, so the cable comes up when the peer does; a restarted peer
 * shows as a new epoch and is picked up at once.
 *
 * MTU: a frame of L bytes leaves as an L + 40 byte UDP payload (L + 68 with
 * IPv4 and UDP). The socket fragments datagrams larger than the path MTU
 * (IP_PMTUDISC_DONT), so every frame up to VPKT_MAXFRAME crosses; without
 * fragmentation on a 1500-byte underlay the largest frame is 1432 B (inner
 * IP MTU 1418).
 */
#include "ep.h"
#include "cablecrypt.h"
#include "frame.h"
#include "loop.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { CABLE_DGRAM_MAX = VPKT_MAXFRAME + CC_OVERHEAD };

struct cable_ep {
	struct cc_state cc;
	uint8_t *scratch;   /* VPKT_BURST sealed datagrams for send */
	char peer[128];
};

static int cable_open(struct ep *ep, const struct ep_url *u, char *err, size_t errlen)
{
	struct cable_ep *c = ep->priv;
	const char *psk_file = ep_url_get(u, "psk"), *key_file = ep_url_get(u, "key");
	const char *peer_file = ep_url_get(u, "peer"), *ns = ep_url_get(u, "netns");
	const char *local = u->local, *remote = u->remote;
	int rc;

	if (!remote || !local[0] || !remote[0]) {
		snprintf(err, errlen, "expected %s?psk=FILE", ep_cable_class.syntax);
		return EINVAL;
	}
	if (!psk_file && !(key_file && peer_file)) {
		snprintf(err, errlen, "a cable needs psk=FILE, or key=FILE and peer=FILE");
		return EINVAL;
	}
	if (!!key_file != !!peer_file) {
		snprintf(err, errlen, "key=FILE and peer=FILE go together");
		return EINVAL;
	}
	if (cc_global_init() < 0) {
		snprintf(err, errlen, "libsodium cannot initialise");
		return EIO;
	}

	uint8_t psk[CC_KEY_LEN], sk[CC_KEY_LEN], pk[CC_KEY_LEN], peer_pk[CC_KEY_LEN];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t epoch = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	uint32_t sender = randombytes_random();
	rc = psk_file ? cc_key_load(psk_file, 1, psk, err, errlen) : 0;
	if (!rc && key_file) {
		if (!(rc = cc_key_load(key_file, 1, sk, err, errlen)) &&
		    !(rc = cc_key_load(peer_file, 0, peer_pk, err, errlen))) {
			cc_public_key(sk, pk);
			if (cc_init_kx(&c->cc, pk, sk, peer_pk, psk_file ? psk : NULL, sender, epoch) < 0) {
				snprintf(err, errlen, "peer key %s is unusable (ours, or all zero)", peer_file);
				rc = EINVAL;
			}
		}
	} else if (!rc) {
		cc_init_psk(&c->cc, psk, sender, epoch);
	}
	sodium_memzero(psk, sizeof(psk));
	sodium_memzero(sk, sizeof(sk));
	if (rc)
		return rc;

	int fd = ep_udp_socket(local, remote, ns, err, errlen);
	if (fd < 0) {
		cc_clear(&c->cc);
		return -fd;
	}
	c->scratch = malloc((size_t)VPKT_BURST * CABLE_DGRAM_MAX);
	if (!c->scratch) {
		close(fd);
		cc_clear(&c->cc);
		snprintf(err, errlen, "out of memory");
		return ENOMEM;
	}
	snprintf(c->peer, sizeof(c->peer), "%s", remote);
	snprintf(ep->descr, sizeof(ep->descr), "cable %s -> %s (%s)", local, remote,
		 key_file ? (psk_file ? "key pair + psk" : "key pair") : "psk");
	ep->fd = fd;
	return 0;
}

static int cable_recv(struct ep *ep, struct vpkt **pkts, unsigned n)
{
	struct cable_ep *c = ep->priv;
	struct mmsghdr msg[VPKT_BURST];
	struct iovec iov[VPKT_BURST];

	if (n > VPKT_BURST)
		n = VPKT_BURST;
	/* the header goes to the headroom, so the opened frame lands at vpkt_data */
	int got = ep_recv_mmsg(ep, pkts, n, CC_HDR_LEN, msg, iov, NULL);
	if (got <= 0)
		return got;
	uint64_t now = loop_now_ns();
	unsigned k = 0;
	for (int i = 0; i < got; i++) {
		size_t len;
		if (msg[i].msg_hdr.msg_flags & MSG_TRUNC) {
			ep->st.rx_oversize++;
			continue;
		}
		if (cc_open(&c->cc, iov[i].iov_base, msg[i].msg_len, now, &len) != CC_OK) {
			ep->st.rx_errors++;
			continue;
		}
		ep_rx_keep(ep, pkts, (unsigned)i, &k, len);
	}
	return (int)k;
}

static int cable_send(struct ep *ep, struct vtx *tx, unsigned n)
{
	struct cable_ep *c = ep->priv;
	struct mmsghdr msg[VPKT_BURST];
	struct iovec iov[VPKT_BURST];
	unsigned done = 0;

	while (done < n) {
		unsigned m = n - done > VPKT_BURST ? VPKT_BURST : n - done;
		for (unsigned i = 0; i < m; i++) {
			uint8_t *d = c->scratch + (size_t)i * CABLE_DGRAM_MAX;
			const struct vtx *t = &tx[done + i];
			vtx_flatten(t, d + CC_HDR_LEN);
			iov[i].iov_base = d;
			iov[i].iov_len = cc_seal(&c->cc, d, d + CC_HDR_LEN, t->len);
			memset(&msg[i].msg_hdr, 0, sizeof(msg[i].msg_hdr));
			msg[i].msg_hdr.msg_iov = &iov[i];
			msg[i].msg_hdr.msg_iovlen = 1;
		}
		/* Sealed datagrams not sent now are dropped (counted), not kept:
		 * resealing later only spends a counter, so nothing is lost but
		 * the frame, as on a full UDP socket. */
		unsigned off = 0;
		while (off < m) {
			int sent = sendmmsg(ep->fd, msg + off, m - off, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (sent < 0) {
				if (errno == EINTR)
					continue;
				ep->st.tx_errors++; /* peer absent, buffer full, ... */
				off++;
				continue;
			}
			for (int i = 0; i < sent; i++) {
				ep->st.tx_pkts++;
				ep->st.tx_bytes += tx[done + off + (unsigned)i].len;
			}
			off += (unsigned)sent;
		}
		done += m;
	}
	return (int)n;
}

static void cable_info(const struct ep *ep, char *buf, size_t len)
{
	const struct cable_ep *c = ep->priv;
	const struct cc_state *s = &c->cc;
	uint64_t now = loop_now_ns();
	char age[32];
	if (s->last_rx_ns)
		snprintf(age, sizeof(age), "%llu", (unsigned long long)((now - s->last_rx_ns) / 1000000));
	else
		snprintf(age, sizeof(age), "never");
	size_t o = (size_t)snprintf(buf, len, "type=cable peer=%s state=%s last_rx_ms=%s sessions=%llu "
				    "peer_epoch=%llu tx_counter=%llu",
				    c->peer, !s->cur.valid ? "waiting" : now - s->last_rx_ns > 30000000000ULL ? "idle" : "up",
				    age, (unsigned long long)s->sessions, (unsigned long long)s->cur.epoch,
				    (unsigned long long)s->counter);
	for (int v = 0; v < CC__N && o < len; v++)
		o += (size_t)snprintf(buf + o, len - o, " %s=%llu", cc_verdict_names[v],
				      (unsigned long long)s->drops[v]);
}

static void cable_close(struct ep *ep)
{
	struct cable_ep *c = ep->priv;
	cc_clear(&c->cc);
	free(c->scratch);
}

const struct ep_class ep_cable_class = {
	.scheme = "cable",
	.syntax = "cable://[LADDR:]LPORT@RADDR:RPORT",
	.help = "encrypted UDP cable (XChaCha20-Poly1305, replay window): psk=, or key= with peer= (.pub)",
	.options = (const struct ep_opt[]){ { "psk", "FILE", false }, { "key", "FILE", false },
					    { "peer", "FILE", false }, { "netns", "NS", false }, { NULL, NULL, false } },
	.priv_size = sizeof(struct cable_ep),
	.open = cable_open,
	.recv_batch = cable_recv,
	.send_batch = cable_send,
	.close = cable_close,
	.info = cable_info,
};
