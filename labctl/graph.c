/* graph.c - labctl graph: the lab's topology as a picture, laid out and
 * rendered by Graphviz's C library (libcgraph builds the graph, libgvc's
 * "dot" layout and its render plugins write SVG, PNG or PDF; --format dot
 * writes the graph unlaid, as agwrite does).
 *
 * Switches are boxes, nodes ellipses (routers double circles), NAT routers
 * eggs; an edge per interface (its name, addresses, VLAN, impairments) and
 * per cable (its name, trunk, impairments, "encrypted" between sites);
 * tunnels are dashed edges between their VTEP switches, one colour per
 * encapsulation; each VLAN has its colour; sites are clusters. --live
 * samples the running lab's switch counters twice, 1 s apart, and colours
 * and labels each link by its load and drops.
 */
#include "cmds.h"
#include "state.h"
#include "util.h"

#include <errno.h>
#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Colours of the lab's VLANs in the order they first appear (VLAN 0,
 * untagged, is black); `seen` maps a VID to its colour's index. */
static const char *const vlan_colors[] = { "blue", "red3", "darkgreen", "darkorange", "purple",
					   "brown", "deeppink", "cyan4", "gold3", "slateblue" };

static const char *vlan_color(GHashTable *seen, int vid)
{
	if (vid <= 0)
		return "black";
	gpointer v;
	if (!g_hash_table_lookup_extended(seen, GINT_TO_POINTER(vid), NULL, &v)) {
		v = GUINT_TO_POINTER(g_hash_table_size(seen));
		g_hash_table_insert(seen, GINT_TO_POINTER(vid), v);
	}
	return vlan_colors[GPOINTER_TO_UINT(v) % G_N_ELEMENTS(vlan_colors)];
}

/* One colour per encapsulation, so a picture with several tells them apart. */
static const char *tunnel_color(const char *type)
{
	return !strcmp(type, "geneve") ? "darkorange" : !strcmp(type, "gretap") ? "purple"
	       : !strcmp(type, "nvgre") ? "brown" : "darkgreen";
}

/* Per switch port counters of a running lab: "SW:PORT" -> struct load. */
struct load { double bps; guint64 frames, drops; };

static void sample(const struct state *st, GHashTable *into)
{
	for (guint i = 0; i < st->daemons->len; i++) {
		const struct st_daemon *d = &g_array_index(st->daemons, struct st_daemon, i);
		if (strcmp(d->kind, "switch"))
			continue;
		g_autofree char *mg = state_switch_mgmt(st, d->name), *reply = NULL;
		if (mgmt(mg, "stats/ports", &reply) != 0)
			continue;
		g_auto(GStrv) pl = g_strsplit(reply, "\n", -1);
		for (int k = 0; pl[k]; k++) {
			int port;
			if (sscanf(pl[k], "port=%d", &port) != 1)
				continue;
			GHashTable *kv = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
			g_auto(GStrv) w = g_strsplit(pl[k], " ", -1);
			for (int j = 0; w[j]; j++) {
				char *eq = strchr(w[j], '=');
				if (eq)
					g_hash_table_insert(kv, g_strndup(w[j], eq - w[j]), g_strdup(eq + 1));
			}
#define N(key) (g_hash_table_lookup(kv, key) ? g_ascii_strtoull(g_hash_table_lookup(kv, key), NULL, 10) : 0)
			struct load *l = g_new0(struct load, 1);
			l->bps = (double)(N("rx_bytes") + N("tx_bytes")) * 8;
			l->frames = N("rx_packets") + N("tx_packets");
			l->drops = N("rx_drops") + N("tx_drops");
#undef N
			g_hash_table_insert(into, g_strdup_printf("%s:%d", d->name, port), l);
			g_hash_table_destroy(kv);
		}
	}
}

/* The live decoration of the link at switch port sw:port: colour and a label
 * line, from two samples dt seconds apart. */
static void live_style(GHashTable *a, GHashTable *b, double dt, const char *sw, int port, Agedge_t *e, GString *label)
{
	g_autofree char *key = g_strdup_printf("%s:%d", sw, port);
	const struct load *x = g_hash_table_lookup(a, key), *y = g_hash_table_lookup(b, key);
	if (!x || !y) {
		agsafeset(e, "color", "gray", "");
		g_string_append(label, "\n(no counters)");
		return;
	}
	double bps = (y->bps - x->bps) / dt, fps = (double)(y->frames - x->frames) / dt;
	guint64 drops = y->drops - x->drops;
	const char *color = drops ? "red" : bps > 100e6 ? "orangered" : bps > 1e6 ? "orange" : fps > 0 ? "green3" : "gray";
	agsafeset(e, "color", (char *)color, "");
	if (bps > 1e6 || drops)
		agsafeset(e, "penwidth", drops ? "4" : "3", "");
	g_string_append_printf(label, "\n%.0f frames/s %.2f Mbit/s", fps, bps / 1e6);
	if (drops)
		g_string_append_printf(label, " %" G_GUINT64_FORMAT " drops", drops);
}

/* The graph node of a lab element, in its site's cluster if it has one. */
static Agnode_t *gnode(Agraph_t *g, GHashTable *clusters, const char *kind, const char *name, const char *site)
{
	g_autofree char *id = g_strdup_printf("%s:%s", kind, name);
	Agraph_t *in = g;
	if (site) {
		in = g_hash_table_lookup(clusters, site);
		if (!in) {
			g_autofree char *cn = g_strdup_printf("cluster_%s", site);
			g_autofree char *cl = g_strdup_printf("site %s", site);
			in = agsubg(g, cn, 1);
			agsafeset(in, "label", cl, "");
			agsafeset(in, "style", "rounded,dashed", "");
			g_hash_table_insert(clusters, g_strdup(site), in);
		}
	}
	Agnode_t *n = agnode(in, id, 1);
	agsafeset(n, "label", (char *)name, "");
	return n;
}

static Agedge_t *gedge(Agraph_t *g, Agnode_t *a, Agnode_t *b, const char *label)
{
	Agedge_t *e = agedge(g, a, b, NULL, 1);
	agsafeset(e, "label", (char *)label, "");
	return e;
}

/* "\ntrunk 10,20" for a non-empty list of tagged VIDs. */
static void append_trunk(GString *label, const GArray *vids)
{
	for (guint t = 0; t < vids->len; t++)
		g_string_append_printf(label, "%s%d", t ? "," : "\ntrunk ", g_array_index(vids, int, t));
}

/* The graph of lab m; live: counters of the running lab (NULL: none). */
static Agraph_t *build(const struct lab *m, const struct state *st, GHashTable *s0, GHashTable *s1, double dt)
{
	Agraph_t *g = agopen(m->name, Agundirected, NULL);
	GHashTable *clusters = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GHashTable *vids = g_hash_table_new(g_direct_hash, g_direct_equal);
	agattr(g, AGRAPH, "label", m->description ? m->description : m->name);
	agattr(g, AGRAPH, "fontname", "sans");
	agattr(g, AGNODE, "fontname", "sans");
	agattr(g, AGEDGE, "fontname", "sans");
	agattr(g, AGEDGE, "fontsize", "10");
	for (guint i = 0; i < m->switches->len; i++) {
		const struct lab_switch *s = g_ptr_array_index(m->switches, i);
		Agnode_t *n = gnode(g, clusters, "switch", s->name, s->site);
		g_autofree char *l = g_strdup_printf("%s%s%s", s->name, s->hub ? "\n(hub)" : "",
						     s->stp == 2 ? "\n(RSTP)" : s->stp == 1 ? "\n(STP)" : "");
		agsafeset(n, "label", l, "");
		agsafeset(n, "shape", "box", "");
		agsafeset(n, "style", "filled", "");
		agsafeset(n, "fillcolor", "lightblue", "");
	}
	for (guint i = 0; i < m->nodes->len; i++) {
		const struct lab_node *nd = g_ptr_array_index(m->nodes, i);
		Agnode_t *n = gnode(g, clusters, "node", nd->name, nd->site);
		agsafeset(n, "shape", nd->forward ? "doublecircle" : "ellipse", "");
		if (!strcmp(nd->kind, "vm")) {
			g_autofree char *l = g_strdup_printf("%s\n(VM)", nd->name);
			agsafeset(n, "label", l, "");
		}
		for (guint k = 0; k < nd->ifs->len; k++) {
			const struct lab_if *f = g_ptr_array_index(nd->ifs, k);
			const struct lab_switch *s = lab_find_switch(m, f->sw);
			GString *label = g_string_new(f->name);
			for (guint a = 0; a < f->ips->len; a++)
				g_string_append_printf(label, "\n%s", (char *)g_ptr_array_index(f->ips, a));
			if (f->vlan)
				g_string_append_printf(label, "\nVLAN %d", f->vlan);
			append_trunk(label, f->trunk);
			if (f->imp_out)
				g_string_append_printf(label, "\nout: %s", f->imp_out);
			if (f->imp_in)
				g_string_append_printf(label, "\nin: %s", f->imp_in);
			Agedge_t *e = agedge(g, n, gnode(g, clusters, "switch", f->sw, s ? s->site : NULL), NULL, 1);
			agsafeset(e, "color", (char *)vlan_color(vids, f->vlan), "");
			if (f->imp_in || f->imp_out)
				agsafeset(e, "style", "bold", "");
			for (guint l = 0; st && l < st->links->len; l++) {
				const struct st_link *sl = &g_array_index(st->links, struct st_link, l);
				if (!strcmp(sl->node, nd->name) && !strcmp(sl->ifname, f->name))
					live_style(s0, s1, dt, sl->sw, sl->port, e, label);
			}
			agsafeset(e, "label", label->str, "");
			g_string_free(label, TRUE);
		}
	}
	for (guint i = 0; i < m->cables->len; i++) {
		const struct lab_cable *c = g_ptr_array_index(m->cables, i);
		const struct lab_switch *sa = lab_find_switch(m, c->a), *sb = lab_find_switch(m, c->b);
		GString *label = g_string_new(c->name);
		append_trunk(label, c->trunk);
		if (c->imp_ab)
			g_string_append_printf(label, "\nab: %s", c->imp_ab);
		if (c->imp_ba)
			g_string_append_printf(label, "\nba: %s", c->imp_ba);
		bool remote = sa->site && sb->site && strcmp(sa->site, sb->site);
		if (remote)
			g_string_append_printf(label, "\nencrypted (%s - %s)", sa->site, sb->site);
		Agedge_t *e = agedge(g, gnode(g, clusters, "switch", c->a, sa->site), gnode(g, clusters, "switch", c->b, sb->site),
				     NULL, 1);
		agsafeset(e, "penwidth", "3", "");
		if (remote)
			agsafeset(e, "color", "darkviolet", "");
		for (guint l = 0; st && l < st->cables->len; l++) {
			const struct st_cable *sc = &g_array_index(st->cables, struct st_cable, l);
			if (!strcmp(sc->name, c->name))
				live_style(s0, s1, dt, sc->port[0] >= 0 ? sc->sw[0] : sc->sw[1],
					   sc->port[0] >= 0 ? sc->port[0] : sc->port[1], e, label);
		}
		agsafeset(e, "label", label->str, "");
		g_string_free(label, TRUE);
	}
	for (guint i = 0; i < m->nats->len; i++) {
		const struct lab_nat *nt = g_ptr_array_index(m->nats, i);
		const struct lab_switch *s = lab_find_switch(m, nt->sw);
		GString *l = g_string_new(NULL);
		g_string_printf(l, "NAT %s\n%s%s", nt->name, nt->net, nt->restrict_ ? " restricted" : "");
		for (guint k = 0; k < nt->forwards->len; k++) {
			const struct lab_forward *f = g_ptr_array_index(nt->forwards, k);
			g_string_append_printf(l, "\nhost %s %d -> %s", f->proto, f->host_port, f->to);
		}
		Agnode_t *n = gnode(g, clusters, "nat", nt->name, s ? s->site : NULL);
		agsafeset(n, "label", l->str, "");
		agsafeset(n, "shape", "egg", "");
		agsafeset(n, "style", "filled", "");
		agsafeset(n, "fillcolor", "khaki", "");
		g_autofree char *vl = nt->vlan ? g_strdup_printf("VLAN %d", nt->vlan) : g_strdup("");
		Agedge_t *e = gedge(g, n, gnode(g, clusters, "switch", nt->sw, s ? s->site : NULL), vl);
		agsafeset(e, "color", (char *)vlan_color(vids, nt->vlan), "");
		g_string_free(l, TRUE);
	}
	/* tunnels: each VTEP switch to its VTEP node (dotted), the VTEP switches
	 * to each other (dashed, the encapsulation's colour) */
	for (guint i = 0; i < m->tunnels->len; i++) {
		const struct lab_tunnel *tu = g_ptr_array_index(m->tunnels, i);
		g_autofree char *what = tu->map ? g_strdup_printf("%s %s", tu->tt->title, tu->map)
				      : tu->id >= 0 ? g_strdup_printf("%s %s %" G_GINT64_FORMAT, tu->tt->title,
								     tu->tt->id_key, tu->id)
						    : g_strdup(tu->tt->title);
		for (guint k = 0; k < tu->vteps->len; k++) {
			const struct lab_vtep *a = g_ptr_array_index(tu->vteps, k);
			const struct lab_switch *sa = lab_find_switch(m, a->sw);
			const struct lab_node *na = lab_find_node(m, a->node);
			Agnode_t *ga = gnode(g, clusters, "switch", a->sw, sa ? sa->site : NULL);
			Agedge_t *e = gedge(g, ga, gnode(g, clusters, "node", a->node, na ? na->site : NULL), "VTEP");
			agsafeset(e, "style", "dotted", "");
			for (guint o = k + 1; o < tu->vteps->len; o++) {
				const struct lab_vtep *b = g_ptr_array_index(tu->vteps, o);
				const struct lab_switch *sb = lab_find_switch(m, b->sw);
				e = gedge(g, ga, gnode(g, clusters, "switch", b->sw, sb ? sb->site : NULL), what);
				agsafeset(e, "style", "dashed", "");
				agsafeset(e, "color", (char *)tunnel_color(tu->type), "");
				agsafeset(e, "fontcolor", (char *)tunnel_color(tu->type), "");
			}
		}
	}
	g_hash_table_destroy(clusters);
	g_hash_table_destroy(vids);
	return g;
}

int run_graph(int argc, char **argv)
{
	g_autofree char *format = NULL, *output = NULL;
	gboolean live = FALSE;
	GOptionEntry entries[] = {
		{ "format", 'F', 0, G_OPTION_ARG_STRING, &format, "dot (default), svg, png or pdf", "FMT" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "write to FILE (default stdout)", "FILE" },
		{ "live", 'l', 0, G_OPTION_ARG_NONE, &live, "colour each link of the running lab by its load and drops (1 s sample)", NULL },
		{ NULL }
	};
	if (!begin(&argc, &argv, "graph", "LAB|FILE - draw the lab's topology (Graphviz)",
		   "Switches are boxes, nodes ellipses (routers double), NAT routers eggs; an edge\n"
		   "per interface (addresses, VLAN, impairments) and per cable (trunk, impairments,\n"
		   "encrypted between sites); VLANs are coloured, sites are clusters, tunnels are\n"
		   "dashed in their encapsulation's colour. --live (a running lab) colours links:\n"
		   "gray idle, green traffic, orange > 1 Mbit/s, orangered > 100 Mbit/s, red drops.\n"
		   "  labctl graph labs/overlay.xml --format svg -o overlay.svg\n"
		   "  labctl graph routed-wan --live --format png -o now.png",
		   entries, 1, "lab"))
		return 2;
	const char *fmt = format ? format : "dot";
	if (strcmp(fmt, "dot") && strcmp(fmt, "svg") && strcmp(fmt, "png") && strcmp(fmt, "pdf")) {
		fprintf(stderr, "labctl graph: --format %s: expected dot, svg, png or pdf\n", fmt);
		return 2;
	}
	/* a file, or a running lab's name (its lab file, and with --live its counters) */
	g_autofree char *path = NULL;
	g_autoptr(LabState) st = NULL;
	if (g_file_test(argv[1], G_FILE_TEST_IS_REGULAR) && !live) {
		path = g_strdup(argv[1]);
	} else {
		g_autofree char *name = lab_name_of(argv[1]);
		if (!name)
			return 1;
		g_autofree char *dir = lab_dir(name), *lf = g_build_filename(dir, "labfile", NULL);
		st = state_load(dir);
		if (!st || !g_file_get_contents(lf, &path, NULL, NULL)) {
			fprintf(stderr, "labctl graph: lab %s is not up%s\n", name,
				live ? " (--live draws a running lab)" : " (and no such file)");
			return 1;
		}
		g_strstrip(path);
	}
	struct lab *m = load_or_report(path);
	if (!m)
		return 1;
	GHashTable *s0 = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	GHashTable *s1 = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	double dt = 1;
	if (live) {
		double t0 = now_s();
		sample(st, s0);
		g_usleep(G_USEC_PER_SEC);
		dt = now_s() - t0;
		sample(st, s1);
	}
	Agraph_t *g = build(m, live ? st : NULL, s0, s1, dt);
	FILE *out = stdout;
	if (output && !(out = fopen(output, "w"))) {
		fprintf(stderr, "labctl graph: %s: %s\n", output, g_strerror(errno));
		agclose(g);
		lab_free(m);
		return 1;
	}
	int rc = 0;
	if (!strcmp(fmt, "dot")) {
		rc = agwrite(g, out) == 0 ? 0 : 1;
	} else {
		GVC_t *gvc = gvContext();
		if (gvLayout(gvc, g, "dot") != 0 || gvRender(gvc, g, fmt, out) != 0) {
			fprintf(stderr, "labctl graph: graphviz could not lay out or render %s\n", fmt);
			rc = 1;
		}
		gvFreeLayout(gvc, g);
		gvFreeContext(gvc);
	}
	if (fflush(out) != 0 || (out != stdout && fclose(out) != 0)) {
		fprintf(stderr, "labctl graph: %s: %s\n", output ? output : "stdout", g_strerror(errno));
		rc = 1;
	}
	agclose(g);
	g_hash_table_destroy(s0);
	g_hash_table_destroy(s1);
	lab_free(m);
	return rc;
}
