/* ep_tap.c - tap://NAME: a Linux tap device (IFF_TAP | IFF_NO_PI), created if
 * absent (needs CAP_NET_ADMIN). A tap has no batched read: up to n read()s. */
#include "ep.h"
#include "limits.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int tap_open(struct ep *ep, const char *args, char *err, size_t errlen)
{
	struct ifreq ifr;
	size_t n = strlen(args);

	if (n == 0 || n >= IFNAMSIZ || strchr(args, '/') || strchr(args, ' ')) {
		snprintf(err, errlen, "tap name \"%s\" must be 1..%d characters without '/' or spaces",
			 args, IFNAMSIZ - 1);
		return EINVAL;
	}
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int rc = errno;
		snprintf(err, errlen, "/dev/net/tun: %s", strerror(rc));
		return rc;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	memcpy(ifr.ifr_name, args, n);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int rc = errno;
		snprintf(err, errlen, "TUNSETIFF %s: %s%s", args, strerror(rc),
			 rc == EPERM ? " (creating a tap needs CAP_NET_ADMIN)" :
			 rc == EBUSY ? " (another process holds it)" : "");
		close(fd);
		return rc;
	}
	snprintf(ep->descr, sizeof(ep->descr), "tap %s", args);
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
	.syntax = "tap://NAME     Linux tap device (created if needed; needs CAP_NET_ADMIN)",
	.open = tap_open,
	.recv_batch = tap_recv,
	.send_batch = tap_send,
};
