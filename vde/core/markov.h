/* markov.h - wirefilter's Markov mode (vde-2 wirefilter.c L85-240): a link
 * whose impairments follow a Markov chain of states.
 *
 * Each state ("node") holds a full impairment setting for both directions
 * and a name. Every `period_ns` the chain takes one random step from the
 * current node: to node j with probability w(i,j)/100, where the weights of
 * a node's out-edges are percentages and the self-loop gets whatever is
 * left, 100 - sum of the others (markov_compute). A Gilbert-Elliott channel
 * is two nodes with loss 0 and loss 100; a day/night link, two delays.
 *
 * Resizing keeps the nodes and weights that still exist; weights of edges to
 * removed nodes go back to the self-loop; new nodes start with only their
 * self-loop and default (no) impairments; if the current node is removed the
 * chain goes to node 0 (as vde-2). Steps use the seeded generator, so tests
 * can check exact sequences and transition frequencies.
 */
#ifndef VDE_CORE_MARKOV_H
#define VDE_CORE_MARKOV_H

#include <stdbool.h>
#include <stdint.h>

#include "impair.h"
#include "rng.h"

enum { MARKOV_MAX_NODES = 64, MARKOV_NAME_MAX = 32 };

struct markov_node {
	char name[MARKOV_NAME_MAX];
	struct impair_params p[2]; /* LR, RL */
};

struct markov {
	unsigned n;                /* nodes, >= 1 */
	unsigned cur;
	struct markov_node node[MARKOV_MAX_NODES];
	double w[MARKOV_MAX_NODES][MARKOV_MAX_NODES]; /* % from i to j; w[i][i] = the rest */
	uint64_t period_ns;        /* markov-time; vde-2 default 100 ms */
	struct rng rng;
};

/* One node with default parameters, period 100 ms, generator seeded. */
void markov_init(struct markov *m, uint64_t seed);

/* markov-numnodes: 1..MARKOV_MAX_NODES nodes. Returns 0 or EINVAL. */
int markov_resize(struct markov *m, unsigned n);

/* setedge i,j,w: weight w (%) of the edge i -> j (i != j; i == j is
 * refused: the self-loop is computed). The out-edges of i must not sum
 * past 100. Returns 0, or EINVAL (a node out of range, i == j, w outside
 * 0..100 or a sum over 100; nothing changes). */
int markov_set_edge(struct markov *m, unsigned i, unsigned j, double w);

/* One step from the current node (vde-2 markov_step: a uniform draw in
 * [0, 100) walks the out-edges i, i+1, ... mod n, self-loop first).
 * Returns the new current node. */
unsigned markov_step(struct markov *m);

#endif
