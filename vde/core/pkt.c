#include "pkt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const uint8_t vpkt_zero_pad[ETH_MIN_LEN];

int vpkt_pool_init(struct vpkt_pool *pool, unsigned n)
{
	pool->mem = calloc(n, sizeof(struct vpkt));
	pool->free = calloc(n, sizeof(struct vpkt *));
	if (!pool->mem || !pool->free) {
		free(pool->mem);
		free(pool->free);
		return ENOMEM;
	}
	for (unsigned i = 0; i < n; i++)
		pool->free[i] = &pool->mem[n - 1 - i];
	pool->nfree = pool->size = n;
	return 0;
}

void vpkt_pool_destroy(struct vpkt_pool *pool)
{
	free(pool->mem);
	free(pool->free);
	memset(pool, 0, sizeof(*pool));
}

struct vpkt *vpkt_alloc(struct vpkt_pool *pool)
{
	if (pool->nfree == 0)
		return NULL;
	struct vpkt *p = pool->free[--pool->nfree];
	vpkt_reset(p);
	return p;
}

void vpkt_free(struct vpkt_pool *pool, struct vpkt *p)
{
	pool->free[pool->nfree++] = p;
}

void vtx_flatten(const struct vtx *t, uint8_t *out)
{
	for (unsigned i = 0; i < t->niov; i++) {
		memcpy(out, t->iov[i].iov_base, t->iov[i].iov_len);
		out += t->iov[i].iov_len;
	}
}
