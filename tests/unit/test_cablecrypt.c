/* Unit tests: anti-replay window (replay.c) and the encrypted cable framing
 * and session rules (cablecrypt.c). */
#include <glib.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>

#include "../../vde/core/cablecrypt.h"
#include "../../vde/core/replay.h"

/* ---- replay window (RFC 6479 ring) ---- */

static void test_replay_in_order(void)
{
	struct replay_window w;
	replay_reset(&w);
	for (uint64_t c = 0; c < 100000; c++)
		g_assert_cmpint(replay_check(&w, c), ==, REPLAY_OK);
	g_assert_cmpint(replay_check(&w, 99999), ==, REPLAY_DUP);
	g_assert_cmpint(replay_check(&w, 0), ==, REPLAY_OLD);
}

static void test_replay_reorder(void)
{
	struct replay_window w;
	replay_reset(&w);
	g_assert_cmpint(replay_check(&w, 5000), ==, REPLAY_OK);
	/* everything behind within the window is accepted once, in any order */
	for (int64_t c = 4999; c > 0; c -= 7)
		g_assert_cmpint(replay_check(&w, (uint64_t)c), ==, REPLAY_OK);
	g_assert_cmpint(replay_check(&w, 4999), ==, REPLAY_DUP);
	g_assert_cmpint(replay_check(&w, 0), ==, REPLAY_OK);
	g_assert_cmpint(replay_check(&w, 0), ==, REPLAY_DUP);
	/* the window edge: top - REPLAY_WINDOW is the oldest accepted */
	replay_reset(&w);
	g_assert_cmpint(replay_check(&w, 20000), ==, REPLAY_OK);
	g_assert_cmpint(replay_check(&w, 20000 - REPLAY_WINDOW), ==, REPLAY_OK);
	g_assert_cmpint(replay_check(&w, 20000 - REPLAY_WINDOW - 1), ==, REPLAY_OLD);
	g_assert_cmpint(replay_check(&w, 20000 - 2048), ==, REPLAY_OK); /* >= 2048 frames */
}

static void test_replay_jump_and_wrap(void)
{
	struct replay_window w;
	replay_reset(&w);
	/* walk the ring around several times with gaps: bits of old words
	 * must be cleared when the window moves, or new counters look seen */
	uint64_t c = 0;
	for (int i = 0; i < 5000; i++, c += 37)
		g_assert_cmpint(replay_check(&w, c), ==, REPLAY_OK);
	/* a jump of more than the whole ring clears it */
	c += 10 * REPLAY_BITS;
	g_assert_cmpint(replay_check(&w, c), ==, REPLAY_OK);
	for (uint64_t k = 1; k < 64; k++)
		g_assert_cmpint(replay_check(&w, c - k), ==, REPLAY_OK);
	g_assert_cmpint(replay_check(&w, c - 37), ==, REPLAY_DUP);
	/* counters near 2^64 never wrap the top */
	replay_reset(&w);
	g_assert_cmpint(replay_check(&w, UINT64_MAX - 1), ==, REPLAY_OK);
	g_assert_cmpint(replay_check(&w, UINT64_MAX), ==, REPLAY_OLD);
	g_assert_cmpint(replay_check(&w, 0), ==, REPLAY_OLD);
}

/* ---- cable framing ---- */

static uint8_t psk[32], psk2[32];
static const uint64_t T0 = 1000000000ULL;

static size_t seal_text(struct cc_state *s, uint8_t *out, const char *text)
{
	return cc_seal(s, out, (const uint8_t *)text, strlen(text));
}

static void test_header(void)
{
	struct cc_state a;
	uint8_t d[128];
	cc_init_psk(&a, psk, 0x11223344, 0x0102030405060708ULL);
	a.counter = 0x0a0b0c0d;
	size_t n = seal_text(&a, d, "0123456789abcdef");
	g_assert_cmpuint(n, ==, 16 + CC_OVERHEAD);
	const uint8_t want[24] = { 1, 1, 0, 0, 0x44, 0x33, 0x22, 0x11, 8, 7, 6, 5, 4, 3, 2, 1,
				   0x0d, 0x0c, 0x0b, 0x0a, 0, 0, 0, 0 };
	g_assert_cmpmem(d, 24, want, 24);
	g_assert_cmpuint(a.counter, ==, 0x0a0b0c0e);
	/* the payload is not sent in clear */
	g_assert_true(memcmp(d + 24, "0123456789abcdef", 16) != 0);
	cc_clear(&a);
}

static void test_roundtrip_and_rejects(void)
{
	struct cc_state a, b, evil;
	uint8_t d[256], keep[256];
	size_t len, n;
	cc_init_psk(&a, psk, 7, T0);
	cc_init_psk(&b, psk, 9, T0 + 5);
	cc_init_psk(&evil, psk2, 7, T0);

	n = seal_text(&a, d, "hello, frame");
	memcpy(keep, d, n);
	g_assert_cmpint(cc_open(&b, d, n, 1, &len), ==, CC_OK);
	g_assert_cmpuint(len, ==, 12);
	g_assert_cmpmem(d + CC_HDR_LEN, len, "hello, frame", 12);
	g_assert_cmpuint(b.sessions, ==, 1);

	/* replay of the very same datagram */
	memcpy(d, keep, n);
	g_assert_cmpint(cc_open(&b, d, n, 2, &len), ==, CC_REPLAY);
	/* each byte flipped (header or body or tag) fails authentication or the format checks */
	for (size_t i = 0; i < n; i++) {
		n = seal_text(&a, d, "hello, frame");
		d[i] ^= 0x40;
		enum cc_verdict v = cc_open(&b, d, n, 3, &len);
		g_assert_cmpint(v, !=, CC_OK);
	}
	/* truncated */
	n = seal_text(&a, d, "hello, frame");
	g_assert_cmpint(cc_open(&b, d, CC_OVERHEAD - 1, 4, &len), ==, CC_TRUNCATED);
	g_assert_cmpint(cc_open(&b, d, n - 1, 4, &len), ==, CC_AUTH_FAIL);
	/* wrong version and type */
	n = seal_text(&a, d, "x");
	d[1] = 2;
	g_assert_cmpint(cc_open(&b, d, n, 5, &len), ==, CC_BAD_VERSION);
	d[0] = 9;
	g_assert_cmpint(cc_open(&b, d, n, 5, &len), ==, CC_BAD_TYPE);
	/* another key, same sender and a newer epoch: refused, session kept */
	evil.epoch = T0 + 100;
	n = seal_text(&evil, d, "forged");
	g_assert_cmpint(cc_open(&b, d, n, 6, &len), ==, CC_AUTH_FAIL);
	g_assert_cmpuint(b.sessions, ==, 1);
	g_assert_cmpuint(b.cur.epoch, ==, T0);
	/* the real sender still gets through */
	n = seal_text(&a, d, "still here");
	g_assert_cmpint(cc_open(&b, d, n, 7, &len), ==, CC_OK);
	g_assert_cmpuint(b.drops[CC_OK], ==, 2);
	g_assert_cmpuint(b.drops[CC_REPLAY], ==, 1);
	g_assert_cmpuint(b.drops[CC_TRUNCATED], ==, 1);
	cc_clear(&a);
	cc_clear(&b);
	cc_clear(&evil);
}

/* Keepalives: 40 bytes, type 2, authenticated and replay-checked like a
 * frame; a keepalive with a body, or a frame relabelled as one, is refused. */
static void test_keepalive(void)
{
	struct cc_state a, b;
	uint8_t d[128], keep[128];
	size_t len = 99;
	cc_init_psk(&a, psk, 7, T0);
	cc_init_psk(&b, psk, 9, T0 + 5);
	size_t n = cc_seal_keepalive(&a, d);
	g_assert_cmpuint(n, ==, CC_OVERHEAD);
	g_assert_cmpuint(d[0], ==, CC_TYPE_KEEPALIVE);
	g_assert_cmpuint(a.counter, ==, 1);
	memcpy(keep, d, n);
	g_assert_cmpint(cc_open(&b, d, n, 1, &len), ==, CC_OK);
	g_assert_cmpuint(len, ==, 0);
	g_assert_cmpuint(d[0], ==, CC_TYPE_KEEPALIVE);
	g_assert_cmpuint(b.last_rx_ns, ==, 1);
	memcpy(d, keep, n);
	g_assert_cmpint(cc_open(&b, d, n, 2, &len), ==, CC_REPLAY);
	/* a frame whose type byte says keepalive: not empty, refused before decryption */
	n = seal_text(&a, d, "x");
	d[0] = CC_TYPE_KEEPALIVE;
	g_assert_cmpint(cc_open(&b, d, n, 3, &len), ==, CC_BAD_TYPE);
	/* a keepalive relabelled as a frame: the type is authenticated */
	n = cc_seal_keepalive(&a, d);
	d[0] = CC_TYPE_DATA;
	g_assert_cmpint(cc_open(&b, d, n, 4, &len), ==, CC_AUTH_FAIL);
	/* frames and keepalives share the counter: the next frame still opens */
	n = seal_text(&a, d, "after");
	g_assert_cmpint(cc_open(&b, d, n, 5, &len), ==, CC_OK);
	g_assert_cmpuint(d[0], ==, CC_TYPE_DATA);
	g_assert_cmpuint(len, ==, 5);
	cc_clear(&a);
	cc_clear(&b);
}

static void test_sessions(void)
{
	struct cc_state a, a2, b;
	uint8_t d[128], old[128];
	size_t len, n, nold;
	cc_init_psk(&a, psk, 1, T0);
	cc_init_psk(&b, psk, 2, T0);
	n = seal_text(&a, d, "first");
	g_assert_cmpint(cc_open(&b, d, n, 10, &len), ==, CC_OK);
	nold = seal_text(&a, old, "late frame of the first session");
	/* the peer restarts: new sender index, greater epoch, counter from 0 */
	cc_init_psk(&a2, psk, 77, T0 + 1000);
	n = seal_text(&a2, d, "after restart");
	g_assert_cmpint(cc_open(&b, d, n, 20, &len), ==, CC_OK);
	g_assert_cmpuint(b.sessions, ==, 2);
	g_assert_cmpuint(b.cur.sender, ==, 77);
	/* a frame of the old session still in flight: accepted for 5 s ... */
	uint8_t copy[128];
	memcpy(copy, old, nold);
	g_assert_cmpint(cc_open(&b, copy, nold, 20 + CC_PREV_KEEP_NS - 1, &len), ==, CC_OK);
	/* ... once */
	memcpy(copy, old, nold);
	g_assert_cmpint(cc_open(&b, copy, nold, 20 + CC_PREV_KEEP_NS - 1, &len), ==, CC_REPLAY);
	/* after that the old epoch is refused */
	nold = seal_text(&a, old, "too late");
	g_assert_cmpint(cc_open(&b, old, nold, 20 + CC_PREV_KEEP_NS, &len), ==, CC_OLD_EPOCH);
	cc_clear(&a);
	cc_clear(&a2);
	cc_clear(&b);
}

static void test_keypairs(void)
{
	uint8_t pk1[32], sk1[32], pk2[32], sk2[32], d[128];
	struct cc_state a, b, c;
	size_t len, n;
	crypto_kx_keypair(pk1, sk1);
	crypto_kx_keypair(pk2, sk2);
	g_assert_cmpint(cc_init_kx(&a, pk1, sk1, pk2, NULL, 1, T0), ==, 0);
	g_assert_cmpint(cc_init_kx(&b, pk2, sk2, pk1, NULL, 2, T0), ==, 0);
	g_assert_cmpint(cc_init_kx(&c, pk2, sk2, pk2, NULL, 2, T0), ==, -1); /* peer = self */
	n = seal_text(&a, d, "a to b");
	g_assert_cmpint(cc_open(&b, d, n, 1, &len), ==, CC_OK);
	n = seal_text(&b, d, "b to a");
	g_assert_cmpint(cc_open(&a, d, n, 1, &len), ==, CC_OK);
	/* one key per direction: a frame of a's is not accepted by a itself */
	g_assert_cmpint(cc_init_kx(&c, pk1, sk1, pk2, NULL, 5, T0), ==, 0);
	n = seal_text(&a, d, "reflected");
	g_assert_cmpint(cc_open(&c, d, n, 2, &len), ==, CC_AUTH_FAIL);
	/* with a PSK mixed in on one side only, nothing authenticates */
	g_assert_cmpint(cc_init_kx(&c, pk2, sk2, pk1, psk, 3, T0), ==, 0);
	n = seal_text(&a, d, "no psk");
	g_assert_cmpint(cc_open(&c, d, n, 1, &len), ==, CC_AUTH_FAIL);
	/* and the public key follows from the private one */
	uint8_t pk[32];
	cc_public_key(sk1, pk);
	g_assert_cmpmem(pk, 32, pk1, 32);
	cc_clear(&a);
	cc_clear(&b);
	cc_clear(&c);
}

static void test_key_files(void)
{
	g_autofree gchar *dir = g_dir_make_tmp("cckey-XXXXXX", NULL);
	g_autofree gchar *k = g_build_filename(dir, "lab.key", NULL);
	g_autofree gchar *kp = g_build_filename(dir, "site.key", NULL);
	g_autofree gchar *kpub = g_build_filename(dir, "site.key.pub", NULL);
	g_autofree gchar *bad = g_build_filename(dir, "bad.key", NULL);
	char err[256];
	uint8_t key[32], sk[32], pk[32], pk2[32];
	struct stat sb;

	g_assert_cmpint(cc_key_generate(k, NULL, err, sizeof(err)), ==, 0);
	g_assert_cmpint(stat(k, &sb), ==, 0);
	g_assert_cmpuint(sb.st_mode & 0777, ==, 0600);
	g_assert_cmpint(cc_key_load(k, 1, key, err, sizeof(err)), ==, 0);
	g_assert_cmpint(cc_key_generate(k, NULL, err, sizeof(err)), ==, EEXIST); /* never overwritten */
	g_assert_cmpint(chmod(k, 0644), ==, 0);
	g_assert_cmpint(cc_key_load(k, 1, key, err, sizeof(err)), ==, EACCES);
	g_assert_nonnull(strstr(err, "chmod 600"));

	g_assert_cmpint(cc_key_generate(kp, kpub, err, sizeof(err)), ==, 0);
	g_assert_cmpint(stat(kpub, &sb), ==, 0);
	g_assert_cmpuint(sb.st_mode & 0777, ==, 0644);
	g_assert_cmpint(cc_key_load(kp, 1, sk, err, sizeof(err)), ==, 0);
	g_assert_cmpint(cc_key_load(kpub, 0, pk, err, sizeof(err)), ==, 0); /* public: any mode */
	cc_public_key(sk, pk2);
	g_assert_cmpmem(pk, 32, pk2, 32);

	g_assert_true(g_file_set_contents_full(bad, "not base64 at all!\n", -1, G_FILE_SET_CONTENTS_NONE, 0600, NULL));
	g_assert_cmpint(cc_key_load(bad, 1, key, err, sizeof(err)), ==, EINVAL);
	g_assert_true(g_file_set_contents_full(bad, "AAAA\n", -1, G_FILE_SET_CONTENTS_NONE, 0600, NULL)); /* 3 bytes */
	g_assert_cmpint(cc_key_load(bad, 1, key, err, sizeof(err)), ==, EINVAL);
	g_assert_cmpint(cc_key_load("/nonexistent/x.key", 1, key, err, sizeof(err)), ==, ENOENT);
	g_unlink(k);
	g_unlink(kp);
	g_unlink(kpub);
	g_unlink(bad);
	g_rmdir(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_assert_cmpint(cc_global_init(), ==, 0);
	memset(psk, 0x5a, sizeof(psk));
	memset(psk2, 0xa5, sizeof(psk2));
	g_test_add_func("/replay/in-order", test_replay_in_order);
	g_test_add_func("/replay/out-of-order", test_replay_reorder);
	g_test_add_func("/replay/jump-and-wrap", test_replay_jump_and_wrap);
	g_test_add_func("/cable/header", test_header);
	g_test_add_func("/cable/roundtrip-and-rejects", test_roundtrip_and_rejects);
	g_test_add_func("/cable/keepalive", test_keepalive);
	g_test_add_func("/cable/sessions", test_sessions);
	g_test_add_func("/cable/keypairs", test_keypairs);
	g_test_add_func("/cable/key-files", test_key_files);
	return g_test_run();
}
