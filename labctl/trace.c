/* trace.c - labctl trace: the path a frame from one node to another takes
 * through a running lab, hop by hop.
 *
 * Computed mode (instant, sends nothing): at each node the kernel's own
 * route lookup (`ip route get`) names the outgoing interface and next hop;
 * the lab's configuration and state file say what that interface is plugged
 * into; a breadth-first search over switches, cables and VXLAN segments
 * (VLAN-aware: trunks carry their VLANs, VTEPs map VLANs to VNIs) finds the
 * interface that owns the next hop's address in the same broadcast domain
 * (tenants may reuse addresses); each switch on the way is asked for its FDB
 * entry of the destination MAC (known port, or flooded). Routers repeat the
 * lookup until the destination answers to its own address. The return path
 * is traced the same way from the destination.
 *
 * Probe mode (--probe): a capture is started on every switch port of both
 * paths, one ICMP echo carrying a random 8-byte marker is sent, and each
 * capture is searched for the marker (inside VXLAN too, since the capture
 * points are switch ports): where the request and the reply were seen, and
 * when, relative to the first sighting.
 */
#include "cmds.h"
#include "node.h"
#include "state.h"
#include "util.h"
#include "vm.h"
#include "../vde/core/overlay.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

enum { TRACE_MAX_L3 = 16 };

struct tlink { char *node, *ifname, *sw; int port; const struct lab_if *cfg; char mac[18]; char *live; };
struct tcable { char *name, *swa, *swb; int pa, pb; const struct lab_cable *cfg; };
struct ttun { char *sw, *node; int port; const struct lab_tunnel *cfg; };

struct topo {
	const char *lab, *dir;
	struct lab *m;
	GPtrArray *links, *cables, *tunnels;
	GHashTable *fdbs;      /* switch -> reply text of hash/print */
	GHashTable *infos;     /* switch -> reply text of port/info */
	GHashTable *vms;       /* VM node -> its serial socket */
};

/* Run an `ip ...` command line in a node: its namespace, or its VM's console. */
static int node_ip(const struct topo *t, const char *node, const char *args, char **out)
{
	const char *serial = t->vms ? g_hash_table_lookup(t->vms, node) : NULL;
	if (serial) {
		g_autofree char *cmd = g_strdup_printf("ip %s", args);
		return vm_exec(serial, cmd, 10, out);
	}
	g_autofree char *line = g_strdup_printf("ip %s", args);
	g_auto(GStrv) argv = g_strsplit(line, " ", -1);
	return node_run(t->dir, node, argv, out);
}

/* one step of a path */
enum hop_kind { HOP_IF, HOP_SWITCH, HOP_CABLE, HOP_TUNNEL, HOP_ROUTE };
struct hop {
	enum hop_kind kind;
	char *a, *b;           /* names: node/switch, interface/peer */
	int in, out, vlan;     /* switch ports, VLAN (switch hops) */
	char *note;            /* fdb verdict, cable/tunnel details, route */
	char *sw_port_in, *sw_port_out; /* "sw:port" capture points (switch hops) */
};

static void hop_free(gpointer p)
{
	struct hop *h = p;
	g_free(h->a), g_free(h->b), g_free(h->note), g_free(h->sw_port_in), g_free(h->sw_port_out), g_free(h);
}

static struct hop *hop_add(GPtrArray *path, enum hop_kind k, const char *a, const char *b)
{
	struct hop *h = g_new0(struct hop, 1);
	h->kind = k;
	h->a = g_strdup(a);
	h->b = g_strdup(b ? b : "");
	h->in = h->out = -1;
	g_ptr_array_add(path, h);
	return h;
}

static char *sw_sock(const struct topo *t, const char *sw)
{
	return g_strdup_printf("%s/sw-%s.mgmt", t->dir, sw);
}

static const char *sw_query(struct topo *t, GHashTable *cache, const char *sw, const char *cmd)
{
	char *r = g_hash_table_lookup(cache, sw);
	if (!r) {
		g_autofree char *s = sw_sock(t, sw);
		mgmt(s, cmd, &r);
		if (!r)
			r = g_strdup("");
		g_hash_table_insert(cache, g_strdup(sw), r);
	}
	return r;
}

/* FDB port of (mac, vlan) on switch sw, or -1 */
static int fdb_port(struct topo *t, const char *sw, const char *mac, int vlan)
{
	const char *txt = sw_query(t, t->fdbs, sw, "hash/print");
	g_auto(GStrv) lines = g_strsplit(txt, "\n", -1);
	for (int i = 0; lines[i]; i++) {
		unsigned h, v, p;
		char addr[32];
		if (sscanf(lines[i], "Hash: %u Addr: %31s VLAN %u to port: %u", &h, addr, &v, &p) == 4 &&
		    !g_ascii_strcasecmp(addr, mac) && (int)v == vlan)
			return (int)p;
	}
	return -1;
}

/* key=value from the port/info line of sw's port */
static char *port_info(struct topo *t, const char *sw, int port, const char *key)
{
	const char *txt = sw_query(t, t->infos, sw, "port/info");
	g_autofree char *pfx = g_strdup_printf("port=%d ", port);
	g_auto(GStrv) lines = g_strsplit(txt, "\n", -1);
	for (int i = 0; lines[i]; i++) {
		if (!g_str_has_prefix(lines[i], pfx))
			continue;
		g_autofree char *k = g_strdup_printf(" %s=", key);
		const char *v = strstr(lines[i], k);
		if (v)
			return g_strndup(v + strlen(k), strcspn(v + strlen(k), " "));
	}
	return NULL;
}

static const char *link_mac(struct topo *t, struct tlink *l)
{
	if (!l->mac[0]) {
		g_autofree char *args = g_strdup_printf("-o link show %s", l->ifname), *out = NULL;
		node_ip(t, l->node, args, &out);
		const char *e = out ? strstr(out, "link/ether ") : NULL;
		if (e)
			g_strlcpy(l->mac, e + 11, sizeof(l->mac));
		else
			g_strlcpy(l->mac, "?", sizeof(l->mac));
	}
	return l->mac;
}

static const struct lab_if *if_cfg(const struct lab *m, const char *node, const char *ifname)
{
	const struct lab_node *n = lab_find_node(m, node);
	for (guint i = 0; n && i < n->ifs->len; i++) {
		const struct lab_if *f = g_ptr_array_index(n->ifs, i);
		if (!strcmp(f->name, ifname))
			return f;
	}
	return NULL;
}

static bool topo_load(struct topo *t, GString *err)
{
	g_autoptr(LabState) st = state_load(t->dir);
	g_autofree char *lf = g_build_filename(t->dir, "labfile", NULL), *path = NULL;
	if (!st || !g_file_get_contents(lf, &path, NULL, NULL)) {
		g_string_printf(err, "lab %s is not up", t->lab);
		return false;
	}
	t->m = load_or_report(g_strstrip(path));
	if (!t->m) {
		g_string_printf(err, "%s no longer loads", path);
		return false;
	}
	t->links = g_ptr_array_new();
	t->cables = g_ptr_array_new();
	t->tunnels = g_ptr_array_new();
	t->fdbs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	t->infos = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	t->vms = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (guint i = 0; i < st->links->len; i++) {
		const struct st_link *sl = &g_array_index(st->links, struct st_link, i);
		struct tlink *l = g_new0(struct tlink, 1);
		l->node = g_strdup(sl->node);
		l->ifname = g_strdup(sl->ifname);
		l->sw = g_strdup(sl->sw);
		l->port = sl->port;
		l->cfg = if_cfg(t->m, l->node, l->ifname);
		g_ptr_array_add(t->links, l);
	}
	for (guint i = 0; i < st->cables->len; i++) {
		const struct st_cable *sc = &g_array_index(st->cables, struct st_cable, i);
		/* a cable between sites brought up on one host: two halves */
		struct tcable *half = NULL;
		for (guint k = 0; k < t->cables->len; k++) {
			struct tcable *o = g_ptr_array_index(t->cables, k);
			if (!strcmp(o->name, sc->name))
				half = o;
		}
		if (half) {
			if (sc->port[0] >= 0)
				half->pa = sc->port[0];
			if (sc->port[1] >= 0)
				half->pb = sc->port[1];
			continue;
		}
		struct tcable *c = g_new0(struct tcable, 1);
		c->name = g_strdup(sc->name);
		c->swa = g_strdup(sc->sw[0]);
		c->pa = sc->port[0];
		c->swb = g_strdup(sc->sw[1]);
		c->pb = sc->port[1];
		c->cfg = lab_find_cable(t->m, c->name);
		g_ptr_array_add(t->cables, c);
	}
	for (guint i = 0; i < st->vmserials->len; i++) {
		const struct st_vmserial *v = &g_array_index(st->vmserials, struct st_vmserial, i);
		g_hash_table_insert(t->vms, g_strdup(v->node), g_strdup(v->path));
	}
	for (guint i = 0; i < st->tunnels->len; i++) {
		const struct st_tunnel *su = &g_array_index(st->tunnels, struct st_tunnel, i);
		if (!lab_tunnel_type(su->type))
			continue;
		struct ttun *u = g_new0(struct ttun, 1);
		u->sw = g_strdup(su->sw);
		u->port = su->port;
		u->node = g_strdup(su->node);
		for (guint k = 0; k < t->m->tunnels->len; k++) {
			const struct lab_tunnel *tu = g_ptr_array_index(t->m->tunnels, k);
			for (guint v = 0; tu->tt && !strcmp(tu->type, su->type) && v < tu->vteps->len; v++) {
				const struct lab_vtep *vt = g_ptr_array_index(tu->vteps, v);
				if (!strcmp(vt->sw, u->sw) && !strcmp(vt->node, u->node))
					u->cfg = tu;
			}
		}
		g_ptr_array_add(t->tunnels, u);
	}
	return true;
}

static void topo_free(struct topo *t)
{
	for (guint i = 0; t->links && i < t->links->len; i++) {
		struct tlink *l = g_ptr_array_index(t->links, i);
		g_free(l->node), g_free(l->ifname), g_free(l->sw), g_free(l->live), g_free(l);
	}
	for (guint i = 0; t->cables && i < t->cables->len; i++) {
		struct tcable *c = g_ptr_array_index(t->cables, i);
		g_free(c->name), g_free(c->swa), g_free(c->swb), g_free(c);
	}
	for (guint i = 0; t->tunnels && i < t->tunnels->len; i++) {
		struct ttun *u = g_ptr_array_index(t->tunnels, i);
		g_free(u->sw), g_free(u->node), g_free(u);
	}
	if (t->links) {
		g_ptr_array_free(t->links, TRUE), g_ptr_array_free(t->cables, TRUE), g_ptr_array_free(t->tunnels, TRUE);
		g_hash_table_destroy(t->fdbs), g_hash_table_destroy(t->infos), g_hash_table_destroy(t->vms);
	}
	lab_free(t->m);
}

static struct tlink *find_link(struct topo *t, const char *node, const char *ifname)
{
	for (guint i = 0; i < t->links->len; i++) {
		struct tlink *l = g_ptr_array_index(t->links, i);
		if (!strcmp(l->node, node) && (!ifname || !strcmp(l->ifname, ifname)))
			return l;
	}
	return NULL;
}

static bool if_has_ip(const struct lab_if *f, const char *ip)
{
	for (guint a = 0; f && a < f->ips->len; a++) {
		const char *s = g_ptr_array_index(f->ips, a);
		if (!strncmp(s, ip, strlen(ip)) && (s[strlen(ip)] == '/' || !s[strlen(ip)]))
			return true;
	}
	return false;
}

/* The addresses the node's kernel has on the link (`ip -o addr show`),
 * asked once: SLAAC and link-local IPv6 addresses, DHCP leases, addresses
 * a student added by hand. */
static const char *link_live(const struct topo *t, struct tlink *l)
{
	if (!l->live) {
		g_autofree char *args = g_strdup_printf("-o addr show dev %s", l->ifname);
		node_ip(t, l->node, args, &l->live);
		if (!l->live)
			l->live = g_strdup("");
	}
	return l->live;
}

static bool link_has_live_ip(const struct topo *t, struct tlink *l, const char *ip)
{
	g_autofree char *v4 = g_strdup_printf(" inet %s/", ip), *v6 = g_strdup_printf(" inet6 %s/", ip);
	const char *a = link_live(t, l);
	return strstr(a, v4) || strstr(a, v6);
}

/* The link's first global address (without the prefix length), from the
 * lab's configuration, or else from its kernel; NULL if it has none. */
static char *link_first_addr(const struct topo *t, struct tlink *l)
{
	if (l->cfg && l->cfg->ips->len) {
		const char *ip = g_ptr_array_index(l->cfg->ips, 0);
		return g_strndup(ip, strcspn(ip, "/"));
	}
	const char *a = link_live(t, l);
	for (const char *p = a; (p = strstr(p, " inet")); p++) {
		const char *v = strchr(p + 1, ' ');
		const char *sc = strstr(p, " scope ");
		if (v && sc && !strncmp(sc, " scope global", 13))
			return g_strndup(v + 1, strcspn(v + 1, "/ "));
	}
	return NULL;
}

static bool cable_carries(const struct tcable *c, int vlan)
{
	if (!c->cfg || !c->cfg->trunk->len)
		return vlan == 0;
	for (guint i = 0; i < c->cfg->trunk->len; i++)
		if (g_array_index(c->cfg->trunk, int, i) == vlan)
			return true;
	return false;
}

/* Segment id (VNI, key, VSID) of `vlan` on a tunnel segment; -1 if it does
 * not carry the VLAN; -2 for GRE-TAP without a key (it carries VLAN 0). */
static gint64 tunnel_id(const struct lab_tunnel *tu, int vlan)
{
	if (!tu->map)
		return vlan != 0 ? -1 : tu->id >= 0 ? tu->id : -2;
	struct overlay_map m;
	char e[200];
	if (overlay_map_parse(tu->map, (uint32_t)tu->tt->id_max, &m, e, sizeof(e)))
		return -1;
	int i = overlay_map_by_vlan(&m, (uint16_t)vlan);
	return i < 0 ? -1 : (gint64)m.id[i];
}

static char *trace_path(struct topo *t, const char *src, const char *dst, GPtrArray *path, GString *err);

/* One line for a path: "vtep1:eth0 > fabric1 > r1 > wan1 =encrypted cable= wan2 > ..." */
static char *path_summary(GPtrArray *path)
{
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < path->len; i++) {
		struct hop *h = g_ptr_array_index(path, i);
		if (h->kind == HOP_IF && (i == 0 || i + 1 == path->len || ((struct hop *)g_ptr_array_index(path, i - 1))->kind != HOP_IF))
			g_string_append_printf(s, "%s%s:%s", s->len ? " > " : "", h->a, h->b);
		else if (h->kind == HOP_SWITCH)
			g_string_append_printf(s, " > %s[%d>%d]", h->a, h->in, h->out);
		else if (h->kind == HOP_CABLE)
			g_string_append_printf(s, " =(%s)=", h->note);
		else if (h->kind == HOP_TUNNEL)
			g_string_append_printf(s, " =(tunnel %s-%s)=", h->a, h->b);
	}
	return g_string_free(s, FALSE);
}

/* BFS state: a switch entered in a VLAN through a port */
struct visit { char *sw; int vlan, in; int prev; int via_kind; const void *via; };

/* Walk from interface `from` to the interface owning `ip` in the same L2
 * domain. Appends hops (switches, cables, tunnels) and returns the target
 * link, or NULL with a reason. */
static struct tlink *l2_walk_by(struct topo *t, struct tlink *from, const char *ip, GPtrArray *path, GString *why,
				bool live);

/* First by the lab's configured addresses; failing that, by the addresses
 * the nodes' kernels have (a next hop that is a router's link-local
 * address, an address from SLAAC or DHCP). */
static struct tlink *l2_walk(struct topo *t, struct tlink *from, const char *ip, GPtrArray *path, GString *why)
{
	struct tlink *l = l2_walk_by(t, from, ip, path, why, false);
	return l ? l : l2_walk_by(t, from, ip, path, why, true);
}

static struct tlink *l2_walk_by(struct topo *t, struct tlink *from, const char *ip, GPtrArray *path, GString *why,
				bool live)
{
	GArray *q = g_array_new(FALSE, FALSE, sizeof(struct visit));
	int start_vlan = from->cfg ? from->cfg->vlan : 0;
	struct visit v0 = { g_strdup(from->sw), start_vlan, from->port, -1, 0, NULL };
	g_array_append_val(q, v0);
	struct tlink *target = NULL;
	int found = -1;
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_hash_table_add(seen, g_strdup_printf("%s/%d", from->sw, start_vlan));
	for (guint qi = 0; qi < q->len && found < 0; qi++) {
		struct visit cur = g_array_index(q, struct visit, qi);
		for (guint i = 0; i < t->links->len && found < 0; i++) {
			struct tlink *l = g_ptr_array_index(t->links, i);
			if (l != from && !strcmp(l->sw, cur.sw) && (l->cfg ? l->cfg->vlan : 0) == cur.vlan &&
			    (live ? link_has_live_ip(t, l, ip) : if_has_ip(l->cfg, ip))) {
				target = l;
				found = (int)qi;
			}
		}
		/* neighbours: cables and tunnels */
		for (guint i = 0; i < t->cables->len && found < 0; i++) {
			struct tcable *c = g_ptr_array_index(t->cables, i);
			for (int side = 0; side < 2; side++) {
				const char *s = side ? c->swb : c->swa, *o = side ? c->swa : c->swb;
				int sp = side ? c->pb : c->pa, op = side ? c->pa : c->pb;
				if (strcmp(s, cur.sw) || sp < 0 || op < 0 || !cable_carries(c, cur.vlan))
					continue;
				g_autofree char *key = g_strdup_printf("%s/%d", o, cur.vlan);
				if (g_hash_table_contains(seen, key))
					continue;
				g_hash_table_add(seen, g_steal_pointer(&key));
				struct visit nv = { g_strdup(o), cur.vlan, op, (int)qi, HOP_CABLE, c };
				g_array_append_val(q, nv);
			}
		}
		for (guint i = 0; i < t->tunnels->len && found < 0; i++) {
			struct ttun *u = g_ptr_array_index(t->tunnels, i);
			if (strcmp(u->sw, cur.sw) || !u->cfg)
				continue;
			if (tunnel_id(u->cfg, cur.vlan) == -1)
				continue;
			for (guint k = 0; k < t->tunnels->len; k++) {
				struct ttun *o = g_ptr_array_index(t->tunnels, k);
				if (o == u || o->cfg != u->cfg)
					continue;
				int ovlan = cur.vlan; /* the same map on every VTEP of a segment */
				g_autofree char *key = g_strdup_printf("%s/%d", o->sw, ovlan);
				if (g_hash_table_contains(seen, key))
					continue;
				g_hash_table_add(seen, g_steal_pointer(&key));
				struct visit nv = { g_strdup(o->sw), ovlan, o->port, (int)qi, HOP_TUNNEL, u };
				g_array_append_val(q, nv);
			}
		}
	}
	if (found < 0) {
		g_string_printf(why, "no interface with address %s in the broadcast domain of %s:%s", ip, from->node,
				from->ifname);
	} else {
		/* unwind, then emit hops in order */
		GArray *chain = g_array_new(FALSE, FALSE, sizeof(int));
		for (int k = found; k >= 0; k = g_array_index(q, struct visit, k).prev)
			g_array_prepend_val(chain, k);
		const char *mac = link_mac(t, target);
		for (guint c = 0; c < chain->len; c++) {
			struct visit *v = &g_array_index(q, struct visit, g_array_index(chain, int, c));
			struct visit *next = c + 1 < chain->len ? &g_array_index(q, struct visit, g_array_index(chain, int, c + 1)) : NULL;
			int out;
			if (!next) {
				out = target->port;
			} else if (next->via_kind == HOP_CABLE) {
				const struct tcable *cb = next->via;
				out = !strcmp(cb->swa, v->sw) ? cb->pa : cb->pb;
			} else {
				out = ((const struct ttun *)next->via)->port;
			}
			struct hop *h = hop_add(path, HOP_SWITCH, v->sw, NULL);
			h->in = v->in;
			h->out = out;
			h->vlan = v->vlan;
			h->sw_port_in = g_strdup_printf("%s:%d", v->sw, v->in);
			h->sw_port_out = g_strdup_printf("%s:%d", v->sw, out);
			int fp = fdb_port(t, v->sw, mac, v->vlan);
			h->note = fp == out ? g_strdup_printf("FDB: %s on port %d", mac, fp)
				: fp < 0 ? g_strdup_printf("flooded: %s not in the FDB", mac)
				: g_strdup_printf("FDB says port %d (stale?)", fp);
			if (next && next->via_kind == HOP_CABLE) {
				const struct tcable *cb = next->via;
				struct hop *ch = hop_add(path, HOP_CABLE, cb->name, NULL);
				GString *n = g_string_new(NULL);
				g_autofree char *peer = port_info(t, v->sw, out, "peer");
				g_autofree char *type = port_info(t, v->sw, out, "type");
				if (type && !strcmp(type, "cable"))
					g_string_append_printf(n, "encrypted UDP cable to %s", peer ? peer : "?");
				else
					g_string_append(n, "cable");
				if (cb->cfg && cb->cfg->trunk->len)
					g_string_append(n, ", 802.1Q trunk");
				bool ab = !strcmp(cb->swa, v->sw);
				const char *imp = cb->cfg ? (ab ? cb->cfg->imp_ab : cb->cfg->imp_ba) : NULL;
				g_string_append_printf(n, ", impairments %s: %s", ab ? "ab" : "ba", imp ? imp : "none");
				ch->note = g_string_free(n, FALSE);
			} else if (next) {
				const struct ttun *u = next->via;
				const struct ttun *o = NULL;
				for (guint k = 0; k < t->tunnels->len; k++) {
					const struct ttun *x = g_ptr_array_index(t->tunnels, k);
					if (!strcmp(x->sw, next->sw) && x->cfg == u->cfg)
						o = x;
				}
				g_autofree char *la = lab_node_address(lab_find_node(t->m, u->node));
				g_autofree char *ra = o ? lab_node_address(lab_find_node(t->m, o->node)) : g_strdup("?");
				const struct lab_node *ln = lab_find_node(t->m, u->node), *rn = o ? lab_find_node(t->m, o->node) : NULL;
				struct hop *th = hop_add(path, HOP_TUNNEL, u->node, o ? o->node : "?");
				/* the underlay path between the VTEPs, traced the same way */
				GPtrArray *under = g_ptr_array_new_with_free_func(hop_free);
				GString *ue = g_string_new(NULL);
				g_autofree char *got = ra && strcmp(ra, "?") ? trace_path(t, u->node, ra, under, ue) : NULL;
				g_autofree char *us = got ? path_summary(under) : g_strdup_printf("not traced: %s", ue->str);
				g_string_free(ue, TRUE);
				g_ptr_array_free(under, TRUE);
				const struct lab_tunnel *tu = u->cfg;
				gint64 id = tunnel_id(tu, v->vlan);
				g_autofree char *seg = id >= 0 ? g_strdup_printf("%s %s %" G_GINT64_FORMAT, tu->tt->title,
										 tu->tt->id_key, id)
							       : g_strdup_printf("%s without a %s", tu->tt->title, tu->tt->id_key);
				for (char *c = seg + strlen(tu->tt->title) + 1; id >= 0 && *c && *c != ' '; c++)
					*c = g_ascii_toupper(*c); /* "Geneve VNI 42" */
				g_autofree char *outer = tu->tt->udp_port
					? g_strdup_printf("UDP %s:%d -> %s:%d", la, tu->udp_port, ra, tu->udp_port)
					: g_strdup_printf("IP protocol 47 %s -> %s", la, ra);
				th->note = g_strdup_printf("%s (VLAN %d), %s (%s%s%s -> %s%s%s), "
							   "%s itself not encrypted; underlay: %s",
							   seg, v->vlan, outer, u->node, ln && ln->site ? " site " : "",
							   ln && ln->site ? ln->site : "", o ? o->node : "?",
							   rn && rn->site ? " site " : "", rn && rn->site ? rn->site : "",
							   tu->tt->title, us);
			}
		}
		g_array_free(chain, TRUE);
	}
	for (guint i = 0; i < q->len; i++)
		g_free(g_array_index(q, struct visit, i).sw);
	g_array_free(q, TRUE);
	g_hash_table_destroy(seen);
	return target;
}

/* `ip route get DST` in a node: dev, gateway (NULL if direct), local? */
static bool route_get(const struct topo *t, const char *node, const char *dst, char **dev, char **via, bool *local)
{
	g_autofree char *args = g_strdup_printf("route get %s", dst), *out = NULL;
	if (node_ip(t, node, args, &out) != 0 || !out)
		return false;
	g_auto(GStrv) w = g_strsplit_set(out, " \n", -1);
	*dev = *via = NULL;
	*local = w[0] && !strcmp(w[0], "local");
	for (int i = 0; w[i] && w[i + 1]; i++) {
		if (!strcmp(w[i], "dev") && !*dev)
			*dev = g_strdup(w[i + 1]);
		else if (!strcmp(w[i], "via") && !*via)
			*via = g_strdup(w[i + 1]);
	}
	return *dev != NULL;
}

/* The whole path from node src to address dst; returns the node reached. */
static char *trace_path(struct topo *t, const char *src, const char *dst, GPtrArray *path, GString *err)
{
	char *node = g_strdup(src);
	for (int l3 = 0; l3 < TRACE_MAX_L3; l3++) {
		g_autofree char *dev = NULL, *via = NULL;
		bool local = false;
		if (!route_get(t, node, dst, &dev, &via, &local)) {
			g_string_printf(err, "%s has no route to %s", node, dst);
			g_free(node);
			return NULL;
		}
		if (local)
			return node;
		struct tlink *from = find_link(t, node, dev);
		if (!from) {
			g_string_printf(err, "%s sends to %s through %s, which is not a lab link", node, dst, dev);
			g_free(node);
			return NULL;
		}
		const char *hopip = via ? via : dst;
		struct hop *h = hop_add(path, HOP_IF, node, dev);
		h->note = via ? g_strdup_printf("route to %s via %s", dst, via) : g_strdup_printf("%s is on-link", dst);
		struct tlink *to = l2_walk(t, from, hopip, path, err);
		if (!to) {
			g_free(node);
			return NULL;
		}
		struct hop *e = hop_add(path, HOP_IF, to->node, to->ifname);
		e->note = g_strdup_printf("%s (%s)", hopip, link_mac(t, to));
		g_free(node);
		node = g_strdup(to->node);
		if (!via) {
			g_autofree char *d2 = NULL, *v2 = NULL;
			bool loc = false;
			if (route_get(t, node, dst, &d2, &v2, &loc) && loc)
				return node;
		}
	}
	g_string_printf(err, "more than %d routed hops (a routing loop?)", TRACE_MAX_L3);
	g_free(node);
	return NULL;
}

static const char *kind_name(enum hop_kind k)
{
	return k == HOP_IF ? "interface" : k == HOP_SWITCH ? "switch" : k == HOP_CABLE ? "cable" :
	       k == HOP_TUNNEL ? "tunnel" : "route";
}

static void print_path(const char *title, GPtrArray *path)
{
	printf("%s\n", title);
	for (guint i = 0; i < path->len; i++) {
		struct hop *h = g_ptr_array_index(path, i);
		switch (h->kind) {
		case HOP_IF:
			printf("  %-9s %s:%s  %s\n", "node", h->a, h->b, h->note ? h->note : "");
			break;
		case HOP_SWITCH:
			printf("  %-9s %s port %d -> port %d, VLAN %d  %s\n", "switch", h->a, h->in, h->out, h->vlan, h->note);
			break;
		case HOP_CABLE:
			printf("  %-9s %s  %s\n", "cable", h->a, h->note);
			break;
		case HOP_TUNNEL:
			printf("  %-9s %s -> %s  %s\n", "tunnel", h->a, h->b, h->note);
			break;
		default:
			break;
		}
	}
}

static void json_path(const char *name, GPtrArray *path, bool last)
{
	printf("  \"%s\": [", name);
	for (guint i = 0; i < path->len; i++) {
		struct hop *h = g_ptr_array_index(path, i);
		g_autofree char *a = g_strescape(h->a, NULL), *b = g_strescape(h->b, NULL);
		g_autofree char *n = g_strescape(h->note ? h->note : "", NULL);
		printf("%s\n    {\"kind\": \"%s\", \"name\": \"%s\", \"to\": \"%s\"", i ? "," : "", kind_name(h->kind), a, b);
		if (h->kind == HOP_SWITCH)
			printf(", \"in_port\": %d, \"out_port\": %d, \"vlan\": %d", h->in, h->out, h->vlan);
		printf(", \"detail\": \"%s\"}", n);
	}
	printf("\n  ]%s\n", last ? "" : ",");
}

/* same switches and ports, reversed? */
static bool is_reverse(GPtrArray *f, GPtrArray *r)
{
	GPtrArray *a = g_ptr_array_new(), *b = g_ptr_array_new();
	for (guint i = 0; i < f->len; i++)
		if (((struct hop *)g_ptr_array_index(f, i))->kind == HOP_SWITCH)
			g_ptr_array_add(a, g_ptr_array_index(f, i));
	for (guint i = 0; i < r->len; i++)
		if (((struct hop *)g_ptr_array_index(r, i))->kind == HOP_SWITCH)
			g_ptr_array_add(b, g_ptr_array_index(r, i));
	bool same = a->len == b->len;
	for (guint i = 0; same && i < a->len; i++) {
		struct hop *x = g_ptr_array_index(a, i), *y = g_ptr_array_index(b, a->len - 1 - i);
		same = !strcmp(x->a, y->a) && x->in == y->out && x->out == y->in;
	}
	g_ptr_array_free(a, TRUE);
	g_ptr_array_free(b, TRUE);
	return same;
}

/* ---- probe ---- */

struct sighting { char *point; double req_us, rep_us; };

static void probe(struct topo *t, const char *src, const char *dst, GPtrArray *fwd, GPtrArray *rev, bool json)
{
	uint8_t mk[8];
	if (getrandom(mk, sizeof(mk), 0) != sizeof(mk))
		memset(mk, 0x5a, sizeof(mk));
	char pattern[17];
	for (int i = 0; i < 8; i++)
		snprintf(pattern + 2 * i, 3, "%02x", mk[i]);
	/* capture points: every switch port of both paths, in path order */
	GPtrArray *points = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *paths[2] = { fwd, rev };
	for (int p = 0; p < 2; p++)
		for (guint i = 0; paths[p] && i < paths[p]->len; i++) {
			struct hop *h = g_ptr_array_index(paths[p], i);
			if (h->kind != HOP_SWITCH)
				continue;
			const char *pp[2] = { h->sw_port_in, h->sw_port_out };
			for (int k = 0; k < 2; k++) {
				bool dup = false;
				for (guint j = 0; j < points->len; j++)
					dup |= !strcmp(g_ptr_array_index(points, j), pp[k]);
				if (!dup)
					g_ptr_array_add(points, g_strdup(pp[k]));
			}
		}
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < points->len; i++) {
		const char *pt = g_ptr_array_index(points, i);
		const char *c = strrchr(pt, ':');
		g_autofree char *sw = g_strndup(pt, (gsize)(c - pt)), *sock = sw_sock(t, sw);
		char *f = g_strdup_printf("%s/probe-%d-%u.pcap", t->dir, (int)getpid(), i);
		g_autofree char *cmd = g_strdup_printf("capture/start %s %s count=2000", c + 1, f);
		mgmt(sock, cmd, NULL);
		g_ptr_array_add(files, f);
	}
	g_autofree char *out = NULL;
	char *argv[] = { "ping", "-c", "1", "-W", "2", "-s", "56", "-p", pattern, (char *)dst, NULL };
	int prc = node_run(t->dir, src, argv, &out);
	g_usleep(200000);
	GArray *seen = g_array_new(FALSE, TRUE, sizeof(struct sighting));
	double t0 = 0;
	for (guint i = 0; i < points->len; i++) {
		const char *pt = g_ptr_array_index(points, i);
		const char *c = strrchr(pt, ':');
		g_autofree char *sw = g_strndup(pt, (gsize)(c - pt)), *sock = sw_sock(t, sw);
		g_autofree char *cmd = g_strdup_printf("capture/stop %s", c + 1);
		mgmt(sock, cmd, NULL);
		struct sighting s = { g_strdup(pt), -1, -1 };
		char ebuf[PCAP_ERRBUF_SIZE];
		pcap_t *p = pcap_open_offline_with_tstamp_precision(g_ptr_array_index(files, i), PCAP_TSTAMP_PRECISION_NANO, ebuf);
		struct pcap_pkthdr *hdr;
		const u_char *data;
		while (p && pcap_next_ex(p, &hdr, &data) == 1) {
			const u_char *m = memmem(data, hdr->caplen, mk, sizeof(mk));
			/* iputils ping: ICMP header (8), timeval (16), then the pattern */
			if (!m || m - data < 24)
				continue;
			int type = m[-24];
			double us = (double)hdr->ts.tv_sec * 1e6 + (double)hdr->ts.tv_usec / 1e3;
			if (type == 8 && s.req_us < 0)
				s.req_us = us;
			else if (type == 0 && s.rep_us < 0)
				s.rep_us = us;
		}
		if (p)
			pcap_close(p);
		unlink(g_ptr_array_index(files, i));
		if (s.req_us >= 0 && (t0 == 0 || s.req_us < t0))
			t0 = s.req_us;
		g_array_append_val(seen, s);
	}
	if (json) {
		printf("  \"probe\": {\"answered\": %s, \"points\": [", prc == 0 ? "true" : "false");
		for (guint i = 0; i < seen->len; i++) {
			struct sighting *s = &g_array_index(seen, struct sighting, i);
			printf("%s\n    {\"port\": \"%s\", \"request_us\": ", i ? "," : "", s->point);
			if (s->req_us >= 0) printf("%.1f", s->req_us - t0); else printf("null");
			printf(", \"reply_us\": ");
			if (s->rep_us >= 0) printf("%.1f", s->rep_us - t0); else printf("null");
			printf("}");
		}
		printf("\n  ]},\n");
	} else {
		printf("probe: one ICMP echo marked %s, %s\n", pattern, prc == 0 ? "answered" : "NOT answered");
		printf("  %-22s %14s %14s\n", "seen at (switch:port)", "request", "reply");
		for (guint i = 0; i < seen->len; i++) {
			struct sighting *s = &g_array_index(seen, struct sighting, i);
			char a[32] = "-", b[32] = "-";
			if (s->req_us >= 0)
				snprintf(a, sizeof(a), "+%.0f us", s->req_us - t0);
			if (s->rep_us >= 0)
				snprintf(b, sizeof(b), "+%.0f us", s->rep_us - t0);
			printf("  %-22s %14s %14s\n", s->point, a, b);
		}
	}
	for (guint i = 0; i < seen->len; i++)
		g_free(g_array_index(seen, struct sighting, i).point);
	g_array_free(seen, TRUE);
	g_ptr_array_free(files, TRUE);
	g_ptr_array_free(points, TRUE);
}

int trace_passes(const char *labname, const char *src, const char *dst, const char *via, char **detail)
{
	g_autofree char *dir = lab_dir(labname);
	struct topo t = { .lab = labname, .dir = dir };
	GString *err = g_string_new(NULL);
	GPtrArray *fwd = g_ptr_array_new_with_free_func(hop_free);
	int rc = -1;
	if (topo_load(&t, err)) {
		const struct lab_node *dn = lab_find_node(t.m, dst);
		const struct lab_cable *vc = lab_find_cable(t.m, via);
		g_autofree char *addr = dn ? lab_node_address(dn) : g_strdup(dst);
		g_autofree char *reached = addr ? trace_path(&t, src, addr, fwd, err) : NULL;
		if (reached) {
			rc = 0;
			for (guint i = 0; i < fwd->len && !rc; i++) {
				const struct hop *h = g_ptr_array_index(fwd, i);
				rc = h->kind == HOP_CABLE ? vc && !strcmp(h->a, vc->name)
				   : (h->kind == HOP_IF || h->kind == HOP_SWITCH || h->kind == HOP_TUNNEL) && !strcmp(h->a, via);
			}
			g_autofree char *sum = path_summary(fwd);
			*detail = g_strdup_printf("%s %s: %s", rc ? "passes" : "does not pass", via, sum);
		} else if (!addr) {
			*detail = g_strdup_printf("%s has no address", dst);
		}
	}
	if (rc < 0 && !*detail)
		*detail = g_strdup_printf("no path: %s", err->str);
	g_string_free(err, TRUE);
	g_ptr_array_free(fwd, TRUE);
	topo_free(&t);
	return rc;
}

int run_trace(int argc, char **argv)
{
	gboolean json = FALSE, do_probe = FALSE;
	GOptionEntry entries[] = {
		{ "json", 'j', 0, G_OPTION_ARG_NONE, &json, "machine-readable output", NULL },
		{ "probe", 'p', 0, G_OPTION_ARG_NONE, &do_probe, "also send one marked ICMP echo and report where it was seen, and when", NULL },
		{ NULL }
	};
	if (!begin(&argc, &argv, "trace", "LAB SRC DST - the path from node SRC to node or address DST",
		   "Hop by hop: the source interface, each switch with its ports, VLAN and whether\n"
		   "its FDB knows the destination or floods, each cable (encrypted or not, its\n"
		   "impairments), each tunnel (encapsulation, VNI/key/VSID, underlay addresses and ports), each\n"
		   "router, to the destination interface; then the return path. Computed from the\n"
		   "nodes' routes, the lab's configuration and the switches' live FDBs, without\n"
		   "sending anything; --probe also sends one marked ping and shows where it was\n"
		   "seen. Run it in a lab brought up on this host (with --site: its part only).\n"
		   "  labctl trace overlay red1 red2\n"
		   "  labctl trace vlans red1 192.168.50.3 --probe --json",
		   entries, 3, "lab, source and destination"))
		return 2;
	g_autofree char *name = lab_name_of(argv[1]);
	if (!name)
		return 1;
	g_autofree char *dir = lab_dir(name);
	struct topo t = { .lab = name, .dir = dir };
	GString *err = g_string_new(NULL);
	int rc = 1;
	GPtrArray *fwd = g_ptr_array_new_with_free_func(hop_free), *rev = g_ptr_array_new_with_free_func(hop_free);
	g_autofree char *dst_addr = NULL, *reached = NULL, *src_addr = NULL, *back = NULL;
	if (!topo_load(&t, err))
		goto out;
	if (!lab_find_node(t.m, argv[2])) {
		g_string_printf(err, "no node \"%s\" in lab %s", argv[2], name);
		goto out;
	}
	const struct lab_node *dn = lab_find_node(t.m, argv[3]);
	dst_addr = dn ? lab_node_address(dn) : g_strdup(argv[3]);
	if (!dst_addr) {
		g_string_printf(err, "node %s has no address", argv[3]);
		goto out;
	}
	reached = trace_path(&t, argv[2], dst_addr, fwd, err);
	if (!reached)
		goto out;
	/* the return path: from the node that answered, to the source's address on the way out */
	struct hop *first = fwd->len ? g_ptr_array_index(fwd, 0) : NULL;
	struct tlink *sl = first ? find_link(&t, first->a, first->b) : NULL;
	if (sl && (src_addr = link_first_addr(&t, sl))) {
		GString *e2 = g_string_new(NULL);
		back = trace_path(&t, reached, src_addr, rev, e2);
		if (!back)
			fprintf(stderr, "labctl trace: return path: %s\n", e2->str);
		g_string_free(e2, TRUE);
	}
	bool same = back && is_reverse(fwd, rev);
	if (json) {
		g_autofree char *s = g_strescape(argv[2], NULL), *d = g_strescape(argv[3], NULL);
		printf("{\n  \"lab\": \"%s\", \"source\": \"%s\", \"destination\": \"%s\", \"address\": \"%s\", \"reached\": \"%s\",\n",
		       name, s, d, dst_addr, reached);
		printf("  \"return_is_reverse\": %s,\n", same ? "true" : "false");
		if (do_probe)
			probe(&t, argv[2], dst_addr, fwd, back ? rev : NULL, true);
		json_path("forward", fwd, !back);
		if (back)
			json_path("return", rev, true);
		printf("}\n");
	} else {
		g_autofree char *title = g_strdup_printf("trace %s -> %s (%s), lab %s:", argv[2], argv[3], dst_addr, name);
		print_path(title, fwd);
		if (back && same)
			printf("return path: the same ports in reverse (%s -> %s)\n", reached, src_addr);
		else if (back)
			print_path("return path (differs):", rev);
		if (do_probe)
			probe(&t, argv[2], dst_addr, fwd, back ? rev : NULL, false);
	}
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "labctl trace: %s\n", err->str);
	g_string_free(err, TRUE);
	g_ptr_array_free(fwd, TRUE);
	g_ptr_array_free(rev, TRUE);
	topo_free(&t);
	return rc;
}
