/* Unit tests: a lab's run state (labctl/state.c): every record kind
 * written by its typed writer and read back by the one loader, the file
 * replaced whole on each write (mode 0600, no temporary left), malformed
 * lines skipped and counted. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "../../labctl/state.h"

static void test_round_trip(void)
{
	g_autofree char *dir = g_dir_make_tmp("vdelab-state-XXXXXX", NULL);
	struct state *st = state_new(dir);
	g_assert_true(state_add_site(st, "A"));
	g_assert_true(state_add_daemon(st, "switch", "sw1", "/r/sw-sw1.pid"));
	g_assert_true(state_add_netns(st, "vl-lab.h1"));
	g_assert_true(state_add_link(st, "h1", "eth0", "sw1", 3));
	g_assert_true(state_add_daemon(st, "plug", "sw1-sw2", "/r/cable-0.pid"));
	g_assert_true(state_add_cable(st, "sw1-sw2", "sw1", 4, "sw2", -1));
	g_assert_true(state_add_tunnel(st, "vxlan", "leaf1", 5, "vtep1"));
	g_assert_true(state_add_domain(st, "vl-lab.vm1", "qemu:///system"));
	g_assert_true(state_add_vmserial(st, "vm1", "/r/vm-vm1.serial"));
	g_assert_true(state_add_uids(st, 1073741824ul));
	g_assert_true(state_add_fs(st, "/r/fs"));
	g_assert_true(state_add_sandbox(st, "h1", "vl-lab.h1"));
	g_assert_cmpuint(st->records, ==, 12);
	struct stat sb;
	g_assert_cmpint(stat(st->path, &sb), ==, 0);
	g_assert_cmpuint(sb.st_mode & 0777, ==, 0600);
	g_autofree char *tmp = g_strdup_printf("%s.tmp", st->path);
	g_assert_false(g_file_test(tmp, G_FILE_TEST_EXISTS));
	g_autofree char *text1 = NULL;
	g_assert_true(g_file_get_contents(st->path, &text1, NULL, NULL));
	state_free(st);

	st = state_load(dir);
	g_assert_nonnull(st);
	g_assert_cmpuint(st->records, ==, 12);
	g_assert_cmpuint(st->bad, ==, 0);
	g_assert_cmpuint(st->uids, ==, 1073741824ul);
	g_assert_cmpstr(st->fs, ==, "/r/fs");
	g_assert_cmpstr(state_sandbox(st, "vl-lab.h1")->node, ==, "h1");
	g_assert_null(state_sandbox(st, "vl-lab.h2"));
	g_assert_cmpstr(st->site, ==, "A");
	g_assert_cmpuint(st->daemons->len, ==, 2);
	const struct st_daemon *d = state_switch(st, "sw1");
	g_assert_nonnull(d);
	g_assert_cmpstr(d->pidfile, ==, "/r/sw-sw1.pid");
	g_autofree char *mg = state_switch_mgmt(st, "sw1");
	g_assert_cmpstr(mg, ==, "/r/sw-sw1.mgmt");
	g_assert_null(state_switch(st, "sw1-sw2")); /* a plug, not a switch */
	g_assert_true(state_has_netns(st, "vl-lab.h1"));
	g_assert_false(state_has_netns(st, "vl-lab.h2"));
	const struct st_link *l = &g_array_index(st->links, struct st_link, 0);
	g_assert_cmpstr(l->node, ==, "h1");
	g_assert_cmpstr(l->ifname, ==, "eth0");
	g_assert_cmpstr(l->sw, ==, "sw1");
	g_assert_cmpint(l->port, ==, 3);
	const struct st_cable *c = &g_array_index(st->cables, struct st_cable, 0);
	g_assert_cmpstr(c->name, ==, "sw1-sw2");
	g_assert_cmpint(c->port[0], ==, 4);
	g_assert_cmpint(c->port[1], ==, -1);
	const struct st_tunnel *t = &g_array_index(st->tunnels, struct st_tunnel, 0);
	g_assert_cmpstr(t->node, ==, "vtep1");
	g_assert_cmpint(t->port, ==, 5);
	g_assert_cmpstr(state_domain(st, "vl-lab.vm1")->uri, ==, "qemu:///system");
	g_assert_cmpstr(state_vmserial(st, "vm1"), ==, "/r/vm-vm1.serial");
	/* writing the loaded state again gives the same file */
	g_assert_true(state_add_netns(st, "vl-lab.h2"));
	g_autofree char *text2 = NULL;
	g_assert_true(g_file_get_contents(st->path, &text2, NULL, NULL));
	g_assert_true(g_str_has_prefix(text2, "site A\n"));
	g_assert_nonnull(strstr(text2, "netns vl-lab.h1\nnetns vl-lab.h2\n"));
	g_assert_cmpuint(strlen(text2), ==, strlen(text1) + strlen("netns vl-lab.h2\n"));
	g_unlink(st->path);
	state_free(st);
	g_rmdir(dir);
}

static void test_malformed(void)
{
	g_autofree char *dir = g_dir_make_tmp("vdelab-state-XXXXXX", NULL);
	g_assert_null(state_load(dir)); /* no state: not up */
	g_autofree char *path = g_build_filename(dir, "state", NULL);
	g_assert_true(g_file_set_contents(path,
		"netns vl-a.b\n"
		"link nocolon sw 1\n"          /* no NODE:IF */
		"link h:eth0 sw x\n"           /* bad port */
		"cable a-b a 1 b\n"            /* too few fields */
		"daemon other x /p\n"          /* unknown kind */
		"frobnicate 1 2\n"
		"daemon switch s /r/sw-s.pid\n"
		"uids 0\n"                     /* no range starts at 0 */
		"uids 12x\n"
		"fs relative/path\n"           /* not absolute */
		"sandbox h1\n"                 /* too few fields */
		"\n", -1, NULL));
	struct state *st = state_load(dir);
	g_assert_nonnull(st);
	g_assert_cmpuint(st->records, ==, 2);
	g_assert_cmpuint(st->bad, ==, 9);
	g_assert_cmpuint(st->uids, ==, 0);
	g_assert_null(st->fs);
	g_assert_cmpuint(st->sandboxes->len, ==, 0);
	g_assert_true(state_has_netns(st, "vl-a.b"));
	g_assert_nonnull(state_switch(st, "s"));
	state_free(st);
	g_unlink(path);
	g_rmdir(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/state/round_trip", test_round_trip);
	g_test_add_func("/state/malformed", test_malformed);
	return g_test_run();
}
