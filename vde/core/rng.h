/* rng.h - seeded pseudo-random numbers for impairments (xoshiro256**,
 * seeded through splitmix64; Blackman & Vigna 2018). Deterministic for a
 * given seed, so tests can assert exact drop patterns. Not for crypto. */
#ifndef VDE_CORE_RNG_H
#define VDE_CORE_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s[4];
	double spare;      /* second value of the polar method */
	int has_spare;
};

void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, 1). */
static inline double rng_uniform(struct rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }
/* Uniform integer in [0, n). */
static inline uint64_t rng_below(struct rng *r, uint64_t n) { return n ? rng_next(r) % n : 0; }
/* Standard normal (mean 0, sigma 1), Marsaglia polar method. */
double rng_normal(struct rng *r);
/* Pareto with shape 3 (netem's pareto.c), shifted and scaled to mean 0,
 * sigma 1: heavy right tail. */
double rng_pareto(struct rng *r);
/* Poisson-distributed count with mean `lambda` (Knuth; lambda small). */
unsigned rng_poisson(struct rng *r, double lambda);

#endif
