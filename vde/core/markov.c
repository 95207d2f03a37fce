#include "markov.h"

#include <errno.h>
#include <string.h>

static void self_loop(struct markov *m, unsigned i)
{
	double rest = 100;
	for (unsigned j = 0; j < m->n; j++)
		if (j != i)
			rest -= m->w[i][j];
	m->w[i][i] = rest;
}

void markov_init(struct markov *m, uint64_t seed)
{
	memset(m, 0, sizeof(*m));
	m->n = 1;
	impair_params_default(&m->node[0].p[0]);
	m->node[0].p[1] = m->node[0].p[0];
	m->w[0][0] = 100;
	m->period_ns = 100000000ull;
	rng_seed(&m->rng, seed);
}

int markov_resize(struct markov *m, unsigned n)
{
	if (n < 1 || n > MARKOV_MAX_NODES)
		return EINVAL;
	for (unsigned i = m->n; i < n; i++) {
		memset(&m->node[i], 0, sizeof(m->node[i]));
		impair_params_default(&m->node[i].p[0]);
		m->node[i].p[1] = m->node[i].p[0];
		for (unsigned j = 0; j < MARKOV_MAX_NODES; j++)
			m->w[i][j] = m->w[j][i] = 0;
	}
	for (unsigned i = 0; i < MARKOV_MAX_NODES; i++)
		for (unsigned j = n; j < MARKOV_MAX_NODES; j++)
			if (i < n || j != i)
				m->w[i][j] = 0; /* edges into removed nodes */
	m->n = n;
	for (unsigned i = 0; i < n; i++)
		self_loop(m, i);
	if (m->cur >= n)
		m->cur = 0;
	return 0;
}

int markov_set_edge(struct markov *m, unsigned i, unsigned j, double w)
{
	if (i >= m->n || j >= m->n || i == j || !(w >= 0 && w <= 100))
		return EINVAL;
	double sum = w;
	for (unsigned k = 0; k < m->n; k++)
		if (k != i && k != j)
			sum += m->w[i][k];
	if (sum > 100 + 1e-9)
		return EINVAL;
	m->w[i][j] = w;
	self_loop(m, i);
	return 0;
}

unsigned markov_step(struct markov *m)
{
	unsigned i = m->cur, k = i;
	double x = rng_uniform(&m->rng) * 100;
	for (unsigned d = 0; d < m->n; d++) {
		k = (i + d) % m->n;
		if (x < m->w[i][k])
			break;
		x -= m->w[i][k];
	}
	m->cur = k;
	return k;
}
