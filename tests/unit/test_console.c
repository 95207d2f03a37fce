/* Unit tests: console line parsing and command dispatch (vde/core/console.c),
 * checked against the vde_switch response format. */
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "../../vde/core/console.h"

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

static const struct console_cmd cmds[] = {
	{ "x", "============", "X MENU", NULL, 0 },
	{ "x/echo", "ARG", "echo", c_echo, CONSOLE_LISTING },
	{ "x/echoplain", "ARG", "echo without listing", c_echo, 0 },
	{ "x/fail", "", "fails", c_fail, 0 },
	{ "shutdown", "", "stop", c_bye, 0 },
};
static const struct console_table tab = { cmds, 5 };

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

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/console/split", test_split);
	g_test_add_func("/console/listing_and_status", test_listing_and_status);
	g_test_add_func("/console/errors", test_errors);
	g_test_add_func("/console/special", test_special);
	g_test_add_func("/console/help", test_help);
	return g_test_run();
}
