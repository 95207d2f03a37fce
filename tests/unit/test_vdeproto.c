/* Unit tests: VDE request_v3 parsing and building (vde/core/vdeproto.c). */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include <sys/socket.h>

#include "../../vde/core/vdeproto.h"
#include "../../vde/core/wire.h"

static size_t build(uint8_t *buf, int port, const char *descr)
{
	return vdeproto_build_request(buf, port, "/tmp/sw/.01234-00001", descr);
}

static void test_good_auto(void)
{
	uint8_t buf[300];
	struct vde_request r;
	size_t n = build(buf, VDE_PORT_AUTO, "vde_plug user=root pid=7");
	g_assert_cmpuint(n, ==, 122 + strlen("vde_plug user=root pid=7"));
	g_assert_cmpint(vdeproto_parse_request(buf, n, &r), ==, 0);
	g_assert_cmpint(r.port, ==, VDE_PORT_AUTO);
	g_assert_cmpstr(r.sock.sun_path, ==, "/tmp/sw/.01234-00001");
	g_assert_cmpstr(r.descr, ==, "vde_plug user=root pid=7");
}

static void test_good_port_n_and_port0(void)
{
	uint8_t buf[300];
	struct vde_request r;
	size_t n = build(buf, 7, "x");
	g_assert_cmpint(vdeproto_parse_request(buf, n, &r), ==, 0);
	g_assert_cmpint(r.port, ==, 7);
	uint32_t type;
	memcpy(&type, buf + 8, 4);
	g_assert_cmpuint(type, ==, 7u << 8); /* wire layout as vdeplug4 sends it */
	n = build(buf, 0, "");
	g_assert_cmpint(vdeproto_parse_request(buf, n, &r), ==, 0);
	g_assert_cmpint(r.port, ==, 0);
	g_assert_cmpstr(r.descr, ==, "");
}

static void test_short(void)
{
	uint8_t buf[300];
	struct vde_request r;
	size_t n = build(buf, VDE_PORT_AUTO, "abc");
	g_assert_cmpint(vdeproto_parse_request(buf, 121, &r), ==, EBADMSG);
	g_assert_cmpint(vdeproto_parse_request(buf, 0, &r), ==, EBADMSG);
	g_assert_cmpint(vdeproto_parse_request(buf, n, &r), ==, 0);
}

static void test_bad_magic_version(void)
{
	uint8_t buf[300];
	struct vde_request r;
	size_t n = build(buf, VDE_PORT_AUTO, "abc");
	buf[0] ^= 0xff;
	g_assert_cmpint(vdeproto_parse_request(buf, n, &r), ==, EPROTO);
	buf[0] ^= 0xff;
	uint32_t v = 2;
	memcpy(buf + 4, &v, 4);
	g_assert_cmpint(vdeproto_parse_request(buf, n, &r), ==, EPROTONOSUPPORT);
	v = 4;
	memcpy(buf + 4, &v, 4);
	g_assert_cmpint(vdeproto_parse_request(buf, n, &r), ==, EPROTONOSUPPORT);
}

static void test_oversized_description(void)
{
	uint8_t buf[400];
	struct vde_request r;
	char d[200];
	memset(d, 'a', sizeof(d) - 1);
	d[199] = 0;
	size_t n = build(buf, VDE_PORT_AUTO, d); /* builder truncates to 128 */
	g_assert_cmpuint(n, ==, 250);
	g_assert_cmpint(vdeproto_parse_request(buf, n, &r), ==, 0);
	g_assert_cmpuint(strlen(r.descr), ==, 128);
	memset(buf + 250, 'b', 6); /* a 256-byte read: description of 134 bytes, cut as vde_switch does */
	g_assert_cmpint(vdeproto_parse_request(buf, 256, &r), ==, 0);
	g_assert_cmpuint(strlen(r.descr), ==, 128);
	g_assert_cmpint(r.descr[127], ==, 'a');
}

static void test_bad_socket(void)
{
	uint8_t buf[300];
	struct vde_request r;
	size_t n = build(buf, VDE_PORT_AUTO, "abc");
	uint16_t fam = AF_INET;
	memcpy(buf + 12, &fam, 2);
	g_assert_cmpint(vdeproto_parse_request(buf, n, &r), ==, EINVAL);
	fam = AF_UNIX;
	memcpy(buf + 12, &fam, 2);
	memset(buf + 14, 'p', 108); /* unterminated path */
	g_assert_cmpint(vdeproto_parse_request(buf, n, &r), ==, EINVAL);
	memset(buf + 14, 0, 108); /* empty path */
	g_assert_cmpint(vdeproto_parse_request(buf, n, &r), ==, EINVAL);
}

static void test_control_chars_sanitized(void)
{
	uint8_t buf[300];
	struct vde_request r;
	size_t n = build(buf, VDE_PORT_AUTO, "a\nb\x1b[2Jc");
	g_assert_cmpint(vdeproto_parse_request(buf, n, &r), ==, 0);
	g_assert_cmpstr(r.descr, ==, "a?b?[2Jc");
}

static void test_bad_type(void)
{
	uint8_t buf[300];
	struct vde_request r;
	size_t n = build(buf, VDE_PORT_AUTO, "");
	uint32_t t = 5;
	memcpy(buf + 8, &t, 4);
	g_assert_cmpint(vdeproto_parse_request(buf, n, &r), ==, EINVAL);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/vdeproto/good_auto", test_good_auto);
	g_test_add_func("/vdeproto/port_n_and_port0", test_good_port_n_and_port0);
	g_test_add_func("/vdeproto/short", test_short);
	g_test_add_func("/vdeproto/bad_magic_version", test_bad_magic_version);
	g_test_add_func("/vdeproto/oversized_description", test_oversized_description);
	g_test_add_func("/vdeproto/bad_socket", test_bad_socket);
	g_test_add_func("/vdeproto/control_chars", test_control_chars_sanitized);
	g_test_add_func("/vdeproto/bad_type", test_bad_type);
	return g_test_run();
}
