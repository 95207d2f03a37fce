/* Unit tests: VXLAN header, VLAN<->VNI map and flow hash (vde/core/vxlan.c). */
#include <glib.h>
#include <string.h>

#include "../../vde/core/overlay.h"
#include "../../vde/core/vxlan.h"

static void test_header(void)
{
	uint8_t h[8];
	uint32_t vni = 0;
	vxlan_hdr_build(h, 0x123456);
	const uint8_t want[8] = { 0x08, 0, 0, 0, 0x12, 0x34, 0x56, 0 }; /* RFC 7348 §5 */
	g_assert_cmpmem(h, 8, want, 8);
	g_assert_cmpint(vxlan_hdr_parse(h, &vni), ==, 0);
	g_assert_cmphex(vni, ==, 0x123456);
	/* every other flag or reserved bit is refused */
	for (int byte = 0; byte < 8; byte++) {
		if (byte >= 4 && byte <= 6)
			continue; /* the VNI */
		for (int bit = 0; bit < 8; bit++) {
			uint8_t b[8];
			memcpy(b, want, 8);
			b[byte] ^= (uint8_t)(1 << bit);
			g_assert_cmpint(vxlan_hdr_parse(b, &vni), ==, -1);
		}
	}
}

static void test_map(void)
{
	struct overlay_map m;
	char err[200];
	g_assert_cmpint(overlay_map_parse("10:100,20:200", VXLAN_VNI_MAX, &m, err, sizeof(err)), ==, 0);
	g_assert_cmpuint(m.n, ==, 2);
	g_assert_cmpint(overlay_map_by_id(&m, 200), ==, 1);
	g_assert_cmpint(overlay_map_by_vlan(&m, 10), ==, 0);
	g_assert_cmpint(overlay_map_by_vlan(&m, 30), ==, -1);
	const char *bad[] = { "", "10", "10:", ":5", "0:5", "4095:5", "10:16777216", "10:1,10:2",
			      "10:1,11:1", "10:1,", "10:1;20:2", "a:b" };
	for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++)
		g_assert_cmpint(overlay_map_parse(bad[i], VXLAN_VNI_MAX, &m, err, sizeof(err)), ==, EINVAL);
}

static void test_flow_hash(void)
{
	uint8_t f[64] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00,
			  0x45, 0, 0, 40, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
			  0x30, 0x39, 0x00, 0x35 };
	uint32_t h1 = vxlan_flow_hash(f, sizeof(f));
	f[50] ^= 0xff; /* payload: same flow */
	g_assert_cmphex(vxlan_flow_hash(f, sizeof(f)), ==, h1);
	unsigned differ = 0;
	for (int port = 0; port < 64; port++) {
		f[35] = (uint8_t)port; /* UDP source port: another flow */
		differ += vxlan_flow_hash(f, sizeof(f)) % 8 != h1 % 8;
	}
	g_assert_cmpuint(differ, >=, 40); /* flows spread over the 8 sockets */
	g_assert_cmphex(vxlan_flow_hash(f, 10), ==, vxlan_flow_hash(f + 1, 10)); /* runts: constant */
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/vxlan/header", test_header);
	g_test_add_func("/vxlan/map", test_map);
	g_test_add_func("/vxlan/flow-hash", test_flow_hash);
	return g_test_run();
}
