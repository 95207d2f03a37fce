/* teardown.c - removing what a lab made, from its state (down, and up's rollback). */
#include "cmds.h"
#include "mgmt.h"
#include "state.h"
#include "node.h"
#include "sandbox.h"
#include "util.h"
#include "vm.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void kill_pidfile(const char *pidfile)
{
	g_autofree char *txt = NULL;
	if (!g_file_get_contents(pidfile, &txt, NULL, NULL))
		return;
	pid_t pid = (pid_t)atoi(txt);
	if (!pid_is_ours(pid, pidfile))
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < 50 && kill(pid, 0) == 0 && pid_is_ours(pid, pidfile); i++)
		g_usleep(20000);
	if (pid_is_ours(pid, pidfile))
		kill(pid, SIGKILL);
}

static void kill_netns_procs(const char *ns)
{
	g_autofree char *out = NULL;
	char *argv[] = { "ip", "netns", "pids", (char *)ns, NULL };
	if (spawn(argv, &out) != 0 || !out)
		return;
	g_auto(GStrv) pids = g_strsplit(out, "\n", -1);
	for (int i = 0; pids[i]; i++)
		if (atoi(pids[i]) > 1)
			kill((pid_t)atoi(pids[i]), SIGKILL);
}

/* Remove what a state lists: VMs, then daemons (cables before switches:
 * taps vanish with them), then namespaces, each kind newest first; then the
 * run directory. What was never created is skipped. Idempotent. */
int lab_teardown(const char *dir, bool verbose)
{
	g_autoptr(LabState) st = state_load(dir);
	if (st) {
		for (guint i = st->domains->len; i-- > 0;) {
			const struct st_domain *d = &g_array_index(st->domains, struct st_domain, i);
			if (vm_remove(d->uri, d->name) && verbose)
				printf("  removing VM %s\n", d->name);
		}
		for (guint i = st->daemons->len; i-- > 0;) {
			const struct st_daemon *d = &g_array_index(st->daemons, struct st_daemon, i);
			if (verbose)
				printf("  stopping %s %s\n", d->kind, d->name);
			kill_pidfile(d->pidfile);
		}
		/* a sandboxed node ends with its init (the kernel ends the rest) */
		guint nsb = st->sandboxes->len;
		GPtrArray *dirs = g_ptr_array_new_with_free_func(g_free), *cgs = g_ptr_array_new_with_free_func(g_free);
		GPtrArray *nss = g_ptr_array_new();
		for (guint i = 0; i < nsb; i++) {
			const struct st_sandbox *b = &g_array_index(st->sandboxes, struct st_sandbox, i);
			g_ptr_array_add(dirs, node_dir(dir, b->node));
			g_ptr_array_add(cgs, node_cgroup(dir, b->node));
			g_ptr_array_add(nss, b->ns);
			if (verbose && sandbox_pid(g_ptr_array_index(dirs, i), b->ns))
				printf("  stopping node %s\n", b->node);
		}
		sandbox_stop(nsb, (const char *const *)dirs->pdata, (const char *const *)nss->pdata,
			     (const char *const *)cgs->pdata);
		g_ptr_array_free(dirs, TRUE), g_ptr_array_free(cgs, TRUE), g_ptr_array_free(nss, TRUE);
		for (guint i = st->netns->len; i-- > 0;) {
			const char *ns = g_ptr_array_index(st->netns, i);
			g_autofree char *p = g_build_filename("/run/netns", ns, NULL);
			if (!g_file_test(p, G_FILE_TEST_EXISTS))
				continue;
			if (verbose)
				printf("  removing namespace %s\n", ns);
			kill_netns_procs(ns);
			char *argv[] = { "ip", "netns", "del", (char *)ns, NULL };
			spawn(argv, NULL);
		}
	}
	/* the sandbox layers' tmpfs (also when the state is gone: it is
	 * always RUN/LAB/fs) */
	g_autofree char *fs = g_build_filename(dir, "fs", NULL);
	while (umount2(fs, MNT_DETACH) == 0)
		;
	if (g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		char *argv[] = { "rm", "-rf", "--one-file-system", (char *)dir, NULL };
		spawn(argv, NULL);
	}
	return 0;
}

