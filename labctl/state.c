#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void clear_daemon(gpointer p) { struct st_daemon *d = p; g_free(d->kind), g_free(d->name), g_free(d->pidfile); }
static void clear_link(gpointer p) { struct st_link *l = p; g_free(l->node), g_free(l->ifname), g_free(l->sw); }
static void clear_cable(gpointer p) { struct st_cable *c = p; g_free(c->name), g_free(c->sw[0]), g_free(c->sw[1]); }
static void clear_tunnel(gpointer p) { struct st_tunnel *t = p; g_free(t->type), g_free(t->sw), g_free(t->node); }
static void clear_domain(gpointer p) { struct st_domain *d = p; g_free(d->name), g_free(d->uri); }
static void clear_vmserial(gpointer p) { struct st_vmserial *v = p; g_free(v->node), g_free(v->path); }
static void clear_sandbox(gpointer p) { struct st_sandbox *b = p; g_free(b->node), g_free(b->ns); }

static GArray *arr(size_t sz, GDestroyNotify clear)
{
	GArray *a = g_array_new(FALSE, TRUE, (guint)sz);
	g_array_set_clear_func(a, clear);
	return a;
}

struct state *state_new(const char *dir)
{
	struct state *st = g_new0(struct state, 1);
	st->path = g_build_filename(dir, "state", NULL);
	st->netns = g_ptr_array_new_with_free_func(g_free);
	st->daemons = arr(sizeof(struct st_daemon), clear_daemon);
	st->links = arr(sizeof(struct st_link), clear_link);
	st->cables = arr(sizeof(struct st_cable), clear_cable);
	st->tunnels = arr(sizeof(struct st_tunnel), clear_tunnel);
	st->domains = arr(sizeof(struct st_domain), clear_domain);
	st->vmserials = arr(sizeof(struct st_vmserial), clear_vmserial);
	st->sandboxes = arr(sizeof(struct st_sandbox), clear_sandbox);
	return st;
}

void state_free(struct state *st)
{
	if (!st)
		return;
	g_free(st->path);
	g_free(st->site);
	g_free(st->fs);
	g_ptr_array_free(st->netns, TRUE);
	GArray *a[] = { st->daemons, st->links, st->cables, st->tunnels, st->domains, st->vmserials, st->sandboxes };
	for (unsigned i = 0; i < G_N_ELEMENTS(a); i++)
		g_array_free(a[i], TRUE);
	g_free(st);
}

static bool port_of(const char *s, int *port)
{
	char *e;
	if (!strcmp(s, "-")) {
		*port = -1;
		return true;
	}
	long v = strtol(s, &e, 10);
	if (!*s || *e || v < 0 || v > 65535)
		return false;
	*port = (int)v;
	return true;
}

/* One line into st; false if it is not a record. */
static bool parse_line(struct state *st, char *line)
{
	g_auto(GStrv) w = g_strsplit(line, " ", -1);
	guint n = g_strv_length(w);
	if (n == 2 && !strcmp(w[0], "site")) {
		g_free(st->site);
		st->site = g_strdup(w[1]);
	} else if (n == 2 && !strcmp(w[0], "netns")) {
		g_ptr_array_add(st->netns, g_strdup(w[1]));
	} else if (n == 4 && !strcmp(w[0], "daemon") && (!strcmp(w[1], "switch") || !strcmp(w[1], "plug"))) {
		struct st_daemon d = { g_strdup(w[1]), g_strdup(w[2]), g_strdup(w[3]) };
		g_array_append_val(st->daemons, d);
	} else if (n == 4 && !strcmp(w[0], "link") && strchr(w[1], ':')) {
		struct st_link l = { 0 };
		if (!port_of(w[3], &l.port) || l.port < 0)
			return false;
		const char *c = strchr(w[1], ':');
		l.node = g_strndup(w[1], (gsize)(c - w[1]));
		l.ifname = g_strdup(c + 1);
		l.sw = g_strdup(w[2]);
		g_array_append_val(st->links, l);
	} else if (n == 6 && !strcmp(w[0], "cable")) {
		struct st_cable c = { 0 };
		if (!port_of(w[3], &c.port[0]) || !port_of(w[5], &c.port[1]))
			return false;
		c.name = g_strdup(w[1]), c.sw[0] = g_strdup(w[2]), c.sw[1] = g_strdup(w[4]);
		g_array_append_val(st->cables, c);
	} else if (n == 5 && !strcmp(w[0], "tunnel")) {
		struct st_tunnel t = { 0 };
		if (!port_of(w[3], &t.port) || t.port < 0)
			return false;
		t.type = g_strdup(w[1]), t.sw = g_strdup(w[2]), t.node = g_strdup(w[4]);
		g_array_append_val(st->tunnels, t);
	} else if (n == 3 && !strcmp(w[0], "domain")) {
		struct st_domain d = { g_strdup(w[1]), g_strdup(w[2]) };
		g_array_append_val(st->domains, d);
	} else if (n == 2 && !strcmp(w[0], "uids")) {
		char *e;
		unsigned long b = strtoul(w[1], &e, 10);
		if (!*w[1] || *e || !b)
			return false;
		st->uids = b;
	} else if (n == 2 && !strcmp(w[0], "fs") && w[1][0] == '/') {
		g_free(st->fs);
		st->fs = g_strdup(w[1]);
	} else if (n == 3 && !strcmp(w[0], "sandbox")) {
		struct st_sandbox b = { g_strdup(w[1]), g_strdup(w[2]) };
		g_array_append_val(st->sandboxes, b);
	} else if (n == 3 && !strcmp(w[0], "vmserial")) {
		struct st_vmserial v = { g_strdup(w[1]), g_strdup(w[2]) };
		g_array_append_val(st->vmserials, v);
	} else {
		return false;
	}
	return true;
}

struct state *state_load(const char *dir)
{
	struct state *st = state_new(dir);
	g_autofree char *txt = NULL;
	if (!g_file_get_contents(st->path, &txt, NULL, NULL)) {
		state_free(st);
		return NULL;
	}
	g_auto(GStrv) lines = g_strsplit(txt, "\n", -1);
	for (int i = 0; lines[i]; i++) {
		if (!lines[i][0])
			continue;
		if (parse_line(st, lines[i]))
			st->records++;
		else
			st->bad++;
	}
	return st;
}

/* The records, in the order a teardown reads them back: kinds in a fixed
 * order, each in creation order. */
static GString *serialize(const struct state *st)
{
	GString *s = g_string_new(NULL);
	if (st->site)
		g_string_append_printf(s, "site %s\n", st->site);
	for (guint i = 0; i < st->daemons->len; i++) {
		const struct st_daemon *d = &g_array_index(st->daemons, struct st_daemon, i);
		g_string_append_printf(s, "daemon %s %s %s\n", d->kind, d->name, d->pidfile);
	}
	if (st->uids)
		g_string_append_printf(s, "uids %lu\n", st->uids);
	if (st->fs)
		g_string_append_printf(s, "fs %s\n", st->fs);
	for (guint i = 0; i < st->netns->len; i++)
		g_string_append_printf(s, "netns %s\n", (char *)g_ptr_array_index(st->netns, i));
	for (guint i = 0; i < st->sandboxes->len; i++) {
		const struct st_sandbox *b = &g_array_index(st->sandboxes, struct st_sandbox, i);
		g_string_append_printf(s, "sandbox %s %s\n", b->node, b->ns);
	}
	for (guint i = 0; i < st->domains->len; i++) {
		const struct st_domain *d = &g_array_index(st->domains, struct st_domain, i);
		g_string_append_printf(s, "domain %s %s\n", d->name, d->uri);
	}
	for (guint i = 0; i < st->vmserials->len; i++) {
		const struct st_vmserial *v = &g_array_index(st->vmserials, struct st_vmserial, i);
		g_string_append_printf(s, "vmserial %s %s\n", v->node, v->path);
	}
	for (guint i = 0; i < st->links->len; i++) {
		const struct st_link *l = &g_array_index(st->links, struct st_link, i);
		g_string_append_printf(s, "link %s:%s %s %d\n", l->node, l->ifname, l->sw, l->port);
	}
	for (guint i = 0; i < st->cables->len; i++) {
		const struct st_cable *c = &g_array_index(st->cables, struct st_cable, i);
		char pa[16] = "-", pb[16] = "-";
		if (c->port[0] >= 0)
			snprintf(pa, sizeof(pa), "%d", c->port[0]);
		if (c->port[1] >= 0)
			snprintf(pb, sizeof(pb), "%d", c->port[1]);
		g_string_append_printf(s, "cable %s %s %s %s %s\n", c->name, c->sw[0], pa, c->sw[1], pb);
	}
	for (guint i = 0; i < st->tunnels->len; i++) {
		const struct st_tunnel *t = &g_array_index(st->tunnels, struct st_tunnel, i);
		g_string_append_printf(s, "tunnel %s %s %d %s\n", t->type, t->sw, t->port, t->node);
	}
	return s;
}

/* temp file + fsync + rename: the file is always one whole version */
static bool save(struct state *st)
{
	g_autoptr(GString) s = serialize(st);
	g_autofree char *tmp = g_strdup_printf("%s.tmp", st->path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return false;
	bool ok = write(fd, s->str, s->len) == (ssize_t)s->len && fsync(fd) == 0;
	int e = errno;
	close(fd);
	if (!ok || rename(tmp, st->path) < 0) {
		e = ok ? errno : e;
		unlink(tmp);
		errno = e;
		return false;
	}
	st->records++;
	const char *kill_after = getenv("VDELAB_TEST_KILL_AFTER");
	if (kill_after && (unsigned)atoi(kill_after) == st->records)
		raise(SIGKILL);
	return true;
}

bool state_add_site(struct state *st, const char *site)
{
	g_free(st->site);
	st->site = g_strdup(site);
	return save(st);
}

bool state_add_netns(struct state *st, const char *ns)
{
	g_ptr_array_add(st->netns, g_strdup(ns));
	return save(st);
}

bool state_add_uids(struct state *st, unsigned long base)
{
	st->uids = base;
	return save(st);
}

bool state_add_fs(struct state *st, const char *path)
{
	g_free(st->fs);
	st->fs = g_strdup(path);
	return save(st);
}

bool state_add_sandbox(struct state *st, const char *node, const char *ns)
{
	struct st_sandbox b = { g_strdup(node), g_strdup(ns) };
	g_array_append_val(st->sandboxes, b);
	return save(st);
}

const struct st_sandbox *state_sandbox(const struct state *st, const char *ns)
{
	for (guint i = 0; i < st->sandboxes->len; i++) {
		const struct st_sandbox *b = &g_array_index(st->sandboxes, struct st_sandbox, i);
		if (!strcmp(b->ns, ns))
			return b;
	}
	return NULL;
}

bool state_add_daemon(struct state *st, const char *kind, const char *name, const char *pidfile)
{
	struct st_daemon d = { g_strdup(kind), g_strdup(name), g_strdup(pidfile) };
	g_array_append_val(st->daemons, d);
	return save(st);
}

bool state_add_link(struct state *st, const char *node, const char *ifname, const char *sw, int port)
{
	struct st_link l = { g_strdup(node), g_strdup(ifname), g_strdup(sw), port };
	g_array_append_val(st->links, l);
	return save(st);
}

bool state_add_cable(struct state *st, const char *name, const char *swa, int pa, const char *swb, int pb)
{
	struct st_cable c = { g_strdup(name), { g_strdup(swa), g_strdup(swb) }, { pa, pb } };
	g_array_append_val(st->cables, c);
	return save(st);
}

bool state_add_tunnel(struct state *st, const char *type, const char *sw, int port, const char *node)
{
	struct st_tunnel t = { g_strdup(type), g_strdup(sw), g_strdup(node), port };
	g_array_append_val(st->tunnels, t);
	return save(st);
}

bool state_add_domain(struct state *st, const char *name, const char *uri)
{
	struct st_domain d = { g_strdup(name), g_strdup(uri) };
	g_array_append_val(st->domains, d);
	return save(st);
}

bool state_add_vmserial(struct state *st, const char *node, const char *path)
{
	struct st_vmserial v = { g_strdup(node), g_strdup(path) };
	g_array_append_val(st->vmserials, v);
	return save(st);
}

const struct st_daemon *state_switch(const struct state *st, const char *sw)
{
	for (guint i = 0; i < st->daemons->len; i++) {
		const struct st_daemon *d = &g_array_index(st->daemons, struct st_daemon, i);
		if (!strcmp(d->kind, "switch") && !strcmp(d->name, sw))
			return d;
	}
	return NULL;
}

char *state_switch_mgmt(const struct state *st, const char *sw)
{
	const struct st_daemon *d = state_switch(st, sw);
	if (!d || !g_str_has_suffix(d->pidfile, ".pid"))
		return NULL;
	return g_strdup_printf("%.*s.mgmt", (int)(strlen(d->pidfile) - 4), d->pidfile);
}

bool state_cable_is(const struct st_cable *c, const char *target, bool *reversed)
{
	g_autofree char *def = g_strdup_printf("%s-%s", c->sw[0], c->sw[1]);
	g_autofree char *rev = g_strdup_printf("%s-%s", c->sw[1], c->sw[0]);
	bool back = !strcmp(c->name, def) && !strcmp(rev, target);
	if (reversed)
		*reversed = back;
	return back || !strcmp(c->name, target);
}

bool state_has_netns(const struct state *st, const char *ns)
{
	for (guint i = 0; i < st->netns->len; i++)
		if (!strcmp(g_ptr_array_index(st->netns, i), ns))
			return true;
	return false;
}

const char *state_vmserial(const struct state *st, const char *node)
{
	for (guint i = 0; i < st->vmserials->len; i++) {
		const struct st_vmserial *v = &g_array_index(st->vmserials, struct st_vmserial, i);
		if (!strcmp(v->node, node))
			return v->path;
	}
	return NULL;
}

const struct st_domain *state_domain(const struct state *st, const char *name)
{
	for (guint i = 0; i < st->domains->len; i++) {
		const struct st_domain *d = &g_array_index(st->domains, struct st_domain, i);
		if (!strcmp(d->name, name))
			return d;
	}
	return NULL;
}

bool state_target_port(const struct state *st, const char *target, char **sw, int *port, GString *err)
{
	for (guint i = 0; i < st->links->len; i++) {
		const struct st_link *l = &g_array_index(st->links, struct st_link, i);
		g_autofree char *full = g_strdup_printf("%s:%s", l->node, l->ifname);
		if (!strcmp(full, target) || (!strchr(target, ':') && !strcmp(l->node, target))) {
			*sw = g_strdup(l->sw);
			*port = l->port;
			return true;
		}
	}
	for (guint i = 0; i < st->cables->len; i++) {
		const struct st_cable *c = &g_array_index(st->cables, struct st_cable, i);
		if (!state_cable_is(c, target, NULL))
			continue;
		int e = c->port[0] >= 0 ? 0 : 1;
		*sw = g_strdup(c->sw[e]);
		*port = c->port[e];
		return true;
	}
	const char *colon = strrchr(target, ':');
	if (colon && colon[1] >= '0' && colon[1] <= '9') {
		g_autofree char *name = g_strndup(target, (gsize)(colon - target));
		if (state_switch(st, name)) {
			*sw = g_steal_pointer(&name);
			*port = atoi(colon + 1);
			return true;
		}
	}
	g_string_printf(err, "no port \"%s\" in the lab (use NODE:IF, NODE, SWITCH:PORT or a cable SW1-SW2)", target);
	return false;
}
