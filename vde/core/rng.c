#include "rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
	r->has_spare = 0;
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double rng_normal(struct rng *r)
{
	if (r->has_spare) {
		r->has_spare = 0;
		return r->spare;
	}
	double u, v, s;
	do {
		u = 2 * rng_uniform(r) - 1;
		v = 2 * rng_uniform(r) - 1;
		s = u * u + v * v;
	} while (s >= 1 || s == 0);
	double m = sqrt(-2 * log(s) / s);
	r->spare = v * m;
	r->has_spare = 1;
	return u * m;
}

double rng_pareto(struct rng *r)
{
	/* X = (1-U)^(-1/a), a = 3: mean a/(a-1) = 1.5, variance a/((a-1)^2 (a-2)) = 0.75 */
	double x = pow(1 - rng_uniform(r), -1.0 / 3.0);
	return (x - 1.5) / sqrt(0.75);
}

unsigned rng_poisson(struct rng *r, double lambda)
{
	if (lambda <= 0)
		return 0;
	double l = exp(-lambda), p = 1;
	unsigned k = 0;
	do {
		k++;
		p *= rng_uniform(r);
	} while (p > l && k < 1000);
	return k - 1;
}
