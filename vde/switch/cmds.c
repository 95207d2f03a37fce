/* cmds.c - vdelab-switch management console commands.
 *
 * Paths, arguments, output formats and error codes follow vde_switch (vde-2
 * port.c, hash.c, consmgmt.c) so vdeterm, unixterm and scripts written for
 * vde_switch work unchanged. Our additions live in their own groups
 * (port/add, flow/, stats/) and print machine-readable key=value lines.
 * Unlike vde-2, which parses numbers with atoi(), a non-numeric argument is
 * an error (1022 Invalid argument) rather than port 0.
 */
#include "swd.h"
#include "../core/capture.h"
#include "../core/frame.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int swd_parse_uints(const char *arg, unsigned *v, int max)
{
	int n = 0;
	const char *s = arg;
	while (*s) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		if (n == max || *s < '0' || *s > '9')
			return -1;
		char *e;
		unsigned long x = strtoul(s, &e, 10);
		if (x > 0xffffffffu || (*e && *e != ' ' && *e != '\t'))
			return -1;
		v[n++] = (unsigned)x;
		s = e;
	}
	return n;
}

static int one_uint(const char *arg, unsigned *v)
{
	return swd_parse_uints(arg, v, 1) == 1 ? 0 : EINVAL;
}

static double uptime_s(struct swd *d) { return (double)(loop_now_ns() - d->start_ns) / 1e9; }

static int c_showinfo(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	char mac[18];
	(void)arg;
	sb_printf(o, "VDE switch V.0.1 (vdelab-switch)\n");
	sb_printf(o, "pid %d MAC %s uptime %d\n", getpid(), mac_format(d->mac, mac), (int)uptime_s(d));
	if (d->mgmt_path)
		sb_printf(o, "mgmt %s perm 0%03o\n", d->mgmt_path, d->mgmt_mode);
	return 0;
}

static int c_shutdown(struct strbuf *o, const char *arg, void *ctx)
{
	(void)o; (void)arg; (void)ctx;
	return CONSOLE_SHUTDOWN;
}

static int c_load(struct strbuf *o, const char *arg, void *ctx)
{
	(void)o;
	if (!*arg)
		return EINVAL;
	return swd_load_rc(ctx, arg);
}

static int c_ds_showinfo(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	(void)arg;
	sb_printf(o, "ctl dir %s\nstd mode 0%03o\n", d->dir, d->ctlmode);
	return 0;
}

static int c_port_showinfo(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	(void)arg;
	sb_printf(o, "Numports=%u\nHUB=%s\ncounters=true\n", d->sw.nports, d->sw.hub ? "true" : "false");
	return 0;
}

static int c_setnumports(struct strbuf *o, const char *arg, void *ctx)
{
	unsigned n;
	(void)o;
	struct swd *d = ctx;
	if (one_uint(arg, &n))
		return EINVAL;
	int rc = sw_set_numports(&d->sw, n);
	return rc ? rc : stp_set_numports(d->stp, n);
}

static int c_sethub(struct strbuf *o, const char *arg, void *ctx)
{
	unsigned v;
	(void)o;
	struct swd *d = ctx;
	if (one_uint(arg, &v))
		return EINVAL;
	if (v) /* any non-zero value is hub mode (vde-2); it ends the spanning tree */
		swd_stp_set_mode(d, STP_MODE_OFF);
	sw_set_hub(&d->sw, v != 0);
	return 0;
}

static int c_setvlan(struct strbuf *o, const char *arg, void *ctx)
{
	unsigned v[2];
	(void)o;
	if (swd_parse_uints(arg, v, 2) != 2)
		return EINVAL;
	return sw_port_setvlan(&((struct swd *)ctx)->sw, v[0], v[1]);
}

static int c_create(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	unsigned p;
	(void)o;
	if (one_uint(arg, &p))
		return EINVAL;
	int rc = sw_port_create(&d->sw, p, true);
	if (!rc)
		swd_event_port(d, true, p);
	return rc;
}

static int c_createauto(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	bool created;
	(void)arg;
	int p = sw_port_alloc_ex(&d->sw, &created);
	if (p < 0)
		return -p;
	sw_port_keep(&d->sw, (unsigned)p);
	if (created)
		swd_event_port(d, true, (unsigned)p);
	sb_printf(o, "Port %04d\n", p);
	return 0;
}

static int c_remove(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	unsigned p;
	(void)o;
	if (one_uint(arg, &p))
		return EINVAL;
	int rc = sw_port_remove(&d->sw, p);
	if (!rc)
		swd_event_port(d, false, p);
	return rc;
}

/* "N 0/1" (vde-2 port.c portallocatable): may N be handed to a client
 * that asks for any port? */
static int c_allocatable(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	unsigned v[2];
	(void)o;
	if (swd_parse_uints(arg, v, 2) != 2 || v[0] >= d->sw.nports)
		return EINVAL;
	if (!d->sw.ports[v[0]].exists)
		return ENXIO;
	d->sw.ports[v[0]].notinpool = v[1] == 0;
	return 0;
}

bool swd_port_access(const struct sw_port *p, uid_t uid)
{
	if (p->ac_user == -1 && p->ac_group == -1)
		return true;
	if (uid == 0 || (p->ac_user != -1 && (uid_t)p->ac_user == uid))
		return true;
	if (p->ac_group == -1)
		return false;
	/* the user's primary group or any group listing them (getgrouplist) */
	struct passwd *pw = getpwuid(uid);
	if (!pw)
		return false;
	gid_t groups[256];
	int n = 256;
	if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0)
		n = 256;
	for (int i = 0; i < n; i++)
		if (groups[i] == (gid_t)p->ac_group)
			return true;
	return false;
}

/* "N NAME|ID|NONE|ANY" for port/setuser and port/setgroup (vde-2 port.c):
 * the port number, then a user or group by name, a number, or nobody. */
static int set_ac(struct swd *d, const char *arg, bool group)
{
	char name[256];
	unsigned port;
	int end = 0;
	if (sscanf(arg, "%u %255s%n", &port, name, &end) != 2 || arg[end] || port >= d->sw.nports)
		return EINVAL;
	struct sw_port *p = &d->sw.ports[port];
	if (!p->exists)
		return ENXIO;
	long id;
	char *e;
	if (!strcmp(name, "NONE") || !strcmp(name, "ANY"))
		id = -1;
	else if (!group && getpwnam(name))
		id = (long)getpwnam(name)->pw_uid;
	else if (group && getgrnam(name))
		id = (long)getgrnam(name)->gr_gid;
	else if ((id = strtol(name, &e, 10)) < 0 || *e || id > 0x7fffffff)
		return EINVAL;
	if (group)
		p->ac_group = (int)id;
	else
		p->ac_user = (int)id;
	return 0;
}

static int c_setuser(struct strbuf *o, const char *arg, void *ctx) { (void)o; return set_ac(ctx, arg, false); }
static int c_setgroup(struct strbuf *o, const char *arg, void *ctx) { (void)o; return set_ac(ctx, arg, true); }

static int c_epclose(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	unsigned v[2];
	int n = swd_parse_uints(arg, v, 2);
	(void)o;
	if (n < 1 || v[0] >= d->sw.nports)
		return EINVAL;
	struct sw_port *p = &d->sw.ports[v[0]];
	if (!p->ep)
		return ENXIO;
	struct port_io *pio = p->owner;
	if (n == 2 && pio && pio->epid != v[1])
		return ENXIO;
	swd_port_close(d, v[0]);
	return 0;
}

static int c_add(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	char url[256], err[256];
	int port = -1;
	if (!*arg)
		return EINVAL;
	snprintf(url, sizeof(url), "%s", arg);
	char *sp = strpbrk(url, " \t");
	if (sp) {
		*sp++ = '\0';
		unsigned p;
		if (one_uint(sp, &p))
			return EINVAL;
		port = (int)p;
	}
	int r = swd_add_url(d, url, port, err, sizeof(err));
	if (r < 0) {
		sb_printf(o, "%s\n", err);
		return -r;
	}
	sb_printf(o, "Port %04d\n", r);
	return 0;
}

static int c_resetcounter(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	unsigned p;
	(void)o;
	if (*arg) {
		if (one_uint(arg, &p))
			return EINVAL;
		return sw_port_reset_counters(&d->sw, p);
	}
	for (p = 0; p < d->sw.nports; p++)
		sw_port_reset_counters(&d->sw, p);
	return 0;
}

/* vde-2 port_getuser / port_getgroup: a name, the number, or NONE */
static const char *id_name(int id, bool group, char buf[16])
{
	if (id == -1)
		return "NONE";
	if (group) {
		struct group *g = getgrgid((gid_t)id);
		if (g)
			return g->gr_name;
	} else {
		struct passwd *pw = getpwuid((uid_t)id);
		if (pw)
			return pw->pw_name;
	}
	snprintf(buf, 16, "%d", id);
	return buf;
}

static int print_port(struct swd *d, struct strbuf *o, unsigned i, bool inactive)
{
	struct sw_port *p = &d->sw.ports[i];
	if (!p->exists || (!inactive && !p->ep))
		return ENXIO;
	sb_printf(o, "Port %04u untagged_vlan=%04u %sACTIVE - %sUnnamed Allocatable\n", i, p->pvid,
		  p->ep ? "" : "IN", p->notinpool ? "NOT " : "");
	char b1[16], b2[16], b3[16];
	sb_printf(o, " Current User: %s Access Control: (User: %s - Group: %s)\n", id_name(p->cur_user, false, b1),
		  id_name(p->ac_user, false, b2), id_name(p->ac_group, true, b3));
	sb_printf(o, " IN:  pkts %10llu          bytes %20llu\n", (unsigned long long)p->st.rx_pkts,
		  (unsigned long long)p->st.rx_bytes);
	sb_printf(o, " OUT: pkts %10llu          bytes %20llu\n", (unsigned long long)p->st.tx_pkts,
		  (unsigned long long)p->st.tx_bytes);
	if (p->ep) {
		struct port_io *pio = p->owner;
		/* vde-2's module names: "unix prog" for VDE clients, "tuntap"
		 * (described by the interface's name) for taps */
		bool tap = p->ep->cls == &ep_tap_class;
		const char *tapname = tap && !strncmp(p->ep->url, "tap://", 6) ? p->ep->url + 6 : NULL;
		sb_printf(o, "  -- endpoint ID %04u module %-12s: ", pio ? pio->epid : 0,
			  p->ep->cls == &ep_vdeport_class ? "unix prog" : tap ? "tuntap" : p->ep->cls->scheme);
		if (tapname)
			sb_printf(o, "%.*s\n", (int)strcspn(tapname, "?"), tapname);
		else
			sb_printf(o, "%s\n", p->ep->descr[0] ? p->ep->descr : p->ep->url);
	}
	return 0;
}

static int port_listing(struct strbuf *o, const char *arg, void *ctx, bool inactive)
{
	struct swd *d = ctx;
	unsigned p;
	if (*arg) {
		if (one_uint(arg, &p) || p >= d->sw.nports)
			return EINVAL;
		return print_port(d, o, p, inactive);
	}
	for (p = 0; p < d->sw.nports; p++)
		print_port(d, o, p, inactive);
	return 0;
}

static int c_print(struct strbuf *o, const char *arg, void *ctx) { return port_listing(o, arg, ctx, false); }
static int c_allprint(struct strbuf *o, const char *arg, void *ctx) { return port_listing(o, arg, ctx, true); }

static int c_vlan_create(struct strbuf *o, const char *arg, void *ctx)
{
	unsigned v;
	(void)o;
	if (one_uint(arg, &v))
		return EINVAL;
	return sw_vlan_create(&((struct swd *)ctx)->sw, v);
}

static int c_vlan_remove(struct strbuf *o, const char *arg, void *ctx)
{
	unsigned v;
	(void)o;
	if (one_uint(arg, &v))
		return EINVAL;
	return sw_vlan_remove(&((struct swd *)ctx)->sw, v);
}

static int c_vlan_addport(struct strbuf *o, const char *arg, void *ctx)
{
	unsigned v[2];
	(void)o;
	if (swd_parse_uints(arg, v, 2) != 2)
		return EINVAL;
	return sw_vlan_addport(&((struct swd *)ctx)->sw, v[0], v[1]);
}

static int c_vlan_delport(struct strbuf *o, const char *arg, void *ctx)
{
	unsigned v[2];
	(void)o;
	if (swd_parse_uints(arg, v, 2) != 2)
		return EINVAL;
	return sw_vlan_delport(&((struct swd *)ctx)->sw, v[0], v[1]);
}

static void print_vlan(struct swd *d, struct strbuf *o, unsigned vid, bool inactive)
{
	sb_printf(o, "VLAN %04u\n", vid);
	for (unsigned p = 0; p < d->sw.nports; p++) {
		struct sw_port *pt = &d->sw.ports[p];
		bool tagged = sw_vlan_is_tagged(&d->sw, vid, p);
		if (!pt->exists || (pt->pvid != vid && !tagged) || (!inactive && !pt->ep))
			continue;
		sb_printf(o, " -- Port %04u tagged=%d active=%d status=%s\n", p, pt->pvid != vid, pt->ep != NULL,
			  pt->stp_discarding ? (pt->stp_nolearn ? "Discarding" : "Learning") : "Forwarding");
	}
}

static int vlan_listing(struct strbuf *o, const char *arg, void *ctx, bool inactive)
{
	struct swd *d = ctx;
	unsigned v;
	if (*arg) {
		if (one_uint(arg, &v) || v >= VLAN_NONE)
			return EINVAL;
		if (!d->sw.vlans[v])
			return ENXIO;
		print_vlan(d, o, v, inactive);
		return 0;
	}
	for (v = 0; v < VLAN_NONE; v++)
		if (d->sw.vlans[v])
			print_vlan(d, o, v, inactive);
	return 0;
}

static int c_vlan_print(struct strbuf *o, const char *arg, void *ctx) { return vlan_listing(o, arg, ctx, false); }
static int c_vlan_allprint(struct strbuf *o, const char *arg, void *ctx) { return vlan_listing(o, arg, ctx, true); }

static int c_hash_showinfo(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	struct fdb *f = &d->sw.fdb;
	(void)arg;
	/* vde-2 hash.c showinfo, line for line */
	sb_printf(o, "Hash size %u\n", f->max);
	sb_printf(o, "GC interval %u secs\n", d->gc_interval_s);
	sb_printf(o, "GC expire %llu secs\n", (unsigned long long)(f->age_ns / 1000000000ull));
	sb_printf(o, "Min persistence %llu secs\n", (unsigned long long)(f->min_persist_ns / 1000000000ull));
	return 0;
}

static int c_hash_stats(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	struct fdb *f = &d->sw.fdb;
	(void)arg;
	sb_printf(o, "size=%u entries=%u learned=%llu moved=%llu flap_held=%llu expired=%llu evicted=%llu flushed=%llu\n",
		  f->max, f->count,
		  (unsigned long long)f->st.learned, (unsigned long long)f->st.moved,
		  (unsigned long long)f->st.flap_held, (unsigned long long)f->st.expired,
		  (unsigned long long)f->st.evicted, (unsigned long long)f->st.flushed);
	return 0;
}

static int c_hash_setsize(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	unsigned n;
	(void)o;
	if (one_uint(arg, &n) || n == 0 || n > (1u << 24))
		return EINVAL;
	unsigned pow2 = 1; /* rounded up to a power of 2, as vde_switch does (100 -> 128) */
	while (pow2 < n)
		pow2 <<= 1;
	int rc = fdb_resize(&d->sw.fdb, pow2);
	sw_bump(&d->sw);
	return rc;
}

static int c_hash_setexpire(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	unsigned s;
	(void)o;
	if (one_uint(arg, &s))
		return EINVAL;
	d->sw.fdb.age_ns = (uint64_t)s * 1000000000ull; /* 0: gone at the next GC, as vde-2 */
	return 0;
}

static int c_hash_setgcint(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	unsigned s;
	(void)o;
	if (one_uint(arg, &s) || s > 86400)
		return EINVAL;
	d->gc_interval_s = s ? s : 1; /* the tick is 1 s: 0 means every tick */
	return 0;
}

static int c_debug_list(struct strbuf *o, const char *arg, void *ctx) { return console_debug_list(&((struct swd *)ctx)->cs, o, arg); }
static int c_debug_add(struct strbuf *o, const char *arg, void *ctx) { (void)o; return console_debug_add(&((struct swd *)ctx)->cs, arg); }
static int c_debug_del(struct strbuf *o, const char *arg, void *ctx) { (void)o; return console_debug_del(&((struct swd *)ctx)->cs, arg); }

/* Plugins (vde-2 dump, pdump, iplog) are not loaded by vdelab-switch: the
 * list is empty and answers as vde_switch's does with none (1002); add says
 * why (capture/start and debug/ do what the plugins did). */
static int c_plugin_list(struct strbuf *o, const char *arg, void *ctx)
{
	(void)arg, (void)ctx;
	sb_printf(o, "%-22s %s\n%-22s %s\n", "NAME", "HELP", "------------", "----");
	return ENOENT;
}

static int c_plugin_add(struct strbuf *o, const char *arg, void *ctx)
{
	(void)ctx;
	if (!*arg)
		return EINVAL;
	if (access(arg, F_OK))
		return ENOENT;
	sb_printf(o, "vdelab-switch does not load plugins: capture/start writes pcap (pdump), debug/add shows events\n");
	return EOPNOTSUPP;
}

static int c_plugin_del(struct strbuf *o, const char *arg, void *ctx)
{
	(void)o, (void)arg, (void)ctx;
	return ENOENT; /* none is loaded */
}

static int c_hash_setminper(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	unsigned s;
	(void)o;
	if (one_uint(arg, &s))
		return EINVAL;
	d->sw.fdb.min_persist_ns = (uint64_t)s * 1000000000ull;
	return 0;
}

static void print_entry(struct swd *d, struct strbuf *o, uint32_t i, uint64_t now)
{
	const struct fdb_entry *e = &d->sw.fdb.tab[i];
	char mac[18];
	sb_printf(o, "Hash: %04u Addr: %s VLAN %04u to port: %03u  age %llu secs\n", i,
		  mac_format(e->mac, mac), e->vlan, e->port,
		  (unsigned long long)((now - e->last_seen_ns) / 1000000000ull));
}

static int c_hash_print(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	uint64_t now = loop_now_ns();
	(void)arg;
	for (uint32_t i = 0; i <= d->sw.fdb.mask; i++)
		if (d->sw.fdb.tab[i].used)
			print_entry(d, o, i, now);
	return 0;
}

static int c_hash_find(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	char mac_s[32];
	unsigned vlan = 0;
	uint8_t mac[6];
	int n = sscanf(arg, "%31s %u", mac_s, &vlan);
	if (n < 1 || mac_parse(mac_s, mac) || vlan >= VLAN_NONE)
		return EINVAL;
	uint32_t i = fdb_lookup(&d->sw.fdb, mac, (uint16_t)vlan);
	if (i == FDB_NONE)
		return ENODEV;
	print_entry(d, o, i, loop_now_ns());
	return 0;
}

static int c_flow_showinfo(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	struct flowcache *fc = &d->sw.fc;
	(void)arg;
	uint64_t total = fc->batch_hits + fc->hits + fc->misses;
	sb_printf(o, "enabled=%d\nentries=%u\nbatch_hits=%llu\nhits=%llu\nmisses=%llu\ninstalls=%llu\n"
		  "hit_ratio=%.4f\ngeneration=%u\n",
		  fc->enabled, FLOWCACHE_SETS * FLOWCACHE_WAYS, (unsigned long long)fc->batch_hits,
		  (unsigned long long)fc->hits, (unsigned long long)fc->misses,
		  (unsigned long long)fc->installs,
		  total ? (double)(fc->batch_hits + fc->hits) / (double)total : 0.0, d->sw.gen);
	return 0;
}

static int c_flow_setcache(struct strbuf *o, const char *arg, void *ctx)
{
	unsigned v;
	(void)o;
	if (one_uint(arg, &v) || v > 1)
		return EINVAL;
	sw_set_flowcache(&((struct swd *)ctx)->sw, v == 1);
	return 0;
}

static int c_stats_ports(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	(void)arg;
	for (unsigned i = 0; i < d->sw.nports; i++) {
		struct sw_port *p = &d->sw.ports[i];
		if (!p->exists)
			continue;
		const struct ep_stats *es = p->ep ? &p->ep->st : NULL;
		struct stp_port_info pi;
		bool stp = stp_mode(d->stp) != STP_MODE_OFF && stp_port_get(d->stp, i, &pi) && pi.exists;
		sb_printf(o, "port=%u active=%d vlan=%u link=%s stp_role=%s stp_state=%s rx_packets=%llu rx_bytes=%llu "
			  "tx_packets=%llu tx_bytes=%llu rx_drops=%llu tx_drops=%llu tx_flood=%llu rx_runt=%llu "
			  "rx_oversize=%llu backlog=%u\n",
			  i, p->ep != NULL, p->pvid, p->link_down ? "down" : "up", stp ? stp_role_names[pi.role] : "off",
			  stp ? stp_state_names[pi.state] : "forwarding", (unsigned long long)p->st.rx_pkts,
			  (unsigned long long)p->st.rx_bytes, (unsigned long long)p->st.tx_pkts,
			  (unsigned long long)p->st.tx_bytes,
			  (unsigned long long)(p->st.rx_drops + (es ? es->rx_errors : 0)),
			  (unsigned long long)(p->st.tx_drops + (es ? es->tx_errors : 0)),
			  (unsigned long long)p->st.tx_flood,
			  (unsigned long long)(es ? es->rx_runt : 0),
			  (unsigned long long)(es ? es->rx_oversize : 0), p->bl_count);
	}
	return 0;
}

static int c_port_info(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	long only = -1;
	if (*arg) {
		char *e;
		only = strtol(arg, &e, 10);
		if (*e || only < 0 || only >= (long)d->sw.nports)
			return EINVAL;
	}
	for (unsigned i = 0; i < d->sw.nports; i++) {
		const struct ep *ep = d->sw.ports[i].ep;
		char info[512] = "";
		if ((only >= 0 && i != (unsigned)only) || !ep)
			continue;
		if (ep->cls->info)
			ep->cls->info(ep, info, sizeof(info));
		sb_printf(o, "port=%u scheme=%s rx_packets=%llu tx_packets=%llu rx_errors=%llu tx_errors=%llu%s%s\n",
			  i, ep->cls->scheme, (unsigned long long)ep->st.rx_pkts,
			  (unsigned long long)ep->st.tx_pkts, (unsigned long long)ep->st.rx_errors,
			  (unsigned long long)ep->st.tx_errors, info[0] ? " " : "", info);
	}
	return 0;
}

static int c_stats_switch(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	(void)arg;
	sb_printf(o, "unicast=%llu\nflooded=%llu\n", (unsigned long long)d->sw.st.unicast,
		  (unsigned long long)d->sw.st.flooded);
	for (int i = 0; i < SW_DROP__N; i++)
		sb_printf(o, "drop_%s=%llu\n", sw_drop_names[i], (unsigned long long)d->sw.st.drops[i]);
	struct ep_stats t = d->st.closed;
	for (unsigned i = 0; i < d->sw.nports; i++) {
		const struct ep *ep = d->sw.ports[i].ep;
		if (ep) {
			t.rx_runt += ep->st.rx_runt;
			t.rx_oversize += ep->st.rx_oversize;
			t.rx_errors += ep->st.rx_errors;
			t.tx_errors += ep->st.tx_errors;
		}
	}
	sb_printf(o, "rx_runt=%llu\nrx_oversize=%llu\nrx_errors=%llu\ntx_errors=%llu\n",
		  (unsigned long long)t.rx_runt, (unsigned long long)t.rx_oversize,
		  (unsigned long long)t.rx_errors, (unsigned long long)t.tx_errors);
	sb_printf(o, "rx_batches=%llu\nrx_frames=%llu\nrx_batch_avg=%.2f\ntx_wakeups=%llu\n",
		  (unsigned long long)d->st.rx_batches, (unsigned long long)d->st.rx_frames,
		  d->st.rx_batches ? (double)d->st.rx_frames / (double)d->st.rx_batches : 0.0,
		  (unsigned long long)d->st.tx_wakeups);
	sb_printf(o, "ctl_accepted=%llu\nctl_refused=%llu\nctl_bad_request=%llu\nctl_timeout=%llu\nctl_overflow=%llu\n",
		  (unsigned long long)d->st.ctl_accepted, (unsigned long long)d->st.ctl_refused,
		  (unsigned long long)d->st.ctl_bad_request, (unsigned long long)d->st.ctl_timeout,
		  (unsigned long long)d->st.ctl_overflow);
	return 0;
}

static int parse_dir(const char *w, bool *in, bool *out)
{
	*in = !strcmp(w, "in") || !strcmp(w, "both");
	*out = !strcmp(w, "out") || !strcmp(w, "both");
	return *in || *out ? 0 : EINVAL;
}

/* impair/set PORT in|out|both SPEC */
/* capture/start PORT FILE [count=N] [size=B] [at=wire|switch] [snaplen=N] [FILTER] */
static int c_capture_start(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	unsigned port;
	char path[256], rest[CONSOLE_MAX_LINE], err[300];
	int n = 0;
	struct capture_opts co;
	if (sscanf(arg, "%u %255s %n", &port, path, &n) < 2) {
		sb_printf(o, "usage: capture/start PORT FILE [count=N] [size=BYTES] [at=wire|switch] [FILTER]\n");
		return EINVAL;
	}
	if (port >= d->sw.nports || !d->sw.ports[port].exists) {
		sb_printf(o, "port %u does not exist\n", port);
		return ENXIO;
	}
	snprintf(rest, sizeof(rest), "%s", arg + n);
	if (capture_parse_opts(rest, &co, err, sizeof(err))) {
		sb_printf(o, "%s\n", err);
		return EINVAL;
	}
	struct capture *c = capture_open(path, &co, err, sizeof(err));
	if (!c) { /* nothing changed: a running capture of the port goes on */
		sb_printf(o, "%s\n", err);
		return EINVAL;
	}
	sw_port_capture(&d->sw, port, c);
	return 0;
}

static int c_capture_stop(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	unsigned port;
	if (one_uint(arg, &port))
		return EINVAL;
	if (port >= d->sw.nports || !d->sw.ports[port].cap) {
		sb_printf(o, "port %u is not being captured\n", port);
		return ENXIO;
	}
	sw_port_capture(&d->sw, port, NULL);
	return 0;
}

static int c_capture_show(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	for (unsigned i = 0; i < d->sw.nports; i++) {
		char line[600];
		if (!d->sw.ports[i].cap)
			continue;
		capture_describe(d->sw.ports[i].cap, line, sizeof(line));
		sb_printf(o, "port=%u %s\n", i, line);
	}
	return 0;
}

static int c_schemes(struct strbuf *o, const char *arg, void *ctx)
{
	char buf[4096];
	(void)arg;
	(void)ctx;
	ep_help(buf, sizeof(buf), 0);
	sb_printf(o, "%s", buf);
	return 0;
}

static int c_impair_set(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	unsigned port;
	char dir[8], err[256];
	int n = 0;
	bool in, out;
	if (sscanf(arg, "%u %7s %n", &port, dir, &n) != 2 || !arg[n]) {
		sb_printf(o, "usage: impair/set PORT in|out|both SPEC\n");
		return EINVAL;
	}
	if (parse_dir(dir, &in, &out)) {
		sb_printf(o, "direction \"%s\": expected in, out or both\n", dir);
		return EINVAL;
	}
	if (port >= d->sw.nports || !d->sw.ports[port].exists) {
		sb_printf(o, "port %u does not exist\n", port);
		return ENXIO;
	}
	struct impair_params p[2];
	for (int k = 0; k < 2; k++) {
		const struct impair_port *ip = sw_port_impairment(&d->sw, port, k);
		if (ip)
			p[k] = *impair_port_params(ip);
		else
			impair_params_default(&p[k]);
		if (((k == SW_IMPAIR_IN && in) || (k == SW_IMPAIR_OUT && out)) &&
		    impair_parse(arg + n, &p[k], err, sizeof(err))) {
			sb_printf(o, "%s\n", err);
			return EINVAL; /* nothing changed */
		}
	}
	for (int k = 0; k < 2; k++)
		if ((k == SW_IMPAIR_IN && in) || (k == SW_IMPAIR_OUT && out)) {
			int rc = sw_port_impair(&d->sw, port, k, &p[k]);
			if (rc)
				return rc;
		}
	swd_impair_kick(d);
	return 0;
}

static void show_port_impair(struct swd *d, struct strbuf *o, unsigned port)
{
	static const char *const dn[2] = { "in", "out" };
	char set[512], cnt[512];
	for (int k = 0; k < 2; k++) {
		const struct impair_port *ip = sw_port_impairment(&d->sw, port, k);
		if (!ip)
			continue;
		impair_port_describe(ip, set, sizeof(set), cnt, sizeof(cnt));
		sb_printf(o, "port=%u dir=%s %s\n", port, dn[k], set);
		sb_printf(o, "port=%u dir=%s %s\n", port, dn[k], cnt);
	}
}

static int c_impair_show(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	unsigned port;
	if (*arg) {
		if (one_uint(arg, &port) || port >= d->sw.nports)
			return EINVAL;
		show_port_impair(d, o, port);
		return 0;
	}
	for (port = 0; port < d->sw.nports; port++)
		show_port_impair(d, o, port);
	return 0;
}

/* impair/clear [PORT [in|out|both]] */
static int c_impair_clear(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	unsigned port, first = 0, last;
	char dir[8] = "both";
	bool in, out;
	struct impair_params none;
	impair_params_default(&none);
	int n = sscanf(arg, "%u %7s", &port, dir);
	if (*arg && n < 1)
		return EINVAL;
	if (parse_dir(dir, &in, &out))
		return EINVAL;
	last = d->sw.nports - 1;
	if (n >= 1) {
		if (port >= d->sw.nports)
			return EINVAL;
		first = last = port;
	}
	(void)o;
	for (unsigned p = first; p <= last; p++)
		for (int k = 0; k < 2; k++)
			if (sw_port_impairment(&d->sw, p, k) && ((k == SW_IMPAIR_IN && in) || (k == SW_IMPAIR_OUT && out)))
				sw_port_impair(&d->sw, p, k, &none);
	swd_impair_kick(d);
	return 0;
}

#define MENU CONSOLE_MENU
#define L CONSOLE_LISTING
static const struct console_cmd cmds[] = {
	{ "shutdown", "", "shutdown of the switch", c_shutdown, 0 },
	{ "showinfo", "", "show switch version and info", c_showinfo, L },
	{ "load", "path", "load a configuration script", c_load, 0 },
	MENU("ds", "DATA SOCKET MENU"),
	{ "ds/showinfo", "", "show ds info", c_ds_showinfo, L },
	MENU("port", "PORT STATUS MENU"),
	{ "port/showinfo", "", "show port info", c_port_showinfo, L },
	{ "port/setnumports", "N", "set the number of ports", c_setnumports, 0 },
	{ "port/sethub", "0/1", "1=HUB 0=switch", c_sethub, 0 },
	{ "port/setvlan", "N VLAN", "set port VLAN (untagged; 4095 = none)", c_setvlan, 0 },
	{ "port/createauto", "", "create a port with an automatically allocated id", c_createauto, L },
	{ "port/create", "N", "create the port N (inactive|notallocatable)", c_create, 0 },
	{ "port/remove", "N", "remove the port N", c_remove, 0 },
	{ "port/allocatable", "N 0/1", "Is the port allocatable as unnamed? 1=Y 0=N", c_allocatable, 0 },
	{ "port/setuser", "N user", "access control: set user", c_setuser, 0 },
	{ "port/setgroup", "N user", "access control: set group", c_setgroup, 0 },
	{ "port/add", "URL [N]", "attach endpoint URL to port N or a free port (forms: port/schemes)", c_add, L },
	{ "port/schemes", "", "the endpoint URL forms port/add takes, with their options", c_schemes, L },
	{ "port/epclose", "N [ID]", "remove the endpoint of port N (with id ID)", c_epclose, 0 },
	{ "port/resetcounter", "[N]", "reset the port (N) counters", c_resetcounter, 0 },
	{ "capture/start", "PORT FILE [count=N] [size=B] [at=wire|switch] [FILTER]",
	  "write the port's frames (both directions) to a pcap file, nanosecond stamps; FILTER in tcpdump syntax", c_capture_start, 0 },
	{ "capture/stop", "PORT", "stop capturing the port, close its file", c_capture_stop, 0 },
	{ "capture/show", "", "running captures (key=value)", c_capture_show, L },
	{ "port/info", "[N]", "endpoint details: tunnel peers, sessions, drops by reason (key=value)", c_port_info, L },
	{ "port/print", "[N]", "print the port/endpoint table", c_print, L },
	{ "port/allprint", "[N]", "print the port/endpoint table (including inactive port)", c_allprint, L },
	MENU("vlan", "VLAN MANAGEMENT MENU"),
	{ "vlan/create", "N", "create the VLAN with tag N", c_vlan_create, 0 },
	{ "vlan/remove", "N", "remove the VLAN with tag N", c_vlan_remove, 0 },
	{ "vlan/addport", "N PORT", "add port to the vlan N (tagged)", c_vlan_addport, 0 },
	{ "vlan/delport", "N PORT", "remove port from the vlan N (tagged)", c_vlan_delport, 0 },
	{ "vlan/print", "[N]", "print the list of defined vlan", c_vlan_print, L },
	{ "vlan/allprint", "[N]", "print the list of defined vlan (including inactive port)", c_vlan_allprint, L },
	MENU("hash", "HASH TABLE MENU"),
	{ "hash/showinfo", "", "show hash info", c_hash_showinfo, L },
	{ "hash/setsize", "N", "change hash size", c_hash_setsize, 0 },
	{ "hash/setgcint", "N", "change garbage collector interval", c_hash_setgcint, 0 },
	{ "hash/setexpire", "N", "change hash entries expire time (seconds)", c_hash_setexpire, 0 },
	{ "hash/setminper", "N", "minimum persistence time (seconds)", c_hash_setminper, 0 },
	{ "hash/print", "", "print the hash table", c_hash_print, L },
	{ "hash/find", "MAC [VLAN]", "MAC lookup", c_hash_find, L },
	{ "hash/stats", "", "MAC table size, entries and counters (key=value, vdelab)", c_hash_stats, L },
	MENU("debug", "DEBUG MENU"),
	{ "debug/list", "", "list debug categories", c_debug_list, L },
	{ "debug/add", "dbgpath", "enable debug info for a given category", c_debug_add, 0 },
	{ "debug/del", "dbgpath", "disable debug info for a given category", c_debug_del, 0 },
	MENU("plugin", "PLUGINS MENU"),
	{ "plugin/list", "", "list plugins", c_plugin_list, L },
	{ "plugin/add", "library", "load a plugin", c_plugin_add, 0 },
	{ "plugin/del", "name", "unload a plugin", c_plugin_del, 0 },
	MENU("impair", "PORT IMPAIRMENTS MENU (vdelab)"),
	{ "impair/set", "PORT in|out|both SPEC", "e.g. impair/set 3 out delay=40ms loss=1% rate=10Mbit", c_impair_set, 0 },
	{ "impair/show", "[PORT]", "settings and counters per port and direction (key=value)", c_impair_show, L },
	{ "impair/clear", "[PORT [in|out|both]]", "remove impairments (held frames still leave)", c_impair_clear, 0 },
	MENU("flow", "FLOW CACHE MENU (vdelab)"),
	{ "flow/showinfo", "", "flow cache counters (key=value)", c_flow_showinfo, L },
	{ "flow/setcache", "0/1", "turn the flow cache off/on", c_flow_setcache, 0 },
	MENU("stats", "COUNTERS MENU (vdelab)"),
	{ "stats/ports", "", "per-port counters (key=value)", c_stats_ports, L },
	{ "stats/switch", "", "switch counters and drops by reason (key=value)", c_stats_switch, L },
};

const struct console_table swd_cmds = { cmds, sizeof(cmds) / sizeof(cmds[0]) };

const struct console_table *swd_tables(size_t *n)
{
	static struct console_table t[2];
	t[0] = swd_cmds;
	t[1] = swd_stp_cmds;
	*n = 2;
	return t;
}

int swd_load_rc(struct swd *d, const char *path)
{
	bool shutdown = false;
	size_t n;
	const struct console_table *t = swd_tables(&n);
	int rc = console_load(t, n, path, d, "vdelab-switch", &shutdown);
	if (shutdown)
		loop_stop(&d->loop);
	return rc;
}
