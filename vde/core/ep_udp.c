/* ep_udp.c - udp://[LADDR:]LPORT@RADDR:RPORT: one raw Ethernet frame per UDP
 * datagram, unencrypted. Matches QEMU -netdev socket,udp= and libvirt's
 * <interface type='udp'>, so a VM or another switch attaches without root. */
#include "ep.h"
#include "sockaddr.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int udp_open(struct ep *ep, const char *args, char *err, size_t errlen)
{
	char local[128];
	const char *at = strchr(args, '@');
	struct sockaddr_storage la, ra;
	socklen_t llen, rlen;
	int rc;

	if (!at || (size_t)(at - args) >= sizeof(local) || at == args) {
		snprintf(err, errlen, "expected udp://[LADDR:]LPORT@RADDR:RPORT");
		return EINVAL;
	}
	memcpy(local, args, (size_t)(at - args));
	local[at - args] = '\0';
	if ((rc = sockaddr_parse(at + 1, 0, AF_UNSPEC, &ra, &rlen, err, errlen)))
		return rc;
	if ((rc = sockaddr_parse(local, 1, ra.ss_family, &la, &llen, err, errlen)))
		return rc;
	if (la.ss_family != ra.ss_family) {
		snprintf(err, errlen, "local and remote addresses are of different families");
		return EINVAL;
	}
	int fd = socket(ra.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = errno;
		snprintf(err, errlen, "socket: %s", strerror(rc));
		return rc;
	}
	int one = 1, sz = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (bind(fd, (struct sockaddr *)&la, llen) < 0) {
		rc = errno;
		snprintf(err, errlen, "bind %s: %s", local, strerror(rc));
		close(fd);
		return rc;
	}
	if (connect(fd, (struct sockaddr *)&ra, rlen) < 0) {
		rc = errno;
		snprintf(err, errlen, "connect %s: %s", at + 1, strerror(rc));
		close(fd);
		return rc;
	}
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
