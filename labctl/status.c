/* status.c - labctl status. */
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

