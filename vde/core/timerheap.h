/* timerheap.h - a binary min-heap of deadlines (ns), for owners of many
 * timed elements (the switch's impaired ports): the earliest deadline is
 * read in O(1) and moving an element costs O(log n), instead of scanning
 * every element on every event.
 *
 * Nodes are embedded in the elements (container_of style) and remember
 * their heap position, so an element updates its own deadline directly.
 */
#ifndef VDE_CORE_TIMERHEAP_H
#define VDE_CORE_TIMERHEAP_H

#include <stddef.h>
#include <stdint.h>

struct timerheap_node {
	uint64_t at;      /* deadline, ns */
	unsigned idx;     /* position + 1 in the heap, 0 = not in it */
};

struct timerheap {
	struct timerheap_node **v;
	unsigned n, cap;
};

/* Set node's deadline to `at`, inserting or moving it; UINT64_MAX removes
 * it. Returns 0 or ENOMEM (the node is then not in the heap). */
int timerheap_set(struct timerheap *h, struct timerheap_node *node, uint64_t at);
/* The node with the earliest deadline, NULL if empty. */
static inline struct timerheap_node *timerheap_min(const struct timerheap *h)
{
	return h->n ? h->v[0] : NULL;
}
void timerheap_destroy(struct timerheap *h);

#endif
