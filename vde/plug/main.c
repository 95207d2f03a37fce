/* vdelab-plug - join two endpoints: a VDE plug (URL <-> stdin/stdout, the
 * 2-byte big-endian framing of vde_plug, so dpipe works) or a cable between
 * two URLs. Exits when either side goes away. */
#include "../core/ep.h"
#include "../core/log.h"
#include "../core/loop.h"

#include <errno.h>
#include <glib.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

enum { SEND_WAIT_MS = 100, SEND_RETRIES = 10 };

struct side {
	struct ep *ep;
	struct side *peer;
	struct loop_watch dw, cw;
	struct vpkt *buf;
	struct vpkt *p[VPKT_BURST];
	uint64_t dropped; /* frames the other side could not take */
	const char *name;
};

static int exit_status;

/* Send with back-pressure: wait for room rather than drop, up to ~1 s. */
static void forward(struct side *from, unsigned n)
{
	struct side *to = from->peer;
	struct vtx tx[VPKT_BURST];
	for (unsigned i = 0; i < n; i++) {
		vtx_init(&tx[i]);
		vtx_add(&tx[i], vpkt_data(from->p[i]), from->p[i]->len);
	}
	unsigned done = 0;
	for (int tries = 0; done < n && tries <= SEND_RETRIES; tries++) {
		int s = ep_send_batch(to->ep, tx + done, n - done);
		if (s < 0) {
			log_msg(LOG_INFO, "%s: %s", to->ep->url, strerror(-s));
			exit_status = s == -EPIPE ? 0 : 1;
			to->dropped += n - done;
			return;
		}
		done += (unsigned)s;
		if (done < n) {
			struct pollfd pfd = { .fd = to->ep->fd, .events = POLLOUT };
			poll(&pfd, 1, SEND_WAIT_MS);
		}
	}
	to->dropped += n - done;
}

static void on_data(struct loop *l, struct loop_watch *w, uint32_t ev)
{
	struct side *s = w->arg;
	(void)ev;
	for (int round = 0; round < 8; round++) {
		int n = ep_recv_batch(s->ep, s->p, VPKT_BURST);
		if (n < 0) {
			if (n != -EPIPE)
				log_msg(LOG_ERR, "%s: %s", s->ep->url, strerror(-n));
			else
				log_msg(LOG_DEBUG, "%s: closed", s->ep->url);
			exit_status = n == -EPIPE ? 0 : 1;
			loop_stop(l);
			return;
		}
		if (n > 0)
			forward(s, (unsigned)n);
		if (!s->ep->rx_pending)
			break;
	}
}

static void on_ctl(struct loop *l, struct loop_watch *w, uint32_t ev)
{
	struct side *s = w->arg;
	(void)ev;
	if (s->ep->cls->ctl_event && s->ep->cls->ctl_event(s->ep) == 0)
		return;
	log_msg(LOG_DEBUG, "%s: peer went away", s->ep->url);
	loop_stop(l);
}

static int side_open(struct loop *l, struct side *s, const char *url)
{
	char err[300];
	int rc = ep_open(url, &s->ep, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "vdelab-plug: %s\n", err);
		return rc;
	}
	s->name = url;
	s->buf = calloc(VPKT_BURST, sizeof(struct vpkt));
	if (!s->buf)
		return ENOMEM;
	for (unsigned i = 0; i < VPKT_BURST; i++) {
		vpkt_reset(&s->buf[i]);
		s->p[i] = &s->buf[i];
	}
	s->dw = (struct loop_watch){ .fd = s->ep->fd, .cb = on_data, .arg = s };
	if ((rc = loop_add(l, &s->dw, EPOLLIN)))
		return rc;
	if (s->ep->ctl_fd >= 0) {
		s->cw = (struct loop_watch){ .fd = s->ep->ctl_fd, .cb = on_ctl, .arg = s };
		if ((rc = loop_add(l, &s->cw, EPOLLIN | EPOLLRDHUP)))
			return rc;
	}
	return 0;
}

static const char description[] =
	"With one URL, joins that endpoint to stdin/stdout using vde_plug's framing\n"
	"(2-byte big-endian length, then the frame), so it works with dpipe:\n"
	"  dpipe vdelab-plug vde:///tmp/sw1 = vdelab-plug vde:///tmp/sw2\n"
	"With two URLs, it is a cable between them:\n"
	"  vdelab-plug vde:///tmp/sw1 vde:///tmp/sw2[4]\n"
	"  vdelab-plug tap://tap0 vde:///tmp/sw1\n"
	"\n"
	"Endpoint URLs:\n"
	"  vde:///DIR[N]   client of a VDE switch (vdelab-switch or vde_switch); a bare DIR\n"
	"                  means the same; [N] asks for port N, [0] for the management port\n"
	"  tap://NAME      Linux tap device (created if needed; needs CAP_NET_ADMIN)\n"
	"  udp://[LADDR:]LPORT@RADDR:RPORT  one raw frame per UDP datagram\n"
	"  stdio:// or -   stdin/stdout stream framing\n"
	"\n"
	"Exits with status 0 when either side goes away (the switch stops, the peer\n"
	"closes the stream), 1 on a setup error.";

int main(int argc, char **argv)
{
	gboolean daemonize = FALSE, verbose = FALSE;
	g_autofree gchar *pidfile = NULL, *descr = NULL;
	GOptionEntry entries[] = {
		{ "daemon", 'd', 0, G_OPTION_ARG_NONE, &daemonize, "Run in the background", NULL },
		{ "pidfile", 'p', 0, G_OPTION_ARG_FILENAME, &pidfile, "Write the pid to FILE", "FILE" },
		{ "descr", 'D', 0, G_OPTION_ARG_STRING, &descr, "Description shown by the switch's port/print", "TEXT" },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Say why the plug exits", NULL },
		{ NULL }
	};
	GError *gerr = NULL;
	GOptionContext *ctx = g_option_context_new("URL [URL2] - plug or cable between network endpoints");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx, description);
	log_init("vdelab-plug");
	if (!g_option_context_parse(ctx, &argc, &argv, &gerr)) {
		fprintf(stderr, "vdelab-plug: %s (try --help)\n", gerr->message);
		g_error_free(gerr);
		g_option_context_free(ctx);
		return 1;
	}
	g_option_context_free(ctx);
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "vdelab-plug: expected one or two endpoint URLs (try --help)\n");
		return 1;
	}
	log_set_verbose(verbose);
	ep_program_name = descr ? descr : "vdelab-plug";

	struct loop l;
	static struct side a, b;
	int rc = loop_init(&l);
	if (rc) {
		fprintf(stderr, "vdelab-plug: %s\n", strerror(rc));
		return 1;
	}
	a.peer = &b;
	b.peer = &a;
	if (side_open(&l, &a, argv[1]) || side_open(&l, &b, argc == 3 ? argv[2] : "-"))
		return 1;
	if (daemonize) {
		if (argc != 3) {
			fprintf(stderr, "vdelab-plug: -d needs two URLs (stdin/stdout go away)\n");
			return 1;
		}
		if (daemon(1, 0) < 0) {
			fprintf(stderr, "vdelab-plug: daemon: %s\n", strerror(errno));
			return 1;
		}
		log_to_syslog();
		loop_after_fork(&l);
	}
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");
		if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f) != 0) {
			log_msg(LOG_ERR, "pidfile %s: %s", pidfile, strerror(errno));
			return 1;
		}
	}
	loop_run(&l);
	if (a.dropped || b.dropped)
		log_msg(LOG_DEBUG, "dropped %llu frames towards %s, %llu towards %s",
			(unsigned long long)b.dropped, b.name, (unsigned long long)a.dropped, a.name);
	ep_close(a.ep);
	ep_close(b.ep);
	loop_destroy(&l);
	if (pidfile)
		unlink(pidfile);
	free(a.buf);
	free(b.buf);
	return exit_status;
}
