/* node.c - run a command in a namespace node (node.h). */
#include "node.h"
#include "sandbox.h"
#include "util.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

char *node_dir(const char *labdir, const char *node) { return g_build_filename(labdir, "fs", "nodes", node, NULL); }

char *node_cgroup(const char *labdir, const char *node)
{
	g_autofree char *lab = g_path_get_basename(labdir);
	return g_strdup_printf("vdelab/%s/%s", lab, node);
}

bool node_sandboxed(const char *labdir, const char *node)
{
	g_autofree char *d = node_dir(labdir, node);
	g_autofree char *p = g_build_filename(d, "init.pid", NULL);
	return g_file_test(p, G_FILE_TEST_EXISTS);
}

static int run_here(const char *labdir, const char *node, char **argv)
{
	g_autofree char *lab = g_path_get_basename(labdir);
	g_autofree char *ns = ns_name(lab, node);
	if (node_sandboxed(labdir, node)) {
		g_autofree char *d = node_dir(labdir, node), *cg = node_cgroup(labdir, node);
		return sandbox_run(d, ns, cg, lab, node, argv);
	}
	GPtrArray *a = g_ptr_array_new();
	const char *pre[] = { "ip", "netns", "exec", ns };
	for (size_t i = 0; i < G_N_ELEMENTS(pre); i++)
		g_ptr_array_add(a, (char *)pre[i]);
	for (int i = 0; argv[i]; i++)
		g_ptr_array_add(a, argv[i]);
	g_ptr_array_add(a, NULL);
	execvp("ip", (char **)a->pdata);
	fprintf(stderr, "labctl: ip: %s\n", g_strerror(errno));
	_exit(127);
}

void node_exec(const char *labdir, const char *node, char **argv)
{
	int rc = run_here(labdir, node, argv);
	if (rc < 0)
		fprintf(stderr, "labctl: node %s: %s\n", node, g_strerror(errno));
	exit(rc < 0 ? 126 : rc);
}

int node_run(const char *labdir, const char *node, char **argv, char **out)
{
	int p[2] = { -1, -1 };
	if (out && pipe(p) < 0)
		return -1;
	fflush(NULL);
	pid_t c = fork();
	if (c < 0)
		return -1;
	if (c == 0) {
		if (out) {
			dup2(p[1], 1);
			dup2(p[1], 2);
			close(p[0]), close(p[1]);
		}
		node_exec(labdir, node, argv);
	}
	if (out) {
		close(p[1]);
		GString *s = g_string_new(NULL);
		char buf[4096];
		ssize_t n;
		while ((n = read(p[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
			if (n > 0)
				g_string_append_len(s, buf, n);
		close(p[0]);
		*out = g_string_free(s, FALSE);
	}
	int st;
	while (waitpid(c, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
