/* Unit tests: impairment stages with an injected clock and seeded RNG
 * (vde/core/impair.c): exact departure times, exact drop patterns, and the
 * parsers. */
#include <errno.h>
#include <glib.h>
#include <math.h>
#include <string.h>

#include "../../vde/core/impair.h"

#define MS 1000000ull
static uint8_t F[9300];

static struct impair_chain *mk(const char *spec, uint64_t seed)
{
	static struct impair_chain c;
	struct impair_params p;
	char err[200];
	impair_params_default(&p);
	g_assert_cmpint(impair_parse(spec, &p, err, sizeof(err)), ==, 0);
	g_assert_cmpint(impair_init(&c, seed), ==, 0);
	impair_set(&c, &p);
	return &c;
}

/* Dequeue everything, recording departure times. */
static unsigned drain(struct impair_chain *c, uint64_t *t, unsigned max)
{
	unsigned n = 0;
	struct vtx tx[VPKT_BURST];
	while (n < max) {
		uint64_t next = impair_next_ns(c);
		if (next == UINT64_MAX)
			break;
		unsigned k = impair_dequeue(c, next, tx, 1);
		g_assert_cmpuint(k, ==, 1);
		t[n++] = next;
		impair_release(c, 1);
	}
	return n;
}

static void test_rate_serialization(void)
{
	struct impair_chain *c = mk("rate=12Mbit", 1);
	for (int i = 0; i < 5; i++)
		g_assert_cmpuint(impair_enqueue(c, F, 1500, 0), ==, 1);
	uint64_t t[8];
	g_assert_cmpuint(drain(c, t, 8), ==, 5);
	for (int i = 0; i < 5; i++) /* 1500 * 8 / 12e6 = exactly 1 ms apart */
		g_assert_cmpuint(t[i], ==, (uint64_t)(i + 1) * MS);
	/* an idle link: the next frame leaves 1 ms after it arrives */
	impair_enqueue(c, F, 1500, 100 * MS);
	g_assert_cmpuint(drain(c, t, 8), ==, 1);
	g_assert_cmpuint(t[0], ==, 101 * MS);
	impair_destroy(c);
}

static void test_delay_plus_rate(void)
{
	struct impair_chain *c = mk("delay=10ms rate=12Mbit", 1);
	impair_enqueue(c, F, 1500, 0);
	impair_enqueue(c, F, 750, 0);
	uint64_t t[4];
	g_assert_cmpuint(drain(c, t, 4), ==, 2);
	g_assert_cmpuint(t[0], ==, 11 * MS);
	g_assert_cmpuint(t[1], ==, 11 * MS + MS / 2);
	impair_destroy(c);
}

static void test_loss_exact_pattern(void)
{
	struct impair_chain *c = mk("loss=10%", 7);
	struct rng r;
	rng_seed(&r, 7);
	unsigned dropped = 0;
	for (int i = 0; i < 10000; i++) {
		bool expect_drop = rng_uniform(&r) < 0.10; /* the math, on the same stream */
		unsigned held = impair_enqueue(c, F, 60, (uint64_t)i);
		g_assert_cmpuint(held, ==, expect_drop ? 0 : 1);
		dropped += expect_drop;
		struct vtx tx[1];
		impair_dequeue(c, (uint64_t)i, tx, 1);
		impair_release(c, 1);
	}
	g_assert_cmpuint(c->st.drops[IMPAIR_DROP_LOSS], ==, dropped);
	g_assert_cmpuint(dropped, >, 900);
	g_assert_cmpuint(dropped, <, 1100);
	impair_destroy(c);
}

static void test_small_loss_not_truncated(void)
{
	struct impair_chain *c = mk("loss=0.1% queue=10", 3);
	struct vtx tx[1];
	for (int i = 0; i < 1000000; i++) {
		impair_enqueue(c, F, 60, 0);
		if (impair_dequeue(c, 0, tx, 1))
			impair_release(c, 1);
	}
	/* mean 1000, sigma 31.6: within 5 sigma, and certainly not 0 */
	g_assert_cmpuint(c->st.drops[IMPAIR_DROP_LOSS], >, 842);
	g_assert_cmpuint(c->st.drops[IMPAIR_DROP_LOSS], <, 1158);
	impair_destroy(c);
}

static void test_gilbert_bursts(void)
{
	struct impair_chain *c = mk("loss=5% burst=4 queue=10", 11);
	struct vtx tx[1];
	unsigned long bursts = 0, lost = 0, run = 0;
	const unsigned long N = 1000000;
	for (unsigned long i = 0; i < N; i++) {
		unsigned held = impair_enqueue(c, F, 60, 0);
		if (held) {
			if (run) bursts++;
			run = 0;
			impair_dequeue(c, 0, tx, 1);
			impair_release(c, 1);
		} else {
			run++;
			lost++;
		}
	}
	if (run) bursts++;
	double mean_burst = (double)lost / (double)bursts;
	double loss = (double)lost / (double)N;
	g_test_message("mean burst %.4f, loss %.5f", mean_burst, loss);
	g_assert_cmpfloat(fabs(mean_burst - 4.0) / 4.0, <, 0.02);
	g_assert_cmpfloat(fabs(loss - 0.05) / 0.05, <, 0.05);
	impair_destroy(c);
}

static void test_dup_and_corrupt(void)
{
	struct impair_chain *c = mk("dup=100% corrupt=100%", 5);
	uint8_t orig[200];
	for (int i = 0; i < 200; i++)
		orig[i] = (uint8_t)i;
	g_assert_cmpuint(impair_enqueue(c, orig, 200, 0), ==, 2);
	struct vtx tx[4];
	g_assert_cmpuint(impair_dequeue(c, 0, tx, 4), ==, 2);
	for (int k = 0; k < 2; k++) {
		const uint8_t *d = tx[k].iov[0].iov_base;
		int bits = 0;
		for (int i = 0; i < 200; i++)
			bits += __builtin_popcount(d[i] ^ orig[i]);
		g_assert_cmpint(bits, ==, 1); /* exactly one flipped bit per copy */
	}
	impair_release(c, 2);
	g_assert_cmpuint(c->st.duplicated, ==, 1);
	g_assert_cmpuint(c->st.corrupted, ==, 2);
	g_assert_cmpuint(c->st.passed, ==, 2);
	impair_destroy(c);
}

static void test_queue_droptail_and_mtu(void)
{
	struct impair_chain *c = mk("rate=1Mbit queue=3 mtu=1000", 1);
	for (int i = 0; i < 5; i++)
		impair_enqueue(c, F, 100, 0);
	impair_enqueue(c, F, 1001, 0);
	g_assert_cmpuint(c->st.held_frames, ==, 3);
	g_assert_cmpuint(c->st.drops[IMPAIR_DROP_QUEUE], ==, 2);
	g_assert_cmpuint(c->st.drops[IMPAIR_DROP_MTU], ==, 1);
	/* bytes limit */
	struct impair_params p = c->p;
	char err[100];
	g_assert_cmpint(impair_parse("queue=250B", &p, err, sizeof(err)), ==, 0);
	impair_set(c, &p);
	g_assert_cmpuint(impair_enqueue(c, F, 100, 0), ==, 0); /* 300 B held already */
	impair_destroy(c);
	g_assert_cmpuint(c->st.lost_on_close, ==, 3);
}

static void test_queue_auto(void)
{
	struct impair_params p;
	uint64_t fr, by;
	char err[100];
	impair_params_default(&p);
	impair_limits(&p, &fr, &by);
	g_assert_cmpuint(fr, ==, IMPAIR_QUEUE_DEFAULT_FRAMES);
	g_assert_cmpint(impair_parse("rate=20Mbit delay=20ms", &p, err, sizeof(err)), ==, 0);
	impair_limits(&p, &fr, &by);
	g_assert_cmpuint(fr, ==, 0);
	g_assert_cmpuint(by, ==, 100000); /* 2 * 2.5 MB/s * 20 ms */
	g_assert_cmpint(impair_parse("rate=1Mbit delay=1ms", &p, err, sizeof(err)), ==, 0);
	impair_limits(&p, &fr, &by);
	g_assert_cmpuint(by, ==, IMPAIR_QUEUE_AUTO_FLOOR);
}

static void test_reorder_and_fifo(void)
{
	struct impair_chain *c = mk("delay=10ms reorder=100%", 1);
	impair_enqueue(c, F, 60, 5 * MS);
	g_assert_cmpuint(impair_next_ns(c), ==, 5 * MS); /* skipped the delay */
	impair_destroy(c);

	/* uniform jitter 10ms +-8ms: fifo=0 lets frames overtake, the default keeps order */
	c = mk("delay=10ms jitter=8ms fifo=0", 9);
	for (int i = 0; i < 200; i++) {
		F[0] = (uint8_t)i;
		impair_enqueue(c, F, 60, (uint64_t)i * MS / 10);
	}
	unsigned inversions = 0, last = 0;
	struct vtx tx[1];
	for (int i = 0; i < 200; i++) {
		impair_dequeue(c, impair_next_ns(c), tx, 1);
		unsigned v = ((const uint8_t *)tx[0].iov[0].iov_base)[0];
		if (i && v < last)
			inversions++;
		last = v;
		impair_release(c, 1);
	}
	g_assert_cmpuint(inversions, >, 10);
	impair_destroy(c);

	c = mk("delay=10ms jitter=8ms", 9);
	for (int i = 0; i < 200; i++) {
		F[0] = (uint8_t)i;
		impair_enqueue(c, F, 60, (uint64_t)i * MS / 10);
	}
	for (int i = 0; i < 200; i++) {
		impair_dequeue(c, impair_next_ns(c), tx, 1);
		g_assert_cmpuint(((const uint8_t *)tx[0].iov[0].iov_base)[0], ==, (unsigned)i);
		impair_release(c, 1);
	}
	impair_destroy(c);
}

static void test_normal_jitter_stats(void)
{
	struct impair_chain *c = mk("delay=50ms jitter=10ms dist=normal fifo=0 queue=200000", 21);
	const int N = 100000;
	for (int i = 0; i < N; i++)
		impair_enqueue(c, F, 60, 0);
	double s = 0, s2 = 0;
	struct vtx tx[1];
	for (int i = 0; i < N; i++) {
		uint64_t t = impair_next_ns(c);
		impair_dequeue(c, t, tx, 1);
		impair_release(c, 1);
		double ms = (double)t / 1e6;
		s += ms;
		s2 += ms * ms;
	}
	double mean = s / N, sd = sqrt(s2 / N - mean * mean);
	g_test_message("mean %.3f ms sd %.3f ms", mean, sd);
	g_assert_cmpfloat(fabs(mean - 50), <, 0.1);
	g_assert_cmpfloat(fabs(sd - 10) / 10, <, 0.01);
	impair_destroy(c);
}

static void test_runtime_change_keeps_queue(void)
{
	struct impair_chain *c = mk("delay=100ms", 1);
	impair_enqueue(c, F, 60, 0);          /* leaves at 100 ms */
	struct impair_params p = c->p;
	char err[100];
	impair_parse("delay=10ms", &p, err, sizeof(err));
	impair_set(c, &p);
	impair_enqueue(c, F, 60, 1 * MS);     /* would leave at 11 ms: waits for the first */
	uint64_t t[4];
	g_assert_cmpuint(drain(c, t, 4), ==, 2);
	g_assert_cmpuint(t[0], ==, 100 * MS);
	g_assert_cmpuint(t[1], ==, 100 * MS);
	g_assert_cmpuint(c->st.drops[IMPAIR_DROP_QUEUE] + c->st.drops[IMPAIR_DROP_LOSS], ==, 0);
	impair_destroy(c);
}

static void test_release_requeues(void)
{
	struct impair_chain *c = mk("delay=1ms", 1);
	for (int i = 0; i < 3; i++) {
		F[0] = (uint8_t)(10 + i);
		impair_enqueue(c, F, 60, 0);
	}
	struct vtx tx[4];
	g_assert_cmpuint(impair_dequeue(c, MS, tx, 4), ==, 3);
	impair_release(c, 1); /* endpoint took one: the other two wait, in order */
	g_assert_cmpuint(c->st.held_frames, ==, 2);
	g_assert_cmpuint(impair_dequeue(c, MS, tx, 4), ==, 2);
	g_assert_cmpuint(((uint8_t *)tx[0].iov[0].iov_base)[0], ==, 11);
	g_assert_cmpuint(((uint8_t *)tx[1].iov[0].iov_base)[0], ==, 12);
	impair_release(c, 2);
	g_assert_cmpuint(c->st.passed, ==, 3);
	impair_destroy(c);
}

static void test_parse(void)
{
	struct impair_params p;
	char err[200], buf[256];
	impair_params_default(&p);
	g_assert_cmpint(impair_parse("delay=40ms jitter=5ms dist=normal loss=0.5% burst=4 dup=1% "
				     "corrupt=0.1% rate=10Mbit queue=auto mtu=1400 reorder=2%", &p, err,
				     sizeof(err)), ==, 0);
	g_assert_cmpuint(p.delay_ns, ==, 40 * MS);
	g_assert_cmpuint(p.jitter_ns, ==, 5 * MS);
	g_assert_cmpuint(p.dist, ==, IMPAIR_NORMAL);
	g_assert_cmpfloat(fabs(p.loss - 0.005), <, 1e-12);
	g_assert_cmpfloat(p.burst, ==, 4);
	g_assert_cmpuint(p.rate, ==, 10000000);
	g_assert_cmpuint(p.mtu, ==, 1400);
	impair_format(&p, buf, sizeof(buf));
	g_assert_cmpstr(buf, ==, "delay=40ms jitter=5ms dist=normal loss=0.5% burst=4 dup=1% "
				 "corrupt=0.1% rate=10Mbit reorder=2% mtu=1400");
	g_assert_cmpint(impair_parse("rate=2mbps,delay=1.5s queue=64KiB", &p, err, sizeof(err)), ==, 0);
	g_assert_cmpuint(p.rate, ==, 16000000);
	g_assert_cmpuint(p.delay_ns, ==, 1500 * MS);
	g_assert_cmpuint(p.queue_bytes, ==, 65536);
	g_assert_false(p.queue_auto);
	struct impair_params before = p;
	static const char *bad[][2] = {
		{ "loss=150%", "loss=150%" }, { "delay=-3ms", "delay=-3ms" }, { "rate=fast", "rate=fast" },
		{ "speed=3", "unknown impairment \"speed\"" }, { "loss=5% jitter=x", "jitter=x" },
		{ "delay", "expected key=value" }, { "mtu=5", "mtu=5" }, { "dist=weird", "dist=weird" },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
		err[0] = 0;
		g_assert_cmpint(impair_parse(bad[i][0], &p, err, sizeof(err)), ==, EINVAL);
		g_assert_nonnull(strstr(err, bad[i][1]));
		g_assert_true(memcmp(&p, &before, sizeof(p)) == 0); /* unchanged */
	}
	g_assert_cmpint(impair_parse("none", &p, err, sizeof(err)), ==, 0);
	g_assert_true(impair_params_null(&p));
	impair_format(&p, buf, sizeof(buf));
	g_assert_cmpstr(buf, ==, "none");
}

static void test_parse_wirefilter(void)
{
	struct impair_params lr, rl;
	char err[200];
	impair_params_default(&lr);
	impair_params_default(&rl);
	g_assert_cmpint(impair_parse_wf("delay", "LR100+30N", &lr, &rl, err, sizeof(err)), ==, 0);
	g_assert_cmpuint(lr.delay_ns, ==, 100 * MS);
	g_assert_cmpuint(lr.jitter_ns, ==, 10 * MS);
	g_assert_cmpuint(lr.dist, ==, IMPAIR_NORMAL);
	g_assert_cmpuint(rl.delay_ns, ==, 0);
	g_assert_cmpint(impair_parse_wf("loss", "20", &lr, &rl, err, sizeof(err)), ==, 0);
	g_assert_cmpfloat(lr.loss, ==, 0.2);
	g_assert_cmpfloat(rl.loss, ==, 0.2);
	g_assert_cmpint(impair_parse_wf("bandwidth", "RL1K", &lr, &rl, err, sizeof(err)), ==, 0);
	g_assert_cmpuint(rl.rate, ==, 8192);
	g_assert_cmpuint(lr.rate, ==, 0);
	g_assert_cmpint(impair_parse_wf("mtu", "1000", &lr, &rl, err, sizeof(err)), ==, 0);
	g_assert_cmpuint(lr.mtu, ==, 998); /* vde-2: 998-byte frames pass, 999 drop */
	g_assert_cmpint(impair_parse_wf("fifo", "0", &lr, &rl, err, sizeof(err)), ==, 0);
	g_assert_true(lr.reorder_jitter);
	g_assert_cmpint(impair_parse_wf("loss", "abc", &lr, &rl, err, sizeof(err)), ==, EINVAL);
	g_assert_cmpint(impair_parse_wf("frobnicate", "1", &lr, &rl, err, sizeof(err)), ==, ENOENT);
	g_assert_cmpfloat(lr.loss, ==, 0.2);
	/* wirefilter drops everything from 100 % up: 150 is 100, not an error */
	g_assert_cmpint(impair_parse_wf("loss", "150", &lr, &rl, err, sizeof(err)), ==, 0);
	g_assert_cmpfloat(lr.loss, ==, 1);
	g_assert_cmpint(impair_parse_wf("dup", "RL200", &lr, &rl, err, sizeof(err)), ==, 0);
	g_assert_cmpfloat(rl.dup, ==, 1);
	g_assert_cmpfloat(lr.dup, ==, 0);
	g_assert_cmpint(impair_parse_wf("loss", "-5", &lr, &rl, err, sizeof(err)), ==, EINVAL);
}

/* netem's "reorder P gap N" (sch_netem.c netem_enqueue): after a reordered
 * frame the next N-1 are always delayed; from then on each frame is sent at
 * once with probability P, which restarts the count. Checked against the
 * same rule replayed on the same random stream. */
static void test_reorder_gap(void)
{
	struct impair_chain *c = mk("delay=10ms reorder=30% gap=4", 17);
	struct rng r;
	rng_seed(&r, 17);
	uint32_t count = 0;
	unsigned reordered = 0;
	for (int i = 0; i < 2000; i++) {
		bool expect_now = false;
		if (count < 3 || rng_uniform(&r) >= 0.30) {
			count++;
		} else {
			count = 0;
			expect_now = true;
		}
		g_assert_cmpuint(impair_enqueue(c, F, 60, (uint64_t)i * MS), ==, 1);
		uint64_t t[2];
		g_assert_cmpuint(drain(c, t, 2), ==, 1); /* one held at a time here */
		g_assert_cmpuint(t[0], ==, (uint64_t)i * MS + (expect_now ? 0 : 10 * MS));
		reordered += expect_now;
	}
	/* at most one in four, and about P of the frames allowed to */
	g_assert_cmpuint(reordered, <=, 500);
	g_assert_cmpuint(reordered, >, 200);
	impair_destroy(c);
	/* gap=1 (the default) is plain per-frame reordering */
	struct impair_params p;
	char err[200];
	impair_params_default(&p);
	g_assert_cmpint(impair_parse("reorder=5% gap=3", &p, err, sizeof(err)), ==, 0);
	char buf[128];
	impair_format(&p, buf, sizeof(buf));
	g_assert_cmpstr(buf, ==, "reorder=5% gap=3");
	g_assert_cmpint(impair_parse("gap=2.5", &p, err, sizeof(err)), ==, EINVAL);
	impair_params_default(&p);
	g_assert_cmpint(impair_parse("gap=5", &p, err, sizeof(err)), ==, 0);
	g_assert_true(impair_params_null(&p)); /* a modifier alone impairs nothing */
}

/* Wirefilter's value syntax is range-checked like the unit syntax: each of
 * these was accepted with "1000 Success" and turned into something else. */
static void test_wirefilter_ranges(void)
{
	static const char *bad[][2] = {
		{ "mtu", "4294967400" }, { "delay", "1e300" }, { "chanbufsize", "1e300" },
		{ "delay", "20000000000" }, { "bandwidth", "2000G" }, { "mtu", "15" },
		{ "noise", "100G" }, { "lostburst", "10000000" }, { "dup", "-1" },
		{ "fifo", "2" }, { "mtu", "1000.5" },
	};
	struct impair_params lr, rl;
	char err[300];
	impair_params_default(&lr);
	impair_params_default(&rl);
	g_assert_cmpint(impair_parse_wf("delay", "100", &lr, &rl, err, sizeof(err)), ==, 0);
	struct impair_params lr0 = lr, rl0 = rl;
	for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
		err[0] = '\0';
		g_assert_cmpint(impair_parse_wf(bad[i][0], bad[i][1], &lr, &rl, err, sizeof(err)), ==, EINVAL);
		g_assert_nonnull(strstr(err, bad[i][0]));
		g_assert_true(memcmp(&lr, &lr0, sizeof(lr)) == 0);
		g_assert_true(memcmp(&rl, &rl0, sizeof(rl)) == 0);
	}
	/* the largest accepted values */
	g_assert_cmpint(impair_parse_wf("mtu", "9236", &lr, &rl, err, sizeof(err)), ==, 0);
	g_assert_cmpuint(lr.mtu, ==, 9234);
	g_assert_cmpint(impair_parse_wf("delay", "3600000", &lr, &rl, err, sizeof(err)), ==, 0);
	g_assert_cmpuint(lr.delay_ns, ==, 3600000 * MS);
	g_assert_cmpint(impair_parse_wf("chanbufsize", "256M", &lr, &rl, err, sizeof(err)), ==, 0);
	g_assert_cmpuint(lr.queue_bytes, ==, 256u << 20);
}

/* Everything derived from the key table: the known-keys list in errors and
 * the help text name every key the parser accepts. */
static void test_key_table(void)
{
	struct impair_params p;
	char err[300], help[4096];
	impair_params_default(&p);
	g_assert_cmpint(impair_parse("bogus=1", &p, err, sizeof(err)), ==, EINVAL);
	g_assert_nonnull(strstr(err, impair_key_names()));
	impair_help(help, sizeof(help), 2);
	g_auto(GStrv) names = g_strsplit(impair_key_names(), " ", -1);
	g_assert_cmpuint(g_strv_length(names), >=, 14);
	for (int i = 0; names[i]; i++) {
		g_autofree char *line = g_strdup_printf("  %s=", names[i]);
		g_assert_nonnull(strstr(help, line));
	}
	/* the counters formatter names every drop reason and their sum */
	struct impair_stats st = { .offered = 9, .drops = { 1, 2, 3 } };
	char buf[512];
	impair_stats_format(&st, buf, sizeof(buf));
	g_assert_nonnull(strstr(buf, "drop_mtu=1 drop_loss=2 drop_queue=3 drops=6"));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/impair/rate_serialization", test_rate_serialization);
	g_test_add_func("/impair/delay_plus_rate", test_delay_plus_rate);
	g_test_add_func("/impair/loss_exact_pattern", test_loss_exact_pattern);
	g_test_add_func("/impair/small_loss_not_truncated", test_small_loss_not_truncated);
	g_test_add_func("/impair/gilbert_bursts", test_gilbert_bursts);
	g_test_add_func("/impair/dup_and_corrupt", test_dup_and_corrupt);
	g_test_add_func("/impair/queue_droptail_and_mtu", test_queue_droptail_and_mtu);
	g_test_add_func("/impair/queue_auto", test_queue_auto);
	g_test_add_func("/impair/reorder_and_fifo", test_reorder_and_fifo);
	g_test_add_func("/impair/normal_jitter_stats", test_normal_jitter_stats);
	g_test_add_func("/impair/runtime_change_keeps_queue", test_runtime_change_keeps_queue);
	g_test_add_func("/impair/release_requeues", test_release_requeues);
	g_test_add_func("/impair/parse", test_parse);
	g_test_add_func("/impair/parse_wirefilter", test_parse_wirefilter);
	g_test_add_func("/impair/reorder_gap", test_reorder_gap);
	g_test_add_func("/impair/wirefilter_ranges", test_wirefilter_ranges);
	g_test_add_func("/impair/key_table", test_key_table);
	return g_test_run();
}
