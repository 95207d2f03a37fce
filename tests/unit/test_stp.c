/* Unit tests: RSTP (vde/core/stp.c) and BPDU coding (vde/core/bpdu.c) on a
 * simulated network of bridges: BPDUs travel through a queue, time moves
 * only by stp_tick(), so every expectation is exact. */
#include <glib.h>
#include <string.h>

#include "../../vde/core/stp.h"

enum { NB = 4, NP = 8, NL = 16, QMAX = 4096 };

struct net;
struct br {
	struct net *net;
	int id;
	struct stp *s;
	bool learning[NP], forwarding[NP];
	unsigned flushes[NP];
	unsigned tx[NP];
};
struct link {
	int a, pa, b, pb;
	bool up;
	bool drop_ab, drop_ba; /* silently lose BPDUs one way */
};
struct qent {
	int br, port;
	uint8_t frame[64];
	size_t len;
};
struct net {
	struct br br[NB];
	int nbr;
	struct link l[NL];
	int nl;
	struct qent *q;
	unsigned qh, qt;
};

static void tx_cb(void *arg, unsigned port, const uint8_t *frame, size_t len)
{
	struct br *b = arg;
	struct net *n = b->net;
	b->tx[port]++;
	for (int i = 0; i < n->nl; i++) {
		struct link *l = &n->l[i];
		if (!l->up)
			continue;
		int to = -1, tp = -1;
		if (l->a == b->id && l->pa == (int)port && !l->drop_ab)
			to = l->b, tp = l->pb;
		else if (l->b == b->id && l->pb == (int)port && !l->drop_ba)
			to = l->a, tp = l->pa;
		if (to < 0)
			continue;
		g_assert_cmpuint(n->qt - n->qh, <, QMAX);
		struct qent *e = &n->q[n->qt++ % QMAX];
		e->br = to;
		e->port = tp;
		memcpy(e->frame, frame, len);
		e->len = len;
	}
}

static void state_cb(void *arg, unsigned port, bool learning, bool forwarding)
{
	struct br *b = arg;
	b->learning[port] = learning;
	b->forwarding[port] = forwarding;
}

static void flush_cb(void *arg, unsigned port)
{
	struct br *b = arg;
	b->flushes[port]++;
}

static const struct stp_ops ops = { tx_cb, state_cb, flush_cb };

static void deliver(struct net *n)
{
	while (n->qh != n->qt) {
		struct qent e = n->q[n->qh++ % QMAX];
		stp_rx(n->br[e.br].s, (unsigned)e.port, e.frame, e.len);
	}
}

static void tick(struct net *n, unsigned secs)
{
	for (unsigned t = 0; t < secs; t++) {
		for (int i = 0; i < n->nbr; i++)
			stp_tick(n->br[i].s);
		deliver(n);
	}
}

/* bridge i has MAC 02:00:00:00:00:(mac_last) */
static void net_init(struct net *n, int nbr, const uint8_t *mac_last, enum stp_mode mode)
{
	memset(n, 0, sizeof(*n));
	n->q = g_new0(struct qent, QMAX);
	n->nbr = nbr;
	for (int i = 0; i < nbr; i++) {
		uint8_t mac[6] = { 0x02, 0, 0, 0, 0, mac_last[i] };
		n->br[i].net = n;
		n->br[i].id = i;
		n->br[i].s = stp_new(NP, mac, &ops, &n->br[i]);
		g_assert_nonnull(n->br[i].s);
		stp_set_mode(n->br[i].s, mode);
	}
}

static void net_free(struct net *n)
{
	for (int i = 0; i < n->nbr; i++)
		stp_free(n->br[i].s);
	g_free(n->q);
}

/* Cable bridge a port pa to bridge b port pb and bring both ports up. */
static int connect(struct net *n, int a, int pa, int b, int pb)
{
	int i = n->nl++;
	n->l[i] = (struct link){ a, pa, b, pb, true, false, false };
	stp_port_add(n->br[a].s, (unsigned)pa, true);
	stp_port_add(n->br[b].s, (unsigned)pb, true);
	deliver(n);
	return i;
}

static void link_set(struct net *n, int i, bool up)
{
	struct link *l = &n->l[i];
	l->up = up;
	stp_port_set_enabled(n->br[l->a].s, (unsigned)l->pa, up);
	stp_port_set_enabled(n->br[l->b].s, (unsigned)l->pb, up);
	deliver(n);
}

static struct stp_port_info pinfo(struct net *n, int b, int p)
{
	struct stp_port_info pi;
	g_assert_true(stp_port_get(n->br[b].s, (unsigned)p, &pi));
	return pi;
}

static struct stp_bridge_info binfo(struct net *n, int b)
{
	struct stp_bridge_info bi;
	stp_bridge_get(n->br[b].s, &bi);
	return bi;
}

static void assert_port(struct net *n, int b, int p, enum stp_role role, enum stp_state st)
{
	struct stp_port_info pi = pinfo(n, b, p);
	if (pi.role != role || pi.state != st)
		g_error("bridge %d port %d: %s/%s, expected %s/%s", b, p, stp_role_names[pi.role],
			stp_state_names[pi.state], stp_role_names[role], stp_state_names[st]);
	/* the switch was told the same */
	g_assert_cmpint(n->br[b].forwarding[p], ==, st == STP_FORWARDING);
	g_assert_cmpint(n->br[b].learning[p], ==, st != STP_DISCARDING);
}

static uint64_t bid(unsigned prio, uint8_t last) { return (uint64_t)prio << 48 | 0x020000000000ull | last; }

/* ---- BPDU coding ---- */

static void test_bpdu_roundtrip(void)
{
	uint8_t src[6] = { 2, 0, 0, 0, 0, 9 }, f[64];
	struct bpdu b = { .type = BPDU_RST, .flags = BPDU_F_PROPOSAL | (BPDU_ROLE_DESIGNATED << 2),
			  .root_id = bid(4096, 1), .root_cost = 20000, .bridge_id = bid(32768, 9),
			  .port_id = 0x8003, .msg_age = 256, .max_age = 20 * 256, .hello = 512, .fwd_delay = 15 * 256 };
	g_assert_cmpuint(bpdu_build(f, sizeof(f), src, &b), ==, 60);
	/* 802.3 length 3 + 36, LLC 42 42 03, protocol 0, version 2, type 2 */
	g_assert_cmpuint(f[12] << 8 | f[13], ==, 39);
	g_assert_cmpuint(f[14], ==, 0x42);
	g_assert_cmpuint(f[17] | f[18], ==, 0);
	g_assert_cmpuint(f[19], ==, 2);
	g_assert_cmpuint(f[20], ==, 2);
	struct bpdu r;
	g_assert_cmpint(bpdu_parse(f, 60, &r), ==, BPDU_OK);
	g_assert_cmpuint(r.root_id, ==, b.root_id);
	g_assert_cmpuint(r.bridge_id, ==, b.bridge_id);
	g_assert_cmpuint(r.root_cost, ==, 20000);
	g_assert_cmpuint(r.port_id, ==, 0x8003);
	g_assert_cmpuint(r.flags, ==, b.flags);
	g_assert_cmpuint(r.hello, ==, 512);
	char id[24];
	g_assert_cmpstr(bpdu_id_format(b.root_id, id), ==, "1000.02:00:00:00:00:01");

	b.type = BPDU_CONFIG;
	b.flags = BPDU_F_TC | BPDU_F_TCA;
	bpdu_build(f, sizeof(f), src, &b);
	g_assert_cmpuint(f[12] << 8 | f[13], ==, 38);
	g_assert_cmpuint(f[19], ==, 0);
	g_assert_cmpint(bpdu_parse(f, 60, &r), ==, BPDU_OK);
	g_assert_cmpuint(r.type, ==, BPDU_CONFIG);
	g_assert_cmpuint(r.flags, ==, BPDU_F_TC | BPDU_F_TCA);

	b.type = BPDU_TCN;
	bpdu_build(f, sizeof(f), src, &b);
	g_assert_cmpuint(f[12] << 8 | f[13], ==, 7);
	g_assert_cmpint(bpdu_parse(f, 60, &r), ==, BPDU_OK);
	g_assert_cmpuint(r.type, ==, BPDU_TCN);
	g_assert_cmpuint(bpdu_build(f, 59, src, &b), ==, 0);
}

static void test_bpdu_bad(void)
{
	uint8_t src[6] = { 2, 0, 0, 0, 0, 9 }, f[64], g[64];
	struct bpdu b = { .type = BPDU_RST, .max_age = 20 * 256, .hello = 512 }, r;
	bpdu_build(f, sizeof(f), src, &b);
	for (size_t n = 0; n < 17 + 4; n++)
		g_assert_cmpint(bpdu_parse(f, n, &r), ==, BPDU_ERR_TRUNC);
	g_assert_cmpint(bpdu_parse(f, 17 + 35, &r), ==, BPDU_ERR_TRUNC); /* length field says 39 */
	memcpy(g, f, 64);
	g[13] = 3 + 35; /* RST in 35 bytes */
	g_assert_cmpint(bpdu_parse(g, 60, &r), ==, BPDU_ERR_LENGTH);
	memcpy(g, f, 64);
	g[12] = 0x08, g[13] = 0x00; /* an EtherType, not a length */
	g_assert_cmpint(bpdu_parse(g, 60, &r), ==, BPDU_ERR_LLC);
	memcpy(g, f, 64);
	g[16] = 0x13;
	g_assert_cmpint(bpdu_parse(g, 60, &r), ==, BPDU_ERR_LLC);
	memcpy(g, f, 64);
	g[18] = 1; /* protocol identifier 1 */
	g_assert_cmpint(bpdu_parse(g, 60, &r), ==, BPDU_ERR_PROTO);
	memcpy(g, f, 64);
	g[19] = 0; /* RST type with version 0 */
	g_assert_cmpint(bpdu_parse(g, 60, &r), ==, BPDU_ERR_VERSION);
	memcpy(g, f, 64);
	g[19] = 3; /* a later version is taken as RST (9.3.4) */
	g_assert_cmpint(bpdu_parse(g, 60, &r), ==, BPDU_OK);
	memcpy(g, f, 64);
	g[20] = 0x55;
	g_assert_cmpint(bpdu_parse(g, 60, &r), ==, BPDU_ERR_TYPE);
	b.type = BPDU_CONFIG;
	b.msg_age = 20 * 256; /* message age = max age */
	bpdu_build(g, sizeof(g), src, &b);
	g_assert_cmpint(bpdu_parse(g, 60, &r), ==, BPDU_ERR_AGE);
}

/* ---- the protocol ---- */

/* A triangle: bridge 0 (MAC ..:01) is root; 1-2 link: 1's port designated
 * (lower bridge id), 2's port alternate. Converges by proposal/agreement
 * without any timer running. */
static void triangle(struct net *n, int links[3])
{
	const uint8_t macs[] = { 1, 2, 3 };
	net_init(n, 3, macs, STP_MODE_RSTP);
	links[0] = connect(n, 0, 1, 1, 1);
	links[1] = connect(n, 0, 2, 2, 1);
	links[2] = connect(n, 1, 2, 2, 2);
}

static void test_root_election(void)
{
	struct net n;
	int l[3];
	triangle(&n, l);
	for (int b = 0; b < 3; b++) {
		struct stp_bridge_info bi = binfo(&n, b);
		g_assert_cmpuint(bi.root_id, ==, bid(32768, 1));
	}
	g_assert_cmpuint(binfo(&n, 0).root_port, ==, 0);
	g_assert_cmpuint(binfo(&n, 1).root_port, ==, 1);
	g_assert_cmpuint(binfo(&n, 1).root_cost, ==, 20000);
	/* priority beats MAC: bridge 2 at 4096 becomes root */
	g_assert_cmpint(stp_set_priority(n.br[2].s, 4096), ==, 0);
	deliver(&n);
	for (int b = 0; b < 3; b++)
		g_assert_cmpuint(binfo(&n, b).root_id, ==, bid(4096, 3));
	g_assert_cmpuint(binfo(&n, 2).root_port, ==, 0);
	g_assert_cmpuint(binfo(&n, 0).root_port, ==, 2);
	g_assert_cmpuint(binfo(&n, 1).root_port, ==, 2);
	g_assert_cmpint(stp_set_priority(n.br[2].s, 4095), ==, EINVAL);
	g_assert_cmpint(stp_set_priority(n.br[2].s, 65536), ==, EINVAL);
	net_free(&n);
}

static void test_triangle_roles(void)
{
	struct net n;
	int l[3];
	triangle(&n, l);
	/* no tick has passed: every port got its state by proposal/agreement
	 * (or is discarding because it is the alternate) */
	assert_port(&n, 0, 1, STP_ROLE_DESIGNATED, STP_FORWARDING);
	assert_port(&n, 0, 2, STP_ROLE_DESIGNATED, STP_FORWARDING);
	assert_port(&n, 1, 1, STP_ROLE_ROOT, STP_FORWARDING);
	assert_port(&n, 2, 1, STP_ROLE_ROOT, STP_FORWARDING);
	assert_port(&n, 1, 2, STP_ROLE_DESIGNATED, STP_FORWARDING);
	assert_port(&n, 2, 2, STP_ROLE_ALTERNATE, STP_DISCARDING);
	/* stable: a minute later nothing moved */
	tick(&n, 60);
	assert_port(&n, 1, 2, STP_ROLE_DESIGNATED, STP_FORWARDING);
	assert_port(&n, 2, 2, STP_ROLE_ALTERNATE, STP_DISCARDING);
	struct stp_port_info pi = pinfo(&n, 2, 2);
	g_assert_true(pi.send_rstp);
	g_assert_cmpuint(pi.designated_bridge, ==, bid(32768, 2));
	g_assert_cmpuint(pi.designated_cost, ==, 20000);
	/* hello every 2 s on designated ports, TxHoldCount respected */
	g_assert_cmpuint(pinfo(&n, 0, 1).st.tx_rst, >=, 30);
	g_assert_cmpuint(pinfo(&n, 0, 1).st.tx_rst, <=, 40);
	g_assert_cmpuint(pinfo(&n, 0, 1).st.tx_config, ==, 0);
	/* a cheaper 1-2 path moves the alternate: make 2's port 1 expensive */
	g_assert_cmpint(stp_port_set_cost(n.br[2].s, 1, 100000), ==, 0);
	deliver(&n);
	tick(&n, 1);
	assert_port(&n, 2, 2, STP_ROLE_ROOT, STP_FORWARDING);
	assert_port(&n, 2, 1, STP_ROLE_ALTERNATE, STP_DISCARDING);
	g_assert_cmpuint(binfo(&n, 2).root_cost, ==, 40000);
	net_free(&n);
}

static void test_parallel_and_backup(void)
{
	struct net n;
	const uint8_t macs[] = { 1, 2 };
	net_init(&n, 2, macs, STP_MODE_RSTP);
	connect(&n, 0, 1, 1, 1);
	connect(&n, 0, 2, 1, 2);
	assert_port(&n, 0, 1, STP_ROLE_DESIGNATED, STP_FORWARDING);
	assert_port(&n, 0, 2, STP_ROLE_DESIGNATED, STP_FORWARDING);
	assert_port(&n, 1, 1, STP_ROLE_ROOT, STP_FORWARDING);  /* lower designated port id */
	assert_port(&n, 1, 2, STP_ROLE_ALTERNATE, STP_DISCARDING);
	/* port priority decides between the parallel links */
	g_assert_cmpint(stp_port_set_priority(n.br[0].s, 2, 16), ==, 0);
	deliver(&n);
	tick(&n, 1);
	assert_port(&n, 1, 2, STP_ROLE_ROOT, STP_FORWARDING);
	assert_port(&n, 1, 1, STP_ROLE_ALTERNATE, STP_DISCARDING);
	g_assert_cmpint(stp_port_set_priority(n.br[0].s, 2, 17), ==, EINVAL);
	/* two ports of bridge 1 on one segment (cabled to each other): backup */
	connect(&n, 1, 3, 1, 4);
	tick(&n, 1);
	assert_port(&n, 1, 3, STP_ROLE_DESIGNATED, STP_FORWARDING);
	assert_port(&n, 1, 4, STP_ROLE_BACKUP, STP_DISCARDING);
	tick(&n, 60);
	assert_port(&n, 1, 3, STP_ROLE_DESIGNATED, STP_FORWARDING);
	assert_port(&n, 1, 4, STP_ROLE_BACKUP, STP_DISCARDING);
	net_free(&n);
}

/* A new point-to-point link between two RSTP bridges forwards at once
 * through proposal/agreement; with STP (no agreement) it takes 2 x FwdDelay. */
static void test_proposal_agreement(void)
{
	struct net n;
	const uint8_t macs[] = { 1, 2 };
	net_init(&n, 2, macs, STP_MODE_RSTP);
	/* bridge 1 also has a host port that makes it busy: sync must pass it */
	stp_port_add(n.br[1].s, 5, true);
	tick(&n, 10); /* port 5 alone: autoEdge after EdgeDelay makes it forward */
	assert_port(&n, 1, 5, STP_ROLE_DESIGNATED, STP_FORWARDING);
	g_assert_true(pinfo(&n, 1, 5).oper_edge);
	connect(&n, 0, 1, 1, 1);
	assert_port(&n, 0, 1, STP_ROLE_DESIGNATED, STP_FORWARDING);
	assert_port(&n, 1, 1, STP_ROLE_ROOT, STP_FORWARDING);
	assert_port(&n, 1, 5, STP_ROLE_DESIGNATED, STP_FORWARDING); /* edge: never synced away */
	net_free(&n);

	net_init(&n, 2, macs, STP_MODE_STP);
	connect(&n, 0, 1, 1, 1);
	/* fdWhile starts at MaxAge (DISABLED_PORT), then FwdDelay learning */
	tick(&n, 19);
	assert_port(&n, 1, 1, STP_ROLE_ROOT, STP_DISCARDING);
	assert_port(&n, 0, 1, STP_ROLE_DESIGNATED, STP_DISCARDING);
	tick(&n, 1);
	assert_port(&n, 1, 1, STP_ROLE_ROOT, STP_LEARNING);
	tick(&n, 14);
	assert_port(&n, 1, 1, STP_ROLE_ROOT, STP_LEARNING);
	tick(&n, 1);
	assert_port(&n, 1, 1, STP_ROLE_ROOT, STP_FORWARDING);
	assert_port(&n, 0, 1, STP_ROLE_DESIGNATED, STP_FORWARDING);
	g_assert_cmpuint(pinfo(&n, 0, 1).st.tx_rst, ==, 0);
	g_assert_cmpuint(pinfo(&n, 0, 1).st.tx_config, >, 0);
	net_free(&n);
}

static void test_edge(void)
{
	struct net n;
	const uint8_t macs[] = { 1, 2 };
	net_init(&n, 2, macs, STP_MODE_RSTP);
	stp_port_add(n.br[0].s, 3, false);
	g_assert_cmpint(stp_port_set_edge(n.br[0].s, 3, true), ==, 0);
	stp_port_set_enabled(n.br[0].s, 3, true);
	/* admin edge: forwarding with no tick */
	assert_port(&n, 0, 3, STP_ROLE_DESIGNATED, STP_FORWARDING);
	g_assert_true(pinfo(&n, 0, 3).oper_edge);
	unsigned flushes = n.br[0].flushes[3];
	/* an edge port going forwarding is no topology change */
	g_assert_cmpuint(binfo(&n, 0).tc_count, ==, 0);
	/* a bridge appears behind the edge port: the BPDU clears operEdge and
	 * the port is then a normal designated port (still forwarding after
	 * the proposal/agreement with bridge 1) */
	n.l[n.nl++] = (struct link){ 0, 3, 1, 1, true, false, false };
	stp_port_add(n.br[1].s, 1, true);
	deliver(&n);
	g_assert_false(pinfo(&n, 0, 3).oper_edge);
	g_assert_true(pinfo(&n, 0, 3).admin_edge);
	assert_port(&n, 0, 3, STP_ROLE_DESIGNATED, STP_FORWARDING);
	assert_port(&n, 1, 1, STP_ROLE_ROOT, STP_FORWARDING);
	g_assert_cmpuint(n.br[0].flushes[3], ==, flushes);
	net_free(&n);
}

/* Link failure on the triangle: the alternate becomes root port at once,
 * the change is detected and propagated, and FDBs are flushed on every
 * port but the one that detected it. */
static void test_topology_change(void)
{
	struct net n;
	int l[3];
	triangle(&n, l);
	tick(&n, 10);
	unsigned f0[NP], f1[NP], f2[NP];
	memcpy(f0, n.br[0].flushes, sizeof(f0));
	memcpy(f1, n.br[1].flushes, sizeof(f1));
	memcpy(f2, n.br[2].flushes, sizeof(f2));
	uint64_t tc2 = binfo(&n, 2).tc_count;
	link_set(&n, l[1], false); /* 0-2 down */
	/* no tick: 2's alternate took over (rrWhile of the old root port is 0
	 * because that port is disabled; proposal/agreement with bridge 1) */
	assert_port(&n, 2, 2, STP_ROLE_ROOT, STP_FORWARDING);
	assert_port(&n, 2, 1, STP_ROLE_DISABLED, STP_DISCARDING);
	g_assert_cmpuint(binfo(&n, 2).root_port, ==, 2);
	g_assert_cmpuint(binfo(&n, 2).root_cost, ==, 40000);
	g_assert_cmpuint(binfo(&n, 2).tc_count, >, tc2);
	g_assert_true(binfo(&n, 2).tc_active);
	/* bridge 1 got the TC on its port 2 and flushed its other port (1);
	 * bridge 0 got it from 1 and flushed port 2 (down) but not port 1 */
	g_assert_cmpuint(n.br[1].flushes[1], >, f1[1]);
	g_assert_cmpuint(n.br[1].flushes[2], ==, f1[2]);
	g_assert_cmpuint(n.br[0].flushes[1], ==, f0[1]);
	g_assert_cmpuint(n.br[2].flushes[2], ==, f2[2]); /* the detecting port keeps its entries */
	/* tcWhile = HelloTime + 1 on RSTP: over after 3 s */
	tick(&n, 3);
	g_assert_false(binfo(&n, 2).tc_active);
	/* link back: bridge 2's port 1 is root port again, port 2 alternate */
	link_set(&n, l[1], true);
	tick(&n, 1);
	assert_port(&n, 2, 1, STP_ROLE_ROOT, STP_FORWARDING);
	assert_port(&n, 2, 2, STP_ROLE_ALTERNATE, STP_DISCARDING);
	net_free(&n);
}

/* Information ages out: BPDUs from the root stop (the link stays up), and
 * after 3 x HelloTime bridge 1 takes the root role itself. */
static void test_max_age(void)
{
	struct net n;
	const uint8_t macs[] = { 1, 2 };
	net_init(&n, 2, macs, STP_MODE_RSTP);
	int l = connect(&n, 0, 1, 1, 1);
	tick(&n, 4);
	g_assert_cmpuint(binfo(&n, 1).root_id, ==, bid(32768, 1));
	n.l[l].drop_ab = true;
	tick(&n, 4);
	g_assert_cmpuint(binfo(&n, 1).root_id, ==, bid(32768, 1));
	tick(&n, 3);
	g_assert_cmpuint(binfo(&n, 1).root_id, ==, bid(32768, 2));
	net_free(&n);

	/* a Configuration BPDU whose message age reached max age is dropped */
	net_init(&n, 1, macs, STP_MODE_RSTP);
	stp_port_add(n.br[0].s, 1, true);
	uint8_t f[64], src[6] = { 2, 0, 0, 0, 0, 0 };
	struct bpdu b = { .type = BPDU_CONFIG, .root_id = bid(0, 0), .bridge_id = bid(0, 0), .port_id = 0x8001,
			  .msg_age = 20 * 256, .max_age = 20 * 256, .hello = 512, .fwd_delay = 15 * 256 };
	bpdu_build(f, sizeof(f), src, &b);
	stp_rx(n.br[0].s, 1, f, 60);
	g_assert_cmpuint(pinfo(&n, 0, 1).st.rx_bad[BPDU_ERR_AGE], ==, 1);
	g_assert_cmpuint(binfo(&n, 0).root_id, ==, bid(32768, 1));
	/* 19.5 s: valid, but age + 1 exceeds max age, so the information
	 * ages out as soon as it is recorded (17.21.23) */
	b.msg_age = 19 * 256 + 128;
	bpdu_build(f, sizeof(f), src, &b);
	stp_rx(n.br[0].s, 1, f, 60);
	g_assert_cmpuint(pinfo(&n, 0, 1).st.rx_config, ==, 1);
	g_assert_cmpuint(binfo(&n, 0).root_id, ==, bid(32768, 1));
	/* 19 s: held for 3 x HelloTime, then aged */
	b.msg_age = 19 * 256;
	bpdu_build(f, sizeof(f), src, &b);
	stp_rx(n.br[0].s, 1, f, 60);
	g_assert_cmpuint(binfo(&n, 0).root_id, ==, bid(0, 0));
	tick(&n, 5);
	g_assert_cmpuint(binfo(&n, 0).root_id, ==, bid(0, 0));
	tick(&n, 1);
	g_assert_cmpuint(binfo(&n, 0).root_id, ==, bid(32768, 1));
	net_free(&n);
}

static void test_bad_bpdus_counted(void)
{
	struct net n;
	int l[3];
	triangle(&n, l);
	struct stp_bridge_info before = binfo(&n, 1);
	struct stp_port_info pb = pinfo(&n, 1, 1);
	uint8_t f[64], src[6] = { 2, 0, 0, 0, 0, 0x77 };
	/* a superior root, if it were accepted */
	struct bpdu b = { .type = BPDU_RST, .flags = BPDU_ROLE_DESIGNATED << 2, .root_id = 0, .bridge_id = 0,
			  .port_id = 0x8001, .max_age = 20 * 256, .hello = 512, .fwd_delay = 15 * 256 };
	bpdu_build(f, sizeof(f), src, &b);
	uint8_t g[64];
	memcpy(g, f, 64), g[13] = 3 + 20;           /* bad length */
	stp_rx(n.br[1].s, 1, g, 60);
	memcpy(g, f, 64), g[17] = 0x80;             /* bad protocol id */
	stp_rx(n.br[1].s, 1, g, 60);
	memcpy(g, f, 64), g[19] = 1;                /* RST with version 1 */
	stp_rx(n.br[1].s, 1, g, 60);
	stp_rx(n.br[1].s, 1, f, 30);                /* truncated */
	memcpy(g, f, 64), g[20] = 0x33;             /* unknown type */
	stp_rx(n.br[1].s, 1, g, 60);
	struct stp_port_info pa = pinfo(&n, 1, 1);
	g_assert_cmpuint(pa.st.rx_bad[BPDU_ERR_LENGTH], ==, pb.st.rx_bad[BPDU_ERR_LENGTH] + 1);
	g_assert_cmpuint(pa.st.rx_bad[BPDU_ERR_PROTO], ==, 1);
	g_assert_cmpuint(pa.st.rx_bad[BPDU_ERR_VERSION], ==, 1);
	g_assert_cmpuint(pa.st.rx_bad[BPDU_ERR_TRUNC], ==, 1);
	g_assert_cmpuint(pa.st.rx_bad[BPDU_ERR_TYPE], ==, 1);
	g_assert_cmpuint(pa.st.rx_rst, ==, pb.st.rx_rst);
	struct stp_bridge_info after = binfo(&n, 1);
	g_assert_cmpuint(after.root_id, ==, before.root_id);
	g_assert_cmpuint(after.root_port, ==, before.root_port);
	/* the good one is taken: a new root */
	stp_rx(n.br[1].s, 1, f, 60);
	g_assert_cmpuint(binfo(&n, 1).root_id, ==, 0);
	net_free(&n);
}

/* An RSTP bridge next to an 802.1D one falls back to Configuration BPDUs on
 * that port (Port Protocol Migration) and the two agree on the tree. */
static void test_stp_fallback(void)
{
	struct net n;
	const uint8_t macs[] = { 1, 2, 3 };
	net_init(&n, 3, macs, STP_MODE_RSTP);
	/* bridge 1 is the legacy bridge and the root */
	stp_set_mode(n.br[1].s, STP_MODE_STP);
	stp_set_priority(n.br[1].s, 4096);
	connect(&n, 0, 1, 1, 1);
	tick(&n, 5);
	struct stp_port_info pi = pinfo(&n, 0, 1);
	g_assert_false(pi.send_rstp);
	g_assert_cmpuint(pi.st.rx_config, >, 0);
	uint64_t rst = pi.st.tx_rst;
	g_assert_cmpuint(binfo(&n, 0).root_id, ==, bid(4096, 2));
	g_assert_cmpuint(binfo(&n, 0).root_port, ==, 1);
	/* our root port forwards at once (RSTP, 17.29.2); the legacy designated
	 * port waits for its 802.1D timers */
	assert_port(&n, 0, 1, STP_ROLE_ROOT, STP_FORWARDING);
	assert_port(&n, 1, 1, STP_ROLE_DESIGNATED, STP_DISCARDING);
	tick(&n, 40);
	assert_port(&n, 0, 1, STP_ROLE_ROOT, STP_FORWARDING);
	assert_port(&n, 1, 1, STP_ROLE_DESIGNATED, STP_FORWARDING);
	g_assert_false(pinfo(&n, 0, 1).send_rstp);
	g_assert_cmpuint(pinfo(&n, 0, 1).st.tx_rst, ==, rst); /* no RST BPDU after the fallback */
	/* an RSTP bridge behind bridge 0: its new link is a topology change,
	 * which bridge 0 reports to the legacy root with TCN BPDUs until the
	 * root acknowledges it (TCA) */
	uint64_t tcn = pinfo(&n, 1, 1).st.rx_tcn;
	connect(&n, 0, 2, 2, 1);
	assert_port(&n, 0, 2, STP_ROLE_DESIGNATED, STP_FORWARDING); /* RSTP both ends: at once */
	g_assert_true(pinfo(&n, 0, 2).send_rstp);
	tick(&n, 20);
	g_assert_cmpuint(pinfo(&n, 1, 1).st.rx_tcn, >, tcn);
	g_assert_cmpuint(pinfo(&n, 0, 1).st.tx_tcn, >=, 1);
	g_assert_cmpuint(pinfo(&n, 0, 1).st.tx_tcn, <=, 2); /* stopped by the TCA */
	g_assert_cmpuint(pinfo(&n, 0, 1).tc_while, ==, 0);
	g_assert_cmpuint(binfo(&n, 2).root_id, ==, bid(4096, 2));
	net_free(&n);
}

static void test_mode_off(void)
{
	struct net n;
	int l[3];
	triangle(&n, l);
	stp_set_mode(n.br[2].s, STP_MODE_OFF);
	g_assert_true(n.br[2].forwarding[2]);
	g_assert_true(n.br[2].forwarding[1]);
	assert_port(&n, 2, 2, STP_ROLE_DESIGNATED, STP_FORWARDING);
	stp_set_mode(n.br[2].s, STP_MODE_RSTP);
	deliver(&n);
	tick(&n, 2); /* bridge 1 answers with its next hello */
	assert_port(&n, 2, 2, STP_ROLE_ALTERNATE, STP_DISCARDING);
	net_free(&n);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/bpdu/roundtrip", test_bpdu_roundtrip);
	g_test_add_func("/bpdu/bad", test_bpdu_bad);
	g_test_add_func("/stp/root_election", test_root_election);
	g_test_add_func("/stp/triangle_roles", test_triangle_roles);
	g_test_add_func("/stp/parallel_and_backup", test_parallel_and_backup);
	g_test_add_func("/stp/proposal_agreement", test_proposal_agreement);
	g_test_add_func("/stp/edge", test_edge);
	g_test_add_func("/stp/topology_change", test_topology_change);
	g_test_add_func("/stp/max_age", test_max_age);
	g_test_add_func("/stp/bad_bpdus_counted", test_bad_bpdus_counted);
	g_test_add_func("/stp/stp_fallback", test_stp_fallback);
	g_test_add_func("/stp/mode_off", test_mode_off);
	return g_test_run();
}
