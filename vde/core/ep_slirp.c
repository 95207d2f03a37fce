/* ep_slirp.c - slirp://?OPTIONS: a user-mode NAT router on the wire, through
 * libslirp (the library QEMU's -netdev user and slirpvde use). The frames
 * the endpoint is sent reach a virtual router with a DHCP server and a DNS
 * forwarder; its connections to the world are the process's own sockets,
 * so no root and no host interface are needed.
 *
 * Options (defaults as QEMU's -netdev user):
 *   net=A.B.C.D/N        the virtual network (10.0.2.0/24)
 *   host=ADDR            the router's address, also the host's loopback
 *                        seen from inside (net + 2)
 *   dns=ADDR|off         the DNS forwarder's address (net + 3); off: none,
 *                        packets to net + 3 are dropped (dns_dropped)
 *   dhcp=ADDR            first address DHCP hands out (net + 15); dhcp=off: none
 *   hostfwd=tcp|udp:HADDR:HPORT-GADDR:GPORT   a host port forwarded to a
 *                        node (repeatable; HADDR must be given)
 *   restrict=yes         no connections out, only the host forwards
 *   loopback=no          the host's 127.0.0.1 is not reachable as `host`
 *
 * libslirp is not thread-safe and wants its own poll loop, so it lives in a
 * thread of its own: frames cross between it and the caller's loop through
 * a SOCK_SEQPACKET socketpair (one frame per message, the endpoint's fd is
 * the caller's end: ep_dgram I/O). A frame slirp emits while the pair is
 * full is dropped (libslirp allows that: TCP retransmits) and counted.
 */
#include "ep.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <slirp/libslirp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { SLIRP_MAX_FWD = 16, SLIRP_MAX_POLL = 1024, SLIRP_SOCKBUF = 1 << 20 };

struct stimer {
	SlirpTimerCb cb;
	void *opaque;
	int64_t expire_ms;       /* -1: not armed */
	struct stimer *next;
};

struct slirp_ep {
	Slirp *slirp;
	int fd;                  /* the thread's end of the pair */
	pthread_t thread;
	bool running;
	struct stimer *timers;
	struct pollfd pfd[SLIRP_MAX_POLL];
	unsigned npfd;
	atomic_ullong dropped;   /* frames slirp emitted with the pair full */
	atomic_ullong poll_full; /* sockets slirp wanted polled past SLIRP_MAX_POLL */
	atomic_ullong dns_dropped; /* dns=off: packets to the forwarder's address */
	struct in_addr net, mask, host, dns, dhcp;
	bool no_dns, no_dhcp, restrict_, no_loopback;
	unsigned nfwd;
	struct { int udp; struct in_addr haddr, gaddr; int hport, gport; } fwd[SLIRP_MAX_FWD];
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static ssize_t cb_send(const void *buf, size_t len, void *opaque)
{
	struct slirp_ep *s = opaque;
	if (send(s->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		s->dropped++;
	return (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque) { (void)msg, (void)opaque; }

static int64_t cb_clock(void *opaque)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	struct slirp_ep *s = opaque;
	struct stimer *t = calloc(1, sizeof(*t));
	if (!t)
		abort(); /* libslirp has no way to hear of it */
	t->cb = cb, t->opaque = cb_opaque, t->expire_ms = -1;
	t->next = s->timers;
	s->timers = t;
	return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
	struct slirp_ep *s = opaque;
	for (struct stimer **p = &s->timers; *p; p = &(*p)->next)
		if (*p == timer) {
			*p = (*p)->next;
			free(timer);
			return;
		}
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque) { ((struct stimer *)timer)->expire_ms = expire_ms; }
static void cb_register(int fd, void *opaque) { (void)fd, (void)opaque; }
static void cb_notify(void *opaque) { (void)opaque; }

static const SlirpCb callbacks = {
	.send_packet = cb_send,
	.guest_error = cb_guest_error,
	.clock_get_ns = cb_clock,
	.timer_new = cb_timer_new,
	.timer_free = cb_timer_free,
	.timer_mod = cb_timer_mod,
	.register_poll_fd = cb_register,
	.unregister_poll_fd = cb_register,
	.notify = cb_notify,
};

static int add_poll(int fd, int events, void *opaque)
{
	struct slirp_ep *s = opaque;
	if (s->npfd == SLIRP_MAX_POLL) {
		s->poll_full++;
		return -1;
	}
	short ev = 0;
	if (events & SLIRP_POLL_IN)
		ev |= POLLIN;
	if (events & SLIRP_POLL_OUT)
		ev |= POLLOUT;
	if (events & SLIRP_POLL_PRI)
		ev |= POLLPRI;
	s->pfd[s->npfd].fd = fd;
	s->pfd[s->npfd].events = ev;
	s->pfd[s->npfd].revents = 0;
	return (int)s->npfd++;
}

static int get_revents(int idx, void *opaque)
{
	struct slirp_ep *s = opaque;
	if (idx < 0 || (unsigned)idx >= s->npfd)
		return 0;
	short r = s->pfd[idx].revents;
	return (r & POLLIN ? SLIRP_POLL_IN : 0) | (r & POLLOUT ? SLIRP_POLL_OUT : 0) |
	       (r & POLLPRI ? SLIRP_POLL_PRI : 0) | (r & POLLERR ? SLIRP_POLL_ERR : 0) |
	       (r & POLLHUP ? SLIRP_POLL_HUP : 0);
}

/* An IPv4 packet to the DNS forwarder's address. libslirp 4.7's disable_dns
 * still relays such packets to the host's resolver (measured), so dns=off
 * drops them before slirp sees them. */
static bool to_dns(const struct slirp_ep *s, const uint8_t *f, size_t len)
{
	size_t l3 = 14;
	uint16_t type = (uint16_t)(f[12] << 8 | f[13]);
	if (type == 0x8100 && len >= 18)
		type = (uint16_t)(f[16] << 8 | f[17]), l3 = 18;
	return type == 0x0800 && len >= l3 + 20 && !memcmp(f + l3 + 16, &s->dns.s_addr, 4);
}

/* The thread: frames from the pair into slirp, slirp's sockets and timers. */
static void *slirp_thread(void *arg)
{
	struct slirp_ep *s = arg;
	static __thread uint8_t frame[VPKT_MAXFRAME + 1];
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL); /* signals are the caller's loop's */
	for (;;) {
		uint32_t timeout = 1000;
		s->npfd = 0;
		add_poll(s->fd, SLIRP_POLL_IN, s); /* index 0 */
		slirp_pollfds_fill(s->slirp, &timeout, add_poll, s);
		int64_t now = now_ms();
		for (struct stimer *t = s->timers; t; t = t->next)
			if (t->expire_ms >= 0)
				timeout = t->expire_ms <= now ? 0 : (uint32_t)(t->expire_ms - now) < timeout
								     ? (uint32_t)(t->expire_ms - now) : timeout;
		int n = poll(s->pfd, s->npfd, (int)timeout);
		if (s->pfd[0].revents & (POLLHUP | POLLERR))
			break; /* the caller closed its end */
		if (s->pfd[0].revents & POLLIN)
			for (int k = 0; k < 256; k++) {
				ssize_t got = recv(s->fd, frame, sizeof(frame), MSG_DONTWAIT);
				if (got == 0)
					return NULL;
				if (got < 0)
					break;
				if (got < ETH_HDR_LEN || got > VPKT_MAXFRAME)
					continue;
				if (s->no_dns && to_dns(s, frame, (size_t)got)) {
					s->dns_dropped++;
					continue;
				}
				slirp_input(s->slirp, frame, (int)got);
			}
		slirp_pollfds_poll(s->slirp, n < 0, get_revents, s);
		now = now_ms();
		/* a callback may free or add timers: restart the walk after each */
		for (bool fired = true; fired;) {
			fired = false;
			for (struct stimer *t = s->timers; t; t = t->next)
				if (t->expire_ms >= 0 && t->expire_ms <= now) {
					t->expire_ms = -1;
					t->cb(t->opaque);
					fired = true;
					break;
				}
		}
	}
	return NULL;
}

static int parse_ip(const char *what, const char *v, struct in_addr *a, char *err, size_t errlen)
{
	if (inet_pton(AF_INET, v, a) != 1) {
		snprintf(err, errlen, "%s=%s: expected an IPv4 address", what, v);
		return EINVAL;
	}
	return 0;
}

/* "tcp:127.0.0.1:8080-10.0.2.15:80" (QEMU's hostfwd=, with both addresses) */
static int parse_fwd(struct slirp_ep *s, const char *v, char *err, size_t errlen)
{
	char proto[4], ha[INET_ADDRSTRLEN], ga[INET_ADDRSTRLEN];
	int hp, gp, end = 0;
	if (s->nfwd == SLIRP_MAX_FWD) {
		snprintf(err, errlen, "more than %d hostfwd=", SLIRP_MAX_FWD);
		return EINVAL;
	}
	if (sscanf(v, "%3[a-z]:%15[0-9.]:%d-%15[0-9.]:%d%n", proto, ha, &hp, ga, &gp, &end) != 5 || v[end] ||
	    (strcmp(proto, "tcp") && strcmp(proto, "udp")) || hp < 1 || hp > 65535 || gp < 1 || gp > 65535 ||
	    inet_pton(AF_INET, ha, &s->fwd[s->nfwd].haddr) != 1 || inet_pton(AF_INET, ga, &s->fwd[s->nfwd].gaddr) != 1) {
		snprintf(err, errlen, "hostfwd=%s: expected tcp|udp:HOSTADDR:HOSTPORT-NODEADDR:NODEPORT", v);
		return EINVAL;
	}
	s->fwd[s->nfwd].udp = !strcmp(proto, "udp");
	s->fwd[s->nfwd].hport = hp;
	s->fwd[s->nfwd].gport = gp;
	s->nfwd++;
	return 0;
}

static int parse_opts(struct slirp_ep *s, const struct ep_url *u, char *err, size_t errlen)
{
	unsigned plen = 24;
	int rc;
	inet_pton(AF_INET, "10.0.2.0", &s->net);
	const char *v;
	if ((v = ep_url_get(u, "net"))) {
		char a[INET_ADDRSTRLEN];
		int end = 0;
		if (sscanf(v, "%15[0-9.]/%u%n", a, &plen, &end) != 2 || v[end] || plen < 8 || plen > 29 ||
		    inet_pton(AF_INET, a, &s->net) != 1) {
			snprintf(err, errlen, "net=%s: expected A.B.C.D/N, N 8..29", v);
			return EINVAL;
		}
	}
	uint32_t mask = plen ? ~0u << (32 - plen) : 0, base = ntohl(s->net.s_addr) & mask;
	s->mask.s_addr = htonl(mask);
	s->net.s_addr = htonl(base);
	s->host.s_addr = htonl(base + 2);
	s->dns.s_addr = htonl(base + 3);
	s->dhcp.s_addr = htonl(base + 15);
	for (unsigned i = 0; i < u->nopts; i++) {
		const char *k = u->opt[i].key;
		v = u->opt[i].val;
		if (!strcmp(k, "host"))
			rc = parse_ip(k, v, &s->host, err, errlen);
		else if (!strcmp(k, "dns"))
			rc = !strcmp(v, "off") ? (s->no_dns = true, 0) : parse_ip(k, v, &s->dns, err, errlen);
		else if (!strcmp(k, "dhcp"))
			rc = !strcmp(v, "off") ? (s->no_dhcp = true, 0) : parse_ip(k, v, &s->dhcp, err, errlen);
		else if (!strcmp(k, "hostfwd"))
			rc = parse_fwd(s, v, err, errlen);
		else if (!strcmp(k, "restrict") || !strcmp(k, "loopback")) {
			bool yes = !strcmp(v, "yes");
			if (!yes && strcmp(v, "no")) {
				snprintf(err, errlen, "%s=%s: expected yes or no", k, v);
				return EINVAL;
			}
			if (k[0] == 'r')
				s->restrict_ = yes;
			else
				s->no_loopback = !yes;
			rc = 0;
		} else
			rc = 0; /* net: above */
		if (rc)
			return rc;
	}
	struct in_addr *in[] = { &s->host, &s->dns, &s->dhcp };
	const char *names[] = { "host", "dns", "dhcp" };
	for (unsigned i = 0; i < 3; i++)
		if ((ntohl(in[i]->s_addr) & mask) != base) {
			snprintf(err, errlen, "%s address is outside net=", names[i]);
			return EINVAL;
		}
	return 0;
}

static int slirp_open(struct ep *ep, const struct ep_url *u, char *err, size_t errlen)
{
	struct slirp_ep *s = ep->priv;
	int rc, sv[2];
	if (u->path[0]) {
		snprintf(err, errlen, "expected slirp://?OPTIONS (nothing before the '?')");
		return EINVAL;
	}
	if ((rc = parse_opts(s, u, err, errlen)))
		return rc;
	SlirpConfig cfg = {
		.version = 4,
		.restricted = s->restrict_,
		.in_enabled = true,
		.vnetwork = s->net,
		.vnetmask = s->mask,
		.vhost = s->host,
		.vhostname = "vdelab",
		.vdhcp_start = s->dhcp,
		.vnameserver = s->dns,
		.disable_host_loopback = s->no_loopback,
		.disable_dhcp = s->no_dhcp,
	};
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		rc = errno;
		snprintf(err, errlen, "socketpair: %s", strerror(rc));
		return rc;
	}
	int sz = SLIRP_SOCKBUF;
	for (int i = 0; i < 2; i++) {
		setsockopt(sv[i], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
		setsockopt(sv[i], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	}
	s->fd = sv[1];
	if (!(s->slirp = slirp_new(&cfg, &callbacks, s))) {
		snprintf(err, errlen, "libslirp refused the configuration");
		close(sv[0]), close(sv[1]);
		return EINVAL;
	}
	for (unsigned i = 0; i < s->nfwd; i++)
		if (slirp_add_hostfwd(s->slirp, s->fwd[i].udp, s->fwd[i].haddr, s->fwd[i].hport, s->fwd[i].gaddr,
				      s->fwd[i].gport) < 0) {
			char ha[INET_ADDRSTRLEN];
			inet_ntop(AF_INET, &s->fwd[i].haddr, ha, sizeof(ha));
			snprintf(err, errlen, "hostfwd %s:%d: cannot listen there (in use, or a port below 1024 without root)",
				 ha, s->fwd[i].hport);
			slirp_cleanup(s->slirp);
			close(sv[0]), close(sv[1]);
			return EADDRINUSE;
		}
	if ((rc = pthread_create(&s->thread, NULL, slirp_thread, s))) {
		snprintf(err, errlen, "thread: %s", strerror(rc));
		slirp_cleanup(s->slirp);
		close(sv[0]), close(sv[1]);
		return rc;
	}
	s->running = true;
	char net[INET_ADDRSTRLEN], host[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &s->net, net, sizeof(net));
	inet_ntop(AF_INET, &s->host, host, sizeof(host));
	snprintf(ep->descr, sizeof(ep->descr), "slirp NAT %s/%d router %s%s, %u host forwards", net,
		 __builtin_popcount(ntohl(s->mask.s_addr)), host, s->restrict_ ? " restricted" : "", s->nfwd);
	ep->fd = sv[0];
	return 0;
}

static void slirp_close(struct ep *ep)
{
	struct slirp_ep *s = ep->priv;
	if (!s->running)
		return;
	shutdown(ep->fd, SHUT_RDWR); /* the thread sees the hang-up and ends */
	pthread_join(s->thread, NULL);
	slirp_cleanup(s->slirp);
	while (s->timers) {
		struct stimer *t = s->timers;
		s->timers = t->next;
		free(t);
	}
	close(s->fd);
}

static void slirp_info(const struct ep *ep, char *buf, size_t len)
{
	const struct slirp_ep *s = ep->priv;
	snprintf(buf, len, "type=slirp forwards=%u dropped=%llu dns_dropped=%llu poll_full=%llu", s->nfwd,
		 (unsigned long long)s->dropped, (unsigned long long)s->dns_dropped, (unsigned long long)s->poll_full);
}

const struct ep_class ep_slirp_class = {
	.scheme = "slirp",
	.syntax = "slirp://",
	.help = "user-mode NAT router with DHCP and DNS (libslirp, as QEMU -netdev user): no root needed",
	.options = (const struct ep_opt[]){ { "net", "A.B.C.D/N", false }, { "host", "ADDR", false },
					    { "dns", "ADDR|off", false }, { "dhcp", "ADDR|off", false },
					    { "hostfwd", "tcp|udp:HADDR:HPORT-GADDR:GPORT", true },
					    { "restrict", "yes|no", false }, { "loopback", "yes|no", false },
					    { NULL, NULL, false } },
	.priv_size = sizeof(struct slirp_ep),
	.open = slirp_open,
	.recv_batch = ep_dgram_recv,
	.send_batch = ep_dgram_send,
	.close = slirp_close,
	.info = slirp_info,
};
