/* console.c - labctl console (ncurses) and labctl top: the running lab at
 * a glance, from the switches' management sockets.
 *
 * Data: every POLL_MS each switch is asked `stats/ports` and `impair/show`
 * over one persistent console connection (no per-frame messages: the data
 * path only keeps counters); `port/info` and `capture/show` once a second.
 * A port's LED shows what changed since the previous poll, so it stays lit
 * for one poll (~100 ms) after frames pass:
 *   '!' drops (port or impairment counters grew)   red
 *   '+' the switch flooded frames out of this port yellow
 *   '*' frames received or sent                     green
 *   '.' idle                                        normal
 *   'x' no endpoint (down)                          dim
 * Links: each node interface (directions out = from the node, in = to it),
 * cable (ab, ba) and tunnel port with frames/s, bit/s, drops and the
 * current impairments per direction; tunnels and encrypted cables also with
 * their peer, state and last-received age.
 */
#include "cmds.h"
#include "node.h"
#include "state.h"
#include "util.h"
#include "vm.h"

#include <curses.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

enum { POLL_MS = 100, SLOW_EVERY = 10 };
/* LED_BLOCKED: the spanning tree keeps the port discarding (learning too) */
enum led { LED_DOWN, LED_IDLE, LED_ACTIVE, LED_FLOOD, LED_DROP, LED_BLOCKED };
static const char led_char[] = { 'x', '.', '*', '+', '!', '#' };
#define LED_LEGEND "* traffic  + flooded  ! drops  . idle  x down  # blocked"

/* ---- one persistent console connection per switch (mgmt.h) ---- */

/* Run one command; the reply without the prompt in *out. False if the
 * switch did not answer (the connection is retried next time). */
static bool mc_cmd(struct mgmt_conn *c, const char *cmd, char **out)
{
	return mgmt_conn_cmd(c, cmd, out) >= 0;
}

/* ---- the model ---- */

struct cport {
	bool seen, active;
	uint64_t rx, tx, rxb, txb, drops, flood; /* drops: port + impairment drops, both ways */
	uint64_t imp_drop[2];                    /* [0] in, [1] out */
	enum led led;
	char label[24];
	char imp[2][160];                        /* settings in/out, "" = none */
	char info[320];
	bool capturing;
	double fps[2], bps[2];                   /* [0] rx, [1] tx */
	uint64_t drops_tot[2];                   /* [0] received side, [1] sent side: port + impairment drops */
	char role[12], state[12];                /* spanning tree: stp_role/stp_state, "off" when it is off */
	bool link_down;
};

/* stp: the spanning tree runs; root: its root bridge id; is_root: this switch is it */
struct csw { char *name; struct mgmt_conn mc; GArray *ports; bool up; bool stp, is_root; char root[24]; };

enum ckind { CL_NODE, CL_CABLE, CL_TUNNEL };
struct clink {
	enum ckind kind;
	char *name;          /* target for link_apply: NODE:IF or SW1-SW2; tunnel: SW:PORT */
	int sw[2], port[2];  /* switch indexes and ports; [1] unused for node links and tunnels; -1 remote */
};

struct cnode { char *name, *kind, *site; char *domain, *uri; bool up; }; /* domain/uri: VM nodes */

struct con {
	char *lab, *dir;
	struct lab *m;
	GPtrArray *sws, *links, *nodes;
	double t_prev;
	unsigned tick;
	bool frozen;
	int sel;
	char msg[300];
};

static struct cport *port_of(struct csw *s, int p)
{
	if (p < 0)
		return NULL;
	if ((guint)p >= s->ports->len)
		g_array_set_size(s->ports, (guint)p + 1);
	return &g_array_index(s->ports, struct cport, p);
}

static int sw_index(struct con *c, const char *name)
{
	for (guint i = 0; i < c->sws->len; i++)
		if (!strcmp(((struct csw *)g_ptr_array_index(c->sws, i))->name, name))
			return (int)i;
	return -1;
}

/* A link with one switch end (a node interface, a tunnel port): added to
 * c->links, its port labelled `label` in the LED row. */
static void one_ended(struct con *c, enum ckind kind, const char *name, const char *sw, int port, const char *label)
{
	struct clink *k = g_new0(struct clink, 1);
	k->kind = kind;
	k->name = g_strdup(name);
	k->sw[0] = sw_index(c, sw);
	k->port[0] = port;
	k->sw[1] = k->port[1] = -1;
	if (k->sw[0] >= 0)
		g_strlcpy(port_of(g_ptr_array_index(c->sws, k->sw[0]), port)->label, label, sizeof(((struct cport *)0)->label));
	g_ptr_array_add(c->links, k);
}

static bool con_load(struct con *c, GString *err)
{
	g_autoptr(LabState) st = state_load(c->dir);
	g_autofree char *lf = g_build_filename(c->dir, "labfile", NULL), *path = NULL;
	if (!st || !g_file_get_contents(lf, &path, NULL, NULL)) {
		g_string_printf(err, "lab %s is not up", c->lab);
		return false;
	}
	c->m = load_or_report(g_strstrip(path));
	if (!c->m) {
		g_string_printf(err, "%s no longer loads", path);
		return false;
	}
	c->sws = g_ptr_array_new();
	c->links = g_ptr_array_new();
	c->nodes = g_ptr_array_new();
	for (guint i = 0; i < st->daemons->len; i++) {
		const struct st_daemon *d = &g_array_index(st->daemons, struct st_daemon, i);
		if (strcmp(d->kind, "switch"))
			continue;
		struct csw *s = g_new0(struct csw, 1);
		s->name = g_strdup(d->name);
		g_autofree char *mp = state_switch_mgmt(st, d->name);
		mgmt_conn_init(&s->mc, mp);
		s->ports = g_array_new(FALSE, TRUE, sizeof(struct cport));
		g_ptr_array_add(c->sws, s);
	}
	for (guint i = 0; i < st->links->len; i++) {
		const struct st_link *l = &g_array_index(st->links, struct st_link, i);
		g_autofree char *name = g_strdup_printf("%s:%s", l->node, l->ifname);
		one_ended(c, CL_NODE, name, l->sw, l->port, name);
	}
	for (guint i = 0; i < st->cables->len; i++) {
		const struct st_cable *sc = &g_array_index(st->cables, struct st_cable, i);
		struct clink *k = NULL;
		for (guint j = 0; j < c->links->len; j++) { /* the other half of a cross-site cable */
			struct clink *o = g_ptr_array_index(c->links, j);
			if (o->kind == CL_CABLE && !strcmp(o->name, sc->name))
				k = o;
		}
		if (!k) {
			k = g_new0(struct clink, 1);
			k->kind = CL_CABLE;
			k->name = g_strdup(sc->name);
			k->sw[0] = k->sw[1] = k->port[0] = k->port[1] = -1;
			g_ptr_array_add(c->links, k);
		}
		for (int e = 0; e < 2; e++)
			if (sc->port[e] >= 0) {
				k->sw[e] = sw_index(c, sc->sw[e]);
				k->port[e] = sc->port[e];
				if (k->sw[e] >= 0) {
					struct cport *p = port_of(g_ptr_array_index(c->sws, k->sw[e]), k->port[e]);
					g_strlcpy(p->label, sc->sw[1 - e], sizeof(p->label));
				}
			}
	}
	for (guint i = 0; i < st->tunnels->len; i++) {
		const struct st_tunnel *u = &g_array_index(st->tunnels, struct st_tunnel, i);
		g_autofree char *name = g_strdup_printf("%s:%d", u->sw, u->port);
		g_autofree char *label = g_strdup_printf("%s/%s", u->type, u->node);
		one_ended(c, CL_TUNNEL, name, u->sw, u->port, label);
	}
	for (guint i = 0; i < c->m->nodes->len; i++) {
		const struct lab_node *ln = g_ptr_array_index(c->m->nodes, i);
		g_autofree char *ns = ns_name(c->lab, ln->name);
		const struct st_domain *dom = state_domain(st, ns);
		bool mine = state_has_netns(st, ns) || dom;
		char *domain = dom ? g_strdup(dom->name) : NULL, *uri = dom ? g_strdup(dom->uri) : NULL;
		if (!mine)
			continue; /* another site's node */
		struct cnode *nd = g_new0(struct cnode, 1);
		nd->domain = domain;
		nd->uri = uri;
		nd->name = g_strdup(ln->name);
		nd->kind = g_strdup(ln->kind);
		nd->site = g_strdup(ln->site ? ln->site : "-");
		g_ptr_array_add(c->nodes, nd);
	}
	return true;
}

static void con_free(struct con *c)
{
	for (guint i = 0; c->sws && i < c->sws->len; i++) {
		struct csw *s = g_ptr_array_index(c->sws, i);
		mgmt_conn_close(&s->mc);
		g_free(s->name), g_array_free(s->ports, TRUE), g_free(s);
	}
	for (guint i = 0; c->links && i < c->links->len; i++) {
		struct clink *k = g_ptr_array_index(c->links, i);
		g_free(k->name), g_free(k);
	}
	for (guint i = 0; c->nodes && i < c->nodes->len; i++) {
		struct cnode *n = g_ptr_array_index(c->nodes, i);
		g_free(n->name), g_free(n->kind), g_free(n->site), g_free(n->domain), g_free(n->uri), g_free(n);
	}
	if (c->sws) {
		g_ptr_array_free(c->sws, TRUE), g_ptr_array_free(c->links, TRUE), g_ptr_array_free(c->nodes, TRUE);
	}
	lab_free(c->m);
}

static uint64_t kv(const char *line, const char *key)
{
	g_autofree char *k = g_strdup_printf(" %s=", key);
	const char *v = strstr(line, k);
	return v ? g_ascii_strtoull(v + strlen(k), NULL, 10) : 0;
}

/* The word value of `key` in a key=value line into buf ("" if absent). */
static void kvs(const char *line, const char *key, char *buf, size_t len)
{
	g_autofree char *k = g_strdup_printf(" %s=", key);
	const char *v = strstr(line, k);
	buf[0] = '\0';
	if (v) {
		v += strlen(k);
		size_t n = strcspn(v, " \n");
		g_strlcpy(buf, v, n + 1 < len ? n + 1 : len);
	}
}

/* The spanning tree's bridge line of `s` (stp/print): on or off, root. */
static void poll_stp(struct csw *s)
{
	g_autofree char *out = NULL;
	s->stp = false;
	if (!mc_cmd(&s->mc, "stp/print", &out))
		return;
	g_auto(GStrv) l = g_strsplit(out, "\n", -1);
	for (int k = 0; l[k]; k++) {
		if (!g_str_has_prefix(l[k], "bridge="))
			continue;
		g_autofree char *line = g_strconcat(" ", l[k], NULL);
		char mode[8];
		kvs(line, "mode", mode, sizeof(mode));
		kvs(line, "root", s->root, sizeof(s->root));
		s->stp = strcmp(mode, "off") != 0;
		s->is_root = kv(line, "is_root") != 0;
	}
}

/* One poll of every switch: counters, LEDs and rates. */
static void con_poll(struct con *c)
{
	double now = now_s(), dt = c->t_prev > 0 ? now - c->t_prev : 0;
	bool slow = c->tick++ % SLOW_EVERY == 0;
	c->t_prev = now;
	for (guint i = 0; i < c->sws->len; i++) {
		struct csw *s = g_ptr_array_index(c->sws, i);
		g_autofree char *st = NULL, *im = NULL;
		s->up = mc_cmd(&s->mc, "stats/ports", &st) && mc_cmd(&s->mc, "impair/show", &im);
		if (!s->up)
			continue;
		for (guint p = 0; p < s->ports->len; p++)
			g_array_index(s->ports, struct cport, p).imp_drop[0] = g_array_index(s->ports, struct cport, p).imp_drop[1] = 0;
		g_auto(GStrv) il = g_strsplit(im, "\n", -1);
		for (int k = 0; il[k]; k++) {
			int port;
			char dir[8];
			int off = 0;
			if (sscanf(il[k], "port=%d dir=%7s %n", &port, dir, &off) < 2 || port < 0 || port > 65535)
				continue;
			struct cport *p = port_of(s, port);
			int d = !strcmp(dir, "out");
			if (strstr(il[k], " offered="))
				p->imp_drop[d] = kv(il[k], "drops");
		}
		/* settings lines: rebuild each poll (a cleared chain disappears) */
		for (guint p = 0; p < s->ports->len; p++)
			g_array_index(s->ports, struct cport, p).imp[0][0] = g_array_index(s->ports, struct cport, p).imp[1][0] = '\0';
		for (int k = 0; il[k]; k++) {
			int port, off = 0;
			char dir[8];
			if (sscanf(il[k], "port=%d dir=%7s %n", &port, dir, &off) < 2 || strstr(il[k], " offered=") || port < 0 ||
			    port > 65535)
				continue;
			g_strlcpy(port_of(s, port)->imp[!strcmp(dir, "out")], il[k] + off, sizeof(port_of(s, port)->imp[0]));
		}
		for (guint p = 0; p < s->ports->len; p++)
			g_array_index(s->ports, struct cport, p).seen = false;
		g_auto(GStrv) sl = g_strsplit(st, "\n", -1);
		for (int k = 0; sl[k]; k++) {
			int port;
			if (sscanf(sl[k], "port=%d", &port) != 1 || port < 0 || port > 65535)
				continue;
			struct cport *p = port_of(s, port);
			uint64_t rx = kv(sl[k], "rx_packets"), tx = kv(sl[k], "tx_packets");
			uint64_t rxb = kv(sl[k], "rx_bytes"), txb = kv(sl[k], "tx_bytes");
			uint64_t rxd = kv(sl[k], "rx_drops") + p->imp_drop[0], txd = kv(sl[k], "tx_drops") + p->imp_drop[1];
			uint64_t fl = kv(sl[k], "tx_flood");
			bool active = kv(sl[k], "active") != 0;
			kvs(sl[k], "stp_role", p->role, sizeof(p->role));
			kvs(sl[k], "stp_state", p->state, sizeof(p->state));
			char link[8];
			kvs(sl[k], "link", link, sizeof(link));
			p->link_down = !strcmp(link, "down");
			if (dt > 0 && p->seen == false && p->active == active) {
				p->fps[0] = (double)(rx - p->rx) / dt;
				p->fps[1] = (double)(tx - p->tx) / dt;
				p->bps[0] = (double)(rxb - p->rxb) * 8 / dt;
				p->bps[1] = (double)(txb - p->txb) * 8 / dt;
			}
			p->led = !active || p->link_down ? LED_DOWN : !strcmp(p->state, "discarding") ? LED_BLOCKED : (rxd + txd > p->drops_tot[0] + p->drops_tot[1] && dt > 0) ? LED_DROP
			       : (fl > p->flood && dt > 0) ? LED_FLOOD : ((rx != p->rx || tx != p->tx) && dt > 0) ? LED_ACTIVE
			       : LED_IDLE;
			p->rx = rx, p->tx = tx, p->rxb = rxb, p->txb = txb, p->flood = fl;
			p->drops_tot[0] = rxd, p->drops_tot[1] = txd;
			p->active = active;
			p->seen = true;
		}
		if (slow) {
			g_autofree char *info = NULL, *cap = NULL;
			poll_stp(s);
			if (mc_cmd(&s->mc, "port/info", &info)) {
				for (guint p = 0; p < s->ports->len; p++)
					g_array_index(s->ports, struct cport, p).info[0] = '\0';
				g_auto(GStrv) pl = g_strsplit(info, "\n", -1);
				for (int k = 0; pl[k]; k++) {
					int port;
					const char *ty = strstr(pl[k], " type=");
					if (sscanf(pl[k], "port=%d", &port) == 1 && ty && port >= 0 && port <= 65535)
						g_strlcpy(port_of(s, port)->info, ty + 1, sizeof(port_of(s, port)->info));
				}
			}
			if (mc_cmd(&s->mc, "capture/show", &cap)) {
				for (guint p = 0; p < s->ports->len; p++)
					g_array_index(s->ports, struct cport, p).capturing = false;
				g_auto(GStrv) cl = g_strsplit(cap, "\n", -1);
				for (int k = 0; cl[k]; k++) {
					int port;
					if (sscanf(cl[k], "port=%d", &port) == 1 && port >= 0 && port <= 65535 && strstr(cl[k], "state=running"))
						port_of(s, port)->capturing = true;
				}
			}
			for (guint n = 0; n < c->nodes->len; n++) {
				struct cnode *nd = g_ptr_array_index(c->nodes, n);
				g_autofree char *ns = ns_name(c->lab, nd->name);
				g_autofree char *p = g_build_filename("/run/netns", ns, NULL);
				nd->up = nd->domain ? !strcmp(vm_state(nd->uri, nd->domain), "running")
						    : g_file_test(p, G_FILE_TEST_EXISTS);
			}
		}
	}
}

static struct cport *link_port(struct con *c, const struct clink *k, int e)
{
	if (k->sw[e] < 0 || k->port[e] < 0)
		return NULL;
	struct csw *s = g_ptr_array_index(c->sws, k->sw[e]);
	return port_of(s, k->port[e]);
}

/* Per direction of a link: frames/s, bit/s, drops so far, the
 * impairment settings, the direction's name. */
struct ldir { const char *name; double fps, bps; uint64_t drops; const char *imp; };

static int link_dirs(struct con *c, const struct clink *k, struct ldir d[2])
{
	struct cport *a = link_port(c, k, 0), *b = link_port(c, k, 1);
	memset(d, 0, 2 * sizeof(*d));
	if (k->kind == CL_CABLE) {
		/* ab leaves a's port and reaches b's; drops are counted where they happen */
		d[0] = (struct ldir){ "ab", a ? a->fps[1] : b ? b->fps[0] : 0, a ? a->bps[1] : b ? b->bps[0] : 0,
				      (a ? a->drops_tot[1] : 0) + (b ? b->drops_tot[0] : 0), a ? a->imp[1] : "" };
		d[1] = (struct ldir){ "ba", b ? b->fps[1] : a ? a->fps[0] : 0, b ? b->bps[1] : a ? a->bps[0] : 0,
				      (b ? b->drops_tot[1] : 0) + (a ? a->drops_tot[0] : 0), b ? b->imp[1] : "" };
	} else {
		/* from the node (or into the tunnel) = the switch receives; to it = the switch sends */
		const char *o = k->kind == CL_NODE ? "out" : "in", *i = k->kind == CL_NODE ? "in" : "out";
		if (!a)
			return 0;
		d[0] = (struct ldir){ o, a->fps[0], a->bps[0], a->drops_tot[0], a->imp[0] };
		d[1] = (struct ldir){ i, a->fps[1], a->bps[1], a->drops_tot[1], a->imp[1] };
	}
	return 2;
}

static char *human_bps(double bps)
{
	return bps >= 1e9 ? g_strdup_printf("%.1fG", bps / 1e9) : bps >= 1e6 ? g_strdup_printf("%.1fM", bps / 1e6)
	       : bps >= 1e3 ? g_strdup_printf("%.1fk", bps / 1e3) : g_strdup_printf("%.0f", bps);
}

/* ---- text and JSON (labctl top) ---- */

static void print_text(struct con *c)
{
	printf("lab %s\nswitches (" LED_LEGEND "):\n", c->lab);
	for (guint i = 0; i < c->sws->len; i++) {
		struct csw *s = g_ptr_array_index(c->sws, i);
		printf("  %-10s%s", s->name, s->up ? "" : " NOT ANSWERING");
		if (s->up && s->stp)
			printf(" [stp root %s%s]", s->root, s->is_root ? " (this switch)" : "");
		for (guint p = 1; p < s->ports->len; p++) {
			struct cport *pt = &g_array_index(s->ports, struct cport, p);
			if (pt->seen || pt->label[0])
				printf("  %u:%s%s%c", p, pt->label, pt->label[0] ? " " : "", led_char[pt->seen ? pt->led : LED_DOWN]);
		}
		printf("\n");
	}
	printf("links:\n");
	for (guint i = 0; i < c->links->len; i++) {
		struct clink *k = g_ptr_array_index(c->links, i);
		struct ldir d[2];
		int n = link_dirs(c, k, d);
		struct cport *a = link_port(c, k, 0);
		printf("  %-18s", k->name);
		for (int j = 0; j < n; j++) {
			g_autofree char *b = human_bps(d[j].bps);
			printf("  %s %.0f fps %sbit/s drops %llu [%s]", d[j].name, d[j].fps, b, (unsigned long long)d[j].drops,
			       d[j].imp[0] ? d[j].imp : "no impairments");
		}
		if (a && a->info[0])
			printf("  %s", a->info);
		printf("\n");
	}
	printf("nodes:\n");
	for (guint i = 0; i < c->nodes->len; i++) {
		struct cnode *n = g_ptr_array_index(c->nodes, i);
		printf("  %-12s %-6s site %-8s %s\n", n->name, n->kind, n->site, n->up ? "up" : "DOWN");
	}
}

static void print_json(struct con *c)
{
	printf("{\"lab\": \"%s\", \"switches\": [", c->lab);
	for (guint i = 0; i < c->sws->len; i++) {
		struct csw *s = g_ptr_array_index(c->sws, i);
		printf("%s\n  {\"name\": \"%s\", \"up\": %s, \"stp\": %s, \"stp_root\": \"%s\", \"is_root\": %s, \"ports\": [",
		       i ? "," : "", s->name, s->up ? "true" : "false", s->stp ? "true" : "false", s->stp ? s->root : "",
		       s->stp && s->is_root ? "true" : "false");
		bool first = true;
		for (guint p = 1; p < s->ports->len; p++) {
			struct cport *pt = &g_array_index(s->ports, struct cport, p);
			if (!pt->seen && !pt->label[0])
				continue;
			printf("%s{\"port\": %u, \"label\": \"%s\", \"led\": \"%c\", \"rx_packets\": %llu, \"tx_packets\": %llu, "
			       "\"rx_fps\": %.1f, \"tx_fps\": %.1f, \"capturing\": %s, \"link\": \"%s\", \"stp_role\": \"%s\", "
			       "\"stp_state\": \"%s\"}", first ? "" : ", ", p, pt->label,
			       led_char[pt->seen ? pt->led : LED_DOWN], (unsigned long long)pt->rx, (unsigned long long)pt->tx,
			       pt->fps[0], pt->fps[1], pt->capturing ? "true" : "false", pt->link_down ? "down" : "up",
			       pt->role[0] ? pt->role : "off", pt->state[0] ? pt->state : "forwarding");
			first = false;
		}
		printf("]}");
	}
	printf("\n], \"links\": [");
	for (guint i = 0; i < c->links->len; i++) {
		struct clink *k = g_ptr_array_index(c->links, i);
		struct ldir d[2];
		int n = link_dirs(c, k, d);
		struct cport *a = link_port(c, k, 0);
		printf("%s\n  {\"name\": \"%s\", \"kind\": \"%s\", \"dirs\": [", i ? "," : "", k->name,
		       k->kind == CL_NODE ? "interface" : k->kind == CL_CABLE ? "cable" : "tunnel");
		for (int j = 0; j < n; j++) {
			g_autofree char *imp = g_strescape(d[j].imp, NULL);
			printf("%s{\"dir\": \"%s\", \"fps\": %.1f, \"bps\": %.0f, \"drops\": %llu, \"impair\": \"%s\"}", j ? ", " : "",
			       d[j].name, d[j].fps, d[j].bps, (unsigned long long)d[j].drops, imp);
		}
		g_autofree char *info = g_strescape(a ? a->info : "", NULL);
		printf("], \"info\": \"%s\"}", info);
	}
	printf("\n], \"nodes\": [");
	for (guint i = 0; i < c->nodes->len; i++) {
		struct cnode *n = g_ptr_array_index(c->nodes, i);
		printf("%s\n  {\"name\": \"%s\", \"kind\": \"%s\", \"site\": \"%s\", \"up\": %s}", i ? "," : "", n->name, n->kind,
		       n->site, n->up ? "true" : "false");
	}
	printf("\n]}\n");
}

static bool con_open(struct con *c, const char *arg, GString *err)
{
	c->lab = lab_name_of(arg);
	if (!c->lab) {
		g_string_printf(err, "which lab?");
		return false;
	}
	c->dir = lab_dir(c->lab);
	return con_load(c, err);
}

static void con_close(struct con *c)
{
	con_free(c);
	g_free(c->lab);
	g_free(c->dir);
}

static volatile sig_atomic_t top_stop;
static void on_top_signal(int s) { (void)s; top_stop = 1; }

int run_top(int argc, char **argv)
{
	gboolean once = FALSE, json = FALSE;
	gdouble interval = 1;
	GOptionEntry entries[] = {
		{ "once", '1', 0, G_OPTION_ARG_NONE, &once, "one snapshot after 0.5 s of polling, then exit", NULL },
		{ "json", 'j', 0, G_OPTION_ARG_NONE, &json, "machine-readable output", NULL },
		{ "interval", 'i', 0, G_OPTION_ARG_DOUBLE, &interval, "seconds between snapshots (default 1)", "S" },
		{ NULL }
	};
	if (!begin(&argc, &argv, "top", "LAB - what labctl console shows, as plain text or JSON",
		   "Switch port LEDs (* traffic, + flooded, ! drops, . idle, x down, # blocked by\n"
		   "the spanning tree; a switch running it shows its root bridge), per-link\n"
		   "frames/s, bit/s, drops and impairments per direction, tunnel and encrypted cable\n"
		   "state, nodes. Without --once it prints a snapshot every --interval seconds\n"
		   "until Ctrl-C (for terminals without curses; labctl status --watch does the same).",
		   entries, 1, "lab"))
		return 2;
	struct con c = { 0 };
	GString *err = g_string_new(NULL);
	if (!con_open(&c, argv[1], err)) {
		fprintf(stderr, "labctl top: %s\n", err->str);
		g_string_free(err, TRUE);
		con_close(&c);
		return 1;
	}
	g_string_free(err, TRUE);
	if (interval < POLL_MS / 1000.0)
		interval = POLL_MS / 1000.0;
	struct sigaction sa = { .sa_handler = on_top_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* poll as the console does (10 Hz, slow data each second), print each interval */
	con_poll(&c);
	double start = now_s(), next = start + (once ? 0.5 : interval);
	while (!top_stop) {
		g_usleep(POLL_MS * 1000);
		con_poll(&c);
		if (now_s() < next)
			continue;
		if (json)
			print_json(&c);
		else
			print_text(&c);
		if (once)
			break;
		printf("\n");
		fflush(stdout);
		next += interval;
	}
	con_close(&c);
	return 0;
}

/* ---- curses ---- */

enum { CP_ACTIVE = 1, CP_FLOOD, CP_DROP, CP_HEAD, CP_SEL, CP_BLOCKED };

static void led_attr(enum led l, bool on)
{
	static const short pair[] = { 0, 0, CP_ACTIVE, CP_FLOOD, CP_DROP, CP_BLOCKED };
	attr_t a = l == LED_DOWN ? A_DIM : l >= LED_ACTIVE ? A_BOLD : A_NORMAL;
	if (has_colors() && pair[l])
		a |= COLOR_PAIR(pair[l]);
	if (on)
		attron(a);
	else
		attroff(a);
}

/* selectable items: links, then nodes */
static int n_items(struct con *c) { return (int)(c->links->len + c->nodes->len); }

static void draw(struct con *c)
{
	int y = 0;
	erase();
	char clock[16];
	time_t now = time(NULL);
	strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&now));
	attron(A_REVERSE);
	mvhline(0, 0, ' ', COLS);
	mvprintw(0, 0, " vdelab console  lab %s  %s%s", c->lab, clock, c->frozen ? "  [FROZEN]" : "");
	mvprintw(0, COLS > 72 ? COLS - 37 : 0, "%s", COLS > 72 ? "? help  i impair  c capture  q quit" : "");
	attroff(A_REVERSE);
	y = 2;
	attron(A_BOLD);
	mvprintw(y++, 0, "SWITCHES  ");
	attroff(A_BOLD);
	printw("(" LED_LEGEND ")");
	for (guint i = 0; i < c->sws->len && y < LINES - 3; i++) {
		struct csw *s = g_ptr_array_index(c->sws, i);
		int x = 2;
		mvprintw(y, x, "%-10s", s->name);
		x += 11;
		if (!s->up)
			printw("NOT ANSWERING");
		if (s->up && s->stp) { /* the header of a switch: the root bridge it follows */
			printw("root %s%s", s->root, s->is_root ? " (this)" : "");
			y++;
			x = 13;
			if (y >= LINES - 3)
				break;
		}
		for (guint p = 1; s->up && p < s->ports->len; p++) {
			struct cport *pt = &g_array_index(s->ports, struct cport, p);
			if (!pt->seen && !pt->label[0])
				continue;
			char cell[48];
			int w = snprintf(cell, sizeof(cell), "%u:%.14s ", p, pt->label[0] ? pt->label : "-");
			if (x + w + 3 > COLS) {
				y++;
				x = 13;
				if (y >= LINES - 3)
					break;
			}
			mvprintw(y, x, "%s", cell);
			led_attr(pt->seen ? pt->led : LED_DOWN, true);
			addch((chtype)(unsigned char)led_char[pt->seen ? pt->led : LED_DOWN]);
			led_attr(pt->seen ? pt->led : LED_DOWN, false);
			if (pt->capturing)
				addch('@');
			x += w + 3;
		}
		y++;
	}
	y++;
	/* links and nodes scroll together so the selected item stays in view */
	struct row { char *text; int item; attr_t attr; };
	GArray *rows = g_array_new(FALSE, FALSE, sizeof(struct row));
#define ROW(t, it, at) do { struct row r_ = { (t), (it), (at) }; g_array_append_val(rows, r_); } while (0)
	ROW(g_strdup_printf("LINKS  %-16s %-4s %9s %9s %7s  %s", "", "dir", "frames/s", "bit/s", "drops",
			    "impairments / tunnel"), -1, A_BOLD);
	int item = 0;
	for (guint i = 0; i < c->links->len; i++, item++) {
		struct clink *k = g_ptr_array_index(c->links, i);
		struct ldir d[2];
		int n = link_dirs(c, k, d);
		struct cport *a = link_port(c, k, 0);
		for (int j = 0; j < n; j++) {
			g_autofree char *b = human_bps(d[j].bps);
			ROW(g_strdup_printf("%c %-22.22s %-4s %9.0f %9s %7llu  %s", item == c->sel && j == 0 ? '>' : ' ',
					    j == 0 ? k->name : "", d[j].name, d[j].fps, b, (unsigned long long)d[j].drops,
					    d[j].imp[0] ? d[j].imp : "-"), item, item == c->sel ? A_REVERSE : A_NORMAL);
		}
		if (a && a->info[0])
			ROW(g_strdup_printf("    %s", a->info), item, A_NORMAL);
	}
	ROW(g_strdup(""), -1, A_NORMAL);
	ROW(g_strdup("NODES"), -1, A_BOLD);
	for (guint i = 0; i < c->nodes->len; i++, item++) {
		struct cnode *nd = g_ptr_array_index(c->nodes, i);
		ROW(g_strdup_printf("%c %-14s %-6s site %-8s %s", item == c->sel ? '>' : ' ', nd->name, nd->kind, nd->site,
				    nd->up ? "up" : "DOWN"), item, item == c->sel ? A_REVERSE : A_NORMAL);
	}
#undef ROW
	int height = LINES - 1 - y, first = 0;
	for (guint r = 0; r < rows->len; r++)
		if (g_array_index(rows, struct row, r).item == c->sel) {
			if ((int)r >= height)
				first = (int)r - height / 2;
			break;
		}
	if (first > (int)rows->len - height)
		first = (int)rows->len - height;
	if (first < 0)
		first = 0;
	int top = y, r = first;
	for (; r < (int)rows->len && y < LINES - 1; r++, y++) {
		struct row *w = &g_array_index(rows, struct row, r);
		attron(w->attr);
		mvprintw(y, 0, "%-.*s", COLS, w->text);
		attroff(w->attr);
	}
	if (first > 0 && COLS > 14)
		mvprintw(top, COLS - 13, "(more above)");
	if (r < (int)rows->len && COLS > 14)
		mvprintw(LINES - 2, COLS - 13, "(more below)");
	for (guint r = 0; r < rows->len; r++)
		g_free(g_array_index(rows, struct row, r).text);
	g_array_free(rows, TRUE);
	if (c->msg[0])
		mvprintw(LINES - 1, 0, "%-.*s", COLS - 1, c->msg);
	refresh();
}

static void help(void)
{
	static const char *const lines[] = {
		"labctl console - keys",
		"",
		"  Up/Down, j/k, Tab   select a link or a node",
		"  i                   edit the selected link's impairments:",
		"                        [in|out|ab|ba|both] SPEC, e.g.  both loss=100%",
		"                        (empty SPEC, or 'reset', clears them)",
		"  c                   start/stop a pcap capture of the selected link's",
		"                      port into the lab's run directory (@ marks it)",
		"  Enter               a shell in the selected node (exit to come back)",
		"  f                   freeze / unfreeze the display",
		"  ?                   this help        q   quit",
		"",
		"LEDs: * traffic  + flooded out of the port  ! drops  . idle  x down  # blocked (STP)",
		"",
		"any key to go back",
	};
	erase();
	for (unsigned i = 0; i < G_N_ELEMENTS(lines) && (int)i < LINES; i++)
		mvprintw((int)i + 1, 2, "%s", lines[i]);
	refresh();
	timeout(-1);
	getch();
	timeout(POLL_MS);
}

static char *prompt(const char *q)
{
	char buf[256] = "";
	move(LINES - 1, 0);
	clrtoeol();
	attron(A_BOLD);
	printw("%s", q);
	attroff(A_BOLD);
	echo();
	curs_set(1);
	timeout(-1);
	getnstr(buf, sizeof(buf) - 1);
	noecho();
	curs_set(0);
	timeout(POLL_MS);
	return g_strstrip(g_strdup(buf));
}

static void do_impair(struct con *c)
{
	if (c->sel < 0 || c->sel >= (int)c->links->len) {
		snprintf(c->msg, sizeof(c->msg), "select a link first (i edits a link's impairments)");
		return;
	}
	struct clink *k = g_ptr_array_index(c->links, (guint)c->sel);
	if (k->kind == CL_TUNNEL) {
		snprintf(c->msg, sizeof(c->msg), "%s is a tunnel port: impair the links around it", k->name);
		return;
	}
	g_autofree char *q = g_strdup_printf("impair %s [%s|both] SPEC: ", k->name, k->kind == CL_NODE ? "in|out" : "ab|ba");
	g_autofree char *in = prompt(q);
	const char *dir = "both", *spec = in;
	char first[8] = "";
	sscanf(in, "%7s", first);
	if (!strcmp(first, "in") || !strcmp(first, "out") || !strcmp(first, "ab") || !strcmp(first, "ba") ||
	    !strcmp(first, "both")) {
		dir = first;
		spec = in + strlen(first);
		while (*spec == ' ')
			spec++;
	}
	GString *err = g_string_new(NULL);
	bool reset = !*spec || !strcmp(spec, "reset");
	if (link_apply(c->dir, k->name, dir, reset ? NULL : spec, err) == 0)
		snprintf(c->msg, sizeof(c->msg), "%s %s: %s", k->name, dir, reset ? "impairments cleared" : spec);
	else
		snprintf(c->msg, sizeof(c->msg), "error: %s (nothing changed)", err->str);
	g_string_free(err, TRUE);
	c->tick = 0; /* show the new settings at once */
}

static void do_capture(struct con *c)
{
	if (c->sel < 0 || c->sel >= (int)c->links->len) {
		snprintf(c->msg, sizeof(c->msg), "select a link first (c captures its switch port)");
		return;
	}
	struct clink *k = g_ptr_array_index(c->links, (guint)c->sel);
	int e = k->sw[0] >= 0 ? 0 : 1;
	struct cport *p = link_port(c, k, e);
	if (!p) {
		snprintf(c->msg, sizeof(c->msg), "%s has no port on this host", k->name);
		return;
	}
	struct csw *s = g_ptr_array_index(c->sws, k->sw[e]);
	g_autofree char *out = NULL, *cmd = NULL;
	if (p->capturing) {
		cmd = g_strdup_printf("capture/stop %d", k->port[e]);
		mc_cmd(&s->mc, cmd, &out);
		snprintf(c->msg, sizeof(c->msg), "capture of %s (%s:%d) stopped", k->name, s->name, k->port[e]);
	} else {
		g_autofree char *file = capture_file(c->dir, k->name);
		cmd = g_strdup_printf("capture/start %d %s", k->port[e], file);
		if (mgmt_conn_cmd(&s->mc, cmd, &out) == 0)
			snprintf(c->msg, sizeof(c->msg), "capturing %s into %s", k->name, file);
		else {
			g_autofree char *why = mgmt_reason(out);
			snprintf(c->msg, sizeof(c->msg), "capture refused: %s", why);
		}
	}
	c->tick = 0;
}

static void do_shell(struct con *c)
{
	int ni = c->sel - (int)c->links->len;
	if (ni < 0 || ni >= (int)c->nodes->len) {
		snprintf(c->msg, sizeof(c->msg), "select a node for a shell (Enter)");
		return;
	}
	struct cnode *nd = g_ptr_array_index(c->nodes, (guint)ni);
	g_autofree char *ns = ns_name(c->lab, nd->name);
	const char *sh = getenv("SHELL");
	def_prog_mode();
	endwin();
	printf("shell in %s (namespace %s); exit to return to the console\n", nd->name, ns);
	fflush(stdout);
	g_autofree char *serial = nd->domain ? g_strdup_printf("%s/vm-%s.serial", c->dir, nd->name) : NULL;
	pid_t pid = serial ? 0 : fork();
	if (serial) {
		vm_console(serial); /* Ctrl-] to come back */
	} else if (pid == 0) {
		char *argv[] = { (char *)(sh && *sh && !node_sandboxed(c->dir, nd->name) ? sh : "/bin/sh"), NULL };
		node_exec(c->dir, nd->name, argv);
	}
	int st;
	if (pid > 0)
		waitpid(pid, &st, 0);
	reset_prog_mode();
	refresh();
	snprintf(c->msg, sizeof(c->msg), "back from %s", nd->name);
}

int run_console(int argc, char **argv)
{
	if (!begin(&argc, &argv, "console", "LAB - a live view of a running lab (ncurses)",
		   "Switches with a LED per port (lit ~100 ms after frames pass: * traffic,\n"
		   "+ flooded, ! drops, . idle, x down, # blocked by the spanning tree; a switch\n"
		   "running it shows its root bridge), links with frames/s, bit/s, drops and\n"
		   "impairments per direction (tunnels and encrypted cables with peer and state),\n"
		   "nodes with kind, site and state. Keys: arrows select, i edits a link's\n"
		   "impairments, c captures its port, Enter opens a shell in a node, f freezes,\n"
		   "? helps, q quits. Without a terminal, use labctl top.",
		   NULL, 1, "lab"))
		return 2;
	struct con c = { 0 };
	GString *err = g_string_new(NULL);
	if (!con_open(&c, argv[1], err)) {
		fprintf(stderr, "labctl console: %s\n", err->str);
		g_string_free(err, TRUE);
		con_close(&c);
		return 1;
	}
	g_string_free(err, TRUE);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) || !initscr()) {
		fprintf(stderr, "labctl console: needs a terminal (try labctl top %s)\n", c.lab);
		con_close(&c);
		return 1;
	}
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	timeout(POLL_MS);
	if (has_colors()) {
		start_color();
		use_default_colors();
		init_pair(CP_ACTIVE, COLOR_GREEN, -1);
		init_pair(CP_FLOOD, COLOR_YELLOW, -1);
		init_pair(CP_DROP, COLOR_RED, -1);
		init_pair(CP_BLOCKED, COLOR_MAGENTA, -1);
	}
	signal(SIGPIPE, SIG_IGN);
	double next = 0;
	for (;;) {
		if (now_s() >= next) {
			con_poll(&c);
			next = now_s() + POLL_MS / 1000.0;
			if (!c.frozen)
				draw(&c);
		}
		int ch = getch();
		if (ch == ERR) {
			/* the terminal hung up (its tmux or ssh session ended): getch
			 * would return ERR at once forever */
			struct pollfd pf = { .fd = 0, .events = POLLIN };
			if (poll(&pf, 1, 0) > 0 && (pf.revents & (POLLHUP | POLLERR | POLLNVAL)))
				break;
			continue;
		}
		if (ch == 'q' || ch == 'Q')
			break;
		int n = n_items(&c);
		switch (ch) {
		case KEY_UP: case 'k': case KEY_BTAB:
			c.sel = n ? (c.sel + n - 1) % n : 0;
			break;
		case KEY_DOWN: case 'j': case '\t':
			c.sel = n ? (c.sel + 1) % n : 0;
			break;
		case 'i': do_impair(&c); break;
		case 'c': do_capture(&c); break;
		case '\n': case '\r': case KEY_ENTER: do_shell(&c); break;
		case 'f': c.frozen = !c.frozen; break;
		case '?': help(); break;
		case KEY_RESIZE: break;
		default: break;
		}
		draw(&c);
	}
	endwin();
	con_close(&c);
	return 0;
}
