/* Unit tests: Geneve (RFC 8926) and GRE/NVGRE (RFC 2784, 2890, 7637) header
 * codecs, and the VLAN<->segment map with 32-bit GRE keys. */
#include <glib.h>
#include <string.h>

#include "../../vde/core/geneve.h"
#include "../../vde/core/gre.h"
#include "../../vde/core/overlay.h"

static void test_geneve_build(void)
{
	uint8_t h[GENEVE_HDR_LEN];
	geneve_hdr_build(h, 0x00002a);
	/* Ver 0, Opt Len 0, O=C=0, protocol 0x6558, VNI 42, reserved 0 (§3.4) */
	const uint8_t want[8] = { 0x00, 0x00, 0x65, 0x58, 0x00, 0x00, 0x2a, 0x00 };
	g_assert_cmpmem(h, 8, want, 8);
	uint32_t vni = 0;
	g_assert_cmpint(geneve_hdr_parse(h, sizeof(h), &vni), ==, 8);
	g_assert_cmphex(vni, ==, 42);
}

static void test_geneve_options(void)
{
	/* Opt Len 3 words: one option of class 0x0102 type 0x05 with 2 words of data */
	uint8_t h[8 + 12] = { 0x03, 0x00, 0x65, 0x58, 0x12, 0x34, 0x56, 0xff, /* reserved ignored */
			      0x01, 0x02, 0x05, 0x02, 1, 2, 3, 4, 5, 6, 7, 8 };
	uint32_t vni = 0;
	g_assert_cmpint(geneve_hdr_parse(h, sizeof(h), &vni), ==, 20);
	g_assert_cmphex(vni, ==, 0x123456);
	g_assert_cmpint(geneve_hdr_parse(h, sizeof(h) - 1, &vni), ==, -GENEVE_BAD_OPTIONS); /* truncated */
	uint8_t b[sizeof(h)];
	memcpy(b, h, sizeof(h));
	b[10] |= 0x80; /* critical type, not understood: drop (§3.5.1) */
	g_assert_cmpint(geneve_hdr_parse(b, sizeof(b), &vni), ==, -GENEVE_CRITICAL);
	memcpy(b, h, sizeof(h));
	b[1] |= 0x40; /* C bit alone */
	g_assert_cmpint(geneve_hdr_parse(b, sizeof(b), &vni), ==, -GENEVE_CRITICAL);
	memcpy(b, h, sizeof(h));
	b[11] = 0x03; /* option length 3 words overruns Opt Len */
	g_assert_cmpint(geneve_hdr_parse(b, sizeof(b), &vni), ==, -GENEVE_BAD_OPTIONS);
	memcpy(b, h, sizeof(h));
	b[0] = 0x02; /* Opt Len 2 words ends inside the option */
	g_assert_cmpint(geneve_hdr_parse(b, sizeof(b), &vni), ==, -GENEVE_BAD_OPTIONS);
	memcpy(b, h, sizeof(h));
	b[0] |= 0x40; /* version 1 */
	g_assert_cmpint(geneve_hdr_parse(b, sizeof(b), &vni), ==, -GENEVE_BAD_VERSION);
	memcpy(b, h, sizeof(h));
	b[2] = 0x08, b[3] = 0x00; /* IPv4 payload: not ours */
	g_assert_cmpint(geneve_hdr_parse(b, sizeof(b), &vni), ==, -GENEVE_BAD_PROTO);
	memcpy(b, h, sizeof(h));
	b[1] |= 0x80; /* OAM */
	g_assert_cmpint(geneve_hdr_parse(b, sizeof(b), &vni), ==, -GENEVE_OAM);
	g_assert_cmpint(geneve_hdr_parse(h, 7, &vni), ==, -GENEVE_BAD_OPTIONS);
}

static void test_gre_build(void)
{
	uint8_t h[GRE_HDR_MAX];
	g_assert_cmpuint(gre_hdr_build(h, false, 0), ==, 4);
	const uint8_t plain[4] = { 0x00, 0x00, 0x65, 0x58 };
	g_assert_cmpmem(h, 4, plain, 4);
	g_assert_cmpuint(gre_hdr_build(h, true, 42), ==, 8);
	const uint8_t keyed[8] = { 0x20, 0x00, 0x65, 0x58, 0, 0, 0, 42 }; /* K bit, RFC 2890 §2 */
	g_assert_cmpmem(h, 8, keyed, 8);
	bool k = false;
	uint32_t key = 0;
	g_assert_cmpint(gre_hdr_parse(h, 8, &k, &key), ==, 8);
	g_assert_true(k);
	g_assert_cmpuint(key, ==, 42);
	/* NVGRE: VSID 0x123456, FlowID 0x9a (RFC 7637 §3.2) */
	gre_hdr_build(h, true, nvgre_key(0x123456, 0x9a));
	const uint8_t nv[8] = { 0x20, 0x00, 0x65, 0x58, 0x12, 0x34, 0x56, 0x9a };
	g_assert_cmpmem(h, 8, nv, 8);
}

static void test_gre_parse(void)
{
	bool k;
	uint32_t key;
	/* checksum + key + sequence: 16 bytes; checksum over header and payload */
	uint8_t p[16 + 6] = { 0xb0, 0x00, 0x65, 0x58, 0, 0, 0, 0, 0, 0, 0x01, 0x00, 0, 0, 0, 7, 1, 2, 3, 4, 5, 6 };
	uint32_t s = 0;
	for (size_t i = 0; i < sizeof(p); i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	p[4] = (uint8_t)(~s >> 8), p[5] = (uint8_t)~s;
	g_assert_cmpint(gre_hdr_parse(p, sizeof(p), &k, &key), ==, 16);
	g_assert_true(k);
	g_assert_cmpuint(key, ==, 256);
	p[20] ^= 1; /* payload corrupted */
	g_assert_cmpint(gre_hdr_parse(p, sizeof(p), &k, &key), ==, -GRE_BAD_CSUM);
	p[20] ^= 1;
	g_assert_cmpint(gre_hdr_parse(p, 15, &k, &key), ==, -GRE_TRUNCATED);
	/* sequence number alone: skipped */
	uint8_t q[8] = { 0x10, 0x00, 0x65, 0x58, 0, 0, 0, 1 };
	g_assert_cmpint(gre_hdr_parse(q, 8, &k, &key), ==, 8);
	g_assert_false(k);
	uint8_t b[8];
	memcpy(b, q, 8), b[1] = 0x01; /* version 1 (PPTP) */
	g_assert_cmpint(gre_hdr_parse(b, 8, &k, &key), ==, -GRE_BAD_VERSION);
	memcpy(b, q, 8), b[0] |= 0x40; /* routing present (RFC 1701) */
	g_assert_cmpint(gre_hdr_parse(b, 8, &k, &key), ==, -GRE_BAD_FLAGS);
	memcpy(b, q, 8), b[0] |= 0x08; /* strict source route */
	g_assert_cmpint(gre_hdr_parse(b, 8, &k, &key), ==, -GRE_BAD_FLAGS);
	memcpy(b, q, 8), b[1] |= 0x80; /* reserved0 bit 8: ignored (RFC 2784 §2.3) */
	g_assert_cmpint(gre_hdr_parse(b, 8, &k, &key), ==, 8);
	memcpy(b, q, 8), b[2] = 0x08, b[3] = 0x00; /* IPv4 over GRE: not Ethernet */
	g_assert_cmpint(gre_hdr_parse(b, 8, &k, &key), ==, -GRE_BAD_PROTO);
	g_assert_cmpint(gre_hdr_parse(q, 3, &k, &key), ==, -GRE_TRUNCATED);
}

static void test_map_ids(void)
{
	struct overlay_map m;
	char err[200];
	g_assert_cmpint(overlay_map_parse("10:4294967295,20:0", 0xffffffffu, &m, err, sizeof(err)), ==, 0);
	g_assert_cmpuint(m.id[0], ==, 0xffffffffu);
	g_assert_cmpint(overlay_map_by_id(&m, 0), ==, 1);
	g_assert_cmpint(overlay_map_parse("10:4294967296", 0xffffffffu, &m, err, sizeof(err)), ==, EINVAL);
	g_assert_cmpint(overlay_map_parse("10:16777216", 0xffffff, &m, err, sizeof(err)), ==, EINVAL);
	g_assert_cmpint(overlay_map_parse("10:-1", 0xffffffffu, &m, err, sizeof(err)), ==, EINVAL);
	g_assert_nonnull(strstr(err, "ID 0-4294967295"));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/geneve/build", test_geneve_build);
	g_test_add_func("/geneve/options", test_geneve_options);
	g_test_add_func("/gre/build", test_gre_build);
	g_test_add_func("/gre/parse", test_gre_parse);
	g_test_add_func("/overlay/map-ids", test_map_ids);
	return g_test_run();
}
