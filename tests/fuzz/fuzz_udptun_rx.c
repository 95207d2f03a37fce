/* libFuzzer target: the receive paths of real vxlan:// and geneve://
 * endpoints (overlay.c recv with vxlan.c's flags or geneve.c's header and
 * option walk, VNI, learning, trunk tagging): each input after its first
 * byte is sent as one UDP datagram from loopback to an endpoint on
 * 127.0.0.1, picked by the first byte: VXLAN or Geneve, access or trunk.
 * Every frame delivered must be a sane Ethernet frame. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../vde/core/ep.h"

static struct ep *open_vtep(const char *url)
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
	static struct ep *vtep[4];
	static int tx = -1;
	static struct sockaddr_in to[4];
	static struct vpkt *buf;
	struct vpkt *p[VPKT_BURST];
	if (!vtep[0]) {
		vtep[0] = open_vtep("vxlan://127.0.0.1:47891?vni=42&remote=127.0.0.1:47899");
		vtep[1] = open_vtep("vxlan://127.0.0.1:47892?map=10:5010,20:5020&remote=127.0.0.1:47899");
		vtep[2] = open_vtep("geneve://127.0.0.1:47893?vni=42&remote=127.0.0.1:47899");
		vtep[3] = open_vtep("geneve://127.0.0.1:47894?map=10:5010,20:5020&remote=127.0.0.1:47899");
		tx = socket(AF_INET, SOCK_DGRAM, 0);
		for (int i = 0; i < 4; i++) {
			to[i].sin_family = AF_INET;
			to[i].sin_port = htons((uint16_t)(47891 + i));
			to[i].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		}
		buf = calloc(VPKT_BURST, sizeof(*buf));
	}
	if (size < 1 || size > 9300)
		return 0;
	int k = data[0] & 3;
	sendto(tx, data + 1, size - 1, 0, (struct sockaddr *)&to[k], sizeof(to[k]));
	for (unsigned i = 0; i < VPKT_BURST; i++) {
		vpkt_reset(&buf[i]);
		p[i] = &buf[i];
	}
	int n = ep_recv_batch(vtep[k], p, VPKT_BURST);
	for (int i = 0; i < n; i++)
		if (p[i]->len < 14 || p[i]->len > VPKT_MAXFRAME || p[i]->off + p[i]->len > sizeof(p[i]->buf))
			__builtin_trap();
	return 0;
}
