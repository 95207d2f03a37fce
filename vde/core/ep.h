/* ep.h - endpoints: every way a frame enters or leaves a vdelab program.
 *
 * One file per endpoint type, each defining a `const struct ep_class`
 * (the vtable), registered by URL scheme in ep.c, in the spirit of
 * vdeplug4's VNL and OVS's netdev_class:
 *
 *   vde:///DIR[N]     client of a VDE2 switch (ours or Debian's)   ep_vde.c
 *   tap://NAME        Linux tap, IFF_TAP|IFF_NO_PI                 ep_tap.c
 *   udp://[LADDR:]LPORT@RADDR:RPORT  one raw frame per datagram     ep_udp.c
 *   stdio:// or -     2-byte big-endian length + frame on stdin/out ep_stream.c
 *   vxlan://LADDR[:LPORT]?vni=N&remote=HOST...  RFC 7348 VTEP             ep_vxlan.c
 *   geneve://LADDR[:LPORT]?vni=N&remote=HOST... RFC 8926 tunnel endpoint  ep_geneve.c
 *   gretap://LADDR[?key=N]&remote=HOST          Ethernet over GRE         ep_gre.c
 *   nvgre://LADDR?vsid=N&remote=HOST            RFC 7637 NVGRE            ep_gre.c
 *     (the four tunnels share one VTEP, overlay.c, each adding its header)
 *   cable://[LADDR:]LPORT@RADDR:RPORT?psk=FILE  encrypted UDP cable      ep_cable.c
 *   pcap://IFNAME     a host interface through libpcap             ep_pcap.c
 *   slirp://?net=...  user-mode NAT router, DHCP, DNS (libslirp)   ep_slirp.c
 *
 * A string without "://" is a VDE switch directory (as in vdeplug4).
 *
 * Data path contract: recv_batch fills up to n buffers and returns how many
 * frames it delivered (runts and oversize frames are dropped and counted in
 * `st`, never delivered), 0 when nothing is ready, or -errno; -EPIPE means
 * the peer went away for good. send_batch returns how many frames it took
 * (sent, or dropped and counted as tx_errors); a short count means the
 * endpoint would block and the caller keeps the rest; -errno is fatal.
 * recv_batch delivers each frame at vpkt_data(p); an endpoint that strips an
 * outer header in place (vxlan, cable) sets p->off itself, so callers must
 * not assume off == VPKT_HEADROOM after a receive.
 */
#ifndef VDE_CORE_EP_H
#define VDE_CORE_EP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkt.h"

struct ep_stats {
	uint64_t rx_pkts, rx_bytes;  /* frames delivered to the caller */
	uint64_t tx_pkts, tx_bytes;  /* frames handed to the kernel */
	uint64_t rx_runt;            /* < 14 bytes, dropped */
	uint64_t rx_oversize;        /* > VPKT_MAXFRAME, dropped */
	uint64_t rx_errors;          /* other receive errors (framing, transient) */
	uint64_t tx_errors;          /* frames the kernel refused, dropped */
};

struct ep;

/* URL grammar, the same for every scheme (split once, by ep_url_parse):
 *
 *   SCHEME://PATH[?KEY=VALUE[&KEY=VALUE]...]     PATH = LOCAL[@REMOTE]
 *
 * PATH is the class's own syntax (a directory, an interface name,
 * "[LADDR:]LPORT@RADDR:RPORT"); LOCAL and REMOTE are PATH split at its
 * first '@' for the classes that have two addresses. Every option must be
 * one the class declares in `options` (a key given twice only if it is
 * `repeat`), with a non-empty value; anything else is refused the same way
 * for every scheme, naming the key and the keys that scheme takes. A string
 * without "://" is a VDE switch directory (as in vdeplug4), "-" is stdio. */
enum { EP_URL_MAX = 1024, EP_URL_MAX_OPTS = 16 };

struct ep_opt {
	const char *key;     /* "vni" */
	const char *arg;     /* for help: "N" */
	bool repeat;         /* may be given more than once */
};

struct ep_url {
	const struct ep_class *cls;
	const char *path;    /* between "://" and '?' */
	const char *local;   /* path before the first '@' (all of it if none) */
	const char *remote;  /* path after the first '@'; NULL if no '@' */
	unsigned nopts;
	struct { const char *key, *val; } opt[EP_URL_MAX_OPTS];
	char buf[2 * EP_URL_MAX];
};

struct ep_class {
	const char *scheme;  /* "vde", "tap", ... */
	const char *syntax;  /* "udp://[LADDR:]LPORT@RADDR:RPORT": --help, errors */
	const char *help;    /* one line: what it is */
	const struct ep_opt *options; /* accepted ?options, {NULL}-terminated; NULL = none */
	size_t priv_size;    /* bytes of private state allocated with the ep */
	/* Open from the parsed URL (options already checked against `options`).
	 * Returns 0, or an errno with a one-line reason in err[errlen]. Sets
	 * ep->fd (and ctl_fd if any). */
	int (*open)(struct ep *ep, const struct ep_url *u, char *err, size_t errlen);
	int (*recv_batch)(struct ep *ep, struct vpkt **pkts, unsigned n);
	int (*send_batch)(struct ep *ep, struct vtx *tx, unsigned n);
	/* Called when ctl_fd is readable or hung up. Returns 0 if the endpoint
	 * is still alive, -EPIPE if the peer has gone. NULL: no control channel. */
	int (*ctl_event)(struct ep *ep);
	void (*close)(struct ep *ep);
	/* Endpoint-specific state and counters as space-separated key=value
	 * pairs (tunnel peers, session state, drops by reason) for consoles
	 * and `labctl status`. NULL: nothing beyond struct ep_stats. */
	void (*info)(const struct ep *ep, char *buf, size_t len);
	/* Periodic work, called about once a second (now_ns: CLOCK_MONOTONIC)
	 * by the process hosting the endpoint (the switch's 1 s tick, the
	 * patch's of vdelab-plug and vdelab-wirefilter): keepalives, session
	 * timers. NULL: none. */
	void (*tick)(struct ep *ep, uint64_t now_ns);
};

struct ep {
	const struct ep_class *cls;
	int fd;              /* poll for EPOLLIN to receive (-1 if none) */
	int ctl_fd;          /* peer-liveness channel, -1 if none */
	struct ep_stats st;
	char url[256];       /* as given by the user */
	char descr[129];     /* free text shown in listings */
	void *priv;          /* cls->priv_size bytes */
	uint8_t rx_pending;  /* frames already buffered: call recv_batch again
	                        without waiting for the fd (stream endpoints) */
};

/* Split `url` by the grammar above into *u (which owns copies of the
 * pieces). Returns 0; EPROTONOSUPPORT for an unknown scheme (err lists the
 * known ones); EINVAL for an empty or over-long URL, an option without a
 * value, an unknown or repeated option, more than EP_URL_MAX_OPTS options
 * (err says which, and what the scheme takes). */
int ep_url_parse(const char *url, struct ep_url *u, char *err, size_t errlen);
/* The value of option `key` (the first if repeated), NULL if absent. */
const char *ep_url_get(const struct ep_url *u, const char *key);

/* Open the endpoint named by `url`. On success returns 0 and *out; on error
 * returns an errno (EINVAL for a malformed URL, EPROTONOSUPPORT for an
 * unknown scheme, or what the class reported) with a message in err. */
int ep_open(const char *url, struct ep **out, char *err, size_t errlen);

/* Allocate an endpoint of class `cls` without opening anything (used for
 * endpoints built from already-open fds, e.g. a switch's accepted ports). */
struct ep *ep_alloc(const struct ep_class *cls, const char *url);

/* Close fds and free. Accepts NULL. */
void ep_close(struct ep *ep);

static inline int ep_recv_batch(struct ep *ep, struct vpkt **p, unsigned n)
{
	return ep->cls->recv_batch(ep, p, n);
}
/* The endpoint's periodic work (ep_class.tick), if it has any. */
static inline void ep_tick(struct ep *ep, uint64_t now_ns)
{
	if (ep && ep->cls->tick)
		ep->cls->tick(ep, now_ns);
}

static inline int ep_send_batch(struct ep *ep, struct vtx *t, unsigned n)
{
	return ep->cls->send_batch(ep, t, n);
}

/* The registered classes (NULL-terminated): URL schemes, --help listings
 * and the known-schemes list in errors all come from this table. */
extern const struct ep_class *const ep_classes[];
/* Every scheme's syntax and help, one entry per class: "  SYNTAX\n
 *      HELP\n" with the options it takes, indented by `indent`. */
void ep_help(char *buf, size_t len, unsigned indent);
/* "vde, tap, udp, ..." */
const char *ep_scheme_list(void);

/* Datagram helpers shared by every endpoint whose fd carries one frame per
 * datagram (VDE data sockets, UDP): recvmmsg/sendmmsg in batches of up to
 * VPKT_BURST, with the accounting described above. */
int ep_dgram_recv(struct ep *ep, struct vpkt **pkts, unsigned n);
int ep_dgram_send(struct ep *ep, struct vtx *tx, unsigned n);

/* recvmmsg() of up to n (at most VPKT_BURST) datagrams into pkts: each
 * buffer's offset is reset to VPKT_HEADROOM and the datagram is placed `pre`
 * bytes earlier, so an outer header of `pre` bytes (VXLAN 8, cable 24) lands
 * in the headroom and what follows at vpkt_data(). msg/iov are the caller's
 * arrays of n; from (NULL: not wanted) gets each sender's address. Returns
 * how many arrived, 0 if none (EAGAIN, EINTR, or ECONNREFUSED: ICMP from an
 * absent UDP peer, counted in rx_errors), or -errno. */
struct mmsghdr;
struct sockaddr_storage;
int ep_recv_mmsg(struct ep *ep, struct vpkt **pkts, unsigned n, size_t pre, struct mmsghdr *msg,
		 struct iovec *iov, struct sockaddr_storage *from);

/* Receive bookkeeping shared by the batch receivers: frame i of pkts, `len`
 * bytes at vpkt_data(pkts[i]), is dropped and counted if it is a runt
 * (< 14 B) or oversize (> VPKT_MAXFRAME); otherwise it is counted and
 * swapped to position *k (good frames stay at the front, in order) and *k
 * grows. The caller keeps all n buffers either way. */
void ep_rx_keep(struct ep *ep, struct vpkt **pkts, unsigned i, unsigned *k, size_t len);

/* Stream-framed endpoint over an fd pair (2-byte big-endian length, then
 * the frame; vde_plug/dpipe framing). Takes ownership of both fds. */
struct ep *ep_stream_new(int rfd, int wfd, const char *url);

/* Program name put in VDE request descriptions ("NAME user=U pid=P"). */
extern const char *ep_program_name;

/* ctl_event for a VDE ctl stream, which is silent by contract: bytes are
 * ignored, EOF or an error means the peer left (-EPIPE), else 0. */
int ep_ctl_eof_check(struct ep *ep);

/* A UDP socket bound to `local` ("[LADDR:]LPORT") and, if remote is not
 * NULL, connected to it ("RADDR:RPORT"), non-blocking, 4 MiB buffers, with
 * IP_PMTUDISC_DONT so datagrams over the path MTU are fragmented rather
 * than refused. Inside namespace `netns` if not NULL. Returns the fd or
 * -errno with a reason in err. */
int ep_udp_socket(const char *local, const char *remote, const char *netns, char *err, size_t errlen);

/* Classes defined by the endpoint files. */
extern const struct ep_class ep_vde_class, ep_tap_class, ep_udp_class, ep_stdio_class,
	ep_vxlan_class, ep_geneve_class, ep_gretap_class, ep_nvgre_class, ep_cable_class, ep_pcap_class,
	ep_slirp_class;
/* Server side of a VDE data socket (a switch port): ep_dgram I/O, ctl_fd
 * is the client's ctl stream; EOF there means the client left. */
extern const struct ep_class ep_vdeport_class;

#endif
