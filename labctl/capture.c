/* capture.c - labctl capture: a port, node interface or cable to pcap. */
#include "cmds.h"
#include "mgmt.h"
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

/* ---- capture ---- */

bool capture_poll(const char *m, int port, int *written, char **line)
{
	g_autofree char *show = NULL;
	mgmt(m, "capture/show", &show);
	g_auto(GStrv) sl = g_strsplit(show ? show : "", "\n", -1);
	g_autofree char *pfx = g_strdup_printf("port=%d ", port);
	bool running = false;
	for (int k = 0; sl[k]; k++)
		if (g_str_has_prefix(sl[k], pfx)) {
			const char *w = strstr(sl[k], "written=");
			if (written)
				*written = w ? atoi(w + 8) : 0;
			if (line) {
				g_free(*line);
				*line = g_strdup(sl[k]);
			}
			running = strstr(sl[k], "state=running") != NULL;
		}
	return running;
}

bool capture_quiet;

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
	g_autoptr(LabState) st = state_load(dir);
	if (!st)
		g_string_printf(err, "lab %s is not up", name);
	if (!st || !state_target_port(st, argv[2], &sw, &port, err)) {
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
	g_autofree char *m = state_switch_mgmt(st, sw);
	if (!m) {
		fprintf(stderr, "labctl capture: lab %s is not up\n", name);
		return 3;
	}
	g_autofree char *cnt = count > 0 ? g_strdup_printf(" count=%d", count) : g_strdup("");
	g_autofree char *cmd = g_strdup_printf("capture/start %d %s%s at=%s %s", port, path, cnt,
					       at ? at : "wire", filter ? filter : "");
	g_autofree char *reply = NULL;
	if (mgmt(m, cmd, &reply) != 0) {
		g_autofree char *why = mgmt_reason(reply);
		fprintf(stderr, "labctl capture: %s port %d: %s\n", sw, port, why);
		return 1;
	}
	if (!capture_quiet)
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
		if (!capture_poll(m, port, NULL, &last)) /* keeps the last line it saw */
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
	if (!capture_quiet)
		fprintf(stderr, "%d frames captured%s%s\n", w ? atoi(w + 8) : 0, to_stdout ? "" : " in ", to_stdout ? "" : path);
	if (e) {
		fprintf(stderr, "labctl capture: the capture stopped: %s\n", e + 13);
		return 1;
	}
	return 0;
}

