/* A recording endpoint for unit tests: frames sent to it are kept, flat. */
#ifndef TESTS_MOCK_EP_H
#define TESTS_MOCK_EP_H

#include <stdlib.h>
#include <string.h>

#include "../../vde/core/ep.h"

enum { MOCK_MAX = 64 };
struct mock {
	unsigned n;
	unsigned room;       /* frames accepted per send call before "full" */
	uint16_t len[MOCK_MAX];
	uint8_t f[MOCK_MAX][1600];
};

static int mock_send(struct ep *ep, struct vtx *tx, unsigned n)
{
	struct mock *m = ep->priv;
	unsigned take = n < m->room ? n : m->room;
	for (unsigned i = 0; i < take && m->n < MOCK_MAX; i++) {
		vtx_flatten(&tx[i], m->f[m->n]);
		m->len[m->n++] = tx[i].len;
	}
	return (int)take;
}

static int mock_recv(struct ep *ep, struct vpkt **p, unsigned n) { return 0; }

static const struct ep_class mock_class = {
	.scheme = "mock", .priv_size = sizeof(struct mock),
	.recv_batch = mock_recv, .send_batch = mock_send,
};

static inline struct ep *mock_new(void)
{
	struct ep *ep = ep_alloc(&mock_class, "mock://");
	((struct mock *)ep->priv)->room = 1000;
	return ep;
}

static inline struct mock *M(struct ep *ep) { return ep->priv; }

#endif
