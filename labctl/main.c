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

/* DOT quoting: backslash and double quote. */
static char *dq(const char *s)
{
	GString *o = g_string_new(NULL);
	for (; *s; s++) {
		if (*s == '\n') {
			g_string_append(o, "\\n");
			continue;
		}
		if (*s == '"' || *s == '\\')
			g_string_append_c(o, '\\');
		g_string_append_c(o, *s);
	}
	return g_string_free(o, FALSE);
}

/* One colour per encapsulation, so a picture with several tells them apart. */
static const char *tunnel_color(const char *type)
{
	return !strcmp(type, "geneve") ? "darkorange" : !strcmp(type, "gretap") ? "purple"
	       : !strcmp(type, "nvgre") ? "brown" : "darkgreen";
}

static int cmd_graph(int argc, char **argv)
{
	GError *gerr = NULL;
	GOptionContext *ctx = g_option_context_new("FILE - print the lab's topology as Graphviz DOT");
	g_option_context_set_description(ctx, "  labctl graph lab.xml | dot -Tpng > lab.png\n"
		"Switches are boxes, nodes ellipses (routers double), edges are interfaces\n"
		"(labelled with address, VLAN and impairments) and cables (encrypted between\n"
		"sites); VXLAN segments are green dashed edges between their VTEP switches.");
	if (!g_option_context_parse(ctx, &argc, &argv, &gerr)) {
		fprintf(stderr, "labctl graph: %s\n", gerr->message);
		g_error_free(gerr);
		g_option_context_free(ctx);
		return 2;
	}
	g_option_context_free(ctx);
	if (argc != 2) {
		fprintf(stderr, "labctl graph: which lab file?\n");
		return 2;
	}
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	struct lab *lab = lab_load(argv[1], errors);
	for (guint i = 0; i < errors->len; i++)
		fprintf(stderr, "%s\n", (char *)g_ptr_array_index(errors, i));
	g_ptr_array_free(errors, TRUE);
	if (!lab)
		return 1;
	g_autofree char *ln = dq(lab->name);
	printf("graph \"%s\" {\n  node [fontname=\"sans\"];\n", ln);
	for (guint i = 0; i < lab->switches->len; i++) {
		struct lab_switch *s = g_ptr_array_index(lab->switches, i);
		printf("  \"%s\" [shape=box, style=filled, fillcolor=lightblue, label=\"%s%s\"];\n", s->name, s->name,
		       s->hub ? "\\n(hub)" : "");
	}
	for (guint i = 0; i < lab->nodes->len; i++) {
		struct lab_node *n = g_ptr_array_index(lab->nodes, i);
		printf("  \"%s\" [shape=%s];\n", n->name, n->forward ? "doublecircle" : "ellipse");
		for (guint k = 0; k < n->ifs->len; k++) {
			struct lab_if *f = g_ptr_array_index(n->ifs, k);
			GString *label = g_string_new(f->name);
			for (guint a = 0; a < f->ips->len; a++)
				g_string_append_printf(label, "\n%s", (char *)g_ptr_array_index(f->ips, a));
			if (f->vlan)
				g_string_append_printf(label, "\nvlan %d", f->vlan);
			if (f->imp_out)
				g_string_append_printf(label, "\nout: %s", f->imp_out);
			if (f->imp_in)
				g_string_append_printf(label, "\nin: %s", f->imp_in);
			g_autofree char *l = dq(label->str);
			printf("  \"%s\" -- \"%s\" [label=\"%s\"%s];\n", n->name, f->sw, l, f->imp_in || f->imp_out ? ", style=dashed" : "");
			g_string_free(label, TRUE);
		}
	}
	for (guint i = 0; i < lab->cables->len; i++) {
		struct lab_cable *c = g_ptr_array_index(lab->cables, i);
		GString *label = g_string_new(NULL);
		if (c->trunk->len) {
			g_string_append(label, "trunk");
			for (guint t = 0; t < c->trunk->len; t++)
				g_string_append_printf(label, "%s%d", t ? "," : " ", g_array_index(c->trunk, int, t));
		}
		if (c->imp_ab)
			g_string_append_printf(label, "\nab: %s", c->imp_ab);
		if (c->imp_ba)
			g_string_append_printf(label, "\nba: %s", c->imp_ba);
		const struct lab_switch *sa = lab_find_switch(lab, c->a), *sb = lab_find_switch(lab, c->b);
		if (sa->site && strcmp(sa->site, sb->site))
			g_string_append_printf(label, "%sencrypted (%s - %s)", label->len ? "\n" : "", sa->site, sb->site);
		g_autofree char *l = dq(label->str);
		printf("  \"%s\" -- \"%s\" [penwidth=3, label=\"%s\"];\n", c->a, c->b, l);
		g_string_free(label, TRUE);
	}
	/* NAT routers: a cloud on their switch, with the forwards */
	for (guint i = 0; i < lab->nats->len; i++) {
		struct lab_nat *nt = g_ptr_array_index(lab->nats, i);
		GString *l = g_string_new(NULL);
		g_string_printf(l, "NAT %s\n%s%s", nt->name, nt->net, nt->restrict_ ? " restricted" : "");
		for (guint k = 0; k < nt->forwards->len; k++) {
			struct lab_forward *f = g_ptr_array_index(nt->forwards, k);
			g_string_append_printf(l, "\nhost %s %d -> %s", f->proto, f->host_port, f->to);
		}
		g_autofree char *ql = dq(l->str);
		printf("  \"%s\" [shape=egg, style=filled, fillcolor=khaki, label=\"%s\"];\n", nt->name, ql);
		if (nt->vlan)
			printf("  \"%s\" -- \"%s\" [label=\"VLAN %d\"];\n", nt->name, nt->sw, nt->vlan);
		else
			printf("  \"%s\" -- \"%s\";\n", nt->name, nt->sw);
		g_string_free(l, TRUE);
	}
	/* tunnel segments: each VTEP switch to its VTEP node, and the VTEPs to each other */
	for (guint i = 0; i < lab->tunnels->len; i++) {
		struct lab_tunnel *tu = g_ptr_array_index(lab->tunnels, i);
		g_autofree char *what = tu->map ? g_strdup_printf("%s %s", tu->tt->title, tu->map)
				      : tu->id >= 0 ? g_strdup_printf("%s %s %" G_GINT64_FORMAT, tu->tt->title,
								     tu->tt->id_key, tu->id)
						    : g_strdup(tu->tt->title);
		for (guint k = 0; k < tu->vteps->len; k++) {
			struct lab_vtep *a = g_ptr_array_index(tu->vteps, k);
			printf("  \"%s\" -- \"%s\" [style=dotted, label=\"VTEP\"];\n", a->sw, a->node);
			for (guint o = k + 1; o < tu->vteps->len; o++) {
				struct lab_vtep *b = g_ptr_array_index(tu->vteps, o);
				printf("  \"%s\" -- \"%s\" [style=dashed, color=%s, label=\"%s\"];\n", a->sw, b->sw,
				       tunnel_color(tu->type), what);
			}
		}
	}
	printf("}\n");
	lab_free(lab);
	return 0;
}

static const struct cmd cmds[] = {
	{ "validate", cmd_validate, "check lab files (schema and rules), errors as FILE:LINE: message" },
	{ "up", run_up, "bring a lab up on this host" },
	{ "down", run_down, "remove everything a lab created (idempotent)" },
	{ "status", run_status, "show a running lab's daemons, namespaces and port counters" },
	{ "exec", run_exec, "run a command, or a shell, inside a node" },
	{ "check", run_check, "run the lab's checks (text, tap, json, junit or tsv)" },
	{ "grade", run_grade, "grade a class: each submission up, checked against a reference, down" },
	{ "link", run_link, "set, show or reset a running link's impairments" },
	{ "console", run_console, "a live view of a running lab: port LEDs, link rates, impairments (ncurses)" },
	{ "top", run_top, "what the console shows, as text or JSON (--once, --json)" },
	{ "trace", run_trace, "the path from one node to another: switches, FDB, cables, tunnels, routers" },
	{ "capture", run_capture, "capture a port, node interface or cable to pcap (or stdout)" },
	{ "graph", cmd_graph, "print the topology as Graphviz DOT" },
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
