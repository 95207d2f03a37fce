/* Unit tests: the FDB with an injected clock (vde/core/fdb.c). */
#include <glib.h>
#include <errno.h>
#include <string.h>

#include "../../vde/core/fdb.h"

#define S 1000000000ull

static void mac_n(uint8_t m[6], unsigned n)
{
	m[0] = 0x02;
	m[1] = 0;
	m[2] = (uint8_t)(n >> 24);
	m[3] = (uint8_t)(n >> 16);
	m[4] = (uint8_t)(n >> 8);
	m[5] = (uint8_t)n;
}

static void test_learn_lookup(void)
{
	struct fdb f;
	uint8_t a[6], b[6];
	uint32_t idx;
	g_assert_cmpint(fdb_init(&f, 16, 300 * S, 3 * S, 42), ==, 0);
	mac_n(a, 1);
	mac_n(b, 2);
	g_assert_cmpuint(fdb_lookup(&f, a, 0), ==, FDB_NONE);
	g_assert_cmpint(fdb_learn(&f, a, 0, 3, 10 * S, &idx), ==, FDB_LEARNED);
	g_assert_cmpuint(fdb_lookup(&f, a, 0), ==, idx);
	g_assert_cmpuint(f.tab[idx].port, ==, 3);
	/* same MAC, other VLAN: a separate entry */
	g_assert_cmpuint(fdb_lookup(&f, a, 10), ==, FDB_NONE);
	g_assert_cmpint(fdb_learn(&f, a, 10, 4, 10 * S, NULL), ==, FDB_LEARNED);
	g_assert_cmpint(fdb_learn(&f, a, 0, 3, 11 * S, NULL), ==, FDB_REFRESHED);
	g_assert_cmpuint(f.tab[idx].last_seen_ns, ==, 11 * S);
	g_assert_cmpuint(f.count, ==, 2);
	g_assert_cmpuint(fdb_lookup(&f, b, 0), ==, FDB_NONE);
	fdb_destroy(&f);
}

static void test_move_antiflap(void)
{
	struct fdb f;
	uint8_t a[6];
	uint32_t idx;
	fdb_init(&f, 16, 300 * S, 3 * S, 1);
	mac_n(a, 7);
	fdb_learn(&f, a, 0, 1, 100 * S, &idx);
	/* seen on port 1 at t=100 s: port 2 cannot take it before t=103 s */
	g_assert_cmpint(fdb_learn(&f, a, 0, 2, 101 * S, NULL), ==, FDB_FLAP_HELD);
	g_assert_cmpint(fdb_learn(&f, a, 0, 2, 103 * S - 1, NULL), ==, FDB_FLAP_HELD);
	g_assert_cmpuint(f.tab[idx].port, ==, 1);
	g_assert_cmpint(fdb_learn(&f, a, 0, 2, 103 * S, NULL), ==, FDB_MOVED);
	g_assert_cmpuint(f.tab[fdb_lookup(&f, a, 0)].port, ==, 2);
	g_assert_cmpuint(f.st.moved, ==, 1);
	g_assert_cmpuint(f.st.flap_held, ==, 2);
	fdb_destroy(&f);
}

static void test_age(void)
{
	struct fdb f;
	uint8_t m[6];
	fdb_init(&f, 64, 300 * S, 3 * S, 9);
	for (unsigned i = 0; i < 40; i++) {
		mac_n(m, i);
		fdb_learn(&f, m, 0, 1, (uint64_t)i * S, NULL);
	}
	/* at t=310 s the entries seen at t<=10 s are 300 s old */
	g_assert_cmpuint(fdb_age(&f, 310 * S), ==, 11);
	g_assert_cmpuint(f.count, ==, 29);
	for (unsigned i = 0; i < 40; i++) {
		mac_n(m, i);
		if (i <= 10)
			g_assert_cmpuint(fdb_lookup(&f, m, 0), ==, FDB_NONE);
		else
			g_assert_cmpuint(fdb_lookup(&f, m, 0), !=, FDB_NONE);
	}
	g_assert_cmpuint(fdb_age(&f, 310 * S), ==, 0);
	fdb_destroy(&f);
}

static void test_flush(void)
{
	struct fdb f;
	uint8_t m[6];
	fdb_init(&f, 256, 300 * S, 3 * S, 5);
	for (unsigned i = 0; i < 200; i++) {
		mac_n(m, i);
		fdb_learn(&f, m, (uint16_t)(i % 4), (uint16_t)(i % 5), S, NULL);
	}
	g_assert_cmpuint(f.count, ==, 200);
	g_assert_cmpuint(fdb_flush_port(&f, 2), ==, 40);
	g_assert_cmpuint(fdb_flush_vlan(&f, 1), ==, 40); /* 50 in VLAN 1, 10 of them on port 2 */
	for (unsigned i = 0; i < 200; i++) {
		mac_n(m, i);
		bool gone = i % 5 == 2 || i % 4 == 1;
		g_assert_cmpuint(fdb_lookup(&f, m, (uint16_t)(i % 4)) == FDB_NONE, ==, gone);
	}
	g_assert_cmpuint(fdb_flush_all(&f), ==, 120);
	g_assert_cmpuint(f.count, ==, 0);
	fdb_destroy(&f);
}

static void test_capacity_eviction(void)
{
	struct fdb f;
	uint8_t m[6];
	fdb_init(&f, 100, 300 * S, 3 * S, 77);
	for (unsigned i = 0; i < 100; i++) {
		mac_n(m, i);
		g_assert_cmpint(fdb_learn(&f, m, 0, 1, (uint64_t)(i + 1) * S, NULL), ==, FDB_LEARNED);
	}
	mac_n(m, 1000);
	g_assert_cmpint(fdb_learn(&f, m, 0, 2, 500 * S, NULL), ==, FDB_EVICTED);
	g_assert_cmpuint(f.count, ==, 100);
	g_assert_cmpuint(fdb_lookup(&f, m, 0), !=, FDB_NONE);
	g_assert_cmpuint(f.st.evicted, ==, 1);
	/* every surviving entry is still reachable after the deletion */
	unsigned found = 0;
	for (unsigned i = 0; i < 100; i++) {
		mac_n(m, i);
		found += fdb_lookup(&f, m, 0) != FDB_NONE;
	}
	g_assert_cmpuint(found, ==, 99);
	fdb_destroy(&f);
}

/* Random learn/flush churn checked against a simple model. */
static void test_churn_model(void)
{
	struct fdb f;
	enum { N = 3000 };
	static int model[N]; /* port+1, 0 = absent */
	uint8_t m[6];
	GRand *r = g_rand_new_with_seed(1234);
	fdb_init(&f, 4096, 300 * S, 0, 3);
	memset(model, 0, sizeof(model));
	for (int step = 0; step < 60000; step++) {
		unsigned i = (unsigned)g_rand_int_range(r, 0, N);
		mac_n(m, i);
		if (g_rand_int_range(r, 0, 10) == 0) {
			uint16_t p = (uint16_t)g_rand_int_range(r, 0, 8);
			fdb_flush_port(&f, p);
			for (unsigned k = 0; k < N; k++)
				if (model[k] == p + 1)
					model[k] = 0;
		} else {
			uint16_t p = (uint16_t)g_rand_int_range(r, 0, 8);
			fdb_learn(&f, m, 0, p, (uint64_t)step, NULL);
			model[i] = p + 1;
		}
	}
	unsigned cnt = 0;
	for (unsigned k = 0; k < N; k++) {
		mac_n(m, k);
		uint32_t idx = fdb_lookup(&f, m, 0);
		if (model[k]) {
			g_assert_cmpuint(idx, !=, FDB_NONE);
			g_assert_cmpuint(f.tab[idx].port + 1, ==, (unsigned)model[k]);
			cnt++;
		} else {
			g_assert_cmpuint(idx, ==, FDB_NONE);
		}
	}
	g_assert_cmpuint(f.count, ==, cnt);
	g_rand_free(r);
	fdb_destroy(&f);
}

static void test_resize(void)
{
	struct fdb f;
	uint8_t m[6];
	fdb_init(&f, 64, 300 * S, 3 * S, 8);
	for (unsigned i = 0; i < 50; i++) {
		mac_n(m, i);
		fdb_learn(&f, m, 0, 1, (uint64_t)i * S, NULL);
	}
	g_assert_cmpint(fdb_resize(&f, 20), ==, 0);
	g_assert_cmpuint(f.count, ==, 20);
	for (unsigned i = 0; i < 50; i++) { /* the 20 most recent stay */
		mac_n(m, i);
		g_assert_cmpuint(fdb_lookup(&f, m, 0) != FDB_NONE, ==, i >= 30);
	}
	g_assert_cmpint(fdb_resize(&f, 0), ==, EINVAL);
	fdb_destroy(&f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/fdb/learn_lookup", test_learn_lookup);
	g_test_add_func("/fdb/move_antiflap", test_move_antiflap);
	g_test_add_func("/fdb/age", test_age);
	g_test_add_func("/fdb/flush", test_flush);
	g_test_add_func("/fdb/capacity_eviction", test_capacity_eviction);
	g_test_add_func("/fdb/churn_model", test_churn_model);
	g_test_add_func("/fdb/resize", test_resize);
	return g_test_run();
}
