/* up.c - labctl up: switches, nodes, cables, tunnels, VMs, execs; rollback on failure. */
#include "cmds.h"
#include "mgmt.h"
#include "node.h"
#include "nodefiles.h"
#include "sandbox.h"
#include "state.h"
#include "util.h"
#include "vm.h"
#include "../vde/core/cablecrypt.h"
#include "../vde/core/overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The directory holding vdelab-switch and vdelab-plug: ours, else $PATH. */
static char *tool(const char *name)
{
	g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
	if (self) {
		g_autofree char *dir = g_path_get_dirname(self);
		char *p = g_build_filename(dir, name, NULL);
		if (g_file_test(p, G_FILE_TEST_IS_EXECUTABLE))
			return p;
		g_free(p);
	}
	char *p = g_find_program_in_path(name);
	return p ? p : g_strdup(name);
}

/* ip ARGS... ; on failure fills err. */
static bool ip(GString *err, ...)
{
	GPtrArray *a = g_ptr_array_new();
	va_list ap;
	g_ptr_array_add(a, "ip");
	va_start(ap, err);
	for (char *s; (s = va_arg(ap, char *));)
		g_ptr_array_add(a, s);
	va_end(ap);
	g_ptr_array_add(a, NULL);
	char *out = NULL;
	int rc = spawn((char **)a->pdata, &out);
	if (rc != 0) {
		g_autofree char *cmd = g_strjoinv(" ", (char **)a->pdata);
		g_string_printf(err, "%s: %s", cmd, out && *out ? g_strstrip(out) : "failed");
	}
	g_free(out);
	g_ptr_array_free(a, TRUE);
	return rc == 0;
}

/* ---- the switch console ---- */

static bool mgmtf(GString *err, const char *sock, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static bool mgmtf(GString *err, const char *sock, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *cmd = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_autofree char *reply = NULL;
	if (mgmt(sock, cmd, &reply) == 0)
		return true;
	g_string_printf(err, "%s: \"%s\": %s", sock, cmd, reply ? g_strstrip(reply) : "no answer");
	return false;
}

/* ---- state ---- */

struct run {
	struct lab *lab;
	char *name;
	char *dir;
	struct state *st;      /* what this run made (state.h) */
	GHashTable *next_port; /* switch name -> next free port (int) */
	GHashTable *used;      /* "sw:port" */
	const char *site;      /* --site: only this site's part; NULL: every site */
	const char *uri;       /* libvirt URI for VM nodes */
	GPtrArray *vms;        /* struct vm_pending: defined at boot time */
	char *key;             /* PSK file of cross-site cables */
	uid_t uids;            /* host uid of sandboxed nodes' root, 0 until the first */
	gboolean allow_nat;    /* --allow-nat */
};

/* Is an object of `site` brought up here? (No sites, or no --site: all.) */
static bool is_local(const struct run *r, const char *site)
{
	return !r->site || !site || !strcmp(site, r->site);
}

/* Address an encrypted cable end of `site` binds / is reached at: the site's
 * address with --site, loopback when every site runs on this host. */
static const char *site_addr(const struct run *r, const char *site)
{
	const struct lab_site *st = site ? lab_find_site(r->lab, site) : NULL;
	return r->site && st && st->address ? st->address : "127.0.0.1";
}

/* A state writer's result: false, with the reason in err, if the state
 * file could not be written (nothing is created then). */
static bool st_ok(struct run *r, GString *err, bool ok)
{
	if (!ok)
		g_string_printf(err, "%s: %s", r->st->path, g_strerror(errno));
	return ok;
}

static char *sw_dir(struct run *r, const char *sw) { return g_strdup_printf("%s/sw-%s", r->dir, sw); }
static char *sw_mgmt(struct run *r, const char *sw) { return g_strdup_printf("%s/sw-%s.mgmt", r->dir, sw); }

static int alloc_port(struct run *r, const struct lab_switch *s)
{
	for (int p = GPOINTER_TO_INT(g_hash_table_lookup(r->next_port, s->name)) + 1; p < s->ports; p++) {
		g_autofree char *k = g_strdup_printf("%s:%d", s->name, p);
		if (!g_hash_table_contains(r->used, k)) {
			g_hash_table_insert(r->next_port, s->name, GINT_TO_POINTER(p));
			return p;
		}
	}
	return -1;
}


/* ---- up ---- */

/* The run directory: mode 0700, so no other local user reads a lab's
 * captures, exec logs or node files. A lab with VM nodes here gets 0711
 * (search, no listing): qemu runs as libvirt-qemu and must reach its disk
 * overlay and serial log, whose files are themselves 0600. The run root is
 * 0711: lab names are not listed to others. */
static bool make_run_dir(struct run *r)
{
	bool vms = false;
	for (guint i = 0; i < r->lab->nodes->len; i++) {
		const struct lab_node *n = g_ptr_array_index(r->lab->nodes, i);
		vms |= !strcmp(n->kind, "vm") && is_local(r, n->site);
	}
	g_autofree char *root = g_path_get_dirname(r->dir);
	struct stat st;
	bool made_root = stat(root, &st) < 0;
	if (g_mkdir_with_parents(r->dir, 0700) < 0)
		return false;
	if (made_root)
		chmod(root, 0711);
	return chmod(r->dir, vms ? 0711 : 0700) == 0;
}


static void progress(const char *what, double t0)
{
	printf("  %-44s ok (%.0f ms)\n", what, (now_s() - t0) * 1000);
	fflush(stdout);
}

static bool start_switch(struct run *r, const struct lab_switch *s, GString *err)
{
	double t0 = now_s();
	g_autofree char *d = sw_dir(r, s->name), *m = sw_mgmt(r, s->name);
	g_autofree char *pid = g_strdup_printf("%s/sw-%s.pid", r->dir, s->name);
	g_autofree char *bin = tool("vdelab-switch");
	g_autofree char *ports = g_strdup_printf("%d", s->ports);
	if (!st_ok(r, err, state_add_daemon(r->st, "switch", s->name, pid)))
		return false;
	g_autofree char *prio = s->priority >= 0 ? g_strdup_printf("--priority=%d", s->priority) : NULL;
	char *argv[] = { bin, "-s", d, "-M", m, "-n", ports, "-d", "-p", pid, "--nostdin",
			 s->stp == 2 ? "--stp=rstp" : s->stp == 1 ? "--stp=stp" : "--stp=off",
			 s->hub ? "-x" : prio, NULL }; /* prio NULL ends the list there */
	g_autofree char *out = NULL;
	if (spawn(argv, &out) != 0) {
		g_string_printf(err, "switch %s: %s", s->name, out ? g_strstrip(out) : "did not start");
		return false;
	}
	for (int i = 0; i < 100 && !g_file_test(m, G_FILE_TEST_EXISTS); i++)
		g_usleep(10000);
	for (guint k = 0; k < s->vlans->len; k++)
		if (!mgmtf(err, m, "vlan/create %d", g_array_index(s->vlans, int, k)))
			return false;
	g_autofree char *what = g_strdup_printf("switch %s (%d ports%s)", s->name, s->ports,
						s->hub ? ", hub" : s->stp == 2 ? ", rstp" : s->stp == 1 ? ", stp" : "");
	progress(what, t0);
	return true;
}

/* Configure `port` of switch `sw` as untagged `vlan` plus tagged `trunk`;
 * an `edge` port (a node's) is an admin edge port of the spanning tree:
 * forwarding at once, and no topology change when it comes and goes. */
static bool setup_port(struct run *r, const char *sw, int port, int vlan, GArray *trunk, bool edge, GString *err)
{
	g_autofree char *m = sw_mgmt(r, sw);
	const struct lab_switch *ls = lab_find_switch(r->lab, sw);
	if (!mgmtf(err, m, "port/create %d", port))
		return false;
	if (edge && ls && ls->stp && !mgmtf(err, m, "stp/setedge %d 1", port))
		return false;
	if (trunk && trunk->len && vlan == 0 && !mgmtf(err, m, "port/setvlan %d 4095", port))
		return false;
	if (vlan && !mgmtf(err, m, "port/setvlan %d %d", port, vlan))
		return false;
	for (guint t = 0; trunk && t < trunk->len; t++)
		if (!mgmtf(err, m, "vlan/addport %d %d", g_array_index(trunk, int, t), port))
			return false;
	return true;
}

struct vm_pending { struct vm_spec spec; char *name, *cmdline, *serial, *kernel, *initrd, *disk; const char *node; };

static void vm_pending_free(gpointer p)
{
	struct vm_pending *v = p;
	for (guint i = 0; i < v->spec.ifs->len; i++)
		g_free(g_array_index(v->spec.ifs, struct vm_if, i).mac);
	g_array_free(v->spec.ifs, TRUE);
	g_free(v->name), g_free(v->cmdline), g_free(v->serial), g_free(v->kernel), g_free(v->initrd), g_free(v->disk), g_free(v);
}

/* A VM node: its switch ports (udp:// towards the guest's udp interfaces,
 * impaired like any port) now; the domain is defined and booted later,
 * with the others, by boot_vms(). */
static bool start_vm_node(struct run *r, const struct lab_node *n, GString *err)
{
	double t0 = now_s();
	struct vm_pending *v = g_new0(struct vm_pending, 1);
	v->node = n->name;
	v->name = ns_name(r->name, n->name);
	v->serial = g_strdup_printf("%s/vm-%s.serial", r->dir, n->name);
	v->spec.ifs = g_array_new(FALSE, TRUE, sizeof(struct vm_if));
	g_ptr_array_add(r->vms, v);
	if (n->image) {
		v->disk = g_strdup_printf("%s/vm-%s.qcow2", r->dir, n->name);
		if (vm_overlay(n->image, v->disk, err) < 0)
			return false;
	}
	if (n->kernel) {
		v->kernel = g_strdup(n->kernel);
		v->initrd = g_strdup(n->initrd);
	} else if (!n->image && !vm_default_guest(&v->kernel, &v->initrd, err)) {
		return false;
	}
	GString *cl = g_string_new("console=ttyS0 no_timer_check panic=-1 loglevel=3");
	g_string_append_printf(cl, " vl.host=%s", n->name);
	if (n->forward)
		g_string_append(cl, " vl.forward=1");
	const char *gw = NULL;
	for (guint k = 0; k < n->ifs->len; k++) {
		struct lab_if *f = g_ptr_array_index(n->ifs, k);
		const struct lab_switch *s = lab_find_switch(r->lab, f->sw);
		int port = f->port ? f->port : alloc_port(r, s);
		struct vm_if vi = { 0 };
		vi.sw_udp = vm_free_udp_port();
		vi.vm_udp = vm_free_udp_port();
		guint32 h = g_str_hash(v->name) ^ (k * 2654435761u);
		vi.mac = f->mac ? g_strdup(f->mac) : g_strdup_printf("52:54:00:%02x:%02x:%02x", (h >> 16) & 0xff, (h >> 8) & 0xff, h & 0xff);
		g_array_append_val(v->spec.ifs, vi);
		if (port < 0 || !vi.sw_udp || !vi.vm_udp) {
			g_string_printf(err, "%s:%s: no free switch port or UDP port", n->name, f->name);
			{ g_string_free(cl, TRUE); return false; }
		}
		g_autofree char *key = g_strdup_printf("%s:%d", s->name, port);
		g_hash_table_add(r->used, g_steal_pointer(&key));
		g_autofree char *m = sw_mgmt(r, s->name);
		if (!setup_port(r, s->name, port, f->vlan, f->trunk, true, err) ||
		    !mgmtf(err, m, "port/add udp://127.0.0.1:%d@127.0.0.1:%d %d", vi.sw_udp, vi.vm_udp, port))
			{ g_string_free(cl, TRUE); return false; }
		if (!st_ok(r, err, state_add_link(r->st, n->name, f->name, s->name, port)))
			{ g_string_free(cl, TRUE); return false; }
		if ((f->imp_out && !mgmtf(err, m, "impair/set %d in %s", port, f->imp_out)) ||
		    (f->imp_in && !mgmtf(err, m, "impair/set %d out %s", port, f->imp_in)))
			{ g_string_free(cl, TRUE); return false; }
		char eth[16];
		snprintf(eth, sizeof(eth), "eth%u", k);
		if (strcmp(f->name, eth))
			g_string_append_printf(cl, " vl.name=%s,%s", eth, f->name);
		if (f->mtu)
			g_string_append_printf(cl, " vl.mtu=%s,%d", f->name, f->mtu);
		for (guint a = 0; a < f->ips->len; a++)
			g_string_append_printf(cl, " vl.ip=%s,%s", f->name, (char *)g_ptr_array_index(f->ips, a));
		if (f->gw && !gw)
			gw = f->gw;
	}
	if (gw)
		g_string_append_printf(cl, " vl.gw=%s", gw);
	for (guint k = 0; k < n->routes->len; k++) {
		struct lab_route *rt = g_ptr_array_index(n->routes, k);
		g_string_append_printf(cl, " vl.route=%s,%s", rt->to, rt->via);
	}
	GString *ex = g_string_new(NULL);
	for (guint k = 0; k < r->lab->execs->len; k++) {
		struct lab_exec *e = g_ptr_array_index(r->lab->execs, k);
		if (!strcmp(e->node, n->name))
			g_string_append_printf(ex, "%s\n", e->cmd);
	}
	if (ex->len) {
		g_autofree char *b64 = g_base64_encode((const guchar *)ex->str, ex->len);
		g_string_append_printf(cl, " vl.exec=%s", b64);
	}
	g_string_free(ex, TRUE);
	v->cmdline = g_string_free(cl, FALSE);
	v->spec.name = v->name;
	v->spec.kernel = v->kernel;
	v->spec.initrd = v->initrd;
	v->spec.cmdline = v->cmdline;
	v->spec.memory_mib = n->memory_mib;
	v->spec.serial = v->serial;
	v->spec.disk = v->disk;
	if (!v->kernel) /* boots from its disk: the command line is the image's */
		v->spec.cmdline = NULL;
	g_autofree char *what = g_strdup_printf("vm %s (%u interfaces, wired)", n->name, n->ifs->len);
	progress(what, t0);
	return true;
}

/* Boot the VMs, at most VM_PARALLEL at a time, a line each when it answers. */
enum { VM_PARALLEL = 4, VM_BOOT_TIMEOUT_S = 120 };
static bool boot_vms(struct run *r, GString *err)
{
	guint next = 0, done = 0;
	double *t0 = g_new0(double, r->vms->len + 1);
	bool ok = true;
	while (ok && done < r->vms->len) {
		while (next < r->vms->len && next - done < VM_PARALLEL) {
			struct vm_pending *v = g_ptr_array_index(r->vms, next);
			if (!st_ok(r, err, state_add_domain(r->st, v->name, r->uri)) ||
			    !st_ok(r, err, state_add_vmserial(r->st, v->node, v->serial))) {
				ok = false;
				break;
			}
			t0[next] = now_s();
			if (vm_create(r->uri, &v->spec, err) < 0) {
				ok = false;
				break;
			}
			printf("  vm %s: booting...\n", v->node);
			fflush(stdout);
			next++;
		}
		if (!ok)
			break;
		struct vm_pending *v = g_ptr_array_index(r->vms, done);
		/* wait in slices, following the domain's state: a guest that stops
		 * (crash, panic, poweroff) is reported at once, not at the timeout */
		bool ready = false;
		while (!ready && now_s() - t0[done] < VM_BOOT_TIMEOUT_S) {
			ready = vm_wait_ready(v->serial, 2);
			const char *st = ready ? "running" : vm_state(r->uri, v->name);
			if (strcmp(st, "running")) {
				g_string_printf(err, "vm %s stopped while booting (libvirt says: %s; its console: %s)", v->node, st, v->serial);
				break;
			}
		}
		if (!ready) {
			if (!err->len)
				g_string_printf(err, "vm %s did not answer within %d s (its console: %s)", v->node, VM_BOOT_TIMEOUT_S, v->serial);
			ok = false;
			break;
		}
		printf("  vm %s: up %.1f s\n", v->node, now_s() - t0[done]);
		fflush(stdout);
		done++;
	}
	g_free(t0);
	return ok;
}

/* The lab's sandbox layers, before its first sandboxed node: a host id
 * range (recorded before it is used), a tmpfs of the lab's own at
 * RUN/LAB/fs (its upper layers must not be on the host's root file system,
 * which is their lower layer), the template layer. */
static bool lab_fs(struct run *r, GString *err)
{
	if (r->uids)
		return true;
	g_autofree char *root = g_path_get_dirname(r->dir);
	int lock = -1;
	uid_t base = sandbox_alloc_base(root, &lock);
	if (!base) {
		g_string_printf(err, "%s/.uids.lock: %s", root, g_strerror(errno));
		return false;
	}
	bool ok = st_ok(r, err, state_add_uids(r->st, base));
	close(lock);
	if (!ok)
		return false;
	r->uids = base;
	g_autofree char *fs = g_build_filename(r->dir, "fs", NULL);
	if (!st_ok(r, err, state_add_fs(r->st, fs)))
		return false;
	if (g_mkdir_with_parents(fs, 0700) < 0 || mount("vdelab", fs, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") < 0) {
		g_string_printf(err, "%s: tmpfs: %s", fs, g_strerror(errno));
		return false;
	}
	g_autofree char *tmpl = g_build_filename(fs, "template", NULL);
	GError *e = NULL;
	if (!sandbox_template(tmpl, base, &e)) {
		g_string_printf(err, "%s", e->message);
		g_error_free(e);
		return false;
	}
	return true;
}

static bool start_sandbox(struct run *r, const struct lab_node *n, const char *ns, GString *err)
{
	if (!lab_fs(r, err) || !st_ok(r, err, state_add_sandbox(r->st, n->name, ns)))
		return false;
	g_autofree char *dir = node_dir(r->dir, n->name), *cg = node_cgroup(r->dir, n->name);
	g_autofree char *upper = g_build_filename(dir, "upper", NULL);
	g_autofree char *tmpl = g_build_filename(r->dir, "fs", "template", NULL);
	if (g_mkdir_with_parents(upper, 0755) < 0 || chown(upper, r->uids, r->uids) < 0) {
		g_string_printf(err, "%s: %s", upper, g_strerror(errno));
		return false;
	}
	if (!node_files_write(r->lab, n, upper, tmpl, r->uids, err)) {
		g_autofree char *pre = g_strdup_printf("node %s: ", n->name);
		g_string_prepend(err, pre);
		return false;
	}
	struct sandbox sb = { .ns = ns, .dir = dir, .hostname = n->name, .cgroup = cg, .base = r->uids,
			      .pids_max = n->pids, .mem_max = (long long)n->mem_limit_mib << 20 };
	GError *e = NULL;
	if (sandbox_start(&sb, &e) < 0) {
		g_string_printf(err, "node %s: sandbox: %s", n->name, e->message);
		g_error_free(e);
		return false;
	}
	return true;
}

static bool start_node(struct run *r, const struct lab_node *n, GString *err)
{
	double t0 = now_s();
	g_autofree char *ns = ns_name(r->name, n->name);
	if (!strcmp(n->kind, "vm"))
		return start_vm_node(r, n, err);
	/* a namespace this run did not make is never recorded, so the rollback
	 * cannot remove it */
	g_autofree char *nsfile = g_build_filename("/run/netns", ns, NULL);
	if (g_file_test(nsfile, G_FILE_TEST_EXISTS)) {
		g_string_printf(err, "node %s: network namespace %s exists already (not made by this lab)", n->name, ns);
		return false;
	}
	if (!st_ok(r, err, state_add_netns(r->st, ns)))
		return false;
	if (n->sandbox) {
		if (!start_sandbox(r, n, ns, err))
			return false;
	} else if (!ip(err, "netns", "add", ns, NULL)) {
		return false;
	}
	if (!ip(err, "-n", ns, "link", "set", "lo", "up", NULL))
		return false;
	char *sysctl[] = { "ip", "netns", "exec", ns, "sysctl", "-qw",
			   n->forward ? "net.ipv4.ip_forward=1" : "net.ipv4.ip_forward=0",
			   n->forward ? "net.ipv6.conf.all.forwarding=1" : "net.ipv6.conf.all.forwarding=0", NULL };
	spawn(sysctl, NULL);
	for (guint k = 0; k < n->ifs->len; k++) {
		struct lab_if *f = g_ptr_array_index(n->ifs, k);
		const struct lab_switch *s = lab_find_switch(r->lab, f->sw);
		int port = f->port ? f->port : alloc_port(r, s);
		if (port < 0) {
			g_string_printf(err, "%s:%s: switch %s has no free port", n->name, f->name, s->name);
			return false;
		}
		g_autofree char *key = g_strdup_printf("%s:%d", s->name, port);
		g_hash_table_add(r->used, g_steal_pointer(&key));
		if (!setup_port(r, s->name, port, f->vlan, f->trunk, true, err))
			return false;
		g_autofree char *m = sw_mgmt(r, s->name);
		if (!mgmtf(err, m, "port/add tap://%s?netns=%s %d", f->name, ns, port))
			return false;
		if (!st_ok(r, err, state_add_link(r->st, n->name, f->name, s->name, port)))
			return false;
		/* the node's "out" is what the switch receives from the port */
		if (f->imp_out && !mgmtf(err, m, "impair/set %d in %s", port, f->imp_out))
			return false;
		if (f->imp_in && !mgmtf(err, m, "impair/set %d out %s", port, f->imp_in))
			return false;
		if (f->mac && !ip(err, "-n", ns, "link", "set", f->name, "address", f->mac, NULL))
			return false;
		g_autofree char *mtu = g_strdup_printf("%d", f->mtu);
		if (f->mtu && !ip(err, "-n", ns, "link", "set", f->name, "mtu", mtu, NULL))
			return false;
		if (!ip(err, "-n", ns, "link", "set", f->name, "up", NULL))
			return false;
		for (guint a = 0; a < f->ips->len; a++)
			if (!ip(err, "-n", ns, "addr", "add", g_ptr_array_index(f->ips, a), "dev", f->name, NULL))
				return false;
		if (f->gw && !ip(err, "-n", ns, strchr(f->gw, ':') ? "-6" : "-4", "route", "add", "default",
				 "via", f->gw, NULL))
			return false;
	}
	for (guint k = 0; k < n->routes->len; k++) {
		struct lab_route *rt = g_ptr_array_index(n->routes, k);
		if (!ip(err, "-n", ns, strchr(rt->via, ':') ? "-6" : "-4", "route", "add", rt->to, "via", rt->via, NULL))
			return false;
	}
	g_autofree char *home = g_build_filename(r->dir, "nodes", n->name, NULL);
	g_mkdir_with_parents(home, 0700);
	for (guint k = 0; k < n->files->len && !n->sandbox; k++) {
		struct lab_file *fl = g_ptr_array_index(n->files, k);
		g_autofree char *p = g_build_filename(home, fl->path, NULL);
		g_autofree char *pd = g_path_get_dirname(p);
		g_mkdir_with_parents(pd, 0700);
		if (!g_file_set_contents_full(p, fl->content, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL)) {
			g_string_printf(err, "node %s: cannot write %s", n->name, p);
			return false;
		}
	}
	g_autofree char *what = g_strdup_printf("node %s (%u interfaces)", n->name, n->ifs->len);
	progress(what, t0);
	return true;
}

/* One end of a cable between two sites: an encrypted cable:// port on the
 * local switch, towards the other site's end. `me` is 0 for end a, 1 for b. */
static bool start_cable_end(struct run *r, const struct lab_cable *c, unsigned idx, int me, GString *err)
{
	double t0 = now_s();
	const struct lab_switch *sw[2] = { lab_find_switch(r->lab, c->a), lab_find_switch(r->lab, c->b) };
	const struct lab_switch *s = sw[me], *o = sw[1 - me];
	int base = c->udp_port ? c->udp_port : LAB_CABLE_PORT_BASE + 2 * (int)idx;
	int port = alloc_port(r, s);
	if (port < 0) {
		g_string_printf(err, "cable %s-%s: no free port on %s", c->a, c->b, s->name);
		return false;
	}
	if (!setup_port(r, s->name, port, 0, c->trunk, false, err))
		return false;
	g_autofree char *m = sw_mgmt(r, s->name);
	if (!mgmtf(err, m, "port/add cable://%s:%d@%s:%d?psk=%s %d", site_addr(r, s->site), base + me,
		   site_addr(r, o->site), base + 1 - me, r->key, port))
		return false;
	const char *imp = me == 0 ? c->imp_ab : c->imp_ba;
	if (imp && !mgmtf(err, m, "impair/set %d out %s", port, imp))
		return false;
	/* the other end's switch is on another host: "-" */
	if (!st_ok(r, err, state_add_cable(r->st, c->name, c->a, me == 0 ? port : -1, c->b, me == 1 ? port : -1)))
		return false;
	g_autofree char *what = g_strdup_printf("encrypted cable %s[%d] -> %s (site %s, udp %d)", s->name, port,
						o->name, o->site, base + 1 - me);
	progress(what, t0);
	return true;
}

static bool start_cable(struct run *r, const struct lab_cable *c, unsigned idx, GString *err)
{
	double t0 = now_s();
	const struct lab_switch *a = lab_find_switch(r->lab, c->a), *b = lab_find_switch(r->lab, c->b);
	if (a->site && strcmp(a->site, b->site)) {
		bool ok = true;
		if (is_local(r, a->site))
			ok = start_cable_end(r, c, idx, 0, err);
		if (ok && is_local(r, b->site))
			ok = start_cable_end(r, c, idx, 1, err);
		return ok;
	}
	if (!is_local(r, a->site))
		return true;
	int pa = alloc_port(r, a), pb = alloc_port(r, b);
	if (pa < 0 || pb < 0) {
		g_string_printf(err, "cable %s-%s: no free port", c->a, c->b);
		return false;
	}
	if (!setup_port(r, a->name, pa, 0, c->trunk, false, err) || !setup_port(r, b->name, pb, 0, c->trunk, false, err))
		return false;
	g_autofree char *pid = g_strdup_printf("%s/cable-%u.pid", r->dir, idx);
	g_autofree char *bin = tool("vdelab-plug");
	g_autofree char *da = sw_dir(r, a->name), *db = sw_dir(r, b->name);
	g_autofree char *ua = g_strdup_printf("vde://%s[%d]", da, pa), *ub = g_strdup_printf("vde://%s[%d]", db, pb);
	g_autofree char *descr = g_strdup_printf("cable %s", c->name);
	if (!st_ok(r, err, state_add_daemon(r->st, "plug", c->name, pid)))
		return false;
	GPtrArray *argv = g_ptr_array_new();
	g_ptr_array_add(argv, bin);
	g_ptr_array_add(argv, "-d");
	g_ptr_array_add(argv, "-p");
	g_ptr_array_add(argv, pid);
	g_ptr_array_add(argv, "-D");
	g_ptr_array_add(argv, descr);
	g_ptr_array_add(argv, ua);
	g_ptr_array_add(argv, ub);
	g_ptr_array_add(argv, NULL);
	g_autofree char *out = NULL;
	int rc = spawn((char **)argv->pdata, &out);
	g_ptr_array_free(argv, TRUE);
	if (rc != 0) {
		g_string_printf(err, "cable %s-%s: %s", c->a, c->b, out ? g_strstrip(out) : "did not start");
		return false;
	}
	/* a->b leaves a's port, b->a leaves b's: impair there, so `link set`
	 * reaches cables through the switch consoles like any other link */
	g_autofree char *ma = sw_mgmt(r, a->name), *mb = sw_mgmt(r, b->name);
	if (c->imp_ab && !mgmtf(err, ma, "impair/set %d out %s", pa, c->imp_ab))
		return false;
	if (c->imp_ba && !mgmtf(err, mb, "impair/set %d out %s", pb, c->imp_ba))
		return false;
	if (c->cost && ((a->stp && !mgmtf(err, ma, "stp/setcost %d %d", pa, c->cost)) ||
			(b->stp && !mgmtf(err, mb, "stp/setcost %d %d", pb, c->cost))))
		return false;
	if (!st_ok(r, err, state_add_cable(r->st, c->name, c->a, pa, c->b, pb)))
		return false;
	g_autofree char *what = g_strdup_printf("cable %s[%d] - %s[%d]", c->a, pa, c->b, pb);
	progress(what, t0);
	return true;
}

/* The VTEPs of a tunnel segment that live on this host: a port of the
 * overlay switch whose URL is the tunnel's type (vxlan://, geneve://,
 * gretap://, nvgre://), its socket in the VTEP node's namespace. */
static bool start_tunnel(struct run *r, const struct lab_tunnel *tu, GString *err)
{
	const struct lab_tunnel_type *tt = tu->tt;
	for (guint k = 0; k < tu->vteps->len; k++) {
		const struct lab_vtep *vt = g_ptr_array_index(tu->vteps, k);
		const struct lab_switch *s = lab_find_switch(r->lab, vt->sw);
		if (!is_local(r, s->site))
			continue;
		double t0 = now_s();
		g_autofree char *addr = lab_node_address(lab_find_node(r->lab, vt->node));
		g_autofree char *ns = ns_name(r->name, vt->node);
		g_autofree char *port_sfx = tt->udp_port ? g_strdup_printf(":%d", tu->udp_port) : g_strdup("");
		GString *url = g_string_new(NULL);
		g_string_printf(url, "%s://%s%s?netns=%s", tu->type, addr, port_sfx, ns);
		if (tu->map)
			g_string_append_printf(url, "&map=%s", tu->map);
		else if (tu->id >= 0)
			g_string_append_printf(url, "&%s=%" G_GINT64_FORMAT, tt->id_key, tu->id);
		for (guint o = 0; o < tu->vteps->len; o++) {
			const struct lab_vtep *ot = g_ptr_array_index(tu->vteps, o);
			if (o == k)
				continue;
			g_autofree char *oa = lab_node_address(lab_find_node(r->lab, ot->node));
			g_string_append_printf(url, "&remote=%s%s", oa, port_sfx);
		}
		int port = alloc_port(r, s);
		GArray *trunk = g_array_new(FALSE, FALSE, sizeof(int));
		struct overlay_map map = { 0 };
		char why[200];
		if (tu->map)
			overlay_map_parse(tu->map, (uint32_t)tt->id_max, &map, why, sizeof(why)); /* checked at load */
		for (unsigned m = 0; m < map.n; m++) {
			int v = map.vlan[m];
			g_array_append_val(trunk, v);
		}
		bool ok = port >= 0 && setup_port(r, s->name, port, 0, trunk, false, err);
		g_array_free(trunk, TRUE);
		if (port < 0)
			g_string_printf(err, "%s: no free port on %s", tu->type, s->name);
		g_autofree char *m = sw_mgmt(r, s->name);
		if (ok)
			ok = mgmtf(err, m, "port/add %s %d", url->str, port);
		g_string_free(url, TRUE);
		if (!ok)
			return false;
		if (!st_ok(r, err, state_add_tunnel(r->st, tu->type, s->name, port, vt->node)))
			return false;
		g_autofree char *id = tu->map ? g_strdup_printf("map %s", tu->map)
				      : tu->id >= 0 ? g_strdup_printf("%s %" G_GINT64_FORMAT, tt->id_key, tu->id)
						    : g_strdup_printf("no %s", tt->id_key);
		g_autofree char *what = g_strdup_printf("%s %s %s[%d] via %s (%s)", tu->type, id, s->name, port,
							vt->node, addr);
		progress(what, t0);
	}
	return true;
}

/* A <nat>: a slirp:// port on its switch (in the switch's own namespace:
 * the host's). Forwards listen on the host's 127.0.0.1 only. */
static bool start_nat(struct run *r, const struct lab_nat *nt, GString *err)
{
	const struct lab_switch *s = lab_find_switch(r->lab, nt->sw);
	if (!is_local(r, s->site))
		return true;
	double t0 = now_s();
	GString *url = g_string_new(NULL);
	g_string_printf(url, "slirp://?net=%s&restrict=%s", nt->net, nt->restrict_ ? "yes" : "no");
	if (!nt->dns)
		g_string_append(url, "&dns=off");
	for (guint k = 0; k < nt->forwards->len; k++) {
		const struct lab_forward *f = g_ptr_array_index(nt->forwards, k);
		g_string_append_printf(url, "&hostfwd=%s:127.0.0.1:%d-%s", f->proto, f->host_port, f->to);
	}
	int port = alloc_port(r, s);
	bool ok = port >= 0 && setup_port(r, s->name, port, nt->vlan, NULL, true, err);
	if (port < 0)
		g_string_printf(err, "nat %s: no free port on %s", nt->name, s->name);
	g_autofree char *m = sw_mgmt(r, s->name);
	if (ok)
		ok = mgmtf(err, m, "port/add %s %d", url->str, port);
	g_string_free(url, TRUE);
	if (!ok || !st_ok(r, err, state_add_tunnel(r->st, "slirp", s->name, port, nt->name)))
		return false;
	g_autofree char *what = g_strdup_printf("nat %s %s[%d] net %s%s, %u forwards", nt->name, s->name, port,
						nt->net, nt->restrict_ ? " restricted" : "", nt->forwards->len);
	progress(what, t0);
	return true;
}

static bool start_exec(struct run *r, const struct lab_exec *e, unsigned idx, GString *err)
{
	g_autofree char *home = g_build_filename(r->dir, "nodes", e->node, NULL);
	g_autofree char *log = g_strdup_printf("%s/exec-%u.log", r->dir, idx);
	pid_t pid = fork();
	if (pid < 0) {
		g_string_printf(err, "exec on %s: fork: %s", e->node, g_strerror(errno));
		return false;
	}
	if (pid == 0) {
		setsid();
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		int nul = open("/dev/null", O_RDONLY);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (nul >= 0)
			dup2(nul, 0);
		if (chdir(home) < 0)
			_exit(127);
		char *argv[] = { "sh", "-c", e->cmd, NULL };
		node_exec(r->dir, e->node, argv);
	}
	/* a short command is done quickly: report its failure; a server keeps running */
	for (int i = 0; i < 20; i++) {
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			if (!WIFEXITED(st) || WEXITSTATUS(st)) {
				/* the rollback removes the run directory: the output goes in the message */
				g_autofree char *out = NULL;
				g_file_get_contents(log, &out, NULL, NULL);
				g_auto(GStrv) lines = g_strsplit(out ? g_strchomp(out) : "", "\n", -1);
				guint nl = g_strv_length(lines), from = nl > 10 ? nl - 10 : 0;
				g_string_printf(err, "exec on %s failed (status %d): %s", e->node,
						WIFEXITED(st) ? WEXITSTATUS(st) : -1, e->cmd);
				g_string_append_printf(err, nl && lines[0][0] ? "\n  its output%s:" : "\n  (no output)",
						       from ? " (last 10 lines)" : "");
				for (guint k = from; k < nl && lines[0][0]; k++)
					g_string_append_printf(err, "\n  | %s", lines[k]);
				return false;
			}
			break;
		}
		g_usleep(10000);
	}
	printf("  %-44s started\n", e->cmd);
	return true;
}

int run_up(int argc, char **argv)
{
	g_autofree char *site = NULL, *uri = NULL;
	gboolean allow_nat = FALSE;
	GOptionEntry entries[] = {
		{ "site", 's', 0, G_OPTION_ARG_STRING, &site, "Bring up only this site's switches, nodes and cable ends", "SITE" },
		{ "libvirt-uri", 0, 0, G_OPTION_ARG_STRING, &uri, "libvirt connection for VM nodes (default qemu:///system)", "URI" },
		{ "allow-nat", 0, 0, G_OPTION_ARG_NONE, &allow_nat,
		  "Let the lab's <nat> routers give its nodes the host's network and services", NULL },
		{ NULL }
	};
	if (!begin(&argc, &argv, "up", "FILE - bring a lab up on this host",
		   "Creates, in order and with a line per step: the switches, one network namespace\n"
		   "per node with its interfaces (taps made by the switch inside the namespace),\n"
		   "addresses, routes and forwarding, the cables, the tunnels and NAT routers, then\n"
		   "runs the exec commands. A failure part-way removes what was created and says\n"
		   "what failed (exit 1). A lab with a <nat> (a way from its nodes to the host's\n"
		   "network and services) comes up only with --allow-nat.\n"
		   "\n"
		   "Multi-host labs: <site name=\"A\" address=\"192.0.2.1\"/> and site=\"A\" on switches\n"
		   "and nodes. On each host run  labctl up FILE --site A  (B, ...): cables between\n"
		   "switches of two sites become encrypted UDP cables (XChaCha20-Poly1305) between\n"
		   "the sites' addresses, UDP ports 4800+ (or port= on the cable), keyed by the file\n"
		   "named in <lab key=\"FILE\">, which every site needs a copy of (mode 0600; make it\n"
		   "with vdelab-plug --genkey FILE). A cable whose other end is not up yet waits for\n"
		   "it. Without --site every site comes up here, cables over 127.0.0.1, and a key is\n"
		   "generated in the run directory if the lab names none.",
		   entries, 1, "lab file"))
		return 2;
	struct run r = { .site = site, .uri = vm_uri(uri), .allow_nat = allow_nat };
	r.vms = g_ptr_array_new_with_free_func(vm_pending_free);
	double t0 = now_s();
	r.lab = load_or_report(argv[1]);
	for (guint i = 0; r.lab && i < r.lab->warnings->len; i++)
		fprintf(stderr, "%s\n", (char *)g_ptr_array_index(r.lab->warnings, i));
	if (!r.lab)
		return 1;
	r.name = g_strdup(opt_lab_name() ? opt_lab_name() : r.lab->name);
	if (!uri && site && lab_find_site(r.lab, site) && lab_find_site(r.lab, site)->libvirt)
		r.uri = lab_find_site(r.lab, site)->libvirt; /* the site's own libvirt */
	bool cross = false;
	for (guint i = 0; i < r.lab->cables->len; i++) {
		const struct lab_cable *c = g_ptr_array_index(r.lab->cables, i);
		const struct lab_switch *a = lab_find_switch(r.lab, c->a), *b = lab_find_switch(r.lab, c->b);
		cross |= a->site && strcmp(a->site, b->site) && (is_local(&r, a->site) || is_local(&r, b->site));
	}
	if (r.lab->nats->len && !r.allow_nat) {
		/* a lab file is untrusted: a way from its nodes to the host is the
		 * user's decision, not the file's */
		const struct lab_nat *nt = g_ptr_array_index(r.lab->nats, 0);
		fprintf(stderr, "%s:%d: nat %s would let the lab's nodes reach the host's network and services "
			"(127.0.0.1 as %s); pass --allow-nat to allow it\n", r.lab->path, nt->line, nt->name,
			"the router's address");
		lab_free(r.lab);
		g_free(r.name);
		return 1;
	}
	const char *why = NULL;
	if (site && !lab_find_site(r.lab, site))
		why = "no such site in the lab";
	else if (site && cross && !r.lab->key)
		why = "cables to other sites need a shared key: add key=\"FILE\" to <lab> (make it with "
		      "vdelab-plug --genkey FILE and copy it to every site)";
	if (why) {
		fprintf(stderr, "labctl up: --site %s: %s\n", site, why);
		lab_free(r.lab);
		g_free(r.name);
		return 1;
	}
	r.dir = lab_dir(r.name);
	g_autofree char *statef = g_build_filename(r.dir, "state", NULL);
	bool busy = g_file_test(statef, G_FILE_TEST_EXISTS);
	if (busy)
		fprintf(stderr, "labctl up: lab \"%s\" is already up (labctl down %s)\n", r.name, r.name);
	else if (!make_run_dir(&r) || !(r.st = state_new(r.dir)) || !state_add_site(r.st, site)) {
		fprintf(stderr, "labctl up: %s: %s\n", r.dir, g_strerror(errno));
		state_free(r.st);
		r.st = NULL;
	}
	if (!r.st) {
		lab_free(r.lab);
		g_free(r.name);
		g_free(r.dir);
		return 1;
	}
	g_autofree char *abs = g_canonicalize_filename(argv[1], NULL);
	g_autofree char *labfile = g_build_filename(r.dir, "labfile", NULL);
	g_file_set_contents_full(labfile, abs, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL);
	r.next_port = g_hash_table_new(g_str_hash, g_str_equal);
	r.used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (guint i = 0; i < r.lab->nodes->len; i++) { /* explicit ports are taken first */
		struct lab_node *n = g_ptr_array_index(r.lab->nodes, i);
		for (guint k = 0; k < n->ifs->len; k++) {
			struct lab_if *f = g_ptr_array_index(n->ifs, k);
			if (f->port)
				g_hash_table_add(r.used, g_strdup_printf("%s:%d", f->sw, f->port));
		}
	}
	printf("lab %s: up%s%s (run directory %s)\n", r.name, site ? " site " : "", site ? site : "", r.dir);
	GString *err = g_string_new(NULL);
	bool good = true;
	if (cross && r.lab->key) {
		r.key = g_strdup(r.lab->key);
		uint8_t k[CC_KEY_LEN];
		char why2[300];
		if (cc_key_load(r.key, 1, k, why2, sizeof(why2))) { /* say it before anything starts */
			g_string_printf(err, "%s", why2);
			good = false;
		}
	} else if (cross) {
		char why2[300];
		r.key = g_build_filename(r.dir, "cable.key", NULL);
		unlink(r.key);
		if (cc_key_generate(r.key, NULL, why2, sizeof(why2))) {
			g_string_printf(err, "%s", why2);
			good = false;
		}
	}
	for (guint i = 0; good && i < r.lab->switches->len; i++) {
		struct lab_switch *sw = g_ptr_array_index(r.lab->switches, i);
		if (is_local(&r, sw->site))
			good = start_switch(&r, sw, err);
	}
	for (guint i = 0; good && i < r.lab->nodes->len; i++) {
		struct lab_node *n = g_ptr_array_index(r.lab->nodes, i);
		if (is_local(&r, n->site))
			good = start_node(&r, n, err);
	}
	for (guint i = 0; good && i < r.lab->cables->len; i++)
		good = start_cable(&r, g_ptr_array_index(r.lab->cables, i), i, err);
	for (guint i = 0; good && i < r.lab->tunnels->len; i++)
		good = start_tunnel(&r, g_ptr_array_index(r.lab->tunnels, i), err);
	for (guint i = 0; good && i < r.lab->nats->len; i++)
		good = start_nat(&r, g_ptr_array_index(r.lab->nats, i), err);
	if (good && r.vms->len)
		good = boot_vms(&r, err);
	for (guint i = 0; good && i < r.lab->execs->len; i++) {
		struct lab_exec *e = g_ptr_array_index(r.lab->execs, i);
		const struct lab_node *en = lab_find_node(r.lab, e->node);
		if (is_local(&r, en->site) && strcmp(en->kind, "vm")) /* VMs run theirs at boot */
			good = start_exec(&r, e, i, err);
	}
	state_free(r.st);
	if (!good) {
		fprintf(stderr, "labctl up: %s\nlabctl up: rolling back\n", err->str);
		lab_teardown(r.dir, false);
	} else {
		printf("lab %s is up: %u switches, %u nodes, %u cables in %.0f ms\n", r.name,
		       r.lab->switches->len, r.lab->nodes->len, r.lab->cables->len, (now_s() - t0) * 1000);
	}
	g_string_free(err, TRUE);
	g_hash_table_destroy(r.next_port);
	g_hash_table_destroy(r.used);
	lab_free(r.lab);
	g_free(r.name);
	g_free(r.dir);
	g_free(r.key);
	g_ptr_array_free(r.vms, TRUE);
	return good ? 0 : 1;
}

