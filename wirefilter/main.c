/* vdelab-wirefilter - two endpoints and an impairment chain per direction,
 * tunable at runtime through a console that speaks vde-2 wirefilter's
 * commands. Options and value syntax follow wirefilter(1). */
#include "../vde/core/patch.h"
#include "../vde/core/capture.h"
#include "../vde/core/console.h"
#include "../vde/core/daemon.h"
#include "../vde/core/log.h"
#include "../vde/core/markov.h"
#include "../vde/core/version.h"
#include <math.h>

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct wf {
	struct loop loop;
	struct patch patch;
	struct console_server cs;
	struct loop_timer tick;
	char *mgmt;
	unsigned mgmt_mode;
	struct capture *cap; /* serves one or both directions */
	struct markov mk;    /* node mk.cur's parameters are the patch's */
	struct loop_timer mtimer; /* the Markov step, every mk.period_ns when mk.n > 1 */
	uint64_t mnext_ns;        /* when the next step is due (steps keep their period) */
};

/* markov-debug's channel: the transition lines of wirefilter.c markov_step */
static const struct console_channel channels[] = { { "markov", 0, "markov mode: node transitions" } };

static const char *const dname[2] = { "LR", "RL" };

/* The parameters of Markov node `n` (the only node outside Markov mode). */
static void params_of(struct wf *w, unsigned n, struct impair_params out[2])
{
	out[0] = w->mk.node[n].p[0];
	out[1] = w->mk.node[n].p[1];
}

static void commit_to(struct wf *w, unsigned n, const struct impair_params p[2])
{
	w->mk.node[n].p[0] = p[0];
	w->mk.node[n].p[1] = p[1];
	if (n == w->mk.cur) {
		patch_set(&w->patch, PATCH_LR, &p[0]);
		patch_set(&w->patch, PATCH_RL, &p[1]);
	}
}

static void params(struct wf *w, struct impair_params out[2]) { params_of(w, w->mk.cur, out); }
static void commit(struct wf *w, const struct impair_params p[2]) { commit_to(w, w->mk.cur, p); }

/* Apply the current node to the patch (after a step or markov-setnode). */
static void enter_node(struct wf *w)
{
	struct impair_params p[2];
	params(w, p);
	commit(w, p);
}

static void info_line(struct strbuf *o, struct wf *w, unsigned node, const char *name);

/* A classic wirefilter command: "delay LR100+10N", "loss 5", "delay 20[1]"
 * (node 1 of a Markov chain); no value: show the current one. */
static int wf_param(struct strbuf *o, const char *name, const char *arg, struct wf *w)
{
	struct impair_params p[2];
	char err[256], val[CONSOLE_MAX_LINE];
	unsigned node = w->mk.cur;
	snprintf(val, sizeof(val), "%s", arg);
	size_t n = strlen(val);
	while (n && (val[n - 1] == ' ' || val[n - 1] == '\n'))
		val[--n] = 0;
	if (!n) {
		info_line(o, w, node, name);
		return 0;
	}
	if (val[n - 1] == ']') { /* VALUE[node] (vde-2 read_wirevalue) */
		char *lb = strrchr(val, '[');
		char *e;
		unsigned long k = lb ? strtoul(lb + 1, &e, 10) : 0;
		if (!lb || e != val + n - 1 || e == lb + 1 || k >= w->mk.n) {
			sb_printf(o, "%s %s: [NODE] must be a Markov node, 0..%u\n", name, arg, w->mk.n - 1);
			return EINVAL;
		}
		node = (unsigned)k;
		*lb = 0;
	}
	params_of(w, node, p);
	int rc = impair_parse_wf(name, val, &p[0], &p[1], err, sizeof(err));
	if (rc) {
		sb_printf(o, "%s\n", err);
		return EINVAL;
	}
	commit_to(w, node, p);
	if (!strcmp(name, "fifo")) /* one fifoness for the whole filter, as wirefilter's */
		for (unsigned k = 0; k < w->mk.n; k++) {
			struct impair_params q[2];
			params_of(w, k, q);
			q[0].reorder_jitter = p[0].reorder_jitter;
			q[1].reorder_jitter = p[1].reorder_jitter;
			commit_to(w, k, q);
		}
	return 0;
}

#define WFCMD(n) static int c_##n(struct strbuf *o, const char *a, void *ctx) { return wf_param(o, #n, a, ctx); }
WFCMD(delay) WFCMD(loss) WFCMD(lostburst) WFCMD(dup) WFCMD(bandwidth) WFCMD(band) WFCMD(speed)
WFCMD(chanbufsize) WFCMD(capacity) WFCMD(noise) WFCMD(mtu) WFCMD(fifo)
#undef WFCMD

/* The value of one classic parameter, as wirefilter 2.3.2 shows it:
 * VALUE+DELTA and the distribution letter (U uniform, N normal). */
static void wfval(char *b, size_t n, const char *name, const struct impair_params *p)
{
	double v = 0, d = 0;
	char alg = 'U';
	if (!strcmp(name, "loss"))
		v = p->loss * 100;
	else if (!strcmp(name, "lostburst"))
		v = p->burst > 1 ? p->burst : 0;
	else if (!strcmp(name, "delay")) {
		v = (double)p->delay_ns / 1e6;
		d = (double)p->jitter_ns / 1e6;
		if (p->dist == IMPAIR_NORMAL)
			alg = 'N', d *= 3; /* wirefilter's DELTA is 3 sigma */
	} else if (!strcmp(name, "dup"))
		v = p->dup * 100;
	else if (!strcmp(name, "bandwidth") || !strcmp(name, "band"))
		v = (double)p->rate / 8;
	else if (!strcmp(name, "noise"))
		v = p->noise;
	else if (!strcmp(name, "chanbufsize") || !strcmp(name, "capacity"))
		v = (double)p->queue_bytes;
	snprintf(b, n, "%g+%g%c", v, d, alg);
}

static const struct { const char *name, *label; } info_rows[] = {
	{ "loss", "Loss  " }, { "lostburst", "Lburst" }, { "delay", "Delay " }, { "dup", "Dup   " },
	{ "bandwidth", "Bandw " }, { "speed", "Speed " }, { "noise", "Noise " },
};

static void info_line(struct strbuf *o, struct wf *w, unsigned node, const char *name)
{
	const struct impair_params *p = w->mk.node[node].p;
	char a[64], b[64];
	if (!strcmp(name, "mtu")) {
		sb_printf(o, "MTU    L->R %u     R->L %u   \n", p[0].mtu ? p[0].mtu + 2 : 0, p[1].mtu ? p[1].mtu + 2 : 0);
		return;
	}
	if (!strcmp(name, "fifo")) {
		sb_printf(o, "Fifoness %s\n", p[0].reorder_jitter ? "FALSE" : "TRUE");
		return;
	}
	const char *label = "Cap.  ";
	for (unsigned i = 0; i < sizeof(info_rows) / sizeof(info_rows[0]); i++)
		if (!strcmp(info_rows[i].name, name))
			label = info_rows[i].label;
	if (!strcmp(name, "band"))
		label = "Bandw ";
	if (!strcmp(name, "speed")) { /* one rate stage here: shown as the bandwidth */
		snprintf(a, sizeof(a), "0+0U");
		snprintf(b, sizeof(b), "0+0U");
	} else {
		wfval(a, sizeof(a), name, &p[0]);
		wfval(b, sizeof(b), name, &p[1]);
	}
	sb_printf(o, "%s L->R %s   R->L %s\n", label, a, b);
}

/* showinfo [NODE]: wirefilter 2.3.2's lines (wirefilter.c showinfo) */
static int c_showinfo(struct strbuf *o, const char *arg, void *ctx)
{
	struct wf *w = ctx;
	unsigned node = w->mk.cur;
	if (*arg) {
		char *e;
		unsigned long k = strtoul(arg, &e, 10);
		if (*e || k >= w->mk.n)
			return EINVAL;
		node = (unsigned)k;
	}
	sb_printf(o, "WireFilter: bidirectional\n");
	if (w->mk.n > 1)
		sb_printf(o, "Node %u \"%s\" (0,..,%u) Markov-time %g\n", node, w->mk.node[node].name, w->mk.n - 1,
			  (double)w->mk.period_ns / 1e6);
	for (unsigned i = 0; i < sizeof(info_rows) / sizeof(info_rows[0]); i++)
		info_line(o, w, node, info_rows[i].name);
	info_line(o, w, node, "mtu");
	info_line(o, w, node, "chanbufsize");
	struct impair_stats st[2];
	patch_stats(&w->patch, PATCH_LR, &st[0]);
	patch_stats(&w->patch, PATCH_RL, &st[1]);
	sb_printf(o, "Current Delay Queue size:   L->R %llu      R->L %llu   \n", (unsigned long long)st[0].held_bytes,
		  (unsigned long long)st[1].held_bytes);
	info_line(o, w, node, "fifo");
	sb_printf(o, "Waiting packets in delay queues %llu\n",
		  (unsigned long long)(st[0].held_frames + st[1].held_frames));
	return 0;
}

/* --- Markov mode (wirefilter.c L1037-1129, the same commands and lines) --- */

static void markov_arm(struct wf *w)
{
	w->mnext_ns = loop_now_ns() + w->mk.period_ns;
	loop_timer_arm(&w->mtimer, w->mk.n > 1 ? w->mnext_ns : 0);
}

static void on_markov(struct loop *l, struct loop_timer *t)
{
	struct wf *w = t->arg;
	(void)l;
	unsigned from = w->mk.cur, to = markov_step(&w->mk);
	if (to != from) {
		enter_node(w);
		/* "%04d Node %d \"%s\" -> %d \"%s\"" with code 3800 + the new node */
		console_event_line(&w->cs, 0, "%04u Node %u \"%s\" -> %u \"%s\"", 3800 + to, from,
				   w->mk.node[from].name, to, w->mk.node[to].name);
	}
	/* the next step one period after this one was due; after a stall,
	 * one period from now (no burst of catch-up steps) */
	uint64_t now = loop_now_ns();
	w->mnext_ns += w->mk.period_ns;
	if (w->mnext_ns <= now)
		w->mnext_ns = now + w->mk.period_ns;
	loop_timer_arm(t, w->mk.n > 1 ? w->mnext_ns : 0);
}

static int one_num(const char *arg, unsigned long *v)
{
	char *e;
	if (!*arg || *arg == '-')
		return EINVAL;
	*v = strtoul(arg, &e, 10);
	return *e ? EINVAL : 0;
}

static int c_markov_numnodes(struct strbuf *o, const char *arg, void *ctx)
{
	struct wf *w = ctx;
	unsigned long n;
	(void)o;
	unsigned old = w->mk.n;
	if (one_num(arg, &n) || markov_resize(&w->mk, (unsigned)n))
		return EINVAL;
	for (unsigned k = old; k < w->mk.n; k++) /* fifoness is the filter's, not a node's */
		w->mk.node[k].p[0].reorder_jitter = w->mk.node[k].p[1].reorder_jitter = w->mk.node[0].p[0].reorder_jitter;
	enter_node(w);
	markov_arm(w);
	return 0;
}

static int c_markov_setnode(struct strbuf *o, const char *arg, void *ctx)
{
	struct wf *w = ctx;
	unsigned long n;
	(void)o;
	if (one_num(arg, &n) || n >= w->mk.n)
		return EINVAL;
	w->mk.cur = (unsigned)n;
	enter_node(w);
	return 0;
}

static int c_markov_name(struct strbuf *o, const char *arg, void *ctx)
{
	struct wf *w = ctx;
	char *e;
	(void)o;
	unsigned long n = strtoul(arg, &e, 10);
	if (e == arg || n >= w->mk.n)
		return EINVAL;
	while (*e == ' ' || *e == '\t')
		e++;
	if (*e == ',')
		e++;
	if (strlen(e) >= MARKOV_NAME_MAX) {
		sb_printf(o, "a name has at most %d characters\n", MARKOV_NAME_MAX - 1);
		return EINVAL;
	}
	snprintf(w->mk.node[n].name, MARKOV_NAME_MAX, "%s", e);
	return 0;
}

static int c_markov_time(struct strbuf *o, const char *arg, void *ctx)
{
	struct wf *w = ctx;
	char *e;
	(void)o;
	double ms = strtod(arg, &e);
	if (e == arg || *e || !(ms > 0) || ms > 86400e3)
		return EINVAL;
	w->mk.period_ns = (uint64_t)llround(ms * 1e6);
	markov_arm(w);
	return 0;
}

static int c_setedge(struct strbuf *o, const char *arg, void *ctx)
{
	struct wf *w = ctx;
	unsigned i, j;
	double wt;
	int end = 0;
	if (sscanf(arg, "%u,%u,%lf%n", &i, &j, &wt, &end) != 3 || arg[end]) {
		sb_printf(o, "setedge FROM,TO,WEIGHT (%%)\n");
		return EINVAL;
	}
	if (markov_set_edge(&w->mk, i, j, wt)) {
		sb_printf(o, "setedge %s: nodes 0..%u, FROM != TO, out-edges of FROM summing to at most 100\n", arg,
			  w->mk.n - 1);
		return EINVAL;
	}
	return 0;
}

static int c_showedges(struct strbuf *o, const char *arg, void *ctx)
{
	struct wf *w = ctx;
	unsigned long n = w->mk.cur;
	if (*arg && (one_num(arg, &n) || n >= w->mk.n))
		return EINVAL;
	for (unsigned j = 0; j < w->mk.n; j++)
		if (w->mk.w[n][j] != 0)
			/* "weigth": vde-2's spelling, kept for scripts that read it */
			sb_printf(o, "Edge %-2lu->%-2u \"%s\"->\"%s\" weigth %g\n", n, j, w->mk.node[n].name,
				  w->mk.node[j].name, w->mk.w[n][j]);
	return 0;
}

static int c_showcurrent(struct strbuf *o, const char *arg, void *ctx)
{
	struct wf *w = ctx;
	(void)arg;
	sb_printf(o, "Current Markov Node %u \"%s\" (0,..,%u)\n", w->mk.cur, w->mk.node[w->mk.cur].name, w->mk.n - 1);
	return 0;
}

/* markov-debug N: N > 0 sends this console the transition lines */
static int c_markov_debug(struct strbuf *o, const char *arg, void *ctx)
{
	struct wf *w = ctx;
	unsigned long n;
	(void)o;
	if (one_num(arg, &n) || !w->cs.current)
		return EINVAL;
	int rc = n ? console_debug_add(&w->cs, "markov") : console_debug_del(&w->cs, "markov");
	return rc == EEXIST || rc == ENOENT ? 0 : rc;
}

/* impair/set lr|rl|both SPEC */
static int c_impair_set(struct strbuf *o, const char *arg, void *ctx)
{
	struct wf *w = ctx;
	struct impair_params p[2];
	char dir[8], err[256];
	int n = 0;
	if (sscanf(arg, "%7s %n", dir, &n) != 1 || !arg[n]) {
		sb_printf(o, "usage: impair/set lr|rl|both SPEC\n");
		return EINVAL;
	}
	bool lr = !strcasecmp(dir, "lr") || !strcasecmp(dir, "both");
	bool rl = !strcasecmp(dir, "rl") || !strcasecmp(dir, "both");
	if (!lr && !rl) {
		sb_printf(o, "direction \"%s\": expected lr, rl or both\n", dir);
		return EINVAL;
	}
	params(w, p);
	for (int d = 0; d < 2; d++)
		if ((d == 0 && lr) || (d == 1 && rl))
			if (impair_parse(arg + n, &p[d], err, sizeof(err))) {
				sb_printf(o, "%s\n", err);
				return EINVAL;
			}
	commit(w, p);
	return 0;
}

static int c_impair_show(struct strbuf *o, const char *arg, void *ctx)
{
	struct wf *w = ctx;
	char buf[512];
	(void)arg;
	for (int d = 0; d < 2; d++) {
		impair_format(patch_params(&w->patch, d), buf, sizeof(buf));
		sb_printf(o, "dir=%s %s\n", dname[d], buf);
	}
	return 0;
}

static int c_impair_clear(struct strbuf *o, const char *arg, void *ctx)
{
	struct impair_params p[2];
	(void)o;
	(void)arg;
	impair_params_default(&p[0]);
	p[1] = p[0];
	commit(ctx, p);
	return 0;
}

static int c_stats(struct strbuf *o, const char *arg, void *ctx)
{
	struct wf *w = ctx;
	(void)arg;
	for (int d = 0; d < 2; d++) {
		struct impair_stats st;
		char line[512];
		patch_stats(&w->patch, d, &st);
		impair_stats_format(&st, line, sizeof(line));
		sb_printf(o, "dir=%s %s tx_refused=%llu\n", dname[d], line,
			  (unsigned long long)w->patch.dir[d].tx_dropped);
	}
	return 0;
}

static void cap_stop(struct wf *w)
{
	patch_capture(&w->patch, PATCH_LR, NULL);
	patch_capture(&w->patch, PATCH_RL, NULL);
	capture_close(w->cap);
	w->cap = NULL;
}

/* capture/start LR|RL|both FILE [count=N] [size=B] [at=in|out] [FILTER] */
static int c_capture_start(struct strbuf *o, const char *arg, void *ctx)
{
	struct wf *w = ctx;
	char dir[8], path[256], rest[CONSOLE_MAX_LINE], err[300];
	int n = 0;
	struct capture_opts co;
	if (sscanf(arg, "%7s %255s %n", dir, path, &n) < 2 ||
	    (g_ascii_strcasecmp(dir, "LR") && g_ascii_strcasecmp(dir, "RL") && g_ascii_strcasecmp(dir, "both"))) {
		sb_printf(o, "usage: capture/start LR|RL|both FILE [count=N] [size=BYTES] [at=in|out] [FILTER]\n");
		return EINVAL;
	}
	snprintf(rest, sizeof(rest), "%s", arg + n);
	if (capture_parse_opts(rest, &co, err, sizeof(err))) {
		sb_printf(o, "%s\n", err);
		return EINVAL;
	}
	if (!strstr(arg + n, "at="))
		co.at = CAPTURE_AT_WIRE; /* default on a cable: as delivered */
	struct capture *c = capture_open(path, &co, err, sizeof(err));
	if (!c) {
		sb_printf(o, "%s\n", err);
		return EINVAL;
	}
	cap_stop(w);
	w->cap = c;
	bool both = !g_ascii_strcasecmp(dir, "both");
	if (both || !g_ascii_strcasecmp(dir, "LR"))
		patch_capture(&w->patch, PATCH_LR, c);
	if (both || !g_ascii_strcasecmp(dir, "RL"))
		patch_capture(&w->patch, PATCH_RL, c);
	return 0;
}

static int c_capture_stop(struct strbuf *o, const char *a, void *ctx)
{
	struct wf *w = ctx;
	if (!w->cap) {
		sb_printf(o, "no capture is running\n");
		return ENXIO;
	}
	cap_stop(w);
	return 0;
}

static int c_capture_show(struct strbuf *o, const char *a, void *ctx)
{
	struct wf *w = ctx;
	char line[600];
	if (w->cap) {
		capture_describe(w->cap, line, sizeof(line));
		sb_printf(o, "dir=%s %s\n", w->patch.dir[0].cap && w->patch.dir[1].cap ? "both" :
			  w->patch.dir[0].cap ? "LR" : "RL", line);
	}
	return 0;
}

static int c_shutdown(struct strbuf *o, const char *a, void *ctx)
{
	(void)o; (void)a; (void)ctx;
	return CONSOLE_SHUTDOWN;
}

#define L CONSOLE_LISTING
static const struct console_table table;

/* load FILE: a script of console commands, bounded as the switch's (console_load) */
static int c_load(struct strbuf *o, const char *arg, void *ctx)
{
	bool shutdown = false;
	(void)o;
	if (!*arg)
		return EINVAL;
	int rc = console_load(&table, 1, arg, ctx, "vdelab-wirefilter", &shutdown);
	if (shutdown)
		loop_stop(&((struct wf *)ctx)->loop);
	return rc;
}

static const struct console_cmd cmds[] = {
	{ "showinfo", "[n]", "show status and parameter values (of markov node n)", c_showinfo, L },
	{ "load", "path", "run the console commands in a file", c_load, 0 },
	{ "delay", "[LR|RL]ms[+ms][U|N]", "set delay (ms) and jitter", c_delay, 0 },
	{ "loss", "[LR|RL]%", "set loss percentage", c_loss, 0 },
	{ "lostburst", "[LR|RL]frames", "mean length of lost bursts (Gilbert model)", c_lostburst, 0 },
	{ "dup", "[LR|RL]%", "set duplication percentage", c_dup, 0 },
	{ "bandwidth", "[LR|RL]bytes/s", "set channel bandwidth", c_bandwidth, 0 },
	{ "band", "[LR|RL]bytes/s", "synonym of bandwidth", c_band, 0 },
	{ "speed", "[LR|RL]bytes/s", "set interface speed (as bandwidth here)", c_speed, 0 },
	{ "chanbufsize", "[LR|RL]bytes", "set channel buffer size (0 = auto)", c_chanbufsize, 0 },
	{ "capacity", "[LR|RL]bytes", "synonym of chanbufsize", c_capacity, 0 },
	{ "noise", "[LR|RL]bits/MiB", "set noise (damaged bits per MiB)", c_noise, 0 },
	{ "mtu", "[LR|RL]bytes", "set channel MTU (frames of mtu-2 bytes pass, as wirefilter)", c_mtu, 0 },
	{ "fifo", "0/1", "1: keep frames in order under jitter (default)", c_fifo, 0 },
	{ "shutdown", "", "shut the channel down", c_shutdown, 0 },
	{ "markov-numnodes", "n", "markov mode: set number of states", c_markov_numnodes, 0 },
	{ "markov-setnode", "n", "markov mode: set current state", c_markov_setnode, 0 },
	{ "markov-name", "n,name", "markov mode: set state's name", c_markov_name, 0 },
	{ "markov-time", "ms", "markov mode: transition period", c_markov_time, 0 },
	{ "setedge", "n1,n2,w", "markov mode: set edge weight", c_setedge, 0 },
	{ "showedges", "[n]", "markov mode: show edge weights", c_showedges, L },
	{ "showcurrent", "", "markov mode: show current state", c_showcurrent, L },
	{ "markov-debug", "n", "markov mode: set debug level", c_markov_debug, 0 },
	{ "impair", "============", "IMPAIRMENTS MENU (vdelab)", NULL, 0 },
	{ "impair/set", "lr|rl|both SPEC", "e.g. impair/set both delay=40ms loss=1% rate=10Mbit", c_impair_set, 0 },
	{ "impair/show", "", "current settings (key=value)", c_impair_show, L },
	{ "impair/clear", "", "remove every impairment", c_impair_clear, 0 },
	{ "stats", "", "per-direction counters (key=value)", c_stats, L },
	{ "capture/start", "LR|RL|both FILE [count=N] [at=in|out] [FILTER]",
	  "write a direction's frames to a pcap file (out: as delivered, default; in: before impairments)", c_capture_start, 0 },
	{ "capture/stop", "", "stop the capture, close its file", c_capture_stop, 0 },
	{ "capture/show", "", "the running capture (key=value)", c_capture_show, L },
};
static const struct console_table table = { cmds, sizeof(cmds) / sizeof(cmds[0]) };

static void on_shutdown(struct console_server *cs)
{
	struct wf *w = cs->ctx;
	loop_stop(&w->loop);
}

static void on_tick(struct loop *l, struct loop_timer *t)
{
	struct wf *w = t->arg;
	(void)l;
	console_sweep(&w->cs, loop_now_ns());
	loop_timer_arm(t, loop_now_ns() + 1000000000ull);
}

/* Split "A:B" as wirefilter's -v: at the first ':' that is not part of "://". */
static int split_v(const char *v, char *a, char *b, size_t len)
{
	for (const char *s = v; *s; s++) {
		if (*s == ':' && s > v && strncmp(s, "://", 3) && s[1]) {
			snprintf(a, len, "%.*s", (int)(s - v), v);
			snprintf(b, len, "%s", s + 1);
			return 0;
		}
	}
	return EINVAL;
}

/* %s: the impairment keys, from their table */
static const char description[] =
	"Joins two endpoints like a cable with faults, one chain of impairments per\n"
	"direction: LR (left to right, URL1 -> URL2) and RL. Endpoints:\n"
	"  vdelab-wirefilter -v SW1:SW2 ...        two VDE switch directories (wirefilter -v)\n"
	"  vdelab-wirefilter [OPTIONS] URL1 URL2   any two endpoint URLs (see vdelab-plug --help)\n"
	"  dpipe vde_plug A = vdelab-wirefilter ... = vde_plug B   stdin/stdout, both ways\n"
	"\n"
	"Classic options take wirefilter's value syntax [LR|RL]VALUE[+DELTA][K|M|G][U|N]\n"
	"(no prefix: both directions; K/M/G: x2^10/2^20/2^30; +DELTA: jitter of the delay,\n"
	"U uniform +-DELTA, N normal with sigma DELTA/3) and may be repeated:\n"
	"  -d ms  -l %%  -L frames  -D %%  -b bytes/s  -s bytes/s  -c bytes  -n bits/MiB  -m bytes  -N\n"
	"--impair/--impair-lr/--impair-rl take the unit form, e.g.\n"
	"  'delay=40ms jitter=5ms dist=normal loss=0.5%% burst=4 dup=1%% rate=10Mbit'\n"
	"Keys, applied in netem's order (mtu, loss, dup, queue, corrupt, noise, rate,\n"
	"reorder, delay):\n"
	"%s"
	"Unlike wirefilter, a rate never queues without bound: queue=auto holds the frames\n"
	"in flight plus one bandwidth-delay product.\n"
	"\n"
	"Console (-M SOCK, vdeterm/unixterm): showinfo [N], delay, loss, lostburst, dup,\n"
	"bandwidth, speed, chanbufsize, noise, mtu, fifo (a parameter without a value shows\n"
	"it), load, shutdown, impair/set, impair/show, impair/clear, stats, capture/...\n"
	"\n"
	"Markov mode (wirefilter's): markov-numnodes N, markov-name N,NAME, setedge I,J,W%%\n"
	"(the self-loop takes the rest), markov-time MS (default 100), markov-setnode N,\n"
	"showedges [N], showcurrent, markov-debug 1 (print each transition); a value\n"
	"with [N] sets node N's parameter (\"loss 100[1]\"). Put them in an rc file (-f).\n"
	"\n"
	"Exits when either endpoint goes away; frames still in a delay line are\n"
	"reported as lost.";

int main(int argc, char **argv)
{
	static struct wf W;
	struct wf *w = &W;
	g_auto(GStrv) o_delay = NULL, o_loss = NULL, o_burst = NULL, o_dup = NULL, o_band = NULL;
	g_auto(GStrv) o_speed = NULL, o_chan = NULL, o_noise = NULL, o_mtu = NULL;
	g_autofree gchar *vsw = NULL, *mgmt = NULL, *mgmtmode = NULL, *pidfile = NULL, *rcfile = NULL;
	g_autofree gchar *imp = NULL, *imp_lr = NULL, *imp_rl = NULL;
	gboolean nofifo = FALSE, daemonize = FALSE, verbose = FALSE, version = FALSE;
	gint64 seed = -1;
	GOptionEntry entries[] = {
		{ "vde", 'v', 0, G_OPTION_ARG_STRING, &vsw, "Join switch directories SW1 and SW2", "SW1:SW2" },
		{ "delay", 'd', 0, G_OPTION_ARG_STRING_ARRAY, &o_delay, "Delay, ms", "[LR|RL]VAL[+DELTA][U|N]" },
		{ "loss", 'l', 0, G_OPTION_ARG_STRING_ARRAY, &o_loss, "Loss, %", "[LR|RL]VAL" },
		{ "lostburst", 'L', 0, G_OPTION_ARG_STRING_ARRAY, &o_burst, "Mean length of lost bursts", "[LR|RL]VAL" },
		{ "dup", 'D', 0, G_OPTION_ARG_STRING_ARRAY, &o_dup, "Duplication, %", "[LR|RL]VAL" },
		{ "bandwidth", 'b', 0, G_OPTION_ARG_STRING_ARRAY, &o_band, "Bandwidth, bytes/s", "[LR|RL]VAL" },
		{ "speed", 's', 0, G_OPTION_ARG_STRING_ARRAY, &o_speed, "Interface speed, bytes/s", "[LR|RL]VAL" },
		{ "chanbufsize", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &o_chan, "Channel buffer, bytes", "[LR|RL]VAL" },
		{ "noise", 'n', 0, G_OPTION_ARG_STRING_ARRAY, &o_noise, "Damaged bits per MiB", "[LR|RL]VAL" },
		{ "mtu", 'm', 0, G_OPTION_ARG_STRING_ARRAY, &o_mtu, "MTU as wirefilter (frames up to mtu-2 bytes)", "[LR|RL]VAL" },
		{ "nofifo", 'N', 0, G_OPTION_ARG_NONE, &nofifo, "Jitter may reorder frames", NULL },
		{ "impair", 'i', 0, G_OPTION_ARG_STRING, &imp, "Unit-form impairments, both directions", "SPEC" },
		{ "impair-lr", 0, 0, G_OPTION_ARG_STRING, &imp_lr, "Unit-form impairments, LR", "SPEC" },
		{ "impair-rl", 0, 0, G_OPTION_ARG_STRING, &imp_rl, "Unit-form impairments, RL", "SPEC" },
		{ "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the RNG, for reproducible runs", "N" },
		{ "mgmt", 'M', 0, G_OPTION_ARG_FILENAME, &mgmt, "Management console socket", "SOCK" },
		{ "mgmtmode", 0, 0, G_OPTION_ARG_STRING, &mgmtmode, "Mode of the console socket (default 0600)", "MODE" },
		{ "rcfile", 'f', 0, G_OPTION_ARG_FILENAME, &rcfile, "Run the console commands in FILE at start", "FILE" },
		{ "daemon", 0, 0, G_OPTION_ARG_NONE, &daemonize, "Run in the background", NULL },
		{ "pidfile", 0, 0, G_OPTION_ARG_FILENAME, &pidfile, "Write the pid to FILE", "FILE" },
		{ "verbose", 0, 0, G_OPTION_ARG_NONE, &verbose, "Say why the filter exits", NULL },
		{ "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
		{ NULL }
	};
	GError *gerr = NULL;
	GOptionContext *ctx = g_option_context_new("[URL1 URL2] - impaired cable between two endpoints");
	g_option_context_add_main_entries(ctx, entries, NULL);
	char keys[4096];
	impair_help(keys, sizeof(keys), 2);
	g_autofree char *help = g_strdup_printf(description, keys);
	g_option_context_set_description(ctx, help);
	log_init("vdelab-wirefilter");
	if (!g_option_context_parse(ctx, &argc, &argv, &gerr)) {
		fprintf(stderr, "vdelab-wirefilter: %s (try --help)\n", gerr->message);
		g_error_free(gerr);
		g_option_context_free(ctx);
		return 1;
	}
	g_option_context_free(ctx);
	if (version) {
		printf("vdelab-wirefilter %s (wirefilter of VDE 2.3.2: its options and console)\n", VDELAB_VERSION);
		return 0;
	}
	log_set_verbose(verbose);
	ep_program_name = "vdelab-wirefilter";

	/* parameters first: a bad value is reported before anything is opened */
	struct impair_params p[2];
	char err[300];
	impair_params_default(&p[0]);
	p[1] = p[0];
	struct { const char *name; gchar **vals; } classic[] = {
		{ "delay", o_delay }, { "loss", o_loss }, { "lostburst", o_burst }, { "dup", o_dup },
		{ "bandwidth", o_band }, { "speed", o_speed }, { "chanbufsize", o_chan },
		{ "noise", o_noise }, { "mtu", o_mtu },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(classic); i++)
		for (unsigned k = 0; classic[i].vals && classic[i].vals[k]; k++)
			if (impair_parse_wf(classic[i].name, classic[i].vals[k], &p[0], &p[1], err, sizeof(err))) {
				fprintf(stderr, "vdelab-wirefilter: %s\n", err);
				return 1;
			}
	if (nofifo)
		p[0].reorder_jitter = p[1].reorder_jitter = true;
	const char *specs[3] = { imp, imp_lr, imp_rl };
	for (int i = 0; i < 3; i++) {
		if (!specs[i])
			continue;
		for (int d = 0; d < 2; d++)
			if ((i == 0 || i == d + 1) && impair_parse(specs[i], &p[d], err, sizeof(err))) {
				fprintf(stderr, "vdelab-wirefilter: %s: %s\n", i == 0 ? "--impair" : i == 1 ? "--impair-lr" : "--impair-rl", err);
				return 1;
			}
	}
	w->mgmt_mode = 0600;
	if (mgmtmode) {
		char *e;
		w->mgmt_mode = (unsigned)strtoul(mgmtmode, &e, 8);
		if (*e || !*mgmtmode) {
			fprintf(stderr, "vdelab-wirefilter: --mgmtmode %s: not an octal mode\n", mgmtmode);
			return 1;
		}
	}

	/* endpoints */
	char ua[256], ub[256];
	if (vsw) {
		if (argc > 1 || split_v(vsw, ua, ub, sizeof(ua))) {
			fprintf(stderr, "vdelab-wirefilter: -v expects SW1:SW2 and no URL arguments\n");
			return 1;
		}
	} else if (argc == 3) {
		snprintf(ua, sizeof(ua), "%s", argv[1]);
		snprintf(ub, sizeof(ub), "%s", argv[2]);
	} else if (argc != 1) {
		fprintf(stderr, "vdelab-wirefilter: expected -v SW1:SW2, two URLs, or none (dpipe) (try --help)\n");
		return 1;
	}
	int rc = loop_init(&w->loop);
	if (rc) {
		fprintf(stderr, "vdelab-wirefilter: %s\n", strerror(rc));
		return 1;
	}
	struct ep *a, *b;
	if (vsw || argc == 3) {
		if (ep_open(ua, &a, err, sizeof(err)) || ep_open(ub, &b, err, sizeof(err))) {
			fprintf(stderr, "vdelab-wirefilter: %s\n", err);
			return 1;
		}
	} else {
		/* Under dpipe each neighbour is one fd pair: the left one is
		 * stdin/stdout, the right one ALTERNATE_STDIN/ALTERNATE_STDOUT
		 * (checked against vde-2's dpipe). Without dpipe the filter is
		 * one-way, stdin -> stdout, like wirefilter in a plain pipe. */
		const char *ai = getenv("ALTERNATE_STDIN"), *ao = getenv("ALTERNATE_STDOUT");
		fcntl(STDOUT_FILENO, F_SETFL, fcntl(STDOUT_FILENO, F_GETFL) & ~O_NONBLOCK);
		if (ai && ao) {
			a = ep_stream_new(dup(STDIN_FILENO), dup(STDOUT_FILENO), "dpipe-left");
			b = ep_stream_new(atoi(ai), atoi(ao), "dpipe-right");
		} else {
			int never[2];
			if (pipe(never) < 0)
				return 1;
			a = ep_stream_new(dup(STDIN_FILENO), open("/dev/null", O_WRONLY), "stdin");
			b = ep_stream_new(never[0], dup(STDOUT_FILENO), "stdout");
		}
		if (!a || !b)
			return 1;
	}
	if (seed < 0)
		seed = (gint64)time(NULL) ^ (gint64)getpid() << 16;
	if ((rc = patch_open(&w->patch, &w->loop, a, b, (uint64_t)seed))) {
		fprintf(stderr, "vdelab-wirefilter: %s\n", strerror(rc));
		return 1;
	}
	markov_init(&w->mk, (uint64_t)seed ^ 0x6d61726b6f76ull);
	commit(w, p);
	w->mtimer.cb = on_markov;
	w->mtimer.arg = w;
	loop_timer_add(&w->loop, &w->mtimer);

	w->cs.listen_fd = -1;
	w->cs.loop = &w->loop;
	w->cs.banner = "\nVDE wirefilter V.0.1 (vdelab-wirefilter)\n(C) the vdelab authors - GPLv2, commands of vde-2 wirefilter by R. Davoli\n";
	w->cs.prompt = "\nVDEwf$ ";
	w->cs.tabs = &table;
	w->cs.ntabs = 1;
	w->cs.ctx = w;
	w->cs.on_shutdown = on_shutdown;
	w->cs.channels = channels;
	w->cs.nchannels = 1;
	if (mgmt && (rc = console_listen(&w->cs, &w->loop, mgmt, w->mgmt_mode, -1))) {
		fprintf(stderr, "vdelab-wirefilter: console %s: %s\n", mgmt, strerror(rc));
		return 1;
	}
	if (rcfile) {
		FILE *f = fopen(rcfile, "r");
		char line[CONSOLE_MAX_LINE + 2];
		unsigned n = 0;
		if (!f) {
			fprintf(stderr, "vdelab-wirefilter: -f %s: %s\n", rcfile, strerror(errno));
			return 1;
		}
		while (fgets(line, sizeof(line), f)) {
			struct strbuf out = { 0 };
			n++;
			int rv = console_exec(&table, 1, line, w, &out);
			if (rv > 0)
				fprintf(stderr, "vdelab-wirefilter: %s:%u: %s%s", rcfile, n, out.s ? out.s : "", "");
			sb_free(&out);
		}
		fclose(f);
	}
	w->tick.cb = on_tick;
	w->tick.arg = w;
	loop_timer_add(&w->loop, &w->tick);
	loop_timer_arm(&w->tick, loop_now_ns() + 1000000000ull);
	if (daemonize) {
		if ((rc = daemon_start(&w->loop, pidfile))) {
			fprintf(stderr, "vdelab-wirefilter: daemon: %s\n", strerror(rc));
			return 1;
		}
	} else if ((vsw || argc == 3) && isatty(STDIN_FILENO)) {
		console_attach_stdio(&w->cs, STDIN_FILENO, STDOUT_FILENO);
	}
	if (!daemonize && pidfile && (rc = pidfile_write(pidfile))) {
		log_msg(LOG_ERR, "pidfile %s: %s", pidfile, strerror(rc));
		return 1;
	}
	loop_run(&w->loop);
	if (w->patch.why[0])
		log_msg(w->patch.status ? LOG_ERR : LOG_DEBUG, "%s", w->patch.why);
	console_close(&w->cs);
	patch_close(&w->patch);
	capture_close(w->cap);
	for (int d = 0; d < 2; d++) {
		struct impair_stats st;
		patch_stats(&w->patch, d, &st);
		if (st.lost_on_close)
			log_msg(LOG_INFO, "%s: %llu frames still in the delay line were lost", dname[d],
				(unsigned long long)st.lost_on_close);
	}
	loop_destroy(&w->loop);
	if (pidfile)
		unlink(pidfile);
	return w->patch.status;
}
