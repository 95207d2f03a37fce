/* Unit tests: lab loading and validation (labctl/lab.c): every error class
 * comes out as FILE:LINE: message with the right line. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "../../labctl/lab.h"
#include "../../labctl/mgmt.h"

static char *write_tmp(const char *xml)
{
	GError *e = NULL;
	char *path = NULL;
	int fd = g_file_open_tmp("labtest-XXXXXX.xml", &path, &e);
	g_assert_no_error(e);
	g_assert_true(write(fd, xml, strlen(xml)) == (ssize_t)strlen(xml));
	close(fd);
	return path;
}

/* Load `xml`; assert exactly the errors matching each "LINE:substring". */
static void expect_errors(const char *xml, const char *const *expected)
{
	g_autofree char *path = write_tmp(xml);
	GPtrArray *errs = g_ptr_array_new_with_free_func(g_free);
	struct lab *lab = lab_load(path, errs);
	guint n = 0;
	while (expected[n])
		n++;
	for (guint i = 0; i < errs->len; i++)
		g_test_message("%s", (char *)g_ptr_array_index(errs, i));
	if (n == 0) {
		g_assert_nonnull(lab);
		g_assert_cmpuint(errs->len, ==, 0);
	} else {
		g_assert_null(lab);
		g_assert_cmpuint(errs->len, ==, n);
		for (guint k = 0; k < n; k++) {
			const char *colon = strchr(expected[k], ':');
			g_autofree char *want = g_strdup_printf("%s:%.*s: ", path, (int)(colon - expected[k]), expected[k]);
			gboolean found = FALSE;
			for (guint i = 0; i < errs->len; i++) {
				const char *got = g_ptr_array_index(errs, i);
				if (g_str_has_prefix(got, want) && strstr(got, colon + 1))
					found = TRUE;
			}
			if (!found)
				g_error("missing error \"%s\" (line %.*s)", colon + 1, (int)(colon - expected[k]), expected[k]);
		}
	}
	lab_free(lab);
	g_ptr_array_free(errs, TRUE);
	g_unlink(path);
}

static void test_valid(void)
{
	static const char *none[] = { NULL };
	expect_errors("<lab name=\"ok\">\n"
		      "  <switch name=\"lan1\" vlans=\"10,20\"/>\n"
		      "  <switch name=\"lan2\" ports=\"16\"/>\n"
		      "  <node name=\"h1\"><if switch=\"lan1\" vlan=\"10\" ip=\"10.0.1.10/24 2001:db8::10/64\" gw=\"10.0.1.1\"/></node>\n"
		      "  <node name=\"r1\" forward=\"yes\">\n"
		      "    <if switch=\"lan1\" vlan=\"10\" ip=\"10.0.1.1/24\"/>\n"
		      "    <if switch=\"lan2\" port=\"15\" ip=\"10.0.2.1/24\"><impair out=\"delay=40ms loss=1%\"/></if>\n"
		      "    <route to=\"10.9.0.0/16\" via=\"10.0.2.2\"/>\n"
		      "  </node>\n"
		      "  <node name=\"h2\"><if switch=\"lan2\" ip=\"10.0.2.10/24\" gw=\"10.0.2.1\"/><file path=\"etc/motd\">hi</file></node>\n"
		      "  <cable a=\"lan1\" b=\"lan2\"><impair both=\"delay=1ms\"/></cable>\n"
		      "  <exec node=\"h2\">echo hello</exec>\n"
		      "  <check node=\"h1\" ping=\"h2\"/>\n"
		      "  <check node=\"h1\" run=\"echo hello\" expect=\"hel+o\" timeout=\"2s\"/>\n"
		      "</lab>\n", none);
}

static void test_malformed_xml(void)
{
	static const char *e[] = { "3:Opening and ending tag mismatch", "4:Premature end of data", NULL };
	expect_errors("<lab name=\"x\">\n<switch name=\"a\"/>\n<node name=\"h\"></lab>\n", e);
}

static void test_schema(void)
{
	static const char *e[] = { "3:", NULL };
	expect_errors("<lab name=\"x\">\n  <switch name=\"a\"/>\n  <router name=\"r\"/>\n</lab>\n", e);
}

static void test_names_and_references(void)
{
	static const char *e[] = {
		"3:name \"a\" is used twice",
		"4:switch \"nope\" is not defined",
		"5:switch \"h\" is not defined (it is a node)",
		"6:cable end \"h\" is not a switch",
		"7:exec on node \"ghost\"",
		"8:check on node \"ghost\"",
		"9:ping target \"ghost\" is neither a node nor an address",
		NULL };
	expect_errors("<lab name=\"x\">\n"
		      "  <switch name=\"a\"/>\n"
		      "  <node name=\"a\"><if switch=\"a\" ip=\"10.0.0.1/24\"/></node>\n"
		      "  <node name=\"h\"><if switch=\"nope\"/></node>\n"
		      "  <node name=\"k\"><if switch=\"h\"/></node>\n"
		      "  <cable a=\"a\" b=\"h\"/>\n"
		      "  <exec node=\"ghost\">true</exec>\n"
		      "  <check node=\"ghost\" ping=\"10.0.0.1\"/>\n"
		      "  <check node=\"h\" ping=\"ghost\"/>\n"
		      "</lab>\n", e);
}

static void test_ports_and_vlans(void)
{
	static const char *e[] = {
		"3:port 8 is beyond switch \"s\" (ports 1..7)",
		"5:port 2 of switch \"s\" is used twice",
		"6:VLAN 30 is not declared on switch \"s\"",
		"7:trunk VLAN 40 is not declared",
		"9:trunk VLAN 20 must be declared on both switches",
		NULL };
	expect_errors("<lab name=\"x\">\n"
		      "  <switch name=\"s\" ports=\"8\" vlans=\"10,20\"/>\n"
		      "  <node name=\"a\"><if switch=\"s\" port=\"8\"/></node>\n"
		      "  <node name=\"b\"><if switch=\"s\" port=\"2\"/></node>\n"
		      "  <node name=\"c\"><if switch=\"s\" port=\"2\"/></node>\n"
		      "  <node name=\"d\"><if switch=\"s\" vlan=\"30\"/></node>\n"
		      "  <node name=\"e\"><if switch=\"s\" trunk=\"10,40\"/></node>\n"
		      "  <switch name=\"t\" vlans=\"10\"/>\n"
		      "  <cable a=\"s\" b=\"t\" vlan-trunk=\"10,20\"/>\n"
		      "</lab>\n", e);
}

static void test_addresses(void)
{
	static const char *e[] = {
		"3:address \"10.0.0.300/24\" is not ADDRESS/PREFIX",
		"4:address 10.0.0.1 is also used by a:eth0",
		"5:gateway 10.9.9.9 is outside the subnets of c:eth0",
		"6:route via 172.16.0.1: no interface of d is in that subnet",
		"6:route to \"nowhere\"",
		NULL };
	expect_errors("<lab name=\"x\">\n"
		      "  <switch name=\"s\"/><node name=\"a\"><if switch=\"s\" ip=\"10.0.0.1/24\"/></node>\n"
		      "  <node name=\"b\"><if switch=\"s\" ip=\"10.0.0.300/24\"/></node>\n"
		      "  <node name=\"b2\"><if switch=\"s\" ip=\"10.0.0.1/24\"/></node>\n"
		      "  <node name=\"c\"><if switch=\"s\" ip=\"10.0.0.3/24\" gw=\"10.9.9.9\"/></node>\n"
		      "  <node name=\"d\"><if switch=\"s\" ip=\"10.0.0.4/24\"/><route to=\"nowhere\" via=\"172.16.0.1\"/></node>\n"
		      "</lab>\n", e);
}

static void test_impairments_and_checks(void)
{
	static const char *e[] = {
		"3:impair out: loss=150%",
		"4:cable impair: unknown impairment \"speed\"",
		"5:expect \"([\"",
		"6:timeout: expected a duration",
		NULL };
	expect_errors("<lab name=\"x\">\n"
		      "  <switch name=\"s\"/><switch name=\"t\"/>\n"
		      "  <node name=\"a\"><if switch=\"s\" ip=\"10.0.0.1/24\"><impair out=\"loss=150%\"/></if></node>\n"
		      "  <cable a=\"s\" b=\"t\"><impair ab=\"speed=3\"/></cable>\n"
		      "  <check node=\"a\" run=\"true\" expect=\"([\"/>\n"
		      "  <check node=\"a\" ping=\"10.0.0.1\" timeout=\"soon\"/>\n"
		      "</lab>\n", e);
}

/* path= via= and seen= filter=: targets, the BPF (libpcap compiles it),
 * one line only (a newline went to the switch console as a second command). */
static void test_path_seen_checks(void)
{
	static const char *e[] = {
		"5:path=: expected \"SRC DST\"",
		"6:the source \"zz\" is not a node",
		"7:via=\"nowhere\" is neither",
		"8:seen=\"a:eth9\": expected NODE:IF",
		"9:filter=\"tcp port\"",
		"10:filter=: at most 200 characters on one line",
		"11:expect for seen= must be \"none\"",
		"12:seen= names its own nodes",
		"13:seen=\"s:40\"",
		NULL };
	expect_errors("<lab name=\"x\">\n"
		      "  <switch name=\"s\"/><switch name=\"t\"/><cable a=\"s\" b=\"t\"/>\n"
		      "  <node name=\"a\"><if switch=\"s\" ip=\"10.0.0.1/24\"/></node>\n"
		      "  <node name=\"b\"><if switch=\"t\" ip=\"10.0.0.2/24\"/></node>\n"
		      "  <check path=\"a\" via=\"s\"/>\n"
		      "  <check path=\"zz b\" via=\"s\"/>\n"
		      "  <check path=\"a b\" via=\"nowhere\"/>\n"
		      "  <check seen=\"a:eth9\"/>\n"
		      "  <check seen=\"a:eth0\" filter=\"tcp port\"/>\n"
		      "  <check seen=\"a:eth0\" filter=\"icmp&#10;port/remove 1\"/>\n"
		      "  <check seen=\"s-t\" expect=\"yes\"/>\n"
		      "  <check node=\"a\" seen=\"s:1\"/>\n"
		      "  <check seen=\"s:40\"/>\n"
		      "</lab>\n", e);
	static const char *none[] = { NULL };
	const char *ok = "<lab name=\"x\">\n"
			 "  <switch name=\"s\"/><switch name=\"t\"/><cable a=\"s\" b=\"t\"/>\n"
			 "  <node name=\"a\"><if switch=\"s\" ip=\"10.0.0.1/24\"/></node>\n"
			 "  <node name=\"b\"><if switch=\"t\" ip=\"10.0.0.2/24\"/></node>\n"
			 "  <check path=\" a   10.0.0.2 \" via=\"t-s\"/>\n"
			 "  <check seen=\"s-t\" filter=\"icmp and ip6[40] == 134 or udp port 520\" expect=\"none\"/>\n"
			 "  <check seen=\"b\"/><check seen=\"s:3\"/><check seen=\"a:eth0\"/>\n"
			 "</lab>\n";
	expect_errors(ok, none);
	g_autofree char *path = write_tmp(ok);
	GPtrArray *errs = g_ptr_array_new_with_free_func(g_free);
	struct lab *lab = lab_load(path, errs);
	g_assert_nonnull(lab);
	g_ptr_array_free(errs, TRUE);
	const struct lab_check *c = g_ptr_array_index(lab->checks, 0);
	g_assert_cmpstr(c->path_src, ==, "a");
	g_assert_cmpstr(c->path_dst, ==, "10.0.0.2");
	g_assert_cmpstr(c->via, ==, "t-s");
	g_assert_null(c->node);
	c = g_ptr_array_index(lab->checks, 1);
	g_assert_cmpstr(c->seen, ==, "s-t");
	g_assert_cmpstr(c->expect, ==, "none");
	lab_free(lab);
	g_unlink(path);
}

static void test_missing_file(void)
{
	GPtrArray *errs = g_ptr_array_new_with_free_func(g_free);
	g_assert_null(lab_load("/nonexistent/lab.xml", errs));
	g_assert_cmpuint(errs->len, >=, 1);
	g_assert_true(g_str_has_prefix(g_ptr_array_index(errs, 0), "/nonexistent/lab.xml:"));
	g_ptr_array_free(errs, TRUE);
}

/* <nat>: switch, VLAN, names, net, and forwards that stay off privileged host ports */
static void test_nats(void)
{
	static const char *e[] = {
		"4:nat a: the name is already a node's or a switch's",
		"5:nat x: switch \"nope\" is not defined",
		"6:nat y: VLAN 30 is not declared on switch \"s1\"",
		"7:nat z: net \"10.0.2.0/30\" is not A.B.C.D/N",
		"8:forward: host-port 80 is not in 1024..65535",
		"9:forward: host-port 8080 is forwarded twice",
		"10:forward: to=\"10.0.2.15\" is not ADDR:PORT",
		"11:nat \"w\" is defined twice",
		NULL };
	expect_errors("<lab name=\"x\">\n"
		      "  <switch name=\"s1\" vlans=\"10\"/>\n"
		      "  <node name=\"a\"><if switch=\"s1\" ip=\"10.0.0.1/24\"/></node>\n"
		      "  <nat name=\"a\" switch=\"s1\"/>\n"
		      "  <nat name=\"x\" switch=\"nope\"/>\n"
		      "  <nat name=\"y\" switch=\"s1\" vlan=\"30\"/>\n"
		      "  <nat name=\"z\" switch=\"s1\" net=\"10.0.2.0/30\"/>\n"
		      "  <nat name=\"w\" switch=\"s1\"><forward host-port=\"80\" to=\"10.0.2.15:80\"/>\n"
		      "  <forward host-port=\"8080\" to=\"10.0.2.15:80\"/><forward host-port=\"8080\" to=\"10.0.2.16:80\"/>\n"
		      "  <forward host-port=\"8081\" to=\"10.0.2.15\"/></nat>\n"
		      "  <nat name=\"w\" switch=\"s1\" vlan=\"10\"/>\n"
		      "</lab>\n", e);
}

/* <tunnel type=...>: each encapsulation's id attribute, range and port rule */
static void test_tunnels(void)
{
	static const char *none[] = { NULL };
	expect_errors("<lab name=\"ok\">\n"
		      "  <switch name=\"s1\" vlans=\"10\"/><switch name=\"s2\" vlans=\"10\"/>\n"
		      "  <node name=\"a\"><if switch=\"s1\" ip=\"10.0.0.1/24\"/></node>\n"
		      "  <node name=\"b\"><if switch=\"s2\" ip=\"10.0.0.2/24\"/></node>\n"
		      "  <tunnel type=\"geneve\" vni=\"42\" port=\"7000\"><vtep switch=\"s1\" node=\"a\"/><vtep switch=\"s2\" node=\"b\"/></tunnel>\n"
		      "  <tunnel type=\"gretap\"><vtep switch=\"s1\" node=\"a\"/><vtep switch=\"s2\" node=\"b\"/></tunnel>\n"
		      "  <tunnel type=\"gretap\" key=\"4294967295\"><vtep switch=\"s1\" node=\"a\"/><vtep switch=\"s2\" node=\"b\"/></tunnel>\n"
		      "  <tunnel type=\"nvgre\" map=\"10:5000\"><vtep switch=\"s1\" node=\"a\"/><vtep switch=\"s2\" node=\"b\"/></tunnel>\n"
		      "</lab>\n", none);
	static const char *e[] = {
		"5:gretap: the segment is key=",
		"6:gretap: GRE has no ports",
		"7:nvgre: give one of vsid= and map=",
		"8:nvgre: vsid 16777216 is not in 0..16777215",
		"9:geneve: map \"10:16777216\"",
		NULL };
	expect_errors("<lab name=\"x\">\n"
		      "  <switch name=\"s1\" vlans=\"10\"/><switch name=\"s2\" vlans=\"10\"/>\n"
		      "  <node name=\"a\"><if switch=\"s1\" ip=\"10.0.0.1/24\"/></node>\n"
		      "  <node name=\"b\"><if switch=\"s2\" ip=\"10.0.0.2/24\"/></node>\n"
		      "  <tunnel type=\"gretap\" vni=\"1\"><vtep switch=\"s1\" node=\"a\"/><vtep switch=\"s2\" node=\"b\"/></tunnel>\n"
		      "  <tunnel type=\"gretap\" port=\"5\"><vtep switch=\"s1\" node=\"a\"/><vtep switch=\"s2\" node=\"b\"/></tunnel>\n"
		      "  <tunnel type=\"nvgre\"><vtep switch=\"s1\" node=\"a\"/><vtep switch=\"s2\" node=\"b\"/></tunnel>\n"
		      "  <tunnel type=\"nvgre\" vsid=\"16777216\"><vtep switch=\"s1\" node=\"a\"/><vtep switch=\"s2\" node=\"b\"/></tunnel>\n"
		      "  <tunnel type=\"geneve\" map=\"10:16777216\"><vtep switch=\"s1\" node=\"a\"/><vtep switch=\"s2\" node=\"b\"/></tunnel>\n"
		      "</lab>\n", e);
}

static void test_sites_and_vxlan(void)
{
	static const char *none[] = { NULL };
	/* sites, a cross-site cable, a VXLAN map; the same address in two VLANs */
	expect_errors("<lab name=\"ok\" key=\"k.key\">\n"
		      "  <site name=\"A\" address=\"198.18.1.1\"/><site name=\"B\" address=\"198.18.1.2\"/>\n"
		      "  <switch name=\"s1\" vlans=\"10,20\"/><switch name=\"s2\" site=\"B\" vlans=\"10,20\"/>\n"
		      "  <switch name=\"u1\"/><switch name=\"u2\" site=\"B\"/>\n"
		      "  <node name=\"r\"><if switch=\"s1\" vlan=\"10\" ip=\"192.168.1.1/24\"/></node>\n"
		      "  <node name=\"b\"><if switch=\"s1\" vlan=\"20\" ip=\"192.168.1.1/24\"/></node>\n"
		      "  <node name=\"v1\"><if switch=\"u1\" ip=\"10.0.0.1/24\"/></node>\n"
		      "  <node name=\"v2\" site=\"B\"><if switch=\"u2\" ip=\"10.0.0.2/24\"/></node>\n"
		      "  <cable a=\"u1\" b=\"u2\" port=\"5000\"/>\n"
		      "  <vxlan map=\"10:100,20:200\"><vtep switch=\"s1\" node=\"v1\"/><vtep switch=\"s2\" node=\"v2\"/></vxlan>\n"
		      "</lab>\n", none);
	static const char *e[] = {
		"3:site \"A\" is defined twice",
		"3:address \"nowhere\" is not an IP address",
		"4:site \"C\" is not defined",
		"5:node \"h\" (site A) cannot plug into switch \"s2\" of site B",
		"6:address 10.0.0.1 is also used by h:eth0",
		"7:give one of vni= and map=, not both",
		"8:vtep: switch \"s2\" and node \"h\" are on different sites",
		"8:VLAN 30 of the map is not declared on switch \"s2\"",
		"8:VLAN 30 of the map is not declared on switch \"s1\"",
		"9:vtep: node \"nope\" is not defined",
		"10:a segment needs at least two",
		NULL };
	expect_errors("<lab name=\"x\">\n"
		      "  <site name=\"A\"/><site name=\"B\"/>\n"
		      "  <site name=\"A\" address=\"nowhere\"/>\n"
		      "  <switch name=\"s1\" vlans=\"10\"/><switch name=\"s2\" site=\"B\"/><switch name=\"s3\" site=\"C\"/>\n"
		      "  <node name=\"h\"><if switch=\"s1\" ip=\"10.0.0.1/24\"/><if switch=\"s2\"/></node>\n"
		      "  <node name=\"h2\"><if switch=\"s1\" ip=\"10.0.0.1/24\"/></node>\n"
		      "  <vxlan vni=\"5\" map=\"10:5\"><vtep switch=\"s1\" node=\"h\"/><vtep switch=\"s1\" node=\"h2\"/></vxlan>\n"
		      "  <vxlan map=\"30:5\"><vtep switch=\"s2\" node=\"h\"/><vtep switch=\"s1\" node=\"h\"/></vxlan>\n"
		      "  <vxlan vni=\"6\"><vtep switch=\"s1\" node=\"nope\"/><vtep switch=\"s1\" node=\"h\"/></vxlan>\n"
		      "  <vxlan vni=\"7\"><vtep switch=\"s1\" node=\"h\"/></vxlan>\n"
		      "</lab>\n", e);
}

static void test_teaching_labs_valid(void)
{
	/* every labs/NAME.xml and labs/DIR/DIR.xml (the labs with per-node folders) */
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GDir) d = g_dir_open("labs", 0, NULL);
	g_assert_nonnull(d);
	for (const char *f; (f = g_dir_read_name(d));) {
		g_autofree char *sub = g_strdup_printf("labs/%s/%s.xml", f, f);
		if (g_str_has_suffix(f, ".xml"))
			g_ptr_array_add(files, g_build_filename("labs", f, NULL));
		else if (g_file_test(sub, G_FILE_TEST_IS_REGULAR))
			g_ptr_array_add(files, g_steal_pointer(&sub));
	}
	unsigned n = 0;
	for (guint i = 0; i < files->len; i++) {
		const char *p = g_ptr_array_index(files, i);
		g_test_message("%s", p);
		GPtrArray *errs = g_ptr_array_new_with_free_func(g_free);
		struct lab *lab = lab_load(p, errs);
		for (guint i = 0; i < errs->len; i++)
			g_test_message("%s", (char *)g_ptr_array_index(errs, i));
		g_assert_nonnull(lab);
		for (guint i = 0; i < lab->warnings->len; i++)
			g_test_message("%s", (char *)g_ptr_array_index(lab->warnings, i));
		g_assert_cmpuint(lab->warnings->len, ==, 0); /* our own labs never storm */
		lab_free(lab);
		g_ptr_array_free(errs, TRUE);
		n++;
	}
	g_ptr_array_free(files, TRUE);
	g_assert_cmpuint(n, >=, 19);
}

/* Hostile attributes: a key path with a newline (it went into a switch
 * console line and ran the next command), '&' (another URL option), a
 * libvirt URI that runs a program as root; each refused at validate. */
static void test_hostile_attributes(void)
{
	static const char *key_nl[] = { "1:key=", NULL };
	expect_errors("<lab name=\"h\" key=\"/tmp/k&#10;capture/start 1 /etc/passwd\">\n"
		      "  <switch name=\"s\"/>\n"
		      "</lab>\n", key_nl);
	static const char *key_amp[] = { "1:no spaces, control characters", NULL };
	expect_errors("<lab name=\"h\" key=\"/tmp/k&amp;netns=x\"><switch name=\"s\"/></lab>\n", key_amp);
	static const char *uris[][2] = {
		{ "qemu+ext:///system?command=/tmp/x", "transports" },
		{ "qemu+ssh://h/system?command=/tmp/x", "parameters" },
		{ "qemu+ssh://h/system?netcat=/tmp/nc", "parameters" },
		{ "qemu+tls://h/system?no_verify=1", "parameters" },
		{ "qemu+unix:///system?socket=/tmp/s", "transports" },
		{ "qemu://h/system", "takes no host" },
		{ "qemu:///system?x=1", "no parameters" },
		{ "qemu:///other", "expected" },
		{ "qemu+ssh:///system", "need a host" },
		{ "xen:///system", "transports" },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(uris); i++) {
		g_autofree char *xml = g_strdup_printf("<lab name=\"h\">\n  <site name=\"a\" libvirt=\"%s\"/>\n"
						       "  <switch name=\"s\" site=\"a\"/>\n</lab>\n", uris[i][0]);
		g_autofree char *want = g_strdup_printf("2:%s", uris[i][1]);
		const char *exp[] = { want, NULL };
		expect_errors(xml, exp);
	}
	static const char *ok[] = { "qemu:///system", "qemu:///session", "qemu+ssh://root@h1:2222/system",
				    "qemu+ssh://h/system?keyfile=/root/.ssh/id_ed25519", "qemu+tls://h.example/system" };
	for (unsigned i = 0; i < G_N_ELEMENTS(ok); i++) {
		const char *why;
		if (!lab_libvirt_uri_ok(ok[i], &why))
			g_error("%s refused: %s", ok[i], why);
	}
	/* names on the command line are held to the schema's rule */
	g_assert_true(lab_name_ok("lab-1_x"));
	g_assert_false(lab_name_ok("../victim"));
	g_assert_false(lab_name_ok("/"));
	g_assert_false(lab_name_ok(""));
	g_assert_false(lab_name_ok("a.b"));
	g_assert_false(lab_name_ok("1abc"));
	g_assert_false(lab_name_ok("abcdefghijklmnop")); /* 16 */
}

/* key=, kernel=, initrd=, image= are relative to the lab file's directory,
 * also when the lab file itself is named by a relative path (this used to
 * drop them: g_canonicalize_filename asserts on a relative base). */
static void test_relative_paths(void)
{
	g_autofree char *dir = g_dir_make_tmp("labrel-XXXXXX", NULL);
	g_autofree char *sub = g_build_filename(dir, "sub", NULL);
	g_mkdir(sub, 0700);
	g_autofree char *file = g_build_filename(sub, "l.xml", NULL);
	g_assert_true(g_file_set_contents(file, "<lab name=\"r\" key=\"lab.key\">\n  <switch name=\"s\"/>\n"
					  "  <node name=\"v\" kind=\"vm\" kernel=\"k/vmlinuz\" initrd=\"../i.img\"/>\n</lab>\n",
					  -1, NULL));
	g_autofree char *cwd = g_get_current_dir();
	for (int form = 0; form < 2; form++) {
		g_assert_cmpint(chdir(form ? dir : "/"), ==, 0);
		const char *path = form ? "sub/l.xml" : file; /* relative, then absolute */
		GPtrArray *errs = g_ptr_array_new_with_free_func(g_free);
		struct lab *lab = lab_load(path, errs);
		for (guint i = 0; i < errs->len; i++)
			g_test_message("%s", (char *)g_ptr_array_index(errs, i));
		g_assert_nonnull(lab);
		g_autofree char *key = g_build_filename(sub, "lab.key", NULL);
		g_autofree char *kernel = g_build_filename(sub, "k", "vmlinuz", NULL);
		g_autofree char *initrd = g_build_filename(dir, "i.img", NULL);
		g_assert_cmpstr(lab->key, ==, key);
		const struct lab_node *n = g_ptr_array_index(lab->nodes, 0);
		g_assert_cmpstr(n->kernel, ==, kernel);
		g_assert_cmpstr(n->initrd, ==, initrd);
		lab_free(lab);
		g_ptr_array_free(errs, TRUE);
	}
	g_assert_cmpint(chdir(cwd), ==, 0);
	g_unlink(file);
	g_rmdir(sub);
	g_rmdir(dir);
}

/* libxml2's generic "failed to validate attributes" becomes a message
 * naming the element, attribute, value and what is allowed; limits are
 * stated; never FILE:0:; the same error once; a bare & gets a hint. */
static void test_attribute_messages(void)
{
	static const char *e1[] = { "1:<lab> name=\"abcdefghijklmnopq\": 17 characters, at most 15",
				    "2:<switch> hub=\"maybe\": expected yes or no",
				    "3:<node> kind=\"box\": expected netns or vm",
				    "4:<switch>: unknown attribute \"bogus\" (allowed: name, site, ports, hub, stp, priority, vlans)",
				    "5:<route>: attribute \"via\" is required",
				    "6:<cable> port=\"0\": expected a whole number > 0", NULL };
	expect_errors("<lab name=\"abcdefghijklmnopq\">\n"
		      "  <switch name=\"s\" hub=\"maybe\"/>\n"
		      "  <node name=\"a\" kind=\"box\"><if switch=\"s\"/></node>\n"
		      "  <switch name=\"t\" bogus=\"1\"/>\n"
		      "  <node name=\"b\"><if switch=\"s\"/><route to=\"10.0.0.0/8\"/></node>\n"
		      "  <cable a=\"s\" b=\"t\" port=\"0\"/>\n"
		      "</lab>\n", e1);
	static const char *e2[] = { "2:<node> kind=\"box\": expected netns or vm", NULL }; /* twice on one line: once */
	expect_errors("<lab name=\"x\">\n  <node name=\"a\" kind=\"box\"/><node name=\"b\" kind=\"box\"/>\n</lab>\n", e2);
	static const char *e3[] = { "3:write &amp;", NULL };
	expect_errors("<lab name=\"x\">\n  <switch name=\"s\"/><node name=\"a\"><if switch=\"s\"/></node>\n"
		      "  <exec node=\"a\">true && true</exec>\n</lab>\n", e3);
}

/* Cables have names: A-B, then A-B.2 for a second one between the same
 * switches, or name=; a name used twice or equal to a node's is refused. */
static void test_cable_names(void)
{
	g_autofree char *path = write_tmp("<lab name=\"c\">\n  <switch name=\"s1\"/><switch name=\"s2\"/>\n"
					  "  <cable a=\"s1\" b=\"s2\"/>\n  <cable a=\"s2\" b=\"s1\"/>\n"
					  "  <cable a=\"s1\" b=\"s2\" name=\"backup\"/>\n</lab>\n");
	GPtrArray *errs = g_ptr_array_new_with_free_func(g_free);
	struct lab *lab = lab_load(path, errs);
	g_assert_nonnull(lab);
	g_assert_cmpstr(((struct lab_cable *)g_ptr_array_index(lab->cables, 0))->name, ==, "s1-s2");
	g_assert_cmpstr(((struct lab_cable *)g_ptr_array_index(lab->cables, 1))->name, ==, "s2-s1.2");
	g_assert_cmpstr(((struct lab_cable *)g_ptr_array_index(lab->cables, 2))->name, ==, "backup");
	g_assert_true(lab_find_cable(lab, "s2-s1") == g_ptr_array_index(lab->cables, 0)); /* the default, reversed */
	g_assert_true(lab_find_cable(lab, "s2-s1.2") == g_ptr_array_index(lab->cables, 1));
	g_assert_null(lab_find_cable(lab, "s1-s2.2"));
	lab_free(lab);
	g_ptr_array_free(errs, TRUE);
	g_unlink(path);
	static const char *dup[] = { "4:cable name \"x\" is used twice", "5:is also a node's name", NULL };
	expect_errors("<lab name=\"c\">\n  <switch name=\"s1\"/><switch name=\"s2\"/>\n"
		      "  <cable a=\"s1\" b=\"s2\" name=\"x\"/>\n  <cable a=\"s1\" b=\"s2\" name=\"x\"/>\n"
		      "  <cable a=\"s1\" b=\"s2\" name=\"n\"/>\n  <node name=\"n\"/>\n</lab>\n", dup);
}

/* Load a valid lab from `xml`: the lab (its warnings logged) and its temp path. */
static struct lab *load_valid(const char *xml, char **path)
{
	*path = write_tmp(xml);
	GPtrArray *errs = g_ptr_array_new_with_free_func(g_free);
	struct lab *lab = lab_load(*path, errs);
	g_ptr_array_free(errs, TRUE);
	g_assert_nonnull(lab);
	for (guint i = 0; i < lab->warnings->len; i++)
		g_test_message("%s", (char *)g_ptr_array_index(lab->warnings, i));
	return lab;
}

/* Spanning-tree settings are checked; a loop among switches without a
 * spanning tree is a warning naming the cycle; with stp= on one of its
 * switches it is none. */
static void test_stp_settings(void)
{
	static const char *bad[] = { "2:priority 4097 is not a multiple of 4096", "3:a hub does not run a spanning tree",
				     "4:priority= needs stp=", "6:cost 300000000 is not in 1..200000000", NULL };
	expect_errors("<lab name=\"t\">\n  <switch name=\"s1\" stp=\"rstp\" priority=\"4097\"/>\n"
		      "  <switch name=\"s2\" stp=\"stp\" hub=\"yes\"/>\n  <switch name=\"s3\" priority=\"4096\"/>\n"
		      "  <switch name=\"s4\" stp=\"rstp\"/>\n"
		      "  <cable a=\"s1\" b=\"s4\" cost=\"300000000\"/>\n</lab>\n", bad);
	const char *tri = "<lab name=\"t\">\n  <switch name=\"a\"/><switch name=\"b\"/><switch name=\"c\"%s/>\n"
			  "  <switch name=\"d\"/>\n"
			  "  <cable a=\"a\" b=\"b\"/>\n  <cable a=\"b\" b=\"c\"/>\n  <cable a=\"c\" b=\"d\"/>\n"
			  "  <cable a=\"c\" b=\"a\" cost=\"40000\"/>\n  <cable a=\"a\" b=\"b\" name=\"spare\"/>\n</lab>\n";
	for (int stp = 0; stp < 2; stp++) {
		g_autofree char *xml = g_strdup_printf(tri, stp ? " stp=\"rstp\"" : ""), *path = NULL;
		struct lab *lab = load_valid(xml, &path);
		if (stp) {
			/* c runs RSTP: the triangle is its to break; a-b twice remains */
			g_assert_cmpuint(lab->warnings->len, ==, 1);
			g_assert_nonnull(strstr(g_ptr_array_index(lab->warnings, 0), "cables a-b, spare make a loop a -> b -> a"));
		} else {
			g_assert_cmpuint(lab->warnings->len, ==, 2);
			g_autofree char *w6 = g_strdup_printf("%s:7: warning: cables ", path);
			const char *w = g_ptr_array_index(lab->warnings, 0);
			g_assert_true(g_str_has_prefix(w, w6));
			g_assert_nonnull(strstr(w, "make a loop c -> b -> a -> c"));
			g_assert_nonnull(strstr(w, "cables b-c, a-b, c-a make"));
			g_assert_nonnull(strstr(g_ptr_array_index(lab->warnings, 1), ":8: warning: cables a-b, spare make a loop a -> b -> a"));
			const struct lab_switch *c = g_ptr_array_index(lab->switches, 2);
			g_assert_cmpint(c->stp, ==, 0);
			g_assert_cmpint(((struct lab_cable *)g_ptr_array_index(lab->cables, 3))->cost, ==, 40000);
		}
		lab_free(lab);
		g_unlink(path);
	}
}

/* Two cables trunking disjoint VLANs make no loop; sharing one, they do. */
static void test_loops_per_vlan(void)
{
	const char *fmt = "<lab name=\"t\">\n  <switch name=\"a\" vlans=\"10,20\"/><switch name=\"b\" vlans=\"10,20\"/>\n"
			  "  <cable a=\"a\" b=\"b\" vlan-trunk=\"10\"/>\n  <cable a=\"a\" b=\"b\" vlan-trunk=\"%s\"/>\n</lab>\n";
	for (int shared = 0; shared < 2; shared++) {
		g_autofree char *xml = g_strdup_printf(fmt, shared ? "10,20" : "20"), *path = NULL;
		struct lab *lab = load_valid(xml, &path);
		g_assert_cmpuint(lab->warnings->len, ==, (guint)shared);
		if (shared)
			g_assert_nonnull(strstr(g_ptr_array_index(lab->warnings, 0), "make a loop a -> b -> a in VLAN 10 "));
		lab_free(lab);
		g_unlink(path);
	}
}

/* A console reply succeeds only on its final status line. */
/* isolation=: sandbox by default for namespace nodes, none on request;
 * pids= and memory= are the sandbox's limits; absolute <file> paths only in
 * a sandbox (none writes them in the run directory). */
static void test_isolation(void)
{
	g_autofree char *path = NULL;
	struct lab *lab = load_valid("<lab name=\"x\">\n"
				     "  <switch name=\"s\"/>\n"
				     "  <node name=\"a\" pids=\"64\" memory=\"32\"><if switch=\"s\"/>\n"
				     "    <file path=\"/etc/frr/daemons\">ospfd=yes</file></node>\n"
				     "  <node name=\"b\" isolation=\"none\"><if switch=\"s\"/></node>\n"
				     "  <node name=\"c\"><if switch=\"s\"/></node>\n"
				     "</lab>\n", &path);
	const struct lab_node *a = lab_find_node(lab, "a"), *b = lab_find_node(lab, "b"), *c = lab_find_node(lab, "c");
	g_assert_true(a->sandbox);
	g_assert_cmpint(a->pids, ==, 64);
	g_assert_cmpint(a->mem_limit_mib, ==, 32);
	g_assert_false(b->sandbox);
	g_assert_true(c->sandbox);
	g_assert_cmpint(c->pids, ==, LAB_PIDS_DEFAULT);
	g_assert_cmpint(c->mem_limit_mib, ==, LAB_MEM_DEFAULT);
	lab_free(lab);
	g_unlink(path);
	static const char *e[] = {
		"3:file path \"/etc/x\" must be relative",
		"4:file path \"../x\": a path without",
		"5:memory (MiB) and pids must be at least 16",
		"6:memory is for kind=\"vm\" and sandboxed nodes",
		NULL };
	expect_errors("<lab name=\"x\">\n"
		      "  <switch name=\"s\"/>\n"
		      "  <node name=\"b\" isolation=\"none\"><if switch=\"s\"/><file path=\"/etc/x\">x</file></node>\n"
		      "  <node name=\"c\"><if switch=\"s\"/><file path=\"../x\">x</file></node>\n"
		      "  <node name=\"d\" pids=\"8\"><if switch=\"s\"/></node>\n"
		      "  <node name=\"e\" isolation=\"none\" memory=\"64\"><if switch=\"s\"/></node>\n"
		      "</lab>\n", e);
}

static void test_mgmt_final_status(void)
{
	g_assert_true(mgmt_reply_ok("1000 Success\n\nvde$ "));
	g_assert_true(mgmt_reply_ok("0000 DATA END WITH '.'\nport=1 x\n.\n1000 Success\n"));
	/* "1000 Success" inside a listing or a message is not the status */
	g_assert_false(mgmt_reply_ok("0000 DATA END WITH '.'\n1000 Success\n.\n1022 Invalid argument\n"));
	g_assert_false(mgmt_reply_ok("file=1000 Success.pcap: File exists\n1017 File exists\n"));
	g_assert_false(mgmt_reply_ok("1000 Success\n1038 Function not implemented\n"));
	g_assert_false(mgmt_reply_ok(""));
	g_assert_false(mgmt_reply_ok(NULL));
	/* a command line with a control character is never sent */
	char *reply = NULL;
	g_assert_cmpint(mgmt("/nonexistent/sock", "port/print\ncapture/start 1 /etc/passwd", &reply), ==, 1);
	g_assert_nonnull(strstr(reply, "control character"));
	g_free(reply);
	g_assert_cmpint(mgmt("/nonexistent/sock", "port/print", &reply), ==, -1);
	g_free(reply);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/lab/valid", test_valid);
	g_test_add_func("/lab/malformed_xml", test_malformed_xml);
	g_test_add_func("/lab/schema", test_schema);
	g_test_add_func("/lab/names_and_references", test_names_and_references);
	g_test_add_func("/lab/ports_and_vlans", test_ports_and_vlans);
	g_test_add_func("/lab/addresses", test_addresses);
	g_test_add_func("/lab/impairments_and_checks", test_impairments_and_checks);
	g_test_add_func("/lab/missing_file", test_missing_file);
	g_test_add_func("/lab/sites_and_vxlan", test_sites_and_vxlan);
	g_test_add_func("/lab/tunnels", test_tunnels);
	g_test_add_func("/lab/nats", test_nats);
	g_test_add_func("/lab/teaching_labs_valid", test_teaching_labs_valid);
	g_test_add_func("/lab/hostile_attributes", test_hostile_attributes);
	g_test_add_func("/lab/attribute_messages", test_attribute_messages);
	g_test_add_func("/lab/cable_names", test_cable_names);
	g_test_add_func("/lab/stp_settings", test_stp_settings);
	g_test_add_func("/lab/isolation", test_isolation);
	g_test_add_func("/lab/loops_per_vlan", test_loops_per_vlan);
	g_test_add_func("/lab/mgmt_final_status", test_mgmt_final_status);
	g_test_add_func("/lab/relative_paths", test_relative_paths);
	g_test_add_func("/lab/path_seen_checks", test_path_seen_checks);
	return g_test_run();
}
