/* extcap.c - labctl as a Wireshark extcap program (Wireshark's extcap(4)
 * interface), installed as "vdelab" in Wireshark's extcap folder, so that
 * tshark -D and Wireshark's interface list show every running lab's node
 * interfaces, cables and tunnel ports, and capture from them.
 *
 * Wireshark calls, in turn:
 *   --extcap-interfaces [--extcap-version=V]     the interfaces, one line each
 *   --extcap-interface IF --extcap-dlts          their link type (Ethernet)
 *   --extcap-interface IF --extcap-config        the options it may pass (--at)
 *   --extcap-interface IF --extcap-capture-filter F   is F valid? (exit 0 yes)
 *   --capture --extcap-interface IF --fifo PATH [--extcap-capture-filter F] [--at P]
 * An interface is "vdelab:LAB:TARGET", TARGET being what labctl capture
 * takes (NODE:IF, a cable, SWITCH:PORT); the capture is labctl capture's,
 * streamed as pcap into the fifo until Wireshark stops it (SIGTERM, or the
 * fifo closing).
 */
#include "cmds.h"
#include "state.h"
#include "util.h"
#include "../vde/core/version.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define IF_PREFIX "vdelab:"

/* Interface lines of the lab whose run directory is dir. */
static void list_lab(const char *lab, const char *dir)
{
	g_autoptr(LabState) st = state_load(dir);
	if (!st)
		return;
	for (guint i = 0; i < st->links->len; i++) {
		const struct st_link *l = &g_array_index(st->links, struct st_link, i);
		printf("interface {value=" IF_PREFIX "%s:%s:%s}{display=vdelab %s: %s %s (switch %s port %d)}\n", lab,
		       l->node, l->ifname, lab, l->node, l->ifname, l->sw, l->port);
	}
	for (guint i = 0; i < st->cables->len; i++) {
		const struct st_cable *c = &g_array_index(st->cables, struct st_cable, i);
		if (c->port[0] < 0 && c->port[1] < 0)
			continue;
		printf("interface {value=" IF_PREFIX "%s:%s}{display=vdelab %s: cable %s}\n", lab, c->name, lab, c->name);
	}
	for (guint i = 0; i < st->tunnels->len; i++) {
		const struct st_tunnel *t = &g_array_index(st->tunnels, struct st_tunnel, i);
		printf("interface {value=" IF_PREFIX "%s:%s:%d}{display=vdelab %s: %s port %d (%s %s)}\n", lab, t->sw, t->port,
		       lab, t->sw, t->port, !strcmp(t->type, "slirp") ? "NAT" : t->type, t->node);
	}
}

static int list_interfaces(void)
{
	printf("extcap {version=%s}{help=man:labctl(8)}\n", VDELAB_VERSION);
	g_autofree char *root = run_root();
	GDir *d = g_dir_open(root, 0, NULL);
	if (!d)
		return 0; /* no lab yet: no interfaces */
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	for (const char *n; (n = g_dir_read_name(d));)
		g_ptr_array_add(names, g_strdup(n));
	g_dir_close(d);
	g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
	for (guint i = 0; i < names->len; i++) {
		const char *lab = *(char **)&names->pdata[i];
		g_autofree char *dir = g_build_filename(root, lab, NULL);
		list_lab(lab, dir);
	}
	g_ptr_array_free(names, TRUE);
	return 0;
}

/* "vdelab:LAB:TARGET" -> LAB and TARGET (new strings). False if not ours. */
static bool split_if(const char *ifname, char **lab, char **target)
{
	if (!ifname || !g_str_has_prefix(ifname, IF_PREFIX))
		return false;
	const char *l = ifname + strlen(IF_PREFIX), *c = strchr(l, ':');
	if (!c || c == l || !c[1])
		return false;
	*lab = g_strndup(l, c - l);
	*target = g_strdup(c + 1);
	return true;
}

/* Is filter a valid BPF program for Ethernet? The reason in *why if not. */
static bool filter_ok(const char *filter, char **why)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	struct bpf_program prog;
	bool ok = pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) == 0;
	if (ok)
		pcap_freecode(&prog);
	else
		*why = g_strdup(pcap_geterr(p));
	pcap_close(p);
	return ok;
}

bool extcap_call(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (g_str_has_prefix(argv[i], "--extcap-") || !strcmp(argv[i], "--capture"))
			return true;
	return false;
}

int run_extcap(int argc, char **argv)
{
	gboolean interfaces = FALSE, dlts = FALSE, config = FALSE, capture = FALSE;
	g_autofree char *ifname = NULL, *fifo = NULL, *filter = NULL, *version = NULL, *at = NULL;
	GOptionEntry entries[] = {
		{ "extcap-interfaces", 0, 0, G_OPTION_ARG_NONE, &interfaces, "list the running labs' interfaces", NULL },
		{ "extcap-version", 0, 0, G_OPTION_ARG_STRING, &version, "Wireshark's version (ignored)", "V" },
		{ "extcap-interface", 0, 0, G_OPTION_ARG_STRING, &ifname, "the interface (vdelab:LAB:TARGET)", "IF" },
		{ "extcap-dlts", 0, 0, G_OPTION_ARG_NONE, &dlts, "its link type", NULL },
		{ "extcap-config", 0, 0, G_OPTION_ARG_NONE, &config, "its options", NULL },
		{ "capture", 0, 0, G_OPTION_ARG_NONE, &capture, "capture it into --fifo", NULL },
		{ "fifo", 0, 0, G_OPTION_ARG_FILENAME, &fifo, "where Wireshark reads the pcap stream", "PATH" },
		{ "extcap-capture-filter", 0, 0, G_OPTION_ARG_STRING, &filter, "a BPF filter", "EXPR" },
		{ "at", 0, 0, G_OPTION_ARG_STRING, &at, "wire (default) or switch", "POINT" },
		{ NULL }
	};
	GError *gerr = NULL;
	GOptionContext *ctx = g_option_context_new("- labctl as a Wireshark extcap program (extcap(4))");
	g_option_context_add_main_entries(ctx, entries, NULL);
	bool ok = g_option_context_parse(ctx, &argc, &argv, &gerr);
	g_option_context_free(ctx);
	if (!ok) {
		fprintf(stderr, "labctl extcap: %s\n", gerr->message);
		g_error_free(gerr);
		return 2;
	}
	if (interfaces)
		return list_interfaces();
	g_autofree char *lab = NULL, *target = NULL;
	if (!split_if(ifname, &lab, &target)) {
		fprintf(stderr, "labctl extcap: %s: not a vdelab interface (vdelab:LAB:TARGET)\n", ifname ? ifname : "no --extcap-interface");
		return 2;
	}
	if (dlts) {
		printf("dlt {number=%d}{name=EN10MB}{display=Ethernet}\n", DLT_EN10MB);
		return 0;
	}
	if (config) {
		printf("arg {number=0}{call=--at}{display=Capture point}{type=selector}"
		       "{tooltip=wire: as on the cable, outside the port's impairments; switch: inside them}\n"
		       "value {arg=0}{value=wire}{display=wire}{default=true}\n"
		       "value {arg=0}{value=switch}{display=switch}{default=false}\n");
		return 0;
	}
	if (filter && *filter) {
		g_autofree char *why = NULL;
		if (!filter_ok(filter, &why)) {
			printf("%s\n", why);
			return 1;
		}
	}
	if (!capture)
		return 0; /* a filter check */
	if (!fifo) {
		fprintf(stderr, "labctl extcap: --capture needs --fifo\n");
		return 2;
	}
	int fd = open(fifo, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0) {
		fprintf(stderr, "labctl extcap: %s: %s\n", fifo, g_strerror(errno));
		return 1;
	}
	close(fd);
	char *cargv[10];
	int n = 0;
	cargv[n++] = "capture";
	cargv[n++] = lab;
	cargv[n++] = target;
	cargv[n++] = "--write=-";
	g_autofree char *fo = filter && *filter ? g_strdup_printf("--filter=%s", filter) : NULL;
	g_autofree char *ao = at ? g_strdup_printf("--at=%s", at) : NULL;
	if (fo)
		cargv[n++] = fo;
	if (ao)
		cargv[n++] = ao;
	cargv[n] = NULL;
	capture_quiet = true; /* Wireshark reads stderr as errors */
	return run_capture(n, cargv);
}
