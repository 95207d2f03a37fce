/* Unit tests: the switch core (vde/core/sw.c) - learning, flooding, VLAN
 * ingress filtering and tag/untag, hub mode, back-pressure - through mock
 * endpoints that record what each port would transmit. */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "../../vde/core/frame.h"
#include "../../vde/core/sw.h"
#include "mock_ep.h"
#include "../../vde/core/bpdu.h"

#define S 1000000000ull
enum { NP = 8 };

static struct sw sw;
static struct ep *eps[NP];
static struct vpkt pk;

static void setup(void)
{
	g_assert_cmpint(sw_init(&sw, NP, 1024, 300), ==, 0);
	for (unsigned p = 1; p < NP; p++) {
		g_assert_cmpint(sw_port_create(&sw, p, true), ==, 0);
		eps[p] = mock_new();
		g_assert_cmpint(sw_port_attach(&sw, p, eps[p]), ==, 0);
	}
}

static void teardown(void)
{
	for (unsigned p = 1; p < NP; p++)
		ep_close(sw_port_detach(&sw, p));
	sw_destroy(&sw);
}

static void clear(void)
{
	for (unsigned p = 1; p < NP; p++)
		M(eps[p])->n = 0;
}

/* Send one frame into `port`: dst/src end in the given bytes; vid < 0 untagged. */
static void send(unsigned port, uint8_t dst, uint8_t src, int vid, uint16_t len, uint64_t now)
{
	uint8_t *d;
	vpkt_reset(&pk);
	d = vpkt_data(&pk);
	memset(d, 0xab, len);
	uint8_t dm[6] = { 0x02, 0, 0, 0, 0, dst }, sm[6] = { 0x02, 0, 0, 0, 0, src };
	if (dst == 0xff)
		memset(dm, 0xff, 6);
	memcpy(d, dm, 6);
	memcpy(d + 6, sm, 6);
	if (vid >= 0) {
		frame_make_tag(d + 12, (uint16_t)vid, 0);
		d[16] = 0x08, d[17] = 0x00;
	} else {
		d[12] = 0x08, d[13] = 0x00;
	}
	pk.len = len;
	struct vpkt *pp = &pk;
	sw_input(&sw, (uint16_t)port, &pp, 1, now);
	sw_flush(&sw);
}

static unsigned got(unsigned p) { return M(eps[p])->n; }

static void test_learn_and_unicast(void)
{
	setup();
	send(1, 0xff, 0x11, -1, 60, S); /* broadcast from .11 on port 1: flood */
	for (unsigned p = 2; p < NP; p++)
		g_assert_cmpuint(got(p), ==, 1);
	g_assert_cmpuint(got(1), ==, 0);
	clear();
	send(2, 0x11, 0x22, -1, 60, S); /* to .11: learned on port 1 */
	g_assert_cmpuint(got(1), ==, 1);
	for (unsigned p = 2; p < NP; p++)
		g_assert_cmpuint(got(p), ==, 0);
	clear();
	send(3, 0x33, 0x44, -1, 60, S); /* unknown unicast: flood */
	for (unsigned p = 1; p < NP; p++)
		g_assert_cmpuint(got(p), ==, p == 3 ? 0 : 1);
	clear();
	send(1, 0x11, 0x55, -1, 60, S); /* dst on the ingress port: dropped */
	for (unsigned p = 1; p < NP; p++)
		g_assert_cmpuint(got(p), ==, 0);
	g_assert_cmpuint(sw.st.drops[SW_DROP_SAME_PORT], ==, 1);
	teardown();
}

static void test_padding_and_jumbo(void)
{
	setup();
	send(1, 0xff, 0x11, -1, 14, S);
	g_assert_cmpuint(M(eps[2])->len[0], ==, 60);
	g_assert_cmpuint(M(eps[2])->f[0][14], ==, 0); /* zero padding */
	clear();
	send(1, 0xff, 0x11, -1, 1514, S);
	g_assert_cmpuint(M(eps[2])->len[0], ==, 1514);
	teardown();
}

static void test_vlan_isolation_and_tagging(void)
{
	setup();
	/* ports 1,2 access VLAN 10; port 3 access VLAN 20; port 4 trunk 10+20 */
	g_assert_cmpint(sw_vlan_create(&sw, 10), ==, 0);
	g_assert_cmpint(sw_vlan_create(&sw, 20), ==, 0);
	g_assert_cmpint(sw_vlan_create(&sw, 10), ==, EEXIST);
	g_assert_cmpint(sw_port_setvlan(&sw, 1, 10), ==, 0);
	g_assert_cmpint(sw_port_setvlan(&sw, 2, 10), ==, 0);
	g_assert_cmpint(sw_port_setvlan(&sw, 3, 20), ==, 0);
	g_assert_cmpint(sw_port_setvlan(&sw, 4, VLAN_NONE), ==, 0);
	g_assert_cmpint(sw_vlan_addport(&sw, 10, 4), ==, 0);
	g_assert_cmpint(sw_vlan_addport(&sw, 20, 4), ==, 0);
	g_assert_cmpint(sw_port_setvlan(&sw, 5, 30), ==, ENXIO); /* no VLAN 30: vde-2 answers ENXIO */

	send(1, 0xff, 0x11, -1, 60, S); /* broadcast in VLAN 10 */
	g_assert_cmpuint(got(2), ==, 1);
	g_assert_cmpuint(got(3), ==, 0); /* other VLAN */
	g_assert_cmpuint(got(5), ==, 0); /* VLAN 0 */
	g_assert_cmpuint(got(4), ==, 1); /* trunk: tagged */
	g_assert_cmpuint(M(eps[4])->len[0], ==, 64);
	g_assert_cmphex(M(eps[4])->f[0][12], ==, 0x81);
	g_assert_cmphex(M(eps[4])->f[0][15], ==, 10);
	g_assert_cmphex(M(eps[4])->f[0][16], ==, 0x08); /* ethertype kept after the tag */
	g_assert_cmpuint(M(eps[2])->len[0], ==, 60); /* access: untagged */
	clear();

	send(4, 0xff, 0x44, 20, 64, S); /* tagged 20 on the trunk: untagged to port 3 */
	g_assert_cmpuint(got(3), ==, 1);
	g_assert_cmpuint(M(eps[3])->len[0], ==, 60);
	g_assert_cmphex(M(eps[3])->f[0][12], ==, 0x08);
	g_assert_cmpuint(got(1) + got(2) + got(5), ==, 0);
	clear();

	send(4, 0xff, 0x44, 30, 64, S); /* VLAN 30 not allowed on the trunk */
	send(4, 0xff, 0x44, -1, 64, S); /* untagged on a port without PVID */
	send(1, 0xff, 0x11, 20, 64, S); /* access port 1 is not in VLAN 20 */
	for (unsigned p = 1; p < NP; p++)
		g_assert_cmpuint(got(p), ==, 0);
	g_assert_cmpuint(sw.st.drops[SW_DROP_VLAN_INGRESS], ==, 2);
	g_assert_cmpuint(sw.st.drops[SW_DROP_NO_PVID], ==, 1);

	/* a priority tag (VID 0) on an access port means its PVID */
	send(3, 0xff, 0x33, 0, 64, S);
	g_assert_cmpuint(got(4), ==, 1);
	g_assert_cmphex(M(eps[4])->f[0][15], ==, 20); /* re-tagged with VID 20 */
	clear();

	/* learned unicast stays in its VLAN: .11 is known in VLAN 10 only */
	send(3, 0x11, 0x33, -1, 60, S);
	g_assert_cmpuint(got(1), ==, 0);
	g_assert_cmpuint(got(4), ==, 1); /* unknown in VLAN 20: flooded there */
	g_assert_cmpint(sw_vlan_remove(&sw, 20), ==, EADDRINUSE);
	g_assert_cmpint(sw_vlan_remove(&sw, 0), ==, EADDRINUSE);
	g_assert_cmpint(sw_vlan_remove(&sw, 99), ==, ENXIO);
	teardown();
}

static void test_hub(void)
{
	setup();
	sw_set_hub(&sw, true);
	send(1, 0x22, 0x11, 77, 64, S);
	send(2, 0x11, 0x22, -1, 60, S); /* a hub never learns: floods again */
	g_assert_cmpuint(got(1), ==, 1);
	for (unsigned p = 3; p < NP; p++)
		g_assert_cmpuint(got(p), ==, 2);
	g_assert_cmpuint(M(eps[3])->len[0], ==, 64); /* frames pass unchanged */
	g_assert_cmphex(M(eps[3])->f[0][15], ==, 77);
	teardown();
}

static void test_flowcache_hits_and_invalidation(void)
{
	setup();
	send(1, 0xff, 0x11, -1, 60, S);
	send(2, 0xff, 0x22, -1, 60, S);
	clear();
	uint64_t m0 = sw.fc.misses, h0 = sw.fc.hits;
	for (int i = 0; i < 10; i++)
		send(1, 0x22, 0x11, -1, 60, 2 * S);
	g_assert_cmpuint(sw.fc.misses - m0, ==, 1);
	g_assert_cmpuint(sw.fc.hits - h0, ==, 9);
	g_assert_cmpuint(got(2), ==, 10);
	/* a hit refreshes the source's age */
	uint32_t i11 = fdb_lookup(&sw.fdb, (uint8_t[]){ 2, 0, 0, 0, 0, 0x11 }, 0);
	send(1, 0x22, 0x11, -1, 60, 9 * S);
	g_assert_cmpuint(sw.fdb.tab[i11].last_seen_ns, ==, 9 * S);
	/* .22 moves to port 3 (after anti-flap): cached unicast to 2 is invalid */
	clear();
	send(3, 0xff, 0x22, -1, 60, 20 * S);
	clear();
	send(1, 0x22, 0x11, -1, 60, 20 * S);
	g_assert_cmpuint(got(2), ==, 0);
	g_assert_cmpuint(got(3), ==, 1);
	/* a VLAN change on port 3 invalidates too */
	sw_vlan_create(&sw, 5);
	sw_port_setvlan(&sw, 3, 5);
	clear();
	send(1, 0x22, 0x11, -1, 60, 21 * S);
	g_assert_cmpuint(got(3), ==, 0); /* flooded in VLAN 0, port 3 no longer there */
	g_assert_cmpuint(got(2), ==, 1);
	teardown();
}

static void test_flowcache_off_same_result(void)
{
	setup();
	sw_set_flowcache(&sw, false);
	send(1, 0xff, 0x11, -1, 60, S);
	send(2, 0xff, 0x22, -1, 60, S);
	clear();
	for (int i = 0; i < 5; i++)
		send(1, 0x22, 0x11, -1, 60, 2 * S);
	g_assert_cmpuint(got(2), ==, 5);
	g_assert_cmpuint(sw.fc.hits + sw.fc.misses, ==, 0);
	teardown();
}

/* Build a frame in pk[i] (dst/src last byte), untagged, 60 bytes. */
static void mkframe(struct vpkt *p, uint8_t dst, uint8_t src)
{
	vpkt_reset(p);
	uint8_t *d = vpkt_data(p);
	memset(d, 0, 60);
	uint8_t dm[6] = { 0x02, 0, 0, 0, 0, dst }, sm[6] = { 0x02, 0, 0, 0, 0, src };
	memcpy(d, dm, 6);
	memcpy(d + 6, sm, 6);
	d[12] = 0x08;
	p->len = 60;
}

static void test_batch_memo(void)
{
	static struct vpkt b[6];
	struct vpkt *pp[6];
	setup();
	send(1, 0xff, 0x11, -1, 60, S);
	send(2, 0xff, 0x22, -1, 60, S);
	clear();
	/* one batch of 5 frames of one flow: 1 table lookup (miss), 4 memo hits */
	for (int i = 0; i < 5; i++)
		mkframe(&b[i], 0x22, 0x11), pp[i] = &b[i];
	uint64_t bh = sw.fc.batch_hits, m = sw.fc.misses;
	sw_input(&sw, 1, pp, 5, 2 * S);
	sw_flush(&sw);
	g_assert_cmpuint(sw.fc.batch_hits - bh, ==, 4);
	g_assert_cmpuint(sw.fc.misses - m, ==, 1);
	g_assert_cmpuint(got(2), ==, 5);
	clear();
	/* a move inside a batch: .22 shows up on port 3 (anti-flap long over),
	 * so the next .11->.22 frame of the same batch must go to port 3 */
	mkframe(&b[0], 0x22, 0x11);
	sw_input(&sw, 1, pp, 1, 10 * S); /* prime the memo path on port 1 */
	mkframe(&b[0], 0x22, 0x11);
	mkframe(&b[1], 0xff, 0x22); /* ingress port differs: must be its own batch */
	struct vpkt *one = &b[1];
	sw_input(&sw, 1, pp, 1, 10 * S);
	sw_input(&sw, 3, &one, 1, 10 * S); /* learn .22 on port 3: generation bump */
	mkframe(&b[2], 0x22, 0x11);
	mkframe(&b[3], 0x22, 0x11);
	struct vpkt *two[2] = { &b[2], &b[3] };
	sw_input(&sw, 1, two, 2, 10 * S);
	sw_flush(&sw);
	g_assert_cmpuint(got(3), ==, 2 + 0);  /* the 2 frames after the move */
	g_assert_cmpuint(got(2), ==, 2 + 1);  /* 2 before it, plus the flood from port 3 */
	/* a generation bump in the middle of one batch: a new source learned
	 * between two frames of a flow stops the memo for the next frame */
	clear();
	mkframe(&b[0], 0x22, 0x11);
	mkframe(&b[1], 0x22, 0x33); /* new MAC .33 on port 1: learn, generation bump */
	mkframe(&b[2], 0x22, 0x11);
	pp[0] = &b[0], pp[1] = &b[1], pp[2] = &b[2];
	bh = sw.fc.batch_hits;
	uint32_t g0 = sw.gen;
	sw_input(&sw, 1, pp, 3, 11 * S);
	sw_flush(&sw);
	g_assert_cmpuint(sw.gen, !=, g0);
	g_assert_cmpuint(sw.fc.batch_hits - bh, ==, 0);
	g_assert_cmpuint(got(3), ==, 3);
	teardown();
}

static void test_port_impairments(void)
{
	struct impair_params p;
	char err[100];
	setup();
	send(1, 0xff, 0x11, -1, 60, S);
	send(2, 0xff, 0x22, -1, 60, S);
	clear();
	impair_params_default(&p);
	g_assert_cmpint(impair_parse("delay=10ms", &p, err, sizeof(err)), ==, 0);
	g_assert_cmpint(sw_port_impair(&sw, 2, SW_IMPAIR_OUT, &p), ==, 0);
	g_assert_cmpint(sw_port_impair(&sw, 99, SW_IMPAIR_OUT, &p), ==, EINVAL);
	send(1, 0x22, 0x11, -1, 60, 10 * S);
	g_assert_cmpuint(got(2), ==, 0); /* held in port 2's out-chain */
	g_assert_cmpuint(sw_impair_next_ns(&sw), ==, 10 * S + 10000000);
	sw_impair_run(&sw, 10 * S + 9999999);
	g_assert_cmpuint(got(2), ==, 0);
	sw_impair_run(&sw, 10 * S + 10000000);
	g_assert_cmpuint(got(2), ==, 1);
	g_assert_cmpuint(sw.ports[2].st.tx_pkts, ==, 2); /* the flood earlier + this one */
	/* port 1's in-chain: frames enter forwarding only when they leave it */
	g_assert_cmpint(sw_port_impair(&sw, 1, SW_IMPAIR_IN, &p), ==, 0);
	impair_params_default(&p);
	sw_port_impair(&sw, 2, SW_IMPAIR_OUT, &p); /* clear: chain retires once empty */
	clear();
	send(1, 0x22, 0x11, -1, 60, 20 * S);
	g_assert_cmpuint(got(2), ==, 0);
	sw_impair_run(&sw, 20 * S + 10000000);
	g_assert_cmpuint(got(2), ==, 1);
	g_assert_null(sw.ports[2].imp[SW_IMPAIR_OUT]);
	/* a full endpoint behind an out-chain: retried 1 ms later, no busy loop */
	g_assert_cmpint(impair_parse("delay=1ms", &p, err, sizeof(err)), ==, 0);
	sw_port_impair(&sw, 3, SW_IMPAIR_OUT, &p);
	M(eps[3])->room = 0;
	clear();
	send(2, 0xff, 0x22, -1, 60, 30 * S);
	sw_impair_run(&sw, 30 * S + 1000000);
	g_assert_cmpuint(got(3), ==, 0);
	g_assert_cmpuint(sw_impair_next_ns(&sw), >=, 30 * S + 2000000);
	M(eps[3])->room = 1000;
	sw_impair_run(&sw, 30 * S + 2000000);
	g_assert_cmpuint(got(3), ==, 1);
	teardown();
}

static void test_antiflap_not_cached(void)
{
	setup();
	send(1, 0xff, 0x11, -1, 60, 10 * S);
	/* .11 appears on port 2 while still active on port 1: held, not moved */
	send(2, 0xff, 0x11, -1, 60, 11 * S);
	send(2, 0xff, 0x11, -1, 60, 12 * S);
	g_assert_cmpuint(sw.fdb.tab[fdb_lookup(&sw.fdb, (uint8_t[]){ 2, 0, 0, 0, 0, 0x11 }, 0)].port, ==, 1);
	/* port 1 quiet since t=10: at t=13 the next frame from port 2 moves it */
	send(2, 0xff, 0x11, -1, 60, 13 * S);
	g_assert_cmpuint(sw.fdb.tab[fdb_lookup(&sw.fdb, (uint8_t[]){ 2, 0, 0, 0, 0, 0x11 }, 0)].port, ==, 2);
	teardown();
}

static void test_port_detach_flushes(void)
{
	setup();
	send(1, 0xff, 0x11, -1, 60, S);
	g_assert_cmpuint(sw.fdb.count, ==, 1);
	struct ep *e = sw_port_detach(&sw, 1);
	g_assert_true(e == eps[1]);
	g_assert_cmpuint(sw.fdb.count, ==, 0);
	eps[1] = mock_new();
	g_assert_cmpint(sw_port_attach(&sw, 1, eps[1]), ==, 0);
	g_assert_cmpint(sw_port_attach(&sw, 1, eps[1]), ==, EADDRINUSE);
	g_assert_cmpint(sw_port_remove(&sw, 1), ==, EADDRINUSE);
	ep_close(e);
	teardown();
}

static void test_backlog(void)
{
	setup();
	M(eps[2])->room = 0; /* port 2's socket is full */
	send(1, 0xff, 0x11, -1, 60, S);
	send(1, 0xff, 0x11, -1, 61, S);
	g_assert_cmpuint(sw.ports[2].bl_count, ==, 2);
	g_assert_cmpuint(got(3), ==, 2);
	M(eps[2])->room = 1000;
	sw_port_drain(&sw, 2);
	g_assert_cmpuint(sw.ports[2].bl_count, ==, 0);
	g_assert_cmpuint(got(2), ==, 2);
	g_assert_cmpuint(M(eps[2])->len[1], ==, 61); /* order kept */
	g_assert_cmpuint(sw.ports[2].st.tx_pkts, ==, 2);
	g_assert_cmpuint(sw.ports[2].st.tx_drops, ==, 0);
	teardown();
}

static int paused_calls[NP], resumed_calls[NP];
static void on_pause(struct sw *s, uint16_t port, bool pause)
{
	(void)s;
	if (pause)
		paused_calls[port]++;
	else
		resumed_calls[port]++;
}

/* A slow reader on port 3 costs only its own frames: the input whose
 * unicast frames fill its backlog past half (port 1) is paused, the one
 * flooding broadcasts into it (port 2) is not - its copies for port 3 are
 * dropped once the backlog is past half - and an unrelated pair (4 -> 5)
 * is never touched. Draining below half resumes port 1. */
static void test_backpressure_per_input(void)
{
	setup();
	memset(paused_calls, 0, sizeof(paused_calls));
	memset(resumed_calls, 0, sizeof(resumed_calls));
	sw.on_pause = on_pause;
	send(3, 0xff, 0x33, -1, 60, S);  /* learn .33 on port 3, .55 on port 5 */
	send(5, 0xff, 0x55, -1, 60, S);
	clear();
	M(eps[3])->room = 0;             /* port 3 stops reading */
	for (int i = 0; i < PORT_BACKLOG / 2 - 1; i++)
		send(1, 0x33, 0x11, -1, 60, S);  /* unicast 1 -> 3 */
	g_assert_cmpuint(sw.ports[3].bl_count, ==, PORT_BACKLOG / 2 - 1);
	g_assert_cmpint(paused_calls[1], ==, 0);
	send(1, 0x33, 0x11, -1, 60, S);      /* reaches half */
	g_assert_cmpint(paused_calls[1], ==, 1);
	g_assert_true(sw_port_paused(&sw, 1));
	for (int i = 0; i < 40; i++)
		send(2, 0xff, 0x22, -1, 60, S);  /* broadcasts from port 2 */
	g_assert_cmpint(paused_calls[2], ==, 0);
	g_assert_false(sw_port_paused(&sw, 2));
	g_assert_cmpuint(sw.ports[3].bl_count, ==, PORT_BACKLOG / 2); /* copies for 3 dropped */
	g_assert_cmpuint(sw.ports[3].st.tx_drops, ==, 40);
	g_assert_cmpuint(got(4), ==, 40);    /* the rest of the flood went out */
	for (int i = 0; i < 10; i++)
		send(4, 0x55, 0x44, -1, 60, S);  /* unrelated unicast 4 -> 5 */
	g_assert_cmpuint(got(5), ==, 40 + 10);
	g_assert_false(sw_port_paused(&sw, 4));
	g_assert_cmpuint(sw.npaused, ==, 1);
	M(eps[3])->room = 1000;
	sw_port_drain(&sw, 3);
	g_assert_cmpint(resumed_calls[1], ==, 1);
	g_assert_false(sw_port_paused(&sw, 1));
	g_assert_cmpuint(sw.npaused, ==, 0);
	/* a paused input that leaves is no longer counted */
	M(eps[3])->room = 0;
	for (int i = 0; i < PORT_BACKLOG / 2; i++)
		send(1, 0x33, 0x11, -1, 60, S);
	g_assert_cmpuint(sw.npaused, ==, 1);
	ep_close(sw_port_detach(&sw, 1));
	g_assert_cmpuint(sw.npaused, ==, 0);
	eps[1] = mock_new();
	g_assert_cmpint(sw_port_attach(&sw, 1, eps[1]), ==, 0);
	M(eps[3])->room = 1000;
	sw_port_drain(&sw, 3);
	g_assert_cmpuint(sw.npaused, ==, 0);
	g_assert_false(sw_port_paused(&sw, 1));
	sw.on_pause = NULL;
	teardown();
}

static unsigned bpdus_seen[NP];
static void on_bpdu(struct sw *s, uint16_t port, const uint8_t *frame, size_t len)
{
	(void)s, (void)frame, (void)len;
	bpdus_seen[port]++;
}

/* BPDUs (to 01:80:C2:00:00:00) are flooded like any multicast with the
 * spanning tree off and handed to it, never forwarded, with it on; a port
 * the tree blocks takes and sends no data (but still hands BPDUs over), a
 * learning one learns; link down drops both ways. */
static void test_stp_states_and_bpdus(void)
{
	setup();
	sw.on_bpdu = on_bpdu;
	memset(bpdus_seen, 0, sizeof(bpdus_seen));
	uint8_t *d;
	struct vpkt *pp = &pk;
#define SEND_BPDU(port) do { vpkt_reset(&pk); d = vpkt_data(&pk); memset(d, 0, 60); \
	memcpy(d, bpdu_stp_addr, 6); d[6] = 2; d[11] = 9; d[13] = 39; d[14] = d[15] = 0x42; d[16] = 3; \
	pk.len = 60; sw_input(&sw, (port), &pp, 1, S); sw_flush(&sw); } while (0)
	SEND_BPDU(1);
	for (unsigned p = 2; p < NP; p++)
		g_assert_cmpuint(got(p), ==, 1);
	g_assert_cmpuint(bpdus_seen[1], ==, 0);
	clear();
	sw_set_stp(&sw, true);
	SEND_BPDU(1);
	for (unsigned p = 1; p < NP; p++)
		g_assert_cmpuint(got(p), ==, 0);
	g_assert_cmpuint(bpdus_seen[1], ==, 1);
	SEND_BPDU(1); /* never cached: every BPDU is handed over */
	g_assert_cmpuint(bpdus_seen[1], ==, 2);
	/* port 2 discarding: its frames drop, none reach it, its BPDUs still count */
	g_assert_cmpint(sw_port_set_stp_state(&sw, 2, false, false), ==, 0);
	send(2, 0xff, 0x22, -1, 60, S);
	for (unsigned p = 1; p < NP; p++)
		g_assert_cmpuint(got(p), ==, 0);
	g_assert_cmpuint(sw.st.drops[SW_DROP_DISCARDING], ==, 1);
	SEND_BPDU(2);
	g_assert_cmpuint(bpdus_seen[2], ==, 1);
	send(1, 0xff, 0x11, -1, 60, S);
	g_assert_cmpuint(got(2), ==, 0);
	g_assert_cmpuint(got(3), ==, 1);
	clear();
	/* learning: .22 is learned on port 2, but a frame to it is not sent there */
	g_assert_cmpint(sw_port_set_stp_state(&sw, 2, true, false), ==, 0);
	send(2, 0xff, 0x22, -1, 60, S);
	g_assert_cmpuint(got(1), ==, 0);
	send(1, 0x22, 0x11, -1, 60, S);
	for (unsigned p = 1; p < NP; p++)
		g_assert_cmpuint(got(p), ==, 0);
	g_assert_cmpuint(sw.st.drops[SW_DROP_DISCARDING], ==, 3);
	/* forwarding again: the learned entry is used */
	g_assert_cmpint(sw_port_set_stp_state(&sw, 2, true, true), ==, 0);
	send(1, 0x22, 0x11, -1, 60, S);
	g_assert_cmpuint(got(2), ==, 1);
	g_assert_cmpuint(got(3), ==, 0);
	clear();
	/* link down: nothing in, nothing out */
	g_assert_cmpint(sw_port_set_link(&sw, 3, false), ==, 0);
	send(3, 0xff, 0x33, -1, 60, S);
	send(1, 0xff, 0x11, -1, 60, S);
	g_assert_cmpuint(got(3), ==, 0);
	g_assert_cmpuint(got(4), ==, 1);
	g_assert_cmpuint(sw.st.drops[SW_DROP_LINK_DOWN], ==, 1);
	g_assert_cmpint(sw_port_set_link(&sw, 3, true), ==, 0);
	send(1, 0xff, 0x11, -1, 60, S);
	g_assert_cmpuint(got(3), ==, 1);
	/* off again: every port forwards (port 5 was blocked), BPDUs flood */
	sw_port_set_stp_state(&sw, 5, false, false);
	sw_set_stp(&sw, false);
	clear();
	SEND_BPDU(1);
	for (unsigned p = 2; p < NP; p++)
		g_assert_cmpuint(got(p), ==, 1);
#undef SEND_BPDU
	teardown();
}

static void test_numports(void)
{
	setup();
	g_assert_cmpint(sw_set_numports(&sw, 4), ==, EADDRINUSE);
	for (unsigned p = 4; p < NP; p++)
		ep_close(sw_port_detach(&sw, p)), eps[p] = NULL;
	g_assert_cmpint(sw_set_numports(&sw, 4), ==, 0);
	g_assert_cmpuint(sw.nports, ==, 4);
	g_assert_cmpint(sw_port_alloc(&sw), ==, -ENOSPC);
	g_assert_cmpint(sw_set_numports(&sw, 16), ==, 0);
	g_assert_cmpint(sw_port_alloc(&sw), ==, 4);
	for (unsigned p = 1; p < 4; p++)
		ep_close(sw_port_detach(&sw, p));
	sw_destroy(&sw);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sw/learn_and_unicast", test_learn_and_unicast);
	g_test_add_func("/sw/padding_and_jumbo", test_padding_and_jumbo);
	g_test_add_func("/sw/vlan_isolation_and_tagging", test_vlan_isolation_and_tagging);
	g_test_add_func("/sw/hub", test_hub);
	g_test_add_func("/sw/flowcache_hits_and_invalidation", test_flowcache_hits_and_invalidation);
	g_test_add_func("/sw/flowcache_off_same_result", test_flowcache_off_same_result);
	g_test_add_func("/sw/antiflap_not_cached", test_antiflap_not_cached);
	g_test_add_func("/sw/batch_memo", test_batch_memo);
	g_test_add_func("/sw/port_impairments", test_port_impairments);
	g_test_add_func("/sw/port_detach_flushes", test_port_detach_flushes);
	g_test_add_func("/sw/backlog", test_backlog);
	g_test_add_func("/sw/backpressure_per_input", test_backpressure_per_input);
	g_test_add_func("/sw/numports", test_numports);
	g_test_add_func("/sw/stp_states_and_bpdus", test_stp_states_and_bpdus);
	return g_test_run();
}
