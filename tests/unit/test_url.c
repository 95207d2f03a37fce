/* Unit tests: the one URL grammar (vde/core/ep.c ep_url_parse) for every
 * registered scheme, good and bad forms, and the errors the classes give
 * for malformed paths before opening anything. */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "../../vde/core/ep.h"

static void test_good_forms(void)
{
	static const struct { const char *url, *scheme, *path, *local, *remote; unsigned nopts; } good[] = {
		{ "vde:///tmp/sw[3]", "vde", "/tmp/sw[3]", "/tmp/sw[3]", NULL, 0 },
		{ "/tmp/sw", "vde", "/tmp/sw", "/tmp/sw", NULL, 0 },
		{ "tap://tap0", "tap", "tap0", "tap0", NULL, 0 },
		{ "tap://tap0?netns=red", "tap", "tap0", "tap0", NULL, 1 },
		{ "udp://5000@127.0.0.1:5001", "udp", "5000@127.0.0.1:5001", "5000", "127.0.0.1:5001", 0 },
		{ "udp://[::1]:5000@[::1]:5001", "udp", "[::1]:5000@[::1]:5001", "[::1]:5000", "[::1]:5001", 0 },
		{ "stdio://", "stdio", "", "", NULL, 0 },
		{ "-", "stdio", "", "", NULL, 0 },
		{ "vxlan://10.0.0.1?vni=42&remote=10.0.0.2&remote=10.0.0.3:4790", "vxlan", "10.0.0.1", "10.0.0.1", NULL, 3 },
		{ "vxlan://10.0.0.1:4789?map=10:5010,20:5020&netns=ns1", "vxlan", "10.0.0.1:4789", "10.0.0.1:4789", NULL, 2 },
		{ "cable://5000@192.0.2.2:5000?psk=lab.key", "cable", "5000@192.0.2.2:5000", "5000", "192.0.2.2:5000", 1 },
		{ "cable://5000@192.0.2.2:5000?key=a&peer=b.pub&psk=c&netns=n", "cable", "5000@192.0.2.2:5000", "5000", "192.0.2.2:5000", 4 },
		{ "pcap://eth0?netns=host1", "pcap", "eth0", "eth0", NULL, 1 },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(good); i++) {
		struct ep_url u;
		char err[300] = "";
		g_assert_cmpint(ep_url_parse(good[i].url, &u, err, sizeof(err)), ==, 0);
		g_assert_cmpstr(u.cls->scheme, ==, good[i].scheme);
		g_assert_cmpstr(u.path, ==, good[i].path);
		g_assert_cmpstr(u.local, ==, good[i].local);
		g_assert_cmpstr(u.remote, ==, good[i].remote);
		g_assert_cmpuint(u.nopts, ==, good[i].nopts);
	}
	struct ep_url u;
	char err[300];
	g_assert_cmpint(ep_url_parse("vxlan://1.2.3.4?vni=7&remote=5.6.7.8&remote=9.9.9.9", &u, err, sizeof(err)), ==, 0);
	g_assert_cmpstr(ep_url_get(&u, "vni"), ==, "7");
	g_assert_cmpstr(ep_url_get(&u, "remote"), ==, "5.6.7.8"); /* the first */
	g_assert_null(ep_url_get(&u, "netns"));
}

static void test_bad_forms(void)
{
	static const struct { const char *url; int rc; const char *msg; } bad[] = {
		{ "", EINVAL, "empty" },
		{ "foo://x", EPROTONOSUPPORT, "known: vde, tap, udp, stdio, vxlan, geneve, gretap, nvgre, cable, pcap" },
		{ "udp://5000@127.0.0.1:5001?bogus=1", EINVAL, "unknown option \"bogus\" (udp:// takes no options)" },
		{ "tap://t0?netns", EINVAL, "option \"netns\" needs a value (netns=NS)" },
		{ "tap://t0?netns=", EINVAL, "needs a value" },
		{ "tap://t0?netns=a&netns=b", EINVAL, "given twice" },
		{ "vxlan://1.2.3.4?vni=1&vni=2", EINVAL, "given twice" },
		{ "vxlan://1.2.3.4?psk=x", EINVAL, "vxlan:// takes vni=N, map=VLAN:VNI,..., remote=HOST[:PORT] (repeatable), netns=NS" },
		{ "cable://1@2.2.2.2:1?vni=3", EINVAL, "unknown option \"vni\"" },
		{ "pcap://eth0?promisc=1", EINVAL, "pcap:// takes netns=NS" },
		{ "stdio://?x=1", EINVAL, "stdio:// takes no options" },
		{ "vde:///tmp/x?y=1", EINVAL, "vde:// takes no options" },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
		struct ep_url u;
		char err[300] = "";
		g_assert_cmpint(ep_url_parse(bad[i].url, &u, err, sizeof(err)), ==, bad[i].rc);
		if (!strstr(err, bad[i].msg))
			g_error("%s: \"%s\" lacks \"%s\"", bad[i].url, err, bad[i].msg);
	}
	/* too many options, too long */
	GString *g = g_string_new("vxlan://1.2.3.4?vni=1");
	for (int i = 0; i < EP_URL_MAX_OPTS; i++)
		g_string_append(g, "&remote=1.1.1.1");
	struct ep_url u;
	char err[300];
	g_assert_cmpint(ep_url_parse(g->str, &u, err, sizeof(err)), ==, EINVAL);
	g_assert_nonnull(strstr(err, "more than"));
	g_string_free(g, TRUE);
	char *longurl = g_strnfill(EP_URL_MAX + 10, 'a');
	memcpy(longurl, "tap://", 6);
	g_assert_cmpint(ep_url_parse(longurl, &u, err, sizeof(err)), ==, EINVAL);
	g_free(longurl);
}

/* The classes' own checks of PATH, reached through ep_open, fail before
 * anything is opened, with the scheme's syntax in the message. */
static void test_class_errors(void)
{
	static const struct { const char *url; const char *msg; } bad[] = {
		{ "udp://5000", "expected udp://[LADDR:]LPORT@RADDR:RPORT" },
		{ "udp://@1.2.3.4:5", "expected udp://" },
		{ "udp://5000@127.0.0.1:99999", "must be 1..65535" },
		{ "udp://5000@127.0.0.1:5001x", "5001x" },
		{ "cable://5000@127.0.0.1:5001", "a cable needs psk=FILE" },
		{ "cable://5000?psk=k", "expected cable://" },
		{ "cable://1@1.1.1.1:1?psk=p&key=a", "key=FILE and peer=FILE go together" },
		{ "vxlan://127.0.0.1", "give one of vni=N and map=" },
		{ "vxlan://127.0.0.1?vni=1&map=10:1", "not both" },
		{ "geneve://127.0.0.1?vni=16777216", "vni=16777216: expected 0..16777215" },
		{ "geneve://127.0.0.1?map=10:1,10:2", "appears twice" },
		{ "gretap://127.0.0.1:5?key=1", "gretap has no ports (IP protocol 47)" },
		{ "gretap://127.0.0.1?key=4294967296", "key=4294967296: expected 0..4294967295" },
		{ "gretap://127.0.0.1?key=1&remote=10.0.0.1:47", "remote 10.0.0.1:47: gretap has no ports" },
		{ "nvgre://127.0.0.1", "give one of vsid=N and map=" },
		{ "nvgre://127.0.0.1?vsid=-1", "vsid=-1" },
		{ "gretap://127.0.0.1?remote=[::1]", "different families" },
		{ "vxlan://127.0.0.1?vni=16777216", "vni=16777216" },
		{ "vxlan://a@b?vni=1", "expected vxlan://" },
		{ "tap://", "tap name" },
		{ "tap://a/b", "tap name" },
		{ "pcap://", "expected pcap://IFNAME" },
		{ "vde:///tmp/x[abc]", "is not a number" },
		{ "vde://", "missing switch directory" },
		{ "stdio://x", "stdio:// takes no arguments" },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
		struct ep *ep = NULL;
		char err[400] = "";
		int rc = ep_open(bad[i].url, &ep, err, sizeof(err));
		g_assert_cmpint(rc, !=, 0);
		g_assert_null(ep);
		if (!strstr(err, bad[i].msg))
			g_error("%s: \"%s\" lacks \"%s\"", bad[i].url, err, bad[i].msg);
	}
}

/* Help and the scheme list come from the class table: every class is in
 * both, with its syntax and options. */
static void test_help_from_table(void)
{
	char buf[8192];
	ep_help(buf, sizeof(buf), 2);
	for (unsigned i = 0; ep_classes[i]; i++) {
		g_assert_nonnull(strstr(buf, ep_classes[i]->syntax));
		g_assert_nonnull(strstr(ep_scheme_list(), ep_classes[i]->scheme));
		for (unsigned k = 0; ep_classes[i]->options && ep_classes[i]->options[k].key; k++) {
			g_autofree char *kv = g_strdup_printf("%s=%s", ep_classes[i]->options[k].key,
							      ep_classes[i]->options[k].arg);
			g_assert_nonnull(strstr(buf, kv));
		}
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/url/good_forms", test_good_forms);
	g_test_add_func("/url/bad_forms", test_bad_forms);
	g_test_add_func("/url/class_errors", test_class_errors);
	g_test_add_func("/url/help_from_table", test_help_from_table);
	return g_test_run();
}
