/* check.c - labctl check: the lab's checks, text/TAP/JSON/JUnit. */
#include "cmds.h"
#include "mgmt.h"
#include "node.h"
#include "state.h"
#include "util.h"
#include "vm.h"

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

/* ---- checks ---- */

struct result {
	const struct lab_check *c;
	bool pass;
	double secs;
	char *detail;  /* one line: what happened */
	char *output;  /* the command's whole output (run= checks), or NULL */
};

/* Why a run= check with this exit code and output fails, NULL if it passes. */
static char *run_verdict(const struct lab_check *c, int rc, const char *out)
{
	if (rc != c->exit_code)
		return g_strdup_printf("exit %d, expected %d", rc, c->exit_code);
	if (c->expect && !g_regex_match_simple(c->expect, out ? out : "", 0, 0))
		return g_strdup_printf("exit %d, but the output does not match /%s/", rc, c->expect);
	return NULL;
}

/* A switch check: the console command's output against expect (each line,
 * multi-line mode) and lines=. */
static bool show_one(const char *labname, const struct lab_check *c, char **detail, char **output)
{
	g_autofree char *dir = lab_dir(labname);
	g_autoptr(LabState) st = state_load(dir);
	g_autofree char *m = st ? state_switch_mgmt(st, c->sw) : NULL;
	g_autofree char *out = NULL;
	*output = NULL;
	if (!m || mgmt(m, c->show, &out) != 0) {
		*detail = g_strdup_printf("switch %s did not answer %s", c->sw, c->show);
		*output = g_strdup(out ? out : "");
		return false;
	}
	*output = g_strdup(out);
	if (!c->expect) {
		*detail = g_strdup("answered");
		return true;
	}
	g_autoptr(GRegex) re = g_regex_new(c->expect, G_REGEX_MULTILINE, 0, NULL);
	if (!re) { /* checked at load */
		*detail = g_strdup("bad expect");
		return false;
	}
	if (c->lines < 0) {
		bool ok = g_regex_match(re, out, 0, NULL);
		*detail = g_strdup_printf("%s /%s/", ok ? "output matches" : "output does not match", c->expect);
		return ok;
	}
	int n = 0;
	g_auto(GStrv) l = g_strsplit(out, "\n", -1);
	for (int k = 0; l[k]; k++)
		n += g_regex_match(re, l[k], 0, NULL);
	*detail = g_strdup_printf("%d line%s match /%s/, expected %d", n, n == 1 ? "" : "s", c->expect, c->lines);
	return n == c->lines;
}

/* The address of a check's target: a node's first address, or the text. */
static char *target_addr(const struct lab *lab, const char *host)
{
	struct lab_node *t = lab_find_node(lab, host);
	return t ? lab_node_address(t) : g_strdup(host);
}

/* tcp="HOST:PORT": bash's /dev/tcp in the node (every node has bash). A
 * refused connection or an unreachable host is a definite answer. */
static bool tcp_one(const char *dir, const struct lab *lab, const struct lab_check *c, char **detail, char **output,
		    bool *definite)
{
	const char *colon = strrchr(c->tcp, ':');
	g_autofree char *host = g_strndup(c->tcp, (gsize)(colon - c->tcp));
	g_autofree char *addr = target_addr(lab, host);
	char *argv[] = { "timeout", "2", "bash", "-c", "exec 3<>\"/dev/tcp/$0/$1\"", addr, (char *)colon + 1, NULL };
	int rc = node_run(dir, c->node, argv, output);
	const char *o = *output ? *output : "";
	*definite = strstr(o, "refused") || strstr(o, "unreachable") || strstr(o, "No route");
	/* bash's last words: "...: Connection refused" */
	g_autofree char *last = g_strchomp(g_strdup(o));
	const char *why = strrchr(last, ':') ? strrchr(last, ':') + 2 : "failed";
	*detail = rc == 0 ? g_strdup_printf("connected to %s:%s", addr, colon + 1)
			  : g_strdup_printf("no connection to %s:%s (%s)", addr, colon + 1,
					    rc == 124 ? "timed out" : *definite ? why : "failed");
	return rc == 0;
}

/* http="URL": curl in the node; expect= on the page. */
static bool http_one(const char *dir, const struct lab_check *c, char **detail, char **output, bool *definite)
{
	char *argv[] = { "curl", "-sS", "-m", "3", "--", c->http, NULL };
	int rc = node_run(dir, c->node, argv, output);
	*definite = rc == 7 || rc == 6; /* could not connect, could not resolve */
	if (rc != 0) {
		*detail = g_strdup_printf("curl %s: exit %d%s", c->http, rc, rc == 7 ? " (could not connect)" :
					  rc == 6 ? " (could not resolve the host)" : rc == 28 ? " (timed out)" : "");
		return false;
	}
	bool ok = !c->expect || g_regex_match_simple(c->expect, *output ? *output : "", G_REGEX_MULTILINE, 0);
	*detail = ok ? g_strdup_printf("fetched %s", c->http)
		     : g_strdup_printf("fetched %s, but the page does not match /%s/", c->http, c->expect);
	return ok;
}

/* dns="NAME": getent ahosts in the node (its own resolv.conf and hosts);
 * expect= on the addresses. A name that does not exist is definite. */
static bool dns_one(const char *dir, const struct lab_check *c, char **detail, char **output, bool *definite)
{
	char *argv[] = { "timeout", "3", "getent", "ahosts", c->dns, NULL };
	int rc = node_run(dir, c->node, argv, output);
	*definite = rc == 2; /* getent: key not found */
	if (rc != 0) {
		*detail = g_strdup_printf("%s does not resolve (getent exit %d)", c->dns, rc);
		return false;
	}
	bool ok = !c->expect || g_regex_match_simple(c->expect, *output ? *output : "", G_REGEX_MULTILINE, 0);
	*detail = ok ? g_strdup_printf("%s resolves", c->dns)
		     : g_strdup_printf("%s resolves, but not to /%s/", c->dns, c->expect);
	return ok;
}

/* rtt="HOST" min= max=: the smallest of 3 RTTs (a delay is a floor). */
static bool rtt_one(const char *dir, const struct lab *lab, const struct lab_check *c, char **detail, char **output)
{
	g_autofree char *addr = target_addr(lab, c->rtt);
	char *argv[] = { "ping", strchr(addr, ':') ? "-6" : "-4", "-c", "3", "-i", "0.2", "-W", "2", addr, NULL };
	int rc = node_run(dir, c->node, argv, output);
	const char *m = *output ? strstr(*output, "min/avg/max") : NULL;
	double mn;
	if (rc != 0 || !m || !(m = strstr(m, "= ")) || sscanf(m + 2, "%lf", &mn) != 1) {
		*detail = g_strdup_printf("ping %s got no answer", addr);
		return false;
	}
	bool ok = mn >= c->rtt_min_ms && (!c->rtt_max_ms || mn <= c->rtt_max_ms);
	g_autofree char *hi = c->rtt_max_ms ? g_strdup_printf("%g", c->rtt_max_ms) : g_strdup("any");
	*detail = g_strdup_printf("RTT to %s %.1f ms (the least of 3), expected %g..%s ms", addr, mn, c->rtt_min_ms, hi);
	return ok;
}

/* path="SRC DST" via=: trace.c's computed path, nothing is sent. */
static bool path_one(const char *labname, const struct lab_check *c, char **detail, char **output)
{
	*output = NULL;
	*detail = NULL;
	return trace_passes(labname, c->path_src, c->path_dst, c->via, detail) == 1;
}

/* seen="LINK" filter=: a capture of the link's switch port (at the wire,
 * both directions) stopping at the first frame the filter matches, for the
 * whole timeout; expect="none" passes when no frame was seen. */
static bool seen_one(const char *labname, const struct lab_check *c, char **detail, char **output)
{
	g_autofree char *dir = lab_dir(labname), *sw = NULL, *m = NULL, *reply = NULL;
	g_autoptr(LabState) st = state_load(dir);
	GString *err = g_string_new(NULL);
	int port = 0, written = 0;
	bool none = c->expect && !strcmp(c->expect, "none");
	*output = NULL;
	if (!st || !state_target_port(st, c->seen, &sw, &port, err) || !(m = state_switch_mgmt(st, sw))) {
		*detail = g_strdup_printf("%s: %s", c->seen, err->len ? err->str : "the lab is not up");
		g_string_free(err, TRUE);
		return false;
	}
	g_string_free(err, TRUE);
	g_autofree char *path = g_strdup_printf("%s/seen-%d-%d.pcap", dir, (int)getpid(), c->line);
	g_autofree char *cmd = g_strdup_printf("capture/start %d %s count=1 at=wire %s", port, path, c->filter ? c->filter : "");
	unlink(path);
	if (mgmt(m, cmd, &reply) != 0) {
		g_autofree char *why = mgmt_reason(reply);
		*detail = g_strdup_printf("cannot capture %s (switch %s port %d): %s", c->seen, sw, port, why);
		return false;
	}
	double t0 = now_s();
	while (capture_poll(m, port, &written, NULL) && written < 1 && now_s() - t0 < c->timeout_s)
		g_usleep(100000);
	capture_poll(m, port, &written, NULL);
	g_autofree char *stop = g_strdup_printf("capture/stop %d", port);
	mgmt(m, stop, NULL);
	unlink(path);
	g_autofree char *what = c->filter ? g_strdup_printf("frame matching '%s'", c->filter) : g_strdup("frame");
	if (written > 0)
		*detail = g_strdup_printf("a %s crossed %s after %.1f s", what, c->seen, now_s() - t0);
	else
		*detail = g_strdup_printf("no %s crossed %s in %.0f s", what, c->seen, c->timeout_s);
	return none ? written == 0 : written > 0;
}

static bool run_one(const char *labname, const struct lab *lab, const struct lab_check *c, char **detail,
		    char **output, bool *definite)
{
	*definite = false;
	if (c->show)
		return show_one(labname, c, detail, output);
	if (c->path_src)
		return path_one(labname, c, detail, output);
	if (c->seen)
		return seen_one(labname, c, detail, output);
	g_autofree char *dir = lab_dir(labname);
	g_autofree char *serial = vm_serial_of(dir, c->node);
	*output = NULL;
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
		g_autofree char *why = run_verdict(c, rc, out);
		*detail = why ? g_strdup_printf("%s (in the VM)", why) : g_strdup_printf("exit %d (in the VM)", rc);
		*output = g_strdup(out ? out : "");
		return !why;
	}
	if (c->tcp)
		return tcp_one(dir, lab, c, detail, output, definite);
	if (c->http)
		return http_one(dir, c, detail, output, definite);
	if (c->dns)
		return dns_one(dir, c, detail, output, definite);
	if (c->rtt)
		return rtt_one(dir, lab, c, detail, output);
	if (c->ping) {
		struct lab_node *t = lab_find_node(lab, c->ping);
		g_autofree char *addr = t ? lab_node_address(t) : g_strdup(c->ping);
		bool want_fail = c->expect && !strcmp(c->expect, "fail");
		char *argv[] = { "ping", strchr(addr, ':') ? "-6" : "-4", "-c", "1", "-W", "1", addr, NULL };
		g_autofree char *pout = NULL;
		int rc = node_run(dir, c->node, argv, &pout);
		/* no route here, or an ICMP unreachable from a router on the way */
		const char *unr = rc && pout ? strcasestr(pout, "unreachable") : NULL;
		*definite = unr != NULL;
		if (unr) {
			const char *b = unr;
			while (b > pout && b[-1] != '\n' && b[-1] != ':')
				b--;
			g_autofree char *why = g_strstrip(g_strndup(b, strcspn(b, "\n")));
			*detail = g_strdup_printf("ping %s got no answer (%s)", addr, why);
			return want_fail;
		}
		*detail = g_strdup_printf("ping %s %s", addr, rc == 0 ? "answered" : "got no answer");
		return want_fail ? rc != 0 : rc == 0;
	}
	g_autofree char *out = NULL;
	g_autofree char *limit = g_strdup_printf("%.0f", c->timeout_s < 1 ? 1 : c->timeout_s);
	char *argv[] = { "timeout", limit, "sh", "-c", c->run, NULL };
	int rc = node_run(dir, c->node, argv, &out);
	g_autofree char *why = run_verdict(c, rc, out);
	*detail = why ? g_strdup(why) : g_strdup_printf("exit %d", rc);
	*output = g_strdup(out ? out : "");
	return !why;
}

enum fmt { FMT_TEXT, FMT_TAP, FMT_JSON, FMT_JUNIT, FMT_TSV };
static const char *const fmt_names[] = { "text", "tap", "json", "junit", "tsv" };
enum { NFMT = 5 };

/* One field of a tsv row: tabs and line ends become spaces. */
static void tsv_field(FILE *f, const char *s, bool last)
{
	for (; s && *s; s++)
		fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, f);
	fputc(last ? '\n' : '\t', f);
}

bool check_tsv_parse(const char *line, struct check_row *r)
{
	g_auto(GStrv) f = g_strsplit(line, "\t", 5);
	if (g_strv_length(f) != 5 || (strcmp(f[0], "PASS") && strcmp(f[0], "FAIL")))
		return false;
	char *e1, *e2;
	long pts = strtol(f[1], &e1, 10), line_no = strtol(f[2], &e2, 10);
	if (*e1 || *e2 || pts < 0 || line_no < 0)
		return false;
	r->pass = !strcmp(f[0], "PASS");
	r->points = (int)pts;
	r->line = (int)line_no;
	r->name = g_strdup(f[3]);
	r->detail = g_strdup(f[4]);
	return true;
}

static char *label_of(const struct result *r)
{
	if (r->c->name)
		return g_strdup(r->c->name);
	if (r->c->show)
		return g_strdup_printf("%s: show %s", r->c->sw, r->c->show);
	const struct lab_check *c = r->c;
	if (c->path_src)
		return g_strdup_printf("path %s -> %s via %s", c->path_src, c->path_dst, c->via);
	if (c->seen)
		return g_strdup_printf("seen %s%s on %s", c->expect ? "no " : "", c->filter ? c->filter : "frame", c->seen);
	const char *kind = c->ping ? "ping" : c->tcp ? "tcp" : c->http ? "http" : c->dns ? "dns" : c->rtt ? "rtt" : "run";
	const char *what = c->ping ? c->ping : c->tcp ? c->tcp : c->http ? c->http : c->dns ? c->dns : c->rtt ? c->rtt : c->run;
	return g_strdup_printf("%s: %s %s", c->node, kind, what);
}

/* The results in one format. Text shows a failing check's first 20 lines
 * of output; TAP, JSON and JUnit carry the whole output. */
static void report(FILE *f, enum fmt fmt, const char *name, GArray *res, unsigned failed)
{
	int score = 0, max = 0; /* points= of the checks passed, of all */
	for (guint i = 0; i < res->len; i++) {
		const struct result *r = &g_array_index(res, struct result, i);
		max += r->c->points;
		score += r->pass ? r->c->points : 0;
	}
	if (fmt == FMT_TAP)
		fprintf(f, "1..%u\n", res->len);
	if (fmt == FMT_JSON) {
		g_autofree char *n = g_strescape(name, NULL);
		fprintf(f, "{\"lab\": \"%s\", \"checks\": [", n);
	}
	if (fmt == FMT_JUNIT) {
		g_autofree char *n = g_markup_escape_text(name, -1);
		fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"%s\" tests=\"%u\" failures=\"%u\">\n",
			n, res->len, failed);
	}
	for (guint i = 0; i < res->len; i++) {
		const struct result *r = &g_array_index(res, struct result, i);
		g_autofree char *label = label_of(r);
		const char *out = r->output ? r->output : "";
		if (fmt == FMT_JUNIT) {
			g_autofree char *l = g_markup_escape_text(label, -1), *d = g_markup_escape_text(r->detail, -1);
			g_autofree char *o = g_markup_escape_text(out, -1), *node = g_markup_escape_text(r->c->node ? r->c->node : r->c->sw, -1);
			fprintf(f, "  <testcase classname=\"%s\" name=\"%s\" time=\"%.2f\">", node, l, r->secs);
			if (!r->pass)
				fprintf(f, "<failure message=\"%s\">%s</failure>", d, o);
			else if (*out)
				fprintf(f, "<system-out>%s</system-out>", o);
			fprintf(f, "</testcase>\n");
		} else if (fmt == FMT_TSV) {
			g_autofree char *pts = g_strdup_printf("%d", r->c->points), *ln = g_strdup_printf("%d", r->c->line);
			tsv_field(f, r->pass ? "PASS" : "FAIL", false);
			tsv_field(f, pts, false);
			tsv_field(f, ln, false);
			tsv_field(f, label, false);
			tsv_field(f, r->detail, true);
		} else if (fmt == FMT_TAP) {
			fprintf(f, "%s %u - %s # %s\n", r->pass ? "ok" : "not ok", i + 1, label, r->detail);
			g_auto(GStrv) ol = g_strsplit(out, "\n", -1);
			for (int k = 0; ol[k] && (ol[k][0] || ol[k + 1]); k++)
				fprintf(f, "#   %s\n", ol[k]);
		} else if (fmt == FMT_JSON) {
			g_autofree char *l = g_strescape(label, NULL), *d = g_strescape(r->detail, NULL);
			g_autofree char *o = g_strescape(out, NULL), *x = r->c->expect ? g_strescape(r->c->expect, NULL) : NULL;
			fprintf(f, "%s\n  {\"name\": \"%s\", \"line\": %d, \"pass\": %s, \"points\": %d, \"seconds\": %.2f, "
				"\"detail\": \"%s\", \"expect\": %s%s%s, \"output\": \"%s\"}", i ? "," : "", l, r->c->line,
				r->pass ? "true" : "false", r->c->points, r->secs, d, x ? "\"" : "", x ? x : "null", x ? "\"" : "", o);
		} else {
			fprintf(f, "%s  %-50s %5.2f s  %s\n", r->pass ? "PASS" : "FAIL", label, r->secs, r->detail);
			if (!r->pass && *out) {
				g_autofree char *text = g_strchomp(g_strdup(out));
				g_auto(GStrv) ol = g_strsplit(text, "\n", -1);
				guint n = g_strv_length(ol);
				for (guint k = 0; k < n && k < 20; k++)
					fprintf(f, "      | %s\n", ol[k]);
				if (n > 20)
					fprintf(f, "      | ... (%u more lines: --format json has them all)\n", n - 20);
			}
		}
	}
	if (fmt == FMT_JSON)
		fprintf(f, "\n], \"passed\": %u, \"failed\": %u, \"score\": %d, \"max_score\": %d}\n", res->len - failed,
			failed, score, max);
	else if (fmt == FMT_JUNIT)
		fprintf(f, "</testsuite>\n");
	else if (fmt == FMT_TEXT) {
		fprintf(f, "%u passed, %u failed\n", res->len - failed, failed);
		if (score != (int)(res->len - failed) || max != (int)res->len) /* points= given */
			fprintf(f, "score %d of %d points\n", score, max);
	}
}

int run_check(int argc, char **argv)
{
	g_auto(GStrv) formats = NULL;
	GOptionEntry entries[] = {
		{ "format", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &formats,
		  "text (default), tap, json, junit or tsv (a row per check: PASS|FAIL, points, line, name, detail); FMT=FILE writes that report to FILE; repeatable", "FMT[=FILE]" },
		{ NULL }
	};
	if (!begin(&argc, &argv, "check", "FILE - run the lab's checks against the running lab",
		   "Each check is retried until it passes or its timeout (default 5 s) runs out, so\n"
		   "routing and ARP can settle. ping=NODE|ADDRESS [expect=\"fail\"]; run=\"CMD\" with\n"
		   "exit (default 0) and expect (a regular expression on the output); tcp=HOST:PORT\n"
		   "(a connection opens); http=URL (the page, expect= on it); dns=NAME (it resolves,\n"
		   "expect= on the addresses); rtt=HOST min=40ms max=60ms (the least of 3 RTTs);\n"
		   "path=\"SRC DST\" via=NODE|SWITCH|CABLE (the path labctl trace computes passes\n"
		   "there); seen=NODE:IF|SWITCH:PORT|CABLE filter=BPF (a matching frame crosses it\n"
		   "within the timeout; expect=none: none does).\n"
		   "A definite answer (a refused connection, a name that does not exist, no route,\n"
		   "an ICMP unreachable) ends a check after 1 s.\n"
		   "points=N weighs a check (default 1): the score is printed when points differ.\n"
		   "A failing run= check shows why (the exit code, or the expression that did not\n"
		   "match) and the first 20 lines of its output; tap, json and junit carry the whole output.\n"
		   "Several reports in one run:  --format json=r.json --format junit=r.xml\n"
		   "Exit status: 0 if every check passes, 1 otherwise, 2 if the lab is not up.",
		   entries, 1, "lab file"))
		return 2;
	/* FMT or FMT=FILE, each at most once on stdout */
	GArray *outs = g_array_new(FALSE, TRUE, sizeof(enum fmt));
	GPtrArray *files = g_ptr_array_new();
	unsigned on_stdout = 0;
	for (int i = 0; formats && formats[i]; i++) {
		const char *eq = strchr(formats[i], '=');
		g_autofree char *fn = eq ? g_strndup(formats[i], (gsize)(eq - formats[i])) : g_strdup(formats[i]);
		int k = -1;
		for (int j = 0; j < NFMT; j++)
			if (!strcmp(fn, fmt_names[j]))
				k = j;
		if (k < 0 || (eq && !eq[1])) {
			fprintf(stderr, "labctl check: --format %s: expected text, tap, json, junit or tsv, optionally =FILE\n", formats[i]);
			g_array_free(outs, TRUE), g_ptr_array_free(files, TRUE);
			return 2;
		}
		enum fmt fk = (enum fmt)k;
		g_array_append_val(outs, fk);
		g_ptr_array_add(files, eq && strcmp(eq + 1, "-") ? (gpointer)(eq + 1) : NULL);
		on_stdout += !(eq && strcmp(eq + 1, "-"));
	}
	if (on_stdout > 1) {
		fprintf(stderr, "labctl check: only one report can go to stdout (give the others =FILE)\n");
		g_array_free(outs, TRUE), g_ptr_array_free(files, TRUE);
		return 2;
	}
	if (!outs->len) {
		enum fmt t = FMT_TEXT;
		g_array_append_val(outs, t);
		g_ptr_array_add(files, NULL);
	}
	struct lab *lab = load_or_report(argv[1]);
	if (!lab) {
		g_array_free(outs, TRUE), g_ptr_array_free(files, TRUE);
		return 1;
	}
	const char *name = opt_lab_name() ? opt_lab_name() : lab->name;
	/* a lab brought up with --site runs the checks of that site's nodes */
	g_autofree char *dir = lab_dir(name);
	g_autoptr(LabState) st = state_load(dir);
	if (!st) { /* not up: say so now instead of waiting out every timeout */
		fprintf(stderr, "labctl check: lab \"%s\" is not up (labctl up %s)\n", name, argv[1]);
		lab_free(lab);
		g_array_free(outs, TRUE), g_ptr_array_free(files, TRUE);
		return 2;
	}
	const char *site = st->site;
	GArray *res = g_array_new(FALSE, TRUE, sizeof(struct result));
	unsigned failed = 0;
	for (guint i = 0; i < lab->checks->len; i++) {
		struct result r = { .c = g_ptr_array_index(lab->checks, i) };
		const char *cnode = r.c->node ? r.c->node : r.c->path_src;
		const struct lab_node *cn = cnode ? lab_find_node(lab, cnode) : NULL;
		const struct lab_switch *cs = r.c->sw ? lab_find_switch(lab, r.c->sw) : NULL;
		const char *where = cn ? cn->site : cs ? cs->site : NULL;
		if (site && where && strcmp(where, site))
			continue;
		double t0 = now_s();
		do {
			g_free(r.detail);
			g_free(r.output);
			bool definite;
			r.pass = run_one(name, lab, r.c, &r.detail, &r.output, &definite);
			if (r.pass || (r.c->ping && r.c->expect && !strcmp(r.c->expect, "fail")))
				break;
			/* a refused connection, a name that does not exist: no point
			 * waiting out the timeout (after 1 s, for services starting) */
			if (definite && now_s() - t0 >= 1)
				break;
			g_usleep(200000);
		} while (now_s() - t0 < r.c->timeout_s);
		r.secs = now_s() - t0;
		failed += !r.pass;
		g_array_append_val(res, r);
	}
	int rc = failed ? 1 : 0;
	for (guint i = 0; i < outs->len; i++) {
		const char *fn = g_ptr_array_index(files, i);
		FILE *f = fn ? fopen(fn, "w") : stdout;
		if (!f) {
			fprintf(stderr, "labctl check: %s: %s\n", fn, g_strerror(errno));
			rc = 2;
			continue;
		}
		report(f, g_array_index(outs, enum fmt, i), name, res, failed);
		if (fn)
			fclose(f);
	}
	for (guint i = 0; i < res->len; i++) {
		g_free(g_array_index(res, struct result, i).detail);
		g_free(g_array_index(res, struct result, i).output);
	}
	g_array_free(res, TRUE);
	g_array_free(outs, TRUE);
	g_ptr_array_free(files, TRUE);
	lab_free(lab);
	return rc;
}
