/* libFuzzer target: the real vdelab-wirefilter console (wirefilter/main.c:
 * vde-2 wirefilter's commands with their value syntax, impair/, stats)
 * on a patch between two stream endpoints. capture/start (creates files)
 * is left to fuzz_capture_opts. After every line the settings in force
 * must still format to text the unit parser accepts. */
#define main vdelab_wirefilter_main
#include "../../wirefilter/main.c"
#undef main
#include <sys/socket.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wf W;
	static int init;
	char line[CONSOLE_MAX_LINE + 1], copy[CONSOLE_MAX_LINE + 1], *path, *arg, err[300];
	if (!init) {
		int a[2], b[2];
		if (loop_init(&W.loop) || socketpair(AF_UNIX, SOCK_STREAM, 0, a) || socketpair(AF_UNIX, SOCK_STREAM, 0, b))
			abort();
		if (patch_open(&W.patch, &W.loop, ep_stream_new(a[0], a[0], "a"), ep_stream_new(b[0], b[0], "b"), 1))
			abort();
		init = 1;
	}
	if (size > CONSOLE_MAX_LINE)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	memcpy(copy, line, size + 1);
	if (console_split(copy, &path, &arg) && !strcmp(path, "capture/start"))
		return 0;
	struct strbuf o = { 0 };
	console_exec(&table, 1, line, &W, &o);
	sb_free(&o);
	for (int d = 0; d < 2; d++) {
		char fmt[1024];
		struct impair_params p;
		impair_format(patch_params(&W.patch, d), fmt, sizeof(fmt));
		impair_params_default(&p);
		if (impair_parse(fmt, &p, err, sizeof(err)))
			__builtin_trap();
	}
	return 0;
}
