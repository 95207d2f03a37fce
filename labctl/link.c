/* link.c - labctl link set|show|reset, and link_apply() for the console. */
#include "cmds.h"
#include "mgmt.h"
#include "state.h"
#include "util.h"
#include "vm.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- links ---- */

struct link_end {
	char *sw;
	int port;
	const char *dir; /* switch-side direction: "in" or "out" */
};

/* Resolve TARGET [DIR] to the switch ports and directions it means. */
static int resolve_link(const char *dir_run, const char *target, const char *dir, GArray *ends, GString *err)
{
	g_autoptr(LabState) st = state_load(dir_run);
	if (!st) {
		g_string_printf(err, "the lab is not up");
		return 3;
	}
	for (guint i = 0; i < st->links->len; i++) {
		const struct st_link *l = &g_array_index(st->links, struct st_link, i);
		/* "NODE:IF", or "NODE" for its first interface */
		g_autofree char *full = g_strdup_printf("%s:%s", l->node, l->ifname);
		if (strcmp(full, target) && (strchr(target, ':') || strcmp(l->node, target)))
			continue;
		bool in = !strcmp(dir, "in") || !strcmp(dir, "both"), out = !strcmp(dir, "out") || !strcmp(dir, "both");
		if (!in && !out) {
			g_string_printf(err, "direction \"%s\": a node interface takes in, out or both", dir);
			return 2;
		}
		/* node-side out = what the switch receives (its "in") */
		if (out) g_array_append_val(ends, ((struct link_end){ g_strdup(l->sw), l->port, "in" }));
		if (in) g_array_append_val(ends, ((struct link_end){ g_strdup(l->sw), l->port, "out" }));
		return 0;
	}
	for (guint i = 0; i < st->cables->len; i++) {
		const struct st_cable *c = &g_array_index(st->cables, struct st_cable, i);
		bool back;
		if (!state_cable_is(c, target, &back))
			continue;
		bool fwd = !back;
		bool ab = !strcmp(dir, "both") || (!strcmp(dir, "ab") && fwd) || (!strcmp(dir, "ba") && back);
		bool ba = !strcmp(dir, "both") || (!strcmp(dir, "ba") && fwd) || (!strcmp(dir, "ab") && back);
		if (!ab && !ba) {
			g_string_printf(err, "direction \"%s\": a cable takes ab, ba or both", dir);
			return 2;
		}
		/* an end on another site (port -1) is set there */
		if (ab && c->port[0] >= 0) g_array_append_val(ends, ((struct link_end){ g_strdup(c->sw[0]), c->port[0], "out" }));
		if (ba && c->port[1] >= 0) g_array_append_val(ends, ((struct link_end){ g_strdup(c->sw[1]), c->port[1], "out" }));
		if (!ends->len) {
			g_string_printf(err, "cable %s: that direction leaves from another site; set it there", target);
			return 1;
		}
		return 0;
	}
	g_string_printf(err, "no link \"%s\" (use NODE:IF, NODE, or a cable SWITCH-SWITCH; labctl link show)", target);
	return 1;
}

int link_apply(const char *dir, const char *target, const char *dirw, const char *spec, GString *err)
{
	GArray *ends = g_array_new(FALSE, FALSE, sizeof(struct link_end));
	int rc = resolve_link(dir, target, dirw, ends, err);
	for (guint i = 0; rc == 0 && i < ends->len; i++) {
		struct link_end *e = &g_array_index(ends, struct link_end, i);
		g_autofree char *m = g_strdup_printf("%s/sw-%s.mgmt", dir, e->sw);
		g_autofree char *reply = NULL;
		g_autofree char *cmd = spec ? g_strdup_printf("impair/set %d %s %s", e->port, e->dir, spec)
					    : g_strdup_printf("impair/clear %d %s", e->port, e->dir);
		if (mgmt(m, cmd, &reply) != 0) {
			/* the switch names the bad value; nothing was changed there */
			g_autofree char *why = mgmt_reason(reply);
			g_string_printf(err, "%s", why);
			rc = 1;
		}
	}
	for (guint i = 0; i < ends->len; i++)
		g_free(g_array_index(ends, struct link_end, i).sw);
	g_array_free(ends, TRUE);
	return rc;
}

/* link set TARGET down|up: the carrier of the switch port(s) behind a node
 * interface or both ends of a cable, both directions at once (the spanning
 * tree sees the port disabled, as when a cable is pulled). */
static int link_state(const char *dir, const char *target, bool up, GString *err)
{
	GArray *ends = g_array_new(FALSE, FALSE, sizeof(struct link_end));
	int rc = resolve_link(dir, target, "both", ends, err);
	for (guint i = 0; rc == 0 && i < ends->len; i++) {
		struct link_end *e = &g_array_index(ends, struct link_end, i);
		bool dup = false; /* a node link resolves to its port twice (in, out) */
		for (guint k = 0; k < i; k++) {
			struct link_end *o = &g_array_index(ends, struct link_end, k);
			dup |= o->port == e->port && !strcmp(o->sw, e->sw);
		}
		if (dup)
			continue;
		g_autofree char *m = g_strdup_printf("%s/sw-%s.mgmt", dir, e->sw);
		g_autofree char *cmd = g_strdup_printf("port/setlink %d %s", e->port, up ? "up" : "down"), *reply = NULL;
		if (mgmt(m, cmd, &reply) != 0) {
			g_autofree char *why = mgmt_reason(reply);
			g_string_printf(err, "switch %s port %d: %s", e->sw, e->port, why);
			rc = 1;
		}
	}
	for (guint i = 0; i < ends->len; i++)
		g_free(g_array_index(ends, struct link_end, i).sw);
	g_array_free(ends, TRUE);
	return rc;
}

/* The switch's impair/show settings of `port` in direction sdir ("in" or
 * "out"), "none" if it has none. A new string. */
static char *port_settings(const struct state *st, const char *sw, int port, const char *sdir)
{
	g_autofree char *m = state_switch_mgmt(st, sw);
	g_autofree char *cmd = g_strdup_printf("impair/show %d", port), *reply = NULL;
	if (!m || mgmt(m, cmd, &reply) < 0)
		return g_strdup("(switch not answering)");
	g_autofree char *pfx = g_strdup_printf("port=%d dir=%s ", port, sdir);
	g_auto(GStrv) rl = g_strsplit(reply ? reply : "", "\n", -1);
	for (int k = 0; rl[k]; k++)
		if (g_str_has_prefix(rl[k], pfx) && !strstr(rl[k], "offered="))
			return g_strdup(rl[k] + strlen(pfx));
	return g_strdup("none");
}

/* link show: each link (or the one named), in the words of `link set`: a
 * node interface's out (what it sends) and in (what reaches it), a cable's
 * ab and ba, with the switch port that applies them. */
static int link_show(const struct state *st, const char *only)
{
	bool shown = false;
	for (guint i = 0; i < st->links->len; i++) {
		const struct st_link *l = &g_array_index(st->links, struct st_link, i);
		g_autofree char *label = g_strdup_printf("%s:%s", l->node, l->ifname);
		if (only && strcmp(only, label) && strcmp(only, l->node))
			continue;
		shown = true;
		/* the node's out is what the switch receives (its "in") */
		g_autofree char *out = port_settings(st, l->sw, l->port, "in");
		g_autofree char *in = port_settings(st, l->sw, l->port, "out");
		printf("link %s (switch %s port %d)\n  out %s\n  in  %s\n", label, l->sw, l->port, out, in);
	}
	for (guint i = 0; i < st->cables->len; i++) {
		const struct st_cable *c = &g_array_index(st->cables, struct st_cable, i);
		if (only && strcmp(only, c->name))
			continue;
		shown = true;
		printf("cable %s\n", c->name);
		for (int e = 0; e < 2; e++) {
			if (c->port[e] < 0) {
				printf("  %s (leaves %s, on another site)\n", e ? "ba" : "ab", c->sw[e]);
				continue;
			}
			g_autofree char *set = port_settings(st, c->sw[e], c->port[e], "out");
			printf("  %s %s (switch %s port %d)\n", e ? "ba" : "ab", set, c->sw[e], c->port[e]);
		}
	}
	if (only && !shown) {
		fprintf(stderr, "labctl link show: no link \"%s\"\n", only);
		return 1;
	}
	return 0;
}

/* link reset: back to the lab file's impairments (none where it has none),
 * for every link or the one named. */
static int link_reset(const char *dir, const struct state *st, const char *only, GString *err)
{
	g_autofree char *lf = g_build_filename(dir, "labfile", NULL), *path = NULL;
	struct lab *lab = g_file_get_contents(lf, &path, NULL, NULL) ? load_or_report(g_strstrip(path)) : NULL;
	if (!lab) {
		g_string_printf(err, "the lab file %s no longer loads", path ? path : lf);
		return 1;
	}
	int rc = 0;
	bool found = false;
	for (guint i = 0; !rc && i < st->links->len; i++) {
		const struct st_link *l = &g_array_index(st->links, struct st_link, i);
		g_autofree char *label = g_strdup_printf("%s:%s", l->node, l->ifname);
		if (only && strcmp(only, label) && strcmp(only, l->node))
			continue;
		found = true;
		const struct lab_node *n = lab_find_node(lab, l->node);
		const struct lab_if *f = NULL;
		for (guint k = 0; n && k < n->ifs->len; k++)
			if (!strcmp(((struct lab_if *)g_ptr_array_index(n->ifs, k))->name, l->ifname))
				f = g_ptr_array_index(n->ifs, k);
		/* "none" first: impair/set changes only the keys it names */
		g_autofree char *out = f && f->imp_out ? g_strdup_printf("none %s", f->imp_out) : NULL;
		g_autofree char *in = f && f->imp_in ? g_strdup_printf("none %s", f->imp_in) : NULL;
		rc = link_apply(dir, label, "out", out, err);
		if (!rc)
			rc = link_apply(dir, label, "in", in, err);
	}
	for (guint i = 0; !rc && i < st->cables->len; i++) {
		const struct st_cable *c = &g_array_index(st->cables, struct st_cable, i);
		if (only && strcmp(only, c->name))
			continue;
		found = true;
		const struct lab_cable *lc = lab_find_cable(lab, c->name);
		for (int e = 0; !rc && e < 2; e++) {
			const char *spec = lc ? (e ? lc->imp_ba : lc->imp_ab) : NULL;
			g_autofree char *full = spec ? g_strdup_printf("none %s", spec) : NULL;
			if (c->port[e] >= 0)
				rc = link_apply(dir, c->name, e ? "ba" : "ab", full, err);
		}
	}
	lab_free(lab);
	if (!rc && only && !found) {
		g_string_printf(err, "no link \"%s\"", only);
		rc = 1;
	}
	return rc;
}

int run_link(int argc, char **argv)
{
	GOptionContext *ctx = g_option_context_new("set|show|reset LAB [TARGET [DIR] [SPEC]] - impairments of a running lab's links");
	g_option_context_set_description(ctx,
		"  labctl link show LAB [TARGET]\n"
		"  labctl link set LAB NODE:IF [in|out|both] 'delay=40ms loss=1% rate=10Mbit'\n"
		"  labctl link set LAB SW1-SW2 [ab|ba|both] 'loss=5%'\n"
		"  labctl link set LAB NODE:IF|SW1-SW2 down|up\n"
		"  labctl link reset LAB [TARGET]\n"
		"in/out are seen from the node (out: what it sends); ab/ba follow the cable's a=\n"
		"and b=; show speaks the same words. set changes only the keys it names (the\n"
		"others stay: 'loss=1%' keeps a delay; 'none' clears first). reset goes back to\n"
		"the lab file's impairments. Values use the impairment syntax of vdelab-plug\n"
		"--help; a bad value changes nothing. Changes apply to the next frame.\n"
		"down pulls the cable: nothing passes either way and a switch running the\n"
		"spanning tree sees the port disabled (and reroutes); up puts it back.");
	bool ok = parse_options(ctx, &argc, &argv, "link");
	g_option_context_free(ctx);
	if (!ok)
		return 2;
	if (argc < 3 || (strcmp(argv[1], "set") && strcmp(argv[1], "show") && strcmp(argv[1], "reset"))) {
		fprintf(stderr, "labctl link: expected set|show|reset LAB ... (labctl link --help)\n");
		return 2;
	}
	g_autofree char *name = lab_name_of(argv[2]);
	if (!name)
		return 1;
	g_autofree char *dir = lab_dir(name);
	GString *err = g_string_new(NULL);
	int rc = 0;
	if (!strcmp(argv[1], "show") || !strcmp(argv[1], "reset")) {
		g_autoptr(LabState) st = state_load(dir);
		if (!st) {
			fprintf(stderr, "labctl link: lab %s is not up\n", name);
			g_string_free(err, TRUE);
			return 3;
		}
		const char *only = argc > 3 ? argv[3] : NULL;
		if (!strcmp(argv[1], "show")) {
			rc = link_show(st, only);
		} else if (!(rc = link_reset(dir, st, only, err))) {
			printf("lab %s: %s back to the lab file's impairments\n", name, only ? only : "every link");
		} else {
			fprintf(stderr, "labctl link reset: %s\n", err->str);
		}
		g_string_free(err, TRUE);
		return rc;
	}
	if (argc < 4) {
		fprintf(stderr, "labctl link %s: which link?\n", argv[1]);
		return 2;
	}
	const char *target = argv[3];
	const char *dirw = "both";
	int spec_at = 4;
	if (argc > 4 && (!strcmp(argv[4], "in") || !strcmp(argv[4], "out") || !strcmp(argv[4], "both") ||
			 !strcmp(argv[4], "ab") || !strcmp(argv[4], "ba"))) {
		dirw = argv[4];
		spec_at = 5;
	}
	g_autofree char *spec = argc > spec_at ? g_strjoinv(" ", argv + spec_at) : NULL;
	if (!strcmp(argv[1], "set") && !spec) {
		fprintf(stderr, "labctl link set: which impairments? e.g. 'delay=40ms loss=1%%'\n");
		return 2;
	}
	if (!strcmp(argv[1], "set") && spec && (!strcmp(spec, "down") || !strcmp(spec, "up")) && spec_at == 4) {
		rc = link_state(dir, target, !strcmp(spec, "up"), err);
		if (rc)
			fprintf(stderr, "labctl link set: %s\n", err->str);
		else
			printf("lab %s: link %s %s\n", name, target, spec);
		g_string_free(err, TRUE);
		return rc;
	}
	rc = link_apply(dir, target, dirw, !strcmp(argv[1], "set") ? spec : NULL, err);
	if (rc)
		fprintf(stderr, "labctl link %s: %s\n", argv[1], err->str);
	g_string_free(err, TRUE);
	return rc;
}

