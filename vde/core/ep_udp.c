/* ep_udp.c - udp://[LADDR:]LPORT@RADDR:RPORT: one raw Ethernet frame per UDP
 * datagram, unencrypted. Matches QEMU -netdev socket,udp= and libvirt's
 * <interface type='udp'>, so a VM or another switch attaches without root. */
#include "ep.h"
#include "netns.h"
#include "sockaddr.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int ep_udp_socket(const char *local, const char *remote, const char *netns, char *err, size_t errlen)
{
	struct sockaddr_storage la, ra;
	socklen_t llen, rlen = 0;
	int rc, self = -1, fd;

	if (remote && (rc = sockaddr_parse(remote, 0, AF_UNSPEC, &ra, &rlen, err, errlen)))
		return -rc;
	if ((rc = sockaddr_parse(local, 1, remote ? ra.ss_family : AF_UNSPEC, &la, &llen, err, errlen)))
		return -rc;
	if (remote && la.ss_family != ra.ss_family) {
		snprintf(err, errlen, "local and remote addresses are of different families");
		return -EINVAL;
	}
	if (netns && (self = netns_enter(netns, err, errlen)) < 0)
		return self;
	fd = socket(la.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	rc = fd < 0 ? errno : 0;
	if (netns)
		netns_leave(self);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(rc));
		return -rc;
	}
	int sz = 4 << 20, pmtu = IP_PMTUDISC_DONT;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (la.ss_family == AF_INET)
		setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu));
	if (bind(fd, (struct sockaddr *)&la, llen) < 0) {
		rc = errno;
		snprintf(err, errlen, "bind %s: %s", local, strerror(rc));
		close(fd);
		return -rc;
	}
	if (remote && connect(fd, (struct sockaddr *)&ra, rlen) < 0) {
		rc = errno;
		snprintf(err, errlen, "connect %s: %s", remote, strerror(rc));
		close(fd);
		return -rc;
	}
	return fd;
}

static int udp_open(struct ep *ep, const struct ep_url *u, char *err, size_t errlen)
{
	if (!u->remote || !u->local[0] || !u->remote[0]) {
		snprintf(err, errlen, "expected %s", ep_udp_class.syntax);
		return EINVAL;
	}
	int fd = ep_udp_socket(u->local, u->remote, NULL, err, errlen);
	if (fd < 0)
		return -fd;
	snprintf(ep->descr, sizeof(ep->descr), "udp %s -> %s", u->local, u->remote);
	ep->fd = fd;
	return 0;
}

const struct ep_class ep_udp_class = {
	.scheme = "udp",
	.syntax = "udp://[LADDR:]LPORT@RADDR:RPORT",
	.help = "one raw frame per UDP datagram (QEMU -netdev socket,udp=, libvirt <interface type='udp'>)",
	.open = udp_open,
	.recv_batch = ep_dgram_recv,
	.send_batch = ep_dgram_send,
};
