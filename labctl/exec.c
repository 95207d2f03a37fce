/* exec.c - labctl exec: a command or a shell in a node. */
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

int run_exec(int argc, char **argv)
{
	/* labctl exec LAB NODE [-- CMD...] */
	int dd = -1;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			dd = i;
			break;
		}
	int nopt = dd < 0 ? argc : dd;
	GOptionContext *ctx = g_option_context_new("LAB NODE [-- COMMAND...] - run a command (or a shell) in a node");
	bool ok = parse_options(ctx, &nopt, &argv, "exec");
	g_option_context_free(ctx);
	if (!ok)
		return 2;
	if (nopt != 3) {
		fprintf(stderr, "labctl exec: expected LAB NODE [-- COMMAND...]\n");
		return 2;
	}
	g_autofree char *name = lab_name_of(argv[1]);
	if (!name)
		return 1;
	g_autofree char *ns = ns_name(name, argv[2]);
	g_autofree char *p = g_build_filename("/run/netns", ns, NULL);
	g_autofree char *dir0 = lab_dir(name);
	g_autofree char *serial = vm_serial_of(dir0, argv[2]);
	if (serial) { /* a VM: through its serial console */
		if (dd < 0 || dd + 1 >= argc)
			return vm_console(serial);
		g_autofree char *cmd = g_strjoinv(" ", argv + dd + 1), *out = NULL;
		int rc = vm_exec(serial, cmd, 60, &out);
		if (rc < 0) {
			fprintf(stderr, "labctl exec: %s: %s\n", argv[2], out);
			return 1;
		}
		fputs(out, stdout);
		return rc;
	}
	g_autofree char *stf = g_build_filename(dir0, "state", NULL);
	if (!g_file_test(p, G_FILE_TEST_EXISTS) || !g_file_test(stf, G_FILE_TEST_EXISTS)) {
		fprintf(stderr, "labctl exec: node %s of lab %s is not up\n", argv[2], name);
		return 1;
	}
	GPtrArray *a = g_ptr_array_new();
	if (dd < 0 || dd + 1 >= argc) {
		/* a sandboxed node has its own files: its shell, not the host user's */
		const char *sh = getenv("SHELL");
		g_ptr_array_add(a, (char *)(node_sandboxed(dir0, argv[2]) || !sh ? "/bin/sh" : sh));
	} else {
		for (int i = dd + 1; i < argc; i++)
			g_ptr_array_add(a, argv[i]);
	}
	g_ptr_array_add(a, NULL);
	node_exec(dir0, argv[2], (char **)a->pdata);
}

