#include "pkt.h"

#include <string.h>

const uint8_t vpkt_zero_pad[ETH_MIN_LEN];

void vtx_flatten(const struct vtx *t, uint8_t *out)
{
	for (unsigned i = 0; i < t->niov; i++) {
		memcpy(out, t->iov[i].iov_base, t->iov[i].iov_len);
		out += t->iov[i].iov_len;
	}
}
