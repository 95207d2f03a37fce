/* libFuzzer target: the stdio/dpipe 2-byte framing (ep_stream.c) on
 * arbitrary bytes: the input is written to a pipe, the endpoint reads
 * batches until EOF or a framing error; every delivered frame must be
 * 14..VPKT_MAXFRAME bytes. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../vde/core/ep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vpkt *buf;
	struct vpkt *p[VPKT_BURST];
	int in[2], out[2];
	if (size > 60000)
		return 0;
	if (!buf && !(buf = calloc(VPKT_BURST, sizeof(*buf))))
		return 0;
	if (pipe(in) || pipe(out))
		abort();
	if (size && write(in[1], data, size) != (ssize_t)size)
		abort();
	close(in[1]);
	struct ep *ep = ep_stream_new(in[0], out[1], "stdio://");
	for (int round = 0; round < 10000; round++) {
		for (unsigned i = 0; i < VPKT_BURST; i++) {
			vpkt_reset(&buf[i]);
			p[i] = &buf[i];
		}
		int n = ep_recv_batch(ep, p, VPKT_BURST);
		if (n < 0)
			break;
		for (int i = 0; i < n; i++)
			if (p[i]->len < 14 || p[i]->len > VPKT_MAXFRAME)
				__builtin_trap();
		if (n == 0 && !ep->rx_pending)
			break;
	}
	ep_close(ep);
	close(out[0]);
	return 0;
}
