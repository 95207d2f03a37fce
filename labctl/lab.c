#include "lab.h"
#include "schema.h"
#include "../vde/core/impair.h"
#include "../vde/core/overlay.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char lab_rng_text[]; /* labs/lab.rng, compiled in */

struct ctx {
	const char *path;
	GPtrArray *errors;
};

static void err_at(struct ctx *c, int line, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void err_at(struct ctx *c, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	char *full = g_strdup_printf("%s:%d: %s", c->path, line > 0 ? line : 1, msg);
	for (guint i = 0; i < c->errors->len; i++) /* the same error once */
		if (!strcmp(g_ptr_array_index(c->errors, i), full)) {
			g_free(full);
			return;
		}
	g_ptr_array_add(c->errors, full);
}

static void on_xml_error(void *data, xmlErrorPtr e)
{
	struct ctx *c = data;
	g_autofree char *msg = g_strdup(e->message ? e->message : "error");
	g_strchomp(msg);
	int line = e->line;
	if (!line && e->node) /* validity errors often carry the node, not the line */
		line = (int)xmlGetLineNo((xmlNodePtr)e->node);
	if (line <= 0)
		line = 1; /* never FILE:0: */
	const char *hint = "";
	if (strstr(msg, "xmlParseEntityRef: no name"))
		hint = " (a bare & in text or an attribute: write &amp;, e.g. &amp;&amp;, or put the command in <![CDATA[ ... ]]>)";
	else if (strstr(msg, "StartTag: invalid element name"))
		hint = " (a bare < in text: write &lt; or use <![CDATA[ ... ]]>)";
	char *full = g_strdup_printf("%s:%d: %s%s", c->path, line, msg, hint);
	for (guint i = 0; i < c->errors->len; i++) /* the same error once */
		if (!strcmp(g_ptr_array_index(c->errors, i), full)) {
			g_free(full);
			return;
		}
	g_ptr_array_add(c->errors, full);
}

/* libxml2's RELAX NG messages that only say that something below failed */
static bool generic_rng_message(const char *m)
{
	return strstr(m, "failed to validate attributes") || strstr(m, "failed to validate content") ||
	       strstr(m, "Invalid attribute") || strstr(m, "in interleave") || strstr(m, "Expecting element") ||
	       strstr(m, "Element lab has extra content");
}

static char *attr(xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	if (!v)
		return NULL;
	char *s = g_strdup((const char *)v);
	xmlFree(v);
	return s;
}

static char *text(xmlNode *n)
{
	xmlChar *v = xmlNodeGetContent(n);
	char *s = g_strdup(v ? (const char *)v : "");
	xmlFree(v);
	return g_strstrip(s);
}

static int attr_int(xmlNode *n, const char *name, int def)
{
	g_autofree char *v = attr(n, name);
	return v ? atoi(v) : def;
}

static bool attr_yes(xmlNode *n, const char *name)
{
	g_autofree char *v = attr(n, name);
	return v && !strcmp(v, "yes");
}

static GArray *vid_list(const char *s)
{
	GArray *a = g_array_new(FALSE, FALSE, sizeof(int));
	if (!s)
		return a;
	g_auto(GStrv) parts = g_strsplit(s, ",", -1);
	for (int i = 0; parts[i]; i++) {
		int v = atoi(parts[i]);
		g_array_append_val(a, v);
	}
	return a;
}

bool lab_parse_duration(const char *s, double *out)
{
	char *e;
	double v = g_ascii_strtod(s, &e);
	if (e == s || v < 0)
		return false;
	if (!*e || !strcmp(e, "s"))
		*out = v;
	else if (!strcmp(e, "ms"))
		*out = v / 1000;
	else if (!strcmp(e, "m") || !strcmp(e, "min"))
		*out = v * 60;
	else
		return false;
	return true;
}

/* ---- addresses ---- */

struct prefix {
	int family;
	uint8_t addr[16];
	int len;
};

static bool parse_addr(const char *s, struct prefix *p)
{
	p->family = strchr(s, ':') ? AF_INET6 : AF_INET;
	return inet_pton(p->family, s, p->addr) == 1;
}

static bool parse_prefix(const char *s, struct prefix *p)
{
	const char *slash = strchr(s, '/');
	if (!slash)
		return false;
	g_autofree char *a = g_strndup(s, (gsize)(slash - s));
	char *e;
	long len = strtol(slash + 1, &e, 10);
	if (*e || !parse_addr(a, p))
		return false;
	if (len < 0 || len > (p->family == AF_INET ? 32 : 128))
		return false;
	p->len = (int)len;
	return true;
}

static bool same_subnet(const struct prefix *net, const struct prefix *a)
{
	if (net->family != a->family)
		return false;
	int bits = net->len;
	for (int i = 0; bits > 0; i++, bits -= 8) {
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
		if ((net->addr[i] & mask) != (a->addr[i] & mask))
			return false;
	}
	return true;
}

/* ---- building the model ---- */

static void free_if(gpointer p)
{
	struct lab_if *i = p;
	g_free(i->name), g_free(i->sw), g_free(i->gw), g_free(i->mac);
	g_free(i->imp_in), g_free(i->imp_out);
	g_array_free(i->trunk, TRUE);
	g_ptr_array_free(i->ips, TRUE);
	g_free(i);
}
static void free_route(gpointer p) { struct lab_route *r = p; g_free(r->to), g_free(r->via), g_free(r); }
static void free_file(gpointer p) { struct lab_file *f = p; g_free(f->path), g_free(f->content), g_free(f); }
static void free_node(gpointer p)
{
	struct lab_node *n = p;
	g_free(n->name), g_free(n->kind), g_free(n->site), g_free(n->kernel), g_free(n->initrd), g_free(n->image);
	g_ptr_array_free(n->ifs, TRUE), g_ptr_array_free(n->routes, TRUE), g_ptr_array_free(n->files, TRUE);
	g_free(n);
}
static void free_switch(gpointer p) { struct lab_switch *s = p; g_free(s->name), g_free(s->site), g_array_free(s->vlans, TRUE), g_free(s); }
static void free_site(gpointer p) { struct lab_site *s = p; g_free(s->name), g_free(s->address), g_free(s->libvirt), g_free(s); }
static void free_vtep(gpointer p) { struct lab_vtep *v = p; g_free(v->sw), g_free(v->node), g_free(v); }
static const struct lab_tunnel_type tunnel_types[] = {
	{ "vxlan", "vni", 0xffffff, false, 4789, "VXLAN" },
	{ "geneve", "vni", 0xffffff, false, 6081, "Geneve" },
	{ "gretap", "key", 0xffffffffLL, true, 0, "GRE-TAP" },
	{ "nvgre", "vsid", 0xffffff, false, 0, "NVGRE" },
};

const struct lab_tunnel_type *lab_tunnel_type(const char *type)
{
	for (unsigned i = 0; type && i < G_N_ELEMENTS(tunnel_types); i++)
		if (!strcmp(tunnel_types[i].type, type))
			return &tunnel_types[i];
	return NULL;
}

const char *lab_tunnel_types(void)
{
	return "vxlan, geneve, gretap, nvgre";
}

static void free_tunnel(gpointer p)
{
	struct lab_tunnel *x = p;
	g_free(x->type), g_free(x->map), g_ptr_array_free(x->vteps, TRUE), g_free(x);
}
static void free_cable(gpointer p)
{
	struct lab_cable *c = p;
	g_free(c->name), g_free(c->a), g_free(c->b), g_free(c->imp_ab), g_free(c->imp_ba), g_array_free(c->trunk, TRUE), g_free(c);
}
static void free_forward(gpointer p) { struct lab_forward *f = p; g_free(f->proto), g_free(f->to), g_free(f); }
static void free_nat(gpointer p)
{
	struct lab_nat *n = p;
	g_free(n->name), g_free(n->sw), g_free(n->net), g_ptr_array_free(n->forwards, TRUE), g_free(n);
}
static void free_exec(gpointer p) { struct lab_exec *e = p; g_free(e->node), g_free(e->cmd), g_free(e); }
static void free_check(gpointer p)
{
	struct lab_check *c = p;
	g_free(c->node), g_free(c->name), g_free(c->ping), g_free(c->run), g_free(c->expect);
	g_free(c->tcp), g_free(c->http), g_free(c->dns), g_free(c->rtt);
	g_free(c->path_src), g_free(c->path_dst), g_free(c->via), g_free(c->seen), g_free(c->filter);
	g_free(c->sw), g_free(c->show), g_free(c);
}

void lab_free(struct lab *lab)
{
	if (!lab)
		return;
	g_free(lab->path), g_free(lab->name), g_free(lab->description), g_free(lab->key);
	g_ptr_array_free(lab->sites, TRUE), g_ptr_array_free(lab->tunnels, TRUE), g_ptr_array_free(lab->nats, TRUE);
	g_ptr_array_free(lab->switches, TRUE), g_ptr_array_free(lab->nodes, TRUE);
	g_ptr_array_free(lab->cables, TRUE), g_ptr_array_free(lab->execs, TRUE);
	g_ptr_array_free(lab->checks, TRUE);
	if (lab->warnings)
		g_ptr_array_free(lab->warnings, TRUE);
	g_free(lab);
}

static struct lab_node *build_node(xmlNode *x)
{
	struct lab_node *n = g_new0(struct lab_node, 1);
	n->name = attr(x, "name");
	n->kind = attr(x, "kind");
	if (!n->kind)
		n->kind = g_strdup("netns");
	n->forward = attr_yes(x, "forward");
	n->site = attr(x, "site");
	n->memory_mib = attr_int(x, "memory", 96);
	g_autofree char *iso = attr(x, "isolation");
	n->sandbox = !strcmp(n->kind, "netns") && (!iso || strcmp(iso, "none"));
	n->pids = attr_int(x, "pids", LAB_PIDS_DEFAULT);
	n->mem_limit_mib = attr_int(x, "memory", LAB_MEM_DEFAULT);
	const char *doc = x->doc && x->doc->URL ? (const char *)x->doc->URL : "lab.xml";
	g_autofree char *k = attr(x, "kernel"), *i = attr(x, "initrd"), *img = attr(x, "image");
	n->image = img ? lab_resolve_path(doc, img) : NULL;
	n->kernel = k ? lab_resolve_path(doc, k) : NULL;
	n->initrd = i ? lab_resolve_path(doc, i) : NULL;
	n->line = xmlGetLineNo(x);
	n->ifs = g_ptr_array_new_with_free_func(free_if);
	n->routes = g_ptr_array_new_with_free_func(free_route);
	n->files = g_ptr_array_new_with_free_func(free_file);
	for (xmlNode *c = x->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		const char *tag = (const char *)c->name;
		if (!strcmp(tag, "if")) {
			struct lab_if *i = g_new0(struct lab_if, 1);
			i->node = n;
			i->name = attr(c, "name");
			if (!i->name)
				i->name = g_strdup_printf("eth%u", n->ifs->len);
			i->sw = attr(c, "switch");
			i->port = attr_int(c, "port", 0);
			i->vlan = attr_int(c, "vlan", 0);
			g_autofree char *trunk = attr(c, "trunk");
			i->trunk = vid_list(trunk);
			i->ips = g_ptr_array_new_with_free_func(g_free);
			g_autofree char *ip = attr(c, "ip");
			if (ip) {
				g_auto(GStrv) parts = g_strsplit_set(ip, " ,", -1);
				for (int k = 0; parts[k]; k++)
					if (*parts[k])
						g_ptr_array_add(i->ips, g_strdup(parts[k]));
			}
			i->gw = attr(c, "gw");
			i->mac = attr(c, "mac");
			i->mtu = attr_int(c, "mtu", 0);
			i->line = xmlGetLineNo(c);
			for (xmlNode *im = c->children; im; im = im->next)
				if (im->type == XML_ELEMENT_NODE && !strcmp((const char *)im->name, "impair")) {
					i->imp_in = attr(im, "in");
					i->imp_out = attr(im, "out");
				}
			g_ptr_array_add(n->ifs, i);
		} else if (!strcmp(tag, "route")) {
			struct lab_route *r = g_new0(struct lab_route, 1);
			r->to = attr(c, "to");
			r->via = attr(c, "via");
			r->line = xmlGetLineNo(c);
			g_ptr_array_add(n->routes, r);
		} else if (!strcmp(tag, "file")) {
			struct lab_file *f = g_new0(struct lab_file, 1);
			f->path = attr(c, "path");
			xmlChar *v = xmlNodeGetContent(c);
			f->content = g_strdup(v ? (const char *)v : "");
			xmlFree(v);
			f->line = xmlGetLineNo(c);
			g_ptr_array_add(n->files, f);
		}
	}
	return n;
}

static struct lab *build(xmlNode *root, const char *path)
{
	struct lab *lab = g_new0(struct lab, 1);
	lab->path = g_strdup(path);
	lab->name = attr(root, "name");
	lab->description = attr(root, "description");
	g_autofree char *key = attr(root, "key");
	lab->line = xmlGetLineNo(root);
	if (key) /* relative to the lab file */
		lab->key = lab_resolve_path(path, key);
	lab->sites = g_ptr_array_new_with_free_func(free_site);
	lab->tunnels = g_ptr_array_new_with_free_func(free_tunnel);
	lab->nats = g_ptr_array_new_with_free_func(free_nat);
	lab->switches = g_ptr_array_new_with_free_func(free_switch);
	lab->nodes = g_ptr_array_new_with_free_func(free_node);
	lab->cables = g_ptr_array_new_with_free_func(free_cable);
	lab->execs = g_ptr_array_new_with_free_func(free_exec);
	lab->checks = g_ptr_array_new_with_free_func(free_check);
	lab->warnings = g_ptr_array_new_with_free_func(g_free);
	for (xmlNode *x = root->children; x; x = x->next) {
		if (x->type != XML_ELEMENT_NODE)
			continue;
		const char *tag = (const char *)x->name;
		int line = xmlGetLineNo(x);
		if (!strcmp(tag, "switch")) {
			struct lab_switch *s = g_new0(struct lab_switch, 1);
			s->name = attr(x, "name");
			s->ports = attr_int(x, "ports", 32);
			s->hub = attr_yes(x, "hub");
			g_autofree char *stp = attr(x, "stp");
			s->stp = !stp || !strcmp(stp, "off") ? 0 : !strcmp(stp, "stp") ? 1 : 2;
			s->priority = attr_int(x, "priority", -1);
			s->site = attr(x, "site");
			g_autofree char *v = attr(x, "vlans");
			s->vlans = vid_list(v);
			s->line = line;
			g_ptr_array_add(lab->switches, s);
		} else if (!strcmp(tag, "node")) {
			g_ptr_array_add(lab->nodes, build_node(x));
		} else if (!strcmp(tag, "cable")) {
			struct lab_cable *c = g_new0(struct lab_cable, 1);
			c->a = attr(x, "a");
			c->b = attr(x, "b");
			c->name = attr(x, "name");
			if (!c->name) { /* A-B, then A-B.2, A-B.3 for more cables between the same two */
				unsigned same = 1;
				for (guint k = 0; k < lab->cables->len; k++) {
					const struct lab_cable *o = g_ptr_array_index(lab->cables, k);
					same += (!strcmp(o->a, c->a) && !strcmp(o->b, c->b)) || (!strcmp(o->a, c->b) && !strcmp(o->b, c->a));
				}
				c->name = same == 1 ? g_strdup_printf("%s-%s", c->a, c->b) : g_strdup_printf("%s-%s.%u", c->a, c->b, same);
			}
			g_autofree char *t = attr(x, "vlan-trunk");
			c->trunk = vid_list(t);
			c->udp_port = attr_int(x, "port", 0);
			c->cost = attr_int(x, "cost", 0);
			c->line = line;
			for (xmlNode *im = x->children; im; im = im->next)
				if (im->type == XML_ELEMENT_NODE) {
					g_autofree char *both = attr(im, "both");
					c->imp_ab = attr(im, "ab");
					c->imp_ba = attr(im, "ba");
					if (both && !c->imp_ab)
						c->imp_ab = g_strdup(both);
					if (both && !c->imp_ba)
						c->imp_ba = g_strdup(both);
				}
			g_ptr_array_add(lab->cables, c);
		} else if (!strcmp(tag, "site")) {
			struct lab_site *st = g_new0(struct lab_site, 1);
			st->name = attr(x, "name");
			st->address = attr(x, "address");
			st->libvirt = attr(x, "libvirt");
			st->line = line;
			g_ptr_array_add(lab->sites, st);
		} else if (!strcmp(tag, "vxlan") || !strcmp(tag, "tunnel")) {
			/* <vxlan> is <tunnel type="vxlan"> */
			struct lab_tunnel *tu = g_new0(struct lab_tunnel, 1);
			tu->type = tag[0] == 'v' ? g_strdup("vxlan") : attr(x, "type");
			tu->tt = lab_tunnel_type(tu->type);
			tu->id = -1;
			if (tu->tt) {
				g_autofree char *id = attr(x, tu->tt->id_key);
				tu->id = id ? g_ascii_strtoll(id, NULL, 10) : -1;
				tu->udp_port = attr_int(x, "port", tu->tt->udp_port);
			}
			tu->map = attr(x, "map");
			tu->line = line;
			tu->vteps = g_ptr_array_new_with_free_func(free_vtep);
			for (xmlNode *v = x->children; v; v = v->next)
				if (v->type == XML_ELEMENT_NODE) {
					struct lab_vtep *vt = g_new0(struct lab_vtep, 1);
					vt->sw = attr(v, "switch");
					vt->node = attr(v, "node");
					vt->line = xmlGetLineNo(v);
					g_ptr_array_add(tu->vteps, vt);
				}
			g_ptr_array_add(lab->tunnels, tu);
			/* an id attribute of another type: "gretap takes key=, not vni=" */
			static const char *const ids[] = { "vni", "key", "vsid" };
			for (unsigned k = 0; tu->tt && k < G_N_ELEMENTS(ids); k++)
				if (strcmp(ids[k], tu->tt->id_key) && xmlHasProp(x, BAD_CAST ids[k]))
					tu->id = -2;
		} else if (!strcmp(tag, "nat")) {
			struct lab_nat *nt = g_new0(struct lab_nat, 1);
			nt->name = attr(x, "name");
			nt->sw = attr(x, "switch");
			nt->vlan = attr_int(x, "vlan", 0);
			nt->net = attr(x, "net");
			if (!nt->net)
				nt->net = g_strdup("10.0.2.0/24");
			nt->dns = attr_yes(x, "dns");
			nt->restrict_ = attr_yes(x, "restrict");
			nt->line = line;
			nt->forwards = g_ptr_array_new_with_free_func(free_forward);
			for (xmlNode *v = x->children; v; v = v->next)
				if (v->type == XML_ELEMENT_NODE) {
					struct lab_forward *f = g_new0(struct lab_forward, 1);
					f->proto = attr(v, "proto");
					if (!f->proto)
						f->proto = g_strdup("tcp");
					f->host_port = attr_int(v, "host-port", 0);
					f->to = attr(v, "to");
					f->line = xmlGetLineNo(v);
					g_ptr_array_add(nt->forwards, f);
				}
			g_ptr_array_add(lab->nats, nt);
		} else if (!strcmp(tag, "exec")) {
			struct lab_exec *e = g_new0(struct lab_exec, 1);
			e->node = attr(x, "node");
			e->cmd = text(x);
			e->line = line;
			g_ptr_array_add(lab->execs, e);
		} else if (!strcmp(tag, "check")) {
			struct lab_check *c = g_new0(struct lab_check, 1);
			c->node = attr(x, "node");
			c->name = attr(x, "name");
			c->ping = attr(x, "ping");
			c->run = attr(x, "run");
			c->tcp = attr(x, "tcp");
			c->http = attr(x, "http");
			c->dns = attr(x, "dns");
			c->rtt = attr(x, "rtt");
			g_autofree char *path = attr(x, "path");
			if (path) { /* "SRC DST"; anything else is reported below */
				g_auto(GStrv) w = g_strsplit_set(g_strstrip(path), " \t", -1);
				guint n = 0;
				for (guint k = 0; w[k]; k++)
					if (*w[k] && n++ < 2)
						*(n == 1 ? &c->path_src : &c->path_dst) = g_strdup(w[k]);
				if (n != 2)
					g_clear_pointer(&c->path_dst, g_free);
				if (!c->path_src)
					c->path_src = g_strdup("");
			}
			c->via = attr(x, "via");
			c->seen = attr(x, "seen");
			c->filter = attr(x, "filter");
			c->points = attr_int(x, "points", 1);
			g_autofree char *mn = attr(x, "min"), *mx = attr(x, "max");
			double sec;
			c->rtt_min_ms = !mn ? 0 : lab_parse_duration(mn, &sec) ? sec * 1000 : -1;
			c->rtt_max_ms = !mx ? 0 : lab_parse_duration(mx, &sec) ? sec * 1000 : -1;
			c->sw = attr(x, "switch");
			c->show = attr(x, "show");
			c->lines = attr_int(x, "lines", -1);
			c->expect = attr(x, "expect");
			c->exit_code = attr_int(x, "exit", 0);
			c->timeout_s = 5;
			c->line = line;
			g_autofree char *t = attr(x, "timeout");
			if (t && !lab_parse_duration(t, &c->timeout_s))
				c->timeout_s = -1; /* reported by the checks below */
			g_ptr_array_add(lab->checks, c);
		}
	}
	/* with sites, whatever names none belongs to the first one */
	if (lab->sites->len) {
		const char *first = ((struct lab_site *)g_ptr_array_index(lab->sites, 0))->name;
		for (guint i = 0; i < lab->switches->len; i++) {
			struct lab_switch *sw = g_ptr_array_index(lab->switches, i);
			if (!sw->site)
				sw->site = g_strdup(first);
		}
		for (guint i = 0; i < lab->nodes->len; i++) {
			struct lab_node *n = g_ptr_array_index(lab->nodes, i);
			if (!n->site)
				n->site = g_strdup(first);
		}
	}
	return lab;
}

struct lab_site *lab_find_site(const struct lab *lab, const char *name)
{
	for (guint i = 0; i < lab->sites->len; i++) {
		struct lab_site *st = g_ptr_array_index(lab->sites, i);
		if (!strcmp(st->name, name))
			return st;
	}
	return NULL;
}

bool lab_show_ok(const char *cmd)
{
	static const char *const ro[] = { "stp/print", "fstp/print", "fstp/showinfo", "port/print", "port/allprint",
					  "port/showinfo", "port/info", "vlan/print", "vlan/allprint", "hash/print",
					  "hash/showinfo", "hash/find", "stats/ports", "stats/switch", "impair/show",
					  "flow/showinfo", "showinfo" };
	size_t n = strcspn(cmd, " ");
	bool known = false;
	for (size_t k = 0; k < G_N_ELEMENTS(ro); k++)
		known |= strlen(ro[k]) == n && !strncmp(cmd, ro[k], n);
	if (!known)
		return false;
	/* arguments: numbers, and a MAC for hash/find; no other character
	 * (a newline would start another command) */
	for (const char *p = cmd + n; *p; p++)
		if (!g_ascii_isxdigit(*p) && *p != ' ' && *p != ':')
			return false;
	return true;
}

struct lab_switch *lab_find_switch(const struct lab *lab, const char *name)
{
	for (guint i = 0; i < lab->switches->len; i++) {
		struct lab_switch *s = g_ptr_array_index(lab->switches, i);
		if (!strcmp(s->name, name))
			return s;
	}
	return NULL;
}

struct lab_node *lab_find_node(const struct lab *lab, const char *name)
{
	for (guint i = 0; i < lab->nodes->len; i++) {
		struct lab_node *n = g_ptr_array_index(lab->nodes, i);
		if (!strcmp(n->name, name))
			return n;
	}
	return NULL;
}

char *lab_node_address(const struct lab_node *n)
{
	for (guint i = 0; i < n->ifs->len; i++) {
		struct lab_if *f = g_ptr_array_index(n->ifs, i);
		if (f->ips->len) {
			const char *ip = g_ptr_array_index(f->ips, 0);
			return g_strndup(ip, strcspn(ip, "/"));
		}
	}
	return NULL;
}

static bool vid_declared(const struct lab_switch *s, int vid)
{
	if (vid == 0)
		return true;
	for (guint i = 0; i < s->vlans->len; i++)
		if (g_array_index(s->vlans, int, i) == vid)
			return true;
	return false;
}

/* Does `target` name a capture point of the lab: NODE:IF, NODE (with an
 * interface), SWITCH:PORT or a cable? As labctl capture resolves it. */
static bool link_target_ok(const struct lab *lab, const char *target)
{
	if (lab_find_cable(lab, target))
		return true;
	const char *colon = strrchr(target, ':');
	g_autofree char *name = colon ? g_strndup(target, (gsize)(colon - target)) : g_strdup(target);
	const struct lab_node *n = lab_find_node(lab, name);
	if (n) {
		for (guint i = 0; i < n->ifs->len; i++) {
			const struct lab_if *f = g_ptr_array_index(n->ifs, i);
			if (!colon || !strcmp(f->name, colon + 1))
				return true;
		}
		return false;
	}
	const struct lab_switch *sw = lab_find_switch(lab, name);
	char *e = NULL;
	long port = colon ? strtol(colon + 1, &e, 10) : -1;
	return sw && e && e != colon + 1 && !*e && port >= 1 && port < sw->ports;
}

/* path= via= and seen= filter=: their targets exist, the filter compiles
 * (pcap-filter(7), on Ethernet frames as the switch captures them). */
static void check_path_seen(struct ctx *c, const struct lab *lab, const struct lab_check *k)
{
	if (k->path_src) {
		const struct lab_node *d = k->path_dst ? lab_find_node(lab, k->path_dst) : NULL;
		g_autofree char *daddr = d ? lab_node_address(d) : NULL;
		struct prefix p;
		if (!k->path_dst)
			err_at(c, k->line, "path=: expected \"SRC DST\" (a node, then a node or an address)");
		else if (!lab_find_node(lab, k->path_src))
			err_at(c, k->line, "path=: the source \"%s\" is not a node", k->path_src);
		else if (d ? !daddr : !parse_addr(k->path_dst, &p))
			err_at(c, k->line, "path=: the destination \"%s\" is neither a node with an address nor an address",
			       k->path_dst);
		if (!k->via)
			err_at(c, k->line, "path= needs via=\"NODE|SWITCH|CABLE\": the element the path must pass");
		else if (!lab_find_node(lab, k->via) && !lab_find_switch(lab, k->via) && !lab_find_cable(lab, k->via))
			err_at(c, k->line, "via=\"%s\" is neither a node, a switch nor a cable of the lab", k->via);
	} else if (k->via) {
		err_at(c, k->line, "via= belongs to a path= check");
	}
	if (k->seen) {
		if (!link_target_ok(lab, k->seen))
			err_at(c, k->line, "seen=\"%s\": expected NODE:IF, NODE, SWITCH:PORT or a cable of the lab", k->seen);
		if (k->expect && strcmp(k->expect, "none"))
			err_at(c, k->line, "expect for seen= must be \"none\" (no such frame crosses the link)");
		if (k->filter) {
			bool ctl = false;
			for (const char *q = k->filter; *q; q++)
				ctl |= (unsigned char)*q < ' ';
			pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
			struct bpf_program bp;
			if (ctl || strlen(k->filter) > 200)
				err_at(c, k->line, "filter=: at most 200 characters on one line");
			else if (!dead || pcap_compile(dead, &bp, k->filter, 1, PCAP_NETMASK_UNKNOWN) != 0)
				err_at(c, k->line, "filter=\"%s\": %s", k->filter, dead ? pcap_geterr(dead) : "libpcap failed");
			else
				pcap_freecode(&bp);
			if (dead)
				pcap_close(dead);
		}
	} else if (k->filter) {
		err_at(c, k->line, "filter= belongs to a seen= check");
	}
}

static void check_impair(struct ctx *c, int line, const char *what, const char *spec)
{
	struct impair_params p;
	char err[256];
	if (!spec)
		return;
	impair_params_default(&p);
	if (impair_parse(spec, &p, err, sizeof(err)))
		err_at(c, line, "%s: %s", what, err);
}

/* The rules RELAX NG cannot express. */
/* A cycle of cables among switches that run no spanning tree floods every
 * broadcast around it for ever. Union-find over those cables; a cable that
 * joins two switches already connected closes a cycle, named by the
 * shortest path between them over the cables before it. A cycle through a switch with
 * stp= is left to the spanning tree. */
static guint uf_find(guint *up, guint i)
{
	while (up[i] != i)
		i = up[i] = up[up[i]];
	return i;
}

/* Does the cable carry VLAN `vid` (its trunk VIDs, else VLAN 0 untagged)? */
static bool cable_carries(const struct lab_cable *cb, int vid)
{
	if (!cb->trunk->len)
		return vid == 0;
	for (guint t = 0; t < cb->trunk->len; t++)
		if (g_array_index(cb->trunk, int, t) == vid)
			return true;
	return false;
}

/* The loops of VLAN `vid`: only cables carrying it count (two cables
 * trunking disjoint VLANs make no loop). */
static void warn_loops_vlan(struct ctx *c, struct lab *lab, int vid)
{
	guint n = lab->switches->len;
	guint *up = g_new(guint, n);
	for (guint i = 0; i < n; i++)
		up[i] = i;
	GPtrArray *tree = g_ptr_array_new(); /* the cables seen so far, among such switches */
	for (guint i = 0; i < lab->cables->len; i++) {
		struct lab_cable *cb = g_ptr_array_index(lab->cables, i);
		int a = -1, b = -1;
		for (guint k = 0; k < n; k++) {
			struct lab_switch *s = g_ptr_array_index(lab->switches, k);
			if (!strcmp(s->name, cb->a))
				a = (int)k;
			if (!strcmp(s->name, cb->b))
				b = (int)k;
		}
		if (a < 0 || b < 0 || a == b || !cable_carries(cb, vid))
			continue;
		if (((struct lab_switch *)g_ptr_array_index(lab->switches, (guint)a))->stp ||
		    ((struct lab_switch *)g_ptr_array_index(lab->switches, (guint)b))->stp)
			continue;
		guint ra = uf_find(up, (guint)a), rb = uf_find(up, (guint)b);
		if (ra != rb) {
			up[ra] = rb;
			g_ptr_array_add(tree, cb);
			continue;
		}
		/* the shortest path from b back to a over the earlier cables: breadth first */
		int *prev = g_new(int, n), *via = g_new(int, n);
		for (guint k = 0; k < n; k++)
			prev[k] = -2;
		GQueue q = G_QUEUE_INIT;
		prev[b] = -1;
		g_queue_push_tail(&q, GINT_TO_POINTER(b));
		while (!g_queue_is_empty(&q)) {
			int v = GPOINTER_TO_INT(g_queue_pop_head(&q));
			struct lab_switch *sv = g_ptr_array_index(lab->switches, (guint)v);
			for (guint e = 0; e < tree->len; e++) {
				struct lab_cable *t = g_ptr_array_index(tree, e);
				const char *other = !strcmp(t->a, sv->name) ? t->b : !strcmp(t->b, sv->name) ? t->a : NULL;
				if (!other)
					continue;
				for (guint k = 0; k < n; k++)
					if (prev[k] == -2 && !strcmp(((struct lab_switch *)g_ptr_array_index(lab->switches, k))->name, other)) {
						prev[k] = v;
						via[k] = (int)e;
						g_queue_push_tail(&q, GINT_TO_POINTER(k));
					}
			}
		}
		GString *path = g_string_new(cb->a), *cables = g_string_new(NULL);
		for (int v = a; v != b && prev[v] >= 0; v = prev[v]) {
			struct lab_cable *t = g_ptr_array_index(tree, (guint)via[v]);
			g_string_append_printf(path, " -> %s", ((struct lab_switch *)g_ptr_array_index(lab->switches, (guint)prev[v]))->name);
			g_string_append_printf(cables, "%s, ", t->name);
		}
		g_string_append_printf(path, " -> %s", cb->a);
		g_string_append(cables, cb->name);
		g_autofree char *in = vid ? g_strdup_printf(" in VLAN %d", vid) : g_strdup("");
		g_ptr_array_add(lab->warnings,
				g_strdup_printf("%s:%d: warning: cables %s make a loop %s%s among switches without a "
						"spanning tree: every broadcast would circle it for ever (a storm at up); "
						"add stp=\"rstp\" to one of these switches", c->path, cb->line, cables->str,
						path->str, in));
		g_string_free(path, TRUE);
		g_string_free(cables, TRUE);
		g_free(prev);
		g_free(via);
		g_ptr_array_add(tree, cb); /* later cycles take the shortest way, through this cable too */
	}
	g_ptr_array_free(tree, TRUE);
	g_free(up);
}

static void warn_loops(struct ctx *c, struct lab *lab)
{
	if (!lab->switches->len)
		return;
	GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	warn_loops_vlan(c, lab, 0);
	g_hash_table_add(seen, GINT_TO_POINTER(0));
	for (guint i = 0; i < lab->cables->len; i++) {
		const struct lab_cable *cb = g_ptr_array_index(lab->cables, i);
		for (guint t = 0; t < cb->trunk->len; t++) {
			int v = g_array_index(cb->trunk, int, t);
			if (!g_hash_table_contains(seen, GINT_TO_POINTER(v))) {
				g_hash_table_add(seen, GINT_TO_POINTER(v));
				warn_loops_vlan(c, lab, v);
			}
		}
	}
	g_hash_table_destroy(seen);
}

static void semantics(struct ctx *c, struct lab *lab)
{
	GHashTable *names = g_hash_table_new(g_str_hash, g_str_equal);
	GHashTable *addrs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GHashTable *ports = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	if (lab->key && !lab_path_ok(lab->key))
		err_at(c, lab->line, "key=\"%s\": a path of letters, digits and / . _ - + , @ ~ : only "
		       "(no spaces, control characters, & ? #)", lab->key);
	GHashTable *site_names = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; i < lab->sites->len; i++) {
		struct lab_site *st = g_ptr_array_index(lab->sites, i);
		struct prefix p;
		if (g_hash_table_contains(site_names, st->name))
			err_at(c, st->line, "site \"%s\" is defined twice", st->name);
		g_hash_table_add(site_names, st->name);
		if (st->address && !parse_addr(st->address, &p))
			err_at(c, st->line, "site \"%s\": address \"%s\" is not an IP address", st->name, st->address);
		const char *why;
		if (st->libvirt && !lab_libvirt_uri_ok(st->libvirt, &why))
			err_at(c, st->line, "site \"%s\": libvirt=\"%s\": %s", st->name, st->libvirt, why);
	}
	g_hash_table_destroy(site_names);
	for (guint i = 0; i < lab->switches->len; i++) {
		struct lab_switch *s = g_ptr_array_index(lab->switches, i);
		if (s->site && !lab_find_site(lab, s->site))
			err_at(c, s->line, "switch \"%s\": site \"%s\" is not defined", s->name, s->site);
		if (g_hash_table_contains(names, s->name))
			err_at(c, s->line, "name \"%s\" is used twice", s->name);
		g_hash_table_add(names, s->name);
		if (s->ports < 2 || s->ports > 4096)
			err_at(c, s->line, "switch \"%s\": ports must be 2..4096", s->name);
		for (guint k = 0; k < s->vlans->len; k++) {
			int v = g_array_index(s->vlans, int, k);
			if (v < 1 || v > 4094)
				err_at(c, s->line, "switch \"%s\": VLAN %d is not in 1..4094", s->name, v);
		}
	}
	for (guint i = 0; i < lab->nodes->len; i++) {
		struct lab_node *n = g_ptr_array_index(lab->nodes, i);
		if (g_hash_table_contains(names, n->name))
			err_at(c, n->line, "name \"%s\" is used twice", n->name);
		g_hash_table_add(names, n->name);
		if (!strcmp(n->kind, "vm") && (n->memory_mib < 64 || n->memory_mib > 65536))
			err_at(c, n->line, "node \"%s\": memory %d MiB is not in 64..65536", n->name, n->memory_mib);
		const char *const files[3][2] = { { "kernel", n->kernel }, { "initrd", n->initrd }, { "image", n->image } };
		for (int k = 0; k < 3; k++)
			if (files[k][1] && !lab_path_ok(files[k][1]))
				err_at(c, n->line, "node \"%s\": %s=\"%s\": a path of letters, digits and / . _ - + , @ ~ : "
				       "only (no spaces, control characters, & ? #)", n->name, files[k][0], files[k][1]);
		if (!!n->kernel != !!n->initrd)
			err_at(c, n->line, "node \"%s\": kernel= and initrd= go together", n->name);
		if (strcmp(n->kind, "vm") && (n->kernel || n->image))
			err_at(c, n->line, "node \"%s\": kernel, initrd and image are for kind=\"vm\"", n->name);
		if (!n->sandbox && strcmp(n->kind, "vm") && n->memory_mib != 96)
			err_at(c, n->line, "node \"%s\": memory is for kind=\"vm\" and sandboxed nodes", n->name);
		if (n->sandbox && (n->mem_limit_mib < 16 || n->pids < 16))
			err_at(c, n->line, "node \"%s\": memory (MiB) and pids must be at least 16", n->name);
		if (n->image && !g_file_test(n->image, G_FILE_TEST_IS_REGULAR))
			err_at(c, n->line, "node \"%s\": image %s: no such file", n->name, n->image);
		if (n->site && !lab_find_site(lab, n->site))
			err_at(c, n->line, "node \"%s\": site \"%s\" is not defined", n->name, n->site);
		GHashTable *ifnames = g_hash_table_new(g_str_hash, g_str_equal);
		GPtrArray *nets = g_ptr_array_new_with_free_func(g_free);
		for (guint k = 0; k < n->ifs->len; k++) {
			struct lab_if *f = g_ptr_array_index(n->ifs, k);
			if (g_hash_table_contains(ifnames, f->name))
				err_at(c, f->line, "node \"%s\": interface \"%s\" is defined twice", n->name, f->name);
			g_hash_table_add(ifnames, f->name);
			struct lab_switch *s = lab_find_switch(lab, f->sw);
			if (!s) {
				err_at(c, f->line, "switch \"%s\" is not defined%s", f->sw,
				       lab_find_node(lab, f->sw) ? " (it is a node)" : "");
			} else {
				if (n->site && s->site && strcmp(n->site, s->site))
					err_at(c, f->line, "node \"%s\" (site %s) cannot plug into switch \"%s\" of site %s: "
					       "join the sites with a cable between switches", n->name, n->site, s->name, s->site);
				if (f->port && f->port >= s->ports)
					err_at(c, f->line, "port %d is beyond switch \"%s\" (ports 1..%d)", f->port, s->name, s->ports - 1);
				if (f->port) {
					char *key = g_strdup_printf("%s:%d", s->name, f->port);
					if (g_hash_table_contains(ports, key)) {
						err_at(c, f->line, "port %d of switch \"%s\" is used twice", f->port, s->name);
						g_free(key);
					} else {
						g_hash_table_add(ports, key);
					}
				}
				if (f->vlan > 4094)
					err_at(c, f->line, "VLAN %d is not in 0..4094", f->vlan);
				else if (!vid_declared(s, f->vlan))
					err_at(c, f->line, "VLAN %d is not declared on switch \"%s\" (add vlans=\"%d\")", f->vlan, s->name, f->vlan);
				for (guint t = 0; t < f->trunk->len; t++) {
					int v = g_array_index(f->trunk, int, t);
					if (v < 1 || v > 4094 || !vid_declared(s, v))
						err_at(c, f->line, "trunk VLAN %d is not declared on switch \"%s\"", v, s->name);
				}
			}
			for (guint a = 0; a < f->ips->len; a++) {
				const char *ip = g_ptr_array_index(f->ips, a);
				struct prefix p;
				if (!parse_prefix(ip, &p)) {
					err_at(c, f->line, "address \"%s\" is not ADDRESS/PREFIX (IPv4 or IPv6)", ip);
					continue;
				}
				/* one broadcast domain (switch, VLAN) must not hold an address
				 * twice; two domains may (tenants reusing a plan, NAT) */
				g_autofree char *bare = g_strndup(ip, strcspn(ip, "/"));
				char *key = g_strdup_printf("%s/%d/%s", f->sw, f->vlan, bare);
				struct lab_if *other = g_hash_table_lookup(addrs, key);
				if (other)
					err_at(c, f->line, "address %s is also used by %s:%s (line %d) on switch %s", bare,
					       other->node->name, other->name, other->line, f->sw);
				g_hash_table_insert(addrs, key, f);
				g_ptr_array_add(nets, g_memdup2(&p, sizeof(p)));
			}
			if (f->gw) {
				struct prefix g;
				bool inside = false;
				if (!parse_addr(f->gw, &g)) {
					err_at(c, f->line, "gateway \"%s\" is not an address", f->gw);
				} else {
					for (guint a = 0; a < f->ips->len; a++) {
						struct prefix p;
						if (parse_prefix(g_ptr_array_index(f->ips, a), &p) && same_subnet(&p, &g))
							inside = true;
					}
					if (!inside)
						err_at(c, f->line, "gateway %s is outside the subnets of %s:%s", f->gw, n->name, f->name);
				}
			}
			if (f->mtu && (f->mtu < 68 || f->mtu > 9216))
				err_at(c, f->line, "mtu %d is not in 68..9216", f->mtu);
			check_impair(c, f->line, "impair in", f->imp_in);
			check_impair(c, f->line, "impair out", f->imp_out);
		}
		for (guint k = 0; k < n->routes->len; k++) {
			struct lab_route *r = g_ptr_array_index(n->routes, k);
			struct prefix to, via;
			if (strcmp(r->to, "default") && !parse_prefix(r->to, &to))
				err_at(c, r->line, "route to \"%s\": expected ADDRESS/PREFIX or default", r->to);
			if (!parse_addr(r->via, &via)) {
				err_at(c, r->line, "route via \"%s\" is not an address", r->via);
			} else {
				bool reach = false;
				for (guint a = 0; a < nets->len; a++)
					reach |= same_subnet(g_ptr_array_index(nets, a), &via);
				if (!reach)
					err_at(c, r->line, "route via %s: no interface of %s is in that subnet", r->via, n->name);
			}
		}
		for (guint k = 0; k < n->files->len; k++) {
			struct lab_file *fl = g_ptr_array_index(n->files, k);
			if ((fl->path[0] == '/' && !n->sandbox) || strstr(fl->path, "..") || !lab_path_ok(fl->path))
				err_at(c, fl->line, n->sandbox ? "file path \"%s\": a path without \"..\" or spaces"
						  : "file path \"%s\" must be relative, without \"..\" (absolute "
						    "paths are for sandboxed nodes)", fl->path);
		}
		g_ptr_array_free(nets, TRUE);
		g_hash_table_destroy(ifnames);
	}
	for (guint i = 0; i < lab->cables->len; i++) {
		struct lab_cable *cb = g_ptr_array_index(lab->cables, i);
		struct lab_switch *a = lab_find_switch(lab, cb->a), *b = lab_find_switch(lab, cb->b);
		for (guint k = 0; k < i; k++)
			if (!strcmp(((struct lab_cable *)g_ptr_array_index(lab->cables, k))->name, cb->name))
				err_at(c, cb->line, "cable name \"%s\" is used twice", cb->name);
		if (lab_find_node(lab, cb->name))
			err_at(c, cb->line, "cable name \"%s\" is also a node's name (link targets would be ambiguous)", cb->name);
		if (!a)
			err_at(c, cb->line, "cable end \"%s\" is not a switch", cb->a);
		if (!b)
			err_at(c, cb->line, "cable end \"%s\" is not a switch", cb->b);
		if (a && a == b)
			err_at(c, cb->line, "cable joins switch \"%s\" to itself", cb->a);
		for (guint t = 0; t < cb->trunk->len; t++) {
			int v = g_array_index(cb->trunk, int, t);
			if ((a && !vid_declared(a, v)) || (b && !vid_declared(b, v)) || v < 1 || v > 4094)
				err_at(c, cb->line, "trunk VLAN %d must be declared on both switches", v);
		}
		check_impair(c, cb->line, "cable impair", cb->imp_ab);
		if (cb->imp_ba != cb->imp_ab)
			check_impair(c, cb->line, "cable impair", cb->imp_ba);
		if (cb->udp_port && (cb->udp_port < 1 || cb->udp_port > 65534))
			err_at(c, cb->line, "cable port %d is not in 1..65534 (the b end uses port+1)", cb->udp_port);
	}
	for (guint i = 0; i < lab->switches->len; i++) {
		struct lab_switch *s = g_ptr_array_index(lab->switches, i);
		if (s->priority >= 0 && (s->priority > 61440 || s->priority % 4096))
			err_at(c, s->line, "switch \"%s\": priority %d is not a multiple of 4096 in 0..61440 "
			       "(IEEE 802.1D-2004 17.13.7)", s->name, s->priority);
		if (s->priority >= 0 && !s->stp)
			err_at(c, s->line, "switch \"%s\": priority= needs stp=\"rstp\" or stp=\"stp\"", s->name);
		if (s->stp && s->hub)
			err_at(c, s->line, "switch \"%s\": a hub does not run a spanning tree (drop hub= or stp=)", s->name);
	}
	for (guint i = 0; i < lab->cables->len; i++) {
		struct lab_cable *cb = g_ptr_array_index(lab->cables, i);
		if (cb->cost < 0 || cb->cost > 200000000)
			err_at(c, cb->line, "cable %s: cost %d is not in 1..200000000", cb->name, cb->cost);
	}
	warn_loops(c, lab);
	for (guint i = 0; i < lab->tunnels->len; i++) {
		struct lab_tunnel *tu = g_ptr_array_index(lab->tunnels, i);
		const struct lab_tunnel_type *tt = tu->tt;
		struct overlay_map map = { 0 };
		char why[200];
		if (!tt) {
			err_at(c, tu->line, "tunnel: type \"%s\" is not one of %s", tu->type, lab_tunnel_types());
			continue;
		}
		if (tu->id == -2)
			err_at(c, tu->line, "%s: the segment is %s=", tu->type, tt->id_key);
		else if (tu->id >= 0 && tu->map)
			err_at(c, tu->line, "%s: give one of %s= and map=, not both", tu->type, tt->id_key);
		else if (tu->id < 0 && !tu->map && !tt->id_optional)
			err_at(c, tu->line, "%s: give one of %s= and map=", tu->type, tt->id_key);
		if (tu->id > tt->id_max)
			err_at(c, tu->line, "%s: %s %" G_GINT64_FORMAT " is not in 0..%" G_GINT64_FORMAT, tu->type,
			       tt->id_key, tu->id, tt->id_max);
		if (tu->map && overlay_map_parse(tu->map, (uint32_t)tt->id_max, &map, why, sizeof(why)))
			err_at(c, tu->line, "%s: %s", tu->type, why);
		if (!tt->udp_port && tu->udp_port)
			err_at(c, tu->line, "%s: GRE has no ports (port= is for vxlan and geneve)", tu->type);
		else if (tt->udp_port && (tu->udp_port < 1 || tu->udp_port > 65535))
			err_at(c, tu->line, "%s: port %d is not in 1..65535", tu->type, tu->udp_port);
		if (tu->vteps->len < 2)
			err_at(c, tu->line, "%s: a segment needs at least two <vtep switch=\"..\" node=\"..\"/>", tu->type);
		for (guint k = 0; k < tu->vteps->len; k++) {
			struct lab_vtep *vt = g_ptr_array_index(tu->vteps, k);
			struct lab_switch *s = lab_find_switch(lab, vt->sw);
			struct lab_node *n = lab_find_node(lab, vt->node);
			g_autofree char *a = n ? lab_node_address(n) : NULL;
			if (!s)
				err_at(c, vt->line, "vtep: switch \"%s\" is not defined", vt->sw);
			if (!n)
				err_at(c, vt->line, "vtep: node \"%s\" is not defined", vt->node);
			else if (!a)
				err_at(c, vt->line, "vtep: node \"%s\" has no address for the underlay", vt->node);
			if (s && n && s->site && strcmp(s->site, n->site))
				err_at(c, vt->line, "vtep: switch \"%s\" and node \"%s\" are on different sites", s->name, n->name);
			for (unsigned m = 0; s && m < map.n; m++)
				if (!vid_declared(s, map.vlan[m]))
					err_at(c, vt->line, "vtep: VLAN %u of the map is not declared on switch \"%s\"",
					       map.vlan[m], s->name);
		}
	}
	GHashTable *hports = g_hash_table_new(g_direct_hash, g_direct_equal);
	for (guint i = 0; i < lab->nats->len; i++) {
		struct lab_nat *nt = g_ptr_array_index(lab->nats, i);
		struct lab_switch *s = lab_find_switch(lab, nt->sw);
		unsigned a, b, cc, d, plen;
		int end = 0;
		if (!s)
			err_at(c, nt->line, "nat %s: switch \"%s\" is not defined", nt->name, nt->sw);
		else if (nt->vlan && !vid_declared(s, nt->vlan))
			err_at(c, nt->line, "nat %s: VLAN %d is not declared on switch \"%s\"", nt->name, nt->vlan, s->name);
		if (lab_find_node(lab, nt->name) || lab_find_switch(lab, nt->name))
			err_at(c, nt->line, "nat %s: the name is already a node's or a switch's", nt->name);
		for (guint k = 0; k < i; k++)
			if (!strcmp(((struct lab_nat *)g_ptr_array_index(lab->nats, k))->name, nt->name))
				err_at(c, nt->line, "nat \"%s\" is defined twice", nt->name);
		if (sscanf(nt->net, "%u.%u.%u.%u/%u%n", &a, &b, &cc, &d, &plen, &end) != 5 || nt->net[end] || a > 255 ||
		    b > 255 || cc > 255 || d > 255 || plen < 8 || plen > 29)
			err_at(c, nt->line, "nat %s: net \"%s\" is not A.B.C.D/N with N in 8..29", nt->name, nt->net);
		for (guint k = 0; k < nt->forwards->len; k++) {
			struct lab_forward *f = g_ptr_array_index(nt->forwards, k);
			unsigned p;
			/* the host side is always 127.0.0.1 and never a privileged port:
			 * a lab file must not take a host service's place */
			if (f->host_port < 1024 || f->host_port > 65535)
				err_at(c, f->line, "forward: host-port %d is not in 1024..65535", f->host_port);
			else if (g_hash_table_contains(hports, GINT_TO_POINTER(f->host_port)))
				err_at(c, f->line, "forward: host-port %d is forwarded twice", f->host_port);
			g_hash_table_add(hports, GINT_TO_POINTER(f->host_port));
			if (!f->to || sscanf(f->to, "%u.%u.%u.%u:%u%n", &a, &b, &cc, &d, &p, &end) != 5 || f->to[end] ||
			    a > 255 || b > 255 || cc > 255 || d > 255 || p < 1 || p > 65535)
				err_at(c, f->line, "forward: to=\"%s\" is not ADDR:PORT", f->to ? f->to : "");
			if (strcmp(f->proto, "tcp") && strcmp(f->proto, "udp"))
				err_at(c, f->line, "forward: proto \"%s\" is not tcp or udp", f->proto);
		}
	}
	g_hash_table_destroy(hports);
	for (guint i = 0; i < lab->execs->len; i++) {
		struct lab_exec *e = g_ptr_array_index(lab->execs, i);
		if (!lab_find_node(lab, e->node))
			err_at(c, e->line, "exec on node \"%s\", which is not defined", e->node);
	}
	for (guint i = 0; i < lab->checks->len; i++) {
		struct lab_check *k = g_ptr_array_index(lab->checks, i);
		if (k->show) {
			if (k->node || !k->sw)
				err_at(c, k->line, "show= checks a switch: give switch=, not node=");
			else if (!lab_find_switch(lab, k->sw))
				err_at(c, k->line, "check on switch \"%s\", which is not defined", k->sw);
			if (!lab_show_ok(k->show))
				err_at(c, k->line, "show=\"%s\": not a read-only switch command (stp/print, fstp/print, "
				       "port/print, vlan/print, hash/print, stats/ports, stats/switch, impair/show ...)", k->show);
			if (k->lines >= 0 && !k->expect)
				err_at(c, k->line, "lines= counts the lines matching expect=: give expect=");
		} else if (k->path_src || k->seen) {
			if (k->node || k->sw)
				err_at(c, k->line, "%s= names its own nodes: no node= or switch=", k->seen ? "seen" : "path");
		} else if (k->sw || !k->node) {
			err_at(c, k->line, "ping= and run= checks run in a node: give node=, not switch=");
		} else if (!lab_find_node(lab, k->node))
			err_at(c, k->line, "check on node \"%s\", which is not defined", k->node);
		if (k->timeout_s < 0)
			err_at(c, k->line, "timeout: expected a duration like 5s or 500ms");
		if (k->points < 0 || k->points > 1000)
			err_at(c, k->line, "points: expected 0..1000");
		if ((k->rtt_min_ms || k->rtt_max_ms) && !k->rtt)
			err_at(c, k->line, "min= and max= bound the RTT of an rtt= check");
		if (k->rtt_min_ms < 0 || k->rtt_max_ms < 0)
			err_at(c, k->line, "min=/max=: expected a duration like 40ms");
		if (k->rtt && !k->rtt_min_ms && !k->rtt_max_ms)
			err_at(c, k->line, "rtt=\"%s\": give min= and/or max=", k->rtt);
		if (k->rtt_max_ms && k->rtt_min_ms > k->rtt_max_ms)
			err_at(c, k->line, "rtt: min= is above max=");
		const char *host = k->rtt;
		g_autofree char *tcphost = NULL;
		if (k->tcp) {
			const char *colon = strrchr(k->tcp, ':');
			char *e = NULL;
			long port = colon ? strtol(colon + 1, &e, 10) : 0;
			if (!colon || colon == k->tcp || !e || *e || port < 1 || port > 65535)
				err_at(c, k->line, "tcp=\"%s\": expected HOST:PORT (a node or an address, port 1..65535)", k->tcp);
			else
				host = tcphost = g_strndup(k->tcp, (gsize)(colon - k->tcp));
		}
		if (host) {
			struct prefix p;
			struct lab_node *t = lab_find_node(lab, host);
			g_autofree char *taddr = t ? lab_node_address(t) : NULL;
			if (!t && !parse_addr(host, &p))
				err_at(c, k->line, "target \"%s\" is neither a node nor an address", host);
			else if (t && !taddr)
				err_at(c, k->line, "target \"%s\" has no address", host);
		}
		if (k->http && !g_str_has_prefix(k->http, "http://") && !g_str_has_prefix(k->http, "https://"))
			err_at(c, k->line, "http=\"%s\": expected an http:// or https:// URL", k->http);
		if (k->http && strpbrk(k->http, " '\"\\`$;|&<>"))
			err_at(c, k->line, "http=\"%s\": characters a URL does not need", k->http);
		if (k->dns && (!*k->dns || strspn(k->dns, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") != strlen(k->dns)))
			err_at(c, k->line, "dns=\"%s\": expected a host name", k->dns);
		check_path_seen(c, lab, k);
		if (k->ping) {
			struct prefix p;
			struct lab_node *t = lab_find_node(lab, k->ping);
			g_autofree char *taddr = t ? lab_node_address(t) : NULL;
			if (!t && !parse_addr(k->ping, &p))
				err_at(c, k->line, "ping target \"%s\" is neither a node nor an address", k->ping);
			else if (t && !taddr)
				err_at(c, k->line, "ping target \"%s\" has no address", k->ping);
			if (k->expect && strcmp(k->expect, "fail") && strcmp(k->expect, "success"))
				err_at(c, k->line, "expect for ping must be \"fail\" or \"success\"");
		} else if (k->expect && !k->seen) {
			GError *ge = NULL;
			GRegex *re = g_regex_new(k->expect, 0, 0, &ge);
			if (!re) {
				err_at(c, k->line, "expect \"%s\": %s", k->expect, ge->message);
				g_error_free(ge);
			} else {
				g_regex_unref(re);
			}
		}
	}
	g_hash_table_destroy(names);
	g_hash_table_destroy(addrs);
	g_hash_table_destroy(ports);
}

char *lab_resolve_path(const char *labpath, const char *attr)
{
	g_autofree char *dir = g_path_get_dirname(labpath);
	g_autofree char *absdir = g_canonicalize_filename(dir, NULL); /* relative to the cwd */
	return g_canonicalize_filename(attr, absdir);
}

bool lab_path_ok(const char *path)
{
	if (!*path)
		return false;
	for (const char *p = path; *p; p++)
		if (!g_ascii_isalnum(*p) && !strchr("/._-+,@~:", *p))
			return false;
	return true;
}

bool lab_libvirt_uri_ok(const char *uri, const char **why)
{
	static const char *const allowed_params[] = { "keyfile", "known_hosts", "sshauth", NULL };
	const char *sep = strstr(uri, "://");
	*why = "expected qemu:///system, qemu:///session, qemu+ssh://HOST/system or qemu+tls://HOST/system";
	if (!sep)
		return false;
	g_autofree char *scheme = g_strndup(uri, (gsize)(sep - uri));
	const char *rest = sep + 3;
	const char *q = strchr(rest, '?');
	g_autofree char *hostpath = q ? g_strndup(rest, (gsize)(q - rest)) : g_strdup(rest);
	const char *slash = strchr(hostpath, '/');
	if (!slash || (strcmp(slash, "/system") && strcmp(slash, "/session")))
		return false;
	bool remote = !strcmp(scheme, "qemu+ssh") || !strcmp(scheme, "qemu+tls");
	if (strcmp(scheme, "qemu") && !remote) {
		*why = "only the qemu, qemu+ssh and qemu+tls transports are allowed (ext://, unix sockets and "
		       "others can run programs as root)";
		return false;
	}
	if (remote == (slash == hostpath)) { /* a remote needs a host, a local one has none */
		*why = remote ? "qemu+ssh:// and qemu+tls:// need a host" : "qemu:/// takes no host (use qemu+ssh://HOST/system)";
		return false;
	}
	for (const char *h = hostpath; h < slash; h++)
		if (!g_ascii_isalnum(*h) && !strchr(".-_@:[]", *h)) {
			*why = "the host has a character that is not allowed";
			return false;
		}
	if (!q)
		return true;
	if (!remote) {
		*why = "qemu:/// takes no parameters";
		return false;
	}
	g_auto(GStrv) params = g_strsplit(q + 1, "&", -1);
	for (int i = 0; params[i]; i++) {
		g_autofree char *key = g_strndup(params[i], strcspn(params[i], "="));
		bool ok = false;
		for (int k = 0; allowed_params[k]; k++)
			ok |= !strcmp(key, allowed_params[k]);
		if (!ok) {
			*why = "only the keyfile=, known_hosts= and sshauth= parameters are allowed (command=, socket=, "
			       "netcat=, no_verify= and others are refused)";
			return false;
		}
		if (!lab_path_ok(params[i] + strlen(key) + (params[i][strlen(key)] == '=') )) {
			*why = "a parameter value has a character that is not allowed";
			return false;
		}
	}
	return true;
}

const struct lab_cable *lab_find_cable(const struct lab *lab, const char *name)
{
	for (guint i = 0; i < lab->cables->len; i++) {
		const struct lab_cable *c = g_ptr_array_index(lab->cables, i);
		g_autofree char *rev = g_strdup_printf("%s-%s", c->b, c->a);
		g_autofree char *def = g_strdup_printf("%s-%s", c->a, c->b);
		if (!strcmp(c->name, name) || (!strcmp(c->name, def) && !strcmp(rev, name)))
			return c;
	}
	return NULL;
}

bool lab_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n < 1 || n > 15 || !g_ascii_isalpha(name[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!g_ascii_isalnum(name[i]) && name[i] != '_' && name[i] != '-')
			return false;
	return true;
}

struct lab *lab_load(const char *path, GPtrArray *errors)
{
	struct ctx c = { .path = path, .errors = errors };
	guint before = errors->len;
	xmlSetStructuredErrorFunc(&c, on_xml_error);
	xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
	if (!doc) {
		xmlSetStructuredErrorFunc(NULL, NULL);
		if (errors->len == before)
			g_ptr_array_add(errors, g_strdup_printf("%s: cannot read: %s", path, g_strerror(errno)));
		return NULL;
	}
	xmlRelaxNGParserCtxtPtr rp = xmlRelaxNGNewMemParserCtxt(lab_rng_text, (int)strlen(lab_rng_text));
	xmlRelaxNGPtr schema = xmlRelaxNGParse(rp);
	xmlRelaxNGFreeParserCtxt(rp);
	xmlRelaxNGValidCtxtPtr vc = xmlRelaxNGNewValidCtxt(schema);
	xmlRelaxNGSetValidStructuredErrors(vc, (xmlStructuredErrorFunc)on_xml_error, &c);
	int rc = xmlRelaxNGValidateDoc(vc, doc);
	xmlRelaxNGFreeValidCtxt(vc);
	xmlRelaxNGFree(schema);
	if (rc != 0) { /* name the attribute and what it may be, instead of libxml2's summary */
		GPtrArray *mine = g_ptr_array_new_with_free_func(g_free);
		if (schema_check_attributes(lab_rng_text, doc, path, mine)) {
			for (guint i = errors->len; i-- > before;)
				if (generic_rng_message(g_ptr_array_index(errors, i)))
					g_ptr_array_remove_index(errors, i);
			for (guint i = 0; i < mine->len; i++) {
				bool dup = false; /* the same error once */
				for (guint k = before; k < errors->len && !dup; k++)
					dup = !strcmp(g_ptr_array_index(errors, k), g_ptr_array_index(mine, i));
				if (!dup)
					g_ptr_array_add(errors, g_strdup(g_ptr_array_index(mine, i)));
			}
		}
		g_ptr_array_free(mine, TRUE);
	}
	struct lab *lab = NULL;
	if (rc == 0) {
		lab = build(xmlDocGetRootElement(doc), path);
		semantics(&c, lab);
	} else if (errors->len == before) {
		g_ptr_array_add(errors, g_strdup_printf("%s:1: does not match the lab schema", path));
	}
	xmlFreeDoc(doc);
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (errors->len != before) {
		lab_free(lab);
		return NULL;
	}
	return lab;
}
