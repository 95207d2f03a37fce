/* ep_tap.c - tap://NAME[?netns=NS]: a Linux tap device (IFF_TAP | IFF_NO_PI),
 * created if absent (needs CAP_NET_ADMIN). With netns=NS (a name under
 * /run/netns, or a path) the tap is created inside that network namespace:
 * the process enters it only for the TUNSETIFF and returns, so the device
 * never has to be moved (moving costs ~17 ms per device here; creating in
 * place is instant). The tap goes away with its fd.
 * A tap has no batched read: up to n read()s. */
#include "ep.h"
#include "netns.h"
#include "limits.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Open the tun fd and TUNSETIFF inside namespace `ns` (NULL: ours). */
static int tun_in_ns(const char *ns, struct ifreq *ifr, char *err, size_t errlen)
{
	int self = -1, fd, rc = 0;
	if (ns && (self = netns_enter(ns, err, errlen)) < 0)
		return self;
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		rc = errno;
		snprintf(err, errlen, "/dev/net/tun: %s", strerror(rc));
	} else if (ioctl(fd, TUNSETIFF, ifr) < 0) {
		rc = errno;
		snprintf(err, errlen, "TUNSETIFF %s: %s%s", ifr->ifr_name, strerror(rc),
			 rc == EPERM ? " (creating a tap needs CAP_NET_ADMIN)" :
			 rc == EBUSY ? " (another process holds it)" : "");
		close(fd);
		fd = -1;
	}
	if (ns)
		netns_leave(self);
	return fd >= 0 ? fd : -rc;
}

static int tap_open(struct ep *ep, const struct ep_url *u, char *err, size_t errlen)
{
	struct ifreq ifr;
	const char *args = u->path, *ns = ep_url_get(u, "netns");
	size_t n = strlen(args);

	if (n == 0 || n >= IFNAMSIZ || strchr(args, '/') || strchr(args, ' ')) {
		snprintf(err, errlen, "tap name \"%s\" must be 1..%d characters without '/' or spaces",
			 args, IFNAMSIZ - 1);
		return EINVAL;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	memcpy(ifr.ifr_name, args, n);
	int fd = tun_in_ns(ns, &ifr, err, errlen);
	if (fd < 0)
		return -fd;
	snprintf(ep->descr, sizeof(ep->descr), "tap %s%s%s", args, ns ? " in netns " : "", ns ? ns : "");
	ep->fd = fd;
	return 0;
}

static int tap_recv(struct ep *ep, struct vpkt **pkts, unsigned n)
{
	unsigned k = 0;
	for (unsigned tries = 0; tries < n; tries++) {
		ssize_t r = read(ep->fd, vpkt_data(pkts[k]), VPKT_RX_ROOM);
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			if (k)
				break;
			return errno == EBADFD ? -EPIPE : -errno;
		}
		if (r < ETH_HDR_LEN) {
			ep->st.rx_runt++;
			continue;
		}
		if (r > VPKT_MAXFRAME) {
			ep->st.rx_oversize++;
			continue;
		}
		pkts[k]->len = (uint16_t)r;
		ep->st.rx_pkts++;
		ep->st.rx_bytes += (uint64_t)r;
		k++;
	}
	return (int)k;
}

static int tap_send(struct ep *ep, struct vtx *tx, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		ssize_t w = writev(ep->fd, tx[i].iov, tx[i].niov);
		if (w < 0) {
			if (errno == EAGAIN)
				return (int)i;
			ep->st.tx_errors++; /* e.g. EIO while the interface is down */
			continue;
		}
		ep->st.tx_pkts++;
		ep->st.tx_bytes += tx[i].len;
	}
	return (int)n;
}

const struct ep_class ep_tap_class = {
	.scheme = "tap",
	.syntax = "tap://NAME",
	.help = "Linux tap device (created if needed; needs CAP_NET_ADMIN)",
	.options = (const struct ep_opt[]){ { "netns", "NS", false }, { NULL, NULL, false } },
	.open = tap_open,
	.recv_batch = tap_recv,
	.send_batch = tap_send,
};
