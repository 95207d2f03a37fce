/* util.c - helpers every labctl subcommand shares (util.h). */
#include "cmds.h"
#include "state.h"
#include "util.h"

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

static char *opt_run_dir;
static char *opt_name;

const char *opt_lab_name(void) { return opt_name; }

double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

char *run_root(void)
{
	const char *env = getenv("VDELAB_RUN_DIR");
	if (opt_run_dir)
		return g_strdup(opt_run_dir);
	if (env && *env)
		return g_strdup(env);
	if (geteuid() == 0)
		return g_strdup("/run/vdelab");
	const char *x = getenv("XDG_RUNTIME_DIR");
	return x ? g_build_filename(x, "vdelab", NULL) : g_strdup_printf("/tmp/vdelab-%u", geteuid());
}

#ifndef VDELAB_DATADIR
#define VDELAB_DATADIR "/usr/local/share/vdelab"
#endif

/* The folder of the running labctl, and whether it is a build folder of
 * the source tree (its parent holds labctl/guest/mkguest.sh). */
static char *self_dir(bool *in_tree)
{
	g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
	char *dir = self ? g_path_get_dirname(self) : g_strdup(".");
	g_autofree char *probe = g_build_filename(dir, "..", "labctl", "guest", "mkguest.sh", NULL);
	*in_tree = g_file_test(probe, G_FILE_TEST_EXISTS);
	return dir;
}

char *data_file(const char *name)
{
	/* where each installed data file comes from in the tree */
	static const struct { const char *name, *tree; } map[] = {
		{ "mkguest.sh", "labctl/guest/mkguest.sh" },
		{ "lab.rng", "labs/lab.rng" },
		{ "labs", "labs" },
		{ "examples", "examples" },
	};
	bool tree;
	g_autofree char *dir = self_dir(&tree);
	for (size_t i = 0; tree && i < G_N_ELEMENTS(map); i++)
		if (!strcmp(name, map[i].name))
			return g_build_filename(dir, "..", map[i].tree, NULL);
	return g_build_filename(VDELAB_DATADIR, name, NULL);
}

char *guest_dir(void)
{
	const char *env = getenv("VDELAB_GUEST_DIR");
	if (env && *env)
		return g_strdup(env);
	bool tree;
	g_autofree char *dir = self_dir(&tree);
	if (tree)
		return g_build_filename(dir, "guest", NULL);
	if (geteuid() == 0)
		return g_strdup("/var/cache/vdelab/guest");
	return g_build_filename(g_get_user_cache_dir(), "vdelab", "guest", NULL);
}

char *lab_dir(const char *name)
{
	g_autofree char *root = run_root();
	return g_build_filename(root, name, NULL);
}

char *capture_file(const char *dir, const char *what)
{
	g_autofree char *cdir = g_build_filename(dir, "captures", NULL);
	g_mkdir_with_parents(cdir, 0700);
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree char *stamp = g_date_time_format(now, "%Y%m%d-%H%M%S");
	g_autofree char *safe = g_strcanon(g_strdup(what), "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", '_');
	/* the switch creates new files only: a second capture in the same second gets -2, -3... */
	char *path = g_strdup_printf("%s/%s-%s.pcap", cdir, safe, stamp);
	for (int i = 2; g_file_test(path, G_FILE_TEST_EXISTS) && i < 1000; i++) {
		g_free(path);
		path = g_strdup_printf("%s/%s-%s-%d.pcap", cdir, safe, stamp, i);
	}
	return path;
}

/* '.' is in neither name's alphabet (lab_name_ok), so no two (lab, node)
 * pairs share a namespace: lab "a-b" node "c" is vl-a-b.c, lab "a" node
 * "b-c" is vl-a.b-c. At most 3 + 15 + 1 + 15 = 34 bytes. */
char *ns_name(const char *lab, const char *node) { return g_strdup_printf("vl-%s.%s", lab, node); }

/* Run argv to completion; its stdout then stderr in *out if not NULL
 * (discarded otherwise). Returns the exit status, or -1 if it could not run. */
int spawn(char **argv, char **out)
{
	GError *e = NULL;
	int status = 0;
	char *o = NULL, *er = NULL;
	if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &o, &er, &status, &e)) {
		if (out)
			*out = g_strdup(e->message);
		g_error_free(e);
		return -1;
	}
	if (out)
		*out = g_strconcat(o ? o : "", er ? er : "", NULL);
	g_free(o);
	g_free(er);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Is pid alive and one of our daemons started with exactly `pidfile` as
 * an argument (-p PIDFILE)? Every daemon of a lab has its own pid file path,
 * so a reused pid, or the daemon of another lab whose path merely contains
 * ours (/run/vdelab/lab2/... for lab), never matches. */
bool pid_is_ours(pid_t pid, const char *pidfile)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/cmdline", pid);
	g_autofree char *cmd = NULL;
	gsize len;
	if (pid <= 1 || !g_file_get_contents(path, &cmd, &len, NULL))
		return false;
	for (gsize i = 0; i < len; i += strlen(cmd + i) + 1)
		if (!strcmp(cmd + i, pidfile))
			return true;
	return false;
}

static void opt_common(GOptionContext *ctx)
{
	static GOptionEntry common[] = {
		{ "run-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_run_dir, "Where labs keep their state (default /run/vdelab)", "DIR" },
		{ "name", 'n', 0, G_OPTION_ARG_STRING, &opt_name, "Lab name (default: the file's lab name)", "NAME" },
		{ NULL }
	};
	g_option_context_add_main_entries(ctx, common, NULL);
}

bool parse_options(GOptionContext *ctx, int *argc, char ***argv, const char *cmd)
{
	GError *e = NULL;
	opt_common(ctx);
	if (!g_option_context_parse(ctx, argc, argv, &e)) {
		fprintf(stderr, "labctl %s: %s\n", cmd, e->message);
		g_error_free(e);
		return false;
	}
	if (opt_name && !lab_name_ok(opt_name)) {
		fprintf(stderr, "labctl %s: --name \"%s\" is not a lab name (%s)\n", cmd, opt_name, LAB_NAME_RULE);
		return false;
	}
	return true;
}

/* The prologue of a subcommand: options (plus `extra`), --help text, and
 * exactly `nargs` positional arguments. False, after a message, if not. */
bool begin(int *argc, char ***argv, const char *cmd, const char *usage, const char *descr,
		  GOptionEntry *extra, int nargs, const char *what)
{
	GOptionContext *ctx = g_option_context_new(usage);
	if (descr)
		g_option_context_set_description(ctx, descr);
	if (extra)
		g_option_context_add_main_entries(ctx, extra, NULL);
	bool ok = parse_options(ctx, argc, argv, cmd);
	g_option_context_free(ctx);
	if (ok && *argc != nargs + 1) {
		fprintf(stderr, "labctl %s: which %s? (labctl %s --help)\n", cmd, what, cmd);
		ok = false;
	}
	return ok;
}

struct lab *load_or_report(const char *path)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	struct lab *lab = lab_load(path, errors);
	for (guint i = 0; i < errors->len; i++)
		fprintf(stderr, "%s\n", (char *)g_ptr_array_index(errors, i));
	g_ptr_array_free(errors, TRUE);
	return lab;
}

/* FILE or NAME -> lab name */
char *lab_name_of(const char *arg)
{
	if (opt_name)
		return g_strdup(opt_name);
	if (g_str_has_suffix(arg, ".xml")) {
		struct lab *lab = load_or_report(arg);
		if (!lab)
			return NULL;
		char *n = g_strdup(lab->name);
		lab_free(lab);
		return n;
	}
	if (!lab_name_ok(arg)) {
		fprintf(stderr, "labctl: \"%s\" is neither a lab file (.xml) nor a lab name (%s)\n", arg, LAB_NAME_RULE);
		return NULL;
	}
	return g_strdup(arg);
}

/* The serial socket of VM node `node` of the lab in `dir`, or NULL (not a VM). */
char *vm_serial_of(const char *dir, const char *node)
{
	g_autoptr(LabState) st = state_load(dir);
	return st && state_vmserial(st, node) ? g_strdup(state_vmserial(st, node)) : NULL;
}

bool alive_pidfile(const char *pidfile)
{
	g_autofree char *txt = NULL;
	return g_file_get_contents(pidfile, &txt, NULL, NULL) && pid_is_ours((pid_t)atoi(txt), pidfile);
}

