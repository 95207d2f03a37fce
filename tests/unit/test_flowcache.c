/* Unit tests: the exact-match flow cache (vde/core/flowcache.c). */
#include <glib.h>
#include <string.h>

#include "../../vde/core/flowcache.h"
#include "../../vde/core/limits.h"

static struct flow_key key(unsigned n)
{
	struct flow_key k;
	memset(&k, 0, sizeof(k));
	k.in_port = (uint16_t)(n % 7);
	k.vid = 0xffff;
	k.dst[5] = (uint8_t)n;
	k.dst[4] = (uint8_t)(n >> 8);
	k.src[5] = (uint8_t)(n * 3);
	k.ethertype = 0x0800;
	return k;
}

static void test_hit_miss(void)
{
	struct flowcache fc;
	struct flow_action a = { .kind = FLOW_UNICAST, .port = 5, .vlan = 0 };
	g_assert_cmpint(flowcache_init(&fc), ==, 0);
	struct flow_key k = key(1);
	g_assert_null(flowcache_lookup(&fc, &k, 1));
	flowcache_insert(&fc, &k, 1, &a, 42);
	struct flow_entry *e = flowcache_lookup(&fc, &k, 1);
	g_assert_nonnull(e);
	g_assert_cmpuint(e->act.port, ==, 5);
	g_assert_cmpuint(e->src_idx, ==, 42);
	k.src[0] ^= 1; /* any field differs: miss */
	g_assert_null(flowcache_lookup(&fc, &k, 1));
	k.src[0] ^= 1;
	k.ethertype = 0x86dd;
	g_assert_null(flowcache_lookup(&fc, &k, 1));
	g_assert_cmpuint(fc.hits, ==, 1);
	g_assert_cmpuint(fc.misses, ==, 3);
	flowcache_destroy(&fc);
}

static void test_generation_invalidates(void)
{
	struct flowcache fc;
	struct flow_action a = { .kind = FLOW_FLOOD };
	flowcache_init(&fc);
	for (unsigned i = 0; i < 100; i++) {
		struct flow_key k = key(i);
		flowcache_insert(&fc, &k, 7, &a, UINT32_MAX);
	}
	for (unsigned i = 0; i < 100; i++) {
		struct flow_key k = key(i);
		g_assert_nonnull(flowcache_lookup(&fc, &k, 7));
		g_assert_null(flowcache_lookup(&fc, &k, 8)); /* bumped: all stale */
	}
	flowcache_destroy(&fc);
}

static void test_two_ways_then_replace_lru(void)
{
	struct flowcache fc;
	struct flow_action a = { .kind = FLOW_UNICAST };
	flowcache_init(&fc);
	/* find three keys in the same set */
	struct flow_key ks[3];
	unsigned found = 0;
	struct flow_key k0 = key(0);
	flowcache_insert(&fc, &k0, 1, &a, 0);
	struct flow_entry *set0 = flowcache_lookup(&fc, &k0, 1);
	ptrdiff_t s0 = (set0 - fc.e) / FLOWCACHE_WAYS;
	ks[found++] = k0;
	flowcache_clear(&fc);
	for (unsigned n = 1; found < 3 && n < 1000000; n++) {
		struct flow_key k = key(n);
		flowcache_insert(&fc, &k, 1, &a, 0);
		struct flow_entry *e = flowcache_lookup(&fc, &k, 1);
		if ((e - fc.e) / FLOWCACHE_WAYS == s0)
			ks[found++] = k;
		flowcache_clear(&fc);
	}
	g_assert_cmpuint(found, ==, 3);
	flowcache_insert(&fc, &ks[0], 1, &a, 0);
	flowcache_insert(&fc, &ks[1], 1, &a, 0);
	g_assert_nonnull(flowcache_lookup(&fc, &ks[0], 1)); /* ks[0] is now the most recent */
	flowcache_insert(&fc, &ks[2], 1, &a, 0);                /* evicts ks[1] */
	g_assert_nonnull(flowcache_lookup(&fc, &ks[0], 1));
	g_assert_null(flowcache_lookup(&fc, &ks[1], 1));
	g_assert_nonnull(flowcache_lookup(&fc, &ks[2], 1));
	flowcache_destroy(&fc);
}

static void test_disabled(void)
{
	struct flowcache fc;
	struct flow_action a = { .kind = FLOW_UNICAST };
	flowcache_init(&fc);
	fc.enabled = false;
	struct flow_key k = key(3);
	flowcache_insert(&fc, &k, 1, &a, 0);
	g_assert_null(flowcache_lookup(&fc, &k, 1));
	g_assert_cmpuint(fc.hits + fc.misses + fc.installs, ==, 0);
	flowcache_destroy(&fc);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/flowcache/hit_miss", test_hit_miss);
	g_test_add_func("/flowcache/generation_invalidates", test_generation_invalidates);
	g_test_add_func("/flowcache/two_ways_lru", test_two_ways_then_replace_lru);
	g_test_add_func("/flowcache/disabled", test_disabled);
	return g_test_run();
}
