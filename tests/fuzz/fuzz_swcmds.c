/* libFuzzer target: the real vdelab-switch console command table
 * (vde/switch/cmds.c) against a switch with a few ports, VLANs and an
 * impaired port, as a management client would type them. Lines that would
 * act outside the process (port/add opens taps and sockets, capture/start
 * creates files, load reads them) are left to their own parser targets
 * (fuzz_url, fuzz_capture_opts; load is bounded by console_load). */
#define main vdelab_switch_main
#include "../../vde/switch/main.c"
#undef main
#include "../../vde/switch/cmds.c"
#include "../../vde/switch/datasock.c"
#include "../../vde/switch/stp.c"

static struct swd *setup(void)
{
	static struct swd D;
	struct swd *d = &D;
	if (loop_init(&d->loop) || sw_init(&d->sw, 16, 1024, 300))
		abort();
	d->sw.owner = d;
	d->sw.on_blocked = on_blocked;
	d->sw.on_pause = on_pause;
	if (swd_stp_init(d))
		abort();
	d->rx = calloc(VPKT_BURST, sizeof(struct vpkt));
	for (unsigned i = 0; i < VPKT_BURST; i++) {
		vpkt_reset(&d->rx[i]);
		d->rxp[i] = &d->rx[i];
	}
	d->ctl_fd = -1;
	d->cs.listen_fd = -1;
	snprintf(d->dir, sizeof(d->dir), "/nonexistent/vdelab-fuzz");
	swd_timers_start(d);
	static const char *const init[] = { "port/create 3", "vlan/create 10", "vlan/addport 10 3",
					    "impair/set 3 both delay=1ms loss=1%", "fstp/setfstp 1" };
	size_t nt;
	for (unsigned i = 0; i < sizeof(init) / sizeof(init[0]); i++) {
		struct strbuf o = { 0 };
		console_exec(swd_tables(&nt), nt, init[i], d, &o);
		sb_free(&o);
	}
	return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct swd *d;
	char line[CONSOLE_MAX_LINE + 1], copy[CONSOLE_MAX_LINE + 1], *path, *arg;
	if (!d)
		d = setup();
	if (size > CONSOLE_MAX_LINE)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	memcpy(copy, line, size + 1);
	if (console_split(copy, &path, &arg) &&
	    (!strcmp(path, "port/add") || !strcmp(path, "capture/start") || !strcmp(path, "load")))
		return 0;
	struct strbuf o = { 0 };
	size_t nt;
	console_exec(swd_tables(&nt), nt, line, d, &o);
	sb_free(&o);
	return 0;
}
