/* vdelab-switch - a VDE-compatible Ethernet switch on the vdelab core.
 *
 * Options follow vde_switch(1) so existing scripts keep working; see --help.
 */
#include "swd.h"
#include "../core/frame.h"
#include "../core/daemon.h"
#include "../core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../core/version.h"

static void update_events(struct swd *d, struct port_io *pio)
{
	bool paused = sw_port_paused(&d->sw, pio->port) && !d->pause_overridden;
	uint32_t ev = (paused ? 0 : EPOLLIN) | (pio->blocked ? EPOLLOUT : 0);
	loop_mod(&d->loop, &pio->dw, ev);
}

static void on_blocked(struct sw *sw, uint16_t port, bool blocked)
{
	struct swd *d = sw->owner;
	struct port_io *pio = sw->ports[port].owner;
	if (!pio)
		return;
	pio->blocked = blocked;
	update_events(d, pio);
}

static void set_all_events(struct swd *d)
{
	for (unsigned p = 0; p < d->sw.nports; p++)
		if (d->sw.ports[p].ep && d->sw.ports[p].owner)
			update_events(d, d->sw.ports[p].owner);
}

/* Back-pressure on one input (sw.h): only the ports that feed a congested
 * output stop being read. */
static void on_pause(struct sw *sw, uint16_t port, bool pause)
{
	struct swd *d = sw->owner;
	if (pause && sw->npaused == 1) {
		/* for a while: a client that never reads must not freeze its
		 * senders, so after PAUSE_MAX_MS we drop instead */
		loop_timer_arm(&d->pause_timer, loop_now_ns() + PAUSE_MAX_MS * 1000000ull);
	} else if (!pause && sw->npaused == 0) {
		loop_timer_arm(&d->pause_timer, 0);
		if (d->pause_overridden) {
			d->pause_overridden = false;
			set_all_events(d);
		}
	}
	struct port_io *pio = port < sw->nports ? sw->ports[port].owner : NULL;
	if (pio && sw->ports[port].ep)
		update_events(d, pio);
}

static void on_pause_timer(struct loop *l, struct loop_timer *t)
{
	struct swd *d = t->arg;
	(void)l;
	if (d->sw.npaused) {
		d->pause_overridden = true;
		set_all_events(d);
	}
}

void swd_impair_kick(struct swd *d)
{
	if (!d->sw.nimpaired)
		return;
	sw_impair_run(&d->sw, loop_now_ns());
	uint64_t t = sw_impair_next_ns(&d->sw);
	loop_timer_arm(&d->impair_timer, t == UINT64_MAX ? 0 : (t ? t : 1));
}

static void on_impair_timer(struct loop *l, struct loop_timer *t)
{
	(void)l;
	swd_impair_kick(t->arg);
}

static void on_data(struct loop *l, struct loop_watch *w, uint32_t ev)
{
	struct port_io *pio = w->arg;
	struct swd *d = pio->d;
	uint16_t port = pio->port;
	(void)l;

	if (ev & EPOLLOUT) {
		d->st.tx_wakeups++;
		sw_port_drain(&d->sw, port);
	}
	if (!(ev & (EPOLLIN | EPOLLERR | EPOLLHUP)))
		return;
	for (int round = 0; round < 8; round++) {
		struct ep *ep = d->sw.ports[port].ep;
		if (!ep)
			return;
		int n = ep_recv_batch(ep, d->rxp, VPKT_BURST);
		if (n < 0) {
			log_msg(LOG_INFO, "port %u: endpoint %s closed: %s", port, ep->url, strerror(-n));
			swd_port_close(d, port);
			return;
		}
		if (n > 0) {
			d->st.rx_batches++;
			d->st.rx_frames += (unsigned)n;
			sw_input(&d->sw, port, d->rxp, (unsigned)n, loop_now_ns());
			sw_flush(&d->sw);
			swd_impair_kick(d);
		}
		if (!ep->rx_pending)
			return;
	}
}

static void on_ctl(struct loop *l, struct loop_watch *w, uint32_t ev)
{
	struct port_io *pio = w->arg;
	struct ep *ep = pio->d->sw.ports[pio->port].ep;
	(void)l;
	(void)ev;
	if (ep && ep->cls->ctl_event && ep->cls->ctl_event(ep) == 0)
		return;
	log_msg(LOG_DEBUG, "port %u: client left", pio->port);
	swd_port_close(pio->d, pio->port);
}

int swd_port_attach(struct swd *d, unsigned port, struct ep *ep, const char *sockpath, uint32_t epid)
{
	struct port_io *pio = calloc(1, sizeof(*pio));
	if (!pio)
		return ENOMEM;
	int rc = sw_port_attach(&d->sw, port, ep);
	if (rc) {
		free(pio);
		return rc;
	}
	pio->d = d;
	pio->port = (uint16_t)port;
	pio->epid = epid;
	snprintf(pio->sockpath, sizeof(pio->sockpath), "%s", sockpath ? sockpath : "");
	pio->dw.fd = ep->fd;
	pio->dw.cb = on_data;
	pio->dw.arg = pio;
	pio->cw.fd = ep->ctl_fd;
	pio->cw.cb = on_ctl;
	pio->cw.arg = pio;
	d->sw.ports[port].owner = pio;
	swd_stp_port_up(d, port);
	bool paused = sw_port_paused(&d->sw, (uint16_t)port) && !d->pause_overridden;
	if ((ep->fd >= 0 && (rc = loop_add(&d->loop, &pio->dw, paused ? 0 : EPOLLIN))) ||
	    (ep->ctl_fd >= 0 && (rc = loop_add(&d->loop, &pio->cw, EPOLLIN | EPOLLRDHUP)))) {
		if (ep->fd >= 0)
			loop_del(&d->loop, &pio->dw);
		swd_stp_port_down(d, port);
		sw_port_detach(&d->sw, port);
		d->sw.ports[port].owner = NULL;
		free(pio);
		return rc;
	}
	swd_event_ep(d, true, port, epid, ep->descr[0] ? ep->descr : ep->url);
	return 0;
}

void swd_port_close(struct swd *d, unsigned port)
{
	struct sw_port *p = &d->sw.ports[port];
	struct port_io *pio = p->owner;
	if (!p->ep)
		return;
	uint32_t epid = pio ? pio->epid : 0; /* pio may be freed below */
	if (pio) {
		if (p->ep->fd >= 0)
			loop_del(&d->loop, &pio->dw);
		if (p->ep->ctl_fd >= 0)
			loop_del(&d->loop, &pio->cw);
		if (pio->sockpath[0])
			unlink(pio->sockpath);
		loop_free_later(&d->loop, pio);
	}
	p->owner = NULL;
	struct ep_stats *c = &d->st.closed, *e = &p->ep->st;
	c->rx_runt += e->rx_runt;
	c->rx_oversize += e->rx_oversize;
	c->rx_errors += e->rx_errors;
	c->tx_errors += e->tx_errors;
	swd_stp_port_down(d, port);
	struct ep *ep = sw_port_detach(&d->sw, port);
	ep_close(ep);
	swd_event_ep(d, false, port, epid, NULL);
	if (!p->exists) /* an auto-allocated port goes back to the pool */
		swd_event_port(d, false, port);
}

static void on_tick(struct loop *l, struct loop_timer *t)
{
	struct swd *d = t->arg;
	uint64_t now = loop_now_ns();
	(void)l;
	if (now >= d->next_gc_ns) {
		sw_tick(&d->sw, now);
		d->next_gc_ns = now + (uint64_t)d->gc_interval_s * 1000000000ull - 500000000ull;
	}
	stp_tick(d->stp);
	ds_sweep(d, now);
	console_sweep(&d->cs, now);
	loop_timer_arm(t, now + 1000000000ull);
}

void swd_timers_start(struct swd *d)
{
	d->tick.cb = on_tick;
	d->tick.arg = d;
	loop_timer_add(&d->loop, &d->tick);
	loop_timer_arm(&d->tick, loop_now_ns() + 1000000000ull);
	d->impair_timer.cb = on_impair_timer;
	d->impair_timer.arg = d;
	loop_timer_add(&d->loop, &d->impair_timer);
	d->pause_timer.cb = on_pause_timer;
	d->pause_timer.arg = d;
	loop_timer_add(&d->loop, &d->pause_timer);
}

static void on_console_shutdown(struct console_server *cs)
{
	struct swd *d = cs->ctx;
	log_msg(LOG_INFO, "shutdown requested");
	loop_stop(&d->loop);
}

static int parse_mode(const char *s, unsigned *out)
{
	char *e;
	unsigned long v = strtoul(s, &e, 8);
	if (!*s || *e || v > 07777)
		return EINVAL;
	*out = (unsigned)v;
	return 0;
}

static int parse_group(const char *s, gid_t *out)
{
	struct group *g = getgrnam(s);
	if (g) {
		*out = g->gr_gid;
		return 0;
	}
	char *e;
	unsigned long v = strtoul(s, &e, 10);
	if (!*s || *e)
		return ENOENT;
	*out = (gid_t)v;
	return 0;
}

/* %s: the endpoint schemes, then the impairment keys, from their tables */
static const char description[] =
	"A VDE-compatible Ethernet switch: MAC learning, 802.1Q VLANs, hub mode and a\n"
	"flow cache. Clients connect as to vde_switch: QEMU -nic vde,sock=DIR, vde_plug DIR,\n"
	"vdelab-plug vde://DIR[N]. The management socket (-M) speaks the vde_switch console\n"
	"protocol (vdeterm, unixterm); type 'help' there for the commands.\n"
	"\n"
	"Extra ports: -t TAP (a Linux tap, created if needed) and -u URL attach at start;\n"
	"the console command port/add URL attaches one at runtime. URLs:\n"
	"%s"
	"\n"
	"Examples:\n"
	"  vdelab-switch -s /tmp/sw1 -M /tmp/sw1.mgmt -d -p /tmp/sw1.pid\n"
	"  vdelab-switch -s /tmp/sw2 -n 64 -u udp://5000@127.0.0.1:5001 --nostdin\n"
	"\n"
	"Impairments per port and direction: console impair/set PORT in|out|both SPEC,\n"
	"e.g. impair/set 3 out delay=40ms loss=1%% rate=10Mbit. Keys:\n"
	"%s"
	"\n"
	"Exit status: 0 after SIGTERM/SIGINT/SIGHUP or the 'shutdown' command, 1 on a setup\n"
	"error. On exit the switch closes every port (clients see EOF), removes DIR/ctl,\n"
	"the data sockets, DIR if empty, the management socket and the pid file.";

int main(int argc, char **argv)
{
	static struct swd D;
	struct swd *d = &D;
	g_autofree gchar *sock = NULL, *mode = NULL, *dirmode = NULL, *group = NULL, *mgmt = NULL;
	g_autofree gchar *mgmtmode = NULL, *mgmtgroup = NULL, *pidfile = NULL, *rcfile = NULL;
	g_autofree gchar *macaddr = NULL;
	g_auto(GStrv) taps = NULL;
	g_auto(GStrv) urls = NULL;
	gint numports = SW_DEFAULT_PORTS, hashsize = FDB_DEFAULT_MAX, expire = FDB_DEFAULT_AGE_S;
	gboolean hub = FALSE, daemonize = FALSE, nostdin = FALSE, noflowcache = FALSE;
	gboolean verbose = FALSE, version = FALSE, fstp = FALSE;
	g_autofree gchar *stpmode = NULL, *priority = NULL;
	gint64 seed = -1;
	gint debugclients = 0;
	GOptionEntry entries[] = {
		{ "sock", 's', 0, G_OPTION_ARG_FILENAME, &sock, "Switch directory (default /var/run/vde.ctl as root, else /tmp/vde.ctl)", "DIR" },
		{ "mode", 'm', 0, G_OPTION_ARG_STRING, &mode, "Mode of DIR/ctl and the data sockets, octal (default 0600)", "MODE" },
		{ "dirmode", 0, 0, G_OPTION_ARG_STRING, &dirmode, "Mode of DIR, octal (default 02700, or derived from -m)", "MODE" },
		{ "group", 'g', 0, G_OPTION_ARG_STRING, &group, "Group owning DIR and its sockets", "GROUP" },
		{ "mgmt", 'M', 0, G_OPTION_ARG_FILENAME, &mgmt, "Management console socket", "SOCK" },
		{ "mgmtmode", 0, 0, G_OPTION_ARG_STRING, &mgmtmode, "Mode of the management socket (default 0600)", "MODE" },
		{ "mgmtgroup", 0, 0, G_OPTION_ARG_STRING, &mgmtgroup, "Group of the management socket", "GROUP" },
		{ "numports", 'n', 0, G_OPTION_ARG_INT, &numports, "Number of ports, 0..N-1 (default 32)", "N" },
		{ "hub", 'x', 0, G_OPTION_ARG_NONE, &hub, "Hub mode: repeat every frame to every other port", NULL },
		{ "tap", 't', 0, G_OPTION_ARG_STRING_ARRAY, &taps, "Attach tap device TAP to a free port (repeatable)", "TAP" },
		{ "url", 'u', 0, G_OPTION_ARG_STRING_ARRAY, &urls, "Attach endpoint URL to a free port (repeatable)", "URL" },
		{ "daemon", 'd', 0, G_OPTION_ARG_NONE, &daemonize, "Run in the background, log to syslog", NULL },
		{ "pidfile", 'p', 0, G_OPTION_ARG_FILENAME, &pidfile, "Write the pid to FILE", "FILE" },
		{ "rcfile", 'f', 0, G_OPTION_ARG_FILENAME, &rcfile, "Run the console commands in FILE at start", "FILE" },
		{ "fstp", 'F', 0, G_OPTION_ARG_NONE, &fstp, "Run the spanning tree (RSTP, IEEE 802.1D-2004; vde_switch's -F)", NULL },
		{ "stp", 0, 0, G_OPTION_ARG_STRING, &stpmode, "Spanning tree mode: rstp (default with -F), stp (802.1D-1998 BPDUs only) or off", "MODE" },
		{ "priority", 0, 0, G_OPTION_ARG_STRING, &priority, "Bridge priority, a multiple of 4096 (default 32768 = 0x8000)", "N" },
		{ "macaddr", 0, 0, G_OPTION_ARG_STRING, &macaddr, "Switch MAC address (default 00:ff + 4 random bytes)", "MAC" },
		{ "hashsize", 0, 0, G_OPTION_ARG_INT, &hashsize, "Maximum MAC table entries (default 8192; vde_switch's 128 is too few for a lab of VMs, so OVS's default)", "N" },
		{ "expire", 0, 0, G_OPTION_ARG_INT, &expire, "MAC aging time in seconds (default 300, IEEE 802.1D and Linux; vde_switch's is 100)", "S" },
		{ "nostdin", 0, 0, G_OPTION_ARG_NONE, &nostdin, "Never use stdin as a console", NULL },
		{ "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the port impairments' RNG (reproducible runs)", "N" },
		{ "no-flowcache", 0, 0, G_OPTION_ARG_NONE, &noflowcache, "Start with the flow cache off (for benchmarks)", NULL },
		{ "debugclients", 'D', 0, G_OPTION_ARG_INT, &debugclients, "At most N consoles at once may listen to debug/ events (default: any)", "N" },
		{ "verbose", 0, 0, G_OPTION_ARG_NONE, &verbose, "Log each client that connects or leaves", NULL },
		{ "version", 'v', 0, G_OPTION_ARG_NONE, &version, "Print the version and exit (as vde_switch -v; -V too)", NULL },
		{ "V", 'V', G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &version, NULL, NULL },
		{ NULL }
	};
	GError *gerr = NULL;
	GOptionContext *ctx = g_option_context_new("- VDE-compatible switch");
	g_option_context_add_main_entries(ctx, entries, NULL);
	static char eps[4096], keys[4096];
	ep_help(eps, sizeof(eps), 2);
	impair_help(keys, sizeof(keys), 2);
	g_autofree char *help = g_strdup_printf(description, eps, keys);
	g_option_context_set_description(ctx, help);
	log_init("vdelab-switch");
	/* vde_switch(1)'s single-dash long forms (-hub, -sock...) and its other
	 * spellings (--vdesock, --unix) become the options they mean */
	static const char *const alias[][2] = {
		{ "-hub", "--hub" }, { "-sock", "--sock" }, { "-mod", "--mode" }, { "-mode", "--mode" },
		{ "-group", "--group" }, { "-daemon", "--daemon" }, { "-tap", "--tap" }, { "-pidfile", "--pidfile" },
		{ "-mgmt", "--mgmt" }, { "-fstp", "--fstp" }, { "-priority", "--priority" }, { "-macaddr", "--macaddr" }, { "-numports", "--numports" }, { "-rcfile", "--rcfile" },
		{ "--vdesock", "--sock" }, { "--unix", "--sock" }, { "-vdesock", "--sock" }, { "-unix", "--sock" },
		{ "--mod", "--mode" },
	};
	for (int i = 1; i < argc; i++)
		for (size_t k = 0; k < G_N_ELEMENTS(alias); k++)
			if (!strcmp(argv[i], alias[k][0]))
				argv[i] = (char *)alias[k][1];
	if (!g_option_context_parse(ctx, &argc, &argv, &gerr)) {
		fprintf(stderr, "vdelab-switch: %s (try --help)\n", gerr->message);
		g_error_free(gerr);
		g_option_context_free(ctx);
		return 1;
	}
	g_option_context_free(ctx);
	if (version) {
		printf("vdelab-switch %s (the switch of VDE 2.3.2, its protocol and console)\n", VDELAB_VERSION);
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "vdelab-switch: unexpected argument \"%s\" (try --help)\n", argv[1]);
		return 1;
	}
	log_set_verbose(verbose);
	if (debugclients < 0) {
		fprintf(stderr, "vdelab-switch: -D %d: expected a number of consoles, 0 or more\n", debugclients);
		return 2;
	}
	d->cs.max_debug = (unsigned)debugclients;

	d->ctlmode = 0600;
	d->dirmode = 02700;
	d->gid = (gid_t)-1;
	d->mgmt_mode = 0600;
	gid_t mgid = (gid_t)-1;
	if (mode && parse_mode(mode, &d->ctlmode)) {
		fprintf(stderr, "vdelab-switch: -m %s: not an octal mode\n", mode);
		return 1;
	}
	if (mode && !dirmode) /* vde-2: x bits where r is set, plus setgid */
		d->dirmode = 02000 | (d->ctlmode & 0777) | ((d->ctlmode & 0444) >> 2);
	if (dirmode && parse_mode(dirmode, &d->dirmode)) {
		fprintf(stderr, "vdelab-switch: --dirmode %s: not an octal mode\n", dirmode);
		return 1;
	}
	if (group && parse_group(group, &d->gid)) {
		fprintf(stderr, "vdelab-switch: -g %s: no such group\n", group);
		return 1;
	}
	if (mgmtmode && parse_mode(mgmtmode, &d->mgmt_mode)) {
		fprintf(stderr, "vdelab-switch: --mgmtmode %s: not an octal mode\n", mgmtmode);
		return 1;
	}
	if (mgmtgroup && parse_group(mgmtgroup, &mgid)) {
		fprintf(stderr, "vdelab-switch: --mgmtgroup %s: no such group\n", mgmtgroup);
		return 1;
	}
	if (numports < 1 || numports > SW_MAX_PORTS) {
		fprintf(stderr, "vdelab-switch: -n %d: the number of ports must be 1..%d\n", numports, SW_MAX_PORTS);
		return 1;
	}
	if (hashsize < 1 || hashsize > (1 << 24) || expire < 1) {
		fprintf(stderr, "vdelab-switch: --hashsize must be 1..%d and --expire >= 1\n", 1 << 24);
		return 1;
	}
	if (macaddr) {
		if (mac_parse(macaddr, d->mac)) {
			fprintf(stderr, "vdelab-switch: --macaddr %s: expected aa:bb:cc:dd:ee:ff\n", macaddr);
			return 1;
		}
	} else {
		d->mac[0] = 0x00;
		d->mac[1] = 0xff;
		if (getrandom(d->mac + 2, 4, 0) != 4)
			memset(d->mac + 2, 0x42, 4);
	}
	snprintf(d->dir, sizeof(d->dir), "%s", sock ? sock : geteuid() == 0 ? "/var/run/vde.ctl" : "/tmp/vde.ctl");
	while (strlen(d->dir) > 1 && d->dir[strlen(d->dir) - 1] == '/')
		d->dir[strlen(d->dir) - 1] = '\0';

	char err[256] = "";
	int rc;
	if ((rc = loop_init(&d->loop)) || (rc = sw_init(&d->sw, (unsigned)numports, (uint32_t)hashsize, (unsigned)expire))) {
		fprintf(stderr, "vdelab-switch: init: %s\n", strerror(rc));
		return 1;
	}
	d->sw.owner = d;
	d->sw.on_blocked = on_blocked;
	d->sw.on_pause = on_pause;
	d->sw.hub = hub;
	d->stp_mode = STP_MODE_RSTP;
	enum stp_mode want = fstp ? STP_MODE_RSTP : STP_MODE_OFF;
	if (stpmode) {
		if (!strcmp(stpmode, "rstp"))
			want = d->stp_mode = STP_MODE_RSTP;
		else if (!strcmp(stpmode, "stp"))
			want = d->stp_mode = STP_MODE_STP;
		else if (!strcmp(stpmode, "off"))
			want = STP_MODE_OFF;
		else {
			fprintf(stderr, "vdelab-switch: --stp %s: expected rstp, stp or off\n", stpmode);
			return 1;
		}
	}
	if ((rc = swd_stp_init(d))) {
		fprintf(stderr, "vdelab-switch: init: %s\n", strerror(rc));
		return 1;
	}
	if (priority) {
		char *e;
		unsigned long v = strtoul(priority, &e, 0);
		if (!*priority || *e || v > 0xffff || stp_set_priority(d->stp, (unsigned)v)) {
			fprintf(stderr, "vdelab-switch: --priority %s: expected a multiple of 4096 in 0..61440 "
				"(IEEE 802.1D-2004 17.13.7)\n", priority);
			return 1;
		}
	}
	if (want != STP_MODE_OFF && hub)
		log_msg(LOG_WARNING, "hub mode: no spanning tree (as vde_switch -x)");
	else if (want != STP_MODE_OFF)
		swd_stp_set_mode(d, want);
	sw_set_flowcache(&d->sw, !noflowcache);
	d->sw.impair_seed = seed >= 0 ? (uint64_t)seed : (uint64_t)time(NULL) ^ (uint64_t)getpid() << 16;
	d->rx = calloc(VPKT_BURST, sizeof(struct vpkt));
	if (!d->rx) {
		fprintf(stderr, "vdelab-switch: out of memory\n");
		return 1;
	}
	for (unsigned i = 0; i < VPKT_BURST; i++) {
		vpkt_reset(&d->rx[i]);
		d->rxp[i] = &d->rx[i];
	}
	d->start_ns = loop_now_ns();
	d->ctl_fd = -1;
	d->cs.listen_fd = -1;
	d->cs.loop = &d->loop;
	d->cs.banner = "VDE switch V." VDELAB_VERSION " (vdelab-switch)\n(C) the vdelab authors - GPLv2, protocol of vde-2 by R. Davoli\n";
	d->cs.prompt = "\nvde$ ";
	d->cs.tabs = swd_tables(&d->cs.ntabs);
	d->cs.ctx = d;
	d->cs.on_shutdown = on_console_shutdown;
	swd_events_init(d);
	d->gc_interval_s = 1;
	ep_program_name = "vdelab-switch";

	int status = 1;
	if ((rc = ds_open(d, err, sizeof(err)))) {
		fprintf(stderr, "vdelab-switch: %s\n", err);
		goto out;
	}
	if (mgmt) {
		d->mgmt_path = mgmt;
		if ((rc = console_listen(&d->cs, &d->loop, mgmt, d->mgmt_mode, (int)mgid))) {
			fprintf(stderr, "vdelab-switch: management socket %s: %s%s\n", mgmt, strerror(rc),
				rc == EADDRINUSE ? " (another process is serving it)" : "");
			goto out;
		}
	}
	for (unsigned i = 0; taps && taps[i]; i++) {
		/* -t a,b is two taps, as vde_switch(1) says */
		g_auto(GStrv) names = g_strsplit(taps[i], ",", -1);
		for (unsigned k = 0; names[k]; k++) {
			char url[64];
			if (!names[k][0])
				continue;
			snprintf(url, sizeof(url), "tap://%s", names[k]);
			if (swd_add_url(d, url, -1, err, sizeof(err)) < 0) {
				fprintf(stderr, "vdelab-switch: -t %s: %s\n", names[k], err);
				goto out;
			}
		}
	}
	for (unsigned i = 0; urls && urls[i]; i++) {
		if (swd_add_url(d, urls[i], -1, err, sizeof(err)) < 0) {
			fprintf(stderr, "vdelab-switch: -u: %s\n", err);
			goto out;
		}
	}
	if (rcfile && (rc = swd_load_rc(d, rcfile))) {
		fprintf(stderr, "vdelab-switch: -f %s: %s\n", rcfile, strerror(rc));
		goto out;
	}
	swd_timers_start(d);

	if (daemonize) {
		if ((rc = daemon_start(&d->loop, pidfile))) {
			fprintf(stderr, "vdelab-switch: daemon: %s\n", strerror(rc));
			goto out;
		}
	} else if (!nostdin && isatty(STDIN_FILENO)) {
		console_attach_stdio(&d->cs, STDIN_FILENO, STDOUT_FILENO);
	}
	if (!daemonize && pidfile && (rc = pidfile_write(pidfile))) {
		log_msg(LOG_ERR, "pidfile %s: %s", pidfile, strerror(rc));
		goto out;
	}
	log_msg(LOG_DEBUG, "serving %s with %d ports", d->dir, numports);
	loop_run(&d->loop);
	if (d->loop.stop_signal)
		log_msg(LOG_DEBUG, "signal %d: shutting down", d->loop.stop_signal);
	status = 0;
out:
	for (unsigned p = 0; p < d->sw.nports; p++)
		swd_port_close(d, p);
	ds_close(d);
	console_close(&d->cs);
	if (pidfile && status == 0)
		unlink(pidfile);
	loop_destroy(&d->loop);
	sw_destroy(&d->sw);
	swd_stp_free(d);
	free(d->rx);
	return status;
}

int swd_add_url(struct swd *d, const char *url, int port, char *err, size_t errlen)
{
	struct ep *ep;
	int rc = ep_open(url, &ep, err, errlen);
	if (rc)
		return -rc;
	bool created = false;
	if (port < 0) {
		port = sw_port_alloc_ex(&d->sw, &created);
		if (port < 0) {
			snprintf(err, errlen, "no free port");
			ep_close(ep);
			return -ENOSPC;
		}
	} else if ((unsigned)port >= d->sw.nports) {
		snprintf(err, errlen, "port %d out of range 0..%u", port, d->sw.nports - 1);
		ep_close(ep);
		return -EINVAL;
	} else if (!d->sw.ports[port].exists) {
		sw_port_create(&d->sw, (unsigned)port, true);
		created = true;
	}
	if (created)
		swd_event_port(d, true, (unsigned)port);
	if ((rc = swd_port_attach(d, (unsigned)port, ep, NULL, (uint32_t)ep->fd))) {
		snprintf(err, errlen, "port %d: %s", port, strerror(rc));
		ep_close(ep);
		if (created) {
			sw_port_remove(&d->sw, (unsigned)port);
			swd_event_port(d, false, (unsigned)port);
		}
		return -rc;
	}
	/* ports given by URL keep their configuration when the endpoint goes */
	sw_port_keep(&d->sw, (unsigned)port);
	return port;
}
