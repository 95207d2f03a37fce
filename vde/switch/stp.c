/* stp.c - the spanning tree in the switch daemon: glue between the RSTP
 * element (core/stp.h) and the switch, and its console commands.
 *
 * One tree for all VLANs (as vde_switch's FSTP without per-VLAN trees and
 * the Linux bridge). vde_switch's fstp/ commands keep their syntax: their
 * VLAN argument must name an existing VLAN and applies to the one tree.
 * The stp/ group is ours: key=value output and the 802.1D settings.
 */
#include "swd.h"
#include "../core/frame.h"
#include "../core/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void stp_tx(void *arg, unsigned port, const uint8_t *frame, size_t len)
{
	struct swd *d = arg;
	sw_port_send_local(&d->sw, port, frame, (uint16_t)len);
}

static void stp_state(void *arg, unsigned port, bool learning, bool forwarding)
{
	struct swd *d = arg;
	sw_port_set_stp_state(&d->sw, port, learning, forwarding);
	log_msg(LOG_DEBUG, "stp: port %u %s", port, forwarding ? "forwarding" : learning ? "learning" : "discarding");
}

static void stp_flush(void *arg, unsigned port)
{
	struct swd *d = arg;
	if (fdb_flush_port(&d->sw.fdb, (uint16_t)port))
		sw_bump(&d->sw);
}

static const struct stp_ops swd_stp_ops = { stp_tx, stp_state, stp_flush };

static void on_bpdu(struct sw *sw, uint16_t port, const uint8_t *frame, size_t len)
{
	struct swd *d = sw->owner;
	stp_rx(d->stp, port, frame, len);
}

int swd_stp_init(struct swd *d)
{
	d->stp = stp_new(d->sw.nports, d->mac, &swd_stp_ops, d);
	if (!d->stp)
		return ENOMEM;
	d->sw.on_bpdu = on_bpdu;
	return 0;
}

void swd_stp_free(struct swd *d)
{
	stp_free(d->stp);
	d->stp = NULL;
}

int swd_stp_set_mode(struct swd *d, enum stp_mode mode)
{
	if (mode != STP_MODE_OFF && d->sw.hub)
		return EBUSY;
	if (mode != STP_MODE_OFF)
		d->stp_mode = mode; /* the mode fstp/setfstp 1 turns on */
	sw_set_stp(&d->sw, mode != STP_MODE_OFF);
	stp_set_mode(d->stp, mode);
	log_msg(LOG_DEBUG, "stp: %s", stp_mode_names[mode]);
	return 0;
}

void swd_stp_port_up(struct swd *d, unsigned port)
{
	stp_port_add(d->stp, port, !d->sw.ports[port].link_down);
}

void swd_stp_port_down(struct swd *d, unsigned port)
{
	stp_port_remove(d->stp, port);
}

/* ---- console ---- */

static bool on(const struct swd *d) { return stp_mode(d->stp) != STP_MODE_OFF; }

static int c_fstp_showinfo(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	char mac[18];
	struct stp_bridge_info bi;
	(void)arg;
	stp_bridge_get(d->stp, &bi);
	unsigned prio = (unsigned)(bi.bridge_id >> 48);
	sb_printf(o, "MAC %s Priority %u (0x%x)\n", mac_format(d->mac, mac), prio, prio);
	sb_printf(o, "FSTP=%s\n", on(d) ? "true" : "false");
	return 0;
}

static int c_fstp_setfstp(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	unsigned v;
	if (swd_parse_uints(arg, &v, 1) != 1)
		return EINVAL;
	if (d->sw.hub) { /* vde-2 fstp.c: a message and success */
		sb_printf(o, "Can't use fstp in hub mode\n");
		return 0;
	}
	if ((v != 0) == on(d))
		return 0;
	return swd_stp_set_mode(d, v ? d->stp_mode : STP_MODE_OFF);
}

/* "VLAN PORT X" with VLAN existing (ENXIO) and PORT in range (EINVAL). */
static int vlan_port_arg(struct swd *d, const char *arg, unsigned v[3])
{
	if (swd_parse_uints(arg, v, 3) != 3 || v[0] >= VLAN_NONE || v[1] >= d->sw.nports)
		return EINVAL;
	if (!d->sw.vlans[v[0]])
		return ENXIO;
	return 0;
}

/* "PORT VALUE" setters (fstp/ and stp/ commands) */
typedef int (*port_set_fn)(struct stp *s, unsigned port, unsigned v);
static int set_cost(struct stp *s, unsigned p, unsigned v) { return stp_port_set_cost(s, p, v); }
static int set_prio(struct stp *s, unsigned p, unsigned v) { return stp_port_set_priority(s, p, v); }
static int set_edge(struct stp *s, unsigned p, unsigned v) { return v > 1 ? EINVAL : stp_port_set_edge(s, p, v); }
static int set_p2p(struct stp *s, unsigned p, unsigned v) { return v > 1 ? EINVAL : stp_port_set_p2p(s, p, v); }
static int set_edge_any(struct stp *s, unsigned p, unsigned v) { return stp_port_set_edge(s, p, v != 0); }
static int set_bonus(struct stp *s, unsigned p, unsigned v) { return stp_port_set_bonus(s, p, v); }

/* vde_switch's "VLAN PORT VALUE" (fstp/setedge, fstp/bonus): the one tree
 * takes the setting; the VLAN must exist */
static int vlan_port_setting(void *ctx, const char *arg, port_set_fn fn)
{
	struct swd *d = ctx;
	unsigned v[3];
	int rc = vlan_port_arg(d, arg, v);
	if (rc)
		return rc;
	rc = fn(d->stp, v[1], v[2]);
	return rc == EINVAL ? ENXIO : rc;
}

static int c_fstp_setedge(struct strbuf *o, const char *arg, void *ctx) { (void)o; return vlan_port_setting(ctx, arg, set_edge_any); }
static int c_fstp_bonus(struct strbuf *o, const char *arg, void *ctx) { (void)o; return vlan_port_setting(ctx, arg, set_bonus); }

static const char *role_word(enum stp_role r, bool edge)
{
	if (edge)
		return "Edge";
	switch (r) {
	case STP_ROLE_ROOT: return "Root";
	case STP_ROLE_DESIGNATED: return "Designated";
	case STP_ROLE_ALTERNATE: case STP_ROLE_BACKUP: return "Alternate/Backup";
	default: return "Unknown";
	}
}

/* vde-2 fstp.c fstprintactive(): ids as 8 colon-separated bytes */
static void id8(uint64_t id, char *buf)
{
	snprintf(buf, 24, "%02x:%02x:%02x:%02x:%02x:%02x:%02x:%02x", (unsigned)(id >> 56) & 0xff,
		 (unsigned)(id >> 48) & 0xff, (unsigned)(id >> 40) & 0xff, (unsigned)(id >> 32) & 0xff,
		 (unsigned)(id >> 24) & 0xff, (unsigned)(id >> 16) & 0xff, (unsigned)(id >> 8) & 0xff,
		 (unsigned)id & 0xff);
}

static void fstp_print_vlan(struct swd *d, struct strbuf *o, unsigned vid)
{
	struct stp_bridge_info bi;
	char r[24], des[24];
	stp_bridge_get(d->stp, &bi);
	struct stp_port_info rp;
	stp_port_get(d->stp, bi.root_port, &rp);
	id8(bi.root_id, r);
	id8(bi.root_port ? rp.designated_bridge : bi.bridge_id, des);
	sb_printf(o, "FST DATA VLAN %04u %s %s\n", vid, bi.root_id == bi.bridge_id ? "ROOTSWITCH" : "",
		  on(d) ? "" : "FSTP IS DISABLED");
	sb_printf(o, " ++ root %s\n", r);
	sb_printf(o, " ++ designated %s\n", des);
	unsigned bonusport = 0, bonuscost = 0;
	for (unsigned p = 0; p < d->sw.nports; p++) {
		struct stp_port_info pi;
		if (stp_port_get(d->stp, p, &pi) && pi.exists && pi.bonus)
			bonusport = p, bonuscost = pi.bonus;
	}
	sb_printf(o, " ++ rootport %04u cost %u age %u bonusport %04u bonuscost %u\n", bi.root_port, bi.root_cost,
		  bi.tc_ago_s == UINT32_MAX ? 0 : bi.tc_ago_s, bonusport, bonuscost);
	for (int tagged = 0; tagged < 2; tagged++)
		for (unsigned p = 0; p < d->sw.nports; p++) {
			struct sw_port *pt = &d->sw.ports[p];
			struct stp_port_info pi;
			if (!pt->ep || !stp_port_get(d->stp, p, &pi) || !pi.exists)
				continue;
			bool t = sw_vlan_is_tagged(&d->sw, vid, p);
			if (tagged ? !t : pt->pvid != vid)
				continue;
			sb_printf(o, " -- Port %04u tagged=%d portcost=%u role=%s\n", p, tagged, pi.cost,
				  role_word(pi.role, pi.oper_edge));
		}
}

static int c_fstp_print(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	unsigned v;
	if (*arg) {
		if (swd_parse_uints(arg, &v, 1) != 1 || v >= VLAN_NONE)
			return EINVAL;
		if (!d->sw.vlans[v])
			return ENXIO;
		fstp_print_vlan(d, o, v);
		return 0;
	}
	for (v = 0; v < VLAN_NONE; v++)
		if (d->sw.vlans[v])
			fstp_print_vlan(d, o, v);
	return 0;
}

static uint64_t sum(const uint64_t *v, size_t n)
{
	uint64_t s = 0;
	for (size_t i = 0; i < n; i++)
		s += v[i];
	return s;
}

static void print_port_kv(struct swd *d, struct strbuf *o, unsigned p, const struct stp_port_info *pi)
{
	char root[24], br[24];
	const struct stp_port_stats *st = &pi->st;
	sb_printf(o, "port=%u role=%s state=%s cost=%u priority=%u port_id=%04x edge=%d admin_edge=%d p2p=%d "
		  "link=%s proto=%s designated_root=%s designated_bridge=%s designated_cost=%u designated_port=%04x "
		  "bpdu_in=%llu bpdu_out=%llu bpdu_bad=%llu rst_in=%llu config_in=%llu tcn_in=%llu "
		  "rst_out=%llu config_out=%llu tcn_out=%llu tc=%llu tc_while=%u fwd_transitions=%llu\n",
		  p, stp_role_names[pi->role], stp_state_names[pi->state], pi->cost, pi->priority, pi->port_id,
		  pi->oper_edge, pi->admin_edge, pi->p2p, d->sw.ports[p].link_down ? "down" : "up",
		  !on(d) ? "off" : pi->send_rstp ? "rstp" : "stp", bpdu_id_format(pi->designated_root, root),
		  bpdu_id_format(pi->designated_bridge, br), pi->designated_cost, pi->designated_port,
		  (unsigned long long)(st->rx_rst + st->rx_config + st->rx_tcn),
		  (unsigned long long)(st->tx_rst + st->tx_config + st->tx_tcn),
		  (unsigned long long)sum(st->rx_bad, BPDU_ERR__N), (unsigned long long)st->rx_rst,
		  (unsigned long long)st->rx_config, (unsigned long long)st->rx_tcn, (unsigned long long)st->tx_rst,
		  (unsigned long long)st->tx_config, (unsigned long long)st->tx_tcn, (unsigned long long)st->tc,
		  pi->tc_while, (unsigned long long)st->transitions_fwd);
	for (int e = 1; e < BPDU_ERR__N; e++)
		if (st->rx_bad[e])
			sb_printf(o, "port=%u bpdu_bad_%s=%llu\n", p, bpdu_err_names[e], (unsigned long long)st->rx_bad[e]);
}

static int c_stp_print(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	unsigned only = UINT32_MAX;
	if (*arg && (swd_parse_uints(arg, &only, 1) != 1 || only >= d->sw.nports))
		return EINVAL;
	struct stp_bridge_info bi;
	char b[24], r[24];
	stp_bridge_get(d->stp, &bi);
	if (only == UINT32_MAX)
		sb_printf(o, "bridge=%s root=%s root_port=%u root_cost=%u is_root=%d mode=%s hello=%u max_age=%u "
			  "fwd_delay=%u topology_changes=%llu tc_ago=%d tc_active=%d\n",
			  bpdu_id_format(bi.bridge_id, b), bpdu_id_format(bi.root_id, r), bi.root_port, bi.root_cost,
			  bi.root_id == bi.bridge_id, stp_mode_names[bi.mode], bi.hello, bi.max_age, bi.fwd_delay,
			  (unsigned long long)bi.tc_count, bi.tc_ago_s == UINT32_MAX ? -1 : (int)bi.tc_ago_s,
			  bi.tc_active);
	for (unsigned p = 0; p < d->sw.nports; p++) {
		struct stp_port_info pi;
		if ((only != UINT32_MAX && p != only) || !d->sw.ports[p].ep || !stp_port_get(d->stp, p, &pi) || !pi.exists)
			continue;
		print_port_kv(d, o, p, &pi);
	}
	return 0;
}

static int c_stp_setmode(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	(void)o;
	for (int m = STP_MODE_OFF; m <= STP_MODE_RSTP; m++)
		if (!strcmp(arg, stp_mode_names[m]))
			return swd_stp_set_mode(d, (enum stp_mode)m);
	return EINVAL;
}

static int c_stp_setpriority(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	unsigned v;
	(void)o;
	if (swd_parse_uints(arg, &v, 1) != 1)
		return EINVAL;
	return stp_set_priority(d->stp, v);
}

static int c_stp_settimes(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	unsigned v[3];
	(void)o;
	if (swd_parse_uints(arg, v, 3) != 3)
		return EINVAL;
	return stp_set_times(d->stp, v[0], v[1], v[2]);
}

/* "PORT N" with PORT in range: port settings are kept by the tree for the
 * switch port, before its endpoint comes and after it goes (as vde_switch's
 * fstp/setedge) */
static int port_n(struct swd *d, const char *arg, unsigned *v, int n)
{
	if (swd_parse_uints(arg, v, n) != n || v[0] >= d->sw.nports)
		return EINVAL;
	return 0;
}

static int port_setting(void *ctx, const char *arg, port_set_fn fn)
{
	struct swd *d = ctx;
	unsigned v[2];
	int rc = port_n(d, arg, v, 2);
	return rc ? rc : fn(d->stp, v[0], v[1]);
}

static int c_stp_setcost(struct strbuf *o, const char *arg, void *ctx) { (void)o; return port_setting(ctx, arg, set_cost); }
static int c_stp_setportprio(struct strbuf *o, const char *arg, void *ctx) { (void)o; return port_setting(ctx, arg, set_prio); }
static int c_stp_setedge(struct strbuf *o, const char *arg, void *ctx) { (void)o; return port_setting(ctx, arg, set_edge); }
static int c_stp_setp2p(struct strbuf *o, const char *arg, void *ctx) { (void)o; return port_setting(ctx, arg, set_p2p); }

static int c_stp_mcheck(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	unsigned v[1];
	int rc = port_n(d, arg, v, 1);
	(void)o;
	if (!rc && !d->sw.ports[v[0]].ep)
		rc = ENXIO;
	return rc ? rc : stp_port_mcheck(d->stp, v[0]);
}

/* port/setlink N up|down: carrier of both directions */
static int c_setlink(struct strbuf *o, const char *arg, void *ctx)
{
	struct swd *d = ctx;
	char word[8] = "";
	unsigned port;
	(void)o;
	if (sscanf(arg, "%u %7s", &port, word) != 2 || port >= d->sw.nports)
		return EINVAL;
	bool up;
	if (!strcmp(word, "up") || !strcmp(word, "1"))
		up = true;
	else if (!strcmp(word, "down") || !strcmp(word, "0"))
		up = false;
	else
		return EINVAL;
	int rc = sw_port_set_link(&d->sw, port, up);
	if (rc)
		return rc;
	stp_port_set_enabled(d->stp, port, up && d->sw.ports[port].ep);
	return 0;
}

#define MENU CONSOLE_MENU
#define L CONSOLE_LISTING

static const struct console_cmd stp_cmds[] = {
	MENU("fstp", "FAST SPANNING TREE MENU (RSTP, IEEE 802.1D-2004; one tree for all VLANs)"),
	{ "fstp/showinfo", "", "show fstp info", c_fstp_showinfo, L },
	{ "fstp/setfstp", "0/1", "Fast spanning tree protocol 1=ON 0=OFF", c_fstp_setfstp, L },
	{ "fstp/setedge", "VLAN PORT 1/0", "Define an edge port for a vlan 1=Y 0=N", c_fstp_setedge, 0 },
	{ "fstp/bonus", "VLAN PORT COST", "set the port bonus for a vlan", c_fstp_bonus, 0 },
	{ "fstp/setcost", "PORT COST", "set the path cost of a port (0 = default 20000)", c_stp_setcost, 0 },
	{ "fstp/print", "[N]", "print fst data for the defined vlan", c_fstp_print, L },
	MENU("stp", "SPANNING TREE MENU (vdelab, key=value)"),
	{ "stp/print", "[PORT]", "bridge and per-port roles, states, BPDU counters", c_stp_print, L },
	{ "stp/setmode", "off|stp|rstp", "spanning tree off, 802.1D STP or RSTP", c_stp_setmode, 0 },
	{ "stp/setpriority", "N", "bridge priority, multiple of 4096 (default 32768)", c_stp_setpriority, 0 },
	{ "stp/settimes", "HELLO MAXAGE FWDDELAY", "bridge times in seconds (default 2 20 15)", c_stp_settimes, 0 },
	{ "stp/setcost", "PORT COST", "path cost 1..200000000 (0 = default 20000, 1 Gbit/s)", c_stp_setcost, 0 },
	{ "stp/setportpriority", "PORT N", "port priority, multiple of 16 (default 128)", c_stp_setportprio, 0 },
	{ "stp/setedge", "PORT 0/1", "admin edge port (forwards at once; a BPDU ends it)", c_stp_setedge, 0 },
	{ "stp/setp2p", "PORT 0/1", "point-to-point link (default 1: proposal/agreement)", c_stp_setp2p, 0 },
	{ "stp/mcheck", "PORT", "try RSTP again on a port that fell back to 802.1D", c_stp_mcheck, 0 },
	{ "port/setlink", "PORT up|down", "link state: down drops all traffic both ways", c_setlink, 0 },
};

const struct console_table swd_stp_cmds = { stp_cmds, sizeof(stp_cmds) / sizeof(stp_cmds[0]) };
