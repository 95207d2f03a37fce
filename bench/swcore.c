/* swcore - the forwarding core alone (no sockets): ns per frame through
 * sw_input() + sw_flush() with the flow cache on and off, for a number of
 * learned unicast flows between 8 ports, in batches of 32.
 *
 *   swcore FLOWS FRAMES mix|bulk   prints key=value lines
 *
 * mix:  every frame of a batch belongs to a different flow (worst case);
 * bulk: each batch is 32 frames of one flow (a TCP transfer), flows rotate.
 * One warm-up run, then cache on/off alternate 3 times; the best of each.
 * With SWCORE_CAPTURE=FILE every port is captured (capture.h) into FILE
 * (use /dev/null to leave the disk out): the cost of capture when on. Built
 * with -DVDELAB_NO_CAPTURE (swcore-nocap): the switch without capture code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../vde/core/capture.h"
#include "../vde/core/frame.h"
#include "../vde/core/sw.h"

static int null_send(struct ep *ep, struct vtx *tx, unsigned n) { return (int)n; }
static int null_recv(struct ep *ep, struct vpkt **p, unsigned n) { return 0; }
static const struct ep_class null_class = { .scheme = "null", .recv_batch = null_recv, .send_batch = null_send };

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double run(unsigned flows, unsigned frames, int cache, int bulk, double *hit)
{
	static struct sw sw;
	enum { NP = 9 };
	sw_init(&sw, NP, 65536, 300);
	for (unsigned p = 1; p < NP; p++) {
		sw_port_create(&sw, p, true);
		sw_port_attach(&sw, p, ep_alloc(&null_class, "null://"));
	}
	sw_set_flowcache(&sw, cache);
	const char *capf = getenv("SWCORE_CAPTURE");
	for (unsigned p = 1; capf && p < NP; p++) {
		struct capture_opts co = { 0 };
		char err[256];
		struct capture *c = capture_open(capf, &co, err, sizeof(err));
		if (!c) {
			fprintf(stderr, "swcore: %s\n", err);
			exit(1);
		}
		sw_port_capture(&sw, p, c);
	}
	struct vpkt *pk = calloc(VPKT_BURST, sizeof(*pk));
	struct vpkt *pp[VPKT_BURST];
	/* host h lives on port 1 + h % 8; flow f goes from host f to host f+1 */
	uint64_t t = 1000000000ull;
	for (unsigned h = 0; h <= flows; h++) { /* learn every host */
		vpkt_reset(&pk[0]);
		uint8_t *d = vpkt_data(&pk[0]);
		memset(d, 0xff, 6);
		uint8_t m[6] = { 2, 0, 0, (uint8_t)(h >> 16), (uint8_t)(h >> 8), (uint8_t)h };
		memcpy(d + 6, m, 6);
		d[12] = 8, d[13] = 0;
		pk[0].len = 64;
		pp[0] = &pk[0];
		sw_input(&sw, (uint16_t)(1 + h % 8), pp, 1, t);
		sw_flush(&sw);
	}
	uint64_t start = now_ns();
	unsigned f = 0;
	for (unsigned done = 0; done < frames; done += VPKT_BURST) {
		/* one batch: 32 frames of consecutive flows, all from one port */
		unsigned port = 1 + f % 8;
		for (unsigned i = 0; i < VPKT_BURST; i++) {
			unsigned src = bulk ? f * 8 % flows : (f + i * 8) % flows;
			src = src - src % 8 + (port - 1);
			if (src >= flows)
				src = port - 1;
			unsigned dst = src + 1;
			vpkt_reset(&pk[i]);
			uint8_t *d = vpkt_data(&pk[i]);
			uint8_t s[6] = { 2, 0, 0, (uint8_t)(src >> 16), (uint8_t)(src >> 8), (uint8_t)src };
			uint8_t m[6] = { 2, 0, 0, (uint8_t)(dst >> 16), (uint8_t)(dst >> 8), (uint8_t)dst };
			memcpy(d, m, 6);
			memcpy(d + 6, s, 6);
			d[12] = 8, d[13] = 0;
			pk[i].len = 64;
			pp[i] = &pk[i];
		}
		sw_input(&sw, (uint16_t)port, pp, VPKT_BURST, t);
		sw_flush(&sw);
		f++;
	}
	double ns = (double)(now_ns() - start) / frames;
	uint64_t tot = sw.fc.batch_hits + sw.fc.hits + sw.fc.misses;
	*hit = tot ? (double)(sw.fc.batch_hits + sw.fc.hits) / (double)tot : 0;
	for (unsigned p = 1; p < NP; p++)
		ep_close(sw_port_detach(&sw, p));
	sw_destroy(&sw);
	free(pk);
	return ns;
}

int main(int argc, char **argv)
{
	unsigned flows = argc > 1 ? (unsigned)atoi(argv[1]) : 64;
	unsigned frames = argc > 2 ? (unsigned)atoi(argv[2]) : 4000000;
	int bulk = argc > 3 && strcmp(argv[3], "bulk") == 0;
	double h1, h0, on = 1e9, off = 1e9;
	run(flows, frames / 4, 1, bulk, &h1); /* warm-up: page faults, CPU frequency */
	for (int r = 0; r < 3; r++) {
		double a = run(flows, frames, 1, bulk, &h1), b = run(flows, frames, 0, bulk, &h0);
		on = a < on ? a : on;
		off = b < off ? b : off;
	}
	printf("flows=%u\nframes=%u\npattern=%s\ncache_on_ns=%.1f\ncache_off_ns=%.1f\nhit_ratio=%.4f\nspeedup=%.2f\n",
	       flows, frames, bulk ? "bulk" : "mix", on, off, h1, off / on);
	return 0;
}
