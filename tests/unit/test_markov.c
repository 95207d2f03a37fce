/* Unit tests: wirefilter's Markov mode (vde/core/markov.c): self-loops,
 * resizing, refused edges, and transition frequencies of the seeded chain
 * within their binomial intervals. */
#include <glib.h>
#include <math.h>

#include "../../vde/core/markov.h"

static void test_edges(void)
{
	struct markov m;
	markov_init(&m, 1);
	g_assert_cmpuint(m.n, ==, 1);
	g_assert_cmpfloat(m.w[0][0], ==, 100);
	for (int i = 0; i < 100; i++)
		g_assert_cmpuint(markov_step(&m), ==, 0); /* one node: stays */
	g_assert_cmpint(markov_resize(&m, 0), ==, EINVAL);
	g_assert_cmpint(markov_resize(&m, MARKOV_MAX_NODES + 1), ==, EINVAL);
	g_assert_cmpint(markov_resize(&m, 3), ==, 0);
	for (unsigned i = 0; i < 3; i++)
		g_assert_cmpfloat(m.w[i][i], ==, 100); /* new nodes: only their self-loop */
	g_assert_cmpint(markov_set_edge(&m, 0, 1, 30), ==, 0);
	g_assert_cmpfloat(m.w[0][0], ==, 70);
	g_assert_cmpint(markov_set_edge(&m, 0, 2, 71), ==, EINVAL); /* 30 + 71 > 100 */
	g_assert_cmpfloat(m.w[0][2], ==, 0);
	g_assert_cmpint(markov_set_edge(&m, 0, 2, 70), ==, 0);
	g_assert_cmpfloat(m.w[0][0], ==, 0);
	g_assert_cmpint(markov_set_edge(&m, 0, 0, 10), ==, EINVAL); /* the self-loop is computed */
	g_assert_cmpint(markov_set_edge(&m, 0, 3, 10), ==, EINVAL);
	g_assert_cmpint(markov_set_edge(&m, 1, 0, -1), ==, EINVAL);
	g_assert_cmpint(markov_set_edge(&m, 1, 0, NAN), ==, EINVAL);
	m.cur = 2;
	g_assert_cmpint(markov_resize(&m, 2), ==, 0); /* the edge 0 -> 2 goes back to 0's self-loop */
	g_assert_cmpfloat(m.w[0][0], ==, 70);
	g_assert_cmpfloat(m.w[0][1], ==, 30);
	g_assert_cmpuint(m.cur, ==, 0); /* node 2 is gone: back to node 0 */
	g_assert_cmpint(markov_resize(&m, 3), ==, 0);
	g_assert_cmpfloat(m.w[0][2], ==, 0); /* not resurrected */
	g_assert_cmpfloat(m.w[2][2], ==, 100);
}

/* Two nodes, 0 -> 1 with 30 %, 1 -> 0 with 50 %: each transition frequency
 * is within 5 sigma of its probability, and the time in node 1 within 5
 * sigma-ish of the stationary 0.3 / (0.3 + 0.5) = 0.375. */
static void test_frequencies(void)
{
	struct markov m;
	markov_init(&m, 42);
	markov_resize(&m, 2);
	markov_set_edge(&m, 0, 1, 30);
	markov_set_edge(&m, 1, 0, 50);
	unsigned long from[2] = { 0 }, moved[2] = { 0 }, in1 = 0, n = 400000;
	for (unsigned long s = 0; s < n; s++) {
		unsigned a = m.cur, b = markov_step(&m);
		from[a]++;
		moved[a] += a != b;
		in1 += b == 1;
	}
	double p[2] = { 0.3, 0.5 };
	for (int i = 0; i < 2; i++) {
		double f = (double)moved[i] / (double)from[i];
		double sigma = sqrt(p[i] * (1 - p[i]) / (double)from[i]);
		g_test_message("from %d: %lu steps, moved %.4f (p %.2f, sigma %.4f)", i, from[i], f, p[i], sigma);
		g_assert_cmpfloat(fabs(f - p[i]), <, 5 * sigma);
	}
	double pi1 = (double)in1 / (double)n;
	g_assert_cmpfloat(fabs(pi1 - 0.375), <, 0.01);
	/* the same seed gives the same walk */
	struct markov a, b;
	markov_init(&a, 7), markov_init(&b, 7);
	markov_resize(&a, 3), markov_resize(&b, 3);
	markov_set_edge(&a, 0, 1, 40), markov_set_edge(&b, 0, 1, 40);
	markov_set_edge(&a, 1, 2, 40), markov_set_edge(&b, 1, 2, 40);
	markov_set_edge(&a, 2, 0, 40), markov_set_edge(&b, 2, 0, 40);
	for (int s = 0; s < 1000; s++)
		g_assert_cmpuint(markov_step(&a), ==, markov_step(&b));
}

/* Edges of 100 % alternate deterministically, whatever the draws. */
static void test_alternate(void)
{
	struct markov m;
	markov_init(&m, 3);
	markov_resize(&m, 2);
	markov_set_edge(&m, 0, 1, 100);
	markov_set_edge(&m, 1, 0, 100);
	for (unsigned s = 1; s <= 1000; s++)
		g_assert_cmpuint(markov_step(&m), ==, s % 2);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/markov/edges", test_edges);
	g_test_add_func("/markov/frequencies", test_frequencies);
	g_test_add_func("/markov/alternate", test_alternate);
	return g_test_run();
}
