/* Unit tests: console line parsing and command dispatch (vde/core/console.c),
 * checked against the vde_switch response format. */
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "../../vde/core/console.h"
#include "../../vde/core/limits.h"

static int seen_arg_calls;
static char seen_arg[64];

static int c_echo(struct strbuf *o, const char *arg, void *ctx)
{
	seen_arg_calls++;
	snprintf(seen_arg, sizeof(seen_arg), "%s", arg);
	sb_printf(o, "arg=[%s]\n", arg);
	return 0;
}
static int c_fail(struct strbuf *o, const char *arg, void *ctx) { return EINVAL; }
static int c_bye(struct strbuf *o, const char *arg, void *ctx) { return CONSOLE_SHUTDOWN; }

static int c_load(struct strbuf *o, const char *arg, void *ctx);

static const struct console_cmd cmds[] = {
	{ "x", "============", "X MENU", NULL, 0 },
	{ "load", "path", "run a script", c_load, 0 },
	{ "x/echo", "ARG", "echo", c_echo, CONSOLE_LISTING },
	{ "x/echoplain", "ARG", "echo without listing", c_echo, 0 },
	{ "x/fail", "", "fails", c_fail, 0 },
	{ "shutdown", "", "stop", c_bye, 0 },
};
static const struct console_table tab = { cmds, 6 };

static int load_depth_max, load_rc_inner;
static int c_load(struct strbuf *o, const char *arg, void *ctx)
{
	static int depth;
	bool shutdown = false;
	depth++;
	if (depth > load_depth_max)
		load_depth_max = depth;
	int rc = console_load(&tab, 1, arg, ctx, "test", &shutdown);
	if (rc)
		load_rc_inner = rc;
	depth--;
	return rc;
}

static char *run(const char *line, int *rv)
{
	struct strbuf o = { 0 };
	*rv = console_exec(&tab, 1, line, NULL, &o);
	char *s = g_strdup(o.s ? o.s : "");
	sb_free(&o);
	return s;
}

static void test_split(void)
{
	char l1[] = "  port/print   3  \r\n", l2[] = "# comment", l3[] = "   \t", l4[] = "help";
	char *p, *a;
	g_assert_true(console_split(l1, &p, &a));
	g_assert_cmpstr(p, ==, "port/print");
	g_assert_cmpstr(a, ==, "3");
	g_assert_false(console_split(l2, &p, &a));
	g_assert_false(console_split(l3, &p, &a));
	g_assert_true(console_split(l4, &p, &a));
	g_assert_cmpstr(a, ==, "");
}

static void test_listing_and_status(void)
{
	int rv;
	g_autofree char *s = run("x/echo  hello world \n", &rv);
	g_assert_cmpint(rv, ==, 0);
	g_assert_cmpstr(s, ==, "0000 DATA END WITH '.'\narg=[hello world]\n.\n1000 Success\n");
	g_autofree char *s2 = run("x/echoplain a", &rv);
	g_assert_cmpstr(s2, ==, "arg=[a]\n1000 Success\n");
}

static void test_errors(void)
{
	int rv;
	g_autofree char *s = run("x/fail", &rv);
	g_assert_cmpint(rv, ==, EINVAL);
	g_assert_cmpstr(s, ==, "1022 Invalid argument\n");
	g_autofree char *s2 = run("no/such/command 1 2", &rv);
	g_assert_cmpint(rv, ==, ENOSYS);
	g_assert_cmpstr(s2, ==, "1038 Function not implemented\n");
	/* a menu heading is not a command; a prefix of a command is not one either */
	g_autofree char *s3 = run("x", &rv);
	g_assert_cmpint(rv, ==, ENOSYS);
	seen_arg_calls = 0;
	g_autofree char *s4 = run("x/ech", &rv);
	g_assert_cmpint(rv, ==, ENOSYS);
	g_assert_cmpint(seen_arg_calls, ==, 0);
}

static void test_special(void)
{
	int rv;
	g_autofree char *s = run("logout", &rv);
	g_assert_cmpint(rv, ==, CONSOLE_LOGOUT);
	g_autofree char *s2 = run("shutdown", &rv);
	g_assert_cmpint(rv, ==, CONSOLE_SHUTDOWN);
	g_autofree char *s3 = run("   # nothing", &rv);
	g_assert_cmpint(rv, ==, CONSOLE_IGNORED);
	g_assert_cmpstr(s3, ==, "");
}

static void test_help(void)
{
	int rv;
	g_autofree char *s = run("help x/", &rv);
	g_assert_cmpint(rv, ==, 0);
	g_assert_true(g_str_has_prefix(s, "0000 DATA END WITH '.'\nCOMMAND PATH       SYNTAX          HELP\n"));
	g_assert_nonnull(strstr(s, "x/echo             ARG             echo\n"));
	g_assert_null(strstr(s, "shutdown"));
	g_assert_true(g_str_has_suffix(s, ".\n1000 Success\n"));
}

/* `load` is bounded: a script that loads itself stops at the depth limit
 * (ELOOP) instead of overflowing the stack; /dev/zero, a FIFO or a
 * directory are refused before any line runs; so is a huge file. */
static void test_load_bounded(void)
{
	g_autofree char *dir = g_dir_make_tmp("vdelab-load-XXXXXX", NULL);
	g_autofree char *self = g_build_filename(dir, "self.rc", NULL);
	g_autofree char *big = g_build_filename(dir, "big.rc", NULL);
	g_autofree char *text = g_strdup_printf("x/echoplain a\nload %s\n", self);
	g_assert_true(g_file_set_contents(self, text, -1, NULL));
	bool shutdown = false;
	seen_arg_calls = 0;
	g_assert_cmpint(console_load(&tab, 1, self, NULL, "test", &shutdown), ==, 0);
	g_assert_cmpint(load_depth_max, ==, CONSOLE_LOAD_MAX_DEPTH); /* the last one refused */
	g_assert_cmpint(load_rc_inner, ==, ELOOP);
	g_assert_cmpint(seen_arg_calls, ==, CONSOLE_LOAD_MAX_DEPTH);
	g_assert_cmpint(console_load(&tab, 1, "/dev/zero", NULL, "test", &shutdown), ==, EINVAL);
	g_assert_cmpint(console_load(&tab, 1, dir, NULL, "test", &shutdown), ==, EINVAL);
	g_assert_cmpint(console_load(&tab, 1, "/nonexistent/x", NULL, "test", &shutdown), ==, ENOENT);
	GString *g = g_string_new(NULL);
	while (g->len <= CONSOLE_LOAD_MAX_BYTES)
		g_string_append(g, "# a comment line that does nothing at all\n");
	g_assert_true(g_file_set_contents(big, g->str, (gssize)g->len, NULL));
	g_string_free(g, TRUE);
	g_assert_cmpint(console_load(&tab, 1, big, NULL, "test", &shutdown), ==, EFBIG);
	g_assert_false(shutdown);
	/* the console answers for `load` with the errno */
	int rv;
	g_autofree char *r = run("load /dev/zero", &rv);
	g_assert_nonnull(strstr(r, "1022 Invalid argument"));
	g_unlink(self);
	g_unlink(big);
	g_rmdir(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/console/load_bounded", test_load_bounded);
	g_test_add_func("/console/split", test_split);
	g_test_add_func("/console/listing_and_status", test_listing_and_status);
	g_test_add_func("/console/errors", test_errors);
	g_test_add_func("/console/special", test_special);
	g_test_add_func("/console/help", test_help);
	return g_test_run();
}
