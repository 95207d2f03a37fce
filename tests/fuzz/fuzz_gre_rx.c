/* libFuzzer target: the GRE receive path of real gretap:// and nvgre://
 * endpoints (overlay.c recv: the outer IPv4 header of a raw socket, gre.c's
 * flags, checksum, key and sequence number, key/VSID match, trunk tagging).
 * Each input after its first byte is sent as the payload of one IP protocol
 * 47 packet over loopback to an endpoint on 127.0.0.3 (keyed trunk or
 * keyless gretap, or NVGRE by the first byte). Needs root for the raw
 * sockets; without it, the header parser alone is fuzzed. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../vde/core/ep.h"
#include "../../vde/core/gre.h"

static struct ep *open_ep(const char *url)
{
	struct ep *ep;
	char err[300];
	if (ep_open(url, &ep, err, sizeof(err))) {
		fprintf(stderr, "%s (raw sockets need root)\n", err);
		return NULL;
	}
	return ep;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ep *gep[3];
	static bool tried;
	static int tx = -1;
	static struct sockaddr_in to[3];
	static struct vpkt *buf;
	struct vpkt *p[VPKT_BURST];
	if (size < 1 || size > 9600)
		return 0;
	if (!tried) {
		tried = true;
		gep[0] = open_ep("gretap://127.0.0.3?map=10:42,20:4294967295&remote=127.0.0.9");
		gep[1] = open_ep("gretap://127.0.0.4?remote=127.0.0.9");
		gep[2] = open_ep("nvgre://127.0.0.5?vsid=5000&remote=127.0.0.9");
		tx = socket(AF_INET, SOCK_RAW, IPPROTO_GRE_NUM);
		for (int i = 0; i < 3; i++) {
			to[i].sin_family = AF_INET;
			to[i].sin_addr.s_addr = htonl(0x7f000003 + (uint32_t)i);
		}
		buf = calloc(VPKT_BURST, sizeof(*buf));
	}
	int k = data[0] % 3;
	if (!gep[k] || tx < 0) {
		bool has_key;
		uint32_t key;
		int hl = gre_hdr_parse(data + 1, size - 1, &has_key, &key);
		if (hl > (int)size - 1)
			__builtin_trap();
		return 0;
	}
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
