/* vdelab-plug - join two endpoints: a VDE plug (URL <-> stdin/stdout, the
 * 2-byte big-endian framing of vde_plug, so dpipe works) or a cable between
 * two URLs, optionally impaired per direction. Exits when either side goes
 * away. */
#include "../core/patch.h"
#include "../core/cablecrypt.h"
#include "../core/capture.h"
#include "../core/daemon.h"
#include "../core/log.h"
#include "../core/version.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* %s: the endpoint schemes, then the impairment keys (help_text) */
static const char description[] =
	"With one URL, joins that endpoint to stdin/stdout using vde_plug's framing\n"
	"(2-byte big-endian length, then the frame), so it works with dpipe:\n"
	"  dpipe vdelab-plug vde:///tmp/sw1 = vdelab-plug vde:///tmp/sw2\n"
	"With two URLs, it is a cable between them:\n"
	"  vdelab-plug vde:///tmp/sw1 vde:///tmp/sw2[4]\n"
	"  vdelab-plug --impair 'delay=20ms loss=1%% rate=10Mbit' vde:///tmp/sw1 vde:///tmp/sw2\n"
	"\n"
	"Endpoint URLs (SCHEME://PATH[?KEY=VALUE&...]; unknown options are refused):\n"
	"%s"
	"\n"
	"Keys for cable:// (one line of base64; secret files are made mode 0600 and\n"
	"refused if group or others may read them):\n"
	"  vdelab-plug --genkey lab.key          a pre-shared key: copy it to both ends\n"
	"  vdelab-plug --genkeypair site.key     site.key (private) and site.key.pub\n"
	"  vdelab-plug cable://5000@192.0.2.2:5000?psk=lab.key vde:///tmp/sw1\n"
	"\n"
	"Impairments (--impair for both directions, --impair-lr for URL1 -> URL2,\n"
	"--impair-rl for URL2 -> URL1), KEY=VALUE words; applied in netem's order:\n"
	"mtu, loss, dup, queue, corrupt, noise, rate, reorder, delay.\n"
	"%s"
	"\n"
	"Exits with status 0 when either side goes away (the switch stops, the peer\n"
	"closes the stream), 1 on a setup error. Frames still in a delay line then are\n"
	"reported as lost.";

/* --help's text: the endpoint and impairment lists come from their tables. */
static char *help_text(void)
{
	static char eps[4096], imps[4096];
	ep_help(eps, sizeof(eps), 2);
	impair_help(imps, sizeof(imps), 2);
	return g_strdup_printf(description, eps, imps);
}

static int apply(struct impair_params *p, const char *spec, const char *opt)
{
	char err[256];
	if (!spec)
		return 0;
	if (impair_parse(spec, p, err, sizeof(err))) {
		fprintf(stderr, "vdelab-plug: %s: %s\n", opt, err);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	gboolean daemonize = FALSE, verbose = FALSE;
	g_autofree gchar *pidfile = NULL, *descr = NULL, *imp = NULL, *imp_lr = NULL, *imp_rl = NULL;
	g_autofree gchar *genkey = NULL, *genpair = NULL, *capfile = NULL, *capfilter = NULL;
	gint64 seed = -1;
	gboolean version = FALSE;
	GOptionEntry entries[] = {
		{ "genkey", 0, 0, G_OPTION_ARG_FILENAME, &genkey, "Write a new pre-shared cable key to FILE (mode 0600) and exit", "FILE" },
		{ "genkeypair", 0, 0, G_OPTION_ARG_FILENAME, &genpair, "Write a new key pair to FILE (0600) and FILE.pub and exit", "FILE" },
		{ "impair", 'i', 0, G_OPTION_ARG_STRING, &imp, "Impairments in both directions", "SPEC" },
		{ "impair-lr", 0, 0, G_OPTION_ARG_STRING, &imp_lr, "Impairments from URL1 to URL2", "SPEC" },
		{ "impair-rl", 0, 0, G_OPTION_ARG_STRING, &imp_rl, "Impairments from URL2 to URL1", "SPEC" },
		{ "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the impairment RNG (default: from the clock)", "N" },
		{ "capture", 'w', 0, G_OPTION_ARG_FILENAME, &capfile, "Write both directions' frames, as delivered, to a pcap file", "FILE" },
		{ "capture-filter", 0, 0, G_OPTION_ARG_STRING, &capfilter, "BPF filter for --capture (tcpdump syntax)", "EXPR" },
		{ "daemon", 'd', 0, G_OPTION_ARG_NONE, &daemonize, "Run in the background", NULL },
		{ "pidfile", 'p', 0, G_OPTION_ARG_FILENAME, &pidfile, "Write the pid to FILE", "FILE" },
		{ "descr", 'D', 0, G_OPTION_ARG_STRING, &descr, "Description shown by the switch's port/print", "TEXT" },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Say why the plug exits", NULL },
		{ "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
		{ NULL }
	};
	GError *gerr = NULL;
	GOptionContext *ctx = g_option_context_new("URL [URL2] - plug or cable between network endpoints");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_autofree char *help = help_text();
	g_option_context_set_description(ctx, help);
	log_init("vdelab-plug");
	if (!g_option_context_parse(ctx, &argc, &argv, &gerr)) {
		fprintf(stderr, "vdelab-plug: %s (try --help)\n", gerr->message);
		g_error_free(gerr);
		g_option_context_free(ctx);
		return 1;
	}
	g_option_context_free(ctx);
	if (version) {
		printf("vdelab-plug %s (a plug and cable of VDE 2.3.2's vde_plug protocol)\n", VDELAB_VERSION);
		return 0;
	}
	if (genkey || genpair) {
		char err[300];
		g_autofree gchar *pub = genpair ? g_strconcat(genpair, ".pub", NULL) : NULL;
		if (argc != 1 || (genkey && genpair)) {
			fprintf(stderr, "vdelab-plug: --genkey and --genkeypair take no URL and not each other\n");
			return 1;
		}
		if (cc_key_generate(genkey ? genkey : genpair, pub, err, sizeof(err))) {
			fprintf(stderr, "vdelab-plug: %s\n", err);
			return 1;
		}
		return 0;
	}
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "vdelab-plug: expected one or two endpoint URLs (try --help)\n");
		return 1;
	}
	if (daemonize && argc != 3) {
		fprintf(stderr, "vdelab-plug: -d needs two URLs (stdin/stdout go away)\n");
		return 1;
	}
	log_set_verbose(verbose);
	ep_program_name = descr ? descr : "vdelab-plug";

	struct impair_params lr, rl;
	impair_params_default(&lr);
	if (apply(&lr, imp, "--impair"))
		return 1;
	rl = lr;
	if (apply(&lr, imp_lr, "--impair-lr") || apply(&rl, imp_rl, "--impair-rl"))
		return 1;

	struct loop l;
	static struct patch c;
	struct ep *a, *b;
	char err[300];
	int rc = loop_init(&l);
	if (rc) {
		fprintf(stderr, "vdelab-plug: %s\n", strerror(rc));
		return 1;
	}
	if (ep_open(argv[1], &a, err, sizeof(err)) || ep_open(argc == 3 ? argv[2] : "-", &b, err, sizeof(err))) {
		fprintf(stderr, "vdelab-plug: %s\n", err);
		return 1;
	}
	if (seed < 0)
		seed = (gint64)time(NULL) ^ (gint64)getpid() << 16;
	if ((rc = patch_open(&c, &l, a, b, (uint64_t)seed))) {
		fprintf(stderr, "vdelab-plug: %s\n", strerror(rc));
		return 1;
	}
	patch_set(&c, PATCH_LR, &lr);
	patch_set(&c, PATCH_RL, &rl);
	struct capture *cap = NULL;
	if (capfile) {
		struct capture_opts co = { .filter = capfilter, .at = CAPTURE_AT_WIRE };
		if (!(cap = capture_open(capfile, &co, err, sizeof(err)))) {
			fprintf(stderr, "vdelab-plug: --capture: %s\n", err);
			return 1;
		}
		patch_capture(&c, PATCH_LR, cap);
		patch_capture(&c, PATCH_RL, cap);
	}
	if (daemonize) {
		if ((rc = daemon_start(&l, pidfile))) {
			fprintf(stderr, "vdelab-plug: daemon: %s\n", strerror(rc));
			return 1;
		}
	}
	if (!daemonize && pidfile && (rc = pidfile_write(pidfile))) {
		log_msg(LOG_ERR, "pidfile %s: %s", pidfile, strerror(rc));
		return 1;
	}
	loop_run(&l);
	if (c.why[0])
		log_msg(c.status ? LOG_ERR : LOG_DEBUG, "%s", c.why);
	patch_close(&c);
	capture_close(cap);
	for (int d = 0; d < 2; d++) {
		struct impair_stats st;
		patch_stats(&c, d, &st);
		if (st.lost_on_close || c.dir[d].tx_dropped)
			log_msg(LOG_INFO, "%s: %llu frames lost in the delay line on exit, %llu refused by the peer",
				d == PATCH_LR ? "LR" : "RL", (unsigned long long)st.lost_on_close,
				(unsigned long long)c.dir[d].tx_dropped);
	}
	loop_destroy(&l);
	if (pidfile)
		unlink(pidfile);
	return c.status;
}
