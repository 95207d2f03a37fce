/* list.c - labctl list: the labs running on this host (a line each: name,
 * nodes, switches, cables, site), or one lab's nodes, switches or link
 * targets, one name per line (what bash completion offers). */
#include "cmds.h"
#include "state.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

/* The lab model of the running lab in dir (its recorded lab file), NULL if
 * it is not up or no longer loads. */
static struct lab *running_model(const char *dir)
{
	g_autofree char *lf = g_build_filename(dir, "labfile", NULL), *path = NULL;
	if (!g_file_get_contents(lf, &path, NULL, NULL))
		return NULL;
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	struct lab *m = lab_load(g_strstrip(path), errors);
	g_ptr_array_free(errors, TRUE);
	return m;
}

/* The names of the labs with a state file under the run root, sorted. */
static GPtrArray *running_labs(const char *root)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	GDir *d = g_dir_open(root, 0, NULL);
	for (const char *n; d && (n = g_dir_read_name(d));) {
		g_autofree char *sf = g_build_filename(root, n, "state", NULL);
		if (g_file_test(sf, G_FILE_TEST_IS_REGULAR))
			g_ptr_array_add(names, g_strdup(n));
	}
	if (d)
		g_dir_close(d);
	g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
	return names;
}

static int list_one(const char *name, const char *what)
{
	g_autofree char *dir = lab_dir(name);
	g_autoptr(LabState) st = state_load(dir);
	struct lab *m = st ? running_model(dir) : NULL;
	if (!st || !m) {
		fprintf(stderr, "labctl list: lab %s is not up\n", name);
		lab_free(m);
		return 3;
	}
	if (!strcmp(what, "nodes")) {
		for (guint i = 0; i < m->nodes->len; i++)
			printf("%s\n", ((struct lab_node *)g_ptr_array_index(m->nodes, i))->name);
	} else if (!strcmp(what, "switches")) {
		for (guint i = 0; i < m->switches->len; i++)
			printf("%s\n", ((struct lab_switch *)g_ptr_array_index(m->switches, i))->name);
	} else { /* targets: what capture and link take */
		for (guint i = 0; i < st->links->len; i++) {
			const struct st_link *l = &g_array_index(st->links, struct st_link, i);
			printf("%s:%s\n", l->node, l->ifname);
		}
		for (guint i = 0; i < st->cables->len; i++)
			printf("%s\n", g_array_index(st->cables, struct st_cable, i).name);
		for (guint i = 0; i < st->tunnels->len; i++) {
			const struct st_tunnel *t = &g_array_index(st->tunnels, struct st_tunnel, i);
			printf("%s:%d\n", t->sw, t->port);
		}
	}
	lab_free(m);
	return 0;
}

int run_list(int argc, char **argv)
{
	g_autofree char *what = NULL;
	gboolean quiet = FALSE;
	GOptionEntry entries[] = {
		{ "what", 'w', 0, G_OPTION_ARG_STRING, &what, "with LAB: nodes (default), switches or targets (NODE:IF, cables, SWITCH:PORT)", "KIND" },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "lab names only", NULL },
		{ NULL }
	};
	GOptionContext *ctx = g_option_context_new("[LAB] - the running labs, or one lab's nodes, switches or targets");
	g_option_context_set_description(ctx,
		"Without LAB: a line per lab running on this host (its name, nodes, switches,\n"
		"cables and site). With LAB: one name per line, of its nodes, switches, or the\n"
		"targets labctl capture and link take (--what targets).\n"
		"Exit status: 0, or 3 if LAB is not up.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	bool ok = parse_options(ctx, &argc, &argv, "list");
	g_option_context_free(ctx);
	if (!ok || argc > 2) {
		if (ok)
			fprintf(stderr, "labctl list: one lab at most (labctl list --help)\n");
		return 2;
	}
	if (what && strcmp(what, "nodes") && strcmp(what, "switches") && strcmp(what, "targets")) {
		fprintf(stderr, "labctl list: --what %s: expected nodes, switches or targets\n", what);
		return 2;
	}
	if (argc == 2 || opt_lab_name()) {
		g_autofree char *name = lab_name_of(argc == 2 ? argv[1] : opt_lab_name());
		return name ? list_one(name, what ? what : "nodes") : 1;
	}
	g_autofree char *root = run_root();
	GPtrArray *names = running_labs(root);
	if (!quiet && names->len)
		printf("%-16s %5s %8s %6s  %s\n", "LAB", "NODES", "SWITCHES", "CABLES", "SITE");
	for (guint i = 0; i < names->len; i++) {
		const char *n = g_ptr_array_index(names, i);
		if (quiet) {
			printf("%s\n", n);
			continue;
		}
		g_autofree char *dir = g_build_filename(root, n, NULL);
		g_autoptr(LabState) st = state_load(dir);
		struct lab *m = running_model(dir);
		printf("%-16s %5u %8u %6u  %s\n", n, m ? m->nodes->len : 0, m ? m->switches->len : 0,
		       m ? m->cables->len : 0, st && st->site ? st->site : "all");
		lab_free(m);
	}
	g_ptr_array_free(names, TRUE);
	return 0;
}
