/* ep_cable.c - cable://[LADDR:]LPORT@RADDR:RPORT?psk=FILE: the encrypted UDP
 * cable, one sealed frame per datagram (framing and keys: cablecrypt.h).
 *
 * Options:  psk=FILE              pre-shared key (vdelab-plug --genkey)
 *           key=FILE&peer=FILE    our private key and the peer's public key
 *                                 (vdelab-plug --genkeypair); psk= may be added
 *           netns=NS              open the socket in that network namespace
 *           keepalive=S           seconds between keepalives of an idle cable
 *                                 (default 2, 0 = none, else 1..3600: the
 *                                 hosting process ticks once a second)
 *
 * State (port/info state=): waiting (nothing heard from the peer yet), up
 * (frames passed either way in the last 3 keepalive intervals, the peer
 * heard from), idle (only keepalives heard: the peer is there, no
 * traffic), down (nothing heard for 3 intervals). A keepalive is a sealed
 * empty datagram (cablecrypt.h, type 2), sent when nothing else was sent
 * for an interval; a replayed or forged one is refused like a frame.
 * Without keepalives (keepalive=0) a cable silent for 30 s shows idle.
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
	uint64_t ka_ns;             /* keepalive interval, 0 = none */
	uint64_t last_tx_ns;        /* last datagram sent (frame or keepalive) */
	uint64_t last_traffic_ns;   /* last frame sent or received */
	uint64_t ka_tx, ka_rx;      /* keepalives sent, accepted */
};

enum { CABLE_KA_DEFAULT_S = 2, CABLE_KA_MAX_S = 3600, CABLE_KA_DEAD = 3 };

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
	const char *ka = ep_url_get(u, "keepalive");
	c->ka_ns = (uint64_t)CABLE_KA_DEFAULT_S * 1000000000ULL;
	if (ka) {
		char *end;
		double v = strtod(ka, &end);
		if (end == ka || *end || !(v == 0 || (v >= 1 && v <= CABLE_KA_MAX_S))) {
			snprintf(err, errlen, "keepalive=%s: expected seconds, 1..%d (0: none)", ka, CABLE_KA_MAX_S);
			return EINVAL;
		}
		c->ka_ns = (uint64_t)(v * 1e9);
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
		if (((uint8_t *)iov[i].iov_base)[0] == CC_TYPE_KEEPALIVE) {
			c->ka_rx++;
			continue;
		}
		c->last_traffic_ns = now;
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
			if (sent > 0)
				c->last_tx_ns = c->last_traffic_ns = loop_now_ns();
			off += (unsigned)sent;
		}
		done += m;
	}
	return (int)n;
}

/* A keepalive when nothing was sent for an interval. A refused send (the
 * peer absent) is no error: the far end will say "down". */
static void cable_tick(struct ep *ep, uint64_t now)
{
	struct cable_ep *c = ep->priv;
	if (!c->ka_ns || now - c->last_tx_ns < c->ka_ns)
		return;
	uint8_t d[CC_OVERHEAD];
	size_t n = cc_seal_keepalive(&c->cc, d);
	if (send(ep->fd, d, n, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)n)
		c->ka_tx++;
	c->last_tx_ns = now;
}

/* waiting, up, idle or down (the comment at the top) */
static const char *cable_state(const struct cable_ep *c, uint64_t now)
{
	const struct cc_state *s = &c->cc;
	if (!s->cur.valid)
		return "waiting";
	if (!c->ka_ns)
		return now - s->last_rx_ns > 30000000000ULL ? "idle" : "up";
	uint64_t dead = CABLE_KA_DEAD * c->ka_ns;
	if (now - s->last_rx_ns > dead)
		return "down";
	return c->last_traffic_ns && now - c->last_traffic_ns <= dead ? "up" : "idle";
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
				    "peer_epoch=%llu tx_counter=%llu keepalive_ms=%llu keepalive_tx=%llu keepalive_rx=%llu",
				    c->peer, cable_state(c, now), age, (unsigned long long)s->sessions,
				    (unsigned long long)s->cur.epoch, (unsigned long long)s->counter,
				    (unsigned long long)(c->ka_ns / 1000000), (unsigned long long)c->ka_tx,
				    (unsigned long long)c->ka_rx);
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
					    { "peer", "FILE", false }, { "netns", "NS", false },
					    { "keepalive", "S", false }, { NULL, NULL, false } },
	.priv_size = sizeof(struct cable_ep),
	.open = cable_open,
	.recv_batch = cable_recv,
	.send_batch = cable_send,
	.close = cable_close,
	.info = cable_info,
	.tick = cable_tick,
};
