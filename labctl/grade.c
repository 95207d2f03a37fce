/* grade.c - labctl grade REFERENCE SUBMISSION...: a whole class, several at
 * a time. Each submission is validated, brought up under a name of its own,
 * checked against the reference's checks (its own are ignored) and taken
 * down, by this same program run as `validate`, `up`, `check --format tsv`
 * and `down` (so each is exactly what a student would see, and nothing a
 * submission does reaches another: separate labs, separate sandboxes).
 * A submission that does not validate or does not come up scores 0 with
 * the reason. Reports: text, json, junit, csv. */
#include "cmds.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct sub {
	char *path, *student, *name;
	GArray *rows;          /* struct check_row */
	char *reason;          /* why it scored 0 without checks, or NULL */
	int score;
	double secs;
};

static const char *self_exe;
static char *run_dir;
static const char *ref_path;
static GMutex progress_lock; /* graded, and the progress lines on stderr */
static unsigned graded, n_subs;

/* Run this program as `labctl CMD ARGS...` (NULL-ended; every command but
 * validate gets our run directory); its stdout+stderr in *out. Returns the
 * exit status, 128+N for signal N, -1 if it could not start. */
static int self(char **out, const char *cmd, ...)
{
	GPtrArray *argv = g_ptr_array_new();
	g_ptr_array_add(argv, (char *)self_exe);
	g_ptr_array_add(argv, (char *)cmd);
	if (strcmp(cmd, "validate")) { /* validate has no run directory */
		g_ptr_array_add(argv, "--run-dir");
		g_ptr_array_add(argv, run_dir);
	}
	va_list ap;
	va_start(ap, cmd);
	for (const char *a; (a = va_arg(ap, const char *));)
		g_ptr_array_add(argv, (char *)a);
	va_end(ap);
	g_ptr_array_add(argv, NULL);
	g_autofree char *o = NULL, *e = NULL;
	int st = -1;
	GError *err = NULL;
	bool ok = g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &o, &e, &st, &err);
	g_ptr_array_free(argv, TRUE);
	if (!ok) {
		*out = g_strdup(err->message);
		g_error_free(err);
		return -1;
	}
	*out = g_strconcat(o ? o : "", e ? e : "", NULL);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The last `n` non-empty lines of s, joined by " / ". */
static char *tail_lines(const char *s, int n)
{
	g_auto(GStrv) l = g_strsplit(s, "\n", -1);
	GString *g = g_string_new(NULL);
	int len = (int)g_strv_length(l), taken = 0;
	for (int i = len - 1; i >= 0 && taken < n; i--)
		if (*g_strstrip(l[i])) {
			g_string_prepend(g, l[i]);
			if (++taken < n)
				g_string_prepend(g, " / ");
		}
	if (g_str_has_prefix(g->str, " / "))
		g_string_erase(g, 0, 3);
	return g_string_free(g, FALSE);
}

static void grade_one(gpointer data, gpointer user)
{
	struct sub *s = data;
	(void)user;
	double t0 = now_s();
	g_autofree char *v = NULL, *up = NULL, *chk = NULL, *down = NULL;
	if (self(&v, "validate", s->path, NULL) != 0) {
		g_autofree char *t = tail_lines(v, 3);
		s->reason = g_strdup_printf("does not validate: %s", t);
	} else if (self(&up, "up", "--name", s->name, s->path, NULL) != 0) {
		g_autofree char *t = tail_lines(up, 2);
		s->reason = g_strdup_printf("does not come up: %s", t);
	} else {
		self(&chk, "check", "--name", s->name, "--format", "tsv", ref_path, NULL);
		g_auto(GStrv) l = g_strsplit(chk, "\n", -1);
		for (int i = 0; l[i]; i++) {
			struct check_row r;
			if (check_tsv_parse(l[i], &r)) {
				g_array_append_val(s->rows, r);
				s->score += r.pass ? r.points : 0;
			}
		}
		if (!s->rows->len) {
			g_autofree char *t = tail_lines(chk, 2);
			s->reason = g_strdup_printf("no check ran: %s", t);
		}
	}
	self(&down, "down", s->name, NULL); /* also after a failed up: idempotent */
	s->secs = now_s() - t0;
	g_mutex_lock(&progress_lock);
	fprintf(stderr, "[%u/%u] %s: %d point%s%s%s (%.1f s)\n", ++graded, n_subs, s->student, s->score,
		s->score == 1 ? "" : "s", s->reason ? ", " : "", s->reason ? s->reason : "", s->secs);
	g_mutex_unlock(&progress_lock);
}

static gint by_name(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The submissions named by the arguments: files, or every *.xml of a directory. */
static void collect(GPtrArray *subs, const char *arg)
{
	if (g_file_test(arg, G_FILE_TEST_IS_DIR)) {
		GDir *d = g_dir_open(arg, 0, NULL);
		GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
		for (const char *n; d && (n = g_dir_read_name(d));)
			if (g_str_has_suffix(n, ".xml"))
				g_ptr_array_add(names, g_build_filename(arg, n, NULL));
		if (d)
			g_dir_close(d);
		g_ptr_array_sort(names, by_name);
		for (guint i = 0; i < names->len; i++)
			collect(subs, g_ptr_array_index(names, i));
		g_ptr_array_free(names, TRUE);
		return;
	}
	struct sub *s = g_new0(struct sub, 1);
	s->path = g_canonicalize_filename(arg, NULL);
	g_autofree char *base = g_path_get_basename(arg);
	if (g_str_has_suffix(base, ".xml"))
		base[strlen(base) - 4] = 0;
	s->student = g_strdup(base);
	/* a lab name of its own: g, this grader's pid, the index (<= 15 chars) */
	s->name = g_strdup_printf("g%u-%u", (unsigned)getpid() % 100000, subs->len);
	s->rows = g_array_new(FALSE, TRUE, sizeof(struct check_row));
	g_ptr_array_add(subs, s);
}

static void csvq(FILE *f, const char *s, const char *end)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fprintf(f, "\"%s", end);
}

/* JUnit XML: a <testsuite> per student, a <testcase> per check (a
 * submission scoring 0 without checks: one failed case saying why). */
static unsigned junit_tests(const struct sub *s) { return s->reason ? 1 : s->rows->len; }
static unsigned junit_failures(const struct sub *s)
{
	unsigned n = s->reason != NULL;
	for (guint k = 0; k < s->rows->len; k++)
		n += !g_array_index(s->rows, struct check_row, k).pass;
	return n;
}

static void report_junit(FILE *f, const struct lab *ref, GPtrArray *subs)
{
	unsigned tests = 0, failures = 0;
	for (guint i = 0; i < subs->len; i++) {
		tests += junit_tests(g_ptr_array_index(subs, i));
		failures += junit_failures(g_ptr_array_index(subs, i));
	}
	g_autofree char *rn = g_markup_escape_text(ref->name, -1);
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"%s\" tests=\"%u\" failures=\"%u\">\n",
		rn, tests, failures);
	for (guint i = 0; i < subs->len; i++) {
		const struct sub *s = g_ptr_array_index(subs, i);
		g_autofree char *st = g_markup_escape_text(s->student, -1);
		fprintf(f, "  <testsuite name=\"%s\" tests=\"%u\" failures=\"%u\" time=\"%.1f\">\n"
			"    <properties><property name=\"score\" value=\"%d\"/></properties>\n",
			st, junit_tests(s), junit_failures(s), s->secs, s->score);
		if (s->reason) {
			g_autofree char *why = g_markup_escape_text(s->reason, -1);
			fprintf(f, "    <testcase classname=\"%s\" name=\"the lab comes up\"><failure message=\"%s\"/></testcase>\n",
				st, why);
		}
		for (guint k = 0; k < s->rows->len; k++) {
			const struct check_row *r = &g_array_index(s->rows, struct check_row, k);
			g_autofree char *n = g_markup_escape_text(r->name, -1), *d = g_markup_escape_text(r->detail, -1);
			fprintf(f, "    <testcase classname=\"%s\" name=\"%s\">", st, n);
			if (!r->pass)
				fprintf(f, "<failure message=\"%s\"/>", d);
			fprintf(f, "</testcase>\n");
		}
		fprintf(f, "  </testsuite>\n");
	}
	fprintf(f, "</testsuites>\n");
}

static void report(FILE *f, const char *fmt, const struct lab *ref, GPtrArray *subs, int max)
{
	if (!strcmp(fmt, "junit")) {
		report_junit(f, ref, subs);
		return;
	}
	if (!strcmp(fmt, "csv")) {
		fprintf(f, "student,check,pass,points,detail\n");
		for (guint i = 0; i < subs->len; i++) {
			const struct sub *s = g_ptr_array_index(subs, i);
			if (s->reason) {
				csvq(f, s->student, ",");
				fprintf(f, ",0,0,");
				csvq(f, s->reason, "\n");
			}
			for (guint k = 0; k < s->rows->len; k++) {
				const struct check_row *r = &g_array_index(s->rows, struct check_row, k);
				csvq(f, s->student, ",");
				csvq(f, r->name, ",");
				fprintf(f, "%d,%d,", r->pass, r->pass ? r->points : 0);
				csvq(f, r->detail, "\n");
			}
		}
		return;
	}
	if (!strcmp(fmt, "json")) {
		g_autofree char *rn = g_strescape(ref->name, NULL);
		fprintf(f, "{\"reference\": \"%s\", \"max_score\": %d, \"students\": [", rn, max);
		for (guint i = 0; i < subs->len; i++) {
			const struct sub *s = g_ptr_array_index(subs, i);
			g_autofree char *st = g_strescape(s->student, NULL);
			g_autofree char *why = s->reason ? g_strescape(s->reason, NULL) : NULL;
			fprintf(f, "%s\n  {\"student\": \"%s\", \"score\": %d, \"seconds\": %.1f, \"reason\": %s%s%s, \"checks\": [",
				i ? "," : "", st, s->score, s->secs, why ? "\"" : "", why ? why : "null", why ? "\"" : "");
			for (guint k = 0; k < s->rows->len; k++) {
				const struct check_row *r = &g_array_index(s->rows, struct check_row, k);
				g_autofree char *n = g_strescape(r->name, NULL), *d = g_strescape(r->detail, NULL);
				fprintf(f, "%s{\"name\": \"%s\", \"pass\": %s, \"points\": %d, \"detail\": \"%s\"}", k ? ", " : "",
					n, r->pass ? "true" : "false", r->pass ? r->points : 0, d);
			}
			fprintf(f, "]}");
		}
		fprintf(f, "\n]}\n");
		return;
	}
	fprintf(f, "%-20s %9s  %s\n", "STUDENT", "SCORE", "CHECKS PASSED / REASON");
	for (guint i = 0; i < subs->len; i++) {
		const struct sub *s = g_ptr_array_index(subs, i);
		unsigned passed = 0;
		for (guint k = 0; k < s->rows->len; k++)
			passed += g_array_index(s->rows, struct check_row, k).pass;
		g_autofree char *sc = g_strdup_printf("%d/%d", s->score, max);
		if (s->reason)
			fprintf(f, "%-20s %9s  %s\n", s->student, sc, s->reason);
		else
			fprintf(f, "%-20s %9s  %u of %u (%.1f s)\n", s->student, sc, passed, s->rows->len, s->secs);
	}
	fprintf(f, "\nper check (students passing):\n");
	for (guint c = 0; c < ref->checks->len; c++) {
		const struct lab_check *k = g_ptr_array_index(ref->checks, c);
		unsigned n = 0;
		for (guint i = 0; i < subs->len; i++) {
			const struct sub *s = g_ptr_array_index(subs, i);
			for (guint j = 0; j < s->rows->len; j++)
				n += g_array_index(s->rows, struct check_row, j).line == k->line &&
				     g_array_index(s->rows, struct check_row, j).pass;
		}
		fprintf(f, "  line %-4d %3u of %u  %s\n", k->line, n, subs->len, k->name ? k->name : "");
	}
}

int run_grade(int argc, char **argv)
{
	gint jobs = (gint)g_get_num_processors();
	g_auto(GStrv) formats = NULL;
	GOptionEntry entries[] = {
		{ "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, "Submissions graded at once (default: the CPU count)", "N" },
		{ "format", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &formats,
		  "text (default), json, junit or csv; FMT=FILE writes that report to FILE; repeatable", "FMT[=FILE]" },
		{ NULL }
	};
	GOptionContext *ctx = g_option_context_new("REFERENCE.xml SUBMISSION... - grade a class against a reference lab");
	g_option_context_set_description(ctx,
		"Each SUBMISSION (a lab file, or a directory of them) is validated, brought up\n"
		"under a lab name of its own, checked with the checks of REFERENCE.xml (the\n"
		"submission's own checks are ignored; nodes are found by name) and taken down,\n"
		"--jobs at a time. A submission that does not validate or does not come up\n"
		"scores 0, with the reason. The score is the points= of the checks passed.\n"
		"Reports: text (a line per student, then each check's pass count), json, junit\n"
		"(a testsuite per student, a testcase per check) and csv (a row per student and\n"
		"check); several at once: --format text --format junit=class.xml. Progress goes\n"
		"to stderr. Exit status 0 when every submission was graded, 2 for a bad\n"
		"reference or command line.\n"
		"  labctl grade labs/routed-wan.xml submissions/ -j 4 --format csv=grades.csv");
	g_option_context_add_main_entries(ctx, entries, NULL);
	bool ok = parse_options(ctx, &argc, &argv, "grade");
	g_option_context_free(ctx);
	if (!ok)
		return 2;
	if (argc < 3) {
		fprintf(stderr, "labctl grade: expected REFERENCE.xml and at least one submission (labctl grade --help)\n");
		return 2;
	}
	if (jobs < 1 || jobs > 64) {
		fprintf(stderr, "labctl grade: --jobs %d: expected 1..64\n", jobs);
		return 2;
	}
	for (int i = 0; formats && formats[i]; i++) {
		g_autofree char *fn = g_strndup(formats[i], strcspn(formats[i], "="));
		if (strcmp(fn, "text") && strcmp(fn, "json") && strcmp(fn, "junit") && strcmp(fn, "csv")) {
			fprintf(stderr, "labctl grade: --format %s: expected text, json, junit or csv, optionally =FILE\n", formats[i]);
			return 2;
		}
	}
	struct lab *ref = load_or_report(argv[1]);
	if (!ref)
		return 2;
	ref_path = g_canonicalize_filename(argv[1], NULL);
	self_exe = g_file_read_link("/proc/self/exe", NULL);
	run_dir = run_root();
	int max = 0;
	for (guint i = 0; i < ref->checks->len; i++)
		max += ((struct lab_check *)g_ptr_array_index(ref->checks, i))->points;
	GPtrArray *subs = g_ptr_array_new();
	for (int i = 2; i < argc; i++)
		collect(subs, argv[i]);
	n_subs = subs->len;
	double t0 = now_s();
	GThreadPool *pool = g_thread_pool_new(grade_one, NULL, jobs, TRUE, NULL);
	for (guint i = 0; i < subs->len; i++)
		g_thread_pool_push(pool, g_ptr_array_index(subs, i), NULL);
	g_thread_pool_free(pool, FALSE, TRUE); /* waits for every submission */
	fprintf(stderr, "labctl grade: %u submissions in %.1f s, %d at a time\n", subs->len, now_s() - t0, jobs);
	int rc = 0;
	for (int i = 0; !formats || formats[i]; i++) {
		const char *spec = formats ? formats[i] : "text";
		const char *eq = strchr(spec, '=');
		g_autofree char *fmt = g_strndup(spec, eq ? (gsize)(eq - spec) : strlen(spec));
		FILE *f = eq && strcmp(eq + 1, "-") ? fopen(eq + 1, "w") : stdout;
		if (!f) {
			fprintf(stderr, "labctl grade: %s: %s\n", eq + 1, g_strerror(errno));
			rc = 2;
		} else {
			report(f, fmt, ref, subs, max);
			if (f != stdout)
				fclose(f);
		}
		if (!formats)
			break;
	}
	for (guint i = 0; i < subs->len; i++) {
		struct sub *s = g_ptr_array_index(subs, i);
		for (guint k = 0; k < s->rows->len; k++)
			g_free(g_array_index(s->rows, struct check_row, k).name),
				g_free(g_array_index(s->rows, struct check_row, k).detail);
		g_array_free(s->rows, TRUE);
		g_free(s->path), g_free(s->student), g_free(s->name), g_free(s->reason), g_free(s);
	}
	g_ptr_array_free(subs, TRUE);
	lab_free(ref);
	return rc;
}
