#include "timerheap.h"

#include <errno.h>
#include <stdlib.h>

static void place(struct timerheap *h, unsigned i, struct timerheap_node *n)
{
	h->v[i] = n;
	n->idx = i + 1;
}

static void sift_up(struct timerheap *h, unsigned i)
{
	struct timerheap_node *n = h->v[i];
	while (i > 0) {
		unsigned parent = (i - 1) / 2;
		if (h->v[parent]->at <= n->at)
			break;
		place(h, i, h->v[parent]);
		i = parent;
	}
	place(h, i, n);
}

static void sift_down(struct timerheap *h, unsigned i)
{
	struct timerheap_node *n = h->v[i];
	for (;;) {
		unsigned l = 2 * i + 1, r = l + 1, m = i;
		uint64_t best = n->at;
		if (l < h->n && h->v[l]->at < best)
			m = l, best = h->v[l]->at;
		if (r < h->n && h->v[r]->at < best)
			m = r;
		if (m == i)
			break;
		place(h, i, h->v[m]);
		i = m;
	}
	place(h, i, n);
}

int timerheap_set(struct timerheap *h, struct timerheap_node *node, uint64_t at)
{
	if (!node->idx) {
		if (at == UINT64_MAX)
			return 0;
		if (h->n == h->cap) {
			unsigned cap = h->cap ? 2 * h->cap : 16;
			struct timerheap_node **v = realloc(h->v, cap * sizeof(*v));
			if (!v)
				return ENOMEM;
			h->v = v;
			h->cap = cap;
		}
		node->at = at;
		place(h, h->n++, node);
		sift_up(h, h->n - 1);
		return 0;
	}
	unsigned i = node->idx - 1;
	if (at == UINT64_MAX) { /* remove: the last node takes its place */
		struct timerheap_node *last = h->v[--h->n];
		node->idx = 0;
		if (i == h->n)
			return 0;
		place(h, i, last);
		sift_up(h, i);
		sift_down(h, last->idx - 1);
		return 0;
	}
	uint64_t old = node->at;
	node->at = at;
	if (at < old)
		sift_up(h, i);
	else
		sift_down(h, i);
	return 0;
}

void timerheap_destroy(struct timerheap *h)
{
	for (unsigned i = 0; i < h->n; i++)
		h->v[i]->idx = 0;
	free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}
