/* Unit tests: frame parsing and MAC helpers (vde/core/frame.c). */
#include <glib.h>
#include <string.h>

#include "../../vde/core/frame.h"
#include "../../vde/core/limits.h"

static uint8_t F[VPKT_MAXFRAME + 8];

static void mk(const char *dst, const char *src, const uint8_t *rest, size_t restlen)
{
	mac_parse(dst, F);
	mac_parse(src, F + 6);
	memcpy(F + 12, rest, restlen);
}

static void test_runt(void)
{
	struct frame_info fi;
	g_assert_cmpint(frame_parse(F, 0, &fi), ==, FRAME_RUNT);
	g_assert_cmpint(frame_parse(F, 13, &fi), ==, FRAME_RUNT);
	const uint8_t t[] = { 0x08, 0x00 };
	mk("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", t, 2);
	g_assert_cmpint(frame_parse(F, 14, &fi), ==, FRAME_OK);
	g_assert_true(fi.group_dst);
	g_assert_false(fi.group_src);
	g_assert_cmpuint(fi.vid, ==, FRAME_UNTAGGED);
	g_assert_cmphex(fi.ethertype, ==, 0x0800);
	g_assert_cmpuint(fi.hdr_len, ==, 14);
}

static void test_jumbo(void)
{
	struct frame_info fi;
	const uint8_t t[] = { 0x08, 0x00 };
	mk("02:00:00:00:00:02", "02:00:00:00:00:01", t, 2);
	g_assert_cmpint(frame_parse(F, VPKT_MAXFRAME, &fi), ==, FRAME_OK);
	g_assert_cmpint(frame_parse(F, VPKT_MAXFRAME + 1, &fi), ==, FRAME_OVERSIZE);
	g_assert_false(fi.group_dst);
}

static void test_tagged(void)
{
	struct frame_info fi;
	const uint8_t t[] = { 0x81, 0x00, 0xa0, 0x0a, 0x08, 0x06 }; /* PCP 5, VID 10, ARP */
	mk("02:00:00:00:00:02", "03:00:00:00:00:01", t, sizeof(t));
	g_assert_cmpint(frame_parse(F, 60, &fi), ==, FRAME_OK);
	g_assert_cmpuint(fi.vid, ==, 10);
	g_assert_cmpuint(fi.pcp, ==, 5);
	g_assert_cmphex(fi.ethertype, ==, 0x0806);
	g_assert_cmpuint(fi.hdr_len, ==, 18);
	g_assert_true(fi.group_src);
	g_assert_cmpint(frame_parse(F, 17, &fi), ==, FRAME_TRUNC_TAG);
	g_assert_cmpint(frame_parse(F, 15, &fi), ==, FRAME_TRUNC_TAG);
}

static void test_double_tagged(void)
{
	struct frame_info fi;
	/* outer VID 100, inner 802.1Q VID 7: the inner tag stays payload */
	const uint8_t t[] = { 0x81, 0x00, 0x00, 0x64, 0x81, 0x00, 0x00, 0x07, 0x08, 0x00 };
	mk("02:00:00:00:00:02", "02:00:00:00:00:01", t, sizeof(t));
	g_assert_cmpint(frame_parse(F, 64, &fi), ==, FRAME_OK);
	g_assert_cmpuint(fi.vid, ==, 100);
	g_assert_cmphex(fi.ethertype, ==, 0x8100);
	/* an 802.1ad S-tag is not a VLAN for this switch: untagged, type 0x88a8 */
	const uint8_t s[] = { 0x88, 0xa8, 0x00, 0x64, 0x81, 0x00, 0x00, 0x07 };
	mk("02:00:00:00:00:02", "02:00:00:00:00:01", s, sizeof(s));
	g_assert_cmpint(frame_parse(F, 64, &fi), ==, FRAME_OK);
	g_assert_cmpuint(fi.vid, ==, FRAME_UNTAGGED);
	g_assert_cmphex(fi.ethertype, ==, 0x88a8);
}

static void test_make_tag(void)
{
	uint8_t t[4];
	frame_make_tag(t, 4094, 7);
	g_assert_cmphex(t[0], ==, 0x81);
	g_assert_cmphex(t[1], ==, 0x00);
	g_assert_cmphex(t[2], ==, 0xef);
	g_assert_cmphex(t[3], ==, 0xfe);
}

static void test_mac(void)
{
	uint8_t m[6];
	char s[18];
	g_assert_cmpint(mac_parse("0A:1b:2c:3d:4e:5F", m), ==, 0);
	g_assert_cmpstr(mac_format(m, s), ==, "0a:1b:2c:3d:4e:5f");
	g_assert_cmpint(mac_parse("0a-1b-2c-3d-4e-5f", m), ==, 0);
	g_assert_cmpint(mac_parse("0a:1b:2c:3d:4e", m), !=, 0);
	g_assert_cmpint(mac_parse("0a:1b:2c:3d:4e:5f:", m), !=, 0);
	g_assert_cmpint(mac_parse("0g:1b:2c:3d:4e:5f", m), !=, 0);
	g_assert_cmpint(mac_parse("", m), !=, 0);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/frame/runt", test_runt);
	g_test_add_func("/frame/jumbo", test_jumbo);
	g_test_add_func("/frame/tagged", test_tagged);
	g_test_add_func("/frame/double_tagged", test_double_tagged);
	g_test_add_func("/frame/make_tag", test_make_tag);
	g_test_add_func("/frame/mac", test_mac);
	return g_test_run();
}
