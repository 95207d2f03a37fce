/* libFuzzer target: the Geneve receive path of a real geneve:// endpoint
 * (overlay.c recv with geneve.c's header and option walk, VNI, learning,
 * trunk tagging): each input is sent as one UDP datagram from loopback to
 * an endpoint on 127.0.0.1; odd inputs go to the trunk endpoint. Every
 * frame delivered must be a sane Ethernet frame. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../vde/core/ep.h"

static struct ep *open_ep(const char *url)
{
	struct ep *ep;
	char err[300];
	if (ep_open(url, &ep, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	return ep;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ep *gep[2];
	static int tx = -1;
	static struct sockaddr_in to[2];
	static struct vpkt *buf;
	struct vpkt *p[VPKT_BURST];
	if (!gep[0]) {
		gep[0] = open_ep("geneve://127.0.0.1:46081?vni=42&remote=127.0.0.1:46089");
		gep[1] = open_ep("geneve://127.0.0.1:46082?map=10:5010,20:5020&remote=127.0.0.1:46089");
		tx = socket(AF_INET, SOCK_DGRAM, 0);
		for (int i = 0; i < 2; i++) {
			to[i].sin_family = AF_INET;
			to[i].sin_port = htons((uint16_t)(46081 + i));
			to[i].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		}
		buf = calloc(VPKT_BURST, sizeof(*buf));
	}
	if (size < 1 || size > 9600)
		return 0;
	int k = data[0] & 1;
	sendto(tx, data + 1, size - 1, 0, (struct sockaddr *)&to[k], sizeof(to[k]));
	for (unsigned i = 0; i < VPKT_BURST; i++) {
		vpkt_reset(&buf[i]);
		p[i] = &buf[i];
	}
	int n = ep_recv_batch(gep[k], p, VPKT_BURST);
	for (int i = 0; i < n; i++)
		if (p[i]->len < 14 || p[i]->len > VPKT_MAXFRAME ||
		    p[i]->off + p[i]->len > sizeof(p[i]->buf))
			__builtin_trap();
	return 0;
}
