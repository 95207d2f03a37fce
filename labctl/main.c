/* labctl - describe a network lab in one XML file, check it, run it.
 * Subcommands in a table, each with --help (wireguard-tools' style). */
#include "lab.h"
#include "cmds.h"
#include "../vde/core/version.h"

#include <stdio.h>
#include <string.h>

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static int cmd_validate(int argc, char **argv)
{
	gboolean quiet = FALSE;
	GOptionEntry entries[] = {
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print errors only", NULL },
		{ NULL }
	};
	GError *gerr = NULL;
	GOptionContext *ctx = g_option_context_new("FILE... - check lab files against the schema and the lab rules");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx,
		"Every problem is printed as FILE:LINE: message: schema violations, names used\n"
		"twice, references to switches or nodes that do not exist, ports beyond a switch's\n"
		"size or used twice, undeclared VLANs, malformed or duplicate addresses, gateways\n"
		"and route next hops outside the node's subnets, impairments that do not parse,\n"
		"checks with bad targets, regexes or timeouts. Warnings (FILE:LINE: warning:) name\n"
		"what is valid but will misbehave: a loop of cables among switches without a\n"
		"spanning tree (the cycle is named).\n"
		"Exit status: 0 if every file is valid, 1 otherwise.");
	if (!g_option_context_parse(ctx, &argc, &argv, &gerr)) {
		fprintf(stderr, "labctl validate: %s\n", gerr->message);
		g_error_free(gerr);
		g_option_context_free(ctx);
		return 2;
	}
	g_option_context_free(ctx);
	if (argc < 2) {
		fprintf(stderr, "labctl validate: which lab file? (labctl validate --help)\n");
		return 2;
	}
	int bad = 0;
	for (int i = 1; i < argc; i++) {
		GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
		struct lab *lab = lab_load(argv[i], errors);
		for (guint k = 0; k < errors->len; k++)
			fprintf(stderr, "%s\n", (char *)g_ptr_array_index(errors, k));
		for (guint k = 0; lab && k < lab->warnings->len; k++)
			fprintf(stderr, "%s\n", (char *)g_ptr_array_index(lab->warnings, k));
		if (lab && !quiet)
			printf("%s: lab \"%s\" is valid: %u switches, %u nodes, %u cables, %u checks\n", argv[i],
			       lab->name, lab->switches->len, lab->nodes->len, lab->cables->len, lab->checks->len);
		bad |= lab == NULL;
		lab_free(lab);
		g_ptr_array_free(errors, TRUE);
	}
	return bad;
}

static const struct cmd cmds[] = {
	{ "validate", cmd_validate, "check lab files (schema and rules), errors as FILE:LINE: message" },
	{ "up", run_up, "bring a lab up on this host" },
	{ "down", run_down, "remove everything a lab created (idempotent)" },
	{ "list", run_list, "the running labs, or one lab's nodes, switches or link targets" },
	{ "status", run_status, "show a running lab's daemons, namespaces and port counters" },
	{ "exec", run_exec, "run a command, or a shell, inside a node" },
	{ "check", run_check, "run the lab's checks (text, tap, json, junit or tsv)" },
	{ "grade", run_grade, "grade a class: each submission up, checked against a reference, down" },
	{ "link", run_link, "set, show or reset a running link's impairments" },
	{ "console", run_console, "a live view of a running lab: port LEDs, link rates, impairments (ncurses)" },
	{ "top", run_top, "what the console shows, as text or JSON (--once, --json)" },
	{ "trace", run_trace, "the path from one node to another: switches, FDB, cables, tunnels, routers" },
	{ "capture", run_capture, "capture a port, node interface or cable to pcap (or stdout)" },
	{ "graph", run_graph, "draw the topology: SVG, PNG, PDF or DOT (Graphviz), --live with load" },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: labctl COMMAND [OPTIONS] ...\n\nCommands:\n");
	for (size_t i = 0; i < G_N_ELEMENTS(cmds); i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f, "\nlabctl COMMAND --help describes each command; labctl --version says which labctl.\n");
}

int main(int argc, char **argv)
{
	if (extcap_call(argc, argv))
		return run_extcap(argc, argv);
	if (argc >= 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
		printf("labctl %s (vdelab: labs of switches, nodes, cables and checks)\n", VDELAB_VERSION);
		return 0;
	}
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(cmds); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "labctl: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return 2;
}
