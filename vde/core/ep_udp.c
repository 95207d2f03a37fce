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

static int udp_open(struct ep *ep, const char *args, char *err, size_t errlen)
{
	char local[128];
	const char *at = strchr(args, '@');

	if (!at || (size_t)(at - args) >= sizeof(local) || at == args) {
		snprintf(err, errlen, "expected udp://[LADDR:]LPORT@RADDR:RPORT");
		return EINVAL;
	}
	memcpy(local, args, (size_t)(at - args));
	local[at - args] = '\0';
	int fd = ep_udp_socket(local, at + 1, NULL, err, errlen);
	if (fd < 0)
		return -fd;
	snprintf(ep->descr, sizeof(ep->descr), "udp %s -> %s", local, at + 1);
	ep->fd = fd;
	return 0;
}

const struct ep_class ep_udp_class = {
	.scheme = "udp",
	.syntax = "udp://[LADDR:]LPORT@RADDR:RPORT  one raw frame per UDP datagram",
	.open = udp_open,
	.recv_batch = ep_dgram_recv,
	.send_batch = ep_dgram_send,
};
