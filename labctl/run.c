#include "run.h"
#include "state.h"
#include "util.h"
#include "vm.h"
#include "../vde/core/cablecrypt.h"
#include "../vde/core/vxlan.h"

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

static char *opt_run_dir;
static char *opt_name;

double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

char *run_root(void)
{
	const char *env = getenv("VDELAB_RUN_DIR");
	if (opt_run_dir)
		return g_strdup(opt_run_dir);
	if (env && *env)
		return g_strdup(env);
	if (geteuid() == 0)
		return g_strdup("/run/vdelab");
	const char *x = getenv("XDG_RUNTIME_DIR");
	return x ? g_build_filename(x, "vdelab", NULL) : g_strdup_printf("/tmp/vdelab-%u", geteuid());
}

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

char *lab_dir(const char *name)
{
	g_autofree char *root = run_root();
	return g_build_filename(root, name, NULL);
}

char *capture_file(const char *dir, const char *what)
{
	g_autofree char *cdir = g_build_filename(dir, "captures", NULL);
	g_mkdir_with_parents(cdir, 0700);
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree char *stamp = g_date_time_format(now, "%Y%m%d-%H%M%S");
	g_autofree char *safe = g_strcanon(g_strdup(what), "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", '_');
	/* the switch creates new files only: a second capture in the same second gets -2, -3... */
	char *path = g_strdup_printf("%s/%s-%s.pcap", cdir, safe, stamp);
	for (int i = 2; g_file_test(path, G_FILE_TEST_EXISTS) && i < 1000; i++) {
		g_free(path);
		path = g_strdup_printf("%s/%s-%s-%d.pcap", cdir, safe, stamp, i);
	}
	return path;
}

/* '.' is in neither name's alphabet (lab_name_ok), so no two (lab, node)
 * pairs share a namespace: lab "a-b" node "c" is vl-a-b.c, lab "a" node
 * "b-c" is vl-a.b-c. At most 3 + 15 + 1 + 15 = 34 bytes. */
char *ns_name(const char *lab, const char *node) { return g_strdup_printf("vl-%s.%s", lab, node); }

/* Run argv to completion; its stdout then stderr in *out if not NULL
 * (discarded otherwise). Returns the exit status, or -1 if it could not run. */
int spawn(char **argv, char **out)
{
	GError *e = NULL;
	int status = 0;
	char *o = NULL, *er = NULL;
	if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &o, &er, &status, &e)) {
		if (out)
			*out = g_strdup(e->message);
		g_error_free(e);
		return -1;
	}
	if (out)
		*out = g_strconcat(o ? o : "", er ? er : "", NULL);
	g_free(o);
	g_free(er);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
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

/* The status of a console reply: its last "1NNN ..." line. */
static bool reply_success(const char *reply)
{
	const char *last = NULL;
	for (const char *l = reply; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (l[0] == '1' && g_ascii_isdigit(l[1]) && g_ascii_isdigit(l[2]) && g_ascii_isdigit(l[3]) && l[4] == ' ')
			last = l;
	return last && g_str_has_prefix(last, "1000 Success");
}

int mgmt(const char *sock, const char *cmd, char **reply)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	for (const char *p = cmd; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) { /* one line, one command: never a second */
			if (reply)
				*reply = g_strdup_printf("1022 refused: a control character in \"%s\"", cmd);
			return 1;
		}
	g_strlcpy(sa.sun_path, sock, sizeof(sa.sun_path));
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (reply)
			*reply = g_strdup_printf("%s: %s", sock, g_strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	GString *buf = g_string_new(NULL);
	int phase = 0, rc = -1;
	char chunk[4096];
	g_autofree char *line = g_strdup_printf("%s\n", cmd);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 5000) <= 0)
			break;
		ssize_t r = read(fd, chunk, sizeof(chunk));
		if (r <= 0)
			break;
		g_string_append_len(buf, chunk, r);
		if (phase == 0 && strstr(buf->str, "$ ")) {
			if (write(fd, line, strlen(line)) < 0)
				break;
			g_string_truncate(buf, 0);
			phase = 1;
		} else if (phase == 1 && strstr(buf->str, "$ ")) {
			rc = reply_success(buf->str) ? 0 : 1;
			break;
		}
	}
	close(fd);
	if (reply)
		*reply = g_string_free(buf, FALSE);
	else
		g_string_free(buf, TRUE);
	return rc;
}

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


/* Is pid alive and one of our daemons started with exactly `pidfile` as
 * an argument (-p PIDFILE)? Every daemon of a lab has its own pid file path,
 * so a reused pid, or the daemon of another lab whose path merely contains
 * ours (/run/vdelab/lab2/... for lab), never matches. */
static bool pid_is_ours(pid_t pid, const char *pidfile)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/cmdline", pid);
	g_autofree char *cmd = NULL;
	gsize len;
	if (pid <= 1 || !g_file_get_contents(path, &cmd, &len, NULL))
		return false;
	for (gsize i = 0; i < len; i += strlen(cmd + i) + 1)
		if (!strcmp(cmd + i, pidfile))
			return true;
	return false;
}

static void kill_pidfile(const char *pidfile)
{
	g_autofree char *txt = NULL;
	if (!g_file_get_contents(pidfile, &txt, NULL, NULL))
		return;
	pid_t pid = (pid_t)atoi(txt);
	if (!pid_is_ours(pid, pidfile))
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < 50 && kill(pid, 0) == 0 && pid_is_ours(pid, pidfile); i++)
		g_usleep(20000);
	if (pid_is_ours(pid, pidfile))
		kill(pid, SIGKILL);
}

static void kill_netns_procs(const char *ns)
{
	g_autofree char *out = NULL;
	char *argv[] = { "ip", "netns", "pids", (char *)ns, NULL };
	if (spawn(argv, &out) != 0 || !out)
		return;
	g_auto(GStrv) pids = g_strsplit(out, "\n", -1);
	for (int i = 0; pids[i]; i++)
		if (atoi(pids[i]) > 1)
			kill((pid_t)atoi(pids[i]), SIGKILL);
}

/* Remove what a state lists: VMs, then daemons (cables before switches:
 * taps vanish with them), then namespaces, each kind newest first; then the
 * run directory. What was never created is skipped. Idempotent. */
static int teardown(const char *dir, bool verbose)
{
	g_autoptr(LabState) st = state_load(dir);
	if (st) {
		for (guint i = st->domains->len; i-- > 0;) {
			const struct st_domain *d = &g_array_index(st->domains, struct st_domain, i);
			if (vm_remove(d->uri, d->name) && verbose)
				printf("  removing VM %s\n", d->name);
		}
		for (guint i = st->daemons->len; i-- > 0;) {
			const struct st_daemon *d = &g_array_index(st->daemons, struct st_daemon, i);
			if (verbose)
				printf("  stopping %s %s\n", d->kind, d->name);
			kill_pidfile(d->pidfile);
		}
		for (guint i = st->netns->len; i-- > 0;) {
			const char *ns = g_ptr_array_index(st->netns, i);
			g_autofree char *p = g_build_filename("/run/netns", ns, NULL);
			if (!g_file_test(p, G_FILE_TEST_EXISTS))
				continue;
			if (verbose)
				printf("  removing namespace %s\n", ns);
			kill_netns_procs(ns);
			char *argv[] = { "ip", "netns", "del", (char *)ns, NULL };
			spawn(argv, NULL);
		}
	}
	if (g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		char *argv[] = { "rm", "-rf", (char *)dir, NULL };
		spawn(argv, NULL);
	}
	return 0;
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
	char *argv[] = { bin, "-s", d, "-M", m, "-n", ports, "-d", "-p", pid, "--nostdin",
			 s->hub ? "-x" : NULL, NULL };
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
	g_autofree char *what = g_strdup_printf("switch %s (%d ports%s)", s->name, s->ports, s->hub ? ", hub" : "");
	progress(what, t0);
	return true;
}

/* Configure `port` of switch `sw` as untagged `vlan` plus tagged `trunk`. */
static bool setup_port(struct run *r, const char *sw, int port, int vlan, GArray *trunk, GString *err)
{
	g_autofree char *m = sw_mgmt(r, sw);
	if (!mgmtf(err, m, "port/create %d", port))
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
		if (!setup_port(r, s->name, port, f->vlan, f->trunk, err) ||
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
	if (!ip(err, "netns", "add", ns, NULL) || !ip(err, "-n", ns, "link", "set", "lo", "up", NULL))
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
		if (!setup_port(r, s->name, port, f->vlan, f->trunk, err))
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
	for (guint k = 0; k < n->files->len; k++) {
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
	if (!setup_port(r, s->name, port, 0, c->trunk, err))
		return false;
	g_autofree char *m = sw_mgmt(r, s->name);
	if (!mgmtf(err, m, "port/add cable://%s:%d@%s:%d?psk=%s %d", site_addr(r, s->site), base + me,
		   site_addr(r, o->site), base + 1 - me, r->key, port))
		return false;
	const char *imp = me == 0 ? c->imp_ab : c->imp_ba;
	if (imp && !mgmtf(err, m, "impair/set %d out %s", port, imp))
		return false;
	/* the other end's switch is on another host: "-" */
	g_autofree char *cname = g_strdup_printf("%s-%s", c->a, c->b);
	if (!st_ok(r, err, state_add_cable(r->st, cname, c->a, me == 0 ? port : -1, c->b, me == 1 ? port : -1)))
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
	if (!setup_port(r, a->name, pa, 0, c->trunk, err) || !setup_port(r, b->name, pb, 0, c->trunk, err))
		return false;
	g_autofree char *pid = g_strdup_printf("%s/cable-%u.pid", r->dir, idx);
	g_autofree char *bin = tool("vdelab-plug");
	g_autofree char *da = sw_dir(r, a->name), *db = sw_dir(r, b->name);
	g_autofree char *ua = g_strdup_printf("vde://%s[%d]", da, pa), *ub = g_strdup_printf("vde://%s[%d]", db, pb);
	g_autofree char *descr = g_strdup_printf("cable %s-%s", c->a, c->b);
	g_autofree char *cname = g_strdup_printf("%s-%s", c->a, c->b);
	if (!st_ok(r, err, state_add_daemon(r->st, "plug", cname, pid)))
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
	if (!st_ok(r, err, state_add_cable(r->st, cname, c->a, pa, c->b, pb)))
		return false;
	g_autofree char *what = g_strdup_printf("cable %s[%d] - %s[%d]", c->a, pa, c->b, pb);
	progress(what, t0);
	return true;
}

/* The VTEPs of a VXLAN segment that live on this host: a vxlan:// port on
 * the overlay switch, its socket in the VTEP node's namespace. */
static bool start_vxlan(struct run *r, const struct lab_vxlan *vx, GString *err)
{
	for (guint k = 0; k < vx->vteps->len; k++) {
		const struct lab_vtep *vt = g_ptr_array_index(vx->vteps, k);
		const struct lab_switch *s = lab_find_switch(r->lab, vt->sw);
		if (!is_local(r, s->site))
			continue;
		double t0 = now_s();
		g_autofree char *addr = lab_node_address(lab_find_node(r->lab, vt->node));
		g_autofree char *ns = ns_name(r->name, vt->node);
		GString *url = g_string_new(NULL);
		g_string_printf(url, "vxlan://%s:%d?", addr, vx->udp_port);
		if (vx->map)
			g_string_append_printf(url, "map=%s", vx->map);
		else
			g_string_append_printf(url, "vni=%d", vx->vni);
		for (guint o = 0; o < vx->vteps->len; o++) {
			const struct lab_vtep *ot = g_ptr_array_index(vx->vteps, o);
			if (o == k)
				continue;
			g_autofree char *oa = lab_node_address(lab_find_node(r->lab, ot->node));
			g_string_append_printf(url, "&remote=%s:%d", oa, vx->udp_port);
		}
		g_string_append_printf(url, "&netns=%s", ns);
		int port = alloc_port(r, s);
		GArray *trunk = g_array_new(FALSE, FALSE, sizeof(int));
		struct vxlan_map map = { 0 };
		char why[200];
		if (vx->map)
			vxlan_map_parse(vx->map, &map, why, sizeof(why)); /* checked at load */
		for (unsigned m = 0; m < map.n; m++) {
			int v = map.vlan[m];
			g_array_append_val(trunk, v);
		}
		bool ok = port >= 0 && setup_port(r, s->name, port, 0, trunk, err);
		g_array_free(trunk, TRUE);
		if (port < 0)
			g_string_printf(err, "vxlan: no free port on %s", s->name);
		g_autofree char *m = sw_mgmt(r, s->name);
		if (ok)
			ok = mgmtf(err, m, "port/add %s %d", url->str, port);
		g_string_free(url, TRUE);
		if (!ok)
			return false;
		if (!st_ok(r, err, state_add_tunnel(r->st, "vxlan", s->name, port, vt->node)))
			return false;
		g_autofree char *what = g_strdup_printf("vxlan %s %s[%d] via %s (%s)", vx->map ? vx->map : "vni",
							s->name, port, vt->node, addr);
		progress(what, t0);
	}
	return true;
}

static bool start_exec(struct run *r, const struct lab_exec *e, unsigned idx, GString *err)
{
	g_autofree char *ns = ns_name(r->name, e->node);
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
		execlp("ip", "ip", "netns", "exec", ns, "sh", "-c", e->cmd, (char *)NULL);
		_exit(127);
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

static void opt_common(GOptionContext *ctx)
{
	static GOptionEntry common[] = {
		{ "run-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_run_dir, "Where labs keep their state (default /run/vdelab)", "DIR" },
		{ "name", 'n', 0, G_OPTION_ARG_STRING, &opt_name, "Lab name (default: the file's lab name)", "NAME" },
		{ NULL }
	};
	g_option_context_add_main_entries(ctx, common, NULL);
}

static bool parse(GOptionContext *ctx, int *argc, char ***argv, const char *cmd)
{
	GError *e = NULL;
	opt_common(ctx);
	if (!g_option_context_parse(ctx, argc, argv, &e)) {
		fprintf(stderr, "labctl %s: %s\n", cmd, e->message);
		g_error_free(e);
		return false;
	}
	if (opt_name && !lab_name_ok(opt_name)) {
		fprintf(stderr, "labctl %s: --name \"%s\" is not a lab name (%s)\n", cmd, opt_name, LAB_NAME_RULE);
		return false;
	}
	return true;
}

/* The prologue of a subcommand: options (plus `extra`), --help text, and
 * exactly `nargs` positional arguments. False, after a message, if not. */
bool begin(int *argc, char ***argv, const char *cmd, const char *usage, const char *descr,
		  GOptionEntry *extra, int nargs, const char *what)
{
	GOptionContext *ctx = g_option_context_new(usage);
	if (descr)
		g_option_context_set_description(ctx, descr);
	if (extra)
		g_option_context_add_main_entries(ctx, extra, NULL);
	bool ok = parse(ctx, argc, argv, cmd);
	g_option_context_free(ctx);
	if (ok && *argc != nargs + 1) {
		fprintf(stderr, "labctl %s: which %s? (labctl %s --help)\n", cmd, what, cmd);
		ok = false;
	}
	return ok;
}

struct lab *load_or_report(const char *path)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	struct lab *lab = lab_load(path, errors);
	for (guint i = 0; i < errors->len; i++)
		fprintf(stderr, "%s\n", (char *)g_ptr_array_index(errors, i));
	g_ptr_array_free(errors, TRUE);
	return lab;
}

/* FILE or NAME -> lab name */
char *lab_name_of(const char *arg)
{
	if (opt_name)
		return g_strdup(opt_name);
	if (g_str_has_suffix(arg, ".xml")) {
		struct lab *lab = load_or_report(arg);
		if (!lab)
			return NULL;
		char *n = g_strdup(lab->name);
		lab_free(lab);
		return n;
	}
	if (!lab_name_ok(arg)) {
		fprintf(stderr, "labctl: \"%s\" is neither a lab file (.xml) nor a lab name (%s)\n", arg, LAB_NAME_RULE);
		return NULL;
	}
	return g_strdup(arg);
}

int run_up(int argc, char **argv)
{
	g_autofree char *site = NULL, *uri = NULL;
	GOptionEntry entries[] = {
		{ "site", 's', 0, G_OPTION_ARG_STRING, &site, "Bring up only this site's switches, nodes and cable ends", "SITE" },
		{ "libvirt-uri", 0, 0, G_OPTION_ARG_STRING, &uri, "libvirt connection for VM nodes (default qemu:///system)", "URI" },
		{ NULL }
	};
	if (!begin(&argc, &argv, "up", "FILE - bring a lab up on this host",
		   "Creates, in order and with a line per step: the switches, one network namespace\n"
		   "per node with its interfaces (taps made by the switch inside the namespace),\n"
		   "addresses, routes and forwarding, the cables, the VXLAN tunnels, then runs the\n"
		   "exec commands. A failure part-way removes what was created and says what failed\n"
		   "(exit 1).\n"
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
	struct run r = { .site = site, .uri = vm_uri(uri) };
	r.vms = g_ptr_array_new_with_free_func(vm_pending_free);
	double t0 = now_s();
	r.lab = load_or_report(argv[1]);
	if (!r.lab)
		return 1;
	r.name = g_strdup(opt_name ? opt_name : r.lab->name);
	if (!uri && site && lab_find_site(r.lab, site) && lab_find_site(r.lab, site)->libvirt)
		r.uri = lab_find_site(r.lab, site)->libvirt; /* the site's own libvirt */
	bool cross = false;
	for (guint i = 0; i < r.lab->cables->len; i++) {
		const struct lab_cable *c = g_ptr_array_index(r.lab->cables, i);
		const struct lab_switch *a = lab_find_switch(r.lab, c->a), *b = lab_find_switch(r.lab, c->b);
		cross |= a->site && strcmp(a->site, b->site) && (is_local(&r, a->site) || is_local(&r, b->site));
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
	for (guint i = 0; good && i < r.lab->vxlans->len; i++)
		good = start_vxlan(&r, g_ptr_array_index(r.lab->vxlans, i), err);
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
		teardown(r.dir, false);
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

int run_down(int argc, char **argv)
{
	if (!begin(&argc, &argv, "down", "LAB|FILE - remove everything a lab created on this host",
		   "Stops the lab's switches and cables (by the pid files it recorded, checking that\n"
		   "each pid is still one of them), ends the processes inside its namespaces, deletes\n"
		   "the namespaces and the run directory. Idempotent; works after kill -9 of labctl\n"
		   "or of any daemon; never touches what the lab did not create.",
		   NULL, 1, "lab"))
		return 2;
	g_autofree char *name = lab_name_of(argv[1]);
	if (!name)
		return 1;
	g_autofree char *dir = lab_dir(name);
	if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		printf("lab %s is not up\n", name);
		return 0;
	}
	printf("lab %s: down\n", name);
	teardown(dir, true);
	printf("lab %s is down\n", name);
	return 0;
}

/* The serial socket of VM node `node` of the lab in `dir`, or NULL (not a VM). */
static char *vm_serial_of(const char *dir, const char *node)
{
	g_autoptr(LabState) st = state_load(dir);
	return st && state_vmserial(st, node) ? g_strdup(state_vmserial(st, node)) : NULL;
}

static bool alive_pidfile(const char *pidfile)
{
	g_autofree char *txt = NULL;
	return g_file_get_contents(pidfile, &txt, NULL, NULL) && pid_is_ours((pid_t)atoi(txt), pidfile);
}

int run_status(int argc, char **argv)
{
	gboolean watch = FALSE;
	GOptionEntry entries[] = {
		{ "watch", 'w', 0, G_OPTION_ARG_NONE, &watch, "keep showing live counters, LEDs and rates as plain text (labctl top)", NULL },
		{ NULL }
	};
	if (!begin(&argc, &argv, "status", "LAB|FILE - show a running lab",
		   "Exit status: 0 if every daemon runs and every namespace exists, 1 if not,\n"
		   "3 if the lab is not up.", entries, 1, "lab"))
		return 2;
	if (watch) {
		char *targv[] = { "top", argv[1], NULL };
		return run_top(2, targv);
	}
	g_autofree char *name = lab_name_of(argv[1]);
	if (!name)
		return 1;
	g_autofree char *dir = lab_dir(name);
	g_autoptr(LabState) st = state_load(dir);
	if (!st) {
		printf("lab %s is not up\n", name);
		return 3;
	}
	int bad = 0;
	printf("lab %s (%s)\n", name, dir);
	if (st->site)
		printf("  site %s (this host's part)\n", st->site);
	for (guint i = 0; i < st->daemons->len; i++) {
		const struct st_daemon *d = &g_array_index(st->daemons, struct st_daemon, i);
		g_autofree char *base = g_path_get_basename(d->pidfile);
		bool up = alive_pidfile(d->pidfile);
		bad |= !up;
		printf("  %-30s %s\n", base, up ? "running" : "NOT RUNNING");
		if (up && !strcmp(d->kind, "switch")) {
			{
				g_autofree char *mg = state_switch_mgmt(st, d->name);
				g_autofree char *reply = NULL;
				if (mgmt(mg, "stats/ports", &reply) == 0) {
					g_auto(GStrv) pl = g_strsplit(reply, "\n", -1);
					for (int k = 0; pl[k]; k++)
						if (g_str_has_prefix(pl[k], "port="))
							printf("      %s\n", pl[k]);
				}
				/* tunnels and encrypted cables: peer, state, last receive, drops by reason */
				g_autofree char *info = NULL;
				if (mgmt(mg, "port/info", &info) == 0) {
					g_auto(GStrv) il = g_strsplit(info, "\n", -1);
					for (int k = 0; il[k]; k++)
						if (g_str_has_prefix(il[k], "port=") && strstr(il[k], " type="))
							printf("      tunnel %s\n", il[k]);
				}
			}
		}
	}
	for (guint i = 0; i < st->domains->len; i++) {
		const struct st_domain *d = &g_array_index(st->domains, struct st_domain, i);
		const char *vs = vm_state(d->uri, d->name);
		bad |= strcmp(vs, "running") != 0;
		printf("  %-30s VM %s\n", d->name, vs);
	}
	for (guint i = 0; i < st->netns->len; i++) {
		const char *ns = g_ptr_array_index(st->netns, i);
		g_autofree char *p = g_build_filename("/run/netns", ns, NULL);
		bool up = g_file_test(p, G_FILE_TEST_EXISTS);
		bad |= !up;
		printf("  %-30s %s\n", ns, up ? "present" : "MISSING");
	}
	return bad ? 1 : 0;
}

int run_exec(int argc, char **argv)
{
	/* labctl exec LAB NODE [-- CMD...] */
	int dd = -1;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			dd = i;
			break;
		}
	int nopt = dd < 0 ? argc : dd;
	GOptionContext *ctx = g_option_context_new("LAB NODE [-- COMMAND...] - run a command (or a shell) in a node");
	bool ok = parse(ctx, &nopt, &argv, "exec");
	g_option_context_free(ctx);
	if (!ok)
		return 2;
	if (nopt != 3) {
		fprintf(stderr, "labctl exec: expected LAB NODE [-- COMMAND...]\n");
		return 2;
	}
	g_autofree char *name = lab_name_of(argv[1]);
	if (!name)
		return 1;
	g_autofree char *ns = ns_name(name, argv[2]);
	g_autofree char *p = g_build_filename("/run/netns", ns, NULL);
	g_autofree char *dir0 = lab_dir(name);
	g_autofree char *serial = vm_serial_of(dir0, argv[2]);
	if (serial) { /* a VM: through its serial console */
		if (dd < 0 || dd + 1 >= argc)
			return vm_console(serial);
		g_autofree char *cmd = g_strjoinv(" ", argv + dd + 1), *out = NULL;
		int rc = vm_exec(serial, cmd, 60, &out);
		if (rc < 0) {
			fprintf(stderr, "labctl exec: %s: %s\n", argv[2], out);
			return 1;
		}
		fputs(out, stdout);
		return rc;
	}
	if (!g_file_test(p, G_FILE_TEST_EXISTS)) {
		fprintf(stderr, "labctl exec: node %s of lab %s is not up\n", argv[2], name);
		return 1;
	}
	GPtrArray *a = g_ptr_array_new();
	g_ptr_array_add(a, "ip");
	g_ptr_array_add(a, "netns");
	g_ptr_array_add(a, "exec");
	g_ptr_array_add(a, ns);
	if (dd < 0 || dd + 1 >= argc) {
		const char *sh = getenv("SHELL");
		g_ptr_array_add(a, (char *)(sh ? sh : "/bin/sh"));
	} else {
		for (int i = dd + 1; i < argc; i++)
			g_ptr_array_add(a, argv[i]);
	}
	g_ptr_array_add(a, NULL);
	execvp("ip", (char **)a->pdata);
	fprintf(stderr, "labctl exec: ip: %s\n", g_strerror(errno));
	return 127;
}

/* ---- checks ---- */

struct result {
	const struct lab_check *c;
	bool pass;
	double secs;
	char *detail;
};

static bool run_one(const char *labname, const struct lab *lab, const struct lab_check *c, char **detail)
{
	g_autofree char *ns = ns_name(labname, c->node);
	g_autofree char *dir = lab_dir(labname);
	g_autofree char *serial = vm_serial_of(dir, c->node);
	if (serial) { /* a VM node: the same check through its console */
		g_autofree char *out = NULL, *cmd = NULL;
		bool want_fail = c->ping && c->expect && !strcmp(c->expect, "fail");
		if (c->ping) {
			struct lab_node *t = lab_find_node(lab, c->ping);
			g_autofree char *addr = t ? lab_node_address(t) : g_strdup(c->ping);
			cmd = g_strdup_printf("ping -c 1 -W 1 %s >/dev/null", addr);
		} else {
			cmd = g_strdup(c->run);
		}
		int rc = vm_exec(serial, cmd, c->timeout_s < 2 ? 2 : c->timeout_s, &out);
		if (c->ping) {
			*detail = g_strdup_printf("ping %s %s (in the VM)", c->ping, rc == 0 ? "answered" : "got no answer");
			return want_fail ? rc != 0 : rc == 0;
		}
		bool ok = rc == c->exit_code && (!c->expect || g_regex_match_simple(c->expect, out ? out : "", 0, 0));
		g_autofree char *first = g_strndup(out ? out : "", strcspn(out ? out : "", "\n"));
		*detail = g_strdup_printf("exit %d%s%s (in the VM)", rc, *first ? ", output: " : "", first);
		return ok;
	}
	if (c->ping) {
		struct lab_node *t = lab_find_node(lab, c->ping);
		g_autofree char *addr = t ? lab_node_address(t) : g_strdup(c->ping);
		bool want_fail = c->expect && !strcmp(c->expect, "fail");
		char *argv[] = { "ip", "netns", "exec", ns, "ping", strchr(addr, ':') ? "-6" : "-4", "-c", "1", "-W", "1",
				 addr, NULL };
		int rc = spawn(argv, NULL);
		*detail = g_strdup_printf("ping %s %s", addr, rc == 0 ? "answered" : "got no answer");
		return want_fail ? rc != 0 : rc == 0;
	}
	g_autofree char *out = NULL;
	g_autofree char *limit = g_strdup_printf("%.0f", c->timeout_s < 1 ? 1 : c->timeout_s);
	char *argv[] = { "ip", "netns", "exec", ns, "timeout", limit, "sh", "-c", c->run, NULL };
	int rc = spawn(argv, &out);
	bool ok = rc == c->exit_code;
	if (ok && c->expect)
		ok = g_regex_match_simple(c->expect, out ? out : "", 0, 0);
	g_autofree char *first = g_strndup(out ? out : "", strcspn(out ? out : "", "\n"));
	*detail = g_strdup_printf("exit %d%s%s", rc, *first ? ", output: " : "", first);
	return ok;
}

int run_check(int argc, char **argv)
{
	g_autofree char *format = NULL;
	GOptionEntry entries[] = {
		{ "format", 'f', 0, G_OPTION_ARG_STRING, &format, "text (default), tap, json or junit", "FMT" },
		{ NULL }
	};
	if (!begin(&argc, &argv, "check", "FILE - run the lab's checks against the running lab",
		   "Each check is retried until it passes or its timeout (default 5 s) runs out, so\n"
		   "routing and ARP can settle. ping=NODE|ADDRESS [expect=\"fail\"]; run=\"CMD\" with\n"
		   "exit (default 0) and expect (a regular expression on the output).\n"
		   "Exit status: 0 if every check passes, 1 otherwise, 2 if the lab is not up.",
		   entries, 1, "lab file"))
		return 2;
	if (format && strcmp(format, "text") && strcmp(format, "tap") && strcmp(format, "json") && strcmp(format, "junit")) {
		fprintf(stderr, "labctl check: --format %s: expected text, tap, json or junit\n", format);
		return 2;
	}
	struct lab *lab = load_or_report(argv[1]);
	if (!lab)
		return 1;
	const char *name = opt_name ? opt_name : lab->name;
	/* a lab brought up with --site runs the checks of that site's nodes */
	g_autofree char *dir = lab_dir(name);
	g_autoptr(LabState) st = state_load(dir);
	if (!st) { /* not up: say so now instead of waiting out every timeout */
		fprintf(stderr, "labctl check: lab \"%s\" is not up (labctl up %s)\n", name, argv[1]);
		lab_free(lab);
		return 2;
	}
	const char *site = st->site;
	GArray *res = g_array_new(FALSE, TRUE, sizeof(struct result));
	unsigned failed = 0;
	for (guint i = 0; i < lab->checks->len; i++) {
		struct result r = { .c = g_ptr_array_index(lab->checks, i) };
		const struct lab_node *cn = lab_find_node(lab, r.c->node);
		if (site && cn->site && strcmp(cn->site, site))
			continue;
		double t0 = now_s();
		do {
			g_free(r.detail);
			r.pass = run_one(name, lab, r.c, &r.detail);
			if (r.pass || (r.c->ping && r.c->expect && !strcmp(r.c->expect, "fail")))
				break;
			g_usleep(200000);
		} while (now_s() - t0 < r.c->timeout_s);
		r.secs = now_s() - t0;
		failed += !r.pass;
		g_array_append_val(res, r);
	}
	bool tap = format && !strcmp(format, "tap"), json = format && !strcmp(format, "json");
	bool junit = format && !strcmp(format, "junit");
	if (tap)
		printf("1..%u\n", res->len);
	if (json)
		printf("{\"lab\": \"%s\", \"checks\": [", name);
	if (junit) {
		g_autofree char *n = g_markup_escape_text(name, -1);
		printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"%s\" tests=\"%u\" failures=\"%u\">\n",
		       n, res->len, failed);
	}
	for (guint i = 0; i < res->len; i++) {
		struct result *r = &g_array_index(res, struct result, i);
		g_autofree char *label = r->c->name ? g_strdup(r->c->name) :
			g_strdup_printf("%s: %s %s", r->c->node, r->c->ping ? "ping" : "run", r->c->ping ? r->c->ping : r->c->run);
		if (junit) {
			g_autofree char *l = g_markup_escape_text(label, -1), *d = g_markup_escape_text(r->detail, -1);
			printf("  <testcase classname=\"%s\" name=\"%s\" time=\"%.2f\">", r->c->node, l, r->secs);
			if (!r->pass)
				printf("<failure message=\"%s\"/>", d);
			printf("</testcase>\n");
		} else if (tap) {
			printf("%s %u - %s # %s\n", r->pass ? "ok" : "not ok", i + 1, label, r->detail);
		} else if (json) {
			g_autofree char *l = g_strescape(label, NULL), *d = g_strescape(r->detail, NULL);
			printf("%s\n  {\"name\": \"%s\", \"line\": %d, \"pass\": %s, \"seconds\": %.2f, \"detail\": \"%s\"}",
			       i ? "," : "", l, r->c->line, r->pass ? "true" : "false", r->secs, d);
		} else {
			printf("%s  %-50s %5.2f s  %s\n", r->pass ? "PASS" : "FAIL", label, r->secs, r->detail);
		}
		g_free(r->detail);
	}
	if (json)
		printf("\n], \"passed\": %u, \"failed\": %u}\n", res->len - failed, failed);
	else if (junit)
		printf("</testsuite>\n");
	else if (!tap)
		printf("%u passed, %u failed\n", res->len - failed, failed);
	g_array_free(res, TRUE);
	lab_free(lab);
	return failed ? 1 : 0;
}

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
		g_autofree char *rev = g_strdup_printf("%s-%s", c->sw[1], c->sw[0]);
		bool fwd = !strcmp(c->name, target), back = !strcmp(rev, target);
		if (!fwd && !back)
			continue;
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
			g_autofree char *why = reply_reason(reply);
			g_string_printf(err, "%s", why);
			rc = 1;
		}
	}
	for (guint i = 0; i < ends->len; i++)
		g_free(g_array_index(ends, struct link_end, i).sw);
	g_array_free(ends, TRUE);
	return rc;
}

int run_link(int argc, char **argv)
{
	GOptionContext *ctx = g_option_context_new("set|show|reset LAB [TARGET [DIR] [SPEC]] - impairments of a running lab's links");
	g_option_context_set_description(ctx,
		"  labctl link show LAB\n"
		"  labctl link set LAB NODE:IF [in|out|both] 'delay=40ms loss=1% rate=10Mbit'\n"
		"  labctl link set LAB SW1-SW2 [ab|ba|both] 'loss=5%'\n"
		"  labctl link reset LAB [TARGET]\n"
		"in/out are seen from the node; ab/ba follow the cable's a= and b=. Values use the\n"
		"impairment syntax of vdelab-plug --help; a bad value changes nothing. Changes\n"
		"apply to the next frame.");
	bool ok = parse(ctx, &argc, &argv, "link");
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
	if (!strcmp(argv[1], "show") || (!strcmp(argv[1], "reset") && argc == 3)) {
		g_autoptr(LabState) st = state_load(dir);
		if (!st) {
			fprintf(stderr, "labctl link: lab %s is not up\n", name);
			return 3;
		}
		if (!strcmp(argv[1], "reset")) {
			for (guint i = 0; i < st->daemons->len; i++) {
				const struct st_daemon *d = &g_array_index(st->daemons, struct st_daemon, i);
				g_autofree char *m = state_switch_mgmt(st, d->name);
				if (!strcmp(d->kind, "switch") && m)
					mgmt(m, "impair/clear", NULL);
			}
			printf("lab %s: every link reset\n", name);
			return 0;
		}
		const char *only = argc > 3 ? argv[3] : NULL; /* NODE, NODE:IF or a cable */
		bool shown = false;
		for (guint i = 0; i < st->links->len + st->cables->len; i++) {
			const struct st_link *l = i < st->links->len ? &g_array_index(st->links, struct st_link, i) : NULL;
			const struct st_cable *c = l ? NULL : &g_array_index(st->cables, struct st_cable, i - st->links->len);
			g_autofree char *label = l ? g_strdup_printf("%s:%s", l->node, l->ifname) : g_strdup(c->name);
			if (only && strcmp(only, label) && !(l && !strcmp(only, l->node)))
				continue;
			shown = true;
			printf("%s %s\n", l ? "link" : "cable", label);
			for (int e = 0; e < (l ? 1 : 2); e++) {
				const char *sw = l ? l->sw : c->sw[e];
				int port = l ? l->port : c->port[e];
				if (port < 0) {
					printf("  %s (on another site)\n", sw);
					continue;
				}
				g_autofree char *m = state_switch_mgmt(st, sw);
				g_autofree char *cmd = g_strdup_printf("impair/show %d", port);
				g_autofree char *reply = NULL;
				if (m)
					mgmt(m, cmd, &reply);
				g_auto(GStrv) rl = g_strsplit(reply ? reply : "", "\n", -1);
				bool any = false;
				for (int k = 0; rl[k]; k++)
					if (g_str_has_prefix(rl[k], "port=") && !strstr(rl[k], "offered=")) {
						printf("  %s %s\n", sw, rl[k]);
						any = true;
					}
				if (!any)
					printf("  %s port=%d none\n", sw, port);
			}
		}
		if (only && !shown) {
			fprintf(stderr, "labctl link show: no link \"%s\"\n", only);
			return 1;
		}
		return 0;
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
	rc = link_apply(dir, target, dirw, !strcmp(argv[1], "set") ? spec : NULL, err);
	if (rc)
		fprintf(stderr, "labctl link %s: %s\n", argv[1], err->str);
	g_string_free(err, TRUE);
	return rc;
}

/* ---- capture ---- */

/* TARGET -> the switch port it means: NODE:IF or NODE (its switch port),
 * SWITCH:PORT, or a cable SW1-SW2 (its end on SW1, or SW2 if SW1 is on
 * another site). */
static bool resolve_port(const char *dir, const char *target, char **sw, int *port, GString *err)
{
	g_autoptr(LabState) st = state_load(dir);
	if (!st) {
		g_string_printf(err, "the lab is not up");
		return false;
	}
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
		g_autofree char *rev = g_strdup_printf("%s-%s", c->sw[1], c->sw[0]);
		if (strcmp(c->name, target) && strcmp(rev, target))
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

/* The first line of a console reply that is not the protocol's. */
char *reply_reason(const char *reply)
{
	g_auto(GStrv) rl = g_strsplit(reply ? reply : "", "\n", -1);
	for (int k = 0; rl[k]; k++)
		if (*rl[k] && !g_str_has_prefix(rl[k], "0000") && strcmp(rl[k], "."))
			return g_strdup(g_strstrip(rl[k]));
	return g_strdup("refused");
}

static volatile sig_atomic_t cap_stop;
static void on_cap_signal(int sig) { (void)sig; cap_stop = 1; }

/* Copy what `fd` has beyond *off to stdout. False if stdout is gone. */
static bool follow(int fd, off_t *off)
{
	char buf[65536];
	ssize_t r;
	while ((r = pread(fd, buf, sizeof(buf), *off)) > 0) {
		for (ssize_t w = 0; w < r;) {
			ssize_t k = write(STDOUT_FILENO, buf + w, (size_t)(r - w));
			if (k <= 0)
				return false;
			w += k;
		}
		*off += r;
	}
	return true;
}

int run_capture(int argc, char **argv)
{
	g_autofree char *file = NULL, *filter = NULL, *at = NULL;
	gint count = 0;
	gdouble duration = 0;
	gboolean force = FALSE;
	GOptionEntry entries[] = {
		{ "write", 'w', 0, G_OPTION_ARG_FILENAME, &file, "pcap file to write; - streams pcap to stdout (default: the run directory)", "FILE" },
		{ "force", 0, 0, G_OPTION_ARG_NONE, &force, "replace FILE if it exists (the switch itself creates new files only)", NULL },
		{ "filter", 'f', 0, G_OPTION_ARG_STRING, &filter, "BPF filter, tcpdump syntax (pcap-filter(7))", "EXPR" },
		{ "count", 'c', 0, G_OPTION_ARG_INT, &count, "stop after N frames", "N" },
		{ "duration", 'd', 0, G_OPTION_ARG_DOUBLE, &duration, "stop after S seconds", "S" },
		{ "at", 0, 0, G_OPTION_ARG_STRING, &at, "wire (default: as on the cable, outside the port's impairments) or switch (inside them)", "POINT" },
		{ NULL }
	};
	if (!begin(&argc, &argv, "capture", "LAB TARGET - capture a port of a running lab to pcap",
		   "TARGET: NODE:IF (or NODE for its first interface), SWITCH:PORT, or a cable\n"
		   "SW1-SW2. Both directions are captured, with nanosecond timestamps. Runs until\n"
		   "--count or --duration is reached or Ctrl-C, then prints how many frames it\n"
		   "wrote (on stderr). Live view:\n"
		   "  labctl capture vlans sw1-sw2 -w - | tshark -r -\n"
		   "  labctl capture overlay vtep1 -f 'udp port 4789' -c 10 -w vx.pcap",
		   entries, 2, "lab and target"))
		return 2;
	if (at && strcmp(at, "wire") && strcmp(at, "switch")) {
		fprintf(stderr, "labctl capture: --at %s: expected wire or switch\n", at);
		return 2;
	}
	g_autofree char *name = lab_name_of(argv[1]);
	if (!name)
		return 1;
	g_autofree char *dir = lab_dir(name);
	GString *err = g_string_new(NULL);
	g_autofree char *sw = NULL;
	int port = 0;
	if (!resolve_port(dir, argv[2], &sw, &port, err)) {
		fprintf(stderr, "labctl capture: %s\n", err->str);
		g_string_free(err, TRUE);
		return 1;
	}
	g_string_free(err, TRUE);
	bool to_stdout = file && !strcmp(file, "-");
	g_autofree char *path = NULL;
	if (to_stdout) {
		path = g_strdup_printf("%s/capture-%d.pcap", dir, (int)getpid());
	} else if (file) {
		path = g_canonicalize_filename(file, NULL);
		struct stat st;
		if (lstat(path, &st) == 0) {
			if (!force || !S_ISREG(st.st_mode)) {
				fprintf(stderr, "labctl capture: %s exists%s\n", path,
					S_ISREG(st.st_mode) ? " (--force replaces it)" : " and is not a regular file");
				return 1;
			}
			unlink(path);
		}
	} else {
		path = capture_file(dir, argv[2]);
	}
	g_autofree char *m = sw_mgmt(&(struct run){ .dir = dir }, sw);
	g_autofree char *cnt = count > 0 ? g_strdup_printf(" count=%d", count) : g_strdup("");
	g_autofree char *cmd = g_strdup_printf("capture/start %d %s%s at=%s %s", port, path, cnt,
					       at ? at : "wire", filter ? filter : "");
	g_autofree char *reply = NULL;
	if (mgmt(m, cmd, &reply) != 0) {
		g_autofree char *why = reply_reason(reply);
		fprintf(stderr, "labctl capture: %s port %d: %s\n", sw, port, why);
		return 1;
	}
	fprintf(stderr, "capturing %s (switch %s port %d) into %s\n", argv[2], sw, port, to_stdout ? "stdout" : path);
	struct sigaction sa = { .sa_handler = on_cap_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	int fd = to_stdout ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	off_t off = 0;
	double t0 = now_s();
	g_autofree char *last = NULL;
	while (!cap_stop) {
		g_usleep(100000);
		if (fd >= 0 && !follow(fd, &off))
			break; /* the reader went away */
		if (duration > 0 && now_s() - t0 >= duration)
			break;
		g_autofree char *show = NULL;
		mgmt(m, "capture/show", &show);
		g_auto(GStrv) sl = g_strsplit(show ? show : "", "\n", -1);
		g_autofree char *pfx = g_strdup_printf("port=%d ", port);
		bool running = false;
		for (int k = 0; sl[k]; k++)
			if (g_str_has_prefix(sl[k], pfx)) {
				g_free(last);
				last = g_strdup(sl[k]);
				running = strstr(sl[k], "state=running") != NULL;
			}
		if (!running)
			break;
	}
	g_autofree char *stop = g_strdup_printf("capture/stop %d", port);
	mgmt(m, stop, NULL);
	if (fd >= 0) {
		follow(fd, &off);
		close(fd);
		unlink(path);
	}
	const char *w = last ? strstr(last, "written=") : NULL;
	const char *e = last ? strstr(last, "state=error: ") : NULL;
	fprintf(stderr, "%d frames captured%s%s\n", w ? atoi(w + 8) : 0, to_stdout ? "" : " in ", to_stdout ? "" : path);
	if (e) {
		fprintf(stderr, "labctl capture: the capture stopped: %s\n", e + 13);
		return 1;
	}
	return 0;
}
